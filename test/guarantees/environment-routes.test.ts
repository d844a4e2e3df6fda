import { App, Chart, Testing } from 'cdk8s';
import {
  AllowIngressController, AllowPrometheusScraping, ApplicationStack, DefaultDeny, Direction, Endpoint, Environment, NetworkPolicies,
  NetworkPolicy, Peer, Port, Reachability, Selector, TierChain,
} from '../../src';

/**
 * Item 2 of the hostile review: in an ApplicationStack with an environment, every route into a policy
 * confines a peer that selects namespaces to the environment or refuses it: the stack's own methods,
 * `stack.policies` (the registry), the NetworkPolicy objects it holds, a NetworkPolicy or TierChain
 * built inside the stack, recipes used inside the stack, another chart's rule for one of its services,
 * and `allowDebugAccess`.
 */
const namespace = (name: string, labels: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
const pod = (ns: string, name: string, labels: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { namespace: ns, name, labels } });
const SURROUNDINGS = [
  namespace('shop-prod', { environment: 'prod' }), namespace('shop-dev', { environment: 'dev', zone: 'edge' }), namespace('batch-prod', { environment: 'prod', zone: 'edge' }),
  namespace('monitoring', {}), namespace('ingress-nginx', {}),
  pod('shop-prod', 'api', { app: 'api' }), pod('shop-dev', 'web', { app: 'web' }), pod('batch-prod', 'job', { app: 'job' }),
  pod('monitoring', 'prometheus', { 'app.kubernetes.io/name': 'prometheus' }), pod('ingress-nginx', 'controller', { 'app.kubernetes.io/name': 'ingress-nginx' }),
];
const prodStack = (props: { sharedNamespaces?: string[] } = {}, app: App = Testing.app()) => {
  const stack = new ApplicationStack(app, 'prod', { namespace: 'shop-prod', environment: Environment.prod(), ...props });
  return { app, stack, api: stack.addService('api', { labels: { app: 'api' }, ports: [8080, 8081, 8082].map((number) => ({ number })).concat([{ number: 9090 }]) }) };
};
const analyse = (app: App) => Reachability.fromManifests([...app.charts.flatMap((c) => c.toJson()), ...SURROUNDINGS]);
const REFUSED = /names namespace shop-dev, which is neither a namespace of this stack nor one of its sharedNamespaces.*list it in sharedNamespaces/;

describe('a peer naming a foreign namespace is refused on every route', () => {
  const ROUTES: Record<string, (s: ReturnType<typeof prodStack>) => unknown> = {
    'stack.allow': ({ stack, api }) => stack.allow(Peer.namespace('shop-dev'), api, Port.tcp(8080)),
    'stack.policies.allow': ({ stack, api }) => stack.policies.allow(Peer.namespace('shop-dev'), api, Port.tcp(8080)),
    'stack.policies.allowFrom': ({ stack, api }) => stack.policies.allowFrom(api, Peer.podsInNamespace('shop-dev', Selector.labels({ app: 'web' })), Port.tcp(8080)),
    'stack.policies.allowTo': ({ stack, api }) => stack.policies.allowTo(api, Peer.namespace('shop-dev'), Port.tcp(8080)),
    'the NetworkPolicy of a service': ({ stack, api }) => stack.policies.policy(api, Direction.INGRESS).allowFrom(Peer.namespace('shop-dev'), Port.tcp(8080)),
    'a NetworkPolicy built inside the stack': ({ stack }) => new NetworkPolicy(stack, 'raw', { pods: Selector.labels({ app: 'api' }) }).addIngressRule([Peer.namespace('shop-dev')], [Port.tcp(8080)]),
    'a TierChain entry inside the stack': ({ stack, api }) => new TierChain(stack, 'chain', { entry: [Peer.namespace('shop-dev')], tiers: [{ endpoint: api }] }),
    'another chart\'s rule for a service of the stack': ({ app, api }) =>
      NetworkPolicies.of(new Chart(app, 'other', { namespace: 'shop-prod' })).allow(Peer.namespace('shop-dev'), api, Port.tcp(8080)),
  };

  test.each(Object.entries(ROUTES))('%s', (_name, route) => {
    const s = prodStack();
    expect(() => route(s)).toThrow(REFUSED);
  });

  test('the same routes in a stack without an environment are accepted (nothing to confine to)', () => {
    const app = Testing.app();
    const stack = new ApplicationStack(app, 'plain', { namespace: 'shop-prod' });
    const api = stack.addService('api', { labels: { app: 'api' }, ports: [{ number: 8080 }] });
    stack.policies.allow(Peer.namespace('shop-dev'), api, Port.tcp(8080));
    expect(analyse(app).allows('shop-dev/web', 'shop-prod/api', Port.tcp(8080))).toBe(true);
  });
});

describe('a label selection of namespaces is confined to the environment on every route', () => {
  test('stack.policies, a NetworkPolicy inside the stack and a TierChain entry: prod namespaces only', () => {
    const { app, stack, api } = prodStack();
    stack.policies.allow(Peer.namespaces(Selector.labels({ zone: 'edge' })), api, Port.tcp(8080));
    new NetworkPolicy(stack, 'raw', { pods: Selector.labels({ app: 'api' }) }).allowFrom(Peer.allNamespaces(), Port.tcp(8081));
    new TierChain(stack, 'chain', { entry: [Peer.podsInAllNamespaces(Selector.all())], tiers: [{ endpoint: api, ports: [Port.tcp(8082)] }], defaultDeny: false });
    const r = analyse(app);
    for (const port of [8080, 8081, 8082]) {
      expect(r.allows('batch-prod/job', 'shop-prod/api', Port.tcp(port))).toBe(true);
      expect(r.allows('shop-dev/web', 'shop-prod/api', Port.tcp(port))).toBe(false);
    }
    expect(r.allows('batch-prod/job', 'shop-prod/api', Port.tcp(8083))).toBe(false);
  });
});

describe('recipes inside a stack: shared platform namespaces must be declared', () => {
  test.each([
    ['AllowPrometheusScraping (endpoint)', (s: ApplicationStack, api: Endpoint) => new AllowPrometheusScraping(s, 'scrape', { endpoint: api, port: Port.tcp(9090) }), 'monitoring'],
    ['AllowPrometheusScraping (pods)', (s: ApplicationStack) => new AllowPrometheusScraping(s, 'scrape', { pods: Selector.labels({ app: 'api' }), port: Port.tcp(9090) }), 'monitoring'],
    ['AllowIngressController (endpoint)', (s: ApplicationStack, api: Endpoint) => new AllowIngressController(s, 'ingress', { endpoint: api, ports: [Port.tcp(8080)] }), 'ingress-nginx'],
    ['AllowIngressController (pods)', (s: ApplicationStack) => new AllowIngressController(s, 'ingress', { pods: Selector.labels({ app: 'api' }), ports: [Port.tcp(8080)] }), 'ingress-nginx'],
  ] as const)('%s: refused unless its namespace is shared; then it reaches exactly the port', (_name, recipe, platform) => {
    const refused = prodStack();
    expect(() => recipe(refused.stack, refused.api)).toThrow(new RegExp(`names namespace ${platform}, which is neither a namespace of this stack nor one of its sharedNamespaces`));
    const { app, stack, api } = prodStack({ sharedNamespaces: [platform] });
    recipe(stack, api);
    const r = analyse(app);
    const [client, port] = platform === 'monitoring' ? ['monitoring/prometheus', 9090] : ['ingress-nginx/controller', 8080];
    expect(r.allows(client, 'shop-prod/api', Port.tcp(port))).toBe(true);
    expect(r.allows(client, 'shop-prod/api', Port.tcp(port + 1))).toBe(false);
    expect(r.allows('shop-dev/web', 'shop-prod/api', Port.tcp(port))).toBe(false);
  });
});

describe('allowDebugAccess', () => {
  const devStack = (app: App = Testing.app()) => {
    const dev = new ApplicationStack(app, 'dev', { namespace: 'shop-dev', environment: Environment.dev() });
    dev.addService('web', { labels: { app: 'web' } });
    return { app, dev };
  };

  test('from a namespace of the same environment only: the debug namespace must be labelled with it', () => {
    for (const [labels, allowed] of [[{ environment: 'dev' }, true], [{ environment: 'prod' }, false], [{}, false]] as const) {
      const { app, dev } = devStack();
      dev.allowDebugAccess('debug-tools', Port.tcp(22));
      const r = Reachability.fromManifests([...app.charts.flatMap((c) => c.toJson()), namespace('debug-tools', labels), pod('debug-tools', 'shell', { app: 'shell' }),
        pod('shop-dev', 'web', { app: 'web' })]);
      expect([labels, r.allows('debug-tools/shell', 'shop-dev/web', Port.tcp(22))]).toEqual([labels, allowed]);
      expect(r.allows('debug-tools/shell', 'shop-dev/web', Port.tcp(23))).toBe(false);
    }
  });

  test('never toward a namespace a prod stack of the app runs in, even when neither manages its Namespace object', () => {
    const app = Testing.app();
    new ApplicationStack(app, 'prod', { namespace: 'shop-prod', environment: Environment.prod(), manageNamespaces: false }).addService('api', { labels: { app: 'api' } });
    const dev = new ApplicationStack(app, 'dev', { namespace: 'shop-dev', environment: Environment.dev(), manageNamespaces: false });
    dev.allowDebugAccess('debug-tools', Port.tcp(22));
    expect(() => dev.addService('api', { labels: { app: 'api' }, namespace: 'shop-prod' }))
      .toThrow(/^\[dev\] namespace shop-prod is put in environment "dev" here, but \[prod\] already puts it in environment "prod"/);
  });

  test('without ports: says what to give', () => {
    const { dev } = devStack();
    expect(() => dev.allowDebugAccess('debug-tools'))
      .toThrow(/^\[dev\] allowDebugAccess from namespace "debug-tools": no ports given.*List the ports the debugging tools connect to, e\.g\. allowDebugAccess\('debug-tools', Port\.tcp\(8080\)\), or Port\.allTcp\(\)/);
  });
});

describe('item 4: one Namespace object per name', () => {
  test.each([['DefaultDeny first', true], ['the stack first', false]])('DefaultDeny with the legacy annotation and an environment stack (%s): one object with both', (_name, denyFirst) => {
    const app = Testing.app();
    const deny = () => new DefaultDeny(new Chart(app, 'platform', { namespace: 'shop-prod' }), 'deny', { directions: [Direction.INGRESS], legacyAnnotation: true });
    if (denyFirst) deny();
    new ApplicationStack(app, 'prod', { namespace: 'shop-prod', environment: Environment.prod() }).addService('api', { labels: { app: 'api' } });
    if (!denyFirst) deny();
    const namespaces = app.charts.flatMap((c) => c.toJson()).filter((o) => o.kind === 'Namespace');
    expect(namespaces).toEqual([{
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: 'shop-prod',
        labels: { environment: 'prod' },
        annotations: { 'net.beta.kubernetes.io/network-policy': '{"ingress":{"isolation":"DefaultDeny"}}' },
      },
    }]);
  });
});

test('item 5: a DefaultDeny and an ApplicationStack on one namespace: the clash hints defaultDeny: false', () => {
  const app = new App({ outdir: Testing.app().outdir });
  new DefaultDeny(new Chart(app, 'platform', { namespace: 'shop' }), 'default-deny');
  new ApplicationStack(app, 'shop', { namespace: 'shop' }).addService('api', { labels: { app: 'api' } });
  expect(() => app.synth()).toThrow(/\[shop\/NetworkPolicies\/shop\.default-deny\/Resource\] NetworkPolicy shop\/default-deny is also declared at \[platform\/default-deny\/Resource\].*set defaultDeny: false on \[shop\]/);
});

test('a rule declared in a namespace before a stack put it in an environment fails the synth, naming both', () => {
  const app = new App({ outdir: Testing.app().outdir });
  const early = new NetworkPolicy(new Chart(app, 'early', { namespace: 'shop-prod' }), 'open', { pods: Selector.labels({ app: 'api' }) });
  early.allowFrom(Peer.namespace('shop-dev'), Port.tcp(8080));
  prodStack({}, app);
  expect(() => app.synth()).toThrow(/\[early\/open\] NetworkPolicy shop-prod\/open has rules from all pods in namespace shop-dev, declared before \[prod\] put namespace shop-prod in an environment.*Create the ApplicationStack before/);
});
