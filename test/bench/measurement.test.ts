import { measure, measurePair } from '../../bench/measure';
import { formatTable, RATIOS, withRatioPartners } from '../../bench/report';

describe('`npm run bench -- --only <scenario>` measures what its ratio is over, side by side', () => {
  test('the mixed-tier matrix brings the plain matrix, so its ratio is a pair timed in one process', () => {
    expect(withRatioPartners(['matrix-tiers']).sort()).toEqual(['matrix', 'matrix-tiers']);
    expect(RATIOS).toContainEqual({ id: 'matrix-tiers', over: 'matrix' });
  });

  test('only the direct partner of each whole-run ratio; a part-of-a-run ratio needs none', () => {
    expect(withRatioPartners(['library-synth']).sort()).toEqual(['floor-synth', 'library-synth']);
    expect(withRatioPartners(['naive'])).toEqual(['naive']); // over matrix() timed in the naive child itself
    expect(withRatioPartners(['cluster', 'flows'])).toEqual(['cluster', 'flows']);
    expect(withRatioPartners(['matrix-tiers', 'matrix']).sort()).toEqual(['analysis-parse', 'matrix', 'matrix-tiers']);
  });
});

/** Burns a given amount of the process's CPU time (not wall time, which load stretches). */
const burn = (ms: number) => () => {
  const start = process.cpuUsage();
  for (;;) {
    const used = process.cpuUsage(start);
    if ((used.user + used.system) / 1000 >= ms) return;
  }
};

test('a scenario reports the median CPU time of its counted runs next to the wall time, and the table shows it', () => {
  const m = measure(burn(20), { warmups: 1, runs: 3 });
  expect(m.cpuSamples).toHaveLength(3);
  expect(m.cpuMedianMs).toBeGreaterThanOrEqual(20);
  expect(m.cpuMedianMs).toBeLessThan(200);
  const table = formatTable([{
    size: 5000,
    pairs: {},
    scenarios: { matrix: { size: 5000, id: 'matrix', label: 'analysis: x', medianMs: 1500, cpuMedianMs: 900, samples: [1, 2, 3], peakMiB: 250, info: { pods: 5000, policies: 9273, allowedPairs: 6704 } } },
  }], []);
  expect(table.split('\n')[0]).toBe('size  | scenario  | median ms | CPU ms | runs | peak MiB | ratio | notes');
  expect(table.split('\n')[2]).toBe('5,000 | matrix: x |      1500 |    900 |    3 |      250 |       | 5,000 pods x 9,273 policies; ; 6,704 allowed pairs');
});

test('a pair reports the ratio of CPU time next to the ratio of wall time', () => {
  const p = measurePair(burn(40), burn(5), { warmups: 0, runs: 3 });
  expect(p.cpuRatios).toHaveLength(3);
  expect(p.ratios).toHaveLength(3);
  expect(p.medianCpuA).toBeGreaterThanOrEqual(40);
  expect(p.medianCpuB).toBeGreaterThanOrEqual(5);
  expect(p.cpuRatio).toBeGreaterThan(2);
  // No comparison of wall time with CPU time: the process's CPU time counts every thread (the
  // collector's too), so it can exceed the wall time; a test of that would fail by load, not by code.
});
