import { Port, Reachability } from '../../src';

/**
 * A `host`/`remote-node` rule is left out when SOME end's node is unknown (src/inventory/cluster.ts:
 * the rule goes to r.skipped). It is then dropped for EVERY pair, also for pairs where it is
 * decidable: adding one hostNetwork pod without spec.nodeName/status.hostIP to the input turns a
 * decided DENIED (node:n2 -> pod on n1, denied by ingressDeny fromEntities remote-node; docs.cilium.io
 * "Entities based": remote-node is "any node in any of the connected clusters other than the local
 * host", deny policies take precedence) into ALLOWED. Only the pairs with the unknown end are
 * undecided.
 */
const cnp = {
  apiVersion: 'cilium.io/v2',
  kind: 'CiliumNetworkPolicy',
  metadata: { name: 'x', namespace: 'default' },
  spec: { endpointSelector: { matchLabels: { app: 'b' } }, ingress: [{ fromEntities: ['all'] }], ingressDeny: [{ fromEntities: ['remote-node'] }] },
};
const node = (name: string, ip: string) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name }, status: { addresses: [{ type: 'InternalIP', address: ip }] } });
const b = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'b', namespace: 'default', labels: { app: 'b' } }, spec: { nodeName: 'n1', containers: [{ name: 'c' }] }, status: { podIP: '10.1.0.6' } };
const unplaced = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'agent', namespace: 'kube-system', labels: { app: 'agent' } }, spec: { hostNetwork: true, containers: [{ name: 'c' }] } };
const NODES = [node('n1', '10.0.0.11'), node('n2', '10.0.0.12')];
const HTTPS = Port.tcp(443);

test('an unplaced hostNetwork pod elsewhere does not undo a decidable remote-node deny', () => {
  expect(Reachability.fromManifests([cnp, ...NODES, b]).allows('node:n2', 'default/b', HTTPS)).toBe(false);
  // On main: true once the unplaced pod is in the input.
  expect(Reachability.fromManifests([cnp, ...NODES, b, unplaced]).allows('node:n2', 'default/b', HTTPS)).toBe(false);
});

/**
 * The same coarseness in the tiers (commit 5412a1d "a nodes peer with labels is left out"): an
 * AdminNetworkPolicy Deny rule whose peers are a `nodes` peer with labels AND a `namespaces` peer is
 * left out whole, so pod -> pod traffic the namespaces peer decides (a nodes peer never matches a
 * pod; sig-network policy API: peers of a rule are OR-ed, a Deny is final) is proven ALLOWED.
 */
test('an ANP Deny with a labelled nodes peer still denies pod -> pod through its namespaces peer', () => {
  const anp = (to: unknown[]) => ({
    apiVersion: 'policy.networking.k8s.io/v1alpha1',
    kind: 'AdminNetworkPolicy',
    metadata: { name: 'd' },
    spec: { priority: 1, subject: { namespaces: {} }, egress: [{ name: 'r', action: 'Deny', to }] },
  });
  const p = (ns: string, name: string, ip: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns, labels: { app: name } }, spec: { nodeName: 'n1', containers: [{ name: 'c' }] }, status: { podIP: ip } });
  const objects = [node('n1', '10.0.0.11'), p('x', 'a', '10.1.0.5'), p('y', 'b', '10.1.0.6')];
  expect(Reachability.fromManifests([anp([{ namespaces: {} }]), ...objects]).allows('x/a', 'y/b', HTTPS)).toBe(false);
  const withNodes = anp([{ nodes: { matchLabels: { 'node-role.kubernetes.io/control-plane': '' } } }, { namespaces: {} }]);
  // On main: true (the whole rule is left out).
  expect(Reachability.fromManifests([withNodes, ...objects]).allows('x/a', 'y/b', HTTPS)).toBe(false);
});
