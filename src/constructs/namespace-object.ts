import { ApiObject, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import { constructError } from './errors';
import { AppOwnership } from './ownership';

/**
 * The `v1` Namespace object called `name`, one per app (see `AppOwnership`): the first construct
 * that asks for it creates it (in its chart, as `id`), and what later ones ask for (an environment
 * label, the legacy isolation annotation) is merged into the same object, so two constructs never
 * emit two Namespace objects for one name (the one applied last would drop the other's labels). A
 * label or annotation that another construct already set to another value is an error naming both.
 * Namespaces are cluster-scoped, so the chart's default namespace, which cdk8s puts on every
 * object, is removed from it.
 */
export function namespaceObject(
  scope: Construct, id: string, name: string, metadata: { labels?: Record<string, string>; annotations?: Record<string, string> },
): ApiObject {
  const claimed = AppOwnership.of(scope).claim(`namespace-object|${name}`, scope, () => {
    const made = new ApiObject(scope, id, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    if (made.metadata.namespace !== undefined) made.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
    return made;
  });
  const object = claimed.value;
  const current = object.metadata.toJson() as { labels?: Record<string, string>; annotations?: Record<string, string> };
  const merge = (what: 'label' | 'annotation', wanted: Record<string, string> | undefined, existing: Record<string, string> | undefined, add: (k: string, v: string) => void) => {
    for (const [key, value] of Object.entries(wanted ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const had = existing?.[key];
      if (had !== undefined && had !== value) {
        throw constructError(scope, `Namespace ${name}: ${what} ${key}=${JSON.stringify(value)} is set here, but [${claimed.declaredAt}] already gives the app's Namespace object ${name} ${what} ${key}=${JSON.stringify(had)}. `
          + `An app emits one Namespace object per name, so the two cannot both hold: use one value for ${key}, or stop one of them from managing namespace ${name} (manageNamespaces: false, or no legacyAnnotation).`);
      }
      if (had === undefined) add(key, value);
    }
  };
  merge('label', metadata.labels, current.labels, (k, v) => object.metadata.addLabel(k, v));
  merge('annotation', metadata.annotations, current.annotations, (k, v) => object.metadata.addAnnotation(k, v));
  return object;
}
