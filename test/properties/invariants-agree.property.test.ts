import * as fc from 'fast-check';
import { EndpointSelectionSpec, checkInvariants, InvariantKind, InvariantSpec, ZoneSpec } from '../../src/analysis/invariants';
import { Reachability } from '../../src/analysis/reachability';
import { compileSelector } from '../../src/k8s/label-selector';
import { PortEntry } from '../../src/k8s/port-set';
import { Port } from '../../src/model/port';
import { Protocol } from '../../src/model/protocol';
import { fuzzParameters } from '../fuzz-config';

/**
 * For random clusters (random valid policies with single ports, ranges, named ports and whole
 * protocols; workloads and pods; mixed-case, `_` and `.` in labels and names) and random
 * invariants, `checkInvariants` agrees with the pair-by-pair analyser: an invariant holds exactly
 * when no connection `explain` allows, on any port of a dense set of ports (every bound of every
 * rule and invariant, its neighbours, a port inside each gap), violates it; and a counterexample is
 * a connection `explain` allows that violates it, the first by source and destination id.
 */
const NS = ['a', 'b', 'c-1'];
const KEYS = ['app', 'Tier', 'team_x'];
const VALUES = ['x', 'X', 'web_1', 'web.1'];
const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];
/** The ports the reference checks, per protocol: every bound of the generators below, its neighbours, and a port in each gap. */
const REFERENCE_PORTS = [1, 53, 79, 80, 81, 100, 101, 200, 442, 443, 444, 445, 1000, 5431, 5432, 5433, 6000, 8079, 8080, 8081, 30000, 65535];

const labels = fc.dictionary(fc.constantFrom(...KEYS), fc.constantFrom(...VALUES), { maxKeys: 2 });
const selector = fc.oneof(
  fc.record({ matchLabels: fc.dictionary(fc.constantFrom(...KEYS), fc.constantFrom(...VALUES), { minKeys: 1, maxKeys: 1 }) }),
  fc.record({
    matchExpressions: fc.tuple(fc.oneof(
      fc.record({ key: fc.constantFrom(...KEYS), operator: fc.constantFrom('In', 'NotIn'), values: fc.uniqueArray(fc.constantFrom(...VALUES), { minLength: 1, maxLength: 2 }) }),
      fc.record({ key: fc.constantFrom(...KEYS), operator: fc.constantFrom('Exists', 'DoesNotExist') }),
    )),
  }),
  fc.constant({}),
);
const nsSelector = fc.oneof(fc.constant({}), fc.record({ matchLabels: fc.record({ 'kubernetes.io/metadata.name': fc.constantFrom(...NS) }) }),
  fc.record({ matchLabels: fc.record({ team: fc.constantFrom('red', 'blue') }) }));
const peer = fc.oneof(
  fc.record({ podSelector: selector }),
  fc.record({ namespaceSelector: nsSelector }),
  fc.record({ namespaceSelector: nsSelector, podSelector: selector }),
  fc.record({ ipBlock: fc.constantFrom({ cidr: '10.1.0.0/16' }, { cidr: '203.0.113.0/24' }, { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] }) }),
);
const policyPort = fc.oneof(
  fc.record({ protocol: fc.constantFrom('TCP', 'UDP'), port: fc.constantFrom(80, 443, 5432) }),
  fc.record({ protocol: fc.constant('TCP'), port: fc.constant(80), endPort: fc.constantFrom(100, 443) }),
  fc.record({ port: fc.constantFrom('http', 'db') }),
  fc.record({ protocol: fc.constantFrom('TCP', 'UDP', 'SCTP') }),
);
const rule = (field: 'from' | 'to') => fc.record({
  [field]: fc.option(fc.array(peer, { minLength: 1, maxLength: 2 }), { nil: undefined }),
  ports: fc.option(fc.array(policyPort, { minLength: 1, maxLength: 2 }), { nil: undefined }),
}, { requiredKeys: [] }).map((r) => JSON.parse(JSON.stringify(r)));
const policy = fc.record({
  namespace: fc.constantFrom(...NS),
  podSelector: selector,
  policyTypes: fc.subarray(['Ingress', 'Egress'], { minLength: 1 }),
  ingress: fc.array(rule('from'), { maxLength: 2 }),
  egress: fc.array(rule('to'), { maxLength: 2 }),
});
const pod = fc.record({
  namespace: fc.constantFrom(...NS),
  labels,
  ip: fc.constantFrom('10.1.0.5', '10.2.0.1', undefined),
  http: fc.constantFrom(80, 8080),
  workload: fc.boolean(),
});
const cluster = fc.record({
  pods: fc.array(pod, { minLength: 1, maxLength: 6 }),
  policies: fc.array(policy, { maxLength: 4 }),
  red: fc.subarray(NS),
});
type ClusterSpec = typeof cluster extends fc.Arbitrary<infer T> ? T : never;
const EXTERNALS = [{ name: 'ext', ip: '203.0.113.7' }, { name: 'elsewhere', ip: '192.0.2.1' }];

function manifests(c: ClusterSpec): any[] {
  const objects: any[] = NS.map((ns) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { team: c.red.includes(ns) ? 'red' : 'blue' } } }));
  c.pods.forEach((p, i) => {
    const spec = { containers: [{ name: 'main', ports: [{ containerPort: p.http, name: 'http' }, { containerPort: 5432, name: 'db' }] }] };
    objects.push(p.workload
      ? { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: `w.${i}`, namespace: p.namespace }, spec: { template: { metadata: { labels: p.labels }, spec } } }
      : { apiVersion: 'v1', kind: 'Pod', metadata: { name: `p.${i}`, namespace: p.namespace, labels: p.labels }, spec, status: p.ip ? { podIP: p.ip } : {} });
  });
  c.policies.forEach((p, i) => {
    const { namespace, ...spec } = p;
    objects.push({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: `np${i}`, namespace }, spec });
  });
  return objects;
}

/** Random selections: zones, ids (of the cluster's endpoints, or of none), outside the cluster, namespaces and labels. */
const selection = (ids: string[]): fc.Arbitrary<EndpointSelectionSpec> => fc.oneof(
  fc.constantFrom<EndpointSelectionSpec>({ zone: 'z0' }, { zone: 'z1' }),
  fc.constantFrom(...ids, 'a/missing').map((id) => ({ id })),
  fc.constant({ outsideCluster: true }),
  fc.constantFrom(...NS).map((namespace) => ({ namespace })),
  selector.filter((s) => Object.keys(s).length > 0).map((podSelector) => ({ podSelector })),
  fc.tuple(fc.constantFrom(...NS), selector.filter((s) => Object.keys(s).length > 0)).map(([namespace, podSelector]) => ({ namespace, podSelector })),
  fc.record({ matchLabels: fc.record({ team: fc.constantFrom('red', 'blue') }) }).map((namespaceSelector) => ({ namespaceSelector })),
);
const invariantPorts: fc.Arbitrary<PortEntry[] | undefined> = fc.option(fc.array(fc.oneof(
  fc.record({ kind: fc.constant('numbered' as const), protocol: fc.constantFrom('TCP', 'UDP'), port: fc.constantFrom(80, 443, 444, 8080) }),
  fc.record({ kind: fc.constant('numbered' as const), protocol: fc.constant('TCP'), port: fc.constant(81), endPort: fc.constant(100) }),
  fc.record({ kind: fc.constant('allPorts' as const), protocol: fc.constantFrom('UDP', 'SCTP') }),
), { minLength: 1, maxLength: 2 }), { nil: undefined });

const invariant = (ids: string[]): fc.Arbitrary<InvariantSpec> => {
  const sels = fc.array(selection(ids), { minLength: 1, maxLength: 2 });
  return fc.oneof(
    fc.record({ kind: fc.constantFrom(InvariantKind.ONLY, InvariantKind.NEVER), from: sels, to: sels, ports: invariantPorts }),
    fc.record({ kind: fc.constant(InvariantKind.CONTAINED), zone: sels, except: fc.option(sels, { nil: undefined }), ports: invariantPorts })
      .map((i) => (i.except ? i : { ...i, ports: undefined })),
    fc.record({ kind: fc.constant(InvariantKind.ISOLATED), groups: fc.array(sels, { minLength: 2, maxLength: 3 }) }),
  ).map((i) => JSON.parse(JSON.stringify({ name: 'inv', ...i })) as InvariantSpec);
};

/** The reference: membership straight from the manifests' namespaces and labels, connections from `explain`, pair by pair. */
function reference(r: Reachability, c: ClusterSpec, zones: ZoneSpec[], inv: InvariantSpec) {
  const info = new Map<string, { namespace?: string; labels: Record<string, string> }>();
  c.pods.forEach((p, i) => info.set(`${p.namespace}/${p.workload ? 'w' : 'p'}.${i}`, { namespace: p.namespace, labels: p.labels }));
  for (const e of EXTERNALS) info.set(e.name, { labels: {} });
  const nsLabels = (ns: string) => ({ 'kubernetes.io/metadata.name': ns, 'team': c.red.includes(ns) ? 'red' : 'blue' });
  const members = (sels: readonly EndpointSelectionSpec[]): Set<string> => new Set(r.endpoints.filter((id) => sels.some((s) => inSelection(id, s))));
  const inSelection = (id: string, s: EndpointSelectionSpec): boolean => {
    const e = info.get(id)!;
    if (s.zone !== undefined) return members(zones.find((z) => z.name === s.zone)!.members).has(id);
    if (s.id !== undefined) return s.id === id;
    if (s.outsideCluster) return e.namespace === undefined;
    if (e.namespace === undefined) return false;
    if (s.namespace !== undefined && s.namespace !== e.namespace) return false;
    if (s.namespaceSelector && !compileSelector(s.namespaceSelector).matches(nsLabels(e.namespace))) return false;
    return s.podSelector ? compileSelector(s.podSelector).matches(e.labels) : true;
  };
  const inPorts = (protocol: string, port: number) => !inv.ports || inv.ports.some((p) => p.kind === 'allTraffic'
    || (p.protocol === protocol && (p.kind === 'allPorts' || (p.kind === 'numbered' && port >= p.port && port <= (p.endPort ?? p.port)))));
  let violates: (s: string, d: string, protocol: string, port: number) => boolean;
  let sets: Array<Set<string>>;
  switch (inv.kind) {
    case InvariantKind.ONLY: {
      const [from, to] = sets = [members(inv.from!), members(inv.to!)];
      violates = (s, d, proto, port) => to.has(d) && !to.has(s) && (!from.has(s) || !inPorts(proto, port));
      break;
    }
    case InvariantKind.NEVER: {
      const [from, to] = sets = [members(inv.from!), members(inv.to!)];
      violates = (s, d, proto, port) => from.has(s) && to.has(d) && inPorts(proto, port);
      break;
    }
    case InvariantKind.CONTAINED: {
      const zone = members(inv.zone!);
      const except = members(inv.except ?? []);
      sets = inv.except ? [zone, except] : [zone];
      violates = (s, d, proto, port) => zone.has(s) && !zone.has(d) && !(except.has(d) && inPorts(proto, port));
      break;
    }
    default: {
      sets = inv.groups!.map(members);
      violates = (s, d) => sets.some((a, i) => sets.some((b, j) => i !== j && a.has(s) && b.has(d))) && !sets.some((g) => g.has(s) && g.has(d));
    }
  }
  if (sets.some((s) => s.size === 0)) return { empty: true, violations: [] as Array<[string, string, string, number]> };
  const violations: Array<[string, string, string, number]> = [];
  for (const s of r.endpoints) {
    for (const d of r.endpoints) {
      for (const proto of PROTOCOLS) {
        for (const port of REFERENCE_PORTS) {
          if (!violates(s, d, proto, port)) continue;
          const e = r.explain(s, d, Port.of(proto as Protocol, port));
          if (e.allowed && !e.loopback) violations.push([s, d, proto, port]);
        }
      }
    }
  }
  return { empty: false, violations, violates };
}

test('check agrees with the pair-by-pair analyser on random stacks and random invariants', () => {
  const scenario = cluster.chain((c) => {
    const ids = Reachability.fromManifests(manifests(c), { externals: EXTERNALS }).endpoints;
    const zones = fc.tuple(fc.array(selection(ids).filter((s) => s.zone === undefined), { minLength: 1, maxLength: 2 }),
      fc.array(fc.oneof(selection(ids).filter((s) => s.zone !== 'z1'), fc.constant({ zone: 'z0' })), { minLength: 1, maxLength: 2 }));
    return fc.tuple(fc.constant(c), zones, fc.array(invariant(ids), { minLength: 1, maxLength: 3 }));
  });
  fc.assert(fc.property(scenario, ([c, [z0, z1], invariants]) => {
    const r = Reachability.fromManifests(manifests(c), { externals: EXTERNALS });
    expect(r.skipped).toEqual([]);
    const zones: ZoneSpec[] = [{ name: 'z0', members: z0 }, { name: 'z1', members: z1 }];
    const named = invariants.map((inv, k) => ({ ...inv, name: `inv${k}` }));
    const report = checkInvariants(r, zones, named);
    named.forEach((inv, k) => {
      const result = report.results[k];
      const ref = reference(r, c, zones, inv);
      const context = `${JSON.stringify(inv)}\nzones ${JSON.stringify(zones)}\n${JSON.stringify(result, (key, v) => (key === 'explanation' ? String(v) : v))}`;
      if (ref.empty) {
        if (result.holds || result.problem === undefined) throw new Error(`a set is empty, so the invariant must fail with a problem:\n${context}`);
        return;
      }
      if (result.holds !== (ref.violations.length === 0)) {
        throw new Error(`check says ${result.holds ? 'holds' : 'fails'}, the reference finds ${ref.violations.length} violations (first ${JSON.stringify(ref.violations[0])}):\n${context}`);
      }
      if (result.holds) return;
      const v = result.violation!;
      const [port, proto] = v.port.split('/');
      const e = r.explain(v.from, v.to, Port.of(proto as Protocol, Number(port)));
      if (!e.allowed || e.loopback || !ref.violates!(v.from, v.to, proto, Number(port))) throw new Error(`the counterexample does not break the invariant:\n${context}`);
      const first = [...ref.violations].sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0) : a[0] < b[0] ? -1 : 1))[0];
      if (first[0] !== v.from || first[1] !== v.to) throw new Error(`the counterexample is not the first by source and destination (${first.join(' ')}):\n${context}`);
    });
  }), fuzzParameters(60));
});
