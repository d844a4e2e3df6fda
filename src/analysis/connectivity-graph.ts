/** An allowed connection between two endpoints, with the ports it is allowed on. */
export interface ConnectivityEdge {
  /** The source. */
  readonly from: string;
  /** The destination. */
  readonly to: string;
  /** The allowed ports, e.g. `8080/TCP`, `other TCP ports`. */
  readonly ports: string[];
}

/** Node of the graph. */
interface GraphNode {
  readonly id: string;
  readonly namespace?: string;
  readonly name: string;
}

/**
 * The allowed connections over a set of ports as a graph, for reviewers: workloads as nodes grouped
 * by namespace, edges labelled with ports. Renders as Mermaid or Graphviz DOT.
 */
export class ConnectivityGraph {
  /** @internal */
  public static _of(endpoints: Array<{ id: string; namespace?: string }>, edges: ConnectivityEdge[]): ConnectivityGraph {
    const nodes = endpoints.map((e) => ({ id: e.id, namespace: e.namespace, name: e.namespace ? e.id.slice(e.namespace.length + 1) : e.id }));
    return new ConnectivityGraph(nodes, edges);
  }

  /** The edges, sorted by source then destination. */
  public readonly edges: ConnectivityEdge[];
  private readonly nodes: GraphNode[];

  private constructor(nodes: GraphNode[], edges: ConnectivityEdge[]) {
    this.nodes = nodes;
    this.edges = edges;
  }

  /** The part of the graph with an end in `namespace` (e.g. one application), and the endpoints on those edges. */
  public touching(namespace: string): ConnectivityGraph {
    const inNs = (id: string) => this.nodes.find((n) => n.id === id)?.namespace === namespace;
    const edges = this.edges.filter((e) => inNs(e.from) || inNs(e.to));
    const used = new Set(edges.flatMap((e) => [e.from, e.to]));
    return new ConnectivityGraph(this.nodes.filter((n) => used.has(n.id) || n.namespace === namespace), edges);
  }

  /** A Mermaid flowchart (`flowchart LR`), one subgraph per namespace. */
  public toMermaid(): string {
    const ids = new Map(this.nodes.map((n, i) => [n.id, `n${i}`]));
    const lines = ['flowchart LR'];
    for (const [namespace, nodes] of this.groups()) {
      if (namespace === undefined) {
        for (const n of nodes) lines.push(`  ${ids.get(n.id)}(["${escapeMermaid(n.name)}"])`);
        continue;
      }
      lines.push(`  subgraph ns_${safeId(namespace)}["namespace ${escapeMermaid(namespace)}"]`);
      for (const n of nodes) lines.push(`    ${ids.get(n.id)}["${escapeMermaid(n.name)}"]`);
      lines.push('  end');
    }
    for (const e of this.edges) lines.push(`  ${ids.get(e.from)} -->|"${escapeMermaid(e.ports.join(', '))}"| ${ids.get(e.to)}`);
    return lines.join('\n');
  }

  /** A Graphviz DOT digraph, one cluster per namespace. */
  public toDot(): string {
    const q = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
    const lines = ['digraph reachability {', '  rankdir=LR;', '  node [shape=box, style=rounded];'];
    let c = 0;
    for (const [namespace, nodes] of this.groups()) {
      if (namespace === undefined) {
        for (const n of nodes) lines.push(`  ${q(n.id)} [label=${q(n.name)}, shape=ellipse];`);
        continue;
      }
      lines.push(`  subgraph cluster_${c++} {`, `    label=${q(`namespace ${namespace}`)};`);
      for (const n of nodes) lines.push(`    ${q(n.id)} [label=${q(n.name)}];`);
      lines.push('  }');
    }
    for (const e of this.edges) lines.push(`  ${q(e.from)} -> ${q(e.to)} [label=${q(e.ports.join(', '))}];`);
    lines.push('}');
    return lines.join('\n');
  }

  private groups(): Array<[string | undefined, GraphNode[]]> {
    const groups = new Map<string | undefined, GraphNode[]>();
    for (const n of this.nodes) {
      const list = groups.get(n.namespace) ?? [];
      list.push(n);
      groups.set(n.namespace, list);
    }
    return [...groups.entries()].sort(([a], [b]) => (a === b ? 0 : a === undefined ? 1 : b === undefined ? -1 : a < b ? -1 : 1));
  }
}

function escapeMermaid(text: string): string {
  return text.replace(/"/g, '#quot;');
}

function safeId(text: string): string {
  return text.replace(/[^A-Za-z0-9_]/g, '_');
}
