/** Plain code-unit string comparison: locale-independent, so the order is the same on every machine. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sorts items with a canonical `key` (returns a new array). */
export function sortByKey<T extends { key: string }>(items: T[]): T[] {
  return [...items].sort((a, b) => compareStrings(a.key, b.key));
}
