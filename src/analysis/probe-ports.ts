import { PortQuery } from './semantics';
import { Cluster } from '../inventory/cluster';
import { entryMatches, isNamedPort, NamedEntry, NumberedEntry, PORT_PROTOCOLS, portEntryKey, Traffic } from '../k8s/port-set';

/** A port to probe, with a label for reports (`5432/TCP`, `other TCP ports`). */
export interface ProbePort {
  readonly query: PortQuery;
  readonly label: string;
  /** True for the stand-in of every port no policy mentions. */
  readonly other: boolean;
}

/**
 * The ports that can make a difference: every port number, range bound and named port any policy
 * mentions, per protocol, plus one stand-in per protocol for "any other port" (a port no rule names
 * or covers by a range, so it is allowed only by rules that allow every port of the protocol).
 * `extra` ports (e.g. the ports of observed connections) are probed too, and the stand-in avoids them.
 */
export function probePorts(clusters: Cluster[], extra: readonly Traffic[] = []): ProbePort[] {
  const numbers = new Map<string, Set<number>>(PORT_PROTOCOLS.map((proto) => [proto, new Set<number>()]));
  const ranges = new Map<string, NumberedEntry[]>(PORT_PROTOCOLS.map((proto) => [proto, []]));
  const named = new Map<string, NamedEntry>();
  for (const cluster of clusters) {
    for (const policy of cluster.policies) {
      for (const rule of [...(policy.ingress ?? []), ...(policy.egress ?? [])]) {
        for (const entry of rule.ports) {
          if (entry.kind === 'allTraffic' || entry.kind === 'allPorts' || !numbers.has(entry.protocol)) continue;
          if (entry.kind === 'named') {
            named.set(portEntryKey(entry), entry);
          } else {
            numbers.get(entry.protocol)!.add(entry.port);
            if (entry.endPort !== undefined) {
              numbers.get(entry.protocol)!.add(entry.endPort);
              ranges.get(entry.protocol)!.push(entry);
            }
          }
        }
      }
    }
    // Named ports resolve to container port numbers: probe those numbers too.
    const names = [...named.values()];
    for (const e of cluster.endpoints) {
      for (const c of e.ports) if (names.some((n) => isNamedPort(c, n.name, n.protocol))) numbers.get(c.protocol)!.add(c.number);
    }
  }
  for (const t of extra) numbers.get(t.protocol)?.add(t.port);
  const out: ProbePort[] = [];
  for (const proto of PORT_PROTOCOLS) {
    for (const port of [...numbers.get(proto)!].sort((a, b) => a - b)) out.push({ query: { port, protocol: proto }, label: `${port}/${proto}`, other: false });
    const taken = (p: number) => numbers.get(proto)!.has(p) || ranges.get(proto)!.some((r) => entryMatches(r, { port: p, protocol: proto }, []));
    let other = 65535;
    while (other > 1 && taken(other)) other--;
    out.push({ query: { port: other, protocol: proto }, label: `other ${proto} ports`, other: true });
  }
  return out;
}
