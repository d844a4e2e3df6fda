import { checkApiServerRules } from '../k8s/api-server-rules';
import { formatFinding, Severity } from '../k8s/finding';
import { RuleWithoutPeers } from '../model/rule-set';
import { allowsAllPeersFinding } from '../validation/single-policy-lints';

/** A rendered rule of a policy that allows every peer although `Peer.anyone()` was not asked for. */
export interface UnaskedOpenRule extends RuleWithoutPeers {
  readonly direction: 'ingress' | 'egress';
}

/**
 * The synth-time check of a policy this library emits: every API-server error, and every rule that
 * allows all peers without the user having asked for it with `Peer.anyone()` (constructs fail closed).
 *
 * @param manifest the rendered NetworkPolicy
 * @param unaskedOpen the rendered rules without peers that `Peer.anyone()` did not ask for (the
 * policy's rule sets say which); each is reported as the NP001 lint reports it
 * @returns one message per problem, for cdk8s's `node.addValidation`
 */
export function synthValidationErrors(manifest: Record<string, unknown>, unaskedOpen: readonly UnaskedOpenRule[]): string[] {
  const errors = checkApiServerRules(manifest).filter((f) => f.severity === Severity.ERROR);
  const open = unaskedOpen.map((r) => allowsAllPeersFinding(r.direction, r.index, r.json));
  return [...errors, ...open].map(formatFinding);
}
