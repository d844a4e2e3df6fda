/**
 * Calico flow logs (Calico Enterprise / Calico Cloud `flows.log`, as shipped to Elasticsearch): one
 * JSON record per line, a connection aggregated over an interval and reported by the source's node
 * (`reporter: src`) and the destination's (`reporter: dst`). Fields (docs "Flow log data types"):
 * `source_namespace`, `source_name` (`-` when aggregated), `source_name_aggr` (`<prefix>-*`, or
 * `pub` / `pvt` for addresses), `source_type` (`wep` pod, `hep` host endpoint, `ns` NetworkSet,
 * `net` network), `source_labels` (`{"labels": ["k=v", ...]}` or null), `source_ip` (null when
 * aggregated), the same with `dest_`, `dest_port`, `proto` (`tcp`, `udp`, `sctp`, `icmp`, ... or a
 * number), `action` (`allow` | `deny`), `reporter`, `num_flows`, `start_time`, `end_time` (UNIX
 * seconds), `dest_domains`, `dest_service_name`, `dest_service_namespace`.
 */

import { FlowVerdict, FoldReason } from './observed';
import { PER_POD_LABELS } from './pod-names';
import { fold, FlowRecord, invalid, isObject, LineOutcome, normaliseDnsName, RawEnd, show, Side } from './record';
import { formatIp, parseIp } from '../k8s/cidr';
import { Protocol } from '../model/protocol';

const PROTOCOLS: Record<string, Protocol> = {
  tcp: Protocol.TCP,
  udp: Protocol.UDP,
  sctp: Protocol.SCTP,
  6: Protocol.TCP,
  17: Protocol.UDP,
  132: Protocol.SCTP,
};
const NOT_L4 = new Set(['icmp', 'icmp6', 'ipip', 'esp', '1', '58', '4', '50']);

/** Whether a parsed JSON line looks like a Calico flow log record (for format detection). */
export function looksLikeCalico(object: Record<string, unknown>): boolean {
  return 'source_namespace' in object || 'dest_namespace' in object || 'source_name_aggr' in object || 'dest_name_aggr' in object;
}

/** One Calico flow log record, parsed as JSON. */
export function parseCalico(line: unknown): LineOutcome {
  if (!isObject(line)) return invalid(`not a JSON object but ${show(line)}`);
  const missing = ['source_type', 'dest_type', 'proto', 'action', 'reporter'].filter((k) => line[k] === undefined || line[k] === null);
  if (missing.length > 0) return invalid(`a Calico flow log record needs ${missing.map((k) => `"${k}"`).join(', ')}`);

  const action = line.action;
  const verdict = action === 'allow' ? FlowVerdict.FORWARDED : action === 'deny' ? FlowVerdict.DROPPED : undefined;
  if (!verdict) return invalid(`"action" is ${show(action)}, not "allow" or "deny"`);
  const reporter = line.reporter;
  const side = reporter === 'src' ? Side.SOURCE : reporter === 'dst' ? Side.DESTINATION : undefined;
  if (side === undefined) return invalid(`"reporter" is ${show(reporter)}, not "src" or "dst"`);

  const proto = String(line.proto).toLowerCase();
  const protocol = PROTOCOLS[proto];
  if (!protocol) {
    if (NOT_L4.has(proto) || /^[0-9]+$/.test(proto)) return fold(FoldReason.NOT_L4);
    return invalid(`"proto" is ${show(line.proto)}, not a protocol name (tcp, udp, sctp, icmp, ...) or number`);
  }
  const port = line.dest_port;
  if (port === undefined || port === null || port === 0 || port === '-' || port === '*') return fold(FoldReason.NO_PORT);
  if (!(Number.isInteger(port) && (port as number) >= 1 && (port as number) <= 65535)) {
    return invalid(`"dest_port" is ${show(port)}, not a port number from 1 to 65535`);
  }

  const count = line.num_flows ?? 1;
  if (!(Number.isInteger(count) && (count as number) >= 0)) return invalid(`"num_flows" is ${show(count)}, not a count`);
  const start = timeOf(line.start_time);
  const end = timeOf(line.end_time);
  if (start === null) return invalid(`"start_time" is ${show(line.start_time)}, not UNIX seconds`);
  if (end === null) return invalid(`"end_time" is ${show(line.end_time)}, not UNIX seconds`);

  const source = endOf(line, 'source', undefined, false);
  if (typeof source === 'string') return invalid(source);
  const domains = Array.isArray(line.dest_domains) ? line.dest_domains.filter((d): d is string => typeof d === 'string' && d !== '' && d !== '-') : undefined;
  const dnsService = line.dest_service_namespace === 'kube-system' && line.dest_service_name === 'kube-dns';
  const destination = endOf(line, 'dest', domains, dnsService);
  if (typeof destination === 'string') return invalid(destination);
  if (source === UNIDENTIFIED || destination === UNIDENTIFIED) return fold(FoldReason.UNIDENTIFIED_END);

  const record: FlowRecord = {
    source,
    destination,
    port: port as number,
    protocol,
    verdict,
    side,
    count: Math.max(count as number, 1),
    startMs: start,
    endMs: end ?? start,
  };
  return { type: 'record', record };
}

const UNIDENTIFIED: RawEnd = { kind: 'host', id: 'unidentified' };

/** UNIX seconds as milliseconds; undefined when absent, null when not a time. */
function timeOf(value: unknown): number | undefined | null {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value * 1000 : null;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' && value !== '-' ? value : undefined;
}

function endOf(line: Record<string, unknown>, side: 'source' | 'dest', dnsNames: string[] | undefined, dnsService: boolean): RawEnd | string {
  const type = line[`${side}_type`];
  const name = text(line[`${side}_name`]);
  const aggr = text(line[`${side}_name_aggr`]);
  const ipValue = line[`${side}_ip`];
  let ip: string | undefined;
  if (ipValue !== undefined && ipValue !== null && ipValue !== '-' && ipValue !== '') {
    const parsed = typeof ipValue === 'string' ? parseIp(ipValue) : undefined;
    if (!parsed) return `"${side}_ip" is ${show(ipValue)}, not an IP address`;
    ip = formatIp(parsed);
  }
  switch (type) {
    case 'wep': {
      const namespace = text(line[`${side}_namespace`]);
      if (!namespace) return `"${side}_namespace" is ${show(line[`${side}_namespace`])}: a pod (${side}_type "wep") has a namespace`;
      const labels = labelsOf(line[`${side}_labels`], `${side}_labels`);
      if (typeof labels === 'string') return labels;
      // `<prefix>-*` names the pods of one controller; `*` alone has no common prefix.
      const prefix = aggr && aggr !== '*' ? aggr.replace(/-?\*$/, '') : undefined;
      if (!name && !prefix && !labels) return UNIDENTIFIED;
      const labelKey = labels ? Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',') : '';
      return {
        kind: 'pod',
        namespace,
        pod: name,
        prefix,
        labels,
        dns: dnsService,
        key: `${namespace}\0${name ?? ''}\0${prefix ?? ''}\0${labelKey}\0${dnsService ? 1 : 0}`,
      };
    }
    case 'hep':
      return { kind: 'host', id: `host:${name ?? aggr ?? '*'}` };
    case 'ns':
    case 'net': {
      const names = dnsNames?.map(normaliseDnsName);
      if (type === 'ns') {
        const set = name ?? aggr ?? '*';
        return ip ? { kind: 'external', ip, name: set, dnsNames: names, lookup: true } : { kind: 'external', aggregate: `networkset:${set}`, name: set, dnsNames: names };
      }
      if (ip) return { kind: 'external', ip, dnsNames: names, lookup: true };
      if (aggr === 'pub' || aggr === 'pvt') return { kind: 'external', aggregate: aggr, name: aggr, dnsNames: names };
      return UNIDENTIFIED;
    }
    default:
      return `"${side}_type" is ${show(type)}, not "wep", "hep", "ns" or "net"`;
  }
}

/** `{"labels": ["k=v", ...]}` (or a bare list) as labels without the per-pod ones; undefined when absent or aggregated. */
function labelsOf(value: unknown, what: string): Record<string, string> | undefined | string {
  if (value === undefined || value === null || value === '-') return undefined;
  const list = isObject(value) ? value.labels : value;
  if (list === undefined || list === null) return undefined;
  if (!Array.isArray(list) || !list.every((l) => typeof l === 'string')) return `"${what}" is ${show(value)}, not {"labels": ["key=value", ...]}`;
  const out: Record<string, string> = {};
  for (const label of list as string[]) {
    const eq = label.indexOf('=');
    const key = eq < 0 ? label : label.slice(0, eq);
    if (!PER_POD_LABELS.has(key)) out[key] = eq < 0 ? '' : label.slice(eq + 1);
  }
  return out;
}
