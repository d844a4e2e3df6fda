import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, YamlOutputType } from 'cdk8s';
import { Construct } from 'constructs';
import { DefaultDeny, NetpolApp, NetpolAppProps, NetworkPolicy, Selector } from '../../src';
import { replaceDirectoryAtomically, stagingDirectoryFor } from '../../src/synth/atomic-directory';

/** Every file below `dir` (relative path -> content), sorted. */
function tree(dir: string, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of fs.readdirSync(path.join(dir, prefix), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const relative = path.join(prefix, e.name);
    if (e.isDirectory()) Object.assign(out, tree(dir, relative));
    else out[relative] = fs.readFileSync(path.join(dir, relative), 'utf8');
  }
  return out;
}

const LIST = '.netpol-app.sha256';

describe('NetpolApp writes all or nothing', () => {
  let work: string;
  let outdir: string;
  beforeEach(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-app-'));
    outdir = path.join(work, 'dist');
  });
  afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

  function goodSynth(id = 'good') {
    const app = new NetpolApp({ outdir });
    new DefaultDeny(new Chart(app, id, { namespace: 'shop' }), 'default-deny');
    app.synth();
  }

  test('a successful synth replaces the output as a whole (no stale files)', () => {
    goodSynth('first');
    expect(Object.keys(tree(outdir))).toEqual([LIST, 'first.k8s.yaml']);
    goodSynth('second');
    expect(Object.keys(tree(outdir))).toEqual([LIST, 'second.k8s.yaml']);
    expect(fs.readdirSync(work)).toEqual(['dist']);
  });

  test('a validation error leaves the previous output exactly as it was', () => {
    goodSynth();
    const before = tree(outdir);
    const app = new NetpolApp({ outdir });
    new NetworkPolicy(new Chart(app, 'bad', { namespace: 'shop' }), 'empty', { pods: Selector.all() });
    expect(() => app.synth()).toThrow(/\[bad\/empty\] allows nothing and isolates nothing/);
    expect(tree(outdir)).toEqual(before);
    expect(fs.readdirSync(work)).toEqual(['dist']);
  });

  test('an exception while synthesizing leaves the previous output exactly as it was', () => {
    goodSynth();
    const before = tree(outdir);
    const app = new NetpolApp({ outdir });
    const chart = new Chart(app, 'ok', { namespace: 'shop' });
    new DefaultDeny(chart, 'default-deny');
    class Exploding extends Construct {
      constructor(scope: Construct, id: string) {
        super(scope, id);
        this.node.addValidation({ validate: () => { throw new Error('boom'); } });
      }
    }
    new Exploding(chart, 'explodes');
    expect(() => app.synth()).toThrow(/boom/);
    expect(tree(outdir)).toEqual(before);
  });

  test('a first synth that fails creates nothing', () => {
    const app = new NetpolApp({ outdir });
    new NetworkPolicy(new Chart(app, 'bad', { namespace: 'shop' }), 'empty', { pods: Selector.all() });
    expect(() => app.synth()).toThrow();
    expect(fs.existsSync(outdir)).toBe(false);
    expect(fs.readdirSync(work)).toEqual([]);
  });
});

describe('NetpolApp never deletes a file it did not write', () => {
  let work: string;
  let outdir: string;
  beforeEach(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-app-'));
    outdir = path.join(work, 'dist');
  });
  afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

  function synth(id = 'good', props: NetpolAppProps = {}) {
    const app = new NetpolApp({ outdir, printWarnings: false, ...props });
    new DefaultDeny(new Chart(app, id, { namespace: 'shop' }), 'default-deny');
    app.synth();
  }
  const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

  test('the output lists every file it wrote with its SHA-256 (sha256sum format, sorted, byte-identical on a rerun)', () => {
    synth('b');
    const first = tree(outdir);
    expect(first[LIST]).toBe(`${sha256(first['b.k8s.yaml'])}  b.k8s.yaml\n`);
    synth('b');
    expect(tree(outdir)).toEqual(first);
  });

  test('a package build in the outdir (dist/js/*.tgz) survives: the synth is refused, names the file and the fix, and writes nothing', () => {
    fs.mkdirSync(path.join(outdir, 'js'), { recursive: true });
    fs.writeFileSync(path.join(outdir, 'js', 'cdk8s-netpol@0.0.0.jsii.tgz'), 'package');
    const before = tree(outdir);
    expect(() => synth()).toThrow(new RegExp(`^cdk8s-netpol: refusing to write the output to ${outdir}: it holds files but no \\${LIST} \\(the list of the files an earlier synth wrote\\), `
      + 'so any of them may be someone else\'s: js/cdk8s-netpol@0.0.0.jsii.tgz\\. NetpolApp replaces its whole output directory and never deletes a file it did not write\\. '
      + 'Give NetpolApp an output directory of its own \\(outdir\\), or move these files out of it'));
    expect(tree(outdir)).toEqual(before);
    expect(fs.readdirSync(work)).toEqual(['dist']);
  });

  test('a file added after a synth is refused, with the earlier output kept exactly; removing it makes the next synth succeed', () => {
    synth('first');
    fs.writeFileSync(path.join(outdir, 'notes.txt'), 'mine');
    const before = tree(outdir);
    expect(() => synth('second')).toThrow(/refusing to write the output to .*dist: it holds files that no earlier synth wrote there \(they are not in its \.netpol-app\.sha256\): notes\.txt\./);
    expect(tree(outdir)).toEqual(before);
    fs.rmSync(path.join(outdir, 'notes.txt'));
    synth('second');
    expect(Object.keys(tree(outdir))).toEqual([LIST, 'second.k8s.yaml']);
  });

  test('a written file that was edited since is refused (its content is not what the synth wrote)', () => {
    synth();
    fs.appendFileSync(path.join(outdir, 'good.k8s.yaml'), '# hand edit\n');
    const before = tree(outdir);
    expect(() => synth()).toThrow(/files written by an earlier synth were changed since: good\.k8s\.yaml\./);
    expect(tree(outdir)).toEqual(before);
  });

  test('a file the synth wrote and the user deleted is no obstacle', () => {
    synth('one');
    fs.rmSync(path.join(outdir, 'one.k8s.yaml'));
    synth('two');
    expect(Object.keys(tree(outdir))).toEqual([LIST, 'two.k8s.yaml']);
  });

  test('nested output (a folder per chart) is listed and replaced; a foreign file in a subfolder is refused', () => {
    synth('nested', { yamlOutputType: YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE });
    const files = Object.keys(tree(outdir));
    expect(files).toEqual([LIST, path.join('nested', 'NetworkPolicy.default-deny.k8s.yaml')]);
    expect(tree(outdir)[LIST]).toMatch(/^[0-9a-f]{64} {2}nested\/NetworkPolicy\.default-deny\.k8s\.yaml\n$/);
    synth('nested', { yamlOutputType: YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE });
    expect(Object.keys(tree(outdir))).toEqual(files);
    fs.writeFileSync(path.join(outdir, 'nested', 'extra.yaml'), 'kind: ConfigMap\n');
    expect(() => synth('nested', { yamlOutputType: YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE })).toThrow(/not in its \.netpol-app\.sha256\): nested\/extra\.yaml\./);
    expect(fs.readFileSync(path.join(outdir, 'nested', 'extra.yaml'), 'utf8')).toBe('kind: ConfigMap\n');
  });

  test('an empty outdir (or one with only empty folders) is taken over', () => {
    fs.mkdirSync(path.join(outdir, 'empty'), { recursive: true });
    synth();
    expect(Object.keys(tree(outdir))).toEqual([LIST, 'good.k8s.yaml']);
  });

  test('a symbolic link in the outdir is foreign, even when its name is listed', () => {
    synth();
    fs.rmSync(path.join(outdir, 'good.k8s.yaml'));
    fs.symlinkSync(path.join(work, 'elsewhere.yaml'), path.join(outdir, 'good.k8s.yaml'));
    expect(() => synth()).toThrow(/not in its \.netpol-app\.sha256\): good\.k8s\.yaml \(symbolic link\)\./);
    expect(fs.lstatSync(path.join(outdir, 'good.k8s.yaml')).isSymbolicLink()).toBe(true);
  });

  test('an outdir that is a file or a symbolic link is refused and kept', () => {
    fs.writeFileSync(outdir, 'not a directory');
    expect(() => synth()).toThrow(/refusing to write the output to .*dist: it exists and is not a directory\. Give NetpolApp an outdir of its own, or move the file away\./);
    expect(fs.readFileSync(outdir, 'utf8')).toBe('not a directory');
    fs.rmSync(outdir);
    fs.mkdirSync(path.join(work, 'real'));
    fs.symlinkSync(path.join(work, 'real'), outdir);
    expect(() => synth()).toThrow(/it is a symbolic link, .* Give NetpolApp the real directory as outdir\./);
    expect(fs.lstatSync(outdir).isSymbolicLink()).toBe(true);
  });

  test('a list that is not one NetpolApp wrote is refused at its line; nothing is deleted', () => {
    synth();
    fs.writeFileSync(path.join(outdir, LIST), `${sha256('x')}  ../outside.yaml\n`);
    const before = tree(outdir);
    expect(() => synth()).toThrow(/\.netpol-app\.sha256:1 is not a "<sha256> {2}<relative path>" line, .* Move the files that are still needed out of the directory and delete it, or give NetpolApp another outdir\./);
    expect(tree(outdir)).toEqual(before);
  });

  test('a foreign file named among many: the first ten, sorted, and a count of the rest', () => {
    fs.mkdirSync(outdir);
    for (let i = 0; i < 12; i++) fs.writeFileSync(path.join(outdir, `f${String(i).padStart(2, '0')}.txt`), '');
    expect(() => synth()).toThrow(/someone else's: f00\.txt, f01\.txt, .*, f09\.txt and 2 more\./);
    expect(fs.readdirSync(outdir)).toHaveLength(12);
  });

  test('a foreign file that arrives while the synth writes is found just before the swap: refused, kept, staging removed', () => {
    synth('first');
    const arrive = (staging: string) => {
      fs.writeFileSync(path.join(staging, 'x.k8s.yaml'), 'kind: List\n');
      fs.writeFileSync(path.join(outdir, 'late.txt'), 'mine');
    };
    const staging = stagingDirectoryFor(outdir);
    expect(() => replaceDirectoryAtomically(outdir, staging, () => arrive(staging))).toThrow(/not in its \.netpol-app\.sha256\): late\.txt\./);
    expect(Object.keys(tree(outdir))).toEqual([LIST, 'first.k8s.yaml', 'late.txt']);
    expect(fs.readdirSync(work)).toEqual(['dist']);
  });

  test('output that would overwrite the list itself is refused, and nothing is written', () => {
    const other = path.join(work, 'other');
    const staging = stagingDirectoryFor(other);
    expect(() => replaceDirectoryAtomically(other, staging, () => fs.writeFileSync(path.join(staging, LIST), 'forged')))
      .toThrow(/the synth wrote a file named \.netpol-app\.sha256, the name of the list of written files/);
    expect(fs.readdirSync(work)).toEqual([]);
  });
});

describe('NetpolApp validates everything it writes, across charts', () => {
  test('two charts writing the same policy name fail the synth with both construct paths, and write nothing', () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-app-'));
    const outdir = path.join(work, 'dist');
    const app = new NetpolApp({ outdir });
    new DefaultDeny(new Chart(app, 'one', { namespace: 'shop' }), 'default-deny');
    new DefaultDeny(new Chart(app, 'two', { namespace: 'shop' }), 'default-deny');
    expect(() => app.synth()).toThrow(/\[two\/default-deny\/Resource\] NetworkPolicy shop\/default-deny is also declared at \[one\/default-deny\/Resource\]: applying both keeps only the one applied last/);
    expect(fs.existsSync(outdir)).toBe(false);
    fs.rmSync(work, { recursive: true, force: true });
  });
});

describe('NetpolApp validates what cdk8s wrote, through cdk8s\'s supported API', () => {
  let work: string;
  let outdir: string;
  beforeEach(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-app-'));
    outdir = path.join(work, 'dist');
  });
  afterEach(() => {
    jest.restoreAllMocks();
    fs.rmSync(work, { recursive: true, force: true });
  });

  /** A NetworkPolicy as any cdk8s app may write one: a bare ApiObject, which no construct of this library checks. */
  const rawPolicy = (chart: Chart, id: string, name: string, spec: object) =>
    new ApiObject(chart, id, { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name }, spec });
  const BAD_PORT = { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Ingress'], ingress: [{ ports: [{ port: 70000 }] }] };
  const GOOD = { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Ingress'] };

  test('cdk8s writes into a staging directory next to the output directory (its outdir); outputDir is the output, and the staging directory is gone after the synth', () => {
    const app = new NetpolApp({ outdir, printWarnings: false });
    expect(app.outputDir).toBe(outdir);
    expect(app.outdir).not.toBe(outdir);
    expect(path.dirname(app.outdir)).toBe(work);
    expect(path.basename(app.outdir)).toMatch(/^\.dist\.staging-[0-9]+-[0-9a-f]{8}$/);
    let during: string[] = [];
    const chart = new Chart(app, 'shop', { namespace: 'shop' });
    new DefaultDeny(chart, 'default-deny');
    // A construct that writes a file of its own into the app's outdir during the synth: it lands in the output, listed.
    chart.node.addValidation({ validate: () => { during = fs.readdirSync(work); fs.writeFileSync(path.join(app.outdir, 'notes.txt'), 'mine'); return []; } });
    app.synth();
    expect(during).toEqual([path.basename(app.outdir)]);
    expect(fs.readdirSync(work)).toEqual(['dist']);
    expect(Object.keys(tree(outdir))).toEqual([LIST, 'notes.txt', 'shop.k8s.yaml']);
    app.synth(); // and again, into the same staging name
    expect(Object.keys(tree(outdir))).toEqual([LIST, 'notes.txt', 'shop.k8s.yaml']);
    expect(fs.readdirSync(work)).toEqual(['dist']);
  });

  test('without an outdir, the output directory is CDK8S_OUTDIR (which `cdk8s synth` sets), else dist, as for a cdk8s App', () => {
    const saved = process.env.CDK8S_OUTDIR;
    try {
      process.env.CDK8S_OUTDIR = outdir;
      const app = new NetpolApp({ printWarnings: false });
      expect(app.outputDir).toBe(outdir);
      expect(path.dirname(app.outdir)).toBe(work);
      new DefaultDeny(new Chart(app, 'shop', { namespace: 'shop' }), 'default-deny');
      app.synth();
      expect(Object.keys(tree(outdir))).toEqual([LIST, 'shop.k8s.yaml']);
      delete process.env.CDK8S_OUTDIR;
      expect(new NetpolApp().outputDir).toBe('dist');
      expect(path.dirname(new NetpolApp().outdir)).toBe('.');
    } finally {
      if (saved === undefined) delete process.env.CDK8S_OUTDIR;
      else process.env.CDK8S_OUTDIR = saved;
    }
  });

  test('a policy no construct checked (a raw ApiObject with port 70000) fails the synth from what was written: construct path, file:line, field; nothing is written', () => {
    const app = new NetpolApp({ outdir, printWarnings: false });
    const chart = new Chart(app, 'web-chart', { namespace: 'shop' });
    rawPolicy(chart, 'fine', 'fine', GOOD);
    rawPolicy(chart, 'deny-port', 'api-ingress', BAD_PORT);
    expect(() => app.synth()).toThrow(`NetworkPolicy validation failed; nothing was written to ${outdir}:\n  [web-chart/deny-port] shop/api-ingress (${path.join(outdir, 'web-chart.k8s.yaml')}:13): `
      + 'FieldValueInvalid spec.ingress[0].ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive.');
    expect(fs.readdirSync(work)).toEqual([]);
  });

  test('manifests are read back under the app\'s own file extension (outputFileExtension)', () => {
    const app = new NetpolApp({ outdir, printWarnings: false, outputFileExtension: '.manifest' });
    rawPolicy(new Chart(app, 'web-chart', { namespace: 'shop' }), 'deny-port', 'api-ingress', BAD_PORT);
    expect(() => app.synth()).toThrow(/\[web-chart\/deny-port\] shop\/api-ingress \(.*web-chart\.manifest:1\): FieldValueInvalid/);
    expect(fs.readdirSync(work)).toEqual([]);
  });

  test('if cdk8s wrote nothing (a release that stops writing into outdir), the synth fails loudly instead of validating nothing', () => {
    // What the old capture of chart.toJson() let through: no toJson call, so nothing to validate, so "valid".
    jest.spyOn(App.prototype, 'synth').mockImplementation(function (this: App) { fs.mkdirSync(this.outdir, { recursive: true }); });
    const app = new NetpolApp({ outdir, printWarnings: false });
    rawPolicy(new Chart(app, 'web-chart', { namespace: 'shop' }), 'deny-port', 'api-ingress', BAD_PORT);
    new DefaultDeny(new Chart(app, 'other', { namespace: 'shop' }), 'default-deny');
    expect(() => app.synth()).toThrow(`cdk8s-netpol: cdk8s wrote 0 of the app's 2 NetworkPolicy objects into ${app.outdir}; `
      + 'missing: [web-chart/deny-port] NetworkPolicy shop/api-ingress (chart web-chart), [other/default-deny/Resource/Resource] NetworkPolicy shop/default-deny (chart other). '
      + `An object that is not written cannot be validated, so nothing was written to ${outdir}.`);
    expect(fs.readdirSync(work)).toEqual([]);
  });

  test('if cdk8s wrote elsewhere (not into the App\'s outdir), the synth fails loudly', () => {
    const elsewhere = path.join(work, 'elsewhere');
    const original = App.prototype.synth;
    jest.spyOn(App.prototype, 'synth').mockImplementation(function (this: App) {
      fs.mkdirSync(this.outdir, { recursive: true });
      const app = new App({ outdir: elsewhere });
      rawPolicy(new Chart(app, 'web-chart', { namespace: 'shop' }), 'deny-port', 'api-ingress', BAD_PORT);
      original.call(app);
    });
    const app = new NetpolApp({ outdir, printWarnings: false });
    rawPolicy(new Chart(app, 'web-chart', { namespace: 'shop' }), 'deny-port', 'api-ingress', BAD_PORT);
    expect(() => app.synth()).toThrow(/^cdk8s-netpol: cdk8s wrote 0 of the app's 1 NetworkPolicy objects into .*; missing: \[web-chart\/deny-port\] NetworkPolicy shop\/api-ingress \(chart web-chart\)\. /);
    expect(fs.existsSync(outdir)).toBe(false);
  });

  test('a chart that renders none of its objects (an overridden toJson) fails the synth, naming what is missing', () => {
    class Hiding extends Chart {
      public toJson(): any[] {
        return [];
      }
    }
    const app = new NetpolApp({ outdir, printWarnings: false });
    new DefaultDeny(new Chart(app, 'shown', { namespace: 'shop' }), 'default-deny');
    rawPolicy(new Hiding(app, 'hidden', { namespace: 'shop' }), 'deny-port', 'api-ingress', BAD_PORT);
    expect(() => app.synth()).toThrow(/^cdk8s-netpol: cdk8s wrote 1 of the app's 2 NetworkPolicy objects into .*; missing: \[hidden\/deny-port\] NetworkPolicy shop\/api-ingress \(chart hidden\)\. .*an overridden Chart\.toJson\(\) must return them all/);
    expect(fs.existsSync(outdir)).toBe(false);
  });

  test('objects that one file name overwrites (FILE_PER_RESOURCE: kind and name, in two namespaces) are refused, not lost', () => {
    const app = new NetpolApp({ outdir, printWarnings: false, yamlOutputType: YamlOutputType.FILE_PER_RESOURCE });
    new DefaultDeny(new Chart(app, 'one', { namespace: 'shop' }), 'default-deny');
    new DefaultDeny(new Chart(app, 'two', { namespace: 'billing' }), 'default-deny');
    expect(() => app.synth()).toThrow(/^Validation failed with the following errors:\n {2}\[\] cdk8s-netpol: YamlOutputType\.FILE_PER_RESOURCE writes \[one\/default-deny\/Resource\/Resource\] NetworkPolicy shop\/default-deny \(chart one\) and \[two\/default-deny\/Resource\/Resource\] NetworkPolicy billing\/default-deny \(chart two\) to one file/);
    expect(fs.existsSync(outdir)).toBe(false);
  });

  test('the app\'s own output is read back without the limits for hostile input: an object nested 80 levels deep (more than the reader\'s 64) is written', () => {
    const app = new NetpolApp({ outdir, printWarnings: false });
    let deep: Record<string, unknown> = { leaf: 'value' };
    for (let i = 0; i < 80; i++) deep = { nested: deep };
    new ApiObject(new Chart(app, 'schemas', { namespace: 'shop' }), 'deep', { apiVersion: 'example.com/v1', kind: 'Schema', metadata: { name: 'deep' }, spec: deep });
    app.synth();
    expect(Object.keys(tree(outdir))).toEqual([LIST, 'schemas.k8s.yaml']);
  });

  test('with validate: false nothing is read back or checked', () => {
    const app = new NetpolApp({ outdir, printWarnings: false, validate: false });
    rawPolicy(new Chart(app, 'web-chart', { namespace: 'shop' }), 'deny-port', 'api-ingress', BAD_PORT);
    app.synth();
    expect(Object.keys(tree(outdir))).toEqual([LIST, 'web-chart.k8s.yaml']);
  });
});
