import {
  AllowIngressController, AllowPrometheusScraping, EndpointPort, ExternalDestination, ExternalEgress, IEndpoint, NetworkPolicies, NetworkPolicy,
  Peer, Port, Reachability, Selector, TierChain,
} from '../../src';
import { CLUSTER_SERVICES } from '../cluster-services';
import { policiesOf, testChart, yamlOf } from '../helpers';

/** An IEndpoint of a user's own written as an object literal: its fields are checked against IEndpoint. */
const own = (endpoint: IEndpoint): IEndpoint => endpoint;

/** An endpoint kind of a user's own: e.g. a database an operator runs, known by its cluster name. */
class OperatorDatabase implements IEndpoint {
  public readonly pods: Selector;
  public readonly containerPorts: EndpointPort[];
  constructor(public readonly name: string, public readonly namespace: string, cluster: string) {
    this.pods = Selector.labels({ 'cnpg.io/cluster': cluster });
    this.containerPorts = [{ number: 5432, name: 'postgres' }, { number: 9187, name: 'metrics' }];
  }
}

const pod = (namespace: string, name: string, labels: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels }, spec: {} });
const api = { name: 'api', pods: Selector.labels({ app: 'api' }) };

describe('a user\'s own IEndpoint is accepted wherever an endpoint is, checked like Endpoint.of', () => {
  test('NetworkPolicies.allow: both sides, in its namespace; the analyser knows it with its ports', () => {
    const chart = testChart('shop');
    const db = new OperatorDatabase('orders-db', 'data', 'orders');
    NetworkPolicies.of(chart).allow(api, db, Port.tcp(5432));
    expect(policiesOf(chart).map((p) => `${p.metadata.namespace}/${p.metadata.name}`)).toEqual(['data/orders-db-ingress', 'shop/api-egress']);
    const r = Reachability.fromChart(chart, { pods: [{ namespace: 'shop', name: 'api', labels: { app: 'api' } }, { namespace: 'shop', name: 'other', labels: { app: 'other' } }] });
    // The database's pods are not in the chart: it is a declared endpoint, with the ports it gave.
    expect(r.allows('shop/api', 'data/orders-db', Port.tcp(5432))).toBe(true);
    expect(r.allows('shop/api', 'data/orders-db', Port.named('postgres'))).toBe(true);
    expect(r.allows('shop/api', 'data/orders-db', Port.tcp(5433))).toBe(false);
    expect(r.allows('shop/other', 'data/orders-db', Port.tcp(5432))).toBe(false);
  });

  test('TierChain, ExternalEgress, NetworkPolicy and the recipes take it too', () => {
    const chart = testChart('shop');
    const db = new OperatorDatabase('orders-db', 'shop', 'orders');
    new TierChain(chart, 'chain', { tiers: [{ endpoint: api, ports: [Port.tcp(8080)] }, { endpoint: db, ports: [Port.tcp(5432)] }], dns: false, defaultDeny: false });
    new ExternalEgress(chart, 'backup', { from: db, to: ExternalDestination.cidrs('backup', ['192.0.2.0/24']), ports: [Port.tcp(443)] });
    new AllowPrometheusScraping(chart, 'scrape', { endpoint: db, port: Port.tcp(9187) });
    new AllowIngressController(chart, 'ingress', { endpoint: api, ports: [Port.tcp(8080)] });
    new NetworkPolicy(chart, 'jobs', { pods: Selector.labels({ app: 'jobs' }) }).allowTo(db, Port.tcp(5432));
    const r = Reachability.fromManifests([...chart.toJson(), pod('shop', 'api', { app: 'api' }), pod('shop', 'db-1', { 'cnpg.io/cluster': 'orders' }), pod('shop', 'jobs', { app: 'jobs' })],
      {
        pods: [...CLUSTER_SERVICES.pods!, { namespace: 'monitoring', name: 'prometheus', labels: { 'app.kubernetes.io/name': 'prometheus' } }],
        externals: [...CLUSTER_SERVICES.externals!, { name: 'backup', ip: '192.0.2.7' }],
      });
    expect(r.allows('shop/api', 'shop/db-1', Port.tcp(5432))).toBe(true);
    expect(r.allows('shop/jobs', 'shop/db-1', Port.tcp(5432))).toBe(false); // jobs' egress allows it, db's ingress does not
    expect(r.allows('shop/db-1', 'backup', Port.tcp(443))).toBe(true);
    expect(r.allows('shop/db-1', 'internet', Port.tcp(443))).toBe(false);
    expect(r.allows('monitoring/prometheus', 'shop/db-1', Port.tcp(9187))).toBe(true);
    expect(r.allows('monitoring/prometheus', 'shop/db-1', Port.tcp(5432))).toBe(false);
    expect(r.allows('ingress-nginx/controller', 'shop/api', Port.tcp(8080))).toBe(true);
    expect(r.allows('ingress-nginx/controller', 'shop/db-1', Port.tcp(5432))).toBe(false);
    expect(policiesOf(chart).find((p) => p.metadata.name === 'jobs').spec.egress)
      .toEqual([{ to: [{ podSelector: { matchLabels: { 'cnpg.io/cluster': 'orders' } } }], ports: [{ protocol: 'TCP', port: 5432 }] }]);
  });

  test('its fields are copied when used: changing them afterwards changes nothing', () => {
    const ports: EndpointPort[] = [{ number: 5432 }];
    const mutable: { name: string; pods: Selector; containerPorts: EndpointPort[] } = { name: 'db', pods: Selector.labels({ app: 'db' }), containerPorts: ports };
    const chart = testChart('shop');
    NetworkPolicies.of(chart).allow(api, mutable, Port.tcp(5432));
    const before = yamlOf(chart);
    mutable.name = 'other';
    mutable.pods = Selector.labels({ app: 'other' });
    ports.splice(0, 1, { number: 1 }); // a live list would now fail the synth-time port check (5432 not exposed)
    expect(yamlOf(chart)).toEqual(before);
  });

  test('an implementation that could stand for more pods than meant, or is not one, is refused with the reason', () => {
    const net = NetworkPolicies.of(testChart('shop'));
    expect(() => net.allow(api, own({ name: 'all', pods: Selector.all() }), Port.tcp(1)))
      .toThrow(/^\[test\/NetworkPolicies\] [a-z]+: Endpoint all: \{\} has no labels, so it would stand for every pod of its namespace/);
    expect(() => net.allow(api, { name: 'x', pods: { app: 'x' } } as never, Port.tcp(1))).toThrow(/^\[test\/NetworkPolicies\] [a-z]+: Endpoint x: .*pods is not a Selector/);
    expect(() => net.allow(api, own({ name: 'x', pods: Selector.labels({ app: 'x' }), namespace: 'Bad' }), Port.tcp(1))).toThrow(/namespace: "Bad" is not a valid namespace name/);
    expect(() => net.allow(api, own({ name: 'x', pods: Selector.labels({ app: 'x' }), containerPorts: [{ number: 0 }] }))).toThrow(/Endpoint x: ports\[0\]\.number: 0 is not a valid port number/);
    expect(() => net.allow(api, { name: 'x' } as never, Port.tcp(1))).toThrow(/^\[test\/NetworkPolicies\] \{"name":"x"\} is not an Endpoint\. Build endpoints with Endpoint\.of\(\{\.\.\.\}\), Endpoint\.fromLabels\(\.\.\.\) or Endpoint\.fromWorkload\(deployment\), or implement IEndpoint/);
    const throwing = { name: 'x', get pods(): Selector { throw new TypeError('no pods'); } };
    expect(() => net.allow(api, throwing, Port.tcp(1))).toThrow(/is not an Endpoint/);
    expect(() => new TierChain(testChart('shop'), 't', { tiers: [{ endpoint: Peer.anyone() as never, ports: [Port.tcp(1)] }] })).toThrow(/^\[test\/t\] tiers\[0\]\.endpoint is not an Endpoint \(got anyone\)\. Build endpoints with/);
  });
});
