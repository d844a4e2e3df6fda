import { Port, Reachability } from '../../src';
import { checkInvariants, invariantFailureMessage, InvariantKind, InvariantResult, InvariantSpec } from '../../src/analysis/invariants';
import { TextFormat } from '../../src/formats/text';

/**
 * Issue 15, soundness of the widest reading: three places where an absence invariant held while
 * some reading of the input breaks it. In each, NEVER(blog -> shop) (or to an address outside) must
 * not hold: the counterexample is `guessed`, its note names the rule, and the fail-closed verdict
 * still denies the connection. A control where the input settles it is decided by the verdict.
 * 1. a block of addresses (NetworkPolicy ipBlock) holding some of a dual-stack end's addresses;
 * 2. a toFQDNs rule whose DNS visibility is undecided;
 * 3. a Cilium allow rule the inventory leaves out;
 * 4. AdminNetworkPolicies of one priority whose rules' actions differ (a Deny and an Allow): the
 *    order of such ties is the implementation's, so some order allows (found by
 *    test/properties/widest-open.property.test.ts: `inputLeavesOpen` read no ties, and the
 *    widest sides were never computed).
 */

const pod = (namespace: string, name: string, ips: string[], ports: Array<Record<string, unknown>> = [{ containerPort: 80 }]) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { namespace, name, labels: { app: name } },
  spec: { containers: [{ name: 'c', image: 'i', ports }] },
  status: { podIP: ips[0], podIPs: ips.map((ip) => ({ ip })) },
});
const namespace = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { team: name } } });
const np = (ns: string, name: string, spec: Record<string, unknown>) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { namespace: ns, name }, spec });
const cnp = (ns: string, name: string, spec: Record<string, unknown>) => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { namespace: ns, name }, spec });

const NAMESPACES = [namespace('shop'), namespace('blog'), namespace('kube-system')];
const WEB = pod('shop', 'web', ['10.0.0.1']);
const NEVER: InvariantSpec = { name: 'blog-never-shop', kind: InvariantKind.NEVER, from: [{ namespace: 'blog' }], to: [{ namespace: 'shop' }] };

type External = { name: string; ip: string; dnsName?: string };

function check(objects: unknown[], invariant: InvariantSpec = NEVER, externals?: External[]): { r: InvariantResult; reach: Reachability } {
  const reach = Reachability.fromManifests([...NAMESPACES, ...objects], externals ? { externals } : {});
  const report = checkInvariants(reach, [], [invariant]);
  expect(report.results).toHaveLength(1);
  return { r: report.results[0], reach };
}

function expectGuessed(r: InvariantResult, from: string, to: string, guess: string, names: string[]): void {
  expect(r.holds).toBe(false);
  expect(r.problem).toBeUndefined();
  expect(r.violation).toMatchObject({ from, to, guessed: true, guess });
  expect(r.violation!.explanation.allowed).toBe(false);
  const notes = (r.notes ?? []).join('\n');
  expect(notes).toContain('allowed in the reading where');
  for (const n of names) expect(notes).toContain(n);
  expect(invariantFailureMessage(r)).toContain(`read on a guess of ${guess}, it may not occur in the real cluster`);
  expect(invariantFailureMessage(r)).not.toContain('guess of namespace labels');
}

function expectDecided(r: InvariantResult, holds: boolean): void {
  expect(r.holds).toBe(holds);
  expect(r.notes ?? []).toEqual([]);
  if (holds) expect(r.violation).toBeUndefined();
  else expect(r.violation!.guessed).toBeUndefined();
}

describe('1. an ipBlock holding some of a dual-stack end\'s addresses', () => {
  const allowFrom = (cidr: string) => np('shop', 'allow-web', {
    podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ ipBlock: { cidr } }] }],
  });

  test('may allow: NEVER does not hold, on a guess naming the rule; the fail-closed verdict denies', () => {
    const client = pod('blog', 'client', ['10.0.0.2', 'fd00::2']);
    const { r, reach } = check([WEB, client, allowFrom('10.0.0.2/32')]);
    expectGuessed(r, 'blog/client', 'shop/web', 'the address a connection uses',
      ['NetworkPolicy shop/allow-web ingress[0] (ipBlock 10.0.0.2/32', 'holds some of blog/client\'s addresses', 'fd00::2']);
    expect(reach.allows('blog/client', 'shop/web', Port.tcp(80))).toBe(false);
    expect(reach.matrix(Port.tcp(80)).isAllowed('blog/client', 'shop/web')).toBe(false);
  });

  test('controls: a single-stack end inside the block breaks it for certain, one outside keeps it', () => {
    expectDecided(check([WEB, pod('blog', 'client', ['10.0.0.2']), allowFrom('10.0.0.2/32')]).r, false);
    expectDecided(check([WEB, pod('blog', 'client', ['10.0.0.3']), allowFrom('10.0.0.2/32')]).r, true);
    // Both families held: allowed for certain.
    const both = np('shop', 'allow-web', {
      podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.2/32' } }, { ipBlock: { cidr: 'fd00::2/128' } }] }],
    });
    expectDecided(check([WEB, pod('blog', 'client', ['10.0.0.2', 'fd00::2']), both]).r, false);
  });
});

describe('2. a toFQDNs rule whose DNS visibility is undecided', () => {
  const UDP53 = [{ containerPort: 53, protocol: 'UDP' }];
  const coredns = { ...pod('kube-system', 'coredns', ['10.0.9.9'], UDP53), metadata: { namespace: 'kube-system', name: 'coredns', labels: { 'k8s-app': 'kube-dns' } } };
  const client = pod('blog', 'client', ['10.0.0.2']);
  const externals = [{ name: 'api', ip: '203.0.113.10', dnsName: 'api.example.com' }];
  const TO_API: InvariantSpec = { name: 'blog-never-api', kind: InvariantKind.NEVER, from: [{ namespace: 'blog' }], to: [{ id: 'api' }] };
  const fqdnPolicy = (dnsPeer: Record<string, unknown>) => cnp('blog', 'to-api', {
    endpointSelector: { matchLabels: { app: 'client' } },
    egress: [
      { toFQDNs: [{ matchName: 'api.example.com' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] },
      { ...dnsPeer, toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }], rules: { dns: [{ matchPattern: '*' }] } }] },
    ],
  });

  test('undecided (the DNS rule misses the input\'s DNS server): NEVER does not hold, on a guess', () => {
    const wrong = { toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'coredns' } }] };
    const { r, reach } = check([client, coredns, fqdnPolicy(wrong)], TO_API, externals);
    expectGuessed(r, 'blog/client', 'api', 'what Cilium\'s DNS proxy sees',
      ['CiliumNetworkPolicy blog/to-api egress[0] (FQDNs api.example.com) matches api', 'DNS proxy sees blog/client look the name up is undecided']);
    expect(reach.allows('blog/client', 'api', Port.tcp(443))).toBe(false);
    expect(reach.matrix(Port.tcp(443)).isAllowed('blog/client', 'api')).toBe(false);
  });

  test('controls: seen breaks it for certain; unseen (the lookups denied) keeps it', () => {
    const right = { toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } }] };
    expectDecided(check([client, coredns, fqdnPolicy(right)], TO_API, externals).r, false);
    const closedDns = cnp('kube-system', 'dns-closed', { endpointSelector: { matchLabels: { 'k8s-app': 'kube-dns' } }, ingress: [{ fromEntities: ['world'] }] });
    expectDecided(check([client, coredns, fqdnPolicy(right), closedDns], TO_API, externals).r, true);
  });
});

describe('3. a Cilium allow rule the inventory leaves out', () => {
  const client = pod('blog', 'client', ['10.0.0.2']);
  const FROM_BLOG = { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'blog' } };
  const allowWeb = (rule: Record<string, unknown>) => cnp('shop', 'allow-web', { endpointSelector: { matchLabels: { app: 'web' } }, ingress: [rule] });

  test('authentication: NEVER does not hold, on a guess naming the left-out rule', () => {
    const { r, reach } = check([WEB, client, allowWeb({ fromEndpoints: [FROM_BLOG], authentication: { mode: 'required' } })]);
    expectGuessed(r, 'blog/client', 'shop/web', 'a rule the model leaves out',
      ['the rule CiliumNetworkPolicy shop/allow-web spec.ingress[0] (authentication', 'which the verdicts leave out, allows blog/client', 'Write the left-out rule']);
    expect(reach.allows('blog/client', 'shop/web', Port.tcp(80))).toBe(false);
    expect(reach.matrix(Port.tcp(80)).isAllowed('blog/client', 'shop/web')).toBe(false);
    expect(reach.skipped.some((s) => s.object === 'shop/allow-web' && s.reason.includes('authentication'))).toBe(true);
  });

  test('an egress to a service: the peer unknown, taken as every pod', () => {
    const toSvc = cnp('blog', 'to-svc', {
      endpointSelector: { matchLabels: { app: 'client' } },
      egress: [{ toServices: [{ k8sService: { serviceName: 'web', namespace: 'shop' } }], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }],
    });
    const { r, reach } = check([WEB, client, toSvc]);
    expectGuessed(r, 'blog/client', 'shop/web', 'a rule the model leaves out', ['the rule CiliumNetworkPolicy blog/to-svc spec.egress[0] (toServices']);
    expect(reach.allows('blog/client', 'shop/web', Port.tcp(80))).toBe(false);
    // Its known ports still bound it: on another port the invariant holds.
    const on81: InvariantSpec = { ...NEVER, name: 'on-81', ports: [{ kind: 'numbered', protocol: 'TCP', port: 81 }] };
    expectDecided(check([WEB, client, toSvc], on81).r, true);
  });

  test('a left-out deny never applies in the widest reading, and a kept rule decides as before', () => {
    // Controls: the same rule without authentication allows for certain; without the rule nothing does.
    expectDecided(check([WEB, client, allowWeb({ fromEndpoints: [FROM_BLOG] })]).r, false);
    expectDecided(check([WEB, client, allowWeb({ fromEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'other' } }] })]).r, true);
  });

  test('the text format words the guess by what was guessed', () => {
    const objects = [...NAMESPACES, WEB, client, allowWeb({ fromEndpoints: [FROM_BLOG], authentication: { mode: 'required' } })];
    const text = TextFormat.invariants(checkInvariants(Reachability.fromManifests(objects), [], [NEVER]));
    expect(text).toContain('read on a guess of a rule the model leaves out');
  });
});

describe('4. AdminNetworkPolicies of one priority whose actions differ', () => {
  const client = pod('blog', 'client', ['10.0.0.2']);
  const anp = (name: string, priority: number, action: string) => ({
    apiVersion: 'policy.networking.k8s.io/v1alpha1',
    kind: 'AdminNetworkPolicy',
    metadata: { name },
    spec: {
      priority,
      subject: { namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } } },
      ingress: [{ name: 'from-blog', action, from: [{ namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'blog' } } }] }],
    },
  });

  test('a Deny and an Allow tied: NEVER does not hold, on a guess; the fail-closed verdict denies', () => {
    const { r, reach } = check([WEB, client, anp('a-deny', 1, 'Deny'), anp('b-allow', 1, 'Allow')]);
    expectGuessed(r, 'blog/client', 'shop/web', 'what the input leaves open', []);
    expect(reach.allows('blog/client', 'shop/web', Port.tcp(80))).toBe(false);
    expect(reach.matrix(Port.tcp(80)).isAllowed('blog/client', 'shop/web')).toBe(false);
  });

  test('controls: the Deny first keeps it, the Allow first breaks it for certain, two tied Denies keep it', () => {
    const deniedFirst = check([WEB, client, anp('a-deny', 1, 'Deny'), anp('b-allow', 2, 'Allow')]);
    expectDecided(deniedFirst.r, true);
    expect(deniedFirst.reach.allows('blog/client', 'shop/web', Port.tcp(80))).toBe(false);
    const allowedFirst = check([WEB, client, anp('a-deny', 2, 'Deny'), anp('b-allow', 1, 'Allow')]);
    expectDecided(allowedFirst.r, false);
    expect(allowedFirst.reach.allows('blog/client', 'shop/web', Port.tcp(80))).toBe(true);
    expectDecided(check([WEB, client, anp('a-deny', 1, 'Deny'), anp('b-deny', 1, 'Deny')]).r, true);
  });
});
