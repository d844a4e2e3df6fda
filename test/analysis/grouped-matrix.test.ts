import { Port, Reachability } from '../../src';

describe('matrix grouped by workload', () => {
  const pod = (name: string, labels: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'shop', labels }, spec: { containers: [{ name: 'c' }] } });

  test('groups of different rules never merge: a pod named like a label group stays apart, each saying its rule', () => {
    // A model pod named `app=web` (no labels: its own group, `shop/app=web`) beside a pod labelled app=web (`shop/app=web` by label).
    const r = Reachability.fromManifests([pod('a', { app: 'web' }), pod('b', { app: 'web' })], { pods: [{ namespace: 'shop', name: 'app=web', labels: {} }] });
    const g = r._groupedMatrix(Port.tcp(80), 'workload');
    expect(g.groups).toEqual([
      { name: 'shop/app=web (endpoint)', rule: 'endpoint', kind: 'Pod', endpoints: 1, first: 'shop/app=web' },
      { name: 'shop/app=web (label)', rule: 'label', label: 'app', endpoints: 2, first: 'shop/a' },
    ]);
    // No policy: all allowed, counted apart (a pod to itself is loopback).
    expect(g.cellsFrom(0).map((c) => [c.to, c.allowed, c.pairs])).toEqual([['shop/app=web (endpoint)', 1, 1], ['shop/app=web (label)', 2, 2]]);
    expect(g.cellsFrom(1).map((c) => [c.to, c.allowed, c.pairs])).toEqual([['shop/app=web (endpoint)', 2, 2], ['shop/app=web (label)', 4, 4]]);
  });

  test('app.kubernetes.io/name names the group before app; pods of one value in two namespaces are two groups', () => {
    const other = { ...pod('c', { app: 'web' }), metadata: { name: 'c', namespace: 'ops', labels: { app: 'web' } } };
    const r = Reachability.fromManifests([pod('a', { 'app': 'web', 'app.kubernetes.io/name': 'store' }), pod('b', { app: 'store' }), other]);
    const g = r._groupedMatrix(Port.tcp(80), 'workload');
    expect(g.groups.map((x) => [x.name, x.endpoints])).toEqual([['ops/app=web', 1], ['shop/app.kubernetes.io/name=store', 1], ['shop/app=store', 1]]);
  });
});
