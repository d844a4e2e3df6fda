import { Port, Protocol } from '../../src';
import { ALL_TRAFFIC, portEntryFromWire } from '../../src/k8s/port-set';
import { simplifyPorts } from '../../src/model/rule-set';

describe('Port factories', () => {
  test.each([
    ['tcp', Port.tcp(5432), { protocol: 'TCP', port: 5432 }, '5432/TCP'],
    ['udp', Port.udp(53), { protocol: 'UDP', port: 53 }, '53/UDP'],
    ['sctp', Port.sctp(9899), { protocol: 'SCTP', port: 9899 }, '9899/SCTP'],
    ['of', Port.of(Protocol.UDP, 1), { protocol: 'UDP', port: 1 }, '1/UDP'],
    ['tcpRange', Port.tcpRange(8000, 8080), { protocol: 'TCP', port: 8000, endPort: 8080 }, '8000-8080/TCP'],
    ['udpRange', Port.udpRange(30000, 32767), { protocol: 'UDP', port: 30000, endPort: 32767 }, '30000-32767/UDP'],
    ['sctpRange', Port.sctpRange(1, 65535), { protocol: 'SCTP', port: 1, endPort: 65535 }, '1-65535/SCTP'],
    ['range of one port is a single port', Port.tcpRange(443, 443), { protocol: 'TCP', port: 443 }, '443/TCP'],
    ['named', Port.named('http'), { protocol: 'TCP', port: 'http' }, 'http/TCP (named)'],
    ['named udp', Port.named('dns', Protocol.UDP), { protocol: 'UDP', port: 'dns' }, 'dns/UDP (named)'],
    ['allTcp (protocol, no port: never port 0)', Port.allTcp(), { protocol: 'TCP' }, 'all TCP ports'],
    ['allUdp', Port.allUdp(), { protocol: 'UDP' }, 'all UDP ports'],
    ['allSctp', Port.allSctp(), { protocol: 'SCTP' }, 'all SCTP ports'],
  ])('%s', (_name, port, json, text) => {
    expect(port.toJson()).toEqual(json);
    expect(port.toString()).toBe(text);
    expect(port.isAllTraffic).toBe(false);
  });

  test('allTraffic renders no port entry at all', () => {
    const all = Port.allTraffic();
    expect(all.toJson()).toBeUndefined();
    expect(all.isAllTraffic).toBe(true);
    expect(all.toString()).toBe('all traffic');
  });

  test('boundaries 1 and 65535 are valid', () => {
    expect(Port.tcp(1).portNumber).toBe(1);
    expect(Port.tcp(65535).portNumber).toBe(65535);
  });

  test('key orders by protocol, then number, then range end', () => {
    const ports = [Port.udp(53), Port.tcp(8080), Port.tcp(443), Port.tcpRange(443, 500), Port.named('http'), Port.allTcp()];
    const sorted = [...ports].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map(String);
    expect(sorted).toEqual(['all TCP ports', 'http/TCP (named)', '443/TCP', '443-500/TCP', '8080/TCP', '53/UDP']);
  });
});

describe('Port rejections name the bad value and what is allowed', () => {
  test.each([
    ['port 0', () => Port.tcp(0), /Port\.tcp \(port\): 0 is not a valid port number: it must be an integer between 1 and 65535.*Port\.allTcp\(\)/],
    ['port 65536', () => Port.udp(65536), /Port\.udp \(port\): 65536 .*between 1 and 65535.*Port\.allUdp\(\)/],
    ['negative', () => Port.sctp(-1), /Port\.sctp \(port\): -1 .*Port\.allSctp\(\)/],
    ['fraction', () => Port.tcp(80.5), /80\.5 is not a valid port number/],
    ['NaN', () => Port.tcp(NaN), /NaN is not a valid port number/],
    ['string smuggled in', () => Port.tcp('80' as unknown as number), /"80" is not a valid port number/],
    ['endPort < port', () => Port.tcpRange(9000, 8000), /Port\.tcpRange: "9000-8000" is an empty range.*Port\.tcpRange\(8000, 9000\)/],
    ['range end out of range', () => Port.tcpRange(8000, 70000), /Port\.tcpRange \(to\): 70000/],
    ['range start 0', () => Port.udpRange(0, 10), /Port\.udpRange \(from\): 0/],
    ['named port too long', () => Port.named('a-very-long-port-name'), /"a-very-long-port-name" is not a valid port name: it must be no more than 15 characters/],
    ['named port with uppercase', () => Port.named('HTTP'), /"HTTP" is not a valid port name.*a-z, 0-9/],
    ['named port without a letter', () => Port.named('8080'), /"8080" is not a valid port name.*at least one letter.*Port\.tcp\(n\)/],
    ['named port with double hyphen', () => Port.named('a--b'), /consecutive hyphens/],
    ['named port with leading hyphen', () => Port.named('-http'), /must not begin or end with a hyphen/],
    ['named port empty', () => Port.named(''), /"" is not a valid port name/],
    ['unknown protocol', () => Port.of('ICMP' as Protocol, 1), /Port\.of: "ICMP" is not a supported protocol. Use Protocol.TCP, Protocol.UDP or Protocol.SCTP/],
    ['unknown protocol on named', () => Port.named('http', 'tcp' as Protocol), /"tcp" is not a supported protocol/],
  ])('%s', (_name, build, message) => {
    expect(build).toThrow(message);
  });
});

describe('named ports', () => {
  test('render the name and the protocol, and say they are named', () => {
    expect(Port.named('http').toJson()).toEqual({ protocol: 'TCP', port: 'http' });
    expect(Object.keys(Port.named('http').toJson())).toEqual(['protocol', 'port']);
    expect(Port.named('metrics', Protocol.UDP).toJson()).toEqual({ protocol: 'UDP', port: 'metrics' });
    expect(Port.named('metrics', Protocol.UDP).toString()).toBe('metrics/UDP (named)');
    expect(Port.named('http').isNamed).toBe(true);
    expect(Port.tcp(80).isNamed).toBe(false);
    expect(Port.allTcp().isNamed).toBe(false);
  });

  test('a port without a number or an end writes no such key', () => {
    expect(Object.keys(Port.allTcp().toJson())).toEqual(['protocol']);
    expect(Object.keys(Port.tcp(80).toJson())).toEqual(['protocol', 'port']);
  });

  test('a range of one port is that port', () => {
    expect(Port.tcpRange(80, 80).toJson()).toEqual({ protocol: 'TCP', port: 80 });
    expect(Port.tcpRange(80, 80).toString()).toBe('80/TCP');
    expect(Port.tcpRange(80, 81).toJson()).toEqual({ protocol: 'TCP', port: 80, endPort: 81 });
  });

  test.each([
    ['a number', () => Port.named(8080 as unknown as string), 'Port.named: 8080 is not a port name. Pass the container port name as a string, e.g. Port.named(\'http\').'],
    ['an unknown protocol', () => Port.named('http', 'tcp' as Protocol), 'Port.named: "tcp" is not a supported protocol'],
    ['an invalid name', () => Port.named('HTTP'), 'Port.named: "HTTP" is not a valid port name: it '],
  ])('refuse %s, saying which factory', (_name, build, message) => {
    expect(build).toThrow(message);
  });
});

describe('a Port handed in from elsewhere (Port._use, behind every rule that takes one)', () => {
  // jest.isolateModules loads a second, separate copy of the package, as two installed copies would be.
  let other: typeof import('../../src');
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    other = require('../../src');
  });

  test('one of this copy is used as it is', () => {
    const p = Port.named('dns', Protocol.UDP);
    expect(Port._use(p, 'test')).toBe(p);
  });

  test.each([
    ['a TCP port', () => other.Port.tcp(443), '443/TCP'],
    ['a UDP range', () => other.Port.udpRange(30000, 32767), '30000-32767/UDP'],
    ['an SCTP port', () => other.Port.sctp(9899), '9899/SCTP'],
    ['a named UDP port keeps its protocol', () => other.Port.named('dns', other.Protocol.UDP), 'dns/UDP (named)'],
    ['every UDP port', () => other.Port.allUdp(), 'all UDP ports'],
    ['all traffic', () => other.Port.allTraffic(), 'all traffic'],
  ])('%s of another installed copy is rebuilt here as the same port', (_name, make, text) => {
    const foreign = make();
    const used = Port._use(foreign, 'test');
    expect(used instanceof Port).toBe(true);
    expect(foreign instanceof Port).toBe(false);
    expect(used.toString()).toBe(text);
    expect(used.toJson()).toEqual(foreign.toJson());
    expect(used.key).toBe(foreign.key);
    expect(used.isAllTraffic).toBe(foreign.isAllTraffic);
    expect(used.isAllPortsOfProtocol).toBe(foreign.isAllPortsOfProtocol);
  });

  // Objects that carry the Port brand by hand: the broad claims ("all traffic", "every port of a
  // protocol") and the narrow ones are accepted only when every field agrees; anything else is refused.
  const forged = (fields: object): unknown => {
    const o = { ...fields };
    Object.defineProperty(o, Symbol.for('cdk8s-netpol.Port'), { value: true });
    return o;
  };
  const allTraffic = { isAllTraffic: true, isAllPortsOfProtocol: false, toJson: () => undefined };
  const allUdp = { isAllTraffic: false, protocol: 'UDP', isAllPortsOfProtocol: true, toJson: () => ({ protocol: 'UDP' }) };
  const refused = /^Rule ports: .* is not a Port\. Build it with Port\.tcp\(8080\)/;

  test('a forged port whose fields all agree is rebuilt as what it says', () => {
    expect(Port._use(forged(allTraffic), 'Rule ports').isAllTraffic).toBe(true);
    expect(Port._use(forged(allUdp), 'Rule ports').toString()).toBe('all UDP ports');
    expect(Port._use(forged({ isAllTraffic: false, protocol: 'TCP', portNumber: 80, isAllPortsOfProtocol: false }), 'Rule ports').toString()).toBe('80/TCP');
    expect(Port._use(forged({ isAllTraffic: false, protocol: 'TCP', portNumber: 80, endPort: 90 }), 'Rule ports').toString()).toBe('80-90/TCP');
    expect(Port._use(forged({ isAllTraffic: false, protocol: 'SCTP', portName: 'web' }), 'Rule ports').toString()).toBe('web/SCTP (named)');
  });

  test.each([
    ['all traffic with a protocol', { ...allTraffic, protocol: 'TCP' }],
    ['all traffic with a port number', { ...allTraffic, portNumber: 80 }],
    ['all traffic with a port name', { ...allTraffic, portName: 'http' }],
    ['all traffic with an end port', { ...allTraffic, endPort: 90 }],
    ['all traffic that is also every port of a protocol', { ...allTraffic, isAllPortsOfProtocol: true }],
    ['all traffic that does not say it is not every port of a protocol', { ...allTraffic, isAllPortsOfProtocol: undefined }],
    ['all traffic without toJson', { ...allTraffic, toJson: undefined }],
    ['all traffic that renders a port', { ...allTraffic, toJson: () => ({ protocol: 'TCP' }) }],
    ['no isAllTraffic at all', { protocol: 'TCP', portNumber: 80 }],
    ['isAllTraffic not a boolean', { isAllTraffic: 'false', protocol: 'TCP', portNumber: 80 }],
    ['an unknown protocol', { isAllTraffic: false, protocol: 'ICMP', portNumber: 80 }],
    ['no protocol', { isAllTraffic: false, portNumber: 80 }],
    ['a named port with a number', { isAllTraffic: false, protocol: 'TCP', portName: 'http', portNumber: 80 }],
    ['a named port with an end port', { isAllTraffic: false, protocol: 'TCP', portName: 'http', endPort: 90 }],
    ['a named port with an invalid name', { isAllTraffic: false, protocol: 'TCP', portName: 'HTTP' }],
    ['every port with an end port', { ...allUdp, endPort: 90 }],
    ['every port that does not say so', { ...allUdp, isAllPortsOfProtocol: undefined }],
    ['every port without toJson', { ...allUdp, toJson: undefined }],
    ['every port that renders null', { ...allUdp, toJson: () => null }],
    ['every port that renders a string', { ...allUdp, toJson: () => 'UDP' }],
    ['every port that renders a port too', { ...allUdp, toJson: () => ({ protocol: 'UDP', port: 53 }) }],
    ['every port that renders another protocol', { ...allUdp, toJson: () => ({ protocol: 'TCP' }) }],
    ['every port that renders something else', { ...allUdp, toJson: () => ({ port: 53 }) }],
    ['a number that is also every port', { isAllTraffic: false, protocol: 'TCP', portNumber: 80, isAllPortsOfProtocol: true }],
    ['port number 0', { isAllTraffic: false, protocol: 'TCP', portNumber: 0 }],
    ['an empty range', { isAllTraffic: false, protocol: 'TCP', portNumber: 90, endPort: 80 }],
  ])('a forged port is refused: %s', (_name, fields) => {
    expect(() => Port._use(forged(fields), 'Rule ports')).toThrow(refused);
  });

  test('a forged port whose fields throw when read is refused', () => {
    const hostile = forged({});
    Object.defineProperty(hostile, 'isAllTraffic', { get: () => { throw new Error('boom'); } });
    expect(() => Port._use(hostile, 'Rule ports')).toThrow(refused);
  });

  test.each([
    ['a plain object', { protocol: 'TCP', port: 80 }, '{"protocol":"TCP","port":80}'],
    ['a string', '80/TCP', '"80/TCP"'],
    ['null', null, 'null'],
    ['undefined', undefined, 'undefined'],
    ['a number', 80, '80'],
  ])('%s is refused as not a Port', (_name, value, shown) => {
    expect(() => Port._use(value, 'Rule ports')).toThrow(`Rule ports: ${shown} is not a Port. Build it with Port.tcp(8080), Port.udp(53)`);
  });

  test('the constructor refuses a caller without the factory token', () => {
    const ctor = Port as unknown as new (...args: unknown[]) => Port;
    expect(() => new ctor(undefined, Protocol.TCP, 80)).toThrow(/^new Port\(\): undefined is not how a Port is made: .*Use the factories: Port\.tcp\(8080\)/);
  });
});

describe('Port identity, order and coverage', () => {
  test('every kind of port has its own key', () => {
    const ports = [Port.allTraffic(), Port.allTcp(), Port.allUdp(), Port.allSctp(), Port.tcp(80), Port.udp(80), Port.tcpRange(80, 90), Port.named('http'), Port.named('http', Protocol.UDP)];
    expect(new Set(ports.map((p) => p.key)).size).toBe(ports.length);
  });

  test('keys sort all traffic first, then numerically by port and range end (not as text)', () => {
    const ports = [Port.tcp(8080), Port.tcpRange(80, 100), Port.tcp(443), Port.allTraffic(), Port.tcpRange(80, 90), Port.tcp(80)];
    const sorted = [...ports].sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0)).map(String);
    expect(sorted).toEqual(['all traffic', '80/TCP', '80-90/TCP', '80-100/TCP', '443/TCP', '8080/TCP']);
  });

  test('only an all-ports port says it is every port of its protocol', () => {
    expect(Port.allUdp().isAllPortsOfProtocol).toBe(true);
    expect(Port.named('http').isAllPortsOfProtocol).toBe(false);
    expect(Port.tcp(80).isAllPortsOfProtocol).toBe(false);
    expect(Port.allTraffic().isAllPortsOfProtocol).toBe(false);
  });

  test('what a port covers is decided on its port-set entry: a named port only by itself, on its protocol', () => {
    expect(simplifyPorts([Port.tcp(80), Port.allTcp(), Port.tcpRange(8000, 8080)]).map(String)).toEqual(['all TCP ports']);
    expect(simplifyPorts([Port.tcp(8000), Port.tcpRange(8000, 8080), Port.udp(8000)]).map(String)).toEqual(['8000-8080/TCP', '8000/UDP']);
    expect(simplifyPorts([Port.named('dns', Protocol.UDP), Port.allTcp()]).map(String)).toEqual(['all TCP ports', 'dns/UDP (named)']);
    expect(simplifyPorts([Port.named('dns', Protocol.UDP), Port.allUdp()]).map(String)).toEqual(['all UDP ports']);
    expect(simplifyPorts([Port.named('http'), Port.tcpRange(1, 65535)]).map(String)).toEqual(['http/TCP (named)', '1-65535/TCP']);
    expect(simplifyPorts([Port.tcp(80), Port.named('http'), Port.allTraffic()]).map(String)).toEqual(['all traffic']);
  });

  test('a port renders the same entry its JSON reads as on the wire', () => {
    for (const p of [Port.tcp(80), Port.udpRange(1, 2), Port.named('dns', Protocol.UDP), Port.allSctp()]) {
      expect(p._entry).toEqual(portEntryFromWire(p.toJson()));
    }
    expect(Port.allTraffic()._entry).toEqual(ALL_TRAFFIC);
  });

  test('a port name with several problems lists them all, separated', () => {
    expect(() => Port.named('-Http-')).toThrow(
      'Port.named: "-Http-" is not a valid port name: it must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-); must not begin or end with a hyphen. ');
  });

  test('a plain object with every field of a port but no brand is refused, not rebuilt', () => {
    expect(() => Port._use({ isAllTraffic: false, protocol: 'TCP', portNumber: 80, isAllPortsOfProtocol: false, toJson: () => ({ protocol: 'TCP', port: 80 }) }, 'Rule ports'))
      .toThrow(/^Rule ports: .* is not a Port\./);
  });
});
