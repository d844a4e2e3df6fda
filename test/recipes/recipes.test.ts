import { Testing, Yaml } from 'cdk8s';
import { MODEL, MODEL_OPTIONS, portOf, RECIPES, runRecipe } from './catalogue';
import { ApplicationStack, Environment, Port, Reachability } from '../../src';

/** Every recipe: its YAML is locked, and the analyser proves what it allows AND what it denies. */
describe.each(RECIPES.map((r) => [r.id, r] as const))('%s', (_id, recipe) => {
  const app = runRecipe(recipe);
  const manifests = app.charts.flatMap((c) => c.toJson());

  test('YAML', () => {
    expect(Yaml.stringify(...manifests)).toMatchSnapshot();
  });

  test('allows and denies what it says', () => {
    const r = Reachability.fromManifests([...MODEL, ...(recipe.model ?? []), ...manifests], MODEL_OPTIONS);
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
