import { analyseInputs, ANALYSIS_OPTIONS, requireEndpoint, SURROUNDINGS_HELP } from './analyse-input';
import { JsonFormat } from '../../formats/json';
import { MarkdownFormat } from '../../formats/markdown';
import { TextFormat } from '../../formats/text';
import { Direction } from '../../model/direction';
import { describeOptions, oneOf, OptionSpec, parseCommandArgs } from '../args';
import { CliIo, ExitCode, UsageError } from '../cli-io';

const OPTIONS: Record<string, OptionSpec> = {
  workload: { type: 'string', multiple: true, valueName: 'ns/name', description: 'the workload (default: every workload of the inputs)' },
  direction: { type: 'string', valueName: 'ingress|egress', description: 'ingress: who could reach it (default); egress: whom it could reach' },
  format: { type: 'string', valueName: 'text|json|markdown', description: 'output format (default text)' },
  ...ANALYSIS_OPTIONS,
  help: { type: 'boolean', short: 'h', description: 'show this help' },
};

/** `netpol exposure`: who could reach a workload, or whom it could reach, from the selectors. */
export const EXPOSURE_HELP = `Usage: netpol exposure [paths...] [--workload <ns/name>] [--direction ingress|egress] [options]

Says who could reach a workload (ingress) or whom it could reach (egress), from the selectors
of the rules of the policies that isolate it, so pods and namespaces that are not in the
manifests yet are covered: "any pod of a namespace labelled team=x", "any pod labelled app=y
in namespace z", "any address in 0.0.0.0/0 except 10.0.0.0/8", each with its ports and rules;
"anyone" when no policy isolates that side. Then the endpoints of the inputs that can connect,
with both sides deciding. Without --workload, every workload of the inputs.

${SURROUNDINGS_HELP}

Exit: 0 ok, 1 policies left out, 2 bad usage or unreadable input.

Options:
${describeOptions(OPTIONS)}
`;

export function exposureCommand(args: string[], io: CliIo): number {
  const { values, positionals } = parseCommandArgs('exposure', args, OPTIONS);
  if (values.help) {
    io.stdout(EXPOSURE_HELP);
    return ExitCode.OK;
  }
  const format = oneOf(values.format, ['text', 'json', 'markdown'] as const, 'text', 'format');
  const direction = oneOf(values.direction, ['ingress', 'egress'] as const, 'ingress', 'direction') === 'egress' ? Direction.EGRESS : Direction.INGRESS;
  const { reachability, unreadable } = analyseInputs(positionals, io, values);
  const workloads: string[] = (values.workload ?? []).map((id: string) => requireEndpoint(reachability, id));
  let exposures;
  try {
    exposures = reachability.exposures(direction, workloads);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  switch (format) {
    case 'json': io.stdout(`${JSON.stringify(exposures.map(JsonFormat.exposure), null, 2)}\n`); break;
    case 'markdown': io.stdout(`${exposures.map(MarkdownFormat.exposure).join('\n\n')}\n`); break;
    default: io.stdout(`${exposures.map(TextFormat.exposure).join('\n\n')}\n`);
  }
  if (unreadable) return ExitCode.USAGE;
  return reachability.skipped.length > 0 ? ExitCode.FINDINGS : ExitCode.OK;
}
