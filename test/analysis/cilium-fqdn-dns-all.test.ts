import { expectMatrixAgrees } from './matrix-agrees';
import { Port, Reachability, SkipCategory, TextFormat } from '../../src';

/**
 * Issue 15, fail closed on Cilium FQDN egress across DNS servers (`dnsVisibility`): a pod's lookups
 * may go to ANY DNS server it may ask (a Service spreads them over CoreDNS replicas, NodeLocal
 * DNSCache intercepts them; the model does not read resolv.conf or dnsPolicy), so the DNS proxy
 * sees a name only when EVERY such server gets the lookups through, by some DNS rule of the pod.
 */

const cnp = (name: string, spec: Record<string, unknown>, namespace = 'default') => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name, namespace }, spec });
const pod = (namespace: string, name: string, labels: Record<string, string>, ports: Array<Record<string, unknown>> = []) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels }, spec: { containers: [{ name: 'c', ports }] },
});
const UDP53 = [{ containerPort: 53, protocol: 'UDP', name: 'dns' }];
const KUBE_DNS = { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } };
const NODE_LOCAL_DNS = { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'node-local-dns' } };
const DNS_PORTS = [{ ports: [{ port: '53', protocol: 'UDP' }], rules: { dns: [{ matchPattern: '*' }] } }];
const TO_API = { toFQDNs: [{ matchName: 'api.example.com' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] };

/** The client's policy: api.example.com on 443/TCP, and one DNS rule per peer of `dnsPeers`. */
const fqdnPolicy = (...dnsPeers: Array<Record<string, unknown>>) => cnp('to-api', {
  endpointSelector: { matchLabels: { app: 'client' } },
  egress: [TO_API, ...dnsPeers.map((peer) => ({ ...peer, toPorts: DNS_PORTS }))],
});

const client = pod('default', 'client', { app: 'client' });
const coredns = pod('kube-system', 'coredns-a', { 'k8s-app': 'kube-dns', 'replica': 'a' }, UDP53);
const corednsB = pod('kube-system', 'coredns-b', { 'k8s-app': 'kube-dns', 'replica': 'b' }, UDP53);
const nodeLocal = pod('kube-system', 'node-local-dns', { 'k8s-app': 'node-local-dns' }, UDP53);
const externals = [{ name: 'api', ip: '203.0.113.10', dnsName: 'api.example.com' }];
const API = Port.tcp(443);
const DNS = Port.udp(53);

/** A CNP in kube-system isolating the kube-dns pods `selector` selects in ingress, admitting `from` (none: nobody). */
const dnsIngressCnp = (selector: Record<string, string>, from: Array<Record<string, unknown>>) => cnp('dns-in', {
  endpointSelector: { matchLabels: selector },
  ingress: [{ fromEndpoints: from.length > 0 ? from : [{ matchLabels: { app: 'nobody' } }] }],
}, 'kube-system');
const CLIENT = { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'default', 'app': 'client' } };

function fqdnSkips(r: Reachability) {
  return r.skipped.filter((s) => s.object === 'default/to-api');
}

function explainText(r: Reachability): string {
  return TextFormat.explanation(r.explain('default/client', 'api', API));
}

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
