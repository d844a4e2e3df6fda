import { LintCode, validateManifests } from '../../src';

/**
 * Issue 15 (one home for a rule): NP002 reads a pod's DNS by the every-server rule the analysis
 * uses (inventory/dns-servers `everyLookupServer`): its lookups may go to ANY DNS server it may ask
 * (a Service spreads them over its replicas, NodeLocal DNSCache intercepts them), so it resolves
 * names only when every one gets them through, both sides; and the cluster DNS the input does not
 * hold (the inventory's stand-in, `absentClusterDns`) counts where the input polices its ingress.
 * Each case asserts the pod that may not resolve names (NP002) and the one that can (none).
 */
const pod = (namespace: string, name: string, labels: Record<string, string>, ports: unknown[] = []) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels }, spec: { containers: [{ name: 'main', ports }] },
});
const netpol = (namespace: string, name: string, spec: Record<string, unknown>) => ({
  apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec,
});
const byName = (name: string) => ({ matchLabels: { 'kubernetes.io/metadata.name': name } });
const DNS_PORTS = [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }];
const COREDNS = pod('kube-system', 'coredns', { 'k8s-app': 'kube-dns' }, [{ containerPort: 53, protocol: 'UDP', name: 'dns' }]);
const NODE_LOCAL = pod('kube-system', 'node-local-dns', { 'k8s-app': 'node-local-dns' }, [{ containerPort: 53, protocol: 'UDP', name: 'dns' }]);
const API = pod('shop', 'api', { app: 'api' });
const TO_COREDNS = { namespaceSelector: byName('kube-system'), podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } };
const TO_NODE_LOCAL = { namespaceSelector: byName('kube-system'), podSelector: { matchLabels: { 'k8s-app': 'node-local-dns' } } };
/** shop/api's egress: DNS to the given peers only. */
const apiEgress = (...peers: unknown[]) => netpol('shop', 'api-egress', {
  podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Egress'], egress: [{ to: peers, ports: DNS_PORTS }],
});
/** A policy of kube-system that isolates the ingress of k8s-app=kube-dns and admits DNS from `from` only. */
const kubeDnsIngress = (...from: unknown[]) => netpol('kube-system', 'kube-dns-ingress', {
  podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } }, policyTypes: ['Ingress'], ingress: [{ from, ports: DNS_PORTS }],
});
const np002 = (objects: unknown[]) => validateManifests(objects.map((object) => ({ object })))
  .findings.filter((f) => f.code === LintCode.EGRESS_WITHOUT_DNS);

describe('two DNS servers in the input: the lookups must get through to both', () => {
  test('the pod reaches one of them: NP002, may fail, naming the server not reached', () => {
    const findings = np002([COREDNS, NODE_LOCAL, API, apiEgress(TO_COREDNS)]);
    expect(findings.map((f) => [f.object, f.message])).toEqual([[
      'shop/api-egress',
      'isolates the egress of shop/api, and its DNS (53/UDP) may fail: lookups spread over kube-system/coredns, kube-system/node-local-dns '
        + '(a Service spreads them over its replicas, NodeLocal DNSCache intercepts them), kube-system/node-local-dns not reached, so it may not resolve names',
    ]]);
    expect(findings[0].fix).toMatch(/^Allow egress to every DNS server the pods may ask on 53\/UDP and 53\/TCP \(kube-system\/node-local-dns too\)/);
    // The other one alone: the same, for coredns.
    expect(np002([COREDNS, NODE_LOCAL, API, apiEgress(TO_NODE_LOCAL)]).map((f) => f.message))
      .toEqual([expect.stringContaining('kube-system/coredns not reached, so it may not resolve names')]);
  });

  test('the pod reaches both: no NP002; neither: NP002, cannot resolve names', () => {
    expect(np002([COREDNS, NODE_LOCAL, API, apiEgress(TO_COREDNS, TO_NODE_LOCAL)])).toEqual([]);
    expect(np002([COREDNS, NODE_LOCAL, API, apiEgress({ podSelector: { matchLabels: { app: 'db' } } })]).map((f) => f.message))
      .toEqual(['isolates the egress of shop/api, and no policy that selects it allows DNS (53/UDP), so it cannot resolve names']);
  });

  test('pods the input does not declare read alike: one server reached, NP002; both, none', () => {
    const ops = (...peers: unknown[]) => netpol('ops', 'batch-egress', {
      podSelector: { matchLabels: { app: 'batch' } }, policyTypes: ['Egress'], egress: [{ to: peers, ports: DNS_PORTS }],
    });
    expect(np002([COREDNS, NODE_LOCAL, ops(TO_COREDNS)]).map((f) => f.message)).toEqual([
      'isolates the egress of the pods it selects in namespace ops, and their DNS (53/UDP) may fail: lookups spread over kube-system/coredns, '
        + 'kube-system/node-local-dns (a Service spreads them over its replicas, NodeLocal DNSCache intercepts them), kube-system/node-local-dns not reached, '
        + 'so name lookups may fail',
    ]);
    expect(np002([COREDNS, NODE_LOCAL, ops(TO_COREDNS, TO_NODE_LOCAL)])).toEqual([]);
  });

  test('a DNS server whose ingress drops the lookups is not reached: NP002; one that admits them: none', () => {
    const findings = np002([COREDNS, API, apiEgress(TO_COREDNS), kubeDnsIngress({ namespaceSelector: byName('monitoring') })]);
    expect(findings.map((f) => f.message)).toEqual(['isolates the egress of shop/api, and its DNS (53/UDP) is let out, and dropped in the ingress of '
      + 'kube-system/coredns (NetworkPolicy kube-system/kube-dns-ingress), so it cannot resolve names']);
    expect(findings[0].fix).toMatch(/^Let NetworkPolicy kube-system\/kube-dns-ingress admit 53\/UDP and 53\/TCP from these pods/);
    expect(np002([COREDNS, API, apiEgress(TO_COREDNS), kubeDnsIngress({ namespaceSelector: byName('shop') })])).toEqual([]);
  });
});

describe('no DNS pods in the input: the cluster DNS (the inventory\'s stand-in) counts where the input polices its ingress', () => {
  test('a NetworkPolicy of kube-system isolates kube-dns and admits other namespaces only: NP002, saying to add the DNS pods', () => {
    const findings = np002([API, apiEgress(TO_COREDNS), kubeDnsIngress({ namespaceSelector: byName('monitoring') })]);
    expect(findings.map((f) => [f.object, f.message])).toEqual([[
      'shop/api-egress',
      'isolates the egress of shop/api, and its DNS (53/UDP) may fail: lookups spread over the DNS server its rules are written for, '
        + 'the cluster DNS (k8s-app: kube-dns in kube-system) (a Service spreads them over its replicas, NodeLocal DNSCache intercepts them), '
        + 'the cluster DNS (k8s-app: kube-dns in kube-system) not reached (the input does not hold the cluster DNS, and the lookups may go there, '
        + 'dnsPolicy ClusterFirst being the default; NetworkPolicy kube-system/kube-dns-ingress polices its ingress), so it may not resolve names',
    ]]);
    expect(findings[0].fix).toMatch(/^Add the DNS pods \(kube-system k8s-app=kube-dns\) to the input to have them analysed, or let NetworkPolicy kube-system\/kube-dns-ingress admit the lookups\. /);
  });

  test('the policy admits shop: no NP002; nothing polices kube-system: no NP002, as before', () => {
    expect(np002([API, apiEgress(TO_COREDNS), kubeDnsIngress({ namespaceSelector: byName('shop') })])).toEqual([]);
    expect(np002([API, apiEgress(TO_COREDNS)])).toEqual([]);
    // A policy of kube-system that selects other pods polices nothing of the cluster DNS.
    const other = netpol('kube-system', 'metrics', { podSelector: { matchLabels: { app: 'metrics' } }, policyTypes: ['Ingress'] });
    expect(np002([API, apiEgress(TO_COREDNS), other])).toEqual([]);
  });

  test('a Baseline default deny that may select kube-system (no Namespace object) may drop the lookups: NP002, resting on its labels', () => {
    const banp = {
      apiVersion: 'policy.networking.k8s.io/v1alpha1',
      kind: 'BaselineAdminNetworkPolicy',
      metadata: { name: 'default' },
      spec: { subject: { namespaces: { matchLabels: { tier: 'tenant' } } }, ingress: [{ name: 'deny', action: 'Deny', from: [{ namespaces: {} }] }] },
    };
    const [finding, ...rest] = np002([API, apiEgress(TO_COREDNS), banp]);
    expect(rest).toEqual([]);
    expect(finding.message).toBe('isolates the egress of shop/api, and whether a policy that selects it allows DNS (53/UDP), and the ingress of the cluster DNS '
      + '(k8s-app: kube-dns in kube-system) lets the lookups in, rests on unknown labels: namespace kube-system has no Namespace object in the input, '
      + 'so its labels other than kubernetes.io/metadata.name are unknown, so it may not resolve names');
    const ns = (labels: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system', labels } });
    expect(np002([API, apiEgress(TO_COREDNS), banp, ns({})])).toEqual([]);
    expect(np002([API, apiEgress(TO_COREDNS), banp, ns({ tier: 'tenant' })]).map((f) => f.message)).toEqual([expect.stringContaining('not reached')]);
  });
});
