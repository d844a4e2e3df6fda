import * as fs from 'fs';
import * as path from 'path';

// The library is a construct library for every jsii language, like the cdk8s-team libraries it
// builds on. That jsii-pacmak really generates each language's code is proven in CI
// (scripts/prove-pacmak.sh); this checks the configuration it starts from.
const ROOT = path.join(__dirname, '..', '..');
const json = (file: string) => JSON.parse(fs.readFileSync(path.join(ROOT, file), 'utf8'));
const manifest = json('package.json');
const LANGUAGES = ['dotnet', 'go', 'java', 'python'];

test('package.json configures a jsii target for Python, Java, .NET and Go, with the published names', () => {
  expect(Object.keys(manifest.jsii.targets).sort()).toEqual(LANGUAGES);
  expect(manifest.jsii.targets).toEqual({
    python: { distName: 'cdk8s-netpol', module: 'cdk8s_netpol' },
    java: { package: 'dev.cdk8snetpol', maven: { groupId: 'dev.cdk8snetpol', artifactId: 'cdk8s-netpol' } },
    dotnet: { namespace: 'Cdk8sNetpol', packageId: 'Cdk8sNetpol' },
    go: { moduleName: 'github.com/cdk8s-netpol/cdk8s-netpol-go', packageName: 'cdk8snetpol' },
  });
});

test('the compiled jsii assembly carries the same targets (npm is implied)', () => {
  const assemblyFile = path.join(ROOT, '.jsii');
  if (!fs.existsSync(assemblyFile)) throw new Error('.jsii is missing: compile first (`npx projen compile`; `npm test` does it before jest).');
  const assembly = json('.jsii');
  expect(assembly.targets).toEqual({ js: { npm: 'cdk8s-netpol' }, ...manifest.jsii.targets });
});

test('every jsii dependency is published for every one of these languages (else that language cannot use the library)', () => {
  const jsiiDeps = Object.keys(manifest.peerDependencies).filter((dep) => fs.existsSync(path.join(ROOT, 'node_modules', dep, '.jsii')));
  expect(jsiiDeps.sort()).toEqual(['cdk8s', 'cdk8s-plus-28', 'constructs']);
  for (const dep of jsiiDeps) {
    const targets = Object.keys(json(path.join('node_modules', dep, '.jsii')).targets);
    expect({ dep, missing: LANGUAGES.filter((l) => !targets.includes(l)) }).toEqual({ dep, missing: [] });
  }
});

test('the build workflow packages every language and needs no secret to do it; nothing publishes', () => {
  const workflows = path.join(ROOT, '.github', 'workflows');
  const build = fs.readFileSync(path.join(workflows, 'build.yml'), 'utf8');
  for (const language of ['js', ...LANGUAGES]) expect(build).toContain(`npx projen package:${language}`);
  const jobs = build.split(/\n {2}(?=[a-z-]+:\n)/).filter((job) => job.startsWith('package-'));
  expect(jobs).toHaveLength(1 + LANGUAGES.length);
  for (const job of jobs) expect(job).not.toContain('secrets.');
  expect(fs.readdirSync(workflows).sort()).toEqual(['build.yml', 'pull-request-lint.yml']);
});
