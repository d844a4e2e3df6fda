import { Chart, Testing } from 'cdk8s';
import {
  AllowSameNamespace, Endpoint, Entity, ExternalDestination, HttpMethod, HttpRule, NetworkPolicies, NetworkPolicy, NetworkTarget, Peer, Port,
  Protocol, Selector,
} from '../../src';

/**
 * The HTTP rules of `allowHttp` are never voided unseen: in Cilium an allow without layer-7 rules
 * of an overlapping peer and port (in any CiliumNetworkPolicy or enforced NetworkPolicy of the same
 * pods and direction) lets every request through, so the synth fails naming both rules. Overlap,
 * not equality: `Peer.anyone()`, every pod, a recipe, `Entity.cluster()` all take the HTTP rule's
 * peer in.
 */
const backend = Endpoint.of({ name: 'backend', pods: Selector.labels({ app: 'backend' }), ports: [{ number: 8080 }, { number: 9090 }, { number: 8080, protocol: Protocol.UDP }] });
const web = Endpoint.fromLabels('web', { app: 'web' });
const GET = HttpRule.of({ method: HttpMethod.GET, path: '/api/.*' });

function chart(namespace = 'shop'): Chart {
  const app = Testing.app();
  NetworkTarget.declare(app, NetworkTarget.cilium());
  return new Chart(app, 'c', { namespace });
}

/** web may GET /api/ on backend:8080, then `plain` adds an allow without HTTP rules. */
function withHttp(plain: (c: Chart, net: NetworkPolicies) => void): Chart {
  const c = chart();
  const net = NetworkPolicies.of(c);
  net.allowHttp(web, backend, Port.tcp(8080), GET);
  plain(c, net);
  return c;
}

const VOID = /\[c\/NetworkPolicies\/shop.backend-ingress-cilium\] the HTTP rules for \{"matchLabels":\{"app":"web"\}\} on 8080\/TCP \(allowHttp web \(app=web\) -> backend \(app=backend\)\) are void: /;

describe('refused: a broader plain allow of the same pods, direction and port', () => {
  test.each([
    ['Peer.anyone()', (_c: Chart, net: NetworkPolicies) => net.allow(Peer.anyone(), backend, Port.tcp(8080)),
      /the NetworkPolicy shop\/backend-ingress \[c\/NetworkPolicies\/shop.backend-ingress\] \(its ingress rule\) also allows anyone on 8080\/TCP without HTTP rules/],
    ['Peer.pods(Selector.all())', (_c: Chart, net: NetworkPolicies) => net.allow(Peer.pods(Selector.all()), backend, Port.tcp(8080)),
      /the NetworkPolicy shop\/backend-ingress .* also allows .* on 8080\/TCP without HTTP rules/],
    ['a namespace selected by labels, all TCP ports', (_c: Chart, net: NetworkPolicies) => net.allow(Peer.namespaces(Selector.labels({ team: 'web' })), backend, Port.allTcp()),
      /also allows .* on all TCP ports without HTTP rules/],
    ['a port range', (_c: Chart, net: NetworkPolicies) => net.allow(web, backend, Port.tcpRange(8000, 8100)),
      /also allows .* on 8000-8100\/TCP without HTTP rules/],
    ['Entity.cluster()', (_c: Chart, net: NetworkPolicies) => net.allow(Entity.cluster(), backend, Port.tcp(8080)),
      /this policy also allows "cluster" on 8080\/TCP without HTTP rules/],
    ['the AllowSameNamespace recipe', (c: Chart) => new AllowSameNamespace(c, 'same-ns'),
      /the NetworkPolicy shop\/same-ns \[c\/same-ns\/Resource\] \(its ingress rule\) also allows .* on all traffic without HTTP rules/],
    ['a NetworkPolicy of other pods that include the backend\'s', (c: Chart) => new NetworkPolicy(c, 'wide', { pods: Selector.all() }).allowFrom(Peer.namespace('shop'), Port.tcp(8080)),
      /the NetworkPolicy shop\/wide \[c\/wide\] \(its ingress rule\) also allows all pods in namespace shop on 8080\/TCP/],
  ])('%s', (_name, plain, where) => {
    const c = withHttp(plain);
    const message = (() => {
      try {
        Testing.synth(c);
      } catch (e) {
        return (e as Error).message;
      }
      return 'accepted';
    })();
    expect(message).toMatch(VOID);
    expect(message).toMatch(where);
    expect(message).toMatch(/Narrow the plain allow .* so it leaves out \{"matchLabels":\{"app":"web"\}\} on 8080\/TCP, or remove the HTTP rules if every request is meant/);
  });
});

describe('accepted: a plain allow that shares no traffic with the HTTP rule', () => {
  test.each([
    ['another port', (_c: Chart, net: NetworkPolicies) => net.allow(web, backend, Port.tcp(9090))],
    ['another protocol', (_c: Chart, net: NetworkPolicies) => net.allow(Peer.anyone(), backend, Port.udp(8080))],
    ['a disjoint peer', (_c: Chart, net: NetworkPolicies) => net.allow(Endpoint.fromLabels('admin', { app: 'admin' }), backend, Port.tcp(8080))],
    ['pods of another namespace', (_c: Chart, net: NetworkPolicies) => net.allow(Peer.podsInNamespace('ops', Selector.all()), backend, Port.tcp(8080))],
    ['an entity outside the cluster', (_c: Chart, net: NetworkPolicies) => net.allow(Entity.world(), backend, Port.tcp(8080))],
    ['the recipe on another port', (c: Chart) => new AllowSameNamespace(c, 'same-ns', { ports: [Port.tcp(9090)] })],
    ['a NetworkPolicy of other pods only', (c: Chart) => new NetworkPolicy(c, 'other', { pods: Selector.labels({ app: 'web' }) }).allowFrom(Peer.anyone(), Port.tcp(8080))],
    ['a staged NetworkPolicy (not enforced)', (c: Chart) => new NetworkPolicy(c, 'staged', { pods: Selector.all(), phase: 'STAGED' as any }).allowFrom(Peer.anyone(), Port.tcp(8080))],
  ])('%s', (_name, plain) => {
    const c = withHttp(plain);
    const objects = Testing.synth(c);
    expect(objects.find((o) => o.metadata.name === 'backend-ingress-cilium').spec.ingress)
      .toContainEqual({ fromEndpoints: [{ matchLabels: { app: 'web' } }], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: '/api/.*' }] } }] });
  });
});

describe('egress HTTP rules to DNS names', () => {
  const stripe = ExternalDestination.dnsNames('stripe', ['api.stripe.com']);
  function egress(plain: (net: NetworkPolicies) => void): Chart {
    const c = chart();
    const net = NetworkPolicies.of(c);
    net.allowHttp(backend, stripe, Port.tcp(80), HttpRule.of({ path: '/v1/.*' }));
    plain(net);
    return c;
  }

  test('refused: Entity.world() or an address block on the same port (what the name resolves to is in it)', () => {
    expect(() => Testing.synth(egress((net) => net.allow(backend, Entity.world(), Port.tcp(80)))))
      .toThrow(/the HTTP rules for \{"matchName":"api.stripe.com"\} on 80\/TCP \(allowHttp backend \(app=backend\) -> stripe \(api.stripe.com\)\) are void: this policy also allows "world" on 80\/TCP/);
    expect(() => Testing.synth(egress((net) => net.allow(backend, ExternalDestination.cidrs('internet', ['0.0.0.0/0']), Port.tcp(80)))))
      .toThrow(/the HTTP rules for \{"matchName":"api.stripe.com"\} on 80\/TCP .* are void: the NetworkPolicy shop\/backend-egress .* also allows 0.0.0.0\/0 on 80\/TCP/);
    expect(() => Testing.synth(egress((net) => net.allow(backend, ExternalDestination.dnsNames('any-stripe', ['*.stripe.com']), Port.tcp(80)))))
      .toThrow(/are void: this policy also allows \{"matchPattern":"\*.stripe.com"\} on 80\/TCP/);
  });

  test('accepted: another name, another port, or an entity inside the cluster', () => {
    for (const plain of [
      (net: NetworkPolicies) => net.allow(backend, ExternalDestination.dnsNames('github', ['api.github.com']), Port.tcp(80)),
      (net: NetworkPolicies) => net.allow(backend, Entity.world(), Port.tcp(443)),
      (net: NetworkPolicies) => net.allow(backend, Entity.kubeApiServer(), Port.tcp(80)),
    ]) {
      expect(() => Testing.synth(egress(plain))).not.toThrow();
    }
  });
});

describe('named ports resolve on the destination\'s container ports', () => {
  const api = Endpoint.of({ name: 'api', pods: Selector.labels({ app: 'api' }), ports: [{ number: 8080, name: 'http' }, { number: 9090, name: 'metrics' }] });
  function both(http: Port, plain: Port): Chart {
    const c = chart();
    const net = NetworkPolicies.of(c);
    net.allowHttp(web, api, http, GET);
    net.allow(web, api, plain);
    return c;
  }

  test('refused: the plain port is the number the HTTP rule\'s name stands for, or the other way round', () => {
    expect(() => Testing.synth(both(Port.named('http'), Port.tcp(8080)))).toThrow(/the HTTP rules for \{"matchLabels":\{"app":"web"\}\} on http\/TCP .* are void: .* also allows pods app=web in the policy's namespace on 8080\/TCP/);
    expect(() => Testing.synth(both(Port.tcp(8080), Port.named('http')))).toThrow(/on 8080\/TCP .* are void: .* on http\/TCP without HTTP rules/);
  });

  test('accepted: a name or number of another container port', () => {
    expect(() => Testing.synth(both(Port.named('http'), Port.tcp(9090)))).not.toThrow();
    expect(() => Testing.synth(both(Port.tcp(8080), Port.named('metrics')))).not.toThrow();
  });
});
