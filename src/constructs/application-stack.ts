import { ApiObject, Chart, ChartProps } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { atConstruct, constructError } from './errors';
import { namespaceObject } from './namespace-object';
import { EndpointDnsOptions, NetworkPolicies } from './network-policies';
import { Endpoint } from '../endpoints/endpoint';
import { EndpointPort } from '../endpoints/endpoint-port';
import { Direction } from '../model/direction';
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
  readonly dnsOptions?: EndpointDnsOptions;
  /**
   * The environment (dev, staging, prod). Peers that select namespaces by label (or all namespaces)
   * are narrowed to namespaces labelled `environment: <name>`, so no rule opens one environment to
   * another; a debugging allowance is only accepted where the environment allows it.
   * @default - no environment
   */
  readonly environment?: Environment;
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
 * @example
 * const shop = new ApplicationStack(app, 'shop', { namespace: 'shop' });
 * const web = shop.addService('web', { labels: { app: 'web' } });
 * const db = shop.addService('db', { namespace: 'data', labels: { app: 'postgres' } });
 * shop.allow(web, db, Port.tcp(5432));
 */
export class ApplicationStack extends Chart {
  /** The policies of this stack. */
  public readonly policies: NetworkPolicies;
  private readonly services = new Map<string, Endpoint>();
  private readonly declared = new Set<Endpoint>();
  private readonly settings: ApplicationStackProps;
  private readonly namespaceObjects = new Map<string, ApiObject>();
  private readonly debugAccess: Array<{ peer: Peer; ports: Port[] }> = [];

  /**
   * @param scope the parent construct
   * @param id the construct id (the basis of derived object names)
   * @param props the properties
   */
  constructor(scope: Construct, id: string, props: ApplicationStackProps = {}) {
    super(scope, id, props);
    this.settings = props;
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
    const key = `${namespace}/${name}`;
    if (this.services.has(key)) {
      throw constructError(this, `service ${JSON.stringify(name)} is declared twice in namespace ${namespace}. Declare each service once and reuse the returned endpoint.`);
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
    const env = this.settings.environment;
    if (!env || !env.allowsDebugAccess) {
      throw constructError(this, `allowDebugAccess from namespace ${JSON.stringify(namespace)}: ${env ? `environment "${env.name}" does not allow debug access` : 'the stack has no environment'}, so the allowance is refused. Declare it only in stacks with environment: Environment.dev() (never in prod).`);
    }
    const peer = atConstruct(this, 'allowDebugAccess', () => Peer.namespace(namespace));
    this.debugAccess.push({ peer, ports });
    for (const service of this.services.values()) this.policies._allowFrom(this, service, [peer], ports);
  }

  /** `from` depends on `to`: it may connect to it on `ports` (both sides are written). Declaring it again changes nothing. */
  public allow(from: Endpoint, to: Endpoint, ...ports: Port[]): void {
    this.checkDeclared(from, 'allow');
    this.checkDeclared(to, 'allow');
    this.policies._allow(this, from, to, ports);
  }

  /** `from` may connect to an address range outside the cluster on `ports`. */
  public allowExternal(from: Endpoint, to: ExternalDestination, ...ports: Port[]): void {
    this.checkDeclared(from, 'allowExternal');
    if (!(to instanceof ExternalDestination)) {
      throw constructError(this, `allowExternal: ${String(to)} is not an ExternalDestination. Use ExternalDestination.cidrs(name, [...]).`);
    }
    this.policies._allowTo(this, from, to.peers, ports);
  }

  /** `peer` (e.g. the ingress controller, or a load balancer CIDR) may connect to the service on `ports`. */
  public allowIngress(to: Endpoint, peer: Peer, ...ports: Port[]): void {
    this.checkDeclared(to, 'allowIngress');
    this.policies._allowFrom(this, to, [atConstruct(this, 'allowIngress', () => this.withinEnvironment(peer))], ports);
  }

  /** A peer that selects namespaces by label (or all of them), narrowed to the stack's environment. */
  private withinEnvironment(peer: Peer): Peer {
    const env = this.settings.environment;
    if (!env || !(peer instanceof Peer) || !peer.namespaceSelector || peer.namespaceName !== undefined) return peer;
    const namespaces = peer.namespaceSelector.isAll
      ? Selector.labels({ [Environment.LABEL]: env.name })
      : peer.namespaceSelector.withLabels({ [Environment.LABEL]: env.name });
    return peer.podSelector ? Peer.podsInNamespaces(namespaces, peer.podSelector) : Peer.namespaces(namespaces);
  }

  private manageNamespace(namespace: string): void {
    const env = this.settings.environment;
    if (!env || !(this.settings.manageNamespaces ?? true) || this.namespaceObjects.has(namespace)) return;
    this.namespaceObjects.set(namespace, namespaceObject(this, `namespace-${namespace}`, namespace, { labels: { [Environment.LABEL]: env.name } }));
  }

  private checkDeclared(endpoint: Endpoint, method: string): void {
    if (!(endpoint instanceof Endpoint) || !this.declared.has(endpoint)) {
      throw constructError(this, `${method}: ${String(endpoint)} is not a service of this stack. Declare it first with addService(...) and pass the endpoint it returns.`);
    }
  }
}
