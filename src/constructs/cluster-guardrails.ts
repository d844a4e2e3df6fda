import { ApiObject, Chart, JsonPatch, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { atConstruct, constructError } from './errors';
import { kubeName, objectName } from './naming';
import { ClusterPolicyApi, NetworkTarget } from './network-target';
import { AppOwnership } from './ownership';
import { connectionEnd } from '../endpoints/connection-end';
import {
  ADMIN_POLICY_V1ALPHA1, BASELINE_SINGLETON_NAME, CLUSTER_POLICY_V1ALPHA2, ClusterPolicyPeerJson, ClusterPolicyRuleJson, ClusterPolicySpecJson,
  DOMAIN_NAME_PATTERN, MAX_PRIORITY, PLATFORM_ALLOW_ANNOTATION,
} from '../k8s/admin-policy-manifest';
import { checkClusterPolicyRules } from '../k8s/admin-policy-rules';
import { formatFinding, Severity } from '../k8s/finding';
import { NAMESPACE_NAME_LABEL } from '../k8s/manifest';
import { describeValue } from '../model/brand';
import { IConnectionEnd } from '../model/connection-end';
import { ClusterNodes, GuardrailSubject } from '../model/guardrail';
import { Port } from '../model/port';

/** The label every object of this library carries. */
const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'cdk8s-netpol' };


/** Properties of an `AdminGuardrail`. */
export interface AdminGuardrailProps {
  /**
   * The precedence in the Admin tier: 0 (evaluated first) to 1000. Two Admin guardrails with the same
   * priority whose rules can apply to the same pods are in an order the network plugin chooses (lint NP016).
   */
  readonly priority: number;
  /** The pods the guardrail applies to. */
  readonly subject: GuardrailSubject;
  /** The object name (cluster-scoped: unique in the cluster). @default - derived from the construct path */
  readonly name?: string;
  /**
   * Mark the guardrail as a platform allow that no Deny may shadow: the synthesized object carries
   * the `cdk8s-netpol.dev/platform-allow` annotation with this text (what it keeps reachable), and
   * lint NP021 reports a Deny of any Admin guardrail that takes precedence over one of its Allow rules.
   * @default - not a platform allow
   */
  readonly platformAllow?: string;
}

/** Properties of a `BaselineGuardrail`. */
export interface BaselineGuardrailProps {
  /** The pods the guardrail applies to. */
  readonly subject: GuardrailSubject;
  /**
   * The precedence among Baseline guardrails (v1alpha2 ClusterNetworkPolicy only: 0 first to 1000).
   * The v1alpha1 BaselineAdminNetworkPolicy is a singleton without priority: giving one there fails the synth.
   * @default 0 on v1alpha2
   */
  readonly priority?: number;
  /**
   * The object name. On v1alpha1 the baseline is the singleton `default` (any other name fails the
   * synth). @default - `default` on v1alpha1, derived from the construct path on v1alpha2
   */
  readonly name?: string;
}

type Action = 'allow' | 'deny' | 'pass';
type TierKind = 'Admin' | 'Baseline';
type Direction = 'ingress' | 'egress';

/** One rule as declared: its direction, action, the one peer and the ports. */
interface GuardrailRule {
  readonly direction: Direction;
  readonly action: Action;
  readonly name: string;
  readonly peer: ClusterPolicyPeerJson;
  /** Empty for all traffic. */
  readonly ports: Port[];
}

/** The API version the guardrail is emitted at, as the target declares it. */
interface Emission {
  readonly api: ClusterPolicyApi;
  readonly target: NetworkTarget;
}

/**
 * What the two guardrail constructs share: the subject, the rules in declaration order (the order
 * is the precedence within the policy: first match decides), the kind chosen from the network
 * target, and the synth-time checks.
 */
class GuardrailCore {
  public readonly rules: GuardrailRule[] = [];
  public readonly apiObject?: ApiObject;
  public readonly name: string;
  private readonly emission: Emission;

  constructor(
    private readonly scope: Construct,
    private readonly tier: TierKind,
    public readonly subject: GuardrailSubject,
    private readonly priority: number | undefined,
    givenName: string | undefined,
    private readonly construct: string,
    annotations: Record<string, string>,
  ) {
    const target = NetworkTarget.of(scope);
    this.emission = { api: target.clusterPolicyApi, target };
    const v1alpha1Baseline = tier === 'Baseline' && this.emission.api === ClusterPolicyApi.ADMIN_NETWORK_POLICY_V1ALPHA1;
    if (v1alpha1Baseline && priority !== undefined) {
      throw constructError(scope, `priority ${priority}: the v1alpha1 BaselineAdminNetworkPolicy (the target's cluster policy API) has no priority, it is a singleton. `
        + 'Leave priority out, or declare the v1alpha2 API (ClusterPolicyApi.CLUSTER_NETWORK_POLICY_V1ALPHA2), whose Baseline tier orders its policies by priority.');
    }
    if (v1alpha1Baseline && givenName !== undefined && givenName !== BASELINE_SINGLETON_NAME) {
      throw constructError(scope, `name ${JSON.stringify(givenName)}: the v1alpha1 BaselineAdminNetworkPolicy is a singleton named "default" (the API server refuses any other name). `
        + 'Leave name out, or declare the v1alpha2 API (ClusterPolicyApi.CLUSTER_NETWORK_POLICY_V1ALPHA2), which allows several Baseline policies.');
    }
    this.name = v1alpha1Baseline ? BASELINE_SINGLETON_NAME : objectName(scope, givenName);
    scope.node.addValidation({ validate: () => this.validate() });
    if (this.emission.api === ClusterPolicyApi.NONE) return; // refused at synth, with the reason
    const { apiVersion, kind } = this.kind();
    const claim = AppOwnership.of(scope).claim(`cluster-policy|${kind}|${this.name}`, scope, () => true);
    if (!claim.created) {
      throw constructError(scope, `${kind} ${this.name} is already declared at [${claim.declaredAt}]; cluster-scoped objects share one name space, so one would overwrite the other. `
        + (v1alpha1Baseline
          ? 'The v1alpha1 baseline is a singleton: declare one BaselineGuardrail and put all its rules there.'
          : 'Give one of them another name (the name property or another construct id).'));
    }
    this.apiObject = new ApiObject(scope, 'Resource', {
      apiVersion,
      kind,
      metadata: { name: this.name, labels: { ...MANAGED_BY }, ...(Object.keys(annotations).length > 0 ? { annotations } : {}) },
      spec: Lazy.any({ produce: () => this.renderSpec() }),
    });
    // Cluster-scoped: the chart's default namespace, which cdk8s puts on every object, does not apply.
    if (this.apiObject.metadata.namespace !== undefined) this.apiObject.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
  }

  /** The kind and apiVersion for the target's API and the tier. */
  public kind(): { apiVersion: string; kind: string } {
    if (this.emission.api === ClusterPolicyApi.CLUSTER_NETWORK_POLICY_V1ALPHA2) return { apiVersion: CLUSTER_POLICY_V1ALPHA2, kind: 'ClusterNetworkPolicy' };
    return { apiVersion: ADMIN_POLICY_V1ALPHA1, kind: this.tier === 'Admin' ? 'AdminNetworkPolicy' : 'BaselineAdminNetworkPolicy' };
  }

  /** Adds one rule: `from` may (allow) / may not (deny) / is handed over (pass) to reach `to` on `ports`. */
  public add(action: Action, verb: string, from: IConnectionEnd, to: IConnectionEnd, ports: Port[]): void {
    atConstruct(this.scope, `${this.construct}.${verb}`, () => {
      const fromSubject = this.isSubject(from, 'from');
      const toSubject = this.isSubject(to, 'to');
      if (fromSubject === toSubject) {
        throw new Error(fromSubject
          ? 'both ends are the guardrail\'s subject. One end is the subject, the other the peer: for traffic among the subject\'s pods, name them as a peer on the other side (e.g. Peer.namespaces(...)).'
          : `neither ${describeEnd(from)} nor ${describeEnd(to)} is this guardrail's subject. One end of each rule is the subject (guardrail.subject): `
            + `${verb}(peer, guardrail.subject, ...ports) for its ingress, ${verb}(guardrail.subject, peer, ...ports) for its egress.`);
      }
      const direction: Direction = toSubject ? 'ingress' : 'egress';
      const other = toSubject ? from : to;
      const checkedPorts = checkPorts(ports, verb);
      const named = checkedPorts.filter((p) => p.isNamed);
      if (named.length > 0) {
        // namedPort / destinationNamedPort match the container port of that name whatever its
        // protocol: emitting one would widen Port.named('metrics', UDP) to the TCP port of that name.
        throw new Error(`${verb}(${describeEnd(from)}, ${describeEnd(to)}, ${checkedPorts.join(', ')}): the named port${named.length > 1 ? 's' : ''} ${named.join(', ')} in a guardrail rule: `
          + 'the policy API\'s named ports carry no protocol; use the number. (The rule would match the container port of that name on every protocol, '
          + `not only the one declared.) Write ${named.map((p) => `Port.of(Protocol.${p.protocol}, <the number of ${p.portName}>)`).join(', ')}.`);
      }
      const peer = guardrailPeer(other, direction, this.tier, action, Chart.of(this.scope).namespace);
      const index = this.rules.filter((r) => r.direction === direction).length;
      // A readable name of the rule (the API shows it in status and logs): the verb and the peer, `*.` read as `any.`.
      const name = kubeName([verb, direction === 'ingress' ? 'from' : 'to', describeEnd(other).replace(/\*\./g, 'any.')]) || `${verb}-${direction}-${index}`;
      this.rules.push({ direction, action, name, peer, ports: checkedPorts });
    });
  }

  private isSubject(end: IConnectionEnd, side: string): boolean {
    if (!GuardrailSubject.isGuardrailSubject(end)) return false;
    const subject = GuardrailSubject._use(end, side);
    if (subject === this.subject || subject.key === this.subject.key) return true;
    throw new Error(`${side}: ${subject} is a GuardrailSubject, but not this guardrail's (${this.subject}). Use guardrail.subject for this end, or a Peer for pods that are not the subject.`);
  }

  /** The spec for the target's API. */
  public renderSpec(): ClusterPolicySpecJson {
    const v2 = this.emission.api === ClusterPolicyApi.CLUSTER_NETWORK_POLICY_V1ALPHA2;
    const spec: ClusterPolicySpecJson = { subject: this.subject.toJson() };
    if (v2) spec.tier = this.tier;
    if (this.tier === 'Admin' || v2) spec.priority = this.priority ?? 0;
    for (const direction of ['ingress', 'egress'] as const) {
      const rules = this.rules.filter((r) => r.direction === direction).map((r) => renderRule(r, v2));
      if (rules.length > 0) spec[direction] = rules;
    }
    return spec;
  }

  /** The object as plain JSON, as it is synthesized; undefined when the target has no cluster policy API. */
  public toManifest(): any {
    if (!this.apiObject) return undefined;
    const { apiVersion, kind } = this.kind();
    return { apiVersion, kind, metadata: this.apiObject.metadata.toJson(), spec: this.renderSpec() };
  }

  private validate(): string[] {
    const now = NetworkTarget.of(this.scope);
    if (now.clusterPolicyApi !== this.emission.api) {
      return [`${this.construct} ${this.name} was made when the network target was ${this.emission.target}, but it is now ${now}: `
        + 'declare the target (NetworkTarget.declare or NetpolAppProps.target) before creating guardrails, so the kind they emit follows it.'];
    }
    const refusal = this.emission.target._clusterPolicyRefusal(`${this.construct} ${this.name}`);
    if (refusal) return [refusal];
    if (this.rules.length === 0) {
      return [`${this.construct} ${this.name} has no rules: it would change nothing. Add rules with allow/deny${this.tier === 'Admin' ? '/pass' : ''}(from, to, ...ports), or remove it.`];
    }
    return checkClusterPolicyRules(this.toManifest()).filter((f) => f.severity === Severity.ERROR).map(formatFinding);
  }
}

/** Readable form of any end, never running a method of a value no factory made. */
function describeEnd(end: unknown): string {
  if (GuardrailSubject.isGuardrailSubject(end) || ClusterNodes.isClusterNodes(end)) return String((end as IConnectionEnd).name);
  try {
    return connectionEnd(end).description;
  } catch {
    return describeValue(end);
  }
}

function checkPorts(ports: Port[], verb: string): Port[] {
  if (!Array.isArray(ports) || ports.length === 0) {
    throw new Error(`no ports given. Name the ports (${verb}(from, to, Port.tcp(443))), or write Port.allTraffic() for every port and protocol: an empty list never means "all".`);
  }
  const checked = ports.map((p, i) => Port._use(p, `port ${i + 1}`));
  if (checked.some((p) => p.isAllTraffic) && checked.length > 1) {
    throw new Error(`Port.allTraffic() is given with other ports (${checked.filter((p) => !p.isAllTraffic).join(', ')}). Give Port.allTraffic() alone for every port, or only the ports.`);
  }
  const unique = new Map(checked.map((p) => [p.key, p]));
  return [...unique.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, p]) => p);
}

/**
 * The other end of a rule as a peer of the sig-network policy API. Ingress peers are namespaces or
 * pods; egress peers also networks (CIDRs), nodes and (Admin tier, allowing rules) domain names.
 * What the API cannot say exactly is refused with what to write instead, never widened:
 * an address block with exceptions, everyone, pods of "the policy's namespace" (a cluster policy has none).
 */
function guardrailPeer(
  end: IConnectionEnd, direction: Direction, tier: TierKind, action: Action, chartNamespace: string | undefined,
): ClusterPolicyPeerJson {
  if (ClusterNodes.isClusterNodes(end)) {
    const nodes = ClusterNodes._use(end, 'nodes');
    if (direction === 'ingress') throw new Error(`${nodes} as a source: node peers exist only in egress rules of the sig-network policy API. Guard traffic to the nodes (an egress rule of the pods).`);
    return { nodes: nodes.toJson() };
  }
  const resolved = connectionEnd(end);
  if (resolved.endpoint) {
    const namespace = resolved.endpoint.namespace ?? chartNamespace;
    if (namespace === undefined) {
      throw new Error(`${resolved.description} has no namespace, and the guardrail's chart has none: a cluster policy names the namespace of every pod peer. Give the endpoint a namespace.`);
    }
    return { pods: { namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: namespace } }, podSelector: resolved.endpoint.pods.toJson() } };
  }
  if (resolved.cilium?.entity !== undefined) {
    throw new Error(`${resolved.description} is a Cilium entity, which the sig-network policy API cannot name. Use a Peer (pods, namespaces), ClusterNodes, or an ExternalDestination by CIDRs.`);
  }
  if (resolved.cilium?.dnsNames) {
    const names = resolved.cilium.dnsNames;
    if (direction === 'ingress') throw new Error(`${resolved.description} as a source: domain names are egress destinations only.`);
    if (tier !== 'Admin' || action !== 'allow') {
      throw new Error(`${resolved.description} in a ${action} rule of the ${tier} tier: domainNames peers exist only in Allow/Accept rules of the Admin tier (an allow-list). `
        + 'Allow the names in an AdminGuardrail, then deny the rest with a later rule to ExternalDestination.cidrs(\'everywhere\', [\'0.0.0.0/0\', \'::/0\']).');
    }
    const bad = names.filter((n) => !DOMAIN_NAME_PATTERN.test(n));
    if (bad.length > 0) {
      throw new Error(`${bad.map((n) => JSON.stringify(n)).join(', ')} cannot be a domainNames entry: the API takes a full name (api.example.com) or a "*." prefix (*.example.com) that matches whole labels; "*" elsewhere is not allowed.`);
    }
    return { domainNames: [...names] };
  }
  const peers = resolved.peers ?? [];
  const blocks = peers.filter((p) => p.addressBlock);
  if (blocks.length > 0) {
    if (direction === 'ingress') {
      throw new Error(`${resolved.description} as a source: the sig-network policy API has no address peers in ingress rules (networks are egress destinations only). `
        + 'Name the sources by namespace or pods (Peer.namespace(...), Peer.podsInNamespaces(...)).');
    }
    const withHoles = blocks.filter((p) => p.addressBlock!.except.length > 0);
    if (withHoles.length > 0) {
      throw new Error(`${resolved.description} has exceptions (${withHoles.map((p) => p.addressBlock!.except.join(', ')).join('; ')}), which a networks peer cannot say. `
        + 'Write the exceptions as a rule of their own before it (first match decides), e.g. deny(subject, ExternalDestination.cidrs(\'private\', [...]), ...) then allow(subject, ExternalDestination.cidrs(\'internet\', [\'0.0.0.0/0\']), ...).');
    }
    return { networks: [...new Set(blocks.map((p) => p.addressBlock!.cidr))].sort() };
  }
  if (peers.length !== 1) throw new Error(`${resolved.description} names no pods, namespaces or addresses that a cluster policy can say.`);
  const peer = peers[0];
  if (peer.isAnyone) {
    throw new Error('Peer.anyone() cannot be a peer of a cluster policy (there is no "everyone" peer). '
      + (direction === 'ingress'
        ? 'For every pod of the cluster write Peer.allNamespaces() (ingress peers are pods only).'
        : 'For every pod write Peer.allNamespaces(); for every address ExternalDestination.cidrs(\'everywhere\', [\'0.0.0.0/0\', \'::/0\']) (networks also match pod addresses).'));
  }
  if (peer.namespaceSelector === undefined) {
    throw new Error(`${peer} selects pods of "the policy's namespace", and a cluster policy has none. Name the namespace: Peer.podsInNamespace(name, pods), Peer.podsInNamespaces(...) or Peer.podsInAllNamespaces(pods).`);
  }
  if (peer.podSelector === undefined) return { namespaces: peer.namespaceSelector.toJson() };
  return { pods: { namespaceSelector: peer.namespaceSelector.toJson(), podSelector: peer.podSelector.toJson() } };
}

function renderRule(rule: GuardrailRule, v2: boolean): ClusterPolicyRuleJson {
  const action = rule.action === 'allow' ? (v2 ? 'Accept' : 'Allow') : rule.action === 'deny' ? 'Deny' : 'Pass';
  const json: ClusterPolicyRuleJson = { name: rule.name, action, [rule.direction === 'ingress' ? 'from' : 'to']: [rule.peer] };
  if (rule.ports.length === 1 && rule.ports[0].isAllTraffic) return json;
  if (v2) json.protocols = rule.ports.map(v2Port);
  else json.ports = rule.ports.map(v1Port);
  return json;
}

function v1Port(port: Port): any {
  if (port.portNumber === undefined) return { portRange: { protocol: port.protocol, start: 1, end: 65535 } };
  if (port.endPort !== undefined) return { portRange: { protocol: port.protocol, start: port.portNumber, end: port.endPort } };
  return { portNumber: { protocol: port.protocol, port: port.portNumber } };
}

function v2Port(port: Port): any {
  const destinationPort = port.portNumber === undefined ? { range: { start: 1, end: 65535 } }
    : port.endPort !== undefined ? { range: { start: port.portNumber, end: port.endPort } } : { number: port.portNumber };
  return { [String(port.protocol).toLowerCase()]: { destinationPort } };
}

function checkPriority(scope: Construct, value: unknown, required: boolean): number | undefined {
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_PRIORITY) {
    throw constructError(scope, `priority ${describeValue(value)} is not a priority: give an integer from 0 (evaluated first) to ${MAX_PRIORITY}.`);
  }
  return value;
}

function checkProps(scope: Construct, props: unknown, what: string): Record<string, unknown> {
  if (typeof props !== 'object' || props === null || Array.isArray(props)) {
    throw constructError(scope, `${what} props ${describeValue(props)} are not properties: pass { subject${what === 'AdminGuardrail' ? ', priority' : ''}, ... }.`);
  }
  // Copied now: changing the caller's object afterwards must not change the guardrail.
  return { ...props } as Record<string, unknown>;
}

function checkSubject(scope: Construct, value: unknown): GuardrailSubject {
  if (value === undefined) {
    throw constructError(scope, 'subject is missing: give the pods the guardrail applies to, e.g. GuardrailSubject.allNamespaces() or GuardrailSubject.namespaces(selector).');
  }
  return atConstruct(scope, 'subject', () => GuardrailSubject._use(value, 'subject'));
}

function checkName(scope: Construct, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw constructError(scope, `name ${describeValue(value)} is not a string: give an object name such as 'platform-essentials', or leave it out.`);
  return value;
}

/**
 * A cluster guardrail of the Admin tier, owned by the platform team: evaluated before every
 * namespace NetworkPolicy, so namespace owners cannot override it. Its rules are read in the order
 * they are declared, and the first that matches a connection decides: `allow` (Allow in v1alpha1,
 * Accept in v1alpha2) and `deny` are final, `pass` hands the connection over to the namespaces'
 * NetworkPolicies (and then the Baseline tier). Between guardrails, lower `priority` goes first.
 *
 * Each rule reads left to right, with the guardrail's `subject` on one side: `allow(peer,
 * g.subject, port)` is the subject's ingress, `deny(g.subject, peer, port)` its egress. Peers are
 * `Peer`s with a namespace (namespaces, pods in namespaces), endpoints, `ExternalDestination.cidrs`
 * (networks, egress only), `ClusterNodes` (egress only) and `ExternalDestination.dnsNames` (domain
 * names: egress allow rules only). Ports are numbers or ranges with their protocol: a named port
 * (`Port.named`) is refused, since the policy API's named ports carry no protocol and would match the
 * container port of that name on every protocol.
 *
 * The kind follows the network target, declared once: `AdminNetworkPolicy` (v1alpha1) or
 * `ClusterNetworkPolicy` with `tier: Admin` (v1alpha2); on a target without the API (plain
 * Kubernetes by default, Cilium) the synth fails, saying why and what to write instead.
 *
 * @example
 * NetworkTarget.declare(app, NetworkTarget.kubernetes({ clusterPolicyApi: ClusterPolicyApi.CLUSTER_NETWORK_POLICY_V1ALPHA2 }));
 * const g = new AdminGuardrail(chart, 'essentials', { priority: 10, subject: GuardrailSubject.allNamespaces() });
 * g.allow(Peer.namespace('monitoring'), g.subject, Port.tcp(9090));
 * g.deny(g.subject, ExternalDestination.cidrs('metadata', ['169.254.169.254/32']), Port.allTraffic());
 */
export class AdminGuardrail extends Construct {
  /** The pods the guardrail applies to: one end of each of its rules. */
  public readonly subject: GuardrailSubject;
  /** The object name. */
  public readonly name: string;
  /** The priority. */
  public readonly priority: number;
  private readonly core: GuardrailCore;

  /**
   * @param scope the parent construct (in a chart)
   * @param id the construct id (the basis of the derived object name)
   * @param props the properties
   */
  constructor(scope: Construct, id: string, props: AdminGuardrailProps) {
    super(scope, id);
    const p = checkProps(this, props, 'AdminGuardrail');
    this.priority = checkPriority(this, p.priority, true)!;
    this.subject = checkSubject(this, p.subject);
    const platformAllow = p.platformAllow;
    if (platformAllow !== undefined && (typeof platformAllow !== 'string' || platformAllow.trim() === '')) {
      throw constructError(this, `platformAllow ${describeValue(platformAllow)} is not a description: say what the guardrail keeps reachable, e.g. 'DNS and monitoring'.`);
    }
    this.core = new GuardrailCore(this, 'Admin', this.subject, this.priority, checkName(this, p.name), 'AdminGuardrail',
      platformAllow !== undefined ? { [PLATFORM_ALLOW_ANNOTATION]: platformAllow as string } : {});
    this.name = this.core.name;
  }

  /** `from` may connect to `to` on `ports` (Allow/Accept: final, no NetworkPolicy can deny it). */
  public allow(from: IConnectionEnd, to: IConnectionEnd, ...ports: Port[]): void {
    this.core.add('allow', 'allow', from, to, ports);
  }

  /** `from` may not connect to `to` on `ports` (Deny: final, no NetworkPolicy can allow it). */
  public deny(from: IConnectionEnd, to: IConnectionEnd, ...ports: Port[]): void {
    this.core.add('deny', 'deny', from, to, ports);
  }

  /**
   * Whether `from` may connect to `to` on `ports` is left to the namespaces' NetworkPolicies (Pass:
   * the rest of the Admin tier is skipped; when no NetworkPolicy selects the pod, the Baseline tier decides).
   */
  public pass(from: IConnectionEnd, to: IConnectionEnd, ...ports: Port[]): void {
    this.core.add('pass', 'pass', from, to, ports);
  }

  /** The synthesized object as plain JSON; undefined on a target without a cluster policy API. */
  public toManifest(): any {
    return this.core.toManifest();
  }
}

/**
 * A cluster guardrail of the Baseline tier: evaluated after the namespace NetworkPolicies, only for
 * pods and directions no NetworkPolicy selects, so namespace owners can open what it denies (a
 * default deny they may override). The first matching rule decides; `allow` and `deny` only (the
 * baseline is the last tier: there is nothing to pass to).
 *
 * The kind follows the network target: the singleton `BaselineAdminNetworkPolicy` named `default`
 * (v1alpha1: one BaselineGuardrail per app), or `ClusterNetworkPolicy` with `tier: Baseline`
 * (v1alpha2, ordered by `priority`); on a target without the API the synth fails.
 *
 * @example
 * const b = new BaselineGuardrail(chart, 'baseline', { subject: GuardrailSubject.allNamespaces() });
 * b.deny(Peer.allNamespaces(), b.subject, Port.allTraffic());
 */
export class BaselineGuardrail extends Construct {
  /** The pods the guardrail applies to: one end of each of its rules. */
  public readonly subject: GuardrailSubject;
  /** The object name. */
  public readonly name: string;
  private readonly core: GuardrailCore;

  /**
   * @param scope the parent construct (in a chart)
   * @param id the construct id
   * @param props the properties
   */
  constructor(scope: Construct, id: string, props: BaselineGuardrailProps) {
    super(scope, id);
    const p = checkProps(this, props, 'BaselineGuardrail');
    const priority = checkPriority(this, p.priority, false);
    this.subject = checkSubject(this, p.subject);
    this.core = new GuardrailCore(this, 'Baseline', this.subject, priority, checkName(this, p.name), 'BaselineGuardrail', {});
    this.name = this.core.name;
  }

  /** `from` may connect to `to` on `ports`, unless a NetworkPolicy of the pods decides otherwise. */
  public allow(from: IConnectionEnd, to: IConnectionEnd, ...ports: Port[]): void {
    this.core.add('allow', 'allow', from, to, ports);
  }

  /** `from` may not connect to `to` on `ports`, unless a NetworkPolicy of the pods decides otherwise. */
  public deny(from: IConnectionEnd, to: IConnectionEnd, ...ports: Port[]): void {
    this.core.add('deny', 'deny', from, to, ports);
  }

  /** The synthesized object as plain JSON; undefined on a target without a cluster policy API. */
  public toManifest(): any {
    return this.core.toManifest();
  }
}
