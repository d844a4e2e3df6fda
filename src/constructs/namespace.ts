import { Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { constructError } from './errors';
import { dns1123LabelProblems } from '../k8s/names';

/**
 * The namespace an object goes to: `given`, else the chart's namespace. A NetworkPolicy without a
 * namespace would land wherever `kubectl` happens to point, so having neither is an error.
 */
export function resolveNamespace(scope: IConstruct, given: string | undefined, what = 'namespace'): string {
  const namespace = given ?? Chart.of(scope).namespace;
  if (namespace === undefined) {
    throw constructError(scope, `has no ${what}: a NetworkPolicy only applies to pods of its own namespace. Set the namespace property, or create the chart with { namespace: '...' }.`);
  }
  const problems = typeof namespace === 'string' ? dns1123LabelProblems(namespace) : ['is not a string'];
  if (problems.length > 0) {
    throw constructError(scope, `${what} ${JSON.stringify(namespace)} is not a valid namespace name: ${problems.join('; ')}. Use lowercase letters, digits and '-', at most 63 characters.`);
  }
  return namespace;
}
