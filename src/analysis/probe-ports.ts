import { PortQuery } from './semantics';
import { Cluster } from '../inventory/cluster';

/** A port to probe, with a label for reports (`5432/TCP`, `other TCP ports`). */
export interface ProbePort {
  readonly query: PortQuery;
  readonly label: string;
  /** True for the stand-in of every port no policy mentions. */
  readonly other: boolean;
}

const PROTOCOL_ORDER = ['TCP', 'UDP', 'SCTP'];

/**
 * The ports that can make a difference: every port number, range bound and named port any policy
 * mentions, per protocol, plus one stand-in per protocol for "any other port" (a port no rule names
 * or covers by a range, so it is allowed only by rules that allow every port of the protocol).
 */
export function probePorts(clusters: Cluster[]): ProbePort[] {
  const numbers = new Map<string, Set<number>>();
  const names = new Map<string, Set<string>>();
  const ranges = new Map<string, Array<[number, number]>>();
  for (const proto of PROTOCOL_ORDER) {
    numbers.set(proto, new Set());
    names.set(proto, new Set());
    ranges.set(proto, []);
  }
  for (const cluster of clusters) {
    for (const policy of cluster.policies) {
      for (const rule of [...(policy.ingress ?? []), ...(policy.egress ?? [])]) {
        for (const p of rule.ports ?? []) {
          if (!numbers.has(p.protocol)) continue;
          if (p.name !== undefined) {names.get(p.protocol)!.add(p.name);} else if (p.port !== undefined) {
            numbers.get(p.protocol)!.add(p.port);
            if (p.endPort !== undefined) {
              numbers.get(p.protocol)!.add(p.endPort);
              ranges.get(p.protocol)!.push([p.port, p.endPort]);
            }
          }
        }
      }
      // Named ports resolve to container port numbers: probe those numbers too.
    }
    for (const e of cluster.endpoints) {
      for (const c of e.ports) if (names.get(c.protocol)?.has(c.name ?? '')) numbers.get(c.protocol)!.add(c.number);
    }
  }
  const out: ProbePort[] = [];
  for (const proto of PROTOCOL_ORDER) {
    for (const port of [...numbers.get(proto)!].sort((a, b) => a - b)) out.push({ query: { port, protocol: proto }, label: `${port}/${proto}`, other: false });
    const taken = (p: number) => numbers.get(proto)!.has(p) || ranges.get(proto)!.some(([a, b]) => p >= a && p <= b);
    let other = 65535;
    while (other > 1 && taken(other)) other--;
    out.push({ query: { port: other, protocol: proto }, label: `other ${proto} ports`, other: true });
  }
  return out;
}
