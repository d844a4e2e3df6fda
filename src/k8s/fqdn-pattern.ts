/**
 * Cilium's DNS name patterns (`toFQDNs[].matchName`/`matchPattern`, `rules.dns[].matchName`/
 * `matchPattern`): the one rule of what a pattern matches, for the analyser (which names a toFQDNs
 * rule and a DNS rule match) and for the lints (whether a DNS rule lets the proxy see the lookups a
 * toFQDNs rule needs).
 *
 * Sources (checked 2026-12): docs.cilium.io "Layer 3 Policies", DNS based ("`*` alone matches all
 * names"; `*.cilium.io` matches `sub.cilium.io`, one label deep, not `cilium.io` itself);
 * cilium/cilium `pkg/fqdn/matchpattern` (a pattern is lower-cased, and each `*` is a run, possibly
 * empty, of the DNS characters `[-a-zA-Z0-9_]`: never a dot; `*` alone matches every name) and
 * `pkg/policy/api/fqdn.go` (a matchName is `[-a-zA-Z0-9_.]`, a matchPattern adds `*`).
 *
 * Patterns and names are compared as the proxy sees them: lower case, without the trailing dot
 * (`normalizeFqdn`). A matchName has no `*`, so it is a pattern that matches itself only.
 */

/** The characters a `*` of a pattern stands for (one DNS label's: never a dot). */
const LABEL_CHARACTER = /^[-a-z0-9_]$/;

/** A name or pattern as Cilium compares it: lower case, without the trailing dot. */
export function normalizeFqdn(text: string): string {
  const lower = text.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

/**
 * A DNS name as `domainNames` (ClusterNetworkPolicy) compare it, and as the Cilium policies are read:
 * lower case, without the trailing dot (the same as `normalizeFqdn`).
 */
export function normalizeDnsName(name: string): string {
  return normalizeFqdn(name);
}

/**
 * Whether `pattern` (a matchPattern, or a matchName) matches the DNS name `name`. Both as
 * `normalizeFqdn` gives them; a `*` in `name` is a character like any other (no name has one).
 */
export function fqdnPatternMatches(pattern: string, name: string): boolean {
  if (pattern === '*') return true;
  if (!pattern.includes('*')) return pattern === name;
  return intersect(pattern, name, false);
}

/**
 * Whether some DNS name matches both patterns (each a matchPattern or a matchName, as
 * `normalizeFqdn` gives them): e.g. whether a DNS rule's pattern lets the proxy see any lookup of
 * the names a toFQDNs pattern selects. `*.example.com` and `api.*.com` share `api.example.com`;
 * `*.example.com` and `example.com` share none.
 */
export function fqdnPatternsIntersect(a: string, b: string): boolean {
  if (a === '*' || b === '*') return true;
  return intersect(a, b, true);
}

/**
 * Whether a string is in both languages, `*` a run of label characters in `a`, and in `b` too when
 * `bHasWildcards` (else `b` is literal). A search over positions (i in a, j in b), memoized: each
 * `*` either ends (moves on in its pattern) or takes the other side's next label character; two
 * `*` facing each other end one at a time, which loses no common name (what both would take
 * together, either may take alone).
 */
function intersect(a: string, b: string, bHasWildcards: boolean): boolean {
  const seen = new Set<number>();
  const width = b.length + 1;
  const go = (i: number, j: number): boolean => {
    const key = i * width + j;
    if (seen.has(key)) return false;
    seen.add(key);
    const starA = i < a.length && a[i] === '*';
    const starB = bHasWildcards && j < b.length && b[j] === '*';
    if (starA && (go(i + 1, j) || (j < b.length && !starB && LABEL_CHARACTER.test(b[j]) && go(i, j + 1)))) return true;
    if (starB && (go(i, j + 1) || (i < a.length && !starA && LABEL_CHARACTER.test(a[i]) && go(i + 1, j)))) return true;
    if (starA || starB) return false;
    if (i === a.length || j === b.length) return i === a.length && j === b.length;
    return a[i] === b[j] && go(i + 1, j + 1);
  };
  return go(0, 0);
}
