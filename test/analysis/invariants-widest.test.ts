import * as fc from 'fast-check';
import { Port, Reachability } from '../../src';
import { checkInvariants, invariantFailureMessage, InvariantKind, InvariantResult, InvariantSpec } from '../../src/analysis/invariants';

/**
 * Absence invariants (NEVER, ISOLATED, CONTAINED) are proven against the widest reading of the
 * POLICIES' guesses too, not only of the invariant's own selections: where the input does not say
 * whether an allow applies (a namespace selector over a namespace without its Namespace object, a
 * Cilium selector on namespace labels, a tier rule whose peer is undecided), some labelling
 * consistent with the input may allow the connection, so the invariant must not be reported as
 * holding. Such a counterexample is `guessed`, and its note names the policy and the namespace and
 * how to decide it. With the Namespace objects given, the verdict is decided both ways.
 *
 * Every selection of the invariants below is by namespace name (decided), so any guess is the policies'.
 */

const pod = (namespace: string, name: string, ip: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { namespace, name, labels: { app: name } },
  spec: { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80 }] }] },
  status: { podIP: ip, podIPs: [{ ip }] },
});
const namespace = (name: string, labels: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
const np = (ns: string, name: string, spec: Record<string, unknown>) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { namespace: ns, name }, spec });
const cnp = (ns: string, name: string, spec: Record<string, unknown>) => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { namespace: ns, name }, spec });
const anp = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'policy.networking.k8s.io/v1alpha1', kind: 'AdminNetworkPolicy', metadata: { name }, spec });

const PODS = [pod('shop', 'web', '10.0.0.1'), pod('blog', 'client', '10.0.0.2')];
/** shop's Namespace object is given; blog's is the guess. */
const SHOP = namespace('shop', { team: 'shop' });
const TEAM_A = { matchLabels: { team: 'a' } };
const NOT_X = { matchExpressions: [{ key: 'team', operator: 'NotIn', values: ['x'] }] };
const allowWebFrom = (namespaceSelector: unknown) => np('shop', 'allow-web', {
  podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector }] }],
});
/** blog's ingress isolated: nothing reaches blog/client (so the ISOLATED cases hinge on blog -> shop). */
const BLOG_CLOSED = np('blog', 'deny-all', { podSelector: {}, policyTypes: ['Ingress'] });

const NEVER: InvariantSpec = { name: 'blog-never-shop', kind: InvariantKind.NEVER, from: [{ namespace: 'blog' }], to: [{ namespace: 'shop' }] };
const ISOLATED: InvariantSpec = { name: 'apart', kind: InvariantKind.ISOLATED, groups: [[{ namespace: 'blog' }], [{ namespace: 'shop' }]] };
const CONTAINED: InvariantSpec = { name: 'blog-contained', kind: InvariantKind.CONTAINED, zone: [{ namespace: 'blog' }] };

function check(invariant: InvariantSpec, objects: unknown[]): InvariantResult {
  const report = checkInvariants(Reachability.fromManifests([...PODS, SHOP, ...objects]), [], [invariant]);
  expect(report.results).toHaveLength(1);
  return report.results[0];
}

/** Broken only in some reading: blog/client -> shop/web, flagged, denied by the fail-closed explanation, with a note naming `names`. */
function expectGuessed(r: InvariantResult, names: string[]): void {
  expect(r.holds).toBe(false);
  expect(r.problem).toBeUndefined();
  expect(r.violation).toMatchObject({ from: 'blog/client', to: 'shop/web', guessed: true });
  expect(r.violation!.explanation.allowed).toBe(false);
  const notes = (r.notes ?? []).join('\n');
  expect(notes).toContain('fail-closed verdict denies the ingress of shop/web');
  expect(notes).toContain('allowed in the reading where');
  for (const n of names) expect(notes).toContain(n);
  expect(invariantFailureMessage(r)).toContain('may not occur in the real cluster');
}

function expectDecided(r: InvariantResult, holds: boolean): void {
  expect(r.holds).toBe(holds);
  expect(r.problem).toBeUndefined();
  expect(r.notes ?? []).toEqual([]);
  if (holds) {
    expect(r.violation).toBeUndefined();
  } else {
    expect(r.violation).toMatchObject({ from: 'blog/client', to: 'shop/web' });
    expect(r.violation!.guessed).toBeUndefined();
    expect(r.violation!.explanation.allowed).toBe(true);
  }
}

describe.each([
  ['matchLabels team=a', TEAM_A, { team: 'a' }, { team: 'b' }],
  ['team NotIn [x]', NOT_X, { team: 'y' }, { team: 'x' }],
])('a NetworkPolicy allowing from namespaceSelector %s, blog without its Namespace object', (_, selector, matching, notMatching) => {
  const policy = allowWebFrom(selector);

  test.each([['NEVER', NEVER], ['ISOLATED', ISOLATED], ['CONTAINED', CONTAINED]])('%s does not hold, on a guess naming the policy and namespace', (__, invariant) => {
    const r = check(invariant, [policy, BLOG_CLOSED]);
    expectGuessed(r, ['NetworkPolicy shop/allow-web ingress[0]', 'namespace blog', 'Namespace object of blog', 'kubectl get namespaces -o yaml']);
  });

  test.each([['NEVER', NEVER], ['ISOLATED', ISOLATED], ['CONTAINED', CONTAINED]])('%s with the Namespace object is decided both ways', (__, invariant) => {
    expectDecided(check(invariant, [policy, BLOG_CLOSED, namespace('blog', notMatching)]), true);
    expectDecided(check(invariant, [policy, BLOG_CLOSED, namespace('blog', matching)]), false);
  });

  test('an allowed-only-by-guess connection stays denied everywhere else (matrix, explain)', () => {
    const r = Reachability.fromManifests([...PODS, SHOP, policy]);
    expect(r.explain('blog/client', 'shop/web', Port.tcp(80)).allowed).toBe(false);
  });
});

describe('a Cilium allow over io.cilium.k8s.namespace.labels.*, blog without its Namespace object', () => {
  const TEAM = 'k8s:io.cilium.k8s.namespace.labels.team';
  const policy = cnp('shop', 'allow-team-a', {
    endpointSelector: { matchLabels: { app: 'web' } },
    ingress: [{ fromEndpoints: [{ matchLabels: { [TEAM]: 'a' }, matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'Exists' }] }] }],
  });

  test.each([['NEVER', NEVER], ['ISOLATED', ISOLATED], ['CONTAINED', CONTAINED]])('%s does not hold, on a guess', (__, invariant) => {
    expectGuessed(check(invariant, [policy, BLOG_CLOSED]), ['CiliumNetworkPolicy shop/allow-team-a ingress[0] matches blog/client', 'Namespace object of blog']);
  });

  test('with the Namespace object it is decided both ways', () => {
    expectDecided(check(NEVER, [policy, namespace('blog', { team: 'b' })]), true);
    expectDecided(check(NEVER, [policy, namespace('blog', { team: 'a' })]), false);
  });

  test('a subject that may select the pod is taken as not isolating it', () => {
    // shop/web's namespace is the guess here: whether the policy (default deny, allowing nothing) selects it.
    const isolate = cnp('shop', 'isolate-team-a', { endpointSelector: { matchLabels: { [TEAM]: 'a' } }, ingress: [{}] });
    const objects = [pod('shop', 'web', '10.0.0.1'), pod('blog', 'client', '10.0.0.2'), namespace('blog', { team: 'b' }), isolate];
    const r = checkInvariants(Reachability.fromManifests(objects), [], [NEVER]).results[0];
    expect(r.holds).toBe(false);
    expect(r.violation).toMatchObject({ from: 'blog/client', to: 'shop/web', guessed: true });
    expect(r.notes!.join('\n')).toContain('the subject of CiliumNetworkPolicy shop/isolate-team-a selects shop/web');
    expect(r.notes!.join('\n')).toContain('Namespace object of shop');
  });
});

describe('an AdminNetworkPolicy whose peer or subject is undecided', () => {
  const DENY_WEB = np('shop', 'deny-web', { podSelector: {}, policyTypes: ['Ingress'] });
  const allow = (subject: unknown, from: unknown) => anp('allow-team-a', {
    priority: 10, subject: { namespaces: subject }, ingress: [{ name: 'from-a', action: 'Allow', from: [{ namespaces: from }] }],
  });

  test('an Allow from an undecided peer: NEVER does not hold, on a guess', () => {
    const policy = allow({ matchLabels: { 'kubernetes.io/metadata.name': 'shop' } }, TEAM_A);
    expectGuessed(check(NEVER, [policy, DENY_WEB]), ['AdminNetworkPolicy allow-team-a ingress[0] (Allow) matches blog/client', 'Namespace object of blog']);
    expectDecided(check(NEVER, [policy, DENY_WEB, namespace('blog', { team: 'b' })]), true);
    expectDecided(check(NEVER, [policy, DENY_WEB, namespace('blog', { team: 'a' })]), false);
  });

  test('an Allow whose subject is undecided: NEVER does not hold, on a guess', () => {
    const policy = allow(TEAM_A, {});
    const objects = [pod('shop', 'web', '10.0.0.1'), pod('blog', 'client', '10.0.0.2'), namespace('blog', { team: 'b' }), policy, DENY_WEB];
    const r = checkInvariants(Reachability.fromManifests(objects), [], [NEVER]).results[0];
    expect(r.holds).toBe(false);
    expect(r.violation).toMatchObject({ from: 'blog/client', to: 'shop/web', guessed: true });
    expect(r.notes!.join('\n')).toContain('AdminNetworkPolicy allow-team-a ingress[0] (Allow) selects shop/web');
  });
});

describe('a deny that MAY apply is not taken to apply by the proof', () => {
  test('an AdminNetworkPolicy Deny from an undecided peer: NEVER does not hold', () => {
    const deny = anp('deny-team-a', {
      priority: 10,
      subject: { namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } } },
      ingress: [{ name: 'from-a', action: 'Deny', from: [{ namespaces: TEAM_A }] }],
    });
    expectGuessed(check(NEVER, [deny]), ['AdminNetworkPolicy deny-team-a ingress[0] (Deny) does not match blog/client', 'Namespace object of blog']);
    expectDecided(check(NEVER, [deny, namespace('blog', { team: 'a' })]), true);
    expectDecided(check(NEVER, [deny, namespace('blog', { team: 'b' })]), false);
  });

  test('a Cilium deny over namespace labels: NEVER does not hold', () => {
    const TEAM = 'k8s:io.cilium.k8s.namespace.labels.team';
    const deny = cnp('shop', 'deny-team-a', {
      endpointSelector: { matchLabels: { app: 'web' } },
      ingress: [{ fromEntities: ['all'] }],
      ingressDeny: [{ fromEndpoints: [{ matchLabels: { [TEAM]: 'a' }, matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'Exists' }] }] }],
    });
    const r = check(NEVER, [deny]);
    expect(r.holds).toBe(false);
    expect(r.violation).toMatchObject({ from: 'blog/client', to: 'shop/web', guessed: true });
    expect(r.violation!.explanation.allowed).toBe(false);
    expectDecided(check(NEVER, [deny, namespace('blog', { team: 'a' })]), true);
  });
});

test('nothing open: no second search, the decided verdict is unchanged', () => {
  expectDecided(check(NEVER, [allowWebFrom(TEAM_A), namespace('blog', { team: 'b' })]), true);
  expectDecided(check(NEVER, [allowWebFrom({ matchLabels: { 'kubernetes.io/metadata.name': 'blog' } })]), false);
});

/**
 * Random small worlds, some namespaces without Namespace objects: for every completion of their
 * labels drawn from the selectors' values, if the fail-closed verdict of that completion breaks a
 * NEVER invariant, the check without the objects must not report it holding. I.e. holds (widest)
 * implies holds in every completion.
 */
describe('property: holding on the widest reading implies holding in every completion', () => {
  const NS = ['n0', 'n1', 'n2'];
  const TEAMS = ['x', 'y'];
  const teamSelector = fc.constantFrom<unknown>(
    { matchLabels: { team: 'x' } }, { matchExpressions: [{ key: 'team', operator: 'NotIn', values: ['x'] }] },
    { matchExpressions: [{ key: 'team', operator: 'Exists' }] }, { matchExpressions: [{ key: 'team', operator: 'DoesNotExist' }] }, {},
  );
  const app = fc.constantFrom('a', 'b');
  const policy = fc.record({
    ns: fc.constantFrom(...NS), app: fc.option(app, { nil: undefined }), from: fc.array(teamSelector, { maxLength: 2 }), egress: fc.boolean(),
  });
  const tier = fc.record({ subject: teamSelector, peer: teamSelector, action: fc.constantFrom('Allow', 'Deny', 'Pass') });
  const world = fc.record({
    // Per namespace: its team label (null: none) and whether the input has its Namespace object.
    namespaces: fc.tuple(...NS.map(() => fc.record({ team: fc.option(fc.constantFrom(...TEAMS), { nil: null }), declared: fc.boolean() }))),
    pods: fc.tuple(...NS.map(() => fc.uniqueArray(app, { minLength: 1, maxLength: 2 }))),
    policies: fc.array(policy, { maxLength: 3 }),
    tiers: fc.array(tier, { maxLength: 2 }),
    from: fc.constantFrom(...NS),
    to: fc.constantFrom(...NS),
  });

  type World = typeof world extends fc.Arbitrary<infer T> ? T : never;
  const manifests = (w: World, teams: Array<string | null | 'unknown'>): unknown[] => {
    const out: unknown[] = [];
    NS.forEach((ns, i) => {
      if (teams[i] !== 'unknown') out.push(namespace(ns, teams[i] === null ? {} : { team: teams[i] as string }));
      w.pods[i].forEach((a, k) => out.push({ ...pod(ns, `p-${a}`, `10.0.${i}.${k + 1}`), metadata: { namespace: ns, name: `p-${a}`, labels: { app: a } } }));
    });
    w.policies.forEach((p, k) => {
      const podSelector = p.app ? { matchLabels: { app: p.app } } : {};
      const rules = p.from.map((s) => ({ [p.egress ? 'to' : 'from']: [{ namespaceSelector: s }] }));
      out.push(np(p.ns, `np${k}`, { podSelector, policyTypes: [p.egress ? 'Egress' : 'Ingress'], [p.egress ? 'egress' : 'ingress']: rules }));
    });
    w.tiers.forEach((t, k) => out.push(anp(`anp${k}`, {
      priority: k + 1, subject: { namespaces: t.subject }, ingress: [{ name: 'r', action: t.action, from: [{ namespaces: t.peer }] }],
    })));
    return out;
  };
  const holds = (objects: unknown[], w: World) => {
    const invariant: InvariantSpec = { name: 'never', kind: InvariantKind.NEVER, from: [{ namespace: w.from }], to: [{ namespace: w.to }] };
    return checkInvariants(Reachability.fromManifests(objects), [], [invariant]).results[0].holds;
  };

  test('over random worlds', () => {
    fc.assert(fc.property(world, (w) => {
      const given = w.namespaces.map((n) => (n.declared ? n.team : 'unknown' as const));
      if (!holds(manifests(w, given), w)) return true;
      // Every completion of the unknown namespaces' team label.
      const unknown = given.flatMap((t, i) => (t === 'unknown' ? [i] : []));
      const values: Array<string | null> = [...TEAMS, null];
      for (let c = 0; c < values.length ** unknown.length; c++) {
        const teams = [...given];
        unknown.forEach((i, k) => (teams[i] = values[Math.floor(c / values.length ** k) % values.length]));
        if (!holds(manifests(w, teams), w)) return false;
      }
      return true;
    }), { numRuns: 60, seed: 15 });
  });
});
