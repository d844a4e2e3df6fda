import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { netpol } from './cli-harness';

/**
 * Nodes given in `--surroundings` (`kubectl get nodes -o yaml`, which the entity placement's own
 * messages ask for) are added to the model: node ends, nodes' addresses for `--api-server`, and
 * host/remote-node. Yet readSurroundings warns "no Pod, Namespace, ... found, so nothing was added",
 * and the help says surroundings hold only Pods, workloads and Namespaces. The verdict that follows
 * is about a Node that was "not added". A second wrong word: the note on the ipBlock that matched
 * the Node's address calls it "a pod IP".
 */
const nodes = { apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, status: { addresses: [{ type: 'InternalIP', address: '10.0.1.1' }] } }] };
const input = {
  apiVersion: 'v1',
  kind: 'List',
  items: [
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' } }, spec: { nodeName: 'n1', containers: [{ name: 'c' }] }, status: { podIP: '10.1.0.5' } },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'web-egress', namespace: 'shop' },
      spec: { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/16' } }] }] },
    },
  ],
};

test('Nodes in --surroundings are used, so the warning must not say nothing was added', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sur-'));
  fs.writeFileSync(path.join(dir, 'in.json'), JSON.stringify(input));
  fs.writeFileSync(path.join(dir, 'nodes.json'), JSON.stringify(nodes));
  const r = netpol(['explain', path.join(dir, 'in.json'), '--surroundings', path.join(dir, 'nodes.json'), '--from', 'shop/web', '--to', 'node:n1', '--port', '443']);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/ALLOWED/); // the Node from the surroundings is analysed
  expect(r.stderr).not.toMatch(/nothing was added/);
  expect(r.stdout).not.toMatch(/matched a pod IP/); // 10.0.1.1 is the Node's address, not a pod's
});
