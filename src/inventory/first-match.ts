import { TierAction } from './cluster';

/**
 * The first-match rule of a tier of the sig-network policy API (AdminNetworkPolicy,
 * BaselineAdminNetworkPolicy, ClusterNetworkPolicy), in one place: `analysis/precedence` combines
 * the tiers with it (pair verdicts over booleans, the matrix over bitsets), and NP002 reads the
 * Admin tier's precedence for a pod's lookups with it (validation/cross-object-lints). Written over a
 * set algebra, so one function serves one end and many.
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

/** A tier rule as it applies to a side: what it matches and what it does, in its policy's place. */
export interface TierMatch<S> {
  readonly action: TierAction;
  /** The ends it matches. */
  readonly matched: S;
  /**
   * The ends for which whether it matches cannot be decided from the input (a `networks` peer and an
   * end whose IP is not known: `tierPeerUndecided`); disjoint from `matched`. @default none
   */
  readonly undecided?: S;
  /** Its policy: the rules of one policy are consecutive, in their order. */
  readonly policy: number;
  /** Its policy's priority: consecutive policies of one priority are tied (`tierPolicies`). */
  readonly priority: number;
}

/**
 * A tier's first-match outcome. Where the input leaves it open (an undecidable rule, policies of
 * equal priority), an end has several possible outcomes: each set holds the ends for which SOME
 * reading of the input gives that outcome, so they overlap exactly there; every end is in one at least.
 */
export interface FirstMatch<S> {
  /** Some reading: a rule whose action is Allow/Accept decides. */
  readonly allow: S;
  /** Some reading: a Deny rule decides. */
  readonly deny: S;
  /** Some reading: a Pass rule decides. */
  readonly pass: S;
  /** Some reading: no rule of the tier matches. */
  readonly through: S;
  /** For each rule of the input, the ends it decides in some reading. */
  readonly hits: S[];
}

/**
 * The first rule that matches decides: for each end, the action of the first rule (in order) that
 * matches it. Two places where the input does not tell which rule that is, each decided fail closed
 * by taking in every possible reading (`combineTiers` then allows only what every reading allows):
 *
 * - a rule that may or may not match an end (`undecided`): both readings, "matched" (its action is
 *   possible) and "not matched" (the later rules go on). For a Deny that means denied; for an Allow
 *   what the later rules say; for a Pass the narrower of the next tiers and the later rules. (Each
 *   undecidable rule is read on its own, though two rules about one unknown IP are not independent:
 *   more readings than the real ones, so the result can only be narrower.)
 * - policies of one priority (`priority` equal, consecutive): "If two (or more) policies with the
 *   same priority could both match a connection, then the implementation can apply any of the
 *   matching policies to the connection, and there is no way for the user to reliably determine
 *   which one it will choose" (sig-network policy API, v1alpha1 AdminNetworkPolicySpec.Priority;
 *   v1alpha2 ClusterNetworkPolicySpec.Priority says the same). Every order of them is a reading:
 *   each one's first matching rule is possible (it may be taken first), and the tier goes on past
 *   them only where none of them matches. Where their rules agree, nothing changes.
 */
export function firstMatch<S>(alg: SetAlgebra<S>, rules: ReadonlyArray<TierMatch<S>>): FirstMatch<S> {
  let open = alg.all; // the ends some reading has left undecided so far
  let allow = alg.none;
  let deny = alg.none;
  let pass = alg.none;
  const hits: S[] = [];
  let k = 0;
  while (k < rules.length) {
    const priority = rules[k].priority;
    let past = alg.all; // the ends some reading takes past every policy of this priority
    while (k < rules.length && rules[k].priority === priority) {
      const policy = rules[k].policy;
      let reached = open; // the ends some reading brings to this rule of the policy
      for (; k < rules.length && rules[k].policy === policy; k++) {
        const rule = rules[k];
        const hit = alg.and(reached, rule.undecided === undefined ? rule.matched : alg.or(rule.matched, rule.undecided));
        hits.push(hit);
        if (rule.action === 'allow') allow = alg.or(allow, hit);
        else if (rule.action === 'deny') deny = alg.or(deny, hit);
        else pass = alg.or(pass, hit);
        reached = alg.minus(reached, rule.matched);
      }
      past = alg.and(past, reached);
    }
    open = past;
  }
  return { allow, deny, pass, through: open, hits };
}
