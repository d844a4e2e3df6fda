import * as fc from 'fast-check';
import { podArbitrary, policyArbitraries, policyManifests } from './random-policies';
import { HostNetworkMode, Port, Reachability } from '../../src';
import { EndpointClasses } from '../../src/analysis/equivalence';
import { NODES_GROUP, OUTSIDE_GROUP } from '../../src/analysis/grouped-matrix';
import { probePorts } from '../../src/analysis/probe-ports';
import { blastRadiusFacts, referenceBlastRadius } from '../analysis/blast-radius-reference';
import { fuzzParameters } from '../fuzz-config';

/**
 * The class-based analyser (verdicts per equivalence class pair, on one representative pair) must
 * answer exactly as the pair-by-pair reference semantics (`explain`) on every pod pair, on random
 * clusters with heavy label reuse: many pods over few label values, namespaces without policies,
 * hostile names (mixed case, `_`, `.`, `/` in keys, non-ASCII pod names and unlooked label values),
 * and random cluster-wide tiers (AdminNetworkPolicy, BaselineAdminNetworkPolicy, ClusterNetworkPolicy
 * of both tiers: subject and peer selectors, networks CIDRs, named ports, domain names).
 */
const NS = ['shop-1', 'shop1', 'x-9', 'idle-a', 'idle-b'];
const KEYS = ['app', 'example.com/Tier', 'env_x'];
const VALUES = ['a', 'A', 'b_1'];
const NOISE = ['zz', 'Ölçü', 'x/y', ''];

// Heavy reuse: a few label sets, plus noise the selectors may or may not look at.
const LABEL_SETS: Array<Record<string, string>> = [{ app: 'a' }, { 'app': 'A', 'example.com/Tier': 'b_1' }, {}, { env_x: 'a', app: 'zz' }];
const labels = fc.record({
  looked: fc.constantFrom(...LABEL_SETS),
  noise: fc.option(fc.dictionary(fc.constantFrom('pod-template-hash', 'Owner', ...KEYS), fc.constantFrom(...NOISE), { maxKeys: 1 }), { nil: undefined }),
}).map(({ looked, noise }) => ({ ...noise, ...looked }));
const nsSelector = fc.oneof(
  fc.constant({}),
  fc.record({ matchLabels: fc.record({ 'kubernetes.io/metadata.name': fc.constantFrom(...NS.map((n) => n.toLowerCase()), 'shop-1') }) }),
  fc.record({ matchExpressions: fc.constant([{ key: 'team', operator: 'Exists' }]) }),
  fc.record({ matchLabels: fc.record({ team: fc.constantFrom('red', 'blue') }) }),
);
// Policies only in the first three namespaces: the idle ones are told apart by their labels alone.
const { selector, policy } = policyArbitraries({
  keys: KEYS,
  values: VALUES,
  maxExpressions: 2,
  namespaceSelector: nsSelector,
  ipBlocks: [{ cidr: '10.1.0.0/16' }, { cidr: '10.0.0.0/8', except: ['10.1.0.0/24'] }, { cidr: 'fd00::/8' }],
  ports: [80, 443],
  endPorts: [80, 8080],
  portNames: ['http', 'web-port'],
}, NS.slice(0, 3));
// Dual-stack pods too (an IPv4 and an IPv6 address, space-separated here): a connection uses one of them.
const pod = podArbitrary({
  namespaces: NS, labels, ips: ['10.1.0.5', '10.1.0.200', '10.2.0.1', undefined, '10.1.0.6 fd00::6', 'fd00::7', '10.2.0.8 fe80::8'], hostNetwork: [false, false, false, false, true],
});
/** A pod's status with its addresses (`status.podIPs` when it has two), and the host's when it runs on no named node. */
function podStatus(ips: string, hostIp: boolean): any {
  const all = ips.split(' ');
  return { podIP: all[0], ...(all.length > 1 ? { podIPs: all.map((ip) => ({ ip })) } : {}), ...(hostIp ? { hostIP: all[0] } : {}) };
}
// Cluster-wide tiers, generated in a neutral shape and written as each kind's wire format by `tierObject`.
const tierPeer = (egress: boolean) => fc.oneof(
  fc.record({ namespaces: nsSelector }),
  fc.record({ pods: fc.record({ namespaceSelector: nsSelector, podSelector: selector }) }),
  ...(egress ? [fc.record({ networks: fc.uniqueArray(fc.constantFrom('10.1.0.0/16', '10.1.0.0/24', '0.0.0.0/0', '::/0', '203.0.113.0/24', 'fd00::/8'), { minLength: 1, maxLength: 2 }) })] : []),
);
const tierPort = fc.oneof(
  fc.record({ protocol: fc.constantFrom('TCP', 'UDP'), port: fc.constantFrom(80, 443) }),
  fc.record({ protocol: fc.constant('TCP'), port: fc.constant(80), end: fc.constant(8080) }),
  fc.record({ name: fc.constantFrom('http', 'web-port') }),
);
const tierRule = (egress: boolean) => fc.record({
  action: fc.constantFrom('allow', 'deny', 'pass'),
  peers: fc.array(tierPeer(egress), { minLength: 1, maxLength: 2 }),
  ports: fc.option(fc.array(tierPort, { minLength: 1, maxLength: 2 }), { nil: undefined }),
  domain: egress ? fc.constantFrom(undefined, 'api.example.com', '*.example.com') : fc.constant(undefined),
});
const tier = fc.record({
  kind: fc.constantFrom('ANP', 'BANP', 'CNP-Admin', 'CNP-Baseline'),
  priority: fc.constantFrom(0, 1, 3),
  subject: fc.oneof(fc.record({ namespaces: nsSelector }), fc.record({ pods: fc.record({ namespaceSelector: nsSelector, podSelector: selector }) })),
  ingress: fc.array(tierRule(false), { maxLength: 2 }),
  egress: fc.array(tierRule(true), { maxLength: 2 }),
});
type TierValue = typeof tier extends fc.Arbitrary<infer T> ? T : never;

/** A generated tier as the API server accepts it: Pass not in a BANP, domainNames only in allow rules, no named port beside networks. */
function tierObject(t: TierValue, i: number): any {
  const v2 = t.kind.startsWith('CNP');
  const rules = (list: TierValue['egress'], field: 'from' | 'to') => list.map((r) => {
    const action = t.kind === 'BANP' && r.action === 'pass' ? 'deny' : r.action;
    const peers: any[] = [...r.peers];
    if (r.domain && t.kind !== 'BANP' && action === 'allow') peers.push({ domainNames: [r.domain] });
    const addresses = peers.some((x) => x.networks || x.domainNames);
    const ports = (r.ports ?? []).filter((x: any) => !(addresses && x.name));
    const wirePorts = ports.length === 0 ? {} : v2
      ? {
        protocols: ports.map((x: any) => (x.name ? { destinationNamedPort: x.name }
          : { [x.protocol.toLowerCase()]: { destinationPort: x.end ? { range: { start: x.port, end: x.end } } : { number: x.port } } })),
      }
      : {
        ports: ports.map((x: any) => (x.name ? { namedPort: x.name }
          : x.end ? { portRange: { protocol: x.protocol, start: x.port, end: x.end } } : { portNumber: { protocol: x.protocol, port: x.port } })),
      };
    const wireAction = action === 'allow' ? (v2 ? 'Accept' : 'Allow') : action === 'deny' ? 'Deny' : 'Pass';
    return { action: wireAction, [field]: peers, ...wirePorts };
  });
  const spec: any = {
    ...(v2 ? { tier: t.kind === 'CNP-Admin' ? 'Admin' : 'Baseline' } : {}),
    ...(t.kind === 'BANP' ? {} : { priority: t.priority }),
    subject: t.subject,
    ingress: rules(t.ingress, 'from'),
    egress: rules(t.egress, 'to'),
  };
  const kind = t.kind === 'ANP' ? 'AdminNetworkPolicy' : t.kind === 'BANP' ? 'BaselineAdminNetworkPolicy' : 'ClusterNetworkPolicy';
  const apiVersion = v2 ? 'policy.networking.k8s.io/v1alpha2' : 'policy.networking.k8s.io/v1alpha1';
  return { apiVersion, kind, metadata: { name: t.kind === 'BANP' ? 'default' : `Tier_${i}`.toLowerCase().replace('_', '-') }, spec };
}

const cluster = fc.record({
  pods: fc.array(pod, { minLength: 1, maxLength: 24 }),
  policies: fc.array(policy, { maxLength: 5 }),
  tiers: fc.constant([] as TierValue[]),
  team: fc.array(fc.constantFrom('red', 'blue', undefined), { minLength: NS.length, maxLength: NS.length }),
  // Where pods run (spec.nodeName, also in a workload's template: a node of the input, one that is
  // not, or none) and whether the Nodes are in the input (n1's address is a pod IP, so a pod with
  // that status.hostIP runs on it): a pod's own node always reaches it.
  nodeNames: fc.array(fc.constantFrom('n1', 'n2', 'ghost', undefined, undefined), { minLength: 24, maxLength: 24 }),
  nodes: fc.boolean(),
});
type ClusterValue = typeof cluster extends fc.Arbitrary<infer T> ? T : never;

function manifests(c: ClusterValue): any[] {
  const objects: any[] = NS.map((ns, i) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns.toLowerCase(), labels: c.team[i] ? { team: c.team[i] } : {} } }));
  c.pods.forEach((p, i) => {
    const containers = [{ name: 'main', ports: [{ containerPort: p.http, name: 'http' }, { containerPort: 443, name: 'web-port' }] }];
    const nodeName = c.nodeNames[i];
    const spec = { ...(p.hostNetwork ? { hostNetwork: true } : {}), ...(nodeName !== undefined ? { nodeName } : {}), containers };
    const metadata = { name: `Pöd_${i % 3}.${i}`, namespace: p.namespace.toLowerCase() };
    objects.push(p.workload
      ? { apiVersion: 'apps/v1', kind: 'Deployment', metadata, spec: { template: { metadata: { labels: p.labels }, spec } } }
      // status.hostIP only where spec.nodeName is not given: the two naming different nodes is a
      // contradiction the model notes (test/analysis/pod-node-contradiction.test.ts).
      : { apiVersion: 'v1', kind: 'Pod', metadata: { ...metadata, labels: p.labels }, spec, status: p.ip ? podStatus(p.ip, nodeName === undefined) : {} });
  });
  if (c.nodes) {
    for (const [name, ip] of [['n1', '10.2.0.1'], ['n2', '10.3.0.1']]) {
      objects.push({ apiVersion: 'v1', kind: 'Node', metadata: { name }, status: { addresses: [{ type: 'InternalIP', address: ip }] } });
    }
  }
  objects.push(...policyManifests(c.policies, 'np-'));
  // One BaselineAdminNetworkPolicy at most (a singleton named default).
  const firstBanp = c.tiers.findIndex((t) => t.kind === 'BANP');
  c.tiers.forEach((t, i) => {
    if (t.kind !== 'BANP' || i === firstBanp) objects.push(tierObject(t, i));
  });
  return objects;
}

const PORTS = [Port.tcp(80), Port.tcp(443), Port.udp(80), Port.tcp(8080), Port.named('http'), Port.named('web-port'), Port.tcp(9999)];
const EXTERNALS = [
  { name: 'Ext_ü', ip: '10.1.0.7' },
  { name: 'api', ip: '203.0.113.7', dnsName: 'api.example.com' },
  { name: 'www', ip: '203.0.113.8', dnsName: 'www.example.com' },
  { name: 'apex', ip: '198.51.100.7', dnsName: 'example.com' },
];

/**
 * The networks rules of the tiers the analyser must leave out: a rule whose networks do not hold every
 * IPv4 and IPv6 address (`0.0.0.0/0` and `::/0`) cannot be decided while some pod's IP is unknown (a
 * workload, a pod without status.podIP), since pods are matched by their IP too.
 */
function undecidableNetworks(c: ClusterValue, objects: any[]): string[] {
  if (!c.pods.some((p) => p.workload || p.ip === undefined)) return [];
  return objects.filter((o) => o.apiVersion.startsWith('policy.networking')).flatMap((o) => (['ingress', 'egress'] as const).flatMap((dir) => o.spec[dir].flatMap((rule: any, i: number) => {
    const cidrs: string[] = (rule.from ?? rule.to).flatMap((x: any) => x.networks ?? []);
    return cidrs.length > 0 && !(cidrs.includes('0.0.0.0/0') && cidrs.includes('::/0')) ? [`${o.metadata.name} ${dir}[${i}]`] : [];
  })));
}

/** Every pod pair: the class matrix answers as the pair-by-pair reference (`explain`, with every tier). */
function classesAgree(c: ClusterValue, p: Port, hostNetwork: HostNetworkMode): void {
  {
    const objects = manifests(c);
    const r = Reachability.fromManifests(objects, { externals: EXTERNALS, hostNetwork });
    expect(r.skipped.map((s) => `${s.object} ${s.reason.split(' ')[0]}`).sort()).toEqual(undecidableNetworks(c, objects).sort());
    const m = r.matrix(p);
    let allowed = 0;
    for (const from of r.endpoints) {
      for (const to of r.endpoints) {
        const reference = r.explain(from, to, p).allowed;
        if (reference) allowed++;
        if (m.isAllowed(from, to) !== reference) {
          throw new Error(`${from} -> ${to} on ${p}: class matrix ${m.isAllowed(from, to)}, reference ${reference}\n${r.explain(from, to, p)}`);
        }
      }
      expect(m.allowedFrom(from)).toEqual(r.endpoints.filter((to) => r.explain(from, to, p).allowed));
    }
    expect(m.allowedCount).toBe(allowed);
    // The matrix aggregated by namespace counts the same pairs as the cells.
    const grouped = r._groupedMatrix(p, 'namespace');
    const nsOf = (id: string) => {
      const e = r._cluster.endpoint(id)!;
      return e.namespace ?? (e.external ? OUTSIDE_GROUP : NODES_GROUP);
    };
    grouped.groups.forEach((g, i) => {
      // Every pair of namespaces: the listed count, or none allowed where it is not listed.
      const cells = new Map(grouped.cellsFrom(i).map((cell) => [cell.to, cell.allowed]));
      for (const to of grouped.groups) {
        const expected = r.endpoints.filter((f) => nsOf(f) === g.name)
          .reduce((sum, f) => sum + r.endpoints.filter((t) => nsOf(t) === to.name && m.isAllowed(f, t)).length, 0);
        expect(cells.get(to.name) ?? 0).toBe(expected);
        if (cells.has(to.name)) expect(expected).toBeGreaterThan(0);
      }
    });
    // The reuse is heavy enough that classes are at most as many as endpoints (and often fewer).
    expect(EndpointClasses.of(r._cluster).size).toBeLessThanOrEqual(r.endpoints.length);
  }
}

const modes = fc.constantFrom(HostNetworkMode.NODE_TRAFFIC, HostNetworkMode.POD_TRAFFIC);

test('class-based matrix == pair-by-pair reference on every pod pair, with heavy label reuse and hostile names', () => {
  fc.assert(fc.property(cluster, fc.constantFrom(...PORTS), modes, classesAgree), fuzzParameters(250));
});

test('class-based matrix == pair-by-pair reference with random cluster-wide tiers over the NetworkPolicies', () => {
  const tiered = fc.tuple(cluster, fc.array(tier, { minLength: 1, maxLength: 4 })).map(([c, tiers]) => ({ ...c, tiers }));
  fc.assert(fc.property(tiered, fc.constantFrom(...PORTS), modes, classesAgree), fuzzParameters(200));
});

test('a mutation of the input after the model is built changes nothing', () => {
  fc.assert(fc.property(cluster, (c) => {
    const objects = manifests(c);
    const r = Reachability.fromManifests(objects);
    const before = r.endpoints.map((e) => r.matrix(Port.tcp(80)).allowedFrom(e));
    for (const o of objects) if (o.metadata.labels) o.metadata.labels.app = 'a';
    for (const o of objects) if (o.spec?.podSelector) o.spec.podSelector = {};
    expect(r.endpoints.map((e) => r.matrix(Port.tcp(80)).allowedFrom(e))).toEqual(before);
  }), fuzzParameters(40));
});

function portOf(q: { port?: number; protocol: string }): Port {
  return q.protocol === 'UDP' ? Port.udp(q.port!) : q.protocol === 'SCTP' ? Port.sctp(q.port!) : Port.tcp(q.port!);
}

test('the class-based diff == the pair-by-pair reference on every shared pair and probe', () => {
  const change = fc.record({ before: fc.array(policy, { maxLength: 4 }), after: fc.array(policy, { maxLength: 4 }) });
  fc.assert(fc.property(cluster, change, (c, { before, after }) => {
    const b = Reachability.fromManifests(manifests({ ...c, policies: before }));
    const a = Reachability.fromManifests(manifests({ ...c, policies: [...before.slice(0, 2), ...after] }));
    const d = Reachability.diff(b, a);
    const expected = { opened: [] as string[], closed: [] as string[] };
    const probes = probePorts([b._cluster, a._cluster]);
    for (const from of b.endpoints) {
      for (const to of b.endpoints) {
        if (from === to && b._cluster.endpoint(from)!.singleInstance) continue;
        const opened: string[] = [];
        const closed: string[] = [];
        for (const probe of probes) {
          const was = b.explain(from, to, portOf(probe.query)).allowed;
          const is = a.explain(from, to, portOf(probe.query)).allowed;
          if (was !== is) (is ? opened : closed).push(probe.label);
        }
        if (opened.length > 0) expected.opened.push(`${from} -> ${to}: ${opened.join(', ')}`);
        if (closed.length > 0) expected.closed.push(`${from} -> ${to}: ${closed.join(', ')}`);
      }
    }
    const text = (list: ReadonlyArray<{ from: string; to: string; ports: string[] }>) => list.map((x) => `${x.from} -> ${x.to}: ${x.ports.join(', ')}`);
    expect(text(d.opened).sort()).toEqual(expected.opened.sort());
    expect(text(d.closed).sort()).toEqual(expected.closed.sort());
  }), fuzzParameters(60));
});

/**
 * The class-based blast radius == the one searched over the endpoint matrix (the algorithm before
 * the classes, kept as the reference): same endpoints reached, depths, chosen paths and ports per
 * hop, from every endpoint, with and without a depth limit.
 */
function blastRadiusAgrees(c: ClusterValue, hostNetwork: HostNetworkMode, maxDepth: number | undefined): void {
  const r = Reachability.fromManifests(manifests(c), { externals: EXTERNALS, hostNetwork });
  for (const e of r._cluster.endpoints) {
    if (e.external) continue;
    const b = r.blastRadius(e.id, maxDepth);
    expect(blastRadiusFacts(b)).toEqual(blastRadiusFacts(referenceBlastRadius(r._cluster, e, maxDepth)));
    // Each hop of each path is allowed on some port, and each path is as long as its depth.
    for (const x of b.reached) {
      expect(x.path.length).toBe(x.depth);
      for (const h of x.path) expect(h.ports.length).toBeGreaterThan(0);
    }
  }
}

const depths = fc.constantFrom(undefined, 1, 2);

test('class-based blast radius == the search over the endpoint matrix, with heavy label reuse and hostile names', () => {
  fc.assert(fc.property(cluster, modes, depths, blastRadiusAgrees), fuzzParameters(120));
});

test('class-based blast radius == the search over the endpoint matrix with random cluster-wide tiers', () => {
  const tiered = fc.tuple(cluster, fc.array(tier, { minLength: 1, maxLength: 4 })).map(([c, tiers]) => ({ ...c, tiers }));
  fc.assert(fc.property(tiered, modes, depths, blastRadiusAgrees), fuzzParameters(100));
});
