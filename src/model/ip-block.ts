import { brand, checkFactoryToken, FACTORY, isBranded, notBranded } from './brand';
import { modelError } from './errors';
import { formatCidr, isStrictSubset, parseCidr, ParsedCidr } from '../k8s/cidr';
import { IpBlockJson } from '../k8s/manifest';

/**
 * A range of IP addresses (IPv4 or IPv6) with optional holes: `cidr` minus every `except`.
 *
 * Checked as strictly as Kubernetes 1.36+ checks it: a valid CIDR without host bits set or leading
 * zeros, and each `except` a strict subset of `cidr` of the same family.
 */
export class IpBlock {
  /** `cidr` without the ranges in `except`. */
  public static of(cidr: string, except?: string[]): IpBlock {
    const parsed = IpBlock.parse(cidr, 'IpBlock cidr');
    const holes = except ?? [];
    if (!Array.isArray(holes)) {
      throw modelError(`IpBlock ${cidr} except`, except, 'is not a list', 'Pass the excluded ranges as an array of CIDR strings.');
    }
    const parsedHoles = new Map<string, ParsedCidr>();
    for (const hole of holes) {
      const h = IpBlock.parse(hole, `IpBlock ${cidr} except`);
      if (!isStrictSubset(h, parsed)) {
        throw modelError(`IpBlock ${cidr} except`, hole, `is not a strict subset of ${cidr}` +
          (h.family !== parsed.family ? ' (it is of the other IP family)' : ''),
        `List only ranges that lie inside ${cidr} and are smaller than it; an except equal to or outside the cidr is rejected by the API server.`);
      }
      parsedHoles.set(formatCidr(h), h);
    }
    const sortedHoles = [...parsedHoles.values()].sort(compareCidrs).map(formatCidr);
    return new IpBlock(FACTORY, formatCidr(parsed), sortedHoles, parsed.family === 4 ? 'IPv4' : 'IPv6');
  }

  /** True for an `IpBlock` made by a factory. */
  public static isIpBlock(x: any): x is IpBlock {
    return isBranded(x, 'IpBlock');
  }

  /**
   * `value` as an address range of this copy of the package: as is when made here, rebuilt through
   * `IpBlock.of` when made by another installed copy, refused otherwise.
   * @internal
   */
  public static _use(value: unknown, where: string): IpBlock {
    if (IpBlock.owns(value)) return value;
    if (!IpBlock.isIpBlock(value)) throw notBranded(where, value, 'IpBlock', 'IpBlock.of(\'203.0.113.0/24\') or Peer.ipBlock(...)');
    const b = value as IpBlock;
    let fields: [string, string[]];
    try {
      fields = [b.cidr, Array.isArray(b.except) ? [...b.except] : b.except];
    } catch {
      throw notBranded(where, value, 'IpBlock', 'IpBlock.of(\'203.0.113.0/24\') or Peer.ipBlock(...)');
    }
    return IpBlock.of(...fields);
  }

  private static parse(text: string, what: string): ParsedCidr {
    if (typeof text !== 'string') {
      throw modelError(what, text, 'is not a CIDR string', 'Write the range as a string such as \'203.0.113.0/24\' or \'2001:db8::/32\'.');
    }
    const result = parseCidr(text, true);
    if (!result.cidr || result.problems.length > 0) {
      throw modelError(what, text, result.problems.join('; '),
        result.cidr ? `Write it as ${formatCidr(result.cidr)}.` : 'Write a network and prefix length such as \'203.0.113.0/24\' or \'2001:db8::/32\' (a single address is \'/32\' or \'/128\').');
    }
    return result.cidr;
  }

  /**
   * Whether `value` was made by this copy's constructor: it holds the private fields (a `#field in`
   * check, which a Proxy or an object given the brand by hand fails, whatever `instanceof` says).
   */
  private static owns(value: unknown): value is IpBlock {
    return typeof value === 'object' && value !== null && #cidr in value;
  }

  readonly #cidr: string;
  readonly #except: readonly string[];
  readonly #family: string;

  private constructor(token: unknown, cidr: string, except: string[], family: string) {
    checkFactoryToken(token, 'IpBlock', 'IpBlock.of(\'203.0.113.0/24\') or Peer.ipBlock(...)');
    this.#cidr = cidr;
    this.#except = Object.freeze(except);
    this.#family = family;
    brand(this, 'IpBlock');
  }

  /** The range in canonical form (IPv6 lowercase and compressed, e.g. `2001:db8::/32` for `2001:DB8:0::/32`). */
  public get cidr(): string {
    return this.#cidr;
  }

  /** The excluded ranges, canonical, sorted and de-duplicated; read-only. */
  public get except(): string[] {
    return this.#except as string[];
  }

  /** `IPv4` or `IPv6`. */
  public get family(): string {
    return this.#family;
  }

  /** Readable form, e.g. `0.0.0.0/0 except 10.0.0.0/8`. */
  public toString(): string {
    return this.except.length > 0 ? `${this.cidr} except ${this.except.join(', ')}` : this.cidr;
  }

  /** The `ipBlock` JSON. */
  public toJson(): any {
    const json: IpBlockJson = { cidr: this.cidr };
    if (this.except.length > 0) json.except = [...this.except];
    return json;
  }
}

/** Orders CIDRs: IPv4 before IPv6, then by network, then by prefix length. */
export function compareCidrs(a: ParsedCidr, b: ParsedCidr): number {
  if (a.family !== b.family) return a.family - b.family;
  if (a.network !== b.network) return a.network < b.network ? -1 : 1;
  return a.prefixLength - b.prefixLength;
}
