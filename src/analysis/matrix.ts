import { Bitset, BitsetInterner, BitsetPool, WordsIndex } from './bitset';
import { applyCiliumPolicies, CiliumDenied } from './cilium-matrix';
import { admitOwnNode, applicableRules, combineTiers, tierMatches, tierPolicies, undecidedSubject } from './precedence';
import { allowMatches, fromOwnNode, peerMatches, portsMatch, PortQuery, Reading, resolveTraffic, rulePeerMatch, Side, tierRuleMatches } from './semantics';
import { Cluster, ClusterEndpoint, ClusterPolicy, PolicyRule, RulePeer, TierRule } from '../inventory/cluster';
import { FirstMatch, firstMatch, SetAlgebra } from '../inventory/first-match';
import { CompiledSelector } from '../k8s/label-selector';
import { hasNamedPorts, isAllTraffic, portEntryKey, PortSet, Traffic } from '../k8s/port-set';

/** The computed reachability of every endpoint pair for one port. */
export interface ComputedMatrix {
  /**
   * `rows[s]` holds the destinations `s` may connect to. Loopback cells of single pods are set.
   * Equal rows may be one shared set: read them, never change them.
   */
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
  return new MatrixEngine(cluster).compute(query);
}

/**
 * `computeMatrix` for several ports of one cluster: the selections (policies' pods, peers'
 * endpoints) are computed once and shared by every port. Everything that decides a pair goes through
 * `computeSides` (NetworkPolicies, then the cluster-wide tiers), so a matrix over class
 * representatives (`EndpointClasses`) decides with the same precedence as one over every pod.
 */
export class MatrixEngine {
  private readonly selections: Selections;
  /** The sides' sets, taken back at each port. */
  private readonly sidePool: BitsetPool;
  /** The sets of one port's destinations and sources, taken back at each port. */
  private readonly groupPool: BitsetPool;
  /** The transposed distinct ingress sides, one row per source, rewritten at each port (grown when a port needs more). */
  private scratch?: Uint32Array;
  /** The rows handed out, each distinct row stored once (shared by sources and by ports). */
  private readonly rows: BitsetInterner;

  constructor(private readonly cluster: Cluster) {
    this.selections = new Selections(cluster);
    this.sidePool = new BitsetPool(cluster.endpoints.length);
    this.groupPool = new BitsetPool(cluster.endpoints.length);
    this.rows = new BitsetInterner(cluster.endpoints.length);
  }

  /**
   * Reachability of every pair for one port (see `computeMatrix`). Equal rows are one shared
   * `Bitset` (within one port and across the ports of this engine): read them, never change them.
   *
   * A row is `admits(s) & egress(s) & receives`, where `admits(s)` holds the destinations whose
   * ingress admits `s`. Destinations with equal ingress sides are one column of the transpose, so
   * only the distinct ingress sets are transposed; sources the same distinct sets admit have one
   * `admits`, and sources with one `admits` and one egress side have one row (a single pod's
   * loopback cell makes its row its own).
   */
  public compute(query: PortQuery): ComputedMatrix {
    const cluster = this.cluster;
    const n = cluster.endpoints.length;
    this.sidePool.reset();
    const { reachable, ingressFrom, egressTo, traffic } = sides(cluster, query, this.selections, this.sidePool);
    const all = Bitset.full(n);
    const wordsPerRow = all.words.length;
    // The distinct ingress sides (a destination not isolated for ingress admits every source), and
    // the destinations of each.
    const ingress = new WordsIndex();
    const ingressOf = new Int32Array(n);
    const open = n === 0 ? -1 : ingress.id(all.words); // not isolated: admits every source
    for (let d = 0; d < n; d++) {
      const set = ingressFrom[d];
      ingressOf[d] = set === undefined ? open : ingress.id(set.words);
    }
    const m = ingress.distinct.length;
    const distinct = ingress.distinct.map((words) => new Bitset(n, words));
    this.groupPool.reset();
    // The destinations of each distinct ingress set: `byIngress[start[j]..start[j + 1]]`.
    const start = new Int32Array(m + 1);
    for (let d = 0; d < n; d++) start[ingressOf[d] + 1]++;
    for (let j = 0; j < m; j++) start[j + 1] += start[j];
    const byIngress = new Int32Array(n);
    const next = start.slice(0, m);
    for (let d = 0; d < n; d++) byIngress[next[ingressOf[d]]++] = d;
    // For each source, the distinct ingress sets that admit it (m bits), 32 x 32 bits at a time.
    const wordsPerSource = Math.ceil(m / 32);
    if (!this.scratch || this.scratch.length < wordsPerSource * n) this.scratch = new Uint32Array(wordsPerSource * n);
    const admittedBy = this.scratch;
    Bitset.transposeInto(distinct, n, admittedBy, m);
    const destinations = { start, byIngress, ingressOf };
    const admitsIndex = new WordsIndex();
    const admits: Bitset[] = [];
    const egress = new WordsIndex();
    const rowOf = new Map<number, Bitset>();
    const row = new Uint32Array(wordsPerRow);
    const dest = reachable.words;
    const rows: Bitset[] = new Array(n);
    for (let s = 0; s < n; s++) {
      const by = admittedBy.subarray(s * wordsPerSource, (s + 1) * wordsPerSource);
      const a = admitsIndex.id(by);
      if (a === admits.length) admits.push(this.expand(by, destinations));
      const side = egressTo[s];
      const out = (side ?? all).words;
      const e = side === undefined ? -1 : egress.id(out); // -1: not isolated, reaches everything
      const loopback = cluster.endpoints[s].singleInstance && reachable.has(s); // never policed
      const key = a * (n + 1) + e + 1;
      let r = loopback ? undefined : rowOf.get(key);
      if (r === undefined) {
        const w = admits[a].words;
        for (let i = 0; i < wordsPerRow; i++) row[i] = w[i] & out[i] & dest[i];
        if (loopback) row[s >>> 5] |= 1 << (s & 31);
        r = this.rows.intern(row);
        if (!loopback) rowOf.set(key, r);
      }
      rows[s] = r;
    }
    return { rows, traffic };
  }

  /**
   * The destinations whose ingress admits a source that the distinct ingress sets `by` (bits)
   * admit: the destinations of those sets, or bit by bit when that is fewer operations.
   */
  private expand(by: Uint32Array, destinations: { start: Int32Array; byIngress: Int32Array; ingressOf: Int32Array }): Bitset {
    const { start, byIngress, ingressOf } = destinations;
    const n = ingressOf.length;
    const set = this.groupPool.take();
    let count = 0;
    for (let i = 0; i < by.length; i++) {
      let w = by[i];
      while (w !== 0 && count <= n / 8) {
        const j = i * 32 + 31 - Math.clz32(w & -w);
        count += start[j + 1] - start[j];
        w &= w - 1;
      }
    }
    if (count <= n / 8) {
      for (let i = 0; i < by.length; i++) {
        let w = by[i];
        while (w !== 0) {
          const j = i * 32 + 31 - Math.clz32(w & -w);
          for (let k = start[j]; k < start[j + 1]; k++) set.add(byIngress[k]);
          w &= w - 1;
        }
      }
    } else {
      // Bit d is bit ingressOf[d] of `by`, a word (32 destinations) at a time.
      const words = set.words;
      for (let i = 0; i < words.length; i++) {
        const base = i * 32;
        const end = Math.min(32, n - base);
        let w = 0;
        for (let k = 0; k < end; k++) {
          const j = ingressOf[base + k];
          w |= ((by[j >>> 5] >>> (j & 31)) & 1) << k;
        }
        words[i] = w;
      }
    }
    return set;
  }
}

/**
 * Both sides of every connection for one port, before they are combined into rows: the
 * destinations that receive the port, and per endpoint the peers its ingress admits and its egress
 * reaches (undefined: not isolated in that direction, so everything). A connection s -> d is
 * allowed when d receives the port, `egressTo[s]` (or everything) has d and `ingressFrom[d]` (or
 * everything) has s, or it is loopback of a single pod: what `computeMatrix` assembles for every
 * pair, and what a search over a few pairs (the invariants) asks pair by pair.
 */
export interface ComputedSides {
  /** The destinations that receive the query (a named port they do not declare leaves nothing to connect to). */
  readonly reachable: Bitset;
  /** `ingressFrom[d]`: the sources d's ingress rules admit; undefined when d is not isolated for ingress. */
  readonly ingressFrom: ReadonlyArray<Bitset | undefined>;
  /** `egressTo[s]`: the destinations s's egress rules allow; undefined when s is not isolated for egress. */
  readonly egressTo: ReadonlyArray<Bitset | undefined>;
  /** The traffic each destination receives for the query. */
  readonly traffic: Array<Traffic | undefined>;
}

/**
 * The sides of every connection for one port (see `ComputedSides`), from selections computed once
 * as bitsets. The selections do not depend on the port: give the same `selections` (of the same
 * cluster) for several ports to compute them once. They carry the reading of what the input leaves
 * open (`Reading`): fail closed unless made for the widest (`new Selections(cluster, 'widest')`).
 */
export function computeSides(cluster: Cluster, query: PortQuery, selections: Selections = new Selections(cluster)): ComputedSides {
  return sides(cluster, query, selections, new BitsetPool(cluster.endpoints.length));
}

/** `computeSides` with the sides' sets taken from `pool`. */
function sides(cluster: Cluster, query: PortQuery, selections: Selections, pool: BitsetPool): ComputedSides {
  const n = cluster.endpoints.length;
  const index = selections._index;
  const reading = index.reading;
  const traffic = cluster.endpoints.map((d) => resolveTraffic(d, query));
  const reachable = new Bitset(n);
  traffic.forEach((t, i) => t && reachable.add(i));

  const ingressFrom: Array<Bitset | undefined> = new Array(n);
  const egressTo: Array<Bitset | undefined> = new Array(n);

  const first = traffic.find((t) => t !== undefined);
  const uniform = traffic.every((t) => t === undefined || (first && t.port === first.port && t.protocol === first.protocol));
  // Many rules name the same ports: their destinations are computed once per port set.
  const rules = index.compiled();
  const answers: Array<'all' | 'none' | Bitset | undefined> = new Array(rules.portSets.length);
  const portsOf = (id: number) => (answers[id] ??= rulePorts(cluster, rules.portSets[id], traffic, uniform ? first ?? null : undefined));
  for (const selected of rules.ingress.isolated) for (const d of selected) ingressFrom[d] ??= pool.take();
  for (const group of rules.ingress.groups) {
    const portOk = portsOf(group.ports);
    if (portOk === 'none') continue;
    for (const d of group.targets) {
      if (portOk === 'all' || portOk.has(d)) orInto(ingressFrom[d]!, group.peers);
    }
  }
  for (const selected of rules.egress.isolated) for (const d of selected) egressTo[d] ??= pool.take();
  for (const group of rules.egress.groups) {
    const portOk = portsOf(group.ports);
    if (portOk === 'none') continue;
    for (const s of group.targets) {
      if (portOk === 'all') orInto(egressTo[s]!, group.peers);
      else orIntoMasked(egressTo[s]!, group.peers, portOk);
    }
  }

  const denied = cluster.ciliumPolicies.length > 0 ? applyCiliumPolicies(cluster, traffic, ingressFrom, egressTo, reading) : undefined;
  if (cluster.tieredPolicies.length > 0 || denied) applyTiers(cluster, traffic, ingressFrom, egressTo, denied, reading);
  admitOwnNodes(cluster, ingressFrom, denied);

  return { reachable, ingressFrom, egressTo, traffic };
}

/**
 * Over every tier, each pod's ingress admits its own node's ends (`admitOwnNode` over the ends
 * `fromOwnNode` holds for, and what the Cilium deny rules deny). A side not isolated (undefined)
 * admits them already; an isolated one gets a new set, as sides may share sets.
 */
function admitOwnNodes(cluster: Cluster, ingressFrom: Array<Bitset | undefined>, denied: CiliumDenied | undefined): void {
  const n = cluster.endpoints.length;
  const byNode = new Map<string, ClusterEndpoint[]>();
  for (const e of cluster.endpoints) {
    if (e.nodeTraffic && e.node !== undefined) {
      const ends = byNode.get(e.node);
      if (ends) ends.push(e);
      else byNode.set(e.node, [e]);
    }
  }
  if (byNode.size === 0) return;
  const alg = bitsetAlgebra(n);
  for (const d of cluster.endpoints) {
    const from = ingressFrom[d.index];
    const ends = d.node === undefined ? undefined : byNode.get(d.node);
    if (from === undefined || ends === undefined) continue;
    const own = new Bitset(n);
    for (const o of ends) if (fromOwnNode('ingress', d, o)) own.add(o.index);
    if (own.isEmpty()) continue;
    ingressFrom[d.index] = admitOwnNode(alg, from, own, denied?.ingress[d.index] ?? alg.none);
  }
}

/** Bitsets as the precedence's sets (each operation makes a new set; the inputs are never changed). */
function bitsetAlgebra(n: number): SetAlgebra<Bitset> {
  const combine = (a: Bitset, b: Bitset, f: (x: number, y: number) => number) => {
    const out = new Bitset(n);
    for (let i = 0; i < out.words.length; i++) out.words[i] = f(a.words[i], b.words[i]);
    return out;
  };
  return {
    none: new Bitset(n),
    all: Bitset.full(n),
    and: (a, b) => combine(a, b, (x, y) => x & y),
    or: (a, b) => combine(a, b, (x, y) => x | y),
    minus: (a, b) => combine(a, b, (x, y) => x & ~y),
  };
}

/**
 * The cluster-wide tiers over the NetworkPolicies' sets: for each pod and direction, `combineTiers`
 * (the precedence, as for one pair) over bitsets of the other ends. `egressTo[s]`/`ingressFrom[d]`
 * hold what the NetworkPolicies allow (undefined: not isolated) and become what the tiers allow.
 * Pods with the same applicable rules (and, for ingress, the same port answers) share one first-match pass.
 */
function applyTiers(
  cluster: Cluster, traffic: Array<Traffic | undefined>, ingressFrom: Array<Bitset | undefined>, egressTo: Array<Bitset | undefined>,
  denied?: CiliumDenied, reading: Reading = 'failClosed',
): void {
  const n = cluster.endpoints.length;
  const alg = bitsetAlgebra(n);
  const tiers = { admin: tierPolicies(cluster, 'admin'), baseline: tierPolicies(cluster, 'baseline') };
  // For each rule, the ends it matches and those for which that cannot be decided (`tierRuleMatches`).
  const peerSets = new Map<TierRule, { matched: Bitset; undecided: Bitset }>();
  const peersOf = (rule: TierRule) => {
    let sets = peerSets.get(rule);
    if (!sets) {
      sets = { matched: new Bitset(n), undecided: new Bitset(n) };
      for (const e of cluster.endpoints) {
        const m = tierRuleMatches(cluster, rule.peers, e);
        if (m !== false) (m ? sets.matched : sets.undecided).add(e.index);
      }
      peerSets.set(rule, sets);
    }
    return sets;
  };
  const egressMatched = new Map<TierRule, { matched: Bitset; undecided: Bitset }>();
  const egressOf = (rule: TierRule) => {
    let sets = egressMatched.get(rule);
    if (!sets) {
      const ports = rulePortSet(cluster, rule.ports, traffic);
      const peers = peersOf(rule);
      sets = ports === 'all' ? peers : ports === 'none' ? { matched: alg.none, undecided: alg.none }
        : { matched: peers.matched.and(ports), undecided: peers.undecided.and(ports) };
      egressMatched.set(rule, sets);
    }
    return sets;
  };
  const ids = new Map<TierRule, number>();
  const idOf = (rule: TierRule) => {
    let id = ids.get(rule);
    if (id === undefined) ids.set(rule, (id = ids.size));
    return id;
  };
  const outcomes = new Map<string, FirstMatch<Bitset>>();
  const tier = (name: 'admin' | 'baseline', side: Side, self: ClusterEndpoint): FirstMatch<Bitset> => {
    const rules = applicableRules(cluster, tiers[name], side, self);
    const t = traffic[self.index];
    const portOk = side === 'ingress' ? rules.map(({ rule }) => t !== undefined && portsMatch(rule.ports, t, self)) : [];
    const key = `${side} ${rules.map(({ rule, subjectUndecided }, k) => `${idOf(rule)}${subjectUndecided ? '?' : ''}${side === 'ingress' ? (portOk[k] ? '+' : '-') : ''}`).join(',')}`;
    let outcome = outcomes.get(key);
    if (!outcome) {
      outcome = firstMatch(alg, tierMatches(rules, (r, k) => undecidedSubject(alg, r, side === 'egress' ? egressOf(r.rule)
        : portOk[k] ? peersOf(r.rule) : { matched: alg.none, undecided: alg.none })));
      outcomes.set(key, outcome);
    }
    return outcome;
  };
  for (const self of cluster.endpoints) {
    if (self.external) continue; // outside the cluster: not policed
    for (const side of ['egress', 'ingress'] as const) {
      const sets = side === 'egress' ? egressTo : ingressFrom;
      const np = sets[self.index];
      const outcome = { isolated: np ? alg.all : alg.none, allowed: np ?? alg.all, denied: denied?.[side][self.index] ?? alg.none };
      const p = combineTiers(alg, tier('admin', side, self), outcome, tier('baseline', side, self), reading);
      sets[self.index] = p.allowed;
    }
  }
}

/** Which destinations a rule's ports allow the query to: 'all', 'none' or a set (named ports are resolved per destination). */
function rulePortSet(cluster: Cluster, ports: PortSet, traffic: Array<Traffic | undefined>): 'all' | 'none' | Bitset {
  if (isAllTraffic(ports)) return 'all';
  const set = new Bitset(cluster.endpoints.length);
  traffic.forEach((t, d) => t && portsMatch(ports, t, cluster.endpoints[d]) && set.add(d));
  return set;
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

/**
 * The selections of a cluster's policies and peers, cached, for `computeSides` over several ports,
 * in one reading of what the input leaves open (`Reading`, fail closed by default).
 */
export class Selections {
  /** @internal */
  public readonly _index: SelectionIndex;

  constructor(cluster: Cluster, reading: Reading = 'failClosed') {
    this._index = new SelectionIndex(cluster, reading);
  }
}

/** Endpoint selections by namespace and label, with the peer sets of rules cached by meaning. */
class SelectionIndex {
  private readonly byNamespace = new Map<string, number[]>();
  /** Endpoints by namespace, then `key=value` of their labels. */
  private readonly byPair = new Map<string, Map<string, number[]>>();
  /** The `key=value` text of each label, made once (by key, then value): map lookups by it then hash it once. */
  private readonly pairTexts = new Map<string, Map<string, string>>();
  /** Endpoints by `key=value` of their labels, across namespaces (for peers with a namespaceSelector). */
  private readonly byPairAnywhere = new Map<string, number[]>();
  private readonly ruleCache = new Map<PolicyRule, Members>();
  private readonly withIps: ClusterEndpoint[];
  private readonly multiAddress: ClusterEndpoint[];
  /** Peer sets by the peer's text (peers that name the namespaces they look in). */
  private readonly peerCache = new Map<string, Members>();
  /** Peer sets of peers without a namespaceSelector (they look in the policy's namespace), by text, then namespace. */
  private readonly localPeerCache = new Map<string, Map<string, Members>>();
  private readonly portKeys = new Map<PolicyRule, string>();
  private readonly all: Bitset;
  /** The peer sets, from shared blocks. */
  private readonly pool: BitsetPool;
  /** The most members a set kept as a list may have (a list of more takes more memory than a bitset). */
  private readonly fewest: number;
  /** Namespace names by `key=value` of their labels, for namespace selectors with matchLabels. */
  private readonly namespacesByPair = new Map<string, string[]>();
  private readonly namespaceNames: string[];
  /** Whether a namespace with endpoints has no Namespace object in the input (`Cluster.namespaceLabelsGuessed`). */
  private readonly anyGuessed: boolean;
  private readonly selectedCache = new Map<ClusterPolicy, number[]>();
  /** Policies' selections by the pod selector's text, then namespace. */
  private readonly selectionCache = new Map<string, Map<string, number[]>>();
  private compiledRules?: CompiledRules;

  constructor(private readonly cluster: Cluster, public readonly reading: Reading) {
    for (const e of cluster.endpoints) {
      // Node traffic is neither selected by policies nor matched by selector peers; ipBlocks see it through withIps.
      if (e.namespace === undefined || e.nodeTraffic) continue;
      push(this.byNamespace, e.namespace, e.index);
      let inNamespace = this.byPair.get(e.namespace);
      if (inNamespace === undefined) this.byPair.set(e.namespace, (inNamespace = new Map()));
      for (const k of Object.keys(e.labels)) {
        const pair = this.pairText(k, e.labels[k]);
        push(inNamespace, pair, e.index);
        push(this.byPairAnywhere, pair, e.index);
      }
    }
    this.withIps = cluster.endpoints.filter((e) => e.ips.length > 0);
    this.multiAddress = this.withIps.filter((e) => e.ips.length > 1);
    this.all = Bitset.full(cluster.endpoints.length);
    this.pool = new BitsetPool(cluster.endpoints.length);
    this.fewest = Math.ceil(cluster.endpoints.length / 64);
    // Only namespaces with endpoints can add to a peer's set.
    this.namespaceNames = [...cluster.namespaces.keys()].filter((ns) => this.byNamespace.has(ns));
    this.anyGuessed = this.namespaceNames.some((ns) => cluster.namespaceLabelsGuessed(ns));
    for (const ns of this.namespaceNames) {
      const labels = cluster.namespaceLabels(ns);
      for (const k of Object.keys(labels)) push(this.namespacesByPair, this.pairText(k, labels[k]), ns);
    }
  }

  /** `key=value`, the form of a selector's required pairs. */
  private pairText(key: string, value: string): string {
    let byValue = this.pairTexts.get(key);
    if (byValue === undefined) this.pairTexts.set(key, (byValue = new Map()));
    let text = byValue.get(value);
    if (text === undefined) byValue.set(value, (text = `${key}=${value}`));
    return text;
  }

  /**
   * The namespaces with endpoints that `selector` matches, in the cluster's order, as a NetworkPolicy
   * peer reads them (`allowMatches`): certainly (`Cluster.namespaceMatches`), the only reading of
   * a NetworkPolicy peer that never allows more, or in the widest reading possibly.
   */
  private selectNamespaces(selector: CompiledSelector): string[] {
    let candidates = this.namespaceNames;
    // The postings hold the labels the input gives: in the widest reading a namespace without its
    // Namespace object may carry any required pair, so every namespace is a candidate.
    const guessesCount = this.reading === 'widest' && this.anyGuessed;
    for (const pair of guessesCount ? [] : selector.requiredPairs) {
      const posting = this.namespacesByPair.get(pair) ?? [];
      if (posting.length < candidates.length) candidates = posting;
    }
    return candidates.filter((ns) => allowMatches(this.cluster.namespaceMatches(selector, ns), this.reading));
  }

  /** The endpoints `policy` selects (by its namespace and pod selector; the same for every port). */
  public selected(policy: ClusterPolicy): number[] {
    let list = this.selectedCache.get(policy);
    if (list === undefined) {
      // Policies of one namespace with the same pod selector (kubectl's text names it exactly) share
      // one list (looked up by both strings, never a key made of them per policy).
      let byNamespace = this.selectionCache.get(policy.podSelectorText);
      if (byNamespace === undefined) this.selectionCache.set(policy.podSelectorText, (byNamespace = new Map()));
      list = byNamespace.get(policy.namespace);
      if (list === undefined) byNamespace.set(policy.namespace, (list = this.select(policy.namespace, policy.podSelector)));
      this.selectedCache.set(policy, list);
    }
    return list;
  }

  /**
   * The NetworkPolicies' rules as the same for every port: per direction, the endpoints each policy
   * isolates, and the rules grouped by the endpoints they apply to and their ports (`portSets`
   * holds one rule of each distinct ports), each group's peers united. Computed once.
   */
  public compiled(): CompiledRules {
    if (this.compiledRules) return this.compiledRules;
    const portSets: PolicyRule[] = [];
    const portIds = new Map<string, number>();
    const listIds = new Map<number[], number>();
    const side = (direction: 'ingress' | 'egress'): CompiledSide => {
      const isolated: number[][] = [];
      type Group = { targets: number[]; ports: number; parts: Members[] };
      // By the targets' list number, then the ports' number (insertion order kept in `order`).
      const groups = new Map<number, Map<number, Group>>();
      const order: Group[] = [];
      for (const policy of this.cluster.policies) {
        const rules = policy[direction];
        if (!rules) continue;
        const selected = this.selected(policy);
        if (selected.length === 0) continue;
        isolated.push(selected);
        let listId = listIds.get(selected);
        if (listId === undefined) listIds.set(selected, (listId = listIds.size));
        for (const rule of rules) {
          const portsKey = this.portsKey(rule);
          let ports = portIds.get(portsKey);
          if (ports === undefined) {
            portIds.set(portsKey, (ports = portSets.length));
            portSets.push(rule);
          }
          let byPorts = groups.get(listId);
          if (byPorts === undefined) groups.set(listId, (byPorts = new Map()));
          const group = byPorts.get(ports);
          const peers = this.peers(policy.namespace, rule);
          if (group) {
            group.parts.push(peers);
          } else {
            const added = { targets: selected, ports, parts: [peers] };
            byPorts.set(ports, added);
            order.push(added);
          }
        }
      }
      return { isolated, groups: order.map((g) => ({ targets: g.targets, ports: g.ports, peers: this.union(g.parts) })) };
    };
    const ingress = side('ingress');
    const egress = side('egress');
    return (this.compiledRules = { portSets, ingress, egress });
  }

  /** The union of sets: a list while the members are few, else a bitset. */
  private union(parts: Members[]): Members {
    if (parts.length === 1) return parts[0];
    if (parts.includes(this.all)) return this.all;
    if (parts.every((m): m is number[] => Array.isArray(m)) && parts.reduce((k, m) => k + m.length, 0) <= this.fewest) return parts.flat();
    const set = this.pool.take();
    for (const m of parts) orInto(set, m);
    return set;
  }

  /** Endpoints of `namespace` matching `selector`. */
  public select(namespace: string, selector: CompiledSelector): number[] {
    let candidates = this.byNamespace.get(namespace) ?? [];
    const inNamespace = this.byPair.get(namespace);
    for (const pair of selector.requiredPairs) {
      const posting = inNamespace?.get(pair) ?? [];
      if (posting.length < candidates.length) candidates = posting;
    }
    if (selector.matchesEverything) return candidates;
    return candidates.filter((i) => selector.matches(this.cluster.endpoints[i].labels));
  }

  /**
   * The endpoints any peer of the rule matches (every endpoint when the rule has no peers): a set,
   * or the list of its members when they are few (see `orInto`).
   */
  public peers(policyNamespace: string, rule: PolicyRule): Members {
    if (!rule.peers) return this.all;
    if (rule.peers.length === 1) return this.peer(policyNamespace, rule.peers[0]);
    let union = this.ruleCache.get(rule);
    if (!union) {
      const parts = rule.peers.map((p) => this.peer(policyNamespace, p));
      // Ends with several addresses that the rule's ipBlocks hold only together (one each: `rulePeerMatch`).
      if (this.multiAddress.length > 0 && rule.peers.filter((p) => p.kind === 'ipBlock').length > 1) {
        const jointly = this.multiAddress.filter((e) => !rule.peers!.some((p) => peerMatches(this.cluster, policyNamespace, p, e, this.reading))
          && rulePeerMatch(this.cluster, policyNamespace, rule.peers!, e, this.reading) !== undefined).map((e) => e.index);
        if (jointly.length > 0) parts.push(jointly);
      }
      this.ruleCache.set(rule, (union = this.union(parts)));
    }
    return union;
  }

  /** The key of a rule's ports, for the port answers shared by rules with the same ports. */
  public portsKey(rule: PolicyRule): string {
    let key = this.portKeys.get(rule);
    if (key === undefined) this.portKeys.set(rule, (key = rule.ports.map(portEntryKey).join('\u0000')));
    return key;
  }

  private peer(policyNamespace: string, peer: RulePeer): Members {
    // A peer without a namespaceSelector means its pods in the policy's namespace: cached per namespace.
    let cache = this.peerCache;
    if (peer.kind === 'selectors' && !peer.namespaceSelector) {
      let byNamespace = this.localPeerCache.get(peer.text);
      if (byNamespace === undefined) this.localPeerCache.set(peer.text, (byNamespace = new Map()));
      cache = byNamespace;
    }
    const key = cache === this.peerCache ? peer.text : policyNamespace;
    let set = cache.get(key);
    if (set) return set;
    const members: number[] = [];
    if (peer.kind === 'ipBlock') {
      // In the widest reading an end whose address the input does not give may be held too (`peerMatches`).
      const ends = this.reading === 'widest' ? this.cluster.endpoints : this.withIps;
      for (const e of ends) if (peerMatches(this.cluster, policyNamespace, peer, e, this.reading)) members.push(e.index);
    } else if (peer.namespaceSelector && peer.podSelector && peer.podSelector.requiredPairs.length > 0) {
      // The pods carrying the selector's rarest required label, anywhere, kept when their namespace matches.
      const namespaces = new Set(this.selectNamespaces(peer.namespaceSelector));
      let candidates: number[] | undefined;
      for (const pair of peer.podSelector.requiredPairs) {
        const posting = this.byPairAnywhere.get(pair) ?? [];
        if (candidates === undefined || posting.length < candidates.length) candidates = posting;
      }
      for (const i of candidates!) {
        const e = this.cluster.endpoints[i];
        if (namespaces.has(e.namespace!) && peer.podSelector.matches(e.labels)) members.push(i);
      }
    } else {
      const namespaces = peer.namespaceSelector ? this.selectNamespaces(peer.namespaceSelector) : [policyNamespace];
      for (const ns of namespaces) {
        for (const i of peer.podSelector ? this.select(ns, peer.podSelector) : (this.byNamespace.get(ns) ?? [])) members.push(i);
      }
    }
    if (members.length <= this.fewest) {
      set = members;
    } else {
      const bits = this.pool.take();
      for (const i of members) bits.add(i);
      set = bits;
    }
    cache.set(key, set);
    return set;
  }
}

/** The NetworkPolicies' rules of one direction, for every port (see `SelectionIndex.compiled`). */
interface CompiledSide {
  /** The endpoints each policy with rules of this direction isolates (one list per policy). */
  readonly isolated: number[][];
  /** Rules that apply to the same endpoints with the same ports, their peers united. */
  readonly groups: ReadonlyArray<{ readonly targets: number[]; readonly ports: number; readonly peers: Members }>;
}

interface CompiledRules {
  /** A rule of each distinct ports, by the number the groups give. */
  readonly portSets: PolicyRule[];
  readonly ingress: CompiledSide;
  readonly egress: CompiledSide;
}

/**
 * A set of endpoints: a bitset, or the list of its members (in any order, repeats allowed) when they
 * are few. Most peers match a few pods of one namespace: as lists they take little memory, and
 * adding them to a side sets a few bits instead of OR-ing every word.
 */
type Members = Bitset | number[];

/** target |= set */
function orInto(target: Bitset, set: Members): void {
  if (Array.isArray(set)) for (const i of set) target.add(i);
  else target.or(set);
}

/** target |= (set & mask) */
function orIntoMasked(target: Bitset, set: Members, mask: Bitset): void {
  if (Array.isArray(set)) {
    for (const i of set) if (mask.has(i)) target.add(i);
  } else {
    target.orAnd(set, mask);
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
