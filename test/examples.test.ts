import { Testing } from 'cdk8s';
import { CLUSTER_SERVICES } from './cluster-services';
import { surroundingsBefore, TenServicesBefore } from './fixtures/ten-services-before';
import { policiesOf, yamlOf } from './helpers';
import { NamespaceBaseline } from '../examples/namespace-baseline';
import { TenServices } from '../examples/ten-services';
import { ThreeTier } from '../examples/three-tier';
import { TwoNamespaces } from '../examples/two-namespaces';
import { Port, Reachability, ReachabilityOptions } from '../src';

describe('example: namespace baseline', () => {
  const chart = new NamespaceBaseline(Testing.app(), 'namespace-baseline');
  const workload = [{ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'sandbox' }, spec: { template: { metadata: { labels: { app: 'web' } } } } }];
  const r = Reachability.fromManifests([...chart.toJson(), ...workload], CLUSTER_SERVICES);

  test('YAML is locked', () => {
    expect(yamlOf(chart)).toMatchSnapshot();
  });

  test('pods of sandbox may resolve names and do nothing else', () => {
    expect(r.allows('sandbox/web', 'kube-system/coredns', Port.udp(53))).toBe(true);
    expect(r.allows('sandbox/web', 'kube-system/coredns', Port.tcp(53))).toBe(true);
    expect(r.allows('sandbox/web', 'kube-system/coredns', Port.tcp(80))).toBe(false);
    expect(r.allows('sandbox/web', 'internet', Port.tcp(443))).toBe(false);
    expect(r.allows('ingress-nginx/controller', 'sandbox/web', Port.tcp(80))).toBe(false);
    expect(r.allows('internet', 'sandbox/web', Port.tcp(80))).toBe(false);
    expect(policiesOf(chart).every((p) => p.metadata.namespace === 'sandbox')).toBe(true);
  });
});

describe('example: three tier (ingress -> frontend -> backend -> postgres, backend -> payment API)', () => {
  const chart = new ThreeTier(Testing.app(), 'three-tier');
  const r = Reachability.fromChart(chart, CLUSTER_SERVICES);
  const opts = CLUSTER_SERVICES;

  test('YAML is locked', () => {
    expect(yamlOf(chart)).toMatchSnapshot();
  });

  test('the declared hops are allowed', () => {
    expect(chart).toAllow('ingress-nginx/controller', 'shop/frontend', Port.tcp(8080), opts);
    expect(chart).toAllow('shop/frontend', 'shop/backend', Port.tcp(8080), opts);
    expect(chart).toAllow('shop/backend', 'shop/postgres', Port.tcp(5432), opts);
    expect(chart).toAllow('shop/backend', 'payment-api', Port.tcp(443), opts);
    for (const tier of ['frontend', 'backend', 'postgres']) {
      expect(chart).toAllow(`shop/${tier}`, 'kube-system/coredns', Port.udp(53), opts);
      expect(chart).toAllow(`shop/${tier}`, 'kube-system/coredns', Port.tcp(53), opts);
    }
  });

  test('nothing skips a tier, and nothing else gets in or out', () => {
    expect(chart).toDeny('shop/frontend', 'shop/postgres', Port.tcp(5432), opts);
    expect(chart).toDeny('ingress-nginx/controller', 'shop/backend', Port.tcp(8080), opts);
    expect(chart).toDeny('ingress-nginx/controller', 'shop/postgres', Port.tcp(5432), opts);
    expect(chart).toDeny('other/intruder', 'shop/frontend', Port.tcp(8080), opts);
    expect(chart).toDeny('internet', 'shop/frontend', Port.tcp(8080), opts);
    expect(chart).toDeny('shop/backend', 'internet', Port.tcp(443), opts);
    expect(chart).toDeny('shop/backend', 'payment-api', Port.tcp(80), opts);
    expect(chart).toDeny('shop/frontend', 'payment-api', Port.tcp(443), opts);
    expect(chart).toDeny('shop/postgres', 'shop/backend', Port.tcp(8080), opts);
    expect(chart).toDeny('shop/backend', 'shop/frontend', Port.tcp(8080), opts);
    expect(chart).toDeny('shop/frontend', 'shop/backend', Port.tcp(5432), opts);
  });

  test('anything -> backend other than frontend is denied, on every port that matters', () => {
    const m = r.matrix(Port.tcp(8080));
    const sources = r.endpoints.filter((e) => e !== 'shop/backend' && m.isAllowed(e, 'shop/backend'));
    expect(sources).toEqual(['shop/frontend']);
    expect(r.matrix(Port.tcp(5432)).endpoints.filter((e) => e !== 'shop/postgres' && r.matrix(Port.tcp(5432)).isAllowed(e, 'shop/postgres'))).toEqual(['shop/backend']);
  });

  test('the connectivity diagram shows exactly the declared edges', () => {
    const graph = r.connectivity();
    const edges = graph.edges.filter((e) => !e.from.startsWith('other/') && !e.to.startsWith('other/')).map((e) => `${e.from} -> ${e.to}: ${e.ports.join(', ')}`);
    expect(edges).toEqual(expect.arrayContaining([
      'ingress-nginx/controller -> shop/frontend: 8080/TCP',
      'shop/backend -> payment-api: 443/TCP',
      'shop/backend -> shop/postgres: 5432/TCP',
      'shop/frontend -> shop/backend: 8080/TCP',
    ]));
    const shopEdges = graph.edges.filter((e) => e.from.startsWith('shop/') || e.to.startsWith('shop/'));
    expect(shopEdges.map((e) => `${e.from} -> ${e.to}`)).toEqual([
      'ingress-nginx/controller -> shop/frontend',
      'shop/backend -> kube-system/coredns',
      'shop/backend -> payment-api',
      'shop/backend -> shop/postgres',
      'shop/frontend -> kube-system/coredns',
      'shop/frontend -> shop/backend',
      'shop/postgres -> kube-system/coredns',
    ]);
  });
});

describe('example: two namespaces (orders calls the shared data namespace)', () => {
  const chart = new TwoNamespaces(Testing.app(), 'two-namespaces');
  const pods = [
    ...CLUSTER_SERVICES.pods!,
    { namespace: 'orders', name: 'api', labels: { app: 'orders-api' }, ports: [{ number: 8080, name: 'http' }] },
    { namespace: 'orders', name: 'worker', labels: { app: 'orders-worker' } },
    { namespace: 'data', name: 'postgres', labels: { app: 'postgres' } },
    { namespace: 'data', name: 'redis', labels: { app: 'redis' } },
    { namespace: 'data', name: 'analytics', labels: { app: 'analytics' } },
  ];
  const opts = { pods, externals: CLUSTER_SERVICES.externals };

  test('YAML is locked', () => {
    expect(yamlOf(chart)).toMatchSnapshot();
  });

  test('declared cross-namespace dependencies are allowed', () => {
    expect(chart).toAllow('orders/api', 'data/postgres', Port.tcp(5432), opts);
    expect(chart).toAllow('orders/api', 'data/redis', Port.tcp(6379), opts);
    expect(chart).toAllow('orders/worker', 'data/redis', Port.tcp(6379), opts);
    expect(chart).toAllow('orders/worker', 'orders/api', Port.tcp(8080), opts);
    expect(chart).toAllow('data/analytics', 'kube-system/coredns', Port.udp(53), opts);
  });

  test('everything else is denied', () => {
    expect(chart).toDeny('orders/worker', 'data/postgres', Port.tcp(5432), opts);
    expect(chart).toDeny('data/analytics', 'data/postgres', Port.tcp(5432), opts);
    expect(chart).toDeny('other/intruder', 'data/redis', Port.tcp(6379), opts);
    expect(chart).toDeny('orders/api', 'orders/worker', Port.tcp(8080), opts);
    expect(chart).toDeny('orders/api', 'data/postgres', Port.tcp(6379), opts);
    expect(chart).toDeny('orders/api', 'internet', Port.tcp(443), opts);
  });
});

describe('example: ten services, written once', () => {
  const chart = new TenServices(Testing.app(), 'ten-services');
  // README:surroundings:start
  const surroundings: ReachabilityOptions = {
    pods: [
      { namespace: 'kube-system', name: 'coredns', labels: { 'k8s-app': 'kube-dns' } },
      { namespace: 'ingress-nginx', name: 'controller', labels: { 'app.kubernetes.io/name': 'ingress-nginx' } },
    ],
    externals: [{ name: 'payment-api', ip: '203.0.113.10' }],
  };
  // README:surroundings:end
  const allowed: Array<[string, string, Port]> = [
    ['ingress-nginx/controller', 'shop/web', Port.tcp(8080)], ['shop/web', 'shop/api', Port.tcp(8080)],
    ...['catalog', 'cart', 'orders', 'users'].map((s): [string, string, Port] => ['shop/api', `shop/${s}`, Port.tcp(8080)]),
    ['shop/api', 'shop/search', Port.tcp(9200)], ['shop/catalog', 'shop/search', Port.tcp(9200)],
    ...['catalog', 'orders', 'users'].map((s): [string, string, Port] => [`shop/${s}`, 'data/postgres', Port.tcp(5432)]),
    ['shop/cart', 'data/redis', Port.tcp(6379)], ['shop/orders', 'shop/payments', Port.tcp(8080)], ['shop/payments', 'payment-api', Port.tcp(443)],
    ['data/postgres', 'kube-system/coredns', Port.udp(53)], ['shop/web', 'kube-system/coredns', Port.udp(53)],
  ];
  const denied: Array<[string, string, Port]> = [
    ['ingress-nginx/controller', 'shop/api', Port.tcp(8080)], ['shop/web', 'data/postgres', Port.tcp(5432)], ['shop/web', 'shop/orders', Port.tcp(8080)],
    ['shop/api', 'data/postgres', Port.tcp(5432)], ['shop/api', 'shop/search', Port.tcp(8080)], ['shop/cart', 'data/postgres', Port.tcp(5432)],
    ['shop/orders', 'payment-api', Port.tcp(443)], ['shop/payments', 'payment-api', Port.tcp(80)], ['data/redis', 'data/postgres', Port.tcp(5432)],
    ['shop/payments', 'shop/orders', Port.tcp(8080)], ['shop/search', 'shop/catalog', Port.tcp(8080)],
  ];

  test('YAML is locked', () => {
    expect(yamlOf(chart)).toMatchSnapshot();
  });

  test('the chart\'s services are its endpoints: the test gives only what lives outside it', () => {
    expect(Reachability.fromChart(chart, surroundings).endpoints.sort()).toEqual([
      'data/postgres', 'data/redis', 'ingress-nginx/controller', 'kube-system/coredns', 'payment-api',
      'shop/api', 'shop/cart', 'shop/catalog', 'shop/orders', 'shop/payments', 'shop/search', 'shop/users', 'shop/web',
    ]);
    for (const [from, to, port] of allowed) expect(chart).toAllow(from, to, port, surroundings);
    for (const [from, to, port] of denied) expect(chart).toDeny(from, to, port, surroundings);
  });

  test('the same application with the previous release\'s API writes the same YAML, and needed every service again in its test', () => {
    const before = new TenServicesBefore(Testing.app(), 'ten-services');
    expect(yamlOf(before)).toEqual(yamlOf(chart));
    for (const [from, to, port] of allowed) expect(before).toAllow(from, to, port, surroundingsBefore());
    for (const [from, to, port] of denied) expect(before).toDeny(from, to, port, surroundingsBefore());
  });
});
