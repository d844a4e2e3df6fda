import { ChangedConnection, DiffExplanation, explainIn } from './changed-connection';
import { ProbePort } from './probe-ports';
import { RuleReference, SideVerdict } from './verdict';
import { CiliumSection, ciliumSelects } from '../inventory/cilium-policy';
import { Cluster } from '../inventory/cluster';

/**
 * The connections allowed before and after a change whose layer-7 filtering differs: the Cilium
 * rules with layer-7 rules (`rules.http`, `rules.dns`, ...) that allow a side are not the same, or
 * not the same content, or a rule without layer-7 rules allows it on one side only. Layer 3/4 say
 * "allowed" on both sides, yet requests the proxy rejected before may pass after (docs.cilium.io
 * "Layer 7 Examples": a request that matches no HTTP rule is rejected), so the diff must not call
 * it "no change". Which requests the change lets through is not decided here: only that the
 * filtering differs, on which ports.
 *
 * Only the pairs an endpoint of which a policy with layer-7 rules selects (on either side, in the
 * direction of those rules) are explained; without such a policy there is nothing to compare.
 */
export function l7Changes(before: Cluster, after: Cluster, shared: readonly string[], probes: readonly ProbePort[]): ChangedConnection[] {
  const egress = new Set<string>();
  const ingress = new Set<string>();
  for (const cluster of [before, after]) {
    for (const p of cluster.ciliumPolicies) {
      const dirs = { egress: p.egress.some((r) => r.l7), ingress: p.ingress.some((r) => r.l7) };
      if (!dirs.egress && !dirs.ingress) continue;
      for (const id of shared) {
        const e = cluster.endpoint(id);
        if (!e || !ciliumSelects(cluster, p.subject, e, 'may')) continue;
        if (dirs.egress) egress.add(id);
        if (dirs.ingress) ingress.add(id);
      }
    }
  }
  if (egress.size + ingress.size === 0) return [];
  const changed: ChangedConnection[] = [];
  for (const from of shared) {
    for (const to of shared) {
      if (from === to || !(egress.has(from) || ingress.has(to))) continue;
      const ports: string[] = [];
      let first: { before: DiffExplanation; after: DiffExplanation } | undefined;
      for (const probe of probes) {
        const b = explainIn(before, from, to, probe);
        if (!(b.egress.allowed && b.ingress.allowed)) continue;
        const a = explainIn(after, from, to, probe);
        if (!(a.egress.allowed && a.ingress.allowed)) continue;
        if (filtering(before, b.egress) === filtering(after, a.egress) && filtering(before, b.ingress) === filtering(after, a.ingress)) continue;
        ports.push(probe.label);
        first ??= { before: b, after: a };
      }
      if (first) changed.push({ from, to, ports, ...first });
    }
  }
  return changed;
}

/**
 * The layer-7 filtering of an allowed side, as a key: '' without layer-7 rules; else every allowing
 * rule's layer-7 content (and `plain` when a rule without any allows it too), sorted.
 */
function filtering(cluster: Cluster, v: SideVerdict): string {
  if (!v.allowedBy.some((r) => r.l7Rules)) return '';
  return v.allowedBy.map((r) => (r.l7Rules ? `${r.kind} ${r.policy} ${r.spec ?? ''} ${r.direction}: ${l7KeyOf(cluster, r)}` : 'plain'))
    .sort().join('\n');
}

/** The layer-7 content of the Cilium rule `r` refers to. */
function l7KeyOf(cluster: Cluster, r: RuleReference): string {
  const p = cluster.ciliumPolicies.find((x) => x.id === r.policy && x.kind === r.kind && x.spec === r.spec);
  const rules = r.direction.startsWith('egress') ? p?.egress : p?.ingress;
  const rule = rules?.find((x) => x.section === r.direction as CiliumSection && x.index === r.rule);
  return rule?.l7Key ?? `${r.direction}[${r.rule}]`;
}
