/** Timings of one scenario: every sample, in milliseconds. */
export interface Measurement {
  /** The warm-up runs (not counted). */
  readonly warmups: number[];
  /** The counted runs. */
  readonly samples: number[];
  /** The median of `samples`. */
  readonly medianMs: number;
  /** The CPU time (user + system of the process, ms) of each counted run, and their median. */
  readonly cpuSamples: number[];
  readonly cpuMedianMs: number;
  /** Medians of the named parts a run reported, if any (e.g. model build inside analysis). */
  readonly parts: Record<string, number>;
  /** Set when the runs were cut short because the warm-up exceeded the budget. */
  readonly overBudget?: string;
}

/** The most counted runs of a cheap scenario. */
export const MAX_RUNS = 25;

/** How long cheap single scenarios (ms) and pairs are repeated for, at least. */
export const FILL_MS = { single: 2000, pair: 4000 };

/** One timed run: returns what it produced and, optionally, the durations of its parts. */
export type TimedRun = () => { value?: unknown; parts?: Record<string, number> } | void;

/** Options of `measure`. */
export interface MeasureOptions {
  readonly warmups: number;
  /** Counted runs, at least; cheap runs are repeated until `fillMs` is spent (at most `MAX_RUNS`). */
  readonly runs: number;
  /** Keep repeating a cheap run until the counted runs took this long (ms). @default 0 */
  readonly fillMs?: number;
  /** Stop after the warm-up when it took longer than this (ms). @default - no budget */
  readonly budgetMs?: number;
  /** Called with what the first warm-up run produced (outside the timing). */
  readonly inspect?: (value: unknown) => void;
}

/** The median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Collects garbage between runs when node runs with `--expose-gc`, so runs do not pay for each other. */
export function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) gc();
}

/**
 * Runs `run` `warmups` times (not counted), then at least `runs` times (more for cheap runs, see
 * `fillMs`), each timed with a high-resolution clock after a garbage collection; the figure is the
 * median of the counted runs.
 */
export function measure(run: TimedRun, options: MeasureOptions): Measurement {
  const warmups: number[] = [];
  const samples: number[] = [];
  const cpuSamples: number[] = [];
  const parts: Record<string, number[]> = {};
  let lastCpu = 0;
  const once = (record: boolean, first: boolean): number => {
    collectGarbage();
    const cpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    const result = run();
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    const used = process.cpuUsage(cpu);
    lastCpu = (used.user + used.system) / 1000;
    if (first && options.inspect) options.inspect(result ? result.value : undefined);
    if (record && result && result.parts) {
      for (const [k, v] of Object.entries(result.parts)) (parts[k] ??= []).push(v);
    }
    return ms;
  };
  for (let i = 0; i < options.warmups; i++) {
    const ms = once(false, i === 0);
    warmups.push(ms);
    if (options.budgetMs !== undefined && ms > options.budgetMs) {
      return {
        warmups,
        samples: [ms],
        medianMs: ms,
        cpuSamples: [lastCpu],
        cpuMedianMs: lastCpu,
        parts: {},
        overBudget: `one run took ${(ms / 1000).toFixed(1)} s (budget ${(options.budgetMs / 1000).toFixed(0)} s): not repeated`,
      };
    }
  }
  let spent = 0;
  for (let i = 0; i < options.runs || (spent < (options.fillMs ?? 0) && i < MAX_RUNS); i++) {
    const ms = once(true, options.warmups === 0 && i === 0);
    samples.push(ms);
    cpuSamples.push(lastCpu);
    spent += ms;
  }
  const partMedians: Record<string, number> = {};
  for (const [k, v] of Object.entries(parts)) partMedians[k] = median(v);
  return { warmups, samples, medianMs: median(samples), cpuSamples, cpuMedianMs: median(cpuSamples), parts: partMedians };
}

/** Milliseconds since `start` (from `process.hrtime.bigint()`). */
export function since(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** What `measurePair` found: the median ratio of pairs, and each side's median (wall and CPU time). */
export interface PairMeasurement {
  /** Median of the per-pair ratios A/B (wall time). */
  readonly ratio: number;
  readonly ratios: number[];
  readonly medianA: number;
  readonly medianB: number;
  /** Median of the per-pair ratios A/B of CPU time (user + system of the process, all its threads). */
  readonly cpuRatio: number;
  readonly cpuRatios: number[];
  /** Median CPU time (ms) of each side. */
  readonly medianCpuA: number;
  readonly medianCpuB: number;
}

/**
 * Times `a` and `b` alternately (A B, B A, A B, ...: the order flips so neither side always runs
 * second), after `warmups` rounds of both, at least `runs` pairs (more for cheap pairs, see
 * `fillMs`); the ratio of each pair is A/B, of wall time and of the process's CPU time (which
 * other processes on a loaded machine change less).
 */
export function measurePair(a: TimedRun, b: TimedRun, options: { warmups: number; runs: number; fillMs?: number }): PairMeasurement {
  const time = (run: TimedRun): [wall: number, cpu: number] => {
    collectGarbage();
    const cpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    run();
    const wall = since(start);
    const used = process.cpuUsage(cpu);
    return [wall, (used.user + used.system) / 1000];
  };
  for (let i = 0; i < options.warmups; i++) {
    time(a);
    time(b);
  }
  const as: Array<[number, number]> = [];
  const bs: Array<[number, number]> = [];
  let spent = 0;
  for (let i = 0; i < options.runs || (spent < (options.fillMs ?? 0) && i < MAX_RUNS); i++) {
    if (i % 2 === 0) {
      as.push(time(a));
      bs.push(time(b));
    } else {
      bs.push(time(b));
      as.push(time(a));
    }
    spent += as[i][0] + bs[i][0];
  }
  const ratios = as.map((x, i) => x[0] / bs[i][0]);
  const cpuRatios = as.map((x, i) => x[1] / bs[i][1]);
  return {
    ratio: median(ratios),
    ratios,
    medianA: median(as.map((x) => x[0])),
    medianB: median(bs.map((x) => x[0])),
    cpuRatio: median(cpuRatios),
    cpuRatios,
    medianCpuA: median(as.map((x) => x[1])),
    medianCpuB: median(bs.map((x) => x[1])),
  };
}
