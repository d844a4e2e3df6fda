import { CLUSTER_PARTS, parseOptions } from '../../bench/options';

describe('`npm run bench -- --cluster-parts`', () => {
  test('runs every step of the cluster-scale part by default', () => {
    expect(parseOptions([], 'out.json').clusterParts).toEqual(CLUSTER_PARTS);
  });

  test('names the steps to run, e.g. the diff alone', () => {
    expect(parseOptions(['--cluster-parts', 'diff'], 'out.json').clusterParts).toEqual(['diff']);
    expect(parseOptions(['--cluster-parts=diff,scale,diff'], 'out.json').clusterParts).toEqual(['diff', 'scale']);
  });

  test('refuses a step it does not know, and an empty list', () => {
    expect(() => parseOptions(['--cluster-parts', 'dif'], 'out.json')).toThrow(/--cluster-parts takes some of scale,grouped,diff,side/);
    expect(() => parseOptions(['--cluster-parts='], 'out.json')).toThrow(/needs a value/);
  });
});
