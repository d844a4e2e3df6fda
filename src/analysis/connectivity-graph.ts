/** An allowed connection between two endpoints, with the ports it is allowed on. */
export interface ConnectivityEdge {
  /** The source. */
  readonly from: string;
  /** The destination. */
  readonly to: string;
  /** The allowed ports, e.g. `8080/TCP`, `other TCP ports`. */
  readonly ports: string[];
}

/** An endpoint of the graph. */
export interface ConnectivityNode {
  /** The endpoint: `<namespace>/<name>`, or an external endpoint's name. */
  readonly id: string;
  /** Its namespace. @default - none: an address outside the cluster */
  readonly namespace?: string;
  /** Its name inside the namespace (the id of an external endpoint). */
  readonly name: string;
}

/** The endpoints of one namespace, or the ones outside the cluster. */
export interface ConnectivityGroup {
  /** The namespace. @default - none: the endpoints outside the cluster */
  readonly namespace?: string;
  /** Its endpoints, in the order of the graph's nodes. */
  readonly nodes: ConnectivityNode[];
}

/**
 * The allowed connections over a set of ports as a graph, for reviewers: workloads as nodes grouped
 * by namespace, edges labelled with ports. The formats render it: `MermaidFormat.graph(g)`,
 * `DotFormat.graph(g)`.
 */
export class ConnectivityGraph {
  /** @internal */
  public static _of(endpoints: Array<{ id: string; namespace?: string }>, edges: ConnectivityEdge[]): ConnectivityGraph {
    const nodes = endpoints.map((e) => ({ id: e.id, namespace: e.namespace, name: e.namespace ? e.id.slice(e.namespace.length + 1) : e.id }));
    return new ConnectivityGraph(nodes, edges);
  }

  /** The edges, sorted by source then destination. */
  public readonly edges: ConnectivityEdge[];
  /** The endpoints, in the analyser's order. */
  public readonly nodes: ConnectivityNode[];

  private constructor(nodes: ConnectivityNode[], edges: ConnectivityEdge[]) {
    this.nodes = nodes;
    this.edges = edges;
  }

  /**
   * The nodes grouped by namespace: the namespaces in code-unit order, then the endpoints outside the
   * cluster (no namespace), each group's nodes in the order of `nodes`.
   */
  public get groups(): ConnectivityGroup[] {
    const groups = new Map<string | undefined, ConnectivityNode[]>();
    for (const n of this.nodes) {
      const list = groups.get(n.namespace) ?? [];
      list.push(n);
      groups.set(n.namespace, list);
    }
    return [...groups.entries()]
      .sort(([a], [b]) => (a === b ? 0 : a === undefined ? 1 : b === undefined ? -1 : a < b ? -1 : 1))
      .map(([namespace, nodes]) => (namespace === undefined ? { nodes } : { namespace, nodes }));
  }

  /** The part of the graph with an end in `namespace` (e.g. one application), and the endpoints on those edges. */
  public touching(namespace: string): ConnectivityGraph {
    const inNs = (id: string) => this.nodes.find((n) => n.id === id)?.namespace === namespace;
    const edges = this.edges.filter((e) => inNs(e.from) || inNs(e.to));
    const used = new Set(edges.flatMap((e) => [e.from, e.to]));
    return new ConnectivityGraph(this.nodes.filter((n) => used.has(n.id) || n.namespace === namespace), edges);
  }
}
