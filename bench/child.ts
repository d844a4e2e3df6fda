import { RESULT_MARKER } from './child-process';
import { flowFile, FLOW_SERVICES, runFlowCommand, writeFlowExport } from './flows';
import { generateIntent } from './intent';
import { collectGarbage, FILL_MS } from './measure';
import { runPair, scenario, ScenarioContext } from './scenarios';
import { prepareSize } from './workspace';

/**
 * The entry point of one child process: runs one scenario at one size (or prepares a size) and
 * prints its result as one JSON line after `RESULT_MARKER`, with the peak resident memory of this
 * process (`process.resourceUsage().maxRSS`), so memory figures are per scenario.
 *
 * Usage: child.js <scenario | pair:<a>:<b> | prepare> <size> <work dir> <warmups> <runs> <naive limit ms> <quick | full>
 * For the flow scenarios (`flows-prepare`, `flows-replay`, `flows-generate`), `size` is the number of flow lines.
 */

async function main(argv: string[]): Promise<void> {
  const [id, size, work, warmups, runs, naiveLimitMs, quick] = argv;
  const started = process.hrtime.bigint();
  let result: Record<string, unknown>;
  try {
    if (id === 'flows-prepare') {
      result = { info: writeFlowExport(generateIntent(FLOW_SERVICES), flowFile(work, Number(size)), Number(size)) };
    } else if (id === 'flows-replay' || id === 'flows-generate') {
      collectGarbage();
      // The live heap (after a full collection), sampled every second while the command reads: what it retains, which
      // must not grow with the lines. The peak RSS also holds garbage that V8 has not collected yet.
      let liveHeapMiB = process.memoryUsage().heapUsed / 2 ** 20;
      const sample = setInterval(() => {
        collectGarbage();
        liveHeapMiB = Math.max(liveHeapMiB, process.memoryUsage().heapUsed / 2 ** 20);
      }, 1000);
      try {
        result = { info: { ...await runFlowCommand(id === 'flows-replay' ? 'replay' : 'generate', work, Number(size)), liveHeapMiB } };
      } finally {
        clearInterval(sample);
      }
    } else if (id === 'prepare') {
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

void main(process.argv.slice(2));
