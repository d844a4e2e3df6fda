import { Port, Reachability } from '../../src';
import { API_EXTERNAL, fqdnPolicy, KUBE_DNS, pod, UDP53 } from '../fixtures/cilium-objects';

/**
 * R17-01: `Reachability.diff` with Cilium policies (the "whole" path of
 * src/analysis/incremental-diff.ts) must compute each snapshot's class matrix over that snapshot's
 * own classes. Cilium's DNS visibility (cilium-semantics.ts `dnsVisibility`) looks through the
 * cluster's endpoints for a DNS server the lookups reach: a DNS server that exists only after the
 * change, borrowed into the before universe, made the before lookups "seen", so the connection the
 * change opens (client -> api.example.com:443, denied before, allowed after, as `allows` says on
 * each side) was missing from the diff, and, reversed, the closed one.
 */
const toApi = fqdnPolicy({ toEndpoints: [KUBE_DNS] });
const policy = {
  ...toApi,
  spec: {
    ...toApi.spec,
    // The lookups to the zone-a DNS server are dropped.
    egressDeny: [{ toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'zone': 'a' } }], toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }] }] }],
  },
};
const client = pod('default', 'client', { app: 'client' }, UDP53);
const dnsA = pod('kube-system', 'dns-a', { 'k8s-app': 'kube-dns', 'zone': 'a' }, UDP53);
const dnsB = pod('kube-system', 'dns-b', { 'k8s-app': 'kube-dns', 'zone': 'b' }, UDP53);
const externals = [API_EXTERNAL];
// Before: only the dropped server. After: only a reachable one (a pod's lookups may go to any DNS
// server of the input, so the dropped one must be gone for the name to be seen).
const before = Reachability.fromManifests([policy, client, dnsA], { externals });
const after = Reachability.fromManifests([policy, client, dnsB], { externals });

test('pair verdicts: denied before (only the dropped server), allowed after (the reachable server instead)', () => {
  expect(before.allows('default/client', 'api', Port.tcp(443))).toBe(false);
  expect(after.allows('default/client', 'api', Port.tcp(443))).toBe(true);
});

test('the diff lists the opened connection client -> api on 443/TCP', () => {
  const d = Reachability.diff(before, after);
  expect(d.opened.map((c) => `${c.from} -> ${c.to} ${c.ports.join(' ')}`)).toContain('default/client -> api 443/TCP');
});

test('reversed, the diff lists the closed connection', () => {
  const d = Reachability.diff(after, before);
  expect(d.closed.map((c) => `${c.from} -> ${c.to} ${c.ports.join(' ')}`)).toContain('default/client -> api 443/TCP');
});
