import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { describeSelection, PodSelection, readContainerPorts, readPodSelection, selectionKey, WorkloadPort } from './cdk8s-plus-reader';
import { LabelSelectorJson } from '../k8s/manifest';
import { dns1123LabelProblems, portNameProblems } from '../k8s/names';
import { brand, brandOf, checkFactoryToken, FACTORY, isBranded, notBranded } from '../model/brand';
import { IConnectionEnd } from '../model/connection-end';
import { EndpointPort } from '../model/endpoint-port';
import { modelError } from '../model/errors';
import { LabelExpression, LabelOperator } from '../model/label-expression';
import { Peer } from '../model/peer';
import { Protocol } from '../model/protocol';
import { Selector } from '../model/selector';

/**
 * Pods this library writes policies for: one end of a connection that gets the rule in its own
 * policy (`<name>-ingress`, `<name>-egress`, after its `name`). `Endpoint` implements it; so can a
 * kind of endpoint of your own (a construct for an operator's database, a Helm release), which every
 * API that takes an endpoint accepts. Its fields are read once where it is used and checked as
 * `Endpoint.of` checks them, so an implementation can never stand for more pods than its selector
 * says.
 */
export interface IEndpoint extends IConnectionEnd {
  // `name` (from IConnectionEnd) is the short readable name used in policy names (`<name>-ingress`, `<name>-egress`) and reports.
  /** The pods. Must not be `Selector.all()`: an endpoint is a set of workload pods, not "everything". */
  readonly pods: Selector;
  /** The namespace of the pods. @default - the namespace of the chart the rule is declared in */
  readonly namespace?: string;
  /**
   * The container ports the pods listen on: rules to the endpoint are checked against them, and a
   * connection to it declared without ports uses them. @default - unknown: ports are not checked
   */
  readonly containerPorts?: EndpointPort[];
}

/** Properties of an `Endpoint` given by labels. */
export interface EndpointProps {
  /** A short readable name, used in policy names (`<name>-ingress`, `<name>-egress`) and reports. */
  readonly name: string;
  /** The pods of the endpoint. Must not be empty: an endpoint is a set of workload pods, not "everything". */
  readonly pods: Selector;
  /** The namespace of the pods. @default - the namespace of the chart the rule is declared in */
  readonly namespace?: string;
  /**
   * The container ports the pods listen on. When given, rules to this endpoint are checked against
   * them (a port the pods do not expose, or an unknown named port, is a synth-time error), and a
   * connection to the endpoint declared without ports (`allow(web, api)`) is allowed on them.
   * @default - unknown: ports are not checked, and every connection to the endpoint names its ports
   */
  readonly ports?: EndpointPort[];
}

/** Options of `Endpoint.fromWorkload` and `Endpoint.fromPods`. */
export interface WorkloadEndpointOptions {
  /** The readable name used in policy names. @default - the construct id of the workload */
  readonly name?: string;
}

/**
 * Something rules point at: the pods of one workload in one namespace. Built from labels, or from a
 * cdk8s-plus-28 workload (`Deployment`, `StatefulSet`, `DaemonSet`, `Job`, `Pod`) or `Pods` selection,
 * whose real selector, namespace and container ports are read, so the policy follows the workload.
 * The ports an endpoint declares are the ones a connection to it uses when it names none.
 *
 * @example
 * const db = Endpoint.of({ name: 'postgres', namespace: 'data', pods: Selector.labels({ app: 'postgres' }) });
 * const web = Endpoint.fromWorkload(webDeployment);
 */
export class Endpoint implements IEndpoint {
  /** An endpoint given by a pod selector (and namespace). */
  public static of(props: EndpointProps): Endpoint {
    if (!props || typeof props !== 'object') {
      throw modelError('Endpoint.of', props, 'is not a set of endpoint properties', 'Pass { name, pods, namespace? }.');
    }
    const name = checkName(props.name, 'Endpoint.of');
    if (!Selector.isSelector(props.pods)) {
      throw modelError(`Endpoint ${name}`, props.pods, 'pods is not a Selector', 'Select the pods by their labels, e.g. pods: Selector.labels({ app: \'web\' }).');
    }
    const pods = Selector._use(props.pods, `Endpoint ${name} pods`);
    if (pods.isAll) {
      throw modelError(`Endpoint ${name}`, pods.toJson(), 'has no labels, so it would stand for every pod of its namespace',
        'Give the labels of the workload\'s pods, e.g. Selector.labels({ app: \'web\' }); for every pod of a namespace use a Peer (Peer.namespace(...)) instead of an endpoint.');
    }
    const namespace = props.namespace === undefined ? undefined : checkNamespace(props.namespace, `Endpoint ${name}`);
    const ports = props.ports === undefined ? undefined : copyPorts(props.ports, `Endpoint ${name}`);
    return new Endpoint(FACTORY, name, pods, namespace, ports ? () => ports : () => undefined, false, true);
  }

  /** An endpoint given by labels: `Endpoint.fromLabels('web', { app: 'web' }, 'shop')`. */
  public static fromLabels(name: string, labels: { [key: string]: string }, namespace?: string): Endpoint {
    return Endpoint.of({ name, pods: Selector.labels(labels), namespace });
  }

  /**
   * The pods of a cdk8s-plus-28 workload or Pod: its selector (`spec.selector`), its namespace and,
   * at synth time, its containers' ports. A workload without a namespace (none of its own, none of
   * its chart) is refused: it would be applied wherever kubectl points. If the workload's selector
   * changes after the endpoint is made (`deployment.select(...)`), the synth fails, naming the
   * workload and both selectors: make the endpoint once the selector is final.
   */
  public static fromWorkload(workload: kplus.AbstractPod, options: WorkloadEndpointOptions = {}): Endpoint {
    if (!(workload instanceof kplus.AbstractPod)) {
      throw modelError('Endpoint.fromWorkload', String(workload), 'is not a cdk8s-plus-28 workload or Pod', 'Pass a Deployment, StatefulSet, DaemonSet, Job or Pod of cdk8s-plus-28, or use Endpoint.of({...}).');
    }
    const name = checkName(options.name ?? workload.node.id, `Endpoint for ${workload.node.path}`);
    const selection = readPodSelection(workload);
    const selector = selectorFromJson(selection.selector, `Endpoint ${name} (${workload.node.path})`);
    const namespace = selection.namespaces[0];
    if (namespace === undefined) {
      throw modelError(`Endpoint ${name} (${workload.node.path})`, workload.node.id,
        'has no namespace (neither metadata.namespace nor a namespace of its chart), so it is applied in whatever namespace kubectl points at, and no policy can be put next to its pods',
        'Give the workload a namespace (metadata: { namespace: \'shop\' }) or create its chart with { namespace: \'shop\' }.');
    }
    watchSelection(workload, name, selection, 'workload');
    return new Endpoint(FACTORY, name, selector, namespace, () => copyPorts(readContainerPorts(workload), `Endpoint ${name} (${workload.node.path})`),
      workload instanceof kplus.Pod, false);
  }

  /**
   * The pods of a cdk8s-plus-28 `Pods` selection, in one namespace: the one it names, or else the
   * namespace of the chart the selection is declared in (an error if that chart has none). A
   * selection of several or of every namespace (`Namespaces.all()`) is refused; a selection changed
   * after the endpoint is made fails the synth.
   */
  public static fromPods(pods: kplus.Pods, options: WorkloadEndpointOptions = {}): Endpoint {
    if (!(pods instanceof kplus.Pods)) {
      throw modelError('Endpoint.fromPods', String(pods), 'is not a cdk8s-plus-28 Pods selection', 'Pass Pods.select(...) or use Endpoint.of({...}).');
    }
    const name = checkName(options.name ?? pods.node.id, `Endpoint for ${pods.node.path}`);
    const selection = readPodSelection(pods);
    if (selection.allNamespaces) {
      throw modelError(`Endpoint ${name} (${pods.node.path})`, 'Namespaces.all()', 'selects pods in every namespace, and an endpoint is the pods of one namespace',
        'Select the one namespace by name (Namespaces.select(scope, id, { names: [\'shop\'] })), or for pods of every namespace use a Peer (Peer.podsInAllNamespaces(...)).');
    }
    if (selection.namespacesByLabel || selection.namespaces.length > 1) {
      throw modelError(`Endpoint ${name} (${pods.node.path})`, selection.namespaces, 'selects pods in several namespaces',
        'An endpoint is the pods of one namespace: select one namespace by name, or use a Peer (Peer.podsInNamespaces) for several.');
    }
    // Without namespaces, a selection means the pods of the namespace it is declared in (its chart's),
    // not the namespace of whichever chart later declares a rule with it.
    const namespace = selection.namespaces[0] ?? Chart.of(pods).namespace;
    if (namespace === undefined) {
      throw modelError(`Endpoint ${name} (${pods.node.path})`, pods.node.id, 'names no namespace, and neither does its chart, so which namespace its pods are in is unknown',
        'Name the namespace (Pods.select(scope, id, { labels, namespaces: Namespaces.select(scope, id, { names: [\'shop\'] }) })) or create its chart with { namespace: \'shop\' }.');
    }
    const selector = selectorFromJson(selection.selector, `Endpoint ${name} (${pods.node.path})`);
    watchSelection(pods, name, selection, 'Pods selection');
    return new Endpoint(FACTORY, name, selector, namespace, () => undefined, false, true);
  }

  /** True for an `Endpoint` made by a factory. */
  public static isEndpoint(x: any): x is Endpoint {
    return isBranded(x, 'Endpoint');
  }

  /**
   * Whether `value` can be used as an endpoint: an `Endpoint` (of this or another installed copy of
   * the package), or an implementation of `IEndpoint` of the user's own (an object that is no other
   * value of this library and has a name and pods). Its fields are checked when it is used.
   * @internal
   */
  public static _isEndpointLike(value: unknown): boolean {
    if (Endpoint.isEndpoint(value)) return true;
    if (typeof value !== 'object' || value === null || brandOf(value) !== undefined || value instanceof Endpoint) return false;
    const fields = readFields(value);
    return fields !== undefined && fields.name !== undefined && fields.pods !== undefined;
  }

  /**
   * `value` as an endpoint of this copy of the package: as is when made here, rebuilt from what it
   * says it is when made by another installed copy, rebuilt through `Endpoint.of` from its fields
   * when it is a user's own `IEndpoint`, refused otherwise.
   * @internal
   */
  public static _use(value: unknown, where: string): Endpoint {
    if (Endpoint.owns(value)) return value;
    if (!Endpoint.isEndpoint(value) && Endpoint._isEndpointLike(value)) {
      const fields = readFields(value as object)!;
      return Endpoint.of({
        name: fields.name as string,
        pods: fields.pods as Selector,
        namespace: fields.namespace as string | undefined,
        ports: fields.containerPorts as EndpointPort[] | undefined,
      });
    }
    if (!Endpoint.isEndpoint(value)) throw notBranded(where, value, 'Endpoint', ENDPOINT_FACTORIES);
    const e = value as Endpoint;
    let fields: { name: string; pods: Selector; namespace?: string; singlePod: boolean; byLabels: boolean };
    try {
      fields = { name: e.name, pods: e.pods, namespace: e.namespace, singlePod: e.isSinglePod === true, byLabels: e._declaredByLabels !== false };
    } catch {
      throw notBranded(where, value, 'Endpoint', ENDPOINT_FACTORIES);
    }
    const name = checkName(fields.name, where);
    const pods = Selector._use(fields.pods, `${where}: endpoint ${name} pods`);
    if (pods.isAll) throw notBranded(where, value, 'Endpoint', ENDPOINT_FACTORIES);
    const namespace = fields.namespace === undefined ? undefined : checkNamespace(fields.namespace, `${where}: endpoint ${name}`);
    return new Endpoint(FACTORY, name, pods, namespace, () => {
      const ports = e.containerPorts;
      return ports === undefined ? undefined : copyPorts(ports, `Endpoint ${name}`);
    }, fields.singlePod, fields.byLabels);
  }

  /**
   * Whether `value` was made by this copy's constructor: it holds the private fields (a `#field in`
   * check, which a Proxy or an object given the brand by hand fails, whatever `instanceof` says).
   */
  private static owns(value: unknown): value is Endpoint {
    return typeof value === 'object' && value !== null && #pods in value;
  }

  readonly #name: string;
  readonly #pods: Selector;
  readonly #namespace?: string;
  readonly #portSource: () => EndpointPort[] | undefined;
  readonly #singlePod: boolean;
  readonly #declaredByLabels: boolean;

  private constructor(
    token: unknown, name: string, pods: Selector, namespace: string | undefined, portSource: () => EndpointPort[] | undefined,
    singlePod: boolean, declaredByLabels: boolean,
  ) {
    checkFactoryToken(token, 'Endpoint', ENDPOINT_FACTORIES);
    this.#name = name;
    this.#pods = pods;
    this.#namespace = namespace;
    this.#portSource = portSource;
    this.#singlePod = singlePod;
    this.#declaredByLabels = declaredByLabels;
    brand(this, 'Endpoint');
  }

  /** The readable name. */
  public get name(): string {
    return this.#name;
  }

  /** The pods. */
  public get pods(): Selector {
    return this.#pods;
  }

  /** The namespace, if the endpoint names one (otherwise the chart's namespace applies). */
  public get namespace(): string | undefined {
    return this.#namespace;
  }

  /**
   * True when the endpoint is one pod (a cdk8s-plus-28 `Pod`), so traffic to itself is loopback;
   * false for a workload or a label selection, which stand for replicas that talk to each other
   * through the policies.
   */
  public get isSinglePod(): boolean {
    return this.#singlePod;
  }

  /**
   * True when the pods are given by labels (not read from a cdk8s-plus-28 workload of the chart), so
   * their workload is not in the synthesized manifests.
   * @internal
   */
  public get _declaredByLabels(): boolean {
    return this.#declaredByLabels;
  }

  /** The container ports the endpoint's pods listen on, if known (a read-only copy). */
  public get containerPorts(): EndpointPort[] | undefined {
    return this.#portSource();
  }

  /** This endpoint as a peer of a policy in `policyNamespace` (a plain pod selector when it is the same namespace). */
  public peerFor(policyNamespace: string, ownNamespace: string): Peer {
    return ownNamespace === policyNamespace ? Peer.pods(this.pods) : Peer.podsInNamespace(ownNamespace, this.pods);
  }

  /** Readable form, e.g. `backend (app=backend)`. */
  public toString(): string {
    return `${this.namespace ? `${this.namespace}/` : ''}${this.name} (${this.pods})`;
  }
}

const ENDPOINT_FACTORIES = 'Endpoint.of({...}), Endpoint.fromLabels(...), Endpoint.fromWorkload(deployment) or Endpoint.fromPods(pods)';

/** How to make an endpoint, for a value that is not one. */
export const BUILD_ENDPOINT = 'Build endpoints with Endpoint.of({...}), Endpoint.fromLabels(...) or Endpoint.fromWorkload(deployment), '
  + 'or implement IEndpoint (name, pods, namespace, containerPorts)';

/** The fields of a user's `IEndpoint`, each read once (undefined when reading them throws, e.g. on an object no factory made). */
function readFields(value: object): { name: unknown; pods: unknown; namespace: unknown; containerPorts: unknown } | undefined {
  try {
    const o = value as Record<string, unknown>;
    return { name: o.name, pods: o.pods, namespace: o.namespace, containerPorts: o.containerPorts };
  } catch {
    return undefined;
  }
}

/**
 * Makes the synth fail when the pods of `source` (a cdk8s-plus-28 workload or `Pods` selection) are
 * no longer the ones an endpoint was made from: `deployment.select(...)` after the endpoint, or a
 * changed `Pods` selection, would otherwise leave the policies selecting the old labels. Checked as a
 * validation of `source`, so the error names it.
 */
function watchSelection(source: kplus.AbstractPod | kplus.Pods, name: string, made: PodSelection, what: string): void {
  const key = selectionKey(made);
  source.node.addValidation({
    validate: () => {
      let now: PodSelection;
      try {
        now = readPodSelection(source);
      } catch (e) {
        return [`its pods can no longer be read (${e instanceof Error ? e.message : String(e)}), so the policies of endpoint ${name} may select other pods. Make the endpoint after the ${what} is complete.`];
      }
      if (selectionKey(now) === key) return [];
      return [`its pods changed after endpoint ${JSON.stringify(name)} was made from it: the endpoint selects ${describeSelection(made)}, the ${what} now selects ${describeSelection(now)}, `
        + `so the policies would select pods the ${what} does not (or miss pods it has). Make the endpoint after the ${what}'s selector is final `
        + '(call select(...) first), or make a new endpoint from it after the change and use that one.'];
    },
  });
}

/** A frozen copy of container ports, each checked, so a later change to the caller's list changes nothing. */
function copyPorts(ports: Array<EndpointPort | WorkloadPort>, what: string): EndpointPort[] {
  if (!Array.isArray(ports)) {
    throw modelError(`${what}: ports`, ports, 'is not a list', 'Give the container ports as an array, e.g. [{ number: 8080, name: \'http\' }].');
  }
  return Object.freeze(ports.map((p, i) => {
    const field = p !== null && typeof p === 'object' && typeof (p as WorkloadPort).field === 'string' ? (p as WorkloadPort).field : `ports[${i}]`;
    const number = p?.number;
    if (typeof number !== 'number' || !Number.isInteger(number) || number < 1 || number > 65535) {
      throw modelError(`${what}: ${field}.number`, number, 'is not a valid port number', 'Use the container port, an integer between 1 and 65535.');
    }
    const protocol = p.protocol ?? Protocol.TCP;
    if (!Object.values(Protocol).includes(protocol)) {
      throw modelError(`${what}: ${field}.protocol`, protocol, 'is not a supported protocol', 'Use Protocol.TCP, Protocol.UDP or Protocol.SCTP.');
    }
    if (p.name !== undefined && typeof p.name !== 'string') {
      throw modelError(`${what}: ${field}.name`, p.name, 'is not a port name', 'Give the container port\'s name as a string, e.g. \'http\'.');
    }
    const nameProblems = p.name === undefined ? [] : portNameProblems(p.name);
    if (nameProblems.length > 0) {
      throw modelError(`${what}: ${field}.name`, p.name, `is not a valid container port name (IANA_SVC_NAME): it ${nameProblems.join('; ')}`,
        'Use at most 15 characters of a-z, 0-9 and single hyphens, with at least one letter, e.g. \'http\' or \'metrics\'; the API server rejects any other name.');
    }
    return Object.freeze({ number, name: p.name, protocol });
  })) as EndpointPort[];
}

function checkName(name: string, what: string): string {
  if (typeof name !== 'string' || name.trim() === '') {
    throw modelError(what, name, 'is not a usable endpoint name', 'Give a short name such as \'backend\'; it becomes part of policy names.');
  }
  return name;
}

function checkNamespace(namespace: string, what: string): string {
  const problems = typeof namespace === 'string' ? dns1123LabelProblems(namespace) : ['is not a string'];
  if (problems.length > 0) {
    throw modelError(`${what}: namespace`, namespace, `is not a valid namespace name: ${problems.join('; ')}`, 'Use lowercase letters, digits and \'-\', at most 63 characters.');
  }
  return namespace;
}

function selectorFromJson(json: LabelSelectorJson, what: string): Selector {
  const expressions = (json.matchExpressions ?? []).map((e) => LabelExpression.of(e.key, e.operator as LabelOperator, e.values));
  if (Object.keys(json.matchLabels ?? {}).length === 0 && expressions.length === 0) {
    throw modelError(what, json, 'has no pod labels, so it would stand for every pod of its namespace', 'Give the workload\'s pods a label (podMetadata) or select them by labels.');
  }
  return Selector.of({ labels: json.matchLabels, expressions });
}
