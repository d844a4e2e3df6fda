import { App, Chart, Testing, Yaml } from 'cdk8s';
import {
  ApplicationStack, Endpoint, Entity, ExternalDestination, ExternalEgress, HttpMethod, HttpRule, NetworkPolicies, NetworkTarget, Peer, Port,
  Reachability,
} from '../../src';
import { checkCiliumPolicy } from '../../src/k8s/cilium-rules';
import { RECIPES, runRecipe } from '../recipes/catalogue';

/**
 * `ExternalDestination.kubernetesApiServer([...])` on each target. Cilium's CIDR rules do not match
 * the API server where it runs on the cluster's nodes ("CIDR rules do not apply to traffic where both
 * sides of the connection are either managed by Cilium or use an IP belonging to a node in the
 * cluster"; "you must ordinarily use the kube-apiserver entity as part of a CiliumNetworkPolicy",
 * docs.cilium.io, Policy Language), so on Cilium the connection is the entity `kube-apiserver`, and
 * on every other target the ipBlocks, exactly as before.
 */

const backend = Endpoint.fromLabels('backend', { app: 'backend' });
const webhook = Endpoint.fromLabels('webhook', { app: 'webhook' });
const apiServer = () => ExternalDestination.kubernetesApiServer(['10.0.0.1']);

function chartOn(target?: NetworkTarget): Chart {
  const app = Testing.app();
  if (target) NetworkTarget.declare(app, target);
  return new Chart(app, 'c', { namespace: 'shop' });
}

const kinds = (chart: Chart) => Testing.synth(chart).map((o) => `${o.kind}/${o.metadata.name}`);
const byName = (chart: Chart, name: string) => Testing.synth(chart).find((o) => o.metadata.name === name);
const TO_API_SERVER_443 = { toEntities: ['kube-apiserver'], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] };

describe('plain targets: the ipBlocks, unchanged', () => {
  test.each([
    ['the default', undefined],
    ['kubernetes()', NetworkTarget.kubernetes()],
    ['calico()', NetworkTarget.calico()],
  ])('on %s the output is byte-identical to the same addresses given as CIDRs, and it allows only the API server on its port', (_, target) => {
    const chart = chartOn(target);
    NetworkPolicies.of(chart).allow(backend, apiServer(), Port.tcp(443));
    const same = chartOn(target);
    NetworkPolicies.of(same).allow(backend, ExternalDestination.cidrs('kubernetes-api', ['10.0.0.1/32']), Port.tcp(443));
    const yaml = Yaml.stringify(...Testing.synth(chart));
    expect(yaml).toBe(Yaml.stringify(...Testing.synth(same)));
    expect(kinds(chart)).toEqual(['NetworkPolicy/backend-egress']);
    expect(byName(chart, 'backend-egress').spec.egress).toEqual([{ to: [{ ipBlock: { cidr: '10.0.0.1/32' } }], ports: [{ port: 443, protocol: 'TCP' }] }]);

    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'backend', namespace: 'shop', labels: { app: 'backend' } }, spec: { containers: [{ name: 'c' }] } };
    const r = Reachability.fromManifests([...Testing.synth(chart), pod], { externals: [{ name: 'api', ip: '10.0.0.1' }, { name: 'other', ip: '10.0.0.2' }] });
    expect(r.allows('shop/backend', 'api', Port.tcp(443))).toBe(true);
    expect(r.allows('shop/backend', 'api', Port.tcp(80))).toBe(false);
    expect(r.allows('shop/backend', 'other', Port.tcp(443))).toBe(false);
  });

  test('ExternalEgress on the default target keeps its NetworkPolicy', () => {
    const chart = chartOn();
    new ExternalEgress(chart, 'api', { from: backend, to: apiServer(), ports: [Port.tcp(6443)] });
    expect(kinds(chart)).toEqual(['NetworkPolicy/backend-egress']);
    expect(byName(chart, 'backend-egress').spec.egress).toEqual([{ to: [{ ipBlock: { cidr: '10.0.0.1/32' } }], ports: [{ port: 6443, protocol: 'TCP' }] }]);
  });
});

describe('Cilium: the entity kube-apiserver, never the ipBlock', () => {
  test('allow(endpoint, kubernetesApiServer, port) is a CiliumNetworkPolicy toEntities [kube-apiserver] on that port, and no NetworkPolicy', () => {
    const chart = chartOn(NetworkTarget.cilium());
    NetworkPolicies.of(chart).allow(backend, apiServer(), Port.tcp(443));
    expect(kinds(chart)).toEqual(['CiliumNetworkPolicy/backend-egress-cilium']);
    const cnp = byName(chart, 'backend-egress-cilium');
    expect(cnp.spec).toEqual({ endpointSelector: { matchLabels: { app: 'backend' } }, egress: [TO_API_SERVER_443] });
    expect(checkCiliumPolicy(cnp)).toEqual([]);
    // Not an ipBlock anywhere: the addresses Cilium would not match are not written.
    expect(JSON.stringify(Testing.synth(chart))).not.toContain('10.0.0.1');
  });

  test('the same objects as Entity.kubeApiServer(), the other ports of the declaration kept, nothing wider', () => {
    const chart = chartOn(NetworkTarget.cilium());
    NetworkPolicies.of(chart).allow(backend, apiServer(), Port.tcp(443), Port.tcp(6443));
    const same = chartOn(NetworkTarget.cilium());
    NetworkPolicies.of(same).allow(backend, Entity.kubeApiServer(), Port.tcp(443), Port.tcp(6443));
    expect(Yaml.stringify(...Testing.synth(chart))).toBe(Yaml.stringify(...Testing.synth(same)));
    expect(byName(chart, 'backend-egress-cilium').spec.egress).toEqual([
      { toEntities: ['kube-apiserver'], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }, { port: '6443', protocol: 'TCP' }] }] },
    ]);
  });

  test('from the API server (a webhook\'s ingress) is fromEntities [kube-apiserver]', () => {
    const chart = chartOn(NetworkTarget.cilium());
    NetworkPolicies.of(chart).allow(apiServer(), webhook, Port.tcp(9443));
    expect(kinds(chart)).toEqual(['CiliumNetworkPolicy/webhook-ingress-cilium']);
    expect(byName(chart, 'webhook-ingress-cilium').spec.ingress).toEqual([
      { fromEntities: ['kube-apiserver'], toPorts: [{ ports: [{ port: '9443', protocol: 'TCP' }] }] },
    ]);
  });

  test('ExternalEgress, ApplicationStack.allow and allowExternal write the entity too', () => {
    const app = Testing.app();
    NetworkTarget.declare(app, NetworkTarget.cilium());
    const chart = new Chart(app, 'c', { namespace: 'shop' });
    new ExternalEgress(chart, 'api', { from: backend, to: apiServer(), ports: [Port.tcp(443)] });
    const stack = new ApplicationStack(app, 'stack', { namespace: 'pay' });
    const payments = stack.addService('payments', { labels: { app: 'payments' }, ports: [{ number: 8080 }] });
    const ledger = stack.addService('ledger', { labels: { app: 'ledger' }, ports: [{ number: 8080 }] });
    stack.allow(payments, apiServer(), Port.tcp(443));
    stack.allowExternal(ledger, apiServer(), Port.tcp(443));
    expect(kinds(chart)).toEqual(['CiliumNetworkPolicy/backend-egress-cilium']);
    expect(byName(chart, 'backend-egress-cilium').spec.egress).toEqual([TO_API_SERVER_443]);
    expect(byName(stack, 'payments-egress-cilium').spec.egress).toEqual([TO_API_SERVER_443]);
    expect(byName(stack, 'ledger-egress-cilium').spec.egress).toEqual([TO_API_SERVER_443]);
    expect(JSON.stringify(Testing.synth(stack))).not.toContain('10.0.0.1');
  });

  test('a deny of the API server is an egressDeny of the entity (a CIDR deny would not match it either)', () => {
    const chart = chartOn(NetworkTarget.cilium());
    NetworkPolicies.of(chart).deny(backend, apiServer(), Port.allTraffic());
    expect(byName(chart, 'backend-egress-cilium').spec).toEqual({
      endpointSelector: { matchLabels: { app: 'backend' } }, enableDefaultDeny: { egress: false }, egressDeny: [{ toEntities: ['kube-apiserver'] }],
    });
  });

  test('HTTP rules to the API server are on the entity, and still refused off Cilium', () => {
    const chart = chartOn(NetworkTarget.cilium());
    NetworkPolicies.of(chart).allowHttp(backend, apiServer(), Port.tcp(443), HttpRule.of({ method: HttpMethod.GET, path: '/api/.*' }));
    expect(byName(chart, 'backend-egress-cilium').spec.egress).toEqual([
      { toEntities: ['kube-apiserver'], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: '/api/.*' }] } }] },
    ]);
    const plain = chartOn();
    NetworkPolicies.of(plain).allowHttp(backend, apiServer(), Port.tcp(443), HttpRule.of({ method: HttpMethod.GET, path: '/api/.*' }));
    expect(() => Testing.synth(plain)).toThrow(/needs HTTP rules .*cannot express/);
  });

  test('refused as before: no port (the API server declares none), and neither end an endpoint', () => {
    const chart = chartOn(NetworkTarget.cilium());
    expect(() => NetworkPolicies.of(chart).allow(backend, apiServer())).toThrow(/a rule needs at least one port, got \[\]/);
    expect(() => NetworkPolicies.of(chart).allow(apiServer(), Entity.world(), Port.tcp(443))).toThrow(/neither end is an endpoint/);
  });

  test('an API server destination of another installed copy of the package keeps what it is', () => {
    const foreign = (apiServerFlag: boolean) => Object.defineProperty(
      { name: 'kubernetes-api', peers: [Peer.ipBlock('10.0.0.1/32')], fqdns: [], _isKubernetesApiServer: apiServerFlag },
      Symbol.for('cdk8s-netpol.ExternalDestination'), { value: true });
    const chart = chartOn(NetworkTarget.cilium());
    NetworkPolicies.of(chart).allow(backend, foreign(true) as any, Port.tcp(443));
    expect(kinds(chart)).toEqual(['CiliumNetworkPolicy/backend-egress-cilium']);
    expect(byName(chart, 'backend-egress-cilium').spec.egress).toEqual([TO_API_SERVER_443]);
    // Addresses that do not say they are the API server stay addresses.
    const plain = chartOn(NetworkTarget.cilium());
    NetworkPolicies.of(plain).allow(backend, foreign(false) as any, Port.tcp(443));
    expect(kinds(plain)).toEqual(['NetworkPolicy/backend-egress']);
  });

  test('a Cilium target declared after the connection fails the synth, naming the declaration and the fix', () => {
    for (const declare of [
      (_app: App, chart: Chart) => NetworkPolicies.of(chart).allow(backend, apiServer(), Port.tcp(443)),
      (_app: App, chart: Chart) => new ExternalEgress(chart, 'api', { from: backend, to: apiServer(), ports: [Port.tcp(443)] }),
    ]) {
      const app = Testing.app();
      const chart = new Chart(app, 'c', { namespace: 'shop' });
      declare(app, chart);
      NetworkTarget.declare(app, NetworkTarget.cilium());
      expect(() => Testing.synth(chart)).toThrow(/-> kubernetes-api \(10\.0\.0\.1\/32\)|ExternalEgress to kubernetes-api/);
      expect(() => Testing.synth(chart)).toThrow(/NetworkTarget\.cilium\(\) was declared after this connection.*Cilium does not match.*NetworkTarget\.declare\(app, NetworkTarget\.cilium\(\)\).*Entity\.kubeApiServer\(\)/);
    }
    // Declared after on a plain target, nothing changes.
    const app = Testing.app();
    const chart = new Chart(app, 'c', { namespace: 'shop' });
    NetworkPolicies.of(chart).allow(backend, apiServer(), Port.tcp(443));
    NetworkTarget.declare(app, NetworkTarget.kubernetes());
    expect(kinds(chart)).toEqual(['NetworkPolicy/backend-egress']);
  });
});

describe('the recipe "Allow the Kubernetes API server"', () => {
  const recipe = RECIPES.find((r) => r.id === 'allow-the-kubernetes-api-server')!;
  const synthOn = (target?: NetworkTarget) => Testing.synth(runRecipe(recipe, target).charts[0]);

  test('on Cilium, as its description says: toEntities [kube-apiserver] on 443/TCP, no ipBlock', () => {
    expect(recipe.description).toContain('`toEntities: [kube-apiserver]` on 443/TCP');
    const objects = synthOn(NetworkTarget.cilium());
    expect(objects.find((o) => o.metadata.name === 'api-egress-cilium').spec).toEqual({ endpointSelector: { matchLabels: { app: 'api' } }, egress: [TO_API_SERVER_443] });
    expect(objects.find((o) => o.metadata.name === 'api-egress')).toBeUndefined();
    expect(JSON.stringify(objects)).not.toContain('10.0.0.1');
  });

  test('on plain Kubernetes, the ipBlock of the endpoint address', () => {
    const objects = synthOn();
    expect(objects.find((o) => o.metadata.name === 'api-egress').spec.egress).toEqual([{ to: [{ ipBlock: { cidr: '10.0.0.1/32' } }], ports: [{ port: 443, protocol: 'TCP' }] }]);
    expect(objects.filter((o) => o.kind === 'CiliumNetworkPolicy')).toEqual([]);
  });
});
