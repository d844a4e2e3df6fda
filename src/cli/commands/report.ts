import * as fs from 'fs';
import * as path from 'path';
import { analyseInputs, ANALYSIS_OPTIONS, SURROUNDINGS_HELP } from './analyse-input';
import { invariantsOf, readRulesFile } from './check';
import { RULES_API_VERSION } from '../../adapters/rules-file';
import { AuditReport } from '../../analysis/audit-report';
import { HtmlFormat } from '../../formats/html';
import { MarkdownFormat } from '../../formats/markdown';
import { validateManifests } from '../../validation/validate-manifests';
import { describeOptions, oneOf, OptionSpec, parseCommandArgs } from '../args';
import { CliIo, ExitCode, UsageError } from '../cli-io';

const OPTIONS: Record<string, OptionSpec> = {
  'out': { type: 'string', valueName: 'path', description: 'the file to write (default: standard output); .md means Markdown' },
  'format': { type: 'string', valueName: 'html|markdown', description: 'output format (default html, or markdown for an --out ending in .md)' },
  'rules': { type: 'string', valueName: 'path', description: `a rules file (apiVersion ${RULES_API_VERSION}) whose invariants the report shows` },
  'title': { type: 'string', valueName: 'text', description: 'the report\'s title (default "NetworkPolicy audit")' },
  'generated-at': { type: 'string', valueName: 'text', description: 'a timestamp to print (default none, so the same inputs give the same bytes)' },
  ...ANALYSIS_OPTIONS,
  'help': { type: 'boolean', short: 'h', description: 'show this help' },
};

/** `netpol report`: the audit report of the manifests, as one HTML file or as Markdown. */
export const REPORT_HELP = `Usage: netpol report [paths...] [--rules <path>] [--out report.html|report.md] [options]

Writes an audit report of the inputs: the connections the policies allow as a graph (an inline
SVG, workloads in namespace boxes, edges labelled with ports; with more than 150 connections or
100 workloads, one edge per pair of namespaces), the matrix as a coloured grid (namespace by
namespace above 40 endpoints), the invariants of --rules with their counterexamples, who could
reach each workload and whom it could reach (from the selectors), the findings of the validation
and the coverage lints (netpol validate --coverage), the objects left out, and each input file
with its sha256. HTML is one self-contained file: no script, font, image or request. Markdown has
the same content for a pull request, the graph in Mermaid.

${SURROUNDINGS_HELP}

Exit: 0 written, 1 written but an invariant fails or policies were left out, 2 bad usage,
unreadable input or a mistake in the rules file (nothing is written).

Options:
${describeOptions(OPTIONS)}
`;

export function reportCommand(args: string[], io: CliIo): number {
  const { values, positionals } = parseCommandArgs('report', args, OPTIONS);
  if (values.help) {
    io.stdout(REPORT_HELP);
    return ExitCode.OK;
  }
  const out: string | undefined = values.out;
  const byExtension = out !== undefined && /\.(md|markdown)$/i.test(out) ? 'markdown' : 'html';
  const format = oneOf(values.format, ['html', 'markdown'] as const, byExtension, 'format');
  if (out !== undefined) {
    const dir = path.dirname(path.resolve(out));
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
      throw new UsageError(`--out ${out}: the directory ${dir} does not exist. Create it, or write the report somewhere else.`);
    }
  }
  const rules = values.rules !== undefined ? readRulesFile(values.rules, 'report', io) : undefined;
  if (values.rules !== undefined && !rules) return ExitCode.USAGE;
  const { reachability, unreadable, input } = analyseInputs(positionals, io, values);
  if (unreadable) {
    io.stderr('netpol report: some input could not be read (see above), so no report was written.\n');
    return ExitCode.USAGE;
  }
  const validation = validateManifests(input.objects, { coverage: true });
  const report = AuditReport.of(reachability, {
    ...(values.title !== undefined ? { title: values.title } : {}),
    ...(values['generated-at'] !== undefined ? { generatedAt: values['generated-at'] } : {}),
    inputs: input.digests,
    invariants: rules ? invariantsOf(reachability, rules) : undefined,
    findings: validation.findings,
  });
  const text = format === 'markdown' ? `${MarkdownFormat.report(report)}\n` : HtmlFormat.report(report);
  if (out === undefined) {
    io.stdout(text);
  } else {
    // Written next to the target, then renamed: a reader never sees half a report.
    const temp = `${out}.tmp-${process.pid}`;
    fs.writeFileSync(temp, text);
    fs.renameSync(temp, out);
    io.stderr(`netpol report: wrote ${out} (${format}, ${Buffer.byteLength(text)} bytes)\n`);
  }
  return report.passes ? ExitCode.OK : ExitCode.FINDINGS;
}
