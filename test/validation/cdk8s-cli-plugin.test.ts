import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { NetpolValidationPlugin } from '../../src';

function fakeContext(manifests: string[]) {
  const violations: any[] = [];
  let status: string | undefined;
  return {
    manifests,
    report: { addViolation: (v: any) => violations.push(v), submit: (s: string) => (status = s) },
    get violations() { return violations; },
    get status() { return status; },
  };
}

function file(content: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-plugin-'));
  const f = path.join(dir, 'app.k8s.yaml');
  fs.writeFileSync(f, content);
  return f;
}

const BAD = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: x, namespace: shop }\nspec:\n  podSelector: {}\n  ingress: [{ ports: [{ port: 70000 }] }]\n';
const WARN = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: x, namespace: shop }\nspec:\n  podSelector: {}\n  policyTypes: [Ingress]\n  ingress: [{ from: [] }]\n';

describe('NetpolValidationPlugin (cdk8s.yaml validations)', () => {
  test('errors become violations and fail the report', () => {
    const ctx = fakeContext([file(BAD)]);
    new NetpolValidationPlugin().validate(ctx);
    expect(ctx.status).toBe('failure');
    expect(ctx.violations[0]).toMatchObject({
      ruleName: 'FieldValueInvalid (error)',
      recommendation: 'shop/x: spec.ingress[0].ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive',
      violatingResources: [{ resourceName: 'shop/x', locations: ['spec.ingress[0].ports[0].port'] }],
    });
  });

  test('warnings pass unless strict', () => {
    const ctx = fakeContext([file(WARN)]);
    new NetpolValidationPlugin().validate(ctx);
    expect(ctx.status).toBe('success');
    expect(ctx.violations.map((v) => v.ruleName)).toEqual(['NP001 (warning)']);
    const strict = fakeContext([file(WARN)]);
    new NetpolValidationPlugin({ strict: true }).validate(strict);
    expect(strict.status).toBe('failure');
  });

  test('unreadable manifests fail', () => {
    const ctx = fakeContext([file('a: [unclosed')]);
    new NetpolValidationPlugin().validate(ctx);
    expect(ctx.status).toBe('failure');
    expect(ctx.violations[0].ruleName).toBe('unreadable-manifest');
  });
});
