import { Testing } from 'cdk8s';
import { ThreeTier } from '../../examples/three-tier';
import { TwoNamespaces } from '../../examples/two-namespaces';
import { Direction, Exposure, ExposurePeerKind, JsonFormat, MarkdownFormat, Port, Reachability, ReachabilityOptions, TextFormat } from '../../src';

/** What lives around the examples (as in the README): CoreDNS, the ingress controller, the payment API. */
const SURROUNDINGS: ReachabilityOptions = {
  pods: [
    { namespace: 'kube-system', name: 'coredns', labels: { 'k8s-app': 'kube-dns' } },
    { namespace: 'ingress-nginx', name: 'controller', labels: { 'app.kubernetes.io/name': 'ingress-nginx' } },
  ],
  externals: [{ name: 'payment-api', ip: '203.0.113.10' }],
};

/** The exposure in a short, comparable form: `description on ports [rules]` per peer, and `id on ports` per endpoint. */
function summary(e: Exposure) {
  return {
    isolated: e.isolated,
    isolatingPolicies: e.isolatingPolicies,
    peers: e.peers.map((p) => `${p.kind} ${p.description} on ${p.ports.join(', ')} [${p.rules.map((r) => `${r.policy} ${r.direction}[${r.rule}]`).join(', ')}]`),
    endpoints: e.endpoints.map((x) => `${x.id} on ${x.ports.join(', ')}`),
  };
}

const FRONTEND = 'cdk8s.io/metadata.addr=three-tier-frontend-c8ec715c';
const BACKEND = 'cdk8s.io/metadata.addr=three-tier-backend-c8b68ecb';
const POSTGRES = 'cdk8s.io/metadata.addr=three-tier-postgres-c8139bc1';

describe('exposure of the three-tier example (expected answers written by hand from its policies)', () => {
  const chart = new ThreeTier(Testing.app(), 'three-tier');
  const r = Reachability.fromChart(chart, SURROUNDINGS);

  test('ingress: each tier is reachable only from the one before it, on its port', () => {
    expect(summary(r.exposure('shop/frontend', Direction.INGRESS))).toEqual({
      isolated: true,
      isolatingPolicies: ['shop/default-deny', 'shop/frontend-ingress'],
      peers: ['PODS any pod labelled app.kubernetes.io/name=ingress-nginx in namespace ingress-nginx on http/TCP (8080) [shop/frontend-ingress ingress[0]]'],
      endpoints: ['ingress-nginx/controller on 8080/TCP'],
    });
    expect(summary(r.exposure('shop/backend', Direction.INGRESS))).toEqual({
      isolated: true,
      isolatingPolicies: ['shop/backend-ingress', 'shop/default-deny'],
      peers: [`PODS any pod labelled ${FRONTEND} in namespace shop on 8080/TCP [shop/backend-ingress ingress[0]]`],
      endpoints: ['shop/frontend on 8080/TCP'],
    });
    expect(summary(r.exposure('shop/postgres', Direction.INGRESS))).toEqual({
      isolated: true,
      isolatingPolicies: ['shop/default-deny', 'shop/postgres-ingress'],
      peers: [`PODS any pod labelled ${BACKEND} in namespace shop on 5432/TCP [shop/postgres-ingress ingress[0]]`],
      endpoints: ['shop/backend on 5432/TCP'],
    });
  });

  test('egress: the backend reaches postgres, DNS and the payment range, nothing else', () => {
    expect(summary(r.exposure('shop/backend', Direction.EGRESS))).toEqual({
      isolated: true,
      isolatingPolicies: ['shop/backend-egress', 'shop/default-deny'],
      peers: [
        `PODS any pod labelled ${POSTGRES} in namespace shop on 5432/TCP [shop/backend-egress egress[1]]`,
        'PODS any pod labelled k8s-app=kube-dns in namespace kube-system on 53/TCP, 53/UDP [shop/backend-egress egress[2]]',
        'ADDRESSES any address in 203.0.113.0/24 on 443/TCP [shop/backend-egress egress[0]]',
      ],
      endpoints: ['kube-system/coredns on 53/TCP, 53/UDP', 'payment-api on 443/TCP', 'shop/postgres on 5432/TCP'],
    });
    const peer = r.exposure('shop/backend', Direction.EGRESS).peers[2];
    expect(peer).toMatchObject({ kind: ExposurePeerKind.ADDRESSES, cidr: '203.0.113.0/24', ports: ['443/TCP'] });
    expect(peer.except).toBeUndefined();
  });

  test('a side no policy isolates is open to anyone, and says so', () => {
    expect(summary(r.exposure('kube-system/coredns', Direction.INGRESS))).toEqual({
      isolated: false,
      isolatingPolicies: [],
      peers: ['ANYONE anyone: every pod of every namespace and every address on all traffic []'],
      endpoints: [
        'ingress-nginx/controller on all traffic',
        'payment-api on all traffic',
        'shop/backend on 53/TCP, 53/UDP',
        'shop/frontend on 53/TCP, 53/UDP',
        'shop/postgres on 53/TCP, 53/UDP',
      ],
    });
  });

  test('derived from the selectors: a pod that is not in the manifests yet is covered by the description, and one that does not match is not', () => {
    // A new pod with the backend's label, and one with another label, both added after the fact.
    const more = Reachability.fromChart(chart, {
      ...SURROUNDINGS,
      pods: [...SURROUNDINGS.pods!,
        { namespace: 'shop', name: 'debug', labels: { 'cdk8s.io/metadata.addr': 'three-tier-backend-c8b68ecb' } },
        { namespace: 'shop', name: 'intruder', labels: { app: 'intruder' } }],
    });
    const e = more.exposure('shop/postgres', Direction.INGRESS);
    expect(e.peers.map((p) => p.description)).toEqual(summary(r.exposure('shop/postgres', Direction.INGRESS)).peers.map((p) => p.replace(/^PODS (.*) on .*$/, '$1')));
    // The new pod carries the label the description names: it may connect (its egress is the backend's too).
    expect(more.allows('shop/debug', 'shop/postgres', Port.tcp(5432))).toBe(true);
    expect(e.endpoints.map((x) => x.id)).toEqual(['shop/backend', 'shop/debug']);
    // The other one is not covered, and postgres's side denies it.
    expect(more.allows('shop/intruder', 'shop/postgres', Port.tcp(5432))).toBe(false);
    expect(more.explain('shop/intruder', 'shop/postgres', Port.tcp(5432)).ingress.allowed).toBe(false);
  });

  test('formats: text, JSON and Markdown say the same', () => {
    const e = r.exposure('shop/backend', Direction.EGRESS);
    expect(TextFormat.exposure(e)).toBe([
      'shop/backend: whom it could reach (egress); isolated by shop/backend-egress, shop/default-deny',
      '  from the selectors (pods and namespaces not in the manifests included):',
      `    any pod labelled ${POSTGRES} in namespace shop on 5432/TCP (shop/backend-egress egress[1])`,
      '    any pod labelled k8s-app=kube-dns in namespace kube-system on 53/TCP, 53/UDP (shop/backend-egress egress[2])',
      '    any address in 203.0.113.0/24 on 443/TCP (shop/backend-egress egress[0]); outside the cluster, and pod IPs where the network plugin applies ipBlocks to them',
      '  in the manifests, allowed on both sides:',
      '    kube-system/coredns on 53/TCP, 53/UDP',
      '    payment-api on 443/TCP',
      '    shop/postgres on 5432/TCP',
    ].join('\n'));
    const json = JsonFormat.exposure(e);
    expect(json).toMatchObject({ workload: 'shop/backend', direction: 'egress', isolated: true });
    expect(json.peers[2]).toEqual({
      kind: 'ADDRESSES',
      description: 'any address in 203.0.113.0/24',
      namespace: null,
      namespaceSelector: null,
      podSelector: null,
      cidr: '203.0.113.0/24',
      except: null,
      ports: ['443/TCP'],
      rules: [{ policy: 'shop/backend-egress', direction: 'egress', rule: 0, byIpBlock: true }],
    });
    const md = MarkdownFormat.exposure(e);
    expect(md).toContain('| any address in 203.0.113.0/24 | 443/TCP | `shop/backend-egress egress[0]` |');
    expect(md).toContain('| `shop/postgres` | 5432/TCP |');
  });
});

describe('exposure of the two-namespace example (expected answers written by hand)', () => {
  const chart = new TwoNamespaces(Testing.app(), 'two-namespaces');
  const r = Reachability.fromChart(chart, { pods: [SURROUNDINGS.pods![0]] });

  test('data/redis admits the orders api and worker, by namespace name and label; postgres only the api', () => {
    expect(summary(r.exposure('data/redis', Direction.INGRESS))).toEqual({
      isolated: true,
      isolatingPolicies: ['data/default-deny', 'data/redis-ingress'],
      peers: [
        'PODS any pod labelled app=orders-api in namespace orders on 6379/TCP [data/redis-ingress ingress[0]]',
        'PODS any pod labelled app=orders-worker in namespace orders on 6379/TCP [data/redis-ingress ingress[0]]',
      ],
      endpoints: ['orders/api on 6379/TCP', 'orders/worker on 6379/TCP'],
    });
    expect(summary(r.exposure('data/postgres', Direction.INGRESS))).toEqual({
      isolated: true,
      isolatingPolicies: ['data/default-deny', 'data/postgres-ingress'],
      peers: ['PODS any pod labelled app=orders-api in namespace orders on 5432/TCP [data/postgres-ingress ingress[0]]'],
      endpoints: ['orders/api on 5432/TCP'],
    });
  });

  test('orders/api admits the worker on its named port, and reaches postgres, redis and DNS', () => {
    expect(summary(r.exposure('orders/api', Direction.INGRESS)).peers).toEqual([
      'PODS any pod labelled app=orders-worker in namespace orders on http/TCP (8080) [orders/api-ingress ingress[0]]',
    ]);
    expect(summary(r.exposure('orders/api', Direction.EGRESS))).toEqual({
      isolated: true,
      isolatingPolicies: ['orders/allow-dns', 'orders/api-egress', 'orders/default-deny'],
      peers: [
        'PODS any pod labelled app=postgres in namespace data on 5432/TCP [orders/api-egress egress[0]]',
        'PODS any pod labelled app=redis in namespace data on 6379/TCP [orders/api-egress egress[1]]',
        'PODS any pod labelled k8s-app=kube-dns in namespace kube-system on 53/TCP, 53/UDP [orders/allow-dns egress[0]]',
      ],
      endpoints: ['data/postgres on 5432/TCP', 'data/redis on 6379/TCP', 'kube-system/coredns on 53/TCP, 53/UDP'],
    });
  });
});

describe('exposure from the selectors alone, for namespaces and pods the manifests do not contain', () => {
  const policy = (name: string, spec: any) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: 'pay' }, spec });
  const api = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'api', namespace: 'pay' },
    spec: { template: { metadata: { labels: { app: 'api' } }, spec: { containers: [{ name: 'api', image: 'api', ports: [{ containerPort: 8443, name: 'https' }] }] } } },
  };
  const manifests = [api, policy('api', {
    podSelector: { matchLabels: { app: 'api' } },
    policyTypes: ['Ingress', 'Egress'],
    ingress: [
      { from: [{ namespaceSelector: { matchLabels: { team: 'x' } } }], ports: [{ port: 'https' }] },
      { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'z' } }, podSelector: { matchLabels: { app: 'y' } } }], ports: [{ port: 8443 }] },
      { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'y' } } }, { podSelector: { matchLabels: { app: 'web' } } }] },
      { from: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '192.168.0.0/16'] } }], ports: [{ port: 8443 }] },
      { from: [{ namespaceSelector: {}, podSelector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }] } }], ports: [{ protocol: 'UDP' }] },
      { from: [{ namespaceSelector: { matchLabels: { team: 'x' } } }], ports: [{ port: 'grpc' }] }, // a name api does not declare: admits nothing
      { ports: [{ port: 9000, endPort: 9100 }] },
    ],
    egress: [{ to: [{ namespaceSelector: { matchLabels: { env: 'prod' } }, podSelector: { matchLabels: { app: 'db' } } }], ports: [{ port: 'pg' }] }],
  })];
  const r = Reachability.fromManifests(manifests);

  test('ingress: each peer in words, with its ports and rules; a rule on a port name the workload lacks admits nothing', () => {
    expect(summary(r.exposure('pay/api', Direction.INGRESS)).peers).toEqual([
      'ANYONE anyone: every pod of every namespace and every address on 9000-9100/TCP [pay/api ingress[6]]',
      'PODS any pod in namespace y on all traffic [pay/api ingress[2]]',
      'PODS any pod labelled app=web in namespace pay on all traffic [pay/api ingress[2]]',
      'PODS any pod labelled app=y in namespace z on 8443/TCP [pay/api ingress[1]]',
      'PODS any pod labelled tier in (a,b) in any namespace on all UDP ports [pay/api ingress[4]]',
      'PODS any pod of a namespace labelled team=x on https/TCP (8443) [pay/api ingress[0]]',
      'ADDRESSES any address in 0.0.0.0/0 except 10.0.0.0/8, 192.168.0.0/16 on 8443/TCP [pay/api ingress[3]]',
    ]);
    const peers = r.exposure('pay/api', Direction.INGRESS).peers;
    expect(peers.find((p) => p.description.startsWith('any pod of a namespace'))).toMatchObject({ namespaceSelector: 'team=x' });
    expect(Object.keys(peers.find((p) => p.description.startsWith('any pod of a namespace'))!).sort()).toEqual(['description', 'kind', 'namespaceSelector', 'ports', 'rules']);
    expect(peers.find((p) => p.description.endsWith('in namespace z'))).toMatchObject({ namespace: 'z', podSelector: 'app=y' });
    expect(peers.find((p) => p.kind === ExposurePeerKind.ADDRESSES)).toMatchObject({ cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '192.168.0.0/16'] });
    // Nobody in the manifests can connect: they hold only the api itself.
    expect(r.exposure('pay/api', Direction.INGRESS).endpoints).toEqual([]);
  });

  test('adding the namespaces and pods later: exactly the ones the descriptions cover can connect, on the ports given', () => {
    const later = Reachability.fromManifests([...manifests,
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-x', labels: { team: 'x' } } },
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', namespace: 'team-x' }, spec: {} },
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'b', namespace: 'team-q' }, spec: {} },
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'y', namespace: 'z', labels: { app: 'y' } }, spec: {} },
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'w', namespace: 'z', labels: { app: 'w' } }, spec: {} }]);
    expect(later.allows('team-x/a', 'pay/api', Port.tcp(8443))).toBe(true);
    expect(later.allows('team-q/b', 'pay/api', Port.tcp(8443))).toBe(false);
    expect(later.allows('team-q/b', 'pay/api', Port.tcp(9050))).toBe(true); // the rule without peers
    expect(later.allows('z/y', 'pay/api', Port.tcp(8443))).toBe(true);
    expect(later.allows('z/y', 'pay/api', Port.tcp(8444))).toBe(false);
    expect(later.allows('z/w', 'pay/api', Port.tcp(8443))).toBe(false);
    expect(later.exposure('pay/api', Direction.INGRESS).endpoints.map((x) => x.id)).toEqual(['team-q/b', 'team-x/a', 'z/w', 'z/y']);
  });

  test('egress: a named port stays a name, resolved on each destination; no --workload means every workload', () => {
    expect(summary(r.exposure('pay/api', Direction.EGRESS)).peers).toEqual([
      'PODS any pod labelled app=db in a namespace labelled env=prod on pg/TCP (named: the port of that name on each destination) [pay/api egress[0]]',
    ]);
    expect(r.exposures(Direction.EGRESS).map((e) => e.workload)).toEqual(['pay/api']);
  });

  test('an unknown endpoint or an address outside the cluster is refused with the fix', () => {
    const withExternal = Reachability.fromManifests(manifests, { externals: [{ name: 'partner', ip: '198.51.100.1' }] });
    expect(() => withExternal.exposure('pay/nope', Direction.INGRESS)).toThrow(/unknown endpoint "pay\/nope"\. Known endpoints: pay\/api, partner/);
    expect(() => withExternal.exposure('partner', Direction.INGRESS)).toThrow(/partner is an address outside the cluster.*Name a pod or workload as <namespace>\/<name>/);
  });
});

describe('exposure with cluster-wide tiers: an Admin Allow is exposure, whatever the NetworkPolicies say (answers written by hand)', () => {
  const ns = (name: string, labels: Record<string, string> = {}) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
  const pod = (namespace: string, name: string, ip: string) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: { app: name } },
    spec: { containers: [{ name: 'c', ports: [{ containerPort: 8080, name: 'http' }, { containerPort: 9090, name: 'metrics' }] }] },
    status: { podIP: ip },
  });
  const denyAll = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny', namespace: 'shop' }, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } };
  const anp = {
    apiVersion: 'policy.networking.k8s.io/v1alpha1',
    kind: 'AdminNetworkPolicy',
    metadata: { name: 'platform' },
    spec: {
      priority: 10,
      subject: { namespaces: {} },
      ingress: [
        { name: 'deny-blog', action: 'Deny', from: [{ namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'blog' } } }] },
        { name: 'from-everywhere', action: 'Allow', from: [{ namespaces: {} }], ports: [{ portNumber: { protocol: 'TCP', port: 9090 } }] },
        { name: 'pass-ops', action: 'Pass', from: [{ namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'ops' } } }] },
      ],
      egress: [
        { name: 'to-metadata', action: 'Deny', to: [{ networks: ['169.254.169.254/32'] }] },
        { name: 'to-api', action: 'Allow', to: [{ networks: ['203.0.113.0/24'] }, { nodes: {} }], ports: [{ portNumber: { protocol: 'TCP', port: 443 } }] },
      ],
    },
  };
  const objects = [ns('shop'), ns('blog'), ns('ops'), pod('shop', 'web', '10.0.0.1'), pod('blog', 'web', '10.0.1.1'), pod('ops', 'tool', '10.0.2.1'), denyAll, anp];
  const r = Reachability.fromManifests(objects, { externals: [{ name: 'api', ip: '203.0.113.9' }] });

  test('ingress: the NetworkPolicy isolates and allows nothing, the Admin Allow on 9090 from any namespace is listed, and the endpoints are exact', () => {
    const e = r.exposure('shop/web', Direction.INGRESS);
    expect(e.tierPolicies).toEqual(['AdminNetworkPolicy platform']);
    expect(summary(e)).toEqual({
      isolated: true,
      isolatingPolicies: ['shop/deny'],
      peers: ['PODS any pod of any namespace on 9090/TCP []'],
      // blog is denied first (Deny before the Allow); ops is allowed on 9090 by the Allow (its Pass comes later).
      endpoints: ['ops/tool on 9090/TCP'],
    });
    expect(e.peers[0].tierRules).toEqual([{
      kind: 'AdminNetworkPolicy', policy: 'platform', tier: 'ADMIN', priority: 10, direction: 'ingress', rule: 1, ruleName: 'from-everywhere', action: 'Allow',
    }]);
    const text = TextFormat.exposure(e);
    expect(text).toContain('cluster-wide policies select it too (AdminNetworkPolicy platform): their Admin-tier Allow/Accept rules are listed (final)');
    expect(text).toContain('any pod of any namespace on 9090/TCP (AdminNetworkPolicy platform ingress[1] Allow)');
    expect(JsonFormat.exposure(e)).toMatchObject({ tierPolicies: ['AdminNetworkPolicy platform'], peers: [{ tierRules: [{ ruleName: 'from-everywhere' }] }] });
    expect(MarkdownFormat.exposure(e)).toContain('`AdminNetworkPolicy platform ingress[1] Allow`');
  });

  test('egress: networks and nodes of the Admin Allow are listed; the Deny narrows nothing that is listed', () => {
    const e = r.exposure('shop/web', Direction.EGRESS);
    expect(summary(e)).toEqual({
      isolated: true,
      isolatingPolicies: ['shop/deny'],
      peers: ['ADDRESSES any address in 203.0.113.0/24 on 443/TCP []', 'NODES any node: nodes <all> on 443/TCP []'],
      endpoints: ['api on 443/TCP'],
    });
  });

  test('a pod no NetworkPolicy isolates: anyone, and the Admin Allow besides; without cluster-wide policies nothing changes', () => {
    const e = r.exposure('blog/web', Direction.INGRESS);
    expect(summary(e).peers).toEqual([`ANYONE ${'anyone: every pod of every namespace and every address'} on all traffic []`, 'PODS any pod of any namespace on 9090/TCP []']);
    // No NetworkPolicy isolates it, but the cluster-wide policies decide: never "so everything is allowed".
    for (const text of [TextFormat.exposure(e), MarkdownFormat.exposure(e)]) {
      expect(text).toContain('no NetworkPolicy selects it for ingress; the cluster-wide policies below decide what is allowed');
      expect(text).not.toContain('everything is allowed');
    }
    expect(TextFormat.exposure(Reachability.fromManifests(objects.filter((o) => o !== anp)).exposure('blog/web', Direction.INGRESS)))
      .toContain('not isolated (no policy selects it for ingress), so everything is allowed');
    const plain = Reachability.fromManifests(objects.filter((o) => o !== anp)).exposure('shop/web', Direction.INGRESS);
    expect(plain.tierPolicies).toBeUndefined();
    expect(plain.peers).toEqual([]);
    expect(JsonFormat.exposure(plain)).not.toHaveProperty('tierPolicies');
  });
});
