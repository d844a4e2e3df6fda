import { CheckedCiliumPolicy } from './cilium-lints';
import { CheckedClusterPolicy } from './cluster-policy-lints';
import { CheckedPolicy } from './cross-object-lints';
import { LintCode } from './lint-codes';
import { addDoubts, ciliumSelectionDoubt, doubtsFix, doubtsText, namespaceSelectorMatch, noDoubts } from './lint-reading';
import { CiliumPolicy, ciliumSelects, readCiliumPolicy } from '../inventory/cilium-policy';
import { Cluster, ClusterEndpoint, DECLARED_SERVICE_KIND, TieredPolicy, tieredPolicyOf, TierRule } from '../inventory/cluster';
import { effectivePolicyTypes } from '../k8s/api-server-rules';
import { parseCidr } from '../k8s/cidr';
import { Finding, Severity } from '../k8s/finding';
import { compileSelector } from '../k8s/label-selector';
import { LabelSelectorJson } from '../k8s/manifest';
import { FlatObject, objectRef } from '../k8s/objects';
import { isAllTraffic } from '../k8s/port-set';

/** A coverage finding and the input object it belongs to (whose annotations can accept it). */
export interface CoverageFinding {
  readonly source: FlatObject;
  /** `<namespace>/<name>` of the object the finding points at (`<none>/<name>` for a Namespace). */
  readonly object: string;
  /** Whether `source` is the object the finding is about (its annotations accept it). */
  readonly owned: boolean;
  readonly finding: Finding;
}

/** Where a workload kind keeps its pod labels. */
function labelsField(kind: string): string {
  if (kind === 'Pod') return 'metadata.labels';
  if (kind === 'CronJob') return 'spec.jobTemplate.spec.template.metadata.labels';
  return 'spec.template.metadata.labels';
}

/**
 * NP019: an ingress rule open to every address (`0.0.0.0/0` or `::/0`, whatever it excepts): the
 * whole internet, and every pod where the network plugin applies ipBlocks to pod IPs.
 */
export function ingressFromEveryAddress(object: Record<string, any>): Finding[] {
  const out: Finding[] = [];
  const rules = Array.isArray(object.spec?.ingress) ? object.spec.ingress : [];
  rules.forEach((rule: any, i: number) => {
    (Array.isArray(rule?.from) ? rule.from : []).forEach((peer: any, j: number) => {
      const text = peer?.ipBlock?.cidr;
      const cidr = typeof text === 'string' ? parseCidr(text, false).cidr : undefined;
      if (!cidr || cidr.prefixLength !== 0) return;
      const except = Array.isArray(peer.ipBlock.except) && peer.ipBlock.except.length > 0 ? ` except ${peer.ipBlock.except.join(', ')}` : '';
      out.push({
        severity: Severity.WARNING,
        code: LintCode.INGRESS_FROM_EVERY_ADDRESS,
        field: `spec.ingress[${i}].from[${j}].ipBlock.cidr`,
        message: `admits every address (${text}${except}) on ingress: the whole internet, and every pod where the network plugin applies ipBlocks to pod IPs`,
        fix: 'Narrow the CIDR to the clients\' ranges (a load balancer\'s, a partner\'s); if the service is public on purpose, '
          + `accept it: cdk8s-netpol.dev/accept-${LintCode.INGRESS_FROM_EVERY_ADDRESS}: spec.ingress[${i}]: <why it is public>.`,
      });
    });
  });
  return out;
}

type Direction = 'ingress' | 'egress';
const DIRECTIONS: Direction[] = ['ingress', 'egress'];

/**
 * Whether a tier rule denies everything a default deny does within the cluster: action Deny, all
 * traffic, and a peer of every pod: `namespaces: {}`, `pods` with both selectors empty, or (egress)
 * `networks` with a `/0` of each IP family, which covers pod-to-pod traffic too. The sig-network
 * policy API documents a Baseline `Deny` from `namespaces: {}` as the cluster's default deny (user
 * story 5, "Cluster Wide Default Guardrails": "all intra-cluster traffic ... is blocked by default").
 * Addresses outside the cluster stay open to a `namespaces`/`pods` deny, as the docs say.
 */
function deniesEveryPod(rule: TierRule): boolean {
  if (rule.action !== 'deny' || !isAllTraffic(rule.ports)) return false;
  return rule.peers.some((peer) => (peer.kind === 'namespaces' && peer.namespaceSelector.matchesEverything)
    || (peer.kind === 'pods' && peer.namespaceSelector.matchesEverything && peer.podSelector.matchesEverything))
    || [4, 6].every((family) => rule.peers.some((peer) => peer.kind === 'networks'
      && peer.cidrs.some((c) => c.family === family && c.prefixLength === 0)));
}

/** The directions in which a cluster-wide policy has a deny-all rule (`deniesEveryPod`). */
function tierDenyAll(p: TieredPolicy): Direction[] {
  return DIRECTIONS.filter((d) => p[d].some(deniesEveryPod));
}

/** `BaselineAdminNetworkPolicy default`, `ClusterNetworkPolicy baseline-deny (tier Baseline)`. */
function tierName(p: TieredPolicy): string {
  return p.kind === 'ClusterNetworkPolicy' ? `${p.kind} ${p.id} (tier ${p.tier === 'baseline' ? 'Baseline' : 'Admin'})` : `${p.kind} ${p.id}`;
}

/**
 * Whether a Cilium rule spec selects every pod a namespace will ever have: a CiliumNetworkPolicy's
 * `endpointSelector: {}` (confined to its namespace), or a CiliumClusterwideNetworkPolicy's empty
 * selector as written (one naming a namespace does not count for the others).
 */
function ciliumSelectsEveryPodOf(p: CiliumPolicy, object: Record<string, any>, ns: string): boolean {
  // A host policy (nodeSelector) selects nodes, never a pod.
  if (p.subject.nodes) return false;
  if (p.namespace !== undefined) return p.namespace === ns && p.subject.undecided === undefined && p.subject.selector.matchesEverything;
  const spec = p.spec === undefined ? object.spec : object.specs?.[p.spec];
  return compileSelector((spec?.endpointSelector ?? {}) as LabelSelectorJson).matchesEverything;
}

/**
 * The coverage lints over the whole input (`ManifestValidationOptions.coverage`): NP017, a workload
 * no policy selects in either direction; NP018, a namespace with workloads but no default deny for
 * a direction. Policies are the NetworkPolicies, the Cilium policies (a rule spec that selects the
 * pod with default deny isolates it; one with `endpointSelector: {}` is a namespace's default deny),
 * and the cluster-wide policies (a rule that denies every pod, `deniesEveryPod`, covers the pods of
 * its subject; for every pod of a namespace, it is the namespace's default deny). Workloads are the
 * Pods and pod templates of the input (hostNetwork pods left out: no policy can select their traffic).
 *
 * Whether a policy selects a pod or namespace may rest on labels the input does not give: those of a
 * namespace without its Namespace object (`namespaceSelectorMatch`, a cluster-wide subject), or what
 * a Cilium selector cannot decide (`ciliumSelects`). Both lints read such a policy as one that may
 * not select it, and warn, saying so: NP017, because a workload that may be selected by nothing is
 * the possible mistake it warns about; NP018, because a default deny that may not select the
 * namespace is no proof of one (its labels may well not match). One reading for both, so that for
 * one input they never contradict each other (NP017 warning on a workload of a namespace NP018 reads
 * as having its default deny); the Namespace object settles it.
 */
export function coverageLints(
  policies: CheckedPolicy[], cluster: Cluster, sources: readonly FlatObject[],
  ciliumPolicies: readonly CheckedCiliumPolicy[] = [], clusterPolicies: readonly CheckedClusterPolicy[] = [],
): CoverageFinding[] {
  const byKey = new Map<string, FlatObject>();
  const namespaceObjects = new Map<string, FlatObject>();
  for (const s of sources) {
    const o = s.object;
    if (typeof o?.kind !== 'string' || typeof o.metadata?.name !== 'string') continue;
    if (o.kind === 'Namespace') namespaceObjects.set(o.metadata.name, s);
    else byKey.set(`${o.kind}|${o.metadata.namespace || 'default'}|${o.metadata.name}`, s);
  }
  const workloads = cluster.endpoints
    .filter((e) => !e.external && !e.hostNetwork && e.kind !== DECLARED_SERVICE_KIND && e.namespace !== undefined);
  const selectors = policies
    .map((p) => ({ p, selector: compileSelector(p.object.spec?.podSelector ?? {}), types: effectivePolicyTypes(p.object.spec ?? {}) }));
  const cilium = ciliumPolicies.flatMap(({ object }) => readCiliumPolicy(object, {}).policies.map((p) => ({ p, object })));
  // Next to Cilium policies the cluster-wide tiers are left out by the analyser (Cilium does not
  // implement the sig-network policy API): they cover nothing here either, so the lints agree with it.
  const tiers = cilium.length > 0 ? []
    : clusterPolicies.map(({ object }) => tieredPolicyOf(object, {})).map((p) => ({ p, denyAll: tierDenyAll(p) }));
  /** The Cilium policies and cluster-wide policies that select `e`: those that isolate it (or deny it all), and the others. */
  const otherSubjects = (e: ClusterEndpoint) => {
    const covering: string[] = [];
    const partial: string[] = [];
    /** Policies that would isolate it (or deny it all) and may select it, or not: what that rests on is in `doubts`. */
    const maybe: string[] = [];
    const doubts = noDoubts();
    for (const { p } of cilium) {
      const isolates = p.defaultDeny.ingress || p.defaultDeny.egress;
      const name = `${p.kind} ${p.id}`;
      if (!ciliumSelects(cluster, p.subject, e, 'must')) {
        if (isolates && ciliumSelects(cluster, p.subject, e, 'may')) {
          ciliumSelectionDoubt(cluster, p.subject, e, doubts);
          if (!maybe.includes(name)) maybe.push(name);
        }
        continue;
      }
      const list = isolates ? covering : partial;
      if (!list.includes(name)) list.push(name);
    }
    for (const { p, denyAll } of tiers) {
      if (p.subjectPods && !p.subjectPods.matches(e.labels)) continue;
      const own = noDoubts();
      const selected = namespaceSelectorMatch(cluster, p.subjectNamespaces, e.namespace!, own);
      if (selected === true) {(denyAll.length > 0 ? covering : partial).push(tierName(p));} else if (selected === undefined && denyAll.length > 0) {
        maybe.push(tierName(p));
        addDoubts(doubts, own);
      }
    }
    return { covering, partial: partial.filter((n) => !covering.includes(n)), maybe, doubts };
  };
  const out: CoverageFinding[] = [];
  for (const e of workloads) {
    const source = byKey.get(`${e.kind}|${e.namespace}|${e.id.slice(e.namespace!.length + 1)}`);
    if (!source) continue;
    if (selectors.some(({ p, selector }) => p.namespace === e.namespace && selector.matches(e.labels))) continue;
    const { covering, partial, maybe, doubts } = otherSubjects(e);
    if (covering.length > 0) continue;
    const unsure = maybe.length === 0 ? ''
      : `; whether ${maybe.join(', ')}, which would isolate it, ${maybe.length === 1 ? 'selects' : 'select'} it ${doubtsText(doubts)}`;
    const message = (partial.length === 0
      ? `no NetworkPolicy, Cilium policy or cluster-wide policy selects the ${e.kind} ${e.id} in either direction, so anyone may reach it and it may reach anyone, on every port`
      : `no NetworkPolicy selects the ${e.kind} ${e.id}, and no policy isolates it in either direction: ${partial.join(', ')} `
        + `${partial.length === 1 ? 'selects' : 'select'} it without a default deny or a deny of every pod, so what their rules do not match, anyone may send it and it may send anyone, on every port`)
      + unsure;
    out.push({
      source,
      object: e.id,
      owned: true,
      finding: {
        severity: Severity.WARNING,
        code: LintCode.UNSELECTED_WORKLOAD,
        field: labelsField(e.kind),
        message,
        fix: doubtsFix(doubts) + 'Select its pods: a default deny for the namespace (cdk8s-netpol: DefaultDeny) and the rules it needs (NetworkPolicies.allow), '
          + `or accept it on the workload: cdk8s-netpol.dev/accept-${LintCode.UNSELECTED_WORKLOAD}: <why it is open>.`,
      },
    });
  }
  const namespaces = [...new Set(workloads.map((e) => e.namespace!))].sort();
  for (const ns of namespaces) {
    const doubts = noDoubts();
    const maybe: string[] = [];
    const deny = (direction: Direction) => selectors
      .some(({ p, selector, types }) => p.namespace === ns && selector.matchesEverything && types.includes(direction === 'ingress' ? 'Ingress' : 'Egress'))
      || cilium.some(({ p, object }) => p.defaultDeny[direction] && ciliumSelectsEveryPodOf(p, object, ns))
      || tiers.some(({ p, denyAll }) => {
        if (!denyAll.includes(direction) || !(p.subjectPods?.matchesEverything ?? true)) return false;
        const own = noDoubts();
        const selected = namespaceSelectorMatch(cluster, p.subjectNamespaces, ns, own);
        if (selected === undefined) {
          addDoubts(doubts, own);
          if (!maybe.includes(tierName(p))) maybe.push(tierName(p));
        }
        return selected === true;
      });
    const missing = ['Ingress', 'Egress'].filter((d) => !deny(d.toLowerCase() as Direction));
    if (missing.length === 0) continue;
    const unsure = maybe.length === 0 ? ''
      : `; whether ${maybe.join(', ')}, which would be its default deny, ${maybe.length === 1 ? 'selects' : 'select'} it ${doubtsText(doubts)}`;
    const namespaceObject = namespaceObjects.get(ns);
    const first = workloads.find((e) => e.namespace === ns)!;
    const source = namespaceObject ?? byKey.get(`${first.kind}|${ns}|${first.id.slice(ns.length + 1)}`);
    if (!source) continue;
    const where = namespaceObject ? 'on its Namespace object' : 'on its Namespace object (add it to the manifests)';
    out.push({
      source,
      object: namespaceObject ? objectRef(namespaceObject.object as Record<string, any>) : first.id,
      owned: namespaceObject !== undefined,
      finding: {
        severity: Severity.WARNING,
        code: LintCode.NAMESPACE_WITHOUT_DEFAULT_DENY,
        field: 'metadata.name',
        message: `namespace ${ns} has workloads but no default deny for ${missing.join(' and ').toLowerCase()} (a NetworkPolicy with podSelector: {} and policyTypes ${missing.join(', ')}, `
          + 'a Cilium policy with endpointSelector: {} and default deny, or a cluster-wide policy that denies every pod), '
          + `so a pod added to it later is open until someone writes its policy${unsure}`,
        fix: `${doubtsFix(doubts)}Add a default deny to namespace ${ns} (cdk8s-netpol: DefaultDeny, or ApplicationStack, which adds one), `
          + `or accept it ${where}: cdk8s-netpol.dev/accept-${LintCode.NAMESPACE_WITHOUT_DEFAULT_DENY}: <why>.`,
      },
    });
  }
  return out;
}
