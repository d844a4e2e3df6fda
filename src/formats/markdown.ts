import { MermaidFormat } from './mermaid';
import { changeSides, hostNetworkLegend } from './text';
import { ReachabilityDiff } from '../analysis/diff-report';
import { ChangedConnection } from '../analysis/reachability-diff';
import { ReachabilityMatrix } from '../analysis/reachability-matrix';

/**
 * GitHub-flavoured Markdown, for pull-request comments and generated docs.
 *
 * @example
 * MarkdownFormat.diff(Reachability.diff(before, after)); // the comment `netpol diff --format markdown` writes
 */
export class MarkdownFormat {
  /** A table: rows are sources, columns destinations; ✅ allowed, ❌ denied, ↺ loopback; hostNetwork pods in a legend below. */
  public static matrix(m: ReachabilityMatrix): string {
    const head = `| from \\ to | ${m.endpoints.map((e) => `\`${e}\``).join(' | ')} |`;
    const sep = `|---|${m.endpoints.map(() => ':---:').join('|')}|`;
    const rows = m.endpoints.map((from, s) => {
      const loopback = m.isLoopback(from, from);
      return `| \`${from}\` | ${m.allowedRow(from).map((allowed, d) => (loopback && d === s ? '↺' : allowed ? '✅' : '❌')).join(' | ')} |`;
    });
    const legend = hostNetworkLegend(m, (id) => `\`${id}\``);
    return [`**Port ${m.port}** (✅ allowed, ❌ denied, ↺ loopback)`, '', head, sep, ...rows, ...(legend.length > 0 ? ['', ...legend] : [])].join('\n');
  }

  /**
   * A pull-request comment: the summary, a table each of the opened and closed connections (both
   * sides before and after), the endpoints added and removed, and a Mermaid diagram of the changed
   * edges (`MermaidFormat.diff`).
   */
  public static diff(d: ReachabilityDiff): string {
    const lines = [`**netpol diff**: ${d.summary}.`];
    const table = (title: string, list: ChangedConnection[]) => {
      if (list.length === 0) return;
      lines.push('', `### ${title}`, '', '| from | to | ports | before | after |', '|---|---|---|---|---|');
      for (const c of list) {
        lines.push(`| \`${c.from}\` | \`${c.to}\` | ${c.ports.join(', ')} | ${escapeCell(changeSides(c, c.before))} | ${escapeCell(changeSides(c, c.after))} |`);
      }
    };
    table(`Opened (${d.opened.length})`, d.opened);
    table(`Closed (${d.closed.length})`, d.closed);
    if (d.addedEndpoints.length > 0) lines.push('', `**Endpoints added:** ${d.addedEndpoints.map((e) => `\`${e}\``).join(', ')}`);
    if (d.removedEndpoints.length > 0) lines.push('', `**Endpoints removed:** ${d.removedEndpoints.map((e) => `\`${e}\``).join(', ')}`);
    if (d.opened.length + d.closed.length > 0) lines.push('', '```mermaid', MermaidFormat.diff(d), '```');
    return lines.join('\n');
  }

  private constructor() {}
}

/** Text inside a table cell: `|` escaped. */
function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|');
}
