import { DecisionTier, Direction, JsonFormat, Port, Reachability, SideDecision, TextFormat, validateManifests } from '../../src';
import { netpol, tempDir } from '../cli/cli-harness';
import {
  ALLOW_DNS_CNP, BASELINE_DEFAULT_DENY_CNP, CLUSTER_CONTROL_ANP, DEFAULT_BANP, DOMAIN_ALLOW_LIST_CNP, PODS_AND_PORTS_CNP,
} from '../fixtures/cluster-policies';

/**
 * The precedence of the sig-network policy API, from its documentation: Admin tier by priority
 * (first matching rule decides; Allow/Accept and Deny are final, Pass hands over), then the
 * NetworkPolicies (final for the pods they select), then the Baseline tier, then the default (allow);
 * both sides of a connection must allow it.
 */

const ns = (name: string, labels: Record<string, string> = {}) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
const pod = (namespace: string, name: string, labels: Record<string, string> = { app: name }, ip?: string, ports = [{ containerPort: 8080, name: 'http' }]) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels }, spec: { containers: [{ name: 'c', ports }] }, ...(ip ? { status: { podIP: ip } } : {}),
});
const np = (namespace: string, name: string, spec: Record<string, unknown>) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec });
const denyIngress = (namespace: string) => np(namespace, 'deny', { podSelector: {}, policyTypes: ['Ingress'] });
const allowFromNamespace = (namespace: string, from: string) => np(namespace, `allow-from-${from}`, {
  podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': from } } }] }],
});

const TENANTS = [ns('monitoring'), ns('tenant-a', { tenant: 'open' }), ns('tenant-b'), ns('kube-system'),
  pod('monitoring', 'prom'), pod('tenant-a', 'web'), pod('tenant-b', 'web'), pod('kube-system', 'coredns', { 'k8s-app': 'kube-dns' }, undefined, [{ containerPort: 53, name: 'dns' }])];
const HTTP = Port.tcp(8080);
/** TENANTS with an IP for each pod: a networks rule that does not hold every address is decidable only for pods whose IP is known. */
const TENANTS_WITH_IPS = TENANTS.map((o, i) => (o.kind === 'Pod' ? { ...o, status: { podIP: `10.0.9.${i}` } } : o));

describe('v1alpha1: AdminNetworkPolicy, NetworkPolicies, BaselineAdminNetworkPolicy', () => {
  test('Allow in the Admin tier is final: monitoring reaches a pod its NetworkPolicy isolates', () => {
    const r = Reachability.fromManifests([CLUSTER_CONTROL_ANP, ...TENANTS, denyIngress('tenant-b')]);
    const e = r.explain('monitoring/prom', 'tenant-b/web', HTTP);
    expect(e.allowed).toBe(true);
    expect(e.ingress).toMatchObject({ decision: SideDecision.ALLOWED, tier: DecisionTier.ADMIN, isolated: true, isolatingPolicies: ['tenant-b/deny'] });
    expect(e.ingress.decidedBy).toEqual({
      kind: 'AdminNetworkPolicy', policy: 'cluster-control', tier: DecisionTier.ADMIN, priority: 34, direction: 'ingress', rule: 0, ruleName: 'allow-from-monitoring', action: 'Allow',
    });
  });

  test('Deny in the Admin tier is final: a NetworkPolicy that allows everything cannot open it', () => {
    const allowAll = np('tenant-a', 'allow-all', { podSelector: {}, ingress: [{}] });
    const r = Reachability.fromManifests([CLUSTER_CONTROL_ANP, ...TENANTS, allowAll]);
    expect(r.explain('tenant-b/web', 'tenant-a/web', HTTP)).toMatchObject({ allowed: false, ingress: { tier: DecisionTier.ADMIN, decidedBy: { rule: 2, action: 'Deny' } } });
    // Monitoring is not a subject (NotIn), so its ingress goes to its own policies: none, then the default.
    const monitoring = r.explain('tenant-b/web', 'monitoring/prom', HTTP).ingress;
    expect(monitoring).toMatchObject({ allowed: true, tier: DecisionTier.DEFAULT });
    expect(monitoring.decidedBy).toBeUndefined();
  });

  test('Pass hands over to the NetworkPolicies: they decide for the pods they select, both ways', () => {
    const opened = Reachability.fromManifests([CLUSTER_CONTROL_ANP, ...TENANTS.map((o) => (o.metadata.name === 'tenant-b' && o.kind === 'Namespace' ? ns('tenant-b', { tenant: 'open' }) : o)),
      allowFromNamespace('tenant-b', 'tenant-a')]);
    const e = opened.explain('tenant-a/web', 'tenant-b/web', HTTP);
    expect(e.allowed).toBe(true);
    expect(e.ingress).toMatchObject({ tier: DecisionTier.NETWORK_POLICY, decision: SideDecision.ALLOWED, passedBy: { rule: 1, action: 'Pass' } });
    const closed = Reachability.fromManifests([CLUSTER_CONTROL_ANP, ...TENANTS, denyIngress('tenant-a')]);
    expect(closed.explain('tenant-b/web', 'tenant-a/web', HTTP).allowed).toBe(false);
  });

  test('Pass, no NetworkPolicy: the Baseline decides; without one, the default allows', () => {
    const objects = [CLUSTER_CONTROL_ANP, ...TENANTS.map((o) => (o.metadata.name === 'tenant-b' && o.kind === 'Namespace' ? ns('tenant-b', { tenant: 'open' }) : o))];
    const withBaseline = Reachability.fromManifests([...objects, DEFAULT_BANP]);
    const e = withBaseline.explain('tenant-a/web', 'tenant-b/web', HTTP);
    expect(e.allowed).toBe(false);
    expect(e.ingress).toMatchObject({ tier: DecisionTier.BASELINE, decidedBy: { kind: 'BaselineAdminNetworkPolicy', policy: 'default', rule: 0 }, passedBy: { rule: 1 } });
    const without = Reachability.fromManifests(objects);
    expect(without.explain('tenant-a/web', 'tenant-b/web', HTTP).ingress).toMatchObject({ allowed: true, tier: DecisionTier.DEFAULT, passedBy: { rule: 1 } });
  });

  test('the Baseline only decides what no NetworkPolicy isolates: a namespace policy opens what it denies', () => {
    // The pods' IPs given: the Baseline's deny-metadata (networks) does not match them (unknown IPs: tier-networks-unknown-ip.test.ts).
    const r = Reachability.fromManifests([DEFAULT_BANP, ...TENANTS_WITH_IPS, allowFromNamespace('tenant-b', 'tenant-a')]);
    expect(r.allows('tenant-a/web', 'tenant-b/web', HTTP)).toBe(true);
    expect(r.explain('tenant-a/web', 'tenant-b/web', HTTP).ingress.tier).toBe(DecisionTier.NETWORK_POLICY);
    expect(r.allows('tenant-b/web', 'tenant-a/web', HTTP)).toBe(false);
    expect(r.explain('tenant-b/web', 'tenant-a/web', HTTP).ingress.tier).toBe(DecisionTier.BASELINE);
  });

  test('egress: the DNS Allow is final on its ports only; the baseline denies the metadata address to every pod', () => {
    const r = Reachability.fromManifests([CLUSTER_CONTROL_ANP, DEFAULT_BANP, ...TENANTS_WITH_IPS], { externals: [{ name: 'metadata', ip: '169.254.169.254' }, { name: 'web', ip: '203.0.113.9' }] });
    expect(r.explain('tenant-a/web', 'kube-system/coredns', Port.udp(53)).egress).toMatchObject({ tier: DecisionTier.ADMIN, decidedBy: { ruleName: 'allow-to-dns' } });
    expect(r.explain('tenant-a/web', 'kube-system/coredns', Port.tcp(80)).egress.tier).toBe(DecisionTier.DEFAULT);
    expect(r.explain('tenant-a/web', 'metadata', Port.tcp(80)).egress).toMatchObject({ allowed: false, tier: DecisionTier.BASELINE, decidedBy: { ruleName: 'deny-metadata' } });
    expect(r.allows('tenant-a/web', 'metadata', Port.udp(53))).toBe(true); // the baseline rule is TCP only
    expect(r.allows('tenant-a/web', 'web', Port.tcp(443))).toBe(true);
  });
});

describe('v1alpha2: ClusterNetworkPolicy', () => {
  const externals = [
    { name: 'my-service', ip: '203.0.113.10', dnsName: 'my-service.com' },
    { name: 'storage', ip: '203.0.113.11', dnsName: 'eu.storage.cloud-provider.io' },
    { name: 'apex', ip: '203.0.113.12', dnsName: 'cloud-provider.io' },
    { name: 'wikipedia', ip: '198.51.100.1', dnsName: 'wikipedia.org' },
    { name: 'unnamed', ip: '198.51.100.2' },
  ];

  test('domainNames allow-list: the names on 443 are accepted, everything else outside is denied (networks 0.0.0.0/0)', () => {
    const r = Reachability.fromManifests([DOMAIN_ALLOW_LIST_CNP, ...TENANTS], { externals });
    expect(r.allows('monitoring/prom', 'my-service', Port.tcp(443))).toBe(true);
    expect(r.allows('monitoring/prom', 'storage', Port.tcp(443))).toBe(true); // *.cloud-provider.io: one or more labels
    expect(r.allows('monitoring/prom', 'apex', Port.tcp(443))).toBe(false); // the wildcard never matches the apex
    expect(r.allows('monitoring/prom', 'my-service', Port.tcp(80))).toBe(false);
    expect(r.allows('monitoring/prom', 'wikipedia', Port.tcp(443))).toBe(false);
    expect(r.allows('monitoring/prom', 'unnamed', Port.tcp(443))).toBe(false);
    expect(r.explain('monitoring/prom', 'wikipedia', Port.tcp(443)).egress).toMatchObject({ tier: DecisionTier.ADMIN, decidedBy: { rule: 1, action: 'Deny' } });
    // Other namespaces are not subjects.
    expect(r.allows('tenant-a/web', 'wikipedia', Port.tcp(443))).toBe(true);
  });

  test('networks peers match pod IPs too (the API: Accept or Deny to 0.0.0.0/0 covers pod-to-pod IPv4 traffic)', () => {
    const withIps = [...TENANTS.filter((o) => o.kind === 'Namespace'), pod('monitoring', 'prom', { app: 'prom' }, '10.0.0.1'), pod('tenant-a', 'web', { app: 'web' }, '10.0.1.1'),
      pod('tenant-b', 'web', { app: 'web' })];
    const r = Reachability.fromManifests([BASELINE_DEFAULT_DENY_CNP, ...withIps]);
    expect(r.allows('tenant-b/web', 'tenant-a/web', HTTP)).toBe(false);
    expect(r.explain('tenant-b/web', 'tenant-a/web', HTTP).egress).toMatchObject({ tier: DecisionTier.BASELINE, decidedBy: { policy: 'default-deny' } });
    // The model knows no IP of tenant-b/web, but 0.0.0.0/0 and ::/0 hold every address: the Deny matches it too.
    expect(r.allows('tenant-a/web', 'tenant-b/web', HTTP)).toBe(false);
    expect(r.explain('tenant-a/web', 'tenant-b/web', HTTP).egress).toMatchObject({ tier: DecisionTier.BASELINE, decidedBy: { policy: 'default-deny' } });
  });

  test('a Baseline Pass skips the rest of the tier: the default allows', () => {
    const pass = JSON.parse(JSON.stringify(BASELINE_DEFAULT_DENY_CNP));
    pass.metadata.name = 'pass-monitoring';
    pass.spec.priority = 0;
    pass.spec.egress = [{ action: 'Pass', to: [{ namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'tenant-a' } } }] }];
    const deny = JSON.parse(JSON.stringify(BASELINE_DEFAULT_DENY_CNP));
    deny.spec.priority = 1;
    deny.spec.egress = [{ action: 'Deny', to: [{ namespaces: {} }] }];
    const r = Reachability.fromManifests([pass, deny, ...TENANTS]);
    expect(r.explain('monitoring/prom', 'tenant-a/web', HTTP).egress).toMatchObject({ allowed: true, tier: DecisionTier.DEFAULT });
    expect(r.explain('monitoring/prom', 'tenant-b/web', HTTP).egress).toMatchObject({ allowed: false, tier: DecisionTier.BASELINE, decidedBy: { policy: 'default-deny' } });
  });

  test('priority orders the policies of a tier; within a policy, rule order', () => {
    const late = JSON.parse(JSON.stringify(ALLOW_DNS_CNP));
    late.metadata.name = 'deny-dns';
    late.spec.priority = 60;
    late.spec.egress[0].action = 'Deny';
    const r = Reachability.fromManifests([late, ALLOW_DNS_CNP, ns('tenant-a', { 'requires-fqdn-policy': 'true' }), ...TENANTS.filter((o) => o.kind === 'Pod')]);
    expect(r.explain('tenant-a/web', 'kube-system/coredns', Port.udp(53)).egress).toMatchObject({ allowed: true, decidedBy: { policy: 'allow-dns', priority: 50 } });
    late.spec.priority = 40;
    const r2 = Reachability.fromManifests([late, ALLOW_DNS_CNP, ns('tenant-a', { 'requires-fqdn-policy': 'true' }), ...TENANTS.filter((o) => o.kind === 'Pod')]);
    expect(r2.explain('tenant-a/web', 'kube-system/coredns', Port.udp(53)).egress).toMatchObject({ allowed: false, decidedBy: { policy: 'deny-dns', priority: 40 } });
  });

  test('pods subjects and peers; a named port is the container port of that name on any protocol', () => {
    const objects = [PODS_AND_PORTS_CNP, ns('data'), ns('obs'),
      pod('data', 'db', { app: 'db' }, undefined, [{ containerPort: 9187, name: 'metrics' }, { containerPort: 5432, name: 'pg' }]),
      pod('obs', 'prometheus', { app: 'prometheus' }), pod('obs', 'grafana', { app: 'grafana' }), denyIngress('data')];
    const r = Reachability.fromManifests(objects);
    expect(r.allows('obs/prometheus', 'data/db', Port.tcp(9187))).toBe(true);
    expect(r.allows('obs/prometheus', 'data/db', Port.named('metrics'))).toBe(true);
    expect(r.allows('obs/grafana', 'data/db', Port.tcp(9187))).toBe(false); // NetworkPolicy deny
    expect(r.allows('obs/prometheus', 'data/db', Port.tcp(5432))).toBe(false);
    expect(r.explain('obs/grafana', 'data/db', Port.udp(31000)).ingress).toMatchObject({ tier: DecisionTier.ADMIN, decidedBy: { ruleName: 'ephemeral' } });
    // The subject is the db pods only.
    expect(r.explain('data/db', 'obs/grafana', Port.udp(31000)).ingress.tier).toBe(DecisionTier.DEFAULT);
  });

  test('subjects count as policed for unisolated() and connectivity', () => {
    const r = Reachability.fromManifests([DOMAIN_ALLOW_LIST_CNP, ...TENANTS]);
    expect(r.unisolated(Direction.EGRESS)).not.toContain('monitoring/prom');
    expect(r.unisolated(Direction.EGRESS)).toContain('tenant-a/web');
    expect(r.unisolated(Direction.INGRESS)).toContain('monitoring/prom');
  });
});

describe('explain, matrix and the formats name the tier, the policy and the rule', () => {
  const objects = [CLUSTER_CONTROL_ANP, DEFAULT_BANP, ...TENANTS_WITH_IPS, denyIngress('tenant-b')];

  test('text and JSON', () => {
    const r = Reachability.fromManifests(objects);
    expect(TextFormat.explanation(r.explain('tenant-b/web', 'tenant-a/web', HTTP))).toBe([
      'tenant-b/web -> tenant-a/web on 8080/TCP: DENIED',
      '  egress of tenant-b/web: not isolated (no policy selects it for egress), so everything is allowed',
      '  ingress of tenant-a/web: DENIED by Admin tier AdminNetworkPolicy cluster-control (priority 34) ingress[2] "deny-the-rest" Deny',
    ].join('\n'));
    expect(TextFormat.explanation(r.explain('tenant-a/web', 'tenant-b/web', HTTP)).split('\n')[2]).toBe(
      '  ingress of tenant-b/web: passed on by Admin tier AdminNetworkPolicy cluster-control (priority 34) ingress[1] "pass-from-open-tenants" Pass; '
      + 'isolated by tenant-b/deny; DENIED: no rule of these policies allows this traffic from tenant-a/web');
    expect(TextFormat.verdict(r.explain('monitoring/prom', 'tenant-b/web', HTTP).ingress))
      .toBe('allowed by Admin tier AdminNetworkPolicy cluster-control (priority 34) ingress[0] "allow-from-monitoring" Allow');
    // A side no cluster-wide rule decided or passed on renders as before: no tier fields.
    expect(JsonFormat.verdict(r.explain('monitoring/prom', 'tenant-b/web', HTTP).egress))
      .toEqual({ allowed: true, isolated: false, isolatingPolicies: [], allowedBy: [], notPoliced: false });
    // Loopback is allowed whatever the sides say; the side still shows the rule that would decide.
    const self = JsonFormat.explanation(r.explain('tenant-a/web', 'tenant-a/web', HTTP));
    expect(self).toMatchObject({ allowed: true, loopback: true, ingress: { allowed: false, tier: 'BASELINE' } });
    // The v1alpha1 baseline has no priority: the text gives none (JSON keeps its documented 0).
    expect(TextFormat.verdict(r.explain('tenant-b/web', 'monitoring/prom', HTTP).ingress))
      .toBe('denied by Baseline tier BaselineAdminNetworkPolicy default ingress[0] "default-deny" Deny');
    expect(JsonFormat.verdict(r.explain('tenant-b/web', 'monitoring/prom', HTTP).ingress)).toMatchObject({
      allowed: false, tier: 'BASELINE', decidedBy: { kind: 'BaselineAdminNetworkPolicy', policy: 'default', tier: 'BASELINE', priority: 0, rule: 0, ruleName: 'default-deny', action: 'Deny' },
    });
  });

  test('the matrix agrees with explain on every pair', () => {
    const r = Reachability.fromManifests(objects, { externals: [{ name: 'metadata', ip: '169.254.169.254' }] });
    for (const port of [HTTP, Port.udp(53), Port.named('dns')]) {
      const m = r.matrix(port);
      for (const from of r.endpoints) for (const to of r.endpoints) expect(`${from} ${to} ${m.isAllowed(from, to)}`).toBe(`${from} ${to} ${r.allows(from, to, port)}`);
    }
  });

  test('the CLI: explain names the tier; --external name=dns=ip gives a domain name', () => {
    const dir = tempDir({ 'all.yaml': [DOMAIN_ALLOW_LIST_CNP, ...TENANTS].map((o) => JSON.stringify(o)).join('\n---\n') });
    const ok = netpol(['explain', dir, '--from', 'monitoring/prom', '--to', 'svc', '--port', '443', '--external', 'svc=my-service.com=203.0.113.10']);
    expect(ok).toMatchObject({ code: 0, stderr: '' });
    expect(ok.stdout).toContain('egress of monitoring/prom: ALLOWED by Admin tier ClusterNetworkPolicy allow-my-service-egress (priority 55) egress[0] "allow-to-my-service" Accept');
    const denied = netpol(['explain', dir, '--from', 'monitoring/prom', '--to', 'svc', '--port', '443', '--external', 'svc=203.0.113.10']);
    expect(denied.stdout).toContain('DENIED by Admin tier ClusterNetworkPolicy allow-my-service-egress (priority 55) egress[1] "default-deny" Deny');
    expect(netpol(['explain', dir, '--from', 'monitoring/prom', '--to', 'svc', '--port', '443', '--external', 'svc=*.x.io=203.0.113.10'])).toMatchObject({ code: 2 });
    expect(netpol(['matrix', dir, '--port', '443', '--external', 'svc=my-service.com=203.0.113.10']).code).toBe(0);
  });
});

describe('mixed sets in diff, the jest matchers and the lints', () => {
  test('diff: adding a Baseline default deny closes what no NetworkPolicy decides, and says which tier', () => {
    const before = Reachability.fromManifests([...TENANTS_WITH_IPS, allowFromNamespace('tenant-b', 'tenant-a')]);
    const after = Reachability.fromManifests([...TENANTS_WITH_IPS, allowFromNamespace('tenant-b', 'tenant-a'), DEFAULT_BANP]);
    const d = Reachability.diff(before, after);
    expect(d.opened).toEqual([]);
    const closed = d.closed.map((c) => `${c.from} -> ${c.to}`);
    expect(closed).toContain('tenant-b/web -> tenant-a/web');
    expect(closed).not.toContain('tenant-a/web -> tenant-b/web'); // the NetworkPolicy decides, before the Baseline
    const explained = d.closed.find((c) => c.from === 'tenant-b/web' && c.to === 'tenant-a/web')!;
    expect(explained.ports).toEqual(['1-65535/TCP', 'other UDP ports', 'other SCTP ports']); // the baseline's egress range is a probe bound
    expect(explained.after?.ingress).toMatchObject({ tier: DecisionTier.BASELINE, decidedBy: { policy: 'default' } });
  });

  test('the jest matchers judge by every tier', () => {
    const r = Reachability.fromManifests([CLUSTER_CONTROL_ANP, ...TENANTS, np('tenant-a', 'allow-all', { podSelector: {}, ingress: [{}] })]);
    expect(r).toDeny('tenant-b/web', 'tenant-a/web', HTTP);
    expect(r).toAllow('monitoring/prom', 'tenant-a/web', HTTP);
  });

  test('NP016: two Admin policies with the same priority over overlapping subjects, a warning on the second', () => {
    const twin = JSON.parse(JSON.stringify(ALLOW_DNS_CNP));
    twin.metadata.name = 'twin';
    const report = validateManifests([{ object: ALLOW_DNS_CNP }, { object: twin }]);
    expect(report.findings.map((f) => `${f.code} ${f.object} ${f.field} ${f.severity}`)).toEqual(['NP016 twin spec.priority warning']);
    twin.spec.priority = 51;
    expect(validateManifests([{ object: ALLOW_DNS_CNP }, { object: twin }]).findings).toEqual([]);
    // Subjects in two different namespaces never overlap; a Baseline and an Admin policy are in different tiers.
    const other = JSON.parse(JSON.stringify(ALLOW_DNS_CNP));
    other.metadata.name = 'other';
    other.spec.subject = { namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'x' } } };
    const mine = JSON.parse(JSON.stringify(ALLOW_DNS_CNP));
    mine.spec.subject = { namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'y' } } };
    expect(validateManifests([{ object: mine }, { object: other }]).findings).toEqual([]);
    const baseline = JSON.parse(JSON.stringify(twin));
    baseline.spec.tier = 'Baseline';
    baseline.spec.priority = 50;
    expect(validateManifests([{ object: ALLOW_DNS_CNP }, { object: baseline }]).findings).toEqual([]);
  });
});
