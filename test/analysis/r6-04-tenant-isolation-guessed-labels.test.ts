import { Chart, Testing } from 'cdk8s';
import { ClusterPolicyApi, NetworkTarget, Port, Reachability, TenantIsolation } from '../../src';

/**
 * R6-04: TenantIsolation analysed on its usual input (the app's synth output: pods/workloads of the
 * tenants, no Namespace objects). The tenants' namespace labels (`tenant: shop`) are unknown, the
 * Cluster takes them as UNSET, so every tenant's Admin Deny matches nothing and blog -> shop is proven
 * ALLOWED; `allows()` gives no hint, `skipped` is empty, only explain's `hostNetworkNotes` says it
 * "may be wrong". House rule (common.md, fail closed): where a fact is unknowable, decide the pair
 * fail closed and say why. A Deny whose namespace selector tests a label the input does not give
 * must be taken as matching (an Allow/Accept as not), not the reverse.
 */
function synth(): any[] {
  const app = Testing.app();
  NetworkTarget.declare(app, NetworkTarget.kubernetes({ clusterPolicyApi: ClusterPolicyApi.CLUSTER_NETWORK_POLICY_V1ALPHA2 }));
  const chart = new Chart(app, 'platform');
  new TenantIsolation(chart, 'tenants', { tenants: ['shop', 'blog'] });
  return Testing.synth(chart);
}
const pod = (namespace: string, name: string, ip: string) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels: { app: name } }, spec: { containers: [{ name: 'c' }] }, status: { podIP: ip },
});

test('with the Namespace objects given, blog -> shop is denied (the control)', () => {
  const nsObj = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { tenant: name } } });
  const r = Reachability.fromManifests([nsObj('shop'), nsObj('blog'), pod('shop', 'web', '10.0.0.1'), pod('blog', 'client', '10.0.0.2'), ...synth()]);
  expect(r.allows('blog/client', 'shop/web', Port.tcp(80))).toBe(false);
});

test('without them, the tenant Deny is not decided as "no match": blog -> shop is not proven allowed', () => {
  const r = Reachability.fromManifests([pod('shop', 'web', '10.0.0.1'), pod('blog', 'client', '10.0.0.2'), ...synth()]);
  // actual today: true, tier DEFAULT
  expect(r.allows('blog/client', 'shop/web', Port.tcp(80))).toBe(false);
});

describe('guessed namespace labels are decided per pair, fail closed (the tier mechanism)', () => {
  const cnp = (name: string, tier: 'Admin' | 'Baseline', subject: any, ingress: any[]) => ({
    apiVersion: 'policy.networking.k8s.io/v1alpha2', kind: 'ClusterNetworkPolicy', metadata: { name }, spec: { tier, priority: 10, subject, ingress },
  });
  const all = { namespaces: {} };
  const pods = [pod('shop', 'web', '10.0.0.1'), pod('blog', 'client', '10.0.0.2')];

  test('the pair says why, names the namespace and the fix; the matrix agrees with the pair', () => {
    const r = Reachability.fromManifests([...pods, ...synth()]);
    const notes = r.explain('blog/client', 'shop/web', Port.tcp(80)).notes.join('\n');
    expect(notes).toMatch(/ingress decided fail closed: guessed namespace labels: .*no Namespace object for .*shop/);
    expect(notes).toMatch(/kubectl get namespaces -o yaml, or --surroundings/);
    const m = r.matrix(Port.tcp(80));
    expect(m.isAllowed('blog/client', 'shop/web')).toBe(false);
    expect(m.isAllowed('shop/web', 'blog/client')).toBe(false);
    agreeOnEveryPair(r);
  });

  test('a Deny on a label the input does not give denies; an Allow on it does not allow', () => {
    const deny = cnp('deny-prod', 'Admin', all, [{ action: 'Deny', from: [{ namespaces: { matchLabels: { env: 'prod' } } }] }]);
    const r = Reachability.fromManifests([...pods, deny]);
    expect(r.allows('blog/client', 'shop/web', Port.tcp(80))).toBe(false);
    // With the Namespace objects it is decided: blog is not prod, nothing denies.
    const nsObj = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { env: 'dev' } } });
    const known = Reachability.fromManifests([nsObj('shop'), nsObj('blog'), ...pods, deny]);
    expect(known.allows('blog/client', 'shop/web', Port.tcp(80))).toBe(true);
    expect(known.explain('blog/client', 'shop/web', Port.tcp(80)).notes).toEqual([]);

    // An Accept on a guessed label over a Baseline Deny of everything: not taken as matching.
    const accept = cnp('accept-prod', 'Admin', all, [{ action: 'Accept', from: [{ namespaces: { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] } }] }]);
    const denyAll = cnp('deny-all', 'Baseline', all, [{ action: 'Deny', from: [all] }]);
    const r2 = Reachability.fromManifests([...pods, accept, denyAll]);
    expect(r2.allows('blog/client', 'shop/web', Port.tcp(80))).toBe(false);
    expect(r2.matrix(Port.tcp(80)).isAllowed('blog/client', 'shop/web')).toBe(false);
  });

  test('a selector on kubernetes.io/metadata.name alone stays decided, both ways', () => {
    const byName = (ns: string) => ({ namespaces: { matchLabels: { 'kubernetes.io/metadata.name': ns } } });
    const deny = cnp('deny-blog', 'Admin', byName('shop'), [{ action: 'Deny', from: [byName('blog')] }]);
    const r = Reachability.fromManifests([...pods, pod('shop', 'api', '10.0.0.3'), deny]);
    expect(r.allows('blog/client', 'shop/web', Port.tcp(80))).toBe(false);
    expect(r.allows('shop/api', 'shop/web', Port.tcp(80))).toBe(true);
    expect(r.explain('shop/api', 'shop/web', Port.tcp(80)).notes).toEqual([]);
    agreeOnEveryPair(r);
    // A selector that its name already rules out (name In [x] and a guessed key) is decided: no match.
    const nowhere = { matchLabels: { 'kubernetes.io/metadata.name': 'nowhere', 'env': 'prod' } };
    const ruled = cnp('ruled-out', 'Admin', all, [{ action: 'Deny', from: [{ namespaces: nowhere }] }]);
    const r2 = Reachability.fromManifests([...pods, ruled]);
    expect(r2.allows('blog/client', 'shop/web', Port.tcp(80))).toBe(true);
    expect(r2.explain('blog/client', 'shop/web', Port.tcp(80)).notes.join('\n')).not.toMatch(/decided fail closed/);
    agreeOnEveryPair(r2);
  });
});

function agreeOnEveryPair(r: Reachability): void {
  const m = r.matrix(Port.tcp(80));
  for (const from of r.endpoints) for (const to of r.endpoints) expect(`${from} ${to} ${m.isAllowed(from, to)}`).toBe(`${from} ${to} ${r.allows(from, to, Port.tcp(80))}`);
}
