import { Port, Reachability, SkipCategory } from '../../src';

// The sig-network policy API's `nodes` peer selects nodes by their labels. The model has no node
// labels to match, and such a peer matched nothing: an Admin Deny to the control-plane nodes was
// proven not to deny. A nodes peer with labels is decided fail closed for node ends (with the
// reason): a Deny's taken to match every node, an Allow's none, a Pass's both ways; `nodes: {}`
// (every node) is still decided.
const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'cp', labels: { 'node-role.kubernetes.io/control-plane': '' } }, status: { addresses: [{ type: 'InternalIP', address: '10.0.1.1' }] } };
const web = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' } }, spec: { containers: [{ name: 'c' }] }, status: { podIP: '10.2.0.5' } };
const anp = (nodes: Record<string, unknown>) => ({
  apiVersion: 'policy.networking.k8s.io/v1alpha1',
  kind: 'AdminNetworkPolicy',
  metadata: { name: 'no-nodes' },
  spec: { priority: 10, subject: { namespaces: {} }, egress: [{ name: 'deny-nodes', action: 'Deny', to: [{ nodes }], ports: [{ portNumber: { protocol: 'TCP', port: 10250 } }] }] },
});

describe('a nodes peer of a cluster-wide policy', () => {
  test('with labels: a Deny is taken to match every node (fail closed), with why; never decided as "no match"', () => {
    const r = Reachability.fromManifests([node, web, anp({ matchExpressions: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists' }] })]);
    expect(r.skipped).toEqual([expect.objectContaining({
      object: 'no-nodes',
      kind: 'AdminNetworkPolicy',
      category: SkipCategory.NOT_MODELLED,
      reason: expect.stringMatching(/^egress\[0\] \("deny-nodes"\) is decided only in part: its peer "nodes .*" selects nodes by their labels, which the model does not match: for node ends the verdicts take it to match every node \(denied\).*Review its effect on nodes separately$/),
    })]);
    expect(r.allows('shop/web', 'node:cp', Port.tcp(10250))).toBe(false);
    expect(r.allows('shop/web', 'node:cp', Port.tcp(443))).toBe(true);
  });

  test('with labels in a Pass: not left out; for node ends allowed only where both "passed" and "not matched" allow', () => {
    const pass = {
      apiVersion: 'policy.networking.k8s.io/v1alpha1',
      kind: 'AdminNetworkPolicy',
      metadata: { name: 'pass-nodes' },
      spec: { priority: 10, subject: { namespaces: {} }, egress: [{ name: 'pass', action: 'Pass', to: [{ nodes: { matchLabels: { 'node-role.kubernetes.io/control-plane': '' } } }] }] },
    };
    const allowNodes = {
      apiVersion: 'policy.networking.k8s.io/v1alpha1',
      kind: 'AdminNetworkPolicy',
      metadata: { name: 'allow-nodes' },
      spec: { priority: 20, subject: { namespaces: {} }, egress: [{ name: 'allow', action: 'Allow', to: [{ nodes: {} }] }] },
    };
    const denyEgress = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny', namespace: 'shop' }, spec: { podSelector: {}, policyTypes: ['Egress'] } };
    // Passed: the NetworkPolicy denies; not matched: the later Allow allows. Fail closed: denied.
    const r = Reachability.fromManifests([node, web, pass, allowNodes, denyEgress]);
    expect(r.allows('shop/web', 'node:cp', Port.tcp(10250))).toBe(false);
    expect(r.explain('shop/web', 'node:cp', Port.tcp(10250)).notes.join('\n')).toMatch(/egress decided fail closed: node labels: .*pass-nodes egress\[0\] \(Pass\) matches node:cp/);
    expect(r.skipped).toEqual([expect.objectContaining({ object: 'pass-nodes', reason: expect.stringMatching(/decided only in part: .*this Pass both to match and not/) })]);
    expect(r.matrix(Port.tcp(10250)).isAllowed('shop/web', 'node:cp')).toBe(false);
    // Without the NetworkPolicy both readings allow.
    const open = Reachability.fromManifests([node, web, pass, allowNodes]);
    expect(open.allows('shop/web', 'node:cp', Port.tcp(10250))).toBe(true);
    expect(open.matrix(Port.tcp(10250)).isAllowed('shop/web', 'node:cp')).toBe(true);
  });

  test('every node (nodes: {}): decided, the Deny denies the node on its port and nothing else', () => {
    const r = Reachability.fromManifests([node, web, anp({})]);
    expect(r.skipped).toEqual([]);
    expect(r.allows('shop/web', 'node:cp', Port.tcp(10250))).toBe(false);
    expect(r.allows('shop/web', 'node:cp', Port.tcp(443))).toBe(true);
  });
});
