import { Chart, Testing } from 'cdk8s';
import { MODEL, MODEL_OPTIONS } from './catalogue';
import {
  AdminGuardrail, BaselineDefaultDeny, ClusterBlockCloudMetadata, ClusterPolicyApi, DecisionTier, Direction, ExternalDestination, GuardrailSubject,
  LintCode, NetworkTarget, Peer, PlatformAccess, Port, Reachability, Selector, TenantIsolation, validateManifests,
} from '../../src';

const V1 = ClusterPolicyApi.ADMIN_NETWORK_POLICY_V1ALPHA1;
const V2 = ClusterPolicyApi.CLUSTER_NETWORK_POLICY_V1ALPHA2;

function chartFor(api: ClusterPolicyApi): Chart {
  const app = Testing.app();
  NetworkTarget.declare(app, NetworkTarget.kubernetes({ clusterPolicyApi: api }));
  return new Chart(app, 'platform');
}
const lint = (chart: Chart, clusterCidrs?: string[]) => validateManifests(
  [...MODEL, ...Testing.synth(chart)].map((object) => ({ object })), { clusterCidrs })
  .findings.map((f) => `${f.code} ${f.object} ${f.field}`);

describe('NP021: a Deny in a guardrail that shadows a documented platform allow', () => {
  test('a Deny evaluated first (lower priority) that cuts DNS is reported on the Deny, with the allow it shadows; later, it is not', () => {
    for (const [priority, expected] of [[5, ['NP021 lockdown spec.egress[0]']], [30, []]] as const) {
      const chart = chartFor(V2);
      new PlatformAccess(chart, 'platform');
      const g = new AdminGuardrail(chart, 'lockdown', { priority, subject: GuardrailSubject.allNamespaces() });
      g.deny(g.subject, Peer.namespace('kube-system'), Port.allTraffic());
      expect(lint(chart)).toEqual(expected);
    }
    const chart = chartFor(V2);
    new PlatformAccess(chart, 'platform');
    const g = new AdminGuardrail(chart, 'lockdown', { priority: 5, subject: GuardrailSubject.allNamespaces() });
    g.deny(g.subject, Peer.namespace('kube-system'), Port.tcp(443)); // no DNS port: nothing shadowed
    expect(lint(chart)).toEqual([]);
  });

  test('same priority: NP016 and NP021 (the plugin may evaluate the Deny first)', () => {
    const chart = chartFor(V1);
    new PlatformAccess(chart, 'platform');
    const g = new AdminGuardrail(chart, 'tenants', { priority: 10, subject: GuardrailSubject.allNamespaces() });
    g.deny(Peer.allNamespaces(), g.subject, Port.tcp(9090));
    const report = validateManifests(Testing.synth(chart).map((object) => ({ object })));
    const np021 = report.findings.find((f) => f.code === LintCode.DENY_SHADOWS_PLATFORM_ALLOW)!;
    expect(np021).toMatchObject({ object: 'tenants', field: 'spec.ingress[0]', severity: 'warning' });
    expect(np021.message).toMatch(/platform allow AdminNetworkPolicy platform-guardrail \(cluster DNS, monitoring \(monitoring\)\) allows in spec.ingress\[0\], and has the same priority \(10\)/);
    expect(np021.fix).toMatch(/Give AdminNetworkPolicy platform-guardrail a lower priority/);
    expect(report.findings.map((f) => f.code).sort()).toEqual(['NP016', 'NP021']);
  });

  test('networks: a whole family meets pods; a smaller block only when it overlaps a given cluster CIDR', () => {
    const build = (cidr: string) => {
      const chart = chartFor(V2);
      new PlatformAccess(chart, 'platform');
      const g = new AdminGuardrail(chart, 'egress', { priority: 1, subject: GuardrailSubject.allNamespaces() });
      g.deny(g.subject, ExternalDestination.cidrs('x', [cidr]), Port.allTraffic());
      return chart;
    };
    expect(lint(build('0.0.0.0/0'))).toEqual(['NP021 egress spec.egress[0]']);
    expect(lint(build('10.244.0.0/16'))).toEqual([]);
    expect(lint(build('10.244.0.0/16'), ['10.244.0.0/16'])).toEqual(['NP021 egress spec.egress[0]']);
    expect(lint(build('203.0.113.0/24'), ['10.244.0.0/16'])).toEqual([]);
  });

  test('an earlier Deny in the platform policy itself shadows its later allow; so does any Deny whose subject can meet it', () => {
    const chart = chartFor(V2);
    const g = new AdminGuardrail(chart, 'platform', { priority: 10, subject: GuardrailSubject.allNamespaces(), platformAllow: 'monitoring' });
    g.deny(Peer.namespaces(Peer.namespace('monitoring').namespaceSelector!), g.subject, Port.tcp(9090));
    g.allow(Peer.namespace('monitoring'), g.subject, Port.tcp(9090));
    const other = new AdminGuardrail(chart, 'elsewhere', { priority: 1, subject: GuardrailSubject.namespace('nowhere') });
    const p2 = new AdminGuardrail(chart, 'platform-shop', { priority: 10, subject: GuardrailSubject.namespace('shop'), platformAllow: 'monitoring of shop' });
    p2.allow(Peer.namespace('monitoring'), p2.subject, Port.tcp(9090));
    other.deny(Peer.allNamespaces(), other.subject, Port.allTraffic());
    // 'nowhere' is one of all namespaces: the Deny from everyone at priority 1 meets the platform's subject too.
    expect(lint(chart).sort()).toEqual(['NP016 platform-shop spec.priority', 'NP021 elsewhere spec.ingress[0]', 'NP021 platform spec.ingress[0]']);
  });
});

describe('NP002 knows the Admin tier: a final DNS allow is DNS, a Deny before it is not', () => {
  const denyAll = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny', namespace: 'shop' }, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } };
  const codes = (chart: Chart) => validateManifests([...MODEL, denyAll, ...Testing.synth(chart)].map((object) => ({ object }))).findings.map((f) => `${f.code} ${f.object}`);
  test.each([V1, V2])('%s', (api) => {
    const chart = chartFor(api);
    new PlatformAccess(chart, 'platform');
    expect(codes(chart)).toEqual([]);
    const g = new AdminGuardrail(chart, 'lockdown', { priority: 5, subject: GuardrailSubject.namespace('shop') });
    g.deny(g.subject, Peer.namespace('kube-system'), Port.udp(53));
    expect(codes(chart).sort()).toEqual(['NP002 shop/deny', 'NP002 shop/deny', 'NP002 shop/deny', 'NP021 lockdown']);
    const other = chartFor(api);
    const p = new AdminGuardrail(other, 'dns-for-web', { priority: 5, subject: GuardrailSubject.podsInNamespace('shop', Selector.labels({ app: 'web' })) });
    p.allow(p.subject, Peer.podsInNamespace('kube-system', Selector.labels({ 'k8s-app': 'kube-dns' })), Port.udp(53));
    expect(codes(other)).toEqual(['NP002 shop/deny', 'NP002 shop/deny']); // api and db still cannot resolve
  });
});

describe('the four recipes together: lint-clean, and the analyser proves each one', () => {
  for (const api of [V1, V2]) {
    test(`${api}`, () => {
      const chart = chartFor(api);
      new PlatformAccess(chart, 'platform', { ingressControllerNamespace: 'ingress-nginx', ingressControllerPorts: [Port.tcp(8080)] });
      new ClusterBlockCloudMetadata(chart, 'no-metadata');
      new TenantIsolation(chart, 'tenants', { tenants: ['shop', 'other'], tenantLabel: 'team' });
      new BaselineDefaultDeny(chart, 'baseline', { directions: [Direction.INGRESS] });
      const out = Testing.synth(chart);
      expect(out.map((o) => `${o.kind} ${o.metadata.name} ${o.spec.priority ?? '-'}`)).toEqual(api === V1
        ? ['AdminNetworkPolicy platform-guardrail 10', 'AdminNetworkPolicy no-metadata-guardrail 20', 'AdminNetworkPolicy tenants-other 50',
          'AdminNetworkPolicy tenants-shop 50', 'BaselineAdminNetworkPolicy default -']
        : ['ClusterNetworkPolicy platform-guardrail 10', 'ClusterNetworkPolicy no-metadata-guardrail 20', 'ClusterNetworkPolicy tenants-other 50',
          'ClusterNetworkPolicy tenants-shop 50', 'ClusterNetworkPolicy baseline-guardrail 0']);
      expect(lint(chart)).toEqual([]);
      const r = Reachability.fromManifests([...MODEL, ...out], MODEL_OPTIONS);
      const verdict = (from: string, to: string, port: Port) => r.explain(from, to, port);
      // Platform allow is final: even the baseline deny cannot cut it.
      expect(verdict('monitoring/prometheus', 'shop/web', Port.tcp(9090)).ingress).toMatchObject({ allowed: true, tier: DecisionTier.ADMIN });
      expect(verdict('ingress-nginx/controller', 'other/client', Port.tcp(8080)).allowed).toBe(true);
      expect(verdict('shop/web', 'kube-system/coredns', Port.udp(53)).egress).toMatchObject({ allowed: true, tier: DecisionTier.ADMIN });
      // Tenants: other -> shop denied by the Admin tier; within a tenant passed, then the baseline denies it (no NetworkPolicy).
      expect(verdict('other/client', 'shop/web', Port.tcp(8080)).ingress).toMatchObject({ allowed: false, tier: DecisionTier.ADMIN, decidedBy: { action: 'Deny' } });
      const within = verdict('shop/web', 'shop/api', Port.tcp(8080)).ingress;
      expect(within).toMatchObject({ allowed: false, tier: DecisionTier.BASELINE, passedBy: { action: 'Pass' } });
      // Monitoring on another port: no Admin rule, no NetworkPolicy, the baseline denies.
      expect(verdict('monitoring/prometheus', 'shop/web', Port.tcp(8080)).allowed).toBe(false);
      // Metadata denied for every pod, the internet left to the default.
      expect(verdict('shop/web', 'cloud-metadata', Port.tcp(80)).egress).toMatchObject({ allowed: false, tier: DecisionTier.ADMIN });
      expect(verdict('shop/web', 'internet', Port.tcp(443)).allowed).toBe(true);
    });
  }
});

describe('ClusterBlockCloudMetadata on pods whose IPs are not known (what cdk8s synth gives)', () => {
  /** The model cluster without status.podIP: workloads as synthesized. */
  const WITHOUT_IPS = MODEL.map((o) => (o.kind === 'Pod' ? { ...o, status: undefined } : o));
  for (const api of [V1, V2]) {
    test(`${api}: the metadata address is denied from every pod, the internet allowed, pod-to-pod decided fail closed`, () => {
      const chart = chartFor(api);
      new ClusterBlockCloudMetadata(chart, 'no-metadata');
      const r = Reachability.fromManifests([...WITHOUT_IPS, ...Testing.synth(chart)], MODEL_OPTIONS);
      for (const from of ['shop/web', 'other/client', 'kube-system/coredns']) {
        expect(r.explain(from, 'cloud-metadata', Port.tcp(80)).egress).toMatchObject({ allowed: false, tier: DecisionTier.ADMIN, decidedBy: { action: 'Deny' } });
        expect(r.allows(from, 'internet', Port.tcp(443))).toBe(true);
      }
      // A pod whose IP is not known may have the metadata address: the Deny is taken to match it, and said so.
      const e = r.explain('shop/web', 'shop/api', Port.tcp(8080));
      expect(e.allowed).toBe(false);
      expect(e.notes.join('\n')).toMatch(/egress decided fail closed: unknown IP: .*no-metadata-guardrail .*shop\/api/);
      expect(r.skipped.map((x) => `${x.object} ${x.category}`)).toEqual(['no-metadata-guardrail NOT_MODELLED']);
      expect(r.skipped[0].reason).toMatch(/is decided only where the IPs are known: .*--pod ns\/name@ip/);
      // With the pods' IPs given (the catalogue's model), pod-to-pod is decided by them: allowed.
      expect(Reachability.fromManifests([...MODEL, ...Testing.synth(chart)], MODEL_OPTIONS).allows('shop/web', 'shop/api', Port.tcp(8080))).toBe(true);
    });

    test(`${api}: with the pod CIDRs given, pod-to-pod is decided (allowed), the metadata address still denied`, () => {
      const chart = chartFor(api);
      new ClusterBlockCloudMetadata(chart, 'no-metadata');
      const synth = [...WITHOUT_IPS, ...Testing.synth(chart)];
      // fd00:10:244::/56 overlaps fd00::/8 (where a pod of unknown IP could otherwise be) but not fd00:ec2::254/128.
      const r = Reachability.fromManifests(synth, { ...MODEL_OPTIONS, podCidrs: ['10.244.0.0/16', 'fd00:10:244::/56'] });
      for (const from of ['shop/web', 'other/client', 'kube-system/coredns']) {
        expect(r.explain(from, 'cloud-metadata', Port.tcp(80)).egress).toMatchObject({ allowed: false, tier: DecisionTier.ADMIN, decidedBy: { action: 'Deny' } });
        expect(r.allows(from, 'internet', Port.tcp(443))).toBe(true);
      }
      const e = r.explain('shop/web', 'shop/api', Port.tcp(8080));
      expect(e.allowed).toBe(true);
      expect(e.notes.join('\n')).not.toMatch(/fail closed: unknown IP/);
      expect(r.skipped).toEqual([]);
      // An IPv6 pod range that overlaps the Deny's fd00:ec2::254/128 leaves it undecided: fail closed, denied.
      const overlapping = Reachability.fromManifests(synth, { ...MODEL_OPTIONS, podCidrs: ['10.244.0.0/16', 'fd00:ec2::/64'] });
      expect(overlapping.allows('shop/web', 'shop/api', Port.tcp(8080))).toBe(false);
      expect(overlapping.explain('shop/web', 'shop/api', Port.tcp(8080)).notes.join('\n')).toMatch(/fail closed: unknown IP: .*no-metadata-guardrail/);
      // IPv4 pod CIDRs only say nothing of a (dual-stack) pod's IPv6 address: still fail closed.
      expect(Reachability.fromManifests(synth, { ...MODEL_OPTIONS, podCidrs: ['10.244.0.0/16'] }).allows('shop/web', 'shop/api', Port.tcp(8080))).toBe(false);
      // A pod CIDR given around link-local changes nothing there: no pod IP is ever link-local (NEVER_POD_IP_RANGES).
      expect(Reachability.fromManifests(synth, { ...MODEL_OPTIONS, podCidrs: ['169.254.0.0/16', 'fd00:10:244::/56'] })
        .allows('shop/web', 'shop/api', Port.tcp(8080))).toBe(true);
    });
  }

  test('pod CIDRs: mixed-case IPv6 reads the same, a list changed after use changes nothing, one string is refused', () => {
    const chart = chartFor(V2);
    new ClusterBlockCloudMetadata(chart, 'no-metadata');
    const synth = [...WITHOUT_IPS, ...Testing.synth(chart)];
    const cidrs = ['10.244.0.0/16', 'FD00:10:244::/56'];
    const r = Reachability.fromManifests(synth, { ...MODEL_OPTIONS, podCidrs: cidrs });
    cidrs.push('fd00:ec2::/64');
    expect(r.allows('shop/web', 'shop/api', Port.tcp(8080))).toBe(true);
    expect(r.explain('shop/web', 'cloud-metadata', Port.tcp(80)).allowed).toBe(false);
    expect(() => Reachability.fromManifests(synth, { ...MODEL_OPTIONS, podCidrs: '10.244.0.0/16' as any }))
      .toThrow(/pod CIDRs "10\.244\.0\.0\/16" \(ReachabilityOptions\.podCidrs, --pod-cidr\) are not a list/);
  });

  test('a pod CIDR that is not a CIDR is refused, naming the option and the fix', () => {
    for (const bad of ['10.244.0.0', '10.244.0.1/16', 'fd00::/129', 'pods']) {
      expect(() => Reachability.fromManifests(WITHOUT_IPS, { ...MODEL_OPTIONS, podCidrs: [bad] }))
        .toThrow(new RegExp(`pod CIDR "${bad.replace(/\./g, '\\.')}" \\(ReachabilityOptions.podCidrs, --pod-cidr\\): .*e\\.g\\. 10\\.244\\.0\\.0/16`));
    }
  });
});

describe('recipe props are copied and checked', () => {
  test('hostile or incomplete input is refused with the construct path and the fix', () => {
    const chart = chartFor(V2);
    expect(() => new TenantIsolation(chart, 't1', { tenants: ['only'] })).toThrow(/\[platform\/t1\] tenants \["only"\] is not a list of at least two/);
    expect(() => new TenantIsolation(chart, 't2', { tenants: ['a', 'a'] })).toThrow(/lists a tenant twice/);
    expect(() => new TenantIsolation(chart, 't3', { tenants: ['a', 5 as any] })).toThrow(/is not a list of at least two tenant names/);
    expect(() => new TenantIsolation(chart, 't4', { tenants: ['a', 'b/c'] })).toThrow(/\[platform\/t4\]/);
    expect(() => new PlatformAccess(chart, 'p1', { ingressControllerNamespace: 'ingress-nginx' })).toThrow(/ingressControllerNamespace and ingressControllerPorts go together/);
    expect(() => new PlatformAccess(chart, 'p2', { dns: 'yes' as any })).toThrow(/dns "yes" is not true or false/);
    expect(() => new PlatformAccess(chart, 'p3', { monitoringNamespace: 'Bad_NS' })).toThrow(/\[platform\/p3\] monitoringNamespace: .*is not a valid namespace name/);
    expect(() => new PlatformAccess(chart, 'p4', { priority: -1 })).toThrow(/priority -1 is not a priority/);
    expect(() => new BaselineDefaultDeny(chart, 'b1', { directions: [] })).toThrow(/directions \[\] is not a list of Direction.INGRESS/);
    expect(() => new ClusterBlockCloudMetadata(chart, 'm1', { metadataAddress: 'not-a-cidr' })).toThrow(/\[platform\/m1\] metadataAddress: /);
    expect(() => new ClusterBlockCloudMetadata(chart, 'm2', null as any)).toThrow(/props null are not properties/);
  });

  test('a list prop given one Port (as another jsii language may pass) is refused, naming the prop and the fix', () => {
    const chart = chartFor(V2);
    for (const value of [Port.tcp(9090), 'tcp/9090', 9090]) {
      expect(() => new PlatformAccess(chart, `m-${String(value)}`, { monitoringPorts: value as any }))
        .toThrow(/\] monitoringPorts .* is not a list of ports: pass a list, e.g. monitoringPorts: \[Port.tcp\(9090\)\]/);
    }
    expect(() => new PlatformAccess(chart, 'm', { monitoringPorts: Port.tcp(9090) as any })).not.toThrow(/Spread syntax|iterable|monitoringNamespace/);
    expect(() => new PlatformAccess(chart, 'i', { ingressControllerNamespace: 'ingress-nginx', ingressControllerPorts: Port.tcp(8080) as any }))
      .toThrow(/\[platform\/i\] ingressControllerPorts .* is not a list of ports: pass a list, e.g. ingressControllerPorts: \[Port.tcp\(8080\)\]/);
    // What is wrong inside the list is attributed to the list prop, not the namespace.
    expect(() => new PlatformAccess(chart, 'e', { monitoringPorts: [] })).toThrow(/\[platform\/e\] monitoringPorts \[\] lists no ports/);
    expect(() => new PlatformAccess(chart, 'n', { monitoringPorts: [Port.named('metrics')] })).toThrow(/\[platform\/n\] monitoringPorts: .*named ports carry no protocol; use the number/);
    expect(() => new PlatformAccess(chart, 'x', { ingressControllerNamespace: 'ingress-nginx', ingressControllerPorts: [{ port: 80 } as any] }))
      .toThrow(/\[platform\/x\] ingressControllerPorts: /);
  });

  test('monitoringPorts as a list: those ports allowed, others not (the analyser)', () => {
    const chart = chartFor(V2);
    new PlatformAccess(chart, 'platform', { monitoringPorts: [Port.tcp(9100)] });
    new BaselineDefaultDeny(chart, 'baseline', { directions: [Direction.INGRESS] });
    const r = Reachability.fromManifests([...MODEL, ...Testing.synth(chart)], MODEL_OPTIONS);
    expect(r.allows('monitoring/prometheus', 'shop/web', Port.tcp(9100))).toBe(true);
    expect(r.allows('monitoring/prometheus', 'shop/web', Port.tcp(9090))).toBe(false);
  });

  test('TenantIsolation refuses a tenantLabel every namespace carries', () => {
    const chart = chartFor(V2);
    expect(() => new TenantIsolation(chart, 'names', { tenants: ['shop', 'blog'], tenantLabel: 'kubernetes.io/metadata.name' }))
      .toThrow(/\[platform\/names\] tenantLabel "kubernetes.io\/metadata.name" is on every namespace .*Give a label only tenant namespaces carry/);
    expect(() => new TenantIsolation(chart, 'teams', { tenants: ['shop', 'blog'], tenantLabel: 'team' })).not.toThrow();
  });

  test('the tenants list is copied: changing it afterwards changes nothing', () => {
    const chart = chartFor(V2);
    const tenants = ['b', 'a'];
    const t = new TenantIsolation(chart, 'tenants', { tenants });
    tenants.push('c');
    expect(t.guardrails.map((g) => g.name)).toEqual(['tenants-a', 'tenants-b']);
    expect(Testing.synth(chart)).toHaveLength(2);
  });

  test('on a target without the API, each recipe fails the synth', () => {
    for (const make of [
      (c: Chart) => new PlatformAccess(c, 'r'), (c: Chart) => new TenantIsolation(c, 'r', { tenants: ['a', 'b'] }),
      (c: Chart) => new BaselineDefaultDeny(c, 'r'), (c: Chart) => new ClusterBlockCloudMetadata(c, 'r'),
    ]) {
      const app = Testing.app();
      make(new Chart(app, 'c'));
      expect(() => app.synth()).toThrow(/is a cluster guardrail \(policy.networking.k8s.io\), which the network target NetworkTarget.kubernetes\(\) cannot express/);
    }
  });
});
