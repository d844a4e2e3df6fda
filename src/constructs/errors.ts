import { IConstruct } from 'constructs';

/** An error that already names its construct: `[path] message`. */
class ConstructPathError extends Error {}

/**
 * An error raised by a construct: `[construct path] what was wrong. How to fix it.` The message of a
 * model error (value + fix) is kept whole.
 */
export function constructError(scope: IConstruct, message: string): Error {
  return new ConstructPathError(`[${scope.node.path}] ${message}`);
}

/**
 * Runs `fn`, re-raising any error with the construct path in front (`what` says which call failed).
 * An error that already carries a construct path (raised by `constructError` deeper down) is
 * re-raised as it is, so that every message names its construct once.
 */
export function atConstruct<T>(scope: IConstruct, what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ConstructPathError) throw e;
    const message = e instanceof Error ? e.message : String(e);
    throw constructError(scope, `${what}: ${message}`);
  }
}

/**
 * A boolean prop, refused when it is of another type: a jsii host language (or plain JavaScript) can
 * pass `'false'`, which is truthy, so it must never be read as a condition unchecked.
 */
export function booleanProp(scope: IConstruct, value: unknown, prop: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    throw constructError(scope, `${prop} ${JSON.stringify(value) ?? String(value)} is not true or false. Set ${prop}: true or false (a boolean, not a string), or leave it out for ${fallback}.`);
  }
  return value;
}
