/**
 * Plain TypeScript shapes of the `networking.k8s.io/v1` NetworkPolicy wire format (as `kubectl get -o json`
 * prints it). The model renders into these; the validator and the analyser read them.
 */

/** `metav1.LabelSelectorRequirement`. */
export interface LabelSelectorRequirementJson {
  key: string;
  operator: string;
  values?: string[];
}

/** `metav1.LabelSelector`. */
export interface LabelSelectorJson {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirementJson[];
}

/** `networking.k8s.io/v1` IPBlock. */
export interface IpBlockJson {
  cidr: string;
  except?: string[];
}

/** `networking.k8s.io/v1` NetworkPolicyPeer. */
export interface NetworkPolicyPeerJson {
  podSelector?: LabelSelectorJson;
  namespaceSelector?: LabelSelectorJson;
  ipBlock?: IpBlockJson;
}

/** `networking.k8s.io/v1` NetworkPolicyPort. */
export interface NetworkPolicyPortJson {
  protocol?: string;
  port?: number | string;
  endPort?: number;
}

/** An ingress rule. */
export interface NetworkPolicyIngressRuleJson {
  from?: NetworkPolicyPeerJson[];
  ports?: NetworkPolicyPortJson[];
}

/** An egress rule. */
export interface NetworkPolicyEgressRuleJson {
  to?: NetworkPolicyPeerJson[];
  ports?: NetworkPolicyPortJson[];
}

/** The policy types. */
export type PolicyTypeJson = 'Ingress' | 'Egress';

/** `networking.k8s.io/v1` NetworkPolicySpec. */
export interface NetworkPolicySpecJson {
  podSelector: LabelSelectorJson;
  policyTypes?: PolicyTypeJson[];
  ingress?: NetworkPolicyIngressRuleJson[];
  egress?: NetworkPolicyEgressRuleJson[];
}

/** Object metadata, as far as this library reads it. */
export interface ObjectMetaJson {
  name?: string;
  generateName?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** A whole NetworkPolicy object. */
export interface NetworkPolicyJson {
  apiVersion: 'networking.k8s.io/v1';
  kind: 'NetworkPolicy';
  metadata: ObjectMetaJson;
  spec: NetworkPolicySpecJson;
}

/** apiVersion of NetworkPolicy. */
export const NETWORK_POLICY_API_VERSION = 'networking.k8s.io/v1';
/** kind of NetworkPolicy. */
export const NETWORK_POLICY_KIND = 'NetworkPolicy';
/**
 * apiVersion of Calico's staged Kubernetes network policy: the spec of a NetworkPolicy that Calico
 * evaluates and reports (flow logs show what it would do) without enforcing it.
 */
export const STAGED_NETWORK_POLICY_API_VERSION = 'projectcalico.org/v3';
/** kind of Calico's staged Kubernetes network policy. */
export const STAGED_NETWORK_POLICY_KIND = 'StagedKubernetesNetworkPolicy';
/** The label the API server puts on every namespace, with the namespace's name as value. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/**
 * Marks a NetworkPolicy as the policy of an endpoint declared by its pods' labels, whose workload is
 * not in these manifests (e.g. an operator-managed database). The value is the endpoint's name. The
 * constructs write it; NP004 counts the policy's pod selector as declared pods of its namespace, and
 * the inventory makes the service the endpoint `<namespace>/<name>` when nothing of the manifests in
 * that namespace matches the selector.
 */
export const DECLARED_BY_LABELS_ANNOTATION = 'cdk8s-netpol.dev/declared-by-labels';
