import { App, Chart } from 'cdk8s';
import { ciliumIsolating } from './cilium-semantics';
import { probePorts } from './probe-ports';
import { DeclaredFacts, ExternalEndpoint, ModelPod, Reachability, ReachabilityOptions } from './reachability';
import { selects } from './semantics';
import { RuleReference, SideDecision, SideVerdict } from './verdict';
import { FlowReadSummary, ObservedConnection, ObservedEnd, ObservedEndKind } from '../flows/observed';
import { ObservedFlows } from '../flows/observed-flows';
import { declaredServicesOf, SourcedObject } from '../inventory/cluster';
import { formatIp, parseEndpointIp } from '../k8s/cidr';
import { Direction } from '../model/direction';
import { Port } from '../model/port';
import { ALL_PROTOCOLS, Protocol } from '../model/protocol';

/** The verdict of a set of policies on one observed connection: both sides, as `explain` gives them. */
export interface ReplayVerdict {
  /** Whether the policies allow it: both sides do (or it is a pod's traffic to itself). */
  readonly allowed: boolean;
  /** The source's egress. */
  readonly egress: SideVerdict;
  /** The destination's ingress. */
  readonly ingress: SideVerdict;
  /** What a reviewer should know (hostNetwork ends, loopback, an ipBlock that matched a pod IP), as `Explanation.notes`. */
  readonly notes: string[];
}

/** An observed connection replayed against the policies. */
export interface ReplayedConnection {
  /** The source's endpoint in the model (`<namespace>/<name>`, or an external endpoint's name). */
  readonly from: string;
  /** The destination's endpoint in the model. */
  readonly to: string;
  /** The destination port. */
  readonly port: number;
  /** The protocol. */
  readonly protocol: Protocol;
  /** The connection as the flows show it: its ends, how often it was seen and what the network did with it. */
  readonly observed: ObservedConnection;
  /** What the policies decide. */
  readonly verdict: ReplayVerdict;
  /**
   * What the policies would decide with the staged ones (Calico `StagedKubernetesNetworkPolicy`)
   * enforced too: the same verdict function over the enforcing policies plus the staged ones as if
   * enforced. Set only when the input has staged policies.
   * @default - the input has no staged policies
   */
  readonly staged?: ReplayVerdict;
}

/** The replayed connections from one source to one destination. */
export interface ReplayPair {
  /** The source's endpoint in the model. */
  readonly from: string;
  /** The destination's endpoint in the model. */
  readonly to: string;
  /** What the source is (a workload of the manifests, an undeclared workload, the DNS server, an address outside the cluster). */
  readonly fromKind: ObservedEndKind;
  /** What the destination is. */
  readonly toKind: ObservedEndKind;
  /** The connections, by protocol (TCP, UDP, SCTP) and port. */
  readonly connections: ReplayedConnection[];
}

/** An observed connection with an end the analyser cannot model: listed, never silently dropped. */
export interface NotReplayedConnection {
  /** The connection as the flows show it. */
  readonly observed: ObservedConnection;
  /** Why it cannot be replayed. */
  readonly reason: string;
  /**
   * The policies that isolate its end in the model for this connection (the source's egress, or the
   * destination's ingress). When there are any, only an ipBlock rule with the address of the other
   * end can allow the connection, which the replay cannot check: it may well be blocked.
   */
  readonly isolatingPolicies: string[];
}

/** An end of observed connections that the analyser cannot model. */
export interface UnmappedEnd {
  /** What it is: the node (`HOST`), or an aggregate of addresses (`EXTERNAL` without an address). */
  readonly kind: ObservedEndKind;
  /** Its id in the flows (`host`, `kube-apiserver`, `pub`, `networkset:<name>`). */
  readonly id: string;
  /** Why it cannot be modelled. */
  readonly reason: string;
  /** How many observed connections have it as an end. */
  readonly connections: number;
}

/**
 * A connection between observed endpoints that the policies allow and that was never observed:
 * allowed by a rule (a candidate to remove, for least privilege), or open because no policy
 * isolates either end.
 */
export interface UnobservedConnection {
  /** The source. */
  readonly from: string;
  /** The destination. */
  readonly to: string;
  /** The ports on which it is allowed and was never observed (`5432/TCP`, `other TCP ports`). */
  readonly ports: string[];
  /** The rules that allow it on these ports, on either side (sorted by policy, direction and rule). */
  readonly allowedBy: RuleReference[];
  /** The sides that no policy isolates, so they allow everything: the source's egress, the destination's ingress. */
  readonly notIsolated: Direction[];
}

/** An endpoint the replay added to the model because the flows show it and the manifests do not declare it. */
export interface AddedEndpoint {
  /** Its id in the model (`<namespace>/<name>`, or the address of an external end). */
  readonly id: string;
  /** What the flows say it is: an undeclared workload, the DNS server, an address outside the cluster. */
  readonly kind: ObservedEndKind;
  /** The pod labels it was added with. @default - none: an address outside the cluster */
  readonly labels?: { [key: string]: string };
  /** True when the labels are assumed, not observed: a DNS server the flows give no labels for gets `k8s-app=kube-dns`. */
  readonly assumedLabels: boolean;
  /** The address of an external end. @default - none: a pod */
  readonly ip?: string;
  /** The DNS names the flows give for the address. @default - none */
  readonly dnsNames?: string[];
}

/** The counts of a replay. */
export interface ReplaySummary {
  /** Distinct observed connections. `observed = allowed + blocked + notReplayed`. */
  readonly observed: number;
  /** Observed connections the policies allow. */
  readonly allowed: number;
  /** Observed connections the policies would block. */
  readonly blocked: number;
  /** Observed connections with an end the analyser cannot model (they do not fail the gate). */
  readonly notReplayed: number;
  /** Source and destination pairs that a rule allows on some port never observed on it (candidates to remove). */
  readonly neverObserved: number;
  /** Source and destination pairs never observed that are open because no policy isolates either end. */
  readonly openNeverObserved: number;
  /** Distinct ends the analyser cannot model. */
  readonly unmappedEnds: number;
  /**
   * Observed connections that the policies would block with the staged ones enforced too (0 when
   * the input has no staged policies). They fail the gate only when asked (`--fail-on staged`).
   */
  readonly stagedBlocked: number;
  /** What the flow reader did with every line: records, folded lines by reason, invalid lines, lost events. */
  readonly flows: FlowReadSummary;
}

/**
 * Observed traffic replayed against policies: for every connection the flows show, the verdict of
 * the policies (and what runs around them), before they are enforced. The observed connections the
 * policies would block (grouped by source and destination, each with the side that denies it), the
 * ones they allow, the allowed connections between the observed endpoints that were never observed
 * (candidates to remove, for least privilege), and the connections with ends the analyser cannot
 * model (the node, aggregated addresses), listed with the reason.
 *
 * Ends the manifests do not declare join the model: undeclared workloads and the DNS server as pods
 * with the labels the flows show (a DNS server without labels gets `k8s-app=kube-dns`), addresses
 * outside the cluster as external endpoints (an address given in `externals` keeps its name).
 * The formats render it: `TextFormat.replay(r)`, `JsonFormat.replay(r)`, `MarkdownFormat.replay(r)`.
 *
 * @example
 * const flows = await FlowFile.read('flows.jsonl', { manifests });
 * const replay = FlowReplay.fromManifests(manifests, flows);
 * replay.passed;                      // false: an observed connection would be blocked
 * TextFormat.replay(replay);
 */
export class FlowReplay {
  /** Replays the flows against plain manifests (what `kubectl get -o yaml` or `cdk8s synth` prints). */
  public static fromManifests(manifests: any[], flows: ObservedFlows, options: ReachabilityOptions = {}): FlowReplay {
    return FlowReplay._fromSourced(manifests.map((object) => ({ object })), flows, options);
  }

  /**
   * Replays the flows against a cdk8s chart's manifests; the services the chart declares are
   * endpoints as in `Reachability.fromChart` (a service whose phase is observe too).
   */
  public static fromChart(chart: Chart, flows: ObservedFlows, options: ReachabilityOptions = {}): FlowReplay {
    return FlowReplay._fromSourced(chart.toJson().map((object) => ({ object })), flows, options, declaredServicesOf(chart.node.findAll()));
  }

  /** Replays the flows against every chart of a cdk8s app (its declared services as in `fromChart`). */
  public static fromApp(app: App, flows: ObservedFlows, options: ReachabilityOptions = {}): FlowReplay {
    return FlowReplay._fromSourced(app.charts.flatMap((c) => c.toJson()).map((object) => ({ object })), flows, options,
      declaredServicesOf(app.charts.flatMap((c) => c.node.findAll())));
  }

  /** @internal */
  public static _fromSourced(
    objects: SourcedObject[], flows: ObservedFlows, options: ReachabilityOptions = {}, declared: DeclaredFacts = {},
  ): FlowReplay {
    const base = Reachability._fromSourced(objects, options, declared);
    const ends = mapEnds(flows.connections, base);
    const model = ends.pods.length + ends.externals.length === 0 ? base : Reachability._fromSourced(objects, {
      ...options,
      pods: [...(options.pods ?? []), ...ends.pods],
      externals: [...(options.externals ?? []), ...ends.externals],
    }, declared);
    return new FlowReplay(model, flows, ends);
  }

  /** The observed connections the policies would block, grouped by source and destination (sorted). */
  public readonly blocked: ReplayPair[];
  /** The observed connections the policies allow, grouped by source and destination (sorted). */
  public readonly allowed: ReplayPair[];
  /**
   * Connections between the observed endpoints that a rule allows and that were never observed, by
   * source and destination (sorted): candidates to remove, for least privilege.
   */
  public readonly neverObserved: UnobservedConnection[];
  /**
   * Connections between the observed endpoints that were never observed and are allowed because no
   * policy isolates either end (so on every port), by source and destination (sorted).
   */
  public readonly openNeverObserved: UnobservedConnection[];
  /** Observed connections with an end the analyser cannot model, in the order of the flows. */
  public readonly notReplayed: NotReplayedConnection[];
  /** The ends the analyser cannot model, sorted by id. */
  public readonly unmappedEnds: UnmappedEnd[];
  /** The endpoints added to the model from the flows, sorted by id. */
  public readonly added: AddedEndpoint[];
  /** The counts. */
  public readonly summary: ReplaySummary;
  /** The model the flows were replayed against: the manifests, the options' pods and externals, and the added endpoints. */
  public readonly reachability: Reachability;
  /**
   * The observed connections that the policies would block with the staged ones enforced too
   * (`staged` of each connection), grouped by source and destination (sorted); empty when the input
   * has no staged policies. Those the enforcing policies block already are in `blocked` as well.
   */
  public readonly stagedBlocked: ReplayPair[];
  /** The staged policies of the input (`<namespace>/<name> (staged)`), which do not enforce. */
  public readonly stagedPolicies: string[];

  private constructor(model: Reachability, flows: ObservedFlows, ends: MappedEnds) {
    this.reachability = model;
    const stagedModel = model.stagedAsEnforced();
    const hasStaged = stagedModel !== model;
    this.stagedPolicies = model.stagedPolicies;
    const replayed: ReplayedConnection[] = [];
    const notReplayed: NotReplayedConnection[] = [];
    const kinds = new Map<string, ObservedEndKind>();
    for (const c of flows.connections) {
      const from = ends.modelId(c.source);
      const to = ends.modelId(c.destination);
      if (from === undefined || to === undefined) {
        const reasons = [c.source, c.destination].map((e) => ends.unmapped.get(endKey(e))?.reason).filter((r): r is string => r !== undefined);
        const isolating = from !== undefined ? isolatingPolicies(model, from, 'egress') : to !== undefined ? isolatingPolicies(model, to, 'ingress') : [];
        notReplayed.push({ observed: c, reason: reasons.join('; '), isolatingPolicies: isolating });
        continue;
      }
      kinds.set(from, c.source.kind);
      kinds.set(to, c.destination.kind);
      replayed.push({
        from,
        to,
        port: c.port,
        protocol: c.protocol,
        observed: c,
        verdict: replayVerdict(model, from, to, c.port, c.protocol),
        ...(hasStaged ? { staged: replayVerdict(stagedModel, from, to, c.port, c.protocol) } : {}),
      });
    }
    replayed.sort(compareReplayed);
    const pairs = (list: ReplayedConnection[]) => groupPairs(list, kinds);
    this.blocked = pairs(replayed.filter((c) => !c.verdict.allowed));
    this.allowed = pairs(replayed.filter((c) => c.verdict.allowed));
    const stagedBlocked = replayed.filter((c) => c.staged !== undefined && !c.staged.allowed);
    this.stagedBlocked = pairs(stagedBlocked);
    const never = unobserved(model, replayed);
    this.neverObserved = never.filter((u) => u.allowedBy.length > 0);
    this.openNeverObserved = never.filter((u) => u.allowedBy.length === 0);
    this.notReplayed = notReplayed;
    this.unmappedEnds = [...ends.unmapped.values()].sort((a, b) => compareText(a.id, b.id) || compareText(a.kind, b.kind));
    this.added = ends.added.sort((a, b) => compareText(a.id, b.id));
    const blocked = replayed.filter((c) => !c.verdict.allowed).length;
    this.summary = {
      observed: flows.connections.length,
      allowed: replayed.length - blocked,
      blocked,
      notReplayed: notReplayed.length,
      neverObserved: this.neverObserved.length,
      openNeverObserved: this.openNeverObserved.length,
      unmappedEnds: this.unmappedEnds.length,
      stagedBlocked: stagedBlocked.length,
      flows: flows.summary,
    };
  }

  /** True when the policies allow every observed connection they can be replayed on: the gate before enforcing them. */
  public get passed(): boolean {
    return this.blocked.length === 0;
  }

  /**
   * True when the policies, with the staged ones enforced too, would allow every observed connection
   * they can be replayed on: the gate before promoting the staged policies. (`passed` when the input
   * has no staged policies.)
   */
  public get stagedPassed(): boolean {
    return this.passed && this.stagedBlocked.length === 0;
  }
}

/**
 * The verdict of the policies of `model` on one connection. Every observed connection is judged
 * here and only here: the enforcing policies through `model`, and the staged ones, not yet
 * enforced, through `model.stagedAsEnforced()` (the enforcing policies plus the staged ones as if
 * enforced), with the same function.
 */
export function replayVerdict(model: Reachability, from: string, to: string, port: number, protocol: Protocol): ReplayVerdict {
  const e = model._explain(from, to, Port.of(protocol, port), false);
  return { allowed: e.allowed, egress: e.egress, ingress: e.ingress, notes: e.notes };
}

/** How the ends of the flows map to the model, and what the model needs added. */
interface MappedEnds {
  readonly pods: ModelPod[];
  readonly externals: ExternalEndpoint[];
  readonly added: AddedEndpoint[];
  /** The ends that cannot be modelled, by `endKey`. */
  readonly unmapped: Map<string, UnmappedEnd>;
  /** The model's endpoint for an end; undefined when it cannot be modelled. */
  modelId(end: ObservedEnd): string | undefined;
}

function endKey(end: ObservedEnd): string {
  return `${end.kind}\u0000${end.id}`;
}

/**
 * Maps every end of the connections to an endpoint of `base`, or to one to add: pods the manifests
 * do not declare (with their observed labels), addresses outside the cluster (named by the address,
 * unless an external endpoint of `base` has it). The node and aggregated addresses cannot be modelled.
 */
function mapEnds(connections: readonly ObservedConnection[], base: Reachability): MappedEnds {
  const ids = new Map<string, string>();
  const unmapped = new Map<string, UnmappedEnd>();
  const pods: ModelPod[] = [];
  const externals: ExternalEndpoint[] = [];
  const added: AddedEndpoint[] = [];
  const known = new Set(base.endpoints);
  const externalByIp = new Map<string, string>();
  for (const e of base._cluster.endpoints) {
    if (!e.external) continue;
    for (const ip of e.ips) if (!externalByIp.has(formatIp(ip))) externalByIp.set(formatIp(ip), e.id);
  }
  const map = (end: ObservedEnd): void => {
    const key = endKey(end);
    if (ids.has(key)) return;
    if (unmapped.has(key)) return;
    const problem = unmodelled(end);
    if (problem !== undefined) {
      unmapped.set(key, { kind: end.kind, id: end.id, reason: problem, connections: 0 });
      return;
    }
    if (end.kind === ObservedEndKind.EXTERNAL) {
      const named = externalByIp.get(end.ip!);
      if (named !== undefined) {
        ids.set(key, named);
        return;
      }
      if (known.has(end.id)) {
        throw new Error(`the address ${end.id} of the flows cannot join the model as an external endpoint: an endpoint of another address is named ${JSON.stringify(end.id)}. `
          + 'Name external endpoints with names that are not IP addresses, or give that endpoint the address it is named after.');
      }
      externals.push({ name: end.id, ip: end.ip! });
      added.push({ id: end.id, kind: end.kind, assumedLabels: false, ip: end.ip!, ...(end.dnsNames ? { dnsNames: [...end.dnsNames] } : {}) });
      known.add(end.id);
      externalByIp.set(end.ip!, end.id);
      ids.set(key, end.id);
      return;
    }
    // A workload, an undeclared workload or the DNS server: in the model already, or added as the pods of a workload.
    if (!known.has(end.id)) {
      const observed = end.labels && Object.keys(end.labels).length > 0 ? { ...end.labels } : undefined;
      const assumed = observed === undefined && end.kind === ObservedEndKind.DNS;
      const labels = observed ?? (assumed ? { 'k8s-app': 'kube-dns' } : {});
      pods.push({ namespace: end.namespace!, name: end.name!, labels, workload: true });
      added.push({ id: end.id, kind: end.kind, labels: { ...labels }, assumedLabels: assumed });
      known.add(end.id);
    }
    ids.set(key, end.id);
  };
  for (const c of connections) {
    map(c.source);
    map(c.destination);
  }
  for (const c of connections) {
    const ends = c.source.kind === c.destination.kind && c.source.id === c.destination.id ? [c.source] : [c.source, c.destination];
    for (const end of ends) {
      const u = unmapped.get(endKey(end));
      if (u) (u as { connections: number }).connections++;
    }
  }
  return { pods, externals, added, unmapped, modelId: (end) => ids.get(endKey(end)) };
}

/** The policies of the model that isolate an endpoint in one direction. */
function isolatingPolicies(model: Reachability, id: string, side: 'ingress' | 'egress'): string[] {
  const endpoint = model._cluster.endpoint(id)!;
  return [...model._cluster.policies.filter((p) => selects(p, side, endpoint)).map((p) => p.id), ...ciliumIsolating(model._cluster, side, endpoint)];
}

/** What the node entities of the flows are. */
const HOST_WORDS: Record<string, string> = {
  'host': 'the node (or a pod in its network)',
  'remote-node': 'another node of the cluster',
  'kube-apiserver': 'the Kubernetes API server',
  'ingress': 'Cilium\'s ingress proxy on the node',
};

/** Why an end cannot be modelled, or undefined when it can. */
function unmodelled(end: ObservedEnd): string | undefined {
  if (end.kind === ObservedEndKind.HOST) {
    const what = HOST_WORDS[end.id] ?? (end.id.startsWith('host:') ? `the Calico host endpoint ${end.id.slice(5)}` : `the node entity ${end.id}`);
    return `${end.id} is ${what}: the model has no nodes (NetworkPolicies match them only by ipBlock on their addresses, which the flows do not give)`;
  }
  if (end.kind === ObservedEndKind.EXTERNAL && end.ip === undefined) {
    const what = end.id === 'pub' ? 'Calico\'s pub: public addresses'
      : end.id === 'pvt' ? 'Calico\'s pvt: private addresses'
        : end.id.startsWith('networkset:') ? `the Calico NetworkSet ${end.id.slice('networkset:'.length)}` : end.id;
    return `${end.id} is an aggregate of addresses outside the cluster (${what}) without an address, so no ipBlock rule can be evaluated against it; `
      + 'export the flow logs with their addresses (an aggregation level that keeps IPs) to replay it';
  }
  if (end.kind === ObservedEndKind.EXTERNAL) {
    // The one rule for an endpoint's address (an IPv4-mapped IPv6 address is refused: its traffic is IPv4).
    const { problem } = parseEndpointIp(end.ip!);
    if (problem !== undefined) return `the address ${end.ip} ${problem}; no end of the model can have it, so its connections are not replayed`;
  }
  return undefined;
}

/** The connections grouped by source and destination, in the order of the (sorted) list. */
function groupPairs(list: ReplayedConnection[], kinds: Map<string, ObservedEndKind>): ReplayPair[] {
  const pairs: ReplayPair[] = [];
  for (const c of list) {
    const last = pairs[pairs.length - 1];
    if (last && last.from === c.from && last.to === c.to) {
      last.connections.push(c);
    } else {
      pairs.push({ from: c.from, to: c.to, fromKind: kinds.get(c.from)!, toKind: kinds.get(c.to)!, connections: [c] });
    }
  }
  return pairs;
}

/**
 * The allowed connections between the endpoints of the replayed connections that were never
 * observed: over every port any policy mentions, the observed ports, and one stand-in per protocol
 * for every other port. A pod to itself (loopback) and an address outside the cluster to another
 * are left out: no policy decides them.
 */
function unobserved(model: Reachability, replayed: ReplayedConnection[]): UnobservedConnection[] {
  const cluster = model._cluster;
  const ends = [...new Set(replayed.flatMap((c) => [c.from, c.to]))].map((id) => cluster.endpoint(id)!).sort((a, b) => compareText(a.id, b.id));
  if (ends.length === 0) return [];
  const observed = new Set(replayed.map((c) => `${c.from}\u0000${c.to}\u0000${c.protocol}\u0000${c.port}`));
  const probes = probePorts([cluster], replayed.map((c) => ({ port: c.port, protocol: c.protocol })));
  const found = new Map<string, number[]>();
  const classes = model._classes();
  probes.forEach((probe, k) => {
    const matrix = classes.matrix(probe.query);
    for (const s of ends) {
      for (const d of ends) {
        if ((s === d && s.singleInstance) || (s.external && d.external) || !matrix.allowed(s.index, d.index)) continue;
        if (observed.has(`${s.id}\u0000${d.id}\u0000${probe.query.protocol}\u0000${probe.query.port}`)) continue;
        const key = `${s.id}\u0000${d.id}`;
        const list = found.get(key);
        if (list) list.push(k);
        else found.set(key, [k]);
      }
    }
  });
  const out: UnobservedConnection[] = [];
  for (const s of ends) {
    for (const d of ends) {
      const list = found.get(`${s.id}\u0000${d.id}`);
      if (!list) continue;
      const rules = new Map<string, RuleReference>();
      const open = new Set<Direction>();
      for (const k of list) {
        const q = probes[k].query;
        const v = replayVerdict(model, s.id, d.id, q.port!, q.protocol as Protocol);
        for (const r of [...v.egress.allowedBy, ...v.ingress.allowedBy]) rules.set(`${r.policy}\u0000${r.direction}\u0000${r.rule}`, r);
        if (v.egress.decision === SideDecision.NOT_ISOLATED) open.add(Direction.EGRESS);
        if (v.ingress.decision === SideDecision.NOT_ISOLATED) open.add(Direction.INGRESS);
      }
      out.push({
        from: s.id,
        to: d.id,
        ports: list.map((k) => probes[k].label),
        allowedBy: [...rules.values()].sort((a, b) => compareText(a.policy, b.policy) || compareText(a.direction, b.direction) || a.rule - b.rule),
        notIsolated: [Direction.EGRESS, Direction.INGRESS].filter((x) => open.has(x)),
      });
    }
  }
  return out;
}

function compareReplayed(a: ReplayedConnection, b: ReplayedConnection): number {
  return compareText(a.from, b.from) || compareText(a.to, b.to)
    || ALL_PROTOCOLS.indexOf(a.protocol) - ALL_PROTOCOLS.indexOf(b.protocol) || a.port - b.port;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
