import { Bitset } from './bitset';
import { snapshotClassKey } from './equivalence';
import { computeSides, ComputedSides, MatrixEngine, Selections } from './matrix';
import { PolicyFeatures, policyFeatures } from './policy-features';
import { probePorts, ProbePort } from './probe-ports';
import { selects } from './semantics';
import { Cluster, ClusterEndpoint, ClusterPolicy } from '../inventory/cluster';
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
 * Cilium policies on either side every class is touched and both class matrices are computed whole.
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
  /** True when every class is recomputed (cluster-wide tiers or Cilium policies on either side). */
  public readonly whole: boolean;
  /** The members of each joint class, as indexes into `shared`, ascending. */
  public readonly jointMembers: number[][];
  /** Per probe (same index as `probes`), the changed joint class pairs, by source then destination. */
  public readonly changes: ClassPairChange[][];
  /** `loopback[i]`: shared endpoint i is a single instance on either side (to itself: never policed, never compared). */
  public readonly loopback: boolean[];

  private constructor(before: Cluster, after: Cluster) {
    const afterIds = new Set(after.endpoints.map((e) => e.id));
    const beforeIds = new Set(before.endpoints.map((e) => e.id));
    this.shared = before.endpoints.map((e) => e.id).filter((id) => afterIds.has(id));
    this.added = after.endpoints.map((e) => e.id).filter((id) => !beforeIds.has(id));
    this.removed = before.endpoints.map((e) => e.id).filter((id) => !afterIds.has(id));
    this.probes = probePorts([before, after]);
    const queries = this.probes.map((p) => p.query);
    const features = mergeFeatures(policyFeatures(before, queries), policyFeatures(after, queries));

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
    // Every class needs an endpoint in each universe: a class absent on one side borrows the other
    // side's (its values there are never read: pairs are only compared where both ends exist).
    for (const [x, y] of [[0, 1], [1, 0]] as const) {
      for (let c = 0; c < k; c++) if (sides[x].repOf[c] === undefined) sides[x].repOf[c] = sides[y].repOf[c];
    }

    // Joint classes of the shared endpoints: (class before, class after).
    const jointOf = new Map<number, number>();
    const jointB: number[] = [];
    const jointA: number[] = [];
    this.jointMembers = [];
    this.loopback = [];
    for (let i = 0; i < this.shared.length; i++) {
      const eb = before.endpoint(this.shared[i])!;
      const ea = after.endpoint(this.shared[i])!;
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
    if (touchedList.length === 0) {
      this.changes = this.probes.map(() => []);
    } else if (this.whole) {
      const engines = sides.map((s) => new MatrixEngine(s.cluster.withEndpoints(s.universe())));
      this.changes = this.probes.map((probe) => wholeChanges(joints, engines[0].compute(probe.query).rows, engines[1].compute(probe.query).rows));
    } else {
      const plan = new Plan(sides, touched, touchedList, moved);
      this.changes = this.probes.map((probe) => plan.changes(probe, joints));
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

  /** One endpoint per class (class c at index c), for a matrix over every class. */
  public universe(): ClusterEndpoint[] {
    return this.repOf.map((e) => e!);
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

/** Sides of a sub-universe of classes: `local[c]` is class c's index in it (-1: not in it). */
interface SubSides {
  readonly sides: ComputedSides;
  readonly local: Int32Array;
}

/**
 * The recomputation for one pair of snapshots: which NetworkPolicies can select a touched class,
 * and the selections of each sub-cluster, shared by every port.
 */
class Plan {
  private readonly k: number;
  private readonly touchedSet: Bitset;
  private readonly own: Array<{ cluster: Cluster; selections: Selections }>;
  private readonly egressOnly: Cluster[];
  private readonly ingressOnly: Cluster[];

  constructor(
    private readonly sides: readonly [Side, Side],
    private readonly touched: Uint8Array,
    private readonly touchedList: number[],
    private readonly moved: boolean,
  ) {
    this.k = touched.length;
    this.touchedSet = new Bitset(this.k);
    for (const t of touchedList) this.touchedSet.add(t);
    // The NetworkPolicies that can select a touched class: those of the touched classes' namespaces.
    this.own = sides.map((side) => {
      const namespaces = new Set(touchedList.map((t) => side.repOf[t]!.namespace).filter((ns) => ns !== undefined));
      const cluster = side.cluster.withPolicies(side.cluster.policies.filter((p) => namespaces.has(p.namespace))).withEndpoints(side.universe());
      return { cluster, selections: new Selections(cluster) };
    });
    this.egressOnly = sides.map((s) => s.cluster.withPolicies(s.cluster.policies.filter((p) => p.egress !== undefined)));
    this.ingressOnly = sides.map((s) => s.cluster.withPolicies(s.cluster.policies.filter((p) => p.ingress !== undefined)));
  }

  /** The changed joint class pairs on one probe. */
  public changes(probe: ProbePort, joints: Joints): ClassPairChange[] {
    const k = this.k;
    const T = this.touchedList;
    const own = this.own.map((o) => computeSides(o.cluster, probe.query, o.selections));
    const inBoth = this.sides[0].present.and(this.sides[1].present);
    // Untouched classes on the other end whose verdict with a touched class may differ: where a
    // touched class's egress changed (destinations D) or its ingress changed (sources S). When
    // endpoints move between classes, their rows and columns are needed whole.
    const D = new Bitset(k);
    const S = new Bitset(k);
    const all = Bitset.full(k);
    if (this.moved) {
      D.or(all);
      S.or(all);
    } else {
      for (const t of T) {
        if (!inBoth.has(t)) continue;
        xorInto(D, own[0].egressTo[t] ?? all, own[1].egressTo[t] ?? all);
        xorInto(S, own[0].ingressFrom[t] ?? all, own[1].ingressFrom[t] ?? all);
      }
    }
    for (let i = 0; i < D.words.length; i++) {
      D.words[i] &= ~this.touchedSet.words[i] & inBoth.words[i];
      S.words[i] &= ~this.touchedSet.words[i] & inBoth.words[i];
    }
    const dList = D.members();
    const sList = S.members();

    const rows: Bitset[][] = [[], []];
    const cols: Bitset[][] = [[], []];
    for (let x = 0; x < 2; x++) {
      const side = this.sides[x];
      const sides = own[x];
      // The ingress of destinations in D and the egress of sources in S at the touched classes.
      const inD = dList.length > 0 ? this.subSides(this.ingressOnly[x], side, [...T, ...dList], probe) : undefined;
      const outS = sList.length > 0 ? this.subSides(this.egressOnly[x], side, [...T, ...sList], probe) : undefined;
      for (const t of T) {
        if (!side.present.has(t)) continue;
        // Row t: reachable destinations its egress allows whose ingress admits t (asked of T and D only).
        const admits = new Bitset(k);
        for (const d of T) {
          const from = sides.ingressFrom[d];
          if (from === undefined || from.has(t)) admits.add(d);
        }
        if (inD) {
          const lt = inD.local[t];
          for (const d of dList) {
            const from = inD.sides.ingressFrom[inD.local[d]];
            if (from === undefined || from.has(lt)) admits.add(d);
          }
        }
        const out = sides.egressTo[t] ?? all;
        const row = new Bitset(k);
        for (let i = 0; i < row.words.length; i++) row.words[i] = admits.words[i] & out.words[i] & sides.reachable.words[i] & side.present.words[i];
        rows[x][t] = row;
        // Column t: the untouched sources in S whose egress allows t and that t's ingress admits.
        const col = new Bitset(k);
        if (outS && sides.reachable.has(t)) {
          const lt = outS.local[t];
          const from = sides.ingressFrom[t];
          for (const s of sList) {
            const to = outS.sides.egressTo[outS.local[s]];
            if ((to === undefined || to.has(lt)) && (from === undefined || from.has(s))) col.add(s);
          }
        }
        cols[x][t] = col;
      }
    }
    return compare(joints, this.touched, rows, cols, k);
  }

  /** The sides of `cluster` over the representatives of `classes` (on `side`). */
  private subSides(cluster: Cluster, side: Side, classes: number[], probe: ProbePort): SubSides {
    const local = new Int32Array(this.k).fill(-1);
    classes.forEach((c, i) => (local[c] = i));
    return { sides: computeSides(cluster.withEndpoints(side.subUniverse(classes)), probe.query), local };
  }
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

/** Every joint class pair compared on the two whole class matrices (rows indexed by class). */
function wholeChanges(joints: Joints, b: Bitset[], a: Bitset[]): ClassPairChange[] {
  const { jointB, jointA } = joints;
  const out: ClassPairChange[] = [];
  for (let j1 = 0; j1 < jointB.length; j1++) {
    const rowB = b[jointB[j1]];
    const rowA = a[jointA[j1]];
    for (let j2 = 0; j2 < jointB.length; j2++) {
      const was = rowB.has(jointB[j2]);
      const is = rowA.has(jointA[j2]);
      if (was !== is) out.push({ from: j1, to: j2, opened: is });
    }
  }
  return out;
}

/** The ids of the NetworkPolicies added, removed or changed (by what the analyser reads of them). */
function changedPolicyIds(before: Cluster, after: Cluster): Set<string> {
  const fingerprints = (cluster: Cluster) => new Map(cluster.policies.map((p) => [p.id, fingerprint(p)]));
  const b = fingerprints(before);
  const a = fingerprints(after);
  const changed = new Set<string>();
  for (const [id, f] of b) if (a.get(id) !== f) changed.add(id);
  for (const id of a.keys()) if (!b.has(id)) changed.add(id);
  return changed;
}

/** Everything the analyser reads of a NetworkPolicy, as text (selectors in kubectl's form, ports by their keys). */
function fingerprint(p: ClusterPolicy): string {
  const rules = (rs: ClusterPolicy['ingress']) => rs?.map((r) => [r.peers?.map((peer) => peer.text) ?? null, r.ports.map(portEntryKey)]) ?? null;
  return JSON.stringify([p.namespace, p.podSelectorText, rules(p.ingress), rules(p.egress)]);
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
    namedPorts: byKey(a.namedPorts, b.namedPorts, (n) => JSON.stringify([n.name, n.protocol])),
    ipBlocks: byKey(a.ipBlocks, b.ipBlocks, (blk) => JSON.stringify([blk.cidr, ...blk.except].map((c) => cidrKey(c as any)))),
    domainNames: [...new Set([...a.domainNames, ...b.domainNames])].sort(),
    dnsNamesApart: a.dnsNamesApart || b.dnsNamesApart,
  };
}
