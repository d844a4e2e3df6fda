import { Port, Reachability } from '../../src';

/**
 * A CiliumNetworkPolicy is a custom resource. For custom resources the API server PRUNES null values
 * of fields that are not nullable before validating (Kubernetes docs, "Extend the Kubernetes API
 * with CustomResourceDefinitions", Defaulting and Nullable: "null values for fields that either
 * don't specify the nullable flag, or set it to false, will be pruned before defaulting happens";
 * apiextensions-apiserver PruneNonNullableNullsWithoutDefaults). So `ingress: null` (what a Helm
 * template renders for an empty value) is stored as if absent, and the rest of the policy is
 * enforced. The checker instead says "Cilium would reject it ... so it cannot take effect" and the
 * analyser drops the whole policy, deny rules included.
 */
const cnp = (spec: Record<string, unknown>) => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'x', namespace: 'default' }, spec });
const pod = (name: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels: { app: name } }, spec: { nodeName: 'n1', containers: [{ name: 'c' }] } });
const PODS = [pod('a'), pod('b')];
const HTTPS = Port.tcp(443);

test.each([
  ['spec.ingress: null', { endpointSelector: { matchLabels: { app: 'b' } }, ingress: null, ingressDeny: [{ fromEntities: ['all'] }] }],
  ['toPorts: null', { endpointSelector: { matchLabels: { app: 'b' } }, ingressDeny: [{ fromEntities: ['all'], toPorts: null }] }],
  ['matchLabels: null in the subject', { endpointSelector: { matchLabels: null, matchExpressions: [{ key: 'app', operator: 'In', values: ['b'] }] }, ingressDeny: [{ fromEntities: ['all'] }] }],
])('%s is pruned by the API server: the deny still applies', (_what, spec) => {
  const r = Reachability.fromManifests([cnp(spec), ...PODS]);
  // On main: ALLOWED, with the policy skipped as "Cilium would reject it ... cannot take effect".
  expect(r.allows('default/a', 'default/b', HTTPS)).toBe(false);
});

test('a null list item is not pruned: the policy is still refused', () => {
  const r = Reachability.fromManifests([cnp({ endpointSelector: { matchLabels: { app: 'b' } }, ingressDeny: [null] }), ...PODS]);
  expect(r.skipped.some((s) => s.reason.includes('would reject'))).toBe(true);
});
