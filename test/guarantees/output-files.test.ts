import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, AppProps, Chart, Names, Yaml, YamlOutputType } from 'cdk8s';
import { ApplicationStack, DefaultDeny, NetpolApp, Port } from '../../src';

/**
 * Item 1 of the hostile review: cdk8s names a file per object (FILE_PER_RESOURCE, and
 * FOLDER_PER_CHART_FILE_PER_RESOURCE within a chart's folder) by `<kind>.<name>` alone, and a file
 * per chart by the chart's DNS label; two writers of one file overwrite each other without a word.
 * The synth refuses that before anything is written, under a plain App as under NetpolApp, and
 * writes every object otherwise.
 */
let work: string;
beforeEach(() => { work = fs.mkdtempSync(path.join(os.tmpdir(), 'output-files-')); });
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

/** Every file below `dir`, relative, sorted. */
function files(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const f = path.join(d, e.name);
      if (e.isDirectory()) walk(f);
      else out.push(path.relative(dir, f));
    }
  };
  walk(dir);
  return out.sort();
}

/** `kind namespace/name` of every object written below `dir`. */
function written(dir: string): string[] {
  return files(dir).flatMap((f) => Yaml.load(path.join(dir, f)))
    .filter((o) => o)
    .map((o) => `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`).sort();
}

/** `kind namespace/name` of every object the app declares. */
function declared(app: App): string[] {
  return app.node.findAll().filter((c): c is ApiObject => ApiObject.isApiObject(c))
    .map((o) => `${o.kind} ${o.metadata.namespace ?? ''}/${o.name}`).sort();
}

/** A stack in namespace shop with a service in namespace billing: default-deny and allow-dns in each. */
function twoNamespaceStack(app: App): ApplicationStack {
  const stack = new ApplicationStack(app, 'shop', { namespace: 'shop' });
  const web = stack.addService('web', { labels: { app: 'web' } });
  const api = stack.addService('api', { labels: { app: 'api' }, namespace: 'billing' });
  stack.allow(web, api, Port.tcp(8080));
  return stack;
}

const plainApp = (yamlOutputType: YamlOutputType, props: AppProps = {}) => new App({ outdir: path.join(work, 'dist'), yamlOutputType, ...props });

describe('objects that would share a file are refused before anything is written', () => {
  test('FILE_PER_RESOURCE: a stack with services in two namespaces (default-deny and allow-dns in each)', () => {
    const app = plainApp(YamlOutputType.FILE_PER_RESOURCE);
    twoNamespaceStack(app);
    let message = '';
    try {
      app.synth();
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^Validation failed with the following errors:\n {2}\[\] cdk8s-netpol: YamlOutputType\.FILE_PER_RESOURCE writes \[shop\/NetworkPolicies\/shop\.default-deny\/Resource\/Resource\] NetworkPolicy shop\/default-deny \(chart shop\) and \[shop\/NetworkPolicies\/billing\.default-deny\/Resource\/Resource\] NetworkPolicy billing\/default-deny \(chart shop\) to one file, NetworkPolicy\.default-deny\.k8s\.yaml: the one written last would overwrite the other, and what it held would be lost without a word\./);
    expect(message).toMatch(/NetworkPolicy shop\/allow-dns \(chart shop\) and .* NetworkPolicy billing\/allow-dns \(chart shop\) to one file, NetworkPolicy\.allow-dns\.k8s\.yaml/);
    expect(message).toMatch(/Use YamlOutputType\.FILE_PER_CHART or FILE_PER_APP, or give one of them another name\./);
    expect(files(path.join(work, 'dist'))).toEqual([]);
  });

  test('FILE_PER_RESOURCE: one name in two namespaces of two charts', () => {
    const app = plainApp(YamlOutputType.FILE_PER_RESOURCE);
    new DefaultDeny(new Chart(app, 'one', { namespace: 'shop' }), 'default-deny');
    new DefaultDeny(new Chart(app, 'two', { namespace: 'billing' }), 'default-deny');
    expect(() => app.synth()).toThrow(/writes \[one\/default-deny\/Resource\/Resource\] NetworkPolicy shop\/default-deny \(chart one\) and \[two\/default-deny\/Resource\/Resource\] NetworkPolicy billing\/default-deny \(chart two\) to one file/);
    expect(files(path.join(work, 'dist'))).toEqual([]);
  });

  test('FILE_PER_RESOURCE: names that cdk8s\'s file naming makes equal (characters it drops, letter case)', () => {
    const app = plainApp(YamlOutputType.FILE_PER_RESOURCE);
    const chart = new Chart(app, 'rbac');
    new DefaultDeny(new Chart(app, 'shop', { namespace: 'shop' }), 'default-deny');
    new ApiObject(chart, 'a', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'system:reader' } });
    new ApiObject(chart, 'b', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'systemreader' } });
    new ApiObject(chart, 'c', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'Writer' } });
    new ApiObject(chart, 'd', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'writer' } });
    let message = '';
    try {
      app.synth();
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/\[rbac\/a\] ClusterRole system:reader \(chart rbac\) and \[rbac\/b\] ClusterRole systemreader \(chart rbac\) to one file, ClusterRole\.systemreader\.k8s\.yaml/);
    expect(message).toMatch(/\[rbac\/c\] ClusterRole Writer \(chart rbac\) and \[rbac\/d\] ClusterRole writer \(chart rbac\) to files whose names differ only in letter case \(ClusterRole\.Writer\.k8s\.yaml, ClusterRole\.writer\.k8s\.yaml\), one file on a case-insensitive file system/);
    expect(files(path.join(work, 'dist'))).toEqual([]);
  });

  test('FOLDER_PER_CHART_FILE_PER_RESOURCE: within a chart\'s folder (the stack), not across two charts', () => {
    const app = plainApp(YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE);
    twoNamespaceStack(app);
    expect(() => app.synth()).toThrow(/YamlOutputType\.FOLDER_PER_CHART_FILE_PER_RESOURCE writes .*NetworkPolicy shop\/default-deny \(chart shop\) and .*NetworkPolicy billing\/default-deny \(chart shop\) to one file, shop\/NetworkPolicy\.default-deny\.k8s\.yaml: .* put them in charts of their own, or give one of them another name\./);
    expect(files(path.join(work, 'dist'))).toEqual([]);

    const apart = plainApp(YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE, { outdir: path.join(work, 'apart') });
    new DefaultDeny(new Chart(apart, 'one', { namespace: 'shop' }), 'default-deny');
    new DefaultDeny(new Chart(apart, 'two', { namespace: 'billing' }), 'default-deny');
    apart.synth();
    expect(files(path.join(work, 'apart'))).toEqual(['one/NetworkPolicy.default-deny.k8s.yaml', 'two/NetworkPolicy.default-deny.k8s.yaml']);
    expect(written(path.join(work, 'apart'))).toEqual(declared(apart));
  });

  test('FOLDER_PER_CHART_FILE_PER_RESOURCE with dependent charts (index prefixes): a folder per chart, collisions within one', () => {
    const app = plainApp(YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE);
    const parent = new Chart(app, 'parent', { namespace: 'shop' });
    new DefaultDeny(parent, 'default-deny');
    new DefaultDeny(new Chart(parent, 'child', { namespace: 'billing' }), 'default-deny');
    app.synth();
    expect(files(path.join(work, 'dist'))).toHaveLength(2);
    expect(files(path.join(work, 'dist')).every((f) => /^000[01]-/.test(f))).toBe(true);
    expect(written(path.join(work, 'dist'))).toEqual(declared(app));

    const clash = plainApp(YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE, { outdir: path.join(work, 'clash') });
    const p = new Chart(clash, 'parent', { namespace: 'shop' });
    new DefaultDeny(new Chart(p, 'child', { namespace: 'billing' }), 'default-deny');
    new DefaultDeny(p, 'default-deny');
    new DefaultDeny(p, 'other', { namespace: 'billing', name: 'default-deny' });
    expect(() => clash.synth()).toThrow(/writes \[parent\/default-deny\/Resource\/Resource\] NetworkPolicy shop\/default-deny \(chart parent\) and \[parent\/other\/Resource\/Resource\] NetworkPolicy billing\/default-deny \(chart parent\) to one file, NetworkPolicy\.default-deny\.k8s\.yaml in the folder of chart parent:/);
  });

  test('FILE_PER_CHART: two charts whose DNS labels are equal (a chart id that spells another chart\'s hashed label)', () => {
    const app = plainApp(YamlOutputType.FILE_PER_CHART);
    const hashed = new Chart(app, 'Shop', { namespace: 'shop' });
    new DefaultDeny(hashed, 'default-deny');
    new DefaultDeny(new Chart(app, Names.toDnsLabel(hashed), { namespace: 'billing' }), 'default-deny');
    expect(() => app.synth()).toThrow(new RegExp(`YamlOutputType\\.FILE_PER_CHART writes chart Shop and chart ${Names.toDnsLabel(hashed)} to one file, ${Names.toDnsLabel(hashed)}\\.k8s\\.yaml`));
    expect(files(path.join(work, 'dist'))).toEqual([]);
  });

  test.each(['FILE_PER_CHART', 'FILE_PER_APP'] as const)('%s: the stack in two namespaces is written in full', (type) => {
    const app = plainApp(YamlOutputType[type]);
    twoNamespaceStack(app);
    app.synth();
    expect(written(path.join(work, 'dist'))).toEqual(declared(app));
    expect(declared(app)).toHaveLength(6);
  });

  test('NetpolApp refuses it in the synth-time check, before staging anything, and keeps the previous output', () => {
    const outdir = path.join(work, 'netpol');
    const good = new NetpolApp({ outdir, printWarnings: false, yamlOutputType: YamlOutputType.FILE_PER_RESOURCE });
    new DefaultDeny(new Chart(good, 'one', { namespace: 'shop' }), 'default-deny');
    good.synth();
    const before = files(outdir);
    const app = new NetpolApp({ outdir, printWarnings: false, yamlOutputType: YamlOutputType.FILE_PER_RESOURCE });
    twoNamespaceStack(app);
    expect(() => app.synth()).toThrow(/^Validation failed with the following errors:\n {2}\[\] cdk8s-netpol: YamlOutputType\.FILE_PER_RESOURCE writes /);
    expect(files(outdir)).toEqual(before);
    expect(fs.readdirSync(work).sort()).toEqual(['netpol']);
  });
});
