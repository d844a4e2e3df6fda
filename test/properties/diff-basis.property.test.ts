import * as fc from 'fast-check';
import { Port, Reachability } from '../../src';
import { Cluster, samePlainData } from '../../src/inventory/cluster';
import { fuzzParameters } from '../fuzz-config';

/**
 * The after side of a diff built on the before side (`Reachability._snapshots`, what `netpol diff`
 * and the bench do: the NetworkPolicies both hold unchanged are compiled once) must be exactly the
 * model a fresh load gives, and so must the diff, pair by pair: on random snapshots and random
 * hostile changes (a pod that a reused policy selects relabelled, namespace labels changed, a pod
 * moved to another namespace, the same name with another kind, values JSON cannot tell apart:
 * NaN, null, -0, a key holding undefined, a port as a string; objects reordered and duplicated).
 */
const NS = ['shop', 'pay-1', 'data'];
const KEYS = ['app', 'example.com/Tier', 'env_x'];
const VALUES = ['a', 'A', 'b_1', 'Ölçü'];
const labels = fc.dictionary(fc.constantFrom(...KEYS), fc.constantFrom(...VALUES), { maxKeys: 2 });
const selector = fc.oneof(
  fc.constant({}),
  fc.record({ matchLabels: fc.dictionary(fc.constantFrom(...KEYS), fc.constantFrom(...VALUES), { minKeys: 1, maxKeys: 1 }) }),
  fc.record({ matchExpressions: fc.tuple(fc.constantFrom(...KEYS), fc.constantFrom('In', 'NotIn'), fc.constantFrom(...VALUES)).map(([key, operator, v]) => [{ key, operator, values: [v] }]) }),
);
const peer = fc.oneof(
  fc.record({ podSelector: selector }),
  fc.record({ namespaceSelector: fc.oneof(fc.constant({}), fc.record({ matchLabels: fc.record({ team: fc.constantFrom('red', 'blue') }) })) }),
  fc.record({ namespaceSelector: fc.record({ matchLabels: fc.record({ 'kubernetes.io/metadata.name': fc.constantFrom(...NS) }) }), podSelector: selector }),
  fc.record({ ipBlock: fc.constantFrom({ cidr: '10.1.0.0/16' }, { cidr: '10.0.0.0/8', except: ['10.1.0.0/24'] }) }),
);
const portArb = fc.oneof(
  fc.record({ protocol: fc.constantFrom('TCP', 'UDP'), port: fc.constantFrom(80, 443) }),
  fc.record({ port: fc.constant('http') }),
);
const rule = (field: 'from' | 'to') => fc.record({ [field]: fc.array(peer, { minLength: 1, maxLength: 2 }), ports: fc.array(portArb, { minLength: 1, maxLength: 2 }) }, { requiredKeys: [] });
const policyArb = fc.record({
  staged: fc.boolean(),
  namespace: fc.constantFrom(...NS),
  declares: fc.boolean(),
  spec: fc.record({
    podSelector: selector,
    policyTypes: fc.subarray(['Ingress', 'Egress'], { minLength: 1 }),
    ingress: fc.array(rule('from'), { maxLength: 2 }),
    egress: fc.array(rule('to'), { maxLength: 2 }),
  }),
});
const pod = fc.record({ namespace: fc.constantFrom(...NS), labels, http: fc.constantFrom(80, 8080), workload: fc.boolean(), ip: fc.constantFrom('10.1.0.5', '192.168.1.1') });

/** The values an arbitrary generates (fast-check 4 exports no such helper). */
type Of<A> = A extends fc.Arbitrary<infer T> ? T : never;
type PolicyState = Of<typeof policyArb> & { name: string };
type PodState = Of<typeof pod> & { name: string };
interface State { pods: PodState[]; policies: PolicyState[]; red: string[] }

/** Values JSON.stringify cannot tell from each other, put into a port of a policy. */
const HOSTILE_PORTS = [Number.NaN, null, -0, 0, Infinity, '80', 80, undefined];

const change = fc.oneof(
  fc.record({ kind: fc.constant('policy-change' as const), at: fc.nat(), value: policyArb }),
  fc.record({ kind: fc.constant('policy-add' as const), value: policyArb }),
  fc.record({ kind: fc.constant('policy-remove' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('policy-staged' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('policy-declares' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('pod-labels' as const), at: fc.nat(), labels }),
  fc.record({ kind: fc.constant('pod-move' as const), at: fc.nat(), namespace: fc.constantFrom(...NS) }),
  fc.record({ kind: fc.constant('pod-kind' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('namespace-team' as const), ns: fc.constantFrom(...NS) }),
  fc.record({ kind: fc.constant('hostile-port' as const), at: fc.nat(), value: fc.constantFrom(...HOSTILE_PORTS.keys()) }),
  fc.record({ kind: fc.constant('undefined-key' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('reorder' as const), seed: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat() }),
);
type Change = Of<typeof change>;

/** A pod that some policy selects by `app`: the relabel a reused policy must see. */
function manifests(state: State): any[] {
  const objects: any[] = NS.map((ns) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { team: state.red.includes(ns) ? 'red' : 'blue' } } }));
  for (const p of state.pods) {
    const spec = { containers: [{ name: 'main', ports: [{ containerPort: p.http, name: 'http' }] }] };
    objects.push(p.workload
      ? { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: p.name, namespace: p.namespace }, spec: { template: { metadata: { labels: p.labels }, spec } } }
      : { apiVersion: 'v1', kind: 'Pod', metadata: { name: p.name, namespace: p.namespace, labels: p.labels }, spec, status: { podIP: p.ip } });
  }
  for (const p of state.policies) {
    const metadata = { name: p.name, namespace: p.namespace, ...(p.declares ? { annotations: { 'cdk8s-netpol.dev/declared-by-labels': `svc-${p.name}` } } : {}) };
    objects.push(p.staged
      ? { apiVersion: 'projectcalico.org/v3', kind: 'StagedKubernetesNetworkPolicy', metadata, spec: structuredClone(p.spec) }
      : { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata, spec: structuredClone(p.spec) });
  }
  return objects;
}

/** The after snapshot's manifests: the state changed, then the hostile edits on the objects themselves. */
function changed(state: State, objects: any[], changes: Change[]): any[] {
  const next: State = structuredClone(state);
  const at = <T>(list: T[], i: number): T | undefined => (list.length === 0 ? undefined : list[i % list.length]);
  for (const c of changes) {
    switch (c.kind) {
      case 'policy-change': { const p = at(next.policies, c.at); if (p) Object.assign(p, { ...c.value, name: p.name }); break; }
      case 'policy-add': next.policies.push({ ...c.value, name: `added-${next.policies.length}` }); break;
      case 'policy-remove': if (next.policies.length > 0) next.policies.splice(c.at % next.policies.length, 1); break;
      case 'policy-staged': { const p = at(next.policies, c.at); if (p) p.staged = !p.staged; break; }
      case 'policy-declares': { const p = at(next.policies, c.at); if (p) p.declares = !p.declares; break; }
      case 'pod-labels': { const p = at(next.pods, c.at); if (p) p.labels = c.labels; break; }
      case 'pod-move': { const p = at(next.pods, c.at); if (p) p.namespace = c.namespace; break; }
      case 'pod-kind': { const p = at(next.pods, c.at); if (p) p.workload = !p.workload; break; }
      case 'namespace-team': next.red = next.red.includes(c.ns) ? next.red.filter((n) => n !== c.ns) : [...next.red, c.ns]; break;
      default: break;
    }
  }
  let out = changes.some((c) => c.kind.startsWith('p') || c.kind === 'namespace-team') ? manifests(next) : structuredClone(objects);
  const policies = () => out.filter((o) => o.kind.endsWith('NetworkPolicy'));
  for (const c of changes) {
    switch (c.kind) {
      case 'hostile-port': {
        const rules = policies().flatMap((p) => [...(p.spec.ingress ?? []), ...(p.spec.egress ?? [])]).filter((r) => Array.isArray(r.ports));
        const r = at(rules, c.at);
        if (r) r.ports[0].port = HOSTILE_PORTS[c.value];
        break;
      }
      case 'undefined-key': {
        // A key holding undefined: JSON.stringify drops it, the unknown-field check does not.
        const p = at(policies(), c.at);
        if (p) p.spec.extra = undefined;
        break;
      }
      case 'reorder': out = out.map((o, i) => ({ o, k: (i * 7919 + c.seed) % 101 })).sort((x, y) => x.k - y.k).map((x) => x.o); break;
      case 'duplicate': { const p = at(policies(), c.at); if (p) out.push(structuredClone(p)); break; }
      default: break;
    }
  }
  return out;
}

/** What a model is, as plain data: endpoints, policies (selectors by their text), what was left out and why. */
function modelOf(c: Cluster): unknown {
  const rules = (rs: Cluster['policies'][number]['ingress']) => rs?.map((r) => ({
    index: r.index,
    peers: r.peers?.map((p) => ({ ...p, podSelector: undefined, namespaceSelector: undefined })),
    ports: r.ports,
  }));
  const plain = (p: Cluster['policies'][number]) => ({ ...p, podSelector: p.podSelector.looksAt, ingress: rules(p.ingress), egress: rules(p.egress) });
  return {
    endpoints: c.endpoints,
    namespaces: [...c.namespaces],
    policies: c.policies.map(plain),
    staged: c.stagedPolicies.map(plain),
    skipped: c.skipped,
    ignored: c.ignored,
  };
}

/** The diff as plain data: every changed pair with its ports and both sides' verdicts, the endpoints added and removed. */
function diffOf(b: Reachability, a: Reachability): unknown {
  const d = Reachability.diff(b, a);
  return { ports: d.ports, opened: d.opened, closed: d.closed, added: d.addedEndpoints, removed: d.removedEndpoints, l7: d.l7Changed };
}

const fresh = (objects: any[]) => Reachability.fromManifests(objects);
const onBasis = (before: any[], after: any[]) => Reachability._snapshots(before.map((object) => ({ object })), after.map((object) => ({ object })));

describe('the after side built on the before side is the model of a fresh load', () => {
  test('on random snapshots and random hostile changes, pair by pair', () => {
    let reusedRuns = 0;
    let changedRuns = 0;
    fc.assert(fc.property(
      fc.array(pod, { minLength: 1, maxLength: 6 }),
      fc.array(policyArb, { minLength: 1, maxLength: 5 }),
      fc.subarray(NS),
      fc.array(change, { minLength: 1, maxLength: 4 }),
      (pods, policies, red, changes) => {
        const state: State = { pods: pods.map((p, i) => ({ ...p, name: `p${i}` })), policies: policies.map((p, i) => ({ ...p, name: `np${i}` })), red };
        const before = manifests(state);
        const after = changed(state, before, changes);
        const [b, a] = onBasis(before, after);
        const [fb, fa] = [fresh(before), fresh(after)];
        expect(modelOf(b._cluster)).toEqual(modelOf(fb._cluster));
        expect(modelOf(a._cluster)).toEqual(modelOf(fa._cluster));
        const diff = diffOf(b, a);
        expect(diff).toEqual(diffOf(fb, fa));
        // Both ways round, and the staged policies enforced (built afresh on demand).
        expect(diffOf(a, b)).toEqual(diffOf(fa, fb));
        expect(diffOf(b.stagedAsEnforced(), a.stagedAsEnforced())).toEqual(diffOf(fb.stagedAsEnforced(), fa.stagedAsEnforced()));
        for (const p of [Port.tcp(80), Port.named('http')]) expect(a.matrix(p).allowedCount).toBe(fa.matrix(p).allowedCount);
        const d = diff as { opened: unknown[]; closed: unknown[] };
        if (d.opened.length + d.closed.length > 0) changedRuns++;
        // Reuse happened: an enforcing policy of the after side shares its compiled rules with the before side.
        const rulesBefore = new Set(b._cluster.policies.flatMap((p) => [p.ingress, p.egress]).filter((r) => r !== undefined && r.length > 0));
        if (a._cluster.policies.some((p) => rulesBefore.has(p.ingress!) || rulesBefore.has(p.egress!))) reusedRuns++;
      },
    ), fuzzParameters(150));
    // The property is not vacuous: the diffs change connections, and most runs reuse compiled policies.
    expect(changedRuns).toBeGreaterThan(20);
    expect(reusedRuns).toBeGreaterThan(50);
  });
});

describe('a policy is reused only when every field is the same plain data', () => {
  const np = (value: unknown) => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'web', namespace: 'shop' },
    spec: { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ ports: [{ protocol: 'TCP', port: value }] }] },
  });
  const web = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' } }, spec: {} };
  const client = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'client', namespace: 'shop' }, spec: {} };

  test('values JSON.stringify writes alike are told apart', () => {
    expect(samePlainData(Number.NaN, null)).toBe(false);
    expect(samePlainData(Infinity, null)).toBe(false);
    expect(samePlainData(-0, 0)).toBe(false);
    expect(samePlainData({ a: undefined }, {})).toBe(false);
    expect(samePlainData({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(false);
    expect(samePlainData([1, , 3], [1, undefined, 3])).toBe(false); // eslint-disable-line no-sparse-arrays
    expect(samePlainData('80', 80)).toBe(false);
    expect(samePlainData(new Date(0), new Date(0))).toBe(false);
    expect(samePlainData({ a: [1, { b: 'Ölçü' }] }, { a: [1, { b: 'Ölçü' }] })).toBe(true);
    expect(samePlainData(Number.NaN, Number.NaN)).toBe(true);
  });

  test('a port changed from 80 to null, NaN or "80" is compiled again, as a fresh load does', () => {
    for (const value of [null, Number.NaN, '80', -0, 443]) {
      const [b, a] = onBasis([np(80), web, client], [np(value), web, client]);
      const fa = fresh([np(value), web, client]);
      expect(modelOf(a._cluster)).toEqual(modelOf(fa._cluster));
      expect(a.allows('shop/client', 'shop/web', Port.tcp(80))).toBe(fa.allows('shop/client', 'shop/web', Port.tcp(80)));
      expect(diffOf(b, a)).toEqual(diffOf(fresh([np(80), web, client]), fa));
    }
    // The unchanged policy is reused, and still decides the same: 80 allowed, 81 denied.
    const [, same] = onBasis([np(80), web, client], [web, client, np(80)]);
    expect(same.allows('shop/client', 'shop/web', Port.tcp(80))).toBe(true);
    expect(same.allows('shop/client', 'shop/web', Port.tcp(81))).toBe(false);
  });

  test('a relabelled pod that a reused policy selects changes the verdicts', () => {
    const relabelled = { ...web, metadata: { ...web.metadata, labels: { app: 'other' } } };
    const [b, a] = onBasis([np(80), web, client], [np(80), relabelled, client]);
    expect(b.allows('shop/client', 'shop/web', Port.tcp(81))).toBe(false);
    expect(a.allows('shop/client', 'shop/web', Port.tcp(81))).toBe(true);
    expect(Reachability.diff(b, a).opened.map((c) => `${c.from} -> ${c.to}`)).toContain('shop/client -> shop/web');
  });

  test('the before objects changed after the snapshots were built do not reach the after side', () => {
    const policy = np(80);
    const before = [policy, web, client];
    const [b] = onBasis(before, [np(80), web, client]);
    policy.spec.ingress[0].ports[0].port = 443;
    expect(b.allows('shop/client', 'shop/web', Port.tcp(80))).toBe(true);
    const [, a] = onBasis(before, [np(80), web, client]);
    expect(a.allows('shop/client', 'shop/web', Port.tcp(80))).toBe(true);
    expect(a.allows('shop/client', 'shop/web', Port.tcp(443))).toBe(false);
  });
});
