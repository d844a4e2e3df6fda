import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

// The npm package holds the library and nothing else. By default this lists what `npm pack` would
// put in the tarball (it needs lib/ compiled: `npm test` compiles first); with NETPOL_TARBALL set to
// a built tarball (CI: dist/js/*.tgz from jsii-pacmak) it lists that file instead.
const ROOT = path.join(__dirname, '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

function tarballFiles(): string[] {
  const tarball = process.env.NETPOL_TARBALL;
  if (tarball) {
    return execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n')
      .filter((line) => line !== '' && !line.endsWith('/'))
      .map((line) => line.replace(/^package\//, ''));
  }
  if (!fs.existsSync(path.join(ROOT, 'lib', 'index.js')) || !fs.existsSync(path.join(ROOT, '.jsii'))) {
    throw new Error('lib/ or .jsii is missing: compile first (`npx projen compile`; `npm test` does it before jest).');
  }
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return (JSON.parse(out) as Array<{ files: Array<{ path: string }> }>)[0].files.map((f) => f.path);
}

/** Every file below `dir` (relative to ROOT, `/` separators) whose name passes `keep`. */
function filesOnDisk(dir: string, keep: (name: string) => boolean): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const relative = `${dir}/${entry.name}`;
    if (entry.isDirectory()) out.push(...filesOnDisk(relative, keep));
    else if (keep(entry.name)) out.push(relative);
  }
  return out;
}

/** The bundled dependencies and, transitively, their dependencies (all travel in the tarball). */
function bundleClosure(): string[] {
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    const dep = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8'));
    Object.keys(dep.dependencies ?? {}).forEach(visit);
  };
  (manifest.bundledDependencies as string[]).forEach(visit);
  return [...seen].sort();
}

const files = tarballFiles();
const sorted = (list: Iterable<string>) => [...list].sort();

test('the package holds exactly lib/, the jsii assembly, README.md, API.md, LICENSE, package.json and the bundled dependencies', () => {
  expect(sorted(new Set(files.map((f) => f.split('/')[0])))).toEqual(
    ['.jsii', 'API.md', 'LICENSE', 'README.md', 'lib', 'node_modules', 'package.json']);
});

test('no file of the repository outside the library is in it (bench, scripts, examples, CI, tests, sources, docs)', () => {
  for (const dir of ['bench/', 'scripts/', 'examples/', '.ci/', 'test/', 'src/', 'docs/', 'projenrc/', '.projen/', '.github/', 'dist/', 'coverage/']) {
    expect(files.filter((f) => f.startsWith(dir))).toEqual([]);
  }
  expect(files.filter((f) => /(^|\/)(tsconfig\.json|\.projenrc\.ts|\.eslintrc\.json|\.gitignore|\.npmignore)$/.test(f))).toEqual([]);
  expect(files.filter((f) => f.startsWith('lib/') && !/\.(js|d\.ts)$/.test(f))).toEqual([]);
});

test('lib/ is in it whole: every compiled .js and .d.ts file', () => {
  const compiled = filesOnDisk('lib', (name) => name.endsWith('.js') || name.endsWith('.d.ts'));
  expect(compiled.length).toBeGreaterThan(0);
  expect(sorted(files.filter((f) => f.startsWith('lib/')))).toEqual(sorted(compiled));
});

test('the jsii assembly is in it (consumers in every jsii language need it), and what package.json points at', () => {
  expect(files).toContain('.jsii');
  expect(files).toContain(manifest.main);
  expect(files).toContain(manifest.types);
  for (const bin of Object.values(manifest.bin as Record<string, string>)) expect(files).toContain(bin);
});

test('node_modules/ holds the bundled dependencies and their dependencies only', () => {
  const bundled = sorted(new Set(files.filter((f) => f.startsWith('node_modules/')).map((f) => f.split('/')[1])));
  expect(bundleClosure()).toContain('js-yaml');
  expect(bundled).toEqual(bundleClosure());
});
