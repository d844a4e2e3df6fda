import { NetworkPolicy } from './network-policy';
import { LintCode } from '../validation/lint-codes';

/**
 * NP009 ("two policies that could be one") is accepted for a building block (AllowDns, a recipe)
 * that is kept as a policy of its own on purpose, so it can be added and removed alone.
 */
export function acceptAsOwnPolicy(policy: NetworkPolicy, what: string): void {
  policy.acceptLint(LintCode.MERGEABLE_POLICIES, `${what} is kept as a policy of its own on purpose, so it can be added and removed alone`);
}
