import { brand, checkFactoryToken, FACTORY, isBranded, notBranded } from './brand';
import { modelError } from './errors';
import { ALL_PROTOCOLS, Protocol } from './protocol';
import { NetworkPolicyPortJson } from '../k8s/manifest';
import { portNameProblems, portNumberProblems } from '../k8s/names';
import { ALL_TRAFFIC, PortEntry } from '../k8s/port-set';

/**
 * A destination port (or range, or named container port) that a rule allows.
 *
 * Every factory checks its input against the API server's rules, so an invalid port can never be
 * built: `Port.tcp(0)` throws, `Port.tcpRange(9000, 8000)` throws.
 *
 * @example
 * Port.tcp(5432); Port.udp(53); Port.tcpRange(8000, 8080); Port.named('http'); Port.allTcp();
 */
export class Port {
  /** A single TCP port. */
  public static tcp(port: number): Port {
    return Port.single(Protocol.TCP, port, 'Port.tcp');
  }

  /** A single UDP port. */
  public static udp(port: number): Port {
    return Port.single(Protocol.UDP, port, 'Port.udp');
  }

  /** A single SCTP port. */
  public static sctp(port: number): Port {
    return Port.single(Protocol.SCTP, port, 'Port.sctp');
  }

  /** A single port of the given protocol. */
  public static of(protocol: Protocol, port: number): Port {
    return Port.single(Port.checkProtocol(protocol, 'Port.of'), port, 'Port.of');
  }

  /** An inclusive TCP port range (`port` + `endPort`). */
  public static tcpRange(from: number, to: number): Port {
    return Port.range(Protocol.TCP, from, to, 'Port.tcpRange');
  }

  /** An inclusive UDP port range (`port` + `endPort`). */
  public static udpRange(from: number, to: number): Port {
    return Port.range(Protocol.UDP, from, to, 'Port.udpRange');
  }

  /** An inclusive SCTP port range (`port` + `endPort`). */
  public static sctpRange(from: number, to: number): Port {
    return Port.range(Protocol.SCTP, from, to, 'Port.sctpRange');
  }

  /**
   * A named container port (an IANA service name such as `http`), resolved on the destination pod.
   *
   * @param name the container port's name
   * @param protocol the protocol of that container port (default TCP)
   */
  public static named(name: string, protocol?: Protocol): Port {
    const proto = Port.checkProtocol(protocol ?? Protocol.TCP, 'Port.named');
    if (typeof name !== 'string') {
      throw modelError('Port.named', name, 'is not a port name', 'Pass the container port name as a string, e.g. Port.named(\'http\').');
    }
    const problems = portNameProblems(name);
    if (problems.length > 0) {
      throw modelError('Port.named', name, `is not a valid port name: it ${problems.join('; ')}`,
        'Use the name of a container port: at most 15 characters of a-z, 0-9 and single hyphens, with at least one letter, e.g. \'http\' or \'metrics\'. For a numeric port use Port.tcp(n).');
    }
    return new Port(FACTORY, proto, undefined, undefined, name);
  }

  /** Every TCP port. */
  public static allTcp(): Port {
    return new Port(FACTORY, Protocol.TCP);
  }

  /** Every UDP port. */
  public static allUdp(): Port {
    return new Port(FACTORY, Protocol.UDP);
  }

  /** Every SCTP port. */
  public static allSctp(): Port {
    return new Port(FACTORY, Protocol.SCTP);
  }

  /**
   * Every port of every protocol. A rule with this port has no `ports` list at all, so it matches
   * all traffic: use it only when that is really meant.
   */
  public static allTraffic(): Port {
    return new Port(FACTORY, undefined, undefined, undefined, undefined, true);
  }

  /** True for a `Port` made by a factory (of this or another installed copy of the package). */
  public static isPort(x: any): x is Port {
    return isBranded(x, 'Port');
  }

  /**
   * `value` as a port of this copy of the package, checked again: a port made by this copy's
   * factories as is; one made by another installed copy rebuilt through the factories from what it
   * says it is; anything else (a hand-built object, a plain literal) refused.
   * @internal
   */
  public static _use(value: unknown, where: string): Port {
    if (Port.owns(value)) return value;
    if (!Port.isPort(value)) throw notBranded(where, value, 'Port', PORT_FACTORIES);
    const p = value as Port;
    try {
      // The broad claims ("all traffic", "all ports of a protocol") are accepted only when every
      // public claim of the value says so, down to what it renders: a branded object that merely
      // leaves its fields out is not "everything".
      if (p.isAllTraffic === true) {
        if (p.protocol !== undefined || p.portNumber !== undefined || p.portName !== undefined || p.endPort !== undefined) throw new Error('inconsistent');
        if (p.isAllPortsOfProtocol !== false || typeof p.toJson !== 'function' || p.toJson() !== undefined) throw new Error('inconsistent');
        return Port.allTraffic();
      }
      if (p.isAllTraffic !== false) throw new Error('inconsistent');
      const protocol = Port.checkProtocol(p.protocol as Protocol, where);
      if (p.portName !== undefined) {
        if (p.portNumber !== undefined || p.endPort !== undefined) throw new Error('inconsistent');
        return Port.named(p.portName, protocol);
      }
      if (p.portNumber === undefined) {
        if (p.endPort !== undefined || p.isAllPortsOfProtocol !== true || typeof p.toJson !== 'function') throw new Error('inconsistent');
        const json = p.toJson();
        if (json === null || typeof json !== 'object' || Object.keys(json).length !== 1 || json.protocol !== protocol) throw new Error('inconsistent');
        return new Port(FACTORY, protocol);
      }
      if (p.isAllPortsOfProtocol === true) throw new Error('inconsistent');
      return p.endPort === undefined ? Port.single(protocol, p.portNumber, where) : Port.range(protocol, p.portNumber, p.endPort, where);
    } catch {
      throw notBranded(where, value, 'Port', PORT_FACTORIES);
    }
  }

  /**
   * Whether `value` was made by this copy's constructor: it holds the private fields (a `#field in`
   * check, which a Proxy or an object given the brand by hand fails, whatever `instanceof` says).
   */
  private static owns(value: unknown): value is Port {
    return typeof value === 'object' && value !== null && #allTraffic in value;
  }

  private static single(protocol: Protocol, port: number, factory: string): Port {
    Port.checkNumber(port, factory, 'port');
    return new Port(FACTORY, protocol, port);
  }

  private static range(protocol: Protocol, from: number, to: number, factory: string): Port {
    Port.checkNumber(from, factory, 'from');
    Port.checkNumber(to, factory, 'to');
    if (to < from) {
      throw modelError(factory, `${from}-${to}`, `is an empty range: the end port ${to} is lower than the start port ${from}`,
        `Give the lower port first, e.g. ${factory}(${to}, ${from}).`);
    }
    return new Port(FACTORY, protocol, from, to === from ? undefined : to);
  }

  private static checkNumber(port: number, factory: string, what: string): void {
    if (typeof port !== 'number' || portNumberProblems(port).length > 0) {
      throw modelError(`${factory} (${what})`, port, 'is not a valid port number: it must be an integer between 1 and 65535, inclusive',
        `Use a port in 1..65535, or ${factory.includes('udp') ? 'Port.allUdp()' : factory.includes('sctp') ? 'Port.allSctp()' : 'Port.allTcp()'} for every port of the protocol.`);
    }
  }

  private static checkProtocol(protocol: Protocol, factory: string): Protocol {
    if (!ALL_PROTOCOLS.includes(protocol)) {
      throw modelError(factory, protocol, 'is not a supported protocol', 'Use Protocol.TCP, Protocol.UDP or Protocol.SCTP.');
    }
    return protocol;
  }

  readonly #protocol?: Protocol;
  readonly #portNumber?: number;
  readonly #endPort?: number;
  readonly #portName?: string;
  readonly #allTraffic: boolean;
  #entry?: PortEntry;

  private constructor(token: unknown, protocol?: Protocol, portNumber?: number, endPort?: number, portName?: string, allTraffic = false) {
    checkFactoryToken(token, 'Port', PORT_FACTORIES);
    if (protocol === undefined && !allTraffic) throw new Error('cdk8s-netpol: internal error: a Port without a protocol that is not Port.allTraffic()');
    this.#protocol = protocol;
    this.#portNumber = portNumber;
    this.#endPort = endPort;
    this.#portName = portName;
    this.#allTraffic = allTraffic;
    brand(this, 'Port');
  }

  /** The protocol; undefined only for `Port.allTraffic()`. */
  public get protocol(): Protocol | undefined {
    return this.#protocol;
  }

  /** The port number (start of the range for a range); undefined for named ports and "all ports". */
  public get portNumber(): number | undefined {
    return this.#portNumber;
  }

  /** The inclusive end of a port range; undefined for a single port. */
  public get endPort(): number | undefined {
    return this.#endPort;
  }

  /** The container port name of a named port. */
  public get portName(): string | undefined {
    return this.#portName;
  }

  /** True for `Port.allTraffic()`: every port of every protocol. */
  public get isAllTraffic(): boolean {
    return this.#allTraffic;
  }

  /** True for a named port. */
  public get isNamed(): boolean {
    return this.portName !== undefined;
  }

  /** True when every port of the protocol is meant (`Port.allTcp()`, ...). */
  public get isAllPortsOfProtocol(): boolean {
    return !this.#allTraffic && this.#portNumber === undefined && this.#portName === undefined;
  }

  /**
   * This port as an entry of the port-set semantics (`k8s/port-set`), which decides what it covers
   * and matches.
   * @internal
   */
  public get _entry(): PortEntry {
    this.#entry ??= this.entry();
    return this.#entry;
  }

  private entry(): PortEntry {
    if (this.#allTraffic) return ALL_TRAFFIC;
    const protocol = this.#protocol!;
    if (this.#portName !== undefined) return { kind: 'named', protocol, name: this.#portName };
    if (this.#portNumber === undefined) return { kind: 'allPorts', protocol };
    return this.#endPort === undefined
      ? { kind: 'numbered', protocol, port: this.#portNumber }
      : { kind: 'numbered', protocol, port: this.#portNumber, endPort: this.#endPort };
  }

  /** Human-readable form, e.g. `5432/TCP`, `8000-8080/TCP`, `http/TCP (named)`, `all TCP ports`. */
  public toString(): string {
    if (this.#allTraffic) return 'all traffic';
    if (this.portName !== undefined) return `${this.portName}/${this.protocol} (named)`;
    if (this.portNumber === undefined) return `all ${this.protocol} ports`;
    if (this.endPort !== undefined) return `${this.portNumber}-${this.endPort}/${this.protocol}`;
    return `${this.portNumber}/${this.protocol}`;
  }

  /**
   * The `NetworkPolicyPort` this port renders to; undefined for `allTraffic()`, which is written as a
   * rule without `ports`. The protocol is always written, never left to defaulting.
   */
  public toJson(): any {
    if (this.#allTraffic) return undefined;
    const json: NetworkPolicyPortJson = { protocol: this.#protocol };
    if (this.portName !== undefined) json.port = this.portName;
    if (this.portNumber !== undefined) json.port = this.portNumber;
    if (this.endPort !== undefined) json.endPort = this.endPort;
    return json;
  }

  /** A canonical identity, also the sort order: protocol, then numeric ports ascending, then named ports. */
  public get key(): string {
    if (this.#allTraffic) return '';
    const proto = ALL_PROTOCOLS.indexOf(this.#protocol!);
    if (this.portName !== undefined) return `${proto}|n|${this.portName}`;
    if (this.portNumber === undefined) return `${proto}|a`;
    return `${proto}|p|${String(this.portNumber).padStart(5, '0')}|${String(this.endPort ?? this.portNumber).padStart(5, '0')}`;
  }
}

const PORT_FACTORIES = 'Port.tcp(8080), Port.udp(53), Port.tcpRange(8000, 8080), Port.named(\'http\'), Port.allTcp() or Port.allTraffic()';
