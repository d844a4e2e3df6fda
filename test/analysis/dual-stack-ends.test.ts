import { Port, Reachability } from '../../src';

/**
 * RT-03: an end with several addresses (a dual-stack pod: status.podIPs with an IPv4 and an IPv6
 * address). A connection uses one of them, so a peer that holds some of the addresses and not the
 * others matches only the connections that use the first ones. Before, such a peer matched the end
 * (`ips.some`): an AdminNetworkPolicy "Allow 10.0.0.0/8, then Deny every address" read web -> db
 * allowed though every connection to db's IPv6 address is denied. Now: a NetworkPolicy ipBlock
 * (an allow) matches only when it holds every address, or the rule's ipBlocks together do; a tier
 * rule holding some is decided both ways, fail closed, and said so.
 */
const ns = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
const pod = (namespace: string, name: string, ...ips: string[]) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace, labels: { app: name } },
  spec: { containers: [{ name: 'c', ports: [{ containerPort: 5432 }] }] },
  status: { podIP: ips[0], podIPs: ips.map((ip) => ({ ip })) },
});
const anp = (name: string, priority: number, egress: any[]) => ({
  apiVersion: 'policy.networking.k8s.io/v1alpha1',
  kind: 'AdminNetworkPolicy',
  metadata: { name },
  spec: { priority, subject: { namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } } }, egress },
});
const egressTo = (name: string, blocks: string[][]) => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name, namespace: 'shop' },
  spec: {
    podSelector: { matchLabels: { app: 'web' } },
    policyTypes: ['Egress'],
    egress: blocks.map((cidrs) => ({ to: cidrs.map((cidr) => ({ ipBlock: { cidr } })) })),
  },
});
const ENDS = [
  ns('shop'), ns('db'),
  pod('shop', 'web', '10.0.1.1', 'fd00:1::1'),
  pod('db', 'dual', '10.0.2.2', 'fd00:2::2'),
  pod('db', 'v4', '10.0.3.3'),
  pod('db', 'v6', 'fd00:3::3'),
];
const DB = Port.tcp(5432);

/** The class-based matrix and the pair-by-pair explanation agree on every pair. */
function agreeOnEveryPair(r: Reachability): void {
  const m = r.matrix(DB);
  for (const from of r.endpoints) for (const to of r.endpoints) expect(`${from} ${to} ${m.isAllowed(from, to)}`).toBe(`${from} ${to} ${r.allows(from, to, DB)}`);
}

describe('a tier networks rule and a dual-stack end', () => {
  const denyRest = [{ name: 'rest', action: 'Deny', to: [{ networks: ['0.0.0.0/0', '::/0'] }] }];

  test('Allow of the IPv4 network, then Deny of every address: the dual-stack end is denied, said so', () => {
    const r = Reachability.fromManifests([...ENDS, anp('ten', 10, [{ name: 'ten', action: 'Allow', to: [{ networks: ['10.0.0.0/8'] }] }, ...denyRest])]);
    expect(r.allows('shop/web', 'db/v4', DB)).toBe(true); // its one address is inside
    expect(r.allows('shop/web', 'db/v6', DB)).toBe(false); // its one address is outside: the Deny
    expect(r.allows('shop/web', 'db/dual', DB)).toBe(false); // a connection to fd00:2::2 is denied
    const e = r.explain('shop/web', 'db/dual', DB);
    expect(e.egress.decidedBy).toMatchObject({ action: 'Deny' });
    expect(e.notes.join('\n')).toMatch(/egress decided fail closed: some addresses: networks 10\.0\.0\.0\/8 of AdminNetworkPolicy ten .*10\.0\.2\.2, fd00:2::2/);
    expect(r.explain('shop/web', 'db/v4', DB).notes).toEqual([]);
    agreeOnEveryPair(r);
  });

  test('Deny of the IPv6 network: the dual-stack end is denied (a Deny holding one of its addresses applies)', () => {
    const r = Reachability.fromManifests([...ENDS, anp('no-six', 10, [{ name: 'six', action: 'Deny', to: [{ networks: ['fd00::/8'] }] }])]);
    expect(r.allows('shop/web', 'db/v4', DB)).toBe(true);
    expect(r.allows('shop/web', 'db/v6', DB)).toBe(false);
    expect(r.allows('shop/web', 'db/dual', DB)).toBe(false);
    agreeOnEveryPair(r);
  });

  test('networks of both families, in one peer or in two peers of one rule, match the dual-stack end', () => {
    for (const to of [[{ networks: ['10.0.0.0/8', 'fd00::/8'] }], [{ networks: ['10.0.0.0/8'] }, { networks: ['fd00::/8'] }]]) {
      const r = Reachability.fromManifests([...ENDS, anp('both', 10, [{ name: 'both', action: 'Allow', to }, ...denyRest])]);
      expect(r.allows('shop/web', 'db/dual', DB)).toBe(true);
      expect(r.allows('shop/web', 'db/v4', DB)).toBe(true);
      expect(r.allows('shop/web', 'db/v6', DB)).toBe(true);
      expect(r.explain('shop/web', 'db/dual', DB).notes).toEqual([]);
      agreeOnEveryPair(r);
    }
  });

  test('the IPv4 and IPv6 networks in two rules: each reading of the undecided rules is taken, fail closed', () => {
    // The first Allow holds one address, the second the other: for each connection one of them
    // allows, but a rule-by-rule reading cannot tell that; the verdict is the fail-closed one.
    const r = Reachability.fromManifests([...ENDS, anp('split', 10, [
      { name: 'four', action: 'Allow', to: [{ networks: ['10.0.0.0/8'] }] },
      { name: 'six', action: 'Allow', to: [{ networks: ['fd00::/8'] }] },
      ...denyRest,
    ])]);
    expect(r.allows('shop/web', 'db/v4', DB)).toBe(true);
    expect(r.allows('shop/web', 'db/v6', DB)).toBe(true);
    expect(r.allows('shop/web', 'db/dual', DB)).toBe(false);
    expect(r.explain('shop/web', 'db/dual', DB).notes.join('\n')).toMatch(/some addresses/);
    agreeOnEveryPair(r);
  });
});

describe('a NetworkPolicy ipBlock and a dual-stack end', () => {
  test('an ipBlock holding only the IPv4 address does not allow the dual-stack end, said so', () => {
    const r = Reachability.fromManifests([...ENDS, egressTo('to-ten', [['10.0.0.0/8']])]);
    expect(r.allows('shop/web', 'db/v4', DB)).toBe(true);
    expect(r.allows('shop/web', 'db/v6', DB)).toBe(false);
    expect(r.allows('shop/web', 'db/dual', DB)).toBe(false);
    const e = r.explain('shop/web', 'db/dual', DB);
    expect(e.egress.allowedBy).toEqual([]);
    expect(e.notes.join('\n')).toMatch(/egress decided fail closed: some addresses: the ipBlocks of shop\/to-ten egress\[0\] hold some of db\/dual's addresses/);
    expect(r.explain('shop/web', 'db/v6', DB).notes).toEqual([]); // none of its addresses: nothing to say
    agreeOnEveryPair(r);
  });

  test('ipBlocks of both families in one rule allow it; split over two rules, fail closed', () => {
    for (const blocks of [[['10.0.0.0/8', 'fd00::/8']], [['10.0.0.0/8'], ['fd00::/8']]]) {
      const r = Reachability.fromManifests([...ENDS, egressTo('both', blocks)]);
      const oneRule = blocks.length === 1;
      expect(r.allows('shop/web', 'db/v4', DB)).toBe(true);
      expect(r.allows('shop/web', 'db/v6', DB)).toBe(true);
      // Two rules, one per family: neither holds both addresses, and allows of different rules are
      // not combined per address; fail closed, said so.
      expect(r.allows('shop/web', 'db/dual', DB)).toBe(oneRule);
      if (oneRule) expect(r.explain('shop/web', 'db/dual', DB).egress.allowedBy).toMatchObject([{ policy: 'shop/both', rule: 0, byIpBlock: true }]);
      agreeOnEveryPair(r);
    }
  });

  test('an ipBlock whose except takes the IPv6 address out does not allow the dual-stack end', () => {
    const policy = egressTo('except', []);
    (policy.spec as any).egress = [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }, { ipBlock: { cidr: 'fd00::/8', except: ['fd00:2::/32'] } }] }];
    const r = Reachability.fromManifests([...ENDS, policy]);
    expect(r.allows('shop/web', 'db/v6', DB)).toBe(true);
    expect(r.allows('shop/web', 'db/dual', DB)).toBe(false);
    agreeOnEveryPair(r);
  });

  test('the ingress side: an ipBlock holding one address of a dual-stack source', () => {
    const policy = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'from-ten', namespace: 'db' },
      spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }] },
    };
    const r = Reachability.fromManifests([...ENDS, policy]);
    expect(r.allows('shop/web', 'db/v4', DB)).toBe(false); // web is dual-stack: its IPv6 address is outside
    expect(r.explain('shop/web', 'db/v4', DB).notes.join('\n')).toMatch(/ingress decided fail closed: some addresses: .*shop\/web's addresses/);
    agreeOnEveryPair(r);
  });
});

describe('equivalence classes tell a dual-stack end from a single-stack one', () => {
  test('two pods with the same labels, one with an address the ipBlock does not hold beside one it does', () => {
    const twin = (name: string, ...ips: string[]) => ({ ...pod('db', name, ...ips), metadata: { name, namespace: 'db', labels: { app: 'twin' } } });
    const r = Reachability.fromManifests([...ENDS, twin('one', '10.0.4.4'), twin('two', '10.0.4.5', 'fd00:4::5'), egressTo('to-ten', [['10.0.0.0/8']])]);
    const m = r.matrix(DB);
    expect(m.isAllowed('shop/web', 'db/one')).toBe(true);
    expect(m.isAllowed('shop/web', 'db/two')).toBe(false);
    agreeOnEveryPair(r);
  });
});
