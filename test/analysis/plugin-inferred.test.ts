import { Port, Reachability, TextFormat } from '../../src';

/**
 * The network plugin is inferred from the input: any CiliumNetworkPolicy anywhere makes every
 * NetworkPolicy ipBlock match only ends outside the cluster (README: "When the inputs hold Cilium
 * policies, the cluster runs Cilium"). The cluster runs the same plugin before and after a change,
 * so adding the FIRST Cilium policy, for an unrelated pod in another namespace, must not change
 * the verdict of default/a -> default/b, which no changed policy selects. On main the diff lists it
 * (and a -> node:n1) as CLOSED: a change nobody made. (Removing the last CNP reports them OPENED, so
 * `--fail-on opened` fails a PR that only deletes an unrelated policy.) The verdict that depends on
 * the plugin should be decided by a declared plugin, or left out with a reason, never flip with the
 * presence of an unrelated object.
 */
const np = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'e', namespace: 'default' },
  spec: { podSelector: { matchLabels: { app: 'a' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/16' } }] }] },
};
const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, status: { addresses: [{ type: 'InternalIP', address: '10.0.0.11' }] } };
const pod = (ns: string, name: string, ip: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns, labels: { app: name } }, spec: { nodeName: 'n1', containers: [{ name: 'c' }] }, status: { podIP: ip } });
const base = [np, node, pod('default', 'a', '10.0.1.5'), pod('default', 'b', '10.0.1.6'), pod('other', 'z', '10.0.1.7')];
const unrelated = {
  apiVersion: 'cilium.io/v2',
  kind: 'CiliumNetworkPolicy',
  metadata: { name: 'z', namespace: 'other' },
  spec: { endpointSelector: { matchLabels: { app: 'z' } }, ingress: [{ fromEntities: ['cluster'] }] },
};

test('adding an unrelated CiliumNetworkPolicy does not close default/a -> default/b', () => {
  const d = Reachability.diff(Reachability.fromManifests(base), Reachability.fromManifests([...base, unrelated]));
  const changed = [...d.opened, ...d.closed].map((c) => `${c.from} -> ${c.to}`);
  // On main: ['default/a -> default/b', 'default/a -> node:n1', 'default/a -> other/z'] closed.
  expect(changed.filter((c) => c === 'default/a -> default/b' || c === 'default/a -> node:n1')).toEqual([]);
});

test('the diff says loudly that both sides are read as Cilium, both ways, and denies on both', () => {
  const plain = Reachability.fromManifests(base);
  const cilium = Reachability.fromManifests([...base, unrelated]);
  // Alone, the side without Cilium policies is still read as a plugin that applies ipBlocks to pods.
  expect(plain.explain('default/a', 'default/b', Port.tcp(80)).allowed).toBe(true);
  expect(cilium.explain('default/a', 'default/b', Port.tcp(80)).allowed).toBe(false);
  for (const d of [Reachability.diff(plain, cilium), Reachability.diff(cilium, plain)]) {
    expect([...d.opened, ...d.closed]).toEqual([]);
    expect(d.notes).toHaveLength(1);
    expect(d.notes[0]).toContain('both sides are read as Cilium');
    expect(d.notes[0]).toContain('CiliumNetworkPolicy other/z');
    expect(TextFormat.diff(d)).toContain('note: network plugin');
    expect(d.isEmpty).toBe(true);
  }
  expect(Reachability.diff(plain, plain).notes).toEqual([]);
  expect(Reachability.diff(cilium, cilium).notes).toEqual([]);
});

test('a real change is still seen when the plugin is aligned', () => {
  const opened = { ...np, spec: { ...np.spec, egress: [{ to: [{ podSelector: { matchLabels: { app: 'b' } } }] }] } };
  const before = Reachability.fromManifests([...base.slice(1), opened]);
  const after = Reachability.fromManifests([...base, unrelated]);
  const d = Reachability.diff(before, after);
  expect(d.closed.map((c) => `${c.from} -> ${c.to}`)).toEqual(['default/a -> default/b']);
  expect(d.opened).toEqual([]);
});
