import { ClassMatrix } from './equivalence';
import { ClusterEndpoint } from '../inventory/cluster';

/** One group of endpoints of a grouped matrix. */
export interface MatrixGroup {
  /**
   * The group's name: a namespace (`(outside the cluster)` for external endpoints), `class <n>`, or
   * a workload: `<namespace>/<name>` of a workload endpoint, `<namespace>/<key>=<value>` of a label,
   * or the endpoint's own id.
   */
  readonly name: string;
  /** How many endpoints it holds. */
  readonly endpoints: number;
  /** Its first endpoint (in the model's order), to tell what a class stands for. */
  readonly first: string;
  /** By workload only: the rule that made the group (see `WorkloadRule`). */
  readonly rule?: WorkloadRule;
  /** By workload only, rules `workload` and `endpoint`: the endpoint's kind (`Deployment`, `Pod`, `External`, ...). */
  readonly kind?: string;
  /** By workload only, rule `label`: the label key that named the group. */
  readonly label?: string;
}

/**
 * How an endpoint's workload is found when grouping by workload, in this order:
 * - `workload`: the endpoint is a workload (a Deployment, StatefulSet, DaemonSet, ReplicaSet,
 *   ReplicationController, Job, CronJob, Rollout, or a model or declared workload), or a pod (or
 *   ReplicaSet, or Job) whose `ownerReferences` lead to a workload of the input (`owner`): grouped
 *   under the top of the chain, folded into it or not, so a Deployment's pods are its group.
 * - `label`: a pod with an `app.kubernetes.io/name` label (else an `app` label) is grouped with the
 *   pods of its namespace carrying the same value: `<namespace>/<key>=<value>`.
 * - `endpoint`: anything else (a pod with neither label, an address outside the cluster) is its own group.
 */
export type WorkloadRule = 'workload' | 'label' | 'endpoint';

/** The labels that name a pod's workload when its owner is not in the input, in order of preference. */
export const WORKLOAD_LABELS = ['app.kubernetes.io/name', 'app'];

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
export type GroupKey = 'namespace' | 'class' | 'workload';

/** The name of the group of endpoints outside the cluster when grouping by namespace. */
export const OUTSIDE_GROUP = '(outside the cluster)';
/** The name of the group of the nodes (and the API server on a node) when grouping by namespace. */
export const NODES_GROUP = '(nodes)';

/** The namespace group of an endpoint: its namespace, else the nodes inside the cluster, else outside it. */
export function namespaceGroup(e: ClusterEndpoint): string {
  return e.namespace ?? (e.external ? OUTSIDE_GROUP : NODES_GROUP);
}

/**
 * A matrix aggregated by group (namespace, workload or equivalence class), computed from the class
 * matrix without expanding it to endpoint pairs: cells are produced one source group at a time, so
 * a caller can stream them, and only for the pairs of groups with an allowed endpoint pair (the
 * size of each group, in `groups`, gives the denied count of any pair: its endpoints times the
 * other's, less the allowed). The counts equal those of the endpoint matrix (`ReachabilityMatrix`).
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
  private scratchArrays?: { weight: Float64Array; allowed: Float64Array };
  private touchedMark = new Uint8Array(0);

  constructor(private readonly matrix: ClassMatrix, public readonly groupBy: GroupKey) {
    const { cluster, classOf, size } = matrix.classes;
    const groupOf = (e: ClusterEndpoint): Omit<MatrixGroup, 'endpoints' | 'first'> => {
      if (groupBy === 'class') return { name: `class ${classOf[e.index]}` };
      if (groupBy === 'namespace') return { name: namespaceGroup(e) };
      return workloadGroup(e);
    };
    const byKey = new Map<string, { group: Omit<MatrixGroup, 'endpoints' | 'first'>; members: ClusterEndpoint[] }>();
    for (const e of cluster.endpoints) {
      const group = groupOf(e);
      const key = `${group.rule ?? ''}\u0000${group.name}`;
      const entry = byKey.get(key);
      if (entry) entry.members.push(e);
      else byKey.set(key, { group, members: [e] });
    }
    // Groups of different rules never merge: where two share a name (an address named like a
    // workload), each says its rule.
    const seen = new Map<string, number>();
    for (const { group } of byKey.values()) seen.set(group.name, (seen.get(group.name) ?? 0) + 1);
    const byName = new Map([...byKey.values()].map((entry) => {
      const { group } = entry;
      const name = seen.get(group.name)! > 1 ? `${group.name} (${group.rule})` : group.name;
      return [name, { group: { ...group, name }, members: entry.members }];
    }));
    const names = groupBy === 'class'
      ? [...byName.keys()].sort((a, b) => Number(a.slice(6)) - Number(b.slice(6)))
      : [...byName.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    this.groups = names.map((name) => {
      const { group, members } = byName.get(name)!;
      return { ...group, endpoints: members.length, first: members[0].id };
    });
    this.classesOfGroup = names.map(() => new Map());
    this.singles = names.map(() => []);
    const perClass: Array<Map<number, number>> = Array.from({ length: size }, () => new Map());
    names.forEach((name, g) => {
      for (const e of byName.get(name)!.members) {
        if (e.singleInstance) this.singles[g].push(e.index);
        const c = classOf[e.index];
        this.classesOfGroup[g].set(c, (this.classesOfGroup[g].get(c) ?? 0) + 1);
        perClass[c].set(g, (perClass[c].get(g) ?? 0) + 1);
      }
    });
    this.groupsOfClass = perClass.map((m) => [...m.entries()]);
  }

  /**
   * The cells from group `g` (by index in `groups`) to every group it may reach at all (`allowed >
   * 0`), in the order of `groups`: a pair of groups not listed has no allowed endpoint pair. The work
   * is that of the class pairs allowed from the group's classes and the groups they fan out to, never
   * one step per group: at 25,000 namespaces, a source group that reaches three costs three cells.
   */
  public cellsFrom(g: number): GroupedCell[] {
    const { classes, rows, traffic } = this.matrix;
    const { weight, allowed } = this.scratch();
    // Weight of each destination class: the source endpoints of this group that may reach its members.
    const reached: number[] = [];
    for (const [c, count] of this.classesOfGroup[g]) {
      // The row's members, read from its words (no list allocated per class).
      const words = rows[c].words;
      for (let i = 0; i < words.length; i++) {
        for (let w = words[i]; w !== 0; w &= w - 1) {
          const d = i * 32 + 31 - Math.clz32(w & -w);
          if (weight[d] === 0) reached.push(d);
          weight[d] += count;
        }
      }
    }
    const touched: number[] = [];
    const touch = (h: number, by: number) => {
      if (!this.touchedMark[h]) {
        this.touchedMark[h] = 1;
        touched.push(h);
      }
      allowed[h] += by;
    };
    for (const d of reached) {
      const w = weight[d];
      weight[d] = 0;
      for (const [h, count] of this.groupsOfClass[d]) touch(h, w * count);
    }
    // A single pod to itself is loopback: allowed where the port exists, whatever the class row says.
    for (const e of this.singles[g]) {
      const c = classes.classOf[e];
      const policed = rows[c].has(c);
      const loop = traffic[c] !== undefined;
      if (policed && !loop) touch(g, -1);
      if (!policed && loop) touch(g, 1);
    }
    // In the order of `groups`: sorted when few are reached, else a scan of the marks (no log factor).
    const order = touched.length * 16 < this.groups.length ? touched.sort((a, b) => a - b) : this.marked();
    const from = this.groups[g];
    const cells: GroupedCell[] = [];
    for (const h of order) {
      const count = allowed[h];
      allowed[h] = 0;
      this.touchedMark[h] = 0;
      const to = this.groups[h];
      if (count > 0) cells.push({ from: from.name, to: to.name, allowed: count, pairs: from.endpoints * to.endpoints });
    }
    return cells;
  }

  /** The groups marked as reached, in the order of `groups`. */
  private marked(): number[] {
    const out: number[] = [];
    this.touchedMark.forEach((m, h) => {
      if (m) out.push(h);
    });
    return out;
  }

  /** Accumulators reused by every `cellsFrom` call, all zero between calls. */
  private scratch(): { weight: Float64Array; allowed: Float64Array } {
    if (this.scratchArrays === undefined) {
      this.scratchArrays = { weight: new Float64Array(this.matrix.classes.size), allowed: new Float64Array(this.groups.length) };
      this.touchedMark = new Uint8Array(this.groups.length);
    }
    return this.scratchArrays;
  }
}

/** The workload group of an endpoint, by the first `WorkloadRule` that applies. */
export function workloadGroup(e: ClusterEndpoint): { name: string; rule: WorkloadRule; kind?: string; label?: string } {
  // An owned pod (or ReplicaSet) that differs from its owner's template is an endpoint of its own, grouped under the owner.
  if (e.owner !== undefined) return { name: e.owner.id, rule: 'workload', kind: e.owner.kind };
  if (!e.external && !e.singleInstance) return { name: e.id, rule: 'workload', kind: e.kind };
  if (!e.external && e.namespace !== undefined) {
    const key = WORKLOAD_LABELS.find((k) => e.labels[k] !== undefined);
    if (key !== undefined) return { name: `${e.namespace}/${key}=${e.labels[key]}`, rule: 'label', label: key };
  }
  return { name: e.id, rule: 'endpoint', kind: e.kind };
}
