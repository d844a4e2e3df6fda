import { createHash, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

/**
 * The file, inside every directory `replaceDirectoryAtomically` fills, that lists what it wrote
 * there: one `<sha256>  <path>` line per file, sorted by path (the format of `sha256sum`, so
 * `sha256sum -c .netpol-app.sha256` checks the output). No `.yaml`/`.yml`/`.json` extension, so
 * `kubectl apply -f`, Argo CD and the manifest reader never take it for a manifest.
 */
export const OUTPUT_LIST = '.netpol-app.sha256';

/** How many foreign files an error names before it says "and N more". */
const NAMED_FILES = 10;

/**
 * A fresh staging directory name next to `target` (same parent, so the swap is a rename on one
 * file system), unique to this call: `.<name>.staging-<pid>-<random>`. Relative when `target` is.
 * Nothing is created.
 */
export function stagingDirectoryFor(target: string): string {
  return path.join(target, '..', `.${path.basename(path.resolve(target))}.staging-${uniqueSuffix()}`);
}

/**
 * Creates `staging` (a directory next to `target`, from `stagingDirectoryFor`), lets `write` fill
 * it, records what it wrote in `OUTPUT_LIST`, then puts it in place of `target`.
 *
 * `target` is replaced only if it is missing, holds no files, or holds nothing but the unchanged
 * files a previous call listed in its `OUTPUT_LIST`; otherwise this throws before anything is
 * written and names the files it would have deleted. The check runs again just before the swap.
 * If `write` throws, the staging directory is removed and `target` is left exactly as it was; if it
 * succeeds, `target` holds exactly what `write` wrote (stale files of the previous run are gone)
 * and `staging` no longer exists.
 */
export function replaceDirectoryAtomically(target: string, staging: string, write: () => void): void {
  const absolute = path.resolve(target);
  const parent = path.dirname(absolute);
  if (path.dirname(path.resolve(staging)) !== parent || path.resolve(staging) === absolute) {
    throw new Error(`cdk8s-netpol: the staging directory ${staging} is not next to the output directory ${target}, so it cannot be swapped in by a rename.`);
  }
  assertReplaceable(target, absolute);
  fs.mkdirSync(parent, { recursive: true });
  // Recursive: what was written into the staging directory before the synth (its name is unique
  // to this app) is part of the output.
  fs.mkdirSync(staging, { recursive: true });
  try {
    write();
    recordOutput(staging);
    assertReplaceable(target, absolute); // nothing foreign arrived while writing
  } catch (e) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw e;
  }
  const old = path.join(parent, `.${path.basename(absolute)}.old-${uniqueSuffix()}`);
  const hadTarget = fs.existsSync(absolute);
  if (hadTarget) fs.renameSync(absolute, old);
  try {
    fs.renameSync(staging, absolute);
  } catch (e) {
    if (hadTarget) fs.renameSync(old, absolute);
    fs.rmSync(staging, { recursive: true, force: true });
    throw e;
  }
  if (hadTarget) fs.rmSync(old, { recursive: true, force: true });
}

function uniqueSuffix(): string {
  return `${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** Writes `OUTPUT_LIST` into `dir`: every file in it with its SHA-256, sorted by path. */
function recordOutput(dir: string): void {
  const listFile = path.join(dir, OUTPUT_LIST);
  if (fs.existsSync(listFile)) {
    throw new Error(`cdk8s-netpol: the synth wrote a file named ${OUTPUT_LIST}, the name of the list of written files. Rename the chart or file that produces it.`);
  }
  const lines = walk(dir).map((entry) => {
    if (entry.kind !== 'file') throw new Error(`cdk8s-netpol: the synth wrote ${entry.path}, which is not a regular file; NetpolApp only writes files and directories.`);
    return `${sha256(path.join(dir, entry.path))}  ${entry.path}\n`;
  });
  fs.writeFileSync(listFile, lines.join(''));
}

/**
 * Throws unless `absolute` may be replaced without losing a file that a previous synth did not
 * write: it is missing, an empty directory (or one holding only empty directories), or a directory
 * whose files are exactly (a subset of) the unchanged files its `OUTPUT_LIST` names.
 */
function assertReplaceable(given: string, absolute: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(absolute);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  const refuse = (why: string, fix: string) => new Error(`cdk8s-netpol: refusing to write the output to ${given}: ${why}. ${fix}`);
  if (stat.isSymbolicLink()) {
    throw refuse('it is a symbolic link, and replacing it would replace the link, not the directory it points to', 'Give NetpolApp the real directory as outdir.');
  }
  if (!stat.isDirectory()) {
    throw refuse('it exists and is not a directory', 'Give NetpolApp an outdir of its own, or move the file away.');
  }
  const listed = readOutputList(given, absolute);
  const foreign: string[] = [];
  const changed: string[] = [];
  for (const entry of walk(absolute)) {
    if (entry.path === OUTPUT_LIST && listed) continue;
    const hash = listed?.get(entry.path);
    if (entry.kind !== 'file' || hash === undefined) foreign.push(entry.kind === 'file' ? entry.path : `${entry.path} (${entry.kind})`);
    else if (sha256(path.join(absolute, entry.path)) !== hash) changed.push(entry.path);
  }
  if (foreign.length === 0 && changed.length === 0) return;
  const problems: string[] = [];
  if (foreign.length > 0) {
    problems.push(listed
      ? `it holds files that no earlier synth wrote there (they are not in its ${OUTPUT_LIST}): ${name(foreign)}`
      : `it holds files but no ${OUTPUT_LIST} (the list of the files an earlier synth wrote), so any of them may be someone else's: ${name(foreign)}`);
  }
  if (changed.length > 0) problems.push(`files written by an earlier synth were changed since: ${name(changed)}`);
  throw refuse(`${problems.join('; ')}. NetpolApp replaces its whole output directory and never deletes a file it did not write`,
    'Give NetpolApp an output directory of its own (outdir), or move these files out of it (delete the directory if nothing in it is needed).');
}

/** The files `OUTPUT_LIST` in `dir` names, with their hashes; undefined when there is no list. */
function readOutputList(given: string, dir: string): Map<string, string> | undefined {
  const file = path.join(dir, OUTPUT_LIST);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'EISDIR') return undefined;
    throw e;
  }
  const listed = new Map<string, string>();
  text.split('\n').forEach((line, i, lines) => {
    if (line === '' && i === lines.length - 1) return;
    const m = /^([0-9a-f]{64}) {2}(.+)$/.exec(line);
    const entry = m?.[2];
    if (!m || !entry || entry.startsWith('/') || entry.split('/').some((part) => part === '' || part === '.' || part === '..')) {
      throw new Error(`cdk8s-netpol: refusing to write the output to ${given}: ${path.join(given, OUTPUT_LIST)}:${i + 1} is not a "<sha256>  <relative path>" line, `
        + 'so it is not the list of written files NetpolApp keeps and the files it covers cannot be trusted. '
        + 'Move the files that are still needed out of the directory and delete it, or give NetpolApp another outdir.');
    }
    listed.set(entry, m[1]);
  });
  return listed;
}

interface Entry {
  /** Relative to the walked directory, with `/` separators. */
  readonly path: string;
  readonly kind: 'file' | 'symbolic link' | 'special file';
}

/** Every non-directory entry below `dir` (directories are descended, never followed through links), sorted. */
function walk(dir: string, prefix = ''): Entry[] {
  const out: Entry[] = [];
  for (const entry of fs.readdirSync(path.join(dir, prefix), { withFileTypes: true })) {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...walk(dir, relative));
    else out.push({ path: relative, kind: entry.isFile() ? 'file' : entry.isSymbolicLink() ? 'symbolic link' : 'special file' });
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function sha256(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

function name(files: string[]): string {
  const shown = files.slice(0, NAMED_FILES).join(', ');
  return files.length > NAMED_FILES ? `${shown} and ${files.length - NAMED_FILES} more` : shown;
}
