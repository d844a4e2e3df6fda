import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { netpol } from './cli-harness';
import { FlowReplay, ObservedFlows } from '../../src';

/**
 * An endpoint's address given on the command line goes through the one rule of src/k8s/cidr.ts
 * (`parseEndpointIp`): an IPv4-mapped IPv6 address is refused with the IPv4 address to write
 * (review finding R6-03: it escaped IPv4 denies), and so is a zone. Flows at such an address are not
 * replayed, with the reason.
 */
const objects = [
  { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'a', labels: { app: 'web' } }, spec: { containers: [{ name: 'c' }] }, status: { podIP: '10.0.0.1' } },
  {
    apiVersion: 'policy.networking.k8s.io/v1alpha1',
    kind: 'AdminNetworkPolicy',
    metadata: { name: 'no-net' },
    spec: { priority: 1, subject: { namespaces: {} }, egress: [{ name: 'no-net', action: 'Deny', to: [{ networks: ['203.0.113.0/24'] }] }] },
  },
];
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-addresses-'));
const file = path.join(dir, 'in.json');
fs.writeFileSync(file, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
const explain = (...extra: string[]) => netpol(['explain', file, '--from', 'a/web', '--to', 'api', '--port', '443', ...extra]);

test('--external with the IPv4 address: DENIED by the Admin Deny (the control)', () => {
  const r = explain('--external', 'api=203.0.113.7');
  expect(r.stdout).toContain('DENIED');
  expect(r.code).not.toBe(2);
});

test.each(['api=::ffff:203.0.113.7', 'api=api.example.com=::ffff:203.0.113.7', 'api=::ffff:cb00:7107'])('--external %s is refused, saying to write 203.0.113.7', (spec) => {
  const r = explain('--external', spec);
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).toContain(`--external ${JSON.stringify(spec)}`);
  expect(r.stderr).toMatch(/IPv4-mapped IPv6 address.*Write 203\.0\.113\.7/);
});

test('--external with a zone is refused', () => {
  const r = explain('--external', 'api=fe80::1%eth0');
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/has a zone \(%eth0\).*write fe80::1/);
});

test('--pod ns/name@ip and --api-server refuse the mapped form too', () => {
  const pod = netpol(['explain', file, '--from', 'a/web', '--to', 'b/x', '--port', '443', '--pod', 'b/x@::ffff:10.0.0.7']);
  expect(pod.code).toBe(2);
  expect(pod.stderr).toMatch(/--pod "b\/x@::ffff:10\.0\.0\.7": "::ffff:10\.0\.0\.7" after @ is an IPv4-mapped IPv6 address.*Write 10\.0\.0\.7/);
  const api = netpol(['explain', file, '--from', 'a/web', '--to', 'kube-apiserver', '--port', '443', '--api-server', '::ffff:10.0.0.7']);
  expect(api.code).toBe(2);
  expect(api.stderr).toMatch(/--api-server "::ffff:10\.0\.0\.7" is an IPv4-mapped IPv6 address.*Write 10\.0\.0\.7/);
  // Written as IPv4 both are read.
  expect(netpol(['explain', file, '--from', 'a/web', '--to', 'b/x', '--port', '443', '--pod', 'b/x@10.0.0.7']).code).not.toBe(2);
});

test('a manifest with a mapped status.podIP is refused, naming the pod and the field', () => {
  const bad = path.join(dir, 'bad.json');
  fs.writeFileSync(bad, JSON.stringify({ ...objects[0], status: { podIP: '::ffff:10.0.0.1' } }));
  const r = netpol(['matrix', bad, '--port', '443']);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('Pod a/web: status.podIP "::ffff:10.0.0.1" is an IPv4-mapped IPv6 address');
  expect(r.stderr).toContain('Write 10.0.0.1');
});

test('a flow to a mapped address is not replayed, with the reason; its IPv4 twin is', () => {
  const csv = 'source,destination,port,protocol\na/web,::ffff:203.0.113.7,443,TCP\na/web,203.0.113.8,443,TCP\n';
  const r = FlowReplay.fromManifests(objects, ObservedFlows.fromText(csv));
  expect(r.unmappedEnds).toHaveLength(1);
  expect(r.unmappedEnds[0].reason).toMatch(/IPv4-mapped IPv6 address.*203\.0\.113\.7.*not replayed/);
  expect(r.unmappedEnds[0].connections).toBe(1);
  expect(r.blocked.map((p) => p.to)).toEqual(['203.0.113.8']);
  expect(r.allowed).toEqual([]);
});
