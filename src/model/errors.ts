/**
 * Errors raised by the model's factories: what was wrong (with the value), and how to fix it.
 * Construct errors add the construct path on top (see `constructs/errors.ts`).
 */
export function modelError(what: string, value: unknown, problem: string, fix: string): Error {
  return new Error(`${what}: ${formatValue(value)} ${problem}. ${fix}`);
}

/** Renders a value for an error message: strings quoted, everything else as JSON. */
export function formatValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
