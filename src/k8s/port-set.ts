/**
 * The ports of a NetworkPolicy rule as the API server and the network plugins read them
 * (`networking.k8s.io/v1` NetworkPolicyPort, after defaulting): this is the one place that says what
 * a port entry allows, so rule merging, the lints, the analyser and the port checks agree.
 *
 * - An entry is all traffic (a rule without `ports`), every port of one protocol (no `port`), a
 *   port or an inclusive range of one protocol (`port`, `endPort`), or a named container port of
 *   one protocol (a string `port`).
 * - A port without `protocol` is TCP; protocols never leak into each other.
 * - A named port matches traffic to the destination pod's container port of that name AND that
 *   protocol (a container port of the name on another protocol matches nothing).
 */

/** The protocol the API server writes into a port that names none (and a container port's default). */
export const DEFAULT_PROTOCOL = 'TCP';

/** The protocols a NetworkPolicy port can name, in the order the library sorts them. */
export const PORT_PROTOCOLS: readonly string[] = ['TCP', 'UDP', 'SCTP'];

/** Every port of every protocol: a rule without `ports`. */
export interface AllTrafficEntry {
  readonly kind: 'allTraffic';
}

/** Every port of one protocol: an entry without `port`. */
export interface AllPortsEntry {
  readonly kind: 'allPorts';
  readonly protocol: string;
}

/** One port (`port`), or the inclusive range `port`..`endPort`, of one protocol. */
export interface NumberedEntry {
  readonly kind: 'numbered';
  readonly protocol: string;
  readonly port: number;
  /** The inclusive end of a range; undefined for a single port. */
  readonly endPort?: number;
}

/** A named container port of one protocol, resolved on the destination pod. */
export interface NamedEntry {
  readonly kind: 'named';
  readonly protocol: string;
  readonly name: string;
}

/** One entry of a rule's ports. */
export type PortEntry = AllTrafficEntry | AllPortsEntry | NumberedEntry | NamedEntry;

/** A rule's ports: the union of its entries (all traffic is `[ALL_TRAFFIC]`). */
export type PortSet = readonly PortEntry[];

/** Traffic to a destination: a port number and a protocol. */
export interface Traffic {
  readonly port: number;
  readonly protocol: string;
}

/** A port a pod's containers listen on (`containerPort`, `name`, `protocol` after defaulting). */
export interface ContainerPort {
  readonly number: number;
  readonly name?: string;
  readonly protocol: string;
}

/** The entry of a rule without `ports`: every port of every protocol. */
/**
 * Whether a named port of a rule in `direction` can match traffic to an address of an `ipBlock`. A
 * named port resolves on the destination pod's container ports: in an ingress rule that is the pod
 * the policy selects, so it can; in an egress rule the destination is the address, which has no
 * container ports, so a named egress port never matches an ipBlock destination.
 */
export function namedPortMatchesIpBlock(direction: 'ingress' | 'egress'): boolean {
  return direction === 'ingress';
}

export const ALL_TRAFFIC: AllTrafficEntry = Object.freeze({ kind: 'allTraffic' });

/**
 * One `NetworkPolicyPort` of a policy the API server accepts, after its defaulting: `protocol`
 * absent or null is TCP, `port` null is no port (every port of the protocol).
 */
export function portEntryFromWire(json: unknown): PortEntry {
  const o = (typeof json === 'object' && json !== null && !Array.isArray(json) ? json : {}) as Record<string, unknown>;
  const protocol = typeof o.protocol === 'string' ? o.protocol : DEFAULT_PROTOCOL;
  if (typeof o.port === 'string') return { kind: 'named', protocol, name: o.port };
  if (typeof o.port === 'number') {
    return typeof o.endPort === 'number' ? { kind: 'numbered', protocol, port: o.port, endPort: o.endPort } : { kind: 'numbered', protocol, port: o.port };
  }
  return { kind: 'allPorts', protocol };
}

/** A rule's `ports` of a policy the API server accepts: missing, null or `[]` is all traffic. */
export function portSetFromWire(ports: unknown): PortSet {
  return Array.isArray(ports) && ports.length > 0 ? ports.map(portEntryFromWire) : [ALL_TRAFFIC];
}

/** Whether the set allows every port of every protocol. */
export function isAllTraffic(set: PortSet): boolean {
  return set.some((e) => e.kind === 'allTraffic');
}

/** Whether what the set allows depends on the destination's container ports: it has a named port. */
export function hasNamedPorts(set: PortSet): boolean {
  return set.some((e) => e.kind === 'named');
}

/**
 * A canonical identity of an entry as written: equal keys, equal entries (`port: 80` and
 * `port: 80, endPort: 80` are told apart, although each covers the other).
 */
export function portEntryKey(entry: PortEntry): string {
  switch (entry.kind) {
    case 'allTraffic': return '*';
    case 'allPorts': return `${entry.protocol}`;
    case 'numbered': return `${entry.protocol}:${entry.port}${entry.endPort === undefined ? '' : `-${entry.endPort}`}`;
    case 'named': return `${entry.protocol}:name:${entry.name}`;
  }
}

/** Whether container port `port` is the one a named port `name`/`protocol` refers to: same name AND same protocol. */
export function isNamedPort(port: ContainerPort, name: string, protocol: string): boolean {
  return port.name === name && port.protocol === protocol;
}

/**
 * The container port a named port means on a pod: the first one with that name and that protocol;
 * undefined when the pod has none (a container port of that name on another protocol does not count).
 */
export function resolveNamedPort(name: string, protocol: string, containerPorts: readonly ContainerPort[]): ContainerPort | undefined {
  return containerPorts.find((p) => isNamedPort(p, name, protocol));
}

/**
 * Whether `entry` allows `traffic` to a destination whose containers listen on `destinationPorts`
 * (only named entries look at them). Ranges are inclusive.
 */
export function entryMatches(entry: PortEntry, traffic: Traffic, destinationPorts: readonly ContainerPort[]): boolean {
  if (entry.kind === 'allTraffic') return true;
  if (entry.protocol !== traffic.protocol) return false;
  switch (entry.kind) {
    case 'allPorts': return true;
    case 'numbered': return traffic.port >= entry.port && traffic.port <= (entry.endPort ?? entry.port);
    case 'named': return destinationPorts.some((p) => isNamedPort(p, entry.name, entry.protocol) && p.number === traffic.port);
  }
}

/** Whether any entry of `set` allows `traffic` to a destination with these container ports. */
export function setMatches(set: PortSet, traffic: Traffic, destinationPorts: readonly ContainerPort[]): boolean {
  return set.some((e) => entryMatches(e, traffic, destinationPorts));
}

/**
 * Whether entry `a` allows everything entry `b` allows, whatever the destination: all traffic
 * covers everything; every port of a protocol covers every entry of that protocol; a range covers
 * the ports and ranges inside it; a named port only the same name and protocol (its number depends
 * on the destination, so no range covers it).
 */
export function entryCovers(a: PortEntry, b: PortEntry): boolean {
  if (a.kind === 'allTraffic') return true;
  if (b.kind === 'allTraffic' || a.protocol !== b.protocol) return false;
  if (a.kind === 'allPorts') return true;
  if (b.kind === 'allPorts') return false;
  if (a.kind === 'named' || b.kind === 'named') return a.kind === 'named' && b.kind === 'named' && a.name === b.name;
  return a.port <= b.port && (a.endPort ?? a.port) >= (b.endPort ?? b.port);
}

/** Whether set `a` allows everything set `b` allows: each entry of `b` is covered by one entry of `a`. */
export function setCovers(a: PortSet, b: PortSet): boolean {
  return b.every((eb) => a.some((ea) => entryCovers(ea, eb)));
}

/**
 * `items` without those another item strictly covers, in their order: the union stays the same.
 * Items whose entries cover each other are all kept (de-duplicate them first).
 */
export function withoutCovered<T>(items: readonly T[], entryOf: (item: T) => PortEntry): T[] {
  const entries = items.map(entryOf);
  return items.filter((_, i) => !entries.some((q, j) => j !== i && entryCovers(q, entries[i]) && !entryCovers(entries[i], q)));
}

/**
 * The text of an entry for reports: `all traffic`, `all TCP ports`, `8080/TCP`, `8000-8100/TCP`,
 * `http/TCP` (a named port).
 */
export function portEntryLabel(entry: PortEntry): string {
  switch (entry.kind) {
    case 'allTraffic': return 'all traffic';
    case 'allPorts': return `all ${entry.protocol} ports`;
    case 'numbered': return `${entry.port}${entry.endPort === undefined || entry.endPort === entry.port ? '' : `-${entry.endPort}`}/${entry.protocol}`;
    case 'named': return `${entry.name}/${entry.protocol}`;
  }
}
