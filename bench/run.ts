import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ChildRequest, runChild } from './child-process';
import { formatCluster, runClusterScale } from './cluster-run';
import { compileForChildren } from './compile';
import { FLOW_PEAK_RATIO_TARGET, FLOW_SERVICES, flowFile } from './flows';
import { BenchOptions, naiveLimitMs, parseOptions, runsFor, warmupsFor } from './options';
import {
  computeRatios, evaluateTargets, formatCounts, formatTable, formatTargets, PairRecord, RATIOS, ScenarioRecord, SizeRecord, TargetRecord,
  withRatioPartners,
} from './report';
import { SCENARIOS } from './scenarios';
import { PreparedSize, sizePaths } from './workspace';

/**
 * `npm run bench`: synth, validation and analysis at 100 / 1,000 / 5,000 services (issue 7).
 *
 * For each size, one child process prepares the inputs (the library's output, synthesized once,
 * untimed), then every scenario runs in its own child process (warm-up, then the median of several
 * runs; peak memory of that process), one after the other. Then each ratio's two scenarios are
 * timed alternately in one more child (pair by pair), and the ratio is the median of the pairs.
 * Prints the table, the emitted-object counts and the targets, and writes all of it to
 * bench/results.json. Options: see `USAGE` in options.ts.
 */

/** The slowest a child may be before it is stopped (ms). */
const CHILD_TIMEOUT_MS = 15 * 60_000;
/** Scenarios only measured from this size on (the analysis is about large clusters). */
const ANALYSIS_SCENARIOS = new Set(['analysis-parse', 'matrix', 'diff', 'blast-radius', 'naive']);
/**
 * A larger V8 stack (KiB, below the usual 8 MiB thread stack): for preparing, and to re-run a
 * scenario that overflowed the default stack (cdk8s resolves object dependencies recursively), so
 * the table still shows what it would cost once it no longer overflows.
 */
const LARGE_STACK_KIB = 4000;

function log(text: string): void {
  process.stderr.write(`${text}\n`);
}

function main(): number {
  let options: BenchOptions;
  try {
    options = parseOptions(process.argv.slice(2), path.join(__dirname, 'results.json'));
  } catch (e) {
    log((e as Error).message);
    return 2;
  }
  // `--only cluster` / `--only flows` run those parts alone; they run whenever --only is not given too.
  const unknown = (options.only ?? []).filter((id) => id !== 'cluster' && id !== 'flows' && !SCENARIOS.some((s) => s.id === id));
  if (unknown.length > 0) {
    log(`unknown scenario(s) ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.id).join(', ')}`);
    return 2;
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-netpol-bench-'));
  const started = Date.now();
  try {
    const entry = compileForChildren(path.join(__dirname, '..'), path.join(work, 'js'));
    if (options.cpuProfDir) fs.mkdirSync(options.cpuProfDir, { recursive: true });
    log(`cdk8s-netpol bench: sizes ${options.sizes.join(', ')}${options.quick ? ' (quick)' : ''}; node ${process.version}, ${os.cpus().length} CPUs; work dir ${work}`);
    const memory = memoryTouchCost();
    log(`this machine: writing fresh memory ${memory.firstMsPerGiB.toFixed(0)} ms/GiB, memory written before ${memory.againMsPerGiB.toFixed(0)} ms/GiB `
      + '(fresh pages are mapped on first touch: where that is slow, every figure that allocates much is slower; compare runs by it)');
    const appScenarios = options.only === undefined || options.only.some((id) => id !== 'cluster' && id !== 'flows');
    const withCluster = options.only === undefined || options.only.includes('cluster');
    const sizes = appScenarios ? options.sizes.map((size) => runSize(size, work, entry, options)) : [];
    const flows = options.only === undefined || options.only.includes('flows') ? runFlows(work, entry, options) : undefined;
    const ratios = computeRatios(sizes);
    const targets = [...(!appScenarios ? [] : evaluateTargets(sizes, ratios)), ...(flows ? flowTargets(flows) : [])];
    const table = formatTable(sizes, ratios);
    const counts = formatCounts(sizes);
    const targetText = formatTargets(targets);
    process.stdout.write(`\n${appScenarios ? `${table}\n\nEmitted objects for the same intent:\n${counts}\n\n` : ''}`
      + `${flows ? `Observed flows of the ${FLOW_SERVICES.toLocaleString('en-US')}-service application:\n${formatFlows(flows)}\n\n` : ''}`
      + `Targets (issues 7 and 14):\n${targetText}\n`);
    const cluster = runClusterScale(path.join(path.dirname(entry), 'cluster-child.js'), work, withCluster ? options.clusterSizes : [], log, options.clusterParts, options.cpuProfDir);
    process.stdout.write(`\nCluster scale (issue 17), load ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}:\n${formatCluster(cluster)}\n`);
    const results = {
      generatedAt: new Date().toISOString(),
      environment: { node: process.version, platform: `${os.platform()} ${os.arch()}`, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memory },
      options: { sizes: options.sizes, quick: options.quick, only: options.only },
      method: 'each scenario in its own child process: warm-up run(s) (3 at 100 services, else 1), then the median of the counted runs '
        + '(at least 7 / 5 / 3 at 100 / 1,000 / 5,000 services; cheap runs repeated for 2 s, at most 25); peak = maxRSS of that process; '
        + 'ratios: the two scenarios timed alternately in one child process (for 4 s at least), median of the per-pair ratios '
        + '(naive: over matrix() timed in the naive child on the same model)',
      sizes,
      ratios,
      flows,
      targets,
      cluster,
      durationSeconds: (Date.now() - started) / 1000,
    };
    fs.writeFileSync(options.out, `${JSON.stringify(results, null, 2)}\n`);
    log(`\nwrote ${path.relative(process.cwd(), options.out)} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    return 0;
  } finally {
    if (options.keep) log(`kept ${work}`);
    else fs.rmSync(work, { recursive: true, force: true });
  }
}

/**
 * How long writing memory takes, fresh (pages the process never touched: the kernel maps each on its
 * first write) and again: 256 MiB written twice. On some virtual machines the first write is many
 * times slower than the second, and a run that allocates hundreds of MiB (the cluster scale at
 * 100,000 pods) pays it for every page of its heap, so the figures of two runs compare only where
 * this does.
 */
function memoryTouchCost(): { firstMsPerGiB: number; againMsPerGiB: number } {
  const bytes = 256 * 1024 * 1024;
  const buffer = Buffer.alloc(bytes);
  let t = process.hrtime.bigint();
  buffer.fill(1);
  const first = Number(process.hrtime.bigint() - t) / 1e6;
  t = process.hrtime.bigint();
  buffer.fill(2);
  const again = Number(process.hrtime.bigint() - t) / 1e6;
  return { firstMsPerGiB: first * 4, againMsPerGiB: again * 4 };
}

/** Prepares one size and runs every selected scenario at it. */
function runSize(size: number, work: string, entry: string, options: BenchOptions): SizeRecord {
  const runs = runsFor(size, options.quick);
  const warmups = warmupsFor(size, options.quick);
  const base = { entry, size, work, warmups, runs, naiveLimitMs: naiveLimitMs(options.quick), quick: options.quick, timeoutMs: CHILD_TIMEOUT_MS };
  log(`\n[${size}] preparing (library synthesized once, untimed)...`);
  const prep = runChild({ ...base, id: 'prepare', nodeOptions: [`--stack-size=${LARGE_STACK_KIB}`] });
  if (prep.error || !prep.prepared) {
    log(`[${size}] prepare failed: ${prep.error}`);
    return { size, prepareError: String(prep.error), scenarios: {}, pairs: {} };
  }
  const prepared = prep.prepared as PreparedSize;
  log(`[${size}] ${prepared.intent}; ${prepared.library.policies} NetworkPolicies, ${prepared.library.rules} rules`);
  const scenarios: Record<string, ScenarioRecord> = {};
  const selected = options.only ? withRatioPartners(options.only) : undefined;
  for (const s of SCENARIOS) {
    if (selected && !selected.includes(s.id)) continue;
    if (s.id === 'baseline' && size !== options.sizes[0]) continue; // size-independent
    if (ANALYSIS_SCENARIOS.has(s.id) && size < 100) continue;
    const record = runScenario(s.id, s.label, base, options);
    scenarios[s.id] = record;
    if (record.error && /Maximum call stack size exceeded/.test(record.error)) {
      const retry = runScenario(s.id, s.label, base, options, [`--stack-size=${LARGE_STACK_KIB}`]);
      scenarios[retry.id] = retry;
    }
  }
  const pairs = runPairs(scenarios, base);
  return { size, prepared, scenarios, pairs };
}

/**
 * Times each ratio's two scenarios alternately in one child (see `runPair`), for the ratios whose
 * both sides were measured; a side that overflowed the default stack runs with the larger stack.
 */
function runPairs(scenarios: Record<string, ScenarioRecord>, base: Omit<ChildRequest, 'id'>): Record<string, PairRecord> {
  const out: Record<string, PairRecord> = {};
  for (const { id, over, part } of RATIOS) {
    const a = scenarios[id];
    const b = scenarios[over];
    if (part || !a || !b || a.error || b.error || a.skipped || b.skipped) continue;
    const stack = id.endsWith('+stack');
    const baseId = id.replace(/\+stack$/, '');
    const r = runChild({ ...base, id: `pair:${baseId}:${over}`, nodeOptions: stack ? [`--stack-size=${LARGE_STACK_KIB}`] : [] });
    const info = (r.info ?? {}) as Partial<PairRecord>;
    out[`${id}/${over}`] = r.error
      ? { ratio: NaN, ratios: [], medianA: NaN, medianB: NaN, error: r.error }
      : {
        ratio: info.ratio!,
        ratios: info.ratios!,
        medianA: info.medianA!,
        medianB: info.medianB!,
        cpuRatio: info.cpuRatio,
        cpuRatios: info.cpuRatios,
        medianCpuA: info.medianCpuA,
        medianCpuB: info.medianCpuB,
      };
    log(`[${base.size}] pair ${id}/${over}: ${r.error ? `ERROR ${r.error.split('\n')[0]}` : `${info.ratio!.toFixed(2)}x (${info.ratios!.map((x) => x.toFixed(2)).join(', ')}); `
      + `medians ${info.medianA!.toFixed(0)} / ${info.medianB!.toFixed(0)} ms; CPU ${info.cpuRatio?.toFixed(2)}x (${info.cpuRatios?.map((x) => x.toFixed(2)).join(', ')}), `
      + `medians ${info.medianCpuA?.toFixed(0)} / ${info.medianCpuB?.toFixed(0)} ms`}`);
  }
  return out;
}

/**
 * Runs one scenario in a child. With `extraNodeOptions` (a larger stack), it is a diagnostic re-run
 * of a scenario that overflowed the default stack, recorded as `<id>+stack`.
 */
function runScenario(id: string, label: string, base: Omit<ChildRequest, 'id'>, options: BenchOptions, extraNodeOptions: string[] = []): ScenarioRecord {
  const recordId = extraNodeOptions.length > 0 ? `${id}+stack` : id;
  const profile = options.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfDir, '--cpu-prof-name', `${recordId}-${base.size}.cpuprofile`] : [];
  const r = runChild({ ...base, id, nodeOptions: [...extraNodeOptions, ...profile] });
  type Measured = { medianMs: number; cpuMedianMs: number; samples: number[]; warmups: number[]; parts: Record<string, number> };
  const m = r.measurement as Measured | undefined;
  const record: ScenarioRecord = {
    size: base.size,
    id: recordId,
    label: extraNodeOptions.length > 0 ? `${label} [${extraNodeOptions.join(' ')}]` : label,
    medianMs: m?.medianMs,
    cpuMedianMs: m?.cpuMedianMs,
    samples: m?.samples,
    warmups: m?.warmups,
    parts: m && Object.keys(m.parts).length > 0 ? m.parts : undefined,
    peakMiB: r.peakMiB,
    skipped: r.skipped as string | undefined,
    estimateMs: r.estimateMs as number | undefined,
    error: r.error,
    info: (r.info as Record<string, unknown>) ?? {},
  };
  const time = record.error ? `ERROR ${record.error.split('\n')[0]}` : record.medianMs !== undefined
    ? `${record.medianMs.toFixed(1)} ms (CPU ${record.cpuMedianMs?.toFixed(1)} ms)` : record.skipped;
  const cut = record.skipped && record.medianMs !== undefined ? ` (${record.skipped})` : '';
  log(`[${base.size}] ${recordId.padEnd(19)} ${time}${cut}, peak ${record.peakMiB?.toFixed(0)} MiB`);
  return record;
}

/** `replay` and `generate` at one flow-export size. */
interface FlowSizeRecord {
  readonly lines: number;
  readonly bytes?: number;
  readonly connections?: number;
  readonly error?: string;
  readonly replay?: FlowRunRecord;
  readonly generate?: FlowRunRecord;
}

/** One flow command's run. */
interface FlowRunRecord {
  readonly ms?: number;
  readonly peakMiB?: number;
  /** The largest live heap (after a full collection) sampled every second while it ran. */
  readonly liveHeapMiB?: number;
  readonly exitCode?: number;
  readonly error?: string;
}

/**
 * Writes the flow export of the 1,000-service application at each size (in a child: the parent's
 * memory stays out of it), then runs `netpol replay` and `netpol generate` on it, each in its own
 * child process (time and peak RSS), and removes the file.
 */
function runFlows(work: string, entry: string, options: BenchOptions): FlowSizeRecord[] {
  const base = { entry, work, warmups: 0, runs: 1, naiveLimitMs: 0, quick: options.quick, timeoutMs: CHILD_TIMEOUT_MS };
  if (!fs.existsSync(sizePaths(work, FLOW_SERVICES).libraryDir)) {
    log(`\n[flows] preparing the ${FLOW_SERVICES}-service application (library synthesized once, untimed)...`);
    const prep = runChild({ ...base, size: FLOW_SERVICES, id: 'prepare', nodeOptions: [`--stack-size=${LARGE_STACK_KIB}`] });
    if (prep.error) return options.flowLines.map((lines) => ({ lines, error: `prepare failed: ${prep.error}` }));
  }
  return options.flowLines.map((lines) => {
    log(`\n[flows ${lines}] writing the flow export...`);
    const written = runChild({ ...base, size: lines, id: 'flows-prepare' });
    if (written.error) return { lines, error: `writing the flows failed: ${written.error}` };
    const info = written.info as { bytes: number; connections: number };
    log(`[flows ${lines}] ${(info.bytes / 2 ** 20).toFixed(0)} MiB, ${info.connections} distinct connections`);
    const run = (id: 'flows-replay' | 'flows-generate'): FlowRunRecord => {
      const r = runChild({ ...base, size: lines, id });
      const outcome = r.info as { ms: number; exitCode: number; stderr: string; liveHeapMiB: number } | undefined;
      const record: FlowRunRecord = r.error || !outcome ? { error: r.error ?? 'no result' }
        : {
          ms: outcome.ms,
          peakMiB: r.peakMiB,
          liveHeapMiB: outcome.liveHeapMiB,
          exitCode: outcome.exitCode,
          ...(outcome.exitCode === 2 ? { error: outcome.stderr } : {}),
        };
      log(`[flows ${lines}] ${id.padEnd(15)} ${record.error ? `ERROR ${record.error.split('\n')[0]}` : `${(record.ms! / 1000).toFixed(1)} s, peak ${record.peakMiB!.toFixed(0)} MiB, live heap ${record.liveHeapMiB!.toFixed(0)} MiB, exit ${record.exitCode}`}`);
      return record;
    };
    const replay = run('flows-replay');
    const generate = run('flows-generate');
    fs.rmSync(flowFile(work, lines), { force: true });
    return { lines, bytes: info.bytes, connections: info.connections, replay, generate };
  });
}

function figure(r: FlowRunRecord | undefined): string {
  if (!r || r.error || r.ms === undefined || r.peakMiB === undefined) return `error: ${(r?.error ?? 'not run').split('\n')[0]}`;
  return `${(r.ms / 1000).toFixed(1)} s, ${r.peakMiB.toFixed(0)} MiB peak RSS, ${r.liveHeapMiB!.toFixed(0)} MiB live heap`;
}

/** Larger over smaller, of the two sizes' figures, or undefined when one is missing. */
function flowRatio(flows: FlowSizeRecord[], command: 'replay' | 'generate', field: 'ms' | 'peakMiB' | 'liveHeapMiB'): number | undefined {
  const [a, b] = [flows[0]?.[command], flows[flows.length - 1]?.[command]];
  if (!a || !b || a.error || b.error || a[field] === undefined || b[field] === undefined) return undefined;
  return b[field]! / a[field]!;
}

function formatFlows(flows: FlowSizeRecord[]): string {
  const [small, large] = [flows[0], flows[flows.length - 1]];
  const lines = (n: number) => `${n.toLocaleString('en-US')} lines`;
  const x = (r: number | undefined) => (r === undefined ? 'n/a' : `${r.toFixed(2)}x`);
  const rows = (['replay', 'generate'] as const).map((command) => `| \`netpol ${command}\` | ${figure(small[command])} | ${figure(large[command])} | `
    + `${x(flowRatio(flows, command, 'ms'))} | ${x(flowRatio(flows, command, 'peakMiB'))} | ${x(flowRatio(flows, command, 'liveHeapMiB'))} |`);
  return [
    `| Hubble export (${small.connections ?? '?'} distinct connections) | ${lines(small.lines)} (${((small.bytes ?? 0) / 2 ** 20).toFixed(0)} MiB) `
      + `| ${lines(large.lines)} (${((large.bytes ?? 0) / 2 ** 20).toFixed(0)} MiB) | time ratio | peak RSS ratio | live heap ratio |`,
    '|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

function flowTargets(flows: FlowSizeRecord[]): TargetRecord[] {
  const [small, large] = [flows[0], flows[flows.length - 1]];
  const n = (x: number) => x.toLocaleString('en-US');
  return (['replay', 'generate'] as const).map((command) => {
    const ratio = flowRatio(flows, command, 'liveHeapMiB');
    const rss = flowRatio(flows, command, 'peakMiB');
    const detail = ratio === undefined ? 'not measured' : `live heap ${small[command]!.liveHeapMiB!.toFixed(0)} MiB at ${n(small.lines)} lines, `
      + `${large[command]!.liveHeapMiB!.toFixed(0)} MiB at ${n(large.lines)} (${ratio.toFixed(2)}x); peak RSS ${rss!.toFixed(2)}x`;
    return {
      target: `\`netpol ${command}\` on ${n(large.lines)} flow lines: memory within ${FLOW_PEAK_RATIO_TARGET}x of the export ${n(small.lines)} lines long`,
      status: ratio === undefined ? 'N/A' : ratio <= FLOW_PEAK_RATIO_TARGET ? 'PASS' : 'FAIL',
      detail,
    };
  });
}

process.exitCode = main();
