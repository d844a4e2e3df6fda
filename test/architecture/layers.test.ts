import * as fs from 'fs';
import * as path from 'path';
import { loadESLint } from 'eslint';

/**
 * Layers import one way, enforced by eslint's import/no-restricted-paths zones (set in
 * .projenrc.ts): these tests show that the rule fires on a deliberate wrong import, stays quiet on a
 * right one, and that every folder of src/ is under a zone (a new folder cannot slip past it).
 */
const ROOT = path.join(__dirname, '..', '..');

async function lintAs(file: string, extraImport: string): Promise<string[]> {
  const LegacyESLint = await loadESLint({ useFlatConfig: false });
  const eslint = new LegacyESLint({ cwd: ROOT });
  const source = fs.readFileSync(path.join(ROOT, file), 'utf8');
  const [result] = await eslint.lintText(`${extraImport}\n${source}`, { filePath: path.join(ROOT, file) });
  return result.messages.filter((m) => m.ruleId === 'import/no-restricted-paths').map((m) => m.message);
}

test('a lower layer importing a higher one fails the lint, with the allowed layers in the message', async () => {
  expect(await lintAs('src/k8s/names.ts', "import { Reachability } from '../analysis/reachability';\nexport const X = Reachability;"))
    .toEqual(['Unexpected path "../analysis/reachability" imported in restricted zone. src/k8s may import only k8s (layers import one way: see README "Design notes").']);
  expect(await lintAs('src/validation/lint-codes.ts', "import { computeMatrix } from '../analysis/matrix';\nexport const X = computeMatrix;"))
    .toEqual([expect.stringContaining('src/validation may import only validation, k8s, model, inventory')]);
  expect(await lintAs('src/analysis/bitset.ts', "import { LintCode } from '../validation/lint-codes';\nexport const X = LintCode;"))
    .toEqual([expect.stringContaining('src/analysis may import only')]);
}, 60_000);

test('an allowed import passes', async () => {
  expect(await lintAs('src/analysis/bitset.ts', "import { Cluster } from '../inventory/cluster';\nexport const X = Cluster;")).toEqual([]);
}, 60_000);

test('every folder of src/ is a layer with a zone', () => {
  const eslintrc = JSON.parse(fs.readFileSync(path.join(ROOT, '.eslintrc.json'), 'utf8').replace(/^\/\/.*$/m, ''));
  const zones: Array<{ target: string }> = eslintrc.rules['import/no-restricted-paths'][1].zones;
  const folders = fs.readdirSync(path.join(ROOT, 'src'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => `./src/${d.name}`);
  expect(zones.map((z) => z.target).sort()).toEqual(expect.arrayContaining(folders.sort()));
});
