import { Port, Reachability } from '../../src';

/**
 * RT-02 (pre-existing, 5770f04 of 2026-12-01, not today's merges; found while attacking the diff):
 * `changedPolicyIds` (incremental-diff.ts) keys the policies by id when the two lists differ in
 * order; with two NetworkPolicies of one id (NP011 DUPLICATE_NAME: two files, two charts) the map
 * keeps the last one per side, so a change to the FIRST one is not seen: no class is touched and
 * the diff is empty, while `allows` says shop/a -> shop/b goes from allowed to denied.
 */
const pod = (ns: string, name: string, labels: Record<string, string>, ip: string) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns, labels }, spec: { containers: [{ name: 'c' }] }, status: { podIP: ip },
});
const a = pod('shop', 'a', { app: 'a' }, '10.0.0.1');
const b = pod('shop', 'b', { app: 'b' }, '10.0.0.2');
const np = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: 'shop' }, spec });
const allowA = np('p', { podSelector: { matchLabels: { app: 'b' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'a' } } }] }] });
const denyAll = np('p', { podSelector: {}, policyTypes: ['Ingress'] });
const other = np('q', { podSelector: { matchLabels: { app: 'zzz' } } });
const before = Reachability.fromManifests([a, b, allowA, denyAll, other]);
const after = Reachability.fromManifests([a, b, other, denyAll, denyAll]);

test('per pair: allowed before, denied after', () => {
  expect(before.allows('shop/a', 'shop/b', Port.tcp(80))).toBe(true);
  expect(after.allows('shop/a', 'shop/b', Port.tcp(80))).toBe(false);
});

test('the diff lists the closed connection shop/a -> shop/b', () => {
  const d = Reachability.diff(before, after);
  expect(d.closed.map((c) => `${c.from} -> ${c.to}`)).toContain('shop/a -> shop/b');
});

test('the reverse change lists the opened connection, and nothing closed', () => {
  const d = Reachability.diff(after, before);
  expect(d.opened.map((c) => `${c.from} -> ${c.to}`)).toContain('shop/a -> shop/b');
  expect(d.closed).toEqual([]);
});

test('the same policies of one id in another order: no change', () => {
  const x = Reachability.fromManifests([a, b, allowA, denyAll, other]);
  const y = Reachability.fromManifests([a, b, other, denyAll, allowA]);
  expect(y.allows('shop/a', 'shop/b', Port.tcp(80))).toBe(true);
  const d = Reachability.diff(x, y);
  expect(d.opened).toEqual([]);
  expect(d.closed).toEqual([]);
});

test('a change to the first of two policies of one id, the order of ids otherwise different, agrees with per-pair verdicts', () => {
  const allowC = np('p', { podSelector: { matchLabels: { app: 'b' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'c' } } }] }] });
  const c = pod('shop', 'c', { app: 'c' }, '10.0.0.3');
  const x = Reachability.fromManifests([a, b, c, other, allowA, allowC]);
  const y = Reachability.fromManifests([a, b, c, allowC, allowC, other]);
  expect(x.allows('shop/a', 'shop/b', Port.tcp(80))).toBe(true);
  expect(y.allows('shop/a', 'shop/b', Port.tcp(80))).toBe(false);
  expect(y.allows('shop/c', 'shop/b', Port.tcp(80))).toBe(true);
  const d = Reachability.diff(x, y);
  expect(d.closed.map((e) => `${e.from} -> ${e.to}`)).toEqual(['shop/a -> shop/b']);
  expect(d.opened).toEqual([]);
});
