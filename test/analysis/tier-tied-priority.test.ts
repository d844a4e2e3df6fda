import { DecisionTier, Port, Reachability, TextFormat } from '../../src';

/**
 * R6-02: Admin-tier policies of the SAME priority are in an order the implementation chooses:
 * "If two (or more) policies with the same priority could both match a connection, then the
 * implementation can apply any of the matching policies to the connection, and there is no way for
 * the user to reliably determine which one it will choose" (sig-network policy API, v1alpha1
 * AdminNetworkPolicySpec.Priority; v1alpha2 ClusterNetworkPolicySpec.Priority). The analyser used to
 * order them by name, so renaming a policy flipped the verdict. Now every order is a reading and a
 * pair is allowed only where every order allows (Deny over Pass over Allow/Accept), with a note
 * naming the tied policies; where the tied rules agree, nothing changes.
 */
const ns = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
const pod = (namespace: string, name: string, ip: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace, labels: { app: name } },
  spec: { containers: [{ name: 'c', ports: [{ containerPort: 8080 }] }] },
  status: { podIP: ip },
});
const anp = (name: string, action: string, priority = 10) => ({
  apiVersion: 'policy.networking.k8s.io/v1alpha1',
  kind: 'AdminNetworkPolicy',
  metadata: { name },
  spec: { priority, subject: { namespaces: {} }, ingress: [{ name: 'r', action, from: [{ namespaces: {} }] }] },
});
const cnp = (name: string, action: string, priority = 10) => ({
  apiVersion: 'policy.networking.k8s.io/v1alpha2',
  kind: 'ClusterNetworkPolicy',
  metadata: { name },
  spec: { tier: 'Admin', priority, subject: { namespaces: {} }, ingress: [{ name: 'r', action, from: [{ namespaces: {} }] }] },
});
const denyIngress = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny', namespace: 'b' }, spec: { podSelector: {}, policyTypes: ['Ingress'] } };
const PODS = [ns('a'), ns('b'), pod('a', 'web', '10.0.0.1'), pod('b', 'db', '10.0.0.2')];
const HTTP = Port.tcp(8080);

function agreeOnEveryPair(r: Reachability): void {
  const m = r.matrix(HTTP);
  for (const from of r.endpoints) for (const to of r.endpoints) expect(`${from} ${to} ${m.isAllowed(from, to)}`).toBe(`${from} ${to} ${r.allows(from, to, HTTP)}`);
}

describe.each([['v1alpha1', anp, 'Allow'], ['v1alpha2', cnp, 'Accept']] as const)('%s: same priority', (_v, make, allow) => {
  test('Allow vs Deny: the verdict does not depend on the policies\' names', () => {
    const allowFirst = Reachability.fromManifests([...PODS, make('a-allow', allow), make('b-deny', 'Deny')]);
    const denyFirst = Reachability.fromManifests([...PODS, make('z-allow', allow), make('b-deny', 'Deny')]);
    expect(allowFirst.allows('a/web', 'b/db', HTTP)).toBe(false);
    expect(denyFirst.allows('a/web', 'b/db', HTTP)).toBe(false);
    agreeOnEveryPair(allowFirst);
    agreeOnEveryPair(denyFirst);
  });

  test('Allow vs Deny: decided by the Deny, explained as decided fail closed, naming both', () => {
    const e = Reachability.fromManifests([...PODS, make('a-allow', allow), make('b-deny', 'Deny')]).explain('a/web', 'b/db', HTTP);
    expect(e.ingress).toMatchObject({ allowed: false, tier: DecisionTier.ADMIN, decidedBy: { policy: 'b-deny', action: 'Deny' } });
    expect(e.notes).toEqual([expect.stringMatching(/^ingress decided fail closed: tied priority: .*a-allow ingress\[0\] \(\w+\), .*b-deny ingress\[0\] \(Deny\) have priority 10/)]);
    expect(TextFormat.explanation(e)).toMatch(/note: ingress decided fail closed: tied priority/);
  });

  test('Allow vs Pass: what the next tiers say (a NetworkPolicy that denies: denied; none: allowed)', () => {
    const tied = [make('a-allow', allow), make('b-pass', 'Pass')];
    expect(Reachability.fromManifests([...PODS, ...tied, denyIngress]).allows('a/web', 'b/db', HTTP)).toBe(false);
    const open = Reachability.fromManifests([...PODS, ...tied]);
    expect(open.allows('a/web', 'b/db', HTTP)).toBe(true);
    expect(open.explain('a/web', 'b/db', HTTP).notes.join('\n')).toMatch(/tied priority/);
    agreeOnEveryPair(Reachability.fromManifests([...PODS, ...tied, denyIngress]));
  });

  test('tied rules that agree change nothing: two Allows over a denying NetworkPolicy allow, no note', () => {
    const r = Reachability.fromManifests([...PODS, make('a-allow', allow), make('b-allow', allow), denyIngress]);
    const e = r.explain('a/web', 'b/db', HTTP);
    expect(e.allowed).toBe(true);
    expect(e.ingress).toMatchObject({ tier: DecisionTier.ADMIN, decidedBy: { policy: 'a-allow' } });
    expect(e.notes).toEqual([]);
  });

  test('different priorities are ordered: the lower one decides, no note', () => {
    const r = Reachability.fromManifests([...PODS, make('a-allow', allow, 5), make('b-deny', 'Deny', 10)]);
    expect(r.allows('a/web', 'b/db', HTTP)).toBe(true);
    expect(r.explain('a/web', 'b/db', HTTP).notes).toEqual([]);
    agreeOnEveryPair(r);
  });
});
