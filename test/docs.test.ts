import * as fs from 'fs';
import * as path from 'path';
import { codeLines, gitopsBlocks, markedRegion, readmeBlocks, renderBlocks } from '../scripts/doc-blocks';
import { recipesDoc } from '../scripts/recipes-doc';

test('the generated blocks of README.md are current (run `npx projen docs` to refresh)', () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
  expect(renderBlocks(readme, readmeBlocks())).toBe(readme);
});

test('the README shows the three-tier example in under 30 lines of TypeScript', () => {
  expect(readmeBlocks()['three-tier-code'].split('\n').length - 2).toBeLessThan(30);
});

test('the README\'s ten-service application is shorter with the new API than with the previous release\'s', () => {
  const now = codeLines(markedRegion('examples/ten-services.ts')) + codeLines(markedRegion('test/examples.test.ts', 'README:surroundings'));
  const before = codeLines(markedRegion('test/fixtures/ten-services-before.ts')) + codeLines(markedRegion('test/fixtures/ten-services-before.ts', 'README:surroundings'));
  expect(now).toBeLessThan(before);
  expect(readmeBlocks()['ten-services']).toContain(`${now} lines of code with the test's surroundings`);
  expect(readmeBlocks()['ten-services']).toContain(`(${before} lines)</summary>`);
});

test('docs/recipes.md is current (run `npx projen docs` to refresh)', () => {
  expect(fs.readFileSync(path.join(__dirname, '..', 'docs', 'recipes.md'), 'utf8')).toBe(recipesDoc());
});

test('the generated diff in docs/gitops.md is current (run `npx projen docs` to refresh)', () => {
  const doc = fs.readFileSync(path.join(__dirname, '..', 'docs', 'gitops.md'), 'utf8');
  expect(renderBlocks(doc, gitopsBlocks())).toBe(doc);
  expect(doc).toContain('`shop/backend` | `shop/redis` | 6379/TCP');
});
