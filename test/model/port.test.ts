import { Port, Protocol } from '../../src';

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
