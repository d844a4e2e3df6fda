import { evaluateCiliumSide, namespaceTierVerdict } from './cilium-semantics';
import { evaluateSide, fromOwnNode, portsMatch, Side, tierPeerMatches } from './semantics';
import { DecisionTier, ownNodeVerdict, SideDecision, SideVerdict, TierRuleReference } from './verdict';
import { Cluster, ClusterEndpoint, subjectSelects, TierAction, TieredPolicy, TierName, TierRule } from '../inventory/cluster';
import { Traffic } from '../k8s/port-set';

/**
 * The precedence of the sig-network policy API, in one place: for each direction of a connection,
 *
 * 1. the Admin tier (AdminNetworkPolicy, ClusterNetworkPolicy `tier: Admin`): its policies by
 *    priority (lower first), each policy's rules in order; the first rule that matches decides:
 *    Allow/Accept and Deny are final, Pass hands the connection over to the next tier;
 * 2. the namespace tier, the NetworkPolicies and Cilium's policies: when any isolates the pod for
 *    this direction, they decide (allowed when a rule of either kind allows, else denied); a Cilium
 *    deny rule that matches decides too, over every allow of the tier (`cilium-semantics`);
 * 3. the Baseline tier (BaselineAdminNetworkPolicy, ClusterNetworkPolicy `tier: Baseline`): first
 *    matching rule decides (a v1alpha2 Pass skips the rest of the tier);
 * 4. the default: allowed.
 *
 * Over all of them, a pod's ingress from its own node is always allowed (`fromOwnNode`,
 * `admitOwnNode`): no tier's rule can deny it, only a Cilium deny rule that matches the node. (An
 * AdminNetworkPolicy or ClusterNetworkPolicy ingress rule has only `namespaces`/`pods` peers, which
 * never match node traffic, so no Admin Deny names it anyway.)
 *
 * A connection needs the source's egress side and the destination's ingress side to allow it (the
 * caller asks for each). The rules are written once over a set algebra, so the pair verdict (`decideSide`,
 * booleans: one other end) and the matrix (bitsets: every other end at once) share them.
 */

/** Sets of "other ends" a side is about: booleans for one pair, bitsets for a row of the matrix. */
export interface SetAlgebra<S> {
  readonly none: S;
  readonly all: S;
  and(a: S, b: S): S;
  or(a: S, b: S): S;
  /** `a` without `b`. */
  minus(a: S, b: S): S;
}

/** The algebra of one pair. */
export const BOOLEAN_ALGEBRA: SetAlgebra<boolean> = {
  none: false,
  all: true,
  and: (a, b) => a && b,
  or: (a, b) => a || b,
  minus: (a, b) => a && !b,
};

/** A tier rule as it applies to a side: what it matches and what it does. */
export interface TierMatch<S> {
  readonly action: TierAction;
  readonly matched: S;
}

/** A tier's first-match outcome: the ends each action decided (pairwise disjoint), and each rule's share. */
export interface FirstMatch<S> {
  readonly allow: S;
  readonly deny: S;
  readonly pass: S;
  /** For each rule of the input, the ends it decided (matched, and no earlier rule did). */
  readonly hits: S[];
}

/** The first rule that matches decides: each end goes to the action of the first rule (in order) that matches it. */
export function firstMatch<S>(alg: SetAlgebra<S>, rules: ReadonlyArray<TierMatch<S>>): FirstMatch<S> {
  let undecided = alg.all;
  let allow = alg.none;
  let deny = alg.none;
  let pass = alg.none;
  const hits: S[] = [];
  for (const rule of rules) {
    const hit = alg.and(rule.matched, undecided);
    hits.push(hit);
    if (rule.action === 'allow') allow = alg.or(allow, hit);
    else if (rule.action === 'deny') deny = alg.or(deny, hit);
    else pass = alg.or(pass, hit);
    undecided = alg.minus(undecided, rule.matched);
  }
  return { allow, deny, pass, hits };
}

/**
 * What the namespace tier says about a side: whether it isolates it, what its rules allow, and what
 * a Cilium deny rule denies (the tier decides what it isolates or denies).
 */
export interface NetworkPolicyOutcome<S> {
  readonly isolated: S;
  readonly allowed: S;
  /** Denied by a Cilium deny rule, whatever allows it. @default none */
  readonly denied?: S;
}

/** The tiers combined: what is allowed, and which tier decided each end. */
export interface Precedence<S> {
  readonly allowed: S;
  readonly byAdmin: S;
  readonly byNetworkPolicy: S;
  readonly byBaseline: S;
}

/** Admin tier, then NetworkPolicies, then Baseline tier, then the default (allow). */
export function combineTiers<S>(alg: SetAlgebra<S>, admin: FirstMatch<S>, np: NetworkPolicyOutcome<S>, baseline: FirstMatch<S>): Precedence<S> {
  const byAdmin = alg.or(admin.allow, admin.deny);
  const afterAdmin = alg.minus(alg.all, byAdmin); // no Admin rule matched, or a Pass did
  const denied = np.denied ?? alg.none;
  const decides = alg.or(np.isolated, denied);
  const byNetworkPolicy = alg.and(afterAdmin, decides);
  const afterNetworkPolicy = alg.minus(afterAdmin, decides);
  const byBaseline = alg.and(afterNetworkPolicy, alg.or(baseline.allow, baseline.deny));
  const namespaceAllowed = alg.minus(np.allowed, denied);
  const allowed = alg.or(alg.or(admin.allow, alg.and(byNetworkPolicy, namespaceAllowed)), alg.minus(afterNetworkPolicy, baseline.deny));
  return { allowed, byAdmin, byNetworkPolicy, byBaseline };
}

/**
 * What a side allows once the pod's own node is admitted: what the tiers allow (`allowed`), plus
 * the ends that are its own node (`ownNode`, `fromOwnNode`) except those a Cilium deny rule denies
 * (`ciliumDenied`): "Deny policies take precedence over allow policies" (docs.cilium.io, Deny
 * Policies), and the local host's access to its endpoints is an allow; never a broader allow than
 * declared.
 */
export function admitOwnNode<S>(alg: SetAlgebra<S>, allowed: S, ownNode: S, ciliumDenied: S): S {
  return alg.or(allowed, alg.minus(ownNode, ciliumDenied));
}

/** A tier rule with its policy, in evaluation order. */
export interface OrderedTierRule {
  readonly policy: TieredPolicy;
  readonly rule: TierRule;
}

/**
 * The policies of a tier in evaluation order: by priority (lower first). Two policies of one tier
 * with the same priority are in an order the implementation chooses (the API leaves it undefined;
 * lint NP020 reports it); here by kind and name, so the output is deterministic.
 */
export function tierPolicies(cluster: Cluster, tier: TierName): TieredPolicy[] {
  return cluster.tieredPolicies.filter((p) => p.tier === tier)
    .sort((a, b) => a.priority - b.priority || compare(a.kind, b.kind) || compare(a.id, b.id));
}

/** The rules of `side` of the policies (of one tier, in `tierPolicies` order) whose subject selects `self`, in evaluation order. */
export function applicableRules(cluster: Cluster, policies: readonly TieredPolicy[], side: Side, self: ClusterEndpoint): OrderedTierRule[] {
  return policies.filter((p) => subjectSelects(cluster, p, self))
    .flatMap((policy) => (side === 'ingress' ? policy.ingress : policy.egress).map((rule) => ({ policy, rule })));
}

/** A reference to a tier rule, for verdicts. */
export function tierRuleReference(r: OrderedTierRule, side: Side): TierRuleReference {
  return {
    kind: r.policy.kind,
    policy: r.policy.id,
    tier: r.policy.tier === 'admin' ? DecisionTier.ADMIN : DecisionTier.BASELINE,
    priority: r.policy.priority,
    direction: side,
    rule: r.rule.index,
    ...(r.rule.name !== undefined ? { ruleName: r.rule.name } : {}),
    action: r.rule.actionText,
  };
}

/**
 * One side of one connection, with every tier: the verdict the analyser, `explain`, the diff and
 * the matchers use. `self` is the pod whose side it is (the destination for ingress, the source for
 * egress), `other` the other end.
 */
export function decideSide(cluster: Cluster, side: Side, self: ClusterEndpoint, other: ClusterEndpoint, traffic: Traffic): SideVerdict {
  const byPolicies = decideByPolicies(cluster, side, self, other, traffic);
  const allowed = admitOwnNode(BOOLEAN_ALGEBRA, byPolicies.allowed, fromOwnNode(side, self, other), byPolicies.deniedBy !== undefined);
  return allowed && !byPolicies.allowed ? ownNodeVerdict(byPolicies) : byPolicies;
}

/** `decideSide` by the policies of every tier alone. */
function decideByPolicies(cluster: Cluster, side: Side, self: ClusterEndpoint, other: ClusterEndpoint, traffic: Traffic): SideVerdict {
  const plain = evaluateSide(cluster, side, self, other, traffic);
  const np = cluster.ciliumPolicies.length === 0 ? plain : namespaceTierVerdict(plain, evaluateCiliumSide(cluster, side, self, other, traffic));
  if (self.external || cluster.tieredPolicies.length === 0) return np;
  const destination = side === 'ingress' ? self : other;
  const tier = (name: TierName) => {
    const rules = applicableRules(cluster, tierPolicies(cluster, name), side, self);
    const outcome = firstMatch(BOOLEAN_ALGEBRA, rules.map(({ rule }) => ({
      action: rule.action,
      matched: portsMatch(rule.ports, traffic, destination) && rule.peers.some((p) => tierPeerMatches(cluster, p, other)),
    })));
    const at = outcome.hits.indexOf(true);
    return { outcome, decided: at < 0 ? undefined : tierRuleReference(rules[at], side) };
  };
  const admin = tier('admin');
  const baseline = tier('baseline');
  const namespaceTier = { isolated: np.isolated, allowed: np.allowed, denied: np.deniedBy !== undefined };
  const p = combineTiers(BOOLEAN_ALGEBRA, admin.outcome, namespaceTier, baseline.outcome);
  const passedBy = admin.outcome.pass ? { passedBy: admin.decided! } : {};
  if (p.byAdmin) return tierVerdict(np, p.allowed, DecisionTier.ADMIN, admin.decided!, {});
  if (p.byNetworkPolicy) return { ...np, ...passedBy };
  if (p.byBaseline) return tierVerdict(np, p.allowed, DecisionTier.BASELINE, baseline.decided!, passedBy);
  // Nothing decided: the default allows. (A Baseline Pass skips the rest of its tier: the default too.)
  return { ...np, tier: DecisionTier.DEFAULT, ...passedBy };
}

function tierVerdict(
  np: SideVerdict, allowed: boolean, tier: DecisionTier, decidedBy: TierRuleReference, passed: { passedBy?: TierRuleReference },
): SideVerdict {
  return {
    decision: allowed ? SideDecision.ALLOWED : SideDecision.DENIED,
    allowed,
    isolated: np.isolated,
    isolatingPolicies: np.isolatingPolicies,
    allowedBy: [],
    notPoliced: false,
    tier,
    decidedBy,
    ...passed,
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
