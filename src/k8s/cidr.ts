/**
 * IPv4/IPv6 address and CIDR parsing with the API server's rules for `ipBlock` (legacy parsing plus
 * the strict checks of StrictIPCIDRValidation, on by default from Kubernetes 1.36).
 */

/** An IP family. */
export type IpFamily = 4 | 6;

/** A parsed IP address: its family and value as an unsigned integer. */
export interface ParsedIp {
  readonly family: IpFamily;
  readonly value: bigint;
}

/** A parsed CIDR. `network` has the host bits cleared. */
export interface ParsedCidr {
  readonly family: IpFamily;
  readonly network: bigint;
  readonly prefixLength: number;
  /** Whether the address as written had bits set beyond the prefix. */
  readonly hostBitsSet: boolean;
}

/** The outcome of parsing a CIDR: a value when it parses at all, and the problems the rules find. */
export interface CidrParseResult {
  readonly cidr?: ParsedCidr;
  readonly problems: string[];
  /** True when the only problems are strict (Kubernetes 1.36+) ones; older servers accept the value. */
  readonly strictOnly: boolean;
}

/** The message the API server gives for a value that does not parse as a CIDR at all. */
export const INVALID_CIDR_MESSAGE = 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)';

const IPV4_BITS = 32;
const IPV6_BITS = 128;

interface RawIp extends ParsedIp {
  /** Some IPv4 octet was written with a leading zero. */
  readonly leadingZeros: boolean;
  /** An IPv6 address of the form ::ffff:a.b.c.d. */
  readonly ipv4Mapped: boolean;
}

function parseIpv4(text: string): RawIp | undefined {
  // Four parts of 1-3 decimal digits, each at most 255, read a character at a time.
  let value = 0;
  let parts = 0;
  let part = 0;
  let digits = 0;
  let leadingZeros = false;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 0x2e; // the end closes the last part like a '.'
    if (c === 0x2e) {
      if (digits === 0 || part > 255 || ++parts > 4) return undefined;
      value = value * 256 + part;
      part = 0;
      digits = 0;
    } else if (c >= 0x30 && c <= 0x39) {
      if (digits === 3) return undefined;
      if (digits === 1 && part === 0) leadingZeros = true; // a part of two or three digits starting with 0
      part = part * 10 + (c - 0x30);
      digits++;
    } else {
      return undefined;
    }
  }
  if (parts !== 4) return undefined;
  return { family: 4, value: BigInt(value), leadingZeros, ipv4Mapped: false };
}

function parseIpv6(text: string): RawIp | undefined {
  if (text.includes('%')) return undefined; // zones are not allowed
  let head = text;
  let tail4: RawIp | undefined;
  const lastColon = text.lastIndexOf(':');
  if (lastColon >= 0 && text.indexOf('.', lastColon) > lastColon) {
    tail4 = parseIpv4(text.slice(lastColon + 1));
    if (!tail4) return undefined;
    head = text.slice(0, lastColon + 1) + '0:0';
  }
  const doubleColon = head.indexOf('::');
  if (doubleColon !== head.lastIndexOf('::')) return undefined;
  const groupsOf = (s: string): string[] | undefined => {
    if (s === '') return [];
    const groups = s.split(':');
    return groups.every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g)) ? groups : undefined;
  };
  let groups: string[];
  if (doubleColon >= 0) {
    const left = groupsOf(head.slice(0, doubleColon));
    const right = groupsOf(head.slice(doubleColon + 2));
    if (!left || !right || left.length + right.length > 7) return undefined;
    groups = [...left, ...new Array(8 - left.length - right.length).fill('0'), ...right];
  } else {
    const all = groupsOf(head);
    if (!all || all.length !== 8) return undefined;
    groups = all;
  }
  let value = 0n;
  for (const g of groups) value = (value << 16n) | BigInt(parseInt(g, 16));
  if (tail4) value = (value & ~0xffffffffn) | tail4.value;
  const ipv4Mapped = value >> 32n === 0xffffn;
  return { family: 6, value, leadingZeros: tail4?.leadingZeros ?? false, ipv4Mapped };
}

function parseRawIp(text: string): RawIp | undefined {
  return text.includes(':') ? parseIpv6(text) : parseIpv4(text);
}

/** Parses an IP address (no prefix). Returns undefined when it is not a valid address. */
export function parseIp(text: string): ParsedIp | undefined {
  const raw = parseRawIp(text.trim());
  return raw ? { family: raw.family, value: raw.value } : undefined;
}

/** `parseEndpointIp`'s problem for a text that is no IP address at all. */
export const NOT_AN_IP = 'is not an IP address';

/** An endpoint's address as read by `parseEndpointIp`: the address, or why it cannot be one. */
export interface EndpointIpResult {
  readonly ip?: ParsedIp;
  /** Why the text is not an endpoint's address (without the text itself), with the fix. */
  readonly problem?: string;
}

/**
 * Reads the address of an endpoint (an external end, a pod's or node's IP, the API server's): the
 * one rule every place an endpoint's address enters goes through.
 * - An IPv4-mapped IPv6 address (`::ffff:203.0.113.7`, in any writing of `::ffff:0:0/96`) is refused:
 *   it "represents the address of an IPv4 node" (RFC 4291 2.5.5.2), so a pod that dials it sends IPv4
 *   packets to 203.0.113.7 and every policy sees that IPv4 address. Read as IPv6 it would escape IPv4
 *   rules and be caught by IPv6 ones; the sig-network policy API refuses the same form in `networks`
 *   ("IPv4 address embedded in IPv6 addresses are not supported"), as StrictIPCIDRValidation does.
 * - A zone (`fe80::1%eth0`) is refused: it names a link, not an address a policy can match, and
 *   Kubernetes' address fields do not take one (Go's net.ParseIP refuses zones).
 * - An IPv4-compatible address (`::203.0.113.7`, RFC 4291 2.5.5.1, deprecated) is an IPv6 address
 *   (no transition mechanism uses it any more; Go's To4 does not unwrap it), so it is read as IPv6.
 */
export function parseEndpointIp(text: string): EndpointIpResult {
  const trimmed = text.trim();
  const zone = trimmed.indexOf('%');
  if (zone >= 0 && trimmed.includes(':')) {
    const bare = parseRawIp(trimmed.slice(0, zone));
    return {
      problem: `has a zone (${trimmed.slice(zone)}), which names a network interface, not an address a policy matches: `
        + (bare ? `write ${formatIp(bare)} without it` : 'give an IPv4 or IPv6 address without a zone'),
    };
  }
  const raw = parseRawIp(trimmed);
  if (!raw) return { problem: NOT_AN_IP };
  if (raw.ipv4Mapped) {
    const v4 = formatIp({ family: 4, value: raw.value & 0xffffffffn });
    return {
      problem: `is an IPv4-mapped IPv6 address: a pod that dials it sends IPv4 packets to ${v4} (RFC 4291 2.5.5.2), `
        + `and every policy matches it as ${v4}. Write ${v4}`,
    };
  }
  return { ip: { family: raw.family, value: raw.value } };
}

/** Number of address bits of a family. */
export function familyBits(family: IpFamily): number {
  return family === 4 ? IPV4_BITS : IPV6_BITS;
}

/** The network masks by prefix length, per family, made once each (a containment test asks for one per address). */
const MASKS: Record<IpFamily, Array<bigint | undefined>> = { 4: [], 6: [] };

/** The mask of the network part of a prefix. */
function networkMask(family: IpFamily, prefixLength: number): bigint {
  const masks = MASKS[family === 4 ? 4 : 6];
  let mask = masks[prefixLength];
  if (mask === undefined) {
    const bits = BigInt(familyBits(family));
    const hostBits = bits - BigInt(prefixLength);
    mask = ((1n << bits) - 1n) ^ ((1n << hostBits) - 1n);
    // Only whole prefix lengths of the family are kept (anything else is computed each time).
    if (Number.isInteger(prefixLength) && prefixLength >= 0 && prefixLength <= familyBits(family)) masks[prefixLength] = mask;
  }
  return mask;
}

/**
 * Parses a CIDR. With `strict` (the default, as Kubernetes 1.36+), leading zeros, IPv4-mapped IPv6
 * addresses and bits set beyond the prefix are problems; without it they are accepted, as older
 * API servers accept them.
 */
export function parseCidr(text: string, strict = true): CidrParseResult {
  const slash = text.indexOf('/');
  if (slash < 0 || slash !== text.lastIndexOf('/')) {
    return { problems: [INVALID_CIDR_MESSAGE], strictOnly: false };
  }
  const ip = parseRawIp(text.slice(0, slash));
  const lengthText = text.slice(slash + 1);
  if (!ip || !/^[0-9]{1,3}$/.test(lengthText)) {
    return { problems: [INVALID_CIDR_MESSAGE], strictOnly: false };
  }
  const prefixLength = Number(lengthText);
  if (prefixLength > familyBits(ip.family)) {
    return { problems: [INVALID_CIDR_MESSAGE], strictOnly: false };
  }
  const mask = networkMask(ip.family, prefixLength);
  const network = ip.value & mask;
  const cidr: ParsedCidr = { family: ip.family, network, prefixLength, hostBitsSet: network !== ip.value };
  const strictProblems: string[] = [];
  if (ip.leadingZeros || (lengthText.length > 1 && lengthText.startsWith('0'))) {
    strictProblems.push('must not have leading 0s in IP or prefix length');
  }
  if (ip.ipv4Mapped) {
    strictProblems.push('must not have an IPv4-mapped IPv6 address');
  }
  if (cidr.hostBitsSet) {
    strictProblems.push(`must not have bits set beyond the prefix length (did you mean ${formatCidr(cidr)}?)`);
  }
  // Like the API server, report the first strict problem only (leading zeros, IPv4-mapped, host bits).
  return { cidr, problems: strict ? strictProblems.slice(0, 1) : [], strictOnly: strictProblems.length > 0 };
}

/** Whether `inner` is a strict subset of `outer` (same family, inside it, longer prefix). */
export function isStrictSubset(inner: ParsedCidr, outer: ParsedCidr): boolean {
  if (inner.family !== outer.family || inner.prefixLength <= outer.prefixLength) return false;
  return (inner.network & networkMask(outer.family, outer.prefixLength)) === outer.network;
}

/** Whether two CIDRs share at least one address. */
export function cidrsOverlap(a: ParsedCidr, b: ParsedCidr): boolean {
  if (a.family !== b.family) return false;
  const shorter = Math.min(a.prefixLength, b.prefixLength);
  const mask = networkMask(a.family, shorter);
  return (a.network & mask) === (b.network & mask);
}

/** Whether the CIDRs together hold every address of `family` (e.g. `0.0.0.0/0`, or `0.0.0.0/1` and `128.0.0.0/1`). */
export function cidrsCoverFamily(cidrs: readonly ParsedCidr[], family: IpFamily): boolean {
  return cidrsCover(cidrs, { family, network: 0n, prefixLength: 0, hostBitsSet: false });
}

/** Whether the CIDRs together hold every address of `target`. */
export function cidrsCover(cidrs: readonly ParsedCidr[], target: ParsedCidr): boolean {
  const bits = BigInt(familyBits(target.family));
  const span = (c: ParsedCidr) => [c.network, c.network + (1n << (bits - BigInt(c.prefixLength)))] as const;
  const [from, to] = span(target);
  const ranges = cidrs.filter((c) => c.family === target.family).map(span)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  let next = from;
  for (const [start, end] of ranges) {
    if (end <= next) continue;
    if (start > next) return false;
    next = end;
    if (next >= to) return true;
  }
  return next >= to;
}

/** Whether an address is inside a CIDR. */
export function cidrContains(cidr: ParsedCidr, ip: ParsedIp): boolean {
  if (cidr.family !== ip.family) return false;
  return (ip.value & networkMask(cidr.family, cidr.prefixLength)) === cidr.network;
}

/** Formats an address in its canonical text form (IPv6 per RFC 5952). */
export function formatIp(ip: ParsedIp): string {
  if (ip.family === 4) {
    return [24n, 16n, 8n, 0n].map((s) => String((ip.value >> s) & 0xffn)).join('.');
  }
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((ip.value >> BigInt(i * 16)) & 0xffffn));
  // Longest run of two or more zero groups becomes '::'.
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) { bestStart = i; bestLength = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/** Formats a CIDR canonically (host bits cleared). */
export function formatCidr(cidr: ParsedCidr): string {
  return `${formatIp({ family: cidr.family, value: cidr.network })}/${cidr.prefixLength}`;
}

/**
 * The fewest CIDRs that hold exactly the given addresses: a block is written only when every one of
 * its addresses is in the list, so nothing is widened (203.0.113.10 and .11 become 203.0.113.10/31;
 * .10 and .12 stay two /32s). Addresses of both families may be mixed; duplicates count once. The
 * result is sorted: IPv4 first, then by network address.
 */
export function aggregateAddresses(addresses: readonly ParsedIp[]): ParsedCidr[] {
  const out: ParsedCidr[] = [];
  for (const family of [4, 6] as const) {
    const bits = familyBits(family);
    const values = [...new Set(addresses.filter((a) => a.family === family).map((a) => a.value))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    // A stack of blocks, each [network, prefixLength]; a block merges with its sibling on top when both are whole.
    const stack: Array<{ network: bigint; prefixLength: number }> = [];
    for (const value of values) {
      stack.push({ network: value, prefixLength: bits });
      for (;;) {
        if (stack.length < 2) break;
        const b = stack[stack.length - 1];
        const a = stack[stack.length - 2];
        if (a.prefixLength !== b.prefixLength || a.prefixLength === 0) break;
        const size = 1n << BigInt(bits - a.prefixLength);
        // Siblings: a is the lower half of a block twice its size, and b the upper half.
        if (a.network % (size * 2n) !== 0n || b.network !== a.network + size) break;
        stack.splice(stack.length - 2, 2, { network: a.network, prefixLength: a.prefixLength - 1 });
      }
    }
    for (const block of stack) out.push({ family, network: block.network, prefixLength: block.prefixLength, hostBitsSet: false });
  }
  return out;
}

/**
 * Ranges no pod's own IP is ever in. The Kubernetes network model: "All pods can communicate with
 * all other pods, whether they are on the same node or on different nodes ... without NAT"
 * (kubernetes.io, Concepts > Services, Load Balancing, and Networking), so a pod's IP must be
 * routable between nodes, and these are not: link-local 169.254.0.0/16 ("a router MUST NOT forward
 * a packet with an IPv4 Link-Local source or destination address", RFC 3927 section 7) and
 * fe80::/10 (RFC 4291 2.5.6: "Routers must not forward any packets with Link-Local source or
 * destination addresses"); loopback 127.0.0.0/8 (RFC 1122 3.2.1.3) and ::1 (RFC 4291 2.5.3);
 * unspecified 0.0.0.0/32 and :: (RFC 4291 2.5.2); multicast 224.0.0.0/4 and ff00::/8 (RFC 4291
 * 2.7), never a unicast interface address; the limited broadcast 255.255.255.255 (RFC 919).
 */
export const NEVER_POD_IP_RANGES: readonly ParsedCidr[] = [
  '169.254.0.0/16', '127.0.0.0/8', '0.0.0.0/32', '224.0.0.0/4', '255.255.255.255/32',
  'fe80::/10', '::1/128', '::/128', 'ff00::/8',
].map((text) => parseCidr(text).cidr!);

/**
 * Whether a pod whose IP is not known may have its IP inside `cidr`: false when `cidr` lies wholly
 * inside a range no pod IP is ever in (`NEVER_POD_IP_RANGES`), or when pod CIDRs of `cidr`'s family
 * are given (the ranges the cluster assigns pod IPs from: `ReachabilityOptions.podCidrs`,
 * `--pod-cidr`) and none of them overlaps it, leaving out `except` (an ipBlock's excepts: a block
 * whose excepts hold every address it shares with the pod CIDRs, or all of it, holds no pod IP). Pod CIDRs of the other family only say nothing about
 * this one (a dual-stack pod has an IP of each family). Only for pods on the pod network: a node's
 * or a hostNetwork pod's address is the node's, about which this says nothing.
 */
export function cidrMayHoldPodIp(cidr: ParsedCidr, podCidrs: readonly ParsedCidr[] = [], except: readonly ParsedCidr[] = []): boolean {
  if (NEVER_POD_IP_RANGES.some((never) => cidrsCover([never], cidr))) return false;
  const sameFamily = podCidrs.filter((p) => p.family === cidr.family);
  if (sameFamily.length === 0) return !cidrsCover(except, cidr);
  // Two CIDRs that overlap nest: the addresses of both are the longer one's.
  return sameFamily.some((p) => cidrsOverlap(p, cidr) && !cidrsCover(except, p.prefixLength > cidr.prefixLength ? p : cidr));
}
