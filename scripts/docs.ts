import * as fs from 'fs';
import * as path from 'path';
import { readmeBlocks, renderBlocks } from './doc-blocks';

// Regenerates the generated blocks of the docs from the code (`npx projen docs`);
// with --check, fails when they are stale instead (the test suite does the same check).
const file = path.join(__dirname, '..', 'README.md');
const current = fs.readFileSync(file, 'utf8');
const fresh = renderBlocks(current, readmeBlocks());
if (process.argv.includes('--check')) {
  if (fresh !== current) {
    process.stderr.write('README.md is stale: run `npx projen docs` and commit the result.\n');
    process.exit(1);
  }
} else if (fresh !== current) {
  fs.writeFileSync(file, fresh);
  process.stdout.write('README.md updated\n');
}
