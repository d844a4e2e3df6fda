import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { netpol, policyYaml, tempDir } from './cli-harness';

/**
 * Hostile and broken input: each case gives a clear message (file, and line where known), exit 2 for
 * unreadable input or 1 for invalid policies, never a stack trace and never a hang. The jest timeout
 * bounds the time; the large and exploding inputs run in a child process with a capped heap, which
 * bounds the memory (exceeding it would crash the child and fail the test).
 */
const ROOT = path.join(__dirname, '..', '..');
const VALID = policyYaml('ok', '  podSelector: {}\n  policyTypes: [Ingress]\n');

function netpolProcess(args: string[], maxHeapMiB = 512) {
  const r = spawnSync(process.execPath, [`--max-old-space-size=${maxHeapMiB}`, '-r', 'ts-node/register/transpile-only', path.join(ROOT, 'src/cli/main.ts'), ...args], {
    cwd: ROOT, encoding: 'utf8', env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, 'test/tsconfig.json') }, maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, signal: r.signal };
}

describe('bad input to the CLI', () => {
  test('malformed YAML: file and line, exit 2', () => {
    const dir = tempDir({ 'bad.yaml': `${VALID}---\napiVersion: v1\nkind: ConfigMap\nmetadata: { name: x\n` });
    const r = netpol(['validate', path.join(dir, 'bad.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`${path.join(dir, 'bad.yaml').replace(/[/.]/g, '\\$&')}:1[0-9]: cannot parse YAML: `));
  });

  test('duplicate keys are an error, not a silent override', () => {
    const dir = tempDir({ 'dup.yaml': `${VALID}  ingress: []\n  ingress: [{}]\n` });
    const r = netpol(['validate', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('cannot parse YAML: duplicated mapping key');
  });

  test('a binary file and invalid UTF-8: exit 2', () => {
    const dir = tempDir({ 'bin.yaml': Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x00, 0x01, 0x02]), 'latin1.yaml': Buffer.from([0x61, 0x3a, 0x20, 0xe9, 0x0a]) });
    const r = netpol(['validate', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${path.join(dir, 'bin.yaml')}: not a text file (it contains NUL bytes)`);
    expect(r.stderr).toContain(`${path.join(dir, 'latin1.yaml')}: not valid UTF-8 text`);
  });

  test('an empty file, and only other kinds: nothing to check, exit 0 with a warning', () => {
    const dir = tempDir({ 'empty.yaml': '', 'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c }\n---\nkind: Unknown\nfoo: bar\n' });
    const r = netpol(['validate', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('checked 0 NetworkPolicies in 2 files');
    expect(r.stderr).toBe('warning: no NetworkPolicy found in the input (read 2 files: ConfigMap x1, Unknown x1); is the path right?\n');
  });

  test('a missing path: exit 2', () => {
    const r = netpol(['validate', '/nonexistent/dist']);
    expect(r).toMatchObject({ code: 2, stderr: '/nonexistent/dist: no such file or directory\n' });
  });

  test('wrong types: reported at the field, exit 1', () => {
    const dir = tempDir({
      'types.yaml': [
        policyYaml('selector-list', '  podSelector: []\n'),
        policyYaml('port-bool', '  podSelector: {}\n  ingress: [{ ports: [{ port: true }] }]\n'),
        policyYaml('port-quoted-number', '  podSelector: {}\n  ingress: [{ ports: [{ port: "80" }] }]\n'),
        policyYaml('label-yes', '  podSelector: { matchLabels: { enabled: yes } }\n'),
        policyYaml('port-name', '  podSelector: {}\n  ingress: [{ ports: [{ port: "abc" }] }]\n'),
      ].join('---\n'),
    });
    const out = JSON.parse(netpol(['validate', dir, '--format', 'json']).stdout);
    const byObject = (name: string) => out.findings.filter((f: any) => f.object === `shop/${name}` && f.severity === 'error').map((f: any) => `${f.code} ${f.field}`);
    expect(byObject('selector-list')).toEqual(['FieldValueTypeInvalid spec.podSelector']);
    expect(byObject('port-bool')).toEqual(['FieldValueTypeInvalid spec.ingress[0].ports[0].port']);
    expect(byObject('port-quoted-number')).toEqual(['FieldValueInvalid spec.ingress[0].ports[0].port']);
    expect(byObject('label-yes')).toEqual(['FieldValueTypeInvalid spec.podSelector.matchLabels']);
    // "abc" is a valid IANA port name, so the API server accepts it as a named port.
    expect(byObject('port-name')).toEqual([]);
    expect(netpol(['validate', dir]).code).toBe(1);
  });

  test('deeply nested documents: refused without a stack overflow, exit 2', () => {
    const dir = tempDir({
      'flow.yaml': `${'['.repeat(200_000)}${']'.repeat(200_000)}\n`,
      'block.yaml': Array.from({ length: 100 }, (_, i) => `${'  '.repeat(i)}k${i}:`).join('\n') + ' x\n',
      'deep.json': `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`,
    });
    const r = netpol(['validate', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${path.join(dir, 'flow.yaml')}`);
    expect(r.stderr).toMatch(/block\.yaml:\d+: cannot parse YAML: nesting exceeded maxDepth/);
    expect(r.stderr).toMatch(/deep\.json(:1)?: nested (too deeply|more than 64 levels)/);
  });

  test('a YAML alias bomb ("billion laughs") is refused quickly, in bounded memory', () => {
    const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++) {
      const prev = String.fromCharCode(96 + i);
      const cur = String.fromCharCode(97 + i);
      lines.push(`${cur}: &${cur} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const dir = tempDir({ 'bomb.yaml': `${lines.join('\n')}\n` });
    const r = netpolProcess(['validate', dir], 256);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('bomb.yaml:1: expands to far more data than the file holds (YAML aliases used as an alias bomb?)');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  test('a 50 MB file is read and checked in bounded memory', () => {
    const doc = (i: number) => policyYaml(`p${i}`, `  podSelector: { matchLabels: { app: a${i} } }\n  policyTypes: [Ingress]\n  ingress:\n    - from: [{ podSelector: { matchLabels: { app: b${i} } } }]\n      ports: [{ port: 8080, protocol: TCP }]\n`, `ns${i % 50}`);
    const docs: string[] = [];
    let size = 0;
    for (let i = 0; size < 50 * 1024 * 1024; i++) {
      const d = doc(i);
      docs.push(d);
      size += d.length + 4;
    }
    const dir = tempDir({ 'big.yaml': docs.join('---\n') });
    expect(fs.statSync(path.join(dir, 'big.yaml')).size).toBeGreaterThan(50 * 1024 * 1024);
    const r = netpolProcess(['validate', dir], 1536);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`checked ${docs.length} NetworkPolicies in 1 file: 0 errors`);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a file over the size limit is refused with the limit and how to raise it', () => {
    const dir = tempDir({ 'a.yaml': VALID.repeat(10) });
    const r = netpol(['validate', dir, '--max-file-size', '0.0001']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/a\.yaml: file is \d+ bytes, larger than the limit of 104 bytes; split it, or raise the limit with --max-file-size/);
  });

  test('a directory with thousands of files', () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 3000; i++) files[`d${i % 10}/p${i}.yaml`] = policyYaml(`p${i}`, '  podSelector: {}\n  policyTypes: [Ingress]\n', `ns${i}`);
    files['d0/notes.txt'] = 'not a manifest';
    const dir = tempDir(files);
    const r = netpol(['validate', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('checked 3000 NetworkPolicies in 3000 files: 0 errors');
  });

  test('the real binary never prints a stack trace, even on an internal error path', () => {
    const r = netpolProcess(['validate', '/nonexistent']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('/nonexistent: no such file or directory\n');
    const usage = netpolProcess(['explain', '--port', 'x'], 256);
    expect(usage.code).toBe(2);
    expect(usage.stderr).not.toMatch(/\n\s+at /);
  });
});
