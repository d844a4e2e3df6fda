import { LabelExpression, LabelOperator, Selector } from '../../src';

describe('Selector', () => {
  test('labels render as matchLabels, sorted by key', () => {
    const s = Selector.labels({ tier: 'web', app: 'shop' });
    expect(s.toJson()).toEqual({ matchLabels: { app: 'shop', tier: 'web' } });
    expect(Object.keys(s.toJson().matchLabels)).toEqual(['app', 'tier']);
    expect(s.toString()).toBe('app=shop,tier=web');
  });

  test('all() is the empty selector and says so', () => {
    expect(Selector.all().toJson()).toEqual({});
    expect(Selector.all().isAll).toBe(true);
    expect(Selector.all().toString()).toBe('<all>');
  });

  test('an empty selector cannot be built by accident', () => {
    expect(() => Selector.labels({})).toThrow(/has no labels and no expressions, so it would match everything.*Selector\.all\(\)/);
    expect(() => Selector.expressions([])).toThrow(/would match everything/);
    expect(() => Selector.of({})).toThrow(/would match everything/);
  });

  test('labels and expressions are AND-ed', () => {
    const s = Selector.of({ labels: { app: 'shop' }, expressions: [LabelExpression.isIn('tier', ['web', 'api'])] });
    expect(s.toJson()).toEqual({
      matchLabels: { app: 'shop' },
      matchExpressions: [{ key: 'tier', operator: 'In', values: ['api', 'web'] }],
    });
    expect(s.matches({ app: 'shop', tier: 'api' })).toBe(true);
    expect(s.matches({ app: 'shop', tier: 'db' })).toBe(false);
    expect(s.matches({ tier: 'api' })).toBe(false);
    expect(s.toString()).toBe('app=shop,tier in (api,web)');
  });

  test('expressions are de-duplicated and sorted', () => {
    const s = Selector.expressions([LabelExpression.exists('b'), LabelExpression.exists('a'), LabelExpression.exists('b')]);
    expect(s.toJson().matchExpressions).toEqual([{ key: 'a', operator: 'Exists' }, { key: 'b', operator: 'Exists' }]);
  });

  test('withLabels and withExpressions narrow, never widen', () => {
    const s = Selector.labels({ app: 'shop' }).withLabels({ tier: 'web' }).withExpressions([LabelExpression.doesNotExist('canary')]);
    expect(s.toString()).toBe('app=shop,tier=web,!canary');
    expect(() => Selector.labels({ app: 'a' }).withLabels({ app: 'b' })).toThrow(/conflicts with the existing label app=a/);
  });

  test('qualified keys with prefixes are accepted', () => {
    expect(Selector.labels({ 'app.kubernetes.io/name': 'shop', 'example.com/Team_A': 'x' }).matches({ 'app.kubernetes.io/name': 'shop', 'example.com/Team_A': 'x' })).toBe(true);
    expect(Selector.labels({ key: '' }).toJson()).toEqual({ matchLabels: { key: '' } });
  });

  test.each([
    ['empty key', { '': 'x' }, /label key: "" is not a valid label key: name part must be non-empty/],
    ['two slashes', { 'a/b/c': 'x' }, /"a\/b\/c" is not a valid label key/],
    ['empty prefix', { '/name': 'x' }, /prefix part must be non-empty/],
    ['uppercase prefix', { 'Example.com/name': 'x' }, /prefix part a lowercase RFC 1123 subdomain/],
    ['name too long', { ['a'.repeat(64)]: 'x' }, /name part must be no more than 63 characters/],
    ['key with space', { 'my key': 'x' }, /"my key" is not a valid label key/],
    ['value too long', { app: 'v'.repeat(64) }, /label value: "v{64}" is not a valid label value: must be no more than 63 characters/],
    ['value with slash', { app: 'a/b' }, /"a\/b" is not a valid label value/],
    ['value ending in dash', { app: 'web-' }, /"web-" is not a valid label value/],
  ])('rejects %s', (_name, labels, message) => {
    expect(() => Selector.labels(labels as Record<string, string>)).toThrow(message);
  });

  test('rejects things that are not LabelExpressions', () => {
    expect(() => Selector.expressions([{ key: 'a', operator: 'In', values: ['x'] } as unknown as LabelExpression])).toThrow(/is not a LabelExpression/);
  });
});

describe('LabelExpression', () => {
  test.each([
    [LabelExpression.isIn('env', ['prod', 'dev', 'prod']), { key: 'env', operator: 'In', values: ['dev', 'prod'] }, 'env in (dev,prod)'],
    [LabelExpression.notIn('env', ['prod']), { key: 'env', operator: 'NotIn', values: ['prod'] }, 'env notin (prod)'],
    [LabelExpression.exists('team'), { key: 'team', operator: 'Exists' }, 'team'],
    [LabelExpression.doesNotExist('canary'), { key: 'canary', operator: 'DoesNotExist' }, '!canary'],
    [LabelExpression.of('env', LabelOperator.IN, ['a']), { key: 'env', operator: 'In', values: ['a'] }, 'env in (a)'],
  ])('%s', (expr, json, text) => {
    expect(expr.toJson()).toEqual(json);
    expect(expr.toString()).toBe(text);
  });

  test('matching follows the apimachinery semantics (NotIn matches an absent key)', () => {
    expect(LabelExpression.isIn('env', ['prod']).matches({ env: 'prod' })).toBe(true);
    expect(LabelExpression.isIn('env', ['prod']).matches({})).toBe(false);
    expect(LabelExpression.notIn('env', ['prod']).matches({})).toBe(true);
    expect(LabelExpression.notIn('env', ['prod']).matches({ env: 'prod' })).toBe(false);
    expect(LabelExpression.notIn('env', ['prod']).matches({ env: 'dev' })).toBe(true);
    expect(LabelExpression.exists('env').matches({ env: '' })).toBe(true);
    expect(LabelExpression.exists('env').matches({})).toBe(false);
    expect(LabelExpression.doesNotExist('env').matches({})).toBe(true);
    expect(LabelExpression.doesNotExist('env').matches({ env: 'x' })).toBe(false);
  });

  test.each([
    ['In without values', () => LabelExpression.isIn('env', []), /LabelExpression In on key "env": \[\] has no values, but In needs at least one.*LabelExpression\.exists\('env'\)/],
    ['NotIn without values', () => LabelExpression.notIn('env', []), /NotIn needs at least one.*doesNotExist/],
    ['Exists with values', () => LabelExpression.of('env', LabelOperator.EXISTS, ['x']), /\["x"\] has values, but Exists must have none/],
    ['DoesNotExist with values', () => LabelExpression.of('env', LabelOperator.DOES_NOT_EXIST, ['x']), /DoesNotExist must have none/],
    ['unknown operator', () => LabelExpression.of('env', 'in' as LabelOperator, ['x']), /"in" is not a valid selector operator. Use LabelOperator/],
    ['bad key', () => LabelExpression.exists('bad key'), /"bad key" is not a valid label key/],
    ['bad value', () => LabelExpression.isIn('env', ['not valid']), /"not valid" is not a valid label value/],
  ])('rejects %s', (_name, build, message) => {
    expect(build).toThrow(message);
  });
});
