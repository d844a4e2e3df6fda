import { ApiObject, Lazy } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { confinePeers, confiningStacks, namespaceEnvironmentOwner } from './environment-confinement';
import { constructError, atConstruct } from './errors';
import { resolveNamespace } from './namespace';
import { objectName } from './naming';
import { guardOutputFiles } from './output-files';
import { AppOwnership } from './ownership';
import { synthValidationErrors, UnaskedOpenRule } from './synth-validation';
import { declaredPorts } from '../endpoints/connection-end';
import { Endpoint } from '../endpoints/endpoint';
import { DECLARED_SERVICE, DeclaredServiceFacts } from '../inventory/cluster';
import {
  DECLARED_BY_LABELS_ANNOTATION, NETWORK_POLICY_API_VERSION, NETWORK_POLICY_KIND, NetworkPolicyJson, NetworkPolicySpecJson, PolicyTypeJson,
  STAGED_NETWORK_POLICY_API_VERSION, STAGED_NETWORK_POLICY_KIND,
} from '../k8s/manifest';
import { Entity } from '../model/cilium';
import { IConnectionEnd } from '../model/connection-end';
import { Direction } from '../model/direction';
import { EndpointPort } from '../model/endpoint-port';
import { EnforcementPhase, isEnforcementPhase, isLaterPhase } from '../model/enforcement-phase';
import { ExternalDestination } from '../model/external-destination';
import { Peer } from '../model/peer';
import { Port } from '../model/port';
import { MergedRule, RuleSet } from '../model/rule-set';
import { Selector } from '../model/selector';
import { acceptLintAnnotation } from '../validation/accepted-lints';
import { LintCode } from '../validation/lint-codes';

/** The label every object of this library carries, so a GitOps tool or `kubectl -l` can find them. */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
/** The value of `MANAGED_BY_LABEL`. */
export const MANAGED_BY_VALUE = 'cdk8s-netpol';

/** Properties of a `NetworkPolicy`. */
export interface NetworkPolicyProps {
  /**
   * The pods this policy applies to, in its namespace. `Selector.all()` for every pod.
   * Required: an allow rule on more pods than meant would allow more than meant.
   */
  readonly pods: Selector;
  /** The namespace of the policy and of the pods it selects. @default - the chart's namespace (an error if neither is set) */
  readonly namespace?: string;
  /** The object name. @default - derived from the construct path below the chart, e.g. `web-allow-http` */
  readonly name?: string;
  /**
   * Directions to isolate even without rules (listed in `policyTypes`), so that only what some
   * policy allows gets through. A direction that has rules is always listed.
   * @default - only the directions that have rules
   */
  readonly isolate?: Direction[];
  /** Extra labels of the object. @default - only `app.kubernetes.io/managed-by: cdk8s-netpol` */
  readonly labels?: { [key: string]: string };
  /** Annotations of the object. @default - none */
  readonly annotations?: { [key: string]: string };
  /**
   * How far the policy is rolled out: `ENFORCE` emits a `networking.k8s.io/v1` NetworkPolicy,
   * `STAGED` a Calico `StagedKubernetesNetworkPolicy` (`projectcalico.org/v3`) with the same spec,
   * which Calico evaluates and reports without enforcing, and `OBSERVE` nothing (the policy is
   * declared, checked and known to the analyser's model of the program, but not written).
   * @default EnforcementPhase.ENFORCE
   */
  readonly phase?: EnforcementPhase;
}

/**
 * One `networking.k8s.io/v1` NetworkPolicy: the pods it applies to and what they may receive and send.
 *
 * The policy's pods are one end of every rule, so its verbs name the other end and the direction,
 * as `connections.allowFrom(peer, port)` does in the AWS CDK: `allowFrom(other, ...ports)` (ingress)
 * and `allowTo(other, ...ports)` (egress), where `other` is a `Peer`, an `ExternalDestination` or an
 * endpoint. Rules are merged and de-duplicated into a canonical, sorted form. The policy is rendered
 * at synth time and checked against the API server's rules; an invalid or empty policy fails the
 * synth with the construct path. (To write both sides of a connection between two endpoints, use
 * `NetworkPolicies.of(chart).allow(from, to)`.)
 *
 * @example
 * const web = new NetworkPolicy(chart, 'web', { pods: Selector.labels({ app: 'web' }) });
 * web.allowFrom(Peer.namespace('ingress-nginx'), Port.tcp(8080));
 * web.allowTo(ExternalDestination.cidrs('payment-api', ['203.0.113.0/24']), Port.tcp(443));
 */
export class NetworkPolicy extends Construct {
  /** The object name. */
  public readonly name: string;
  /** The namespace. */
  public readonly namespace: string;
  /** The pods the policy applies to. */
  public readonly pods: Selector;

  private readonly ingress = new RuleSet();
  private readonly egress = new RuleSet('egress');
  private readonly isolated = new Set<Direction>();
  private readonly acceptances = new Map<LintCode, string[]>();
  private declaredByLabels?: string;
  /**
   * What to do when another NetworkPolicy construct has this one's name (said by the construct that
   * made this one on behalf of another, e.g. the default deny of an ApplicationStack).
   * @internal
   */
  public _clashHint?: string;
  /** Who declared each rule of each direction (one entry per `_addRule`), in order. */
  private readonly ruleOrigins = new Map<Direction, IConstruct[]>([[Direction.INGRESS, []], [Direction.EGRESS, []]]);
  /** The peers that select namespaces, with the stacks whose environments they were confined to. */
  private readonly namespacePeers: Array<{ peer: string; by: IConstruct[] }> = [];
  private readonly props: NetworkPolicyProps;
  private currentPhase: EnforcementPhase;
  private object: ApiObject;
  /** Bumped on every change, so the synth-time check (which cdk8s runs more than once) is computed once per state. */
  private version = 0;
  private validated?: { version: number; errors: string[] };

  /**
   * @param scope the parent construct
   * @param id the construct id (the basis of derived object names)
   * @param props the properties
   */
  constructor(scope: Construct, id: string, props: NetworkPolicyProps) {
    super(scope, id);
    if (!props || !Selector.isSelector(props.pods)) {
      throw constructError(this, `pods ${props ? String(props.pods) : 'undefined'} is not a Selector. Say which pods the policy applies to, e.g. pods: Selector.labels({ app: 'web' }), or pods: Selector.all() for every pod of the namespace.`);
    }
    if (props.phase !== undefined && !isEnforcementPhase(props.phase)) {
      throw constructError(this, `phase ${JSON.stringify(props.phase)} is not an enforcement phase. Use EnforcementPhase.OBSERVE, EnforcementPhase.STAGED or EnforcementPhase.ENFORCE.`);
    }
    this.props = { ...props };
    this.currentPhase = props.phase ?? EnforcementPhase.ENFORCE;
    this.pods = atConstruct(this, 'pods', () => Selector._use(props.pods, 'NetworkPolicy pods'));
    this.namespace = resolveNamespace(this, props.namespace);
    this.name = objectName(this, props.name);
    AppOwnership.of(this).registerPolicyName(this.namespace, this.name, this);
    guardOutputFiles(this);
    for (const direction of props.isolate ?? []) this.isolate(direction);

    this.object = this.makeApiObject();
    this.node.addValidation({ validate: () => [...this.nameClashes(), ...this.unconfinedRules(), ...this.validatePolicy()] });
  }

  /**
   * The emitted API object: a NetworkPolicy, or a StagedKubernetesNetworkPolicy in the staged
   * phase. In the observe phase it is not part of the construct tree, so nothing is written.
   * (An `ApplicationStack` that moves a namespace-wide policy to an earlier phase replaces the
   * object; change the policy through this construct, not through its object.)
   */
  public get apiObject(): ApiObject {
    return this.object;
  }

  /** How far the policy is rolled out (see `NetworkPolicyProps.phase`). */
  public get phase(): EnforcementPhase {
    return this.currentPhase;
  }

  /**
   * Moves the policy to an earlier phase (never to a later one: a policy whose phase is set by what
   * it serves follows the least enforcing of them). Returns true when the phase changed: the object
   * is replaced by one of the new kind, or, for observe, removed from the tree.
   * @internal
   */
  public _lowerPhase(phase: EnforcementPhase): boolean {
    if (!isLaterPhase(this.currentPhase, phase)) return false;
    this.node.tryRemoveChild(this.object.node.id);
    this.currentPhase = phase;
    this.object = this.makeApiObject();
    return true;
  }

  /** The API object of the current phase, with the annotations said so far; outside the tree in the observe phase. */
  private makeApiObject(): ApiObject {
    const staged = this.currentPhase === EnforcementPhase.STAGED;
    const annotations: { [key: string]: string } = { ...this.props.annotations };
    for (const [code, reasons] of this.acceptances) annotations[acceptLintAnnotation(code)] = reasons.join('; ');
    if (this.declaredByLabels !== undefined) annotations[DECLARED_BY_LABELS_ANNOTATION] = this.declaredByLabels;
    const object = new ApiObject(this, 'Resource', {
      apiVersion: staged ? STAGED_NETWORK_POLICY_API_VERSION : NETWORK_POLICY_API_VERSION,
      kind: staged ? STAGED_NETWORK_POLICY_KIND : NETWORK_POLICY_KIND,
      metadata: {
        name: this.name,
        namespace: this.namespace,
        labels: { ...this.props.labels, [MANAGED_BY_LABEL]: MANAGED_BY_VALUE },
        annotations: this.props.annotations === undefined && Object.keys(annotations).length === 0 ? undefined : annotations,
      },
      spec: Lazy.any({ produce: () => this.renderSpec() }),
    });
    if (this.currentPhase === EnforcementPhase.OBSERVE) this.node.tryRemoveChild(object.node.id);
    return object;
  }

  /**
   * Allows traffic from `from` (a `Peer`, an `ExternalDestination` or an endpoint) to the selected
   * pods on `ports` (at least one; `Port.allTraffic()` for all).
   */
  public allowFrom(from: IConnectionEnd, ...ports: Port[]): void {
    this.addIngressRule(this.otherEnd(from, 'allowFrom').peers, ports);
  }

  /**
   * Allows traffic from the selected pods to `to` (a `Peer`, an `ExternalDestination` or an
   * endpoint) on `ports`; without ports, on the ports an endpoint `to` declares (its container ports).
   */
  public allowTo(to: IConnectionEnd, ...ports: Port[]): void {
    const other = this.otherEnd(to, 'allowTo');
    const defaults = ports.length === 0 && other.endpoint ? declaredPorts(other.endpoint) : undefined;
    this.addEgressRule(other.peers, defaults ?? ports);
  }

  /**
   * The peers that stand for `other` in a rule of this policy: a peer as is, an external
   * destination's ipBlocks, an endpoint's pods (in its namespace: its own, else the chart's). Anything
   * else is handed to the rule as is, which refuses it with the reason.
   */
  private otherEnd(other: unknown, method: string): { peers: Peer[]; endpoint?: Endpoint } {
    if (Entity.isEntity(other) || (ExternalDestination.isExternalDestination(other) && (other as ExternalDestination).fqdns?.length > 0)) {
      throw constructError(this, `${method}(${String(other)}): a NetworkPolicy (networking.k8s.io/v1) cannot name ${Entity.isEntity(other) ? 'an entity' : 'DNS names'}: it selects pods, namespaces and address blocks only. `
        + 'Declare the connection with NetworkPolicies.of(chart).allow(endpoint, other, ...ports) on the Cilium target (NetworkTarget.declare(app, NetworkTarget.cilium())), which writes a CiliumNetworkPolicy for it.');
    }
    if (ExternalDestination.isExternalDestination(other)) return { peers: atConstruct(this, method, () => ExternalDestination._use(other, 'destination').peers) };
    if (!Endpoint._isEndpointLike(other)) return { peers: [other as Peer] };
    const endpoint = atConstruct(this, method, () => Endpoint._use(other, 'endpoint'));
    const namespace = resolveNamespace(this, endpoint.namespace, `namespace for endpoint ${endpoint.name}`);
    return { peers: [endpoint.peerFor(this.namespace, namespace)], endpoint };
  }

  /** Allows traffic from any of `peers` on any of `ports`. */
  public addIngressRule(peers: Peer[], ports: Port[]): void {
    atConstruct(this, 'ingress rule', () => this._addRule(Direction.INGRESS, peers, ports));
  }

  /** Allows traffic to any of `peers` on any of `ports`. */
  public addEgressRule(peers: Peer[], ports: Port[]): void {
    atConstruct(this, 'egress rule', () => this._addRule(Direction.EGRESS, peers, ports));
  }

  /**
   * Adds a rule, declared by `origin` (this policy unless given): its peers are first confined to
   * the environment of the stack that `origin` or this policy belongs to (see
   * `environment-confinement.ts`). Errors of the rule itself carry no construct path, so that a
   * caller can report its own.
   * @internal
   */
  public _addRule(direction: Direction, peers: Peer[], ports: Port[], origin: IConstruct = this): void {
    const method = direction === Direction.INGRESS ? 'ingress rule' : 'egress rule';
    const confined = confinePeers(origin, this, peers, origin === this ? method : `${method} of ${this.namespace}/${this.name}`, this.namespace);
    (direction === Direction.INGRESS ? this.ingress : this.egress).add(confined, ports);
    this.ruleOrigins.get(direction)!.push(origin);
    const by = confiningStacks(origin, this, this.namespace);
    for (const p of confined) if (Peer.isPeer(p) && p.namespaceSelector) this.namespacePeers.push({ peer: String(p), by });
    this.version++;
    if (Array.isArray(peers) && peers.some((p) => Peer.isPeer(p) && p.isAnyone)) {
      // Said on purpose with Peer.anyone(): NP001 ("a rule without peers") is accepted, with that reason.
      // The rule of Peer.anyone() is always the first of its direction (its peer sorts first and shares
      // its rule with no other peer), so the acceptance names that rule alone.
      const rule = direction === Direction.INGRESS ? 'spec.ingress[0]' : 'spec.egress[0]';
      this.addAcceptance(LintCode.ALLOWS_ALL_PEERS, `${rule}: every ${direction === Direction.INGRESS ? 'source' : 'destination'} is allowed on purpose (Peer.anyone())`);
    }
  }

  /**
   * The constructs that declared the rules of `direction`, one entry per rule added (this policy
   * for a rule added through its own methods), in the order they were added.
   * @internal
   */
  public _ruleOrigins(direction: Direction): IConstruct[] {
    return [...(this.ruleOrigins.get(direction) ?? [])];
  }

  /**
   * Accepts a lint for this policy, with the reason (kept in the annotation
   * `cdk8s-netpol.dev/accept-<code>`): `netpol validate` and `NetpolApp` report the finding as
   * silenced instead of counting it. Use it only when the finding is understood and intended; an
   * API-server error can never be accepted.
   *
   * @param code the lint to accept
   * @param reason why it is intended (shown in reviews and in `netpol validate --format json`)
   */
  public acceptLint(code: LintCode, reason: string): void {
    if (!Object.values(LintCode).includes(code)) {
      throw constructError(this, `acceptLint: ${JSON.stringify(code)} is not a lint code. Use a LintCode, e.g. LintCode.SELECTOR_MATCHES_NOTHING (API-server errors cannot be accepted).`);
    }
    if (typeof reason !== 'string' || reason.trim() === '') {
      throw constructError(this, `acceptLint ${code}: ${JSON.stringify(reason)} is not a reason. Say why the finding is intended, e.g. 'the pods come from the postgres operator'.`);
    }
    this.addAcceptance(code, reason.trim());
  }

  /**
   * Marks the policy as the policy of pods declared by their labels (their workload is not in these
   * manifests), so NP004 counts its pod selector as declared pods and the analyser knows the service
   * as an endpoint; `ports` are its container ports, which `Reachability.fromChart` gives that
   * endpoint (the manifests do not carry them).
   * @internal
   */
  public _markDeclaredByLabels(endpointName: string, ports: () => EndpointPort[] | undefined): void {
    if (this.declaredByLabels !== undefined) return;
    this.declaredByLabels = endpointName;
    this.object.metadata.addAnnotation(DECLARED_BY_LABELS_ANNOTATION, endpointName);
    // In the observe phase nothing is written, so the model learns the service from the program.
    const facts = (): DeclaredServiceFacts => ({
      namespace: this.namespace,
      name: endpointName,
      ports: ports(),
      ...(this.currentPhase === EnforcementPhase.OBSERVE ? { unemittedPodSelector: this.pods.toJson() } : {}),
    });
    Object.defineProperty(this, DECLARED_SERVICE, { value: facts, enumerable: false });
  }

  private addAcceptance(code: LintCode, reason: string): void {
    const reasons = this.acceptances.get(code) ?? [];
    if (reasons.includes(reason)) return;
    reasons.push(reason);
    this.acceptances.set(code, reasons);
    this.object.metadata.addAnnotation(acceptLintAnnotation(code), reasons.join('; '));
  }

  /**
   * The merged allow rules of a direction.
   * @internal
   */
  public _rules(direction: Direction): MergedRule[] {
    return (direction === Direction.INGRESS ? this.ingress : this.egress).rules();
  }

  /** Lists `direction` in `policyTypes` even if no rule allows anything in it (deny by default). */
  public isolate(direction: Direction): void {
    if (direction !== Direction.INGRESS && direction !== Direction.EGRESS) {
      throw constructError(this, `isolate: ${JSON.stringify(direction)} is not a direction. Use Direction.INGRESS or Direction.EGRESS.`);
    }
    this.isolated.add(direction);
    this.version++;
  }

  /** The directions this policy governs (its `policyTypes`). */
  public get directions(): Direction[] {
    const out: Direction[] = [];
    if (this.isolated.has(Direction.INGRESS) || !this.ingress.isEmpty) out.push(Direction.INGRESS);
    if (this.isolated.has(Direction.EGRESS) || !this.egress.isEmpty) out.push(Direction.EGRESS);
    return out;
  }

  /**
   * The policy as plain JSON, exactly as it is synthesized: a NetworkPolicy, or in the staged phase a
   * StagedKubernetesNetworkPolicy (in the observe phase, the NetworkPolicy it stands for, which is
   * not written).
   */
  public toManifest(): any {
    const staged = this.currentPhase === EnforcementPhase.STAGED;
    const manifest: Omit<NetworkPolicyJson, 'apiVersion' | 'kind'> & { apiVersion: string; kind: string } = {
      apiVersion: staged ? STAGED_NETWORK_POLICY_API_VERSION : NETWORK_POLICY_API_VERSION,
      kind: staged ? STAGED_NETWORK_POLICY_KIND : NETWORK_POLICY_KIND,
      metadata: { name: this.name, namespace: this.namespace },
      spec: this.renderSpec(),
    };
    return manifest;
  }

  private renderSpec(): NetworkPolicySpecJson {
    const directions = this.directions;
    const spec: NetworkPolicySpecJson = {
      podSelector: this.pods.toJson(),
      policyTypes: directions as PolicyTypeJson[],
    };
    // A listed direction without rules denies everything; `ingress: []` would say the same, less plainly.
    if (!this.ingress.isEmpty) spec.ingress = this.ingress.toJson('from');
    if (!this.egress.isEmpty) spec.egress = this.egress.toJson('to');
    return spec;
  }

  /** The synth-time check: an empty policy, API-server errors, rules open to all peers by accident. */
  private validatePolicy(): string[] {
    if (this.validated?.version !== this.version) {
      const errors = this.directions.length === 0
        ? ['allows nothing and isolates nothing: it has no rules and no isolated direction, and the API server would default it to an ingress deny. Add rules with allowFrom/allowTo, or set isolate (or use DefaultDeny) to deny on purpose.']
        : synthValidationErrors(this.toManifest(), this.unaskedOpenRules());
      this.validated = { version: this.version, errors };
    }
    return this.validated.errors;
  }

  /**
   * Another NetworkPolicy construct of the app (in any chart) with the same namespace and name:
   * applying both keeps only the last one, so one set of rules would be lost without a word.
   */
  private nameClashes(): string[] {
    const earlier = AppOwnership.of(this).earlierPoliciesNamed(this.namespace, this.name, this);
    if (earlier.length === 0) return [];
    const hints = [this, ...earlier].map((c) => (c instanceof NetworkPolicy ? c._clashHint : undefined)).filter((h): h is string => h !== undefined);
    return [`NetworkPolicy ${this.namespace}/${this.name} is also declared at ${earlier.map((c) => `[${c.node.path}]`).join(', ')}: `
      + 'applying both keeps only the one applied last, so the other one\'s rules would be lost without a word. '
      + (hints.length > 0 ? `${[...new Set(hints)].join(' ')} Or give` : 'Give')
      + ' one of them another name (the name property, or another construct id), or declare the rules of both through NetworkPolicies.of(chart), whose policies merge across charts.'];
  }

  /**
   * Rules whose peers select namespaces, declared before a stack of the app put this policy's
   * namespace in an environment: they could not be confined to it, so the synth fails instead of
   * letting them open the environment.
   */
  private unconfinedRules(): string[] {
    const owner = namespaceEnvironmentOwner(this, this.namespace);
    if (owner === undefined) return [];
    const unconfined = [...new Set(this.namespacePeers.filter((p) => !p.by.includes(owner)).map((p) => p.peer))];
    if (unconfined.length === 0) return [];
    return [`NetworkPolicy ${this.namespace}/${this.name} has rules from ${unconfined.join(', ')}, declared before [${owner.node.path}] put namespace ${this.namespace} in an environment, `
      + 'so they could not be confined to it and might open it to another environment. Create the ApplicationStack before the constructs that declare rules in its namespaces, '
      + 'or declare the rules through the stack.'];
  }

  /** The rendered rules that allow every peer although `Peer.anyone()` was not asked for (none, unless rendering is broken). */
  private unaskedOpenRules(): UnaskedOpenRule[] {
    return [
      ...this.ingress.rulesWithoutPeers('from').filter((r) => !r.askedFor).map((r) => ({ ...r, direction: 'ingress' as const })),
      ...this.egress.rulesWithoutPeers('to').filter((r) => !r.askedFor).map((r) => ({ ...r, direction: 'egress' as const })),
    ];
  }
}
