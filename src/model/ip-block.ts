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
    return new IpBlock(cidr, sortedHoles, parsed.family === 4 ? 'IPv4' : 'IPv6');
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

  /** The range, as given (it is already canonical, or the factory would have thrown). */
  public readonly cidr: string;
  /** The excluded ranges, sorted and de-duplicated. */
  public readonly except: string[];
  /** `IPv4` or `IPv6`. */
  public readonly family: string;

  private constructor(cidr: string, except: string[], family: string) {
    this.cidr = cidr;
    this.except = except;
    this.family = family;
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
