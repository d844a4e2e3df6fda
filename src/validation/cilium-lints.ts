import { LintCode } from './lint-codes';
import {
  allRead, anyRead, anyReading, ciliumSelectionDoubt, DnsCut, DnsRead, DnsRouteReads, DnsTarget, dnsTargets, LintDoubts, noDoubts, onlyPort53,
  portsLetLookup, readWith, ruleDnsReach, WrittenDnsRead,
} from './lint-reading';
import {
  CILIUM_NAMESPACE_LABELS_PREFIX, CILIUM_POD_NAMESPACE_KEY, CiliumEndpointSelector, ciliumLabels, CiliumPolicy, CiliumRule,
  CiliumSelectable, ciliumSelects, readCiliumPolicy,
  requirementFields, unplacedEndsText, unplacedMayBe,
} from '../inventory/cilium-policy';
import { Cluster, ClusterEndpoint } from '../inventory/cluster';
import { cidrContains, cidrsCover, cidrsOverlap, formatIp, parseCidr, ParsedCidr, ParsedIp } from '../k8s/cidr';
import { CILIUM_CLUSTERWIDE_NETWORK_POLICY_KIND } from '../k8s/cilium-manifest';
import { PeerShape, peerShapesOverlap } from '../k8s/cilium-overlap';
import { Finding, Severity } from '../k8s/finding';
import { fqdnPatternsIntersect, normalizeFqdn } from '../k8s/fqdn-pattern';
import { Labels } from '../k8s/label-selector';
import { NAMESPACE_NAME_LABEL } from '../k8s/manifest';

/** A Cilium policy the schema checks accepted, with where it is. */
export interface CheckedCiliumPolicy {
  readonly object: Record<string, any>;
  /** Its namespace (`default` when none); undefined for a CiliumClusterwideNetworkPolicy. */
  readonly namespace?: string;
}

/** The DNS patterns of the rules that let Cilium's DNS proxy see lookups to port 53 (`rules.dns`). */
function dnsPatterns(spec: Record<string, any> | undefined): string[] {
  const out: string[] = [];
  for (const rule of Array.isArray(spec?.egress) ? spec!.egress : []) {
    for (const portRule of Array.isArray(rule?.toPorts) ? rule.toPorts : []) {
      const ports = Array.isArray(portRule?.ports) ? portRule.ports : [];
      const on53 = ports.some((p: any) => p?.port === '53' && (p.protocol === undefined || ['ANY', 'UDP', 'TCP'].includes(p.protocol)));
      const dns = portRule?.rules?.dns;
      if (!on53 || !Array.isArray(dns)) continue;
      for (const d of dns) out.push(normalizeFqdn(String(d?.matchPattern ?? d?.matchName ?? '')));
    }
  }
  return out;
}

function specsOf(object: Record<string, any>): Array<{ spec: Record<string, any>; path: string }> {
  const out: Array<{ spec: Record<string, any>; path: string }> = [];
  if (object.spec && typeof object.spec === 'object') out.push({ spec: object.spec, path: 'spec' });
  if (Array.isArray(object.specs)) object.specs.forEach((spec: any, i: number) => out.push({ spec, path: `specs[${i}]` }));
  return out;
}

/**
 * NP014: an egress rule to DNS names (`toFQDNs`) whose pods have no rule that lets Cilium's DNS
 * proxy see their lookups (port 53 with `rules.dns`, in the same spec, in a policy of the same
 * namespace with the same or an empty endpoint selector, or in a cluster-wide policy with an empty
 * one), or whose DNS rules do not allow looking the name up. Cilium learns the addresses of a name
 * only from the lookups its proxy answers, so such a rule never matches any address.
 */
export function fqdnWithoutDnsRule(policies: readonly CheckedCiliumPolicy[]): Array<{ policy: CheckedCiliumPolicy; finding: Finding }> {
  const out: Array<{ policy: CheckedCiliumPolicy; finding: Finding }> = [];
  const selectorKey = (s: unknown) => JSON.stringify(s ?? {});
  const shared = (p: CheckedCiliumPolicy, key: string): string[] => policies.flatMap((other) => specsOf(other.object)
    .filter(({ spec }) => {
      const otherKey = selectorKey(spec.endpointSelector);
      if (other.object.kind === CILIUM_CLUSTERWIDE_NETWORK_POLICY_KIND) return otherKey === '{}';
      return other.namespace === p.namespace && (otherKey === key || otherKey === '{}');
    })
    .flatMap(({ spec }) => dnsPatterns(spec)));
  for (const policy of policies) {
    for (const { spec, path } of specsOf(policy.object)) {
      if (spec.nodeSelector !== undefined) continue;
      const patterns = [...dnsPatterns(spec), ...shared(policy, selectorKey(spec.endpointSelector))];
      (Array.isArray(spec.egress) ? spec.egress : []).forEach((rule: any, i: number) => {
        if (!Array.isArray(rule?.toFQDNs)) return;
        rule.toFQDNs.forEach((selector: any, j: number) => {
          const name = normalizeFqdn(String(selector?.matchName ?? selector?.matchPattern ?? ''));
          // Some name the toFQDNs selector matches is one a DNS rule lets the proxy see looked up.
          if (patterns.some((p) => fqdnPatternsIntersect(p, name))) return;
          const field = `${path}.egress[${i}].toFQDNs[${j}]`;
          const message = patterns.length === 0
            ? `egress to ${name} by DNS name, but no rule lets Cilium's DNS proxy see the pods' lookups (port 53 with rules.dns), so the name is never resolved for this rule and it never matches`
            : `egress to ${name} by DNS name, but the DNS rules of these pods (${[...new Set(patterns)].join(', ')}) do not allow looking it up, so the name is never resolved for this rule and it never matches`;
          out.push({
            policy,
            finding: {
              severity: Severity.WARNING,
              code: LintCode.FQDN_WITHOUT_DNS_RULE,
              field,
              message,
              fix: 'Add an egress rule to the DNS server with the DNS rule, e.g. toEndpoints: [{matchLabels: {"k8s:io.kubernetes.pod.namespace": kube-system, "k8s:k8s-app": kube-dns}}], '
                + 'toPorts: [{ports: [{port: "53", protocol: ANY}], rules: {dns: [{matchPattern: "*"}]}}].',
            },
          });
        });
      });
    }
  }
  return out;
}

/**
 * For NP002: the DNS access a declared pod has by the Cilium policies that select it for egress
 * (`allows`), and what their deny rules take of it (`denies`).
 *
 * `allows`: per DNS target, whether an egress allow rule of a policy that selects the pod reaches
 * it (`ruleDnsReach`, the reading NetworkPolicy rules have too): it lets a lookup (53/UDP) through
 * to the target (the input's DNS servers, or the cluster DNS assumed where it holds none) and its
 * peer matches that target (no peer; `toEndpoints` whose selector must select it; `toEntities`
 * cluster or all). Where the input holds no DNS server, a rule written for DNS counts whatever its
 * peer, as before: `rules.dns` (Cilium's DNS proxy answers the lookups, as the rule an FQDN egress
 * needs) or port 53 as its only port. A plain NetworkPolicy next to such a Cilium policy isolates the
 * pod's egress, and the pod still resolves names: Cilium adds the allows of both up. Unknown (and
 * why) where the policy may select the pod and not must, or its rule may select the DNS server and
 * not must (`ciliumSelects`: labels of a namespace without its Namespace object, a selector the model
 * cannot decide): NP002 then warns, as DNS access that rests on a guess is no proof of it. CIDR
 * peers never match pods on Cilium.
 *
 * `denies`: "Deny policies take precedence over allow policies" (docs.cilium.io, Deny Policies),
 * over the allows of NetworkPolicies too (Cilium enforces them as its own rules), so an `egressDeny`
 * rule of a policy that selects the pods, whose ports stop a lookup and whose peer matches the DNS
 * target, cuts the lookup whatever allows it. Read fail closed, as the analysis reads a deny (its
 * widest reading): a rule that may apply (a subject or peer selector the input does not decide, an
 * entity `host`/`remote-node` of a node whose place is not known, a peer the model cannot place)
 * may cut it: unknown, with the rule named among the doubts. For a rule written for DNS (the input
 * holds no DNS server), the deny cuts it where its peer is the allow's (no peer, `all`, or the same
 * peer), and may where the two overlap (`peerShapesOverlap`, which errs towards overlapping).
 */
export interface CiliumDns {
  allows(e: ClusterEndpoint): DnsRouteReads;
  /**
   * The Cilium policies that may select a DNS server for ingress (ingress or ingressDeny rules, or an
   * ingress default deny), by name: NP002 reads the ingress of the cluster DNS the input does not
   * hold, and does not read these rules (the lint says so, and reads it as unknown).
   */
  ingressOf(t: DnsTarget): string[];
  denies(pods: DnsPods): { readonly targets: readonly DnsCut[]; written(peers: readonly PeerShape[] | undefined): DnsCut };
}

/**
 * The pods NP002 asks `CiliumDns.denies` about: a declared end, or the pods of a policy in a
 * namespace whose workloads the input does not declare, known only by the labels its pod selector
 * requires (`labels`): a Cilium subject selects them where it does whatever their other labels are,
 * and may where that depends on those.
 */
export interface DnsPods {
  readonly namespace: string;
  readonly end?: ClusterEndpoint;
  readonly labels?: Labels;
}

/** The name of a Cilium rule, for a message: `CiliumNetworkPolicy shop/deny-dns egressDeny[0]`. */
function ciliumRuleName(p: CiliumPolicy, rule: CiliumRule): string {
  return `${p.kind} ${p.id} ${p.spec !== undefined ? `specs[${p.spec}].` : ''}${rule.section}[${rule.index}]`;
}

export function ciliumDnsReading(policies: readonly CheckedCiliumPolicy[], cluster: Cluster): CiliumDns {
  const targets = dnsTargets(cluster);
  const read = policies.flatMap((p) => readCiliumPolicy(p.object, {}).policies);
  const withAllow = read.filter((p) => p.egress.some((rule) => !rule.deny));
  const withDeny = read.filter((p) => p.egress.some((rule) => rule.deny && targets.targets.some((t) => portsLetLookup(rule.ports, t))));
  /** Whether a policy's subject selects a declared end: true, false or unknown (and why). */
  const selection = (p: CiliumPolicy, e: CiliumSelectable): DnsRead => readWith((doubts) => {
    if (ciliumSelects(cluster, p.subject, e, 'must')) return true;
    if (!ciliumSelects(cluster, p.subject, e, 'may')) return false;
    ciliumSelectionDoubt(cluster, p.subject, e, doubts);
    return undefined;
  });
  return {
    ingressOf: (t) => read.filter((p) => (p.ingress.length > 0 || p.defaultDeny.ingress) && ciliumSelects(cluster, p.subject, t, 'may'))
      .map((p) => `${p.kind} ${p.id}${p.spec !== undefined ? ` specs[${p.spec}]` : ''}`),
    allows: (e) => {
      const perTarget: DnsRead[][] = targets.targets.map(() => []);
      const written: WrittenDnsRead[] = [];
      for (const p of withAllow) {
        const selects = selection(p, e);
        if (selects.reading === false) continue;
        for (const rule of p.egress) {
          if (rule.deny) continue;
          const own = targets.targets.map(() => noDoubts());
          const reach = ruleDnsReach(targets, rule.ports, (t) => ciliumPeerMatchesDns(cluster, rule, t, own[targets.targets.indexOf(t)]),
            rule.dns.length > 0 || onlyPort53(rule.ports));
          reach.targets.forEach((reading, i) => perTarget[i].push(allRead([selects, { reading, doubts: own[i] }])));
          if (reach.written) written.push({ ...allRead([selects]), ...(rule.peerShapes !== undefined ? { peers: rule.peerShapes } : {}) });
        }
      }
      return { targets: perTarget.map((reads) => anyRead(reads)), written };
    },
    denies: (pods) => {
      const applying = withDeny.map((p) => ({ p, selects: denySubject(cluster, p, pods) })).filter((a) => a.selects.reading !== false);
      const cut = (peerOf: (rule: CiliumRule, doubts: LintDoubts) => boolean | undefined, ports: (rule: CiliumRule) => boolean): DnsCut => {
        const reads: DnsRead[] = [];
        const by: string[] = [];
        for (const { p, selects } of applying) {
          for (const rule of p.egress) {
            if (!rule.deny || !ports(rule)) continue;
            const r = allRead([selects, readWith((d) => peerOf(rule, d))]);
            if (r.reading === false) continue;
            const name = ciliumRuleName(p, rule);
            if (r.reading === true) by.push(name);
            else r.doubts.reasons.add(`${name} may deny the lookups (Cilium deny rules take precedence over allows)`);
            reads.push(r);
          }
        }
        return { ...anyRead(reads), by };
      };
      return {
        targets: targets.targets.map((t) => cut(
          (rule, d) => ciliumDenyPeerMatchesDns(cluster, rule, t, pods.end, d), (rule) => portsLetLookup(rule.ports, t))),
        written: (peers) => cut((rule, d) => denyCoversWritten(rule, peers, d), (rule) => targets.targets.some((t) => portsLetLookup(rule.ports, t))),
      };
    },
  };
}

/** Whether any of a Cilium rule's endpoint selectors matches a DNS target: true, false, or unknown (and why, in `doubts`). */
function selectorsMatchDns(cluster: Cluster, selectors: readonly CiliumEndpointSelector[], t: DnsTarget, doubts: LintDoubts): boolean | undefined {
  return anyReading(selectors.map((s) => {
    if (ciliumSelects(cluster, s, t, 'must')) return true;
    if (!ciliumSelects(cluster, s, t, 'may')) return false;
    ciliumSelectionDoubt(cluster, s, t, doubts);
    return undefined;
  }));
}

/** Whether the peer of a Cilium egress rule matches a DNS target: true, false, or unknown (and why, in `doubts`). */
function ciliumPeerMatchesDns(cluster: Cluster, rule: CiliumRule, t: DnsTarget, doubts: LintDoubts): boolean | undefined {
  const peer = rule.peer;
  if (peer === undefined) return true;
  if (t.nodeTraffic) return false;
  switch (peer.kind) {
    case 'endpoints': return selectorsMatchDns(cluster, peer.selectors, t, doubts);
    case 'entities': return peer.entities.some((x) => x === 'cluster' || x === 'all');
    default: return false;
  }
}

/** Whether a Cilium policy's subject selects the pods of `DnsPods`, read as a deny's (may selects: unknown). */
function denySubject(cluster: Cluster, p: CiliumPolicy, pods: DnsPods): DnsRead {
  return readWith((doubts) => {
    if (pods.end !== undefined) {
      if (ciliumSelects(cluster, p.subject, pods.end, 'must')) return true;
      if (!ciliumSelects(cluster, p.subject, pods.end, 'may')) return false;
      ciliumSelectionDoubt(cluster, p.subject, pods.end, doubts);
      return undefined;
    }
    // Pods known only by the labels their policy's selector requires: selected whatever their other labels are, never, or maybe.
    const s = p.subject;
    if (s.nodes || (s.namespace !== undefined && s.namespace !== pods.namespace)) return false;
    const like: CiliumSelectable = { namespace: pods.namespace, labels: pods.labels ?? {}, external: false, nodeTraffic: false };
    const given = new Set(Object.keys(pods.labels ?? {}));
    const guessed = cluster.namespaceLabelsGuessed(pods.namespace);
    const known = (key: string) => given.has(key) || key === CILIUM_POD_NAMESPACE_KEY
      || (key.startsWith(CILIUM_NAMESPACE_LABELS_PREFIX) && (!guessed || key === `${CILIUM_NAMESPACE_LABELS_PREFIX}${NAMESPACE_NAME_LABEL}`));
    const m = s.undecided !== undefined || s.testsServiceAccount === true ? undefined : s.selector.matchesPartly(ciliumLabels(cluster, like), known);
    if (m === false) return false;
    if (m === undefined) {
      doubts.reasons.add(`${p.kind} ${p.id} selects pods by ${s.text}, and the pods of namespace ${pods.namespace} this policy selects are not declared in the input, `
        + 'so whether it selects them is not known');
    }
    return m;
  });
}

/** Whether the peer of a Cilium deny rule matches a DNS target (of the lookups of `self`, where declared), read as a deny's: may matches is unknown. */
function ciliumDenyPeerMatchesDns(
  cluster: Cluster, rule: CiliumRule, t: DnsTarget, self: ClusterEndpoint | undefined, doubts: LintDoubts,
): boolean | undefined {
  const peer = rule.peer;
  if (peer === undefined) return true;
  switch (peer.kind) {
    case 'endpoints': return selectorsMatchDns(cluster, peer.selectors, t, doubts);
    case 'entities': {
      if (!t.nodeTraffic) return peer.entities.some((x) => x === 'all' || x === 'cluster');
      if (peer.entities.some((x) => x === 'all' || x === 'cluster') || (peer.entities.includes('host') && peer.entities.includes('remote-node'))) return true;
      const node = t.end?.node;
      const own = self?.node;
      const sided = peer.entities.filter((x) => x === 'host' || x === 'remote-node' || x === 'kube-apiserver');
      if (sided.length === 0) return false;
      if (node !== undefined && own !== undefined && !sided.includes('kube-apiserver')) return sided.includes(node === own ? 'host' : 'remote-node');
      doubts.reasons.add(`whether the entities ${sided.join(', ')} of the deny rule are the node of ${t.id} is not known (the input does not place both on their nodes)`);
      return undefined;
    }
    case 'unplaced':
      if (!unplacedMayBe(peer.ends, t)) return false;
      doubts.reasons.add(`the model cannot place the deny rule's peer ${peer.field} (${unplacedEndsText(peer.ends)}), which may be ${t.id}`);
      return undefined;
    // CIDR rules match no end inside the cluster; DNS names are for allow rules.
    default: return false;
  }
}

/**
 * Whether a Cilium deny rule's peer cuts a rule written for DNS (the input holds no DNS server) that
 * points at `peers`: surely where it has no peer, names `all`, or names one of the same peers; maybe
 * where the peers overlap (`peerShapesOverlap`, or the allow's peer is not known).
 */
function denyCoversWritten(rule: CiliumRule, peers: readonly PeerShape[] | undefined, doubts: LintDoubts): boolean | undefined {
  const shapes = rule.peerShapes;
  if (rule.peer === undefined || shapes === undefined || shapes.some((s) => s.kind === 'entity' && s.entity === 'all')) return true;
  if (peers !== undefined && peers.every((a) => shapes.some((d) => stableShape(d) === stableShape(a)))) return true;
  if (peers === undefined || peers.some((a) => shapes.some((d) => peerShapesOverlap(a, d)))) {
    doubts.reasons.add('whether the deny rule\'s peer is the DNS server outside the input that a rule of port 53 is written for is not known');
    return undefined;
  }
  return false;
}

function stableShape(s: PeerShape): string {
  return JSON.stringify(s, (_k, v) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v));
}

/**
 * NP015: an entity that no peer can ever be (`none`, which Cilium reserves so that a rule can name
 * nothing): the rule allows or denies nothing, which is never what a written peer means.
 */
export function entityMatchesNothing(policy: CheckedCiliumPolicy): Finding[] {
  const out: Finding[] = [];
  for (const { spec, path } of specsOf(policy.object)) {
    for (const section of ['ingress', 'ingressDeny', 'egress', 'egressDeny']) {
      const field = section.startsWith('egress') ? 'toEntities' : 'fromEntities';
      (Array.isArray(spec[section]) ? spec[section] : []).forEach((rule: any, i: number) => {
        (Array.isArray(rule?.[field]) ? rule[field] : []).forEach((entity: unknown, j: number) => {
          if (entity !== 'none') return;
          out.push({
            severity: Severity.WARNING,
            code: LintCode.ENTITY_MATCHES_NOTHING,
            field: `${path}.${section}[${i}].${field}[${j}]`,
            message: 'the entity none is no peer at all: Cilium reserves it so that a rule can select nothing, so this rule has no effect',
            fix: 'Name the peers the rule is meant for (an entity such as world, cluster or kube-apiserver, endpoints or CIDRs), or remove the rule.',
          });
        });
      });
    }
  }
  return out;
}

/**
 * NP023: a non-empty `fromRequires`/`toRequires`, which Cilium's newer CRDs mark deprecated. It is no
 * rule of its own: it narrows the allows of every policy that selects the same endpoints
 * (docs.cilium.io Layer 3 Policies, "Additional Label Requirements"), so the analyser refuses the
 * input (requirementFields says which fields).
 */
export function ciliumRequires(policy: CheckedCiliumPolicy): Finding[] {
  return requirementFields(policy.object).map((field) => ({
    severity: Severity.WARNING,
    code: LintCode.CILIUM_REQUIRES,
    field,
    message: `${field.endsWith('toRequires') ? 'toRequires' : 'fromRequires'} is deprecated in Cilium, and it narrows the `
      + `${field.endsWith('toRequires') ? 'egress' : 'ingress'} allows of every policy selecting the same endpoints, not only this one's, `
      + 'so the analyser refuses the input',
    fix: 'Write the required labels into each fromEndpoints/toEndpoints selector of the policies that select these endpoints, and remove the field.',
  }));
}

/** An end inside the cluster with its addresses, for NP022: a pod (its `status.podIP`) or a node. */
export interface InClusterEnd {
  /** `shop/web`, `node:cp`. */
  readonly id: string;
  /** `the Pod`, `the Node`, `the hostNetwork Pod`. */
  readonly what: string;
  readonly ips: readonly ParsedIp[];
}

const IN_CLUSTER_FIX = 'Name ends inside the cluster by identity: toEndpoints/fromEndpoints for pods, the entities host and remote-node for nodes, kube-apiserver for '
  + 'the API server; keep CIDRs for addresses outside the cluster (add the cluster\'s ranges to except).';

/**
 * What a CIDR (with its except) covers inside the cluster, for NP022: the addresses of ends of the
 * input (outside the except), or else a cluster range it meets that the except does not take back.
 * Undefined: none (or the CIDR cannot be read, which the schema checks report).
 */
function cidrOverInClusterEnds(
  text: unknown, exceptTexts: readonly unknown[], ends: readonly InClusterEnd[], clusterCidrs: ReadonlyArray<{ text: string; cidr: ParsedCidr }>,
): string | undefined {
  const cidr = typeof text === 'string' ? parseCidr(text, false).cidr : undefined;
  if (!cidr) return undefined;
  const except = exceptTexts.map((e) => (typeof e === 'string' ? parseCidr(e, false).cidr : undefined)).filter((c): c is ParsedCidr => c !== undefined);
  const covered = (ip: ParsedIp) => cidrContains(cidr, ip) && !except.some((x) => cidrContains(x, ip));
  const hits = ends.flatMap((e) => e.ips.filter(covered).map((ip) => `${e.what} ${e.id} (${formatIp(ip)})`));
  if (hits.length > 0) return `the address of ${hits.slice(0, 3).join(', ')}${hits.length > 3 ? ` and ${hits.length - 3} more` : ''}`;
  // A cluster range is covered where it meets the set and the except does not take all of that part back.
  const range = clusterCidrs.find((c) => cidrsOverlap(c.cidr, cidr) && !cidrsCover(except, c.cidr.prefixLength >= cidr.prefixLength ? c.cidr : cidr));
  return range ? `the cluster range ${range.text}` : undefined;
}

/**
 * NP022: a CIDR peer of a Cilium rule (`fromCIDR`, `toCIDR`, `fromCIDRSet`, `toCIDRSet`) over ends
 * inside the cluster: an address of a pod or node of the input (outside the set's `except`), or a
 * cluster range (`clusterCidrs`). Cilium's CIDR rules "do not match in-cluster entities (pods or
 * nodes)" unless the agent runs with `policy-cidr-match-mode: nodes` (for nodes only; not the
 * default), so the rule does not reach them (docs.cilium.io "Layer 3 Policies", IP/CIDR based and
 * "Selecting nodes with CIDR / ipBlock"): an allow that silently allows nothing there, a deny that
 * silently denies nothing. The classic: an API server on the cluster's nodes written by its address.
 */
export function ciliumCidrInsideCluster(
  policy: CheckedCiliumPolicy, ends: readonly InClusterEnd[], clusterCidrs: ReadonlyArray<{ text: string; cidr: ParsedCidr }>,
): Finding[] {
  const out: Finding[] = [];
  for (const { spec, path } of specsOf(policy.object)) {
    for (const section of ['ingress', 'ingressDeny', 'egress', 'egressDeny']) {
      const p = section.startsWith('egress') ? 'to' : 'from';
      (Array.isArray(spec[section]) ? spec[section] : []).forEach((rule: any, i: number) => {
        const sets: Array<{ field: string; cidr: unknown; except: unknown[] }> = [
          ...(Array.isArray(rule?.[`${p}CIDR`]) ? rule[`${p}CIDR`] : []).map((cidr: unknown, j: number) => ({ field: `${p}CIDR[${j}]`, cidr, except: [] })),
          ...(Array.isArray(rule?.[`${p}CIDRSet`]) ? rule[`${p}CIDRSet`] : []).map((s: any, j: number) => ({
            field: `${p}CIDRSet[${j}].cidr`, cidr: s?.cidr, except: Array.isArray(s?.except) ? s.except : [],
          })),
        ];
        for (const set of sets) {
          const over = cidrOverInClusterEnds(set.cidr, set.except, ends, clusterCidrs);
          if (over === undefined) continue;
          out.push({
            severity: Severity.WARNING,
            code: LintCode.CILIUM_CIDR_INSIDE_CLUSTER,
            field: `${path}.${section}[${i}].${set.field}`,
            message: `${JSON.stringify(set.cidr)} covers ${over}, but Cilium's CIDR rules do not match pods or nodes (nodes only under `
              + `policy-cidr-match-mode: nodes, which is not the default), so this rule ${section.endsWith('Deny') ? 'denies' : 'allows'} nothing there`,
            fix: IN_CLUSTER_FIX,
          });
        }
      });
    }
  }
  return out;
}

/**
 * NP022 for a NetworkPolicy on Cilium: Cilium enforces a NetworkPolicy `ipBlock` as a CIDR rule of
 * its own (it translates NetworkPolicies into its rules), so an ipBlock over the address of a pod or
 * a Node of the input (outside its `except`) matches nothing there either: "CIDR rules do not apply
 * to traffic where both sides of the connection are either managed by Cilium or use an IP belonging
 * to a node in the cluster" (docs.cilium.io "Layer 3 Policies", IP/CIDR based; "Selecting nodes with
 * CIDR / ipBlock": only `policy-cidr-match-mode: nodes` makes them match nodes). Asked only when the
 * input is analysed as Cilium (it holds Cilium policies: the analyser's plugin switch,
 * `Cluster.runsCilium`); on another plugin an ipBlock over a pod's address may well apply. Cluster
 * ranges are NP010's (`ipBlocksCoveringCluster`), for any plugin.
 */
export function networkPolicyIpBlockInsideCluster(policy: Record<string, any>, ends: readonly InClusterEnd[]): Finding[] {
  const out: Finding[] = [];
  for (const [direction, field] of [['ingress', 'from'], ['egress', 'to']] as const) {
    const rules = policy.spec?.[direction];
    (Array.isArray(rules) ? rules : []).forEach((rule: any, i: number) => {
      (Array.isArray(rule?.[field]) ? rule[field] : []).forEach((peer: any, j: number) => {
        const block = peer?.ipBlock;
        if (block === null || typeof block !== 'object') return;
        const over = cidrOverInClusterEnds(block.cidr, Array.isArray(block.except) ? block.except : [], ends, []);
        if (over === undefined) return;
        out.push({
          severity: Severity.WARNING,
          code: LintCode.CILIUM_CIDR_INSIDE_CLUSTER,
          field: `spec.${direction}[${i}].${field}[${j}].ipBlock.cidr`,
          message: `${JSON.stringify(block.cidr)} covers ${over}, but the input runs on Cilium (it holds Cilium policies), which enforces an ipBlock as a CIDR rule, `
            + 'and Cilium\'s CIDR rules do not match pods or nodes (nodes only under policy-cidr-match-mode: nodes, which is not the default), '
            + 'so this ipBlock allows nothing there',
          fix: 'Select pods with podSelector/namespaceSelector; for nodes or the API server, write a CiliumNetworkPolicy with the entities host and remote-node, '
            + 'or kube-apiserver; keep ipBlocks for addresses outside the cluster (add the pods\' and nodes\' addresses to except).',
        });
      });
    });
  }
  return out;
}
