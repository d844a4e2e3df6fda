import { ApiObject, Chart, ChartProps } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { copyDnsOptions, DEFAULT_DNS_NAMESPACE, DnsOptions, dnsPeers } from './allow-dns';
import { claimNamespaceEnvironment, confinePeers, confineToEnvironment } from './environment-confinement';
import { atConstruct, booleanProp, constructError } from './errors';
import { resolveNamespace } from './namespace';
import { namespaceObject } from './namespace-object';
import { kubeName } from './naming';
import { NetworkPolicies } from './network-policies';
import { ConnectionEnd } from '../endpoints/connection-end';
import { Endpoint } from '../endpoints/endpoint';
import { NAMESPACE_NAME_LABEL } from '../k8s/manifest';
import { describeValue } from '../model/brand';
import { CiliumEntity, Entity } from '../model/cilium';
import { IConnectionEnd } from '../model/connection-end';
import { Direction } from '../model/direction';
import { EndpointPort } from '../model/endpoint-port';
import { EnforcementPhase, isEnforcementPhase } from '../model/enforcement-phase';
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
  /**
   * How far the stack's policies are rolled out, for every service that does not say
   * (`ServiceProps.phase`): `OBSERVE` writes no policy, `STAGED` writes Calico
   * `StagedKubernetesNetworkPolicy` objects with the same spec (evaluated and reported, not
   * enforced), `ENFORCE` NetworkPolicies. Promote the services one at a time by giving each its phase.
   *
   * Once the stack or any of its services is given a phase, each service carries its own isolation
   * (both directions) and DNS in its own policies, so its objects depend on its own phase only and
   * promoting one service changes no other service's objects. The namespace-wide default deny and
   * DNS policy follow the earliest phase of their namespace's services: never enforced while a
   * service there is observed or staged (that would isolate it), and enforced once all are. They
   * are shared with every other construct of the app that asks for them (another stack, a
   * TierChain, `NetworkPolicies.denyAll`), which must want the same phase: a phased service in a
   * namespace where another construct wants an enforced default deny fails the synth, naming both.
   * A service that is not ENFORCE cannot have Cilium rules (DNS names, entities, HTTP rules, deny
   * rules): a CiliumNetworkPolicy has no staged form, and the synth fails with the fix.
   * @default EnforcementPhase.ENFORCE
   */
  readonly phase?: EnforcementPhase;
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
  /**
   * The container ports, to check rules against (only with pods or labels: with a workload it is an
   * error, since the workload's container ports are read). @default - not checked
   */
  readonly ports?: EndpointPort[];
  /**
   * How far this service's policies are rolled out; overrides the stack's `phase` (see there).
   * @default - the stack's phase
   */
  readonly phase?: EnforcementPhase;
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
  private readonly settings: StackSettings;
  private readonly environment?: Environment;
  private readonly sharedNamespaces: ReadonlySet<string>;
  private readonly namespaceObjects = new Map<string, ApiObject | undefined>();
  private readonly debugAccess: Array<{ peer: Peer; ports: Port[] }> = [];
  private readonly phase: EnforcementPhase;
  /** A phase was given to the stack or to a service: every service carries its own isolation and DNS. */
  private rollout: boolean;

  /**
   * @param scope the parent construct
   * @param id the construct id (the basis of derived object names)
   * @param props the properties
   */
  constructor(scope: Construct, id: string, props: ApplicationStackProps = {}) {
    super(scope, id, props);
    // Copied and checked now: the props object is the caller's, and changing it afterwards must not
    // change the services declared later.
    this.settings = Object.freeze({
      defaultDeny: booleanProp(this, props.defaultDeny, 'defaultDeny', true),
      dns: booleanProp(this, props.dns, 'dns', true),
      manageNamespaces: booleanProp(this, props.manageNamespaces, 'manageNamespaces', true),
      dnsOptions: atConstruct(this, 'dnsOptions', () => {
        const options = copyDnsOptions(props.dnsOptions);
        dnsPeers(options);
        return options;
      }),
    });
    this.environment = props.environment === undefined ? undefined
      : atConstruct(this, 'environment', () => Environment._use(props.environment, 'environment'));
    const shared = props.sharedNamespaces ?? [];
    if (!Array.isArray(shared)) {
      throw constructError(this, `sharedNamespaces ${JSON.stringify(shared)} is not a list. List namespace names, e.g. ['ingress-nginx', 'monitoring'].`);
    }
    this.sharedNamespaces = new Set(shared.map((ns) => resolveNamespace(this, ns, 'shared namespace')));
    this.phase = this.checkPhase(props.phase, 'phase') ?? EnforcementPhase.ENFORCE;
    this.rollout = props.phase !== undefined;
    this.policies = NetworkPolicies.of(this);
    const environment = this.environment;
    if (environment) confineToEnvironment(this, { environment, namedNamespaces: () => this.namedNamespaces() });
  }

  private checkPhase(phase: unknown, what: string): EnforcementPhase | undefined {
    if (phase === undefined || isEnforcementPhase(phase)) return phase;
    throw constructError(this, `${what} ${JSON.stringify(phase)} is not an enforcement phase. Use EnforcementPhase.OBSERVE, EnforcementPhase.STAGED or EnforcementPhase.ENFORCE.`);
  }

  /** Declares a service; returns its endpoint for dependencies. */
  public addService(name: string, props: ServiceProps): Endpoint {
    const given = [props?.workload, props?.pods, props?.labels].filter((x) => x !== undefined).length;
    if (given !== 1) {
      throw constructError(this, `service ${JSON.stringify(name)} needs exactly one of workload, pods or labels (got ${given}). Say which pods the service is, e.g. { labels: { app: '${name}' } } or { workload: deployment }.`);
    }
    if (props.workload && props.ports !== undefined) {
      throw constructError(this, `service ${JSON.stringify(name)}: ports ${JSON.stringify(props.ports)} are given with a workload, whose container ports are what its pods listen on (and are read from it). `
        + 'Drop the ports property, and declare a port the workload should have on its container (ports: [{ number: 8080 }]).');
    }
    // A service carries its namespace (given, or the stack's), so the endpoint means the same pods in
    // any chart it is used in, not the namespace of the chart that happens to use it.
    const endpoint = atConstruct(this, `service ${JSON.stringify(name)}`, () => props.workload
      ? Endpoint.fromWorkload(props.workload, { name })
      : Endpoint.of({ name, pods: props.pods ?? Selector.labels(props.labels!), namespace: props.namespace ?? this.namespace, ports: props.ports }));
    const service = props.workload && props.namespace !== undefined && endpoint.namespace !== props.namespace
      ? (() => { throw constructError(this, `service ${JSON.stringify(name)}: namespace ${props.namespace} differs from its workload's namespace ${endpoint.namespace ?? '(none)'}. Drop the namespace property; the workload's namespace is used.`); })()
      : endpoint;
    const namespace = this.policies._namespaceOf(this, service);
    const key = `${namespace}/${kubeName([name])}`;
    if (this.services.has(key)) {
      const other = this.services.get(key)!;
      throw constructError(this, `service ${JSON.stringify(name)} is declared twice in namespace ${namespace}${other.name !== name ? ` (as ${JSON.stringify(other.name)} before: both name the policies ${kubeName([name, 'ingress'])} and ${kubeName([name, 'egress'])})` : ''}. Declare each service once and reuse the returned endpoint, or give the two services names that stay different as object names.`);
    }
    const phase = this.checkPhase(props.phase, `service ${JSON.stringify(name)}: phase`) ?? this.phase;
    this.policies._setPhase(this, service, phase);
    this.services.set(key, service);
    this.declared.add(service);
    if (props.phase !== undefined && !this.rollout) {
      this.rollout = true;
      for (const ns of this.ownNamespaces()) this.policies._refreshNamespacePhase(ns);
    }
    this.policies._joinNamespacePhase(this, namespace, phase, () => this.ownIsolation(service), () => this.rollout);
    if (this.settings.defaultDeny) {
      this.policies._denyAll(this, namespace, `set defaultDeny: false on [${this.node.path}] (its services stay isolated by their own policies)`);
    } else {
      this.policies._isolate(this, service, Direction.INGRESS);
      this.policies._isolate(this, service, Direction.EGRESS);
    }
    if (this.settings.dns) this.policies._allowDnsInNamespace(this, namespace, this.settings.dnsOptions, `set dns: false on [${this.node.path}]`);
    this.manageNamespace(namespace);
    for (const access of this.debugAccess) this.policies._allowFrom(this, service, [access.peer], access.ports);
    return service;
  }

  /**
   * The isolation (both directions) and DNS of a service in its own policies, for when the
   * namespace-wide default deny and DNS policy are in another phase than the service.
   */
  private ownIsolation(service: Endpoint): void {
    this.policies._isolate(this, service, Direction.INGRESS);
    this.policies._isolate(this, service, Direction.EGRESS);
    if (this.settings.dns ?? true) this.policies._allowDnsFor(this, service, this.settings.dnsOptions);
  }

  /**
   * A debugging allowance: pods of `namespace` (e.g. a debug-tools namespace) may reach every service
   * of the stack on `ports` (at least one). Only where the environment allows it (`Environment.dev()`);
   * anywhere else, and without an environment, it is an error, so it can never reach production. A
   * namespace that is not the stack's own or shared is confined to the environment like every label
   * selection of the stack: it gets in only while labelled `environment: <name>`.
   */
  public allowDebugAccess(namespace: string, ...ports: Port[]): void {
    const env = this.environment;
    if (!env || !env.allowsDebugAccess) {
      throw constructError(this, `allowDebugAccess from namespace ${JSON.stringify(namespace)}: ${env ? `environment "${env.name}" does not allow debug access` : 'the stack has no environment'}, so the allowance is refused. Declare it only in stacks with environment: Environment.dev() (never in prod).`);
    }
    if (ports.length === 0) {
      throw constructError(this, `allowDebugAccess from namespace ${JSON.stringify(namespace)}: no ports given, so the allowance would allow nothing (a rule needs at least one port). `
        + 'List the ports the debugging tools connect to, e.g. allowDebugAccess(\'debug-tools\', Port.tcp(8080)), or Port.allTcp() for every TCP port.');
    }
    const named = atConstruct(this, 'allowDebugAccess', () => Peer.namespace(namespace));
    // A debugging namespace of the stack's own or shared is named; any other is selected by its name
    // label and, as every label selection of the stack, only while it is labelled with the environment.
    const peer = this.namedNamespaces().has(namespace) ? named : Peer.namespaces(Selector.labels({ [NAMESPACE_NAME_LABEL]: namespace }));
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
    if (destination.fqdns.length > 0 || (destination._isKubernetesApiServer && this.policies._apiServerAsEntity(this, `allowExternal to ${destination}`))) {
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
   * A peer confined to the stack's environment (see `confinePeers`): without an environment, the
   * peer as is; with one, a label selection of namespaces narrowed to the environment, a named
   * namespace kept only when it is the stack's own, shared or its DNS namespace, refused otherwise.
   */
  private withinEnvironment(peer: Peer, method: string): Peer {
    if (!Peer.isPeer(peer)) {
      throw constructError(this, `${method}: ${describeValue(peer)} is not a Peer. Build peers with the Peer factories, e.g. Peer.podsInNamespace('ingress-nginx', Selector.labels({...})).`);
    }
    const own = atConstruct(this, method, () => Peer._use(peer, 'peer'));
    return confinePeers(this, this, [own], method)[0];
  }

  /** The namespaces that have a service of this stack. */
  private ownNamespaces(): Set<string> {
    return new Set([...this.services.values()].map((s) => this.policies._namespaceOf(this, s)));
  }

  /**
   * The namespaces a rule of this stack may name: those with a service of the stack, the stack's
   * namespace, its shared namespaces and its DNS namespace.
   */
  private namedNamespaces(): Set<string> {
    const names = this.ownNamespaces();
    if (this.namespace !== undefined) names.add(this.namespace);
    for (const ns of this.sharedNamespaces) names.add(ns);
    names.add(this.settings.dnsOptions?.dnsNamespace ?? DEFAULT_DNS_NAMESPACE);
    return names;
  }

  /**
   * Puts `namespace` in the stack's environment, once per app: a second stack that puts it in
   * another environment is an error, whether or not either manages the Namespace object (a rule of
   * a dev stack must never be written into a namespace that a prod stack of the app runs in, and the
   * label of the namespace would be whichever was applied last). With `manageNamespaces`, the app's
   * Namespace object of `namespace` (one per app, see `namespaceObject`) gets the environment label.
   */
  private manageNamespace(namespace: string): void {
    const env = this.environment;
    if (!env || this.namespaceObjects.has(namespace)) return;
    const claimed = claimNamespaceEnvironment(this, namespace);
    if (claimed.environment !== env.name) {
      throw constructError(this, `namespace ${namespace} is put in environment "${env.name}" here, but [${claimed.declaredAt}] already puts it in environment "${claimed.environment}". `
        + 'A namespace belongs to one environment: give the services of this stack their own namespace, or put both stacks in the same environment.');
    }
    if (this.settings.manageNamespaces ?? true) {
      this.namespaceObjects.set(namespace, namespaceObject(this, `namespace-${namespace}`, namespace, { labels: { [Environment.LABEL]: env.name } }));
    } else {
      this.namespaceObjects.set(namespace, undefined);
    }
  }

  private checkDeclared(endpoint: unknown, method: string): void {
    if (!Endpoint.isEndpoint(endpoint) || !this.declared.has(endpoint)) {
      throw constructError(this, `${method}: ${describeValue(endpoint)} is not a service of this stack. Declare it first with addService(...) and pass the endpoint it returns`
        + ' (the other end of a dependency can also be a Peer or an ExternalDestination).');
    }
  }
}

/** What a stack keeps of its props: copied at construction, checked, frozen. */
interface StackSettings {
  readonly defaultDeny: boolean;
  readonly dns: boolean;
  readonly manageNamespaces: boolean;
  readonly dnsOptions: DnsOptions;
}
