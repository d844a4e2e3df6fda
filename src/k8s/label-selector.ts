/**
 * Label selectors as the API server evaluates them (apimachinery `labels.Selector`): `matchLabels`
 * and `matchExpressions` AND-ed; `In` needs the key with one of the values; `NotIn` matches an
 * absent key; `Exists`/`DoesNotExist` test presence; `{}` matches everything.
 */

import { LabelSelectorJson } from './manifest';

/** A set of labels. */
export type Labels = Readonly<Record<string, string>>;

/** A compiled selector: a predicate plus the labels it requires, for indexing. */
export interface CompiledSelector {
  readonly matches: (labels: Labels) => boolean;
  /** `key=value` pairs every match must carry (from matchLabels), for index lookups. */
  readonly requiredPairs: string[];
  /** True for `{}`. */
  readonly matchesEverything: boolean;
}

/** Compiles a (validated) label selector. Unknown operators match nothing (fail closed). */
export function compileSelector(selector: unknown): CompiledSelector {
  const s = (selector ?? {}) as LabelSelectorJson;
  const pairs = Object.entries(s.matchLabels ?? {});
  const tests: Array<(labels: Labels) => boolean> = pairs.map(([k, v]) => (l) => Object.prototype.hasOwnProperty.call(l, k) && l[k] === v);
  for (const e of s.matchExpressions ?? []) {
    const values = new Set(e.values ?? []);
    const has = (l: Labels) => Object.prototype.hasOwnProperty.call(l, e.key);
    switch (e.operator) {
      case 'In': tests.push((l) => has(l) && values.has(l[e.key])); break;
      case 'NotIn': tests.push((l) => !has(l) || !values.has(l[e.key])); break;
      case 'Exists': tests.push(has); break;
      case 'DoesNotExist': tests.push((l) => !has(l)); break;
      default: tests.push(() => false);
    }
  }
  return {
    matches: tests.length === 0 ? () => true : (l) => tests.every((t) => t(l)),
    requiredPairs: pairs.map(([k, v]) => `${k}=${v}`),
    matchesEverything: tests.length === 0,
  };
}

/** kubectl's text form of a selector, e.g. `app=web,tier in (a,b)`; `<all>` for `{}`. */
export function describeSelector(selector: unknown): string {
  const s = (selector ?? {}) as LabelSelectorJson;
  const parts = Object.entries(s.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of s.matchExpressions ?? []) {
    const values = (e.values ?? []).join(',');
    switch (e.operator) {
      case 'In': parts.push(`${e.key} in (${values})`); break;
      case 'NotIn': parts.push(`${e.key} notin (${values})`); break;
      case 'Exists': parts.push(e.key); break;
      case 'DoesNotExist': parts.push(`!${e.key}`); break;
      default: parts.push(`${e.key} ${e.operator} (${values})`);
    }
  }
  return parts.length === 0 ? '<all>' : parts.join(',');
}
