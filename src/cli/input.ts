import { CliIo, UsageError } from './cli-io';
import { DEFAULT_READ_LIMITS, readManifests, ReadResult } from '../adapters/manifest-reader';

/** Reads the command's inputs; prints every read problem (file:line: message) to stderr. */
export function readInputs(paths: string[], io: CliIo, maxFileSize?: string): ReadResult {
  if (paths.length === 0) {
    throw new UsageError('no input: give files or directories of YAML/JSON manifests, or - to read standard input.');
  }
  const limits = { ...DEFAULT_READ_LIMITS };
  if (maxFileSize !== undefined) {
    const mib = Number(maxFileSize);
    if (!Number.isFinite(mib) || mib <= 0) throw new UsageError(`--max-file-size ${JSON.stringify(maxFileSize)} is not a positive number of MiB.`);
    limits.maxFileBytes = Math.floor(mib * 1024 * 1024);
  }
  const result = readManifests(paths, io.readStdin, limits);
  for (const p of result.problems) io.stderr(`${p.file}${p.line ? `:${p.line}` : ''}: ${p.message}\n`);
  return result;
}
