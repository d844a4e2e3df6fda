import * as fs from 'fs';
import * as path from 'path';
import { gitopsBlocks, readmeBlocks, renderBlocks } from '../scripts/doc-blocks';
import { recipesDoc } from '../scripts/recipes-doc';

test('the generated blocks of README.md are current (run `npx projen docs` to refresh)', () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
  expect(renderBlocks(readme, readmeBlocks())).toBe(readme);
});

test('the README shows the three-tier example in under 30 lines of TypeScript', () => {
  expect(readmeBlocks()['three-tier-code'].split('\n').length - 2).toBeLessThan(30);
});

test('docs/recipes.md is current (run `npx projen docs` to refresh)', () => {
  expect(fs.readFileSync(path.join(__dirname, '..', 'docs', 'recipes.md'), 'utf8')).toBe(recipesDoc());
});

test('the generated diff in docs/gitops.md is current (run `npx projen docs` to refresh)', () => {
  const doc = fs.readFileSync(path.join(__dirname, '..', 'docs', 'gitops.md'), 'utf8');
  expect(renderBlocks(doc, gitopsBlocks())).toBe(doc);
  expect(doc).toContain('`shop/backend` | `shop/redis` | 6379/TCP');
});
