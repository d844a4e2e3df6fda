import { Direction, JsonFormat, MarkdownFormat, Port, Reachability, TextFormat } from '../../src';
import { checkInvariants, invariantFailureMessage, InvariantKind } from '../../src/analysis/invariants';

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
  expect(text).toMatch(/not isolated \(selected by CiliumNetworkPolicy default\/soft with enableDefaultDeny\.ingress: false, which does not isolate it: /);
  // Its deny rules still apply (none matches here): the text says so, and does not claim everything is allowed.
  expect(text).toMatch(/its deny rules still apply, but none matches this traffic\), so it is allowed/);
  expect(text).not.toMatch(/enableDefaultDeny\.ingress: false[^\n]*so everything is allowed/);
  expect(text).not.toMatch(/no policy selects it for ingress/);
  // Egress of a is selected by nothing: said as before.
  expect(text).toMatch(/no policy selects it for egress/);
});

test('with default deny (the default), the same policy isolates and denies', () => {
  const r = Reachability.fromManifests([cnp(undefined), pod('a'), pod('b')]);
  expect(r.allows('default/a', 'default/b', HTTPS)).toBe(false);
  expect(r.explain('default/a', 'default/b', HTTPS).ingress.selectedWithoutDefaultDeny).toBeUndefined();
});

/** A deny-only policy (enableDefaultDeny false, as the constructs write one): it selects the pod, does not isolate it, and its deny still denies. */
const denyOnly = {
  apiVersion: 'cilium.io/v2',
  kind: 'CiliumNetworkPolicy',
  metadata: { name: 'deny-only', namespace: 'default' },
  spec: { endpointSelector: { matchLabels: { app: 'b' } }, enableDefaultDeny: { ingress: false }, ingressDeny: [{ fromEndpoints: [{ matchLabels: { app: 'c' } }] }] },
};

test('a deny-only policy: a is allowed (not isolated, the policy named), c denied by its deny rule', () => {
  const r = Reachability.fromManifests([denyOnly, pod('a'), pod('b'), pod('c')]);
  expect(r.allows('default/a', 'default/b', HTTPS)).toBe(true);
  expect(r.allows('default/c', 'default/b', HTTPS)).toBe(false);
  const allowed = TextFormat.explanation(r.explain('default/a', 'default/b', HTTPS));
  expect(allowed).toMatch(/selected by CiliumNetworkPolicy default\/deny-only with enableDefaultDeny\.ingress: false, which does not isolate it: .*its deny rules still apply/);
  expect(TextFormat.explanation(r.explain('default/c', 'default/b', HTTPS))).toMatch(/DENIED by the deny rule CiliumNetworkPolicy default\/deny-only ingressDeny\[0\]/);
});

test('an invariant broken across such a side names the policy and says its deny rules still apply', () => {
  const r = Reachability.fromManifests([denyOnly, pod('a'), pod('b'), pod('c')]);
  const report = checkInvariants(r, [], [{ name: 'a-not-b', kind: InvariantKind.NEVER, from: [{ id: 'default/a' }], to: [{ id: 'default/b' }] }]);
  const [result] = report.results;
  expect(result.holds).toBe(false);
  const message = invariantFailureMessage(result);
  expect(message).toContain('the ingress of default/b is not isolated (CiliumNetworkPolicy default/deny-only selects it with enableDefaultDeny.ingress: false, which does not isolate it; its deny rules still apply, and none matches)');
  expect(message).not.toContain('the ingress of default/b is not isolated (no policy selects it)');
  // The egress of a: nothing selects it.
  expect(message).toContain('the egress of default/a is not isolated (no policy selects it)');
});

test('the exposure of a side a Cilium policy selects without isolating names it; refused where its rules take part', () => {
  // Egress rules only: for ingress it selects the pod, with no default deny and no rules there.
  const egressOnly = {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name: 'egress-only', namespace: 'default' },
    spec: { endpointSelector: { matchLabels: { app: 'b' } }, egress: [{ toEndpoints: [{ matchLabels: { app: 'a' } }] }] },
  };
  const r = Reachability.fromManifests([egressOnly, pod('a'), pod('b')]);
  const e = r.exposure('default/b', Direction.INGRESS);
  expect(e.isolated).toBe(false);
  expect(e.selectedWithoutDefaultDeny).toEqual(['CiliumNetworkPolicy default/egress-only']);
  const words = 'not isolated: CiliumNetworkPolicy default/egress-only selects it but does not isolate it for ingress (enableDefaultDeny.ingress is false';
  expect(TextFormat.exposure(e)).toContain(words);
  expect(TextFormat.exposure(e)).not.toContain('no policy selects it');
  expect(MarkdownFormat.exposure(e)).toContain(words);
  expect(JsonFormat.exposure(e).selectedWithoutDefaultDeny).toEqual(['CiliumNetworkPolicy default/egress-only']);
  // A pod nothing selects: said as before, and no field.
  const a = r.exposure('default/a', Direction.INGRESS);
  expect(a.selectedWithoutDefaultDeny).toBeUndefined();
  expect(TextFormat.exposure(a)).toContain('not isolated (no policy selects it for ingress), so everything is allowed');
  // With deny rules for the side, the exposure cannot be told from NetworkPolicy selectors: refused, naming the policy.
  const d = Reachability.fromManifests([denyOnly, pod('a'), pod('b'), pod('c')]);
  expect(() => d.exposure('default/b', Direction.INGRESS)).toThrow(/CiliumNetworkPolicy default\/deny-only has ingress rules for it/);
});
