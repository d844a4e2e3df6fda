import { looksLikeCalico, parseCalico } from './calico';
import { looksLikeHubble, parseHubble } from './hubble';
import {
  FlowFormat, FlowReadSummary, FlowVerdict, FOLD_ORDER, FoldReason, InvalidFlowLine, ObservedConnection, ReadFlowsOptions, VERDICT_ORDER,
} from './observed';
import { CsvHeader, looksLikeCsvHeader, parseCsvHeader, parseCsvRow, parsePlainJson } from './plain';
import { isObject, LineOutcome, show, Side } from './record';
import { EndResolver } from './resolve';
import { Cluster } from '../inventory/cluster';
import { ALL_PROTOCOLS, Protocol } from '../model/protocol';

/** How many invalid lines an error (or the summary) lists; without `skipInvalid`, reading stops after this many. */
export const MAX_LISTED_INVALID = 20;

/** Most ignored plain-form fields remembered (a hostile input could name a new key on every line). */
const MAX_IGNORED_FIELDS = 50;

/**
 * Flow input that cannot be used: its format cannot be told, or it has invalid lines (and
 * `skipInvalid` is off). The message lists each line with its number and what is wrong with it.
 */
export class FlowInputError extends Error {
  constructor(message: string, public readonly problems: InvalidFlowLine[], public readonly source: string) {
    super(message);
    this.name = 'FlowInputError';
  }
}

/** Everything a collector needs to know. */
export interface CollectorOptions {
  readonly format?: FlowFormat;
  readonly skipInvalid?: boolean;
  /** The name of the input in messages. */
  readonly sourceName: string;
  /** The workloads to map the flows to. */
  readonly cluster?: Cluster;
}

/** The connections and the summary of what was read. */
export interface CollectedFlows {
  readonly connections: ObservedConnection[];
  readonly summary: FlowReadSummary;
}

/** The model of the manifests in the options (policies are not needed to name workloads). */
export function clusterOf(options: ReadFlowsOptions): Cluster | undefined {
  return options.manifests ? new Cluster(options.manifests.map((object) => ({ object })), {}, { withoutPolicies: true }) : undefined;
}

interface ConnectionState {
  readonly source: string;
  readonly destination: string;
  readonly port: number;
  readonly protocol: Protocol;
  readonly firstLine: number;
  /** Attempts by verdict (in VERDICT_ORDER) seen at the source, and at the destination. */
  readonly atSource: number[];
  readonly atDestination: number[];
  firstMs?: number;
  lastMs?: number;
}

const VERDICT_INDEX = new Map(VERDICT_ORDER.map((v, i) => [v, i]));
const PROTOCOL_INDEX = new Map(ALL_PROTOCOLS.map((p, i) => [p, i]));

/**
 * Reads flow records line by line, in memory that grows with the number of distinct connections
 * and ends, not with the number of lines: each line is parsed in its format, its ends mapped to
 * workloads, and the record folded into its connection (or the line counted as folded, or invalid).
 */
export class FlowCollector {
  private lineNumber = 0;
  private format?: FlowFormat;
  private header?: CsvHeader;
  private records = 0;
  private invalidCount = 0;
  private lost = 0;
  private readonly invalidLines: InvalidFlowLine[] = [];
  private readonly folded = new Map<FoldReason, number>();
  private readonly ignoredFields = new Set<string>();
  private readonly connections = new Map<string, ConnectionState>();
  private readonly resolver: EndResolver;

  constructor(private readonly options: CollectorOptions) {
    this.format = options.format;
    this.resolver = new EndResolver(options.cluster);
  }

  /** Lines read so far. */
  public get lines(): number {
    return this.lineNumber;
  }

  /** Distinct connections so far. */
  public get connectionCount(): number {
    return this.connections.size;
  }

  /** Reads the next line (without its line break). Throws `FlowInputError` when reading must stop. */
  public add(text: string): void {
    const n = ++this.lineNumber;
    let line = text;
    if (n === 1 && line.charCodeAt(0) === 0xfeff) line = line.slice(1);
    if (line.length > 0 && line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
    if (line.length === 0 || (line.charCodeAt(0) <= 32 && line.trim() === '')) {
      this.fold(FoldReason.BLANK);
      return;
    }
    if (this.format === undefined) this.format = this.detect(line, n);
    this.apply(this.parse(line, n), n);
  }

  /** Records a line that could not be read at all (e.g. too long), as invalid. */
  public reject(reason: string): void {
    this.invalid(++this.lineNumber, reason);
  }

  /** The result. Throws `FlowInputError` when there were invalid lines and `skipInvalid` is off. */
  public finish(): CollectedFlows {
    if (this.invalidCount > 0 && !this.options.skipInvalid) throw this.error(false);
    const states = [...this.connections.values()].sort(compareConnections);
    const connections = states.map((s): ObservedConnection => {
      const verdicts = VERDICT_ORDER
        .map((verdict, i) => ({ verdict, count: Math.max(s.atSource[i], s.atDestination[i]) }))
        .filter((v) => v.count > 0);
      const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
      return Object.freeze({
        source: this.resolver.end(s.source),
        destination: this.resolver.end(s.destination),
        port: s.port,
        protocol: s.protocol,
        count: Math.max(sum(s.atSource), sum(s.atDestination)),
        verdicts: Object.freeze(verdicts.map((v) => Object.freeze(v))) as VerdictCountList,
        firstLine: s.firstLine,
        ...(s.firstMs !== undefined ? { firstSeen: new Date(s.firstMs).toISOString() } : {}),
        ...(s.lastMs !== undefined ? { lastSeen: new Date(s.lastMs).toISOString() } : {}),
      });
    });
    const folded = FOLD_ORDER.filter((r) => this.folded.has(r)).map((reason) => Object.freeze({ reason, count: this.folded.get(reason)! }));
    const summary: FlowReadSummary = Object.freeze({
      source: this.options.sourceName,
      ...(this.format !== undefined ? { format: this.format } : {}),
      lines: this.lineNumber,
      records: this.records,
      connections: connections.length,
      folded: Object.freeze(folded) as FlowReadSummary['folded'],
      invalid: this.invalidCount,
      invalidLines: Object.freeze(this.invalidLines.map((l) => Object.freeze({ ...l }))) as InvalidFlowLine[],
      lostEvents: this.lost,
      ignoredFields: Object.freeze([...this.ignoredFields].sort()) as string[],
    });
    return { connections: Object.freeze(connections) as ObservedConnection[], summary };
  }

  private detect(line: string, n: number): FlowFormat {
    const problem = (reason: string) => {
      const problems = [{ line: n, reason }];
      return new FlowInputError(`${this.options.sourceName}:${n}: ${reason}`, problems, this.options.sourceName);
    };
    if (line.trimStart().startsWith('{')) {
      let object: unknown;
      try {
        object = JSON.parse(line);
      } catch (e) {
        throw problem(`cannot tell the format of the flows: the line starts like JSON but is not JSON (${jsonError(e)}). Give the format explicitly`);
      }
      if (isObject(object)) {
        if (looksLikeCalico(object)) return FlowFormat.CALICO;
        if (typeof object.source === 'string' && 'destination' in object) return FlowFormat.JSON_LINES;
        if (looksLikeHubble(object)) return FlowFormat.HUBBLE;
      }
      throw problem(`cannot tell the format of the flows from ${show(object)}: it is not a Hubble event or flow, a Calico flow log record, `
        + 'or a plain flow ({"source": ..., "destination": ..., "port": ..., "protocol": ...}). Give the format explicitly');
    }
    if (looksLikeCsvHeader(line)) return FlowFormat.CSV;
    throw problem('cannot tell the format of the flows: the first line is neither JSON (Hubble, Calico, plain JSON Lines) '
      + 'nor a CSV header naming source,destination,port,protocol. Add the header, or give the format explicitly');
  }

  private parse(line: string, n: number): LineOutcome {
    switch (this.format!) {
      case FlowFormat.CSV: {
        if (!this.header) {
          const header = parseCsvHeader(line);
          if (typeof header === 'string') {
            this.invalid(n, header);
            throw this.error(false);
          }
          this.header = header;
          for (const c of header.ignored) this.noteIgnored(c);
          return { type: 'fold', reason: FoldReason.HEADER };
        }
        if (line.charCodeAt(0) === 35 /* # */) return { type: 'fold', reason: FoldReason.BLANK };
        return parseCsvRow(line, this.header);
      }
      case FlowFormat.HUBBLE: return json(line, parseHubble);
      case FlowFormat.CALICO: return json(line, parseCalico);
      case FlowFormat.JSON_LINES: return json(line, (v) => parsePlainJson(v, (key) => this.noteIgnored(key)));
    }
  }

  private apply(outcome: LineOutcome, n: number): void {
    if (outcome.type === 'fold') {
      this.fold(outcome.reason);
      if (outcome.lost) this.lost += outcome.lost;
      return;
    }
    if (outcome.type === 'invalid') {
      this.invalid(n, outcome.reason);
      return;
    }
    const r = outcome.record;
    const source = this.resolver.resolve(r.source);
    const destination = this.resolver.resolve(r.destination);
    if (source === undefined || destination === undefined) {
      this.fold(FoldReason.UNIDENTIFIED_END);
      return;
    }
    const key = `${source}\0${destination}\0${r.protocol}\0${r.port}`;
    let c = this.connections.get(key);
    if (!c) {
      c = { source, destination, port: r.port, protocol: r.protocol, firstLine: n, atSource: [0, 0, 0, 0, 0], atDestination: [0, 0, 0, 0, 0] };
      this.connections.set(key, c);
    }
    const v = VERDICT_INDEX.get(r.verdict)!;
    if (r.side !== Side.DESTINATION) c.atSource[v] += r.count;
    if (r.side !== Side.SOURCE) c.atDestination[v] += r.count;
    if (r.startMs !== undefined && (c.firstMs === undefined || r.startMs < c.firstMs)) c.firstMs = r.startMs;
    const end = r.endMs ?? r.startMs;
    if (end !== undefined && (c.lastMs === undefined || end > c.lastMs)) c.lastMs = end;
    this.records++;
  }

  private noteIgnored(key: string): void {
    if (this.ignoredFields.size < MAX_IGNORED_FIELDS) this.ignoredFields.add(key);
  }

  private fold(reason: FoldReason): void {
    this.folded.set(reason, (this.folded.get(reason) ?? 0) + 1);
  }

  private invalid(n: number, reason: string): void {
    this.invalidCount++;
    if (this.invalidLines.length < MAX_LISTED_INVALID) this.invalidLines.push({ line: n, reason });
    if (!this.options.skipInvalid && this.invalidCount > MAX_LISTED_INVALID) throw this.error(true);
  }

  private error(stopped: boolean): FlowInputError {
    const name = this.options.sourceName;
    const what = stopped
      ? `more than ${MAX_LISTED_INVALID} invalid lines (reading stopped at line ${this.lineNumber}); the first ${MAX_LISTED_INVALID}`
      : `${this.invalidCount} invalid line${this.invalidCount === 1 ? '' : 's'}`;
    const lines = this.invalidLines.map((l) => `  ${name}:${l.line}: ${l.reason}`).join('\n');
    const format = this.format ? ` (read as ${this.format})` : '';
    return new FlowInputError(
      `${name}${format}: ${what}:\n${lines}\nFix or remove ${this.invalidCount === 1 ? 'it' : 'them'}, or skip and count invalid lines (skipInvalid: true; --skip-invalid).`,
      [...this.invalidLines], name);
  }
}

type VerdictCountList = Array<{ readonly verdict: FlowVerdict; readonly count: number }>;

function json(line: string, parse: (value: unknown) => LineOutcome): LineOutcome {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (e) {
    return { type: 'invalid', reason: `not JSON (${jsonError(e)})` };
  }
  return parse(value);
}

/** The parser's message, short: V8 quotes the whole line in it. */
function jsonError(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message.length > 100 ? `${message.slice(0, 97)}...` : message;
}

function compareConnections(a: ConnectionState, b: ConnectionState): number {
  return compareText(a.source, b.source) || compareText(a.destination, b.destination)
    || PROTOCOL_INDEX.get(a.protocol)! - PROTOCOL_INDEX.get(b.protocol)! || a.port - b.port;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
