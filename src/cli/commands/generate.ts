import * as fs from 'fs';
import * as path from 'path';
import { Yaml } from 'cdk8s';
import { FLOW_FORMATS, ProgressLine } from './replay';
import { FlowFile } from '../../adapters/flow-file';
import { FlowInputError } from '../../flows/collector';
import { ObservedFlows } from '../../flows/observed-flows';
import { observedTitle, seen } from '../../formats/text';
import { TypeScriptFormat } from '../../formats/typescript';
import { PolicyGenerator } from '../../generate/generator';
import { GeneratedProgram } from '../../generate/program';
import { EnforcementPhase } from '../../model/enforcement-phase';
import { describeOptions, oneOf, OptionSpec, parseCommandArgs } from '../args';
import { CliIo, ExitCode, UsageError } from '../cli-io';
import { readInputs } from '../input';

const OPTIONS: Record<string, OptionSpec> = {
  'flows': { type: 'string', valueName: 'file', description: 'the observed flows (Hubble, Calico flow logs, CSV or JSON Lines)' },
  'flow-format': { type: 'string', valueName: 'hubble|calico|csv|jsonl', description: 'the format of the flows (default: told from the first line)' },
  'manifests': { type: 'string', multiple: true, valueName: 'path', description: 'manifests of the workloads: their pod labels name and select them' },
  'namespace': {
    type: 'string',
    multiple: true,
    valueName: 'name',
    description: 'write a stack for this namespace only (default: every namespace with an observed workload, but kube-system and the DNS server\'s)',
  },
  'skip-invalid': { type: 'boolean', description: 'skip and count malformed flow lines instead of failing' },
  'phase': {
    type: 'string',
    valueName: 'observe|staged|enforce',
    description: 'the stacks\' enforcement phase: no object, Calico staged policies, or NetworkPolicies (default)',
  },
  'format': { type: 'string', valueName: 'typescript|yaml', description: 'a TypeScript program (default), or its NetworkPolicies as YAML' },
  'out': { type: 'string', valueName: 'file', description: 'where to write it (default: standard output)' },
  'max-file-size': { type: 'string', valueName: 'MiB', description: 'largest manifest file to read (default 64)' },
  'help': { type: 'boolean', short: 'h', description: 'show this help' },
};

/** The `--phase` words. */
const PHASES = { observe: EnforcementPhase.OBSERVE, staged: EnforcementPhase.STAGED, enforce: EnforcementPhase.ENFORCE } as const;

/** `netpol generate`: observed flows become intent code. */
export const GENERATE_HELP = `Usage: netpol generate --flows <file> [--manifests <path>] [--out <file.ts>] [options]

Writes a TypeScript program of this library from the connections observed in a running cluster:
an ApplicationStack per namespace, a service per observed workload (named after it, selected by
its labels, declaring the ports it was reached on), one allow(from, to, ...ports) line per
observed dependency with its ports merged, DNS as the stacks' DNS option, and addresses outside
the cluster as ExternalDestinations with exactly the observed addresses (a CIDR only where every
address of it was observed) and the DNS names the flows give. Workloads of other namespaces are
peers. Connections it cannot express (the node, the API server, addresses Calico aggregated
away) are listed in a comment at the end and on stderr. The output is deterministic: a header
says where it came from, with no timestamp.

--phase staged writes phase: EnforcementPhase.STAGED on every stack: its policies become Calico
StagedKubernetesNetworkPolicy objects (--format yaml writes them), which Calico evaluates and
reports without enforcing; promote one service at a time by giving it phase:
EnforcementPhase.ENFORCE. --phase observe writes no object. --phase enforce (the default) writes
no phase: NetworkPolicies.

Replay the flows against its output before enforcing it (netpol replay). A malformed flow line
fails the command with its line number, unless --skip-invalid.

Exit: 0 written (connections it cannot express are listed, not an error), 2 bad usage,
unreadable input, malformed flows, or a workload its labels cannot select alone.

Options:
${describeOptions(OPTIONS)}
`;

export async function generateCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs('generate', args, OPTIONS);
  if (values.help) {
    io.stdout(GENERATE_HELP);
    return ExitCode.OK;
  }
  if (positionals.length > 0) {
    throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}: the flows go in --flows and manifests in --manifests.`);
  }
  const format = oneOf(values.format, ['typescript', 'yaml'] as const, 'typescript', 'format');
  const phase = PHASES[oneOf(values.phase, ['observe', 'staged', 'enforce'] as const, 'enforce', 'phase')];
  const flowFormat = values['flow-format'] === undefined ? undefined
    : FLOW_FORMATS[oneOf(values['flow-format'], Object.keys(FLOW_FORMATS), 'hubble', 'flow-format')];
  const flowsPath: string | undefined = values.flows;
  if (flowsPath === undefined || flowsPath === '') {
    throw new UsageError('--flows is required: give the file of observed flows (hubble observe -o json, Calico flow logs, CSV or JSON Lines).');
  }
  const manifestPaths: string[] = values.manifests ?? [];
  const input = manifestPaths.length > 0 ? readInputs(manifestPaths, io, values['max-file-size']) : undefined;
  if (input && input.problems.length > 0) return ExitCode.USAGE;
  const manifests = input ? input.objects.map((o) => o.object) : undefined;

  const progress = new ProgressLine(io, flowsPath);
  let flows: ObservedFlows;
  try {
    flows = await FlowFile.read(flowsPath, { format: flowFormat, skipInvalid: values['skip-invalid'] === true, manifests, progress });
  } catch (e) {
    progress.clear();
    if (e instanceof FlowInputError) {
      io.stderr(`netpol generate: ${e.message}\n`);
      return ExitCode.USAGE;
    }
    throw new UsageError((e as Error).message);
  }
  progress.clear();

  let program: GeneratedProgram;
  let text: string;
  try {
    program = PolicyGenerator.generate(flows, { manifests, phase, ...(values.namespace ? { namespaces: values.namespace } : {}) });
    text = format === 'yaml' ? yamlOf(program) : TypeScriptFormat.program(program);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  for (const u of program.unexpressed) {
    io.stderr(`netpol generate: not expressed: ${observedTitle(u.observed)}, ${seen(u.observed)}: ${u.reason}\n`);
  }
  if (values.out === undefined || values.out === '-') {
    io.stdout(text);
  } else {
    try {
      fs.mkdirSync(path.dirname(values.out), { recursive: true });
      fs.writeFileSync(values.out, text);
    } catch (e) {
      throw new UsageError(`cannot write ${values.out}: ${(e as Error).message}`);
    }
    const dependencies = program.stacks.reduce((n, s) => n + s.dependencies.length, 0);
    io.stderr(`netpol generate: wrote ${values.out}: ${program.stacks.length} stacks, ${program.services.length} services, ${dependencies} dependencies, `
      + `${program.unexpressed.length} observed connections not expressed\n`);
  }
  return ExitCode.OK;
}

/** The program's NetworkPolicies (and other objects) as one YAML stream, with the header as a comment. */
function yamlOf(program: GeneratedProgram): string {
  const ts = TypeScriptFormat.program(program).split('\n');
  const header = ts.slice(0, ts.findIndex((l) => !l.startsWith('//'))).map((l) => l.replace(/^\/\//, '#'));
  return `${header.join('\n')}\n${Yaml.stringify(...PolicyGenerator.manifests(program))}`;
}
