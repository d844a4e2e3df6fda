import { Bitset } from './bitset';
import { ciliumApplies, ciliumPeerMatches, ciliumRuleApplies, ciliumRulesOf, isolationBound } from './cilium-semantics';
import { portsMatch, Reading, Side } from './semantics';
import { CiliumRule, ciliumSelects } from '../inventory/cilium-policy';
import { Cluster, ClusterEndpoint } from '../inventory/cluster';
import { isAllTraffic, Traffic } from '../k8s/port-set';

/** What the Cilium deny rules deny, per endpoint and direction (undefined: nothing). */
export interface CiliumDenied {
  readonly ingress: Array<Bitset | undefined>;
  readonly egress: Array<Bitset | undefined>;
}

/**
 * The Cilium policies over the NetworkPolicies' sets of a matrix (see `computeSides`), with the
 * semantics of `cilium-semantics` asked end by end: the pods a policy with default deny selects
 * become isolated in that direction; their allow rules add to what the NetworkPolicies allow; what
 * the deny rules match is returned, for the precedence (`combineTiers`) to take away from every
 * allow. `ingressFrom[d]`/`egressTo[s]` are changed in place. Undefined when no deny rule matches.
 * `reading` says how what the input leaves open is read (`Reading`; `ruleBound`, `isolationBound`).
 */
export function applyCiliumPolicies(
  cluster: Cluster, traffic: Array<Traffic | undefined>, ingressFrom: Array<Bitset | undefined>, egressTo: Array<Bitset | undefined>,
  reading: Reading = 'failClosed',
): CiliumDenied | undefined {
  const n = cluster.endpoints.length;
  const externals = cluster.endpoints.filter((e) => e.external);
  const shared = new Map<CiliumRule, Bitset>();
  // The ends a rule's peer matches: the same for every pod of the rule, except FQDN peers, which
  // depend on what the pod's DNS lookups let the proxy see (only external ends can match them), and
  // the entities host and remote-node, which depend on the pod's node.
  const peersOf = (rule: CiliumRule, self: ClusterEndpoint): Bitset => {
    const fqdns = rule.peer?.kind === 'fqdns';
    const perSelf = fqdns || (rule.peer?.kind === 'entities' && rule.peer.entities.some((e) => e === 'host' || e === 'remote-node'));
    let set = perSelf ? undefined : shared.get(rule);
    if (!set) {
      set = new Bitset(n);
      for (const e of fqdns ? externals : cluster.endpoints) if (ciliumPeerMatches(cluster, rule, self, e, reading)) set.add(e.index);
      if (!perSelf) shared.set(rule, set);
    }
    return set;
  };
  const portSets = new Map<CiliumRule, Bitset | 'all'>();
  const destinationsOf = (rule: CiliumRule): Bitset | 'all' => {
    let set = portSets.get(rule);
    if (!set) {
      if (isAllTraffic(rule.ports)) {
        set = 'all';
      } else {
        const ports = new Bitset(n);
        traffic.forEach((t, d) => t && portsMatch(rule.ports, t, cluster.endpoints[d]) && ports.add(d));
        set = ports;
      }
      portSets.set(rule, set);
    }
    return set;
  };
  // The pods each subject may select (isolation); which of its rules apply to them is asked per rule
  // where the subject may select a pod but need not (an undecided selector, or namespace labels the
  // input does not give: ciliumRuleApplies), else each applies to all of them.
  const selected = cluster.ciliumPolicies.map((p) => cluster.endpoints.filter((e) => ciliumSelects(cluster, p.subject, e, 'may')));
  const sides: Side[] = ['ingress', 'egress'];
  // Isolation first, so that allow rules only add to sides something isolates.
  cluster.ciliumPolicies.forEach((p, k) => {
    for (const side of sides) {
      if (!p.defaultDeny[side]) continue;
      const sets = side === 'ingress' ? ingressFrom : egressTo;
      for (const e of selected[k]) if (reading === 'failClosed' || ciliumSelects(cluster, p.subject, e, isolationBound(reading))) sets[e.index] ??= new Bitset(n);
    }
  });
  let denied: CiliumDenied | undefined;
  cluster.ciliumPolicies.forEach((p, k) => {
    for (const side of sides) {
      const sets = side === 'ingress' ? ingressFrom : egressTo;
      for (const self of selected[k]) {
        if (!ciliumApplies(cluster, p, side, self)) continue;
        // Selected in every reading: every rule applies (a deny's and an allow's reading alike).
        const certain = ciliumSelects(cluster, p.subject, self, 'must');
        for (const rule of ciliumRulesOf(p, side, reading)) {
          if (!certain && !ciliumRuleApplies(cluster, p, rule, self, reading)) continue;
          let matched: Bitset;
          if (side === 'ingress') {
            const t = traffic[self.index];
            if (!t || !portsMatch(rule.ports, t, self)) continue;
            matched = peersOf(rule, self);
          } else {
            const destinations = destinationsOf(rule);
            matched = destinations === 'all' ? peersOf(rule, self) : peersOf(rule, self).and(destinations);
          }
          if (rule.deny) {
            denied ??= { ingress: new Array(n), egress: new Array(n) };
            (denied[side][self.index] ??= new Bitset(n)).or(matched);
          } else if (sets[self.index]) {
            sets[self.index]!.or(matched);
          }
        }
      }
    }
  });
  return denied;
}
