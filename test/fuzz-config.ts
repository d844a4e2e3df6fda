/**
 * Parameters of the property tests: a fixed seed and a bounded number of runs in the normal test
 * command; with NETPOL_FUZZ=1 (`npx projen test:fuzz`) a random seed, printed so that a failure can
 * be replayed (NETPOL_FUZZ_SEED=<seed>), and many more runs.
 */
export function fuzzParameters(runs: number): { seed: number; numRuns: number } {
  if (!process.env.NETPOL_FUZZ) return { seed: 20261123, numRuns: runs };
  const seed = process.env.NETPOL_FUZZ_SEED ? Number(process.env.NETPOL_FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);
  // eslint-disable-next-line no-console
  console.log(`fuzz seed ${seed} (replay with NETPOL_FUZZ=1 NETPOL_FUZZ_SEED=${seed})`);
  return { seed, numRuns: runs * Number(process.env.NETPOL_FUZZ_FACTOR ?? 20) };
}
