import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  AllowDns, DefaultDeny, Direction, Endpoint, ExternalDestination, NetworkPolicies, NetworkTarget, Peer, Port, Reachability, Selector, TierChain,
} from '../../src';

/**
 * Smaller holes of the hostile review: errors that say what is wrong and how to fix it, boolean
 * props checked as booleans (a jsii host language can pass the string 'false', which is truthy), and
 * a refused rule that leaves nothing behind.
 */
function refusal(build: () => unknown): string {
  try {
    build();
  } catch (e) {
    expect(e).not.toBeInstanceOf(TypeError);
    return (e as Error).message;
  }
  throw new Error('expected the input to be refused, but it was accepted');
}
const chart = () => new Chart(Testing.app(), 'c', { namespace: 'shop' });
const web = Endpoint.fromLabels('web', { app: 'web' });

describe('an endpoint name its policies cannot carry', () => {
  test.each(['web.', 'web.-api', '.web-.x'])('refused at the rule, naming the endpoint, the policy names and a name that works: %s', (name) => {
    const message = refusal(() => NetworkPolicies.of(chart()).allow(Endpoint.of({ name, pods: Selector.labels({ app: 'web' }) }), Peer.anyone(), Port.tcp(80)));
    expect(message).toMatch(new RegExp(`^\\[c/NetworkPolicies\\] endpoint name ${JSON.stringify(name).replace(/\./g, '\\.')} gives its policies the names ".*-ingress" and ".*-egress", which are not valid object names: `));
    expect(message).toMatch(/cannot stand next to '-'\)\. Give the endpoint a name of letters, digits and '-' only, such as "[a-z-]+"\./);
  });

  test('accepted: a name whose dots sit between letters (web.api), and the policies carry it', () => {
    const c = chart();
    NetworkPolicies.of(c).allow(Endpoint.of({ name: 'web.api', pods: Selector.labels({ app: 'web' }) }), Peer.anyone(), Port.tcp(80));
    expect(Testing.synth(c).map((o) => o.metadata.name)).toEqual(['web.api-egress']);
  });
});

test('two workloads whose construct ids map to one name: the error says to name one with the name option', () => {
  const c = chart();
  const a = new kplus.Deployment(c, 'web', { containers: [{ image: 'web' }] });
  const scope = new Construct(c, 'team');
  const b = new kplus.Deployment(scope, 'Web', { containers: [{ image: 'web' }] });
  NetworkPolicies.of(c).allow(Endpoint.fromWorkload(a), Peer.anyone(), Port.tcp(80));
  const message = refusal(() => NetworkPolicies.of(c).allow(Endpoint.fromWorkload(b), Peer.anyone(), Port.tcp(80)));
  expect(message).toMatch(/both map to the policies shop\/web-ingress and shop\/web-egress/);
  expect(message).toMatch(/Endpoint.fromWorkload and Endpoint.fromPods name an endpoint after the construct id of its workload \("Web" is \[c\/team\/Web\]\): give one of them a name of its own, e.g. Endpoint.fromWorkload\(workload, \{ name: 'web-canary' \}\)\./);
  // accepted: with a name of its own
  NetworkPolicies.of(c).allow(Endpoint.fromWorkload(b, { name: 'web-canary' }), Peer.anyone(), Port.tcp(80));
  expect(Testing.synth(c).filter((o) => o.kind === 'NetworkPolicy').map((o) => o.metadata.name).sort()).toEqual(['web-canary-egress', 'web-egress']);
});

describe('boolean props are booleans', () => {
  const tier = () => ({ tiers: [{ endpoint: Endpoint.of({ name: 'api', pods: Selector.labels({ app: 'api' }), ports: [{ number: 80 }] }) }] });
  test.each([
    ['TierChain dns', (c: Chart) => new TierChain(c, 'chain', { ...tier(), dns: 'false' as any }), /\[c\/chain\] dns "false" is not true or false\. Set dns: true or false \(a boolean, not a string\), or leave it out for true\./],
    ['TierChain defaultDeny', (c: Chart) => new TierChain(c, 'chain', { ...tier(), defaultDeny: 'false' as any }), /\[c\/chain\] defaultDeny "false" is not true or false/],
    ['DefaultDeny legacyAnnotation', (c: Chart) => new DefaultDeny(c, 'deny', { legacyAnnotation: 'false' as any }), /\[c\/deny\] legacyAnnotation "false" is not true or false.*or leave it out for false/],
    ['AllowDns nodeLocalDns', (c: Chart) => new AllowDns(c, 'dns', { nodeLocalDns: 'false' as any }), /nodeLocalDns "false" is not true or false/],
  ])('refused: %s given the string "false"', (_name, build, expected) => {
    const c = chart();
    expect(refusal(() => build(c))).toMatch(expected);
    expect(Testing.synth(c).filter((o) => o.kind === 'NetworkPolicy')).toEqual([]);
  });

  test('accepted: false means false (no default deny, no DNS); allowed: the tier\'s entry; denied: the rest', () => {
    const c = chart();
    const api = Endpoint.of({ name: 'api', pods: Selector.labels({ app: 'api' }), ports: [{ number: 80 }] });
    new TierChain(c, 'chain', { tiers: [{ endpoint: api }], entry: [web], dns: false, defaultDeny: false });
    expect(Testing.synth(c).map((o) => o.metadata.name).sort()).toEqual(['api-egress', 'api-ingress', 'web-egress']);
    const r = Reachability.fromChart(c, { pods: [{ namespace: 'kube-system', name: 'coredns', labels: { 'k8s-app': 'kube-dns' } }, { namespace: 'shop', name: 'other', labels: { app: 'other' } }] });
    expect(r.allows('shop/web', 'shop/api', Port.tcp(80))).toBe(true);
    expect(r.allows('shop/other', 'shop/api', Port.tcp(80))).toBe(false);
    expect(r.allows('shop/api', 'kube-system/coredns', Port.udp(53))).toBe(false);
    expect(r.allows('shop/other', 'shop/web', Port.tcp(80))).toBe(true);
  });
});

describe('a refused rule leaves no policy behind', () => {
  const handBuilt = () => Object.create(Port.prototype) as Port;
  test.each([
    ['allow(endpoint, peer, hand-built port)', (net: NetworkPolicies) => net.allow(web, Peer.anyone(), handBuilt())],
    ['allow(peer, endpoint, hand-built port)', (net: NetworkPolicies) => net.allow(Peer.anyone(), web, handBuilt())],
    ['allow(endpoint, endpoint, hand-built port)', (net: NetworkPolicies) => net.allow(web, Endpoint.fromLabels('db', { app: 'db' }), handBuilt())],
    ['allowTo with a hand-built peer', (net: NetworkPolicies) => net.allowTo(web, Object.create(Peer.prototype), Port.tcp(80))],
  ])('%s: refused, and the synth emits nothing (no empty policy that would isolate web)', (_name, declare) => {
    const c = chart();
    expect(refusal(() => declare(NetworkPolicies.of(c)))).toMatch(/^\[c\/NetworkPolicies\] /);
    expect(Testing.synth(c)).toEqual([]);
  });

  test('deny by DNS name: refused once, naming the declaration, and no CiliumNetworkPolicy is left behind', () => {
    const app = Testing.app();
    NetworkTarget.declare(app, NetworkTarget.cilium());
    const c = new Chart(app, 'c', { namespace: 'shop' });
    const message = refusal(() => NetworkPolicies.of(c).deny(web, ExternalDestination.dnsNames('x', ['x.example.com']), Port.tcp(443)));
    expect(message).toBe('[c/NetworkPolicies] deny web (app=web) -> x (x.example.com): Cilium has no deny rule by DNS name (egressDeny has no toFQDNs). '
      + 'Deny the addresses (ExternalDestination.cidrs) or isolate the pods and allow only the names they need.');
    expect(Testing.synth(c)).toEqual([]);
  });

  test('after a refused rule, a good one is written alone', () => {
    const c = chart();
    const net = NetworkPolicies.of(c);
    refusal(() => net.allow(web, Endpoint.fromLabels('db', { app: 'db' }), handBuilt()));
    net.isolate(web, Direction.INGRESS);
    expect(Testing.synth(c).map((o) => `${o.metadata.name} ${o.spec.policyTypes}`)).toEqual(['web-ingress Ingress']);
  });
});
