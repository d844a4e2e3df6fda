import { Chart, Testing } from 'cdk8s';
import { AllowDns, AllowDnsProps, DefaultDeny, Direction, NetworkPolicy, Peer, Port, Selector } from '../../src';
import { policiesOf as policies, testChart as chart, yamlOf } from '../helpers';

describe('DefaultDeny', () => {
  test('denies ingress and egress for every pod of the namespace by default', () => {
    const c = Testing.chart();
    new DefaultDeny(c, 'default-deny', { namespace: 'shop' });
    const [policy] = policies(c);
    expect(policy.metadata).toMatchObject({ name: 'default-deny', namespace: 'shop' });
    expect(policy.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    expect(yamlOf(c)).toMatchSnapshot();
  });

  test('one direction, selected pods, the chart namespace, an explicit name', () => {
    const c = Testing.chart();
    const scoped = new Chart(c, 'scoped', { namespace: 'data' });
    new DefaultDeny(scoped, 'Deny', { directions: [Direction.EGRESS], pods: Selector.labels({ app: 'db' }), name: 'db-no-egress' });
    const [policy] = Testing.synth(scoped);
    expect(policy.metadata).toMatchObject({ name: 'db-no-egress', namespace: 'data' });
    expect(policy.spec).toEqual({ podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Egress'] });
    expect(yamlOf(scoped)).toMatchSnapshot();
  });

  test('legacy annotation adds a Namespace object with the annotation', () => {
    const c = Testing.chart();
    new DefaultDeny(c, 'deny', { namespace: 'legacy', directions: [Direction.INGRESS], legacyAnnotation: true });
    const ns = Testing.synth(c).find((o) => o.kind === 'Namespace');
    expect(ns.metadata).toEqual({ name: 'legacy', annotations: { 'net.beta.kubernetes.io/network-policy': '{"ingress":{"isolation":"DefaultDeny"}}' } });
    expect(yamlOf(c)).toMatchSnapshot();
  });

  test('rejections name the construct path and the fix', () => {
    const c = Testing.chart();
    expect(() => new DefaultDeny(c, 'no-ns')).toThrow(/\[test\/no-ns\] has no namespace: .*Set the namespace property, or create the chart with \{ namespace/);
    expect(() => new DefaultDeny(c, 'empty', { namespace: 'x', directions: [] })).toThrow(/\[test\/empty\] directions \[\] is empty, so the policy would deny nothing/);
    expect(() => new DefaultDeny(c, 'legacy-pods', { namespace: 'x', pods: Selector.labels({ app: 'a' }), legacyAnnotation: true }))
      .toThrow(/\[test\/legacy-pods\] legacyAnnotation isolates the ingress of a whole namespace, but this DefaultDeny selects only pods app=a/);
    expect(() => new DefaultDeny(c, 'bad-ns', { namespace: 'Shop' })).toThrow(/\[test\/bad-ns\] namespace "Shop" is not a valid namespace name/);
    expect(() => new DefaultDeny(c, 'bad-name', { namespace: 'x', name: 'Bad_Name' })).toThrow(/\[test\/bad-name\] name "Bad_Name" is not a valid object name/);
  });
});

describe('AllowDns', () => {
  test('egress to kube-dns in kube-system on 53/UDP and 53/TCP, for every pod', () => {
    const c = chart('shop');
    new AllowDns(c, 'allow-dns');
    const [policy] = policies(c);
    expect(policy.metadata).toMatchObject({ name: 'allow-dns', namespace: 'shop' });
    expect(policy.spec).toEqual({
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
        ports: [{ protocol: 'TCP', port: 53 }, { protocol: 'UDP', port: 53 }],
      }],
    });
    expect(policy.spec.ingress).toBeUndefined();
    expect(yamlOf(c)).toMatchSnapshot();
  });

  test('custom DNS pods, namespace, NodeLocal DNSCache and selected pods', () => {
    const c = chart('shop');
    new AllowDns(c, 'dns', {
      pods: Selector.labels({ app: 'web' }),
      dnsPods: Selector.labels({ app: 'coredns' }),
      dnsNamespace: 'dns-system',
      nodeLocalDns: true,
    });
    const [policy] = policies(c);
    expect(policy.spec.podSelector).toEqual({ matchLabels: { app: 'web' } });
    expect(policy.spec.egress[0].to).toEqual([
      { ipBlock: { cidr: '169.254.20.10/32' } },
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'dns-system' } }, podSelector: { matchLabels: { app: 'coredns' } } },
    ]);
    expect(yamlOf(c)).toMatchSnapshot();
  });

  test('IPv6 NodeLocal address and bad input', () => {
    const c = chart('shop');
    new AllowDns(c, 'dns6', { nodeLocalDns: true, nodeLocalDnsAddress: 'fd00::a' });
    expect(policies(c)[0].spec.egress[0].to[0]).toEqual({ ipBlock: { cidr: 'fd00::a/128' } });
    expect(() => new AllowDns(c, 'bad', { nodeLocalDns: true, nodeLocalDnsAddress: 'not-an-ip' }))
      .toThrow('[test/bad] DNS peers: nodeLocalDnsAddress "not-an-ip" is not an IP address. Give the address NodeLocal DNSCache listens on, e.g. 169.254.20.10;');
    expect(policies(c)).toHaveLength(1);
    expect(() => new AllowDns(c, 'bad-ns', { dnsNamespace: 'Kube_System' })).toThrow(/\[test\/bad-ns\] DNS peers: Peer\.podsInNamespace: "Kube_System" is not a valid namespace name/);
  });

  test('the NodeLocal DNSCache address is one address: the error is in its own terms, never the /32 built from it', () => {
    const c = chart('shop');
    let n = 0;
    const message = (props: AllowDnsProps) => {
      try {
        new AllowDns(c, `dns${n++}`, props);
      } catch (e) {
        return (e as Error).message;
      }
      return 'no error';
    };
    const fix = 'Give the address NodeLocal DNSCache listens on, e.g. 169.254.20.10; the policy allows exactly that address.';
    expect(message({ nodeLocalDns: true, nodeLocalDnsAddress: '169.254.20.0/24' })).toContain(`] DNS peers: nodeLocalDnsAddress "169.254.20.0/24" is not an IP address but a CIDR. ${fix}`);
    expect(message({ nodeLocalDns: true, nodeLocalDnsAddress: '169.254.20.10/32' })).toContain(`] DNS peers: nodeLocalDnsAddress "169.254.20.10/32" is not an IP address but a CIDR. ${fix}`);
    expect(message({ nodeLocalDns: true, nodeLocalDnsAddress: 'fd00::/64' })).toContain(`] DNS peers: nodeLocalDnsAddress "fd00::/64" is not an IP address but a CIDR. ${fix}`);
    expect(message({ nodeLocalDns: true, nodeLocalDnsAddress: '' })).toContain(`] DNS peers: nodeLocalDnsAddress "" is not an IP address. ${fix}`);
    expect(message({ nodeLocalDns: true, nodeLocalDnsAddress: ' 169.254.20.10' })).toContain(`] DNS peers: nodeLocalDnsAddress " 169.254.20.10" is not an IP address. ${fix}`);
    expect(message({ nodeLocalDns: true, nodeLocalDnsAddress: '169.254.020.10' }))
      .toContain('] DNS peers: nodeLocalDnsAddress "169.254.020.10" has leading zeros, which the API server (Kubernetes 1.36+) rejects in an ipBlock. Write it as 169.254.20.10.');
    expect(message({ nodeLocalDns: true, nodeLocalDnsAddress: '::ffff:169.254.20.10' }))
      .toContain('] DNS peers: nodeLocalDnsAddress "::ffff:169.254.20.10" is an IPv4-mapped IPv6 address, which the API server (Kubernetes 1.36+) rejects in an ipBlock. Write it as 169.254.20.10.');
    for (const m of [message({ nodeLocalDns: true, nodeLocalDnsAddress: '169.254.20.0/24' }), message({ nodeLocalDns: true, nodeLocalDnsAddress: 'fd00::/64' })]) {
      expect(m).toMatch(/^\[test\/dns\d+\] DNS peers: nodeLocalDnsAddress /);
      expect(m).not.toMatch(/\/24\/32|\/64\/128|IpBlock cidr/);
    }
    expect(policies(c)).toEqual([]);
  });

  test('a NodeLocal DNSCache address without nodeLocalDns is refused, not silently dropped', () => {
    const c = chart('shop');
    expect(() => new AllowDns(c, 'dns', { nodeLocalDnsAddress: '169.254.20.11' }))
      .toThrow('[test/dns] DNS peers: nodeLocalDnsAddress "169.254.20.11" is set but nodeLocalDns is not, so the address would be ignored. Set nodeLocalDns: true');
    new AllowDns(c, 'dns-on', { nodeLocalDns: true, nodeLocalDnsAddress: '169.254.20.11' });
    expect(policies(c)[0].spec.egress[0].to[0]).toEqual({ ipBlock: { cidr: '169.254.20.11/32' } });
  });
});

describe('NetworkPolicy', () => {
  test('merges rules and lists the directions that have rules', () => {
    const c = chart('shop');
    const web = new NetworkPolicy(c, 'web', { pods: Selector.labels({ app: 'web' }) });
    web.allowFrom(Peer.namespace('ingress-nginx'), Port.tcp(8080));
    web.allowFrom(Peer.namespace('ingress-nginx'), Port.tcp(8080), Port.tcp(8443));
    web.allowTo(Peer.pods(Selector.labels({ app: 'api' })), Port.tcp(9000));
    const [policy] = policies(c);
    expect(policy.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(policy.spec.ingress).toEqual([{
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }],
      ports: [{ protocol: 'TCP', port: 8080 }, { protocol: 'TCP', port: 8443 }],
    }]);
    expect(yamlOf(c)).toMatchSnapshot();
  });

  test('a policy with no rules and no isolated direction fails the synth', () => {
    const c = chart('shop');
    new NetworkPolicy(c, 'empty', { pods: Selector.labels({ app: 'web' }) });
    expect(() => Testing.synth(c)).toThrow(/\[test\/empty\] .*allows nothing and isolates nothing/);
  });

  test('Peer.anyone() is accepted; rules without pods selector fail at construction', () => {
    const c = chart('shop');
    const open = new NetworkPolicy(c, 'open', { pods: Selector.labels({ app: 'public' }) });
    open.allowFrom(Peer.anyone(), Port.tcp(443));
    expect(policies(c)[0].spec.ingress).toEqual([{ ports: [{ protocol: 'TCP', port: 443 }] }]);
    expect(() => new NetworkPolicy(c, 'nopods', {} as never)).toThrow(/\[test\/nopods\] pods undefined is not a Selector.*Selector\.all\(\)/);
    expect(() => open.allowFrom(Peer.namespace('x'))).toThrow(/\[test\/open\] ingress rule: a rule needs at least one port, got \[\]/);
  });

  test('long derived names are cut with a stable hash', () => {
    const c = chart('shop');
    const p = new NetworkPolicy(c, 'a-really-long-construct-id-that-goes-on-and-on-and-on-forever-and-ever', { pods: Selector.all(), isolate: [Direction.INGRESS] });
    expect(p.name).toMatch(/^a-really-long-construct-id-that-goes-on-and-on-and-on-[0-9a-f]{8}$/);
    expect(p.name.length).toBeLessThanOrEqual(63);
  });
});

test('Namespace objects never carry the chart namespace (they are cluster-scoped)', () => {
  const c = chart('shop');
  new DefaultDeny(c, 'deny', { directions: [Direction.INGRESS], legacyAnnotation: true });
  const ns = Testing.synth(c).find((o) => o.kind === 'Namespace');
  expect(ns.metadata).toEqual({ name: 'shop', annotations: { 'net.beta.kubernetes.io/network-policy': '{"ingress":{"isolation":"DefaultDeny"}}' } });
});
