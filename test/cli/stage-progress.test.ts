import { StageProgress } from '../../src/cli/stage-progress';

function io(tty: boolean) {
  const out = { stderr: '', stdout: '' };
  return { out, io: { stdout: (t: string) => (out.stdout += t), stderr: (t: string) => (out.stderr += t), readStdin: () => Buffer.from(''), stderrIsTty: tty } };
}

describe('progress of long analyses on stderr', () => {
  test('on a terminal, after a second: each step on one line rewritten in place, erased by clear', () => {
    let now = 0;
    const { out, io: cli } = io(true);
    const p = new StageProgress(cli, () => now);
    now = 400;
    p.step('read 10 objects', 'building the model');
    expect(out.stderr).toBe(''); // under a second: nothing
    now = 2500;
    p.step('model of 100,000 endpoints', 'analysing');
    expect(out.stderr).toBe('\rmodel of 100,000 endpoints (2.5 s); analysing...\u001b[K');
    p.clear();
    expect(out.stderr.endsWith('\r\u001b[K')).toBe(true);
    const before = out.stderr;
    p.clear(); // nothing shown any more: nothing to erase
    expect(out.stderr).toBe(before);
    expect(out.stdout).toBe('');
  });

  test('not a terminal (redirected, CI): never shown, however long it takes', () => {
    let now = 0;
    const { out, io: cli } = io(false);
    const p = new StageProgress(cli, () => now);
    now = 60_000;
    p.step('read 10 objects', 'building the model');
    p.clear();
    expect(out.stderr).toBe('');
  });
});
