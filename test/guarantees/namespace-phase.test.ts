import { App, Chart, Testing } from 'cdk8s';
import {
  ApplicationStack, EnforcementPhase, Endpoint, NetworkPolicies, Port, Reachability, ReachabilityOptions, Selector, TierChain,
} from '../../src';

/**
 * A phased ApplicationStack never takes the namespace-wide default deny (or DNS policy) away from
 * another construct that asked for it: every construct that shares a namespace's default deny must
 * agree on its phase, or the synth fails naming both. Proven with the analyser on the synthesized
 * output of what is accepted.
 */
const { OBSERVE, STAGED } = EnforcementPhase;

const SURROUNDINGS: ReachabilityOptions = {
  pods: [
    { namespace: 'kube-system', name: 'coredns', labels: { 'k8s-app': 'kube-dns' } },
    { namespace: 'shop', name: 'intruder', labels: { app: 'intruder' } },
    { namespace: 'shop', name: 'undeclared', labels: { app: 'undeclared' } },
    { namespace: 'search', name: 'intruder', labels: { app: 'intruder' } },
  ],
};

/** Stack `a` (enforced) in shop; stack `b` with a service `search` in `namespace` and `phase`. */
function twoStacks(namespace: string, phase: EnforcementPhase | undefined, props: { defaultDeny?: boolean } = {}): App {
  const app = Testing.app();
  const a = new ApplicationStack(app, 'a', { namespace: 'shop' });
  const cart = a.addService('cart', { labels: { app: 'cart' }, ports: [{ number: 80 }] });
  const pay = a.addService('pay', { labels: { app: 'pay' }, ports: [{ number: 8443 }] });
  a.allow(cart, pay);
  const b = new ApplicationStack(app, 'b', { namespace, ...props });
  b.addService('search', { labels: { app: 'search' }, ports: [{ number: 80 }], phase });
  return app;
}

describe('two stacks share the default deny of a namespace', () => {
  test.each([STAGED, OBSERVE])('refused: an enforced stack and a %s service of another stack in one namespace, naming both', (phase) => {
    const app = twoStacks('shop', phase);
    expect(() => app.synth()).toThrow(new RegExp(`namespace shop: the default deny shop/default-deny, which \\[a\\] asks for \\(its services in shop are ENFORCE at the earliest\\), is ${phase === OBSERVE ? 'not written at all' : 'STAGED, not enforced'}, because \\[b\\] has a service in shop in phase ${phase}.*Give every service in namespace shop the same phase.*or set defaultDeny: false on \\[a\\]`));
  });

  test('refused too when the phased stack has no default deny of its own (the enforced deny would isolate its service)', () => {
    expect(() => twoStacks('shop', STAGED, { defaultDeny: false }).synth()).toThrow(/the default deny shop\/default-deny, which \[a\] asks for .* because \[b\] has a service in shop in phase STAGED/);
  });

  test('accepted: the enforced stack without the namespace deny; its services stay isolated, with DNS', () => {
    const app = Testing.app();
    const a = new ApplicationStack(app, 'a', { namespace: 'shop', defaultDeny: false });
    const cart = a.addService('cart', { labels: { app: 'cart' }, ports: [{ number: 80 }] });
    const pay = a.addService('pay', { labels: { app: 'pay' }, ports: [{ number: 8443 }] });
    a.allow(cart, pay);
    new ApplicationStack(app, 'b', { namespace: 'shop' }).addService('search', { labels: { app: 'search' }, ports: [{ number: 80 }], phase: STAGED });
    expect(() => app.synth()).not.toThrow();
    const r = Reachability.fromApp(app, SURROUNDINGS);
    expect(r.allows('shop/cart', 'shop/pay', Port.tcp(8443))).toBe(true);
    expect(r.allows('shop/cart', 'kube-system/coredns', Port.udp(53))).toBe(true);
    expect(r.allows('shop/intruder', 'shop/cart', Port.tcp(80))).toBe(false);
    expect(r.allows('shop/pay', 'shop/cart', Port.tcp(80))).toBe(false);
    expect(r.allows('shop/intruder', 'shop/search', Port.tcp(80))).toBe(true);
  });

  test('accepted: the phased service in a namespace of its own; allowed: what stack a declares; denied: everything else in shop', () => {
    const app = twoStacks('search', STAGED);
    expect(() => app.synth()).not.toThrow();
    const r = Reachability.fromApp(app, SURROUNDINGS);
    expect(r.allows('shop/cart', 'shop/pay', Port.tcp(8443))).toBe(true);
    expect(r.allows('shop/cart', 'kube-system/coredns', Port.udp(53))).toBe(true);
    // the enforced default deny of shop isolates every pod there, declared or not
    expect(r.allows('shop/intruder', 'shop/undeclared', Port.tcp(80))).toBe(false);
    expect(r.allows('shop/intruder', 'shop/cart', Port.tcp(80))).toBe(false);
    expect(r.allows('shop/pay', 'shop/cart', Port.tcp(80))).toBe(false);
    // the staged service of b is isolated by nothing that is enforced
    expect(r.allows('search/intruder', 'search/search', Port.tcp(80))).toBe(true);
  });

  test('accepted: both stacks in the same phase; staged as enforced, the namespace is denied but for what is declared', () => {
    const app = Testing.app();
    const a = new ApplicationStack(app, 'a', { namespace: 'shop', phase: STAGED });
    const cart = a.addService('cart', { labels: { app: 'cart' }, ports: [{ number: 80 }] });
    const pay = a.addService('pay', { labels: { app: 'pay' }, ports: [{ number: 8443 }] });
    a.allow(cart, pay);
    new ApplicationStack(app, 'b', { namespace: 'shop', phase: STAGED }).addService('search', { labels: { app: 'search' }, ports: [{ number: 80 }] });
    const r = Reachability.fromApp(app, SURROUNDINGS).stagedAsEnforced();
    expect(r.allows('shop/cart', 'shop/pay', Port.tcp(8443))).toBe(true);
    expect(r.allows('shop/intruder', 'shop/undeclared', Port.tcp(80))).toBe(false);
    expect(r.allows('shop/intruder', 'shop/search', Port.tcp(80))).toBe(false);
  });

  test('accepted: one stack with services in several phases decides its own namespace deny (documented rollout)', () => {
    const app = Testing.app();
    const a = new ApplicationStack(app, 'a', { namespace: 'shop' });
    a.addService('cart', { labels: { app: 'cart' }, ports: [{ number: 80 }] });
    a.addService('search', { labels: { app: 'search' }, ports: [{ number: 80 }], phase: STAGED });
    expect(() => app.synth()).not.toThrow();
    const r = Reachability.fromApp(app, SURROUNDINGS);
    expect(r.allows('shop/intruder', 'shop/cart', Port.tcp(80))).toBe(false);
    expect(r.allows('shop/intruder', 'shop/search', Port.tcp(80))).toBe(true);
  });
});

describe('other constructs that ask for the namespace default deny', () => {
  function withPhasedStack(add: (chart: Chart) => void): App {
    const app = Testing.app();
    new ApplicationStack(app, 'b', { namespace: 'shop' }).addService('search', { labels: { app: 'search' }, ports: [{ number: 80 }], phase: OBSERVE });
    add(new Chart(app, 'team', { namespace: 'shop' }));
    return app;
  }
  const web = Endpoint.of({ name: 'web', pods: Selector.labels({ app: 'web' }), ports: [{ number: 8080 }] });

  test('refused: a TierChain in the namespace of an observed service', () => {
    const app = withPhasedStack((chart) => new TierChain(chart, 'chain', { tiers: [{ endpoint: web }] }));
    expect(() => app.synth()).toThrow(/the default deny shop\/default-deny, which \[team\/chain\] asks for \(it has no phase, so it is ENFORCE\), is not written at all, because \[b\] has a service in shop in phase OBSERVE.*set defaultDeny: false on \[team\/chain\]/);
  });

  test('refused: NetworkPolicies.denyAll in the namespace of an observed service', () => {
    const app = withPhasedStack((chart) => NetworkPolicies.of(chart).denyAll('shop'));
    expect(() => app.synth()).toThrow(/which \[team\] asks for \(it has no phase, so it is ENFORCE\), is not written at all, because \[b\].*or drop the denyAll\('shop'\) call of \[team\]/);
  });

  test('refused: NetworkPolicies.allowDnsInNamespace in the namespace of an observed service (its pods would lose DNS)', () => {
    const app = withPhasedStack((chart) => NetworkPolicies.of(chart).allowDnsInNamespace('shop'));
    expect(() => app.synth()).toThrow(/the DNS policy shop\/allow-dns, which \[team\] asks for \(it has no phase, so it is ENFORCE\), is not written at all.*would get no DNS.*or allow DNS per endpoint instead \(NetworkPolicies.allowDnsFor\)/);
  });

  test('accepted: a TierChain without its namespace deny next to the observed service; the tier stays isolated', () => {
    const app = withPhasedStack((chart) => new TierChain(chart, 'chain', { tiers: [{ endpoint: web }], defaultDeny: false }));
    expect(() => app.synth()).not.toThrow();
    const r = Reachability.fromApp(app, { pods: [...SURROUNDINGS.pods!, { namespace: 'shop', name: 'web', labels: { app: 'web' } }] });
    expect(r.allows('shop/intruder', 'shop/web', Port.tcp(8080))).toBe(false);
    expect(r.allows('shop/web', 'kube-system/coredns', Port.udp(53))).toBe(true);
    expect(r.allows('shop/intruder', 'shop/search', Port.tcp(80))).toBe(true);
  });
});
