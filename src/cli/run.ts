import * as fs from 'fs';
import * as path from 'path';
import { CliIo, ExitCode, UsageError } from './cli-io';
import { blastRadiusCommand } from './commands/blast-radius';
import { checkCommand } from './commands/check';
import { diffCommand } from './commands/diff';
import { explainCommand } from './commands/explain';
import { exposureCommand } from './commands/exposure';
import { generateCommand } from './commands/generate';
import { matrixCommand } from './commands/matrix';
import { replayCommand } from './commands/replay';
import { validateCommand } from './commands/validate';

const COMMANDS: Record<string, (args: string[], io: CliIo) => number> = {
  'validate': validateCommand,
  'matrix': matrixCommand,
  'explain': explainCommand,
  'diff': diffCommand,
  'check': checkCommand,
  'exposure': exposureCommand,
  'blast-radius': blastRadiusCommand,
};

/** Commands that stream their input, so they finish asynchronously: run them with `runCliAsync`. */
const ASYNC_COMMANDS: Record<string, (args: string[], io: CliIo) => Promise<number>> = {
  replay: replayCommand,
  generate: generateCommand,
};

/** Every command's name, in the order the help lists them. */
const COMMAND_NAMES = ['validate', 'matrix', 'explain', 'diff', 'check', 'exposure', 'blast-radius', 'replay', 'generate'];

/** The top-level help. */
export const HELP = `Usage: netpol <command> [paths...] [options]
       netpol --version

Commands:
  validate   check NetworkPolicies against the API server's rules and the lints
  matrix     who may connect to whom on one port (text, json, markdown, mermaid, dot)
  explain    why one connection is allowed or denied
  diff       what a change to the manifests opens and closes (text, json, markdown); a CI gate
  check      segmentation invariants of a rules file (only, never, contained, isolated); a CI gate
  exposure   who could reach a workload, or whom it could reach, from the selectors: pods and
             namespaces not in the manifests included
  blast-radius
             what a compromised workload can reach, directly and by lateral movement
  replay     observed flows against the policies: what they would block; a gate before enforcing
  generate   observed flows become a TypeScript program of this library (or its policies as YAML)

Inputs are files and directories of YAML/JSON manifests (read recursively), or - for stdin.
Exit codes: 0 ok, 1 findings (invalid policies, policies left out, a gated change, an invariant
that fails, an observed connection the policies would block), 2 bad usage or unreadable input.
Run 'netpol <command> --help' for a command's options, 'netpol --version' for the version.
`;

/**
 * The version of the installed package: read from the package.json next to the code (two levels up
 * from this file, both in src/cli and in lib/cli), so it is the version of the copy that runs, from
 * a clone, from node_modules or through npx, whatever the working directory.
 */
export function packageVersion(): string {
  const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8'));
  return String(manifest.version);
}

/**
 * Runs the CLI and returns the exit code. Never throws and never prints a stack trace: every
 * failure becomes a message and exit 2 (set NETPOL_DEBUG=1 to see the stack of an internal error).
 * Runs every command but the streaming ones (`replay`), which need `runCliAsync`.
 */
export function runCli(argv: string[], io: CliIo): number {
  const [command, ...args] = argv;
  try {
    const early = generalOption(command, io);
    if (early !== undefined) return early;
    if (ASYNC_COMMANDS[command] !== undefined) {
      throw new Error(`netpol ${command} streams its input and finishes asynchronously: run it with runCliAsync`);
    }
    return COMMANDS[command](args, io);
  } catch (e) {
    return failure(command, e, io);
  }
}

/**
 * Runs the CLI, any command, and resolves to the exit code (the `netpol` binary's entry point).
 * Never rejects and never prints a stack trace, as `runCli`.
 */
export async function runCliAsync(argv: string[], io: CliIo): Promise<number> {
  const [command, ...args] = argv;
  try {
    const early = generalOption(command, io);
    if (early !== undefined) return early;
    const streaming = ASYNC_COMMANDS[command];
    return streaming ? await streaming(args, io) : COMMANDS[command](args, io);
  } catch (e) {
    return failure(command, e, io);
  }
}

/** The exit code of what is not a command (help, version, an unknown name), or undefined for a command. */
function generalOption(command: string | undefined, io: CliIo): number | undefined {
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.stdout(HELP);
    return command === undefined ? ExitCode.USAGE : ExitCode.OK;
  }
  if (command === '--version' || command === '-v') {
    io.stdout(`${packageVersion()}\n`);
    return ExitCode.OK;
  }
  if (!COMMANDS[command] && !ASYNC_COMMANDS[command]) {
    io.stderr(`netpol: unknown command ${JSON.stringify(command)}. Commands: ${COMMAND_NAMES.join(', ')}. Run 'netpol --help'.\n`);
    return ExitCode.USAGE;
  }
  return undefined;
}

/** Prints a failure (a usage error, or an internal error with its stack under NETPOL_DEBUG) and returns exit 2. */
function failure(command: string | undefined, e: unknown, io: CliIo): number {
  if (e instanceof UsageError) {
    io.stderr(`netpol ${command}: ${e.message}\n`);
  } else {
    io.stderr(`netpol ${command}: internal error: ${e instanceof Error ? e.message : String(e)}. This is a bug; please report it with the input that caused it.\n`);
    if (process.env.NETPOL_DEBUG) io.stderr(`${e instanceof Error ? e.stack : ''}\n`);
  }
  return ExitCode.USAGE;
}
