import { Port, Reachability } from '../../src';

/**
 * On a Cilium cluster (the input has CiliumNetworkPolicies), a NetworkPolicy's ipBlock is
 * enforced as a Cilium CIDR selector. Under the default policy-cidr-match-mode, CIDR selectors
 * do not match node IPs (docs.cilium.io "Selecting nodes with CIDR / ipBlock";
 * cilium/cilium#12277 "Kubernetes network policy with node ip cidr doesn't work", made opt-in by
 * policy-cidr-match-mode: nodes). The analyser's own Cilium CIDR semantics and NP022 say the
 * same. Yet a NetworkPolicy `ipBlock: 10.0.1.1/32` to the API server on node cp (and to node:cp)
 * is proven ALLOWED, with only the note "an ipBlock matched a pod IP". In the same model a
 * CiliumNetworkPolicy toCIDR to that address is proven DENIED. One cluster, two contradicting
 * readings of the same CIDR.
 */
const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'cp' }, status: { addresses: [{ type: 'InternalIP', address: '10.0.1.1' }] } };
const pod = (name: string, nodeName: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'shop', labels: { app: name } },
  spec: { nodeName, containers: [{ name: 'c' }] },
  status: { podIP: name === 'web' ? '10.2.0.5' : '10.2.0.6' },
});
const np = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'web-egress', namespace: 'shop' },
  spec: { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.1.1/32' } }], ports: [{ port: 6443, protocol: 'TCP' }] }] },
};
const cnp = {
  apiVersion: 'cilium.io/v2',
  kind: 'CiliumNetworkPolicy',
  metadata: { name: 'other-out', namespace: 'shop' },
  spec: { endpointSelector: { matchLabels: { app: 'other' } }, egress: [{ toCIDR: ['10.0.1.1/32'], toPorts: [{ ports: [{ port: '6443', protocol: 'TCP' }] }] }] },
};

test('with Cilium policies in the input, an NP ipBlock over a node address is not proven to reach the node', () => {
  const r = Reachability.fromManifests([node, pod('web', 'w1'), pod('other', 'w1'), np, cnp], { apiServerIp: '10.0.1.1' });
  // The CNP's CIDR does not reach the node (the analyser's Cilium semantics)...
  expect(r.allows('shop/other', 'kube-apiserver', Port.tcp(6443))).toBe(false);
  // ...and neither does the NP's ipBlock that Cilium enforces as the same kind of CIDR selector.
  for (const to of ['kube-apiserver', 'node:cp']) {
    const allowed = r.allows('shop/web', to, Port.tcp(6443));
    expect(`${to} ${allowed && r.skipped.length === 0 ? 'proven allowed' : 'not proven allowed'}`).toBe(`${to} not proven allowed`);
  }
});

test('the same NetworkPolicy ipBlock: reaches pods and nodes without Cilium policies, an address outside the cluster with them', () => {
  const withoutCilium = Reachability.fromManifests([node, pod('web', 'w1'), pod('other', 'w1'), np], { apiServerIp: '10.0.1.1' });
  expect(withoutCilium.allows('shop/web', 'node:cp', Port.tcp(6443))).toBe(true);
  expect(withoutCilium.allows('shop/web', 'shop/other', Port.tcp(6443))).toBe(false);
  const toPod = { ...np, spec: { ...np.spec, egress: [{ to: [{ ipBlock: { cidr: '10.2.0.0/16' } }, { ipBlock: { cidr: '203.0.113.0/24' } }] }] } };
  const external = [{ name: 'saas', ip: '203.0.113.7' }];
  const plain = Reachability.fromManifests([pod('web', 'w1'), pod('other', 'w1'), toPod], { externals: external });
  expect(plain.allows('shop/web', 'shop/other', Port.tcp(80))).toBe(true);
  const onCilium = Reachability.fromManifests([pod('web', 'w1'), pod('other', 'w1'), toPod, cnp], { externals: external });
  expect(onCilium.allows('shop/web', 'shop/other', Port.tcp(80))).toBe(false);
  expect(onCilium.allows('shop/web', 'saas', Port.tcp(80))).toBe(true);
  for (const port of [Port.tcp(80), Port.tcp(6443)]) {
    const m = onCilium.matrix(port);
    for (const from of onCilium.endpoints) for (const to of onCilium.endpoints) expect(`${from} ${to} ${m.isAllowed(from, to)}`).toBe(`${from} ${to} ${onCilium.allows(from, to, port)}`);
  }
});
