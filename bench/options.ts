import { DEFAULT_FLOW_LINES } from './flows';

/** Command-line options of `npm run bench`. */
export interface BenchOptions {
  /** The stack sizes (services). */
  readonly sizes: number[];
  /** A fast smoke run: fewer repetitions, a lower limit for the naive reference. */
  readonly quick: boolean;
  /** Only these scenarios (ids), if given, each with the scenario its ratio is over (`withRatioPartners`). */
  readonly only?: string[];
  /** Keep the temporary directory (prepared manifests, compiled code) for inspection. */
  readonly keep: boolean;
  /** Write a V8 CPU profile of every scenario child into this directory. */
  readonly cpuProfDir?: string;
  /** Where the JSON results go. */
  readonly out: string;
  /** The sizes (lines) of the flow exports `replay` and `generate` read. */
  readonly flowLines: number[];
  /** The pod counts of the cluster-scale part (issue 17); empty: skip it. */
  readonly clusterSizes: number[];
  /** The steps of the cluster-scale part to run at each size (`scale`, `grouped`, `diff`, `side`, `blast`); all by default. */
  readonly clusterParts: ClusterPart[];
}

/** A step of the cluster-scale part: load + all pairs, the grouped matrix, the 1% diff, today's matrix side by side at 5,000 pods, one blast radius. */
export type ClusterPart = 'scale' | 'grouped' | 'diff' | 'side' | 'blast';

/** Every step of the cluster-scale part. */
export const CLUSTER_PARTS: ClusterPart[] = ['scale', 'grouped', 'diff', 'side', 'blast'];

/** The default pod counts of the cluster-scale part. */
export const DEFAULT_CLUSTER_SIZES = [1000, 10000, 100000];

/** The default sizes of the issue. */
export const DEFAULT_SIZES = [100, 1000, 5000];

/** The usage text. */
export const USAGE = 'usage: npm run bench -- [--sizes 100,1000,5000] [--flow-lines 250000,1000000] [--quick] [--only floor-synth,library-synth,flows,cluster] '
  + '[--keep] [--cpu-prof DIR] [--out FILE] [--cluster-sizes 1000,10000,100000|none] '
  + '[--cluster-parts scale,grouped,diff,side,blast]';

/** Parses `--name value` and `--name=value` options; throws on anything unknown. */
export function parseOptions(argv: string[], defaultOut: string): BenchOptions {
  const values = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${JSON.stringify(arg)}\n${USAGE}`);
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    if (['quick', 'keep', 'help'].includes(name)) {
      values.set(name, true);
    } else if (['sizes', 'only', 'cpu-prof', 'out', 'flow-lines', 'cluster-sizes', 'cluster-parts'].includes(name)) {
      const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined || value === '') throw new Error(`--${name} needs a value\n${USAGE}`);
      values.set(name, value);
    } else {
      throw new Error(`unknown option --${name}\n${USAGE}`);
    }
  }
  if (values.has('help')) throw new Error(USAGE);
  const sizes = typeof values.get('sizes') === 'string'
    ? (values.get('sizes') as string).split(',').map((s) => Number(s.trim().replace(/_/g, '')))
    : DEFAULT_SIZES;
  if (sizes.some((n) => !Number.isInteger(n) || n < 10)) throw new Error(`--sizes takes whole numbers of at least 10, e.g. 100,1000\n${USAGE}`);
  const clusterText = values.get('cluster-sizes');
  const clusterSizes = typeof clusterText !== 'string' ? DEFAULT_CLUSTER_SIZES
    : clusterText === 'none' ? [] : clusterText.split(',').map((x) => Number(x.trim().replace(/_/g, '')));
  if (clusterSizes.some((n) => !Number.isInteger(n) || n < 10)) throw new Error(`--cluster-sizes takes whole numbers of at least 10, or none\n${USAGE}`);
  const partsText = values.get('cluster-parts');
  const clusterParts = typeof partsText !== 'string' ? CLUSTER_PARTS : partsText.split(',').map((x) => x.trim()) as ClusterPart[];
  if (clusterParts.some((x) => !CLUSTER_PARTS.includes(x))) throw new Error(`--cluster-parts takes some of ${CLUSTER_PARTS.join(',')}\n${USAGE}`);
  const flowLines = typeof values.get('flow-lines') === 'string'
    ? (values.get('flow-lines') as string).split(',').map((s) => Number(s.trim().replace(/_/g, '')))
    : DEFAULT_FLOW_LINES;
  if (flowLines.length !== 2 || flowLines.some((n) => !Number.isInteger(n) || n < 1000)) {
    throw new Error(`--flow-lines takes two whole numbers of at least 1000, e.g. 250000,1000000\n${USAGE}`);
  }
  const only = typeof values.get('only') === 'string' ? (values.get('only') as string).split(',').map((s) => s.trim()) : undefined;
  return {
    sizes: [...new Set(sizes)].sort((a, b) => a - b),
    quick: values.has('quick'),
    only,
    keep: values.has('keep'),
    cpuProfDir: typeof values.get('cpu-prof') === 'string' ? values.get('cpu-prof') as string : undefined,
    out: typeof values.get('out') === 'string' ? values.get('out') as string : defaultOut,
    clusterSizes: [...new Set(clusterSizes)].sort((a, b) => a - b),
    clusterParts: [...new Set(clusterParts)],
    flowLines: [...flowLines].sort((a, b) => a - b),
  };
}

/** Counted runs per scenario (after the warm-up): fewer at larger sizes, and in quick mode. */
export function runsFor(size: number, quick: boolean): number {
  if (quick) return size <= 100 ? 3 : 1;
  return size <= 100 ? 7 : size <= 1000 ? 5 : 3;
}

/** Warm-up runs per scenario: more at small sizes, where a run is short and the JIT is still warming up. */
export function warmupsFor(size: number, quick: boolean): number {
  return !quick && size <= 100 ? 3 : 1;
}

/** The longest the naive reference may take in full before it is only estimated (ms). */
export function naiveLimitMs(quick: boolean): number {
  return quick ? 15_000 : 60_000;
}
