import { Bitset } from './bitset';
import { peerMatches, portsMatch, PortQuery, resolveTraffic } from './semantics';
import { Cluster, ClusterEndpoint, PolicyRule, RulePeer } from '../inventory/cluster';
import { CompiledSelector } from '../k8s/label-selector';
import { hasNamedPorts, isAllTraffic, Traffic } from '../k8s/port-set';

/** The computed reachability of every endpoint pair for one port. */
export interface ComputedMatrix {
  /** `rows[s]` holds the destinations `s` may connect to. Loopback cells of single pods are set. */
  readonly rows: Bitset[];
  /** The traffic each destination receives for the query (undefined: it has no such named port). */
  readonly traffic: Array<Traffic | undefined>;
}

/**
 * Reachability of every pair for one port, computed from selections instead of pair-by-pair rule
 * checks: each policy's selected pods and each peer's matching endpoints are computed once as
 * bitsets (peers shared across policies are computed once), then OR-ed per destination (ingress)
 * and per source (egress), and each row is built a word at a time from the egress set and the transposed
 * ingress sets. Same answers as `evaluateSide` on every pair, in O(rules x selected + admitted pairs + N^2/32).
 */
export function computeMatrix(cluster: Cluster, query: PortQuery): ComputedMatrix {
  const n = cluster.endpoints.length;
  const index = new SelectionIndex(cluster);
  const traffic = cluster.endpoints.map((d) => resolveTraffic(d, query));
  const reachable = new Bitset(n);
  traffic.forEach((t, i) => t && reachable.add(i));

  const ingressFrom: Array<Bitset | undefined> = new Array(n);
  const egressTo: Array<Bitset | undefined> = new Array(n);
  const all = Bitset.full(n);

  const first = traffic.find((t) => t !== undefined);
  const uniform = traffic.every((t) => t === undefined || (first && t.port === first.port && t.protocol === first.protocol));
  const portsOf = (rule: PolicyRule) => rulePorts(cluster, rule, traffic, uniform ? first ?? null : undefined);
  for (const policy of cluster.policies) {
    const selected = index.select(policy.namespace, policy.podSelector);
    if (selected.length === 0) continue;
    if (policy.ingress) {
      for (const d of selected) ingressFrom[d] ??= new Bitset(n);
      for (const rule of policy.ingress) {
        const peers = index.peers(policy.namespace, rule);
        const portOk = portsOf(rule);
        for (const d of selected) {
          if (portOk === 'all' || (portOk !== 'none' && portOk.has(d))) ingressFrom[d]!.or(peers);
        }
      }
    }
    if (policy.egress) {
      for (const s of selected) egressTo[s] ??= new Bitset(n);
      for (const rule of policy.egress) {
        const peers = index.peers(policy.namespace, rule);
        const portOk = portsOf(rule);
        if (portOk === 'none') continue;
        const targets = portOk === 'all' ? peers : peers.and(portOk);
        for (const s of selected) egressTo[s]!.or(targets);
      }
    }
  }

  // The transpose of the ingress side: for each source, the isolated destinations whose ingress
  // admits it, so each row is computed a word (32 destinations) at a time.
  const openIn = new Bitset(n);
  const admits: Array<Bitset | undefined> = new Array(n);
  for (let d = 0; d < n; d++) {
    const inbound = ingressFrom[d];
    if (inbound === undefined) {
      openIn.add(d);
      continue;
    }
    for (const s of inbound.members()) (admits[s] ??= new Bitset(n)).add(d);
  }
  const rows: Bitset[] = [];
  for (let s = 0; s < n; s++) {
    const row = new Bitset(n);
    const out = (egressTo[s] ?? all).words;
    const inbound = admits[s]?.words;
    const open = openIn.words;
    const dest = reachable.words;
    for (let w = 0; w < row.words.length; w++) row.words[w] = out[w] & dest[w] & (open[w] | (inbound ? inbound[w] : 0));
    if (cluster.endpoints[s].singleInstance && reachable.has(s)) row.add(s); // loopback: never policed
    rows.push(row);
  }
  return { rows, traffic };
}

/**
 * Which destinations a rule's ports allow the query to: 'all', 'none' or a set. `sameTraffic` is the
 * traffic every destination receives when it is the same for all (null: none can receive it), or
 * undefined when it differs (a named port resolved per destination).
 */
function rulePorts(cluster: Cluster, rule: PolicyRule, traffic: Array<Traffic | undefined>, sameTraffic: Traffic | null | undefined): 'all' | 'none' | Bitset {
  if (isAllTraffic(rule.ports)) return 'all';
  if (!hasNamedPorts(rule.ports) && sameTraffic !== undefined) {
    const first = sameTraffic ?? undefined;
    // The answer does not depend on the destination.
    return first && portsMatch(rule.ports, first, cluster.endpoints[0]) ? 'all' : 'none';
  }
  const set = new Bitset(cluster.endpoints.length);
  traffic.forEach((t, d) => t && portsMatch(rule.ports, t, cluster.endpoints[d]) && set.add(d));
  return set;
}

/** Endpoint selections by namespace and label, with the peer sets of rules cached by meaning. */
class SelectionIndex {
  private readonly byNamespace = new Map<string, number[]>();
  private readonly byPair = new Map<string, number[]>();
  private readonly withIps: ClusterEndpoint[];
  private readonly peerCache = new Map<string, Bitset>();
  private readonly all: Bitset;

  constructor(private readonly cluster: Cluster) {
    for (const e of cluster.endpoints) {
      // Node traffic is neither selected by policies nor matched by selector peers; ipBlocks see it through withIps.
      if (e.namespace === undefined || e.nodeTraffic) continue;
      push(this.byNamespace, e.namespace, e.index);
      for (const [k, v] of Object.entries(e.labels)) push(this.byPair, `${e.namespace}\u0000${k}=${v}`, e.index);
    }
    this.withIps = cluster.endpoints.filter((e) => e.ips.length > 0);
    this.all = Bitset.full(cluster.endpoints.length);
  }

  /** Endpoints of `namespace` matching `selector`. */
  public select(namespace: string, selector: CompiledSelector): number[] {
    let candidates = this.byNamespace.get(namespace) ?? [];
    for (const pair of selector.requiredPairs) {
      const posting = this.byPair.get(`${namespace}\u0000${pair}`) ?? [];
      if (posting.length < candidates.length) candidates = posting;
    }
    if (selector.matchesEverything) return candidates;
    return candidates.filter((i) => selector.matches(this.cluster.endpoints[i].labels));
  }

  /** The endpoints any peer of the rule matches (every endpoint when the rule has no peers). */
  public peers(policyNamespace: string, rule: PolicyRule): Bitset {
    if (!rule.peers) return this.all;
    if (rule.peers.length === 1) return this.peer(policyNamespace, rule.peers[0]);
    const union = new Bitset(this.cluster.endpoints.length);
    for (const p of rule.peers) union.or(this.peer(policyNamespace, p));
    return union;
  }

  private peer(policyNamespace: string, peer: RulePeer): Bitset {
    const key = peer.kind === 'selectors' && !peer.namespaceSelector ? `${policyNamespace}\u0000${peer.text}` : peer.text;
    let set = this.peerCache.get(key);
    if (set) return set;
    set = new Bitset(this.cluster.endpoints.length);
    if (peer.kind === 'ipBlock') {
      for (const e of this.withIps) if (peerMatches(this.cluster, policyNamespace, peer, e)) set.add(e.index);
    } else {
      const namespaces = peer.namespaceSelector
        ? [...this.cluster.namespaces.entries()].filter(([, labels]) => peer.namespaceSelector!.matches(labels)).map(([ns]) => ns)
        : [policyNamespace];
      for (const ns of namespaces) {
        const members = peer.podSelector ? this.select(ns, peer.podSelector) : (this.byNamespace.get(ns) ?? []);
        for (const i of members) set.add(i);
      }
    }
    this.peerCache.set(key, set);
    return set;
  }
}

function push<K>(map: Map<K, number[]>, key: K, value: number): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
