import * as jsyaml from 'js-yaml';
import { DEFAULT_READ_LIMITS, NO_READ_LIMITS, readManifests, ReadLimits, ReadResult } from '../../src/adapters/manifest-reader';

/**
 * The depth and size limits of the manifest reader at their exact boundaries, and which message wins
 * when both are exceeded (the walk's visiting order decides it): pinned so that a rewrite of the
 * walk (`shapeProblem`) is checked against what it did before.
 */

const DEPTH = (n: number) => `nested more than ${n} levels deep; a manifest is never that deep`;
const BOMB = 'expands to far more data than the file holds (YAML aliases used as an alias bomb?); refusing to read it';

/** No node budget but the fixed million: `expansionFactor` 0 makes the budget exactly 1,000,000 nodes whatever the text's length. */
const MILLION = 1_000_000;

function read(text: string, limits: Partial<ReadLimits> = {}): ReadResult {
  return readManifests(['-'], () => Buffer.from(text), { ...DEFAULT_READ_LIMITS, ...limits });
}

/** `levels` mappings nested in each other (the innermost one empty), as JSON. */
function nestedJson(levels: number): string {
  return `${'{"a":'.repeat(levels - 1)}{}${'}'.repeat(levels - 1)}`;
}

/** `levels` mappings nested in each other (the innermost one empty), as block YAML. */
function nestedYaml(levels: number): string {
  const lines = Array.from({ length: levels - 1 }, (_, i) => `${'  '.repeat(i)}a:`);
  lines[lines.length - 1] += ' {}';
  return `${lines.join('\n')}\n`;
}

/** Every value of a parsed document (shared aliases counted each time they are reached), independently of the reader. */
function countNodes(v: unknown): number {
  if (typeof v !== 'object' || v === null) return 1;
  let n = 1;
  for (const child of Object.values(v)) n += countNodes(child);
  return n;
}

/**
 * A YAML mapping (flow style, under `key`) that expands through aliases to exactly `nodes` nodes
 * (itself included; a document of it alone has one more, its root): an anchored list of 999 zeros,
 * `k` aliases of it, and zeros to pad.
 */
function expandingYaml(key: string, nodes: number): string {
  // 1 (the mapping) + 1000 (x) + 1 + 1000 k (y) + 1 + p (z) = nodes
  const k = Math.floor((nodes - 1003) / 1000);
  const p = nodes - 1003 - 1000 * k;
  if (k < 0 || p < 0) throw new Error(`cannot build ${nodes} nodes`);
  return `${key}: {x: &x [${Array(999).fill('0').join(',')}], y: [${Array(k).fill('*x').join(',')}], z: [${Array(p).fill('0').join(',')}]}\n`;
}

describe('nesting depth', () => {
  test.each([1, 2, 5, 64])('JSON nested exactly maxDepth (%i) levels is read, one level more is refused', (maxDepth) => {
    const ok = read(nestedJson(maxDepth), { maxDepth });
    expect(ok.problems).toEqual([]);
    expect(ok.objects).toHaveLength(1);
    const deep = read(nestedJson(maxDepth + 1), { maxDepth });
    expect(deep.problems).toEqual([{ file: '<stdin>', line: 1, message: DEPTH(maxDepth) }]);
    expect(deep.objects).toEqual([]);
  });

  test('the default maxDepth is 64', () => {
    expect(read(nestedJson(64)).problems).toEqual([]);
    expect(read(nestedJson(65)).problems.map((p) => p.message)).toEqual([DEPTH(64)]);
    expect(read(nestedYaml(64)).problems).toEqual([]);
    expect(read(nestedYaml(65)).problems.map((p) => p.message)).toEqual([DEPTH(64)]);
  });

  test.each([2, 5, 64])('YAML nested exactly maxDepth (%i) levels is read, one level more is refused, with the document\'s line', (maxDepth) => {
    const first = 'kind: Namespace\n';
    const ok = read(`${first}---\n${nestedYaml(maxDepth)}`, { maxDepth });
    expect(ok.problems).toEqual([]);
    expect(ok.objects.map((o) => o.line)).toEqual([1, 3]);
    const deep = read(`${first}---\n${nestedYaml(maxDepth + 1)}`, { maxDepth });
    expect(deep.problems).toEqual([{ file: '<stdin>', line: 3, message: DEPTH(maxDepth) }]);
    expect(deep.objects.map((o) => o.object)).toEqual([{ kind: 'Namespace' }]); // the other document is still read
  });

  test('scalars below the deepest mapping do not count, lists do, and a JSON list at the top is a level', () => {
    // 3 mappings with a scalar inside: 3 levels.
    expect(read('{"a":{"b":{"c":1}}}', { maxDepth: 3 }).problems).toEqual([]);
    expect(read('{"a":{"b":[1]}}', { maxDepth: 3 }).problems).toEqual([]);
    expect(read('{"a":{"b":[[1]]}}', { maxDepth: 3 }).problems.map((p) => p.message)).toEqual([DEPTH(3)]);
    // The top-level list of a JSON file is the first level: its objects start at the second.
    const listed = read(`[${nestedJson(2)}, ${nestedJson(2)}]`, { maxDepth: 3 });
    expect(listed.problems).toEqual([]);
    expect(listed.objects).toHaveLength(2);
    expect(read(`[${nestedJson(2)}, ${nestedJson(3)}]`, { maxDepth: 3 }).problems.map((p) => p.message)).toEqual([DEPTH(3)]);
  });

  test('NO_READ_LIMITS checks nothing: a document deeper than 64 levels is read', () => {
    const r = read(nestedJson(80), NO_READ_LIMITS);
    expect(r.problems).toEqual([]);
    expect(r.objects).toHaveLength(1);
  });
});

describe('expanded size', () => {
  test('a JSON document of exactly the budget of nodes is read, one node more is refused', () => {
    const zeros = (n: number) => `[${Array(n).fill('0').join(',')}]`;
    // The list and its zeros: MILLION nodes.
    const ok = read(zeros(MILLION - 1), { expansionFactor: 0 });
    expect(ok.problems).toEqual([]);
    expect(ok.objects).toHaveLength(MILLION - 1); // a top-level list: its items are the objects
    expect(read(zeros(MILLION), { expansionFactor: 0 }).problems).toEqual([{ file: '<stdin>', line: 1, message: BOMB }]);
  });

  test('the budget is a million nodes plus one per byte of text by default', () => {
    // A comment pads the text to a given length without adding nodes.
    const padded = (text: string, length: number) => `${text}#${'x'.repeat(length - text.length - 2)}\n`;
    const length = 100_000;
    const ok = padded(expandingYaml('big', MILLION + length - 1), length);
    expect(ok.length).toBe(length);
    expect(countNodes(jsyaml.load(ok))).toBe(MILLION + length);
    expect(read(ok).problems).toEqual([]);
    const over = padded(expandingYaml('big', MILLION + length), length);
    expect(over.length).toBe(length);
    expect(read(over).problems).toEqual([{ file: '<stdin>', line: 1, message: BOMB }]);
  });

  test('YAML aliases expanding to exactly the budget are read, one node more is refused', () => {
    const ok = expandingYaml('big', MILLION - 1);
    expect(countNodes(jsyaml.load(ok))).toBe(MILLION);
    expect(read(ok, { expansionFactor: 0 }).problems).toEqual([]);
    const over = expandingYaml('big', MILLION);
    expect(countNodes(jsyaml.load(over))).toBe(MILLION + 1);
    expect(read(over, { expansionFactor: 0 }).problems).toEqual([{ file: '<stdin>', line: 1, message: BOMB }]);
  });

  test('the budget is of the whole file: the documents of one YAML file share it', () => {
    const half = expandingYaml('big', 600_000);
    const r = read(`kind: First\n${half}---\nkind: Second\n${half}`, { expansionFactor: 0 });
    expect(r.objects.map((o) => (o.object as any).kind)).toEqual(['First']);
    expect(r.problems).toEqual([{ file: '<stdin>', line: 4, message: BOMB }]);
    // Each alone is within it.
    expect(read(`kind: Second\n${half}`, { expansionFactor: 0 }).problems).toEqual([]);
    // Once spent, it stays spent: a small document after the one that exceeded it is refused too.
    const after = read(`kind: First\n${half}---\nkind: Second\n${half}---\nkind: Third\n`, { expansionFactor: 0 });
    expect(after.objects.map((o) => (o.object as any).kind)).toEqual(['First']);
    expect(after.problems).toEqual([{ file: '<stdin>', line: 4, message: BOMB }, { file: '<stdin>', line: 7, message: BOMB }]);
  });
});

describe('both limits exceeded: the walk\'s visiting order decides the message', () => {
  // Children are visited last first, depth first: of a mapping's keys the last one is walked first.
  const deep = 'deep: {a: {a: {a: {a: {}}}}}\n'; // the innermost mapping is at level 6 (the document is level 1)

  test('the deep key last: it is walked first, and the depth is reported', () => {
    const r = read(`${expandingYaml('big', 2 * MILLION)}${deep}`, { maxDepth: 5, expansionFactor: 0 });
    expect(r.problems.map((p) => p.message)).toEqual([DEPTH(5)]);
  });

  test('the expanding key last: it is walked first, and the size is reported', () => {
    const r = read(`${deep}${expandingYaml('big', 2 * MILLION)}`, { maxDepth: 5, expansionFactor: 0 });
    expect(r.problems.map((p) => p.message)).toEqual([BOMB]);
  });

  test('the too-deep mapping is the node that exceeds the budget: the size is checked first', () => {
    // Visited before the level-6 mapping: the document, `big` (B nodes), levels 2 to 5 of `deep`.
    // With 5 + B = budget the level-6 mapping is node budget + 1.
    const exceeds = read(`${deep}${expandingYaml('big', MILLION - 5)}`, { maxDepth: 5, expansionFactor: 0 });
    expect(exceeds.problems.map((p) => p.message)).toEqual([BOMB]);
    const fits = read(`${deep}${expandingYaml('big', MILLION - 6)}`, { maxDepth: 5, expansionFactor: 0 });
    expect(fits.problems.map((p) => p.message)).toEqual([DEPTH(5)]);
    // Within depth, the same document is read: the budget alone is not exceeded.
    expect(read(`${deep}${expandingYaml('big', MILLION - 6)}`, { maxDepth: 6, expansionFactor: 0 }).problems).toEqual([]);
  });

  test('JSON keys are walked in the same order: the last key first', () => {
    const deepJson = `"deep": ${nestedJson(5)}`; // levels 2 to 6
    const wide = `"big": [${Array(MILLION).fill('0').join(',')}]`;
    expect(read(`{${wide}, ${deepJson}}`, { maxDepth: 5, expansionFactor: 0 }).problems.map((p) => p.message)).toEqual([DEPTH(5)]);
    expect(read(`{${deepJson}, ${wide}}`, { maxDepth: 5, expansionFactor: 0 }).problems.map((p) => p.message)).toEqual([BOMB]);
  });
});
