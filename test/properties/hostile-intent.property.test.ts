import * as fc from 'fast-check';
import { buildHostileApp, expectedRefusals, HostileApp, hostileApp, hostileMismatches } from './hostile-model';
import { kubeName } from '../../src/constructs/naming';
import { validateManifests } from '../../src/validation/validate-manifests';
import { fuzzParameters } from '../fuzz-config';

/**
 * Fail closed under hostile input: for random apps with colliding and non-ASCII names, services
 * shared by several charts, self-dependencies, environment stacks naming foreign namespaces, ports
 * handed over by another copy of the package, as a Proxy or forged, and props changed after use, the
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
      expect((e as Error).message).toMatch(/^\[stack\d+(\/NetworkPolicies(\/[\w.-]+)?)?\] .*(both map to the policies|declared twice|has no letters or digits|sharedNamespaces|is a Proxy, not a Port|no Port factory made)/);
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
      { services: [0, 2], dependencies: [{ from: 0, to: 2, port: 1, handover: 'own' }, { from: 2, to: 2, port: 1, handover: 'foreign' }], ingress: [], dns: true, defaultDeny: true, mutateProps: true },
      { services: [1, 2], dependencies: [{ from: 1, to: 2, port: 0, handover: 'own' }], ingress: [{ to: 1, byZone: true, port: 0 }], dns: false, defaultDeny: false, mutateProps: false },
    ],
    environment: 'prod',
    sharedNamespaces: [],
  },
  'two stacks share data/db without an environment, one names ingress-nginx': {
    services: [{ name: 'Web', namespace: 'shop', workload: 0 }, { name: 'api', namespace: 'auth', workload: 1 }, { name: 'DB', namespace: 'data', workload: 2 }],
    stacks: [
      { services: [0, 2], dependencies: [{ from: 0, to: 2, port: 1, handover: 'foreign' }], ingress: [{ to: 0, namespace: 'ingress-nginx', byZone: false, port: 0 }], dns: true, defaultDeny: false, mutateProps: true },
      { services: [1, 2], dependencies: [{ from: 1, to: 2, port: 2, handover: 'own' }], ingress: [], dns: true, defaultDeny: true, mutateProps: false },
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
    // one workload declared (by a stack) under two object names
    const namesOf = new Map<string, Set<string>>();
    for (const i of new Set(spec.stacks.flatMap((st) => st.services))) {
      const s = spec.services[i];
      const names = namesOf.get(`${s.namespace}/w${s.workload}`) ?? new Set<string>();
      namesOf.set(`${s.namespace}/w${s.workload}`, names.add(kubeName([s.name])));
    }
    const twoNames = [...namesOf.values()].some((names) => names.size > 1);
    const findings = report.findings.filter((f) => !(twoNames && f.code === 'NP009'));
    expect(findings.map((f) => `${f.code} ${f.object} ${f.field}: ${f.message}`)).toEqual([]);
  }), fuzzParameters(100));
});
