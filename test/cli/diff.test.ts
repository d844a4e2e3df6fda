import * as path from 'path';
import { netpol, policyYaml, tempDir } from './cli-harness';
import { againstPaths } from '../../src/cli/commands/diff';

const PODS = ['web', 'api', 'db'].map((n) => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${n}\n  namespace: shop\n  labels: { app: ${n} }\n`).join('---\n');
/** api accepts 8080 from web only: with it, db -> api on 8080 is denied. */
const API_FROM_WEB = policyYaml('api', '  podSelector: { matchLabels: { app: api } }\n  policyTypes: [Ingress]\n  ingress:\n    - from: [{ podSelector: { matchLabels: { app: web } } }]\n      ports: [{ port: 8080 }]\n');
/** db accepts nothing. */
const DB_DENY = policyYaml('db', '  podSelector: { matchLabels: { app: db } }\n  policyTypes: [Ingress]\n');

describe('netpol diff --against: every path up to the next option is on the after side', () => {
  const dir = tempDir({ 'pods.yaml': PODS, 'api.yaml': API_FROM_WEB, 'db.yaml': DB_DENY });
  const f = (name: string) => path.join(dir, name);
  const pairs = (changes: any[]) => changes.map((c) => `${c.from} -> ${c.to}`);
  const diff = (args: string[]) => {
    const r = netpol(['diff', ...args, '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout);
  };

  test('--against a b c: b and c are after paths, and the before side keeps only its own', () => {
    // Before: the pods alone. After: the pods and both policies, so connections into api and db
    // close and nothing opens. Had api.yaml or db.yaml gone to the before side, its connections
    // would show as opened.
    const out = diff([f('pods.yaml'), '--against', f('pods.yaml'), f('api.yaml'), f('db.yaml')]);
    expect(pairs(out.closed)).toEqual(['shop/api -> shop/db', 'shop/db -> shop/api', 'shop/web -> shop/api', 'shop/web -> shop/db']);
    expect(out.closed.find((c: any) => c.from === 'shop/db' && c.to === 'shop/api').after.ingress.isolatedBy).toEqual(['shop/api']);
    expect(out.opened).toEqual([]);
    expect(out.summary).toEqual({ opened: 0, closed: 4, addedEndpoints: 0, removedEndpoints: 0 });
    // The repeated form, and --against=path followed by more paths, mean the same.
    expect(diff([f('pods.yaml'), '--against', f('pods.yaml'), '--against', f('api.yaml'), '--against', f('db.yaml')])).toEqual(out);
    expect(diff([f('pods.yaml'), `--against=${f('pods.yaml')}`, f('api.yaml'), f('db.yaml')])).toEqual(out);
  });

  test('an option ends the after paths; a path after it is a before path again', () => {
    const out = diff([f('pods.yaml'), '--against', f('pods.yaml'), '--max-file-size', '64', f('api.yaml')]);
    expect(pairs(out.opened)).toEqual(['shop/db -> shop/api', 'shop/web -> shop/api']);
    expect(out.closed).toEqual([]);
  });

  test('- (standard input) is a path, not an option', () => {
    const r = netpol(['diff', f('pods.yaml'), '--against', '-', f('api.yaml'), '--format', 'json'], PODS);
    expect(r.code).toBe(0);
    expect(pairs(JSON.parse(r.stdout).closed)).toEqual(['shop/db -> shop/api', 'shop/web -> shop/api']);
  });

  test('the arguments as rewritten for the parser', () => {
    expect(againstPaths(['a', '--against', 'b', 'c', '--format', 'json', 'd'])).toEqual(['a', '--against', 'b', '--against', 'c', '--format', 'json', 'd']);
    expect(againstPaths(['a', '--against=b', 'c', '-h'])).toEqual(['a', '--against=b', '--against', 'c', '-h']);
    expect(againstPaths(['a', '--against', 'b', '--', 'c'])).toEqual(['a', '--against', 'b', '--', 'c']);
    expect(againstPaths(['a', '--against'])).toEqual(['a', '--against']);
  });

  test('no before paths: a usage error that says where the before paths go', () => {
    const r = netpol(['diff', '--against', f('pods.yaml'), f('api.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('give the manifests before the change and, with --against, after it');
    expect(r.stderr).toContain('put the before paths first');
    expect(netpol(['diff', f('pods.yaml'), '--against'])).toMatchObject({ code: 2, stderr: expect.stringContaining("Option '--against <value>' argument missing") });
  });
});

describe('netpol diff --group-by: counts per pair of groups, equal to the connection lists', () => {
  const pod = (ns: string, name: string, app: string) => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n  namespace: ${ns}\n  labels: { app: ${app} }\n`;
  const pods = [pod('shop', 'web-1', 'web'), pod('shop', 'web-2', 'web'), pod('shop', 'api', 'api'), pod('pay', 'gw-1', 'gw'), pod('pay', 'gw-2', 'gw')].join('---\n');
  // After: pay's gateways accept only shop's web pods on 8443, and shop's api accepts nothing.
  const gwPolicy = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: gw, namespace: pay }\nspec:\n  podSelector: { matchLabels: { app: gw } }\n'
    + '  policyTypes: [Ingress]\n  ingress:\n    - from: [{ namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: shop } }, podSelector: { matchLabels: { app: web } } }]\n      ports: [{ port: 8443 }]\n';
  const apiPolicy = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: api, namespace: shop }\nspec:\n  podSelector: { matchLabels: { app: api } }\n  policyTypes: [Ingress]\n';
  const dir = tempDir({ 'pods.yaml': pods, 'gw.yaml': gwPolicy, 'api.yaml': apiPolicy });
  const f = (name: string) => path.join(dir, name);
  const args = [f('pods.yaml'), '--against', f('pods.yaml'), f('gw.yaml'), f('api.yaml')];

  test('by namespace: the connections of the lists, counted per namespace pair; JSON streamed with the same counts', () => {
    const full = JSON.parse(netpol(['diff', ...args, '--format', 'json']).stdout);
    const expected = new Map<string, { opened: number; closed: number }>();
    for (const [kind, list] of [['opened', full.opened], ['closed', full.closed]] as const) {
      for (const c of list) {
        const key = `${c.from.split('/')[0]} -> ${c.to.split('/')[0]}`;
        const cell = expected.get(key) ?? { opened: 0, closed: 0 };
        cell[kind]++;
        expected.set(key, cell);
      }
    }
    const r = netpol(['diff', ...args, '--group-by', 'namespace', '--format', 'json']);
    expect(r.code).toBe(0);
    const grouped = JSON.parse(r.stdout);
    expect(grouped.groupBy).toBe('namespace');
    expect(grouped.groups).toEqual([{ name: 'pay', endpoints: 2, first: 'pay/gw-1' }, { name: 'shop', endpoints: 3, first: 'shop/web-1' }]);
    expect(grouped.opened).toBe(full.opened.length);
    expect(grouped.closed).toBe(full.closed.length);
    expect(new Map(grouped.cells.map((c: any) => [`${c.from} -> ${c.to}`, { opened: c.opened, closed: c.closed }]))).toEqual(expected);
    // shop -> pay: closed on every port but 8443 for web, on every port for api; opened nowhere.
    expect(expected.get('shop -> pay')).toEqual({ opened: 0, closed: 6 });
    // A gateway to the other is closed too (the pods of pay are not shop's web), but not to itself (loopback).
    expect(expected.get('pay -> pay')).toEqual({ opened: 0, closed: 2 });
    expect(expected.get('pay -> shop')).toEqual({ opened: 0, closed: 2 });
    expect(expected.get('shop -> shop')).toEqual({ opened: 0, closed: 2 });
    const text = netpol(['diff', ...args, '--group-by', 'namespace']).stdout;
    expect(text).toContain('0 connections opened, 12 closed, 0 endpoints added, 0 removed');
    expect(text).toContain('shop -> pay: 0 opened, 6 closed');
    expect(text).toContain('pay -> shop: 0 opened, 2 closed');
  });

  test('by class: the same totals; --fail-on any fails on the counts; --allow and other formats are refused', () => {
    const classes = JSON.parse(netpol(['diff', ...args, '--group-by', 'class', '--format', 'json']).stdout);
    const sum = (k: string) => classes.cells.reduce((n: number, c: any) => n + c[k], 0);
    expect([sum('opened'), sum('closed')]).toEqual([0, 12]);
    expect(classes.groups.map((g: any) => g.endpoints).reduce((a: number, b: number) => a + b, 0)).toBe(5);
    expect(netpol(['diff', ...args, '--group-by', 'class', '--fail-on', 'opened']).code).toBe(0);
    const failed = netpol(['diff', ...args, '--group-by', 'class', '--fail-on', 'any']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('--fail-on any: 0 connections opened, 12 closed');
    expect(netpol(['diff', ...args, '--group-by', 'namespace', '--format', 'markdown'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--group-by prints text or json') });
    expect(netpol(['diff', ...args, '--group-by', 'namespace', '--allow', f('gw.yaml')])).toMatchObject({ code: 2, stderr: expect.stringContaining('--allow names connections') });
    expect(netpol(['diff', ...args, '--group-by', 'pod']).stderr).toContain('--group-by "pod" is not supported. Use one of: namespace, class.');
  });
});

describe('netpol diff: a change of layer-7 rules fails the gate', () => {
  const cnp = (rules: string) => 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: { name: b-in, namespace: default }\nspec:\n'
    + '  endpointSelector: { matchLabels: { app: b } }\n'
    + `  ingress:\n    - fromEndpoints: [{ matchLabels: { app: a } }]\n      toPorts: [{ ports: [{ port: "443", protocol: TCP }]${rules} }]\n`;
  const pods = ['a', 'b'].map((n) => `apiVersion: v1\nkind: Pod\nmetadata: { name: ${n}, namespace: default, labels: { app: ${n} } }\nspec: { nodeName: n1, containers: [{ name: c }] }\n`).join('---\n');
  const dir = tempDir({
    'pods.yaml': pods,
    'http.yaml': cnp(', rules: { http: [{ method: GET, path: /v1/health }] }'),
    'plain.yaml': cnp(''),
    'allow.yaml': '- { change: l7-changed, from: default/a, to: default/b }\n',
  });
  const f = (name: string) => path.join(dir, name);
  const args = [f('pods.yaml'), f('http.yaml'), '--against', f('pods.yaml'), f('plain.yaml')];

  test('--fail-on opened fails on removed HTTP rules, names them, and an allow-list entry l7-changed lets it pass', () => {
    const failed = netpol(['diff', ...args, '--fail-on', 'opened']);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('0 connections opened, 0 closed, 1 changed at layer 7');
    expect(failed.stdout).toContain('default/a -> default/b on 443/TCP');
    expect(failed.stderr).toContain('--fail-on opened: 1 unexpected change (first: default/a -> default/b on 443/TCP)');
    expect(netpol(['diff', ...args, '--fail-on', 'opened', '--allow', f('allow.yaml')]).code).toBe(0);
    // Without --fail-on it is reported, not gated; the same manifests on both sides are no change.
    expect(netpol(['diff', ...args]).code).toBe(0);
    expect(netpol(['diff', f('pods.yaml'), f('http.yaml'), '--against', f('pods.yaml'), f('http.yaml'), '--fail-on', 'any']).code).toBe(0);
  });

  test('--group-by says that it compares layer 3/4 only', () => {
    const r = netpol(['diff', ...args, '--group-by', 'namespace']);
    expect(r.stderr).toContain('--group-by compares layer 3/4 only');
  });
});
