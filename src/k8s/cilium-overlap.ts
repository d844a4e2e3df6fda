/**
 * Whether two peers of Cilium rules (of one policy namespace) can match the same traffic: the test
 * by which a plain allow voids the HTTP rules of a peer it overlaps. Cilium adds every allow of the
 * same pods and direction up, its own CiliumNetworkPolicy rules and NetworkPolicy rules alike, and
 * "if a layer 4 rule is specified in the policy, and a similar layer 4 rule with layer 7 rules is
 * also specified, then the layer 7 portions of the latter rule will have no effect"
 * (docs.cilium.io, Security, Layer 7 Policies): for the peers both rules match, every request
 * passes. The test errs towards "overlaps" where the answer depends on the cluster (which
 * namespaces carry a label, what a DNS name resolves to), so an HTTP rule is never voided unseen.
 */
import { cidrsOverlap, isStrictSubset, parseCidr, ParsedCidr } from './cidr';
import { ciliumKeyParts, ciliumPeerNamespace, CILIUM_POD_NAMESPACE_KEY } from './cilium-peer-scope';
import { selectorsOverlap } from './label-selector';
import { LabelSelectorJson } from './manifest';

/** One peer, in the terms the overlap test needs. */
export type PeerShape =
  /** Pods matching `pods` in the namespace `namespace` (undefined: any namespace, or one selected by labels). */
  | { readonly kind: 'pods'; readonly namespace?: string; readonly pods: LabelSelectorJson }
  | { readonly kind: 'entity'; readonly entity: string }
  | { readonly kind: 'cidr'; readonly cidr: ParsedCidr; readonly except: readonly ParsedCidr[] }
  | { readonly kind: 'fqdn'; readonly name: string };

/** The entities that stand for parts of the cluster, all inside `cluster`. */
const IN_CLUSTER = new Set(['cluster', 'host', 'remote-node', 'kube-apiserver', 'health', 'init', 'ingress', 'unmanaged']);
/** The entities outside the cluster, all inside `world`. */
const OUTSIDE = new Set(['world', 'world-ipv4', 'world-ipv6']);

/**
 * The shape of a peer of a CiliumNetworkPolicy in namespace `policyNamespace` (its JSON: an
 * endpoint selector, an entity, a CIDR set or a DNS name selector); undefined for a
 * CiliumClusterwideNetworkPolicy, whose selectors are confined to no namespace.
 */
export function ciliumPeerShape(field: 'Endpoints' | 'Entities' | 'CIDRSet' | 'FQDNs', json: any, policyNamespace: string | undefined): PeerShape {
  switch (field) {
    case 'Entities': return { kind: 'entity', entity: String(json) };
    case 'FQDNs': return { kind: 'fqdn', name: String(json.matchName ?? json.matchPattern).toLowerCase() };
    case 'CIDRSet': return cidrShape(json.cidr, json.except ?? []);
    case 'Endpoints': {
      // Where it selects: `ciliumPeerNamespace`, the wider reading where Cilium's versions differ
      // (the test errs towards "overlaps"); a namespace named in matchLabels narrows it to that one.
      const selector = json as LabelSelectorJson;
      const isNamespaceKey = (key: string) => {
        const { source, bare } = ciliumKeyParts(key);
        return (source === 'k8s' || source === 'any') && bare === CILIUM_POD_NAMESPACE_KEY;
      };
      const labels: Record<string, string> = {};
      const named = new Set<string>();
      for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
        if (isNamespaceKey(k)) named.add(v);
        else labels[k] = v;
      }
      const expressions = (selector.matchExpressions ?? []).filter((e) => !isNamespaceKey(e.key));
      const pods: LabelSelectorJson = {};
      if (Object.keys(labels).length > 0) pods.matchLabels = labels;
      if (expressions.length > 0) pods.matchExpressions = expressions;
      const namespace = named.size === 1 ? [...named][0] : ciliumPeerNamespace(selector, policyNamespace, true);
      return { kind: 'pods', namespace, pods };
    }
  }
}

/** The shape of an address block with its exceptions. */
export function cidrShape(cidr: string, except: readonly string[]): PeerShape {
  const parse = (text: string) => {
    const parsed = parseCidr(text, false).cidr;
    if (!parsed) throw new Error(`${JSON.stringify(text)} is not a CIDR`);
    return parsed;
  };
  return { kind: 'cidr', cidr: parse(cidr), except: except.map(parse) };
}

/** Whether some traffic matches both peers (see the module comment for where it errs). */
export function peerShapesOverlap(a: PeerShape, b: PeerShape): boolean {
  if (a.kind === 'entity' && a.entity === 'all') return true;
  if (b.kind === 'entity' && b.entity === 'all') return true;
  if (a.kind === 'entity' && b.kind === 'entity') return entitiesOverlap(a.entity, b.entity);
  if (a.kind === 'entity' || b.kind === 'entity') {
    const [entity, other] = a.kind === 'entity' ? [a.entity, b] : [(b as { entity: string }).entity, a];
    // Pods are inside the cluster; addresses and DNS names (Cilium's CIDR identities) are outside it.
    if (other.kind === 'pods') return entity === 'cluster';
    return OUTSIDE.has(entity);
  }
  if (a.kind === 'pods' || b.kind === 'pods') {
    // Cilium matches CIDRs and DNS names for peers that are not its endpoints (pods), never for pods.
    if (a.kind !== 'pods' || b.kind !== 'pods') return false;
    if (a.namespace !== undefined && b.namespace !== undefined && a.namespace !== b.namespace) return false;
    return selectorsOverlap(a.pods, b.pods);
  }
  if (a.kind === 'cidr' && b.kind === 'cidr') {
    if (!cidrsOverlap(a.cidr, b.cidr)) return false;
    const within = (inner: ParsedCidr, excepts: readonly ParsedCidr[]) => excepts.some((e) => e.family === inner.family
      && (isStrictSubset(inner, e) || (e.prefixLength === inner.prefixLength && e.network === inner.network)));
    return !within(a.cidr, b.except) && !within(b.cidr, a.except);
  }
  if (a.kind === 'fqdn' && b.kind === 'fqdn') return fqdnsOverlap(a.name, b.name);
  // A DNS name and an address block: what the name resolves to is known only at run time.
  return true;
}

function entitiesOverlap(a: string, b: string): boolean {
  if (a === b) return true;
  if (a === 'cluster' || b === 'cluster') return IN_CLUSTER.has(a) && IN_CLUSTER.has(b);
  if (a === 'world' || b === 'world') return OUTSIDE.has(a) && OUTSIDE.has(b);
  // The API server can run on the cluster's nodes.
  const pair = new Set([a, b]);
  return pair.has('kube-apiserver') && (pair.has('host') || pair.has('remote-node'));
}

/** Two DNS names or patterns (`*` matches any characters of a name, as in `matchPattern`). */
function fqdnsOverlap(a: string, b: string): boolean {
  if (a === b) return true;
  if (a.includes('*') && b.includes('*')) return true;
  const [pattern, name] = a.includes('*') ? [a, b] : [b, a];
  if (!pattern.includes('*')) return false;
  const regex = new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return regex.test(name);
}
