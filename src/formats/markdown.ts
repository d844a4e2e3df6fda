import { connectionGrid, layoutGraph } from './html';
import { MermaidFormat } from './mermaid';
import {
  changeSides, connectionPort, endKindNote, endKindWords, flowsLine, hostNetworkLegend,
  notReplayedRisk, observedTitle, replayHeadline, seen, stagedLine, stagedWords, TextFormat,
  unobservedWhy,
} from './text';
import { AuditReport } from '../analysis/audit-report';
import { ChangedConnection } from '../analysis/changed-connection';
import { ReachabilityDiff } from '../analysis/diff-report';
import { Exposure, notIsolatedWords } from '../analysis/exposure';
import { guessedWords, InvariantReport } from '../analysis/invariants';
import { ReachabilityMatrix } from '../analysis/reachability-matrix';
import { FlowReplay, ReplayPair } from '../analysis/replay';
import { OWN_NODE_REASON } from '../analysis/verdict';
import { Severity } from '../k8s/finding';
import { Direction } from '../model/direction';

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
   * A pull-request comment on invariants: a table of every invariant with ✅ or ❌, and for each
   * failure its counterexample (source, destination, port, the rules that allow it).
   */
  public static invariants(report: InvariantReport): string {
    const failed = report.failures.length;
    const lines = [`**netpol check**: ${report.results.length - failed} of ${report.results.length} invariants hold${failed > 0 ? `, ${failed} fail` : ''}.`, '',
      '| | invariant | says | counterexample | allowed by |', '|---|---|---|---|---|'];
    for (const r of report.results) {
      const v = r.violation;
      const example = (v ? `\`${v.from}\` → \`${v.to}\` on ${v.port}${v.ports !== v.port ? ` (${v.ports})` : ''}${v.guessed ? ` (${guessedWords(v)})` : ''}` : r.problem ?? '')
        + (r.notes ?? []).map((n) => ` Note: ${n}`).join('');
      const rules = !v ? '' : v.allowedBy.length > 0 ? v.allowedBy.map((a) => `\`${TextFormat.rule(a)}\``).join(', ')
        : v.explanation.ingress.ownNode ? OWN_NODE_REASON : 'neither side is isolated';
      lines.push(`| ${r.holds ? '✅' : '❌'} | ${escapeCell(r.name)} | ${escapeCell(r.statement)} | ${escapeCell(example)} | ${escapeCell(rules)} |`);
    }
    lines.push('', `Ports checked: ${report.ports.join(', ')}.`);
    return lines.join('\n');
  }

  /**
   * An exposure for a pull request: a table of who could reach the workload (or whom it could
   * reach) from the selectors, with ports and rules, then a table of the endpoints of the input
   * that can connect.
   */
  public static exposure(e: Exposure): string {
    const ingress = e.direction === Direction.INGRESS;
    const side = ingress ? 'ingress' : 'egress';
    const lines = [`**\`${e.workload}\`**: ${ingress ? 'who could reach it (ingress)' : 'whom it could reach (egress)'}; `
      + (e.isolated ? `isolated by ${e.isolatingPolicies.map((p) => `\`${p}\``).join(', ')}.`
        : e.tierPolicies ? `no NetworkPolicy selects it for ${side}; the cluster-wide policies below decide what is allowed.`
          : `${notIsolatedWords(side, e.selectedWithoutDefaultDeny)}.`)];
    lines.push('', `| ${ingress ? 'who' : 'whom'} (from the selectors) | ports | rules |`, '|---|---|---|');
    if (e.peers.length === 0) lines.push('| nobody | | |');
    for (const p of e.peers) {
      const refs = [...p.rules.map(TextFormat.rule), ...(p.tierRules ?? []).map((t) => `${t.kind} ${t.policy} ${t.direction}[${t.rule}] ${t.action}`)];
      lines.push(`| ${escapeCell(p.description)} | ${escapeCell(p.ports.join(', '))} | ${refs.map((r) => `\`${r}\``).join(', ')} |`);
    }
    if (e.tierPolicies) {
      lines.push('', `Cluster-wide policies select it too (${e.tierPolicies.map((t) => `\`${t}\``).join(', ')}): their Admin-tier Allow/Accept rules are listed (final); `
        + 'their Deny and Pass rules and the Baseline tier can only narrow this list (the endpoints below are exact).');
    }
    lines.push('', '| in the manifests, allowed on both sides | ports |', '|---|---|');
    if (e.endpoints.length === 0) lines.push('| none | |');
    for (const x of e.endpoints) lines.push(`| \`${escapeCell(x.id)}\` | ${escapeCell(x.ports.join(', '))} |`);
    return lines.join('\n');
  }

  /**
   * A pull-request comment: the summary, a table each of the opened and closed connections (both
   * sides before and after), the endpoints added and removed, and a Mermaid diagram of the changed
   * edges (`MermaidFormat.diff`).
   */
  public static diff(d: ReachabilityDiff): string {
    const lines = [`**netpol diff**: ${d.summary}.`, ...d.notes.map((n) => `\n> **Note:** ${n}`)];
    const table = (title: string, list: ChangedConnection[]) => {
      if (list.length === 0) return;
      lines.push('', `### ${title}`, '', '| from | to | ports | before | after |', '|---|---|---|---|---|');
      for (const c of list) {
        lines.push(`| \`${c.from}\` | \`${c.to}\` | ${c.ports.join(', ')} | ${escapeCell(changeSides(c, c.before))} | ${escapeCell(changeSides(c, c.after))} |`);
      }
    };
    table(`Opened (${d.opened.length})`, d.opened);
    table(`Closed (${d.closed.length})`, d.closed);
    table(`Changed at layer 7 (${d.l7Changed.length}): the L7 rules that filter requests differ`, d.l7Changed);
    if (d.addedEndpoints.length > 0) lines.push('', `**Endpoints added:** ${d.addedEndpoints.map((e) => `\`${e}\``).join(', ')}`);
    if (d.removedEndpoints.length > 0) lines.push('', `**Endpoints removed:** ${d.removedEndpoints.map((e) => `\`${e}\``).join(', ')}`);
    if (d.opened.length + d.closed.length > 0) lines.push('', '```mermaid', MermaidFormat.diff(d), '```');
    return lines.join('\n');
  }

  /**
   * A pull-request comment on a replay of observed flows: the counts, a table of the observed
   * connections the policies would block (each side's verdict), the connections rules allow that
   * were never observed (candidates to remove), the open ones (collapsed), the connections that
   * could not be replayed and why, the endpoints added from the flows, and the allowed connections
   * (collapsed).
   */
  public static replay(r: FlowReplay): string {
    const code = (id: string) => `\`${id}\``;
    const pair = (p: ReplayPair) => `${code(p.from)}${endKindNote(p.fromKind)} | ${code(p.to)}${endKindNote(p.toKind)}`;
    const lines = [`**netpol replay**: ${replayHeadline(r)}.`, '', `Flows: ${escapeCell(flowsLine(r.summary.flows))}.`];
    if (r.blocked.length > 0) {
      lines.push('', `### Blocked (${r.summary.blocked})`, '', '| from | to | port | seen | egress | ingress |', '|---|---|---|---|---|---|');
      const notes: string[] = [];
      for (const p of r.blocked) {
        for (const c of p.connections) {
          lines.push(`| ${pair(p)} | ${connectionPort(c)} | ${escapeCell(seen(c.observed).replace(/^seen /, ''))} `
            + `| ${escapeCell(TextFormat.verdict(c.verdict.egress))} | ${escapeCell(TextFormat.verdict(c.verdict.ingress))} |`);
          for (const note of c.verdict.notes) notes.push(`- ${code(c.from)} -> ${code(c.to)} ${connectionPort(c)}: ${note}`);
        }
      }
      if (notes.length > 0) lines.push('', ...notes);
    }
    if (r.stagedPolicies.length > 0 && r.stagedBlocked.length === 0) {
      lines.push('', `**Staged**: would allow every observed connection (${stagedWords(r)}).`);
    } else if (r.stagedPolicies.length > 0) {
      lines.push('', `### Staged: would deny (${r.summary.stagedBlocked}), ${stagedWords(r)}`, '', '| from | to | port | seen | staged |', '|---|---|---|---|---|');
      for (const p of r.stagedBlocked) {
        for (const c of p.connections) {
          lines.push(`| ${pair(p)} | ${connectionPort(c)} | ${escapeCell(seen(c.observed).replace(/^seen /, ''))} `
            + `| ${escapeCell(stagedLine(c.staged!, c.from, c.to))} |`);
        }
      }
    }
    if (r.neverObserved.length > 0) {
      lines.push('', `### Never observed, allowed by rules (${r.neverObserved.length}): candidates to remove, for least privilege`, '',
        '| from | to | ports | allowed because |', '|---|---|---|---|');
      for (const u of r.neverObserved) lines.push(`| ${code(u.from)} | ${code(u.to)} | ${u.ports.join(', ')} | ${escapeCell(unobservedWhy(u))} |`);
    }
    if (r.openNeverObserved.length > 0) {
      lines.push('', `<details><summary>Never observed, open on every port because no policy isolates either end (${r.openNeverObserved.length})</summary>`,
        '', ...r.openNeverObserved.map((u) => `- ${code(u.from)} -> ${code(u.to)}`), '', '</details>');
    }
    if (r.notReplayed.length > 0) {
      lines.push('', `### Not replayed (${r.notReplayed.length}): they do not affect the gate`, '', '| connection | seen | risk |', '|---|---|---|');
      for (const n of r.notReplayed) {
        const risk = n.isolatingPolicies.length > 0 ? escapeCell(notReplayedRisk(n)) : '';
        lines.push(`| ${escapeCell(observedTitle(n.observed))} | ${escapeCell(seen(n.observed).replace(/^seen /, ''))} | ${risk} |`);
      }
      lines.push('', ...r.unmappedEnds.map((u) => `- ${escapeCell(u.reason)}`));
    }
    if (r.added.length > 0) {
      lines.push('', '### Added to the model from the flows', '', '| endpoint | what | labels |', '|---|---|---|');
      for (const a of r.added) {
        const labels = a.labels === undefined ? '' : Object.entries(a.labels).map(([k, v]) => code(`${k}=${v}`)).join(', ');
        const what = `${endKindWords(a.kind)}${a.dnsNames && a.dnsNames.length > 0 ? ` (${a.dnsNames.join(', ')})` : ''}`;
        lines.push(`| ${code(a.id)} | ${escapeCell(what)} | ${labels}${a.assumedLabels ? ' (assumed: the flows give none)' : ''} |`);
      }
    }
    if (r.allowed.length > 0) {
      lines.push('', `<details><summary>Allowed (${r.summary.allowed})</summary>`, '', '| from | to | ports |', '|---|---|---|');
      for (const p of r.allowed) lines.push(`| ${pair(p)} | ${p.connections.map(connectionPort).join(', ')} |`);
      lines.push('', '</details>');
    }
    return lines.join('\n');
  }

  /**
   * The audit report for a pull request, with the content of `HtmlFormat.report`: a summary, the
   * graph in Mermaid (between namespaces when the HTML's graph is collapsed too), the matrix as a
   * table (namespace by namespace above 40 endpoints), the invariants, the exposures (collapsed),
   * the findings, the objects left out and the inputs with their sha256.
   */
  public static report(r: AuditReport): string {
    const layout = layoutGraph(r.graph);
    const workloads = r.graph.nodes.filter((n) => n.namespace !== undefined).length;
    const namespaces = r.graph.groups.filter((g) => g.namespace !== undefined).length;
    const lines = [`## ${r.title}`, ''];
    if (r.generatedAt !== undefined) lines.push(`Generated ${r.generatedAt}.`, '');
    lines.push(`${workloads} workload${workloads === 1 ? '' : 's'} in ${namespaces} namespace${namespaces === 1 ? '' : 's'}, `
      + `${r.graph.edges.length} allowed connection${r.graph.edges.length === 1 ? '' : 's'}; `
      + (r.invariants ? `${r.invariants.results.length - r.invariants.failures.length} of ${r.invariants.results.length} invariants hold; ` : 'no rules file; ')
      + `${r.findings.length} finding${r.findings.length === 1 ? '' : 's'}; `
      + (r.skipped.length > 0 ? `**${r.skipped.length} object${r.skipped.length === 1 ? '' : 's'} left out: verdicts may be wrong**.` : 'nothing left out.'));
    lines.push('', '### Connectivity', '');
    if (layout.collapsed) {
      lines.push('Too many connections to read one by one: each arrow stands for the connections from one namespace to another.', '',
        '```mermaid', 'flowchart LR');
      layout.boxes.forEach((b, i) => lines.push(`  b${i}["${b.label.replace(/"/g, '#quot;')} (${b.nodes.length}; ${b.inside} inside)"]`));
      const index = new Map(layout.boxes.map((b, i) => [b.label, i]));
      for (const e of layout.edges) lines.push(`  b${index.get(e.from)} -->|"${e.label}"| b${index.get(e.to)}`);
      lines.push('```');
    } else {
      lines.push('```mermaid', MermaidFormat.graph(r.graph), '```');
    }
    const grid = connectionGrid(r.graph);
    lines.push('', '### Matrix', '', grid.byNamespace
      ? 'Namespace by namespace: the pairs that may connect (on some port) out of all pairs; rows are sources.'
      : 'Rows are sources, columns destinations: ✅ allowed (ports), ❌ denied, · itself.', '');
    lines.push(`| from \\ to | ${grid.labels.map((l) => `\`${escapeCell(l)}\``).join(' | ')} |`, `|---|${grid.labels.map(() => ':---:').join('|')}|`);
    grid.labels.forEach((label, i) => {
      const cells = grid.cells[i].map((c) => (c.pairs === 0 ? '·' : grid.byNamespace ? c.text : c.allowed > 0 ? `✅ ${escapeCell(c.title.slice(c.title.indexOf(': ') + 2))}` : '❌'));
      lines.push(`| \`${escapeCell(label)}\` | ${cells.join(' | ')} |`);
    });
    lines.push('', '### Invariants', '', r.invariants ? MarkdownFormat.invariants(r.invariants) : 'No rules file was given (`--rules rules.yaml`), so no invariants were checked.');
    lines.push('', '### Exposure', '');
    for (const [title, list, direction] of [['Who could reach each workload (ingress)', r.ingress, Direction.INGRESS], ['Whom each workload could reach (egress)', r.egress, Direction.EGRESS]] as const) {
      const notDescribed = r.notDescribed.filter((u) => u.direction === direction)
        .map((u) => `**\`${u.workload}\`** (${u.policies.join(', ')}): ${u.reason}; the graph and the matrix above decide it.`);
      lines.push(`<details><summary>${title} (${list.length + notDescribed.length})</summary>`, '', [...list.map(MarkdownFormat.exposure), ...notDescribed].join('\n\n'), '', '</details>', '');
    }
    lines.push('### Findings', '');
    if (r.findings.length === 0) {lines.push('No findings: the policies are valid, and the coverage lints (NP004, NP017, NP018, NP019) found nothing.');} else {
      lines.push('| | code | object | finding | fix | where |', '|---|---|---|---|---|---|');
      for (const f of r.findings) {
        lines.push(`| ${f.severity === Severity.ERROR ? '❌' : '⚠️'} | ${f.code} | \`${escapeCell(f.object)}\` ${escapeCell(f.field)} | ${escapeCell(f.message)} | ${escapeCell(f.fix)} | `
          + `${f.file !== undefined ? escapeCell(`${f.file}${f.line !== undefined ? `:${f.line}` : ''}`) : ''} |`);
      }
    }
    if (r.skipped.length > 0) {
      lines.push('', '**Left out of the model, so the verdicts may be wrong:**', '');
      for (const s of r.skipped) lines.push(`- ${s.file !== undefined ? `${s.file}${s.line !== undefined ? `:${s.line}` : ''}: ` : ''}${s.kind ? `${s.kind} ` : ''}\`${s.object}\`: ${s.reason}`);
    }
    lines.push('', '### Inputs', '');
    if (r.inputs.length === 0) {lines.push('No input files were named.');} else {
      lines.push('| file | bytes | sha256 |', '|---|---:|---|');
      for (const i of r.inputs) lines.push(`| \`${escapeCell(i.file)}\` | ${i.bytes} | \`${i.sha256}\` |`);
    }
    return lines.join('\n');
  }

  private constructor() {}
}

/** Text inside a table cell: `|` escaped. */
function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|');
}
