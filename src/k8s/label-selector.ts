/**
 * Label selectors as the API server evaluates them (apimachinery `labels.Selector`): `matchLabels`
 * and `matchExpressions` AND-ed; `In` needs the key with one of the values; `NotIn` matches an
 * absent key; `Exists`/`DoesNotExist` test presence; `{}` matches everything.
 *
 * This is the one selector engine of the library: the inventory, the analyser, the lints and the
 * model's `Selector.matches`/`LabelExpression.matches` all evaluate selectors here.
 */

import { LabelSelectorJson, LabelSelectorRequirementJson } from './manifest';

/** A set of labels. */
export type Labels = Readonly<Record<string, string>>;

/** A compiled selector: a predicate plus the labels it requires, for indexing. */
export interface CompiledSelector {
  readonly matches: (labels: Labels) => boolean;
  /** `key=value` pairs every match must carry (from matchLabels), for index lookups. */
  readonly requiredPairs: string[];
  /** True for `{}`. */
  readonly matchesEverything: boolean;
  /**
   * What the selector looks at: every label key it tests (`matchLabels` and `matchExpressions`,
   * `Exists`/`DoesNotExist` included), each with the values it compares the label to. A label whose
   * value is not among them is, to this selector, like any other value not among them: the
   * equivalence classes of the analyser project labels on this.
   */
  readonly looksAt: ReadonlyArray<{ readonly key: string; readonly values: readonly string[] }>;
  /**
   * Whether the selector matches an object of which only some labels are known: `labels` holds the
   * known ones, `known(key)` says whether a key is known (a known key absent from `labels` is absent).
   * `true` when it matches whatever the unknown labels are, `false` when it matches for none of them,
   * `undefined` when it depends on them. Exact: each requirement tests one key and keys are
   * independent, so per unknown key it tries absent, every value the selector names and one value
   * it does not name (all others behave alike).
   */
  readonly matchesPartly: (labels: Labels, known: (key: string) => boolean) => boolean | undefined;
}

/** Compiles a (validated) label selector. Unknown operators match nothing (fail closed). */
export function compileSelector(selector: unknown): CompiledSelector {
  const s = (selector ?? {}) as LabelSelectorJson;
  const pairs = Object.entries(s.matchLabels ?? {});
  const tests: Array<(labels: Labels) => boolean> = pairs.map(([k, v]) => (l) => Object.prototype.hasOwnProperty.call(l, k) && l[k] === v);
  for (const e of s.matchExpressions ?? []) tests.push(compileRequirement(e));
  const looksAt = [
    ...pairs.map(([key, value]) => ({ key, values: [value] })),
    ...(s.matchExpressions ?? []).map((e) => ({ key: e.key, values: [...(e.values ?? [])] })),
  ];
  const keyed = tests.map((test, k) => ({ key: looksAt[k].key, test }));
  return {
    looksAt,
    matchesPartly: (labels, known) => matchesPartly(keyed, looksAt, labels, known),
    matches: tests.length === 0 ? () => true : (l) => tests.every((t) => t(l)),
    requiredPairs: pairs.map(([k, v]) => `${k}=${v}`),
    matchesEverything: tests.length === 0,
  };
}

function matchesPartly(
  keyed: ReadonlyArray<{ key: string; test: (labels: Labels) => boolean }>,
  looksAt: ReadonlyArray<{ readonly key: string; readonly values: readonly string[] }>,
  labels: Labels, known: (key: string) => boolean,
): boolean | undefined {
  let certain = true;
  for (const key of new Set(keyed.map((t) => t.key))) {
    const onKey = keyed.filter((t) => t.key === key);
    if (known(key)) {
      if (!onKey.every((t) => t.test(labels))) return false;
      continue;
    }
    const named = new Set(looksAt.filter((l) => l.key === key).flatMap((l) => l.values));
    let fresh = 'x';
    while (named.has(fresh)) fresh += 'x';
    const candidates: Labels[] = [{}, ...[...named, fresh].map((v) => ({ [key]: v }))];
    const holds = candidates.map((c) => onKey.every((t) => t.test(c)));
    if (!holds.some((h) => h)) return false;
    if (!holds.every((h) => h)) certain = false;
  }
  return certain ? true : undefined;
}

/** Compiles one `matchExpressions` requirement. An unknown operator matches nothing (fail closed). */
export function compileRequirement(requirement: LabelSelectorRequirementJson): (labels: Labels) => boolean {
  const { key, operator } = requirement;
  const values = new Set(requirement.values ?? []);
  const has = (l: Labels) => Object.prototype.hasOwnProperty.call(l, key);
  switch (operator) {
    case 'In': return (l) => has(l) && values.has(l[key]);
    case 'NotIn': return (l) => !has(l) || !values.has(l[key]);
    case 'Exists': return has;
    case 'DoesNotExist': return (l) => !has(l);
    default: return () => false;
  }
}

/** kubectl's text form of a selector, e.g. `app=web,tier in (a,b)`; `<all>` for `{}`. */
export function describeSelector(selector: unknown): string {
  const s = (selector ?? {}) as LabelSelectorJson;
  const parts = Object.entries(s.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of s.matchExpressions ?? []) parts.push(describeRequirement(e));
  return parts.length === 0 ? '<all>' : parts.join(',');
}

/** kubectl's text form of one requirement: `tier in (a,b)`, `tier notin (a)`, `team`, `!team`. */
export function describeRequirement(requirement: LabelSelectorRequirementJson): string {
  const { key, operator } = requirement;
  const values = (requirement.values ?? []).join(',');
  switch (operator) {
    case 'In': return `${key} in (${values})`;
    case 'NotIn': return `${key} notin (${values})`;
    case 'Exists': return key;
    case 'DoesNotExist': return `!${key}`;
    default: return `${key} ${operator} (${values})`;
  }
}

/**
 * A set of labels that both selectors match, if there is one (so the pods they select can overlap);
 * `undefined` when no labels match both. Exact: keys are independent, so per key the values that
 * `matchLabels` and `In` allow, minus those `NotIn` forbids, must leave one, and a key cannot be
 * both required (`matchLabels`, `In`, `Exists`) and absent (`DoesNotExist`); a key that only `NotIn`
 * or `DoesNotExist` speak of is left out. An unknown operator matches nothing, as in
 * `compileSelector`. The labels are the smallest such set (each value the first allowed one in
 * sorted order, or a fresh value), so the answer is deterministic.
 */
export function commonLabels(a: unknown, b: unknown): Labels | undefined {
  interface KeyConstraint { allowed?: Set<string>; forbidden: Set<string>; required: boolean; absent: boolean }
  const keys = new Map<string, KeyConstraint>();
  const constraint = (key: string): KeyConstraint => {
    let c = keys.get(key);
    if (!c) keys.set(key, c = { forbidden: new Set(), required: false, absent: false });
    return c;
  };
  const allow = (key: string, values: readonly string[]) => {
    const c = constraint(key);
    c.required = true;
    c.allowed = new Set(c.allowed === undefined ? values : values.filter((v) => c.allowed!.has(v)));
  };
  for (const selector of [a, b]) {
    const s = (selector ?? {}) as LabelSelectorJson;
    for (const [k, v] of Object.entries(s.matchLabels ?? {})) allow(k, [v]);
    for (const e of s.matchExpressions ?? []) {
      switch (e.operator) {
        case 'In': allow(e.key, e.values ?? []); break;
        case 'NotIn': for (const v of e.values ?? []) constraint(e.key).forbidden.add(v); break;
        case 'Exists': constraint(e.key).required = true; break;
        case 'DoesNotExist': constraint(e.key).absent = true; break;
        default: return undefined;
      }
    }
  }
  const labels: Record<string, string> = {};
  for (const [key, c] of [...keys].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) {
    if (c.required && c.absent) return undefined;
    if (!c.required) continue;
    if (c.allowed !== undefined) {
      const value = [...c.allowed].filter((v) => !c.forbidden.has(v)).sort()[0];
      if (value === undefined) return undefined;
      labels[key] = value;
    } else {
      let value = 'x';
      for (let i = 0; c.forbidden.has(value); i++) value = `x${i}`;
      labels[key] = value;
    }
  }
  return labels;
}

/** Whether some pod (or namespace) can match both selectors: `commonLabels` finds labels for both. */
export function selectorsOverlap(a: unknown, b: unknown): boolean {
  return commonLabels(a, b) !== undefined;
}
