import { ApiObject, Chart, Testing } from 'cdk8s';
import { Construct, IConstruct, Node } from 'constructs';
import * as fc from 'fast-check';
import { Endpoint, NetworkPolicies, NetpolApp, Port } from '../../src';
import { CanonicalOrder } from '../../src/constructs/canonical-order';
import { fuzzParameters } from '../fuzz-config';
import { testChart } from '../helpers';

/** An object of `kind` in `namespace` named `name`, in its own construct below `scope` (as a policy construct holds its ApiObject). */
function object(scope: Construct, id: string, namespace: string, name: string, kind = 'ConfigMap'): Construct {
  const holder = new Construct(scope, id);
  new ApiObject(holder, 'Resource', { apiVersion: 'v1', kind, metadata: { namespace, name } });
  return holder;
}

const keyOf = (o: any) => `${o.metadata.namespace}\u0000${o.metadata.name}\u0000${o.kind}`;
const sorted = (keys: string[]) => [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

/** Every construct of the tree with its dependencies, as paths: what a synth must leave unchanged. */
function treeOf(root: IConstruct): string[] {
  return root.node.findAll().map((c) => `${c.node.path} -> ${c.node.dependencies.map((d) => d.node.path).join(',')}`);
}

describe('CanonicalOrder: objects render sorted by namespace, name and kind, kept as they are added', () => {
  test('any order of additions renders the same sorted order (hundreds of objects: many pages, splits, additions in the middle)', () => {
    const names = Array.from({ length: 450 }, (_, i) => ({ namespace: `ns${i % 7}`, name: `o${String(i).padStart(3, '0')}`, kind: i % 3 === 0 ? 'Secret' : 'ConfigMap' }));
    fc.assert(fc.property(fc.shuffledSubarray(names, { minLength: names.length, maxLength: names.length }), (shuffled) => {
      const chart = testChart('shop');
      const order = new CanonicalOrder(chart, 'Order');
      shuffled.forEach((n, i) => order.add(object(chart, `c${i}`, n.namespace, n.name, n.kind)));
      const keys = Testing.synth(chart).map(keyOf);
      expect(keys).toEqual(sorted(names.map((n) => `${n.namespace}\u0000${n.name}\u0000${n.kind}`)));
    }), fuzzParameters(15));
  });

  test('the graph stays shallow: no object depends on anything, every page holds at most 100 objects, and the top depends only on pages', () => {
    const chart = testChart('shop');
    const order = new CanonicalOrder(chart, 'Order');
    for (let i = 999; i >= 0; i--) order.add(object(chart, `c${i}`, 'shop', `o${i}`));
    const objects = chart.node.findAll().filter((c) => ApiObject.isApiObject(c));
    expect(objects.every((o) => o.node.dependencies.length === 0)).toBe(true);
    const nodes = order.node.children;
    const pages = nodes.filter((n) => n.node.dependencies.every((d) => ApiObject.isApiObject(d)));
    const tops = nodes.filter((n) => !pages.includes(n));
    expect(tops).toHaveLength(1);
    expect(tops[0].node.dependencies).toEqual(pages.sort((a, b) => tops[0].node.dependencies.indexOf(a) - tops[0].node.dependencies.indexOf(b)));
    expect(pages.every((p) => p.node.dependencies.length <= 100)).toBe(true);
    expect(pages.flatMap((p) => p.node.dependencies)).toHaveLength(1000);
  });

  test('objects added in sorted order only append: one dependency each, a new page when the last is full, nothing rebuilt', () => {
    const addDependency = jest.spyOn(Node.prototype, 'addDependency');
    const chart = testChart('shop');
    const order = new CanonicalOrder(chart, 'Order');
    for (let i = 0; i < 250; i++) order.add(object(chart, `c${i}`, 'shop', `o${String(i).padStart(3, '0')}`));
    const added = addDependency.mock.calls.reduce((sum, args) => sum + args.length, 0);
    addDependency.mockRestore();
    expect(added).toBe(250 + 3); // each object once, and each of the three pages once in the top
    expect(order.node.children.map((c) => c.node.dependencies.length)).toEqual([3, 100, 100, 50]);
    const names = Testing.synth(chart).map((o) => o.metadata.name);
    expect(names).toEqual(sorted(names));
    expect(names).toHaveLength(250);
  });

  test('the order is built as objects are added: validation and synthesis change nothing in the tree', () => {
    const app = new NetpolApp({ outdir: '/nonexistent-never-written' });
    const chart = new Chart(app, 'shop', { namespace: 'shop' });
    const net = NetworkPolicies.of(chart);
    for (let i = 20; i > 0; i--) net.allow(Endpoint.fromLabels(`svc${i}`, { app: `svc${i}` }), Endpoint.fromLabels(`svc${i - 1}`, { app: `svc${i - 1}` }), Port.tcp(80));
    net.denyAll('shop');
    net.allowDnsInNamespace('shop');
    const before = treeOf(app);
    expect(app.node.validate()).toEqual([]);
    chart.node.findAll().forEach((c) => c.node.validate());
    const yaml = app.synthYaml();
    Testing.synth(chart);
    expect(treeOf(app)).toEqual(before);
    expect(app.synthYaml()).toBe(yaml);
  });

  test('objects added after a synth join the order', () => {
    const chart = testChart('shop');
    const net = NetworkPolicies.of(chart);
    net.allow(Endpoint.fromLabels('web', { app: 'web' }), Endpoint.fromLabels('db', { app: 'db' }), Port.tcp(5432));
    expect(Testing.synth(chart).map((o) => o.metadata.name)).toEqual(['db-ingress', 'web-egress']);
    net.allow(Endpoint.fromLabels('api', { app: 'api' }), Endpoint.fromLabels('cache', { app: 'cache' }), Port.tcp(6379));
    expect(Testing.synth(chart).map((o) => o.metadata.name)).toEqual(['api-egress', 'cache-ingress', 'db-ingress', 'web-egress']);
  });

  test('an object added twice is ordered once; a construct without API objects adds nothing', () => {
    const chart = testChart('shop');
    const order = new CanonicalOrder(chart, 'Order');
    const b = object(chart, 'b', 'shop', 'b');
    order.add(b);
    order.add(object(chart, 'a', 'shop', 'a'));
    order.add(b);
    order.add(new Construct(chart, 'empty'));
    expect(Testing.synth(chart).map((o) => o.metadata.name)).toEqual(['a', 'b']);
  });

  test('10,000 objects added in the worst order (each before all others) cost O(n * (page + n / page)) dependencies, not O(n²), and synthesize', () => {
    const addDependency = jest.spyOn(Node.prototype, 'addDependency');
    const chart = testChart('shop');
    const order = new CanonicalOrder(chart, 'Order');
    const n = 10_000;
    for (let i = n - 1; i >= 0; i--) order.add(object(chart, `c${i}`, 'shop', `o${String(i).padStart(5, '0')}`));
    const added = addDependency.mock.calls.reduce((sum, args) => sum + args.length, 0);
    addDependency.mockRestore();
    // Each addition rebuilds one page (<= 100) and the top (one per page, pages at least half full): at most n * (100 + n / 50).
    expect(added).toBeLessThan(n * (100 + n / 50));
    expect(added).toBeLessThan((n * n) / 10);
    const keys = Testing.synth(chart).map((o) => o.metadata.name);
    expect(keys).toHaveLength(n);
    expect(keys).toEqual(sorted(keys));
  });
});
