import { Bitset } from './bitset';
import { snapshotClassKey } from './equivalence';
import { computeSides, MatrixEngine, Selections } from './matrix';
import { newFeaturesSeen, PolicyFeatures, policyFeatures } from './policy-features';
import { probePorts, ProbePort } from './probe-ports';
import { peerMatches, portsMatch, resolveTraffic, rulePeerMatch, selects } from './semantics';
import { Cluster, ClusterEndpoint, ClusterPolicy, PolicyRule, RulePeer } from '../inventory/cluster';
import { portEntryKey } from '../k8s/port-set';

/** One changed class pair on one port: the members of joint class `from` to those of `to`. */
export interface ClassPairChange {
  /** The joint class of the sources (see `IncrementalDiff.jointMembers`). */
  readonly from: number;
  /** The joint class of the destinations. */
  readonly to: number;
  /** True: allowed after and not before (opened); false: closed. */
  readonly opened: boolean;
}

/**
 * The diff of two snapshots of a cluster by classes, recomputing only what the change touches.
 *
 * The classes are cut over BOTH snapshots' features together (`policyFeatures` of each, merged),
 * so a class means the same in both: its members look the same to every policy of either snapshot.
 * The shared endpoints are cut again by their class before and their class after (joint classes):
 * the members of two joint classes change together, so a change is a joint class pair and a port,
 * expanded to endpoint pairs only when asked (`pairs`).
 *
 * Touched classes: the subjects (in either snapshot) of the NetworkPolicies added, removed or
 * changed, and the classes the endpoints move between (pod or namespace labels changed). Between
 * untouched classes nothing can change: the policies selecting them, and what those policies see in
 * their peers, are the same on both sides. For a touched class `t`, only its own sides are computed
 * on both sides over every class (by the NetworkPolicies that can select touched classes); the other
 * end of a pair `t -> d` (d untouched) decides the same on both sides, so it is asked only where
 * `t`'s egress changed, and for `s -> t` only where `t`'s ingress changed. When the endpoints move
 * between classes, their rows and columns are computed over every class. With cluster-wide tiers or
 * Cilium policies on either side every class is touched and both class matrices are computed whole,
 * each over its own snapshot's classes only (a Cilium verdict may read endpoints other than the
 * pair's ends: the DNS servers of `dnsVisibility`).
 */
export class IncrementalDiff {
  /** The diff of `before` and `after`. */
  public static of(before: Cluster, after: Cluster): IncrementalDiff {
    return new IncrementalDiff(before, after);
  }

  /** The ports compared: every port any policy of either side mentions, plus "any other port" per protocol. */
  public readonly probes: ProbePort[];
  /** The endpoint ids both sides contain, in the order of the before side. */
  public readonly shared: string[];
  /** Endpoint ids only after. */
  public readonly added: string[];
  /** Endpoint ids only before. */
  public readonly removed: string[];
  /** The classes over both snapshots. */
  public readonly classCount: number;
  /** The classes the change touches (recomputed). */
  public readonly touchedCount: number;
  /** The ports recomputed: those the rules of the changed policies can match (every port when isolation or endpoints change). */
  public readonly touchedProbes: number;
  /** True when every class is recomputed (cluster-wide tiers or Cilium policies on either side). */
  public readonly whole: boolean;
  /** The members of each joint class, as indexes into `shared`, ascending. */
  public readonly jointMembers: number[][];
  /** Per probe (same index as `probes`), the changed joint class pairs, by source then destination. */
  public readonly changes: ClassPairChange[][];
  /** `loopback[i]`: shared endpoint i is a single instance on either side (to itself: never policed, never compared). */
  public readonly loopback: boolean[];

  private constructor(before: Cluster, after: Cluster) {
    // The shared endpoints as (before, after) pairs, looked up once.
    this.shared = [];
    this.removed = [];
    const sharedBefore: ClusterEndpoint[] = [];
    const sharedAfter: ClusterEndpoint[] = [];
    for (const eb of before.endpoints) {
      const ea = after.endpoint(eb.id);
      if (ea === undefined) {
        this.removed.push(eb.id);
        continue;
      }
      this.shared.push(eb.id);
      sharedBefore.push(eb);
      sharedAfter.push(ea);
    }
    this.added = after.endpoints.filter((e) => before.endpoint(e.id) === undefined).map((e) => e.id);
    this.probes = probePorts([before, after]);
    const queries = this.probes.map((p) => p.query);
    // The after side leaves out the selectors and peers the before side took in (its union is exact).
    const seen = newFeaturesSeen();
    const features = mergeFeatures(policyFeatures(before, queries, seen), policyFeatures(after, queries, seen));

    // Classes over both snapshots: one key space, so class c means the same on both sides.
    const byKey = new Map<string, number>();
    const classesOf = (cluster: Cluster) => {
      const nsKeys = new Map<string, string>();
      const out = new Int32Array(cluster.endpoints.length);
      for (const e of cluster.endpoints) {
        const key = snapshotClassKey(cluster, features, e, nsKeys);
        let c = byKey.get(key);
        if (c === undefined) byKey.set(key, (c = byKey.size));
        out[e.index] = c;
      }
      return out;
    };
    const classB = classesOf(before);
    const classA = classesOf(after);
    const k = byKey.size;
    this.classCount = k;
    const sides = [new Side(before, classB, k), new Side(after, classA, k)] as const;

    // Joint classes of the shared endpoints: (class before, class after).
    const jointOf = new Map<number, number>();
    const jointB: number[] = [];
    const jointA: number[] = [];
    this.jointMembers = [];
    this.loopback = [];
    for (let i = 0; i < this.shared.length; i++) {
      const eb = sharedBefore[i];
      const ea = sharedAfter[i];
      const cb = classB[eb.index];
      const ca = classA[ea.index];
      this.loopback.push(eb.singleInstance || ea.singleInstance);
      const key = cb * k + ca;
      let j = jointOf.get(key);
      if (j === undefined) {
        j = this.jointMembers.length;
        jointOf.set(key, j);
        jointB.push(cb);
        jointA.push(ca);
        this.jointMembers.push([]);
      }
      this.jointMembers[j].push(i);
    }

    // What the change touches.
    this.whole = [before, after].some((c) => c.tieredPolicies.length > 0 || c.ciliumPolicies.length > 0);
    const touched = new Uint8Array(k);
    let moved = false;
    for (let j = 0; j < jointB.length; j++) {
      if (jointB[j] !== jointA[j]) {
        touched[jointB[j]] = touched[jointA[j]] = 1;
        moved = true;
      }
    }
    const changedPolicies = changedPolicyIds(before, after);
    for (const side of sides) {
      for (const p of side.cluster.policies) {
        if (!changedPolicies.has(p.id)) continue;
        for (const c of side.classesIn(p.namespace)) {
          const rep = side.repOf[c]!;
          if (selects(p, 'ingress', rep) || selects(p, 'egress', rep)) touched[c] = 1;
        }
      }
    }
    if (this.whole) touched.fill(1);
    const touchedList: number[] = [];
    for (let c = 0; c < k; c++) if (touched[c]) touchedList.push(c);
    this.touchedCount = touchedList.length;

    const joints = { jointB, jointA, members: this.jointMembers };
    this.touchedProbes = touchedList.length === 0 ? 0 : this.probes.length;
    if (touchedList.length === 0) {
      this.changes = this.probes.map(() => []);
    } else if (this.whole) {
      // Each side over its own classes only (`Side.own`): a Cilium verdict may read endpoints other
      // than the pair's ends (the DNS servers a pod's lookups reach, `dnsVisibility`), so a class of
      // the other side must not stand in this side's universe.
      const owns = sides.map((s) => s.own());
      const engines = sides.map((s, x) => new MatrixEngine(s.cluster.withEndpoints(owns[x].endpoints)));
      this.changes = this.probes.map((probe) => wholeChanges(joints,
        { rows: engines[0].compute(probe.query).rows, at: owns[0].at }, { rows: engines[1].compute(probe.query).rows, at: owns[1].at }));
    } else {
      // The NetworkPolicies alone: a pair's verdict reads only its two ends, so a class absent on a
      // side may borrow the other side's representative (`Side.universe`).
      for (const [x, y] of [[0, 1], [1, 0]] as const) sides[x].borrowFrom(sides[y]);
      const affected = affectedProbes(this.probes, sides, changedPolicies, moved);
      this.touchedProbes = affected.filter((x) => x).length;
      this.changes = new Plan(sides, touched, touchedList, moved).changes(this.probes, affected, joints);
    }
  }

  /** The number of changed endpoint pairs (opened, closed) on probe `k`, without listing them. */
  public counts(k: number): { opened: number; closed: number } {
    let opened = 0;
    let closed = 0;
    for (const c of this.changes[k]) {
      const n = this.pairCount(c.from, c.to);
      if (c.opened) opened += n;
      else closed += n;
    }
    return { opened, closed };
  }

  /**
   * The changed joint class pairs over every port, one way: for each source joint class, the
   * destination joint classes whose pairs were opened (or closed) on at least one port, ascending.
   */
  public changedOn(opened: boolean): Map<number, number[]> {
    const seen = new Set<number>();
    const n = this.jointMembers.length;
    const out = new Map<number, number[]>();
    for (const changes of this.changes) {
      for (const c of changes) {
        if (c.opened !== opened || seen.has(c.from * n + c.to)) continue;
        seen.add(c.from * n + c.to);
        const list = out.get(c.from);
        if (list) list.push(c.to);
        else out.set(c.from, [c.to]);
      }
    }
    for (const list of out.values()) list.sort((a, b) => a - b);
    return out;
  }

  /** The endpoint pairs (connections) opened and closed on at least one port, counted without listing them. */
  public connectionCounts(): { opened: number; closed: number } {
    const count = (opened: boolean) => {
      let sum = 0;
      for (const [from, tos] of this.changedOn(opened)) for (const to of tos) sum += this.pairCount(from, to);
      return sum;
    };
    return { opened: count(true), closed: count(false) };
  }

  /** The endpoint pairs of one changed class pair, as indexes into `shared` (to itself only where not loopback). */
  public pairs(change: ClassPairChange): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    for (const s of this.jointMembers[change.from]) {
      for (const d of this.jointMembers[change.to]) if (s !== d || !this.loopback[s]) out.push([s, d]);
    }
    return out;
  }

  /** The number of endpoint pairs of joint classes `from` -> `to` that are compared. */
  public pairCount(from: number, to: number): number {
    const a = this.jointMembers[from];
    const b = this.jointMembers[to];
    let n = a.length * b.length;
    if (from === to) for (const s of a) if (this.loopback[s]) n--;
    return n;
  }
}

/** One snapshot: its cluster, the class of each endpoint, a representative of each class. */
class Side {
  public readonly repOf: Array<ClusterEndpoint | undefined>;
  public readonly present: Bitset;
  private byNamespace?: Map<string, number[]>;

  constructor(public readonly cluster: Cluster, classOf: Int32Array, k: number) {
    this.repOf = new Array(k);
    this.present = new Bitset(k);
    for (const e of cluster.endpoints) {
      const c = classOf[e.index];
      if (this.repOf[c] !== undefined) continue;
      // Not a single instance: a class to itself is one member reaching another, decided by the policies.
      this.repOf[c] = { ...e, index: c, singleInstance: false };
      this.present.add(c);
    }
  }

  /** The classes present on this side whose representative is in `namespace`. */
  public classesIn(namespace: string): number[] {
    if (!this.byNamespace) {
      this.byNamespace = new Map();
      for (const c of this.present.members()) {
        const ns = this.repOf[c]!.namespace;
        if (ns === undefined) continue;
        const list = this.byNamespace.get(ns);
        if (list) list.push(c);
        else this.byNamespace.set(ns, [c]);
      }
    }
    return this.byNamespace.get(namespace) ?? [];
  }

  /**
   * Every class absent on this side takes `other`'s representative, for `universe`. Only where a
   * pair's verdict reads nothing but its two ends (the NetworkPolicies alone: semantics.ts), so the
   * borrowed ones are never read: pairs are only compared where both ends exist on both sides. A
   * Cilium verdict may read third endpoints (DNS servers), and a cluster-wide tier is computed with
   * them: such sides are never borrowed into (`own`).
   */
  public borrowFrom(other: Side): void {
    if ([this.cluster, other.cluster].some((c) => c.ciliumPolicies.length > 0 || c.tieredPolicies.length > 0)) {
      throw new Error('internal error: the incremental diff borrowed a representative across snapshots with Cilium policies or cluster-wide tiers');
    }
    for (let c = 0; c < this.repOf.length; c++) if (this.repOf[c] === undefined) this.repOf[c] = other.repOf[c];
  }

  /** One endpoint per class (class c at index c), for a matrix over every class (after `borrowFrom`). */
  public universe(): ClusterEndpoint[] {
    return this.repOf.map((e) => e!);
  }

  /**
   * The representatives of this side's own classes (those present), re-indexed in class order, and
   * `at[c]`: the index of class c among them (-1: absent). A matrix over them reads only this
   * side's endpoints, whatever its verdicts look at besides a pair's ends.
   */
  public own(): { endpoints: ClusterEndpoint[]; at: Int32Array } {
    const at = new Int32Array(this.repOf.length).fill(-1);
    const classes = this.present.members();
    classes.forEach((c, i) => (at[c] = i));
    return { endpoints: this.subUniverse(classes), at };
  }

  /** The representatives of `classes`, re-indexed 0..n-1 in that order. */
  public subUniverse(classes: number[]): ClusterEndpoint[] {
    return classes.map((c, i) => ({ ...this.repOf[c]!, index: i }));
  }
}

interface Joints {
  readonly jointB: number[];
  readonly jointA: number[];
  readonly members: number[][];
}

/**
 * The recomputation for one pair of snapshots. Each side is one universe of every class (one
 * representative each, so class c is endpoint c). Two passes over the affected ports:
 *
 * 1. The touched classes' own sides, per port, from the NetworkPolicies that select a touched class
 *    (a policy selects pods of its own namespace only): their selections are compiled once per
 *    side, over that subset alone, so the other policies cost nothing here. These sides are exact
 *    for the touched classes (every policy that selects them is in the subset) and only read there.
 * 2. The other ends to ask (untouched classes where a touched class's egress or ingress changed,
 *    on some port): their sides from the policies with ingress rules selecting an end of `t -> d`
 *    or egress rules selecting an end of `s -> t` on ANY port, compiled once per side over that
 *    subset and read only at those ends. When endpoints move between classes, every class is an end.
 */
class Plan {
  private readonly k: number;
  private readonly touchedSet: Bitset;
  private readonly touchedList: number[];
  private readonly universes: Cluster[];
  /** Per side, the universe with only the NetworkPolicies that select a touched class, and their selections. */
  private readonly own: Array<{ cluster: Cluster; selections: Selections }>;

  constructor(
    private readonly sides: readonly [Side, Side],
    private readonly touched: Uint8Array,
    touchedList: number[],
    private readonly moved: boolean,
  ) {
    this.k = touched.length;
    this.touchedSet = new Bitset(this.k);
    this.touchedList = touchedList;
    for (const t of touchedList) this.touchedSet.add(t);
    this.universes = sides.map((side) => side.cluster.withEndpoints(side.universe()));
    this.own = sides.map((side, x) => {
      const cluster = this.universes[x].withPolicies(policiesSelecting(side, this.touchedSet, this.touchedSet));
      return { cluster, selections: new Selections(cluster) };
    });
  }

  /** The changed joint class pairs on each probe (`affected[p]` false: none, not computed). */
  public changes(probes: ProbePort[], affected: boolean[], joints: Joints): ClassPairChange[][] {
    const k = this.k;
    const inBoth = this.sides[0].present.and(this.sides[1].present);
    const all = Bitset.full(k);
    // The touched classes' own sides on one port (the selections are compiled once per side).
    const ownSides = (probe: ProbePort) => this.own.map((v) => computeSides(v.cluster, probe.query, v.selections));
    // Pass 1: the other ends to ask per port. Untouched classes on the other end whose verdict with
    // a touched class may differ: where a touched class's egress changed (destinations D) or its
    // ingress changed (sources S). When endpoints move between classes, their rows and columns are
    // needed whole. Only D and S are kept: the own sides are computed again in pass 2, one port at a
    // time (kept for every port, they would hold every port's sides at once).
    const firsts = probes.map((probe, p) => {
      if (!affected[p]) return undefined;
      const D = new Bitset(k);
      const S = new Bitset(k);
      if (this.moved) {
        D.or(all);
        S.or(all);
      } else {
        const own = ownSides(probe);
        for (const t of this.touchedList) {
          if (!inBoth.has(t)) continue;
          xorInto(D, own[0].egressTo[t] ?? all, own[1].egressTo[t] ?? all);
          xorInto(S, own[0].ingressFrom[t] ?? all, own[1].ingressFrom[t] ?? all);
        }
      }
      for (let i = 0; i < D.words.length; i++) {
        D.words[i] &= ~this.touchedSet.words[i] & inBoth.words[i];
        S.words[i] &= ~this.touchedSet.words[i] & inBoth.words[i];
      }
      return { D, S };
    });
    // The other ends over every port, for one selection of the policies that can decide them.
    const anyD = new Bitset(k);
    const anyS = new Bitset(k);
    for (const f of firsts) {
      if (!f) continue;
      anyD.or(f.D);
      anyS.or(f.S);
    }
    // The other ends decide the same on both sides: unless endpoints move, they are asked after only.
    // Their sides are read only at the touched classes' columns: the rules whose peers match no
    // touched class add nothing there, so they are left out (their policies still isolate).
    const endViews: Array<{ cluster: Cluster; selections: Selections } | undefined> = [undefined, undefined];
    const ends = (x: number) => {
      const y = this.moved ? x : 1;
      if (endViews[y] === undefined) {
        const universe = this.universes[y];
        const policies = policiesSelecting(this.sides[y], anyD, anyS);
        const cluster = universe.withPolicies(rulesReaching(universe, policies, this.touchedList.map((t) => universe.endpoints[t])));
        endViews[y] = { cluster, selections: new Selections(cluster) };
      }
      return endViews[y]!;
    };

    return probes.map((probe, p) => {
      const f = firsts[p];
      if (!f) return [];
      const { D, S } = f;
      const own = ownSides(probe);
      const dAny = !D.isEmpty();
      const sAny = !S.isEmpty();
      // Per touched class t: the classes whose ingress admits t (`by[t]`, the transpose of the
      // ingress sides) and whose egress reaches t; `open`: not isolated in that direction, so every t.
      const otherEnds = (x: number) => {
        if (!dAny && !sAny) return { inD: undefined, outS: undefined };
        const view = ends(x);
        const sides = computeSides(view.cluster, probe.query, view.selections);
        return {
          inD: dAny ? columnsOf(sides.ingressFrom, D, this.touchedSet, this.touchedList) : undefined,
          outS: sAny ? columnsOf(sides.egressTo, S, this.touchedSet, this.touchedList) : undefined,
        };
      };
      const afterEnds = otherEnds(1);
      const rows: Bitset[][] = [[], []];
      const cols: Bitset[][] = [[], []];
      for (let x = 0; x < 2; x++) {
        const side = this.sides[x];
        const sides = own[x];
        const ownAdmits = columnsOf(sides.ingressFrom, this.touchedSet, this.touchedSet, this.touchedList);
        const { inD, outS } = x === 1 || !this.moved ? afterEnds : otherEnds(x);
        for (const t of this.touchedList) {
          if (!side.present.has(t)) continue;
          // Row t: reachable destinations (touched, or in D) its egress allows whose ingress admits t.
          const out = sides.egressTo[t] ?? all;
          const row = new Bitset(k);
          const w = row.words;
          const T = this.touchedSet.words;
          for (let i = 0; i < w.length; i++) {
            let admits = T[i] & (ownAdmits.by[t].words[i] | ownAdmits.open.words[i]);
            if (inD) admits |= D.words[i] & (inD.by[t].words[i] | inD.open.words[i]);
            w[i] = admits & out.words[i] & sides.reachable.words[i] & side.present.words[i];
          }
          rows[x][t] = row;
          // Column t: the untouched sources in S whose egress reaches t and that t's ingress admits.
          const col = new Bitset(k);
          if (outS && sides.reachable.has(t)) {
            const from = sides.ingressFrom[t] ?? all;
            const c = col.words;
            for (let i = 0; i < c.length; i++) c[i] = S.words[i] & (outS.by[t].words[i] | outS.open.words[i]) & from.words[i] & side.present.words[i];
          }
          cols[x][t] = col;
        }
      }
      return compare(joints, this.touched, rows, cols, k);
    });
  }
}

/**
 * The NetworkPolicies of `side` with ingress rules that select a class of `ingress`, or egress rules
 * that select a class of `egress` (by the classes' representatives; a policy selects pods of its
 * own namespace only).
 */
function policiesSelecting(side: Side, ingress: Bitset, egress: Bitset): ClusterPolicy[] {
  const repsIn = (classes: Bitset) => {
    const out = new Map<string, ClusterEndpoint[]>();
    for (const c of classes.members()) {
      const rep = side.repOf[c];
      if (rep === undefined || rep.namespace === undefined) continue;
      const list = out.get(rep.namespace);
      if (list) list.push(rep);
      else out.set(rep.namespace, [rep]);
    }
    return out;
  };
  const inIngress = repsIn(ingress);
  const inEgress = repsIn(egress);
  return side.cluster.policies.filter((p) => (inIngress.get(p.namespace) ?? []).some((e) => selects(p, 'ingress', e))
    || (inEgress.get(p.namespace) ?? []).some((e) => selects(p, 'egress', e)));
}

/**
 * `policies` with only the rules that can match one of `ends` as their peer (every peer of a rule
 * without peers): the sides of the result agree with those of `policies` on `ends` (as the other
 * end: the sources of ingress, the destinations of egress) and on isolation, as a policy left
 * without rules still isolates what it selects. A policy that keeps every rule is itself.
 */
function rulesReaching(cluster: Cluster, policies: ClusterPolicy[], ends: ClusterEndpoint[]): ClusterPolicy[] {
  // Peers are shared by their text across policies; a selector peer's match depends on the policy's namespace.
  const cache = new Map<RulePeer, Map<string, boolean>>();
  const reaches = (namespace: string, peer: RulePeer) => {
    let byNs = cache.get(peer);
    if (byNs === undefined) cache.set(peer, (byNs = new Map()));
    let hit = byNs.get(namespace);
    if (hit === undefined) byNs.set(namespace, (hit = ends.some((e) => peerMatches(cluster, namespace, peer, e))));
    return hit;
  };
  // A rule whose ipBlocks hold a dual-stack end only together (`rulePeerMatch`) reaches it too.
  const kept = (namespace: string, r: PolicyRule) => r.peers === undefined || r.peers.some((peer) => reaches(namespace, peer))
    || (r.peers.filter((p) => p.kind === 'ipBlock').length > 1 && ends.some((e) => e.ips.length > 1 && rulePeerMatch(cluster, namespace, r.peers!, e) !== undefined));
  // The rules that stay; the same array when every rule does.
  const keep = (namespace: string, rules: PolicyRule[] | undefined) => {
    if (rules === undefined || rules.every((r) => kept(namespace, r))) return rules;
    return rules.filter((r) => kept(namespace, r));
  };
  return policies.map((p) => {
    const ingress = keep(p.namespace, p.ingress);
    const egress = keep(p.namespace, p.egress);
    return ingress === p.ingress && egress === p.egress ? p : { ...p, ingress, egress };
  });
}

/**
 * The columns of one direction's sides at the touched classes, for the classes of `classes` (the
 * only rows the caller reads: every other bit of the result is left empty): `by[t]` holds the
 * classes whose set has t; `open` the classes not isolated in that direction (undefined set:
 * everything). Per class, only the words of its set that meet the touched classes are walked.
 */
function columnsOf(
  sets: ReadonlyArray<Bitset | undefined>, classes: Bitset, touched: Bitset, touchedList: readonly number[],
): { by: Bitset[]; open: Bitset } {
  const k = classes.size;
  const open = new Bitset(k);
  const by: Bitset[] = [];
  for (const t of touchedList) by[t] = new Bitset(k);
  const T = touched.words;
  for (const c of classes.members()) {
    const set = sets[c];
    if (set === undefined) {
      open.add(c);
      continue;
    }
    const w = set.words;
    for (let i = 0; i < T.length; i++) {
      let x = (w[i] & T[i]) >>> 0;
      while (x !== 0) {
        const bit = 31 - Math.clz32(x & -x);
        by[i * 32 + bit].add(c);
        x &= x - 1;
      }
    }
  }
  return { by, open };
}

/**
 * Which probes the change can alter: every one when endpoints move between classes or a changed
 * policy's isolation may differ (added, removed, another pod selector or other directions); else
 * those that a rule of a changed policy (before or after) allows to some destination, with named
 * ports resolved on each kind of destination (the classes' container ports). On any other probe
 * the changed policies add nothing on either side, so nothing changes.
 */
function affectedProbes(probes: ProbePort[], sides: readonly [Side, Side], changed: ReadonlySet<string>, moved: boolean): boolean[] {
  if (moved) return probes.map(() => true);
  const rules: PolicyRule[] = [];
  const versions = sides.map((side) => policiesById(side.cluster.policies.filter((p) => changed.has(p.id))));
  for (const id of changed) {
    const [bs, as] = versions.map((v) => v.get(id) ?? []);
    // Added, removed, or several policies of one id (NP011, which of them changed is not known): every probe.
    if (bs.length !== 1 || as.length !== 1) return probes.map(() => true);
    const [b, a] = [bs[0], as[0]];
    if (b.podSelectorText !== a.podSelectorText || (b.ingress === undefined) !== (a.ingress === undefined)
      || (b.egress === undefined) !== (a.egress === undefined)) return probes.map(() => true);
    for (const p of [b, a]) rules.push(...(p.ingress ?? []), ...(p.egress ?? []));
  }
  // One destination per set of container ports (what a rule's ports are resolved against).
  const destinations = new Map<string, ClusterEndpoint>();
  for (const side of sides) {
    for (const c of side.present.members()) {
      const e = side.repOf[c]!;
      const key = JSON.stringify(e.ports);
      if (!destinations.has(key)) destinations.set(key, e);
    }
  }
  const kinds = [...destinations.values()];
  return probes.map((probe) => rules.some((rule) => kinds.some((d) => {
    const traffic = resolveTraffic(d, probe.query);
    return traffic !== undefined && portsMatch(rule.ports, traffic, d);
  })));
}

/** `into |= a ^ b`. */
function xorInto(into: Bitset, a: Bitset, b: Bitset): void {
  for (let i = 0; i < into.words.length; i++) into.words[i] |= a.words[i] ^ b.words[i];
}

/**
 * The changed joint class pairs from the touched classes' rows (`rows[side][t]`: destination
 * classes) and columns (`cols[side][t]`: untouched source classes). A pair of untouched, unmoved
 * joint classes never changed; a cell that was not asked is empty on both sides.
 */
function compare(joints: Joints, touched: Uint8Array, rows: Bitset[][], cols: Bitset[][], k: number): ClassPairChange[] {
  const { jointB, jointA } = joints;
  const n = jointB.length;
  // The joint class of each class's unmoved members (-1: none).
  const unmovedJoint = new Int32Array(k).fill(-1);
  const movedJoints: number[] = [];
  for (let j = 0; j < n; j++) {
    if (jointB[j] === jointA[j]) unmovedJoint[jointB[j]] = j;
    else movedJoints.push(j);
  }
  const out: ClassPairChange[] = [];
  const diffBits = (a: Bitset, b: Bitset, emit: (c: number, opened: boolean) => void) => {
    for (let i = 0; i < a.words.length; i++) {
      let w = (a.words[i] ^ b.words[i]) >>> 0;
      while (w !== 0) {
        const bit = 31 - Math.clz32(w & -w);
        const c = i * 32 + bit;
        emit(c, b.has(c));
        w &= w - 1;
      }
    }
  };
  for (let j1 = 0; j1 < n; j1++) {
    const cb = jointB[j1];
    const ca = jointA[j1];
    if (touched[cb] || touched[ca]) {
      // A touched source: its rows on both sides, against every unmoved destination class, then the moved ones.
      diffBits(rows[0][cb], rows[1][ca], (c, opened) => {
        const j2 = unmovedJoint[c];
        if (j2 >= 0) out.push({ from: j1, to: j2, opened });
      });
      for (const j2 of movedJoints) {
        const was = rows[0][cb].has(jointB[j2]);
        const is = rows[1][ca].has(jointA[j2]);
        if (was !== is) out.push({ from: j1, to: j2, opened: is });
      }
    }
  }
  // Untouched sources to touched destinations: the touched classes' columns.
  for (let j2 = 0; j2 < n; j2++) {
    const cb = jointB[j2];
    const ca = jointA[j2];
    if (!touched[cb] && !touched[ca]) continue;
    diffBits(cols[0][cb], cols[1][ca], (c, opened) => {
      const j1 = unmovedJoint[c];
      if (j1 >= 0) out.push({ from: j1, to: j2, opened });
    });
  }
  return out.sort((x, y) => x.from - y.from || x.to - y.to);
}

/**
 * Every joint class pair compared on the two whole class matrices, each over its side's own classes
 * (`Side.own`: row and column of class c at `at[c]`; a joint class is present on both sides).
 */
function wholeChanges(joints: Joints, b: { rows: Bitset[]; at: Int32Array }, a: { rows: Bitset[]; at: Int32Array }): ClassPairChange[] {
  const { jointB, jointA } = joints;
  const out: ClassPairChange[] = [];
  for (let j1 = 0; j1 < jointB.length; j1++) {
    const rowB = b.rows[b.at[jointB[j1]]];
    const rowA = a.rows[a.at[jointA[j1]]];
    for (let j2 = 0; j2 < jointB.length; j2++) {
      const was = rowB.has(b.at[jointB[j2]]);
      const is = rowA.has(a.at[jointA[j2]]);
      if (was !== is) out.push({ from: j1, to: j2, opened: is });
    }
  }
  return out;
}

/** The ids of the NetworkPolicies added, removed or changed (by what the analyser reads of them). */
function changedPolicyIds(before: Cluster, after: Cluster): Set<string> {
  const changed = new Set<string>();
  // Two snapshots of one cluster usually list the same policies in the same order: compared by
  // position, without two maps of every policy; any other listing by id.
  const [x, y] = [before.policies, after.policies];
  if (x.length === y.length && x.every((p, i) => p.id === y[i].id)) {
    x.forEach((p, i) => !samePolicy(p, y[i]) && changed.add(p.id));
    return changed;
  }
  // Every policy of an id, not the last one: two policies may share one (NP011, two charts or files
  // writing one name), and a change to either must touch their subjects.
  const b = policiesById(before.policies);
  const a = policiesById(after.policies);
  for (const [id, ps] of b) if (!samePolicies(ps, a.get(id) ?? [])) changed.add(id);
  for (const id of a.keys()) if (!b.has(id)) changed.add(id);
  return changed;
}

/** The policies of each id, in the order listed. */
function policiesById(policies: readonly ClusterPolicy[]): Map<string, ClusterPolicy[]> {
  const by = new Map<string, ClusterPolicy[]>();
  for (const p of policies) {
    const list = by.get(p.id);
    if (list) list.push(p);
    else by.set(p.id, [p]);
  }
  return by;
}

/**
 * Whether two lists of the policies of one id read the same as multisets: each policy of one has
 * its own equal one in the other (any order). `samePolicy` compares texts and keys, an equivalence,
 * so pairing greedily finds a matching wherever one exists.
 */
function samePolicies(x: readonly ClusterPolicy[], y: readonly ClusterPolicy[]): boolean {
  if (x.length !== y.length) return false;
  const used = new Array<boolean>(y.length).fill(false);
  return x.every((p) => {
    const j = y.findIndex((q, k) => !used[k] && samePolicy(p, q));
    if (j < 0) return false;
    used[j] = true;
    return true;
  });
}

/**
 * Whether two NetworkPolicies read the same to the analyser: namespace, pod selector (kubectl's text,
 * which keeps every requirement), and per direction the same rules in the same order, with the same
 * peers (their texts, which the selections key by too) and the same port entries.
 */
function samePolicy(p: ClusterPolicy, q: ClusterPolicy): boolean {
  if (p.namespace !== q.namespace || p.podSelectorText !== q.podSelectorText || p.staged !== q.staged) return false;
  // Compiled once for both snapshots (`ClusterOptions.basis`): the same rules.
  if (p.ingress === q.ingress && p.egress === q.egress) return true;
  const sameRules = (x: ClusterPolicy['ingress'], y: ClusterPolicy['ingress']) => {
    if (x === undefined || y === undefined) return x === y;
    if (x.length !== y.length) return false;
    return x.every((r, i) => {
      const o = y[i];
      if ((r.peers === undefined) !== (o.peers === undefined) || r.ports.length !== o.ports.length) return false;
      if (r.peers && (r.peers.length !== o.peers!.length || r.peers.some((peer, j) => peer.text !== o.peers![j].text))) return false;
      return r.ports.every((entry, j) => portEntryKey(entry) === portEntryKey(o.ports[j]));
    });
  };
  return sameRules(p.ingress, q.ingress) && sameRules(p.egress, q.egress);
}

/** What the policies of both snapshots look at: the union of their features. */
export function mergeFeatures(a: PolicyFeatures, b: PolicyFeatures): PolicyFeatures {
  const mergeLooks = (x: ReadonlyMap<string, ReadonlySet<string>>, y: ReadonlyMap<string, ReadonlySet<string>>) => {
    const out = new Map<string, Set<string>>();
    for (const m of [x, y]) {
      for (const [key, values] of m) {
        const set = out.get(key) ?? new Set<string>();
        for (const v of values) set.add(v);
        out.set(key, set);
      }
    }
    return out;
  };
  const byKey = <T>(xs: ReadonlyArray<T>, ys: ReadonlyArray<T>, key: (t: T) => string) => {
    const m = new Map<string, T>();
    for (const t of [...xs, ...ys]) m.set(key(t), t);
    return [...m.keys()].sort().map((k) => m.get(k)!);
  };
  const cidrKey = (c: { network: bigint | number; prefix?: number }) => JSON.stringify({ ...c, network: c.network.toString() });
  return {
    namespaces: new Set([...a.namespaces, ...b.namespaces]),
    namespaceLabels: mergeLooks(a.namespaceLabels, b.namespaceLabels),
    podLabels: mergeLooks(a.podLabels, b.podLabels),
    ...(a.serviceAccounts !== undefined || b.serviceAccounts !== undefined
      ? { serviceAccounts: new Set([...a.serviceAccounts ?? [], ...b.serviceAccounts ?? []]) } : {}),
    namedPorts: byKey(a.namedPorts, b.namedPorts, (n) => JSON.stringify([n.name, n.protocol])),
    ipBlocks: byKey(a.ipBlocks, b.ipBlocks, (blk) => JSON.stringify([blk.cidr, ...blk.except].map((c) => cidrKey(c as any)))),
    domainNames: [...new Set([...a.domainNames, ...b.domainNames])].sort(),
    dnsNamesApart: a.dnsNamesApart || b.dnsNamesApart,
    dnsServersApart: a.dnsServersApart || b.dnsServersApart,
    nodesApart: a.nodesApart || b.nodesApart,
    unknownIpsApart: a.unknownIpsApart || b.unknownIpsApart,
  };
}
