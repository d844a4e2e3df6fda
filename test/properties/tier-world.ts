import * as fc from 'fast-check';
import { Sel } from './reference-world';

/**
 * The random tier policies (AdminNetworkPolicies, BaselineAdminNetworkPolicies, ClusterNetworkPolicies
 * of both tiers) and their manifests, shared by the differential test of the tiers
 * (tiers.property.test.ts, whose reference reads them) and the property tests that draw tier
 * policies into other worlds (widest-open).
 */

export const CIDRS = ['10.1.0.0/16', '0.0.0.0/0', '::/0', '203.0.113.0/24', '10.1.2.0/24'];
export const DOMAINS = ['api.example.com', '*.example.com', 'example.com'];

/** The generators of tier policies over the namespaces `namespaces` and pods labelled `app` of `apps`. */
export function tierVocabulary(namespaces: readonly string[], apps: readonly string[]) {
  const sel = fc.oneof(fc.constant({}), fc.record({ app: fc.constantFrom(...apps) }));
  const nsSel = fc.oneof(fc.constant({}), fc.record({ 'kubernetes.io/metadata.name': fc.constantFrom(...namespaces) }), fc.record({ team: fc.constantFrom('red', 'blue') }));

  const peer = (egress: boolean) => fc.oneof(
    fc.record({ namespaces: nsSel }),
    fc.record({ pods: fc.record({ namespaceSelector: nsSel, podSelector: sel }) }),
    ...(egress ? [fc.record({ networks: fc.uniqueArray(fc.constantFrom(...CIDRS), { minLength: 1, maxLength: 2 }) })] : []),
  );
  /** Ports as [protocol, from, to] or a name. */
  const portSpec = fc.oneof(
    fc.tuple(fc.constantFrom('TCP', 'UDP'), fc.constantFrom(53, 80, 443)).map(([p, n]) => ({ protocol: p, from: n, to: n })),
    fc.constant({ protocol: 'TCP', from: 80, to: 443 }),
    fc.constant({ name: 'http' }),
  );
  const ruleGen = (egress: boolean) => fc.record({
    action: fc.constantFrom('allow', 'deny', 'pass'),
    peers: fc.array(peer(egress), { minLength: 1, maxLength: 2 }),
    ports: fc.option(fc.array(portSpec, { minLength: 1, maxLength: 2 }), { nil: undefined }),
    domain: fc.constantFrom(undefined, undefined, ...DOMAINS),
  });
  const tierPolicy = fc.record({
    kind: fc.constantFrom('ANP', 'BANP', 'CNP-Admin', 'CNP-Baseline'),
    priority: fc.constantFrom(0, 1, 5),
    subject: fc.oneof(fc.record({ namespaces: nsSel }), fc.record({ pods: fc.record({ namespaceSelector: nsSel, podSelector: sel }) })),
    ingress: fc.array(ruleGen(false), { maxLength: 2 }),
    egress: fc.array(ruleGen(true), { maxLength: 2 }),
  });
  return { sel, nsSel, peer, portSpec, ruleGen, tierPolicy };
}

/** One generated tier policy. */
export type TierPolicyGen = ReturnType<typeof tierVocabulary>['tierPolicy'] extends fc.Arbitrary<infer T> ? T : never;

export function kindOf(p: TierPolicyGen): { kind: string; apiVersion: string; tier: 'admin' | 'baseline'; v2: boolean } {
  switch (p.kind) {
    case 'ANP': return { kind: 'AdminNetworkPolicy', apiVersion: 'policy.networking.k8s.io/v1alpha1', tier: 'admin', v2: false };
    case 'BANP': return { kind: 'BaselineAdminNetworkPolicy', apiVersion: 'policy.networking.k8s.io/v1alpha1', tier: 'baseline', v2: false };
    case 'CNP-Admin': return { kind: 'ClusterNetworkPolicy', apiVersion: 'policy.networking.k8s.io/v1alpha2', tier: 'admin', v2: true };
    default: return { kind: 'ClusterNetworkPolicy', apiVersion: 'policy.networking.k8s.io/v1alpha2', tier: 'baseline', v2: true };
  }
}

/** The generated policy as the API server accepts it (actions the kind has, domain names only where allowed, no named port with networks). */
export function legal(p: TierPolicyGen, i: number): { name: string; object: any; rules: { ingress: any[]; egress: any[] } } {
  const k = kindOf(p);
  const name = p.kind === 'BANP' ? 'default' : `t${i}`;
  const fix = (r: TierPolicyGen['egress'][number], egress: boolean) => {
    const action = p.kind === 'BANP' && r.action === 'pass' ? 'deny' : r.action;
    const peers = [...r.peers];
    if (egress && r.domain && p.kind !== 'BANP' && action === 'allow') peers.push({ domainNames: [r.domain] } as any);
    const hasIpPeers = peers.some((x: any) => x.networks || x.domainNames);
    const ports = r.ports?.filter((x: any) => !(hasIpPeers && x.name));
    return { action, peers, ports: ports && ports.length > 0 ? ports : undefined };
  };
  const rules = { ingress: p.ingress.map((r) => fix(r, false)), egress: p.egress.map((r) => fix(r, true)) };
  const wireAction = (a: string) => (a === 'allow' ? (k.v2 ? 'Accept' : 'Allow') : a === 'deny' ? 'Deny' : 'Pass');
  const selectorOf = (s: Sel) => (Object.keys(s).length === 0 ? {} : { matchLabels: s });
  const wirePeer = (x: any) => (x.namespaces ? { namespaces: selectorOf(x.namespaces) }
    : x.pods ? { pods: { namespaceSelector: selectorOf(x.pods.namespaceSelector), podSelector: selectorOf(x.pods.podSelector) } } : x);
  const wirePorts = (ports: any[] | undefined) => {
    if (!ports) return {};
    if (k.v2) {
      return {
        protocols: ports.map((x) => (x.name ? { destinationNamedPort: x.name }
          : { [x.protocol.toLowerCase()]: { destinationPort: x.from === x.to ? { number: x.from } : { range: { start: x.from, end: x.to } } } })),
      };
    }
    return {
      ports: ports.map((x) => (x.name ? { namedPort: x.name }
        : x.from === x.to ? { portNumber: { protocol: x.protocol, port: x.from } }
          : { portRange: { protocol: x.protocol, start: x.from, end: x.to } })),
    };
  };
  const subject = 'namespaces' in p.subject ? { namespaces: selectorOf(p.subject.namespaces) }
    : { pods: { namespaceSelector: selectorOf(p.subject.pods.namespaceSelector), podSelector: selectorOf(p.subject.pods.podSelector) } };
  const spec: any = { ...(k.v2 ? { tier: k.tier === 'admin' ? 'Admin' : 'Baseline' } : {}), ...(p.kind === 'BANP' ? {} : { priority: p.priority }), subject };
  spec.ingress = rules.ingress.map((r) => ({ action: wireAction(r.action), from: r.peers.map(wirePeer), ...wirePorts(r.ports) }));
  spec.egress = rules.egress.map((r) => ({ action: wireAction(r.action), to: r.peers.map(wirePeer), ...wirePorts(r.ports) }));
  return { name, object: { apiVersion: k.apiVersion, kind: k.kind, metadata: { name }, spec }, rules };
}
