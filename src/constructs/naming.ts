import { createHash } from 'crypto';
import { Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { constructError } from './errors';
import { dns1123SubdomainProblems } from '../k8s/names';

/** Longest generated object name; long names are cut and end in a hash of the full name. */
export const MAX_GENERATED_NAME_LENGTH = 63;
const HASH_LENGTH = 8;

/**
 * A readable, DNS-1123-valid name from words such as construct ids: `['Shop', 'DefaultDeny']` gives
 * `shop-default-deny`. Names longer than 63 characters are cut and end in `-<8 hex digits>` of a
 * hash of the full name, so they stay unique and stable.
 */
export function kubeName(words: string[]): string {
  const joined = words
    .map((w) => w.replace(/([a-z0-9])([A-Z])/g, '$1-$2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2'))
    .join('-')
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '');
  if (joined.length <= MAX_GENERATED_NAME_LENGTH) return joined;
  const hash = createHash('sha256').update(joined).digest('hex').slice(0, HASH_LENGTH);
  const head = joined.slice(0, MAX_GENERATED_NAME_LENGTH - HASH_LENGTH - 1).replace(/[-.]+$/, '');
  return `${head}-${hash}`;
}

/** The ids on the path from the chart (exclusive) down to `scope`, the basis of default names. */
export function idsBelowChart(scope: IConstruct): string[] {
  const chart = Chart.of(scope);
  const scopes = scope.node.scopes;
  return scopes.slice(scopes.indexOf(chart) + 1).map((s) => s.node.id);
}

/** The object name: `given` (checked) or one derived from the construct path below the chart. */
export function objectName(scope: IConstruct, given: string | undefined, suffix: string[] = []): string {
  if (given !== undefined) {
    const problems = typeof given === 'string' ? dns1123SubdomainProblems(given) : ['is not a string'];
    if (problems.length > 0) {
      throw constructError(scope, `name ${JSON.stringify(given)} is not a valid object name: ${problems.join('; ')}. Use lowercase letters, digits, '-' and '.', e.g. 'backend-ingress', or leave name out to derive it from the construct id.`);
    }
    return given;
  }
  const name = kubeName([...idsBelowChart(scope), ...suffix]);
  if (name.length === 0) {
    throw constructError(scope, 'cannot derive an object name from the construct id. Give the construct an id with letters or digits, or set the name property.');
  }
  return name;
}
