import { acceptanceFor, acceptedLints } from './accepted-lints';
import {
  CheckedCiliumPolicy, ciliumCidrInsideCluster, ciliumRequires, ciliumDnsReading, entityMatchesNothing, fqdnWithoutDnsRule, InClusterEnd,
  networkPolicyIpBlockInsideCluster,
} from './cilium-lints';
import { CheckedClusterPolicy, denyShadowsPlatformAllow, samePriorityOverlaps } from './cluster-policy-lints';
import { coverageLints, ingressFromEveryAddress } from './coverage-lints';
import { CheckedPolicy, crossObjectLints } from './cross-object-lints';
import { LintCode } from './lint-codes';
import {
  allowsAllPeers, ipBlocksCoveringCluster, missingNamespace, namedPortsToIpBlocks, policyTypeMismatches, redundantRules, splitPeerSelectors,
} from './single-policy-lints';
import { Cluster } from '../inventory/cluster';
import { describeRef, isKubernetesNetworkPolicy, isModelledClusterPolicy, isStagedKubernetesNetworkPolicy, KindCount, SkippedManifest } from '../inventory/inventory';
import { checkClusterPolicyRules } from '../k8s/admin-policy-rules';
import { checkApiServerRules } from '../k8s/api-server-rules';
import { parseCidr, ParsedCidr } from '../k8s/cidr';
import { CILIUM_CLUSTERWIDE_NETWORK_POLICY_KIND, isCiliumPolicy } from '../k8s/cilium-manifest';
import { checkCiliumPolicy } from '../k8s/cilium-rules';
import { Finding, Severity } from '../k8s/finding';
import { STAGED_NETWORK_POLICY_KIND } from '../k8s/manifest';
import { flattenLists, objectRef, SourcedObject } from '../k8s/objects';

/** Options of `validateManifests`. */
export interface ManifestValidationOptions {
  /** Apply the strict IP/CIDR rules of Kubernetes 1.36+. @default true */
  readonly strictCidr?: boolean;
  /** The cluster's pod and service CIDRs, for NP010. @default - none */
  readonly clusterCidrs?: string[];
  /**
   * Run the coverage lints, which judge the input as a whole namespace or cluster: NP013 (a
   * workload no policy selects in either direction) and NP014 (a namespace with workloads but no
   * default deny). Off by default, because a partial input (one chart's output, its surroundings)
   * leaves workloads out that other policies protect; on for `kubectl get -A` output or a whole
   * GitOps tree (`netpol validate --coverage`).
   * @default false
   */
  readonly coverage?: boolean;
}

/** A finding of `validateManifests`: the problem, and the object and source it belongs to. */
export interface LocatedFinding extends Finding {
  /** `<namespace>/<name>` of the object. */
  readonly object: string;
  /** The file the object came from. @default - not read from a file */
  readonly file?: string;
  /** The 1-based line the object's document starts on. @default - unknown */
  readonly line?: number;
  /**
   * The kind of the object, when it is not a NetworkPolicy: `StagedKubernetesNetworkPolicy`
   * (Calico's staged policy, checked by the same rules).
   * @default - a NetworkPolicy
   */
  readonly kind?: string;
}

/** A finding that its object accepts by annotation (`cdk8s-netpol.dev/accept-NP004: <reason>`). */
export interface SilencedFinding extends LocatedFinding {
  /** The reason given in the annotation. */
  readonly reason: string;
}

/** The outcome of validating a set of manifests. */
export interface ManifestValidationReport {
  /**
   * How many policies were checked: NetworkPolicies, Calico's staged ones
   * (`StagedKubernetesNetworkPolicy`), CiliumNetworkPolicies and CiliumClusterwideNetworkPolicies.
   */
  readonly checked: number;
  /** How many of the checked policies are staged (`StagedKubernetesNetworkPolicy`). */
  readonly checkedStaged: number;
  /**
   * How many of the checked policies are Cilium's, by kind (CiliumClusterwideNetworkPolicy,
   * CiliumNetworkPolicy), sorted by kind; kinds with none are left out.
   */
  readonly checkedCiliumPolicies: KindCount[];
  /**
   * How many cluster-wide policies (AdminNetworkPolicy, BaselineAdminNetworkPolicy,
   * ClusterNetworkPolicy) were checked against their CRD schema and CEL rules.
   */
  readonly checkedClusterPolicies: number;
  /** Every finding, errors and warnings: per policy in input order, then the findings across policies. */
  readonly findings: LocatedFinding[];
  /** Lint findings their objects accept by annotation, with the reason; they do not count. */
  readonly silenced: SilencedFinding[];
  /** How many objects of each kind were read (inside `List`s too), sorted by kind; `<no kind>` for objects without one. */
  readonly kinds: KindCount[];
  /**
   * What was not checked and why, with `coverage`: e.g. the policies of a namespace where the input
   * has no workloads, whose pod selectors NP004 cannot check. Empty without `coverage`.
   */
  readonly notChecked: string[];
  /**
   * Objects left out, with the reason and the fix: kinds that can change verdicts but are neither
   * checked nor modelled (CiliumNetworkPolicy, Calico policies), and objects
   * kubectl would reject (a Pod whose name YAML 1.1 read as a boolean), which the lints do not see.
   */
  readonly leftOut: SkippedManifest[];
}

/**
 * Checks every NetworkPolicy in `objects` (inside `List`s too), and every Calico
 * `StagedKubernetesNetworkPolicy` (the same spec, by the same rules), against the API server's rules and
 * the policy lints; workloads and namespaces feed the lints, other kinds are counted, and what is
 * neither checked nor usable (other policy APIs, malformed objects) is listed in `leftOut`. Lints
 * run only on policies the API server would accept. Pure: the CLI (`netpol validate`), the cdk8s
 * synth step and the tests share it. From other jsii languages: `ManifestValidation.validate`.
 *
 * @example
 * const report = validateManifests(manifests.map((object) => ({ object })), { clusterCidrs: ['10.244.0.0/16'] });
 * const errors = report.findings.filter((f) => f.severity === Severity.ERROR);
 * // each: { severity, code: 'FieldValueInvalid' or an NP-code, object: 'shop/api', field, message, fix, file?, line? }
 */
export function validateManifests(objects: readonly SourcedObject[], options: ManifestValidationOptions = {}): ManifestValidationReport {
  const flat = flattenLists(objects);
  const cluster = new Cluster([...objects], {}, { allowDuplicateIds: true, withoutPolicies: true });
  const clusterCidrs = (options.clusterCidrs ?? []).map((text) => {
    const cidr = parseCidr(text, false).cidr;
    if (!cidr) throw new Error(`cluster CIDR ${JSON.stringify(text)} is not a valid CIDR. Give the pod and service ranges, e.g. 10.244.0.0/16.`);
    return { text, cidr: cidr as ParsedCidr };
  });
  const inCluster: InClusterEnd[] = cluster.endpoints.filter((e) => !e.external && e.ips.length > 0)
    .map((e) => ({ id: e.id, what: e.kind === 'Node' ? 'the Node' : `the ${e.hostNetwork ? 'hostNetwork ' : ''}${e.kind}`, ips: e.ips }));
  const findings: LocatedFinding[] = [];
  /** The policy each finding belongs to: acceptances are read from that object, never from another of the same name. */
  const owners = new Map<LocatedFinding, Record<string, any>>();
  const checked: Array<CheckedPolicy & { source: SourcedObject }> = [];
  const checkedStaged: Array<CheckedPolicy & { source: SourcedObject }> = [];
  const cilium: Array<CheckedCiliumPolicy & { source: SourcedObject }> = [];
  /** Every Cilium policy checked, also those Cilium would reject (`cilium` holds the accepted ones). */
  const ciliumChecked: Array<Record<string, any>> = [];
  let count = 0;
  let stagedCount = 0;
  let clusterPolicies = 0;
  const acceptedClusterPolicies: Array<CheckedClusterPolicy & { source: SourcedObject }> = [];
  const locateClusterFinding = (f: Finding, object: Record<string, any>, source: SourcedObject) => {
    const located = { ...f, object: describeRef(object), file: source.file, line: source.line };
    owners.set(located, object);
    findings.push(located);
  };
  for (const source of flat) {
    if (isModelledClusterPolicy(source.object)) {
      clusterPolicies++;
      const object = source.object;
      const own = checkClusterPolicyRules(object);
      for (const f of own) locateClusterFinding(f, object, source);
      if (!own.some((f) => f.severity === Severity.ERROR)) acceptedClusterPolicies.push({ object, source });
      continue;
    }
    const object = source.object;
    const staged = isStagedKubernetesNetworkPolicy(object);
    const locate = (f: Finding): LocatedFinding => {
      const located = { ...f, object: ciliumAwareRef(object), file: source.file, line: source.line, ...kindOf(staged) };
      owners.set(located, object);
      return located;
    };
    if (isCiliumPolicy(object)) {
      count++;
      ciliumChecked.push(object);
      const schema = checkCiliumPolicy(object);
      findings.push(...schema.map(locate));
      if (schema.some((f) => f.severity === Severity.ERROR)) continue;
      const clusterwide = object.kind === CILIUM_CLUSTERWIDE_NETWORK_POLICY_KIND;
      const policy = { object, namespace: clusterwide ? undefined : namespaceOf(object), source };
      findings.push(...entityMatchesNothing(policy).map(locate), ...ciliumCidrInsideCluster(policy, inCluster, clusterCidrs).map(locate));
      findings.push(...ciliumRequires(policy).map(locate));
      cilium.push(policy);
      continue;
    }
    if (!staged && !isKubernetesNetworkPolicy(object)) continue;
    count++;
    if (staged) stagedCount++;
    const apiFindings = checkApiServerRules(object, { strictCidr: options.strictCidr ?? true });
    findings.push(...apiFindings.map(locate));
    if (apiFindings.some((f) => f.severity === Severity.ERROR)) continue;
    findings.push(...[
      ...missingNamespace(object),
      ...allowsAllPeers(object),
      ...splitPeerSelectors(object),
      ...policyTypeMismatches(object),
      ...redundantRules(object),
      ...ipBlocksCoveringCluster(object, clusterCidrs),
      ...namedPortsToIpBlocks(object),
      ...ingressFromEveryAddress(object),
    ].map(locate));
    (staged ? checkedStaged : checked).push({ object, namespace: namespaceOf(object), name: String(object.metadata?.name ?? object.metadata?.generateName ?? ''), source });
  }
  // The plugin, as the analyser infers it (Cluster.runsCilium): Cilium when the input holds Cilium
  // policies. There a NetworkPolicy ipBlock is a Cilium CIDR rule, and NP022 applies to it too.
  if (cilium.length > 0) {
    for (const policy of checked) {
      for (const f of networkPolicyIpBlockInsideCluster(policy.object, inCluster)) {
        const located = { ...f, object: ciliumAwareRef(policy.object), file: policy.source.file, line: policy.source.line };
        owners.set(located, policy.object);
        findings.push(located);
      }
    }
  }
  for (const { policy, finding } of fqdnWithoutDnsRule(cilium)) {
    const source = (policy as typeof cilium[number]).source;
    const located = { ...finding, object: ciliumAwareRef(policy.object), file: source.file, line: source.line };
    owners.set(located, policy.object);
    findings.push(located);
  }
  const clusterLints = [
    ...samePriorityOverlaps(acceptedClusterPolicies),
    ...denyShadowsPlatformAllow(acceptedClusterPolicies, clusterCidrs.map((c) => c.cidr)),
  ];
  for (const { policy, finding } of clusterLints) {
    const p = policy as typeof acceptedClusterPolicies[number];
    locateClusterFinding(finding, p.object, p.source);
  }
  // The enforcing policies are linted among themselves (staged policies enforce nothing), the staged
  // ones as they would be once promoted: among the enforcing ones. Both declare the pods they select.
  const stagedSet = new Set<CheckedPolicy>(checkedStaged);
  const tierObjects = acceptedClusterPolicies.map((p) => p.object);
  const ciliumDns = ciliumDnsReading(cilium, cluster);
  const cross = [
    ...crossObjectLints(checked, cluster, [...checked, ...checkedStaged], tierObjects, ciliumDns),
    ...(checkedStaged.length === 0 ? [] : crossObjectLints([...checked, ...checkedStaged], cluster, undefined, tierObjects, ciliumDns)
      .filter(({ policy }) => stagedSet.has(policy))),
  ];
  for (const { policy, finding } of cross) {
    const source = (policy as typeof checked[number]).source;
    const staged = stagedSet.has(policy);
    const located = { ...finding, object: objectRef(policy.object), file: source.file, line: source.line, ...kindOf(staged) };
    owners.set(located, policy.object);
    findings.push(located);
  }
  const notChecked: string[] = [];
  if (options.coverage) {
    for (const c of coverageLints(checked, cluster, flat, cilium, acceptedClusterPolicies)) {
      const located: LocatedFinding = { ...c.finding, object: c.object, file: c.source.file, line: c.source.line };
      if (c.owned) owners.set(located, c.source.object);
      findings.push(located);
    }
    const withWorkloads = new Set(cluster.endpoints.flatMap((e) => (e.namespace !== undefined && !e.external ? [e.namespace] : [])));
    for (const ns of [...new Set(checked.map((p) => p.namespace))].sort()) {
      if (!withWorkloads.has(ns)) {
        notChecked.push(`${LintCode.SELECTOR_MATCHES_NOTHING} (a policy that selects no workload) in namespace ${ns}: `
          + 'the input has no workloads there, so its policies\' pod selectors cannot be checked');
      }
    }
  }
  return {
    checked: count,
    checkedStaged: stagedCount,
    checkedCiliumPolicies: countKinds(ciliumChecked),
    checkedClusterPolicies: clusterPolicies,
    ...applyAcceptedLints(findings, owners),
    notChecked,
    kinds: countKinds(flat.map((o) => o.object)),
    leftOut: cluster.skipped,
  };
}

/** The `kind` of a finding of a staged policy (NetworkPolicies' findings have none). */
function kindOf(staged: boolean): { kind?: string } {
  return staged ? { kind: STAGED_NETWORK_POLICY_KIND } : {};
}

function namespaceOf(object: Record<string, any>): string {
  return typeof object.metadata?.namespace === 'string' && object.metadata.namespace !== '' ? object.metadata.namespace : 'default';
}

/** `<namespace>/<name>`, and just the name of a cluster-scoped CiliumClusterwideNetworkPolicy. */
function ciliumAwareRef(object: Record<string, any>): string {
  if (object.kind === CILIUM_CLUSTERWIDE_NETWORK_POLICY_KIND && isCiliumPolicy(object)) {
    return typeof object.metadata?.name === 'string' && object.metadata.name !== '' ? object.metadata.name : '<unnamed>';
  }
  return objectRef(object);
}

/** Moves the lint findings that their objects accept (with a reason) to `silenced`. */
function applyAcceptedLints(
  all: LocatedFinding[], owners: Map<LocatedFinding, Record<string, any>>,
): { findings: LocatedFinding[]; silenced: SilencedFinding[] } {
  const byObject = new Map<Record<string, any>, ReturnType<typeof acceptedLints>>();
  const findings: LocatedFinding[] = [];
  const silenced: SilencedFinding[] = [];
  for (const f of all) {
    const owner = owners.get(f);
    let accepted = owner ? byObject.get(owner) : undefined;
    if (owner && !accepted) {
      accepted = acceptedLints(owner);
      byObject.set(owner, accepted);
    }
    const reason = acceptanceFor(accepted?.accepted.get(f.code), f.field);
    if (reason !== undefined && f.severity === Severity.WARNING) {
      silenced.push({ ...f, reason });
    } else if (reason !== undefined) {
      findings.push({ ...f, message: `${f.message} (an error cannot be accepted: the annotation cdk8s-netpol.dev/accept-${f.code} does not silence it)` });
    } else if (accepted?.empty.has(f.code)) {
      findings.push({ ...f, message: `${f.message} (its annotation cdk8s-netpol.dev/accept-${f.code} gives no reason, so it does not silence this)` });
    } else {
      findings.push(f);
    }
  }
  return { findings, silenced };
}

/** Objects by kind, sorted by kind (code-unit order). */
export function countKinds(objects: ReadonlyArray<Record<string, any>>): KindCount[] {
  const counts = new Map<string, number>();
  for (const o of objects) {
    const kind = typeof o.kind === 'string' && o.kind !== '' ? o.kind : '<no kind>';
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return [...counts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([kind, count]) => ({ kind, count }));
}

/**
 * Validation of plain manifests, as `netpol validate` does it: the API server's rules and the lints
 * for every NetworkPolicy. (The same as the function `validateManifests`, for the jsii languages,
 * which have no free functions.)
 */
export class ManifestValidation {
  /**
   * Checks every NetworkPolicy in `objects` (inside `List`s too) against the API server's rules and
   * the lints, as `validateManifests` does.
   *
   * @example
   * const report = ManifestValidation.validate(chart.toJson().map((object) => ({ object })));
   * report.findings.length; // 0 when every policy is valid and no lint fires
   */
  public static validate(objects: SourcedObject[], options: ManifestValidationOptions = {}): ManifestValidationReport {
    return validateManifests(objects, options);
  }

  private constructor() {}
}
