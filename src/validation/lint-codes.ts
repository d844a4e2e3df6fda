/**
 * The stable codes of the policy lints. Codes are never reused; the README documents each one with a
 * bad and a fixed example.
 */
export enum LintCode {
  /** A rule with no peers (`from`/`to` missing or `[]`) allows every source or destination. */
  ALLOWS_ALL_PEERS = 'NP001',
  /** A pod's egress is isolated (by a default deny or by a single allow), and no policy that selects it allows DNS, or a deny (Cilium, Admin tier) cuts it. */
  EGRESS_WITHOUT_DNS = 'NP002',
  /** A namespaceSelector and a podSelector in two list items where one AND-ed item was probably meant. */
  SPLIT_PEER_SELECTORS = 'NP003',
  /** A selector matches no workload the same manifests declare. */
  SELECTOR_MATCHES_NOTHING = 'NP004',
  /** Rules of a direction that `policyTypes` does not list are ignored. */
  IGNORED_RULES = 'NP005',
  /** `policyTypes` left out and no ingress rules: the policy silently denies all ingress. */
  IMPLICIT_INGRESS_DENY = 'NP006',
  /** The same rule twice in one policy. */
  DUPLICATE_RULE = 'NP007',
  /** A rule that another rule of the same policy already covers. */
  SHADOWED_RULE = 'NP008',
  /** Two policies with the same pod selector and policy types that could be one. */
  MERGEABLE_POLICIES = 'NP009',
  /** An ipBlock that covers a pod or service CIDR: its effect on pod traffic depends on the plugin. */
  IPBLOCK_COVERS_CLUSTER = 'NP010',
  /** Two NetworkPolicies with the same namespace and name: one overwrites the other. */
  DUPLICATE_NAME = 'NP011',
  /** No namespace: the policy lands wherever kubectl points. */
  MISSING_NAMESPACE = 'NP012',
  /** A named port in an egress rule toward an ipBlock: named ports resolve only on pods, so it matches nothing there. */
  NAMED_PORT_TO_IPBLOCK = 'NP013',
  /** Cilium egress to DNS names (`toFQDNs`) without a DNS rule that lets Cilium's DNS proxy resolve them: it never matches. */
  FQDN_WITHOUT_DNS_RULE = 'NP014',
  /** A Cilium entity that no peer can be (`none`): the rule has no effect. */
  ENTITY_MATCHES_NOTHING = 'NP015',
  /** Two cluster-wide policies of one tier with the same priority whose rules can apply to the same pods: their order is up to the plugin. */
  SAME_PRIORITY_OVERLAP = 'NP016',
  /** Coverage (with `coverage`): a workload of the input that no policy selects in either direction. */
  UNSELECTED_WORKLOAD = 'NP017',
  /** Coverage (with `coverage`): a namespace with workloads but no default deny for ingress and egress. */
  NAMESPACE_WITHOUT_DEFAULT_DENY = 'NP018',
  /** An ingress rule open to every address: an ipBlock of `0.0.0.0/0` or `::/0`. */
  INGRESS_FROM_EVERY_ADDRESS = 'NP019',
  /** A Deny of the Admin tier that takes precedence over a rule of a documented platform allow (`cdk8s-netpol.dev/platform-allow`): platform traffic is cut. */
  DENY_SHADOWS_PLATFORM_ALLOW = 'NP021',
  /**
   * A Cilium CIDR rule over ends inside the cluster (a pod's or node's address of the input, a
   * cluster range): Cilium's CIDR rules never match pods or nodes, so it does not reach them.
   */
  CILIUM_CIDR_INSIDE_CLUSTER = 'NP022',
  /**
   * A Cilium `fromRequires`/`toRequires` (deprecated): it narrows the allows of every policy selecting
   * the same endpoints, so the analyser refuses the input.
   */
  CILIUM_REQUIRES = 'NP023',
}
