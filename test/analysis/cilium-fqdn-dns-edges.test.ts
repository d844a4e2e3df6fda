import { expectMatrixAgrees } from './matrix-agrees';
import { Port, Reachability, SkipCategory, TextFormat } from '../../src';
import { API, API_EXTERNAL, explainText, fqdnPolicy, fqdnSkips, KUBE_DNS, np, pod, UDP53 } from '../fixtures/cilium-objects';

/**
 * Issue 15, an edge of the DNS path of Cilium FQDN egress (`dnsVisibility`):
 * a pod that declares 53/UDP is a DNS server of the input, but its lookups go to the resolver of
 * its resolv.conf (the cluster DNS, for the default dnsPolicy ClusterFirst), never to itself: its
 * DNS rule must not be read as reaching itself where the real DNS server drops the lookups.
 */

/** A NetworkPolicy isolating the kube-dns pods in ingress, admitting 53/UDP from the namespace `from` only. */
const dnsIngress = (from: string) => np('dns-ingress', 'kube-system', {
  podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
  policyTypes: ['Ingress'],
  ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': from } } }], ports: [{ port: 53, protocol: 'UDP' }] }],
});

/** The client declares 53/UDP: it is a DNS server of the input itself (a resolver sidecar, a DNS test pod). */
const dnsClient = pod('default', 'client', { app: 'client' }, UDP53);
const coredns = pod('kube-system', 'coredns', { 'k8s-app': 'kube-dns' }, UDP53);
const externals = [API_EXTERNAL];

describe('a source that declares 53/UDP is not its own DNS server', () => {
  test.each([
    ['toEntities: cluster', { toEntities: ['cluster'] }],
    ['a rule of ports only', {}],
  ])('a DNS rule by %s, the cluster DNS drops the lookups: DENIED, explain names the cluster DNS', (_what, peer) => {
    const r = Reachability.fromManifests([fqdnPolicy(peer), dnsClient, coredns, dnsIngress('monitoring')], { externals });
    expect(r.allows('default/client', 'api', API)).toBe(false);
    expect(r.allows('default/client', 'kube-system/coredns', Port.udp(53))).toBe(false);
    const why = explainText(r);
    expect(why).toContain('DENIED');
    expect(why).toContain('never sees default/client look it up, so it learns no address: the lookups to kube-system/coredns on 53/UDP');
    expect(why).toContain('at the ingress of kube-system/coredns');
    expectMatrixAgrees(r, API, Port.udp(53));
  });

  test.each([
    ['toEntities: cluster', { toEntities: ['cluster'] }],
    ['a rule of ports only', {}],
  ])('a DNS rule by %s, the cluster DNS admits the lookups: ALLOWED, its other ports denied', (_what, peer) => {
    const r = Reachability.fromManifests([fqdnPolicy(peer), dnsClient, coredns, dnsIngress('default')], { externals });
    expect(r.allows('default/client', 'api', API)).toBe(true);
    expect(r.allows('default/client', 'api', Port.tcp(80))).toBe(false);
    expect(r.explain('default/client', 'api', API).notes).toEqual([]);
    expect(fqdnSkips(r)).toEqual([]);
    expectMatrixAgrees(r, API, Port.udp(53));
  });

  test('a DNS rule to its own labels only misses the cluster DNS: DENIED, left out, naming kube-system/coredns only', () => {
    const self = { toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'default', 'k8s:app': 'client' } }] };
    const r = Reachability.fromManifests([fqdnPolicy(self), dnsClient, coredns], { externals });
    expect(r.allows('default/client', 'api', API)).toBe(false);
    const skipped = fqdnSkips(r);
    expect(skipped).toHaveLength(1);
    expect(skipped[0].category).toBe(SkipCategory.NOT_MODELLED);
    expect(skipped[0].reason).toContain('matches none of the input\'s DNS servers (kube-system/coredns)');
    expect(explainText(r)).toContain('matches none of the input\'s DNS servers (kube-system/coredns), so the lookups may never reach the proxy');
    expectMatrixAgrees(r, API, Port.udp(53));
    // The same rule to the cluster DNS: seen, allowed.
    const good = Reachability.fromManifests([fqdnPolicy({ toEndpoints: [KUBE_DNS] }), dnsClient, coredns], { externals });
    expect(good.allows('default/client', 'api', API)).toBe(true);
    expectMatrixAgrees(good, API);
  });

  test('the source the only DNS server of the input: read as an input without one (the cluster DNS is not in it)', () => {
    const r = Reachability.fromManifests([fqdnPolicy({ toEndpoints: [KUBE_DNS] }), dnsClient], { externals });
    expect(r.allows('default/client', 'api', API)).toBe(true);
    expect(r.allows('default/client', 'api', Port.tcp(80))).toBe(false);
    expect(fqdnSkips(r)).toEqual([]);
    expectMatrixAgrees(r, API);
  });

  test('two pods that declare 53/UDP ask each other, not themselves: the class matrix keeps them apart', () => {
    const one = pod('default', 'client-1', { app: 'client' }, UDP53);
    const two = pod('default', 'client-2', { app: 'client' }, UDP53);
    const r = Reachability.fromManifests([fqdnPolicy({ toEntities: ['cluster'] }), one, two, coredns, dnsIngress('default')], { externals });
    // client-1's lookups may go to client-2 or the cluster DNS, and both answer: seen.
    expect(r.allows('default/client-1', 'api', API)).toBe(true);
    expect(r.allows('default/client-2', 'api', API)).toBe(true);
    expect(r.allows('default/client-1', 'api', Port.tcp(80))).toBe(false);
    expectMatrixAgrees(r, API, Port.udp(53));
    // The cluster DNS drops them: client-2 alone answering does not make the name seen (undecided).
    const dropped = Reachability.fromManifests([fqdnPolicy({ toEntities: ['cluster'] }), one, two, coredns, dnsIngress('monitoring')], { externals });
    expect(dropped.allows('default/client-1', 'api', API)).toBe(false);
    expect(dropped.allows('default/client-2', 'api', API)).toBe(false);
    expect(TextFormat.explanation(dropped.explain('default/client-1', 'api', API))).toContain('get through to default/client-2 only, not to kube-system/coredns');
    expectMatrixAgrees(dropped, API, Port.udp(53));
  });
});
