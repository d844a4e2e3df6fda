import { readManifests } from '../../adapters/manifest-reader';
import { ChangeKind, ExpectedChange } from '../../analysis/diff-report';
import { Reachability } from '../../analysis/reachability';
import { JsonFormat } from '../../formats/json';
import { MarkdownFormat } from '../../formats/markdown';
import { TextFormat } from '../../formats/text';
import { withModelWorkloads } from '../../k8s/objects';
import { describeOptions, EXTERNAL_VALUE_NAME, externalsOption, oneOf, OptionSpec, parseCommandArgs } from '../args';
import { CliIo, ExitCode, UsageError } from '../cli-io';
import { readInputs } from '../input';
import { ANALYSIS_OPTIONS, apiServerOption, hostNetworkOption, podCidrOption, readSurroundings, reportInventory, SURROUNDINGS_HELP, SURROUNDINGS_OPTIONS, withSurroundings } from './analyse-input';

const OPTIONS: Record<string, OptionSpec> = {
  'against': { type: 'string', multiple: true, valueName: 'paths...', description: 'the manifests after the change: files, directories, -' },
  'model': { type: 'string', multiple: true, valueName: 'path', description: 'workloads and namespaces to put on both sides; their policies are ignored' },
  'external': { type: 'string', multiple: true, valueName: EXTERNAL_VALUE_NAME, description: 'an address outside the cluster (with its DNS names), on both sides' },
  ...SURROUNDINGS_OPTIONS,
  'format': { type: 'string', valueName: 'text|json|markdown', description: 'output format (default text)' },
  'group-by': {
    type: 'string',
    valueName: 'namespace|class',
    description: 'aggregate: connections opened and closed per pair of namespaces or classes (text or json, streamed)',
  },
  'fail-on': {
    type: 'string',
    valueName: 'opened|any',
    description: 'exit 1 when the change opens a connection or changes its layer-7 rules (opened), or changes anything (any)',
  },
  'allow': { type: 'string', valueName: 'file', description: 'expected changes, which never fail the gate: a YAML/JSON list of entries with change, from, to and optional ports' },
  'max-file-size': { type: 'string', valueName: 'MiB', description: 'largest file to read (default 64)' },
  'host-network': ANALYSIS_OPTIONS['host-network'],
  'api-server': ANALYSIS_OPTIONS['api-server'],
  'api-server-outside': ANALYSIS_OPTIONS['api-server-outside'],
  'pod-cidr': ANALYSIS_OPTIONS['pod-cidr'],
  'help': { type: 'boolean', short: 'h', description: 'show this help' },
};

/** `netpol diff`: what a change to the manifests opens and closes. */
export const DIFF_HELP = `Usage: netpol diff <before paths...> --against <after paths...> [options]

Compares what two sets of manifests allow (e.g. the main branch's dist/ and the pull request's)
on every port and protocol any policy of either side mentions, plus "any other port" of each
protocol, over the endpoints both sides contain. Lists the connections opened and closed, grouped
by source and destination, with how each side decides before and after, and the endpoints added
or removed. A connection allowed on both sides whose layer-7 rules (Cilium rules.http, rules.dns,
...) were removed, added or changed is listed as "changed at layer 7": it fails --fail-on opened
and any (which requests it lets through is not decided), and is allowed with change: l7-changed.
--group-by compares layer 3/4 only.

Every path after --against, up to the next option, is on the after side. --model dist/ puts the
pull request's workloads on both sides (their policies are ignored), so that a new workload's
connections show as opened instead of only as an added endpoint.

At cluster scale, --group-by namespace|class prints counts instead of connections: for each pair
of namespaces (or classes: endpoints that changed together) with a change, the endpoint pairs
opened and closed. Only the classes the change touches are recomputed; the output is written as
it is computed. --fail-on works with it, --allow does not (it names connections).

${SURROUNDINGS_HELP}
Both sides get the surroundings.

Exit: 0 ok (with --fail-on: no unexpected change), 1 an unexpected change with --fail-on, or a
policy the API server would reject (left out), 2 bad usage or unreadable input.

Options:
${describeOptions(OPTIONS)}
`;

export function diffCommand(args: string[], io: CliIo): number {
  const { values, positionals } = parseCommandArgs('diff', againstPaths(args), OPTIONS);
  if (values.help) {
    io.stdout(DIFF_HELP);
    return ExitCode.OK;
  }
  const format = oneOf(values.format, ['text', 'json', 'markdown'] as const, 'text', 'format');
  const failOn = values['fail-on'] === undefined ? undefined : oneOf(values['fail-on'], ['opened', 'any'] as const, 'opened', 'fail-on');
  if (positionals.length === 0 || !values.against || values.against.length === 0) {
    throw new UsageError('give the manifests before the change and, with --against, after it: netpol diff main/dist --against dist. '
      + 'Every path after --against, up to the next option, is on the after side, so put the before paths first.');
  }
  const groupBy = values['group-by'] === undefined ? undefined : oneOf(values['group-by'], ['namespace', 'class'] as const, 'namespace', 'group-by');
  if (groupBy && format !== 'text' && format !== 'json') {
    throw new UsageError(`--group-by prints text or json, not ${format}: use --format text or --format json with it.`);
  }
  if (groupBy && values.allow) {
    throw new UsageError('--allow names connections, which --group-by does not list: leave out --group-by to check an allow-list, or --allow to aggregate.');
  }
  const expected = values.allow ? readAllowList(values.allow, io) : [];
  const model = values.model ? readInputs(values.model, io, values['max-file-size']) : { objects: [], problems: [] };
  const surroundings = readSurroundings(values.surroundings, values.pod, io, values['max-file-size']);
  const before = readInputs(positionals, io, values['max-file-size']);
  const after = readInputs(values.against, io, values['max-file-size']);
  const externals = externalsOption(values.external);
  const apiServer = apiServerOption(values['api-server'], values['api-server-outside']);
  const hostNetwork = hostNetworkOption(values['host-network']);
  const podCidrs = podCidrOption(values['pod-cidr']);
  const side = (objects: typeof before.objects) => withSurroundings(withModelWorkloads(objects, model.objects), surroundings);
  let b: Reachability;
  let a: Reachability;
  try {
    // The after side reuses what the before side compiled of the objects both hold unchanged.
    [b, a] = Reachability._snapshots(side(before.objects), side(after.objects),
      { externals, pods: surroundings.pods, hostNetwork, ...apiServer, ...podCidrs });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  for (const [label, r] of [['before', b], ['after', a]] as const) {
    reportInventory(r.skipped, r.ignored, io, `${label}: `);
    const outside = r._podsOutsidePodCidrsNote();
    if (outside) io.stderr(`${label}: note: ${outside}\n`);
    const guessed = r._guessedNamespacesWarning();
    if (guessed) io.stderr(`${label}: warning: ${guessed}\n`);
  }
  const unreadable = before.problems.length + after.problems.length + model.problems.length > 0 || surroundings.unreadable;
  if (groupBy) {
    if ([a, b].some((r) => r._cluster.ciliumPolicies.some((p) => [...p.ingress, ...p.egress].some((x) => x.l7)))) {
      io.stderr('netpol diff: --group-by compares layer 3/4 only: changes to the layer-7 rules (rules.http, rules.dns, ...) of the Cilium policies '
        + 'are not counted. Leave out --group-by to list them (changed at layer 7).\n');
    }
    for (const note of Reachability._diffNotes(b, a)) io.stderr(`netpol diff: note: ${note}\n`);
    const grouped = Reachability._groupedDiff(b, a, groupBy);
    const write = (text: string) => io.stdout(text);
    if (format === 'json') JsonFormat._streamGroupedDiff(grouped, write);
    else TextFormat._streamGroupedDiff(grouped, write);
    if (unreadable) return ExitCode.USAGE;
    const { opened, closed } = grouped.totals;
    const endpointsChanged = grouped.added + grouped.removed > 0;
    if (failOn && (opened > 0 || (failOn === 'any' && (closed > 0 || endpointsChanged)))) {
      io.stderr(`netpol diff: --fail-on ${failOn}: ${opened} connection${opened === 1 ? '' : 's'} opened`
        + `${failOn === 'any' ? `, ${closed} closed${endpointsChanged ? ', endpoints added or removed' : ''}` : ''}. `
        + 'Review the change; leave out --group-by to list the connections.\n');
      return ExitCode.FINDINGS;
    }
    return a.skipped.length + b.skipped.length > 0 ? ExitCode.FINDINGS : ExitCode.OK;
  }
  const diff = Reachability.diff(b, a);
  if (format === 'json') io.stdout(`${JSON.stringify(JsonFormat.diff(diff), null, 2)}\n`);
  else if (format === 'markdown') io.stdout(`${MarkdownFormat.diff(diff)}\n`);
  else io.stdout(`${TextFormat.diff(diff)}\n`);

  if (unreadable) return ExitCode.USAGE;
  if (failOn) {
    // A layer-7 change may let requests through that were rejected before: it fails like an opened connection.
    const unexpected = diff.unexpected(expected).filter((c) => failOn === 'any' || diff.opened.includes(c) || diff.l7Changed.includes(c));
    const endpointsChanged = failOn === 'any' && diff.addedEndpoints.length + diff.removedEndpoints.length > 0;
    if (unexpected.length > 0 || endpointsChanged) {
      io.stderr(`netpol diff: --fail-on ${failOn}: ${unexpected.length} unexpected change${unexpected.length === 1 ? '' : 's'}${endpointsChanged ? ' and endpoints added or removed' : ''}`
        + `${unexpected.length > 0 ? ` (first: ${unexpected[0].from} -> ${unexpected[0].to} on ${unexpected[0].ports.join(', ')})` : ''}. `
        + 'Review the change; if it is intended, add it to the --allow file.\n');
      return ExitCode.FINDINGS;
    }
  }
  return a.skipped.length + b.skipped.length > 0 ? ExitCode.FINDINGS : ExitCode.OK;
}

/**
 * `args` with every path that follows `--against` (up to the next option) given its own
 * `--against`: `--against a b` means `--against a --against b`, as the usage line says, instead of
 * `b` silently joining the before side. `-` (stdin) is a path, not an option; after `--` every
 * argument is a before path.
 */
export function againstPaths(args: readonly string[]): string[] {
  const out: string[] = [];
  let after = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') {
      out.push(...args.slice(i));
      break;
    }
    const isOption = arg.startsWith('-') && arg !== '-';
    if (arg === '--against') {
      out.push(arg);
      if (i + 1 < args.length) out.push(args[++i]);
      after = true;
    } else if (isOption) {
      out.push(arg);
      after = arg.startsWith('--against=');
    } else {
      out.push(...(after ? ['--against', arg] : [arg]));
    }
  }
  return out;
}

/** The words of the allow-list file for each kind of change. */
const CHANGE_WORDS = new Map<unknown, ChangeKind>([['opened', ChangeKind.OPENED], ['closed', ChangeKind.CLOSED], ['l7-changed', ChangeKind.L7_CHANGED]]);

/** Reads the allow-list: a YAML/JSON list (or `{ expected: [...] }`) of `{ change, from, to, ports? }`. */
function readAllowList(file: string, io: CliIo): ExpectedChange[] {
  const read = readManifests([file], io.readStdin);
  if (read.problems.length > 0) throw new UsageError(`--allow ${file}: ${read.problems[0].message}`);
  const root = read.objects.map((o) => o.object);
  const list: unknown[] = root.length === 1 && Array.isArray(root[0]) ? root[0] as unknown[]
    : root.length === 1 && typeof root[0] === 'object' && root[0] !== null && Array.isArray((root[0] as any).expected) ? (root[0] as any).expected : root;
  return list.map((entry, i) => {
    const e = entry as Record<string, unknown>;
    const ok = typeof e === 'object' && e !== null && CHANGE_WORDS.has(e.change) && typeof e.from === 'string' && typeof e.to === 'string'
      && (e.ports === undefined || (Array.isArray(e.ports) && e.ports.every((p) => typeof p === 'string')));
    if (!ok) {
      throw new UsageError(`--allow ${file}: entry ${i} ${JSON.stringify(entry)} is not { change: opened|closed|l7-changed, from: <ns/name or *>, to: <ns/name or *>, ports?: ["6379/TCP"] }. Fix the entry.`);
    }
    return { change: CHANGE_WORDS.get(e.change)!, from: e.from as string, to: e.to as string, ports: e.ports as string[] | undefined };
  });
}
