import { notPolicedVerdict, policedVerdict, RuleReference, SideVerdict } from './verdict';
import {
  Cluster, ClusterEndpoint, ClusterPolicy, domainNameMatches, ipBlockContains, PolicyRule, RulePeer, TierPeer, unknownIpMayBeIn,
} from '../inventory/cluster';
import { cidrContains, formatIp, ParsedCidr, ParsedIp } from '../k8s/cidr';
import { PortSet, resolveNamedPort, setMatches, Traffic } from '../k8s/port-set';

export type { Traffic } from '../k8s/port-set';

/** A port as asked about: a number or a container port name, with a protocol. */
export interface PortQuery {
  readonly port?: number;
  readonly name?: string;
  readonly protocol: string;
}

/** The direction of a policy check. */
export type Side = 'ingress' | 'egress';

/**
 * How the parts of the input the model cannot decide are read (a namespace selector over a
 * namespace without its Namespace object, an undecided Cilium selector, a tier rule that may or may
 * not match):
 * - `failClosed` (every verdict, the default): an allow applies only where it must, a deny and
 *   isolation wherever they may, so "allowed" holds in every reading of the input;
 * - `widest`: the opposite, an allow applies wherever it may, a deny and isolation only where they
 *   must, so "denied" holds in every reading. What a proof of absence needs (the strict search of
 *   the invariants): a connection some reading allows is allowed here.
 * Each rule takes it where it lives (`allowMatches`, `ruleBound`, `combineTiers`).
 */
export type Reading = 'failClosed' | 'widest';

/**
 * Whether an allow applies by a match the input may leave open (`undefined`: may or may not): in
 * the fail-closed reading only a certain match, in the widest any that may be.
 */
export function allowMatches(m: boolean | undefined, reading: Reading = 'failClosed'): boolean {
  return reading === 'widest' ? m !== false : m === true;
}

/**
 * The port a query means at `destination`: a number as is; a name resolved on the destination's
 * container ports by name and the query's protocol (`resolveNamedPort`). Undefined when the
 * destination has no such port.
 */
export function resolveTraffic(destination: ClusterEndpoint, query: PortQuery): Traffic | undefined {
  if (query.name === undefined) return { port: query.port!, protocol: query.protocol };
  const port = resolveNamedPort(query.name, query.protocol, destination.ports);
  return port ? { port: port.number, protocol: port.protocol } : undefined;
}

/**
 * How many of an end's addresses `inside` holds: `all` (every one, and the input gave every one),
 * `some` (one is inside and another is not, or an address field of the end could not be read:
 * `ClusterEndpoint.ipsIncomplete`, taken for an address outside), or `none`. A connection to or
 * from an end uses one of its addresses (a dual-stack pod has an IPv4 and an IPv6 one), so a peer
 * matches an end for every connection only when it holds them all; where it holds some, whether it
 * matches depends on the address the connection uses, which "can A reach B" does not fix: an allow
 * is then taken not to match, a Deny to match.
 */
export function addressesInside(endpoint: ClusterEndpoint, inside: (ip: ParsedIp) => boolean): 'all' | 'some' | 'none' {
  let held = 0;
  for (const ip of endpoint.ips) if (inside(ip)) held++;
  if (held === 0) return 'none';
  return held === endpoint.ips.length && endpoint.ipsIncomplete !== true ? 'all' : 'some';
}

/**
 * Whether a block of addresses that holds `held` of an end's addresses (`addressesInside`) matches
 * the end: `all` matches, `none` does not, and `some` is left open (`undefined`): the connection may
 * use an address the block holds, or one it does not. The one rule of a partial block (NetworkPolicy
 * ipBlocks, Cilium toCIDR/toCIDRSet); each rule reads it in its reading (`allowMatches`, `ruleBound`):
 * fail closed an allow takes it not to match and a deny to match, in the widest reading the other
 * way round (a dual-stack end whose IPv4 address an allow holds may be reached over IPv4).
 */
export function addressesMatch(held: 'all' | 'some' | 'none'): boolean | undefined {
  return held === 'all' ? true : held === 'none' ? false : undefined;
}

/** An end's addresses for a note: `10.0.0.5, fd00::5`, and one the input does not give where a field could not be read. */
export function describeAddresses(endpoint: ClusterEndpoint): string {
  return `${endpoint.ips.map(formatIp).join(', ')}${endpoint.ipsIncomplete ? ', and one the input does not give' : ''}`;
}

/**
 * Whether a peer of a policy in `policyNamespace` matches `endpoint`. An ipBlock matches an end
 * only when it holds every address of it (`addressesInside`): one that holds an IPv4 address of a
 * dual-stack pod and not its IPv6 one does not allow the connections to the IPv6 one, and a
 * NetworkPolicy rule only allows, so "no match" is the reading that never allows more than the
 * cluster does (the rule's ipBlocks together may still hold every address: `rulePeerMatch`). In the
 * widest reading it matches where it holds some (`addressesMatch`): the connection may use that address.
 */
export function peerMatches(cluster: Cluster, policyNamespace: string, peer: RulePeer, endpoint: ClusterEndpoint, reading: Reading = 'failClosed'): boolean {
  if (peer.kind === 'ipBlock') {
    // Cilium (its policies are in the input) enforces ipBlocks as CIDR rules, which "do not apply to
    // traffic where both sides of the connection are either managed by Cilium or use an IP belonging
    // to a node in the cluster (including host networking pods)" (docs.cilium.io, Layer 3 Policies,
    // IP/CIDR based; nodes only under policy-cidr-match-mode: nodes, not the default).
    if (cluster.runsCilium && !endpoint.external) return false;
    // A block that holds some of the end's addresses: the rule only allows, so it is taken not to
    // match, except in the widest reading (`addressesMatch`, `allowMatches`). Likewise a block that
    // may hold an address the input does not give (`unknownIpMayBeIn`: outside its excepts, and inside the pod CIDRs for a pod).
    const held = addressesMatch(addressesInside(endpoint, (ip) => ipBlockContains(peer, ip)));
    const unknown = held === false && unknownIpMayBeIn({ cidrs: [peer.cidr], everywhere: false, except: peer.except }, endpoint, cluster.podCidrs);
    return allowMatches(unknown ? undefined : held, reading);
  }
  // Node traffic (a hostNetwork pod under the node-traffic mode) is never matched by pod or namespace selectors.
  if (endpoint.external || endpoint.nodeTraffic || endpoint.namespace === undefined) return false;
  if (peer.namespaceSelector) {
    // A namespace without its Namespace object: a selector its known labels do not settle may match
    // or not, and a NetworkPolicy rule only allows, so it is taken not to (`Cluster.namespaceMatches`),
    // except in the widest reading (`allowMatches`).
    if (!allowMatches(cluster.namespaceMatches(peer.namespaceSelector, endpoint.namespace), reading)) return false;
  } else if (endpoint.namespace !== policyNamespace) {
    return false;
  }
  return peer.podSelector ? peer.podSelector.matches(endpoint.labels) : true;
}

/**
 * The peer of a NetworkPolicy rule by which it matches `endpoint`, or undefined: the first peer
 * that matches it (`peerMatches`), else, for an end with several addresses (a dual-stack pod), the
 * first of the rule's ipBlocks when they together hold every address of it (an IPv4 block and an
 * IPv6 block: each connection uses one address, and one of the blocks holds it).
 */
export function rulePeerMatch(
  cluster: Cluster, policyNamespace: string, peers: readonly RulePeer[], endpoint: ClusterEndpoint, reading: Reading = 'failClosed',
): RulePeer | undefined {
  const one = peers.find((p) => peerMatches(cluster, policyNamespace, p, endpoint, reading));
  if (one !== undefined || (endpoint.ips.length < 2 && !endpoint.ipsIncomplete) || (cluster.runsCilium && !endpoint.external)) return one;
  const blocks = ipBlocksOf(peers);
  if (blocks.length < 2 || addressesInside(endpoint, (ip) => blocks.some((b) => ipBlockContains(b, ip))) !== 'all') return undefined;
  return blocks.find((b) => endpoint.ips.some((ip) => ipBlockContains(b, ip)));
}

/**
 * Whether the ipBlocks of a rule that does not match the end (`rulePeerMatch` said no) hold some of
 * its addresses: the connections that use the others are not allowed by the rule, and the pair
 * reads "not allowed" by it. For the note that says so.
 */
function ipBlocksHoldSome(cluster: Cluster, peers: readonly RulePeer[], endpoint: ClusterEndpoint): boolean {
  if (cluster.runsCilium && !endpoint.external) return false;
  const blocks = ipBlocksOf(peers);
  return blocks.length > 0 && addressesInside(endpoint, (ip) => blocks.some((b) => ipBlockContains(b, ip))) === 'some';
}

function ipBlocksOf(peers: readonly RulePeer[]): Array<Extract<RulePeer, { kind: 'ipBlock' }>> {
  return peers.filter((p): p is Extract<RulePeer, { kind: 'ipBlock' }> => p.kind === 'ipBlock');
}

/** Whether a rule's ports allow `traffic` to `destination` (named ports are resolved on the destination). */
export function portsMatch(ports: PortSet, traffic: Traffic, destination: ClusterEndpoint): boolean {
  return setMatches(ports, traffic, destination.ports);
}

/**
 * Whether `other` is the own node of `self` on `self`'s ingress: node traffic (a Node's end, a
 * hostNetwork pod under the node-traffic mode, the API server on a node) of the node the pod runs
 * on. That traffic always reaches the pod, whatever the policies: "traffic to and from the node
 * where a Pod is running is always allowed, regardless of the IP address of the Pod or the node"
 * (Kubernetes docs, Network Policies); Cilium lets the local host reach its endpoints by default
 * (docs.cilium.io, the `host` entity; agent option allow-localhost). Only the pod's ingress: the
 * pod's egress to its node stays with the policies, as Cilium polices it (`toEntities: host`) and
 * the NetworkPolicy API lets egress rules name node IPs. An end whose node is not known is never
 * taken as a pod's own node (never a broader allow than the model can tell). A Cilium deny rule
 * that matches the node still denies (`decideSide`).
 */
export function fromOwnNode(side: Side, self: ClusterEndpoint, other: ClusterEndpoint): boolean {
  if (side !== 'ingress' || self.external || self.nodeTraffic || !other.nodeTraffic) return false;
  return self.node !== undefined && other.node === self.node;
}

/** Whether a policy selects a pod for a direction (never node traffic: a hostNetwork pod under the node-traffic mode). */
export function selects(policy: ClusterPolicy, side: Side, endpoint: ClusterEndpoint): boolean {
  const rules = side === 'ingress' ? policy.ingress : policy.egress;
  if (rules === undefined || endpoint.external || endpoint.nodeTraffic) return false;
  return endpoint.namespace === policy.namespace && policy.podSelector.matches(endpoint.labels);
}

/**
 * One side of a connection, straight from the rules (no precomputation): the reference semantics.
 * `self` is the pod whose policies are checked (the destination for ingress, the source for egress),
 * `other` the pod on the other end.
 */
export function evaluateSide(cluster: Cluster, side: Side, self: ClusterEndpoint, other: ClusterEndpoint, traffic: Traffic): SideVerdict {
  if (self.external) return notPolicedVerdict();
  const destination = side === 'ingress' ? self : other;
  const isolatingPolicies: string[] = [];
  const allowedBy: RuleReference[] = [];
  const partly: string[] = [];
  for (const policy of cluster.policies) {
    if (!selects(policy, side, self)) continue;
    isolatingPolicies.push(policy.id);
    const rules: PolicyRule[] = (side === 'ingress' ? policy.ingress : policy.egress)!;
    for (const rule of rules) {
      if (!portsMatch(rule.ports, traffic, destination)) continue;
      const peer = rule.peers === undefined ? 'all' : rulePeerMatch(cluster, policy.namespace, rule.peers, other);
      if (peer) allowedBy.push({ policy: policy.id, direction: side, rule: rule.index, byIpBlock: peer !== 'all' && peer.kind === 'ipBlock' });
      else if (ipBlocksHoldSome(cluster, rule.peers!, other)) partly.push(`${policy.id} ${side}[${rule.index}]`);
    }
  }
  const verdict = policedVerdict(isolatingPolicies, allowedBy);
  if (partly.length === 0 || allowedBy.length > 0) return verdict;
  return {
    ...verdict,
    failClosedNotes: [`decided fail closed: some addresses: the ipBlocks of ${partly.join(', ')} hold some of ${other.id}'s addresses `
      + `(${describeAddresses(other)}) and not the others, `
      + 'so the connections that use the others are not allowed by them, and the rule is taken not to match. '
      + 'Give the rule an ipBlock of each address family (an IPv4 and an IPv6 one) to allow every connection'],
  };
}

/**
 * Whether a peer of a cluster-wide rule matches the other end: `namespaces`/`pods` by the namespace's
 * and the pod's labels (never host-networked pods or external endpoints); `networks` by any IP of
 * the end, pods' too (the API: cluster-internal traffic is checked against them as well), and every
 * end when they hold every IPv4 and IPv6 address (whatever a pod's IP); `nodes`
 * only node traffic (a hostNetwork pod under the node-traffic mode) and only for an empty selector,
 * since the model does not know node labels; `domainNames` external endpoints by their DNS names.
 */
export function tierPeerMatches(cluster: Cluster, peer: TierPeer, endpoint: ClusterEndpoint): boolean {
  switch (peer.kind) {
    // Networks that hold every address match every endpoint; an end whose IP is not known matches no
    // other networks here, and `tierPeerUndecided` says so (the precedence decides it fail closed).
    // An end matches by its addresses only when the networks hold every one of them (`addressesInside`).
    case 'networks': return peer.everywhere || addressesMatch(addressesInside(endpoint, (ip) => peer.cidrs.some((c) => cidrContains(c, ip)))) === true;
    case 'domainNames': return endpoint.external && endpoint.dnsNames.some((n) => peer.names.some((p) => domainNameMatches(p, n)));
    case 'nodes': return endpoint.nodeTraffic && peer.selector.matchesEverything;
    case 'namespaces':
    case 'pods': {
      if (endpoint.external || endpoint.hostNetwork || endpoint.namespace === undefined) return false;
      if (cluster.namespaceMatches(peer.namespaceSelector, endpoint.namespace) !== true) return false;
      return peer.kind === 'pods' ? peer.podSelector.matches(endpoint.labels) : true;
    }
  }
}

/**
 * Whether it cannot be decided from the input whether a peer of a cluster-wide rule matches the other
 * end (`tierPeerMatches` then says no): a labelled `nodes` peer and node traffic; a `networks` peer that does not hold every address, for an
 * end inside the cluster whose IP the input does not give (a workload's replicas, a pod without
 * status.podIP, a Node without addresses, an address field that holds none: `ipNotKnown`). Its IP may be inside (the API: "cluster-internal traffic
 * will be checked against the rule as well", v1alpha1 AdminNetworkPolicyEgressPeer.Networks,
 * v1alpha2 ClusterNetworkPolicyEgressPeer.networks). The precedence decides such a rule per pair,
 * fail closed (`firstMatch`).
 */
export function tierPeerUndecided(cluster: Cluster, peer: TierPeer, endpoint: ClusterEndpoint): boolean {
  // Likewise a `namespaces`/`pods` peer whose namespace selector tests labels of a namespace the
  // input has no Namespace object for (`Cluster.namespaceMatches`): its labels other than
  // kubernetes.io/metadata.name are unknown, and "no match" would be the widening reading of a Deny.
  if (peer.kind === 'namespaces' || peer.kind === 'pods') {
    if (endpoint.external || endpoint.hostNetwork || endpoint.namespace === undefined) return false;
    if (peer.kind === 'pods' && !peer.podSelector.matches(endpoint.labels)) return false;
    return cluster.namespaceMatches(peer.namespaceSelector, endpoint.namespace) === undefined;
  }
  // Likewise a `nodes` peer with labels for node traffic: the model does not read node labels (the
  // inventory keeps such a peer only in a Pass rule: a Deny's is taken as every node, an Allow's dropped).
  if (peer.kind === 'nodes') return endpoint.nodeTraffic && !peer.selector.matchesEverything;
  // A pod on the pod network is never at a link-local, loopback, multicast, ... address: networks
  // wholly there never match it, decided (`unknownIpMayBeIn`). Networks that hold some of the end's
  // addresses and not the others (a dual-stack pod) match the connections that use the first ones.
  return peer.kind === 'networks' && (unknownIpMayBeIn(peer, endpoint, cluster.podCidrs) || networksHoldSome(peer, endpoint));
}

/** Whether networks hold some of an end's addresses and not every one (`addressesInside`). */
export function networksHoldSome(peer: { readonly cidrs: readonly ParsedCidr[]; readonly everywhere: boolean }, endpoint: ClusterEndpoint): boolean {
  return !peer.everywhere && addressesMatch(addressesInside(endpoint, (ip) => peer.cidrs.some((c) => cidrContains(c, ip)))) === undefined;
}

/** Whether a cluster-wide rule matches the other end: `true`, `false`, or `undefined` when it cannot be decided (`tierPeerUndecided`). */
export function tierRuleMatches(cluster: Cluster, peers: readonly TierPeer[], endpoint: ClusterEndpoint): boolean | undefined {
  if (peers.some((p) => tierPeerMatches(cluster, p, endpoint))) return true;
  // Several networks peers that together hold every address of a dual-stack end (an IPv4 and an IPv6 one) match it.
  const networks = peers.filter((p): p is Extract<TierPeer, { kind: 'networks' }> => p.kind === 'networks');
  if (networks.length > 1 && endpoint.ips.length > 1
    && addressesInside(endpoint, (ip) => networks.some((n) => n.cidrs.some((c) => cidrContains(c, ip)))) === 'all') return true;
  return peers.some((p) => tierPeerUndecided(cluster, p, endpoint)) ? undefined : false;
}
