import { ALL_PODS, conformanceManifests, podIp, policy } from './conformance-model';
import { Port, Reachability, SkipCategory, TextFormat } from '../../src';

/** The expected truth table: the set of allowed pairs `from->to` for the port; everything else denied. */
function expectReachability(policies: any[], port: Port, allowed: (from: string, to: string) => boolean, extra: any[] = []) {
  const r = Reachability.fromManifests([...conformanceManifests(), ...extra, ...policies]);
  expect(r.skipped).toEqual([]);
  const matrix = r.matrix(port);
  const wrong: string[] = [];
  for (const from of ALL_PODS) {
    for (const to of ALL_PODS) {
      if (from === to) {
        expect(matrix.isLoopback(from, to)).toBe(true);
        expect(matrix.isAllowed(from, to)).toBe(true);
        continue;
      }
      const expected = allowed(from, to);
      if (matrix.isAllowed(from, to) !== expected) wrong.push(`${from}->${to} expected ${expected ? 'allowed' : 'denied'}`);
      // The pair-by-pair reference semantics (explain) agrees with the matrix.
      if (r.allows(from, to, port) !== matrix.isAllowed(from, to)) wrong.push(`${from}->${to} explain disagrees with matrix`);
    }
  }
  expect(wrong).toEqual([]);
  return r;
}

const ns = (id: string) => id.split('/')[0];
const pod = (id: string) => id.split('/')[1];
const TCP80 = Port.tcp(80);

describe('conformance model: isolation', () => {
  test('no policies: everything is allowed', () => {
    expectReachability([], TCP80, () => true);
  });

  test('default deny ingress in x: nothing reaches x, x reaches everything', () => {
    expectReachability([policy('x', 'deny', { podSelector: {}, policyTypes: ['Ingress'] })], TCP80, (_f, t) => ns(t) !== 'x');
  });

  test('default deny ingress without policyTypes (defaulted to Ingress)', () => {
    expectReachability([policy('x', 'deny', { podSelector: {} })], TCP80, (_f, t) => ns(t) !== 'x');
  });

  test('default deny egress in x: x reaches nothing, others reach x', () => {
    expectReachability([policy('x', 'deny', { podSelector: {}, policyTypes: ['Egress'] })], TCP80, (f) => ns(f) !== 'x');
  });

  test('deny all both ways in x; loopback still reported allowed', () => {
    expectReachability([policy('x', 'deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] })], TCP80, (f, t) => ns(f) !== 'x' && ns(t) !== 'x');
  });

  test('allow all ingress ({} rule) next to a deny: additive, so everything is allowed', () => {
    expectReachability([
      policy('x', 'deny', { podSelector: {}, policyTypes: ['Ingress'] }),
      policy('x', 'allow-all', { podSelector: {}, ingress: [{}] }),
    ], TCP80, () => true);
  });

  test('a policy in another namespace has no effect on x/a', () => {
    expectReachability([policy('y', 'deny-a', { podSelector: { matchLabels: { pod: 'a' } }, policyTypes: ['Ingress', 'Egress'] })], TCP80,
      (f, t) => f !== 'y/a' && t !== 'y/a');
  });

  test('a pod selected by no policy stays open even though its namespace has policies', () => {
    const r = expectReachability([policy('x', 'deny-a', { podSelector: { matchLabels: { pod: 'a' } }, policyTypes: ['Ingress'] })], TCP80, (_f, t) => t !== 'x/a');
    expect(r.unprotected()).toContain('x/b');
    expect(r.unprotected()).not.toContain('x/a');
  });
});

describe('conformance model: peers', () => {
  test('same-namespace pod selector: only x/b may reach x/a', () => {
    expectReachability([policy('x', 'a-from-b', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'b' } } }] }] })], TCP80,
      (f, t) => t !== 'x/a' || f === 'x/b');
  });

  test('empty podSelector in a peer: every pod of the policy namespace, no other namespace', () => {
    expectReachability([policy('x', 'a-from-x', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ podSelector: {} }] }] })], TCP80,
      (f, t) => t !== 'x/a' || ns(f) === 'x');
  });

  test('namespace by label: only namespace y may reach x/a', () => {
    expectReachability([policy('x', 'a-from-y', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }] }] })], TCP80,
      (f, t) => t !== 'x/a' || ns(f) === 'y');
  });

  test('namespace by its name label (kubernetes.io/metadata.name)', () => {
    expectReachability([policy('x', 'a-from-z', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'z' } } }] }] })], TCP80,
      (f, t) => t !== 'x/a' || ns(f) === 'z');
  });

  test('AND: namespaceSelector and podSelector in one peer: only y/b', () => {
    expectReachability([policy('x', 'and', {
      podSelector: { matchLabels: { pod: 'a' } },
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'y' } }, podSelector: { matchLabels: { pod: 'b' } } }] }],
    })], TCP80, (f, t) => t !== 'x/a' || f === 'y/b');
  });

  test('OR: the same selectors as two peers: all of y, and b of x', () => {
    expectReachability([policy('x', 'or', {
      podSelector: { matchLabels: { pod: 'a' } },
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }, { podSelector: { matchLabels: { pod: 'b' } } }] }],
    })], TCP80, (f, t) => t !== 'x/a' || ns(f) === 'y' || f === 'x/b');
  });

  test('namespaceSelector {}: every pod of every namespace', () => {
    expectReachability([policy('x', 'all-ns', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ namespaceSelector: {} }] }] })], TCP80, () => true);
  });

  test('from: [] allows every source', () => {
    expectReachability([policy('x', 'from-empty', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [] }] })], TCP80, () => true);
  });

  test('matchExpressions In: namespaces y and z', () => {
    expectReachability([policy('x', 'in', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'ns', operator: 'In', values: ['y', 'z'] }] } }] }] })], TCP80,
      (f, t) => t !== 'x/a' || ns(f) !== 'x');
  });

  test('matchExpressions NotIn matches pods without the key', () => {
    const unlabelled = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'nolabel', namespace: 'x' }, spec: { containers: [] } };
    const r = expectReachability([policy('x', 'notin', {
      podSelector: { matchLabels: { pod: 'a' } },
      ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: 'pod', operator: 'NotIn', values: ['b'] }] } }] }],
    })], TCP80, (f, t) => t !== 'x/a' || (ns(f) === 'x' && pod(f) !== 'b'), [unlabelled]);
    expect(r.allows('x/nolabel', 'x/a', TCP80)).toBe(true);
  });

  test('matchExpressions Exists and DoesNotExist', () => {
    const extra = [
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'tagged', namespace: 'y', labels: { team: 'blue' } }, spec: {} },
    ];
    const r = expectReachability([policy('x', 'exists', {
      podSelector: { matchLabels: { pod: 'a' } },
      ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchExpressions: [{ key: 'pod', operator: 'Exists' }] } }] }],
    })], TCP80, () => true, extra);
    expect(r.allows('y/tagged', 'x/a', TCP80)).toBe(false);
    const r2 = Reachability.fromManifests([...conformanceManifests(), ...extra, policy('x', 'dne', {
      podSelector: { matchLabels: { pod: 'a' } },
      ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchExpressions: [{ key: 'pod', operator: 'DoesNotExist' }] } }] }],
    })]);
    expect(r2.allows('y/tagged', 'x/a', TCP80)).toBe(true);
    expect(r2.allows('y/b', 'x/a', TCP80)).toBe(false);
  });
});

describe('conformance model: ports and protocols', () => {
  const onlyPort80 = policy('x', 'p80', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ ports: [{ port: 80 }] }] });

  test('a numeric port (protocol defaults to TCP): 80/TCP allowed, 81/TCP and 80/UDP denied', () => {
    expectReachability([onlyPort80], TCP80, () => true);
    expectReachability([onlyPort80], Port.tcp(81), (_f, t) => t !== 'x/a');
    expectReachability([onlyPort80], Port.udp(80), (_f, t) => t !== 'x/a');
  });

  test('a named port resolves on the destination pod, with its protocol', () => {
    const named = policy('x', 'named', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ ports: [{ port: 'serve-80-tcp' }] }] });
    expectReachability([named], TCP80, () => true);
    expectReachability([named], Port.tcp(81), (_f, t) => t !== 'x/a');
    const namedUdp = policy('x', 'named-udp', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ ports: [{ port: 'serve-81-udp', protocol: 'UDP' }] }] });
    expectReachability([namedUdp], Port.udp(81), () => true);
    expectReachability([namedUdp], Port.udp(80), (_f, t) => t !== 'x/a');
    expectReachability([namedUdp], Port.tcp(81), (_f, t) => t !== 'x/a');
  });

  test('a named port with the wrong protocol matches nothing', () => {
    const wrong = policy('x', 'wrong', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ ports: [{ port: 'serve-80-tcp', protocol: 'UDP' }] }] });
    expectReachability([wrong], TCP80, (_f, t) => t !== 'x/a');
    expectReachability([wrong], Port.udp(80), (_f, t) => t !== 'x/a');
  });

  test('asking by name: the destination resolves it', () => {
    const r = Reachability.fromManifests([...conformanceManifests(), onlyPort80]);
    expect(r.allows('y/b', 'x/a', Port.named('serve-80-tcp'))).toBe(true);
    expect(r.allows('y/b', 'x/a', Port.named('serve-81-tcp'))).toBe(false);
    const missing = r.explain('y/b', 'x/a', Port.named('nope'));
    expect(missing.allowed).toBe(false);
    expect(TextFormat.explanation(missing)).toContain('x/a has no TCP container port named "nope"');
  });

  test('endPort ranges are inclusive', () => {
    const range = policy('x', 'range', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ ports: [{ protocol: 'TCP', port: 80, endPort: 81 }] }] });
    expectReachability([range], TCP80, () => true);
    expectReachability([range], Port.tcp(81), () => true);
    expectReachability([range], Port.tcp(82), (_f, t) => t !== 'x/a');
    expectReachability([range], Port.tcp(79), (_f, t) => t !== 'x/a');
  });

  test('additive policies: each allows its own peer and port', () => {
    const policies = [
      policy('x', 'b-80', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'b' } } }], ports: [{ port: 80 }] }] }),
      policy('x', 'c-81', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'c' } } }], ports: [{ port: 81 }] }] }),
    ];
    expectReachability(policies, TCP80, (f, t) => t !== 'x/a' || f === 'x/b');
    expectReachability(policies, Port.tcp(81), (f, t) => t !== 'x/a' || f === 'x/c');
  });

  test('a UDP-only rule allows no TCP; an SCTP-only policy still isolates for TCP', () => {
    const udp = policy('x', 'udp', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ ports: [{ protocol: 'UDP', port: 80 }] }] });
    expectReachability([udp], TCP80, (_f, t) => t !== 'x/a');
    expectReachability([udp], Port.udp(80), () => true);
    const sctp = policy('x', 'sctp', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ ports: [{ protocol: 'SCTP', port: 80 }] }] });
    expectReachability([sctp], TCP80, (_f, t) => t !== 'x/a');
    expectReachability([sctp], Port.sctp(80), () => true);
    expectReachability([sctp], Port.sctp(81), (_f, t) => t !== 'x/a');
  });

  test('all ports of a protocol (no port)', () => {
    const allUdp = policy('x', 'all-udp', { podSelector: {}, ingress: [{ ports: [{ protocol: 'UDP' }] }] });
    expectReachability([allUdp], Port.udp(81), () => true);
    expectReachability([allUdp], TCP80, (_f, t) => ns(t) !== 'x');
  });
});

describe('conformance model: egress and both sides', () => {
  test('egress to pods: x/a may reach y/b on 80 only', () => {
    const p = policy('x', 'a-to-yb', {
      podSelector: { matchLabels: { pod: 'a' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ namespaceSelector: { matchLabels: { ns: 'y' } }, podSelector: { matchLabels: { pod: 'b' } } }], ports: [{ port: 80 }] }],
    });
    expectReachability([p], TCP80, (f, t) => f !== 'x/a' || t === 'y/b');
    expectReachability([p], Port.tcp(81), (f) => f !== 'x/a');
  });

  test('egress rules without policyTypes default the policy to Ingress and Egress', () => {
    const p = policy('x', 'implicit', { podSelector: { matchLabels: { pod: 'a' } }, egress: [{ to: [{ podSelector: { matchLabels: { pod: 'b' } } }] }] });
    expectReachability([p], TCP80, (f, t) => t !== 'x/a' && (f !== 'x/a' || t === 'x/b'));
  });

  test('policyTypes [Ingress] with egress rules: the egress rules are ignored', () => {
    const p = policy('x', 'ignored', { podSelector: { matchLabels: { pod: 'a' } }, policyTypes: ['Ingress'], ingress: [{}], egress: [{ to: [{ podSelector: { matchLabels: { pod: 'b' } } }] }] });
    expectReachability([p], TCP80, () => true);
  });

  test('egress: [] with Egress listed denies all egress', () => {
    expectReachability([policy('x', 'no-egress', { podSelector: { matchLabels: { pod: 'a' } }, policyTypes: ['Egress'], egress: [] })], TCP80, (f) => f !== 'x/a');
  });

  test('both sides must allow: ingress open on y/b but x/a egress denied', () => {
    const policies = [
      policy('y', 'b-from-xa', { podSelector: { matchLabels: { pod: 'b' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'x' } }, podSelector: { matchLabels: { pod: 'a' } } }] }] }),
      policy('x', 'a-no-egress', { podSelector: { matchLabels: { pod: 'a' } }, policyTypes: ['Egress'] }),
    ];
    const r = expectReachability(policies, TCP80, (f, t) => f !== 'x/a' && (t !== 'y/b' || f === 'x/a'));
    const e = r.explain('x/a', 'y/b', TCP80);
    expect(e.allowed).toBe(false);
    expect(e.egress.isolatingPolicies).toEqual(['x/a-no-egress']);
    expect(e.ingress.allowedBy).toEqual([{ policy: 'y/b-from-xa', direction: 'ingress', rule: 0, byIpBlock: false }]);
    expect(TextFormat.explanation(e)).toMatch(/egress of x\/a: isolated by x\/a-no-egress; DENIED/);
  });

  test('ipBlock on a pod IP (/32) for egress', () => {
    const p = policy('x', 'to-ip', { podSelector: { matchLabels: { pod: 'a' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: `${podIp('y', 'c')}/32` } }] }] });
    const r = expectReachability([p], TCP80, (f, t) => f !== 'x/a' || t === 'y/c');
    expect(r.explain('x/a', 'y/c', TCP80).notes.join()).toContain('depends on the network plugin');
  });

  test('ipBlock with except one pod IP', () => {
    const p = policy('x', 'except', { podSelector: { matchLabels: { pod: 'a' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/16', except: [`${podIp('z', 'b')}/32`] } }] }] });
    expectReachability([p], TCP80, (f, t) => f !== 'x/a' || t !== 'z/b');
  });

  test('a named egress port cannot match an ipBlock destination without that port', () => {
    const externals = [{ name: 'api.example', ip: '203.0.113.10' }];
    const p = policy('x', 'named-egress', { podSelector: { matchLabels: { pod: 'a' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '203.0.113.0/24' } }], ports: [{ port: 'https' }] }] });
    const r = Reachability.fromManifests([...conformanceManifests(), p], { externals });
    expect(r.allows('x/a', 'api.example', Port.tcp(443))).toBe(false);
    const open = policy('x', 'numeric', { podSelector: { matchLabels: { pod: 'a' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '203.0.113.0/24' } }], ports: [{ port: 443 }] }] });
    const r2 = Reachability.fromManifests([...conformanceManifests(), open], { externals });
    expect(r2.allows('x/a', 'api.example', Port.tcp(443))).toBe(true);
    expect(r2.allows('x/a', 'api.example', Port.tcp(80))).toBe(false);
    expect(r2.allows('api.example', 'x/a', Port.tcp(80))).toBe(true);
  });

  test('default deny egress blocks DNS until DNS is allowed', () => {
    const dns = [{ namespace: 'kube-system', name: 'coredns', labels: { 'k8s-app': 'kube-dns' } }];
    const deny = policy('x', 'deny', { podSelector: {}, policyTypes: ['Egress'] });
    const r = Reachability.fromManifests([...conformanceManifests(), deny], { pods: dns });
    expect(r.allows('x/a', 'kube-system/coredns', Port.udp(53))).toBe(false);
    const allowDns = policy('x', 'dns', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] }],
    });
    const r2 = Reachability.fromManifests([...conformanceManifests(), deny, allowDns], { pods: dns });
    expect(r2.allows('x/a', 'kube-system/coredns', Port.udp(53))).toBe(true);
    expect(r2.allows('x/a', 'kube-system/coredns', Port.tcp(53))).toBe(true);
    expect(r2.allows('x/a', 'kube-system/coredns', Port.tcp(80))).toBe(false);
    expect(r2.allows('x/a', 'y/b', Port.tcp(80))).toBe(false);
  });
});

describe('analyser input handling', () => {
  test('policies the API server would reject are left out and reported', () => {
    const bad = policy('x', 'bad', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ ports: [{ port: 0 }] }] });
    const r = Reachability.fromManifests([...conformanceManifests(), bad]);
    expect(r.skipped).toEqual([{ object: 'x/bad', kind: 'NetworkPolicy', category: SkipCategory.INVALID_POLICY, reason: expect.stringContaining('spec.ingress[0].ports[0].port: Invalid value: 0') }]);
    expect(r.allows('y/a', 'x/a', TCP80)).toBe(true);
  });

  test('List wrappers, workloads, ownership and missing namespaces', () => {
    const list = {
      apiVersion: 'v1',
      kind: 'List',
      items: [
        { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop' }, spec: { template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ ports: [{ containerPort: 8080, name: 'http' }] }] } } } },
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web-abc', namespace: 'shop', ownerReferences: [{ kind: 'Deployment', name: 'web' }] }, spec: { template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ ports: [{ containerPort: 8080, name: 'http' }] }] } } } },
        { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-abc-1', namespace: 'shop', ownerReferences: [{ kind: 'ReplicaSet', name: 'web-abc' }], labels: { app: 'web' } }, spec: { containers: [{ ports: [{ containerPort: 8080, name: 'http' }] }] } },
        { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'report' }, spec: { jobTemplate: { spec: { template: { metadata: { labels: { app: 'report' } } } } } } },
      ],
    };
    const r = Reachability.fromManifests([list]);
    expect(r.endpoints).toEqual(['shop/web', 'default/report']);
    expect(r.allows('default/report', 'shop/web', Port.named('http'))).toBe(true);
    expect(() => r.allows('shop/nope', 'shop/web', TCP80)).toThrow(/unknown endpoint "shop\/nope". Known endpoints: shop\/web, default\/report/);
    expect(() => r.matrix(Port.allTcp())).toThrow(/cannot ask about all TCP ports: a connection goes to one port/);
  });

  test('workload endpoints stand for several replicas: the diagonal is the policy verdict', () => {
    const deploy = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'db', namespace: 'data' }, spec: { template: { metadata: { labels: { app: 'db' } } } } };
    const deny = policy('data', 'deny', { podSelector: {}, policyTypes: ['Ingress'] });
    const r = Reachability.fromManifests([deploy, deny]);
    expect(r.allows('data/db', 'data/db', TCP80)).toBe(false);
    expect(r.matrix(TCP80).isLoopback('data/db', 'data/db')).toBe(false);
  });
});
