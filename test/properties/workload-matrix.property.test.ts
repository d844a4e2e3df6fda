import * as fc from 'fast-check';
import { Port, Reachability } from '../../src';
import { fuzzParameters } from '../fuzz-config';

/**
 * `netpol matrix --group-by workload` counts, for every pair of workloads, the allowed AND the
 * denied endpoint pairs exactly as a pod-by-pod count with the pair-by-pair reference (`explain`)
 * does, on random clusters whose pods belong to Deployments (through ReplicaSets), CronJobs (through
 * Jobs), StatefulSets and DaemonSets whose owners are in the input or not, and to no workload at all
 * (grouped by their `app.kubernetes.io/name` or `app` label, or alone). The expected group of every
 * endpoint is derived here from how the cluster was generated, not from the code under test.
 */
const NS = ['shop', 'ops-1', 'idle'];
const VALUES = ['web', 'Web', 'db_1', 'a.b'];
const labels = fc.record({
  'app.kubernetes.io/name': fc.constantFrom(...VALUES),
  'app': fc.constantFrom(...VALUES),
  'tier': fc.constantFrom('front', 'back'),
}, { requiredKeys: [] });
const workload = fc.record({
  namespace: fc.constantFrom(...NS),
  kind: fc.constantFrom('Deployment', 'CronJob', 'StatefulSet', 'DaemonSet', 'none'),
  /** The workload object itself (Deployment, CronJob, StatefulSet, DaemonSet) is in the input. */
  top: fc.boolean(),
  /** The ReplicaSet of a Deployment, the Job of a CronJob, is in the input. */
  middle: fc.boolean(),
  labels,
  replicas: fc.integer({ min: 1, max: 3 }),
});
const selector = fc.oneof(
  fc.constant({}),
  fc.record({ matchLabels: fc.dictionary(fc.constantFrom('app', 'app.kubernetes.io/name', 'tier'), fc.constantFrom(...VALUES, 'front'), { minKeys: 1, maxKeys: 1 }) }),
);
const peer = fc.oneof(
  fc.record({ podSelector: selector }),
  fc.record({ namespaceSelector: fc.constantFrom({}, { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } }) }),
  fc.record({ ipBlock: fc.constant({ cidr: '203.0.113.0/24' }) }),
);
const rule = (field: 'from' | 'to') => fc.record({
  [field]: fc.array(peer, { minLength: 1, maxLength: 2 }),
  ports: fc.option(fc.constant([{ port: 8080 }]), { nil: undefined }),
}, { requiredKeys: [field] }).map((r) => JSON.parse(JSON.stringify(r)));
const policy = fc.record({
  namespace: fc.constantFrom(...NS.slice(0, 2)),
  podSelector: selector,
  policyTypes: fc.subarray(['Ingress', 'Egress'], { minLength: 1 }),
  ingress: fc.array(rule('from'), { maxLength: 2 }),
  egress: fc.array(rule('to'), { maxLength: 2 }),
});
const cluster = fc.record({ workloads: fc.array(workload, { minLength: 1, maxLength: 8 }), policies: fc.array(policy, { maxLength: 4 }) });
type ClusterValue = typeof cluster extends fc.Arbitrary<infer T> ? T : never;

const MIDDLE: Record<string, { kind: string; apiVersion: string } | undefined> = {
  Deployment: { kind: 'ReplicaSet', apiVersion: 'apps/v1' },
  CronJob: { kind: 'Job', apiVersion: 'batch/v1' },
};
const API_VERSION: Record<string, string> = { Deployment: 'apps/v1', StatefulSet: 'apps/v1', DaemonSet: 'apps/v1', CronJob: 'batch/v1' };
const EXTERNALS = [{ name: 'api', ip: '203.0.113.7' }];

/** The manifests of `c`, and the group every endpoint of the model must be in (by endpoint id). */
function build(c: ClusterValue): { objects: any[]; expected: Map<string, { name: string; rule: string }> } {
  const objects: any[] = NS.map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }));
  const expected = new Map<string, { name: string; rule: string }>();
  const spec = { containers: [{ name: 'main', ports: [{ containerPort: 8080, name: 'http' }] }] };
  const template = (l: Record<string, string>) => ({ metadata: { labels: l }, spec });
  const ownedBy = (kind: string, name: string) => [{ apiVersion: API_VERSION[kind] ?? 'apps/v1', kind, name, uid: `uid-${name}`, controller: true }];
  c.workloads.forEach((w, i) => {
    const namespace = w.namespace;
    const top = `w${i}`;
    const middle = MIDDLE[w.kind];
    const hasTop = w.kind !== 'none' && w.top;
    const hasMiddle = middle !== undefined && w.middle;
    if (hasTop) {
      const topSpec = w.kind === 'CronJob' ? { schedule: '* * * * *', jobTemplate: { spec: { template: template(w.labels) } } } : { template: template(w.labels) };
      objects.push({ apiVersion: API_VERSION[w.kind], kind: w.kind, metadata: { name: top, namespace }, spec: topSpec });
      expected.set(`${namespace}/${top}`, { name: `${namespace}/${top}`, rule: 'workload' });
    }
    const middleName = `${top}-5d9f`;
    if (hasMiddle) {
      objects.push({
        apiVersion: middle.apiVersion,
        kind: middle.kind,
        metadata: { name: middleName, namespace, ownerReferences: ownedBy(w.kind, top) },
        spec: { template: template(w.labels) },
      });
      // A ReplicaSet (Job) whose Deployment (CronJob) is in the input is folded into it.
      if (!hasTop) expected.set(`${namespace}/${middleName}`, { name: `${namespace}/${middleName}`, rule: 'workload' });
    }
    // A pod's direct owner: the ReplicaSet (Job), or the StatefulSet (DaemonSet) itself.
    const owner = w.kind === 'none' ? undefined : middle ? { kind: middle.kind, name: middleName, present: hasMiddle } : { kind: w.kind, name: top, present: hasTop };
    for (let j = 0; j < w.replicas; j++) {
      const name = `${owner ? owner.name : top}-${j}`;
      objects.push({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, namespace, labels: w.labels, ...(owner ? { ownerReferences: ownedBy(owner.kind, owner.name) } : {}) },
        spec,
      });
      if (owner?.present) continue; // folded into its owner
      const key = ['app.kubernetes.io/name', 'app'].find((k) => (w.labels as Record<string, string>)[k] !== undefined);
      expected.set(`${namespace}/${name}`, key
        ? { name: `${namespace}/${key}=${(w.labels as Record<string, string>)[key]}`, rule: 'label' }
        : { name: `${namespace}/${name}`, rule: 'endpoint' });
    }
  });
  for (const e of EXTERNALS) expected.set(e.name, { name: e.name, rule: 'endpoint' });
  c.policies.forEach((p, i) => {
    const { namespace, ...rest } = p;
    objects.push({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: `np-${i}`, namespace }, spec: rest });
  });
  return { objects, expected };
}

test('by workload: allowed and denied pairs of every workload pair == a pod-by-pod count with the reference', () => {
  const rules = new Set<string>();
  fc.assert(fc.property(cluster, fc.constantFrom(Port.tcp(8080), Port.named('http'), Port.tcp(9999)), (c, port) => {
    const { objects, expected } = build(c);
    const r = Reachability.fromManifests(objects, { externals: EXTERNALS });
    expect(r.skipped).toEqual([]);
    // Every endpoint is one the generator expects (folded pods are none), in its expected group.
    expect([...r.endpoints].sort()).toEqual([...expected.keys()].sort());
    const grouped = r._groupedMatrix(port, 'workload');
    const membersOf = new Map<string, string[]>();
    for (const id of r.endpoints) {
      const g = expected.get(id)!;
      membersOf.set(g.name, [...(membersOf.get(g.name) ?? []), id]);
    }
    const names = [...membersOf.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    expect(grouped.groups.map((g) => [g.name, g.endpoints, g.rule])).toEqual(
      names.map((name) => [name, membersOf.get(name)!.length, expected.get(membersOf.get(name)![0])!.rule]),
    );
    grouped.groups.forEach((g, i) => {
      rules.add(g.rule!);
      // Only pairs with an allowed pair are listed; every other pair of groups is all denied.
      const cells = new Map(grouped.cellsFrom(i).map((cell) => [cell.to, cell]));
      for (const cell of cells.values()) {
        expect(cell.from).toBe(g.name);
        expect(cell.allowed).toBeGreaterThan(0);
      }
      for (const to of grouped.groups) {
        let allowed = 0;
        let denied = 0;
        for (const a of membersOf.get(g.name)!) {
          for (const b of membersOf.get(to.name)!) {
            if (r.explain(a, b, port).allowed) allowed++;
            else denied++;
          }
        }
        const cell = cells.get(to.name);
        const listed = cell?.allowed ?? 0;
        expect([listed, g.endpoints * to.endpoints - listed]).toEqual([allowed, denied]);
        if (cell) expect(cell.pairs).toBe(g.endpoints * to.endpoints);
      }
    });
  }), fuzzParameters(120));
  // Every rule is exercised.
  expect([...rules].sort()).toEqual(['endpoint', 'label', 'workload']);
});
