import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Readable } from 'stream';
import { runCli, runCliAsync } from '../../src/cli/run';

/** The result of one in-process CLI run. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `netpol <argv>` in-process, with `stdin` as standard input. */
export function netpol(argv: string[], stdin = ''): CliResult {
  let stdout = '';
  let stderr = '';
  const code = runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), readStdin: () => Buffer.from(stdin) });
  return { code, stdout, stderr };
}

/** Options of an asynchronous run. */
export interface AsyncRunOptions {
  /** Standard input. @default '' */
  readonly stdin?: string;
  /** Whether stderr is a terminal. @default false */
  readonly stderrIsTty?: boolean;
}

/** Runs `netpol <argv>` in-process with `runCliAsync` (every command, including the streaming `replay`). */
export async function netpolAsync(argv: string[], options: AsyncRunOptions = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const stdin = options.stdin ?? '';
  const code = await runCliAsync(argv, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    readStdin: () => Buffer.from(stdin),
    stdinStream: () => Readable.from([Buffer.from(stdin)]),
    stderrIsTty: options.stderrIsTty ?? false,
  });
  return { code, stdout, stderr };
}

/** A fresh temporary directory with the given files (name -> content). */
export function tempDir(files: Record<string, string | Buffer> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-cli-'));
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

/** A NetworkPolicy as YAML. */
export function policyYaml(name: string, specYaml: string, namespace = 'shop'): string {
  return `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\nspec:\n${specYaml}`;
}
