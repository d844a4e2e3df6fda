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

function check(objects: unknown[], invariant: InvariantSpec, externals?: External[]): { r: InvariantResult; reach: Reachability } {
  const reach = Reachability.fromManifests(objects, externals ? { externals } : {});
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
    expect((r.notes ?? []).join('\n')).toContain('AdminNetworkPolicy nodes egress[0] (Deny) matches node:cp, which the input does not decide');
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
