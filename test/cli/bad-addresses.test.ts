import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { netpol, netpolAsync } from './cli-harness';
import { EXTERNAL_VALUE_NAME } from '../../src/cli/args';

/**
 * H14: a manifest address that is not an IP is said on the command line too (the left-out list),
 * never dropped silently, and `--external`'s help shows the forms the README documents.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-bad-addresses-'));
const pod = (name: string, status: Record<string, unknown>) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'a', labels: { app: name } }, spec: { containers: [{ name: 'c', ports: [{ containerPort: 443 }] }] }, status,
});
const egressToTen = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'b-out', namespace: 'a' },
  spec: { podSelector: { matchLabels: { app: 'b' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/24' } }] }] },
};
const write = (name: string, objects: unknown[]) => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
  return file;
};

test('explain names the pod, the field and the fix of a podIP that is not an IP, and denies what the ipBlock would allow', () => {
  const good = netpol(['explain', write('good.json', [pod('a', { podIP: '10.0.0.5' }), pod('b', { podIP: '10.0.1.5' }), egressToTen]), '--from', 'a/b', '--to', 'a/a', '--port', '443']);
  expect(good.stdout).toContain('ALLOWED');
  expect(good.stdout + good.stderr).not.toContain('status.podIP');
  const bad = netpol(['explain', write('bad.json', [pod('a', { podIP: '10.0.0.300' }), pod('b', { podIP: '10.0.1.5' }), egressToTen]), '--from', 'a/b', '--to', 'a/a', '--port', '443']);
  expect(bad.stdout).toContain('DENIED');
  expect(bad.stdout + bad.stderr).toMatch(/a\/a.*status\.podIP "10\.0\.0\.300" is not an IP address, so its address there is not known.*Fix status\.podIP/);
});

test('--external help shows name=dns.name[,dns.name...]=ip, as the README writes it', async () => {
  expect(EXTERNAL_VALUE_NAME).toBe('name=[dns.name[,dns.name...]=]ip');
  for (const command of ['matrix', 'explain', 'diff', 'check', 'replay']) {
    expect((await netpolAsync([command, '--help'])).stdout).toContain(`--external <${EXTERNAL_VALUE_NAME}>`);
  }
  const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
  expect(readme).toContain(`[--external ${EXTERNAL_VALUE_NAME}]`);
  expect(readme).toContain('--external stripe=api.stripe.com,files.stripe.com=203.0.113.7');
  // And the comma form is read as one end with both names.
  const r = netpol(['explain', write('ext.json', [pod('b', { podIP: '10.0.1.5' })]), '--from', 'a/b', '--to', 'stripe', '--port', '443',
    '--external', 'stripe=api.stripe.com,files.stripe.com=203.0.113.7']);
  expect(r.code).not.toBe(2);
  expect(r.stdout).toContain('a/b -> stripe on 443/TCP: ALLOWED');
});
