import { acceptedLints } from './accepted-lints';
import { checkApiServerRules } from './api-server-rules';
import { CheckedPolicy, crossObjectLints } from './cross-object-lints';
import { Finding, Severity } from './finding';
import {
  allowsAllPeers, ipBlocksCoveringCluster, missingNamespace, policyTypeMismatches, redundantRules, splitPeerSelectors,
} from './single-policy-lints';
import { Cluster } from '../analysis/cluster';
import { parseCidr, ParsedCidr } from '../k8s/cidr';
import { flattenLists, objectRef, SourcedObject } from '../k8s/objects';

/** Options of `validateManifests`. */
export interface ManifestValidationOptions {
  /** Apply the strict IP/CIDR rules of Kubernetes 1.36+. @default true */
  readonly strictCidr?: boolean;
  /** The cluster's pod and service CIDRs, for NP010. @default - none */
  readonly clusterCidrs?: string[];
}

/** A finding with the object and source it belongs to. */
export interface LocatedFinding extends Finding {
  readonly object: string;
  readonly file?: string;
  readonly line?: number;
}

/** A finding that its object accepts by annotation (`cdk8s-netpol.dev/accept-NP004: <reason>`). */
export interface SilencedFinding extends LocatedFinding {
  /** The reason given in the annotation. */
  readonly reason: string;
}

/** The outcome of validating a set of manifests. */
export interface ManifestValidationReport {
  /** How many NetworkPolicies were checked. */
  readonly checked: number;
  /** Every finding, errors and warnings: per policy in input order, then the findings across policies. */
  readonly findings: LocatedFinding[];
  /** Lint findings their objects accept by annotation, with the reason; they do not count. */
  readonly silenced: SilencedFinding[];
}

/**
 * Checks every NetworkPolicy in `objects` (inside `List`s too; other kinds are ignored) against the
 * API server's rules and the policy lints. Pure: the CLI, the cdk8s synth step and the tests share it.
 * Lints run only on policies the API server would accept.
 */
export function validateManifests(objects: readonly SourcedObject[], options: ManifestValidationOptions = {}): ManifestValidationReport {
  const flat = flattenLists(objects);
  const clusterCidrs = (options.clusterCidrs ?? []).map((text) => {
    const cidr = parseCidr(text, false).cidr;
    if (!cidr) throw new Error(`cluster CIDR ${JSON.stringify(text)} is not a valid CIDR. Give the pod and service ranges, e.g. 10.244.0.0/16.`);
    return { text, cidr: cidr as ParsedCidr };
  });
  const findings: LocatedFinding[] = [];
  const checked: Array<CheckedPolicy & { source: SourcedObject }> = [];
  let count = 0;
  for (const source of flat) {
    if (source.object.kind !== 'NetworkPolicy') continue;
    count++;
    const object = source.object;
    const locate = (f: Finding): LocatedFinding => ({ ...f, object: objectRef(object), file: source.file, line: source.line });
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
    ].map(locate));
    const namespace = typeof object.metadata?.namespace === 'string' && object.metadata.namespace !== '' ? object.metadata.namespace : 'default';
    checked.push({ object, namespace, name: String(object.metadata?.name ?? object.metadata?.generateName ?? ''), source });
  }
  const cluster = new Cluster(flat.filter((o) => o.object.kind !== 'NetworkPolicy'));
  for (const { policy, finding } of crossObjectLints(checked, cluster)) {
    const source = (policy as typeof checked[number]).source;
    findings.push({ ...finding, object: objectRef(policy.object), file: source.file, line: source.line });
  }
  return { checked: count, ...applyAcceptedLints(findings, checked) };
}

/** Moves the lint findings that their objects accept (with a reason) to `silenced`. */
function applyAcceptedLints(
  all: LocatedFinding[], policies: Array<CheckedPolicy & { source: SourcedObject }>,
): { findings: LocatedFinding[]; silenced: SilencedFinding[] } {
  const byObject = new Map(policies.map((p) => [objectRef(p.object), acceptedLints(p.object)]));
  const findings: LocatedFinding[] = [];
  const silenced: SilencedFinding[] = [];
  for (const f of all) {
    const accepted = byObject.get(f.object);
    const reason = accepted?.accepted.get(f.code);
    if (reason !== undefined) {
      silenced.push({ ...f, reason });
    } else if (accepted?.empty.has(f.code)) {
      findings.push({ ...f, message: `${f.message} (its annotation cdk8s-netpol.dev/accept-${f.code} gives no reason, so it does not silence this)` });
    } else {
      findings.push(f);
    }
  }
  return { findings, silenced };
}
