import * as fc from 'fast-check';
import { BOOLEAN_ALGEBRA, firstMatch } from '../../src/analysis/precedence';
import { afterTier, TierStep, tierFirstMatch } from '../../src/validation/lint-reading';

/**
 * The lints may not import the analysis (layer rule), so NP002 reads the Admin tier's precedence
 * through `tierFirstMatch`, the smallest reading of the analysis's `firstMatch` for one end. They
 * must agree on every input: rules whose match is unknown, Pass, and policies of one priority.
 */
const step = fc.record({
  match: fc.constantFrom<boolean | undefined>(true, false, undefined),
  action: fc.constantFrom<'allow' | 'deny' | 'pass'>('allow', 'deny', 'pass'),
  policy: fc.integer({ min: 0, max: 3 }),
  priority: fc.integer({ min: 0, max: 2 }),
});
/** In the tier's order: by priority, then policy (rules of one policy consecutive). */
const steps = fc.array(step, { maxLength: 8 }).map((xs) => [...xs].sort((a, b) => a.priority - b.priority || a.policy - b.policy));

test('tierFirstMatch says what the analysis\'s firstMatch says of one end', () => {
  fc.assert(fc.property(steps, (xs: TierStep[]) => {
    const ours = tierFirstMatch(xs);
    const theirs = firstMatch(BOOLEAN_ALGEBRA, xs.map((x) => ({
      action: x.action, matched: x.match === true, undecided: x.match === undefined, policy: x.priority * 10 + x.policy, priority: x.priority,
    })));
    expect(ours).toEqual({ allow: theirs.allow, deny: theirs.deny, goesOn: theirs.pass || theirs.through });
  }), { numRuns: 2000 });
});

test('afterTier: an Allow or Deny that must decide decides; a possible Deny next to an allowing rest is unknown', () => {
  const deny = tierFirstMatch([{ match: true, action: 'deny', policy: 0, priority: 1 }, { match: true, action: 'allow', policy: 1, priority: 2 }]);
  expect(afterTier(deny, true)).toBe(false);
  const allow = tierFirstMatch([{ match: true, action: 'allow', policy: 0, priority: 1 }, { match: true, action: 'deny', policy: 1, priority: 2 }]);
  expect(afterTier(allow, false)).toBe(true);
  const tied = tierFirstMatch([{ match: true, action: 'allow', policy: 0, priority: 1 }, { match: true, action: 'deny', policy: 1, priority: 1 }]);
  expect(afterTier(tied, true)).toBeUndefined();
  expect(afterTier(tierFirstMatch([{ match: undefined, action: 'deny', policy: 0, priority: 1 }]), true)).toBeUndefined();
  expect(afterTier(tierFirstMatch([{ match: undefined, action: 'deny', policy: 0, priority: 1 }]), false)).toBe(false);
  expect(afterTier(tierFirstMatch([{ match: true, action: 'pass', policy: 0, priority: 1 }, { match: true, action: 'deny', policy: 0, priority: 1 }]), true)).toBe(true);
});
