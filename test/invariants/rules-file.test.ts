import * as fs from 'fs';
import * as path from 'path';
import { Testing, Yaml } from 'cdk8s';
import { ThreeTier } from '../../examples/three-tier';
import { checkRun, renderBlocks, RULES_HOLD_CLI_OPTIONS, rulesFileBlocks, rulesFileExamples } from '../../scripts/doc-blocks';
import { parseRulesFile } from '../../src/adapters/rules-file';
import { InvariantKind } from '../../src/analysis/invariants';
import { netpol, policyYaml, tempDir } from '../cli/cli-harness';

const HEAD = 'apiVersion: netpol.cdk8s.dev/v1alpha1\nkind: SegmentationRules\n';

describe('the examples of docs/rules-file.md', () => {
  const examples = rulesFileExamples();

  test('the doc\'s generated outputs are current (run `npx projen docs` to refresh)', () => {
    const doc = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'rules-file.md'), 'utf8');
    expect(renderBlocks(doc, rulesFileBlocks())).toBe(doc);
  });

  test('rules that hold: exit 0, every rule PASS', () => {
    const r = checkRun(examples.holds, RULES_HOLD_CLI_OPTIONS);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^netpol check: 4 of 4 invariants hold\n/);
    expect(r.stdout).not.toContain('FAIL');
  });

  test('rules that hold need the pod CIDRs: without them an address the input does not give may be in the shop\'s egress block', () => {
    const r = checkRun(examples.holds);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^netpol check: 3 of 4 invariants hold, 1 fails\n/);
    expect(r.stdout).toContain('FAIL the-shop-is-contained');
    expect(r.stdout).toContain('(read on a guess of an address the input does not give, it may not occur in the real cluster)');
    expect(r.stdout).toContain('(ipBlock 203.0.113.0/24) holds ingress-nginx/controller\'s address (its address is not in the input; it may be in 203.0.113.0/24)');
  });

  test('rules that fail: exit 1, each failure with its counterexample and the rules that allow it', () => {
    const r = checkRun(examples.fails);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('FAIL only-the-backend-leaves-the-cluster');
    expect(r.stdout).toContain('counterexample: ingress-nginx/controller -> payment-api on 53/TCP is allowed');
    expect(r.stdout).toContain('counterexample: shop/frontend -> shop/backend on 8080/TCP is allowed');
    expect(r.stdout).toContain('allowed by: shop/frontend-egress egress[0], shop/backend-ingress ingress[0]');
    expect(r.stdout).toContain('PASS the-frontend-never-reaches-the-database');
    const json = JSON.parse(checkRun(examples.fails, ['--format', 'json']).stdout);
    expect(json.holds).toBe(false);
    expect(json.invariants.map((i: any) => [i.name, i.holds])).toEqual([
      ['only-the-backend-leaves-the-cluster', false], ['the-frontend-reaches-the-backend-on-8443-only', false], ['the-frontend-never-reaches-the-database', true],
    ]);
    expect(json.invariants[1].violation).toMatchObject({
      from: 'shop/frontend',
      to: 'shop/backend',
      port: '8080/TCP',
      ports: '8080/TCP',
      allowedBy: [{ policy: 'shop/frontend-egress', direction: 'egress', rule: 0 }, { policy: 'shop/backend-ingress', direction: 'ingress', rule: 0 }],
      explanation: { from: 'shop/frontend', to: 'shop/backend', allowed: true },
    });
    expect(json.invariants[1].where).toBe('rules.yaml:8');
  });

  test('mistakes: exit 2, every problem with its line, nothing checked', () => {
    const r = checkRun(examples.mistakes, [], false);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n').filter((l) => l.startsWith('rules.yaml:'))).toEqual([
      'rules.yaml:9: rules[0].only: from is required. Add from (see docs/rules-file.md).',
      'rules.yaml:10: rules[0].only: unknown field "form". Did you mean from?',
      'rules.yaml:11: rules[0].only.to[0].zone: zone database is not declared. The zones are: data. Declare it under zones, or fix the name.',
      'rules.yaml:12: rules[0].only.ports[0].port: 70000 is not a port number. Give an integer from 1 to 65535.',
    ]);
  });
});

describe('the schema refuses what it does not know, with file:line and the fix', () => {
  const problems = (text: string) => parseRulesFile(text, 'r.yaml').problems.map((p) => `${p.line}: ${p.message}`);
  const rule = (body: string) => `${HEAD}rules:\n  - name: r\n${body}`;

  test.each([
    ['a wrong apiVersion', 'apiVersion: v1\nkind: SegmentationRules\nrules: []\n', /^1: apiVersion "v1" is not supported\. Write apiVersion: netpol\.cdk8s\.dev\/v1alpha1\./],
    ['a wrong kind', 'apiVersion: netpol.cdk8s.dev/v1alpha1\nkind: Rules\nrules:\n  - name: r\n    never: { from: [{ namespace: a }], to: [{ namespace: b }] }\n', /^2: kind "Rules" is not supported/],
    ['an unknown top-level field', `${HEAD}rule: []\n`, /^3: the document: unknown field "rule"\. Did you mean rules\?/],
    ['no rules', HEAD, /the document: rules is required/],
    ['a rule of two kinds', rule('    only: { from: [{ namespace: a }], to: [{ namespace: b }] }\n    never: { from: [{ namespace: a }], to: [{ namespace: b }] }\n'),
      /^4: rules\[0\]: says only and never: a rule is exactly one of only, never, contained, isolated\. Split it/],
    ['a rule of no kind', rule(''), /rules\[0\]: says no invariant/],
    ['a selection of two kinds', rule('    never: { from: [{ workload: a/b, namespace: a }], to: [{ namespace: b }] }\n'), /workload stands alone, but namespace is given too/],
    ['namespace and namespaceSelector', rule('    never:\n      from:\n        - namespace: a\n          namespaceSelector: { matchLabels: { a: b } }\n      to: [{ namespace: b }]\n'),
      /^8: rules\[0\]\.never\.from\[0\]: give namespace or namespaceSelector, not both/],
    ['an empty selector', rule('    never: { from: [{ podSelector: {} }], to: [{ namespace: b }] }\n'), /podSelector: \{\} would match everything/],
    ['a bad label key', rule('    never: { from: [{ podSelector: { matchLabels: { "-x": y } } }], to: [{ namespace: b }] }\n'),
      /matchLabels: Invalid value: "-x": name part must consist of alphanumeric characters/],
    ['a bad operator', rule('    never: { from: [{ podSelector: { matchExpressions: [{ key: a, operator: in, values: [b] }] } }], to: [{ namespace: b }] }\n'),
      /operator: Invalid value: "in": not a valid selector operator\. Use In, NotIn, Exists or DoesNotExist/],
    ['a workload that is not ns/name', rule('    never: { from: [{ workload: api }], to: [{ namespace: b }] }\n'), /workload: "api" is not <namespace>\/<name>/],
    ['a named port', rule('    never: { from: [{ namespace: a }], to: [{ namespace: b }], ports: [{ port: http }] }\n'), /port: "http" is not a port number; named ports differ from pod to pod/],
    ['an empty range', rule('    never: { from: [{ namespace: a }], to: [{ namespace: b }], ports: [{ port: 90, endPort: 80 }] }\n'), /90-80 is an empty range/],
    ['a lower-case protocol', rule('    never: { from: [{ namespace: a }], to: [{ namespace: b }], ports: [{ port: 53, protocol: udp }] }\n'), /protocol: "udp" is not supported/],
    ['contained ports without except', `${HEAD}zones:\n  - name: z\n    members: [{ namespace: a }]\nrules:\n  - name: r\n    contained: { zone: z, ports: [{ port: 1 }] }\n`, /ports say where the except destinations may be reached/],
    ['isolated with one zone', `${HEAD}zones:\n  - name: z\n    members: [{ namespace: a }]\nrules:\n  - name: r\n    isolated: { zones: [z] }\n`, /isolated needs at least two zones/],
    ['a zone cycle', `${HEAD}zones:\n  - name: a\n    members: [{ zone: b }]\n  - name: b\n    members: [{ zone: a }]\nrules:\n  - name: r\n    isolated: { zones: [a, b] }\n`,
      /^4: zone a contains itself \(a -> b -> a\)/],
    ['a zone twice', `${HEAD}zones:\n  - name: a\n    members: [{ namespace: a }]\n  - name: a\n    members: [{ namespace: b }]\nrules:\n  - name: r\n    never: { from: [{ zone: a }], to: [{ namespace: c }] }\n`,
      /^6: zones\[1\]: zone a is declared twice \(first at line 4\)/],
    ['a rule twice', `${HEAD}rules:\n  - name: r\n    never: { from: [{ namespace: a }], to: [{ namespace: b }] }\n  - name: r\n    never: { from: [{ namespace: a }], to: [{ namespace: b }] }\n`,
      /^6: rules\[1\]: rule r is declared twice \(first at line 4\)/],
    ['a bad zone name', `${HEAD}zones:\n  - name: PCI\n    members: [{ namespace: a }]\nrules:\n  - name: r\n    never: { from: [{ namespace: a }], to: [{ namespace: b }] }\n`, /zones\[0\]\.name: "PCI" is not a valid zone name/],
    ['outsideCluster false', rule('    never: { from: [{ outsideCluster: false }], to: [{ namespace: b }] }\n'), /outsideCluster: false is not true/],
    ['two documents', `${HEAD}rules: []\n---\n${HEAD}rules: []\n`, /holds 2 YAML documents; a rules file is one/],
    ['a YAML syntax error', `${HEAD}rules:\n  - name: [\n`, /^5: cannot parse YAML/],
  ])('%s', (_what, text, expected) => {
    const found = problems(text);
    expect(found.some((p) => expected.test(p))).toBe(true);
  });

  test('a valid file becomes the zones and invariants the evaluation takes', () => {
    const parsed = parseRulesFile(`${HEAD}zones:\n  - name: pci\n    members:\n      - namespaceSelector: { matchLabels: { scope: pci } }\n        podSelector: { matchExpressions: [{ key: tier, operator: Exists }] }\n`
      + 'rules:\n  - name: only-api\n    only:\n      from: [{ workload: shop/api }]\n      to: [{ zone: pci }]\n      ports: [{ port: 443 }, { port: 8000, endPort: 8100, protocol: TCP }, { protocol: UDP }]\n', 'r.yaml');
    expect(parsed.problems).toEqual([]);
    expect(parsed.zones).toEqual([{ name: 'pci', where: 'r.yaml:4', members: [{ namespaceSelector: { matchLabels: { scope: 'pci' } }, podSelector: { matchExpressions: [{ key: 'tier', operator: 'Exists' }] } }] }]);
    expect(parsed.invariants).toEqual([{
      name: 'only-api',
      kind: InvariantKind.ONLY,
      where: 'r.yaml:9',
      from: [{ id: 'shop/api' }],
      to: [{ zone: 'pci' }],
      ports: [{ kind: 'numbered', protocol: 'TCP', port: 443 }, { kind: 'numbered', protocol: 'TCP', port: 8000, endPort: 8100 }, { kind: 'allPorts', protocol: 'UDP' }],
    }]);
  });
});


describe('netpol check on hand-written manifests', () => {
  const manifests = [
    policyYaml('db-ingress', '  podSelector: { matchLabels: { app: db } }\n  policyTypes: [Ingress]\n  ingress:\n    - from: [{ podSelector: { matchLabels: { app: api } } }]\n      ports: [{ port: 440, endPort: 450 }]\n'),
    'apiVersion: v1\nkind: Pod\nmetadata: { name: api, namespace: shop, labels: { app: api } }\nspec: { containers: [{ name: c, image: i }] }',
    'apiVersion: v1\nkind: Pod\nmetadata: { name: db, namespace: shop, labels: { app: db } }\nspec: { containers: [{ name: c, image: i }] }',
  ].join('\n---\n');
  const onlyApi443 = `${HEAD}rules:\n  - name: only-api-443\n    only:\n      from: [{ workload: shop/api }]\n      to: [{ workload: shop/db }]\n      ports: [{ port: 443 }]\n`;

  test('ports are exact: "only the api on 443" fails when a range around it is open, on a port inside the range', () => {
    const dir = tempDir({ 'm.yaml': manifests, 'rules.yaml': onlyApi443 });
    const r = netpol(['check', path.join(dir, 'm.yaml'), '--rules', path.join(dir, 'rules.yaml')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('counterexample: shop/api -> shop/db on 440/TCP (and every port of 440-442/TCP) is allowed');
    expect(r.stdout).toContain('allowed by: shop/db-ingress ingress[0]');
    const whole = `${HEAD}rules:\n  - name: only-api-range\n    only:\n      from: [{ workload: shop/api }]\n      to: [{ workload: shop/db }]\n      ports: [{ port: 440, endPort: 450 }]\n`;
    fs.writeFileSync(path.join(dir, 'whole.yaml'), whole);
    expect(netpol(['check', path.join(dir, 'm.yaml'), '--rules', path.join(dir, 'whole.yaml')]).code).toBe(0);
  });

  test('an invalid policy left out of the analysis fails the check (exit 1), the rules holding or not', () => {
    const bad = policyYaml('broken', '  podSelector: {}\n  policyTypes: [Ingress]\n  ingress:\n    - ports: [{ port: 70000 }]\n');
    const dir = tempDir({ 'm.yaml': `${manifests}\n---\n${bad}`, 'rules.yaml': onlyApi443.replace('[{ port: 443 }]', '[{ port: 440, endPort: 450 }]') });
    const r = netpol(['check', path.join(dir, 'm.yaml'), '--rules', path.join(dir, 'rules.yaml')]);
    expect(r.stdout).toContain('netpol check: 1 of 1 invariant hold');
    expect(r.stderr).toContain('left out');
    expect(r.code).toBe(1);
  });

  test('usage: --rules is required, an unreadable rules file is exit 2', () => {
    expect(netpol(['check', '-', '--format', 'text']).stderr).toContain('--rules is required');
    const r = netpol(['check', '-', '--rules', '/nonexistent/rules.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--rules /nonexistent/rules.yaml: cannot read it (ENOENT)');
  });

  test('the verdicts and counterexamples do not depend on the order of the inputs', () => {
    const three = Testing.synth(new ThreeTier(Testing.app(), 'three-tier'));
    const forward = tempDir({ 'm.yaml': Yaml.stringify(...three), 'rules.yaml': rulesFileExamples().fails });
    const backward = tempDir({ 'm.yaml': Yaml.stringify(...[...three].reverse()), 'rules.yaml': rulesFileExamples().fails });
    const run = (dir: string) => netpol(['check', path.join(dir, 'm.yaml'), '--rules', path.join(dir, 'rules.yaml'), '--pod', 'ingress-nginx/controller:app.kubernetes.io/name=ingress-nginx',
      '--external', 'payment-api=203.0.113.10', '--format', 'json']).stdout.split(dir).join('<dir>');
    // The explanation lists the isolating policies in the order of the input, as `netpol explain` does; the rest is the same.
    const withoutExplanations = (out: string) => JSON.stringify(JSON.parse(out), (k, v) => (k === 'explanation' ? undefined : v));
    expect(withoutExplanations(run(forward))).toBe(withoutExplanations(run(backward)));
    expect(run(forward)).toBe(run(forward));
  });
});
