import { ClassMatrix } from './equivalence';
import { ClusterEndpoint } from '../inventory/cluster';

/** One group of endpoints of a grouped matrix. */
export interface MatrixGroup {
  /** The group's name: a namespace (`(outside the cluster)` for external endpoints), or `class <n>`. */
  readonly name: string;
  /** How many endpoints it holds. */
  readonly endpoints: number;
  /** Its first endpoint (in the model's order), to tell what a class stands for. */
  readonly first: string;
}

/** The connections from one group to another: how many endpoint pairs are allowed, of how many. */
export interface GroupedCell {
  readonly from: string;
  readonly to: string;
  /** Allowed endpoint pairs (a pod to itself: loopback, counted where the port exists, as in the matrix). */
  readonly allowed: number;
  /** Every endpoint pair: endpoints of `from` times endpoints of `to`. */
  readonly pairs: number;
}

/** How endpoints are grouped. */
export type GroupKey = 'namespace' | 'class';

/** The name of the group of endpoints outside the cluster when grouping by namespace. */
export const OUTSIDE_GROUP = '(outside the cluster)';

/**
 * A matrix aggregated by group (namespace or equivalence class), computed from the class matrix
 * without expanding it to endpoint pairs: cells are produced one source group at a time, so a
 * caller can stream them. The counts equal those of the endpoint matrix (`ReachabilityMatrix`).
 */
export class GroupedMatrix {
  /** The groups, by name. */
  public readonly groups: MatrixGroup[];
  /** Per group, its classes with how many of its endpoints are in each. */
  private readonly classesOfGroup: Array<Map<number, number>>;
  /** Per class, its groups with how many of its endpoints are in each. */
  private readonly groupsOfClass: Array<Array<[number, number]>>;
  /** Per group, its single pods (loopback is theirs alone). */
  private readonly singles: number[][];

  constructor(private readonly matrix: ClassMatrix, public readonly groupBy: GroupKey) {
    const { cluster, classOf, size } = matrix.classes;
    const nameOf = (e: ClusterEndpoint) => (groupBy === 'class' ? `class ${classOf[e.index]}` : e.namespace ?? OUTSIDE_GROUP);
    const byName = new Map<string, ClusterEndpoint[]>();
    for (const e of cluster.endpoints) {
      const name = nameOf(e);
      const list = byName.get(name);
      if (list) list.push(e);
      else byName.set(name, [e]);
    }
    const names = groupBy === 'class'
      ? [...byName.keys()].sort((a, b) => Number(a.slice(6)) - Number(b.slice(6)))
      : [...byName.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    this.groups = names.map((name) => ({ name, endpoints: byName.get(name)!.length, first: byName.get(name)![0].id }));
    this.classesOfGroup = names.map(() => new Map());
    this.singles = names.map(() => []);
    const perClass: Array<Map<number, number>> = Array.from({ length: size }, () => new Map());
    names.forEach((name, g) => {
      for (const e of byName.get(name)!) {
        if (e.singleInstance) this.singles[g].push(e.index);
        const c = classOf[e.index];
        this.classesOfGroup[g].set(c, (this.classesOfGroup[g].get(c) ?? 0) + 1);
        perClass[c].set(g, (perClass[c].get(g) ?? 0) + 1);
      }
    });
    this.groupsOfClass = perClass.map((m) => [...m.entries()]);
  }

  /** The cells from group `g` (by index in `groups`) to every group, in the order of `groups`. */
  public cellsFrom(g: number): GroupedCell[] {
    const { classes, rows, traffic } = this.matrix;
    // Weight of each destination class: the source endpoints of this group that may reach its members.
    const weight = new Float64Array(classes.size);
    for (const [c, count] of this.classesOfGroup[g]) for (const d of rows[c].members()) weight[d] += count;
    const allowed = new Float64Array(this.groups.length);
    weight.forEach((w, d) => {
      if (w !== 0) for (const [h, count] of this.groupsOfClass[d]) allowed[h] += w * count;
    });
    // A single pod to itself is loopback: allowed where the port exists, whatever the class row says.
    for (const e of this.singles[g]) {
      const c = classes.classOf[e];
      const policed = rows[c].has(c);
      const loop = traffic[c] !== undefined;
      if (policed && !loop) allowed[g]--;
      if (!policed && loop) allowed[g]++;
    }
    const from = this.groups[g];
    return this.groups.map((to, h) => ({ from: from.name, to: to.name, allowed: allowed[h], pairs: from.endpoints * to.endpoints }));
  }
}
