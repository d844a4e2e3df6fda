import { DotFormat } from '../../formats/dot';
import { JsonFormat } from '../../formats/json';
import { MarkdownFormat } from '../../formats/markdown';
import { MermaidFormat } from '../../formats/mermaid';
import { TextFormat } from '../../formats/text';
import { describeOptions, oneOf, OptionSpec, parseCommandArgs, portOption } from '../args';
import { CliIo, ExitCode, UsageError } from '../cli-io';
import { StageProgress } from '../stage-progress';
import { analyseInputs, ANALYSIS_OPTIONS, SURROUNDINGS_HELP } from './analyse-input';

const OPTIONS: Record<string, OptionSpec> = {
  'port': { type: 'string', valueName: 'number|name', description: 'the port to check (a number, or a container port name)' },
  'protocol': { type: 'string', valueName: 'TCP|UDP|SCTP', description: 'the protocol (default TCP)' },
  'format': { type: 'string', valueName: 'text|json|markdown|mermaid|dot', description: 'output format (default text)' },
  'group-by': {
    type: 'string',
    valueName: 'namespace|workload|class',
    description: 'aggregate: allowed pairs per pair of namespaces, workloads or classes (text or json, streamed)',
  },
  ...ANALYSIS_OPTIONS,
  'help': { type: 'boolean', short: 'h', description: 'show this help' },
};

/** `netpol matrix`: who may connect to whom on one port. */
export const MATRIX_HELP = `Usage: netpol matrix [paths...] --port <number|name> [options]

Prints, for one port, whether each endpoint may connect to each other one under Kubernetes
NetworkPolicy semantics. The endpoints are the Pods of the inputs, the pod templates of their
Deployments, StatefulSets, DaemonSets, ReplicaSets, ReplicationControllers, Jobs and CronJobs
(each as <namespace>/<name>), and the --external addresses. A pod to itself is loopback (L,
never policed); a workload to itself is traffic between its replicas, decided by the policies.
Policies the API server would reject are left out and reported on stderr.

At cluster scale, --group-by namespace|workload|class prints counts instead of cells: for each
pair of namespaces, workloads or equivalence classes (pods no policy tells apart) with any pair
allowed, the allowed endpoint pairs of all pairs; a pair of groups not listed has none allowed.
A workload is a Deployment, StatefulSet, DaemonSet, Job, CronJob, ... of the input (pods whose
ownerReferences lead to it are grouped under it); else a pod's app.kubernetes.io/name (or app)
label in its namespace; else the pod itself. The output is written as it is computed.

${SURROUNDINGS_HELP}

Exit: 0 ok, 1 policies left out, 2 bad usage or unreadable input.

Options:
${describeOptions(OPTIONS)}
`;

export function matrixCommand(args: string[], io: CliIo): number {
  const { values, positionals } = parseCommandArgs('matrix', args, OPTIONS);
  if (values.help) {
    io.stdout(MATRIX_HELP);
    return ExitCode.OK;
  }
  const format = oneOf(values.format, ['text', 'json', 'markdown', 'mermaid', 'dot'] as const, 'text', 'format');
  const port = portOption(values.port, values.protocol);
  const groupBy = values['group-by'] === undefined ? undefined : oneOf(values['group-by'], ['namespace', 'workload', 'class'] as const, 'namespace', 'group-by');
  if (groupBy && format !== 'text' && format !== 'json') {
    throw new UsageError(`--group-by prints text or json, not ${format}: use --format text or --format json with it.`);
  }
  // On a terminal, a read or analysis of more than a second shows its steps on stderr.
  const progress = new StageProgress(io);
  const { reachability, unreadable } = analyseInputs(positionals, io, values, progress);
  if (groupBy) {
    const grouped = reachability._groupedMatrix(port, groupBy);
    progress.clear();
    const label = `${port.portName ?? port.portNumber}/${port.protocol}`;
    const write = (text: string) => io.stdout(text);
    if (format === 'json') JsonFormat._streamGroupedMatrix(grouped, label, write);
    else TextFormat._streamGroupedMatrix(grouped, label, write);
    if (unreadable) return ExitCode.USAGE;
    return reachability.skipped.length > 0 ? ExitCode.FINDINGS : ExitCode.OK;
  }
  const matrix = reachability.matrix(port);
  progress.clear();
  switch (format) {
    case 'json': io.stdout(`${JSON.stringify(JsonFormat.matrix(matrix))}\n`); break;
    case 'markdown': io.stdout(`${MarkdownFormat.matrix(matrix)}\n`); break;
    case 'mermaid': io.stdout(`${MermaidFormat.graph(reachability.connectivity([port]))}\n`); break;
    case 'dot': io.stdout(`${DotFormat.graph(reachability.connectivity([port]))}\n`); break;
    default: io.stdout(`${TextFormat.matrix(matrix)}\n`);
  }
  if (unreadable) return ExitCode.USAGE;
  return reachability.skipped.length > 0 ? ExitCode.FINDINGS : ExitCode.OK;
}
