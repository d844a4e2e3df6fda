import { LintCode } from './lint-codes';
import { Finding, Severity } from '../k8s/finding';

/** A cluster-wide policy the API server accepts, for the lints across policies. */
export interface CheckedClusterPolicy {
  readonly object: Record<string, any>;
}

const NAME_LABEL = 'kubernetes.io/metadata.name';

/**
 * NP016: two policies of one tier with the same priority whose rules of one direction can apply
 * to the same pods. The API leaves their order to the implementation ("there is no way for the user
 * to reliably determine which one it will choose"), so a connection both match may get either
 * verdict. Subjects are taken to overlap unless both name different namespaces by
 * `kubernetes.io/metadata.name` (a conservative reading: a warning too many rather than one too few).
 */
export function samePriorityOverlaps(policies: readonly CheckedClusterPolicy[]): Array<{ policy: CheckedClusterPolicy; finding: Finding }> {
  const out: Array<{ policy: CheckedClusterPolicy; finding: Finding }> = [];
  const withPriority = policies.filter((p) => typeof p.object.spec?.priority === 'number');
  withPriority.forEach((later, j) => {
    for (const earlier of withPriority.slice(0, j)) {
      if (tierOf(earlier.object) !== tierOf(later.object) || earlier.object.spec.priority !== later.object.spec.priority) continue;
      const directions = (['ingress', 'egress'] as const).filter((d) => hasRules(earlier.object, d) && hasRules(later.object, d));
      if (directions.length === 0 || !subjectsCanOverlap(earlier.object.spec.subject, later.object.spec.subject)) continue;
      const tier = tierOf(later.object) === 'admin' ? 'Admin' : 'Baseline';
      out.push({
        policy: later,
        finding: {
          severity: Severity.WARNING,
          code: LintCode.SAME_PRIORITY_OVERLAP,
          field: 'spec.priority',
          message: `has priority ${later.object.spec.priority}, as ${earlier.object.kind} ${earlier.object.metadata.name} of the ${tier} tier, and both have ${directions.join(' and ')} `
            + 'rules for pods both can select: which of them applies first is up to the network plugin (the API leaves it undefined), so a connection both match may get either verdict',
          fix: 'Give one of them another priority (lower is evaluated first), or merge their rules into one policy in the order you mean.',
        },
      });
      break;
    }
  });
  return out;
}

function tierOf(object: Record<string, any>): 'admin' | 'baseline' {
  return object.kind === 'BaselineAdminNetworkPolicy' || object.spec?.tier === 'Baseline' ? 'baseline' : 'admin';
}

function hasRules(object: Record<string, any>, direction: 'ingress' | 'egress'): boolean {
  return Array.isArray(object.spec?.[direction]) && object.spec[direction].length > 0;
}

/** Whether two subjects can select one pod: unless each names exactly one namespace, and they differ. */
function subjectsCanOverlap(a: any, b: any): boolean {
  const named = (s: any): string | undefined => {
    const selector = s?.namespaces ?? s?.pods?.namespaceSelector;
    const value = selector?.matchLabels?.[NAME_LABEL];
    return typeof value === 'string' ? value : undefined;
  };
  const na = named(a);
  const nb = named(b);
  return na === undefined || nb === undefined || na === nb;
}
