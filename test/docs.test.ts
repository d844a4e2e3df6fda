import * as fs from 'fs';
import * as path from 'path';
import { adoptionBlocks, nextWeekFlows, ADOPTION_FLOWS, ADOPTION_NAMESPACES } from '../scripts/adoption-doc';
import { codeLines, gitopsBlocks, markedRegion, readmeBlocks, renderBlocks } from '../scripts/doc-blocks';
import { recipesDoc } from '../scripts/recipes-doc';
import { FlowReplay, ObservedEndKind, ObservedFlows, PolicyGenerator } from '../src';

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

test('docs/adoption.md is current (run `npx projen docs` to refresh)', async () => {
  const doc = fs.readFileSync(path.join(__dirname, '..', 'docs', 'adoption.md'), 'utf8');
  const blocks = await adoptionBlocks();
  expect(renderBlocks(doc, blocks)).toBe(doc);
  // The worked example is realistic: ten or more workloads in three or more namespaces, DNS and an external API.
  const flows = ObservedFlows.fromText(fs.readFileSync(ADOPTION_FLOWS, 'utf8'));
  const workloads = new Set(flows.connections.flatMap((c) => [c.source, c.destination]).filter((e) => e.kind === ObservedEndKind.WORKLOAD
    || e.kind === ObservedEndKind.UNDECLARED_WORKLOAD).map((e) => e.id));
  expect(workloads.size).toBeGreaterThanOrEqual(10);
  expect(new Set([...workloads].map((id) => id.split('/')[0])).size).toBeGreaterThanOrEqual(3);
  expect(flows.connections.some((c) => c.destination.kind === ObservedEndKind.DNS)).toBe(true);
  expect(flows.connections.some((c) => c.destination.kind === ObservedEndKind.EXTERNAL && (c.destination.dnsNames ?? []).length > 0)).toBe(true);
  // The review phase's claims: the recording passes its replay, next week's does not (the new dependency is blocked).
  const program = PolicyGenerator.generate(flows, { namespaces: ADOPTION_NAMESPACES });
  const manifests = PolicyGenerator.manifests(program);
  expect(FlowReplay.fromManifests(manifests, flows).passed).toBe(true);
  const later = FlowReplay.fromManifests(manifests, ObservedFlows.fromText(nextWeekFlows(fs.readFileSync(ADOPTION_FLOWS, 'utf8'))));
  expect(later.blocked.map((p) => `${p.from} -> ${p.to}`)).toEqual(['shop/cart -> data/kafka']);
  // The phases in order, and no placeholder left.
  const sections = ['## 3. Review', '## 4. Stage', '## 5. Replay', '## 6. Enforce'].map((h) => doc.indexOf(h));
  expect(sections.every((at, i) => at > 0 && (i === 0 || at > sections[i - 1]))).toBe(true);
  expect(doc).not.toContain('<!-- staged:');
  expect(doc).not.toMatch(/to be written/i);
  // The stage phase's claims, from the CLI's own runs: the new dependency is a staged would-deny, exit 0; with --fail-on staged, exit 1.
  expect(blocks['adoption-stage-replay']).toMatch(/staged: would deny[^]*\$ echo \$\?\n0\n\$ npx netpol replay dist\/ --flows next-week\.jsonl --fail-on staged\n[^]*\$ echo \$\?\n1\n```$/);
  expect(blocks['adoption-stage-replay']).toContain('shop/cart (undeclared workload) -> data/kafka (undeclared workload)');
  expect(blocks['adoption-stage-recorded']).toMatch(/\$ echo \$\?\n0\n```$/);
  // Promoting payments changes its two objects only; the enforced gate blocks next week's dependency.
  expect(blocks['adoption-promote-program'].split('\n').filter((l) => l.startsWith('~ ') || l.startsWith('+ ') || l.startsWith('- ')))
    .toEqual(expect.arrayContaining([expect.stringMatching(/^~ shop\/payments-egress: /), expect.stringMatching(/^~ shop\/payments-ingress: /)]));
  expect(blocks['adoption-promote-program'].split('\n').filter((l) => /^[~+-] [a-z-]+\/[a-z-]+: /.test(l))).toHaveLength(2);
  expect(blocks['adoption-gate']).toMatch(/\$ echo \$\?\n1\n```$/);
});
