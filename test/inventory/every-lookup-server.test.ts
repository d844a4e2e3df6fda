import { Cluster } from '../../src/inventory/cluster';
import { ABSENT_CLUSTER_DNS_ID, everyLookupServer, LookupReach } from '../../src/inventory/dns-servers';

/**
 * The every-server rule (inventory/dns-servers `everyLookupServer`), which the analysis's DNS path
 * and NP002 both call: every DNS server a pod may ask must be reached; the cluster DNS the input
 * does not hold counts only where the input polices it.
 */
const pod = (namespace: string, name: string, labels: Record<string, string>, dns = false) => ({
  object: {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels },
    spec: { containers: [{ name: 'main', ports: dns ? [{ containerPort: 53, protocol: 'UDP', name: 'dns' }] : [] }] },
  },
});
/** `unnamed` and `policed` as given (three-valued: no defaults, which would take undefined for absent). */
function reach(reached: Record<string, boolean | undefined>, ...rest: Array<boolean | undefined>): LookupReach {
  const [unnamed, policed] = rest.length === 2 ? rest : [true, false];
  return { reached: (server) => reached[server.id] ?? false, unnamed: () => unnamed, policed: () => policed };
}

test('two DNS servers: both reached allows, one reached is undecided, none denies; a pod never asks itself', () => {
  const cluster = new Cluster([pod('kube-system', 'coredns', { 'k8s-app': 'kube-dns' }, true), pod('kube-system', 'local', { app: 'local' }, true), pod('shop', 'api', {})]);
  const api = cluster.endpoint('shop/api')!;
  expect(everyLookupServer(cluster, api, reach({ 'kube-system/coredns': true, 'kube-system/local': true })).reading).toBe(true);
  const some = everyLookupServer(cluster, api, reach({ 'kube-system/coredns': true }));
  expect(some.reading).toBeUndefined();
  expect(some.servers.map((s) => [s.server.id, s.reached])).toEqual([['kube-system/coredns', true], ['kube-system/local', false]]);
  expect(everyLookupServer(cluster, api, reach({})).reading).toBe(false);
  // The cluster DNS is in the input: no stand-in, whatever polices it.
  expect(everyLookupServer(cluster, api, reach({ 'kube-system/coredns': true, 'kube-system/local': true }, true, true)).absent).toBeUndefined();
  const coredns = cluster.endpoint('kube-system/coredns')!;
  expect(everyLookupServer(cluster, coredns, reach({ 'kube-system/local': true })).reading).toBe(true);
});

test('no DNS server in the input: the rules\' own resolver decides unless the input polices the cluster DNS, which must then be reached', () => {
  const cluster = new Cluster([pod('shop', 'api', {})]);
  const api = cluster.endpoint('shop/api')!;
  expect(everyLookupServer(cluster, api, reach({}, true, false))).toEqual({ reading: true, servers: [], unnamed: { reached: true } });
  expect(everyLookupServer(cluster, api, reach({}, false, false)).reading).toBe(false);
  const policed = everyLookupServer(cluster, api, reach({}, true, true));
  expect(policed.reading).toBeUndefined();
  expect(policed.absent?.server.id).toBe(ABSENT_CLUSTER_DNS_ID);
  expect(everyLookupServer(cluster, api, reach({ [ABSENT_CLUSTER_DNS_ID]: true }, true, true)).reading).toBe(true);
  // Whether the input polices it is unknown: both readings, counted (undecided) and not (allowed).
  expect(everyLookupServer(cluster, api, reach({}, true, undefined)).reading).toBeUndefined();
  // Neither the rules' resolver nor the cluster DNS is reached: denied, policed or not.
  expect(everyLookupServer(cluster, api, reach({}, false, undefined)).reading).toBe(false);
});
