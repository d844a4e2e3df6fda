import { DotFormat } from '../../formats/dot';
import { JsonFormat } from '../../formats/json';
import { MermaidFormat } from '../../formats/mermaid';
import { TextFormat } from '../../formats/text';
import { describeOptions, oneOf, OptionSpec, parseCommandArgs } from '../args';
import { CliIo, ExitCode, UsageError } from '../cli-io';
import { analyseInputs, ANALYSIS_OPTIONS, requireEndpoint, SURROUNDINGS_HELP } from './analyse-input';

const OPTIONS: Record<string, OptionSpec> = {
  'from': { type: 'string', valueName: 'ns/name', description: 'the compromised workload' },
  'max-depth': { type: 'string', valueName: 'n', description: 'follow at most n hops (default: no limit)' },
  'format': { type: 'string', valueName: 'text|json|mermaid|dot', description: 'output format (default text)' },
  ...ANALYSIS_OPTIONS,
  'help': { type: 'boolean', short: 'h', description: 'show this help' },
};

/** `netpol blast-radius`: what a compromised workload can reach, directly and by lateral movement. */
export const BLAST_RADIUS_HELP = `Usage: netpol blast-radius [paths...] --from <ns/name> [--max-depth <n>] [options]

Lists every endpoint a compromised workload can reach under the policies: directly, and by
lateral movement (from each workload it reaches, whatever that one can reach, on any port),
each with a shortest path and the ports of each hop. Addresses outside the cluster are reached
but not followed. Mermaid and DOT draw the shortest paths, the compromised workload in red.

${SURROUNDINGS_HELP}

Exit: 0 ok, 1 policies left out, 2 bad usage or unreadable input.

Options:
${describeOptions(OPTIONS)}
`;

export function blastRadiusCommand(args: string[], io: CliIo): number {
  const { values, positionals } = parseCommandArgs('blast-radius', args, OPTIONS);
  if (values.help) {
    io.stdout(BLAST_RADIUS_HELP);
    return ExitCode.OK;
  }
  const format = oneOf(values.format, ['text', 'json', 'mermaid', 'dot'] as const, 'text', 'format');
  if (!values.from) throw new UsageError('--from is required: name the compromised workload as <namespace>/<name>.');
  const depthText: string | undefined = values['max-depth'];
  if (depthText !== undefined && !/^[1-9][0-9]{0,5}$/.test(depthText)) {
    throw new UsageError(`--max-depth ${JSON.stringify(depthText)} is not a whole number of at least 1. Give how many hops to follow, e.g. --max-depth 2 (1: only the direct connections).`);
  }
  const { reachability, unreadable } = analyseInputs(positionals, io, values);
  let radius;
  try {
    radius = reachability.blastRadius(requireEndpoint(reachability, values.from), depthText === undefined ? undefined : Number(depthText));
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError((e as Error).message);
  }
  switch (format) {
    case 'json': io.stdout(`${JSON.stringify(JsonFormat.blastRadius(radius), null, 2)}\n`); break;
    case 'mermaid': io.stdout(`${MermaidFormat.blastRadius(radius)}\n`); break;
    case 'dot': io.stdout(`${DotFormat.blastRadius(radius)}\n`); break;
    default: io.stdout(`${TextFormat.blastRadius(radius)}\n`);
  }
  if (unreadable) return ExitCode.USAGE;
  return reachability.skipped.length > 0 ? ExitCode.FINDINGS : ExitCode.OK;
}
