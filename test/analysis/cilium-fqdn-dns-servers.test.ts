import { expectMatrixAgrees } from './matrix-agrees';
import { Port, Reachability, SkipCategory } from '../../src';
import { API, API_EXTERNAL, explainText, fqdnPolicy, fqdnSkips, KUBE_DNS, pod, UDP53 } from '../fixtures/cilium-objects';

/**
 * Issue 15, fail closed on Cilium FQDN egress: a DNS rule (an egress allow with `rules.dns`) whose
 * peer matches none of the input's DNS servers (pods declaring 53/UDP, the cluster DNS: kube-system
 * pods labelled k8s-app=kube-dns) does not let Cilium's DNS proxy see the lookups, which go to the
 * DNS server past the rule, so toFQDNs learns nothing. Whether the rule names a resolver outside the
 * input the pod does use cannot be told, so the toFQDNs rule is left out (allows nothing) with a
 * warning, never read as allowed. Without DNS servers in the input the reading is as before.
 */

const CORE_DNS_LABEL = { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'coredns' } };
const WRONG_NAMESPACE = { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'dns', 'k8s:k8s-app': 'kube-dns' } };

const client = pod('default', 'client', { app: 'client' });
const coredns = pod('kube-system', 'coredns', { 'k8s-app': 'kube-dns' }, UDP53);
const externals = [API_EXTERNAL, { name: 'other', ip: '198.51.100.7', dnsName: 'other.example.com' }];

describe('the input holds the cluster DNS, and the DNS rule matches it', () => {
  test('seen: api.example.com:443 is ALLOWED, its other ports and the other name denied, nothing left out', () => {
    const r = Reachability.fromManifests([fqdnPolicy({ toEndpoints: [KUBE_DNS] }), client, coredns], { externals });
    expect(r.allows('default/client', 'api', API)).toBe(true);
    expect(r.allows('default/client', 'api', Port.tcp(80))).toBe(false);
    expect(r.allows('default/client', 'other', API)).toBe(false);
    expect(r.allows('default/client', 'kube-system/coredns', Port.udp(53))).toBe(true);
    expect(r.skipped).toEqual([]);
    expect(r.explain('default/client', 'api', API).notes).toEqual([]);
    expectMatrixAgrees(r, API, Port.udp(53));
  });

  test.each([
    ['toEntities: cluster', { toEntities: ['cluster'] }],
    ['toEntities: all', { toEntities: ['all'] }],
    ['a rule of ports only', {}],
  ])('a DNS rule by %s matches the DNS server too: ALLOWED', (_what, peer) => {
    const r = Reachability.fromManifests([fqdnPolicy(peer), client, coredns], { externals });
    expect(r.allows('default/client', 'api', API)).toBe(true);
    expect(r.allows('default/client', 'api', Port.tcp(80))).toBe(false);
    expect(fqdnSkips(r)).toEqual([]);
    expectMatrixAgrees(r, API);
  });
});

describe('the input holds the cluster DNS, and the DNS rule matches none of it', () => {
  test.each([
    ['the wrong label (k8s-app: coredns)', { toEndpoints: [CORE_DNS_LABEL] }],
    ['the wrong namespace', { toEndpoints: [WRONG_NAMESPACE] }],
    ['a CIDR resolver (NodeLocal DNSCache\'s address)', { toCIDR: ['169.254.20.10/32'] }],
    ['an upstream resolver by CIDR', { toCIDR: ['8.8.8.8/32'] }],
    ['toEntities: world', { toEntities: ['world'] }],
  ])('%s: api.example.com is DENIED, the toFQDNs rule left out, and explain says why', (_what, peer) => {
    const r = Reachability.fromManifests([fqdnPolicy(peer), client, coredns], { externals });
    expect(r.allows('default/client', 'api', API)).toBe(false);
    expect(r.allows('default/client', 'other', API)).toBe(false);
    const skipped = fqdnSkips(r);
    expect(skipped).toHaveLength(1);
    expect(skipped[0].category).toBe(SkipCategory.NOT_MODELLED);
    expect(skipped[0].reason).toContain('spec.egress[0] is not modelled');
    expect(skipped[0].reason).toContain('spec.egress[1]) matches none of the input\'s DNS servers (kube-system/coredns)');
    expect(skipped[0].reason).toContain('api.example.com');
    expect(skipped[0].reason).toContain('Write the DNS rule\'s peer for the DNS server the pods use');
    const why = explainText(r);
    expect(why).toContain('DENIED');
    expect(why).toContain('a toFQDNs rule of default/client names api.example.com, but Cilium\'s DNS proxy may not see default/client look it up: '
      + 'the DNS rule CiliumNetworkPolicy default/to-api spec.egress[1] matches none of the input\'s DNS servers (kube-system/coredns), '
      + 'so the lookups may never reach the proxy');
    expect(why).toContain('the rule is left out (see the skipped parts)');
    expectMatrixAgrees(r, API, Port.udp(53));
  });

  test('several DNS servers are named in the order of the input', () => {
    const second = pod('kube-system', 'coredns-2', { 'k8s-app': 'kube-dns' }, UDP53);
    const r = Reachability.fromManifests([fqdnPolicy({ toEndpoints: [CORE_DNS_LABEL] }), client, coredns, second], { externals });
    expect(r.allows('default/client', 'api', API)).toBe(false);
    expect(fqdnSkips(r)[0].reason).toContain('(kube-system/coredns, kube-system/coredns-2)');
  });

  test('a rule that matches another pod of the input, but not its DNS server, does not count: DENIED', () => {
    const other = pod('default', 'cache', { app: 'cache' }, [{ containerPort: 8080, protocol: 'TCP' }]);
    const r = Reachability.fromManifests([fqdnPolicy({ toEndpoints: [{ matchLabels: { app: 'cache' } }] }), client, coredns, other], { externals });
    // The lookups to the cache pod would get through; the pod's resolver is the DNS server, which the rule does not allow.
    expect(r.allows('default/client', 'default/cache', Port.udp(53))).toBe(true);
    expect(r.allows('default/client', 'api', API)).toBe(false);
    expect(fqdnSkips(r)[0].reason).toContain('matches none of the input\'s DNS servers (kube-system/coredns)');
    expectMatrixAgrees(r, API);
  });

  test('a second DNS rule that matches the DNS server keeps the name seen', () => {
    const policy = fqdnPolicy({ toEndpoints: [CORE_DNS_LABEL] }, { toEndpoints: [KUBE_DNS] });
    const r = Reachability.fromManifests([policy, client, coredns], { externals });
    expect(r.allows('default/client', 'api', API)).toBe(true);
    expect(r.allows('default/client', 'api', Port.tcp(80))).toBe(false);
    expect(fqdnSkips(r)).toEqual([]);
    expectMatrixAgrees(r, API);
  });

  test('the diff closes client -> api when the DNS rule stops matching the DNS server, and opens it back', () => {
    const good = Reachability.fromManifests([fqdnPolicy({ toEndpoints: [KUBE_DNS] }), client, coredns], { externals });
    const bad = Reachability.fromManifests([fqdnPolicy({ toEndpoints: [CORE_DNS_LABEL] }), client, coredns], { externals });
    const list = (cs: ReadonlyArray<{ from: string; to: string; ports: string[] }>) => cs.map((c) => `${c.from} -> ${c.to} ${c.ports.join(' ')}`);
    const closed = Reachability.diff(good, bad);
    expect(list(closed.closed)).toContain('default/client -> api 443/TCP');
    expect(list(closed.opened)).not.toContain('default/client -> api 443/TCP');
    expect(list(Reachability.diff(bad, good).opened)).toContain('default/client -> api 443/TCP');
  });
});

describe('the input holds no DNS server: the DNS server is taken to be outside the input, as before', () => {
  test.each([
    ['the kube-dns labels', { toEndpoints: [KUBE_DNS] }],
    ['another label (k8s-app: coredns)', { toEndpoints: [CORE_DNS_LABEL] }],
    ['a CIDR resolver', { toCIDR: ['169.254.20.10/32'] }],
    ['toEntities: world', { toEntities: ['world'] }],
  ])('a DNS rule to %s: seen, api.example.com:443 ALLOWED, its other ports denied, nothing left out', (_what, peer) => {
    const r = Reachability.fromManifests([fqdnPolicy(peer), client], { externals });
    expect(r.allows('default/client', 'api', API)).toBe(true);
    expect(r.allows('default/client', 'api', Port.tcp(80))).toBe(false);
    expect(r.allows('default/client', 'other', API)).toBe(false);
    expect(r.skipped).toEqual([]);
    expectMatrixAgrees(r, API);
  });

  test('a pod that declares 53 over TCP only, outside kube-dns, is not a DNS server: still seen', () => {
    const tcpOnly = pod('infra', 'zone-transfer', { app: 'axfr' }, [{ containerPort: 53, protocol: 'TCP', name: 'dns-tcp' }]);
    const r = Reachability.fromManifests([fqdnPolicy({ toEndpoints: [CORE_DNS_LABEL] }), client, tcpOnly], { externals });
    expect(r.allows('default/client', 'api', API)).toBe(true);
    expect(fqdnSkips(r)).toEqual([]);
    expectMatrixAgrees(r, API);
  });

  test('a pod labelled k8s-app: kube-dns outside kube-system is not the cluster DNS: still seen', () => {
    const elsewhere = pod('shop', 'dns-lookalike', { 'k8s-app': 'kube-dns' });
    const r = Reachability.fromManifests([fqdnPolicy({ toEndpoints: [CORE_DNS_LABEL] }), client, elsewhere], { externals });
    expect(r.allows('default/client', 'api', API)).toBe(true);
    expect(fqdnSkips(r)).toEqual([]);
  });
});

describe('DNS servers that declare 53/UDP without the kube-dns label, and kube-dns without ports', () => {
  const resolver = pod('infra', 'resolver', { app: 'resolver' }, [{ containerPort: 53, protocol: 'UDP', name: 'domain' }]);
  const RESOLVER = { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'infra', 'k8s:app': 'resolver' } };

  test('a rule to the resolver pod: seen, ALLOWED', () => {
    const r = Reachability.fromManifests([fqdnPolicy({ toEndpoints: [RESOLVER] }), client, resolver], { externals });
    expect(r.allows('default/client', 'api', API)).toBe(true);
    expect(r.allows('default/client', 'api', Port.tcp(80))).toBe(false);
    expect(r.skipped).toEqual([]);
    expectMatrixAgrees(r, API);
  });

  test('a rule to kube-dns, which the input lacks, while it holds the resolver pod: DENIED, naming the resolver', () => {
    const r = Reachability.fromManifests([fqdnPolicy({ toEndpoints: [KUBE_DNS] }), client, resolver], { externals });
    expect(r.allows('default/client', 'api', API)).toBe(false);
    expect(fqdnSkips(r)[0].reason).toContain('matches none of the input\'s DNS servers (infra/resolver)');
    expect(explainText(r)).toContain('matches none of the input\'s DNS servers (infra/resolver), so the lookups may never reach the proxy');
    expectMatrixAgrees(r, API);
  });

  test('a workload that declares 53/UDP is a DNS server as its pods are', () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'unbound', namespace: 'infra' },
      spec: {
        selector: { matchLabels: { app: 'unbound' } },
        template: {
          metadata: { labels: { app: 'unbound' } },
          spec: { containers: [{ name: 'unbound', ports: [{ containerPort: 53, protocol: 'UDP', name: 'udp-53' }] }] },
        },
      },
    };
    const r = Reachability.fromManifests([fqdnPolicy({ toEndpoints: [KUBE_DNS] }), client, deployment], { externals });
    expect(r.allows('default/client', 'api', API)).toBe(false);
    expect(fqdnSkips(r)[0].reason).toContain('(infra/unbound)');
    const ok = Reachability.fromManifests([fqdnPolicy({ toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'infra', 'k8s:app': 'unbound' } }] }), client, deployment], { externals });
    expect(ok.allows('default/client', 'api', API)).toBe(true);
  });

  test('the cluster DNS given as a model pod without ports is a DNS server by its labels', () => {
    const pods = [{ namespace: 'kube-system', name: 'coredns', labels: { 'k8s-app': 'kube-dns' } }];
    const bad = Reachability.fromManifests([fqdnPolicy({ toEndpoints: [CORE_DNS_LABEL] }), client], { externals, pods });
    expect(bad.allows('default/client', 'api', API)).toBe(false);
    expect(fqdnSkips(bad)[0].reason).toContain('(kube-system/coredns)');
    expectMatrixAgrees(bad, API);
    const good = Reachability.fromManifests([fqdnPolicy({ toEndpoints: [KUBE_DNS] }), client], { externals, pods });
    expect(good.allows('default/client', 'api', API)).toBe(true);
    expectMatrixAgrees(good, API);
  });

  test('the class matrix keeps a DNS server apart from a pod no policy tells from it', () => {
    // `plain` comes first and would stand for both in one class: the classes must not lose the DNS server.
    const plain = pod('infra', 'plain', {});
    const server = pod('infra', 'server', {}, [{ containerPort: 53, protocol: 'UDP' }]);
    const r = Reachability.fromManifests([fqdnPolicy({ toCIDR: ['8.8.8.8/32'] }), client, plain, server], { externals });
    expect(r.allows('default/client', 'api', API)).toBe(false);
    expect(r.matrix(API).isAllowed('default/client', 'api')).toBe(false);
    expectMatrixAgrees(r, API);
  });
});
