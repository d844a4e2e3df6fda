import * as jsyaml from 'js-yaml';

/** How many NetworkPolicies and rules a set of manifests holds. */
export interface PolicyCounts {
  /** NetworkPolicy objects. */
  readonly policies: number;
  /** Rule entries: `spec.ingress[]` plus `spec.egress[]` items over all policies. */
  readonly rules: number;
  /** Rules with more than one peer (several declarations merged into one rule). */
  readonly mergedRules: number;
  /** Every object, NetworkPolicy or not. */
  readonly objects: number;
}

/** Counts the NetworkPolicies and their rule entries. */
export function countPolicies(objects: ReadonlyArray<unknown>): PolicyCounts {
  let policies = 0;
  let rules = 0;
  let mergedRules = 0;
  for (const o of objects as Array<Record<string, any>>) {
    if (o?.kind !== 'NetworkPolicy') continue;
    policies++;
    for (const [direction, field] of [['ingress', 'from'], ['egress', 'to']] as const) {
      const list = Array.isArray(o.spec?.[direction]) ? o.spec[direction] : [];
      rules += list.length;
      mergedRules += list.filter((r: any) => Array.isArray(r?.[field]) && r[field].length > 1).length;
    }
  }
  return { policies, rules, mergedRules, objects: objects.length };
}

/** Counts the NetworkPolicies and rules of a multi-document YAML text. */
export function countPoliciesInYaml(text: string): PolicyCounts {
  return countPolicies(jsyaml.loadAll(text).filter((o) => o !== null && o !== undefined));
}
