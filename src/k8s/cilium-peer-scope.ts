/**
 * Which namespaces an endpoint selector of a CiliumNetworkPolicy's peer (`fromEndpoints`,
 * `toEndpoints`) selects in: the one rule of namespace confinement, which the analyser
 * (`inventory/cilium-policy` peerSelectorOf), the overlap test (`k8s/cilium-overlap`) and the
 * constructs (`constructs/cilium-policy` ciliumPeer) all read.
 *
 * Sources (checked 2026-12):
 * - cilium/cilium `pkg/k8s/apis/cilium.io/utils/utils.go` getEndpointSelector: a selector that has
 *   the key `k8s:io.kubernetes.pod.namespace` or `any:io.kubernetes.pod.namespace` (a key without a
 *   source is `any:`) is kept as written; one without it gets `k8s:io.kubernetes.pod.namespace:
 *   <policy namespace>` added (AddMatch), unless (only since cilium/cilium#30650, 2024, "match
 *   endpoint by namespace label is overwritten with match by namespace name") it has a key with the
 *   prefix `io.cilium.k8s.namespace.labels.` (HasKeyPrefix). Before that change, and in the
 *   documentation until cilium/cilium#44922 (2026: docs.cilium.io "Using Kubernetes Constructs In
 *   Policy" said namespace labels are "ignored in CiliumNetworkPolicy resources"), such a selector
 *   was confined to the policy's namespace.
 * - `pkg/policy/api/selector.go` HasKey and HasKeyPrefix look at matchLabels AND matchExpressions,
 *   in every version (2017 to now): a key tested only in matchExpressions (`Exists`, `In`, `NotIn`,
 *   `DoesNotExist`) counts as much as one in matchLabels. The newest form (utils
 *   EnsureNamespaceSelector) adds `Exists` rather than nothing for a key tested only by `NotIn` or
 *   `DoesNotExist`; every pod carries its namespace label, so that selects the same pods.
 * - A selector of `reserved:` labels is returned unchanged (no namespace added): it selects
 *   identities that are not pods.
 *
 * So, for every version: naming the namespace key (in matchLabels or matchExpressions, source
 * `k8s:`, `any:` or none) selects in every namespace by the selector's own requirements; testing a
 * namespace label without the namespace key depends on the version; anything else selects in the
 * policy's namespace only. The form written by the constructs for namespaces by their labels names
 * both (`k8s:io.kubernetes.pod.namespace` `Exists`, and the labels), which no version confines.
 */
import { LabelSelectorJson } from './manifest';

/** The label of a pod's namespace in Cilium's identity labels (without source). */
export const CILIUM_POD_NAMESPACE_KEY = 'io.kubernetes.pod.namespace';
/** The prefix of a namespace's labels in Cilium's identity labels (`io.cilium.k8s.namespace.labels.<key>`, without source). */
export const CILIUM_NAMESPACE_LABELS_PREFIX = 'io.cilium.k8s.namespace.labels.';

/** Where a CiliumNetworkPolicy peer's endpoint selector selects. */
export enum CiliumPeerScope {
  /** In the policy's namespace only (Cilium adds the namespace match). */
  OWN_NAMESPACE = 'OWN_NAMESPACE',
  /** In every namespace, by the selector's own requirements (it names the namespace key, or selects reserved identities). */
  ANY_NAMESPACE = 'ANY_NAMESPACE',
  /**
   * It tests namespace labels without the namespace key: every namespace since cilium/cilium#30650,
   * the policy's namespace only before it. (Also a key that only starts with the namespace key,
   * which the newest form tests by prefix and older ones by the exact key.)
   */
  DEPENDS_ON_VERSION = 'DEPENDS_ON_VERSION',
}

/** A selector key split into its source (`k8s`, `any` for a key without one, `reserved`, ...) and its bare key. */
export function ciliumKeyParts(key: string): { readonly source: string; readonly bare: string } {
  const colon = key.indexOf(':');
  return colon < 0 ? { source: 'any', bare: key } : { source: key.slice(0, colon), bare: key.slice(colon + 1) };
}

/** Every key of a selector, matchLabels and matchExpressions alike (as HasKey looks at both). */
function selectorKeys(selector: LabelSelectorJson): string[] {
  return [...Object.keys(selector.matchLabels ?? {}), ...(selector.matchExpressions ?? []).map((e) => e.key)];
}

/** Where the peer selector `selector` of a CiliumNetworkPolicy selects (see the module comment). */
export function ciliumPeerScope(selector: LabelSelectorJson): CiliumPeerScope {
  const keys = selectorKeys(selector).map(ciliumKeyParts);
  if (keys.some((k) => k.source === 'reserved')) return CiliumPeerScope.ANY_NAMESPACE;
  const pod = keys.filter((k) => k.source === 'k8s' || k.source === 'any');
  if (pod.some((k) => k.bare === CILIUM_POD_NAMESPACE_KEY)) return CiliumPeerScope.ANY_NAMESPACE;
  // The newest form (EnsureNamespaceSelector) tests both by prefix, so `io.kubernetes.pod.namespace<more>` too.
  const dependent = (bare: string) => bare.startsWith(CILIUM_NAMESPACE_LABELS_PREFIX) || bare.startsWith(CILIUM_POD_NAMESPACE_KEY);
  if (pod.some((k) => dependent(k.bare))) return CiliumPeerScope.DEPENDS_ON_VERSION;
  return CiliumPeerScope.OWN_NAMESPACE;
}

/**
 * The namespace a peer selector of a policy in `policyNamespace` (undefined: a cluster-wide policy,
 * which confines nothing) is confined to, read fail closed where Cilium's versions differ: an allow
 * takes the narrower reading (confined), a deny the wider one (not confined). Undefined: any
 * namespace.
 */
export function ciliumPeerNamespace(selector: LabelSelectorJson, policyNamespace: string | undefined, deny: boolean): string | undefined {
  if (policyNamespace === undefined) return undefined;
  switch (ciliumPeerScope(selector)) {
    case CiliumPeerScope.OWN_NAMESPACE: return policyNamespace;
    case CiliumPeerScope.ANY_NAMESPACE: return undefined;
    case CiliumPeerScope.DEPENDS_ON_VERSION: return deny ? undefined : policyNamespace;
  }
}
