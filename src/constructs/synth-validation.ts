import { checkApiServerRules } from '../k8s/api-server-rules';
import { formatFinding, Severity } from '../k8s/finding';
import { LintCode } from '../validation/lint-codes';
import { allowsAllPeers } from '../validation/single-policy-lints';

/**
 * The synth-time check of a policy this library emits: every API-server error, and every rule that
 * allows all peers without the user having asked for it with `Peer.anyone()` (constructs fail closed).
 *
 * @param manifest the rendered NetworkPolicy
 * @param explicitlyOpen field paths (`spec.ingress[0]`) of rules built from `Peer.anyone()`
 * @returns one message per problem, for cdk8s's `node.addValidation`
 */
export function synthValidationErrors(manifest: Record<string, unknown>, explicitlyOpen: Set<string>): string[] {
  const errors = checkApiServerRules(manifest).filter((f) => f.severity === Severity.ERROR);
  const open = allowsAllPeers(manifest).filter((f) => f.code === LintCode.ALLOWS_ALL_PEERS && !explicitlyOpen.has(f.field.replace(/\.(from|to)$/, '')));
  return [...errors, ...open].map(formatFinding);
}
