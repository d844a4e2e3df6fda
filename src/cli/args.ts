import { parseArgs } from 'util';
import { UsageError } from './cli-io';
import { Port } from '../model/port';
import { Protocol } from '../model/protocol';

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
      options: Object.fromEntries(Object.entries(options).map(([k, v]) => [k, {
        type: v.type, ...(v.multiple ? { multiple: true } : {}), ...(v.short ? { short: v.short } : {}),
      }])),
    });
    return { values: parsed.values as Record<string, any>, positionals: parsed.positionals };
  } catch (e) {
    throw new UsageError(`${(e as Error).message.replace(/\. To specify a positional argument.*$/, '')}. Run 'netpol ${command} --help' for the options.`);
  }
}

/** The help text of an option table. */
export function describeOptions(options: Record<string, OptionSpec>): string {
  return Object.entries(options)
    .map(([name, o]) => `  --${name}${o.type === 'string' ? ` <${o.valueName ?? 'value'}>` : ''}${o.multiple ? ' (repeatable)' : ''}`.padEnd(34) + o.description)
    .join('\n');
}

/** One of `allowed`, or a usage error. */
export function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], fallback: T, option: string): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`--${option} ${JSON.stringify(value)} is not supported. Use one of: ${allowed.join(', ')}.`);
  }
  return value as T;
}

/** The port a `--port` / `--protocol` pair asks about. */
export function portOption(port: string | undefined, protocol: string | undefined): Port {
  if (port === undefined) throw new UsageError('--port is required: give a port number (5432) or a container port name (http).');
  const proto = oneOf((protocol ?? 'TCP').toUpperCase(), ['TCP', 'UDP', 'SCTP'] as const, 'TCP', 'protocol') as Protocol;
  try {
    return /^[0-9]+$/.test(port) ? Port.of(proto, Number(port)) : Port.named(port, proto);
  } catch (e) {
    throw new UsageError(`--port ${JSON.stringify(port)}: ${(e as Error).message}`);
  }
}

/** The external endpoints of repeated `--external name=ip` options. */
export function externalsOption(specs: string[] | undefined): Array<{ name: string; ip: string }> {
  return (specs ?? []).map((spec) => {
    const [name, ip] = spec.split('=');
    if (!name || !ip || name.includes('/')) {
      throw new UsageError(`--external ${JSON.stringify(spec)}: write name=ip, e.g. --external payment-api=203.0.113.10 (no '/' in the name).`);
    }
    return { name, ip };
  });
}
