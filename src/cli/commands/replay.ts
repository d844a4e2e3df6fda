import { Readable } from 'stream';
import { FlowFile, readFlowStream } from '../../adapters/flow-file';
import { FlowReplay } from '../../analysis/replay';
import { FlowInputError } from '../../flows/collector';
import { FlowFormat, FlowProgress, IFlowProgress } from '../../flows/observed';
import { ObservedFlows } from '../../flows/observed-flows';
import { JsonFormat } from '../../formats/json';
import { MarkdownFormat } from '../../formats/markdown';
import { TextFormat } from '../../formats/text';
import { describeOptions, externalsOption, oneOf, OptionSpec, parseCommandArgs } from '../args';
import { CliIo, ExitCode, UsageError } from '../cli-io';
import { readInputs } from '../input';
import {
  ANALYSIS_OPTIONS, apiServerOption, hostNetworkOption, podCidrOption, readSurroundings, reportInventory, reportModelNotes,
  SURROUNDINGS_HELP, withSurroundings,
} from './analyse-input';

const OPTIONS: Record<string, OptionSpec> = {
  'flows': { type: 'string', valueName: 'file|-', description: 'the observed flows (Hubble, Calico flow logs, CSV or JSON Lines); - for stdin' },
  'flow-format': { type: 'string', valueName: 'hubble|calico|csv|jsonl', description: 'the format of the flows (default: told from the first line)' },
  'skip-invalid': { type: 'boolean', description: 'skip and count malformed flow lines instead of failing' },
  'format': { type: 'string', valueName: 'text|json|markdown', description: 'output format (default text)' },
  'fail-on': { type: 'string', valueName: 'blocked|staged', description: 'exit 1 on blocked (default) or also on staged would-deny' },
  ...ANALYSIS_OPTIONS,
  'help': { type: 'boolean', short: 'h', description: 'show this help' },
};

/** The `--flow-format` words. */
export const FLOW_FORMATS: Record<string, FlowFormat> = {
  hubble: FlowFormat.HUBBLE, calico: FlowFormat.CALICO, csv: FlowFormat.CSV, jsonl: FlowFormat.JSON_LINES,
};

/** `netpol replay`: observed flows against the policies. */
export const REPLAY_HELP = `Usage: netpol replay <paths...> --flows <file|-> [options]

Replays the connections observed in a running cluster against the policies of the inputs (and
what runs around them), before the policies are enforced. Lists the observed connections the
policies would block, by source and destination, with the side that denies each; the ones they
allow; the connections between the observed endpoints that rules allow but that were never
observed (candidates to remove, for least privilege), and those open because no policy isolates
either end; and the connections with an end the analyser cannot model (the node, the API
server, addresses Calico aggregated away), listed with the reason: they do not affect the exit
code.

The flows are Cilium Hubble events (hubble observe -o json), Calico flow logs, or CSV or JSON
Lines with source,destination,port,protocol (each end <namespace>/<workload> or an IP address).
Replies, duplicates and the node's health checks are folded away. Workloads the inputs lack join
the model with the labels the flows show (the DNS server without labels gets k8s-app=kube-dns),
addresses outside the cluster as external endpoints (--external name=ip names one). A malformed
line fails the command with its line number, unless --skip-invalid. Progress of a long read is
shown on stderr when it is a terminal.

${SURROUNDINGS_HELP}

Staged policies (Calico StagedKubernetesNetworkPolicy) do not enforce, so they decide no verdict;
each connection also says what would happen with them enforced too ("staged: would deny" or
"staged: would allow"). --fail-on staged makes a staged would-deny fail the gate as well: the gate
before promoting them.

Exit: 0 the policies allow every observed connection that can be replayed, 1 they would block
one (with --fail-on staged, also when the staged policies would; or a policy the API server would
reject was left out), 2 bad usage, unreadable input or malformed flows.

Options:
${describeOptions(OPTIONS)}
`;

export async function replayCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs('replay', args, OPTIONS);
  if (values.help) {
    io.stdout(REPLAY_HELP);
    return ExitCode.OK;
  }
  const format = oneOf(values.format, ['text', 'json', 'markdown'] as const, 'text', 'format');
  const failOn = oneOf(values['fail-on'], ['blocked', 'staged'] as const, 'blocked', 'fail-on');
  const flowFormat = values['flow-format'] === undefined ? undefined
    : FLOW_FORMATS[oneOf(values['flow-format'], Object.keys(FLOW_FORMATS), 'hubble', 'flow-format')];
  const flowsPath: string | undefined = values.flows;
  if (flowsPath === undefined || flowsPath === '') {
    throw new UsageError('--flows is required: give the file of observed flows (hubble observe -o json, Calico flow logs, CSV or JSON Lines), or - for stdin.');
  }
  if (flowsPath === '-' && positionals.includes('-')) {
    throw new UsageError('standard input can hold the manifests or the flows, not both: give one of them as a file.');
  }
  const input = readInputs(positionals, io, values['max-file-size']);
  const surroundings = readSurroundings(values.surroundings, values.pod, io, values['max-file-size']);
  const externals = externalsOption(values.external);
  const hostNetwork = hostNetworkOption(values['host-network']);
  const objects = withSurroundings(input.objects, surroundings);

  const progress = new ProgressLine(io, flowsPath === '-' ? '<stdin>' : flowsPath);
  let flows: ObservedFlows;
  try {
    const options = { format: flowFormat, skipInvalid: values['skip-invalid'] === true, manifests: objects.map((o) => o.object), progress };
    flows = flowsPath === '-'
      ? await readFlowStream(io.stdinStream?.() ?? Readable.from([io.readStdin()]), { ...options, sourceName: '<stdin>' })
      : await FlowFile.read(flowsPath, options);
  } catch (e) {
    progress.clear();
    if (e instanceof FlowInputError) {
      io.stderr(`netpol replay: ${e.message}\n`);
      return ExitCode.USAGE;
    }
    throw new UsageError((e as Error).message);
  }
  progress.clear();

  let replay: FlowReplay;
  try {
    replay = FlowReplay._fromSourced(objects, flows, {
      externals, pods: surroundings.pods, hostNetwork, ...apiServerOption(values['api-server'], values['api-server-outside']), ...podCidrOption(values['pod-cidr']),
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  reportInventory(replay.reachability.skipped, replay.reachability.ignored, io);
  reportModelNotes(replay.reachability, io);
  if (flows.summary.lostEvents > 0) {
    io.stderr(`warning: ${flows.summary.source}: Hubble reports ${flows.summary.lostEvents} lost events, so the observation is incomplete: `
      + 'connections seen only in those events are not replayed\n');
  }
  if (format === 'json') io.stdout(`${JSON.stringify(JsonFormat.replay(replay), null, 2)}\n`);
  else if (format === 'markdown') io.stdout(`${MarkdownFormat.replay(replay)}\n`);
  else io.stdout(`${TextFormat.replay(replay)}\n`);

  if (input.problems.length > 0 || surroundings.unreadable) return ExitCode.USAGE;
  if (!replay.passed) {
    const first = replay.blocked[0];
    const c = first.connections[0];
    io.stderr(`netpol replay: the policies would block ${replay.summary.blocked} observed connection${replay.summary.blocked === 1 ? '' : 's'} `
      + `(first: ${c.from} -> ${c.to} on ${c.port}/${c.protocol}). Allow them in the policies before enforcing, or remove the dependency.\n`);
    return ExitCode.FINDINGS;
  }
  if (failOn === 'staged' && !replay.stagedPassed) {
    const c = replay.stagedBlocked[0].connections[0];
    io.stderr(`netpol replay: with the staged policies enforced, the policies would block ${replay.summary.stagedBlocked} observed connection${replay.summary.stagedBlocked === 1 ? '' : 's'} `
      + `(first: ${c.from} -> ${c.to} on ${c.port}/${c.protocol}). Allow them in the staged policies before promoting them, or remove the dependency.\n`);
    return ExitCode.FINDINGS;
  }
  return replay.reachability.skipped.length > 0 ? ExitCode.FINDINGS : ExitCode.OK;
}

/** How long a read runs before its progress is shown, in milliseconds. */
export const PROGRESS_AFTER_MS = 1000;

/**
 * Progress of reading the flows, on one line of stderr that is rewritten in place: only when stderr
 * is a terminal and the read has taken longer than a second, so that quick reads, pipes and CI logs
 * stay clean.
 */
export class ProgressLine implements IFlowProgress {
  private shown = false;

  constructor(private readonly io: CliIo, private readonly name: string) {}

  public onProgress(p: FlowProgress): void {
    if (!this.io.stderrIsTty || p.elapsedMs < PROGRESS_AFTER_MS) return;
    const share = p.totalBytes !== undefined && p.totalBytes > 0 ? ` (${Math.min(100, Math.floor((p.bytes / p.totalBytes) * 100))}%)` : '';
    this.io.stderr(`\rreading ${this.name}: ${thousands(p.lines)} lines${share}, ${thousands(p.connections)} connections, `
      + `${Math.floor(p.elapsedMs / 1000)} s\u001b[K`);
    this.shown = true;
  }

  /** Erases the progress line, if one was shown. */
  public clear(): void {
    if (this.shown) this.io.stderr('\r\u001b[K');
    this.shown = false;
  }
}

/** `1234567` as `1,234,567` (the same in every locale). */
function thousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
