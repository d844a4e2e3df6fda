import { ApiObject, Chart, ChartProps } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { DnsOptions } from './allow-dns';
import { atConstruct, constructError } from './errors';
import { resolveNamespace } from './namespace';
import { namespaceObject } from './namespace-object';
import { kubeName } from './naming';
import { NetworkPolicies } from './network-policies';
import { AppOwnership } from './ownership';
import { ConnectionEnd } from '../endpoints/connection-end';
import { Endpoint } from '../endpoints/endpoint';
import { describeValue } from '../model/brand';
import { CiliumEntity, Entity } from '../model/cilium';
import { IConnectionEnd } from '../model/connection-end';
import { Direction } from '../model/direction';
import { EndpointPort } from '../model/endpoint-port';
import { Environment } from '../model/environment';
import { ExternalDestination } from '../model/external-destination';
import { Peer } from '../model/peer';
import { Port } from '../model/port';
import { Selector } from '../model/selector';

/** Properties of `ApplicationStack`. */
export interface ApplicationStackProps extends ChartProps {
  /** Add a `DefaultDeny` (both directions) to every namespace that has a service of the stack. @default true */
  readonly defaultDeny?: boolean;
  /** Add an `AllowDns` to every namespace that has a service of the stack. @default true */
  readonly dns?: boolean;
  /** Options for DNS. @default - kube-dns in kube-system */
  readonly dnsOptions?: DnsOptions;
  /**
   * The environment (dev, staging, prod). No rule of the stack opens it to another environment:
   * a peer that selects namespaces by label (or all namespaces) is narrowed to namespaces labelled
   * `environment: <name>`; a peer that names a namespace is accepted only for the stack's own
   * namespaces and the `sharedNamespaces`, and refused otherwise; a debugging allowance is only
   * accepted where the environment allows it.
   * @default - no environment
   */
  readonly environment?: Environment;
  /**
   * Namespaces that belong to no environment and may reach the stack's services when a rule names
   * them (the ingress controller, monitoring, kube-system). With an environment set, a peer that
   * names any other namespace (`Peer.namespace('shop-dev')`) is an error.
   * @default - none
   */
  readonly sharedNamespaces?: string[];
  /**
   * Emit a Namespace object for every namespace of the stack, labelled `environment: <name>`.
   * Turn off when namespaces are managed elsewhere (then label them there).
   * @default true when an environment is set
   */
  readonly manageNamespaces?: boolean;
}

/** A service of an `ApplicationStack`: exactly one of `workload`, `pods` or `labels`. */
export interface ServiceProps {
  /** A cdk8s-plus-28 workload (its selector, namespace and container ports are read). @default - given by pods or labels */
  readonly workload?: kplus.AbstractPod;
  /** The service's pods. @default - given by workload or labels */
  readonly pods?: Selector;
  /** The labels of the service's pods. @default - given by workload or pods */
  readonly labels?: { [key: string]: string };
  /** The namespace. @default - the workload's, else the stack's namespace */
  readonly namespace?: string;
  /** The container ports, to check rules against (only with pods or labels). @default - not checked */
  readonly ports?: EndpointPort[];
}

/**
 * A chart in which a team declares its services and their dependencies; it writes every
 * NetworkPolicy needed, on both sides, and nothing more: what is declared is allowed, everything
 * else is denied. Every namespace with a service gets a default deny and DNS (both on by default),
 * and every service is isolated in both directions.
 *
 * Dependencies read left to right with one verb, `allow(from, to, ...ports)`, whose ends are
 * services of the stack, peers (the ingress controller, a namespace) or external destinations.
 *
 * @example
 * const shop = new ApplicationStack(app, 'shop', { namespace: 'shop' });
 * const web = shop.addService('web', { labels: { app: 'web' }, ports: [{ number: 8080 }] });
 * const db = shop.addService('db', { namespace: 'data', labels: { app: 'postgres' }, ports: [{ number: 5432 }] });
 * shop.allow(Peer.namespace('ingress-nginx'), web);   // on web's declared port
 * shop.allow(web, db);                                // on db's
 * shop.allow(web, ExternalDestination.cidrs('payment-api', ['203.0.113.0/24']), Port.tcp(443));
 */
export class ApplicationStack extends Chart {
  /** The policies of this stack. */
  public readonly policies: NetworkPolicies;
  private readonly services = new Map<string, Endpoint>();
  private readonly declared = new Set<Endpoint>();
  private readonly settings: ApplicationStackProps;
  private readonly environment?: Environment;
  private readonly sharedNamespaces: ReadonlySet<string>;
  private readonly namespaceObjects = new Map<string, ApiObject>();
  private readonly debugAccess: Array<{ peer: Peer; ports: Port[] }> = [];

  /**
   * @param scope the parent construct
   * @param id the construct id (the basis of derived object names)
   * @param props the properties
   */
  constructor(scope: Construct, id: string, props: ApplicationStackProps = {}) {
    super(scope, id, props);
    this.settings = { ...props };
    this.environment = props.environment === undefined ? undefined
      : atConstruct(this, 'environment', () => Environment._use(props.environment, 'environment'));
    const shared = props.sharedNamespaces ?? [];
    if (!Array.isArray(shared)) {
      throw constructError(this, `sharedNamespaces ${JSON.stringify(shared)} is not a list. List namespace names, e.g. ['ingress-nginx', 'monitoring'].`);
    }
    this.sharedNamespaces = new Set(shared.map((ns) => resolveNamespace(this, ns, 'shared namespace')));
    this.policies = NetworkPolicies.of(this);
  }

  /** Declares a service; returns its endpoint for dependencies. */
  public addService(name: string, props: ServiceProps): Endpoint {
    const given = [props?.workload, props?.pods, props?.labels].filter((x) => x !== undefined).length;
    if (given !== 1) {
      throw constructError(this, `service ${JSON.stringify(name)} needs exactly one of workload, pods or labels (got ${given}). Say which pods the service is, e.g. { labels: { app: '${name}' } } or { workload: deployment }.`);
    }
    const endpoint = atConstruct(this, `service ${JSON.stringify(name)}`, () => props.workload
      ? Endpoint.fromWorkload(props.workload, { name })
      : Endpoint.of({ name, pods: props.pods ?? Selector.labels(props.labels!), namespace: props.namespace, ports: props.ports }));
    const service = props.workload && props.namespace !== undefined && endpoint.namespace !== props.namespace
      ? (() => { throw constructError(this, `service ${JSON.stringify(name)}: namespace ${props.namespace} differs from its workload's namespace ${endpoint.namespace ?? '(none)'}. Drop the namespace property; the workload's namespace is used.`); })()
      : endpoint;
    const namespace = this.policies._namespaceOf(this, service);
    const key = `${namespace}/${kubeName([name])}`;
    if (this.services.has(key)) {
      const other = this.services.get(key)!;
      throw constructError(this, `service ${JSON.stringify(name)} is declared twice in namespace ${namespace}${other.name !== name ? ` (as ${JSON.stringify(other.name)} before: both name the policies ${kubeName([name, 'ingress'])} and ${kubeName([name, 'egress'])})` : ''}. Declare each service once and reuse the returned endpoint, or give the two services names that stay different as object names.`);
    }
    this.services.set(key, service);
    this.declared.add(service);
    if (this.settings.defaultDeny ?? true) {
      this.policies.denyAll(namespace);
    } else {
      this.policies._isolate(this, service, Direction.INGRESS);
      this.policies._isolate(this, service, Direction.EGRESS);
    }
    if (this.settings.dns ?? true) this.policies.allowDnsInNamespace(namespace, this.settings.dnsOptions);
    this.manageNamespace(namespace);
    for (const access of this.debugAccess) this.policies._allowFrom(this, service, [access.peer], access.ports);
    return service;
  }

  /**
   * A debugging allowance: pods of `namespace` (e.g. a debug-tools namespace) may reach every service
   * of the stack on `ports`. Only where the environment allows it (`Environment.dev()`); anywhere
   * else, and without an environment, it is an error, so it can never reach production.
   */
  public allowDebugAccess(namespace: string, ...ports: Port[]): void {
    const env = this.environment;
    if (!env || !env.allowsDebugAccess) {
      throw constructError(this, `allowDebugAccess from namespace ${JSON.stringify(namespace)}: ${env ? `environment "${env.name}" does not allow debug access` : 'the stack has no environment'}, so the allowance is refused. Declare it only in stacks with environment: Environment.dev() (never in prod).`);
    }
    const peer = atConstruct(this, 'allowDebugAccess', () => Peer.namespace(namespace));
    this.debugAccess.push({ peer, ports });
    for (const service of this.services.values()) this.policies._allowFrom(this, service, [peer], ports);
  }

  /**
   * `from` may connect to `to` on `ports`, or, when none are given, on the ports `to` declares.
   * Each end is a service of this stack (`addService`), a `Peer` (confined to the stack's
   * environment, see `environment`) or an `ExternalDestination`. Between two services both sides are
   * written; with a peer or an external destination, the service's side. Declaring it again changes
   * nothing.
   */
  public allow(from: IConnectionEnd, to: IConnectionEnd, ...ports: Port[]): void {
    this.policies._connect(this, this.endOf(from, 'allow'), this.endOf(to, 'allow'), ports);
  }

  /**
   * Deprecated alias of `allow(from, to, ...ports)`: `from` may connect to an address range outside
   * the cluster on `ports`.
   * @deprecated Use `allow(from, to, ...ports)`, which takes an external destination as either end.
   */
  public allowExternal(from: Endpoint, to: ExternalDestination, ...ports: Port[]): void {
    this.checkDeclared(from, 'allowExternal');
    if (!ExternalDestination.isExternalDestination(to)) {
      throw constructError(this, `allowExternal: ${describeValue(to)} is not an ExternalDestination. Use ExternalDestination.cidrs(name, [...]).`);
    }
    const destination = atConstruct(this, 'allowExternal', () => ExternalDestination._use(to, 'destination'));
    if (destination.fqdns.length > 0) {
      this.policies._connect(this, this.policies._end(this, from, 'allowExternal'), this.policies._end(this, destination, 'allowExternal'), ports, 'allowExternal');
      return;
    }
    this.policies._allowTo(this, from, destination.peers, ports);
  }

  /**
   * Deprecated alias of `allow(peer, to, ...ports)`: `peer` (e.g. the ingress controller, or a load
   * balancer CIDR) may connect to the service on `ports`.
   * @deprecated Use `allow(peer, to, ...ports)`, which reads left to right (who may connect comes
   * first) and, without ports, uses the ports `to` declares.
   */
  public allowIngress(to: Endpoint, peer: Peer, ...ports: Port[]): void {
    this.checkDeclared(to, 'allowIngress');
    this.policies._allowFrom(this, to, [this.withinEnvironment(peer, 'allowIngress')], ports);
  }

  /**
   * One end of a dependency: a service of this stack, a peer confined to the environment, or an
   * external destination's ipBlocks.
   */
  private endOf(value: unknown, method: string): ConnectionEnd {
    if (Peer.isPeer(value)) {
      const peer = this.withinEnvironment(value, method);
      return { peers: [peer], description: peer.toString() };
    }
    if (Entity.isEntity(value)) {
      const entity = atConstruct(this, method, () => Entity._use(value, 'entity'));
      if (this.environment && (entity.kind === CiliumEntity.CLUSTER || entity.kind === CiliumEntity.ALL)) {
        throw constructError(this, `${method}: ${entity} takes in every environment's pods, and this stack is confined to environment ${this.environment.name}. `
          + 'Name the peers within the environment instead (services of the stack, or Peer.namespace(...) of its namespaces).');
      }
      return this.policies._end(this, entity, method);
    }
    if (!ExternalDestination.isExternalDestination(value)) this.checkDeclared(value, method);
    return this.policies._end(this, value, method);
  }

  /**
   * A peer confined to the stack's environment. Without an environment, the peer as is. With one:
   * a peer that selects namespaces by label (or all of them) gets the `environment: <name>`
   * requirement added; a peer that names a namespace is kept when the namespace is one of the
   * stack's own or a shared namespace, and refused otherwise (the name says nothing about the
   * namespace's environment, and a rule from `shop-dev` into prod must never be written by mistake).
   * Peers that select no namespaces (pods of the policy's namespace, ipBlocks, `Peer.anyone()`) are
   * kept as they are.
   */
  private withinEnvironment(peer: Peer, method: string): Peer {
    if (!Peer.isPeer(peer)) {
      throw constructError(this, `${method}: ${describeValue(peer)} is not a Peer. Build peers with the Peer factories, e.g. Peer.podsInNamespace('ingress-nginx', Selector.labels({...})).`);
    }
    const own = atConstruct(this, method, () => Peer._use(peer, 'peer'));
    const env = this.environment;
    if (!env || !own.namespaceSelector) return own;
    if (own.namespaceName !== undefined) {
      if (this.ownNamespaces().has(own.namespaceName) || this.sharedNamespaces.has(own.namespaceName)) return own;
      throw constructError(this, `${method}: ${own} names namespace ${own.namespaceName}, which is neither a namespace of this stack nor one of its sharedNamespaces, `
        + `so nothing says it belongs to environment "${env.name}", and the rule could open "${env.name}" to another environment. `
        + `If ${own.namespaceName} is a platform namespace that belongs to no environment (ingress controller, monitoring), list it in sharedNamespaces; `
        + `if it belongs to "${env.name}", select it by label so the rule is confined to the environment: `
        + `Peer.namespaces(Selector.labels({ 'kubernetes.io/metadata.name': '${own.namespaceName}' })) matches it only while it is labelled ${Environment.LABEL}=${env.name}.`);
    }
    const namespaces = own.namespaceSelector.isAll
      ? Selector.labels({ [Environment.LABEL]: env.name })
      : atConstruct(this, method, () => own.namespaceSelector!.withLabels({ [Environment.LABEL]: env.name }));
    return own.podSelector ? Peer.podsInNamespaces(namespaces, own.podSelector) : Peer.namespaces(namespaces);
  }

  /** The namespaces that have a service of this stack. */
  private ownNamespaces(): Set<string> {
    return new Set([...this.services.values()].map((s) => this.policies._namespaceOf(this, s)));
  }

  /**
   * The Namespace object of `namespace`, labelled with the environment: one per app. A second stack
   * that puts the namespace in another environment is an error (applying both would leave the
   * namespace in whichever was applied last, and the other environment's rules would reach it).
   */
  private manageNamespace(namespace: string): void {
    const env = this.environment;
    if (!env || !(this.settings.manageNamespaces ?? true) || this.namespaceObjects.has(namespace)) return;
    const claimed = AppOwnership.of(this).claim(`namespace|${namespace}`, this, () => ({
      env: env.name,
      object: namespaceObject(this, `namespace-${namespace}`, namespace, { labels: { [Environment.LABEL]: env.name } }),
    }));
    if (claimed.value.env !== env.name) {
      throw constructError(this, `namespace ${namespace} is put in environment "${env.name}" here, but [${claimed.declaredAt}] already puts it in environment "${claimed.value.env}". `
        + 'A namespace belongs to one environment: give the services of this stack their own namespace, or put both stacks in the same environment.');
    }
    this.namespaceObjects.set(namespace, claimed.value.object);
  }

  private checkDeclared(endpoint: unknown, method: string): void {
    if (!Endpoint.isEndpoint(endpoint) || !this.declared.has(endpoint)) {
      throw constructError(this, `${method}: ${describeValue(endpoint)} is not a service of this stack. Declare it first with addService(...) and pass the endpoint it returns`
        + ' (the other end of a dependency can also be a Peer or an ExternalDestination).');
    }
  }
}
