import { BlastRadius } from '../analysis/blast-radius';
import { ChangedConnection, DiffExplanation } from '../analysis/changed-connection';
import { ReachabilityDiff } from '../analysis/diff-report';
import { Explanation } from '../analysis/explanation';
import { Exposure, ExposurePeerKind, notIsolatedWords } from '../analysis/exposure';
import { GroupedDiff } from '../analysis/grouped-diff';
import { GroupedMatrix, GroupKey, MatrixGroup } from '../analysis/grouped-matrix';
import { HostNetworkMode } from '../analysis/host-network-mode';
import { guessedWords, InvariantReport, InvariantResult } from '../analysis/invariants';
import { ReachabilityMatrix } from '../analysis/reachability-matrix';
import { FlowReplay, NotReplayedConnection, ReplayedConnection, ReplayPair, UnobservedConnection } from '../analysis/replay';
import { DecisionTier, describeRule, OWN_NODE_REASON, RuleReference, SideDecision, SideVerdict, TierRuleReference } from '../analysis/verdict';
import { FlowReadSummary, ObservedConnection, ObservedEndKind, VerdictCount } from '../flows/observed';
import { Severity } from '../k8s/finding';
import { Direction } from '../model/direction';
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
   * A grouped diff (`netpol diff --group-by`), written one source group at a time: a summary line,
   * the groups (with their endpoint counts and, for classes, a first member), then one line per
   * ordered pair of groups with a change, `from -> to: N opened, M closed` (endpoint pairs).
   * @internal
   */
  public static _streamGroupedDiff(g: GroupedDiff, write: (text: string) => void): void {
    const { opened, closed } = g.totals;
    const n = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
    const lines = [`${n(opened, 'connection')} opened, ${closed} closed, ${n(g.added, 'endpoint')} added, ${g.removed} removed`
      + ` (on ${g.ports.join(', ')}), by ${g.groupBy}: endpoint pairs opened and closed, for each pair of groups with a change`];
    lines.push(`${g.groups.length} groups:`);
    for (const group of g.groups) lines.push(`  ${group.name}: ${group.endpoints} endpoint${group.endpoints === 1 ? '' : 's'}${g.groupBy === 'class' ? `, e.g. ${group.first}` : ''}`);
    write(`${lines.join('\n')}\n`);
    g.groups.forEach((_, i) => {
      const cells = g.cellsFrom(i);
      if (cells.length > 0) write(`${cells.map((c) => `${c.from} -> ${c.to}: ${c.opened} opened, ${c.closed} closed`).join('\n')}\n`);
    });
  }

  /**
   * A grouped matrix (`netpol matrix --group-by`), written one source group at a time: a heading,
   * the groups (with their endpoint counts and, for classes, a first member), then one line per
   * ordered pair of groups with any pair allowed, `from -> to: allowed/pairs`.
   * @internal
   */
  public static _streamGroupedMatrix(g: GroupedMatrix, port: string, write: (text: string) => void): void {
    const lines = [`port ${port}, by ${g.groupBy}: allowed endpoint pairs / all pairs, for each pair of groups with any allowed`];
    lines.push(`${g.groups.length} groups:`);
    for (const group of g.groups) lines.push(`  ${group.name}: ${group.endpoints} endpoint${group.endpoints === 1 ? '' : 's'}${groupDetail(g.groupBy, group)}`);
    write(`${lines.join('\n')}\n`);
    g.groups.forEach((_, i) => {
      const cells = g.cellsFrom(i);
      if (cells.length > 0) write(`${cells.map((c) => `${c.from} -> ${c.to}: ${c.allowed}/${c.pairs}`).join('\n')}\n`);
    });
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
    if (e.staged) lines.push(`  ${stagedLine(e.staged, e.from, e.to)}`);
    for (const note of e.notes) lines.push(`  note: ${note}`);
    return lines.join('\n');
  }

  /**
   * One side's verdict, short: `allowed by shop/api ingress[0]`, `denied (isolated by shop/api)`,
   * `not isolated` or `outside the cluster` (as in the diff).
   */
  public static verdict(v: SideVerdict): string {
    if (v.ownNode) return `allowed: ${OWN_NODE_REASON}`;
    if (v.decidedBy) return `${v.allowed ? 'allowed' : 'denied'} by ${TextFormat.tierRule(v.decidedBy)}`;
    const passed = v.passedBy ? ` (passed by ${TextFormat.tierRule(v.passedBy)})` : '';
    if (passed && v.decision === SideDecision.NOT_ISOLATED) return `default: allowed${passed}`;
    return `${networkPolicyVerdict(v)}${passed}`;
  }

  /**
   * A rule of a cluster-wide policy, with its tier: `Admin tier ClusterNetworkPolicy guard (priority 10)
   * egress[0] "deny-metadata" Deny`; the BaselineAdminNetworkPolicy (which has no priority) without one.
   */
  public static tierRule(r: TierRuleReference): string {
    const tier = r.tier === DecisionTier.ADMIN ? 'Admin' : 'Baseline';
    // The v1alpha1 baseline is a singleton without a priority: saying "(priority 0)" would invent one.
    const priority = r.kind === 'BaselineAdminNetworkPolicy' ? '' : ` (priority ${r.priority})`;
    return `${tier} tier ${r.kind} ${r.policy}${priority} ${r.direction}[${r.rule}]${r.ruleName !== undefined ? ` "${r.ruleName}"` : ''} ${r.action}`;
  }

  /**
   * Invariants checked: a summary line, then each invariant with PASS or FAIL, what it says, where it
   * was declared, and for a failure the connection that breaks it, the rules that allow it and the
   * analyser's explanation of both sides.
   */
  public static invariants(report: InvariantReport): string {
    const failed = report.failures.length;
    const lines = [`netpol check: ${report.results.length - failed} of ${report.results.length} invariant${report.results.length === 1 ? '' : 's'} hold${failed > 0 ? `, ${failed} fail${failed === 1 ? 's' : ''}` : ''}`];
    for (const r of report.results) lines.push(...invariantLines(r));
    lines.push(`ports checked: ${report.ports.join(', ')}`);
    return lines.join('\n');
  }

  /**
   * An exposure: who could reach the workload (ingress) or whom it could reach (egress), first from
   * the selectors of its policies' rules (pods and namespaces the manifests lack included), each
   * with its ports and rules, then the endpoints of the input that can connect.
   *
   * @example
   * // shop/backend: who could reach it (ingress); isolated by shop/backend-ingress, shop/default-deny
   * //   from the selectors (pods and namespaces not in the manifests included):
   * //     any pod labelled app=frontend in namespace shop on 8080/TCP (shop/backend-ingress ingress[0])
   * //   in the manifests, allowed on both sides:
   * //     shop/frontend on 8080/TCP
   */
  public static exposure(e: Exposure): string {
    const ingress = e.direction === Direction.INGRESS;
    const side = ingress ? 'ingress' : 'egress';
    const lines = [`${e.workload}: ${ingress ? 'who could reach it (ingress)' : 'whom it could reach (egress)'}; `
      + (e.isolated ? `isolated by ${e.isolatingPolicies.join(', ')}`
        : e.tierPolicies ? `no NetworkPolicy selects it for ${side}; the cluster-wide policies below decide what is allowed`
          : notIsolatedWords(side, e.selectedWithoutDefaultDeny))];
    lines.push('  from the selectors (pods and namespaces not in the manifests included):');
    if (e.peers.length === 0) lines.push(`    nobody: no rule of these policies allows ${side}`);
    if (e.tierPolicies) {
      lines.push(`  cluster-wide policies select it too (${e.tierPolicies.join(', ')}): their Admin-tier Allow/Accept rules are listed (final); `
        + 'their Deny and Pass rules and the Baseline tier can only narrow this list (the endpoints below are exact)');
    }
    for (const p of e.peers) {
      const refs = [...p.rules.map(TextFormat.rule), ...(p.tierRules ?? []).map((t) => `${t.kind} ${t.policy} ${t.direction}[${t.rule}] ${t.action}`)];
      const rules = refs.length > 0 ? ` (${refs.join(', ')})` : '';
      const note = p.kind === ExposurePeerKind.ADDRESSES ? '; outside the cluster, and pod IPs where the network plugin applies ipBlocks to them' : '';
      lines.push(`    ${p.description} on ${p.ports.join(', ')}${rules}${note}`);
    }
    lines.push('  in the manifests, allowed on both sides:');
    if (e.endpoints.length === 0) lines.push('    none');
    for (const x of e.endpoints) lines.push(`    ${x.id} on ${x.ports.join(', ')}`);
    return lines.join('\n');
  }

  /**
   * A blast radius: what the compromised workload reaches, by depth, each endpoint with its shortest
   * path (`a -[8080/TCP]-> b -[5432/TCP]-> c`).
   */
  public static blastRadius(b: BlastRadius): string {
    const limit = b.maxDepth !== undefined ? ` within ${b.maxDepth} hop${b.maxDepth === 1 ? '' : 's'}` : '';
    const direct = b.reached.filter((r) => r.depth === 1).length;
    const lines = [`blast radius of ${b.from}${limit}: ${b.reached.length} endpoint${b.reached.length === 1 ? '' : 's'} reachable `
      + `(${direct} directly, ${b.reached.length - direct} by lateral movement)`];
    let depth = 0;
    for (const r of b.reached) {
      if (r.depth !== depth) {
        depth = r.depth;
        lines.push('', depth === 1 ? 'directly:' : `in ${depth} hops:`);
      }
      const path = r.path.map((h, i) => `${i === 0 ? h.from : ''} -[${h.ports.join(', ')}]-> ${h.to}`).join('');
      lines.push(`  ${r.id}${r.external ? ' (address outside the cluster, not followed)' : ''}`, `    ${path}`);
    }
    if (b.beyondMaxDepth) lines.push('', `more endpoints are reachable beyond ${b.maxDepth} hop${b.maxDepth === 1 ? '' : 's'}: raise --max-depth (maxDepth) to see them`);
    return lines.join('\n');
  }

  /** A rule: `<namespace>/<policy> <direction>[<index>]`, e.g. `shop/api ingress[0]`. */
  public static rule(r: RuleReference): string {
    return describeRule(r);
  }

  /** The diff: the summary, each opened and closed connection with both sides before and after, the endpoints added and removed. */
  public static diff(d: ReachabilityDiff): string {
    const lines = [`netpol diff: ${d.summary}`, ...d.notes.map((n) => `note: ${n}`)];
    for (const [title, list] of [['opened', d.opened], ['closed', d.closed], ['changed at layer 7 (the L7 rules that filter its requests differ)', d.l7Changed]] as const) {
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
   * code field: message` and the fix on the next line), each finding accepted by annotation, what
   * was not checked (with coverage), and a summary line.
   */
  public static validation(report: ManifestValidationReport, options: ValidationTextOptions = {}): string {
    const where = (f: { file?: string; line?: number; object: string; kind?: string }) =>
      `${f.file ?? '<input>'}${f.line ? `:${f.line}` : ''}: ${f.kind ? `${f.kind} ` : ''}${f.object}`;
    const lines: string[] = [];
    for (const f of report.findings) {
      lines.push(`${where(f)}: ${f.severity} ${f.code} ${f.field ? `${f.field}: ` : ''}${f.message}\n    fix: ${f.fix}`);
    }
    for (const f of report.silenced) lines.push(`${where(f)}: accepted ${f.code} ${f.field ? `${f.field}: ` : ''}(${f.reason})`);
    for (const n of report.notChecked ?? []) lines.push(`not checked: ${n}`);
    const errors = report.findings.filter((f) => f.severity === Severity.ERROR).length;
    const warnings = report.findings.length - errors;
    const files = options.fileCount === undefined ? '' : ` in ${plural(options.fileCount, 'file', 'files')}`;
    const staged = report.checkedStaged > 0 ? ` (${report.checkedStaged} staged)` : '';
    // Each kind by its name: the NetworkPolicies (with the staged ones), each Cilium kind, the cluster policies.
    const cilium = report.checkedCiliumPolicies;
    const networkPolicies = report.checked - cilium.reduce((n, k) => n + k.count, 0);
    const parts = [
      ...(networkPolicies > 0 || cilium.length === 0 ? [`${plural(networkPolicies, 'NetworkPolicy', 'NetworkPolicies')}${staged}`] : []),
      ...cilium.map((k) => plural(k.count, k.kind, k.kind.endsWith('y') ? `${k.kind.slice(0, -1)}ies` : `${k.kind}s`)),
      ...(report.checkedClusterPolicies > 0 ? [plural(report.checkedClusterPolicies, 'cluster policy', 'cluster policies')] : []),
    ];
    const checked = parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
    lines.push(`checked ${checked}${files}: ${plural(errors, 'error', 'errors')}, `
      + `${plural(warnings, 'warning', 'warnings')}${report.silenced.length > 0 ? `, ${report.silenced.length} accepted by annotation` : ''}`);
    return lines.join('\n');
  }

  /**
   * The replay of observed flows, as `netpol replay` prints it: the counts and what was read, the
   * observed connections the policies would block (by source and destination, each port with both
   * sides explained), the ones they allow, the allowed connections never observed (allowed by rules:
   * candidates to remove; open because no policy isolates either end), the connections that could
   * not be replayed and why, and the endpoints added to the model from the flows.
   *
   * @example
   * // netpol replay: 4 observed connections: 1 blocked, 3 allowed, 0 not replayed; never observed: 2 pairs allowed by rules, 0 open
   * // ...
   * // blocked (the policies would deny these observed connections):
   * //   shop/frontend -> shop/postgres
   * //     5432/TCP, seen 3 times (FORWARDED 3): DENIED
   * //       egress of shop/frontend: isolated by shop/default-deny, shop/frontend-egress; DENIED: no rule of these policies allows this traffic to shop/postgres
   */
  public static replay(r: FlowReplay): string {
    const lines = [`netpol replay: ${replayHeadline(r)}`, `flows: ${flowsLine(r.summary.flows)}`];
    if (r.blocked.length > 0) {
      lines.push('', 'blocked (the policies would deny these observed connections):');
      for (const pair of r.blocked) {
        lines.push(`  ${pairTitle(pair)}`);
        for (const c of pair.connections) {
          lines.push(`    ${c.port}/${c.protocol}, ${seen(c.observed)}: DENIED`);
          lines.push(`      egress of ${c.from}: ${explainSide(c.verdict.egress, 'egress', c.to)}`);
          lines.push(`      ingress of ${c.to}: ${explainSide(c.verdict.ingress, 'ingress', c.from)}`);
          for (const note of c.verdict.notes) lines.push(`      note: ${note}`);
        }
      }
    }
    if (r.stagedPolicies.length > 0) {
      if (r.stagedBlocked.length === 0) {
        lines.push('', `staged: would allow every observed connection (${stagedWords(r)})`);
      } else {
        lines.push('', `staged: would deny these observed connections (${stagedWords(r)}; they fail the gate only with --fail-on staged):`);
        for (const pair of r.stagedBlocked) {
          lines.push(`  ${pairTitle(pair)}`);
          for (const c of pair.connections) {
            lines.push(`    ${c.port}/${c.protocol}, ${seen(c.observed)}: ${stagedLine(c.staged!, c.from, c.to)}`);
          }
        }
      }
    }
    if (r.allowed.length > 0) {
      lines.push('', 'allowed:');
      for (const pair of r.allowed) lines.push(`  ${pairTitle(pair)} on ${pair.connections.map(connectionPort).join(', ')}`);
    }
    if (r.neverObserved.length > 0) {
      lines.push('', 'never observed, allowed by rules (candidates to remove, for least privilege):');
      for (const u of r.neverObserved) lines.push(`  ${u.from} -> ${u.to} on ${u.ports.join(', ')}: ${unobservedWhy(u)}`);
    }
    if (r.openNeverObserved.length > 0) {
      lines.push('', 'never observed, open on every port because no policy isolates either end (isolate them to close these):');
      for (const u of r.openNeverObserved) lines.push(`  ${u.from} -> ${u.to}`);
    }
    if (r.notReplayed.length > 0) {
      lines.push('', 'not replayed (an end the analyser cannot model; these do not affect the exit code):');
      for (const n of r.notReplayed) {
        lines.push(`  ${observedTitle(n.observed)}, ${seen(n.observed)}`);
        if (n.isolatingPolicies.length > 0) lines.push(`    ${notReplayedRisk(n)}`);
      }
      lines.push('  because:');
      for (const u of r.unmappedEnds) lines.push(`    ${u.reason} (${plural(u.connections, 'connection', 'connections')})`);
    }
    if (r.added.length > 0) {
      lines.push('', 'added to the model from the flows (the manifests do not declare them):');
      for (const a of r.added) {
        const labels = a.labels === undefined ? '' : `, labels ${labelText(a.labels)}${a.assumedLabels ? ' (assumed: the flows give none)' : ''}`;
        const names = a.dnsNames && a.dnsNames.length > 0 ? ` (${a.dnsNames.join(', ')})` : '';
        lines.push(`  ${a.id}: ${END_WORDS[a.kind]}${labels}${names}`);
      }
    }
    return lines.join('\n');
  }

  private constructor() {}
}

/** What an end of an observed connection is, in words. */
const END_WORDS: Record<ObservedEndKind, string> = {
  [ObservedEndKind.WORKLOAD]: 'workload',
  [ObservedEndKind.UNDECLARED_WORKLOAD]: 'undeclared workload',
  [ObservedEndKind.DNS]: 'DNS server',
  [ObservedEndKind.EXTERNAL]: 'address outside the cluster',
  [ObservedEndKind.HOST]: 'node',
};

/**
 * What the staged policies would do to a connection, on one line: `staged: would allow`, or
 * `staged: would deny: egress of <from>: ...` with each side that would deny it.
 */
export function stagedLine(staged: { allowed: boolean; egress: SideVerdict; ingress: SideVerdict }, from: string, to: string): string {
  if (staged.allowed) return 'staged: would allow';
  const sides = [
    ...(staged.egress.allowed ? [] : [`egress of ${from}: ${explainSide(staged.egress, 'egress', to)}`]),
    ...(staged.ingress.allowed ? [] : [`ingress of ${to}: ${explainSide(staged.ingress, 'ingress', from)}`]),
  ];
  return `staged: would deny: ${sides.length > 0 ? sides.join('; and ') : 'the destination has no such port'}`;
}

/** `2 staged policies enforced too`. */
export function stagedWords(r: FlowReplay): string {
  return `with the ${plural(r.stagedPolicies.length, 'staged policy', 'staged policies')} enforced too`;
}

/** The counts of a replay in one line (without the command's name). */
export function replayHeadline(r: FlowReplay): string {
  const s = r.summary;
  return `${plural(s.observed, 'observed connection', 'observed connections')}: ${s.blocked} blocked, ${s.allowed} allowed, `
    + `${s.notReplayed} not replayed; never observed: ${plural(s.neverObserved, 'pair', 'pairs')} allowed by rules, ${s.openNeverObserved} open`
    + (r.stagedPolicies.length > 0 ? `; staged: would block ${s.stagedBlocked}` : '');
}

/** What the flow reader did, in one line: the input, its format, the lines by what became of them. */
export function flowsLine(f: FlowReadSummary): string {
  const folded = f.folded.reduce((n, x) => n + x.count, 0);
  const parts = [
    plural(f.lines, 'line', 'lines'),
    plural(f.records, 'record', 'records'),
    `${folded} folded${folded > 0 ? ` (${f.folded.map((x) => `${x.reason} ${x.count}`).join(', ')})` : ''}`,
    `${f.invalid} invalid${f.invalid > 0 ? ' (skipped)' : ''}`,
  ];
  if (f.lostEvents > 0) parts.push(`Hubble lost ${plural(f.lostEvents, 'event', 'events')}, so the observation is incomplete`);
  if (f.ignoredFields.length > 0) parts.push(`ignored fields: ${f.ignoredFields.join(', ')}`);
  return `${f.source}${f.format ? ` (${f.format})` : ''}: ${parts.join(', ')}`;
}

/** `from -> to`, with what each end is when it is not a workload of the manifests. */
export function pairTitle(p: ReplayPair): string {
  return `${p.from}${endKindNote(p.fromKind)} -> ${p.to}${endKindNote(p.toKind)}`;
}

/** ` (undeclared workload)`, ` (DNS server)`, ...: what an end is, after its id; nothing for a workload of the manifests. */
export function endKindNote(kind: ObservedEndKind): string {
  return kind === ObservedEndKind.WORKLOAD ? '' : ` (${END_WORDS[kind]})`;
}

/** What an end is, in words: `undeclared workload`, `DNS server`, `address outside the cluster`. */
export function endKindWords(kind: ObservedEndKind): string {
  return END_WORDS[kind];
}

/** An observed connection by the ids of the flows: `host -> shop/web on 8080/TCP`. */
export function observedTitle(c: ObservedConnection): string {
  return `${c.source.id} -> ${c.destination.id} on ${c.port}/${c.protocol}`;
}

/** `8080/TCP` of a replayed connection. */
export function connectionPort(c: ReplayedConnection): string {
  return `${c.port}/${c.protocol}`;
}

/** How often a connection was seen, and what the network did: `seen 3 times (FORWARDED 2, DROPPED 1)`. */
export function seen(c: ObservedConnection): string {
  return `seen ${c.count === 1 ? 'once' : `${c.count} times`}${c.verdicts.length > 0 ? ` (${verdictCounts(c.verdicts)})` : ''}`;
}

/** `FORWARDED 2, DROPPED 1`. */
export function verdictCounts(verdicts: readonly VerdictCount[]): string {
  return verdicts.map((v) => `${v.verdict} ${v.count}`).join(', ');
}

/**
 * What a connection that cannot be replayed risks when its modelled end is isolated: only an ipBlock
 * rule with the other end's address can allow it.
 */
export function notReplayedRisk(n: NotReplayedConnection): string {
  const source = n.observed.source;
  const destination = n.observed.destination;
  const [mine, other, side] = source.kind !== ObservedEndKind.HOST && (source.kind !== ObservedEndKind.EXTERNAL || source.ip !== undefined)
    ? [source.id, destination.id, 'egress'] : [destination.id, source.id, 'ingress'];
  return `${side} of ${mine} is isolated by ${n.isolatingPolicies.join(', ')}: only an ipBlock rule with the address of ${other} can allow it, `
    + 'which the replay cannot check, so it may be blocked';
}

/** Why a never-observed connection is allowed: the rules, and the sides no policy isolates. */
export function unobservedWhy(u: UnobservedConnection): string {
  const parts: string[] = [];
  if (u.allowedBy.length > 0) parts.push(`allowed by ${u.allowedBy.map(TextFormat.rule).join(', ')}`);
  if (u.notIsolated.length > 0) {
    const sides = u.notIsolated.map((d) => (d === Direction.EGRESS ? `egress of ${u.from}` : `ingress of ${u.to}`));
    parts.push(`not isolated: ${sides.join(', ')}`);
  }
  return parts.join('; ');
}

function labelText(labels: { [key: string]: string }): string {
  const entries = Object.entries(labels);
  return entries.length === 0 ? '(none)' : entries.map(([k, v]) => `${k}=${v}`).join(',');
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
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

/** A side the NetworkPolicies decided (or nothing did), short. */
function networkPolicyVerdict(v: SideVerdict): string {
  switch (v.decision) {
    case SideDecision.ALLOWED: return `allowed by ${v.allowedBy.map(TextFormat.rule).join(', ')}`;
    case SideDecision.DENIED:
      return v.deniedBy ? `denied by the deny rule ${TextFormat.rule(v.deniedBy)}` : `denied (isolated by ${v.isolatingPolicies.join(', ')})`;
    case SideDecision.NOT_ISOLATED: return 'not isolated';
    case SideDecision.OUTSIDE_CLUSTER: return 'outside the cluster';
  }
  throw new Error(`unknown side decision ${JSON.stringify(v.decision)}`);
}

/** One side of an explanation, in a sentence. */
function explainSide(side: SideVerdict, direction: string, other: string): string {
  if (side.ownNode) {
    const np = side.isolated ? `isolated by ${side.isolatingPolicies.join(', ')}, which allow nothing from ${other}; ` : '';
    return `${np}ALLOWED: ${other} is its own node, and ${OWN_NODE_REASON}`;
  }
  if (side.decidedBy) {
    const by = TextFormat.tierRule(side.decidedBy);
    const np = side.isolated ? ` (before the NetworkPolicies ${side.isolatingPolicies.join(', ')})` : '';
    return `${side.allowed ? 'ALLOWED' : 'DENIED'} by ${by}${side.decidedBy.tier === DecisionTier.ADMIN ? np : ', as no NetworkPolicy isolates it'}`;
  }
  const passed = side.passedBy ? `passed on by ${TextFormat.tierRule(side.passedBy)}; ` : '';
  if (side.tier === DecisionTier.DEFAULT && side.passedBy) return `${passed}not isolated and no Baseline rule decides, so the default allows it`;
  return `${passed}${explainNetworkPolicySide(side, direction, other)}`;
}

function explainNetworkPolicySide(side: SideVerdict, direction: string, other: string): string {
  switch (side.decision) {
    case SideDecision.OUTSIDE_CLUSTER: return 'outside the cluster, not policed';
    case SideDecision.NOT_ISOLATED: return side.selectedWithoutDefaultDeny !== undefined
      ? `not isolated (selected by ${side.selectedWithoutDefaultDeny.join(', ')} with enableDefaultDeny.${direction}: false, which does not isolate it: `
        + 'its allow rules add allows, and its deny rules still apply, but none matches this traffic), so it is allowed'
      : `not isolated (no policy selects it for ${direction}), so everything is allowed`;
    case SideDecision.DENIED:
      if (side.deniedBy) {
        return `${side.isolated ? `isolated by ${side.isolatingPolicies.join(', ')}; ` : ''}DENIED by the deny rule ${TextFormat.rule(side.deniedBy)}, `
          + 'which takes precedence over every allow';
      }
      return `isolated by ${side.isolatingPolicies.join(', ')}; DENIED: no rule of these policies allows this traffic ${direction === 'egress' ? 'to' : 'from'} ${other}`;
    case SideDecision.ALLOWED:
      return `isolated by ${side.isolatingPolicies.join(', ')}; allowed by ${side.allowedBy.map((r) => `${TextFormat.rule(r)}${r.byIpBlock ? ' (ipBlock)' : ''}`).join(', ')}`;
  }
  throw new Error(`unknown side decision ${JSON.stringify(side.decision)}`);
}

/** One invariant's result in text: `PASS name: statement`, and for a failure its counterexample, indented. */
export function invariantLines(r: InvariantResult): string[] {
  const lines = [`${r.holds ? 'PASS' : 'FAIL'} ${r.name}: ${r.statement}${r.where ? ` (${r.where})` : ''}`];
  if (r.problem) lines.push(`  ${r.problem}`);
  if (r.violation) {
    const v = r.violation;
    const range = v.ports !== v.port ? ` (and every port of ${v.ports})` : '';
    lines.push(`  counterexample: ${v.from} -> ${v.to} on ${v.port}${range} is allowed${v.guessed ? ` (${guessedWords(v)})` : ''}`);
    const none = v.explanation.ingress.ownNode ? `no rule: ${OWN_NODE_REASON}` : 'no rule: neither side is isolated';
    lines.push(`  allowed by: ${v.allowedBy.length > 0 ? v.allowedBy.map(TextFormat.rule).join(', ') : none}`);
    lines.push(`    egress of ${v.from}: ${explainSide(v.explanation.egress, 'egress', v.to)}`);
    lines.push(`    ingress of ${v.to}: ${explainSide(v.explanation.ingress, 'ingress', v.from)}`);
  }
  for (const note of r.notes ?? []) lines.push(`  note: ${note}`);
  return lines;
}

/** What a group of a grouped matrix stands for, after its size: a class's first member, a workload's rule. */
function groupDetail(groupBy: GroupKey, group: MatrixGroup): string {
  if (groupBy === 'class') return `, e.g. ${group.first}`;
  if (groupBy !== 'workload') return '';
  if (group.rule === 'workload') return ` (${group.kind})`;
  if (group.rule === 'label') return ` (by label ${group.label})`;
  return group.kind === 'External' ? ' (outside the cluster)' : ` (the ${group.kind} itself: no workload, no app label)`;
}
