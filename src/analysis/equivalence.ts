import { Bitset, wordTotals } from './bitset';
import { isKubeApiServer } from './cilium-semantics';
import { MatrixEngine } from './matrix';
import { PolicyFeatures, policyFeatures } from './policy-features';
import { PortQuery } from './semantics';
import { Cluster, ClusterEndpoint, domainNameMatches, ipBlockContains, ipNotKnown } from '../inventory/cluster';
import { isDnsServer } from '../inventory/dns-servers';
import { Labels } from '../k8s/label-selector';
import { NAMESPACE_NAME_LABEL } from '../k8s/manifest';
import { Traffic } from '../k8s/port-set';

/**
 * The endpoints of a cluster cut into equivalence classes: endpoints that agree on everything the
 * policies look at (`policyFeatures`) are told apart by no policy, so one representative pair
 * decides every pair of two classes (and every pair of two distinct members of one class).
 */
export class EndpointClasses {
  /** The classes of `cluster` under what its policies (and `queries`' named ports) look at. */
  public static of(cluster: Cluster, queries: ReadonlyArray<{ readonly name?: string; readonly protocol: string }> = []): EndpointClasses {
    return EndpointClasses.under(cluster, policyFeatures(cluster, queries));
  }

  /** The classes of `cluster` under `features`. */
  public static under(cluster: Cluster, features: PolicyFeatures): EndpointClasses {
    const byKey = new Map<string, number>();
    const classOf = new Int32Array(cluster.endpoints.length);
    const members: number[][] = [];
    const nsKeys = new Map<string, string>();
    for (const e of cluster.endpoints) {
      const key = classKey(cluster, features, e, nsKeys);
      let c = byKey.get(key);
      if (c === undefined) {
        c = members.length;
        byKey.set(key, c);
        members.push([]);
      }
      members[c].push(e.index);
      classOf[e.index] = c;
    }
    return new EndpointClasses(cluster, classOf, members, features);
  }

  /** One representative of each class (its first member), indexed by class, standing for several pods. */
  public readonly representatives: ClusterEndpoint[];
  private engine?: MatrixEngine;

  private constructor(
    public readonly cluster: Cluster,
    /** The class of each endpoint, by endpoint index. */
    public readonly classOf: Int32Array,
    /** The endpoints of each class, ascending. */
    public readonly members: number[][],
    public readonly features: PolicyFeatures,
  ) {
    // Not single instances: a class to itself is one member reaching another, decided by the policies.
    this.representatives = members.map((m, c) => ({ ...cluster.endpoints[m[0]], index: c, singleInstance: false }));
  }

  /** The number of classes. */
  public get size(): number {
    return this.members.length;
  }

  /** Reachability of every class pair for one port (the selections are shared by every port). */
  public matrix(query: PortQuery): ClassMatrix {
    this.engine ??= new MatrixEngine(this.cluster.withEndpoints(this.representatives));
    const { rows, traffic } = this.engine.compute(query);
    return new ClassMatrix(this, rows, traffic);
  }
}

/**
 * Reachability of every class pair for one port, computed on the representatives by the pair
 * semantics of `computeMatrix`; expanded to endpoints only when asked.
 */
export class ClassMatrix {
  constructor(
    public readonly classes: EndpointClasses,
    /** `rows[a]` holds the classes a member of class `a` may connect to (another member, for `a` itself). */
    public readonly rows: Bitset[],
    /** The traffic each class receives for the query (undefined: it has no such named port). */
    public readonly traffic: Array<Traffic | undefined>,
  ) {}

  /** Whether endpoint `s` may connect to endpoint `d` (a single pod to itself: loopback, where the port exists). */
  public allowed(s: number, d: number): boolean {
    const cs = this.classes.classOf[s];
    if (s === d && this.classes.cluster.endpoints[s].singleInstance) return this.traffic[cs] !== undefined;
    return this.rows[cs].has(this.classes.classOf[d]);
  }

  /** The row of endpoint `s` over every endpoint: what `computeMatrix` gives for it. */
  public row(s: number): Bitset {
    const { classOf, members, cluster } = this.classes;
    const row = new Bitset(cluster.endpoints.length);
    for (const c of this.rows[classOf[s]].members()) for (const d of members[c]) row.add(d);
    const self = cluster.endpoints[s];
    if (self.singleInstance) {
      if (this.traffic[classOf[s]] !== undefined) row.add(s);
      else row.words[s >>> 5] &= ~(1 << (s & 31));
    }
    return row;
  }

  /** Every endpoint's row (`computeMatrix(cluster, query).rows`, from the classes). */
  public endpointRows(): Bitset[] {
    return this.classes.cluster.endpoints.map((e) => this.row(e.index));
  }

  /** The number of allowed endpoint pairs (loopback of single pods included), without expanding rows. */
  public allowedCount(): number {
    const { members, classOf, cluster } = this.classes;
    let count = 0;
    const sizes = members.map((m) => m.length);
    const totals = wordTotals(sizes);
    // Equal rows are often one shared set: each distinct set is counted once.
    const counted = new Map<Bitset, number>();
    this.rows.forEach((row, a) => {
      let weight = counted.get(row);
      if (weight === undefined) counted.set(row, (weight = row.weightedCount(sizes, totals)));
      count += weight * sizes[a];
    });
    for (const e of cluster.endpoints) {
      if (!e.singleInstance) continue;
      const c = classOf[e.index];
      const policed = this.rows[c].has(c);
      const loop = this.traffic[c] !== undefined;
      if (policed && !loop) count--;
      if (!policed && loop) count++;
    }
    return count;
  }
}

/**
 * The identity of an endpoint under `features` that means the same in another snapshot of the
 * cluster (classes over two snapshots, e.g. for a diff): its class key, plus its namespace's labels
 * as far as the selectors look even where the namespace is told apart by name (within one snapshot a
 * name fixes the labels, across two it does not). `nsKeys` caches per namespace, for one `cluster`.
 */
export function snapshotClassKey(cluster: Cluster, features: PolicyFeatures, e: ClusterEndpoint, nsKeys: Map<string, string>): string {
  const key = classKey(cluster, features, e, nsKeys);
  if (e.namespace === undefined || !features.namespaces.has(e.namespace)) return key;
  const guessed = cluster.namespaceLabelsGuessed(e.namespace) ? '"guessed"' : '';
  return `${key}${JSON.stringify(project(cluster.namespaceLabels(e.namespace), features.namespaceLabels))}${guessed}`;
}

/**
 * The identity of an endpoint under `features`: equal keys, no policy tells the endpoints apart.
 * The key is the JSON text of the list of its parts (kind, hostNetwork, the API server mark, the
 * namespace's part, the projected labels, the service account, the named ports' numbers, the ipBlock and domain bits,
 * the DNS names, whether it is a DNS server, the node), written part by part without building the list: it is computed for
 * every endpoint of the cluster, and the intermediate arrays were most of its cost.
 */
function classKey(cluster: Cluster, features: PolicyFeatures, e: ClusterEndpoint, nsKeys: Map<string, string>): string {
  let key = `[${e.external ? '"external"' : e.nodeTraffic ? '"node"' : '"pod"'},${json(e.hostNetwork)}`;
  // The API server's endpoint is always a class of its own (Cilium's cluster entity takes it in outside the cluster too).
  if (e.apiServer) key += ',"kube-apiserver"';
  if (e.namespace !== undefined) {
    // Cached per namespace as the JSON text of the JSON text of its part (the part is a string).
    let ns = nsKeys.get(e.namespace);
    if (ns === undefined) {
      // A namespace without its Namespace object (labels guessed) differs from one whose labels are
      // known alike, where a selector tests another key: a tier rule's match may then be undecided
      // (`Cluster.namespaceMatches`), decided fail closed.
      const guessed = cluster.namespaceLabelsGuessed(e.namespace) && [...features.namespaceLabels.keys()].some((k) => k !== NAMESPACE_NAME_LABEL);
      ns = JSON.stringify(features.namespaces.has(e.namespace)
        ? JSON.stringify(['name', e.namespace])
        : JSON.stringify(guessed ? ['guessed labels', project(cluster.namespaceLabels(e.namespace), features.namespaceLabels)]
          : ['labels', project(cluster.namespaceLabels(e.namespace), features.namespaceLabels)]));
      nsKeys.set(e.namespace, ns);
    }
    key += `,${ns}`;
  }
  key += `,${projectedText(e.labels, features.podLabels)}`;
  // The service account, where a Cilium selector looks at it: for a pod on the pod network (the
  // others never match an endpoint selector), as far as the selectors look, or not known.
  if (features.serviceAccounts !== undefined && serviceAccountsApply(e)) {
    key += e.serviceAccount === undefined ? ',"service account not known"'
      : `,["service account",${features.serviceAccounts.has(e.serviceAccount) ? JSON.stringify(e.serviceAccount) : 'null'}]`;
  }
  if (features.namedPorts.length > 0) {
    key += ',[';
    features.namedPorts.forEach((n, k) => {
      key += k === 0 ? '[' : ',[';
      let first = true;
      for (const p of e.ports) {
        if (p.name !== n.name || p.protocol !== n.protocol) continue;
        key += first ? json(p.number) : `,${json(p.number)}`;
        first = false;
      }
      key += ']';
    });
    key += ']';
  }
  if (features.ipBlocks.length > 0) {
    // In no block at all (no IPs, or none inside) is one feature value, however it comes about. An
    // end with several addresses (dual-stack) has the blocks of each: a block matches it only when
    // it holds them all (`addressesInside`), and several blocks may hold one address each; an
    // address field that could not be read sets it apart from an end with the same readable ones.
    let inAny = false;
    const vectors: string[] = [];
    for (const ip of e.ips) {
      let bits = '';
      for (const block of features.ipBlocks) bits += ipBlockContains(block, ip) ? '1' : '0';
      if (bits.includes('1')) inAny = true;
      if (!vectors.includes(bits)) vectors.push(bits);
    }
    key += `,"${inAny ? vectors.sort().join('|') + (e.ipsIncomplete ? '|?' : '') : ''}"`;
  }
  // An IP not known may be inside a cluster-wide rule's networks (decided fail closed), one outside is not.
  if (features.unknownIpsApart && ipNotKnown(e)) key += ',"ip not known"';
  if (features.domainNames.length > 0) {
    const bits = features.domainNames.map((p) => (e.dnsNames.some((n) => domainNameMatches(p, n)) ? '1' : '0')).join('');
    key += `,"${bits.includes('1') ? bits : ''}"`;
  }
  if (features.dnsNamesApart && e.external) key += `,${JSON.stringify([...e.dnsNames].sort())}`;
  // Each DNS server a class of its own: its lookups go to the other DNS servers, never to itself
  // (`lookupServers`), so its representative must not stand for another server it may ask.
  if (features.dnsServersApart && isDnsServer(e)) key += `,"dns server",${JSON.stringify(e.id)}`;
  if (features.nodesApart) key += `,${JSON.stringify([e.node ?? null, isKubeApiServer(cluster, e)])}`;
  return `${key}]`;
}

/** Whether an end is one a Cilium endpoint selector may select (a pod, not node traffic), whose service account matters. */
function serviceAccountsApply(e: ClusterEndpoint): boolean {
  return !e.external && !e.nodeTraffic && e.namespace !== undefined;
}

/** A value as an element of a JSON list (undefined as null, as JSON.stringify writes it in a list). */
function json(value: unknown): string {
  return JSON.stringify(value) ?? 'null';
}

/** `JSON.stringify(project(labels, looked))`, without the intermediate pairs. */
function projectedText(labels: Labels, looked: ReadonlyMap<string, ReadonlySet<string>>): string {
  let keys: string[] | undefined;
  for (const key in labels) {
    if (!Object.prototype.hasOwnProperty.call(labels, key) || !looked.has(key)) continue;
    (keys ??= []).push(key);
  }
  if (keys === undefined) return '[]';
  // Code-unit order, as `project` sorts.
  if (keys.length > 1) keys.sort();
  let out = '[';
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const value = labels[key];
    out += `${i === 0 ? '' : ','}[${JSON.stringify(key)},${looked.get(key)!.has(value) ? JSON.stringify(value) : 'null'}]`;
  }
  return `${out}]`;
}

/** Labels as far as the selectors look: the keys they test, a value they do not name as `null`. */
function project(labels: Labels, looked: ReadonlyMap<string, ReadonlySet<string>>): Array<[string, string | null]> {
  const out: Array<[string, string | null]> = [];
  for (const key of Object.keys(labels)) {
    const values = looked.get(key);
    if (values) out.push([key, values.has(labels[key]) ? labels[key] : null]);
  }
  return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}
