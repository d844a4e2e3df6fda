import { Bitset } from './bitset';
import { unknownEndpointError } from './unknown-endpoint';

/** Reachability of every endpoint pair for one port: who may connect to whom. */
export class ReachabilityMatrix {
  /** @internal */
  public static _of(
    port: string | number, protocol: string, endpoints: string[], rows: Bitset[], loopback: boolean[],
    hostNetwork: { endpoints: string[]; asNodeTraffic: boolean } = { endpoints: [], asNodeTraffic: true },
  ): ReachabilityMatrix {
    const matrix = new ReachabilityMatrix(port, protocol, endpoints, rows, loopback);
    matrix.hostNetworkEndpoints.push(...hostNetwork.endpoints);
    matrix.hostNetworkAsNodeTraffic = hostNetwork.asNodeTraffic;
    return matrix;
  }

  /** The port: a number, or a container port name. */
  public readonly port: any;
  /** The protocol. */
  public readonly protocol: string;
  /** Every endpoint, in order (`<namespace>/<name>`, or an external endpoint's name). */
  public readonly endpoints: string[];
  /** The endpoints that are hostNetwork pods, marked in the legend of `toText` and `toMarkdown`. */
  public readonly hostNetworkEndpoints: string[] = [];
  private hostNetworkAsNodeTraffic = true;
  private readonly rows: Bitset[];
  private readonly singlePod: boolean[];
  private readonly indexOf: Map<string, number>;

  private constructor(port: string | number, protocol: string, endpoints: string[], rows: Bitset[], singlePod: boolean[]) {
    this.port = port;
    this.protocol = protocol;
    this.endpoints = endpoints;
    this.rows = rows;
    this.singlePod = singlePod;
    this.indexOf = new Map(endpoints.map((e, i) => [e, i]));
  }

  /** Whether `from` may connect to `to` (loopback of a pod counts as allowed). */
  public isAllowed(from: string, to: string): boolean {
    return this.rows[this.index(from)].has(this.index(to));
  }

  /** Whether the cell is a pod talking to itself (allowed, not policed). */
  public isLoopback(from: string, to: string): boolean {
    return from === to && this.singlePod[this.index(from)];
  }

  /** The destinations `from` may connect to. */
  public allowedFrom(from: string): string[] {
    return this.rows[this.index(from)].members().map((i) => this.endpoints[i]);
  }

  /** Number of allowed pairs (loopback included). */
  public get allowedCount(): number {
    return this.rows.reduce((sum, r) => sum + r.members().length, 0);
  }

  /** The JSON the CLI prints: `{ port, protocol, endpoints, allowed: { from: { to: bool } } }`. */
  public toJson(): any {
    const allowed: Record<string, Record<string, boolean>> = {};
    this.endpoints.forEach((from, s) => {
      const row: Record<string, boolean> = {};
      this.endpoints.forEach((to, d) => (row[to] = this.rows[s].has(d)));
      allowed[from] = row;
    });
    const hostNetwork = this.hostNetworkEndpoints.length > 0
      ? { hostNetwork: { mode: this.hostNetworkAsNodeTraffic ? 'node' : 'pod', endpoints: [...this.hostNetworkEndpoints] } }
      : {};
    return { port: this.port, protocol: this.protocol, endpoints: [...this.endpoints], allowed, ...hostNetwork };
  }

  /** The legend line on hostNetwork endpoints, when there are any. */
  private hostNetworkLegend(quote: (id: string) => string): string[] {
    if (this.hostNetworkEndpoints.length === 0) return [];
    const how = this.hostNetworkAsNodeTraffic
      ? 'analysed as traffic of their node (host-network mode node): no policy selects them, pod and namespace selectors never match them, ipBlocks match their node IP'
      : 'analysed as ordinary pods (host-network mode pod)';
    return [`hostNetwork pods, ${how}: ${this.hostNetworkEndpoints.map(quote).join(', ')}`];
  }

  /** A text table: rows are sources, columns destinations; `X` allowed, `.` denied, `L` loopback. */
  public toText(): string {
    const names = this.endpoints;
    const width = Math.max(4, ...names.map((n) => n.length));
    const lines = [`port ${this.port}/${this.protocol}: rows may connect to columns (X allowed, . denied, L loopback)`];
    names.forEach((n, i) => lines.push(`${' '.repeat(width + 2)}${'| '.repeat(i)}${i + 1}: ${n}`));
    lines.push(`${'from \\ to'.padEnd(width + 2)}${names.map((_, i) => String(i + 1).padEnd(2)).join('')}`);
    names.forEach((from, s) => {
      const cells = names.map((_, d) => (s === d && this.singlePod[s] ? 'L' : this.rows[s].has(d) ? 'X' : '.').padEnd(2)).join('');
      lines.push(`${from.padEnd(width + 2)}${cells}`);
    });
    lines.push(...this.hostNetworkLegend((id) => id));
    return lines.join('\n');
  }

  /** A Markdown table. */
  public toMarkdown(): string {
    const head = `| from \\ to | ${this.endpoints.map((e) => `\`${e}\``).join(' | ')} |`;
    const sep = `|---|${this.endpoints.map(() => ':---:').join('|')}|`;
    const rows = this.endpoints.map((from, s) => `| \`${from}\` | ${this.endpoints.map((_, d) => (s === d && this.singlePod[s] ? '↺' : this.rows[s].has(d) ? '✅' : '❌')).join(' | ')} |`);
    const legend = this.hostNetworkLegend((id) => `\`${id}\``);
    return [`**Port ${this.port}/${this.protocol}** (✅ allowed, ❌ denied, ↺ loopback)`, '', head, sep, ...rows, ...(legend.length > 0 ? ['', ...legend] : [])].join('\n');
  }

  private index(endpoint: string): number {
    const i = this.indexOf.get(endpoint);
    if (i === undefined) {
      throw unknownEndpointError(endpoint, this.endpoints);
    }
    return i;
  }
}
