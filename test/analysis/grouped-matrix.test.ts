import { Port, Reachability } from '../../src';
import { JsonFormat } from '../../src/formats/json';
import { TextFormat } from '../../src/formats/text';

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

describe('matrix grouped by namespace: only the pairs with an allowed connection, streamed', () => {
  const pod = (namespace: string, name: string) => ({
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels: { app: name } }, spec: { containers: [{ name: 'c', ports: [{ containerPort: 80 }] }] },
  });
  const np = (namespace: string, spec: object) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'np', namespace }, spec });
  // `a` is open; `b` admits only `a` (and itself: nothing else); `c` is cut off both ways.
  const manifests = [
    pod('a', 'x'), pod('b', 'y'), pod('b', 'z'), pod('c', 'w'),
    np('b', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'a' } } }] }] }),
    np('c', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
  ];

  test('the exact JSON: groups with their sizes once, cells for allowed pairs only, one write per source group', () => {
    const r = Reachability.fromManifests(manifests);
    const writes: string[] = [];
    JsonFormat._streamGroupedMatrix(r._groupedMatrix(Port.tcp(80), 'namespace'), '80/TCP', (text) => writes.push(text));
    const out = JSON.parse(writes.join(''));
    expect(out).toEqual({
      port: '80/TCP',
      groupBy: 'namespace',
      groups: [
        { name: 'a', endpoints: 1, first: 'a/x' },
        { name: 'b', endpoints: 2, first: 'b/y' },
        { name: 'c', endpoints: 1, first: 'c/w' },
      ],
      cells: [
        // a/x to itself is loopback; a reaches both pods of b; c admits nobody.
        { from: 'a', to: 'a', allowed: 1, pairs: 1 },
        { from: 'a', to: 'b', allowed: 2, pairs: 2 },
        // b's pods reach a, and each itself (loopback), not each other (b admits only a).
        { from: 'b', to: 'a', allowed: 2, pairs: 2 },
        { from: 'b', to: 'b', allowed: 2, pairs: 4 },
        // c's egress is cut, but its pod to itself is loopback, never policed.
        { from: 'c', to: 'c', allowed: 1, pairs: 1 },
      ],
    });
    // Not listed: a -> c, b -> c, c -> a, c -> b: no allowed pair, as the analyser says pair by pair.
    for (const [from, to] of [['a/x', 'c/w'], ['b/y', 'c/w'], ['c/w', 'a/x'], ['c/w', 'b/z'], ['b/y', 'b/z']]) {
      expect(r.explain(from, to, Port.tcp(80)).allowed).toBe(false);
    }
    expect(r.explain('a/x', 'b/z', Port.tcp(80)).allowed).toBe(true);
    // The heading, one piece per source group (each with cells here), the closing `]}`.
    expect(writes).toHaveLength(5);
    expect(writes[0]).toMatch(/^\{"port":"80\/TCP","groupBy":"namespace","groups":\[.*\],"cells":\[$/);
    expect(writes[1]).toBe('\n{"from":"a","to":"a","allowed":1,"pairs":1},\n{"from":"a","to":"b","allowed":2,"pairs":2}');
    expect(writes[3]).toBe(',\n{"from":"c","to":"c","allowed":1,"pairs":1}');
    expect(writes[4]).toBe('\n]}\n');
  });

  test('a source group with no allowed pair writes nothing; no cell at all is still valid JSON', () => {
    // No pod has a port named `http`: nothing is allowed, not even loopback.
    const r = Reachability.fromManifests(manifests);
    const writes: string[] = [];
    JsonFormat._streamGroupedMatrix(r._groupedMatrix(Port.named('http'), 'namespace'), 'http/TCP', (text) => writes.push(text));
    expect(writes).toHaveLength(2);
    expect(JSON.parse(writes.join('')).cells).toEqual([]);
    const text: string[] = [];
    TextFormat._streamGroupedMatrix(r._groupedMatrix(Port.named('http'), 'namespace'), 'http/TCP', (t) => text.push(t));
    expect(text.join('')).not.toContain(' -> ');
  });

  test('by class: the listed cells sum to the allowed pairs of the endpoint matrix; the unlisted are all denied', () => {
    const r = Reachability.fromManifests(manifests);
    const g = r._groupedMatrix(Port.tcp(80), 'class');
    const cells = g.groups.flatMap((_, i) => g.cellsFrom(i));
    const m = r.matrix(Port.tcp(80));
    expect(cells.reduce((sum, c) => sum + c.allowed, 0)).toBe(m.allowedCount);
    expect(cells.every((c) => c.allowed > 0)).toBe(true);
    expect(cells.length).toBeLessThan(g.groups.length ** 2);
  });
});

test('many groups, each reaching few: the cells of every pair agree with the analyser pair by pair', () => {
  // 40 namespaces in a ring: ns-i admits only ns-(i+1); pods of one namespace do not reach each other.
  const n = 40;
  const ns = (i: number) => `ns-${String((i + n) % n).padStart(2, '0')}`;
  const manifests: object[] = [];
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < 1 + (i % 3); p++) {
      manifests.push({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `p${p}`, namespace: ns(i) }, spec: { containers: [{ name: 'c' }] } });
    }
    manifests.push({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'ring', namespace: ns(i) },
      spec: { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns(i + 1) } } }] }] },
    });
  }
  const r = Reachability.fromManifests(manifests);
  const port = Port.tcp(80);
  const g = r._groupedMatrix(port, 'namespace');
  expect(g.groups).toHaveLength(n);
  const members = (name: string) => r.endpoints.filter((id) => id.startsWith(`${name}/`));
  g.groups.forEach((from, i) => {
    const cells = g.cellsFrom(i);
    // Its own pods to themselves (loopback) and the namespace before it in the ring, in the order of `groups`.
    expect(cells.map((c) => c.to)).toEqual([ns(i - 1), ns(i)].sort());
    for (const to of g.groups) {
      let allowed = 0;
      for (const a of members(from.name)) for (const b of members(to.name)) if (r.explain(a, b, port).allowed) allowed++;
      expect(cells.find((c) => c.to === to.name)?.allowed ?? 0).toBe(allowed);
    }
  });
});

test('grouped diff JSON: only the pairs of groups with a change, streamed one source group at a time', () => {
  const pod = (namespace: string, name: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace }, spec: { containers: [{ name: 'c', ports: [{ containerPort: 80 }] }] } });
  const pods = [pod('a', 'x'), pod('b', 'y'), pod('b', 'z'), pod('c', 'w')];
  // After: b admits only its own namespace.
  const deny = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'np', namespace: 'b' },
    spec: { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] },
  };
  const before = Reachability.fromManifests(pods);
  const after = Reachability.fromManifests([...pods, deny]);
  const writes: string[] = [];
  JsonFormat._streamGroupedDiff(Reachability._groupedDiff(before, after, 'namespace'), (text) => writes.push(text));
  const out = JSON.parse(writes.join(''));
  expect(out.groups).toEqual([{ name: 'a', endpoints: 1, first: 'a/x' }, { name: 'b', endpoints: 2, first: 'b/y' }, { name: 'c', endpoints: 1, first: 'c/w' }]);
  // a -> b and c -> b closed, every port compared; b -> b, a -> a, ... unchanged: not listed.
  expect(out.cells).toEqual([
    { from: 'a', to: 'b', opened: 0, closed: 2 },
    { from: 'c', to: 'b', opened: 0, closed: 2 },
  ]);
  expect(out.closed).toBe(4);
  expect(after.explain('a/x', 'b/y', Port.tcp(80)).allowed).toBe(false);
  expect(after.explain('b/z', 'b/y', Port.tcp(80)).allowed).toBe(true);
  // The heading, a piece per source group with a change (a and c, not b), the closing `]}`.
  expect(writes.slice(1)).toEqual(['\n{"from":"a","to":"b","opened":0,"closed":2}', ',\n{"from":"c","to":"b","opened":0,"closed":2}', '\n]}\n']);
});
