import { Port, Reachability } from '../../src';

/**
 * A pod whose ownerReferences name a workload of the input is folded into that owner, and the
 * owner's pod TEMPLATE stands for it (src/inventory/cluster.ts, `present` / ownedByPresent). Two
 * problems: the fold ignores what the pod really carries (its own labels, its uid match), and owner
 * loops make every object of the loop vanish. Kubernetes keeps a pod owned while its labels still
 * match the selector, so a label added to a running pod (`kubectl label pod web-1 debug=true`, the
 * usual quarantine / debug step) keeps its ownerReference; NetworkPolicy selects pods by the pod's
 * labels (Kubernetes docs, Network Policies: "podSelector ... selects particular Pods"), never by its
 * owner's template.
 */
const meta = (name: string, extra: Record<string, unknown> = {}) => ({ name, namespace: 'shop', uid: `uid-${name}`, ...extra });
const ref = (kind: string, name: string, uid = `uid-${name}`) => ({ apiVersion: 'apps/v1', kind, name, uid, controller: true });
const template = (labels: Record<string, string>) => ({ selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'c', ports: [{ containerPort: 5432 }] }] } } });
const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta('web'), spec: template({ app: 'web' }) };
const replicaSet = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: meta('web-abc', { ownerReferences: [ref('Deployment', 'web')] }), spec: template({ app: 'web' }) };
const pod = (name: string, labels: Record<string, string>, owners: unknown[]) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: meta(name, { labels, ownerReferences: owners }),
  spec: { nodeName: 'n1', containers: [{ name: 'c', ports: [{ containerPort: 5432 }] }] },
});
const db = pod('db', { app: 'db' }, []);
const dbIngress = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'db', namespace: 'shop' },
  spec: { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { debug: 'true' } } }], ports: [{ port: 5432 }] }] },
};
const PG = Port.tcp(5432);

test('a replica with a label of its own: the connection its label opens is not lost', () => {
  const relabelled = pod('web-1', { app: 'web', debug: 'true' }, [ref('ReplicaSet', 'web-abc')]);
  const r = Reachability.fromManifests([deployment, replicaSet, relabelled, db, dbIngress]);
  // On main: the only web endpoint is shop/web (the template, without debug=true): nothing reaches db.
  const sources = r.endpoints.filter((e) => e !== 'shop/db');
  const reachesDb = sources.some((e) => r.allows(e, 'shop/db', PG));
  const leftOut = r.skipped.some((s) => JSON.stringify(s).includes('web-1'));
  expect({ reachesDb, leftOut }).not.toEqual({ reachesDb: false, leftOut: false });
});

test('owner loops: no pod vanishes silently', () => {
  const a = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: meta('a', { ownerReferences: [ref('ReplicaSet', 'b')] }), spec: template({ app: 'q' }) };
  const b = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: meta('b', { ownerReferences: [ref('ReplicaSet', 'a')] }), spec: template({ app: 'q' }) };
  const self = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: meta('s', { ownerReferences: [ref('ReplicaSet', 's')] }), spec: template({ app: 'q' }) };
  const p1 = pod('p1', { app: 'q' }, [ref('ReplicaSet', 'a')]);
  const p2 = pod('p2', { app: 'q' }, [ref('ReplicaSet', 's')]);
  const r = Reachability.fromManifests([a, b, self, p1, p2, db]);
  // On main: endpoints are only [shop/db]; a, b, s, p1, p2 are gone with no skipped entry.
  const mentioned = (name: string) => r.endpoints.some((e) => e.includes(name)) || r.skipped.some((s) => JSON.stringify(s).includes(name));
  expect(['p1', 'p2'].filter((n) => !mentioned(n))).toEqual([]);
});

test('an ownerReference whose uid is not the owner\'s does not fold the pod into it', () => {
  // The owner was deleted and a new ReplicaSet of the same name created (another uid, another template).
  const other = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: meta('web-abc'), spec: template({ app: 'other' }) };
  const orphan = pod('web-1', { app: 'web', debug: 'true' }, [ref('ReplicaSet', 'web-abc', 'uid-of-the-deleted-one')]);
  const r = Reachability.fromManifests([other, orphan, db, dbIngress]);
  const reachesDb = r.endpoints.some((e) => e !== 'shop/db' && r.allows(e, 'shop/db', PG));
  expect(reachesDb).toBe(true);
});

test('every replica quarantined by a label: the Deployment is not proven reachable (a FALSE ALLOWED on main)', () => {
  // `kubectl label pods -l app=web quarantine=true`, then a NetworkPolicy isolating quarantine=true.
  const quarantine = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'quarantine', namespace: 'shop' },
    spec: { podSelector: { matchLabels: { quarantine: 'true' } }, policyTypes: ['Ingress', 'Egress'] },
  };
  const replicas = ['web-1', 'web-2'].map((n) => pod(n, { app: 'web', quarantine: 'true' }, [ref('ReplicaSet', 'web-abc')]));
  const r = Reachability.fromManifests([deployment, replicaSet, ...replicas, db, quarantine]);
  // Every web pod is isolated both ways; nothing of web may reach db or be reached from it.
  const webEnds = r.endpoints.filter((e) => e.startsWith('shop/web'));
  const open = webEnds.filter((e) => r.allows(e, 'shop/db', PG) || r.allows('shop/db', e, PG));
  // On main: webEnds = ['shop/web'] (template labels, no quarantine) and it is ALLOWED both ways.
  expect(open).toEqual([]);
});

test('mid-rollout: pods of the OLD ReplicaSet keep their own labels (not the Deployment\'s new template)', () => {
  // Deployment template now says version=v2; the old ReplicaSet (version=v1) still runs web-old.
  const dep = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta('web'), spec: template({ app: 'web', version: 'v2' }) };
  const oldRs = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: meta('web-v1', { ownerReferences: [ref('Deployment', 'web')] }), spec: template({ app: 'web', version: 'v1' }) };
  const oldPod = pod('web-old', { app: 'web', version: 'v1' }, [ref('ReplicaSet', 'web-v1')]);
  // Only v2 may reach db.
  const v2Only = { ...dbIngress, spec: { ...dbIngress.spec, ingress: [{ from: [{ podSelector: { matchLabels: { version: 'v2' } } }], ports: [{ port: 5432 }] }] } };
  const r = Reachability.fromManifests([dep, oldRs, oldPod, db, v2Only]);
  // The running pod is v1: nothing that runs may reach db. On main: shop/web (v2 template) is ALLOWED.
  const open = r.endpoints.filter((e) => e !== 'shop/db' && r.allows(e, 'shop/db', PG));
  expect(open).toEqual([]);
});

test('R16: kubectl get pods,deployments (no ReplicaSets): the Deployment is not a phantom endpoint next to its pods; they are grouped under it', () => {
  const hashed = (name: string) => ({ ...pod(name, { 'app': 'web', 'pod-template-hash': 'abc' }, [ref('ReplicaSet', 'web-abc')]) });
  const other = pod('other-1', { 'app': 'web', 'pod-template-hash': 'xyz' }, [ref('ReplicaSet', 'other-xyz')]);
  const r = Reachability.fromManifests([deployment, hashed('web-1'), hashed('web-2'), other, db, dbIngress]);
  // web-abc is web's ReplicaSet by its name ([DEPLOYMENT-NAME]-[HASH]); other-xyz is not (no Deployment other).
  expect(r.endpoints).toEqual(['shop/web-1', 'shop/web-2', 'shop/other-1', 'shop/db']);
  const groups = r._groupedMatrix(PG, 'workload').groups.map((g) => `${g.name} ${g.endpoints}`);
  expect(groups).toEqual(['shop/app=db 1', 'shop/app=web 1', 'shop/web 2']);
  // The verdicts are the pods': no web pod carries debug=true, so none reaches db; db's own rules do not isolate its egress.
  expect(['shop/web-1', 'shop/web-2', 'shop/other-1'].filter((e) => r.allows(e, 'shop/db', PG))).toEqual([]);
  expect(r.allows('shop/db', 'shop/web-1', PG)).toBe(true);
});
