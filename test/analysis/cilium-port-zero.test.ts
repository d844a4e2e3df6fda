import { expectMatrixAgrees } from './matrix-agrees';
import { Port, Reachability, SkipCategory } from '../../src';
import { cnp, namespace, reasons, servingPod } from '../fixtures/cilium-objects';

/**
 * Port 0 in the ports of a Cilium rule (issue 15), beyond port 0 alone (whose verdicts
 * cilium-unmodelled-denies.test.ts has). The documentation does not describe it; Cilium's agent
 * accepts it (pkg/policy/api rule_validation.go: only a port rule with layer-7 rules refuses "a
 * port is 0"), and pkg/policy l4.go builds the policy map keys of an L4Filter with
 * `PortRangeToMaskedPorts(port, l4.EndPort)` (pkg/policy portrange.go), which makes port 0 with
 * endPort 0 or 65535 the wildcard of the port ("This is a wildcard"), a range 0..endPort otherwise.
 * So an allow of port 0 with endPort 0 or 65535 is every port of its protocols; with another
 * endPort it stays left out.
 *
 * `explain` names a part read in a port form the documentation does not describe (port 0, a port
 * rule without ports, a rule with neither peer nor ports) only where that part alone makes the
 * rule's ports match the pair: where a port the rule lists as written matches too, the rule matches
 * whichever way the part is read, and a note would blame the wrong part.
 *
 * Checked in cilium/cilium (2026-12): pkg/policy portrange.go, l4.go, api/rule_validation.go.
 */
const pod = (name: string, ip: string) => servingPod(name, { app: name }, ip);
const BASE = [namespace('default'), pod('a', '10.0.0.2'), pod('b', '10.0.0.3'), pod('c', '10.0.0.4')];
const FROM_A = [{ matchLabels: { app: 'a' } }];
const HTTP = Port.tcp(80);
const HTTPS = Port.tcp(443);
const PG = Port.tcp(5432);
const HIGH = Port.tcp(65535);
const DNS = Port.udp(53);

/** B's ingress: only `ports` from A. */
const allowFromA = (ports: Record<string, unknown>[]) => cnp('b-in', {
  endpointSelector: { matchLabels: { app: 'b' } },
  ingress: [{ fromEndpoints: FROM_A, toPorts: [{ ports }] }],
});
/** B's ingress: not isolated, with `deny` as its one deny rule. */
const withDeny = (deny: Record<string, unknown>) => Reachability.fromManifests([...BASE, cnp('b-deny', {
  endpointSelector: { matchLabels: { app: 'b' } },
  enableDefaultDeny: { ingress: false },
  ingressDeny: [deny],
})]);
const formNotes = (r: Reachability, from: string, to: string, port: Port) => r.explain(from, to, port).notes.filter((n) => /form the documentation does not describe/.test(n));

describe('an allow of port 0 with endPort 0 or 65535: the wildcard of the port, as PortRangeToMaskedPorts reads it', () => {
  test.each([
    ['endPort 65535', { port: '0', endPort: 65535, protocol: 'TCP' }],
    ['endPort 0', { port: '0', endPort: 0, protocol: 'TCP' }],
    ['"00" with endPort 65535', { port: '00', endPort: 65535, protocol: 'TCP' }],
  ])('%s: A to B on every TCP port; not UDP, not from C', (_, port) => {
    const r = Reachability.fromManifests([...BASE, allowFromA([port])]);
    expect(r.allows('default/a', 'default/b', HTTP)).toBe(true);
    expect(r.allows('default/a', 'default/b', PG)).toBe(true);
    expect(r.allows('default/a', 'default/b', HIGH)).toBe(true);
    expect(r.allows('default/a', 'default/b', DNS)).toBe(false);
    expect(r.allows('default/c', 'default/b', PG)).toBe(false);
    expect(r.explain('default/a', 'default/b', PG).ingress.allowedBy).toMatchObject([{ policy: 'default/b-in' }]);
    expect(r.skipped).toMatchObject([{ object: 'default/b-in', kind: 'CiliumNetworkPolicy', category: SkipCategory.NOT_MODELLED }]);
    expect(reasons(r)).toEqual([expect.stringMatching(/^spec\.ingress\[0\]\.toPorts\[0\]\.ports\[0\]\.port is decided fail closed: port "0+" is 0, .*The allow is read as every TCP port, the narrowest of the readings/)]);
    expectMatrixAgrees(r, HTTP, PG, HIGH, DNS);
  });

  test('endPort 65535 is said as the wildcard PortRangeToMaskedPorts makes of it', () => {
    const r = Reachability.fromManifests([...BASE, allowFromA([{ port: '0', endPort: 65535, protocol: 'UDP' }])]);
    expect(r.allows('default/a', 'default/b', DNS)).toBe(true);
    expect(r.allows('default/a', 'default/b', HTTP)).toBe(false);
    expect(reasons(r)).toEqual([expect.stringMatching(/PortRangeToMaskedPorts makes port 0 with endPort 65535 the wildcard of the port too\)\. The allow is read as every UDP port/)]);
  });

  test('endPort 65534 is a range the releases read apart: the allow stays left out (denied, listed)', () => {
    const r = Reachability.fromManifests([...BASE, allowFromA([{ port: '0', endPort: 65534, protocol: 'TCP' }])]);
    expect(r.allows('default/a', 'default/b', HTTP)).toBe(false);
    expect(r.allows('default/a', 'default/b', HIGH)).toBe(false);
    expect(reasons(r)).toEqual([expect.stringMatching(/^spec\.ingress\[0\] is not modelled: toPorts\[0\]: port 0 with endPort 65534 is not documented \(Cilium's releases read it as the range 0-65534 or as every port\); list the ports or a range from 1/)]);
    expectMatrixAgrees(r, HTTP, HIGH);
  });

  test('the diff sees the ports an allow of port 0 with endPort 65535 opens, and only those', () => {
    const before = Reachability.fromManifests([...BASE, allowFromA([{ port: '80', protocol: 'TCP' }])]);
    const after = Reachability.fromManifests([...BASE, allowFromA([{ port: '0', endPort: 65535, protocol: 'TCP' }])]);
    expect(before.allows('default/a', 'default/b', PG)).toBe(false);
    expect(after.allows('default/a', 'default/b', PG)).toBe(true);
    expect(after.allows('default/a', 'default/b', DNS)).toBe(false);
    const d = Reachability.diff(before, after);
    expect(d.opened.map((c) => `${c.from} -> ${c.to} ${c.ports.join(' ')}`)).toEqual(['default/a -> default/b other TCP ports']);
    expect(d.closed).toEqual([]);
    const back = Reachability.diff(after, before);
    expect(back.opened).toEqual([]);
    expect(back.closed.map((c) => `${c.from} -> ${c.to} ${c.ports.join(' ')}`)).toEqual(['default/a -> default/b other TCP ports']);
  });
});

describe('explain names a part read in an undocumented port form only where it alone decides the pair', () => {
  test('a deny of 443 and a port rule without ports: named on 53/UDP, not on 443/TCP (the listed port denies it anyway)', () => {
    const r = withDeny({ fromEndpoints: FROM_A, toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }, {}] });
    expect(r.allows('default/a', 'default/b', HTTPS)).toBe(false);
    expect(r.allows('default/a', 'default/b', DNS)).toBe(false);
    expect(r.allows('default/c', 'default/b', DNS)).toBe(true);
    expect(formNotes(r, 'default/a', 'default/b', DNS)).toEqual([expect.stringMatching(
      /^CiliumNetworkPolicy default\/b-deny ingressDeny\[0\].* is read in a form the documentation does not describe: toPorts\[1\] has no ports, read as every port of every protocol \(the widest reading, so it is taken to deny 53\/UDP from default\/a; see the skipped parts\)$/)]);
    expect(formNotes(r, 'default/a', 'default/b', HTTPS)).toEqual([]);
    expect(formNotes(r, 'default/c', 'default/b', DNS)).toEqual([]);
    expectMatrixAgrees(r, HTTPS, DNS);
  });

  test('a deny of port 0 (TCP) next to 53/UDP: named on TCP, not on 53/UDP', () => {
    const r = withDeny({ fromEndpoints: FROM_A, toPorts: [{ ports: [{ port: '0', endPort: 100, protocol: 'TCP' }, { port: '53', protocol: 'UDP' }] }] });
    expect(r.allows('default/a', 'default/b', PG)).toBe(false);
    expect(r.allows('default/a', 'default/b', DNS)).toBe(false);
    expect(r.allows('default/a', 'default/b', Port.udp(54))).toBe(true);
    expect(formNotes(r, 'default/a', 'default/b', PG)).toEqual([expect.stringMatching(
      /ingressDeny\[0\].* toPorts\[0\]\.ports\[0\] is port 0 \(endPort 100\), read as every TCP port \(the widest reading, so it is taken to deny 5432\/TCP from default\/a/)]);
    expect(formNotes(r, 'default/a', 'default/b', DNS)).toEqual([]);
    expect(formNotes(r, 'default/a', 'default/b', Port.udp(54))).toEqual([]);
    expectMatrixAgrees(r, PG, DNS, Port.udp(54));
  });

  test('two parts that both match: both named, neither alone but each enough', () => {
    const r = withDeny({ fromEndpoints: FROM_A, toPorts: [{ ports: [{ port: '0', protocol: 'TCP' }] }, {}] });
    expect(r.allows('default/a', 'default/b', PG)).toBe(false);
    expect(r.allows('default/a', 'default/b', DNS)).toBe(false);
    expect(formNotes(r, 'default/a', 'default/b', PG)).toEqual([expect.stringMatching(
      /: toPorts\[0\]\.ports\[0\] is port 0, read as every TCP port; toPorts\[1\] has no ports, read as every port of every protocol \(the widest/)]);
    expect(formNotes(r, 'default/a', 'default/b', DNS)).toEqual([expect.stringMatching(/: toPorts\[1\] has no ports, read as every port of every protocol \(the widest/)]);
    expectMatrixAgrees(r, PG, DNS);
  });

  test('an allow of port 0 next to 80/TCP: named on 5432/TCP, which only port 0 allows, not on 80/TCP', () => {
    const r = Reachability.fromManifests([...BASE, allowFromA([{ port: '80', protocol: 'TCP' }, { port: '0', protocol: 'TCP' }])]);
    expect(r.allows('default/a', 'default/b', HTTP)).toBe(true);
    expect(r.allows('default/a', 'default/b', PG)).toBe(true);
    expect(r.allows('default/a', 'default/b', DNS)).toBe(false);
    expect(formNotes(r, 'default/a', 'default/b', PG)).toEqual([expect.stringMatching(
      /ingress\[0\].* toPorts\[0\]\.ports\[1\] is port 0, read as every TCP port \(the narrowest reading, so it is taken to allow 5432\/TCP from default\/a/)]);
    expect(formNotes(r, 'default/a', 'default/b', HTTP)).toEqual([]);
    expect(formNotes(r, 'default/a', 'default/b', DNS)).toEqual([]);
    expectMatrixAgrees(r, HTTP, PG, DNS);
  });

  test('a rule with neither peer nor ports: named for every peer, on the ingress it denies only', () => {
    const r = withDeny({});
    expect(r.allows('default/c', 'default/b', PG)).toBe(false);
    expect(r.allows('default/b', 'default/c', PG)).toBe(true);
    expect(formNotes(r, 'default/c', 'default/b', PG)).toEqual([expect.stringMatching(
      /ingressDeny\[0\].*: the rule has neither peer nor ports, read as denying every end on every port \(the widest reading, so it is taken to deny 5432\/TCP from default\/c/)]);
    expect(formNotes(r, 'default/b', 'default/c', PG)).toEqual([]);
    expectMatrixAgrees(r, PG);
  });
});
