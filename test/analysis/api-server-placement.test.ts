import { Port, Reachability } from '../../src';
import { netpol, tempDir } from '../cli/cli-harness';

// Where the API server runs decides Cilium's CIDR rules and `world` (they match it only outside the
// cluster) and the host/remote-node entities (only on a node). An address that is no Node's of the
// input used to be placed outside the cluster without a word, and manifests from a synth carry no
// Nodes: a toCIDR or world rule to it was proven to reach an API server that may run on a node.
const web = {
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' } }, spec: { containers: [{ name: 'c' }] }, status: { podIP: '10.2.0.5' },
};
const toPorts = [{ ports: [{ port: '6443', protocol: 'TCP' }] }];
const cnp = (egress: unknown) => ({
  apiVersion: 'cilium.io/v2',
  kind: 'CiliumNetworkPolicy',
  metadata: { name: 'web-out', namespace: 'shop' },
  spec: { endpointSelector: { matchLabels: { app: 'web' } }, egress: [egress] },
});
const node = (name: string, address: string) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name }, status: { addresses: [{ type: 'InternalIP', address }] } });

describe('the API server is placed only by what the input says', () => {
  test('no Node, not said to be outside, Cilium policies present: refused with both fixes', () => {
    for (const egress of [{ toCIDR: ['10.0.0.1/32'], toPorts }, { toEntities: ['world'], toPorts }]) {
      expect(() => Reachability.fromManifests([web, cnp(egress)], { apiServerIp: '10.0.0.1' }))
        .toThrow(/where the API server runs \(on a node of the cluster, or outside it\) is not known.*kubectl get nodes.*apiServerOutsideCluster, --api-server-outside/);
    }
    const dir = tempDir({ 'in.yaml': [web, cnp({ toCIDR: ['10.0.0.1/32'], toPorts })].map((o) => JSON.stringify(o)).join('\n---\n') });
    const cli = netpol(['explain', dir, '--from', 'shop/web', '--to', 'kube-apiserver', '--port', '6443', '--api-server', '10.0.0.1']);
    expect(cli.code).toBe(2);
    expect(cli.stderr).toContain('--api-server-outside');
  });

  test('said to be outside: the CIDR and world rules reach it; on a Node of the input: they do not', () => {
    for (const egress of [{ toCIDR: ['10.0.0.1/32'], toPorts }, { toEntities: ['world'], toPorts }]) {
      const outside = Reachability.fromManifests([web, cnp(egress)], { apiServerIp: '10.0.0.1', apiServerOutsideCluster: true });
      expect(outside.allows('shop/web', 'kube-apiserver', Port.tcp(6443))).toBe(true);
      expect(outside.allows('shop/web', 'kube-apiserver', Port.tcp(443))).toBe(false);
      const onNode = Reachability.fromManifests([node('cp', '10.0.0.1'), web, cnp(egress)], { apiServerIp: '10.0.0.1' });
      expect(onNode.allows('shop/web', 'kube-apiserver', Port.tcp(6443))).toBe(false);
    }
  });

  test('Nodes in the input that do not have the address: outside; said outside but a Node\'s address: refused', () => {
    const elsewhere = Reachability.fromManifests([node('w1', '10.0.5.1'), web, cnp({ toEntities: ['world'], toPorts })], { apiServerIp: '10.0.0.1' });
    expect(elsewhere.allows('shop/web', 'kube-apiserver', Port.tcp(6443))).toBe(true);
    expect(() => Reachability.fromManifests([node('cp', '10.0.0.1'), web, cnp({ toEntities: ['world'], toPorts })], { apiServerIp: '10.0.0.1', apiServerOutsideCluster: true }))
      .toThrow(/is the Node cp's, but it was said to run outside the cluster/);
  });

  test('only NetworkPolicies: an ipBlock matches the address wherever it runs, so nothing is refused', () => {
    const np = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'web-egress', namespace: 'shop' },
      spec: { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.1/32' } }] }] },
    };
    const r = Reachability.fromManifests([web, np], { apiServerIp: '10.0.0.1' });
    expect(r.allows('shop/web', 'kube-apiserver', Port.tcp(6443))).toBe(true);
    const alone = netpol(['explain', tempDir({ 'np.yaml': JSON.stringify(np) }), '--from', 'shop/web', '--to', 'kube-apiserver', '--port', '1', '--api-server-outside']);
    expect(alone).toMatchObject({ code: 2, stdout: '' });
    expect(alone.stderr).toContain('--api-server-outside (ReachabilityOptions.apiServerOutsideCluster) says where the API server runs, but its address was not given, '
      + 'and the input does not state it (no Endpoints or EndpointSlice of default/kubernetes): give its address with --api-server <ip> too');
  });
});

// Of the cluster-wide tiers, only a `nodes` peer depends on where the API server runs (one on a
// node is node traffic there); networks match it by its address, namespaces, pods and domainNames
// never, wherever it runs. A tier-only input used to be refused like a Cilium one.
describe('an unplaced API server next to cluster-wide policies', () => {
  const anp = (to: unknown[], name = 'guard') => ({
    apiVersion: 'policy.networking.k8s.io/v1alpha1',
    kind: 'AdminNetworkPolicy',
    metadata: { name },
    spec: { priority: 10, subject: { namespaces: {} }, egress: [{ name: 'rule', action: 'Deny', to, ports: [{ portNumber: { protocol: 'TCP', port: 6443 } }] }] },
  });
  const other = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'db', namespace: 'data', labels: { app: 'db' } }, spec: { containers: [{ name: 'c' }] }, status: { podIP: '10.2.0.9' } };

  test('no nodes peer, no Node, not said to be outside: analysed, and the verdicts are those of either placement', () => {
    const byNetwork = anp([{ networks: ['10.0.0.0/24'] }]);
    const r = Reachability.fromManifests([web, other, byNetwork], { apiServerIp: '10.0.0.1' });
    expect(r.skipped).toEqual([]);
    // networks match it by its address: the Deny denies it on 6443 only.
    expect(r.allows('shop/web', 'kube-apiserver', Port.tcp(6443))).toBe(false);
    expect(r.allows('shop/web', 'kube-apiserver', Port.tcp(443))).toBe(true);
    expect(r.explain('shop/web', 'kube-apiserver', Port.tcp(6443)).egress.decidedBy).toMatchObject({ policy: 'guard', rule: 0 });
    // Its ingress reads "outside the cluster": explain says that is not known, and why it decides nothing.
    expect(r.explain('shop/web', 'kube-apiserver', Port.tcp(443)).notes).toEqual([expect.stringMatching(
      /^kube-apiserver is an API server whose address \(10\.0\.0\.1\) no Node of the input has.*where it runs is not known: it is analysed as outside the cluster, as none of the policies of the input tells that apart from a node\. Give the Nodes/)]);
    expect(r.explain('shop/web', 'data/db', Port.tcp(443)).notes).toEqual([]);
    expect(r.allows('shop/web', 'data/db', Port.tcp(6443))).toBe(true);
    // The same on a Node and outside it: placement decides nothing here.
    for (const placed of [
      Reachability.fromManifests([node('cp', '10.0.0.1'), web, other, byNetwork], { apiServerIp: '10.0.0.1' }),
      Reachability.fromManifests([web, other, byNetwork], { apiServerIp: '10.0.0.1', apiServerOutsideCluster: true }),
    ]) {
      for (const port of [6443, 443]) expect(placed.allows('shop/web', 'kube-apiserver', Port.tcp(port))).toBe(r.allows('shop/web', 'kube-apiserver', Port.tcp(port)));
      expect(placed.explain('shop/web', 'kube-apiserver', Port.tcp(443)).notes.filter((n) => n.startsWith('kube-apiserver'))).toEqual([]);
    }
    // A pods peer never matches it: the Deny denies the pods only.
    const byPods = Reachability.fromManifests([web, other, anp([{ pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: 'db' } } } }])], { apiServerIps: ['10.0.0.1', '10.0.0.2'] });
    expect(byPods.skipped).toEqual([]);
    expect(byPods.allows('shop/web', 'kube-apiserver:10.0.0.1', Port.tcp(6443))).toBe(true);
    expect(byPods.allows('shop/web', 'data/db', Port.tcp(6443))).toBe(false);
    const cli = netpol(['explain', tempDir({ 'in.yaml': [web, other, byNetwork].map((o) => JSON.stringify(o)).join('\n---\n') }),
      '--from', 'shop/web', '--to', 'kube-apiserver', '--port', '6443', '--api-server', '10.0.0.1']);
    expect(cli.stderr).toBe('');
    expect(cli).toMatchObject({ code: 0 });
    expect(cli.stdout).toContain('DENIED by Admin tier AdminNetworkPolicy guard (priority 10) egress[0] "rule" Deny');
    expect(cli.stdout).toContain('so where it runs is not known');
  });

  test('a nodes peer that every node matches: still refused, naming the rule; with the Node or said outside, decided', () => {
    const byNodes = anp([{ nodes: {} }]);
    expect(() => Reachability.fromManifests([web, byNodes], { apiServerIp: '10.0.0.1' }))
      .toThrow(/where the API server runs \(on a node of the cluster, or outside it\) is not known, and the nodes peer of AdminNetworkPolicy guard egress\[0\] matches it only on a node\. Add the nodes/);
    expect(() => Reachability.fromManifests([web, byNodes], { apiServerIps: ['10.0.0.1', '10.0.0.2'] })).toThrow(/nodes peer of AdminNetworkPolicy guard/);
    const onNode = Reachability.fromManifests([node('cp', '10.0.0.1'), web, byNodes], { apiServerIp: '10.0.0.1' });
    expect(onNode.allows('shop/web', 'kube-apiserver', Port.tcp(6443))).toBe(false);
    expect(onNode.allows('shop/web', 'kube-apiserver', Port.tcp(443))).toBe(true);
    const outside = Reachability.fromManifests([web, byNodes], { apiServerIp: '10.0.0.1', apiServerOutsideCluster: true });
    expect(outside.allows('shop/web', 'kube-apiserver', Port.tcp(6443))).toBe(true);
    const cli = netpol(['explain', tempDir({ 'in.yaml': [web, byNodes].map((o) => JSON.stringify(o)).join('\n---\n') }),
      '--from', 'shop/web', '--to', 'kube-apiserver', '--port', '6443', '--api-server', '10.0.0.1']);
    expect(cli).toMatchObject({ code: 2, stdout: '' });
    expect(cli.stderr).toContain('--api-server-outside');
  });

  test('a Deny nodes peer with labels is taken as every node (fail closed), so the unplaced API server is refused, not proven reachable', () => {
    // The API server may run on a control-plane node the peer selects: proving 6443 allowed would be a guess.
    expect(() => Reachability.fromManifests([web, anp([{ nodes: { matchLabels: { 'node-role.kubernetes.io/control-plane': '' } } }])], { apiServerIp: '10.0.0.1' }))
      .toThrow(/is no Node's of the input/);
  });

  test('without an address nothing is placed, so nothing is refused', () => {
    const r = Reachability.fromManifests([web, anp([{ nodes: {} }])]);
    expect(r.skipped).toEqual([]);
    expect(r.endpoints).not.toContain('kube-apiserver');
  });
});
