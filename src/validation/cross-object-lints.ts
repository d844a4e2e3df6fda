import { acceptanceFor, acceptedLints } from './accepted-lints';
import { LintCode } from './lint-codes';
import { stableJson } from './single-policy-lints';
import { Cluster, ClusterEndpoint, tierRulePortSet } from '../inventory/cluster';
import { effectivePolicyTypes } from '../k8s/api-server-rules';
import { cidrContains, parseCidr, parseIp } from '../k8s/cidr';
import { Finding, Severity } from '../k8s/finding';
import { compileSelector, Labels } from '../k8s/label-selector';
import { DECLARED_BY_LABELS_ANNOTATION } from '../k8s/manifest';
import { ContainerPort, portSetFromWire, setMatches } from '../k8s/port-set';

/** A NetworkPolicy that passed the API-server rules, with its index in the report. */
export interface CheckedPolicy {
  readonly object: Record<string, any>;
  readonly namespace: string;
  readonly name: string;
}

/** Lints that need several objects: duplicate names, mergeable policies, DNS, selectors matching nothing. */
export function crossObjectLints(
  policies: CheckedPolicy[], cluster: Cluster, declaring: CheckedPolicy[] = policies, clusterPolicies: ReadonlyArray<Record<string, any>> = [],
  ciliumDns: (e: ClusterEndpoint) => boolean = () => false,
): Array<{ policy: CheckedPolicy; finding: Finding }> {
  return [
    ...duplicateNames(policies),
    ...mergeablePolicies(policies),
    ...egressWithoutDns(policies, cluster, adminTierDecidesDns(clusterPolicies, cluster), ciliumDns),
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
 */
function egressWithoutDns(policies: CheckedPolicy[], cluster: Cluster, adminDns: (namespace: string, labels?: Labels) => boolean,
  ciliumDns: (e: ClusterEndpoint) => boolean) {
  const egress = policies.filter((p) => effectivePolicyTypes(p.object.spec ?? {}).includes('Egress'));
  const withDns = egress.filter((q) => (Array.isArray(q.object.spec?.egress) ? q.object.spec.egress : [])
    .some((rule: any) => allowsDns(rule, q.namespace, cluster)));
  const out = [];
  const reported = new Set<string>();
  const fix = 'Allow egress to the cluster DNS (k8s-app: kube-dns in kube-system) on 53/UDP and 53/TCP for these pods '
    + '(cdk8s-netpol: AllowDns for the namespace, or NetworkPolicies.allowDnsFor(endpoint)).';
  for (const p of egress) {
    const selector = compileSelector(p.object.spec?.podSelector ?? {});
    const known = cluster.endpoints.filter((e) => e.namespace === p.namespace && !e.external && selector.matches(e.labels));
    if (known.length > 0) {
      for (const e of known) {
        if (reported.has(e.id)) continue;
        const resolves = withDns.some((q) => q.namespace === p.namespace && compileSelector(q.object.spec?.podSelector ?? {}).matches(e.labels))
          || adminDns(p.namespace, e.labels) || ciliumDns(e);
        if (resolves) continue;
        reported.add(e.id);
        out.push(at(p, Severity.WARNING, LintCode.EGRESS_WITHOUT_DNS, 'spec.policyTypes',
          `isolates the egress of ${e.id}, and no policy that selects it allows DNS (53/UDP), so it cannot resolve names`, fix));
      }
      continue;
    }
    const podSelector = p.object.spec?.podSelector ?? {};
    const resolves = withDns.some((q) => q.namespace === p.namespace && selectsAtLeast(q.object.spec?.podSelector ?? {}, podSelector))
      || adminDns(p.namespace);
    if (resolves || reported.has(`${p.namespace}|${stableJson(podSelector)}`)) continue;
    reported.add(`${p.namespace}|${stableJson(podSelector)}`);
    const pods = stableJson(podSelector) === '{}' ? `every pod of namespace ${p.namespace}` : `the pods it selects in namespace ${p.namespace}`;
    out.push(at(p, Severity.WARNING, LintCode.EGRESS_WITHOUT_DNS, 'spec.policyTypes',
      `isolates the egress of ${pods}, and no policy there that selects them allows DNS (53/UDP), so name lookups will fail`, fix));
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

/**
 * The cluster DNS server's container ports as far as the lints assume them (the pods are usually
 * not in the manifests): 53/UDP, named `dns` (CoreDNS, kube-dns) or `domain` (the IANA name).
 */
const DNS_SERVER_PORTS: ContainerPort[] = [{ number: 53, name: 'dns', protocol: 'UDP' }, { number: 53, name: 'domain', protocol: 'UDP' }];

/** Whether a rule's ports allow 53/UDP to the DNS server. */
/** The labels of the cluster DNS pods (CoreDNS keeps kube-dns's label) and their namespace. */
const DNS_POD_LABELS = { 'k8s-app': 'kube-dns' };
const DNS_NAMESPACE = 'kube-system';
/** The address NodeLocal DNSCache listens on by default. */
const NODE_LOCAL_DNS = parseIp('169.254.20.10')!;

/**
 * Whether an egress rule lets pods reach a DNS server: its ports allow 53/UDP, and it goes to
 * somewhere a DNS server can be: every destination (no `to`), the cluster DNS pods (k8s-app=kube-dns
 * in kube-system, or any pod of the manifests with that label), the NodeLocal DNSCache address, or
 * any destination of a rule written for DNS alone (all its ports are port 53: a custom DNS server).
 * A rule that allows every port to one unrelated workload is not a DNS rule.
 */
/**
 * Whether the Admin tier decides a pod's DNS egress (53/UDP to kube-dns) as allowed: among the
 * Admin-tier policies whose subject selects it (`labels` undefined: every pod of the namespace, so
 * only subjects without a pod selector count), by priority and then in order, the first rule that
 * matches DNS traffic is an Allow/Accept. A Deny or Pass that matches first, or no match, is not.
 */
function adminTierDecidesDns(clusterPolicies: ReadonlyArray<Record<string, any>>, cluster: Cluster): (namespace: string, labels?: Labels) => boolean {
  const admin = clusterPolicies.filter((o) => o.kind === 'AdminNetworkPolicy' || (o.kind === 'ClusterNetworkPolicy' && o.spec?.tier === 'Admin'))
    .sort((a, b) => a.spec.priority - b.spec.priority || (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0)
      || (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
  if (admin.length === 0) return () => false;
  const dnsPods = [
    { namespace: DNS_NAMESPACE, labels: DNS_POD_LABELS as Labels },
    ...cluster.endpoints.filter((e) => !e.external && e.namespace !== undefined && e.labels['k8s-app'] === 'kube-dns')
      .map((e) => ({ namespace: e.namespace!, labels: e.labels })),
  ];
  const peerMatchesDns = (peer: any) => dnsPods.some((pod) => {
    if (peer?.namespaces) return compileSelector(peer.namespaces).matches(cluster.namespaceLabels(pod.namespace));
    if (peer?.pods) {
      return compileSelector(peer.pods.namespaceSelector ?? {}).matches(cluster.namespaceLabels(pod.namespace))
        && compileSelector(peer.pods.podSelector ?? {}).matches(pod.labels);
    }
    if (Array.isArray(peer?.networks)) return peer.networks.some((n: unknown) => typeof n === 'string' && parseCidr(n, false).cidr?.prefixLength === 0);
    return false;
  });
  return (namespace, labels) => {
    for (const o of admin) {
      const subject = o.spec.subject ?? {};
      const podSelector = subject.pods?.podSelector;
      if (!compileSelector(subject.namespaces ?? subject.pods?.namespaceSelector ?? {}).matches(cluster.namespaceLabels(namespace))) continue;
      const pods = podSelector === undefined ? undefined : compileSelector(podSelector);
      if (pods && (labels === undefined ? !pods.matchesEverything : !pods.matches(labels))) continue;
      for (const rule of Array.isArray(o.spec.egress) ? o.spec.egress : []) {
        if (!setMatches(tierRulePortSet(o.kind, rule), { port: 53, protocol: 'UDP' }, DNS_SERVER_PORTS)) continue;
        if (!(Array.isArray(rule.to) ? rule.to : []).some(peerMatchesDns)) continue;
        return rule.action === 'Allow' || rule.action === 'Accept';
      }
    }
    return false;
  };
}

function allowsDns(rule: any, policyNamespace: string, cluster: Cluster): boolean {
  const ports = portSetFromWire(rule?.ports);
  if (!setMatches(ports, { port: 53, protocol: 'UDP' }, DNS_SERVER_PORTS)) return false;
  const peers = Array.isArray(rule?.to) ? rule.to : [];
  if (peers.length === 0) return true;
  if (ports.every((e) => e.kind === 'numbered' && e.port === 53 && (e.endPort ?? 53) === 53)) return true;
  const dnsPods = [
    { namespace: DNS_NAMESPACE, labels: DNS_POD_LABELS },
    ...cluster.endpoints.filter((e) => !e.external && e.namespace !== undefined && e.labels['k8s-app'] === 'kube-dns')
      .map((e) => ({ namespace: e.namespace!, labels: e.labels })),
  ];
  return peers.some((peer: any) => {
    if (peer?.ipBlock) {
      const cidr = typeof peer.ipBlock.cidr === 'string' ? parseCidr(peer.ipBlock.cidr, false).cidr : undefined;
      const except = (Array.isArray(peer.ipBlock.except) ? peer.ipBlock.except : []).map((e: unknown) => (typeof e === 'string' ? parseCidr(e, false).cidr : undefined));
      return cidr !== undefined && cidrContains(cidr, NODE_LOCAL_DNS) && !except.some((e: any) => e && cidrContains(e, NODE_LOCAL_DNS));
    }
    return dnsPods.some((pod) => {
      if (peer?.namespaceSelector) {
        if (!compileSelector(peer.namespaceSelector).matches(cluster.namespaceLabels(pod.namespace))) return false;
      } else if (pod.namespace !== policyNamespace) {
        return false;
      }
      return peer?.podSelector ? compileSelector(peer.podSelector).matches(pod.labels) : true;
    });
  });
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
