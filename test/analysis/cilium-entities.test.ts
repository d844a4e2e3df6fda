import { expectMatrixAgrees } from './matrix-agrees';
import { Port, Reachability, SkipCategory, TextFormat } from '../../src';
import { netpol, tempDir } from '../cli/cli-harness';
import { cnp } from '../fixtures/cilium-objects';

/**
 * Cilium's entities for nodes and the API server (docs.cilium.io "Layer 3 Policies", Entities
 * based: "host ... the local host ... also ... all containers running in host networking mode on the
 * local host"; "remote-node: any node ... other than the local host"; "kube-apiserver ... both
 * deployments of the kube-apiserver: within the cluster and outside of the cluster"; "Selecting
 * nodes with CIDR / ipBlock": CIDR selectors do not match nodes unless policy-cidr-match-mode is
 * nodes, which is not the default), from the documentation's examples written here as YAML.
 * Each: what it allows AND what it denies, and the matrix agrees with the pair verdict.
 */

const np = (name: string, spec: Record<string, unknown>, namespace = 'default') => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec });
const node = (name: string, ip: string) => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, labels: { 'kubernetes.io/hostname': name } },
  status: { addresses: [{ type: 'InternalIP', address: ip }, { type: 'Hostname', address: name }] },
});
const pod = (namespace: string, name: string, labels: Record<string, string>, nodeName: string | undefined, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace, labels },
  spec: { ...(nodeName !== undefined ? { nodeName } : {}), containers: [{ name: 'c', ports: [{ containerPort: 443 }] }], ...extra },
});
const HTTPS = Port.tcp(443);

const NODES = [node('cp', '10.0.0.10'), node('n1', '10.0.0.11'), node('n2', '10.0.0.12')];
const PODS = [
  pod('default', 'dev-a', { env: 'dev' }, 'n1'),
  pod('default', 'dev-b', { env: 'dev' }, 'n2'),
  pod('default', 'other', { env: 'prod' }, 'n1'),
  { ...pod('kube-system', 'agent', { app: 'agent' }, 'n1', { hostNetwork: true }), status: { hostIP: '10.0.0.11', podIP: '10.0.0.11' } },
];
const EXTERNALS = [{ name: 'internet', ip: '198.51.100.7' }];

const yaml = (objects: unknown[]) => tempDir({ 'p.yaml': objects.map((o) => JSON.stringify(o)).join('\n---\n') });

describe('kube-apiserver', () => {
  // "Access to/from kube-apiserver": endpoints with env=dev may reach the kube-apiserver.
  const apiserver = cnp('allow-to-apiserver', { endpointSelector: { matchLabels: { env: 'dev' } }, egress: [{ toEntities: ['kube-apiserver'] }] });

  test('on a node of the cluster: the API server and its node are reached; other nodes, pods and the world are not', () => {
    const r = Reachability.fromManifests([apiserver, ...NODES, ...PODS], { externals: EXTERNALS, apiServerIp: '10.0.0.10' });
    expect(r.skipped).toEqual([]);
    expect(r.endpoints).toEqual(expect.arrayContaining(['kube-apiserver', 'node:cp', 'node:n1', 'node:n2']));
    const e = r.explain('default/dev-a', 'kube-apiserver', HTTPS);
    expect(e.allowed).toBe(true);
    expect(e.egress.allowedBy).toEqual([{ policy: 'default/allow-to-apiserver', direction: 'egress', rule: 0, byIpBlock: false, kind: 'CiliumNetworkPolicy', entities: ['kube-apiserver'] }]);
    expect(TextFormat.explanation(e)).toContain('CiliumNetworkPolicy default/allow-to-apiserver egress[0] toEntities kube-apiserver');
    // Cilium labels the node's IPs kube-apiserver: the node is the API server's identity.
    expect(r.allows('default/dev-a', 'node:cp', HTTPS)).toBe(true);
    expect(r.allows('default/dev-a', 'node:n1', HTTPS)).toBe(false);
    expect(r.allows('default/dev-a', 'kube-system/agent', HTTPS)).toBe(false);
    expect(r.allows('default/dev-a', 'default/other', HTTPS)).toBe(false);
    expect(r.allows('default/dev-a', 'internet', HTTPS)).toBe(false);
    // Pods the policy does not select are not isolated.
    expect(r.allows('default/other', 'internet', HTTPS)).toBe(true);
    expectMatrixAgrees(r, HTTPS);
  });

  test('on a node, a Cilium CIDR rule never reaches it (nodes are not CIDR identities); a NetworkPolicy ipBlock does, as on plain Kubernetes', () => {
    const cidr = cnp('to-apiserver-cidr', { endpointSelector: { matchLabels: { env: 'dev' } }, egress: [{ toCIDR: ['10.0.0.10/32'] }] });
    const r = Reachability.fromManifests([cidr, ...NODES, ...PODS], { apiServerIp: '10.0.0.10' });
    expect(r.skipped).toEqual([]);
    expect(r.allows('default/dev-a', 'kube-apiserver', HTTPS)).toBe(false);
    expect(r.allows('default/dev-a', 'node:cp', HTTPS)).toBe(false);
    expectMatrixAgrees(r, HTTPS);
    const ipBlock = np('to-apiserver', { podSelector: { matchLabels: { env: 'dev' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.10/32' } }] }] });
    const plain = Reachability.fromManifests([ipBlock, ...NODES, ...PODS], { apiServerIp: '10.0.0.10' });
    expect(plain.allows('default/dev-a', 'kube-apiserver', HTTPS)).toBe(true);
    expect(plain.allows('default/dev-a', 'node:n1', HTTPS)).toBe(false);
  });

  test('outside the cluster (a managed control plane): kube-apiserver, world, cluster and CIDR rules reach it; remote-node does not', () => {
    const r = Reachability.fromManifests([apiserver, ...NODES, ...PODS], { externals: EXTERNALS, apiServerIp: '203.0.113.1' });
    expect(r.skipped).toEqual([]);
    expect(r.allows('default/dev-a', 'kube-apiserver', HTTPS)).toBe(true);
    expect(r.allows('default/dev-a', 'internet', HTTPS)).toBe(false);
    expect(r.allows('default/dev-a', 'node:cp', HTTPS)).toBe(false);
    expectMatrixAgrees(r, HTTPS);
    const by = (name: string, peer: Record<string, unknown>) => Reachability.fromManifests(
      [cnp(name, { endpointSelector: { matchLabels: { env: 'dev' } }, egress: [peer] }), ...NODES, ...PODS], { externals: EXTERNALS, apiServerIp: '203.0.113.1' });
    expect(by('world', { toEntities: ['world'] }).allows('default/dev-a', 'kube-apiserver', HTTPS)).toBe(true);
    expect(by('cluster', { toEntities: ['cluster'] }).allows('default/dev-a', 'kube-apiserver', HTTPS)).toBe(true);
    expect(by('cluster', { toEntities: ['cluster'] }).allows('default/dev-a', 'internet', HTTPS)).toBe(false);
    expect(by('cidr', { toCIDR: ['203.0.113.0/24'] }).allows('default/dev-a', 'kube-apiserver', HTTPS)).toBe(true);
    const remote = by('remote', { toEntities: ['remote-node'] });
    expect(remote.allows('default/dev-a', 'kube-apiserver', HTTPS)).toBe(false);
    expect(remote.allows('default/dev-a', 'node:cp', HTTPS)).toBe(true);
    expectMatrixAgrees(remote, HTTPS);
  });

  test('on a node, a node end whose node is not known leaves the rule out: it may be the API server\'s node', () => {
    const unplaced = pod('kube-system', 'exporter', { app: 'exporter' }, undefined, { hostNetwork: true });
    const r = Reachability.fromManifests([apiserver, ...NODES, ...PODS, unplaced], { apiServerIp: '10.0.0.10' });
    expect(r.skipped).toMatchObject([{ object: 'default/allow-to-apiserver', category: SkipCategory.NOT_MODELLED }]);
    expect(r.skipped[0].reason).toMatch(/the entity kube-apiserver takes in every end of the API server's node, and whether the Pod kube-system\/exporter runs on it is not known/);
    // Outside the cluster, no node end can be the API server: decided.
    expect(Reachability.fromManifests([apiserver, ...NODES, ...PODS, unplaced], { apiServerIp: '203.0.113.1' }).skipped).toEqual([]);
  });

  test('without the API server\'s address the rule is left out, with the fix; with --api-server explain decides it and exits 0', () => {
    const r = Reachability.fromManifests([apiserver, ...NODES, ...PODS]);
    expect(r.skipped).toMatchObject([{ object: 'default/allow-to-apiserver', category: SkipCategory.NOT_MODELLED }]);
    expect(r.skipped[0].reason).toMatch(/--api-server <ip>/);
    const dir = yaml([apiserver, ...NODES, ...PODS]);
    const without = netpol(['explain', dir, '--from', 'default/dev-a', '--to', 'node:cp', '--port', '443']);
    expect(without.code).toBe(1);
    const given = netpol(['explain', dir, '--from', 'default/dev-a', '--to', 'kube-apiserver', '--port', '443', '--api-server', '10.0.0.10']);
    expect(given.stderr).toBe('');
    expect(given.stdout).toContain('toEntities kube-apiserver');
    expect(given.code).toBe(0);
    const denied = netpol(['explain', dir, '--from', 'default/dev-a', '--to', 'node:n1', '--port', '443', '--api-server', '10.0.0.10']);
    expect(denied.stdout).toMatch(/DENIED/);
    expect(denied.code).toBe(0);
    const bad = netpol(['explain', dir, '--from', 'default/dev-a', '--to', 'kube-apiserver', '--port', '443', '--api-server', 'api.example.com']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--api-server "api\.example\.com": not an IP address/);
  });
});

describe('host and remote-node', () => {
  // "Access to/from local host": endpoints with env=dev may reach the host serving them.
  const host = cnp('to-host', { endpointSelector: { matchLabels: { env: 'dev' } }, egress: [{ toEntities: ['host'] }] });
  // "Access to/from all nodes in the cluster": endpoints with env=dev receive traffic from the other nodes.
  const remote = cnp('from-nodes', { endpointSelector: { matchLabels: { env: 'dev' } }, ingress: [{ fromEntities: ['remote-node'] }] });

  test('host is each pod\'s own node and its hostNetwork pods; never another node', () => {
    const r = Reachability.fromManifests([host, ...NODES, ...PODS], { externals: EXTERNALS });
    expect(r.skipped).toEqual([]);
    expect(r.allows('default/dev-a', 'node:n1', HTTPS)).toBe(true);
    expect(r.allows('default/dev-a', 'kube-system/agent', HTTPS)).toBe(true);
    expect(r.allows('default/dev-a', 'node:n2', HTTPS)).toBe(false);
    expect(r.allows('default/dev-a', 'node:cp', HTTPS)).toBe(false);
    expect(r.allows('default/dev-b', 'node:n2', HTTPS)).toBe(true);
    expect(r.allows('default/dev-b', 'node:n1', HTTPS)).toBe(false);
    expect(r.allows('default/dev-b', 'kube-system/agent', HTTPS)).toBe(false);
    expect(r.allows('default/dev-a', 'default/dev-b', HTTPS)).toBe(false);
    expect(r.allows('default/dev-a', 'internet', HTTPS)).toBe(false);
    const e = r.explain('default/dev-a', 'node:n1', HTTPS);
    expect(TextFormat.verdict(e.egress)).toContain('egress[0] toEntities host');
    expect(e.notes).toEqual([expect.stringMatching(/^node:n1 is the Node n1, analysed as traffic of that node: .*ipBlocks match its addresses \(10\.0\.0\.11\)/)]);
    expectMatrixAgrees(r, HTTPS);
  });

  test('a pod\'s node from status.hostIP when spec.nodeName is missing', () => {
    const placed = { ...pod('default', 'dev-c', { env: 'dev' }, undefined), status: { hostIP: '10.0.0.12', podIP: '10.1.2.3' } };
    const r = Reachability.fromManifests([host, ...NODES, placed]);
    expect(r.skipped).toEqual([]);
    expect(r.allows('default/dev-c', 'node:n2', HTTPS)).toBe(true);
    expect(r.allows('default/dev-c', 'node:n1', HTTPS)).toBe(false);
  });

  test('remote-node admits the other nodes (and their hostNetwork pods), not pods nor the world', () => {
    const r = Reachability.fromManifests([remote, ...NODES, ...PODS], { externals: EXTERNALS });
    expect(r.skipped).toEqual([]);
    expect(r.allows('node:n2', 'default/dev-a', HTTPS)).toBe(true);
    expect(r.allows('node:cp', 'default/dev-a', HTTPS)).toBe(true);
    expect(r.allows('kube-system/agent', 'default/dev-b', HTTPS)).toBe(true);
    expect(r.allows('default/other', 'default/dev-a', HTTPS)).toBe(false);
    expect(r.allows('internet', 'default/dev-a', HTTPS)).toBe(false);
    expectMatrixAgrees(r, HTTPS);
  });

  test('where a node is not known (a workload\'s replicas) the rule is decided only where nodes are known, with why; naming both host and remote-node needs no placement', () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'dev-web', namespace: 'default' },
      spec: { selector: { matchLabels: { env: 'dev' } }, template: { metadata: { labels: { env: 'dev' } }, spec: { containers: [{ name: 'c' }] } } },
    };
    const r = Reachability.fromManifests([host, ...NODES, ...PODS, deployment]);
    expect(r.skipped).toMatchObject([{ object: 'default/to-host', kind: 'CiliumNetworkPolicy', category: SkipCategory.NOT_MODELLED }]);
    expect(r.skipped[0].reason).toMatch(/^spec\.egress\[0\] is decided only where the nodes are known: the entity host \(toEntities\) tells the subject's own node from the others, and the node of the Deployment default\/dev-web.* is not known/);
    // The undecidable pair is not proven allowed (the allow is taken not to apply).
    expect(r.allows('default/dev-web', 'node:n1', HTTPS)).toBe(false);
    const both = cnp('to-nodes', { endpointSelector: { matchLabels: { env: 'dev' } }, egress: [{ toEntities: ['host', 'remote-node'] }] });
    const b = Reachability.fromManifests([both, ...NODES, ...PODS, deployment]);
    expect(b.skipped).toEqual([]);
    expect(b.allows('default/dev-web', 'node:n1', HTTPS)).toBe(true);
    expect(b.allows('default/dev-web', 'default/other', HTTPS)).toBe(false);
    expectMatrixAgrees(b, HTTPS);
    // No node ends at all: host matches nothing the model has, exactly.
    const none = Reachability.fromManifests([host, deployment, pod('default', 'x', { app: 'x' }, undefined)]);
    expect(none.skipped).toEqual([]);
    expect(none.allows('default/dev-web', 'default/x', HTTPS)).toBe(false);
  });
});

describe('netpol diff --api-server', () => {
  test('a kube-apiserver rule added to a policy opens the connection to the API server, on both sides the same endpoint', () => {
    const before = cnp('dev', { endpointSelector: { matchLabels: { env: 'dev' } }, egress: [{ toEntities: ['host'] }] });
    const after = cnp('dev', { endpointSelector: { matchLabels: { env: 'dev' } }, egress: [{ toEntities: ['host'] }, { toEntities: ['kube-apiserver'], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }] });
    const b = yaml([before, ...NODES, ...PODS]);
    const a = yaml([after, ...NODES, ...PODS]);
    const r = netpol(['diff', b, '--against', a, '--api-server', '10.0.0.10', '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const opened = JSON.parse(r.stdout).opened.map((c: any) => `${c.from} -> ${c.to}`);
    expect(opened).toEqual(expect.arrayContaining(['default/dev-a -> kube-apiserver', 'default/dev-a -> node:cp', 'default/dev-b -> kube-apiserver']));
    expect(opened).not.toContain('default/dev-a -> node:n2');
    // Without the address, the after side leaves the rule out: exit 1, with the fix.
    const without = netpol(['diff', b, '--against', a]);
    expect(without.code).toBe(1);
    expect(without.stderr).toMatch(/--api-server <ip>/);
  });
});
