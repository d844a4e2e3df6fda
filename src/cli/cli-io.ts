/** Where a command reads and writes: the process, or a test. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly readStdin: () => Buffer;
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
