import { Construct } from 'constructs';
import { GeneratedEndKind, GeneratedEndRef, GeneratedPort, GeneratedProgram } from './program';
import { DnsOptions } from '../constructs/allow-dns';
import { ApplicationStack } from '../constructs/application-stack';
import { Endpoint } from '../endpoints/endpoint';
import { IConnectionEnd } from '../model/connection-end';
import { ExternalDestination } from '../model/external-destination';
import { Peer } from '../model/peer';
import { Port } from '../model/port';
import { Selector } from '../model/selector';

/** The DNS options of the program's stacks: undefined for the stacks' default (kube-dns in kube-system). */
export function programDnsOptions(program: GeneratedProgram): DnsOptions | undefined {
  const server = program.dnsServer;
  return server ? { dnsNamespace: server.namespace, dnsPods: Selector.labels(server.selector) } : undefined;
}

/** `Port.of(protocol, port)` of a generated port. */
export function portOf(p: GeneratedPort): Port {
  return Port.of(p.protocol, p.port);
}

/**
 * Declares the program's stacks under `scope`, exactly as the printed program does: the same
 * stacks, services, dependencies and options, in the same order.
 */
export function buildProgram(scope: Construct, program: GeneratedProgram): ApplicationStack[] {
  const services = new Map(program.services.map((s) => [s.id, s]));
  const peers = new Map(program.peers.map((p) => [p.id, Peer.podsInNamespace(p.namespace, Selector.labels(p.selector))]));
  const externals = new Map(program.externals.map((e) => [e.name, ExternalDestination.cidrs(e.name, e.cidrs)]));
  const dnsOptions = programDnsOptions(program);
  return program.stacks.map((stack) => {
    const chart = new ApplicationStack(scope, stack.id, {
      namespace: stack.namespace,
      ...(stack.dns ? {} : { dns: false }),
      ...(stack.dns && dnsOptions ? { dnsOptions } : {}),
      ...(stack.phase !== undefined ? { phase: stack.phase } : {}),
    });
    const declared = new Map<string, Endpoint>();
    for (const id of stack.services) {
      const s = services.get(id)!;
      declared.set(id, chart.addService(s.name, {
        labels: s.selector,
        ...(s.namespace !== stack.namespace ? { namespace: s.namespace } : {}),
        ...(s.ports.length > 0 ? { ports: s.ports.map((p) => ({ number: p.port, protocol: p.protocol })) } : {}),
        ...(s.phase !== undefined ? { phase: s.phase } : {}),
      }));
    }
    const end = (ref: GeneratedEndRef): IConnectionEnd => ref.kind === GeneratedEndKind.SERVICE ? declared.get(ref.id)!
      : ref.kind === GeneratedEndKind.PEER ? peers.get(ref.id)! : externals.get(ref.id)!;
    for (const d of stack.dependencies) {
      chart.allow(end(d.from), end(d.to), ...(d.usesDeclaredPorts ? [] : d.ports.map(portOf)));
    }
    return chart;
  });
}
