/**
 * Cilium Hubble flows: `hubble observe -o json` (an alias of `jsonpb`) writes one
 * `observer.GetFlowsResponse` per line, `{"flow": {...}, "node_name": ..., "time": ...}`; with
 * `HUBBLE_COMPAT=legacy-json-output` (and in Hubble CLI 0.10 and older) each line is the bare `Flow`.
 * The Hubble exporter's file has the same framing. Keys are the proto field names (protojson with
 * `UseProtoNames`: `source_port`, `pod_name`, `is_reply`, and the capitalised `IP`, `Type`, `TCP`, ...);
 * the lowerCamelCase spellings are accepted too. Enums are their names; default values are omitted.
 * Fields: cilium/cilium `api/v1/flow/flow.proto`, `api/v1/observer/observer.proto`.
 */

import { FlowVerdict, FoldReason } from './observed';
import { PER_POD_LABELS } from './pod-names';
import { field, fold, FlowRecord, invalid, isObject, LineOutcome, normaliseDnsName, RawEnd, show, Side } from './record';
import { formatIp, parseIp } from '../k8s/cidr';
import { Protocol } from '../model/protocol';

/** Keys of `GetFlowsResponse` / `ExportEvent` lines that carry something other than a flow. */
const OTHER_EVENTS = ['node_status', 'nodeStatus', 'lost_events', 'lostEvents', 'agent_event', 'agentEvent', 'debug_event', 'debugEvent'];

/** Keys only a `Flow` has (to tell a bare, legacy flow line). */
const FLOW_KEYS = ['verdict', 'l4', 'IP', 'source', 'destination', 'Type', 'event_type', 'eventType', 'traffic_direction', 'trafficDirection'];

const VERDICTS: Record<string, FlowVerdict | 'TRANSLATED'> = {
  VERDICT_UNKNOWN: FlowVerdict.UNKNOWN,
  FORWARDED: FlowVerdict.FORWARDED,
  DROPPED: FlowVerdict.DROPPED,
  ERROR: FlowVerdict.ERROR,
  AUDIT: FlowVerdict.AUDIT,
  // Redirected to the L7 proxy: the L3/L4 policy let it through.
  REDIRECTED: FlowVerdict.FORWARDED,
  // Observed at a trace point before any verdict.
  TRACED: FlowVerdict.UNKNOWN,
  TRANSLATED: 'TRANSLATED',
};
const VERDICT_NUMBERS = ['VERDICT_UNKNOWN', 'FORWARDED', 'DROPPED', 'ERROR', 'AUDIT', 'REDIRECTED', 'TRACED', 'TRANSLATED'];

const DIRECTIONS: Record<string, Side> = { TRAFFIC_DIRECTION_UNKNOWN: Side.BOTH, INGRESS: Side.DESTINATION, EGRESS: Side.SOURCE };
const DIRECTION_NUMBERS = ['TRAFFIC_DIRECTION_UNKNOWN', 'INGRESS', 'EGRESS'];

const L4_PROTOCOLS: Record<string, Protocol> = { TCP: Protocol.TCP, UDP: Protocol.UDP, SCTP: Protocol.SCTP };

/** Cilium's reserved identities (pkg/identity/numericidentity.go) by number. */
const RESERVED_IDENTITIES: Record<number, string> = {
  1: 'host', 2: 'world', 3: 'unmanaged', 4: 'health', 5: 'init', 6: 'remote-node', 7: 'kube-apiserver', 8: 'ingress', 9: 'world-ipv4', 10: 'world-ipv6',
};
/** Cilium's well-known identities of the cluster DNS: kube-dns, kube-dns on EKS, CoreDNS, CoreDNS on EKS. */
const DNS_IDENTITIES = new Set([102, 103, 104, 106]);

/** Whether a parsed JSON line looks like Hubble output (for format detection). */
export function looksLikeHubble(object: Record<string, unknown>): boolean {
  return 'flow' in object || OTHER_EVENTS.some((k) => k in object) || FLOW_KEYS.some((k) => k in object);
}

/** One line of Hubble output, parsed as JSON. */
export function parseHubble(line: unknown): LineOutcome {
  if (!isObject(line)) return invalid(`not a JSON object but ${show(line)}`);
  let flow = line.flow;
  if (flow === undefined) {
    const other = OTHER_EVENTS.find((k) => line[k] !== undefined);
    if (other) return { type: 'fold', reason: FoldReason.NOT_A_FLOW, lost: lostEvents(line[other], other) };
    if (!FLOW_KEYS.some((k) => k in line)) {
      return invalid('neither a Hubble event ({"flow": {...}, "node_name": ..., "time": ...}) nor a bare flow (no "flow", "verdict", "l4", "IP", "source" or "destination" key)');
    }
    flow = line;
  }
  if (!isObject(flow)) return invalid(`"flow" is ${show(flow)}, not an object`);
  return parseFlow(flow, line === flow ? undefined : line.time);
}

function lostEvents(event: unknown, key: string): number | undefined {
  if (!key.startsWith('lost') || !isObject(event)) return undefined;
  const n = Number(field(event, 'num_events_lost', 'numEventsLost'));
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

function parseFlow(flow: Record<string, unknown>, outerTime: unknown): LineOutcome {
  const type = flow.Type;
  const eventType = field(flow, 'event_type', 'eventType');
  // Socket-level load-balancing translations (TraceSock, monitor event type 7).
  if (type === 'SOCK' || type === 3 || (isObject(eventType) && eventType.type === 7)) return fold(FoldReason.TRANSLATION);

  const verdictValue = flow.verdict ?? 'VERDICT_UNKNOWN';
  const verdictName = typeof verdictValue === 'number' ? VERDICT_NUMBERS[verdictValue] : verdictValue;
  const verdict = typeof verdictName === 'string' ? VERDICTS[verdictName] : undefined;
  if (verdict === undefined) return invalid(`verdict ${show(verdictValue)} is not a Hubble verdict (${VERDICT_NUMBERS.join(', ')})`);
  if (verdict === 'TRANSLATED') return fold(FoldReason.TRANSLATION);

  // Layer 4: the oneof object names the protocol.
  const l4 = flow.l4;
  if (l4 !== undefined && !isObject(l4)) return invalid(`"l4" is ${show(l4)}, not an object`);
  if (!l4) return fold(FoldReason.NOT_L4);
  const protoKey = Object.keys(l4).find((k) => L4_PROTOCOLS[k] !== undefined);
  if (!protoKey) return fold(FoldReason.NOT_L4);
  const protocol = L4_PROTOCOLS[protoKey];
  const ports = l4[protoKey];
  if (!isObject(ports)) return invalid(`"l4.${protoKey}" is ${show(ports)}, not an object`);
  const port = field(ports, 'destination_port', 'destinationPort');
  if (port !== undefined && !(Number.isInteger(port) && (port as number) >= 0 && (port as number) <= 65535)) {
    return invalid(`"l4.${protoKey}.destination_port" is ${show(port)}, not a port number from 0 to 65535`);
  }

  // Direction: is_reply (BoolValue: absent means unknown), then what the record itself shows.
  const isReply = field(flow, 'is_reply', 'isReply');
  if (isReply !== undefined && typeof isReply !== 'boolean') return invalid(`"is_reply" is ${show(isReply)}, not true or false`);
  if (isReply === true) return fold(FoldReason.REPLY);
  if (isReply === undefined) {
    const flags = isObject(ports.flags) ? ports.flags : undefined;
    const l7 = flow.l7;
    if (flow.reply === true || (isObject(l7) && (l7.type === 'RESPONSE' || l7.type === 2))) return fold(FoldReason.REPLY);
    if (flags?.SYN === true && flags.ACK === true) return fold(FoldReason.REPLY);
    // Policy drops and audits are decided on the first packet of a connection; a SYN opens one.
    const opening = flags?.SYN === true || verdict === FlowVerdict.DROPPED || verdict === FlowVerdict.AUDIT;
    if (!opening) return fold(FoldReason.DIRECTION_UNKNOWN);
  }
  if (port === undefined || port === 0) return fold(FoldReason.NO_PORT);

  const directionValue = field(flow, 'traffic_direction', 'trafficDirection') ?? 'TRAFFIC_DIRECTION_UNKNOWN';
  const directionName = typeof directionValue === 'number' ? DIRECTION_NUMBERS[directionValue] : directionValue;
  const side = typeof directionName === 'string' ? DIRECTIONS[directionName] : undefined;
  if (side === undefined) return invalid(`traffic_direction ${show(directionValue)} is not INGRESS, EGRESS or TRAFFIC_DIRECTION_UNKNOWN`);

  const ip = flow.IP;
  if (ip !== undefined && !isObject(ip)) return invalid(`"IP" is ${show(ip)}, not an object`);
  const source = endpointOf(flow.source, 'source', ip?.source, field(flow, 'source_names', 'sourceNames'));
  if (typeof source === 'string') return invalid(source);
  const destination = endpointOf(flow.destination, 'destination', ip?.destination, field(flow, 'destination_names', 'destinationNames'));
  if (typeof destination === 'string') return invalid(destination);

  // The node's own traffic to its pods (kubelet probes) and Cilium's health checks are always allowed.
  if (source === HEALTH || destination === HEALTH) return fold(FoldReason.NODE_HEALTH_CHECK);
  if (source.kind === 'host' && source.id === 'host' && destination.kind === 'pod' && side !== Side.SOURCE) return fold(FoldReason.NODE_HEALTH_CHECK);
  if (source === UNIDENTIFIED || destination === UNIDENTIFIED) return fold(FoldReason.UNIDENTIFIED_END);

  const timeValue = flow.time ?? outerTime;
  let timeMs: number | undefined;
  if (timeValue !== undefined) {
    timeMs = typeof timeValue === 'string' ? Date.parse(timeValue) : NaN;
    if (Number.isNaN(timeMs)) return invalid(`"time" is ${show(timeValue)}, not an RFC 3339 timestamp`);
  }
  const record: FlowRecord = { source, destination, port: port as number, protocol, verdict, side, count: 1, startMs: timeMs, endMs: timeMs };
  return { type: 'record', record };
}

const HEALTH: RawEnd = { kind: 'host', id: 'health' };
const UNIDENTIFIED: RawEnd = { kind: 'host', id: 'unidentified' };
const HOSTS = new Map<string, RawEnd>(['host', 'remote-node', 'kube-apiserver', 'ingress'].map((id) => [id, { kind: 'host', id }]));

/** An `Endpoint` as a raw end, or the problem with it. */
function endpointOf(value: unknown, what: string, ipText: unknown, names: unknown): RawEnd | string {
  if (value !== undefined && !isObject(value)) return `"${what}" is ${show(value)}, not an object`;
  const ep = value ?? {};
  const labels = ep.labels;
  if (labels !== undefined && !(Array.isArray(labels) && labels.every((l) => typeof l === 'string'))) {
    return `"${what}.labels" is ${show(labels)}, not a list of strings`;
  }
  const identity = ep.identity;
  if (identity !== undefined && !Number.isInteger(identity)) return `"${what}.identity" is ${show(identity)}, not a number`;
  const namespace = ep.namespace;
  if (namespace !== undefined && typeof namespace !== 'string') return `"${what}.namespace" is ${show(namespace)}, not a string`;
  const pod = field(ep, 'pod_name', 'podName');
  if (pod !== undefined && typeof pod !== 'string') return `"${what}.pod_name" is ${show(pod)}, not a string`;

  const reserved = reservedOf(labels as string[] | undefined, identity as number | undefined);
  if (reserved & HEALTH_BIT) return HEALTH;
  if (reserved & HOST_BIT) return HOSTS.get('host')!;
  if (reserved & API_SERVER_BIT) return HOSTS.get('kube-apiserver')!;
  if (reserved & REMOTE_NODE_BIT) return HOSTS.get('remote-node')!;
  if (namespace) {
    const workloads = ep.workloads;
    if (workloads !== undefined && !(Array.isArray(workloads) && workloads.every(isObject))) return `"${what}.workloads" is ${show(workloads)}, not a list of objects`;
    const first = (workloads as Array<Record<string, unknown>> | undefined)?.[0];
    const workload = typeof first?.name === 'string' && first.name !== '' ? first.name : undefined;
    const workloadKind = typeof first?.kind === 'string' && first.kind !== '' ? first.kind : undefined;
    const dns = DNS_IDENTITIES.has(identity as number);
    return {
      kind: 'pod',
      namespace,
      pod: pod || undefined,
      workload,
      workloadKind,
      lazyLabels: labels === undefined ? undefined : () => podLabelsOf(labels as string[]),
      dns,
      key: `${namespace}\0${pod ?? ''}\0${workload ?? ''}\0${dns ? 1 : 0}`,
    };
  }
  if (reserved & INGRESS_BIT) return HOSTS.get('ingress')!;
  if (reserved & INIT_BIT) return UNIDENTIFIED;
  if (typeof ipText === 'string' && ipText !== '') {
    const parsed = parseIp(ipText);
    if (!parsed) return `"IP.${what}" is ${show(ipText)}, not an IP address`;
    const dnsNames = Array.isArray(names) ? names.filter((n): n is string => typeof n === 'string' && n !== '').map(normaliseDnsName) : undefined;
    return { kind: 'external', ip: formatIp(parsed), dnsNames };
  }
  return UNIDENTIFIED;
}

const HOST_BIT = 1;
const REMOTE_NODE_BIT = 2;
const API_SERVER_BIT = 4;
const HEALTH_BIT = 8;
const INGRESS_BIT = 16;
const INIT_BIT = 32;
const RESERVED_BITS: Record<string, number> = {
  'host': HOST_BIT, 'remote-node': REMOTE_NODE_BIT, 'kube-apiserver': API_SERVER_BIT, 'health': HEALTH_BIT, 'ingress': INGRESS_BIT, 'init': INIT_BIT,
};

/** The reserved entities an endpoint is (by its `reserved:` labels and its numeric identity), as bits. */
function reservedOf(labels: string[] | undefined, identity: number | undefined): number {
  let bits = 0;
  if (labels) {
    for (const label of labels) {
      if (label.charCodeAt(0) === 114 /* r */ && label.startsWith('reserved:')) bits |= RESERVED_BITS[label.slice(9)] ?? 0;
    }
  }
  const named = identity !== undefined && identity < 16 ? RESERVED_IDENTITIES[identity] : undefined;
  if (named) bits |= RESERVED_BITS[named] ?? 0;
  return bits;
}

/**
 * The pod's Kubernetes labels from Hubble's `source:key=value` labels: only the `k8s` source (or
 * labels without a source), without the labels Cilium derives (`io.kubernetes.pod.namespace`,
 * `io.cilium.k8s.*`) and the per-pod labels controllers add.
 */
function podLabelsOf(labels: string[] | undefined): Record<string, string> | undefined {
  if (!labels) return undefined;
  const out: Record<string, string> = {};
  for (const label of labels) {
    let text = label;
    const colon = label.indexOf(':');
    const eq = label.indexOf('=');
    if (colon >= 0 && (eq < 0 || colon < eq)) {
      if (label.slice(0, colon) !== 'k8s') continue;
      text = label.slice(colon + 1);
    }
    const sep = text.indexOf('=');
    const key = sep < 0 ? text : text.slice(0, sep);
    if (key === 'io.kubernetes.pod.namespace' || key.startsWith('io.cilium.k8s.') || PER_POD_LABELS.has(key)) continue;
    out[key] = sep < 0 ? '' : text.slice(sep + 1);
  }
  return out;
}
