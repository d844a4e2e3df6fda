import { PolicyCounts } from './counts';
import { PreparedSize } from './workspace';

/** One scenario at one size, as measured by its child process. */
export interface ScenarioRecord {
  readonly size: number;
  readonly id: string;
  readonly label: string;
  readonly medianMs?: number;
  /** The median CPU time (user + system of the process) of the counted runs. */
  readonly cpuMedianMs?: number;
  readonly samples?: number[];
  readonly warmups?: number[];
  readonly parts?: Record<string, number>;
  readonly peakMiB?: number;
  readonly skipped?: string;
  readonly estimateMs?: number;
  readonly error?: string;
  readonly info: Record<string, any>;
}

/** Two scenarios timed alternately in one process. */
export interface PairRecord {
  /** The median of the per-pair ratios. */
  readonly ratio: number;
  readonly ratios: number[];
  readonly medianA: number;
  readonly medianB: number;
  /** The median of the per-pair ratios of CPU time (user + system of the process). */
  readonly cpuRatio?: number;
  readonly cpuRatios?: number[];
  /** Each side's median CPU time (ms). */
  readonly medianCpuA?: number;
  readonly medianCpuB?: number;
  readonly error?: string;
}

/** Everything measured at one size. */
export interface SizeRecord {
  readonly size: number;
  readonly prepared?: PreparedSize;
  readonly prepareError?: string;
  readonly scenarios: Record<string, ScenarioRecord>;
  /** Paired timings by `<id>/<over>`. */
  readonly pairs: Record<string, PairRecord>;
}

/** A ratio of two scenarios' medians at the same size, measured in the same run. */
export interface RatioRecord {
  readonly size: number;
  readonly id: string;
  readonly over: string;
  /** The timed part of `over` used, if not its whole run. */
  readonly part?: string;
  readonly ratio: number;
  /** True when one side is an extrapolated estimate or a single run. */
  readonly estimate: boolean;
  /** True when both sides were timed alternately in one process (else: a ratio of the two medians). */
  readonly paired: boolean;
  /** The ratio of CPU time, when both sides were timed alternately in one process. */
  readonly cpuRatio?: number;
}

/** A target of the issue and whether this run meets it. */
export interface TargetRecord {
  readonly target: string;
  readonly status: 'PASS' | 'FAIL' | 'N/A';
  readonly detail: string;
}

/**
 * The ratios reported: `id` over `over`, both at the same size. The naive reference runs on a
 * model built beforehand, so it is compared with the matrix computation alone (`matrix()`, timed
 * in the naive child on the same model), not with model + matrix.
 */
export const RATIOS: ReadonlyArray<{ id: string; over: string; part?: 'matrix' }> = [
  { id: 'floor-synth', over: 'floor-yaml' },
  { id: 'library-synth', over: 'floor-synth' },
  { id: 'library-synth+stack', over: 'floor-synth' },
  { id: 'library-yaml', over: 'floor-synth' },
  { id: 'library-yaml+stack', over: 'floor-synth' },
  { id: 'alt-synth', over: 'floor-synth' },
  { id: 'alt-workloads', over: 'floor-synth' },
  { id: 'validate', over: 'parse' },
  { id: 'validate-only', over: 'parse' },
  { id: 'matrix', over: 'analysis-parse' },
  { id: 'matrix-tiers', over: 'matrix' },
  { id: 'naive', over: 'matrix', part: 'matrix' },
  { id: 'blast-radius', over: 'matrix' },
];

/**
 * The scenarios `--only ids` measures: the ones given and, for each, the scenario its ratio is
 * over (`RATIOS`, whole runs only), so a ratio is always the two sides timed alternately in one
 * process of the same run, never a figure of this run over one of another.
 */
export function withRatioPartners(ids: readonly string[]): string[] {
  const out = new Set(ids);
  for (const { id, over, part } of RATIOS) if (!part && ids.includes(id)) out.add(over);
  return [...out];
}

/** The time of a scenario: its median; when it was cut short, its one run or its estimate (marked as approximate). */
function timeOf(record: ScenarioRecord | undefined): { ms: number; estimate: boolean } | undefined {
  if (!record || record.error) return undefined;
  if (record.medianMs !== undefined) return { ms: record.medianMs, estimate: record.skipped !== undefined }; // skipped: one run only
  if (record.estimateMs !== undefined) return { ms: record.estimateMs, estimate: true };
  return undefined;
}

/** Every ratio that both sides were measured for. */
export function computeRatios(sizes: readonly SizeRecord[]): RatioRecord[] {
  const out: RatioRecord[] = [];
  for (const s of sizes) {
    for (const { id, over, part } of RATIOS) {
      const pair = s.pairs[`${id}/${over}`];
      if (pair && !pair.error) {
        const cpu = pair.cpuRatio !== undefined ? { cpuRatio: pair.cpuRatio } : {};
        out.push({ size: s.size, id, over, ratio: pair.ratio, estimate: false, paired: true, ...cpu });
        continue;
      }
      const a = timeOf(s.scenarios[id]);
      const partMs = part ? s.scenarios[id]?.info.matrixMs as number | undefined : undefined;
      const b = part ? (partMs !== undefined ? { ms: partMs, estimate: false } : undefined) : timeOf(s.scenarios[over]);
      if (a && b && b.ms > 0) {
        out.push({ size: s.size, id, over, part, ratio: a.ms / b.ms, estimate: a.estimate || b.estimate, paired: part !== undefined });
      }
    }
  }
  return out;
}

const fmtMs = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));
const fmtRatio = (r: number) => (r >= 100 ? r.toFixed(0) : r >= 10 ? r.toFixed(1) : r.toFixed(2));
const n = (v: unknown) => (typeof v === 'number' ? v.toLocaleString('en-US') : String(v));
const sampled = (i: Record<string, any>) => `${i.sampleMismatches} in ${n(i.sampledPairs)} sampled pairs`;

/** The notes column: counts and checks of a scenario. */
function notes(s: SizeRecord, r: ScenarioRecord): string {
  const lib = s.prepared?.library;
  const counts = (c: Pick<PolicyCounts, 'policies' | 'rules'>) => `${n(c.policies)} NetworkPolicies, ${n(c.rules)} rules`;
  const parts = r.parts ? Object.entries(r.parts).map(([k, v]) => `${k} ${fmtMs(v)} ms`).join(' + ') : '';
  const i = r.info;
  switch (r.id) {
    case 'floor-synth':
    case 'library-synth':
    case 'library-synth+stack':
      return lib ? `${counts(lib)} (${n(lib.mergedRules)} with merged peers) in ${n(s.prepared!.files)} file(s), ${(s.prepared!.yamlBytes / 1048576).toFixed(1)} MiB` : '';
    case 'alt-synth':
      return i.policies !== undefined ? `${counts(i as PolicyCounts)} (+${n(i.objects - i.policies)} Deployments)` : '';
    case 'validate':
      return `${n(i.checked)} checked, ${n(i.errors)} errors, ${n(i.warnings)} warnings; ${parts}`;
    case 'matrix':
      return `${n(i.pods)} pods x ${n(i.policies)} policies; ${parts}; ${n(i.allowedPairs)} allowed pairs`;
    case 'matrix-tiers':
      return `${n(i.pods)} pods x ${n(i.policies)} policies + ${n(i.clusterPolicies)} cluster-wide; ${parts}; ${n(i.allowedPairs)} allowed pairs`;
    case 'check':
      return `${n(i.rules)} rules (${n(i.holds)} hold) over ${n(i.ports)} ports; ${parts}`;
    case 'blast-radius':
      return `from ${i.from}: ${n(i.reached)} endpoints reached, ${n(i.deepest)} hops at most; ${parts}`;
    case 'diff':
      return `${n(i.ports)} ports compared; ${parts}; ${n(i.opened)} connections opened, ${n(i.closed)} closed`;
    case 'naive':
      return `${n(i.pairs)} pairs, ${Number(i.perPairUs).toFixed(1)} us/pair; matrix() ${fmtMs(Number(i.matrixMs))} ms on the same model; `
        + `mismatches vs matrix: ${i.mismatches ?? sampled(i)}`;
    default:
      return parts;
  }
}

/** The table: size, scenario, median ms, CPU ms, runs, peak MiB, ratio, notes. */
export function formatTable(sizes: readonly SizeRecord[], ratios: readonly RatioRecord[]): string {
  const header = ['size', 'scenario', 'median ms', 'CPU ms', 'runs', 'peak MiB', 'ratio', 'notes'];
  const rows: string[][] = [];
  for (const s of sizes) {
    if (s.prepareError) rows.push([n(s.size), 'prepare', 'ERROR', '', '', '', '', s.prepareError.split('\n')[0]]);
    for (const r of Object.values(s.scenarios)) {
      const ratio = ratios.find((x) => x.size === s.size && x.id === r.id);
      const over = ratio?.part ? `${ratio.over}()` : ratio?.over;
      const cpu = ratio?.cpuRatio !== undefined ? ` (CPU ${fmtRatio(ratio.cpuRatio)}x)` : '';
      const ratioText = ratio ? `${ratio.estimate ? '~' : ''}${fmtRatio(ratio.ratio)}x ${over}${cpu}${ratio.estimate ? ' (est.)' : ratio.paired ? '' : ' *'}` : '';
      let time = r.medianMs !== undefined ? fmtMs(r.medianMs) : '';
      if (r.error) time = 'ERROR';
      else if (r.skipped) time = r.estimateMs !== undefined ? `skipped (est. ${(r.estimateMs / 1000).toFixed(0)} s)` : `${time} (1 run)`;
      const stackNote = r.id.endsWith('+stack') ? 'the default stack overflows (see the row above); re-run with a larger stack to show the cost' : '';
      const note = r.error ? r.error.split('\n')[0] : [r.estimateMs === undefined ? r.skipped : '', stackNote, notes(s, r)].filter((x) => x).join('; ');
      rows.push([
        n(s.size), `${r.id}: ${r.label.replace(/^[^:]*: /, '')}`, time, r.cpuMedianMs !== undefined && !r.error ? fmtMs(r.cpuMedianMs) : '',
        r.samples ? String(r.samples.length) : '',
        r.peakMiB !== undefined ? r.peakMiB.toFixed(0) : '', ratioText, note,
      ]);
    }
  }
  const notesColumn = header.length - 1;
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => (c === notesColumn ? 0 : row[c].length))));
  const line = (cells: string[]) => cells.map((cell, c) => (c >= 2 && c <= 5 ? cell.padStart(widths[c]) : c === notesColumn ? cell : cell.padEnd(widths[c]))).join(' | ');
  const legend = 'median ms: median of the counted runs after warm-up (runs: how many); CPU ms: their median CPU time (user + system of the process, '
    + 'all its threads), which other processes on a loaded machine move less; peak MiB: maxRSS of the scenario\'s own process (baseline included); '
    + 'ratio: median of per-pair ratios, both scenarios timed alternately in one process (* = ratio of the two medians; ~ = estimate or single run)';
  return [line(header), widths.map((w, c) => (c === notesColumn ? '-----' : '-'.repeat(w))).join('-|-'), ...rows.map(line), '', legend].join('\n');
}

/** Emitted objects per approach and size (the same intent). */
export function formatCounts(sizes: readonly SizeRecord[]): string {
  const lines = ['size  | approach        | NetworkPolicies | rules   | rules with merged peers'];
  for (const s of sizes) {
    const lib = s.prepared?.library;
    const alt = s.scenarios['alt-synth'];
    if (lib) lines.push(`${String(s.size).padEnd(5)} | cdk8s-netpol    | ${n(lib.policies).padStart(15)} | ${n(lib.rules).padStart(7)} | ${n(lib.mergedRules)}`);
    if (alt && alt.info.policies !== undefined) {
      lines.push(`${String(s.size).padEnd(5)} | cdk8s-plus-28   | ${n(alt.info.policies).padStart(15)} | ${n(alt.info.rules).padStart(7)} | ${n(alt.info.mergedRules)}`);
    } else if (alt) {
      lines.push(`${String(s.size).padEnd(5)} | cdk8s-plus-28   | ${(alt.skipped ?? alt.error ?? 'not counted').split('\n')[0]}`);
    }
  }
  return lines.join('\n');
}

/** The targets of the issue, evaluated on this run. */
export function evaluateTargets(sizes: readonly SizeRecord[], ratios: readonly RatioRecord[]): TargetRecord[] {
  const at = (size: number) => sizes.find((s) => s.size === size);
  const ratio = (size: number, id: string) => ratios.find((r) => r.size === size && r.id === id);
  const targets: TargetRecord[] = [];
  const na = (target: string, detail: string): TargetRecord => ({ target, status: 'N/A', detail });
  const check = (target: string, ok: boolean, detail: string): TargetRecord => ({ target, status: ok ? 'PASS' : 'FAIL', detail });

  const t1 = 'library synth (validation on) at 1,000 services within 2x of the bare-ApiObject floor';
  const r1 = ratio(1000, 'library-synth');
  targets.push(r1 ? check(t1, r1.ratio <= 2, `${fmtRatio(r1.ratio)}x (library ${fmtMs(at(1000)!.scenarios['library-synth'].medianMs!)} ms, floor ${fmtMs(at(1000)!.scenarios['floor-synth'].medianMs!)} ms)`)
    : na(t1, 'size 1,000 not measured'));

  const t2 = '5,000 services synthesize in under 1 GiB peak memory';
  const lib5k = at(5000)?.scenarios['library-synth'];
  const big5k = at(5000)?.scenarios['library-synth+stack'];
  if (!lib5k) {
    targets.push(na(t2, 'size 5,000 not measured'));
  } else if (lib5k.error) {
    const retry = big5k && big5k.peakMiB !== undefined && !big5k.error ? `; with a larger stack it would take ${fmtMs(big5k.medianMs!)} ms and ${big5k.peakMiB.toFixed(0)} MiB` : '';
    targets.push(check(t2, false, `the synth fails: ${lib5k.error.split('\n')[0]}${retry}`));
  } else {
    targets.push(check(t2, lib5k.peakMiB! < 1024, `${lib5k.peakMiB!.toFixed(0)} MiB peak RSS (child process)`));
  }

  const counted = sizes.filter((s) => s.prepared && s.scenarios['alt-synth']?.info.policies !== undefined);
  const t3 = 'never more NetworkPolicies than cdk8s-plus-28 for the same intent';
  targets.push(counted.length === 0 ? na(t3, 'cdk8s-plus-28 not counted') : check(t3,
    counted.every((s) => s.prepared!.library.policies <= s.scenarios['alt-synth'].info.policies),
    counted.map((s) => `${n(s.size)}: ${n(s.prepared!.library.policies)} vs ${n(s.scenarios['alt-synth'].info.policies)}`).join('; ')));
  const t4 = 'fewer rules than cdk8s-plus-28 where merging is possible';
  const mergeable = counted.filter((s) => s.prepared!.library.mergedRules > 0);
  targets.push(mergeable.length === 0 ? na(t4, 'no size with merge opportunities counted') : check(t4,
    mergeable.every((s) => s.prepared!.library.rules < s.scenarios['alt-synth'].info.rules),
    mergeable.map((s) => `${n(s.size)}: ${n(s.prepared!.library.rules)} vs ${n(s.scenarios['alt-synth'].info.rules)}`).join('; ')));

  const t5 = 'full matrix at 5,000 pods / all policies under 10 s';
  const m5k = at(5000)?.scenarios.matrix;
  targets.push(m5k && m5k.medianMs !== undefined && !m5k.error
    ? check(t5, m5k.medianMs < 10_000, `${fmtMs(m5k.medianMs)} ms (${n(m5k.info.pods)} pods, ${n(m5k.info.policies)} policies)`)
    : na(t5, 'size 5,000 not measured'));

  const tc = 'check of 20 rules (every port that matters, model included) at 5,000 services under 10 s';
  const c5k = at(5000)?.scenarios.check;
  targets.push(c5k && c5k.medianMs !== undefined && !c5k.error
    ? check(tc, c5k.medianMs < 10_000, `${fmtMs(c5k.medianMs)} ms (${n(c5k.info.rules)} rules over ${n(c5k.info.ports)} ports; ${n(c5k.info.holds)} hold)`)
    : na(tc, 'size 5,000 not measured'));

  const t6 = 'matrix >= 50x faster than the naive reference (explain() per pair) at the largest size where the naive one ran in full';
  const naiveOf = (r: RatioRecord) => at(r.size)!.scenarios.naive;
  const ran = ratios.filter((r) => r.id === 'naive' && !r.estimate).sort((a, b) => b.size - a.size);
  const describeRun = (r: RatioRecord) => {
    const naive = naiveOf(r);
    const over = naive.info.withinLimit === false ? ', over a minute' : '';
    return `${fmtRatio(r.ratio)}x at ${n(r.size)} (naive ${fmtMs(naive.medianMs!)} ms${over}, matrix() ${fmtMs(naive.info.matrixMs)} ms on the same model)`;
  };
  const others = [
    ...ran.slice(1).map(describeRun),
    ...ratios.filter((r) => r.id === 'naive' && r.estimate).map((r) => `~${fmtRatio(r.ratio)}x at ${n(r.size)} (est. from sampled pairs)`),
  ];
  targets.push(ran.length > 0
    ? check(t6, ran[0].ratio >= 50, `${describeRun(ran[0])}${others.length ? `; ${others.join('; ')}` : ''}`)
    : na(t6, `the naive reference never ran in full${others.length ? `; ${others.join('; ')}` : ''}`));

  const t7 = 'validation (parse + validate, as `netpol validate`) within 2x of parsing';
  const v = ratios.filter((r) => r.id === 'validate');
  targets.push(v.length === 0 ? na(t7, 'not measured') : check(t7, v.every((r) => r.ratio <= 2),
    v.map((r) => `${n(r.size)}: ${fmtRatio(r.ratio)}x (validateManifests alone ${fmtRatio(ratio(r.size, 'validate-only')?.ratio ?? NaN)}x)`).join('; ')));

  const t8 = 'mixed-tier matrix (Admin and Baseline tiers over the NetworkPolicies) at 5,000 services within 2x of the plain matrix';
  const tiers5k = ratio(5000, 'matrix-tiers');
  targets.push(tiers5k ? check(t8, tiers5k.ratio <= 2, `${fmtRatio(tiers5k.ratio)}x (${fmtMs(at(5000)!.scenarios['matrix-tiers'].medianMs!)} ms)`)
    : na(t8, 'size 5,000 not measured'));
  return targets;
}

/** The targets as lines with PASS/FAIL in front. */
export function formatTargets(targets: readonly TargetRecord[]): string {
  return targets.map((t) => `${t.status.padEnd(4)}  ${t.target}: ${t.detail}`).join('\n');
}
