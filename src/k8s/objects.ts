/** A manifest object with where it came from. */
export interface SourcedObject {
  readonly object: unknown;
  /** The file it was read from. */
  readonly file?: string;
  /** The 1-based line it starts on. */
  readonly line?: number;
}

/** Most levels of `kind: List` inside `kind: List` that are opened. */
const MAX_LIST_DEPTH = 8;

/**
 * The objects inside `kind: List` (and `*List`) wrappers, as `kubectl get -o yaml` prints them,
 * flattened; non-objects are dropped. Each item keeps its wrapper's file and line.
 *
 * Items of a typed list (`NetworkPolicyList`, `PodList`, ...: what the API server returns) carry no
 * `kind`/`apiVersion`; like the Kubernetes decoders, such an item takes the list's kind without
 * `List` and, when it has none of its own, the list's apiVersion. An item with its own kind keeps
 * it, and the items of a plain `kind: List` have no implied kind.
 */
export function flattenLists(objects: readonly SourcedObject[]): Array<SourcedObject & { object: Record<string, any> }> {
  const out: Array<SourcedObject & { object: Record<string, any> }> = [];
  const visit = (object: unknown, source: SourcedObject, depth: number, itemType?: ItemType) => {
    if (typeof object !== 'object' || object === null || Array.isArray(object)) return;
    let o = object as Record<string, any>;
    if (itemType && isBlank(o.kind)) {
      const { kind: _kind, apiVersion: own, ...rest } = o;
      const apiVersion = isBlank(own) ? itemType.apiVersion : own;
      o = { ...(isBlank(apiVersion) ? {} : { apiVersion }), kind: itemType.kind, ...rest };
    }
    if (typeof o.kind === 'string' && o.kind.endsWith('List') && Array.isArray(o.items)) {
      const type = o.kind === 'List' ? undefined : { kind: o.kind.slice(0, -'List'.length), apiVersion: o.apiVersion };
      if (depth < MAX_LIST_DEPTH) for (const item of o.items) visit(item, source, depth + 1, type);
      return;
    }
    out.push({ object: o, file: source.file, line: source.line });
  };
  for (const source of objects) visit(source.object, source, 0);
  return out;
}

/** The kind and apiVersion the items of a typed list (`PodList`) have when they do not say. */
interface ItemType {
  readonly kind: string;
  readonly apiVersion: unknown;
}

/** Whether a `kind` or `apiVersion` is absent: missing, null or empty, as the decoders read it. */
function isBlank(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

/** `<namespace>/<name>` of an object, with `<none>` for missing parts. */
export function objectRef(object: Record<string, any>): string {
  const ns = typeof object.metadata?.namespace === 'string' && object.metadata.namespace !== '' ? object.metadata.namespace : '<none>';
  const name = typeof object.metadata?.name === 'string' && object.metadata.name !== '' ? object.metadata.name : '<unnamed>';
  return `${ns}/${name}`;
}

/**
 * `objects` plus the workloads and namespaces of `model` that `objects` does not define itself; the
 * model's NetworkPolicies are left out. This is how `netpol diff --model` puts the same workloads on
 * both sides of a comparison, so that only the policies differ.
 */
export function withModelWorkloads(objects: readonly SourcedObject[], model: readonly SourcedObject[]): SourcedObject[] {
  const key = (o: Record<string, any>) => `${o.kind}|${o.metadata?.namespace ?? ''}|${o.metadata?.name ?? ''}`;
  const own = new Set(flattenLists(objects).map((o) => key(o.object)));
  return [...objects, ...flattenLists(model).filter((o) => o.object.kind !== 'NetworkPolicy' && !own.has(key(o.object)))];
}
