/**
 * Observed traffic: flow records of a running cluster (Cilium Hubble, Calico flow logs, or a plain
 * CSV / JSON Lines list) folded into the connections the workloads attempted, each end mapped to a
 * workload of the manifests, a workload they do not declare, an address outside the cluster, the
 * cluster DNS server or the node.
 */

import { Protocol } from '../model/protocol';

/** What an end of an observed connection is. */
export enum ObservedEndKind {
  /** A workload (Deployment, StatefulSet, DaemonSet, Job, CronJob, ReplicaSet, Pod, ...) of the manifests: `id` is its `<namespace>/<name>`. */
  WORKLOAD = 'WORKLOAD',
  /**
   * Pods the manifests do not declare: `id` is `<namespace>/<workload>` with the workload name the
   * flow gives (Hubble `workloads`) or the pod name without its ReplicaSet and pod hash suffixes.
   */
  UNDECLARED_WORKLOAD = 'UNDECLARED_WORKLOAD',
  /**
   * An address outside the cluster: `id` is the IP address, or the name of an aggregate when the
   * flow log has no address (Calico `pub`, `pvt`, `networkset:<name>`).
   */
  EXTERNAL = 'EXTERNAL',
  /**
   * The cluster DNS server: kube-dns / CoreDNS pods (`k8s-app=kube-dns` in `kube-system`, or
   * Cilium's well-known DNS identities). `id` is `<namespace>/<workload>` as for a workload.
   */
  DNS = 'DNS',
  /**
   * The node or something running in its network: `host` (the local node, host-network pods),
   * `remote-node`, `kube-apiserver`, `ingress` (Cilium's node proxy), `host:<name>` (a Calico host endpoint).
   */
  HOST = 'HOST',
}

/** What the network did with an observed connection attempt. */
export enum FlowVerdict {
  /** Let through (Hubble FORWARDED or REDIRECTED to a proxy; Calico `allow`). */
  FORWARDED = 'FORWARDED',
  /** Dropped (Hubble DROPPED, by policy or another reason; Calico `deny`). */
  DROPPED = 'DROPPED',
  /** Let through by a policy in audit mode that would have dropped it (Hubble AUDIT). */
  AUDIT = 'AUDIT',
  /** An error occurred while processing it (Hubble ERROR). */
  ERROR = 'ERROR',
  /** The record has no verdict (Hubble VERDICT_UNKNOWN or TRACED). */
  UNKNOWN = 'UNKNOWN',
}

/** The formats of flow records. */
export enum FlowFormat {
  /** Cilium Hubble: `hubble observe -o json` (or the Hubble exporter's file), one JSON event per line. */
  HUBBLE = 'HUBBLE',
  /** Calico flow logs: one JSON record per line (`source_namespace`, `dest_port`, `reporter`, ...). */
  CALICO = 'CALICO',
  /** CSV with a header naming at least `source,destination,port,protocol`. */
  CSV = 'CSV',
  /** JSON Lines with the keys `source`, `destination`, `port`, `protocol`. */
  JSON_LINES = 'JSON_LINES',
}

/** Why a line of the input is not (part of) an observed connection. */
export enum FoldReason {
  /** An empty line (or a `#` comment line of CSV). */
  BLANK = 'BLANK',
  /** The CSV header. */
  HEADER = 'HEADER',
  /** Not a flow: a Hubble node status, lost events, agent or debug event. */
  NOT_A_FLOW = 'NOT_A_FLOW',
  /** A packet or message in the reply direction (Hubble `is_reply`, an L7 response, a TCP SYN-ACK): part of a connection the other side opened. */
  REPLY = 'REPLY',
  /** The direction of the packet is unknown (Hubble without `is_reply`, not a drop, no SYN): it may be a reply. */
  DIRECTION_UNKNOWN = 'DIRECTION_UNKNOWN',
  /**
   * A health check of the node itself: ingress from the pod's own node (kubelet probes; Hubble
   * `reserved:host`), or Cilium's health endpoints. Kubernetes always allows it, whatever the policies.
   */
  NODE_HEALTH_CHECK = 'NODE_HEALTH_CHECK',
  /** Not TCP, UDP or SCTP (ICMP, ...), or no layer 4 at all: NetworkPolicies do not name it by port. */
  NOT_L4 = 'NOT_L4',
  /** TCP, UDP or SCTP without a destination port (e.g. Calico with ports aggregated away). */
  NO_PORT = 'NO_PORT',
  /** A socket address translation event (Hubble SOCK / TRANSLATED): the connection itself is observed as L3/L4. */
  TRANSLATION = 'TRANSLATION',
  /** An end that cannot be identified: no pod, no reserved identity and no address. */
  UNIDENTIFIED_END = 'UNIDENTIFIED_END',
}

/** One end of an observed connection. */
export interface ObservedEnd {
  /** What it is. */
  readonly kind: ObservedEndKind;
  /**
   * Its identity: `<namespace>/<name>` for workloads, undeclared workloads and the DNS server, the
   * IP address (or aggregate name) for external ends, the entity (`host`, ...) for the node.
   */
  readonly id: string;
  /** Its namespace. @default - none: external and node ends */
  readonly namespace?: string;
  /** The workload name (or the entity or aggregate name). @default - none: external addresses */
  readonly name?: string;
  /** The kind of the workload (`Deployment`, ...), when the manifests or the flows say. @default - unknown */
  readonly workloadKind?: string;
  /** The IP address of an external end. @default - none */
  readonly ip?: string;
  /** The DNS names the flows give for this address (Hubble `destination_names`, Calico `dest_domains`), sorted. @default - none */
  readonly dnsNames?: string[];
  /**
   * Pod labels: of the pod template in the manifests for a workload; the labels every observed pod
   * carried (without per-pod labels such as `pod-template-hash`) otherwise. @default - none: not a pod
   */
  readonly labels?: { [key: string]: string };
}

/** How many attempts of a connection got one verdict. */
export interface VerdictCount {
  /** The verdict. */
  readonly verdict: FlowVerdict;
  /** How many attempts got it. */
  readonly count: number;
}

/** A connection observed one or more times. */
export interface ObservedConnection {
  /** Where it came from. */
  readonly source: ObservedEnd;
  /** Where it went. */
  readonly destination: ObservedEnd;
  /** The destination port. */
  readonly port: number;
  /** The protocol. */
  readonly protocol: Protocol;
  /**
   * How many times it was seen: flow records (Calico: `num_flows`; plain: `count`) at the end that
   * saw it most often, so a connection observed at both ends (Hubble EGRESS at the source and
   * INGRESS at the destination, Calico `reporter: src` and `dst`) counts once.
   */
  readonly count: number;
  /**
   * The verdicts, counted the same way, in the order of `FlowVerdict`. An attempt seen at both ends
   * can have two: FORWARDED by the source's egress and DROPPED by the destination's ingress.
   */
  readonly verdicts: VerdictCount[];
  /** The first line of the input that showed it. */
  readonly firstLine: number;
  /** When it was first seen (ISO 8601), if the records say. @default - unknown */
  readonly firstSeen?: string;
  /** When it was last seen (ISO 8601), if the records say. @default - unknown */
  readonly lastSeen?: string;
}

/** How many lines were folded for one reason. */
export interface FoldCount {
  /** The reason. */
  readonly reason: FoldReason;
  /** How many lines. */
  readonly count: number;
}

/** A line of the input that is not a valid record. */
export interface InvalidFlowLine {
  /** Its 1-based line number. */
  readonly line: number;
  /** What is wrong with it. */
  readonly reason: string;
}

/** What reading the flows did with every line of the input. */
export interface FlowReadSummary {
  /** Where the flows came from (a file name, `<stdin>`). */
  readonly source: string;
  /** The format (given, or detected from the first line). @default - the input has no line to tell it from */
  readonly format?: FlowFormat;
  /** Lines read. Every one is a record, folded or invalid: `lines = records + folded + invalid`. */
  readonly lines: number;
  /** Lines that are records of an observed connection. */
  readonly records: number;
  /** Distinct observed connections. */
  readonly connections: number;
  /** Lines folded away, by reason (only reasons with lines, in the order of `FoldReason`). */
  readonly folded: FoldCount[];
  /** Invalid lines (skipped with `skipInvalid`; otherwise reading fails). */
  readonly invalid: number;
  /** The first invalid lines with their reasons (at most 20). */
  readonly invalidLines: InvalidFlowLine[];
  /** Events Hubble reports it lost (`lost_events`): the observation is incomplete when not 0. */
  readonly lostEvents: number;
  /** Columns (CSV) or keys (JSON Lines) of the plain form that were ignored, sorted. */
  readonly ignoredFields: string[];
}

/** Progress of reading a large input. */
export interface FlowProgress {
  /** Lines read so far. */
  readonly lines: number;
  /** Bytes read so far. */
  readonly bytes: number;
  /** The size of the input in bytes. @default - unknown (a stream) */
  readonly totalBytes?: number;
  /** Distinct connections so far. */
  readonly connections: number;
  /** Milliseconds since reading started. */
  readonly elapsedMs: number;
}

/** Receives progress while flows are read. */
export interface IFlowProgress {
  /** Called about every 250 ms (and once at the end) while reading. */
  onProgress(progress: FlowProgress): void;
}

/** How flows are read. */
export interface ReadFlowsOptions {
  /** The format of the input. @default - detected from the first line */
  readonly format?: FlowFormat;
  /**
   * The manifests (plain objects, `List`s included) whose workloads the flows are mapped to.
   * @default - none: every pod is an undeclared workload
   */
  readonly manifests?: any[];
  /** Skip invalid lines and count them, instead of failing. @default false */
  readonly skipInvalid?: boolean;
  /** The name of the input in messages. @default - the file name, `<stdin>` or `<flows>` */
  readonly sourceName?: string;
  /** Receives progress. @default - none */
  readonly progress?: IFlowProgress;
}

/** The order verdicts are listed in. */
export const VERDICT_ORDER: readonly FlowVerdict[] = [
  FlowVerdict.FORWARDED, FlowVerdict.DROPPED, FlowVerdict.AUDIT, FlowVerdict.ERROR, FlowVerdict.UNKNOWN,
];

/** The order fold reasons are listed in. */
export const FOLD_ORDER: readonly FoldReason[] = [
  FoldReason.BLANK, FoldReason.HEADER, FoldReason.NOT_A_FLOW, FoldReason.REPLY, FoldReason.DIRECTION_UNKNOWN,
  FoldReason.NODE_HEALTH_CHECK, FoldReason.NOT_L4, FoldReason.NO_PORT, FoldReason.TRANSLATION, FoldReason.UNIDENTIFIED_END,
];
