import * as path from 'path';
import { netpol, policyYaml, tempDir } from './cli-harness';
import { Reachability } from '../../src';
import { Port } from '../../src/model/port';

/**
 * --surroundings and --pod: the documented way to give matrix, explain and diff the pods and
 * namespaces the manifests lack (the ingress controller, Prometheus, CoreDNS, operator-managed
 * databases).
 */
const deployment = (ns: string, name: string, labels: string, port = 9090) => `apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name}, namespace: ${ns} }
spec:
  selector: { matchLabels: { ${labels} } }
  template:
    metadata: { labels: { ${labels} } }
    spec: { containers: [{ name: c, image: x, ports: [{ containerPort: ${port}, name: web }] }] }
`;
const APP = [deployment('shop', 'api', 'app: api', 8080), deployment('shop', 'web', 'app: web', 8080)].join('---\n');
/** api accepts 8080 from app=prometheus pods in namespaces labelled team=ops only. */
const API_FROM_OPS_PROMETHEUS = policyYaml('api', `  podSelector: { matchLabels: { app: api } }
  policyTypes: [Ingress]
  ingress:
    - from: [{ namespaceSelector: { matchLabels: { team: ops } }, podSelector: { matchLabels: { app: prometheus } } }]
      ports: [{ port: 8080 }]
`);
const MONITORING = `apiVersion: v1
kind: Namespace
metadata: { name: monitoring, labels: { team: ops } }
---
${deployment('monitoring', 'prometheus', 'app: prometheus')}---
${deployment('scratch', 'prometheus', 'app: prometheus')}`;

describe('netpol explain and matrix with --surroundings', () => {
  const dir = tempDir({ 'app/app.yaml': APP, 'app/api.yaml': API_FROM_OPS_PROMETHEUS, 'cluster/monitoring.yaml': MONITORING });
  const app = path.join(dir, 'app');
  const cluster = path.join(dir, 'cluster', 'monitoring.yaml');
  const explain = (from: string, extra: string[]) => netpol(['explain', app, '--from', from, '--to', 'shop/api', '--port', '8080', '--format', 'json', ...extra]);

  test('without them, an endpoint the manifests lack is unknown, and the error names --surroundings and --pod', () => {
    const r = netpol(['explain', app, '--from', 'monitoring/prometheus', '--to', 'shop/api', '--port', '8080']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('unknown endpoint "monitoring/prometheus". Known endpoints: shop/api, shop/web.');
    expect(r.stderr).toContain('are added with --surroundings <path> (manifests of their Pods, workloads, Namespaces and Nodes) or --pod <ns/name[:labels][@ip]>');
    expect(r.stderr).not.toContain('pods option');
  });

  test('with them, their workloads are endpoints and their namespace labels count: allowed from monitoring, denied from scratch', () => {
    const allowed = explain('monitoring/prometheus', ['--surroundings', cluster]);
    // shop and scratch have no Namespace object: their team label is unknown, and the CLI says so (R7).
    expect(allowed.stderr).toMatch(/^warning: no Namespace object for namespaces scratch, shop: policies select namespaces by team,[^\n]*\n$/);
    expect(allowed.code).toBe(0);
    expect(JSON.parse(allowed.stdout)).toMatchObject({ allowed: true, ingress: { allowedBy: [{ policy: 'shop/api', rule: 0 }] } });
    // Same pod labels, but the namespace lacks team=ops.
    expect(JSON.parse(explain('scratch/prometheus', ['--surroundings', cluster]).stdout)).toMatchObject({ allowed: false, ingress: { isolated: true, allowedBy: [] } });
    expect(JSON.parse(explain('shop/web', ['--surroundings', cluster]).stdout)).toMatchObject({ allowed: false });
  });

  test('the matrix lists the surroundings after the inputs, and a directory works as well as a file', () => {
    const r = netpol(['matrix', app, '--port', '8080', '--format', 'json', '--surroundings', path.join(dir, 'cluster')]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.endpoints).toEqual(['shop/api', 'shop/web', 'monitoring/prometheus', 'scratch/prometheus']);
    expect(out.allowed['monitoring/prometheus']['shop/api']).toBe(true);
    expect(out.allowed['scratch/prometheus']['shop/api']).toBe(false);
    expect(out.allowed['shop/web']['shop/api']).toBe(false);
  });

  test('--pod adds one pod inline; its namespace gets its labels from --surroundings', () => {
    const ns = tempDir({ 'ns.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata: { name: monitoring, labels: { team: ops } }\n' });
    expect(JSON.parse(explain('monitoring/prom', ['--pod', 'monitoring/prom:app=prometheus']).stdout)).toMatchObject({ allowed: false });
    expect(JSON.parse(explain('monitoring/prom', ['--pod', 'monitoring/prom:app=prometheus', '--surroundings', path.join(ns, 'ns.yaml')]).stdout))
      .toMatchObject({ allowed: true });
    expect(JSON.parse(explain('monitoring/prom', ['--pod', 'monitoring/prom:app=other', '--surroundings', path.join(ns, 'ns.yaml')]).stdout))
      .toMatchObject({ allowed: false });
  });

  test('--pod with an IP is matched by ipBlock rules; without one it is not', () => {
    const egress = policyYaml('web', '  podSelector: { matchLabels: { app: web } }\n  policyTypes: [Egress]\n  egress:\n    - to: [{ ipBlock: { cidr: 10.0.3.0/24 } }]\n');
    const d = tempDir({ 'app.yaml': APP, 'web.yaml': egress });
    const to = (pod: string) => netpol(['explain', d, '--from', 'shop/web', '--to', 'data/pg', '--port', '5432', '--format', 'json', '--pod', pod]);
    expect(JSON.parse(to('data/pg:app=pg@10.0.3.7').stdout)).toMatchObject({ allowed: true, egress: { allowedBy: [{ policy: 'shop/web', byIpBlock: true }] } });
    expect(JSON.parse(to('data/pg:app=pg@10.0.4.7').stdout)).toMatchObject({ allowed: false });
    expect(JSON.parse(to('data/pg:app=pg').stdout)).toMatchObject({ allowed: false });
    expect(JSON.parse(to('data/pg').stdout)).toMatchObject({ allowed: false, to: 'data/pg' });
  });

  test('an object of the inputs wins over a surrounding of the same kind and name', () => {
    const other = tempDir({ 'api.yaml': deployment('shop', 'api', 'app: impostor', 8080) });
    const r = netpol(['explain', app, '--from', 'monitoring/prometheus', '--to', 'shop/api', '--port', '8080', '--surroundings', cluster, '--surroundings', path.join(other, 'api.yaml')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('ingress of shop/api: isolated by shop/api; allowed by shop/api ingress[0]');
  });

  test('a NetworkPolicy in the surroundings is refused with its file, line and name', () => {
    const bad = tempDir({ 'cluster.yaml': `${MONITORING}---\n${policyYaml('deny', '  podSelector: {}\n  policyTypes: [Ingress]\n', 'monitoring')}` });
    const r = netpol(['matrix', app, '--port', '8080', '--surroundings', path.join(bad, 'cluster.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`netpol matrix: --surroundings ${path.join(bad, 'cluster.yaml')}:23: NetworkPolicy monitoring/deny: surroundings describe the pods and namespaces around the policies, not policies. `
      + 'Give the file as an input to analyse its policies, or remove the policy from the surroundings.\n');
  });

  test('surroundings with no Pod, workload or Namespace warn; unreadable ones exit 2', () => {
    const svc = tempDir({ 'svc.yaml': 'apiVersion: v1\nkind: Service\nmetadata: { name: s, namespace: shop }\n' });
    const r = netpol(['matrix', app, '--port', '8080', '--surroundings', path.join(svc, 'svc.yaml')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`warning: --surroundings ${path.join(svc, 'svc.yaml')}: no Pod, Namespace, Node, Deployment`);
    const missing = netpol(['matrix', app, '--port', '8080', '--surroundings', path.join(dir, 'nope.yaml')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope.yaml: no such file or directory');
  });

  test.each([
    ['coredns', '"coredns" is not <namespace>/<name>'],
    ['a/b/c', '"a/b/c" is not <namespace>/<name>'],
    ['Kube_System/coredns', 'namespace "Kube_System" is not a valid namespace name'],
    ['kube-system/CoreDNS', 'name "CoreDNS" is not a valid pod name'],
    ['kube-system/coredns:k8s-app', 'label "k8s-app" is not key=value'],
    ['kube-system/coredns:k8s app=dns', 'label "k8s app=dns" is not valid (key: name part must consist of'],
    ['kube-system/coredns:a=b,a=c', 'label key "a" is given twice'],
    ['kube-system/coredns:a=b@10.0.0.300', '"10.0.0.300" after @ is not an IP address'],
    ['kube-system/coredns@10.0.0.0/24', '"10.0.0.0/24" after @ is not an IP address'],
  ])('--pod %s is a usage error: %s', (spec, message) => {
    const r = netpol(['matrix', app, '--port', '8080', '--pod', spec]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--pod ${JSON.stringify(spec)}: ${message}`);
    expect(r.stderr).toContain('Write <namespace>/<name>[:key=value,...][@ip], e.g. --pod kube-system/coredns:k8s-app=kube-dns');
  });
});

describe('netpol diff with --surroundings and --pod: both sides get them', () => {
  const dnsOnly = policyYaml('web', `  podSelector: { matchLabels: { app: web } }
  policyTypes: [Egress]
  egress:
    - to: [{ namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: kube-system } }, podSelector: { matchLabels: { k8s-app: kube-dns } } }]
      ports: [{ port: 53, protocol: UDP }]
`);
  const dir = tempDir({ 'before/app.yaml': APP, 'after/app.yaml': APP, 'after/web.yaml': dnsOnly, 'dns.yaml': deployment('kube-system', 'coredns', 'k8s-app: kube-dns', 53) });
  const diff = (extra: string[]) => {
    const r = netpol(['diff', path.join(dir, 'before'), '--against', path.join(dir, 'after'), '--format', 'json', ...extra]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout);
  };
  const closed = (out: any) => out.closed.map((c: any) => `${c.from} -> ${c.to}: ${c.ports.join(', ')}`);

  test.each([
    ['--surroundings', ['--surroundings', path.join(dir, 'dns.yaml')]],
    ['--pod', ['--pod', 'kube-system/coredns:k8s-app=kube-dns']],
  ])('%s: DNS stays open, everything else from web closes, and coredns is on both sides', (_name, extra) => {
    const out = diff(extra);
    expect(out.addedEndpoints).toEqual([]);
    expect(out.removedEndpoints).toEqual([]);
    expect(closed(out)).toEqual([
      'shop/web -> kube-system/coredns: other TCP ports, other UDP ports, other SCTP ports',
      'shop/web -> shop/api: other TCP ports, 53/UDP, other UDP ports, other SCTP ports',
      // web is a Deployment: its replicas reaching each other closes too (a workload's diagonal is policed)
      'shop/web -> shop/web: other TCP ports, 53/UDP, other UDP ports, other SCTP ports',
    ]);
    expect(out.opened).toEqual([]);
  });

  test('without them, coredns is not in the model at all', () => {
    const out = diff([]);
    expect(JSON.stringify(out)).not.toContain('coredns');
    expect(closed(out)).toEqual([
      'shop/web -> shop/api: other TCP ports, 53/UDP, other UDP ports, other SCTP ports',
      'shop/web -> shop/web: other TCP ports, 53/UDP, other UDP ports, other SCTP ports',
    ]);
  });
});

describe('the library names its own way to add pods', () => {
  test('Reachability: the unknown-endpoint error names the pods option', () => {
    const r = Reachability.fromManifests([]);
    expect(() => r.allows('kube-system/coredns', 'shop/api', Port.tcp(53)))
      .toThrow(/unknown endpoint "kube-system\/coredns". Known endpoints: \(none\)\. .*added with the pods option of Reachability \(ReachabilityOptions\.pods/);
    expect(() => r.matrix(Port.tcp(53)).isAllowed('a/b', 'c/d')).toThrow(/pods option of Reachability/);
  });
});
