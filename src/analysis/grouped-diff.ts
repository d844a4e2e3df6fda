import { namespaceGroup } from './grouped-matrix';
import { IncrementalDiff } from './incremental-diff';
import { Cluster } from '../inventory/cluster';

/** One group of the endpoints a diff compares. */
export interface DiffGroup {
  /** The group's name: a namespace (`(outside the cluster)` for external endpoints), or `class <n>`. */
  readonly name: string;
  /** How many compared endpoints (those both sides contain) it holds. */
  readonly endpoints: number;
  /** Its first endpoint (in the order of the before side), to tell what a class stands for. */
  readonly first: string;
}

/** The changes from one group to another: how many endpoint pairs were opened and closed. */
export interface GroupedDiffCell {
  readonly from: string;
  readonly to: string;
  /** Endpoint pairs allowed after the change and not before, on at least one port. */
  readonly opened: number;
  /** Endpoint pairs allowed before the change and not after, on at least one port. */
  readonly closed: number;
}

/**
 * A diff aggregated by group (namespace, or class: the joint classes of the diff, endpoints that
 * changed together), counted from the changed class pairs without listing endpoint pairs; cells
 * come one source group at a time, so a caller can stream them. The counts equal those of the
 * connection lists of `Reachability.diff` (a connection opened on one port and closed on another
 * counts in both).
 */
export class GroupedDiff {
  /** The groups, by name. */
  public readonly groups: DiffGroup[];
  /** The added and removed endpoints, not compared. */
  public readonly added: number;
  public readonly removed: number;
  /** The ports compared. */
  public readonly ports: string[];
  private readonly jointsOfGroup: Array<Array<[number, number]>>;
  private readonly groupsOfJoint: Array<Array<[number, number]>>;
  /** Per group, per joint class, its members that are loopback to themselves (never compared). */
  private readonly loopbackPerGroupJoint: Array<Map<number, number>>;
  private readonly opened: Map<number, number[]>;
  private readonly closed: Map<number, number[]>;

  constructor(private readonly diff: IncrementalDiff, before: Cluster, public readonly groupBy: 'namespace' | 'class') {
    const jointOf = new Int32Array(diff.shared.length);
    diff.jointMembers.forEach((members, j) => members.forEach((i) => (jointOf[i] = j)));
    const nameOf = (i: number) => (groupBy === 'class' ? `class ${jointOf[i]}` : namespaceGroup(before.endpoint(diff.shared[i])!));
    const byName = new Map<string, number[]>();
    diff.shared.forEach((_, i) => {
      const name = nameOf(i);
      const list = byName.get(name);
      if (list) list.push(i);
      else byName.set(name, [i]);
    });
    const names = groupBy === 'class'
      ? [...byName.keys()].sort((a, b) => Number(a.slice(6)) - Number(b.slice(6)))
      : [...byName.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    this.groups = names.map((name) => ({ name, endpoints: byName.get(name)!.length, first: diff.shared[byName.get(name)![0]] }));
    const perGroup = names.map(() => new Map<number, number>());
    const perJoint = diff.jointMembers.map(() => new Map<number, number>());
    names.forEach((name, g) => {
      for (const i of byName.get(name)!) {
        const j = jointOf[i];
        perGroup[g].set(j, (perGroup[g].get(j) ?? 0) + 1);
        perJoint[j].set(g, (perJoint[j].get(g) ?? 0) + 1);
      }
    });
    this.jointsOfGroup = perGroup.map((m) => [...m.entries()]);
    this.groupsOfJoint = perJoint.map((m) => [...m.entries()]);
    this.loopbackPerGroupJoint = perGroup.map(() => new Map());
    names.forEach((name, g) => {
      for (const i of byName.get(name)!) {
        if (!diff.loopback[i]) continue;
        const m = this.loopbackPerGroupJoint[g];
        m.set(jointOf[i], (m.get(jointOf[i]) ?? 0) + 1);
      }
    });
    this.opened = diff.changedOn(true);
    this.closed = diff.changedOn(false);
    this.added = diff.added.length;
    this.removed = diff.removed.length;
    this.ports = diff.probes.map((p) => p.label);
  }

  /** The cells from group `g` (by index in `groups`) to every group with a change, in the order of `groups`. */
  public cellsFrom(g: number): GroupedDiffCell[] {
    const count = (changed: Map<number, number[]>) => {
      const out = new Float64Array(this.groups.length);
      for (const [j1, c1] of this.jointsOfGroup[g]) {
        for (const j2 of changed.get(j1) ?? []) {
          for (const [h, c2] of this.groupsOfJoint[j2]) out[h] += c1 * c2;
          // A loopback endpoint to itself is never compared.
          if (j1 === j2) out[g] -= this.loopbackPerGroupJoint[g].get(j1) ?? 0;
        }
      }
      return out;
    };
    const opened = count(this.opened);
    const closed = count(this.closed);
    const from = this.groups[g].name;
    const cells: GroupedDiffCell[] = [];
    this.groups.forEach((to, h) => {
      if (opened[h] + closed[h] > 0) cells.push({ from, to: to.name, opened: opened[h], closed: closed[h] });
    });
    return cells;
  }

  /** The total endpoint pairs opened and closed. */
  public get totals(): { opened: number; closed: number } {
    return this.diff.connectionCounts();
  }
}
