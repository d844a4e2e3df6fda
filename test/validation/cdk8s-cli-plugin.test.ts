import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
// The real report API of cdk8s-cli: what `cdk8s synth` hands to a plugin and prints.
import { ValidationContext } from 'cdk8s-cli/plugins';
import { NetpolValidationPlugin } from '../../src';
import { findingKey, findingsReportedByCdk8sCli } from '../../src/adapters/cdk8s-cli-plugin';
import { readManifests } from '../../src/adapters/manifest-reader';
import { validateManifests } from '../../src/validation/validate-manifests';

let work: string;
beforeEach(() => { work = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-plugin-')); });
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

function file(content: string, name = 'app.k8s.yaml'): string {
  const f = path.join(work, name);
  fs.writeFileSync(f, content);
  return f;
}

/** Runs the plugin like `cdk8s synth` does, with the construct metadata cdk8s records (name -> path). */
function run(plugin: NetpolValidationPlugin, manifests: string[], constructPaths: Record<string, string> = {}) {
  const metadata = Object.fromEntries(Object.entries(constructPaths).map(([name, p]) => [name, { path: p }]));
  const context = new ValidationContext(manifests, 'cdk8s-netpol', '0.0.0', metadata, false);
  plugin.validate(context);
  // eslint-disable-next-line no-control-regex
  return { json: context.report.toJson(), text: context.report.toString().replace(/\x1b\[[0-9;]*m/g, ''), success: context.report.success };
}

const policy = (name: string, namespace: string, ingress: string) =>
  `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: ${name}, namespace: ${namespace} }\nspec:\n  podSelector: { matchLabels: { app: ${name} } }\n  policyTypes: [Ingress]\n  ingress: ${ingress}\n`;
const BAD = policy('api-ingress', 'shop', '[{ ports: [{ port: 70000 }] }]');
const WARN = policy('open-ingress', 'shop', '[{ from: [] }]');
const CLEAN = policy('from-web', 'shop', '[{ from: [{ podSelector: { matchLabels: { app: web } } }] }]');

describe('NetpolValidationPlugin (cdk8s.yaml validations), through the cdk8s-cli report', () => {
  test('an error is one violation that names the rule, object, manifest, field and construct path, and fails', () => {
    const manifest = file(`${BAD}---\n${CLEAN}`);
    const { json, text, success } = run(new NetpolValidationPlugin(), [manifest], { 'api-ingress': 'web-chart/deny-port', 'from-web': 'web-chart/from-web' });
    expect(success).toBe(false);
    expect(json.violations).toEqual([{
      ruleName: 'FieldValueInvalid [error]',
      recommendation: 'NetworkPolicy shop/api-ingress, spec.ingress[0].ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive',
      fix: 'Use a port in 1..65535, or leave port out to allow every port of the protocol.',
      violatingConstructs: [{ resourceName: 'api-ingress', constructPath: 'web-chart/deny-port', manifestPath: manifest, locations: ['spec.ingress[0].ports[0].port'] }],
    }]);
    expect(text).toContain('    - Construct Path: web-chart/deny-port\n');
    expect(text).not.toContain('N/A');
    // The clean policy is checked but not reported.
    expect(text).not.toContain('from-web');
  });

  test('the summary is a table of counts, one row each (not one row per character of a sentence)', () => {
    const { json, text } = run(new NetpolValidationPlugin(), [file(`${BAD}---\n${WARN}---\n${CLEAN}`)]);
    expect(json.summary).toEqual({
      status: 'failure',
      plugin: 'cdk8s-netpol',
      version: '0.0.0',
      metadata: { 'NetworkPolicies checked': '3', 'Errors': '1', 'Warnings': '1', 'Fails on': 'errors' },
    });
    const rows = text.split('\n').filter((l) => l.startsWith('║')).map((l) => l.split('│').map((c) => c.replace(/║/g, '').trim()));
    expect(rows).toEqual([
      ['Status', 'failure'], ['Plugin', 'cdk8s-netpol'], ['Version', '0.0.0'],
      ['NetworkPolicies checked', '3'], ['Errors', '1'], ['Warnings', '1'], ['Fails on', 'errors'],
    ]);
  });

  test('warnings are reported and pass, unless strict', () => {
    const manifest = file(WARN);
    const lenient = run(new NetpolValidationPlugin(), [manifest], { 'open-ingress': 'web-chart/open' });
    expect(lenient.success).toBe(true);
    expect(lenient.json.violations.map((v) => v.ruleName)).toEqual(['NP001 [warning]']);
    expect(lenient.json.violations[0].violatingConstructs[0]).toMatchObject({ constructPath: 'web-chart/open', locations: ['spec.ingress[0].from'] });
    const strict = run(new NetpolValidationPlugin({ strict: true }), [manifest]);
    expect(strict.success).toBe(false);
    expect(strict.json.summary.metadata).toMatchObject({ 'Fails on': 'errors and warnings (strict)' });
  });

  test('an object the checks do not model (a Calico NetworkPolicy) is reported as left out, and fails strict', () => {
    const calico = 'apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: { name: l7, namespace: shop }\nspec: { selector: all() }\n';
    const manifest = file(`${CLEAN}---\n${calico}`);
    const lenient = run(new NetpolValidationPlugin(), [manifest]);
    expect(lenient.success).toBe(true);
    expect(lenient.json.violations.map((v) => [v.ruleName, v.recommendation.split(': left out')[0]])).toEqual([['left-out [warning]', 'NetworkPolicy shop/l7']]);
    expect(lenient.json.summary.metadata).toMatchObject({ Warnings: '1' });
    expect(run(new NetpolValidationPlugin({ strict: true }), [manifest]).success).toBe(false);
  });

  test('the summary counts each kind of policy by its name: Cilium policies are no NetworkPolicies', () => {
    const cnp = 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: { name: web, namespace: shop }\nspec: { endpointSelector: {}, ingress: [{ fromEndpoints: [{}] }] }\n';
    const { json } = run(new NetpolValidationPlugin(), [file(`${CLEAN}---\n${cnp}`)]);
    expect(json.summary.metadata).toEqual({
      'NetworkPolicies checked': '1', 'CiliumNetworkPolicies checked': '1', 'Errors': '0', 'Warnings': '0', 'Fails on': 'errors',
    });
  });

  test('a clean app passes with no violations', () => {
    const { json, success } = run(new NetpolValidationPlugin(), [file(CLEAN)]);
    expect(success).toBe(true);
    expect(json.violations).toEqual([]);
    expect(json.summary.metadata).toMatchObject({ 'NetworkPolicies checked': '1', 'Errors': '0', 'Warnings': '0' });
  });

  test('a name that several objects share shows no construct path rather than possibly the wrong one', () => {
    // cdk8s keys construct metadata by metadata.name only: both policies map to one (the last) path.
    const manifest = file(`${policy('open-ingress', 'shop', '[{ from: [] }]')}---\n${policy('open-ingress', 'billing', '[{ from: [{ podSelector: {} }] }]')}`);
    const { json, text } = run(new NetpolValidationPlugin(), [manifest], { 'open-ingress': 'billing-chart/open' });
    expect(json.violations).toHaveLength(1);
    expect(json.violations[0].violatingConstructs).toEqual([{ resourceName: 'shop/open-ingress', constructPath: undefined, manifestPath: manifest, locations: ['spec.ingress[0].from'] }]);
    expect(json.violations[0].recommendation).toContain('The construct path is not shown: 2 objects in the output are named "open-ingress"');
    expect(text).not.toContain('billing-chart/open');
  });

  test('the report is the same whatever order the CLI lists the manifests in', () => {
    const a = file(policy('same', 'shop', '[{ from: [] }]'), 'a.k8s.yaml');
    const b = file(policy('same', 'shop', '[{ from: [{ podSelector: {} }] }]'), 'b.k8s.yaml');
    expect(run(new NetpolValidationPlugin(), [b, a]).text).toBe(run(new NetpolValidationPlugin(), [a, b]).text);
  });

  test('unreadable manifests fail, naming the file and line', () => {
    const manifest = file('a: [unclosed');
    const { json, success } = run(new NetpolValidationPlugin(), [manifest]);
    expect(success).toBe(false);
    expect(json.violations).toHaveLength(1);
    expect(json.violations[0]).toMatchObject({ ruleName: 'unreadable-manifest [error]', violatingConstructs: [{ manifestPath: manifest }] });
    expect(json.violations[0].recommendation).toMatch(/^.*app\.k8s\.yaml(:\d+)?: cannot parse YAML/);
    expect(json.summary.metadata).toMatchObject({ 'Unreadable manifests': '1' });
  });

  test('properties from cdk8s.yaml are checked: a misspelt or mistyped option is refused, not ignored', () => {
    expect(() => new NetpolValidationPlugin({ clusterCIDRs: ['10.244.0.0/16'] } as any))
      .toThrow('NetpolValidationPlugin: in the `properties` of its `validations:` entry in cdk8s.yaml: unknown property "clusterCIDRs". '
        + 'The properties are strict (boolean), legacyCidr (boolean), clusterCidrs (list of CIDR strings).');
    expect(() => new NetpolValidationPlugin({ strict: 'yes' } as any)).toThrow(/strict must be a boolean, got "yes"/);
    expect(() => new NetpolValidationPlugin({ clusterCidrs: '10.244.0.0/16' } as any)).toThrow(/clusterCidrs must be a list of CIDR strings, got "10.244.0.0\/16"/);
    expect(() => new NetpolValidationPlugin({ clusterCidrs: ['10.244.0.0/33'] })).toThrow(/clusterCidrs: cluster CIDR "10.244.0.0\/33" is not a valid CIDR/);
    expect(() => new NetpolValidationPlugin('strict' as any)).toThrow(/expected a mapping, got "strict"/);
    // Accepted: every documented property, and YAML's empty values as "not set".
    const accepted = new NetpolValidationPlugin({ strict: true, legacyCidr: false, clusterCidrs: ['10.244.0.0/16'] });
    expect(run(accepted, [file(WARN)]).success).toBe(false);
    expect(run(new NetpolValidationPlugin({ strict: null } as any), [file(WARN)]).success).toBe(true);
  });

  test('clusterCidrs and legacyCidr reach the checks', () => {
    const covering = file(policy('to-pods', 'shop', '[{ from: [{ ipBlock: { cidr: 10.0.0.0/8 } }] }]'));
    expect(run(new NetpolValidationPlugin(), [covering]).json.violations).toEqual([]);
    expect(run(new NetpolValidationPlugin({ clusterCidrs: ['10.244.0.0/16'] }), [covering]).json.violations.map((v) => v.ruleName)).toEqual(['NP010 [warning]']);
    const leadingZero = file(policy('legacy', 'shop', '[{ from: [{ ipBlock: { cidr: 10.0.0.01/32 } }] }]'));
    expect(run(new NetpolValidationPlugin(), [leadingZero]).success).toBe(false);
    expect(run(new NetpolValidationPlugin({ legacyCidr: true }), [leadingZero]).success).toBe(true);
  });
});

describe('findingsReportedByCdk8sCli (what NetpolApp leaves to the report of a `cdk8s synth`)', () => {
  const CDK8S_SYNTH = { CDK8S_RECORD_CONSTRUCT_METADATA: 'true' };
  const entry = (properties = '{}', cls = 'NetpolValidationPlugin') =>
    `app: node main.js\nvalidations:\n  - package: ./node_modules/cdk8s-netpol\n    class: ${cls}\n    version: 0.0.0\n    properties: ${properties}\n`;
  function output() {
    const outdir = path.join(work, 'dist');
    fs.mkdirSync(outdir);
    fs.writeFileSync(path.join(outdir, 'shop.k8s.yaml'), `${WARN}---\n${policy('to-pods', 'shop', '[{ from: [{ ipBlock: { cidr: 10.0.0.0/8 } }] }]')}`);
    fs.writeFileSync(path.join(outdir, 'other.json'), JSON.stringify({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'j', namespace: 'shop' }, spec: { podSelector: {}, ingress: [{}] } }));
    return { outdir, objects: readManifests([outdir], () => Buffer.alloc(0)).objects };
  }
  const keys = (objects: any[], options = {}) => new Set(validateManifests(objects, options).findings.map(findingKey));

  test('with the plugin configured: exactly what it will report, from the .yaml files the CLI hands it, with its properties', () => {
    const { outdir, objects } = output();
    fs.writeFileSync(path.join(work, 'cdk8s.yaml'), entry());
    const reported = findingsReportedByCdk8sCli(objects, outdir, CDK8S_SYNTH, work);
    const yamlOnly = objects.filter((o) => o.file.endsWith('.yaml'));
    expect(reported).toEqual(keys(yamlOnly));
    expect([...reported].map((k) => JSON.parse(k)[1])).toEqual(['NP001']);
    fs.writeFileSync(path.join(work, 'cdk8s.yaml'), entry('{ clusterCidrs: [10.244.0.0/16] }'));
    expect([...findingsReportedByCdk8sCli(objects, outdir, CDK8S_SYNTH, work)].map((k) => JSON.parse(k)[1])).toEqual(['NP001', 'NP010']);
  });

  test('nothing when the report cannot be established, so NetpolApp prints everything', () => {
    const { outdir, objects } = output();
    const none = (env: NodeJS.ProcessEnv, config?: string) => {
      if (config === undefined) fs.rmSync(path.join(work, 'cdk8s.yaml'), { force: true });
      else fs.writeFileSync(path.join(work, 'cdk8s.yaml'), config);
      return findingsReportedByCdk8sCli(objects, outdir, env, work).size;
    };
    expect(none({}, entry())).toBe(0); // not run by `cdk8s synth` with validations
    expect(none({ CDK8S_RECORD_CONSTRUCT_METADATA: 'false' }, entry())).toBe(0);
    expect(none({ ...CDK8S_SYNTH, CDK8S_VALIDATE: 'false' }, entry())).toBe(0); // validation switched off
    expect(none(CDK8S_SYNTH)).toBe(0); // no cdk8s.yaml here
    expect(none(CDK8S_SYNTH, 'validations: https://example.com/validations.yaml\n')).toBe(0);
    expect(none(CDK8S_SYNTH, entry('{}', 'SomeOtherPlugin'))).toBe(0);
    expect(none(CDK8S_SYNTH, entry('{ clusterCIDRs: [10.244.0.0/16] }'))).toBe(0); // the CLI refuses the entry
    expect(none(CDK8S_SYNTH, 'validations: [unclosed\n')).toBe(0);
    expect(none(CDK8S_SYNTH, entry())).toBe(1);
  });
});
