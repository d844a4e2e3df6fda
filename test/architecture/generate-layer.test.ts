import * as fs from 'fs';
import * as path from 'path';
import { loadESLint } from 'eslint';

/**
 * The generate layer writes construct code from observed flows, so it sits above the constructs:
 * it may import them (and the flows), the constructs may not import it, and the formats (which
 * print its program) and the CLI may.
 */
const ROOT = path.join(__dirname, '..', '..');

async function restrictedImports(file: string, extraImport: string): Promise<string[]> {
  const LegacyESLint = await loadESLint({ useFlatConfig: false });
  const eslint = new LegacyESLint({ cwd: ROOT });
  const source = fs.readFileSync(path.join(ROOT, file), 'utf8');
  const [result] = await eslint.lintText(`${extraImport}\n${source}`, { filePath: path.join(ROOT, file) });
  return result.messages.filter((m) => m.ruleId === 'import/no-restricted-paths').map((m) => m.message);
}

test('the constructs, the flows or the analyser importing src/generate fail the lint', async () => {
  const generator = "import { PolicyGenerator } from '../generate/generator';\nexport const X = PolicyGenerator;";
  expect(await restrictedImports('src/constructs/naming.ts', generator)).toEqual([expect.stringContaining('src/constructs may import only')]);
  expect(await restrictedImports('src/flows/record.ts', generator)).toEqual([expect.stringContaining('src/flows may import only')]);
  expect(await restrictedImports('src/analysis/bitset.ts', generator)).toEqual([expect.stringContaining('src/analysis may import only')]);
  // Nor may src/generate import the synth layer or the CLI above it.
  expect(await restrictedImports('src/generate/build.ts', "import { NetpolApp } from '../synth/netpol-app';\nexport const X = NetpolApp;"))
    .toEqual([expect.stringContaining('src/generate may import only generate, k8s, model, inventory, flows, validation, analysis, endpoints, constructs')]);
}, 60_000);

test('src/generate may use the constructs and the flows; the formats and the CLI may use src/generate', async () => {
  expect(await restrictedImports('src/generate/build.ts', "import { AllowDns } from '../constructs/allow-dns';\nexport const X = AllowDns;")).toEqual([]);
  expect(await restrictedImports('src/formats/text.ts', "import { PolicyGenerator } from '../generate/generator';\nexport const X = PolicyGenerator;")).toEqual([]);
  expect(await restrictedImports('src/cli/run.ts', "import { PolicyGenerator } from '../generate/generator';\nexport const X = PolicyGenerator;")).toEqual([]);
}, 60_000);
