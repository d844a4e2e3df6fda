import * as fs from 'fs';
import * as path from 'path';
import { Testing, Yaml } from 'cdk8s';
import { ThreeTier } from '../../examples/three-tier';
import { FlowReplay, JsonFormat, MarkdownFormat, ObservedFlows, SideDecision, TextFormat } from '../../src';
import { netpolAsync, tempDir } from '../cli/cli-harness';

/**
 * The three-tier shop's policies staged (every NetworkPolicy as a Calico
 * StagedKubernetesNetworkPolicy, the same spec), replayed against the flows recorded before they
 * were applied: nothing is enforced, so nothing is blocked, and each connection says what the
 * staged policies would do, judged by the same verdict function as the enforcing policies.
 */
const FIXTURES = path.join(__dirname, 'fixtures');
const ENFORCED = Testing.synth(new ThreeTier(Testing.app(), 'three-tier'));
const STAGED = ENFORCED.map((o) => (o.kind === 'NetworkPolicy' ? { ...o, apiVersion: 'projectcalico.org/v3', kind: 'StagedKubernetesNetworkPolicy' } : o));
const HUBBLE = 'three-tier-hubble.jsonl';

function replay(manifests: any[]): FlowReplay {
  const flows = ObservedFlows.fromText(fs.readFileSync(path.join(FIXTURES, HUBBLE), 'utf8'), { manifests, sourceName: HUBBLE });
  return FlowReplay.fromManifests(manifests, flows);
}

const ids = (pairs: FlowReplay['blocked']) => pairs.flatMap((p) => p.connections.map((c) => `${p.from} -> ${p.to} ${c.port}/${c.protocol}`));

describe('replay against staged policies', () => {
  const staged = replay(STAGED);
  const enforced = replay(ENFORCED);

  test('staged policies block nothing: the gate passes; what they would block is listed apart', () => {
    expect(staged.passed).toBe(true);
    expect(staged.blocked).toEqual([]);
    expect(staged.stagedPassed).toBe(false);
    expect(ids(staged.stagedBlocked)).toEqual(['shop/backend -> 198.51.100.7 443/TCP', 'shop/frontend -> shop/postgres 5432/TCP']);
    expect(staged.summary.stagedBlocked).toBe(2);
    expect(staged.stagedPolicies).toContain('shop/default-deny (staged)');
    const shortcut = staged.stagedBlocked[1].connections[0];
    expect(shortcut.verdict.allowed).toBe(true);
    expect(shortcut.staged).toMatchObject({
      allowed: false,
      egress: { decision: SideDecision.DENIED, isolatingPolicies: ['shop/default-deny (staged)', 'shop/frontend-egress (staged)'] },
    });
  });

  test('staged as enforced decides every observed connection exactly as the same policies enforced', () => {
    const verdicts = (r: FlowReplay, pick: (c: FlowReplay['allowed'][number]['connections'][number]) => boolean | undefined) =>
      [...r.allowed, ...r.blocked].flatMap((p) => p.connections.map((c) => `${c.from} -> ${c.to} ${c.port}/${c.protocol}: ${pick(c)}`)).sort();
    expect(verdicts(staged, (c) => c.staged?.allowed)).toEqual(verdicts(enforced, (c) => c.verdict.allowed));
    expect(enforced.stagedPolicies).toEqual([]);
    expect(enforced.stagedBlocked).toEqual([]);
    expect(enforced.allowed[0].connections[0].staged).toBeUndefined();
  });

  test('text, JSON and Markdown say "staged: would deny", and nothing changes without staged policies', () => {
    const text = TextFormat.replay(staged);
    expect(text.split('\n')[0]).toMatch(/; staged: would block 2$/);
    expect(text).toContain('\nstaged: would deny these observed connections (with the 7 staged policies enforced too; they fail the gate only with --fail-on staged):\n'
      + '  shop/backend -> 198.51.100.7 (address outside the cluster)\n'
      + '    443/TCP, seen once (FORWARDED 1): staged: would deny: egress of shop/backend: isolated by shop/backend-egress (staged), shop/default-deny (staged); '
      + 'DENIED: no rule of these policies allows this traffic to 198.51.100.7\n');
    const json = JSON.parse(JSON.stringify(JsonFormat.replay(staged)));
    expect(json).toMatchObject({ passed: true, stagedPassed: false, summary: { blocked: 0, stagedBlocked: 2 } });
    expect(json.stagedBlocked.map((p: any) => `${p.from} -> ${p.to}`)).toEqual(['shop/backend -> 198.51.100.7', 'shop/frontend -> shop/postgres']);
    expect(json.allowed[0].connections[0].staged)
      .toEqual(expect.objectContaining({ allowed: expect.any(Boolean), egress: expect.any(Object), ingress: expect.any(Object) }));
    expect(MarkdownFormat.replay(staged)).toContain('### Staged: would deny (2), with the 7 staged policies enforced too');
    const plain = JsonFormat.replay(enforced);
    expect(plain).not.toHaveProperty('stagedPassed');
    expect(plain.summary).not.toHaveProperty('stagedBlocked');
    expect(TextFormat.replay(enforced)).not.toContain('staged');
  });

  test('a stack whose staged policies allow every observed connection says so', () => {
    const allowedOnly = ObservedFlows.fromText('source,destination,port,protocol\nshop/frontend,shop/backend,8080,TCP\n', { manifests: STAGED });
    const r = FlowReplay.fromManifests(STAGED, allowedOnly);
    expect(r.stagedPassed).toBe(true);
    expect(TextFormat.replay(r)).toContain('\nstaged: would allow every observed connection (with the 7 staged policies enforced too)\n');
    expect(MarkdownFormat.replay(r)).toContain('**Staged**: would allow every observed connection (with the 7 staged policies enforced too).');
  });
});

describe('netpol replay of staged policies', () => {
  const dist = tempDir({ 'three-tier.k8s.yaml': Yaml.stringify(...STAGED) });

  test('exit 0 by default: staged policies do not fail the gate', async () => {
    const r = await netpolAsync(['replay', dist, '--flows', path.join(FIXTURES, HUBBLE)]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('staged: would deny these observed connections');
    expect(r.stderr).not.toContain('left out');
  });

  test('--fail-on staged: exit 1 when the staged policies would block an observed connection', async () => {
    const r = await netpolAsync(['replay', dist, '--flows', path.join(FIXTURES, HUBBLE), '--fail-on', 'staged']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('netpol replay: with the staged policies enforced, the policies would block 2 observed connections (first: shop/backend -> 198.51.100.7 on 443/TCP).');
    const bad = await netpolAsync(['replay', dist, '--flows', path.join(FIXTURES, HUBBLE), '--fail-on', 'any']);
    expect(bad.code).toBe(2);
  });

  test('netpol explain says what the staged policies would do', async () => {
    const r = await netpolAsync(['explain', dist, '--from', 'shop/frontend', '--to', 'shop/postgres', '--port', '5432']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')).toEqual([
      'shop/frontend -> shop/postgres on 5432/TCP: ALLOWED',
      '  egress of shop/frontend: not isolated (no policy selects it for egress), so everything is allowed',
      '  ingress of shop/postgres: not isolated (no policy selects it for ingress), so everything is allowed',
      '  staged: would deny: egress of shop/frontend: isolated by shop/default-deny (staged), shop/frontend-egress (staged); DENIED: no rule of these policies allows this traffic to shop/postgres; '
        + 'and ingress of shop/postgres: isolated by shop/default-deny (staged), shop/postgres-ingress (staged); DENIED: no rule of these policies allows this traffic from shop/frontend',
      '',
    ]);
  });
});
