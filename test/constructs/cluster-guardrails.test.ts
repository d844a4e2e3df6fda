import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Testing } from 'cdk8s';
import {
  AdminGuardrail, BaselineGuardrail, ClusterNodes, ClusterPolicyApi, DecisionTier, Endpoint, Entity, ExternalDestination, GuardrailSubject,
  LabelExpression, LintCode, NetpolApp, NetworkTarget, Peer, Port, Protocol, Reachability, Selector, validateManifests,
} from '../../src';

const V1 = ClusterPolicyApi.ADMIN_NETWORK_POLICY_V1ALPHA1;
const V2 = ClusterPolicyApi.CLUSTER_NETWORK_POLICY_V1ALPHA2;

/** An app whose target implements `api`, and a chart with a default namespace (which cluster objects must not get). */
function chartFor(api: ClusterPolicyApi | 'cilium' | 'default'): { app: App; chart: Chart } {
  const app = Testing.app();
  if (api === 'cilium') NetworkTarget.declare(app, NetworkTarget.cilium());
  else if (api !== 'default') NetworkTarget.declare(app, NetworkTarget.kubernetes({ clusterPolicyApi: api }));
  return { app, chart: new Chart(app, 'platform', { namespace: 'platform' }) };
}

const ns = (name: string, labels: Record<string, string> = {}) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
const pod = (namespace: string, name: string, labels: Record<string, string>, ip: string, ports: Array<[number, string, string?]> = [[8080, 'http']]) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace, labels },
  spec: { containers: [{ name: 'c', ports: ports.map(([containerPort, portName, protocol]) => ({ containerPort, name: portName, protocol: protocol ?? 'TCP' })) }] },
  status: { podIP: ip },
});
const CLUSTER = [
  ns('monitoring'), ns('kube-system'), ns('shop', { tenant: 'shop' }), ns('blog', { tenant: 'blog' }),
  pod('monitoring', 'prom', { app: 'prom' }, '10.0.1.1'), pod('kube-system', 'coredns', { 'k8s-app': 'kube-dns' }, '10.0.2.1', [[53, 'dns', 'UDP'], [53, 'dns-tcp']]),
  pod('shop', 'web', { app: 'web' }, '10.0.3.1', [[8080, 'http'], [9090, 'metrics']]), pod('blog', 'web', { app: 'web' }, '10.0.4.1', [[8080, 'http'], [9090, 'metrics']]),
];
const METADATA = { externals: [{ name: 'metadata', ip: '169.254.169.254' }, { name: 'internet', ip: '198.51.100.7' }] };

/** The documented platform essentials (the API site's recipe 1), as a guardrail. */
function essentials(chart: Chart): AdminGuardrail {
  const g = new AdminGuardrail(chart, 'cluster-essentials', { priority: 10, subject: GuardrailSubject.allNamespaces() });
  g.allow(Peer.namespace('monitoring'), g.subject, Port.tcp(9090));
  g.allow(g.subject, Peer.podsInNamespace('kube-system', Selector.labels({ 'k8s-app': 'kube-dns' })), Port.udp(53), Port.tcp(53));
  return g;
}

describe('the kind follows the network target, declared once', () => {
  test('v1alpha1: an AdminNetworkPolicy with Allow and ports, cluster-scoped (no namespace from the chart)', () => {
    const { chart } = chartFor(V1);
    essentials(chart);
    expect(Testing.synth(chart)).toEqual([{
      apiVersion: 'policy.networking.k8s.io/v1alpha1',
      kind: 'AdminNetworkPolicy',
      metadata: { name: 'cluster-essentials', labels: { 'app.kubernetes.io/managed-by': 'cdk8s-netpol' } },
      spec: {
        priority: 10,
        subject: { namespaces: {} },
        ingress: [{
          name: 'allow-from-all-pods-in-namespace-monitoring',
          action: 'Allow',
          from: [{ namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }],
          ports: [{ portNumber: { protocol: 'TCP', port: 9090 } }],
        }],
        egress: [{
          name: 'allow-to-pods-k8s-app-kube-dns-in-namespace-kube-system',
          action: 'Allow',
          to: [{ pods: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } } }],
          ports: [{ portNumber: { protocol: 'TCP', port: 53 } }, { portNumber: { protocol: 'UDP', port: 53 } }],
        }],
      },
    }]);
  });

  test('v1alpha2: a ClusterNetworkPolicy with tier Admin, Accept and protocols', () => {
    const { chart } = chartFor(V2);
    essentials(chart);
    const [cnp] = Testing.synth(chart);
    expect(cnp).toMatchObject({ apiVersion: 'policy.networking.k8s.io/v1alpha2', kind: 'ClusterNetworkPolicy', spec: { tier: 'Admin', priority: 10 } });
    expect(cnp.metadata.namespace).toBeUndefined();
    expect(cnp.spec.ingress[0]).toMatchObject({ action: 'Accept', protocols: [{ tcp: { destinationPort: { number: 9090 } } }] });
    expect(cnp.spec.egress[0].protocols).toEqual([{ tcp: { destinationPort: { number: 53 } } }, { udp: { destinationPort: { number: 53 } } }]);
  });

  test.each([['default', /plain Kubernetes is the default target/], ['cilium', /Cilium implements no version of the sig-network cluster policy API/]] as const)(
    'a target without the API (%s) fails the synth, saying why and what to declare or write instead', (target, why) => {
      const { app, chart } = chartFor(target);
      essentials(chart);
      expect(() => app.synth()).toThrow(why);
      expect(() => app.synth()).toThrow(/\[platform\/cluster-essentials\] .*AdminGuardrail cluster-essentials is a cluster guardrail .*ClusterPolicyApi.CLUSTER_NETWORK_POLICY_V1ALPHA2/);
      expect(Testing.synth(new Chart(Testing.app(), 'empty'))).toEqual([]);
    });

  test('a target declared after the guardrail was made fails the synth instead of emitting the wrong kind', () => {
    const app = Testing.app();
    essentials(new Chart(app, 'c'));
    NetworkTarget.declare(app, NetworkTarget.kubernetes({ clusterPolicyApi: V2 }));
    expect(() => app.synth()).toThrow(/was made when the network target was NetworkTarget.kubernetes\(\), but it is now .*declare the target .* before creating guardrails/);
  });

  test('NetpolApp writes, reads back and validates the guardrails of its target', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-guardrails-'));
    const app = new NetpolApp({ outdir: path.join(outdir, 'dist'), target: NetworkTarget.calico({ clusterPolicyApi: V1 }) });
    essentials(new Chart(app, 'platform', { namespace: 'platform' }));
    app.synth();
    const written = fs.readFileSync(path.join(outdir, 'dist', 'platform.k8s.yaml'), 'utf8');
    expect(written).toMatch(/^kind: AdminNetworkPolicy$/m);
    expect(written).not.toMatch(/namespace: platform/);
  });
});

describe('rules: one verb set, read left to right, first match decides', () => {
  test('deny and pass, networks, nodes, ranges and all traffic, in declaration order', () => {
    const { chart } = chartFor(V1);
    const g = new AdminGuardrail(chart, 'g', { priority: 5, subject: GuardrailSubject.namespaces(Selector.expressions([LabelExpression.exists('tenant')])) });
    g.pass(Peer.namespaces(Selector.labels({ tenant: 'shop' })), g.subject, Port.tcp(8080));
    g.deny(g.subject, ExternalDestination.cidrs('metadata', ['169.254.169.254/32', 'fd00:ec2::254/128']), Port.allTraffic());
    g.deny(g.subject, ClusterNodes.all(), Port.tcpRange(10250, 10259), Port.allUdp());
    const spec = g.toManifest().spec;
    expect(spec.ingress).toEqual([{
      name: 'pass-from-all-pods-in-namespaces-tenant-shop',
      action: 'Pass',
      from: [{ namespaces: { matchLabels: { tenant: 'shop' } } }],
      ports: [{ portNumber: { protocol: 'TCP', port: 8080 } }],
    }]);
    expect(spec.egress.map((r: any) => [r.action, r.to, r.ports])).toEqual([
      ['Deny', [{ networks: ['169.254.169.254/32', 'fd00:ec2::254/128'] }], undefined],
      ['Deny', [{ nodes: {} }], [{ portRange: { protocol: 'TCP', start: 10250, end: 10259 } }, { portRange: { protocol: 'UDP', start: 1, end: 65535 } }]],
    ]);
  });

  test('domain names: an Admin allow-list on v1alpha2, then a deny of every address', () => {
    const { chart } = chartFor(V2);
    const g = new AdminGuardrail(chart, 'egress-allow-list', { priority: 55, subject: GuardrailSubject.namespace('monitoring') });
    g.allow(g.subject, ExternalDestination.dnsNames('my-service', ['my-service.com', '*.cloud-provider.io']), Port.tcp(443));
    g.deny(g.subject, ExternalDestination.cidrs('everywhere', ['0.0.0.0/0', '::/0']), Port.allTraffic());
    expect(g.toManifest().spec.egress).toEqual([
      { name: 'allow-to-my-service-any.cloud-provider.io-my-service.com', action: 'Accept', to: [{ domainNames: ['*.cloud-provider.io', 'my-service.com'] }], protocols: [{ tcp: { destinationPort: { number: 443 } } }] },
      { name: 'deny-to-everywhere-0.0.0.0-0-0', action: 'Deny', to: [{ networks: ['0.0.0.0/0', '::/0'] }] },
    ]);
  });

  test('an endpoint is the pods of its namespace (the chart\'s when it has none)', () => {
    const { chart } = chartFor(V2);
    const g = new AdminGuardrail(chart, 'g', { priority: 1, subject: GuardrailSubject.allNamespaces() });
    g.deny(g.subject, Endpoint.fromLabels('vault', { app: 'vault' }), Port.tcp(8200));
    expect(g.toManifest().spec.egress[0].to).toEqual([{ pods: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'platform' } }, podSelector: { matchLabels: { app: 'vault' } } } }]);
  });

  test('what the API cannot say exactly is refused with the fix, never widened', () => {
    const { chart } = chartFor(V2);
    const g = new AdminGuardrail(chart, 'g', { priority: 1, subject: GuardrailSubject.allNamespaces() });
    const b = new BaselineGuardrail(chart, 'b', { subject: GuardrailSubject.allNamespaces() });
    const s = g.subject;
    expect(() => g.allow(s, Peer.namespace('x'))).toThrow(/\[platform\/g\] AdminGuardrail.allow: no ports given.*Port.allTraffic\(\)/);
    expect(() => g.allow(Peer.namespace('x'), Peer.namespace('y'), Port.tcp(1))).toThrow(/neither .* is this guardrail's subject/);
    expect(() => g.allow(s, s, Port.tcp(1))).toThrow(/both ends are the guardrail's subject/);
    expect(() => g.allow(b.subject, Peer.namespace('x'), Port.tcp(1))).not.toThrow(); // same selection: the same subject
    expect(() => g.allow(GuardrailSubject.namespace('other'), Peer.namespace('x'), Port.tcp(1))).toThrow(/is a GuardrailSubject, but not this guardrail's/);
    expect(() => g.allow(s, Peer.anyone(), Port.tcp(1))).toThrow(/Peer.anyone\(\) cannot be a peer of a cluster policy/);
    expect(() => g.allow(s, Peer.pods(Selector.labels({ app: 'a' })), Port.tcp(1))).toThrow(/a cluster policy has none. Name the namespace/);
    expect(() => g.allow(s, ExternalDestination.internet(), Port.tcp(443))).toThrow(/has exceptions .* which a networks peer cannot say/);
    expect(() => g.allow(Peer.ipBlock('10.0.0.0/8'), s, Port.tcp(1))).toThrow(/no address peers in ingress rules/);
    expect(() => g.allow(ClusterNodes.all(), s, Port.tcp(1))).toThrow(/node peers exist only in egress rules/);
    expect(() => g.deny(s, ExternalDestination.dnsNames('x', ['x.example.com']), Port.tcp(443))).toThrow(/domainNames peers exist only in Allow\/Accept rules of the Admin tier/);
    expect(() => b.allow(b.subject, ExternalDestination.dnsNames('x', ['x.example.com']), Port.tcp(443))).toThrow(/of the Baseline tier/);
    expect(() => g.allow(s, ExternalDestination.cidrs('x', ['10.0.0.0/8']), Port.named('http'))).toThrow(/named ports carry no protocol; use the number/);
    expect(() => g.allow(s, Entity.kubeApiServer(), Port.tcp(443))).toThrow(/Cilium entity/);
    expect(() => g.allow(s, Peer.namespace('x'), Port.allTraffic(), Port.tcp(1))).toThrow(/Port.allTraffic\(\) is given with other ports/);
    expect(() => g.allow(s, { name: 'x' } as any, Port.tcp(1))).toThrow(/is not an Endpoint/);
    expect(() => (b as any).pass(Peer.namespace('x'), b.subject, Port.tcp(1))).toThrow(/is not a function/);
  });

  describe.each([V1, V2])('named ports (%s): refused, since the API\'s carry no protocol', (api) => {
    const denyAll = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny', namespace: 'shop' }, spec: { podSelector: {}, policyTypes: ['Ingress'] } };
    // `metrics` is TCP 9090 on the pod: a namedPort rule would match it whatever protocol was declared.
    const cluster = [ns('shop'), ns('monitoring'), pod('monitoring', 'prom', { app: 'prom' }, '10.0.0.1', []),
      pod('shop', 'web', { app: 'web' }, '10.0.0.2', [[9090, 'metrics', 'TCP'], [9090, 'metrics-udp', 'UDP']]), denyAll];

    test('Port.named(name, UDP) in an Admin allow is refused, naming the construct, the rule and the fix', () => {
      const { chart } = chartFor(api);
      const g = new AdminGuardrail(chart, 'scrape', { priority: 1, subject: GuardrailSubject.namespace('shop') });
      for (const port of [Port.named('metrics', Protocol.UDP), Port.named('metrics')]) {
        expect(() => g.allow(Peer.namespace('monitoring'), g.subject, port))
          .toThrow(/\[platform\/scrape\] AdminGuardrail.allow: allow\(all pods in namespace monitoring, .*metrics.*the policy API's named ports carry no protocol; use the number/);
      }
      const b = new BaselineGuardrail(chart, 'b', { subject: GuardrailSubject.namespace('shop') });
      expect(() => b.deny(b.subject, Peer.namespace('monitoring'), Port.tcp(53), Port.named('dns', Protocol.UDP))).toThrow(/BaselineGuardrail.deny: .*named port .*dns/);
    });

    test('the number with its protocol allows that protocol only (the analyser)', () => {
      const { app, chart } = chartFor(api);
      const g = new AdminGuardrail(chart, 'scrape', { priority: 1, subject: GuardrailSubject.namespace('shop') });
      g.allow(Peer.namespace('monitoring'), g.subject, Port.udp(9090));
      const r = Reachability.fromManifests([...cluster, ...Testing.synth(chart)]);
      expect(r.allows('monitoring/prom', 'shop/web', Port.udp(9090))).toBe(true);
      expect(r.allows('monitoring/prom', 'shop/web', Port.tcp(9090))).toBe(false);
      void app;
    });
  });

  test('a guardrail without rules fails the synth; one that the API server would refuse too (a rule limit)', () => {
    const { app, chart } = chartFor(V2);
    new AdminGuardrail(chart, 'empty', { priority: 1, subject: GuardrailSubject.allNamespaces() });
    expect(() => app.synth()).toThrow(/AdminGuardrail empty has no rules/);
    const other = chartFor(V2);
    const g = new AdminGuardrail(other.chart, 'big', { priority: 1, subject: GuardrailSubject.allNamespaces() });
    for (let i = 1; i <= 26; i++) g.deny(Peer.namespace(`n${i}`), g.subject, Port.tcp(i));
    expect(() => other.app.synth()).toThrow(/\[platform\/big\] spec.ingress: Too many: must have at most 25 items \(has 26\)/);
  });
});

describe('props are copied and checked like ApplicationStack\'s', () => {
  test('hostile input is refused with the construct path', () => {
    const { chart } = chartFor(V1);
    expect(() => new AdminGuardrail(chart, 'a', undefined as any)).toThrow(/\[platform\/a\] AdminGuardrail props undefined are not properties/);
    expect(() => new AdminGuardrail(chart, 'b', { priority: 1001, subject: GuardrailSubject.allNamespaces() })).toThrow(/priority 1001 is not a priority: give an integer from 0/);
    expect(() => new AdminGuardrail(chart, 'c', { priority: '5' as any, subject: GuardrailSubject.allNamespaces() })).toThrow(/priority "5" is not a priority/);
    expect(() => new AdminGuardrail(chart, 'd', { priority: 1 } as any)).toThrow(/subject is missing/);
    expect(() => new AdminGuardrail(chart, 'e', { priority: 1, subject: { namespaces: {} } as any })).toThrow(/\[platform\/e\] subject: .* is not a GuardrailSubject/);
    const fake = Object.create(GuardrailSubject.prototype);
    expect(() => new AdminGuardrail(chart, 'f', { priority: 1, subject: fake })).toThrow(/that no GuardrailSubject factory made/);
    expect(() => new AdminGuardrail(chart, 'g', { priority: 1, subject: GuardrailSubject.allNamespaces(), name: 'Not_A_Name' })).toThrow(/is not a valid object name/);
    expect(() => new AdminGuardrail(chart, 'h', { priority: 1, subject: GuardrailSubject.allNamespaces(), platformAllow: '' })).toThrow(/platformAllow "" is not a description/);
    expect(() => (GuardrailSubject as any).namespace('Bad/Name')).toThrow(/is not a valid namespace name/);
    expect(() => new (GuardrailSubject as any)()).toThrow(/is not how a GuardrailSubject is made/);
  });

  test('changing the props object after use changes nothing', () => {
    const { chart } = chartFor(V1);
    const props: any = { priority: 3, subject: GuardrailSubject.allNamespaces() };
    const g = new AdminGuardrail(chart, 'g', props);
    props.priority = 900;
    props.subject = GuardrailSubject.namespace('x');
    g.deny(g.subject, Peer.namespace('y'), Port.tcp(1));
    expect(g.toManifest().spec).toMatchObject({ priority: 3, subject: { namespaces: {} } });
  });

  test('a subject made by another copy of the package is rebuilt through the factories', () => {
    const real = GuardrailSubject.podsInNamespace('shop', Selector.labels({ app: 'web' }));
    const foreign = Object.create(Object.prototype, {
      namespaceSelector: { get: () => real.namespaceSelector }, podSelector: { get: () => real.podSelector }, namespaceName: { get: () => 'shop' },
    });
    Object.defineProperty(foreign, Symbol.for('cdk8s-netpol.GuardrailSubject'), { value: true });
    const { chart } = chartFor(V1);
    const g = new AdminGuardrail(chart, 'g', { priority: 1, subject: foreign });
    expect(g.subject.toJson()).toEqual(real.toJson());
  });
});

describe('Baseline guardrails', () => {
  test('v1alpha1: the singleton default, no priority; a second one or a priority fails, naming the first', () => {
    const { chart } = chartFor(V1);
    const b = new BaselineGuardrail(chart, 'baseline', { subject: GuardrailSubject.allNamespaces() });
    b.deny(Peer.allNamespaces(), b.subject, Port.allTraffic());
    expect(b.toManifest()).toMatchObject({ kind: 'BaselineAdminNetworkPolicy', metadata: { name: 'default' }, spec: { subject: { namespaces: {} } } });
    expect(b.toManifest().spec.priority).toBeUndefined();
    expect(() => new BaselineGuardrail(chart, 'again', { subject: GuardrailSubject.allNamespaces() })).toThrow(/already declared at \[platform\/baseline\].*singleton/);
    expect(() => new BaselineGuardrail(chart, 'p', { subject: GuardrailSubject.allNamespaces(), priority: 3 })).toThrow(/has no priority, it is a singleton/);
    expect(() => new BaselineGuardrail(chart, 'n', { subject: GuardrailSubject.allNamespaces(), name: 'mine' })).toThrow(/singleton named "default"/);
  });

  test('v1alpha2: tier Baseline with a priority, several allowed', () => {
    const { chart } = chartFor(V2);
    const b = new BaselineGuardrail(chart, 'baseline', { subject: GuardrailSubject.allNamespaces(), priority: 10 });
    b.deny(Peer.allNamespaces(), b.subject, Port.allTraffic());
    new BaselineGuardrail(chart, 'other', { subject: GuardrailSubject.allNamespaces() }).allow(Peer.namespace('a'), b.subject, Port.tcp(1));
    expect(Testing.synth(chart).map((o) => [o.kind, o.metadata.name, o.spec.tier, o.spec.priority])).toEqual([
      ['ClusterNetworkPolicy', 'baseline', 'Baseline', 10], ['ClusterNetworkPolicy', 'other', 'Baseline', 0],
    ]);
  });

  test('two Admin guardrails with one name fail at the second', () => {
    const { chart } = chartFor(V2);
    new AdminGuardrail(chart, 'a', { priority: 1, subject: GuardrailSubject.allNamespaces(), name: 'same' });
    expect(() => new AdminGuardrail(chart, 'b', { priority: 2, subject: GuardrailSubject.allNamespaces(), name: 'same' })).toThrow(/ClusterNetworkPolicy same is already declared at \[platform\/a\]/);
  });
});

describe('what is emitted validates, is deterministic, and the analyser agrees with it', () => {
  for (const api of [V1, V2]) {
    test(`${api}: the API server's checks pass, same-priority overlap is NP016, output is byte-identical`, () => {
      const build = () => {
        const { chart } = chartFor(api);
        essentials(chart);
        const g = new AdminGuardrail(chart, 'same-priority', { priority: 10, subject: GuardrailSubject.namespace('shop') });
        g.deny(Peer.namespace('blog'), g.subject, Port.allTraffic());
        return Testing.synth(chart);
      };
      const out = build();
      expect(JSON.stringify(build())).toBe(JSON.stringify(out));
      const report = validateManifests(out.map((object) => ({ object })));
      expect(report.checkedClusterPolicies).toBe(2);
      expect(report.findings.filter((f) => f.severity === 'error')).toEqual([]);
      expect(report.findings.map((f) => [f.code, f.object])).toEqual([[LintCode.SAME_PRIORITY_OVERLAP, 'same-priority']]);
    });

    test(`${api}: allowed and denied as declared, decided by the Admin tier over NetworkPolicies`, () => {
      const { chart } = chartFor(api);
      essentials(chart);
      const g = new AdminGuardrail(chart, 'deny', { priority: 20, subject: GuardrailSubject.allNamespaces() });
      g.deny(g.subject, ExternalDestination.cidrs('metadata', ['169.254.169.254/32']), Port.allTraffic());
      g.deny(Peer.namespaces(Selector.labels({ tenant: 'blog' })), g.subject, Port.allTraffic());
      const isolate = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny', namespace: 'shop' }, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } };
      const r = Reachability.fromManifests([...CLUSTER, isolate, ...Testing.synth(chart)], METADATA);
      const monitoring = r.explain('monitoring/prom', 'shop/web', Port.tcp(9090));
      expect(monitoring.allowed).toBe(true);
      expect(monitoring.ingress).toMatchObject({ tier: DecisionTier.ADMIN, isolated: true, decidedBy: { policy: 'cluster-essentials', rule: 0 } });
      expect(r.explain('monitoring/prom', 'shop/web', Port.tcp(8080)).allowed).toBe(false); // the NetworkPolicy decides other ports
      expect(r.explain('shop/web', 'kube-system/coredns', Port.udp(53)).allowed).toBe(true);
      expect(r.explain('shop/web', 'metadata', Port.tcp(80)).allowed).toBe(false);
      expect(r.explain('blog/web', 'metadata', Port.tcp(80)).egress).toMatchObject({ allowed: false, tier: DecisionTier.ADMIN, decidedBy: { policy: 'deny' } });
      expect(r.explain('blog/web', 'internet', Port.tcp(443)).allowed).toBe(true);
      expect(r.explain('blog/web', 'shop/web', Port.tcp(8080)).allowed).toBe(false);
      expect(r.explain('shop/web', 'blog/web', Port.tcp(8080)).allowed).toBe(false); // shop's own egress isolation
      expect(r.explain('monitoring/prom', 'blog/web', Port.tcp(8080)).allowed).toBe(true);
    });
  }
});

describe('the API\'s documented examples, written with the constructs: the same objects, and the documented verdicts', () => {
  const withoutNames = (spec: any) => JSON.parse(JSON.stringify(spec, (k, v) => (k === 'name' ? undefined : v)));
  const np = (namespace: string, name: string, spec: any) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec });
  const world = [ns('payments'), ns('clients'), ns('other'), ns('monitoring-ns'), ns('kube-system'),
    pod('payments', 'public-api', { app: 'public-api' }, '10.1.0.1'), pod('clients', 'client', { app: 'client' }, '10.1.1.1'),
    pod('other', 'client', { app: 'client' }, '10.1.2.1'), pod('monitoring-ns', 'prom', { app: 'prom' }, '10.1.3.1'),
    pod('kube-system', 'coredns', { app: 'kube-dns' }, '10.1.4.1', [[53, 'dns', 'UDP']])];

  test('site recipe 3 (v1alpha1): Pass delegates to the NetworkPolicies, and a Pass grants nothing by itself', () => {
    const { chart } = chartFor(V1);
    const g = new AdminGuardrail(chart, 'delegate-public-api', { priority: 20, subject: GuardrailSubject.allNamespaces() });
    g.pass(g.subject, Peer.podsInNamespace('payments', Selector.labels({ app: 'public-api' })), Port.tcp(8080));
    expect(withoutNames(g.toManifest().spec)).toEqual({
      priority: 20,
      subject: { namespaces: {} },
      egress: [{
        action: 'Pass',
        to: [{ pods: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'payments' } }, podSelector: { matchLabels: { app: 'public-api' } } } }],
        ports: [{ portNumber: { protocol: 'TCP', port: 8080 } }],
      }],
    });
    const allowClients = np('payments', 'allow-client-to-public-api', {
      podSelector: { matchLabels: { app: 'public-api' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'clients' } } }], ports: [{ protocol: 'TCP', port: 8080 }] }],
    });
    const r = Reachability.fromManifests([...world, allowClients, ...Testing.synth(chart)]);
    expect(r.explain('clients/client', 'payments/public-api', Port.tcp(8080)).allowed).toBe(true);
    expect(r.explain('other/client', 'payments/public-api', Port.tcp(8080)).ingress).toMatchObject({ allowed: false, tier: DecisionTier.NETWORK_POLICY });
    // With the site's baseline deny (recipe 2), the passed egress of a pod no NetworkPolicy selects goes on to the baseline: denied.
    const b = new BaselineGuardrail(chart, 'baseline', { subject: GuardrailSubject.allNamespaces() });
    b.deny(Peer.allNamespaces(), b.subject, Port.allTraffic());
    b.deny(b.subject, Peer.allNamespaces(), Port.allTraffic());
    expect(withoutNames(b.toManifest().spec)).toEqual({
      subject: { namespaces: {} }, ingress: [{ action: 'Deny', from: [{ namespaces: {} }] }], egress: [{ action: 'Deny', to: [{ namespaces: {} }] }],
    });
    const withBaseline = Reachability.fromManifests([...world, allowClients, ...Testing.synth(chart)]);
    expect(withBaseline.explain('clients/client', 'payments/public-api', Port.tcp(8080)).egress)
      .toMatchObject({ allowed: false, tier: DecisionTier.BASELINE, passedBy: { action: 'Pass' } });
    const clientEgress = np('clients', 'egress', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: {} }] }] });
    expect(Reachability.fromManifests([...world, allowClients, clientEgress, ...Testing.synth(chart)]).allows('clients/client', 'payments/public-api', Port.tcp(8080))).toBe(true);
  });

  test('user story 2 (v1alpha2): cluster-wide Accept of monitoring and of DNS egress, final over a namespace deny', () => {
    const { chart } = chartFor(V2);
    const g = new AdminGuardrail(chart, 'cluster-wide-allow-example', { priority: 30, subject: GuardrailSubject.allNamespaces() });
    g.allow(Peer.namespace('monitoring-ns'), g.subject, Port.allTraffic());
    g.allow(g.subject, Peer.podsInNamespace('kube-system', Selector.labels({ app: 'kube-dns' })), Port.allTraffic());
    expect(withoutNames(g.toManifest().spec)).toEqual({
      tier: 'Admin',
      priority: 30,
      subject: { namespaces: {} },
      ingress: [{ action: 'Accept', from: [{ namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring-ns' } } }] }],
      egress: [{ action: 'Accept', to: [{ pods: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { app: 'kube-dns' } } } }] }],
    });
    const deny = np('payments', 'deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    const r = Reachability.fromManifests([...world, deny, ...Testing.synth(chart)]);
    expect(r.allows('monitoring-ns/prom', 'payments/public-api', Port.tcp(1234))).toBe(true);
    expect(r.allows('payments/public-api', 'kube-system/coredns', Port.udp(53))).toBe(true);
    expect(r.allows('clients/client', 'payments/public-api', Port.tcp(8080))).toBe(false);
    expect(r.allows('payments/public-api', 'clients/client', Port.tcp(8080))).toBe(false);
  });

  test('user story 5 (v1alpha2): the baseline default deny of ingress, which a NetworkPolicy overrides', () => {
    const { chart } = chartFor(V2);
    const b = new BaselineGuardrail(chart, 'default', { subject: GuardrailSubject.allNamespaces(), priority: 10 });
    b.deny(Peer.allNamespaces(), b.subject, Port.allTraffic());
    const [object] = Testing.synth(chart);
    expect({ ...object, spec: withoutNames(object.spec) }).toMatchObject({
      kind: 'ClusterNetworkPolicy',
      metadata: { name: 'default' },
      spec: { tier: 'Baseline', priority: 10, subject: { namespaces: {} }, ingress: [{ action: 'Deny', from: [{ namespaces: {} }] }] },
    });
    const open = np('payments', 'open', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: {} }] }] });
    const r = Reachability.fromManifests([...world, open, object]);
    expect(r.allows('clients/client', 'payments/public-api', Port.tcp(8080))).toBe(true);
    expect(r.explain('payments/public-api', 'clients/client', Port.tcp(8080)).ingress).toMatchObject({ allowed: false, tier: DecisionTier.BASELINE });
  });
});
