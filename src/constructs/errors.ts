import { IConstruct } from 'constructs';

/**
 * An error raised by a construct: `[construct path] what was wrong. How to fix it.` The message of a
 * model error (value + fix) is kept whole.
 */
export function constructError(scope: IConstruct, message: string): Error {
  return new Error(`[${scope.node.path}] ${message}`);
}

/** Runs `fn`, re-raising any error with the construct path in front (`what` says which call failed). */
export function atConstruct<T>(scope: IConstruct, what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    throw constructError(scope, `${what}: ${message}`);
  }
}
