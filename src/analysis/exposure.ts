import { ciliumApplies } from './cilium-semantics';
import { ConnectivityGraph } from './connectivity-graph';
import { applicableRules, tierPolicies, tierRuleReference } from './precedence';
import { selects, Side } from './semantics';
import { RuleReference, TierRuleReference } from './verdict';
import { ciliumSelects } from '../inventory/cilium-policy';
import { Cluster, ClusterEndpoint, PolicyRule, RulePeer, TierPeer } from '../inventory/cluster';
import { PortEntry, portEntryLabel, resolveNamedPort } from '../k8s/port-set';
import { Direction } from '../model/direction';

/** Who a peer of an exposure stands for. */
export enum ExposurePeerKind {
  /**
   * Everyone: every pod of every namespace (present or not) and every address, because no policy
   * isolates this side of the workload, or a rule of an isolating policy has no peers.
   */
  ANYONE = 'ANYONE',
  /** Pods chosen by selectors: of namespaces (by name or by labels), with or without pod labels. */
  PODS = 'PODS',
  /** Addresses of an ipBlock (its CIDR minus its excepts): outside the cluster, or pod IPs where the network plugin applies ipBlocks to them. */
  ADDRESSES = 'ADDRESSES',
  /** Nodes by their labels (a `nodes` peer of a cluster-wide policy: the nodes' addresses). */
  NODES = 'NODES',
  /** Destinations by DNS name (a `domainNames` peer of a cluster-wide policy). */
  DOMAIN_NAMES = 'DOMAIN_NAMES',
}

/**
 * One kind of peer a workload is exposed to (or may reach), derived from the selectors of the rules,
 * so it covers pods and namespaces that the manifests do not contain yet.
 */
export interface ExposurePeer {
  /** Everyone, pods by selectors, or addresses. */
  readonly kind: ExposurePeerKind;
  /** In words: `any pod of a namespace labelled team=x`, `any pod labelled app=y in namespace z`, `any address in 0.0.0.0/0 except 10.0.0.0/8`. */
  readonly description: string;
  /** The one namespace of the pods, when the peer names it (a pod selector alone: the policy's namespace). @default - any namespace its selector matches */
  readonly namespace?: string;
  /** kubectl's text of the namespace selector (`team=x`, `<all>`), when namespaces are chosen by labels. @default - none */
  readonly namespaceSelector?: string;
  /** kubectl's text of the pod selector (`app=web`). @default - any pod of those namespaces */
  readonly podSelector?: string;
  /** The ipBlock's CIDR. @default - not an ipBlock */
  readonly cidr?: string;
  /** The ipBlock's excepts. @default - none */
  readonly except?: string[];
  /** The ports it is allowed on, e.g. `8080/TCP`, `http/TCP (8080)`, `all traffic`, in the order the rules give them. */
  readonly ports: string[];
  /** The NetworkPolicy rules that allow it (empty for a side no policy isolates, and for a peer only a cluster-wide rule admits). */
  readonly rules: RuleReference[];
  /**
   * The Admin-tier Allow/Accept rules of cluster-wide policies that admit it (final: no NetworkPolicy can narrow them).
   * @default - none
   */
  readonly tierRules?: TierRuleReference[];
}

/** A workload of the input that can connect (both sides allow it), with the ports. */
export interface ExposedEndpoint {
  /** The endpoint id: `<namespace>/<name>`, or an external endpoint's name. */
  readonly id: string;
  /** The ports, as the connectivity graph labels them (`8080/TCP`, `all TCP ports`, `all traffic`). */
  readonly ports: string[];
}

/**
 * Who could reach a workload (ingress), or whom it could reach (egress): the peers its policies'
 * rules admit, derived from their selectors (so pods and namespaces not in the manifests are
 * covered), and the endpoints present in the input that can connect, with both sides deciding.
 * Plain data: `TextFormat.exposure`, `JsonFormat.exposure` and `MarkdownFormat.exposure` render it.
 */
export interface Exposure {
  /** The workload: `<namespace>/<name>`. */
  readonly workload: string;
  /** INGRESS: who could reach it; EGRESS: whom it could reach. */
  readonly direction: Direction;
  /** Whether some policy isolates this side; when not, `peers` is one `ANYONE` peer on all traffic. */
  readonly isolated: boolean;
  /** The policies that isolate this side (`<namespace>/<name>`). */
  readonly isolatingPolicies: string[];
  /** Who, from the selectors: ANYONE first, then pods, then addresses, each sorted by description. */
  readonly peers: ExposurePeer[];
  /** The endpoints of the input that can connect (the other side's policies allowing it too), sorted by id. */
  readonly endpoints: ExposedEndpoint[];
  /**
   * The cluster-wide policies (AdminNetworkPolicy, BaselineAdminNetworkPolicy, ClusterNetworkPolicy)
   * whose subject selects the workload and that have rules for this side, in evaluation order. When
   * there are any, `peers` also lists what their Admin-tier Allow/Accept rules admit; their Deny and
   * Pass rules and the Baseline tier can only narrow what `peers` lists, never widen it (so `peers`
   * may say more than is reachable, never less), and `endpoints` is exact.
   * @default - none select it
   */
  readonly tierPolicies?: string[];
  /**
   * The Cilium policies (`<kind> <namespace>/<name>`, sorted) whose endpointSelector selects the
   * workload but that do not isolate this side: `enableDefaultDeny` is false for it (as it is by
   * default for a direction without rules; cilium/cilium pkg/policy/api rule.go), and they have no
   * rules for it (a Cilium policy with rules for this side refuses the exposure). Set only when
   * nothing isolates the side, so that "not isolated" names them rather than saying no policy selects it.
   * @default - none
   */
  readonly selectedWithoutDefaultDeny?: string[];
}

/** The words of an `ANYONE` peer. */
export const ANYONE_DESCRIPTION = 'anyone: every pod of every namespace and every address';

/**
 * The Cilium policies (`<kind> <namespace>/<name>`, sorted, once each) with rules for `workload`'s
 * side `direction`: an exposure they take part in cannot be described from selectors.
 */
export function ciliumDeciders(cluster: Cluster, workload: ClusterEndpoint, direction: Direction): string[] {
  const side: Side = direction === Direction.INGRESS ? 'ingress' : 'egress';
  return [...new Set(cluster.ciliumPolicies.filter((p) => ciliumApplies(cluster, p, side, workload)).map((p) => `${p.kind} ${p.id}`))].sort();
}

/**
 * The exposure of `workload` in `direction` (ingress: who could reach it; egress: whom it could
 * reach), from the rules of the policies that select it; `graph` gives the endpoints of the input
 * that can connect (`Reachability.connectivity()` over every port that matters).
 */
export function computeExposure(cluster: Cluster, workload: ClusterEndpoint, direction: Direction, graph: ConnectivityGraph): Exposure {
  const side: Side = direction === Direction.INGRESS ? 'ingress' : 'egress';
  // The peers are read from the NetworkPolicies' rules; Cilium's rules (endpoints, entities, FQDNs,
  // deny rules) are not described here, so an exposure they take part in is refused, not understated.
  const cilium = ciliumDeciders(cluster, workload, direction);
  if (cilium.length > 0) {
    throw new Error(`cannot describe the ${side} exposure of ${workload.id}: ${cilium.join(', ')} `
      + `${cilium.length === 1 ? 'has' : 'have'} ${side} rules for it, and the exposure lists the peers of NetworkPolicy rules only. `
      + 'Ask the analyser instead: netpol matrix, or netpol explain for the connections that matter.');
  }
  const isolating = cluster.policies.filter((p) => selects(p, side, workload));
  const peers = new Map<string, { peer: Omit<ExposurePeer, 'ports' | 'rules'>; ports: string[]; rules: RuleReference[] }>();
  const tierRulesOf = new Map<string, TierRuleReference[]>();
  const add = (peer: Omit<ExposurePeer, 'ports' | 'rules'>, ports: string[], rule?: RuleReference, tierRule?: TierRuleReference) => {
    const key = `${peer.kind}\u0000${peer.description}`;
    const entry = peers.get(key) ?? { peer, ports: [], rules: [] };
    for (const p of ports) if (!entry.ports.includes(p)) entry.ports.push(p);
    if (rule) entry.rules.push(rule);
    if (tierRule) tierRulesOf.set(key, [...(tierRulesOf.get(key) ?? []), tierRule]);
    peers.set(key, entry);
  };
  // The Admin tier comes first, and its Allow/Accept is final: whatever it admits is exposure,
  // whatever the NetworkPolicies say. (Its Deny and Pass, and the Baseline tier, only narrow.)
  const tiered = (['admin', 'baseline'] as const).flatMap((tier) => tierPolicies(cluster, tier))
    .filter((p) => (side === 'ingress' ? p.ingress : p.egress).length > 0 && applicableRules(cluster, [p], side, workload).length > 0);
  for (const r of applicableRules(cluster, tiered.filter((p) => p.tier === 'admin'), side, workload)) {
    const { rule } = r;
    if (rule.action !== 'allow') continue;
    const ports = rule.ports.flatMap((e) => portLabel(e, side, workload));
    if (ports.length === 0) continue;
    for (const peer of rule.peers) add(describeTierPeer(peer), ports, undefined, tierRuleReference(r, side));
  }
  if (isolating.length === 0) {
    add({ kind: ExposurePeerKind.ANYONE, description: ANYONE_DESCRIPTION }, ['all traffic']);
  }
  for (const policy of isolating) {
    const rules: PolicyRule[] = (side === 'ingress' ? policy.ingress : policy.egress)!;
    for (const rule of rules) {
      const ports = rule.ports.flatMap((e) => portLabel(e, side, workload));
      if (ports.length === 0) continue; // only named ports the workload does not declare: the rule admits nothing to it
      const ref: RuleReference = { policy: policy.id, direction: side, rule: rule.index, byIpBlock: false };
      if (rule.peers === undefined) {
        add({ kind: ExposurePeerKind.ANYONE, description: ANYONE_DESCRIPTION }, ports, ref);
        continue;
      }
      for (const peer of rule.peers) add(describePeer(peer, policy.namespace), ports, { ...ref, byIpBlock: peer.kind === 'ipBlock' });
    }
  }
  const order = [ExposurePeerKind.ANYONE, ExposurePeerKind.PODS, ExposurePeerKind.ADDRESSES, ExposurePeerKind.NODES, ExposurePeerKind.DOMAIN_NAMES];
  const list = [...peers.entries()]
    .map(([key, { peer, ports, rules }]) => ({ ...peer, ports, rules, ...(tierRulesOf.has(key) ? { tierRules: tierRulesOf.get(key) } : {}) }))
    .sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind) || (a.description < b.description ? -1 : a.description > b.description ? 1 : 0));
  const endpoints = graph.edges
    .filter((e) => (side === 'ingress' ? e.to === workload.id : e.from === workload.id))
    .map((e) => ({ id: side === 'ingress' ? e.from : e.to, ports: [...e.ports] }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  // Cilium policies that select it without isolating this side (with rules for it they refused the exposure above).
  const soft = isolating.length > 0 ? [] : [...new Set(cluster.ciliumPolicies
    .filter((p) => !p.defaultDeny[side] && ciliumSelects(cluster, p.subject, workload, 'may')).map((p) => `${p.kind} ${p.id}`))].sort();
  return {
    workload: workload.id,
    direction,
    isolated: isolating.length > 0,
    isolatingPolicies: isolating.map((p) => p.id),
    peers: list,
    endpoints,
    ...(tiered.length > 0 ? { tierPolicies: tiered.map((p) => `${p.kind} ${p.id}`) } : {}),
    ...(soft.length > 0 ? { selectedWithoutDefaultDeny: soft } : {}),
  };
}

/**
 * The words for a side that nothing isolates (`isolated` false, no cluster-wide policy deciding):
 * no policy selects it, or the Cilium policies that select it without isolating it.
 */
export function notIsolatedWords(side: string, selectedWithoutDefaultDeny: readonly string[] | undefined): string {
  if (selectedWithoutDefaultDeny === undefined || selectedWithoutDefaultDeny.length === 0) return `not isolated (no policy selects it for ${side}), so everything is allowed`;
  const one = selectedWithoutDefaultDeny.length === 1;
  return `not isolated: ${selectedWithoutDefaultDeny.join(', ')} select${one ? 's' : ''} it but ${one ? 'does' : 'do'} not isolate it for ${side} `
    + `(enableDefaultDeny.${side} is false, as it is by default for a direction without rules, and ${one ? 'it has' : 'they have'} no ${side} rules), so everything is allowed`;
}

/** A peer of a cluster-wide rule, in words and fields (as `describePeer` says a NetworkPolicy peer). */
function describeTierPeer(peer: TierPeer): Omit<ExposurePeer, 'ports' | 'rules'> {
  switch (peer.kind) {
    case 'networks': return { kind: ExposurePeerKind.ADDRESSES, description: `any address in ${peer.text.slice('networks '.length)}` };
    case 'nodes': return { kind: ExposurePeerKind.NODES, description: `any node: ${peer.text}` };
    case 'domainNames': return { kind: ExposurePeerKind.DOMAIN_NAMES, description: `any destination named ${peer.text.slice('domainNames '.length)}` };
    case 'namespaces': {
      const selector = peer.text.slice('namespaces '.length);
      return { kind: ExposurePeerKind.PODS, description: selector === '<all>' ? 'any pod of any namespace' : `any pod of a namespace labelled ${selector}`, namespaceSelector: selector };
    }
    case 'pods': return { kind: ExposurePeerKind.PODS, description: `any ${peer.text}` };
  }
}

/**
 * The label of a rule's port entry for the exposure of `workload` on `side`. On ingress the
 * workload is the destination, so a named port resolves on its container ports (`http/TCP (8080)`),
 * and a name it does not declare admits nothing (no label). On egress the destination is the peer,
 * so the name stays a name, resolved on each destination.
 */
function portLabel(entry: PortEntry, side: Side, workload: ClusterEndpoint): string[] {
  if (entry.kind !== 'named') return [portEntryLabel(entry)];
  if (side === 'egress') return [`${portEntryLabel(entry)} (named: the port of that name on each destination)`];
  const port = resolveNamedPort(entry.name, entry.protocol, workload.ports);
  return port ? [`${portEntryLabel(entry)} (${port.number})`] : [];
}

/** A peer of a rule of a policy in `policyNamespace`, in words and fields. */
function describePeer(peer: RulePeer, policyNamespace: string): Omit<ExposurePeer, 'ports' | 'rules'> {
  if (peer.kind === 'ipBlock') {
    const cidr = peer.cidrText;
    const except = peer.exceptTexts;
    return {
      kind: ExposurePeerKind.ADDRESSES,
      description: `any address in ${cidr}${except.length > 0 ? ` except ${except.join(', ')}` : ''}`,
      cidr,
      ...(except.length > 0 ? { except } : {}),
    };
  }
  const pods = peer.podSelectorText === undefined || peer.podSelectorText === '<all>' ? undefined : peer.podSelectorText;
  const who = pods === undefined ? 'any pod' : `any pod labelled ${pods}`;
  const podField = pods === undefined ? {} : { podSelector: pods };
  if (peer.namespaceSelectorText === undefined) {
    return { kind: ExposurePeerKind.PODS, description: `${who} in namespace ${policyNamespace}`, namespace: policyNamespace, ...podField };
  }
  if (peer.namespaceName !== undefined) {
    return { kind: ExposurePeerKind.PODS, description: `${who} in namespace ${peer.namespaceName}`, namespace: peer.namespaceName, ...podField };
  }
  const namespaces = peer.namespaceSelectorText === '<all>'
    ? (pods === undefined ? 'of any namespace' : 'in any namespace')
    : `${pods === undefined ? 'of' : 'in'} a namespace labelled ${peer.namespaceSelectorText}`;
  return { kind: ExposurePeerKind.PODS, description: `${who} ${namespaces}`, namespaceSelector: peer.namespaceSelectorText, ...podField };
}
