import * as fc from 'fast-check';
import { Bitset, BitsetInterner, BitsetPool, wordTotals, WordsIndex } from '../../src/analysis/bitset';
import { fuzzParameters } from '../fuzz-config';

/** A square bit matrix from a list of set cells (sizes that are and are not multiples of 32). */
const square = fc.integer({ min: 1, max: 100 }).chain((size) => fc.record({
  size: fc.constant(size),
  density: fc.constantFrom(0, 0.05, 0.5, 0.95, 1),
  seed: fc.integer(),
  missing: fc.array(fc.integer({ min: 0, max: size - 1 }), { maxLength: 3 }),
}));

function build(size: number, density: number, seed: number, missing: number[]): Array<Bitset | undefined> {
  let x = seed | 1;
  const random = () => {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
  return Array.from({ length: size }, (_, r) => {
    if (missing.includes(r)) return undefined;
    const row = new Bitset(size);
    for (let c = 0; c < size; c++) if (random() < density) row.add(c);
    return row;
  });
}

test('transpose: cell (r, c) becomes (c, r), for every size and density; a missing row is empty', () => {
  fc.assert(fc.property(square, ({ size, density, seed, missing }) => {
    const rows = build(size, density, seed, missing);
    const t = Bitset.transpose(rows, size);
    expect(t.length).toBe(size);
    for (let r = 0; r < size; r++) {
      for (let c = 0; c < size; c++) expect(t[c].has(r)).toBe(rows[r]?.has(c) ?? false);
    }
    // Nothing beyond the size is set (a row of 33 has 2 words).
    for (const row of t) expect(row.members().every((m) => m < size)).toBe(true);
  }), fuzzParameters(60));
});

test('weightedCount equals the sum of the weights of the members, dense and sparse words alike', () => {
  fc.assert(fc.property(square, fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 100, maxLength: 100 }), ({ size, density, seed }, w) => {
    const weights = w.slice(0, size);
    const totals = wordTotals(weights);
    for (const row of build(size, density, seed, [])) {
      const expected = row!.members().reduce((sum, m) => sum + weights[m], 0);
      expect(row!.weightedCount(weights, totals)).toBe(expected);
    }
    expect(Bitset.full(size).weightedCount(weights, totals)).toBe(weights.reduce((a, b) => a + b, 0));
    expect(new Bitset(size).weightedCount(weights, totals)).toBe(0);
  }), fuzzParameters(60));
});

test('sets from one pool are independent of each other and of the block boundaries', () => {
  const pool = new BitsetPool(70, 2);
  const sets = Array.from({ length: 5 }, () => pool.take());
  sets.forEach((s, i) => {
    s.add(i);
    s.add(69 - i);
  });
  sets.forEach((s, i) => expect(s.members()).toEqual([i, 69 - i]));
  expect(sets.every((s) => s.size === 70 && s.words.length === 3)).toBe(true);
});

test('transposeInto overwrites every word of storage that holds an earlier result', () => {
  fc.assert(fc.property(square, square, (x, y) => {
    const size = x.size;
    const storage = new Uint32Array(Math.ceil(size / 32) * size).fill(0xffffffff);
    Bitset.transposeInto(build(size, y.density, y.seed, []), size, storage);
    const rows = build(size, x.density, x.seed, x.missing);
    Bitset.transposeInto(rows, size, storage);
    const w = Math.ceil(size / 32);
    const expected = Bitset.transpose(rows, size);
    for (let c = 0; c < size; c++) expect(Array.from(storage.subarray(c * w, (c + 1) * w))).toEqual(Array.from(expected[c].words));
  }), fuzzParameters(60));
});

test('a reset pool hands its sets out again, emptied; sets taken after the reset are independent', () => {
  const pool = new BitsetPool(70, 2);
  const first = Array.from({ length: 5 }, (_, i) => {
    const s = pool.take();
    s.add(i);
    s.add(69);
    return s;
  });
  pool.reset();
  const again = Array.from({ length: 6 }, () => pool.take());
  expect(again.slice(0, 5)).toEqual(first.slice(0, 5));
  again.forEach((s) => expect(s.members()).toEqual([]));
  again.forEach((s, i) => s.add(i));
  again.forEach((s, i) => expect(s.members()).toEqual([i]));
});

test('an interner stores each distinct set once and never keeps the words it was given', () => {
  const interner = new BitsetInterner(40);
  const words = new Uint32Array(2);
  words[0] = 5;
  const a = interner.intern(words);
  words[1] = 1; // a set beyond the first word differs
  const b = interner.intern(words);
  words[1] = 0;
  const c = interner.intern(words);
  expect(a).toBe(c);
  expect(a).not.toBe(b);
  expect(a.members()).toEqual([0, 2]);
  expect(b.members()).toEqual([0, 2, 32]);
  words[0] = 0;
  expect(a.members()).toEqual([0, 2]); // a copy: changing the input later changes nothing stored
  expect(interner.intern(words).members()).toEqual([]);
  expect(() => interner.intern(new Uint32Array(3))).toThrow(/40 has 2 words, not 3/);
});

test('transposeInto of fewer rows than columns: column c of the result holds row r\'s bit c at bit r', () => {
  fc.assert(fc.property(square, fc.integer({ min: 0, max: 100 }), ({ size, density, seed, missing }, count) => {
    const rowCount = Math.min(count, size);
    const rows = build(size, density, seed, missing).slice(0, rowCount);
    const w = Math.ceil(rowCount / 32);
    const out = new Uint32Array(w * size).fill(0xffffffff);
    Bitset.transposeInto(rows, size, out, rowCount);
    for (let c = 0; c < size; c++) {
      const column = new Bitset(rowCount, out.subarray(c * w, (c + 1) * w));
      for (let r = 0; r < rowCount; r++) expect(column.has(r)).toBe(rows[r]?.has(c) ?? false);
      expect(column.members().every((r) => r < rowCount)).toBe(true); // nothing beyond the rows
    }
  }), fuzzParameters(60));
});

test('a words index numbers distinct contents in the order first seen and keeps the arrays it was given', () => {
  const index = new WordsIndex();
  const a = Uint32Array.of(1, 2);
  expect(index.id(a)).toBe(0);
  expect(index.id(Uint32Array.of(1, 3))).toBe(1);
  expect(index.id(Uint32Array.of(1, 2))).toBe(0);
  expect(index.id(Uint32Array.of(1))).toBe(2); // another length is other content
  expect(index.id(new Uint32Array(2))).toBe(3);
  expect(index.distinct[0]).toBe(a);
  expect(index.distinct.map((x) => Array.from(x))).toEqual([[1, 2], [1, 3], [1], [0, 0]]);
});
