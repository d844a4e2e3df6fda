import { Bitset } from './bitset';
import { ConnectivityEdge, ConnectivityGraph } from './connectivity-graph';
import { EndpointClasses } from './equivalence';
import { probePorts, summarizePorts } from './probe-ports';
import { PortQuery } from './semantics';
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
 * Each probe's matrix is computed once over the equivalence classes (`classesOf` the probes'
 * queries, by default `EndpointClasses.of`), and the search is expanded to endpoints lazily: every member of a class is told
 * apart by no policy, so an endpoint reaches every other member of the classes its class reaches
 * on some probe (a pod to itself is never followed: it is reached already). The first endpoint of
 * a class to be followed reaches every member not yet reached of those classes; after it the
 * classes are used up, so each class is expanded once and each source class's row is read once:
 * the cost is the class matrices plus O(endpoints + classes^2/32). Neighbours are visited in
 * endpoint order, so the path chosen among equally short ones is the same on every run (and the
 * same as a search over the endpoint matrix).
 */
export function computeBlastRadius(
  cluster: Cluster, source: ClusterEndpoint, maxDepth?: number, classesOf?: (queries: PortQuery[]) => EndpointClasses,
): BlastRadius {
  if (maxDepth !== undefined && (!Number.isInteger(maxDepth) || maxDepth < 1)) {
    throw new Error(`max depth ${maxDepth} is not a whole number of at least 1: give how many hops to follow (1: only what ${source.id} reaches directly).`);
  }
  const n = cluster.endpoints.length;
  const probes = probePorts([cluster]);
  const queries = probes.map((p) => p.query);
  const classed = classesOf ? classesOf(queries) : EndpointClasses.of(cluster, queries);
  if (classed.cluster !== cluster) throw new Error('the equivalence classes are of another cluster: give the classes of the cluster searched.');
  const matrices = probes.map((p) => classed.matrix(p.query));
  const { classOf, members } = classed;
  // The classes a member of each class reaches on some probe: read once per source class.
  const reachedClasses = (c: number): number[] => {
    const out = new Bitset(classed.size);
    for (const m of matrices) out.or(m.rows[c]);
    return out.members();
  };
  // A class is used up once every member is reached (the source's class may be, with members left).
  const usedUp = new Uint8Array(classed.size);
  const followed = new Uint8Array(classed.size);
  const parent = new Int32Array(n).fill(-1);
  const depth = new Int32Array(n).fill(-1);
  depth[source.index] = 0;
  let frontier = [source.index];
  let beyond = false;
  for (let d = 1; frontier.length > 0; d++) {
    const next: number[] = [];
    for (const s of frontier) {
      if (cluster.endpoints[s].external) continue;
      const cs = classOf[s];
      // A class followed before left every class it reaches used up: nothing new from s.
      if (followed[cs]) continue;
      const targets = reachedClasses(cs);
      if (maxDepth !== undefined && d > maxDepth) {
        // Only whether one more endpoint is reachable; nothing is taken.
        if (targets.some((c) => !usedUp[c] && members[c].some((t) => depth[t] < 0))) {
          beyond = true;
          break;
        }
        continue;
      }
      followed[cs] = 1;
      const found: number[] = [];
      for (const c of targets) {
        if (usedUp[c]) continue;
        usedUp[c] = 1;
        for (const t of members[c]) if (depth[t] < 0) found.push(t);
      }
      found.sort((a, b) => a - b);
      for (const t of found) {
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
    matrices.forEach((m, k) => m.allowed(s, t) && allowed.add(k));
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
