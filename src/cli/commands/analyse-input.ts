import { HostNetworkMode, Reachability } from '../../analysis/reachability';
import { externalsOption, oneOf } from '../args';
import { CliIo, UsageError } from '../cli-io';
import { readInputs } from '../input';

/** Options shared by the analysing commands. */
export const ANALYSIS_OPTIONS = {
  'external': { type: 'string' as const, multiple: true, valueName: 'name=ip', description: 'an address outside the cluster to include as an endpoint' },
  'max-file-size': { type: 'string' as const, valueName: 'MiB', description: 'largest file to read (default 64)' },
  'host-network': { type: 'string' as const, valueName: 'node|pod', description: 'hostNetwork pods as traffic of their node (default) or as ordinary pods' },
};

/** The `--host-network` option: how hostNetwork pods are analysed (node traffic unless `pod`). */
export function hostNetworkOption(value: string | undefined): HostNetworkMode {
  return oneOf(value, ['node', 'pod'] as const, 'node', 'host-network') === 'pod' ? HostNetworkMode.POD_TRAFFIC : HostNetworkMode.NODE_TRAFFIC;
}

/** The analyser over the command's inputs; `unreadable` is true when some input could not be read. */
export function analyseInputs(
  paths: string[], io: CliIo, externals: string[] | undefined, maxFileSize: string | undefined, hostNetwork?: string,
): { reachability: Reachability; unreadable: boolean } {
  const mode = hostNetworkOption(hostNetwork);
  const input = readInputs(paths, io, maxFileSize);
  const ext = externalsOption(externals);
  let reachability: Reachability;
  try {
    reachability = Reachability._fromSourced(input.objects, { externals: ext, hostNetwork: mode });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  reportInventory(reachability.skipped, reachability.ignored, io);
  return { reachability, unreadable: input.problems.length > 0 };
}

/**
 * Prints, to stderr, each object left out (`file:line: Kind ns/name: left out: reason`) and one line
 * counting the objects of kinds that do not affect verdicts. `prefix` labels the side (`before: `).
 */
export function reportInventory(
  skipped: ReadonlyArray<{ object: string; reason: string; kind?: string; file?: string; line?: number }>,
  ignored: ReadonlyArray<{ kind: string; count: number }>, io: CliIo, prefix = '',
): void {
  for (const s of skipped) {
    const where = s.file !== undefined ? `${s.file}${s.line !== undefined ? `:${s.line}` : ''}: ` : '';
    io.stderr(`${prefix}${where}${s.kind ? `${s.kind} ` : ''}${s.object}: left out: ${s.reason}\n`);
  }
  const total = ignored.reduce((n, k) => n + k.count, 0);
  if (total > 0) {
    io.stderr(`${prefix}ignored ${total} object${total === 1 ? ' of a kind that does' : 's of kinds that do'} not affect NetworkPolicy verdicts: `
      + `${ignored.map((k) => `${k.kind} x${k.count}`).join(', ')}\n`);
  }
}
