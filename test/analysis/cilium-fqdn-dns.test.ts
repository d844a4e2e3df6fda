import { expectMatrixAgrees } from './matrix-agrees';
import { Port, Reachability, SkipCategory, TextFormat } from '../../src';
import { API, API_EXTERNAL, ccnp, cnp, explainText, fqdnPolicy as fqdnPolicyTo, KUBE_DNS, pod, UDP53 } from '../fixtures/cilium-objects';

/**
 * Issue 15: toFQDNs matches only names Cilium's DNS proxy saw looked up, and a deny of the pod's
 * egress to the DNS server on the DNS port drops the lookups before the proxy learns an address
 * ("Deny policies take precedence over allow policies", docs.cilium.io "Deny Policies"; pkg/fqdn:
 * the proxy "populates the lookup cache with IPs from allowed/successful DNS lookups").
 */

/** The client's policy, its one DNS rule to the cluster DNS. */
const fqdnPolicy = fqdnPolicyTo({ toEndpoints: [KUBE_DNS] });
const deny = (name: string, rule: Record<string, unknown>) => cnp(name, { endpointSelector: { matchLabels: { app: 'client' } }, egressDeny: [rule] });
// The client declares no ports: a pod that declares 53/UDP is a DNS server of the input (dnsServers),
// and the worlds "without the DNS server in the input" must hold none.
const client = { ...pod('default', 'client', { app: 'client' }), spec: { containers: [{ name: 'c' }] } };
const coredns = pod('kube-system', 'coredns', { 'k8s-app': 'kube-dns' }, UDP53);
const externals = [API_EXTERNAL, { name: 'db', ip: '10.1.2.3' }];

describe('toFQDNs and a deny of the DNS lookups', () => {
  test('control: with the DNS rule and no deny, api.example.com:443 is allowed, another port denied', () => {
    const r = Reachability.fromManifests([fqdnPolicy, client, coredns], { externals });
    expect(r.allows('default/client', 'api', API)).toBe(true);
    expect(r.allows('default/client', 'api', Port.tcp(80))).toBe(false);
    expect(r.explain('default/client', 'api', Port.tcp(80)).notes).toEqual([]);
    expect(r.skipped).toEqual([]);
  });

  test.each([
    ['to kube-dns', { toEndpoints: [KUBE_DNS] }],
    ['to port 53/UDP', { toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }] }] }],
    ['to kube-dns on 53 of any protocol (ANY)', { toEndpoints: [KUBE_DNS], toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }] }] }],
    ['to the cluster', { toEntities: ['cluster'] }],
  ])('an egressDeny %s drops the lookups: the api end is DENIED, and the DNS path is denied by it', (_what, rule) => {
    const r = Reachability.fromManifests([fqdnPolicy, deny('no-dns', rule), client, coredns], { externals });
    expect(r.allows('default/client', 'api', API)).toBe(false);
    const dns = r.explain('default/client', 'kube-system/coredns', Port.udp(53));
    expect(dns.allowed).toBe(false);
    expect(TextFormat.explanation(dns)).toContain('default/no-dns');
    const why = explainText(r);
    expect(why).toContain('DENIED');
    expect(why).toContain('Cilium\'s DNS proxy never sees default/client look it up');
    expect(why).toContain('lookups to kube-system/coredns on 53/UDP by CiliumNetworkPolicy default/to-api spec.egress[1] are denied by CiliumNetworkPolicy default/no-dns egressDeny[0]');
    expect(r.skipped).toEqual([]);
    expectMatrixAgrees(r, API);
  });

  test('a CiliumClusterwideNetworkPolicy deny of the lookups counts the same', () => {
    const cw = ccnp('no-dns', { endpointSelector: { matchLabels: { app: 'client' } }, egressDeny: [{ toEndpoints: [KUBE_DNS] }] });
    const r = Reachability.fromManifests([fqdnPolicy, cw, client, coredns], { externals });
    expect(r.allows('default/client', 'api', API)).toBe(false);
    expectMatrixAgrees(r, API);
  });

  test.each([
    ['to 10.0.0.0/8:5432', { toCIDR: ['10.0.0.0/8'], toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }] }] }],
    ['to kube-dns on 53/TCP only (the DNS rule is UDP)', { toEndpoints: [KUBE_DNS], toPorts: [{ ports: [{ port: '53', protocol: 'TCP' }] }] }],
    ['to other pods', { toEndpoints: [{ matchLabels: { app: 'other' } }] }],
  ])('control: an egressDeny %s says nothing about DNS: the api end stays ALLOWED', (_what, rule) => {
    const r = Reachability.fromManifests([fqdnPolicy, deny('unrelated', rule), client, coredns], { externals });
    expect(r.allows('default/client', 'api', API)).toBe(true);
    expect(r.skipped).toEqual([]);
    expectMatrixAgrees(r, API);
  });

  test('a deny of other pods does not stop the lookups the proxy sees', () => {
    const other = cnp('no-dns', { endpointSelector: { matchLabels: { app: 'other' } }, egressDeny: [{ toEndpoints: [KUBE_DNS] }] });
    const r = Reachability.fromManifests([fqdnPolicy, other, client, coredns], { externals });
    expect(r.allows('default/client', 'api', API)).toBe(true);
  });

  test('the DNS server missing from the input and a deny that may overlap: the toFQDNs rule is left out with why', () => {
    const r = Reachability.fromManifests([fqdnPolicy, deny('no-dns', { toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }] }] }), client], { externals });
    expect(r.allows('default/client', 'api', API)).toBe(false);
    const skipped = r.skipped.filter((s) => s.object === 'default/to-api');
    expect(skipped).toHaveLength(1);
    expect(skipped[0].category).toBe(SkipCategory.NOT_MODELLED);
    expect(skipped[0].reason).toContain('spec.egress[0] is not modelled');
    expect(skipped[0].reason).toContain('default/no-dns');
    expect(skipped[0].reason).toContain('api.example.com');
    expect(r.explain('default/client', 'api', API).notes.join('\n')).toContain('the rule is left out (see the skipped parts)');
  });

  test('the DNS server missing from the input and no deny that can overlap: as before, allowed and nothing left out', () => {
    const r = Reachability.fromManifests([fqdnPolicy, deny('unrelated', { toCIDR: ['10.0.0.0/8'], toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }] }] }), client], { externals });
    expect(r.allows('default/client', 'api', API)).toBe(true);
    expect(r.skipped).toEqual([]);
  });

  test('a DNS rule counts only when no server the lookups may go to is denied', () => {
    const twoServers = [client, coredns, pod('kube-system', 'coredns-2', { 'k8s-app': 'kube-dns', 'replica': 'b' }, UDP53)];
    expect(Reachability.fromManifests([fqdnPolicy, ...twoServers], { externals }).allows('default/client', 'api', API)).toBe(true);
    // One replica's lookups denied: those the Service sends there get no answer, undecided and denied.
    const one = deny('no-dns-a', { toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns', 'k8s:replica': 'b' } }] });
    const r = Reachability.fromManifests([fqdnPolicy, one, ...twoServers], { externals });
    expect(r.allows('default/client', 'api', API)).toBe(false);
    expect(r.skipped.filter((s) => s.object === 'default/to-api')[0].reason).toContain('not to kube-system/coredns-2');
    expectMatrixAgrees(r, API);
    const all = deny('no-dns', { toEndpoints: [KUBE_DNS] });
    expect(Reachability.fromManifests([fqdnPolicy, all, ...twoServers], { externals }).allows('default/client', 'api', API)).toBe(false);
  });

  test('only the port rules with rules.dns reach the proxy: a rule\'s other ports do not keep the lookups seen', () => {
    const mixed = { toEndpoints: [KUBE_DNS], toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }], rules: { dns: [{ matchPattern: '*' }] } }, { ports: [{ port: '8053', protocol: 'TCP' }] }] };
    const policy = cnp('to-api', { endpointSelector: { matchLabels: { app: 'client' } }, egress: [{ toFQDNs: [{ matchName: 'api.example.com' }] }, mixed] });
    const r = Reachability.fromManifests([policy, deny('no-dns', { toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }] }] }), client, coredns], { externals });
    expect(r.allows('default/client', 'api', API)).toBe(false);
    expect(r.allows('default/client', 'kube-system/coredns', Port.tcp(8053))).toBe(true);
  });

  test('a DNS rule on UDP and TCP 53: a deny of UDP alone leaves the names unseen (resolvers ask over UDP); a deny of TCP alone does not', () => {
    const both = { toEndpoints: [KUBE_DNS], toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }] };
    const policy = cnp('to-api', { endpointSelector: { matchLabels: { app: 'client' } }, egress: [{ toFQDNs: [{ matchName: 'api.example.com' }] }, both] });
    const udp = deny('no-udp', { toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }] }] });
    const r = Reachability.fromManifests([policy, udp, client, coredns], { externals });
    expect(r.allows('default/client', 'api', API)).toBe(false);
    expect(r.explain('default/client', 'api', API).notes).toEqual([expect.stringMatching(/never sees default\/client look it up.*on 53\/UDP .* are denied by CiliumNetworkPolicy default\/no-udp egressDeny\[0\]/)]);
    // The lookups over TCP still get through: TCP alone does not make the name seen.
    expect(r.allows('default/client', 'kube-system/coredns', Port.tcp(53))).toBe(true);
    const tcp = deny('no-tcp', { toPorts: [{ ports: [{ port: '53', protocol: 'TCP' }] }] });
    expect(Reachability.fromManifests([policy, tcp, client, coredns], { externals }).allows('default/client', 'api', API)).toBe(true);
    const tcpToo = deny('no-dns', { toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }, { port: '53', protocol: 'TCP' }] }] });
    expect(Reachability.fromManifests([policy, tcpToo, client, coredns], { externals }).allows('default/client', 'api', API)).toBe(false);
  });

  test('a DNS rule of TCP only: the names are unseen, with why and the fix; the same rule on UDP sees them', () => {
    const tcpOnly = { toEndpoints: [KUBE_DNS], toPorts: [{ ports: [{ port: '53', protocol: 'TCP' }], rules: { dns: [{ matchPattern: '*' }] } }] };
    const policy = cnp('to-api', { endpointSelector: { matchLabels: { app: 'client' } }, egress: [{ toFQDNs: [{ matchName: 'api.example.com' }] }, tcpOnly] });
    const r = Reachability.fromManifests([policy, client, coredns], { externals });
    expect(r.skipped).toEqual([]);
    expect(r.allows('default/client', 'api', API)).toBe(false);
    expect(r.explain('default/client', 'api', API).notes).toEqual([expect.stringMatching(/the DNS rule CiliumNetworkPolicy default\/to-api spec\.egress\[1\] covers DNS over TCP only.*Allow 53\/UDP/)]);
    // Without a DNS server in the input either: unseen, never left out as undecided.
    const alone = Reachability.fromManifests([policy, client], { externals });
    expect(alone.skipped).toEqual([]);
    expect(alone.allows('default/client', 'api', API)).toBe(false);
    const udpRule = { ...tcpOnly, toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }], rules: { dns: [{ matchPattern: '*' }] } }] };
    const seen = Reachability.fromManifests([cnp('to-api', { endpointSelector: { matchLabels: { app: 'client' } }, egress: [{ toFQDNs: [{ matchName: 'api.example.com' }] }, udpRule] }), client, coredns], { externals });
    expect(seen.allows('default/client', 'api', API)).toBe(true);
    expectMatrixAgrees(r, API);
  });
});
