import { clusterOf, FlowCollector } from './collector';
import { FlowReadSummary, ObservedConnection, ReadFlowsOptions } from './observed';

/**
 * Connections observed in a running cluster, read from flow records: Cilium Hubble
 * (`hubble observe -o json`), Calico flow logs, or a plain CSV / JSON Lines list of
 * `source,destination,port,protocol`.
 *
 * Each connection's ends are mapped to the workloads of the given manifests (or named as
 * undeclared workloads, external addresses, the DNS server, the node). Replies, health checks of
 * the node itself and records that are not TCP/UDP/SCTP connections are folded away and counted
 * by reason; the same connection seen many times (or at both of its ends) is one connection with a
 * count and its verdicts. Invalid lines fail the read with their line numbers, unless `skipInvalid`.
 *
 * For files and standard input, streamed in bounded memory, use `FlowFile.read`.
 *
 * @example
 * const flows = ObservedFlows.fromText(csv, { manifests });
 * flows.connections[0].source.id;   // 'shop/web'
 */
export class ObservedFlows {
  /** The flows of these lines (each without its line break). */
  public static fromLines(lines: string[], options: ReadFlowsOptions = {}): ObservedFlows {
    const started = Date.now();
    const collector = new FlowCollector({ format: options.format, skipInvalid: options.skipInvalid, sourceName: options.sourceName ?? '<flows>', cluster: clusterOf(options) });
    let bytes = 0;
    for (const line of lines) {
      collector.add(line);
      bytes += Buffer.byteLength(line) + 1;
    }
    const { connections, summary } = collector.finish();
    const elapsedMs = Date.now() - started;
    options.progress?.onProgress({ lines: collector.lines, bytes, totalBytes: bytes, connections: connections.length, elapsedMs });
    return new ObservedFlows(connections, summary);
  }

  /** The flows of a text (lines separated by `\n` or `\r\n`). */
  public static fromText(text: string, options: ReadFlowsOptions = {}): ObservedFlows {
    const lines = text.split('\n');
    if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    return ObservedFlows.fromLines(lines, options);
  }

  /** @internal */
  public static _of(connections: ObservedConnection[], summary: FlowReadSummary): ObservedFlows {
    return new ObservedFlows(connections, summary);
  }

  /** The observed connections, sorted by source, destination, protocol and port. */
  public readonly connections: ObservedConnection[];

  /** What was done with every line of the input. */
  public readonly summary: FlowReadSummary;

  private constructor(connections: ObservedConnection[], summary: FlowReadSummary) {
    this.connections = connections;
    this.summary = summary;
  }
}
