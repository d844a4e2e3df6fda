import { brand, checkFactoryToken, FACTORY, isBranded, notBranded } from './brand';
import { fqdnSelector } from './cilium';
import { IConnectionEnd } from './connection-end';
import { modelError } from './errors';
import { Peer } from './peer';

const DESTINATION_FACTORIES = 'ExternalDestination.cidrs(name, [...]), .ipBlock(...), .internet(), .kubernetesApiServer([...]) or .dnsNames(name, [...])';

/** Private IPv4 ranges (RFC 1918). */
export const PRIVATE_IPV4_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];
/** The cloud instance metadata address (AWS, GCP, Azure, OpenStack, ...). */
export const CLOUD_METADATA_ADDRESS = '169.254.169.254/32';
/** Private and link-local IPv6 ranges (unique local fc00::/7, link-local fe80::/10). */
export const PRIVATE_IPV6_RANGES = ['fc00::/7', 'fe80::/10'];

/** Options of `ExternalDestination.internet`. */
export interface InternetOptions {
  /** Also allow the IPv6 internet (`::/0` except unique-local and link-local ranges). @default false */
  readonly ipv6?: boolean;
  /** Further ranges to exclude (each must lie inside 0.0.0.0/0 or ::/0 of its family). @default - none */
  readonly except?: string[];
}

/**
 * Addresses outside the cluster, by CIDR: a payment API, the internet, the Kubernetes API server.
 * Each destination is one or more `ipBlock` peers, all checked like `Peer.ipBlock`. It is one end of
 * a connection (`IConnectionEnd`): `allow(endpoint, destination, port)` writes the endpoint's egress
 * rule.
 *
 * @example
 * ExternalDestination.cidrs('payment-api', ['203.0.113.0/24']);
 * ExternalDestination.internet();   // 0.0.0.0/0 except private ranges and 169.254.169.254
 */
export class ExternalDestination implements IConnectionEnd {
  /** A named list of CIDRs (IPv4 and/or IPv6). */
  public static cidrs(name: string, cidrs: string[]): ExternalDestination {
    if (!Array.isArray(cidrs) || cidrs.length === 0) {
      throw modelError(`ExternalDestination.cidrs(${JSON.stringify(name)})`, cidrs, 'is an empty list of CIDRs',
        'List the destination\'s address ranges, e.g. [\'203.0.113.0/24\']; for the whole internet use ExternalDestination.internet().');
    }
    return new ExternalDestination(FACTORY, name, cidrs.map((c) => Peer.ipBlock(c)));
  }

  /** One CIDR minus `except`. */
  public static ipBlock(name: string, cidr: string, except?: string[]): ExternalDestination {
    return new ExternalDestination(FACTORY, name, [Peer.ipBlock(cidr, except)]);
  }

  /**
   * The public internet: `0.0.0.0/0` except the private ranges (10/8, 172.16/12, 192.168/16) and the
   * cloud metadata address 169.254.169.254, so pods cannot reach in-cluster or VPC addresses or steal
   * node credentials this way.
   */
  public static internet(options: InternetOptions = {}): ExternalDestination {
    const extra = options.except ?? [];
    const v4 = [...PRIVATE_IPV4_RANGES, CLOUD_METADATA_ADDRESS, ...extra.filter((c) => !c.includes(':'))];
    const peers = [Peer.anyIpv4(v4)];
    if (options.ipv6) {peers.push(Peer.anyIpv6([...PRIVATE_IPV6_RANGES, ...extra.filter((c) => c.includes(':'))]));} else if (extra.some((c) => c.includes(':'))) {
      throw modelError('ExternalDestination.internet', extra, 'has IPv6 exceptions but ipv6 is not enabled', 'Set ipv6: true, or drop the IPv6 ranges.');
    }
    return new ExternalDestination(FACTORY, 'internet', peers);
  }

  /**
   * The Kubernetes API server, by the addresses of its endpoints (`kubectl get endpoints kubernetes -n
   * default`): traffic to the `kubernetes` Service is translated to these before policies apply.
   * On the Cilium target (`NetworkTarget.cilium()`) a connection to or from it is written as the entity
   * `kube-apiserver` of a CiliumNetworkPolicy instead (Cilium's CIDR rules do not match the API
   * server when it runs on the cluster's nodes), on the same ports.
   */
  public static kubernetesApiServer(addresses: string[]): ExternalDestination {
    if (!Array.isArray(addresses) || addresses.length === 0) {
      throw modelError('ExternalDestination.kubernetesApiServer', addresses, 'is an empty list of addresses',
        'Give the API server endpoint addresses (kubectl get endpoints kubernetes -n default), e.g. [\'10.0.0.1\'] or [\'172.20.0.0/28\'].');
    }
    const peers = addresses.map((a) => Peer.ipBlock(a.includes('/') ? a : `${a}/${a.includes(':') ? 128 : 32}`));
    return new ExternalDestination(FACTORY, 'kubernetes-api', peers, [], true);
  }

  /**
   * A named list of DNS names and patterns (`api.stripe.com`, `*.s3.amazonaws.com`: a name with `*`
   * is a pattern), for SaaS APIs whose addresses change. It needs a network plugin that resolves
   * names, Cilium (`toFQDNs`, with the DNS rule its DNS proxy needs): on a target without it a
   * connection to it fails the synth, never falls back to something broader.
   */
  public static dnsNames(name: string, names: string[]): ExternalDestination {
    if (!Array.isArray(names) || names.length === 0) {
      throw modelError(`ExternalDestination.dnsNames(${JSON.stringify(name)})`, names, 'is an empty list of DNS names',
        'List the names the pods connect to, e.g. [\'api.stripe.com\'] or [\'*.s3.amazonaws.com\'].');
    }
    const selectors = names.map((n) => fqdnSelector(n, `ExternalDestination.dnsNames(${JSON.stringify(name)})`));
    const unique = [...new Set(selectors.map((s) => s.matchName ?? s.matchPattern!))].sort();
    return new ExternalDestination(FACTORY, name, [], unique);
  }

  /** True for an `ExternalDestination` made by a factory. */
  public static isExternalDestination(x: any): x is ExternalDestination {
    return isBranded(x, 'ExternalDestination');
  }

  /**
   * `value` as a destination of this copy of the package: as is when made here, rebuilt from its
   * peers when made by another installed copy, refused otherwise.
   * @internal
   */
  public static _use(value: unknown, where: string): ExternalDestination {
    if (ExternalDestination.owns(value)) return value;
    if (!ExternalDestination.isExternalDestination(value)) throw notBranded(where, value, 'ExternalDestination', DESTINATION_FACTORIES);
    const d = value as ExternalDestination;
    let fields: [unknown, unknown, unknown, unknown];
    try {
      const fqdns = Array.isArray(d.fqdns) ? [...d.fqdns] : undefined;
      fields = [d.name, Array.isArray(d.peers) ? [...d.peers] : undefined, fqdns, d._isKubernetesApiServer];
    } catch {
      throw notBranded(where, value, 'ExternalDestination', DESTINATION_FACTORIES);
    }
    const [name, given, fqdns, apiServer] = fields;
    if (Array.isArray(fqdns) && fqdns.length > 0 && typeof name === 'string') return ExternalDestination.dnsNames(name, fqdns);
    const peers = Array.isArray(given) ? given.map((p) => Peer._use(p, where)) : [];
    if (peers.length === 0 || peers.some((p) => !p.addressBlock) || typeof name !== 'string') throw notBranded(where, value, 'ExternalDestination', DESTINATION_FACTORIES);
    return new ExternalDestination(FACTORY, name, peers, [], apiServer === true);
  }

  /**
   * Whether `value` was made by this copy's constructor: it holds the private fields (a `#field in`
   * check, which a Proxy or an object given the brand by hand fails, whatever `instanceof` says).
   */
  private static owns(value: unknown): value is ExternalDestination {
    return typeof value === 'object' && value !== null && #peers in value;
  }

  readonly #name: string;
  readonly #peers: readonly Peer[];
  readonly #dnsNames: readonly string[];
  readonly #apiServer: boolean;

  private constructor(token: unknown, name: string, peers: Peer[], dnsNames: string[] = [], apiServer = false) {
    checkFactoryToken(token, 'ExternalDestination', DESTINATION_FACTORIES);
    if (typeof name !== 'string' || name.trim() === '') {
      throw modelError('ExternalDestination', name, 'is not a usable name', 'Give the destination a short readable name, e.g. \'payment-api\'.');
    }
    this.#name = name;
    this.#peers = Object.freeze([...peers]);
    this.#dnsNames = Object.freeze([...dnsNames]);
    this.#apiServer = apiServer;
    brand(this, 'ExternalDestination');
  }

  /** A readable name. */
  public get name(): string {
    return this.#name;
  }

  /** The ipBlock peers; read-only; empty for a destination given by DNS names. */
  public get peers(): Peer[] {
    return this.#peers as Peer[];
  }

  /** The DNS names and patterns, sorted; empty for a destination given by addresses. */
  public get fqdns(): string[] {
    return [...this.#dnsNames];
  }

  /**
   * Whether this is the Kubernetes API server (made by `kubernetesApiServer`), which the Cilium
   * target names by its entity rather than by its addresses.
   * @internal
   */
  public get _isKubernetesApiServer(): boolean {
    return this.#apiServer;
  }

  /** Readable form, e.g. `payment-api (203.0.113.0/24)`, `stripe (api.stripe.com)`. */
  public toString(): string {
    return `${this.name} (${this.#dnsNames.length > 0 ? this.#dnsNames.join(', ') : this.peers.map(String).join('; ')})`;
  }
}
