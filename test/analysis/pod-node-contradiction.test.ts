import { Port, Reachability, SkipCategory } from '../../src';

/**
 * R14 of the review: a pod whose spec.nodeName and status.hostIP name different Nodes (a stale dump,
 * a pod re-bound). Cilium's `host` is the subject's own node and `remote-node` every other
 * (docs.cilium.io "Layer 3 Policies", Entities based), so which node is the pod's decides the
 * verdict, and either field is a guess: the pod's node is taken as not known, the rules that depend
 * on it are left out with their reason, and the contradiction is noted.
 */
const node = (name: string, ip: string) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name }, status: { addresses: [{ type: 'InternalIP', address: ip }] } });
const pod = (name: string, status: Record<string, unknown>) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', labels: { app: name } },
  spec: { nodeName: 'n1', containers: [{ name: 'c', ports: [{ containerPort: 443 }] }] },
  status,
});
const hostOnly = { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'host', namespace: 'default' }, spec: { endpointSelector: { matchLabels: { app: 'b' } }, ingress: [{ fromEntities: ['host'] }] } };
const NODES = [node('n1', '10.0.0.11'), node('n2', '10.0.0.12')];
const HTTPS = Port.tcp(443);

test('nodeName and hostIP agree: host is decided (own node allowed, the other denied), nothing noted', () => {
  const r = Reachability.fromManifests([...NODES, pod('b', { hostIP: '10.0.0.11' }), hostOnly]);
  expect(r.allows('node:n1', 'default/b', HTTPS)).toBe(true);
  expect(r.allows('node:n2', 'default/b', HTTPS)).toBe(false);
  expect(r.skipped).toEqual([]);
});

test('nodeName n1, hostIP of n2: the contradiction is noted and the host allow is not taken for b, never decided on a guess', () => {
  const r = Reachability.fromManifests([...NODES, pod('b', { hostIP: '10.0.0.12' }), hostOnly]);
  const notes = r.skipped.map((s) => `${s.object} ${s.category}: ${s.reason}`);
  expect(notes).toEqual([
    expect.stringMatching(/^default\/b MALFORMED: its spec\.nodeName is n1 but its status\.hostIP 10\.0\.0\.12 is the address of the Node n2: the input contradicts itself/),
    expect.stringMatching(/^default\/host NOT_MODELLED: .*the entity host \(fromEntities\) .*the node of the Pod default\/b is not known/),
  ]);
  expect(r.skipped[0].category).toBe(SkipCategory.MALFORMED);
  // The host allow is not taken for b (its node is unknown): b is isolated by the policy with nothing allowed (fail closed: no allow proven).
  expect(r.allows('node:n1', 'default/b', HTTPS)).toBe(false);
  expect(r.allows('node:n2', 'default/b', HTTPS)).toBe(false);
});

test('R15: a Node whose name is not a DNS subdomain (default/b) is left out with the reason, never an endpoint node:default/b', () => {
  const r = Reachability.fromManifests([node('default/b', '10.0.0.13'), ...NODES, pod('b', { hostIP: '10.0.0.11' })]);
  expect(r.endpoints).toEqual(['node:n1', 'node:n2', 'default/b']);
  expect(r.skipped.map((s) => `${s.object} ${s.category}`)).toEqual(['default/b MALFORMED']);
  expect(r.skipped[0].reason).toMatch(/^the Node name "default\/b" is not valid .* the API server would reject it/);
});
