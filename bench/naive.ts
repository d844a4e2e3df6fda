import { Prng } from './prng';
import { Reachability } from '../src/analysis/reachability';
import { ReachabilityMatrix } from '../src/analysis/reachability-matrix';
import { Port } from '../src/model/port';

/**
 * The naive reference: every pair checked against every rule, one `explain(from, to, port)` per
 * pair (the analyser's pair-by-pair reference semantics). `pairs` are [from, to] endpoint indexes;
 * the verdicts are returned as 0/1 so they can be checked against the matrix afterwards.
 */
export function naivePairs(reachability: Reachability, endpoints: readonly string[], port: Port, pairs: Uint32Array): Uint8Array {
  const out = new Uint8Array(pairs.length >> 1);
  for (let k = 0; k < out.length; k++) {
    out[k] = reachability.explain(endpoints[pairs[2 * k]], endpoints[pairs[2 * k + 1]], port).allowed ? 1 : 0;
  }
  return out;
}

/** Every ordered pair (including each endpoint with itself, as the matrix has), flattened. */
export function allPairs(n: number): Uint32Array {
  const pairs = new Uint32Array(2 * n * n);
  let k = 0;
  for (let s = 0; s < n; s++) {
    for (let d = 0; d < n; d++) {
      pairs[k++] = s;
      pairs[k++] = d;
    }
  }
  return pairs;
}

/** `count` pairs drawn with a seeded generator (for the estimate at sizes where all pairs take too long). */
export function samplePairs(n: number, count: number, seed: number): Uint32Array {
  const rng = new Prng(seed);
  const pairs = new Uint32Array(2 * count);
  for (let k = 0; k < count; k++) {
    pairs[2 * k] = rng.int(0, n - 1);
    pairs[2 * k + 1] = rng.int(0, n - 1);
  }
  return pairs;
}

/** How many naive verdicts differ from the matrix (must be 0: both implement the same semantics). */
export function mismatches(matrix: ReachabilityMatrix, endpoints: readonly string[], pairs: Uint32Array, verdicts: Uint8Array): number {
  let wrong = 0;
  for (let k = 0; k < verdicts.length; k++) {
    const allowed = matrix.isAllowed(endpoints[pairs[2 * k]], endpoints[pairs[2 * k + 1]]);
    if (allowed !== (verdicts[k] === 1)) wrong++;
  }
  return wrong;
}
