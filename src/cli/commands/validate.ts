import { JsonFormat } from '../../formats/json';
import { TextFormat } from '../../formats/text';
import { Severity } from '../../k8s/finding';
import { validateManifests } from '../../validation/validate-manifests';
import { describeOptions, oneOf, OptionSpec, parseCommandArgs } from '../args';
import { CliIo, ExitCode } from '../cli-io';
import { readInputs } from '../input';
import { reportInventory } from './analyse-input';

const OPTIONS: Record<string, OptionSpec> = {
  'format': { type: 'string', valueName: 'text|json', description: 'output format (default text)' },
  'strict': { type: 'boolean', description: 'fail (exit 1) on warnings too' },
  'legacy-cidr': { type: 'boolean', description: 'accept CIDRs that only Kubernetes before 1.36 accepts (leading zeros, host bits set)' },
  'coverage': { type: 'boolean', description: 'also the coverage lints over the whole input: NP017 workloads no policy selects, NP018 namespaces without a default deny' },
  'cluster-cidr': { type: 'string', multiple: true, valueName: 'cidr', description: 'a pod or service CIDR of the cluster, for NP010 and NP022' },
  'max-file-size': { type: 'string', valueName: 'MiB', description: 'largest file to read (default 64)' },
  'help': { type: 'boolean', short: 'h', description: 'show this help' },
};

/** `netpol validate`: the API server's rules and the lints, for every NetworkPolicy in the input. */
export const VALIDATE_HELP = `Usage: netpol validate [paths...] [options]

Checks every NetworkPolicy in the inputs against the rules the Kubernetes API server enforces,
and the lints for the classic mistakes; with --coverage, also whether every workload and every
namespace of the inputs is covered by a policy (for a whole cluster or GitOps tree, not one
chart's output). Paths are read recursively (.yaml, .yml, .json;
multi-document YAML; kind: List wrappers), - reads standard input, other kinds are ignored.

Exit: 0 no errors (warnings allowed unless --strict), 1 errors found, 2 bad usage or unreadable
input.

Options:
${describeOptions(OPTIONS)}
`;

export function validateCommand(args: string[], io: CliIo): number {
  const { values, positionals } = parseCommandArgs('validate', args, OPTIONS);
  if (values.help) {
    io.stdout(VALIDATE_HELP);
    return ExitCode.OK;
  }
  const format = oneOf(values.format, ['text', 'json'] as const, 'text', 'format');
  const input = readInputs(positionals, io, values['max-file-size']);
  const report = validateManifests(input.objects, { strictCidr: !values['legacy-cidr'], clusterCidrs: values['cluster-cidr'] ?? [], coverage: values.coverage === true });
  const errors = report.findings.filter((f) => f.severity === Severity.ERROR).length;
  const warnings = report.findings.length - errors;
  if (format === 'json') io.stdout(`${JSON.stringify(JsonFormat.validation(report), null, 2)}\n`);
  else io.stdout(`${TextFormat.validation(report, { fileCount: input.files.length })}\n`);
  reportInventory(report.leftOut, [], io);
  const nothingChecked = report.checked === 0 && report.checkedClusterPolicies === 0 && input.problems.length === 0;
  if (nothingChecked) {
    const kinds = report.kinds.length > 0 ? report.kinds.map((k) => `${k.kind} x${k.count}`).join(', ') : 'no objects';
    const read = `read ${input.files.length} file${input.files.length === 1 ? '' : 's'}: ${kinds}`;
    io.stderr(values.strict
      ? `error: no NetworkPolicy found in the input (${read}); is the path right? --strict fails when there is nothing to check\n`
      : `warning: no NetworkPolicy found in the input (${read}); is the path right?\n`);
  }
  if (input.problems.length > 0) return ExitCode.USAGE;
  if (errors > 0 || (values.strict && (warnings > 0 || nothingChecked || report.leftOut.length > 0))) return ExitCode.FINDINGS;
  return ExitCode.OK;
}
