import * as path from 'path';
import { netpol, policyYaml, tempDir } from './cli-harness';

const PODS = ['web', 'api', 'db'].map((n) => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${n}\n  namespace: shop\n  labels: { app: ${n} }\nspec:\n  containers: [{ name: c, ports: [{ containerPort: 8080, name: http }] }]\n`).join('---\n');
const POLICY = policyYaml('api', '  podSelector: { matchLabels: { app: api } }\n  policyTypes: [Ingress]\n  ingress:\n    - from: [{ podSelector: { matchLabels: { app: web } } }]\n      ports: [{ port: http }]\n');

describe('netpol matrix', () => {
  const dir = tempDir({ 'pods.yaml': PODS, 'policy.yaml': POLICY });

  test('--format json: every pair, including each endpoint to itself', () => {
    const r = netpol(['matrix', dir, '--port', '8080', '--format', 'json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toEqual({
      port: 8080,
      protocol: 'TCP',
      endpoints: ['shop/web', 'shop/api', 'shop/db'],
      allowed: {
        'shop/web': { 'shop/web': true, 'shop/api': true, 'shop/db': true },
        'shop/api': { 'shop/web': true, 'shop/api': true, 'shop/db': true },
        'shop/db': { 'shop/web': true, 'shop/api': false, 'shop/db': true },
      },
    });
  });

  test('--group-by namespace|class: counts of allowed pairs per pair of groups, equal to the matrix, streamed JSON', () => {
    const other = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n  namespace: ops\n  labels: { app: web }\nspec:\n  containers: [{ name: c }]\n';
    const two = tempDir({ 'pods.yaml': `${PODS}---\n${other}`, 'policy.yaml': POLICY });
    const cells = JSON.parse(netpol(['matrix', two, '--port', '8080', '--format', 'json']).stdout).allowed;
    const count = (from: (id: string) => boolean, to: (id: string) => boolean) => Object.entries(cells)
      .filter(([f]) => from(f)).reduce((sum, [, row]: [string, any]) => sum + Object.entries(row).filter(([t, ok]) => to(t) && ok).length, 0);
    const inNs = (ns: string) => (id: string) => id.startsWith(`${ns}/`);
    const r = netpol(['matrix', two, '--port', '8080', '--group-by', 'namespace', '--format', 'json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.port).toBe('8080/TCP');
    expect(out.groups).toEqual([{ name: 'ops', endpoints: 1, first: 'ops/x' }, { name: 'shop', endpoints: 3, first: 'shop/web' }]);
    // Only the pairs of namespaces with an allowed pair are listed.
    expect(out.cells).toEqual(['ops', 'shop'].flatMap((a) => ['ops', 'shop'].map((b) => ({
      from: a, to: b, allowed: count(inNs(a), inNs(b)), pairs: (a === 'ops' ? 1 : 3) * (b === 'ops' ? 1 : 3),
    }))).filter((c) => c.allowed > 0));
    // shop/api's policy admits shop/web only (its own namespace): ops/x reaches shop/web and shop/db.
    expect(out.cells.find((c: any) => c.from === 'ops' && c.to === 'shop').allowed).toBe(2);
    expect(out.cells.find((c: any) => c.from === 'shop' && c.to === 'shop').allowed).toBe(8);
    const text = netpol(['matrix', two, '--port', '8080', '--group-by', 'namespace']).stdout;
    expect(text).toContain('port 8080/TCP, by namespace: allowed endpoint pairs / all pairs');
    expect(text).toContain('ops -> shop: 2/3\n');
    expect(text).toContain('shop -> shop: 8/9\n');
    // By class: the same total of allowed pairs, over every endpoint.
    const classes = JSON.parse(netpol(['matrix', two, '--port', '8080', '--group-by', 'class', '--format', 'json']).stdout);
    expect(classes.cells.reduce((sum: number, c: any) => sum + c.allowed, 0)).toBe(count(() => true, () => true));
    expect(classes.groups.reduce((sum: number, g: any) => sum + g.endpoints, 0)).toBe(4);
    const bad = netpol(['matrix', two, '--port', '8080', '--group-by', 'namespace', '--format', 'dot']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--group-by prints text or json');
    expect(netpol(['matrix', two, '--port', '8080', '--group-by', 'pod']).stderr).toContain('--group-by "pod" is not supported. Use one of: namespace, workload, class.');
  });

  test('--group-by workload: groups by owner in the input, else app label, else the pod; says the rule; counts equal the matrix', () => {
    const dump = path.join(__dirname, '..', 'fixtures', 'cluster-workloads.json');
    const r = netpol(['matrix', dump, '--port', '8080', '--group-by', 'workload', '--format', 'json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.groupBy).toBe('workload');
    expect(out.groups).toEqual([
      // Pods of a StatefulSet that is not in the dump: by their app label.
      { name: 'ops/app=prometheus', rule: 'label', label: 'app', endpoints: 2, first: 'ops/prometheus-0' },
      // The CronJob's Job and the Job's pod are folded into it.
      { name: 'ops/backup', rule: 'workload', kind: 'CronJob', endpoints: 1, first: 'ops/backup' },
      // app.kubernetes.io/name before app: pods of a ReplicaSet that is not in the dump.
      { name: 'shop/app.kubernetes.io/name=api', rule: 'label', label: 'app.kubernetes.io/name', endpoints: 3, first: 'shop/api-6f8c7-abcde' },
      { name: 'shop/debug', rule: 'endpoint', kind: 'Pod', endpoints: 1, first: 'shop/debug' },
      // The two pods fold into their ReplicaSet (same labels, pod-template-hash included); the ReplicaSet's
      // template has pod-template-hash, the Deployment's not, so it stays an endpoint, grouped under its Deployment.
      { name: 'shop/web', rule: 'workload', kind: 'Deployment', endpoints: 1, first: 'shop/web-7d4b9' },
    ]);
    // Every cell equals the endpoint matrix's count, allowed and denied.
    const cells = JSON.parse(netpol(['matrix', dump, '--port', '8080', '--format', 'json']).stdout).allowed;
    const group: Record<string, string> = {
      'ops/prometheus-0': 'ops/app=prometheus',
      'ops/prometheus-1': 'ops/app=prometheus',
      'ops/backup': 'ops/backup',
      'shop/debug': 'shop/debug',
      'shop/web-7d4b9': 'shop/web',
      'shop/api-6f8c7-abcde': 'shop/app.kubernetes.io/name=api',
      'shop/api-6f8c7-fghij': 'shop/app.kubernetes.io/name=api',
      'shop/api-6f8c7-klmno': 'shop/app.kubernetes.io/name=api',
    };
    expect(Object.keys(cells).sort()).toEqual(Object.keys(group).sort());
    // Of the 25 ordered pairs of groups, the 16 with an allowed pair are listed, in the order of `groups`.
    expect(out.cells).toHaveLength(16);
    const names = out.groups.map((g: any) => g.name);
    expect(out.cells.map((c: any) => [names.indexOf(c.from), names.indexOf(c.to)])).toEqual(
      out.cells.map((c: any) => [names.indexOf(c.from), names.indexOf(c.to)]).sort((a: number[], b: number[]) => a[0] - b[0] || a[1] - b[1]),
    );
    const size = new Map(out.groups.map((g: any) => [g.name, g.endpoints]));
    for (const from of names) {
      for (const to of names) {
        const pairs = Object.entries(cells).filter(([f]) => group[f] === from)
          .flatMap(([, row]: [string, any]) => Object.entries(row).filter(([t]) => group[t] === to).map(([, ok]) => ok));
        const cell = out.cells.find((c: any) => c.from === from && c.to === to);
        // A pair not listed has no allowed pair: all of its size(from) * size(to) pairs are denied.
        const allowed = cell?.allowed ?? 0;
        const denied = (size.get(from) as number) * (size.get(to) as number) - allowed;
        expect([allowed, denied]).toEqual([pairs.filter((ok) => ok).length, pairs.filter((ok) => !ok).length]);
        if (cell) expect(cell.allowed).toBeGreaterThan(0);
      }
    }
    // web reaches api (api-ingress) but debug does not; prometheus scrapes all of shop; shop/web's replicas not each other.
    const cell = (from: string, to: string) => out.cells.find((c: any) => c.from === from && c.to === to);
    expect(cell('shop/web', 'shop/app.kubernetes.io/name=api')).toEqual({ from: 'shop/web', to: 'shop/app.kubernetes.io/name=api', allowed: 3, pairs: 3 });
    expect(cell('shop/debug', 'shop/app.kubernetes.io/name=api')).toBeUndefined();
    expect(cell('ops/app=prometheus', 'shop/web').allowed).toBe(2);
    expect(cell('shop/web', 'shop/web')).toBeUndefined();
    const text = netpol(['matrix', dump, '--port', '8080', '--group-by', 'workload']).stdout;
    expect(text).toContain('port 8080/TCP, by workload: allowed endpoint pairs / all pairs');
    expect(text).toContain('  shop/web: 1 endpoint (Deployment)\n');
    expect(text).toContain('  ops/app=prometheus: 2 endpoints (by label app)\n');
    expect(text).toContain('  shop/debug: 1 endpoint (the Pod itself: no workload, no app label)\n');
    expect(text).toContain('shop/web -> shop/app.kubernetes.io/name=api: 3/3\n');
    expect(text).not.toContain('shop/debug -> shop/app.kubernetes.io/name=api');
  });

  test('named port, text, markdown, mermaid and dot', () => {
    expect(netpol(['matrix', dir, '--port', 'http']).stdout).toContain('port http/TCP: rows may connect to columns');
    expect(netpol(['matrix', dir, '--port', '8080', '--format', 'markdown']).stdout).toContain('| `shop/db` | ✅ | ❌ | ↺ |');
    const mermaid = netpol(['matrix', dir, '--port', '8080', '--format', 'mermaid']).stdout;
    expect(mermaid).toMatch(/^flowchart LR\n {2}subgraph ns_shop\["namespace shop"\]/);
    expect(mermaid).not.toMatch(/n2 -->\|"8080\/TCP"\| n1/);
    const dot = netpol(['matrix', dir, '--port', '8080', '--format', 'dot']).stdout;
    expect(dot).toContain('"shop/web" -> "shop/api" [label="8080/TCP"];');
    expect(dot).not.toContain('"shop/db" -> "shop/api"');
  });

  test('policies the API server would reject are left out, reported, exit 1', () => {
    const bad = tempDir({ 'pods.yaml': PODS, 'bad.yaml': policyYaml('bad', '  podSelector: {}\n  ingress: [{ ports: [{ port: 0 }] }]\n') });
    const r = netpol(['matrix', bad, '--port', '80']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('shop/bad: left out: the API server would reject it (spec.ingress[0].ports[0].port: Invalid value: 0');
  });

  test('usage errors', () => {
    expect(netpol(['matrix', dir])).toMatchObject({ code: 2, stderr: expect.stringContaining('--port is required') });
    expect(netpol(['matrix', dir, '--port', 'http', '--protocol', 'udp']).stdout).toContain('port http/UDP: rows may connect to columns');
  });

  test.each([
    [['--port', '0'], '--port "0" is not a port number. Give a number from 1 to 65535, or a container port name such as http.'],
    [['--port', '65536'], '--port "65536" is not a port number. Give a number from 1 to 65535'],
    [['--port', 'HTTP'], '--port "HTTP" is neither a port number nor a container port name (a name must contain only alpha-numeric characters'],
    [['--port', '1.5'], '--port "1.5" is neither a port number nor a container port name'],
    [['--port', '80', '--protocol', 'icmp'], '--protocol "icmp" is not supported. Use one of: TCP, UDP, SCTP (in any case).'],
    [['--port', '80', '--external', 'pay=1.2.3'], '--external "pay=1.2.3": "1.2.3" is not an IP address. Give one IPv4 or IPv6 address'],
    [['--port', '80', '--external', 'pay=203.0.113.0/24'], '--external "pay=203.0.113.0/24": "203.0.113.0/24" is not an IP address.'],
    [['--port', '80', '--external', 'pay=1.2.3.4=5'], '--external "pay=1.2.3.4=5": "1.2.3.4=5" is not an IP address.'],
  ])('%j: an error in the options\' own terms', (args, message) => {
    const r = netpol(['matrix', dir, ...args]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`netpol matrix: ${message}`);
    // Never the library's call or a value the user did not write.
    expect(r.stderr).not.toMatch(/Port\.(of|named|tcp)|"ICMP"|endpoint pay:/);
  });
});

describe('netpol explain', () => {
  const dir = tempDir({ 'pods.yaml': PODS, 'policy.yaml': POLICY });

  test('allowed: names the policy and rule', () => {
    const r = netpol(['explain', dir, '--from', 'shop/web', '--to', 'shop/api', '--port', '8080']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe([
      'shop/web -> shop/api on 8080/TCP: ALLOWED',
      '  egress of shop/web: not isolated (no policy selects it for egress), so everything is allowed',
      '  ingress of shop/api: isolated by shop/api; allowed by shop/api ingress[0]',
      '',
    ].join('\n'));
  });

  test('denied: says which side and which policies; json', () => {
    const r = netpol(['explain', dir, '--from', 'shop/db', '--to', 'shop/api', '--port', 'http', '--format', 'json']);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ from: 'shop/db', to: 'shop/api', port: 'http/TCP (8080)', allowed: false, ingress: { isolated: true, isolatingPolicies: ['shop/api'], allowedBy: [] } });
  });

  test('external endpoints and unknown endpoints', () => {
    const r = netpol(['explain', dir, '--from', 'shop/api', '--to', 'payment', '--port', '443', '--external', 'payment=203.0.113.10']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('ingress of payment: outside the cluster, not policed');
    expect(netpol(['explain', dir, '--from', 'shop/nope', '--to', 'shop/api', '--port', '80'])).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown endpoint "shop/nope". Known endpoints: shop/web, shop/api, shop/db') });
    expect(netpol(['explain', dir, '--from', 'shop/web', '--port', '80'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--from and --to are required') });
    expect(netpol(['explain', dir, '--from', 'a', '--to', 'b', '--port', '1', '--external', 'x'])).toMatchObject({ code: 2, stderr: expect.stringContaining('write name=ip') });
  });
});

describe('typed lists (kubectl get pods,namespaces -o json: items without kind and apiVersion)', () => {
  const podItem = (name: string, ns: string) => ({ metadata: { name, namespace: ns, labels: { app: name } }, spec: { containers: [{ name: 'c', ports: [{ containerPort: 8080 }] }] }, status: { podIP: '10.0.0.1' } });
  const dir = tempDir({
    'pods.json': JSON.stringify({ apiVersion: 'v1', kind: 'PodList', metadata: {}, items: [podItem('web', 'shop'), podItem('client', 'lab'), podItem('stranger', 'public')] }),
    'namespaces.json': JSON.stringify({
      apiVersion: 'v1',
      kind: 'NamespaceList',
      items: ['shop', 'lab', 'public'].map((name) => ({ metadata: { name, labels: { 'kubernetes.io/metadata.name': name, 'team': name === 'public' ? 'other' : 'shop' } } })),
    }),
    'policy.yaml': policyYaml('web', '  podSelector: { matchLabels: { app: web } }\n  policyTypes: [Ingress]\n  ingress:\n    - from: [{ namespaceSelector: { matchLabels: { team: shop } } }]\n'),
  });

  test('matrix: the pods are endpoints, and the namespaces\' labels decide the namespaceSelector', () => {
    const r = netpol(['matrix', dir, '--port', '8080', '--format', 'json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.endpoints).toEqual(['shop/web', 'lab/client', 'public/stranger']);
    expect(out.allowed['lab/client']['shop/web']).toBe(true);
    expect(out.allowed['public/stranger']['shop/web']).toBe(false);
    expect(out.allowed['shop/web']['lab/client']).toBe(true);
  });
});
