import * as os from 'os';
import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  AllowDns, ApplicationStack, DefaultDeny, Endpoint, ExternalDestination, ExternalEgress, NetpolApp, NetworkPolicies, NetworkPolicy, Peer, Port,
  IEndpoint, Selector, TierChain,
} from '../../src';
import { testChart } from '../helpers';

/**
 * Error quality: every error raised while building or synthesizing names three things: where (the
 * construct path), what (the offending value), and how to fix it.
 */
const FIX = /\b(Use|Give|Set|Add|Remove|Declare|List|Pass|Name|Allow|Drop|Select|Write|Build|Delete|Merge|Check|Say|Split|Put|leave)\b/;

interface ErrorCase { readonly action: () => unknown; readonly path: string; readonly value: string }

const web = Endpoint.fromLabels('web', { app: 'web' });
const CASES: Record<string, ErrorCase> = {
  'namespace missing': { action: () => new DefaultDeny(testChart(), 'deny'), path: '[test/deny]', value: 'has no namespace' },
  'invalid namespace': { action: () => new DefaultDeny(testChart(), 'deny', { namespace: 'Shop_1' }), path: '[test/deny]', value: '"Shop_1"' },
  'invalid object name': { action: () => new NetworkPolicy(testChart('shop'), 'p', { pods: Selector.all(), name: 'UPPER' }), path: '[test/p]', value: '"UPPER"' },
  'no directions': { action: () => new DefaultDeny(testChart('shop'), 'deny', { directions: [] }), path: '[test/deny]', value: '[]' },
  'rule without ports': { action: () => new NetworkPolicy(testChart('shop'), 'p', { pods: Selector.all() }).allowFrom(Peer.namespace('a')), path: '[test/p]', value: 'got []' },
  'rule without peers': { action: () => new NetworkPolicy(testChart('shop'), 'p', { pods: Selector.all() }).addEgressRule([], [Port.tcp(1)]), path: '[test/p]', value: 'got []' },
  'policy with nothing (synth)': {
    action: () => {
      const c = testChart('shop');
      new NetworkPolicy(c, 'p', { pods: Selector.labels({ app: 'x' }) });
      Testing.synth(c);
    },
    path: '[test/p]',
    value: 'no rules and no isolated direction',
  },
  'port not exposed (synth)': {
    action: () => {
      const c = testChart('shop');
      NetworkPolicies.of(c).allow(web, Endpoint.of({ name: 'db', pods: Selector.labels({ app: 'db' }), ports: [{ number: 5432 }] }), Port.tcp(5433));
      Testing.synth(c);
    },
    path: '[test/NetworkPolicies]',
    value: '5433/TCP',
  },
  'named port not declared by a cdk8s-plus workload (synth)': {
    action: () => {
      const c = testChart('shop');
      const d = new kplus.Deployment(c, 'api', { containers: [{ image: 'api', ports: [{ number: 8080, name: 'http' }] }] });
      new TierChain(c, 'chain', { tiers: [{ endpoint: web, ports: [Port.tcp(80)] }, { endpoint: Endpoint.fromWorkload(d), ports: [Port.named('grpc')] }] });
      Testing.synth(c);
    },
    path: '[test/chain]',
    value: '"grpc"',
  },
  'port not exposed, declared by a stack (synth)': {
    action: () => {
      const s = new ApplicationStack(Testing.app(), 'stack', { namespace: 'shop' });
      s.allow(s.addService('a', { labels: { app: 'a' } }), s.addService('b', { pods: Selector.labels({ app: 'b' }), ports: [{ number: 1 }] }), Port.tcp(2));
      Testing.synth(s);
    },
    path: '[stack]',
    value: '2/TCP',
  },
  'NodeLocal DNSCache address given as a CIDR': {
    action: () => new AllowDns(testChart('shop'), 'dns', { nodeLocalDns: true, nodeLocalDnsAddress: '169.254.20.0/24' }),
    path: '[test/dns]',
    value: 'nodeLocalDnsAddress "169.254.20.0/24" is not an IP address',
  },
  'endpoint without namespace': { action: () => NetworkPolicies.of(testChart()).allow(web, Endpoint.fromLabels('x', { a: 'b' }), Port.tcp(1)), path: '[test/NetworkPolicies]', value: 'endpoint web' },
  'endpoint name clash': {
    action: () => {
      const net = NetworkPolicies.of(testChart('shop'));
      net.allow(web, Endpoint.fromLabels('x', { a: 'b' }), Port.tcp(1));
      net.allow(Endpoint.fromLabels('web', { app: 'other' }), Endpoint.fromLabels('x', { a: 'b' }), Port.tcp(1));
    },
    path: '[test/NetworkPolicies]',
    value: 'app=other',
  },
  'empty tier list': { action: () => new TierChain(testChart('shop'), 'chain', { tiers: [] }), path: '[test/chain]', value: 'tiers []' },
  'not an external destination': { action: () => new ExternalEgress(testChart('shop'), 'e', { from: web, to: '10.0.0.0/8' as never, ports: [Port.tcp(1)] }), path: '[test/e]', value: '10.0.0.0/8' },
  'service declared twice': {
    action: () => {
      const s = new ApplicationStack(Testing.app(), 'stack', { namespace: 'shop' });
      s.addService('a', { labels: { app: 'a' } });
      s.addService('a', { labels: { app: 'a' } });
    },
    path: '[stack]',
    value: '"a"',
  },
  'service with two selectors': { action: () => new ApplicationStack(Testing.app(), 'stack', { namespace: 'shop' }).addService('a', { labels: { a: 'b' }, pods: Selector.labels({ a: 'b' }) }), path: '[stack]', value: '"a"' },
  'invalid CIDR in a dependency': {
    action: () => {
      const s = new ApplicationStack(Testing.app(), 'stack', { namespace: 'shop' });
      s.allowExternal(s.addService('a', { labels: { app: 'a' } }), ExternalDestination.cidrs('x', ['203.0.113.1/24']), Port.tcp(443));
    },
    path: '',
    value: '"203.0.113.1/24"',
  },
  'a connection between two ends that are not endpoints': {
    action: () => NetworkPolicies.of(testChart('shop')).allow(Peer.namespace('a'), ExternalDestination.cidrs('x', ['203.0.113.0/24']), Port.tcp(1)),
    path: '[test/NetworkPolicies]',
    value: 'all pods in namespace a -> x (203.0.113.0/24)',
  },
  'a connection without ports to an endpoint that declares none': {
    action: () => NetworkPolicies.of(testChart('shop')).allow(web, Endpoint.fromLabels('api', { app: 'api' })),
    path: '[test/NetworkPolicies]',
    value: 'api declares no ports',
  },
  'a tier without ports whose endpoint declares none': {
    action: () => new TierChain(testChart('shop'), 'chain', { tiers: [{ endpoint: web }] }),
    path: '[test/chain]',
    value: 'tiers[0].ports',
  },
  'a user endpoint that would stand for every pod': {
    action: () => {
      const all: IEndpoint = { name: 'all', pods: Selector.all() };
      NetworkPolicies.of(testChart('shop')).allow(web, all, Port.tcp(1));
    },
    path: '[test/NetworkPolicies]',
    value: 'Endpoint all: {}',
  },
  'two charts, one policy name (synth)': {
    action: () => {
      const app = new NetpolApp({ outdir: `${os.tmpdir()}/netpol-error-quality-${process.pid}`, printWarnings: false });
      new DefaultDeny(new Chart(app, 'a', { namespace: 'shop' }), 'deny');
      new DefaultDeny(new Chart(app, 'b', { namespace: 'shop' }), 'deny');
      app.synth();
    },
    path: '[b/deny/Resource] NetworkPolicy shop/deny is also declared at [a/deny/Resource]',
    value: 'shop/deny',
  },
};

test.each(Object.entries(CASES))('%s: where, what and how to fix', (_name, c) => {
  let message = '';
  try {
    c.action();
  } catch (e) {
    message = (e as Error).message;
  }
  expect(message).not.toBe('');
  expect(message).toContain(c.path);
  // The construct path is named once: never `[a/b] [a/b] ...` or `[registry] [origin] ...`.
  expect(message.match(/(?<=^|\s)\[[\w.-]+(\/[\w.-]+)*\](?= )/g) ?? []).toHaveLength(c.path === '' ? 0 : 1);
  expect(message).toContain(c.value);
  expect(message).toMatch(FIX);
});
