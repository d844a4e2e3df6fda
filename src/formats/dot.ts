import { BlastRadius } from '../analysis/blast-radius';
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
    return render(g, 'reachability');
  }

  /**
   * A blast radius: the shortest paths from the compromised workload (drawn red) to every endpoint
   * it reaches, one cluster per namespace as in `graph`, each edge labelled with the hop's ports.
   */
  public static blastRadius(b: BlastRadius): string {
    return render(b.graph(), 'blast_radius', b.from);
  }

  private constructor() {}
}

/** The digraph `name` of `g`; `highlight` (an endpoint id) is drawn red. */
function render(g: ConnectivityGraph, name: string, highlight?: string): string {
  const mark = (id: string) => (id === highlight ? ', color=red, penwidth=2' : '');
  const lines = [`digraph ${name} {`, '  rankdir=LR;', '  node [shape=box, style=rounded];'];
  let c = 0;
  for (const group of g.groups) {
    if (group.namespace === undefined) {
      for (const n of group.nodes) lines.push(`  ${quote(n.id)} [label=${quote(n.name)}, shape=ellipse${mark(n.id)}];`);
      continue;
    }
    lines.push(`  subgraph cluster_${c++} {`, `    label=${quote(`namespace ${group.namespace}`)};`);
    for (const n of group.nodes) lines.push(`    ${quote(n.id)} [label=${quote(n.name)}${mark(n.id)}];`);
    lines.push('  }');
  }
  for (const e of g.edges) lines.push(`  ${quote(e.from)} -> ${quote(e.to)} [label=${quote(e.ports.join(', '))}];`);
  lines.push('}');
  return lines.join('\n');
}

/** A DOT string literal. */
function quote(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
