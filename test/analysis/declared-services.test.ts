import { Testing, Yaml } from 'cdk8s';
import { TwoNamespaces } from '../../examples/two-namespaces';
import { Port, Reachability } from '../../src';
import { netpol, tempDir } from '../cli/cli-harness';

const ANNOTATION = 'cdk8s-netpol.dev/declared-by-labels';

/** A NetworkPolicy written for the service `service` by its labels, as the constructs write it. */
const policy = (name: string, service: string | undefined, podSelector: any, spec: any = { policyTypes: ['Ingress'] }, namespace = 'shop') => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name, namespace, ...(service === undefined ? {} : { annotations: { [ANNOTATION]: service } }) },
  spec: { podSelector, ...spec },
});
const pod = (namespace: string, name: string, labels: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels }, spec: {} });
const dns = { pods: [{ namespace: 'kube-system', name: 'coredns', labels: { 'k8s-app': 'kube-dns' } }] };

describe('services declared by labels are endpoints of the model', () => {
  const chart = new TwoNamespaces(Testing.app(), 'two-namespaces');

  test('a chart of labels-only services: each is an endpoint <namespace>/<service>, nothing else is invented', () => {
    const r = Reachability.fromManifests(chart.toJson(), dns);
    expect(r.endpoints).toEqual(['data/postgres', 'data/redis', 'orders/api', 'orders/worker', 'kube-system/coredns']);
    expect(r.allows('orders/api', 'data/postgres', Port.tcp(5432))).toBe(true);
    expect(r.allows('orders/worker', 'data/redis', Port.tcp(6379))).toBe(true);
    expect(r.allows('orders/worker', 'data/postgres', Port.tcp(5432))).toBe(false);
    expect(r.allows('orders/api', 'data/redis', Port.tcp(6380))).toBe(false);
    expect(r.allows('data/postgres', 'kube-system/coredns', Port.udp(53))).toBe(true);
    expect(r.allows('data/postgres', 'orders/api', Port.tcp(8080))).toBe(false);
  });

  test('a declared service stands for replicas: its diagonal is decided by the policies, not loopback', () => {
    const r = Reachability.fromManifests(chart.toJson(), dns);
    expect(r.allows('data/postgres', 'data/postgres', Port.tcp(5432))).toBe(false);
    expect(r.explain('data/postgres', 'data/postgres', Port.tcp(5432)).loopback).toBe(false);
  });

  test('the pods of the manifests, or model pods, that match the selector are the service: no declared endpoint then', () => {
    const withPods = Reachability.fromManifests([...chart.toJson(), pod('orders', 'api-7f9c', { app: 'orders-api', pod: 'x' })],
      { pods: [...dns.pods, { namespace: 'data', name: 'pg-0', labels: { app: 'postgres' } }] });
    expect(withPods.endpoints).toEqual(['orders/api-7f9c', 'data/redis', 'orders/worker', 'kube-system/coredns', 'data/pg-0']);
    expect(withPods.allows('orders/api-7f9c', 'data/pg-0', Port.tcp(5432))).toBe(true);
    expect(withPods.allows('orders/worker', 'data/pg-0', Port.tcp(5432))).toBe(false);
  });

  test('a pod of another namespace with the same labels does not stand for the service', () => {
    const r = Reachability.fromManifests([...chart.toJson(), pod('elsewhere', 'api', { app: 'orders-api' })], dns);
    expect(r.endpoints).toContain('orders/api');
  });

  test('an object that already has the id wins, and the declared endpoint is not added', () => {
    const r = Reachability.fromManifests([...chart.toJson(), pod('orders', 'api', { app: 'something-else' })], dns);
    expect(r.endpoints.filter((e) => e === 'orders/api')).toHaveLength(1);
    expect(r.allows('orders/worker', 'orders/api', Port.tcp(8080))).toBe(false);
  });
});

describe('Reachability.fromChart knows the ports a declared service was given', () => {
  const chart = new TwoNamespaces(Testing.app(), 'two-namespaces');

  test('a named-port rule reaches the declared service on its port, and on nothing else', () => {
    // worker -> api is allowed on Port.named('http'); api is declared with { number: 8080, name: 'http' }.
    expect(chart).toAllow('orders/worker', 'orders/api', Port.tcp(8080), dns);
    expect(chart).toAllow('orders/worker', 'orders/api', Port.named('http'), dns);
    expect(chart).toDeny('orders/worker', 'orders/api', Port.tcp(8081), dns);
    expect(chart).toDeny('orders/api', 'orders/worker', Port.tcp(8080), dns);
    const r = Reachability.fromChart(chart, dns);
    expect(r.explain('orders/worker', 'orders/api', Port.named('http')).port).toBe('http/TCP (8080)');
    expect(r.explain('orders/worker', 'orders/api', Port.tcp(8080)).notes).toEqual([]);
  });

  test('from the manifests alone the ports are unknown: the named-port rule matches nothing, and explain says why', () => {
    const r = Reachability.fromManifests(chart.toJson(), dns);
    const explanation = r.explain('orders/worker', 'orders/api', Port.tcp(8080));
    expect(explanation.allowed).toBe(false);
    expect(explanation.notes).toEqual([expect.stringMatching(/^orders\/api is a service declared by labels whose pods are not in the manifests, so its container ports are unknown and a rule that allows a named port never matches it\. Give its pods with their container ports as surroundings/)]);
    // A service whose pods are given (with their ports) needs no note.
    const given = Reachability.fromManifests(chart.toJson(), { pods: [...dns.pods, { namespace: 'orders', name: 'api', labels: { app: 'orders-api' }, ports: [{ number: 8080, name: 'http' }] }] });
    expect(given.explain('orders/worker', 'orders/api', Port.tcp(8080))).toMatchObject({ allowed: true, notes: [] });
  });

  test('fromApp too', () => {
    const app = Testing.app();
    new TwoNamespaces(app, 'two-namespaces');
    expect(Reachability.fromApp(app, dns).allows('orders/worker', 'orders/api', Port.tcp(8080))).toBe(true);
  });
});

describe('what makes a declared endpoint, from hand-written manifests', () => {
  const egress = { policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: { app: 'db' } } }], ports: [{ port: 5432 }] }] };

  test('the ingress and egress policies of one service make one endpoint with the selector\'s labels', () => {
    const r = Reachability.fromManifests([
      policy('api-ingress', 'api', { matchLabels: { app: 'api' } }),
      policy('api-egress', 'api', { matchLabels: { app: 'api' } }, egress),
      pod('shop', 'db', { app: 'db' }),
    ]);
    expect(r.endpoints).toEqual(['shop/db', 'shop/api']);
    expect(r.allows('shop/api', 'shop/db', Port.tcp(5432))).toBe(true);
    expect(r.allows('shop/db', 'shop/api', Port.tcp(8080))).toBe(false);
  });

  test('matchExpressions: In takes its first value, Exists an empty one, NotIn and DoesNotExist nothing', () => {
    const selector = {
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['web', 'api'] }, { key: 'team', operator: 'Exists' },
        { key: 'env', operator: 'NotIn', values: ['dev'] }, { key: 'canary', operator: 'DoesNotExist' },
      ],
    };
    const r = Reachability.fromManifests([
      policy('api-ingress', 'api', selector, { policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'db' } } }] }] }),
      policy('db-egress', undefined, { matchLabels: { app: 'db' } }, { policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: { tier: 'api' } } }] }] }),
      pod('shop', 'db', { app: 'db' }),
    ]);
    expect(r.endpoints).toEqual(['shop/db', 'shop/api']);
    // The declared endpoint carries tier=api (the first In value in code-unit order), so db's egress to tier=api reaches it.
    expect(r.allows('shop/db', 'shop/api', Port.tcp(80))).toBe(true);
  });

  test.each([
    ['an empty annotation', [policy('a', '', { matchLabels: { app: 'a' } })]],
    ['a blank annotation', [policy('a', '  ', { matchLabels: { app: 'a' } })]],
    ['no annotation', [policy('a', undefined, { matchLabels: { app: 'a' } })]],
    ['a policy for every pod ({})', [policy('a', 'a', {})]],
    ['two policies that disagree on the pods', [policy('a-ingress', 'a', { matchLabels: { app: 'a' } }), policy('a-egress', 'a', { matchLabels: { app: 'b' } }, { policyTypes: ['Egress'] })]],
    ['a selector no labels satisfy', [policy('a', 'a', { matchExpressions: [{ key: 'x', operator: 'In', values: ['1'] }, { key: 'x', operator: 'NotIn', values: ['1'] }] })]],
    ['a policy the API server rejects', [policy('a', 'a', { matchLabels: { app: 'a' } }, { policyTypes: ['Ingress'], ingress: [{ ports: [{ port: 0 }] }] })]],
  ])('%s: no declared endpoint', (_, manifests) => {
    expect(Reachability.fromManifests(manifests).endpoints).toEqual([]);
  });

  test('the model pods and external endpoints keep their ids', () => {
    const manifests = [policy('a', 'a', { matchLabels: { app: 'a' } }), policy('b', 'pay', { matchLabels: { app: 'b' } }, { policyTypes: ['Ingress'] }, 'ext')];
    const r = Reachability.fromManifests(manifests, { pods: [{ namespace: 'shop', name: 'a', labels: { app: 'other' } }], externals: [{ name: 'ext/pay', ip: '203.0.113.1' }] });
    expect(r.endpoints).toEqual(['shop/a', 'ext/pay']);
  });
});

describe('netpol sees the declared services too', () => {
  const yaml = Yaml.stringify(...Testing.synth(new TwoNamespaces(Testing.app(), 'two-namespaces')));
  const dir = tempDir({ 'two-namespaces.k8s.yaml': yaml });

  test('matrix lists them and decides their cells by the policies', () => {
    const r = netpol(['matrix', dir, '--port', '6379', '--format', 'json', '--pod', 'kube-system/coredns:k8s-app=kube-dns']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.endpoints).toEqual(['data/postgres', 'data/redis', 'orders/api', 'orders/worker', 'kube-system/coredns']);
    expect(out.allowed['orders/worker']['data/redis']).toBe(true);
    expect(out.allowed['orders/api']['data/redis']).toBe(true);
    expect(out.allowed['data/postgres']['data/redis']).toBe(false);
  });

  test('explain names the policies on both sides', () => {
    const r = netpol(['explain', dir, '--from', 'orders/worker', '--to', 'data/postgres', '--port', '5432']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('orders/worker -> data/postgres on 5432/TCP: DENIED');
    expect(r.stdout).toContain('ingress of data/postgres: isolated by data/default-deny, data/postgres-ingress');
  });
});
