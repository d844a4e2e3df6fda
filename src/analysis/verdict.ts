/** How one side of a connection (the source's egress or the destination's ingress) decides it. */
export enum SideDecision {
  /** The pod is isolated in this direction and a rule of an isolating policy allows the connection. */
  ALLOWED = 'ALLOWED',
  /** The pod is isolated in this direction and no rule of the isolating policies allows the connection. */
  DENIED = 'DENIED',
  /** No policy selects the pod for this direction, so everything is allowed. */
  NOT_ISOLATED = 'NOT_ISOLATED',
  /** The end is outside the cluster, where NetworkPolicies do not apply (allowed, not policed). */
  OUTSIDE_CLUSTER = 'OUTSIDE_CLUSTER',
}

/** Which tier of the precedence decided a side (sig-network policy API: Admin, NetworkPolicy, Baseline, default). */
export enum DecisionTier {
  /** A rule of an Admin-tier policy (AdminNetworkPolicy, or ClusterNetworkPolicy tier Admin) allowed or denied it. */
  ADMIN = 'ADMIN',
  /** The pod's NetworkPolicies decided it (they isolate it in this direction). */
  NETWORK_POLICY = 'NETWORK_POLICY',
  /** A rule of a Baseline-tier policy (BaselineAdminNetworkPolicy, or ClusterNetworkPolicy tier Baseline) allowed or denied it. */
  BASELINE = 'BASELINE',
  /** Nothing decided it, so the default applies: allowed. */
  DEFAULT = 'DEFAULT',
  /** The end is outside the cluster, where policies do not apply. */
  OUTSIDE_CLUSTER = 'OUTSIDE_CLUSTER',
}

/** A rule of a cluster-wide policy that decided a side, or passed it on. */
export interface TierRuleReference {
  /** The policy's kind: `AdminNetworkPolicy`, `BaselineAdminNetworkPolicy` or `ClusterNetworkPolicy`. */
  readonly kind: string;
  /** The policy's name. */
  readonly policy: string;
  /** Its tier: `ADMIN` or `BASELINE`. */
  readonly tier: DecisionTier;
  /** Its priority (0 is evaluated first; the v1alpha1 baseline has none: 0). */
  readonly priority: number;
  /** `ingress` or `egress`. */
  readonly direction: string;
  /** The index of the rule in the policy's `ingress`/`egress` list. */
  readonly rule: number;
  /** The rule's name. @default - it has none */
  readonly ruleName?: string;
  /** The rule's action as written: `Allow`, `Accept`, `Deny` or `Pass`. */
  readonly action: string;
}

/** A rule that allows a connection (or, for Cilium, denies it). */
export interface RuleReference {
  /** `<namespace>/<name>` of the policy (the name alone for a CiliumClusterwideNetworkPolicy). */
  readonly policy: string;
  /**
   * The list of the policy the rule is in: `ingress` or `egress`; for a Cilium deny rule
   * `ingressDeny` or `egressDeny`.
   */
  readonly direction: string;
  /** The index of the rule in the policy's `ingress`/`egress` list. */
  readonly rule: number;
  /**
   * True when the rule matched the other end by an ipBlock: an external address, or a pod's IP (which
   * is implementation-defined: some network plugins, e.g. Cilium, do not apply ipBlocks to pod IPs).
   */
  readonly byIpBlock: boolean;
  /** The policy's kind, when it is not a NetworkPolicy (`CiliumNetworkPolicy`, `CiliumClusterwideNetworkPolicy`). @default - a NetworkPolicy */
  readonly kind?: string;
  /** The index of the rule spec in a Cilium policy's `specs[]`. @default - the policy's `spec` */
  readonly spec?: number;
  /**
   * True when the rule's ports carry layer-7 rules (Cilium `rules.http`, `rules.dns`, ...): layer 3/4
   * allow the connection, and the layer-7 rules then filter its requests. @default false
   */
  readonly l7Rules?: boolean;
  /**
   * The rule's ports carry layer-7 rules, but a plain allow of the same traffic (this rule, in
   * words) voids them: every request passes. Then `l7Rules` is not set. README, HTTP rules: "a plain
   * allow voids the HTTP rules of the traffic it shares with them" (docs.cilium.io Layer 7: an L3/L4
   * allow of the same peer and port wildcards the layer-7 rules). @default - not voided
   */
  readonly l7VoidedBy?: string;
  /**
   * The entities a Cilium rule's peer names (`toEntities`/`fromEntities`: `kube-apiserver`, `host`,
   * `world`, ...), in its order. @default - the rule names no entities
   */
  readonly entities?: string[];
}

/**
 * The verdict of one side of a connection: the source's egress or the destination's ingress. The
 * analyser computes it, `Explanation` holds it for both sides, and `ReachabilityDiff` for both sides
 * before and after a change; the formats (`TextFormat.verdict`, `JsonFormat.verdict`) render it.
 */
export interface SideVerdict {
  /** How this side decides: allowed or denied by the rules, not isolated, or outside the cluster. */
  readonly decision: SideDecision;
  /** Whether this side lets the connection through (every decision but `DENIED`). */
  readonly allowed: boolean;
  /** Whether any policy of the pod's namespace selects it for this direction. */
  readonly isolated: boolean;
  /** The policies that isolate it (`<namespace>/<name>`). */
  readonly isolatingPolicies: string[];
  /**
   * The Cilium policies that select it for this direction with `enableDefaultDeny` false there: their
   * rules apply, but they do not isolate it (cilium/cilium pkg/policy/api rule.go, EnableDefaultDeny).
   * @default - none
   */
  readonly selectedWithoutDefaultDeny?: string[];
  /** The rules that allow the connection (empty when denied or not isolated). */
  readonly allowedBy: RuleReference[];
  /** True when this end is outside the cluster, where NetworkPolicies do not apply. */
  readonly notPoliced: boolean;
  /**
   * The tier that decided: `ADMIN` or `BASELINE` (a cluster-wide policy's rule, `decidedBy`),
   * `NETWORK_POLICY` (the pod's NetworkPolicies), `DEFAULT` (nothing did: allowed) or `OUTSIDE_CLUSTER`.
   */
  readonly tier: DecisionTier;
  /** The cluster-wide rule that decided (tier `ADMIN` or `BASELINE`). @default - no cluster-wide rule decided */
  readonly decidedBy?: TierRuleReference;
  /** The Admin-tier Pass rule that handed the side over to the next tiers. @default - none did */
  readonly passedBy?: TierRuleReference;
  /**
   * The Cilium deny rule (`ingressDeny`/`egressDeny`) that denied the side: deny rules take precedence
   * over every allow of Cilium policies and NetworkPolicies. @default - no deny rule matched
   */
  readonly deniedBy?: RuleReference;
  /**
   * True when the other end is the pod's own node (node traffic of the node it runs on), whose
   * traffic to the pod is always allowed whatever the policies ("traffic to and from the node where
   * a Pod is running is always allowed", Kubernetes docs, Network Policies): the policies would
   * deny this ingress side, and the side is allowed anyway. @default false
   */
  readonly ownNode?: boolean;
  /**
   * Why the cluster-wide tiers decided this side fail closed, where the input does not tell how the
   * network plugin decides it: a rule that may or may not match the other end (a `networks` peer,
   * the end's IP not known), or policies of one priority whose matching rules disagree (the
   * implementation may apply any of them). The verdict then holds only what every reading allows,
   * so it may be too narrow there, never too broad. Each starts `decided fail closed:`.
   * @default - decided by the input alone
   */
  readonly failClosedNotes?: string[];
}

/**
 * A rule reference in words: `shop/api ingress[0]`; a Cilium rule with its kind, its spec and
 * whether layer-7 rules apply: `CiliumNetworkPolicy shop/api specs[1].egress[0] (L7 rules apply)`,
 * and the entities it names: `CiliumNetworkPolicy shop/api egress[1] toEntities kube-apiserver`.
 */
export function describeRule(r: RuleReference): string {
  const spec = r.spec !== undefined ? `specs[${r.spec}].` : '';
  const entities = r.entities !== undefined ? ` ${r.direction.startsWith('egress') ? 'toEntities' : 'fromEntities'} ${r.entities.join(', ')}` : '';
  return `${r.kind !== undefined ? `${r.kind} ` : ''}${r.policy} ${spec}${r.direction}[${r.rule}]${entities}${r.l7Rules ? ' (L7 rules apply)' : r.l7VoidedBy !== undefined ? ` (L7 rules voided by ${r.l7VoidedBy})` : ''}`;
}

/**
 * The verdict of a side from the policies that isolate it and the rules that allow the traffic; a
 * deny rule (Cilium's `ingressDeny`/`egressDeny`) that matches denies whatever isolates or allows it.
 */
export function policedVerdict(isolatingPolicies: string[], allowedBy: RuleReference[], deniedBy?: RuleReference): SideVerdict {
  const isolated = isolatingPolicies.length > 0;
  const decision = deniedBy ? SideDecision.DENIED
    : !isolated ? SideDecision.NOT_ISOLATED : allowedBy.length > 0 ? SideDecision.ALLOWED : SideDecision.DENIED;
  return {
    decision,
    allowed: decision !== SideDecision.DENIED,
    isolated,
    isolatingPolicies,
    allowedBy: deniedBy ? [] : allowedBy,
    notPoliced: false,
    tier: isolated || deniedBy ? DecisionTier.NETWORK_POLICY : DecisionTier.DEFAULT,
    ...(deniedBy ? { deniedBy } : {}),
  };
}

/** The reason an own-node verdict gives, in words (`TextFormat`, `explain`). */
export const OWN_NODE_REASON = 'the pod\'s own node is always allowed (Kubernetes)';

/**
 * The ingress verdict of a pod from its own node, where the policies (`policies`) would deny it:
 * allowed, no rule allows it, the isolating policies kept for the explanation.
 */
export function ownNodeVerdict(policies: SideVerdict): SideVerdict {
  return {
    decision: SideDecision.ALLOWED,
    allowed: true,
    isolated: policies.isolated,
    isolatingPolicies: [...policies.isolatingPolicies],
    allowedBy: [],
    notPoliced: false,
    tier: policies.tier,
    ownNode: true,
  };
}

/** The verdict of an end outside the cluster: allowed, not policed. */
export function notPolicedVerdict(): SideVerdict {
  return {
    decision: SideDecision.OUTSIDE_CLUSTER,
    allowed: true,
    isolated: false,
    isolatingPolicies: [],
    allowedBy: [],
    notPoliced: true,
    tier: DecisionTier.OUTSIDE_CLUSTER,
  };
}

/** A copy of `v` that shares no array with it. */
export function copyVerdict(v: SideVerdict): SideVerdict {
  return {
    ...v,
    isolatingPolicies: [...v.isolatingPolicies],
    allowedBy: v.allowedBy.map((r) => ({ ...r })),
    ...(v.deniedBy ? { deniedBy: { ...v.deniedBy } } : {}),
    ...(v.decidedBy ? { decidedBy: { ...v.decidedBy } } : {}),
    ...(v.passedBy ? { passedBy: { ...v.passedBy } } : {}),
    ...(v.failClosedNotes ? { failClosedNotes: [...v.failClosedNotes] } : {}),
  };
}
