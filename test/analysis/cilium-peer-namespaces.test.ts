import { Port, Reachability, SkipCategory } from '../../src';
import { ciliumPeerNamespace, CiliumPeerScope, ciliumPeerScope } from '../../src/k8s/cilium-peer-scope';
import { namespace as ns } from '../fixtures/cilium-objects';

/**
 * R17. Where a peer selector of a CiliumNetworkPolicy selects (src/k8s/cilium-peer-scope.ts, from
 * cilium/cilium utils.go getEndpointSelector and selector.go HasKey / HasKeyPrefix, which look at
 * matchLabels AND matchExpressions):
 * - naming the namespace key (`k8s:`, `any:` or no source; matchLabels or any matchExpressions
 *   operator) selects in every namespace by the selector's own requirements, in every release;
 * - testing namespace labels without it: confined to the policy's namespace before
 *   cilium/cilium#30650, not since. Read fail closed per rule (an allow confined, a deny not), and
 *   noted, never left out;
 * - anything else: the policy's namespace.
 */
const cnp = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name, namespace: 'shop' }, spec });
const pod = (namespace: string, name: string, labels: Record<string, string>) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels }, spec: { containers: [{ name: 'c', ports: [{ containerPort: 80 }] }] },
});
const HTTP = Port.tcp(80);
const NS_EXISTS = { key: 'k8s:io.kubernetes.pod.namespace', operator: 'Exists' };
const world = [
  ns('shop', { team: 'red' }), ns('red', { team: 'red' }), ns('blue', { team: 'blue' }),
  pod('shop', 'db', { app: 'db' }), pod('shop', 'web', { app: 'web' }), pod('red', 'web', { app: 'web' }), pod('blue', 'web', { app: 'web' }),
];
const sources = ['shop/web', 'red/web', 'blue/web'];
const allowedFrom = (r: Reachability) => sources.filter((s) => r.allows(s, 'shop/db', HTTP));
const ingress = (peer: Record<string, unknown>) => cnp('db', { endpointSelector: { matchLabels: { app: 'db' } }, ingress: [{ fromEndpoints: [peer], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }] });
const expectMatrixAgrees = (r: Reachability) => {
  const m = r.matrix(HTTP);
  for (const from of r.endpoints) for (const to of r.endpoints) expect(`${from}->${to} ${m.isAllowed(from, to)}`).toBe(`${from}->${to} ${r.allows(from, to, HTTP)}`);
};

describe('the scope of a peer selector', () => {
  test.each([
    [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'red' } }, CiliumPeerScope.ANY_NAMESPACE],
    [{ matchLabels: { 'io.kubernetes.pod.namespace': 'red' } }, CiliumPeerScope.ANY_NAMESPACE],
    [{ matchExpressions: [{ key: 'any:io.kubernetes.pod.namespace', operator: 'NotIn', values: ['x'] }] }, CiliumPeerScope.ANY_NAMESPACE],
    [{ matchExpressions: [NS_EXISTS] }, CiliumPeerScope.ANY_NAMESPACE],
    [{ matchLabels: { 'k8s:io.cilium.k8s.namespace.labels.team': 'red' }, matchExpressions: [NS_EXISTS] }, CiliumPeerScope.ANY_NAMESPACE],
    [{ matchLabels: { 'reserved:host': '' } }, CiliumPeerScope.ANY_NAMESPACE],
    [{ matchLabels: { 'io.cilium.k8s.namespace.labels.team': 'red' } }, CiliumPeerScope.DEPENDS_ON_VERSION],
    [{ matchExpressions: [{ key: 'k8s:io.cilium.k8s.namespace.labels.team', operator: 'DoesNotExist' }] }, CiliumPeerScope.DEPENDS_ON_VERSION],
    [{ matchLabels: { 'container:io.kubernetes.pod.namespace': 'red' } }, CiliumPeerScope.OWN_NAMESPACE],
    [{ matchLabels: { 'io.cilium.k8s.namespace.labelsX': 'red' } }, CiliumPeerScope.OWN_NAMESPACE],
    [{ matchLabels: { app: 'web' } }, CiliumPeerScope.OWN_NAMESPACE],
    [{}, CiliumPeerScope.OWN_NAMESPACE],
  ])('%j: %s', (selector, scope) => {
    expect(ciliumPeerScope(selector as any)).toBe(scope);
  });

  test('the fail-closed namespace: an allow the narrower reading, a deny the wider; a cluster-wide policy none', () => {
    const byLabels = { matchLabels: { 'io.cilium.k8s.namespace.labels.team': 'red' } };
    expect(ciliumPeerNamespace(byLabels, 'shop', false)).toBe('shop');
    expect(ciliumPeerNamespace(byLabels, 'shop', true)).toBeUndefined();
    expect(ciliumPeerNamespace({ matchLabels: { app: 'web' } }, 'shop', true)).toBe('shop');
    expect(ciliumPeerNamespace({ matchLabels: { app: 'web' } }, undefined, false)).toBeUndefined();
  });
});

describe('analysed', () => {
  test('every namespace as the namespace key\'s Exists in matchExpressions: read, not left out, in every namespace', () => {
    const r = Reachability.fromManifests([...world, ingress({ matchLabels: { app: 'web' }, matchExpressions: [NS_EXISTS] })]);
    expect(r.skipped).toEqual([]);
    expect(allowedFrom(r)).toEqual(sources);
    expect(r.allows('shop/db', 'shop/db', HTTP)).toBe(true);
    expectMatrixAgrees(r);
  });

  test('a namespace by name in matchExpressions (In): that namespace only', () => {
    const r = Reachability.fromManifests([...world, ingress({ matchExpressions: [{ key: 'io.kubernetes.pod.namespace', operator: 'In', values: ['red'] }] })]);
    expect(r.skipped).toEqual([]);
    expect(allowedFrom(r)).toEqual(['red/web']);
    expectMatrixAgrees(r);
  });

  test('a negative test of the namespace key (NotIn) is not confined either: every other namespace', () => {
    const r = Reachability.fromManifests([...world, ingress({ matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'NotIn', values: ['blue'] }] })]);
    expect(r.skipped).toEqual([]);
    expect(allowedFrom(r)).toEqual(['shop/web', 'red/web']);
  });

  test('namespace labels with the namespace key: the namespaces whose labels match, in every release', () => {
    const r = Reachability.fromManifests([...world, ingress({ matchLabels: { 'k8s:io.cilium.k8s.namespace.labels.team': 'red', 'app': 'web' }, matchExpressions: [NS_EXISTS] })]);
    expect(r.skipped).toEqual([]);
    expect(allowedFrom(r)).toEqual(['shop/web', 'red/web']);
    expectMatrixAgrees(r);
  });

  test('namespace labels without the namespace key, in an allow: the narrower reading (own namespace), noted', () => {
    const r = Reachability.fromManifests([...world, ingress({ matchLabels: { 'io.cilium.k8s.namespace.labels.team': 'red' } })]);
    // red/web matches the labels, but an older Cilium confines the selector to shop: not proven allowed.
    expect(allowedFrom(r)).toEqual(['shop/web']);
    expect(r.skipped).toHaveLength(1);
    expect(r.skipped[0]).toMatchObject({ object: 'shop/db', category: SkipCategory.NOT_MODELLED, kind: 'CiliumNetworkPolicy' });
    expect(r.skipped[0].reason).toMatch(/^spec\.ingress\[0\]\.fromEndpoints\[0\] is decided fail closed: the selector tests namespace labels .*allow rule, so the verdicts take the narrower reading \(namespace shop only\)/);
    expect(r.skipped[0].reason).toMatch(/add io\.kubernetes\.pod\.namespace to the selector/);
    expectMatrixAgrees(r);
  });

  test('namespace labels without the namespace key, in a deny: the wider reading (every namespace), noted', () => {
    const deny = cnp('web-out', {
      endpointSelector: {},
      egress: [{ toEntities: ['all'] }],
      egressDeny: [{ toEndpoints: [{ matchLabels: { 'io.cilium.k8s.namespace.labels.team': 'red', 'app': 'db' } }] }],
    });
    const objects = [...world, pod('red', 'db', { app: 'db' }), pod('blue', 'db', { app: 'db' }), deny];
    const r = Reachability.fromManifests(objects);
    // A newer Cilium denies red/db too: the deny is taken to apply there; blue's labels do not match.
    expect(r.allows('shop/web', 'shop/db', HTTP)).toBe(false);
    expect(r.allows('shop/web', 'red/db', HTTP)).toBe(false);
    expect(r.allows('shop/web', 'blue/db', HTTP)).toBe(true);
    expect(r.skipped.map((s) => s.reason)).toEqual([expect.stringMatching(/^spec\.egressDeny\[0\]\.toEndpoints\[0\] .*deny rule, so the verdicts take the wider reading \(every namespace\)/)]);
    expectMatrixAgrees(r);
  });

  test('a selector of pod labels only stays in the policy\'s namespace', () => {
    const r = Reachability.fromManifests([...world, ingress({ matchLabels: { app: 'web' } })]);
    expect(r.skipped).toEqual([]);
    expect(allowedFrom(r)).toEqual(['shop/web']);
  });
});
