import * as fs from 'fs';
import { StringDecoder } from 'string_decoder';
import { clusterOf, FlowCollector, FlowInputError } from '../flows/collector';
import { ReadFlowsOptions } from '../flows/observed';
import { ObservedFlows } from '../flows/observed-flows';
import { Cluster } from '../inventory/cluster';

/** The longest line accepted, in characters: a longer one is invalid (and memory stays bounded without line breaks). */
export const MAX_FLOW_LINE = 1024 * 1024;

/** How often progress is reported, in milliseconds. */
const PROGRESS_INTERVAL_MS = 250;

/**
 * Flow records from a file or standard input, streamed: memory grows with the number of distinct
 * connections, not with the number of lines, so exports of millions of flows can be read.
 *
 * @example
 * const flows = await FlowFile.read('flows.jsonl', { manifests, skipInvalid: true });
 */
export class FlowFile {
  /**
   * Reads the flows of a file (`-` for standard input).
   *
   * Fails (a rejected promise) when the file cannot be read, its format cannot be told, or it has
   * invalid lines and `skipInvalid` is off; the message lists the lines with their numbers.
   */
  public static async read(path: string, options: ReadFlowsOptions = {}): Promise<ObservedFlows> {
    // The manifests first: a problem with them is not a problem with the flow file.
    const cluster = clusterOf(options);
    if (path === '-') return readFlowStream(process.stdin, { ...options, sourceName: options.sourceName ?? '<stdin>' }, { cluster });
    const sourceName = options.sourceName ?? path;
    let size: number;
    try {
      const stat = fs.statSync(path);
      if (!stat.isFile()) throw Object.assign(new Error('not a file'), { code: stat.isDirectory() ? 'EISDIR' : 'ENOTFILE' });
      size = stat.size;
    } catch (e) {
      throw unreadable(sourceName, e);
    }
    const stream = fs.createReadStream(path, { highWaterMark: 1024 * 1024 });
    try {
      return await readFlowStream(stream, { ...options, sourceName }, { totalBytes: size, cluster });
    } catch (e) {
      throw e instanceof FlowInputError ? e : unreadable(sourceName, e);
    } finally {
      stream.destroy();
    }
  }

  private constructor() {}
}

/** Where a stream's flows go, beyond the public options. */
export interface FlowStreamExtras {
  /** The size of the input, for progress. */
  readonly totalBytes?: number;
  /** The workloads to map the flows to (instead of `options.manifests`), e.g. from files read with their lines. */
  readonly cluster?: Cluster;
}

/**
 * Reads the flows of a stream of text or bytes (UTF-8), line by line (`\n` or `\r\n`), holding
 * only the current line and the connections.
 */
export async function readFlowStream(
  stream: AsyncIterable<Buffer | string>,
  options: ReadFlowsOptions & { readonly sourceName: string },
  extras: FlowStreamExtras = {},
): Promise<ObservedFlows> {
  const collector = new FlowCollector({
    format: options.format, skipInvalid: options.skipInvalid, sourceName: options.sourceName, cluster: extras.cluster ?? clusterOf(options),
  });
  const started = Date.now();
  let lastReport = started;
  let bytes = 0;
  const report = () => {
    lastReport = Date.now();
    options.progress?.onProgress({
      lines: collector.lines,
      bytes,
      connections: collector.connectionCount,
      elapsedMs: lastReport - started,
      ...(extras.totalBytes !== undefined ? { totalBytes: extras.totalBytes } : {}),
    });
  };
  const decoder = new StringDecoder('utf8');
  let carry = '';
  // A line longer than MAX_FLOW_LINE is rejected once, and the rest of it skipped up to its line break.
  let overlong = false;
  const take = (text: string) => {
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      const piece = text.slice(start, nl);
      if (overlong) {
        overlong = false;
      } else {
        const line = carry.length > 0 ? carry + piece : piece;
        if (line.length > MAX_FLOW_LINE) collector.reject(tooLong());
        else collector.add(line);
      }
      carry = '';
      start = nl + 1;
      if (options.progress && (collector.lines & 0x1fff) === 0 && Date.now() - lastReport >= PROGRESS_INTERVAL_MS) report();
    }
    if (overlong) return;
    carry = carry.length > 0 ? carry + text.slice(start) : text.slice(start);
    if (carry.length > MAX_FLOW_LINE) {
      collector.reject(tooLong());
      carry = '';
      overlong = true;
    }
  };
  for await (const chunk of stream) {
    if (typeof chunk === 'string') {
      bytes += Buffer.byteLength(chunk);
      take(chunk);
    } else {
      bytes += chunk.length;
      take(decoder.write(chunk));
    }
  }
  take(decoder.end());
  if (carry.length > 0 && !overlong) collector.add(carry);
  const { connections, summary } = collector.finish();
  report();
  return ObservedFlows._of(connections, summary);
}

function tooLong(): string {
  return `longer than ${MAX_FLOW_LINE} characters: not a flow record (is the input one record per line?)`;
}

function unreadable(source: string, e: unknown): FlowInputError {
  const code = (e as NodeJS.ErrnoException)?.code;
  const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory, not a file'
    : `${e instanceof Error ? e.message : String(e)}`;
  return new FlowInputError(`cannot read flows from ${source}: ${why}`, [], source);
}
