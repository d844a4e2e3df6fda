import { Port, Reachability, TextFormat } from '../../src';
import { netpol, tempDir } from '../cli/cli-harness';

/**
 * An HA control plane has several API servers (several control-plane nodes, several endpoints of the
 * `kubernetes` Service in `default`). Cilium's `kube-apiserver` entity is "both deployments of the
 * kube-apiserver: within the cluster and outside of the cluster" (docs.cilium.io, Layer 3 Policies,
 * Entities based), and Cilium labels the identity of every node that runs one
 * `reserved:kube-apiserver`: the entity takes in every API server and each of their nodes. Each
 * address is placed as one alone is: on the Node that has it, else outside.
 */
const node = (name: string, ip: string) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name }, status: { addresses: [{ type: 'InternalIP', address: ip }] } });
const pod = (name: string, labels: Record<string, string>, nodeName: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'shop', labels }, spec: { nodeName, containers: [{ name: 'c' }], ...extra },
});
const cnp = (name: string, egress: unknown[]) => ({
  apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name, namespace: 'shop' }, spec: { endpointSelector: { matchLabels: { app: 'web' } }, egress },
});
const NODES = [node('cp1', '10.0.1.1'), node('cp2', '10.0.1.2'), node('w1', '10.0.2.1')];
const PODS = [
  { ...pod('web', { app: 'web' }, 'w1'), status: { podIP: '10.2.0.5' } },
  { ...pod('agent', { app: 'agent' }, 'cp2', { hostNetwork: true }), status: { podIP: '10.0.1.2', hostIP: '10.0.1.2' } },
];
const API = Port.tcp(6443);
const toApi = cnp('to-api', [{ toEntities: ['kube-apiserver'] }]);
const IPS = ['10.0.1.1', '10.0.1.2'];

describe('several API servers', () => {
  test('two on two control-plane Nodes: toEntities kube-apiserver reaches both, their nodes and what runs there, no other node', () => {
    const r = Reachability.fromManifests([toApi, ...NODES, ...PODS], { apiServerIps: IPS });
    expect(r.skipped).toEqual([]);
    expect(r.endpoints).toEqual(expect.arrayContaining(['kube-apiserver:10.0.1.1', 'kube-apiserver:10.0.1.2']));
    expect(r.endpoints).not.toContain('kube-apiserver');
    for (const to of ['kube-apiserver:10.0.1.1', 'kube-apiserver:10.0.1.2', 'node:cp1', 'node:cp2', 'shop/agent']) {
      expect(`${to}: ${r.allows('shop/web', to, API)}`).toBe(`${to}: true`);
    }
    expect(r.allows('shop/web', 'node:w1', API)).toBe(false);
    // explain says why a node is the API server's identity, and only for the nodes that run one.
    expect(r.explain('shop/web', 'node:cp2', API).notes).toEqual([expect.stringMatching(/^node:cp2 is the Node cp2.*host and remote-node match it, and kube-apiserver too, as it runs an API server\. /)]);
    expect(r.explain('shop/web', 'node:w1', API).notes).toEqual([expect.stringMatching(/host and remote-node match it\. A pod's ingress/)]);
    const e = r.explain('shop/web', 'kube-apiserver:10.0.1.2', API);
    expect(e.allowed).toBe(true);
    expect(TextFormat.explanation(e)).toContain('CiliumNetworkPolicy shop/to-api egress[0] toEntities kube-apiserver');
    const m = r.matrix(API);
    for (const to of r.endpoints) expect(`${to}: ${m.isAllowed('shop/web', to)}`).toBe(`${to}: ${r.allows('shop/web', to, API)}`);
  });

  test('on nodes, a CIDR rule over both addresses reaches neither (CIDR rules never match nodes)', () => {
    const r = Reachability.fromManifests([cnp('to-cidr', [{ toCIDR: ['10.0.1.0/24'] }]), ...NODES, ...PODS], { apiServerIps: IPS });
    expect(r.skipped).toEqual([]);
    expect(r.allows('shop/web', 'kube-apiserver:10.0.1.1', API)).toBe(false);
    expect(r.allows('shop/web', 'kube-apiserver:10.0.1.2', API)).toBe(false);
    expect(r.explain('shop/web', 'kube-apiserver:10.0.1.1', API).egress.isolatingPolicies).toEqual(['CiliumNetworkPolicy shop/to-cidr']);
  });

  test('each address is placed alone: one on a Node, one outside (Nodes listed, none has it)', () => {
    const ips = ['10.0.1.1', '203.0.113.9'];
    const world = Reachability.fromManifests([cnp('to-world', [{ toEntities: ['world'] }]), ...NODES, ...PODS], { apiServerIps: ips });
    expect(world.allows('shop/web', 'kube-apiserver:203.0.113.9', API)).toBe(true);
    expect(world.allows('shop/web', 'kube-apiserver:10.0.1.1', API)).toBe(false);
    const api = Reachability.fromManifests([toApi, ...NODES, ...PODS], { apiServerIps: ips });
    expect(api.allows('shop/web', 'kube-apiserver:203.0.113.9', API)).toBe(true);
    expect(api.allows('shop/web', 'node:cp1', API)).toBe(true);
    // cp2 runs none of them now: neither it nor its hostNetwork pod is the API server.
    expect(api.allows('shop/web', 'node:cp2', API)).toBe(false);
    expect(api.allows('shop/web', 'shop/agent', API)).toBe(false);
  });

  test('one address in the list is the endpoint kube-apiserver, as apiServerIp gives it', () => {
    const list = Reachability.fromManifests([toApi, ...NODES, ...PODS], { apiServerIps: ['10.0.1.1'] });
    const one = Reachability.fromManifests([toApi, ...NODES, ...PODS], { apiServerIp: '10.0.1.1' });
    expect(list.endpoints).toEqual(one.endpoints);
    expect(list.endpoints).toContain('kube-apiserver');
    expect(list.allows('shop/web', 'kube-apiserver', API)).toBe(true);
    expect(list.allows('shop/web', 'node:cp2', API)).toBe(false);
  });

  test('refused: apiServerIp and apiServerIps at once, an address given twice, no address', () => {
    expect(() => Reachability.fromManifests([toApi, ...NODES], { apiServerIp: '10.0.1.1', apiServerIps: ['10.0.1.2'] }))
      .toThrow(/apiServerIp and apiServerIps were both given.*give every address in apiServerIps/);
    expect(() => Reachability.fromManifests([toApi, ...NODES], { apiServerIps: ['10.0.1.1', '10.0.1.1'] }))
      .toThrow(/the API server's address 10\.0\.1\.1 was given twice/);
    expect(() => Reachability.fromManifests([toApi, ...NODES], { apiServerIps: ['fd00::1', 'fd00:0::1'] }))
      .toThrow(/the API server's address fd00:0::1 was given twice/);
    expect(() => Reachability.fromManifests([toApi, ...NODES], { apiServerIps: ['api.example.com'] })).toThrow(/api\.example\.com/);
    // From JavaScript: a string, a number, null in the list are refused by name, never spread or dropped.
    for (const hostile of ['10.0.1.1', [42], ['10.0.1.1', null], { 0: '10.0.1.1' }]) {
      expect(() => Reachability.fromManifests([toApi, ...NODES], { apiServerIps: hostile as any })).toThrow(/ReachabilityOptions\.apiServerIps is .*give the API servers' addresses as strings/);
    }
    expect(() => Reachability.fromManifests([toApi, ...NODES], { apiServerIp: 7 as any })).toThrow(/ReachabilityOptions\.apiServerIp is 7/);
    // Blanks around an address are not part of its name.
    expect(Reachability.fromManifests([toApi, ...NODES, ...PODS], { apiServerIps: [' 10.0.1.1', '10.0.1.2 '] }).endpoints)
      .toEqual(expect.arrayContaining(['kube-apiserver:10.0.1.1', 'kube-apiserver:10.0.1.2']));
    // An empty list gives no address: the rule is left out with the fix, as without one.
    const none = Reachability.fromManifests([toApi, ...NODES, ...PODS], { apiServerIps: [] });
    expect(none.skipped.map((s) => s.reason)).toEqual([expect.stringMatching(/kube-apiserver is the Kubernetes API server, whose address the model was not given/)]);
    expect(none.allows('shop/web', 'node:cp1', API)).toBe(false);
  });

  test('an unplaced API server is refused as one alone is: no Nodes, not said to be outside, Cilium policies', () => {
    expect(() => Reachability.fromManifests([toApi, ...PODS], { apiServerIps: IPS }))
      .toThrow(/the API server's address 10\.0\.1\.1 is no Node's of the input/);
    const outside = Reachability.fromManifests([cnp('to-cidr', [{ toCIDR: ['10.0.1.0/24'] }]), ...PODS.slice(0, 1)], { apiServerIps: IPS, apiServerOutsideCluster: true });
    expect(outside.allows('shop/web', 'kube-apiserver:10.0.1.1', API)).toBe(true);
    expect(outside.allows('shop/web', 'kube-apiserver:10.0.1.2', API)).toBe(true);
    expect(outside.allows('shop/web', 'kube-apiserver:10.0.1.2', Port.tcp(443))).toBe(true);
    const world = Reachability.fromManifests([cnp('to-web', [{ toEndpoints: [{}] }]), ...PODS.slice(0, 1)], { apiServerIps: IPS, apiServerOutsideCluster: true });
    expect(world.allows('shop/web', 'kube-apiserver:10.0.1.1', API)).toBe(false);
  });

  test('the Endpoints and EndpointSlices of default/kubernetes in the input give the API servers, as --api-server once per address would', () => {
    const endpoints = { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'kubernetes', namespace: 'default' }, subsets: [{ addresses: IPS.map((ip) => ({ ip })), ports: [{ name: 'https', port: 6443 }] }] };
    const slice = {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
      addressType: 'IPv4',
      endpoints: IPS.map((ip) => ({ addresses: [ip] })),
    };
    const r = Reachability.fromManifests([toApi, endpoints, slice, ...NODES, ...PODS]);
    // Read, so not counted as ignored, and nothing is left out.
    expect(r.ignored).toEqual([]);
    expect(r.skipped).toEqual([]);
    expect(r.endpoints.filter((e) => e.startsWith('kube-apiserver'))).toEqual(IPS.map((ip) => `kube-apiserver:${ip}`));
    const given = Reachability.fromManifests([toApi, ...NODES, ...PODS], { apiServerIps: IPS });
    for (const to of [...IPS.map((ip) => `kube-apiserver:${ip}`), 'node:cp1', 'node:cp2', 'node:w1']) {
      expect(`${to} ${r.allows('shop/web', to, API)}`).toBe(`${to} ${given.allows('shop/web', to, API)}`);
    }
    expect(r.allows('shop/web', 'node:cp1', API)).toBe(true);
    expect(r.allows('shop/web', 'node:w1', API)).toBe(false);
  });

  test('the CLI: --api-server twice gives two API servers', () => {
    const dir = tempDir({ 'in.yaml': [toApi, ...NODES, ...PODS].map((o) => JSON.stringify(o)).join('\n---\n') });
    const both = netpol(['explain', dir, '--from', 'shop/web', '--to', 'kube-apiserver:10.0.1.2', '--port', '6443', '--api-server', '10.0.1.1', '--api-server', '10.0.1.2']);
    expect(both.stderr).toBe('');
    expect(both.code).toBe(0);
    expect(both.stdout).toContain('ALLOWED');
    expect(both.stdout).toContain('toEntities kube-apiserver');
    const cp2 = netpol(['explain', dir, '--from', 'shop/web', '--to', 'node:cp2', '--port', '6443', '--api-server', '10.0.1.1', '--api-server', '10.0.1.2']);
    expect(cp2.stdout).toContain('ALLOWED');
    const w1 = netpol(['explain', dir, '--from', 'shop/web', '--to', 'node:w1', '--port', '6443', '--api-server', '10.0.1.1', '--api-server', '10.0.1.2']);
    expect(w1.stdout).toContain('DENIED');
    const matrix = netpol(['matrix', dir, '--port', '6443', '--api-server', '10.0.1.1', '--api-server', '10.0.1.2', '--format', 'json']);
    expect(matrix.code).toBe(0);
    expect(matrix.stdout).toContain('kube-apiserver:10.0.1.1');
    expect(matrix.stdout).toContain('kube-apiserver:10.0.1.2');
    // Asked for kube-apiserver with several: the ids of both are listed, and how they are named.
    const plain = netpol(['explain', dir, '--from', 'shop/web', '--to', 'kube-apiserver', '--port', '6443', '--api-server', '10.0.1.1', '--api-server', '10.0.1.2']);
    expect(plain.code).toBe(2);
    expect(plain.stderr).toMatch(/unknown endpoint "kube-apiserver"\. Known endpoints: .*kube-apiserver:10\.0\.1\.1, kube-apiserver:10\.0\.1\.2.*once per API server \(several are kube-apiserver:<ip>\)/);
    // diff takes them too: without the policy, both API servers' nodes are opened.
    const before = tempDir({ 'in.yaml': [toApi, ...NODES, ...PODS].map((o) => JSON.stringify(o)).join('\n---\n') });
    const after = tempDir({
      'in.yaml': [cnp('to-api', [{ toEntities: ['kube-apiserver'], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }]), ...NODES, ...PODS]
        .map((o) => JSON.stringify(o)).join('\n---\n'),
    });
    const diff = netpol(['diff', before, '--against', after, '--api-server', '10.0.1.1', '--api-server', '10.0.1.2', '--format', 'json']);
    expect(diff.stderr).toBe('');
    expect(diff.stdout).toContain('kube-apiserver:10.0.1.1');
    expect(diff.stdout).toContain('kube-apiserver:10.0.1.2');
    const twice = netpol(['explain', dir, '--from', 'shop/web', '--to', 'node:cp1', '--port', '6443', '--api-server', '10.0.1.1', '--api-server', '10.0.1.1']);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain('the API server\'s address 10.0.1.1 was given twice: give each API server\'s address once (ReachabilityOptions.apiServerIps, --api-server <ip> once per API server).');
    const bad = netpol(['explain', dir, '--from', 'shop/web', '--to', 'node:cp1', '--port', '6443', '--api-server', '10.0.1.1', '--api-server', 'cp2']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--api-server "cp2": not an IP address');
  });
});
