import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { DefaultDeny, NetpolApp, NetworkPolicy, Selector } from '../../src';

function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fs.readdirSync(dir).sort()) out[f] = fs.readFileSync(path.join(dir, f), 'utf8');
  return out;
}

describe('NetpolApp writes all or nothing', () => {
  let work: string;
  let outdir: string;
  beforeEach(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-app-'));
    outdir = path.join(work, 'dist');
  });
  afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

  function goodSynth(id = 'good') {
    const app = new NetpolApp({ outdir });
    new DefaultDeny(new Chart(app, id, { namespace: 'shop' }), 'default-deny');
    app.synth();
  }

  test('a successful synth replaces the output as a whole (no stale files)', () => {
    goodSynth('first');
    expect(Object.keys(tree(outdir))).toEqual(['first.k8s.yaml']);
    goodSynth('second');
    expect(Object.keys(tree(outdir))).toEqual(['second.k8s.yaml']);
    expect(fs.readdirSync(work)).toEqual(['dist']);
  });

  test('a validation error leaves the previous output exactly as it was', () => {
    goodSynth();
    const before = tree(outdir);
    const app = new NetpolApp({ outdir });
    new NetworkPolicy(new Chart(app, 'bad', { namespace: 'shop' }), 'empty', { pods: Selector.all() });
    expect(() => app.synth()).toThrow(/\[bad\/empty\] allows nothing and isolates nothing/);
    expect(tree(outdir)).toEqual(before);
    expect(fs.readdirSync(work)).toEqual(['dist']);
  });

  test('an exception while synthesizing leaves the previous output exactly as it was', () => {
    goodSynth();
    const before = tree(outdir);
    const app = new NetpolApp({ outdir });
    const chart = new Chart(app, 'ok', { namespace: 'shop' });
    new DefaultDeny(chart, 'default-deny');
    class Exploding extends Construct {
      constructor(scope: Construct, id: string) {
        super(scope, id);
        this.node.addValidation({ validate: () => { throw new Error('boom'); } });
      }
    }
    new Exploding(chart, 'explodes');
    expect(() => app.synth()).toThrow(/boom/);
    expect(tree(outdir)).toEqual(before);
  });

  test('a first synth that fails creates nothing', () => {
    const app = new NetpolApp({ outdir });
    new NetworkPolicy(new Chart(app, 'bad', { namespace: 'shop' }), 'empty', { pods: Selector.all() });
    expect(() => app.synth()).toThrow();
    expect(fs.existsSync(outdir)).toBe(false);
    expect(fs.readdirSync(work)).toEqual([]);
  });
});

describe('NetpolApp validates everything it writes, across charts', () => {
  test('two charts writing the same policy name fail the synth with both construct paths, and write nothing', () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-app-'));
    const outdir = path.join(work, 'dist');
    const app = new NetpolApp({ outdir });
    new DefaultDeny(new Chart(app, 'one', { namespace: 'shop' }), 'default-deny');
    new DefaultDeny(new Chart(app, 'two', { namespace: 'shop' }), 'default-deny');
    expect(() => app.synth()).toThrow(/\[two\/default-deny\/Resource\] NetworkPolicy shop\/default-deny is also declared at \[one\/default-deny\/Resource\]: applying both keeps only the one applied last/);
    expect(fs.existsSync(outdir)).toBe(false);
    fs.rmSync(work, { recursive: true, force: true });
  });
});
