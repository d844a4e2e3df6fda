import { App, Chart } from 'cdk8s';
import { BlastRadius, computeBlastRadius } from './blast-radius';
import { ciliumPolices, ciliumRuleApplies, dnsLookupNote, fqdnMatches, isKubeApiServer, undecidedFqdnRules, undecidedSelectorNotes } from './cilium-semantics';
import { ConnectivityEdge, ConnectivityGraph } from './connectivity-graph';
import { ReachabilityDiff } from './diff-report';
import { EndpointClasses } from './equivalence';
import { Explanation } from './explanation';
import { computeExposure, Exposure } from './exposure';
import { GroupedDiff } from './grouped-diff';
import { GroupedMatrix, GroupKey } from './grouped-matrix';
import { HostNetworkMode } from './host-network-mode';
import { IncrementalDiff } from './incremental-diff';
import { policyFeatures } from './policy-features';
import { decidePair } from './precedence';
import { probePorts, summarizePorts } from './probe-ports';
import { diffClusters } from './reachability-diff';
import { ReachabilityMatrix } from './reachability-matrix';
import { PortQuery, resolveTraffic, selects } from './semantics';
import { unknownEndpointError } from './unknown-endpoint';
import { SideVerdict } from './verdict';
import { Cluster, ClusterEndpoint, ClusterPort, DECLARED_SERVICE_KIND, declaredServicesOf, SourcedObject, subjectSelects } from '../inventory/cluster';
import { KindCount, SkippedManifest } from '../inventory/inventory';
import { formatIp } from '../k8s/cidr';
import { LabelSelectorJson, NAMESPACE_NAME_LABEL } from '../k8s/manifest';
import { hasNamedPorts } from '../k8s/port-set';
import { Direction } from '../model/direction';
import { EndpointPort } from '../model/endpoint-port';
import { Port } from '../model/port';
import { Protocol } from '../model/protocol';

export { HostNetworkMode } from './host-network-mode';

/** A pod to add to the model, for pods the manifests do not contain (e.g. kube-dns, the ingress controller). */
export interface ModelPod {
  /** Its namespace. */
  readonly namespace: string;
  /** Its name; the endpoint is `<namespace>/<name>`. */
  readonly name: string;
  /** Its labels. */
  readonly labels: { [key: string]: string };
  /** Its container ports (for named ports). @default - none */
  readonly ports?: EndpointPort[];
  /**
   * Its IP, for ipBlock rules (an IPv4-mapped IPv6 address, `::ffff:10.0.0.7`, is refused: write
   * `10.0.0.7`). @default - none: ipBlocks never match it
   */
  readonly ip?: string;
  /**
   * It stands for the pods of a workload (its replicas) rather than for one pod, as a Deployment
   * of the manifests does: its traffic to itself goes from one replica to another and is decided by
   * the policies like any other pair, instead of being loopback (never policed).
   * @default false: one pod
   */
  readonly workload?: boolean;
}

/** An address outside the cluster to add to the model. */
export interface ExternalEndpoint {
  /** Its name in reports (no `/`). */
  readonly name: string;
  /**
   * Its IP address, IPv4 or IPv6. One address is one end: two externals at the same address are
   * refused (give one with all its DNS names, `dnsNames`), and so is an IPv4-mapped IPv6 address
   * (`::ffff:203.0.113.7`: write `203.0.113.7`, the IPv4 address a pod dialling it sends to) and a
   * zone (`fe80::1%eth0`).
   */
  readonly ip: string;
  /**
   * The DNS name it is reached by, for `domainNames` peers of cluster-wide policies and Cilium
   * `toFQDNs` (`api.stripe.com`; no wildcard). @default - none: domainNames peers never match it
   */
  readonly dnsName?: string;
  /**
   * More DNS names it is reached by (several names that resolve to this one address, e.g. two
   * hosts behind one load balancer), with `dnsName` if given: a rule for any of them matches it.
   * @default - none but `dnsName`
   */
  readonly dnsNames?: string[];
}

/** Options of the analyser. */
export interface ReachabilityOptions {
  /** Pods to add to the model. @default - none */
  readonly pods?: ModelPod[];
  /** External addresses to add to the model. @default - none */
  readonly externals?: ExternalEndpoint[];
  /** How pods with `hostNetwork: true` are analysed. @default HostNetworkMode.NODE_TRAFFIC */
  readonly hostNetwork?: HostNetworkMode;
  /**
   * The Kubernetes API server's address (`10.0.0.1`): an endpoint `kube-apiserver`, which Cilium's
   * `kube-apiserver` entity matches. When it is the address of a Node of the input (or a pod's
   * `status.hostIP`) the API server runs on that node and is node traffic there (Cilium's `host` and
   * `remote-node` take it in, CIDR rules do not); when the input has Node objects and it is none of
   * theirs, or `apiServerOutsideCluster` says so, it is outside the cluster (`world`, and ipBlocks
   * and CIDR rules by its address). Otherwise its placement is unknown: the model is refused where
   * a verdict depends on it (Cilium policies, a cluster-wide policy with a `nodes` peer), and
   * elsewhere it is analysed as outside the cluster, which decides nothing there (`explain` notes
   * it). For several API servers, use `apiServerIps` instead (giving both is refused).
   * @default - none: a Cilium rule naming kube-apiserver is left out (a warning)
   */
  readonly apiServerIp?: string;
  /**
   * The addresses of the Kubernetes API servers, for a control plane with several (`--api-server`
   * given once per address).
   *
   * An HA control plane has several control-plane nodes, or several endpoints of the `kubernetes`
   * Service in `default`. Each address is placed alone, as `apiServerIp` is
   * (on the Node with that address, else outside the cluster or refused), and each is an endpoint:
   * `kube-apiserver` when the list holds one address, `kube-apiserver:<ip>` (the address as given)
   * when it holds several. Cilium's `kube-apiserver` entity matches every one of them and every
   * end of each node that runs one. An address given twice is refused, and so is giving
   * `apiServerIp` too: put every address here.
   *
   * The input may state the addresses itself (the Endpoints `default/kubernetes`, or the
   * `discovery.k8s.io/v1` EndpointSlices labelled `kubernetes.io/service-name: kubernetes` in
   * `default`): they are then used as if given here, and given here too they must be the same
   * addresses, or the model is refused naming both.
   * @default - the addresses the input states; none: a Cilium allow rule naming kube-apiserver is left out (a warning)
   */
  readonly apiServerIps?: string[];
  /**
   * The API servers (`apiServerIp`, `apiServerIps`, or those the input states) run outside the
   * cluster (a managed control plane), so no Node of the input is needed to place them
   * (`--api-server-outside`). Refused when no address is given or stated.
   * @default false
   */
  readonly apiServerOutsideCluster?: boolean;
  /**
   * The ranges the cluster assigns pod IPs from (`--pod-cidr`, once per range), e.g. `10.244.0.0/16`
   * and `fd00:10:244::/56`: the cluster's `--cluster-cidr`, or the `spec.podCIDRs` of its Nodes.
   *
   * A pod on the pod network whose IP the input does not give (a workload's replicas, a pod without
   * `status.podIP`) then lies inside them, so a cluster-wide rule's `networks` that no pod CIDR
   * overlaps do not match it, decided (otherwise such a rule is decided fail closed for that pod:
   * an Admin/Baseline Deny of `fd00:ec2::254/128` denies every pod's egress). Pod CIDRs of one
   * family say nothing about the other. Node traffic and hostNetwork pods are not on the pod
   * network and are not affected; a pod whose IP is known is decided by that IP, inside the ranges
   * or not. Each must be a valid CIDR (as the API server checks one), or the model is refused.
   * @default - none: a pod whose IP is not known may have any IP but link-local, loopback, multicast, ...
   */
  readonly podCidrs?: string[];
}

/** What the program that wrote the policies knows about its declared services (see `declaredServicesOf`). */
export interface DeclaredFacts {
  readonly declaredPorts?: ReadonlyMap<string, ClusterPort[]>;
  readonly declaredServices?: ReadonlyArray<{ readonly namespace: string; readonly name: string; readonly podSelector: LabelSelectorJson }>;
}

/** Options of `Reachability.connectivity`. */
export interface ConnectivityOptions {
  /**
   * Draw only connections that a policy decides: the source is isolated for egress or the
   * destination for ingress. Connections between pods no policy selects are open and left out.
   * @default false
   */
  readonly policedOnly?: boolean;
}

/**
 * Proof of intent without a cluster: an in-process model of Kubernetes NetworkPolicy semantics
 * (per-pod, per-direction isolation; additive rules; both sides must allow; named ports, endPort,
 * ipBlock with except) over plain manifests, a cdk8s chart or a whole app.
 *
 * @example
 * const r = Reachability.fromChart(chart, { pods: [{ namespace: 'kube-system', name: 'coredns', labels: { 'k8s-app': 'kube-dns' } }] });
 * r.allows('shop/frontend', 'shop/backend', Port.tcp(8080));   // true
 * TextFormat.explanation(r.explain('shop/frontend', 'shop/postgres', Port.tcp(5432)));
 */
export class Reachability {
  /** The model of plain manifests (what `kubectl get -o yaml` or `cdk8s synth` prints, `List`s included). */
  public static fromManifests(manifests: any[], options: ReachabilityOptions = {}): Reachability {
    return Reachability._fromSourced(manifests.map((object) => ({ object })), options);
  }

  /**
   * The model of a cdk8s chart's manifests. The services the chart declares are its endpoints: its
   * workloads, and the services declared by labels (`<namespace>/<service>`, with the container
   * ports the program gave them), so only what lives outside the chart goes into `options`.
   */
  public static fromChart(chart: Chart, options: ReachabilityOptions = {}): Reachability {
    return Reachability._fromSourced(chart.toJson().map((object) => ({ object })), options, declaredServicesOf(chart.node.findAll()));
  }

  /** The model of every chart of a cdk8s app (its declared services as in `fromChart`). */
  public static fromApp(app: App, options: ReachabilityOptions = {}): Reachability {
    return Reachability._fromSourced(app.charts.flatMap((c) => c.toJson()).map((object) => ({ object })), options,
      declaredServicesOf(app.charts.flatMap((c) => c.node.findAll())));
  }

  /**
   * The models of two snapshots of one cluster, for `diff` (`netpol diff`, the bench): the after
   * side is built with the before side as its basis (`ClusterOptions.basis`), so that the
   * NetworkPolicies both hold unchanged are compiled once. No code runs between the two builds, so
   * the before objects are as they were read. Each model is exactly the one `_fromSourced` builds alone.
   * @internal
   */
  public static _snapshots(
    before: SourcedObject[], after: SourcedObject[], options: ReachabilityOptions = {}, declared: DeclaredFacts = {},
  ): [Reachability, Reachability] {
    const b = Reachability._fromSourced(before, options, declared, { reusable: true });
    try {
      return [b, Reachability._fromSourced(after, options, declared, { basis: b })];
    } finally {
      b._cluster.releaseReusable();
    }
  }

  /**
   * `reuse`: keep the NetworkPolicies with what is compiled of them for the next model (`reusable`),
   * or reuse what `basis` compiled (see `ClusterOptions.basis`); the model is the same either way.
   * Only the first model built takes part: the models built later on demand (staged policies
   * enforced, read as Cilium) are built afresh.
   * @internal
   */
  public static _fromSourced(
    objects: SourcedObject[], options: ReachabilityOptions = {}, declared: DeclaredFacts = {},
    reuse: { readonly reusable?: boolean; readonly basis?: Reachability } = {},
  ): Reachability {
    const extra = {
      pods: options.pods?.map((p) => ({
        ...p,
        ports: p.ports?.map((x) => ({ number: x.number, name: x.name, protocol: x.protocol ?? Protocol.TCP })),
      })),
      externals: options.externals,
      ...apiServersOf(options),
      declaredPorts: declared.declaredPorts,
      declaredServices: declared.declaredServices,
    };
    const hostNetwork = options.hostNetwork === HostNetworkMode.POD_TRAFFIC ? 'pod' : 'node';
    // Copied now: the models built later on demand must not see the caller change the list.
    const podCidrs = Array.isArray(options.podCidrs) ? [...options.podCidrs] : options.podCidrs;
    // Without staged policies the model with them enforced is this one (`stagedAsEnforced`). The
    // input objects stay reachable only for the same input read on a cluster that runs Cilium (a diff
    // whose other side holds Cilium policies, `asCilium`).
    const build = (runsCilium: boolean, first: boolean): Reachability => {
      const cluster = new Cluster(objects, extra, {
        hostNetwork, podCidrs, runsCilium, ...(first ? { basis: reuse.basis?._cluster, reusable: reuse.reusable } : {}),
      });
      const staged = cluster.stagedPolicies.length === 0 ? undefined
        : () => new Reachability(new Cluster(objects, extra, { hostNetwork, podCidrs, runsCilium, stagedAsEnforced: true }));
      return new Reachability(cluster, staged, runsCilium ? undefined : () => build(true, false));
    };
    return build(false, true);
  }

  /**
   * What changes from `before` to `after` (e.g. the main branch's `dist/` and a pull request's): the
   * connections opened and closed between the endpoints both share, on every port any policy of
   * either mentions plus "any other port", and the endpoints added or removed.
   */
  public static diff(before: Reachability, after: Reachability): ReachabilityDiff {
    const same = Reachability.samePlugin(before, after);
    const d = diffClusters(same.before._cluster, same.after._cluster);
    return ReachabilityDiff._of(d.probes.map((p) => p.label), d.opened, d.closed, d.added, d.removed, d.l7Changed, same.notes);
  }

  /**
   * `diff` aggregated by namespace or class (`netpol diff --group-by`): counts of the connections
   * opened and closed per pair of groups, from the changed class pairs, never listed one by one.
   * @internal
   */
  public static _groupedDiff(before: Reachability, after: Reachability, groupBy: 'namespace' | 'class'): GroupedDiff {
    const same = Reachability.samePlugin(before, after);
    return new GroupedDiff(IncrementalDiff.of(same.before._cluster, same.after._cluster), same.before._cluster, groupBy);
  }

  /**
   * The notes of `diff` and `_groupedDiff` on how the two sides are read (the network plugin).
   * @internal
   */
  public static _diffNotes(before: Reachability, after: Reachability): string[] {
    return Reachability.samePlugin(before, after).notes;
  }

  /**
   * `before` and `after` read with the same network plugin. The plugin is inferred from the input
   * (Cilium when it holds Cilium policies, README "Cilium"), but a cluster runs the same plugin
   * before and after a change: when only one side holds Cilium policies, both are read as Cilium
   * (the side with them needs Cilium to enforce them), so adding the first or removing the last
   * Cilium policy does not flip the NetworkPolicy ipBlock verdicts of unrelated pods. The note says so.
   */
  private static samePlugin(before: Reachability, after: Reachability): { before: Reachability; after: Reachability; notes: string[] } {
    const [b, a] = [before._cluster.runsCilium, after._cluster.runsCilium];
    if (b === a) return { before, after, notes: [] };
    const [plain, cilium] = b ? [after, before] : [before, after];
    const side = b ? 'after' : 'before';
    const first = cilium._cluster.ciliumPolicies[0];
    const why = first ? ` (${first.kind} ${first.id})` : '';
    const asCilium = plain.asCilium?.();
    if (!asCilium) {
      return {
        before,
        after,
        notes: [`the ${side} side holds no Cilium policy and the other side does${why}: the two sides are read as different network plugins, `
          + 'so NetworkPolicy ipBlock verdicts may change only because of that. Give both sides the same plugin.'],
      };
    }
    const notes = [`network plugin: the ${side} side holds no Cilium policy, the other side does${why}; a cluster runs the same plugin `
      + 'before and after, so both sides are read as Cilium (NetworkPolicy ipBlocks match only ends outside the cluster). '
      + 'If the cluster does not run Cilium, the Cilium policies enforce nothing and these verdicts are wrong.'];
    return b ? { before, after: asCilium, notes } : { before: asCilium, after, notes };
  }

  /** @internal */
  public readonly _cluster: Cluster;
  /** Builds the model with the staged policies enforced; undefined for that model itself. */
  private readonly stagedModel?: () => Reachability;
  /** Builds the model of the same input on a cluster that runs Cilium; undefined when this one does already. */
  private readonly asCilium?: () => Reachability;
  private stagedCache?: Reachability;
  /** The namespace label keys (other than the name) any policy selects namespaces by; computed once. */
  private namespaceLabelKeys?: string[];
  private readonly classCache = new Map<string, EndpointClasses>();

  private constructor(cluster: Cluster, stagedModel?: () => Reachability, asCilium?: () => Reachability) {
    this._cluster = cluster;
    this.stagedModel = stagedModel;
    this.asCilium = asCilium;
    // The toFQDNs rules whose DNS lookups the model cannot decide join the parts left out, once per model.
    if (cluster.ciliumPolicies.length > 0) cluster.skipped.push(...undecidedFqdnRules(cluster));
  }

  /**
   * The staged policies of the input (Calico `StagedKubernetesNetworkPolicy`), as
   * `<namespace>/<name> (staged)`. They do not enforce: every verdict of this model comes from the
   * enforcing policies alone; `stagedAsEnforced()` is the model in which they enforce too.
   */
  public get stagedPolicies(): string[] {
    return this._cluster.stagedPolicies.map((p) => p.id);
  }

  /**
   * The model of what the cluster would do with the staged policies promoted: the enforcing policies
   * plus the staged ones as if they enforced, over the same endpoints. (Itself when there are no
   * staged policies, or when it is that model already.)
   */
  public stagedAsEnforced(): Reachability {
    if (!this.stagedModel || this._cluster.stagedPolicies.length === 0) return this;
    this.stagedCache ??= this.stagedModel();
    return this.stagedCache;
  }

  /** Every endpoint: `<namespace>/<name>` of pods and workloads, and the external endpoints' names. */
  public get endpoints(): string[] {
    return this._cluster.endpoints.map((e) => e.id);
  }

  /** The endpoints that are hostNetwork pods (or workloads whose pod template has `hostNetwork: true`). */
  public get hostNetworkEndpoints(): string[] {
    return this._cluster.endpoints.filter((e) => e.hostNetwork).map((e) => e.id);
  }

  /** How hostNetwork pods are analysed. */
  public get hostNetworkMode(): HostNetworkMode {
    return this._cluster.hostNetworkMode === 'pod' ? HostNetworkMode.POD_TRAFFIC : HostNetworkMode.NODE_TRAFFIC;
  }

  /**
   * Objects left out of the model, each with the reason and the fix: policies the API server would
   * reject, kinds that can change verdicts but are not modelled (a v1beta1 ClusterNetworkPolicy,
   * Calico policies, the parts of Cilium policies the model cannot place: the verdicts ignore them), and objects kubectl would reject
   * (a name YAML 1.1 read as a boolean, no name, no pod template). When it is not empty, verdicts may
   * be wrong.
   */
  public get skipped(): SkippedManifest[] {
    return this._cluster.skipped.map((s) => ({ ...s }));
  }

  /** Objects of kinds that cannot affect NetworkPolicy verdicts (ConfigMap, Secret, Service, ...), counted by kind. */
  public get ignored(): KindCount[] {
    return this._cluster.ignored.map((k) => ({ ...k }));
  }

  /** Whether `from` may connect to `to` on `port` (a single port, or a named port). */
  public allows(from: string, to: string, port: Port): boolean {
    return this.explain(from, to, port).allowed;
  }

  /** Why `from` may or may not connect to `to` on `port`: both sides, with the policies and rules. */
  public explain(from: string, to: string, port: Port): Explanation {
    return this._explain(from, to, port, true);
  }

  /**
   * `explain`, with what the staged policies would do (`Explanation.staged`) only when `withStaged`.
   * @internal
   */
  public _explain(from: string, to: string, port: Port, withStaged: boolean): Explanation {
    const query = toQuery(port);
    const src = this.endpoint(from);
    const dst = this.endpoint(to);
    const traffic = resolveTraffic(dst, query);
    const label = query.name !== undefined ? `${query.name}/${query.protocol}${traffic ? ` (${traffic.port})` : ''}` : `${query.port}/${query.protocol}`;
    const loopback = src === dst && src.singleInstance;
    const effective = traffic ?? { port: 0, protocol: query.protocol };
    const { egress, ingress } = decidePair(this._cluster, src, dst, effective);
    const unresolved = traffic ? undefined : `${to} has no ${query.protocol} container port named "${query.name}", so there is nothing to connect to`;
    const notes = (src === dst ? [src] : [src, dst]).filter((e) => e.hostNetwork || e.kind === 'Node')
      .map((e) => (e.hostNetwork ? hostNetworkNote(e) : nodeNote(e, isKubeApiServer(this._cluster, e))));
    const unplaced = unplacedOwnNodeNote(src, dst, ingress);
    if (unplaced !== undefined) notes.push(unplaced);
    if (dst.kind === DECLARED_SERVICE_KIND && dst.ports.length === 0 && this.hasNamedPortRules()) notes.push(portlessServiceNote(dst));
    if (!egress.allowed && dst.external && this._cluster.ciliumPolicies.length > 0) {
      // A toFQDNs rule of the source names the destination, and the DNS proxy does not see the lookups: say why.
      for (const name of dst.dnsNames) {
        if (!this._cluster.ciliumPolicies.some((p) => p.egress.some((r) => !r.deny && r.peer?.kind === 'fqdns'
          && r.peer.names.some((s) => fqdnMatches(s, name)) && ciliumRuleApplies(this._cluster, p, r, src)))) continue;
        const note = dnsLookupNote(this._cluster, src, name);
        if (note !== undefined) notes.push(note);
      }
    }
    if (this._cluster.ciliumPolicies.length > 0 && traffic !== undefined) {
      // Undecided Cilium selectors read fail closed, where one decided this pair (CiliumUndecided).
      notes.push(...undecidedSelectorNotes(this._cluster, 'egress', src, dst, traffic), ...undecidedSelectorNotes(this._cluster, 'ingress', dst, src, traffic));
    }
    for (const e of src === dst ? [src] : [src, dst]) if (this._cluster.unplacedApiServers.has(e.id)) notes.push(unplacedApiServerNote(e));
    // Where the API servers' addresses came from, when the input states them (default/kubernetes).
    const apiSource = this._cluster.apiServerSource;
    if (apiSource !== undefined && (src.apiServer || dst.apiServer)) notes.push(apiSource);
    notes.push(...this.guessedNamespaceNotes(src === dst ? [src] : [src, dst]));
    const staged = withStaged ? this.stagedAsEnforced() : this;
    const stagedExplanation = staged === this ? undefined : staged._explain(from, to, port, false);
    return Explanation._of(from, to, label, egress, ingress, loopback, unresolved, notes, stagedExplanation);
  }

  /**
   * A warning per end whose namespace has no Namespace object in the input while a policy selects
   * namespaces by a label other than its name: a selector that depends on such a label is decided
   * fail closed (an allow or Accept that depends on it does not apply, a deny or Deny does), so the
   * verdict may be stricter than the cluster's. Never decided silently.
   */
  private guessedNamespaceNotes(ends: ClusterEndpoint[]): string[] {
    const keys = this.guessedLabelKeys();
    if (keys.length === 0) return [];
    const namespaces = [...new Set(ends.flatMap((e) => (e.namespace !== undefined && !e.external ? [e.namespace] : [])))];
    return namespaces.filter((ns) => this._cluster.namespaceLabelsGuessed(ns)).map((ns) => `namespace ${ns} has no Namespace object in the input, `
      + `so its labels are unknown but for ${NAMESPACE_NAME_LABEL}; policies select namespaces by ${keys.join(', ')}: where a selector depends on them `
      + 'it is read fail closed (an allow does not apply, a deny does), so this verdict may be stricter than the cluster\'s. '
      + 'Add the namespaces to the input (kubectl get namespaces,pods,... -A -o yaml, or --surroundings).');
  }

  /**
   * A note when pods whose IP is known lie outside the given pod CIDRs (`podCidrs`): they are
   * decided by their IP, but the ranges may be incomplete, and pods of unknown IP rely on them.
   * @internal
   */
  public _podsOutsidePodCidrsNote(): string | undefined {
    const ids = this._cluster.podsOutsidePodCidrs;
    if (ids.length === 0) return undefined;
    const listed = ids.length > 10 ? `${ids.slice(0, 10).join(', ')} and ${ids.length - 10} more` : ids.join(', ');
    return `the IP of ${listed} is outside the given pod CIDRs (--pod-cidr, ReachabilityOptions.podCidrs): `
      + 'decided by that IP; pods whose IP is not known are taken to lie inside the pod CIDRs, so check that they list every range pods get IPs from.';
  }

  /**
   * The same warning once for the whole model (the CLI's matrix, diff, ...): every namespace of an
   * endpoint without its Namespace object, when a policy selects namespaces by another label than the name.
   * @internal
   */
  public _guessedNamespacesWarning(): string | undefined {
    const keys = this.guessedLabelKeys();
    if (keys.length === 0) return undefined;
    const namespaces = [...new Set(this._cluster.endpoints.flatMap((e) => (e.namespace !== undefined && !e.external ? [e.namespace] : [])))]
      .filter((ns) => this._cluster.namespaceLabelsGuessed(ns)).sort();
    if (namespaces.length === 0) return undefined;
    const listed = namespaces.length > 10 ? `${namespaces.slice(0, 10).join(', ')} and ${namespaces.length - 10} more` : namespaces.join(', ');
    return `no Namespace object for namespace${namespaces.length === 1 ? '' : 's'} ${listed}: policies select namespaces by ${keys.join(', ')}, `
      + `which are unknown there (only ${NAMESPACE_NAME_LABEL} is certain); where a selector depends on them it is read fail closed `
      + '(an allow does not apply, a deny does), so verdicts for their endpoints may be stricter than the cluster\'s. '
      + 'Add the namespaces to the input (kubectl get namespaces,pods,... -A -o yaml, or --surroundings).';
  }

  /** The namespace label keys other than the name any policy selects namespaces by. */
  private guessedLabelKeys(): string[] {
    this.namespaceLabelKeys ??= [...policyFeatures(this._cluster).namespaceLabels.keys()].filter((k) => k !== NAMESPACE_NAME_LABEL).sort();
    return this.namespaceLabelKeys;
  }

  /** The full matrix for one port: every pair, including each endpoint to itself. */
  public matrix(port: Port): ReachabilityMatrix {
    const query = toQuery(port);
    const classes = this._classes([query]).matrix(query);
    const singlePods = this._cluster.endpoints.map((e) => e.singleInstance);
    return ReachabilityMatrix._ofClasses({ number: query.port, name: query.name }, query.protocol, this.endpoints, classes, singlePods, {
      endpoints: this.hostNetworkEndpoints, mode: this.hostNetworkMode,
    });
  }

  /**
   * The matrix for `port` aggregated by namespace or by equivalence class (allowed endpoint pairs of
   * each pair of groups), from the class matrix: for cluster-scale output (`netpol matrix --group-by`).
   * @internal
   */
  public _groupedMatrix(port: Port, groupBy: GroupKey): GroupedMatrix {
    const query = toQuery(port);
    return new GroupedMatrix(this._classes([query]).matrix(query), groupBy);
  }

  /**
   * The allowed connections over `ports` as a graph (loopback left out). Without ports: every port
   * any policy mentions, plus "other ports" of each protocol.
   */
  public connectivity(ports?: Port[], options: ConnectivityOptions = {}): ConnectivityGraph {
    const explicit = ports && ports.length > 0;
    const probes = explicit
      ? ports.map((p) => ({ query: toQuery(p), label: p.toString().replace(' (named)', ''), other: false }))
      : probePorts([this._cluster]);
    const endpoints = this._cluster.endpoints;
    const classes = this._classes(probes.map((p) => p.query));
    // Isolation is decided per class, on its representative.
    const isolatedIn = classes.representatives.map((e) => this.policed('ingress', e));
    const isolatedOut = classes.representatives.map((e) => this.policed('egress', e));
    const drawn = (s: number, d: number) => s !== d && (!options.policedOnly || isolatedOut[classes.classOf[s]] || isolatedIn[classes.classOf[d]]);
    const allowed = new Map<string, Set<number>>();
    probes.forEach((probe, k) => {
      const matrix = classes.matrix(probe.query);
      endpoints.forEach((_, s) => {
        for (const d of matrix.row(s).members()) {
          if (!drawn(s, d)) continue;
          const key = `${s} ${d}`;
          const set = allowed.get(key) ?? new Set<number>();
          set.add(k);
          allowed.set(key, set);
        }
      });
    });
    const edges: ConnectivityEdge[] = [...allowed.entries()]
      .map(([key, set]) => {
        const [s, d] = key.split(' ').map(Number);
        const labels = explicit ? probes.filter((_, k) => set.has(k)).map((p) => p.label) : summarizePorts(probes, set);
        return { from: this._cluster.endpoints[s].id, to: this._cluster.endpoints[d].id, ports: labels };
      })
      .sort((a, b) => (a.from === b.from ? (a.to < b.to ? -1 : 1) : a.from < b.from ? -1 : 1));
    return ConnectivityGraph._of(this._cluster.endpoints.map((e) => ({ id: e.id, namespace: e.namespace })), edges);
  }

  /**
   * Who could reach `workload` (`Direction.INGRESS`), or whom it could reach (`Direction.EGRESS`):
   * for each rule of the policies that isolate that side, the peer's selectors in words (`any pod
   * of a namespace labelled team=x`, `any pod labelled app=y in namespace z`, `any address in
   * 0.0.0.0/0 except 10.0.0.0/8`), so pods and namespaces the manifests do not contain yet are
   * covered; `anyone` when no policy isolates the side. Plus the endpoints of the model that can
   * connect, with both sides deciding.
   */
  public exposure(workload: string, direction: Direction): Exposure {
    return this.exposures(direction, [workload])[0];
  }

  /**
   * The exposure (see `exposure`) of each of `workloads`, in their order; without workloads, of
   * every endpoint inside the cluster, in the model's order. The connectivity is computed once.
   */
  public exposures(direction: Direction, workloads?: string[]): Exposure[] {
    const list = workloads && workloads.length > 0 ? workloads.map((id) => this.workload(id, 'exposure')) : this._cluster.endpoints.filter((e) => !e.external);
    const graph = this.connectivity();
    return list.map((e) => computeExposure(this._cluster, e, direction, graph));
  }

  /**
   * What a compromised workload can reach: every endpoint reachable from `from` directly and by
   * lateral movement (from each workload it reaches, whatever that one can reach, on any port),
   * each with a shortest path and the ports of each hop. Addresses outside the cluster are reached
   * but not followed. `maxDepth` limits the hops (1: only the direct connections).
   */
  public blastRadius(from: string, maxDepth?: number): BlastRadius {
    return computeBlastRadius(this._cluster, this.workload(from, 'blast radius'), maxDepth, (queries) => this._classes(queries));
  }

  /**
   * Endpoints that no policy selects in `direction` (everything is allowed to or from them): no
   * NetworkPolicy isolates them and no cluster-wide policy with rules in that direction has them as its subject.
   */
  public unisolated(direction: Direction): string[] {
    const side = direction === Direction.INGRESS ? 'ingress' : 'egress';
    const classes = this._classes();
    const isolated = classes.representatives.map((e) => this.policed(side, e));
    return this._cluster.endpoints.filter((e) => !e.external && !isolated[classes.classOf[e.index]]).map((e) => e.id);
  }

  /**
   * Whether a NetworkPolicy isolates `e` in `side`, a cluster-wide policy with rules of that side
   * has it as its subject, or a Cilium policy selects it with default deny or deny rules there.
   */
  private policed(side: 'ingress' | 'egress', e: ClusterEndpoint): boolean {
    return this._cluster.policies.some((p) => selects(p, side, e))
      || this._cluster.ciliumPolicies.some((p) => ciliumPolices(this._cluster, p, side, e))
      || this._cluster.tieredPolicies.some((p) => (side === 'ingress' ? p.ingress : p.egress).length > 0 && subjectSelects(this._cluster, p, e));
  }

  /** Endpoints that no policy selects at all, in either direction. */
  public unprotected(): string[] {
    const ingress = new Set(this.unisolated(Direction.INGRESS));
    return this.unisolated(Direction.EGRESS).filter((e) => ingress.has(e));
  }

  /**
   * The equivalence classes of the endpoints under what the policies look at (and the named ports of
   * `queries`), computed once per set of named ports.
   * @internal
   */
  public _classes(queries: PortQuery[] = []): EndpointClasses {
    const names = queries.filter((q) => q.name !== undefined).map((q) => JSON.stringify([q.name, q.protocol])).sort();
    const key = [...new Set(names)].join(',');
    let classes = this.classCache.get(key);
    if (!classes) {
      classes = EndpointClasses.of(this._cluster, queries);
      this.classCache.set(key, classes);
    }
    return classes;
  }

  /** Whether some rule of the model allows a named port. */
  private hasNamedPortRules(): boolean {
    return this._cluster.policies.some((p) => [...(p.ingress ?? []), ...(p.egress ?? [])].some((r) => hasNamedPorts(r.ports)))
      || this._cluster.ciliumPolicies.some((p) => [...p.ingress, ...p.egress].some((r) => hasNamedPorts(r.ports)));
  }

  /** The endpoint `id`, which must be inside the cluster (`what` names the question, for the error). */
  private workload(id: string, what: string): ClusterEndpoint {
    const e = this.endpoint(id);
    if (e.external) {
      throw new Error(`${id} is an address outside the cluster, where NetworkPolicies do not apply, so it has no ${what} to compute. `
        + 'Name a pod or workload as <namespace>/<name>.');
    }
    return e;
  }

  private endpoint(id: string): ClusterEndpoint {
    const e = this._cluster.endpoint(id);
    if (!e) {
      throw unknownEndpointError(id, this.endpoints);
    }
    return e;
  }
}

/** What `explain` says about a destination declared by labels whose container ports the manifests do not say. */
function portlessServiceNote(e: ClusterEndpoint): string {
  return `${e.id} is a service declared by labels whose pods are not in the manifests, so its container ports are unknown and a rule that allows a named port never matches it. `
    + 'Give its pods with their container ports as surroundings (--surroundings, ReachabilityOptions.pods), or analyse the chart with Reachability.fromChart, which knows the ports it declares';
}

/** What `explain` says about an end that is a Node, and how it was analysed. */
function nodeNote(e: ClusterEndpoint, apiServer: boolean): string {
  const ips = e.ips.length > 0 ? e.ips.map(formatIp).join(', ') : 'none known (no InternalIP or ExternalIP in status.addresses), so no ipBlock matches it';
  return `${e.id} is the Node ${e.node}, analysed as traffic of that node: no policy selects it, pod and namespace selectors never match it, `
    + `ipBlocks match its addresses (${ips}), and Cilium's entities host and remote-node match it`
    + `${apiServer ? ', and kube-apiserver too, as it runs an API server' : ''}. `
    + "A pod's ingress from its own node is always allowed (Kubernetes), whatever its policies; its egress to the node is left to its policies";
}

/**
 * Node traffic denied at a pod when the node of either is not known (a workload's replicas run on
 * any node; a pod without spec.nodeName, or a status.hostIP of no Node of the input): on one node,
 * the pod's own node reaches it whatever the policies (`fromOwnNode`), so the DENIED holds only
 * where they run on different nodes. Said, never guessed.
 */
function unplacedOwnNodeNote(src: ClusterEndpoint, dst: ClusterEndpoint, ingress: SideVerdict): string | undefined {
  if (ingress.allowed || !src.nodeTraffic || dst.external || dst.nodeTraffic) return undefined;
  if (src.node !== undefined && dst.node !== undefined) return undefined;
  const unknown = [src, dst].filter((e) => e.node === undefined).map((e) => e.id).join(' and ');
  return `the node of ${unknown} is not known (a pod's spec.nodeName, or a Node whose address is its status.hostIP; a workload's replicas run on any node): `
    + `where ${dst.id} runs on the node of ${src.id}, its own node always reaches it (Kubernetes) whatever its policies, so this verdict holds only on different nodes`;
}

/** What `explain` says about an API server whose placement is not known (`Cluster.unplacedApiServers`). */
function unplacedApiServerNote(e: ClusterEndpoint): string {
  return `${e.id} is an API server whose address (${e.ips.map(formatIp).join(', ')}) no Node of the input has, and it was not said to run outside the cluster, `
    + 'so where it runs is not known: it is analysed as outside the cluster, as none of the policies of the input tells that apart from a node. '
    + 'Give the Nodes (kubectl get nodes -o yaml) or say it runs outside (apiServerOutsideCluster, --api-server-outside)';
}

/** What `explain` says about an end that is a hostNetwork pod, and how it was analysed. */
function hostNetworkNote(e: ClusterEndpoint): string {
  if (e.nodeTraffic) {
    const ips = e.ips.length > 0 ? `its node IP ${e.ips.map(formatIp).join(', ')}` : 'its node IP, which is unknown (no status.hostIP), so no ipBlock matches it';
    return `${e.id} is a hostNetwork pod, analysed as traffic of its node (host-network mode node, the default and the most common implementation): `
      + `no policy selects it, pod and namespace selectors never match it, and ipBlocks match ${ips}. `
      + "A pod's ingress from its own node is always allowed (Kubernetes), whatever its policies; its egress to the node is left to its policies. "
      + 'For a network plugin that polices hostNetwork pods like other pods, use host-network mode pod';
  }
  return `${e.id} is a hostNetwork pod, analysed as an ordinary pod (host-network mode pod); `
    + 'most network plugins instead treat its traffic as traffic of its node, which pod and namespace selectors never match (host-network mode node, the default)';
}

/** The query a `Port` stands for; only single and named ports can be asked about. */
export function toQuery(port: Port): PortQuery {
  if (!Port.isPort(port)) {
    throw new Error(`cannot ask about ${JSON.stringify(port)}: it is not a Port. Ask about a single port (Port.tcp(5432)) or a named port (Port.named('http')).`);
  }
  port = Port._use(port, 'port');
  if (port.isAllTraffic || port.isAllPortsOfProtocol || port.endPort !== undefined) {
    throw new Error(`cannot ask about ${port.toString()}: a connection goes to one port. Ask about a single port (Port.tcp(5432)) or a named port (Port.named('http')).`);
  }
  return port.portName !== undefined
    ? { name: port.portName, protocol: port.protocol! }
    : { port: port.portNumber!, protocol: port.protocol! };
}

/** The API servers of the options, for the model: `apiServerIp` or `apiServerIps`, never both. */
function apiServersOf(options: ReachabilityOptions): { apiServer?: { ips: string[]; outside: boolean } } {
  if (options.apiServerIp !== undefined && options.apiServerIps !== undefined) {
    throw new Error(`ReachabilityOptions.apiServerIp and apiServerIps were both given (${options.apiServerIp}; ${options.apiServerIps.join(', ')}), `
      + 'so which API servers the cluster has is not clear: give every address in apiServerIps, and leave apiServerIp out.');
  }
  const ips = options.apiServerIps ?? (options.apiServerIp !== undefined ? [options.apiServerIp] : undefined);
  // Outside, with the addresses the input states (the Cluster refuses it when the input states none).
  if (ips === undefined) return options.apiServerOutsideCluster === true ? { apiServer: { ips: [], outside: true } } : {};
  // From JavaScript anything can come: a string spread into its characters would be refused as addresses that were never given.
  if (!Array.isArray(ips) || ips.some((ip) => typeof ip !== 'string')) {
    throw new Error(`ReachabilityOptions.${options.apiServerIps !== undefined ? 'apiServerIps' : 'apiServerIp'} is ${JSON.stringify(options.apiServerIps ?? options.apiServerIp)}: `
      + 'give the API servers\' addresses as strings (apiServerIps: [\'10.0.0.1\', \'10.0.0.2\']).');
  }
  if (ips.length === 0) return options.apiServerOutsideCluster === true ? { apiServer: { ips: [], outside: true } } : {};
  return { apiServer: { ips: [...ips], outside: options.apiServerOutsideCluster === true } };
}
