import { ApiObject, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  ApplicationStack, Direction, Endpoint, ExternalDestination, ExternalEgress, NetworkPolicies, Peer, Port, Reachability, Selector, TierChain,
} from '../../src';
import { CLUSTER_SERVICES } from '../cluster-services';
import { policiesOf, testChart, yamlOf } from '../helpers';

const pods = (...names: string[]) => names.map((name) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'shop', labels: { app: name } }, spec: {} }));
const frontend = Endpoint.fromLabels('frontend', { app: 'frontend' });
const backend = Endpoint.fromLabels('backend', { app: 'backend' });
const db = Endpoint.of({ name: 'db', namespace: 'data', pods: Selector.labels({ app: 'db' }), ports: [{ number: 5432, name: 'pg' }] });

describe('NetworkPolicies.allow writes both sides, merged', () => {
  test('one call: egress on the source, ingress on the destination, readable names', () => {
    const chart = testChart('shop');
    NetworkPolicies.of(chart).allow(frontend, backend, Port.tcp(8080));
    const names = policiesOf(chart).map((p) => `${p.metadata.namespace}/${p.metadata.name}`);
    expect(names).toEqual(['shop/backend-ingress', 'shop/frontend-egress']);
    const r = Reachability.fromManifests([...chart.toJson(), ...pods('frontend', 'backend', 'other')]);
    expect(r.allows('shop/frontend', 'shop/backend', Port.tcp(8080))).toBe(true);
    expect(r.allows('shop/frontend', 'shop/backend', Port.tcp(8081))).toBe(false);
    expect(r.allows('shop/other', 'shop/backend', Port.tcp(8080))).toBe(false);
    expect(r.allows('shop/frontend', 'shop/other', Port.tcp(8080))).toBe(false);
    expect(yamlOf(chart)).toMatchSnapshot();
  });

  test('the same dependency twice, and several ports, give one rule and no extra policy', () => {
    const once = testChart('shop');
    NetworkPolicies.of(once).allow(frontend, backend, Port.tcp(8080), Port.tcp(8443));
    const twice = testChart('shop');
    const net = NetworkPolicies.of(twice);
    net.allow(frontend, backend, Port.tcp(8080));
    net.allow(frontend, backend, Port.tcp(8443));
    net.allow(frontend, backend, Port.tcp(8080));
    net.allow(Endpoint.fromLabels('frontend', { app: 'frontend' }), Endpoint.fromLabels('backend', { app: 'backend' }), Port.tcp(8080));
    expect(yamlOf(twice)).toEqual(yamlOf(once));
    const ingress = policiesOf(twice).find((p) => p.metadata.name === 'backend-ingress');
    expect(ingress.spec.ingress).toEqual([{ from: [{ podSelector: { matchLabels: { app: 'frontend' } } }], ports: [{ protocol: 'TCP', port: 8080 }, { protocol: 'TCP', port: 8443 }] }]);
  });

  test('both directions: two policies per endpoint, no duplicate rules', () => {
    const chart = testChart('shop');
    const net = NetworkPolicies.of(chart);
    net.allow(frontend, backend, Port.tcp(8080));
    net.allow(backend, frontend, Port.tcp(9000));
    net.allow(backend, frontend, Port.tcp(9000));
    const all = policiesOf(chart);
    expect(all.map((p) => p.metadata.name)).toEqual(['backend-egress', 'backend-ingress', 'frontend-egress', 'frontend-ingress']);
    for (const p of all) expect((p.spec.ingress ?? p.spec.egress)).toHaveLength(1);
  });

  test('declaration order does not change the YAML', () => {
    const a = testChart('shop');
    const netA = NetworkPolicies.of(a);
    netA.allow(frontend, backend, Port.tcp(8080));
    netA.allow(backend, db, Port.tcp(5432));
    netA.allowTo(backend, Peer.ipBlock('203.0.113.0/24'), Port.tcp(443));
    const b = testChart('shop');
    const netB = NetworkPolicies.of(b);
    netB.allowTo(backend, Peer.ipBlock('203.0.113.0/24'), Port.tcp(443));
    netB.allow(backend, db, Port.tcp(5432));
    netB.allow(frontend, backend, Port.tcp(8080));
    expect(yamlOf(b)).toEqual(yamlOf(a));
  });

  test('cross-namespace peers name the other namespace on both sides', () => {
    const chart = testChart('shop');
    NetworkPolicies.of(chart).allow(backend, db, Port.named('pg'));
    const [dbIngress, backendEgress] = [policiesOf(chart).find((p) => p.metadata.name === 'db-ingress'), policiesOf(chart).find((p) => p.metadata.name === 'backend-egress')];
    expect(dbIngress.metadata.namespace).toBe('data');
    expect(dbIngress.spec.ingress[0].from).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } }, podSelector: { matchLabels: { app: 'backend' } } }]);
    expect(backendEgress.spec.egress[0].to).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'data' } }, podSelector: { matchLabels: { app: 'db' } } }]);
  });

  test('errors name the construct path, the value and the fix', () => {
    const noNs = testChart(undefined, 'nons');
    expect(() => NetworkPolicies.of(noNs).allow(frontend, backend, Port.tcp(80)))
      .toThrow(/\[nons\/NetworkPolicies\] has no namespace for endpoint frontend: .*Set the namespace property, or create the chart with \{ namespace/);
    const chart = testChart('shop');
    const net = NetworkPolicies.of(chart);
    expect(() => net.allow(frontend, backend)).toThrow(/^\[test\/NetworkPolicies\] egress rule of frontend: a rule needs at least one port, got \[\]/);
    net.allow(frontend, backend, Port.tcp(80));
    expect(() => net.allow(Endpoint.fromLabels('backend', { app: 'other' }), frontend, Port.tcp(80)))
      .toThrow(/\[test\/NetworkPolicies\] endpoint "backend" \(pods app=other\) and endpoint "backend" \(pods app=backend, declared at \[test\/NetworkPolicies\]\) both map to the policies shop\/backend-ingress and shop\/backend-egress/);
    expect(() => net.allow({} as Endpoint, backend, Port.tcp(80))).toThrow(/is not an Endpoint. Build endpoints with Endpoint.of/);
  });

  test('a port the destination does not expose is a synth-time error with the construct path', () => {
    const chart = testChart('shop');
    NetworkPolicies.of(chart).allow(backend, db, Port.tcp(5433));
    expect(() => Testing.synth(chart)).toThrow(/\[test\/NetworkPolicies\] port 5433\/TCP to db: it exposes no TCP port 5433 \(it exposes 5432\/TCP \(pg\)\)\. Allow a port the destination's containers listen on/);
    const named = testChart('shop');
    NetworkPolicies.of(named).allow(backend, db, Port.named('postgres'));
    expect(() => Testing.synth(named)).toThrow(/port postgres\/TCP \(named\) to db: it has no container port named "postgres"/);
    const proto = testChart('shop');
    NetworkPolicies.of(proto).allow(backend, db, Port.named('pg', 'UDP' as never));
    expect(() => Testing.synth(proto)).toThrow(/its container port "pg" is TCP, not UDP/);
  });
});

describe('Endpoint', () => {
  test('from a cdk8s-plus-28 Deployment: its selector, namespace and container ports', () => {
    const chart = new Chart(Testing.app(), 'app', { namespace: 'shop' });
    const deploy = new kplus.Deployment(chart, 'api', { containers: [{ image: 'api', ports: [{ number: 8080, name: 'http' }, { number: 9090, name: 'metrics' }] }] });
    const ep = Endpoint.fromWorkload(deploy);
    expect(ep.name).toBe('api');
    expect(ep.namespace).toBe('shop');
    expect(ep.pods.toJson()).toEqual({ matchLabels: deploy.matchLabels });
    expect(ep.containerPorts).toEqual([{ number: 8080, name: 'http', protocol: 'TCP' }, { number: 9090, name: 'metrics', protocol: 'TCP' }]);
    deploy.addContainer({ image: 'sidecar', ports: [{ number: 53, name: 'dns', protocol: kplus.Protocol.UDP }] });
    expect(ep.containerPorts).toContainEqual({ number: 53, name: 'dns', protocol: 'UDP' });
  });

  test('from a workload with custom selector labels and a StatefulSet in another namespace', () => {
    const chart = new Chart(Testing.app(), 'app');
    const sts = new kplus.StatefulSet(chart, 'pg', {
      metadata: { namespace: 'data' },
      select: false,
      podMetadata: { labels: { app: 'postgres' } },
      containers: [{ image: 'postgres', ports: [{ number: 5432 }] }],
      service: new kplus.Service(chart, 'pg-svc', { metadata: { namespace: 'data' } }),
    });
    sts.select(kplus.LabelSelector.of({ labels: { app: 'postgres' } }));
    const ep = Endpoint.fromWorkload(sts, { name: 'postgres' });
    expect(ep.namespace).toBe('data');
    expect(ep.pods.toString()).toBe('app=postgres');
  });

  test('from cdk8s-plus Pods', () => {
    const chart = new Chart(Testing.app(), 'app', { namespace: 'shop' });
    const sel = kplus.Pods.select(chart, 'web-pods', { labels: { app: 'web' } });
    expect(Endpoint.fromPods(sel).pods.toString()).toBe('app=web');
    expect(() => Endpoint.fromPods(kplus.Pods.all(chart, 'everything'))).toThrow(/has no pod labels, so it would stand for every pod of its namespace/);
  });

  test('rejections', () => {
    expect(() => Endpoint.of({ name: 'x', pods: Selector.all() })).toThrow(/Endpoint x: \{\} has no labels, so it would stand for every pod of its namespace.*Peer\.namespace/);
    expect(() => Endpoint.fromLabels('x', {})).toThrow(/would match everything/);
    expect(() => Endpoint.of({ name: '', pods: Selector.labels({ a: 'b' }) })).toThrow(/"" is not a usable endpoint name/);
    expect(() => Endpoint.of({ name: 'x', pods: Selector.labels({ a: 'b' }), namespace: 'Bad' })).toThrow(/namespace: "Bad" is not a valid namespace name/);
    expect(() => Endpoint.fromWorkload({} as never)).toThrow(/is not a cdk8s-plus-28 workload or Pod/);
  });
});

describe('TierChain', () => {
  const tiers = [
    { endpoint: frontend, ports: [Port.tcp(8080)] },
    { endpoint: backend, ports: [Port.tcp(8080)] },
    { endpoint: Endpoint.fromLabels('database', { app: 'database' }), ports: [Port.tcp(5432)] },
  ];
  const shopPods = pods('frontend', 'backend', 'database', 'stranger');

  test('each hop allows only the next tier; entry, DNS and default deny', () => {
    const chart = testChart('shop');
    new TierChain(chart, 'chain', { tiers, entry: [Peer.podsInNamespace('ingress-nginx', Selector.labels({ 'app.kubernetes.io/name': 'ingress-nginx' }))] });
    const r = Reachability.fromManifests([...chart.toJson(), ...shopPods], CLUSTER_SERVICES);
    expect(r.allows('ingress-nginx/controller', 'shop/frontend', Port.tcp(8080))).toBe(true);
    expect(r.allows('shop/frontend', 'shop/backend', Port.tcp(8080))).toBe(true);
    expect(r.allows('shop/backend', 'shop/database', Port.tcp(5432))).toBe(true);
    expect(r.allows('shop/frontend', 'shop/database', Port.tcp(5432))).toBe(false);
    expect(r.allows('ingress-nginx/controller', 'shop/backend', Port.tcp(8080))).toBe(false);
    expect(r.allows('shop/database', 'internet', Port.tcp(443))).toBe(false);
    expect(r.allows('shop/database', 'kube-system/coredns', Port.udp(53))).toBe(true);
    expect(r.allows('shop/stranger', 'shop/frontend', Port.tcp(8080))).toBe(false);
    expect(r.allows('shop/stranger', 'kube-system/coredns', Port.udp(53))).toBe(false); // default deny, no namespace DNS
    expect(yamlOf(chart)).toMatchSnapshot();
  });

  test('without default deny, dns or entry: tiers are still isolated both ways', () => {
    const chart = testChart('shop');
    new TierChain(chart, 'chain', { tiers, dns: false, defaultDeny: false });
    expect(policiesOf(chart).some((p) => p.metadata.name === 'default-deny')).toBe(false);
    const r = Reachability.fromManifests([...chart.toJson(), ...shopPods], CLUSTER_SERVICES);
    expect(r.allows('ingress-nginx/controller', 'shop/frontend', Port.tcp(8080))).toBe(false);
    expect(r.allows('shop/frontend', 'kube-system/coredns', Port.udp(53))).toBe(false);
    expect(r.allows('shop/frontend', 'shop/backend', Port.tcp(8080))).toBe(true);
    expect(r.allows('shop/stranger', 'shop/database', Port.tcp(5432))).toBe(false);
    expect(r.allows('shop/stranger', 'internet', Port.tcp(443))).toBe(true); // not part of the chain, not isolated
  });

  test('rejections', () => {
    const chart = testChart('shop');
    expect(() => new TierChain(chart, 'none', { tiers: [] })).toThrow(/\[test\/none\] tiers \[\] is empty/);
    expect(() => new TierChain(chart, 'noentry', { tiers, entry: [] })).toThrow(/\[test\/noentry\] entry \[\] is empty/);
    expect(() => new TierChain(chart, 'bad', { tiers: [{ endpoint: {} as Endpoint, ports: [Port.tcp(1)] }] })).toThrow(/\[test\/bad\] tiers\[0\]\.endpoint is not an Endpoint/);
    expect(() => new TierChain(chart, 'noports', { tiers: [tiers[0], { endpoint: backend, ports: [] }] })).toThrow(/\[test\/noports\] .*a rule needs at least one port/);
  });
});

describe('ExternalEgress and ExternalDestination', () => {
  test('cidrs with ports, merged into the endpoint egress policy', () => {
    const chart = testChart('shop');
    new ExternalEgress(chart, 'payments', { from: backend, to: ExternalDestination.cidrs('payment-api', ['203.0.113.0/24', '2001:db8::/32']), ports: [Port.tcp(443)] });
    NetworkPolicies.of(chart).allow(backend, db, Port.tcp(5432));
    const egress = policiesOf(chart).filter((p) => p.metadata.name === 'backend-egress');
    expect(egress).toHaveLength(1);
    const r = Reachability.fromManifests([...chart.toJson(), ...pods('backend')], CLUSTER_SERVICES);
    expect(r.allows('shop/backend', 'payment-api', Port.tcp(443))).toBe(true);
    expect(r.allows('shop/backend', 'internet', Port.tcp(443))).toBe(false);
    expect(yamlOf(chart)).toMatchSnapshot();
  });

  test('internet preset: public addresses yes, private ranges and cloud metadata no', () => {
    const chart = testChart('shop');
    new ExternalEgress(chart, 'web', { from: backend, to: ExternalDestination.internet(), ports: [Port.tcp(443)] });
    const r = Reachability.fromManifests([...chart.toJson(), ...pods('backend')], {
      externals: [{ name: 'public', ip: '198.51.100.7' }, { name: 'metadata', ip: '169.254.169.254' }, { name: 'vpc', ip: '10.20.0.4' }, { name: 'corp', ip: '172.20.1.1' }],
    });
    expect(r.allows('shop/backend', 'public', Port.tcp(443))).toBe(true);
    for (const blocked of ['metadata', 'vpc', 'corp']) expect(r.allows('shop/backend', blocked, Port.tcp(443))).toBe(false);
    expect(policiesOf(chart)[0].spec.egress[0].to[0].ipBlock).toEqual({ cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '169.254.169.254/32', '172.16.0.0/12', '192.168.0.0/16'] });
    expect(ExternalDestination.internet({ ipv6: true }).peers.map(String)).toEqual(['0.0.0.0/0 except 10.0.0.0/8, 169.254.169.254/32, 172.16.0.0/12, 192.168.0.0/16', '::/0 except fc00::/7, fe80::/10']);
  });

  test('Kubernetes API server preset', () => {
    expect(ExternalDestination.kubernetesApiServer(['10.0.0.1', 'fd00::1', '172.20.0.0/28']).peers.map(String)).toEqual(['10.0.0.1/32', 'fd00::1/128', '172.20.0.0/28']);
  });

  test('rejections', () => {
    expect(() => ExternalDestination.cidrs('x', [])).toThrow(/is an empty list of CIDRs/);
    expect(() => ExternalDestination.ipBlock('x', '10.0.0.0/8', ['11.0.0.0/16'])).toThrow(/"11\.0\.0\.0\/16" is not a strict subset of 10\.0\.0\.0\/8/);
    expect(() => ExternalDestination.kubernetesApiServer([])).toThrow(/is an empty list of addresses/);
    expect(() => ExternalDestination.internet({ except: ['fd00::/8'] })).toThrow(/has IPv6 exceptions but ipv6 is not enabled/);
    const chart = testChart('shop');
    expect(() => new ExternalEgress(chart, 'e', { from: backend, to: '1.2.3.4/32' as never, ports: [Port.tcp(1)] })).toThrow(/\[test\/e\] to "1\.2\.3\.4\/32" is not an ExternalDestination/);
    expect(() => new ExternalEgress(chart, 'noports', { from: backend, to: ExternalDestination.internet(), ports: [] })).toThrow(/\[test\/noports\] egress rule of backend: a rule needs at least one port/);
  });
});

describe('ApplicationStack', () => {
  test('services, dependencies, external and ingress; baselines per namespace', () => {
    const stack = new ApplicationStack(Testing.app(), 'stack', { namespace: 'shop' });
    const web = stack.addService('web', { labels: { app: 'web' } });
    const api = stack.addService('api', { labels: { app: 'api' }, ports: [{ number: 8080 }] });
    const pg = stack.addService('pg', { namespace: 'data', labels: { app: 'pg' } });
    stack.allowIngress(web, Peer.namespace('ingress-nginx'), Port.tcp(80));
    stack.allow(web, api, Port.tcp(8080));
    stack.allow(api, pg, Port.tcp(5432));
    stack.allow(api, pg, Port.tcp(5432));
    stack.allowExternal(api, ExternalDestination.cidrs('payment-api', ['203.0.113.0/24']), Port.tcp(443));
    const names = policiesOf(stack).map((p) => `${p.metadata.namespace}/${p.metadata.name}`);
    expect(names).toEqual([
      'data/allow-dns', 'data/default-deny', 'data/pg-ingress',
      'shop/allow-dns', 'shop/api-egress', 'shop/api-ingress', 'shop/default-deny', 'shop/web-egress', 'shop/web-ingress',
    ]);
    const manifests = [...stack.toJson(),
      ...['web', 'api'].map((n) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: n, namespace: 'shop', labels: { app: n } } })),
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'pg', namespace: 'data', labels: { app: 'pg' } } }];
    const r = Reachability.fromManifests(manifests, CLUSTER_SERVICES);
    expect(r.allows('ingress-nginx/controller', 'shop/web', Port.tcp(80))).toBe(true);
    expect(r.allows('shop/web', 'shop/api', Port.tcp(8080))).toBe(true);
    expect(r.allows('shop/api', 'data/pg', Port.tcp(5432))).toBe(true);
    expect(r.allows('shop/api', 'payment-api', Port.tcp(443))).toBe(true);
    expect(r.allows('shop/web', 'data/pg', Port.tcp(5432))).toBe(false);
    expect(r.allows('other/intruder', 'shop/web', Port.tcp(80))).toBe(false);
    expect(r.allows('data/pg', 'kube-system/coredns', Port.udp(53))).toBe(true);
    expect(yamlOf(stack)).toMatchSnapshot();
  });

  test('workload services and without baselines', () => {
    const stack = new ApplicationStack(Testing.app(), 'stack', { namespace: 'shop', defaultDeny: false, dns: false });
    const d = new kplus.Deployment(stack, 'web', { metadata: { name: 'web' }, containers: [{ image: 'web', portNumber: 80 }] });
    const web = stack.addService('web', { workload: d });
    const api = stack.addService('api', { labels: { app: 'api' } });
    stack.allow(web, api, Port.tcp(80));
    const r = Reachability.fromChart(stack, { pods: [{ namespace: 'shop', name: 'api', labels: { app: 'api' } }, { namespace: 'shop', name: 'loose', labels: { app: 'loose' } }] });
    expect(r.allows('shop/web', 'shop/api', Port.tcp(80))).toBe(true);
    expect(r.allows('shop/api', 'shop/web', Port.tcp(80))).toBe(false);
    expect(r.allows('shop/loose', 'shop/api', Port.tcp(80))).toBe(false);
    expect(r.allows('shop/loose', 'shop/web', Port.tcp(80))).toBe(false);
    expect(r.unisolated(Direction.INGRESS)).toEqual(['shop/loose']);
  });

  test('rejections name the stack path', () => {
    const stack = new ApplicationStack(Testing.app(), 'stack', { namespace: 'shop' });
    expect(() => stack.addService('x', {})).toThrow(/\[stack\] service "x" needs exactly one of workload, pods or labels \(got 0\)/);
    expect(() => stack.addService('x', { labels: { a: 'b' }, pods: Selector.labels({ a: 'b' }) })).toThrow(/\(got 2\)/);
    expect(() => stack.addService('x', { labels: {} })).toThrow(/\[stack\] service "x": Selector: \{"labels":\{\}\} has no labels/);
    const web = stack.addService('web', { labels: { app: 'web' } });
    expect(() => stack.addService('web', { labels: { app: 'web' } })).toThrow(/service "web" is declared twice in namespace shop/);
    expect(() => stack.allow(web, Endpoint.fromLabels('api', { app: 'api' }), Port.tcp(80))).toThrow(/\[stack\] allow: .*is not a service of this stack. Declare it first with addService/);
    expect(() => stack.allowExternal(web, '1.2.3.4' as never, Port.tcp(80))).toThrow(/is not an ExternalDestination/);
    const noNs = new ApplicationStack(Testing.app(), 'nons');
    expect(() => noNs.addService('web', { labels: { app: 'web' } })).toThrow(/^\[nons\] has no namespace for endpoint web/);
  });
});

describe('ordering scales', () => {
  test('objects are ordered by one fan-out node, not a dependency chain (a chain overflowed the stack at ~9,000 objects)', () => {
    const chart = testChart('shop');
    const net = NetworkPolicies.of(chart);
    for (let i = 0; i < 300; i++) net.allow(Endpoint.fromLabels(`svc${i}`, { app: `svc${i}` }), Endpoint.fromLabels(`svc${i + 1}`, { app: `svc${i + 1}` }), Port.tcp(80));
    const names = policiesOf(chart).map((p) => p.metadata.name);
    expect(names).toEqual([...names].sort());
    const objects = chart.node.findAll().filter((c) => c instanceof ApiObject);
    expect(objects.every((o) => o.node.dependencies.length === 0)).toBe(true);
  });
});
