/** A fixed-size set of small integers (endpoint indexes), 32 per word. */
export class Bitset {
  /** A set of every index below `size`. */
  public static full(size: number): Bitset {
    const b = new Bitset(size);
    b.words.fill(0xffffffff);
    const rest = size % 32;
    if (rest !== 0) b.words[b.words.length - 1] = (2 ** rest - 1) >>> 0;
    return b;
  }

  /**
   * The transpose of a square bit matrix: `rows[r].has(c)` becomes `out[c].has(r)`. `rows` holds
   * `size` rows of `size` bits (an undefined row has no members). Done 32 x 32 bits at a time, in
   * O(size^2 / 32) word operations instead of one per member.
   */
  public static transpose(rows: ReadonlyArray<Bitset | undefined>, size: number): Bitset[] {
    const wordsPerRow = Math.ceil(size / 32);
    const flat = new Uint32Array(wordsPerRow * size);
    Bitset.transposeInto(rows, size, flat);
    return Array.from({ length: size }, (_, c) => new Bitset(size, flat.subarray(c * wordsPerRow, (c + 1) * wordsPerRow)));
  }

  /**
   * `transpose` into `out`, row after row: `rows` holds `rowCount` rows (default `size`) of `size`
   * bits, and row `c` of the result (`c < size`) is `out.subarray(c * w, (c + 1) * w)` with
   * `w = ceil(rowCount / 32)`. Every word of those rows is written, so `out` may hold an earlier
   * result (storage reused across calls allocates nothing).
   */
  public static transposeInto(rows: ReadonlyArray<Bitset | undefined>, size: number, out: Uint32Array, rowCount = size): void {
    const rowBlocks = Math.ceil(rowCount / 32);
    const columnBlocks = Math.ceil(size / 32);
    const a = new Int32Array(32);
    for (let bi = 0; bi < rowBlocks; bi++) {
      for (let bj = 0; bj < columnBlocks; bj++) {
        let any = 0;
        for (let k = 0; k < 32; k++) {
          const r = bi * 32 + k;
          const row = r < rowCount ? rows[r] : undefined;
          a[k] = row ? row.words[bj] : 0;
          any |= a[k];
        }
        if (any !== 0) {
          // Swap the off-diagonal halves, then quarters, ... (bit c of word r is row r, column c).
          let m = 0x0000ffff;
          for (let j = 16; j !== 0; j >>>= 1, m ^= m << j) {
            for (let k = 0; k < 32; k = ((k | j) + 1) & ~j) {
              const t = ((a[k] >>> j) ^ a[k | j]) & m;
              a[k] ^= t << j;
              a[k | j] ^= t;
            }
          }
        }
        const end = Math.min(32, size - bj * 32);
        for (let k = 0; k < end; k++) out[(bj * 32 + k) * rowBlocks + bi] = a[k];
      }
    }
  }

  public readonly words: Uint32Array;

  /** An empty set of `size`; `words`, when given, are its storage (all zero, `ceil(size / 32)` long). */
  constructor(public readonly size: number, words?: Uint32Array) {
    this.words = words ?? new Uint32Array(Math.ceil(size / 32));
  }

  public add(i: number): void {
    this.words[i >>> 5] |= 1 << (i & 31);
  }

  public has(i: number): boolean {
    return (this.words[i >>> 5] & (1 << (i & 31))) !== 0;
  }

  /** this |= other */
  public or(other: Bitset): void {
    const w = this.words;
    const o = other.words;
    for (let i = 0; i < w.length; i++) w[i] |= o[i];
  }

  /** this |= (a & b) */
  public orAnd(a: Bitset, b: Bitset): void {
    const w = this.words;
    for (let i = 0; i < w.length; i++) w[i] |= a.words[i] & b.words[i];
  }

  /** A new set: this & other. */
  public and(other: Bitset): Bitset {
    const out = new Bitset(this.size);
    for (let i = 0; i < this.words.length; i++) out.words[i] = this.words[i] & other.words[i];
    return out;
  }

  /** Whether both sets have the same members. */
  public equals(other: Bitset): boolean {
    if (other.words.length !== this.words.length) return false;
    for (let i = 0; i < this.words.length; i++) if (this.words[i] !== other.words[i]) return false;
    return true;
  }

  public isEmpty(): boolean {
    return this.words.every((w) => w === 0);
  }

  /**
   * The sum of `weights[i]` over the members, without listing them: a word more than half full is
   * counted as the sum of its 32 weights (`totals[i]`, see `wordTotals`) less its missing members.
   */
  public weightedCount(weights: ArrayLike<number>, totals: ArrayLike<number>): number {
    let sum = 0;
    const words = this.words;
    for (let i = 0; i < words.length; i++) {
      let w = words[i];
      if (w === 0) continue;
      const base = i * 32;
      if (popcount(w) > 16) {
        // Bits beyond `size` are never set and their weights count as 0, so the complement is safe.
        sum += totals[i];
        let gaps = ~w;
        while (gaps !== 0) {
          const j = base + 31 - Math.clz32(gaps & -gaps);
          if (j < this.size) sum -= weights[j];
          gaps &= gaps - 1;
        }
      } else {
        while (w !== 0) {
          sum += weights[base + 31 - Math.clz32(w & -w)];
          w &= w - 1;
        }
      }
    }
    return sum;
  }

  /** The members, ascending. */
  public members(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.words.length; i++) {
      let w = this.words[i];
      while (w !== 0) {
        const bit = 31 - Math.clz32(w & -w);
        out.push(i * 32 + bit);
        w &= w - 1;
      }
    }
    return out;
  }
}

/** The sums of `weights` per word of a bitset of `weights.length` members (for `weightedCount`). */
export function wordTotals(weights: ArrayLike<number>): Float64Array {
  const totals = new Float64Array(Math.ceil(weights.length / 32));
  for (let i = 0; i < weights.length; i++) totals[i >>> 5] += weights[i];
  return totals;
}

/** The number of bits set in a 32-bit word. */
function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/**
 * Empty bitsets of one size cut from shared blocks of memory: a matrix of thousands of rows is a few
 * allocations instead of one per row (each typed array of its own is costly to allocate and to
 * collect). `reset` takes every set back, emptied, to be handed out again: work repeated for
 * several ports allocates its sets once.
 */
export class BitsetPool {
  private readonly blocks: Uint32Array[] = [];
  private readonly sets: Bitset[] = [];
  private taken = 0;
  private readonly wordsPerSet: number;
  private readonly setsPerBlock: number;

  /** Sets of `size`, allocated `perBlock` (at least 1) at a time. */
  constructor(private readonly size: number, perBlock = 256) {
    this.wordsPerSet = Math.ceil(size / 32);
    this.setsPerBlock = Math.max(1, perBlock);
  }

  /** A new empty set. */
  public take(): Bitset {
    if (this.taken < this.sets.length) return this.sets[this.taken++];
    const k = this.sets.length % this.setsPerBlock;
    if (k === 0) this.blocks.push(new Uint32Array(this.wordsPerSet * this.setsPerBlock));
    const block = this.blocks[this.blocks.length - 1];
    const set = new Bitset(this.size, block.subarray(k * this.wordsPerSet, (k + 1) * this.wordsPerSet));
    this.sets.push(set);
    this.taken++;
    return set;
  }

  /** Empties every set taken so far and hands them out again: none of them may be used after this. */
  public reset(): void {
    const words = this.taken * this.wordsPerSet;
    const perBlock = this.wordsPerSet * this.setsPerBlock;
    for (let b = 0; b * perBlock < words; b++) this.blocks[b].fill(0, 0, Math.min(perBlock, words - b * perBlock));
    this.taken = 0;
  }
}

/**
 * Distinct bitsets of one size, stored once: `intern(words)` gives the stored set with these words,
 * storing a copy the first time. Rows of a matrix that are equal (many sources reach the same
 * destinations, often for several ports) then share one set, and what is computed per set (a count)
 * is computed once per distinct set.
 */
export class BitsetInterner {
  private readonly byHash = new Map<number, Bitset[]>();
  private readonly pool: BitsetPool;
  private readonly wordsPerSet: number;

  constructor(private readonly size: number) {
    this.wordsPerSet = Math.ceil(size / 32);
    this.pool = new BitsetPool(size);
  }

  /** The stored set whose words are `words` (`ceil(size / 32)` of them; they are copied, never kept). */
  public intern(words: Uint32Array): Bitset {
    let h = 0x811c9dc5;
    for (let i = 0; i < words.length; i++) h = Math.imul(h ^ words[i], 0x01000193);
    let bucket = this.byHash.get(h);
    if (bucket) {
      for (const b of bucket) if (sameWords(b.words, words)) return b;
    } else {
      this.byHash.set(h, (bucket = []));
    }
    if (words.length !== this.wordsPerSet) throw new Error(`a set of ${this.size} has ${this.wordsPerSet} words, not ${words.length}`);
    const set = this.pool.take();
    set.words.set(words);
    bucket.push(set);
    return set;
  }
}

function sameWords(a: Uint32Array, b: Uint32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Numbers for distinct word arrays, by content: equal arrays get one number, in the order first
 * seen (`distinct[id]` is the first array given that number). The arrays are kept, not copied: they
 * must not change while the index is in use.
 */
export class WordsIndex {
  public readonly distinct: Uint32Array[] = [];
  private readonly byHash = new Map<number, number[]>();

  /** The number of `words`' content. */
  public id(words: Uint32Array): number {
    let h = 0x811c9dc5;
    for (let i = 0; i < words.length; i++) h = Math.imul(h ^ words[i], 0x01000193);
    let bucket = this.byHash.get(h);
    if (bucket) {
      for (const id of bucket) if (sameWords(this.distinct[id], words)) return id;
    } else {
      this.byHash.set(h, (bucket = []));
    }
    const id = this.distinct.length;
    this.distinct.push(words);
    bucket.push(id);
    return id;
  }
}
