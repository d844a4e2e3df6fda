import { Testing } from 'cdk8s';
import {
  AllowDns, ApplicationStack, DefaultDeny, Endpoint, ExternalDestination, ExternalEgress, IpBlock, LabelExpression, NetworkPolicies, NetworkPolicy,
  Peer, Port, Selector, TierChain,
} from '../../src';
import { testChart } from '../helpers';

/**
 * Fail closed: every public factory and construct refuses empty or missing input with a clear error
 * (never a TypeError, never a result that allows more). "Everyone", "every pod" and "every port"
 * exist only as explicitly named factories: Peer.anyone(), Selector.all(), Port.allTraffic().
 */
const U = undefined as any;
const web = Endpoint.fromLabels('web', { app: 'web' });
const api = Endpoint.fromLabels('api', { app: 'api' });

const FACTORIES: Record<string, () => unknown> = {
  'Port.tcp(undefined)': () => Port.tcp(U),
  'Port.udp(undefined)': () => Port.udp(U),
  'Port.sctp(undefined)': () => Port.sctp(U),
  'Port.of(undefined, 80)': () => Port.of(U, 80),
  'Port.tcpRange(undefined, 80)': () => Port.tcpRange(U, 80),
  'Port.udpRange(80, undefined)': () => Port.udpRange(80, U),
  'Port.named(undefined)': () => Port.named(U),
  'Port.named("")': () => Port.named(''),
  'Selector.labels(undefined)': () => Selector.labels(U),
  'Selector.labels({})': () => Selector.labels({}),
  'Selector.expressions(undefined)': () => Selector.expressions(U),
  'Selector.expressions([])': () => Selector.expressions([]),
  'Selector.of(undefined)': () => Selector.of(U),
  'Selector.of({})': () => Selector.of({}),
  'Selector.all().withLabels({})': () => Selector.all().withLabels({}),
  'LabelExpression.isIn(key, undefined)': () => LabelExpression.isIn('k', U),
  'LabelExpression.notIn(key, [])': () => LabelExpression.notIn('k', []),
  'LabelExpression.exists(undefined)': () => LabelExpression.exists(U),
  'Peer.pods(undefined)': () => Peer.pods(U),
  'Peer.namespace(undefined)': () => Peer.namespace(U),
  'Peer.namespace("")': () => Peer.namespace(''),
  'Peer.namespaces(undefined)': () => Peer.namespaces(U),
  'Peer.podsInNamespace(undefined, selector)': () => Peer.podsInNamespace(U, Selector.labels({ a: 'b' })),
  'Peer.podsInNamespace(ns, undefined)': () => Peer.podsInNamespace('ns', U),
  'Peer.podsInNamespaces(undefined, undefined)': () => Peer.podsInNamespaces(U, U),
  'Peer.podsInAllNamespaces(undefined)': () => Peer.podsInAllNamespaces(U),
  'Peer.ipBlock(undefined)': () => Peer.ipBlock(U),
  'Peer.ipBlock("")': () => Peer.ipBlock(''),
  'Peer.ipBlock(cidr, [""])': () => Peer.ipBlock('10.0.0.0/8', ['']),
  'IpBlock.of(undefined)': () => IpBlock.of(U),
  'IpBlock.of(cidr, "not a list")': () => IpBlock.of('10.0.0.0/8', 'x' as any),
  'Endpoint.of(undefined)': () => Endpoint.of(U),
  'Endpoint.of({})': () => Endpoint.of({} as any),
  'Endpoint.of({ name, pods: Selector.all() })': () => Endpoint.of({ name: 'x', pods: Selector.all() }),
  'Endpoint.fromLabels(name, undefined)': () => Endpoint.fromLabels('x', U),
  'Endpoint.fromLabels(name, {})': () => Endpoint.fromLabels('x', {}),
  'Endpoint.fromWorkload(undefined)': () => Endpoint.fromWorkload(U),
  'Endpoint.fromPods(undefined)': () => Endpoint.fromPods(U),
  'ExternalDestination.cidrs(name, undefined)': () => ExternalDestination.cidrs('x', U),
  'ExternalDestination.cidrs(name, [])': () => ExternalDestination.cidrs('x', []),
  'ExternalDestination.ipBlock(name, undefined)': () => ExternalDestination.ipBlock('x', U),
  'ExternalDestination.kubernetesApiServer(undefined)': () => ExternalDestination.kubernetesApiServer(U),
  'ExternalDestination.kubernetesApiServer([])': () => ExternalDestination.kubernetesApiServer([]),
};

const CONSTRUCTS: Record<string, () => unknown> = {
  'new NetworkPolicy(undefined props)': () => new NetworkPolicy(testChart('shop'), 'p', U),
  'new NetworkPolicy({ pods: undefined })': () => new NetworkPolicy(testChart('shop'), 'p', { pods: U }),
  'NetworkPolicy.allowFrom(undefined, port)': () => new NetworkPolicy(testChart('shop'), 'p', { pods: Selector.all() }).allowFrom(U, Port.tcp(80)),
  'NetworkPolicy.allowFrom(peer) without ports': () => new NetworkPolicy(testChart('shop'), 'p', { pods: Selector.all() }).allowFrom(Peer.namespace('x')),
  'NetworkPolicy.allowTo(peer, undefined)': () => new NetworkPolicy(testChart('shop'), 'p', { pods: Selector.all() }).allowTo(Peer.namespace('x'), U),
  'NetworkPolicy.addIngressRule([], ports)': () => new NetworkPolicy(testChart('shop'), 'p', { pods: Selector.all() }).addIngressRule([], [Port.tcp(80)]),
  'NetworkPolicy.addEgressRule(undefined, undefined)': () => new NetworkPolicy(testChart('shop'), 'p', { pods: Selector.all() }).addEgressRule(U, U),
  'NetworkPolicy.isolate(undefined)': () => new NetworkPolicy(testChart('shop'), 'p', { pods: Selector.all() }).isolate(U),
  'NetworkPolicy with no rules and nothing isolated (at synth)': () => {
    const c = testChart('shop');
    new NetworkPolicy(c, 'p', { pods: Selector.all() });
    Testing.synth(c);
  },
  'new DefaultDeny({ directions: [] })': () => new DefaultDeny(testChart('shop'), 'd', { directions: [] }),
  'new DefaultDeny() without a namespace': () => new DefaultDeny(testChart(), 'd'),
  'new AllowDns() without a namespace': () => new AllowDns(testChart(), 'd'),
  'new TierChain(undefined props)': () => new TierChain(testChart('shop'), 't', U),
  'new TierChain({ tiers: [] })': () => new TierChain(testChart('shop'), 't', { tiers: [] }),
  'new TierChain({ entry: [] })': () => new TierChain(testChart('shop'), 't', { tiers: [{ endpoint: web, ports: [Port.tcp(80)] }], entry: [] }),
  'new TierChain({ tiers: [{ ports: [] }, ...] })': () => new TierChain(testChart('shop'), 't', { tiers: [{ endpoint: web, ports: [] }, { endpoint: api, ports: [] }] }),
  'new ExternalEgress(undefined props)': () => new ExternalEgress(testChart('shop'), 'e', U),
  'new ExternalEgress({ ports: [] })': () => new ExternalEgress(testChart('shop'), 'e', { from: web, to: ExternalDestination.internet(), ports: [] }),
  'new ExternalEgress({ from: undefined })': () => new ExternalEgress(testChart('shop'), 'e', { from: U, to: ExternalDestination.internet(), ports: [Port.tcp(443)] }),
  'NetworkPolicies.allow(undefined, to, port)': () => NetworkPolicies.of(testChart('shop')).allow(U, api, Port.tcp(80)),
  'NetworkPolicies.allow(from, to) without ports': () => NetworkPolicies.of(testChart('shop')).allow(web, api),
  'NetworkPolicies.allowFrom(endpoint, undefined, port)': () => NetworkPolicies.of(testChart('shop')).allowFrom(api, U, Port.tcp(80)),
  'NetworkPolicies.allowTo(endpoint, undefined, port)': () => NetworkPolicies.of(testChart('shop')).allowTo(web, U, Port.tcp(80)),
  'ApplicationStack.addService(name, undefined)': () => new ApplicationStack(Testing.app(), 's', { namespace: 'shop' }).addService('x', U),
  'ApplicationStack.addService(name, { labels: {} })': () => new ApplicationStack(Testing.app(), 's', { namespace: 'shop' }).addService('x', { labels: {} }),
  'ApplicationStack.allow(service, undefined, port)': () => {
    const s = new ApplicationStack(Testing.app(), 's', { namespace: 'shop' });
    s.allow(s.addService('a', { labels: { app: 'a' } }), U, Port.tcp(80));
  },
  'ApplicationStack.allowIngress(service, undefined, port)': () => {
    const s = new ApplicationStack(Testing.app(), 's', { namespace: 'shop' });
    s.allowIngress(s.addService('a', { labels: { app: 'a' } }), U, Port.tcp(80));
  },
};

/** The clear error `build` refuses with (a TypeError would mean it crashed instead of refusing). */
function refusal(build: () => unknown): Error {
  try {
    build();
  } catch (e) {
    expect(e).toBeInstanceOf(Error);
    expect(e).not.toBeInstanceOf(TypeError);
    return e as Error;
  }
  throw new Error('expected the input to be refused, but it was accepted');
}

describe('public factories refuse empty and missing input', () => {
  test.each(Object.entries(FACTORIES))('%s', (_name, build) => {
    // What was wrong (with the value) and how to fix it.
    expect(refusal(build).message).toMatch(/: .+\. [A-Z]/);
  });
});

describe('constructs refuse empty and missing input, naming the construct path', () => {
  test.each(Object.entries(CONSTRUCTS))('%s', (_name, build) => {
    expect(refusal(build).message).toMatch(/\[(test|s)(\/[^\]]*)?\] /);
  });
});

describe('"everything" exists only as named factories', () => {
  test('Peer.anyone(), Selector.all() and Port.allTraffic() are the only ways to write a rule that matches everything', () => {
    const c = testChart('shop');
    const p = new NetworkPolicy(c, 'open', { pods: Selector.all() });
    p.allowFrom(Peer.anyone(), Port.allTraffic());
    expect(Testing.synth(c)[0].spec).toEqual({ podSelector: {}, policyTypes: ['Ingress'], ingress: [{}] });
  });
});
