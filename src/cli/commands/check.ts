import * as fs from 'fs';
import { parseRulesFile, RULES_API_VERSION } from '../../adapters/rules-file';
import { checkInvariants, InvariantReport, InvariantSpecError } from '../../analysis/invariants';
import { JsonFormat } from '../../formats/json';
import { MarkdownFormat } from '../../formats/markdown';
import { TextFormat } from '../../formats/text';
import { describeOptions, oneOf, OptionSpec, parseCommandArgs } from '../args';
import { CliIo, ExitCode, UsageError } from '../cli-io';
import { analyseInputs, ANALYSIS_OPTIONS, SURROUNDINGS_HELP } from './analyse-input';

const OPTIONS: Record<string, OptionSpec> = {
  rules: { type: 'string', valueName: 'path', description: `the rules file (YAML, apiVersion ${RULES_API_VERSION}; see docs/rules-file.md)` },
  format: { type: 'string', valueName: 'text|json|markdown', description: 'output format (default text)' },
  ...ANALYSIS_OPTIONS,
  help: { type: 'boolean', short: 'h', description: 'show this help' },
};

/** `netpol check`: segmentation invariants of a rules file, proven over the manifests. */
export const CHECK_HELP = `Usage: netpol check [paths...] --rules <path> [options]

Checks the invariants of a rules file against the NetworkPolicies of the inputs: only these may
reach that (on these ports), never this to that, a zone contained (it reaches nothing outside
itself except these), environments isolated (no traffic between them either way). Zones group
endpoints by namespace, labels or id. Every port that can make a difference is checked (each
interval between the ports the rules and the policies name, and every other port). A failing
invariant is shown with one counterexample: the source, the destination, the port, and the
rules (policy and rule index) that allow it.

${SURROUNDINGS_HELP}

Exit: 0 every invariant holds, 1 an invariant fails (or policies were left out, so the verdicts
may be wrong), 2 bad usage, unreadable input or a mistake in the rules file (file:line and fix).

Options:
${describeOptions(OPTIONS)}
`;

export function checkCommand(args: string[], io: CliIo): number {
  const { values, positionals } = parseCommandArgs('check', args, OPTIONS);
  if (values.help) {
    io.stdout(CHECK_HELP);
    return ExitCode.OK;
  }
  const format = oneOf(values.format, ['text', 'json', 'markdown'] as const, 'text', 'format');
  if (!values.rules) throw new UsageError('--rules is required: give the rules file (see docs/rules-file.md).');
  let text: string;
  try {
    text = fs.readFileSync(values.rules, 'utf8');
  } catch (e) {
    throw new UsageError(`--rules ${values.rules}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}). Give the path of a rules file.`);
  }
  const rules = parseRulesFile(text, values.rules);
  if (rules.problems.length > 0) {
    for (const p of rules.problems) io.stderr(`${p.file}${p.line !== undefined ? `:${p.line}` : ''}: ${p.message}\n`);
    io.stderr(`netpol check: ${rules.problems.length} problem${rules.problems.length === 1 ? '' : 's'} in the rules file; nothing was checked.\n`);
    return ExitCode.USAGE;
  }
  const { reachability, unreadable } = analyseInputs(positionals, io, values);
  let report: InvariantReport;
  try {
    report = checkInvariants(reachability, rules.zones, rules.invariants);
  } catch (e) {
    if (e instanceof InvariantSpecError) throw new UsageError(e.message);
    throw e;
  }
  switch (format) {
    case 'json': io.stdout(`${JSON.stringify(JsonFormat.invariants(report), null, 2)}\n`); break;
    case 'markdown': io.stdout(`${MarkdownFormat.invariants(report)}\n`); break;
    default: io.stdout(`${TextFormat.invariants(report)}\n`);
  }
  if (unreadable) return ExitCode.USAGE;
  return !report.holds || reachability.skipped.length > 0 ? ExitCode.FINDINGS : ExitCode.OK;
}
