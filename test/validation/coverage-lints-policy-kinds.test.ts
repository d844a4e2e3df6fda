import { Testing } from 'cdk8s';
import { CiliumEgress } from '../../examples/cilium-egress';
import { validateManifests } from '../../src/validation/validate-manifests';
import { BASELINE_DEFAULT_DENY_CNP } from '../fixtures/cluster-policies';

// NP017 and NP018 count every kind of policy that selects pods: NetworkPolicies, Cilium policies
// (cilium.io/v2) and the cluster-wide tiers (policy.networking.k8s.io).

const pod = (name: string, labels: Record<string, string>, namespace = 'shop') => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels }, spec: { containers: [{ name, image: name }] },
});
const cnp = (name: string, spec: any, namespace = 'shop') => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name, namespace }, spec });
const ccnp = (name: string, spec: any) => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name }, spec });
/** The sig-network policy API's documented default deny (user story 5, v1alpha1): a Baseline Deny from every namespace. */
const BANP_DEFAULT_DENY = {
  apiVersion: 'policy.networking.k8s.io/v1alpha1',
  kind: 'BaselineAdminNetworkPolicy',
  metadata: { name: 'default' },
  spec: { subject: { namespaces: {} }, ingress: [{ name: 'default-deny', action: 'Deny', from: [{ namespaces: {} }] }] },
};
const anp = (name: string, subject: any, ingress: any[]) => ({
  apiVersion: 'policy.networking.k8s.io/v1alpha1', kind: 'AdminNetworkPolicy', metadata: { name }, spec: { priority: 10, subject, ingress },
});

const run = (objects: unknown[]) => validateManifests(objects.map((object) => ({ object, file: 'in.yaml' })), { coverage: true });
const codes = (report: ReturnType<typeof run>, ...only: string[]) => report.findings.filter((f) => only.includes(f.code)).map((f) => `${f.code} ${f.object}: ${f.message}`);

describe('NP017 counts Cilium policies', () => {
  test('the Cilium example: its policies isolate payments, a NetworkPolicy selects checkout; a pod selected by nothing still warns', () => {
    const objects = [...Testing.synth(new CiliumEgress(Testing.app(), 'cilium')),
      pod('payments', { app: 'payments' }), pod('checkout', { app: 'checkout' }), pod('debug', { app: 'debug' })];
    expect(codes(run(objects), 'NP017')).toEqual([
      'NP017 shop/debug: no NetworkPolicy, Cilium policy or cluster-wide policy selects the Pod shop/debug in either direction, '
        + 'so anyone may reach it and it may reach anyone, on every port',
    ]);
  });

  test('a Cilium policy with default deny covers its subject; one with enableDefaultDeny false does not, and the warning names it', () => {
    const isolating = cnp('web-ingress', { endpointSelector: { matchLabels: { app: 'web' } }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'api' } }] }] });
    const open = cnp('web-deny-metadata', {
      endpointSelector: { matchLabels: { app: 'web' } },
      enableDefaultDeny: { ingress: false, egress: false },
      egressDeny: [{ toCIDR: ['169.254.169.254/32'] }],
    });
    expect(codes(run([pod('web', { app: 'web' }), isolating, open]), 'NP017')).toEqual([]);
    expect(codes(run([pod('web', { app: 'web' }), open]), 'NP017')).toEqual([
      'NP017 shop/web: no NetworkPolicy selects the Pod shop/web, and no policy isolates it in either direction: CiliumNetworkPolicy shop/web-deny-metadata selects it '
        + 'without a default deny or a deny of every pod, so what their rules do not match, anyone may send it and it may send anyone, on every port',
    ]);
  });

  test('a CiliumNetworkPolicy selects in its own namespace only; a CiliumClusterwideNetworkPolicy in every namespace', () => {
    const other = cnp('web-ingress', { endpointSelector: { matchLabels: { app: 'web' } }, ingress: [{ fromEndpoints: [{}] }] }, 'other');
    expect(codes(run([pod('web', { app: 'web' }), other]), 'NP017').map((f) => f.split(':')[0])).toEqual(['NP017 shop/web']);
    const clusterwide = ccnp('web-ingress', { endpointSelector: { matchLabels: { app: 'web' } }, ingress: [{ fromEndpoints: [{}] }] });
    expect(codes(run([pod('web', { app: 'web' }), clusterwide]), 'NP017')).toEqual([]);
  });
});

describe('next to Cilium policies the cluster-wide tiers cover nothing, as in the analyser', () => {
  test('a Baseline deny of every namespace covers a pod alone, but not next to a Cilium policy (Cilium ignores it)', () => {
    const other = cnp('api-ingress', { endpointSelector: { matchLabels: { app: 'api' } }, ingress: [{ fromEndpoints: [{}] }] });
    expect(codes(run([pod('web', { app: 'web' }), BANP_DEFAULT_DENY]), 'NP017', 'NP018').filter((f) => f.startsWith('NP017'))).toEqual([]);
    expect(codes(run([pod('web', { app: 'web' }), pod('api', { app: 'api' }), other, BANP_DEFAULT_DENY]), 'NP017').map((f) => f.split(':')[0]))
      .toEqual(['NP017 shop/web']);
  });
});

describe('NP018 counts Cilium default denies', () => {
  test('a CiliumNetworkPolicy with endpointSelector: {} and both defaults deny satisfies it; one for a few pods does not', () => {
    const deny = cnp('default-deny', { endpointSelector: {}, enableDefaultDeny: { ingress: true, egress: true }, ingress: [{}], egress: [{}] });
    expect(codes(run([pod('web', { app: 'web' }), deny]), 'NP018')).toEqual([]);
    const narrow = cnp('web', { endpointSelector: { matchLabels: { app: 'web' } }, ingress: [{ fromEndpoints: [{}] }], egress: [{ toEndpoints: [{}] }] });
    expect(codes(run([pod('web', { app: 'web' }), narrow]), 'NP018').map((f) => f.split(' (')[0])).toEqual([
      'NP018 shop/web: namespace shop has workloads but no default deny for ingress and egress',
    ]);
  });

  test('a CiliumClusterwideNetworkPolicy for every pod covers every namespace; one written for one namespace covers no other', () => {
    const all = ccnp('default-deny', { endpointSelector: {}, ingress: [{ fromEntities: ['cluster'] }], egress: [{ toEntities: ['cluster'] }] });
    expect(codes(run([pod('web', { app: 'web' }), pod('job', { app: 'job' }, 'batch'), all]), 'NP018')).toEqual([]);
    const one = ccnp('batch-deny', {
      endpointSelector: { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'batch' } }, ingress: [{ fromEntities: ['cluster'] }], egress: [{ toEntities: ['cluster'] }],
    });
    expect(codes(run([pod('web', { app: 'web' }), one]), 'NP018').map((f) => f.split(' (')[0])).toEqual([
      'NP018 shop/web: namespace shop has workloads but no default deny for ingress and egress',
    ]);
  });
});

describe('NP017 and NP018 count the cluster-wide tiers', () => {
  test('the documented Baseline default deny (Deny from namespaces: {}) is the ingress default deny of every namespace; egress still warns', () => {
    const report = run([pod('web', { app: 'web' }), BANP_DEFAULT_DENY]);
    expect(codes(report, 'NP017')).toEqual([]);
    expect(codes(report, 'NP018').map((f) => f.split(' (')[0])).toEqual(['NP018 shop/web: namespace shop has workloads but no default deny for egress']);
    // v1alpha2: the Baseline tier's deny of every address covers egress, so with both there is no NP018.
    expect(codes(run([pod('web', { app: 'web' }), BANP_DEFAULT_DENY, BASELINE_DEFAULT_DENY_CNP]), 'NP017', 'NP018')).toEqual([]);
  });

  test('a Baseline deny of some peers only, or a deny of every pod on one port, is no default deny', () => {
    const partial = { ...BANP_DEFAULT_DENY, spec: { subject: { namespaces: {} }, ingress: [{ action: 'Deny', from: [{ namespaces: { matchLabels: { tenant: 'a' } } }] }] } };
    const onePort = { ...BANP_DEFAULT_DENY, spec: { subject: { namespaces: {} }, ingress: [{ action: 'Deny', from: [{ namespaces: {} }], ports: [{ portNumber: { protocol: 'TCP', port: 22 } }] }] } };
    for (const banp of [partial, onePort]) {
      const report = run([pod('web', { app: 'web' }), banp]);
      expect(codes(report, 'NP018').map((f) => f.split(' (')[0])).toEqual(['NP018 shop/web: namespace shop has workloads but no default deny for ingress and egress']);
      expect(codes(report, 'NP017')).toEqual([
        'NP017 shop/web: no NetworkPolicy selects the Pod shop/web, and no policy isolates it in either direction: BaselineAdminNetworkPolicy default selects it '
          + 'without a default deny or a deny of every pod, so what their rules do not match, anyone may send it and it may send anyone, on every port',
      ]);
    }
  });

  test('an Admin deny-all covers only its subjects: the pod of another namespace still warns', () => {
    const sensitive = anp('sensitive-deny', { namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'vault' } } }, [{ name: 'deny-all', action: 'Deny', from: [{ namespaces: {} }] }]);
    const report = run([pod('web', { app: 'web' }), pod('vault', { app: 'vault' }, 'vault'), sensitive]);
    expect(codes(report, 'NP017')).toEqual([
      'NP017 shop/web: no NetworkPolicy, Cilium policy or cluster-wide policy selects the Pod shop/web in either direction, so anyone may reach it and it may reach anyone, on every port',
    ]);
    expect(codes(report, 'NP018').map((f) => f.split(' (')[0])).toEqual([
      'NP018 shop/web: namespace shop has workloads but no default deny for ingress and egress',
      'NP018 vault/vault: namespace vault has workloads but no default deny for egress',
    ]);
  });
});
