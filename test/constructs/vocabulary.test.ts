import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdk8s';
import {
  ApplicationStack, Endpoint, Environment, ExternalDestination, ExternalEgress, NetworkPolicies, NetworkPolicy, Peer, Port, Reachability, Selector,
  TierChain,
} from '../../src';
import { CLUSTER_SERVICES } from '../cluster-services';
import { policiesOf, testChart, yamlOf } from '../helpers';

const pod = (namespace: string, name: string, labels: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels }, spec: {} });
const web = Endpoint.fromLabels('web', { app: 'web' });
const api = Endpoint.fromLabels('api', { app: 'api' });
const ingress = Peer.podsInNamespace('ingress-nginx', Selector.labels({ 'app.kubernetes.io/name': 'ingress-nginx' }));
const payments = ExternalDestination.cidrs('payment-api', ['203.0.113.0/24']);
const shopPods = [pod('shop', 'web', { app: 'web' }), pod('shop', 'api', { app: 'api' }), pod('shop', 'other', { app: 'other' })];

describe('NetworkPolicies.allow(from, to): one verb, left to right, any end on either side', () => {
  test('a peer -> an endpoint: the endpoint\'s ingress only, the same policy the deprecated allowFrom wrote', () => {
    const chart = testChart('shop');
    NetworkPolicies.of(chart).allow(ingress, web, Port.tcp(8080));
    expect(policiesOf(chart).map((p) => p.metadata.name)).toEqual(['web-ingress']);
    const old = testChart('shop');
    NetworkPolicies.of(old).allowFrom(web, ingress, Port.tcp(8080));
    expect(yamlOf(chart)).toEqual(yamlOf(old));
    const r = Reachability.fromManifests([...chart.toJson(), ...shopPods], CLUSTER_SERVICES);
    expect(r.allows('ingress-nginx/controller', 'shop/web', Port.tcp(8080))).toBe(true);
    expect(r.allows('ingress-nginx/controller', 'shop/web', Port.tcp(9090))).toBe(false);
    expect(r.allows('shop/other', 'shop/web', Port.tcp(8080))).toBe(false);
    expect(r.allows('ingress-nginx/controller', 'shop/api', Port.tcp(8080))).toBe(true); // api: no policy, not isolated
  });

  test('an endpoint -> a peer: the endpoint\'s egress only, as the deprecated allowTo', () => {
    const chart = testChart('shop');
    NetworkPolicies.of(chart).allow(api, Peer.namespace('kube-system'), Port.tcp(443));
    expect(policiesOf(chart).map((p) => p.metadata.name)).toEqual(['api-egress']);
    const old = testChart('shop');
    NetworkPolicies.of(old).allowTo(api, Peer.namespace('kube-system'), Port.tcp(443));
    expect(yamlOf(chart)).toEqual(yamlOf(old));
    const r = Reachability.fromManifests([...chart.toJson(), ...shopPods], CLUSTER_SERVICES);
    expect(r.allows('shop/api', 'kube-system/coredns', Port.tcp(443))).toBe(true);
    expect(r.allows('shop/api', 'shop/web', Port.tcp(443))).toBe(false);
  });

  test('an endpoint -> an external destination: its egress to the ipBlocks, as ExternalEgress writes it', () => {
    const chart = testChart('shop');
    NetworkPolicies.of(chart).allow(api, payments, Port.tcp(443));
    const old = testChart('shop');
    new ExternalEgress(old, 'payments', { from: api, to: payments, ports: [Port.tcp(443)] });
    expect(yamlOf(chart)).toEqual(yamlOf(old));
    const r = Reachability.fromManifests([...chart.toJson(), ...shopPods], CLUSTER_SERVICES);
    expect(r.allows('shop/api', 'payment-api', Port.tcp(443))).toBe(true);
    expect(r.allows('shop/api', 'internet', Port.tcp(443))).toBe(false);
  });

  test('an external destination -> an endpoint: ingress from its addresses (a load balancer range)', () => {
    const chart = testChart('shop');
    NetworkPolicies.of(chart).allow(ExternalDestination.cidrs('load-balancer', ['198.51.100.0/24']), web, Port.tcp(8080));
    expect(policiesOf(chart)[0].spec.ingress).toEqual([{ from: [{ ipBlock: { cidr: '198.51.100.0/24' } }], ports: [{ protocol: 'TCP', port: 8080 }] }]);
    const r = Reachability.fromManifests([...chart.toJson(), ...shopPods], CLUSTER_SERVICES);
    expect(r.allows('internet', 'shop/web', Port.tcp(8080))).toBe(true);
    expect(r.allows('payment-api', 'shop/web', Port.tcp(8080))).toBe(false);
  });

  test('two ends that are not endpoints: an error that says why, and nothing is written', () => {
    const chart = testChart('shop');
    const net = NetworkPolicies.of(chart);
    expect(() => net.allow(ingress, Peer.namespace('shop'), Port.tcp(80)))
      .toThrow(/^\[test\/NetworkPolicies\] allow pods app\.kubernetes\.io\/name=ingress-nginx in namespace ingress-nginx -> all pods in namespace shop: neither end is an endpoint, so no policy could say it: a NetworkPolicy is written for the pods it applies to.*Give one end as the pods the rule is for: an Endpoint/);
    expect(() => net.allow(api.pods as never, payments, Port.tcp(80))).toThrow(/is not an Endpoint\. Build endpoints with Endpoint\.of/);
    expect(() => net.allow(payments, Peer.anyone(), Port.tcp(80))).toThrow(/allow payment-api \(203\.0\.113\.0\/24\) -> anyone: neither end is an endpoint/);
    expect(policiesOf(chart)).toEqual([]);
  });
});

describe('ports said once: a connection without ports uses the ports the destination declares', () => {
  const apiWithPorts = Endpoint.of({ name: 'api', pods: Selector.labels({ app: 'api' }), ports: [{ number: 8080, name: 'http' }, { number: 9090, name: 'metrics' }] });

  test('allow(web, api) is allowed on api\'s declared ports and on nothing else', () => {
    const chart = testChart('shop');
    NetworkPolicies.of(chart).allow(web, apiWithPorts);
    const explicit = testChart('shop');
    NetworkPolicies.of(explicit).allow(web, apiWithPorts, Port.tcp(8080), Port.tcp(9090));
    expect(yamlOf(chart)).toEqual(yamlOf(explicit));
    const r = Reachability.fromManifests([...chart.toJson(), ...shopPods]);
    expect(r.allows('shop/web', 'shop/api', Port.tcp(8080))).toBe(true);
    expect(r.allows('shop/web', 'shop/api', Port.tcp(9090))).toBe(true);
    expect(r.allows('shop/web', 'shop/api', Port.tcp(8081))).toBe(false);
    expect(r.allows('shop/web', 'shop/api', Port.udp(8080))).toBe(false);
    expect(r.allows('shop/other', 'shop/api', Port.tcp(8080))).toBe(false);
  });

  test('explicit ports win', () => {
    const chart = testChart('shop');
    NetworkPolicies.of(chart).allow(web, apiWithPorts, Port.tcp(9090));
    const r = Reachability.fromManifests([...chart.toJson(), ...shopPods]);
    expect(r.allows('shop/web', 'shop/api', Port.tcp(9090))).toBe(true);
    expect(r.allows('shop/web', 'shop/api', Port.tcp(8080))).toBe(false);
  });

  test('a peer -> an endpoint uses the endpoint\'s ports; the protocol of a declared port is kept', () => {
    const dns = Endpoint.of({ name: 'dns', pods: Selector.labels({ app: 'dns' }), ports: [{ number: 53, protocol: 'UDP' as never }] });
    const chart = testChart('shop');
    NetworkPolicies.of(chart).allow(Peer.namespace('other'), dns);
    expect(policiesOf(chart)[0].spec.ingress[0].ports).toEqual([{ protocol: 'UDP', port: 53 }]);
  });

  test('without declared ports, and without ports, it stays an error: never every port by accident', () => {
    const chart = testChart('shop');
    const net = NetworkPolicies.of(chart);
    expect(() => net.allow(web, api)).toThrow(/^\[test\/NetworkPolicies\] egress rule of web: a rule needs at least one port, got \[\], and api declares no ports to default to\. List the ports \(e\.g\. Port\.tcp\(8080\)\), declare api's ports \(EndpointProps\.ports, or its workload's container ports\), or write Port\.allTraffic\(\) if every port is really meant\./);
    expect(() => net.allow(ingress, api)).toThrow(/^\[test\/NetworkPolicies\] ingress rule of api: a rule needs at least one port, got \[\], and api declares no ports/);
    expect(() => net.allow(apiWithPorts, payments)).toThrow(/egress rule of api: a rule needs at least one port, got \[\], and payment-api \(203\.0\.113\.0\/24\) is not an endpoint, so it declares no ports to default to/);
    expect(() => net.allow(apiWithPorts, Endpoint.of({ name: 'db', pods: Selector.labels({ app: 'db' }), ports: [] }))).toThrow(/db declares no ports to default to/);
    expect(policiesOf(chart)).toEqual([]);
  });

  test('NetworkPolicy.allowTo an endpoint: its declared ports; allowFrom needs ports (the policy\'s pods declare none)', () => {
    const chart = testChart('shop');
    const policy = new NetworkPolicy(chart, 'web-egress', { pods: Selector.labels({ app: 'web' }) });
    policy.allowTo(apiWithPorts);
    expect(policiesOf(chart)[0].spec.egress).toEqual([{ to: [{ podSelector: { matchLabels: { app: 'api' } } }], ports: [{ protocol: 'TCP', port: 8080 }, { protocol: 'TCP', port: 9090 }] }]);
    expect(() => policy.allowFrom(apiWithPorts)).toThrow(/\[test\/web-egress\] ingress rule: a rule needs at least one port, got \[\]/);
  });
});

describe('NetworkPolicy: its pods are one end, allowFrom/allowTo name the other (a peer, an external destination, an endpoint)', () => {
  test('an endpoint in another namespace is written with its namespace; an external destination as its ipBlocks', () => {
    const chart = testChart('shop');
    const db = Endpoint.of({ name: 'db', namespace: 'data', pods: Selector.labels({ app: 'db' }) });
    const policy = new NetworkPolicy(chart, 'api', { pods: Selector.labels({ app: 'api' }) });
    policy.allowTo(db, Port.tcp(5432));
    policy.allowTo(payments, Port.tcp(443));
    policy.allowFrom(web, Port.tcp(8080));
    const [json] = policiesOf(chart);
    expect(json.spec.egress).toEqual([
      { to: [{ ipBlock: { cidr: '203.0.113.0/24' } }], ports: [{ protocol: 'TCP', port: 443 }] },
      { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'data' } }, podSelector: { matchLabels: { app: 'db' } } }], ports: [{ protocol: 'TCP', port: 5432 }] },
    ]);
    expect(json.spec.ingress).toEqual([{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ protocol: 'TCP', port: 8080 }] }]);
    const r = Reachability.fromManifests([...chart.toJson(), ...shopPods, pod('data', 'db', { app: 'db' })], CLUSTER_SERVICES);
    expect(r.allows('shop/api', 'data/db', Port.tcp(5432))).toBe(true);
    expect(r.allows('shop/api', 'payment-api', Port.tcp(443))).toBe(true);
    expect(r.allows('shop/api', 'shop/web', Port.tcp(5432))).toBe(false);
    expect(r.allows('shop/web', 'shop/api', Port.tcp(8080))).toBe(true);
    expect(r.allows('shop/other', 'shop/api', Port.tcp(8080))).toBe(false);
  });
});

describe('ApplicationStack.allow: services, peers and external destinations on either side', () => {
  const build = (declare: (s: ApplicationStack, w: Endpoint, a: Endpoint) => void) => {
    const stack = new ApplicationStack(Testing.app(), 'stack', { namespace: 'shop' });
    const w = stack.addService('web', { labels: { app: 'web' }, ports: [{ number: 8080 }] });
    const a = stack.addService('api', { labels: { app: 'api' }, ports: [{ number: 9000 }] });
    declare(stack, w, a);
    return stack;
  };

  test('the same YAML as the deprecated allowIngress and allowExternal, and ports said once', () => {
    const now = build((s, w, a) => {
      s.allow(ingress, w);
      s.allow(w, a);
      s.allow(a, payments, Port.tcp(443));
    });
    const before = build((s, w, a) => {
      s.allowIngress(w, ingress, Port.tcp(8080));
      s.allow(w, a, Port.tcp(9000));
      s.allowExternal(a, payments, Port.tcp(443));
    });
    expect(yamlOf(now)).toEqual(yamlOf(before));
    const r = Reachability.fromChart(now, CLUSTER_SERVICES);
    expect(r.allows('ingress-nginx/controller', 'shop/web', Port.tcp(8080))).toBe(true);
    expect(r.allows('shop/web', 'shop/api', Port.tcp(9000))).toBe(true);
    expect(r.allows('shop/api', 'payment-api', Port.tcp(443))).toBe(true);
    expect(r.allows('ingress-nginx/controller', 'shop/api', Port.tcp(9000))).toBe(false);
    expect(r.allows('shop/web', 'payment-api', Port.tcp(443))).toBe(false);
    expect(r.allows('other/intruder', 'shop/web', Port.tcp(8080))).toBe(false);
  });

  test('a service may reach a peer (egress), confined to the environment like every peer of the stack', () => {
    const stack = new ApplicationStack(Testing.app(), 'dev', { namespace: 'shop-dev', environment: Environment.dev() });
    const w = stack.addService('web', { labels: { app: 'web' } });
    stack.allow(w, Peer.allNamespaces(), Port.tcp(9000));
    const egress = policiesOf(stack).find((p) => p.metadata.name === 'web-egress');
    expect(egress.spec.egress).toContainEqual({ to: [{ namespaceSelector: { matchLabels: { environment: 'dev' } } }], ports: [{ protocol: 'TCP', port: 9000 }] });
    expect(() => stack.allow(w, Peer.namespace('shop-prod'), Port.tcp(9000)))
      .toThrow(/^\[dev\] allow: all pods in namespace shop-prod names namespace shop-prod, which is neither a namespace of this stack nor one of its sharedNamespaces/);
    expect(() => stack.allow(Peer.namespace('shop-prod'), w, Port.tcp(9000))).toThrow(/^\[dev\] allow: all pods in namespace shop-prod names namespace shop-prod/);
  });

  test('ends that are not services of the stack, or two peers, are refused', () => {
    const stack = build(() => undefined);
    expect(() => stack.allow(ingress, payments, Port.tcp(80))).toThrow(/^\[stack\] allow .* -> payment-api \(203\.0\.113\.0\/24\): neither end is an endpoint/);
    expect(() => stack.allow(ingress, Endpoint.fromLabels('web', { app: 'web' }), Port.tcp(80)))
      .toThrow(/^\[stack\] allow: web \(app=web\) is not a service of this stack\. Declare it first with addService\(\.\.\.\) and pass the endpoint it returns \(the other end of a dependency can also be a Peer or an ExternalDestination\)\./);
  });
});

describe('TierChain: tiers said once', () => {
  const frontend = Endpoint.of({ name: 'frontend', pods: Selector.labels({ app: 'frontend' }), ports: [{ number: 8080, name: 'http' }] });
  const backend = Endpoint.of({ name: 'backend', pods: Selector.labels({ app: 'backend' }), ports: [{ number: 9000 }] });
  const database = Endpoint.of({ name: 'database', pods: Selector.labels({ app: 'database' }), ports: [{ number: 5432 }] });

  test('a tier without ports accepts traffic on the ports it declares', () => {
    const chart = testChart('shop');
    new TierChain(chart, 'chain', { entry: [ingress], tiers: [{ endpoint: frontend, ports: [Port.named('http')] }, { endpoint: backend }, { endpoint: database }] });
    const explicit = testChart('shop');
    new TierChain(explicit, 'chain', { entry: [ingress], tiers: [{ endpoint: frontend, ports: [Port.named('http')] }, { endpoint: backend, ports: [Port.tcp(9000)] }, { endpoint: database, ports: [Port.tcp(5432)] }] });
    expect(yamlOf(chart)).toEqual(yamlOf(explicit));
    expect(() => new TierChain(testChart('shop'), 'bad', { tiers: [{ endpoint: frontend }, { endpoint: api }] }))
      .toThrow(/^\[test\/bad\] tiers\[1\]\.ports is not given, and api declares no ports to default to\. List the ports the tier accepts/);
  });

  test('entry: peers, external destinations and endpoints (an endpoint\'s egress is written too)', () => {
    const gateway = Endpoint.fromLabels('gateway', { app: 'gateway' });
    const chart = testChart('shop');
    new TierChain(chart, 'chain', { entry: [gateway, ExternalDestination.cidrs('lb', ['198.51.100.0/24'])], tiers: [{ endpoint: frontend }, { endpoint: backend }], defaultDeny: false, dns: false });
    expect(policiesOf(chart).map((p) => p.metadata.name)).toEqual(['backend-egress', 'backend-ingress', 'frontend-egress', 'frontend-ingress', 'gateway-egress']);
    const r = Reachability.fromManifests([...chart.toJson(), pod('shop', 'gateway', { app: 'gateway' }), pod('shop', 'frontend', { app: 'frontend' }), pod('shop', 'backend', { app: 'backend' })], CLUSTER_SERVICES);
    expect(r.allows('shop/gateway', 'shop/frontend', Port.tcp(8080))).toBe(true);
    expect(r.allows('internet', 'shop/frontend', Port.tcp(8080))).toBe(true);
    expect(r.allows('shop/gateway', 'shop/backend', Port.tcp(9000))).toBe(false);
    expect(r.allows('payment-api', 'shop/frontend', Port.tcp(8080))).toBe(false);
  });
});

describe('the old names keep working for one release, marked deprecated in API.md', () => {
  const reference = fs.readFileSync(path.join(__dirname, '..', '..', 'API.md'), 'utf8');

  test.each([
    ['NetworkPolicies', 'allowFrom', 'allow(peer, endpoint, ...ports)'],
    ['NetworkPolicies', 'allowTo', 'allow(endpoint, peer, ...ports)'],
    ['ApplicationStack', 'allowIngress', 'allow(peer, to, ...ports)'],
    ['ApplicationStack', 'allowExternal', 'allow(from, to, ...ports)'],
  ])('%s.%s: struck through, with the verb that replaces it', (type, method, replacement) => {
    expect(reference).toContain(`##### ~~\`${method}\`~~ <a name="${method}" id="cdk8s-netpol.${type}.${method}"></a>`);
    expect(reference).toContain(`| <code><a href="#cdk8s-netpol.${type}.${method}">${method}</a></code> | Deprecated alias of \`${replacement}\``);
  });
});
