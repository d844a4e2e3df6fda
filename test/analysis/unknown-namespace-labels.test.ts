import { Port, Reachability } from '../../src';

/**
 * A namespace that has pods in the input but no Namespace object gets the labels
 * `{kubernetes.io/metadata.name: <name>}` and nothing else (src/inventory/cluster.ts
 * namespaceLabels). That is a guess: the API server sets only the name label for sure
 * (Kubernetes docs, "Well-Known Labels": kubernetes.io/metadata.name), the namespace's other labels
 * are unknown. With `kubectl get pods -A -o yaml` alone (no namespaces) every namespaceSelector
 * on other labels is decided on that guess: NotIn / DoesNotExist selectors then MATCH, and deny
 * rules on namespace labels never match: both prove ALLOWED what may be denied. Fail closed:
 * such a verdict must be left out or carry a warning, never be given silently.
 */
const pod = (ns: string, name: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: ns, labels: { app: name } },
  spec: { nodeName: 'n1', containers: [{ name: 'c', ports: [{ containerPort: 443 }] }] },
});
const PODS = [pod('x', 'a'), pod('y', 'b')];
const HTTPS = Port.tcp(443);

function silentlyAllowed(r: Reachability, from: string, to: string): boolean {
  const e = r.explain(from, to, HTTPS);
  const warned = e.notes.some((n) => /namespace/i.test(n)) || r.skipped.length > 0;
  return e.allowed && !warned;
}

test('NetworkPolicy namespaceSelector NotIn, the source namespace has no Namespace object', () => {
  const np = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'not-prod', namespace: 'y' },
    spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] } }] }] },
  };
  const r = Reachability.fromManifests([np, ...PODS]);
  // On main: ALLOWED with no note (namespace x is assumed to have no env label).
  expect(silentlyAllowed(r, 'x/a', 'y/b')).toBe(false);
  // With the Namespace object saying env=prod, it is denied: the verdict depends on the missing object.
  const prod = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x', labels: { 'kubernetes.io/metadata.name': 'x', 'env': 'prod' } } };
  expect(Reachability.fromManifests([np, prod, ...PODS]).allows('x/a', 'y/b', HTTPS)).toBe(false);
});

test('Cilium egressDeny by namespace label, the destination namespace has no Namespace object', () => {
  const cnp = {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name: 'no-team-y', namespace: 'x' },
    spec: { endpointSelector: {}, egress: [{ toEntities: ['all'] }], egressDeny: [{ toEndpoints: [{ matchLabels: { 'k8s:io.cilium.k8s.namespace.labels.team': 'y' } }] }] },
  };
  const r = Reachability.fromManifests([cnp, ...PODS]);
  // On main: ALLOWED with no note.
  expect(silentlyAllowed(r, 'x/a', 'y/b')).toBe(false);
});

test('no warning when the Namespace objects are there, or when policies select namespaces by name only', () => {
  const np = (expr: Record<string, unknown>) => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'p', namespace: 'y' },
    spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: { matchExpressions: [expr] } }] }] },
  });
  const ns = (name: string, labels: Record<string, string> = {}) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
  const notProd = np({ key: 'env', operator: 'NotIn', values: ['prod'] });
  const known = Reachability.fromManifests([notProd, ns('x'), ns('y'), ...PODS]);
  expect(known.allows('x/a', 'y/b', HTTPS)).toBe(true);
  expect(known.explain('x/a', 'y/b', HTTPS).notes).toEqual([]);
  const byName = Reachability.fromManifests([np({ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['x'] }), ...PODS]);
  expect(byName.allows('x/a', 'y/b', HTTPS)).toBe(true);
  expect(byName.explain('x/a', 'y/b', HTTPS).notes).toEqual([]);
  // The warning names the namespace without its object (x), not the one with it (y), and the fix.
  const half = Reachability.fromManifests([notProd, ns('y'), ...PODS]).explain('x/a', 'y/b', HTTPS).notes;
  expect(half).toHaveLength(1);
  expect(half[0]).toMatch(/^namespace x has no Namespace object.*env.*kubectl get namespaces/);
});

test('the model-wide warning (matrix, diff on the CLI) lists the namespaces without objects, once', () => {
  const np = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'not-prod', namespace: 'y' },
    spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'DoesNotExist' }] } }] }] },
  };
  const w = Reachability.fromManifests([np, ...PODS])._guessedNamespacesWarning();
  expect(w).toMatch(/^no Namespace object for namespaces x, y: policies select namespaces by env,/);
  const y = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'y' } };
  expect(Reachability.fromManifests([np, y, ...PODS])._guessedNamespacesWarning()).toMatch(/^no Namespace object for namespace x:/);
  expect(Reachability.fromManifests([np, y, { ...y, metadata: { name: 'x' } }, ...PODS])._guessedNamespacesWarning()).toBeUndefined();
  expect(Reachability.fromManifests(PODS)._guessedNamespacesWarning()).toBeUndefined();
});
