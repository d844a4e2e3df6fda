import { Testing } from 'cdk8s';
import { chainOfNamespaces } from './fixtures';
import { ThreeTier } from '../../examples/three-tier';
import { THREE_TIER_SURROUNDINGS } from '../../scripts/doc-blocks';
import { AuditReport, HtmlFormat, InvariantKind, MarkdownFormat, Reachability, Severity } from '../../src';
import { checkInvariants } from '../../src/analysis/invariants';
import { layoutGraph, MAX_WIDTH } from '../../src/formats/html';

/** The three-tier shop's report with two invariants: one that holds and one that fails. */
function threeTierReport(title?: string): AuditReport {
  const reachability = Reachability.fromChart(new ThreeTier(Testing.app(), 'three-tier'), THREE_TIER_SURROUNDINGS);
  const invariants = checkInvariants(reachability, [], [
    { name: 'frontend-never-db', kind: InvariantKind.NEVER, from: [{ id: 'shop/frontend' }], to: [{ id: 'shop/postgres' }] },
    { name: 'frontend-never-backend', kind: InvariantKind.NEVER, from: [{ id: 'shop/frontend' }], to: [{ id: 'shop/backend' }] },
  ]);
  return AuditReport.of(reachability, {
    ...(title ? { title } : {}),
    invariants,
    inputs: [{ file: 'dist/three-tier.k8s.yaml', sha256: 'ab'.repeat(32), bytes: 1234 }],
    findings: [{ severity: Severity.WARNING, code: 'NP017', object: 'shop/cache', field: 'spec.template.metadata.labels', message: 'no NetworkPolicy selects it', fix: 'Select its pods' }],
  });
}

/** The `<rect class="box">` of each namespace box of an SVG: its namespace and its rectangle. */
function svgBoxes(html: string): Array<{ namespace: string; x: number; y: number; width: number; height: number }> {
  const re = /<g class="ns[^"]*" data-namespace="([^"]*)"><rect class="box" x="([-\d.]+)" y="([-\d.]+)" width="([\d.]+)" height="([\d.]+)"/g;
  return [...html.matchAll(re)].map((m) => ({ namespace: m[1], x: Number(m[2]), y: Number(m[3]), width: Number(m[4]), height: Number(m[5]) }));
}

describe('the HTML audit report of the three-tier shop', () => {
  const html = HtmlFormat.report(threeTierReport());

  test('draws every workload in its namespace box, and the allowed connections labelled with their ports, and no denied one', () => {
    expect(svgBoxes(html).map((b) => b.namespace)).toEqual(['ingress-nginx', 'kube-system', 'shop', '']);
    for (const id of ['shop/frontend', 'shop/backend', 'shop/postgres', 'kube-system/coredns', 'ingress-nginx/controller', 'payment-api']) {
      expect(html).toContain(`<g class="node" data-id="${id}">`);
    }
    expect(html).toMatch(/<g class="edge" data-from="shop\/frontend" data-to="shop\/backend">.*>8080\/TCP<\/text><\/g>/);
    expect(html).toMatch(/<g class="edge" data-from="shop\/backend" data-to="payment-api">.*>443\/TCP<\/text><\/g>/);
    expect(html).not.toContain('data-from="shop/frontend" data-to="shop/postgres"');
    expect(html).not.toContain('data-from="shop/postgres" data-to="payment-api"');
    // the unprotected CoreDNS may reach the controller on everything: a red edge
    expect(html).toContain('<g class="edge wide" data-from="kube-system/coredns" data-to="ingress-nginx/controller">');
  });

  test('the matrix colours allowed and denied pairs', () => {
    expect(html).toContain('<td class="allowed" title="shop/frontend -&gt; shop/backend: 8080/TCP">8080/TCP</td>');
    expect(html).toContain('<td class="denied" title="shop/frontend -&gt; shop/postgres: denied"></td>');
    expect(html).toContain('<td class="wide" title="kube-system/coredns -&gt; payment-api: all traffic">all traffic</td>');
  });

  test('every invariant with pass or fail, and the counterexample of the failing one', () => {
    expect(html).toMatch(/<td class="pass">PASS<\/td><td>frontend-never-db<\/td>/);
    expect(html).toMatch(/<td class="fail">FAIL<\/td><td>frontend-never-backend<\/td>/);
    expect(html).toContain('counterexample: shop/frontend -&gt; shop/backend on 8080/TCP is allowed');
    expect(html).toContain('1 of 2 invariants hold');
  });

  test('the exposure from the selectors, the findings and the inputs with their sha256', () => {
    expect(html).toContain('any pod labelled app.kubernetes.io/name=ingress-nginx in namespace ingress-nginx on http/TCP (8080)');
    expect(html).toMatch(/<td><code>kube-system\/coredns<\/code><\/td><td><span class="warn">not isolated<\/span>/);
    expect(html).toContain('<td>NP017</td><td><code>shop/cache</code>');
    expect(html).toContain(`<td><code>dist/three-tier.k8s.yaml</code></td><td>1234</td><td><code>${'ab'.repeat(32)}</code></td>`);
  });

  test('is self-contained: no script, no link, no request, and a content security policy that forbids any', () => {
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|src=|href=/i);
    expect([...html.matchAll(/https?:\/\/[^"\s]*/g)].map((m) => m[0])).toEqual(['http://www.w3.org/2000/svg']);
    expect(html).toContain('<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'">');
    expect([...html.matchAll(/url\(([^)]*)\)/g)].map((m) => m[1]).every((u) => u.startsWith('#'))).toBe(true);
  });

  test('the same inputs give the same bytes, and no timestamp unless one is given', () => {
    expect(HtmlFormat.report(threeTierReport())).toBe(html);
    expect(html).not.toContain('Generated');
    const r = threeTierReport();
    const dated = HtmlFormat.report(AuditReport.of(Reachability.fromChart(new ThreeTier(Testing.app(), 'three-tier'), THREE_TIER_SURROUNDINGS), { generatedAt: '2026-12-01' }));
    expect(dated).toContain('<p>Generated 2026-12-01.</p>');
    expect(r.passes).toBe(false);
  });

  test('text is escaped: a title cannot inject markup', () => {
    const evil = HtmlFormat.report(threeTierReport('<script>alert("x")</script> & co'));
    expect(evil).toContain('<title>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co</title>');
    expect(evil).not.toContain('<script');
  });
});

describe('the Markdown audit report', () => {
  const md = MarkdownFormat.report(threeTierReport());

  test('has the same content: Mermaid graph, matrix, invariants with the counterexample, exposure, findings, inputs', () => {
    expect(md).toContain('```mermaid\nflowchart LR');
    expect(md).toContain('subgraph ns_shop["namespace shop"]');
    expect(md).toContain('| `shop/frontend` | · | ✅ 8080/TCP | ❌ |');
    expect(md).toContain('| ❌ | frontend-never-backend |');
    expect(md).toContain('`shop/frontend` → `shop/backend` on 8080/TCP');
    expect(md).toContain('<details><summary>Who could reach each workload (ingress) (5)</summary>');
    expect(md).toContain('| ⚠️ | NP017 | `shop/cache`');
    expect(md).toContain(`| \`dist/three-tier.k8s.yaml\` | 1234 | \`${'ab'.repeat(32)}\` |`);
    expect(MarkdownFormat.report(threeTierReport())).toBe(md);
  });
});

describe('at 200 workloads', () => {
  const manifests = chainOfNamespaces(20, 10);
  const report = AuditReport.of(Reachability.fromManifests(manifests));
  const html = HtmlFormat.report(report);

  test('the SVG has every namespace box and every workload, and no two boxes overlap', () => {
    const boxes = svgBoxes(html);
    expect(boxes.map((b) => b.namespace)).toEqual(Array.from({ length: 20 }, (_, i) => `team-${String(i).padStart(2, '0')}`));
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const [a, b] = [boxes[i], boxes[j]];
        const apart = a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
        expect({ a: a.namespace, b: b.namespace, apart }).toEqual({ a: a.namespace, b: b.namespace, apart: true });
      }
    }
    expect(html.match(/<g class="node" data-id="team-\d\d\/svc-\d">/g)).toHaveLength(200);
  });

  test('every workload lies inside its own namespace box', () => {
    for (const box of layoutGraph(report.graph).boxes) {
      for (const n of box.nodes) {
        expect(n.id.startsWith(`${box.namespace}/`)).toBe(true);
        expect(n.x >= box.x && n.y >= box.y && n.x + n.width <= box.x + box.width && n.y + n.height <= box.y + box.height).toBe(true);
      }
    }
  });

  test('the edges are collapsed to one per pair of namespaces, and the connections inside each are counted', () => {
    const layout = layoutGraph(report.graph);
    expect(report.graph.edges).toHaveLength(20 * 9 + 19);
    expect(layout.collapsed).toBe(true);
    expect(layout.edges).toHaveLength(19);
    expect(layout.edges[0]).toMatchObject({ from: 'namespace team-00', to: 'namespace team-01', label: '1 connection' });
    expect(html).toContain('namespace team-03 (9 connections inside)');
    // the matrix is namespace by namespace: 9 of the 90 pairs inside a namespace, 1 of 100 to the next one, none back
    expect(html).toContain('title="team-03 -&gt; team-03: 9 of 90 pairs may connect">9/90</td>');
    expect(html).toContain('title="team-03 -&gt; team-04: 1 of 100 pairs may connect">1/100</td>');
    expect(html).toContain('<td class="none" title="team-04 -&gt; team-03: 0 of 100 pairs may connect">0/100</td>');
  });

  test('stays within a size a browser and a reader handle', () => {
    const layout = layoutGraph(report.graph);
    expect(layout.width).toBeLessThanOrEqual(MAX_WIDTH + 100);
    expect(layout.height).toBeLessThan(4000);
    expect(Buffer.byteLength(html)).toBeLessThan(1_000_000);
    expect(Buffer.byteLength(MarkdownFormat.report(report))).toBeLessThan(1_000_000);
  });

  test('the Markdown graph is between namespaces too', () => {
    const md = MarkdownFormat.report(report);
    expect(md).toContain('b0["namespace team-00 (10; 9 inside)"]');
    expect(md).toContain('b0 -->|"1 connection"| b1');
    expect(md).not.toContain('subgraph');
  });
});

describe('hostile names', () => {
  // An external endpoint's name is free text (--external 'name=ip'): markup, quotes, pipes and non-ASCII.
  const name = '<img src=x onerror=alert(1)>"\'&|ü';
  const reachability = Reachability.fromManifests([
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
  ], { externals: [{ name, ip: '203.0.113.5' }] });
  const report = AuditReport.of(reachability, { inputs: [{ file: 'a|b<c>.yaml', sha256: '0'.repeat(64), bytes: 1 }] });

  test('the HTML shows them as text: no markup gets in, and the name is still there, escaped', () => {
    const html = HtmlFormat.report(report);
    expect(html).not.toContain('<img');
    expect(html).toContain('data-id="&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;|ü"');
    expect(html).toContain('<td><code>a|b&lt;c&gt;.yaml</code></td>');
    expect(html).toContain('<g class="edge wide" data-from="shop/web" data-to="&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;|ü">');
  });

  test('the Markdown keeps its tables whole: a | in a name is escaped', () => {
    const md = MarkdownFormat.report(report);
    const rows = md.split('\n').filter((l) => l.startsWith('| `shop/web` |'));
    expect(rows).toHaveLength(1);
    expect(rows[0].split(/(?<!\\)\|/).length).toBe(5); // | from | to itself | to the address |
    expect(md).toContain('| `a\\|b<c>.yaml` | 1 |');
  });
});

describe('exposure of a workload that only cluster-wide policies select', () => {
  const objects = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'kubernetes.io/metadata.name': 'shop' } } },
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] }, status: { podIP: '10.0.0.1' } },
    {
      apiVersion: 'policy.networking.k8s.io/v1alpha1',
      kind: 'BaselineAdminNetworkPolicy',
      metadata: { name: 'default' },
      spec: { subject: { namespaces: {} }, ingress: [{ name: 'deny-all', action: 'Deny', from: [{ namespaces: {} }] }] },
    },
  ];

  test('the HTML names the cluster-wide policy instead of warning "not isolated"; without it, the warning stays', () => {
    const html = HtmlFormat.report(AuditReport.of(Reachability.fromManifests(objects)));
    expect(html).toContain('no NetworkPolicy; decided by BaselineAdminNetworkPolicy default');
    const plain = HtmlFormat.report(AuditReport.of(Reachability.fromManifests(objects.slice(0, 2))));
    expect(plain).toContain('<span class="warn">not isolated</span>');
    expect(plain).not.toContain('decided by');
  });
});
