import { Port, Reachability } from '../../src';

/**
 * The analyser's Cilium labels of a pod (src/inventory/cilium-policy.ts ciliumLabels) are its own
 * labels, plus its namespace's labels under `io.cilium.k8s.namespace.labels.<key>`. A pod may carry
 * such a key itself (a valid label name; Cilium's k8s label source takes it as any other label), and
 * then the pair semantics match it on the pod. The classes (src/analysis/policy-features.ts) put
 * a selector key with that prefix among the namespace labels AND the pod labels, so two pods of one
 * namespace that differ only in that label land in different classes, and the matrix agrees with the
 * pair verdict: the pod with the label is allowed, the pod without it denied.
 */
const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } };
const pod = (name: string, labels: Record<string, string>) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'shop', labels }, spec: { containers: [{ name: 'c', ports: [{ containerPort: 8080 }] }] },
});
const policy = {
  apiVersion: 'cilium.io/v2',
  kind: 'CiliumNetworkPolicy',
  metadata: { name: 'db', namespace: 'shop' },
  spec: {
    endpointSelector: { matchLabels: { app: 'db' } },
    ingress: [{ fromEndpoints: [{ matchLabels: { 'io.cilium.k8s.namespace.labels.team': 'a' } }], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] }],
  },
};

test('the matrix (equivalence classes) keeps apart two pods the Cilium selector tells apart: it agrees with explain', () => {
  const r = Reachability.fromManifests([ns, pod('tagged', { 'app': 'web', 'io.cilium.k8s.namespace.labels.team': 'a' }), pod('plain', { app: 'web' }), pod('db', { app: 'db' }), policy]);
  const m = r.matrix(Port.tcp(8080));
  const pairs = ['shop/tagged', 'shop/plain'].map((from) => [from, r.allows(from, 'shop/db', Port.tcp(8080)), m.isAllowed(from, 'shop/db')]);
  // Each pair: the pair verdict and the matrix must agree.
  for (const [, pair, matrix] of pairs) expect(matrix).toBe(pair);
  expect(pairs.map(([from, pair]) => `${from} ${pair}`)).toEqual(['shop/tagged true', 'shop/plain false']);
});

test('a namespace label of that key is matched too, and the namespace\'s label wins over the pod\'s own', () => {
  const labelled = { ...ns, metadata: { ...ns.metadata, labels: { team: 'a' } } };
  const r = Reachability.fromManifests([labelled, pod('tagged', { 'app': 'web', 'io.cilium.k8s.namespace.labels.team': 'b' }), pod('plain', { app: 'web' }), pod('db', { app: 'db' }), policy]);
  const m = r.matrix(Port.tcp(8080));
  for (const from of ['shop/tagged', 'shop/plain']) {
    expect(r.allows(from, 'shop/db', Port.tcp(8080))).toBe(true);
    expect(m.isAllowed(from, 'shop/db')).toBe(true);
  }
});
