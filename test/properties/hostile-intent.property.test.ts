import * as fc from 'fast-check';
import { buildHostileApp, expectedRefusals, HostileApp, hostileApp, hostileMismatches } from './hostile-model';
import { kubeName } from '../../src/constructs/naming';
import { validateManifests } from '../../src/validation/validate-manifests';
import { fuzzParameters } from '../fuzz-config';

/**
 * Fail closed under hostile input: for random apps with colliding and non-ASCII names, services
 * shared by several charts, self-dependencies and environment stacks naming foreign namespaces, the
 * build either refuses (only where the documented rules refuse) or allows exactly what was declared,
 * pod by pod, as the analyser computes it.
 */
test('hostile apps: a documented refusal, or allowed == declared for every pod pair and port', () => {
  let built = 0;
  let refused = 0;
  fc.assert(fc.property(hostileApp, (spec) => {
    const refusals = expectedRefusals(spec);
    let app;
    try {
      app = buildHostileApp(spec);
    } catch (e) {
      if (refusals.length === 0) throw new Error(`refused declarations that the rules accept: ${(e as Error).message}`);
      expect((e as Error).message).toMatch(/^\[stack\d+(\/NetworkPolicies(\/[\w.-]+)?)?\] .*(both map to the policies|declared twice|has no letters or digits|sharedNamespaces)/);
      refused++;
      return;
    }
    built++;
    const wrong = hostileMismatches(spec, app);
    if (wrong.length > 0) throw new Error(`${wrong.length} mismatches, e.g.:\n${wrong.slice(0, 5).join('\n')}`);
  }), fuzzParameters(150));
  // The generator must exercise both outcomes, or the property proves little.
  expect(built).toBeGreaterThan(20);
  expect(refused).toBeGreaterThan(5);
});

/** Counter-examples kept as regular tests. */
const CASES: Record<string, HostileApp> = {
  'web_api and web-api are the same workload in two charts, with a self-dependency': {
    services: [{ name: 'web_api', namespace: 'shop', workload: 0 }, { name: 'web-api', namespace: 'shop', workload: 0 }, { name: 'db', namespace: 'data', workload: 1 }],
    stacks: [
      { services: [0, 2], dependencies: [{ from: 0, to: 2, port: 1 }, { from: 2, to: 2, port: 1 }], ingress: [], dns: true, defaultDeny: true },
      { services: [1, 2], dependencies: [{ from: 1, to: 2, port: 0 }], ingress: [{ to: 1, byZone: true, port: 0 }], dns: false, defaultDeny: false },
    ],
    environment: 'prod',
    sharedNamespaces: [],
  },
  'two stacks share data/db without an environment, one names ingress-nginx': {
    services: [{ name: 'Web', namespace: 'shop', workload: 0 }, { name: 'api', namespace: 'auth', workload: 1 }, { name: 'DB', namespace: 'data', workload: 2 }],
    stacks: [
      { services: [0, 2], dependencies: [{ from: 0, to: 2, port: 1 }], ingress: [{ to: 0, namespace: 'ingress-nginx', byZone: false, port: 0 }], dns: true, defaultDeny: false },
      { services: [1, 2], dependencies: [{ from: 1, to: 2, port: 2 }], ingress: [], dns: true, defaultDeny: true },
    ],
    sharedNamespaces: [],
  },
};

test.each(Object.entries(CASES))('%s', (_name, spec) => {
  expect(expectedRefusals(spec)).toEqual([]);
  expect(hostileMismatches(spec, buildHostileApp(spec))).toEqual([]);
});

/**
 * Lint-clean: what the constructs emit passes `netpol validate --strict` (DNS on, as stacks have by
 * default). The one finding left to the user is NP009 when one workload is declared as two services
 * under two names (two policies select the same pods: they could be one).
 */
test('hostile apps with DNS: the output is lint-clean under --strict', () => {
  fc.assert(fc.property(hostileApp, (raw) => {
    const spec: HostileApp = { ...raw, stacks: raw.stacks.map((s) => ({ ...s, dns: true })) };
    let app;
    try {
      app = buildHostileApp(spec);
    } catch {
      return; // refusals are the other property's business
    }
    const objects = app.charts.flatMap((c) => c.toJson()).map((object: unknown) => ({ object }));
    const report = validateManifests(objects);
    const twoNames = new Set(spec.services.map((s) => `${s.namespace}/w${s.workload}`)).size < new Set(spec.services.map((s) => `${s.namespace}/${kubeName([s.name])}`)).size;
    const findings = report.findings.filter((f) => !(twoNames && f.code === 'NP009'));
    expect(findings.map((f) => `${f.code} ${f.object} ${f.field}: ${f.message}`)).toEqual([]);
  }), fuzzParameters(100));
});
