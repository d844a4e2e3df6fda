import { App, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  AllowDns, ApplicationStack, Endpoint, ExternalDestination, ExternalEgress, LintCode, NetworkPolicies, NetworkPolicy, Peer, Port, Reachability,
  Selector,
} from '../../src';
import { validateManifests } from '../../src/validation/validate-manifests';
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

describe('1. an endpoint made from a cdk8s-plus workload follows it, or the synth fails', () => {
  const web = (chart: Chart) => new kplus.Deployment(chart, 'web', {
    metadata: { name: 'web' },
    select: false,
    podMetadata: { labels: { app: 'web', tier: 'x' } },
    containers: [{ image: 'web', ports: [{ number: 8080 }] }],
  });
  const build = (late: boolean) => {
    const chart = testChart('shop');
    const deployment = web(chart);
    deployment.select(kplus.LabelSelector.of({ labels: { app: 'web' } }));
    if (!late) deployment.select(kplus.LabelSelector.of({ labels: { tier: 'x' } }));
    const endpoint = Endpoint.fromWorkload(deployment);
    if (late) deployment.select(kplus.LabelSelector.of({ labels: { tier: 'x' } }));
    NetworkPolicies.of(chart).allow(endpoint, Endpoint.fromLabels('db', { app: 'db' }), Port.tcp(5432));
    return chart;
  };

  test('refused: deployment.select(...) after the endpoint was made (the policy would select app=web, and another workload\'s pods with it)', () => {
    expect(refusal(() => Testing.synth(build(true))))
      .toMatch(/\[test\/web\] its pods changed after endpoint "web" was made from it: the endpoint selects app=web in shop, the workload now selects app=web, tier=x in shop.*Make the endpoint after the workload's selector is final/);
  });

  test('accepted: the selector final before the endpoint; allowed: the workload\'s pods; denied: other pods with app=web', () => {
    const chart = build(false);
    const r = Reachability.fromManifests([...Testing.synth(chart), pod('shop', 'other', { app: 'web', tier: 'y' }), pod('shop', 'db', { app: 'db' })]);
    expect(r.allows('shop/web', 'shop/db', Port.tcp(5432))).toBe(true);
    expect(r.allows('shop/other', 'shop/db', Port.tcp(5432))).toBe(false);
    expect(policiesOf(chart).find((p) => p.metadata.name === 'web-egress').spec.podSelector).toEqual({ matchLabels: { app: 'web', tier: 'x' } });
  });

  test('refused: a Pods selection whose labels were changed after the endpoint was made', () => {
    const chart = testChart('shop');
    const labels: Record<string, string> = { app: 'web' };
    const endpoint = Endpoint.fromPods(kplus.Pods.select(chart, 'web-pods', { labels }));
    labels.tier = 'x';
    NetworkPolicies.of(chart).allow(endpoint, Endpoint.fromLabels('db', { app: 'db' }), Port.tcp(5432));
    expect(refusal(() => Testing.synth(chart))).toMatch(/\[test\/web-pods\] its pods changed after endpoint "web-pods" was made from it: the endpoint selects app=web, the Pods selection now selects app=web, tier=x, so the policies would select pods/);
  });

  test('container ports added after the endpoint count (they are read at synth)', () => {
    const chart = testChart('shop');
    const deployment = new kplus.Deployment(chart, 'api', { containers: [{ image: 'api', ports: [{ number: 8080 }] }] });
    const api = Endpoint.fromWorkload(deployment);
    deployment.containers[0].addPort({ number: 9090, name: 'metrics' });
    NetworkPolicies.of(chart).allow(Endpoint.fromLabels('prom', { app: 'prom' }), api, Port.named('metrics'));
    expect(() => Testing.synth(chart)).not.toThrow();
  });
});

describe('2. endpoints carry the namespace their pods are in', () => {
  test('an ApplicationStack service used in another chart keeps the stack\'s namespace', () => {
    const app = new App();
    const stack = new ApplicationStack(app, 'shop', { namespace: 'shop', defaultDeny: false, dns: false });
    const web = stack.addService('web', { labels: { app: 'web' } });
    expect(web.namespace).toBe('shop');
    const data = new Chart(app, 'data', { namespace: 'data' });
    NetworkPolicies.of(data).allow(web, Endpoint.fromLabels('db', { app: 'db' }), Port.tcp(5432));
    const manifests = [...stack.toJson(), ...data.toJson()];
    expect(manifests.filter((o) => o.kind === 'NetworkPolicy').map((o) => `${o.metadata.namespace}/${o.metadata.name}`).sort())
      .toEqual(['data/db-ingress', 'shop/web-egress', 'shop/web-ingress']);
    const r = Reachability.fromManifests([...manifests, pod('shop', 'web', { app: 'web' }), pod('data', 'web', { app: 'web' }), pod('data', 'db', { app: 'db' })]);
    expect(r.allows('shop/web', 'data/db', Port.tcp(5432))).toBe(true);
    expect(r.allows('data/web', 'data/db', Port.tcp(5432))).toBe(false);
    expect(r.allows('shop/web', 'data/db', Port.tcp(5433))).toBe(false);
  });

  test('refused: a workload without a namespace (applied wherever kubectl points), used from a chart with one', () => {
    const app = Testing.app();
    const deployment = new kplus.Deployment(new Chart(app, 'plain'), 'web', { containers: [{ image: 'web' }] });
    expect(refusal(() => Endpoint.fromWorkload(deployment)))
      .toMatch(/Endpoint web \(plain\/web\): "web" has no namespace \(neither metadata.namespace nor a namespace of its chart\).*Give the workload a namespace/);
    // accepted: the namespace of its chart, or its own
    expect(Endpoint.fromWorkload(new kplus.Deployment(new Chart(app, 'shop', { namespace: 'shop' }), 'web', { containers: [{ image: 'web' }] })).namespace).toBe('shop');
    expect(Endpoint.fromWorkload(new kplus.Deployment(new Chart(app, 'other'), 'web', { metadata: { namespace: 'data' }, containers: [{ image: 'web' }] })).namespace).toBe('data');
  });

  test('Endpoint.fromPods: no namespaces means the namespace of the chart it is declared in; every namespace is refused', () => {
    const app = new App();
    const shop = new Chart(app, 'shop', { namespace: 'shop' });
    const web = Endpoint.fromPods(kplus.Pods.select(shop, 'web', { labels: { app: 'web' } }));
    expect(web.namespace).toBe('shop');
    const data = new Chart(app, 'data', { namespace: 'data' });
    NetworkPolicies.of(data).allow(web, Endpoint.fromLabels('db', { app: 'db' }), Port.tcp(5432));
    const r = Reachability.fromManifests([...data.toJson(), pod('shop', 'web', { app: 'web' }), pod('data', 'web', { app: 'web' }), pod('data', 'db', { app: 'db' })]);
    expect(r.allows('shop/web', 'data/db', Port.tcp(5432))).toBe(true);
    expect(r.allows('data/web', 'data/db', Port.tcp(5432))).toBe(false);
    expect(refusal(() => Endpoint.fromPods(kplus.Pods.select(shop, 'everywhere', { labels: { app: 'web' }, namespaces: kplus.Namespaces.all(shop, 'all') }))))
      .toMatch(/Endpoint everywhere \(shop\/everywhere\): "Namespaces.all\(\)" selects pods in every namespace.*Peer.podsInAllNamespaces/);
    expect(refusal(() => Endpoint.fromPods(kplus.Pods.select(new Chart(app, 'plain'), 'web', { labels: { app: 'web' } }))))
      .toMatch(/names no namespace, and neither does its chart.*Name the namespace/);
  });
});

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

describe('5. a named port toward an ipBlock matches nothing: refused, and linted in hand-written YAML', () => {
  const web = Endpoint.of({ name: 'web', pods: Selector.labels({ app: 'web' }), ports: [{ number: 8443, name: 'https' }] });
  const payment = ExternalDestination.cidrs('payment-api', ['203.0.113.0/24']);

  test.each([
    ['NetworkPolicies.allow(endpoint, external destination, named)', (c: Chart) => NetworkPolicies.of(c).allow(web, payment, Port.named('https')), /\[test\/NetworkPolicies\] egress rule of web: port https\/TCP \(named\) toward 203.0.113.0\/24 matches nothing.*Use the port number instead/],
    ['NetworkPolicy.allowTo(ipBlock, named)', (c: Chart) => new NetworkPolicy(c, 'p', { pods: Selector.labels({ app: 'web' }) }).allowTo(Peer.ipBlock('10.0.0.0/8'), Port.named('db')), /\[test\/p\] egress rule: port db\/TCP \(named\) toward 10.0.0.0\/8 matches nothing/],
    ['ExternalEgress with a named port', (c: Chart) => new ExternalEgress(c, 'out', { from: web, to: payment, ports: [Port.named('https')] }), /\[test\/out\].*port https\/TCP \(named\) toward 203.0.113.0\/24 matches nothing/],
    ['ApplicationStack.allow(service, external destination, named)', () => {
      const stack = new ApplicationStack(Testing.app(), 'stack', { namespace: 'shop' });
      stack.allow(stack.addService('web', { labels: { app: 'web' } }), payment, Port.named('https'));
    }, /\[stack\] egress rule of web: port https\/TCP \(named\) toward 203.0.113.0\/24 matches nothing/],
  ] as Array<[string, (c: Chart) => void, RegExp]>)('refused: %s', (_name, build, message) => {
    expect(refusal(() => build(testChart('shop')))).toMatch(message);
  });

  test('accepted: the number toward the address, and a named port toward pods or from an ipBlock (ingress resolves on the policy\'s own pods)', () => {
    const chart = testChart('shop');
    const net = NetworkPolicies.of(chart);
    net.allow(web, payment, Port.tcp(443));
    net.allow(Peer.ipBlock('198.51.100.0/24'), web, Port.named('https'));
    net.allow(Endpoint.fromLabels('prom', { app: 'prom' }), web, Port.named('https'));
    const webPod = { ...pod('shop', 'web', { app: 'web' }), spec: { containers: [{ name: 'web', ports: [{ containerPort: 8443, name: 'https' }] }] } };
    const manifests = [...chart.toJson(), webPod, pod('shop', 'prom', { app: 'prom' })];
    const r = Reachability.fromManifests(manifests, { externals: [{ name: 'payment', ip: '203.0.113.7' }, { name: 'lb', ip: '198.51.100.7' }] });
    expect(r.allows('shop/web', 'payment', Port.tcp(443))).toBe(true);
    expect(r.allows('shop/web', 'payment', Port.tcp(8443))).toBe(false);
    expect(r.allows('lb', 'shop/web', Port.tcp(8443))).toBe(true);
    expect(r.allows('shop/prom', 'shop/web', Port.tcp(8443))).toBe(true);
    expect(r.allows('shop/prom', 'shop/web', Port.tcp(443))).toBe(false);
    const findings = validateManifests(chart.toJson().map((object) => ({ object }))).findings;
    expect(findings.filter((f) => f.code === LintCode.NAMED_PORT_TO_IPBLOCK)).toEqual([]);
  });

  test('NP013 in hand-written YAML, at the port, with the fix; the analyser agrees the rule allows nothing toward the address', () => {
    const policy = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'web-egress', namespace: 'shop' },
      spec: {
        podSelector: { matchLabels: { app: 'web' } },
        policyTypes: ['Egress'],
        egress: [{ to: [{ podSelector: { matchLabels: { app: 'api' } } }, { ipBlock: { cidr: '203.0.113.0/24' } }], ports: [{ port: 'https' }, { port: 8080 }] }],
      },
    };
    const findings = validateManifests([{ object: policy }]).findings.filter((f) => f.code === LintCode.NAMED_PORT_TO_IPBLOCK);
    expect(findings.map((f) => [f.object, f.field, f.message, f.fix])).toEqual([[
      'shop/web-egress', 'spec.egress[0].ports[0].port',
      'is the named port "https", which resolves only on a destination pod\'s container ports, so it matches no traffic to the ipBlock to[1]',
      'Write the port number instead (e.g. port: 443); if the named port is meant for pods, give the ipBlock a rule of its own with numeric ports.',
    ]]);
    const r = Reachability.fromManifests([policy, pod('shop', 'web', { app: 'web' })], { externals: [{ name: 'payment', ip: '203.0.113.7' }] });
    expect(r.allows('shop/web', 'payment', Port.tcp(443))).toBe(false);
    expect(r.allows('shop/web', 'payment', Port.tcp(8080))).toBe(true);
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

  test('container port names longer than 15 characters (IANA_SVC_NAME) are refused, with the field', () => {
    expect(refusal(() => Endpoint.of({ name: 'api', pods: Selector.labels({ app: 'api' }), ports: [{ number: 80 }, { number: 81, name: 'metrics-endpoint-1' }] })))
      .toMatch(/Endpoint api: ports\[1\].name: "metrics-endpoint-1" is not a valid container port name \(IANA_SVC_NAME\): it .*15.*Use at most 15 characters/);
    expect(refusal(() => Endpoint.of({ name: 'api', pods: Selector.labels({ app: 'api' }), ports: [{ number: 81, name: 'Metrics' }] }))).toMatch(/ports\[0\].name: "Metrics"/);
    const chart = testChart('shop');
    const deployment = new kplus.Deployment(chart, 'api', { containers: [{ name: 'server', image: 'api', ports: [{ number: 9090, name: 'prometheus-metrics' }] }] });
    NetworkPolicies.of(chart).allow(Endpoint.fromLabels('prom', { app: 'prom' }), Endpoint.fromWorkload(deployment), Port.tcp(9090));
    expect(refusal(() => Testing.synth(chart))).toMatch(/Endpoint api \(test\/api\): containers\[0\] \(server\).ports\[0\].name: "prometheus-metrics" is not a valid container port name/);
    // accepted: 15 characters
    expect(Endpoint.of({ name: 'api', pods: Selector.labels({ app: 'api' }), ports: [{ number: 81, name: 'metrics-port-15' }] }).containerPorts).toHaveLength(1);
  });

  test('addService({ workload, ports }) is refused: the ports would be ignored', () => {
    const shop = new ApplicationStack(Testing.app(), 'stack', { namespace: 'shop' });
    const deployment = new kplus.Deployment(shop, 'api', { containers: [{ image: 'api', ports: [{ number: 8080 }] }] });
    expect(refusal(() => shop.addService('api', { workload: deployment, ports: [{ number: 9090 }] })))
      .toMatch(/\[stack\] service "api": ports \[\{"number":9090\}\] are given with a workload.*Drop the ports property/);
    // accepted without: the workload's container ports are the service's
    const api = shop.addService('api', { workload: deployment });
    expect(api.containerPorts).toEqual([{ number: 8080, name: undefined, protocol: 'TCP' }]);
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
