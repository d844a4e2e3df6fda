import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Port, Reachability } from '../../src';
import { netpol } from '../cli/cli-harness';

/**
 * Review finding R6-05: two externals at ONE address, one with the DNS name an Accept allows by
 * domainNames (`stripe=api.stripe.com=203.0.113.7`), one without (`raw=203.0.113.7`), got ALLOWED and
 * DENIED with no note. A packet to 203.0.113.7 is one packet whichever name it is given: the
 * implementation accepts the address it resolved for the name (v1alpha2 domainNames; Cilium toFQDNs
 * likewise select learned IPs). Two externals at one address are now refused, with the fix: one end
 * with all its DNS names (`dnsNames`, `--external name=a,b=ip`).
 */
const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' } };
const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'a', labels: { app: 'web' } }, spec: { containers: [{ name: 'c' }] }, status: { podIP: '10.0.0.1' } };
const cnp = {
  apiVersion: 'policy.networking.k8s.io/v1alpha2',
  kind: 'ClusterNetworkPolicy',
  metadata: { name: 'allow-list' },
  spec: {
    tier: 'Admin',
    priority: 10,
    subject: { namespaces: {} },
    egress: [
      { name: 'stripe', action: 'Accept', to: [{ domainNames: ['files.stripe.com'] }] },
      { name: 'rest', action: 'Deny', to: [{ networks: ['0.0.0.0/0', '::/0'] }] },
    ],
  },
};
const HTTPS = Port.tcp(443);

test('two externals at one address are refused, naming both and the fix', () => {
  const build = (second: string) => () => Reachability.fromManifests([ns, pod, cnp], {
    externals: [{ name: 'stripe', ip: '203.0.113.7', dnsName: 'api.stripe.com' }, { name: 'raw', ip: second }],
  });
  expect(build('203.0.113.7')).toThrow(/external endpoints stripe and raw are both at 203\.0\.113\.7.*dnsNames.*--external stripe=a\.example\.com,b\.example\.com=203\.0\.113\.7/);
  expect(build(' 203.0.113.7')).toThrow(/both at 203\.0\.113\.7/);
  expect(build('2001:db8::1')).not.toThrow();
  expect(() => Reachability.fromManifests([ns, pod], { externals: [{ name: 'x', ip: '2001:DB8::1' }, { name: 'y', ip: '2001:db8:0::1' }] })).toThrow(/x and y are both at 2001:db8::1/);
});

test('one external with all its DNS names: a rule for any of them matches it, and an address without them is denied', () => {
  const r = Reachability.fromManifests([ns, pod, cnp], {
    externals: [{ name: 'stripe', ip: '203.0.113.7', dnsName: 'api.stripe.com', dnsNames: ['files.stripe.com', 'API.stripe.com'] }, { name: 'other', ip: '203.0.113.8', dnsName: 'api.stripe.com' }],
  });
  expect(r.allows('a/web', 'stripe', HTTPS)).toBe(true);
  expect(r.allows('a/web', 'other', HTTPS)).toBe(false);
  expect(r._cluster.endpoint('stripe')!.dnsNames).toEqual(['api.stripe.com', 'files.stripe.com']);
});

test('an external at the API server\'s address is refused', () => {
  expect(() => Reachability.fromManifests([ns, pod], { externals: [{ name: 'api', ip: '203.0.113.9' }], apiServerIps: ['203.0.113.9'], apiServerOutsideCluster: true }))
    .toThrow(/API server's address 203\.0\.113\.9 is the external endpoint api's too/);
});

test('the CLI: two --external at one address refused, name=a,b=ip takes both names', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-shared-'));
  const file = path.join(dir, 'in.json');
  fs.writeFileSync(file, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [ns, pod, cnp] }));
  const explain = (...extra: string[]) => netpol(['explain', file, '--from', 'a/web', '--to', 'stripe', '--port', '443', ...extra]);
  const twice = explain('--external', 'stripe=api.stripe.com=203.0.113.7', '--external', 'raw=203.0.113.7');
  expect(twice.code).toBe(2);
  expect(twice.stderr).toContain('the external endpoints stripe and raw are both at 203.0.113.7');
  const both = explain('--external', 'stripe=api.stripe.com,files.stripe.com=203.0.113.7');
  expect(both.stdout).toContain('ALLOWED');
  expect(explain('--external', 'stripe=api.stripe.com=203.0.113.7').stdout).toContain('DENIED');
  expect(explain('--external', 'stripe=api.stripe.com,=203.0.113.7').code).toBe(2);
});
