import { ApiObject, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';

/**
 * A `v1` Namespace object. Namespaces are cluster-scoped, so the chart's default namespace, which
 * cdk8s puts on every object, is removed from it.
 */
export function namespaceObject(
  scope: Construct, id: string, name: string, metadata: { labels?: Record<string, string>; annotations?: Record<string, string> },
): ApiObject {
  const object = new ApiObject(scope, id, { apiVersion: 'v1', kind: 'Namespace', metadata: { name, ...metadata } });
  if (object.metadata.namespace !== undefined) object.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
  return object;
}
