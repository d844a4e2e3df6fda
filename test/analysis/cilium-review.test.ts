import { expectMatrixAgrees } from './matrix-agrees';
import { Port, Reachability, SkipCategory } from '../../src';
import { namespace as ns } from '../fixtures/cilium-objects';

/**
 * Two ways the analyser proved an isolation (or a deny) Cilium does not enforce, and the fix:
 *
 * 1. Labels outside a pod's Cilium identity. Cilium's label filter leaves keys such as
 *    pod-template-hash, controller-revision-hash, statefulset.kubernetes.io/pod-name and other
 *    kubernetes.io / io.kubernetes / k8s.io keys out of the identity by default (docs.cilium.io
 *    "Limiting Identity-Relevant Labels"; cilium/cilium pkg/labels/filter.go), so a selector on one
 *    selects no endpoint, though the pod carries the label. The filter is configured per cluster,
 *    so the model cannot know: the selector is read fail closed (a deny where it may match, an
 *    allow nowhere, a subject isolating the pods it may select), with the reason said.
 * 2. The subject's namespace key. ParseToCiliumRule (cilium/cilium
 *    pkg/k8s/apis/cilium.io/utils/utils.go) overwrites only `k8s:io.kubernetes.pod.namespace` with
 *    the policy's namespace; a bare (or `any:`) `io.kubernetes.pod.namespace` stays as a second
 *    requirement, so one naming another namespace selects no pod.
 */
const pod = (name: string, labels: Record<string, string>, ip: string, namespace = 'default') => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace, labels },
  spec: { containers: [{ name: 'c', ports: [{ containerPort: 80 }] }] },
  status: { podIP: ip },
});
const cnp = (spec: Record<string, unknown>, name = 'x') => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name, namespace: 'default' }, spec });
const ccnp = (spec: Record<string, unknown>) => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'cw' }, spec });
const BASE = [ns('default'), pod('db-0', { 'app': 'db', 'statefulset.kubernetes.io/pod-name': 'db-0', 'app.kubernetes.io/name': 'db' }, '10.0.0.1'),
  pod('web', { 'app': 'web', 'pod-template-hash': '5d4f8' }, '10.0.0.2')];
const HTTP = Port.tcp(80);

describe('selectors on labels Cilium leaves out of identities by default', () => {
  test('an ingressDeny by pod-template-hash is applied fail closed (denies), with why; a deny by app still denies', () => {
    const r = Reachability.fromManifests([...BASE, cnp({
      endpointSelector: { matchLabels: { app: 'db' } },
      enableDefaultDeny: { ingress: false },
      ingressDeny: [
        { fromEndpoints: [{ matchLabels: { 'pod-template-hash': '5d4f8' } }] },
        { fromEndpoints: [{ matchLabels: { app: 'web' } }], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] },
      ],
    })]);
    expect(r.skipped).toMatchObject([{ object: 'default/x', kind: 'CiliumNetworkPolicy', category: SkipCategory.NOT_MODELLED }]);
    expect(r.skipped[0].reason).toMatch(/^spec\.ingressDeny\[0\]\.fromEndpoints\[0\] is decided fail closed: "pod-template-hash" is not part of a pod's Cilium identity under the default label filter \(!pod-template-hash;/);
    expect(r.skipped[0].reason).toMatch(/the filter is configured per cluster/);
    expect(r.skipped[0].reason).toMatch(/The deny is taken to apply to every end the selector may match/);
    // With the label in the identity Cilium denies: the verdict holds under either configuration.
    expect(r.allows('default/web', 'default/db-0', HTTP)).toBe(false);
    expect(r.allows('default/web', 'default/db-0', Port.tcp(8080))).toBe(false);
    expect(r.allows('default/db-0', 'default/web', HTTP)).toBe(true);
    expect(r.explain('default/web', 'default/db-0', HTTP).notes).toEqual([expect.stringMatching(
      /^CiliumNetworkPolicy default\/x ingressDeny\[0\] is applied fail closed: its selector fromEndpoints pod-template-hash=5d4f8 may match default\/web, so it is taken to deny/)]);
    expectMatrixAgrees(r, HTTP);
  });

  test('an endpointSelector by statefulset.kubernetes.io/pod-name isolates the pods it may select, and its allows count for none', () => {
    const ingress = [{ fromEndpoints: [{ matchLabels: { app: 'web' } }] }];
    const r = Reachability.fromManifests([...BASE, cnp({ endpointSelector: { matchLabels: { 'statefulset.kubernetes.io/pod-name': 'db-0' } }, ingress })]);
    expect(r.skipped).toMatchObject([{ object: 'default/x', category: SkipCategory.NOT_MODELLED }]);
    expect(r.skipped[0].reason).toMatch(/^spec\.endpointSelector is decided fail closed: "statefulset\.kubernetes\.io\/pod-name" is not part of a pod's Cilium identity/);
    expect(r.allows('default/web', 'default/db-0', HTTP)).toBe(false);
    expect(r.allows('default/db-0', 'default/web', HTTP)).toBe(true);
    expect(r.explain('default/web', 'default/db-0', HTTP).notes).toEqual([expect.stringMatching(
      /^CiliumNetworkPolicy default\/x: its endpointSelector \(statefulset\.kubernetes\.io\/pod-name=db-0\) may select default\/db-0, and is read fail closed: it isolates default\/db-0 in ingress/)]);
    expectMatrixAgrees(r, HTTP);

    const control = Reachability.fromManifests([...BASE, cnp({ endpointSelector: { matchLabels: { app: 'db' } }, ingress })]);
    expect(control.skipped).toEqual([]);
    expect(control.allows('default/web', 'default/db-0', HTTP)).toBe(true);
    expect(control.allows('default/db-0', 'default/web', HTTP)).toBe(true);
    expect(control.allows('default/db-0', 'default/db-0', Port.tcp(8080))).toBe(true);
  });

  test('io.kubernetes, k8s.io, controller-revision-hash and annotation keys, in matchLabels or matchExpressions, with or without k8s:, match nothing in an allow', () => {
    const selectors = [
      { matchLabels: { 'k8s:io.kubernetes.container.name': 'c' } },
      { matchLabels: { 'node.k8s.io/zone': 'a', 'k8s.io/x': 'y' } },
      { matchExpressions: [{ key: 'controller-revision-hash', operator: 'DoesNotExist' }] },
      { matchExpressions: [{ key: 'any:annotation.owner', operator: 'DoesNotExist' }] },
      { matchLabels: { 'topology.kubernetes.io/zone': 'a' } },
    ];
    for (const s of selectors) {
      const r = Reachability.fromManifests([...BASE, cnp({ endpointSelector: { matchLabels: { app: 'db' } }, ingress: [{ fromEndpoints: [s] }, { fromEndpoints: [{ matchLabels: { app: 'web' } }], toPorts: [{ ports: [{ port: '80' }] }] }] })]);
      expect(r.skipped.map((x) => x.reason.split(':')[0])).toEqual(['spec.ingress[0].fromEndpoints[0] is decided fail closed']);
      expect(r.skipped[0].reason).toMatch(/In this allow the selector is taken to match nothing/);
      // The modelled rule still decides: web on 80 allowed, on 8080 denied (db is isolated, the undecided allow allows nothing).
      expect(r.allows('default/web', 'default/db-0', HTTP)).toBe(true);
      expect(r.allows('default/web', 'default/db-0', Port.tcp(8080))).toBe(false);
      expectMatrixAgrees(r, Port.tcp(8080));
    }
  });

  test('app.kubernetes.io keys and namespace labels stay modelled (identity-relevant by default)', () => {
    const r = Reachability.fromManifests([...BASE, cnp({
      endpointSelector: { matchLabels: { 'app.kubernetes.io/name': 'db' } },
      // With the namespace key (Exists), which every Cilium release reads the same way (k8s/cilium-peer-scope).
      ingress: [{
        fromEndpoints: [{ matchLabels: { 'io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name': 'default', 'app': 'web' }, matchExpressions: [{ key: 'io.kubernetes.pod.namespace', operator: 'Exists' }] }],
        toPorts: [{ ports: [{ port: '80' }] }],
      }],
    })]);
    expect(r.skipped).toEqual([]);
    expect(r.allows('default/web', 'default/db-0', HTTP)).toBe(true);
    expect(r.allows('default/web', 'default/db-0', Port.tcp(8080))).toBe(false);
    expectMatrixAgrees(r, HTTP);
  });
});

describe('io.kubernetes.pod.namespace in the subject, as ParseToCiliumRule reads it', () => {
  const objects = [ns('default'), ns('other'), pod('a', { app: 'a' }, '10.0.0.1'), pod('b', { app: 'b' }, '10.0.0.2'), pod('c', { app: 'c' }, '10.0.0.3', 'other')];
  const ingress = [{ fromEndpoints: [{ matchLabels: { app: 'nobody' } }] }];

  test('a bare key naming another namespace selects nothing: pods of default stay open', () => {
    const r = Reachability.fromManifests([...objects, cnp({ endpointSelector: { matchLabels: { 'io.kubernetes.pod.namespace': 'other' } }, ingress })]);
    expect(r.skipped).toEqual([]);
    expect(r.allows('default/a', 'default/b', HTTP)).toBe(true);
    expect(r.allows('default/a', 'other/c', HTTP)).toBe(true);
    expectMatrixAgrees(r, HTTP);
  });

  test('an any: key naming another namespace selects nothing either', () => {
    const r = Reachability.fromManifests([...objects, cnp({ endpointSelector: { matchLabels: { 'any:io.kubernetes.pod.namespace': 'other' } }, ingress })]);
    expect(r.allows('default/a', 'default/b', HTTP)).toBe(true);
    expect(r.allows('default/a', 'other/c', HTTP)).toBe(true);
    expectMatrixAgrees(r, HTTP);
  });

  test('a bare key naming the policy\'s own namespace isolates its pods, and only them', () => {
    const r = Reachability.fromManifests([...objects, cnp({ endpointSelector: { matchLabels: { 'io.kubernetes.pod.namespace': 'default' } }, ingress })]);
    expect(r.skipped).toEqual([]);
    expect(r.allows('default/a', 'default/b', HTTP)).toBe(false);
    expect(r.allows('default/a', 'other/c', HTTP)).toBe(true);
    expectMatrixAgrees(r, HTTP);
  });

  test('the k8s: key is overwritten with the policy\'s namespace: pods of default are isolated, not those of other', () => {
    const r = Reachability.fromManifests([...objects, cnp({ endpointSelector: { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'other' } }, ingress })]);
    expect(r.skipped).toEqual([]);
    expect(r.allows('default/a', 'default/b', HTTP)).toBe(false);
    expect(r.allows('default/a', 'other/c', HTTP)).toBe(true);
    expectMatrixAgrees(r, HTTP);
  });

  test('the k8s: key overwritten, a bare key of another namespace still selects nothing', () => {
    const r = Reachability.fromManifests([...objects, cnp({ endpointSelector: { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'default', 'io.kubernetes.pod.namespace': 'other' } }, ingress })]);
    expect(r.allows('default/a', 'default/b', HTTP)).toBe(true);
  });

  test('a clusterwide policy keeps its namespace match: it isolates the pods of that namespace only', () => {
    const r = Reachability.fromManifests([...objects, ccnp({ endpointSelector: { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'other' } }, ingress })]);
    expect(r.skipped).toEqual([]);
    expect(r.allows('default/a', 'other/c', HTTP)).toBe(false);
    expect(r.allows('other/c', 'default/a', HTTP)).toBe(true);
  });
});

describe('two keys of one label (k8s: and without source) are both requirements', () => {
  const objects = [ns('default'), pod('a', { app: 'a' }, '10.0.0.1'), pod('b', { app: 'b' }, '10.0.0.2')];
  const ingress = [{ fromEndpoints: [{ matchLabels: { app: 'nobody' } }] }];

  test('k8s:app a and app b select no pod; k8s:app a and app a select a', () => {
    const none = Reachability.fromManifests([...objects, cnp({ endpointSelector: { matchLabels: { 'k8s:app': 'a', 'app': 'b' } }, ingress })]);
    expect(none.allows('default/a', 'default/b', HTTP)).toBe(true);
    expect(none.allows('default/b', 'default/a', HTTP)).toBe(true);
    expectMatrixAgrees(none, HTTP);
    const a = Reachability.fromManifests([...objects, cnp({ endpointSelector: { matchLabels: { 'k8s:app': 'a', 'app': 'a' } }, ingress })]);
    expect(a.allows('default/b', 'default/a', HTTP)).toBe(false);
    expect(a.allows('default/a', 'default/b', HTTP)).toBe(true);
    expectMatrixAgrees(a, HTTP);
  });
});
