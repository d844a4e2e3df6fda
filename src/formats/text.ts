import { ReachabilityDiff } from '../analysis/diff-report';
import { Explanation } from '../analysis/explanation';
import { HostNetworkMode } from '../analysis/host-network-mode';
import { ChangedConnection, DiffExplanation } from '../analysis/reachability-diff';
import { ReachabilityMatrix } from '../analysis/reachability-matrix';
import { RuleReference, SideDecision, SideVerdict } from '../analysis/verdict';
import { Severity } from '../k8s/finding';
import { ManifestValidationReport } from '../validation/validate-manifests';

/** Options of `TextFormat.validation`. */
export interface ValidationTextOptions {
  /**
   * How many files were read, for the summary line (`checked 3 NetworkPolicies in 2 files: ...`).
   * @default - the summary does not count files
   */
  readonly fileCount?: number;
}

/**
 * Plain text for a terminal, as the `netpol` CLI prints it (its default format). Every method takes
 * a result and returns the text, without a final newline.
 *
 * @example
 * const r = Reachability.fromChart(chart);
 * TextFormat.explanation(r.explain('shop/frontend', 'shop/postgres', Port.tcp(5432)));
 * TextFormat.matrix(r.matrix(Port.tcp(8080)));
 * TextFormat.diff(Reachability.diff(before, after));
 */
export class TextFormat {
  /**
   * A table: rows are sources, columns destinations; `X` allowed, `.` denied, `L` loopback. The
   * columns are numbered, and a legend above the numbers names each one; every cell sits under the
   * last digit of its column's number, whatever the number of columns and the width of the names.
   * hostNetwork pods are listed in a legend below.
   */
  public static matrix(m: ReachabilityMatrix): string {
    const names = m.endpoints;
    const corner = 'from \\ to';
    const labelWidth = Math.max(corner.length, ...names.map((n) => n.length)) + 2;
    const columnWidth = String(names.length).length;
    const margin = ' '.repeat(labelWidth);
    const pointer = `${' '.repeat(columnWidth - 1)}| `;
    const lines = [`port ${m.port}: rows may connect to columns (X allowed, . denied, L loopback)`];
    names.forEach((n, i) => lines.push(`${margin}${pointer.repeat(i)}${String(i + 1).padStart(columnWidth)}: ${n}`));
    lines.push(`${corner.padEnd(labelWidth)}${names.map((_, i) => String(i + 1).padStart(columnWidth)).join(' ')}`);
    names.forEach((from, s) => {
      const row = m.allowedRow(from);
      const loopback = m.isLoopback(from, from);
      const cells = row.map((allowed, d) => (loopback && d === s ? 'L' : allowed ? 'X' : '.').padStart(columnWidth)).join(' ');
      lines.push(`${from.padEnd(labelWidth)}${cells}`);
    });
    lines.push(...hostNetworkLegend(m, (id) => id));
    return lines.join('\n');
  }

  /**
   * The explanation, several lines: the verdict, then each side with the policies that isolate it
   * and the rules that allow the connection (or why it is denied), then the notes.
   *
   * @example
   * // shop/frontend -> shop/postgres on 5432/TCP: DENIED
   * //   egress of shop/frontend: isolated by shop/default-deny; DENIED: no rule of these policies allows this traffic to shop/postgres
   * //   ingress of shop/postgres: not isolated (no policy selects it for ingress), so everything is allowed
   */
  public static explanation(e: Explanation): string {
    const lines = [e.toString()];
    if (e.unresolvedPort) lines.push(`  ${e.unresolvedPort}`);
    lines.push(`  egress of ${e.from}: ${explainSide(e.egress, 'egress', e.to)}`);
    lines.push(`  ingress of ${e.to}: ${explainSide(e.ingress, 'ingress', e.from)}`);
    for (const note of e.notes) lines.push(`  note: ${note}`);
    return lines.join('\n');
  }

  /**
   * One side's verdict, short: `allowed by shop/api ingress[0]`, `denied (isolated by shop/api)`,
   * `not isolated` or `outside the cluster` (as in the diff).
   */
  public static verdict(v: SideVerdict): string {
    switch (v.decision) {
      case SideDecision.ALLOWED: return `allowed by ${v.allowedBy.map(TextFormat.rule).join(', ')}`;
      case SideDecision.DENIED: return `denied (isolated by ${v.isolatingPolicies.join(', ')})`;
      case SideDecision.NOT_ISOLATED: return 'not isolated';
      case SideDecision.OUTSIDE_CLUSTER: return 'outside the cluster';
    }
    throw new Error(`unknown side decision ${JSON.stringify(v.decision)}`);
  }

  /** A rule: `<namespace>/<policy> <direction>[<index>]`, e.g. `shop/api ingress[0]`. */
  public static rule(r: RuleReference): string {
    return `${r.policy} ${r.direction}[${r.rule}]`;
  }

  /** The diff: the summary, each opened and closed connection with both sides before and after, the endpoints added and removed. */
  public static diff(d: ReachabilityDiff): string {
    const lines = [`netpol diff: ${d.summary}`];
    for (const [title, list] of [['opened', d.opened], ['closed', d.closed]] as const) {
      if (list.length === 0) continue;
      lines.push('', `${title}:`);
      for (const c of list) {
        lines.push(`  ${c.from} -> ${c.to} on ${c.ports.join(', ')}`);
        lines.push(`    before: ${changeSides(c, c.before)}`);
        lines.push(`    after:  ${changeSides(c, c.after)}`);
      }
    }
    if (d.addedEndpoints.length > 0) lines.push('', `endpoints added: ${d.addedEndpoints.join(', ')}`);
    if (d.removedEndpoints.length > 0) lines.push('', `endpoints removed: ${d.removedEndpoints.join(', ')}`);
    return lines.join('\n');
  }

  /**
   * The validation report, as `netpol validate` prints it: each finding (`file:line: object: severity
   * code field: message` and the fix on the next line), each finding accepted by annotation, and a
   * summary line.
   */
  public static validation(report: ManifestValidationReport, options: ValidationTextOptions = {}): string {
    const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
    const where = (f: { file?: string; line?: number; object: string }) => `${f.file ?? '<input>'}${f.line ? `:${f.line}` : ''}: ${f.object}`;
    const lines: string[] = [];
    for (const f of report.findings) {
      lines.push(`${where(f)}: ${f.severity} ${f.code} ${f.field ? `${f.field}: ` : ''}${f.message}\n    fix: ${f.fix}`);
    }
    for (const f of report.silenced) lines.push(`${where(f)}: accepted ${f.code} ${f.field ? `${f.field}: ` : ''}(${f.reason})`);
    const errors = report.findings.filter((f) => f.severity === Severity.ERROR).length;
    const warnings = report.findings.length - errors;
    const files = options.fileCount === undefined ? '' : ` in ${plural(options.fileCount, 'file', 'files')}`;
    lines.push(`checked ${plural(report.checked, 'NetworkPolicy', 'NetworkPolicies')}${files}: ${plural(errors, 'error', 'errors')}, `
      + `${plural(warnings, 'warning', 'warnings')}${report.silenced.length > 0 ? `, ${report.silenced.length} accepted by annotation` : ''}`);
    return lines.join('\n');
  }

  private constructor() {}
}

/** The legend line on hostNetwork endpoints, when there are any; `quote` marks up each endpoint. */
export function hostNetworkLegend(m: ReachabilityMatrix, quote: (id: string) => string): string[] {
  if (m.hostNetworkEndpoints.length === 0) return [];
  const how = m.hostNetworkMode === HostNetworkMode.NODE_TRAFFIC
    ? 'analysed as traffic of their node (host-network mode node): no policy selects them, pod and namespace selectors never match them, ipBlocks match their node IP'
    : 'analysed as ordinary pods (host-network mode pod)';
  return [`hostNetwork pods, ${how}: ${m.hostNetworkEndpoints.map(quote).join(', ')}`];
}

/** Both sides of a changed connection, before or after: `egress of <from> <verdict>; ingress of <to> <verdict>`. */
export function changeSides(c: ChangedConnection, e: DiffExplanation | undefined): string {
  const side = (v: SideVerdict | undefined) => (v === undefined ? 'not explained (too many changes)' : TextFormat.verdict(v));
  return `egress of ${c.from} ${side(e?.egress)}; ingress of ${c.to} ${side(e?.ingress)}`;
}

/** One side of an explanation, in a sentence. */
function explainSide(side: SideVerdict, direction: string, other: string): string {
  switch (side.decision) {
    case SideDecision.OUTSIDE_CLUSTER: return 'outside the cluster, not policed';
    case SideDecision.NOT_ISOLATED: return `not isolated (no policy selects it for ${direction}), so everything is allowed`;
    case SideDecision.DENIED:
      return `isolated by ${side.isolatingPolicies.join(', ')}; DENIED: no rule of these policies allows this traffic ${direction === 'egress' ? 'to' : 'from'} ${other}`;
    case SideDecision.ALLOWED:
      return `isolated by ${side.isolatingPolicies.join(', ')}; allowed by ${side.allowedBy.map((r) => `${TextFormat.rule(r)}${r.byIpBlock ? ' (ipBlock)' : ''}`).join(', ')}`;
  }
  throw new Error(`unknown side decision ${JSON.stringify(side.decision)}`);
}
