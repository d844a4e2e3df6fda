import { Port, Reachability } from '../../src';
import { checkInvariants, InvariantKind, InvariantResult, InvariantSpec } from '../../src/analysis/invariants';

/**
 * Issue 15, hostile review of the invariants' widest reading: inputs where a proof of absence held
 * although some reading of the input allows the forbidden connection. Each asserts what the verdict
 * (fail closed) decides, what the invariant reports, and a control the input settles.
 */

type Ports = Array<Record<string, unknown>>;
const pod = (namespace: string, name: string, ips: string[], ports: Ports = [{ containerPort: 80 }], labels?: Record<string, string>) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { namespace, name, labels: labels ?? { app: name } },
  spec: { containers: [{ name: 'c', image: 'i', ports }] },
  status: ips.length > 0 ? { podIP: ips[0], podIPs: ips.map((ip) => ({ ip })) } : {},
});
const namespace = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { team: name } } });
const np = (ns: string, name: string, spec: Record<string, unknown>) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { namespace: ns, name }, spec });
const cnp = (ns: string, name: string, spec: Record<string, unknown>) => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { namespace: ns, name }, spec });

type External = { name: string; ip: string; dnsName?: string };

function check(
  objects: unknown[], invariant: InvariantSpec, externals?: External[], podCidrs?: string[],
): { r: InvariantResult; reach: Reachability } {
  const reach = Reachability.fromManifests(objects, { ...externals ? { externals } : {}, ...podCidrs ? { podCidrs } : {} });
  const report = checkInvariants(reach, [], [invariant]);
  expect(report.results).toHaveLength(1);
  return { r: report.results[0], reach };
}

const UDP53 = [{ containerPort: 53, protocol: 'UDP' }];
const coredns = pod('kube-system', 'coredns', ['10.0.9.9'], UDP53, { 'k8s-app': 'kube-dns' });
const client = pod('blog', 'client', ['10.0.0.2']);
const externals = [{ name: 'api', ip: '203.0.113.10', dnsName: 'api.example.com' }];
const TO_API: InvariantSpec = { name: 'blog-never-api', kind: InvariantKind.NEVER, from: [{ namespace: 'blog' }], to: [{ id: 'api' }] };
const fqdnPolicy = cnp('blog', 'to-api', {
  endpointSelector: { matchLabels: { app: 'client' } },
  egress: [
    { toFQDNs: [{ matchName: 'api.example.com' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] },
    {
      toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } }],
      toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }], rules: { dns: [{ matchPattern: '*' }] } }],
    },
  ],
});

describe('toFQDNs: a lookup the fail-closed verdicts drop, which some reading lets through', () => {
  const FROM_BLOG = { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'blog' } };
  const dnsIngress = (rule: Record<string, unknown>) => cnp('kube-system', 'dns-in', { endpointSelector: { matchLabels: { 'k8s-app': 'kube-dns' } }, ingress: [rule] });

  function expectDroppedGuess(r: InvariantResult): void {
    expect(r.holds).toBe(false);
    expect(r.violation).toMatchObject({ from: 'blog/client', to: 'api', guessed: true, guess: 'what Cilium\'s DNS proxy sees' });
    expect((r.notes ?? []).join('\n')).toContain('CiliumNetworkPolicy blog/to-api egress[0] (FQDNs api.example.com) matches api '
      + '(the fail-closed verdicts drop blog/client\'s lookups of the name, and a wider reading of the input may let them through)');
  }

  test('the DNS server\'s ingress allows the lookups only by a left-out rule (authentication)', () => {
    const objects = [namespace('blog'), namespace('kube-system'), client, coredns, fqdnPolicy, dnsIngress({ fromEndpoints: [FROM_BLOG], authentication: { mode: 'required' } })];
    const { r, reach } = check(objects, TO_API, externals);
    // Fail closed the lookups are dropped, so the proxy learns nothing and the verdict denies.
    expect(reach.allows('blog/client', 'api', Port.tcp(443))).toBe(false);
    // Where the left-out rule applies, the lookups are answered and toFQDNs allows: no proof.
    expectDroppedGuess(r);
  });

  test('the DNS server\'s ingress allows the lookups only by a namespaceSelector over a namespace without its object', () => {
    const byTeam = np('kube-system', 'dns-from-team', {
      podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'blog' } } }] }],
    });
    const { r, reach } = check([namespace('kube-system'), client, coredns, fqdnPolicy, byTeam], TO_API, externals);
    expect(reach.allows('blog/client', 'api', Port.tcp(443))).toBe(false);
    expectDroppedGuess(r);
  });

  test('controls: the lookups let through break it for certain; dropped in every reading keeps it', () => {
    const base = [namespace('blog'), namespace('kube-system'), client, coredns, fqdnPolicy];
    const through = check([...base, dnsIngress({ fromEndpoints: [FROM_BLOG] })], TO_API, externals);
    expect(through.reach.allows('blog/client', 'api', Port.tcp(443))).toBe(true);
    expect(through.r).toMatchObject({ holds: false, violation: { from: 'blog/client', to: 'api' } });
    expect(through.r.violation!.guessed).toBeUndefined();
    const dropped = check([...base, dnsIngress({ fromEntities: ['world'] })], TO_API, externals);
    expect(dropped.r.holds).toBe(true);
    // A toFQDNs rule of TCP-only lookups is unseen in every reading, even where the input leaves something open.
    const tcpOnly = cnp('blog', 'to-api', {
      endpointSelector: { matchLabels: { app: 'client' } },
      egress: [
        { toFQDNs: [{ matchName: 'api.example.com' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] },
        { toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } }], toPorts: [{ ports: [{ port: '53', protocol: 'TCP' }], rules: { dns: [{ matchPattern: '*' }] } }] },
      ],
    });
    const open = dnsIngress({ fromEndpoints: [FROM_BLOG], authentication: { mode: 'required' } });
    expect(check([namespace('blog'), namespace('kube-system'), client, coredns, tcpOnly, open], TO_API, externals).r.holds).toBe(true);
  });
});

describe('a cluster-wide nodes peer with labels (the model has no node labels)', () => {
  const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'cp', labels: { 'node-role.kubernetes.io/control-plane': '' } }, status: { addresses: [{ type: 'InternalIP', address: '10.0.1.1' }] } };
  const web = pod('shop', 'web', ['10.2.0.5']);
  const TO_NODE: InvariantSpec = { name: 'shop-never-node', kind: InvariantKind.NEVER, from: [{ namespace: 'shop' }], to: [{ id: 'node:cp' }], ports: [{ kind: 'numbered', protocol: 'TCP', port: 10250 }] };
  const anp = (action: string, nodes: Record<string, unknown>) => ({
    apiVersion: 'policy.networking.k8s.io/v1alpha1',
    kind: 'AdminNetworkPolicy',
    metadata: { name: 'nodes' },
    spec: { priority: 10, subject: { namespaces: {} }, egress: [{ name: 'r', action, to: [{ nodes }], ports: [{ portNumber: { protocol: 'TCP', port: 10250 } }] }] },
  });

  test('a Deny taken to match every node (fail closed) may not match node:cp: NEVER must not hold', () => {
    const { r, reach } = check([namespace('shop'), node, web, anp('Deny', { matchLabels: { role: 'infra' } })], TO_NODE);
    expect(reach.allows('shop/web', 'node:cp', Port.tcp(10250))).toBe(false);
    expect(r.holds).toBe(false);
    expect(r.violation).toMatchObject({ from: 'shop/web', to: 'node:cp', guessed: true });
    expect(r.violation!.guess).toBe('a cluster-wide rule the input does not decide');
    expect((r.notes ?? []).join('\n')).toContain('AdminNetworkPolicy nodes egress[0] (Deny) does not match node:cp, which the input does not decide');
  });

  test('an Allow taken to match no node may match node:cp past a default deny: NEVER must not hold', () => {
    const deny = np('shop', 'deny', { podSelector: {}, policyTypes: ['Egress'] });
    const { r, reach } = check([namespace('shop'), node, web, deny, anp('Allow', { matchLabels: { role: 'infra' } })], TO_NODE);
    expect(reach.allows('shop/web', 'node:cp', Port.tcp(10250))).toBe(false);
    expect(r.holds).toBe(false);
    expect(r.violation).toMatchObject({ from: 'shop/web', to: 'node:cp', guessed: true });
    expect(r.violation!.guess).toBe('a cluster-wide rule the input does not decide');
    expect((r.notes ?? []).join('\n')).toContain('AdminNetworkPolicy nodes egress[0] (Allow) matches node:cp, which the input does not decide');
  });

  test('control: nodes: {} decides it, the Deny holds it', () => {
    expect(check([namespace('shop'), node, web, anp('Deny', {})], TO_NODE).r.holds).toBe(true);
  });
});

describe('ipBlock: an end whose addresses the input does not give', () => {
  const web = pod('shop', 'web', ['10.0.0.1']);
  const noIp = pod('blog', 'client', []);
  const allow = np('shop', 'allow-web', {
    podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }],
  });
  const NEVER: InvariantSpec = { name: 'n', kind: InvariantKind.NEVER, from: [{ namespace: 'blog' }], to: [{ namespace: 'shop' }] };
  const AT = 'NetworkPolicy shop/allow-web ingress[0] (ipBlock 10.0.0.0/8)';

  test('a pod without podIP and an ipBlock allow', () => {
    const { r, reach } = check([namespace('shop'), namespace('blog'), web, noIp, allow], NEVER);
    expect(reach.allows('blog/client', 'shop/web', Port.tcp(80))).toBe(false);
    expect(r.holds).toBe(false);
    expect(r.violation).toMatchObject({ from: 'blog/client', to: 'shop/web', guessed: true, guess: 'an address the input does not give' });
    const notes = (r.notes ?? []).join('\n');
    expect(notes).toContain(`${AT} holds blog/client's address (its address is not in the input; it may be in 10.0.0.0/8), which the input does not decide.`);
    expect(notes).toContain('Give the pod\'s IP (status.podIP of blog/client, or @<ip> on its --pod) '
      + 'or the cluster\'s pod CIDRs (--pod-cidr <cidr>, once per range; ReachabilityOptions.podCidrs) to decide it.');
  });

  test('the pod CIDRs decide it: outside the block it holds, inside it fails guessed', () => {
    const inPods = pod('shop', 'web', ['172.20.0.5']);
    const outside = check([namespace('shop'), namespace('blog'), inPods, noIp, allow], NEVER, undefined, ['172.20.0.0/16']);
    expect(outside.reach.allows('blog/client', 'shop/web', Port.tcp(80))).toBe(false);
    expect(outside.r.holds).toBe(true);
    const inside = check([namespace('shop'), namespace('blog'), web, noIp, allow], NEVER, undefined, ['10.244.0.0/16']);
    expect(inside.reach.allows('blog/client', 'shop/web', Port.tcp(80))).toBe(false);
    expect(inside.r.violation).toMatchObject({ from: 'blog/client', to: 'shop/web', guessed: true, guess: 'an address the input does not give' });
    const notes = (inside.r.notes ?? []).join('\n');
    expect(notes).toContain(`${AT} holds blog/client's address (its address is not in the input; it may be in 10.0.0.0/8, and the given pod CIDRs overlap it)`);
    expect(notes).toContain('Give the pod\'s IP (status.podIP of blog/client, or @<ip> on its --pod) to decide it.');
    expect(notes).not.toContain('--pod-cidr');
    // Pod CIDRs of the other family say nothing about an IPv4 block.
    expect(check([namespace('shop'), namespace('blog'), web, noIp, allow], NEVER, undefined, ['fd00:10::/64']).r.violation?.guessed).toBe(true);
  });

  test('controls: the pod\'s IP inside the block breaks it for certain, outside it holds', () => {
    const inside = check([namespace('shop'), namespace('blog'), web, pod('blog', 'client', ['10.1.2.3']), allow], NEVER);
    expect(inside.reach.allows('blog/client', 'shop/web', Port.tcp(80))).toBe(true);
    expect(inside.r).toMatchObject({ holds: false, violation: { from: 'blog/client', to: 'shop/web' } });
    expect(inside.r.violation!.guessed).toBeUndefined();
    const outside = check([namespace('shop'), namespace('blog'), web, pod('blog', 'client', ['192.168.1.2']), allow], NEVER);
    expect(outside.reach.allows('blog/client', 'shop/web', Port.tcp(80))).toBe(false);
    expect(outside.r.holds).toBe(true);
  });

  test('excepts: a block whose excepts hold every pod IP it may hold holds none; a node\'s address may be anywhere outside them', () => {
    const outsidePods = np('shop', 'allow-web', {
      podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.244.0.0/16'] } }] }],
    });
    const inPods = pod('shop', 'web', ['10.244.0.5']);
    const objects = [namespace('shop'), namespace('blog'), inPods, noIp, outsidePods];
    expect(check(objects, NEVER, undefined, ['10.244.0.0/16']).r.holds).toBe(true);
    // Without the pod CIDRs the pod may be anywhere, and the excepts leave most of the block.
    expect(check(objects, NEVER).r.violation).toMatchObject({ from: 'blog/client', to: 'shop/web', guessed: true });
    // The excepts together hold all of the block: no address the input does not give is in it.
    const halves = np('shop', 'allow-web', {
      podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.0.0.0/9', '10.128.0.0/9'] } }] }],
    });
    expect(check([namespace('shop'), namespace('blog'), web, noIp, halves], NEVER).r.holds).toBe(true);
    // A hostNetwork pod's address is its node's, which the pod CIDRs do not hold.
    const onNode = { ...pod('blog', 'client', []), spec: { hostNetwork: true, containers: [{ name: 'c', image: 'i' }] } };
    const r = check([namespace('shop'), namespace('blog'), inPods, onNode, outsidePods], NEVER, undefined, ['10.244.0.0/16']).r;
    expect(r.violation).toMatchObject({ guessed: true, guess: 'an address the input does not give' });
    expect((r.notes ?? []).join('\n')).toContain('it may be in 0.0.0.0/0, its node\'s address)');
  });

  test('egress: an ipBlock allow towards a pod without podIP past a default deny', () => {
    const noIpWeb = pod('shop', 'web', []);
    const egress = np('blog', 'out', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.0.0.0/24'] } }] }] });
    const { r, reach } = check([namespace('shop'), namespace('blog'), client, noIpWeb, egress], NEVER);
    expect(reach.allows('blog/client', 'shop/web', Port.tcp(80))).toBe(false);
    expect(r.violation).toMatchObject({ from: 'blog/client', to: 'shop/web', guessed: true, guess: 'an address the input does not give' });
    expect((r.notes ?? []).join('\n')).toContain('NetworkPolicy blog/out egress[0] (ipBlock 10.0.0.0/8 except 10.0.0.0/24) holds shop/web\'s address (its address is not in the input');
    // Towards a block where no pod IP ever is (link-local), it holds.
    const linkLocal = np('blog', 'out', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '169.254.0.0/16' } }] }] });
    expect(check([namespace('shop'), namespace('blog'), client, noIpWeb, linkLocal], NEVER).r.holds).toBe(true);
  });
});

describe('Cilium port 0 with a peer of every end ("some releases open every protocol")', () => {
  const web = pod('shop', 'web', ['10.0.0.1'], [{ containerPort: 53, protocol: 'UDP' }]);
  const ON_UDP: InvariantSpec = {
    name: 'udp', kind: InvariantKind.NEVER, from: [{ namespace: 'blog' }], to: [{ namespace: 'shop' }], ports: [{ kind: 'numbered', protocol: 'UDP', port: 53 }],
  };
  const port0 = (from: Record<string, unknown>) => cnp('shop', 'port0', {
    endpointSelector: { matchLabels: { app: 'web' } }, ingress: [{ ...from, toPorts: [{ ports: [{ port: '0', protocol: 'TCP' }] }] }],
  });

  test('an allow of port 0/TCP from every end may allow UDP: NEVER on UDP does not hold, guessed', () => {
    const { r, reach } = check([namespace('shop'), namespace('blog'), web, client, port0({ fromEntities: ['all'] })], ON_UDP);
    expect(reach.allows('blog/client', 'shop/web', Port.udp(53))).toBe(false);
    expect(reach.allows('blog/client', 'shop/web', Port.tcp(53))).toBe(true);
    expect(r.holds).toBe(false);
    expect(r.violation!.guessed).toBe(true);
    expect((r.notes ?? []).join('\n')).toContain('port 0 with a peer of every end, which some Cilium releases read as every protocol');
  });

  test('the same port 0 from named endpoints is every TCP port only: NEVER on UDP holds', () => {
    const { r, reach } = check([namespace('shop'), namespace('blog'), web, client, port0({ fromEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'blog' } }] })], ON_UDP);
    expect(reach.allows('blog/client', 'shop/web', Port.udp(53))).toBe(false);
    expect(reach.allows('blog/client', 'shop/web', Port.tcp(53))).toBe(true);
    expect(r.holds).toBe(true);
  });
});
