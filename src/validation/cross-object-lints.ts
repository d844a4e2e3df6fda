import { acceptanceFor, acceptedLints } from './accepted-lints';
import { CiliumDns, DnsPods } from './cilium-lints';
import { LintCode } from './lint-codes';
import {
  addDoubts, afterTier, allRead, allReading, anyRead, anyReading, DnsCut, DnsRead, DnsRouteReads, DnsTarget, DnsTargets, dnsTargets, dnsTargetsText,
  doubtsFix, doubtsText, LintDoubts, namespaceSelectorMatch, noDoubts, onlyPort53, portsLetLookup, readWith, ruleDnsReach, WrittenDnsRead,
  ABSENT_CLUSTER_DNS_TEXT,
} from './lint-reading';
import { stableJson } from './single-policy-lints';
import { Cluster, ClusterEndpoint, TieredPolicy, tieredPolicyOf, TierPeer, TierRule } from '../inventory/cluster';
import { CLUSTER_DNS_LABEL, CLUSTER_DNS_NAMESPACE, everyLookupServer } from '../inventory/dns-servers';
import { BOOLEAN_ALGEBRA, FirstMatch, firstMatch, TierMatch } from '../inventory/first-match';
import { effectivePolicyTypes } from '../k8s/api-server-rules';
import { cidrContains, parseCidr, parseIp, ParsedIp } from '../k8s/cidr';
import { cidrShape, PeerShape } from '../k8s/cilium-overlap';
import { Finding, Severity } from '../k8s/finding';
import { CompiledSelector, compileSelector, Labels } from '../k8s/label-selector';
import { DECLARED_BY_LABELS_ANNOTATION, NAMESPACE_NAME_LABEL } from '../k8s/manifest';
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
  ciliumDns?: CiliumDns,
): Array<{ policy: CheckedPolicy; finding: Finding }> {
  const targets = dnsTargets(cluster);
  return [
    ...duplicateNames(policies),
    ...mergeablePolicies(policies),
    ...egressWithoutDns(policies, cluster, targets, adminTierDns(clusterPolicies, cluster, targets), ciliumDns, tieredPolicies(clusterPolicies)),
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
 * Reported once per isolated workload (or policy), on the first policy that isolates it.
 *
 * "Reaches DNS" is one reading for every kind of rule (`ruleDnsReach`): the input's DNS servers
 * (`isDnsServer`), or the well-known cluster DNS where it holds none (and then a rule written for
 * DNS counts as reaching the DNS server it is written for). A lookup to one DNS target goes through
 * the tiers as the analysis orders them (`firstMatch`, inventory/first-match, the function the analysis's precedence calls; `afterTier`): the Admin tier first
 * (`adminTierDns`: its first matching rule decides, an Allow/Accept as a Deny, whatever the
 * NetworkPolicies say; a Pass or no match goes on), then the namespace tier: the NetworkPolicies'
 * and the Cilium policies' allows added up (`CiliumDns.allows`, for a declared workload), less what
 * a Cilium deny rule takes (`CiliumDns.denies`: a deny takes precedence over every allow); and the
 * server's ingress must let the lookup in (`serverIngress`). The pod resolves names when EVERY DNS
 * server it may ask is so reached, by the every-server rule the analysis uses (`everyLookupServer`,
 * inventory/dns-servers): its lookups spread over them, so some reached and some not warns (may
 * fail, naming those not reached); the cluster DNS the input does not hold (the inventory's
 * stand-in) counts where the input polices its ingress, and the fix then says to add the DNS pods.
 * A finding whose DNS a deny cuts names the deny; one whose lookups a server's ingress drops names it.
 *
 * Where that rests on what the input does not give (labels of a namespace without its Namespace
 * object, `namespaceSelectorMatch`; a deny that may apply; Admin policies of one priority that
 * disagree), the lint warns: DNS access that rests on a guess is no proof of DNS access, and a pod
 * without it fails at its first lookup. The message says what it rests on and the fix how to settle it.
 */
function egressWithoutDns(
  policies: CheckedPolicy[], cluster: Cluster, targets: DnsTargets, admin: AdminDns, cilium: CiliumDns | undefined, tiered: readonly TieredPolicy[],
) {
  const egress = policies.filter((p) => effectivePolicyTypes(p.object.spec ?? {}).includes('Egress'));
  const dnsOf = new Map<CheckedPolicy, DnsRouteReads>();
  for (const q of egress) dnsOf.set(q, networkPolicyDns(q, cluster, targets));
  /**
   * The DNS access of some pods (`pods`) from the sources of allows that select them, through the
   * Admin tier and the Cilium deny rules, per DNS server, and then over the servers by the
   * every-server rule (`everyLookupServer`): the cluster DNS the input does not hold counts where
   * the input polices its ingress (`serverIngress`); a server is reached only where its ingress admits the lookups too.
   */
  const access = (sources: DnsRouteReads[], tier: AdminDnsReads, cut: CiliumCuts | undefined, pods: DnsPods): DnsAccess => {
    const deniedBy = new Set<string>();
    const route = (allowed: DnsRead, c: DnsCut | undefined, a: AdminDnsRead): DnsRead => {
      const below = c === undefined ? allowed : allRead([allowed, { reading: c.reading === undefined ? undefined : !c.reading, doubts: c.doubts }]);
      const reading = afterTier(a.outcomes, below.reading);
      const doubts = noDoubts();
      if (reading === undefined) {
        if (below.reading === undefined) addDoubts(doubts, below.doubts);
        addDoubts(doubts, a.doubts);
      }
      if (reading === false && allowed.reading !== false) {
        if (a.outcomes.deny && !a.outcomes.pass && !a.outcomes.through && !a.outcomes.allow) a.deniedBy.forEach((n) => deniedBy.add(n));
        else if (c?.reading === true) c.by.forEach((n) => deniedBy.add(n));
      }
      return { reading, doubts };
    };
    const perTarget = targets.targets.map((_t, i) => route(anyRead(sources.map((src) => src.targets[i])), cut?.targets[i], tier.targets[i]));
    const written = sources.flatMap((src) => src.written).map((w) => route(w, cut?.written(w.peers), tier.written));
    const reads = new Map<ClusterEndpoint, DnsRead>();
    const ingress = new Map<DnsTarget, ClusterDnsIngress>();
    let ingressDoubt = false;
    /** The servers whose ingress drops lookups the egress lets out, with the policies that police it. */
    const dropped = new Map<ClusterEndpoint, readonly string[]>();
    const ingressOf = (t: DnsTarget) => {
      let r = ingress.get(t);
      if (r === undefined) ingress.set(t, (r = serverIngress(t, pods)));
      return r;
    };
    const every = everyLookupServer(cluster, pods.end, {
      reached: (server) => {
        const t = targets.targets.find((x) => x.server === server);
        const r = t === undefined
          ? readWith((d) => { d.reasons.add(`NP002 does not read the lookups to ${server.id}`); return undefined; })
          : allRead([perTarget[targets.targets.indexOf(t)], ingressOf(t).allowed]);
        if (t !== undefined && r.reading === undefined && ingressOf(t).allowed.reading === undefined) ingressDoubt = true;
        if (t !== undefined && r.reading === false && perTarget[targets.targets.indexOf(t)].reading !== false) dropped.set(server, ingressOf(t).by);
        reads.set(server, r);
        return r.reading;
      },
      unnamed: () => {
        const r = anyRead([...perTarget.filter((_r, i) => pods.end === undefined || targets.targets[i].server !== pods.end), ...written]);
        reads.set(UNNAMED, r);
        return r.reading;
      },
      policed: (server) => ingressOf(targets.targets.find((x) => x.server === server)!).policed.reading,
    });
    const absentIngress = every.absent !== undefined ? ingress.get(targets.targets.find((x) => x.server === every.absent!.server)!) : undefined;
    const doubts = noDoubts();
    const counted: Array<{ name: string; reached: boolean | undefined; read?: DnsRead }> = [
      ...every.servers.map((x) => ({ name: x.server.id, reached: x.reached, read: reads.get(x.server) })),
      ...(every.unnamed ? [{ name: 'the DNS server its rules are written for', reached: every.unnamed.reached, read: reads.get(UNNAMED) }] : []),
      ...(every.absent ? [{ name: ABSENT_CLUSTER_DNS_TEXT, reached: every.absent.reached, read: reads.get(every.absent.server) }] : []),
    ];
    for (const c of counted) if (c.reached === undefined && c.read !== undefined && c.read.reading === undefined) addDoubts(doubts, c.read.doubts);
    if (every.absent !== undefined && every.reading === undefined && absentIngress !== undefined && absentIngress.policed.reading === undefined) {
      addDoubts(doubts, absentIngress.policed.doubts);
      ingressDoubt = true;
    }
    return {
      reading: every.reading,
      doubts,
      deniedBy: every.reading === false ? [...deniedBy].sort() : [],
      servers: counted.map((c) => c.name),
      missed: every.reading === undefined ? counted.filter((c) => c.reached === false).map((c) => c.name) : [],
      absent: every.absent !== undefined ? { policedBy: absentIngress?.by ?? [] } : undefined,
      ingressDoubt,
      droppedIn: every.reading === false ? [...dropped].map(([server, by]) => ({ server: server.id, by })) : [],
      absentOnly: every.absent !== undefined && every.servers.length === 0,
    };
  };
  /**
   * How the ingress of a DNS server (`t`, the cluster DNS the input does not hold too) reads a lookup
   * from `pods`, as the analysis decides a side (`decidePair`, which the every-server rule's
   * `lookupPath` asks): the Admin tier first (`firstMatch`), then the namespace tier where a
   * NetworkPolicy of its namespace selects it for ingress (or a Cilium policy may: NP002 does not
   * read Cilium ingress rules, so that is unknown, and said), then the Baseline tier. A
   * hostNetwork server is a node's: no NetworkPolicy or tier subject selects it.
   */
  const serverIngress = (t: DnsTarget, pods: DnsPods): ClusterDnsIngress => {
    const doubts = noDoubts();
    const by: string[] = [];
    if (t.hostNetwork || t.nodeTraffic) return { policed: { reading: false, doubts }, allowed: { reading: true, doubts }, by };
    const selecting = policies.filter((p) => kindKey(p) === 'NetworkPolicy' && p.namespace === t.namespace
      && effectivePolicyTypes(p.object.spec ?? {}).includes('Ingress') && compileSelector(p.object.spec?.podSelector ?? {}).matches(t.labels));
    for (const p of selecting) by.push(`NetworkPolicy ${p.namespace}/${p.name}`);
    const npAllowed = anyReading(selecting.flatMap((p) => (Array.isArray(p.object.spec?.ingress) ? p.object.spec.ingress : [])
      .filter((rule: any) => portsLetLookup(portSetFromWire(rule?.ports), t))
      .map((rule: any) => sourceMatches(Array.isArray(rule?.from) ? rule.from : [], p.namespace, pods, doubts))));
    const ciliumNames = cilium?.ingressOf(t) ?? [];
    for (const n of ciliumNames) {
      by.push(n);
      doubts.reasons.add(`${n} may select ${t.end === undefined ? ABSENT_CLUSTER_DNS_TEXT : t.id} for ingress, and NP002 does not read whether its rules let the lookups in`);
    }
    const isolated: boolean | undefined = selecting.length > 0 ? true : ciliumNames.length > 0 ? undefined : false;
    const nsAllowed = ciliumNames.length > 0 ? (npAllowed === false || selecting.length === 0 ? undefined : npAllowed) : npAllowed;
    const [adminTier, baselineTier] = (['admin', 'baseline'] as const)
      .map((tierName) => tierIngress(tiered.filter((o) => o.tier === tierName), t, pods, doubts, by));
    const baseline = afterTier(baselineTier, true);
    const below = isolated === true ? nsAllowed : isolated === false ? baseline : either(nsAllowed, baseline);
    const allowed = afterTier(adminTier, below);
    const policed = anyReading([isolated, allowed === undefined ? undefined : !allowed]);
    return { policed: { reading: policed, doubts }, allowed: { reading: allowed, doubts }, by: [...new Set(by)] };
  };
  /** Whether a NetworkPolicy ingress rule's peers (`from`) match the pods whose lookups are read: true, false, or unknown (and why). */
  const sourceMatches = (peers: any[], policyNamespace: string, pods: DnsPods, doubts: LintDoubts): boolean | undefined => {
    if (peers.length === 0) return true;
    return anyReading(peers.map((peer: any): boolean | undefined => {
      if (peer?.ipBlock) {
        const cidr = typeof peer.ipBlock.cidr === 'string' ? parseCidr(peer.ipBlock.cidr, false).cidr : undefined;
        const except = (Array.isArray(peer.ipBlock.except) ? peer.ipBlock.except : []).map((e: unknown) => (typeof e === 'string' ? parseCidr(e, false).cidr : undefined));
        if (cidr === undefined || cluster.runsCilium) return false;
        const inside = pods.end === undefined ? 'unknown' : addressesIn(pods.end, (ip) => cidrContains(cidr, ip) && !except.some((e: any) => e && cidrContains(e, ip)));
        if (inside === 'all') return true;
        if (inside === 'none') return false;
        doubts.reasons.add(`whether the ipBlock ${peer.ipBlock.cidr} in an ingress rule of a DNS server holds the addresses of the pods is not known`);
        return undefined;
      }
      if (pods.end?.nodeTraffic === true) return false;
      const namespace = peer?.namespaceSelector
        ? namespaceSelectorMatch(cluster, compileSelector(peer.namespaceSelector), pods.namespace, doubts) : pods.namespace === policyNamespace;
      if (namespace === false || !peer?.podSelector) return namespace;
      return allReading([namespace, podsMatch(compileSelector(peer.podSelector), pods, doubts, 'the pod selector of an ingress rule of a DNS server')]);
    }));
  };
  /** What a tier (Admin or Baseline) does with a lookup from `pods` into the cluster DNS's ingress (`firstMatch`). */
  const tierIngress = (tier: TieredPolicy[], t: DnsTarget, pods: DnsPods, doubts: LintDoubts, by: string[]): FirstMatch<boolean> => {
    const steps: Array<TierMatch<boolean>> = [];
    tier.forEach((o, policy) => {
      if (o.subjectPods && !o.subjectPods.matches(t.labels)) return;
      const subject = namespaceSelectorMatch(cluster, o.subjectNamespaces, t.namespace, doubts);
      if (subject === false) return;
      for (const rule of o.ingress) {
        if (!portsLetLookup(rule.ports, t)) continue;
        const peer = anyReading(rule.peers.map((x): boolean | undefined => {
          if (pods.end?.nodeTraffic === true || pods.end?.hostNetwork === true) return false;
          if (x.kind !== 'namespaces' && x.kind !== 'pods') return false;
          const ns = namespaceSelectorMatch(cluster, x.namespaceSelector, pods.namespace, doubts);
          return x.kind === 'pods' && ns !== false ? allReading([ns, podsMatch(x.podSelector, pods, doubts, `the pods peer of ${o.kind} ${o.id} ingress[${rule.index}]`)]) : ns;
        }));
        const match = allReading([subject, peer]);
        if (match === false) continue;
        if (rule.action !== 'allow') by.push(`${o.kind} ${o.id}`);
        steps.push({ matched: match === true, undecided: match === undefined, action: rule.action, policy, priority: o.priority });
      }
    });
    return firstMatch(BOOLEAN_ALGEBRA, steps);
  };
  /** Whether a pod selector selects `pods`: by its labels where declared, else by the labels its policy's selector requires (and why unknown). */
  const podsMatch = (selector: CompiledSelector, pods: DnsPods, doubts: LintDoubts, what: string): boolean | undefined => {
    if (pods.end !== undefined) return selector.matches(pods.end.labels);
    const given = new Set(Object.keys(pods.labels ?? {}));
    const m = selector.matchesPartly(pods.labels ?? {}, (key) => given.has(key));
    if (m === undefined) doubts.reasons.add(`whether ${what} selects the pods of namespace ${pods.namespace}, which the input does not declare, is not known`);
    return m;
  };
  const out = [];
  const reported = new Set<string>();
  const dnsFix = `Allow egress to ${dnsTargetsText(targets)} on 53/UDP and 53/TCP for these pods `
    + '(cdk8s-netpol: AllowDns for the namespace, or NetworkPolicies.allowDnsFor(endpoint)).';
  const fixFor = (r: DnsAccess) => {
    if (r.deniedBy.length > 0) {
      return `Let ${r.deniedBy.join(', ')} leave 53/UDP and 53/TCP to ${dnsTargetsText(targets)} alone: a deny takes precedence over the allows `
        + '(a Cilium deny rule over every allow, an Admin-tier Deny over every NetworkPolicy unless an Admin Allow of DNS matches first).';
    }
    if (r.droppedIn.length > 0) {
      const by = [...new Set(r.droppedIn.flatMap((d) => d.by))];
      return `Let ${by.length > 0 ? by.join(', ') : 'the ingress of the DNS servers'} admit 53/UDP and 53/TCP from these pods, or ${dnsFix.charAt(0).toLowerCase()}${dnsFix.slice(1)}`;
    }
    const absent = r.absent === undefined ? ''
      : `Add the DNS pods (${CLUSTER_DNS_NAMESPACE} ${CLUSTER_DNS_LABEL.key}=${CLUSTER_DNS_LABEL.value}) to the input to have them analysed`
        + `${r.absent.policedBy.length > 0 ? `, or let ${r.absent.policedBy.join(', ')} admit the lookups` : ''}. `;
    if (r.missed.length > 0) {
      return `${doubtsFix(r.doubts)}${absent}Allow egress to every DNS server the pods may ask on 53/UDP and 53/TCP (${r.missed.join(', ')} too), and the lookups `
        + 'in the ingress of each (cdk8s-netpol: AllowDns for the namespace, or NetworkPolicies.allowDnsFor(endpoint)).';
    }
    return r.reading === undefined ? `${doubtsFix(r.doubts)}${absent}${dnsFix}` : `${absent}${dnsFix}`;
  };
  const deniedText = (names: readonly string[]) => `${names.length === 1 ? names[0] : names.join(' and ')}, which take${names.length === 1 ? 's' : ''} precedence over the allows`;
  /** DNS servers whose ingress drops the lookups, in words: `is let out, and dropped in the ingress of kube-system/coredns (by ...)`. */
  const droppedText = (r: DnsAccess) => `is let out, and dropped in the ingress of ${r.droppedIn.map((d) => `${d.server}${d.by.length > 0 ? ` (${d.by.join(', ')})` : ''}`)
    .join(' and ')}`;
  /** Where a DNS server's ingress leaves the reading unknown, in words: `, and the ingress of the DNS servers lets the lookups in,`. */
  const intoText = (r: DnsAccess) => (r.ingressDoubt ? `, and the ingress of ${r.absentOnly ? ABSENT_CLUSTER_DNS_TEXT : 'the DNS servers'} lets the lookups in,` : '');
  /** The every-server rule's partial outcome in words: `lookups spread over a, b, b not reached`. */
  const spreadText = (r: DnsAccess, others: string) => {
    const why = r.absent !== undefined && r.missed.some((m) => m.startsWith(ABSENT_CLUSTER_DNS_TEXT))
      ? ` (the input does not hold the cluster DNS, and the lookups may go there, dnsPolicy ClusterFirst being the default${r.absent.policedBy.length > 0
        ? `; ${r.absent.policedBy.join(', ')} police${r.absent.policedBy.length === 1 ? 's' : ''} its ingress` : ''})` : '';
    const rest = r.doubts.namespaces.size + r.doubts.reasons.size > 0 ? `; and whether ${others} allows DNS (53/UDP) to the others ${doubtsText(r.doubts)}` : '';
    return `may fail: lookups spread over ${r.servers.join(', ')} (a Service spreads them over its replicas, NodeLocal DNSCache intercepts them), `
      + `${r.missed.join(' and ')} not reached${why}${rest}`;
  };
  for (const p of egress) {
    const selector = compileSelector(p.object.spec?.podSelector ?? {});
    const known = cluster.endpoints.filter((e) => e.namespace === p.namespace && !e.external && selector.matches(e.labels));
    if (known.length > 0) {
      for (const e of known) {
        if (reported.has(e.id)) continue;
        const r = access([
          ...egress.filter((q) => q.namespace === p.namespace && compileSelector(q.object.spec?.podSelector ?? {}).matches(e.labels))
            .map((q) => dnsOf.get(q)!),
          ...(cilium ? [cilium.allows(e)] : []),
        ], admin(p.namespace, e.labels), cilium?.denies({ namespace: p.namespace, end: e }), { namespace: p.namespace, end: e });
        if (r.reading === true) continue;
        reported.add(e.id);
        out.push(at(p, Severity.WARNING, LintCode.EGRESS_WITHOUT_DNS, 'spec.policyTypes', r.reading === false
          ? (r.deniedBy.length > 0
            ? `isolates the egress of ${e.id}, and its DNS (53/UDP) is denied by ${deniedText(r.deniedBy)}, so it cannot resolve names`
            : r.droppedIn.length > 0
              ? `isolates the egress of ${e.id}, and its DNS (53/UDP) ${droppedText(r)}, so it cannot resolve names`
              : `isolates the egress of ${e.id}, and no policy that selects it allows DNS (53/UDP), so it cannot resolve names`)
          : r.missed.length > 0
            ? `isolates the egress of ${e.id}, and its DNS (53/UDP) ${spreadText(r, 'a policy that selects it')}, so it may not resolve names`
            : `isolates the egress of ${e.id}, and whether a policy that selects it allows DNS (53/UDP)${intoText(r)} ${doubtsText(r.doubts)}, so it may not resolve names`,
        fixFor(r)));
      }
      continue;
    }
    const podSelector = p.object.spec?.podSelector ?? {};
    const r = access(
      egress.filter((q) => q.namespace === p.namespace && selectsAtLeast(q.object.spec?.podSelector ?? {}, podSelector)).map((q) => dnsOf.get(q)!),
      admin(p.namespace, undefined),
      cilium?.denies({ namespace: p.namespace, labels: podSelector.matchLabels ?? {} }),
      { namespace: p.namespace, labels: podSelector.matchLabels ?? {} },
    );
    if (r.reading === true || reported.has(`${p.namespace}|${stableJson(podSelector)}`)) continue;
    reported.add(`${p.namespace}|${stableJson(podSelector)}`);
    const pods = stableJson(podSelector) === '{}' ? `every pod of namespace ${p.namespace}` : `the pods it selects in namespace ${p.namespace}`;
    out.push(at(p, Severity.WARNING, LintCode.EGRESS_WITHOUT_DNS, 'spec.policyTypes', r.reading === false
      ? (r.deniedBy.length > 0
        ? `isolates the egress of ${pods}, and their DNS (53/UDP) is denied by ${deniedText(r.deniedBy)}, so name lookups will fail`
        : r.droppedIn.length > 0
          ? `isolates the egress of ${pods}, and their DNS (53/UDP) ${droppedText(r)}, so name lookups will fail`
          : `isolates the egress of ${pods}, and no policy there that selects them allows DNS (53/UDP), so name lookups will fail`)
      : r.missed.length > 0
        ? `isolates the egress of ${pods}, and their DNS (53/UDP) ${spreadText(r, 'a policy there that selects them')}, so name lookups may fail`
        : `isolates the egress of ${pods}, and whether a policy there that selects them allows DNS (53/UDP)${intoText(r)} ${doubtsText(r.doubts)}, so name lookups may fail`,
    fixFor(r)));
  }
  return out;
}

/** NP002's reading of some pods' DNS (`egressWithoutDns`): over every DNS server they may ask (`everyLookupServer`). */
interface DnsAccess extends DnsRead {
  /** The deny rules that must cut the lookups, where none gets through. */
  readonly deniedBy: readonly string[];
  /** The DNS servers counted, in words. */
  readonly servers: readonly string[];
  /** Those not reached, where others are (or may be). */
  readonly missed: readonly string[];
  /** The cluster DNS the input does not hold, counted: the policies that police its ingress. */
  readonly absent?: { readonly policedBy: readonly string[] };
  /** Whether the reading is unknown (in part) for a DNS server's ingress. */
  readonly ingressDoubt: boolean;
  /** Where none is reached: the DNS servers whose ingress drops lookups the egress lets out, and the policies that police it. */
  readonly droppedIn: ReadonlyArray<{ readonly server: string; readonly by: readonly string[] }>;
  /** Whether the only DNS server of the input counted is the cluster DNS it does not hold. */
  readonly absentOnly: boolean;
}

/** How the ingress of the cluster DNS the input does not hold reads some pods' lookups. */
interface ClusterDnsIngress {
  /** Whether the input polices it: isolates it, or drops the lookups. */
  readonly policed: DnsRead;
  /** Whether it lets the lookups in (true where nothing polices it). */
  readonly allowed: DnsRead;
  /** The policies that isolate it, or have rules that may drop the lookups. */
  readonly by: readonly string[];
}

/** The key of `LookupReach.unnamed`'s read among the servers' (no end of a model has index -2). */
const UNNAMED = Object.freeze({ id: 'the DNS server its rules are written for', index: -2 }) as unknown as ClusterEndpoint;

/** Both readings of something the input does not settle: true where both are, false where both are, else unknown. */
function either(a: boolean | undefined, b: boolean | undefined): boolean | undefined {
  return a === b ? a : undefined;
}

/** What the Cilium deny rules take of some pods' lookups (`CiliumDns.denies`). */
type CiliumCuts = ReturnType<CiliumDns['denies']>;

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

/** What the Admin tier does with some pods' lookups to one DNS target (or to the DNS server a rule written for DNS names). */
interface AdminDnsRead {
  /** The Admin tier's first match for the lookup (`firstMatch`, the one the analysis's precedence uses). */
  readonly outcomes: FirstMatch<boolean>;
  readonly doubts: LintDoubts;
  /** The Deny rule that decides where only a Deny can (`<kind> <name> egress[i]`). */
  readonly deniedBy: readonly string[];
}

/** `AdminDnsRead` per DNS target, in the order of `DnsTargets.targets`, and for a rule written for DNS. */
interface AdminDnsReads {
  readonly targets: readonly AdminDnsRead[];
  readonly written: AdminDnsRead;
}

/** The Admin tier's reading of some pods' lookups (`labels` undefined: every pod of the namespace, so only subjects without a pod selector count). */
type AdminDns = (namespace: string, labels: Labels | undefined) => AdminDnsReads;

const THROUGH: AdminDnsRead = { outcomes: firstMatch(BOOLEAN_ALGEBRA, []), doubts: noDoubts(), deniedBy: [] };

/**
 * What the Admin tier does with a pod's lookup (53/UDP) to a DNS target (`dnsTargets`): among the
 * Admin-tier policies whose subject selects it (`labels` undefined: every pod of the namespace, so
 * only subjects without a pod selector count), by priority and then in order, the first rule that
 * matches the lookup decides (`firstMatch`, the analysis's precedence, over one end): an
 * Allow/Accept allows it whatever the NetworkPolicies say, a Deny denies it whatever they say, a
 * Pass or no match leaves it to them. A subject or peer whose match is unknown
 * (`namespaceSelectorMatch`, networks and an address the input does not give) is read both ways, as
 * are policies of one priority (which of them decides is implementation-defined). For a rule written
 * for DNS (the input holds no DNS server), a rule matches its DNS server where its networks hold
 * every address, and may wherever else it could.
 */
function adminTierDns(clusterPolicies: ReadonlyArray<Record<string, any>>, cluster: Cluster, targets: DnsTargets): AdminDns {
  const admin = tieredPolicies(clusterPolicies).filter((o) => o.tier === 'admin');
  if (admin.length === 0) return () => ({ targets: targets.targets.map(() => THROUGH), written: THROUGH });
  /** The tier's reading of one lookup, given how each rule's peers match it (`peerMatch`) and whether its ports let it through. */
  const read = (namespace: string, labels: Labels | undefined, what: string, lets: (ports: TierRule['ports']) => boolean,
    peerMatch: (o: TieredPolicy, rule: TierRule, doubts: LintDoubts) => boolean | undefined): AdminDnsRead => {
    const doubts = noDoubts();
    const steps: Array<TierMatch<boolean> & { name: string }> = [];
    admin.forEach((o, policy) => {
      const pods = o.subjectPods;
      if (pods && (labels === undefined ? !pods.matchesEverything : !pods.matches(labels))) return;
      const subject = namespaceSelectorMatch(cluster, o.subjectNamespaces, namespace, doubts);
      if (subject === false) return;
      for (const rule of o.egress) {
        if (!lets(rule.ports)) continue;
        const match = allReading([subject, peerMatch(o, rule, doubts)]);
        if (match !== false) {
          steps.push({ matched: match === true, undecided: match === undefined, action: rule.action, policy, priority: o.priority, name: `${o.kind} ${o.id} egress[${rule.index}]${rule.name ? ` (${rule.name})` : ''}` });
        }
      }
    });
    const outcomes = firstMatch(BOOLEAN_ALGEBRA, steps);
    const possible = [outcomes.allow, outcomes.deny, outcomes.pass || outcomes.through].filter((x) => x).length;
    if (possible > 1) {
      // Policies of one priority with rules that may match: which of them decides is implementation-defined.
      for (const priority of new Set(steps.map((x) => x.priority))) {
        const tied = [...new Set(steps.filter((x) => x.priority === priority).map((x) => x.policy))];
        if (tied.length > 1) {
          doubts.reasons.add(`${tied.map((i) => `${admin[i].kind} ${admin[i].id}`).join(' and ')} have the same priority (${priority}) and may all match the lookup to ${what}, `
            + 'and which of them decides is implementation-defined');
        }
      }
    }
    const deny = steps.find((x) => x.matched && x.action === 'deny');
    return { outcomes, doubts, deniedBy: deny ? [deny.name] : [] };
  };
  return (namespace, labels) => ({
    targets: targets.targets.map((t) => read(namespace, labels, t.id, (ports) => portsLetLookup(ports, t),
      (o, rule, doubts) => anyReading(rule.peers.map((peer) => tierPeerMatchesDns(cluster, o, peer, t, doubts))))),
    written: targets.inInput ? THROUGH : read(namespace, labels, 'the DNS server a rule of port 53 is written for',
      (ports) => targets.targets.some((t) => portsLetLookup(ports, t)),
      (o, rule, doubts) => {
        const m = anyReading(rule.peers.map((peer) => (peer.kind === 'networks' && peer.everywhere ? true : peer.kind === 'domainNames' ? false : undefined)));
        if (m === undefined) {
          doubts.reasons.add(`whether ${o.kind} ${o.id} egress[${rule.index}] matches the DNS server outside the input that a rule of port 53 is written for is not known`);
        }
        return m;
      }),
  });
}

/**
 * The Admin and Baseline tiers' policies (AdminNetworkPolicy, BaselineAdminNetworkPolicy,
 * ClusterNetworkPolicy) the API server accepts, in the tiers' order: by priority (the v1alpha1
 * baseline has none: 0), then kind and name.
 */
function tieredPolicies(clusterPolicies: ReadonlyArray<Record<string, any>>): TieredPolicy[] {
  return clusterPolicies.filter((o) => ['AdminNetworkPolicy', 'BaselineAdminNetworkPolicy', 'ClusterNetworkPolicy'].includes(o.kind))
    .map((o) => ({ o, t: tieredPolicyOf(o, {}) }))
    .sort((a, b) => a.t.priority - b.t.priority || (a.o.kind < b.o.kind ? -1 : a.o.kind > b.o.kind ? 1 : 0)
      || (a.o.metadata.name < b.o.metadata.name ? -1 : a.o.metadata.name > b.o.metadata.name ? 1 : 0))
    .map((x) => x.t);
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
 * Where a NetworkPolicy's egress rules let lookups go (`ruleDnsReach`): a rule's ports let a lookup
 * through to a DNS target, and a peer matches it: every destination (no `to`); a pod and namespace
 * selector by the target's labels and its namespace's (`namespaceSelectorMatch`; never node
 * traffic); an ipBlock that holds every address of a target of the input (not on Cilium, whose CIDR
 * rules never match pods), or, with the cluster DNS assumed, the NodeLocal DNSCache address. Where
 * the input holds no DNS server, a rule of port 53 alone is written for DNS (a custom DNS server),
 * at its peers (`networkPolicyPeerShapes`). A rule that allows every port to one unrelated workload
 * is not a DNS rule.
 */
function networkPolicyDns(q: CheckedPolicy, cluster: Cluster, targets: DnsTargets): DnsRouteReads {
  const rules = Array.isArray(q.object.spec?.egress) ? q.object.spec.egress : [];
  const perTarget: DnsRead[][] = targets.targets.map(() => []);
  const written: WrittenDnsRead[] = [];
  for (const rule of rules) {
    const doubts = targets.targets.map(() => noDoubts());
    const ports = portSetFromWire(rule?.ports);
    const peers = Array.isArray(rule?.to) ? rule.to : [];
    const reach = ruleDnsReach(targets, ports, (t) => peerReachesDns(peers, q.namespace, cluster, t, doubts[targets.targets.indexOf(t)]),
      peers.length === 0 || onlyPort53(ports));
    reach.targets.forEach((reading, i) => perTarget[i].push({ reading, doubts: doubts[i] }));
    if (reach.written) {
      const shapes = networkPolicyPeerShapes(peers, q.namespace);
      written.push({ reading: true, doubts: noDoubts(), ...(shapes !== undefined ? { peers: shapes } : {}) });
    }
  }
  return { targets: perTarget.map((reads) => anyRead(reads)), written };
}

/** Whether a NetworkPolicy egress rule's peers (`to`) match a DNS target (see `networkPolicyDns`). */
function peerReachesDns(peers: any[], policyNamespace: string, cluster: Cluster, t: DnsTarget, doubts: LintDoubts): boolean | undefined {
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
}

/**
 * A NetworkPolicy rule's peers in the terms of Cilium's overlap test (`k8s/cilium-overlap`), for the
 * Cilium deny rules that may cut a rule written for DNS: an ipBlock as a CIDR, a selector as pods of
 * the policy's namespace, of the namespace its namespace selector names by `kubernetes.io/metadata.name`
 * alone, or of any. Undefined (any peer) where one cannot be read.
 */
function networkPolicyPeerShapes(peers: any[], policyNamespace: string): PeerShape[] | undefined {
  if (peers.length === 0) return undefined;
  const shapes: PeerShape[] = [];
  for (const peer of peers) {
    if (peer?.ipBlock) {
      try {
        shapes.push(cidrShape(peer.ipBlock.cidr, Array.isArray(peer.ipBlock.except) ? peer.ipBlock.except : []));
      } catch {
        return undefined;
      }
      continue;
    }
    const ns = peer?.namespaceSelector;
    const named = ns && Object.keys(ns.matchLabels ?? {}).length === 1 && (ns.matchExpressions ?? []).length === 0
      ? ns.matchLabels[NAMESPACE_NAME_LABEL] : undefined;
    const namespace = ns === undefined ? policyNamespace : typeof named === 'string' ? named : undefined;
    shapes.push({ kind: 'pods', ...(namespace !== undefined ? { namespace } : {}), pods: peer?.podSelector ?? {} });
  }
  return shapes;
}

/**
 * NP004: selectors that match none of the workloads the manifests declare. Only checked where the
 * manifests declare workloads for the namespace concerned, so a peer in a namespace the manifests
 * know nothing about (e.g. kube-system) is not flagged. A peer's namespace selector is read against
 * every namespace of the input (`namespaceSelectorMatch`), those known only from their pods too:
 * where such a namespace's labels decide whether the peer selects it (it has no Namespace object),
 * and a workload there is the only one the pod selector matches, whether the peer allows anything
 * rests on unknown labels, and NP004 warns, saying so (a lint warns where the input does not
 * settle whether the mistake is there).
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
    for (const [direction, field_] of [['ingress', 'from'], ['egress', 'to']] as const) {
      (Array.isArray(spec[direction]) ? spec[direction] : []).forEach((rule: any, i: number) => {
        (Array.isArray(rule?.[field_]) ? rule[field_] : []).forEach((peer: any, j: number) => {
          if (!peer?.podSelector) return;
          // Each namespace of the input the peer may select (`namespaceSelectorMatch`: one without its
          // Namespace object, known from its pods, is matched on its name label alone where that
          // settles it, else unknown), and whether the pod selector matches a workload there.
          const namespaceSelector = compileSelector(peer.namespaceSelector ?? {});
          const namespaces = peer.namespaceSelector
            ? [...cluster.namespaces.keys()].map((ns) => ({ ns, match: namespaceSelectorMatch(cluster, namespaceSelector, ns) }))
              .filter((m) => m.match !== false)
            : [{ ns: p.namespace, match: true as boolean | undefined }];
          if (!namespaces.some((m) => (byNamespace.get(m.ns) ?? []).length > 0)) return;
          const sel = compileSelector(peer.podSelector);
          const reading = anyReading(namespaces.map((m) => allReading([m.match, (byNamespace.get(m.ns) ?? []).some((e) => sel.matches(e.labels))])));
          if (reading === true) return;
          const names = namespaces.map((m) => m.ns);
          const where = names.length === 1 ? `namespace ${names[0]}` : `namespaces ${names.join(', ')}`;
          const field = `spec.${direction}[${i}].${field_}[${j}].podSelector`;
          const fix = 'Check the labels against the workloads\' pod template labels, and the namespace selector.';
          if (reading === false) {
            out.push(at(p, Severity.WARNING, LintCode.SELECTOR_MATCHES_NOTHING, field,
              `matches none of the workloads declared in ${where}, so this peer allows nothing`, fix));
            return;
          }
          // Unknown: it matches a workload only in namespaces whose labels the input does not give.
          const unsettled = namespaces.filter((m) => m.match === undefined && (byNamespace.get(m.ns) ?? []).some((e) => sel.matches(e.labels)))
            .map((m) => m.ns);
          const doubts = { namespaces: new Set(unsettled), reasons: new Set<string>() };
          out.push(at(p, Severity.WARNING, LintCode.SELECTOR_MATCHES_NOTHING, field,
            `matches workloads only in ${unsettled.length === 1 ? `namespace ${unsettled[0]}` : `namespaces ${unsettled.join(', ')}`}, which its namespace selector may or may not select: `
              + `whether this peer allows anything ${doubtsText(doubts)}`,
            `${doubtsFix(doubts)}${fix}`));
        });
      });
    }
  }
  return out;
}
