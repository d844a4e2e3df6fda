import { Bitset } from './bitset';
import { ClassMatrix } from './equivalence';
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
    const cells: MatrixCells = {
      allowed: (s, d) => rows[s].has(d),
      members: (s) => rows[s].members(),
      count: () => rows.reduce((sum, r) => sum + r.members().length, 0),
    };
    const matrix = new ReachabilityMatrix(port, protocol, endpoints, cells, loopback, hostNetwork.mode);
    matrix.hostNetworkEndpoints.push(...hostNetwork.endpoints);
    return matrix;
  }

  /**
   * The matrix of a class matrix: cells are looked up by the endpoints' classes, rows expanded to
   * endpoints only when asked.
   * @internal
   */
  public static _ofClasses(
    port: { number?: number; name?: string }, protocol: string, endpoints: string[], classes: ClassMatrix, loopback: boolean[],
    hostNetwork: { endpoints: string[]; mode: HostNetworkMode },
  ): ReachabilityMatrix {
    const cells: MatrixCells = {
      allowed: (s, d) => classes.allowed(s, d),
      members: (s) => classes.row(s).members(),
      count: () => classes.allowedCount(),
    };
    const matrix = new ReachabilityMatrix(port, protocol, endpoints, cells, loopback, hostNetwork.mode);
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
  private readonly cells: MatrixCells;
  private readonly singlePod: boolean[];
  private readonly indexOf: Map<string, number>;

  private constructor(port: { number?: number; name?: string }, protocol: string, endpoints: string[], cells: MatrixCells, singlePod: boolean[],
    hostNetworkMode: HostNetworkMode,
  ) {
    this.hostNetworkMode = hostNetworkMode;
    this.portNumber = port.number;
    this.portName = port.name;
    this.port = `${port.name ?? port.number}/${protocol}`;
    this.protocol = protocol;
    this.endpoints = endpoints;
    this.cells = cells;
    this.singlePod = singlePod;
    this.indexOf = new Map(endpoints.map((e, i) => [e, i]));
  }

  /**
   * Whether `from` may connect to each endpoint, in the order of `endpoints` (loopback of a pod
   * counts as allowed): one row of the matrix.
   */
  public allowedRow(from: string): boolean[] {
    const s = this.index(from);
    return this.endpoints.map((_, d) => this.cells.allowed(s, d));
  }

  /** Whether `from` may connect to `to` (loopback of a pod counts as allowed). */
  public isAllowed(from: string, to: string): boolean {
    return this.cells.allowed(this.index(from), this.index(to));
  }

  /** Whether the cell is a pod talking to itself (allowed, not policed; never for a workload, whose replicas are policed). */
  public isLoopback(from: string, to: string): boolean {
    const i = this.index(from);
    return from === to && this.loopbackAt(i);
  }

  /** The destinations `from` may connect to. */
  public allowedFrom(from: string): string[] {
    return this.cells.members(this.index(from)).map((i) => this.endpoints[i]);
  }

  /** Number of allowed pairs (loopback included). */
  public get allowedCount(): number {
    return this.cells.count();
  }

  /** A single pod (or address) to itself where the port exists: loopback, allowed and never policed. */
  private loopbackAt(i: number): boolean {
    return this.singlePod[i] && this.cells.allowed(i, i);
  }

  private index(endpoint: string): number {
    const i = this.indexOf.get(endpoint);
    if (i === undefined) {
      throw unknownEndpointError(endpoint, this.endpoints);
    }
    return i;
  }
}

/** How a matrix answers for its cells: from one row per endpoint, or from a class matrix. */
interface MatrixCells {
  allowed(s: number, d: number): boolean;
  members(s: number): number[];
  count(): number;
}
