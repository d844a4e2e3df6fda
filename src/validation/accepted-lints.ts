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

/** One acceptance: for the whole object, or for one field path and what lies below it. */
export interface Acceptance {
  /** `spec.ingress[0]`: only findings at this path or below it. Undefined: the whole object. */
  readonly field?: string;
  readonly reason: string;
}

/**
 * The accepted lint codes of an object. An annotation's value is a reason for the whole object, or
 * entries `<field path>: <reason>` separated by `; ` (e.g. `spec.ingress[0]: public on purpose`),
 * each for that field and what lies below it. `empty` lists codes accepted without a reason.
 */
export function acceptedLints(object: Record<string, any>): { accepted: Map<string, Acceptance[]>; empty: Set<string> } {
  const accepted = new Map<string, Acceptance[]>();
  const empty = new Set<string>();
  const annotations = object?.metadata?.annotations;
  if (typeof annotations !== 'object' || annotations === null) return { accepted, empty };
  for (const [key, value] of Object.entries(annotations)) {
    if (!key.startsWith(ACCEPT_LINT_ANNOTATION_PREFIX)) continue;
    const code = key.slice(ACCEPT_LINT_ANNOTATION_PREFIX.length);
    if (!CODES.includes(code)) continue;
    const entries = typeof value === 'string' ? value.split('; ').map((e) => e.trim()).filter((e) => e !== '') : [];
    const list: Acceptance[] = entries.map((entry) => {
      const m = /^(spec(?:\.[A-Za-z]+|\[\d+\])*): (.+)$/.exec(entry);
      return m ? { field: m[1], reason: m[2].trim() } : { reason: entry };
    }).filter((a) => a.reason !== '');
    if (list.length > 0) accepted.set(code, list);
    else empty.add(code);
  }
  return { accepted, empty };
}

/** The reason an acceptance gives for a finding at `field`, if one covers it. */
export function acceptanceFor(acceptances: readonly Acceptance[] | undefined, field: string): string | undefined {
  const hit = acceptances?.find((a) => a.field === undefined || field === a.field || field.startsWith(`${a.field}.`) || field.startsWith(`${a.field}[`));
  return hit?.reason;
}
