import { JsonFormat } from '../../formats/json';
import { TextFormat } from '../../formats/text';
import { describeOptions, oneOf, OptionSpec, parseCommandArgs, portOption } from '../args';
import { CliIo, ExitCode, UsageError } from '../cli-io';
import { analyseInputs, ANALYSIS_OPTIONS, requireEndpoint, SURROUNDINGS_HELP } from './analyse-input';

const OPTIONS: Record<string, OptionSpec> = {
  from: { type: 'string', valueName: 'ns/name', description: 'the source endpoint' },
  to: { type: 'string', valueName: 'ns/name', description: 'the destination endpoint' },
  port: { type: 'string', valueName: 'number|name', description: 'the port (a number, or a container port name)' },
  protocol: { type: 'string', valueName: 'TCP|UDP|SCTP', description: 'the protocol (default TCP)' },
  format: { type: 'string', valueName: 'text|json', description: 'output format (default text)' },
  ...ANALYSIS_OPTIONS,
  help: { type: 'boolean', short: 'h', description: 'show this help' },
};

/** `netpol explain`: why one connection is allowed or denied. */
export const EXPLAIN_HELP = `Usage: netpol explain [paths...] --from <ns/name> --to <ns/name> --port <number|name> [options]

Says whether the source may connect to the destination on the port. For each side (the source's
egress, the destination's ingress) it names the policies that isolate it and the rules (policy
and rule index) that allow the connection; when denied, which side denies it. Staged policies
(Calico StagedKubernetesNetworkPolicy) do not enforce: when the inputs have some, a line says what
would happen with them enforced too ("staged: would deny ..." or "staged: would allow").

${SURROUNDINGS_HELP}

Exit: 0 ok (allowed or denied), 1 policies the API server would reject were left out, 2 bad
usage or unreadable input.

Options:
${describeOptions(OPTIONS)}
`;

export function explainCommand(args: string[], io: CliIo): number {
  const { values, positionals } = parseCommandArgs('explain', args, OPTIONS);
  if (values.help) {
    io.stdout(EXPLAIN_HELP);
    return ExitCode.OK;
  }
  const format = oneOf(values.format, ['text', 'json'] as const, 'text', 'format');
  if (!values.from || !values.to) throw new UsageError('--from and --to are required: name the endpoints as <namespace>/<name>.');
  const port = portOption(values.port, values.protocol);
  const { reachability, unreadable } = analyseInputs(positionals, io, values);
  let explanation;
  try {
    explanation = reachability.explain(requireEndpoint(reachability, values.from), requireEndpoint(reachability, values.to), port);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (format === 'json') io.stdout(`${JSON.stringify(JsonFormat.explanation(explanation), null, 2)}\n`);
  else io.stdout(`${TextFormat.explanation(explanation)}\n`);
  if (unreadable) return ExitCode.USAGE;
  return reachability.skipped.length > 0 ? ExitCode.FINDINGS : ExitCode.OK;
}

