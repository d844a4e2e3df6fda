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
