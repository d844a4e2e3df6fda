import { Chart, Testing } from 'cdk8s';
import {
  AllowDns, ApplicationStack, DnsOptions, Endpoint, EndpointDnsOptions, NetworkPolicies, Port, Reachability, Selector, TierChain,
} from '../../src';

/**
 * One set of DNS options (`DnsOptions`) for every construct that allows DNS: the same value gives
 * the same DNS rule in `AllowDns`, `NetworkPolicies.allowDnsFor`/`allowDnsInNamespace`,
 * `TierChain` and `ApplicationStack`; the deprecated `EndpointDnsOptions` is the same type.
 */
const OPTIONS: DnsOptions = {
  dnsPods: Selector.labels({ app: 'coredns' }),
  dnsNamespace: 'dns',
  nodeLocalDns: true,
  nodeLocalDnsAddress: '169.254.20.11',
};
const EXPECTED_RULE = {
  to: [
    { ipBlock: { cidr: '169.254.20.11/32' } },
    { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'dns' } }, podSelector: { matchLabels: { app: 'coredns' } } },
  ],
  ports: [{ protocol: 'TCP', port: 53 }, { protocol: 'UDP', port: 53 }],
};

const dnsRules = (chart: Chart) => chart.toJson()
  .filter((o) => o.kind === 'NetworkPolicy')
  .flatMap((o) => (o.spec.egress ?? []) as any[])
  .filter((r) => (r.ports ?? []).some((p: any) => p.port === 53));

test('the same DnsOptions give the same DNS rule in every construct that allows DNS', () => {
  const web = () => Endpoint.fromLabels('web', { app: 'web' });
  const charts: Chart[] = [];
  const make = () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'shop' });
    charts.push(chart);
    return chart;
  };
  new AllowDns(make(), 'dns', { ...OPTIONS, namespace: 'shop' });
  NetworkPolicies.of(make()).allowDnsFor(web(), OPTIONS);
  NetworkPolicies.of(make()).allowDnsInNamespace('shop', OPTIONS);
  new TierChain(make(), 'tiers', { tiers: [{ endpoint: web(), ports: [Port.tcp(8080)] }], dnsOptions: OPTIONS, defaultDeny: false });
  const stack = new ApplicationStack(Testing.app(), 'stack', { namespace: 'shop', dnsOptions: OPTIONS, defaultDeny: false });
  stack.addService('web', { labels: { app: 'web' } });
  charts.push(stack);
  for (const chart of charts) expect(dnsRules(chart)).toEqual([EXPECTED_RULE]);
});

test('the DNS rule allows the DNS pods the options name, and not the default kube-dns', () => {
  const chart = new Chart(Testing.app(), 'c', { namespace: 'shop' });
  const net = NetworkPolicies.of(chart);
  net.allowDnsFor(Endpoint.fromLabels('web', { app: 'web' }), OPTIONS);
  const r = Reachability.fromChart(chart, {
    pods: [
      { namespace: 'shop', name: 'web', labels: { app: 'web' } },
      { namespace: 'dns', name: 'coredns', labels: { app: 'coredns' } },
      { namespace: 'kube-system', name: 'kube-dns', labels: { 'k8s-app': 'kube-dns' } },
    ],
  });
  expect(r.allows('shop/web', 'dns/coredns', Port.udp(53))).toBe(true);
  expect(r.allows('shop/web', 'dns/coredns', Port.tcp(53))).toBe(true);
  expect(r.allows('shop/web', 'dns/coredns', Port.tcp(80))).toBe(false);
  expect(r.allows('shop/web', 'kube-system/kube-dns', Port.udp(53))).toBe(false);
});

test('the deprecated EndpointDnsOptions is the same options: values pass both ways', () => {
  const old: EndpointDnsOptions = OPTIONS;
  const now: DnsOptions = old;
  const chart = new Chart(Testing.app(), 'c', { namespace: 'shop' });
  NetworkPolicies.of(chart).allowDnsFor(Endpoint.fromLabels('web', { app: 'web' }), now);
  expect(dnsRules(chart)).toEqual([EXPECTED_RULE]);
});

test('bad DNS options fail the same way everywhere', () => {
  const bad: DnsOptions = { nodeLocalDnsAddress: '169.254.20.11' };
  const chart = new Chart(Testing.app(), 'c', { namespace: 'shop' });
  const message = /nodeLocalDnsAddress "169.254.20.11" is set but nodeLocalDns is not, so the address would be ignored/;
  expect(() => new AllowDns(chart, 'dns', bad)).toThrow(message);
  expect(() => NetworkPolicies.of(chart).allowDnsFor(Endpoint.fromLabels('web', { app: 'web' }), bad)).toThrow(message);
  expect(() => new TierChain(chart, 'tiers', { tiers: [{ endpoint: Endpoint.fromLabels('api', { app: 'api' }), ports: [Port.tcp(80)] }], dnsOptions: bad })).toThrow(message);
});
