import { Reachability } from '../../analysis/reachability';
import { externalsOption } from '../args';
import { CliIo, UsageError } from '../cli-io';
import { readInputs } from '../input';

/** Options shared by the analysing commands. */
export const ANALYSIS_OPTIONS = {
  'external': { type: 'string' as const, multiple: true, valueName: 'name=ip', description: 'an address outside the cluster to include as an endpoint' },
  'max-file-size': { type: 'string' as const, valueName: 'MiB', description: 'largest file to read (default 64)' },
};

/** The analyser over the command's inputs; `unreadable` is true when some input could not be read. */
export function analyseInputs(
  paths: string[], io: CliIo, externals: string[] | undefined, maxFileSize: string | undefined,
): { reachability: Reachability; unreadable: boolean } {
  const input = readInputs(paths, io, maxFileSize);
  const ext = externalsOption(externals);
  let reachability: Reachability;
  try {
    reachability = Reachability._fromSourced(input.objects, { externals: ext });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  for (const s of reachability.skipped) io.stderr(`${s.file ? `${s.file}: ` : ''}${s.object}: left out: ${s.reason}\n`);
  return { reachability, unreadable: input.problems.length > 0 };
}
