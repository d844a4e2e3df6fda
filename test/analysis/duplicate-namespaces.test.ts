import { Port, Reachability } from '../../src';

/**
 * Two Namespace objects of one name in one input: the same labels are one namespace; different
 * labels are refused, since which one the cluster has is not known and taking the last would make
 * the verdict depend on the order of the input (a hostile review found exactly that).
 */
const ns = (name: string, labels: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
const pod = (namespace: string, name: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels: { app: name } }, spec: { containers: [{ name: 'c' }] } });
const notRed = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'not-red', namespace: 'shop' },
  spec: { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'NotIn', values: ['red'] }] } }] }] },
};
const rest = [ns('shop', {}), pod('shop', 'web'), pod('blog', 'client'), notRed];

test('different labels are refused in either order, naming both', () => {
  for (const pair of [[ns('blog', { team: 'red' }), ns('blog', {})], [ns('blog', {}), ns('blog', { team: 'red' })]]) {
    expect(() => Reachability.fromManifests([...pair, ...rest])).toThrow(/two Namespace objects named blog carry different labels: .*team.*red.* and \{\}|two Namespace objects named blog carry different labels: \{\} and .*team.*red/);
  }
});

test('the same labels (in any order of keys) are one namespace, and decide the verdict', () => {
  const r = Reachability.fromManifests([ns('blog', { team: 'red', env: 'prod' }), ns('blog', { env: 'prod', team: 'red' }), ...rest]);
  expect(r.allows('blog/client', 'shop/web', Port.tcp(80))).toBe(false);
  const blue = Reachability.fromManifests([ns('blog', { team: 'blue' }), ns('blog', { team: 'blue' }), ...rest]);
  expect(blue.allows('blog/client', 'shop/web', Port.tcp(80))).toBe(true);
});

test('the name label, given or not, is the same namespace (the control plane sets it on every namespace)', () => {
  const named = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'blog', labels: { 'kubernetes.io/metadata.name': 'blog', 'team': 'red' } } };
  const r = Reachability.fromManifests([ns('blog', { team: 'red' }), named, ...rest]);
  expect(r.allows('blog/client', 'shop/web', Port.tcp(80))).toBe(false);
  expect(() => Reachability.fromManifests([ns('blog', {}), named, ...rest])).toThrow(/two Namespace objects named blog carry different labels/);
});
