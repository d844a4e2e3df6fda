import { FlowReplay, GeneratedProgram, ObservedEndKind, ObservedFlows } from '../../src';

/**
 * What a generated program allows between the observed ends beyond the observed connections, as
 * `from -> to port/PROTOCOL` lines: DNS for every service of a namespace whose stack allows DNS (the
 * stacks' DNS option allows 53/UDP and 53/TCP to the DNS server for the whole namespace), on the
 * ports of the two that were not observed. The DNS server the flows show is the one (the program's).
 */
export function expectedResidue(program: GeneratedProgram, flows: ObservedFlows): string[] {
  const queries = flows.connections.filter((c) => c.destination.kind === ObservedEndKind.DNS && c.port === 53);
  const dnsIds = [...new Set(queries.map((c) => c.destination.id))].sort();
  if (dnsIds.length === 0) return [];
  const dns = program.dnsServer?.id ?? dnsIds[0];
  const observed = new Set(flows.connections.map((c) => `${c.source.id} -> ${c.destination.id} ${c.port}/${c.protocol}`));
  const dnsNamespaces = new Set(program.stacks.filter((s) => s.dns).map((s) => s.namespace));
  const out: string[] = [];
  for (const s of program.services) {
    if (!dnsNamespaces.has(s.namespace)) continue;
    for (const port of ['53/TCP', '53/UDP']) {
      const line = `${s.id} -> ${dns} ${port}`;
      if (!observed.has(line)) out.push(line);
    }
  }
  return out.sort();
}

/** The replay's never-observed connections allowed by rules, as `from -> to port` lines. */
export function neverObservedLines(replay: FlowReplay): string[] {
  return replay.neverObserved.flatMap((u) => u.ports.map((p) => `${u.from} -> ${u.to} ${p}`)).sort();
}

/** The replay's never-observed open pairs with an end that is a service of the program (there must be none). */
export function openPairsOfServices(replay: FlowReplay, program: GeneratedProgram): string[] {
  const services = new Set(program.services.map((s) => s.id));
  return replay.openNeverObserved.filter((u) => services.has(u.from) || services.has(u.to)).map((u) => `${u.from} -> ${u.to}`);
}
