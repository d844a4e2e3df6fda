import { LintCode } from './lint-codes';
import { tierRulePortSet } from '../inventory/cluster';
import { PLATFORM_ALLOW_ANNOTATION } from '../k8s/admin-policy-manifest';
import { cidrsOverlap, parseCidr, ParsedCidr } from '../k8s/cidr';
import { Finding, Severity } from '../k8s/finding';
import { selectorsOverlap } from '../k8s/label-selector';
import { setsIntersect } from '../k8s/port-set';

/** A cluster-wide policy the API server accepts, for the lints across policies. */
export interface CheckedClusterPolicy {
  readonly object: Record<string, any>;
}

/**
 * NP016: two policies of one tier with the same priority whose rules of one direction can apply
 * to the same pods. The API leaves their order to the implementation ("there is no way for the user
 * to reliably determine which one it will choose"), so a connection both match may get either
 * verdict. Subjects overlap when some namespace matches both namespace selectors and some pod both
 * pod selectors (the selector engine's exact test: `tenant: a` and `tenant: b` never overlap).
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

/** Whether two subjects can select one pod: some namespace matches both namespace selectors, and some pod both pod selectors. */
function subjectsCanOverlap(a: any, b: any): boolean {
  const parts = (s: any) => ({ namespaces: s?.namespaces ?? s?.pods?.namespaceSelector ?? {}, pods: s?.pods?.podSelector ?? {} });
  const pa = parts(a);
  const pb = parts(b);
  return selectorsOverlap(pa.namespaces, pb.namespaces) && selectorsOverlap(pa.pods, pb.pods);
}

/** A peer of a tier rule, as the overlap test reads it. */
type PeerShape = { kind: 'pods'; namespaces: unknown; pods: unknown } | { kind: 'networks'; cidrs: ParsedCidr[] } | { kind: 'nodes'; nodes: unknown } | { kind: 'domainNames' };

function peerShape(peer: any): PeerShape {
  if (peer.namespaces) return { kind: 'pods', namespaces: peer.namespaces, pods: {} };
  if (peer.pods) return { kind: 'pods', namespaces: peer.pods.namespaceSelector ?? {}, pods: peer.pods.podSelector ?? {} };
  if (peer.networks) return { kind: 'networks', cidrs: peer.networks.map((n: string) => parseCidr(n, false).cidr).filter((c: ParsedCidr | undefined) => c !== undefined) };
  if (peer.nodes) return { kind: 'nodes', nodes: peer.nodes };
  return { kind: 'domainNames' };
}

/**
 * Whether some connection's other end can match both peers. Networks meet networks they overlap;
 * networks meet pods when a CIDR overlaps a cluster CIDR (given) or, without them, when it is a
 * whole family (`0.0.0.0/0`, `::/0`: the API documents that it covers pod traffic); nodes and domain
 * names meet networks of a whole family; pods meet pods when the selectors overlap.
 */
function peersOverlap(a: PeerShape, b: PeerShape, clusterCidrs: readonly ParsedCidr[]): boolean {
  if (a.kind === 'networks' && b.kind === 'networks') return a.cidrs.some((x) => b.cidrs.some((y) => cidrsOverlap(x, y)));
  if (a.kind === 'networks' || b.kind === 'networks') {
    const [net, other] = (a.kind === 'networks' ? [a, b] : [b, a]) as [{ cidrs: ParsedCidr[] }, PeerShape];
    const whole = net.cidrs.some((c) => c.prefixLength === 0);
    if (other.kind !== 'pods') return whole;
    return clusterCidrs.length > 0 ? net.cidrs.some((c) => clusterCidrs.some((k) => cidrsOverlap(c, k))) : whole;
  }
  if (a.kind === 'pods' && b.kind === 'pods') return selectorsOverlap(a.namespaces, b.namespaces) && selectorsOverlap(a.pods, b.pods);
  if (a.kind === 'nodes' && b.kind === 'nodes') return selectorsOverlap(a.nodes, b.nodes);
  return false;
}

interface AdminRule {
  readonly policy: CheckedClusterPolicy;
  readonly priority: number;
  readonly direction: 'ingress' | 'egress';
  readonly index: number;
  readonly rule: any;
}

function adminRules(policy: CheckedClusterPolicy): AdminRule[] {
  const o = policy.object;
  if (tierOf(o) !== 'admin' || typeof o.spec?.priority !== 'number') return [];
  return (['ingress', 'egress'] as const).flatMap((direction) => (Array.isArray(o.spec[direction]) ? o.spec[direction] : [])
    .map((rule: any, index: number) => ({ policy, priority: o.spec.priority, direction, index, rule })));
}

/**
 * NP021: a Deny of the Admin tier that takes precedence over an allowing rule of a documented
 * platform allow (a policy annotated `cdk8s-netpol.dev/platform-allow`, as `PlatformAccess` writes
 * it), for some connection both can match: an earlier rule of the same policy, a policy with a lower
 * priority, or one with the same priority (whose order is the plugin's). The platform traffic the
 * allow documents (DNS, monitoring, the ingress controller) is then cut for those pods.
 */
export function denyShadowsPlatformAllow(
  policies: readonly CheckedClusterPolicy[], clusterCidrs: readonly ParsedCidr[] = [],
): Array<{ policy: CheckedClusterPolicy; finding: Finding }> {
  const rules = policies.flatMap(adminRules);
  const allows = rules.filter((r) => (r.rule.action === 'Allow' || r.rule.action === 'Accept')
    && typeof r.policy.object.metadata?.annotations?.[PLATFORM_ALLOW_ANNOTATION] === 'string');
  const out: Array<{ policy: CheckedClusterPolicy; finding: Finding }> = [];
  for (const deny of rules.filter((r) => r.rule.action === 'Deny')) {
    const peersField = deny.direction === 'ingress' ? 'from' : 'to';
    const shadowed = allows.find((allow) => {
      if (allow.direction !== deny.direction) return false;
      const samePolicy = allow.policy === deny.policy;
      const first = samePolicy ? deny.index < allow.index : deny.priority <= allow.priority;
      if (!first) return false;
      if (!subjectsCanOverlap(deny.policy.object.spec.subject, allow.policy.object.spec.subject)) return false;
      const peers = (r: AdminRule) => (r.rule[peersField] as unknown[]).map(peerShape);
      if (!peers(deny).some((d) => peers(allow).some((a) => peersOverlap(d, a, clusterCidrs)))) return false;
      return setsIntersect(tierRulePortSet(deny.policy.object.kind, deny.rule), tierRulePortSet(allow.policy.object.kind, allow.rule));
    });
    if (!shadowed) continue;
    const at = `${shadowed.policy.object.kind} ${shadowed.policy.object.metadata.name}`;
    const what = shadowed.policy.object.metadata.annotations[PLATFORM_ALLOW_ANNOTATION];
    const order = shadowed.policy === deny.policy ? 'comes before it in the same policy'
      : deny.priority < shadowed.priority ? `has a lower priority (${deny.priority} < ${shadowed.priority}), so it is evaluated first`
        : `has the same priority (${deny.priority}), so the network plugin may evaluate it first`;
    out.push({
      policy: deny.policy,
      finding: {
        severity: Severity.WARNING,
        code: LintCode.DENY_SHADOWS_PLATFORM_ALLOW,
        field: `spec.${deny.direction}[${deny.index}]`,
        message: `denies connections that the platform allow ${at} (${what}) allows in spec.${shadowed.direction}[${shadowed.index}], and ${order}: `
          + 'the first matching rule decides, so that platform traffic is cut for the pods both select',
        fix: `Give ${at} a lower priority than this policy (platform allows first), or narrow this Deny (its subject, peers or ports) so it leaves the platform traffic out.`,
      },
    });
  }
  return out;
}
