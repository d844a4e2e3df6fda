import { brand, checkFactoryToken, FACTORY, isBranded, notBranded } from './brand';
import { IConnectionEnd } from './connection-end';
import { modelError } from './errors';
import { IpBlock } from './ip-block';
import { Selector } from './selector';
import { NAMESPACE_NAME_LABEL, NetworkPolicyPeerJson } from '../k8s/manifest';
import { dns1123LabelProblems } from '../k8s/names';

/**
 * The other side of a rule: who may connect (ingress) or be connected to (egress).
 *
 * One `Peer` is one element of `from`/`to`; a pod selector and a namespace selector inside one peer
 * are AND-ed (`Peer.podsInNamespace`). There is no way to build a peer that matches everyone by
 * accident: that is `Peer.anyone()`, and nothing else.
 *
 * A peer is also one end of a connection (`IConnectionEnd`): `allow(peer, endpoint, port)` writes the
 * endpoint's ingress rule, `allow(endpoint, peer, port)` its egress rule.
 *
 * @example
 * Peer.pods(Selector.labels({ app: 'web' }));          // pods of the policy's namespace
 * Peer.namespace('monitoring');                        // every pod of namespace monitoring
 * Peer.podsInNamespace('ingress-nginx', Selector.labels({ 'app.kubernetes.io/name': 'ingress-nginx' }));
 * Peer.ipBlock('0.0.0.0/0', ['10.0.0.0/8']);
 */
export class Peer implements IConnectionEnd {
  /** Pods matching `pods` in the policy's own namespace. */
  public static pods(pods: Selector): Peer {
    return new Peer(FACTORY, { podSelector: checkSelector(pods, 'Peer.pods') });
  }

  /** Every pod of the namespace called `name` (selected by its `kubernetes.io/metadata.name` label). */
  public static namespace(name: string): Peer {
    return new Peer(FACTORY, { namespaceSelector: namespaceByName(name, 'Peer.namespace'), namespace: name });
  }

  /** Every pod of the namespaces whose labels match `namespaces`. */
  public static namespaces(namespaces: Selector): Peer {
    return new Peer(FACTORY, { namespaceSelector: checkSelector(namespaces, 'Peer.namespaces') });
  }

  /** Pods matching `pods` in the namespace called `namespace` (one peer element: both must hold). */
  public static podsInNamespace(namespace: string, pods: Selector): Peer {
    return new Peer(FACTORY, {
      namespaceSelector: namespaceByName(namespace, 'Peer.podsInNamespace'),
      podSelector: checkSelector(pods, 'Peer.podsInNamespace'),
      namespace,
    });
  }

  /** Pods matching `pods` in namespaces matching `namespaces` (one peer element: both must hold). */
  public static podsInNamespaces(namespaces: Selector, pods: Selector): Peer {
    return new Peer(FACTORY, {
      namespaceSelector: checkSelector(namespaces, 'Peer.podsInNamespaces'),
      podSelector: checkSelector(pods, 'Peer.podsInNamespaces'),
    });
  }

  /** Every pod of every namespace (`namespaceSelector: {}`); not addresses outside the cluster. */
  public static allNamespaces(): Peer {
    return new Peer(FACTORY, { namespaceSelector: Selector.all() });
  }

  /** Pods matching `pods` in every namespace. */
  public static podsInAllNamespaces(pods: Selector): Peer {
    return new Peer(FACTORY, { namespaceSelector: Selector.all(), podSelector: checkSelector(pods, 'Peer.podsInAllNamespaces') });
  }

  /** Addresses in `cidr` but not in any of `except` (IPv4 or IPv6). */
  public static ipBlock(cidr: string, except?: string[]): Peer {
    return new Peer(FACTORY, { ipBlock: IpBlock.of(cidr, except) });
  }

  /** Every IPv4 address (`0.0.0.0/0`), optionally minus `except`. */
  public static anyIpv4(except?: string[]): Peer {
    return Peer.ipBlock('0.0.0.0/0', except);
  }

  /** Every IPv6 address (`::/0`), optionally minus `except`. */
  public static anyIpv6(except?: string[]): Peer {
    return Peer.ipBlock('::/0', except);
  }

  /**
   * Everyone: every pod and every address, inside or outside the cluster. A rule with this peer has
   * no `from`/`to` list. This is the only way to allow everyone; use it only when that is meant.
   */
  public static anyone(): Peer {
    return new Peer(FACTORY, { anyone: true });
  }

  /** True for a `Peer` made by a factory. */
  public static isPeer(x: any): x is Peer {
    return isBranded(x, 'Peer');
  }

  /**
   * `value` as a peer of this copy of the package: as is when made here, rebuilt through the
   * factories when made by another installed copy, refused otherwise (a hand-built peer could be
   * read as "everyone").
   * @internal
   */
  public static _use(value: unknown, where: string): Peer {
    if (Peer.owns(value)) return value;
    if (!Peer.isPeer(value)) throw notBranded(where, value, 'Peer', PEER_FACTORIES);
    let p: {
      isAnyone: unknown; podSelector?: Selector; namespaceSelector?: Selector; namespaceName?: string; addressBlock?: IpBlock; toJson: unknown;
    };
    try {
      const v = value as Peer;
      p = {
        isAnyone: v.isAnyone,
        podSelector: v.podSelector,
        namespaceSelector: v.namespaceSelector,
        namespaceName: v.namespaceName,
        addressBlock: v.addressBlock,
        toJson: v.toJson,
      };
      // "everyone" only when the value says so, down to what it renders (a rule without peers)
      if (p.isAnyone === true && (typeof p.toJson !== 'function' || (p.toJson as () => unknown).call(value) !== undefined)) throw new Error('inconsistent');
    } catch {
      throw notBranded(where, value, 'Peer', PEER_FACTORIES);
    }
    if (p.isAnyone === true) {
      if (p.podSelector || p.namespaceSelector || p.addressBlock) throw notBranded(where, value, 'Peer', PEER_FACTORIES);
      return Peer.anyone();
    }
    if (p.isAnyone !== false) throw notBranded(where, value, 'Peer', PEER_FACTORIES);
    if (p.addressBlock) {
      if (p.podSelector || p.namespaceSelector) throw notBranded(where, value, 'Peer', PEER_FACTORIES);
      return new Peer(FACTORY, { ipBlock: IpBlock._use(p.addressBlock, where) });
    }
    const pods = p.podSelector === undefined ? undefined : Selector._use(p.podSelector, where);
    const namespaces = p.namespaceSelector === undefined ? undefined : Selector._use(p.namespaceSelector, where);
    if (!pods && !namespaces) throw notBranded(where, value, 'Peer', PEER_FACTORIES);
    if (p.namespaceName !== undefined) {
      return pods ? Peer.podsInNamespace(p.namespaceName, pods) : Peer.namespace(p.namespaceName);
    }
    return new Peer(FACTORY, { podSelector: pods, namespaceSelector: namespaces });
  }

  /**
   * Whether `value` was made by this copy's constructor: it holds the private fields (a `#field in`
   * check, which a Proxy or an object given the brand by hand fails, whatever `instanceof` says).
   */
  private static owns(value: unknown): value is Peer {
    return typeof value === 'object' && value !== null && #anyone in value;
  }

  readonly #podSelector?: Selector;
  readonly #namespaceSelector?: Selector;
  readonly #namespaceName?: string;
  readonly #addressBlock?: IpBlock;
  readonly #anyone: boolean;

  private constructor(token: unknown, parts: PeerParts) {
    checkFactoryToken(token, 'Peer', PEER_FACTORIES);
    this.#podSelector = parts.podSelector;
    this.#namespaceSelector = parts.namespaceSelector;
    this.#namespaceName = parts.namespace;
    this.#addressBlock = parts.ipBlock;
    this.#anyone = parts.anyone ?? false;
    brand(this, 'Peer');
  }

  /** A readable name of the peer (its readable form, e.g. `pods app=web in namespace shop`), for messages. */
  public get name(): string {
    return this.toString();
  }

  /** The pod selector, if the peer selects pods. */
  public get podSelector(): Selector | undefined {
    return this.#podSelector;
  }

  /** The namespace selector, if the peer selects namespaces. */
  public get namespaceSelector(): Selector | undefined {
    return this.#namespaceSelector;
  }

  /** The namespace name, when the peer names one namespace. */
  public get namespaceName(): string | undefined {
    return this.#namespaceName;
  }

  /** The address range, for an ipBlock peer. */
  public get addressBlock(): IpBlock | undefined {
    return this.#addressBlock;
  }

  /** True for `Peer.anyone()`. */
  public get isAnyone(): boolean {
    return this.#anyone;
  }

  /** Readable form, e.g. `pods app=web`, `pods app=db in namespace data`, `203.0.113.0/24`. */
  public toString(): string {
    if (this.isAnyone) return 'anyone';
    if (this.addressBlock) return this.addressBlock.toString();
    const ns = this.namespaceName !== undefined
      ? `namespace ${this.namespaceName}`
      : this.namespaceSelector?.isAll ? 'all namespaces' : this.namespaceSelector ? `namespaces ${this.namespaceSelector}` : undefined;
    if (!this.podSelector) return `all pods in ${ns}`;
    const pods = this.podSelector.isAll ? 'all pods' : `pods ${this.podSelector}`;
    return ns ? `${pods} in ${ns}` : `${pods} in the policy's namespace`;
  }

  /** A canonical identity for de-duplication and sorting. */
  public get key(): string {
    if (this.isAnyone) return '*';
    if (this.addressBlock) return `ip|${this.addressBlock}`;
    return `sel|${this.namespaceSelector ? this.namespaceSelector.key : '-'}|${this.podSelector ? this.podSelector.key : '-'}`;
  }

  /** The `NetworkPolicyPeer` JSON; undefined for `Peer.anyone()`, which is written as a rule without peers. */
  public toJson(): any {
    if (this.isAnyone) return undefined;
    const json: NetworkPolicyPeerJson = {};
    if (this.addressBlock) json.ipBlock = this.addressBlock.toJson();
    if (this.namespaceSelector) json.namespaceSelector = this.namespaceSelector.toJson();
    if (this.podSelector) json.podSelector = this.podSelector.toJson();
    return json;
  }
}

/** What a peer is made of. */
interface PeerParts {
  podSelector?: Selector;
  namespaceSelector?: Selector;
  namespace?: string;
  ipBlock?: IpBlock;
  anyone?: boolean;
}

const PEER_FACTORIES = 'Peer.pods(...), Peer.namespace(...), Peer.podsInNamespace(...), Peer.ipBlock(...) or Peer.anyone()';

function checkSelector(selector: Selector, factory: string): Selector {
  if (!Selector.isSelector(selector)) {
    throw notBranded(factory, selector, 'Selector', 'Selector.labels({...}) or Selector.of({...}); write Selector.all() to mean every pod or namespace');
  }
  return Selector._use(selector, factory);
}

/** The namespace selector that selects exactly one namespace by its name label. */
export function namespaceByName(name: string, factory: string): Selector {
  const problems = typeof name === 'string' ? dns1123LabelProblems(name) : ['is not a string'];
  if (problems.length > 0) {
    throw modelError(factory, name, `is not a valid namespace name: ${problems.join('; ')}`,
      'Give the namespace\'s name, e.g. \'kube-system\' (lowercase letters, digits and \'-\', at most 63 characters).');
  }
  return Selector.labels({ [NAMESPACE_NAME_LABEL]: name });
}
