import { TierAction } from '../../src/inventory/cluster';
import { BOOLEAN_ALGEBRA, firstMatch, TierMatch } from '../../src/inventory/first-match';
import { afterTier } from '../../src/validation/lint-reading';

/**
 * The tiers' first-match rule, stated once (inventory/first-match) for the analysis's precedence and
 * for NP002's reading of the Admin tier. One end (booleans): what each reading of the tier gives it,
 * and what that leaves of the tiers below (`afterTier`: allowed, denied, or unknown).
 */
const rule = (action: TierAction, match: boolean | undefined, policy: number, priority: number): TierMatch<boolean> => ({
  action, matched: match === true, undecided: match === undefined, policy, priority,
});
const outcome = (rules: Array<TierMatch<boolean>>) => {
  const m = firstMatch(BOOLEAN_ALGEBRA, rules);
  return { allow: m.allow, deny: m.deny, pass: m.pass, through: m.through };
};

describe('firstMatch over one end', () => {
  test('the first rule that matches decides: a Deny ahead of an Allow denies, an Allow ahead of a Deny allows', () => {
    expect(outcome([rule('deny', true, 0, 1), rule('allow', true, 1, 2)])).toEqual({ allow: false, deny: true, pass: false, through: false });
    expect(outcome([rule('allow', true, 0, 1), rule('deny', true, 1, 2)])).toEqual({ allow: true, deny: false, pass: false, through: false });
    expect(afterTier(firstMatch(BOOLEAN_ALGEBRA, [rule('deny', true, 0, 1), rule('allow', true, 1, 2)]), true)).toBe(false);
    expect(afterTier(firstMatch(BOOLEAN_ALGEBRA, [rule('allow', true, 0, 1), rule('deny', true, 1, 2)]), false)).toBe(true);
  });

  test('a rule that does not match is passed over; no match goes through to the tiers below, which decide', () => {
    expect(outcome([rule('deny', false, 0, 1), rule('allow', true, 1, 2)])).toEqual({ allow: true, deny: false, pass: false, through: false });
    expect(outcome([rule('deny', false, 0, 1)])).toEqual({ allow: false, deny: false, pass: false, through: true });
    expect(outcome([])).toEqual({ allow: false, deny: false, pass: false, through: true });
    expect(afterTier(firstMatch(BOOLEAN_ALGEBRA, [rule('deny', false, 0, 1)]), true)).toBe(true);
    expect(afterTier(firstMatch(BOOLEAN_ALGEBRA, [rule('deny', false, 0, 1)]), false)).toBe(false);
  });

  test('within a policy, its first matching rule decides: a Pass ahead of its Deny hands the end to the tiers below', () => {
    expect(outcome([rule('pass', true, 0, 1), rule('deny', true, 0, 1)])).toEqual({ allow: false, deny: false, pass: true, through: false });
    expect(afterTier(firstMatch(BOOLEAN_ALGEBRA, [rule('pass', true, 0, 1), rule('deny', true, 0, 1)]), true)).toBe(true);
    expect(afterTier(firstMatch(BOOLEAN_ALGEBRA, [rule('pass', true, 0, 1), rule('deny', true, 0, 1)]), false)).toBe(false);
  });

  test('a rule whose match is unknown is read both ways: an unknown Deny next to an allowing rest is unknown, never allowed', () => {
    expect(outcome([rule('deny', undefined, 0, 1)])).toEqual({ allow: false, deny: true, pass: false, through: true });
    expect(afterTier(firstMatch(BOOLEAN_ALGEBRA, [rule('deny', undefined, 0, 1)]), true)).toBeUndefined();
    expect(afterTier(firstMatch(BOOLEAN_ALGEBRA, [rule('deny', undefined, 0, 1)]), false)).toBe(false);
    // An unknown Allow ahead of a sure Deny: allowed or denied.
    expect(outcome([rule('allow', undefined, 0, 1), rule('deny', true, 1, 2)])).toEqual({ allow: true, deny: true, pass: false, through: false });
  });

  test('policies of one priority may be taken in any order: each first match is possible; the tier goes on only where none matches', () => {
    expect(outcome([rule('allow', true, 0, 1), rule('deny', true, 1, 1)])).toEqual({ allow: true, deny: true, pass: false, through: false });
    expect(afterTier(firstMatch(BOOLEAN_ALGEBRA, [rule('allow', true, 0, 1), rule('deny', true, 1, 1)]), true)).toBeUndefined();
    // Of two tied policies, one matches: the end does not go on past them.
    expect(outcome([rule('deny', false, 0, 1), rule('allow', true, 1, 1)])).toEqual({ allow: true, deny: false, pass: false, through: false });
    // A later priority is reached only where the tied ones may all not match.
    expect(outcome([rule('allow', undefined, 0, 1), rule('allow', false, 1, 1), rule('deny', true, 2, 2)]))
      .toEqual({ allow: true, deny: true, pass: false, through: false });
  });

  test('hits: the ends each rule decides in some reading', () => {
    expect(firstMatch(BOOLEAN_ALGEBRA, [rule('deny', true, 0, 1), rule('allow', true, 1, 2)]).hits).toEqual([true, false]);
    expect(firstMatch(BOOLEAN_ALGEBRA, [rule('deny', undefined, 0, 1), rule('allow', true, 1, 2)]).hits).toEqual([true, true]);
  });
});
