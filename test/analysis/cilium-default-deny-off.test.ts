import { Port, Reachability, TextFormat } from '../../src';

/**
 * R13. cilium/cilium pkg/policy/api rule.go, EnableDefaultDeny: with `ingress: false` the policy's
 * rules still add allows, without isolating. The explanation said "no policy selects it", sending a
 * reader hunting for "why is my CNP not applied" away from the policy that does select the pod.
 */
const cnp = (enableDefaultDeny: Record<string, boolean> | undefined) => ({
  apiVersion: 'cilium.io/v2',
  kind: 'CiliumNetworkPolicy',
  metadata: { name: 'soft', namespace: 'default' },
  spec: { endpointSelector: { matchLabels: { app: 'b' } }, ...(enableDefaultDeny ? { enableDefaultDeny } : {}), ingress: [{ fromEndpoints: [{ matchLabels: { app: 'zz' } }] }] },
});
const pod = (name: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels: { app: name } }, spec: { nodeName: 'n1', containers: [{ name: 'c' }] } });
const HTTPS = Port.tcp(443);

test('enableDefaultDeny ingress false: allowed, and the explanation names the policy that selects it', () => {
  const r = Reachability.fromManifests([cnp({ ingress: false }), pod('a'), pod('b')]);
  expect(r.allows('default/a', 'default/b', HTTPS)).toBe(true);
  const e = r.explain('default/a', 'default/b', HTTPS);
  expect(e.ingress.selectedWithoutDefaultDeny).toEqual(['CiliumNetworkPolicy default/soft']);
  const text = TextFormat.explanation(e);
  expect(text).toMatch(/not isolated \(selected by CiliumNetworkPolicy default\/soft with enableDefaultDeny\.ingress: false/);
  expect(text).not.toMatch(/no policy selects it for ingress/);
  // Egress of a is selected by nothing: said as before.
  expect(text).toMatch(/no policy selects it for egress/);
});

test('with default deny (the default), the same policy isolates and denies', () => {
  const r = Reachability.fromManifests([cnp(undefined), pod('a'), pod('b')]);
  expect(r.allows('default/a', 'default/b', HTTPS)).toBe(false);
  expect(r.explain('default/a', 'default/b', HTTPS).ingress.selectedWithoutDefaultDeny).toBeUndefined();
});
