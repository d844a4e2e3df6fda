import * as fc from 'fast-check';
import { HostNetworkMode, Port, Reachability } from '../../src';
import { podArbitrary, policyArbitraries, policyManifests } from '../properties/random-policies';

/**
 * The fast matrix (bitsets, cached peer sets) must give exactly the verdict of the pair-by-pair
 * reference semantics (`explain`) for every pair, on random clusters and random valid policies.
 */
const NS = ['a', 'b', 'c'];
const KEYS = ['app', 'tier', 'env'];
const VALUES = ['x', 'y', 'z'];

const labels = fc.dictionary(fc.constantFrom(...KEYS), fc.constantFrom(...VALUES), { maxKeys: 2 });
const { policy } = policyArbitraries({
  keys: KEYS,
  values: VALUES,
  maxExpressions: 1,
  namespaceSelector: fc.oneof(fc.constant({}), fc.record({ matchLabels: fc.record({ 'kubernetes.io/metadata.name': fc.constantFrom(...NS) }) }), fc.record({ matchLabels: fc.record({ team: fc.constantFrom('red', 'blue') }) })),
  ipBlocks: [{ cidr: '10.1.0.0/16' }, { cidr: '10.0.0.0/8', except: ['10.1.0.0/24'] }, { cidr: '203.0.113.0/24' }],
  ports: [80, 443, 5432],
  endPorts: [80, 443],
  portNames: ['http', 'db'],
}, NS);
// hostNetwork pods (one in four): their IP is the node's, given as status.hostIP(s).
const pod = podArbitrary({
  namespaces: NS,
  labels,
  ips: ['10.1.0.5', '10.1.0.200', '10.2.0.1', undefined],
  hostNetwork: [false, false, false, true],
  hostIps: ['10.1.0.5', '10.1.0.9', '203.0.113.4', undefined],
});

const cluster = fc.record({
  pods: fc.array(pod, { minLength: 1, maxLength: 8 }),
  policies: fc.array(policy, { maxLength: 5 }),
  teamRed: fc.subarray(NS),
});

function manifests(c: fc.RecordValue<typeof cluster extends fc.Arbitrary<infer T> ? T : never>): any[] {
  const objects: any[] = NS.map((ns) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { team: c.teamRed.includes(ns) ? 'red' : 'blue' } } }));
  c.pods.forEach((p, i) => {
    const containers = [{ name: 'main', ports: [{ containerPort: p.http, name: 'http' }, { containerPort: 5432, name: 'db' }, { containerPort: 53, protocol: 'UDP', name: 'dns' }] }];
    const spec = p.hostNetwork ? { hostNetwork: true, containers } : { containers };
    const status = p.hostNetwork
      ? (p.hostIp ? { hostIP: p.hostIp, hostIPs: [{ ip: p.hostIp }], podIP: p.hostIp } : {})
      : (p.ip ? { podIP: p.ip } : {});
    objects.push(p.workload
      ? { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: `w${i}`, namespace: p.namespace }, spec: { template: { metadata: { labels: p.labels }, spec } } }
      : { apiVersion: 'v1', kind: 'Pod', metadata: { name: `p${i}`, namespace: p.namespace, labels: p.labels }, spec, status });
  });
  objects.push(...policyManifests(c.policies, 'np'));
  return objects;
}

test('matrix == reference semantics on random clusters, hostNetwork pods analysed either way', () => {
  const modes = fc.constantFrom(HostNetworkMode.NODE_TRAFFIC, HostNetworkMode.POD_TRAFFIC);
  fc.assert(fc.property(cluster, fc.constantFrom(Port.tcp(80), Port.tcp(443), Port.udp(80), Port.tcp(5432), Port.named('http'), Port.tcp(8080)), modes, (c, p, hostNetwork) => {
    const r = Reachability.fromManifests(manifests(c), { externals: [{ name: 'ext', ip: '203.0.113.7' }], hostNetwork });
    expect(r.skipped).toEqual([]);
    const m = r.matrix(p);
    for (const from of r.endpoints) {
      for (const to of r.endpoints) {
        const reference = r.explain(from, to, p).allowed;
        if (m.isAllowed(from, to) !== reference) {
          throw new Error(`${from} -> ${to} on ${p}: matrix ${m.isAllowed(from, to)}, reference ${reference}\n${r.explain(from, to, p)}`);
        }
      }
    }
  }), { seed: 20261123, numRuns: 300 });
});
