import { Chart, Testing } from 'cdk8s';
import { MODEL, MODEL_OPTIONS } from './catalogue';
import {
  CiliumBackend, CiliumBackendProps, Endpoint, ExternalDestination, HttpMethod, HttpRule, NetworkTarget, Peer, Port, Reachability, Selector,
  TextFormat, validateManifests,
} from '../../src';

const api = Endpoint.of({ name: 'api', pods: Selector.labels({ app: 'api' }), ports: [{ number: 8080 }] });
const db = Endpoint.of({ name: 'db', pods: Selector.labels({ app: 'db' }), ports: [{ number: 5432 }] });
const web = Endpoint.fromLabels('web', { app: 'web' });
const GET_V1 = HttpRule.of({ method: HttpMethod.GET, path: '/v1/.*' });
const saas = ExternalDestination.dnsNames('saas', ['api.saas.example']);
const externals = [...MODEL_OPTIONS.externals!, { name: 'saas', ip: '203.0.113.7', dnsName: 'api.saas.example' }];

function chartOn(target?: NetworkTarget): Chart {
  const app = Testing.app();
  if (target) NetworkTarget.declare(app, target);
  return new Chart(app, 'c', { namespace: 'shop' });
}
const props = (over: Partial<CiliumBackendProps> = {}): CiliumBackendProps => ({
  backend: api, port: Port.tcp(8080), callers: [Peer.pods(Selector.labels({ app: 'web' }))], requests: [GET_V1], externalApis: [saas], database: db, ...over,
});
const analyse = (chart: Chart, lints: string[] = []) => {
  const manifests = Testing.synth(chart);
  expect(validateManifests([...MODEL, ...manifests].map((object) => ({ object }))).findings.map((f) => `${f.code} ${f.object} ${f.field}`)).toEqual(lints);
  return Reachability.fromManifests([...MODEL, ...manifests], { externals });
};

test('an endpoint as caller: its egress is written too (the plain port), and it may call the backend and nothing else', () => {
  const chart = chartOn(NetworkTarget.cilium());
  new CiliumBackend(chart, 'api', props({ callers: [web] }));
  const r = analyse(chart, ['NP002 shop/web-egress spec.policyTypes']); // the caller's own DNS is its own policy's to allow
  expect(r.allows('shop/web', 'shop/api', Port.tcp(8080))).toBe(true);
  expect(TextFormat.explanation(r.explain('shop/web', 'shop/api', Port.tcp(8080)))).toMatch(/CiliumNetworkPolicy shop\/api-ingress-cilium ingress\[0\] \(L7 rules apply\)/);
  expect(r.allows('shop/web', 'shop/db', Port.tcp(5432))).toBe(false);
  expect(r.allows('shop/web', 'saas', Port.tcp(443))).toBe(false); // web's egress is isolated by its connection to api
  expect(Testing.synth(chart).find((o) => o.metadata.name === 'web-egress')?.spec.egress).toEqual([
    { to: [{ podSelector: { matchLabels: { app: 'api' } } }], ports: [{ port: 8080, protocol: 'TCP' }] },
  ]);
});

test('without DNS-name APIs the backend still resolves names (plain DNS), and reaches only its database', () => {
  const chart = chartOn(NetworkTarget.cilium());
  new CiliumBackend(chart, 'api', props({ externalApis: undefined }));
  const r = analyse(chart);
  expect(r.allows('shop/api', 'kube-system/coredns', Port.udp(53))).toBe(true);
  expect(r.allows('shop/api', 'shop/db', Port.tcp(5432))).toBe(true);
  expect(r.allows('shop/api', 'saas', Port.tcp(443))).toBe(false);
  expect(r.allows('shop/api', 'internet', Port.tcp(443))).toBe(false);
});

test('an API by address is a plain egress rule on its ports; without a database the backend reaches only the APIs and DNS', () => {
  const chart = chartOn(NetworkTarget.cilium());
  new CiliumBackend(chart, 'api', props({ externalApis: [ExternalDestination.cidrs('partner', ['198.51.100.0/24'])], externalApiPorts: [Port.tcp(8443)], database: undefined }));
  const r = analyse(chart);
  expect(r.allows('shop/api', 'internet', Port.tcp(8443))).toBe(true); // 198.51.100.7
  expect(r.allows('shop/api', 'internet', Port.tcp(443))).toBe(false);
  expect(r.allows('shop/api', 'shop/db', Port.tcp(5432))).toBe(false);
  expect(r.allows('shop/api', 'kube-system/coredns', Port.udp(53))).toBe(true);
  expect(r.allows('shop/web', 'shop/db', Port.tcp(5432))).toBe(true); // the database is left alone without the prop
});

test('on plain Kubernetes (the default) and Calico, the synth fails saying the target cannot express it', () => {
  for (const target of [undefined, NetworkTarget.kubernetes(), NetworkTarget.calico()]) {
    const chart = chartOn(target);
    new CiliumBackend(chart, 'api', props());
    expect(() => Testing.synth(chart)).toThrow(/needs (HTTP rules|egress to DNS names) .*cannot express/);
  }
});

test('refused with the fix: no callers, no requests, no port, ports without what they are for, not a destination', () => {
  const cases: Array<[Partial<CiliumBackendProps>, RegExp]> = [
    [{ callers: [] }, /\[c\/api\] callers \[\] is not a non-empty list: give at least one, e\.g\. callers: \[web\]/],
    [{ requests: [] }, /requests \[\] is not a non-empty list: .*to allow every request on the port, use NetworkPolicies\.allow instead/],
    [{ port: undefined }, /\[c\/api\] port is missing: give the backend's HTTP port, one TCP port, e\.g\. port: Port\.tcp\(8080\)/],
    [{ port: Port.udp(53) }, /53\/UDP is not one TCP port/],
    [{ externalApis: undefined, externalApiPorts: [Port.tcp(443)] }, /externalApiPorts is given without externalApis/],
    [{ database: undefined, databasePorts: [Port.tcp(5432)] }, /databasePorts is given without database/],
    [{ externalApis: ['api.saas.example' as any] }, /externalApis\[0\]/],
  ];
  for (const [over, message] of cases) {
    expect(() => new CiliumBackend(chartOn(NetworkTarget.cilium()), 'api', props(over))).toThrow(message);
  }
});

test('the props are read when the recipe is made: changing the lists afterwards changes nothing', () => {
  const yaml = (mutate: boolean) => {
    const chart = chartOn(NetworkTarget.cilium());
    const p = props();
    new CiliumBackend(chart, 'api', p);
    if (mutate) {
      (p.callers as any[]).push(Peer.anyone());
      (p.requests as any[]).length = 0;
      (p.externalApis as any[]).push(ExternalDestination.dnsNames('other', ['other.example']));
    }
    return JSON.stringify(Testing.synth(chart));
  };
  expect(yaml(true)).toEqual(yaml(false));
});
