import * as fc from 'fast-check';
import { HostNetworkMode, Port, Reachability } from '../../src';
import { computeMatrix, MatrixEngine } from '../../src/analysis/matrix';
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

function manifests(c: typeof cluster extends fc.Arbitrary<infer T> ? T : never): any[] {
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

test('one MatrixEngine over several ports, in any order and repeated, gives each port\'s fresh matrix and keeps earlier rows', () => {
  const queries = [
    { port: 80, protocol: 'TCP' }, { port: 443, protocol: 'TCP' }, { port: 80, protocol: 'UDP' },
    { port: 5432, protocol: 'TCP' }, { name: 'http', protocol: 'TCP' }, { port: 53, protocol: 'UDP' },
  ];
  const order = fc.array(fc.integer({ min: 0, max: queries.length - 1 }), { minLength: 2, maxLength: 8 });
  fc.assert(fc.property(cluster, order, (c, ks) => {
    const r = Reachability.fromManifests(manifests(c), { externals: [{ name: 'ext', ip: '203.0.113.7' }] });
    const engine = new MatrixEngine(r._cluster);
    const fresh = queries.map((q) => computeMatrix(r._cluster, q).rows.map((row) => row.members()));
    const kept = ks.map((k) => ({ k, rows: engine.compute(queries[k]).rows }));
    // Read after every port was computed: no later port changed an earlier port's rows.
    for (const { k, rows } of kept) expect(rows.map((row) => row.members())).toEqual(fresh[k]);
  }), { seed: 20261201, numRuns: 150 });
});

test('matrix == reference on clusters of 70-130 pods, where small peer sets are lists and large ones bitsets', () => {
  const large = fc.record({
    pods: fc.array(pod, { minLength: 70, maxLength: 130 }),
    policies: fc.array(policy, { minLength: 1, maxLength: 6 }),
    teamRed: fc.subarray(NS),
  });
  const ports = [[Port.tcp(80), { port: 80, protocol: 'TCP' }], [Port.tcp(5432), { port: 5432, protocol: 'TCP' }], [Port.named('http'), { name: 'http', protocol: 'TCP' }]] as const;
  fc.assert(fc.property(large, fc.constantFrom(...ports), (c, [p, query]) => {
    const r = Reachability.fromManifests(manifests(c), { externals: [{ name: 'ext', ip: '203.0.113.7' }] });
    const endpoints = r._cluster.endpoints;
    expect(endpoints.length).toBeGreaterThan(64); // peers of up to 2 members are lists, larger ones bitsets
    const rows = computeMatrix(r._cluster, query).rows; // pod by pod, not by classes
    for (const from of endpoints) {
      for (const to of endpoints) {
        const reference = r.explain(from.id, to.id, p).allowed;
        if (rows[from.index].has(to.index) !== reference) throw new Error(`${from.id} -> ${to.id} on ${p}: matrix ${!reference}`);
      }
    }
  }), { seed: 20261202, numRuns: 12 });
});
