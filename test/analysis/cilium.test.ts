import { expectMatrixAgrees } from './matrix-agrees';
import { DecisionTier, Direction, JsonFormat, Port, Reachability, SideDecision, SkipCategory, TextFormat } from '../../src';
import { netpol, tempDir } from '../cli/cli-harness';
import { ccnp, cnp } from '../fixtures/cilium-objects';

/**
 * Cilium's policies analysed, from the examples of Cilium's documentation (docs.cilium.io, security/
 * policy: "Layer 3 Policies", "Layer 4 Policies", "Deny Policies", "Using Kubernetes Constructs In
 * Policy"), written here from their YAML. Each example: what it allows AND what it denies, and the
 * matrix agrees with the pair verdict on every pair.
 */

const np = (namespace: string, name: string, spec: Record<string, unknown>) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec });
const pod = (namespace: string, name: string, labels: Record<string, string>, ip?: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace, labels },
  spec: { containers: [{ name: 'c', ports: [{ containerPort: 80, name: 'http' }, { containerPort: 8080, name: 'alt' }] }] },
  ...(ip ? { status: { podIP: ip } } : {}),
});
const ns = (name: string, labels: Record<string, string> = {}) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
const HTTP = Port.tcp(80);

describe('Layer 3: endpoints', () => {
  // "Simple Ingress Allow": backend pods accept traffic from frontend pods.
  const l3 = cnp('l3-rule', { endpointSelector: { matchLabels: { role: 'backend' } }, ingress: [{ fromEndpoints: [{ matchLabels: { role: 'frontend' } }] }] });
  const objects = [l3, pod('default', 'frontend', { role: 'frontend' }), pod('default', 'backend', { role: 'backend' }), pod('default', 'other', { role: 'other' }),
    pod('ns2', 'frontend', { role: 'frontend' })];

  test('frontend -> backend is allowed; any other pod, and a frontend of another namespace, are denied', () => {
    const r = Reachability.fromManifests(objects);
    expect(r.skipped).toEqual([]);
    const e = r.explain('default/frontend', 'default/backend', HTTP);
    expect(e.allowed).toBe(true);
    expect(e.ingress).toMatchObject({ decision: SideDecision.ALLOWED, tier: DecisionTier.NETWORK_POLICY, isolatingPolicies: ['CiliumNetworkPolicy default/l3-rule'] });
    expect(e.ingress.allowedBy).toEqual([{ policy: 'default/l3-rule', direction: 'ingress', rule: 0, byIpBlock: false, kind: 'CiliumNetworkPolicy' }]);
    expect(r.allows('default/other', 'default/backend', HTTP)).toBe(false);
    // A CiliumNetworkPolicy's endpoint selectors select in its own namespace unless they name one.
    expect(r.allows('ns2/frontend', 'default/backend', HTTP)).toBe(false);
    // Only the backend's ingress is policed.
    expect(r.allows('default/backend', 'default/other', HTTP)).toBe(true);
    expectMatrixAgrees(r, HTTP);
  });

  test('"Simple Egress Allow": frontend reaches backend only; the k8s: prefix means the same label', () => {
    const egress = cnp('l3-egress-rule', { endpointSelector: { matchLabels: { 'k8s:role': 'frontend' } }, egress: [{ toEndpoints: [{ matchLabels: { 'k8s:role': 'backend' } }] }] });
    const r = Reachability.fromManifests([egress, ...objects.slice(1)], { externals: [{ name: 'web', ip: '203.0.113.9' }] });
    expect(r.allows('default/frontend', 'default/backend', HTTP)).toBe(true);
    expect(r.allows('default/frontend', 'default/other', HTTP)).toBe(false);
    expect(r.allows('default/frontend', 'web', HTTP)).toBe(false);
    expect(r.allows('ns2/frontend', 'web', HTTP)).toBe(true);
    expectMatrixAgrees(r, HTTP);
  });

  test('namespaces: a selector that names the namespace label reaches into that namespace (Kubernetes constructs example)', () => {
    const fromNs2 = cnp('allow-ns2', { endpointSelector: { matchLabels: { role: 'backend' } }, ingress: [{ fromEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'ns2' } }] }] });
    const r = Reachability.fromManifests([fromNs2, ...objects.slice(1)]);
    expect(r.allows('ns2/frontend', 'default/backend', HTTP)).toBe(true);
    expect(r.allows('default/frontend', 'default/backend', HTTP)).toBe(false);
    // The subject stays in the policy's namespace even when its endpointSelector names another (utils.go ParseToCiliumRule).
    const elsewhere = cnp('subject-elsewhere', { endpointSelector: { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'ns2' } }, ingress: [{ fromEndpoints: [{ matchLabels: { role: 'backend' } }] }] });
    const s = Reachability.fromManifests([elsewhere, ...objects.slice(1)]);
    expect(s.allows('default/other', 'default/frontend', HTTP)).toBe(false);
    expect(s.allows('default/other', 'ns2/frontend', HTTP)).toBe(true);
    expectMatrixAgrees(r, HTTP);
    expectMatrixAgrees(s, HTTP);
  });

  test('a namespace\'s labels select through io.cilium.k8s.namespace.labels, and a cluster-wide policy selects in every namespace', () => {
    // With the namespace key (Exists), so every Cilium release selects in every namespace (k8s/cilium-peer-scope).
    const byTeam = cnp('from-team-red', {
      endpointSelector: {},
      ingress: [{ fromEndpoints: [{ matchLabels: { 'k8s:io.cilium.k8s.namespace.labels.team': 'red' }, matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'Exists' }] }] }],
    });
    const objs = [ns('ns2', { team: 'red' }), ns('ns3', { team: 'blue' }), pod('default', 'backend', { role: 'backend' }), pod('ns2', 'a', { app: 'a' }), pod('ns3', 'b', { app: 'b' })];
    const r = Reachability.fromManifests([byTeam, ...objs]);
    expect(r.allows('ns2/a', 'default/backend', HTTP)).toBe(true);
    expect(r.allows('ns3/b', 'default/backend', HTTP)).toBe(false);
    const wide = ccnp('backend-from-a', { endpointSelector: { matchLabels: { role: 'backend' } }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'a' } }] }] });
    const c = Reachability.fromManifests([wide, ...objs]);
    expect(c.allows('ns2/a', 'default/backend', HTTP)).toBe(true);
    expect(c.allows('ns3/b', 'default/backend', HTTP)).toBe(false);
    expect(c.explain('ns2/a', 'default/backend', HTTP).ingress.isolatingPolicies).toEqual(['CiliumClusterwideNetworkPolicy backend-from-a']);
    expectMatrixAgrees(c, HTTP);
  });
});

describe('Layer 3: entities', () => {
  const objects = [pod('default', 'public', { role: 'public' }), pod('default', 'client', { role: 'client' }), pod('default', 'db', { role: 'db' })];
  const externals = [{ name: 'internet', ip: '198.51.100.7' }];

  test('"Access to/from outside cluster": fromEntities world admits external ends only', () => {
    const world = cnp('from-world', { endpointSelector: { matchLabels: { role: 'public' } }, ingress: [{ fromEntities: ['world'] }] });
    const r = Reachability.fromManifests([world, ...objects], { externals });
    expect(r.allows('internet', 'default/public', HTTP)).toBe(true);
    expect(r.allows('default/client', 'default/public', HTTP)).toBe(false);
    expectMatrixAgrees(r, HTTP);
  });

  test('toEntities cluster reaches every pod and no external end; all reaches both', () => {
    const cluster = cnp('to-cluster', { endpointSelector: { matchLabels: { role: 'client' } }, egress: [{ toEntities: ['cluster'] }] });
    const r = Reachability.fromManifests([cluster, ...objects], { externals });
    expect(r.allows('default/client', 'default/db', HTTP)).toBe(true);
    expect(r.allows('default/client', 'internet', HTTP)).toBe(false);
    const all = cnp('to-all', { endpointSelector: { matchLabels: { role: 'client' } }, egress: [{ toEntities: ['all'] }] });
    const a = Reachability.fromManifests([all, ...objects], { externals });
    expect(a.allows('default/client', 'internet', HTTP)).toBe(true);
    expect(a.allows('default/client', 'default/db', HTTP)).toBe(true);
    expectMatrixAgrees(r, HTTP);
  });

  test('health, ingress, init and unmanaged match no end of the model: the rule keeps its other entities, and a note says so', () => {
    // A deny of [world, health]: leaving the rule out would lose the world deny (a false "allowed").
    const deny = cnp('deny-world', {
      endpointSelector: { matchLabels: { role: 'client' } },
      egress: [{ toEntities: ['all'] }],
      egressDeny: [{ toEntities: ['world', 'health'] }],
    });
    const r = Reachability.fromManifests([deny, ...objects], { externals });
    expect(r.allows('default/client', 'internet', HTTP)).toBe(false);
    expect(r.explain('default/client', 'internet', HTTP).egress.deniedBy).toMatchObject({ policy: 'default/deny-world', direction: 'egressDeny', rule: 0 });
    expect(r.allows('default/client', 'default/db', HTTP)).toBe(true);
    expect(r.skipped).toHaveLength(1);
    expect(r.skipped[0]).toMatchObject({ object: 'default/deny-world', category: SkipCategory.NOT_MODELLED });
    expect(r.skipped[0].reason).toMatch(/^spec\.egressDeny\[0\] names the entity health \(the health endpoints of Cilium's agents \(cilium-health\)\) in toEntities, which no end of the model is .*: it matches nothing in the verdicts, and the rule is analysed for world\./);
    expectMatrixAgrees(r, HTTP);
    // An allow of only such entities allows nothing, and still isolates (it is a rule of the egress section).
    for (const entity of ['health', 'ingress', 'init', 'unmanaged']) {
      const allow = cnp('to-x', { endpointSelector: { matchLabels: { role: 'client' } }, egress: [{ toEntities: [entity] }] });
      const a = Reachability.fromManifests([allow, ...objects], { externals });
      expect(a.skipped.map((s) => s.reason)).toEqual([expect.stringMatching(new RegExp(`^spec\\.egress\\[0\\] names the entity ${entity} .* so the rule allows nothing here\\.`))]);
      for (const to of ['default/db', 'default/public', 'internet']) expect(a.allows('default/client', to, HTTP)).toBe(false);
      expect(a.allows('default/db', 'default/public', HTTP)).toBe(true);
      expectMatrixAgrees(a, HTTP);
    }
    // unmanaged: every pod of the input is taken to be managed by Cilium, so its deny denies no pod; the note states the assumption.
    const unmanaged = cnp('deny-unmanaged', { endpointSelector: {}, ingressDeny: [{ fromEntities: ['unmanaged', 'world'] }], enableDefaultDeny: { ingress: false } });
    const u = Reachability.fromManifests([unmanaged, ...objects], { externals });
    expect(u.allows('default/client', 'default/db', HTTP)).toBe(true);
    expect(u.allows('internet', 'default/db', HTTP)).toBe(false);
    expect(u.skipped[0].reason).toMatch(/The model assumes every pod of the input is managed by Cilium, so unmanaged matches no pod/);
    expectMatrixAgrees(u, HTTP);
    // Next to cluster or all, such an entity changes nothing: no note.
    const wide = cnp('to-cluster', { endpointSelector: { matchLabels: { role: 'client' } }, egress: [{ toEntities: ['cluster', 'health'] }] });
    expect(Reachability.fromManifests([wide, ...objects], { externals }).skipped).toEqual([]);
  });

  test('a deny naming kube-apiserver without its address is kept: its other entities deny, and it is taken to deny every node and external end', () => {
    const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, status: { addresses: [{ type: 'InternalIP', address: '10.0.0.7' }] } };
    const deny = cnp('deny-out', {
      endpointSelector: { matchLabels: { role: 'client' } },
      egress: [{ toEntities: ['all'] }],
      egressDeny: [{ toEntities: ['world', 'kube-apiserver'] }],
    });
    const r = Reachability.fromManifests([deny, node, ...objects], { externals });
    expect(r.allows('default/client', 'internet', HTTP)).toBe(false);
    expect(r.allows('default/client', 'node:n1', HTTP)).toBe(false);
    expect(r.allows('default/client', 'default/db', HTTP)).toBe(true);
    expect(r.skipped.map((x) => x.reason)).toEqual([expect.stringMatching(/^spec\.egressDeny\[0\] is decided without the API server's address: .* take this deny to apply to every node and every end outside the cluster/)]);
    expectMatrixAgrees(r, HTTP);
    // A deny of kube-apiserver with host: the node was denied anyway; the external end is denied only by the fail-closed reading.
    const host = cnp('deny-host', { endpointSelector: { matchLabels: { role: 'client' } }, egress: [{ toEntities: ['all'] }], egressDeny: [{ toEntities: ['host', 'kube-apiserver'] }] });
    const h = Reachability.fromManifests([host, node, ...objects], { externals });
    expect(h.allows('default/client', 'internet', HTTP)).toBe(false);
    expect(h.allows('default/client', 'default/db', HTTP)).toBe(true);
    expectMatrixAgrees(h, HTTP);
    // With the address given, the deny is exact again: the external end is not the API server.
    const given = Reachability.fromManifests([host, node, ...objects], { externals, apiServerIp: '10.0.0.7' });
    expect(given.allows('default/client', 'internet', HTTP)).toBe(true);
    expect(given.allows('default/client', 'kube-apiserver', HTTP)).toBe(false);
    expect(given.skipped.filter((x) => x.reason.includes('API server'))).toEqual([]);
  });

  test('an entity the model cannot place (kube-apiserver without its address) leaves that rule out, with the reason: never a guess', () => {
    const host = cnp('to-host', { endpointSelector: { matchLabels: { role: 'client' } }, egress: [{ toEntities: ['kube-apiserver'] }, { toEntities: ['cluster'], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }] });
    const r = Reachability.fromManifests([host, ...objects], { externals });
    expect(r.skipped).toMatchObject([{ object: 'default/to-host', kind: 'CiliumNetworkPolicy', category: SkipCategory.NOT_MODELLED }]);
    expect(r.skipped[0].reason).toMatch(/^spec\.egress\[0\] is not modelled: toEntities: the entity kube-apiserver is the Kubernetes API server, whose address the model was not given\. Give it \(ReachabilityOptions\.apiServerIp, or --api-server <ip>\)/);
    // The rest is analysed: the client is isolated for egress, the second rule allows port 80 to pods.
    expect(r.allows('default/client', 'default/db', HTTP)).toBe(true);
    expect(r.allows('default/client', 'default/db', Port.tcp(8080))).toBe(false);
    expect(netpol(['explain', tempDir({ 'p.yaml': [host, ...objects].map((o) => JSON.stringify(o)).join('\n---\n') }), '--from', 'default/client', '--to', 'default/db', '--port', '80']).code).toBe(1);
  });
});

describe('Layer 3: CIDR', () => {
  // The CIDR example: toCIDR 20.1.1.1/32, toCIDRSet 10.0.0.0/8 except 10.96.0.0/12.
  const cidr = cnp('cidr-rule', {
    endpointSelector: { matchLabels: { app: 'myService' } },
    egress: [{ toCIDR: ['20.1.1.1/32'] }, { toCIDRSet: [{ cidr: '10.0.0.0/8', except: ['10.96.0.0/12'] }] }],
  });
  const externals = [{ name: 'one', ip: '20.1.1.1' }, { name: 'two', ip: '20.1.1.2' }, { name: 'private', ip: '10.1.2.3' }, { name: 'services', ip: '10.96.0.10' }];

  test('the addresses in the blocks are allowed, the excepted and other ones denied; CIDR rules never select pods', () => {
    const r = Reachability.fromManifests([cidr, pod('default', 'svc', { app: 'myService' }), pod('default', 'peer', { app: 'peer' }, '10.0.0.5')], { externals });
    expect(r.allows('default/svc', 'one', HTTP)).toBe(true);
    expect(r.allows('default/svc', 'private', HTTP)).toBe(true);
    expect(r.allows('default/svc', 'two', HTTP)).toBe(false);
    expect(r.allows('default/svc', 'services', HTTP)).toBe(false);
    expect(r.explain('default/svc', 'one', HTTP).egress.allowedBy).toMatchObject([{ policy: 'default/cidr-rule', direction: 'egress', rule: 0 }]);
    // A pod's IP inside 10.0.0.0/8 is not matched: CIDR rules do not apply between Cilium-managed endpoints.
    expect(r.allows('default/svc', 'default/peer', HTTP)).toBe(false);
    expectMatrixAgrees(r, HTTP);
  });
});

describe('DNS based: toFQDNs', () => {
  // The DNS example: api.github.com, with the DNS rule to kube-dns that lets the proxy see the lookups.
  const dnsRule = { toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } }], toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }] };
  const fqdn = (names: unknown[], withDns = true) => cnp('to-fqdn', {
    endpointSelector: { matchLabels: { org: 'alliance', class: 'mediabot' } },
    egress: [{ toFQDNs: names }, ...(withDns ? [dnsRule] : [])],
  });
  const objects = [pod('default', 'mediabot', { org: 'alliance', class: 'mediabot' }), pod('kube-system', 'coredns', { 'k8s-app': 'kube-dns' })];
  const externals = [
    { name: 'github', ip: '140.82.112.5', dnsName: 'api.github.com' }, { name: 'sub', ip: '140.82.112.6', dnsName: 'sub.github.com' },
    { name: 'apex', ip: '140.82.112.7', dnsName: 'github.com' }, { name: 'deep', ip: '140.82.112.8', dnsName: 'a.b.github.com' },
    { name: 'other', ip: '198.51.100.1', dnsName: 'example.com' }, { name: 'nameless', ip: '140.82.112.9' },
  ];

  test('matchName: the named external end is allowed, every other end denied; the DNS rule says "L7 rules apply"', () => {
    const r = Reachability.fromManifests([fqdn([{ matchName: 'api.github.com' }]), ...objects], { externals });
    expect(r.allows('default/mediabot', 'github', Port.tcp(443))).toBe(true);
    for (const other of ['sub', 'apex', 'other', 'nameless']) expect(r.allows('default/mediabot', other, Port.tcp(443))).toBe(false);
    const dns = r.explain('default/mediabot', 'kube-system/coredns', Port.udp(53));
    expect(dns.allowed).toBe(true);
    expect(dns.egress.allowedBy).toEqual([{ policy: 'default/to-fqdn', direction: 'egress', rule: 1, byIpBlock: false, kind: 'CiliumNetworkPolicy', l7Rules: true }]);
    expect(TextFormat.explanation(dns)).toContain('allowed by CiliumNetworkPolicy default/to-fqdn egress[1] (L7 rules apply)');
    expect(r.allows('default/mediabot', 'kube-system/coredns', Port.tcp(80))).toBe(false);
    expectMatrixAgrees(r, Port.tcp(443));
  });

  test('matchPattern: * is one label\'s characters, so *.github.com matches sub.github.com, not github.com nor a.b.github.com', () => {
    const r = Reachability.fromManifests([fqdn([{ matchPattern: '*.github.com' }]), ...objects], { externals });
    expect(r.allows('default/mediabot', 'sub', Port.tcp(443))).toBe(true);
    expect(r.allows('default/mediabot', 'github', Port.tcp(443))).toBe(true);
    expect(r.allows('default/mediabot', 'apex', Port.tcp(443))).toBe(false);
    expect(r.allows('default/mediabot', 'deep', Port.tcp(443))).toBe(false);
    expectMatrixAgrees(r, Port.tcp(443));
  });

  test('without the DNS rule the proxy never sees the lookup: the FQDN rule matches nothing', () => {
    const r = Reachability.fromManifests([fqdn([{ matchName: 'api.github.com' }], false), ...objects], { externals });
    expect(r.allows('default/mediabot', 'github', Port.tcp(443))).toBe(false);
    // A DNS rule that does not let the name be looked up does not help either.
    const narrow = { ...dnsRule, toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchName: 'example.com' }] } }] };
    const n = Reachability.fromManifests([cnp('to-fqdn', { endpointSelector: { matchLabels: { class: 'mediabot' } }, egress: [{ toFQDNs: [{ matchName: 'api.github.com' }] }, narrow] }), ...objects], { externals });
    expect(n.allows('default/mediabot', 'github', Port.tcp(443))).toBe(false);
    expectMatrixAgrees(n, Port.tcp(443));
  });

  test('netpol explain with --external name=dns.name=ip gives the end its DNS name', () => {
    const dir = tempDir({ 'p.yaml': [fqdn([{ matchName: 'api.github.com' }]), ...objects].map((o) => JSON.stringify(o)).join('\n---\n') });
    const allowed = netpol(['explain', dir, '--from', 'default/mediabot', '--to', 'github', '--port', '443', '--external', 'github=api.github.com=140.82.112.5']);
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toContain('ALLOWED');
    const denied = netpol(['explain', dir, '--from', 'default/mediabot', '--to', 'github', '--port', '443', '--external', 'github=140.82.112.5']);
    expect(denied.stdout).toContain('DENIED');
  });
});

describe('Layer 4', () => {
  const objects = [pod('default', 'svc', { app: 'myService' }), pod('default', 'peer', { app: 'peer' }), pod('default', 'frontend', { app: 'frontend' })];
  const externals = [{ name: 'web', ip: '198.51.100.9' }];

  test('"Limit ingress/egress ports": a rule of ports only allows that port to any destination, and no other port', () => {
    const l4 = cnp('l4-rule', { endpointSelector: { matchLabels: { app: 'myService' } }, egress: [{ toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }] });
    const r = Reachability.fromManifests([l4, ...objects], { externals });
    expect(r.allows('default/svc', 'default/peer', HTTP)).toBe(true);
    expect(r.allows('default/svc', 'web', HTTP)).toBe(true);
    expect(r.allows('default/svc', 'web', Port.tcp(443))).toBe(false);
    expect(r.allows('default/svc', 'web', Port.udp(80))).toBe(false);
    expectMatrixAgrees(r, HTTP);
    expectMatrixAgrees(r, Port.udp(80));
  });

  test('"Layer 3 dependent Layer 4": endpoints and ports; a range (endPort), a named port, and ANY', () => {
    const l3l4 = cnp('l3-l4', {
      endpointSelector: { matchLabels: { app: 'myService' } },
      ingress: [
        { fromEndpoints: [{ matchLabels: { app: 'frontend' } }], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] },
        { fromEndpoints: [{ matchLabels: { app: 'peer' } }], toPorts: [{ ports: [{ port: '8000', endPort: 8100, protocol: 'TCP' }, { port: 'http' }] }] },
      ],
    });
    const r = Reachability.fromManifests([l3l4, ...objects]);
    expect(r.allows('default/frontend', 'default/svc', HTTP)).toBe(true);
    expect(r.allows('default/frontend', 'default/svc', Port.tcp(8080))).toBe(false);
    expect(r.allows('default/peer', 'default/svc', Port.tcp(8080))).toBe(true);
    expect(r.allows('default/peer', 'default/svc', Port.tcp(8101))).toBe(false);
    // The named port http (ANY protocol) is the container port 80/TCP.
    expect(r.allows('default/peer', 'default/svc', HTTP)).toBe(true);
    expect(r.allows('default/peer', 'default/svc', Port.named('http'))).toBe(true);
    expectMatrixAgrees(r, Port.tcp(8080));
    expectMatrixAgrees(r, Port.named('http'));
  });
});

describe('Deny policies', () => {
  const objects = [pod('default', 'server', { app: 'server' }), pod('default', 'client', { app: 'client' }), pod('default', 'attacker', { app: 'attacker' })];
  const externals = [{ name: 'internet', ip: '198.51.100.7' }];

  test('"external-lockdown": ingressDeny world over ingress all; the verdict names the deny rule', () => {
    const lockdown = cnp('external-lockdown', { endpointSelector: {}, ingressDeny: [{ fromEntities: ['world'] }], ingress: [{ fromEntities: ['all'] }] });
    const r = Reachability.fromManifests([lockdown, ...objects], { externals });
    const e = r.explain('internet', 'default/server', HTTP);
    expect(e.allowed).toBe(false);
    expect(e.ingress).toMatchObject({ decision: SideDecision.DENIED, tier: DecisionTier.NETWORK_POLICY, allowedBy: [] });
    expect(e.ingress.deniedBy).toEqual({ policy: 'default/external-lockdown', direction: 'ingressDeny', rule: 0, byIpBlock: false, kind: 'CiliumNetworkPolicy', entities: ['world'] });
    expect(TextFormat.explanation(e)).toContain('DENIED by the deny rule CiliumNetworkPolicy default/external-lockdown ingressDeny[0] fromEntities world, which takes precedence over every allow');
    expect(JsonFormat.verdict(e.ingress).deniedBy).toEqual({
      policy: 'default/external-lockdown', direction: 'ingressDeny', rule: 0, byIpBlock: false, kind: 'CiliumNetworkPolicy', entities: ['world'],
    });
    expect(r.allows('default/client', 'default/server', HTTP)).toBe(true);
    expectMatrixAgrees(r, HTTP);
  });

  test('the deny table: allow L3 client and L4 80 and 81, deny L4 80: 81 is allowed, 80 denied', () => {
    const allow = cnp('allow', { endpointSelector: { matchLabels: { app: 'server' } }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'client' } }], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }, { port: '81', protocol: 'TCP' }] }] }] });
    const deny = cnp('deny-80', { endpointSelector: { matchLabels: { app: 'server' } }, ingressDeny: [{ toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }] });
    const r = Reachability.fromManifests([allow, deny, ...objects]);
    expect(r.allows('default/client', 'default/server', Port.tcp(81))).toBe(true);
    expect(r.allows('default/client', 'default/server', HTTP)).toBe(false);
    expectMatrixAgrees(r, HTTP);
    expectMatrixAgrees(r, Port.tcp(81));
  });

  test('a deny rule overrides a NetworkPolicy\'s allow, also without default deny (enableDefaultDeny false)', () => {
    const allowAll = np('default', 'allow-all', { podSelector: {}, ingress: [{}] });
    const deny = cnp('no-attacker', { endpointSelector: { matchLabels: { app: 'server' } }, enableDefaultDeny: { ingress: false }, ingressDeny: [{ fromEndpoints: [{ matchLabels: { app: 'attacker' } }] }] });
    const r = Reachability.fromManifests([allowAll, deny, ...objects]);
    expect(r.allows('default/attacker', 'default/server', HTTP)).toBe(false);
    expect(r.allows('default/client', 'default/server', HTTP)).toBe(true);
    const alone = Reachability.fromManifests([deny, ...objects]);
    expect(alone.explain('default/client', 'default/server', HTTP).ingress).toMatchObject({ decision: SideDecision.NOT_ISOLATED, isolated: false });
    expect(alone.explain('default/attacker', 'default/server', HTTP).ingress).toMatchObject({ decision: SideDecision.DENIED, isolated: false, deniedBy: { direction: 'ingressDeny' } });
    expectMatrixAgrees(alone, HTTP);
    expectMatrixAgrees(r, HTTP);
  });
});

describe('NetworkPolicies and Cilium policies together', () => {
  const objects = [pod('default', 'server', { app: 'server' }), pod('default', 'client', { app: 'client' }), pod('default', 'other', { app: 'other' })];

  test('either kind isolates, and the allows add up', () => {
    const fromClient = np('default', 'from-client', { podSelector: { matchLabels: { app: 'server' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'client' } } }] }] });
    const fromOther = cnp('from-other', { endpointSelector: { matchLabels: { app: 'server' } }, enableDefaultDeny: { ingress: false }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'other' } }] }] });
    const r = Reachability.fromManifests([fromClient, fromOther, ...objects]);
    expect(r.allows('default/client', 'default/server', HTTP)).toBe(true);
    expect(r.allows('default/other', 'default/server', HTTP)).toBe(true);
    expect(r.allows('default/server', 'default/server', HTTP)).toBe(true); // loopback
    expect(r.explain('default/other', 'default/server', HTTP).ingress.isolatingPolicies).toEqual(['default/from-client']);
    // Without the NetworkPolicy, the CiliumNetworkPolicy without default deny isolates nothing.
    const alone = Reachability.fromManifests([fromOther, ...objects]);
    expect(alone.unisolated(Direction.INGRESS)).toContain('default/server');
    expect(alone.allows('default/client', 'default/server', HTTP)).toBe(true);
    // With its default (rules in the direction: default deny), only the other pod is allowed.
    const { enableDefaultDeny: _, ...spec } = fromOther.spec as any;
    const isolating = Reachability.fromManifests([cnp('from-other', spec), ...objects]);
    expect(isolating.allows('default/client', 'default/server', HTTP)).toBe(false);
    expect(isolating.allows('default/other', 'default/server', HTTP)).toBe(true);
    expectMatrixAgrees(r, HTTP);
  });

  test('an AdminNetworkPolicy next to Cilium policies is left out: Cilium does not implement it', () => {
    const anp = {
      apiVersion: 'policy.networking.k8s.io/v1alpha1',
      kind: 'AdminNetworkPolicy',
      metadata: { name: 'deny-all' },
      spec: { priority: 1, subject: { namespaces: {} }, ingress: [{ name: 'deny', action: 'Deny', from: [{ namespaces: {} }] }] },
    };
    const allow = cnp('from-client', { endpointSelector: { matchLabels: { app: 'server' } }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'client' } }] }] });
    const r = Reachability.fromManifests([anp, allow, ...objects]);
    expect(r.skipped).toMatchObject([{ object: 'deny-all', kind: 'AdminNetworkPolicy', category: SkipCategory.NOT_MODELLED }]);
    expect(r.skipped[0].reason).toMatch(/Cilium does not implement the sig-network policy API/);
    expect(r.allows('default/client', 'default/server', HTTP)).toBe(true);
    expect(r.allows('default/other', 'default/server', HTTP)).toBe(false);
    // Without Cilium policies, the same AdminNetworkPolicy is analysed.
    expect(Reachability.fromManifests([anp, ...objects]).allows('default/client', 'default/server', HTTP)).toBe(false);
  });

  test('specs[]: each spec is a rule spec of its own; a rule the model cannot place is left out and the rest analysed', () => {
    const multi = cnp('multi', {}, 'default');
    delete (multi as any).spec;
    (multi as any).specs = [
      { endpointSelector: { matchLabels: { app: 'server' } }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'client' } }] }] },
      {
        endpointSelector: { matchLabels: { app: 'server' } },
        ingress: [{ fromEndpoints: [{ matchLabels: { app: 'other' } }], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] }],
        egress: [{ toServices: [{ k8sService: { serviceName: 'x', namespace: 'default' } }] }],
      },
    ];
    const r = Reachability.fromManifests([multi, ...objects]);
    expect(r.skipped.map((s) => s.reason.split(':')[0])).toEqual(['specs[1].egress[0] is not modelled']);
    // The spec has egress rules, so the server's egress is in default deny, though the one rule is left out.
    expect(r.allows('default/server', 'default/client', HTTP)).toBe(false);
    expect(r.allows('default/client', 'default/server', HTTP)).toBe(true);
    expect(r.allows('default/other', 'default/server', HTTP)).toBe(false);
    expect(r.explain('default/other', 'default/server', Port.tcp(8080)).ingress.allowedBy).toMatchObject([{ policy: 'default/multi', spec: 1, direction: 'ingress', rule: 0 }]);
    expect(TextFormat.rule(r.explain('default/other', 'default/server', Port.tcp(8080)).ingress.allowedBy[0])).toBe('CiliumNetworkPolicy default/multi specs[1].ingress[0]');
    expectMatrixAgrees(r, Port.tcp(8080));
  });

  test('a Cilium policy Cilium would reject is left out as invalid; a host policy is noted (read fail closed on node ends, none here)', () => {
    const bad = cnp('bad', { endpointSelector: {}, egress: [{ toEntities: ['nodes'] }] });
    const host = ccnp('host', { nodeSelector: {}, ingress: [{ fromEntities: ['cluster'] }] });
    const r = Reachability.fromManifests([bad, host, ...objects]);
    expect(r.skipped.map((s) => `${s.object} ${s.category}`)).toEqual(['default/bad INVALID_POLICY', 'host NOT_MODELLED']);
    expect(r.allows('default/client', 'default/server', HTTP)).toBe(true);
  });
});

describe('what reads NetworkPolicy rules only fails closed next to Cilium policies', () => {
  const objects = [pod('default', 'server', { app: 'server' }), pod('default', 'client', { app: 'client' })];
  const fromClient = cnp('from-client', { endpointSelector: { matchLabels: { app: 'server' } }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'client' } }] }] });

  test('exposure refuses a side a Cilium policy has rules for, and describes the others', () => {
    const r = Reachability.fromManifests([fromClient, ...objects]);
    expect(() => r.exposure('default/server', Direction.INGRESS)).toThrow(
      /cannot describe the ingress exposure of default\/server: CiliumNetworkPolicy default\/from-client has ingress rules for it, and the exposure lists the peers of NetworkPolicy rules only/);
    expect(r.exposure('default/server', Direction.EGRESS)).toMatchObject({ isolated: false, peers: [{ description: 'anyone: every pod of every namespace and every address' }] });
    expect(r.exposure('default/client', Direction.INGRESS).endpoints.map((e) => e.id)).toEqual(['default/server']);
    // netpol exposure refuses it as a usage error (exit 2), with the same reason.
    const dir = tempDir({ 'p.yaml': [fromClient, ...objects].map((o) => JSON.stringify(o)).join('\n---\n') });
    const cli = netpol(['exposure', dir, '--workload', 'default/server', '--direction', 'ingress']);
    expect(cli.code).toBe(2);
    expect(cli.stderr).toContain('cannot describe the ingress exposure of default/server');
  });

  test('the diff sees a Cilium rule open a connection, with the rule that allows it', () => {
    const before = Reachability.fromManifests([cnp('from-client', { endpointSelector: { matchLabels: { app: 'server' } }, ingress: [{ toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }] }), ...objects]);
    const after = Reachability.fromManifests([fromClient, ...objects]);
    const d = Reachability.diff(before, after);
    // Before: 443 from anyone; after: every port from the client. What opens is every other port; 443 stays open.
    expect(d.opened.map((c) => `${c.from} -> ${c.to} ${c.ports.join(',')}`)).toEqual(['default/client -> default/server other TCP ports,other UDP ports,other SCTP ports']);
    expect(TextFormat.diff(d)).toContain('allowed by CiliumNetworkPolicy default/from-client ingress[0]');
    // A deny rule added closes the connection, and the diff names it.
    const denyClient = cnp('deny-client', { endpointSelector: { matchLabels: { app: 'server' } }, ingressDeny: [{ fromEndpoints: [{ matchLabels: { app: 'client' } }] }] });
    const closed = Reachability.diff(after, Reachability.fromManifests([fromClient, denyClient, ...objects]));
    expect(closed.closed.map((c) => `${c.from} -> ${c.to}`)).toEqual(['default/client -> default/server']);
    expect(JsonFormat.diff(closed).closed[0].after.ingress).toMatchObject({ verdict: 'denied', deniedBy: 'CiliumNetworkPolicy default/deny-client ingressDeny[0]' });
    expect(TextFormat.diff(closed)).toContain('denied by the deny rule CiliumNetworkPolicy default/deny-client ingressDeny[0]');
  });

  test('blast radius follows the Cilium allows and stops at a deny rule', () => {
    const three = [...objects, pod('default', 'db', { app: 'db' })];
    const serverToDb = cnp('server-to-db', { endpointSelector: { matchLabels: { app: 'db' } }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'server' } }] }] });
    const clientOnly = cnp('client-only', { endpointSelector: { matchLabels: { app: 'server' } }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'client' } }] }] });
    const r = Reachability.fromManifests([serverToDb, clientOnly, ...three]);
    const reached = (x: Reachability) => x.blastRadius('default/client').reached.map((e) => e.id);
    expect(reached(r)).toEqual(expect.arrayContaining(['default/server', 'default/db']));
    const denied = cnp('no-server', { endpointSelector: { matchLabels: { app: 'db' } }, ingressDeny: [{ fromEndpoints: [{ matchLabels: { app: 'server' } }] }] });
    expect(reached(Reachability.fromManifests([serverToDb, clientOnly, denied, ...three]))).not.toContain('default/db');
  });
});
