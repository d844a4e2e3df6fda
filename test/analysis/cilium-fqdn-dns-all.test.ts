import { expectMatrixAgrees } from './matrix-agrees';
import { Port, Reachability, SkipCategory } from '../../src';
import { API, API_EXTERNAL, cnp, explainText, fqdnPolicy, fqdnSkips, KUBE_DNS, np, pod, UDP53 } from '../fixtures/cilium-objects';

/**
 * Issue 15, fail closed on Cilium FQDN egress across DNS servers (`dnsVisibility`): a pod's lookups
 * may go to ANY DNS server it may ask (a Service spreads them over CoreDNS replicas, NodeLocal
 * DNSCache intercepts them; the model does not read resolv.conf or dnsPolicy), so the DNS proxy
 * sees a name only when EVERY such server gets the lookups through, by some DNS rule of the pod.
 * And where the input does not hold the cluster DNS but isolates it (a policy selecting the
 * kube-system `k8s-app: kube-dns` pods), the lookups may go there and be dropped: undecided too.
 */

const NODE_LOCAL_DNS = { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'node-local-dns' } };

const client = pod('default', 'client', { app: 'client' });
const coredns = pod('kube-system', 'coredns-a', { 'k8s-app': 'kube-dns', 'replica': 'a' }, UDP53);
const corednsB = pod('kube-system', 'coredns-b', { 'k8s-app': 'kube-dns', 'replica': 'b' }, UDP53);
const nodeLocal = pod('kube-system', 'node-local-dns', { 'k8s-app': 'node-local-dns' }, UDP53);
const externals = [API_EXTERNAL];
const DNS = Port.udp(53);

/** A CNP in kube-system isolating the kube-dns pods `selector` selects in ingress, admitting `from` (none: nobody). */
const dnsIngressCnp = (selector: Record<string, string>, from: Array<Record<string, unknown>>) => cnp('dns-in', {
  endpointSelector: { matchLabels: selector },
  ingress: [{ fromEndpoints: from.length > 0 ? from : [{ matchLabels: { app: 'nobody' } }] }],
}, 'kube-system');
const CLIENT = { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'default', 'app': 'client' } };

describe('two CoreDNS replicas: the lookups may go to either', () => {
  test('a CNP isolates replica b without admitting the client: DENIED (undecided), left out, and explain names replica b', () => {
    const r = Reachability.fromManifests([fqdnPolicy({ toEndpoints: [KUBE_DNS] }), client, coredns, corednsB, dnsIngressCnp({ replica: 'b' }, [])], { externals });
    expect(r.allows('default/client', 'kube-system/coredns-a', DNS)).toBe(true);
    expect(r.allows('default/client', 'kube-system/coredns-b', DNS)).toBe(false);
    expect(r.allows('default/client', 'api', API)).toBe(false);
    const skipped = fqdnSkips(r);
    expect(skipped).toHaveLength(1);
    expect(skipped[0].category).toBe(SkipCategory.NOT_MODELLED);
    expect(skipped[0].reason).toContain('spec.egress[0] is not modelled');
    expect(skipped[0].reason).toContain('get through to kube-system/coredns-a only, not to kube-system/coredns-b');
    expect(skipped[0].reason).toContain('Allow the lookups to every DNS server in a DNS rule (kube-system/coredns-b too), and in the ingress of each');
    const why = explainText(r);
    expect(why).toContain('DENIED');
    expect(why).toContain('Cilium\'s DNS proxy may not see default/client look it up: its lookups may go to any DNS server of the input');
    expect(why).toContain('the lookups to kube-system/coredns-b on 53/UDP by CiliumNetworkPolicy default/to-api spec.egress[1] are dropped at the ingress of kube-system/coredns-b: '
      + 'CiliumNetworkPolicy kube-system/dns-in isolates it in ingress');
    expect(why).toContain('the rule is left out (see the skipped parts)');
    expectMatrixAgrees(r, API, DNS);
  });

  test('both replicas admit the client: ALLOWED, its other ports denied, nothing left out', () => {
    const r = Reachability.fromManifests([fqdnPolicy({ toEndpoints: [KUBE_DNS] }), client, coredns, corednsB, dnsIngressCnp({ 'k8s-app': 'kube-dns' }, [CLIENT])], { externals });
    expect(r.allows('default/client', 'api', API)).toBe(true);
    expect(r.allows('default/client', 'api', Port.tcp(80))).toBe(false);
    expect(fqdnSkips(r)).toEqual([]);
    expect(r.explain('default/client', 'api', API).notes).toEqual([]);
    expectMatrixAgrees(r, API, DNS);
  });

  test('both replicas drop the lookups: unseen, DENIED, nothing left out (as before)', () => {
    const r = Reachability.fromManifests([fqdnPolicy({ toEndpoints: [KUBE_DNS] }), client, coredns, corednsB, dnsIngressCnp({ 'k8s-app': 'kube-dns' }, [])], { externals });
    expect(r.allows('default/client', 'api', API)).toBe(false);
    expect(fqdnSkips(r)).toEqual([]);
    expect(explainText(r)).toContain('never sees default/client look it up');
    expectMatrixAgrees(r, API);
  });
});

describe('CoreDNS and a NodeLocal DNSCache pod: the DNS rules add up per server', () => {
  test('a DNS rule to kube-dns only misses NodeLocal DNSCache: DENIED (undecided), naming it; a second rule to it: ALLOWED', () => {
    const r = Reachability.fromManifests([fqdnPolicy({ toEndpoints: [KUBE_DNS] }), client, coredns, nodeLocal], { externals });
    expect(r.allows('default/client', 'api', API)).toBe(false);
    expect(fqdnSkips(r)).toHaveLength(1);
    expect(fqdnSkips(r)[0].reason).toContain('not to kube-system/node-local-dns: no DNS rule of default/client matching the name reaches kube-system/node-local-dns');
    expect(explainText(r)).toContain('get through to kube-system/coredns-a only, not to kube-system/node-local-dns');
    expectMatrixAgrees(r, API, DNS);

    const twoRules = fqdnPolicy({ toEndpoints: [KUBE_DNS] }, { toEndpoints: [NODE_LOCAL_DNS] });
    const both = Reachability.fromManifests([twoRules, client, coredns, nodeLocal], { externals });
    expect(both.allows('default/client', 'api', API)).toBe(true);
    expect(both.allows('default/client', 'api', Port.tcp(80))).toBe(false);
    expect(fqdnSkips(both)).toEqual([]);
    expectMatrixAgrees(both, API, DNS);
  });

  test('a DNS rule to NodeLocal DNSCache only misses CoreDNS: DENIED (undecided)', () => {
    const r = Reachability.fromManifests([fqdnPolicy({ toEndpoints: [NODE_LOCAL_DNS] }), client, coredns, nodeLocal], { externals });
    expect(r.allows('default/client', 'api', API)).toBe(false);
    expect(fqdnSkips(r)[0].reason).toContain('get through to kube-system/node-local-dns only, not to kube-system/coredns-a');
    expectMatrixAgrees(r, API);
  });
});

describe('no DNS pods in the input, and a policy that selects the cluster DNS', () => {
  /** A NetworkPolicy in kube-system isolating the kube-dns pods in ingress, admitting 53/UDP from `from` (none: no ingress rule). */
  const kubeDnsIngress = (from?: string) => np('dns-ingress', 'kube-system', {
    podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
    policyTypes: ['Ingress'],
    ...(from !== undefined
      ? { ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': from } } }], ports: [{ port: 53, protocol: 'UDP' }] }] }
      : {}),
  });

  test('the NetworkPolicy admits nothing: DENIED (undecided), left out, the note says to add the DNS pods', () => {
    const r = Reachability.fromManifests([fqdnPolicy({ toEndpoints: [KUBE_DNS] }), client, kubeDnsIngress()], { externals });
    expect(r.allows('default/client', 'api', API)).toBe(false);
    const skipped = fqdnSkips(r);
    expect(skipped).toHaveLength(1);
    expect(skipped[0].reason).toContain('the cluster DNS (kube-system pods labelled k8s-app=kube-dns) is not in the input');
    expect(skipped[0].reason).toContain('kube-system/dns-ingress isolates it in ingress');
    expect(skipped[0].reason).toContain('Add the DNS pods (kube-system k8s-app=kube-dns) to the input');
    const why = explainText(r);
    expect(why).toContain('DENIED');
    expect(why).toContain('may not see default/client look it up: the cluster DNS (kube-system pods labelled k8s-app=kube-dns) is not in the input');
    expect(why).toContain('Add the DNS pods (kube-system k8s-app=kube-dns) to the input');
    // The cluster DNS taken for the DNS path is no end of the model: not listed, not in the matrix.
    expect(r.endpoints).toEqual(['default/client', 'api']);
    expectMatrixAgrees(r, API, DNS);
  });

  test('the NetworkPolicy admits the client\'s namespace: ALLOWED, its other ports denied, nothing left out', () => {
    const r = Reachability.fromManifests([fqdnPolicy({ toEndpoints: [KUBE_DNS] }), client, kubeDnsIngress('default')], { externals });
    expect(r.allows('default/client', 'api', API)).toBe(true);
    expect(r.allows('default/client', 'api', Port.tcp(80))).toBe(false);
    expect(fqdnSkips(r)).toEqual([]);
    expectMatrixAgrees(r, API);
  });

  test('the NetworkPolicy admits another namespace only: DENIED (undecided)', () => {
    const r = Reachability.fromManifests([fqdnPolicy({ toEndpoints: [KUBE_DNS] }), client, kubeDnsIngress('monitoring')], { externals });
    expect(r.allows('default/client', 'api', API)).toBe(false);
    expect(fqdnSkips(r)[0].reason).toContain('Add the DNS pods');
    expectMatrixAgrees(r, API);
  });

  test('a DNS rule toCIDR 10.0.0.10/32 (the Service address) while kube-dns is isolated: DENIED (undecided), the rule does not reach it', () => {
    const r = Reachability.fromManifests([fqdnPolicy({ toCIDR: ['10.0.0.10/32'] }), client, kubeDnsIngress('default')], { externals });
    expect(r.allows('default/client', 'api', API)).toBe(false);
    const skipped = fqdnSkips(r);
    expect(skipped).toHaveLength(1);
    expect(skipped[0].reason).toContain('kube-system/dns-ingress isolates it in ingress while no DNS rule of default/client matching the name reaches it');
    expect(skipped[0].reason).toContain('Add the DNS pods (kube-system k8s-app=kube-dns) to the input');
    expectMatrixAgrees(r, API);
    // Control: nothing isolates the cluster DNS: as before, the rule may name the resolver the pod uses.
    const open = Reachability.fromManifests([fqdnPolicy({ toCIDR: ['10.0.0.10/32'] }), client], { externals });
    expect(open.allows('default/client', 'api', API)).toBe(true);
    expect(fqdnSkips(open)).toEqual([]);
  });

  test('a CiliumClusterwideNetworkPolicy isolating every pod without admitting the client: DENIED (undecided); admitting it: ALLOWED', () => {
    const ccnp = (from: Array<Record<string, unknown>>) => ({
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumClusterwideNetworkPolicy',
      metadata: { name: 'ingress-default-deny' },
      spec: { endpointSelector: {}, ingress: [{ fromEndpoints: from }] },
    });
    const denied = Reachability.fromManifests([fqdnPolicy({ toEndpoints: [KUBE_DNS] }), client, ccnp([{ matchLabels: { app: 'nobody' } }])], { externals });
    expect(denied.allows('default/client', 'api', API)).toBe(false);
    expect(explainText(denied)).toContain('the cluster DNS (kube-system pods labelled k8s-app=kube-dns) is not in the input');
    expectMatrixAgrees(denied, API);
    const admitted = Reachability.fromManifests([fqdnPolicy({ toEndpoints: [KUBE_DNS] }), client, ccnp([CLIENT])], { externals });
    expect(admitted.allows('default/client', 'api', API)).toBe(true);
    expectMatrixAgrees(admitted, API);
  });

  test('a Cilium ingressDeny of the client at the cluster DNS: DENIED (undecided), naming the deny', () => {
    const deny = cnp('no-lookups', {
      endpointSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
      ingressDeny: [{ fromEndpoints: [CLIENT] }],
    }, 'kube-system');
    const r = Reachability.fromManifests([fqdnPolicy({ toEndpoints: [KUBE_DNS] }), client, deny], { externals });
    expect(r.allows('default/client', 'api', API)).toBe(false);
    const why = explainText(r);
    expect(why).toContain('the cluster DNS (kube-system pods labelled k8s-app=kube-dns) is not in the input');
    expect(why).toContain('denied by CiliumNetworkPolicy kube-system/no-lookups ingressDeny[0], at the ingress of kube-system/k8s-app=kube-dns');
    expect(why).toContain('Add the DNS pods');
    expectMatrixAgrees(r, API);
  });

  test('the policy selects other kube-system pods only: as before, ALLOWED', () => {
    const other = np('metrics', 'kube-system', { podSelector: { matchLabels: { 'k8s-app': 'metrics-server' } }, policyTypes: ['Ingress'] });
    const r = Reachability.fromManifests([fqdnPolicy({ toEndpoints: [KUBE_DNS] }), client, other], { externals });
    expect(r.allows('default/client', 'api', API)).toBe(true);
    expect(fqdnSkips(r)).toEqual([]);
  });

  test('the source the only DNS server of the input (dns-edges\' open question): the absent cluster DNS decides', () => {
    const dnsClient = pod('default', 'client', { app: 'client' }, UDP53);
    const isolated = Reachability.fromManifests([fqdnPolicy({ toEndpoints: [KUBE_DNS] }), dnsClient, kubeDnsIngress('monitoring')], { externals });
    expect(isolated.allows('default/client', 'api', API)).toBe(false);
    expect(fqdnSkips(isolated)[0].reason).toContain('Add the DNS pods (kube-system k8s-app=kube-dns) to the input');
    expectMatrixAgrees(isolated, API, DNS);
    const admitted = Reachability.fromManifests([fqdnPolicy({ toEndpoints: [KUBE_DNS] }), dnsClient, kubeDnsIngress('default')], { externals });
    expect(admitted.allows('default/client', 'api', API)).toBe(true);
    expect(fqdnSkips(admitted)).toEqual([]);
    expectMatrixAgrees(admitted, API, DNS);
  });

  test('the input holds a custom resolver the rule reaches, but not the cluster DNS, which it isolates: DENIED (undecided)', () => {
    const resolver = pod('infra', 'resolver', { app: 'resolver' }, UDP53);
    const RESOLVER = { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'infra', 'k8s:app': 'resolver' } };
    const r = Reachability.fromManifests([fqdnPolicy({ toEndpoints: [RESOLVER] }), client, resolver, kubeDnsIngress()], { externals });
    expect(r.allows('default/client', 'api', API)).toBe(false);
    expect(fqdnSkips(r)[0].reason).toContain('the cluster DNS (kube-system pods labelled k8s-app=kube-dns) is not in the input');
    expectMatrixAgrees(r, API);
    const admitted = Reachability.fromManifests([fqdnPolicy({ toEndpoints: [RESOLVER] }, { toEndpoints: [KUBE_DNS] }), client, resolver, kubeDnsIngress('default')], { externals });
    expect(admitted.allows('default/client', 'api', API)).toBe(true);
    expectMatrixAgrees(admitted, API);
  });
});
