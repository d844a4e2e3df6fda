import { Port, Reachability } from '../../src';
import { NOT_AN_IP, parseEndpointIp } from '../../src/k8s/cidr';

/**
 * Review finding R6-03: an external endpoint given as an IPv4-mapped IPv6 address
 * (`::ffff:203.0.113.7`, e.g. `--external api=::ffff:203.0.113.7`) was taken as an IPv6 end. A pod
 * that dials it sends IPv4 packets to 203.0.113.7 (RFC 4291 2.5.5.2: the mapped form represents an
 * IPv4 node's address), so an IPv4 Deny covers it; the analyser let it escape every IPv4 deny (Admin
 * networks Deny, Cilium egressDeny toCIDR) and proved it allowed. The sig-network API itself refuses
 * such CIDRs. Now the mapped form is refused wherever an endpoint's address enters, with the IPv4
 * address to write; an IPv4-compatible `::a.b.c.d` is an (IPv6) address, and a zone is refused.
 */
const ns = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'a', labels: { app: 'web' } }, spec: { containers: [{ name: 'c' }] }, status: { podIP: '10.0.0.1' } };
const anpDeny = {
  apiVersion: 'policy.networking.k8s.io/v1alpha1',
  kind: 'AdminNetworkPolicy',
  metadata: { name: 'no-net' },
  spec: { priority: 1, subject: { namespaces: {} }, egress: [{ name: 'no-net', action: 'Deny', to: [{ networks: ['203.0.113.0/24'] }] }] },
};
const anpDenyV6 = {
  apiVersion: 'policy.networking.k8s.io/v1alpha1',
  kind: 'AdminNetworkPolicy',
  metadata: { name: 'no-v6' },
  spec: { priority: 2, subject: { namespaces: {} }, egress: [{ name: 'no-v6', action: 'Deny', to: [{ networks: ['::/0'] }] }] },
};
const ciliumDeny = [
  { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'all', namespace: 'a' }, spec: { endpointSelector: {}, egress: [{ toEntities: ['all'] }] } },
  { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'no-net', namespace: 'a' }, spec: { endpointSelector: {}, egressDeny: [{ toCIDR: ['203.0.113.0/24'] }] } },
];
const HTTPS = Port.tcp(443);

function verdictOrRefusal(objects: any[], ip = '::ffff:203.0.113.7'): boolean | 'refused' {
  let r: Reachability;
  try {
    r = Reachability.fromManifests([ns('a'), pod, ...objects], { externals: [{ name: 'api', ip }] });
  } catch {
    return 'refused';
  }
  return r.allows('a/web', 'api', HTTPS);
}

describe('an external at an IPv4-mapped IPv6 address', () => {
  test('the same address written as IPv4 is denied (the control), and an address outside the deny allowed', () => {
    expect(verdictOrRefusal([anpDeny], '203.0.113.7')).toBe(false);
    expect(verdictOrRefusal([anpDeny], '198.51.100.7')).toBe(true);
    expect(verdictOrRefusal(ciliumDeny, '203.0.113.7')).toBe(false);
    expect(verdictOrRefusal(ciliumDeny, '198.51.100.7')).toBe(true);
  });
  test.each([
    ['an Admin Deny to networks 203.0.113.0/24', [anpDeny]],
    ['a Cilium egressDeny toCIDR 203.0.113.0/24', ciliumDeny],
    ['no policy at all', []],
  ])('with %s it is refused, never allowed', (_what, objects) => {
    expect(verdictOrRefusal(objects)).toBe('refused');
  });
  test.each(['::ffff:203.0.113.7', '::FFFF:cb00:7107', '0:0:0:0:0:ffff:203.0.113.7', ' ::ffff:203.0.113.7 '])('%j is refused, saying which IPv4 address to write', (ip) => {
    expect(() => Reachability.fromManifests([ns('a'), pod], { externals: [{ name: 'api', ip }] }))
      .toThrow(/endpoint api: ReachabilityOptions\.externals\[\]\.ip \(--external\) .* IPv4-mapped IPv6 address.*Write 203\.0\.113\.7/);
  });
});

describe('every other place an endpoint address enters refuses the mapped form too', () => {
  const mapped = '::ffff:10.0.0.7';
  test('ReachabilityOptions.pods[].ip', () => {
    expect(() => Reachability.fromManifests([ns('a')], { pods: [{ namespace: 'a', name: 'x', labels: {}, ip: mapped }] }))
      .toThrow(/endpoint a\/x: ReachabilityOptions\.pods\[\]\.ip .*IPv4-mapped.*Write 10\.0\.0\.7/);
  });
  test('ReachabilityOptions.apiServerIps and apiServerIp', () => {
    expect(() => Reachability.fromManifests([ns('a'), pod], { apiServerIps: ['10.0.1.1', mapped] }))
      .toThrow(/ReachabilityOptions\.apiServerIps \(--api-server\) .*IPv4-mapped.*Write 10\.0\.0\.7/);
    expect(() => Reachability.fromManifests([ns('a'), pod], { apiServerIp: mapped })).toThrow(/IPv4-mapped.*Write 10\.0\.0\.7/);
  });
  const podWith = (status: any, spec: any = {}) => ({ ...pod, spec: { ...pod.spec, ...spec }, status });
  test.each([
    ['status.podIP', podWith({ podIP: mapped })],
    ['status.podIPs[1].ip', podWith({ podIP: '10.0.0.1', podIPs: [{ ip: '10.0.0.1' }, { ip: mapped }] })],
    ['status.hostIP', podWith({ podIP: '10.0.0.1', hostIP: mapped })],
    ['status.hostIPs[0].ip', podWith({ podIP: '10.0.0.1', hostIPs: [{ ip: mapped }] })],
    ['status.hostIP', podWith({ podIP: mapped, hostIP: mapped }, { hostNetwork: true })],
  ])('a Pod\'s %s', (field, object) => {
    expect(() => Reachability.fromManifests([ns('a'), object])).toThrow(`Pod a/web: ${field} "${mapped}" is an IPv4-mapped IPv6 address`);
  });
  test('a Node\'s status.addresses', () => {
    const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, status: { addresses: [{ type: 'Hostname', address: 'n1' }, { type: 'InternalIP', address: mapped }] } };
    expect(() => Reachability.fromManifests([ns('a'), pod, node])).toThrow(/Node n1: status\.addresses\[1\]\.address .*IPv4-mapped.*Write 10\.0\.0\.7/);
  });
  test('the same objects with the IPv4 address are read', () => {
    const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, status: { addresses: [{ type: 'InternalIP', address: '10.0.0.7' }] } };
    const r = Reachability.fromManifests([ns('a'), pod, node], { pods: [{ namespace: 'a', name: 'x', labels: {}, ip: '10.0.0.8' }] });
    expect(r.endpoints).toEqual(expect.arrayContaining(['a/web', 'a/x', 'node:n1']));
  });
});

describe('the forms next to it', () => {
  test('an IPv4-compatible ::a.b.c.d is an IPv6 address: IPv6 rules match it, IPv4 rules do not', () => {
    expect(parseEndpointIp('::203.0.113.7')).toEqual({ ip: { family: 6, value: 0xcb007107n } });
    expect(verdictOrRefusal([anpDeny], '::203.0.113.7')).toBe(true);
    expect(verdictOrRefusal([anpDenyV6], '::203.0.113.7')).toBe(false);
    expect(verdictOrRefusal([anpDenyV6], '203.0.113.7')).toBe(true);
  });
  test('a zone is refused, with the address to write', () => {
    expect(parseEndpointIp('fe80::1%eth0').problem).toMatch(/has a zone \(%eth0\).*write fe80::1 without it/);
    expect(() => Reachability.fromManifests([ns('a'), pod], { externals: [{ name: 'api', ip: 'fe80::1%eth0' }] })).toThrow(/zone/);
    expect(() => Reachability.fromManifests([ns('a'), { ...pod, status: { podIP: 'fe80::1%eth0' } }])).toThrow(/Pod a\/web: status\.podIP .*zone/);
  });
  test('text that is no address at all is refused in the options, and (as before) no address of a manifest', () => {
    expect(parseEndpointIp('10.0.0')).toEqual({ problem: NOT_AN_IP });
    expect(() => Reachability.fromManifests([ns('a'), pod], { externals: [{ name: 'api', ip: 'nope' }] })).toThrow(/"nope" is not an IP address\. Give an IPv4/);
    const r = Reachability.fromManifests([ns('a'), { ...pod, status: { podIP: 'nope' } }]);
    expect(r.endpoints).toContain('a/web');
  });
  test('a mapped address outside ::ffff:0:0/96 is an ordinary IPv6 address', () => {
    expect(parseEndpointIp('::fffe:203.0.113.7').ip?.family).toBe(6);
    expect(parseEndpointIp('2001:db8::ffff:203.0.113.7').ip?.family).toBe(6);
  });
});
