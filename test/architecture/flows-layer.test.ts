import * as fs from 'fs';
import * as path from 'path';
import { loadESLint } from 'eslint';

/**
 * The flows layer reads observed traffic onto the inventory and stays below the analyser: it may
 * import k8s, model and inventory only, and the layers above (analysis, adapters, formats, cli) may
 * import it.
 */
const ROOT = path.join(__dirname, '..', '..');

async function restrictedImports(file: string, extraImport: string): Promise<string[]> {
  const LegacyESLint = await loadESLint({ useFlatConfig: false });
  const eslint = new LegacyESLint({ cwd: ROOT });
  const source = fs.readFileSync(path.join(ROOT, file), 'utf8');
  const [result] = await eslint.lintText(`${extraImport}\n${source}`, { filePath: path.join(ROOT, file) });
  return result.messages.filter((m) => m.ruleId === 'import/no-restricted-paths').map((m) => m.message);
}

test('src/flows importing the analyser or an adapter fails the lint', async () => {
  expect(await restrictedImports('src/flows/record.ts', "import { Reachability } from '../analysis/reachability';\nexport const X = Reachability;"))
    .toEqual([expect.stringContaining('src/flows may import only flows, k8s, model, inventory')]);
  expect(await restrictedImports('src/flows/record.ts', "import { readManifests } from '../adapters/manifest-reader';\nexport const X = readManifests;"))
    .toEqual([expect.stringContaining('src/flows may import only flows, k8s, model, inventory')]);
}, 60_000);

test('src/flows may use the inventory, and the analyser may use src/flows', async () => {
  expect(await restrictedImports('src/flows/record.ts', "import { Cluster } from '../inventory/cluster';\nexport const X = Cluster;")).toEqual([]);
  expect(await restrictedImports('src/analysis/bitset.ts', "import { ObservedFlows } from '../flows/observed-flows';\nexport const X = ObservedFlows;")).toEqual([]);
}, 60_000);
