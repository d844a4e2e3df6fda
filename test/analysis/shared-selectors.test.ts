import { Port, Reachability } from '../../src';

/**
 * The model compiles each selector and rule peer once per meaning (by kubectl's text) and shares it
 * between the policies that repeat it. Peers that are near each other in text but not in meaning
 * must stay apart: a pod selector alone (the policy's namespace), the same pod selector in every
 * namespace (`namespaceSelector: {}`), in the namespaces of one team, and ipBlocks with and without
 * an except. Each policy also keeps its own namespace for a peer shared with another namespace's
 * policy. Checked with the analyser, allowed and denied, against a model with one policy at a time.
 */
const ns = (name: string, team: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { team } } });
const pod = (namespace: string, name: string, app: string, ip: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { namespace, name, labels: { app } },
  spec: { containers: [{ name: 'c', image: 'c', ports: [{ containerPort: 80 }] }] },
  status: { podIP: ip },
});
const allowDb = (namespace: string, name: string, from: unknown[]) => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { namespace, name },
  spec: { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'], ingress: [{ from, ports: [{ port: 80, protocol: 'TCP' }] }] },
});
const web = { podSelector: { matchLabels: { app: 'web' } } };
const cluster = [
  ns('a', 'red'), ns('b', 'red'), ns('c', 'blue'), ns('d', 'blue'),
  pod('a', 'web', 'web', '10.0.0.1'), pod('a', 'db', 'db', '10.0.0.2'),
  pod('b', 'web', 'web', '10.0.1.1'), pod('b', 'db', 'db', '10.0.1.2'),
  pod('c', 'web', 'web', '10.0.2.1'), pod('c', 'db', 'db', '10.0.2.2'),
  pod('d', 'web', 'web', '10.0.3.1'), pod('d', 'db', 'db', '10.0.3.2'),
];
const policies = [
  allowDb('a', 'local-web', [web]),
  allowDb('b', 'any-web', [{ namespaceSelector: {}, ...web }]),
  allowDb('c', 'red-web', [{ namespaceSelector: { matchLabels: { team: 'red' } }, ...web }]),
  allowDb('d', 'blocks', [{ ipBlock: { cidr: '10.0.0.0/16', except: ['10.0.1.0/24'] } }]),
  // Same selectors and peers again, in other namespaces: the shared peer resolves in each policy's own namespace.
  allowDb('c', 'local-web-too', [web]),
  allowDb('d', 'blocks-no-except', [{ ipBlock: { cidr: '10.0.0.0/24' } }]),
];
const web8 = (from: string, to: string, r: Reachability) => r.allows(`${from}/web`, `${to}/db`, Port.tcp(80));

test('shared selectors and peers keep their meaning, each in its policy\'s namespace', () => {
  const all = Reachability.fromManifests([...cluster, ...policies]);
  // a: only a's own web
  expect(web8('a', 'a', all)).toBe(true);
  expect(web8('b', 'a', all)).toBe(false);
  // b: web of every namespace
  for (const from of ['a', 'b', 'c', 'd']) expect(web8(from, 'b', all)).toBe(true);
  // c: web of the red namespaces (a, b), and c's own web (local-web-too); not d's
  expect(web8('a', 'c', all)).toBe(true);
  expect(web8('b', 'c', all)).toBe(true);
  expect(web8('c', 'c', all)).toBe(true);
  expect(web8('d', 'c', all)).toBe(false);
  // d: 10.0.0.0/16 except 10.0.1.0/24, or 10.0.0.0/24: a, c and d; not b (excepted)
  expect(web8('a', 'd', all)).toBe(true);
  expect(web8('b', 'd', all)).toBe(false);
  expect(web8('c', 'd', all)).toBe(true);
  expect(web8('d', 'd', all)).toBe(true);
});

test('every verdict with the selectors shared is the verdict of the policies of one namespace modelled alone', () => {
  const all = Reachability.fromManifests([...cluster, ...policies]);
  for (const to of ['a', 'b', 'c', 'd']) {
    const alone = Reachability.fromManifests([...cluster, ...policies.filter((p) => p.metadata.namespace === to)]);
    for (const from of ['a', 'b', 'c', 'd']) expect([from, to, web8(from, to, all)]).toEqual([from, to, web8(from, to, alone)]);
  }
});
