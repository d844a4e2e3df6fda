import { Port, Reachability } from '../../src';
import { statedApiServers } from '../../src/inventory/api-server-endpoints';
import { netpol, tempDir } from '../cli/cli-harness';

// A `kubectl get ... -A -o json` dump with the endpoints of the `kubernetes` Service in `default`
// states where the API servers are: the analyser reads them as if given by --api-server.
const web = {
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' } }, spec: { containers: [{ name: 'c' }] }, status: { podIP: '10.2.0.5' },
};
const node = (name: string, address: string) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name }, status: { addresses: [{ type: 'InternalIP', address }] } });
const cnp = {
  apiVersion: 'cilium.io/v2',
  kind: 'CiliumNetworkPolicy',
  metadata: { name: 'web-out', namespace: 'shop' },
  spec: { endpointSelector: { matchLabels: { app: 'web' } }, egress: [{ toEntities: ['kube-apiserver'], toPorts: [{ ports: [{ port: '6443', protocol: 'TCP' }] }] }] },
};
const endpoints = (ips: string[], name = 'kubernetes', namespace = 'default') => ({
  apiVersion: 'v1',
  kind: 'Endpoints',
  metadata: { name, namespace },
  subsets: [{ addresses: ips.map((ip) => ({ ip })), ports: [{ name: 'https', port: 6443, protocol: 'TCP' }] }],
});
const slice = (ips: string[], service = 'kubernetes', namespace = 'default') => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name: `${service}-x1`, namespace, labels: { 'kubernetes.io/service-name': service } },
  addressType: 'IPv4',
  endpoints: ips.map((ip) => ({ addresses: [ip], conditions: { ready: true } })),
  ports: [{ name: 'https', port: 6443, protocol: 'TCP' }],
});

describe('statedApiServers', () => {
  test('reads the Endpoints and the EndpointSlices of default/kubernetes, and nothing else', () => {
    expect(statedApiServers([endpoints(['10.0.0.1', '10.0.0.2'])])).toMatchObject({ ips: ['10.0.0.1', '10.0.0.2'], ports: ['6443/TCP'], source: 'default/kubernetes Endpoints' });
    expect(statedApiServers([slice(['10.0.0.1'])])).toMatchObject({ ips: ['10.0.0.1'], source: 'default/kubernetes EndpointSlice' });
    expect(statedApiServers([endpoints(['10.0.0.1']), slice(['10.0.0.1'])])).toMatchObject({ ips: ['10.0.0.1'], source: 'default/kubernetes Endpoints and default/kubernetes EndpointSlice' });
    // Another Service's, or one of the same name in another namespace, or a v1beta1 slice: not the API servers.
    for (const other of [endpoints(['10.0.0.1'], 'web'), endpoints(['10.0.0.1'], 'kubernetes', 'shop'), slice(['10.0.0.1'], 'web'), slice(['10.0.0.1'], 'kubernetes', 'shop'),
      { ...slice(['10.0.0.1']), apiVersion: 'discovery.k8s.io/v1beta1' }]) {
      expect(statedApiServers([other])).toBeUndefined();
    }
  });

  test('Endpoints and EndpointSlices that disagree, or that hold no address, are refused: never guessed', () => {
    expect(() => statedApiServers([endpoints(['10.0.0.1']), slice(['10.0.0.9'])]))
      .toThrow(/the Endpoints default\/kubernetes has 10\.0\.0\.1, the EndpointSlices of default\/kubernetes \(label kubernetes\.io\/service-name: kubernetes\) have 10\.0\.0\.9/);
    expect(() => statedApiServers([endpoints([])])).toThrow(/the Endpoints of default\/kubernetes, but with no address/);
  });
});

describe('the API servers from the input', () => {
  test('used as if given by --api-server: kube-apiserver is that address, on the Node that has it', () => {
    for (const stated of [endpoints(['10.0.0.1']), slice(['10.0.0.1'])]) {
      const r = Reachability.fromManifests([node('cp', '10.0.0.1'), node('w1', '10.0.0.7'), web, cnp, stated]);
      expect(r.endpoints).toContain('kube-apiserver');
      expect(r.skipped).toEqual([]);
      // The entity kube-apiserver takes in the API server and its node's ends, not another node.
      expect(r.allows('shop/web', 'kube-apiserver', Port.tcp(6443))).toBe(true);
      expect(r.allows('shop/web', 'node:cp', Port.tcp(6443))).toBe(true);
      expect(r.allows('shop/web', 'node:w1', Port.tcp(6443))).toBe(false);
      expect(r.allows('shop/web', 'kube-apiserver', Port.tcp(443))).toBe(false);
      const source = stated.kind === 'Endpoints' ? 'default/kubernetes Endpoints' : 'default/kubernetes EndpointSlice';
      expect(r.explain('shop/web', 'kube-apiserver', Port.tcp(6443)).notes).toContain(`API server at 10.0.0.1 (6443/TCP), from ${source}`);
      // The objects read are used, not counted as ignored; every other Endpoints stays an ignored kind.
      expect(r.ignored).toEqual([]);
    }
    const others = Reachability.fromManifests([node('cp', '10.0.0.1'), web, cnp, slice(['10.0.0.1']), endpoints(['10.2.0.5'], 'web', 'shop'), slice(['10.2.0.5'], 'web', 'shop')]);
    expect(others.ignored).toEqual([{ kind: 'EndpointSlice', count: 1 }, { kind: 'Endpoints', count: 1 }]);
    expect(others.skipped).toEqual([]);
  });

  test('several addresses are several API servers; given the same addresses too, they agree; given others, refused naming both', () => {
    const ha = Reachability.fromManifests([node('cp1', '10.0.0.1'), node('cp2', '10.0.0.2'), web, cnp, endpoints(['10.0.0.1', '10.0.0.2'])]);
    expect(ha.endpoints).toEqual(expect.arrayContaining(['kube-apiserver:10.0.0.1', 'kube-apiserver:10.0.0.2']));
    const same = Reachability.fromManifests([node('cp1', '10.0.0.1'), node('cp2', '10.0.0.2'), web, cnp, endpoints(['10.0.0.1', '10.0.0.2'])], { apiServerIps: ['10.0.0.2', '10.0.0.1'] });
    expect(same.endpoints).toEqual(expect.arrayContaining(['kube-apiserver:10.0.0.1', 'kube-apiserver:10.0.0.2']));
    expect(() => Reachability.fromManifests([node('cp1', '10.0.0.1'), web, cnp, endpoints(['10.0.0.1'])], { apiServerIp: '10.0.0.9' }))
      .toThrow(/were given as 10\.0\.0\.9 \(--api-server, ReachabilityOptions\.apiServerIps\), but the input states 10\.0\.0\.1 \(default\/kubernetes Endpoints\)/);
    expect(() => Reachability.fromManifests([node('cp1', '10.0.0.1'), web, cnp, endpoints(['10.0.0.1', '10.0.0.2'])], { apiServerIp: '10.0.0.1' }))
      .toThrow(/were given as 10\.0\.0\.1 .* but the input states 10\.0\.0\.1, 10\.0\.0\.2/);
  });

  test('without the kube-apiserver address in the input, the entity\'s rule is still left out as before', () => {
    const r = Reachability.fromManifests([node('cp', '10.0.0.1'), web, cnp]);
    expect(r.endpoints).not.toContain('kube-apiserver');
    expect(r.skipped[0].reason).toMatch(/the entity kube-apiserver is the Kubernetes API server, whose address the model was not given/);
  });
});

describe('netpol with the API servers in the input', () => {
  const input = (...objects: unknown[]) => tempDir({ 'dump.json': JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }) });

  test('explain uses them, and says where they came from', () => {
    const cli = netpol(['explain', input(node('cp', '10.0.0.1'), web, cnp, slice(['10.0.0.1'])), '--from', 'shop/web', '--to', 'kube-apiserver', '--port', '6443']);
    expect(cli.code).toBe(0);
    expect(cli.stdout).toMatch(/^shop\/web -> kube-apiserver on 6443\/TCP: ALLOWED/);
    expect(cli.stdout).toContain('note: API server at 10.0.0.1 (6443/TCP), from default/kubernetes EndpointSlice');
    expect(cli.stderr).toContain('note: API server at 10.0.0.1 (6443/TCP), from default/kubernetes EndpointSlice\n');
    const denied = netpol(['explain', input(node('cp', '10.0.0.1'), web, cnp, slice(['10.0.0.1'])), '--from', 'shop/web', '--to', 'kube-apiserver', '--port', '443']);
    expect(denied.stdout).toMatch(/^shop\/web -> kube-apiserver on 443\/TCP: DENIED/);
  });

  test('--api-server that disagrees is refused (exit 2), naming both; --api-server-outside alone places the stated addresses', () => {
    const cli = netpol(['explain', input(node('cp', '10.0.0.1'), web, cnp, endpoints(['10.0.0.1'])), '--from', 'shop/web', '--to', 'kube-apiserver', '--port', '6443',
      '--api-server', '10.0.0.5']);
    expect(cli.code).toBe(2);
    expect(cli.stderr).toContain('were given as 10.0.0.5 (--api-server, ReachabilityOptions.apiServerIps), but the input states 10.0.0.1 (default/kubernetes Endpoints)');
    const outside = netpol(['explain', input(web, { ...cnp, spec: { ...cnp.spec, egress: [{ toEntities: ['world'] }] } }, slice(['203.0.113.5'])),
      '--from', 'shop/web', '--to', 'kube-apiserver', '--port', '6443', '--api-server-outside']);
    expect(outside.stdout).toMatch(/^shop\/web -> kube-apiserver on 6443\/TCP: ALLOWED/);
    const unplaced = netpol(['explain', input(web, { ...cnp, spec: { ...cnp.spec, egress: [{ toEntities: ['world'] }] } }, slice(['203.0.113.5'])),
      '--from', 'shop/web', '--to', 'kube-apiserver', '--port', '6443']);
    expect(unplaced.code).toBe(2);
    expect(unplaced.stderr).toContain('--api-server-outside');
  });
});
