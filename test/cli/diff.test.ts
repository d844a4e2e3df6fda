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
