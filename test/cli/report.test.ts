import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Testing, Yaml } from 'cdk8s';
import { netpol, policyYaml, tempDir } from './cli-harness';
import { ThreeTier } from '../../examples/three-tier';
import { THREE_TIER_CLI_SURROUNDINGS } from '../../scripts/doc-blocks';

const MANIFESTS = Yaml.stringify(...Testing.synth(new ThreeTier(Testing.app(), 'three-tier')));
const HOLDS = `apiVersion: netpol.cdk8s.dev/v1alpha1
kind: SegmentationRules
rules:
  - name: frontend-never-db
    never:
      from: [{ workload: shop/frontend }]
      to: [{ workload: shop/postgres }]
`;
const FAILS = HOLDS.replace('shop/postgres', 'shop/backend').replace('frontend-never-db', 'frontend-never-backend');

describe('netpol report', () => {
  test('writes one HTML file to --out with the graph, the invariants and each input file with its sha256; exit 0', () => {
    const dir = tempDir({ 'dist/three-tier.k8s.yaml': MANIFESTS, 'rules.yaml': HOLDS });
    const out = path.join(dir, 'report.html');
    const r = netpol(['report', path.join(dir, 'dist'), '--rules', path.join(dir, 'rules.yaml'), ...THREE_TIER_CLI_SURROUNDINGS, '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^netpol report: wrote .*report\.html \(html, \d+ bytes\)\n$/);
    const html = fs.readFileSync(out, 'utf8');
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('<g class="node" data-id="shop/frontend">');
    expect(html).toMatch(/<td class="pass">PASS<\/td><td>frontend-never-db<\/td>/);
    const sha = createHash('sha256').update(MANIFESTS).digest('hex');
    expect(html).toContain(`<td><code>${path.join(dir, 'dist', 'three-tier.k8s.yaml')}</code></td><td>${Buffer.byteLength(MANIFESTS)}</td><td><code>${sha}</code></td>`);
    expect(fs.readdirSync(dir).sort()).toEqual(['dist', 'report.html', 'rules.yaml']);
  });

  test('an invariant that fails: the report is written with its counterexample, exit 1', () => {
    const dir = tempDir({ 'rules.yaml': FAILS });
    const out = path.join(dir, 'report.html');
    const r = netpol(['report', '-', '--rules', path.join(dir, 'rules.yaml'), ...THREE_TIER_CLI_SURROUNDINGS, '--out', out], MANIFESTS);
    expect(r.code).toBe(1);
    expect(fs.readFileSync(out, 'utf8')).toContain('counterexample: shop/frontend -&gt; shop/backend on 8080/TCP is allowed');
  });

  test('Markdown for --out *.md or --format markdown, to standard output without --out', () => {
    const dir = tempDir();
    const out = path.join(dir, 'report.md');
    expect(netpol(['report', '-', ...THREE_TIER_CLI_SURROUNDINGS, '--out', out], MANIFESTS).code).toBe(0);
    const md = fs.readFileSync(out, 'utf8');
    expect(md.startsWith('## NetworkPolicy audit\n')).toBe(true);
    const r = netpol(['report', '-', ...THREE_TIER_CLI_SURROUNDINGS, '--format', 'markdown'], MANIFESTS);
    expect(r.stdout).toBe(md);
    expect(netpol(['report', '-', ...THREE_TIER_CLI_SURROUNDINGS], MANIFESTS).stdout.startsWith('<!DOCTYPE html>')).toBe(true);
  });

  test('--title and --generated-at are printed as given; without them the same inputs give the same bytes', () => {
    const argv = ['report', '-', ...THREE_TIER_CLI_SURROUNDINGS];
    const plain = netpol(argv, MANIFESTS).stdout;
    expect(netpol(argv, MANIFESTS).stdout).toBe(plain);
    const dated = netpol([...argv, '--title', 'Q4 audit: shop', '--generated-at', '2026-12-01T16:00Z'], MANIFESTS).stdout;
    expect(dated).toContain('<title>Q4 audit: shop</title>');
    expect(dated).toContain('<h1>Q4 audit: shop</h1>\n<p>Generated 2026-12-01T16:00Z.</p>');
    expect(plain).toContain('<h1>NetworkPolicy audit</h1>');
    expect(plain).not.toContain('Generated');
  });

  test('the coverage lints are in the report: a workload no policy selects, a namespace without a default deny', () => {
    const open = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: cache\n  namespace: shop\nspec:\n  selector:\n    matchLabels: { app: cache }\n  template:\n    metadata:\n      labels: { app: cache }\n    spec:\n      containers: [{ name: c, image: redis }]\n';
    const r = netpol(['report', '-', '--format', 'markdown'], `${policyYaml('api', '  podSelector:\n    matchLabels: { app: api }\n  policyTypes: [Ingress]\n')}\n---\n${open}`);
    expect(r.stdout).toContain('| ⚠️ | NP017 | `shop/cache`');
    expect(r.stdout).toContain('| ⚠️ | NP018 |');
  });

  test('a policy left out of the model: the report says so, with file:line, and exits 1', () => {
    const bad = policyYaml('bad', '  podSelector: {}\n  policyTypes: [Ingress]\n  ingress:\n    - ports: [{ port: 70000 }]\n');
    const dir = tempDir({ 'bad.yaml': bad });
    const r = netpol(['report', path.join(dir, 'bad.yaml'), '--format', 'markdown']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('**1 object left out: verdicts may be wrong**');
    expect(r.stdout).toMatch(new RegExp(`- ${path.join(dir, 'bad.yaml').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:1: NetworkPolicy \`shop/bad\`: `));
    expect(r.stdout).toContain('| ❌ | FieldValueInvalid | `shop/bad` spec.ingress[0].ports[0].port |');
  });

  test('a mistake in the rules file: its file:line on stderr, nothing written, exit 2', () => {
    const dir = tempDir({ 'rules.yaml': HOLDS.replace('never:', 'nver:') });
    const out = path.join(dir, 'report.html');
    const r = netpol(['report', '-', '--rules', path.join(dir, 'rules.yaml'), '--out', out], MANIFESTS);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/rules\.yaml:\d+: /);
    expect(r.stderr).toContain('netpol report: 2 problems in the rules file; nothing was checked.');
    expect(fs.existsSync(out)).toBe(false);
  });

  test('unreadable input or a missing --out directory: nothing written, exit 2', () => {
    const dir = tempDir({ 'bad.yaml': 'kind: [' });
    const out = path.join(dir, 'report.html');
    const r = netpol(['report', path.join(dir, 'bad.yaml'), '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no report was written');
    expect(fs.existsSync(out)).toBe(false);
    const missing = netpol(['report', '-', '--out', path.join(dir, 'no', 'such', 'report.html')], MANIFESTS);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`the directory ${path.join(dir, 'no', 'such')} does not exist`);
    expect(netpol(['report', '-', '--format', 'pdf'], MANIFESTS).stderr).toContain('--format "pdf" is not supported. Use one of: html, markdown.');
  });
});
