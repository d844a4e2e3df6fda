import { expectMatrixAgrees } from './matrix-agrees';
import { ModelPod, Port, Reachability, TextFormat } from '../../src';
import { cnp, np } from '../fixtures/cilium-objects';

/**
 * toFQDNs learns addresses only from lookups that get an answer (pkg/fqdn: the proxy "populates
 * the lookup cache with IPs from allowed/successful DNS lookups"). A lookup the DNS server's
 * ingress drops gets none, so the DNS path takes both sides of the lookup: the source's egress
 * (through the DNS rule) and the server's ingress, with every kind of policy that applies there.
 */

const KUBE_DNS = { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' } };
const fqdn = cnp('fqdn', {
  endpointSelector: { matchLabels: { app: 'web' } },
  egress: [
    { toEndpoints: [KUBE_DNS], toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }] },
    { toFQDNs: [{ matchName: 'api.example.com' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] },
  ],
}, 'shop');
const dnsIngress = (from: Record<string, unknown>[]) => cnp('dns-in', {
  endpointSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
  ingress: [{ fromEndpoints: from }],
}, 'kube-system');
const pods: ModelPod[] = [
  { namespace: 'shop', name: 'web', labels: { app: 'web' }, ip: '10.0.0.10' },
  { namespace: 'shop', name: 'worker', labels: { app: 'worker' }, ip: '10.0.0.11' },
  { namespace: 'kube-system', name: 'coredns', labels: { 'k8s-app': 'kube-dns' }, ip: '10.0.0.53' },
];
const externals = [{ name: 'api', ip: '203.0.113.7', dnsName: 'api.example.com' }];
const API = Port.tcp(443);
const DNS = Port.udp(53);

function model(manifests: unknown[]): Reachability {
  return Reachability.fromManifests(manifests, { pods, externals });
}

describe('toFQDNs and the DNS server\'s ingress', () => {
  test('the server\'s Cilium ingress admits nobody: the lookups are dropped there, and toFQDNs learns nothing', () => {
    const r = model([fqdn, dnsIngress([{ matchLabels: { app: 'nobody' } }])]);
    expect(r.allows('shop/web', 'kube-system/coredns', DNS)).toBe(false);
    expect(r.allows('shop/web', 'api', API)).toBe(false);
    const notes = r.explain('shop/web', 'api', API).notes.join('\n');
    expect(notes).toContain('Cilium\'s DNS proxy never sees shop/web look it up');
    expect(notes).toContain('kube-system/coredns');
    expect(notes).toContain('ingress');
    expect(notes).toContain('kube-system/dns-in');
    expect(TextFormat.explanation(r.explain('shop/web', 'api', API))).toContain('DENIED');
    expect(r.skipped).toEqual([]);
    expectMatrixAgrees(r, API, DNS);
  });

  test('control: the server\'s ingress admits the source: the lookups get through, and api.example.com:443 is allowed', () => {
    const r = model([fqdn, dnsIngress([{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'shop', 'app': 'web' } }])]);
    expect(r.allows('shop/web', 'kube-system/coredns', DNS)).toBe(true);
    expect(r.allows('shop/web', 'api', API)).toBe(true);
    expect(r.allows('shop/web', 'api', Port.tcp(80))).toBe(false);
    expect(r.explain('shop/web', 'api', API).notes).toEqual([]);
    expect(r.skipped).toEqual([]);
    expectMatrixAgrees(r, API, DNS);
  });

  test('a NetworkPolicy isolates the server without allowing 53/UDP from shop: denied', () => {
    const isolate = np('dns-only-tcp', 'kube-system', {
      podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
      policyTypes: ['Ingress'],
      ingress: [
        { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } } }], ports: [{ port: 53, protocol: 'TCP' }] },
        { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'other' } } }], ports: [{ port: 53, protocol: 'UDP' }] },
      ],
    });
    const r = model([fqdn, isolate]);
    expect(r.allows('shop/web', 'kube-system/coredns', DNS)).toBe(false);
    expect(r.allows('shop/web', 'api', API)).toBe(false);
    const notes = r.explain('shop/web', 'api', API).notes.join('\n');
    expect(notes).toContain('ingress');
    expect(notes).toContain('kube-system/dns-only-tcp');
    expectMatrixAgrees(r, API, DNS);

    // The same NetworkPolicy, allowing 53/UDP from shop: allowed.
    const allowing = np('dns-from-shop', 'kube-system', {
      podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } } }], ports: [{ port: 53, protocol: 'UDP' }] }],
    });
    const ok = model([fqdn, allowing]);
    expect(ok.allows('shop/web', 'api', API)).toBe(true);
    expectMatrixAgrees(ok, API, DNS);
  });

  test('a Cilium ingressDeny of the server drops the lookups, whatever allows them: denied, and the note names the deny rule', () => {
    const deny = cnp('dns-deny', {
      endpointSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
      ingress: [{ fromEntities: ['all'] }],
      ingressDeny: [{ fromEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'shop' } }], toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }] }] }],
    }, 'kube-system');
    const r = model([fqdn, deny]);
    expect(r.allows('shop/web', 'kube-system/coredns', DNS)).toBe(false);
    expect(r.allows('shop/web', 'api', API)).toBe(false);
    const notes = r.explain('shop/web', 'api', API).notes.join('\n');
    expect(notes).toContain('CiliumNetworkPolicy kube-system/dns-deny ingressDeny[0]');
    expectMatrixAgrees(r, API, DNS);
  });

  test('a deny of 53/TCP alone at the server leaves the UDP lookups through: allowed', () => {
    const deny = cnp('dns-deny', {
      endpointSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
      ingress: [{ fromEntities: ['all'] }],
      ingressDeny: [{ fromEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'shop' } }], toPorts: [{ ports: [{ port: '53', protocol: 'TCP' }] }] }],
    }, 'kube-system');
    const r = model([fqdn, deny]);
    expect(r.allows('shop/web', 'kube-system/coredns', DNS)).toBe(true);
    expect(r.allows('shop/web', 'api', API)).toBe(true);
    expectMatrixAgrees(r, API, DNS);
  });

  test('two sources the source side cannot tell apart, one of which the server admits: the classes keep them apart', () => {
    const sources = [
      { namespace: 'shop', name: 'web-a', labels: { app: 'web', tier: 'a' }, ip: '10.0.0.20' },
      { namespace: 'shop', name: 'web-b', labels: { app: 'web', tier: 'b' }, ip: '10.0.0.21' },
      pods[2],
    ];
    const r = Reachability.fromManifests([fqdn, dnsIngress([{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'shop', 'tier': 'a' } }])], { pods: sources, externals });
    expect(r.allows('shop/web-a', 'api', API)).toBe(true);
    expect(r.allows('shop/web-b', 'api', API)).toBe(false);
    expect(r.explain('shop/web-b', 'api', API).notes.join('\n')).toContain('dropped at the ingress of kube-system/coredns');
    expectMatrixAgrees(r, API, DNS);
  });

  test('two DNS servers, one whose ingress drops the lookups: the lookups may go to it, undecided and denied; both dropping: denied', () => {
    // The lookups may go to either replica (the kube-dns Service spreads them): the one that drops
    // them leaves some names unanswered, so the toFQDNs rule is left out, never read as allowed.
    const two = [...pods, { namespace: 'kube-system', name: 'coredns-b', labels: { 'k8s-app': 'kube-dns', 'replica': 'b' }, ip: '10.0.0.54' }];
    const onlyB = cnp('dns-in', {
      endpointSelector: { matchLabels: { 'k8s-app': 'kube-dns', 'replica': 'b' } },
      ingress: [{ fromEndpoints: [{ matchLabels: { app: 'nobody' } }] }],
    }, 'kube-system');
    const r = Reachability.fromManifests([fqdn, onlyB], { pods: two, externals });
    expect(r.allows('shop/web', 'kube-system/coredns-b', DNS)).toBe(false);
    expect(r.allows('shop/web', 'kube-system/coredns', DNS)).toBe(true);
    expect(r.allows('shop/web', 'api', API)).toBe(false);
    expect(r.explain('shop/web', 'api', API).notes.join('\n')).toContain('get through to kube-system/coredns only, not to kube-system/coredns-b');
    expect(r.skipped.filter((s) => s.object === 'shop/fqdn')).toHaveLength(1);
    expectMatrixAgrees(r, API, DNS);
    const both = Reachability.fromManifests([fqdn, dnsIngress([{ matchLabels: { app: 'nobody' } }])], { pods: two, externals });
    expect(both.allows('shop/web', 'api', API)).toBe(false);
    expectMatrixAgrees(both, API, DNS);
  });
});
