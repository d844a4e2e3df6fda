import { Port, Reachability } from '../../src';

/**
 * Cilium selectors on namespace labels (`k8s:io.cilium.k8s.namespace.labels.<key>`, docs.cilium.io
 * "Using Kubernetes Constructs In Policy") over a namespace the input has no Namespace object for:
 * its labels but `kubernetes.io/metadata.name` are unknown. Such a selector may select the pod or
 * not, so it is read fail closed, as the tiers read it: a deny rule (or a subject's isolation and
 * deny rules) applies, an allow rule does not; `explain` says so, and names the fix. With the
 * Namespace objects given, the same selectors are decided both ways (the control).
 */

const cnp = (name: string, spec: Record<string, unknown>, namespace = 'shop') => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name, namespace }, spec });
const ccnp = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name }, spec });
const pod = (namespace: string, name: string, ip: string) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels: { app: name } }, spec: { containers: [{ name: 'c', ports: [{ containerPort: 80 }] }] }, status: { podIP: ip },
});
const ns = (name: string, labels: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
const HTTP = Port.tcp(80);
const TEAM = 'k8s:io.cilium.k8s.namespace.labels.team';
// In a CiliumNetworkPolicy a peer selector without the namespace key is read in the policy's namespace.
const ANY_NS = { key: 'k8s:io.kubernetes.pod.namespace', operator: 'Exists' };
const pods = [pod('shop', 'web', '10.0.0.1'), pod('blog', 'client', '10.0.0.2')];

/** Every pair of the model on `port`: the matrix equals the pair verdict. */
function expectMatrixAgrees(r: Reachability, port: Port): void {
  const m = r.matrix(port);
  for (const from of r.endpoints) {
    for (const to of r.endpoints) expect(`${from} -> ${to}: ${m.isAllowed(from, to)}`).toBe(`${from} -> ${to}: ${r.allows(from, to, port)}`);
  }
}

describe('a deny rule on a namespace label the input does not give', () => {
  // Ingress of shop/web is open to every endpoint; the deny names namespaces of team red.
  const policy = cnp('deny-red', {
    endpointSelector: { matchLabels: { app: 'web' } },
    ingress: [{ fromEntities: ['all'] }],
    ingressDeny: [{ fromEndpoints: [{ matchLabels: { [TEAM]: 'red' }, matchExpressions: [ANY_NS] }] }],
  });

  test('is taken to deny, and explain says why and how to decide it', () => {
    const r = Reachability.fromManifests([...pods, policy]);
    expect(r.allows('blog/client', 'shop/web', HTTP)).toBe(false);
    const notes = r.explain('blog/client', 'shop/web', HTTP).notes.join('\n');
    expect(notes).toMatch(/is applied fail closed: its selector fromEndpoints .* may match blog\/client, so it is taken to deny/);
    expect(notes).toMatch(/namespace blog has no Namespace object in the input/);
    expect(notes).toMatch(/--surroundings/);
    expectMatrixAgrees(r, HTTP);
  });

  test('with the Namespace objects given it is decided both ways', () => {
    const blue = Reachability.fromManifests([ns('shop', { team: 'blue' }), ns('blog', { team: 'blue' }), ...pods, policy]);
    expect(blue.allows('blog/client', 'shop/web', HTTP)).toBe(true);
    expect(blue.explain('blog/client', 'shop/web', HTTP).notes).toEqual([]);
    const red = Reachability.fromManifests([ns('shop', { team: 'blue' }), ns('blog', { team: 'red' }), ...pods, policy]);
    expect(red.allows('blog/client', 'shop/web', HTTP)).toBe(false);
    expectMatrixAgrees(blue, HTTP);
    expectMatrixAgrees(red, HTTP);
  });

  test('a requirement the name label settles stays decided without the Namespace object', () => {
    const byName = cnp('deny-shop', {
      endpointSelector: { matchLabels: { app: 'web' } },
      ingress: [{ fromEntities: ['all'] }],
      ingressDeny: [{ fromEndpoints: [{ matchLabels: { 'k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name': 'shop' }, matchExpressions: [ANY_NS] }] }],
    });
    const r = Reachability.fromManifests([...pods, byName]);
    expect(r.allows('blog/client', 'shop/web', HTTP)).toBe(true);
    expect(r.explain('blog/client', 'shop/web', HTTP).notes.join('\n')).not.toMatch(/fail closed/);
    expectMatrixAgrees(r, HTTP);
  });
});

describe('an allow rule on a namespace label the input does not give', () => {
  const policy = cnp('allow-not-red', {
    endpointSelector: { matchLabels: { app: 'web' } },
    ingress: [{ fromEndpoints: [{ matchExpressions: [{ key: TEAM, operator: 'NotIn', values: ['red'] }, ANY_NS] }] }],
  });

  test('is taken not to allow (NotIn on an unknown label is not taken as met)', () => {
    const r = Reachability.fromManifests([...pods, policy]);
    expect(r.allows('blog/client', 'shop/web', HTTP)).toBe(false);
    expect(r.explain('blog/client', 'shop/web', HTTP).notes.join('\n')).toMatch(/is taken not to allow blog\/client \(fail closed\).*namespace blog has no Namespace object/);
    expectMatrixAgrees(r, HTTP);
  });

  test('with the Namespace objects given it allows the namespaces it names, and only those', () => {
    const r = Reachability.fromManifests([ns('shop', { team: 'red' }), ns('blog', { team: 'blue' }), ...pods, pod('shop', 'other', '10.0.0.3'), policy]);
    expect(r.allows('blog/client', 'shop/web', HTTP)).toBe(true);
    expect(r.allows('shop/other', 'shop/web', HTTP)).toBe(false);
    expectMatrixAgrees(r, HTTP);
  });
});

describe('a cluster-wide subject on a namespace label the input does not give', () => {
  // Every pod of team red namespaces is isolated in ingress and may be reached from team red only.
  const policy = ccnp('red-only', {
    endpointSelector: { matchLabels: { [TEAM]: 'red' } },
    ingress: [{ fromEndpoints: [{ matchLabels: { [TEAM]: 'red' } }] }],
  });

  test('is read fail closed: its isolation applies, its allows do not', () => {
    const r = Reachability.fromManifests([...pods, pod('shop', 'api', '10.0.0.3'), policy]);
    expect(r.allows('shop/api', 'shop/web', HTTP)).toBe(false);
    expect(r.allows('blog/client', 'shop/web', HTTP)).toBe(false);
    expect(r.explain('shop/api', 'shop/web', HTTP).notes.join('\n')).toMatch(/its endpointSelector .* may select shop\/web, and is read fail closed: it isolates shop\/web in ingress/);
    expectMatrixAgrees(r, HTTP);
  });

  test('with the Namespace objects given: red reaches red, blue is not isolated', () => {
    const r = Reachability.fromManifests([ns('shop', { team: 'red' }), ns('blog', { team: 'blue' }), ...pods, pod('shop', 'api', '10.0.0.3'), policy]);
    expect(r.allows('shop/api', 'shop/web', HTTP)).toBe(true);
    expect(r.allows('blog/client', 'shop/web', HTTP)).toBe(false);
    expect(r.allows('shop/web', 'blog/client', HTTP)).toBe(true);
    expectMatrixAgrees(r, HTTP);
  });
});
