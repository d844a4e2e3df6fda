import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * The validation plugin under the real `cdk8s synth` (cdk8s-cli, a dev dependency), offline: a
 * temporary cdk8s project whose `node_modules` links to this package and its cdk8s, with the
 * README's `cdk8s.yaml` `validations:` entry. The CLI loads the plugin from the package's compiled
 * `lib/` (`npm test` compiles first).
 */

const ROOT = path.resolve(__dirname, '..', '..');
const CDK8S_CLI = path.join(ROOT, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s');

/** Fails with how to fix it when `lib/` is missing or older than `src/` (it would test stale code). */
function assertLibCurrent() {
  const walk = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
  for (const source of walk(path.join(ROOT, 'src'))) {
    const compiled = path.join(ROOT, 'lib', path.relative(path.join(ROOT, 'src'), source)).replace(/\.ts$/, '.js');
    if (!fs.existsSync(compiled) || fs.statSync(compiled).mtimeMs < fs.statSync(source).mtimeMs) {
      throw new Error(`${path.relative(ROOT, compiled)} is missing or older than ${path.relative(ROOT, source)}: run \`npx projen compile\` first (\`npm test\` does).`);
    }
  }
}

interface Synth {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const projects: string[] = [];
beforeAll(assertLibCurrent);
afterAll(() => projects.forEach((p) => fs.rmSync(p, { recursive: true, force: true })));

/**
 * A cdk8s project: `app.js` (the body runs with `cdk8s`, `netpol` (this package) and `chart` in
 * scope) and a `cdk8s.yaml` with the plugin entry; `properties` is YAML flow text.
 */
function project(body: string, properties = '{}'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-cdk8s-cli-'));
  projects.push(dir);
  fs.mkdirSync(path.join(dir, 'node_modules'));
  fs.symlinkSync(ROOT, path.join(dir, 'node_modules', 'cdk8s-netpol'), 'dir');
  for (const dep of ['cdk8s', 'constructs']) fs.symlinkSync(path.join(ROOT, 'node_modules', dep), path.join(dir, 'node_modules', dep), 'dir');
  fs.writeFileSync(path.join(dir, 'app.js'), [
    "const cdk8s = require('cdk8s');",
    "const netpol = require('cdk8s-netpol');",
    body,
    '',
  ].join('\n'));
  fs.writeFileSync(path.join(dir, 'cdk8s.yaml'), [
    'app: node app.js',
    'validations:',
    '  - package: ./node_modules/cdk8s-netpol',
    '    class: NetpolValidationPlugin',
    '    version: 0.0.0',
    `    properties: ${properties}`,
    '',
  ].join('\n'));
  return dir;
}

/** `cdk8s synth` in `dir`: no upgrade check (it needs the network), nothing read from or written to $HOME. */
function synth(dir: string): Promise<Synth> {
  return run(dir, [CDK8S_CLI, 'synth', '--no-check-upgrade', '--plugins-dir', path.join(dir, '.plugins')]);
}

/** `node <args>` in `dir`, without the caller's CDK8S_* settings. */
function run(dir: string, args: string[]): Promise<Synth> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('CDK8S_')) env[k] = v;
  env.HOME = dir;
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: dir, env, timeout: 30_000 }, (error, stdout, stderr) => {
      // eslint-disable-next-line no-control-regex
      const plain = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout: plain(stdout), stderr: plain(stderr) });
    });
  });
}

/** The rows of the report's summary table, as [key, value] pairs. */
function summaryRows(stdout: string): string[][] {
  return stdout.split('\n').filter((l) => l.startsWith('║')).map((l) => l.split('│').map((c) => c.replace(/║/g, '').trim()));
}

function occurrences(text: string, part: string): number {
  return text.split(part).length - 1;
}

/** A raw NetworkPolicy (as any cdk8s app may write one) in `chart`, as JavaScript source. */
function rawPolicy(id: string, name: string, spec: object): string {
  return `new cdk8s.ApiObject(chart, '${id}', { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: '${name}' }, spec: ${JSON.stringify(spec)} });`;
}
const BAD_PORT = { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Ingress'], ingress: [{ ports: [{ port: 70000 }] }] };
const FROM_ANYONE = { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'], ingress: [{ from: [] }] };

const plainApp = (...objects: string[]) => appWith('new cdk8s.App()', ...objects);
const appWith = (app: string, ...objects: string[]) => [
  `const app = ${app};`,
  "const chart = new cdk8s.Chart(app, 'web-chart', { namespace: 'shop' });",
  ...objects,
  'app.synth();',
].join('\n');

describe('NetpolValidationPlugin under the real `cdk8s synth`', () => {
  test('a bad policy fails the synth, and the report names the rule, the object, the construct path, the field and the fix', async () => {
    const result = await synth(project(plainApp(rawPolicy('deny-port', 'api-ingress', BAD_PORT), rawPolicy('open', 'open-ingress', FROM_ANYONE))));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Validation failed. See above reports for details');
    expect(result.stdout).toContain([
      'FieldValueInvalid [error] (1 occurrences)',
      '',
      '  Occurrences:',
      '',
      '    - Construct Path: web-chart/deny-port',
      '    - Manifest Path: dist/web-chart.k8s.yaml',
      '    - Resource Name: api-ingress',
      '    - Locations:',
      '      > spec.ingress[0].ports[0].port',
      '',
      '  Recommendation: NetworkPolicy shop/api-ingress, spec.ingress[0].ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive',
      '  How to fix: Use a port in 1..65535, or leave port out to allow every port of the protocol.',
    ].join('\n'));
    expect(result.stdout).toContain('NP001 [warning] (1 occurrences)');
    expect(result.stdout).toContain('    - Construct Path: web-chart/open\n');
    expect(result.stdout).not.toContain('N/A');
    // The README's excerpt of the report is this output.
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const excerpt = /<!-- cdk8s-cli:report -->\n```text\n([\s\S]*?)\n```/.exec(readme)?.[1];
    expect(excerpt).toBeDefined();
    expect(result.stdout).toContain(excerpt);
    expect(summaryRows(result.stdout).filter(([key]) => !['Plugin'].includes(key))).toEqual([
      ['Status', 'failure'], ['Version', '0.0.0'],
      ['NetworkPolicies checked', '2'], ['Errors', '1'], ['Warnings', '1'], ['Fails on', 'errors'],
    ]);
  });

  test('a clean app passes, with no violations', async () => {
    const result = await synth(project(plainApp(
      "new netpol.DefaultDeny(chart, 'default-deny');",
      "new netpol.AllowDns(chart, 'dns');",
    )));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Validations ended succesfully');
    expect(result.stdout).not.toContain('occurrences');
    expect(summaryRows(result.stdout)).toContainEqual(['Status', 'success']);
    expect(summaryRows(result.stdout)).toContainEqual(['Errors', '0']);
    expect(summaryRows(result.stdout)).toContainEqual(['Warnings', '0']);
  });

  test('a warning is reported once and passes; with `strict: true` it fails', async () => {
    const app = plainApp(rawPolicy('open', 'open-ingress', FROM_ANYONE));
    const lenient = await synth(project(app));
    expect(lenient.code).toBe(0);
    expect(occurrences(lenient.stdout + lenient.stderr, 'from: [] is empty')).toBe(1);
    const strict = await synth(project(app, '{ strict: true }'));
    expect(strict.code).toBe(2);
    expect(summaryRows(strict.stdout)).toContainEqual(['Fails on', 'errors and warnings (strict)']);
  });

  test('a misspelt property in cdk8s.yaml fails the synth with what to write instead', async () => {
    const result = await synth(project(plainApp(rawPolicy('open', 'open-ingress', FROM_ANYONE)), '{ clusterCIDRs: [10.244.0.0/16] }'));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('NetpolValidationPlugin: in the `properties` of its `validations:` entry in cdk8s.yaml: unknown property "clusterCIDRs". '
      + 'The properties are strict (boolean), legacyCidr (boolean), clusterCidrs (list of CIDR strings).');
  });

  describe('under NetpolApp, which checks the output itself', () => {
    test('a warning is shown once, in the report (NetpolApp does not print it too)', async () => {
      const result = await synth(project(appWith('new netpol.NetpolApp()', rawPolicy('open', 'open-ingress', FROM_ANYONE))));
      expect(result.code).toBe(0);
      expect(occurrences(result.stdout + result.stderr, 'from: [] is empty')).toBe(1);
      expect(result.stdout).toContain('NP001 [warning] (1 occurrences)');
      expect(result.stdout).toContain('    - Construct Path: web-chart/open\n');
      expect(result.stderr).not.toContain('cdk8s-netpol warning');
    });

    test('a warning the report does not show (NetpolApp has clusterCidrs, the plugin none) is still printed, once', async () => {
      const coversPods = { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }] };
      const result = await synth(project(appWith("new netpol.NetpolApp({ clusterCidrs: ['10.244.0.0/16'] })",
        rawPolicy('open', 'open-ingress', FROM_ANYONE), rawPolicy('covers', 'covers-pods', coversPods))));
      expect(result.code).toBe(0);
      expect(occurrences(result.stdout + result.stderr, 'from: [] is empty')).toBe(1);
      expect(result.stdout).not.toContain('NP010');
      expect(occurrences(result.stderr, 'cdk8s-netpol warning: [web-chart/covers] shop/covers-pods')).toBe(1);
      expect(result.stderr).toContain('NP010');
    });

    test('run without `cdk8s synth`, NetpolApp prints its warnings as before', async () => {
      const dir = project(appWith('new netpol.NetpolApp()', rawPolicy('open', 'open-ingress', FROM_ANYONE)));
      const result = await run(dir, ['app.js']);
      expect(result.code).toBe(0);
      expect(occurrences(result.stderr, 'cdk8s-netpol warning: [web-chart/open] shop/open-ingress')).toBe(1);
      expect(result.stderr).toContain('from: [] is empty');
    });
  });
});
