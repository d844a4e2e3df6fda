import { BlastRadius } from '../analysis/blast-radius';
import { ChangedConnection } from '../analysis/changed-connection';
import { ReachabilityDiff } from '../analysis/diff-report';
import { Explanation } from '../analysis/explanation';
import { Exposure } from '../analysis/exposure';
import { GroupedDiff } from '../analysis/grouped-diff';
import { GroupedMatrix } from '../analysis/grouped-matrix';
import { HostNetworkMode } from '../analysis/host-network-mode';
import { InvariantReport } from '../analysis/invariants';
import { ReachabilityMatrix } from '../analysis/reachability-matrix';
import { FlowReplay, ReplayPair, UnobservedConnection } from '../analysis/replay';
import { describeRule, RuleReference, SideDecision, SideVerdict, TierRuleReference } from '../analysis/verdict';
import { FlowReadSummary, ObservedEnd } from '../flows/observed';
import { Direction } from '../model/direction';
import { ManifestValidationReport } from '../validation/validate-manifests';

/** The words of a side's decision in the diff's JSON (`verdict`). */
const DECISION_WORDS: Record<SideDecision, string> = {
  [SideDecision.ALLOWED]: 'allowed',
  [SideDecision.DENIED]: 'denied',
  [SideDecision.NOT_ISOLATED]: 'not isolated',
  [SideDecision.OUTSIDE_CLUSTER]: 'outside the cluster',
};

/**
 * JSON for tools, as `netpol ... --format json` prints it: every method returns a plain JSON value
 * (objects, arrays, strings, numbers, booleans, null) of a stable shape, for `JSON.stringify`.
 *
 * @example
 * JSON.stringify(JsonFormat.diff(Reachability.diff(before, after)), null, 2);
 * JsonFormat.matrix(r.matrix(Port.tcp(8080))).allowed['shop/frontend']['shop/backend']; // true
 */
export class JsonFormat {
  /**
   * `{ port, protocol, endpoints, allowed: { <from>: { <to>: boolean } } }`, where `port` is the
   * number or the container port name, plus `hostNetwork: { mode: 'node' | 'pod', endpoints }`
   * when some endpoints are hostNetwork pods.
   */
  public static matrix(m: ReachabilityMatrix): any {
    const allowed: Record<string, Record<string, boolean>> = {};
    for (const from of m.endpoints) {
      const row: Record<string, boolean> = {};
      m.allowedRow(from).forEach((cell, d) => (row[m.endpoints[d]] = cell));
      allowed[from] = row;
    }
    const hostNetwork = m.hostNetworkEndpoints.length > 0
      ? { hostNetwork: { mode: m.hostNetworkMode === HostNetworkMode.NODE_TRAFFIC ? 'node' : 'pod', endpoints: [...m.hostNetworkEndpoints] } }
      : {};
    return { port: m.portNumber ?? m.portName, protocol: m.protocol, endpoints: [...m.endpoints], allowed, ...hostNetwork };
  }

  /**
   * A grouped diff (`netpol diff --group-by`) as JSON text, written in pieces as it is computed (one
   * line per cell): `{ ports, groupBy, opened, closed, addedEndpoints, removedEndpoints, groups:
   * [{ name, endpoints, first }], cells: [{ from, to, opened, closed }] }`, with a cell for every
   * ordered pair of groups with a change, in the order of `groups` (a pair not listed has nothing
   * opened or closed); `opened`/`closed` count endpoint pairs (connections).
   * @internal
   */
  public static _streamGroupedDiff(g: GroupedDiff, write: (text: string) => void): void {
    const { opened, closed } = g.totals;
    write(`{"ports":${JSON.stringify(g.ports)},"groupBy":${JSON.stringify(g.groupBy)},"opened":${opened},"closed":${closed},`
      + `"addedEndpoints":${g.added},"removedEndpoints":${g.removed},"groups":${JSON.stringify(g.groups)},"cells":[`);
    const names = new Map(g.groups.map((group) => [group.name, JSON.stringify(group.name)]));
    writeCells(g.groups.length, (i) => g.cellsFrom(i), write,
      (c) => `{"from":${names.get(c.from)},"to":${names.get(c.to)},"opened":${c.opened},"closed":${c.closed}}`);
  }

  /**
   * A grouped matrix (`netpol matrix --group-by`) as JSON text, written in pieces as it is computed
   * (one line per cell): `{ port, groupBy, groups: [{ name, endpoints, first }], cells: [{ from, to,
   * allowed, pairs }] }`, with a cell for every ordered pair of groups with at least one allowed
   * endpoint pair, in the order of `groups`: a pair not listed has no allowed connection (its denied
   * pairs are the `endpoints` of one group times those of the other). So the output grows with the
   * allowed pairs, not with the square of the groups.
   * By workload, each group also has `rule` (`workload`, `label` or `endpoint`: `WorkloadRule`) and
   * `kind` (rules `workload` and `endpoint`) or `label` (the label key, rule `label`).
   * @internal
   */
  public static _streamGroupedMatrix(g: GroupedMatrix, port: string, write: (text: string) => void): void {
    write(`{"port":${JSON.stringify(port)},"groupBy":${JSON.stringify(g.groupBy)},"groups":${JSON.stringify(g.groups)},"cells":[`);
    // Each name escaped once, not once per cell: at cluster scale there are millions of cells.
    const names = new Map(g.groups.map((group) => [group.name, JSON.stringify(group.name)]));
    writeCells(g.groups.length, (i) => g.cellsFrom(i), write,
      (c) => `{"from":${names.get(c.from)},"to":${names.get(c.to)},"allowed":${c.allowed},"pairs":${c.pairs}}`);
  }

  /**
   * `{ from, to, port, allowed, loopback, egress, ingress, notes }`, each side as `JsonFormat.verdict`
   * gives it, plus `staged: { allowed, egress, ingress, notes }` (the verdict with the staged
   * policies enforced too) when the input has staged policies.
   */
  public static explanation(e: Explanation): any {
    return {
      from: e.from,
      to: e.to,
      port: e.port,
      allowed: e.allowed,
      loopback: e.loopback,
      egress: JsonFormat.verdict(e.egress),
      ingress: JsonFormat.verdict(e.ingress),
      notes: [...e.notes],
      ...(e.staged ? { staged: stagedJson(e.staged) } : {}),
    };
  }

  /**
   * `{ holds, ports, invariants: [{ name, kind, statement, where?, holds, problem?, violation?, notes? }] }`,
   * where a violation is `{ from, to, port, ports, allowedBy: [{ policy, direction, rule }], explanation, guessed?, guess? }`
   * (`explanation` as `JsonFormat.explanation`; `guessed: true` when it rests on a guess of what the
   * input leaves open, `guess` what in words, which `notes` explain).
   */
  public static invariants(report: InvariantReport): any {
    return {
      holds: report.holds,
      ports: [...report.ports],
      invariants: report.results.map((r) => ({
        name: r.name,
        kind: r.kind,
        statement: r.statement,
        ...(r.where !== undefined ? { where: r.where } : {}),
        holds: r.holds,
        ...(r.problem !== undefined ? { problem: r.problem } : {}),
        ...(r.violation ? {
          violation: {
            from: r.violation.from,
            to: r.violation.to,
            port: r.violation.port,
            ports: r.violation.ports,
            allowedBy: r.violation.allowedBy.map((a) => ({ policy: a.policy, direction: a.direction, rule: a.rule })),
            explanation: JsonFormat.explanation(r.violation.explanation),
            ...(r.violation.guessed ? { guessed: true } : {}),
            ...(r.violation.guess !== undefined ? { guess: r.violation.guess } : {}),
          },
        } : {}),
        ...(r.notes && r.notes.length > 0 ? { notes: [...r.notes] } : {}),
      })),
    };
  }

  /**
   * `{ workload, direction: 'ingress'|'egress', isolated, isolatingPolicies, peers: [{ kind, description,
   * namespace, namespaceSelector, podSelector, cidr, except, ports, rules: [{ policy, direction, rule,
   * byIpBlock }], tierRules? }], endpoints: [{ id, ports }], tierPolicies? }`; `kind` is `ANYONE`, `PODS`,
   * `ADDRESSES`, `NODES` or `DOMAIN_NAMES`, the fields that do not apply to a peer are `null`, and
   * `tierRules`/`tierPolicies` are there only when cluster-wide policies select the workload.
   */
  public static exposure(e: Exposure): any {
    return {
      workload: e.workload,
      direction: e.direction === Direction.INGRESS ? 'ingress' : 'egress',
      isolated: e.isolated,
      isolatingPolicies: [...e.isolatingPolicies],
      peers: e.peers.map((p) => ({
        kind: p.kind,
        description: p.description,
        namespace: p.namespace ?? null,
        namespaceSelector: p.namespaceSelector ?? null,
        podSelector: p.podSelector ?? null,
        cidr: p.cidr ?? null,
        except: p.except ? [...p.except] : null,
        ports: [...p.ports],
        rules: p.rules.map((r) => ({ policy: r.policy, direction: r.direction, rule: r.rule, byIpBlock: r.byIpBlock })),
        ...(p.tierRules ? { tierRules: p.tierRules.map((t) => ({ ...t })) } : {}),
      })),
      endpoints: e.endpoints.map((x) => ({ id: x.id, ports: [...x.ports] })),
      ...(e.tierPolicies ? { tierPolicies: [...e.tierPolicies] } : {}),
      ...(e.selectedWithoutDefaultDeny ? { selectedWithoutDefaultDeny: [...e.selectedWithoutDefaultDeny] } : {}),
    };
  }

  /**
   * `{ from, maxDepth, beyondMaxDepth, reached: [{ id, depth, external, path: [{ from, to, ports }] }] }`,
   * `maxDepth` `null` without a limit.
   */
  public static blastRadius(b: BlastRadius): any {
    return {
      from: b.from,
      maxDepth: b.maxDepth ?? null,
      beyondMaxDepth: b.beyondMaxDepth,
      reached: b.reached.map((r) => ({
        id: r.id, depth: r.depth, external: r.external, path: r.path.map((h) => ({ from: h.from, to: h.to, ports: [...h.ports] })),
      })),
    };
  }

  /**
   * One side's verdict: `{ allowed, isolated, isolatingPolicies, allowedBy: [{ policy, direction, rule, byIpBlock }], notPoliced }`
   * (a Cilium rule also has `kind`, `spec` for an item of `specs[]`, `l7Rules` and `entities`; a Cilium deny rule
   * that denied the side is `deniedBy`);
   * when a cluster-wide policy took part also `tier` (`ADMIN`, `NETWORK_POLICY`, `BASELINE`, `DEFAULT`),
   * `decidedBy` and `passedBy` (`{ kind, policy, tier, priority, direction, rule, ruleName, action }`);
   * `ownNode: true` when the other end is the pod's own node, always allowed whatever the policies.
   */
  public static verdict(v: SideVerdict): any {
    const tierRule = (r: TierRuleReference) => ({
      kind: r.kind,
      policy: r.policy,
      tier: r.tier,
      priority: r.priority,
      direction: r.direction,
      rule: r.rule,
      ruleName: r.ruleName ?? null,
      action: r.action,
    });
    return {
      allowed: v.allowed,
      isolated: v.isolated,
      isolatingPolicies: [...v.isolatingPolicies],
      ...(v.selectedWithoutDefaultDeny !== undefined ? { selectedWithoutDefaultDeny: [...v.selectedWithoutDefaultDeny] } : {}),
      allowedBy: v.allowedBy.map(ruleJson),
      notPoliced: v.notPoliced,
      ...(v.deniedBy ? { deniedBy: ruleJson(v.deniedBy) } : {}),
      ...(v.decidedBy || v.passedBy ? { tier: v.tier } : {}),
      ...(v.decidedBy ? { decidedBy: tierRule(v.decidedBy) } : {}),
      ...(v.passedBy ? { passedBy: tierRule(v.passedBy) } : {}),
      ...(v.ownNode ? { ownNode: true } : {}),
    };
  }

  /**
   * `{ summary: { opened, closed, addedEndpoints, removedEndpoints }, ports, opened: [{ from, to,
   * ports, before, after }], closed: [...], addedEndpoints, removedEndpoints }` (and `summary.l7Changed`,
   * `l7Changed: [...]` when layer-7 rules of allowed connections changed, and `notes: [...]` on how
   * the sides were read, e.g. the network plugin), where `before` and
   * `after` are `{ egress, ingress }` of `{ verdict, allowedBy, isolatedBy }`: `verdict` is
   * `allowed`, `denied`, `not isolated`, `outside the cluster` or `not explained (too many
   * changes)`, `allowedBy` the rules (`shop/api ingress[0]`), `isolatedBy` the isolating policies,
   * `deniedBy` the Cilium deny rule that denied the side, when one did, and `ownNode: true` when
   * the other end is the pod's own node, always allowed whatever the policies.
   */
  public static diff(d: ReachabilityDiff): any {
    return {
      summary: {
        opened: d.opened.length,
        closed: d.closed.length,
        ...(d.l7Changed.length > 0 ? { l7Changed: d.l7Changed.length } : {}),
        addedEndpoints: d.addedEndpoints.length,
        removedEndpoints: d.removedEndpoints.length,
      },
      ports: [...d.ports],
      opened: d.opened.map(changeJson),
      closed: d.closed.map(changeJson),
      ...(d.l7Changed.length > 0 ? { l7Changed: d.l7Changed.map(changeJson) } : {}),
      ...(d.notes.length > 0 ? { notes: [...d.notes] } : {}),
      addedEndpoints: [...d.addedEndpoints],
      removedEndpoints: [...d.removedEndpoints],
    };
  }

  /**
   * `{ checked, checkedClusterPolicies, findings: [{ severity, code, file, object, field, message }], silenced: [{ code,
   * file, object, field, message, reason }] }`, where a finding's message ends with its fix
   * (`... Fix: ...`) and `file` is null for an object not read from a file.
   */
  public static validation(report: ManifestValidationReport): any {
    const kind = (f: { kind?: string }) => (f.kind ? { kind: f.kind } : {});
    return {
      checked: report.checked,
      ...(report.checkedStaged > 0 ? { checkedStaged: report.checkedStaged } : {}),
      ...(report.checkedClusterPolicies > 0 ? { checkedClusterPolicies: report.checkedClusterPolicies } : {}),
      findings: report.findings.map((f) => ({
        severity: f.severity, code: f.code, file: f.file ?? null, ...kind(f), object: f.object, field: f.field, message: `${f.message}. Fix: ${f.fix}`,
      })),
      silenced: report.silenced.map((f) => ({
        code: f.code, file: f.file ?? null, ...kind(f), object: f.object, field: f.field, message: f.message, reason: f.reason,
      })),
    };
  }

  /**
   * `{ passed, summary: { observed, allowed, blocked, notReplayed, neverObserved, openNeverObserved,
   * unmappedEnds }, flows, blocked, allowed, neverObserved, openNeverObserved, notReplayed,
   * unmappedEnds, added }`: `flows` is the flow
   * reader's summary (`{ source, format, lines, records, connections, folded: [{ reason, count }],
   * invalid, invalidLines: [{ line, reason }], lostEvents, ignoredFields }`); `blocked` and `allowed`
   * are pairs `{ from, to, fromKind, toKind, connections: [{ port, protocol, count, verdicts:
   * [{ verdict, count }], allowed, egress, ingress, notes }] }` (each side as `JsonFormat.verdict`
   * gives it, `verdicts` what the network did with the observed attempts); `neverObserved` (allowed
   * by rules) and `openNeverObserved` (no policy isolates either end) are `[{ from, to, ports,
   * allowedBy: [{ policy, direction, rule, byIpBlock }], notIsolated: ['egress' | 'ingress'] }]`;
   * `notReplayed` is `[{ source: { kind, id }, destination: { kind, id }, port, protocol, count,
   * verdicts, reason, isolatingPolicies }]`; `unmappedEnds` is `[{ kind, id, reason,
   * connections }]`; `added` is `[{ id, kind, labels, assumedLabels, ip, dnsNames }]` (`labels` and
   * `ip` null when they do not apply). When the input has staged policies: `stagedPassed`,
   * `summary.stagedBlocked`, `stagedPolicies` (their ids), `stagedBlocked` (pairs, as `blocked`, of
   * the observed connections the staged policies would block), and on every connection `staged:
   * { allowed, egress, ingress, notes }`, the verdict with the staged policies enforced too.
   */
  public static replay(r: FlowReplay): any {
    const staged = r.stagedPolicies.length > 0;
    return {
      passed: r.passed,
      ...(staged ? { stagedPassed: r.stagedPassed } : {}),
      summary: {
        observed: r.summary.observed,
        allowed: r.summary.allowed,
        blocked: r.summary.blocked,
        notReplayed: r.summary.notReplayed,
        neverObserved: r.summary.neverObserved,
        openNeverObserved: r.summary.openNeverObserved,
        unmappedEnds: r.summary.unmappedEnds,
        ...(staged ? { stagedBlocked: r.summary.stagedBlocked } : {}),
      },
      ...(staged ? { stagedPolicies: [...r.stagedPolicies], stagedBlocked: r.stagedBlocked.map(pairJson) } : {}),
      flows: flowsJson(r.summary.flows),
      blocked: r.blocked.map(pairJson),
      allowed: r.allowed.map(pairJson),
      neverObserved: r.neverObserved.map(unobservedJson),
      openNeverObserved: r.openNeverObserved.map(unobservedJson),
      notReplayed: r.notReplayed.map((n) => ({
        source: endJson(n.observed.source),
        destination: endJson(n.observed.destination),
        port: n.observed.port,
        protocol: n.observed.protocol,
        count: n.observed.count,
        verdicts: n.observed.verdicts.map((v) => ({ verdict: v.verdict, count: v.count })),
        reason: n.reason,
        isolatingPolicies: [...n.isolatingPolicies],
      })),
      unmappedEnds: r.unmappedEnds.map((u) => ({ kind: u.kind, id: u.id, reason: u.reason, connections: u.connections })),
      added: r.added.map((a) => ({
        id: a.id,
        kind: a.kind,
        labels: a.labels === undefined ? null : { ...a.labels },
        assumedLabels: a.assumedLabels,
        ip: a.ip ?? null,
        dnsNames: [...(a.dnsNames ?? [])],
      })),
    };
  }

  private constructor() {}
}

/** The flow reader's summary as JSON. */
function flowsJson(f: FlowReadSummary): any {
  return {
    source: f.source,
    format: f.format ?? null,
    lines: f.lines,
    records: f.records,
    connections: f.connections,
    folded: f.folded.map((x) => ({ reason: x.reason, count: x.count })),
    invalid: f.invalid,
    invalidLines: f.invalidLines.map((l) => ({ line: l.line, reason: l.reason })),
    lostEvents: f.lostEvents,
    ignoredFields: [...f.ignoredFields],
  };
}

function unobservedJson(u: UnobservedConnection): any {
  return {
    from: u.from,
    to: u.to,
    ports: [...u.ports],
    allowedBy: u.allowedBy.map((x) => ({ policy: x.policy, direction: x.direction, rule: x.rule, byIpBlock: x.byIpBlock })),
    notIsolated: u.notIsolated.map((d) => d.toLowerCase()),
  };
}

function endJson(e: ObservedEnd): any {
  return { kind: e.kind, id: e.id };
}

function pairJson(p: ReplayPair): any {
  return {
    from: p.from,
    to: p.to,
    fromKind: p.fromKind,
    toKind: p.toKind,
    connections: p.connections.map((c) => ({
      port: c.port,
      protocol: c.protocol,
      count: c.observed.count,
      verdicts: c.observed.verdicts.map((v) => ({ verdict: v.verdict, count: v.count })),
      allowed: c.verdict.allowed,
      egress: JsonFormat.verdict(c.verdict.egress),
      ingress: JsonFormat.verdict(c.verdict.ingress),
      notes: [...c.verdict.notes],
      ...(c.staged ? { staged: stagedJson(c.staged) } : {}),
    })),
  };
}

/** The verdict with the staged policies enforced too: `{ allowed, egress, ingress, notes }`. */
function stagedJson(v: { allowed: boolean; egress: SideVerdict; ingress: SideVerdict; notes: string[] }): any {
  return { allowed: v.allowed, egress: JsonFormat.verdict(v.egress), ingress: JsonFormat.verdict(v.ingress), notes: [...v.notes] };
}

/** One side in the diff's shape. */
function diffSide(v: SideVerdict | undefined): any {
  if (v === undefined) return { verdict: 'not explained (too many changes)', allowedBy: [], isolatedBy: [] };
  return {
    verdict: DECISION_WORDS[v.decision],
    allowedBy: v.allowedBy.map(describeRule),
    isolatedBy: [...v.isolatingPolicies],
    ...(v.deniedBy ? { deniedBy: describeRule(v.deniedBy) } : {}),
    ...(v.ownNode ? { ownNode: true } : {}),
  };
}

function changeJson(c: ChangedConnection): any {
  return {
    from: c.from,
    to: c.to,
    ports: [...c.ports],
    before: { egress: diffSide(c.before?.egress), ingress: diffSide(c.before?.ingress) },
    after: { egress: diffSide(c.after?.egress), ingress: diffSide(c.after?.ingress) },
  };
}

/** A rule reference: `{ policy, direction, rule, byIpBlock }`, and for a Cilium rule `kind`, `spec`, `l7Rules` (or `l7VoidedBy`) and `entities` where they apply. */
function ruleJson(r: RuleReference): any {
  return {
    policy: r.policy,
    direction: r.direction,
    rule: r.rule,
    byIpBlock: r.byIpBlock,
    ...(r.kind !== undefined ? { kind: r.kind } : {}),
    ...(r.spec !== undefined ? { spec: r.spec } : {}),
    ...(r.l7Rules ? { l7Rules: true } : {}),
    ...(r.l7VoidedBy !== undefined ? { l7VoidedBy: r.l7VoidedBy } : {}),
    ...(r.entities !== undefined ? { entities: [...r.entities] } : {}),
  };
}

/**
 * The `cells` of a streamed grouped result, one source group at a time (one `write` per source group
 * with cells, none for the others), then the closing `]}`: nothing is held but one group's cells.
 */
function writeCells<T extends object>(groups: number, cellsFrom: (i: number) => readonly T[], write: (text: string) => void,
  cellJson: (cell: T) => string): void {
  let first = true;
  for (let i = 0; i < groups; i++) {
    const lines = cellsFrom(i).map(cellJson);
    if (lines.length === 0) continue;
    write(`${first ? '' : ','}\n${lines.join(',\n')}`);
    first = false;
  }
  write('\n]}\n');
}
