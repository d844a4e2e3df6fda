import { Testing, Yaml } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { MODEL, optionsFor, portOf, RECIPES, runRecipe } from './catalogue';
import { AllowPrometheusScraping, ApplicationStack, Environment, ExternalDestination, Peer, Port, Reachability, Selector } from '../../src';
import { validateManifests } from '../../src/validation/validate-manifests';

/** Every recipe: its YAML is locked, and the analyser proves what it allows AND what it denies. */
describe.each(RECIPES.map((r) => [r.id, r] as const))('%s', (_id, recipe) => {
  const app = runRecipe(recipe);
  const manifests = app.charts.flatMap((c) => c.toJson());

  test('YAML', () => {
    expect(Yaml.stringify(...manifests)).toMatchSnapshot();
  });

  test('lint-clean under --strict in the model cluster (only findings it accepts, with their reasons, or that it is meant to show)', () => {
    const report = validateManifests([...MODEL, ...(recipe.model ?? []), ...manifests].map((object) => ({ object })));
    expect(report.findings.map((f) => `${f.code} ${f.object} ${f.field}: ${f.message}`)).toEqual(recipe.findings ?? []);
    for (const s of report.silenced) expect(s.reason.length).toBeGreaterThan(10);
  });

  test('allows and denies what it says', () => {
    const r = Reachability.fromManifests([...MODEL, ...(recipe.model ?? []), ...manifests], optionsFor(recipe));
    expect(r.skipped).toEqual([]);
    expect(recipe.expect.some(([, , , allowed]) => allowed)).toBe(true);
    expect(recipe.expect.some(([, , , allowed]) => !allowed)).toBe(true);
    for (const [from, to, port, allowed] of recipe.expect) {
      if (r.allows(from, to, portOf(port)) !== allowed) {
        throw new Error(`expected ${from} -> ${to} on ${port} to be ${allowed ? 'allowed' : 'denied'}:\n${r.explain(from, to, portOf(port))}`);
      }
    }
  });
});

test('a debugging allowance can never appear in prod (or without an environment)', () => {
  const prod = new ApplicationStack(Testing.app(), 'prod', { namespace: 'shop-prod', environment: Environment.prod() });
  prod.addService('web', { labels: { app: 'web' } });
  expect(() => prod.allowDebugAccess('debug-tools', Port.allTcp())).toThrow(/^\[prod\] allowDebugAccess from namespace "debug-tools": environment "prod" does not allow debug access, so the allowance is refused\. Declare it only in stacks with environment: Environment\.dev\(\)/);
  const none = new ApplicationStack(Testing.app(), 'plain', { namespace: 'shop' });
  expect(() => none.allowDebugAccess('debug-tools', Port.allTcp())).toThrow(/the stack has no environment/);
  expect(() => Environment.of('prod', { allowsDebugAccess: true })).toThrow(/Production never accepts a debugging allowance/);
  expect(Environment.staging().allowsDebugAccess).toBe(false);
});

test('a realistic stack with workloads, labels-only services and recipes is lint-clean under --strict', () => {
  const app = Testing.app();
  const stack = new ApplicationStack(app, 'shop', { namespace: 'shop', sharedNamespaces: ['ingress-nginx', 'monitoring'] });
  const workload = (name: string, port: number) => new kplus.Deployment(stack, name, {
    metadata: { name }, podMetadata: { labels: { app: name } }, containers: [{ image: name, ports: [{ number: port, name: 'http' }, { number: 9090, name: 'metrics' }], securityContext: { user: 1000 } }],
  });
  const web = stack.addService('web', { workload: workload('web', 8080) });
  const api = stack.addService('api', { workload: workload('api', 8080) });
  const pg = stack.addService('postgres', { labels: { 'cnpg.io/cluster': 'pg' }, ports: [{ number: 5432 }] });
  const cache = stack.addService('cache', { namespace: 'data', labels: { app: 'redis' } });
  stack.allowIngress(web, Peer.podsInNamespace('ingress-nginx', Selector.labels({ 'app.kubernetes.io/name': 'ingress-nginx' })), Port.named('http'));
  stack.allow(web, api, Port.tcp(8080));
  stack.allow(api, pg, Port.tcp(5432));
  stack.allow(pg, pg, Port.tcp(5432));
  stack.allow(api, cache, Port.tcp(6379));
  stack.allowExternal(api, ExternalDestination.cidrs('payments', ['203.0.113.0/24']), Port.tcp(443));
  new AllowPrometheusScraping(stack, 'scrape-api', { endpoint: api, port: Port.named('metrics') });
  new AllowPrometheusScraping(stack, 'scrape-web', { pods: Selector.labels({ app: 'web' }), port: Port.named('metrics') });
  new AllowPrometheusScraping(stack, 'scrape-pg', { pods: Selector.labels({ 'cnpg.io/cluster': 'pg' }), port: Port.tcp(9187) });
  const report = validateManifests(stack.toJson().map((object: unknown) => ({ object })));
  expect(report.findings.map((f) => `${f.code} ${f.object} ${f.field}: ${f.message}`)).toEqual([]);
  expect(report.silenced.map((s) => `${s.code} ${s.object}`)).toEqual(['NP009 shop/scrape-pg']);
  const r = Reachability.fromChart(stack, { pods: [{ namespace: 'monitoring', name: 'prometheus', labels: { 'app.kubernetes.io/name': 'prometheus' } }] });
  expect(r.allows('monitoring/prometheus', 'shop/api', Port.tcp(9090))).toBe(true);
  expect(r.allows('monitoring/prometheus', 'shop/api', Port.tcp(8080))).toBe(false);
  expect(r.allows('shop/web', 'shop/api', Port.tcp(8080))).toBe(true);
  expect(r.allows('shop/web', 'shop/api', Port.tcp(9090))).toBe(false);
});
