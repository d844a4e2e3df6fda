import * as fc from 'fast-check';
import { RandomCluster, randomCluster, randomClusterManifests, RandomClusterOptions } from './random-cluster';
import { FlowReplay, ObservedEndKind, ObservedFlows, Port, Protocol, Reachability } from '../../src';
import { fuzzParameters } from '../fuzz-config';

/**
 * For random small clusters (pods and workloads with random labels, random valid policies) and
 * random observed flows among their workloads, workloads the manifests lack and addresses, `replay`
 * reports as blocked exactly the observed connections the analyser denies, pair by pair with
 * `Reachability.allows` on a model built here, apart from the replay's; every other observed
 * connection as allowed; and each never-observed connection it lists is allowed and was not observed.
 */
const NS = ['a', 'b', 'c'];
const KEYS = ['app', 'tier'];
const VALUES = ['x', 'y', 'z'];

const labels = fc.dictionary(fc.constantFrom(...KEYS), fc.constantFrom(...VALUES), { maxKeys: 2 });
const selector = fc.oneof(
  fc.constant({}),
  fc.record({ matchLabels: fc.dictionary(fc.constantFrom(...KEYS), fc.constantFrom(...VALUES), { minKeys: 1, maxKeys: 1 }) }),
  fc.record({
    matchExpressions: fc.tuple(fc.constantFrom(...KEYS), fc.constantFrom('In', 'NotIn'), fc.constantFrom(...VALUES))
      .map(([key, operator, value]) => [{ key, operator, values: [value] }]),
  }),
);
const peer = fc.oneof(
  fc.record({ podSelector: selector }),
  fc.record({ namespaceSelector: fc.record({ matchLabels: fc.record({ 'kubernetes.io/metadata.name': fc.constantFrom(...NS) }) }), podSelector: selector }),
  fc.record({ ipBlock: fc.constantFrom({ cidr: '10.1.0.0/16' }, { cidr: '203.0.113.0/24' }, { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] }) }),
);
const port = fc.oneof(
  fc.record({ protocol: fc.constantFrom('TCP', 'UDP'), port: fc.constantFrom(53, 80, 443, 5432) }),
  fc.record({ protocol: fc.constant('TCP'), port: fc.constant(80), endPort: fc.constant(443) }),
  fc.record({ port: fc.constant('http') }),
);
const CLUSTER: RandomClusterOptions = { namespaces: NS, labels, podSelector: selector, peer, port, podIps: ['10.1.0.5', '10.1.0.200', undefined], httpPorts: [8080] };
const cluster = randomCluster(CLUSTER);
const manifests = (c: RandomCluster) => randomClusterManifests(c, CLUSTER);

/** An end of a flow: a declared endpoint (by index), a workload the manifests lack, or an address. */
const end = fc.oneof(
  { weight: 4, arbitrary: fc.nat().map((n) => ({ declared: n })) },
  { weight: 1, arbitrary: fc.constantFrom('a/ghost', 'b/stray').map((id) => ({ id })) },
  { weight: 1, arbitrary: fc.constantFrom('203.0.113.9', '198.51.100.3', '10.1.0.5').map((id) => ({ id })) },
);
const flow = fc.record({
  from: end,
  to: end,
  port: fc.constantFrom(53, 80, 443, 5432, 8080, 9999),
  protocol: fc.constantFrom('TCP', 'UDP', 'SCTP'),
});

test('replay blocks exactly the observed connections the analyser denies, and lists only allowed, unobserved ones as never observed', () => {
  fc.assert(fc.property(cluster, fc.array(flow, { minLength: 1, maxLength: 12 }), (c, flows) => {
    const objects = manifests(c);
    const ids = Reachability.fromManifests(objects).endpoints;
    const idOf = (e: { declared?: number; id?: string }) => (e.id ?? ids[e.declared! % ids.length]);
    const csv = ['source,destination,port,protocol', ...flows.map((f) => `${idOf(f.from)},${idOf(f.to)},${f.port},${f.protocol}`)].join('\n');
    const observed = ObservedFlows.fromText(csv, { manifests: objects });
    const replay = FlowReplay.fromManifests(objects, observed);

    // The model, built here from what the flow reader mapped: undeclared workloads without labels, addresses by their IP.
    const ends = observed.connections.flatMap((o) => [o.source, o.destination]);
    const undeclared = [...new Map(ends.filter((e) => e.kind === ObservedEndKind.UNDECLARED_WORKLOAD).map((e) => [e.id, e])).values()];
    const addresses = [...new Set(ends.filter((e) => e.kind === ObservedEndKind.EXTERNAL).map((e) => e.ip!))];
    const model = Reachability.fromManifests(objects, {
      pods: undeclared.map((e) => ({ namespace: e.namespace!, name: e.name!, labels: {}, workload: true })),
      externals: addresses.map((ip) => ({ name: ip, ip })),
    });
    const key = (from: string, to: string, p: number, proto: string) => `${from} -> ${to} ${p}/${proto}`;
    const denied = new Set<string>();
    const allowed = new Set<string>();
    for (const o of observed.connections) {
      const k = key(o.source.id, o.destination.id, o.port, o.protocol);
      (model.allows(o.source.id, o.destination.id, Port.of(o.protocol, o.port)) ? allowed : denied).add(k);
    }
    const listed = (pairs: FlowReplay['blocked']) => new Set(pairs.flatMap((p) => p.connections.map((x) => key(x.from, x.to, x.port, x.protocol))));
    expect([...listed(replay.blocked)].sort()).toEqual([...denied].sort());
    expect([...listed(replay.allowed)].sort()).toEqual([...allowed].sort());
    expect(replay.notReplayed).toEqual([]);
    expect(replay.passed).toBe(denied.size === 0);

    const seen = new Set(observed.connections.flatMap((o) => [o.source.id, o.destination.id]));
    const observedKeys = new Set([...denied, ...allowed]);
    for (const u of [...replay.neverObserved, ...replay.openNeverObserved]) {
      expect(seen.has(u.from) && seen.has(u.to)).toBe(true);
      for (const label of u.ports) {
        const m = /^([0-9]+)\/(TCP|UDP|SCTP)$/.exec(label);
        if (!m) continue;
        expect(model.allows(u.from, u.to, Port.of(m[2] as Protocol, Number(m[1])))).toBe(true);
        expect(observedKeys.has(key(u.from, u.to, Number(m[1]), m[2]))).toBe(false);
      }
    }
  }), fuzzParameters(100));
});
