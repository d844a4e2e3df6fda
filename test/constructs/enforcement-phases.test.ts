import { App, Chart, Testing, Yaml } from 'cdk8s';
import {
  ApplicationStack, ApplicationStackProps, DefaultDeny, EnforcementPhase, FlowReplay, NetworkPolicy, ObservedEndKind, ObservedFlows, Peer, Port,
  Reachability, ReachabilityOptions, Selector, SideDecision, validateManifests,
} from '../../src';
import { reachabilityMatchers } from '../../src/testing/jest-matchers';

expect.extend(reachabilityMatchers);

const { OBSERVE, STAGED, ENFORCE } = EnforcementPhase;

/** What lives around the shop: CoreDNS, and a pod of no service that tries everything. */
const SURROUNDINGS: ReachabilityOptions = {
  pods: [
    { namespace: 'kube-system', name: 'coredns', labels: { 'k8s-app': 'kube-dns' } },
    { namespace: 'shop', name: 'intruder', labels: { app: 'intruder' } },
    { namespace: 'data', name: 'intruder', labels: { app: 'intruder' } },
  ],
};

interface Phases {
  readonly stack?: EnforcementPhase;
  readonly web?: EnforcementPhase;
  readonly api?: EnforcementPhase;
  readonly db?: EnforcementPhase;
}

/** web -> api -> db (db in namespace data), each service in its phase. */
function shop(phases: Phases, props: ApplicationStackProps = {}, app: App = Testing.app()): ApplicationStack {
  const stack = new ApplicationStack(app, 'shop', { namespace: 'shop', phase: phases.stack, ...props });
  const web = stack.addService('web', { labels: { app: 'web' }, ports: [{ number: 8080 }], phase: phases.web });
  const api = stack.addService('api', { labels: { app: 'api' }, ports: [{ number: 9000 }], phase: phases.api });
  const db = stack.addService('db', { namespace: 'data', labels: { app: 'db' }, ports: [{ number: 5432 }], phase: phases.db });
  stack.allow(Peer.podsInNamespace('ingress-nginx', Selector.labels({ app: 'ingress' })), web);
  stack.allow(web, api);
  stack.allow(api, db);
  return stack;
}

/** `Kind namespace/name` of every object, in output order. */
const kinds = (chart: Chart) => chart.toJson().map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`);
/** Each object's YAML, by `namespace/name`. */
const yamlByName = (chart: Chart) => new Map(chart.toJson().map((o) => [`${o.metadata.namespace}/${o.metadata.name}`, Yaml.stringify(o)]));

describe('an enforcement phase per stack and per service', () => {
  test('without a phase, everything is enforced as before: NetworkPolicies, no policy of a service for what the namespace does', () => {
    expect(kinds(shop({}))).toEqual([
      'NetworkPolicy data/allow-dns', 'NetworkPolicy data/db-ingress', 'NetworkPolicy data/default-deny',
      'NetworkPolicy shop/allow-dns', 'NetworkPolicy shop/api-egress', 'NetworkPolicy shop/api-ingress', 'NetworkPolicy shop/default-deny',
      'NetworkPolicy shop/web-egress', 'NetworkPolicy shop/web-ingress',
    ]);
  });

  test('observe emits nothing, staged emits StagedKubernetesNetworkPolicy with the same spec, enforce NetworkPolicy', () => {
    const phased = shop({ stack: STAGED, web: OBSERVE, db: ENFORCE });
    expect(kinds(phased)).toEqual([
      // data has only db (enforced): its namespace-wide policies are enforced.
      'NetworkPolicy data/allow-dns', 'NetworkPolicy data/db-egress', 'NetworkPolicy data/db-ingress', 'NetworkPolicy data/default-deny',
      // shop has web (observed), so its namespace-wide policies are not written; api is staged.
      'StagedKubernetesNetworkPolicy shop/api-egress', 'StagedKubernetesNetworkPolicy shop/api-ingress',
    ]);
    const staged = phased.toJson().find((o) => o.metadata.name === 'api-ingress');
    expect(staged.apiVersion).toBe('projectcalico.org/v3');
    const enforced = shop({ stack: ENFORCE }).toJson().find((o) => o.metadata.name === 'api-ingress');
    expect(staged.spec).toEqual(enforced.spec);
    expect(staged.metadata).toEqual(enforced.metadata);
    // Every object written, staged ones too, passes the validator.
    expect(validateManifests(phased.toJson().map((object) => ({ object }))).findings).toEqual([]);
  });

  test('the analyser: observe is not isolated; staged is not isolated, but explain says staged would deny; enforce is isolated', () => {
    const phased = shop({ stack: STAGED, web: OBSERVE, db: ENFORCE });
    const r = Reachability.fromChart(phased, SURROUNDINGS);
    // The observed service is still an endpoint of the model (declared intent), not isolated, with nothing staged.
    expect(r.endpoints).toEqual(expect.arrayContaining(['shop/web', 'shop/api', 'data/db']));
    const web = r.explain('shop/intruder', 'shop/web', Port.tcp(8080));
    expect(web.allowed).toBe(true);
    expect(web.ingress.decision).toBe(SideDecision.NOT_ISOLATED);
    expect(web.staged?.allowed).toBe(true);
    // The staged service: allowed today, would be denied.
    const api = r.explain('shop/intruder', 'shop/api', Port.tcp(9000));
    expect(api.allowed).toBe(true);
    expect(api.ingress.decision).toBe(SideDecision.NOT_ISOLATED);
    expect(api.staged).toMatchObject({ allowed: false, ingress: { decision: SideDecision.DENIED, isolatingPolicies: ['shop/api-ingress (staged)'] } });
    expect(r.explain('shop/web', 'shop/api', Port.tcp(9000)).staged?.allowed).toBe(true);
    // The enforced service: isolated both ways, its declared dependencies and DNS allowed.
    expect(r.explain('data/intruder', 'data/db', Port.tcp(5432)).ingress.decision).toBe(SideDecision.DENIED);
    expect(r.allows('shop/api', 'data/db', Port.tcp(5432))).toBe(true);
    expect(r.allows('data/db', 'data/intruder', Port.tcp(80))).toBe(false);
    expect(r.allows('data/db', 'kube-system/coredns', Port.udp(53))).toBe(true);
    // The jest matchers see the same.
    expect(phased).toAllow('shop/intruder', 'shop/api', Port.tcp(9000), SURROUNDINGS);
    expect(phased).toDeny('data/intruder', 'data/db', Port.tcp(5432), SURROUNDINGS);
  });

  test('FlowReplay.fromChart maps flows to an observed service and judges them by the declarations once staged', () => {
    const flows = 'source,destination,port,protocol\nshop/web,shop/api,9000,TCP\nshop/web,shop/intruder,80,TCP\n';
    const observed = shop({ stack: OBSERVE });
    expect(observed.toJson()).toEqual([]);
    const replay = FlowReplay.fromChart(observed, ObservedFlows.fromText(flows, { manifests: observed.toJson() }), SURROUNDINGS);
    expect(replay.allowed.map((p) => `${p.from} -> ${p.to}`)).toEqual(['shop/web -> shop/api', 'shop/web -> shop/intruder']);
    expect(replay.added.map((a) => a.id)).not.toContain('shop/web'); // the declared service, not a pod from the flows
    const staged = shop({ stack: STAGED });
    const stagedReplay = FlowReplay.fromChart(staged, ObservedFlows.fromText(flows, { manifests: staged.toJson() }), SURROUNDINGS);
    expect(stagedReplay.passed).toBe(true);
    // (The flows name shop/web, whose workload is not in the manifests: replayed on the declared service.)
    expect(stagedReplay.stagedBlocked.map((p) => `${p.from} -> ${p.to} ${p.fromKind}`)).toEqual([`shop/web -> shop/intruder ${ObservedEndKind.UNDECLARED_WORKLOAD}`]);
  });
});

describe('promoting one service at a time', () => {
  test('changes that service\'s objects only: every other object is byte for byte the same', () => {
    const before = yamlByName(shop({ stack: STAGED }));
    const after = yamlByName(shop({ stack: STAGED, api: ENFORCE }));
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    const changed = [...after.keys()].filter((k) => after.get(k) !== before.get(k)).sort();
    expect(changed).toEqual(['shop/api-egress', 'shop/api-ingress']);
    // And only apiVersion and kind differ.
    expect(after.get('shop/api-ingress')!.replace('networking.k8s.io/v1\nkind: NetworkPolicy', 'X'))
      .toBe(before.get('shop/api-ingress')!.replace('projectcalico.org/v3\nkind: StagedKubernetesNetworkPolicy', 'X'));
  });

  test('the last service of a namespace promoted: the namespace\'s default deny and DNS are enforced too, the other services unchanged', () => {
    const before = yamlByName(shop({ stack: STAGED, web: ENFORCE }));
    const after = yamlByName(shop({ stack: STAGED, web: ENFORCE, api: ENFORCE }));
    const changed = [...after.keys()].filter((k) => after.get(k) !== before.get(k)).sort();
    expect(changed).toEqual(['shop/allow-dns', 'shop/api-egress', 'shop/api-ingress', 'shop/default-deny']);
    expect(after.get('shop/default-deny')).toContain('kind: NetworkPolicy');
  });

  test('from observe to staged, a service appears; nothing else changes', () => {
    const before = yamlByName(shop({ stack: STAGED, db: OBSERVE }));
    const after = yamlByName(shop({ stack: STAGED }));
    const added = [...after.keys()].filter((k) => !before.has(k)).sort();
    expect(added).toEqual(['data/allow-dns', 'data/db-egress', 'data/db-ingress', 'data/default-deny']);
    for (const [k, v] of before) expect([k, after.get(k)]).toEqual([k, v]);
  });
});

describe('the namespace-wide default deny and DNS follow the least enforcing service of their namespace', () => {
  test('a default deny staged while a service is enforced: the service keeps its own isolation and DNS', () => {
    const chart = shop({ stack: STAGED, api: ENFORCE });
    expect(chart.toJson().find((o) => o.metadata.name === 'default-deny' && o.metadata.namespace === 'shop').kind).toBe('StagedKubernetesNetworkPolicy');
    const r = Reachability.fromChart(chart, SURROUNDINGS);
    expect(r.explain('shop/intruder', 'shop/api', Port.tcp(9000)).ingress.isolatingPolicies).toEqual(['shop/api-ingress']);
    expect(r.allows('shop/intruder', 'shop/api', Port.tcp(9000))).toBe(false);
    expect(r.allows('shop/api', 'shop/intruder', Port.tcp(80))).toBe(false);
    expect(r.allows('shop/api', 'kube-system/coredns', Port.udp(53))).toBe(true);
    expect(r.allows('shop/api', 'data/db', Port.tcp(5432))).toBe(true);
    expect(r.allows('shop/web', 'shop/api', Port.tcp(9000))).toBe(true);
    // The staged web is not isolated by anything enforced.
    expect(r.allows('shop/intruder', 'shop/web', Port.tcp(8080))).toBe(true);
  });

  test('an enforced stack with one staged service: the default deny is not enforced, so the staged service is not cut off', () => {
    const chart = shop({ stack: ENFORCE, web: STAGED });
    const r = Reachability.fromChart(chart, SURROUNDINGS);
    expect(r.allows('shop/intruder', 'shop/web', Port.tcp(8080))).toBe(true);
    expect(r.allows('shop/web', 'shop/intruder', Port.tcp(80))).toBe(true);
    expect(r.allows('shop/intruder', 'shop/api', Port.tcp(9000))).toBe(false);
    expect(r.stagedAsEnforced().allows('shop/web', 'shop/intruder', Port.tcp(80))).toBe(false);
  });

  test('a stack without a default deny: each service isolates itself; the namespace DNS policy still follows the phases', () => {
    const chart = shop({ stack: STAGED, api: ENFORCE }, { defaultDeny: false });
    const r = Reachability.fromChart(chart, SURROUNDINGS);
    expect(r.allows('shop/intruder', 'shop/web', Port.tcp(8080))).toBe(true);
    expect(r.allows('shop/intruder', 'shop/api', Port.tcp(9000))).toBe(false);
    expect(r.allows('shop/api', 'kube-system/coredns', Port.udp(53))).toBe(true);
    expect(chart.toJson().find((o) => o.metadata.name === 'allow-dns' && o.metadata.namespace === 'shop').kind).toBe('StagedKubernetesNetworkPolicy');
  });

  test('two stacks sharing a namespace: a staged service of one may not lower the default deny the other stack asks for (the synth fails)', () => {
    const app = Testing.app();
    const a = new ApplicationStack(app, 'a', { namespace: 'shop' });
    a.addService('cart', { labels: { app: 'cart' }, ports: [{ number: 80 }] });
    const b = new ApplicationStack(app, 'b', { namespace: 'shop' });
    b.addService('search', { labels: { app: 'search' }, ports: [{ number: 80 }], phase: STAGED });
    expect(() => app.synth()).toThrow(/the default deny shop\/default-deny, which \[a\] asks for .* because \[b\] has a service in shop in phase STAGED/);
  });
});

describe('phases are checked', () => {
  test('a phase that is not an EnforcementPhase, and one endpoint given two phases, are errors', () => {
    expect(() => new ApplicationStack(Testing.app(), 's', { namespace: 'shop', phase: 'LATER' as any })).toThrow(/phase "LATER" is not an enforcement phase/);
    const stack = new ApplicationStack(Testing.app(), 's', { namespace: 'shop' });
    expect(() => stack.addService('web', { labels: { app: 'web' }, phase: 'soon' as any })).toThrow(/service "web": phase "soon" is not an enforcement phase/);
    const app = Testing.app();
    new ApplicationStack(app, 'one', { namespace: 'shop' }).addService('web', { labels: { app: 'web' }, phase: STAGED });
    expect(() => new ApplicationStack(app, 'two', { namespace: 'shop' }).addService('web', { labels: { app: 'web' }, phase: ENFORCE }))
      .toThrow(/endpoint "web" is given phase ENFORCE here, but \[one\] already gives it phase STAGED/);
  });

  test('NetworkPolicy and DefaultDeny take a phase too', () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'shop' });
    new NetworkPolicy(chart, 'staged', { pods: Selector.labels({ app: 'web' }), isolate: [], phase: STAGED }).allowFrom(Peer.namespace('ops'), Port.tcp(80));
    new NetworkPolicy(chart, 'observed', { pods: Selector.labels({ app: 'web' }), phase: OBSERVE }).allowFrom(Peer.namespace('ops'), Port.tcp(81));
    new DefaultDeny(chart, 'deny', { phase: STAGED });
    expect(kinds(chart)).toEqual(['StagedKubernetesNetworkPolicy shop/staged', 'StagedKubernetesNetworkPolicy shop/deny']);
    expect(() => new NetworkPolicy(chart, 'bad', { pods: Selector.all(), phase: 'NOW' as any })).toThrow(/phase "NOW" is not an enforcement phase/);
  });
});

describe('hostile declarations, staged', () => {
  /** Two charts share a service with a mixed-case name; another service reaches its own replicas; a non-ASCII name. */
  function hostileApp(phase?: EnforcementPhase): App {
    const app = Testing.app();
    const one = new ApplicationStack(app, 'one', { namespace: 'shop', phase });
    const two = new ApplicationStack(app, 'two', { namespace: 'shop', phase });
    const shared1 = one.addService('Web_API', { labels: { app: 'web-api' }, ports: [{ number: 80 }] });
    const shared2 = two.addService('Web_API', { labels: { app: 'web-api' }, ports: [{ number: 80 }] });
    const cafe = one.addService('café', { namespace: 'data', labels: { app: 'cafe' }, ports: [{ number: 5432 }] });
    const worker = two.addService('worker', { labels: { app: 'worker' }, ports: [{ number: 9000 }] });
    one.allow(shared1, cafe);
    one.allow(cafe, cafe);
    two.allow(worker, shared2);
    return app;
  }

  test('with the staged policies as if enforced, the staged app allows exactly what the enforced one does', () => {
    const options: ReachabilityOptions = {
      pods: [
        ...SURROUNDINGS.pods!,
        { namespace: 'shop', name: 'web-api', labels: { app: 'web-api' }, workload: true },
        { namespace: 'shop', name: 'worker', labels: { app: 'worker' }, workload: true },
        { namespace: 'data', name: 'cafe', labels: { app: 'cafe' }, workload: true },
      ],
    };
    const staged = Reachability.fromApp(hostileApp(STAGED), options);
    const promoted = staged.stagedAsEnforced();
    const enforced = Reachability.fromApp(hostileApp(), options);
    expect(staged.stagedPolicies.length).toBeGreaterThan(0);
    for (const port of [Port.tcp(80), Port.tcp(5432), Port.tcp(9000), Port.udp(53), Port.tcp(1)]) {
      for (const from of enforced.endpoints) {
        const label = `${from} on ${port}`;
        expect([label, promoted.matrix(port).allowedRow(from)]).toEqual([label, enforced.matrix(port).allowedRow(from)]);
      }
    }
    // Nothing staged isolates anything.
    expect(staged.allows('shop/intruder', 'data/cafe', Port.tcp(5432))).toBe(true);
    expect(enforced.allows('shop/intruder', 'data/cafe', Port.tcp(5432))).toBe(false);
    expect(enforced.allows('data/cafe', 'data/cafe', Port.tcp(5432))).toBe(true);
  });
});
