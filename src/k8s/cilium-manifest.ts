/**
 * The shape of Cilium's `cilium.io/v2` CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy, as
 * far as this library emits and checks them (the CRD schema of cilium/cilium
 * `pkg/k8s/apis/cilium.io/client/crds/v2`, rule types of `pkg/policy/api`).
 */
import { LabelSelectorJson } from './manifest';

/** The API version of Cilium's policies. */
export const CILIUM_API_VERSION = 'cilium.io/v2';
/** The namespaced kind. */
export const CILIUM_NETWORK_POLICY_KIND = 'CiliumNetworkPolicy';
/** The cluster-scoped kind. */
export const CILIUM_CLUSTERWIDE_NETWORK_POLICY_KIND = 'CiliumClusterwideNetworkPolicy';

/**
 * The label Cilium gives every endpoint for its pod's namespace. In a CiliumNetworkPolicy an
 * endpoint selector without it selects the policy's own namespace.
 */
export const CILIUM_NAMESPACE_LABEL = 'k8s:io.kubernetes.pod.namespace';

/** The entities of the CRD's `toEntities`/`fromEntities` enum. */
export const CILIUM_ENTITIES = [
  'all', 'world', 'cluster', 'host', 'init', 'ingress', 'unmanaged', 'remote-node', 'health', 'none', 'kube-apiserver',
] as const;

/** `toFQDNs[].matchName` and `rules.dns[].matchName` (CRD pattern). */
export const FQDN_MATCH_NAME = /^([-a-zA-Z0-9_]+[.]?)+$/;
/** `toFQDNs[].matchPattern` and `rules.dns[].matchPattern` (CRD pattern; `*` is the wildcard). */
export const FQDN_MATCH_PATTERN = /^([-a-zA-Z0-9_*]+[.]?)+$/;
/** `toPorts[].ports[].port` (CRD pattern): a port number 0-65535 or a port name. */
export const CILIUM_PORT = /^(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[0-9]{1,4})$|^([a-zA-Z0-9]-?)*[a-zA-Z](-?[a-zA-Z0-9])*$/;

/** An IANA service name as Cilium's pkg/iana IsSvcName reads it: 1-15 letters, digits and single inner '-', at least one letter. */
const IANA_SVC_NAME = /^([a-zA-Z0-9]-?)*[a-zA-Z](-?[a-zA-Z0-9])*$/;

/**
 * A `toPorts[].ports[].port` as Cilium's agent reads it (pkg/policy/api/rule_validation.go
 * PortProtocol.sanitize, and pkg/policy/l4.go): an IANA service name (pkg/iana IsSvcName, at most 15
 * characters; "character case must be ignored") is lowercased; anything else is parsed with
 * strconv.ParseUint(port, 0, 16), base 0, so a leading 0 makes it octal ("0100" is port 64, "08"
 * does not parse). A port the agent cannot read gives `problem`, and the agent rejects the policy.
 */
export function readCiliumPort(text: string): { readonly name?: string; readonly number?: number; readonly problem?: string } {
  if (text.length >= 1 && text.length <= 15 && IANA_SVC_NAME.test(text)) return { name: text.toLowerCase() };
  if (IANA_SVC_NAME.test(text)) return { problem: `${JSON.stringify(text)} is not a port name (at most 15 characters, as IANA service names) nor a number` };
  // The CRD pattern lets through decimal digits only (0x.., 0o.., 0b.. contain a letter, so they are names).
  if (!/^[0-9]+$/.test(text)) return { problem: `${JSON.stringify(text)} is not a port number nor a port name` };
  const octal = text.length > 1 && text.startsWith('0');
  if (octal && /[89]/.test(text)) return { problem: `${JSON.stringify(text)} starts with 0, so Cilium reads it as an octal number, and 8 and 9 are not octal digits` };
  const number = parseInt(text, octal ? 8 : 10);
  if (number > 65535) return { problem: `${JSON.stringify(text)} is ${number}${octal ? ' (octal)' : ''}, above 65535` };
  return { number };
}

/** `toPorts[].ports[].protocol` (CRD enum). */
export const CILIUM_PROTOCOLS = ['TCP', 'UDP', 'SCTP', 'ANY'] as const;
/** `headerMatches[].mismatch` (CRD enum). */
export const CILIUM_HEADER_MISMATCH = ['LOG', 'ADD', 'DELETE', 'REPLACE'] as const;

/** The peer fields of an egress rule; only one of them may be in a rule (`pkg/policy/api` sanitize). */
export const EGRESS_PEER_FIELDS = ['toEndpoints', 'toCIDR', 'toCIDRSet', 'toEntities', 'toServices', 'toGroups', 'toNodes'] as const;
/** The peer fields of an ingress rule; only one of them may be in a rule. */
export const INGRESS_PEER_FIELDS = ['fromEndpoints', 'fromCIDR', 'fromCIDRSet', 'fromEntities', 'fromGroups', 'fromNodes'] as const;

/** `toFQDNs[]` / `rules.dns[]`: exactly one of the two. */
export interface FqdnSelectorJson {
  matchName?: string;
  matchPattern?: string;
}

/** `toPorts[].ports[]`. */
export interface CiliumPortJson {
  port: string;
  endPort?: number;
  protocol?: string;
}

/** `rules.http[]`. */
export interface CiliumHttpRuleJson {
  method?: string;
  path?: string;
  host?: string;
  headers?: string[];
}

/** `toPorts[]`. */
export interface CiliumPortRuleJson {
  ports?: CiliumPortJson[];
  rules?: { http?: CiliumHttpRuleJson[]; dns?: FqdnSelectorJson[] };
}

/** `toCIDRSet[]`. */
export interface CiliumCidrRuleJson {
  cidr: string;
  except?: string[];
}

/** One rule of `ingress`, `ingressDeny`, `egress` or `egressDeny`. */
export interface CiliumRuleJson {
  fromEndpoints?: LabelSelectorJson[];
  fromEntities?: string[];
  fromCIDRSet?: CiliumCidrRuleJson[];
  toEndpoints?: LabelSelectorJson[];
  toEntities?: string[];
  toCIDRSet?: CiliumCidrRuleJson[];
  toFQDNs?: FqdnSelectorJson[];
  toPorts?: CiliumPortRuleJson[];
}

/** The spec of a CiliumNetworkPolicy as this library emits it. */
export interface CiliumPolicySpecJson {
  endpointSelector: LabelSelectorJson;
  enableDefaultDeny?: { ingress?: boolean; egress?: boolean };
  ingress?: CiliumRuleJson[];
  ingressDeny?: CiliumRuleJson[];
  egress?: CiliumRuleJson[];
  egressDeny?: CiliumRuleJson[];
}

/** Whether an object is a Cilium policy (either kind). */
export function isCiliumPolicy(object: Record<string, any>): boolean {
  return typeof object.apiVersion === 'string' && object.apiVersion.startsWith('cilium.io/')
    && (object.kind === CILIUM_NETWORK_POLICY_KIND || object.kind === CILIUM_CLUSTERWIDE_NETWORK_POLICY_KIND);
}
