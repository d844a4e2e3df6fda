import * as fc from 'fast-check';
import { build, ciliumWorld, EXTERNALS, NS, VALUES } from './cilium-world';
import { legal, TierPolicyGen, tierVocabulary } from './tier-world';
import { ModelPod, Reachability, ReachabilityOptions } from '../../src';
import { inputLeavesOpen } from '../../src/analysis/cilium-semantics';
import { ComputedSides, computeSides, Selections } from '../../src/analysis/matrix';
import { probePorts } from '../../src/analysis/probe-ports';
import { fuzzParameters } from '../fuzz-config';

/**
 * The guard of the invariants' widest reading (issue 15): `InvariantChecker` computes the sides in
 * the widest reading (`new Selections(cluster, 'widest')`) only where `inputLeavesOpen` says the
 * input leaves something open, and reuses the fail-closed sides otherwise. That is sound only when
 * `inputLeavesOpen` false means the two readings give the same sides. Property: on random worlds,
 * whenever `inputLeavesOpen` is false, for every probe port of the world the sides of both readings
 * are equal, bitset by bitset (the destinations reached, each ingress and egress set, isolated or not).
 *
 * The worlds draw on what the widest reading reads differently: NetworkPolicies (namespace
 * selectors, ipBlocks with except against ends of one and of several addresses), Cilium policies
 * (the generators of cilium.property.test.ts: selectors on keys Cilium's label filter may drop,
 * service accounts, entities host/remote-node/kube-apiserver/world/cluster, CIDR sets with except,
 * toFQDNs with and without DNS servers, ports, deny rules), allow rules the model leaves out
 * (toServices, toGroups, ICMP), pods without a pod spec (their service account not given), pods
 * on no known node, namespaces without their Namespace object, API servers known or not, and the
 * cluster-wide tiers (the generators of tiers.property.test.ts, with subjects and peers on the
 * namespaces' `team` and networks, undecided where a namespace has no Namespace object or a pod's
 * IP is unknown, and often all in the Admin tier at one priority: ties, whose order is the
 * implementation's). Tiers next to Cilium policies are left out by the model, so a world has Cilium
 * policies, tiers, both or neither. (It found that `inputLeavesOpen` did not read such ties:
 * test/analysis/invariants-widest-sound.test.ts, 4.)
 */

const { tierPolicy } = tierVocabulary(NS, VALUES.slice(0, 2));

/** Allow rules the model leaves out (a peer it cannot place, ICMP), with their direction. */
const leftOutRule: fc.Arbitrary<{ dir: string; rule: any }> = fc.oneof(
  fc.constant({ dir: 'egress', rule: { toServices: [{ k8sService: { serviceName: 'db', namespace: 'shop' } }], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] } }),
  fc.constant({ dir: 'egress', rule: { toGroups: [{ aws: { securityGroupsIds: ['sg-0123456789abcdef0'] } }] } }),
  fc.constant({ dir: 'egress', rule: { toEndpoints: [{}], icmps: [{ fields: [{ type: 8, family: 'IPv4' }] }] } }),
  fc.constant({ dir: 'ingress', rule: { fromEndpoints: [{}], icmps: [{ fields: [{ type: 8, family: 'IPv4' }] }] } }),
  fc.constant({ dir: 'ingress', rule: { fromNodes: [{ matchLabels: { 'node-role.kubernetes.io/worker': '' } }] } }),
);

/** ipBlocks of a NetworkPolicy: with except, of one family or of both. */
const IP_BLOCKS = [
  { cidr: '10.1.0.0/16', except: ['10.1.2.0/24'] },
  { cidr: '10.1.2.0/24' },
  { cidr: 'fd00::/64' },
  { cidr: '203.0.113.0/24', except: ['203.0.113.7/32'] },
  { cidr: '0.0.0.0/0' },
  { cidr: '10.0.1.0/24' },
];
const ipBlockNp = fc.record({
  namespace: fc.constantFrom(...NS),
  dir: fc.constantFrom('ingress', 'egress'),
  blocks: fc.subarray(IP_BLOCKS, { minLength: 1, maxLength: 2 }),
  port: fc.constantFrom(undefined, 80),
});

/** Pods of several addresses (dual stack), or of one. */
const addressedPod = fc.record({
  namespace: fc.constantFrom(...NS),
  app: fc.constantFrom(...VALUES.slice(0, 2)),
  ips: fc.constantFrom(['10.1.2.5', 'fd00::5'], ['10.1.9.5', 'fd00::6'], ['10.1.2.6'], ['fd00::7']),
});

/** Pods without a pod spec (ReachabilityOptions.pods): their service account is not given. */
const modelPod: fc.Arbitrary<{ namespace: string; app: string; ip?: string }> = fc.record({
  namespace: fc.constantFrom(...NS),
  app: fc.constantFrom(...VALUES.slice(0, 2)),
  ip: fc.constantFrom(undefined, '10.1.2.8'),
});

/** A list, empty three times in four. */
const sometimes = <T>(list: fc.Arbitrary<T[]>): fc.Arbitrary<T[]> =>
  fc.oneof({ weight: 3, arbitrary: fc.constant([] as T[]) }, { weight: 1, arbitrary: list });

const world = fc.record({
  base: ciliumWorld,
  kinds: fc.constantFrom('cilium', 'cilium', 'tiers', 'tiers', 'tiers', 'both', 'neither'),
  apiServer: fc.constantFrom<string[]>([], ['10.0.1.1'], ['203.0.113.50'], ['10.0.1.1', '10.0.1.2']),
  tiers: fc.array(tierPolicy, { minLength: 2, maxLength: 3 }),
  // Often every tier policy in the Admin tier at one priority: ties, whose order is the implementation's.
  tied: fc.boolean(),
  // Namespaces without their Namespace object: only their name label is known.
  guessed: fc.oneof({ weight: 2, arbitrary: fc.constant([] as string[]) }, { weight: 1, arbitrary: fc.subarray([...NS], { minLength: 1 }) }),
  leftOut: sometimes(fc.array(leftOutRule, { minLength: 1, maxLength: 1 })),
  ipBlocks: fc.array(ipBlockNp, { maxLength: 2 }),
  addressed: fc.array(addressedPod, { maxLength: 2 }),
  modelPods: sometimes(fc.array(modelPod, { minLength: 1, maxLength: 1 })),
  // A pod on no known node (no spec.nodeName), and a node of two addresses.
  unplaced: fc.boolean(),
  dualStackNode: fc.boolean(),
  // The pod CIDRs: a pod whose IP is unknown lies inside them (tier networks no pod CIDR overlaps are decided for it).
  podCidrs: fc.constantFrom<string[] | undefined>(undefined, ['10.1.0.0/16', 'fd00::/64']),
});
type World = typeof world extends fc.Arbitrary<infer T> ? T : never;

function manifests(w: World): { objects: any[]; options: ReachabilityOptions } {
  const cilium = w.kinds === 'cilium' || w.kinds === 'both';
  const tiers = w.kinds === 'tiers' || w.kinds === 'both';
  const objects = build(w.base).objects
    .filter((o) => !(o.kind === 'Namespace' && w.guessed.includes(o.metadata.name)))
    .filter((o) => cilium || !o.apiVersion.startsWith('cilium.io'))
    .map((o) => JSON.parse(JSON.stringify(o)));
  const ciliumObjects = objects.filter((o) => o.apiVersion.startsWith('cilium.io'));
  w.leftOut.forEach(({ dir, rule }, i) => {
    if (ciliumObjects.length === 0) return;
    const spec = ciliumObjects[i % ciliumObjects.length].spec;
    spec[dir] = [...spec[dir] ?? [], rule];
  });
  if (w.unplaced) {
    const pod = objects.find((o) => o.kind === 'Pod' && !o.spec.hostNetwork);
    if (pod) delete pod.spec.nodeName;
  }
  if (w.dualStackNode) objects.find((o) => o.kind === 'Node').status.addresses.push({ type: 'InternalIP', address: 'fd00::1:1' });
  w.addressed.forEach((p, i) => objects.push({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `a${i}`, namespace: p.namespace, labels: { app: p.app } },
    spec: { nodeName: 'n2', containers: [{ name: 'c', ports: [{ containerPort: 80, name: 'http' }] }] },
    status: { podIP: p.ips[0], podIPs: p.ips.map((ip) => ({ ip })) },
  }));
  w.ipBlocks.forEach((p, i) => objects.push({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: `ipblock${i}`, namespace: p.namespace },
    spec: {
      podSelector: {},
      policyTypes: [p.dir === 'ingress' ? 'Ingress' : 'Egress'],
      [p.dir]: [{ [p.dir === 'ingress' ? 'from' : 'to']: p.blocks.map((ipBlock) => ({ ipBlock })), ...(p.port ? { ports: [{ port: p.port }] } : {}) }],
    },
  }));
  if (tiers) {
    // One BaselineAdminNetworkPolicy at most (a singleton).
    const policies: TierPolicyGen[] = w.tied
      ? w.tiers.map((t) => ({ ...t, kind: t.kind === 'BANP' ? 'ANP' : t.kind === 'CNP-Baseline' ? 'CNP-Admin' : t.kind, priority: 1 as const }))
      : w.tiers;
    const firstBanp = policies.findIndex((t) => t.kind === 'BANP');
    objects.push(...policies.filter((t, j) => t.kind !== 'BANP' || j === firstBanp).map((t, i) => legal(t, i).object));
  }
  const pods: ModelPod[] = w.modelPods.map((p, i) => ({
    namespace: p.namespace, name: `m${i}`, labels: { app: p.app }, ports: [{ number: 80, name: 'http' }], ...(p.ip ? { ip: p.ip } : {}),
  }));
  const externals = [...EXTERNALS, { name: 'v6', ip: '2001:db8::7', dnsName: 'v6.example.com' }];
  const apiServerIps = w.apiServer.length > 0 ? { apiServerIps: w.apiServer } : {};
  return { objects, options: { externals, pods, ...(w.podCidrs ? { podCidrs: w.podCidrs } : {}), ...apiServerIps } };
}

/** Where two sides differ: the first set that does, in words, or undefined when they are equal. */
function difference(cluster: Reachability['_cluster'], closed: ComputedSides, wide: ComputedSides): string | undefined {
  const id = (k: number) => cluster.endpoints[k].id;
  if (!closed.reachable.equals(wide.reachable)) return 'the destinations reached';
  for (const side of ['ingressFrom', 'egressTo'] as const) {
    for (let k = 0; k < cluster.endpoints.length; k++) {
      const a = closed[side][k];
      const b = wide[side][k];
      if ((a === undefined) !== (b === undefined)) return `${side}[${id(k)}]: isolated ${a !== undefined} fail closed, ${b !== undefined} widest`;
      if (a && b && !a.equals(b)) {
        const only = (x: typeof a, y: typeof a) => cluster.endpoints.filter((e) => x.has(e.index) && !y.has(e.index)).map((e) => e.id);
        return `${side}[${id(k)}]: only fail closed ${only(a, b).join(', ') || '-'}; only widest ${only(b, a).join(', ') || '-'}`;
      }
    }
  }
  return undefined;
}

test('where inputLeavesOpen is false, the widest sides are the fail-closed ones, on every probe port', () => {
  const count = { open: 0, decided: 0, probes: 0 };
  fc.assert(fc.property(world, (w) => {
    const { objects, options } = manifests(w);
    const cluster = Reachability.fromManifests(objects, options)._cluster;
    if (inputLeavesOpen(cluster)) {
      count.open++;
      return;
    }
    count.decided++;
    const closed = new Selections(cluster);
    const wide = new Selections(cluster, 'widest');
    for (const probe of probePorts([cluster], [], [], 'widest')) {
      count.probes++;
      const d = difference(cluster, computeSides(cluster, probe.query, closed), computeSides(cluster, probe.query, wide));
      if (d !== undefined) {
        throw new Error(`inputLeavesOpen is false, yet on ${probe.label} the readings differ: ${d}\n`
          + JSON.stringify(objects.filter((o) => !['Namespace', 'Node', 'Pod'].includes(o.kind)), null, 1));
      }
    }
  }), fuzzParameters(300));
  // Not vacuous: both kinds of world occur, and the decided ones are checked on ports.
  expect(count.open).toBeGreaterThan(20);
  expect(count.decided).toBeGreaterThan(20);
  expect(count.probes).toBeGreaterThan(count.decided);
});
