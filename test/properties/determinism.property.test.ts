import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as fc from 'fast-check';
import { fuzzParameters } from '../fuzz-config';
import { buildStack, stackSpec, yamlOfStack } from './stack-model';

/** A random order of 0..n-1. */
function permutation(n: number): fc.Arbitrary<number[]> {
  const all = Array.from({ length: n }, (_, i) => i);
  return fc.shuffledSubarray(all, { minLength: n, maxLength: n });
}

/**
 * Deterministic output: declaring the same services and dependencies in any order, with ports in any
 * order, gives byte-identical YAML (stable names, sorted objects, rules, peers and ports).
 */
test('shuffled declarations give byte-identical YAML', () => {
  const withOrder = stackSpec.chain((spec) => fc.record({
    spec: fc.constant(spec),
    services: permutation(spec.services.length),
    dependencies: permutation(spec.dependencies.length),
    reversePorts: fc.boolean(),
  }));
  fc.assert(fc.property(withOrder, ({ spec, services, dependencies, reversePorts }) => {
    const reference = yamlOfStack(buildStack(spec));
    expect(yamlOfStack(buildStack(spec, { services, dependencies, reversePorts }))).toBe(reference);
  }), fuzzParameters(150));
});

test('the same program gives the same bytes in a separate process', () => {
  const root = path.join(__dirname, '..', '..');
  const synth = () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-determinism-'));
    execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(root, 'examples/main.ts')], {
      cwd: root, env: { ...process.env, CDK8S_OUTDIR: outdir, TS_NODE_PROJECT: path.join(root, 'examples/tsconfig.json') },
    });
    const files = fs.readdirSync(outdir).sort();
    const content = Object.fromEntries(files.map((f) => [f, fs.readFileSync(path.join(outdir, f), 'utf8')]));
    fs.rmSync(outdir, { recursive: true, force: true });
    return content;
  };
  const first = synth();
  expect(Object.keys(first)).toEqual([
    '.netpol-app.sha256', 'namespace-baseline.k8s.yaml', 'ten-services.k8s.yaml', 'three-tier.k8s.yaml', 'two-namespaces.k8s.yaml',
  ]);
  expect(synth()).toEqual(first);
});
