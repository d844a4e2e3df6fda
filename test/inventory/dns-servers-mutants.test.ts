import { Cluster, ClusterEndpoint, ClusterPort } from '../../src/inventory/cluster';
import {
  absentClusterDns,
  ABSENT_CLUSTER_DNS_ID,
  dnsServers,
  everyLookupServer,
  isClusterDns,
  isDnsServer,
  LookupReach,
  lookupCandidates,
  lookupServers,
} from '../../src/inventory/dns-servers';

/**
 * What inventory/dns-servers decides, end by end: which ends are DNS servers (53/UDP declared, or
 * the well-known cluster DNS), which a source may ask (never itself), the stand-in for the cluster
 * DNS the input does not hold, and the shape of the every-server rule's answer. Each case says what
 * is a DNS server AND what is not.
 */
const udp53: ClusterPort = { number: 53, name: 'dns', protocol: 'UDP' };
let next = 0;
function end(id: string, over: Partial<ClusterEndpoint> = {}): ClusterEndpoint {
  const [namespace] = id.split('/');
  return {
    index: next++,
    id,
    kind: 'Pod',
    namespace,
    labels: {},
    ports: [],
    ips: [],
    external: false,
    dnsNames: [],
    singleInstance: true,
    origin: { option: 'test' },
    hostNetwork: false,
    nodeTraffic: false,
    ...over,
  };
}
/** A view over these ends, each at its position. */
function view(...ends: ClusterEndpoint[]): Cluster {
  return new Cluster([]).withEndpoints(ends.map((e, index) => ({ ...e, index })));
}
const kubeDns = { 'k8s-app': 'kube-dns' };

describe('isDnsServer', () => {
  test('an end inside the cluster declaring 53/UDP is one, whatever its name; 53/TCP or 5353/UDP alone is not', () => {
    expect(isDnsServer(end('shop/resolver', { ports: [{ number: 53, name: 'domain', protocol: 'UDP' }] }))).toBe(true);
    expect(isDnsServer(end('shop/resolver', { ports: [{ number: 80, protocol: 'TCP' }, udp53] }))).toBe(true);
    expect(isDnsServer(end('shop/tcp', { ports: [{ number: 53, name: 'dns-tcp', protocol: 'TCP' }] }))).toBe(false);
    expect(isDnsServer(end('shop/mdns', { ports: [{ number: 5353, name: 'mdns', protocol: 'UDP' }] }))).toBe(false);
    expect(isDnsServer(end('shop/web', { ports: [{ number: 80, name: 'http', protocol: 'TCP' }] }))).toBe(false);
    expect(isDnsServer(end('shop/bare'))).toBe(false);
  });

  test('an external end or the API server is never one, even declaring 53/UDP; apiServer false is an end like any', () => {
    expect(isDnsServer(end('upstream', { namespace: undefined, external: true, ports: [udp53] }))).toBe(false);
    expect(isDnsServer(end('default/kubernetes', { apiServer: true, ports: [udp53] }))).toBe(false);
    expect(isDnsServer(end('default/kubernetes', { apiServer: true, external: true, ports: [udp53] }))).toBe(false);
    expect(isDnsServer(end('shop/resolver', { apiServer: false, ports: [udp53] }))).toBe(true);
    expect(isDnsServer(end('kube-system/coredns', { apiServer: false, labels: kubeDns }))).toBe(true);
  });

  test('the cluster DNS is one whatever ports it declares; not outside kube-system, not without the label', () => {
    expect(isDnsServer(end('kube-system/coredns', { labels: kubeDns }))).toBe(true);
    expect(isDnsServer(end('shop/fake-dns', { labels: kubeDns }))).toBe(false);
    expect(isDnsServer(end('kube-system/metrics', { labels: { 'k8s-app': 'metrics-server' } }))).toBe(false);
    expect(isDnsServer(end('kube-system/proxy', { labels: { app: 'kube-dns' } }))).toBe(false);
  });
});

describe('isClusterDns', () => {
  test('a kube-system pod labelled k8s-app: kube-dns, and only that', () => {
    expect(isClusterDns(end('kube-system/coredns', { labels: kubeDns }))).toBe(true);
    expect(isClusterDns(end('kube-system/coredns', { labels: kubeDns, apiServer: false }))).toBe(true);
    expect(isClusterDns(end('shop/fake-dns', { labels: kubeDns, ports: [udp53] }))).toBe(false);
    expect(isClusterDns(end('kube-system/resolver', { ports: [udp53] }))).toBe(false);
  });

  test('never an external end or the API server, whatever namespace and labels they carry', () => {
    expect(isClusterDns(end('kube-system/x', { labels: kubeDns, external: true }))).toBe(false);
    expect(isClusterDns(end('kube-system/x', { labels: kubeDns, apiServer: true }))).toBe(false);
    expect(isClusterDns(end('kube-system/x', { labels: kubeDns, apiServer: true, external: true }))).toBe(false);
  });
});

describe('dnsServers, lookupServers, lookupCandidates', () => {
  const coredns = end('kube-system/coredns', { labels: kubeDns });
  const local = end('kube-system/local', { ports: [udp53] });
  const api = end('shop/api', { ports: [{ number: 8080, protocol: 'TCP' }] });
  const cluster = view(coredns, api, local);
  const at = (id: string) => cluster.endpoint(id)!;
  const ids = (es: readonly ClusterEndpoint[]) => es.map((e) => e.id);

  test('dnsServers: the DNS servers in model order, not the other ends', () => {
    expect(ids(dnsServers(cluster))).toEqual(['kube-system/coredns', 'kube-system/local']);
  });

  test('lookupServers: a pod asks every DNS server but itself; an undeclared source asks all', () => {
    expect(ids(lookupServers(cluster, at('shop/api')))).toEqual(['kube-system/coredns', 'kube-system/local']);
    expect(ids(lookupServers(cluster, at('kube-system/local')))).toEqual(['kube-system/coredns']);
    expect(ids(lookupServers(cluster, undefined))).toEqual(['kube-system/coredns', 'kube-system/local']);
  });

  test('lookupServers: self is the same index and id, an end of another model with the same id is not', () => {
    // A source of another model (index 7 there) that shares the id: not this model's end.
    const elsewhere = { ...at('kube-system/local'), index: 7 };
    expect(ids(lookupServers(cluster, elsewhere))).toEqual(['kube-system/coredns', 'kube-system/local']);
    const sameIndex = { ...at('kube-system/local'), id: 'kube-system/other' };
    expect(ids(lookupServers(cluster, sameIndex))).toEqual(['kube-system/coredns', 'kube-system/local']);
  });

  test('lookupCandidates: a DNS server source may ask every end but itself; any other source every end, itself included', () => {
    expect(ids(lookupCandidates(cluster, at('kube-system/local')))).toEqual(['kube-system/coredns', 'shop/api']);
    expect(ids(lookupCandidates(cluster, at('kube-system/coredns')))).toEqual(['shop/api', 'kube-system/local']);
    expect(ids(lookupCandidates(cluster, at('shop/api')))).toEqual(['kube-system/coredns', 'shop/api', 'kube-system/local']);
  });
});

describe('absentClusterDns', () => {
  test('the stand-in is the add-on\'s pods as coredns.yaml.base declares them, known for nothing else', () => {
    const cluster = view(end('shop/api'), end('kube-system/metrics', { labels: { 'k8s-app': 'metrics-server' } }));
    const standIn = absentClusterDns(cluster, cluster.endpoint('shop/api'))!;
    expect(standIn).toStrictEqual({
      kind: 'Pod',
      namespace: 'kube-system',
      id: ABSENT_CLUSTER_DNS_ID,
      labels: { 'k8s-app': 'kube-dns' },
      ports: [
        { number: 53, name: 'dns', protocol: 'UDP' },
        { number: 53, name: 'dns-tcp', protocol: 'TCP' },
      ],
      ips: [],
      external: false,
      dnsNames: [],
      singleInstance: false,
      origin: { option: 'the cluster DNS, not in the input' },
      hostNetwork: false,
      nodeTraffic: false,
      index: -1,
    });
    expect(ABSENT_CLUSTER_DNS_ID).toBe('kube-system/k8s-app=kube-dns');
    expect(isDnsServer(standIn)).toBe(true);
    expect(isClusterDns(standIn)).toBe(true);
    expect(Object.isFrozen(standIn)).toBe(true);
  });

  test('absent unless some end but the source is the cluster DNS; a lookalike outside kube-system does not count', () => {
    const coredns = end('kube-system/coredns', { labels: kubeDns });
    const held = view(coredns, end('shop/api'));
    expect(absentClusterDns(held, held.endpoint('shop/api'))).toBeUndefined();
    expect(absentClusterDns(held, undefined)).toBeUndefined();
    expect(absentClusterDns(held, held.endpoint('kube-system/coredns'))?.id).toBe(ABSENT_CLUSTER_DNS_ID);
    const lookalike = view(end('shop/fake-dns', { labels: kubeDns, ports: [udp53] }), end('shop/api'));
    expect(absentClusterDns(lookalike, lookalike.endpoint('shop/api'))?.id).toBe(ABSENT_CLUSTER_DNS_ID);
    expect(absentClusterDns(lookalike, undefined)?.id).toBe(ABSENT_CLUSTER_DNS_ID);
  });
});

describe('everyLookupServer: what it asks and the shape of its answer', () => {
  const reach = (reached: Record<string, boolean | undefined>, unnamed: boolean | undefined, policed: () => boolean | undefined): LookupReach => ({
    reached: (server) => reached[server.id] ?? false,
    unnamed: () => unnamed,
    policed: () => policed(),
  });
  const never = (): boolean | undefined => {
    throw new Error('policed asked although the lookups reach the stand-in');
  };

  test('the stand-in reached: policed is not asked and it is not counted, though the input polices it', () => {
    const cluster = view(end('shop/api'));
    const api = cluster.endpoint('shop/api')!;
    const result = everyLookupServer(cluster, api, reach({ [ABSENT_CLUSTER_DNS_ID]: true }, true, never));
    expect(result).toStrictEqual({ reading: true, servers: [], unnamed: { reached: true } });
    const policed = everyLookupServer(cluster, api, reach({ [ABSENT_CLUSTER_DNS_ID]: true }, true, () => true));
    expect(policed).toStrictEqual({ reading: true, servers: [], unnamed: { reached: true } });
    // Not reached and policed: counted, and the lookups there dropped.
    const dropped = everyLookupServer(cluster, api, reach({}, true, () => true));
    expect(dropped.reading).toBeUndefined();
    expect(dropped.absent).toEqual({ server: absentClusterDns(cluster, api), reached: false });
  });

  test('no unnamed or absent key where there is none: the answer holds only what was counted', () => {
    const cluster = view(end('kube-system/coredns', { labels: kubeDns }), end('shop/api'));
    const api = cluster.endpoint('shop/api')!;
    const allowed = everyLookupServer(cluster, api, reach({ 'kube-system/coredns': true }, true, never));
    expect(Object.keys(allowed).sort()).toEqual(['reading', 'servers']);
    expect(allowed.reading).toBe(true);
    const denied = everyLookupServer(cluster, api, reach({ 'kube-system/coredns': false }, true, never));
    expect(Object.keys(denied).sort()).toEqual(['reading', 'servers']);
    expect(denied.reading).toBe(false);
  });
});
