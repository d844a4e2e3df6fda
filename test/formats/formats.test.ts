import * as fs from 'fs';
import * as path from 'path';
import {
  ConnectivityGraph, DotFormat, Explanation, FlowReplay, JsonFormat, MarkdownFormat, MermaidFormat, Port, Reachability, ReachabilityDiff,
  ReachabilityMatrix, SideDecision, SideVerdict, TextFormat, validateManifests,
} from '../../src';

/**
 * The output formats live apart from the results: one file per format in src/formats, each
 * rendering the results' public data; the results carry no rendering code.
 */
const ROOT = path.join(__dirname, '..', '..');
const pod = (name: string, namespace: string, labels: Record<string, string>) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels }, spec: { containers: [{ name: 'c', ports: [{ containerPort: 8080, name: 'http' }] }] },
});
const policy = (name: string, spec: any) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: 'shop' }, spec });
const PODS = [pod('web', 'shop', { app: 'web' }), pod('api', 'shop', { app: 'api' }), pod('prometheus', 'monitoring', { app: 'prometheus' })];
const API = policy('api', {
  podSelector: { matchLabels: { app: 'api' } },
  policyTypes: ['Ingress'],
  ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 8080 }] }],
});
const r = Reachability.fromManifests([...PODS, API], { externals: [{ name: 'partner', ip: '198.51.100.4' }] });

describe('one file per format, results without rendering code', () => {
  test('src/formats holds exactly the six formats', () => {
    expect(fs.readdirSync(path.join(ROOT, 'src', 'formats')).sort()).toEqual(['dot.ts', 'json.ts', 'markdown.ts', 'mermaid.ts', 'text.ts', 'typescript.ts']);
  });

  test('the result classes have no rendering methods (toString of an explanation is one line)', () => {
    for (const result of [ReachabilityMatrix, ConnectivityGraph, ReachabilityDiff, Explanation, FlowReplay]) {
      const renderers = Object.getOwnPropertyNames(result.prototype).filter((n) => /^to[A-Z]/.test(n) && n !== 'toString');
      expect({ result: result.name, renderers }).toEqual({ result: result.name, renderers: [] });
    }
    const e = r.explain('shop/web', 'shop/api', Port.tcp(8080));
    expect(e.toString()).toBe('shop/web -> shop/api on 8080/TCP: ALLOWED');
    expect(TextFormat.explanation(e).split('\n')).toEqual([
      'shop/web -> shop/api on 8080/TCP: ALLOWED',
      '  egress of shop/web: not isolated (no policy selects it for egress), so everything is allowed',
      '  ingress of shop/api: isolated by shop/api; allowed by shop/api ingress[0]',
    ]);
  });

  test('no analysis, validation or generate file imports a format (the results do not know them)', () => {
    for (const layer of ['analysis', 'validation', 'generate']) {
      for (const file of fs.readdirSync(path.join(ROOT, 'src', layer))) {
        expect({ file, imports: /from '\.\.\/formats\//.test(fs.readFileSync(path.join(ROOT, 'src', layer, file), 'utf8')) }).toEqual({ file, imports: false });
      }
    }
  });
});

describe('TextFormat and JsonFormat: one side verdict', () => {
  const sides: Array<[string, SideVerdict]> = [
    ['allowed', r.explain('shop/web', 'shop/api', Port.tcp(8080)).ingress],
    ['denied', r.explain('monitoring/prometheus', 'shop/api', Port.tcp(8080)).ingress],
    ['not isolated', r.explain('shop/web', 'shop/api', Port.tcp(8080)).egress],
    ['outside', r.explain('partner', 'shop/web', Port.tcp(8080)).egress],
  ];

  test('each decision in words', () => {
    expect(sides.map(([, v]) => [v.decision, TextFormat.verdict(v)])).toEqual([
      [SideDecision.ALLOWED, 'allowed by shop/api ingress[0]'],
      [SideDecision.DENIED, 'denied (isolated by shop/api)'],
      [SideDecision.NOT_ISOLATED, 'not isolated'],
      [SideDecision.OUTSIDE_CLUSTER, 'outside the cluster'],
    ]);
  });

  test('the JSON of a side has the shape of `netpol explain --format json`, without the decision', () => {
    expect(JsonFormat.verdict(sides[0][1])).toEqual({
      allowed: true, isolated: true, isolatingPolicies: ['shop/api'], allowedBy: [{ policy: 'shop/api', direction: 'ingress', rule: 0, byIpBlock: false }], notPoliced: false,
    });
    expect(Object.keys(JsonFormat.verdict(sides[3][1]))).toEqual(['allowed', 'isolated', 'isolatingPolicies', 'allowedBy', 'notPoliced']);
  });

  test('an explanation as JSON is a copy: changing it changes nothing else', () => {
    const e = r.explain('shop/web', 'shop/api', Port.tcp(8080));
    const json = JsonFormat.explanation(e);
    json.ingress.isolatingPolicies.push('x');
    json.notes.push('x');
    expect(e.ingress.isolatingPolicies).toEqual(['shop/api']);
    expect(e.notes).toEqual([]);
  });
});

describe('TextFormat.validation and JsonFormat.validation', () => {
  const bad = policy('bad', { podSelector: {}, ingress: [{ ports: [{ port: 0 }] }] });
  const report = validateManifests([{ object: bad, file: 'np.yaml', line: 4 }, { object: API }]);

  test('text: each finding with where and the fix, then the summary; files counted only when given', () => {
    const lines = TextFormat.validation(report, { fileCount: 2 }).split('\n');
    expect(lines[0]).toMatch(/^np\.yaml:4: shop\/bad: error FieldValueInvalid spec\.ingress\[0\]\.ports\[0\]\.port: /);
    expect(lines[1]).toMatch(/^ {4}fix: /);
    expect(lines.pop()).toMatch(/^checked 2 NetworkPolicies in 2 files: 1 error, \d+ warnings?$/);
    expect(TextFormat.validation(report).split('\n').pop()).toMatch(/^checked 2 NetworkPolicies: 1 error, /);
    expect(TextFormat.validation(validateManifests([{ object: API }]), { fileCount: 1 })).toBe('checked 1 NetworkPolicy in 1 file: 0 errors, 0 warnings');
  });

  test('JSON: the message carries the fix, and a finding not read from a file has file null', () => {
    const json = JsonFormat.validation(report);
    expect(json.checked).toBe(2);
    expect(json.findings[0]).toMatchObject({ severity: 'error', code: 'FieldValueInvalid', file: 'np.yaml', object: 'shop/bad', field: 'spec.ingress[0].ports[0].port' });
    expect(json.findings[0].message).toContain('. Fix: ');
    const fromCode = JsonFormat.validation(validateManifests([{ object: bad }]));
    expect(fromCode.findings[0].file).toBeNull();
  });
});

describe('graphs: Mermaid and DOT escape what would break them', () => {
  const quoted = Reachability.fromManifests([pod('web', 'shop', { app: 'web' })], { externals: [{ name: 'say-"hi"', ip: '192.0.2.1' }] });
  const graph = quoted.connectivity([Port.tcp(443)]);

  test('groups: namespaces in order, then the endpoints outside the cluster', () => {
    const g = r.connectivity([Port.tcp(8080)]);
    expect(g.groups.map((x) => [x.namespace, x.nodes.map((n) => n.name)])).toEqual([
      ['monitoring', ['prometheus']], ['shop', ['web', 'api']], [undefined, ['partner']],
    ]);
  });

  test('Mermaid: a quote becomes #quot;', () => {
    const text = MermaidFormat.graph(graph);
    expect(text).toContain('n1(["say-#quot;hi#quot;"])');
    expect(text).not.toContain('"hi"');
  });

  test('DOT: quotes and backslashes are escaped', () => {
    expect(DotFormat.graph(graph)).toContain('"say-\\"hi\\"" [label="say-\\"hi\\"", shape=ellipse];');
  });

  test('the diff as Mermaid draws only the changed edges, and Markdown embeds it', () => {
    const d = Reachability.diff(Reachability.fromManifests(PODS), Reachability.fromManifests([...PODS, API]));
    const mermaid = MermaidFormat.diff(d);
    expect(mermaid.split('\n').filter((l) => l.includes('-.->')).length).toBe(d.closed.length);
    expect(mermaid).not.toContain('-->|');
    expect(MarkdownFormat.diff(d)).toContain(`\`\`\`mermaid\n${mermaid}\n\`\`\``);
  });
});
