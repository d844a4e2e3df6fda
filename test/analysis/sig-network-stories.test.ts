import { DecisionTier, Port, Protocol, Reachability, Severity, SideVerdict, validateManifests } from '../../src';

/**
 * The sig-network policy API's user stories 1-5 (network-policy-api.sigs.k8s.io, "User Stories",
 * and the sample specs of "Examples"), each as the published objects with the pods and namespaces
 * of its diagram, in both versions of the API: v1alpha1 (AdminNetworkPolicy and
 * BaselineAdminNetworkPolicy) and v1alpha2 (ClusterNetworkPolicy), which must give the same
 * verdicts. Each expected row says the verdict and how each side was decided: the tier, the
 * cluster-wide action that decided (Allow and Accept are both `allow`), and whether an Admin-tier
 * Pass handed the side over first.
 *
 * The objects are written here from the published YAML, in the schema the versions were released
 * with: the site's older v1alpha1 samples nest `namespaces: { namespaceSelector: ... }` and write
 * `matchlabels` (drafts of the API before its release); the released types take the selector
 * directly. What a story states only in prose is built from the prose, and said so.
 */

const ns = (name: string, labels: Record<string, string> = {}) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
const pod = (namespace: string, name: string, labels: Record<string, string>, ip: string, ports: Array<[number, string, string]> = [[8080, 'http', 'TCP']]) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace, labels },
  spec: { containers: [{ name: 'main', ports: ports.map(([containerPort, portName, protocol]) => ({ containerPort, name: portName, protocol })) }] },
  status: { podIP: ip },
});
const np = (namespace: string, name: string, spec: Record<string, unknown>) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec });
const byName = (name: string) => ({ matchLabels: { 'kubernetes.io/metadata.name': name } });

/** The cluster of the stories' diagrams: a sensitive namespace, two tenants (foo with two namespaces, bar), monitoring and DNS. */
const CLUSTER = [
  ns('sensitive-ns'), ns('foo-ns-1', { tenant: 'foo' }), ns('foo-ns-2', { tenant: 'foo' }), ns('bar-ns-1', { tenant: 'bar' }), ns('monitoring-ns'), ns('kube-system'),
  pod('sensitive-ns', 'db', { app: 'db' }, '10.244.1.1'),
  pod('sensitive-ns', 'vault', { app: 'vault' }, '10.244.1.2'),
  pod('foo-ns-1', 'app', { app: 'foo' }, '10.244.2.1'),
  pod('foo-ns-2', 'app', { app: 'foo' }, '10.244.2.2'),
  pod('bar-ns-1', 'svc-pub', { app: 'svc-pub' }, '10.244.3.1'),
  pod('bar-ns-1', 'internal', { app: 'internal' }, '10.244.3.2'),
  pod('monitoring-ns', 'prom', { app: 'prometheus' }, '10.244.4.1'),
  pod('kube-system', 'kube-dns', { 'app': 'kube-dns', 'k8s-app': 'kube-dns' }, '10.244.5.1', [[53, 'dns', 'UDP'], [53, 'dns-tcp', 'TCP']]),
];
const OPTIONS = { externals: [{ name: 'internet', ip: '198.51.100.7' }] };

/** An expected verdict: from, to, port (`8080/TCP`), allowed, and how the egress and the ingress side were decided. */
type Row = [from: string, to: string, port: string, allowed: boolean, egress: string, ingress: string];

function side(v: SideVerdict): string {
  const action = v.decidedBy ? ` ${v.decidedBy.action === 'Accept' || v.decidedBy.action === 'Allow' ? 'allow' : v.decidedBy.action.toLowerCase()}` : '';
  return `${v.tier}${action}${v.passedBy ? ' after Pass' : ''}`;
}

function verdicts(objects: unknown[], rows: readonly Row[]): Row[] {
  const r = Reachability.fromManifests([...CLUSTER, ...objects], OPTIONS);
  expect(r.skipped).toEqual([]);
  return rows.map(([from, to, port]) => {
    const [n, proto] = port.split('/');
    const e = r.explain(from, to, Port.of(proto as Protocol, Number(n)));
    return [from, to, port, e.allowed, side(e.egress), side(e.ingress)];
  });
}

/** Every object validates as the API server would have it (errors), with only the warnings listed. */
function warnings(objects: unknown[]): string[] {
  const report = validateManifests([...CLUSTER, ...objects].map((object) => ({ object })));
  expect(report.findings.filter((f) => f.severity === Severity.ERROR).map((f) => `${f.object} ${f.field}: ${f.message}`)).toEqual([]);
  return report.findings.map((f) => `${f.code} ${f.object}`);
}

interface Story {
  readonly title: string;
  readonly v1alpha1: unknown[];
  readonly v1alpha2: unknown[];
  /** Namespace objects of the story that are not cluster-wide policies (NetworkPolicies), the same in both versions. */
  readonly namespaced: unknown[];
  readonly expect: Row[];
  readonly warnings?: string[];
}

const ALLOW_ALL_INGRESS = np('sensitive-ns', 'allow-all', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{}] });
const DENY_ALL = np('foo-ns-1', 'deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });

const STORIES: Story[] = [
  {
    // Published for v1alpha2; the v1alpha1 object is the same policy in that version's fields.
    title: 'Story 1: Deny traffic at a cluster level (sensitive-ns isolated from all other in-cluster traffic, all ports)',
    v1alpha1: [{
      apiVersion: 'policy.networking.k8s.io/v1alpha1',
      kind: 'AdminNetworkPolicy',
      metadata: { name: 'cluster-wide-deny-example' },
      spec: { priority: 10, subject: { namespaces: byName('sensitive-ns') }, ingress: [{ name: 'select-all-deny-all', action: 'Deny', from: [{ namespaces: {} }] }] },
    }],
    v1alpha2: [{
      apiVersion: 'policy.networking.k8s.io/v1alpha2',
      kind: 'ClusterNetworkPolicy',
      metadata: { name: 'cluster-wide-deny-example' },
      spec: { tier: 'Admin', priority: 10, subject: { namespaces: byName('sensitive-ns') }, ingress: [{ name: 'select-all-deny-all', action: 'Deny', from: [{ namespaces: {} }] }] },
    }],
    // "non-overridable": the namespace's own allow-all cannot open it.
    namespaced: [ALLOW_ALL_INGRESS],
    expect: [
      ['foo-ns-1/app', 'sensitive-ns/db', '8080/TCP', false, 'DEFAULT', 'ADMIN deny'],
      ['monitoring-ns/prom', 'sensitive-ns/db', '9090/TCP', false, 'DEFAULT', 'ADMIN deny'],
      ['sensitive-ns/vault', 'sensitive-ns/db', '8080/TCP', false, 'DEFAULT', 'ADMIN deny'], // its own namespace is one of "all namespaces"
      ['sensitive-ns/db', 'foo-ns-1/app', '8080/TCP', true, 'DEFAULT', 'DEFAULT'], // ingress only: its egress is untouched
      ['internet', 'sensitive-ns/db', '8080/TCP', true, 'OUTSIDE_CLUSTER', 'NETWORK_POLICY'], // namespaces peers are in-cluster only
    ],
    warnings: ['NP001 sensitive-ns/allow-all'], // on purpose: the widest allow there is
  },
  {
    // Published for both versions; the v1alpha1 sample names no rules and nests its selectors (a draft), the v1alpha2 one names the egress rule.
    title: 'Story 2: Allow traffic at a cluster level (monitoring in, DNS out, for every namespace)',
    v1alpha1: [{
      apiVersion: 'policy.networking.k8s.io/v1alpha1',
      kind: 'AdminNetworkPolicy',
      metadata: { name: 'cluster-wide-allow-example' },
      spec: {
        priority: 30,
        subject: { namespaces: {} },
        ingress: [{ action: 'Allow', from: [{ namespaces: byName('monitoring-ns') }] }],
        egress: [{ action: 'Allow', to: [{ pods: { namespaceSelector: byName('kube-system'), podSelector: { matchLabels: { app: 'kube-dns' } } } }] }],
      },
    }],
    v1alpha2: [{
      apiVersion: 'policy.networking.k8s.io/v1alpha2',
      kind: 'ClusterNetworkPolicy',
      metadata: { name: 'cluster-wide-allow-example' },
      spec: {
        tier: 'Admin',
        priority: 30,
        subject: { namespaces: {} },
        ingress: [{ action: 'Accept', from: [{ namespaces: byName('monitoring-ns') }] }],
        egress: [{ action: 'Accept', name: 'allow-kube-dns-egress', to: [{ pods: { namespaceSelector: byName('kube-system'), podSelector: { matchLabels: { app: 'kube-dns' } } } }] }],
      },
    }],
    // "non-overridable": foo-ns-1 denies everything both ways, and still gets monitoring and DNS.
    namespaced: [DENY_ALL],
    expect: [
      ['monitoring-ns/prom', 'foo-ns-1/app', '9090/TCP', true, 'DEFAULT', 'ADMIN allow'],
      ['foo-ns-1/app', 'kube-system/kube-dns', '53/UDP', true, 'ADMIN allow', 'DEFAULT'],
      ['foo-ns-1/app', 'kube-system/kube-dns', '53/TCP', true, 'ADMIN allow', 'DEFAULT'],
      ['foo-ns-1/app', 'foo-ns-2/app', '8080/TCP', false, 'NETWORK_POLICY', 'DEFAULT'],
      ['foo-ns-2/app', 'foo-ns-1/app', '8080/TCP', false, 'DEFAULT', 'NETWORK_POLICY'],
      ['foo-ns-1/app', 'internet', '443/TCP', false, 'NETWORK_POLICY', 'OUTSIDE_CLUSTER'],
    ],
  },
  {
    // Published for v1alpha1. "skips any remaining cluster network policies": the Deny at priority 30 (built from the prose) is one,
    // and foo-ns-2's egress policy (built from "handled by standard namespace scoped network policies") decides what it passes.
    title: 'Story 3: Explicitly delegate traffic to existing NetworkPolicies (egress to svc-pub in bar-ns-1 on 8080/TCP)',
    v1alpha1: [
      {
        apiVersion: 'policy.networking.k8s.io/v1alpha1',
        kind: 'AdminNetworkPolicy',
        metadata: { name: 'pub-svc-delegate-example' },
        spec: {
          priority: 20,
          subject: { namespaces: {} },
          egress: [{
            action: 'Pass',
            to: [{ pods: { namespaceSelector: byName('bar-ns-1'), podSelector: { matchLabels: { app: 'svc-pub' } } } }],
            ports: [{ portNumber: { protocol: 'TCP', port: 8080 } }],
          }],
        },
      },
      {
        apiVersion: 'policy.networking.k8s.io/v1alpha1',
        kind: 'AdminNetworkPolicy',
        metadata: { name: 'deny-to-bar' },
        spec: { priority: 30, subject: { namespaces: {} }, egress: [{ name: 'deny-to-bar', action: 'Deny', to: [{ namespaces: byName('bar-ns-1') }] }] },
      },
    ],
    v1alpha2: [
      {
        apiVersion: 'policy.networking.k8s.io/v1alpha2',
        kind: 'ClusterNetworkPolicy',
        metadata: { name: 'pub-svc-delegate-example' },
        spec: {
          tier: 'Admin',
          priority: 20,
          subject: { namespaces: {} },
          egress: [{
            action: 'Pass',
            to: [{ pods: { namespaceSelector: byName('bar-ns-1'), podSelector: { matchLabels: { app: 'svc-pub' } } } }],
            protocols: [{ tcp: { destinationPort: { number: 8080 } } }],
          }],
        },
      },
      {
        apiVersion: 'policy.networking.k8s.io/v1alpha2',
        kind: 'ClusterNetworkPolicy',
        metadata: { name: 'deny-to-bar' },
        spec: { tier: 'Admin', priority: 30, subject: { namespaces: {} }, egress: [{ name: 'deny-to-bar', action: 'Deny', to: [{ namespaces: byName('bar-ns-1') }] }] },
      },
    ],
    namespaced: [np('foo-ns-2', 'dns-only', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{ to: [{ namespaceSelector: byName('kube-system') }], ports: [{ protocol: 'UDP', port: 53 }] }],
    })],
    expect: [
      // "If no k8s network policies match the delegated traffic, the traffic will be allowed."
      ['foo-ns-1/app', 'bar-ns-1/svc-pub', '8080/TCP', true, 'DEFAULT after Pass', 'DEFAULT'],
      ['foo-ns-2/app', 'bar-ns-1/svc-pub', '8080/TCP', false, 'NETWORK_POLICY after Pass', 'DEFAULT'],
      ['foo-ns-1/app', 'bar-ns-1/svc-pub', '9090/TCP', false, 'ADMIN deny', 'DEFAULT'], // not the delegated port
      ['foo-ns-1/app', 'bar-ns-1/internal', '8080/TCP', false, 'ADMIN deny', 'DEFAULT'], // not the delegated pods
      ['foo-ns-1/app', 'foo-ns-2/app', '8080/TCP', true, 'DEFAULT', 'DEFAULT'],
    ],
  },
  {
    // The v1alpha2 sample is unfinished ("currently not implementable", NPEP-122), and the v1alpha1 one selects peers with
    // `sameLabels`, which the released API does not have. Built from the prose and the v1alpha1 sample's shape: per tenant, Pass
    // from the tenant's own namespaces (to their NetworkPolicies), then Deny from every tenant's namespace.
    title: 'Story 4: Create and isolate multiple tenants (foo: foo-ns-1 and foo-ns-2; bar: bar-ns-1)',
    v1alpha1: ['foo', 'bar'].map((tenant) => ({
      apiVersion: 'policy.networking.k8s.io/v1alpha1',
      kind: 'AdminNetworkPolicy',
      metadata: { name: `tenant-${tenant}` },
      spec: {
        priority: 50,
        subject: { namespaces: { matchLabels: { tenant } } },
        ingress: [
          { name: 'pass-same-tenant', action: 'Pass', from: [{ namespaces: { matchLabels: { tenant } } }] },
          { name: 'deny-other-tenants', action: 'Deny', from: [{ namespaces: { matchExpressions: [{ key: 'tenant', operator: 'Exists' }] } }] },
        ],
      },
    })),
    v1alpha2: ['foo', 'bar'].map((tenant) => ({
      apiVersion: 'policy.networking.k8s.io/v1alpha2',
      kind: 'ClusterNetworkPolicy',
      metadata: { name: `tenant-${tenant}` },
      spec: {
        tier: 'Admin',
        priority: 50,
        subject: { namespaces: { matchLabels: { tenant } } },
        ingress: [
          { name: 'pass-same-tenant', action: 'Pass', from: [{ namespaces: { matchLabels: { tenant } } }] },
          { name: 'deny-other-tenants', action: 'Deny', from: [{ namespaces: { matchExpressions: [{ key: 'tenant', operator: 'Exists' }] } }] },
        ],
      },
    })),
    // A tenant's own NetworkPolicy decides what Pass hands it: foo-ns-2 takes traffic from foo-ns-1 only.
    namespaced: [np('foo-ns-2', 'from-foo-ns-1', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: byName('foo-ns-1') }] }] })],
    expect: [
      ['bar-ns-1/svc-pub', 'foo-ns-1/app', '8080/TCP', false, 'DEFAULT', 'ADMIN deny'],
      ['foo-ns-1/app', 'bar-ns-1/svc-pub', '8080/TCP', false, 'DEFAULT', 'ADMIN deny'],
      ['bar-ns-1/internal', 'foo-ns-2/app', '8080/TCP', false, 'DEFAULT', 'ADMIN deny'],
      ['foo-ns-1/app', 'foo-ns-2/app', '8080/TCP', true, 'DEFAULT', 'NETWORK_POLICY after Pass'],
      ['foo-ns-2/app', 'foo-ns-1/app', '8080/TCP', true, 'DEFAULT', 'DEFAULT after Pass'],
      ['bar-ns-1/internal', 'bar-ns-1/svc-pub', '8080/TCP', true, 'DEFAULT', 'DEFAULT after Pass'],
      // Namespaces of no tenant are neither passed nor denied: on to the next tiers.
      ['monitoring-ns/prom', 'foo-ns-1/app', '8080/TCP', true, 'DEFAULT', 'DEFAULT'],
      ['monitoring-ns/prom', 'foo-ns-2/app', '8080/TCP', false, 'DEFAULT', 'NETWORK_POLICY'],
    ],
    // Both tenants' policies at one priority, which NP016 leaves alone: their subjects never overlap, so their order cannot matter.
  },
  {
    // Published for both versions: the v1alpha1 sample nests its selector (a draft); the v1alpha2 one is tier Baseline, priority 10.
    title: 'Story 5: Cluster-wide default guardrails (all intra-cluster ingress denied unless a NetworkPolicy allows it)',
    v1alpha1: [{
      apiVersion: 'policy.networking.k8s.io/v1alpha1',
      kind: 'BaselineAdminNetworkPolicy',
      metadata: { name: 'default' },
      spec: { subject: { namespaces: {} }, ingress: [{ action: 'Deny', from: [{ namespaces: {} }] }] },
    }],
    v1alpha2: [{
      apiVersion: 'policy.networking.k8s.io/v1alpha2',
      kind: 'ClusterNetworkPolicy',
      metadata: { name: 'default' },
      spec: { tier: 'Baseline', priority: 10, subject: { namespaces: {} }, ingress: [{ action: 'Deny', from: [{ namespaces: {} }] }] },
    }],
    // "Namespace owners will need to use NetworkPolicies to explicitly allow known traffic."
    namespaced: [
      np('bar-ns-1', 'from-foo-ns-1', { podSelector: { matchLabels: { app: 'svc-pub' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: byName('foo-ns-1') }] }] }),
      np('foo-ns-2', 'from-monitoring', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: byName('monitoring-ns') }] }] }),
    ],
    expect: [
      ['foo-ns-1/app', 'bar-ns-1/svc-pub', '8080/TCP', true, 'DEFAULT', 'NETWORK_POLICY'],
      ['monitoring-ns/prom', 'foo-ns-2/app', '8080/TCP', true, 'DEFAULT', 'NETWORK_POLICY'],
      ['foo-ns-1/app', 'foo-ns-2/app', '8080/TCP', false, 'DEFAULT', 'NETWORK_POLICY'], // a NetworkPolicy decides: the baseline is not asked
      ['foo-ns-2/app', 'foo-ns-1/app', '8080/TCP', false, 'DEFAULT', 'BASELINE deny'],
      ['foo-ns-1/app', 'bar-ns-1/internal', '8080/TCP', false, 'DEFAULT', 'BASELINE deny'], // bar-ns-1's policy selects svc-pub only
      ['foo-ns-2/app', 'kube-system/kube-dns', '53/UDP', false, 'DEFAULT', 'BASELINE deny'], // "except for certain essential traffic": story 2's job
      ['foo-ns-1/app', 'internet', '443/TCP', true, 'DEFAULT', 'OUTSIDE_CLUSTER'], // ingress only
      ['internet', 'foo-ns-1/app', '8080/TCP', true, 'OUTSIDE_CLUSTER', 'DEFAULT'], // intra-cluster traffic only
    ],
  },
];

describe.each(STORIES.map((s) => [s.title, s] as const))('%s', (_title, story) => {
  test('every object validates, in both versions', () => {
    expect(warnings([...story.v1alpha1, ...story.namespaced])).toEqual(story.warnings ?? []);
    expect(warnings([...story.v1alpha2, ...story.namespaced])).toEqual(story.warnings ?? []);
  });

  test('the documented verdicts, allowed and denied, with the tier that decided each side (v1alpha1)', () => {
    expect(story.expect.some((row) => row[3])).toBe(true);
    expect(story.expect.some((row) => !row[3])).toBe(true);
    expect(verdicts([...story.v1alpha1, ...story.namespaced], story.expect)).toEqual(story.expect);
  });

  test('the v1alpha2 ClusterNetworkPolicy equivalent gives the same verdicts', () => {
    expect(verdicts([...story.v1alpha2, ...story.namespaced], story.expect)).toEqual(story.expect);
  });

  test('without the cluster-wide policies, the verdicts differ (the story is what decides them)', () => {
    const without = verdicts(story.namespaced, story.expect);
    expect(without.filter((row) => row[4].startsWith('ADMIN') || row[5].startsWith('ADMIN') || row[5].startsWith('BASELINE'))).toEqual([]);
    expect(without.map((row) => row[3])).not.toEqual(story.expect.map((row) => row[3]));
  });
});

test('the explanation names the tier, policy, priority and rule of the story', () => {
  const r = Reachability.fromManifests([...CLUSTER, ...STORIES[0].v1alpha2, ALLOW_ALL_INGRESS], OPTIONS);
  expect(r.explain('foo-ns-1/app', 'sensitive-ns/db', Port.tcp(8080)).ingress.decidedBy).toEqual({
    kind: 'ClusterNetworkPolicy',
    policy: 'cluster-wide-deny-example',
    tier: DecisionTier.ADMIN,
    priority: 10,
    direction: 'ingress',
    rule: 0,
    ruleName: 'select-all-deny-all',
    action: 'Deny',
  });
  const passed = Reachability.fromManifests([...CLUSTER, ...STORIES[2].v1alpha1, ...STORIES[2].namespaced], OPTIONS)
    .explain('foo-ns-2/app', 'bar-ns-1/svc-pub', Port.tcp(8080)).egress;
  expect(passed.passedBy).toMatchObject({ kind: 'AdminNetworkPolicy', policy: 'pub-svc-delegate-example', priority: 20, rule: 0, action: 'Pass' });
  expect(passed.isolatingPolicies).toEqual(['foo-ns-2/dns-only']);
});
