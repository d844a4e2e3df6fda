import { acceptanceFor, acceptedLints } from './accepted-lints';
import { LintCode } from './lint-codes';
import {
  addDoubts, allReading, anyReading, DnsTarget, DnsTargets, dnsTargets, dnsTargetsText, doubtsFix, doubtsText, LintDoubts, namespaceSelectorMatch,
  noDoubts, onlyPort53, portsLetLookup, ruleReachesDns,
} from './lint-reading';
import { stableJson } from './single-policy-lints';
import { Cluster, ClusterEndpoint, TieredPolicy, tieredPolicyOf, TierPeer } from '../inventory/cluster';
import { effectivePolicyTypes } from '../k8s/api-server-rules';
import { cidrContains, parseCidr, parseIp, ParsedIp } from '../k8s/cidr';
import { Finding, Severity } from '../k8s/finding';
import { compileSelector, Labels } from '../k8s/label-selector';
import { DECLARED_BY_LABELS_ANNOTATION } from '../k8s/manifest';
import { portSetFromWire } from '../k8s/port-set';

/** A NetworkPolicy that passed the API-server rules, with its index in the report. */
export interface CheckedPolicy {
  readonly object: Record<string, any>;
  readonly namespace: string;
  readonly name: string;
}

/** Lints that need several objects: duplicate names, mergeable policies, DNS, selectors matching nothing. */
export function crossObjectLints(
  policies: CheckedPolicy[], cluster: Cluster, declaring: CheckedPolicy[] = policies, clusterPolicies: ReadonlyArray<Record<string, any>> = [],
  ciliumDns: (e: ClusterEndpoint, doubts: LintDoubts) => boolean | undefined = () => false,
): Array<{ policy: CheckedPolicy; finding: Finding }> {
  const targets = dnsTargets(cluster);
  return [
    ...duplicateNames(policies),
    ...mergeablePolicies(policies),
    ...egressWithoutDns(policies, cluster, targets, adminTierDecidesDns(clusterPolicies, cluster, targets), ciliumDns),
    ...selectorsMatchingNothing(policies, cluster, declaring),
  ];
}

/** The kind of a policy, in keys: a name or a merge is per kind (a staged policy and a NetworkPolicy may share a name). */
function kindKey(p: CheckedPolicy): string {
  return typeof p.object.kind === 'string' ? p.object.kind : '';
}

function at(policy: CheckedPolicy, severity: Severity, code: string, field: string, message: string, fix: string) {
  return { policy, finding: { severity, code, field, message, fix } };
}

/** NP011: the same namespace/name twice: applying both keeps only the last. */
function duplicateNames(policies: CheckedPolicy[]) {
  const seen = new Map<string, CheckedPolicy>();
  const out = [];
  for (const p of policies) {
    const key = `${kindKey(p)}|${p.namespace}/${p.name}`;
    if (seen.has(key)) {
      out.push(at(p, Severity.ERROR, LintCode.DUPLICATE_NAME, 'metadata.name', `${JSON.stringify(p.name)} is used by another ${kindKey(p) || 'NetworkPolicy'} in namespace ${p.namespace}; applying both keeps only the last one`,
        'Give each policy a unique name in its namespace (or merge the two).'));
    } else {
      seen.set(key, p);
    }
  }
  return out;
}

function hasRules(spec: any): boolean {
  return (Array.isArray(spec.ingress) && spec.ingress.length > 0) || (Array.isArray(spec.egress) && spec.egress.length > 0);
}

/** NP009: same namespace, same pod selector, same policy types, both with rules: the rules could live in one policy. */
function mergeablePolicies(policies: CheckedPolicy[]) {
  const groups = new Map<string, CheckedPolicy[]>();
  for (const p of policies) {
    const spec = p.object.spec ?? {};
    const key = `${kindKey(p)}|${p.namespace}|${stableJson(spec.podSelector ?? {})}|${effectivePolicyTypes(spec).sort().join(',')}`;
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  const out = [];
  for (const group of groups.values()) {
    // A policy without rules (a default deny) kept next to the policy that allows is deliberate: it
    // still denies when the allow is removed. Only policies with rules could be merged.
    const withRules = group.filter((p) => hasRules(p.object.spec ?? {}));
    if (withRules.length < 2) continue;
    const names = new Set(withRules.map((p) => p.name));
    if (names.size < withRules.length) continue; // duplicates are NP011
    // The suggestion goes on the policies other than the first one that does not say it is kept
    // apart on purpose (an accepted NP009), so an accepting policy is the one whose finding is silenced.
    const first = withRules.find((p) => acceptanceFor(acceptedLints(p.object).accepted.get(LintCode.MERGEABLE_POLICIES), 'spec.podSelector') === undefined) ?? withRules[0];
    const rest = withRules.filter((p) => p !== first);
    for (const p of rest) {
      out.push(at(p, Severity.WARNING, LintCode.MERGEABLE_POLICIES, 'spec.podSelector',
        `selects the same pods with the same policyTypes as ${first.namespace}/${first.name}; the two could be one policy`,
        `Merge the rules into ${first.name}, unless keeping them apart is deliberate (e.g. one owner each).`));
    }
  }
  return out;
}

/**
 * NP002: a pod whose egress is isolated (by a namespace-wide deny, or by any policy with Egress in
 * its policyTypes, such as the egress policy one allow writes) and that no selecting policy lets
 * reach DNS (53/UDP), so it cannot resolve names. Where the manifests declare workloads, each
 * isolated workload is checked; where they do not, a policy's pods count as reaching DNS when a
 * policy with a DNS rule selects at least every pod it selects (the same or a wider selector).
 * Reported once per isolated workload (or policy), on the first policy that isolates it. A pod
 * whose DNS egress the Admin tier allows (its first matching rule is an Allow/Accept: final, the
 * NetworkPolicies are not consulted) resolves names whatever its NetworkPolicies say; so does a
 * declared workload that a Cilium policy's DNS rule lets resolve names (`ciliumDns`).
 *
 * "Reaches DNS" is one reading for every kind of rule (`ruleReachesDns`): the input's DNS servers
 * (`isDnsServer`), or the well-known cluster DNS where it holds none. Where that rests on what the
 * input does not give (labels of a namespace without its Namespace object, `namespaceSelectorMatch`),
 * the lint warns: DNS access that rests on a guess is no proof of DNS access, and a pod without it
 * fails at its first lookup. The message says what it rests on and the fix how to settle it.
 */
function egressWithoutDns(policies: CheckedPolicy[], cluster: Cluster, targets: DnsTargets,
  adminDns: (namespace: string, labels: Labels | undefined, doubts: LintDoubts) => boolean | undefined,
  ciliumDns: (e: ClusterEndpoint, doubts: LintDoubts) => boolean | undefined) {
  const egress = policies.filter((p) => effectivePolicyTypes(p.object.spec ?? {}).includes('Egress'));
  const dnsOf = new Map<CheckedPolicy, { reading: boolean | undefined; doubts: LintDoubts }>();
  for (const q of egress) {
    const doubts = noDoubts();
    const rules = Array.isArray(q.object.spec?.egress) ? q.object.spec.egress : [];
    dnsOf.set(q, { reading: anyReading(rules.map((rule: any) => allowsDns(rule, q.namespace, cluster, targets, doubts))), doubts });
  }
  /** The readings of several sources of DNS access, with the doubts of those that are unknown. */
  const combine = (readings: Array<{ reading: boolean | undefined; doubts: LintDoubts }>) => {
    const doubts = noDoubts();
    for (const r of readings) if (r.reading === undefined) addDoubts(doubts, r.doubts);
    return { reading: anyReading(readings.map((r) => r.reading)), doubts };
  };
  const asked = (ask: (doubts: LintDoubts) => boolean | undefined) => {
    const doubts = noDoubts();
    return { reading: ask(doubts), doubts };
  };
  const out = [];
  const reported = new Set<string>();
  const dnsFix = `Allow egress to ${dnsTargetsText(targets)} on 53/UDP and 53/TCP for these pods `
    + '(cdk8s-netpol: AllowDns for the namespace, or NetworkPolicies.allowDnsFor(endpoint)).';
  const fixFor = (doubts: LintDoubts | undefined) => (doubts ? `${doubtsFix(doubts)}${dnsFix}` : dnsFix);
  for (const p of egress) {
    const selector = compileSelector(p.object.spec?.podSelector ?? {});
    const known = cluster.endpoints.filter((e) => e.namespace === p.namespace && !e.external && selector.matches(e.labels));
    if (known.length > 0) {
      for (const e of known) {
        if (reported.has(e.id)) continue;
        const { reading, doubts } = combine([
          ...egress.filter((q) => q.namespace === p.namespace && compileSelector(q.object.spec?.podSelector ?? {}).matches(e.labels))
            .map((q) => dnsOf.get(q)!),
          asked((d) => adminDns(p.namespace, e.labels, d)),
          asked((d) => ciliumDns(e, d)),
        ]);
        if (reading === true) continue;
        reported.add(e.id);
        out.push(at(p, Severity.WARNING, LintCode.EGRESS_WITHOUT_DNS, 'spec.policyTypes', reading === false
          ? `isolates the egress of ${e.id}, and no policy that selects it allows DNS (53/UDP), so it cannot resolve names`
          : `isolates the egress of ${e.id}, and whether a policy that selects it allows DNS (53/UDP) ${doubtsText(doubts)}, so it may not resolve names`,
        fixFor(reading === undefined ? doubts : undefined)));
      }
      continue;
    }
    const podSelector = p.object.spec?.podSelector ?? {};
    const { reading, doubts } = combine([
      ...egress.filter((q) => q.namespace === p.namespace && selectsAtLeast(q.object.spec?.podSelector ?? {}, podSelector)).map((q) => dnsOf.get(q)!),
      asked((d) => adminDns(p.namespace, undefined, d)),
    ]);
    if (reading === true || reported.has(`${p.namespace}|${stableJson(podSelector)}`)) continue;
    reported.add(`${p.namespace}|${stableJson(podSelector)}`);
    const pods = stableJson(podSelector) === '{}' ? `every pod of namespace ${p.namespace}` : `the pods it selects in namespace ${p.namespace}`;
    out.push(at(p, Severity.WARNING, LintCode.EGRESS_WITHOUT_DNS, 'spec.policyTypes', reading === false
      ? `isolates the egress of ${pods}, and no policy there that selects them allows DNS (53/UDP), so name lookups will fail`
      : `isolates the egress of ${pods}, and whether a policy there that selects them allows DNS (53/UDP) ${doubtsText(doubts)}, so name lookups may fail`,
    fixFor(reading === undefined ? doubts : undefined)));
  }
  return out;
}

/**
 * Whether label selector `wide` selects every set of labels that `narrow` selects, as far as can be
 * told from the selectors alone: `wide`'s requirements are a subset of `narrow`'s.
 */
function selectsAtLeast(wide: any, narrow: any): boolean {
  const wideLabels = Object.entries(wide?.matchLabels ?? {});
  const narrowLabels = narrow?.matchLabels ?? {};
  if (!wideLabels.every(([k, v]) => Object.prototype.hasOwnProperty.call(narrowLabels, k) && narrowLabels[k] === v)) return false;
  const narrowExpressions = new Set((narrow?.matchExpressions ?? []).map(stableJson));
  return (wide?.matchExpressions ?? []).every((e: unknown) => narrowExpressions.has(stableJson(e)));
}

/** The address NodeLocal DNSCache listens on by default. */
const NODE_LOCAL_DNS = parseIp('169.254.20.10')!;

/**
 * Whether the Admin tier decides a pod's DNS egress (a lookup to a DNS target, `dnsTargets`) as
 * allowed: among the Admin-tier policies whose subject selects it (`labels` undefined: every pod of
 * the namespace, so only subjects without a pod selector count), by priority and then in order, the
 * first rule that matches the lookup is an Allow/Accept. A Deny or Pass that matches first, or no
 * match, is not. A subject or peer whose match is unknown (`namespaceSelectorMatch`, networks and
 * an address the input does not give) leaves the answer unknown unless both readings agree; any
 * DNS target so allowed is enough.
 */
function adminTierDecidesDns(clusterPolicies: ReadonlyArray<Record<string, any>>, cluster: Cluster, targets: DnsTargets)
  : (namespace: string, labels: Labels | undefined, doubts: LintDoubts) => boolean | undefined {
  const admin = clusterPolicies.filter((o) => o.kind === 'AdminNetworkPolicy' || (o.kind === 'ClusterNetworkPolicy' && o.spec?.tier === 'Admin'))
    .sort((a, b) => a.spec.priority - b.spec.priority || (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0)
      || (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0))
    .map((o) => tieredPolicyOf(o, {}));
  if (admin.length === 0) return () => false;
  return (namespace, labels, doubts) => anyReading(targets.targets.map((t) => {
    // The rules that may decide the lookup to `t`, in order: whether each matches, and whether it allows.
    const steps: Array<{ match: boolean | undefined; allow: boolean }> = [];
    for (const o of admin) {
      const pods = o.subjectPods;
      if (pods && (labels === undefined ? !pods.matchesEverything : !pods.matches(labels))) continue;
      const subject = namespaceSelectorMatch(cluster, o.subjectNamespaces, namespace, doubts);
      if (subject === false) continue;
      for (const rule of o.egress) {
        if (!portsLetLookup(rule.ports, t)) continue;
        const match = allReading([subject, anyReading(rule.peers.map((peer) => tierPeerMatchesDns(cluster, o, peer, t, doubts)))]);
        if (match !== false) steps.push({ match, allow: rule.action === 'allow' });
      }
    }
    // First match decides; an unknown match decides the same as the rest, or leaves it unknown.
    let rest: boolean | undefined = false;
    for (let i = steps.length - 1; i >= 0; i--) {
      const { match, allow } = steps[i];
      rest = match === true ? allow : allow === rest ? rest : undefined;
    }
    return rest;
  }));
}

/** Whether a peer of an Admin-tier rule matches a DNS target: true, false, or unknown (and why, in `doubts`). */
function tierPeerMatchesDns(cluster: Cluster, o: TieredPolicy, peer: TierPeer, t: DnsTarget, doubts: LintDoubts): boolean | undefined {
  switch (peer.kind) {
    case 'namespaces':
    case 'pods': {
      if (t.hostNetwork) return false;
      if (peer.kind === 'pods' && !peer.podSelector.matches(t.labels)) return false;
      return namespaceSelectorMatch(cluster, peer.namespaceSelector, t.namespace, doubts);
    }
    case 'networks': {
      if (peer.everywhere) return true;
      const inside = t.end === undefined ? 'unknown' : addressesIn(t.end, (ip) => peer.cidrs.some((c) => cidrContains(c, ip)));
      if (inside === 'all') return true;
      if (inside === 'none') return false;
      doubts.reasons.add(`whether the networks ${peer.text} of ${o.kind} ${o.id} hold the address of ${t.id} is not known (the input does not give ${inside === 'unknown' ? 'it' : 'all of them'})`);
      return undefined;
    }
    case 'nodes': return t.nodeTraffic ? (peer.selector.matchesEverything ? true : undefined) : false;
    case 'domainNames': return false;
  }
}

/** Which of an end's addresses `inside` holds: all, none, some (or an address is not given), or unknown (none given). */
function addressesIn(e: ClusterEndpoint, inside: (ip: ParsedIp) => boolean): 'all' | 'none' | 'some' | 'unknown' {
  if (e.ips.length === 0) return 'unknown';
  const held = e.ips.filter(inside).length;
  if (held === e.ips.length && e.ipsIncomplete !== true) return 'all';
  return held === 0 && e.ipsIncomplete !== true ? 'none' : 'some';
}

/**
 * Whether a NetworkPolicy egress rule reaches DNS (`ruleReachesDns`): its ports let a lookup through
 * to a DNS target, and a peer matches it: every destination (no `to`); a pod and namespace selector
 * by the target's labels and its namespace's (`namespaceSelectorMatch`; never node traffic); an
 * ipBlock that holds every address of a target of the input (not on Cilium, whose CIDR rules never
 * match pods), or, with the cluster DNS assumed, the NodeLocal DNSCache address. Where the input
 * holds no DNS server, a rule of port 53 alone is written for DNS (a custom DNS server). A rule that
 * allows every port to one unrelated workload is not a DNS rule.
 */
function allowsDns(rule: any, policyNamespace: string, cluster: Cluster, targets: DnsTargets, doubts: LintDoubts): boolean | undefined {
  const ports = portSetFromWire(rule?.ports);
  const peers = Array.isArray(rule?.to) ? rule.to : [];
  return ruleReachesDns(targets, ports, (t) => {
    if (peers.length === 0) return true;
    return anyReading(peers.map((peer: any): boolean | undefined => {
      if (peer?.ipBlock) {
        const cidr = typeof peer.ipBlock.cidr === 'string' ? parseCidr(peer.ipBlock.cidr, false).cidr : undefined;
        const except = (Array.isArray(peer.ipBlock.except) ? peer.ipBlock.except : []).map((e: unknown) => (typeof e === 'string' ? parseCidr(e, false).cidr : undefined));
        if (cidr === undefined) return false;
        const holds = (ip: ParsedIp) => cidrContains(cidr, ip) && !except.some((e: any) => e && cidrContains(e, ip));
        if (t.end === undefined) return holds(NODE_LOCAL_DNS);
        if (cluster.runsCilium) return false;
        const inside = addressesIn(t.end, holds);
        if (inside === 'all') return true;
        if (inside === 'none') return false;
        doubts.reasons.add(`whether the ipBlock ${peer.ipBlock.cidr} holds the address of ${t.id} is not known (the input does not give ${inside === 'unknown' ? 'it' : 'all of them'})`);
        return undefined;
      }
      if (t.nodeTraffic) return false;
      let namespace: boolean | undefined = t.namespace === policyNamespace;
      if (peer?.namespaceSelector) namespace = namespaceSelectorMatch(cluster, compileSelector(peer.namespaceSelector), t.namespace, doubts);
      if (namespace === false) return false;
      if (peer?.podSelector && !compileSelector(peer.podSelector).matches(t.labels)) return false;
      return namespace;
    }));
  }, peers.length === 0 || onlyPort53(ports));
}

/**
 * NP004: selectors that match none of the workloads the manifests declare. Only checked where the
 * manifests declare workloads for the namespace concerned, so a peer in a namespace the manifests
 * know nothing about (e.g. kube-system) is not flagged.
 */
function selectorsMatchingNothing(policies: CheckedPolicy[], cluster: Cluster, declaring: CheckedPolicy[]) {
  const byNamespace = new Map<string, Array<{ id: string; labels: Record<string, string> }>>();
  for (const e of cluster.endpoints) if (e.namespace) byNamespace.set(e.namespace, [...(byNamespace.get(e.namespace) ?? []), e]);
  if (byNamespace.size === 0) return [];
  // Pods declared by labels whose workloads are not in the manifests (DECLARED_BY_LABELS_ANNOTATION):
  // their policy's selector stands for them, in namespaces whose workloads are checked.
  for (const p of declaring) {
    const declared = p.object.metadata?.annotations?.[DECLARED_BY_LABELS_ANNOTATION];
    const selector = p.object.spec?.podSelector ?? {};
    if (typeof declared !== 'string' || declared.trim() === '' || !byNamespace.has(p.namespace) || (selector.matchExpressions ?? []).length > 0) continue;
    const labels = selector.matchLabels ?? {};
    if (Object.keys(labels).length === 0) continue;
    const id = `${p.namespace}/${declared} (declared by labels)`;
    if (!byNamespace.get(p.namespace)!.some((e) => e.id === id)) byNamespace.get(p.namespace)!.push({ id, labels });
  }
  const out = [];
  for (const p of policies) {
    const spec = p.object.spec ?? {};
    const own = byNamespace.get(p.namespace) ?? [];
    if (own.length > 0) {
      const sel = compileSelector(spec.podSelector ?? {});
      if (!own.some((e) => sel.matches(e.labels))) {
        out.push(at(p, Severity.WARNING, LintCode.SELECTOR_MATCHES_NOTHING, 'spec.podSelector',
          `matches none of the ${own.length} workload(s) declared in namespace ${p.namespace} (${own.map((e) => e.id).join(', ')}), so the policy applies to nothing`,
          'Check the labels against the workloads\' pod template labels (a typo here silently leaves the workload unprotected).'));
      }
    }
    for (const [direction, field] of [['ingress', 'from'], ['egress', 'to']] as const) {
      (Array.isArray(spec[direction]) ? spec[direction] : []).forEach((rule: any, i: number) => {
        (Array.isArray(rule?.[field]) ? rule[field] : []).forEach((peer: any, j: number) => {
          if (!peer?.podSelector) return;
          const namespaces = peer.namespaceSelector
            ? [...cluster.namespaces.entries()].filter(([, labels]) => compileSelector(peer.namespaceSelector).matches(labels)).map(([ns]) => ns)
            : [p.namespace];
          const known = namespaces.flatMap((ns) => byNamespace.get(ns) ?? []);
          if (known.length === 0) return;
          const sel = compileSelector(peer.podSelector);
          if (!known.some((e) => sel.matches(e.labels))) {
            out.push(at(p, Severity.WARNING, LintCode.SELECTOR_MATCHES_NOTHING, `spec.${direction}[${i}].${field}[${j}].podSelector`,
              `matches none of the workloads declared in ${namespaces.length === 1 ? `namespace ${namespaces[0]}` : `namespaces ${namespaces.join(', ')}`}, so this peer allows nothing`,
              'Check the labels against the workloads\' pod template labels, and the namespace selector.'));
          }
        });
      });
    }
  }
  return out;
}
