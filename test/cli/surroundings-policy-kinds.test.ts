import * as path from 'path';
import { netpol, tempDir } from './cli-harness';

/**
 * `--surroundings` describe the pods and namespaces around the policies, not policies: a policy of
 * any kind the analyser reads (NetworkPolicy, StagedKubernetesNetworkPolicy, CiliumNetworkPolicy,
 * CiliumClusterwideNetworkPolicy, AdminNetworkPolicy, BaselineAdminNetworkPolicy,
 * ClusterNetworkPolicy) there is refused with exit 2, naming file:line, kind and name, since it would
 * otherwise be silently added to the analysis (and never validated). Pods and namespaces are added.
 */
const APP = `apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec: {containers: [{name: c, ports: [{containerPort: 8080}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: shop, labels: {app: api}}
spec: {containers: [{name: c, ports: [{containerPort: 8080}]}]}
`;
const NS = `apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
`;
const POLICIES: Array<[string, string, string]> = [
  ['CiliumNetworkPolicy', 'shop/lock', `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: lock, namespace: shop}
spec: {endpointSelector: {}, ingress: [{fromEntities: [world]}]}
`],
  ['CiliumClusterwideNetworkPolicy', 'lock', `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: lock}
spec: {endpointSelector: {}, ingress: [{fromEntities: [world]}]}
`],
  ['AdminNetworkPolicy', 'lock', `apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: lock}
spec: {priority: 1, subject: {namespaces: {}}, ingress: [{name: deny, action: Deny, from: [{namespaces: {}}]}]}
`],
  ['BaselineAdminNetworkPolicy', 'default', `apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata: {name: default}
spec: {subject: {namespaces: {}}, ingress: [{name: deny, action: Deny, from: [{namespaces: {}}]}]}
`],
  ['ClusterNetworkPolicy', 'lock', `apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: lock}
spec: {tier: Admin, priority: 1, subject: {namespaces: {}}, ingress: [{name: deny, action: Deny, from: [{namespaces: {}}]}]}
`],
];
const explain = (dir: string) => netpol(['explain', path.join(dir, 'app.yaml'), '--from', 'shop/web', '--to', 'shop/api', '--port', '8080', '--format', 'json',
  '--surroundings', path.join(dir, 'cluster.yaml')]);

describe.each(POLICIES)('a %s in --surroundings', (kind, name, yaml) => {
  test('is refused with exit 2, naming file:line, kind and name, and the fix', () => {
    const dir = tempDir({ 'app.yaml': APP, 'cluster.yaml': `${NS}${yaml}` });
    const r = explain(dir);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`--surroundings ${path.join(dir, 'cluster.yaml')}:5: ${kind} ${name}: surroundings describe the pods and namespaces around the policies, not policies`);
    expect(r.stderr).toContain('Give the file as an input to analyse its policies');
  });
});

test('pods and namespaces alone are added, without a warning; web -> api stays allowed', () => {
  const dir = tempDir({
    'app.yaml': APP, 'cluster.yaml': `${NS}apiVersion: v1
kind: Pod
metadata: {name: prom, namespace: monitoring, labels: {app: prom}}
spec: {containers: [{name: c}]}
`,
  });
  const r = explain(dir);
  expect(r).toMatchObject({ code: 0, stderr: '' });
  expect(JSON.parse(r.stdout)).toMatchObject({ allowed: true });
});

test('surroundings of other kinds only: the warning says nothing was added', () => {
  const dir = tempDir({ 'app.yaml': APP, 'cluster.yaml': 'apiVersion: v1\nkind: Service\nmetadata: {name: api, namespace: shop}\nspec: {ports: [{port: 80}]}\n' });
  const r = explain(dir);
  expect(r.code).toBe(0);
  expect(r.stderr).toMatch(/warning: --surroundings .*: no Pod, Namespace, .* found, so nothing was added/);
});
