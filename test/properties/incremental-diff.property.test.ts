import * as fc from 'fast-check';
import { Reachability } from '../../src';
import { GroupedDiff } from '../../src/analysis/grouped-diff';
import { IncrementalDiff } from '../../src/analysis/incremental-diff';
import { computeMatrix } from '../../src/analysis/matrix';
import { fuzzParameters } from '../fuzz-config';

/**
 * The incremental diff (classes over both snapshots, only the touched classes recomputed) must
 * list exactly the endpoint pairs and ports on which the two complete pod-by-pod matrices
 * (`computeMatrix` of each snapshot, every port of the diff) differ, on random clusters with heavy
 * label reuse and random small changes: policies changed, added and removed, pod labels and named
 * ports changed, pods added and removed, namespace labels changed.
 */
const NS = ['shop', 'Pay_1', 'data', 'idle-a', 'idle-b'];
const KEYS = ['app', 'example.com/Tier', 'env_x'];
const VALUES = ['a', 'A', 'b_1'];
const LABEL_SETS: Array<Record<string, string>> = [{ app: 'a' }, { 'app': 'A', 'example.com/Tier': 'b_1' }, {}, { env_x: 'a', app: 'zz' }, { app: 'b_1', version: 'Ölçü' }];
const labels = fc.constantFrom(...LABEL_SETS);
const selector = fc.record({
  matchLabels: fc.option(fc.dictionary(fc.constantFrom(...KEYS), fc.constantFrom(...VALUES), { minKeys: 1, maxKeys: 1 }), { nil: undefined }),
  matchExpressions: fc.option(fc.array(fc.oneof(
    fc.record({ key: fc.constantFrom(...KEYS), operator: fc.constantFrom('In', 'NotIn'), values: fc.uniqueArray(fc.constantFrom(...VALUES), { minLength: 1, maxLength: 2 }) }),
    fc.record({ key: fc.constantFrom(...KEYS), operator: fc.constantFrom('Exists', 'DoesNotExist') }),
  ), { maxLength: 1 }), { nil: undefined }),
}, { requiredKeys: [] }).map((s) => JSON.parse(JSON.stringify(s)));
const nsSelector = fc.oneof(
  fc.constant({}),
  fc.record({ matchLabels: fc.record({ 'kubernetes.io/metadata.name': fc.constantFrom(...NS.map((n) => n.toLowerCase())) }) }),
  fc.record({ matchLabels: fc.record({ team: fc.constantFrom('red', 'blue') }) }),
);
const peer = fc.oneof(
  fc.record({ podSelector: selector }),
  fc.record({ namespaceSelector: nsSelector }),
  fc.record({ namespaceSelector: nsSelector, podSelector: selector }),
  fc.record({ ipBlock: fc.oneof(fc.constant({ cidr: '10.1.0.0/16' }), fc.constant({ cidr: '10.0.0.0/8', except: ['10.1.0.0/24'] })) }),
);
const port = fc.oneof(
  fc.record({ protocol: fc.constantFrom('TCP', 'UDP'), port: fc.constantFrom(80, 443) }),
  fc.record({ protocol: fc.constant('TCP'), port: fc.constant(80), endPort: fc.constantFrom(80, 8080) }),
  fc.record({ port: fc.constant('http') }),
);
const rule = (field: 'from' | 'to') => fc.record({ [field]: fc.option(fc.array(peer, { minLength: 1, maxLength: 2 }), { nil: undefined }), ports: fc.option(fc.array(port, { minLength: 1, maxLength: 2 }), { nil: undefined }) }, { requiredKeys: [] })
  .map((r) => JSON.parse(JSON.stringify(r)));
const policySpec = fc.record({
  namespace: fc.constantFrom(...NS.slice(0, 3)),
  podSelector: selector,
  policyTypes: fc.subarray(['Ingress', 'Egress'], { minLength: 1 }),
  ingress: fc.array(rule('from'), { maxLength: 2 }),
  egress: fc.array(rule('to'), { maxLength: 2 }),
});
const pod = fc.record({
  namespace: fc.constantFrom(...NS),
  labels,
  ip: fc.constantFrom('10.1.0.5', '10.2.0.7', '192.168.1.1', undefined),
  http: fc.constantFrom(80, 8080),
  workload: fc.boolean(),
});
/** The values an arbitrary generates (fast-check 4 exports no such helper). */
type Of<A> = A extends fc.Arbitrary<infer T> ? T : never;
type Policy = { namespace: string; [field: string]: unknown };
type Pod = { namespace: string; labels: Record<string, string>; ip?: string; http: number; workload: boolean; name?: string };
interface State { pods: Pod[]; policies: Array<Policy & { name: string }>; red: string[] }

const change = fc.oneof(
  fc.record({ kind: fc.constant('policy-change' as const), at: fc.nat(), spec: policySpec }),
  fc.record({ kind: fc.constant('policy-add' as const), spec: policySpec }),
  fc.record({ kind: fc.constant('policy-remove' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('pod-labels' as const), at: fc.nat(), labels }),
  fc.record({ kind: fc.constant('pod-port' as const), at: fc.nat(), http: fc.constantFrom(80, 8080, 9000) }),
  fc.record({ kind: fc.constant('pod-add' as const), pod }),
  fc.record({ kind: fc.constant('pod-remove' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('namespace-team' as const), ns: fc.constantFrom(...NS) }),
);

function apply(state: State, changes: Array<Of<typeof change>>): State {
  const next: State = structuredClone(state);
  for (const c of changes) {
    switch (c.kind) {
      case 'policy-change': if (next.policies.length > 0) { const i = c.at % next.policies.length; next.policies[i] = { ...c.spec, name: next.policies[i].name, namespace: next.policies[i].namespace }; } break;
      case 'policy-add': next.policies.push({ ...c.spec, name: `added${next.policies.length}` }); break;
      case 'policy-remove': if (next.policies.length > 0) next.policies.splice(c.at % next.policies.length, 1); break;
      case 'pod-labels': if (next.pods.length > 0) next.pods[c.at % next.pods.length].labels = c.labels; break;
      case 'pod-port': if (next.pods.length > 0) next.pods[c.at % next.pods.length].http = c.http; break;
      case 'pod-add': next.pods.push({ ...c.pod, ...(c.pod.ip === undefined ? { ip: undefined } : {}), name: `new${next.pods.length}` }); break;
      case 'pod-remove': if (next.pods.length > 1) next.pods.splice(c.at % next.pods.length, 1); break;
      case 'namespace-team': next.red = next.red.includes(c.ns) ? next.red.filter((n) => n !== c.ns) : [...next.red, c.ns]; break;
    }
  }
  return next;
}

function manifests(state: State): any[] {
  const objects: any[] = NS.map((ns) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns.toLowerCase(), labels: { team: state.red.includes(ns) ? 'red' : 'blue' } } }));
  for (const p of state.pods) {
    const spec = { containers: [{ name: 'main', ports: [{ containerPort: p.http, name: 'http' }] }] };
    const namespace = p.namespace.toLowerCase();
    objects.push(p.workload
      ? { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: p.name, namespace }, spec: { template: { metadata: { labels: p.labels }, spec } } }
      : { apiVersion: 'v1', kind: 'Pod', metadata: { name: p.name, namespace, labels: p.labels }, spec, ...(p.ip ? { status: { podIP: p.ip } } : {}) });
  }
  for (const { namespace, name, ...spec } of state.policies) {
    objects.push({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: namespace.toLowerCase() }, spec });
  }
  return objects;
}

/** Every changed (source, destination, port, way) of the two complete pod-by-pod matrices. */
function fullDiff(before: Reachability, after: Reachability, diff: IncrementalDiff): string[] {
  const b = before._cluster;
  const a = after._cluster;
  const out: string[] = [];
  diff.probes.forEach((probe) => {
    const rb = computeMatrix(b, probe.query).rows;
    const ra = computeMatrix(a, probe.query).rows;
    diff.shared.forEach((s, i) => {
      const sb = b.endpoint(s)!;
      const sa = a.endpoint(s)!;
      diff.shared.forEach((d, j) => {
        if (i === j && (sb.singleInstance || sa.singleInstance)) return;
        const was = rb[sb.index].has(b.endpoint(d)!.index);
        const is = ra[sa.index].has(a.endpoint(d)!.index);
        if (was !== is) out.push(`${s} -> ${d} ${probe.label} ${is ? 'opened' : 'closed'}`);
      });
    });
  });
  return out.sort();
}

function incremental(diff: IncrementalDiff): string[] {
  const out: string[] = [];
  diff.changes.forEach((changes, k) => {
    for (const c of changes) {
      for (const [s, d] of diff.pairs(c)) out.push(`${diff.shared[s]} -> ${diff.shared[d]} ${diff.probes[k].label} ${c.opened ? 'opened' : 'closed'}`);
    }
  });
  return out.sort();
}

describe('the incremental diff agrees with the diff of the complete matrices', () => {
  test('on random clusters with heavy label reuse and random small changes', () => {
    let changedRuns = 0;
    let partialRuns = 0;
    let unchangedRuns = 0;
    const state = fc.record({
      pods: fc.array(pod, { minLength: 4, maxLength: 14 }),
      policies: fc.array(policySpec, { minLength: 1, maxLength: 8 }),
      red: fc.subarray(NS),
    }).map((s): State => ({ ...s, pods: s.pods.map((p, i) => ({ ...p, name: `p${i}.x` })), policies: s.policies.map((p, i) => ({ ...p, name: `np${i}` })) }));
    fc.assert(fc.property(state, fc.array(change, { minLength: 1, maxLength: 2 }), (s, changes) => {
      const before = Reachability.fromManifests(manifests(s));
      const after = Reachability.fromManifests(manifests(apply(s, changes)));
      const diff = IncrementalDiff.of(before._cluster, after._cluster);
      const expected = fullDiff(before, after, diff);
      expect(incremental(diff)).toEqual(expected);
      // The counts without listing agree too.
      const counted = diff.probes.map((_, k) => diff.counts(k)).reduce((x, y) => x + y.opened + y.closed, 0);
      expect(counted).toBe(expected.length);
      // Grouped by namespace: the distinct changed connections (pairs) per namespace pair and way.
      const byGroup = new Map<string, number>();
      for (const line of new Set(expected.map((e) => e.replace(/^(\S+) -> (\S+) .* (opened|closed)$/, '$1 $2 $3')))) {
        const [from, to, way] = line.split(' ');
        const key = `${from.split('/')[0]} ${to.split('/')[0]} ${way}`;
        byGroup.set(key, (byGroup.get(key) ?? 0) + 1);
      }
      const grouped = new GroupedDiff(diff, before._cluster, 'namespace');
      const cells = new Map<string, number>();
      grouped.groups.forEach((_, g) => {
        for (const c of grouped.cellsFrom(g)) {
          if (c.opened > 0) cells.set(`${c.from} ${c.to} opened`, c.opened);
          if (c.closed > 0) cells.set(`${c.from} ${c.to} closed`, c.closed);
        }
      });
      expect(cells).toEqual(byGroup);
      if (expected.length > 0) changedRuns++;
      else unchangedRuns++;
      if (diff.touchedCount < diff.classCount) partialRuns++;
    }), fuzzParameters(300));
    // Both outcomes occur, and the diff often recomputes only part of the classes.
    expect(changedRuns).toBeGreaterThan(30);
    expect(unchangedRuns).toBeGreaterThan(10);
    expect(partialRuns).toBeGreaterThan(30);
  });
});

/**
 * With Cilium policies the diff computes both class matrices whole, each over its own snapshot's
 * classes. Cilium's DNS visibility reads endpoints other than a pair's ends (the DNS servers a pod's
 * lookups reach, `dnsVisibility`), so here the DNS servers (pods, some hostNetwork on a node) and the
 * nodes come and go, change zone and node between the snapshots, next to toFQDNs rules, DNS rules
 * (to endpoints or entities, UDP or TCP) and denies of the lookups (by label or entity, R17-01).
 */
describe('the whole diff (Cilium) agrees with the diff of the complete matrices', () => {
  const NODES = ['n1', 'n2'];
  const KUBE_DNS = { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } };
  const dnsPeer = fc.constantFrom<Record<string, unknown>>(
    { toEndpoints: [KUBE_DNS] },
    { toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'zone': 'b' } }] },
    { toEntities: ['cluster'] },
    { toEntities: ['host'] },
  );
  const dnsPorts = fc.constantFrom([{ port: '53', protocol: 'UDP' }], [{ port: '53', protocol: 'TCP' }], [{ port: '53', protocol: 'ANY' }]);
  const dnsNames = fc.constantFrom([{ matchPattern: '*' }], [{ matchName: 'api.example.com' }], [{ matchPattern: '*.example.org' }]);
  const denyPeer = fc.constantFrom<Record<string, unknown>>(
    { toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'zone': 'a' } }] },
    { toEntities: ['remote-node'] },
    { toEntities: ['host'] },
  );
  const cnpSpec = fc.record({
    subject: fc.constantFrom({ app: 'client' }, {}),
    fqdn: fc.constantFrom([{ matchName: 'api.example.com' }], [{ matchPattern: '*.example.com' }], [{ matchPattern: '*' }]),
    fqdnPorts: fc.option(fc.constantFrom([{ port: '443', protocol: 'TCP' }]), { nil: undefined }),
    dns: fc.option(fc.record({ peer: dnsPeer, ports: dnsPorts, names: dnsNames }), { nil: undefined }),
    deny: fc.option(fc.record({ peer: denyPeer, ports: fc.option(fc.constantFrom([{ port: '53', protocol: 'UDP' }]), { nil: undefined }) }), { nil: undefined }),
  });
  type Cnp = Of<typeof cnpSpec>;
  const server = fc.record({ zone: fc.constantFrom('a', 'b'), node: fc.constantFrom('n1', 'n2', undefined), hostNetwork: fc.boolean() });
  const clientGen = fc.record({ app: fc.constantFrom('client', 'other'), node: fc.constantFrom('n1', 'n2', undefined) });
  type Server = Of<typeof server>;
  type Client = Of<typeof clientGen>;
  interface CState { servers: Array<Server & { name: string }>; clients: Array<Client & { name: string }>; nodes: string[]; policies: Cnp[] }
  const cchange = fc.oneof(
    fc.record({ kind: fc.constant('server-add' as const), server }),
    fc.record({ kind: fc.constant('server-remove' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('server-zone' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('server-node' as const), at: fc.nat(), node: fc.constantFrom('n1', 'n2', undefined) }),
    fc.record({ kind: fc.constant('node-toggle' as const), node: fc.constantFrom(...NODES) }),
    fc.record({ kind: fc.constant('client-node' as const), at: fc.nat(), node: fc.constantFrom('n1', 'n2', undefined) }),
    fc.record({ kind: fc.constant('policy-change' as const), at: fc.nat(), spec: cnpSpec }),
  );
  const applyC = (state: CState, changes: Array<Of<typeof cchange>>): CState => {
    const next: CState = structuredClone(state);
    for (const c of changes) {
      switch (c.kind) {
        case 'server-add': next.servers.push({ ...c.server, name: `dns-new${next.servers.length}` }); break;
        case 'server-remove': if (next.servers.length > 0) next.servers.splice(c.at % next.servers.length, 1); break;
        case 'server-zone': if (next.servers.length > 0) { const s = next.servers[c.at % next.servers.length]; s.zone = s.zone === 'a' ? 'b' : 'a'; } break;
        case 'server-node': if (next.servers.length > 0) next.servers[c.at % next.servers.length].node = c.node; break;
        case 'node-toggle': next.nodes = next.nodes.includes(c.node) ? next.nodes.filter((n) => n !== c.node) : [...next.nodes, c.node].sort(); break;
        case 'client-node': next.clients[c.at % next.clients.length].node = c.node; break;
        case 'policy-change': next.policies[c.at % next.policies.length] = c.spec; break;
      }
    }
    return next;
  };
  const cnpOf = (p: Cnp, i: number) => ({
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name: `cnp${i}`, namespace: 'default' },
    spec: JSON.parse(JSON.stringify({
      endpointSelector: { matchLabels: p.subject },
      egress: [
        { toFQDNs: p.fqdn, ...(p.fqdnPorts ? { toPorts: [{ ports: p.fqdnPorts }] } : {}) },
        ...(p.dns ? [{ ...p.dns.peer, toPorts: [{ ports: p.dns.ports, rules: { dns: p.dns.names } }] }] : []),
      ],
      ...(p.deny ? { egressDeny: [{ ...p.deny.peer, ...(p.deny.ports ? { toPorts: [{ ports: p.deny.ports }] } : {}) }] } : {}),
    })),
  });
  const manifestsC = (state: CState): any[] => {
    const serverPorts = [{ containerPort: 53, protocol: 'UDP', name: 'dns' }, { containerPort: 53, protocol: 'TCP', name: 'dns-tcp' }];
    return [
      ...state.nodes.map((n) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name: n }, status: { addresses: [{ type: 'InternalIP', address: `10.0.0.${NODES.indexOf(n) + 1}` }] } })),
      ...state.servers.map((s) => ({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: s.name, namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns', 'zone': s.zone } },
        spec: { ...(s.node ? { nodeName: s.node } : {}), ...(s.hostNetwork ? { hostNetwork: true } : {}), containers: [{ name: 'dns', ports: serverPorts }] },
      })),
      ...state.clients.map((c) => ({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: c.name, namespace: 'default', labels: { app: c.app } },
        spec: { ...(c.node ? { nodeName: c.node } : {}), containers: [{ name: 'main' }] },
      })),
      ...state.policies.map(cnpOf),
    ];
  };
  const externals = [{ name: 'api', ip: '203.0.113.10', dnsName: 'api.example.com' }, { name: 'web', ip: '198.51.100.7', dnsName: 'www.example.org' }];

  test('when DNS servers and nodes exist on one side only', () => {
    let changedRuns = 0;
    let unchangedRuns = 0;
    let fqdnChanged = 0;
    const state = fc.record({
      servers: fc.array(server, { maxLength: 3 }),
      clients: fc.array(clientGen, { minLength: 1, maxLength: 3 }),
      nodes: fc.subarray(NODES),
      policies: fc.array(cnpSpec, { minLength: 1, maxLength: 2 }),
    }).map((s): CState => ({ ...s, servers: s.servers.map((x, i) => ({ ...x, name: `dns${i}` })), clients: s.clients.map((x, i) => ({ ...x, name: `client${i}` })) }));
    fc.assert(fc.property(state, fc.array(cchange, { minLength: 1, maxLength: 2 }), (s, changes) => {
      const before = Reachability.fromManifests(manifestsC(s), { externals });
      const after = Reachability.fromManifests(manifestsC(applyC(s, changes)), { externals });
      const diff = IncrementalDiff.of(before._cluster, after._cluster);
      expect(diff.whole).toBe(true);
      const expected = fullDiff(before, after, diff);
      expect(incremental(diff)).toEqual(expected);
      const counted = diff.probes.map((_, k) => diff.counts(k)).reduce((x, y) => x + y.opened + y.closed, 0);
      expect(counted).toBe(expected.length);
      if (expected.length > 0) changedRuns++;
      else unchangedRuns++;
      if (expected.some((e) => / -> (api|web) /.test(e))) fqdnChanged++;
    }), fuzzParameters(200));
    // Both outcomes occur, and connections to the FQDN ends change often (the DNS path decides them).
    expect(changedRuns).toBeGreaterThan(20);
    expect(unchangedRuns).toBeGreaterThan(10);
    expect(fqdnChanged).toBeGreaterThan(20);
  });
});
