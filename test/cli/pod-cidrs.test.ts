import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { netpol, netpolAsync } from './cli-harness';

/**
 * H17: --pod-cidr tells the analyser the ranges pods take their IPs from, so a cluster-wide Deny of
 * networks no pod range overlaps (the AWS metadata address fd00:ec2::254) does not match a pod of
 * unknown IP; without it, or with a range that overlaps, the pair is decided fail closed.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-pod-cidrs-'));
const deployment = (name: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'shop' },
  spec: {
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', ports: [{ containerPort: 8080 }] }] } },
  },
});
const pod = (name: string, ip: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'shop', labels: { app: name } },
  spec: { containers: [{ name: 'c', ports: [{ containerPort: 8080 }] }] },
  status: { podIP: ip },
});
const metadataDeny = {
  apiVersion: 'policy.networking.k8s.io/v1alpha2',
  kind: 'ClusterNetworkPolicy',
  metadata: { name: 'no-metadata' },
  spec: {
    tier: 'Admin',
    priority: 20,
    subject: { namespaces: {} },
    egress: [{ name: 'metadata', action: 'Deny', to: [{ networks: ['169.254.169.254/32', 'fd00:ec2::254/128'] }] }],
  },
};
const file = path.join(dir, 'in.json');
fs.writeFileSync(file, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [deployment('web'), deployment('api'), metadataDeny] }));
const explain = (...extra: string[]) => netpol(['explain', file, '--from', 'shop/web', '--to', 'shop/api', '--port', '8080', ...extra]);

test('--pod-cidr (repeatable) decides pod-to-pod under a metadata Deny; an overlapping or missing range stays fail closed', () => {
  const without = explain();
  expect(without.stdout).toContain('DENIED');
  expect(without.stdout).toMatch(/fail closed: unknown IP/);
  const given = explain('--pod-cidr', '10.244.0.0/16', '--pod-cidr', 'fd00:10:244::/56');
  expect(given.code).not.toBe(2);
  expect(given.stdout).toContain('shop/web -> shop/api on 8080/TCP: ALLOWED');
  expect(given.stdout).not.toMatch(/fail closed: unknown IP/);
  const overlapping = explain('--pod-cidr', '10.244.0.0/16', '--pod-cidr', 'fd00:ec2::/64');
  expect(overlapping.stdout).toContain('DENIED');
  expect(explain('--pod-cidr', '10.244.0.0/16').stdout).toContain('DENIED');
});

test('a bad --pod-cidr is a usage error naming the option and the fix', () => {
  const bad = explain('--pod-cidr', '10.244.0.1/16');
  expect(bad.code).toBe(2);
  expect(bad.stderr).toMatch(/pod CIDR "10\.244\.0\.1\/16" \(ReachabilityOptions\.podCidrs, --pod-cidr\): must not have bits set beyond the prefix length .*e\.g\. 10\.244\.0\.0\/16/);
});

test('a pod whose known IP is outside the pod CIDRs is noted, and decided by its IP', () => {
  const known = path.join(dir, 'known.json');
  fs.writeFileSync(known, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [pod('web', 'fd00:ec2::254'), pod('api', '10.244.0.7'), metadataDeny] }));
  const r = netpol(['explain', known, '--from', 'shop/api', '--to', 'shop/web', '--port', '8080', '--pod-cidr', '10.244.0.0/16', '--pod-cidr', 'fd00:10:244::/56']);
  expect(r.stderr).toMatch(/note: the IP of shop\/web is outside the given pod CIDRs \(--pod-cidr/);
  expect(r.stderr).not.toMatch(/shop\/api is outside/);
  // Its real address is the metadata address: denied, whatever the pod CIDRs say.
  expect(r.stdout).toContain('DENIED');
  const inside = netpol(['explain', known, '--from', 'shop/web', '--to', 'shop/api', '--port', '8080', '--pod-cidr', '10.244.0.0/16', '--pod-cidr', 'fd00:ec2::/64']);
  expect(inside.stderr).not.toMatch(/outside the given pod CIDRs/);
});

test('every analysing command takes --pod-cidr; diff applies it to both sides', async () => {
  for (const command of ['matrix', 'explain', 'diff', 'check', 'report', 'replay', 'exposure', 'blast-radius']) {
    expect((await netpolAsync([command, '--help'])).stdout).toContain('--pod-cidr <cidr>');
  }
  const before = netpol(['diff', file, '--against', file, '--pod-cidr', 'nope']);
  expect(before.code).toBe(2);
  expect(before.stderr).toMatch(/pod CIDR "nope" \(ReachabilityOptions\.podCidrs, --pod-cidr\)/);
});
