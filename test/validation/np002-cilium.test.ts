import { LintCode, validateManifests } from '../../src';

/**
 * NP002 next to Cilium policies: a NetworkPolicy isolates a pod's egress, and a CiliumNetworkPolicy
 * of the same pod holds its DNS rule (as the FQDN egress a plain connection sits next to). Cilium
 * adds the allows of both up, so the pod resolves names and NP002 must not say otherwise; a Cilium
 * policy that is no DNS rule, selects other pods or lives elsewhere changes nothing.
 */
const pod = (namespace: string, name: string, labels: Record<string, string>) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels }, spec: { containers: [{ name: 'main' }] },
});
const model = [pod('shop', 'api', { app: 'api' }), pod('shop', 'db', { app: 'db' }), pod('kube-system', 'coredns', { 'k8s-app': 'kube-dns' })];
const apiEgress = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'api-egress', namespace: 'shop' },
  spec: { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: { app: 'db' } } }], ports: [{ port: 5432, protocol: 'TCP' }] }] },
};
const kubeDns = { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } };
const cnp = (namespace: string, selector: Record<string, string>, egress: unknown[], section = 'egress') => ({
  apiVersion: 'cilium.io/v2',
  kind: 'CiliumNetworkPolicy',
  metadata: { name: 'api-egress-cilium', namespace },
  spec: { endpointSelector: { matchLabels: selector }, [section]: egress },
});
const dnsProxyRule = { toEndpoints: [kubeDns], toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }] };
const fqdnRule = { toFQDNs: [{ matchName: 'api.payments.example' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] };
const np002 = (...objects: unknown[]) => validateManifests([...model, apiEgress, ...objects].map((object) => ({ object })))
  .findings.filter((f) => f.code === LintCode.EGRESS_WITHOUT_DNS).map((f) => `${f.object}: ${f.message}`);

test('a Cilium DNS rule (rules.dns, as FQDN egress needs) of the same pods: no NP002', () => {
  expect(np002(cnp('shop', { app: 'api' }, [dnsProxyRule, fqdnRule]))).toEqual([]);
});

test('a Cilium rule of port 53 alone (written for DNS) counts; a cluster-wide policy of every pod too', () => {
  expect(np002(cnp('shop', { app: 'api' }, [{ toEndpoints: [kubeDns], toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }] }] }]))).toEqual([]);
  const ccnp = { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'dns' }, spec: { endpointSelector: {}, egress: [dnsProxyRule] } };
  expect(np002(ccnp)).toEqual([]);
});

test('without it, or with a Cilium policy that is no DNS rule, of other pods, of another namespace, or a deny: NP002', () => {
  const expected = ['shop/api-egress: isolates the egress of shop/api, and no policy that selects it allows DNS (53/UDP), so it cannot resolve names'];
  expect(np002()).toEqual(expected);
  expect(np002(cnp('shop', { app: 'api' }, [fqdnRule]))).toEqual(expected); // NP014 says the DNS rule is missing
  expect(np002(cnp('shop', { app: 'db' }, [dnsProxyRule]))).toEqual(expected);
  expect(np002(cnp('other', { app: 'api' }, [dnsProxyRule]))).toEqual(expected);
  expect(np002(cnp('shop', { app: 'api' }, [{ toEndpoints: [kubeDns], toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }] }] }], 'egressDeny'))).toEqual(expected);
  // All ports to the DNS server is no DNS rule (as for NetworkPolicies: a rule of every port to one workload is not).
  expect(np002(cnp('shop', { app: 'api' }, [{ toEndpoints: [{ matchLabels: { app: 'db' } }] }]))).toEqual(expected);
});
