/** Where a command reads and writes: the process, or a test. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly readStdin: () => Buffer;
  /**
   * Standard input as a stream, for input read in bounded memory (`netpol replay --flows -`).
   * Without it, such input is read whole through `readStdin`.
   */
  readonly stdinStream?: () => AsyncIterable<Buffer | string>;
  /** True when stderr is a terminal, where progress of long reads is shown. */
  readonly stderrIsTty?: boolean;
}

/** Exit codes shared by every command. */
export const ExitCode = {
  /** Success (warnings allowed unless --strict). */
  OK: 0,
  /** Invalid policies found (or, with --fail-on, a gated change). */
  FINDINGS: 1,
  /** Bad usage, or unreadable or unparseable input. */
  USAGE: 2,
} as const;

/** An error the user can fix: printed without a stack trace, exit 2. */
export class UsageError extends Error {}
