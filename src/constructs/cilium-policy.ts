import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { NetworkFeature, NetworkTarget } from './network-target';
import {
  CILIUM_API_VERSION, CILIUM_NAMESPACE_LABEL, CILIUM_NETWORK_POLICY_KIND, CiliumPolicySpecJson, CiliumPortJson, CiliumPortRuleJson, CiliumRuleJson,
} from '../k8s/cilium-manifest';
import { checkCiliumPolicy } from '../k8s/cilium-rules';
import { formatFinding, Severity } from '../k8s/finding';
import { LabelSelectorJson } from '../k8s/manifest';
import { entryCovers } from '../k8s/port-set';
import { HttpRule } from '../model/cilium';
import { Direction } from '../model/direction';
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

/** An HTTP rule's peer and port, which a plain allow of the same peer and port would make void. */
export interface HttpSlot {
  readonly peer: CiliumPeer;
  readonly port: Port;
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
 * A NetworkPolicy peer as a peer of a CiliumNetworkPolicy in the namespace of the policy: pods by
 * their labels (in the policy's namespace unless the peer names one, through Cilium's namespace label
 * `k8s:io.kubernetes.pod.namespace`), every namespace (the label exists), an address block as a CIDR
 * set with its exceptions, anyone as the entity `all`. A peer that selects namespaces by their labels
 * cannot be said: Cilium honours namespace labels only in cluster-wide policies.
 */
export function ciliumPeer(peer: Peer): CiliumPeer {
  if (peer.isAnyone) return entityPeer('all');
  if (peer.addressBlock) {
    const json = peer.addressBlock.toJson();
    return { field: 'CIDRSet', json, key: `c|${JSON.stringify(json)}` };
  }
  const pods: LabelSelectorJson = peer.podSelector ? peer.podSelector.toJson() : {};
  const matchLabels = { ...(pods.matchLabels ?? {}) };
  const matchExpressions = [...(pods.matchExpressions ?? [])];
  if (peer.namespaceName !== undefined) {
    matchLabels[CILIUM_NAMESPACE_LABEL] = peer.namespaceName;
  } else if (peer.namespaceSelector) {
    if (!peer.namespaceSelector.isAll) {
      throw new Error(`${peer} selects namespaces by their labels, which a CiliumNetworkPolicy cannot say (Cilium honours namespace labels only in a CiliumClusterwideNetworkPolicy). `
        + 'Name the namespaces instead (Peer.namespace(name), Peer.podsInNamespace(name, pods)), one peer each.');
    }
    matchExpressions.push({ key: CILIUM_NAMESPACE_LABEL, operator: 'Exists' });
  }
  const json: LabelSelectorJson = {};
  const sortedLabels = Object.entries(matchLabels).sort(([a], [b]) => compareStrings(a, b));
  if (sortedLabels.length > 0) json.matchLabels = Object.fromEntries(sortedLabels);
  if (matchExpressions.length > 0) json.matchExpressions = matchExpressions;
  return ciliumEndpoints(json);
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
  readonly http: Map<string, { port: CiliumPort; rules: Map<string, HttpRule> }>;
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
      .map((h) => ({ peer: e.peer, port: h.port.port! })));
  }

  /** Whether this list allows `peer` on `port` without layer-7 rules (every port, or the port itself). */
  public allowsPlainly(peer: CiliumPeer, port: Port): boolean {
    const e = this.entries.get(peer.key);
    return e !== undefined && (e.all || [...e.l4.values()].some((p) => p.port !== undefined && entryCovers(p.port._entry, port._entry)));
  }

  public add(peer: CiliumPeer, ports: CiliumPort[] | 'all', l7?: { http?: HttpRule[]; dns?: string[] }): void {
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
        const slot = entry.http.get(port.key) ?? { port, rules: new Map() };
        for (const rule of l7.http) slot.rules.set(rule.key, rule);
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
  private readonly allows = new CiliumRuleList();
  private readonly denies = new CiliumRuleList();
  private readonly needs = new Map<string, { feature: NetworkFeature; declaration: string }>();
  /** Checks that run at synth (the plain allows of the endpoint's NetworkPolicy that would void HTTP rules). */
  private readonly checks: Array<() => string[]> = [];

  constructor(scope: Construct, id: string, props: CiliumPolicyProps) {
    super(scope, id);
    this.name = props.name;
    this.namespace = props.namespace;
    this.direction = props.direction;
    this.pods = props.pods;
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
    this.allows.add(peer, ports, http ? { http } : undefined);
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
    this.denies.add(peer, ports);
  }

  /**
   * The HTTP rules of this policy that a plain allow of the same peer and port voids: Cilium lets
   * through every request that a rule without layer-7 rules allows, in this policy or in `plain`
   * (a NetworkPolicy rule of the same pods and direction, as peers and ports).
   * @internal
   */
  public _voidedHttpRules(plain: Array<{ peer: CiliumPeer; ports: Port[] }>): string[] {
    const out: string[] = [];
    for (const slot of this.allows.httpSlots()) {
      const inPolicy = this.allows.allowsPlainly(slot.peer, slot.port);
      const covers = (p: Port) => p.isAllTraffic || entryCovers(p._entry, slot.port._entry);
      const inPlain = plain.some((r) => r.peer.key === slot.peer.key && r.ports.some(covers));
      if (!inPolicy && !inPlain) continue;
      out.push(`the HTTP rules for ${JSON.stringify(slot.peer.json)} on ${slot.port} are void: ${inPolicy ? 'this policy' : 'the NetworkPolicy of the same pods'} also allows that peer on that port without HTTP rules, `
        + 'and Cilium then lets every request through. Remove the plain allow of that connection (allow(...) or a recipe), or the HTTP rules if every request is meant.');
    }
    return out;
  }

  /** @internal */
  public _addCheck(check: () => string[]): void {
    this.checks.push(check);
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
    const target = NetworkTarget.of(this);
    const refusals = [...this.needs.values()]
      .map((n) => target._refusal(n.feature, n.declaration))
      .filter((m): m is string => m !== undefined)
      .sort(compareStrings);
    if (refusals.length > 0) return refusals;
    const schema = checkCiliumPolicy(this.toManifest()).filter((f) => f.severity === Severity.ERROR).map(formatFinding);
    return [...schema, ...this.checks.flatMap((c) => c()), ...this._voidedHttpRules([])].filter((m, i, all) => all.indexOf(m) === i);
  }
}
