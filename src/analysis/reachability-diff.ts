import { ChangedConnection, explainIn } from './changed-connection';
import { IncrementalDiff } from './incremental-diff';
import { l7Changes } from './l7-diff';
import { ProbePort } from './probe-ports';
import { Cluster } from '../inventory/cluster';

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
