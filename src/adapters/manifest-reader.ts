import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as jsyaml from 'js-yaml';
import { KUBE_YAML_SCHEMA } from './kube-yaml-schema';

/** A manifest object with where it came from. */
export interface ReadObject {
  readonly object: unknown;
  /** The file (or `<stdin>`). */
  readonly file: string;
  /** The 1-based line the object starts on, when known. */
  readonly line?: number;
}

/** Input that could not be read or parsed. */
export interface ReadProblem {
  readonly file: string;
  readonly line?: number;
  readonly message: string;
}

/** Limits that keep a hostile input from exhausting time or memory. */
export interface ReadLimits {
  /** Largest file accepted, in bytes. */
  readonly maxFileBytes: number;
  /** Most files read from one directory tree. */
  readonly maxFiles: number;
  /** Deepest nesting of mappings and lists accepted. */
  readonly maxDepth: number;
  /** Most nodes a document may expand to, per byte of text (YAML aliases can expand exponentially). */
  readonly expansionFactor: number;
}

/** Default limits: 64 MiB per file, 100,000 files, nesting 64, at most 1M nodes plus one per byte. */
export const DEFAULT_READ_LIMITS: ReadLimits = { maxFileBytes: 64 * 1024 * 1024, maxFiles: 100_000, maxDepth: 64, expansionFactor: 1 };

/**
 * No limits, for input that is not hostile (what a synth of this process has just written): no
 * file is too large, and documents are not walked for their depth and expanded size (the YAML
 * parser still refuses more than 100 levels of nesting).
 */
export const NO_READ_LIMITS: ReadLimits = { maxFileBytes: Infinity, maxFiles: Infinity, maxDepth: Infinity, expansionFactor: Infinity };

/** What reading produced: the objects, and the problems (each one makes the input unusable). */
export interface ReadResult {
  readonly objects: ReadObject[];
  readonly problems: ReadProblem[];
  /** Files read (after expanding directories). */
  readonly files: string[];
  /** The bytes read of each file (`<stdin>` for standard input), in the order read: what a report names as its inputs. */
  readonly digests: InputDigest[];
}

/** A file that was read, with a hash of its bytes. */
export interface InputDigest {
  /** The path as given (or found under a directory), `<stdin>` for standard input. */
  readonly file: string;
  /** The sha256 of its bytes, in lower-case hex. */
  readonly sha256: string;
  /** Its size in bytes. */
  readonly bytes: number;
}

function digestOf(file: string, data: Buffer): InputDigest {
  return { file, sha256: createHash('sha256').update(data).digest('hex'), bytes: data.length };
}

const MANIFEST_EXTENSIONS = ['.yaml', '.yml', '.json'];

/**
 * Reads manifests from files, directories (recursively: `.yaml`, `.yml`, `.json`, in sorted order)
 * and `-` (stdin). Multi-document YAML and JSON are accepted; `kind: List` wrappers are kept for the
 * caller to open. Never throws: unreadable, binary, oversized, too deeply nested or unparseable
 * input becomes a problem with the file and, where known, the line.
 */
export function readManifests(paths: string[], readStdin: () => Buffer, limits: ReadLimits = DEFAULT_READ_LIMITS): ReadResult {
  const objects: ReadObject[] = [];
  const problems: ReadProblem[] = [];
  const files: string[] = [];
  const digests: InputDigest[] = [];
  for (const p of paths) {
    if (p === '-') {
      files.push('<stdin>');
      let data: Buffer;
      try {
        data = readStdin();
      } catch (e) {
        problems.push({ file: '<stdin>', message: `cannot read standard input: ${errorText(e)}` });
        continue;
      }
      digests.push(digestOf('<stdin>', data));
      parseInto('<stdin>', data, limits, objects, problems);
      continue;
    }
    let stat: fs.Stats;
    try {
      stat = fs.statSync(p);
    } catch (e) {
      problems.push({ file: p, message: (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : `cannot read: ${errorText(e)}` });
      continue;
    }
    const list = stat.isDirectory() ? listManifestFiles(p, limits, problems) : [p];
    for (const file of list) {
      files.push(file);
      let data: Buffer;
      try {
        const size = fs.statSync(file).size;
        if (size > limits.maxFileBytes) {
          problems.push({ file, message: `file is ${formatBytes(size)}, larger than the limit of ${formatBytes(limits.maxFileBytes)}; split it, or raise the limit with --max-file-size` });
          continue;
        }
        data = fs.readFileSync(file);
      } catch (e) {
        problems.push({ file, message: `cannot read: ${errorText(e)}` });
        continue;
      }
      digests.push(digestOf(file, data));
      parseInto(file, data, limits, objects, problems);
    }
  }
  return { objects, problems, files, digests };
}

function listManifestFiles(dir: string, limits: ReadLimits, problems: ReadProblem[]): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch (e) {
      problems.push({ file: d, message: `cannot read directory: ${errorText(e)}` });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (out.length >= limits.maxFiles) return;
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && MANIFEST_EXTENSIONS.includes(path.extname(entry.name).toLowerCase())) out.push(full);
    }
  };
  walk(dir);
  if (out.length >= limits.maxFiles) {
    problems.push({ file: dir, message: `more than ${limits.maxFiles} manifest files; point at a smaller directory` });
  }
  return out;
}

/** Parses one file's bytes into objects (YAML with kubectl's 1.1 booleans; JSON is valid YAML). */
function parseInto(file: string, data: Buffer, limits: ReadLimits, objects: ReadObject[], problems: ReadProblem[]): void {
  if (data.length > limits.maxFileBytes) {
    problems.push({ file, message: `input is ${formatBytes(data.length)}, larger than the limit of ${formatBytes(limits.maxFileBytes)}` });
    return;
  }
  if (data.includes(0)) {
    problems.push({ file, message: 'not a text file (it contains NUL bytes); give YAML or JSON manifests' });
    return;
  }
  const text = data.toString('utf8');
  if (text.includes('\uFFFD') && !Buffer.from(text, 'utf8').equals(data)) {
    problems.push({ file, message: 'not valid UTF-8 text; give YAML or JSON manifests' });
    return;
  }
  if (text.trim() === '') return;
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    // JSON: parse it as JSON (much faster than YAML for large kubectl output), fall back to YAML.
    try {
      const value = JSON.parse(text);
      const depthProblem = shapeProblem(value, limits.maxDepth, { nodes: 1_000_000 + text.length * limits.expansionFactor });
      if (depthProblem) problems.push({ file, line: 1, message: depthProblem });
      else for (const o of Array.isArray(value) ? value : [value]) objects.push({ object: o, file, line: 1 });
      return;
    } catch (e) {
      if (e instanceof RangeError) {
        problems.push({ file, message: `nested too deeply to parse (${errorText(e)})` });
        return;
      }
      // not JSON after all: YAML below
    }
  }
  const lines: number[] = [];
  let depth = 0;
  let values: unknown[];
  try {
    values = jsyaml.loadAll(text, undefined, {
      filename: file,
      schema: KUBE_YAML_SCHEMA,
      // Record the line each document's root node starts on.
      listener: (event, state) => {
        if (event === 'open') {
          if (depth === 0) lines.push(state.line + 1);
          depth++;
        } else {
          depth--;
        }
      },
    }) as unknown[];
  } catch (e) {
    const mark = (e as { mark?: { line?: number } }).mark;
    const reason = (e as { reason?: string }).reason ?? errorText(e);
    problems.push({ file, line: mark?.line !== undefined ? mark.line + 1 : undefined, message: e instanceof RangeError ? 'nested too deeply to parse' : `cannot parse YAML: ${firstLine(reason)}` });
    return;
  }
  // Aliases are shared, not copied, so an alias bomb parses small; walking it would not end.
  // Bound the expanded size by the text size.
  const budget = { nodes: 1_000_000 + text.length * limits.expansionFactor };
  values.forEach((value, i) => {
    if (value === null || value === undefined) return;
    const line = lines[i];
    const problem = shapeProblem(value, limits.maxDepth, budget);
    if (problem) {
      problems.push({ file, line, message: problem });
      return;
    }
    objects.push({ object: value, file, line });
  });
}

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * A message when `value` nests deeper than `maxDepth`, or expands (through shared YAML aliases) to
 * more nodes than the budget; else undefined. Iterative: no stack overflow. Every node costs one of
 * the budget when it is visited (the budget is left spent for the next document of the file); of
 * a node, the budget is checked before its depth. Nothing is allocated per node (a 100,000-pod dump
 * has about 5 million): two parallel stacks of values and their depths, and the children of a
 * mapping walked by own key. Children are pushed in order and popped last first, so where both
 * limits are exceeded the one met first in that order is reported.
 */
function shapeProblem(value: unknown, maxDepth: number, budget: { nodes: number }): string | undefined {
  if (maxDepth === Infinity && budget.nodes === Infinity) return undefined; // NO_READ_LIMITS: nothing to check
  const values: unknown[] = [value];
  const depths: number[] = [1];
  let nodes = budget.nodes;
  let problem: string | undefined;
  while (values.length > 0) {
    const v = values.pop() as any;
    const depth = depths.pop()!;
    if (--nodes < 0) {
      problem = 'expands to far more data than the file holds (YAML aliases used as an alias bomb?); refusing to read it';
      break;
    }
    if (typeof v !== 'object' || v === null) continue;
    if (depth > maxDepth) {
      problem = `nested more than ${maxDepth} levels deep; a manifest is never that deep`;
      break;
    }
    const next = depth + 1;
    if (Array.isArray(v)) {
      // The parsers build dense lists: every index holds a value.
      for (let i = 0; i < v.length; i++) {
        values.push(v[i]);
        depths.push(next);
      }
    } else {
      for (const key in v) {
        if (!hasOwn.call(v, key)) continue;
        values.push(v[key]);
        depths.push(next);
      }
    }
  }
  budget.nodes = nodes;
  return problem;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function firstLine(text: string): string {
  return text.split('\n')[0];
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MiB` : `${n} bytes`;
}
