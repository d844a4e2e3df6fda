import { Port, Reachability } from '../../src';
import { NODES_GROUP, OUTSIDE_GROUP } from '../../src/analysis/grouped-matrix';

/**
 * `netpol matrix --group-by namespace` and `netpol diff --group-by namespace` put every endpoint
 * without a namespace into the group "(outside the cluster)". This round added endpoints that have
 * no namespace and are inside the cluster: Nodes of the input (`node:<name>`) and the API server on
 * a node (`--api-server` with a Node's address). They are counted as outside the cluster, so a
 * change that closes (or opens) pods' connections to the nodes and the control plane reads as a
 * change to the Internet.
 */
const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, status: { addresses: [{ type: 'InternalIP', address: '10.0.1.1' }] } };
const web = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' } },
  spec: { nodeName: 'n1', containers: [{ name: 'c', ports: [{ containerPort: 80 }] }] },
  status: { podIP: '10.1.0.5' },
};
const egress = (cidr: string) => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'web-egress', namespace: 'shop' },
  spec: { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr } }] }] },
});
const opts = { apiServerIp: '10.0.1.1', externals: [{ name: 'internet', ip: '198.51.100.7' }] };

test('matrix by namespace: Nodes and the API server on a node are not "outside the cluster"', () => {
  const r = Reachability.fromManifests([node, web, egress('10.0.0.0/16')], opts);
  const grouped = r._groupedMatrix(Port.tcp(443), 'namespace');
  const outside = grouped.groups.find((g) => g.name === OUTSIDE_GROUP);
  // Only the external address is outside the cluster; the Node and the API server on it are the nodes.
  expect(outside?.endpoints).toBe(1);
  expect(grouped.groups.find((g) => g.name === NODES_GROUP)?.endpoints).toBe(2);
  const cell = (to: string) => grouped.cellsFrom(grouped.groups.findIndex((g) => g.name === 'shop')).find((c) => c.to === to);
  expect(cell(NODES_GROUP)).toMatchObject({ allowed: 2, pairs: 2 });
  // shop -> outside has no allowed pair, so it is not listed (its one pair is denied).
  expect(cell(OUTSIDE_GROUP)).toBeUndefined();
});

test('diff by namespace: closing web -> node and API server is not a change "to outside the cluster"', () => {
  const before = Reachability.fromManifests([node, web, egress('10.0.0.0/16')], opts);
  const after = Reachability.fromManifests([node, web, egress('10.1.0.0/16')], opts);
  const grouped = Reachability._groupedDiff(before, after, 'namespace');
  const names: string[] = [];
  grouped.groups.forEach((_, g) => {
    for (const c of grouped.cellsFrom(g)) if (c.opened + c.closed > 0) names.push(`${c.from} -> ${c.to}`);
  });
  // The closed pairs are shop/web -> node:n1 and shop/web -> kube-apiserver, both inside the cluster.
  expect(names).not.toContain(`shop -> ${OUTSIDE_GROUP}`);
  expect(names).toContain(`shop -> ${NODES_GROUP}`);
});
