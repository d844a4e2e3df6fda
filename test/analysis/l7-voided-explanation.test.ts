import { Port, Reachability, TextFormat } from '../../src';

/**
 * README (Beyond NetworkPolicy, HTTP rules): "Cilium adds up every allow of the same pods, and a
 * plain allow voids the HTTP rules of the traffic it shares with them" (docs.cilium.io Layer 7:
 * an L3/L4-only allow of the same peer and port wildcards the L7 rules). The synth refuses such
 * pairs, but the analyser, given them as input, explains the connection with "(L7 rules apply)":
 * the reader is told requests are filtered when every request passes.
 */
const cnp = (name: string, ingress: unknown[]) => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name, namespace: 'default' }, spec: { endpointSelector: { matchLabels: { app: 'b' } }, ingress } });
const pod = (name: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels: { app: name } }, spec: { nodeName: 'n1', containers: [{ name: 'c' }] } });
const http = cnp('get-only', [{ fromEndpoints: [{ matchLabels: { app: 'a' } }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } }] }]);
const HTTPS = Port.tcp(443);

test.each([
  ['a NetworkPolicy allowing 443 from everyone', { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'open', namespace: 'default' }, spec: { podSelector: { matchLabels: { app: 'b' } }, policyTypes: ['Ingress'], ingress: [{ ports: [{ port: 443 }] }] } }],
  ['a CNP fromEntities cluster', cnp('cluster', [{ fromEntities: ['cluster'] }])],
])('with %s, the HTTP rules are void: the explanation does not say they apply', (_what, plain) => {
  const r = Reachability.fromManifests([http, plain, pod('a'), pod('b')]);
  const text = TextFormat.explanation(r.explain('default/a', 'default/b', HTTPS));
  expect(r.allows('default/a', 'default/b', HTTPS)).toBe(true);
  // On main: "... CiliumNetworkPolicy default/get-only ingress[0] (L7 rules apply)".
  expect(text).not.toMatch(/\(L7 rules apply\)/);
  expect(text).toMatch(/CiliumNetworkPolicy default\/get-only ingress\[0\] \(L7 rules voided by /);
});

test('alone, the HTTP rules apply and the explanation says so', () => {
  const r = Reachability.fromManifests([http, pod('a'), pod('b')]);
  expect(TextFormat.explanation(r.explain('default/a', 'default/b', HTTPS))).toMatch(/get-only ingress\[0\] \(L7 rules apply\)/);
});
