import { expectMatrixAgrees } from './matrix-agrees';
import { Port, Reachability } from '../../src';
import { ccnp, namespace as ns } from '../fixtures/cilium-objects';

/**
 * Cilium selectors on namespace labels (`k8s:io.cilium.k8s.namespace.labels.<key>`, docs.cilium.io
 * "Using Kubernetes Constructs In Policy") over a namespace the input has no Namespace object for:
 * its labels but `kubernetes.io/metadata.name` are unknown. Such a selector may select the pod or
 * not, so it is read fail closed, as the tiers read it: a deny rule (or a subject's isolation and
 * deny rules) applies, an allow rule does not; `explain` says so, and names the fix. With the
 * Namespace objects given, the same selectors are decided both ways (the control).
 */

const cnp = (name: string, spec: Record<string, unknown>, namespace = 'shop') => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name, namespace }, spec });
const pod = (namespace: string, name: string, ip: string) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels: { app: name } }, spec: { containers: [{ name: 'c', ports: [{ containerPort: 80 }] }] }, status: { podIP: ip },
});
const HTTP = Port.tcp(80);
const TEAM = 'k8s:io.cilium.k8s.namespace.labels.team';
// In a CiliumNetworkPolicy a peer selector without the namespace key is read in the policy's namespace.
const ANY_NS = { key: 'k8s:io.kubernetes.pod.namespace', operator: 'Exists' };
const pods = [pod('shop', 'web', '10.0.0.1'), pod('blog', 'client', '10.0.0.2')];

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

describe('the class matrix and the diff read a guessed subject as the pair verdict does', () => {
  // shop/web is isolated by iso (an allow of nobody); red's allow of api applies only if shop is red.
  const iso = cnp('iso', { endpointSelector: { matchLabels: { app: 'web' } }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'nobody' } }] }] });
  const red = ccnp('red', { endpointSelector: { matchLabels: { [TEAM]: 'red' } }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'api' } }] }] });
  const input = [pod('shop', 'web', '10.0.0.1'), pod('shop', 'api', '10.0.0.3'), iso, red];

  test('an allow of a subject that may not select the pod does not open it, in the matrix too', () => {
    const r = Reachability.fromManifests(input);
    expect(r.allows('shop/api', 'shop/web', HTTP)).toBe(false);
    expect(r.matrix(HTTP).isAllowed('shop/api', 'shop/web')).toBe(false);
    expectMatrixAgrees(r, HTTP);
    // Known red, the allow applies; known blue, it does not.
    expect(Reachability.fromManifests([ns('shop', { team: 'red' }), ...input]).matrix(HTTP).isAllowed('shop/api', 'shop/web')).toBe(true);
    expect(Reachability.fromManifests([ns('shop', { team: 'blue' }), ...input]).matrix(HTTP).isAllowed('shop/api', 'shop/web')).toBe(false);
  });

  test('a diff from a snapshot with the Namespace object to one without opens nothing', () => {
    const before = Reachability.fromManifests([ns('shop', { team: 'blue' }), ...input]);
    const after = Reachability.fromManifests(input);
    const diff = Reachability.diff(before, after);
    expect(diff.opened.map((c) => `${c.from} -> ${c.to}`)).not.toContain('shop/api -> shop/web');
  });

  test('an egress allow of a guessed subject next to an isolating policy', () => {
    const out = cnp('out', { endpointSelector: { matchLabels: { app: 'api' } }, egress: [{ toEndpoints: [{ matchLabels: { app: 'nobody' } }] }] });
    const wide = ccnp('not-red', { endpointSelector: { matchExpressions: [{ key: TEAM, operator: 'DoesNotExist' }] }, egress: [{ toEntities: ['all'] }] });
    const r = Reachability.fromManifests([pod('shop', 'web', '10.0.0.1'), pod('shop', 'api', '10.0.0.3'), out, wide]);
    expect(r.allows('shop/api', 'shop/web', HTTP)).toBe(false);
    expectMatrixAgrees(r, HTTP);
  });
});

describe('a NetworkPolicy namespace selector the known labels do not settle', () => {
  const np = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'not-red', namespace: 'shop' },
    spec: { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'NotIn', values: ['red'] }] } }] }] },
  };

  test('does not allow (NotIn on an unknown label is not taken as met), and the note says so', () => {
    const r = Reachability.fromManifests([...pods, np]);
    expect(r.allows('blog/client', 'shop/web', HTTP)).toBe(false);
    expect(r.explain('blog/client', 'shop/web', HTTP).notes.join('\n')).toMatch(/namespace blog has no Namespace object .* read fail closed \(an allow does not apply, a deny does\)/);
    expectMatrixAgrees(r, HTTP);
  });

  test('with the Namespace objects given it is decided both ways', () => {
    const blue = Reachability.fromManifests([ns('shop', {}), ns('blog', { team: 'blue' }), ...pods, np]);
    expect(blue.allows('blog/client', 'shop/web', HTTP)).toBe(true);
    const red = Reachability.fromManifests([ns('shop', {}), ns('blog', { team: 'red' }), ...pods, np]);
    expect(red.allows('blog/client', 'shop/web', HTTP)).toBe(false);
    expectMatrixAgrees(blue, HTTP);
    expectMatrixAgrees(red, HTTP);
  });
});

describe('a DNS rule that may match a DNS server of the input, or not', () => {
  const coredns = { ...pod('kube-system', 'coredns', '10.0.0.53'), metadata: { name: 'coredns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } } };
  const policy = cnp('fqdn', {
    endpointSelector: { matchLabels: { app: 'web' } },
    egress: [
      { toEndpoints: [{ matchLabels: { [TEAM]: 'infra', 'k8s-app': 'kube-dns' }, matchExpressions: [ANY_NS] }], toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }] },
      { toFQDNs: [{ matchName: 'api.example.com' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] },
    ],
  });
  const options = { externals: [{ name: 'api', ip: '203.0.113.7', dnsName: 'api.example.com' }] };

  test('leaves the toFQDNs rule out instead of taking the lookups as seen', () => {
    const r = Reachability.fromManifests([pod('shop', 'web', '10.0.0.1'), coredns, policy], options);
    expect(r.allows('shop/web', 'api', Port.tcp(443))).toBe(false);
    expect(r.matrix(Port.tcp(443)).isAllowed('shop/web', 'api')).toBe(false);
    const skipped = r.skipped.map((s) => s.reason).join('\n');
    expect(skipped).toMatch(/may match the DNS server kube-system\/coredns, or not \(namespace kube-system has no Namespace object/);
  });

  test('with kube-system known as infra, the lookups are seen and the name is reached', () => {
    const r = Reachability.fromManifests([ns('kube-system', { team: 'infra' }), pod('shop', 'web', '10.0.0.1'), coredns, policy], options);
    expect(r.allows('shop/web', 'api', Port.tcp(443))).toBe(true);
    expect(r.allows('shop/web', 'api', Port.tcp(80))).toBe(false);
  });
});

test('the reason of a selector undecided twice names both parts', () => {
  const policy = cnp('deny-red', {
    endpointSelector: { matchLabels: { app: 'web' } },
    ingress: [{ fromEntities: ['all'] }],
    ingressDeny: [{ fromEndpoints: [{ matchLabels: { [TEAM]: 'red', 'pod-template-hash': 'abc' }, matchExpressions: [ANY_NS] }] }],
  });
  const client = { ...pods[1], metadata: { name: 'client', namespace: 'blog', labels: { 'app': 'client', 'pod-template-hash': 'abc' } } };
  const r = Reachability.fromManifests([pods[0], client, policy]);
  expect(r.allows('blog/client', 'shop/web', HTTP)).toBe(false);
  const notes = r.explain('blog/client', 'shop/web', HTTP).notes.join('\n');
  expect(notes).toMatch(/pod-template-hash/);
  expect(notes).toMatch(/namespace blog has no Namespace object in the input, so its labels other than/);
});
