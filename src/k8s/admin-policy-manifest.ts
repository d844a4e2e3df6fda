/**
 * Plain TypeScript shapes of the sig-network policy API (`policy.networking.k8s.io`), as the
 * kubernetes-sigs/network-policy-api types define them:
 *
 * - v1alpha1 `AdminNetworkPolicy` (Admin tier: `priority`, actions `Allow`, `Deny`, `Pass`) and
 *   `BaselineAdminNetworkPolicy` (Baseline tier, a singleton named `default`, actions `Allow`, `Deny`);
 *   ports are `portNumber {protocol, port}`, `namedPort` or `portRange {protocol, start, end}`.
 * - v1alpha2 `ClusterNetworkPolicy` (`tier: Admin | Baseline`, `priority`, actions `Accept`, `Deny`,
 *   `Pass`); ports are `protocols[]`, each one of `tcp`/`udp`/`sctp {destinationPort: {number} | {range}}`
 *   or `destinationNamedPort`.
 *
 * Both: `subject` is exactly one of `namespaces` (a namespace selector) or `pods` (`namespaceSelector`
 * and `podSelector`); ingress peers are `namespaces` or `pods`; egress peers also `nodes`, `networks`
 * (CIDRs) and `domainNames` (not in the v1alpha1 baseline).
 */

import { LabelSelectorJson } from './manifest';

/** The API group of the cluster-wide policies. */
export const POLICY_API_GROUP = 'policy.networking.k8s.io';
/** The apiVersion of AdminNetworkPolicy and BaselineAdminNetworkPolicy. */
export const ADMIN_POLICY_V1ALPHA1 = 'policy.networking.k8s.io/v1alpha1';
/** The apiVersion of ClusterNetworkPolicy. */
export const CLUSTER_POLICY_V1ALPHA2 = 'policy.networking.k8s.io/v1alpha2';

/** The kinds of the sig-network policy API, each with the apiVersion it is modelled at. */
export const CLUSTER_POLICY_KINDS: Readonly<Record<string, string>> = {
  AdminNetworkPolicy: ADMIN_POLICY_V1ALPHA1,
  BaselineAdminNetworkPolicy: ADMIN_POLICY_V1ALPHA1,
  ClusterNetworkPolicy: CLUSTER_POLICY_V1ALPHA2,
};

/** The one name a v1alpha1 BaselineAdminNetworkPolicy may have (CEL: `self.metadata.name == 'default'`). */
export const BASELINE_SINGLETON_NAME = 'default';

/** Highest `spec.priority` (lowest precedence) of both versions; 0 is evaluated first. */
export const MAX_PRIORITY = 1000;
/** Limits of v1alpha1: rules per direction, peers per rule, ports per rule. */
export const V1ALPHA1_MAX_ITEMS = 100;
/** Limits of v1alpha2: rules per direction, peers per rule, protocols per rule. */
export const V1ALPHA2_MAX_ITEMS = 25;
/** At most this many `networks` and `domainNames` in one peer (both versions). */
export const MAX_NETWORKS = 25;
/** Rule names are at most this long (both versions). */
export const MAX_RULE_NAME = 100;
/** A CIDR of `networks` is at most this long. */
export const MAX_CIDR_LENGTH = 43;

/**
 * The pattern of a `domainNames` entry (kubebuilder `Pattern` of `DomainName`): an exact name or a
 * `*.` prefix that matches one or more whole labels. (The CRD writes `A-z` in two places, which also
 * admits `[`, `\`, `]`, `^`, `_` and `` ` ``; kept as published.)
 */
export const DOMAIN_NAME_PATTERN = /^(\*\.)?([a-zA-z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\.)+[a-zA-z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\.?$/;

/** `NamespacedPod`: pods of the selected namespaces. */
export interface NamespacedPodJson {
  namespaceSelector?: LabelSelectorJson;
  podSelector?: LabelSelectorJson;
}

/** `spec.subject`: exactly one field. */
export interface ClusterPolicySubjectJson {
  namespaces?: LabelSelectorJson;
  pods?: NamespacedPodJson;
}

/** An ingress or egress peer: exactly one field (ingress peers have only `namespaces` and `pods`). */
export interface ClusterPolicyPeerJson {
  namespaces?: LabelSelectorJson;
  pods?: NamespacedPodJson;
  nodes?: LabelSelectorJson;
  networks?: string[];
  domainNames?: string[];
}

/** v1alpha1 `AdminNetworkPolicyPort`: exactly one field. */
export interface AdminPolicyPortJson {
  portNumber?: { protocol?: string; port: number };
  namedPort?: string;
  portRange?: { protocol?: string; start: number; end: number };
}

/** v1alpha2 `Port`: exactly one of `number` and `range`. */
export interface DestinationPortJson {
  number?: number;
  range?: { start: number; end: number };
}

/** v1alpha2 `ClusterNetworkPolicyProtocol`: exactly one field. */
export interface ClusterPolicyProtocolJson {
  tcp?: { destinationPort?: DestinationPortJson };
  udp?: { destinationPort?: DestinationPortJson };
  sctp?: { destinationPort?: DestinationPortJson };
  destinationNamedPort?: string;
}

/** A rule of either version (v1alpha1 has `ports`, v1alpha2 `protocols`). */
export interface ClusterPolicyRuleJson {
  name?: string;
  action: string;
  from?: ClusterPolicyPeerJson[];
  to?: ClusterPolicyPeerJson[];
  ports?: AdminPolicyPortJson[];
  protocols?: ClusterPolicyProtocolJson[];
}

/** The spec of any of the three kinds (`tier` only in v1alpha2, `priority` not in the v1alpha1 baseline). */
export interface ClusterPolicySpecJson {
  tier?: string;
  priority?: number;
  subject: ClusterPolicySubjectJson;
  ingress?: ClusterPolicyRuleJson[];
  egress?: ClusterPolicyRuleJson[];
}

/** An AdminNetworkPolicy, BaselineAdminNetworkPolicy or ClusterNetworkPolicy. */
export interface ClusterPolicyJson {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: ClusterPolicySpecJson;
}

/** Whether `object` is one of the three kinds at the group of the sig-network policy API (any version). */
export function isClusterPolicyKind(object: Record<string, any>): boolean {
  return typeof object.kind === 'string' && Object.prototype.hasOwnProperty.call(CLUSTER_POLICY_KINDS, object.kind)
    && typeof object.apiVersion === 'string' && object.apiVersion.startsWith(`${POLICY_API_GROUP}/`);
}
