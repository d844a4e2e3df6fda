import { DecisionTier, DiffSide, Port, Reachability, SideDecision, SideExplanation, SideVerdict } from '../../src';
import { netpol, tempDir } from '../cli/cli-harness';

/**
 * One side's verdict is one type, `SideVerdict`, with a `decision`: the analyser computes it, the
 * explanation holds it for both sides and the diff for both sides before and after a change.
 */
const pod = (name: string, labels: Record<string, string>) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'shop', labels }, spec: { containers: [{ name: 'c' }] },
});
const policy = (name: string, spec: any) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: 'shop' }, spec });
const apiFromWeb = policy('api', {
  podSelector: { matchLabels: { app: 'api' } },
  policyTypes: ['Ingress'],
  ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 8080 }] }],
});
const PODS = [pod('web', { app: 'web' }), pod('api', { app: 'api' }), pod('db', { app: 'db' })];
const r = Reachability.fromManifests([...PODS, apiFromWeb], { externals: [{ name: 'partner', ip: '198.51.100.4' }] });
const TCP8080 = Port.tcp(8080);

describe('SideVerdict: the decision of each side', () => {
  test('ALLOWED: isolated, and a rule allows it (the rule is named)', () => {
    const e = r.explain('shop/web', 'shop/api', TCP8080);
    expect(e.ingress).toEqual({
      decision: SideDecision.ALLOWED,
      allowed: true,
      isolated: true,
      isolatingPolicies: ['shop/api'],
      allowedBy: [{ policy: 'shop/api', direction: 'ingress', rule: 0, byIpBlock: false }],
      notPoliced: false,
      tier: DecisionTier.NETWORK_POLICY,
    });
  });

  test('DENIED: isolated, and no rule allows it', () => {
    const e = r.explain('shop/db', 'shop/api', TCP8080);
    expect(e.ingress).toEqual({
      decision: SideDecision.DENIED,
      allowed: false,
      isolated: true,
      isolatingPolicies: ['shop/api'],
      allowedBy: [],
      notPoliced: false,
      tier: DecisionTier.NETWORK_POLICY,
    });
    expect(e.allowed).toBe(false);
  });

  test('NOT_ISOLATED: no policy selects the pod, so everything is allowed', () => {
    expect(r.explain('shop/db', 'shop/api', TCP8080).egress).toEqual({
      decision: SideDecision.NOT_ISOLATED,
      allowed: true,
      isolated: false,
      isolatingPolicies: [],
      allowedBy: [],
      notPoliced: false,
      tier: DecisionTier.DEFAULT,
    });
  });

  test('OUTSIDE_CLUSTER: an end outside the cluster is not policed', () => {
    expect(r.explain('partner', 'shop/web', TCP8080).egress).toEqual({
      decision: SideDecision.OUTSIDE_CLUSTER,
      allowed: true,
      isolated: false,
      isolatingPolicies: [],
      allowedBy: [],
      notPoliced: true,
      tier: DecisionTier.OUTSIDE_CLUSTER,
    });
  });

  test('the old names are the same type (deprecated aliases)', () => {
    const e = r.explain('shop/web', 'shop/api', TCP8080);
    const old: SideExplanation = e.ingress;
    const diffSide: DiffSide = e.egress;
    const verdict: SideVerdict = old;
    expect([verdict.decision, diffSide.decision]).toEqual([SideDecision.ALLOWED, SideDecision.NOT_ISOLATED]);
  });

  test('an explanation does not share its arrays with another', () => {
    const a = r.explain('shop/web', 'shop/api', TCP8080);
    (a.ingress.isolatingPolicies as string[]).push('changed');
    expect(r.explain('shop/web', 'shop/api', TCP8080).ingress.isolatingPolicies).toEqual(['shop/api']);
  });
});

describe('the diff holds SideVerdicts before and after', () => {
  test('a widened rule: before DENIED, after ALLOWED by the rule', () => {
    const widened = policy('api', { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: {} }], ports: [{ port: 8080 }] }] });
    const d = Reachability.diff(Reachability.fromManifests([...PODS, apiFromWeb]), Reachability.fromManifests([...PODS, widened]));
    expect(d.opened.map((c) => `${c.from} -> ${c.to}`)).toEqual(['shop/db -> shop/api']);
    const [c] = d.opened;
    expect(c.before!.ingress).toMatchObject({ decision: SideDecision.DENIED, isolatingPolicies: ['shop/api'], allowedBy: [] });
    expect(c.after!.ingress).toMatchObject({ decision: SideDecision.ALLOWED, allowedBy: [{ policy: 'shop/api', direction: 'ingress', rule: 0 }] });
    expect(c.before!.egress.decision).toBe(SideDecision.NOT_ISOLATED);
  });

  test('past 2,000 changed connections, a change has no before/after, and the JSON says "not explained"', () => {
    const many = Array.from({ length: 50 }, (_, i) => pod(`p${String(i).padStart(2, '0')}`, { app: `p${i}` }));
    const deny = policy('deny', { podSelector: {}, policyTypes: ['Ingress'] });
    const d = Reachability.diff(Reachability.fromManifests(many), Reachability.fromManifests([...many, deny]));
    expect(d.closed).toHaveLength(50 * 49);
    expect(d.closed.filter((c) => c.before !== undefined && c.after !== undefined)).toHaveLength(2000);
    expect(d.closed.filter((c) => c.before === undefined && c.after === undefined)).toHaveLength(450);

    const toYaml = (objects: any[]) => objects.map((o) => JSON.stringify(o)).join('\n---\n');
    const before = tempDir({ 'a.yaml': toYaml(many) });
    const after = tempDir({ 'a.yaml': toYaml([...many, deny]) });
    const out = JSON.parse(netpol(['diff', before, '--against', after, '--format', 'json']).stdout);
    const unexplained = out.closed.filter((c: any) => c.before.egress.verdict === 'not explained (too many changes)');
    expect(unexplained).toHaveLength(450);
    expect(unexplained[0].after).toEqual({
      egress: { verdict: 'not explained (too many changes)', allowedBy: [], isolatedBy: [] },
      ingress: { verdict: 'not explained (too many changes)', allowedBy: [], isolatedBy: [] },
    });
    expect(out.closed.filter((c: any) => c.after.ingress.verdict === 'denied')).toHaveLength(2000);
  });
});
