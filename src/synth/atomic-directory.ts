import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

/**
 * Fills a fresh staging directory next to `target` with `write`, then puts it in place of `target`.
 * If `write` throws, the staging directory is removed and `target` is left exactly as it was; if it
 * succeeds, `target` holds exactly what `write` wrote (stale files of the previous run are gone).
 */
export function replaceDirectoryAtomically(target: string, write: (staging: string) => void): void {
  const absolute = path.resolve(target);
  const parent = path.dirname(absolute);
  fs.mkdirSync(parent, { recursive: true });
  const suffix = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const staging = path.join(parent, `.${path.basename(absolute)}.staging-${suffix}`);
  fs.mkdirSync(staging);
  try {
    write(staging);
  } catch (e) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw e;
  }
  const old = path.join(parent, `.${path.basename(absolute)}.old-${suffix}`);
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
