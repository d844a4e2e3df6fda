import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Testing } from 'cdk8s';
import { segmentation } from '../../examples/segmentation';
import { TenServices } from '../../examples/ten-services';
import {
  ApplicationStack, Endpoint, EndpointSet, ExternalDestination, Invariant, InvariantKind, Invariants, JsonFormat, NetpolApp, NetworkPolicies, Peer,
  Port, ReachabilityOptions, Selector, TextFormat, Zone,
} from '../../src';

const surroundings: ReachabilityOptions = {
  pods: [
    { namespace: 'kube-system', name: 'coredns', labels: { 'k8s-app': 'kube-dns' } },
    { namespace: 'ingress-nginx', name: 'controller', labels: { 'app.kubernetes.io/name': 'ingress-nginx' } },
  ],
  externals: [{ name: 'payment-api', ip: '203.0.113.10' }],
};

const svc = (name: string, namespace = 'shop') => EndpointSet.id(`${namespace}/${name}`);
const data = Zone.of('data', [EndpointSet.namespace('data')]);
const shop = Zone.of('shop', [EndpointSet.namespace('shop')]);
const dns = EndpointSet.podsInNamespace('kube-system', Selector.labels({ 'k8s-app': 'kube-dns' }));

function shopWith(...invariants: Invariant[]): Invariants {
  const stack = new TenServices(Testing.app(), 'ten');
  return new Invariants(stack, 'segmentation', { invariants, surroundings });
}

function only(invariant: Invariant) {
  const report = shopWith(invariant).check();
  expect(report.results).toHaveLength(1);
  return report.results[0];
}

describe('each invariant kind, holding and failing with the right counterexample', () => {
  test('ONLY: the clients of postgres, on its port', () => {
    const holds = only(Invariant.only('db-clients', { from: [svc('catalog'), svc('orders'), svc('users')], to: [svc('postgres', 'data')], ports: [Port.tcp(5432)] }));
    expect(holds.holds).toBe(true);
    expect(holds.violation).toBeUndefined();

    const fails = only(Invariant.only('db-clients', { from: [svc('catalog'), svc('orders')], to: [svc('postgres', 'data')], ports: [Port.tcp(5432)] }));
    expect(fails.holds).toBe(false);
    expect(fails.kind).toBe(InvariantKind.ONLY);
    expect(fails.violation).toMatchObject({ from: 'shop/users', to: 'data/postgres', port: '5432/TCP', ports: '5432/TCP' });
    expect(fails.violation!.allowedBy).toEqual([
      { policy: 'shop/users-egress', direction: 'egress', rule: expect.any(Number), byIpBlock: false },
      { policy: 'data/postgres-ingress', direction: 'ingress', rule: 0, byIpBlock: false },
    ]);
    expect(fails.violation!.explanation.allowed).toBe(true);
  });

  test('ONLY on a port is exact: a source of "from" on another port breaks it', () => {
    const fails = only(Invariant.only('search-clients', { from: [svc('api'), svc('catalog')], to: [svc('search')], ports: [Port.tcp(9201)] }));
    expect(fails.violation).toMatchObject({ from: 'shop/api', to: 'shop/search', port: '9200/TCP' });
    const holds = only(Invariant.only('search-clients', { from: [svc('api'), svc('catalog')], to: [svc('search')], ports: [Port.tcp(9200)] }));
    expect(holds.holds).toBe(true);
  });

  test('NEVER: from a zone to a zone, on every port or on some', () => {
    expect(only(Invariant.never('web-never-data', { from: [svc('web')], to: [EndpointSet.zone(data)] })).holds).toBe(true);
    const fails = only(Invariant.never('api-never-search', { from: [svc('api')], to: [svc('search')] }));
    expect(fails.violation).toMatchObject({ from: 'shop/api', to: 'shop/search', port: '9200/TCP' });
    // Only the named ports are forbidden: api reaches search on 9200, not on 8080.
    expect(only(Invariant.never('api-never-search-8080', { from: [svc('api')], to: [svc('search')], ports: [Port.tcp(8080)] })).holds).toBe(true);
  });

  test('CONTAINED: a zone reaches nothing outside itself except these', () => {
    const fails = only(Invariant.contained('data-contained', { zone: data }));
    expect(fails.violation).toMatchObject({ from: 'data/postgres', to: 'kube-system/coredns', port: '53/TCP' });
    expect(only(Invariant.contained('data-contained', { zone: data, except: [dns], ports: [Port.tcp(53), Port.udp(53)] })).holds).toBe(true);
    // The exception is on its ports only: DNS over TCP alone leaves 53/UDP a violation.
    const udp = only(Invariant.contained('data-contained', { zone: data, except: [dns], ports: [Port.tcp(53)] }));
    expect(udp.violation).toMatchObject({ from: 'data/postgres', to: 'kube-system/coredns', port: '53/UDP' });
  });

  test('ISOLATED: no traffic between zones in either direction', () => {
    const ingress = Zone.of('edge', [EndpointSet.namespace('ingress-nginx')]);
    expect(only(Invariant.isolated('edge-data', [ingress, data])).holds).toBe(true);
    const fails = only(Invariant.isolated('shop-data', [shop, data]));
    expect(fails.violation).toMatchObject({ from: 'shop/cart', to: 'data/redis', port: '6379/TCP' });
  });

  test('a zone that matches nothing fails the invariant instead of holding for nothing', () => {
    const pci = Zone.of('pci', [EndpointSet.namespace('payments')]);
    const r = only(Invariant.never('never-pci', { from: [svc('web')], to: [EndpointSet.zone(pci)] }));
    expect(r.holds).toBe(false);
    expect(r.problem).toMatch(/to \(zone pci\) matches no endpoint of the model/);
  });

  test('zones nest, and members by label, namespace label and endpoint resolve as selectors do', () => {
    const backends = Zone.of('backends', [EndpointSet.pods(Selector.labels({ app: 'catalog' })), EndpointSet.zone(data)]);
    const r = only(Invariant.contained('backends-contained', { zone: backends, except: [dns, svc('search')] }));
    expect(r.holds).toBe(true);
    const byNamespaceLabel = Zone.of('data-by-label', [EndpointSet.namespaces(Selector.labels({ 'kubernetes.io/metadata.name': 'data' }))]);
    expect(only(Invariant.isolated('same', [byNamespaceLabel, Zone.of('web', [svc('web')])])).holds).toBe(true);
  });
});

describe('the synth fails with one counterexample', () => {
  const failing = () => Invariant.only('db-clients', { from: [svc('catalog')], to: [svc('postgres', 'data')] });

  test('plain App (Testing.synth): the construct path, the invariant, the pair, the port and the rules', () => {
    const inv = shopWith(failing());
    expect(() => Testing.synth(Chart.of(inv))).toThrow(
      /\[ten\/segmentation\] invariant db-clients does not hold: only shop\/catalog may reach data\/postgres.*Counterexample: shop\/orders -> data\/postgres on 5432\/TCP is allowed: the egress of shop\/orders is allowed by shop\/orders-egress egress\[\d\]; the ingress of data\/postgres is allowed by data\/postgres-ingress ingress\[0\]\. Fix:/,
    );
  });

  test('NetpolApp: the synth fails and writes nothing; a holding invariant synthesizes', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-inv-'));
    fs.rmSync(outdir, { recursive: true });
    const app = new NetpolApp({ outdir, printWarnings: false });
    const stack = new TenServices(app as App, 'ten');
    new Invariants(stack, 'segmentation', { invariants: [failing()], surroundings });
    expect(() => app.synth()).toThrow(/invariant db-clients does not hold/);
    expect(fs.existsSync(outdir)).toBe(false);

    const good = new NetpolApp({ outdir, printWarnings: false });
    new Invariants(new TenServices(good as App, 'ten'), 'segmentation', {
      invariants: [Invariant.never('web-never-data', { from: [svc('web')], to: [EndpointSet.zone(data)] })], surroundings,
    });
    good.synth();
    expect(fs.readdirSync(outdir).some((f) => f.endsWith('.k8s.yaml'))).toBe(true);
  });

  test('an invariant attached to the app checks every chart, with the other side in another chart', () => {
    const app = Testing.app();
    const a = new Chart(app, 'a', { namespace: 'a' });
    const b = new Chart(app, 'b', { namespace: 'b' });
    const client = Endpoint.fromLabels('client', { app: 'client' }, 'a');
    const server = Endpoint.fromLabels('server', { app: 'server' }, 'b');
    NetworkPolicies.of(a).allow(client, server, Port.tcp(443), Port.tcp(444));
    NetworkPolicies.of(b).allow(client, server, Port.tcp(443), Port.tcp(444));
    const invariants = new Invariants(app, 'invariants', {
      invariants: [Invariant.only('only-443', { from: [EndpointSet.endpoint(client)], to: [EndpointSet.endpoint(server)], ports: [Port.tcp(443)] })],
    });
    const r = invariants.check().results[0];
    expect(r.violation).toMatchObject({ from: 'a/client', to: 'b/server', port: '444/TCP' });
    expect(TextFormat.invariants(invariants.check())).toContain('counterexample: a/client -> b/server on 444/TCP is allowed');
    expect(JsonFormat.invariants(invariants.check()).invariants[0].violation.allowedBy).toHaveLength(2);
  });
});

describe('an ipBlock allow and a service the constructs declare by labels, whose pods\' IPs the input does not give', () => {
  function neverBlogToShop(podCidrs?: string[]) {
    const app = Testing.app();
    const stack = new ApplicationStack(app, 'stack', { namespace: 'shop' });
    const web = stack.addService('web', { labels: { app: 'web' }, ports: [{ number: 8080 }] });
    const client = stack.addService('client', { namespace: 'blog', labels: { app: 'client' }, ports: [{ number: 8080 }] });
    stack.allow(Peer.ipBlock('10.0.0.0/8'), web);
    // Its egress allows every address: web's ingress alone decides it.
    stack.allow(client, ExternalDestination.cidrs('anywhere', ['0.0.0.0/0']), Port.tcp(8080));
    const invariants = new Invariants(stack, 'inv', {
      invariants: [Invariant.never('blog-never-shop', { from: [EndpointSet.namespace('blog')], to: [EndpointSet.namespace('shop')] })],
      surroundings: podCidrs ? { podCidrs } : {},
    });
    return invariants.check().results[0];
  }

  test('the pods may have an address inside the block: NEVER fails, guessed, and says what decides it', () => {
    const r = neverBlogToShop();
    expect(r.holds).toBe(false);
    expect(r.violation).toMatchObject({ from: 'blog/client', to: 'shop/web', port: '8080/TCP', guessed: true, guess: 'an address the input does not give' });
    expect(r.violation!.explanation.allowed).toBe(false);
    expect((r.notes ?? []).join('\n')).toContain('holds blog/client\'s address (its address is not in the input; it may be in 10.0.0.0/8)');
    expect((r.notes ?? []).join('\n')).toContain('Give the IPs of blog/client\'s pods (their Pods with status.podIP) or the cluster\'s pod CIDRs');
  });

  test('the pod CIDRs decide it: outside the block it holds, inside it still fails guessed', () => {
    expect(neverBlogToShop(['172.20.0.0/16']).holds).toBe(true);
    expect(neverBlogToShop(['10.244.0.0/16']).violation).toMatchObject({ from: 'blog/client', to: 'shop/web', guessed: true });
  });
});

describe('bad declarations are refused with the fix', () => {
  test('names, empty lists, named ports, duplicates', () => {
    expect(() => Zone.of('PCI zone', [EndpointSet.namespace('x')])).toThrow(/not a valid zone name.*Name the zone like a namespace/);
    expect(() => Zone.of('pci', [])).toThrow(/has no members/);
    expect(() => Invariant.only('x', { from: [], to: [svc('a')] })).toThrow(/at least one EndpointSet/);
    expect(() => Invariant.only('x', { from: [svc('a')], to: [svc('b')], ports: [Port.named('http')] })).toThrow(/named port.*Give the port number/);
    expect(() => Invariant.isolated('x', [data])).toThrow(/at least two zones/);
    expect(() => Invariant.contained('x', { zone: data, ports: [Port.tcp(1)] })).toThrow(/gives ports but no except/);
    const inv = shopWith(Invariant.never('a', { from: [svc('web')], to: [svc('api')] }));
    expect(() => inv.add(Invariant.never('a', { from: [svc('web')], to: [svc('api')] }))).toThrow(/\[ten\/segmentation\] invariant a is added twice/);
  });

  test('two zones of one name fail the synth', () => {
    const inv = shopWith(Invariant.isolated('x', [Zone.of('z', [EndpointSet.namespace('shop')]), Zone.of('z', [EndpointSet.namespace('data')])]));
    expect(() => Testing.synth(Chart.of(inv))).toThrow(/two different zones are named z/);
  });

  test('mutating the arrays given does not change a zone or an invariant', () => {
    const members = [EndpointSet.namespace('data')];
    const zone = Zone.of('d', members);
    members.push(EndpointSet.namespace('shop'));
    expect(zone.members).toHaveLength(1);
    const from = [svc('web')];
    const inv = Invariant.never('n', { from, to: [EndpointSet.zone(zone)] });
    from.push(svc('catalog'));
    expect(shopWith(inv).check().results[0].holds).toBe(true);
  });
});

describe('the README example (examples/segmentation.ts)', () => {
  test('two invariants hold, the third fails the synth with users -> postgres', () => {
    const stack = new TenServices(Testing.app(), 'ten-services');
    const report = segmentation(stack).check();
    expect(report.results.map((r) => [r.name, r.holds])).toEqual([
      ['data-reaches-only-dns', true], ['web-never-reaches-data', true], ['only-catalog-and-orders-reach-postgres', false],
    ]);
    expect(report.results[2].violation).toMatchObject({ from: 'shop/users', to: 'data/postgres', port: '5432/TCP' });
    expect(() => Testing.synth(stack)).toThrow(/invariant only-catalog-and-orders-reach-postgres does not hold.*Counterexample: shop\/users -> data\/postgres on 5432\/TCP/);
  });
});
