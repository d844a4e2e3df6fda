import { Bitset } from './bitset';
import { HostNetworkMode } from './host-network-mode';
import { unknownEndpointError } from './unknown-endpoint';

/**
 * Reachability of every endpoint pair for one port: who may connect to whom. The formats render it:
 * `TextFormat.matrix(m)`, `JsonFormat.matrix(m)`, `MarkdownFormat.matrix(m)`.
 */
export class ReachabilityMatrix {
  /** @internal */
  public static _of(
    port: { number?: number; name?: string }, protocol: string, endpoints: string[], rows: Bitset[], loopback: boolean[],
    hostNetwork: { endpoints: string[]; mode: HostNetworkMode } = { endpoints: [], mode: HostNetworkMode.NODE_TRAFFIC },
  ): ReachabilityMatrix {
    const matrix = new ReachabilityMatrix(port, protocol, endpoints, rows, loopback, hostNetwork.mode);
    matrix.hostNetworkEndpoints.push(...hostNetwork.endpoints);
    return matrix;
  }

  /** The port asked about, with its protocol: `8080/TCP`, or `http/TCP` for a named port. */
  public readonly port: string;
  /** The port number. @default - a named port: see `portName` */
  public readonly portNumber?: number;
  /** The container port name, resolved on each destination. @default - a numbered port: see `portNumber` */
  public readonly portName?: string;
  /** The protocol. */
  public readonly protocol: string;
  /** Every endpoint, in order (`<namespace>/<name>`, or an external endpoint's name). */
  public readonly endpoints: string[];
  /** The endpoints that are hostNetwork pods (the text and Markdown formats list them in a legend). */
  public readonly hostNetworkEndpoints: string[] = [];
  /** How the hostNetwork pods were analysed. */
  public readonly hostNetworkMode: HostNetworkMode;
  private readonly rows: Bitset[];
  private readonly singlePod: boolean[];
  private readonly indexOf: Map<string, number>;

  private constructor(port: { number?: number; name?: string }, protocol: string, endpoints: string[], rows: Bitset[], singlePod: boolean[],
    hostNetworkMode: HostNetworkMode,
  ) {
    this.hostNetworkMode = hostNetworkMode;
    this.portNumber = port.number;
    this.portName = port.name;
    this.port = `${port.name ?? port.number}/${protocol}`;
    this.protocol = protocol;
    this.endpoints = endpoints;
    this.rows = rows;
    this.singlePod = singlePod;
    this.indexOf = new Map(endpoints.map((e, i) => [e, i]));
  }

  /**
   * Whether `from` may connect to each endpoint, in the order of `endpoints` (loopback of a pod
   * counts as allowed): one row of the matrix.
   */
  public allowedRow(from: string): boolean[] {
    const row = this.rows[this.index(from)];
    return this.endpoints.map((_, d) => row.has(d));
  }

  /** Whether `from` may connect to `to` (loopback of a pod counts as allowed). */
  public isAllowed(from: string, to: string): boolean {
    return this.rows[this.index(from)].has(this.index(to));
  }

  /** Whether the cell is a pod talking to itself (allowed, not policed; never for a workload, whose replicas are policed). */
  public isLoopback(from: string, to: string): boolean {
    const i = this.index(from);
    return from === to && this.loopbackAt(i);
  }

  /** The destinations `from` may connect to. */
  public allowedFrom(from: string): string[] {
    return this.rows[this.index(from)].members().map((i) => this.endpoints[i]);
  }

  /** Number of allowed pairs (loopback included). */
  public get allowedCount(): number {
    return this.rows.reduce((sum, r) => sum + r.members().length, 0);
  }

  /** A single pod (or address) to itself where the port exists: loopback, allowed and never policed. */
  private loopbackAt(i: number): boolean {
    return this.singlePod[i] && this.rows[i].has(i);
  }

  private index(endpoint: string): number {
    const i = this.indexOf.get(endpoint);
    if (i === undefined) {
      throw unknownEndpointError(endpoint, this.endpoints);
    }
    return i;
  }
}
