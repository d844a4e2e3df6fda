import { Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { AllowDns, DnsOptions, dnsPeers, dnsPorts } from './allow-dns';
import { CanonicalOrder } from './canonical-order';
import { CiliumPeer, ciliumPeer, CiliumPolicy, ciliumPort, entityPeer, fqdnPeer } from './cilium-policy';
import { DefaultDeny } from './default-deny';
import { confinePeers } from './environment-confinement';
import { atConstruct, constructError } from './errors';
import { resolveNamespace } from './namespace';
import { kubeName } from './naming';
import { NetworkPolicy } from './network-policy';
import { NetworkFeature, NetworkPlugin, NetworkTarget } from './network-target';
import { AppOwnership } from './ownership';
import { apiServerAsEntity, ConnectionEnd, connectionEnd, declaredPorts, NOT_AN_END } from '../endpoints/connection-end';
import { Endpoint, IEndpoint } from '../endpoints/endpoint';
import { describeExposedPorts, unexposedPortProblem } from '../endpoints/port-exposure';
import { dns1123SubdomainProblems } from '../k8s/names';
import { describeValue } from '../model/brand';
import { CiliumEntity, Entity, HttpRule } from '../model/cilium';
import { IConnectionEnd } from '../model/connection-end';
import { Direction } from '../model/direction';
import { earlierPhase, EnforcementPhase, isLaterPhase } from '../model/enforcement-phase';
import { ExternalDestination } from '../model/external-destination';
import { Peer } from '../model/peer';
import { Port } from '../model/port';
import { RuleSet } from '../model/rule-set';

const REGISTRY_ID = 'NetworkPolicies';

/**
 * Options for DNS added to an endpoint's egress policy.
 * @deprecated Use `DnsOptions`: the same options, taken by every construct that allows DNS.
 */
export interface EndpointDnsOptions extends DnsOptions {}

/** A service in the phases of its namespace (see `_joinNamespacePhase`). */
interface NamespaceMember {
  /** The construct (an ApplicationStack) whose service joined. */
  readonly origin: IConstruct;
  readonly phase: EnforcementPhase;
  readonly own: () => void;
  readonly rollout: () => boolean;
  done: boolean;
}

/** A construct that asked for a namespace-wide policy, and how it does without it (for the fix of `sharedPhaseProblems`). */
interface SharedAsker {
  readonly origin: IConstruct;
  readonly turnOff: string;
}

interface PortCheck {
  readonly origin: IConstruct;
  readonly destination: Endpoint;
  readonly ports: Port[];
}

/**
 * The NetworkPolicies of one chart, one per endpoint and direction (`backend-ingress`,
 * `backend-egress`), into which every rule declared for that endpoint is merged and de-duplicated.
 *
 * `allow(from, to, ...ports)` reads left to right: `from` may connect to `to`. Between two endpoints it
 * writes both sides of the connection (the egress rule on the source, the ingress rule on the
 * destination), because once both are isolated a connection needs both; with a `Peer` or an
 * `ExternalDestination` on one side, it writes the endpoint's side. Without ports, the connection
 * uses the ports the destination declares. Declaring the same connection twice changes nothing.
 *
 * @example
 * const net = NetworkPolicies.of(chart);
 * net.allow(frontend, backend);                            // on backend's declared ports
 * net.allow(Peer.podsInNamespace('ingress-nginx', Selector.labels({ 'app.kubernetes.io/name': 'ingress-nginx' })), frontend, Port.tcp(8080));
 * net.allow(backend, ExternalDestination.cidrs('payment-api', ['203.0.113.0/24']), Port.tcp(443));
 */
export class NetworkPolicies extends Construct {
  /** The registry of the chart that `scope` belongs to (created on first use). */
  public static of(scope: IConstruct): NetworkPolicies {
    const chart = Chart.of(scope);
    const existing = chart.node.tryFindChild(REGISTRY_ID);
    if (existing instanceof NetworkPolicies) return existing;
    return new NetworkPolicies(chart, REGISTRY_ID);
  }

  private readonly portChecks: PortCheck[] = [];
  /** The constructs whose port checks are registered as their own validation (so cdk8s names them once). */
  private readonly checkedOrigins = new Set<IConstruct>();
  /** The API server connections written as ipBlocks, each checked at synth against a Cilium target declared later. */
  private readonly apiServerChecks = new Set<string>();
  /** Keeps the registry's objects in sorted order, the order cdk8s renders them in. */
  private readonly order: CanonicalOrder;

  private constructor(scope: Chart, id: string) {
    super(scope, id);
    this.order = new CanonicalOrder(this, 'Order');
  }

  /**
   * Allows `from` to connect to `to`, on `ports` or, when none are given, on the ports `to` declares
   * (`EndpointProps.ports`, a workload's container ports). Each end is an endpoint (an `Endpoint` or
   * an `IEndpoint` of your own), a `Peer` or an `ExternalDestination`:
   *
   * - two endpoints: both sides, egress on `from` and ingress on `to`;
   * - an endpoint and a peer or external destination: the endpoint's side only (its egress when it
   *   is `from`, its ingress when it is `to`);
   * - neither an endpoint: an error, since no policy could say it.
   *
   * A destination that declares no ports, with no ports given, is an error: a connection never
   * allows every port by accident (`Port.allTraffic()` says so on purpose).
   */
  public allow(from: IConnectionEnd, to: IConnectionEnd, ...ports: Port[]): void {
    this._connect(this, this._end(this, from), this._end(this, to), ports);
  }

  /**
   * Deprecated alias of `allow(peer, endpoint, ...ports)`: allows `peer` to connect to the endpoint
   * on `ports` (the endpoint's ingress only).
   * @deprecated Use `allow(peer, endpoint, ...ports)`, which reads left to right (who may connect
   * comes first) and takes an endpoint, a peer or an external destination on either side.
   */
  public allowFrom(endpoint: IEndpoint, peer: Peer, ...ports: Port[]): void {
    this._allowFrom(this, endpoint, [peer], ports);
  }

  /**
   * Deprecated alias of `allow(endpoint, peer, ...ports)`: allows the endpoint to connect to `peer`
   * on `ports` (the endpoint's egress only).
   * @deprecated Use `allow(endpoint, peer, ...ports)`, which takes an endpoint, a peer or an external
   * destination on either side.
   */
  public allowTo(endpoint: IEndpoint, peer: Peer, ...ports: Port[]): void {
    this._allowTo(this, endpoint, [peer], ports);
  }

  /** Allows the endpoint to reach cluster DNS (53/UDP, 53/TCP), merged into its egress policy. */
  public allowDnsFor(endpoint: IEndpoint, options: DnsOptions = {}): void {
    this._allowDnsFor(this, endpoint, options);
  }

  /**
   * Allows `from` to connect to `to` on `port` (one TCP port), for the HTTP requests that match one
   * of `rules` only: the layer-7 rules go into a CiliumNetworkPolicy of the destination's ingress
   * when `to` is an endpoint (the source's egress is written as `allow` writes it), else of the
   * source's egress. Needs the Cilium target; on any other the synth fails with what to do instead.
   */
  public allowHttp(from: IConnectionEnd, to: IConnectionEnd, port: Port, ...rules: HttpRule[]): void {
    this._allowHttp(this, this._end(this, from, 'allowHttp'), this._end(this, to, 'allowHttp'), port, rules);
  }

  /**
   * Denies `from` to connect to `to` on `ports` (at least one; `Port.allTraffic()` for all), whatever
   * any policy allows: a Cilium deny rule (`egressDeny` on the source, `ingressDeny` on the
   * destination, for each end that is an endpoint). A deny never isolates pods by itself: what it
   * does not deny stays as the other policies say. Needs the Cilium target.
   */
  public deny(from: IConnectionEnd, to: IConnectionEnd, ...ports: Port[]): void {
    this._deny(this, this._end(this, from, 'deny'), this._end(this, to, 'deny'), ports);
  }

  /** Makes sure the endpoint is isolated in `direction`, even if nothing is allowed in it. */
  public isolate(endpoint: IEndpoint, direction: Direction): void {
    this._isolate(this, endpoint, direction);
  }

  /**
   * A `DefaultDeny` (both directions) for every pod of `namespace`, created once per namespace for
   * the whole app: a second chart that asks for it shares the first one's (there is one
   * `default-deny` object per namespace).
   */
  public denyAll(namespace: string): DefaultDeny {
    const chart = Chart.of(this);
    return this._denyAll(chart, namespace, `drop the denyAll('${namespace}') call of [${chart.node.path}] and isolate its endpoints instead (NetworkPolicies.isolate)`);
  }

  /**
   * `denyAll`, asked for by `origin` (an ApplicationStack, a TierChain, or the chart of a `denyAll`
   * call): every construct that asks for a namespace's default deny must agree on its phase (see
   * `sharedPhaseProblems`); `turnOff` says how `origin` does without it.
   * @internal
   */
  public _denyAll(origin: IConstruct, namespace: string, turnOff: string): DefaultDeny {
    const claimed = AppOwnership.of(this).claim(`default-deny|${namespace}`, this, () => {
      const deny = this.ordered(new DefaultDeny(this, `${namespace}.default-deny`, { namespace, name: 'default-deny', phase: this.namespacePhase(namespace) }));
      const chart = Chart.of(this);
      deny.policy._clashHint = `[${deny.policy.node.path}] is the default deny that ${chart.node.path} adds to every namespace it has a service in `
        + `(ApplicationStack and TierChain: defaultDeny, on by default): to keep a DefaultDeny of your own for namespace ${namespace}, `
        + `set defaultDeny: false on [${chart.node.path}] (its services stay isolated), or remove your DefaultDeny and keep the stack's.`;
      deny.node.addValidation({ validate: () => this.sharedPhaseProblems(namespace, 'default-deny', deny.policy) });
      return deny;
    });
    this.addAsker(`default-deny|${namespace}`, origin, turnOff);
    return claimed.value;
  }

  /**
   * An `AllowDns` for every pod of `namespace`, created once per namespace for the whole app; when
   * another chart asks for it with other options, its DNS servers are added to the same policy.
   */
  public allowDnsInNamespace(namespace: string, options: DnsOptions = {}): AllowDns {
    const chart = Chart.of(this);
    return this._allowDnsInNamespace(chart, namespace, options, `allow DNS per endpoint instead (NetworkPolicies.allowDnsFor) in [${chart.node.path}]`);
  }

  /** `allowDnsInNamespace`, asked for by `origin` (see `_denyAll`). @internal */
  public _allowDnsInNamespace(origin: IConstruct, namespace: string, options: DnsOptions, turnOff: string): AllowDns {
    const claimed = AppOwnership.of(this).claim(`allow-dns|${namespace}`, this, () => {
      const dns = this.ordered(new AllowDns(this, `${namespace}.allow-dns`, { ...options, namespace, name: 'allow-dns', phase: this.namespacePhase(namespace) }));
      dns.node.addValidation({ validate: () => this.sharedPhaseProblems(namespace, 'allow-dns', dns.policy) });
      return dns;
    });
    if (!claimed.created) {
      claimed.value.policy.addEgressRule(atConstruct(this, `DNS for namespace ${namespace}`, () => dnsPeers(options)), dnsPorts());
    }
    this.addAsker(`allow-dns|${namespace}`, origin, turnOff);
    return claimed.value;
  }

  /**
   * Sets how far the policies of `endpoint` are rolled out (its `-ingress` and `-egress` policies),
   * once per endpoint for the whole app and before any rule is declared for it: a second, different
   * phase for the same endpoint is an error (both charts write the same two objects).
   * @internal
   */
  public _setPhase(origin: IConstruct, endpoint: IEndpoint, phase: EnforcementPhase): void {
    const own = this.endpointOf(origin, endpoint);
    const key = this.phaseKey(origin, own);
    const claimed = AppOwnership.of(this).claim(key, origin, () => phase);
    if (claimed.value !== phase) {
      throw constructError(origin, `endpoint ${JSON.stringify(own.name)} is given phase ${phase} here, but [${claimed.declaredAt}] already gives it phase ${claimed.value}: `
        + 'both write the same policies, which can be of one kind only. Give the endpoint one phase wherever it is declared.');
    }
    const namespace = this.namespaceFor(origin, own);
    for (const direction of ['ingress', 'egress']) {
      const policy = AppOwnership.of(this).peek<NetworkPolicy>(`policy|${namespace}/${kubeName([own.name, direction])}`);
      if (claimed.created && policy && policy.phase !== phase) {
        throw constructError(origin, `endpoint ${JSON.stringify(own.name)} is given phase ${phase} after its policy ${namespace}/${policy.name} was written (at [${policy.node.path}]) in phase ${policy.phase}. `
          + 'Give an endpoint its phase before any rule is declared for it (ApplicationStack.addService does).');
      }
    }
  }

  /**
   * Joins a service of an `ApplicationStack` to the phases of its namespace: the namespace-wide
   * default deny and DNS policy follow the earliest (least enforcing) phase of the namespace's
   * services, so a service that is observed or staged is never isolated by an enforced default
   * deny; every service in a later phase than they are, and every service of a stack in rollout
   * (`rollout()`), gets its isolation and DNS in its own policies (`own`, run once).
   * @internal
   */
  public _joinNamespacePhase(origin: IConstruct, namespace: string, phase: EnforcementPhase, own: () => void, rollout: () => boolean): void {
    const phases = AppOwnership.of(this).claim(`namespace-phase|${namespace}`, origin, () => ({ members: [] as NamespaceMember[] })).value;
    phases.members.push({ origin, phase, own, rollout, done: false });
    this.refreshNamespacePhase(namespace);
  }

  /** Re-applies the rules of `_joinNamespacePhase` to every member of the namespace (after a stack enters rollout). @internal */
  public _refreshNamespacePhase(namespace: string): void {
    this.refreshNamespacePhase(namespace);
  }

  /** The policy of `endpoint` for `direction` (created on first use). */
  public policy(endpoint: IEndpoint, direction: Direction): NetworkPolicy {
    return this.policyFor(this, this.endpointOf(this, endpoint), direction);
  }

  /** The namespace of an endpoint: its own, or the chart's. */
  public namespaceOf(endpoint: IEndpoint): string {
    return this._namespaceOf(this, endpoint);
  }

  /** @internal */
  public _namespaceOf(origin: IConstruct, endpoint: IEndpoint): string {
    return this.namespaceFor(origin, endpoint);
  }

  /** @internal */
  public _isolate(origin: IConstruct, endpoint: IEndpoint, direction: Direction): void {
    this.policyFor(origin, this.endpointOf(origin, endpoint), direction).isolate(direction);
  }

  /** @internal */
  public _allowDnsFor(origin: IConstruct, endpoint: IEndpoint, options: DnsOptions = {}): void {
    const own = this.endpointOf(origin, endpoint);
    const peers = atConstruct(origin, `DNS for endpoint ${own.name}`, () => dnsPeers(options));
    this._allowTo(origin, own, peers, dnsPorts());
  }

  /**
   * `value` as one end of a connection (an endpoint, or the peers of a `Peer` or an
   * `ExternalDestination`), checked; errors name `origin`.
   * @internal
   */
  public _end(origin: IConstruct, value: unknown, method = 'allow'): ConnectionEnd {
    if (!Peer.isPeer(value) && !ExternalDestination.isExternalDestination(value) && !Entity.isEntity(value) && !Endpoint._isEndpointLike(value)) {
      throw constructError(origin, `${describeValue(value)} is not an Endpoint. ${NOT_AN_END}`);
    }
    return atConstruct(origin, method, () => connectionEnd(value));
  }

  /**
   * `from` may connect to `to` (see `allow`): both sides between two endpoints, the endpoint's side
   * otherwise; without ports, on the ports `to` declares.
   * @internal
   */
  public _connect(origin: IConstruct, given: ConnectionEnd, givenTo: ConnectionEnd, ports: Port[], method = 'allow'): void {
    let from = given;
    let to = givenTo;
    if ((from.apiServer || to.apiServer) && (from.endpoint || to.endpoint) && this._apiServerAsEntity(origin, `${method} ${from.description} -> ${to.description}`)) {
      if (from.apiServer) from = apiServerAsEntity(from);
      if (to.apiServer) to = apiServerAsEntity(to);
    }
    if ((from.cilium || to.cilium) && (from.endpoint || to.endpoint)) {
      this.connectCilium(origin, from, to, ports, method);
    } else if (from.endpoint && to.endpoint) {
      this._allow(origin, from.endpoint, to.endpoint, this.portsTo(origin, to, ports, `egress rule of ${from.endpoint.name}`));
    } else if (from.endpoint) {
      this._allowTo(origin, from.endpoint, to.peers!, this.portsTo(origin, to, ports, `egress rule of ${from.endpoint.name}`));
    } else if (to.endpoint) {
      this._allowFrom(origin, to.endpoint, from.peers!, this.portsTo(origin, to, ports, `ingress rule of ${to.endpoint.name}`));
    } else {
      throw constructError(origin, `${method} ${from.description} -> ${to.description}: neither end is an endpoint, so no policy could say it: `
        + 'a NetworkPolicy is written for the pods it applies to, and a Peer or an ExternalDestination only names the other side of a rule. '
        + 'Give one end as the pods the rule is for: an Endpoint (Endpoint.of, Endpoint.fromWorkload) or an IEndpoint of your own.');
    }
  }

  /**
   * `from` may connect to `to`. When both are the same workload (or the same label selection), the
   * rule is for its replicas: each replica may connect to the others (a database or broker cluster).
   * Only a single pod (a cdk8s-plus-28 `Pod`) cannot be allowed to itself: that is loopback, which
   * policies never police.
   * @internal
   */
  public _allow(origin: IConstruct, fromEndpoint: IEndpoint, toEndpoint: IEndpoint, ports: Port[]): void {
    const from = this.endpointOf(origin, fromEndpoint);
    const to = this.endpointOf(origin, toEndpoint);
    const fromNs = this.namespaceFor(origin, from);
    const toNs = this.namespaceFor(origin, to);
    if (fromNs === toNs && from.pods.key === to.pods.key && (from.isSinglePod || to.isSinglePod)) {
      throw constructError(origin, `allow ${from.name} -> ${to.name}: ${from.name} is a single pod, and traffic of a pod to itself (loopback) is never policed, so this rule would do nothing. Remove it; to let the replicas of a workload reach each other, pass the workload (e.g. a Deployment or StatefulSet) as both ends.`);
    }
    // Both sides are checked before either is written: a refused connection leaves no half behind.
    atConstruct(origin, `ingress rule of ${to.name}`, () => new RuleSet('ingress').add([from.peerFor(toNs, fromNs)], ports));
    this._allowTo(origin, from, [to.peerFor(fromNs, toNs)], ports, to);
    this._allowFrom(origin, to, [from.peerFor(toNs, fromNs)], ports);
  }

  /** @internal */
  public _allowFrom(origin: IConstruct, endpoint: IEndpoint, peers: Peer[], ports: Port[]): void {
    const own = this.endpointOf(origin, endpoint);
    const confined = confinePeers(origin, origin, peers, `ingress rule of ${own.name}`, this.namespaceFor(origin, own));
    // Checked before the policy is made, so a refused rule leaves no empty policy behind.
    atConstruct(origin, `ingress rule of ${own.name}`, () => new RuleSet('ingress').add(confined, ports));
    const policy = this.policyFor(origin, own, Direction.INGRESS);
    atConstruct(origin, `ingress rule of ${own.name}`, () => policy._addRule(Direction.INGRESS, confined, ports, origin));
    this.addPortCheck({ origin, destination: own, ports });
  }

  /** @internal */
  public _allowTo(origin: IConstruct, endpoint: IEndpoint, peers: Peer[], ports: Port[], destination?: Endpoint): void {
    const own = this.endpointOf(origin, endpoint);
    const confined = confinePeers(origin, origin, peers, `egress rule of ${own.name}`, this.namespaceFor(origin, own));
    atConstruct(origin, `egress rule of ${own.name}`, () => new RuleSet('egress').add(confined, ports));
    const policy = this.policyFor(origin, own, Direction.EGRESS);
    atConstruct(origin, `egress rule of ${own.name}`, () => policy._addRule(Direction.EGRESS, confined, ports, origin));
    if (destination) this.addPortCheck({ origin, destination, ports });
  }

  /** @internal */
  public _allowHttp(origin: IConstruct, from: ConnectionEnd, to: ConnectionEnd, port: Port, rules: HttpRule[]): void {
    const declaration = `allowHttp ${from.description} -> ${to.description}`;
    const own = atConstruct(origin, declaration, () => {
      const p = Port._use(port, 'allowHttp port');
      if (p.protocol !== 'TCP' || p.isAllPortsOfProtocol || p.endPort !== undefined) {
        throw new Error(`${p} is not one TCP port: HTTP rules apply to one TCP port (e.g. Port.tcp(8080) or Port.named('http'))`);
      }
      if (rules.length === 0) throw new Error('no HTTP rules: give at least one HttpRule, or use allow(from, to, port) to allow every request on the port');
      return { port: p, rules: rules.map((r) => HttpRule._use(r, 'allowHttp rule')) };
    });
    if (to.endpoint) {
      const toNs = this.namespaceFor(origin, to.endpoint);
      const peers = this.ciliumPeersOf(origin, from, toNs, Direction.INGRESS, declaration);
      const policy = this.ciliumPolicyFor(origin, to.endpoint, Direction.INGRESS);
      for (const peer of peers) policy._allow(peer, [ciliumPort(own.port)], NetworkFeature.L7_HTTP, declaration, own.rules);
      this.addPortCheck({ origin, destination: to.endpoint, ports: [own.port] });
      if (from.endpoint) {
        const fromNs = this.namespaceFor(origin, from.endpoint);
        this._allowTo(origin, from.endpoint, [to.endpoint.peerFor(fromNs, toNs)], [own.port], to.endpoint);
      }
    } else if (from.endpoint) {
      const fromNs = this.namespaceFor(origin, from.endpoint);
      const peers = this.ciliumPeersOf(origin, to, fromNs, Direction.EGRESS, declaration);
      const policy = this.ciliumPolicyFor(origin, from.endpoint, Direction.EGRESS);
      const l7Port = atConstruct(origin, declaration, () => ciliumPort(own.port));
      for (const peer of peers) policy._allow(peer, [l7Port], NetworkFeature.L7_HTTP, declaration, own.rules);
    } else {
      throw constructError(origin, `${declaration}: neither end is an endpoint, so no policy could say it. Give one end as the pods the rule is for: an Endpoint (Endpoint.of, Endpoint.fromWorkload) or an IEndpoint of your own.`);
    }
  }

  /** @internal */
  public _deny(origin: IConstruct, from: ConnectionEnd, to: ConnectionEnd, ports: Port[]): void {
    const declaration = `deny ${from.description} -> ${to.description}`;
    if (!from.endpoint && !to.endpoint) {
      throw constructError(origin, `${declaration}: neither end is an endpoint, so no policy could say it. Give one end as the pods the rule is for: an Endpoint (Endpoint.of, Endpoint.fromWorkload) or an IEndpoint of your own.`);
    }
    if (ports.length === 0) {
      throw constructError(origin, `${declaration}: a deny rule needs at least one port, got []. List the ports (e.g. Port.tcp(5432)), or write Port.allTraffic() to deny every port and protocol.`);
    }
    const own = atConstruct(origin, declaration, () => ports.map((p) => Port._use(p, 'deny port')));
    const cilium = own.some((p) => p.isAllTraffic) ? 'all' as const : atConstruct(origin, declaration, () => own.map(ciliumPort));
    // Both sides are checked before either policy is made: a refused deny leaves nothing behind.
    const sides = ([[from, to, Direction.EGRESS], [to, from, Direction.INGRESS]] as const).flatMap(([end, other, direction]) => {
      if (!end.endpoint) return [];
      const peers = this.ciliumPeersOf(origin, other, this.namespaceFor(origin, end.endpoint), direction, declaration);
      if (peers.some((p) => p.field === 'FQDNs')) {
        throw constructError(origin, `${declaration}: Cilium has no deny rule by DNS name (egressDeny has no toFQDNs). Deny the addresses (ExternalDestination.cidrs) or isolate the pods and allow only the names they need.`);
      }
      return [{ endpoint: end.endpoint, direction, peers }];
    });
    for (const side of sides) {
      const policy = this.ciliumPolicyFor(origin, side.endpoint, side.direction);
      for (const peer of side.peers) atConstruct(origin, declaration, () => policy._deny(peer, cilium, declaration));
    }
  }

  /**
   * Whether a connection to or from `ExternalDestination.kubernetesApiServer` is written as the
   * entity `kube-apiserver` (on the Cilium target, whose CIDR rules do not match the API server: see
   * `apiServerAsEntity`) rather than as ipBlocks. The target is read when the connection is declared;
   * should it be Cilium only at synth (declared later), the synth fails rather than leave the ipBlock
   * that Cilium would not match.
   * @internal
   */
  public _apiServerAsEntity(origin: IConstruct, declaration: string): boolean {
    if (NetworkTarget.of(this).plugin === NetworkPlugin.CILIUM) return true;
    const key = `${origin.node.path}|${declaration}`;
    if (!this.apiServerChecks.has(key)) {
      this.apiServerChecks.add(key);
      origin.node.addValidation({
        validate: () => {
          const target = NetworkTarget.of(this);
          if (target.plugin !== NetworkPlugin.CILIUM) return [];
          return [`${declaration}: the network target ${target} was declared after this connection, so it was written for the target of that time as an ipBlock of the API server's addresses, `
            + 'which Cilium does not match (its CIDR rules ignore the cluster\'s nodes, where the API server runs; docs.cilium.io, Policy Language, "Selecting nodes with CIDR / ipBlock"). '
            + 'Declare the target before the connections (NetworkTarget.declare(app, NetworkTarget.cilium()) right after the app is made, or NetpolAppProps.target), so it is written as the entity kube-apiserver, '
            + 'or name the API server as Entity.kubeApiServer().'];
        },
      });
    }
    return false;
  }

  /** A connection with an end only Cilium can name (an entity, DNS names): the endpoint's side, in its CiliumNetworkPolicy. */
  private connectCilium(origin: IConstruct, from: ConnectionEnd, to: ConnectionEnd, ports: Port[], method: string): void {
    const declaration = `${method} ${from.description} -> ${to.description}`;
    const end = (from.endpoint ?? to.endpoint)!;
    const direction = from.endpoint ? Direction.EGRESS : Direction.INGRESS;
    const other = from.endpoint ? to : from;
    if (other.cilium?.dnsNames && direction === Direction.INGRESS) {
      throw constructError(origin, `${declaration}: DNS names name destinations, never sources: Cilium matches toFQDNs on egress only. Name the source by pods, addresses (Peer.ipBlock) or an entity (Entity.world()).`);
    }
    const own = this.portsTo(origin, to, ports, `${direction === Direction.INGRESS ? 'ingress' : 'egress'} rule of ${end.name}`);
    const ns = this.namespaceFor(origin, end);
    const peers = this.ciliumPeersOf(origin, other, ns, direction, declaration);
    const cilium = own.some((p) => p.isAllTraffic) ? 'all' as const : atConstruct(origin, declaration, () => own.map((p) => ciliumPort(Port._use(p, 'port'))));
    const feature = other.cilium?.dnsNames ? NetworkFeature.FQDN_EGRESS : NetworkFeature.ENTITIES;
    const policy = this.ciliumPolicyFor(origin, end, direction);
    for (const peer of peers) policy._allow(peer, cilium, feature, declaration);
    if (to.endpoint) this.addPortCheck({ origin, destination: to.endpoint, ports: own });
  }

  /** The peers of a CiliumNetworkPolicy in namespace `ownNs` that stand for `end`. */
  private ciliumPeersOf(origin: IConstruct, end: ConnectionEnd, ownNs: string, direction: Direction, declaration: string): CiliumPeer[] {
    return atConstruct(origin, declaration, () => {
      if (end.cilium?.entity) return [entityPeer(end.cilium.entity)];
      // Cilium's CIDR rules do not match the API server (see apiServerAsEntity): its entity does.
      if (end.apiServer) return [entityPeer(CiliumEntity.KUBE_APISERVER)];
      if (end.cilium?.dnsNames) {
        if (direction === Direction.INGRESS) throw new Error('DNS names name destinations, never sources: Cilium matches toFQDNs on egress only');
        return end.cilium.dnsNames.map(fqdnPeer);
      }
      if (end.endpoint) return [ciliumPeer(end.endpoint.peerFor(ownNs, this.namespaceFor(origin, end.endpoint)))];
      return (end.peers ?? []).map(ciliumPeer);
    });
  }

  /** The CiliumNetworkPolicy of an endpoint for a direction (created on first use), one per app: `<name>-<direction>-cilium`. */
  private ciliumPolicyFor(origin: IConstruct, endpoint: Endpoint, direction: Direction): CiliumPolicy {
    const namespace = this.namespaceFor(origin, endpoint);
    // The endpoint's identity is claimed as for its NetworkPolicies: the same name is the same pods.
    this.policyIdentity(origin, endpoint, namespace);
    const name = kubeName([endpoint.name, direction === Direction.INGRESS ? 'ingress' : 'egress', 'cilium']);
    const phaseKey = this.phaseKey(origin, endpoint);
    const phase = () => AppOwnership.of(this).peek<EnforcementPhase>(phaseKey);
    const containerPorts = () => endpoint.containerPorts?.map((p) => ({ number: p.number, name: p.name, protocol: p.protocol ?? 'TCP' }));
    const claimed = AppOwnership.of(this).claim(`cilium-policy|${namespace}/${name}`, origin,
      () => this.ordered(new CiliumPolicy(this, `${namespace}.${name}`, {
        namespace, name, pods: endpoint.pods, direction, endpointName: endpoint.name, phase, containerPorts,
      })));
    return claimed.value;
  }

  /**
   * The endpoint as one of this copy of the package: an Endpoint as is (or rebuilt, from another
   * copy), a user's IEndpoint rebuilt through Endpoint.of from its fields; anything else refused.
   */
  private endpointOf(origin: IConstruct, endpoint: unknown): Endpoint {
    if (!Endpoint._isEndpointLike(endpoint)) throw constructError(origin, `${describeValue(endpoint)} is not an Endpoint. ${NOT_AN_END}`);
    return atConstruct(origin, 'endpoint', () => Endpoint._use(endpoint, 'endpoint'));
  }

  /**
   * `ports` when given; otherwise the ports `to` declares, or an error (in the terms of `rule`) that
   * says no ports were given and `to` declares none: never every port by accident.
   */
  private portsTo(origin: IConstruct, to: ConnectionEnd, ports: Port[], rule: string): Port[] {
    if (ports.length > 0) return ports;
    const declared = to.endpoint ? declaredPorts(to.endpoint) : undefined;
    if (declared) return declared;
    const why = to.endpoint
      ? `and ${to.endpoint.name} declares no ports to default to. List the ports (e.g. Port.tcp(8080)), declare ${to.endpoint.name}'s ports (EndpointProps.ports, or its workload's container ports)`
      : `and ${to.description} is not an endpoint, so it declares no ports to default to. List the ports (e.g. Port.tcp(443))`;
    throw constructError(origin, `${rule}: a rule needs at least one port, got [], ${why}, or write Port.allTraffic() if every port is really meant.`);
  }

  private namespaceFor(origin: IConstruct, endpoint: unknown): string {
    const own = this.endpointOf(origin, endpoint);
    return resolveNamespace(origin, own.namespace ?? Chart.of(this).namespace, `namespace for endpoint ${own.name}`);
  }

  /** Claims the endpoint's identity (its name in its namespace) for the app, and returns the endpoint first declared under it. */
  private policyIdentity(origin: IConstruct, endpoint: Endpoint, namespace: string): Endpoint {
    const base = kubeName([endpoint.name]);
    if (base === '') {
      throw constructError(origin, `endpoint name ${JSON.stringify(endpoint.name)} has no letters or digits that an object name can keep (object names are a-z, 0-9, '-' and '.'), so it cannot name its policies. Give the endpoint a name such as 'backend' or 'payments-api'.`);
    }
    const derived = [kubeName([endpoint.name, 'ingress']), kubeName([endpoint.name, 'egress'])];
    const problems = dns1123SubdomainProblems(derived[0]);
    if (problems.length > 0) {
      throw constructError(origin, `endpoint name ${JSON.stringify(endpoint.name)} gives its policies the names ${derived.map((n) => JSON.stringify(n)).join(' and ')}, which are not valid object names: `
        + `each ${problems.join('; ')} ('.' separates parts that start and end with a letter or digit, so it cannot stand next to '-'). `
        + `Give the endpoint a name of letters, digits and '-' only, such as ${JSON.stringify(base.replace(/\./g, '-'))}.`);
    }
    const ownership = AppOwnership.of(this);
    const identity = ownership.claim(`endpoint|${namespace}/${base}`, origin, () => endpoint);
    const known = identity.value;
    if (known.pods.key !== endpoint.pods.key) {
      const policies = `${namespace}/${kubeName([endpoint.name, 'ingress'])} and ${namespace}/${kubeName([endpoint.name, 'egress'])}`;
      throw constructError(origin, `endpoint ${JSON.stringify(endpoint.name)} (pods ${endpoint.pods}) and endpoint ${JSON.stringify(known.name)} (pods ${known.pods}, declared at [${identity.declaredAt}]) `
        + `both map to the policies ${policies} (object names keep only lowercase a-z, 0-9, '-' and '.'), so one policy would select one endpoint's pods and carry both endpoints' rules, and the other endpoint would get no policy at all. `
        + 'Give the two endpoints names that stay different as object names (e.g. \'web-api\' and \'web-worker\'), or, if they are the same workload, the same pods.'
        + workloadNameHint(endpoint, known));
    }
    return known;
  }

  /**
   * The policy of an endpoint for a direction, one per app: its identity is the object name it
   * emits (`<name>-ingress` in its namespace), so two endpoints whose names normalise to the same
   * object name must be the same pods, and a second chart declaring rules for the same workload adds
   * them to the first chart's policy instead of emitting a second object under the same name.
   */
  private policyFor(origin: IConstruct, endpoint: Endpoint, direction: Direction): NetworkPolicy {
    const namespace = this.namespaceFor(origin, endpoint);
    const known = this.policyIdentity(origin, endpoint, namespace);
    const ownership = AppOwnership.of(this);
    const name = kubeName([endpoint.name, direction === Direction.INGRESS ? 'ingress' : 'egress']);
    const phase = ownership.peek<EnforcementPhase>(this.phaseKey(origin, endpoint));
    const policy = ownership.claim(`policy|${namespace}/${name}`, origin,
      () => this.ordered(new NetworkPolicy(this, `${namespace}.${name}`, { namespace, name, pods: endpoint.pods, phase }))).value;
    if (endpoint._declaredByLabels) policy._markDeclaredByLabels(known.name, () => known.containerPorts);
    return policy;
  }

  private phaseKey(origin: IConstruct, endpoint: Endpoint): string {
    return `phase|${this.namespaceFor(origin, endpoint)}/${kubeName([endpoint.name])}`;
  }

  /** The earliest phase of the services of `namespace`; undefined when no service has joined it. */
  private namespacePhase(namespace: string): EnforcementPhase | undefined {
    const phases = AppOwnership.of(this).peek<{ members: NamespaceMember[] }>(`namespace-phase|${namespace}`);
    if (!phases || phases.members.length === 0) return undefined;
    return phases.members.map((m) => m.phase).reduce(earlierPhase);
  }

  /** Records that `origin` asked for the shared object under `key` (once per construct). */
  private addAsker(key: string, origin: IConstruct, turnOff: string): void {
    const askers = AppOwnership.of(this).claim(`askers|${key}`, origin, () => [] as SharedAsker[]).value;
    if (!askers.some((a) => a.origin === origin)) askers.push({ origin, turnOff });
  }

  /**
   * Fail closed on a namespace-wide policy (the default deny or the DNS policy of `namespace`) that
   * several constructs share. It follows the earliest phase of the namespace's services (so an
   * observed or staged service is never isolated by it), so it must be what every construct that
   * asked for it wants, or a phased stack would silently take it away from the pods another
   * construct relies on it for:
   * - the default deny: the earliest phase of the asker's own services in the namespace, or ENFORCE
   *   for an asker without any (a TierChain, a `denyAll` call);
   * - the DNS policy: ENFORCE for an asker without services in the namespace (a stack's services in
   *   a later phase than the namespace carry their DNS in their own policies).
   */
  private sharedPhaseProblems(namespace: string, kind: 'default-deny' | 'allow-dns', policy: NetworkPolicy): string[] {
    const ownership = AppOwnership.of(this);
    const askers = ownership.peek<SharedAsker[]>(`askers|${kind}|${namespace}`) ?? [];
    const members = ownership.peek<{ members: NamespaceMember[] }>(`namespace-phase|${namespace}`)?.members ?? [];
    const actual = policy.phase;
    const lowering = members.find((m) => m.phase === actual);
    const problems: string[] = [];
    for (const asker of askers) {
      const own = members.filter((m) => m.origin === asker.origin).map((m) => m.phase);
      if (kind === 'allow-dns' && own.length > 0) continue;
      const wanted = own.length > 0 ? own.reduce(earlierPhase) : EnforcementPhase.ENFORCE;
      if (wanted === actual || !lowering) continue;
      const at = `[${asker.origin.node.path}]`;
      const by = `[${lowering.origin.node.path}]`;
      const wants = own.length > 0 ? `its services in ${namespace} are ${wanted} at the earliest` : 'it has no phase, so it is ENFORCE';
      const effect = actual === EnforcementPhase.OBSERVE ? 'not written at all' : `${actual}, not enforced`;
      const [what, loss] = kind === 'default-deny'
        ? ['default deny', `the pods of ${namespace} that ${at} relies on it for would not be isolated`]
        : ['DNS policy', `the pods of ${namespace} that ${at} relies on it for would get no DNS`];
      problems.push(`namespace ${namespace}: the ${what} ${namespace}/${policy.name}, which ${at} asks for (${wants}), is ${effect}, `
        + `because ${by} has a service in ${namespace} in phase ${actual} (a namespace-wide policy follows the least enforcing service of its namespace), `
        + `so ${loss}. Give every service in namespace ${namespace} the same phase (promote them together), or put the ${actual} services of ${by} in a namespace of their own, `
        + `or ${asker.turnOff}.`);
    }
    return problems;
  }

  private refreshNamespacePhase(namespace: string): void {
    const lowest = this.namespacePhase(namespace);
    if (lowest === undefined) return;
    const ownership = AppOwnership.of(this);
    for (const key of [`default-deny|${namespace}`, `allow-dns|${namespace}`]) {
      const shared = ownership.peek<DefaultDeny | AllowDns>(key);
      // The object is replaced: it joins its own registry's order again.
      if (shared && shared.policy._lowerPhase(lowest)) NetworkPolicies.of(shared).order.add(shared);
    }
    for (const member of ownership.peek<{ members: NamespaceMember[] }>(`namespace-phase|${namespace}`)!.members) {
      if (member.done || !(member.rollout() || isLaterPhase(member.phase, lowest))) continue;
      member.done = true;
      member.own();
    }
  }

  /**
   * Makes the synthesized order of this registry's objects independent of the order in which rules
   * were declared (sorted by namespace, name and kind): each object joins the order when it is
   * created, through cdk8s's dependency order (see `CanonicalOrder`).
   */
  private ordered<T extends IConstruct>(child: T): T {
    this.order.add(child);
    return child;
  }

  /**
   * Records a port check, validated at synth as a validation of the construct that declared the rule:
   * cdk8s prefixes each validation message with its construct's path, so the message names it once.
   */
  private addPortCheck(check: PortCheck): void {
    this.portChecks.push(check);
    if (this.checkedOrigins.has(check.origin)) return;
    this.checkedOrigins.add(check.origin);
    check.origin.node.addValidation({ validate: () => this.checkPorts(check.origin) });
  }

  private checkPorts(origin: IConstruct): string[] {
    const errors: string[] = [];
    const seen = new Set<string>();
    for (const check of this.portChecks) {
      const exposed = check.destination.containerPorts;
      if (check.origin !== origin || !exposed) continue;
      for (const port of check.ports) {
        const problem = unexposedPortProblem(port, exposed);
        const key = `${check.destination.name}|${port.key}`;
        if (problem && !seen.has(key)) {
          seen.add(key);
          errors.push(`port ${port} to ${check.destination.name}: ${problem} (it exposes ${describeExposedPorts(exposed)}). Allow a port the destination's containers listen on, or add the port to its container.`);
        }
      }
    }
    return errors;
  }
}

/**
 * The hint for two endpoints under one name when one of them takes its name from a workload or a
 * Pods selection (its construct id): name it with the `name` option.
 */
function workloadNameHint(...endpoints: Endpoint[]): string {
  const named = endpoints.find((e) => e._source !== undefined);
  if (!named) return '';
  return ` Endpoint.fromWorkload and Endpoint.fromPods name an endpoint after the construct id of its workload (${JSON.stringify(named.name)} is [${named._source}]): `
    + `give one of them a name of its own, e.g. Endpoint.fromWorkload(workload, { name: '${kubeName([named.name, 'canary'])}' }).`;
}
