import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  AllowIngressController, BlockCloudMetadata, DefaultDeny, DenyExternalEgress, Direction, Endpoint, NetworkPolicies, Port, Reachability, Selector,
} from '../../src';
import { policiesOf } from '../helpers';
import { MODEL, MODEL_OPTIONS } from './catalogue';

/** A chart (namespace shop) with the web workload of the recipes' model cluster, as a cdk8s-plus-28 Deployment. */
function withWebWorkload() {
  const chart = new Chart(Testing.app(), 'recipes', { namespace: 'shop' });
  const deployment = new kplus.Deployment(chart, 'web', {
    metadata: { name: 'web' },
    podMetadata: { labels: { app: 'web' } },
    select: false,
    containers: [{ image: 'web', ports: [{ number: 8080, name: 'http' }, { number: 9090, name: 'metrics' }], securityContext: { user: 1000 } }],
  });
  deployment.select(kplus.LabelSelector.of({ labels: { app: 'web' } }));
  return { chart, web: Endpoint.fromWorkload(deployment) };
}

/** The model cluster with the chart's policies (its Deployment stands for the model's web pod, so that pod is left out). */
function analyse(chart: Chart): Reachability {
  const policies = chart.toJson().filter((o: any) => o.kind === 'NetworkPolicy');
  return Reachability.fromManifests([...MODEL, ...policies], MODEL_OPTIONS);
}

describe('recipes accept endpoints (and so cdk8s-plus-28 workloads)', () => {
  test('AllowIngressController: the rule goes into the workload\'s ingress policy, on its container ports', () => {
    const { chart, web } = withWebWorkload();
    new DefaultDeny(chart, 'default-deny', { directions: [Direction.INGRESS] });
    new AllowIngressController(chart, 'web-from-ingress', { endpoint: web });
    expect(policiesOf(chart).map((p) => p.metadata.name)).toEqual(['default-deny', 'web-ingress']);
    const r = analyse(chart);
    expect(r.allows('ingress-nginx/controller', 'shop/web', Port.tcp(8080))).toBe(true);
    expect(r.allows('ingress-nginx/controller', 'shop/web', Port.tcp(9090))).toBe(true);
    expect(r.allows('ingress-nginx/controller', 'shop/web', Port.tcp(8081))).toBe(false);
    expect(r.allows('other/client', 'shop/web', Port.tcp(8080))).toBe(false);
    expect(r.allows('ingress-nginx/controller', 'shop/api', Port.tcp(8080))).toBe(false);
  });

  test('AllowIngressController: explicit ports win; pods without ports, or an endpoint that declares none, are refused', () => {
    const { chart, web } = withWebWorkload();
    new AllowIngressController(chart, 'web-from-ingress', { endpoint: web, ports: [Port.named('http')] });
    expect(analyse(chart).allows('ingress-nginx/controller', 'shop/web', Port.tcp(9090))).toBe(false);
    expect(() => new AllowIngressController(chart, 'bare', { endpoint: Endpoint.fromLabels('api', { app: 'api' }) }))
      .toThrow(/^\[recipes\/bare\] AllowIngressController: ports are not given, and api declares no ports to default to\. List the ports/);
    expect(() => new AllowIngressController(chart, 'pods', { pods: Selector.labels({ app: 'api' }) }))
      .toThrow(/^\[recipes\/pods\] AllowIngressController: ports are not given, and a pod selector declares no ports to default to\. List the ports/);
  });

  test('DenyExternalEgress with an endpoint: merged into the endpoint\'s egress policy, and only its pods; refused next to the endpoint\'s own egress rules', () => {
    const { chart, web } = withWebWorkload();
    const recipe = new DenyExternalEgress(chart, 'no-external', { endpoint: web });
    expect(recipe.policy.name).toBe('web-egress');
    expect(policiesOf(chart).map((p) => p.metadata.name)).toEqual(['web-egress']);
    const r = analyse(chart);
    expect(r.allows('shop/web', 'other/client', Port.tcp(80))).toBe(true);
    expect(r.allows('shop/web', 'kube-system/coredns', Port.udp(53))).toBe(true);
    expect(r.allows('shop/web', 'internet', Port.tcp(443))).toBe(false);
    expect(r.allows('shop/api', 'internet', Port.tcp(443))).toBe(true);
    // web's own egress rule (to api) restricts web's egress already: the guard's rule would open every pod to it.
    NetworkPolicies.of(chart).allow(web, Endpoint.fromLabels('api', { app: 'api' }), Port.tcp(8080));
    expect(() => policiesOf(chart)).toThrow(/\[recipes\/no-external\] DenyExternalEgress puts its rule \(every pod of every namespace, on every port\) into NetworkPolicy shop\/web-egress, which has 1 other egress rule/);
  });

  test('BlockCloudMetadata with an endpoint: only its pods lose the metadata address', () => {
    const { chart, web } = withWebWorkload();
    new BlockCloudMetadata(chart, 'no-metadata', { endpoint: web });
    expect(policiesOf(chart).map((p) => p.metadata.name)).toEqual(['web-egress']);
    const r = analyse(chart);
    expect(r.allows('shop/web', 'cloud-metadata', Port.tcp(80))).toBe(false);
    expect(r.allows('shop/web', 'internet', Port.tcp(443))).toBe(true);
    expect(r.allows('shop/api', 'cloud-metadata', Port.tcp(80))).toBe(true);
  });

  test('without pods or endpoint they stay namespace-wide; with both they are refused', () => {
    const { chart, web } = withWebWorkload();
    expect(new DenyExternalEgress(chart, 'all').policy.pods.isAll).toBe(true);
    expect(() => new BlockCloudMetadata(chart, 'both', { endpoint: web, pods: Selector.labels({ app: 'web' }) }))
      .toThrow(/^\[recipes\/both\] BlockCloudMetadata needs at most one of pods or endpoint \(got 2\).*or neither for every pod of the namespace\./);
    expect(() => new DenyExternalEgress(chart, 'named', { endpoint: web, name: 'x' })).toThrow(/namespace and name come from the endpoint when an endpoint is given/);
  });
});
