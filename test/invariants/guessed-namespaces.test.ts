import * as path from 'path';
import { ApiObject, Chart, Testing, Yaml } from 'cdk8s';
import { EndpointSet, Invariant, Invariants, JsonFormat, MarkdownFormat, Reachability, Selector, TextFormat } from '../../src';
import {
  checkInvariants, EndpointSelectionSpec, invariantFailureMessage, InvariantKind, InvariantResult, InvariantSpec,
} from '../../src/analysis/invariants';
import { netpol, tempDir } from '../cli/cli-harness';

/**
 * An invariant that selects endpoints by namespace labels, for a namespace the input has no
 * Namespace object for: only `kubernetes.io/metadata.name` is known there, the other labels may
 * be anything. The invariant holds only if it holds for every such labelling; a counterexample
 * that needs a particular labelling is reported as one that may not occur, with a note naming the
 * namespaces and the fix. With the Namespace objects the verdict is decided, both ways, without a note.
 *
 * No policies: every pod reaches every other pod, so the verdicts are decided by the selections alone.
 */

const pod = (namespace: string, name: string, ip: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { namespace, name, labels: { app: name } },
  spec: { containers: [{ name: 'c', image: 'i' }] },
  status: { podIP: ip, podIPs: [{ ip }] },
});
const namespace = (name: string, labels: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
const PODS = [pod('shop', 'web', '10.0.0.1'), pod('blog', 'client', '10.0.0.2')];

const red: EndpointSelectionSpec = { namespaceSelector: { matchLabels: { team: 'red' } } };
const notRed: EndpointSelectionSpec = { namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'NotIn', values: ['red'] }] } };
const notBlue: EndpointSelectionSpec = { namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'NotIn', values: ['blue'] }] } };

function check(invariant: InvariantSpec, ...extra: any[]): InvariantResult {
  const report = checkInvariants(Reachability.fromManifests([...PODS, ...extra]), [], [invariant]);
  expect(report.results).toHaveLength(1);
  return report.results[0];
}

/** A verdict decided without a guess: no note, and a counterexample that is not flagged. */
function expectDecided(r: InvariantResult, holds: boolean): void {
  expect(r.holds).toBe(holds);
  expect(r.problem).toBeUndefined();
  expect(r.notes ?? []).toEqual([]);
  if (holds) expect(r.violation).toBeUndefined();
  else expect(r.violation?.guessed).toBeUndefined();
  if (!holds) expect(invariantFailureMessage(r)).not.toContain('may not occur');
}

/** A counterexample read on a guess: it fails, flagged, with a note naming the namespaces and the fix. */
function expectGuessed(r: InvariantResult, from: string, to: string, namespaces: string[]): void {
  expect(r.holds).toBe(false);
  expect(r.problem).toBeUndefined();
  expect(r.violation).toMatchObject({ from, to, guessed: true });
  expect(r.notes).toHaveLength(1);
  const note = r.notes![0];
  for (const ns of namespaces) expect(note).toContain(ns);
  expect(note).toContain('no Namespace object');
  expect(note).toContain('kubectl get namespaces -o yaml');
  expect(note).toContain('--surroundings');
  expect(invariantFailureMessage(r)).toContain('may not occur in the real cluster');
  expect(invariantFailureMessage(r)).toContain(note);
}

describe('NEVER: sources and destinations read as every pod they may name', () => {
  const never: InvariantSpec = { name: 'never-red', kind: InvariantKind.NEVER, from: [red, { namespace: 'shop' }], to: [{ id: 'shop/web' }] };

  test('the repro: blog may be team=red, so blog/client -> shop/web may break it', () => {
    expectGuessed(check(never), 'blog/client', 'shop/web', ['blog']);
  });

  test('with the Namespace object it is decided both ways', () => {
    const fails = check(never, namespace('blog', { team: 'red' }));
    expectDecided(fails, false);
    expect(fails.violation).toMatchObject({ from: 'blog/client', to: 'shop/web' });
    expectDecided(check(never, namespace('blog', { team: 'blue' })), true);
  });

  test('a guess that cannot change the verdict leaves no note', () => {
    // Every pod that may be team=red is denied ingress to shop/web: it holds whatever blog's labels.
    const denyWeb = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { namespace: 'shop', name: 'deny-web' },
      spec: { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'] },
    };
    expectDecided(check(never, denyWeb), true);
    // A selection that does not look at namespace labels is decided without Namespace objects.
    const byName = check({ name: 'blog-never-shop', kind: InvariantKind.NEVER, from: [{ namespace: 'blog' }], to: [{ namespace: 'shop' }] });
    expectDecided(byName, false);
    expect(byName.violation).toMatchObject({ from: 'blog/client', to: 'shop/web' });
    // A certain counterexample wins over one read on a guess, and needs no note.
    const certain = check({ name: 'never-any', kind: InvariantKind.NEVER, from: [red, { id: 'blog/client' }], to: [{ id: 'shop/web' }] });
    expectDecided(certain, false);
    expect(certain.violation).toMatchObject({ from: 'blog/client', to: 'shop/web' });
  });
});

describe('ONLY: the allowed sources read as the pods they certainly name', () => {
  const only: InvariantSpec = { name: 'only-not-red', kind: InvariantKind.ONLY, from: [notRed], to: [{ id: 'shop/web' }] };

  test('the repro: blog may be team=red, so blog/client may not be allowed', () => {
    expectGuessed(check(only), 'blog/client', 'shop/web', ['blog']);
  });

  test('with the Namespace object it is decided both ways', () => {
    const fails = check(only, namespace('blog', { team: 'red' }));
    expectDecided(fails, false);
    expect(fails.violation).toMatchObject({ from: 'blog/client', to: 'shop/web' });
    expectDecided(check(only, namespace('blog', { team: 'blue' })), true);
  });

  test('destinations read as every pod they may name', () => {
    // shop may be team=red: then blog/client reaching shop/web breaks "only shop reaches red".
    const toRed: InvariantSpec = { name: 'only-shop-to-red', kind: InvariantKind.ONLY, from: [{ namespace: 'shop' }], to: [red] };
    expectGuessed(check(toRed, namespace('blog', { team: 'blue' })), 'blog/client', 'shop/web', ['shop']);
    const fails = check(toRed, namespace('blog', { team: 'blue' }), namespace('shop', { team: 'red' }));
    expectDecided(fails, false);
    expect(fails.violation).toMatchObject({ from: 'blog/client', to: 'shop/web' });
    // Neither is red: it names no endpoint, which fails it as a problem (never a vacuous pass).
    const none = check(toRed, namespace('blog', { team: 'blue' }), namespace('shop', { team: 'blue' }));
    expect(none.holds).toBe(false);
    expect(none.problem).toContain('matches no endpoint');
  });
});

describe('CONTAINED: who is inside the zone, and the exceptions, read as the pods they certainly name', () => {
  test('a zone that may not hold blog: shop/web -> blog/client may leave it', () => {
    const contained: InvariantSpec = { name: 'not-blue-contained', kind: InvariantKind.CONTAINED, zone: [notBlue] };
    expectGuessed(check(contained), 'blog/client', 'shop/web', ['blog', 'shop']);
    const fails = check(contained, namespace('shop', { team: 'red' }), namespace('blog', { team: 'blue' }));
    expectDecided(fails, false);
    expect(fails.violation).toMatchObject({ from: 'shop/web', to: 'blog/client' });
    expectDecided(check(contained, namespace('shop', { team: 'red' }), namespace('blog', { team: 'red' })), true);
  });

  test('zone members checked as sources: every pod the zone may hold', () => {
    // blog may be team=red, then blog/client is in the zone and reaches shop/web, outside it.
    const contained: InvariantSpec = { name: 'red-contained', kind: InvariantKind.CONTAINED, zone: [red] };
    expectGuessed(check(contained, namespace('shop', {})), 'blog/client', 'shop/web', ['blog']);
    const fails = check(contained, namespace('shop', {}), namespace('blog', { team: 'red' }));
    expectDecided(fails, false);
    expect(fails.violation).toMatchObject({ from: 'blog/client', to: 'shop/web' });
  });

  test('the exceptions: only the pods they certainly name', () => {
    const contained: InvariantSpec = { name: 'shop-contained', kind: InvariantKind.CONTAINED, zone: [{ namespace: 'shop' }], except: [notBlue] };
    expectGuessed(check(contained), 'shop/web', 'blog/client', ['blog']);
    const fails = check(contained, namespace('blog', { team: 'blue' }));
    expectDecided(fails, false);
    expect(fails.violation).toMatchObject({ from: 'shop/web', to: 'blog/client' });
    expectDecided(check(contained, namespace('blog', { team: 'red' })), true);
  });
});

describe('ISOLATED: each group read as every pod it may hold, shared membership only when certain', () => {
  const isolated: InvariantSpec = { name: 'shop-not-blue', kind: InvariantKind.ISOLATED, groups: [[{ namespace: 'shop' }], [notBlue]] };

  test('blog/client may be in the second group while shop/web is not', () => {
    expectGuessed(check(isolated), 'blog/client', 'shop/web', ['blog', 'shop']);
  });

  test('with the Namespace objects it is decided both ways', () => {
    const fails = check(isolated, namespace('shop', { team: 'blue' }), namespace('blog', { team: 'red' }));
    expectDecided(fails, false);
    expect(fails.violation).toMatchObject({ from: 'blog/client', to: 'shop/web' });
    // shop/web is in both groups, so its traffic with blog/client is inside the second group.
    expectDecided(check(isolated, namespace('shop', { team: 'red' }), namespace('blog', { team: 'red' })), true);
  });

  test('a group that may be empty is not a problem while it may hold a pod', () => {
    const r = check({ name: 'shop-red', kind: InvariantKind.ISOLATED, groups: [[{ namespace: 'shop' }], [red]] }, namespace('shop', {}));
    expectGuessed(r, 'blog/client', 'shop/web', ['blog']);
    const none = check({ name: 'shop-red', kind: InvariantKind.ISOLATED, groups: [[{ namespace: 'shop' }], [red]] }, namespace('shop', {}), namespace('blog', {}));
    expect(none.problem).toContain('matches no endpoint');
  });
});

describe('the formats show the note and the flag', () => {
  test('text, JSON and Markdown', () => {
    const invariant: InvariantSpec = { name: 'never-red', kind: InvariantKind.NEVER, from: [red], to: [{ id: 'shop/web' }] };
    const report = checkInvariants(Reachability.fromManifests(PODS), [], [invariant]);
    const note = report.results[0].notes![0];
    const text = TextFormat.invariants(report);
    expect(text).toContain('counterexample: blog/client -> shop/web on');
    expect(text).toContain('may not occur in the real cluster');
    expect(text).toContain(`note: ${note}`);
    const json = JsonFormat.invariants(report);
    expect(json.invariants[0].notes).toEqual([note]);
    expect(json.invariants[0].violation.guessed).toBe(true);
    expect(MarkdownFormat.invariants(report)).toContain('may not occur in the real cluster');

    const decided = checkInvariants(Reachability.fromManifests([...PODS, namespace('blog', { team: 'red' })]), [], [invariant]);
    expect(TextFormat.invariants(decided)).not.toContain('note:');
    expect(JsonFormat.invariants(decided).invariants[0]).not.toHaveProperty('notes');
    expect(JsonFormat.invariants(decided).invariants[0].violation).not.toHaveProperty('guessed');
  });
});

describe('the Invariants construct', () => {
  function app(blogLabels?: Record<string, string>): Chart {
    const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
    if (blogLabels) new ApiObject(chart, 'blog', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'blog', labels: blogLabels } });
    new Invariants(chart, 'segmentation', {
      invariants: [Invariant.never('never-red', { from: [EndpointSet.namespaces(Selector.labels({ team: 'red' }))], to: [EndpointSet.id('shop/web')] })],
      surroundings: { pods: [{ namespace: 'shop', name: 'web', labels: { app: 'web' } }, { namespace: 'blog', name: 'client', labels: { app: 'client' } }] },
    });
    return chart;
  }

  test('the synth fails on a guess, says so and how to decide it; decided both ways with the Namespace object', () => {
    expect(() => Testing.synth(app())).toThrow(
      /invariant never-red does not hold.*Counterexample \(read on a guess of namespace labels, it may not occur in the real cluster\): blog\/client -> shop\/web.*no Namespace object for namespaces? [^:]*blog.*kubectl get namespaces -o yaml/,
    );
    expect(() => Testing.synth(app({ team: 'red' }))).toThrow(/invariant never-red does not hold.*Counterexample: blog\/client -> shop\/web/);
    expect(() => Testing.synth(app({ team: 'red' }))).not.toThrow(/may not occur/);
    expect(() => Testing.synth(app({ team: 'blue' }))).not.toThrow();
  });
});

describe('netpol check --rules', () => {
  const rules = 'apiVersion: netpol.cdk8s.dev/v1alpha1\nkind: SegmentationRules\nrules:\n  - name: never-red\n'
    + '    never: { from: [{ namespaceSelector: { matchLabels: { team: red } } }, { namespace: shop }], to: [{ workload: shop/web }] }\n';

  test('the repro fails with the note; the Namespace objects in --surroundings decide it', () => {
    const dir = tempDir({
      'm.yaml': Yaml.stringify(...PODS),
      'rules.yaml': rules,
      'blue.yaml': Yaml.stringify(namespace('blog', { team: 'blue' })),
      'red.yaml': Yaml.stringify(namespace('blog', { team: 'red' })),
    });
    const run = (...extra: string[]) => netpol(['check', path.join(dir, 'm.yaml'), '--rules', path.join(dir, 'rules.yaml'), ...extra]);
    const guessed = run();
    expect(guessed.code).toBe(1);
    expect(guessed.stdout).toContain('FAIL never-red');
    expect(guessed.stdout).toContain('counterexample: blog/client -> shop/web on');
    expect(guessed.stdout).toContain('may not occur in the real cluster');
    expect(guessed.stdout).toMatch(/note: no Namespace object for namespace blog .*kubectl get namespaces -o yaml, or --surroundings/);
    const json = JSON.parse(run('--format', 'json').stdout);
    expect(json.invariants[0]).toMatchObject({ holds: false, violation: { from: 'blog/client', to: 'shop/web', guessed: true }, notes: [expect.stringContaining('blog')] });

    const decidedRed = run('--surroundings', path.join(dir, 'red.yaml'));
    expect(decidedRed.code).toBe(1);
    expect(decidedRed.stdout).toContain('counterexample: blog/client -> shop/web on');
    expect(decidedRed.stdout).not.toContain('may not occur');
    expect(decidedRed.stdout).not.toContain('note:');
    const decidedBlue = run('--surroundings', path.join(dir, 'blue.yaml'));
    expect(decidedBlue.stdout).toContain('PASS never-red');
    expect(decidedBlue.code).toBe(0);
  });
});
