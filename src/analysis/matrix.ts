import { Bitset } from './bitset';
import { peerMatches, portsMatch, PortQuery, resolveTraffic } from './semantics';
import { Cluster, ClusterEndpoint, PolicyRule, RulePeer } from '../inventory/cluster';
import { CompiledSelector } from '../k8s/label-selector';
import { hasNamedPorts, isAllTraffic, portEntryKey, Traffic } from '../k8s/port-set';

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
 * and per source (egress). Same answers as `evaluateSide` on every pair, in O(rules x selected + N^2/32).
 */
export function computeMatrix(cluster: Cluster, query: PortQuery): ComputedMatrix {
  return new MatrixEngine(cluster).compute(query);
}

/**
 * `computeMatrix` for several ports of one cluster: the selections (policies' pods, peers' endpoints)
 * are computed once and shared by every port.
 */
export class MatrixEngine {
  private readonly index: SelectionIndex;

  constructor(private readonly cluster: Cluster) {
    this.index = new SelectionIndex(cluster);
  }

  /** Reachability of every pair for one port (see `computeMatrix`). */
  public compute(query: PortQuery): ComputedMatrix {
    const cluster = this.cluster;
    const index = this.index;
    const n = cluster.endpoints.length;
    const traffic = cluster.endpoints.map((d) => resolveTraffic(d, query));
    const reachable = new Bitset(n);
    traffic.forEach((t, i) => t && reachable.add(i));

    const ingressFrom: Array<Bitset | undefined> = new Array(n);
    const egressTo: Array<Bitset | undefined> = new Array(n);
    const all = Bitset.full(n);

    const first = traffic.find((t) => t !== undefined);
    const uniform = traffic.every((t) => t === undefined || (first && t.port === first.port && t.protocol === first.protocol));
    // Many rules name the same ports: their destinations are computed once per port set.
    const portCache = new Map<string, 'all' | 'none' | Bitset>();
    const portsOf = (rule: PolicyRule) => {
      const key = rule.ports.map(portEntryKey).join('\u0000');
      let ok = portCache.get(key);
      if (ok === undefined) portCache.set(key, (ok = rulePorts(cluster, rule, traffic, uniform ? first ?? null : undefined)));
      return ok;
    };
    for (const policy of cluster.policies) {
      const selected = index.select(policy.namespace, policy.podSelector);
      if (selected.length === 0) continue;
      if (policy.ingress) {
        for (const d of selected) ingressFrom[d] ??= new Bitset(n);
        for (const rule of policy.ingress) {
          const portOk = portsOf(rule);
          if (portOk === 'none') continue;
          const peers = index.peers(policy.namespace, rule);
          for (const d of selected) {
            if (portOk === 'all' || portOk.has(d)) ingressFrom[d]!.or(peers);
          }
        }
      }
      if (policy.egress) {
        for (const s of selected) egressTo[s] ??= new Bitset(n);
        for (const rule of policy.egress) {
          const portOk = portsOf(rule);
          if (portOk === 'none') continue;
          const peers = index.peers(policy.namespace, rule);
          const targets = portOk === 'all' ? peers : peers.and(portOk);
          for (const s of selected) egressTo[s]!.or(targets);
        }
      }
    }

    // Destinations not isolated for ingress take every source; for the isolated ones, the sources
    // their ingress allows, turned around (source -> isolated destinations it may reach).
    const openIn = new Bitset(n);
    const inbound: Array<Bitset | undefined> = new Array(n);
    for (let d = 0; d < n; d++) {
      const from = ingressFrom[d];
      if (from === undefined) {
        openIn.add(d);
        continue;
      }
      for (const s of from.members()) (inbound[s] ??= new Bitset(n)).add(d);
    }
    const rows: Bitset[] = [];
    for (let s = 0; s < n; s++) {
      const row = new Bitset(n);
      const out = (egressTo[s] ?? all).words;
      const into = inbound[s]?.words;
      const w = row.words;
      const r = reachable.words;
      const o = openIn.words;
      for (let i = 0; i < w.length; i++) w[i] = out[i] & r[i] & (into ? o[i] | into[i] : o[i]);
      if (cluster.endpoints[s].singleInstance && reachable.has(s)) row.add(s); // loopback: never policed
      rows.push(row);
    }
    return { rows, traffic };
  }
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
  /** Namespace names by `key=value` of their labels, for namespace selectors with matchLabels. */
  private readonly namespacesByPair = new Map<string, string[]>();
  private readonly namespaceNames: string[];

  constructor(private readonly cluster: Cluster) {
    for (const e of cluster.endpoints) {
      // Node traffic is neither selected by policies nor matched by selector peers; ipBlocks see it through withIps.
      if (e.namespace === undefined || e.nodeTraffic) continue;
      push(this.byNamespace, e.namespace, e.index);
      for (const [k, v] of Object.entries(e.labels)) push(this.byPair, `${e.namespace}\u0000${k}=${v}`, e.index);
    }
    this.withIps = cluster.endpoints.filter((e) => e.ips.length > 0);
    this.all = Bitset.full(cluster.endpoints.length);
    this.namespaceNames = [...cluster.namespaces.keys()];
    for (const [ns, labels] of cluster.namespaces) {
      for (const [k, v] of Object.entries(labels)) {
        const key = `${k}=${v}`;
        const list = this.namespacesByPair.get(key);
        if (list) list.push(ns);
        else this.namespacesByPair.set(key, [ns]);
      }
    }
  }

  /** The namespaces `selector` matches, in the cluster's order. */
  private selectNamespaces(selector: CompiledSelector): string[] {
    let candidates = this.namespaceNames;
    for (const pair of selector.requiredPairs) {
      const posting = this.namespacesByPair.get(pair) ?? [];
      if (posting.length < candidates.length) candidates = posting;
    }
    return candidates.filter((ns) => selector.matches(this.cluster.namespaces.get(ns)!));
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
      const namespaces = peer.namespaceSelector ? this.selectNamespaces(peer.namespaceSelector) : [policyNamespace];
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
