import { CheckedPolicy } from './cross-object-lints';
import { LintCode } from './lint-codes';
import { Cluster, DECLARED_SERVICE_KIND } from '../inventory/cluster';
import { effectivePolicyTypes } from '../k8s/api-server-rules';
import { parseCidr } from '../k8s/cidr';
import { Finding, Severity } from '../k8s/finding';
import { compileSelector } from '../k8s/label-selector';
import { FlatObject, objectRef } from '../k8s/objects';

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

/**
 * The coverage lints over the whole input (`ManifestValidationOptions.coverage`): NP017, a workload
 * no policy selects in either direction; NP018, a namespace with workloads but no default deny (a
 * policy whose pod selector matches every pod, for ingress and for egress). Workloads are the Pods
 * and pod templates of the input (hostNetwork pods left out: no policy can select their traffic).
 */
export function coverageLints(policies: CheckedPolicy[], cluster: Cluster, sources: readonly FlatObject[]): CoverageFinding[] {
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
  const out: CoverageFinding[] = [];
  for (const e of workloads) {
    const source = byKey.get(`${e.kind}|${e.namespace}|${e.id.slice(e.namespace!.length + 1)}`);
    if (!source) continue;
    if (selectors.some(({ p, selector }) => p.namespace === e.namespace && selector.matches(e.labels))) continue;
    out.push({
      source,
      object: e.id,
      owned: true,
      finding: {
        severity: Severity.WARNING,
        code: LintCode.UNSELECTED_WORKLOAD,
        field: labelsField(e.kind),
        message: `no NetworkPolicy selects the ${e.kind} ${e.id} in either direction, so anyone may reach it and it may reach anyone, on every port`,
        fix: 'Select its pods: a default deny for the namespace (cdk8s-netpol: DefaultDeny) and the rules it needs (NetworkPolicies.allow), '
          + `or accept it on the workload: cdk8s-netpol.dev/accept-${LintCode.UNSELECTED_WORKLOAD}: <why it is open>.`,
      },
    });
  }
  const namespaces = [...new Set(workloads.map((e) => e.namespace!))].sort();
  for (const ns of namespaces) {
    const deny = (direction: string) => selectors
      .some(({ p, selector, types }) => p.namespace === ns && selector.matchesEverything && types.includes(direction));
    const missing = ['Ingress', 'Egress'].filter((d) => !deny(d));
    if (missing.length === 0) continue;
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
        message: `namespace ${ns} has workloads but no default deny for ${missing.join(' and ').toLowerCase()} (a policy with podSelector: {} and policyTypes ${missing.join(', ')}), `
          + 'so a pod added to it later is open until someone writes its policy',
        fix: `Add a default deny to namespace ${ns} (cdk8s-netpol: DefaultDeny, or ApplicationStack, which adds one), `
          + `or accept it ${where}: cdk8s-netpol.dev/accept-${LintCode.NAMESPACE_WITHOUT_DEFAULT_DENY}: <why>.`,
      },
    });
  }
  return out;
}
