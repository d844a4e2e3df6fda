import * as fc from 'fast-check';
import { aggregateAddresses, cidrContains, cidrMayHoldPodIp, cidrsOverlap, formatCidr, formatIp, isStrictSubset, parseCidr, parseIp } from '../../src/k8s/cidr';

const cidr = (text: string) => {
  const r = parseCidr(text, false);
  if (!r.cidr) throw new Error(`bad test cidr ${text}`);
  return r.cidr;
};

describe('parseCidr', () => {
  test.each([
    '10.0.0.0/8', '0.0.0.0/0', '255.255.255.255/32', '192.168.1.0/24', '::/0', '2001:db8::/32', 'fd00::/8', '::1/128',
    'FD00:0:0:0::/64', '1:2:3:4:5:6:7:8/128', '::fffe:0:0/96', '64:ff9b::/96', '2001:db8::1.2.3.4/128',
  ])('%s is valid in strict mode', (text) => {
    expect(parseCidr(text).problems).toEqual([]);
  });

  test.each([
    ['', 'must be a valid CIDR value'], ['10.0.0.0', 'must be a valid CIDR value'], ['10.0.0.0/', 'must be a valid CIDR value'],
    ['10.0.0/8', 'must be a valid CIDR value'], ['10.0.0.256/32', 'must be a valid CIDR value'], ['10.0.0.0/33', 'must be a valid CIDR value'],
    ['::/129', 'must be a valid CIDR value'], ['1::2::3/64', 'must be a valid CIDR value'], ['fe80::1%eth0/64', 'must be a valid CIDR value'],
    ['1:2:3:4:5:6:7:8:9/128', 'must be a valid CIDR value'], ['12345::/16', 'must be a valid CIDR value'], ['10.0.0.0/8/8', 'must be a valid CIDR value'],
    ['10.0.0.0/-1', 'must be a valid CIDR value'], [' 10.0.0.0/8', 'must be a valid CIDR value'],
  ])('%j does not parse', (text, message) => {
    const r = parseCidr(text);
    expect(r.cidr).toBeUndefined();
    expect(r.problems.join()).toContain(message);
    expect(r.strictOnly).toBe(false);
  });

  test.each([
    ['192.168.1.5/24', 'must not have bits set beyond the prefix length (did you mean 192.168.1.0/24?)'],
    ['010.0.0.0/8', 'must not have leading 0s in IP or prefix length'],
    ['10.0.0.0/08', 'must not have leading 0s in IP or prefix length'],
    ['::ffff:1.2.3.0/120', 'must not have an IPv4-mapped IPv6 address'],
    ['2001:db8::1/32', 'must not have bits set beyond the prefix length (did you mean 2001:db8::/32?)'],
  ])('%s is rejected only by the strict (1.36+) rules', (text, message) => {
    const strict = parseCidr(text, true);
    expect(strict.problems).toContain(message);
    expect(strict.strictOnly).toBe(true);
    expect(parseCidr(text, false).problems).toEqual([]);
    expect(parseCidr(text, false).cidr).toBeDefined();
  });

  test('subset, overlap and containment', () => {
    expect(isStrictSubset(cidr('10.1.0.0/16'), cidr('10.0.0.0/8'))).toBe(true);
    expect(isStrictSubset(cidr('10.0.0.0/8'), cidr('10.0.0.0/8'))).toBe(false);
    expect(isStrictSubset(cidr('11.0.0.0/16'), cidr('10.0.0.0/8'))).toBe(false);
    expect(isStrictSubset(cidr('::/1'), cidr('0.0.0.0/0'))).toBe(false);
    // legacy parsing masks the except before the subset check
    expect(isStrictSubset(cidr('10.1.2.3/16'), cidr('10.0.0.0/8'))).toBe(true);
    expect(cidrsOverlap(cidr('10.0.0.0/8'), cidr('10.200.0.0/16'))).toBe(true);
    expect(cidrsOverlap(cidr('10.0.0.0/8'), cidr('11.0.0.0/8'))).toBe(false);
    expect(cidrContains(cidr('10.0.0.0/8'), parseIp('10.255.0.1')!)).toBe(true);
    expect(cidrContains(cidr('10.0.0.0/8'), parseIp('11.0.0.1')!)).toBe(false);
    expect(cidrContains(cidr('::/0'), parseIp('10.0.0.1')!)).toBe(false);
    expect(cidrContains(cidr('2001:db8::/32'), parseIp('2001:db8:ffff::1')!)).toBe(true);
  });

  test('canonical formatting', () => {
    expect(formatCidr(cidr('FD00:0:0:0::/64'))).toBe('fd00::/64');
    expect(formatCidr(cidr('192.168.1.5/24'))).toBe('192.168.1.0/24');
    expect(formatIp(parseIp('2001:0db8:0:0:1:0:0:1')!)).toBe('2001:db8::1:0:0:1');
    expect(formatIp(parseIp('::')!)).toBe('::');
    expect(formatIp(parseIp('1:0:2:0:3:0:4:5')!)).toBe('1:0:2:0:3:0:4:5');
    expect(parseIp('not an ip')).toBeUndefined();
  });
});

describe('aggregateAddresses', () => {
  const cidrs = (...ips: string[]) => aggregateAddresses(ips.map((ip) => parseIp(ip)!)).map(formatCidr);

  test('merges a block only when every address of it is in the list', () => {
    expect(cidrs('203.0.113.10', '203.0.113.11')).toEqual(['203.0.113.10/31']);
    expect(cidrs('203.0.113.8', '203.0.113.9', '203.0.113.10', '203.0.113.11')).toEqual(['203.0.113.8/30']);
    // .9 and .10 are neighbours but not one block: a /31 starts at an even address.
    expect(cidrs('203.0.113.9', '203.0.113.10')).toEqual(['203.0.113.9/32', '203.0.113.10/32']);
    // Three of a /30: the two that form a /31, and the third alone; never the whole /30.
    expect(cidrs('203.0.113.8', '203.0.113.9', '203.0.113.10')).toEqual(['203.0.113.8/31', '203.0.113.10/32']);
    expect(cidrs('203.0.113.10', '203.0.113.12')).toEqual(['203.0.113.10/32', '203.0.113.12/32']);
  });

  test('a whole /24 becomes one block; duplicates count once; the order of the input does not matter', () => {
    const all = Array.from({ length: 256 }, (_, i) => `198.51.100.${255 - i}`);
    expect(cidrs(...all, '198.51.100.7')).toEqual(['198.51.100.0/24']);
    expect(cidrs(...all.filter((ip) => ip !== '198.51.100.0'))).toEqual([
      '198.51.100.1/32', '198.51.100.2/31', '198.51.100.4/30', '198.51.100.8/29', '198.51.100.16/28', '198.51.100.32/27',
      '198.51.100.64/26', '198.51.100.128/25',
    ]);
  });

  test('IPv6, and both families in one list (IPv4 first)', () => {
    expect(cidrs('2001:db8::1', '2001:db8::', '203.0.113.1')).toEqual(['203.0.113.1/32', '2001:db8::/127']);
    expect(cidrs('2001:db8::1', '2001:db8::2')).toEqual(['2001:db8::1/128', '2001:db8::2/128']);
    expect(cidrs()).toEqual([]);
  });

  test('every address of the result was given, and every given address is in the result (random lists)', () => {
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let run = 0; run < 50; run++) {
      const given = new Set(Array.from({ length: 1 + (next() % 40) }, () => `10.0.0.${next() % 64}`));
      const blocks = aggregateAddresses([...given].map((ip) => parseIp(ip)!));
      const covered = new Set<string>();
      for (const b of blocks) {
        for (let v = b.network; v < b.network + (1n << BigInt(32 - b.prefixLength)); v++) covered.add(formatIp({ family: 4, value: v }));
      }
      expect([...covered].sort()).toEqual([...given].sort());
    }
  });
});

describe('IPv4 text', () => {
  // The rule as written: four dot-separated parts of 1-3 decimal digits, each at most 255; a part of
  // two or three digits starting with 0 is a leading zero (accepted only without strict checks).
  const reference = (text: string) => {
    const parts = text.split('.');
    if (parts.length !== 4 || !parts.every((p) => /^[0-9]{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
    return { value: parts.reduce((v, p) => v * 256n + BigInt(Number(p)), 0n), leadingZeros: parts.some((p) => p.length > 1 && p.startsWith('0')) };
  };
  const text = fc.oneof(
    fc.array(fc.constantFrom('0', '1', '2', '5', '9', '.', '.', 'a', '-', '+'), { maxLength: 17 }).map((cs) => cs.join('')),
    fc.array(fc.oneof(fc.integer({ min: 0, max: 300 }).map(String), fc.constantFrom('00', '01', '007', '0000', '', '1a')), { minLength: 3, maxLength: 5 }).map((ps) => ps.join('.')),
  );

  test('parseIp and parseCidr read every IPv4 text exactly as the rule says', () => {
    fc.assert(fc.property(text, (t) => {
      const expected = reference(t);
      const ip = parseIp(t);
      expect(ip === undefined ? undefined : ip.value).toEqual(expected?.value);
      if (ip) expect(ip.family).toBe(4);
      // A leading zero is a strict-only problem of a CIDR; without it the CIDR is fine.
      const strict = parseCidr(`${t}/32`);
      if (expected === undefined) expect(strict.cidr).toBeUndefined();
      else expect(strict.problems.length > 0).toBe(expected.leadingZeros);
    }), { seed: 20261201, numRuns: 3000 });
  });
});

describe('cidrMayHoldPodIp with an ipBlock\'s excepts', () => {
  const c = (text: string) => parseCidr(text).cidr!;
  test('excepts that hold what the block shares with the pod CIDRs, or all of it, leave no pod IP in it', () => {
    expect(cidrMayHoldPodIp(c('0.0.0.0/0'), [c('10.244.0.0/16')], [c('10.244.0.0/16')])).toBe(false);
    expect(cidrMayHoldPodIp(c('10.244.0.0/16'), [c('10.0.0.0/8')], [c('10.244.0.0/17'), c('10.244.128.0/17')])).toBe(false);
    expect(cidrMayHoldPodIp(c('10.0.0.0/8'), [], [c('10.0.0.0/9'), c('10.128.0.0/9')])).toBe(false);
    expect(cidrMayHoldPodIp(c('0.0.0.0/0'), [c('10.244.0.0/16')], [c('10.244.0.0/17')])).toBe(true);
    expect(cidrMayHoldPodIp(c('0.0.0.0/0'), [], [c('10.244.0.0/16')])).toBe(true);
    expect(cidrMayHoldPodIp(c('0.0.0.0/0'), [c('10.244.0.0/16'), c('10.96.0.0/12')], [c('10.244.0.0/16')])).toBe(true);
  });

  test('property: an address in the block, outside its excepts and inside a pod CIDR, is one it may hold', () => {
    const block = fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 8, max: 24 }))
      .map(([a, b, len]) => parseCidr(`10.${a}.${b}.0/${len}`, false).cidr!);
    fc.assert(fc.property(block, fc.array(block, { maxLength: 3 }), fc.array(block, { maxLength: 4 }), fc.integer({ min: 0, max: 2 ** 24 - 1 }),
      (held, pods, except, low) => {
        const ip = parseIp(`10.${(low >> 16) & 255}.${(low >> 8) & 255}.${low & 255}`)!;
        const podIp = pods.length === 0 || pods.some((p) => cidrContains(p, ip));
        if (cidrContains(held, ip) && !except.some((x) => cidrContains(x, ip)) && podIp) expect(cidrMayHoldPodIp(held, pods, except)).toBe(true);
      }), { numRuns: 2000 });
  });
});
