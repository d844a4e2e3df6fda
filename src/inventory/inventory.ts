import { CLUSTER_POLICY_KINDS, isClusterPolicyKind } from '../k8s/admin-policy-manifest';
import { isCiliumPolicy } from '../k8s/cilium-manifest';
import { STAGED_NETWORK_POLICY_KIND } from '../k8s/manifest';

/**
 * What the analyser does with each object of the input: use it (NetworkPolicies, Pods, workloads,
 * Namespaces), ignore it because its kind cannot affect NetworkPolicy verdicts (ConfigMap, Service,
 * ...), or leave it out and say why: a kind that can change verdicts but is not modelled
 * (Calico policies, another version of the sig-network policy API, ...), or an object kubectl would reject
 * (a name that YAML 1.1 read as a boolean, no name, no pod template).
 */


/** Why an object was left out of the model. */
export enum SkipCategory {
  /** A NetworkPolicy the API server would reject: it cannot exist in a cluster. */
  INVALID_POLICY = 'INVALID_POLICY',
  /**
   * A kind that can change verdicts but is not modelled (a v1beta1 ClusterNetworkPolicy, Calico
   * policies other than `StagedKubernetesNetworkPolicy`, which is modelled as not enforcing, any
   * other `*NetworkPolicy`), or a part of a Cilium policy the model cannot place (a host policy, a
   * rule to services or to the host): the verdicts ignore it and may be wrong for a cluster that
   * applies it.
   */
  NOT_MODELLED = 'NOT_MODELLED',
  /** An object kubectl would reject or the model cannot place: no kind, a name that is not a string, no pod template. */
  MALFORMED = 'MALFORMED',
}

/** An object left out of the analysis (`Reachability.skipped`) or of the validation (`validateManifests`), and why. */
export interface SkippedManifest {
  /**
   * `<namespace>/<name>` (the name alone for cluster-scoped kinds), or where it sits (`items[2]`,
   * `the document`) when it is not an object.
   */
  readonly object: string;
  /** Why it was left out, and how to fix it. */
  readonly reason: string;
  /** What kind of problem it is. */
  readonly category: SkipCategory;
  /** Its kind. @default - it has none */
  readonly kind?: string;
  /** The file it came from. @default - not from a file */
  readonly file?: string;
  /** The 1-based line its document starts on. @default - unknown */
  readonly line?: number;
}

/** How many objects of a kind. */
export interface KindCount {
  /** The kind (`ConfigMap`). */
  readonly kind: string;
  /** How many objects of it. */
  readonly count: number;
}

/** The pod template of each workload kind the analyser models. */
export const WORKLOAD_TEMPLATES: Record<string, { readonly path: string; readonly of: (spec: any) => any }> = {
  Deployment: { path: 'spec.template', of: (s) => s?.template },
  StatefulSet: { path: 'spec.template', of: (s) => s?.template },
  DaemonSet: { path: 'spec.template', of: (s) => s?.template },
  ReplicaSet: { path: 'spec.template', of: (s) => s?.template },
  ReplicationController: { path: 'spec.template', of: (s) => s?.template },
  Job: { path: 'spec.template', of: (s) => s?.template },
  CronJob: { path: 'spec.jobTemplate.spec.template', of: (s) => s?.jobTemplate?.spec?.template },
};

/**
 * Workload kinds of other API groups, by `<group>/<kind>`: an Argo Rollout (`argoproj.io/v1alpha1`)
 * has a `spec.selector` and a `spec.template` like a Deployment.
 */
const GROUP_WORKLOAD_TEMPLATES: Record<string, { readonly path: string; readonly of: (spec: any) => any }> = {
  'argoproj.io/Rollout': { path: 'spec.template', of: (s) => s?.template },
};

/** The pod template of `object`'s workload kind, if it is one the analyser models. */
function workloadTemplate(object: Record<string, any>): { readonly path: string; readonly of: (spec: any) => any } | undefined {
  const kind = object.kind as string;
  const grouped = GROUP_WORKLOAD_TEMPLATES[`${apiGroup(object.apiVersion)}/${kind}`];
  if (grouped) return grouped;
  return WORKLOAD_TEMPLATES[kind];
}

/** What an object is to the analyser. */
export type ObjectRole =
  | { readonly role: 'policy' }
  | { readonly role: 'staged-policy' }
  /** An AdminNetworkPolicy, BaselineAdminNetworkPolicy (v1alpha1) or ClusterNetworkPolicy (v1alpha2): a cluster-wide tier. */
  | { readonly role: 'cluster-policy' }
  /** A `cilium.io/v2` CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy: modelled with the namespace tier. */
  | { readonly role: 'cilium-policy' }
  | { readonly role: 'pod' }
  | { readonly role: 'workload'; readonly template: Record<string, any> }
  | { readonly role: 'namespace' }
  /** A `v1` Node: an end of node traffic (its addresses), for Cilium's `host` and `remote-node` entities. */
  | { readonly role: 'node' }
  | { readonly role: 'ignored'; readonly kind: string }
  | { readonly role: 'left-out'; readonly category: SkipCategory; readonly reason: string };

/** API groups whose `kind: NetworkPolicy` is the Kubernetes one (the API server rules say which apiVersion is valid). */
const KUBERNETES_POLICY_GROUPS = new Set(['', 'networking.k8s.io', 'extensions']);

/** The API group of Calico's `StagedKubernetesNetworkPolicy` (its CRD storage group `crd.projectcalico.org` is not applied by users). */
const STAGED_POLICY_GROUP = 'projectcalico.org';

/** Kinds that do not end in `NetworkPolicy` but can deny traffic NetworkPolicies allow. */
const OTHER_POLICY_KINDS = new Set(['security.istio.io/AuthorizationPolicy', 'policy.linkerd.io/AuthorizationPolicy', 'k8s.ovn.org/EgressFirewall']);

/** Whether an object is a Kubernetes NetworkPolicy (as opposed to, e.g., Calico's `projectcalico.org/v3` NetworkPolicy). */
export function isKubernetesNetworkPolicy(object: Record<string, any>): boolean {
  return object.kind === 'NetworkPolicy' && KUBERNETES_POLICY_GROUPS.has(apiGroup(object.apiVersion));
}

/**
 * Whether an object is Calico's `StagedKubernetesNetworkPolicy` (`projectcalico.org`): the spec of a
 * NetworkPolicy that Calico evaluates and reports without enforcing it. Validated like a
 * NetworkPolicy; the analyser keeps it apart from the enforcing policies.
 */
export function isStagedKubernetesNetworkPolicy(object: Record<string, any>): boolean {
  return object.kind === STAGED_NETWORK_POLICY_KIND && apiGroup(object.apiVersion) === STAGED_POLICY_GROUP;
}

/**
 * Whether an object is a kind of the sig-network policy API at the version the library models:
 * AdminNetworkPolicy and BaselineAdminNetworkPolicy at v1alpha1, ClusterNetworkPolicy at v1alpha2
 * (other versions, e.g. a future v1beta1, are left out as not modelled).
 */
export function isModelledClusterPolicy(object: Record<string, any>): boolean {
  return isClusterPolicyKind(object) && CLUSTER_POLICY_KINDS[object.kind] === object.apiVersion;
}

/** What the analyser does with `object`. Pure: the same object always gets the same role. */
export function classifyObject(object: Record<string, any>): ObjectRole {
  const kind = object.kind;
  if (typeof kind !== 'string' || kind === '') {
    return malformed(kind === undefined || kind === null || kind === ''
      ? 'has no kind, so it is not a Kubernetes object; kubectl would reject it. Add apiVersion and kind, or keep it out of the input'
      : `${notAString('kind', kind, 'Pod')}`);
  }
  if (isKubernetesNetworkPolicy(object)) return { role: 'policy' };
  if (isStagedKubernetesNetworkPolicy(object)) return { role: 'staged-policy' };
  if (isModelledClusterPolicy(object)) return { role: 'cluster-policy' };
  if (isCiliumPolicy(object)) return { role: 'cilium-policy' };
  const group = apiGroup(object.apiVersion);
  if (kind.endsWith('NetworkPolicy') || group === 'policy.networking.k8s.io' || OTHER_POLICY_KINDS.has(`${group}/${kind}`)) {
    return {
      role: 'left-out',
      category: SkipCategory.NOT_MODELLED,
      reason: `${kind} (${typeof object.apiVersion === 'string' ? object.apiVersion : 'no apiVersion'}) is not modelled: ${effectOf(kind, group)}. `
        + `cdk8s-netpol does not model ${kind} yet, so it is not checked and the verdicts ignore it: they may be wrong for a cluster that applies it. `
        + 'Review its effect separately, or leave it out of the input if the cluster does not apply it',
    };
  }
  const template = workloadTemplate(object);
  const node = kind === 'Node' && apiGroup(object.apiVersion) === '';
  if (kind !== 'Pod' && kind !== 'Namespace' && !node && !template) return { role: 'ignored', kind };
  const problem = metadataProblem(object.metadata, kind !== 'Namespace' && !node);
  if (problem) return malformed(problem);
  if (kind === 'Namespace') return { role: 'namespace' };
  if (node) return { role: 'node' };
  if (kind === 'Pod') {
    const podProblem = podSpecProblem(object.spec, 'spec');
    return podProblem ? malformed(podProblem) : { role: 'pod' };
  }
  const podTemplate = template!.of(object.spec);
  // A Rollout that takes its pod template from a Deployment (spec.workloadRef) has no template of its
  // own: its pods are the Deployment's, which the analyser models from the Deployment object.
  if (podTemplate === undefined && kind === 'Rollout' && object.spec?.workloadRef !== undefined) return { role: 'ignored', kind };
  if (typeof podTemplate !== 'object' || podTemplate === null || Array.isArray(podTemplate)) {
    return malformed(`has no pod template (${template!.path}), so there are no pods to model; kubectl would reject it. Add the pod template with its labels and containers`);
  }
  const labels = labelsProblem(podTemplate.metadata?.labels, `${template!.path}.metadata.labels`);
  const spec = labels ?? podSpecProblem(podTemplate.spec, `${template!.path}.spec`);
  return spec ? malformed(spec) : { role: 'workload', template: podTemplate };
}

/** The API group of an apiVersion: `networking.k8s.io` of `networking.k8s.io/v1`, `` of `v1` (or none). */
export function apiGroup(apiVersion: unknown): string {
  if (typeof apiVersion !== 'string') return '';
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/**
 * `<namespace>/<name>` of an object for reports, whatever its name is (`shop/true` for a name YAML
 * read as a boolean); just the name for cluster-scoped kinds (Namespace, AdminNetworkPolicy,
 * GlobalNetworkPolicy, CiliumClusterwideNetworkPolicy, ...) without a namespace.
 */
export function describeRef(object: Record<string, any>): string {
  const metadata = typeof object.metadata === 'object' && object.metadata !== null ? object.metadata : {};
  const name = metadata.name === undefined || metadata.name === null || metadata.name === '' ? '<unnamed>' : String(metadata.name);
  const clusterScoped = typeof object.kind === 'string' && (object.kind === 'Namespace' || object.kind === 'Node' || /Global|Cluster|Admin|Baseline/.test(object.kind));
  if (clusterScoped && (metadata.namespace === undefined || metadata.namespace === null || metadata.namespace === '')) return name;
  const ns = metadata.namespace === undefined || metadata.namespace === null || metadata.namespace === '' ? 'default' : String(metadata.namespace);
  return `${ns}/${name}`;
}

function malformed(reason: string): ObjectRole {
  return { role: 'left-out', category: SkipCategory.MALFORMED, reason };
}

function effectOf(kind: string, group: string): string {
  if (group === 'policy.networking.k8s.io') {
    if (kind === 'AdminNetworkPolicy') return 'its cluster-wide rules are evaluated before NetworkPolicies, and its Allow and Deny actions decide regardless of them';
    if (kind === 'BaselineAdminNetworkPolicy') return 'its cluster-wide rules decide what no NetworkPolicy isolates, so its Deny rules can close connections the analyser reports as open';
    if (kind === 'ClusterNetworkPolicy') return 'its Admin tier is evaluated before NetworkPolicies and its Baseline tier after them, so it can allow or deny regardless of them';
    return 'a cluster-wide policy of the sig-network policy API, which the network plugin enforces alongside NetworkPolicies';
  }
  if (group === 'cilium.io') return 'Cilium enforces it alongside NetworkPolicies: its rules allow more, and its deny rules take precedence over any allow';
  if (group === 'projectcalico.org' || group === 'crd.projectcalico.org') {
    if (kind.startsWith('Staged')) return 'Calico does not enforce a staged policy but reports what it would do, and enforces it once it is promoted';
    return 'Calico enforces it alongside NetworkPolicies, in tiers and by order, with Allow, Deny and Pass actions';
  }
  if (kind === 'AuthorizationPolicy') return 'the service mesh enforces it on top of NetworkPolicies, and it can deny what they allow';
  if (kind === 'EgressFirewall') return 'the network plugin enforces it on top of NetworkPolicies, and it can deny egress they allow';
  return 'it is a network policy of another API, which the network plugin may enforce alongside NetworkPolicies';
}

function metadataProblem(metadata: unknown, namespaced: boolean): string | undefined {
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    return metadata === undefined || metadata === null
      ? 'has no metadata (name, namespace, labels); kubectl would reject it. Add metadata.name'
      : `metadata is ${describeValue(metadata)}, not a mapping; kubectl would reject it. Write metadata as a mapping with name, namespace and labels`;
  }
  const m = metadata as Record<string, unknown>;
  if (m.name === undefined || m.name === null || m.name === '') {
    return typeof m.generateName === 'string' && m.generateName !== ''
      ? `has only metadata.generateName (${JSON.stringify(m.generateName)}): its name is chosen when it is created, so it cannot be named as an endpoint. Give it a metadata.name`
      : 'has no metadata.name; kubectl would reject it. Add metadata.name';
  }
  if (typeof m.name !== 'string') return notAString('metadata.name', m.name, 'web');
  if (namespaced && m.namespace !== undefined && m.namespace !== null && typeof m.namespace !== 'string') {
    return notAString('metadata.namespace', m.namespace, 'shop');
  }
  return labelsProblem(m.labels, 'metadata.labels');
}

function labelsProblem(labels: unknown, field: string): string | undefined {
  if (labels === undefined || labels === null) return undefined;
  if (typeof labels !== 'object' || Array.isArray(labels)) {
    return `${field} is ${describeValue(labels)}, not a mapping of keys to string values; kubectl would reject it. Write the labels as key: "value" pairs`;
  }
  for (const [key, value] of Object.entries(labels)) {
    if (typeof value !== 'string') return notAString(`${field}.${key}`, value, 'web', key);
  }
  return undefined;
}

/**
 * Problems of the pod spec fields the analyser reads: hostNetwork, the service account (Cilium's
 * selectors may test it), and the container ports (named ports are resolved on them).
 */
function podSpecProblem(spec: unknown, field: string): string | undefined {
  const hostNetwork = (spec as any)?.hostNetwork;
  if (hostNetwork !== undefined && hostNetwork !== null && typeof hostNetwork !== 'boolean') {
    return `${field}.hostNetwork is ${describeValue(hostNetwork)}, not true or false; kubectl would reject it. Write hostNetwork: true (unquoted)`;
  }
  for (const key of ['serviceAccountName', 'serviceAccount']) {
    const value = (spec as any)?.[key];
    if (value !== undefined && value !== null && typeof value !== 'string') return notAString(`${field}.${key}`, value, 'web', key);
  }
  const containers = (spec as any)?.containers;
  if (!Array.isArray(containers)) return undefined;
  for (const [i, c] of containers.entries()) {
    const ports = c?.ports;
    if (!Array.isArray(ports)) continue;
    for (const [j, p] of ports.entries()) {
      const at = `${field}.containers[${i}].ports[${j}]`;
      if (!Number.isInteger(p?.containerPort) || p.containerPort < 1 || p.containerPort > 65535) {
        return `${at}.containerPort is ${describeValue(p?.containerPort)}, not a port number from 1 to 65535; kubectl would reject it. Write the number unquoted, e.g. containerPort: 8080`;
      }
      if (p.name !== undefined && p.name !== null && typeof p.name !== 'string') return notAString(`${at}.name`, p.name, 'http', 'name');
      if (p.protocol !== undefined && p.protocol !== null && !['TCP', 'UDP', 'SCTP'].includes(p.protocol)) {
        return `${at}.protocol is ${describeValue(p.protocol)}, not TCP, UDP or SCTP (upper case); kubectl would reject it. Write e.g. protocol: TCP`;
      }
    }
  }
  return undefined;
}

/**
 * Why a value that must be a string is not, and how to fix it. YAML 1.1 (which the reader follows,
 * as kubectl's decoder does) reads unquoted `y`, `yes`, `on`, `true` (and `n`, `no`, `off`, `false`)
 * as booleans and `0123` or `1e3` as numbers.
 */
function notAString(field: string, value: unknown, sample: string, key = field.slice(field.lastIndexOf('.') + 1)): string {
  const what = typeof value === 'boolean'
    ? `the boolean ${value} (YAML 1.1, which kubectl's decoder follows, reads an unquoted ${value ? 'y, yes, on or true' : 'n, no, off or false'} as a boolean)`
    : describeValue(value);
  const example = typeof value === 'boolean' ? (value ? 'y' : 'n') : typeof value === 'number' ? String(value) : sample;
  return `${field} is ${what}, not a string; kubectl would reject this object. Quote it as written, e.g. ${key}: "${example}"`;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'empty (null)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value);
  return `the ${typeof value} ${String(value)}`;
}
