import * as fs from 'fs';
import * as path from 'path';
import * as jsyaml from 'js-yaml';
import { AuditReport, Direction, HtmlFormat, MarkdownFormat, Port, Reachability } from '../../src';
import { netpol, tempDir } from '../cli/cli-harness';

/**
 * `netpol report` on manifests with a CiliumNetworkPolicy that has rules for a workload: the report
 * is written (it used to die with "internal error ... This is a bug", exit 2), that side's exposure
 * is marked as not described and why, and the run exits 0 as README documents (the graph and the
 * matrix still decide those connections).
 */
const MANIFESTS = `apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec: {containers: [{name: c, ports: [{containerPort: 80}]}]}
status: {podIP: 10.0.0.1}
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: shop, labels: {app: db}}
spec: {containers: [{name: c, ports: [{containerPort: 80}]}]}
status: {podIP: 10.0.0.2}
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: db, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: db}}
  ingress:
  - fromEndpoints: [{matchLabels: {app: web}}]
    toPorts: [{ports: [{port: "80", protocol: TCP}]}]
`;
const NOT_DESCRIBED = 'not described: decided by Cilium rules (exposure describes NetworkPolicy and cluster-tier peers only)';

function reachability(): Reachability {
  return Reachability.fromManifests(jsyaml.loadAll(MANIFESTS) as any[]);
}

test('the analyser decides the Cilium side: web may reach db on 80/TCP only, db reaches web', () => {
  const r = reachability();
  expect(r.allows('shop/web', 'shop/db', Port.tcp(80))).toBe(true);
  expect(r.allows('shop/web', 'shop/db', Port.tcp(81))).toBe(false);
  expect(r.allows('shop/db', 'shop/web', Port.tcp(80))).toBe(true);
});

test('AuditReport: the Cilium-decided side is listed as not described, the others are described', () => {
  const report = AuditReport.of(reachability());
  expect(report.notDescribed).toEqual([{ workload: 'shop/db', direction: Direction.INGRESS, policies: ['CiliumNetworkPolicy shop/db'], reason: NOT_DESCRIBED }]);
  expect(report.ingress.map((e) => e.workload)).toEqual(['shop/web']);
  expect(report.egress.map((e) => e.workload).sort()).toEqual(['shop/db', 'shop/web']);
  expect(report.passes).toBe(true);
  const html = HtmlFormat.report(report);
  expect(html).toContain(`<code>shop/db</code></td><td>CiliumNetworkPolicy shop/db</td><td colspan="2"><span class="warn">${NOT_DESCRIBED}</span>`);
  expect(MarkdownFormat.report(report)).toContain(`**\`shop/db\`** (CiliumNetworkPolicy shop/db): ${NOT_DESCRIBED}`);
  expect(HtmlFormat.report(report)).toBe(html); // deterministic
});

test.each(['report.html', 'report.md'])('netpol report writes %s of manifests with a CiliumNetworkPolicy, exit 0', (file) => {
  const dir = tempDir({ 'm.yaml': MANIFESTS });
  const out = path.join(dir, file);
  const r = netpol(['report', path.join(dir, 'm.yaml'), '--out', out]);
  expect(r.stderr).not.toMatch(/internal error/);
  expect(r.code).toBe(0);
  expect(fs.readFileSync(out, 'utf8')).toContain(NOT_DESCRIBED);
});
