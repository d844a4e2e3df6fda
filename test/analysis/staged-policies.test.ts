import { JsonFormat, Port, Reachability, SideDecision, SkipCategory, TextFormat, validateManifests } from '../../src';
import { netpol, tempDir } from '../cli/cli-harness';

/**
 * Calico's StagedKubernetesNetworkPolicy (projectcalico.org/v3): the spec of a NetworkPolicy that
 * Calico evaluates and reports without enforcing it. The inventory keeps it apart, the analyser
 * decides no verdict by it, and `explain` says what it would do once promoted. Objects written from
 * Calico's resource reference (the Kubernetes NetworkPolicy example with apiVersion and kind changed).
 */
const staged = (name: string, spec: any, namespace = 'shop') => ({
  apiVersion: 'projectcalico.org/v3', kind: 'StagedKubernetesNetworkPolicy', metadata: { name, namespace }, spec,
});
const enforced = (name: string, spec: any, namespace = 'shop') => ({ ...staged(name, spec, namespace), apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy' });
const pod = (name: string, namespace = 'shop') => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels: { app: name } }, spec: { containers: [{ name, image: name }] },
});
const denyAll = { podSelector: {}, policyTypes: ['Ingress', 'Egress'] };
const dbFromApi = {
  podSelector: { matchLabels: { app: 'db' } },
  policyTypes: ['Ingress'],
  ingress: [{ from: [{ podSelector: { matchLabels: { app: 'api' } } }], ports: [{ port: 5432 }] }],
};

describe('the analyser keeps staged policies apart and decides no verdict by them', () => {
  const objects = [pod('web'), pod('api'), pod('db'), staged('db-ingress', dbFromApi)];
  const r = Reachability.fromManifests(objects);

  test('a staged policy is modelled, not left out, and isolates nothing', () => {
    expect(r.skipped).toEqual([]);
    expect(r.stagedPolicies).toEqual(['shop/db-ingress (staged)']);
    expect(r.allows('shop/web', 'shop/db', Port.tcp(5432))).toBe(true);
    expect(r.unprotected()).toEqual(['shop/web', 'shop/api', 'shop/db']);
  });

  test('explain: allowed today, and what the staged policy would do when enforced', () => {
    const e = r.explain('shop/web', 'shop/db', Port.tcp(5432));
    expect(e.allowed).toBe(true);
    expect(e.ingress.decision).toBe(SideDecision.NOT_ISOLATED);
    expect(e.staged?.allowed).toBe(false);
    expect(e.staged?.ingress).toMatchObject({ decision: SideDecision.DENIED, isolatingPolicies: ['shop/db-ingress (staged)'] });
    expect(TextFormat.explanation(e).split('\n')).toEqual([
      'shop/web -> shop/db on 5432/TCP: ALLOWED',
      '  egress of shop/web: not isolated (no policy selects it for egress), so everything is allowed',
      '  ingress of shop/db: not isolated (no policy selects it for ingress), so everything is allowed',
      '  staged: would deny: ingress of shop/db: isolated by shop/db-ingress (staged); DENIED: no rule of these policies allows this traffic from shop/web',
    ]);
    const allowed = r.explain('shop/api', 'shop/db', Port.tcp(5432));
    expect(allowed.staged?.allowed).toBe(true);
    expect(TextFormat.explanation(allowed)).toContain('\n  staged: would allow');
    expect(JsonFormat.explanation(e).staged).toEqual({
      allowed: false,
      egress: { allowed: true, isolated: false, isolatingPolicies: [], allowedBy: [], notPoliced: false },
      ingress: { allowed: false, isolated: true, isolatingPolicies: ['shop/db-ingress (staged)'], allowedBy: [], notPoliced: false },
      notes: [],
    });
  });

  test('staged as enforced: the enforcing policies plus the staged ones', () => {
    const withEnforcedDeny = Reachability.fromManifests([...objects, enforced('default-deny', denyAll)]);
    const promoted = withEnforcedDeny.stagedAsEnforced();
    expect(promoted.allows('shop/api', 'shop/db', Port.tcp(5432))).toBe(false); // the enforced default deny isolates api's egress
    expect(withEnforcedDeny.allows('shop/api', 'shop/db', Port.tcp(5432))).toBe(false);
    expect(promoted.explain('shop/api', 'shop/db', Port.tcp(5432)).ingress.allowedBy).toEqual([
      { policy: 'shop/db-ingress (staged)', direction: 'ingress', rule: 0, byIpBlock: false },
    ]);
    // Without staged policies, no staged explanation and the same model.
    const plain = Reachability.fromManifests([pod('web'), pod('db')]);
    expect(plain.explain('shop/web', 'shop/db', Port.tcp(5432)).staged).toBeUndefined();
    expect(plain.stagedAsEnforced()).toBe(plain);
    expect(JsonFormat.explanation(plain.explain('shop/web', 'shop/db', Port.tcp(5432)))).not.toHaveProperty('staged');
  });

  test('a staged policy and an enforcing one of the same name stay apart', () => {
    const both = Reachability.fromManifests([pod('api'), pod('db'), staged('db-ingress', dbFromApi), enforced('db-ingress', dbFromApi)]);
    expect(both.stagedPolicies).toEqual(['shop/db-ingress (staged)']);
    expect(both.explain('shop/api', 'shop/db', Port.tcp(5432)).ingress.isolatingPolicies).toEqual(['shop/db-ingress']);
    expect(both.stagedAsEnforced().explain('shop/api', 'shop/db', Port.tcp(5432)).ingress.isolatingPolicies)
      .toEqual(['shop/db-ingress (staged)', 'shop/db-ingress']);
  });

  test('an invalid staged policy is left out as invalid, other Calico kinds stay not modelled', () => {
    const bad = staged('bad', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ ports: [{ port: 70000 }] }] });
    const other = { apiVersion: 'projectcalico.org/v3', kind: 'StagedNetworkPolicy', metadata: { name: 'calico', namespace: 'shop' }, spec: { selector: 'all()' } };
    const m = Reachability.fromManifests([pod('web'), bad, other]);
    expect(m.skipped.map((s) => `${s.kind} ${s.object} ${s.category}`)).toEqual([
      'StagedKubernetesNetworkPolicy shop/bad INVALID_POLICY',
      'StagedNetworkPolicy shop/calico NOT_MODELLED',
    ]);
    expect(m.skipped[0].category).toBe(SkipCategory.INVALID_POLICY);
    expect(m.stagedPolicies).toEqual([]);
  });
});

describe('the validator checks staged policies exactly like NetworkPolicies', () => {
  test('field rules: a bad staged object is an error with its file, line and field; the same spec as a NetworkPolicy gets the same finding', () => {
    const spec = { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 70000 }] }] };
    const report = validateManifests([{ object: staged('api', spec), file: 'staged.yaml', line: 7 }, { object: enforced('api', spec), file: 'np.yaml', line: 1 }]);
    expect(report.checked).toBe(2);
    expect(report.checkedStaged).toBe(1);
    const [s, n] = report.findings;
    expect(s).toMatchObject({ code: 'FieldValueInvalid', field: 'spec.ingress[0].ports[0].port', file: 'staged.yaml', line: 7, kind: 'StagedKubernetesNetworkPolicy', object: 'shop/api' });
    expect(n).toMatchObject({ code: s.code, field: s.field, message: s.message, file: 'np.yaml' });
    expect(n.kind).toBeUndefined();
  });

  test('netpol validate of any input: file:line, kind and field; exit 1', () => {
    const dir = tempDir({
      'staged.yaml': [
        'apiVersion: v1', 'kind: ConfigMap', 'metadata: { name: c, namespace: shop }', '---',
        'apiVersion: projectcalico.org/v3', 'kind: StagedKubernetesNetworkPolicy', 'metadata: { name: api, namespace: shop }',
        'spec:', '  podSelector: { matchLabels: { app: api } }', '  policyTypes: [Ingress]', '  ingress:', '    - ports: [{ port: 8080, protocol: tcp }]',
      ].join('\n'),
    });
    const r = netpol(['validate', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`${dir}/staged.yaml:5: StagedKubernetesNetworkPolicy shop/api: error FieldValueNotSupported spec.ingress[0].ports[0].protocol: `);
    expect(r.stdout).toContain('checked 1 NetworkPolicy (1 staged) in 1 file: 1 error');
    expect(r.stderr).not.toContain('left out');
    const json = JSON.parse(netpol(['validate', dir, '--format', 'json']).stdout);
    expect(json.checkedStaged).toBe(1);
    expect(json.findings[0]).toMatchObject({ kind: 'StagedKubernetesNetworkPolicy', object: 'shop/api', field: 'spec.ingress[0].ports[0].protocol' });
  });

  test('the apiVersion must be Calico\'s', () => {
    const wrong = { ...staged('api', denyAll), apiVersion: 'projectcalico.org/v1' };
    const report = validateManifests([{ object: wrong }]);
    expect(report.leftOut).toEqual([]);
    expect(report.findings[0]).toMatchObject({ code: 'FieldValueNotSupported', field: 'apiVersion', kind: 'StagedKubernetesNetworkPolicy' });
    expect(validateManifests([{ object: staged('api', denyAll) }]).findings.filter((f) => f.field === 'apiVersion')).toEqual([]);
  });

  test('lints: the same lints, a staged policy linted as it would be once promoted, never satisfying an enforcing one', () => {
    const openRule = { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Ingress'], ingress: [{ from: [], ports: [{ port: 8080 }] }] };
    const np001 = validateManifests([{ object: staged('api', openRule) }]).findings.map((f) => `${f.kind} ${f.code} ${f.field}`);
    expect(np001).toEqual(['StagedKubernetesNetworkPolicy NP001 spec.ingress[0].from']);
    const dns = {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ port: 53, protocol: 'UDP' }] }],
    };
    // An enforced default deny is not helped by a staged DNS policy: NP002 stays on it.
    const np002 = validateManifests([{ object: enforced('default-deny', denyAll) }, { object: staged('allow-dns', dns) }]).findings.map((f) => `${f.kind ?? 'NetworkPolicy'} ${f.object} ${f.code}`);
    expect(np002).toEqual(['NetworkPolicy shop/default-deny NP002']);
    // A staged default deny is, by an enforcing DNS policy (promoted, both apply).
    expect(validateManifests([{ object: staged('default-deny', denyAll) }, { object: enforced('allow-dns', dns) }]).findings).toEqual([]);
    // A staged and an enforcing policy of the same name are not NP011 (two kinds; NP002 once, on the
    // first policy that isolates the pods), two staged ones are.
    expect(validateManifests([{ object: staged('p', denyAll) }, { object: enforced('p', denyAll) }]).findings.map((f) => f.code)).toEqual(['NP002']);
    expect(validateManifests([{ object: staged('p', denyAll) }, { object: staged('p', denyAll) }]).findings.map((f) => f.code)).toContain('NP011');
  });
});
