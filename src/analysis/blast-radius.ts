import { Bitset } from './bitset';
import { ConnectivityEdge, ConnectivityGraph } from './connectivity-graph';
import { computeMatrix } from './matrix';
import { probePorts, summarizePorts } from './probe-ports';
import { Cluster, ClusterEndpoint } from '../inventory/cluster';

/** An endpoint of the model, for the diagram. */
interface BlastRadiusNode {
  readonly id: string;
  readonly namespace?: string;
}

/** One hop of a path: a connection the policies allow, with its ports. */
export interface BlastRadiusHop {
  /** The source of the hop. */
  readonly from: string;
  /** The destination of the hop. */
  readonly to: string;
  /** The ports the hop is allowed on (`8080/TCP`, `all TCP ports`, `all traffic`). */
  readonly ports: string[];
}

/** An endpoint a compromised workload can reach, directly (depth 1) or through others. */
export interface BlastRadiusEntry {
  /** The endpoint: `<namespace>/<name>`, or an external endpoint's name. */
  readonly id: string;
  /** The number of hops of the shortest path (1: directly). */
  readonly depth: number;
  /** True for an address outside the cluster: reached, but not a place to move on from. */
  readonly external: boolean;
  /** A shortest path from the compromised workload, hop by hop. */
  readonly path: BlastRadiusHop[];
}

/**
 * What a compromised workload can reach: every endpoint reachable from it, directly and by lateral
 * movement (from a reached workload, whatever it can reach, on any port), each with a shortest
 * path and the ports of each hop. Plain data: `TextFormat.blastRadius`, `JsonFormat.blastRadius`,
 * `MermaidFormat.blastRadius` and `DotFormat.blastRadius` render it.
 */
export class BlastRadius {
  /** @internal */
  public static _of(
    from: string, maxDepth: number | undefined, reached: BlastRadiusEntry[], beyondMaxDepth: boolean, nodes: BlastRadiusNode[],
  ): BlastRadius {
    return new BlastRadius(from, maxDepth, reached, beyondMaxDepth, nodes);
  }

  /** The compromised workload. */
  public readonly from: string;
  /** The most hops followed. @default - no limit */
  public readonly maxDepth?: number;
  /** Every endpoint reached, by depth, then by id. */
  public readonly reached: BlastRadiusEntry[];
  /** True when `maxDepth` stopped the search while endpoints one hop further were still reachable. */
  public readonly beyondMaxDepth: boolean;
  private readonly nodes: BlastRadiusNode[];

  private constructor(
    from: string, maxDepth: number | undefined, reached: BlastRadiusEntry[], beyondMaxDepth: boolean, nodes: BlastRadiusNode[],
  ) {
    this.from = from;
    this.maxDepth = maxDepth;
    this.reached = reached;
    this.beyondMaxDepth = beyondMaxDepth;
    this.nodes = nodes;
  }

  /** The endpoints reached directly (depth 1). */
  public get direct(): string[] {
    return this.reached.filter((r) => r.depth === 1).map((r) => r.id);
  }

  /** The shortest paths as a graph: the compromised workload and every endpoint reached, each by the last hop of its path. */
  public graph(): ConnectivityGraph {
    const used = new Set([this.from, ...this.reached.map((r) => r.id)]);
    const edges: ConnectivityEdge[] = this.reached.map((r) => r.path[r.path.length - 1])
      .map((h) => ({ from: h.from, to: h.to, ports: [...h.ports] }))
      .sort((a, b) => (a.from === b.from ? (a.to < b.to ? -1 : 1) : a.from < b.from ? -1 : 1));
    return ConnectivityGraph._of(this.nodes.filter((n) => used.has(n.id)), edges);
  }
}

/**
 * The blast radius of `source`: a breadth-first search over the connections the policies allow on
 * any port (every port any policy mentions, plus "other ports" of each protocol), from the source
 * and from every workload it reaches; addresses outside the cluster are reached but not followed.
 * Each probe's matrix is computed once (`computeMatrix`), so the cost is that of the matrix per
 * probe, plus O(N^2/32) for the search. Neighbours are visited in endpoint order, so the path
 * chosen among equally short ones is the same on every run.
 */
export function computeBlastRadius(cluster: Cluster, source: ClusterEndpoint, maxDepth?: number): BlastRadius {
  if (maxDepth !== undefined && (!Number.isInteger(maxDepth) || maxDepth < 1)) {
    throw new Error(`max depth ${maxDepth} is not a whole number of at least 1: give how many hops to follow (1: only what ${source.id} reaches directly).`);
  }
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
