import { BlastRadius } from '../analysis/blast-radius';
import { ConnectivityGraph } from '../analysis/connectivity-graph';
import { ReachabilityDiff } from '../analysis/diff-report';

/**
 * Mermaid flowcharts (`flowchart LR`), for Markdown that renders them (GitHub, GitLab, many wikis).
 *
 * @example
 * MermaidFormat.graph(Reachability.fromChart(chart).connectivity().touching('shop'));
 */
export class MermaidFormat {
  /** The allowed connections: one subgraph per namespace, endpoints outside the cluster as stadiums, edges labelled with ports. */
  public static graph(g: ConnectivityGraph): string {
    const ids = new Map(g.nodes.map((n, i) => [n.id, `n${i}`]));
    const lines = ['flowchart LR'];
    for (const group of g.groups) {
      if (group.namespace === undefined) {
        for (const n of group.nodes) lines.push(`  ${ids.get(n.id)}(["${escape(n.name)}"])`);
        continue;
      }
      lines.push(`  subgraph ns_${safeId(group.namespace)}["namespace ${escape(group.namespace)}"]`);
      for (const n of group.nodes) lines.push(`    ${ids.get(n.id)}["${escape(n.name)}"]`);
      lines.push('  end');
    }
    for (const e of g.edges) lines.push(`  ${ids.get(e.from)} -->|"${escape(e.ports.join(', '))}"| ${ids.get(e.to)}`);
    return lines.join('\n');
  }

  /**
   * A blast radius: the shortest paths from the compromised workload (drawn red) to every endpoint
   * it reaches, grouped by namespace as in `graph`, each edge labelled with the hop's ports.
   */
  public static blastRadius(b: BlastRadius): string {
    const g = b.graph();
    const source = g.nodes.findIndex((n) => n.id === b.from);
    return `${MermaidFormat.graph(g)}\n  style n${source} fill:#ffebe9,stroke:#cf222e,stroke-width:3px`;
  }

  /** The changed edges only: green for opened, red (dashed) for closed, labelled `+ ports` and `- ports`. */
  public static diff(d: ReachabilityDiff): string {
    const nodes = [...new Set([...d.opened, ...d.closed].flatMap((c) => [c.from, c.to]))].sort();
    const id = new Map(nodes.map((n, i) => [n, `n${i}`]));
    const lines = ['flowchart LR'];
    for (const n of nodes) lines.push(`  ${id.get(n)}["${escape(n)}"]`);
    const styles: string[] = [];
    let edge = 0;
    for (const c of d.opened) {
      lines.push(`  ${id.get(c.from)} -->|"+ ${c.ports.join(', ')}"| ${id.get(c.to)}`);
      styles.push(`  linkStyle ${edge++} stroke:#2da44e,stroke-width:2px,color:#2da44e`);
    }
    for (const c of d.closed) {
      lines.push(`  ${id.get(c.from)} -.->|"- ${c.ports.join(', ')}"| ${id.get(c.to)}`);
      styles.push(`  linkStyle ${edge++} stroke:#cf222e,stroke-width:2px,color:#cf222e`);
    }
    return [...lines, ...styles].join('\n');
  }

  private constructor() {}
}

/** Text inside a quoted Mermaid label: `"` becomes the entity `#quot;`. */
function escape(text: string): string {
  return text.replace(/"/g, '#quot;');
}

/** A Mermaid id from a namespace: anything but letters, digits and `_` becomes `_`. */
function safeId(text: string): string {
  return text.replace(/[^A-Za-z0-9_]/g, '_');
}
