import { CliResult, netpolAsync } from './cli-harness';
import { describeOptions } from '../../src/cli/args';

const HELPS: Record<string, string[]> = {
  'netpol --help': ['--help'],
  'netpol validate --help': ['validate', '--help'],
  'netpol matrix --help': ['matrix', '--help'],
  'netpol explain --help': ['explain', '-h'],
  'netpol diff --help': ['diff', '--help'],
  'netpol check --help': ['check', '--help'],
  'netpol replay --help': ['replay', '--help'],
  'netpol generate --help': ['generate', '--help'],
  'netpol exposure --help': ['exposure', '--help'],
  'netpol blast-radius --help': ['blast-radius', '--help'],
};

describe.each(Object.entries(HELPS))('%s', (_name, argv) => {
  let r: CliResult;
  let lines: string[];
  beforeAll(async () => {
    r = await netpolAsync(argv);
    lines = r.stdout.split('\n');
  });

  test('prints the usage, exit 0', () => {
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(lines[0]).toMatch(/^Usage: netpol /);
    expect(r.stdout.endsWith('\n')).toBe(true);
  });

  test('no line is over 100 characters or ends in a space', () => {
    expect(lines.filter((l) => l.length > 100)).toEqual([]);
    expect(lines.filter((l) => / $/.test(l))).toEqual([]);
  });

  test('every option stands apart from its description, which continues in its column', () => {
    const options = lines.filter((l) => /^ {2}-/.test(l));
    for (const line of options) {
      // `  --name <value>` alone (the description follows on the next line), or two or more spaces before it.
      expect(line).toMatch(/^ {2}(-[a-z], )?--[a-z-]+( <[^>]+>)?( {2,}\S.*)?$/);
    }
    lines.forEach((line, i) => {
      if (/^ {2}-/.test(line) && !/ {2}\S/.test(line.trim())) expect(lines[i + 1]).toMatch(/^ {30}\S/);
    });
    if (argv.length > 1) expect(options.length).toBeGreaterThan(3);
  });
});

test('a long option puts its description on the next line; long descriptions wrap in their column', () => {
  expect(describeOptions({
    format: { type: 'string', valueName: 'text|json|markdown|mermaid|dot', description: 'output format' },
    x: { type: 'boolean', short: 'x', multiple: true, description: `${'word '.repeat(30)}end` },
  })).toBe([
    '  --format <text|json|markdown|mermaid|dot>',
    `${' '.repeat(30)}output format`,
    `  -x, --x${' '.repeat(21)}${'word '.repeat(14).trim()}`,
    `${' '.repeat(30)}${'word '.repeat(14).trim()}`,
    `${' '.repeat(30)}word word end (repeatable)`,
  ].join('\n'));
});
