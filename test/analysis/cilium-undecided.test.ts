import { expectMatrixAgrees } from './matrix-agrees';
import { Port, Reachability, SkipCategory } from '../../src';
import { cnp as ciliumPolicy, namespace, NODE_N1, servingPod } from '../fixtures/cilium-objects';

/**
 * Review finding R6, third case: a selector whose match the model cannot know (a key Cilium's
 * label filter drops from identities by default, docs.cilium.io "Limiting Identity-Relevant
 * Labels"; a key of another label source; an `io.cilium.k8s.policy.*` key but the service
 * account's) used to leave its whole rule out, so an ingressDeny/egressDeny lost its well-formed
 * selectors too and pairs read "allowed" that Cilium denies. Now each selector is decided on its
 * own, fail closed: a deny applies where it MAY match (the union of both configurations), an allow
 * where it MUST (an undecided selector matches nothing), a subject isolates and denies the pods it
 * may select and allows none.
 */
/** A pod of default on node n1, serving 80/TCP. */
const pod = (name: string, labels: Record<string, string>, ip: string, extra: Record<string, unknown> = {}) => servingPod(name, labels, ip, { nodeName: 'n1', spec: extra });
const cnp = (spec: Record<string, unknown>, name = 'x') => ciliumPolicy(name, spec);
const BASE = [
  namespace('default'), NODE_N1,
  pod('db', { app: 'db' }, '10.0.0.1'),
  // web-1 and web-2 differ only by a filtered label: the classes must tell them apart.
  pod('web-1', { 'app': 'web', 'pod-template-hash': 'aaa' }, '10.0.0.2'),
  pod('web-2', { 'app': 'web', 'pod-template-hash': 'bbb' }, '10.0.0.3'),
  pod('batch', { app: 'batch' }, '10.0.0.4'),
  pod('other', { app: 'other' }, '10.0.0.5'),
];
const HTTP = Port.tcp(80);
const EXTERNALS = [{ name: 'internet', ip: '203.0.113.7' }];

describe('an undecided selector in a deny rule: applied where it may match, the other selectors exactly', () => {
  test('ingressDeny [pod-template-hash=aaa, app=batch] denies web-1 and batch; web-2 and other stay allowed', () => {
    const r = Reachability.fromManifests([...BASE, cnp({
      endpointSelector: { matchLabels: { app: 'db' } },
      enableDefaultDeny: { ingress: false },
      ingressDeny: [{ fromEndpoints: [{ matchLabels: { 'pod-template-hash': 'aaa' } }, { matchLabels: { app: 'batch' } }] }],
    })]);
    expect(r.skipped).toMatchObject([{ object: 'default/x', category: SkipCategory.NOT_MODELLED }]);
    expect(r.skipped[0].reason).toMatch(/^spec\.ingressDeny\[0\]\.fromEndpoints\[0\] is decided fail closed: .*with pod-template-hash in the identity or filtered out/);
    expect(r.allows('default/web-1', 'default/db', HTTP)).toBe(false);
    expect(r.allows('default/batch', 'default/db', HTTP)).toBe(false);
    expect(r.allows('default/web-2', 'default/db', HTTP)).toBe(true);
    expect(r.allows('default/other', 'default/db', HTTP)).toBe(true);
    // The well-formed selector denies exactly, without a note; the undecided one with its reason.
    expect(r.explain('default/batch', 'default/db', HTTP).notes).toEqual([]);
    expect(r.explain('default/web-1', 'default/db', HTTP).ingress.deniedBy).toMatchObject({ policy: 'default/x', direction: 'ingressDeny', rule: 0 });
    expect(r.explain('default/web-1', 'default/db', HTTP).notes).toEqual([expect.stringMatching(/ingressDeny\[0\] is applied fail closed: its selector fromEndpoints pod-template-hash=aaa may match default\/web-1/)]);
    expectMatrixAgrees(r, HTTP);
  });

  test('egressDeny by DoesNotExist on a filtered key denies every web pod (where the label is filtered out none has it)', () => {
    const r = Reachability.fromManifests([...BASE, cnp({
      endpointSelector: { matchLabels: { app: 'db' } },
      enableDefaultDeny: { egress: false },
      egressDeny: [{ toEndpoints: [{ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'pod-template-hash', operator: 'DoesNotExist' }] }] }],
    })]);
    expect(r.allows('default/db', 'default/web-1', HTTP)).toBe(false);
    expect(r.allows('default/db', 'default/web-2', HTTP)).toBe(false);
    expect(r.allows('default/db', 'default/batch', HTTP)).toBe(true);
    expectMatrixAgrees(r, HTTP);
  });

  test('a deny with a reserved: key takes in every end that is not a pod, and the pods meeting its other requirements', () => {
    const r = Reachability.fromManifests([...BASE, cnp({
      endpointSelector: { matchLabels: { app: 'db' } },
      enableDefaultDeny: { ingress: false },
      ingressDeny: [{ fromEndpoints: [{ matchLabels: { 'reserved:host': '', 'app': 'batch' } }] }],
    })], { externals: EXTERNALS });
    expect(r.skipped[0].reason).toMatch(/^spec\.ingressDeny\[0\]\.fromEndpoints\[0\] is decided fail closed: the label source "reserved" of "reserved:host"/);
    expect(r.skipped[0].reason).toMatch(/and every end that is not a pod/);
    expect(r.allows('internet', 'default/db', HTTP)).toBe(false);
    expect(r.allows('default/batch', 'default/db', HTTP)).toBe(false);
    expect(r.allows('default/web-1', 'default/db', HTTP)).toBe(true);
    expectMatrixAgrees(r, HTTP);
  });

  // The service account is decided from the pods' specs (cilium-service-account.test.ts); the
  // cluster's name (cluster mesh) is the agent's configuration, which the input does not hold.
  test('a deny by io.cilium.k8s.policy.cluster takes in the pods meeting its other requirements, not the nodes', () => {
    const r = Reachability.fromManifests([...BASE, cnp({
      endpointSelector: { matchLabels: { app: 'db' } },
      enableDefaultDeny: { ingress: false },
      ingressDeny: [{ fromEndpoints: [{ matchLabels: { 'io.cilium.k8s.policy.cluster': 'east', 'app': 'web' } }] }],
    })], { externals: EXTERNALS });
    expect(r.skipped[0].reason).toMatch(/"io\.cilium\.k8s\.policy\.cluster" is a label Cilium derives from facts the model does not read/);
    expect(r.allows('default/web-1', 'default/db', HTTP)).toBe(false);
    expect(r.allows('default/web-2', 'default/db', HTTP)).toBe(false);
    expect(r.allows('default/batch', 'default/db', HTTP)).toBe(true);
    expect(r.allows('internet', 'default/db', HTTP)).toBe(true);
    expectMatrixAgrees(r, HTTP);
  });
});

describe('an undecided selector in an allow rule matches nothing; the other selectors are kept', () => {
  test('ingress [pod-template-hash=aaa, app=batch]: batch allowed, web-1 and web-2 denied (db is isolated)', () => {
    const r = Reachability.fromManifests([...BASE, cnp({
      endpointSelector: { matchLabels: { app: 'db' } },
      ingress: [{ fromEndpoints: [{ matchLabels: { 'pod-template-hash': 'aaa' } }, { matchLabels: { app: 'batch' } }] }],
    })]);
    expect(r.skipped).toHaveLength(1);
    expect(r.skipped[0].reason).toMatch(/^spec\.ingress\[0\]\.fromEndpoints\[0\] is decided fail closed: .*In this allow the selector is taken to match nothing \(the rule's other peers are kept\)/);
    expect(r.allows('default/batch', 'default/db', HTTP)).toBe(true);
    expect(r.allows('default/web-1', 'default/db', HTTP)).toBe(false);
    expect(r.allows('default/web-2', 'default/db', HTTP)).toBe(false);
    expect(r.explain('default/web-1', 'default/db', HTTP).notes).toEqual([expect.stringMatching(/ingress\[0\] is taken not to allow default\/web-1 \(fail closed\)/)]);
    // web-2 the selector never matches, either way: nothing to say.
    expect(r.explain('default/web-2', 'default/db', HTTP).notes).toEqual([]);
    expectMatrixAgrees(r, HTTP);
  });

  test('egress by a container: source matches nothing; a deny of it elsewhere still denies', () => {
    const r = Reachability.fromManifests([...BASE, cnp({
      endpointSelector: { matchLabels: { app: 'web' } },
      egress: [{ toEndpoints: [{ matchLabels: { 'container:name': 'c' } }, { matchLabels: { app: 'db' } }] }],
    })]);
    expect(r.allows('default/web-1', 'default/db', HTTP)).toBe(true);
    expect(r.allows('default/web-1', 'default/batch', HTTP)).toBe(false);
    expectMatrixAgrees(r, HTTP);
  });
});

describe('an undecided subject: isolation and deny rules for the pods it may select, allow rules for none', () => {
  const spec = {
    endpointSelector: { matchLabels: { 'pod-template-hash': 'aaa' } },
    ingress: [{ fromEndpoints: [{ matchLabels: { app: 'db' } }] }],
    ingressDeny: [{ fromEndpoints: [{ matchLabels: { app: 'batch' } }] }],
  };

  test('web-1 is isolated (its allow counts for nobody) and denies batch; web-2 is not selected', () => {
    const r = Reachability.fromManifests([...BASE, cnp(spec)]);
    expect(r.skipped).toHaveLength(1);
    expect(r.skipped[0].reason).toMatch(/^spec\.endpointSelector is decided fail closed: .*its allow rules to none/);
    expect(r.allows('default/db', 'default/web-1', HTTP)).toBe(false);
    expect(r.allows('default/batch', 'default/web-1', HTTP)).toBe(false);
    expect(r.allows('default/other', 'default/web-1', HTTP)).toBe(false);
    expect(r.allows('default/db', 'default/web-2', HTTP)).toBe(true);
    expect(r.allows('default/batch', 'default/web-2', HTTP)).toBe(true);
    // Egress is not touched (the spec has no egress rules).
    expect(r.allows('default/web-1', 'default/db', HTTP)).toBe(true);
    expect(r.explain('default/db', 'default/web-1', HTTP).notes).toEqual([expect.stringMatching(/its endpointSelector \(pod-template-hash=aaa\) may select default\/web-1, and is read fail closed: it isolates default\/web-1 in ingress/)]);
    expectMatrixAgrees(r, HTTP);
  });

  test('without default deny, the deny rules still apply to the pods it may select, and nothing is isolated', () => {
    const r = Reachability.fromManifests([...BASE, cnp({ ...spec, enableDefaultDeny: { ingress: false } })]);
    expect(r.allows('default/batch', 'default/web-1', HTTP)).toBe(false);
    expect(r.allows('default/other', 'default/web-1', HTTP)).toBe(true);
    expect(r.allows('default/batch', 'default/web-2', HTTP)).toBe(true);
    expectMatrixAgrees(r, HTTP);
  });

  test('a subject of a source that labels no pod (reserved:init) is left out as selecting no pod of the model; container: isolates the pods meeting the rest', () => {
    const init = Reachability.fromManifests([...BASE, cnp({ ...spec, endpointSelector: { matchLabels: { 'reserved:init': '' } } })]);
    expect(init.skipped).toMatchObject([{ object: 'default/x', category: SkipCategory.NOT_MODELLED }]);
    expect(init.skipped[0].reason).toMatch(/^spec\.endpointSelector is not modelled: the key "reserved:init" is of a label source that labels no pod/);
    expect(init.allows('default/batch', 'default/web-1', HTTP)).toBe(true);
    const container = Reachability.fromManifests([...BASE, cnp({ ...spec, endpointSelector: { matchLabels: { 'container:name': 'c', 'app': 'web' } } })]);
    expect(container.skipped[0].reason).toMatch(/^spec\.endpointSelector is decided fail closed: the label source "container"/);
    expect(container.allows('default/db', 'default/web-2', HTTP)).toBe(false);
    expect(container.allows('default/batch', 'default/web-2', HTTP)).toBe(false);
    expect(container.allows('default/batch', 'default/other', HTTP)).toBe(true);
    expectMatrixAgrees(container, HTTP);
  });

  test('the same pods by a decided label: the allow applies (the control)', () => {
    const r = Reachability.fromManifests([...BASE, cnp({ ...spec, endpointSelector: { matchLabels: { app: 'web' } } })]);
    expect(r.skipped).toEqual([]);
    expect(r.allows('default/db', 'default/web-1', HTTP)).toBe(true);
    expect(r.allows('default/batch', 'default/web-1', HTTP)).toBe(false);
    expect(r.allows('default/other', 'default/web-1', HTTP)).toBe(false);
  });
});
