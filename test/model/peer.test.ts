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
