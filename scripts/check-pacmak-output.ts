import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

// Checks what `jsii-pacmak --code-only` generated into OUTDIR (scripts/prove-pacmak.sh): for each
// jsii target of package.json, the package carries the configured names, and every type of the jsii
// assembly (.jsii) has its definition in that language. Prints one line per target; exits 1 on any
// problem, naming the target, the file and what is missing.
//
//   ts-node --project scripts/tsconfig.json scripts/check-pacmak-output.ts OUTDIR python java dotnet go

const ROOT = path.join(__dirname, '..');

interface Targets {
  readonly python: { readonly distName: string; readonly module: string };
  readonly java: { readonly package: string; readonly maven: { readonly groupId: string; readonly artifactId: string } };
  readonly dotnet: { readonly namespace: string; readonly packageId: string };
  readonly go: { readonly moduleName: string; readonly packageName: string };
}
type Language = keyof Targets;

/** What a language's generated code must contain: problems, empty when everything is there. */
type Check = (outdir: string, targets: Targets, types: string[]) => string[];

const read = (file: string): string | undefined => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined);
const missing = (what: string, names: string[]) => (names.length > 0 ? [`${what}: ${names.join(', ')}`] : []);
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const CHECKS: Record<Language, Check> = {
  python: (outdir, { python }, types) => {
    const init = path.join(outdir, 'python', 'src', python.module, '__init__.py');
    const code = read(init);
    if (code === undefined) return [`${init} was not generated`];
    const problems = missing(`${init} defines no class for`, types.filter((t) => !new RegExp(`^class ${escape(t)}\\b`, 'm').test(code)));
    const setup = read(path.join(outdir, 'python', 'setup.py')) ?? '';
    if (!setup.includes(`"name": "${python.distName}"`)) problems.push(`python/setup.py does not name the distribution ${python.distName}`);
    // The generated module must also be valid Python (no package registry needed for that).
    const compiled = spawnSync('python3', ['-m', 'py_compile', init], { encoding: 'utf8' });
    if (compiled.error) problems.push(`python3 is needed to check that ${init} compiles: ${compiled.error.message}`);
    else if (compiled.status !== 0) problems.push(`${init} is not valid Python: ${compiled.stderr.trim()}`);
    return problems;
  },
  java: (outdir, { java }, types) => {
    const dir = path.join(outdir, 'java', 'src', 'main', 'java', ...java.package.split('.'));
    const problems = missing(`${dir} has no source file for`, types.filter((t) => !(read(path.join(dir, `${t}.java`)) ?? '').includes(` ${t}`)));
    const pom = read(path.join(outdir, 'java', 'pom.xml')) ?? '';
    if (!pom.includes(`<groupId>${java.maven.groupId}</groupId>\n  <artifactId>${java.maven.artifactId}</artifactId>`)) {
      problems.push(`java/pom.xml does not declare ${java.maven.groupId}:${java.maven.artifactId}`);
    }
    return problems;
  },
  dotnet: (outdir, { dotnet }, types) => {
    const project = path.join(outdir, 'dotnet', dotnet.packageId);
    const dir = path.join(project, ...dotnet.namespace.split('.'));
    const problems = missing(`${dir} has no source file for`,
      types.filter((t) => !(read(path.join(dir, `${t}.cs`)) ?? '').includes(`namespace ${dotnet.namespace}`)));
    const csproj = read(path.join(project, `${dotnet.packageId}.csproj`)) ?? '';
    if (!csproj.includes(`<PackageId>${dotnet.packageId}</PackageId>`)) problems.push(`${dotnet.packageId}.csproj does not declare the package ${dotnet.packageId}`);
    return problems;
  },
  go: (outdir, { go }, types) => {
    const dir = path.join(outdir, 'go', go.packageName);
    const mod = read(path.join(dir, 'go.mod'));
    if (mod === undefined) return [`${path.join(dir, 'go.mod')} was not generated`];
    const code = fs.readdirSync(dir).filter((f) => f.endsWith('.go')).sort().map((f) => fs.readFileSync(path.join(dir, f), 'utf8')).join('\n');
    const problems = missing(`${dir} defines no Go type for`, types.filter((t) => !new RegExp(`^type ${escape(t)} `, 'm').test(code)));
    if (!mod.startsWith(`module ${go.moduleName}/${go.packageName}\n`)) problems.push(`${dir}/go.mod does not declare the module ${go.moduleName}/${go.packageName}`);
    if (!/^package \w+$/m.test(code)) problems.push(`${dir} has no Go package clause`);
    return problems;
  },
};

function main(): void {
  const [outdir, ...languages] = process.argv.slice(2);
  if (!outdir || languages.length === 0) throw new Error('usage: check-pacmak-output.ts OUTDIR LANGUAGE...');
  const targets = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).jsii.targets as Targets;
  const assembly = JSON.parse(fs.readFileSync(path.join(ROOT, '.jsii'), 'utf8')) as { types: Record<string, { name: string }> };
  const types = Object.values(assembly.types).map((t) => t.name).sort();
  if (!types.includes('NetworkPolicy')) throw new Error('.jsii has no NetworkPolicy type: compile first (npx projen compile).');
  let failed = false;
  for (const language of languages) {
    if (!(language in CHECKS)) throw new Error(`${language} is not one of ${Object.keys(CHECKS).join(', ')}`);
    if (!(language in targets)) {
      process.stdout.write(`FAIL ${language}: no jsii target in package.json (set it in .projenrc.ts)\n`);
      failed = true;
      continue;
    }
    const problems = CHECKS[language as Language](outdir, targets, types);
    process.stdout.write(problems.length === 0
      ? `OK ${language}: all ${types.length} types of the assembly generated\n`
      : `FAIL ${language}:\n  ${problems.join('\n  ')}\n`);
    failed ||= problems.length > 0;
  }
  if (failed) process.exit(1);
}

main();
