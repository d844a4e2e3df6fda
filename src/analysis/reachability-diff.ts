import { IncrementalDiff } from './incremental-diff';
import { l7Changes } from './l7-diff';
import { decideSide } from './precedence';
import { ProbePort } from './probe-ports';
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
  probes: ProbePort[];
  opened: ChangedConnection[];
  closed: ChangedConnection[];
  added: string[];
  removed: string[];
  l7Changed: ChangedConnection[];
} {
  // The changed class pairs, recomputing only the classes the change touches; expanded to
  // endpoint pairs here, for the connection lists.
  const diff = IncrementalDiff.of(before, after);
  const { probes, shared } = diff;
  const opened = new Map<string, number[]>();
  const closed = new Map<string, number[]>();
  diff.changes.forEach((classPairs, k) => {
    const changed: Array<[number, number, boolean]> = [];
    for (const change of classPairs) for (const [s, d] of diff.pairs(change)) changed.push([s, d, change.opened]);
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
  return {
    probes,
    opened: changes(opened),
    closed: changes(closed),
    added: diff.added,
    removed: diff.removed,
    l7Changed: l7Changes(before, after, shared, probes),
  };
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
