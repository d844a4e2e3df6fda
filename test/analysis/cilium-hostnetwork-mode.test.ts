import { HostNetworkMode, Port, Reachability } from '../../src';
import { netpol, tempDir } from '../cli/cli-harness';

// Cilium never makes a hostNetwork pod an endpoint: its traffic has the host (or remote-node)
// identity, and only host policies (nodeSelector) police it (docs.cilium.io "Entities based": the
// local host "also includes all containers running in host networking mode"). Analysing hostNetwork
// pods as pods (POD_TRAFFIC) next to Cilium policies proved a CiliumNetworkPolicy isolated one.
const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, status: { addresses: [{ type: 'InternalIP', address: '10.0.1.1' }] } };
const agent = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'agent', namespace: 'shop', labels: { app: 'agent' } },
  spec: { nodeName: 'n1', hostNetwork: true, containers: [{ name: 'c' }] },
  status: { podIP: '10.0.1.1', hostIP: '10.0.1.1' },
};
const cli = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'cli', namespace: 'shop', labels: { app: 'cli' } },
  spec: { nodeName: 'n1', containers: [{ name: 'c' }] },
  status: { podIP: '10.2.0.1' },
};
const lock = (app: string) => ({
  apiVersion: 'cilium.io/v2',
  kind: 'CiliumNetworkPolicy',
  metadata: { name: `lock-${app}`, namespace: 'shop' },
  spec: { endpointSelector: { matchLabels: { app } }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'nobody' } }] }] },
});

describe('hostNetwork pods next to Cilium policies', () => {
  test('analysed as pods: refused with the reason and the fix', () => {
    expect(() => Reachability.fromManifests([node, agent, cli, lock('agent')], { hostNetwork: HostNetworkMode.POD_TRAFFIC }))
      .toThrow(/hostNetwork pods analysed as pods .* next to Cilium policies \(CiliumNetworkPolicy shop\/lock-agent\): Cilium treats a hostNetwork pod as traffic of its node.*NODE_TRAFFIC/);
    const dir = tempDir({ 'in.yaml': [node, agent, cli, lock('agent')].map((o) => JSON.stringify(o)).join('\n---\n') });
    const r = netpol(['explain', dir, '--from', 'shop/cli', '--to', 'shop/agent', '--port', '80', '--host-network', 'pod']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Cilium treats a hostNetwork pod as traffic of its node');
  });

  test('as node traffic (the default) the Cilium policy does not select it; a pod it selects is still isolated', () => {
    const web = { ...cli, metadata: { ...cli.metadata, name: 'web', labels: { app: 'web' } }, status: { podIP: '10.2.0.2' } };
    const r = Reachability.fromManifests([node, agent, cli, web, lock('agent'), lock('cli')]);
    expect(r.allows('shop/cli', 'shop/agent', Port.tcp(80))).toBe(true);
    expect(r.allows('shop/web', 'shop/cli', Port.tcp(80))).toBe(false);
  });

  test('as pods without Cilium policies, or without hostNetwork pods: accepted as before', () => {
    const np = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny', namespace: 'shop' }, spec: { podSelector: { matchLabels: { app: 'agent' } }, policyTypes: ['Ingress'] } };
    expect(Reachability.fromManifests([node, agent, cli, np], { hostNetwork: HostNetworkMode.POD_TRAFFIC }).allows('shop/cli', 'shop/agent', Port.tcp(80))).toBe(false);
    expect(Reachability.fromManifests([node, cli, lock('cli')], { hostNetwork: HostNetworkMode.POD_TRAFFIC }).skipped).toEqual([]);
  });
});
