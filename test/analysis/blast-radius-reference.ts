import { Bitset } from '../../src/analysis/bitset';
import { BlastRadius, BlastRadiusEntry, BlastRadiusHop } from '../../src/analysis/blast-radius';
import { computeMatrix } from '../../src/analysis/matrix';
import { probePorts, summarizePorts } from '../../src/analysis/probe-ports';
import { Cluster, ClusterEndpoint } from '../../src/inventory/cluster';

/**
 * The blast radius as it was computed before the equivalence classes: a breadth-first search over
 * the endpoint matrix of every probe (`computeMatrix` over every endpoint, checked against the
 * pair-by-pair semantics by test/analysis/matrix-agrees-with-reference.test.ts), neighbours in
 * endpoint order. The reference the class-based `computeBlastRadius` must equal exactly.
 */
export function referenceBlastRadius(cluster: Cluster, source: ClusterEndpoint, maxDepth?: number): BlastRadius {
  const n = cluster.endpoints.length;
  const probes = probePorts([cluster]);
  const rows = probes.map((p) => computeMatrix(cluster, p.query).rows);
  const adjacency = (s: number): Bitset => {
    const out = new Bitset(n);
    for (const probe of rows) out.or(probe[s]);
    return out;
  };
  const parent = new Int32Array(n).fill(-1);
  const depth = new Int32Array(n).fill(-1);
  depth[source.index] = 0;
  let frontier = [source.index];
  let beyond = false;
  for (let d = 1; frontier.length > 0; d++) {
    const next: number[] = [];
    for (const s of frontier) {
      if (cluster.endpoints[s].external) continue;
      for (const t of adjacency(s).members()) {
        if (depth[t] >= 0) continue;
        if (maxDepth !== undefined && d > maxDepth) {
          beyond = true;
          break;
        }
        depth[t] = d;
        parent[t] = s;
        next.push(t);
      }
    }
    if (beyond) break;
    frontier = next;
  }
  const hop = (s: number, t: number): BlastRadiusHop => {
    const allowed = new Set<number>();
    rows.forEach((probe, k) => probe[s].has(t) && allowed.add(k));
    return { from: cluster.endpoints[s].id, to: cluster.endpoints[t].id, ports: summarizePorts(probes, allowed) };
  };
  const reached: BlastRadiusEntry[] = [];
  for (let t = 0; t < n; t++) {
    if (depth[t] <= 0) continue;
    const path: BlastRadiusHop[] = [];
    for (let x = t; parent[x] >= 0; x = parent[x]) path.unshift(hop(parent[x], x));
    reached.push({ id: cluster.endpoints[t].id, depth: depth[t], external: cluster.endpoints[t].external, path });
  }
  reached.sort((a, b) => a.depth - b.depth || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return BlastRadius._of(source.id, maxDepth, reached, beyond, cluster.endpoints.map((e) => ({ id: e.id, namespace: e.namespace })));
}

/** What a blast radius says, as plain data (every field the formats read, and the graph). */
export function blastRadiusFacts(b: BlastRadius): unknown {
  const g = b.graph();
  return {
    from: b.from, maxDepth: b.maxDepth, beyond: b.beyondMaxDepth, reached: b.reached, direct: b.direct, graph: { nodes: g.nodes, edges: g.edges },
  };
}
