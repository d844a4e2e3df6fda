import { ChangeKind, Port, Reachability, TextFormat } from '../../src';

/**
 * `Reachability.diff` / `netpol diff --fail-on any` compares layer 3/4 verdicts only. A change
 * that removes a CiliumNetworkPolicy's HTTP rules (`rules.http`: only GET /v1/health allowed before,
 * every request after) widens what the caller may do (docs.cilium.io "Layer 7 Examples": requests
 * that do not match an HTTP rule are rejected by the proxy), yet the diff is empty and the CI gate
 * exits 0. The analyser knows the rules exist (explain says "(L7 rules apply)"), so the diff must
 * report the change (e.g. as "L7 rules removed on 443/TCP") or say that layer 7 is not compared,
 * never report "0 connections opened" silently.
 */
const cnp = (rules?: Record<string, unknown>) => ({
  apiVersion: 'cilium.io/v2',
  kind: 'CiliumNetworkPolicy',
  metadata: { name: 'b-ingress', namespace: 'default' },
  spec: {
    endpointSelector: { matchLabels: { app: 'b' } },
    ingress: [{ fromEndpoints: [{ matchLabels: { app: 'a' } }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }], ...(rules ? { rules } : {}) }] }],
  },
});
const pod = (name: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels: { app: name } }, spec: { nodeName: 'n1', containers: [{ name: 'c', ports: [{ containerPort: 443 }] }] } });
const PODS = [pod('a'), pod('b')];

test('removing the HTTP rules of an allowed connection is a change the diff reports', () => {
  const before = Reachability.fromManifests([cnp({ http: [{ method: 'GET', path: '/v1/health' }] }), ...PODS]);
  const after = Reachability.fromManifests([cnp(), ...PODS]);
  expect(before.explain('default/a', 'default/b', Port.tcp(443)).allowed).toBe(true);
  // On main: isEmpty is true (nothing opened, nothing closed, no note).
  expect(Reachability.diff(before, after).isEmpty).toBe(false);
});

test('the L7 change names the pair and the port, counts in --fail-on, and only there', () => {
  const before = Reachability.fromManifests([cnp({ http: [{ method: 'GET', path: '/v1/health' }] }), ...PODS]);
  const after = Reachability.fromManifests([cnp(), ...PODS]);
  const d = Reachability.diff(before, after);
  expect(d.opened).toEqual([]);
  expect(d.closed).toEqual([]);
  expect(d.l7Changed.map((c) => [c.from, c.to, c.ports])).toEqual([['default/a', 'default/b', ['443/TCP']]]);
  expect(d.summary).toContain('1 changed at layer 7');
  // b -> a (no L7 rule on either side) and other ports of a -> b (denied) are not L7 changes.
  expect(before.explain('default/b', 'default/a', Port.tcp(443)).allowed).toBe(true);
  expect(after.explain('default/a', 'default/b', Port.tcp(80)).allowed).toBe(false);
  expect(d.unexpected([]).length).toBe(1);
  expect(d.unexpected([{ change: ChangeKind.L7_CHANGED, from: 'default/a', to: 'default/b' }])).toEqual([]);
  expect(d.unexpected([{ change: ChangeKind.OPENED, from: 'default/a', to: 'default/b' }]).length).toBe(1);
});

test('changed HTTP rules are an L7 change; the same rules in another key order are not', () => {
  const get = Reachability.fromManifests([cnp({ http: [{ method: 'GET', path: '/v1/health' }] }), ...PODS]);
  const reordered = Reachability.fromManifests([cnp({ http: [{ path: '/v1/health', method: 'GET' }] }), ...PODS]);
  const post = Reachability.fromManifests([cnp({ http: [{ method: 'POST', path: '/v1/health' }] }), ...PODS]);
  expect(Reachability.diff(get, reordered).isEmpty).toBe(true);
  expect(Reachability.diff(get, post).l7Changed.map((c) => c.to)).toEqual(['default/b']);
  // Adding HTTP rules (narrowing) is reported too: the diff does not decide which way requests go.
  const plain = Reachability.fromManifests([cnp(), ...PODS]);
  expect(Reachability.diff(plain, get).l7Changed.length).toBe(1);
  expect(TextFormat.diff(Reachability.diff(plain, get))).toContain('changed at layer 7');
});
