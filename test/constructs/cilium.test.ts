import * as fs from 'fs';
import * as path from 'path';
import { App, Chart, Testing, Yaml } from 'cdk8s';
import {
  ApplicationStack, CiliumEntity, Endpoint, Entity, Environment, ExternalDestination, ExternalEgress, HttpMethod, HttpRule, LabelExpression,
  NetworkPolicies, NetworkPolicy, NetworkTarget, Peer, Port, Selector,
} from '../../src';
import { checkCiliumPolicy } from '../../src/k8s/cilium-rules';

const backend = Endpoint.fromLabels('backend', { app: 'backend' });
const web = Endpoint.fromLabels('web', { app: 'web' });
const stripe = ExternalDestination.dnsNames('stripe', ['api.stripe.com', '*.s3.amazonaws.com']);

function chartOn(target?: NetworkTarget, namespace = 'shop'): Chart {
  const app = Testing.app();
  if (target) NetworkTarget.declare(app, target);
  return new Chart(app, 'c', { namespace });
}

const ciliumPolicies = (chart: Chart) => Testing.synth(chart).filter((o) => o.kind === 'CiliumNetworkPolicy');
const byName = (chart: Chart, name: string) => Testing.synth(chart).find((o) => o.metadata.name === name);
const DNS_RULE = {
  toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } }],
  toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }],
};

describe('FQDN egress: ExternalDestination.dnsNames', () => {
  test('on Cilium: toFQDNs with the ports kept, plus the DNS rule Cilium\'s DNS proxy needs, and the policy validates', () => {
    const chart = chartOn(NetworkTarget.cilium());
    NetworkPolicies.of(chart).allow(backend, stripe, Port.tcp(443));
    const [cnp] = ciliumPolicies(chart);
    expect(cnp.metadata).toEqual({ name: 'backend-egress-cilium', namespace: 'shop', labels: { 'app.kubernetes.io/managed-by': 'cdk8s-netpol' } });
    expect(cnp.spec).toEqual({
      endpointSelector: { matchLabels: { app: 'backend' } },
      egress: [
        DNS_RULE,
        { toFQDNs: [{ matchPattern: '*.s3.amazonaws.com' }, { matchName: 'api.stripe.com' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] },
      ],
    });
    expect(checkCiliumPolicy(cnp)).toEqual([]);
    // Nothing else: no NetworkPolicy is written for a connection only Cilium can say.
    expect(Testing.synth(chart).map((o) => o.kind)).toEqual(['CiliumNetworkPolicy']);
  });

  test('on plain Kubernetes (the default) and on Calico, the synth fails with why and what to do instead', () => {
    for (const target of [undefined, NetworkTarget.kubernetes(), NetworkTarget.calico()]) {
      const chart = chartOn(target);
      NetworkPolicies.of(chart).allow(backend, stripe, Port.tcp(443));
      expect(() => Testing.synth(chart)).toThrow(/\[c\/NetworkPolicies\/shop\.backend-egress-cilium\] allow backend \(app=backend\) -> stripe \(\*\.s3\.amazonaws\.com, api\.stripe\.com\) needs egress to DNS names .*cannot express.*NetworkTarget\.declare\(app, NetworkTarget\.cilium\(\)\).*ExternalDestination\.cidrs/);
    }
  });

  test('the README shows the refusal exactly as the synth words it', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'shop', { namespace: 'shop' });
    NetworkPolicies.of(chart).allow(backend, ExternalDestination.dnsNames('stripe', ['api.stripe.com']), Port.tcp(443));
    let message = '';
    try {
      Testing.synth(chart);
    } catch (e) {
      message = (e as Error).message.split('\n')[1].trim();
    }
    expect(message).toMatch(/^\[shop\/NetworkPolicies\/shop\.backend-egress-cilium\] /);
    expect(fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8')).toContain(`\n${message}\n`);
  });

  test('names are checked and canonical: lower case, no trailing dot, sorted and de-duplicated; a pattern of everything is refused', () => {
    expect(ExternalDestination.dnsNames('x', ['API.Stripe.com.', 'api.stripe.com', '*.b.example']).fqdns).toEqual(['*.b.example', 'api.stripe.com']);
    expect(() => ExternalDestination.dnsNames('x', ['*'])).toThrow(/matches every DNS name.*Entity\.world\(\)/);
    expect(() => ExternalDestination.dnsNames('x', ['*.*'])).toThrow(/matches every DNS name/);
    expect(() => ExternalDestination.dnsNames('x', ['api stripe.com'])).toThrow(/is not a DNS name Cilium accepts/);
    expect(() => ExternalDestination.dnsNames('x', ['a/b'])).toThrow(/is not a DNS name Cilium accepts/);
    expect(() => ExternalDestination.dnsNames('x', [])).toThrow(/is an empty list of DNS names/);
    expect(() => ExternalDestination.dnsNames('x', [`${'a'.repeat(64)}.com`])).toThrow(/at most 63 characters/);
  });

  test('a DNS name is never a source, and a bare NetworkPolicy cannot name one', () => {
    const chart = chartOn(NetworkTarget.cilium());
    expect(() => NetworkPolicies.of(chart).allow(stripe, backend, Port.tcp(443))).toThrow(/DNS names name destinations, never sources/);
    const np = new NetworkPolicy(chart, 'np', { pods: Selector.labels({ app: 'web' }) });
    expect(() => np.allowTo(stripe, Port.tcp(443))).toThrow(/a NetworkPolicy \(networking\.k8s\.io\/v1\) cannot name DNS names.*NetworkPolicies\.of\(chart\)\.allow/);
  });

  test('a destination without ports needs them: never every port by accident', () => {
    const chart = chartOn(NetworkTarget.cilium());
    expect(() => NetworkPolicies.of(chart).allow(backend, stripe)).toThrow(/a rule needs at least one port, got \[\], and stripe .* is not an endpoint/);
    expect(() => NetworkPolicies.of(chart).allow(backend, stripe, Port.allTcp())).toThrow(/all TCP ports cannot be a port of a CiliumNetworkPolicy rule here/);
  });

  test('ExternalEgress and ApplicationStack take DNS destinations too', () => {
    const app = Testing.app();
    NetworkTarget.declare(app, NetworkTarget.cilium());
    const chart = new Chart(app, 'c', { namespace: 'shop' });
    new ExternalEgress(chart, 'to-stripe', { from: backend, to: stripe, ports: [Port.tcp(443)] });
    const stack = new ApplicationStack(app, 'stack', { namespace: 'pay' });
    const payments = stack.addService('payments', { labels: { app: 'payments' }, ports: [{ number: 8080 }] });
    stack.allow(payments, stripe, Port.tcp(443));
    expect(byName(chart, 'backend-egress-cilium').spec.egress[1].toFQDNs).toEqual([{ matchPattern: '*.s3.amazonaws.com' }, { matchName: 'api.stripe.com' }]);
    expect(byName(stack, 'payments-egress-cilium').spec.egress[1].toPorts).toEqual([{ ports: [{ port: '443', protocol: 'TCP' }] }]);
  });
});

describe('entities as peers', () => {
  test('kube-apiserver, world, cluster, host and remote-node on either side, merged by ports', () => {
    const chart = chartOn(NetworkTarget.cilium());
    const net = NetworkPolicies.of(chart);
    net.allow(backend, Entity.kubeApiServer(), Port.tcp(443));
    net.allow(backend, Entity.world(), Port.tcp(443));
    net.allow(Entity.host(), backend, Port.tcp(8080));
    net.allow(Entity.remoteNode(), backend, Port.tcp(8080));
    net.allow(Entity.cluster(), backend, Port.tcp(9090));
    expect(byName(chart, 'backend-egress-cilium').spec.egress).toEqual([
      { toEntities: ['kube-apiserver', 'world'], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] },
    ]);
    expect(byName(chart, 'backend-ingress-cilium').spec.ingress).toEqual([
      { fromEntities: ['host', 'remote-node'], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] },
      { fromEntities: ['cluster'], toPorts: [{ ports: [{ port: '9090', protocol: 'TCP' }] }] },
    ]);
    for (const cnp of ciliumPolicies(chart)) expect(checkCiliumPolicy(cnp)).toEqual([]);
  });

  test('on plain Kubernetes an entity fails the synth and points at the ipBlock alternatives', () => {
    const chart = chartOn();
    NetworkPolicies.of(chart).allow(backend, Entity.kubeApiServer(), Port.tcp(443));
    expect(() => Testing.synth(chart)).toThrow(/allow backend \(app=backend\) -> entity kube-apiserver needs an entity peer .*ExternalDestination\.kubernetesApiServer/);
  });

  test('Entity.of checks its entity; a stack confined to an environment refuses cluster-wide entities', () => {
    expect(Entity.of(CiliumEntity.INGRESS).name).toBe('entity ingress');
    expect(() => Entity.of('nodes' as any)).toThrow(/is not a Cilium entity/);
    const app = Testing.app();
    NetworkTarget.declare(app, NetworkTarget.cilium());
    const stack = new ApplicationStack(app, 'stack', { namespace: 'shop-prod', environment: Environment.of('prod') });
    const api = stack.addService('api', { labels: { app: 'api' }, ports: [{ number: 8080 }] });
    expect(() => stack.allow(Entity.cluster(), api)).toThrow(/entity cluster takes in every environment's pods/);
    expect(() => stack.allow(Entity.host(), api)).not.toThrow();
  });
});

describe('L7 HTTP rules: allowHttp', () => {
  test('between endpoints: the destination\'s ingress gets the HTTP rules, the source\'s egress the port, as allow writes it', () => {
    const chart = chartOn(NetworkTarget.cilium());
    const net = NetworkPolicies.of(chart);
    net.allowHttp(web, backend, Port.tcp(8080), HttpRule.of({ method: HttpMethod.GET, path: '/api/v1/.*' }), HttpRule.of({ method: HttpMethod.POST, path: '/orders', headers: ['X-Team: shop'] }));
    expect(byName(chart, 'backend-ingress-cilium').spec).toEqual({
      endpointSelector: { matchLabels: { app: 'backend' } },
      ingress: [{
        fromEndpoints: [{ matchLabels: { app: 'web' } }],
        toPorts: [{
          ports: [{ port: '8080', protocol: 'TCP' }],
          rules: { http: [{ method: 'GET', path: '/api/v1/.*' }, { method: 'POST', path: '/orders', headers: ['X-Team: shop'] }] },
        }],
      }],
    });
    expect(byName(chart, 'web-egress').spec.egress).toEqual([{ ports: [{ port: 8080, protocol: 'TCP' }], to: [{ podSelector: { matchLabels: { app: 'backend' } } }] }]);
    // The destination gets no plain NetworkPolicy ingress: that would allow every request.
    expect(byName(chart, 'backend-ingress')).toBeUndefined();
    for (const cnp of ciliumPolicies(chart)) expect(checkCiliumPolicy(cnp)).toEqual([]);
  });

  test('to an external destination: the HTTP rules go on the source\'s egress', () => {
    const chart = chartOn(NetworkTarget.cilium());
    NetworkPolicies.of(chart).allowHttp(backend, stripe, Port.tcp(80), HttpRule.of({ host: 'api\\.stripe\\.com' }));
    expect(byName(chart, 'backend-egress-cilium').spec.egress).toEqual([
      DNS_RULE,
      { toFQDNs: [{ matchPattern: '*.s3.amazonaws.com' }, { matchName: 'api.stripe.com' }], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ host: 'api\\.stripe\\.com' }] } }] },
    ]);
  });

  test('a plain allow of the same peer and port would let every request through: the synth fails instead of voiding the HTTP rules', () => {
    const chart = chartOn(NetworkTarget.cilium());
    const net = NetworkPolicies.of(chart);
    net.allowHttp(web, backend, Port.tcp(8080), HttpRule.of({ method: HttpMethod.GET }));
    net.allow(web, backend, Port.tcp(8080));
    expect(() => Testing.synth(chart)).toThrow(/backend-ingress-cilium\] the HTTP rules for \{"matchLabels":\{"app":"web"\}\} on 8080\/TCP \(allowHttp web \(app=web\) -> backend \(app=backend\)\) are void: the NetworkPolicy shop\/backend-ingress \[c\/NetworkPolicies\/shop.backend-ingress\] \(its ingress rule\) also allows pods app=web in the policy's namespace on 8080\/TCP without HTTP rules/);
    const entity = chartOn(NetworkTarget.cilium());
    NetworkPolicies.of(entity).allow(Entity.world(), backend, Port.allTraffic());
    NetworkPolicies.of(entity).allowHttp(Entity.world(), backend, Port.tcp(8080), HttpRule.of({ path: '/' }));
    expect(() => Testing.synth(entity)).toThrow(/the HTTP rules for "world" on 8080\/TCP \(allowHttp entity world -> backend \(app=backend\)\) are void: this policy also allows "world" on all traffic without HTTP rules/);
    // Another port, or another peer, voids nothing.
    const fine = chartOn(NetworkTarget.cilium());
    NetworkPolicies.of(fine).allowHttp(web, backend, Port.tcp(8080), HttpRule.of({ method: HttpMethod.GET }));
    NetworkPolicies.of(fine).allow(web, backend, Port.tcp(9090));
    NetworkPolicies.of(fine).allow(Endpoint.fromLabels('admin', { app: 'admin' }), backend, Port.tcp(8080));
    expect(() => Testing.synth(fine)).not.toThrow();
  });

  test('refused: no rules, a rule of nothing, a port that is not one TCP port, a path that is not one; on Kubernetes, the synth', () => {
    const chart = chartOn(NetworkTarget.cilium());
    const net = NetworkPolicies.of(chart);
    expect(() => net.allowHttp(web, backend, Port.tcp(8080))).toThrow(/no HTTP rules/);
    expect(() => HttpRule.of({})).toThrow(/constrains nothing, so it would allow every request/);
    expect(() => net.allowHttp(web, backend, Port.udp(53), HttpRule.of({ path: '/' }))).toThrow(/53\/UDP is not one TCP port/);
    expect(() => net.allowHttp(web, backend, Port.tcpRange(80, 90), HttpRule.of({ path: '/' }))).toThrow(/is not one TCP port/);
    expect(() => HttpRule.of({ path: 'api/.*' })).toThrow(/does not start with "\/"/);
    expect(() => HttpRule.of({ path: '/api/(' })).toThrow(/is not a valid regular expression/);
    expect(() => HttpRule.of({ headers: ['bad header: x', ''] })).toThrow(/is not a header/);
    const plain = chartOn();
    NetworkPolicies.of(plain).allowHttp(web, backend, Port.tcp(8080), HttpRule.of({ method: HttpMethod.GET }));
    expect(() => Testing.synth(plain)).toThrow(/allowHttp web \(app=web\) -> backend \(app=backend\) needs HTTP rules .*cannot express/);
  });
});

describe('deny rules: NetworkPolicies.deny', () => {
  test('egressDeny on the source and ingressDeny on the destination; a deny alone never isolates the pods', () => {
    const chart = chartOn(NetworkTarget.cilium());
    const net = NetworkPolicies.of(chart);
    net.deny(web, backend, Port.tcp(5432));
    net.deny(backend, ExternalDestination.cidrs('metadata', ['169.254.169.254/32']), Port.allTraffic());
    expect(byName(chart, 'web-egress-cilium').spec).toEqual({
      endpointSelector: { matchLabels: { app: 'web' } },
      enableDefaultDeny: { egress: false },
      egressDeny: [{ toEndpoints: [{ matchLabels: { app: 'backend' } }], toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }] }] }],
    });
    expect(byName(chart, 'backend-ingress-cilium').spec).toEqual({
      endpointSelector: { matchLabels: { app: 'backend' } },
      enableDefaultDeny: { ingress: false },
      ingressDeny: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }], toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }] }] }],
    });
    expect(byName(chart, 'backend-egress-cilium').spec.egressDeny).toEqual([{ toCIDRSet: [{ cidr: '169.254.169.254/32' }] }]);
    for (const cnp of ciliumPolicies(chart)) expect(checkCiliumPolicy(cnp)).toEqual([]);
  });

  test('with allow rules in the same direction the policy isolates as any allow does', () => {
    const chart = chartOn(NetworkTarget.cilium());
    const net = NetworkPolicies.of(chart);
    net.allow(backend, Entity.world(), Port.tcp(443));
    net.deny(backend, ExternalDestination.cidrs('metadata', ['169.254.169.254/32']), Port.allTraffic());
    expect(byName(chart, 'backend-egress-cilium').spec.enableDefaultDeny).toBeUndefined();
  });

  test('refused: by DNS name (Cilium has no such deny), without ports, between two non-endpoints; on Kubernetes, the synth', () => {
    const chart = chartOn(NetworkTarget.cilium());
    const net = NetworkPolicies.of(chart);
    expect(() => net.deny(backend, stripe, Port.tcp(443))).toThrow(/Cilium has no deny rule by DNS name/);
    expect(() => net.deny(backend, web)).toThrow(/a deny rule needs at least one port, got \[\]/);
    expect(() => net.deny(Entity.world(), Peer.anyone(), Port.tcp(1))).toThrow(/neither end is an endpoint/);
    const plain = chartOn();
    NetworkPolicies.of(plain).deny(web, backend, Port.tcp(5432));
    expect(() => Testing.synth(plain)).toThrow(/deny web \(app=web\) -> backend \(app=backend\) needs a deny rule .*isolate the pods/);
  });
});

describe('what a declaration needs decides what is emitted', () => {
  function plainApp(app: App): void {
    const chart = new Chart(app, 'c', { namespace: 'shop' });
    const net = NetworkPolicies.of(chart);
    net.allow(web, backend, Port.tcp(8080));
    net.allow(backend, ExternalDestination.cidrs('payment-api', ['203.0.113.0/24']), Port.tcp(443));
    net.allow(Peer.namespace('ingress-nginx'), web, Port.tcp(8080));
    net.denyAll('shop');
  }

  test('plain dependencies are NetworkPolicies on the Cilium target, byte-identical to plain Kubernetes', () => {
    const plain = Testing.app();
    plainApp(plain);
    const cilium = Testing.app();
    NetworkTarget.declare(cilium, NetworkTarget.cilium());
    plainApp(cilium);
    const yaml = (app: App) => app.charts.map((c) => Yaml.stringify(...Testing.synth(c))).join('---\n');
    expect(yaml(cilium)).toEqual(yaml(plain));
    expect(yaml(cilium)).not.toMatch(/cilium\.io/);
  });

  test('peers in a CiliumNetworkPolicy: their namespace by Cilium\'s namespace label, namespaces by labels with the namespace key\'s Exists', () => {
    const chart = chartOn(NetworkTarget.cilium());
    const net = NetworkPolicies.of(chart);
    net.deny(backend, Peer.namespace('kube-system'), Port.tcp(10250));
    net.deny(backend, Peer.podsInNamespace('data', Selector.labels({ app: 'db' })), Port.tcp(5432));
    net.deny(backend, Peer.allNamespaces(), Port.tcp(2379));
    net.deny(backend, Endpoint.of({ name: 'db', namespace: 'data', pods: Selector.labels({ app: 'pg' }) }), Port.tcp(5433));
    expect(byName(chart, 'backend-egress-cilium').spec.egressDeny).toEqual([
      { toEndpoints: [{ matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'Exists' }] }], toPorts: [{ ports: [{ port: '2379', protocol: 'TCP' }] }] },
      { toEndpoints: [{ matchLabels: { 'app': 'db', 'k8s:io.kubernetes.pod.namespace': 'data' } }], toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }] }] },
      { toEndpoints: [{ matchLabels: { 'app': 'pg', 'k8s:io.kubernetes.pod.namespace': 'data' } }], toPorts: [{ ports: [{ port: '5433', protocol: 'TCP' }] }] },
      { toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system' } }], toPorts: [{ ports: [{ port: '10250', protocol: 'TCP' }] }] },
    ]);
  });

  test('namespaces by their labels: each label as io.cilium.k8s.namespace.labels.<key>, with the namespace key\'s Exists so no release confines it', () => {
    const chart = chartOn(NetworkTarget.cilium());
    const net = NetworkPolicies.of(chart);
    net.deny(backend, Peer.namespaces(Selector.labels({ team: 'a' })), Port.tcp(1));
    net.deny(backend, Peer.podsInNamespaces(Selector.expressions([LabelExpression.notIn('env', ['prod'])]), Selector.labels({ app: 'db' })), Port.tcp(2));
    net.deny(backend, Peer.podsInAllNamespaces(Selector.labels({ app: 'db' })), Port.tcp(3));
    const exists = { key: 'k8s:io.kubernetes.pod.namespace', operator: 'Exists' };
    expect(byName(chart, 'backend-egress-cilium').spec.egressDeny).toEqual([
      { toEndpoints: [{ matchLabels: { 'k8s:io.cilium.k8s.namespace.labels.team': 'a' }, matchExpressions: [exists] }], toPorts: [{ ports: [{ port: '1', protocol: 'TCP' }] }] },
      { toEndpoints: [{ matchLabels: { app: 'db' }, matchExpressions: [{ key: 'k8s:io.cilium.k8s.namespace.labels.env', operator: 'NotIn', values: ['prod'] }, exists] }], toPorts: [{ ports: [{ port: '2', protocol: 'TCP' }] }] },
      { toEndpoints: [{ matchLabels: { app: 'db' }, matchExpressions: [exists] }], toPorts: [{ ports: [{ port: '3', protocol: 'TCP' }] }] },
    ]);
  });

  test('refused in a CiliumNetworkPolicy: a pod key Cilium reads as the namespace, a namespace label key too long for Cilium\'s stored form', () => {
    const net = NetworkPolicies.of(chartOn(NetworkTarget.cilium()));
    expect(() => net.deny(backend, Peer.pods(Selector.labels({ 'io.kubernetes.pod.namespace': 'data' })), Port.tcp(1)))
      .toThrow(/selects pods by the label key "io.kubernetes.pod.namespace", which Cilium gives every pod for its namespace/);
    expect(() => net.deny(backend, Peer.podsInNamespace('data', Selector.labels({ 'io.cilium.k8s.namespace.labels.team': 'a' })), Port.tcp(1)))
      .toThrow(/label key "io.cilium.k8s.namespace.labels.team".*Select the pods by a label of their own/);
    const long = 'a'.repeat(29);
    expect(() => net.deny(backend, Peer.namespaces(Selector.labels({ [long]: 'x' })), Port.tcp(1)))
      .toThrow(new RegExp(`selects namespaces by the label "${long}".*not a valid label key`));
    // 28 characters fit: "k8s.io.cilium.k8s.namespace.labels." is 35 of the 63.
    expect(() => net.deny(backend, Peer.namespaces(Selector.labels({ ['a'.repeat(28)]: 'x' })), Port.tcp(1))).not.toThrow();
  });

  test('the output does not depend on the order of declarations', () => {
    const declarations = [
      (n: NetworkPolicies) => n.allow(backend, stripe, Port.tcp(443)),
      (n: NetworkPolicies) => n.allow(backend, Entity.kubeApiServer(), Port.tcp(6443)),
      (n: NetworkPolicies) => n.deny(backend, ExternalDestination.cidrs('m', ['169.254.169.254/32']), Port.allTraffic()),
      (n: NetworkPolicies) => n.allowHttp(web, backend, Port.tcp(8080), HttpRule.of({ path: '/a' })),
      (n: NetworkPolicies) => n.allowHttp(web, backend, Port.tcp(8080), HttpRule.of({ path: '/b' })),
      (n: NetworkPolicies) => n.allow(backend, ExternalDestination.dnsNames('gh', ['api.github.com']), Port.tcp(443)),
    ];
    const render = (order: number[]) => {
      const chart = chartOn(NetworkTarget.cilium());
      const net = NetworkPolicies.of(chart);
      for (const i of order) declarations[i](net);
      return Yaml.stringify(...Testing.synth(chart));
    };
    const first = render([0, 1, 2, 3, 4, 5]);
    expect(render([5, 4, 3, 2, 1, 0])).toEqual(first);
    expect(render([3, 0, 5, 1, 4, 2, 0, 3])).toEqual(first);
  });
});
