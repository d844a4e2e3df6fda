import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { NetworkPolicy } from './network-policy';
import { NetworkFeature, NetworkTarget } from './network-target';
import { ciliumIdentityFilter } from '../inventory/cilium-policy';
import {
  CILIUM_API_VERSION, CILIUM_NAMESPACE_LABEL, CILIUM_NETWORK_POLICY_KIND, CiliumPolicySpecJson, CiliumPortJson, CiliumPortRuleJson, CiliumRuleJson,
} from '../k8s/cilium-manifest';
import { ciliumPeerShape, cidrShape, PeerShape, peerShapesOverlap } from '../k8s/cilium-overlap';
import { CILIUM_NAMESPACE_LABELS_PREFIX, CILIUM_POD_NAMESPACE_KEY, CiliumPeerScope, ciliumPeerScope } from '../k8s/cilium-peer-scope';
import { checkCiliumPolicy } from '../k8s/cilium-rules';
import { formatFinding, Severity } from '../k8s/finding';
import { selectorsOverlap } from '../k8s/label-selector';
import { LabelSelectorJson } from '../k8s/manifest';
import { qualifiedNameProblems } from '../k8s/names';
import { ALL_TRAFFIC, ContainerPort, entriesOverlap, PortEntry, portEntryLabel } from '../k8s/port-set';
import { HttpRule } from '../model/cilium';
import { Direction } from '../model/direction';
import { EnforcementPhase } from '../model/enforcement-phase';
import { compareStrings } from '../model/order';
import { Peer } from '../model/peer';
import { Port } from '../model/port';
import { Selector } from '../model/selector';

/** The label every object of this library carries. */
const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'cdk8s-netpol' };

/** The peer fields of a Cilium rule, in their rendering order. */
export type CiliumPeerField = 'Endpoints' | 'Entities' | 'CIDRSet' | 'FQDNs';
const FIELD_ORDER: CiliumPeerField[] = ['Endpoints', 'Entities', 'CIDRSet', 'FQDNs'];

/** One peer of a Cilium rule: the field it goes in (`toEndpoints`, `fromEntities`, ...) and its JSON. */
export interface CiliumPeer {
  readonly field: CiliumPeerField;
  readonly json: any;
  /** Canonical identity and sort order. */
  readonly key: string;
}

/** One port of a Cilium rule. */
export interface CiliumPort {
  readonly json: CiliumPortJson;
  readonly key: string;
  /** The port it was made from, for coverage checks (port-set semantics). */
  readonly port?: Port;
}

/** An HTTP rule's peer and port, which a plain allow of an overlapping peer and port would make void. */
export interface HttpSlot {
  readonly peer: CiliumPeer;
  readonly port: Port;
  /** The declarations that wrote HTTP rules here (`allowHttp a -> b`). */
  readonly declarations: string[];
}

/** An allow without layer-7 rules: the object it is in, its peer and its ports. */
interface PlainAllow {
  readonly where: string;
  readonly peer: PeerShape;
  readonly peerText: string;
  readonly ports: readonly PortEntry[];
}

/** The DNS server Cilium's DNS proxy must see the lookups to, as Cilium's own FQDN example names it. */
export const KUBE_DNS_PEER: CiliumPeer = ciliumEndpoints({ matchLabels: { [CILIUM_NAMESPACE_LABEL]: 'kube-system', 'k8s:k8s-app': 'kube-dns' } });
/** Port 53 of every protocol, where the DNS rule goes. */
export const DNS_PORT: CiliumPort = { json: { port: '53', protocol: 'ANY' }, key: '0|00053|ANY' };

function ciliumEndpoints(selector: LabelSelectorJson): CiliumPeer {
  return { field: 'Endpoints', json: selector, key: `e|${JSON.stringify(selector)}` };
}

/** An entity as a Cilium peer. */
export function entityPeer(entity: string): CiliumPeer {
  return { field: 'Entities', json: entity, key: `n|${entity}` };
}

/** A DNS name (`matchName`) or pattern (`matchPattern`, with `*`) as a Cilium peer. */
export function fqdnPeer(name: string): CiliumPeer {
  const json = name.includes('*') ? { matchPattern: name } : { matchName: name };
  return { field: 'FQDNs', json, key: `f|${name}` };
}

/**
 * A NetworkPolicy peer as a peer of a CiliumNetworkPolicy in the namespace of the policy, in the one
 * form every Cilium release reads the same way (`ciliumPeerScope`, k8s/cilium-peer-scope): pods by
 * their labels in the policy's namespace (no namespace key: Cilium adds the policy's namespace); in a
 * named namespace, `k8s:io.kubernetes.pod.namespace: <name>`; in every namespace, that key's `Exists`;
 * in the namespaces whose labels match, each namespace label as `k8s:io.cilium.k8s.namespace.labels.<key>`
 * (docs.cilium.io "Using Kubernetes Constructs In Policy") together with the namespace key's `Exists`,
 * without which releases before cilium/cilium#30650 confine the selector to the policy's namespace.
 * An address block is a CIDR set with its exceptions, anyone the entity `all`. A pod label key
 * Cilium gives every pod for its namespace (`io.kubernetes.pod.namespace`,
 * `io.cilium.k8s.namespace.labels.*`) is refused: Cilium would read it as the pod's namespace.
 */
export function ciliumPeer(peer: Peer): CiliumPeer {
  if (peer.isAnyone) return entityPeer('all');
  if (peer.addressBlock) {
    const json = peer.addressBlock.toJson();
    return { field: 'CIDRSet', json, key: `c|${JSON.stringify(json)}` };
  }
  const pods: LabelSelectorJson = peer.podSelector ? peer.podSelector.toJson() : {};
  if (ciliumPeerScope(pods) !== CiliumPeerScope.OWN_NAMESPACE) {
    const key = [...Object.keys(pods.matchLabels ?? {}), ...(pods.matchExpressions ?? []).map((e) => e.key)]
      .find((k) => ciliumPeerScope({ matchLabels: { [k]: '' } }) !== CiliumPeerScope.OWN_NAMESPACE);
    throw new Error(`${peer} selects pods by the label key ${JSON.stringify(key)}, which Cilium gives every pod for its namespace (${CILIUM_POD_NAMESPACE_KEY}, `
      + `${CILIUM_NAMESPACE_LABELS_PREFIX}<key>), so a CiliumNetworkPolicy would read it as the pod's namespace, not as a label of the pods. `
      + 'Select the pods by a label of their own (e.g. app), and their namespace with Peer.podsInNamespace(name, pods) or Peer.podsInNamespaces(namespaces, pods).');
  }
  const matchLabels = { ...(pods.matchLabels ?? {}) };
  const matchExpressions = [...(pods.matchExpressions ?? [])];
  if (peer.namespaceName !== undefined) {
    matchLabels[CILIUM_NAMESPACE_LABEL] = peer.namespaceName;
  } else if (peer.namespaceSelector) {
    const namespaces: LabelSelectorJson = peer.namespaceSelector.toJson();
    for (const [k, v] of Object.entries(namespaces.matchLabels ?? {})) matchLabels[namespaceLabelKey(peer, k)] = v;
    for (const e of namespaces.matchExpressions ?? []) matchExpressions.push({ ...e, key: namespaceLabelKey(peer, e.key) });
    matchExpressions.push({ key: CILIUM_NAMESPACE_LABEL, operator: 'Exists' });
  }
  const json: LabelSelectorJson = {};
  const sortedLabels = Object.entries(matchLabels).sort(([a], [b]) => compareStrings(a, b));
  if (sortedLabels.length > 0) json.matchLabels = Object.fromEntries(sortedLabels);
  if (matchExpressions.length > 0) json.matchExpressions = matchExpressions;
  // The form says what the peer means in every release: never the version-dependent reading.
  const scope = ciliumPeerScope(json);
  const meant = peer.namespaceName !== undefined || peer.namespaceSelector ? CiliumPeerScope.ANY_NAMESPACE : CiliumPeerScope.OWN_NAMESPACE;
  if (scope !== meant) throw new Error(`${peer}: the CiliumNetworkPolicy selector ${JSON.stringify(json)} would select in ${scope}, not ${meant} (a bug of cdk8s-netpol: please report it).`);
  return ciliumEndpoints(json);
}

/**
 * The key of a namespace label in a Cilium endpoint selector, `k8s:io.cilium.k8s.namespace.labels.<key>`.
 * Cilium's agent validates a selector's keys in their stored form (`k8s.` and the key: selector.go
 * UnmarshalJSON, sanitize), which must be a label key, so a long key without a prefix may not fit.
 */
function namespaceLabelKey(peer: Peer, key: string): string {
  const stored = `k8s.${CILIUM_NAMESPACE_LABELS_PREFIX}${key}`;
  const problems = qualifiedNameProblems(stored);
  if (problems.length > 0) {
    throw new Error(`${peer} selects namespaces by the label ${JSON.stringify(key)}, which a CiliumNetworkPolicy selects as ${JSON.stringify(`k8s:${CILIUM_NAMESPACE_LABELS_PREFIX}${key}`)}, `
      + `and Cilium's agent rejects the policy, as ${JSON.stringify(stored)} (the key as Cilium stores it) is not a valid label key: ${problems.join('; ')}. `
      + 'Select the namespaces by a shorter label key (or one with a prefix, e.g. example.com/team), or name them (Peer.namespace(name), Peer.podsInNamespace(name, pods)), one peer each.');
  }
  return `k8s:${CILIUM_NAMESPACE_LABELS_PREFIX}${key}`;
}

/**
 * A port as a port of a Cilium rule: a number (with `endPort` for a range) or a container port name,
 * with its protocol. Every port of one protocol (`Port.allTcp()`) is refused: list the ports, or say
 * `Port.allTraffic()`.
 */
export function ciliumPort(port: Port): CiliumPort {
  if (port.isAllTraffic || port.isAllPortsOfProtocol) {
    throw new Error(`${port} cannot be a port of a CiliumNetworkPolicy rule here: list the ports (e.g. Port.tcp(443)), or write Port.allTraffic() for every port and protocol.`);
  }
  const json: CiliumPortJson = { port: port.portName ?? String(port.portNumber) };
  if (port.endPort !== undefined) json.endPort = port.endPort;
  json.protocol = port.protocol;
  return { json, key: port.key, port };
}

interface Entry {
  readonly peer: CiliumPeer;
  all: boolean;
  readonly l4: Map<string, CiliumPort>;
  readonly http: Map<string, { port: CiliumPort; rules: Map<string, HttpRule>; declarations: Set<string> }>;
  readonly dns: Map<string, { port: CiliumPort; patterns: Set<string> }>;
}

/** The rules of one list (`egress`, `egressDeny`, ...), merged per peer and rendered canonically. */
class CiliumRuleList {
  private readonly entries = new Map<string, Entry>();

  public get isEmpty(): boolean {
    return this.entries.size === 0;
  }

  /** The peers and ports that carry HTTP rules. */
  public httpSlots(): HttpSlot[] {
    return [...this.entries.values()].flatMap((e) => [...e.http.values()]
      .filter((h) => h.port.port)
      .map((h) => ({ peer: e.peer, port: h.port.port!, declarations: [...h.declarations].sort(compareStrings) })));
  }

  /** The allows without layer-7 rules: each peer with every port, or with its layer-4 ports. */
  public plainAllows(): Array<{ peer: CiliumPeer; ports: PortEntry[] }> {
    return [...this.entries.values()]
      .map((e) => ({ peer: e.peer, ports: e.all ? [ALL_TRAFFIC as PortEntry] : [...e.l4.values()].map(portEntryOf) }))
      .filter((a) => a.ports.length > 0);
  }

  public add(peer: CiliumPeer, ports: CiliumPort[] | 'all', l7?: { http?: HttpRule[]; dns?: string[] }, declaration = ''): void {
    let entry = this.entries.get(peer.key);
    if (!entry) {
      entry = { peer, all: false, l4: new Map(), http: new Map(), dns: new Map() };
      this.entries.set(peer.key, entry);
    }
    if (ports === 'all') {
      entry.all = true;
      return;
    }
    for (const port of ports) {
      if (l7?.http) {
        const slot = entry.http.get(port.key) ?? { port, rules: new Map(), declarations: new Set<string>() };
        for (const rule of l7.http) slot.rules.set(rule.key, rule);
        slot.declarations.add(declaration);
        entry.http.set(port.key, slot);
      } else if (l7?.dns) {
        const slot = entry.dns.get(port.key) ?? { port, patterns: new Set() };
        for (const p of l7.dns) slot.patterns.add(p);
        entry.dns.set(port.key, slot);
      } else {
        entry.l4.set(port.key, port);
      }
    }
  }

  /** The rules, peers with the same ports sharing one rule, everything sorted (by kind of peer, then ports, then peers). */
  public toJson(prefix: 'to' | 'from'): CiliumRuleJson[] {
    const groups = new Map<string, { field: CiliumPeerField; toPorts?: CiliumPortRuleJson[]; peers: CiliumPeer[] }>();
    const put = (peer: CiliumPeer, signature: string, toPorts: CiliumPortRuleJson[] | undefined) => {
      const key = `${FIELD_ORDER.indexOf(peer.field)}|${signature}`;
      const group = groups.get(key) ?? { field: peer.field, toPorts, peers: [] };
      group.peers.push(peer);
      groups.set(key, group);
    };
    for (const entry of this.entries.values()) {
      if (entry.all) put(entry.peer, '', undefined);
      const toPorts: CiliumPortRuleJson[] = [];
      const signature: string[] = [];
      const l4 = [...entry.l4.values()].sort((a, b) => compareStrings(a.key, b.key));
      if (l4.length > 0 && !entry.all) {
        toPorts.push({ ports: l4.map((p) => p.json) });
        signature.push(`l4:${l4.map((p) => p.key).join(',')}`);
      }
      for (const slot of [...entry.http.values()].sort((a, b) => compareStrings(a.port.key, b.port.key))) {
        const rules = [...slot.rules.values()].sort((a, b) => compareStrings(a.key, b.key));
        toPorts.push({ ports: [slot.port.json], rules: { http: rules.map((r) => r.toJson()) } });
        signature.push(`http:${slot.port.key}:${rules.map((r) => r.key).join(',')}`);
      }
      for (const slot of [...entry.dns.values()].sort((a, b) => compareStrings(a.port.key, b.port.key))) {
        const patterns = [...slot.patterns].sort(compareStrings);
        toPorts.push({ ports: [slot.port.json], rules: { dns: patterns.map((p) => (p.includes('*') ? { matchPattern: p } : { matchName: p })) } });
        signature.push(`dns:${slot.port.key}:${patterns.join(',')}`);
      }
      if (toPorts.length > 0) put(entry.peer, signature.join('|'), toPorts);
    }
    return [...groups.entries()].sort(([a], [b]) => compareStrings(a, b)).map(([, g]) => {
      const peers = g.peers.sort((a, b) => compareStrings(a.key, b.key)).map((p) => p.json);
      const rule: CiliumRuleJson = { [`${prefix}${g.field}`]: peers };
      if (g.toPorts) rule.toPorts = g.toPorts;
      return rule;
    });
  }
}

/** Properties of a `CiliumPolicy`. */
export interface CiliumPolicyProps {
  readonly namespace: string;
  readonly name: string;
  readonly pods: Selector;
  readonly direction: Direction;
  /** The endpoint the policy is for, as its declarations name it. */
  readonly endpointName: string;
  /** The phase of the endpoint (read at synth). @default - ENFORCE */
  readonly phase?: () => EnforcementPhase | undefined;
  /** The container ports of the policy's pods, when known (read at synth, for named ports of ingress rules). @default - unknown */
  readonly containerPorts?: () => ContainerPort[] | undefined;
}

/**
 * One `cilium.io/v2` CiliumNetworkPolicy of one endpoint and direction, holding what a NetworkPolicy
 * cannot say (DNS names, entities, HTTP rules, deny rules). Each rule records what it needs, and the
 * synth fails with the reason and the fix when the network target of the construct cannot express
 * it. Written by `NetworkPolicies`, next to the endpoint's NetworkPolicies.
 */
export class CiliumPolicy extends Construct {
  public readonly name: string;
  public readonly namespace: string;
  public readonly direction: Direction;
  public readonly apiObject: ApiObject;
  private readonly pods: Selector;
  private readonly endpointName: string;
  private readonly phase: () => EnforcementPhase | undefined;
  private readonly containerPorts: () => ContainerPort[] | undefined;
  private readonly allows = new CiliumRuleList();
  private readonly denies = new CiliumRuleList();
  private readonly needs = new Map<string, { feature: NetworkFeature; declaration: string }>();
  /** Every peer of a declaration, with the list it went in, for the identity-label check. */
  private readonly peers: Array<{ peer: CiliumPeer; list: string; declaration: string }> = [];

  constructor(scope: Construct, id: string, props: CiliumPolicyProps) {
    super(scope, id);
    this.name = props.name;
    this.namespace = props.namespace;
    this.direction = props.direction;
    this.pods = props.pods;
    this.endpointName = props.endpointName;
    this.phase = props.phase ?? (() => undefined);
    this.containerPorts = props.containerPorts ?? (() => undefined);
    this.apiObject = new ApiObject(this, 'Resource', {
      apiVersion: CILIUM_API_VERSION,
      kind: CILIUM_NETWORK_POLICY_KIND,
      metadata: { name: this.name, namespace: this.namespace, labels: { ...MANAGED_BY } },
      spec: Lazy.any({ produce: () => this.renderSpec() }),
    });
    this.node.addValidation({ validate: () => this.validate() });
  }

  /** Allows `peer` on `ports` (with HTTP rules when given). `declaration` names the call, for errors. */
  public _allow(peer: CiliumPeer, ports: CiliumPort[] | 'all', feature: NetworkFeature, declaration: string, http?: HttpRule[]): void {
    this.need(feature, declaration);
    this.peers.push({ peer, list: this.direction === Direction.INGRESS ? 'ingress' : 'egress', declaration });
    this.allows.add(peer, ports, http ? { http } : undefined, declaration);
    if (peer.field === 'FQDNs' && this.direction === Direction.EGRESS) {
      // Without it Cilium's DNS proxy never sees the lookups, and toFQDNs never matches an address.
      this.allows.add(KUBE_DNS_PEER, [DNS_PORT], { dns: ['*'] });
    }
  }

  /** Denies `peer` on `ports`; deny rules win over every allow, of any policy. */
  public _deny(peer: CiliumPeer, ports: CiliumPort[] | 'all', declaration: string): void {
    if (peer.field === 'FQDNs') {
      throw new Error(`${declaration}: Cilium has no deny rule by DNS name (egressDeny has no toFQDNs). Deny the addresses (ExternalDestination.cidrs) or isolate the pods and allow only the names they need.`);
    }
    this.need(NetworkFeature.DENY_RULES, declaration);
    this.peers.push({ peer, list: this.direction === Direction.INGRESS ? 'ingressDeny' : 'egressDeny', declaration });
    this.denies.add(peer, ports);
  }

  /**
   * The HTTP rules of this policy that a plain allow voids: Cilium adds up every allow of the same
   * pods and direction (this policy, the other CiliumNetworkPolicies and the enforced NetworkPolicies
   * of the namespace whose pods overlap these), and "if a layer 4 rule is specified in the policy,
   * and a similar layer 4 rule with layer 7 rules is also specified, then the layer 7 portions of
   * the latter rule will have no effect" (docs.cilium.io, Security, Layer 7 Policies). So an allow
   * without HTTP rules whose peer overlaps an HTTP rule's peer (`src/k8s/cilium-overlap.ts`, label
   * selectors by `selectorsOverlap`) on an overlapping port (`entriesOverlap`) lets every request of
   * the shared peers through: the HTTP rule the user declared would be void.
   */
  private voidedHttpRules(): string[] {
    const slots = this.allows.httpSlots();
    if (slots.length === 0) return [];
    const plain = this.plainAllowsAround();
    // A named port resolves on the destination: on ingress, this policy's pods.
    const destination = this.direction === Direction.INGRESS ? this.containerPorts() : undefined;
    const out: string[] = [];
    for (const slot of slots) {
      const shape = ciliumPeerShape(slot.peer.field, slot.peer.json, this.namespace);
      const voiding = plain.find((p) => peerShapesOverlap(shape, p.peer) && p.ports.some((e) => entriesOverlap(e, slot.port._entry, destination)));
      if (!voiding) continue;
      out.push(`the HTTP rules for ${JSON.stringify(slot.peer.json)} on ${slot.port} (${slot.declarations.join(', ')}) are void: ${voiding.where} also allows ${voiding.peerText} `
        + `on ${voiding.ports.map(portEntryLabel).join(', ')} without HTTP rules, which overlaps that peer and port, and Cilium adds the two up, so every request of the peers both take in passes. `
        + `Narrow the plain allow (allow(...), a recipe such as AllowSameNamespace, Peer.anyone(), Entity.cluster()) so it leaves out ${JSON.stringify(slot.peer.json)} on ${slot.port}, `
        + 'or remove the HTTP rules if every request is meant.');
    }
    return out;
  }

  /** Every allow without layer-7 rules that applies to pods of this policy in its direction. */
  private plainAllowsAround(): PlainAllow[] {
    const out: PlainAllow[] = [];
    const pods = this.pods.toJson();
    const dir = this.direction === Direction.INGRESS ? 'ingress' : 'egress';
    for (const c of this.node.root.node.findAll()) {
      if (c instanceof CiliumPolicy && c.namespace === this.namespace && c.direction === this.direction && selectorsOverlap(c.pods.toJson(), pods)) {
        for (const a of c.allows.plainAllows()) {
          const where = c === this ? 'this policy' : `CiliumNetworkPolicy ${c.namespace}/${c.name} [${c.node.path}]`;
          out.push({ where, peer: ciliumPeerShape(a.peer.field, a.peer.json, c.namespace), peerText: JSON.stringify(a.peer.json), ports: a.ports });
        }
      } else if (c instanceof NetworkPolicy && c.namespace === this.namespace && c.phase === EnforcementPhase.ENFORCE
        && selectorsOverlap(c.pods.toJson(), pods)) {
        for (const rule of c._rules(this.direction)) {
          for (const peer of rule.peers) {
            const where = `the NetworkPolicy ${c.namespace}/${c.name} [${c.node.path}] (its ${dir} rule)`;
            out.push({ where, peer: npPeerShape(peer, c.namespace), peerText: String(peer), ports: rule.ports.map((p) => p._entry) });
          }
        }
      }
    }
    return out;
  }

  /**
   * The selectors of this policy (its endpointSelector, and its endpoint peers) on a label key
   * Cilium's default label filter leaves out of security identities (`ciliumIdentityFilter`, the
   * predicate the analyser uses too): on the cluster such a selector selects no pod, so a deny or an
   * allow to it would be dropped without a word, and a policy whose subject is one restricts nothing.
   */
  private identityFilteredSelectors(): string[] {
    const out = new Set<string>();
    const why = (key: string, filter: string) => `the label key ${JSON.stringify(key)} is not part of a Cilium security identity (Cilium's default label filter excludes it: ${filter}, `
      + 'docs.cilium.io "Limiting Identity-Relevant Labels"), so on the cluster the selector selects no pod. Select by a label of the workload\'s own (e.g. app) instead.';
    const declarations = [...new Set([...this.needs.values()].map((n) => n.declaration))].sort(compareStrings);
    for (const [key, filter] of filteredKeys(this.pods.toJson())) {
      out.add(`${declarations.join(', ')}: the CiliumNetworkPolicy ${this.namespace}/${this.name} selects its pods (endpointSelector) by ${JSON.stringify(key)}, `
        + `so it applies to no pod and its rules restrict nothing: ${why(key, filter)}`);
    }
    for (const { peer, list, declaration } of this.peers) {
      if (peer.field !== 'Endpoints') continue;
      const field = `${list}[].${this.direction === Direction.INGRESS ? 'from' : 'to'}Endpoints`;
      for (const [key, filter] of filteredKeys(peer.json)) {
        out.add(`${declaration}: the CiliumNetworkPolicy ${this.namespace}/${this.name} would select the peer (${field}) by ${JSON.stringify(key)}, `
          + `so the ${list.endsWith('Deny') ? 'deny' : 'allow'} would match no pod: ${why(key, filter)}`);
      }
    }
    return [...out].sort(compareStrings);
  }

  private need(feature: NetworkFeature, declaration: string): void {
    this.needs.set(`${feature}|${declaration}`, { feature, declaration });
  }

  /** The policy as plain JSON, as it is synthesized. */
  public toManifest(): any {
    return {
      apiVersion: CILIUM_API_VERSION,
      kind: CILIUM_NETWORK_POLICY_KIND,
      metadata: { name: this.name, namespace: this.namespace, labels: { ...MANAGED_BY } },
      spec: this.renderSpec(),
    };
  }

  private renderSpec(): CiliumPolicySpecJson {
    const dir = this.direction === Direction.INGRESS ? 'ingress' : 'egress';
    const prefix = this.direction === Direction.INGRESS ? 'from' : 'to';
    const spec: CiliumPolicySpecJson = { endpointSelector: this.pods.toJson() };
    // A policy with only deny rules would also isolate its pods (Cilium's default for a direction
    // with rules): a deny must never change what else is allowed, so it says it does not.
    if (this.allows.isEmpty && !this.denies.isEmpty) spec.enableDefaultDeny = { [dir]: false };
    if (!this.allows.isEmpty) spec[dir] = this.allows.toJson(prefix);
    if (!this.denies.isEmpty) spec[`${dir}Deny`] = this.denies.toJson(prefix);
    return spec;
  }

  private validate(): string[] {
    const phase = this.phase() ?? EnforcementPhase.ENFORCE;
    if (phase !== EnforcementPhase.ENFORCE) {
      // Cilium enforces every CiliumNetworkPolicy it is given: there is no staged or observed form.
      const declarations = [...new Set([...this.needs.values()].map((n) => n.declaration))].sort(compareStrings);
      return [`${declarations.join(', ')}: endpoint ${JSON.stringify(this.endpointName)} is in phase ${phase}, but these rules need a CiliumNetworkPolicy, `
        + `which Cilium enforces as soon as it is applied (it has no ${phase === EnforcementPhase.STAGED ? 'staged' : 'observed'} form), so they would be enforced while the service is not. `
        + 'Promote the service to EnforcementPhase.ENFORCE (phase on addService, or on the stack), or use a plain dependency while it is not enforced '
        + '(allow(...) with endpoints, peers or ExternalDestination.cidrs instead of DNS names, entities, HTTP rules or deny rules).'];
    }
    const target = NetworkTarget.of(this);
    const refusals = [...this.needs.values()]
      .map((n) => target._refusal(n.feature, n.declaration))
      .filter((m): m is string => m !== undefined)
      .sort(compareStrings);
    if (refusals.length > 0) return refusals;
    const filtered = this.identityFilteredSelectors();
    if (filtered.length > 0) return filtered;
    const schema = checkCiliumPolicy(this.toManifest()).filter((f) => f.severity === Severity.ERROR).map(formatFinding);
    return [...schema, ...this.voidedHttpRules()];
  }
}

/** The keys of a Cilium selector (without their `k8s:`/`any:` source) that Cilium leaves out of identities, with the filter that drops each. */
function filteredKeys(selector: LabelSelectorJson): Array<[string, string]> {
  const keys = [...Object.keys(selector.matchLabels ?? {}), ...(selector.matchExpressions ?? []).map((e) => e.key)];
  const out: Array<[string, string]> = [];
  for (const key of keys) {
    const bare = key.replace(/^(k8s|any):/, '');
    const filter = ciliumIdentityFilter(bare);
    if (filter !== undefined) out.push([key, filter]);
  }
  return out;
}

/** The port entry of a Cilium port (made from a Port; one without is the DNS port of every protocol). */
function portEntryOf(port: CiliumPort): PortEntry {
  return port.port ? port.port._entry : ALL_TRAFFIC;
}

/** A NetworkPolicy peer of a policy in `namespace`, in the terms of the overlap test. */
function npPeerShape(peer: Peer, namespace: string): PeerShape {
  if (peer.isAnyone) return { kind: 'entity', entity: 'all' };
  const block = peer.addressBlock;
  if (block) return cidrShape(block.cidr, block.except);
  const pods = peer.podSelector ? peer.podSelector.toJson() : {};
  // A namespace selected by its labels may be any namespace: the labels are the cluster's.
  const ns = peer.namespaceName ?? (peer.namespaceSelector ? undefined : namespace);
  return { kind: 'pods', namespace: ns, pods };
}
