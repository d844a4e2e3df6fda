import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { netpol } from './cli-harness';

const ROOT = path.join(__dirname, '..', '..');
const VERSION = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;

describe('netpol --version', () => {
  test('prints the version of package.json and exits 0', () => {
    expect(VERSION).toMatch(/^\d+\.\d+\.\d+/);
    expect(netpol(['--version'])).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
    expect(netpol(['-v'])).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
    expect(netpol(['--help']).stdout).toContain("'netpol --version'");
  });

  test('the real binary finds package.json next to its code, from any working directory', () => {
    const r = spawnSync(process.execPath, ['-r', require.resolve('ts-node/register/transpile-only'), path.join(ROOT, 'src/cli/main.ts'), '--version'], {
      cwd: os.tmpdir(), encoding: 'utf8', env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, 'test/tsconfig.json') },
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`${VERSION}\n`);
  });

  test('a command does not take --version', () => {
    expect(netpol(['validate', '--version'])).toMatchObject({ code: 2, stderr: expect.stringContaining("Unknown option '--version'") });
  });
});
