import { ConnectivityGraph } from '../analysis/connectivity-graph';

/**
 * Graphviz DOT, for `dot -Tsvg` and the tools that read it.
 *
 * @example
 * fs.writeFileSync('reachability.dot', DotFormat.graph(Reachability.fromChart(chart).connectivity()));
 */
export class DotFormat {
  /** The allowed connections: a digraph with one cluster per namespace, endpoints outside the cluster as ellipses, edges labelled with ports. */
  public static graph(g: ConnectivityGraph): string {
    const lines = ['digraph reachability {', '  rankdir=LR;', '  node [shape=box, style=rounded];'];
    let c = 0;
    for (const group of g.groups) {
      if (group.namespace === undefined) {
        for (const n of group.nodes) lines.push(`  ${quote(n.id)} [label=${quote(n.name)}, shape=ellipse];`);
        continue;
      }
      lines.push(`  subgraph cluster_${c++} {`, `    label=${quote(`namespace ${group.namespace}`)};`);
      for (const n of group.nodes) lines.push(`    ${quote(n.id)} [label=${quote(n.name)}];`);
      lines.push('  }');
    }
    for (const e of g.edges) lines.push(`  ${quote(e.from)} -> ${quote(e.to)} [label=${quote(e.ports.join(', '))}];`);
    lines.push('}');
    return lines.join('\n');
  }

  private constructor() {}
}

/** A DOT string literal. */
function quote(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
