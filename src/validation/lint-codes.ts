/**
 * The stable codes of the policy lints. Codes are never reused; the README documents each one with a
 * bad and a fixed example.
 */
export const LintCode = {
  /** A rule with no peers (`from`/`to` missing or `[]`) allows every source or destination. */
  ALLOWS_ALL_PEERS: 'NP001',
} as const;
