/**
 * The plain form, for flows from anywhere else: CSV with a header, or JSON Lines, with the fields
 * `source`, `destination` (each `<namespace>/<workload>` or an IP address), `port` (1-65535) and
 * `protocol` (TCP, UDP or SCTP), and optionally `count` (attempts, default 1) and `verdict`
 * (`forwarded`/`allowed`, `dropped`/`denied`, `audit`, `error`, `unknown`; default forwarded: the
 * connection was observed). Other columns or keys are ignored and listed in the summary.
 */

import { FlowVerdict, FoldReason } from './observed';
import { fold, FlowRecord, invalid, isObject, LineOutcome, RawEnd, show, Side } from './record';
import { formatIp, parseIp } from '../k8s/cidr';
import { dns1123LabelProblems, dns1123SubdomainProblems } from '../k8s/names';
import { Protocol } from '../model/protocol';

export const REQUIRED_FIELDS = ['source', 'destination', 'port', 'protocol'];
export const OPTIONAL_FIELDS = ['count', 'verdict'];
const KNOWN = new Set([...REQUIRED_FIELDS, ...OPTIONAL_FIELDS]);

const PROTOCOLS: Record<string, Protocol> = { tcp: Protocol.TCP, udp: Protocol.UDP, sctp: Protocol.SCTP };
const NOT_L4 = new Set(['icmp', 'icmpv4', 'icmp6', 'icmpv6']);
const VERDICTS: Record<string, FlowVerdict> = {
  forwarded: FlowVerdict.FORWARDED,
  allowed: FlowVerdict.FORWARDED,
  allow: FlowVerdict.FORWARDED,
  dropped: FlowVerdict.DROPPED,
  denied: FlowVerdict.DROPPED,
  deny: FlowVerdict.DROPPED,
  audit: FlowVerdict.AUDIT,
  error: FlowVerdict.ERROR,
  unknown: FlowVerdict.UNKNOWN,
};

/** The columns of a CSV header. */
export interface CsvHeader {
  readonly columns: string[];
  /** Column index of each known field. */
  readonly index: Readonly<Record<string, number>>;
  /** Columns that are not fields of the plain form. */
  readonly ignored: string[];
}

/** Whether a line is a CSV header of the plain form (for format detection). */
export function looksLikeCsvHeader(line: string): boolean {
  const fields = splitCsv(line);
  if (typeof fields === 'string') return false;
  const names = new Set(fields.map((f) => f.trim().toLowerCase()));
  return REQUIRED_FIELDS.every((f) => names.has(f));
}

/** The header line, or the problem with it. */
export function parseCsvHeader(line: string): CsvHeader | string {
  const fields = splitCsv(line);
  if (typeof fields === 'string') return `the CSV header ${fields}`;
  const columns = fields.map((f) => f.trim().toLowerCase());
  const index: Record<string, number> = {};
  const ignored: string[] = [];
  for (const [i, c] of columns.entries()) {
    if (!KNOWN.has(c)) {
      ignored.push(c);
      continue;
    }
    if (index[c] !== undefined) return `the CSV header names the column "${c}" twice`;
    index[c] = i;
  }
  const missing = REQUIRED_FIELDS.filter((f) => index[f] === undefined);
  if (missing.length > 0) {
    return `the first line is not a CSV header of flows: it has no column ${missing.map((m) => `"${m}"`).join(', ')}. `
      + `Start the file with a header such as "source,destination,port,protocol" (optional columns: ${OPTIONAL_FIELDS.join(', ')})`;
  }
  return { columns, index, ignored };
}

/** A CSV row of the plain form. */
export function parseCsvRow(line: string, header: CsvHeader): LineOutcome {
  const fields = splitCsv(line);
  if (typeof fields === 'string') return invalid(fields);
  if (fields.length !== header.columns.length) {
    return invalid(`has ${fields.length} column${fields.length === 1 ? '' : 's'}, the header ${header.columns.length} (${header.columns.join(',')})`);
  }
  const get = (name: string) => (header.index[name] === undefined ? undefined : fields[header.index[name]].trim());
  const count = get('count');
  const verdict = get('verdict');
  return plainRecord(get('source')!, get('destination')!, get('port')!, get('protocol')!, count === '' ? undefined : count, verdict === '' ? undefined : verdict);
}

/** A JSON Lines record of the plain form; `ignored` receives keys that are not fields of it. */
export function parsePlainJson(line: unknown, ignored: (key: string) => void): LineOutcome {
  if (!isObject(line)) return invalid(`not a JSON object but ${show(line)}`);
  for (const key of Object.keys(line)) if (!KNOWN.has(key)) ignored(key);
  const missing = REQUIRED_FIELDS.filter((k) => line[k] === undefined || line[k] === null);
  if (missing.length > 0) return invalid(`needs ${missing.map((k) => `"${k}"`).join(', ')} (a plain flow is {"source": "shop/web", "destination": "shop/api", "port": 8080, "protocol": "TCP"})`);
  for (const k of ['source', 'destination', 'protocol']) {
    if (typeof line[k] !== 'string') return invalid(`"${k}" is ${show(line[k])}, not a string`);
  }
  const port = line.port;
  if (typeof port !== 'number' && typeof port !== 'string') return invalid(`"port" is ${show(port)}, not a port number`);
  const count = line.count;
  if (count !== undefined && count !== null && typeof count !== 'number' && typeof count !== 'string') return invalid(`"count" is ${show(count)}, not a number`);
  const verdict = line.verdict;
  if (verdict !== undefined && verdict !== null && typeof verdict !== 'string') return invalid(`"verdict" is ${show(verdict)}, not a string`);
  return plainRecord(line.source as string, line.destination as string, String(port), line.protocol as string,
    count === undefined || count === null ? undefined : String(count), (verdict as string | undefined | null) ?? undefined);
}

function plainRecord(
  sourceText: string, destinationText: string, portText: string, protocolText: string, countText?: string, verdictText?: string,
): LineOutcome {
  const protocolName = protocolText.trim().toLowerCase();
  const protocol = PROTOCOLS[protocolName];
  if (!protocol) {
    if (NOT_L4.has(protocolName)) return fold(FoldReason.NOT_L4);
    return invalid(`protocol ${show(protocolText)} is not TCP, UDP or SCTP`);
  }
  const port = /^[0-9]{1,5}$/.test(portText.trim()) ? Number(portText.trim()) : NaN;
  if (!(port >= 1 && port <= 65535)) return invalid(`port ${show(portText)} is not a port number from 1 to 65535`);
  let count = 1;
  if (countText !== undefined) {
    count = /^[0-9]{1,15}$/.test(countText.trim()) ? Number(countText.trim()) : NaN;
    if (!(count >= 1)) return invalid(`count ${show(countText)} is not a whole number of at least 1`);
  }
  let verdict = FlowVerdict.FORWARDED;
  if (verdictText !== undefined) {
    const v = VERDICTS[verdictText.trim().toLowerCase()];
    if (!v) return invalid(`verdict ${show(verdictText)} is not one of ${Object.keys(VERDICTS).join(', ')}`);
    verdict = v;
  }
  const source = plainEnd(sourceText, 'source');
  if (typeof source === 'string') return invalid(source);
  const destination = plainEnd(destinationText, 'destination');
  if (typeof destination === 'string') return invalid(destination);
  const record: FlowRecord = { source, destination, port, protocol, verdict, side: Side.BOTH, count };
  return { type: 'record', record };
}

/** `<namespace>/<workload>` or an IP address. */
function plainEnd(value: string, what: string): RawEnd | string {
  const text = value.trim();
  const slash = text.indexOf('/');
  if (slash < 0) {
    const ip = parseIp(text);
    if (ip) return { kind: 'external', ip: formatIp(ip), lookup: true };
    return `${what} ${show(value)} is neither <namespace>/<workload> (e.g. shop/web) nor an IP address`;
  }
  const namespace = text.slice(0, slash);
  const name = text.slice(slash + 1);
  const nsProblem = dns1123LabelProblems(namespace)[0];
  if (nsProblem) return `${what} ${show(value)}: the namespace ${show(namespace)} is not a namespace name (${nsProblem})`;
  const nameProblem = dns1123SubdomainProblems(name)[0];
  if (nameProblem) return `${what} ${show(value)}: the workload ${show(name)} is not an object name (${nameProblem})`;
  return { kind: 'pod', namespace, pod: name, exact: true, key: `${namespace}/${name}` };
}

/** The fields of one CSV line (RFC 4180 quoting, within the line), or the problem with it. */
export function splitCsv(line: string): string[] | string {
  if (line.indexOf('"') < 0) return line.split(',');
  const out: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) return 'has a quoted field without its closing quote';
        value += line.slice(i, q);
        if (line[q + 1] === '"') {
          value += '"';
          i = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      out.push(value);
      if (i === line.length) return out;
      if (line[i] !== ',') return `has text after a quoted field (column ${out.length})`;
      i++;
    } else {
      const comma = line.indexOf(',', i);
      if (comma < 0) {
        out.push(line.slice(i));
        return out;
      }
      out.push(line.slice(i, comma));
      i = comma + 1;
    }
  }
}
