import { Port, Reachability, SkipCategory } from '../../src';

/**
 * H14: an address field of a manifest that is present but holds no IP address ("10.0.0.300",
 * "pending", "", a number, an entry without ip) is reported in `skipped` with the object, the field
 * path and the fix, never dropped silently; the end then has no known address there, which rules
 * by address decide fail closed (an ipBlock allow does not match it, a cluster-wide networks Deny
 * is taken to match it). Node address entries of the name types are names, not bad addresses.
 */
const HTTPS = Port.tcp(443);
const pod = (name: string, status: Record<string, unknown>, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'a', labels: { app: name } },
  spec: { containers: [{ name: 'c', ports: [{ containerPort: 443 }] }], ...spec },
  status,
});
const node = (name: string, addresses: unknown) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name }, status: { addresses } });
// b may send only to 10.0.0.0/24 (an ipBlock allow).
const egressToTen = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'b-out', namespace: 'a' },
  spec: { podSelector: { matchLabels: { app: 'b' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/24' } }] }] },
};
// No pod of namespace a may send to fd00::/8 (a cluster-wide networks Deny).
const denyV6 = {
  apiVersion: 'policy.networking.k8s.io/v1alpha1',
  kind: 'AdminNetworkPolicy',
  metadata: { name: 'no-v6' },
  spec: { priority: 1, subject: { namespaces: {} }, egress: [{ name: 'no-v6', action: 'Deny', to: [{ networks: ['fd00::/8'] }] }] },
};
const notes = (r: Reachability) => r.skipped.map((s) => `${s.object} ${s.category} ${s.kind}: ${s.reason}`);

test('the control: good addresses, nothing reported; the ipBlock allows a, the Deny passes a v4-only pod', () => {
  const r = Reachability.fromManifests([pod('a', { podIP: '10.0.0.5' }), pod('b', { podIP: '10.0.1.5' }), egressToTen, denyV6]);
  expect(r.skipped).toEqual([]);
  expect(r.allows('a/b', 'a/a', HTTPS)).toBe(true);
  expect(r.allows('a/a', 'a/b', HTTPS)).toBe(true);
});

test.each([
  ['status.podIP', { podIP: '10.0.0.300' }, /^status\.podIP "10\.0\.0\.300" is not an IP address, so its address there is not known/],
  ['status.podIP', { podIP: 'pending' }, /^status\.podIP "pending" is not an IP address/],
  ['status.podIP', { podIP: 42 }, /^status\.podIP is 42, not an IP address text/],
  ['status.podIP', { phase: 'Running', podIP: '' }, /^status\.podIP is empty/],
  ['status.podIPs[0].ip', { podIPs: [{ ip: 'x' }] }, /^status\.podIPs\[0\]\.ip "x" is not an IP address/],
  ['status.podIPs[0].ip', { podIPs: [{}] }, /^status\.podIPs\[0\]\.ip is missing/],
  ['status.podIPs[0]', { podIPs: ['10.0.0.5'] }, /^status\.podIPs\[0\] is "10\.0\.0\.5", not an object with an ip/],
  ['status.podIPs', { podIPs: '10.0.0.5' }, /^status\.podIPs is "10\.0\.0\.5", not a list/],
])('%s %j is reported and no ipBlock matches the pod by it', (field, status, reason) => {
  const r = Reachability.fromManifests([pod('a', status), pod('b', { podIP: '10.0.1.5' }), egressToTen]);
  expect(r.skipped).toHaveLength(1);
  expect(r.skipped[0]).toMatchObject({ object: 'a/a', category: SkipCategory.MALFORMED, kind: 'Pod' });
  expect(r.skipped[0].reason).toMatch(reason);
  expect(r.skipped[0].reason).toContain(`Fix ${field} (an IPv4 or IPv6 address`);
  // Fail closed: the ipBlock allow is not taken for an address the input does not give.
  expect(r.allows('a/b', 'a/a', HTTPS)).toBe(false);
  // Verdicts that do not depend on a's address are unchanged.
  expect(r.allows('a/a', 'a/b', HTTPS)).toBe(true);
});

test('one bad entry among good ones: the good address is kept, the unknown one takes a networks Deny to match and an ipBlock allow not (fail closed)', () => {
  const dual = pod('a', { podIP: '10.0.0.5', podIPs: [{ ip: '10.0.0.5' }, { ip: 'fd00::zz' }] });
  const good = pod('a', { podIP: '10.0.0.5', podIPs: [{ ip: '10.0.0.5' }] });
  const b = pod('b', { podIP: '10.0.1.5' });
  // The control: a's addresses all known and outside fd00::/8, so the Deny passes and the ipBlock allows.
  expect(Reachability.fromManifests([good, b, egressToTen, denyV6]).allows('a/b', 'a/a', HTTPS)).toBe(true);
  // Without the Deny, the good IPv4 address is in the ipBlock, but the unread one may not be: the
  // ipBlock does not allow every connection, so it is taken not to match (fail closed), said so.
  const plain = Reachability.fromManifests([dual, b, egressToTen]);
  expect(notes(plain)).toEqual([expect.stringMatching(/^a\/a MALFORMED Pod: status\.podIPs\[1\]\.ip "fd00::zz" is not an IP address.*Fix status\.podIPs\[1\]\.ip/)]);
  expect(plain.allows('a/b', 'a/a', HTTPS)).toBe(false);
  expect(plain.explain('a/b', 'a/a', HTTPS).notes.join('\n')).toMatch(/some addresses: .*10\.0\.0\.5, and one the input does not give/);
  // With it, a's unknown address may be inside fd00::/8: the Deny is taken to match, and the verdict says why.
  const r = Reachability.fromManifests([dual, b, egressToTen, denyV6]);
  expect(r.allows('a/b', 'a/a', HTTPS)).toBe(false);
  expect(r.explain('a/b', 'a/a', HTTPS).notes.join('\n')).toMatch(/decided fail closed: unknown IP: .*a\/a/);
  expect(r.skipped.map((s) => s.reason).join('\n')).toMatch(/no-v6.*is decided only where the IPs are known.*a\/a/s);
  // a -> b: b's address is known and outside fd00::/8.
  expect(r.allows('a/a', 'a/b', HTTPS)).toBe(true);
  const m = r.matrix(HTTPS);
  for (const from of r.endpoints) for (const to of r.endpoints) expect(`${from} ${to} ${m.isAllowed(from, to)}`).toBe(`${from} ${to} ${r.allows(from, to, HTTPS)}`);
});

test('an empty address on a Pending pod is no address yet, not a finding', () => {
  const r = Reachability.fromManifests([pod('a', { phase: 'Pending', podIP: '', hostIP: '', podIPs: [{ ip: '' }] }), pod('b', { podIP: '10.0.1.5' }), egressToTen]);
  expect(r.skipped).toEqual([]);
  expect(r.allows('a/b', 'a/a', HTTPS)).toBe(false);
});

test('a bad status.hostIP is reported: the pod is placed by spec.nodeName alone, its own address is kept', () => {
  const r = Reachability.fromManifests([
    node('n1', [{ type: 'InternalIP', address: '10.0.9.1' }]),
    pod('a', { podIP: '10.0.0.5', hostIP: 'n1', hostIPs: [{ ip: 'n1' }] }, { nodeName: 'n1' }),
    pod('b', { podIP: '10.0.1.5' }),
    egressToTen,
  ]);
  expect(notes(r)).toEqual([
    expect.stringMatching(/^a\/a MALFORMED Pod: status\.hostIP "n1" is not an IP address, so the address of its node there is not known: the pod is placed on a node by its spec\.nodeName alone/),
    expect.stringMatching(/^a\/a MALFORMED Pod: status\.hostIPs\[0\]\.ip "n1" is not an IP address/),
  ]);
  expect(r.allows('a/b', 'a/a', HTTPS)).toBe(true); // its podIP is in the ipBlock
});

test('a hostNetwork pod with a bad status.hostIP has no known address there: no ipBlock matches it by it', () => {
  const r = Reachability.fromManifests([pod('a', { hostIP: '10.0.0.999' }, { hostNetwork: true }), pod('b', { podIP: '10.0.1.5' }), egressToTen]);
  expect(notes(r)).toEqual([expect.stringMatching(/^a\/a MALFORMED Pod: status\.hostIP "10\.0\.0\.999" is not an IP address, so its address there is not known: no ipBlock matches it/)]);
  expect(r.allows('a/b', 'a/a', HTTPS)).toBe(false);
  const good = Reachability.fromManifests([pod('a', { hostIP: '10.0.0.9' }, { hostNetwork: true }), pod('b', { podIP: '10.0.1.5' }), egressToTen]);
  expect(good.skipped).toEqual([]);
  expect(good.allows('a/b', 'a/a', HTTPS)).toBe(true);
});

describe('a Node\'s status.addresses', () => {
  const names = [
    { type: 'Hostname', address: 'worker-1' },
    { type: 'InternalDNS', address: 'worker-1.internal' },
    { type: 'ExternalDNS', address: 'worker-1.example.com' },
  ];

  test('names (Hostname, InternalDNS, ExternalDNS) are not reported; the InternalIP is read', () => {
    const r = Reachability.fromManifests([node('n1', [...names, { type: 'InternalIP', address: '10.0.0.11' }]), pod('b', { podIP: '10.0.1.5' }), egressToTen]);
    expect(r.skipped).toEqual([]);
    expect(r.allows('a/b', 'node:n1', HTTPS)).toBe(true);
  });

  test.each([
    [{ type: 'InternalIP', address: 'worker-1' }, 'status.addresses[3].address', SkipCategory.MALFORMED, /^status\.addresses\[3\]\.address "worker-1" is not an IP address \(type InternalIP\)/],
    [{ type: 'ExternalIP', address: '' }, 'status.addresses[3].address', SkipCategory.MALFORMED, /^status\.addresses\[3\]\.address is empty \(type ExternalIP\)/],
    [{ type: 'ExternalIP' }, 'status.addresses[3].address', SkipCategory.MALFORMED, /^status\.addresses\[3\]\.address is missing/],
    [{ type: 'InternalIP', address: 7 }, 'status.addresses[3].address', SkipCategory.MALFORMED, /^status\.addresses\[3\]\.address is 7, not an IP address text/],
    ['10.0.0.12', 'status.addresses[3]', SkipCategory.MALFORMED, /^status\.addresses\[3\] is "10\.0\.0\.12", not an object/],
    [{ type: 'internalip', address: '10.0.0.12' }, 'status.addresses[3].type', SkipCategory.NOT_MODELLED, /^status\.addresses\[3\]\.type "internalip" is not a Node address type .*its address "10\.0\.0\.12" is not read/],
  ])('%j is reported; the good address is still read, and an allow of it alone is fail closed', (entry, field, category, reason) => {
    const r = Reachability.fromManifests([node('n1', [...names, entry, { type: 'InternalIP', address: '10.0.0.11' }]), pod('b', { podIP: '10.0.1.5' }), egressToTen]);
    expect(r.skipped).toHaveLength(1);
    expect(r.skipped[0]).toMatchObject({ object: 'n1', kind: 'Node', category });
    expect(r.skipped[0].reason).toMatch(reason);
    expect(r.skipped[0].reason).toContain(`Fix ${field} (an InternalIP or ExternalIP address`);
    // 10.0.0.11 is in the ipBlock, but the field that could not be read may hold an address outside
    // it: the allow does not hold every connection to the node, so it is taken not to match, said so.
    expect(r.allows('a/b', 'node:n1', HTTPS)).toBe(false);
    expect(r.explain('a/b', 'node:n1', HTTPS).notes.join('\n')).toMatch(/some addresses: .*10\.0\.0\.11, and one the input does not give/);
  });

  test('a Node with only a bad address has none known: no ipBlock matches it', () => {
    const r = Reachability.fromManifests([node('n1', [{ type: 'InternalIP', address: '10.0.0.256' }]), pod('b', { podIP: '10.0.1.5' }), egressToTen]);
    expect(notes(r)).toEqual([expect.stringMatching(/^n1 MALFORMED Node: status\.addresses\[0\]\.address "10\.0\.0\.256" is not an IP address/)]);
    expect(r.allows('a/b', 'node:n1', HTTPS)).toBe(false);
  });

  test('status.addresses that is not a list is reported', () => {
    const r = Reachability.fromManifests([node('n1', { type: 'InternalIP', address: '10.0.0.11' })]);
    expect(notes(r)).toEqual([expect.stringMatching(/^n1 MALFORMED Node: status\.addresses is \{.*\}, not a list/)]);
  });
});
