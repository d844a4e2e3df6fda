import { EndpointClasses } from './equivalence';
import { decideSide } from './precedence';
import { probePorts, ProbePort } from './probe-ports';
import { resolveTraffic } from './semantics';
import { copyVerdict, SideVerdict } from './verdict';
import { Cluster } from '../inventory/cluster';

/**
 * How one side of a connection decides, in one of the two manifest sets.
 * @deprecated use `SideVerdict`, the one verdict type of the analyser, explanations and diffs
 */
export interface DiffSide extends SideVerdict {}

/** Both sides of a connection in one manifest set. */
export interface DiffExplanation {
  /** The source's egress. */
  readonly egress: SideVerdict;
  /** The destination's ingress. */
  readonly ingress: SideVerdict;
}

/** A connection whose verdict changed, on the listed ports. */
export interface ChangedConnection {
  /** The source. */
  readonly from: string;
  /** The destination. */
  readonly to: string;
  /** The ports on which it changed (`6379/TCP`, `other TCP ports`). */
  readonly ports: string[];
  /**
   * How the two sides decided before the change (on the first of the ports).
   * @default - not explained: only the first 2,000 changed connections are
   */
  readonly before?: DiffExplanation;
  /**
   * How they decide after it.
   * @default - not explained: only the first 2,000 changed connections are
   */
  readonly after?: DiffExplanation;
}

/** The cap on explained changes: the connections after the first 2,000 have no `before`/`after`. */
export const MAX_EXPLAINED = 2000;

/**
 * Compares the reachability of two manifest sets over the endpoints they share, on every port and
 * protocol any policy of either set mentions plus "any other port" per protocol: connections newly
 * allowed (opened) and newly denied (closed), grouped by source and destination, with how each side
 * decides before and after. Endpoints present in only one set are listed apart.
 */
export function diffClusters(before: Cluster, after: Cluster): {
  probes: ProbePort[]; opened: ChangedConnection[]; closed: ChangedConnection[]; added: string[]; removed: string[];
} {
  const beforeIds = new Set(before.endpoints.map((e) => e.id));
  const afterIds = new Set(after.endpoints.map((e) => e.id));
  const shared = before.endpoints.map((e) => e.id).filter((id) => afterIds.has(id));
  const added = after.endpoints.map((e) => e.id).filter((id) => !beforeIds.has(id));
  const removed = before.endpoints.map((e) => e.id).filter((id) => !afterIds.has(id));
  const bIndex = shared.map((id) => before.endpoint(id)!.index);
  const aIndex = shared.map((id) => after.endpoint(id)!.index);
  const probes = probePorts([before, after]);
  // The shared endpoints cut by their class before and their class after: the members of two such
  // joint classes change together, so each joint class pair is compared once and expanded only when
  // it changed.
  const bClasses = EndpointClasses.of(before);
  const aClasses = EndpointClasses.of(after);
  const jointOf = new Map<number, number>();
  const jointBList: number[] = [];
  const jointAList: number[] = [];
  const jointMembers: number[][] = [];
  for (let i = 0; i < shared.length; i++) {
    const cb = bClasses.classOf[bIndex[i]];
    const ca = aClasses.classOf[aIndex[i]];
    const key = cb * aClasses.size + ca;
    let j = jointOf.get(key);
    if (j === undefined) {
      j = jointMembers.length;
      jointOf.set(key, j);
      jointBList.push(cb);
      jointAList.push(ca);
      jointMembers.push([]);
    }
    jointMembers[j].push(i);
  }
  const jointB = Int32Array.from(jointBList);
  const jointA = Int32Array.from(jointAList);
  // A pod to itself is loopback, never policed; a workload to itself is one replica reaching
  // another, decided by the policies like any other pair, so it is compared.
  const loopback = shared.map((_, i) => before.endpoints[bIndex[i]].singleInstance || after.endpoints[aIndex[i]].singleInstance);
  const opened = new Map<string, number[]>();
  const closed = new Map<string, number[]>();
  probes.forEach((probe, k) => {
    const b = bClasses.matrix(probe.query).rows;
    const a = aClasses.matrix(probe.query).rows;
    const changed: Array<[number, number, boolean]> = [];
    for (let j1 = 0; j1 < jointMembers.length; j1++) {
      const rowB = b[jointB[j1]].words;
      const rowA = a[jointA[j1]].words;
      for (let j2 = 0; j2 < jointMembers.length; j2++) {
        const cb = jointB[j2];
        const ca = jointA[j2];
        const was = (rowB[cb >>> 5] & (1 << (cb & 31))) !== 0;
        const is = (rowA[ca >>> 5] & (1 << (ca & 31))) !== 0;
        if (was === is) continue;
        for (const s of jointMembers[j1]) for (const d of jointMembers[j2]) if (s !== d || !loopback[s]) changed.push([s, d, is]);
      }
    }
    // In the order of the pairs (source, then destination), as the explanations are capped in that order.
    changed.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
    for (const [s, d, is] of changed) {
      const target = is ? opened : closed;
      const key = `${s} ${d}`;
      const list = target.get(key);
      if (list) list.push(k);
      else target.set(key, [k]);
    }
  });
  let explained = 0;
  const changes = (map: Map<string, number[]>): ChangedConnection[] => [...map.entries()]
    .map(([key, ks]) => {
      const [s, d] = key.split(' ').map(Number);
      const probe = probes[ks[0]];
      const explain = explained++ < MAX_EXPLAINED;
      const connection = { from: shared[s], to: shared[d], ports: ks.map((k) => probes[k].label) };
      return explain
        ? { ...connection, before: explainIn(before, shared[s], shared[d], probe), after: explainIn(after, shared[s], shared[d], probe) }
        : connection;
    })
    .sort((x, y) => (x.from === y.from ? (x.to < y.to ? -1 : 1) : x.from < y.from ? -1 : 1));
  return { probes, opened: changes(opened), closed: changes(closed), added, removed };
}

/**
 * How both sides decide `from` -> `to` on the probe's port in `cluster`. A named port is resolved on
 * the destination by name and protocol, as everywhere (`resolveTraffic`); when the destination has
 * no such port, on port 0, which only rules for every port of the protocol allow.
 */
export function explainIn(cluster: Cluster, from: string, to: string, probe: ProbePort): DiffExplanation {
  const src = cluster.endpoint(from)!;
  const dst = cluster.endpoint(to)!;
  const traffic = resolveTraffic(dst, probe.query) ?? { port: 0, protocol: probe.query.protocol };
  // Scoped to the namespace of the side's pod: only its NetworkPolicies can select it (the tiers stay whole).
  return {
    egress: side(decideSide(cluster.scopedTo(src), 'egress', src, dst, traffic)),
    ingress: side(decideSide(cluster.scopedTo(dst), 'ingress', dst, src, traffic)),
  };
}

/** The public verdict of a side: one that shares no array with the analyser. */
function side(v: SideVerdict): SideVerdict {
  return copyVerdict(v);
}
