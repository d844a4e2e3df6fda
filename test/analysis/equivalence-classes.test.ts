import { HostNetworkMode, Port, Reachability } from '../../src';
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

/**
 * What each feature of the class key (`classKey`) and of `policyFeatures` tells apart: pods (or
 * addresses) a feature tells apart are in different classes AND those it cannot tell apart share
 * one, with the verdicts that make the difference.
 */
describe('what the class key tells apart, and what it does not', () => {
  const sameClass = (r: Reachability, a: string, b: string, queries: Array<{ name?: string; port?: number; protocol: string }> = []) => {
    const c = EndpointClasses.of(r._cluster, queries);
    return c.classOf[r._cluster.endpoint(a)!.index] === c.classOf[r._cluster.endpoint(b)!.index];
  };
  const withSpec = (o: any, spec: any, status?: any) => ({ ...o, spec: { ...o.spec, ...spec }, ...(status ? { status } : {}) });
  const anp = (name: string, spec: any) => ({ apiVersion: 'policy.networking.k8s.io/v1alpha1', kind: 'AdminNetworkPolicy', metadata: { name }, spec: { priority: 1, ...spec } });
  const cnp = (namespace: string, name: string, spec: any) => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name, namespace }, spec });

  test.each([HostNetworkMode.POD_TRAFFIC, HostNetworkMode.NODE_TRAFFIC])('a hostNetwork pod is apart from pods of the same labels (%s)', (hostNetwork) => {
    const r = Reachability.fromManifests([
      ns('shop'), policy('shop', 'deny', { podSelector: {}, policyTypes: ['Ingress'] }),
      pod('shop', 'a', { app: 'web' }), pod('shop', 'b', { app: 'web' }), withSpec(pod('shop', 'h', { app: 'web' }), { hostNetwork: true }, { podIP: '10.0.0.9', hostIP: '10.0.0.9' }),
    ], { hostNetwork });
    expect(sameClass(r, 'shop/a', 'shop/b')).toBe(true);
    expect(sameClass(r, 'shop/a', 'shop/h')).toBe(false);
    // Node traffic is not selected by the policy, so it is not isolated; as a pod it is.
    expect(r.matrix(Port.tcp(80)).isAllowed('shop/a', 'shop/h')).toBe(hostNetwork === HostNetworkMode.NODE_TRAFFIC);
    expect(r.matrix(Port.tcp(80)).isAllowed('shop/a', 'shop/b')).toBe(false);
  });

  test("with node ends, pods are told apart by their node (a pod's own node always reaches it); without, they are not", () => {
    const node = (name: string, ip: string) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name }, status: { addresses: [{ type: 'InternalIP', address: ip }] } });
    const deny = policy('shop', 'deny', { podSelector: {}, policyTypes: ['Ingress'] });
    const pods = [withSpec(pod('shop', 'a1', { app: 'web' }), { nodeName: 'a' }), withSpec(pod('shop', 'a2', { app: 'web' }), { nodeName: 'a' }),
      withSpec(pod('shop', 'b1', { app: 'web' }), { nodeName: 'b' })];
    const placed = Reachability.fromManifests([ns('shop'), deny, node('a', '10.0.0.1'), node('b', '10.0.0.2'), ...pods]);
    expect(sameClass(placed, 'shop/a1', 'shop/a2')).toBe(true);
    expect(sameClass(placed, 'shop/a1', 'shop/b1')).toBe(false);
    // The class matrix (representatives) gives each node its own pods only.
    const classes = EndpointClasses.of(placed._cluster).matrix({ port: 80, protocol: 'TCP' });
    const at = (id: string) => placed._cluster.endpoint(id)!.index;
    expect(classes.allowed(at('node:a'), at('shop/a1'))).toBe(true);
    expect(classes.allowed(at('node:a'), at('shop/a2'))).toBe(true);
    expect(classes.allowed(at('node:a'), at('shop/b1'))).toBe(false);
    expect(classes.allowed(at('node:b'), at('shop/b1'))).toBe(true);
    expect(classes.allowed(at('shop/b1'), at('shop/a1'))).toBe(false);
    // No node ends: the node a pod runs on matters to no rule.
    const unplacedEnds = Reachability.fromManifests([ns('shop'), deny, ...pods]);
    expect(sameClass(unplacedEnds, 'shop/a1', 'shop/b1')).toBe(true);
  });

  test('namespaces holding a policy are told apart by name; namespaces of equal labels without one are not', () => {
    const sameNamespace = { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] };
    const r = Reachability.fromManifests([
      ns('a'), ns('b'), ns('c'), ns('d'), policy('a', 'p', sameNamespace), policy('b', 'p', sameNamespace),
      pod('a', 'x', {}), pod('a', 'y', {}), pod('b', 'x', {}), pod('c', 'x', {}), pod('d', 'x', {}),
    ]);
    expect(sameClass(r, 'a/x', 'a/y')).toBe(true);
    expect(sameClass(r, 'a/x', 'b/x')).toBe(false);
    expect(sameClass(r, 'c/x', 'd/x')).toBe(true);
    const m = r.matrix(Port.tcp(80));
    expect(m.isAllowed('a/y', 'a/x')).toBe(true);
    expect(m.isAllowed('b/x', 'a/x')).toBe(false);
  });

  test('a named port tells destinations apart by the number of that name AND protocol only', () => {
    const r = Reachability.fromManifests([
      ns('shop'), policy('shop', 'in', { podSelector: {}, ingress: [{ ports: [{ port: 'http' }] }] }),
      pod('shop', 'a', {}, undefined, [{ containerPort: 80, name: 'http' }]),
      pod('shop', 'c', {}, undefined, [{ containerPort: 80, name: 'http' }, { containerPort: 9000, name: 'metrics' }]),
      pod('shop', 'udp', {}, undefined, [{ containerPort: 80, name: 'http', protocol: 'UDP' }]),
      pod('shop', 'web', {}, undefined, [{ containerPort: 80, name: 'web' }]),
      pod('shop', 'none', {}),
    ]);
    expect(classesOf(r)).toEqual([['shop/a', 'shop/c'], ['shop/udp', 'shop/web', 'shop/none']]);
    expect(EndpointClasses.of(r._cluster).size).toBe(2);
    const m = r.matrix(Port.tcp(80));
    expect(m.allowedFrom('shop/none')).toEqual(['shop/a', 'shop/c', 'shop/none']);
  });

  test('membership of each address in each ipBlock tells pods apart', () => {
    const r = Reachability.fromManifests([
      ns('shop'), ns('idle'),
      policy('shop', 'out', { podSelector: { matchLabels: { app: 'src' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.1.0.0/16' } }] }, { to: [{ ipBlock: { cidr: '10.2.0.0/16' } }], ports: [{ port: 443 }] }] }),
      pod('shop', 'src', { app: 'src' }),
      // Dual stack: the IPv6 address is in no block, the IPv4 one is in the first. A block that
      // holds only some of a pod's addresses does not match it (decided fail closed), so the pod
      // is told apart from one whose only address is in the same block.
      withSpec(pod('idle', 'dual', {}), {}, { podIP: '10.1.0.5', podIPs: [{ ip: '10.1.0.5' }, { ip: 'fd00::5' }] }),
      pod('idle', 'one', {}, '10.1.0.6'), pod('idle', 'two', {}, '10.2.0.7'), pod('idle', 'out', {}, '10.9.0.1'), pod('idle', 'noip', {}),
    ]);
    expect(sameClass(r, 'idle/dual', 'idle/one')).toBe(false);
    expect(sameClass(r, 'idle/out', 'idle/noip')).toBe(true);
    expect(sameClass(r, 'idle/one', 'idle/two')).toBe(false);
    expect(sameClass(r, 'idle/dual', 'idle/out')).toBe(false);
    expect(r.matrix(Port.tcp(80)).allowedFrom('shop/src')).toEqual(['shop/src', 'idle/one']);
    expect(r.matrix(Port.tcp(443)).allowedFrom('shop/src')).toEqual(['shop/src', 'idle/one', 'idle/two']);
    for (const to of ['idle/dual', 'idle/out', 'idle/noip']) expect(r.matrix(Port.tcp(443)).isAllowed('shop/src', to)).toBe(false);
  });

  test('the domain names an address matches tell it apart; without DNS-name rules its name alone does not', () => {
    // The pod's IP is given: a networks rule that does not hold every address is decided by it.
    const r = Reachability.fromManifests([ns('shop'), pod('shop', 'p', {}, '10.9.0.9'), anp('dns', {
      subject: { namespaces: {} },
      egress: [
        { action: 'Allow', to: [{ domainNames: ['api.example.com'] }] },
        { action: 'Allow', to: [{ domainNames: ['*.example.org'] }] },
        { action: 'Deny', to: [{ networks: ['0.0.0.0/0'] }] },
      ],
    })], {
      externals: [
        { name: 'api', ip: '203.0.113.7', dnsName: 'api.example.com' }, { name: 'www', ip: '203.0.113.8', dnsName: 'www.example.org' },
        { name: 'other', ip: '203.0.113.9', dnsName: 'other.net' }, { name: 'plain', ip: '203.0.113.10' },
      ],
    });
    expect(classesOf(r).filter((c) => !c[0].includes('/'))).toEqual([['api'], ['www'], ['other', 'plain']]);
    expect(r.matrix(Port.tcp(443)).allowedFrom('shop/p')).toEqual(['shop/p', 'api', 'www']);
  });

  test('the labels a selector looks at tell pods apart in any key order; every value any selector names counts', () => {
    const r = Reachability.fromManifests([
      ns('shop'),
      policy('shop', 'one', { podSelector: { matchLabels: { app: 'a', tier: 'db', env: 'prod' } }, policyTypes: ['Ingress'] }),
      policy('shop', 'two', { podSelector: { matchLabels: { app: 'b' } }, policyTypes: ['Ingress'] }),
      pod('shop', 'x', { app: 'a', tier: 'db', env: 'prod' }), pod('shop', 'y', { env: 'prod', app: 'a', tier: 'db' }), pod('shop', 'z', { tier: 'db', env: 'dev', app: 'a' }),
      pod('shop', 'a', { app: 'a' }), pod('shop', 'b', { app: 'b' }), pod('shop', 'c', { app: 'c' }), pod('shop', 'd', { app: 'd' }),
    ]);
    expect(classesOf(r)).toEqual([['shop/x', 'shop/y'], ['shop/z'], ['shop/a'], ['shop/b'], ['shop/c', 'shop/d']]);
    expect(r.matrix(Port.tcp(80)).allowedFrom('shop/c')).toEqual(['shop/z', 'shop/a', 'shop/c', 'shop/d']);
  });

  test('a query by number does not tell pods apart by their ports; each named query does by its own name', () => {
    const ports = (http: number, metrics: number) => [{ containerPort: http, name: 'http' }, { containerPort: metrics, name: 'metrics' }];
    const r = Reachability.fromManifests([
      ns('shop'), pod('shop', 'a', {}, undefined, ports(80, 9000)), pod('shop', 'a2', {}, undefined, ports(80, 9000)),
      pod('shop', 'b', {}, undefined, ports(80, 9001)), pod('shop', 'c', {}, undefined, ports(81, 9000)),
      pod('shop', 'u1', {}, undefined, [{ containerPort: 80 }]), pod('shop', 'u2', {}, undefined, [{ containerPort: 81 }]),
    ]);
    expect(classesOf(r, [{ port: 80, protocol: 'TCP' } as any])).toEqual([['shop/a', 'shop/a2', 'shop/b', 'shop/c', 'shop/u1', 'shop/u2']]);
    const named = [{ name: 'http', protocol: 'TCP' }, { name: 'metrics', protocol: 'TCP' }];
    expect(classesOf(r, named)).toEqual([['shop/a', 'shop/a2'], ['shop/b'], ['shop/c'], ['shop/u1', 'shop/u2']]);
    expect(sameClass(r, 'shop/a', 'shop/b', [named[0]])).toBe(true);
    expect(sameClass(r, 'shop/a', 'shop/b', [named[1]])).toBe(false);
  });

  test('namespaces and networks of the cluster-wide tiers tell pods apart; other namespaces and addresses do not', () => {
    const r = Reachability.fromManifests([
      ns('prod', { env: 'prod' }), ns('dmz', { zone: 'dmz' }), ns('other', { zone: 'x' }), ns('other2', { zone: 'y' }),
      anp('guard', {
        subject: { namespaces: { matchLabels: { env: 'prod' } } },
        ingress: [{ action: 'Deny', from: [{ namespaces: { matchLabels: { zone: 'dmz' } } }] }],
        egress: [{ action: 'Deny', to: [{ networks: ['10.1.0.0/16', '10.2.0.0/16'] }] }],
      }),
      // Every IP given: the networks rule is decided by them (without them it is left out, not decided).
      pod('prod', 'api', {}, '10.9.0.3'), pod('dmz', 'p', {}, '10.9.0.1'), pod('other', 'p', {}, '10.9.0.2'), pod('other2', 'p', {}, '10.9.0.4'),
      pod('other', 'one', {}, '10.1.0.5'), pod('other', 'two', {}, '10.2.0.5'),
    ]);
    expect(sameClass(r, 'other/p', 'other2/p')).toBe(true);
    expect(sameClass(r, 'dmz/p', 'other/p')).toBe(false);
    expect(sameClass(r, 'other/one', 'other/p')).toBe(false);
    expect(sameClass(r, 'other/two', 'other/p')).toBe(false);
    const m = r.matrix(Port.tcp(80));
    expect(m.isAllowed('dmz/p', 'prod/api')).toBe(false);
    expect(m.isAllowed('other/p', 'prod/api')).toBe(true);
    expect(m.allowedFrom('prod/api')).toEqual(['prod/api', 'dmz/p', 'other/p', 'other2/p']);
  });

  test('Cilium endpoint selectors: namespaces by name, namespace labels, pod labels; CIDR sets with their exceptions', () => {
    const r = Reachability.fromManifests([
      ns('shop'), ns('ops'), ns('ops2'), ns('red1', { team: 'red' }), ns('red2', { team: 'red' }), ns('blue', { team: 'blue' }),
      cnp('shop', 'backend', {
        endpointSelector: { matchLabels: { role: 'backend' } },
        ingress: [
          { fromEndpoints: [{ matchLabels: { 'io.kubernetes.pod.namespace': 'ops', 'k8s:app': 'mon' } }, { matchLabels: { 'io.cilium.k8s.namespace.labels.team': 'red', 'app': 'mon' }, matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'Exists' }] }] },
          // Ports only, no peer: from everywhere.
          { toPorts: [{ ports: [{ port: '9000', protocol: 'TCP' }] }] },
        ],
        egress: [{ toCIDRSet: [{ cidr: '203.0.113.0/24', except: ['203.0.113.8/32'] }, { cidr: '198.51.100.0/24' }, { cidr: '10.99.0.0/16' }] }],
      }),
      pod('shop', 'backend', { role: 'backend' }), pod('ops', 'm', { app: 'mon' }), pod('ops', 'n', { app: 'other' }), pod('ops2', 'm', { app: 'mon' }),
      pod('red1', 'm', { app: 'mon' }), pod('red2', 'm', { app: 'mon' }), pod('blue', 'm', { app: 'mon' }),
    ], {
      // DNS names do not matter without Cilium's DNS rules and toFQDNs.
      externals: [
        { name: 'in', ip: '203.0.113.7', dnsName: 'in.example.com' }, { name: 'second', ip: '198.51.100.1' },
        { name: 'except', ip: '203.0.113.8', dnsName: 'x.example.com' }, { name: 'out', ip: '192.0.2.1', dnsName: 'y.example.net' },
      ],
    });
    expect(r.skipped).toEqual([]);
    expect(sameClass(r, 'red1/m', 'red2/m')).toBe(true);
    expect(sameClass(r, 'red1/m', 'blue/m')).toBe(false);
    expect(sameClass(r, 'ops/m', 'ops/n')).toBe(false);
    expect(sameClass(r, 'ops/m', 'ops2/m')).toBe(false);
    expect(sameClass(r, 'ops/m', 'red1/m')).toBe(false);
    expect(sameClass(r, 'except', 'out')).toBe(true);
    expect(sameClass(r, 'in', 'out')).toBe(false);
    expect(sameClass(r, 'second', 'out')).toBe(false);
    const m = r.matrix(Port.tcp(80));
    expect(['ops/m', 'ops/n', 'ops2/m', 'red1/m', 'blue/m'].filter((from) => m.isAllowed(from, 'shop/backend'))).toEqual(['ops/m', 'red1/m']);
    expect(['in', 'second', 'except', 'out'].filter((to) => m.isAllowed('shop/backend', to))).toEqual(['in', 'second']);
    expect(r.matrix(Port.tcp(9000)).isAllowed('ops/n', 'shop/backend')).toBe(true);
  });

  test.each([
    ['toFQDNs', { toFQDNs: [{ matchPattern: '*.example.com' }] }],
    ['a DNS rule', { toEndpoints: [{}], toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }], rules: { dns: [{ matchPattern: '*' }] } }] }],
  ])('Cilium %s: addresses of different DNS names are apart, of one name together', (_, rule) => {
    const externals = [
      { name: 'a1', ip: '203.0.113.7', dnsName: 'a.example.com' }, { name: 'a2', ip: '203.0.113.8', dnsName: 'a.example.com' },
      { name: 'b', ip: '203.0.113.9', dnsName: 'b.example.com' },
    ];
    const r = Reachability.fromManifests([ns('shop'), pod('shop', 'p', {}), cnp('shop', 'out', { endpointSelector: {}, egress: [rule] })], { externals });
    expect(r.skipped).toEqual([]);
    expect(sameClass(r, 'a1', 'a2')).toBe(true);
    expect(sameClass(r, 'a1', 'b')).toBe(false);
    // Without Cilium's name rules, the names alone tell nothing apart.
    expect(sameClass(Reachability.fromManifests([ns('shop'), pod('shop', 'p', {})], { externals }), 'a1', 'b')).toBe(true);
  });

  test('the class matrix: a single pod to itself is loopback where the port exists; a workload\'s replicas are policed', () => {
    const workload = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'w', namespace: 'shop' }, spec: { template: { metadata: { labels: {} }, spec: { containers: [{ name: 'c', ports: [{ containerPort: 80, name: 'http' }] }] } } } };
    const r = Reachability.fromManifests([
      ns('shop'), policy('shop', 'deny', { podSelector: {}, policyTypes: ['Ingress'] }),
      pod('shop', 'a', {}, undefined, [{ containerPort: 80, name: 'http' }]), pod('shop', 'b', {}, undefined, [{ containerPort: 80, name: 'http' }]),
      pod('shop', 'none', {}), workload,
      ns('open'), pod('open', 'x', {}, undefined, [{ containerPort: 80, name: 'http' }]), pod('open', 'y', {}),
    ]);
    const http = { name: 'http', protocol: 'TCP' };
    const classes = EndpointClasses.of(r._cluster, [http]);
    const m = classes.matrix(http);
    const at = (id: string) => r._cluster.endpoint(id)!.index;
    const ids = (row: { members(): Iterable<number> }) => [...row.members()].map((i) => r._cluster.endpoints[i].id);
    expect(classes.classOf[at('shop/a')]).toBe(classes.classOf[at('shop/w')]);
    expect([m.allowed(at('shop/a'), at('shop/a')), m.allowed(at('shop/a'), at('shop/b')), m.allowed(at('shop/w'), at('shop/w'))]).toEqual([true, false, false]);
    // No port named http: nothing reaches it, not even itself.
    expect(m.allowed(at('shop/none'), at('shop/none'))).toBe(false);
    expect(m.allowed(at('open/y'), at('open/y'))).toBe(false);
    expect(ids(m.row(at('shop/a')))).toEqual(['shop/a', 'open/x']);
    expect(ids(m.row(at('shop/w')))).toEqual(['open/x']);
    expect(ids(m.row(at('open/y')))).toEqual(['open/x']);
    expect(ids(m.row(at('open/x')))).toEqual(['open/x']);
    // The count without listing equals the rows, and the reference pair by pair.
    const rows = m.endpointRows();
    expect(rows.map((row) => ids(row))).toEqual(r._cluster.endpoints.map((e) => ids(m.row(e.index))));
    const reference = r.endpoints.reduce((n, from) => n + r.endpoints.filter((to) => r.explain(from, to, Port.named('http')).allowed).length, 0);
    expect(m.allowedCount()).toBe(reference);
    expect(m.allowedCount()).toBe(rows.reduce((n, row) => n + [...row.members()].length, 0));
  });
});
