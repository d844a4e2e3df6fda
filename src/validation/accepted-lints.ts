import { LintCode } from './lint-codes';

/**
 * Lints a team has accepted for one object, by annotation: `cdk8s-netpol.dev/accept-NP004: <reason>`.
 * Only lints (NP codes) can be accepted, never an API-server error, and only with a reason: an
 * annotation with an empty reason silences nothing. Accepted findings are reported apart
 * (`silenced`), so a reviewer still sees them.
 */
export const ACCEPT_LINT_ANNOTATION_PREFIX = 'cdk8s-netpol.dev/accept-';

const CODES: readonly string[] = Object.values(LintCode);

/** The annotation key that accepts `code`. */
export function acceptLintAnnotation(code: LintCode): string {
  return `${ACCEPT_LINT_ANNOTATION_PREFIX}${code}`;
}

/** The accepted lint codes of an object with their reasons; `empty` lists codes accepted without a reason. */
export function acceptedLints(object: Record<string, any>): { accepted: Map<string, string>; empty: Set<string> } {
  const accepted = new Map<string, string>();
  const empty = new Set<string>();
  const annotations = object?.metadata?.annotations;
  if (typeof annotations !== 'object' || annotations === null) return { accepted, empty };
  for (const [key, value] of Object.entries(annotations)) {
    if (!key.startsWith(ACCEPT_LINT_ANNOTATION_PREFIX)) continue;
    const code = key.slice(ACCEPT_LINT_ANNOTATION_PREFIX.length);
    if (!CODES.includes(code)) continue;
    if (typeof value === 'string' && value.trim() !== '') accepted.set(code, value.trim());
    else empty.add(code);
  }
  return { accepted, empty };
}
