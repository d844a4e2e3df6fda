import { PortQuery, Reading } from './semantics';
import { Cluster } from '../inventory/cluster';
import { entryMatches, isNamedPort, NamedEntry, NumberedEntry, PORT_PROTOCOLS, portEntryKey, PortSet, Traffic } from '../k8s/port-set';

/** A port to probe, with a label for reports (`5432/TCP`, `other TCP ports`). */
export interface ProbePort {
  readonly query: PortQuery;
  readonly label: string;
  /** True for the stand-in of every port no policy mentions. */
  readonly other: boolean;
}

/**
 * The ports that can make a difference, per protocol: the port numbers are cut into intervals at
 * every bound any rule names (a single port, both ends of a range, and the container port numbers
 * named ports resolve to), so that no rule starts or ends inside an interval and every port of one
 * interval gets the same verdict (the rules of the cluster-wide tiers too). One probe per interval a rule covers (labelled `8080/TCP` or
 * `8001-8999/TCP`), plus one stand-in for every port no rule covers (`other TCP ports`, allowed only
 * by rules that allow every port of the protocol). So a change that opens the inside of a range
 * (`ports: [8000, 9000]` becoming `8000-9000`) is seen. `extra` ports (e.g. the ports of observed
 * connections) are probed too, each on its own, and the stand-in avoids them. The numbered ports
 * and ranges of `focus` (e.g. the ports an invariant names) are bounds too, every interval inside
 * them is probed, and the stand-in avoids them, so a verdict on a port inside them is never
 * mistaken for one outside (entries for every port of a protocol, and named ports, add nothing).
 */
export function probePorts(clusters: Cluster[], extra: readonly Traffic[] = [], focus: PortSet = [], reading: Reading = 'failClosed'): ProbePort[] {
  const cuts = new Map<string, Set<number>>(PORT_PROTOCOLS.map((proto) => [proto, new Set<number>()]));
  const covered = new Map<string, NumberedEntry[]>(PORT_PROTOCOLS.map((proto) => [proto, []]));
  const named = new Map<string, NamedEntry>();
  // Each range once: every container port a named port resolves to comes again on every pod that
  // declares it, and each listed range is tested at every bound.
  const seenRanges = new Set<string>();
  const add = (protocol: string, from: number, to: number) => {
    const key = `${protocol} ${from} ${to}`;
    if (seenRanges.has(key)) return;
    seenRanges.add(key);
    cuts.get(protocol)!.add(from);
    cuts.get(protocol)!.add(to + 1);
    covered.get(protocol)!.push({ kind: 'numbered', protocol, port: from, endPort: to });
  };
  // A set of ports once: the snapshots of a diff share the rules compiled once for both (`ClusterOptions.basis`).
  const seenPorts = new Set<PortSet>();
  const rulePorts = (rules: ReadonlyArray<{ readonly ports: PortSet }> | undefined) => {
    for (const rule of rules ?? []) {
      if (seenPorts.has(rule.ports)) continue;
      seenPorts.add(rule.ports);
      for (const entry of rule.ports) {
        if (entry.kind === 'allTraffic' || entry.kind === 'allPorts' || !cuts.has(entry.protocol)) continue;
        if (entry.kind === 'named') named.set(portEntryKey(entry), entry);
        else add(entry.protocol, entry.port, entry.endPort ?? entry.port);
      }
    }
  };
  for (const cluster of clusters) {
    for (const policy of cluster.policies) {
      rulePorts(policy.ingress);
      rulePorts(policy.egress);
    }
    for (const policy of [...cluster.tieredPolicies, ...cluster.ciliumPolicies]) {
      rulePorts(policy.ingress);
      rulePorts(policy.egress);
    }
    // The widest reading also reads the Cilium allow rules the verdicts leave out (`ciliumRulesOf`):
    // their ports are bounds of what it may allow.
    if (reading === 'widest') {
      for (const policy of cluster.ciliumPolicies) {
        rulePorts(policy.mayAllow?.ingress ?? []);
        rulePorts(policy.mayAllow?.egress ?? []);
      }
    }
  }
  // Named ports resolve to container port numbers: those numbers are bounds too.
  const names = [...named.values()];
  if (names.length > 0) {
    for (const cluster of clusters) {
      for (const e of cluster.endpoints) {
        for (const c of e.ports) {
          if (cuts.has(c.protocol) && names.some((n) => isNamedPort(c, n.name, n.protocol))) add(c.protocol, c.number, c.number);
        }
      }
    }
  }
  const focused = new Map<string, NumberedEntry[]>(PORT_PROTOCOLS.map((proto) => [proto, []]));
  for (const entry of focus) {
    if (entry.kind !== 'numbered' || !cuts.has(entry.protocol)) continue;
    cuts.get(entry.protocol)!.add(entry.port);
    cuts.get(entry.protocol)!.add((entry.endPort ?? entry.port) + 1);
    focused.get(entry.protocol)!.push(entry);
  }
  const observed = new Map<string, Set<number>>(PORT_PROTOCOLS.map((proto) => [proto, new Set<number>()]));
  for (const t of extra) {
    if (!cuts.has(t.protocol)) continue;
    observed.get(t.protocol)!.add(t.port);
    cuts.get(t.protocol)!.add(t.port);
    cuts.get(t.protocol)!.add(t.port + 1);
  }
  const out: ProbePort[] = [];
  for (const proto of PORT_PROTOCOLS) {
    const seen = observed.get(proto)!;
    const bounds = [...new Set([1, ...cuts.get(proto)!, 65536])].filter((b) => b >= 1 && b <= 65536).sort((a, b) => a - b);
    const ranges = covered.get(proto)!;
    const inFocus = focused.get(proto)!;
    const isCovered = (p: number) => ranges.some((r) => entryMatches(r, { port: p, protocol: proto }, []));
    const isFocused = (p: number) => inFocus.some((r) => entryMatches(r, { port: p, protocol: proto }, []));
    for (let i = 0; i + 1 < bounds.length; i++) {
      const from = bounds[i];
      const to = bounds[i + 1] - 1;
      if (isCovered(from) || seen.has(from) || isFocused(from)) out.push({ query: { port: from, protocol: proto }, label: from === to ? `${from}/${proto}` : `${from}-${to}/${proto}`, other: false });
    }
    // One stand-in for every port no rule covers: the highest such port (65535 when no rule reaches it).
    let stand = 65535;
    while (stand > 1 && (isCovered(stand) || seen.has(stand) || isFocused(stand))) stand--;
    if (!isCovered(stand) && !seen.has(stand) && !isFocused(stand)) out.push({ query: { port: stand, protocol: proto }, label: `other ${proto} ports`, other: true });
  }
  return out;
}

/**
 * Edge labels from the probes that are allowed: when every probe of a protocol is allowed (each port
 * any policy mentions and "other ports"), the protocol is allowed on every port: `all TCP ports`;
 * all three: `all traffic`.
 */
export function summarizePorts(probes: Array<{ query: PortQuery; label: string }>, allowed: Set<number>): string[] {
  const protocols = [...new Set(probes.map((p) => p.query.protocol))];
  const full = protocols.filter((proto) => probes.every((p, k) => p.query.protocol !== proto || allowed.has(k)));
  if (full.length === protocols.length) return ['all traffic'];
  return protocols.flatMap((proto) => full.includes(proto)
    ? [`all ${proto} ports`]
    : probes.filter((p, k) => p.query.protocol === proto && allowed.has(k)).map((p) => p.label));
}
