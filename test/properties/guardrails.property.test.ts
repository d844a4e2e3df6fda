import { Chart, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import {
  AdminGuardrail, BaselineGuardrail, ClusterPolicyApi, ExternalDestination, GuardrailSubject, IConnectionEnd, NetworkTarget, Peer, Port, Protocol,
  Reachability, Selector, validateManifests,
} from '../../src';
import { fuzzParameters } from '../fuzz-config';

/**
 * Exact intent for cluster guardrails, on each target: random Admin guardrails (distinct priorities,
 * rules that allow, deny or pass, peers by namespace name, namespace labels, pods, networks), an
 * optional Baseline guardrail, and namespace default denies. The property:
 * - on a target without the cluster policy API (plain Kubernetes, Cilium) the synth fails, saying so;
 * - on v1alpha1 and v1alpha2 every emitted object validates, the output is deterministic, and for
 *   every pair of ends and probe port the analyser's verdict (from the YAML) equals a reference
 *   evaluated from the declarations themselves, written from the documented precedence: Admin tier
 *   by priority, first matching rule decides (Allow final, Deny final, Pass hands over); then the
 *   NetworkPolicies for the pods they isolate; then the Baseline tier, first match; then allow. Both
 *   sides must allow. Allowed AND denied verdicts are both checked (each run must have both).
 */

interface End { readonly id: string; readonly namespace?: string; readonly labels: Record<string, string>; readonly ip: string }
const NAMESPACES: Record<string, Record<string, string>> = { 'shop': { tenant: 'a' }, 'blog': { tenant: 'b' }, 'ops': {}, 'mixed-ns': { tenant: 'a' } };
const NS_NAMES = ['shop', 'blog', 'ops', 'mixed-ns'];
const nsLabels = (ns: string): Record<string, string> => ({ ...NAMESPACES[ns], 'kubernetes.io/metadata.name': ns });
const PODS: End[] = NS_NAMES.flatMap((ns, i) => ['web', 'db'].map((app, j) => ({ id: `${ns}/${app}`, namespace: ns, labels: { app }, ip: `10.0.${i}.${j + 1}` })));
const EXTERNALS: End[] = [{ id: 'metadata', labels: {}, ip: '169.254.169.254' }, { id: 'internet', labels: {}, ip: '198.51.100.7' }];
const ENDS = [...PODS, ...EXTERNALS];
const PROBES: Array<{ port: number; protocol: 'TCP' | 'UDP' }> = [{ port: 80, protocol: 'TCP' }, { port: 443, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }];

type SubjectSpec = { kind: 'all' } | { kind: 'ns'; ns: string } | { kind: 'tenant'; tenant: string } | { kind: 'pods'; ns: string; app: string };
type PeerSpec = SubjectSpec | { kind: 'cidr'; cidr: string };
type Action = 'allow' | 'deny' | 'pass';
interface RuleSpec { readonly action: Action; readonly ingress: boolean; readonly peer: PeerSpec; readonly ports: number }
interface GuardSpec { readonly priority: number; readonly subject: SubjectSpec; readonly rules: RuleSpec[] }
interface Program {
  readonly admin: GuardSpec[];
  readonly baseline?: { subject: SubjectSpec; rules: RuleSpec[] };
  readonly isolated: Array<{ ns: string; ingress: boolean; egress: boolean }>;
}

/** The port sets a rule can have: index into this list. */
const PORT_SETS: Array<{ ports: () => Port[]; matches: (p: { port: number; protocol: string }) => boolean }> = [
  { ports: () => [Port.tcp(80)], matches: (p) => p.protocol === 'TCP' && p.port === 80 },
  { ports: () => [Port.tcp(443), Port.udp(53)], matches: (p) => (p.protocol === 'TCP' && p.port === 443) || (p.protocol === 'UDP' && p.port === 53) },
  { ports: () => [Port.allTraffic()], matches: () => true },
  { ports: () => [Port.tcpRange(400, 500)], matches: (p) => p.protocol === 'TCP' && p.port >= 400 && p.port <= 500 },
];

const subjectArb: fc.Arbitrary<SubjectSpec> = fc.oneof(
  fc.constant({ kind: 'all' as const }),
  fc.record({ kind: fc.constant('ns' as const), ns: fc.constantFrom(...NS_NAMES) }),
  fc.record({ kind: fc.constant('tenant' as const), tenant: fc.constantFrom('a', 'b') }),
  fc.record({ kind: fc.constant('pods' as const), ns: fc.constantFrom(...NS_NAMES), app: fc.constantFrom('web', 'db') }),
);
const cidrArb = fc.record({ kind: fc.constant('cidr' as const), cidr: fc.constantFrom('169.254.169.254/32', '198.51.100.0/24', '10.0.0.0/16', '10.0.1.0/24') });
const ruleArb = (baseline: boolean): fc.Arbitrary<RuleSpec> => fc.record({
  action: baseline ? fc.constantFrom<Action>('allow', 'deny') : fc.constantFrom<Action>('allow', 'deny', 'pass'),
  ingress: fc.boolean(),
  peer: fc.oneof(subjectArb, cidrArb) as fc.Arbitrary<PeerSpec>,
  ports: fc.integer({ min: 0, max: PORT_SETS.length - 1 }),
}).map((r) => (r.ingress && r.peer.kind === 'cidr' ? { ...r, ingress: false } : r)); // networks are egress peers only
const programArb: fc.Arbitrary<Program> = fc.record({
  admin: fc.uniqueArray(fc.integer({ min: 0, max: 1000 }), { minLength: 0, maxLength: 3 }).chain((priorities) => fc.tuple(
    ...priorities.map((priority) => fc.record({
      priority: fc.constant(priority), subject: subjectArb, rules: fc.array(ruleArb(false), { minLength: 1, maxLength: 4 }),
    })),
  )),
  baseline: fc.option(fc.record({ subject: subjectArb, rules: fc.array(ruleArb(true), { minLength: 1, maxLength: 3 }) }), { nil: undefined }),
  isolated: fc.uniqueArray(fc.record({ ns: fc.constantFrom(...NS_NAMES), ingress: fc.boolean(), egress: fc.boolean() }),
    { selector: (x) => x.ns, maxLength: 3 }),
}).filter((p) => p.admin.length > 0 || p.baseline !== undefined);

// --- the constructs -------------------------------------------------------------------------

function subjectOf(s: SubjectSpec): GuardrailSubject {
  switch (s.kind) {
    case 'all': return GuardrailSubject.allNamespaces();
    case 'ns': return GuardrailSubject.namespace(s.ns);
    case 'tenant': return GuardrailSubject.namespaces(Selector.labels({ tenant: s.tenant }));
    case 'pods': return GuardrailSubject.podsInNamespace(s.ns, Selector.labels({ app: s.app }));
  }
}

function peerOf(p: PeerSpec): IConnectionEnd {
  switch (p.kind) {
    case 'all': return Peer.allNamespaces();
    case 'ns': return Peer.namespace(p.ns);
    case 'tenant': return Peer.namespaces(Selector.labels({ tenant: p.tenant }));
    case 'pods': return Peer.podsInNamespace(p.ns, Selector.labels({ app: p.app }));
    case 'cidr': return ExternalDestination.cidrs('net', [p.cidr]);
  }
}

function synth(target: NetworkTarget, program: Program): { objects?: any[]; error?: string } {
  const app = Testing.app();
  NetworkTarget.declare(app, target);
  const chart = new Chart(app, 'platform', { namespace: 'platform' });
  program.admin.forEach((g, i) => {
    const guard = new AdminGuardrail(chart, `admin-${i}`, { priority: g.priority, subject: subjectOf(g.subject) });
    for (const r of g.rules) {
      const [from, to] = r.ingress ? [peerOf(r.peer), guard.subject] : [guard.subject, peerOf(r.peer)];
      guard[r.action](from, to, ...PORT_SETS[r.ports].ports());
    }
  });
  if (program.baseline) {
    const b = new BaselineGuardrail(chart, 'baseline', { subject: subjectOf(program.baseline.subject) });
    for (const r of program.baseline.rules) {
      const [from, to] = r.ingress ? [peerOf(r.peer), b.subject] : [b.subject, peerOf(r.peer)];
      (r.action === 'allow' ? b.allow.bind(b) : b.deny.bind(b))(from, to, ...PORT_SETS[r.ports].ports());
    }
  }
  try {
    return { objects: Testing.synth(chart) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

// --- the reference, from the declarations ---------------------------------------------------

function inSubject(s: SubjectSpec, end: End): boolean {
  if (end.namespace === undefined) return false;
  switch (s.kind) {
    case 'all': return true;
    case 'ns': return end.namespace === s.ns;
    case 'tenant': return nsLabels(end.namespace).tenant === s.tenant;
    case 'pods': return end.namespace === s.ns && end.labels.app === s.app;
  }
}

function ipIn(cidr: string, ip: string): boolean {
  const [base, bits] = cidr.split('/');
  const n = (a: string) => a.split('.').reduce((acc, x) => acc * 256 + Number(x), 0);
  const size = 2 ** (32 - Number(bits));
  return Math.floor(n(ip) / size) === Math.floor(n(base) / size);
}

function peerMatches(p: PeerSpec, end: End): boolean {
  return p.kind === 'cidr' ? ipIn(p.cidr, end.ip) : inSubject(p, end);
}

/** First match of a tier's rules for one side: the action, or undefined when no rule matches. */
function firstMatch(rules: Array<{ rule: RuleSpec }>, other: End, probe: { port: number; protocol: string }): Action | undefined {
  for (const { rule } of rules) if (peerMatches(rule.peer, other) && PORT_SETS[rule.ports].matches(probe)) return rule.action;
  return undefined;
}

function sideAllows(program: Program, self: End, other: End, ingress: boolean, probe: { port: number; protocol: string }): boolean {
  if (self.namespace === undefined) return true; // externals have no policies
  const rulesOf = (subject: SubjectSpec, rules: RuleSpec[]) => (inSubject(subject, self)
    ? rules.filter((r) => r.ingress === ingress).map((rule) => ({ rule })) : []);
  const admin = [...program.admin].sort((a, b) => a.priority - b.priority).flatMap((g) => rulesOf(g.subject, g.rules));
  const a = firstMatch(admin, other, probe);
  if (a === 'allow') return true;
  if (a === 'deny') return false;
  const iso = program.isolated.find((x) => x.ns === self.namespace);
  if (iso && (ingress ? iso.ingress : iso.egress)) return false; // a default deny with no allows
  const b = program.baseline ? firstMatch(rulesOf(program.baseline.subject, program.baseline.rules), other, probe) : undefined;
  return b !== 'deny';
}

function reference(program: Program, from: End, to: End, probe: { port: number; protocol: string }): boolean {
  return sideAllows(program, from, to, false, probe) && sideAllows(program, to, from, true, probe);
}

// --- the property ---------------------------------------------------------------------------

const namespaceObjects = NS_NAMES.map((ns) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: nsLabels(ns) } }));
const podObjects = PODS.map((p) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name: p.id.split('/')[1], namespace: p.namespace, labels: p.labels }, spec: { containers: [{ name: 'c' }] }, status: { podIP: p.ip },
}));
const defaultDenies = (program: Program) => program.isolated.filter((x) => x.ingress || x.egress).map((x) => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'deny', namespace: x.ns },
  spec: { podSelector: {}, policyTypes: [...(x.ingress ? ['Ingress'] : []), ...(x.egress ? ['Egress'] : [])] },
}));

test('guardrails on a target without the cluster policy API fail the synth, saying why', () => {
  fc.assert(fc.property(programArb, (program) => {
    for (const target of [NetworkTarget.kubernetes(), NetworkTarget.cilium(), NetworkTarget.calico()]) {
      const out = synth(target, program);
      expect(out.objects).toBeUndefined();
      expect(out.error).toMatch(/is a cluster guardrail \(policy.networking.k8s.io\), which the network target NetworkTarget\.\w+\(\) cannot express/);
    }
  }), fuzzParameters(15));
});

test('on v1alpha1 and v1alpha2: valid, deterministic, and the analyser agrees with the declarations, allowed and denied', () => {
  let allowed = 0;
  let denied = 0;
  fc.assert(fc.property(programArb, (program) => {
    const verdicts: string[] = [];
    for (const api of [ClusterPolicyApi.ADMIN_NETWORK_POLICY_V1ALPHA1, ClusterPolicyApi.CLUSTER_NETWORK_POLICY_V1ALPHA2]) {
      const target = NetworkTarget.kubernetes({ clusterPolicyApi: api });
      const out = synth(target, program);
      expect(out.error).toBeUndefined();
      expect(JSON.stringify(synth(target, program).objects)).toBe(JSON.stringify(out.objects));
      const report = validateManifests(out.objects!.map((object) => ({ object })));
      expect(report.findings.filter((f) => f.severity === 'error')).toEqual([]);
      expect(report.checkedClusterPolicies).toBe(out.objects!.length);
      const r = Reachability.fromManifests([...namespaceObjects, ...podObjects, ...defaultDenies(program), ...out.objects!],
        { externals: EXTERNALS.map((e) => ({ name: e.id, ip: e.ip })) });
      expect(r.skipped).toEqual([]);
      const these: string[] = [];
      for (const from of PODS) {
        for (const to of ENDS) {
          if (from === to) continue;
          for (const probe of PROBES) {
            const port = Port.of(probe.protocol === 'TCP' ? Protocol.TCP : Protocol.UDP, probe.port);
            const expected = reference(program, from, to, probe);
            const got = r.allows(from.id, to.id, port);
            if (got !== expected) {
              throw new Error(`${api}: ${from.id} -> ${to.id} on ${port}: analyser ${got}, declarations ${expected}\n${JSON.stringify(program)}\n${r.explain(from.id, to.id, port)}`);
            }
            these.push(`${from.id}>${to.id}>${probe.port}:${got}`);
            if (got) allowed++;
            else denied++;
          }
        }
      }
      verdicts.push(these.join(','));
    }
    expect(verdicts[1]).toBe(verdicts[0]); // the two API versions say the same
  }), fuzzParameters(30));
  expect(allowed).toBeGreaterThan(0);
  expect(denied).toBeGreaterThan(0);
});
