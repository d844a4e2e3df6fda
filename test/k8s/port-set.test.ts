import { Port, Protocol } from '../../src';
import {
  ALL_TRAFFIC, ContainerPort, entriesOverlap, entryCovers, entryMatches, hasNamedPorts, isAllTraffic, PortEntry, portEntryFromWire,
  portEntryKey, portSetFromWire, resolveNamedPort, setCovers, setMatches, withoutCovered,
} from '../../src/k8s/port-set';

/**
 * The one port-set type (src/k8s/port-set.ts) pinned to the NetworkPolicy semantics (reference
 * rules 1, 11, 16-18a): what each kind of entry allows, which covers which, and that protocols
 * never leak. Rule merging, the lints, the analyser and the port checks all use it.
 */
const tcp = (port: number, endPort?: number): PortEntry => (endPort === undefined ? { kind: 'numbered', protocol: 'TCP', port } : { kind: 'numbered', protocol: 'TCP', port, endPort });
const udp = (port: number, endPort?: number): PortEntry => (endPort === undefined ? { kind: 'numbered', protocol: 'UDP', port } : { kind: 'numbered', protocol: 'UDP', port, endPort });
const named = (name: string, protocol = 'TCP'): PortEntry => ({ kind: 'named', protocol, name });
const allOf = (protocol: string): PortEntry => ({ kind: 'allPorts', protocol });

/** A destination with `http` on 8080/TCP, `dns` on 53/UDP and `sctp` on 9000/SCTP. */
const DESTINATION: ContainerPort[] = [
  { number: 8080, name: 'http', protocol: 'TCP' },
  { number: 53, name: 'dns', protocol: 'UDP' },
  { number: 9000, name: 'sctp', protocol: 'SCTP' },
  { number: 9090, protocol: 'TCP' },
];

describe('from the wire format', () => {
  test.each([
    [{ port: 80 }, tcp(80)],
    [{ protocol: 'UDP', port: 53 }, udp(53)],
    [{ protocol: null, port: 80 }, tcp(80)],
    [{ port: 8000, endPort: 8080 }, tcp(8000, 8080)],
    [{ port: 8000, endPort: null }, tcp(8000)],
    [{ port: 'http' }, named('http')],
    [{ port: 'dns', protocol: 'UDP' }, named('dns', 'UDP')],
    [{ protocol: 'SCTP' }, allOf('SCTP')],
    [{}, allOf('TCP')],
    [{ port: null, protocol: 'UDP' }, allOf('UDP')],
    [null, allOf('TCP')],
  ])('%j is %j (protocol defaults to TCP)', (json, entry) => {
    expect(portEntryFromWire(json)).toEqual(entry);
  });

  test('a rule without ports, with ports: null or ports: [] allows all traffic', () => {
    for (const ports of [undefined, null, []]) {
      expect(portSetFromWire(ports)).toEqual([ALL_TRAFFIC]);
      expect(isAllTraffic(portSetFromWire(ports))).toBe(true);
    }
    expect(portSetFromWire([{ port: 80 }, { protocol: 'UDP' }])).toEqual([tcp(80), allOf('UDP')]);
    expect(isAllTraffic(portSetFromWire([{ port: 80 }]))).toBe(false);
  });

  test('the model\'s Port converts to the same entries its JSON reads as', () => {
    const ports = [Port.tcp(80), Port.udp(53), Port.sctp(7), Port.tcpRange(8000, 8080), Port.udpRange(1, 2), Port.named('http'), Port.named('dns', Protocol.UDP), Port.allTcp(), Port.allUdp(), Port.allSctp()];
    for (const p of ports) expect(p._entry).toEqual(portEntryFromWire(p.toJson()));
    expect(Port.allTraffic()._entry).toEqual(ALL_TRAFFIC);
    expect(Port.tcpRange(80, 80)._entry).toEqual(tcp(80));
  });
});

describe('matching traffic', () => {
  const ENTRIES: Array<[string, PortEntry]> = [
    ['all traffic', ALL_TRAFFIC], ['all TCP', allOf('TCP')], ['all UDP', allOf('UDP')], ['all SCTP', allOf('SCTP')],
    ['80/TCP', tcp(80)], ['8000-8080/TCP', tcp(8000, 8080)], ['53/UDP', udp(53)], ['http/TCP', named('http')],
    ['dns/UDP', named('dns', 'UDP')], ['sctp/SCTP', named('sctp', 'SCTP')],
  ];
  const TRAFFIC: Array<[string, number, string]> = [
    ['80/TCP', 80, 'TCP'], ['80/UDP', 80, 'UDP'], ['80/SCTP', 80, 'SCTP'], ['8000/TCP', 8000, 'TCP'], ['8080/TCP', 8080, 'TCP'],
    ['8081/TCP', 8081, 'TCP'], ['7999/TCP', 7999, 'TCP'], ['8080/UDP', 8080, 'UDP'], ['53/UDP', 53, 'UDP'], ['53/TCP', 53, 'TCP'],
    ['9000/SCTP', 9000, 'SCTP'], ['9000/TCP', 9000, 'TCP'],
  ];
  /** What each entry allows to DESTINATION, by the semantics (rules 16-18a). */
  const ALLOWED: Record<string, string[]> = {
    'all traffic': TRAFFIC.map(([t]) => t),
    'all TCP': TRAFFIC.filter(([, , p]) => p === 'TCP').map(([t]) => t),
    'all UDP': TRAFFIC.filter(([, , p]) => p === 'UDP').map(([t]) => t),
    'all SCTP': TRAFFIC.filter(([, , p]) => p === 'SCTP').map(([t]) => t),
    '80/TCP': ['80/TCP'],
    '8000-8080/TCP': ['8000/TCP', '8080/TCP'], // inclusive at both ends
    '53/UDP': ['53/UDP'],
    'http/TCP': ['8080/TCP'],
    'dns/UDP': ['53/UDP'],
    'sctp/SCTP': ['9000/SCTP'],
  };

  test.each(ENTRIES)('%s allows exactly what the semantics says, and no other protocol', (name, entry) => {
    const allowed = TRAFFIC.filter(([, port, protocol]) => entryMatches(entry, { port, protocol }, DESTINATION)).map(([t]) => t);
    expect(allowed).toEqual(ALLOWED[name]);
  });

  test('a named port with the wrong protocol matches nothing', () => {
    for (const entry of [named('http', 'UDP'), named('http', 'SCTP'), named('dns', 'TCP'), named('sctp', 'TCP')]) {
      expect(TRAFFIC.filter(([, port, protocol]) => entryMatches(entry, { port, protocol }, DESTINATION))).toEqual([]);
    }
  });

  test('a named port matches nothing at a destination without it (e.g. an ipBlock address)', () => {
    expect(entryMatches(named('http'), { port: 8080, protocol: 'TCP' }, [])).toBe(false);
    expect(entryMatches(named('http'), { port: 8080, protocol: 'TCP' }, [{ number: 8080, protocol: 'TCP' }])).toBe(false);
    expect(entryMatches(tcp(8080), { port: 8080, protocol: 'TCP' }, [])).toBe(true);
  });

  test('a set matches when any of its entries does', () => {
    const set = portSetFromWire([{ port: 80 }, { protocol: 'UDP', port: 'dns' }]);
    expect(setMatches(set, { port: 80, protocol: 'TCP' }, DESTINATION)).toBe(true);
    expect(setMatches(set, { port: 53, protocol: 'UDP' }, DESTINATION)).toBe(true);
    expect(setMatches(set, { port: 53, protocol: 'TCP' }, DESTINATION)).toBe(false);
    expect(setMatches([ALL_TRAFFIC], { port: 1, protocol: 'SCTP' }, [])).toBe(true);
  });

  test('only a set with a named port depends on the destination\'s container ports', () => {
    expect(hasNamedPorts(portSetFromWire([{ port: 80 }, { protocol: 'UDP', port: 'dns' }]))).toBe(true);
    expect(hasNamedPorts(portSetFromWire([{ port: 80, endPort: 90 }, { protocol: 'UDP' }]))).toBe(false);
    expect(hasNamedPorts([ALL_TRAFFIC])).toBe(false);
  });
});

describe('named-port resolution', () => {
  test('by name AND protocol', () => {
    const ports: ContainerPort[] = [{ number: 53, name: 'dns', protocol: 'TCP' }, { number: 5353, name: 'dns', protocol: 'UDP' }];
    expect(resolveNamedPort('dns', 'UDP', ports)).toEqual({ number: 5353, name: 'dns', protocol: 'UDP' });
    expect(resolveNamedPort('dns', 'TCP', ports)).toEqual({ number: 53, name: 'dns', protocol: 'TCP' });
    expect(resolveNamedPort('dns', 'SCTP', ports)).toBeUndefined();
    expect(resolveNamedPort('http', 'UDP', DESTINATION)).toBeUndefined();
    expect(resolveNamedPort('nope', 'TCP', DESTINATION)).toBeUndefined();
  });
});

describe('covers', () => {
  const KINDS: Array<[string, PortEntry]> = [
    ['all traffic', ALL_TRAFFIC], ['all TCP', allOf('TCP')], ['all UDP', allOf('UDP')], ['80/TCP', tcp(80)], ['81/TCP', tcp(81)],
    ['80-90/TCP', tcp(80, 90)], ['85-95/TCP', tcp(85, 95)], ['82-84/TCP', tcp(82, 84)], ['80/UDP', udp(80)], ['80-90/UDP', udp(80, 90)],
    ['http/TCP', named('http')], ['http/UDP', named('http', 'UDP')], ['web/TCP', named('web')],
  ];
  /** For each entry, the entries it covers (besides itself): by the semantics, whatever the destination. */
  const COVERS: Record<string, string[]> = {
    'all traffic': KINDS.map(([k]) => k),
    'all TCP': ['all TCP', '80/TCP', '81/TCP', '80-90/TCP', '85-95/TCP', '82-84/TCP', 'http/TCP', 'web/TCP'],
    'all UDP': ['all UDP', '80/UDP', '80-90/UDP', 'http/UDP'],
    '80/TCP': ['80/TCP'],
    '81/TCP': ['81/TCP'],
    '80-90/TCP': ['80/TCP', '81/TCP', '80-90/TCP', '82-84/TCP'], // inclusive; not the overlapping 85-95
    '85-95/TCP': ['85-95/TCP'],
    '82-84/TCP': ['82-84/TCP'],
    '80/UDP': ['80/UDP'],
    '80-90/UDP': ['80/UDP', '80-90/UDP'],
    'http/TCP': ['http/TCP'], // a named port's number depends on the destination: only itself
    'http/UDP': ['http/UDP'],
    'web/TCP': ['web/TCP'],
  };

  test.each(KINDS)('%s covers exactly what the semantics says, over every kind pair', (name, a) => {
    expect(KINDS.filter(([, b]) => entryCovers(a, b)).map(([k]) => k)).toEqual(COVERS[name]);
  });

  test('covering agrees with matching: what a covers, a allows on every probed traffic', () => {
    const probes: Array<[number, string]> = [];
    for (const protocol of ['TCP', 'UDP', 'SCTP']) for (const port of [1, 79, 80, 81, 84, 85, 90, 91, 95, 8080]) probes.push([port, protocol]);
    const destination: ContainerPort[] = [{ number: 8080, name: 'http', protocol: 'TCP' }, { number: 85, name: 'web', protocol: 'TCP' }, { number: 80, name: 'http', protocol: 'UDP' }];
    for (const [, a] of KINDS) {
      for (const [, b] of KINDS) {
        if (!entryCovers(a, b)) continue;
        for (const [port, protocol] of probes) {
          if (entryMatches(b, { port, protocol }, destination)) expect(entryMatches(a, { port, protocol }, destination)).toBe(true);
        }
      }
    }
  });

  test('overlap: symmetric, implied by covering, and never missing traffic both entries match for some destination', () => {
    const probes: Array<[number, string]> = [];
    for (const protocol of ['TCP', 'UDP', 'SCTP']) for (const port of [1, 79, 80, 81, 84, 85, 90, 91, 95, 8080]) probes.push([port, protocol]);
    const destinations: ContainerPort[][] = [
      [{ number: 8080, name: 'http', protocol: 'TCP' }, { number: 85, name: 'web', protocol: 'TCP' }, { number: 80, name: 'http', protocol: 'UDP' }],
      [{ number: 80, name: 'http', protocol: 'TCP' }, { number: 81, name: 'web', protocol: 'TCP' }],
    ];
    for (const [na, a] of KINDS) {
      for (const [nb, b] of KINDS) {
        expect([na, nb, entriesOverlap(a, b)]).toEqual([na, nb, entriesOverlap(b, a)]);
        if (entryCovers(a, b)) expect([na, nb, entriesOverlap(a, b)]).toEqual([na, nb, true]);
        const matchBoth = (d: ContainerPort[], port: number, protocol: string) =>
          entryMatches(a, { port, protocol }, d) && entryMatches(b, { port, protocol }, d);
        const shared = destinations.some((d) => probes.some(([port, protocol]) => matchBoth(d, port, protocol)));
        if (shared) expect([na, nb, entriesOverlap(a, b)]).toEqual([na, nb, true]);
      }
    }
    // disjoint: other protocol, other numbers, other names
    expect(entriesOverlap(tcp(80, 84), tcp(85, 95))).toBe(false);
    expect(entriesOverlap(tcp(80), udp(80))).toBe(false);
    expect(entriesOverlap(named('http'), named('web'))).toBe(false);
    expect(entriesOverlap(tcp(80, 90), tcp(85, 95))).toBe(true);
    // with the destination's container ports known, a name is the number it stands for there
    const destination: ContainerPort[] = [{ number: 8080, name: 'http', protocol: 'TCP' }, { number: 85, name: 'web', protocol: 'TCP' }];
    expect(entriesOverlap(named('http'), tcp(8080), destination)).toBe(true);
    expect(entriesOverlap(tcp(80, 90), named('web'), destination)).toBe(true);
    expect(entriesOverlap(named('http'), tcp(80, 90), destination)).toBe(false);
    expect(entriesOverlap(named('db'), tcp(5432), destination)).toBe(false); // no such name there: the named entry matches nothing
    expect(entriesOverlap(named('http'), tcp(80, 90))).toBe(true); // destination unknown: may be any number
  });

  test('a set covers another when each entry is covered by one entry', () => {
    expect(setCovers([tcp(80, 90), udp(53)], [tcp(85), udp(53)])).toBe(true);
    expect(setCovers([tcp(80, 90)], [tcp(85), udp(85)])).toBe(false);
    expect(setCovers([ALL_TRAFFIC], [named('http', 'SCTP')])).toBe(true);
    expect(setCovers([allOf('TCP'), allOf('UDP'), allOf('SCTP')], [ALL_TRAFFIC])).toBe(false);
  });

  test('withoutCovered drops what another item strictly covers, keeping the order', () => {
    const items = [tcp(80), tcp(80, 90), tcp(91), named('http'), udp(53), allOf('UDP')];
    expect(withoutCovered(items, (e) => e)).toEqual([tcp(80, 90), tcp(91), named('http'), allOf('UDP')]);
    expect(withoutCovered([tcp(80), ALL_TRAFFIC, named('x')], (e) => e)).toEqual([ALL_TRAFFIC]);
  });
});

test('keys identify entries', () => {
  const entries = [ALL_TRAFFIC, allOf('TCP'), allOf('UDP'), tcp(80), tcp(80, 80), tcp(80, 90), udp(80), named('http'), named('http', 'UDP')];
  expect(new Set(entries.map(portEntryKey)).size).toBe(entries.length);
  expect(portEntryKey(portEntryFromWire({ port: 80 }))).toBe(portEntryKey(tcp(80)));
});
