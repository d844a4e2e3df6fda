import { CiliumEndpointSelector, CiliumSelectable, ciliumSelectionUndecided } from '../inventory/cilium-policy';
import { Cluster, ClusterEndpoint } from '../inventory/cluster';
import { absentClusterDns, CLUSTER_DNS_LABEL, CLUSTER_DNS_NAMESPACE, dnsServers } from '../inventory/dns-servers';
import { FirstMatch } from '../inventory/first-match';
import { PeerShape } from '../k8s/cilium-overlap';
import { CompiledSelector, Labels } from '../k8s/label-selector';
import { NAMESPACE_NAME_LABEL } from '../k8s/manifest';
import { ContainerPort, PortSet, setMatches } from '../k8s/port-set';

/**
 * How the lints read what the input may not settle. A lint warns about a possible mistake, so where
 * the input does not settle whether the mistake is there, it warns, and says what it rests on. The
 * readings are `true`, `false`, or `undefined` (unknown); `LintDoubts` collects why a reading is
 * unknown, for the message and the fix.
 */

/** Why a lint's reading is unknown: namespaces whose labels it needed without their Namespace object, and other reasons. */
export interface LintDoubts {
  /** Namespaces the input has no Namespace object for, whose labels (other than the name label) a selector tests. */
  readonly namespaces: Set<string>;
  /** Other reasons, in words (e.g. a Cilium selector the model cannot decide). */
  readonly reasons: Set<string>;
}

/** An empty `LintDoubts`. */
export function noDoubts(): LintDoubts {
  return { namespaces: new Set(), reasons: new Set() };
}

/** Adds the doubts of `from` to `into`. */
export function addDoubts(into: LintDoubts, from: LintDoubts): void {
  for (const ns of from.namespaces) into.namespaces.add(ns);
  for (const r of from.reasons) into.reasons.add(r);
}

/**
 * Whether a namespace selector matches a namespace, as every lint reads it: `true`, `false`, or
 * `undefined` when it rests on labels the input does not give (no Namespace object for it, and the
 * selector tests a key other than `kubernetes.io/metadata.name` in a way its name label does not
 * settle: `Cluster.namespaceMatches`, the one place that says which labels are known). An unknown
 * answer records the namespace in `doubts`. Each lint chooses what unknown means for it, and says
 * why in its doc comment: a lint warns where the answer is unknown.
 */
export function namespaceSelectorMatch(cluster: Cluster, selector: CompiledSelector, namespace: string, doubts?: LintDoubts): boolean | undefined {
  const m = cluster.namespaceMatches(selector, namespace);
  if (m === undefined) doubts?.namespaces.add(namespace);
  return m;
}

/**
 * Records in `doubts` why whether a Cilium selector selects an end is not decided (its `'may'`
 * reading selects it, its `'must'` one not): the labels of its namespace, which has no Namespace
 * object (as `namespaceSelectorMatch` records them), or the selector's own reason
 * (`ciliumSelectionUndecided`: a selector the model cannot decide, an unknown service account).
 */
export function ciliumSelectionDoubt(cluster: Cluster, s: CiliumEndpointSelector, e: CiliumSelectable, doubts: LintDoubts): void {
  const guessed = e.namespace !== undefined && cluster.namespaceLabelsGuessed(e.namespace);
  if (guessed && s.undecided === undefined && s.testsServiceAccount !== true) {
    doubts.namespaces.add(e.namespace!);
    return;
  }
  const reason = ciliumSelectionUndecided(cluster, s, e);
  if (reason !== undefined && reason !== '') doubts.reasons.add(reason);
  else if (guessed) doubts.namespaces.add(e.namespace!);
}

/** `true` if any is true, else `undefined` if any is unknown, else `false`. */
export function anyReading(readings: Iterable<boolean | undefined>): boolean | undefined {
  let unknown = false;
  for (const r of readings) {
    if (r === true) return true;
    if (r === undefined) unknown = true;
  }
  return unknown ? undefined : false;
}

/** `false` if any is false, else `undefined` if any is unknown, else `true`. */
export function allReading(readings: Iterable<boolean | undefined>): boolean | undefined {
  let unknown = false;
  for (const r of readings) {
    if (r === false) return false;
    if (r === undefined) unknown = true;
  }
  return unknown ? undefined : true;
}

/**
 * What a lint's finding rests on, for its message: `rests on unknown labels: namespace kube-system
 * has no Namespace object in the input, so its labels other than kubernetes.io/metadata.name are
 * unknown` (`rests on what the input does not give: ...` for doubts of another kind).
 */
export function doubtsText(doubts: LintDoubts): string {
  const parts: string[] = [];
  const namespaces = [...doubts.namespaces].sort();
  if (namespaces.length > 0) {
    parts.push(`${namespaces.length === 1 ? `namespace ${namespaces[0]} has` : `namespaces ${namespaces.join(', ')} have`} no Namespace object in the input, `
      + `so ${namespaces.length === 1 ? 'its' : 'their'} labels other than ${NAMESPACE_NAME_LABEL} are unknown`);
  }
  parts.push(...[...doubts.reasons].sort());
  return `${namespaces.length > 0 ? 'rests on unknown labels' : 'rests on what the input does not give'}: ${parts.join('; and ')}`;
}

/**
 * The first part of the fix for a finding that rests on doubts: add the Namespace objects (or select
 * by the name label, which every namespace carries). Empty when no namespace is in doubt.
 */
export function doubtsFix(doubts: LintDoubts): string {
  const namespaces = [...doubts.namespaces].sort();
  if (namespaces.length === 0) return '';
  return `Add the Namespace object${namespaces.length === 1 ? '' : 's'} of ${namespaces.join(', ')} to the input `
    + '(kubectl get namespaces -o yaml, or the manifests that create them) so that the labels are known, '
    + `or select the namespace by ${NAMESPACE_NAME_LABEL}, which every namespace carries. `;
}

/** A DNS server as NP002 reads it: an end of the input (`isDnsServer`), or the cluster DNS the input does not hold (`absentClusterDns`). */
export interface DnsTarget {
  readonly id: string;
  readonly namespace: string;
  readonly labels: Labels;
  readonly ports: readonly ContainerPort[];
  readonly external: boolean;
  readonly nodeTraffic: boolean;
  readonly hostNetwork: boolean;
  readonly serviceAccount?: string;
  /** The end of the input; undefined for the cluster DNS the input does not hold. */
  readonly end?: ClusterEndpoint;
  /** The server as the every-server rule takes it (`everyLookupServer`): `end`, or the inventory's stand-in for the cluster DNS. */
  readonly server: ClusterEndpoint;
}

/** Where NP002 takes lookups to go. */
export interface DnsTargets {
  /** True when the input holds DNS servers (`isDnsServer`): then a rule written for DNS elsewhere does not count. */
  readonly inInput: boolean;
  /** The input's DNS servers, then the cluster DNS where the input does not hold it (`absentClusterDns`). */
  readonly targets: readonly DnsTarget[];
}

/** A DNS lookup: 53/UDP (RFC 1035 4.2.1; resolvers ask over UDP first). */
const LOOKUP = { port: 53, protocol: 'UDP' };

function targetOf(e: ClusterEndpoint, inInput: boolean): DnsTarget {
  return {
    id: e.id,
    namespace: e.namespace!,
    labels: e.labels,
    ports: e.ports,
    external: false,
    nodeTraffic: e.nodeTraffic,
    hostNetwork: e.hostNetwork,
    ...(e.serviceAccount !== undefined ? { serviceAccount: e.serviceAccount } : {}),
    ...(inInput ? { end: e } : {}),
    server: e,
  };
}

/**
 * Where NP002 takes a pod's lookups to go: the input's DNS servers (`dnsServers`, by `isDnsServer`,
 * the one place that says what a DNS server is), as the analyser does (a pod resolves names through
 * its resolv.conf's resolver, the cluster DNS, not through whatever pod a rule happens to match);
 * and, where the input does not hold the cluster DNS, the inventory's stand-in for it
 * (`absentClusterDns`: pods in kube-system labelled `k8s-app: kube-dns`, declaring `dns` 53/UDP and
 * `dns-tcp` 53/TCP, as the add-on's manifest does): the common case of policies synthesized without
 * the kube-system pods. Which of them a pod's lookups must reach is the every-server rule's
 * (`everyLookupServer`).
 */
export function dnsTargets(cluster: Cluster): DnsTargets {
  const servers = dnsServers(cluster).filter((e) => !e.external && e.namespace !== undefined);
  const standIn = absentClusterDns(cluster, undefined);
  return {
    inInput: servers.length > 0,
    targets: [...servers.map((e) => targetOf(e, true)), ...(standIn !== undefined ? [targetOf(standIn, false)] : [])],
  };
}

/** The cluster DNS the input does not hold, in words. */
export const ABSENT_CLUSTER_DNS_TEXT = `the cluster DNS (${CLUSTER_DNS_LABEL.key}: ${CLUSTER_DNS_LABEL.value} in ${CLUSTER_DNS_NAMESPACE})`;

/** The DNS servers in words, for a fix: `the input's DNS servers (kube-system/coredns)` or the cluster DNS the input does not hold. */
export function dnsTargetsText(targets: DnsTargets): string {
  if (!targets.inInput) return ABSENT_CLUSTER_DNS_TEXT;
  const ids = targets.targets.filter((t) => t.end !== undefined).map((t) => t.id);
  return `the input's DNS servers (${ids.slice(0, 5).join(', ')}${ids.length > 5 ? ` and ${ids.length - 5} more` : ''})`;
}

/** Whether a set of ports is of port 53 alone (numbered, no range past it): a rule written for DNS. */
export function onlyPort53(ports: PortSet): boolean {
  return ports.length > 0 && ports.every((e) => e.kind === 'numbered' && e.port === 53 && (e.endPort ?? 53) === 53);
}

/**
 * Where an egress allow rule lets lookups go (`ruleDnsReach`): per DNS target, and, where the input
 * holds no DNS server, to the DNS server outside the input that a rule written for DNS names.
 */
export interface DnsReach {
  /** Per DNS target, in the order of `DnsTargets.targets`: true, false, or unknown. */
  readonly targets: ReadonlyArray<boolean | undefined>;
  /**
   * True where the input holds no DNS server, the rule's kind marks it as written for DNS, its ports
   * let a lookup through, and its peer is not known to be the cluster DNS assumed: it counts as
   * reaching a DNS server the input does not hold, at its peer.
   */
  readonly written: boolean;
}

/**
 * Where an egress allow rule lets a lookup (53/UDP) go, the one reading NP002 has for every kind of
 * rule (NetworkPolicy, Cilium, Admin tier): each DNS target (`dnsTargets`) its ports let a lookup
 * through to (a named port resolved on the target's container ports) and its peer matches (`peer`:
 * true, false, or unknown). Where the input holds no DNS server, a rule its kind marks as written
 * for DNS (`writtenForDns`: e.g. of port 53 alone, for a custom DNS server the input does not hold)
 * counts too, as before (`DnsReach.written`).
 */
export function ruleDnsReach(
  targets: DnsTargets, ports: PortSet, peer: (t: DnsTarget) => boolean | undefined, writtenForDns: boolean,
): DnsReach {
  const reach = targets.targets.map((t) => (setMatches(ports, LOOKUP, t.ports) ? peer(t) : false));
  const written = !targets.inInput && writtenForDns && targets.targets.some((t) => setMatches(ports, LOOKUP, t.ports)) && !reach.includes(true);
  return { targets: reach, written };
}

/**
 * Whether an egress allow rule reaches DNS (`ruleDnsReach`): `true` if some target is reached (or
 * it is written for DNS where the input holds no DNS server), `undefined` if none is but whether one
 * is rests on what the input does not give, else `false`.
 */
export function ruleReachesDns(
  targets: DnsTargets, ports: PortSet, peer: (t: DnsTarget) => boolean | undefined, writtenForDns: boolean,
): boolean | undefined {
  const reach = ruleDnsReach(targets, ports, peer, writtenForDns);
  return reach.written ? true : anyReading(reach.targets);
}

/** Whether a set of ports lets a lookup through to a target (named ports resolved on its container ports). */
export function portsLetLookup(ports: PortSet, t: DnsTarget): boolean {
  return setMatches(ports, LOOKUP, t.ports);
}

/**
 * What a tier's first match for one end (`firstMatch` over booleans, inventory/first-match: the one
 * statement of the tiers' first-match rule, which the analysis's precedence uses too) leaves of a
 * reading of the tiers below it (`below`: true, false or unknown): true where every possible outcome
 * allows (an Allow, or a Pass or no match going on to `below` true), false where every one denies,
 * else unknown.
 */
export function afterTier(outcome: FirstMatch<boolean>, below: boolean | undefined): boolean | undefined {
  const readings: Array<boolean | undefined> = [];
  if (outcome.allow) readings.push(true);
  if (outcome.deny) readings.push(false);
  if (outcome.pass || outcome.through) readings.push(below);
  if (readings.every((r) => r === true)) return true;
  if (readings.every((r) => r === false)) return false;
  return undefined;
}

/** A reading with why it is unknown (its doubts count only where it is). */
export interface DnsRead {
  readonly reading: boolean | undefined;
  readonly doubts: LintDoubts;
}

/** A rule written for DNS where the input holds no DNS server (`DnsReach.written`): where it points, for the deny rules that may cut it. */
export interface WrittenDnsRead extends DnsRead {
  /** Its peer in the terms of the overlap test (`k8s/cilium-overlap`); undefined where not known (any peer). */
  readonly peers?: readonly PeerShape[];
}

/** A source of DNS access for some pods (`DnsReach`, over the rules of the source that select them): per DNS target, and each rule written for DNS. */
export interface DnsRouteReads {
  /** Per DNS target, in the order of `DnsTargets.targets`. */
  readonly targets: readonly DnsRead[];
  readonly written: readonly WrittenDnsRead[];
}

/** What deny rules do to some pods' lookups (to a DNS target, or to the DNS server a rule written for DNS names): `by` names each deny rule that must cut them (those that may are among the doubts). */
export interface DnsCut extends DnsRead {
  readonly by: readonly string[];
}

/** A reading for `DnsRead`: a fresh doubts set. */
export function readWith(ask: (doubts: LintDoubts) => boolean | undefined): DnsRead {
  const doubts = noDoubts();
  return { reading: ask(doubts), doubts };
}

/** `anyReading` of several reads, with the doubts of those that are unknown. */
export function anyRead(reads: Iterable<DnsRead>): DnsRead {
  const all = [...reads];
  const doubts = noDoubts();
  for (const r of all) if (r.reading === undefined) addDoubts(doubts, r.doubts);
  return { reading: anyReading(all.map((r) => r.reading)), doubts };
}

/** `allReading` of several reads, with the doubts of those that are unknown. */
export function allRead(reads: Iterable<DnsRead>): DnsRead {
  const all = [...reads];
  const doubts = noDoubts();
  for (const r of all) if (r.reading === undefined) addDoubts(doubts, r.doubts);
  return { reading: allReading(all.map((r) => r.reading)), doubts };
}
