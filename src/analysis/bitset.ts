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

  public readonly words: Uint32Array;

  constructor(public readonly size: number) {
    this.words = new Uint32Array(Math.ceil(size / 32));
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
