import { Chart, Testing } from 'cdk8s';
import {
  AllowDns, ApplicationStack, Endpoint, NetworkPolicies, Port, Reachability, Selector,
} from '../../src';
import { policiesOf, testChart, yamlOf } from '../helpers';

/**
 * The holes a hostile review found in "fail closed, for real", each reproduced before its fix: a
 * declaration that ends up broader than declared, or in another place, without an error. Each test
 * says what is accepted and what is refused, or what is allowed and what is denied.
 */
const pod = (namespace: string, name: string, labels: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels } });
const NODE_LOCAL_DNS = { name: 'node-local-dns', ip: '169.254.20.10' };
const DNS_POD = pod('kube-system', 'coredns', { 'k8s-app': 'kube-dns' });

/** The error `build` refuses with: never a TypeError (a crash), never acceptance. */
function refusal(build: () => unknown): string {
  try {
    build();
  } catch (e) {
    expect(e).toBeInstanceOf(Error);
    expect(e).not.toBeInstanceOf(TypeError);
    return (e as Error).message;
  }
  throw new Error('expected the input to be refused, but it was accepted');
}

describe('4. ApplicationStack props are copied at construction', () => {
  const build = (mutate: boolean) => {
    const dnsOptions: any = { nodeLocalDns: false, dnsNamespace: 'kube-system' };
    const props: any = { namespace: 'shop', dnsOptions, defaultDeny: true, dns: true };
    const stack = new ApplicationStack(Testing.app(), 'stack', props);
    if (mutate) {
      dnsOptions.nodeLocalDns = true;
      dnsOptions.dnsNamespace = 'elsewhere';
      dnsOptions.dnsPods = Selector.labels({ app: 'anything' });
      props.dns = false;
      props.defaultDeny = false;
    }
    stack.allow(stack.addService('web', { labels: { app: 'web' } }), stack.addService('db', { labels: { app: 'db' } }), Port.tcp(5432));
    return stack;
  };

  test('changing dnsOptions (or any prop) after construction changes nothing in the output', () => {
    expect(yamlOf(build(true))).toEqual(yamlOf(build(false)));
  });

  test('allowed: DNS to kube-dns as declared; denied: the NodeLocal DNSCache address the late change asked for', () => {
    const r = Reachability.fromManifests([...build(true).toJson(), pod('shop', 'web', { app: 'web' }), pod('shop', 'db', { app: 'db' }), DNS_POD],
      { externals: [NODE_LOCAL_DNS] });
    expect(r.allows('shop/web', 'kube-system/coredns', Port.udp(53))).toBe(true);
    expect(r.allows('shop/web', 'node-local-dns', Port.udp(53))).toBe(false);
    expect(r.allows('shop/db', 'shop/web', Port.tcp(5432))).toBe(false);
  });
});

describe('6. props of the wrong type from another jsii language are refused', () => {
  const stack = (props: any) => new ApplicationStack(Testing.app(), 'stack', { namespace: 'shop', ...props });

  test.each([
    ['nodeLocalDns: "false"', { dnsOptions: { nodeLocalDns: 'false' } }, /\[stack\] dnsOptions: nodeLocalDns "false" is not true or false.*Set nodeLocalDns: true or false/],
    ['nodeLocalDns: {}', { dnsOptions: { nodeLocalDns: {} } }, /\[stack\] dnsOptions: nodeLocalDns \(an object\) is not true or false/],
    ['nodeLocalDns: 1', { dnsOptions: { nodeLocalDns: 1 } }, /nodeLocalDns \(the number 1\) is not true or false/],
    ['dnsNamespace: 7', { dnsOptions: { dnsNamespace: 7 } }, /\[stack\] dnsOptions: dnsNamespace \(the number 7\) is not a namespace name/],
    ['dnsOptions: "kube-dns"', { dnsOptions: 'kube-dns' }, /\[stack\] dnsOptions: dnsOptions "kube-dns" is not a set of DNS options/],
    ['dns: "false"', { dns: 'false' }, /\[stack\] dns "false" is not true or false. Set dns: true or false/],
    ['defaultDeny: "no"', { defaultDeny: 'no' }, /\[stack\] defaultDeny "no" is not true or false/],
    ['manageNamespaces: 0', { manageNamespaces: 0 }, /\[stack\] manageNamespaces 0 is not true or false/],
  ])('ApplicationStack %s', (_name, props, message) => {
    expect(refusal(() => stack(props))).toMatch(message);
  });

  test('nodeLocalDns: "false" is refused by every construct that allows DNS (it used to add the address: "false" is truthy)', () => {
    const options: any = { nodeLocalDns: 'false' };
    expect(refusal(() => new AllowDns(testChart('shop'), 'dns', options))).toMatch(/\[test\/dns\] DNS peers: nodeLocalDns "false" is not true or false/);
    expect(refusal(() => NetworkPolicies.of(testChart('shop')).allowDnsFor(Endpoint.fromLabels('web', { app: 'web' }), options)))
      .toMatch(/\[test\/NetworkPolicies\] DNS for endpoint web: nodeLocalDns "false" is not true or false/);
    expect(refusal(() => NetworkPolicies.of(testChart('shop')).allowDnsInNamespace('shop', options))).toMatch(/nodeLocalDns "false" is not true or false/);
  });

  test('accepted: booleans; the DNS rule then allows exactly what they say', () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'shop' });
    new AllowDns(chart, 'dns', { nodeLocalDns: false });
    const r = Reachability.fromManifests([...chart.toJson(), pod('shop', 'web', { app: 'web' }), DNS_POD], { externals: [NODE_LOCAL_DNS] });
    expect(r.allows('shop/web', 'kube-system/coredns', Port.udp(53))).toBe(true);
    expect(r.allows('shop/web', 'node-local-dns', Port.udp(53))).toBe(false);
    expect(policiesOf(chart)).toHaveLength(1);
  });
});
