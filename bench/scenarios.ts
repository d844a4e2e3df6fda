import { synthCdk8sPlus } from './cdk8s-plus-stack';
import { countPolicies, countPoliciesInYaml } from './counts';
import { serializeFloor, synthFloor } from './floor';
import { generateIntent, MATRIX_PORT } from './intent';
import { synthLibrary, synthLibraryYaml } from './library-stack';
import { measure, Measurement, measurePair, since, TimedRun } from './measure';
import { allPairs, mismatches, naivePairs, samplePairs } from './naive';
import { CHECK_RULES, generateRules } from './rules';
import { guardrails } from './tiers';
import { loadObjects, sizePaths } from './workspace';
import { readManifests, ReadResult } from '../src/adapters/manifest-reader';
import { parseRulesFile } from '../src/adapters/rules-file';
import { checkInvariants, InvariantReport } from '../src/analysis/invariants';
import { Reachability } from '../src/analysis/reachability';
import { Severity } from '../src/k8s/finding';
import { Port } from '../src/model/port';
import { validateManifests } from '../src/validation/validate-manifests';

/** What a scenario is run with (in its own child process). */
export interface ScenarioContext {
  readonly work: string;
  readonly size: number;
  readonly warmups: number;
  readonly runs: number;
  /** The longest the naive reference may take in full (ms); above it, only a sample runs. */
  readonly naiveLimitMs: number;
  /** Repeat cheap runs for this long at least (ms; 0 in quick mode), see `MeasureOptions.fillMs`. */
  readonly fill: { readonly single: number; readonly pair: number };
}

/** What a scenario reports (besides its peak memory, which the child process adds). */
export interface ScenarioOutcome {
  readonly measurement?: Measurement;
  /** Why no figure was measured (e.g. too slow), with an estimate if there is one. */
  readonly skipped?: string;
  /** An extrapolated time (ms) when the full run was skipped. */
  readonly estimateMs?: number;
  /** Counts and checks worth reporting (policies, rules, findings, mismatches...). */
  readonly info: Record<string, unknown>;
}

/** One benchmark scenario. */
export interface Scenario {
  readonly id: string;
  readonly label: string;
  /** Stop repeating when one run exceeds this (ms). @default - no budget */
  readonly budgetMs?: number;
  /** Builds the timed run (untimed), for scenarios that can be timed in pairs. @default - not pairable */
  readonly setup?: (ctx: ScenarioContext, info: Record<string, unknown>) => Prepared;
  readonly run: (ctx: ScenarioContext) => ScenarioOutcome;
}

/** The alternative at a size where one run exceeds a minute is reported as skipped. */
const ALTERNATIVE_BUDGET_MS = 60_000;
/** Pairs timed to estimate the naive reference. */
const NAIVE_SAMPLE = 4000;
/**
 * The naive reference runs in full when its estimate is below this many times the limit: the
 * estimate is rough, and at 1,000 services it lands near a minute, where running it is still feasible.
 */
const NAIVE_TRY_FACTOR = 2;

const noStdin = () => Buffer.alloc(0);

function read(paths: string[]): ReadResult {
  const result = readManifests(paths, noStdin);
  if (result.problems.length > 0) throw new Error(`cannot read ${paths.join(', ')}: ${result.problems[0].message}`);
  return result;
}

/** What a timed scenario's setup returns: the run to time, and optionally what to do with the first run's result. */
export interface Prepared {
  readonly run: TimedRun;
  /** Called once with the value of the first run (outside the timing), to fill `info`. */
  readonly inspect?: (value: unknown) => void;
}

/** A scenario that times the run built by `setup` (the setup itself is not timed). */
function timed(id: string, label: string, setup: (ctx: ScenarioContext, info: Record<string, unknown>) => Prepared, budgetMs?: number): Scenario {
  return {
    id,
    label,
    budgetMs,
    setup,
    run: (ctx) => {
      const info: Record<string, unknown> = {};
      const { run, inspect } = setup(ctx, info);
      const measurement = measure(run, { warmups: ctx.warmups, runs: ctx.runs, fillMs: ctx.fill.single, budgetMs, inspect });
      return { measurement, info, skipped: measurement.overBudget };
    },
  };
}

/** Every scenario, in the order they run at each size. */
export const SCENARIOS: Scenario[] = [
  timed('baseline', 'baseline: node + modules loaded, no work', () => ({ run: () => undefined })),
  timed('floor-synth', 'floor: bare ApiObjects + synthYaml', (ctx) => {
    const objects = loadObjects(ctx.work, ctx.size);
    return { run: () => ({ value: synthFloor(objects) }) };
  }),
  timed('floor-yaml', 'floor: Yaml.stringify of the plain objects', (ctx) => {
    const objects = loadObjects(ctx.work, ctx.size);
    return { run: () => ({ value: serializeFloor(objects) }) };
  }),
  timed('library-synth', 'library: NetpolApp synth, validation on', (ctx) => {
    const intent = generateIntent(ctx.size);
    const outdir = sizePaths(ctx.work, ctx.size).synthOutDir;
    return { run: () => synthLibrary(intent, outdir) };
  }),
  timed('library-yaml', 'library: plain App + synthYaml (diagnostic)', (ctx) => {
    const intent = generateIntent(ctx.size);
    return { run: () => ({ value: synthLibraryYaml(intent) }) };
  }),
  timed('alt-synth', 'cdk8s-plus-28: Deployments + allowTo, synthYaml', (ctx, info) => {
    const intent = generateIntent(ctx.size);
    return {
      run: () => ({ value: synthCdk8sPlus(intent) }),
      inspect: (yaml) => Object.assign(info, countPoliciesInYaml(yaml as string)),
    };
  }, ALTERNATIVE_BUDGET_MS),
  timed('alt-workloads', 'cdk8s-plus-28: Deployments only (diagnostic)', (ctx) => {
    const intent = generateIntent(ctx.size);
    return { run: () => ({ value: synthCdk8sPlus(intent, false) }) };
  }, ALTERNATIVE_BUDGET_MS),
  timed('parse', 'parse: readManifests of the output', (ctx) => {
    const dir = sizePaths(ctx.work, ctx.size).libraryDir;
    return { run: () => ({ value: read([dir]) }) };
  }),
  timed('validate', 'validate: readManifests + validateManifests', (ctx, info) => {
    const dir = sizePaths(ctx.work, ctx.size).libraryDir;
    return {
      run: () => {
        let t = process.hrtime.bigint();
        const objects = read([dir]).objects;
        const parse = since(t);
        t = process.hrtime.bigint();
        const report = validateManifests(objects);
        return { value: report, parts: { parse, validate: since(t) } };
      },
      inspect: (value) => {
        const report = value as ReturnType<typeof validateManifests>;
        const errors = report.findings.filter((f) => f.severity === Severity.ERROR).length;
        Object.assign(info, { checked: report.checked, errors, warnings: report.findings.length - errors });
      },
    };
  }),
  timed('validate-only', 'validateManifests alone (pre-parsed)', (ctx) => {
    const objects = read([sizePaths(ctx.work, ctx.size).libraryDir]).objects;
    return { run: () => ({ value: validateManifests(objects) }) };
  }),
  timed('analysis-parse', 'analysis: parse policies + pods', (ctx) => {
    const paths = sizePaths(ctx.work, ctx.size);
    return { run: () => ({ value: read([paths.libraryDir, paths.podsDir]) }) };
  }),
  timed('matrix', `analysis: model + full matrix (${MATRIX_PORT}/TCP)`, (ctx, info) => {
    const objects = analysisObjects(ctx);
    const counts = countPolicies(objects);
    Object.assign(info, { pods: counts.objects - counts.policies, policies: counts.policies });
    return modelAndMatrix(objects, info);
  }),
  timed('matrix-tiers', `analysis: model + full matrix, with Admin and Baseline tiers (${MATRIX_PORT}/TCP)`, (ctx, info) => {
    const plain = analysisObjects(ctx);
    const counts = countPolicies(plain);
    const objects = [...plain, ...guardrails()];
    Object.assign(info, { pods: counts.objects - counts.policies, policies: counts.policies, clusterPolicies: guardrails().length });
    return modelAndMatrix(objects, info);
  }),
  timed('diff', 'diff: two models (after on before) + Reachability.diff over every mentioned port', (ctx, info) => {
    const before = analysisObjects(ctx);
    // The change under review: the first service's ingress policy loses its rules (its clients are cut off),
    // and one egress policy gains 6379/TCP to every namespace (what its pods may now reach).
    const after = structuredClone(before) as any[];
    const ingress = after.find((o) => o.kind === 'NetworkPolicy' && Array.isArray(o.spec?.ingress) && o.spec.ingress.length > 0);
    ingress.spec.ingress = [];
    const egress = after.find((o) => o.kind === 'NetworkPolicy' && Array.isArray(o.spec?.egress) && o.spec.egress.length > 1);
    egress.spec.egress.push({ to: [{ namespaceSelector: {} }], ports: [{ protocol: 'TCP', port: 6379 }] });
    return {
      run: () => {
        // As `netpol diff` loads them: the after side with the before side as its basis, so that the
        // policies both hold unchanged are compiled once.
        let t = process.hrtime.bigint();
        const [first, second] = Reachability._snapshots(before.map((object) => ({ object })), after.map((object) => ({ object })));
        const modelsMs = since(t);
        t = process.hrtime.bigint();
        // The incremental diff (only the touched classes and ports), expanded to the connection lists.
        const value = Reachability.diff(first, second);
        return { value, parts: { models: modelsMs, diff: since(t) } };
      },
      inspect: (value) => {
        const diff = value as ReturnType<typeof Reachability.diff>;
        Object.assign(info, { ports: diff.ports.length, opened: diff.opened.length, closed: diff.closed.length });
      },
    };
  }),
  timed('check', `check: rules file + model + ${CHECK_RULES} invariants over every port that matters`, (ctx, info) => {
    const objects = analysisObjects(ctx);
    const rules = generateRules(generateIntent(ctx.size));
    return {
      run: () => {
        let t = process.hrtime.bigint();
        const parsed = parseRulesFile(rules, 'rules.yaml');
        if (parsed.problems.length > 0) throw new Error(`the generated rules file has problems: ${parsed.problems[0].message}`);
        const parse = since(t);
        t = process.hrtime.bigint();
        const reachability = Reachability.fromManifests(objects);
        const model = since(t);
        t = process.hrtime.bigint();
        const report = checkInvariants(reachability, parsed.zones, parsed.invariants);
        return { value: report, parts: { parse, model, check: since(t) } };
      },
      inspect: (value) => {
        const report = value as InvariantReport;
        Object.assign(info, { rules: report.results.length, holds: report.results.filter((r) => r.holds).length, ports: report.ports.length });
      },
    };
  }),
  timed('blast-radius', 'analysis: model + blast radius of the first workload, every port', (ctx, info) => {
    const objects = analysisObjects(ctx);
    return {
      run: () => {
        let t = process.hrtime.bigint();
        const reachability = Reachability.fromManifests(objects);
        const model = since(t);
        t = process.hrtime.bigint();
        const radius = reachability.blastRadius(reachability.endpoints[0]);
        return { value: radius, parts: { model, blastRadius: since(t) } };
      },
      inspect: (value) => {
        const radius = value as ReturnType<Reachability['blastRadius']>;
        Object.assign(info, { from: radius.from, reached: radius.reached.length, deepest: Math.max(0, ...radius.reached.map((r) => r.depth)) });
      },
    };
  }),
  { id: 'naive', label: 'analysis: naive reference, explain() per pair', run: runNaive },
];

/** The objects every analysis scenario reads: the library's policies and the pods of the size. */
function analysisObjects(ctx: ScenarioContext): any[] {
  const paths = sizePaths(ctx.work, ctx.size);
  return read([paths.libraryDir, paths.podsDir]).objects.map((o) => o.object);
}

/**
 * The timed run of the matrix scenarios: the model of `objects`, then the full matrix on
 * `MATRIX_PORT` (timed as two parts), the number of allowed pairs reported.
 */
function modelAndMatrix(objects: any[], info: Record<string, unknown>): Prepared {
  return {
    run: () => {
      let t = process.hrtime.bigint();
      const reachability = Reachability.fromManifests(objects);
      const model = since(t);
      t = process.hrtime.bigint();
      const matrix = reachability.matrix(Port.tcp(MATRIX_PORT));
      return { value: matrix, parts: { model, matrix: since(t) } };
    },
    inspect: (value) => {
      info.allowedPairs = (value as ReturnType<Reachability['matrix']>).allowedCount;
    },
  };
}

/**
 * The naive reference: times a sample of pairs first and extrapolates to every pair; runs every
 * pair only when the estimate is within `NAIVE_TRY_FACTOR` times the limit (whether the full run
 * stayed within the limit is recorded). Its verdicts are checked against the matrix, and
 * `matrix()` is timed on the same model in the same process for the ratio.
 */
function runNaive(ctx: ScenarioContext): ScenarioOutcome {
  const objects = analysisObjects(ctx);
  const reachability = Reachability.fromManifests(objects);
  const endpoints = reachability.endpoints;
  const port = Port.tcp(MATRIX_PORT);
  const matrix = reachability.matrix(port);
  const n = endpoints.length;
  const total = n * n;

  const sample = samplePairs(n, Math.min(NAIVE_SAMPLE, total), ctx.size);
  naivePairs(reachability, endpoints, port, sample.subarray(0, Math.min(sample.length, 400))); // warm-up
  const t = process.hrtime.bigint();
  const sampled = naivePairs(reachability, endpoints, port, sample);
  const perPairMs = since(t) / (sample.length / 2);
  const estimateMs = perPairMs * total;
  const info: Record<string, unknown> = {
    endpoints: n,
    pairs: total,
    sampledPairs: sample.length / 2,
    perPairUs: perPairMs * 1000,
    sampleMismatches: mismatches(matrix, endpoints, sample, sampled),
  };
  // The matrix computation alone on the same model, timed in this process, for the naive/matrix ratio.
  info.matrixMs = measure(() => ({ value: reachability.matrix(port) }), { warmups: ctx.warmups, runs: ctx.runs, fillMs: ctx.fill.single }).medianMs;
  if (estimateMs > NAIVE_TRY_FACTOR * ctx.naiveLimitMs) {
    return { skipped: `skipped (est. ${(estimateMs / 1000).toFixed(0)} s from ${sample.length / 2} sampled pairs)`, estimateMs, info };
  }
  const pairs = allPairs(n);
  const repeat = estimateMs < 3000;
  let verdicts: Uint8Array | undefined;
  const measurement = measure(() => {
    verdicts = naivePairs(reachability, endpoints, port, pairs);
  }, { warmups: repeat ? ctx.warmups : 0, runs: repeat ? ctx.runs : 1 });
  info.mismatches = mismatches(matrix, endpoints, pairs, verdicts!);
  info.estimateMs = estimateMs;
  info.withinLimit = measurement.medianMs <= ctx.naiveLimitMs;
  return { measurement, info };
}

/**
 * Times two scenarios alternately in one process (A B, then B A, ...) and reports the median of
 * the per-pair ratios A/B: both sides see the same machine state, so the ratio is steadier than
 * a ratio of medians taken minutes apart.
 */
export function runPair(a: Scenario, b: Scenario, ctx: ScenarioContext): ScenarioOutcome {
  if (!a.setup || !b.setup) throw new Error(`${a.id} and ${b.id} cannot be timed in pairs`);
  const first = a.setup(ctx, {});
  const second = b.setup(ctx, {});
  const pair = measurePair(first.run, second.run, { warmups: ctx.warmups, runs: ctx.runs, fillMs: ctx.fill.pair });
  return { info: { ...pair } };
}

/** The scenario with this id. */
export function scenario(id: string): Scenario {
  const found = SCENARIOS.find((s) => s.id === id);
  if (!found) throw new Error(`unknown scenario ${id}; known: ${SCENARIOS.map((s) => s.id).join(', ')}`);
  return found;
}

