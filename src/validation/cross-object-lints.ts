import { effectivePolicyTypes } from './api-server-rules';
import { Finding, Severity } from './finding';
import { LintCode } from './lint-codes';
import { stableJson } from './single-policy-lints';
import { Cluster, ClusterEndpoint } from '../analysis/cluster';
import { compileSelector } from '../analysis/label-selector';

/** A NetworkPolicy that passed the API-server rules, with its index in the report. */
export interface CheckedPolicy {
  readonly object: Record<string, any>;
  readonly namespace: string;
  readonly name: string;
}

/** Lints that need several objects: duplicate names, mergeable policies, DNS, selectors matching nothing. */
export function crossObjectLints(policies: CheckedPolicy[], cluster: Cluster): Array<{ policy: CheckedPolicy; finding: Finding }> {
  return [
    ...duplicateNames(policies),
    ...mergeablePolicies(policies),
    ...egressDenyWithoutDns(policies),
    ...selectorsMatchingNothing(policies, cluster),
  ];
}

function at(policy: CheckedPolicy, severity: Severity, code: string, field: string, message: string, fix: string) {
  return { policy, finding: { severity, code, field, message, fix } };
}

/** NP011: the same namespace/name twice: applying both keeps only the last. */
function duplicateNames(policies: CheckedPolicy[]) {
  const seen = new Map<string, CheckedPolicy>();
  const out = [];
  for (const p of policies) {
    const key = `${p.namespace}/${p.name}`;
    if (seen.has(key)) {
      out.push(at(p, Severity.ERROR, LintCode.DUPLICATE_NAME, 'metadata.name', `${JSON.stringify(p.name)} is used by another NetworkPolicy in namespace ${p.namespace}; applying both keeps only the last one`,
        'Give each policy a unique name in its namespace (or merge the two).'));
    } else {
      seen.set(key, p);
    }
  }
  return out;
}

/** NP009: same namespace, same pod selector, same policy types: the rules could live in one policy. */
function mergeablePolicies(policies: CheckedPolicy[]) {
  const groups = new Map<string, CheckedPolicy[]>();
  for (const p of policies) {
    const spec = p.object.spec ?? {};
    const key = `${p.namespace}|${stableJson(spec.podSelector ?? {})}|${effectivePolicyTypes(spec).sort().join(',')}`;
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  const out = [];
  for (const group of groups.values()) {
    if (group.length < 2) continue;
    const names = new Set(group.map((p) => p.name));
    if (names.size < group.length) continue; // duplicates are NP011
    const [first, ...rest] = group;
    for (const p of rest) {
      out.push(at(p, Severity.WARNING, LintCode.MERGEABLE_POLICIES, 'spec.podSelector',
        `selects the same pods with the same policyTypes as ${first.namespace}/${first.name}; the two could be one policy`,
        `Merge the rules into ${first.name}, unless keeping them apart is deliberate (e.g. one owner each).`));
    }
  }
  return out;
}

/** NP002: a namespace-wide egress deny, and no policy of the namespace allows DNS (53/UDP) anywhere. */
function egressDenyWithoutDns(policies: CheckedPolicy[]) {
  const out = [];
  for (const p of policies) {
    const spec = p.object.spec ?? {};
    const selectsAll = stableJson(spec.podSelector ?? {}) === '{}';
    if (!selectsAll || !effectivePolicyTypes(spec).includes('Egress')) continue;
    const dnsAllowed = policies.some((q) => q.namespace === p.namespace && effectivePolicyTypes(q.object.spec ?? {}).includes('Egress')
      && (Array.isArray(q.object.spec?.egress) ? q.object.spec.egress : []).some(allowsDnsPort));
    if (!dnsAllowed) {
      out.push(at(p, Severity.WARNING, LintCode.EGRESS_DENY_WITHOUT_DNS, 'spec.policyTypes',
        `denies egress for every pod of namespace ${p.namespace}, and no policy there allows DNS (53/UDP), so name lookups will fail`,
        'Allow egress to the cluster DNS (k8s-app: kube-dns in kube-system) on 53/UDP and 53/TCP (cdk8s-netpol: AllowDns).'));
    }
  }
  return out;
}

function allowsDnsPort(rule: any): boolean {
  const ports = Array.isArray(rule?.ports) ? rule.ports : [];
  if (ports.length === 0) return true;
  return ports.some((p: any) => {
    if ((p?.protocol ?? 'TCP') !== 'UDP') return false;
    if (p.port === undefined || p.port === null) return true;
    if (typeof p.port === 'string') return p.port === 'dns' || p.port === 'domain';
    return p.port <= 53 && (p.endPort ?? p.port) >= 53;
  });
}

/**
 * NP004: selectors that match none of the workloads the manifests declare. Only checked where the
 * manifests declare workloads for the namespace concerned, so a peer in a namespace the manifests
 * know nothing about (e.g. kube-system) is not flagged.
 */
function selectorsMatchingNothing(policies: CheckedPolicy[], cluster: Cluster) {
  const byNamespace = new Map<string, ClusterEndpoint[]>();
  for (const e of cluster.endpoints) if (e.namespace) byNamespace.set(e.namespace, [...(byNamespace.get(e.namespace) ?? []), e]);
  if (byNamespace.size === 0) return [];
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
