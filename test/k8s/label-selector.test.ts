import * as fc from 'fast-check';
import { LabelExpression, LabelOperator, Selector } from '../../src';
import { commonLabels, compileRequirement, compileSelector, describeSelector, selectorsOverlap } from '../../src/k8s/label-selector';
import { fuzzParameters } from '../fuzz-config';

/**
 * The one selector engine (src/k8s/label-selector.ts) pinned to apimachinery's `labels.Selector`
 * semantics, and the model's `Selector`/`LabelExpression` shown to answer the same, because they
 * delegate to it.
 */
type Json = { matchLabels?: Record<string, string>; matchExpressions?: Array<{ key: string; operator: string; values?: string[] }> };

/** The same selector as the model builds it. */
function modelSelector(json: Json): Selector {
  const labels = json.matchLabels ?? {};
  const expressions = (json.matchExpressions ?? []).map((e) => LabelExpression.of(e.key, e.operator as LabelOperator, e.values));
  return Object.keys(labels).length === 0 && expressions.length === 0 ? Selector.all() : Selector.of({ labels, expressions });
}

const CASES: Array<[string, Json, Record<string, string>, boolean]> = [
  ['In: present with one of the values', { matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'qa'] }] }, { env: 'qa' }, true],
  ['In: present with another value', { matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }] }, { env: 'dev' }, false],
  ['In: absent key', { matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }] }, {}, false],
  ['In: the empty value is a value', { matchExpressions: [{ key: 'env', operator: 'In', values: [''] }] }, { env: '' }, true],
  ['NotIn: absent key matches', { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] }, { app: 'web' }, true],
  ['NotIn: present with another value', { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] }, { env: 'dev' }, true],
  ['NotIn: present with one of the values', { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod', 'qa'] }] }, { env: 'prod' }, false],
  ['Exists: present with any value', { matchExpressions: [{ key: 'team', operator: 'Exists' }] }, { team: '' }, true],
  ['Exists: absent key', { matchExpressions: [{ key: 'team', operator: 'Exists' }] }, { app: 'team' }, false],
  ['DoesNotExist: absent key', { matchExpressions: [{ key: 'team', operator: 'DoesNotExist' }] }, { app: 'web' }, true],
  ['DoesNotExist: present key', { matchExpressions: [{ key: 'team', operator: 'DoesNotExist' }] }, { team: 'red' }, false],
  ['matchLabels: equal value', { matchLabels: { app: 'web' } }, { app: 'web', tier: 'x' }, true],
  ['matchLabels: other value', { matchLabels: { app: 'web' } }, { app: 'api' }, false],
  ['matchLabels: absent key', { matchLabels: { app: 'web' } }, {}, false],
  ['matchLabels and matchExpressions are AND-ed (both hold)',
    { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] }, { app: 'web' }, true],
  ['matchLabels and matchExpressions are AND-ed (one fails)',
    { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] }, { app: 'web', env: 'prod' }, false],
  ['expressions are AND-ed',
    { matchExpressions: [{ key: 'a', operator: 'Exists' }, { key: 'b', operator: 'DoesNotExist' }] }, { a: '1', b: '2' }, false],
  ['the empty selector matches everything', {}, { anything: 'at all' }, true],
  ['the empty selector matches no labels too', {}, {}, true],
];

describe('the selector engine', () => {
  test.each(CASES)('%s', (_name, json, labels, expected) => {
    expect(compileSelector(json).matches(labels)).toBe(expected);
  });

  test.each(CASES)('the model agrees: %s', (_name, json, labels, expected) => {
    const selector = modelSelector(json);
    expect(selector.matches(labels)).toBe(expected);
    for (const e of selector.matchExpressions) expect(e.matches(labels)).toBe(compileRequirement(e.toJson())(labels));
  });

  test('inherited properties are not labels', () => {
    const labels = Object.create({ app: 'web' }) as Record<string, string>;
    expect(compileSelector({ matchLabels: { app: 'web' } }).matches(labels)).toBe(false);
    expect(compileSelector({ matchExpressions: [{ key: 'app', operator: 'Exists' }] }).matches(labels)).toBe(false);
    expect(Selector.labels({ app: 'web' }).matches(labels)).toBe(false);
  });

  test('an unknown operator matches nothing (fail closed), also when negated', () => {
    expect(compileSelector({ matchExpressions: [{ key: 'env', operator: 'Gt', values: ['1'] }] }).matches({ env: '2' })).toBe(false);
    expect(compileSelector({ matchExpressions: [{ key: 'env', operator: 'notin', values: ['prod'] }] }).matches({})).toBe(false);
  });

  test('an absent selector is the empty one; the index facts follow matchLabels', () => {
    expect(compileSelector(undefined).matchesEverything).toBe(true);
    expect(compileSelector({ matchLabels: { app: 'web' } })).toMatchObject({ matchesEverything: false, requiredPairs: ['app=web'] });
    expect(compileSelector({ matchExpressions: [{ key: 'a', operator: 'Exists' }] })).toMatchObject({ matchesEverything: false, requiredPairs: [] });
  });

  test('the text form is kubectl\'s, for the engine and the model alike', () => {
    const json = { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['a', 'b'] }, { key: 'tier', operator: 'NotIn', values: ['x'] }, { key: 'team', operator: 'Exists' }, { key: 'old', operator: 'DoesNotExist' }] };
    expect(describeSelector(json)).toBe('app=web,env in (a,b),tier notin (x),team,!old');
    expect(describeSelector({})).toBe('<all>');
    expect(modelSelector(json).toString()).toBe('app=web,!old,env in (a,b),team,tier notin (x)'); // the model sorts its expressions
    expect(Selector.all().toString()).toBe('<all>');
    expect(LabelExpression.notIn('tier', ['b', 'a']).toString()).toBe('tier notin (a,b)');
  });
});

describe('whether two selectors can select one pod (commonLabels, selectorsOverlap)', () => {
  const OVERLAP: Array<[string, Json, Json, boolean]> = [
    ['{} and anything', {}, { matchLabels: { app: 'web' } }, true],
    ['other values of one key', { matchLabels: { app: 'web' } }, { matchLabels: { app: 'api' } }, false],
    ['other keys', { matchLabels: { app: 'web' } }, { matchLabels: { tier: 'a' } }, true],
    ['In and NotIn of the only value', { matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }] }, { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] }, false],
    ['In and NotIn leaving a value', { matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'qa'] }] }, { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] }, true],
    ['Exists and DoesNotExist', { matchExpressions: [{ key: 'team', operator: 'Exists' }] }, { matchExpressions: [{ key: 'team', operator: 'DoesNotExist' }] }, false],
    ['matchLabels and DoesNotExist', { matchLabels: { team: 'a' } }, { matchExpressions: [{ key: 'team', operator: 'DoesNotExist' }] }, false],
    ['NotIn and DoesNotExist (an absent key)', { matchExpressions: [{ key: 'team', operator: 'NotIn', values: ['a'] }] }, { matchExpressions: [{ key: 'team', operator: 'DoesNotExist' }] }, true],
    ['Exists and NotIn (a fresh value)', { matchExpressions: [{ key: 'team', operator: 'Exists' }] }, { matchExpressions: [{ key: 'team', operator: 'NotIn', values: ['x', 'x0'] }] }, true],
    ['In of disjoint values', { matchExpressions: [{ key: 'env', operator: 'In', values: ['a', 'b'] }] }, { matchExpressions: [{ key: 'env', operator: 'In', values: ['c'] }] }, false],
    ['an unknown operator matches nothing', { matchExpressions: [{ key: 'env', operator: 'Matches', values: ['a'] }] }, {}, false],
  ];
  test.each(OVERLAP)('%s', (_name, a, b, expected) => {
    expect(selectorsOverlap(a, b)).toBe(expected);
    expect(selectorsOverlap(b, a)).toBe(expected);
    const labels = commonLabels(a, b);
    if (labels) expect([compileSelector(a).matches(labels), compileSelector(b).matches(labels)]).toEqual([true, true]);
  });

  test('the labels found are the smallest and always the same: first allowed value in order, else a fresh one, keys in order', () => {
    const labels = commonLabels(
      { matchExpressions: [{ key: 'zone', operator: 'In', values: ['b', 'a'] }, { key: 'app', operator: 'Exists' }] },
      { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['x', 'x0'] }, { key: 'tier', operator: 'Exists' }, { key: 'tier', operator: 'NotIn', values: ['x'] }] },
    );
    expect(labels).toEqual({ app: 'x1', tier: 'x0', zone: 'a' });
    expect(Object.keys(labels!)).toEqual(['app', 'tier', 'zone']);
    expect(commonLabels({ matchExpressions: [{ key: 'app', operator: 'Exists' }] }, {})).toEqual({ app: 'x' });
  });

  test('exact on random selectors: the labels found match both, and when none are found no labels match both', () => {
    // Selectors over keys k1, k2 and values 1, 2: every other value acts as 'x' does, so the label
    // sets over {absent, 1, 2, x} are all the label sets there are, up to renaming.
    const keys = ['k1', 'k2'];
    const values = fc.subarray(['1', '2']);
    const requirement = fc.oneof(
      fc.record({ key: fc.constantFrom(...keys), operator: fc.constantFrom('In', 'NotIn'), values }),
      fc.record({ key: fc.constantFrom(...keys), operator: fc.constantFrom('Exists', 'DoesNotExist') }),
    );
    const selector = fc.record({
      matchLabels: fc.dictionary(fc.constantFrom(...keys), fc.constantFrom('1', '2'), { maxKeys: 2 }),
      matchExpressions: fc.array(requirement, { maxLength: 3 }),
    });
    const universe: Array<Record<string, string>> = [];
    for (const v1 of [undefined, '1', '2', 'x']) {
      for (const v2 of [undefined, '1', '2', 'x']) {
        universe.push({ ...(v1 === undefined ? {} : { k1: v1 }), ...(v2 === undefined ? {} : { k2: v2 }) });
      }
    }
    fc.assert(fc.property(selector, selector, (a, b) => {
      const both = (l: Record<string, string>) => compileSelector(a).matches(l) && compileSelector(b).matches(l);
      const labels = commonLabels(a, b);
      if (labels) return both(labels) && selectorsOverlap(b, a);
      return !universe.some(both) && !selectorsOverlap(b, a);
    }), fuzzParameters(500));
  });
});

describe('matchesPartly: a selector over labels of which only some keys are known', () => {
  const name = 'kubernetes.io/metadata.name';
  const onlyName = (key: string) => key === name;
  const known = { [name]: 'shop' };
  test.each([
    [{}, true],
    [{ matchLabels: { [name]: 'shop' } }, true],
    [{ matchLabels: { [name]: 'blog' } }, false],
    [{ matchLabels: { tenant: 'shop' } }, undefined],
    [{ matchExpressions: [{ key: 'tenant', operator: 'Exists' }] }, undefined],
    [{ matchExpressions: [{ key: 'tenant', operator: 'DoesNotExist' }] }, undefined],
    [{ matchExpressions: [{ key: 'tenant', operator: 'NotIn', values: ['a'] }] }, undefined],
    // The known key rules it out, whatever the others are.
    [{ matchLabels: { [name]: 'blog', tenant: 'x' } }, false],
    // No value of the unknown key satisfies both: decided, no match.
    [{ matchLabels: { tenant: 'a' }, matchExpressions: [{ key: 'tenant', operator: 'NotIn', values: ['a'] }] }, false],
    [{ matchExpressions: [{ key: 'tenant', operator: 'Exists' }, { key: 'tenant', operator: 'DoesNotExist' }] }, false],
    // A fresh value (none the selector names) satisfies it.
    [{ matchExpressions: [{ key: 'tenant', operator: 'Exists' }, { key: 'tenant', operator: 'NotIn', values: ['x', 'xx'] }] }, undefined],
    [{ matchExpressions: [{ key: 'tenant', operator: 'Bogus' }] }, false],
  ])('%j over a namespace whose labels are guessed: %s', (selector, expected) => {
    expect(compileSelector(selector).matchesPartly(known, onlyName)).toBe(expected);
  });
  test('every requirement on a known key must hold, not some', () => {
    const s = compileSelector({ matchLabels: { [name]: 'shop' }, matchExpressions: [{ key: name, operator: 'NotIn', values: ['shop'] }] });
    expect(s.matchesPartly(known, onlyName)).toBe(false);
  });
  test('a requirement on an unknown key that every value meets is decided: a match', () => {
    // NotIn of no values (refused by the API server, read here all the same) holds for any value and for none.
    const s = compileSelector({ matchLabels: { [name]: 'shop' }, matchExpressions: [{ key: 'tenant', operator: 'NotIn', values: [] }] });
    expect(s.matchesPartly(known, onlyName)).toBe(true);
    expect(compileSelector({ matchExpressions: [{ key: 'tenant', operator: 'NotIn', values: [] }, { key: 'env', operator: 'Exists' }] }).matchesPartly(known, onlyName)).toBeUndefined();
  });
  test('with every key known it is `matches`', () => {
    const s = compileSelector({ matchLabels: { tenant: 'shop' } });
    expect(s.matchesPartly({ tenant: 'shop' }, () => true)).toBe(true);
    expect(s.matchesPartly({}, () => true)).toBe(false);
  });
});
