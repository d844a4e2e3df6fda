import { RESULT_MARKER } from './child-process';
import { collectGarbage, FILL_MS } from './measure';
import { runPair, scenario, ScenarioContext } from './scenarios';
import { prepareSize } from './workspace';

/**
 * The entry point of one child process: runs one scenario at one size (or prepares a size) and
 * prints its result as one JSON line after `RESULT_MARKER`, with the peak resident memory of this
 * process (`process.resourceUsage().maxRSS`), so memory figures are per scenario.
 *
 * Usage: child.js <scenario | pair:<a>:<b> | prepare> <size> <work dir> <warmups> <runs> <naive limit ms> <quick | full>
 */

function main(argv: string[]): void {
  const [id, size, work, warmups, runs, naiveLimitMs, quick] = argv;
  const started = process.hrtime.bigint();
  let result: Record<string, unknown>;
  try {
    if (id === 'prepare') {
      result = { prepared: prepareSize(work, Number(size)) };
    } else {
      const fill = quick === 'quick' ? { single: 0, pair: 0 } : FILL_MS;
      const limit = Number(naiveLimitMs);
      const ctx: ScenarioContext = { work, size: Number(size), warmups: Number(warmups), runs: Number(runs), naiveLimitMs: limit, fill };
      collectGarbage();
      const pair = /^pair:([^:]+):([^:]+)$/.exec(id);
      result = pair ? { ...runPair(scenario(pair[1]), scenario(pair[2]), ctx) } : { ...scenario(id).run(ctx) };
    }
  } catch (e) {
    result = { error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
  }
  const peakMiB = process.resourceUsage().maxRSS / 1024; // maxRSS is in KiB
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  process.stdout.write(`${RESULT_MARKER}${JSON.stringify({ ...result, peakMiB, wallMs })}\n`);
}

main(process.argv.slice(2));
