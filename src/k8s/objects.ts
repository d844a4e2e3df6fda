import { isClusterPolicyKind } from './admin-policy-manifest';
import { isCiliumPolicy } from './cilium-manifest';
import { NETWORK_POLICY_KIND, STAGED_NETWORK_POLICY_KIND } from './manifest';

/** A manifest object with where it came from. */
export interface SourcedObject {
  /** The object, as parsed from YAML or JSON (or as `chart.toJson()` returns it). */
  readonly object: unknown;
  /** The file it was read from. */
  readonly file?: string;
  /** The 1-based line it starts on. */
  readonly line?: number;
}

/** Most levels of `kind: List` inside `kind: List` that are opened. */
const MAX_LIST_DEPTH = 8;

/** An object of the input after opening lists, with where it came from. */
export type FlatObject = SourcedObject & {
  readonly object: Record<string, any>;
  /** Where it sits inside `List` wrappers (`items[2]`, `items[0].items[1]`); undefined at the top level. */
  readonly path?: string;
};

/** Something of the input that is not an object (a scalar document, a list item that is not an object, a list nested too deep). */
export interface ListProblem {
  readonly file?: string;
  readonly line?: number;
  /** Where it sits inside `List` wrappers (`items[2]`); undefined at the top level. */
  readonly path?: string;
  readonly problem: string;
}

/**
 * The objects inside `kind: List` (and `*List`) wrappers, as `kubectl get -o yaml` prints them,
 * flattened, in input order, with what is not an object reported as a problem. Each item keeps its
 * wrapper's file and line.
 *
 * Items of a typed list (`NetworkPolicyList`, `PodList`, ...: what the API server returns) carry no
 * `kind`/`apiVersion`; like the Kubernetes decoders, such an item takes the list's kind without
 * `List` and, when it has none of its own, the list's apiVersion. An item with its own kind keeps
 * it, and the items of a plain `kind: List` have no implied kind. A list with `items: null` is empty.
 */
export function openLists(objects: readonly SourcedObject[]): Array<FlatObject | ListProblem> {
  const out: Array<FlatObject | ListProblem> = [];
  const visit = (object: unknown, source: SourcedObject, depth: number, path: string | undefined, itemType?: ItemType) => {
    const at = { file: source.file, line: source.line, ...(path !== undefined ? { path } : {}) };
    if (typeof object !== 'object' || object === null || Array.isArray(object)) {
      const what = Array.isArray(object) ? 'a list' : object === null ? 'empty (null)' : `the ${typeof object} ${JSON.stringify(object)}`;
      out.push({ ...at, problem: `${path === undefined ? 'the document' : path} is ${what}, not a Kubernetes object (a mapping with apiVersion, kind and metadata); kubectl would reject it. Fix or remove it.` });
      return;
    }
    let o = object as Record<string, any>;
    if (itemType && isBlank(o.kind)) {
      const { kind: _kind, apiVersion: own, ...rest } = o;
      const apiVersion = isBlank(own) ? itemType.apiVersion : own;
      o = { ...(isBlank(apiVersion) ? {} : { apiVersion }), kind: itemType.kind, ...rest };
    }
    const isList = typeof o.kind === 'string' && o.kind.endsWith('List') && (o.items !== undefined || o.kind === 'List');
    if (isList && o.items !== undefined && o.items !== null && !Array.isArray(o.items)) {
      out.push({ ...at, problem: `a ${o.kind} whose items is not a list, so its objects are left out. Write items as a list of objects.` });
      return;
    }
    if (isList) {
      if (depth >= MAX_LIST_DEPTH) {
        out.push({ ...at, problem: `a ${o.kind} nested more than ${MAX_LIST_DEPTH} lists deep is not opened, so its objects are left out. Flatten the lists.` });
        return;
      }
      const type = o.kind === 'List' ? undefined : { kind: o.kind.slice(0, -'List'.length), apiVersion: o.apiVersion };
      (Array.isArray(o.items) ? o.items : []).forEach((item: unknown, i: number) => visit(item, source, depth + 1, `${path === undefined ? '' : `${path}.`}items[${i}]`, type));
      return;
    }
    out.push({ object: o, ...at });
  };
  for (const source of objects) visit(source.object, source, 0, undefined);
  return out;
}

/** The objects of `openLists`, without the problems. */
export function flattenLists(objects: readonly SourcedObject[]): FlatObject[] {
  return openLists(objects).filter((o): o is FlatObject => 'object' in o);
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
 * model's policies (`isPolicyObject`, every kind) are left out. This is how `netpol diff --model` puts the same workloads on
 * both sides of a comparison, so that only the policies differ.
 */
export function withModelWorkloads(objects: readonly SourcedObject[], model: readonly SourcedObject[]): SourcedObject[] {
  const key = (o: Record<string, any>) => `${o.kind}|${o.metadata?.namespace ?? ''}|${o.metadata?.name ?? ''}`;
  const own = new Set(flattenLists(objects).map((o) => key(o.object)));
  return [...objects, ...flattenLists(model).filter((o) => !isPolicyObject(o.object) && !own.has(key(o.object)))];
}

/**
 * Whether an object is a policy of a kind the analyser reads: a NetworkPolicy, a
 * StagedKubernetesNetworkPolicy, a Cilium policy (either kind) or a kind of the sig-network policy
 * API (AdminNetworkPolicy, BaselineAdminNetworkPolicy, ClusterNetworkPolicy, any version).
 */
export function isPolicyObject(o: Record<string, any>): boolean {
  return o.kind === NETWORK_POLICY_KIND || o.kind === STAGED_NETWORK_POLICY_KIND || isCiliumPolicy(o) || isClusterPolicyKind(o);
}
