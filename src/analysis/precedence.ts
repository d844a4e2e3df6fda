import { evaluateCiliumSide, namespaceTierVerdict } from './cilium-semantics';
import { describeAddresses, evaluateSide, fromOwnNode, networksHoldSome, portsMatch, Reading, Side, tierPeerUndecided, tierRuleMatches } from './semantics';
import { DecisionTier, ownNodeVerdict, SideDecision, SideVerdict, TierRuleReference } from './verdict';
import { Cluster, ClusterEndpoint, subjectSelection, TierAction, TieredPolicy, TierName, TierPeer, TierRule } from '../inventory/cluster';
import { BOOLEAN_ALGEBRA, FirstMatch, firstMatch, SetAlgebra, TierMatch } from '../inventory/first-match';
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
 * booleans: one other end) and the matrix (bitsets: every other end at once) share them. The first
 * match of a tier (`firstMatch`) lives in the inventory layer (inventory/first-match), so that the
 * lints (NP002's reading of the Admin tier) call the same function.
 */

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

/**
 * Admin tier, then NetworkPolicies, then Baseline tier, then the default (allow). Allowed only what
 * EVERY possible reading of the tiers allows (`firstMatch`): the Admin tier decides an end alone
 * where some reading denies it, or where every reading allows it; else (a Pass, or no match, is
 * possible) the next tiers decide, and an Admin Allow that is possible too changes nothing (the
 * reading where it does not apply must allow as well). Likewise the Baseline tier (its Pass and no
 * match both lead to the default, allowed).
 *
 * In the `widest` reading (`Reading`, for proofs of absence) `allowed` is instead what SOME reading
 * allows: an Admin Allow that some reading takes (an undecided one too), or, where a Pass or no
 * match is possible, the namespace tier where it decides (its outcome read widest by the caller:
 * isolation and deny rules only where they must apply), else a Baseline Allow, Pass or no match.
 * An undecided Deny is thereby taken not to match, a Pass whichever way allows more. The tiers
 * that decide (`byAdmin`, ...) stay those of the fail-closed reading.
 */
export function combineTiers<S>(
  alg: SetAlgebra<S>, admin: FirstMatch<S>, np: NetworkPolicyOutcome<S>, baseline: FirstMatch<S>, reading: Reading = 'failClosed',
): Precedence<S> {
  const adminOnlyAllows = alg.minus(admin.allow, alg.or(admin.deny, alg.or(admin.pass, admin.through)));
  const byAdmin = alg.or(admin.deny, adminOnlyAllows);
  const afterAdmin = alg.minus(alg.all, byAdmin); // a Pass or no Admin match is possible, no Deny
  const denied = np.denied ?? alg.none;
  const decides = alg.or(np.isolated, denied);
  const byNetworkPolicy = alg.and(afterAdmin, decides);
  const afterNetworkPolicy = alg.minus(afterAdmin, decides);
  const baselineOnlyAllows = alg.minus(baseline.allow, alg.or(baseline.deny, alg.or(baseline.pass, baseline.through)));
  const byBaseline = alg.and(afterNetworkPolicy, alg.or(baseline.deny, baselineOnlyAllows));
  const namespaceAllowed = alg.minus(np.allowed, denied);
  const allowed = reading === 'widest'
    ? widestAllowed(alg, admin, decides, namespaceAllowed, baseline)
    : alg.or(alg.or(adminOnlyAllows, alg.and(byNetworkPolicy, namespaceAllowed)), alg.minus(afterNetworkPolicy, baseline.deny));
  return { allowed, byAdmin, byNetworkPolicy, byBaseline };
}

/** What some reading of the tiers allows (`combineTiers`, `widest`). */
function widestAllowed<S>(alg: SetAlgebra<S>, admin: FirstMatch<S>, decides: S, namespaceAllowed: S, baseline: FirstMatch<S>): S {
  const goesOn = alg.or(admin.pass, admin.through);
  const baselineAllows = alg.or(baseline.allow, alg.or(baseline.pass, baseline.through));
  const below = alg.or(alg.and(decides, namespaceAllowed), alg.minus(baselineAllows, decides));
  return alg.or(admin.allow, alg.and(goesOn, below));
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
  /**
   * Whether the policy's subject may or may not select the side's pod (`subjectSelection`: its
   * namespace's labels are not in the input): the rule then at most may match (`undecidedSubject`).
   */
  readonly subjectUndecided: boolean;
}

/**
 * The policies of a tier in evaluation order: by priority (lower first). Two policies of one tier
 * with the same priority are in an order the implementation chooses (the API leaves it undefined;
 * lint NP016 reports it): they stay next to each other (here by kind and name, so the output is
 * deterministic), and `firstMatch` takes in every order of them (fail closed), so no verdict
 * depends on this one.
 */
export function tierPolicies(cluster: Cluster, tier: TierName): TieredPolicy[] {
  return cluster.tieredPolicies.filter((p) => p.tier === tier)
    .sort((a, b) => a.priority - b.priority || compare(a.kind, b.kind) || compare(a.id, b.id));
}

/** The applicable rules as `firstMatch` takes them: each with its policy's position and priority. */
export function tierMatches<S>(
  rules: readonly OrderedTierRule[], match: (r: OrderedTierRule, k: number) => { matched: S; undecided?: S },
): TierMatch<S>[] {
  const positions = new Map<TieredPolicy, number>();
  return rules.map((r, k) => {
    let policy = positions.get(r.policy);
    if (policy === undefined) positions.set(r.policy, (policy = positions.size));
    return { action: r.rule.action, ...match(r, k), policy, priority: r.policy.priority };
  });
}

/** The rules of `side` of the policies (of one tier, in `tierPolicies` order) whose subject selects `self`, in evaluation order. */
export function applicableRules(cluster: Cluster, policies: readonly TieredPolicy[], side: Side, self: ClusterEndpoint): OrderedTierRule[] {
  return policies.flatMap((policy) => {
    const selected = subjectSelection(cluster, policy, self);
    if (selected === false) return [];
    return (side === 'ingress' ? policy.ingress : policy.egress).map((rule) => ({ policy, rule, subjectUndecided: selected === undefined }));
  });
}

/**
 * A rule's match where its policy's subject may or may not select the pod (`subjectUndecided`):
 * what it matches it may match, decided per pair by `firstMatch` like any undecidable rule.
 */
export function undecidedSubject<S>(alg: SetAlgebra<S>, r: OrderedTierRule, m: { matched: S; undecided?: S }): { matched: S; undecided?: S } {
  if (!r.subjectUndecided) return m;
  return { matched: alg.none, undecided: m.undecided === undefined ? m.matched : alg.or(m.matched, m.undecided) };
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

/**
 * Both sides of one connection `src` -> `dst`: the source's egress and the destination's ingress,
 * each by `decideSide` over the policies that can select its pod (`Cluster.scopedTo`, an index: the
 * tiers and the Cilium policies stay whole). The connection goes through when both allow it. What
 * `explain` and the diff ask, and the DNS path of `dnsVisibility` (a lookup and its server).
 */
export function decidePair(
  cluster: Cluster, src: ClusterEndpoint, dst: ClusterEndpoint, traffic: Traffic,
): { egress: SideVerdict; ingress: SideVerdict } {
  return {
    egress: decideSide(cluster.scopedTo(src), 'egress', src, dst, traffic),
    ingress: decideSide(cluster.scopedTo(dst), 'ingress', dst, src, traffic),
  };
}

/** `decideSide` by the policies of every tier alone. */
function decideByPolicies(cluster: Cluster, side: Side, self: ClusterEndpoint, other: ClusterEndpoint, traffic: Traffic): SideVerdict {
  const plain = evaluateSide(cluster, side, self, other, traffic);
  const np = cluster.ciliumPolicies.length === 0 ? plain : namespaceTierVerdict(plain, evaluateCiliumSide(cluster, side, self, other, traffic));
  if (self.external || cluster.tieredPolicies.length === 0) return np;
  const destination = side === 'ingress' ? self : other;
  const notes: string[] = [...np.failClosedNotes ?? []];
  const tier = (name: TierName) => {
    const rules = applicableRules(cluster, tierPolicies(cluster, name), side, self);
    const matches = tierMatches(rules, (r) => {
      const m = portsMatch(r.rule.ports, traffic, destination) ? tierRuleMatches(cluster, r.rule.peers, other) : false;
      return undecidedSubject(BOOLEAN_ALGEBRA, r, { matched: m === true, undecided: m === undefined });
    });
    const outcome = firstMatch(BOOLEAN_ALGEBRA, matches);
    notes.push(...failClosedNotes(cluster, rules, matches, outcome, side, self, other));
    const first = (action: TierAction) => {
      const at = outcome.hits.findIndex((hit, k) => hit && rules[k].rule.action === action);
      return at < 0 ? undefined : tierRuleReference(rules[at], side);
    };
    return { outcome, allow: first('allow'), deny: first('deny'), pass: first('pass') };
  };
  const admin = tier('admin');
  const baseline = tier('baseline');
  const namespaceTier = { isolated: np.isolated, allowed: np.allowed, denied: np.deniedBy !== undefined };
  const p = combineTiers(BOOLEAN_ALGEBRA, admin.outcome, namespaceTier, baseline.outcome);
  const extra = {
    ...(admin.pass !== undefined && !p.byAdmin ? { passedBy: admin.pass } : {}),
    ...(notes.length > 0 ? { failClosedNotes: notes } : {}),
  };
  if (p.byAdmin) return tierVerdict(np, p.allowed, DecisionTier.ADMIN, (p.allowed ? admin.allow : admin.deny)!, extra);
  if (p.byNetworkPolicy) return { ...np, ...extra };
  if (p.byBaseline) return tierVerdict(np, p.allowed, DecisionTier.BASELINE, (p.allowed ? baseline.allow : baseline.deny)!, extra);
  // Nothing decided: the default allows. (A Baseline Pass skips the rest of its tier: the default too.)
  return { ...np, tier: DecisionTier.DEFAULT, ...extra };
}

/**
 * Why a tier's outcome for one pair was decided fail closed (`firstMatch`), in words: a rule that
 * may or may not match the other end (its IP not known) and was reached, and tied policies (one
 * priority) whose first matching rules do not agree. Nothing where the input decides it.
 */
function failClosedNotes(
  cluster: Cluster, rules: readonly OrderedTierRule[], matches: ReadonlyArray<TierMatch<boolean>>, outcome: FirstMatch<boolean>,
  side: Side, self: ClusterEndpoint, other: ClusterEndpoint,
): string[] {
  const notes: string[] = [];
  const name = (r: OrderedTierRule) => `${r.policy.kind} ${r.policy.id} ${side}[${r.rule.index}] (${r.rule.actionText})`;
  rules.forEach((r, k) => {
    if (!outcome.hits[k] || !matches[k].undecided) return;
    const undecided = r.rule.peers.filter((x) => tierPeerUndecided(cluster, x, other));
    const readings = 'the verdict holds only what both readings allow (a Deny taken to match, an Allow/Accept not, a Pass both ways)';
    const guessed = [...new Set([
      ...(r.subjectUndecided ? [self.namespace!] : []),
      ...(undecided.some((x) => x.kind === 'namespaces' || x.kind === 'pods') ? [other.namespace!] : []),
    ])].sort();
    if (guessed.length > 0) {
      const what = [...(r.subjectUndecided ? [`its subject (${r.policy.subjectText}) selects ${self.id}`] : []),
        ...undecided.filter((x) => x.kind === 'namespaces' || x.kind === 'pods').map((x) => `its ${x.text} match ${other.id}`)].join(' and whether ');
      notes.push(`decided fail closed: guessed namespace labels: whether ${what} (${name(r)}) cannot be decided, since the input has no Namespace object `
        + `for ${guessed.join(', ')} and the selector tests labels other than kubernetes.io/metadata.name; ${readings}. `
        + 'Give the Namespace objects (kubectl get namespaces -o yaml, or --surroundings) to decide it');
    }
    const partly = undecided.filter((x): x is Extract<TierPeer, { kind: 'networks' }> => x.kind === 'networks' && networksHoldSome(x, other));
    if (partly.length > 0) {
      notes.push(`decided fail closed: some addresses: ${partly.map((x) => x.text).join('; ')} of ${name(r)} hold some of ${other.id}'s addresses `
        + `(${describeAddresses(other)}) and not the others, so whether it matches `
        + `depends on the address a connection uses; ${readings}. Give the rule networks of each address family (an IPv4 and an IPv6 one) to decide it`);
    } else if (undecided.some((x) => x.kind === 'networks')) {
      notes.push(`decided fail closed: unknown IP: whether ${name(r)} matches ${other.id} by its ${undecided.map((x) => x.text).join('; ')} cannot be decided, `
        + `since its IP is not known; ${readings}. Give the pods' IPs (--pod ns/name@ip, or status.podIP in the manifests) to decide it`);
    } else if (undecided.some((x) => x.kind === 'nodes')) {
      notes.push(`decided fail closed: node labels: whether ${name(r)} matches ${other.id} by its ${undecided.map((x) => x.text).join('; ')} cannot be decided, `
        + `since the model does not read node labels; ${readings}. Review its effect on nodes separately`);
    }
  });
  const byPriority = new Map<number, OrderedTierRule[]>();
  rules.forEach((r, k) => {
    if (!outcome.hits[k]) return;
    const tied = byPriority.get(r.policy.priority) ?? [];
    byPriority.set(r.policy.priority, [...tied, r]);
  });
  for (const [priority, hit] of byPriority) {
    const policies = new Set(hit.map((r) => r.policy));
    const actions = new Set(hit.map((r) => r.rule.action));
    if (policies.size < 2 || actions.size < 2) continue;
    notes.push(`decided fail closed: tied priority: ${hit.map(name).join(', ')} have priority ${priority} and match this connection; `
      + 'the implementation "can apply any of the matching policies" (sig-network policy API, Priority), '
      + 'so the verdict holds only what every order of them allows. Give them distinct priorities');
  }
  return notes;
}

function tierVerdict(
  np: SideVerdict, allowed: boolean, tier: DecisionTier, decidedBy: TierRuleReference,
  extra: { passedBy?: TierRuleReference; failClosedNotes?: string[] },
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
    ...extra,
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
