import { CliIo } from './cli-io';

/** Progress is shown only for work that has taken longer than this (ms). */
export const STAGE_PROGRESS_AFTER_MS = 1000;

/**
 * Progress of a long analysis on stderr, one line rewritten in place, shown only when stderr is a
 * terminal and the work has taken more than a second: after each step, what is done and what runs
 * next (`read 1 file, 63 MiB in 2 s; building the model...`). Cleared before the result is printed,
 * so stdout and a redirected stderr never see it.
 */
export class StageProgress {
  private shown = false;
  private readonly started: number;

  constructor(private readonly io: CliIo, private readonly now: () => number = Date.now) {
    this.started = now();
  }

  /** Reports a finished step and the next one. */
  public step(done: string, next: string): void {
    const elapsed = this.now() - this.started;
    if (!this.io.stderrIsTty || elapsed < STAGE_PROGRESS_AFTER_MS) return;
    this.io.stderr(`\r${done} (${(elapsed / 1000).toFixed(1)} s); ${next}...\u001b[K`);
    this.shown = true;
  }

  /** Erases the progress line, if one was shown. */
  public clear(): void {
    if (this.shown) this.io.stderr('\r\u001b[K');
    this.shown = false;
  }
}
