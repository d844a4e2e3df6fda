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
  return {
    looksAt,
    matches: tests.length === 0 ? () => true : (l) => tests.every((t) => t(l)),
    requiredPairs: pairs.map(([k, v]) => `${k}=${v}`),
    matchesEverything: tests.length === 0,
  };
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
