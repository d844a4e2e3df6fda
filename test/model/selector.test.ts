import { LabelExpression, LabelOperator, Peer, Selector, SelectorOptions } from '../../src';

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

  test('the key is the canonical text: equal selectors share it, different ones do not', () => {
    expect(Selector.labels({ b: '2', a: '1' }).key).toBe('a=1,b=2');
    expect(Selector.labels({ a: '1', b: '2' }).key).toBe(Selector.labels({ b: '2', a: '1' }).key);
    expect(Selector.labels({ a: '1' }).key).not.toBe(Selector.labels({ a: '2' }).key);
    expect(Selector.all().key).toBe('<all>');
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

describe('Selector.withLabels', () => {
  const canary = LabelExpression.exists('canary');

  test('adds labels and keeps the expressions it had: the result matches only pods with all of them', () => {
    const s = Selector.of({ labels: { app: 'shop' }, expressions: [canary] }).withLabels({ tier: 'web' });
    expect(s.toJson()).toEqual({ matchLabels: { app: 'shop', tier: 'web' }, matchExpressions: [{ key: 'canary', operator: 'Exists' }] });
    expect(s.matches({ app: 'shop', tier: 'web', canary: 'yes' })).toBe(true);
    expect(s.matches({ app: 'shop', tier: 'web' })).toBe(false);
    expect(s.matches({ app: 'shop', canary: 'yes' })).toBe(false);
    expect(s.matches({ tier: 'web', canary: 'yes' })).toBe(false);
  });

  test('on an expressions-only selector, labels join the expressions (AND), never replace them', () => {
    const s = Selector.expressions([canary]).withLabels({ app: 'shop' });
    expect(s.toString()).toBe('app=shop,canary');
    expect(s.matches({ app: 'shop', canary: '' })).toBe(true);
    expect(s.matches({ app: 'shop' })).toBe(false);
    expect(Selector.expressions([canary]).withLabels({}).toString()).toBe('canary');
  });

  test('repeating a label with the same value is accepted and changes nothing', () => {
    const s = Selector.labels({ app: 'shop', tier: 'web' }).withLabels({ app: 'shop' });
    expect(s.toJson()).toEqual({ matchLabels: { app: 'shop', tier: 'web' } });
    expect(s.matches({ app: 'shop', tier: 'web' })).toBe(true);
    expect(s.matches({ app: 'shop' })).toBe(false);
  });

  test('leaves the selector it was called on unchanged', () => {
    const base = Selector.labels({ app: 'shop' });
    base.withLabels({ tier: 'web' });
    expect(base.toJson()).toEqual({ matchLabels: { app: 'shop' } });
    expect(base.matches({ app: 'shop', tier: 'db' })).toBe(true);
  });

  test('a key named like an Object method is a label like any other', () => {
    const s = Selector.labels({ app: 'shop' }).withLabels({ constructor: 'x', toString: 'y' });
    expect(s.toJson()).toEqual({ matchLabels: { app: 'shop', constructor: 'x', toString: 'y' } });
    expect(s.matches({ app: 'shop', constructor: 'x', toString: 'y' })).toBe(true);
    expect(s.matches({ app: 'shop', constructor: 'x' })).toBe(false);
    expect(() => s.withLabels({ constructor: 'z' })).toThrow(/conflicts with the existing label constructor=x/);
  });

  test('a second value for a label is refused with the selector, the label, both values and the fix', () => {
    expect(() => Selector.labels({ app: 'a', tier: 'web' }).withLabels({ tier: 'db' })).toThrow(
      'Selector.withLabels on app=a,tier=web: {"tier":"db"} conflicts with the existing label tier=web, so the selector could match nothing. '
      + 'Use one value per label key, or LabelExpression.isIn for several values.');
  });

  test.each([
    ['null', null, 'null'],
    ['a string', 'tier=web', '"tier=web"'],
    ['an array', ['web'], '["web"]'],
    ['undefined', undefined, 'undefined'],
  ])('%s instead of a map is refused, never read as labels', (_name, labels, shown) => {
    expect(() => Selector.labels({ app: 'a' }).withLabels(labels as unknown as Record<string, string>)).toThrow(
      `Selector.withLabels on app=a: ${shown} is not a map of label keys to values. Pass an object such as { tier: 'web' }.`);
  });

  test('the new labels are validated like any selector label, naming the key', () => {
    expect(() => Selector.labels({ app: 'a' }).withLabels({ tier: 'web-' })).toThrow(/^Selector label "tier": label value: "web-" is not a valid label value/);
    expect(() => Selector.labels({ app: 'a' }).withLabels({ 'bad key': 'x' })).toThrow(/^Selector: label key: "bad key" is not a valid label key/);
  });
});

describe('Selector factories refuse what is not a map or a list', () => {
  test.each([
    ['a string', () => Selector.labels('app=web' as unknown as Record<string, string>), 'Selector labels: "app=web" is not a map of label keys to values. Pass an object such as { app: \'web\' }.'],
    ['an array', () => Selector.labels(['web'] as unknown as Record<string, string>), 'Selector labels: ["web"] is not a map of label keys to values.'],
    ['a single expression', () => Selector.expressions(LabelExpression.exists('a') as unknown as LabelExpression[]), /^Selector expressions: .* is not a list\. Pass an array of LabelExpression\./],
  ])('%s', (_name, build, message) => {
    expect(build).toThrow(message);
  });

  test('withExpressions with a single expression instead of a list', () => {
    expect(() => Selector.labels({ app: 'a' }).withExpressions(LabelExpression.exists('b') as unknown as LabelExpression[])).toThrow(
      /^Selector\.withExpressions on app=a: .* is not a list\. Pass an array of LabelExpression\./);
  });

  test('an empty selector: the message starts with what was refused', () => {
    expect(() => Selector.of({})).toThrow(/^Selector: \{\} has no labels and no expressions/);
  });

  test('an expression that is not a LabelExpression: the message says where', () => {
    expect(() => Selector.expressions([{ key: 'a', operator: 'Exists' } as unknown as LabelExpression])).toThrow(/^Selector expressions: /);
  });
});

describe('a Selector handed in from elsewhere (Selector._use, behind every factory and construct that takes one)', () => {
  // jest.isolateModules loads a second, separate copy of the package, as two installed copies would be.
  let other: typeof import('../../src');
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    other = require('../../src');
  });

  test('one of this copy is used as it is', () => {
    const s = Selector.labels({ app: 'web' });
    expect(Selector._use(s, 'test')).toBe(s);
  });

  test('one of another installed copy is rebuilt here with the same labels and expressions, so it selects the same pods', () => {
    const foreign = other.Selector.of({ labels: { app: 'web' }, expressions: [other.LabelExpression.exists('canary')] });
    expect(foreign instanceof Selector).toBe(false);
    const used = Selector._use(foreign, 'test');
    expect(used instanceof Selector).toBe(true);
    expect(used.toJson()).toEqual({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'canary', operator: 'Exists' }] });
    expect(used.matches({ app: 'web', canary: '1' })).toBe(true);
    expect(used.matches({ app: 'web' })).toBe(false);
    expect(Peer.pods(foreign).podSelector!.toString()).toBe('app=web,canary');
  });

  test('Selector.all() of another copy stays every pod, and only then', () => {
    const all = Selector._use(other.Selector.all(), 'test');
    expect(all instanceof Selector).toBe(true);
    expect(all.isAll).toBe(true);
    expect(all.toJson()).toEqual({});
    expect(Selector._use(other.Selector.labels({ app: 'web' }), 'test').isAll).toBe(false);
  });

  test('an object no factory made is refused, saying where, what and how to build one', () => {
    expect(() => Selector._use(Object.create(Selector.prototype), 'NetworkPolicy pods')).toThrow(
      'NetworkPolicy pods: "<Selector>" is a Selector that no Selector factory made (e.g. Object.create(Selector.prototype) or a copied object), so what it allows is unknown. '
      + 'Build it with Selector.labels({ app: \'web\' }), Selector.of({...}), Selector.expressions([...]) or Selector.all().');
    expect(() => Selector._use({ matchLabels: { app: 'web' } }, 'NetworkPolicy pods')).toThrow(/^NetworkPolicy pods: \{"matchLabels":\{"app":"web"\}\} is not a Selector\./);
  });

  // Objects that carry the Selector brand by hand (as a copied or forged value would) but were not
  // made by a factory of any copy: each must be refused, never read as "every pod".
  const forged = (fields: object): unknown => {
    const o = { ...fields };
    Object.defineProperty(o, Symbol.for('cdk8s-netpol.Selector'), { value: true });
    return o;
  };
  const refused = /^NetworkPolicy pods: .* is not a Selector\. Build it with Selector\.labels\(\{ app: 'web' \}\)/;

  test('a plain object with both selector fields but no brand is refused, not rebuilt', () => {
    expect(() => Selector._use({ matchLabels: { app: 'web' }, matchExpressions: [] }, 'NetworkPolicy pods')).toThrow(refused);
  });

  test('a branded object without a list of expressions is refused, even with labels', () => {
    expect(() => Selector._use(forged({ matchLabels: { app: 'web' } }), 'NetworkPolicy pods')).toThrow(refused);
    expect(() => Selector._use(forged({ matchLabels: { app: 'web' }, matchExpressions: 'canary' }), 'NetworkPolicy pods')).toThrow(refused);
  });

  test('a branded object with no labels and no expressions is every pod only when it says isAll === true', () => {
    expect(() => Selector._use(forged({ matchLabels: {}, matchExpressions: [] }), 'NetworkPolicy pods')).toThrow(refused);
    expect(() => Selector._use(forged({ matchLabels: {}, matchExpressions: [], isAll: 'true' }), 'NetworkPolicy pods')).toThrow(refused);
    expect(() => Selector._use(forged({ matchExpressions: [] }), 'NetworkPolicy pods')).toThrow(refused);
    expect(Selector._use(forged({ matchLabels: {}, matchExpressions: [], isAll: true }), 'NetworkPolicy pods').isAll).toBe(true);
  });

  test('a branded object whose fields throw when read is refused with the usual message', () => {
    const hostile = forged({});
    Object.defineProperty(hostile, 'matchLabels', { get: () => { throw new Error('boom'); } });
    expect(() => Selector._use(hostile, 'NetworkPolicy pods')).toThrow(refused);
    // fields read before the throwing one are no excuse: the whole value is refused
    const lateThrow = forged({ matchLabels: { app: 'web' }, matchExpressions: [] });
    Object.defineProperty(lateThrow, 'isAll', { get: () => { throw new Error('boom'); } });
    expect(() => Selector._use(lateThrow, 'NetworkPolicy pods')).toThrow(refused);
  });

  test('an expressions-only selector of another copy is rebuilt with its expressions, so it selects the same pods', () => {
    const used = Selector._use(other.Selector.expressions([other.LabelExpression.exists('canary')]), 'test');
    expect(used.isAll).toBe(false);
    expect(used.toString()).toBe('canary');
    expect(used.matches({ canary: '' })).toBe(true);
    expect(used.matches({ app: 'web' })).toBe(false);
  });

  test.each([
    ['a string', 'app=web', '"app=web"'],
    ['null', null, 'null'],
    ['undefined', undefined, 'undefined'],
    ['a number', 42, '42'],
  ])('%s is refused as not a Selector', (_name, value, shown) => {
    expect(() => Selector._use(value, 'NetworkPolicy pods')).toThrow(`NetworkPolicy pods: ${shown} is not a Selector. Build it with`);
  });
});

describe('Selector is made by its factories only', () => {
  test('Selector.of without options says it would match everything', () => {
    expect(() => Selector.of(undefined as unknown as SelectorOptions)).toThrow(/^Selector: undefined has no labels and no expressions, so it would match everything/);
    expect(() => Selector.of({ labels: undefined, expressions: undefined })).toThrow(/would match everything/);
  });

  test('the constructor refuses a caller without the factory token, naming the type and the factories', () => {
    const ctor = Selector as unknown as new (...args: unknown[]) => Selector;
    expect(() => new ctor()).toThrow(/^new Selector\(\): undefined is not how a Selector is made: a Selector built without its factories could stand for more than meant\. Use the factories: Selector\.labels/);
    expect(() => new ctor(Symbol('cdk8s-netpol factory'), { app: 'web' }, [])).toThrow(/^new Selector\(\): /);
  });
});

describe('LabelExpression messages and rendering', () => {
  test.each([
    ['In without values', () => LabelExpression.isIn('env', []), 'LabelExpression In on key "env": [] has no values, but In needs at least one. Give the label values to match, or use LabelExpression.exists(\'env\').'],
    ['NotIn without values', () => LabelExpression.notIn('env', []), 'LabelExpression NotIn on key "env": [] has no values, but NotIn needs at least one. Give the label values to match, or use LabelExpression.doesNotExist(\'env\').'],
    ['Exists with values', () => LabelExpression.of('env', LabelOperator.EXISTS, ['x']), 'LabelExpression Exists on key "env": ["x"] has values, but Exists must have none. Drop the values, or use LabelExpression.isIn(\'env\', [...]).'],
    ['DoesNotExist with values', () => LabelExpression.of('env', LabelOperator.DOES_NOT_EXIST, ['x']), 'LabelExpression DoesNotExist on key "env": ["x"] has values, but DoesNotExist must have none. Drop the values, or use LabelExpression.notIn(\'env\', [...]).'],
    ['values that are not a list', () => LabelExpression.of('env', LabelOperator.IN, 'prod' as unknown as string[]), 'LabelExpression In on key "env": "prod" is not a list of values. Pass the values as an array of strings.'],
    ['an operator that is not a string', () => LabelExpression.of('env', 7 as unknown as LabelOperator, ['x']), 'LabelExpression 7: 7 is not a valid selector operator. Use LabelOperator.IN, NOT_IN, EXISTS or DOES_NOT_EXIST.'],
    ['a key that is not a string', () => LabelExpression.exists(5 as unknown as string), 'LabelExpression Exists: label key: 5 is not a valid label key: is not a string. Use a key such as'],
    ['a value that is not a string', () => LabelExpression.isIn('env', [5 as unknown as string]), 'LabelExpression In on key "env": label value: 5 is not a valid label value: is not a string. Use at most 63 characters'],
  ])('%s is refused with what, why and the fix', (_name, build, message) => {
    expect(build).toThrow(message);
  });

  test('Exists and DoesNotExist render no values key; In renders a copy of its values', () => {
    expect(Object.keys(LabelExpression.exists('a').toJson())).toEqual(['key', 'operator']);
    expect(LabelExpression.of('a', LabelOperator.DOES_NOT_EXIST).values).toEqual([]);
    const e = LabelExpression.isIn('env', ['b', 'a']);
    const json = e.toJson();
    json.values.push('c');
    expect(e.toJson().values).toEqual(['a', 'b']);
    expect(e.values).toEqual(['a', 'b']);
    expect(e.matches({ env: 'c' })).toBe(false);
    expect(e.key).toBe('env');
    expect(e.operator).toBe(LabelOperator.IN);
  });
});

describe('a LabelExpression handed in from elsewhere (LabelExpression._use)', () => {
  let other: typeof import('../../src');
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    other = require('../../src');
  });

  test('one of this copy is used as it is', () => {
    const e = LabelExpression.exists('canary');
    expect(LabelExpression._use(e, 'test')).toBe(e);
  });

  test.each([
    ['In', () => other.LabelExpression.isIn('env', ['prod', 'dev']), 'env in (dev,prod)'],
    ['NotIn', () => other.LabelExpression.notIn('env', ['prod']), 'env notin (prod)'],
    ['Exists', () => other.LabelExpression.exists('canary'), 'canary'],
    ['DoesNotExist', () => other.LabelExpression.doesNotExist('canary'), '!canary'],
  ])('%s of another installed copy is rebuilt here as the same requirement', (_name, make, text) => {
    const foreign = make();
    const used = LabelExpression._use(foreign, 'test');
    expect(used instanceof LabelExpression).toBe(true);
    expect(foreign instanceof LabelExpression).toBe(false);
    expect(used.toString()).toBe(text);
    expect(used.toJson()).toEqual(foreign.toJson());
  });

  const forged = (fields: object): unknown => {
    const o = { ...fields };
    Object.defineProperty(o, Symbol.for('cdk8s-netpol.LabelExpression'), { value: true });
    return o;
  };

  test('a forged requirement is checked like a new one: valid fields rebuild it, invalid ones are refused', () => {
    expect(LabelExpression._use(forged({ key: 'env', operator: 'In', values: ['b', 'a'] }), 'Selector expressions').toString()).toBe('env in (a,b)');
    expect(() => LabelExpression._use(forged({ key: 'env', operator: 'In', values: [] }), 'Selector expressions')).toThrow(/has no values, but In needs at least one/);
    expect(() => LabelExpression._use(forged({ key: 'env', operator: 'In', values: 'a' }), 'Selector expressions')).toThrow(/"a" is not a list of values/);
    expect(() => LabelExpression._use(forged({ key: 'env', operator: 'in', values: ['a'] }), 'Selector expressions')).toThrow(/"in" is not a valid selector operator/);
    expect(() => LabelExpression._use(forged({ operator: 'Exists' }), 'Selector expressions')).toThrow(/label key: undefined is not a valid label key/);
  });

  test('a forged requirement whose fields throw when read is refused', () => {
    const hostile = forged({ key: 'env', operator: 'Exists' });
    Object.defineProperty(hostile, 'values', { get: () => { throw new Error('boom'); } });
    expect(() => LabelExpression._use(hostile, 'Selector expressions')).toThrow(/^Selector expressions: .* is not a LabelExpression\. Build it with LabelExpression\.isIn\(key, \[\.\.\.\]\)/);
  });

  test.each([
    ['a plain object', { key: 'env', operator: 'Exists' }, '{"key":"env","operator":"Exists"}'],
    ['a string', 'env', '"env"'],
    ['null', null, 'null'],
    ['undefined', undefined, 'undefined'],
  ])('%s is refused as not a LabelExpression', (_name, value, shown) => {
    expect(() => LabelExpression._use(value, 'Selector expressions')).toThrow(`Selector expressions: ${shown} is not a LabelExpression. Build it with LabelExpression.isIn(key, [...]), notIn(key, [...]), exists(key) or doesNotExist(key).`);
  });

  test('the constructor refuses a caller without the factory token', () => {
    const ctor = LabelExpression as unknown as new (...args: unknown[]) => LabelExpression;
    expect(() => new ctor(undefined, 'env', LabelOperator.EXISTS, [])).toThrow(/^new LabelExpression\(\): undefined is not how a LabelExpression is made: .*Use the factories: LabelExpression\.isIn/);
  });
});

describe('LabelExpression: hostile operators and several problems at once', () => {
  test('a Symbol as operator is refused with a message, never a TypeError while writing it', () => {
    expect(() => LabelExpression.of('env', Symbol('In') as unknown as LabelOperator, ['x'])).toThrow(
      'LabelExpression Symbol(In): Symbol(In) is not a valid selector operator. Use LabelOperator.IN, NOT_IN, EXISTS or DOES_NOT_EXIST.');
  });

  test('a key or value with several problems lists them all, separated', () => {
    expect(() => LabelExpression.exists(`-${'a'.repeat(63)}`)).toThrow(/is not a valid label key: name part must be no more than 63 characters; name part must consist of/);
    expect(() => LabelExpression.isIn('env', [`${'v'.repeat(63)}-`])).toThrow(/is not a valid label value: must be no more than 63 characters; a valid label must be/);
  });
});
