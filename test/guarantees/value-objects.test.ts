import {
  Endpoint, Environment, ExternalDestination, ExternalEgress, IpBlock, LabelExpression, NetworkPolicies, NetworkPolicy, Peer, Port, Selector,
} from '../../src';
import { policiesOf, testChart, yamlOf } from '../helpers';

/**
 * The attacks of "fail closed, for real" on the value types: each one was reproduced on the library before its fix
 * (a broader allow than declared, or access silently lost) and is refused or handled exactly here.
 */
describe('2. value objects cannot change after use', () => {
  const attempt = (mutate: () => void) => {
    try {
      mutate();
    } catch {
      // a frozen object throws in strict mode: that is fine, what matters is the output below
    }
  };

  test('selectors, expressions, except lists, destinations and endpoint ports: the output stays as declared', () => {
    const build = (hostile: boolean) => {
      const chart = testChart('shop');
      const labels = { app: 'api' };
      const values = ['a', 'b'];
      const sel = Selector.of({ labels, expressions: [LabelExpression.isIn('tier', values)] });
      const except = ['10.0.0.0/8'];
      const block = IpBlock.of('0.0.0.0/0', except);
      const dest = ExternalDestination.ipBlock('internet', '0.0.0.0/0', except);
      const ports = [{ number: 8080, name: 'http' }];
      const api = Endpoint.of({ name: 'api', pods: sel, ports });
      const policy = new NetworkPolicy(chart, 'p', { pods: sel });
      policy.allowTo(Peer.ipBlock(block.cidr, block.except), Port.tcp(443));
      policy.allowFrom(Peer.pods(sel), Port.tcp(8080));
      new ExternalEgress(chart, 'out', { from: api, to: dest, ports: [Port.tcp(443)] });
      NetworkPolicies.of(chart).allow(Endpoint.fromLabels('web', { app: 'web' }), api, Port.named('http'));
      if (hostile) {
        attempt(() => delete (sel.matchLabels as any).app);
        attempt(() => ((sel.matchLabels as any).app = 'everything'));
        attempt(() => (sel.matchExpressions as any).pop());
        attempt(() => (sel.matchExpressions[0].values as any).push('c'));
        attempt(() => ((sel.matchExpressions[0].values as any).length = 0));
        attempt(() => ((block.except as any).length = 0));
        attempt(() => ((dest.peers as any).length = 0));
        attempt(() => ((dest.peers[0].addressBlock!.except as any).length = 0));
        attempt(() => ((api as any).pods = Selector.all()));
        attempt(() => ((api.containerPorts as any)[0].number = 1));
        attempt(() => ((Port.tcp(1) as any).portNumber = undefined));
        // the caller's own inputs, changed after the factories copied them
        delete (labels as any).app;
        values.length = 0;
        except.length = 0;
        ports[0].name = 'other';
      }
      return yamlOf(chart);
    };
    expect(build(true)).toEqual(build(false));
  });

  test('the exposed collections are frozen and the fields read-only', () => {
    const sel = Selector.labels({ app: 'api' });
    expect(Object.isFrozen(sel.matchLabels)).toBe(true);
    expect(Object.isFrozen(sel.matchExpressions)).toBe(true);
    expect(Object.isFrozen(LabelExpression.isIn('k', ['v']).values)).toBe(true);
    expect(Object.isFrozen(IpBlock.of('10.0.0.0/8', ['10.1.0.0/16']).except)).toBe(true);
    expect(() => ((Port.tcp(80) as any).protocol = 'UDP')).toThrow(TypeError);
    expect(() => ((Peer.anyone() as any).isAnyone = false)).toThrow(TypeError);
  });
});

describe('3. objects not made by a factory are refused, never read as "everything"', () => {

  test('new Port() / new Selector() / new Peer() from plain JavaScript throw', () => {
    for (const cls of [Port, Selector, Peer, IpBlock, LabelExpression, Endpoint, ExternalDestination, Environment] as any[]) {
      expect(() => new cls()).toThrow(new RegExp(`new ${cls.name}\\(\\): undefined is not how a ${cls.name} is made.*Use the factories`));
    }
  });

  test('Object.create(Port.prototype), Object.create(Peer.prototype) and plain objects are refused where they are used', () => {
    const policy = new NetworkPolicy(testChart('shop'), 'p', { pods: Selector.labels({ app: 'web' }) });
    expect(() => policy.allowTo(Peer.anyone(), Object.create(Port.prototype)))
      .toThrow(/\[test\/p\] egress rule: rule port: "<Port>" is a Port that no Port factory made .*so what it allows is unknown. Build it with Port.tcp\(8080\)/);
    expect(() => policy.allowTo(Object.create(Peer.prototype), Port.tcp(80))).toThrow(/rule peer: "<Peer>" is a Peer that no Peer factory made/);
    expect(() => policy.allowTo(Peer.anyone(), { protocol: 'TCP', portNumber: 80 } as any)).toThrow(/rule port: \{"protocol":"TCP","portNumber":80\} is not a Port/);
    expect(() => Peer.pods(Object.create(Selector.prototype))).toThrow(/Peer.pods: "<Selector>" is a Selector that no Selector factory made/);
    expect(policiesOf(testChart('shop'))).toEqual([]);
  });

  test('a value from another installed copy of the package (same brand) is accepted, checked again and rebuilt', () => {
    const foreignPort = (fields: Record<string, unknown>) => {
      const o: any = { isAllTraffic: false, isAllPortsOfProtocol: false, ...fields };
      Object.defineProperty(o, Symbol.for('cdk8s-netpol.Port'), { value: true });
      return o;
    };
    const chart = testChart('shop');
    const policy = new NetworkPolicy(chart, 'p', { pods: Selector.labels({ app: 'web' }) });
    policy.allowTo(Peer.anyone(), foreignPort({ protocol: 'TCP', portNumber: 8080 }));
    expect(policiesOf(chart)[0].spec.egress).toEqual([{ ports: [{ protocol: 'TCP', port: 8080 }] }]);
    // a branded object whose fields do not make a port (no protocol, yet not "all traffic") is refused
    expect(() => policy.allowTo(Peer.anyone(), foreignPort({ portNumber: 8080 }))).toThrow(/is not a Port/);
    expect(() => policy.allowTo(Peer.anyone(), foreignPort({ protocol: 'TCP', portNumber: 0 }))).toThrow(/is not a Port/);
  });
});


describe('3b. a Proxy, or an object given the brand by hand, is never taken for a value of the library', () => {
  // Hostile input: an object given a class's brand by hand, passed where that class is expected on purpose.
  const brandAs = (o: object, type: string): any => Object.defineProperty(o, Symbol.for(`cdk8s-netpol.${type}`), { value: true });
  const policy = () => new NetworkPolicy(testChart('shop'), 'p', { pods: Selector.labels({ app: 'web' }) });

  test('a Proxy of a real value is refused, however its traps answer', () => {
    // The traps pass the brand and `instanceof` checks through and lie about what the value renders.
    const lying = <T extends object>(target: T, lies: Record<string, unknown>): T => new Proxy(target, {
      get: (t, key, receiver) => (typeof key === 'string' && key in lies ? lies[key] : Reflect.get(t, key, key === 'constructor' ? t : receiver)),
    });
    const allTraffic = { isAllTraffic: true, protocol: undefined, portNumber: undefined, toJson: () => undefined, key: '', _entry: { kind: 'allTraffic' } };
    expect(() => policy().allowTo(Peer.anyone(), lying(Port.tcp(5432), allTraffic))).toThrow(/rule port: "<Proxy>" is a Proxy, not a Port.*Pass the Port itself/);
    expect(() => policy().allowTo(lying(Peer.namespace('a'), { isAnyone: true, toJson: () => undefined }), Port.tcp(80))).toThrow(/is a Proxy, not a Peer/);
    expect(() => Peer.pods(lying(Selector.labels({ app: 'db' }), { isAll: true, matchLabels: {}, toJson: () => ({}) }))).toThrow(/is a Proxy, not a Selector/);
    expect(() => IpBlock._use(lying(IpBlock.of('10.0.0.0/8'), { cidr: '0.0.0.0/0' }), 'x')).toThrow(/is a Proxy, not a IpBlock/);
    expect(() => LabelExpression._use(lying(LabelExpression.isIn('k', ['v']), { operator: 'Exists' }), 'x')).toThrow(/is a Proxy, not a LabelExpression/);
    expect(() => ExternalDestination._use(lying(ExternalDestination.internet(), {}), 'x')).toThrow(/is a Proxy, not a ExternalDestination/);
    expect(() => Environment._use(lying(Environment.prod(), { allowsDebugAccess: true }), 'x')).toThrow(/is a Proxy, not a Environment/);
    const chart = testChart('shop');
    const db = Endpoint.fromLabels('db', { app: 'db' });
    expect(() => NetworkPolicies.of(chart).allow(lying(Endpoint.fromLabels('web', { app: 'web' }), { pods: Selector.all() }), db, Port.tcp(5432)))
      .toThrow(/\[test\/NetworkPolicies\] .*Proxy/);
    expect(policiesOf(chart)).toEqual([]);
  });

  test('an object with the brand but without the private fields is refused with a clear error, never rendered', () => {
    for (const [cls, use] of [
      [Port, (v: any) => policy().allowTo(Peer.anyone(), v)],
      [Peer, (v: any) => policy().allowTo(v, Port.tcp(80))],
      [Selector, (v: any) => Peer.pods(v)],
      [IpBlock, (v: any) => IpBlock._use(v, 'x')],
      [LabelExpression, (v: any) => LabelExpression._use(v, 'x')],
      [ExternalDestination, (v: any) => ExternalDestination._use(v, 'x')],
      [Environment, (v: any) => Environment._use(v, 'x')],
      [Endpoint, (v: any) => NetworkPolicies.of(testChart('shop')).allow(v, Endpoint.fromLabels('db', { app: 'db' }), Port.tcp(1))],
    ] as Array<[any, (v: any) => unknown]>) {
      const fake = brandAs(Object.create(cls.prototype), cls.name);
      let error: unknown;
      try {
        use(fake);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(Error);
      expect(error).not.toBeInstanceOf(TypeError);
      expect((error as Error).message).toMatch(new RegExp(`is a ${cls.name} that no ${cls.name} factory made.*Build it with`));
    }
  });

  test('an object with the brand that shadows the getters to render "every port" is refused', () => {
    const chart = testChart('shop');
    const p = new NetworkPolicy(chart, 'p', { pods: Selector.labels({ app: 'web' }) });
    const fake = brandAs(Object.create(Port.prototype, {
      protocol: { value: 'TCP' },
      isAllTraffic: { value: false },
      isAllPortsOfProtocol: { value: false },
      portNumber: { value: 80 },
      toJson: { value: () => undefined },
      key: { value: '' },
      _entry: { value: { kind: 'allTraffic' } },
    }), 'Port');
    // one of its getters (endPort) is the prototype's, which has no private field to read: refused
    expect(() => p.allowTo(Peer.anyone(), fake)).toThrow(/is a Port that no Port factory made/);
    // with every getter shadowed, what is rendered is what it claims (80/TCP), rebuilt by the
    // factories: never its own rendering (no ports, i.e. every port)
    Object.defineProperty(fake, 'endPort', { value: undefined });
    Object.defineProperty(fake, 'portName', { value: undefined });
    p.allowTo(Peer.anyone(), fake);
    expect(policiesOf(chart)[0].spec.egress).toEqual([{ ports: [{ protocol: 'TCP', port: 80 }] }]);
  });

  test('a foreign Port is "all ports of a protocol" only when everything it says agrees, down to what it renders', () => {
    const foreign = (fields: Record<string, unknown>) => brandAs({ isAllTraffic: false, ...fields }, 'Port');
    const chart = testChart('shop');
    const p = new NetworkPolicy(chart, 'p', { pods: Selector.labels({ app: 'web' }) });
    // a real "all TCP ports" of another copy: accepted
    p.allowTo(Peer.anyone(), foreign({ protocol: 'TCP', isAllPortsOfProtocol: true, toJson: () => ({ protocol: 'TCP' }) }));
    expect(policiesOf(chart)[0].spec.egress).toEqual([{ ports: [{ protocol: 'TCP' }] }]);
    // fields merely left out are not "every port"
    expect(() => p.allowTo(Peer.anyone(), foreign({ protocol: 'UDP' }))).toThrow(/is not a Port/);
    expect(() => p.allowTo(Peer.anyone(), foreign({ protocol: 'UDP', isAllPortsOfProtocol: true }))).toThrow(/is not a Port/);
    expect(() => p.allowTo(Peer.anyone(), foreign({ protocol: 'UDP', isAllPortsOfProtocol: true, toJson: () => ({ protocol: 'UDP', port: 53 }) }))).toThrow(/is not a Port/);
    expect(() => p.allowTo(Peer.anyone(), foreign({ protocol: 'UDP', isAllPortsOfProtocol: false, toJson: () => ({ protocol: 'UDP' }) }))).toThrow(/is not a Port/);
    expect(() => p.allowTo(Peer.anyone(), foreign({ protocol: 'UDP', portNumber: 53, isAllPortsOfProtocol: true }))).toThrow(/is not a Port/);
    // nor "all traffic"
    expect(() => p.allowTo(Peer.anyone(), brandAs({ isAllTraffic: true }, 'Port'))).toThrow(/is not a Port/);
    expect(() => p.allowTo(Peer.anyone(), brandAs({ isAllTraffic: true, isAllPortsOfProtocol: false, toJson: () => ({ protocol: 'TCP', port: 1 }) }, 'Port'))).toThrow(/is not a Port/);
    // and no "everyone" peer without saying so
    expect(() => p.allowTo(brandAs({ isAnyone: true }, 'Peer'), Port.tcp(1))).toThrow(/is not a Peer/);
    expect(() => Peer.pods(brandAs({ matchLabels: {}, matchExpressions: [] }, 'Selector'))).toThrow(/is not a Selector/);
    expect(policiesOf(chart)[0].spec.egress).toEqual([{ ports: [{ protocol: 'TCP' }] }]);
  });
});


describe('15. IPv6 is canonical', () => {
  test('upper case, leading zeros and uncompressed groups render in one form and merge', () => {
    for (const text of ['2001:DB8::/32', '2001:0db8::/32', '2001:db8:0:0::/32', '2001:db8::/32']) {
      expect(IpBlock.of(text).cidr).toBe('2001:db8::/32');
    }
    expect(IpBlock.of('::/0', ['FC00::/7', 'fe80:0::/10']).except).toEqual(['fc00::/7', 'fe80::/10']);
    const chart = testChart('shop');
    const policy = new NetworkPolicy(chart, 'p', { pods: Selector.labels({ app: 'web' }) });
    policy.allowTo(Peer.ipBlock('2001:DB8::/32'), Port.tcp(443));
    policy.allowTo(Peer.ipBlock('2001:0db8::/32'), Port.tcp(443));
    policy.allowTo(Peer.ipBlock('2001:db8::/32'), Port.tcp(443));
    expect(policiesOf(chart)[0].spec.egress).toEqual([{ to: [{ ipBlock: { cidr: '2001:db8::/32' } }], ports: [{ protocol: 'TCP', port: 443 }] }]);
  });
});
