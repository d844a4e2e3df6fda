import { Port, Reachability } from '../../src';

/**
 * sig-network policy API (apis/v1alpha1 AdminNetworkPolicyEgressPeer.Networks, and v1alpha2
 * ClusterNetworkPolicyEgressPeer.networks): "cluster-internal traffic will be checked against the
 * rule as well. So if you Allow or Deny traffic to "0.0.0.0/0", that will allow or deny all IPv4
 * pod-to-pod traffic as well." Networks holding every IPv4 and IPv6 address match every pod,
 * whatever its IP; any other networks rule cannot be decided for a pod whose IP the input does not
 * give: decided per pair, fail closed, with a warning (never decided as "no match").
 */
const ns = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
const pod = (namespace: string, name: string, ip?: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace, labels: { app: name } },
  spec: { containers: [{ name: 'c', ports: [{ containerPort: 8080 }] }] },
  ...(ip ? { status: { podIP: ip } } : {}),
});
const EVERYWHERE = ['0.0.0.0/0', '::/0'];
const anp = (action: string, networks: string[]) => ({
  apiVersion: 'policy.networking.k8s.io/v1alpha1',
  kind: 'AdminNetworkPolicy',
  metadata: { name: `everywhere-${action.toLowerCase()}` },
  spec: { priority: 10, subject: { namespaces: {} }, egress: [{ name: 'everywhere', action, to: [{ networks }] }] },
});
const cnp2 = (action: string, networks: string[]) => ({
  apiVersion: 'policy.networking.k8s.io/v1alpha2',
  kind: 'ClusterNetworkPolicy',
  metadata: { name: `everywhere-${action.toLowerCase()}` },
  spec: { tier: 'Admin', priority: 10, subject: { namespaces: {} }, egress: [{ name: 'everywhere', action, to: [{ networks }] }] },
});
const denyEgress = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny', namespace: 'a' }, spec: { podSelector: {}, policyTypes: ['Egress'] } };
const PODS = [ns('a'), ns('b'), pod('a', 'web'), pod('b', 'db')];
const externals = [{ name: 'outside', ip: '203.0.113.7' }];

function agreeOnEveryPair(r: Reachability, port: Port): void {
  const m = r.matrix(port);
  for (const from of r.endpoints) for (const to of r.endpoints) expect(`${from} ${to} ${m.isAllowed(from, to)}`).toBe(`${from} ${to} ${r.allows(from, to, port)}`);
}

describe('an Admin rule to networks 0.0.0.0/0 and ::/0 covers every pod, its IP known or not', () => {
  test.each([['v1alpha1 Deny', anp('Deny', EVERYWHERE)], ['v1alpha2 Deny', cnp2('Deny', EVERYWHERE)]])('%s denies pod-to-pod and outside traffic; the other direction stays allowed', (_what, policy) => {
    const r = Reachability.fromManifests([...PODS, policy], { externals });
    expect(r.allows('a/web', 'b/db', Port.tcp(8080))).toBe(false);
    expect(r.allows('a/web', 'outside', Port.tcp(443))).toBe(false);
    expect(r.allows('outside', 'a/web', Port.tcp(8080))).toBe(true); // the rule is egress only
    expect(r.skipped).toEqual([]);
    agreeOnEveryPair(r, Port.tcp(8080));
  });

  test.each([['v1alpha1 Allow', anp('Allow', EVERYWHERE)], ['v1alpha2 Accept', cnp2('Accept', EVERYWHERE)]])('%s is final over the NetworkPolicy that isolates a/web', (_what, policy) => {
    const r = Reachability.fromManifests([...PODS, policy, denyEgress], { externals });
    expect(r.allows('a/web', 'b/db', Port.tcp(8080))).toBe(true);
    const without = Reachability.fromManifests([...PODS, denyEgress], { externals });
    expect(without.allows('a/web', 'b/db', Port.tcp(8080))).toBe(false);
    agreeOnEveryPair(r, Port.tcp(8080));
  });

  test('two halves of each family together hold every address too', () => {
    const r = Reachability.fromManifests([...PODS, anp('Deny', ['0.0.0.0/1', '128.0.0.0/1', '::/1', '8000::/1'])]);
    expect(r.allows('a/web', 'b/db', Port.tcp(8080))).toBe(false);
    expect(r.skipped).toEqual([]);
  });
});

describe('any other networks rule is decided by the IPs where they are known, fail closed where not', () => {
  test('0.0.0.0/0 alone, pods without IPs: the rule stays, a Deny taken to match a pod without IP, noted with why and the fix', () => {
    const r = Reachability.fromManifests([...PODS, anp('Deny', ['0.0.0.0/0'])], { externals });
    expect(r.skipped).toEqual([expect.objectContaining({
      object: 'everywhere-deny',
      category: 'NOT_MODELLED',
      kind: 'AdminNetworkPolicy',
      reason: expect.stringMatching(/egress\[0\] \("everywhere"\) is decided only where the IPs are known: .*networks 0\.0\.0\.0\/0.*a\/web, b\/db.*Deny to match.*--pod ns\/name@ip/),
    })]);
    expect(r.allows('a/web', 'b/db', Port.tcp(8080))).toBe(false);
    expect(r.allows('a/web', 'outside', Port.tcp(443))).toBe(false);
    expect(r.explain('a/web', 'b/db', Port.tcp(8080)).notes).toEqual([expect.stringMatching(/^egress decided fail closed: unknown IP: .*everywhere-deny egress\[0\] \(Deny\) matches b\/db/)]);
    expect(r.explain('a/web', 'outside', Port.tcp(443)).notes).toEqual([]);
    agreeOnEveryPair(r, Port.tcp(8080));
  });

  test('with the pods\' IPs given, the rule is decided by them: an IPv4 pod is denied, an IPv6 pod allowed', () => {
    const r = Reachability.fromManifests([ns('a'), ns('b'), pod('a', 'web', '10.0.0.1'), pod('b', 'db', '10.0.0.2'), pod('b', 'v6', 'fd00::2'), anp('Deny', ['0.0.0.0/0'])], { externals });
    expect(r.skipped).toEqual([]);
    expect(r.allows('a/web', 'b/db', Port.tcp(8080))).toBe(false);
    expect(r.allows('a/web', 'b/v6', Port.tcp(8080))).toBe(true);
    expect(r.allows('a/web', 'outside', Port.tcp(443))).toBe(false);
    agreeOnEveryPair(r, Port.tcp(8080));
  });
});
