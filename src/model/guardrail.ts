import { brand, checkFactoryToken, FACTORY, isBranded, notBranded } from './brand';
import { IConnectionEnd } from './connection-end';
import { namespaceByName } from './peer';
import { Selector } from './selector';

const SUBJECT_FACTORIES = 'GuardrailSubject.allNamespaces(), .namespace(name), .namespaces(selector), .podsInNamespace(name, pods), '
  + '.podsInNamespaces(namespaces, pods) or .podsInAllNamespaces(pods)';

/**
 * The pods a cluster guardrail applies to (`spec.subject` of the sig-network policy API): every pod
 * of the selected namespaces, or the selected pods of the selected namespaces. It is one end of the
 * guardrail's rules: `guardrail.allow(peer, guardrail.subject, port)` is an ingress rule of the
 * subject, `guardrail.allow(guardrail.subject, peer, port)` an egress rule.
 *
 * @example
 * GuardrailSubject.allNamespaces();                                        // every pod of the cluster
 * GuardrailSubject.namespaces(Selector.expressions([LabelExpression.exists('tenant')]));
 * GuardrailSubject.podsInNamespace('shop', Selector.labels({ app: 'web' }));
 */
export class GuardrailSubject implements IConnectionEnd {
  /** Every pod of every namespace (`namespaces: {}`). */
  public static allNamespaces(): GuardrailSubject {
    return new GuardrailSubject(FACTORY, Selector.all(), undefined, undefined);
  }

  /** Every pod of the namespace called `name` (by its `kubernetes.io/metadata.name` label). */
  public static namespace(name: string): GuardrailSubject {
    return new GuardrailSubject(FACTORY, namespaceByName(name, 'GuardrailSubject.namespace'), undefined, name);
  }

  /** Every pod of the namespaces whose labels match `namespaces`. */
  public static namespaces(namespaces: Selector): GuardrailSubject {
    return new GuardrailSubject(FACTORY, use(namespaces, 'GuardrailSubject.namespaces'), undefined, undefined);
  }

  /** The pods matching `pods` in the namespace called `name`. */
  public static podsInNamespace(name: string, pods: Selector): GuardrailSubject {
    return new GuardrailSubject(FACTORY, namespaceByName(name, 'GuardrailSubject.podsInNamespace'), use(pods, 'GuardrailSubject.podsInNamespace'), name);
  }

  /** The pods matching `pods` in the namespaces matching `namespaces`. */
  public static podsInNamespaces(namespaces: Selector, pods: Selector): GuardrailSubject {
    return new GuardrailSubject(FACTORY, use(namespaces, 'GuardrailSubject.podsInNamespaces'), use(pods, 'GuardrailSubject.podsInNamespaces'), undefined);
  }

  /** The pods matching `pods` in every namespace. */
  public static podsInAllNamespaces(pods: Selector): GuardrailSubject {
    return new GuardrailSubject(FACTORY, Selector.all(), use(pods, 'GuardrailSubject.podsInAllNamespaces'), undefined);
  }

  /** True for a `GuardrailSubject` made by a factory. */
  public static isGuardrailSubject(x: any): x is GuardrailSubject {
    return isBranded(x, 'GuardrailSubject');
  }

  /**
   * `value` as a subject of this copy of the package: as is when made here, rebuilt through the
   * factories when made by another installed copy, refused otherwise.
   * @internal
   */
  public static _use(value: unknown, where: string): GuardrailSubject {
    if (typeof value === 'object' && value !== null && #namespaces in value) return value as GuardrailSubject;
    if (!GuardrailSubject.isGuardrailSubject(value)) throw notBranded(where, value, 'GuardrailSubject', SUBJECT_FACTORIES);
    let parts: [unknown, unknown, unknown];
    try {
      const s = value as GuardrailSubject;
      parts = [s.namespaceSelector, s.podSelector, s.namespaceName];
    } catch {
      throw notBranded(where, value, 'GuardrailSubject', SUBJECT_FACTORIES);
    }
    const [namespaces, pods, name] = parts;
    if (namespaces === undefined) throw notBranded(where, value, 'GuardrailSubject', SUBJECT_FACTORIES);
    const podSelector = pods === undefined ? undefined : Selector._use(pods, where);
    if (name !== undefined) {
      if (typeof name !== 'string') throw notBranded(where, value, 'GuardrailSubject', SUBJECT_FACTORIES);
      return podSelector ? GuardrailSubject.podsInNamespace(name, podSelector) : GuardrailSubject.namespace(name);
    }
    const ns = Selector._use(namespaces, where);
    return podSelector ? GuardrailSubject.podsInNamespaces(ns, podSelector) : GuardrailSubject.namespaces(ns);
  }

  readonly #namespaces: Selector;
  readonly #pods?: Selector;
  readonly #namespaceName?: string;

  private constructor(token: unknown, namespaces: Selector, pods: Selector | undefined, namespaceName: string | undefined) {
    checkFactoryToken(token, 'GuardrailSubject', SUBJECT_FACTORIES);
    this.#namespaces = namespaces;
    this.#pods = pods;
    this.#namespaceName = namespaceName;
    brand(this, 'GuardrailSubject');
  }

  /** A readable name, for messages and rule names. */
  public get name(): string {
    return this.toString();
  }

  /** The namespaces of the subject. */
  public get namespaceSelector(): Selector {
    return this.#namespaces;
  }

  /** The pods of the subject in those namespaces; undefined for every pod of them. */
  public get podSelector(): Selector | undefined {
    return this.#pods;
  }

  /** The namespace's name, when the subject names one namespace. */
  public get namespaceName(): string | undefined {
    return this.#namespaceName;
  }

  /** A canonical identity. */
  public get key(): string {
    return `subject|${this.#namespaces.key}|${this.#pods ? this.#pods.key : '-'}`;
  }

  /** Readable form, e.g. `all pods in all namespaces`, `pods app=web in namespace shop`. */
  public toString(): string {
    const ns = this.#namespaceName !== undefined ? `namespace ${this.#namespaceName}`
      : this.#namespaces.isAll ? 'all namespaces' : `namespaces ${this.#namespaces}`;
    const pods = !this.#pods || this.#pods.isAll ? 'all pods' : `pods ${this.#pods}`;
    return `${pods} in ${ns}`;
  }

  /** The `spec.subject` JSON (the same in v1alpha1 and v1alpha2). */
  public toJson(): any {
    if (!this.#pods) return { namespaces: this.#namespaces.toJson() };
    return { pods: { namespaceSelector: this.#namespaces.toJson(), podSelector: this.#pods.toJson() } };
  }
}

const NODES_FACTORIES = 'ClusterNodes.all() or ClusterNodes.matching(selector)';

/**
 * Nodes of the cluster, by their labels, as the destination of a guardrail's egress rule (the
 * `nodes` peer of the sig-network policy API: the node's addresses, e.g. to reach the kubelet or a
 * node-local agent). Only egress rules have node peers.
 *
 * @example
 * guardrail.deny(guardrail.subject, ClusterNodes.all(), Port.tcp(10250));
 */
export class ClusterNodes implements IConnectionEnd {
  /** Every node (`nodes: {}`). */
  public static all(): ClusterNodes {
    return new ClusterNodes(FACTORY, Selector.all());
  }

  /** The nodes whose labels match `nodes`. */
  public static matching(nodes: Selector): ClusterNodes {
    return new ClusterNodes(FACTORY, use(nodes, 'ClusterNodes.matching'));
  }

  /** True for a `ClusterNodes` made by a factory. */
  public static isClusterNodes(x: any): x is ClusterNodes {
    return isBranded(x, 'ClusterNodes');
  }

  /**
   * `value` as nodes of this copy of the package (rebuilt when made by another copy), refused otherwise.
   * @internal
   */
  public static _use(value: unknown, where: string): ClusterNodes {
    if (typeof value === 'object' && value !== null && #selector in value) return value as ClusterNodes;
    if (!ClusterNodes.isClusterNodes(value)) throw notBranded(where, value, 'ClusterNodes', NODES_FACTORIES);
    let selector: unknown;
    try {
      selector = (value as ClusterNodes).selector;
    } catch {
      throw notBranded(where, value, 'ClusterNodes', NODES_FACTORIES);
    }
    return new ClusterNodes(FACTORY, Selector._use(selector, where));
  }

  readonly #selector: Selector;

  private constructor(token: unknown, selector: Selector) {
    checkFactoryToken(token, 'ClusterNodes', NODES_FACTORIES);
    this.#selector = selector;
    brand(this, 'ClusterNodes');
  }

  /** A readable name. */
  public get name(): string {
    return this.toString();
  }

  /** The node selector. */
  public get selector(): Selector {
    return this.#selector;
  }

  /** Readable form, e.g. `all nodes`, `nodes role=infra`. */
  public toString(): string {
    return this.#selector.isAll ? 'all nodes' : `nodes ${this.#selector}`;
  }

  /** The `nodes` selector JSON. */
  public toJson(): any {
    return this.#selector.toJson();
  }
}

function use(selector: Selector, where: string): Selector {
  if (!Selector.isSelector(selector)) {
    throw notBranded(where, selector, 'Selector', 'Selector.labels({...}) or Selector.of({...}); write Selector.all() to mean every pod or namespace');
  }
  return Selector._use(selector, where);
}
