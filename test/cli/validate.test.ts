import * as path from 'path';
import { netpol, policyYaml, tempDir } from './cli-harness';

const GOOD = policyYaml('deny', '  podSelector: {}\n  policyTypes: [Ingress]\n');
const BAD_PORT = policyYaml('bad', '  podSelector: {}\n  policyTypes: [Ingress]\n  ingress:\n    - ports:\n        - port: 0\n        - port: 80\n          endPort: 70\n');
const WARN = policyYaml('open', '  podSelector: {}\n  policyTypes: [Ingress]\n  ingress:\n    - from: []\n');

describe('netpol validate', () => {
  test('valid policies: exit 0 and a summary', () => {
    const dir = tempDir({ 'a.yaml': GOOD });
    const r = netpol(['validate', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('checked 1 NetworkPolicy in 1 file: 0 errors, 0 warnings\n');
  });

  test('the summary counts each kind of policy by its name: NetworkPolicies, each Cilium kind, cluster policies', () => {
    const cilium = (kind: string, name: string, namespace?: string) => JSON.stringify({
      apiVersion: 'cilium.io/v2', kind, metadata: { name, ...(namespace ? { namespace } : {}) }, spec: { endpointSelector: {}, ingress: [{ fromEndpoints: [{}] }] },
    });
    const banp = JSON.stringify({
      apiVersion: 'policy.networking.k8s.io/v1alpha1',
      kind: 'BaselineAdminNetworkPolicy',
      metadata: { name: 'default' },
      spec: { subject: { namespaces: {} }, ingress: [{ action: 'Deny', from: [{ namespaces: {} }] }] },
    });
    const yaml = [GOOD, cilium('CiliumNetworkPolicy', 'a', 'shop'), cilium('CiliumNetworkPolicy', 'b', 'shop'), cilium('CiliumClusterwideNetworkPolicy', 'c'), banp].join('\n---\n');
    expect(netpol(['validate', tempDir({ 'a.yaml': yaml })]).stdout)
      .toBe('checked 1 NetworkPolicy, 1 CiliumClusterwideNetworkPolicy, 2 CiliumNetworkPolicies and 1 cluster policy in 1 file: 0 errors, 0 warnings\n');
    expect(netpol(['validate', tempDir({ 'a.yaml': cilium('CiliumNetworkPolicy', 'a', 'shop') })]).stdout)
      .toBe('checked 1 CiliumNetworkPolicy in 1 file: 0 errors, 0 warnings\n');
  });

  test('errors: exit 1, each with file, line, object, field path, value and fix', () => {
    const dir = tempDir({ 'a.yaml': `${GOOD}---\n${BAD_PORT}` });
    const r = netpol(['validate', dir]);
    expect(r.code).toBe(1);
    const file = path.join(dir, 'a.yaml');
    expect(r.stdout).toContain(`${file}:10: shop/bad: error FieldValueInvalid spec.ingress[0].ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive\n    fix: `);
    expect(r.stdout).toContain('shop/bad: error FieldValueInvalid spec.ingress[0].ports[1].endPort: Invalid value: 70: must be greater than or equal to `port`');
    expect(r.stdout).toMatch(/checked 2 NetworkPolicies in 1 file: 2 errors, 0 warnings\n$/);
  });

  test('--format json prints exactly one object of the documented shape', () => {
    const dir = tempDir({ 'x/b.yml': BAD_PORT, 'x/w.json': JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'j', namespace: 'shop' }, spec: { podSelector: {}, policyTypes: ['Ingress'] } }] }) });
    const r = netpol(['validate', dir, '--format', 'json']);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual(['checked', 'findings', 'silenced']);
    expect(out.checked).toBe(2);
    expect(out.findings).toHaveLength(2);
    for (const f of out.findings) expect(Object.keys(f)).toEqual(['severity', 'code', 'file', 'object', 'field', 'message']);
    expect(out.findings[0]).toMatchObject({ severity: 'error', code: 'FieldValueInvalid', file: path.join(dir, 'x/b.yml'), object: 'shop/bad', field: 'spec.ingress[0].ports[0].port' });
    expect(out.findings[0].message).toMatch(/^Invalid value: 0: must be between 1 and 65535, inclusive\. Fix: /);
  });

  test('a lint accepted by annotation with a reason is reported as accepted and does not fail --strict; without a reason it still counts', () => {
    const accepted = WARN.replace('metadata:\n', 'metadata:\n  annotations:\n    cdk8s-netpol.dev/accept-NP001: "the public load balancer reaches it from anywhere"\n');
    expect(accepted).not.toEqual(WARN);
    const dir = tempDir({ 'w.yaml': accepted });
    const text = netpol(['validate', dir, '--strict']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/shop\/open: accepted NP001 spec.ingress\[0\].from: \(the public load balancer reaches it from anywhere\)\n/);
    expect(text.stdout).toMatch(/0 errors, 0 warnings, 1 accepted by annotation\n$/);
    const json = JSON.parse(netpol(['validate', dir, '--format', 'json']).stdout);
    expect(json.findings).toEqual([]);
    expect(json.silenced).toEqual([expect.objectContaining({ code: 'NP001', object: 'shop/open', field: 'spec.ingress[0].from', reason: 'the public load balancer reaches it from anywhere' })]);
    const noReason = tempDir({ 'w.yaml': WARN.replace('metadata:\n', 'metadata:\n  annotations:\n    cdk8s-netpol.dev/accept-NP001: ""\n') });
    const r = netpol(['validate', noReason, '--strict']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('gives no reason, so it does not silence this');
    // an API-server error is never silenced, whatever the annotations say
    const bad = tempDir({ 'b.yaml': BAD_PORT.replace('metadata:\n', 'metadata:\n  annotations:\n    cdk8s-netpol.dev/accept-FieldValueInvalid: "please"\n') });
    expect(netpol(['validate', bad]).code).toBe(1);
  });

  test('warnings pass unless --strict', () => {
    const dir = tempDir({ 'w.yaml': WARN });
    expect(netpol(['validate', dir]).code).toBe(0);
    const strict = netpol(['validate', dir, '--strict']);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toContain('warning NP001 spec.ingress[0].from: from: [] is empty, so it allows every source');
  });

  test('strict CIDRs by default, legacy on request', () => {
    const dir = tempDir({ 'c.yaml': policyYaml('c', '  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n    - to: [{ ipBlock: { cidr: 10.0.0.1/8 } }]\n') });
    const strict = netpol(['validate', dir]);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toContain('must not have bits set beyond the prefix length (did you mean 10.0.0.0/8?) (rejected from Kubernetes 1.36 on');
    expect(netpol(['validate', dir, '--legacy-cidr']).code).toBe(0);
  });

  test('stdin with -', () => {
    const r = netpol(['validate', '-'], BAD_PORT);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('<stdin>:1: shop/bad: error');
  });

  test('usage errors exit 2 with a hint', () => {
    expect(netpol(['validate'])).toMatchObject({ code: 2, stderr: expect.stringContaining('no input: give files or directories') });
    expect(netpol(['validate', '.', '--format', 'xml'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--format "xml" is not supported. Use one of: text, json.') });
    expect(netpol(['validate', '--bogus'])).toMatchObject({ code: 2, stderr: expect.stringContaining("Unknown option '--bogus'. Run 'netpol validate --help'") });
    expect(netpol(['frobnicate'])).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown command "frobnicate"') });
    expect(netpol(['validate', '--help'])).toMatchObject({ code: 0, stdout: expect.stringContaining('Usage: netpol validate') });
    expect(netpol(['--help']).code).toBe(0);
  });
});

describe('typed lists (what the API server returns: items without kind and apiVersion)', () => {
  const list = (kind: string, apiVersion: string, items: string) => `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata: { resourceVersion: "1" }\nitems:\n${items}`;

  test('validate --strict on a NetworkPolicyList checks its items: a port 0 fails', () => {
    const dir = tempDir({
      'netpols.yaml': list('NetworkPolicyList', 'networking.k8s.io/v1', [
        '  - metadata: { name: ok, namespace: shop }\n    spec: { podSelector: {}, policyTypes: [Ingress] }\n',
        '  - metadata: { name: bad, namespace: shop }\n    spec:\n      podSelector: {}\n      policyTypes: [Ingress]\n      ingress: [{ ports: [{ port: 0 }] }]\n',
      ].join('')),
    });
    const r = netpol(['validate', '--strict', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('shop/bad: error FieldValueInvalid spec.ingress[0].ports[0].port: Invalid value: 0');
    expect(r.stdout).not.toContain('shop/ok:');
    expect(r.stdout).toMatch(/checked 2 NetworkPolicies in 1 file: 1 error, 0 warnings\n$/);
  });
});

describe('--strict with nothing to check (a CI step pointed at the wrong path)', () => {
  test('an empty directory: exit 1 with a message; without --strict a warning and exit 0', () => {
    const dir = tempDir();
    const strict = netpol(['validate', '--strict', dir]);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toBe('error: no NetworkPolicy found in the input (read 0 files: no objects); is the path right? --strict fails when there is nothing to check\n');
    const lax = netpol(['validate', dir]);
    expect(lax.code).toBe(0);
    expect(lax.stderr).toBe('warning: no NetworkPolicy found in the input (read 0 files: no objects); is the path right?\n');
  });

  test('only a ConfigMap: exit 1 under --strict, naming what was read', () => {
    const dir = tempDir({ 'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: settings, namespace: shop }\ndata: { a: b }\n' });
    const r = netpol(['validate', '--strict', '--format', 'json', dir]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({ checked: 0, findings: [], silenced: [] });
    expect(r.stderr).toContain('no NetworkPolicy found in the input (read 1 file: ConfigMap x1); is the path right?');
  });

  test('a policy present: --strict passes', () => {
    expect(netpol(['validate', '--strict', tempDir({ 'a.yaml': GOOD })]).code).toBe(0);
  });
});
