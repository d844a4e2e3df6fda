import * as fc from 'fast-check';
import {
  build, CiliumGen, ciliumWorld, CiliumWorld, Ep, EXTERNALS, FILTERED, isHost, NO_END, NS_KEY, RESERVED, SA_KEY, Sel,
} from './cilium-world';
import { Port, Reachability } from '../../src';
import { blastRadiusFacts, referenceBlastRadius } from '../analysis/blast-radius-reference';
import { fuzzParameters } from '../fuzz-config';

/**
 * Differential test of the Cilium policies: for random mixes of NetworkPolicies,
 * CiliumNetworkPolicies and CiliumClusterwideNetworkPolicies (label keys and values of mixed case,
 * with `_`, `-`, `.` and `/`), the analyser (the matrix, and `explain`) equals a pair-by-pair
 * reference written here, separately, from Cilium's documentation:
 *
 *   for each side: a Cilium policy applies when its endpointSelector selects the pod (a
 *   CiliumNetworkPolicy: in its own namespace); it puts the pod into default deny for a direction
 *   when enableDefaultDeny says so, by default when it has (allow or deny) rules there. A deny rule
 *   that matches denies; else, when a NetworkPolicy or a Cilium policy isolates the pod, a rule of
 *   either kind must allow; else allowed. Both sides must allow; a pod's traffic to itself is
 *   allowed. Peers: endpoints by labels (`k8s:` or no prefix; a CiliumNetworkPolicy's confined to
 *   its namespace unless they name `io.kubernetes.pod.namespace`), entities (docs.cilium.io
 *   "Entities based"): world (outside the cluster, the API server there too), cluster (pods,
 *   nodes, the API server wherever it runs), all, host (nodes and hostNetwork pods of the pod's own
 *   node), remote-node (of any other node), kube-apiserver (the API server and, when it runs on a
 *   node, every end of that node), health, ingress, init and unmanaged (no end: no health endpoint,
 *   ingress proxy or unresolved identity, and every pod managed by Cilium); CIDR sets (ends outside the cluster only: never nodes, the
 *   default policy-cidr-match-mode); FQDNs (external ends by name, when a DNS rule of the pod lets
 *   the proxy see the name: the pod reaches a DNS server of the model the DNS rule matches, no
 *   deny dropping the lookups, and the server's ingress admits them (both sides, as for any pair:
 *   a lookup the server's ingress drops gets no answer); without such a server the analyser may leave the rule out, and then
 *   must never allow by it); a rule of ports only: every end. (The agent's allow-localhost, a
 *   pod's own node reaching it, is not modelled, as for NetworkPolicies.)
 *
 *   The service account (io.cilium.k8s.policy.serviceaccount) is a label of every pod's identity:
 *   its spec.serviceAccountName, else the deprecated spec.serviceAccount, else default; a pod's own
 *   label of that key is not kept. A hostNetwork pod has its node's identity, without it.
 *
 *   Undecidable selectors, fail closed (R6): a key Cilium's label filter drops from identities by
 *   default (docs.cilium.io "Limiting Identity-Relevant Labels"; here pod-template-hash and
 *   statefulset.kubernetes.io/pod-name) may be in the identity or not, and a key of another label
 *   source (reserved:host) is not a pod label. A deny rule applies where the selector MAY match
 *   under either reading (k=v: the pod has it; DoesNotExist k: always, the label may be filtered
 *   out; reserved:host: taken as met, and every end that is not a pod); an allow rule where it MUST
 *   (never). A subject that may select a pod isolates it and applies its deny rules to it; its allow
 *   rules apply only where it must select it.
 *   DNS lookups go over UDP (resolvers use TCP only after a truncated UDP answer): a DNS rule counts
 *   only through its UDP ports.
 *
 *   Peers the model cannot place, fail closed: a deny rule to nodes by label (toNodes/fromNodes)
 *   denies every node end, one to cloud provider groups (toGroups/fromGroups: CIDRs of the members)
 *   every end outside the cluster, one to services (toServices: the pods a service's selector
 *   selects, or a selector-less service's addresses as CIDRs) every pod and every end outside it.
 *   A host policy (a CiliumClusterwideNetworkPolicy with nodeSelector) selects nodes by their
 *   labels, which the model does not read: its subject may be every node end (nodes and hostNetwork
 *   pods), never a pod, so it isolates and denies every node end and allows none.
 *
 * The reference has its own selector, CIDR, FQDN and port matching; only the NetworkPolicies'
 * verdict comes from the analyser run without the Cilium policies (the usual NetworkPolicy
 * semantics, proven by the other property tests).
 */

const world = ciliumWorld;
type World = CiliumWorld;

// ---- the reference's own matching ----

const bare = (k: string) => (k.startsWith('k8s:') ? k.slice(4) : k);
const ip4 = (ip: string) => ip.split('.').reduce((a, o) => a * 256 + Number(o), 0);
const inCidr = (cidr: string, ip: string) => {
  const [net, len] = cidr.split('/');
  const size = 2 ** (32 - Number(len));
  return Math.floor(ip4(ip) / size) === Math.floor(ip4(net) / size);
};
/** `*` alone: every name; `*.example.com`: one more label of DNS characters; a name: itself. */
const fqdnMatches = (f: any, name: string) => {
  if (f.matchName !== undefined) return f.matchName === name;
  if (f.matchPattern === '*') return true;
  const [first, ...rest] = name.split('.');
  return rest.join('.') === f.matchPattern.slice(2) && /^[-a-z0-9_]*$/.test(first);
};

/** The NetworkPolicies' verdict of one side (from the analyser without the Cilium policies). */
type NpOf = (dir: 'ingress' | 'egress', self: Ep, other: Ep, traffic: { port: number; protocol: string }) => { isolated: boolean; allowed: boolean };
/**
 * How the reference answers a DNS rule whose DNS server is not in the model: the analyser may
 * decide it either way (seen when no deny can touch the lookups, else the toFQDNs rule left out).
 */
interface DnsMode {
  readonly absentSeen: boolean;
  /**
   * Whether a name the reference sees is taken as left out where the cluster DNS, which no world
   * holds, may be isolated by a policy of the world (`clusterDnsMayBePoliced`): the analyser then
   * asks the cluster DNS too (cilium-semantics `absentClusterDns`) and may leave the rule out.
   */
  readonly clusterDnsDoubt?: boolean;
}

/**
 * Whether a Cilium policy of the world may isolate the cluster DNS (kube-system pods labelled
 * k8s-app=kube-dns, which no world holds) in ingress or deny there: a clusterwide endpoint policy
 * (the only kind that can select kube-system) with an ingress section or ingress default deny. Wider
 * than the analyser's reading (its selector is not read), so it only widens where leaving out is allowed.
 */
function clusterDnsMayBePoliced(w: World): boolean {
  return w.cilium.some((c) => c.clusterwide && !isHost(c)
    && ((c.defaultDeny as any)?.ingress === true || c.ingress.length > 0 || c.ingressDeny.length > 0));
}

function referenceSide(w: World, b: ReturnType<typeof build>, dir: 'ingress' | 'egress', self: Ep, other: Ep,
  traffic: { port: number; protocol: string }, np: { isolated: boolean; allowed: boolean }, npOf: NpOf, mode: DnsMode): boolean {
  if (self.external) return true;
  // Isolation and deny rules: where the subject may select; allow rules: where it must.
  const applying = w.cilium.filter((c) => subjectOf(w, c, self, 'may'));
  const rules = (c: CiliumGen, deny: boolean): any[] => (dir === 'ingress' ? (deny ? c.ingressDeny : c.ingress) : (deny ? c.egressDeny : c.egress));
  const matches = (c: CiliumGen, r: any, deny: boolean) => ruleMatches(w, b, dir, c, r, self, other, traffic, npOf, mode, deny);
  if (applying.some((c) => rules(c, true).some((r) => matches(c, r, true)))) return false;
  // "traffic to and from the node where a Pod is running is always allowed" (Kubernetes docs,
  // Network Policies); Cilium lets the local host reach its endpoints, an allow that its deny rules
  // (above) take precedence over: a pod's ingress from its own node (its egress stays with the rules).
  if (dir === 'ingress' && !isNode(self) && isNode(other) && other.node !== undefined && other.node === self.node) return true;
  const ciliumIsolates = applying.some((c) => (c.defaultDeny as any)?.[dir] ?? (rules(c, false).length + rules(c, true).length > 0));
  if (!np.isolated && !ciliumIsolates) return true;
  return (np.isolated && np.allowed) || applying.some((c) => subjectOf(w, c, self, 'must') && rules(c, false).some((r) => matches(c, r, false)));
}

const teamOf = (w: World, n: string) => (w.red.includes(n) ? 'red' : 'blue');
const labelsOf = (w: World, e: Ep): Sel => ({
  ...e.labels,
  [NS_KEY]: e.namespace!,
  'io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name': e.namespace!,
  'io.cilium.k8s.namespace.labels.team': teamOf(w, e.namespace!),
  [SA_KEY]: e.serviceAccount!,
});
const isNode = (e: Ep) => !e.external && e.namespace === undefined;
/**
 * The reference's own reading of a selector's requirements on `e`'s labels, `may` (a deny, an
 * isolation) or `must` (an allow): a filtered key's requirement may be met (k=v where the pod has
 * it; DoesNotExist always) and never must; reserved:host is met by any pod in `may`, never in `must`.
 */
type Bound = 'may' | 'must';
const requirementsMet = (w: World, sel: any, e: Ep, bound: Bound, skipNsKey: boolean) => {
  const labels = labelsOf(w, e);
  const labelsOk = Object.entries(sel?.matchLabels ?? {}).every(([k, v]) => {
    if (skipNsKey && bare(k) === NS_KEY) return true;
    if (k === RESERVED) return bound === 'may';
    if (FILTERED.includes(bare(k))) return bound === 'may' && labels[bare(k)] === v;
    return labels[bare(k)] === v;
  });
  // Only DoesNotExist on filtered keys is generated.
  const expressionsOk = (sel?.matchExpressions ?? []).every(() => bound === 'may');
  return labelsOk && expressionsOk;
};
const subjectOf = (w: World, c: CiliumGen, e: Ep, bound: Bound) => (isHost(c) ? bound === 'may' && isNode(e)
  : !e.external && !isNode(e) && (c.clusterwide || e.namespace === c.namespace) && requirementsMet(w, c.endpointSelector, e, bound, true));

/** Whether rule `r` of `c` (a rule of `self`'s side `dir`) matches `other` on `traffic`: its peer and its ports. */
function ruleMatches(w: World, b: ReturnType<typeof build>, dir: 'ingress' | 'egress', c: CiliumGen, r: any, self: Ep, other: Ep,
  traffic: { port: number; protocol: string }, npOf: NpOf, mode: DnsMode, deny: boolean): boolean {
  const dst = dir === 'ingress' ? self : other;
  const bound: Bound = deny ? 'may' : 'must';
  const endpoint = (sel: any, e: Ep) => {
    // reserved:host labels identities that are not pods: a deny takes every such end in.
    if (e.external || isNode(e)) return deny && Object.keys(sel.matchLabels ?? {}).includes(RESERVED);
    // Confined to the policy's namespace unless it names the namespace key, or selects reserved
    // identities (cilium/cilium pkg/k8s/apis/cilium.io/utils: no namespace match is added then).
    const namesNamespace = Object.keys(sel.matchLabels ?? {}).some((k) => bare(k) === NS_KEY || k === RESERVED);
    return (c.clusterwide || namesNamespace || e.namespace === c.namespace) && requirementsMet(w, sel, e, bound, false);
  };
  const peerMatches = () => {
    const p = dir === 'ingress' ? 'from' : 'to';
    if (r[`${p}Endpoints`]) return r[`${p}Endpoints`].some((s: any) => endpoint(s, other));
    if (r[`${p}Entities`]) {
      // Cilium labels every node that runs an API server kube-apiserver.
      const apiNodes = b.eps.filter((e) => e.apiServer && e.node !== undefined).map((e) => e.node);
      return r[`${p}Entities`].some((e: string) => {
        switch (e) {
          case 'all': return true;
          case 'world': return other.external;
          case 'cluster': return !other.external || other.apiServer === true;
          case 'host': return isNode(other) && other.node === self.node;
          case 'remote-node': return isNode(other) && other.node !== self.node;
          case 'health': case 'ingress': case 'init': case 'unmanaged': return false;
          default: return other.apiServer === true || (isNode(other) && apiNodes.includes(other.node));
        }
      });
    }
    if (r[`${p}CIDRSet`]) {
      return other.external && r[`${p}CIDRSet`].some((s: any) => inCidr(s.cidr, other.ip!) && !(s.except ?? []).some((x: string) => inCidr(x, other.ip!)));
    }
    if (r.toFQDNs) {
      if (!other.external || other.dns === undefined || !r.toFQDNs.some((f: any) => fqdnMatches(f, other.dns!))) return false;
      const seen = referenceDns(w, b, self, other.dns, npOf, mode);
      return seen === 'seen' || (seen === 'absent' && mode.absentSeen);
    }
    // Only deny rules have them here: every end the peer may be.
    if (r[`${p}Nodes`]) return deny && isNode(other);
    if (r[`${p}Groups`]) return deny && other.external;
    if (r.toServices) return deny && (other.external || !isNode(other));
    return true;
  };
  const portMatches = () => r.toPorts === undefined || r.toPorts.some((pr: any) => pr.ports.some((x: any) => {
    const protocolOk = x.protocol === undefined || x.protocol === 'ANY' || x.protocol === traffic.protocol;
    if (x.port === 'http') return protocolOk && traffic.protocol === 'TCP' && !dst.external && dst.http === traffic.port;
    const from = Number(x.port);
    return protocolOk && traffic.port >= from && traffic.port <= (x.endPort ?? from);
  }));
  return portMatches() && peerMatches();
}

/**
 * Whether Cilium's DNS proxy sees `self` look `name` up: toFQDNs matches the addresses the proxy
 * learned "from allowed/successful DNS lookups" (pkg/fqdn), and deny rules take precedence over
 * allows (docs.cilium.io "Deny Policies"). So an egress allow rule of `self` whose port rule with
 * `rules.dns` matches the name must let `self` reach a DNS server: an end inside the cluster its peer
 * matches, on a port of that port rule over UDP (53 where it allows every port), with no deny
 * of `self` matching it, and the server's ingress allowing it from `self` (its NetworkPolicies and
 * Cilium policies, as for any pair: a lookup dropped there is never answered) ('seen'; 'unseen'
 * when every such server is denied, or no rule has such a port rule). 'absent': a DNS rule matches
 * no DNS server of the model (and none is seen).
 */
function referenceDns(w: World, b: ReturnType<typeof build>, self: Ep, name: string, npOf: NpOf, mode: DnsMode): 'seen' | 'unseen' | 'absent' {
  let absent = false;
  for (const c of w.cilium) {
    for (const r of c.egress as any[]) {
      if (!subjectOf(w, c, self, 'must')) continue;
      const dnsPorts = (r.toPorts ?? []).filter((pr: any) => (pr.rules?.dns ?? []).some((f: any) => fqdnMatches(f, name)));
      // A DNS rule of TCP only: no lookup is ever made through it (not a missing server).
      if (!dnsPorts.some((pr: any) => pr.ports.some((x: any) => x.protocol === undefined || x.protocol === 'ANY' || x.protocol === 'UDP'))) continue;
      let server = false;
      for (const d of b.eps) {
        if (d.external) continue;
        const traffics = dnsPorts.flatMap((pr: any) => pr.ports.flatMap((x: any) => {
          // Lookups over UDP only: the container port http is TCP, so a named DNS port carries none.
          const udp = x.protocol === undefined || x.protocol === 'ANY' || x.protocol === 'UDP';
          if (x.port === 'http' || !udp) return [];
          const from = Number(x.port);
          return [{ port: from <= 53 && 53 <= (x.endPort ?? from) ? 53 : from, protocol: 'UDP' }];
        }));
        for (const t of traffics) {
          const dnsRule = { ...r, toPorts: dnsPorts };
          if (!ruleMatches(w, b, 'egress', c, dnsRule, self, d, t, npOf, mode, false)) continue;
          server = true;
          if (referenceSide(w, b, 'egress', self, d, t, npOf('egress', self, d, t), npOf, mode)
            && referenceSide(w, b, 'ingress', d, self, t, npOf('ingress', d, self, t), npOf, mode)) {
            return mode.clusterDnsDoubt === true && clusterDnsMayBePoliced(w) ? 'absent' : 'seen';
          }
        }
      }
      if (!server) absent = true;
    }
  }
  return absent ? 'absent' : 'unseen';
}

test('analyser == reference of Cilium\'s documented semantics, on random mixes of Cilium policies and NetworkPolicies', () => {
  const ports = [Port.tcp(80), Port.tcp(443), Port.udp(53), Port.named('http'), Port.tcp(8080), Port.sctp(80)];
  fc.assert(fc.property(world, fc.constantFrom(...ports), (w, port) => {
    const b = build(w);
    const r = Reachability.fromManifests(b.objects, { externals: EXTERNALS, apiServerIps: w.apiServer });
    // Left out: only toFQDNs rules whose DNS lookups cannot be decided (the DNS server not in the model).
    const skipped = r.skipped;
    const dnsLeftOut = skipped.filter((s) => s.reason.includes('DNS proxy'));
    // Said, not left out: each selector on a filtered key or of another source, decided fail closed.
    const failClosed = skipped.filter((s) => / is decided fail closed: /.test(s.reason));
    // Noted, not left out: each rule that names an entity no end has, without cluster or all, once.
    const noted = skipped.filter((s) => s.reason.includes('which no end of the model is'));
    expect(skipped.filter((s) => !s.reason.includes('DNS proxy') && !failClosed.includes(s) && !noted.includes(s))).toEqual([]);
    const undecidable = JSON.stringify(w.cilium).match(/pod-template-hash|statefulset\.kubernetes\.io\/pod-name|reserved:host|Nodes|Groups|toServices/) !== null
      || w.cilium.some(isHost);
    expect(failClosed.length > 0).toBe(undecidable);
    const noting = w.cilium.flatMap((c) => (['ingress', 'egress', 'ingressDeny', 'egressDeny'] as const).flatMap((section) => c[section].filter((rule: any) => {
      const entities: string[] | undefined = rule.toEntities ?? rule.fromEntities;
      return entities !== undefined && entities.some((e) => NO_END.includes(e)) && !entities.includes('cluster') && !entities.includes('all');
    })));
    expect(noted.length).toBe(noting.length);
    const npOnly = Reachability.fromManifests(b.npOnly, { externals: EXTERNALS, apiServerIps: w.apiServer });
    const npOf: NpOf = (dir, self, other, t) => {
      const e = dir === 'egress' ? npOnly.explain(self.id, other.id, t.protocol === 'UDP' ? Port.udp(t.port) : Port.tcp(t.port)).egress
        : npOnly.explain(other.id, self.id, t.protocol === 'UDP' ? Port.udp(t.port) : Port.tcp(t.port)).ingress;
      // The own-node allow of ingress is the reference's own rule (after the deny rules), not the NetworkPolicies'.
      return { isolated: e.isolated, allowed: e.allowed && !(dir === 'ingress' && e.ownNode) };
    };
    // A rule is left out only where the reference finds a DNS rule without a DNS server in the model,
    // or a policy may isolate the cluster DNS, which no world holds (`clusterDnsMayBePoliced`).
    if (dnsLeftOut.length > 0) {
      const absent = b.eps.some((self) => EXTERNALS.some((e) => e.dnsName !== undefined
        && referenceDns(w, b, self, e.dnsName, npOf, { absentSeen: false, clusterDnsDoubt: true }) === 'absent'));
      expect(absent).toBe(true);
    }
    const m = r.matrix(port);
    for (const from of b.eps) {
      for (const to of b.eps) {
        const named = port.portName !== undefined;
        // A named port exists where a container port has the name: pods (hostNetwork ones too), never nodes or addresses.
        const traffic = named ? (to.http === undefined ? undefined : { port: to.http, protocol: 'TCP' }) : { port: port.portNumber!, protocol: port.protocol! };
        const npe = npOnly.explain(from.id, to.id, port);
        const referenceOf = (mode: DnsMode) => (traffic === undefined ? false : from.id === to.id && !from.external ? true
          : referenceSide(w, b, 'egress', from, to, traffic, { isolated: npe.egress.isolated, allowed: npe.egress.allowed }, npOf, mode)
            && referenceSide(w, b, 'ingress', to, from, traffic, { isolated: npe.ingress.isolated, allowed: npe.ingress.allowed && !npe.ingress.ownNode }, npOf, mode));
        const reference = referenceOf({ absentSeen: true });
        // Where the DNS server is missing, the analyser answers as before or leaves the rule out (never allowed then).
        const closed = referenceOf({ absentSeen: false, clusterDnsDoubt: true });
        const explained = r.explain(from.id, to.id, port).allowed;
        const ok = (v: boolean) => v === reference || (v === closed && dnsLeftOut.length > 0);
        if (!ok(m.isAllowed(from.id, to.id)) || !ok(explained) || m.isAllowed(from.id, to.id) !== explained) {
          throw new Error(`${from.id} -> ${to.id} on ${port}: matrix ${m.isAllowed(from.id, to.id)}, explain ${explained}, reference ${reference} (DNS left out: ${closed})\n`
            + `${JSON.stringify(b.objects.filter((o) => o.apiVersion.startsWith('cilium')), null, 1)}`);
        }
      }
    }
  }), fuzzParameters(150));
});

test('class-based blast radius == the search over the endpoint matrix, on random mixes of Cilium policies and NetworkPolicies', () => {
  fc.assert(fc.property(world, fc.constantFrom(undefined, 1, 2), (w, maxDepth) => {
    const r = Reachability.fromManifests(build(w).objects, { externals: EXTERNALS, apiServerIps: w.apiServer });
    for (const e of r._cluster.endpoints) {
      if (e.external) continue;
      expect(blastRadiusFacts(r.blastRadius(e.id, maxDepth))).toEqual(blastRadiusFacts(referenceBlastRadius(r._cluster, e, maxDepth)));
    }
  }), fuzzParameters(120));
});
