import { Testing } from 'cdk8s';
import { ThreeTier } from '../../examples/three-tier';
import { TwoNamespaces } from '../../examples/two-namespaces';
import { BlastRadius, DotFormat, JsonFormat, MermaidFormat, Port, Reachability, ReachabilityOptions, TextFormat } from '../../src';

const SURROUNDINGS: ReachabilityOptions = {
  pods: [
    { namespace: 'kube-system', name: 'coredns', labels: { 'k8s-app': 'kube-dns' } },
    { namespace: 'ingress-nginx', name: 'controller', labels: { 'app.kubernetes.io/name': 'ingress-nginx' } },
  ],
  externals: [{ name: 'payment-api', ip: '203.0.113.10' }],
};

/** `id (depth): a -[ports]-> b -[ports]-> c` per endpoint reached. */
const paths = (b: BlastRadius) => b.reached.map((r) => `${r.id} (${r.depth}): ${r.path.map((h, i) => `${i === 0 ? h.from : ''} -[${h.ports.join(', ')}]-> ${h.to}`).join('')}`);

describe('blast radius of the three-tier example (expected answers written by hand)', () => {
  const r = Reachability.fromChart(new ThreeTier(Testing.app(), 'three-tier'), SURROUNDINGS);

  test('from the ingress controller: the whole chain, one hop at a time, and what it reaches directly as an unpoliced pod', () => {
    expect(paths(r.blastRadius('ingress-nginx/controller'))).toEqual([
      'kube-system/coredns (1): ingress-nginx/controller -[all traffic]-> kube-system/coredns',
      'payment-api (1): ingress-nginx/controller -[all traffic]-> payment-api',
      'shop/frontend (1): ingress-nginx/controller -[8080/TCP]-> shop/frontend',
      'shop/backend (2): ingress-nginx/controller -[8080/TCP]-> shop/frontend -[8080/TCP]-> shop/backend',
      'shop/postgres (3): ingress-nginx/controller -[8080/TCP]-> shop/frontend -[8080/TCP]-> shop/backend -[5432/TCP]-> shop/postgres',
    ]);
  });

  test('from the frontend: lateral movement through the unpoliced DNS pod reaches the ingress controller', () => {
    const b = r.blastRadius('shop/frontend');
    expect(paths(b)).toEqual([
      'kube-system/coredns (1): shop/frontend -[53/TCP, 53/UDP]-> kube-system/coredns',
      'shop/backend (1): shop/frontend -[8080/TCP]-> shop/backend',
      'ingress-nginx/controller (2): shop/frontend -[53/TCP, 53/UDP]-> kube-system/coredns -[all traffic]-> ingress-nginx/controller',
      'payment-api (2): shop/frontend -[8080/TCP]-> shop/backend -[443/TCP]-> payment-api',
      'shop/postgres (2): shop/frontend -[8080/TCP]-> shop/backend -[5432/TCP]-> shop/postgres',
    ]);
    expect(b.direct).toEqual(['kube-system/coredns', 'shop/backend']);
    expect(b.reached.find((x) => x.id === 'payment-api')!.external).toBe(true);
    // Each hop is a connection the analyser allows; the direct step the path avoids is denied.
    expect(r.allows('shop/frontend', 'shop/postgres', Port.tcp(5432))).toBe(false);
    expect(r.allows('shop/backend', 'shop/postgres', Port.tcp(5432))).toBe(true);
  });

  test('from postgres: only DNS directly, then through the unpoliced DNS pod and ingress controller the whole shop', () => {
    expect(paths(r.blastRadius('shop/postgres'))).toEqual([
      'kube-system/coredns (1): shop/postgres -[53/TCP, 53/UDP]-> kube-system/coredns',
      'ingress-nginx/controller (2): shop/postgres -[53/TCP, 53/UDP]-> kube-system/coredns -[all traffic]-> ingress-nginx/controller',
      'payment-api (2): shop/postgres -[53/TCP, 53/UDP]-> kube-system/coredns -[all traffic]-> payment-api',
      'shop/frontend (3): shop/postgres -[53/TCP, 53/UDP]-> kube-system/coredns -[all traffic]-> ingress-nginx/controller -[8080/TCP]-> shop/frontend',
      'shop/backend (4): shop/postgres -[53/TCP, 53/UDP]-> kube-system/coredns -[all traffic]-> ingress-nginx/controller -[8080/TCP]-> shop/frontend -[8080/TCP]-> shop/backend',
    ]);
    expect(paths(r.blastRadius('shop/postgres', 1))).toEqual(['kube-system/coredns (1): shop/postgres -[53/TCP, 53/UDP]-> kube-system/coredns']);
    expect(r.blastRadius('shop/postgres', 1).beyondMaxDepth).toBe(true);
    expect(r.blastRadius('shop/postgres', 4).beyondMaxDepth).toBe(false);
  });

  test('formats: text, JSON, Mermaid and DOT', () => {
    const b = r.blastRadius('shop/frontend', 1);
    expect(TextFormat.blastRadius(b)).toBe([
      'blast radius of shop/frontend within 1 hop: 2 endpoints reachable (2 directly, 0 by lateral movement)',
      '',
      'directly:',
      '  kube-system/coredns',
      '    shop/frontend -[53/TCP, 53/UDP]-> kube-system/coredns',
      '  shop/backend',
      '    shop/frontend -[8080/TCP]-> shop/backend',
      '',
      'more endpoints are reachable beyond 1 hop: raise --max-depth (maxDepth) to see them',
    ].join('\n'));
    expect(JsonFormat.blastRadius(b)).toEqual({
      from: 'shop/frontend',
      maxDepth: 1,
      beyondMaxDepth: true,
      reached: [
        { id: 'kube-system/coredns', depth: 1, external: false, path: [{ from: 'shop/frontend', to: 'kube-system/coredns', ports: ['53/TCP', '53/UDP'] }] },
        { id: 'shop/backend', depth: 1, external: false, path: [{ from: 'shop/frontend', to: 'shop/backend', ports: ['8080/TCP'] }] },
      ],
    });
    expect(MermaidFormat.blastRadius(b)).toBe([
      'flowchart LR',
      '  subgraph ns_kube_system["namespace kube-system"]',
      '    n2["coredns"]',
      '  end',
      '  subgraph ns_shop["namespace shop"]',
      '    n0["frontend"]',
      '    n1["backend"]',
      '  end',
      '  n0 -->|"53/TCP, 53/UDP"| n2',
      '  n0 -->|"8080/TCP"| n1',
      '  style n0 fill:#ffebe9,stroke:#cf222e,stroke-width:3px',
    ].join('\n'));
    expect(DotFormat.blastRadius(b)).toContain('"shop/frontend" [label="frontend", color=red, penwidth=2];');
    expect(DotFormat.blastRadius(b)).toContain('"shop/frontend" -> "shop/backend" [label="8080/TCP"];');
    expect(DotFormat.blastRadius(b)).not.toContain('postgres');
  });

  test('bad input: an unknown workload, an address outside the cluster, a max depth below 1', () => {
    expect(() => r.blastRadius('shop/nope')).toThrow(/unknown endpoint "shop\/nope"/);
    expect(() => r.blastRadius('payment-api')).toThrow(/payment-api is an address outside the cluster/);
    expect(() => r.blastRadius('shop/frontend', 0)).toThrow(/max depth 0 is not a whole number of at least 1/);
    expect(() => r.blastRadius('shop/frontend', 1.5)).toThrow(/max depth 1.5/);
  });
});

describe('blast radius of the two-namespace example (expected answers written by hand)', () => {
  const r = Reachability.fromChart(new TwoNamespaces(Testing.app(), 'two-namespaces'), { pods: [SURROUNDINGS.pods![0]] });

  test('from the worker: redis, the api and DNS directly, postgres through the api', () => {
    expect(paths(r.blastRadius('orders/worker'))).toEqual([
      'data/redis (1): orders/worker -[6379/TCP]-> data/redis',
      'kube-system/coredns (1): orders/worker -[53/TCP, 53/UDP]-> kube-system/coredns',
      'orders/api (1): orders/worker -[8080/TCP]-> orders/api',
      'data/postgres (2): orders/worker -[8080/TCP]-> orders/api -[5432/TCP]-> data/postgres',
    ]);
  });

  test('from redis: only DNS; the default denies keep the DNS pod out of both namespaces', () => {
    expect(paths(r.blastRadius('data/redis'))).toEqual(['kube-system/coredns (1): data/redis -[53/TCP, 53/UDP]-> kube-system/coredns']);
  });
});
