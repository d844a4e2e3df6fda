import { decidePair, tierPolicies } from './precedence';
import { addressesInside, addressesMatch, describeAddresses, peerMatches, portsMatch, Reading, Side, tierRuleMatches } from './semantics';
import { describeRule, policedVerdict, RuleReference, SideVerdict } from './verdict';
import { CiliumEntity, CiliumPolicy, CiliumPortReading, CiliumRule, ciliumSelectionUndecided, ciliumSelects, FqdnSelector, SelectorBound, unplacedEndsText, unplacedMayBe } from '../inventory/cilium-policy';
import { Cluster, ClusterEndpoint, ipNotKnown, SkippedObject, subjectSelection, TieredPolicy } from '../inventory/cluster';
import { CLUSTER_DNS_LABEL, CLUSTER_DNS_NAMESPACE, everyLookupServer, lookupCandidates, lookupServers } from '../inventory/dns-servers';
import { SkipCategory } from '../inventory/inventory';
import { cidrContains, ParsedIp } from '../k8s/cidr';
import { peerShapesOverlap } from '../k8s/cilium-overlap';
import { fqdnPatternMatches } from '../k8s/fqdn-pattern';
import { PortSet, resolveNamedPort, setsIntersect, Traffic } from '../k8s/port-set';

/**
 * The semantics of Cilium's policies for one side of one connection, in one place (the pair
 * verdict and the matrix both ask these functions):
 *
 * - a pod is isolated in a direction when a Cilium policy with default deny in that direction
 *   selects it (docs.cilium.io "Policy Enforcement Modes": "If any rule selects an Endpoint and the
 *   rule has an ingress section, the endpoint goes into default deny at ingress"; rule.go
 *   EnableDefaultDeny: "If multiple policies apply to an endpoint, that endpoint's default deny will
 *   be enabled if any policy requests it"), or a NetworkPolicy does;
 * - what is allowed is the union of the allow rules of both kinds (Cilium translates NetworkPolicies
 *   into its own rules and adds them up);
 * - a deny rule that matches decides: "Deny policies take precedence over allow policies, regardless
 *   of whether they are a Cilium Network Policy, a Clusterwide Cilium Network Policy or even a
 *   Kubernetes Network Policy" (docs.cilium.io "Deny Policies").
 *
 * Undecided selectors (`CiliumUndecided`: a key Cilium's label filter may drop from identities,
 * docs.cilium.io "Limiting Identity-Relevant Labels", configured per cluster; a key of another label
 * source; an `io.cilium.k8s.policy.*` key other than the service account's; the service account's
 * for a pod whose service account the input does not give, `ciliumSelectionUndecided`) are read so that
 * every verdict holds under either configuration, and where the two disagree the pair is denied
 * (`ruleBound`, the one place):
 * - a deny rule applies where it MAY apply: its peer selectors and its subject in their widest
 *   reading (`'may'`: the union of both configurations). Denying where Cilium would not is too
 *   narrow; not denying where it would is a false "allowed";
 * - an allow rule applies where it MUST apply: its peer selectors and its subject in their
 *   narrowest reading (`'must'`: an undecided selector matches nothing). Its other peers are kept;
 * - isolation (`enableDefaultDeny`) applies to every pod the subject MAY select: "If any rule
 *   selects an Endpoint and the rule has an ingress section, the endpoint goes into default deny at
 *   ingress" (docs.cilium.io "Policy Enforcement Modes"), and isolating a pod Cilium does not isolate
 *   only takes allows away. So a subject that is undecided puts the pods it may select into default
 *   deny and applies its deny rules to them, and its allow rules count for nobody. A host policy's
 *   nodeSelector is such a subject over the node ends (node labels are not read, and the host
 *   firewall may be off): it may select every node end, and no pod. An endpointSelector never
 *   selects a node end (only a nodeSelector applies to the host's identity), and its requirements
 *   of a source that labels no pod (`reserved:`, `cidr:`) are decided on the pods: one that must
 *   hold (`reserved:init` in matchLabels) selects nothing, and the inventory leaves that spec out;
 *   `NotIn`/`DoesNotExist` holds for every pod (`noPodRequirements`).
 * - a deny rule with a port form the documentation does not describe (port 0, a port rule without
 *   ports, no peer and no ports) takes its widest reading: every port of its protocols, every
 *   port, every end on every port; an allow rule with one is left out by the inventory, but for
 *   port 0 without a range (every port of its protocols, as Cilium's agent reads it).
 * - a deny rule whose peer the model cannot place (toServices, toGroups/fromGroups,
 *   toNodes/fromNodes, a CiliumCIDRGroup) is taken to match every end the peer may be
 *   (`unplacedMayBe`); an allow rule with one is left out by the inventory.
 * Each such selector is listed among the parts of the input (`Cluster.skipped`, "decided fail
 * closed"), and `explain` says where one decided a pair (`undecidedSelectorNotes`).
 */

/**
 * Which reading of its undecided selectors (subject and peers) a rule takes: a deny the widest, an
 * allow the narrowest (see above). The one place of the rule. In the `widest` reading of the input
 * (`Reading`: what some configuration may allow, for proofs of absence) the other way round: an
 * allow the widest, a deny the narrowest.
 */
export function ruleBound(rule: CiliumRule, reading: Reading = 'failClosed'): SelectorBound {
  return rule.deny !== (reading === 'widest') ? 'may' : 'must';
}

/**
 * Which reading of an undecided subject isolation (`enableDefaultDeny`) takes: every pod it may
 * select (see above), and in the `widest` reading only those it must (isolating takes allows away).
 */
export function isolationBound(reading: Reading = 'failClosed'): SelectorBound {
  return reading === 'widest' ? 'must' : 'may';
}

/**
 * The rules of `p`'s `side` a reading reads: the modelled ones, and in the `widest` reading also the
 * allow rules the model leaves out (`CiliumPolicy.mayAllow`), each as what it may allow by its
 * known parts: what the input does not settle may allow, so a proof of absence must count it. No
 * verdict reads them (they are fail closed, and a left-out allow allows nothing there).
 */
export function ciliumRulesOf(p: CiliumPolicy, side: Side, reading: Reading = 'failClosed'): readonly CiliumRule[] {
  const rules = side === 'ingress' ? p.ingress : p.egress;
  const mayAllow = reading === 'widest' ? p.mayAllow?.[side] ?? [] : [];
  return mayAllow.length === 0 ? rules : [...rules, ...mayAllow];
}

/**
 * Whether the Cilium policies may read differently in the fail-closed and the widest reading
 * (`Reading`), so that the widest sides must be computed: a selector (subject or peer) some end may
 * or may not match (`CiliumUndecided`, a namespace without its Namespace object, a service account
 * the input does not give, a host policy's nodeSelector), an entity rule for nodes whose node is not
 * known, kube-apiserver while the API server's address is not, a CIDR rule holding some of an
 * end's addresses, a toFQDNs rule whose DNS visibility is undecided, a peer the model cannot place,
 * an allow rule left out (`CiliumPolicy.mayAllow`). False when none: every Cilium rule is then read
 * the same way in both (`ruleBound` and `isolationBound` decide nothing, `ciliumPeerMatches` does
 * not ask `wide`). Errs towards true.
 */
export function ciliumLeavesOpen(cluster: Cluster): boolean {
  const ends = cluster.endpoints;
  const guessed = ends.some((e) => !e.external && e.namespace !== undefined && cluster.namespaceLabelsGuessed(e.namespace));
  const mayDiffer = (x: { undecided?: unknown; testsServiceAccount?: boolean; nodes?: boolean }) => x.undecided !== undefined || x.nodes === true
    || guessed || (x.testsServiceAccount === true && ends.some((e) => e.serviceAccount === undefined));
  const selectorOpen = (x: Parameters<typeof ciliumSelects>[1]) => mayDiffer(x) && ends.some((e) => ciliumSelects(cluster, x, e, 'may') !== ciliumSelects(cluster, x, e, 'must'));
  const nodeEnds = ends.some((e) => e.nodeTraffic);
  const unplacedNodes = nodeEnds && ends.some((e) => !e.external && e.node === undefined);
  const subjects = (p: CiliumPolicy) => ends.filter((e) => ciliumSelects(cluster, p.subject, e, 'may'));
  const externals = ends.filter((e) => e.external);
  return cluster.ciliumPolicies.some((p) => p.mayAllow !== undefined || selectorOpen(p.subject) || [...p.ingress, ...p.egress].some((rule) => {
    const peer = rule.peer;
    switch (peer?.kind) {
      case undefined: return false;
      case 'endpoints': return peer.selectors.some(selectorOpen);
      case 'entities': return (unplacedNodes && peer.entities.some((e) => e === 'host' || e === 'remote-node'))
        || (peer.entities.includes('kube-apiserver') && cluster.apiServerIps.length === 0 && (nodeEnds || externals.length > 0));
      case 'cidrs': return externals.some((e) => addressesMatch(addressesInside(e, (ip) => peer.blocks.some((b) => cidrContains(b.cidr, ip)
        && !b.except.some((x) => cidrContains(x, ip))))) === undefined);
      case 'fqdns': return subjects(p).some((source) => externals.some((e) => e.dnsNames.some((n) => peer.names.some((f) => fqdnMatches(f, n))
        && dnsVisibility(cluster, source, n) === 'undecided')));
      case 'unplaced': return true;
    }
  }));
}

/**
 * Whether the policies' sides may differ between the fail-closed and the widest reading (`Reading`):
 * a namespace with endpoints and without its Namespace object while a NetworkPolicy peer has a
 * namespace selector (it may or may not match there), an ipBlock that holds some of an end's
 * addresses (`addressesMatch`), a Cilium policy that reads something open (`ciliumLeavesOpen`:
 * undecided selectors, DNS, addresses, nodes, left-out allows), a tier policy with a subject or
 * rule whose match some endpoint leaves open, or tier policies of one tier and one priority whose
 * rules of a side have different actions (`tiedActionsDiffer`: the order of such ties is the
 * implementation's, and `firstMatch` takes in every order). When false, the widest sides are the
 * fail-closed ones and are not computed.
 */
export function inputLeavesOpen(cluster: Cluster): boolean {
  if (cluster.ciliumPolicies.length > 0 && ciliumLeavesOpen(cluster)) return true;
  const peers = cluster.policies.flatMap((p) => [...p.ingress ?? [], ...p.egress ?? []].flatMap((r) => (r.peers ?? []).map((peer) => ({ p, peer }))));
  const guessed = cluster.endpoints.some((e) => !e.external && e.namespace !== undefined && cluster.namespaceLabelsGuessed(e.namespace));
  if (guessed && (cluster.tieredPolicies.length > 0 || peers.some(({ peer }) => peer.kind === 'selectors' && peer.namespaceSelector !== undefined))) return true;
  // Only an end with several addresses, or one the input does not give (`ipNotKnown`), can be held in part.
  const multi = cluster.endpoints.filter((e) => e.ips.length > 1 || ipNotKnown(e));
  if (peers.some(({ p, peer }) => peer.kind === 'ipBlock'
    && multi.some((e) => peerMatches(cluster, p.namespace, peer, e, 'widest') !== peerMatches(cluster, p.namespace, peer, e)))) return true;
  if (tiedActionsDiffer(cluster)) return true;
  return cluster.tieredPolicies.some((p) => cluster.endpoints.some((e) => subjectSelection(cluster, p, e) === undefined
    || [...p.ingress, ...p.egress].some((r) => tierRuleMatches(cluster, r.peers, e) === undefined)));
}

/**
 * Whether two or more policies of one tier share a priority while their rules of one side have
 * more than one action between them: "the implementation can apply any of the matching policies"
 * (sig-network policy API, Priority), so an end they both match may be allowed in one order and
 * denied (or passed) in another, and the fail-closed and widest readings of the tier differ
 * (`firstMatch`, `combineTiers`). Ties whose rules all have one action decide the same in every
 * order. Errs towards true: it does not ask whether the tied policies select a common end.
 */
function tiedActionsDiffer(cluster: Cluster): boolean {
  for (const tier of ['admin', 'baseline'] as const) {
    const byPriority = new Map<number, TieredPolicy[]>();
    for (const p of tierPolicies(cluster, tier)) byPriority.set(p.priority, [...byPriority.get(p.priority) ?? [], p]);
    for (const tied of byPriority.values()) {
      if (tied.length < 2) continue;
      for (const side of ['ingress', 'egress'] as const) {
        if (new Set(tied.flatMap((p) => p[side].map((r) => r.action))).size > 1) return true;
      }
    }
  }
  return false;
}

/** `inputLeavesOpen` per model (it reads the whole model; the widest DNS path asks it per pair). */
const OPEN_INPUTS = new WeakMap<Cluster, boolean>();

/** `inputLeavesOpen`, computed once per model. */
function leavesOpen(cluster: Cluster): boolean {
  let open = OPEN_INPUTS.get(cluster);
  if (open === undefined) OPEN_INPUTS.set(cluster, (open = inputLeavesOpen(cluster)));
  return open;
}

/**
 * Why an allow rule of `p` may allow `other` for `self` in the widest reading and not fail closed,
 * in words (for the notes of a guessed counterexample), and what was guessed; undefined when both
 * readings agree. `rule` is one of `ciliumRulesOf(p, side, 'widest')`.
 */
export function ciliumWidestAllow(
  cluster: Cluster, p: CiliumPolicy, rule: CiliumRule, self: ClusterEndpoint, other: ClusterEndpoint,
): { text: string; guess: string } | undefined {
  if (rule.deny || !ciliumRuleApplies(cluster, p, rule, self, 'widest') || !ciliumPeerMatches(cluster, rule, self, other, 'widest')) return undefined;
  const name = `${p.kind} ${p.id}`;
  if (rule.leftOut !== undefined) {
    return { text: `the rule ${name} ${rule.leftOut}, which the verdicts leave out, allows ${other.id}`, guess: 'a rule the model leaves out' };
  }
  // A subject that may select `self` is said of the policy (the caller), not of each rule.
  if (ciliumPeerMatches(cluster, rule, self, other)) return undefined;
  const at = `${name} ${rule.section}[${rule.index}]`;
  const peer = rule.peer;
  if (peer?.kind === 'fqdns') {
    const dropped = other.dnsNames.some((n) => peer.names.some((f) => fqdnMatches(f, n)) && dnsOutcome(cluster, self, n).droppedFailClosed === true);
    const why = dropped ? `the fail-closed verdicts drop ${self.id}'s lookups of the name, and a wider reading of the input may let them through`
      : `whether Cilium's DNS proxy sees ${self.id} look the name up is undecided`;
    const text = `${at} (${peer.text}) matches ${other.id} (${why})`;
    return { text, guess: 'what Cilium\'s DNS proxy sees' };
  }
  if (peer?.kind === 'cidrs') {
    return { text: `${at} (${peer.text}) holds some of ${other.id}'s addresses (${describeAddresses(other)}), and the connection may use one of them`, guess: 'the address a connection uses' };
  }
  return { text: `${at} matches ${other.id}`, guess: 'a Cilium selector or entity the input does not decide' };
}

/** Whether rule `rule` of `p` applies to `e` as its subject, in the rule's reading (`ruleBound`). */
export function ciliumRuleApplies(cluster: Cluster, p: CiliumPolicy, rule: CiliumRule, e: ClusterEndpoint, reading: Reading = 'failClosed'): boolean {
  return ciliumSelects(cluster, p.subject, e, ruleBound(rule, reading));
}

/** What the Cilium policies say about one side: who isolates it (`<kind> <id>`), which rules allow, which deny. */
export interface CiliumSideOutcome {
  readonly isolating: string[];
  /** The Cilium policies that select it with rules in `side` but without default deny there (`<kind> <id>`). */
  readonly notIsolating?: string[];
  readonly allowedBy: RuleReference[];
  readonly deniedBy: RuleReference[];
}

/**
 * Whether a Cilium policy's rules may apply to `e` in `side`: its subject may select it and it has
 * rules or default deny there (which of its rules do: `ciliumRuleApplies`).
 */
export function ciliumApplies(cluster: Cluster, p: CiliumPolicy, side: Side, e: ClusterEndpoint): boolean {
  return ciliumSelects(cluster, p.subject, e, 'may') && (p.defaultDeny[side] || (side === 'ingress' ? p.ingress : p.egress).length > 0);
}

/**
 * Whether a Cilium policy polices `e` in `side`: it selects it and puts it into default deny there,
 * or has deny rules there (allow rules without default deny allow what is allowed anyway).
 */
export function ciliumPolices(cluster: Cluster, p: CiliumPolicy, side: Side, e: ClusterEndpoint): boolean {
  return ciliumSelects(cluster, p.subject, e, 'may') && (p.defaultDeny[side] || (side === 'ingress' ? p.ingress : p.egress).some((r) => r.deny));
}

/** The Cilium policies that isolate `e` in `side` (`<kind> <id>`, each once): they may select it with default deny there. */
export function ciliumIsolating(cluster: Cluster, side: Side, e: ClusterEndpoint): string[] {
  const out: string[] = [];
  for (const p of cluster.ciliumPolicies) {
    const name = `${p.kind} ${p.id}`;
    if (p.defaultDeny[side] && ciliumSelects(cluster, p.subject, e, 'may') && !out.includes(name)) out.push(name);
  }
  return out;
}

/**
 * Whether an FQDN selector matches a DNS name (both lower case, no trailing dot), by Cilium's
 * pattern rule (`fqdnPatternMatches`, k8s/fqdn-pattern: `*` alone every name, otherwise each `*`
 * one label's characters, so `*.cilium.io` matches `sub.cilium.io`, not `cilium.io` nor
 * `a.b.cilium.io`).
 */
export function fqdnMatches(s: FqdnSelector, name: string): boolean {
  return fqdnPatternMatches(s.pattern, name);
}

/** Whether Cilium's DNS proxy sees a pod look a name up: seen, not seen, or not decidable from the model. */
export type DnsVisibility = 'seen' | 'unseen' | 'undecided';

/** What the DNS path decided in one model (see `DNS_ANSWERS`). */
interface DnsAnswers {
  /** Per source, per name: the visibility decided, with why (`DnsOutcome`). */
  readonly visible: WeakMap<ClusterEndpoint, Map<string, DnsOutcome>>;
  /** The (source, name) pairs being decided: a guard that the DNS path never asks itself (see `dnsVisibility`). */
  readonly deciding: WeakMap<ClusterEndpoint, Set<string>>;
}

/**
 * The answers of `dnsVisibility`, per model: keyed by the Cluster object the answer was computed on,
 * then by the source endpoint. Never by the endpoint alone: an endpoint object seen by two models
 * (two snapshots of a diff, a view over another model's endpoints) must get each model's own answer.
 * No two Cluster objects share answers, views included, since each kind of view changes something
 * the DNS path reads: `withEndpoints` the DNS servers (the model's endpoints), `withPolicies` and
 * `scopedTo` the NetworkPolicies (the path asks both sides of a lookup, `decidePair`: the source's
 * egress to the server and the server's ingress from the source, each through the view of its pod's
 * namespace, which asked of a `scopedTo` view is its model's). A `scopedTo` view is kept per
 * namespace by its model, so the pair verdicts of one source, which all ask through the view of its
 * namespace, still share their answers.
 */
const DNS_ANSWERS = new WeakMap<Cluster, DnsAnswers>();

function dnsAnswers(cluster: Cluster): DnsAnswers {
  let answers = DNS_ANSWERS.get(cluster);
  if (!answers) DNS_ANSWERS.set(cluster, (answers = { visible: new WeakMap(), deciding: new WeakMap() }));
  return answers;
}

/**
 * Whether Cilium's DNS proxy sees `source` look `name` up. toFQDNs selects the addresses the proxy
 * learned from allowed lookups (pkg/fqdn: "A DNS Proxy that applies L7 DNS rules and populates the
 * lookup cache with IPs from allowed/successful DNS lookups"; docs.cilium.io "Layer 3 Policies", DNS
 * based), so a toFQDNs rule matches only names the proxy saw looked up. The proxy sees a lookup
 * only through an egress allow rule of a Cilium policy that selects `source` with a `rules.dns`
 * selector matching the name (a DNS rule), and only when the lookup gets through and is answered:
 * "Deny policies take precedence over allow policies" (docs.cilium.io "Deny Policies"), so a deny of
 * the source's egress to the DNS server on the DNS rule's port drops the lookups before any IP is
 * learned; and a lookup the DNS server's ingress drops (a policy that isolates the server and
 * allows none of it, a deny rule of the server's) is never answered, so nothing is learned either.
 *
 * Lookups go over UDP: resolvers (glibc, musl) ask over UDP and use TCP only after a truncated UDP
 * answer (RFC 7766 makes TCP a fallback for clients; a denied UDP path means the names are never
 * resolved in practice). So only the DNS rule's UDP ports count (fail closed): a rule of TCP only,
 * or a deny of its UDP path, leaves the name unseen whatever TCP allows, and `explain` says why.
 *
 * Which ends may be the DNS server D depends on whether the input holds DNS servers (`dnsServers`,
 * inventory/dns-servers: ends inside the cluster that declare 53/UDP, and the cluster DNS, pods in
 * kube-system labelled `k8s-app: kube-dns`). When it does, D is one of them: a pod resolves names
 * through the resolver of its resolv.conf (the cluster DNS, for the default dnsPolicy
 * ClusterFirst), not through whatever pod the DNS rule happens to match. When it holds none, D is
 * any end inside the cluster, as the input does not say which end the DNS server is.
 *
 * A pod's lookups may go to ANY DNS server it may ask (a Service spreads them over its replicas,
 * NodeLocal DNSCache intercepts them; the model does not read resolv.conf or dnsPolicy), so the
 * name is seen only when every such server gets them through, by some DNS rule each (the rules add
 * up per server), and, where the input does not hold the cluster DNS but isolates it, the cluster
 * DNS too (`decideDns`, `absentClusterDns`); some reached and some not is undecided. Per rule:
 *
 * A DNS rule makes the name seen when there is such a D that its peer and UDP port match, such
 * that the lookup to D on that port goes through both sides, as `allows` decides them
 * (`decidePair`, every tier that applies: NetworkPolicies, Cilium policies, D's own node):
 * `source`'s egress allows it, by the DNS rule itself (only its lookups reach the proxy) and with no
 * deny, and D's ingress allows it from `source`. When its peer and ports match no such D:
 * - the input holds DNS servers (the rule names the wrong labels or namespace, a `toCIDR` or
 *   `toEntities: world` resolver, a resolver the input lacks): undecided. The pod's lookups may go
 *   to the input's DNS servers, which the rule does not allow, and then the proxy never sees them
 *   and toFQDNs matches nothing; or the rule may point at a resolver outside the input that the pod
 *   does use (NodeLocal DNSCache by its link-local address, an upstream resolver by CIDR for a pod
 *   with dnsPolicy Default or None), which the model cannot tell, as it does not read a pod's
 *   resolv.conf. Not unseen: that would state as a fact what the input does not settle; undecided
 *   leaves the toFQDNs rule out all the same (it allows nothing) and says so in the skipped parts
 *   (`undecidedFqdnRules`) and in `explain` (`dnsLookupNote`), which name the DNS servers missed;
 * - the input holds none (the DNS server is not in the input): the name is seen as before unless a
 *   deny rule of `source` might overlap the DNS rule's peer and port (`peerShapesOverlap`, which
 *   errs towards "overlaps"): then it is undecided, and the toFQDNs rule is left out, never guessed
 *   allowed.
 * A rule whose peer matches a DNS server of the input (`toEndpoints` of its labels, `toEntities`
 * `cluster` or `all`, a rule of ports only) is decided by the lookup path to it, as above.
 *
 * Well-founded: the DNS path asks verdicts only between `source` and DNS servers (the absent cluster
 * DNS too, `absentClusterDns`: not external, no model's end), ends inside the
 * cluster both (`source`'s egress to D, D's ingress from `source`), and an FQDN peer matches only
 * ends outside it (`ciliumPeerMatches` tests `external` first; toFQDNs is an egress peer only, and
 * D's ingress rules have `source` as their other end), so deciding the DNS path never comes back
 * here; `DnsAnswers.deciding` makes that an invariant that throws, not a loop.
 */
export function dnsVisibility(cluster: Cluster, source: ClusterEndpoint, name: string): DnsVisibility {
  return dnsOutcome(cluster, source, name).visibility;
}

/** `dnsVisibility` with why (for the notes), decided once per model, source and name (`DNS_ANSWERS`). */
function dnsOutcome(cluster: Cluster, source: ClusterEndpoint, name: string): DnsOutcome {
  const answers = dnsAnswers(cluster);
  let cache = answers.visible.get(source);
  if (!cache) answers.visible.set(source, (cache = new Map()));
  const cached = cache.get(name);
  if (cached !== undefined) return cached;
  let deciding = answers.deciding.get(source);
  if (!deciding) answers.deciding.set(source, (deciding = new Set()));
  if (deciding.has(name)) throw new Error(`internal error: deciding whether the DNS proxy sees ${source.id} look ${name} up asked itself`);
  deciding.add(name);
  let outcome: DnsOutcome;
  try {
    outcome = decideDns(cluster, source, name);
  } finally {
    deciding.delete(name);
  }
  cache.set(name, outcome);
  return outcome;
}

/**
 * Whether a toFQDNs rule of `source` may match `name` by what the DNS proxy sees (`dnsVisibility`):
 * fail closed (`wide` false) only a name seen; in the widest reading (`wide`: an allow read
 * `'may'`, `ruleBound`) an undecided one too, as if seen, an unseen one whose lookups a side drops
 * (`DnsOutcome.droppedFailClosed`: the drop is a fail-closed verdict, which a wider reading may
 * lift), and an unseen one where a DNS rule the model leaves out (`CiliumPolicy.mayAllow`: a DNS
 * rule to a service, ...) may let the proxy see it, which `dnsVisibility` does not read. Otherwise
 * (no DNS rule for the name, or one of TCP only) an unseen name matches in neither.
 */
function fqdnSeen(cluster: Cluster, source: ClusterEndpoint, name: string, wide: boolean): boolean {
  const outcome = dnsOutcome(cluster, source, name);
  if (outcome.visibility === 'seen') return true;
  if (!wide) return false;
  // Unseen because a side drops the lookups, as the fail-closed verdicts decide it (`lookupPath`,
  // `decidePair`): where the input leaves something open (`inputLeavesOpen`), some reading of it
  // may let them through, so the proxy may see the name. Where it leaves nothing open, every
  // reading is the fail-closed one, the lookups' too: the drop is certain (and `inputLeavesOpen`,
  // which asks `dnsVisibility`, not this, stays the same question).
  return outcome.visibility === 'undecided' || (outcome.droppedFailClosed === true && leavesOpen(cluster)) || cluster.ciliumPolicies.some((p) => (p.mayAllow?.egress ?? [])
    .some((rule) => rule.dns.some((d) => fqdnMatches(d, name)) && ciliumRuleApplies(cluster, p, rule, source, 'widest')));
}

/** A DNS rule of `source` for a name: an egress allow of a Cilium policy that selects it, whose `rules.dns` match the name on `ports`. */
interface DnsRule {
  readonly p: CiliumPolicy;
  readonly rule: CiliumRule;
  /** The ports of its port rules whose `rules.dns` match the name (`dnsPortsFor`). */
  readonly ports: PortSet;
}

/** The DNS rules of `source` for `name`, in the order of the input. */
function dnsRulesFor(cluster: Cluster, source: ClusterEndpoint, name: string): DnsRule[] {
  const out: DnsRule[] = [];
  for (const p of cluster.ciliumPolicies) {
    for (const rule of p.egress) {
      if (rule.deny || !rule.dns.some((d) => fqdnMatches(d, name)) || !ciliumRuleApplies(cluster, p, rule, source)) continue;
      out.push({ p, rule, ports: dnsPortsFor(rule, name) });
    }
  }
  return out;
}

/** A lookup path that does not get through, with the DNS rule whose lookups it carries. */
interface DroppedBy {
  readonly lookup: DroppedLookup;
  readonly by: DnsRule;
}

/** A DNS server `source`'s lookups may go to that none of its DNS rules gets them through to (`DnsOutcome.unreached`). */
interface UnreachedServer {
  readonly server: ClusterEndpoint;
  /** The first path a DNS rule's peer and ports match that a side drops. @default - no DNS rule's peer and ports match it (missed) */
  readonly dropped?: DroppedBy;
}

/** The cluster DNS, absent from the input, isolated by its policies and not reached (`DnsOutcome.absentServer`). */
interface AbsentServer {
  /** The cluster DNS as taken without its pods (`absentClusterDns`). */
  readonly server: ClusterEndpoint;
  /** Its ingress from the source, for a lookup (53/UDP). */
  readonly ingress: SideVerdict;
  /** The first path a DNS rule's peer and ports match that a side drops. @default - no DNS rule's peer and ports match it */
  readonly dropped?: DroppedBy;
}

/** What the DNS path decided for one source and name (`dnsVisibility`), with why where it is undecided for the DNS servers it may ask. */
interface DnsOutcome {
  readonly visibility: DnsVisibility;
  /** Undecided: the DNS servers of the input the lookups get through to (some DNS rule's), while others are unreached. */
  readonly reached?: readonly ClusterEndpoint[];
  /** Undecided: the DNS servers of the input the lookups may go to and do not get through to. */
  readonly unreached?: readonly UnreachedServer[];
  /** Undecided: the cluster DNS is not in the input, and the input isolates it: the lookups may go there and be dropped. */
  readonly absentServer?: AbsentServer;
  /**
   * Unseen: a DNS rule's lookups reach a server on a path a side drops (`lookupPath`), as the
   * fail-closed verdicts decide the path, so a wider reading of the input may let them through (`fqdnSeen`).
   * @default - unseen for every reading (no DNS rule for the name, or one of TCP only)
   */
  readonly droppedFailClosed?: boolean;
}

/** A lookup as resolvers send it (RFC 1035 4.2.1: UDP port 53): what a DNS server's ingress is asked about. */
const LOOKUP: Traffic = { port: 53, protocol: 'UDP' };

/**
 * The DNS path of `dnsVisibility`. Each DNS rule is read on its own first (`dnsRuleOutcome`): when
 * none sees the name, that is the answer (unseen where rules reach servers that drop the lookups,
 * undecided where a rule misses the input's DNS servers or a selector leaves the match open). When
 * one does, the name is seen only when EVERY DNS server the lookups may go to gets them through
 * (`everyLookupServer`, inventory/dns-servers, which NP002 calls too):
 * - the input's DNS servers but `source` (`lookupServers`): a pod's lookups may go to any of them
 *   (the cluster DNS Service spreads them over its replicas, NodeLocal DNSCache intercepts them, a
 *   custom resolver may be the one resolv.conf names; the model does not read resolv.conf or
 *   dnsPolicy). Each must be reached by SOME DNS rule matching the name, both sides allowing the
 *   lookup (`lookupPath`); the rules add up per server, as Cilium adds up allow rules;
 * - the cluster DNS when the input does not hold it (`absentClusterDns`), but only where the input
 *   isolates it in ingress or drops the lookup there (a NetworkPolicy in kube-system, a Cilium
 *   policy, an Admin or Baseline rule selecting kube-system `k8s-app: kube-dns`): then some DNS rule
 *   must get the lookups through to it. Where nothing in the input polices it, the DNS rule may
 *   name the resolver the pod uses, as without DNS servers.
 * Some of them reached and some not: undecided (the lookups to some get answered, to others not),
 * with the servers missed or dropped named (`dnsLookupNote`, `undecidedFqdnRules`).
 */
function decideDns(cluster: Cluster, source: ClusterEndpoint, name: string): DnsOutcome {
  const rules = dnsRulesFor(cluster, source, name);
  let byRules: DnsVisibility = 'unseen';
  let droppedFailClosed = false;
  for (const r of rules) {
    const one = dnsRuleOutcome(cluster, r.p, r.rule, r.ports, source);
    if (one.visibility === 'seen') { byRules = 'seen'; break; }
    if (one.visibility === 'undecided') byRules = 'undecided';
    if (one.dropped !== undefined) droppedFailClosed = true;
  }
  // No rule gets the lookups through to any server it may ask: as each rule says.
  if (byRules === 'unseen' && droppedFailClosed) return { visibility: byRules, droppedFailClosed };
  if (byRules !== 'seen') return { visibility: byRules };
  // Every DNS server the lookups may go to (`everyLookupServer`, the one statement of the rule), each
  // reached by SOME DNS rule matching the name (`lookupPath`), with the first path dropped where none is.
  const dropped = new Map<ClusterEndpoint, DroppedBy>();
  let ingress: SideVerdict | undefined;
  const every = everyLookupServer(cluster, source, {
    reached: (server) => {
      for (const r of rules) {
        const path = lookupPath(cluster, r, source, server);
        if (path.reached) return true;
        if (!dropped.has(server) && path.dropped !== undefined) dropped.set(server, { lookup: path.dropped, by: r });
      }
      return false;
    },
    // A DNS rule gets the lookups through (`byRules`) to the resolver it names, outside the input.
    unnamed: () => true,
    policed: (server) => {
      ingress = decidePair(cluster, source, server, LOOKUP).ingress;
      return !(ingress.allowed && !ingress.isolated);
    },
  });
  if (every.reading === true) return { visibility: 'seen' };
  const unreached = every.servers.filter((x) => x.reached !== true)
    .map((x): UnreachedServer => (dropped.has(x.server) ? { server: x.server, dropped: dropped.get(x.server)! } : { server: x.server }));
  const a = every.absent;
  const absentServer: AbsentServer | undefined = a === undefined ? undefined
    : { server: a.server, ingress: ingress!, ...(dropped.has(a.server) ? { dropped: dropped.get(a.server)! } : {}) };
  return {
    visibility: 'undecided',
    reached: every.servers.filter((x) => x.reached === true).map((x) => x.server),
    unreached,
    ...(absentServer !== undefined ? { absentServer } : {}),
  };
}

/** Whether Cilium's DNS proxy sees `source` look `name` up (see `dnsVisibility`; undecided is not seen). */
export function dnsVisible(cluster: Cluster, source: ClusterEndpoint, name: string): boolean {
  return dnsVisibility(cluster, source, name) === 'seen';
}

/** The ports of a rule's port rules whose `rules.dns` let the proxy see `name` looked up. */
function dnsPortsFor(rule: CiliumRule, name: string): PortSet {
  return rule.dnsPorts.filter((d) => d.names.some((n) => fqdnMatches(n, name))).flatMap((d) => d.ports);
}

/** The port of DNS (RFC 1035 4.2: UDP and TCP port 53), for a DNS rule whose ports are every port. */
const DNS_PORT = 53;

/**
 * The lookups a DNS rule's ports carry to `server`: each of its ports of UDP, DNS's own where it
 * allows every port (docs.cilium.io "Layer 7 Policies", DNS Policy and IP Discovery, writes its
 * rules for port 53). Only UDP: resolvers ask over UDP and use TCP only after a truncated UDP answer
 * (see `dnsVisibility`), so a lookup path of TCP alone resolves nothing.
 */
function dnsTraffic(ports: PortSet, server: ClusterEndpoint): Traffic[] {
  return dnsTrafficOfEntries(ports, server).filter((t) => t.protocol === 'UDP');
}

/** The entries of a DNS rule's ports that may carry UDP (the lookups: `dnsTraffic`). */
function udpEntries(ports: PortSet): PortSet {
  return ports.filter((e) => e.kind === 'allTraffic' || e.protocol === 'UDP');
}

function dnsTrafficOfEntries(ports: PortSet, server: ClusterEndpoint): Traffic[] {
  const out: Traffic[] = [];
  for (const entry of ports) {
    switch (entry.kind) {
      case 'allTraffic': out.push({ port: DNS_PORT, protocol: 'UDP' }, { port: DNS_PORT, protocol: 'TCP' }); break;
      case 'allPorts': out.push({ port: DNS_PORT, protocol: entry.protocol }); break;
      case 'numbered': {
        const end = entry.endPort ?? entry.port;
        out.push({ port: entry.port <= DNS_PORT && DNS_PORT <= end ? DNS_PORT : entry.port, protocol: entry.protocol });
        break;
      }
      case 'named': {
        const port = resolveNamedPort(entry.name, entry.protocol, server.ports);
        if (port !== undefined) out.push({ port: port.number, protocol: port.protocol });
        break;
      }
    }
  }
  return out;
}

/**
 * A lookup path of a DNS rule that does not get through: to `server` on `traffic`, dropped on `side`
 * (`source`'s egress, or the server's ingress), whose verdict says by what.
 */
interface DroppedLookup {
  readonly server: ClusterEndpoint;
  readonly traffic: Traffic;
  readonly side: Side;
  /** The verdict of the side that drops it (for the egress, allowed when only the DNS rule does not allow it). */
  readonly verdict: SideVerdict;
}

/**
 * Whether one DNS rule of `p` lets the proxy see the lookups of `source`, read on its own (see
 * `dnsVisibility`, `decideDns`), with the first lookup path that does not get through (for `dnsLookupNote`).
 */
function dnsRuleOutcome(cluster: Cluster, p: CiliumPolicy, rule: CiliumRule, ports: PortSet, source: ClusterEndpoint): {
  visibility: DnsVisibility;
  dropped?: DroppedLookup;
  tcpOnly?: boolean;
  undecidedServer?: { server: ClusterEndpoint; reason: string };
  /** The input's DNS servers, none of which the rule's peer and ports match (`dnsServers`). */
  missedServers?: ClusterEndpoint[];
} {
  const udp = udpEntries(ports);
  if (udp.length === 0) return { visibility: 'unseen', tcpOnly: true };
  let dropped: DroppedLookup | undefined;
  // Where the lookups may go: the input's DNS servers when it holds any, every end inside the
  // cluster when it holds none (then any end the rule matches may be the DNS server).
  // Never `source` itself: a pod's lookups go to the resolver of its resolv.conf (`lookupServers`).
  const servers = lookupServers(cluster, source);
  const candidates = servers.length > 0 ? servers : lookupCandidates(cluster, source);
  for (const server of candidates) {
    const path = lookupPath(cluster, { p, rule, ports }, source, server);
    if (path.reached) return { visibility: 'seen' };
    dropped ??= path.dropped;
  }
  if (dropped) return { visibility: 'unseen', dropped };
  // A DNS server of the input the rule's peer may match, or not (an undecided selector, namespace
  // labels the input does not give): the lookups may go to it and be dropped, so "the server is not
  // in the input" cannot be assumed. Undecided: the toFQDNs rule is left out, never guessed allowed.
  if (rule.peer?.kind === 'endpoints') {
    for (const server of candidates) {
      if (server.external) continue;
      for (const s of rule.peer.selectors) {
        const reason = ciliumSelectionUndecided(cluster, s, server);
        if (reason !== undefined) return { visibility: 'undecided', undecidedServer: { server, reason } };
      }
    }
  }
  // The input holds DNS servers and the rule matches none of them (see `dnsVisibility`): the
  // lookups may go to them, past the rule, and never reach the proxy. Undecided, not unseen: the
  // rule may also name a resolver the pod does use that the input does not hold.
  if (servers.length > 0) return { visibility: 'undecided', missedServers: servers };
  return { visibility: overlappingDeny(cluster, rule, udp, source) === undefined ? 'seen' : 'undecided' };
}

/**
 * Whether the lookups of DNS rule `r` of `source` get through to `server`: on a UDP port of the
 * rule (`dnsTraffic`) that its peer matches, allowed by the rule itself (only the lookups it allows
 * reach the proxy, also without default deny) and by both sides of the lookup as `allows` decides
 * them (`decidePair`: the source's egress, the server's ingress). When not, the first path the
 * rule's peer and ports match that a side drops; none when they match no path to `server`.
 */
function lookupPath(cluster: Cluster, r: DnsRule, source: ClusterEndpoint, server: ClusterEndpoint): { reached: boolean; dropped?: DroppedLookup } {
  // Only ends inside the cluster: what keeps the DNS path from asking `dnsVisibility` again.
  if (server.external || !ciliumPeerMatches(cluster, r.rule, source, server)) return { reached: false };
  const own = ciliumRuleReference(r.p, r.rule);
  let dropped: DroppedLookup | undefined;
  for (const traffic of dnsTraffic(r.ports, server)) {
    if (!portsMatch(r.ports, traffic, server)) continue;
    const viaRule = evaluateCiliumSide(cluster, 'egress', source, server, traffic).allowedBy.some((x) => x.policy === own.policy
      && x.kind === own.kind && x.spec === own.spec && x.direction === own.direction && x.rule === own.rule);
    const lookup = decidePair(cluster, source, server, traffic);
    if (viaRule && lookup.egress.allowed && lookup.ingress.allowed) return { reached: true };
    dropped ??= !viaRule || !lookup.egress.allowed
      ? { server, traffic, side: 'egress', verdict: lookup.egress }
      : { server, traffic, side: 'ingress', verdict: lookup.ingress };
  }
  return dropped !== undefined ? { reached: false, dropped } : { reached: false };
}

/**
 * Why a toFQDNs rule of `source` that names `name` matches nothing, for `explain`: the DNS proxy
 * does not see the lookups (`dnsVisibility`). Undefined when it sees them.
 */
export function dnsLookupNote(cluster: Cluster, source: ClusterEndpoint, name: string): string | undefined {
  const outcome = dnsOutcome(cluster, source, name);
  const visibility = outcome.visibility;
  if (visibility === 'seen') return undefined;
  const head = `a toFQDNs rule of ${source.id} names ${name}, but Cilium's DNS proxy `;
  const servers = undecidedServersText(cluster, source, outcome);
  if (servers !== undefined) return `${head}may not see ${source.id} look it up: ${servers.why}: the rule is left out (see the skipped parts). ${servers.fix}`;
  if (visibility === 'undecided') {
    for (const p of cluster.ciliumPolicies) {
      for (const rule of p.egress) {
        if (rule.deny || !rule.dns.some((d) => fqdnMatches(d, name)) || !ciliumRuleApplies(cluster, p, rule, source)) continue;
        const { undecidedServer, missedServers } = dnsRuleOutcome(cluster, p, rule, dnsPortsFor(rule, name), source);
        if (missedServers !== undefined) {
          return `${head}may not see ${source.id} look it up: the DNS rule ${p.kind} ${p.id} ${ruleField(p, rule)} matches none of the input's `
            + `DNS servers (${serverList(missedServers)}), so the lookups may never reach the proxy (they go to the DNS server, which the rule does `
            + 'not allow, unless the rule names a resolver the input lacks): the rule is left out (see the skipped parts)';
        }
        if (undecidedServer === undefined) continue;
        return `${head}may not see ${source.id} look it up: the DNS rule ${p.kind} ${p.id} ${ruleField(p, rule)} may match the DNS server `
          + `${undecidedServer.server.id}, or not (${undecidedServer.reason}): the rule is left out (see the skipped parts)`;
      }
    }
    return `${head}may not see ${source.id} look it up (the input holds no DNS server, and a deny may drop the lookups): the rule is left out (see the skipped parts)`;
  }
  for (const p of cluster.ciliumPolicies) {
    for (const rule of p.egress) {
      if (rule.deny || !rule.dns.some((d) => fqdnMatches(d, name)) || !ciliumRuleApplies(cluster, p, rule, source)) continue;
      const { dropped, tcpOnly } = dnsRuleOutcome(cluster, p, rule, dnsPortsFor(rule, name), source);
      if (tcpOnly) {
        return `${head}never sees ${source.id} look it up: the DNS rule ${p.kind} ${p.id} ${ruleField(p, rule)} covers DNS over TCP only, `
          + 'and resolvers (glibc, musl) ask over UDP, using TCP only after a truncated UDP answer, so the lookups are taken as never made. '
          + 'Allow 53/UDP in the DNS rule (with rules.dns)';
      }
      if (!dropped) continue;
      return `${head}never sees ${source.id} look it up, so it learns no address: the lookups to ${dropped.server.id} on `
        + `${dropped.traffic.port}/${dropped.traffic.protocol} by ${p.kind} ${p.id} ${ruleField(p, rule)} are ${droppedText(cluster, dropped, source)}`;
    }
  }
  return `${head}never sees ${source.id} look it up: no egress rule with rules.dns matching the name lets the lookups through`;
}

/** How many DNS servers a note names before it counts the rest. */
const SERVERS_NAMED = 5;

/** The ids of DNS servers, for a note: the first few (in the order of the model), and how many more. */
function serverList(servers: readonly ClusterEndpoint[]): string {
  const named = servers.slice(0, SERVERS_NAMED).map((e) => e.id).join(', ');
  return servers.length > SERVERS_NAMED ? `${named} and ${servers.length - SERVERS_NAMED} more` : named;
}

/** A lookup path a DNS rule allows and a side drops, in words (`droppedText`): `the lookups to <server> on 53/UDP by <rule> are ...`. */
function droppedByText(cluster: Cluster, d: DroppedBy, source: ClusterEndpoint): string {
  const { lookup, by } = d;
  return `the lookups to ${lookup.server.id} on ${lookup.traffic.port}/${lookup.traffic.protocol} by ${by.p.kind} ${by.p.id} ${ruleField(by.p, by.rule)} `
    + `are ${droppedText(cluster, lookup, source)}`;
}

/**
 * Why the DNS path is undecided for the DNS servers `source`'s lookups may go to (`decideDns`), and
 * the fix, in words: the input's DNS servers some DNS rule gets the lookups through to and those it
 * does not (missed: no rule's peer and ports match them; dropped: by what), and the cluster DNS
 * absent from the input while the input isolates it. Undefined when the outcome is not of that kind.
 */
function undecidedServersText(cluster: Cluster, source: ClusterEndpoint, o: DnsOutcome): { why: string; fix: string } | undefined {
  const whys: string[] = [];
  const fixes: string[] = [];
  const unreached = o.unreached ?? [];
  if (unreached.length > 0) {
    const missed = unreached.filter((u) => u.dropped === undefined).map((u) => u.server);
    const dropped = unreached.filter((u) => u.dropped !== undefined);
    const how = [
      ...(missed.length > 0 ? [`no DNS rule of ${source.id} matching the name reaches ${serverList(missed)}`] : []),
      ...dropped.slice(0, SERVERS_NAMED).map((u) => droppedByText(cluster, u.dropped!, source)),
      ...(dropped.length > SERVERS_NAMED ? [`those to ${dropped.length - SERVERS_NAMED} more DNS servers are dropped too`] : []),
    ];
    whys.push('its lookups may go to any DNS server of the input (a Service spreads them over its replicas, NodeLocal DNSCache intercepts them, '
      + `and the model does not read resolv.conf or dnsPolicy), and they get through to ${serverList(o.reached ?? [])} only, not to `
      + `${serverList(unreached.map((u) => u.server))}: ${how.join('; ')}`);
    fixes.push(`Allow the lookups to every DNS server in a DNS rule (${serverList(unreached.map((u) => u.server))} too), `
      + 'and in the ingress of each');
  }
  if (o.absentServer !== undefined) {
    whys.push(absentServerText(cluster, source, o.absentServer));
    fixes.push(`Add the DNS pods (${CLUSTER_DNS_NAMESPACE} ${CLUSTER_DNS_LABEL.key}=${CLUSTER_DNS_LABEL.value}) to the input to have them analysed`);
  }
  return whys.length === 0 ? undefined : { why: whys.join('; and '), fix: fixes.join('. ') };
}

/** Why the cluster DNS absent from the input may drop `source`'s lookups (`AbsentServer`), in words. */
function absentServerText(cluster: Cluster, source: ClusterEndpoint, a: AbsentServer): string {
  const what = `the cluster DNS (${CLUSTER_DNS_NAMESPACE} pods labelled ${CLUSTER_DNS_LABEL.key}=${CLUSTER_DNS_LABEL.value}) is not in the input, `
    + 'and its lookups may go there (dnsPolicy ClusterFirst, the default)';
  const v = a.ingress;
  if (!v.allowed) {
    return `${what}, where they are ${droppedText(cluster, { server: a.server, traffic: LOOKUP, side: 'ingress', verdict: v }, source)}`;
  }
  const isolating = v.isolatingPolicies;
  const reach = a.dropped !== undefined
    ? droppedByText(cluster, a.dropped, source)
    : `no DNS rule of ${source.id} matching the name reaches it, so the egress of ${source.id} drops them (unless the rule names the resolver the pod uses instead)`;
  return `${what}, where ${isolating.join(', ')} ${isolating.length === 1 ? 'isolates' : 'isolate'} it in ingress while ${reach}`;
}

/**
 * Which side drops a lookup path and by what, in words (`dnsLookupNote`): a deny rule, a cluster-wide
 * rule, or the policies that isolate the side and allow none of it; with the notes of what was
 * decided fail closed there (`failClosedNotes`, `undecidedSelectorNotes`).
 */
function droppedText(cluster: Cluster, d: DroppedLookup, source: ClusterEndpoint): string {
  const v = d.verdict;
  const [self, other] = d.side === 'egress' ? [source, d.server] : [d.server, source];
  const where = `at the ${d.side} of ${self.id}`;
  let text: string;
  if (v.allowed) {
    text = 'not allowed by the DNS rule itself (only the lookups it allows reach the proxy)';
  } else if (v.deniedBy !== undefined) {
    text = `denied by ${describeRule(v.deniedBy)}, ${where}`;
  } else if (v.decidedBy !== undefined) {
    const r = v.decidedBy;
    text = `denied by ${r.kind} ${r.policy} ${r.direction}[${r.rule}] (${r.action}), ${where}`;
  } else {
    const isolating = v.isolatingPolicies;
    text = `dropped ${where}: ${isolating.join(', ')} ${isolating.length === 1 ? 'isolates' : 'isolate'} it in ${d.side}, `
      + `and no rule allows them ${d.side === 'egress' ? `to ${other.id}` : `from ${other.id}`}`;
  }
  const failClosed = [...v.failClosedNotes ?? [], ...undecidedSelectorNotes(cluster, d.side, self, other, d.traffic)];
  return failClosed.length === 0 ? text : `${text} (${failClosed.join('; ')})`;
}

/** A deny rule of `source`'s egress that might match traffic `rule` matches (the overlap test errs towards "overlaps"). */
function overlappingDeny(
  cluster: Cluster, rule: CiliumRule, ports: PortSet, source: ClusterEndpoint,
): { policy: CiliumPolicy; rule: CiliumRule } | undefined {
  const peersOverlap = (a: CiliumRule, b: CiliumRule) => a.peerShapes === undefined || b.peerShapes === undefined
    || a.peerShapes.some((x) => b.peerShapes!.some((y) => peerShapesOverlap(x, y)));
  for (const p of cluster.ciliumPolicies) {
    if (!ciliumApplies(cluster, p, 'egress', source)) continue;
    for (const deny of p.egress) {
      if (deny.deny && setsIntersect(deny.ports, ports) && peersOverlap(deny, rule)) return { policy: p, rule: deny };
    }
  }
  return undefined;
}

/** Where a rule is in its policy, as the left-out list names it (`spec.egress[0]`, `specs[1].egressDeny[2]`). */
function ruleField(p: CiliumPolicy, rule: CiliumRule): string {
  return `${p.spec !== undefined ? `specs[${p.spec}]` : 'spec'}.${rule.section}[${rule.index}]`;
}

/**
 * The toFQDNs rules the verdicts leave out because whether the DNS proxy sees a pod's lookups is
 * undecided (`dnsVisibility`) for a name of an external end they name: each once, with why, as the
 * Cluster lists the parts of Cilium policies it cannot place. (Undecided never matches: the rule
 * allows nothing for those pods and names.)
 */
export function undecidedFqdnRules(cluster: Cluster): SkippedObject[] {
  const out: SkippedObject[] = [];
  const externals = cluster.endpoints.filter((e) => e.external);
  for (const p of cluster.ciliumPolicies) {
    const subjects = cluster.endpoints.filter((e) => ciliumSelects(cluster, p.subject, e, 'must'));
    for (const rule of p.egress) {
      const peer = rule.peer;
      if (rule.deny || peer?.kind !== 'fqdns') continue;
      let found: { source: ClusterEndpoint; name: string } | undefined;
      for (const source of subjects) {
        for (const e of externals) {
          const name = e.dnsNames.find((n) => peer.names.some((s) => fqdnMatches(s, n)) && dnsVisibility(cluster, source, n) === 'undecided');
          if (name !== undefined) { found = { source, name }; break; }
        }
        if (found) break;
      }
      if (!found) continue;
      const portsFor = (r: CiliumRule) => udpEntries(dnsPortsFor(r, found!.name));
      const dns = cluster.ciliumPolicies.flatMap((q) => q.egress.map((r) => ({ q, r })))
        .find(({ q, r }) => !r.deny && ciliumRuleApplies(cluster, q, r, found!.source) && portsFor(r).length > 0
          && overlappingDeny(cluster, r, portsFor(r), found!.source) !== undefined);
      const deny = dns && overlappingDeny(cluster, dns.r, portsFor(dns.r), found.source);
      const dnsRules = cluster.ciliumPolicies.flatMap((q) => q.egress.map((r) => ({ q, r })))
        .filter(({ q, r }) => !r.deny && r.dns.some((d) => fqdnMatches(d, found!.name)) && ciliumRuleApplies(cluster, q, r, found!.source))
        .map(({ q, r }) => ({ q, r, o: dnsRuleOutcome(cluster, q, r, dnsPortsFor(r, found!.name), found!.source) }));
      const maybeServer = dnsRules.map(({ q, r, o }) => ({ q, r, u: o.undecidedServer })).find(({ u }) => u !== undefined);
      const missed = maybeServer === undefined
        ? dnsRules.map(({ q, r, o }) => ({ q, r, m: o.missedServers })).find(({ m }) => m !== undefined)
        : undefined;
      const unknown = `whether Cilium's DNS proxy sees ${found.source.id} look ${found.name} up is not known`;
      const servers = undecidedServersText(cluster, found.source, dnsOutcome(cluster, found.source, found.name));
      let why = unknown;
      if (servers !== undefined) {
        why = `${unknown}: ${servers.why}, so the names toFQDNs learns are not known`;
      } else if (maybeServer !== undefined) {
        why = `${unknown}: its DNS rule (${maybeServer.q.kind} ${maybeServer.q.id} ${ruleField(maybeServer.q, maybeServer.r)}) may match the DNS server `
          + `${maybeServer.u!.server.id}, or not (${maybeServer.u!.reason}), so the names toFQDNs learns are not known`;
      } else if (missed !== undefined) {
        why = `${unknown}: its DNS rule (${missed.q.kind} ${missed.q.id} ${ruleField(missed.q, missed.r)}) matches none of the input's DNS servers `
          + `(${serverList(missed.m!)}), so the lookups may never reach the proxy (they go to the DNS server, which the rule does not allow, `
          + 'unless the rule names a resolver the input lacks), and the names toFQDNs learns are not known';
      } else if (dns && deny) {
        why = `${unknown}: its DNS rule (${dns.q.kind} ${dns.q.id} ${ruleField(dns.q, dns.r)}) matches no end of the input, which holds no DNS server, `
          + `and the deny rule ${deny.policy.kind} ${deny.policy.id} ${ruleField(deny.policy, deny.rule)} may drop its lookups, so the names toFQDNs learns are not known`;
      }
      out.push({
        object: p.id,
        category: SkipCategory.NOT_MODELLED,
        reason: `${ruleField(p, rule)} is not modelled: ${why}. The verdicts leave this rule out (the rest of the policy is analysed), so they may be wrong `
          + `for the traffic it decides. ${servers !== undefined ? servers.fix : missed !== undefined
            ? 'Write the DNS rule\'s peer for the DNS server the pods use (e.g. toEndpoints with the namespace and labels of the kube-dns pods)'
            : 'Give the DNS server\'s pods (e.g. kube-dns in kube-system) in the input to have it analysed'}`,
        kind: p.kind,
        ...(p.file !== undefined ? { file: p.file } : {}),
        ...(p.line !== undefined ? { line: p.line } : {}),
      });
    }
  }
  return out;
}

/**
 * Whether a rule's peer matches the other end (`self` is the pod whose rule it is):
 * - no peer (a rule of ports only): every end (Layer 4 Policies: "Layer 4 policy can be specified
 *   in addition to layer 3 policies or independently");
 * - endpoints: pods, by their Cilium labels; an undecided selector in the rule's reading (`ruleBound`);
 * - entities: see `entityMatches`;
 * - CIDRs (with `except`): only ends outside the cluster, by address (Layer 3 Policies: IP/CIDR
 *   based rules describe "the relationship to or from external services if the remote peer is not
 *   an endpoint"; a node's IP has the host identity, not a CIDR one: cilium/cilium#16308);
 * - FQDNs (egress): ends outside the cluster by their DNS name, when the DNS proxy sees `self` look
 *   the name up (`dnsVisibility`; in the widest reading an undecided name too: `fqdnSeen`);
 * - a peer the model cannot place (toServices, toGroups/fromGroups, toNodes/fromNodes, a
 *   CiliumCIDRGroup), which only a deny rule keeps: every end it may be (`unplacedMayBe`), fail closed.
 */
export function ciliumPeerMatches(
  cluster: Cluster, rule: CiliumRule, self: ClusterEndpoint, other: ClusterEndpoint, reading: Reading = 'failClosed',
): boolean {
  const peer = rule.peer;
  if (peer === undefined) return true;
  // Where the input leaves a match open, the rule's reading decides (`ruleBound`): 'may' takes it to match.
  const wide = ruleBound(rule, reading) === 'may';
  switch (peer.kind) {
    case 'endpoints': return peer.selectors.some((s) => ciliumSelects(cluster, s, other, ruleBound(rule, reading)));
    case 'entities': {
      // host and remote-node together are every node, wherever `self` runs.
      if (other.nodeTraffic && peer.entities.includes('host') && peer.entities.includes('remote-node')) return true;
      if (peer.entities.some((e) => entityMatches(cluster, e, self, other))) return true;
      // host or remote-node alone, for a node end when its node or self's is not known: whether it is
      // self's own node cannot be decided for THIS pair (the others are decided). Fail closed: a deny
      // is taken to apply, an allow not; the Cluster says so in its skipped list (placeEntities).
      const placed = other.node !== undefined && self.node !== undefined;
      if (wide && other.nodeTraffic && !placed && peer.entities.some((e) => e === 'host' || e === 'remote-node')) return true;
      // kube-apiserver in a deny rule while the API server's address is not known: it may run on any
      // node (and then every end of that node is kube-apiserver) or outside at any address. Fail
      // closed: the deny is taken to apply to every node end and every end outside the cluster, so
      // the rule's other entities still deny (the Cluster notes it, placeEntities).
      return wide && (other.nodeTraffic || other.external) && cluster.apiServerIps.length === 0 && peer.entities.includes('kube-apiserver');
    }
    case 'cidrs': {
      // An end outside with several addresses: a connection uses one, so an allow matches it only
      // when the CIDRs hold every one and a deny wherever they hold one (the reading that never
      // allows more than the cluster does).
      if (!other.external) return false;
      const inside = (ip: ParsedIp) => peer.blocks.some((b) => cidrContains(b.cidr, ip) && !b.except.some((x) => cidrContains(x, ip)));
      const m = addressesMatch(addressesInside(other, inside));
      return m === true || (wide && m === undefined);
    }
    // Whether the DNS proxy sees the lookups may be undecided (`dnsVisibility`): fail closed the
    // allow then matches nothing, in the widest reading it matches as if they were seen (`fqdnSeen`).
    case 'fqdns': return other.external && other.dnsNames.some((n) => peer.names.some((s) => fqdnMatches(s, n)) && fqdnSeen(cluster, self, n, wide));
    // Only deny rules keep such a peer (an allow is left out): taken to match every end it may be.
    case 'unplaced': return wide && unplacedMayBe(peer.ends, other);
  }
}

/**
 * Whether an end has the identity of the Kubernetes API server: an API server's endpoint (several in
 * an HA control plane), and every end of a node one runs on or with one's address (Cilium gives such a node's IPs the label
 * `reserved:kube-apiserver`: the local host's identity gains it, a remote node gets the identity
 * kube-apiserver, labelled `reserved:kube-apiserver` and `reserved:remote-node`; pkg/identity
 * reservedIdentityLabels, pkg/ipcache InjectLabels).
 */
export function isKubeApiServer(cluster: Cluster, e: ClusterEndpoint): boolean {
  if (e.apiServer) return true;
  if (!e.nodeTraffic) return false;
  if (e.node !== undefined && cluster.apiServerNodes.has(e.node)) return true;
  return e.ips.some((x) => cluster.apiServerIps.some((ip) => x.family === ip.family && x.value === ip.value));
}

/**
 * Whether an entity matches the other end of a rule of `self` (docs.cilium.io "Entities based";
 * cilium/cilium pkg/policy/api/entity.go):
 * - `all`: every end;
 * - `world`: the ends outside the cluster ("all endpoints outside of the cluster"), the API server
 *   there too (its identity carries CIDR labels, and with them `reserved:world`);
 * - `cluster`: every end inside it: pods, nodes (node traffic: "the host, remote-node, and init
 *   identities"), and the API server wherever it runs (InitEntities puts the kube-apiserver selector
 *   into `cluster`);
 * - `host`: node traffic of `self`'s own node ("the local host ... all containers running in host
 *   networking mode on the local host");
 * - `remote-node`: node traffic of any other node;
 * - `kube-apiserver`: the API server, "both deployments of the kube-apiserver: within the cluster
 *   and outside of the cluster" (`isKubeApiServer`);
 * - `none`: nothing;
 * - `health`, `ingress`, `init`, `unmanaged`: no end of the model has their identities (health
 *   endpoints, Cilium's ingress proxy, endpoints not yet identified, pods Cilium does not manage:
 *   the model assumes every pod is managed), so they match nothing (`NO_END_ENTITIES`; the Cluster
 *   notes each rule that names one, `placeEntities`).
 * For a node end or a subject whose node is not known, `host` and `remote-node` alone match nothing
 * here; `ciliumPeerMatches` takes a deny rule to apply to such a pair (fail closed), and the Cluster
 * says so (`placeEntities`); both together are every node end (`ciliumPeerMatches`). CIDR rules never match node ends: the default
 * `policy-cidr-match-mode` is empty, and only `nodes` makes CIDR selectors match nodes
 * (docs.cilium.io "Selecting nodes with CIDR / ipBlock").
 */
export function entityMatches(cluster: Cluster, entity: CiliumEntity, self: ClusterEndpoint, other: ClusterEndpoint): boolean {
  switch (entity) {
    case 'all': return true;
    case 'world': return other.external;
    case 'cluster': return !other.external || other.apiServer === true;
    case 'host': return other.nodeTraffic && other.node !== undefined && other.node === self.node;
    case 'remote-node': return other.nodeTraffic && other.node !== undefined && self.node !== undefined && other.node !== self.node;
    case 'kube-apiserver': return isKubeApiServer(cluster, other);
    case 'none':
    case 'health':
    case 'ingress':
    case 'init':
    case 'unmanaged': return false;
  }
}

/** A Cilium rule as a rule reference of a verdict. */
export function ciliumRuleReference(p: CiliumPolicy, rule: CiliumRule): RuleReference {
  return {
    policy: p.id,
    direction: rule.section,
    rule: rule.index,
    byIpBlock: false,
    kind: p.kind,
    ...(p.spec !== undefined ? { spec: p.spec } : {}),
    ...(rule.l7 ? { l7Rules: true } : {}),
    ...(rule.peer?.kind === 'entities' ? { entities: rule.peer.entities.map(String) } : {}),
  };
}

/** One side of a connection under the Cilium policies, straight from the rules: the reference semantics. */
export function evaluateCiliumSide(cluster: Cluster, side: Side, self: ClusterEndpoint, other: ClusterEndpoint, traffic: Traffic): CiliumSideOutcome {
  const allowedBy: RuleReference[] = [];
  const deniedBy: RuleReference[] = [];
  if (self.external || cluster.ciliumPolicies.length === 0) return { isolating: [], allowedBy, deniedBy };
  const destination = side === 'ingress' ? self : other;
  for (const p of cluster.ciliumPolicies) {
    if (!ciliumApplies(cluster, p, side, self)) continue;
    for (const rule of side === 'ingress' ? p.ingress : p.egress) {
      if (!ciliumRuleApplies(cluster, p, rule, self)) continue;
      if (!portsMatch(rule.ports, traffic, destination) || !ciliumPeerMatches(cluster, rule, self, other)) continue;
      (rule.deny ? deniedBy : allowedBy).push(ciliumRuleReference(p, rule));
    }
  }
  // rule.go EnableDefaultDeny: with false, the policy's rules still apply without isolating.
  const isolating = ciliumIsolating(cluster, side, self);
  const notIsolating: string[] = [];
  for (const p of cluster.ciliumPolicies) {
    const name = `${p.kind} ${p.id}`;
    const soft = !p.defaultDeny[side] && ciliumApplies(cluster, p, side, self);
    if (soft && !isolating.includes(name) && !notIsolating.includes(name)) notIsolating.push(name);
  }
  return { isolating, allowedBy, deniedBy, ...(notIsolating.length > 0 ? { notIsolating } : {}) };
}

/**
 * What `explain` says about the undecided selectors (`CiliumUndecided`) of one side of a connection
 * (`self`'s `side`, to or from `other`): a subject that may select `self` (an undecided
 * endpointSelector, a host policy's nodeSelector), read fail closed (its isolation and deny rules
 * apply, its allow rules do not), each rule whose ports match and whose peer is decided for `other`
 * only by an undecided selector (a deny taken to apply, an allow taken not to), and each deny rule
 * whose peer the model cannot place and `other` may be (taken to deny), and each part of a rule read
 * in a port form the documentation does not describe that alone makes the rule's ports match the
 * traffic (`portReadingsDeciding`). What `ciliumRuleApplies`
 * and `ciliumPeerMatches` decided, in words; empty where nothing undecided decided anything.
 */
export function undecidedSelectorNotes(cluster: Cluster, side: Side, self: ClusterEndpoint, other: ClusterEndpoint, traffic: Traffic): string[] {
  const notes: string[] = [];
  if (self.external) return notes;
  const destination = side === 'ingress' ? self : other;
  for (const p of cluster.ciliumPolicies) {
    if (!ciliumApplies(cluster, p, side, self)) continue;
    const subject = ciliumSelectionUndecided(cluster, p.subject, self);
    if (subject !== undefined) {
      notes.push(`${p.kind} ${p.id}: its ${p.subject.nodes ? 'nodeSelector' : 'endpointSelector'} (${p.subject.text}) may select ${self.id}, and is read fail closed: `
        + `${p.defaultDeny[side] ? `it isolates ${self.id} in ${side}, its deny rules apply and` : 'its deny rules apply and'} its allow rules do not `
        + `(${subject})`);
    }
    for (const rule of side === 'ingress' ? p.ingress : p.egress) {
      const peer = rule.peer;
      if (!ciliumRuleApplies(cluster, p, rule, self) || !portsMatch(rule.ports, traffic, destination)) continue;
      const readings = portReadingsDeciding(rule, traffic, destination);
      if (readings.length > 0 && ciliumPeerMatches(cluster, rule, self, other)) {
        notes.push(`${describeRule(ciliumRuleReference(p, rule))} is read in a form the documentation does not describe: ${readings.map((w) => w.text).join('; ')}`
          + ` (${rule.deny ? 'the widest reading, so it is taken to deny' : 'the narrowest reading, so it is taken to allow'} ${traffic.port}/${traffic.protocol}`
          + ` ${side === 'egress' ? 'to' : 'from'} ${other.id}; see the skipped parts)`);
      }
      if (peer?.kind === 'unplaced' && ciliumPeerMatches(cluster, rule, self, other)) {
        notes.push(`${describeRule(ciliumRuleReference(p, rule))} is applied fail closed: its peer ${peer.field} (${unplacedEndsText(peer.ends)}) may be ${other.id}, `
          + 'so it is taken to deny: the model cannot place that peer (see the skipped parts)');
        continue;
      }
      if (peer?.kind !== 'endpoints') continue;
      if (peer.selectors.some((x) => ciliumSelects(cluster, x, other, 'must'))) continue;
      const undecided = peer.selectors.map((x) => ({ x, reason: ciliumSelectionUndecided(cluster, x, other) })).find((u) => u.reason !== undefined);
      if (undecided === undefined) continue;
      const field = `${rule.section.startsWith('egress') ? 'toEndpoints' : 'fromEndpoints'} ${undecided.x.text}`;
      notes.push(rule.deny
        ? `${describeRule(ciliumRuleReference(p, rule))} is applied fail closed: its selector ${field} may match ${other.id}, so it is taken to deny (${undecided.reason})`
        : `${describeRule(ciliumRuleReference(p, rule))} is taken not to allow ${other.id} (fail closed): its selector ${field} may match it, or not (${undecided.reason})`);
    }
  }
  return [...new Set(notes)];
}

/**
 * The parts of `rule` read in a port form the documentation does not describe
 * (`CiliumRule.portReadings`) whose entries match `traffic` while the rule's other entries, read as
 * written, do not: those that alone decide whether the rule's ports match. None where the entries
 * read as written match too (the rule matches whichever way the parts are read).
 */
function portReadingsDeciding(rule: CiliumRule, traffic: Traffic, destination: ClusterEndpoint): CiliumPortReading[] {
  const readings = rule.portReadings ?? [];
  if (readings.length === 0) return [];
  const read = new Set(readings.flatMap((w) => w.entries));
  if (portsMatch(rule.ports.filter((_, i) => !read.has(i)), traffic, destination)) return [];
  return readings.filter((w) => portsMatch(w.entries.map((i) => rule.ports[i]), traffic, destination));
}

/**
 * The namespace tier of a side (NetworkPolicies and Cilium policies together): isolated when either
 * kind isolates it, allowed by the union of their allow rules, denied by a matching Cilium deny rule
 * whatever allows it (also when nothing isolates it: `enableDefaultDeny: false` with deny rules).
 */
export function namespaceTierVerdict(np: SideVerdict, cilium: CiliumSideOutcome): SideVerdict {
  if (np.notPoliced) return np;
  const isolatingPolicies = [...np.isolatingPolicies, ...cilium.isolating.filter((id) => !np.isolatingPolicies.includes(id))];
  const allowedBy = isolatingPolicies.length > 0 ? [...np.allowedBy, ...cilium.allowedBy] : [];
  const verdict = policedVerdict(isolatingPolicies, voidL7(allowedBy), cilium.deniedBy[0]);
  // The NetworkPolicies' notes stay while nothing allowed the connection after all.
  const noted = np.failClosedNotes && !verdict.allowed ? { ...verdict, failClosedNotes: np.failClosedNotes } : verdict;
  return !noted.isolated && cilium.notIsolating !== undefined ? { ...noted, selectedWithoutDefaultDeny: cilium.notIsolating } : noted;
}

/**
 * Every allow of one connection shares its traffic (the same ends, the same port): one without
 * layer-7 rules voids those of the others (README, HTTP rules: "a plain allow voids the HTTP rules
 * of the traffic it shares with them"; docs.cilium.io Layer 7 Policies: an L3/L4 allow of the same
 * peer and port wildcards the layer-7 rules), so they are said to be voided, not to apply.
 */
function voidL7(allowedBy: RuleReference[]): RuleReference[] {
  const plain = allowedBy.find((r) => !r.l7Rules);
  if (plain === undefined) return allowedBy;
  return allowedBy.map((r) => {
    if (!r.l7Rules) return r;
    const { l7Rules: _, ...rest } = r;
    return { ...rest, l7VoidedBy: describeRule(plain) };
  });
}
