import { App } from 'cdk8s';
import { ObservedFlows, PolicyGenerator, Port, Reachability } from '../../src';

/**
 * A connection the network did not let through (DROPPED at either end) is not turned into an
 * allow: something already denies it, and a rule would allow more than the cluster does.
 */
const lines = [
  'source,destination,port,protocol,verdict,count',
  'shop/web,shop/api,8080,TCP,FORWARDED,10',
  'shop/attacker,shop/db,5432,TCP,DROPPED,3',
].join('\n');
const pods = (name: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'shop', labels: { app: name } } });
const manifests = ['web', 'api', 'attacker', 'db'].map(pods);
const flows = () => ObservedFlows.fromText(`${lines}\n`, { sourceName: 'flows.csv', manifests });

test('a dropped connection is listed with the reason, not written as a rule; the forwarded one is', () => {
  const program = PolicyGenerator.generate(flows(), { manifests });
  expect(program.unexpressed.map((u) => `${u.observed.source.id} -> ${u.observed.destination.id}`)).toEqual(['shop/attacker -> shop/db']);
  expect(program.unexpressed[0].reason).toMatch(/^the network did not let it through \(DROPPED 3\)/);
  const app = new App();
  PolicyGenerator.declareStacks(app, program);
  const r = Reachability.fromManifests([...manifests, ...app.charts.flatMap((c) => c.toJson())]);
  expect(r.allows('shop/web', 'shop/api', Port.tcp(8080))).toBe(true);
  expect(r.allows('shop/attacker', 'shop/db', Port.tcp(5432))).toBe(false);
});
