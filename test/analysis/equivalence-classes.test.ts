import { Port, Reachability } from '../../src';
import { EndpointClasses } from '../../src/analysis/equivalence';
import { policyFeatures } from '../../src/analysis/policy-features';

const ns = (name: string, labels: Record<string, string> = {}) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
const pod = (namespace: string, name: string, labels: Record<string, string>, ip?: string, ports: any[] = []) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels }, spec: { containers: [{ name: 'c', ports }] }, status: ip ? { podIP: ip } : {},
});
const policy = (namespace: string, name: string, spec: any) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec });

/** The classes as lists of endpoint ids. */
function classesOf(r: Reachability, queries: Array<{ name?: string; protocol: string }> = []): string[][] {
  const c = EndpointClasses.of(r._cluster, queries);
  return c.members.map((m) => m.map((i) => r._cluster.endpoints[i].id));
}

describe('equivalence classes', () => {
  const shop = policy('shop', 'db', {
    podSelector: { matchLabels: { app: 'db' } },
    ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: 'tier', operator: 'Exists' }] } }, { namespaceSelector: { matchLabels: { team: 'red' } } }] }],
  });

  test('pods no selector tells apart collapse, across namespaces without policies', () => {
    const r = Reachability.fromManifests([
      ns('shop'), ns('idle-a', { team: 'blue', other: 'x' }), ns('idle-b', { team: 'blue' }), ns('red', { team: 'red' }), shop,
      pod('idle-a', 'p1', { 'app': 'web', 'pod-template-hash': '1' }), pod('idle-b', 'p2', { app: 'web', hash: '2' }),
      pod('idle-a', 'p3', { app: 'other' }), pod('red', 'p4', { app: 'web' }),
    ]);
    // app=web and app=other: `app` is looked at only for the value `db`; idle-a and idle-b both are team=blue.
    expect(classesOf(r)).toEqual([['idle-a/p1', 'idle-b/p2', 'idle-a/p3'], ['red/p4']]);
    const m = r.matrix(Port.tcp(80));
    expect(m.isAllowed('idle-a/p1', 'idle-b/p2')).toBe(true);
  });

  test('a value, a key tested by Exists, a policy namespace and an ipBlock tell pods apart', () => {
    const r = Reachability.fromManifests([
      ns('shop'), ns('idle'), shop,
      policy('shop', 'out', { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.1.0.0/16', except: ['10.1.2.0/24'] } }] }] }),
      pod('shop', 'db', { app: 'db' }), pod('shop', 'web', { app: 'web' }), pod('shop', 'fe', { app: 'web', tier: 'x' }),
      pod('idle', 'a', {}, '10.1.0.5'), pod('idle', 'b', {}, '10.1.2.5'), pod('idle', 'c', {}, '10.9.0.1'), pod('idle', 'd', {}),
    ]);
    expect(classesOf(r)).toEqual([['shop/db'], ['shop/web'], ['shop/fe'], ['idle/a'], ['idle/b', 'idle/c', 'idle/d']]);
    const m = r.matrix(Port.tcp(80));
    expect(m.isAllowed('shop/db', 'idle/a')).toBe(true);
    expect(m.isAllowed('shop/db', 'idle/b')).toBe(false);
    expect(m.isAllowed('shop/fe', 'shop/db')).toBe(true);
    expect(m.isAllowed('shop/web', 'shop/db')).toBe(false);
    expect(m.isAllowed('idle/a', 'shop/db')).toBe(false);
  });

  test('named ports a rule or the query names tell destinations apart by their numbers', () => {
    const objects = [
      ns('shop'),
      policy('shop', 'in', { podSelector: {}, ingress: [{ ports: [{ port: 'http' }] }] }),
      pod('shop', 'a', {}, undefined, [{ containerPort: 80, name: 'http' }, { containerPort: 9000, name: 'metrics' }]),
      pod('shop', 'b', {}, undefined, [{ containerPort: 8080, name: 'http' }, { containerPort: 9000, name: 'metrics' }]),
      pod('shop', 'c', {}, undefined, [{ containerPort: 80, name: 'http' }, { containerPort: 9001, name: 'metrics' }]),
    ];
    const r = Reachability.fromManifests(objects);
    expect(classesOf(r)).toEqual([['shop/a', 'shop/c'], ['shop/b']]);
    expect(classesOf(r, [{ name: 'metrics', protocol: 'TCP' }])).toEqual([['shop/a'], ['shop/b'], ['shop/c']]);
    expect(r.matrix(Port.tcp(80)).allowedFrom('shop/a')).toEqual(['shop/a', 'shop/c']);
    // A pod to itself is loopback, allowed on any port it has.
    expect(r.matrix(Port.tcp(8080)).allowedFrom('shop/a')).toEqual(['shop/a', 'shop/b']);
    expect(r.matrix(Port.named('metrics')).allowedFrom('shop/a')).toEqual(['shop/a']);
  });

  test('policyFeatures lists what the selectors, ports and ipBlocks look at, in one place', () => {
    const r = Reachability.fromManifests([ns('shop'), shop, policy('shop', 'p', {
      podSelector: { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['dev', 'qa'] }] },
      egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }], ports: [{ port: 'dns', protocol: 'UDP' }] }],
    })]);
    const f = policyFeatures(r._cluster);
    expect([...f.namespaces]).toEqual(['shop']);
    expect([...f.namespaceLabels.entries()].map(([k, v]) => [k, [...v]])).toEqual([['team', ['red']]]);
    expect([...f.podLabels.entries()].map(([k, v]) => [k, [...v]]).sort()).toEqual([['app', ['db']], ['env', ['dev', 'qa']], ['tier', []]]);
    expect(f.namedPorts).toEqual([{ name: 'dns', protocol: 'UDP' }]);
    expect(f.ipBlocks.length).toBe(1);
    expect(f.domainNames).toEqual([]);
  });

  test('policyFeatures lists what cluster-wide tiers look at: subject, peers, networks, named ports, domain names', () => {
    const anp = {
      apiVersion: 'policy.networking.k8s.io/v1alpha1',
      kind: 'AdminNetworkPolicy',
      metadata: { name: 'guard' },
      spec: {
        priority: 1,
        subject: { pods: { namespaceSelector: { matchLabels: { env: 'prod' } }, podSelector: { matchLabels: { role: 'api' } } } },
        ingress: [{ action: 'Deny', from: [{ pods: { namespaceSelector: { matchLabels: { zone: 'dmz' } }, podSelector: { matchLabels: { exposed: 'yes' } } } }], ports: [{ namedPort: 'admin' }] }],
        egress: [
          { action: 'Allow', to: [{ domainNames: ['*.example.com'] }] },
          { action: 'Deny', to: [{ networks: ['10.1.0.0/16'] }] },
        ],
      },
    };
    const r = Reachability.fromManifests([ns('prod', { env: 'prod' }), ns('dmz', { zone: 'dmz' }), anp,
      pod('prod', 'api', { role: 'api' }, '10.2.0.1'), pod('prod', 'web', { role: 'web' }, '10.2.0.2'),
      pod('dmz', 'x', { exposed: 'yes' }, '10.1.0.9'), pod('dmz', 'y', { exposed: 'no' }, '10.1.0.8'), pod('dmz', 'z', { exposed: 'no' }, '10.9.0.8')], { externals: [{ name: 'api-ext', ip: '203.0.113.7', dnsName: 'api.example.com' }, { name: 'other-ext', ip: '203.0.113.8', dnsName: 'other.org' }] });
    const f = policyFeatures(r._cluster);
    expect([...f.namespaces]).toEqual([]);
    expect([...f.namespaceLabels.entries()].map(([k, v]) => [k, [...v]]).sort()).toEqual([['env', ['prod']], ['zone', ['dmz']]]);
    expect([...f.podLabels.entries()].map(([k, v]) => [k, [...v]]).sort()).toEqual([['exposed', ['yes']], ['role', ['api']]]);
    expect(f.namedPorts.map((n) => n.name)).toEqual(['admin', 'admin', 'admin']); // a named port of the tiers means any protocol
    expect(f.ipBlocks.length).toBe(1);
    expect(f.domainNames).toEqual(['*.example.com']);
    // Every pod is told apart by what the tier looks at (subject, peer labels, a network); the externals by their names.
    expect(classesOf(r)).toEqual([['prod/api'], ['prod/web'], ['dmz/x'], ['dmz/y'], ['dmz/z'], ['api-ext'], ['other-ext']]);
    const m = r.matrix(Port.tcp(443));
    expect(m.isAllowed('prod/api', 'api-ext')).toBe(true);
    expect(m.isAllowed('prod/api', 'dmz/y')).toBe(false); // Deny to 10.1.0.0/16
    expect(m.isAllowed('prod/api', 'dmz/z')).toBe(true);
    expect(m.isAllowed('prod/web', 'dmz/y')).toBe(true); // not the subject
  });
});

describe('policies indexed by namespace', () => {
  test('scopedTo keeps the policies of the endpoint\'s namespace, in order, and explain decides the same', () => {
    const r = Reachability.fromManifests([
      ns('a'), ns('b'),
      policy('a', 'deny', { podSelector: {}, policyTypes: ['Ingress'] }),
      policy('b', 'allow', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: {} }] }] }),
      policy('a', 'web', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ namespaceSelector: {} }], ports: [{ port: 80 }] }] }),
      pod('a', 'web', { app: 'web' }), pod('b', 'x', {}),
    ]);
    const web = r._cluster.endpoint('a/web')!;
    expect(r._cluster.scopedTo(web).policies.map((p) => p.id)).toEqual(['a/deny', 'a/web']);
    expect(r._cluster.scopedTo(web).namespaceLabels('b')).toEqual(r._cluster.namespaceLabels('b'));
    const allowed = r.explain('b/x', 'a/web', Port.tcp(80));
    expect(allowed.allowed).toBe(true);
    expect(allowed.ingress.isolatingPolicies).toEqual(['a/deny', 'a/web']);
    expect(r.explain('b/x', 'a/web', Port.tcp(81)).allowed).toBe(false);
    expect(r.explain('a/web', 'b/x', Port.tcp(81)).ingress.isolatingPolicies).toEqual(['b/allow']);
  });
});
