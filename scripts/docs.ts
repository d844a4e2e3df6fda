import * as fs from 'fs';
import * as path from 'path';
import { adoptionBlocks } from './adoption-doc';
import { gitopsBlocks, readmeBlocks, renderBlocks, rulesFileBlocks } from './doc-blocks';
import { recipesDoc } from './recipes-doc';

// Regenerates the generated docs from the code (`npx projen docs`): the generated blocks of
// README.md, docs/recipes.md, docs/gitops.md, docs/adoption.md and docs/rules-file.md. With --check,
// fails when they are stale instead (the test suite
// does the same check).
async function main(): Promise<void> {
  const root = path.join(__dirname, '..');
  const readme = path.join(root, 'README.md');
  const outputs: Record<string, string> = {
    [readme]: renderBlocks(fs.readFileSync(readme, 'utf8'), readmeBlocks()),
    [path.join(root, 'docs', 'recipes.md')]: recipesDoc(),
    [path.join(root, 'docs', 'gitops.md')]: renderBlocks(fs.readFileSync(path.join(root, 'docs', 'gitops.md'), 'utf8'), gitopsBlocks()),
    [path.join(root, 'docs', 'adoption.md')]: renderBlocks(fs.readFileSync(path.join(root, 'docs', 'adoption.md'), 'utf8'), await adoptionBlocks()),
    [path.join(root, 'docs', 'rules-file.md')]: renderBlocks(fs.readFileSync(path.join(root, 'docs', 'rules-file.md'), 'utf8'), rulesFileBlocks()),
  };
  let stale = false;
  for (const [file, fresh] of Object.entries(outputs)) {
    const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    if (fresh === current) continue;
    if (process.argv.includes('--check')) {
      process.stderr.write(`${path.relative(root, file)} is stale: run \`npx projen docs\` and commit the result.\n`);
      stale = true;
    } else {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, fresh);
      process.stdout.write(`${path.relative(root, file)} updated\n`);
    }
  }
  if (stale) process.exit(1);
}

void main();
