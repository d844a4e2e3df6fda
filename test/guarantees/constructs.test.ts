import { App, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  ApplicationStack, DefaultDeny, Direction, Endpoint, Environment, ExternalDestination, ExternalEgress, NetworkPolicies, NetworkPolicy, Peer, Port,
  LintCode, Reachability, Selector, TierChain,
} from '../../src';
import { validateManifests } from '../../src/validation/validate-manifests';
import { CLUSTER_SERVICES } from '../cluster-services';
import { policiesOf, testChart, yamlOf } from '../helpers';

/**
 * The attacks of "fail closed, for real" on the constructs: each one was reproduced on the library before its fix
 * (a broader allow than declared, or access silently lost) and is refused or handled exactly here.
 */
const pod = (namespace: string, name: string, labels: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels } });

describe('1. endpoint names that normalise to one object name', () => {
  const PAIRS: Array<[string, string]> = [['web_api', 'web-api'], ['Front', 'front'], ['a/b', 'a-b'], ['café', 'cafè'], ['WebAPI', 'web-api']];

  test.each(PAIRS)('%s and %s with other pods in one chart: an error naming both declarations', (a, b) => {
    const chart = testChart('shop');
    const net = NetworkPolicies.of(chart);
    net.allow(Endpoint.of({ name: a, pods: Selector.labels({ app: 'api' }) }), Endpoint.fromLabels('db', { app: 'db' }), Port.tcp(5432));
    expect(() => net.allow(Endpoint.of({ name: b, pods: Selector.labels({ app: 'worker' }) }), Endpoint.fromLabels('db', { app: 'db' }), Port.tcp(5432)))
      .toThrow(new RegExp(`endpoint ${JSON.stringify(b)} \\(pods app=worker\\) and endpoint ${JSON.stringify(a)} \\(pods app=api, declared at \\[test/NetworkPolicies\\]\\) both map to the policies`));
  });

  test('names with nothing an object name can keep are refused, not emitted as "-egress"', () => {
    const net = NetworkPolicies.of(testChart('shop'));
    expect(() => net.allow(Endpoint.of({ name: '数据库', pods: Selector.labels({ app: 'db' }) }), Endpoint.fromLabels('x', { app: 'x' }), Port.tcp(1)))
      .toThrow(/endpoint name "数据库" has no letters or digits that an object name can keep.*Give the endpoint a name such as 'backend'/);
  });

  test('the same pods under two spellings are one endpoint: one policy, both rules', () => {
    const chart = testChart('shop');
    const net = NetworkPolicies.of(chart);
    const db = Endpoint.fromLabels('db', { app: 'db' });
    net.allow(Endpoint.fromLabels('web_api', { app: 'api' }), db, Port.tcp(5432));
    net.allow(Endpoint.fromLabels('web-api', { app: 'api' }), db, Port.tcp(6379));
    expect(policiesOf(chart).map((p) => p.metadata.name)).toEqual(['db-ingress', 'web-api-egress']);
    const r = Reachability.fromManifests([...chart.toJson(), pod('shop', 'api', { app: 'api' }), pod('shop', 'db', { app: 'db' })]);
    expect(r.allows('shop/api', 'shop/db', Port.tcp(6379))).toBe(true);
    expect(r.allows('shop/api', 'shop/db', Port.tcp(5432))).toBe(true);
    expect(r.allows('shop/api', 'shop/db', Port.tcp(80))).toBe(false);
  });

  test('through ApplicationStack.addService and TierChain', () => {
    const stack = new ApplicationStack(Testing.app(), 'stack', { namespace: 'shop' });
    stack.addService('web_api', { labels: { app: 'api' } });
    expect(() => stack.addService('web-api', { labels: { app: 'worker' } }))
      .toThrow(/\[stack\] service "web-api" is declared twice in namespace shop \(as "web_api" before: both name the policies web-api-ingress and web-api-egress\)/);
    const chart = testChart('shop');
    expect(() => new TierChain(chart, 'tiers', {
      tiers: [
        { endpoint: Endpoint.fromLabels('Front', { app: 'front' }), ports: [Port.tcp(80)] },
        { endpoint: Endpoint.fromLabels('front', { app: 'back' }), ports: [Port.tcp(80)] },
      ],
    })).toThrow(/\[test\/tiers\] endpoint "front" \(pods app=back\) and endpoint "Front" \(pods app=front, declared at \[test\/tiers\]\) both map to the policies shop\/front-ingress/);
  });
});

describe('3. constructs refuse objects no factory made', () => {
  test('an Endpoint or ExternalDestination made with Object.create is refused with a message, not a TypeError', () => {
    const web = Endpoint.fromLabels('web', { app: 'web' });
    expect(() => NetworkPolicies.of(testChart('shop')).allow(Object.create(Endpoint.prototype), web, Port.tcp(80)))
      .toThrow(/\[test\/NetworkPolicies\] "<Endpoint>" is not an Endpoint. Build endpoints with Endpoint.of/);
    expect(() => new ExternalEgress(testChart('shop'), 'e', { from: web, to: Object.create(ExternalDestination.prototype), ports: [Port.tcp(1)] }))
      .toThrow(/\[test\/e\] to "<ExternalDestination>" is not an ExternalDestination/);
  });
});

describe('4. an environment stack cannot be opened to another environment', () => {
  const prodStack = (props: { sharedNamespaces?: string[] } = {}) => {
    const stack = new ApplicationStack(Testing.app(), 'shop', { namespace: 'shop-prod', environment: Environment.prod(), ...props });
    return { stack, api: stack.addService('api', { labels: { app: 'api' } }) };
  };

  test('a peer naming a namespace that is not the stack\'s own or shared is refused', () => {
    const { stack, api } = prodStack();
    expect(() => stack.allowIngress(api, Peer.namespace('shop-dev'), Port.tcp(80)))
      .toThrow(/\[shop\] allowIngress: all pods in namespace shop-dev names namespace shop-dev, which is neither a namespace of this stack nor one of its sharedNamespaces.*list it in sharedNamespaces.*select it by label/);
    expect(() => stack.allowIngress(api, Peer.podsInNamespace('shop-dev', Selector.labels({ app: 'x' })), Port.tcp(80))).toThrow(/names namespace shop-dev/);
    expect(policiesOf(stack).find((p) => p.metadata.name === 'api-ingress')).toBeUndefined();
  });

  test('shared namespaces and the stack\'s own namespaces are accepted; label selections are confined', () => {
    const { stack, api } = prodStack({ sharedNamespaces: ['ingress-nginx'] });
    stack.allowIngress(api, Peer.podsInNamespace('ingress-nginx', Selector.labels({ 'app.kubernetes.io/name': 'ingress-nginx' })), Port.tcp(80));
    stack.allowIngress(api, Peer.namespace('shop-prod'), Port.tcp(81));
    stack.allowIngress(api, Peer.namespaces(Selector.labels({ 'kubernetes.io/metadata.name': 'shop-dev' })), Port.tcp(82));
    const manifests = [...stack.toJson(), pod('shop-prod', 'api', { app: 'api' }), pod('shop-dev', 'web', { app: 'web' }),
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop-dev', labels: { environment: 'dev' } } }];
    const r = Reachability.fromManifests(manifests, CLUSTER_SERVICES);
    expect(r.allows('ingress-nginx/controller', 'shop-prod/api', Port.tcp(80))).toBe(true);
    expect(r.allows('shop-dev/web', 'shop-prod/api', Port.tcp(82))).toBe(false);
    expect(r.allows('shop-dev/web', 'shop-prod/api', Port.tcp(80))).toBe(false);
  });
});

describe('5. two charts sharing one service', () => {
  const twoStacks = (app: App) => {
    for (const team of ['a', 'b']) {
      const stack = new ApplicationStack(app, `team-${team}`, { namespace: `team-${team}` });
      const web = stack.addService('web', { labels: { app: 'web' } });
      const pg = stack.addService('postgres', { namespace: 'data', labels: { app: 'postgres' } });
      stack.allow(web, pg, Port.tcp(5432));
    }
  };

  test('under a plain cdk8s App, the shared service gets one policy with both teams\' rules', () => {
    const app = Testing.app();
    twoStacks(app);
    const all = app.charts.flatMap((c) => c.toJson());
    const names = all.filter((o) => o.kind === 'NetworkPolicy').map((o) => `${o.metadata.namespace}/${o.metadata.name}`);
    expect(names.filter((n) => n.startsWith('data/')).sort()).toEqual(['data/allow-dns', 'data/default-deny', 'data/postgres-ingress']);
    expect(new Set(names).size).toBe(names.length);
    const r = Reachability.fromManifests([...all, pod('team-a', 'web', { app: 'web' }), pod('team-b', 'web', { app: 'web' }), pod('data', 'postgres', { app: 'postgres' })]);
    expect(r.allows('team-a/web', 'data/postgres', Port.tcp(5432))).toBe(true);
    expect(r.allows('team-b/web', 'data/postgres', Port.tcp(5432))).toBe(true);
    expect(r.allows('team-b/web', 'data/postgres', Port.tcp(5433))).toBe(false);
    expect(r.allows('team-a/web', 'team-b/web', Port.tcp(5432))).toBe(false);
  });

  test('the output is the same on every run and the first chart owns the shared objects', () => {
    const once = () => {
      const app = Testing.app();
      twoStacks(app);
      return app.charts.map((c) => `${c.node.id}:\n${yamlOf(c)}`).join('\n');
    };
    expect(once()).toEqual(once());
    const app = Testing.app();
    twoStacks(app);
    const owner = (id: string) => app.charts.find((c) => c.node.id === id)!.toJson().filter((o: any) => o.metadata.namespace === 'data').length;
    expect(owner('team-a')).toBe(3);
    expect(owner('team-b')).toBe(0);
  });

  test('two constructs that cannot merge under one name are refused at synth under any App, naming both', () => {
    const app = new App({ outdir: Testing.app().outdir });
    new DefaultDeny(new Chart(app, 'one', { namespace: 'shop' }), 'default-deny');
    new DefaultDeny(new Chart(app, 'two', { namespace: 'shop' }), 'default-deny');
    expect(() => app.synth()).toThrow(/\[two\/default-deny\/Resource\] NetworkPolicy shop\/default-deny is also declared at \[one\/default-deny\/Resource\].*Give one of them another name/);
  });

  test('one namespace in two environments is refused', () => {
    const app = Testing.app();
    new ApplicationStack(app, 'prod', { namespace: 'shared', environment: Environment.prod() }).addService('a', { labels: { app: 'a' } });
    const dev = new ApplicationStack(app, 'dev', { namespace: 'shared', environment: Environment.dev() });
    expect(() => dev.addService('b', { labels: { app: 'b' } }))
      .toThrow(/\[dev\] namespace shared is put in environment "dev" here, but \[prod\] already puts it in environment "prod"/);
  });
});

describe('6. replicas of one workload may reach each other', () => {
  test('allow(x, x) on a workload: replica to replica, on the declared port only, shown by the analyser', () => {
    const chart = testChart('shop');
    const redis = new kplus.StatefulSet(chart, 'redis', {
      metadata: { name: 'redis' }, containers: [{ image: 'redis', ports: [{ number: 6379 }, { number: 16379 }], securityContext: { user: 1000 } }],
    });
    const ep = Endpoint.fromWorkload(redis);
    new DefaultDeny(chart, 'deny');
    NetworkPolicies.of(chart).allow(ep, ep, Port.tcp(16379));
    const r = Reachability.fromChart(chart);
    expect(r.allows('shop/redis', 'shop/redis', Port.tcp(16379))).toBe(true);
    expect(r.allows('shop/redis', 'shop/redis', Port.tcp(6379))).toBe(false);
    expect(r.explain('shop/redis', 'shop/redis', Port.tcp(16379)).loopback).toBe(false);
    expect(r.matrix(Port.tcp(16379)).isLoopback('shop/redis', 'shop/redis')).toBe(false);
  });

  test('a single Pod cannot be allowed to itself: that is loopback', () => {
    const chart = testChart('shop');
    const p = Endpoint.fromWorkload(new kplus.Pod(chart, 'one', { containers: [{ image: 'x', securityContext: { user: 1000 } }] }));
    expect(() => NetworkPolicies.of(chart).allow(p, p, Port.tcp(80))).toThrow(/one is a single pod, and traffic of a pod to itself \(loopback\) is never policed/);
  });
});

describe('13. lints a team accepts, per object, with a reason', () => {
  test('acceptLint writes the annotation; the validator reports the finding as silenced; bad calls are refused', () => {
    const chart = testChart('shop');
    const policy = new NetworkPolicy(chart, 'no-egress', { pods: Selector.labels({ app: 'batch' }), isolate: [Direction.EGRESS] });
    policy.acceptLint(LintCode.EGRESS_WITHOUT_DNS, 'the batch job resolves no names');
    const report = validateManifests(chart.toJson().map((object: unknown) => ({ object })));
    expect(report.findings).toEqual([]);
    expect(report.silenced.map((s) => [s.code, s.object, s.reason])).toEqual([['NP002', 'shop/no-egress', 'the batch job resolves no names']]);
    expect(() => policy.acceptLint('FieldValueInvalid' as LintCode, 'x')).toThrow(/\[test\/no-egress\] acceptLint: "FieldValueInvalid" is not a lint code/);
    expect(() => policy.acceptLint(LintCode.EGRESS_WITHOUT_DNS, ' ')).toThrow(/is not a reason. Say why the finding is intended/);
  });

  test('Peer.anyone() accepts NP001 by itself; a single allow without DNS is NP002 (item 7)', () => {
    const chart = testChart('shop');
    const net = NetworkPolicies.of(chart);
    net.allow(Endpoint.fromLabels('a', { app: 'a' }), Endpoint.fromLabels('b', { app: 'b' }), Port.tcp(9000));
    net.allowFrom(Endpoint.fromLabels('b', { app: 'b' }), Peer.anyone(), Port.tcp(443));
    const report = validateManifests(chart.toJson().map((object: unknown) => ({ object })));
    expect(report.findings.map((f) => [f.code, f.object])).toEqual([['NP002', 'shop/a-egress']]);
    expect(report.silenced.map((f) => [f.code, f.object, f.reason])).toEqual([['NP001', 'shop/b-ingress', 'every source is allowed on purpose (Peer.anyone())']]);
    net.allowDnsFor(Endpoint.fromLabels('a', { app: 'a' }));
    expect(validateManifests(chart.toJson().map((object: unknown) => ({ object }))).findings).toEqual([]);
  });
});
