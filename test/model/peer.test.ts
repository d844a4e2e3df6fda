import { IpBlock, LabelExpression, Peer, Selector } from '../../src';

const web = Selector.labels({ app: 'web' });

describe('Peer factories render one peer element', () => {
  test.each([
    ['pods in the policy namespace', Peer.pods(web), { podSelector: { matchLabels: { app: 'web' } } }, "pods app=web in the policy's namespace"],
    ['all pods of the policy namespace (explicit)', Peer.pods(Selector.all()), { podSelector: {} }, "all pods in the policy's namespace"],
    ['a namespace by name', Peer.namespace('monitoring'), { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }, 'all pods in namespace monitoring'],
    ['namespaces by label', Peer.namespaces(Selector.labels({ env: 'prod' })), { namespaceSelector: { matchLabels: { env: 'prod' } } }, 'all pods in namespaces env=prod'],
    ['pods in a named namespace (AND)', Peer.podsInNamespace('data', Selector.labels({ app: 'db' })), {
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'data' } },
      podSelector: { matchLabels: { app: 'db' } },
    }, 'pods app=db in namespace data'],
    ['pods in labelled namespaces (AND)', Peer.podsInNamespaces(Selector.labels({ team: 'a' }), Selector.expressions([LabelExpression.exists('metrics')])), {
      namespaceSelector: { matchLabels: { team: 'a' } },
      podSelector: { matchExpressions: [{ key: 'metrics', operator: 'Exists' }] },
    }, 'pods metrics in namespaces team=a'],
    ['all namespaces', Peer.allNamespaces(), { namespaceSelector: {} }, 'all pods in all namespaces'],
    ['pods in all namespaces', Peer.podsInAllNamespaces(Selector.labels({ app: 'prometheus' })), {
      namespaceSelector: {},
      podSelector: { matchLabels: { app: 'prometheus' } },
    }, 'pods app=prometheus in all namespaces'],
    ['ipBlock', Peer.ipBlock('203.0.113.0/24'), { ipBlock: { cidr: '203.0.113.0/24' } }, '203.0.113.0/24'],
    ['ipBlock with except, sorted', Peer.ipBlock('10.0.0.0/8', ['10.2.0.0/16', '10.1.0.0/16']), { ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16', '10.2.0.0/16'] } }, '10.0.0.0/8 except 10.1.0.0/16, 10.2.0.0/16'],
    ['IPv6 ipBlock with except', Peer.ipBlock('2001:db8::/32', ['2001:db8:1::/48']), { ipBlock: { cidr: '2001:db8::/32', except: ['2001:db8:1::/48'] } }, '2001:db8::/32 except 2001:db8:1::/48'],
    ['anyIpv4', Peer.anyIpv4(['169.254.169.254/32']), { ipBlock: { cidr: '0.0.0.0/0', except: ['169.254.169.254/32'] } }, '0.0.0.0/0 except 169.254.169.254/32'],
    ['anyIpv6', Peer.anyIpv6(), { ipBlock: { cidr: '::/0' } }, '::/0'],
  ])('%s', (_name, peer, json, text) => {
    expect(peer.toJson()).toEqual(json);
    expect(peer.toString()).toBe(text);
    expect(peer.isAnyone).toBe(false);
  });

  test('anyone is explicit and renders no peer element', () => {
    expect(Peer.anyone().toJson()).toBeUndefined();
    expect(Peer.anyone().isAnyone).toBe(true);
    expect(Peer.anyone().toString()).toBe('anyone');
  });

  test('namespaces(Selector.all()) is the same peer as allNamespaces()', () => {
    expect(Peer.namespaces(Selector.all()).key).toBe(Peer.allNamespaces().key);
  });

  test('equal peers have equal keys; different ones do not', () => {
    expect(Peer.pods(Selector.labels({ a: '1', b: '2' })).key).toBe(Peer.pods(Selector.labels({ b: '2', a: '1' })).key);
    expect(Peer.pods(web).key).not.toBe(Peer.podsInAllNamespaces(web).key);
    expect(Peer.namespace('x').key).not.toBe(Peer.pods(Selector.labels({ 'kubernetes.io/metadata.name': 'x' })).key);
  });
});

describe('Peer rejections', () => {
  test.each([
    ['bad namespace name', () => Peer.namespace('Data'), /Peer\.namespace: "Data" is not a valid namespace name/],
    ['namespace with a dot', () => Peer.podsInNamespace('a.b', web), /Peer\.podsInNamespace: "a\.b" is not a valid namespace name/],
    ['empty namespace', () => Peer.namespace(''), /"" is not a valid namespace name/],
    ['not a selector', () => Peer.pods({ app: 'web' } as unknown as Selector), /Peer\.pods: \{"app":"web"\} is not a Selector.*Selector\.all\(\)/],
    ['missing selector', () => Peer.pods(undefined as unknown as Selector), /Peer\.pods: undefined is not a Selector/],
    ['not a CIDR', () => Peer.ipBlock('10.0.0.1'), /IpBlock cidr: "10\.0\.0\.1" must be a valid CIDR value.*'\/32'/],
    ['host bits set', () => Peer.ipBlock('10.0.0.1/8'), /"10\.0\.0\.1\/8" must not have bits set beyond the prefix length \(did you mean 10\.0\.0\.0\/8\?\)\. Write it as 10\.0\.0\.0\/8/],
    ['leading zeros', () => Peer.ipBlock('010.0.0.0/8'), /must not have leading 0s/],
    ['prefix too long', () => Peer.ipBlock('10.0.0.0/33'), /must be a valid CIDR value/],
    ['IPv4-mapped IPv6', () => Peer.ipBlock('::ffff:10.0.0.0/104'), /must not have an IPv4-mapped IPv6 address/],
    ['IPv6 zone', () => Peer.ipBlock('fe80::%eth0/64'), /must be a valid CIDR value/],
    ['except outside cidr', () => Peer.ipBlock('10.0.0.0/8', ['192.168.0.0/16']), /IpBlock 10\.0\.0\.0\/8 except: "192\.168\.0\.0\/16" is not a strict subset of 10\.0\.0\.0\/8/],
    ['except equal to cidr', () => Peer.ipBlock('10.0.0.0/8', ['10.0.0.0/8']), /is not a strict subset/],
    ['except of the other family', () => Peer.ipBlock('0.0.0.0/0', ['::/1']), /\(it is of the other IP family\)/],
    ['except not a CIDR', () => Peer.ipBlock('10.0.0.0/8', ['10.1.0.0']), /except: "10\.1\.0\.0" must be a valid CIDR value/],
  ])('%s', (_name, build, message) => {
    expect(build).toThrow(message);
  });

  test('IpBlock exposes its family', () => {
    expect(IpBlock.of('10.0.0.0/8').family).toBe('IPv4');
    expect(IpBlock.of('fd00::/8').family).toBe('IPv6');
  });
});

describe('a Peer handed in from elsewhere (Peer._use, behind every rule that takes one)', () => {
  // jest.isolateModules loads a second, separate copy of the package, as two installed copies would be.
  let other: typeof import('../../src');
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    other = require('../../src');
  });

  test('one of this copy is used as it is', () => {
    const p = Peer.pods(web);
    expect(Peer._use(p, 'test')).toBe(p);
  });

  test.each([
    ['pods', () => other.Peer.pods(other.Selector.labels({ app: 'web' })), "pods app=web in the policy's namespace"],
    ['a namespace by name', () => other.Peer.namespace('monitoring'), 'all pods in namespace monitoring'],
    ['pods in a named namespace', () => other.Peer.podsInNamespace('data', other.Selector.labels({ app: 'db' })), 'pods app=db in namespace data'],
    ['labelled namespaces', () => other.Peer.namespaces(other.Selector.labels({ env: 'prod' })), 'all pods in namespaces env=prod'],
    ['pods in labelled namespaces', () => other.Peer.podsInNamespaces(other.Selector.labels({ team: 'a' }), other.Selector.labels({ app: 'x' })), 'pods app=x in namespaces team=a'],
    ['all namespaces', () => other.Peer.allNamespaces(), 'all pods in all namespaces'],
    ['an ipBlock with except', () => other.Peer.ipBlock('10.0.0.0/8', ['10.1.0.0/16']), '10.0.0.0/8 except 10.1.0.0/16'],
    ['anyone', () => other.Peer.anyone(), 'anyone'],
  ])('%s of another installed copy is rebuilt here as the same peer', (_name, make, text) => {
    const foreign = make();
    const used = Peer._use(foreign, 'test');
    expect(used instanceof Peer).toBe(true);
    expect(foreign instanceof Peer).toBe(false);
    expect(used.toString()).toBe(text);
    expect(used.toJson()).toEqual(foreign.toJson());
    expect(used.key).toBe(foreign.key);
    expect(used.isAnyone).toBe(foreign.isAnyone);
    expect(used.namespaceName).toBe(foreign.namespaceName);
  });

  // Objects that carry the Peer brand by hand: "anyone" only when every field says so, and never a
  // peer without something to select.
  const forged = (fields: object): unknown => {
    const o = { ...fields };
    Object.defineProperty(o, Symbol.for('cdk8s-netpol.Peer'), { value: true });
    return o;
  };
  const anyone = { isAnyone: true, toJson: () => undefined };
  const refused = /^Rule peers: .* is not a Peer\. Build it with Peer\.pods\(\.\.\.\)/;

  test('a forged peer whose fields all agree is rebuilt as what it says', () => {
    expect(Peer._use(forged(anyone), 'Rule peers').isAnyone).toBe(true);
    expect(Peer._use(forged({ isAnyone: false, podSelector: web }), 'Rule peers').toString()).toBe("pods app=web in the policy's namespace");
    expect(Peer._use(forged({ isAnyone: false, namespaceSelector: web }), 'Rule peers').toString()).toBe('all pods in namespaces app=web');
    expect(Peer._use(forged({ isAnyone: false, addressBlock: IpBlock.of('10.0.0.0/8') }), 'Rule peers').toString()).toBe('10.0.0.0/8');
    // a namespace named (as Peer.namespace and Peer.podsInNamespace say it) stays that named namespace
    const dataNs = Selector.labels({ 'kubernetes.io/metadata.name': 'data' });
    const named = Peer._use(forged({ isAnyone: false, namespaceName: 'data', namespaceSelector: dataNs, podSelector: web }), 'Rule peers');
    expect(named.toString()).toBe('pods app=web in namespace data');
    expect(named.namespaceName).toBe('data');
    expect(named.toJson()).toEqual({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'data' } }, podSelector: { matchLabels: { app: 'web' } } });
    expect(Peer._use(forged({ isAnyone: false, namespaceName: 'data', namespaceSelector: dataNs }), 'Rule peers').toString()).toBe('all pods in namespace data');
    expect(Peer._use(forged({ isAnyone: false, namespaceSelector: dataNs }), 'Rule peers').namespaceName).toBeUndefined();
  });

  test.each([
    ['anyone without toJson', { isAnyone: true }],
    ['anyone that renders a peer', { isAnyone: true, toJson: () => ({}) }],
    ['anyone with pods', { ...anyone, podSelector: web }],
    ['anyone with namespaces', { ...anyone, namespaceSelector: web }],
    ['anyone with an address block', { ...anyone, addressBlock: IpBlock.of('10.0.0.0/8') }],
    ['no isAnyone at all', { podSelector: web }],
    ['isAnyone not a boolean', { isAnyone: 'false', podSelector: web }],
    ['nothing to select', { isAnyone: false }],
    ['an address block with pods', { isAnyone: false, addressBlock: IpBlock.of('10.0.0.0/8'), podSelector: web }],
    ['an address block with namespaces', { isAnyone: false, addressBlock: IpBlock.of('10.0.0.0/8'), namespaceSelector: web }],
    ['an address block that is not an IpBlock', { isAnyone: false, addressBlock: { cidr: '10.0.0.0/8' } }],
    ['pods that are not a Selector', { isAnyone: false, podSelector: { matchLabels: { app: 'web' } } }],
    ['namespaces that are not a Selector', { isAnyone: false, namespaceSelector: { matchLabels: { app: 'web' } } }],
  ])('a forged peer is refused: %s', (_name, fields) => {
    expect(() => Peer._use(forged(fields), 'Rule peers')).toThrow(/^Rule peers: .* is not an? (Peer|IpBlock|Selector)\./);
  });

  test('a forged peer with nothing to select, or saying anyone but rendering a peer, is refused as a Peer', () => {
    expect(() => Peer._use(forged({ isAnyone: false }), 'Rule peers')).toThrow(refused);
    expect(() => Peer._use(forged({ isAnyone: true, toJson: () => ({}) }), 'Rule peers')).toThrow(refused);
    expect(() => Peer._use(forged({ ...anyone, podSelector: web }), 'Rule peers')).toThrow(refused);
    expect(() => Peer._use(forged({ ...anyone, namespaceSelector: web }), 'Rule peers')).toThrow(refused);
    expect(() => Peer._use(forged({ ...anyone, addressBlock: IpBlock.of('10.0.0.0/8') }), 'Rule peers')).toThrow(refused);
    expect(() => Peer._use(forged({ podSelector: web }), 'Rule peers')).toThrow(refused);
    expect(() => Peer._use(forged({ isAnyone: false, addressBlock: IpBlock.of('10.0.0.0/8'), podSelector: web }), 'Rule peers')).toThrow(refused);
    expect(() => Peer._use(forged({ isAnyone: false, addressBlock: IpBlock.of('10.0.0.0/8'), namespaceSelector: web }), 'Rule peers')).toThrow(refused);
  });

  test('a forged peer whose fields throw when read is refused', () => {
    const hostile = forged({});
    Object.defineProperty(hostile, 'isAnyone', { get: () => { throw new Error('boom'); } });
    expect(() => Peer._use(hostile, 'Rule peers')).toThrow(refused);
  });

  test.each([
    ['a plain object', { podSelector: {} }, '{"podSelector":{}}'],
    ['a string', 'anyone', '"anyone"'],
    ['null', null, 'null'],
    ['undefined', undefined, 'undefined'],
  ])('%s is refused as not a Peer', (_name, value, shown) => {
    expect(() => Peer._use(value, 'Rule peers')).toThrow(`Rule peers: ${shown} is not a Peer. Build it with Peer.pods(...)`);
  });

  test('the constructor refuses a caller without the factory token', () => {
    const ctor = Peer as unknown as new (...args: unknown[]) => Peer;
    expect(() => new ctor(undefined, { anyone: true })).toThrow(/^new Peer\(\): undefined is not how a Peer is made: .*Use the factories: Peer\.pods/);
  });
});

describe('Peer identity and messages', () => {
  test('every kind of peer has its own key, and the name is the readable form', () => {
    const peers = [Peer.anyone(), Peer.ipBlock('10.0.0.0/8'), Peer.pods(web), Peer.namespaces(web), Peer.podsInNamespaces(web, web), Peer.allNamespaces(), Peer.pods(Selector.all())];
    expect(new Set(peers.map((p) => p.key)).size).toBe(peers.length);
    expect(Peer.ipBlock('10.0.0.0/8').key).not.toBe(Peer.ipBlock('10.0.0.0/16').key);
    expect(Peer.podsInNamespace('data', web).name).toBe('pods app=web in namespace data');
  });

  test('a namespace name that is not a string, or breaks several rules, is refused with every problem and the fix', () => {
    expect(() => Peer.namespace(7 as unknown as string)).toThrow(
      'Peer.namespace: 7 is not a valid namespace name: is not a string. Give the namespace\'s name, e.g. \'kube-system\' (lowercase letters, digits and \'-\', at most 63 characters).');
    expect(() => Peer.namespace(`-${'a'.repeat(63)}`)).toThrow(/is not a valid namespace name: must be no more than 63 characters; a lowercase RFC 1123 label must/);
  });

  test('a selector argument that is not a Selector is refused with how to mean every pod', () => {
    expect(() => Peer.pods({ app: 'web' } as unknown as Selector)).toThrow(
      'Peer.pods: {"app":"web"} is not a Selector. Build it with Selector.labels({...}) or Selector.of({...}); write Selector.all() to mean every pod or namespace.');
  });

  test('a plain object with every field of a peer but no brand is refused, not rebuilt', () => {
    expect(() => Peer._use({ isAnyone: false, podSelector: web, toJson: () => ({ podSelector: web.toJson() }) }, 'Rule peers')).toThrow(/^Rule peers: .* is not a Peer\./);
  });
});
