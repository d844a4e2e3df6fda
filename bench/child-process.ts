import { spawnSync } from 'child_process';
import * as path from 'path';

/** Marks the result line in a child's output. */
export const RESULT_MARKER = '@@bench-result ';

/** What to run in a child process. */
export interface ChildRequest {
  /** The compiled child entry point (see `compileForChildren`). */
  readonly entry: string;
  /** A scenario id, or `prepare`. */
  readonly id: string;
  readonly size: number;
  readonly work: string;
  readonly warmups: number;
  readonly runs: number;
  readonly naiveLimitMs: number;
  /** Quick mode: no extra repetitions of cheap runs. */
  readonly quick: boolean;
  /** Kill the child after this long (ms). */
  readonly timeoutMs: number;
  /** Extra node options, e.g. `--cpu-prof`. @default - none */
  readonly nodeOptions?: string[];
}

/** What a child reported (its scenario outcome), plus its peak memory and wall time. */
export interface ChildResult {
  readonly peakMiB?: number;
  readonly wallMs?: number;
  readonly error?: string;
  readonly [key: string]: unknown;
}

/**
 * Runs one scenario in a fresh node process (plain node on the compiled code, `--expose-gc`), one at a time
 * so that runs do not compete for the two cores, and returns what it reported. A child that
 * crashes or times out is reported as an error, never thrown.
 */
export function runChild(request: ChildRequest): ChildResult {
  const args = [
    '--expose-gc',
    ...(request.nodeOptions ?? []),
    request.entry,
    request.id, String(request.size), request.work, String(request.warmups), String(request.runs), String(request.naiveLimitMs), request.quick ? 'quick' : 'full',
  ];
  const child = spawnSync(process.execPath, args, {
    cwd: path.join(__dirname, '..'),
    env: { ...process.env, NODE_PATH: path.join(__dirname, '..', 'node_modules') },
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    timeout: request.timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
  });
  const line = (child.stdout ?? '').split('\n').find((l) => l.startsWith(RESULT_MARKER));
  if (line) return JSON.parse(line.slice(RESULT_MARKER.length)) as ChildResult;
  if (child.error && (child.error as NodeJS.ErrnoException).code === 'ETIMEDOUT') {
    return { error: `stopped after ${(request.timeoutMs / 1000).toFixed(0)} s`, timedOut: true };
  }
  return { error: `child exited with ${child.status ?? child.signal}${child.error ? `: ${child.error.message}` : ''}` };
}
