import { Port, Reachability } from '../../src';

/**
 * An external end (`--external name=ip`, ReachabilityOptions.externals) whose address is a Node's
 * (or a pod's) of the input is taken as outside the cluster: Cilium CIDR rules then match it. On
 * Cilium that address has the node's identity (remote-node / host), and CIDR rules never match nodes
 * or pods (docs.cilium.io "Selecting nodes with CIDR / ipBlock"; Layer 3 Policies, IP/CIDR based:
 * "CIDR rules do not apply to traffic where both sides of the connection are either managed by
 * Cilium or use an IP belonging to a node in the cluster"). The same address gets two contradicting
 * verdicts, silently. Fail closed: refuse the external, or warn and decide it as the node.
 */
const cnp = { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'x', namespace: 'default' }, spec: { endpointSelector: { matchLabels: { app: 'a' } }, egress: [{ toCIDR: ['10.0.0.0/8'] }] } };
const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, status: { addresses: [{ type: 'InternalIP', address: '10.0.0.11' }] } };
const pod = (name: string, ip: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels: { app: name } }, spec: { nodeName: 'n1', containers: [{ name: 'c' }] }, status: { podIP: ip } });
const HTTPS = Port.tcp(443);

test.each([['a Node\'s address', '10.0.0.11', 'node:n1'], ['a pod\'s address', '10.1.0.6', 'default/b']])('an external end at %s is not proven reachable by a CIDR rule', (_what, ip, inside) => {
  let verdict: boolean | 'refused';
  let warned = false;
  try {
    const r = Reachability.fromManifests([cnp, node, pod('a', '10.1.0.5'), pod('b', '10.1.0.6')], { externals: [{ name: 'ext', ip }] });
    expect(r.allows('default/a', inside, HTTPS)).toBe(false);
    verdict = r.allows('default/a', 'ext', HTTPS);
    warned = r.skipped.length > 0 || r.explain('default/a', 'ext', HTTPS).notes.length > 0;
  } catch {
    verdict = 'refused';
  }
  // On main: ALLOWED, no warning, while the same address as the node/pod is DENIED.
  expect({ verdict, warned }).not.toEqual({ verdict: true, warned: false });
});

test('the refusal names the external end and the in-cluster end it collides with', () => {
  const build = (ip: string) => () => Reachability.fromManifests([cnp, node, pod('a', '10.1.0.5'), pod('b', '10.1.0.6')], { externals: [{ name: 'ext', ip }] });
  expect(build('10.0.0.11')).toThrow(/external endpoint ext \(10\.0\.0\.11\).*Node n1/);
  expect(build('10.1.0.6')).toThrow(/external endpoint ext \(10\.1\.0\.6\).*default\/b/);
  // An address outside the cluster is still an external end the CIDR rule matches.
  expect(build('10.9.9.9')().allows('default/a', 'ext', HTTPS)).toBe(true);
});
