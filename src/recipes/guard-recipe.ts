import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { NetworkPolicy } from '../constructs/network-policy';
import { describeSelector, selectorsOverlap } from '../k8s/label-selector';
import { Direction } from '../model/direction';

/** What a guard recipe blocks, for its synth-time check. */
export interface GuardFacts {
  /** The recipe's name, e.g. `BlockCloudMetadata`. */
  readonly recipe: string;
  /** What it blocks, e.g. `the cloud metadata addresses (169.254.169.254/32, fd00:ec2::254/128)`. */
  readonly blocks: string;
  /** What its rule allows, e.g. `every address but the metadata ones`. */
  readonly allows: string;
  /** Why the guard is not needed where egress is restricted already, and what to do instead. */
  readonly instead: string;
}

/**
 * Makes a guard recipe (BlockCloudMetadata, DenyExternalEgress) fail the synth wherever it would
 * open egress instead of only blocking. NetworkPolicies only allow, so a guard is an egress policy
 * that allows everything but what it blocks: for pods that nothing else isolates for egress, that
 * removes exactly what it blocks. But rules add up, so for pods whose egress another policy already
 * restricts (DefaultDeny, AllowDns, another guard, an endpoint's own egress rules), the guard's rule
 * would allow them everything that policy denies. So the synth fails when
 * - the guard's policy holds egress rules it did not declare (an endpoint's own policy, rules added
 *   to `policy` afterwards), or
 * - another NetworkPolicy of the app, in the guard's namespace, restricts egress of pods that the
 *   guard's policy can also select (the selectors are compared exactly: some labels match both),
 * naming the other policy or rule and the fix. Policies outside the app (applied to the cluster by
 * other means) are not known at synth time.
 */
export function refuseWidening(guard: Construct, policy: NetworkPolicy, facts: GuardFacts): void {
  guard.node.addValidation({ validate: () => wideningErrors(guard, policy, facts) });
}

function wideningErrors(guard: Construct, policy: NetworkPolicy, facts: GuardFacts): string[] {
  const errors: string[] = [];
  const at = `NetworkPolicy ${policy.namespace}/${policy.name}`;
  const origins = policy._ruleOrigins(Direction.EGRESS);
  if (origins.length > 1) {
    // The guard's own rule: declared by the guard (an endpoint's policy), else the first (its own policy).
    const own = origins.includes(guard) ? origins.indexOf(guard) : 0;
    const others = origins.filter((_, i) => i !== own);
    errors.push(`${facts.recipe} puts its rule (${facts.allows}) into ${at}, which has ${origins.length - 1} other egress rule${origins.length > 2 ? 's' : ''} `
      + `(declared at ${[...new Set(others.map((o) => `[${o.node.path}]`))].join(', ')}). NetworkPolicy rules add up, so the guard would let these pods reach `
      + `everything those rules do not allow, instead of only blocking ${facts.blocks}. ${facts.instead}`);
  }
  const pods = policy.pods.toJson();
  for (const other of otherEgressPolicies(guard, policy)) {
    if (!selectorsOverlap(pods, other.podSelector)) continue;
    errors.push(`${facts.recipe} (${at}, pods ${describeSelector(pods)}) selects pods whose egress [${other.path}] ${other.kind} ${other.ref} (pods ${describeSelector(other.podSelector)}) `
      + `restricts too. NetworkPolicy rules add up, so the guard's rule (${facts.allows}) would let those pods reach everything that policy does not allow, `
      + `instead of only blocking ${facts.blocks}. ${facts.instead}`);
  }
  return errors;
}

/** What the check reads of a NetworkPolicy or CiliumNetworkPolicy object. */
interface PolicyJson {
  readonly metadata?: { readonly namespace?: unknown; readonly name?: unknown };
  readonly spec?: {
    readonly podSelector?: unknown;
    readonly policyTypes?: unknown;
    readonly egress?: unknown;
    readonly endpointSelector?: unknown;
    readonly egressDeny?: unknown;
  };
}

/**
 * The policies of the app, other than `policy`'s, in its namespace, that restrict egress: the
 * NetworkPolicies with Egress, and the CiliumNetworkPolicies with egress rules (Cilium adds both
 * kinds up, so a guard's allow widens what a Cilium policy restricts just as well).
 */
function otherEgressPolicies(guard: Construct, policy: NetworkPolicy): Array<{ path: string; kind: string; ref: string; podSelector: unknown }> {
  const out: Array<{ path: string; kind: string; ref: string; podSelector: unknown }> = [];
  for (const c of guard.node.root.node.findAll()) {
    if (!ApiObject.isApiObject(c) || c === policy.apiObject) continue;
    if (c.kind !== 'NetworkPolicy' && c.kind !== 'CiliumNetworkPolicy') continue;
    const json = c.toJson() as PolicyJson;
    if (json.metadata?.namespace !== policy.namespace) continue;
    const ref = `${policy.namespace}/${String(json.metadata?.name)}`;
    if (c.kind === 'CiliumNetworkPolicy') {
      const rules = json.spec?.egress;
      if (!Array.isArray(rules) || rules.length === 0) continue;
      out.push({ path: c.node.path, kind: c.kind, ref, podSelector: ciliumSelectorAsLabels(json.spec?.endpointSelector) });
      continue;
    }
    const types = json.spec?.policyTypes;
    // Without policyTypes, the API server lists Egress when the policy has egress rules.
    const egress = Array.isArray(types) ? types.includes('Egress') : json.spec?.egress !== undefined;
    if (!egress) continue;
    out.push({ path: c.node.path, kind: c.kind, ref, podSelector: json.spec?.podSelector ?? {} });
  }
  return out;
}

/**
 * A Cilium endpoint selector as a pod label selector, for the overlap test: `k8s:` prefixes
 * dropped (the pod's own labels); a selector on other sources of labels (`reserved:`, `any:`...)
 * or one it cannot read becomes `{}` (every pod), so the test errs on the side of refusing.
 */
function ciliumSelectorAsLabels(selector: unknown): unknown {
  if (typeof selector !== 'object' || selector === null) return {};
  const sel = selector as { matchLabels?: Record<string, unknown>; matchExpressions?: Array<Record<string, unknown>> };
  const strip = (key: string) => (key.startsWith('k8s:') ? key.slice(4) : key.includes(':') ? undefined : key);
  const matchLabels: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) {
    const key = strip(k);
    if (key === undefined) return {};
    if (key === 'io.kubernetes.pod.namespace') continue; // the namespace is compared apart
    matchLabels[key] = v;
  }
  const matchExpressions: Array<Record<string, unknown>> = [];
  for (const e of sel.matchExpressions ?? []) {
    const key = typeof e.key === 'string' ? strip(e.key) : undefined;
    if (key === undefined) return {};
    matchExpressions.push({ ...e, key });
  }
  return { ...(Object.keys(matchLabels).length > 0 ? { matchLabels } : {}), ...(matchExpressions.length > 0 ? { matchExpressions } : {}) };
}
