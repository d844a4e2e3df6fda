/**
 * Workload names from pod names, the way the controllers build pod names:
 *
 * - a Deployment's pods: `<deployment>-<pod-template-hash>-<suffix>` (the ReplicaSet is
 *   `<deployment>-<pod-template-hash>`);
 * - DaemonSet, Job and ReplicaSet pods: `<owner>-<suffix>`; a CronJob's Jobs: `<cronjob>-<scheduled minute>`;
 * - StatefulSet pods: `<statefulset>-<ordinal>`.
 *
 * The suffix of a generated name is 5 characters of apimachinery's `util/rand` alphabet (no vowels,
 * no `0`, `1`, `3`); the pod-template-hash is the decimal FNV hash written in the same alphabet, so
 * it uses only the characters that digits map to (`4`-`9`, `b`, `c`, `d`, `f`); Kubernetes before 1.8
 * wrote it as plain digits.
 */

const GENERATED_SUFFIX = /^[bcdfghjklmnpqrstvwxz2456789]{5}$/;
const TEMPLATE_HASH = /^(?:[4-9bcdf]{6,10}|[0-9]{6,10})$/;
const ORDINAL = /^(?:0|[1-9][0-9]{0,4})$/;

/**
 * The names the pod's workload may have, most specific first: the pod name itself, then without its
 * generated suffix or ordinal, then also without the pod-template-hash (or a CronJob's minute).
 */
export function workloadCandidates(podName: string): string[] {
  const out = [podName];
  const last = podName.lastIndexOf('-');
  if (last <= 0) return out;
  const tail = podName.slice(last + 1);
  const head = podName.slice(0, last);
  if (ORDINAL.test(tail)) {
    out.push(head);
    return out;
  }
  if (!GENERATED_SUFFIX.test(tail)) return out;
  out.push(head);
  out.push(...withoutTemplateHash(head).slice(1));
  return out;
}

/** `[prefix]`, and the prefix without a trailing pod-template-hash (or CronJob minute) when it has one. */
export function withoutTemplateHash(prefix: string): string[] {
  const last = prefix.lastIndexOf('-');
  if (last > 0 && TEMPLATE_HASH.test(prefix.slice(last + 1))) return [prefix, prefix.slice(0, last)];
  return [prefix];
}

/**
 * Labels the controllers put on each pod (or each run) rather than on the workload's pod template:
 * they are left out of an observed end's labels, since they would select one pod or one run.
 */
export const PER_POD_LABELS: ReadonlySet<string> = new Set([
  'pod-template-hash',
  'controller-revision-hash',
  'pod-template-generation',
  'statefulset.kubernetes.io/pod-name',
  'apps.kubernetes.io/pod-index',
  'controller-uid',
  'batch.kubernetes.io/controller-uid',
  'job-name',
  'batch.kubernetes.io/job-name',
  'batch.kubernetes.io/job-completion-index',
]);
