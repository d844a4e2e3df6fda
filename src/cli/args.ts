import { parseArgs } from 'util';
import { UsageError } from './cli-io';
import { NOT_AN_IP, parseEndpointIp, parseIp } from '../k8s/cidr';
import { portNameProblems } from '../k8s/names';
import { Port } from '../model/port';
import { ALL_PROTOCOLS, Protocol } from '../model/protocol';

/** An option of a command. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly multiple?: boolean;
  readonly short?: string;
  readonly description: string;
  readonly valueName?: string;
}

/** Parses a command's arguments; unknown options are usage errors naming the command's help. */
export function parseCommandArgs(
  command: string, args: string[], options: Record<string, OptionSpec>,
): { values: Record<string, any>; positionals: string[] } {
  try {
    const parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      tokens: true,
      options: Object.fromEntries(Object.entries(options).map(([k, v]) => [k, {
        type: v.type, ...(v.multiple ? { multiple: true } : {}), ...(v.short ? { short: v.short } : {}),
      }])),
    });
    // A value option given twice would keep only its last value: refuse it rather than drop one.
    const given = new Map<string, string[]>();
    for (const t of parsed.tokens ?? []) {
      if (t.kind !== 'option' || options[t.name]?.type !== 'string' || options[t.name]?.multiple) continue;
      given.set(t.name, [...(given.get(t.name) ?? []), t.value ?? '']);
    }
    for (const [name, values] of given) {
      if (values.length > 1) {
        throw new UsageError(`--${name} was given ${values.length} times (${values.map((v) => JSON.stringify(v)).join(', ')}), but takes one value: `
          + `give it once. Run 'netpol ${command} --help' for the options.`);
      }
    }
    return { values: parsed.values as Record<string, any>, positionals: parsed.positionals };
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const message = (e as Error).message.replace(/\s+/g, ' ').replace(/ To specify (a positional argument|an option argument).*$/, '');
    throw new UsageError(`${message}${/[.?!]$/.test(message) ? '' : '.'} Run 'netpol ${command} --help' for the options.`);
  }
}

/** The widest a help line may be. */
export const HELP_WIDTH = 100;
/** The column option descriptions start in. */
const DESCRIPTION_COLUMN = 30;

/**
 * The help text of an option table: one option per entry (`-h, --help`, `--port <number|name>`),
 * its description from column 30, wrapped at 100 columns; an option too long for its column puts
 * the description on the next line.
 */
export function describeOptions(options: Record<string, OptionSpec>): string {
  return Object.entries(options).map(([name, o]) => {
    const flag = `  ${o.short ? `-${o.short}, ` : ''}--${name}${o.type === 'string' ? ` <${o.valueName ?? 'value'}>` : ''}`;
    const description = `${o.description}${o.multiple ? ' (repeatable)' : ''}`;
    const lines = wrapText(description, HELP_WIDTH - DESCRIPTION_COLUMN);
    const indent = ' '.repeat(DESCRIPTION_COLUMN);
    const first = flag.length + 2 <= DESCRIPTION_COLUMN ? [flag.padEnd(DESCRIPTION_COLUMN) + lines[0], ...lines.slice(1).map((l) => indent + l)]
      : [flag, ...lines.map((l) => indent + l)];
    return first.join('\n');
  }).join('\n');
}

/** `text` broken into lines of at most `width` characters, at spaces. */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  lines.push(line);
  return lines;
}

/** One of `allowed`, or a usage error. */
export function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], fallback: T, option: string): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`--${option} ${JSON.stringify(value)} is not supported. Use one of: ${allowed.join(', ')}.`);
  }
  return value as T;
}

/** The port a `--port` / `--protocol` pair asks about; errors are in the options' terms. */
export function portOption(port: string | undefined, protocol: string | undefined): Port {
  if (port === undefined) throw new UsageError('--port is required: give a port number (5432) or a container port name (http).');
  const proto = (protocol ?? 'TCP').toUpperCase();
  if (!(ALL_PROTOCOLS as readonly string[]).includes(proto)) {
    throw new UsageError(`--protocol ${JSON.stringify(protocol)} is not supported. Use one of: TCP, UDP, SCTP (in any case).`);
  }
  if (/^[0-9]+$/.test(port)) {
    const n = Number(port);
    if (n < 1 || n > 65535) throw new UsageError(`--port ${JSON.stringify(port)} is not a port number. Give a number from 1 to 65535, or a container port name such as http.`);
    return Port.of(proto as Protocol, n);
  }
  const problems = portNameProblems(port);
  if (problems.length > 0) {
    throw new UsageError(`--port ${JSON.stringify(port)} is neither a port number nor a container port name (a name ${problems.join('; ')}). `
      + 'Give a number from 1 to 65535, or the name of a container port: at most 15 characters of a-z, 0-9 and single hyphens, with a letter, e.g. http.');
  }
  return Port.named(port, proto as Protocol);
}

/** How `--external` is written (its help and the README's synopsis): a name, optional DNS names, the address. */
export const EXTERNAL_VALUE_NAME = 'name=[dns.name[,dns.name...]=]ip';

/**
 * The external endpoints of repeated `--external name=ip` or `--external name=dns.name[,dns.name...]=ip`
 * options (the DNS names are what `domainNames` peers of cluster-wide policies and Cilium `toFQDNs`
 * match; several names for one address are one end, since traffic to an address is one traffic).
 */
export function externalsOption(specs: string[] | undefined): Array<{ name: string; ip: string; dnsNames?: string[] }> {
  return (specs ?? []).map((spec) => {
    const parts = spec.split('=');
    // name=dns.name=ip; an address in the middle is not a DNS name, so name=a=b is read as name=ip (and refused as such).
    const withName = parts.length === 3 && !parseIp(parts[1]);
    const [name, dnsText, ip] = withName ? parts : [parts[0], undefined, parts.slice(1).join('=')];
    const dnsNames = dnsText?.split(',');
    if (parts.length < 2 || !name || !ip || dnsNames?.includes('') || name.includes('/')) {
      throw new UsageError(`--external ${JSON.stringify(spec)}: write name=ip or name=dns.name=ip, e.g. --external payment-api=203.0.113.10 `
        + 'or --external stripe=api.stripe.com=203.0.113.7 (several DNS names of one address: name=a.example.com,b.example.com=ip; no \'/\' in the name).');
    }
    for (const dnsName of dnsNames ?? []) {
      if (!/^([a-z0-9]([-a-z0-9_]*[a-z0-9])?\.)*[a-z0-9]([-a-z0-9_]*[a-z0-9])?\.?$/i.test(dnsName)) {
        throw new UsageError(`--external ${JSON.stringify(spec)}: ${JSON.stringify(dnsName)} is not a DNS name. Give the name the workload resolves, e.g. api.stripe.com (no wildcard).`);
      }
    }
    const { problem } = parseEndpointIp(ip);
    if (problem === NOT_AN_IP) {
      throw new UsageError(`--external ${JSON.stringify(spec)}: ${JSON.stringify(ip)} is not an IP address. `
        + 'Give one IPv4 or IPv6 address, e.g. --external payment-api=203.0.113.10; for a range, name one address in it.');
    }
    if (problem !== undefined) throw new UsageError(`--external ${JSON.stringify(spec)}: ${JSON.stringify(ip)} ${problem}.`);
    return dnsNames === undefined ? { name, ip } : { name, ip, dnsNames };
  });
}
