import { Chart, Testing } from 'cdk8s';
import { ClusterBlockCloudMetadata, ClusterPolicyApi, HostNetworkMode, NetworkTarget, Port, Reachability } from '../../src';

/**
 * R6-01: a cluster-wide `networks` rule is decided per pair. The API checks cluster-internal traffic
 * against it too (v1alpha1 AdminNetworkPolicyEgressPeer.Networks, v1alpha2
 * ClusterNetworkPolicyEgressPeer.networks), so for an end whose IP the input does not give (the
 * normal cdk8s synth output: workloads, no pod IPs) it cannot be decided; every pair whose other end
 * has a known IP (an external, a pod with status.podIP) is decided by the CIDRs. The undecidable
 * pairs are decided fail closed: a Deny taken to match, an Allow/Accept not, a Pass both ways
 * (allowed only when both readings allow), and the explanation says so.
 */
const ns = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
const deployment = (namespace: string, name: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace },
  spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 8080 }] }] } } },
});
const pod = (namespace: string, name: string, ip: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace, labels: { app: name } },
  spec: { containers: [{ name: 'c', ports: [{ containerPort: 8080 }] }] },
  status: { podIP: ip },
});
const anp = (name: string, priority: number, egress: any[]) => ({
  apiVersion: 'policy.networking.k8s.io/v1alpha1',
  kind: 'AdminNetworkPolicy',
  metadata: { name },
  spec: { priority, subject: { namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } } }, egress },
});
const isolate = (name: string, egress: any[]) => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name, namespace: 'shop' },
  spec: { podSelector: {}, policyTypes: ['Egress'], egress },
});
const WORLD = [ns('shop'), ns('db'), deployment('shop', 'web'), deployment('db', 'pg'), pod('db', 'known', '10.1.0.5'), pod('db', 'far', '10.9.0.5')];
const externals = [{ name: 'inside', ip: '10.200.0.1' }, { name: 'outside', ip: '198.51.100.7' }];

function agreeOnEveryPair(r: Reachability, port: Port): void {
  const m = r.matrix(port);
  for (const from of r.endpoints) for (const to of r.endpoints) expect(`${from} ${to} ${m.isAllowed(from, to)}`).toBe(`${from} ${to} ${r.allows(from, to, port)}`);
}

describe.each([
  ['v1alpha1', ClusterPolicyApi.ADMIN_NETWORK_POLICY_V1ALPHA1],
  ['v1alpha2', ClusterPolicyApi.CLUSTER_NETWORK_POLICY_V1ALPHA2],
])('ClusterBlockCloudMetadata %s on synthesized workloads (no pod IPs)', (_v, api) => {
  test('a workload -> the metadata address (an external whose IP is known) is denied, elsewhere allowed', () => {
    const app = Testing.app();
    NetworkTarget.declare(app, NetworkTarget.kubernetes({ clusterPolicyApi: api }));
    const chart = new Chart(app, 'platform');
    new ClusterBlockCloudMetadata(chart, 'no-metadata');
    const r = Reachability.fromManifests([ns('shop'), deployment('shop', 'web'), deployment('shop', 'api'), ...Testing.synth(chart)], {
      externals: [{ name: 'cloud-metadata', ip: '169.254.169.254' }, { name: 'internet', ip: '198.51.100.7' }],
    });
    expect(r.allows('shop/web', 'internet', Port.tcp(443))).toBe(true);
    expect(r.allows('shop/web', 'cloud-metadata', Port.tcp(80))).toBe(false);
    expect(r.explain('shop/web', 'cloud-metadata', Port.tcp(80)).egress.decidedBy).toMatchObject({ action: 'Deny' });
    // A workload's IP is not known: never 169.254.169.254 (link-local), but it may be fd00:ec2::254 (a unique
    // local address a pod network may use): decided fail closed, said so.
    expect(r.allows('shop/web', 'shop/api', Port.tcp(8080))).toBe(false);
    expect(r.explain('shop/web', 'shop/api', Port.tcp(8080)).notes.join('\n')).toMatch(/egress decided fail closed: unknown IP: .*shop\/api/);
    expect(r.skipped.map((s) => s.reason).join('\n')).toMatch(/is decided only where the IPs are known/);
    agreeOnEveryPair(r, Port.tcp(80));
  });
});

describe('a networks rule and ends without known IPs', () => {
  test('Deny: the ends whose IP is known decided by the CIDRs, the others taken as matching', () => {
    const r = Reachability.fromManifests([...WORLD, anp('no-ten-one', 10, [{ name: 'r', action: 'Deny', to: [{ networks: ['10.1.0.0/16'] }] }])], { externals });
    expect(r.allows('shop/web', 'db/known', Port.tcp(8080))).toBe(false); // 10.1.0.5: inside
    expect(r.allows('shop/web', 'db/far', Port.tcp(8080))).toBe(true); // 10.9.0.5: outside
    expect(r.allows('shop/web', 'outside', Port.tcp(443))).toBe(true);
    expect(r.allows('shop/web', 'db/pg', Port.tcp(8080))).toBe(false); // IP not known
    expect(r.explain('shop/web', 'db/far', Port.tcp(8080)).notes).toEqual([]);
    agreeOnEveryPair(r, Port.tcp(8080));
  });

  test('Allow over a NetworkPolicy that denies: an Allow is not taken to match an end whose IP is not known', () => {
    const r = Reachability.fromManifests([...WORLD, isolate('deny-all', []),
      anp('ten', 10, [{ name: 'r', action: 'Allow', to: [{ networks: ['10.0.0.0/8'] }] }])], { externals });
    expect(r.allows('shop/web', 'db/known', Port.tcp(8080))).toBe(true);
    expect(r.allows('shop/web', 'inside', Port.tcp(443))).toBe(true);
    expect(r.allows('shop/web', 'outside', Port.tcp(443))).toBe(false);
    expect(r.allows('shop/web', 'db/pg', Port.tcp(8080))).toBe(false);
    expect(r.explain('shop/web', 'db/pg', Port.tcp(8080)).notes.join('\n')).toMatch(/unknown IP: .*AdminNetworkPolicy ten egress\[0\] \(Allow\)/);
    agreeOnEveryPair(r, Port.tcp(8080));
  });

  test('Pass then Allow: allowed only where the next tiers allow too (both readings)', () => {
    const pass = anp('pass-ten', 10, [
      { name: 'pass', action: 'Pass', to: [{ networks: ['10.0.0.0/8'] }] },
      { name: 'rest', action: 'Allow', to: [{ namespaces: {} }] },
    ]);
    // The NetworkPolicy allows egress to namespace db only.
    const np = isolate('to-db', [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'db' } } }] }]);
    const r = Reachability.fromManifests([...WORLD, deployment('shop', 'api'), pass, np], { externals });
    // IP known, inside: Pass, the NetworkPolicy decides.
    expect(r.allows('shop/web', 'db/known', Port.tcp(8080))).toBe(true);
    // IP not known: Pass (the NetworkPolicy allows db) or the Allow: both allow.
    expect(r.allows('shop/web', 'db/pg', Port.tcp(8080))).toBe(true);
    // IP not known: Pass (the NetworkPolicy denies shop) or the Allow (allows): denied.
    expect(r.allows('shop/web', 'shop/api', Port.tcp(8080))).toBe(false);
    expect(r.explain('shop/web', 'shop/api', Port.tcp(8080)).notes.join('\n')).toMatch(/unknown IP: .*pass-ten egress\[0\] \(Pass\)/);
    agreeOnEveryPair(r, Port.tcp(8080));
  });

  test('the pods\' IPs given: no note, no fail-closed reading', () => {
    const r = Reachability.fromManifests([ns('shop'), ns('db'), pod('shop', 'web', '10.2.0.1'), pod('db', 'pg', '10.9.0.9'),
      anp('no-ten-one', 10, [{ name: 'r', action: 'Deny', to: [{ networks: ['10.1.0.0/16'] }] }])], { externals });
    expect(r.skipped).toEqual([]);
    expect(r.allows('shop/web', 'db/pg', Port.tcp(8080))).toBe(true);
    expect(r.explain('shop/web', 'db/pg', Port.tcp(8080)).notes).toEqual([]);
  });
});

describe('an unknown pod IP is never link-local, loopback, multicast, unspecified or broadcast', () => {
  const cnpDeny = (networks: string[]) => ({
    apiVersion: 'policy.networking.k8s.io/v1alpha2',
    kind: 'ClusterNetworkPolicy',
    metadata: { name: 'no-metadata' },
    spec: { tier: 'Admin', priority: 20, subject: { namespaces: {} }, egress: [{ name: 'r', action: 'Deny', to: [{ networks }] }] },
  });
  const metadata = { externals: [{ name: 'cloud-metadata', ip: '169.254.169.254' }, { name: 'internet', ip: '198.51.100.7' }] };
  const workloads = [ns('shop'), deployment('shop', 'web'), deployment('shop', 'api')];

  test.each([
    [['169.254.169.254/32']], [['169.254.0.0/16']], [['127.0.0.0/8', '::1/128']], [['fe80::/10']], [['224.0.0.0/4', 'ff00::/8']],
    [['255.255.255.255/32', '0.0.0.0/32', '::/128']],
  ])('a Deny to %j: web -> cloud-metadata decided by its IP, web -> api allowed, no note', (networks) => {
    const r = Reachability.fromManifests([...workloads, cnpDeny(networks)], metadata);
    expect(r.allows('shop/web', 'cloud-metadata', Port.tcp(80))).toBe(!networks.some((n) => n.startsWith('169.254')));
    expect(r.allows('shop/web', 'shop/api', Port.tcp(8080))).toBe(true);
    expect(r.explain('shop/web', 'shop/api', Port.tcp(8080)).notes).toEqual([]);
    expect(r.skipped.map((s) => s.reason).join('\n')).not.toMatch(/is decided only where the IPs are known/);
    agreeOnEveryPair(r, Port.tcp(8080));
  });

  test.each([[['169.0.0.0/8']], [['169.254.169.254/32', '10.0.0.0/8']], [['fd00:ec2::254/128']], [['fe00::/7']]])(
    'a Deny to %j, not wholly there: an unknown pod IP may be inside, decided fail closed', (networks) => {
      const r = Reachability.fromManifests([...workloads, cnpDeny(networks)], metadata);
      expect(r.allows('shop/web', 'shop/api', Port.tcp(8080))).toBe(false);
      expect(r.explain('shop/web', 'shop/api', Port.tcp(8080)).notes.join('\n')).toMatch(/unknown IP: .*shop\/api/);
      agreeOnEveryPair(r, Port.tcp(8080));
    });

  test('node traffic and hostNetwork pods have the node\'s address: still undecided for a link-local Deny', () => {
    const host = {
      ...deployment('shop', 'agent'),
      spec: {
        ...deployment('shop', 'agent').spec,
        template: { metadata: { labels: { app: 'agent' } }, spec: { hostNetwork: true, containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 8080 }] }] } },
      },
    };
    const r = Reachability.fromManifests([...workloads, host, cnpDeny(['169.254.0.0/16'])], { ...metadata, hostNetwork: HostNetworkMode.NODE_TRAFFIC });
    expect(r.allows('shop/web', 'shop/api', Port.tcp(8080))).toBe(true);
    expect(r.allows('shop/web', 'shop/agent', Port.tcp(8080))).toBe(false);
    agreeOnEveryPair(r, Port.tcp(8080));
  });
});

