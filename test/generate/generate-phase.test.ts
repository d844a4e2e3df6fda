import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Yaml } from 'cdk8s';
import * as yaml from 'js-yaml';
import { expectedResidue, neverObservedLines } from './residue';
import { EnforcementPhase, FlowReplay, GeneratedProgram, ObservedFlows, PolicyGenerator, Port, TypeScriptFormat } from '../../src';

const ROOT = path.join(__dirname, '..', '..');
const FIXTURE = path.join(__dirname, 'fixtures', 'shop-hubble.jsonl');
const NAMESPACES = ['web', 'shop', 'data'];
const flows = ObservedFlows.fromText(fs.readFileSync(FIXTURE, 'utf8'), { sourceName: 'flows.jsonl' });

const generate = (phase?: EnforcementPhase) => PolicyGenerator.generate(flows, { namespaces: NAMESPACES, ...(phase ? { phase } : {}) });
/** `Kind namespace/name` of every object. */
const kinds = (objects: any[]) => objects.map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`);
/** Each object's YAML by `namespace/name`. */
const byName = (objects: any[]) => new Map(objects.map((o) => [`${o.metadata.namespace}/${o.metadata.name}`, Yaml.stringify(o)]));

/** The program with one service given its own phase, as a reviewer promotes it. */
function promote(program: GeneratedProgram, id: string, phase: EnforcementPhase): GeneratedProgram {
  return { ...program, services: program.services.map((s) => (s.id === id ? { ...s, phase } : s)) };
}

describe('generate --phase', () => {
  const enforced = generate();

  test('enforce, the default, writes no phase: the same bytes as without the option, NetworkPolicies only', () => {
    expect(TypeScriptFormat.program(generate(EnforcementPhase.ENFORCE))).toBe(TypeScriptFormat.program(enforced));
    expect(enforced.stacks.map((s) => s.phase)).toEqual([undefined, undefined, undefined]);
    expect(TypeScriptFormat.program(enforced)).not.toContain('EnforcementPhase');
    expect(new Set(PolicyGenerator.manifests(enforced).map((o) => o.kind))).toEqual(new Set(['NetworkPolicy']));
  });

  test('staged: the phase on every stack, and only that changes in the program', () => {
    const staged = generate(EnforcementPhase.STAGED);
    expect(staged.stacks.map((s) => s.phase)).toEqual([EnforcementPhase.STAGED, EnforcementPhase.STAGED, EnforcementPhase.STAGED]);
    const text = TypeScriptFormat.program(staged);
    expect(text).toContain("import { ApplicationStack, EnforcementPhase, ExternalDestination, NetpolApp, Peer, Port, Selector } from 'cdk8s-netpol';");
    expect(text).toContain("super(scope, id, { namespace: 'data', dns: false, phase: EnforcementPhase.STAGED });");
    expect(text).toContain("super(scope, id, { namespace: 'shop', phase: EnforcementPhase.STAGED });");
    expect(text).toContain("super(scope, id, { namespace: 'web', phase: EnforcementPhase.STAGED });");
    // Apart from the import, the header's note and the three stack lines, the program is the enforced one.
    const plain = TypeScriptFormat.program(enforced).split('\n');
    const changed = text.split('\n').filter((l) => !plain.includes(l));
    expect(changed.filter((l) => !l.startsWith('//'))).toHaveLength(4);
    expect(changed.filter((l) => l.startsWith('//'))).toEqual([
      '// Staged (EnforcementPhase.STAGED): the policies are Calico StagedKubernetesNetworkPolicy objects, evaluated and reported, not enforced;',
      '// promote a service with phase: EnforcementPhase.ENFORCE on it, then the stack (netpol replay --fail-on staged is the gate).',
    ]);
  });

  test('staged: the program compiles, synthesizes staged policies only, and its replay blocks nothing and would deny nothing', () => {
    const staged = generate(EnforcementPhase.STAGED);
    fs.mkdirSync(path.join(ROOT, '.tmp'), { recursive: true });
    const dir = fs.mkdtempSync(path.join(ROOT, '.tmp', 'generate-staged-'));
    try {
      const file = path.join(dir, 'policies.ts');
      fs.writeFileSync(file, TypeScriptFormat.program(staged, { importFrom: path.relative(dir, path.join(ROOT, 'src')) }));
      const outdir = path.join(dir, 'dist');
      execFileSync(process.execPath, [require.resolve('ts-node/dist/bin'), '--project', path.join(ROOT, 'scripts', 'tsconfig.json'), file], {
        cwd: dir, env: { ...process.env, CDK8S_OUTDIR: outdir }, stdio: 'pipe',
      });
      const written = fs.readdirSync(outdir).filter((f) => f.endsWith('.k8s.yaml')).sort()
        .flatMap((f) => yaml.loadAll(fs.readFileSync(path.join(outdir, f), 'utf8'))) as any[];
      expect(written).toEqual(PolicyGenerator.manifests(staged));
      // Every namespace's services are all staged, so its default deny and DNS policy are staged too: no NetworkPolicy at all.
      expect(new Set(written.map((o) => `${o.apiVersion} ${o.kind}`))).toEqual(new Set(['projectcalico.org/v3 StagedKubernetesNetworkPolicy']));
      expect(kinds(written)).toEqual(expect.arrayContaining([
        'StagedKubernetesNetworkPolicy shop/default-deny', 'StagedKubernetesNetworkPolicy shop/allow-dns', 'StagedKubernetesNetworkPolicy shop/payments-egress',
      ]));
      const replay = FlowReplay.fromManifests(written, flows);
      expect(replay.blocked).toEqual([]);
      expect(replay.stagedBlocked).toEqual([]);
      expect(replay.stagedPassed).toBe(true);
      expect(replay.summary.allowed).toBe(flows.connections.length - staged.unexpressed.length);
      // Nothing enforces: an unobserved connection is allowed today, and the staged policies say they would deny it.
      const intruder = replay.reachability.explain('shop/cart', 'data/postgres', Port.tcp(5432));
      expect(intruder.allowed).toBe(true);
      expect(intruder.staged?.allowed).toBe(false);
      expect(replay.reachability.explain('shop/catalog', 'data/postgres', Port.tcp(5432)).staged?.allowed).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);

  test('the stacks promoted: the staged objects\' specs, enforced, and the enforced program\'s residue', () => {
    const program = generate(EnforcementPhase.STAGED);
    const staged = PolicyGenerator.manifests(program);
    const promoted = PolicyGenerator.manifests({ ...program, stacks: program.stacks.map((s) => ({ ...s, phase: EnforcementPhase.ENFORCE })) });
    expect(promoted.map((o) => o.spec)).toEqual(staged.map((o) => o.spec));
    expect(new Set(promoted.map((o) => o.kind))).toEqual(new Set(['NetworkPolicy']));
    const replay = FlowReplay.fromManifests(promoted, flows);
    expect(replay.passed).toBe(true);
    expect(neverObservedLines(replay)).toEqual(expectedResidue(generate(), flows));
  });

  test('observe: the phase on every stack, no object, so the replay has nothing enforced or staged', () => {
    const observed = generate(EnforcementPhase.OBSERVE);
    expect(TypeScriptFormat.program(observed)).toContain("super(scope, id, { namespace: 'shop', phase: EnforcementPhase.OBSERVE });");
    expect(PolicyGenerator.manifests(observed)).toEqual([]);
    const replay = FlowReplay.fromManifests([], flows);
    expect(replay.passed && replay.stagedPassed).toBe(true);
  });

  test('a service promoted in the program: its phase on its line, and only its two objects change (kind and apiVersion)', () => {
    const staged = generate(EnforcementPhase.STAGED);
    const promoted = promote(staged, 'shop/payments', EnforcementPhase.ENFORCE);
    const before = TypeScriptFormat.program(staged).split('\n');
    const after = TypeScriptFormat.program(promoted).split('\n');
    expect(after.filter((l) => !before.includes(l))).toEqual([
      "    const payments = this.addService('payments', { labels: { 'app.kubernetes.io/name': 'payments' }, ports: [{ number: 8443 }], "
        + 'phase: EnforcementPhase.ENFORCE }); // Deployment',
    ]);
    const was = byName(PolicyGenerator.manifests(staged));
    const now = byName(PolicyGenerator.manifests(promoted));
    expect([...now.keys()].sort()).toEqual([...was.keys()].sort());
    expect([...now.keys()].filter((k) => now.get(k) !== was.get(k)).sort()).toEqual(['shop/payments-egress', 'shop/payments-ingress']);
    // Enforced now: payments is isolated; the rest of shop is still only staged.
    const replay = FlowReplay.fromManifests(PolicyGenerator.manifests(promoted), flows);
    expect(replay.passed).toBe(true);
    expect(replay.stagedPassed).toBe(true);
    expect(replay.reachability.allows('shop/cart', 'shop/payments', Port.tcp(8443))).toBe(false);
    expect(replay.reachability.allows('shop/checkout', 'shop/payments', Port.tcp(8443))).toBe(true);
    expect(replay.reachability.allows('shop/cart', 'shop/checkout', Port.tcp(8080))).toBe(true);
  });

  test('a phase that is not one is refused', () => {
    expect(() => PolicyGenerator.generate(flows, { namespaces: NAMESPACES, phase: 'STAGE' as EnforcementPhase }))
      .toThrow('phase "STAGE" is not an enforcement phase. Use EnforcementPhase.OBSERVE, EnforcementPhase.STAGED or EnforcementPhase.ENFORCE.');
  });
});
