import * as fs from 'fs';
import * as path from 'path';
import * as semver from 'semver';

// One Node.js version, the lowest the whole toolchain accepts, is the package's engines, what the
// workflows run (so CI proves the minimum works) and what the README tells a new user.
const ROOT = path.join(__dirname, '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const minimum = /^>= (\d+\.\d+\.\d+)$/.exec(manifest.engines?.node ?? '')?.[1];

/** name@version -> engines.node of every package installed below `dir` (nested node_modules too). */
function installedEngines(dir: string, out = new Map<string, string>()): Map<string, string> {
  if (!fs.existsSync(dir)) return out;
  for (const entry of fs.readdirSync(dir).sort()) {
    if (entry.startsWith('.')) continue;
    const full = path.join(dir, entry);
    if (entry.startsWith('@')) {
      installedEngines(full, out);
      continue;
    }
    const file = path.join(full, 'package.json');
    if (!fs.existsSync(file)) continue;
    const pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (typeof pkg.engines?.node === 'string') out.set(`${pkg.name}@${pkg.version} (${path.relative(ROOT, full)})`, pkg.engines.node);
    installedEngines(path.join(full, 'node_modules'), out);
  }
  return out;
}

test('package.json declares a minimum Node.js version (engines.node ">= x.y.z")', () => {
  expect(minimum).toBeDefined();
});

test('every installed package (jsii, jsii-rosetta, jsii-pacmak, TypeScript, the lint and test tools) accepts that minimum', () => {
  const engines = installedEngines(path.join(ROOT, 'node_modules'));
  for (const tool of ['jsii', 'jsii-rosetta', 'jsii-pacmak', 'typescript']) {
    expect([...engines.keys()].some((k) => k.startsWith(`${tool}@`))).toBe(true);
  }
  const refusing = [...engines].filter(([, range]) => !semver.satisfies(minimum!, range)).map(([pkg, range]) => `${pkg} needs ${range}`);
  expect(refusing).toEqual([]);
});

test('the minimum is tight: the toolchain refuses the patch release below it', () => {
  const below = semver.parse(minimum!)!;
  const previous = below.patch > 0 ? `${below.major}.${below.minor}.${below.patch - 1}` : `${below.major}.${below.minor - 1}.99`;
  const engines = [...installedEngines(path.join(ROOT, 'node_modules')).values()];
  expect(engines.some((range) => !semver.satisfies(previous, range))).toBe(true);
});

test('every workflow runs that exact Node.js version', () => {
  const dir = path.join(ROOT, '.github', 'workflows');
  const versions = fs.readdirSync(dir).filter((f) => f.endsWith('.yml')).flatMap((f) => {
    const text = fs.readFileSync(path.join(dir, f), 'utf8');
    return [...text.matchAll(/node-version: *"?([^"\s]+)"?/g)].map((m) => `${f}: ${m[1]}`);
  });
  expect(versions.length).toBeGreaterThan(0);
  expect(versions.filter((v) => !v.endsWith(`: ${minimum}`))).toEqual([]);
});

test('the README states the same minimum wherever it names a Node.js version', () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const stated = [...readme.matchAll(/Node(?:\.js)? (\d+(?:\.\d+)*)\+/g)].map((m) => m[1]);
  const { major, minor } = semver.parse(minimum!)!;
  expect(stated.length).toBeGreaterThan(0);
  expect(stated.filter((v) => v !== `${major}.${minor}`)).toEqual([]);
});
