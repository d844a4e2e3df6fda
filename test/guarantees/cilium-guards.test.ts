import { Chart, Testing } from 'cdk8s';
import {
  BlockCloudMetadata, DefaultDeny, DenyExternalEgress, Endpoint, EndpointSet, Entity, ExternalDestination, Invariant, Invariants,
  NetworkPolicies, NetworkTarget, Port, Selector,
} from '../../src';

/**
 * Fail closed next to Cilium policies (a hostile review of the merged Cilium target): Cilium adds
 * NetworkPolicies and CiliumNetworkPolicies up, so a guard's allow widens what a Cilium policy
 * restricts, and an invariant the analyser cannot see through must not pass.
 */
function ciliumChart(): Chart {
  const chart = new Chart(Testing.app(), 'c', { namespace: 'shop' });
  NetworkTarget.declare(chart, NetworkTarget.cilium());
  return chart;
}
const payments = () => Endpoint.of({ name: 'payments', pods: Selector.labels({ app: 'payments' }), ports: [{ number: 8080 }] });

describe('a guard next to a CiliumNetworkPolicy that restricts the same pods\' egress', () => {
  test('DenyExternalEgress is refused, naming the Cilium policy', () => {
    const chart = ciliumChart();
    NetworkPolicies.of(chart).allow(payments(), ExternalDestination.dnsNames('stripe', ['api.stripe.com']), Port.tcp(443));
    new DenyExternalEgress(chart, 'no-internet', { namespace: 'shop' });
    expect(() => Testing.synth(chart)).toThrow(/DenyExternalEgress .*CiliumNetworkPolicy shop\/payments-egress-cilium/);
  });

  test('BlockCloudMetadata is refused next to an entity rule of the same pods', () => {
    const chart = ciliumChart();
    NetworkPolicies.of(chart).allow(payments(), Entity.kubeApiServer(), Port.tcp(443));
    new BlockCloudMetadata(chart, 'meta', { namespace: 'shop', pods: Selector.labels({ app: 'payments' }) });
    expect(() => Testing.synth(chart)).toThrow(/BlockCloudMetadata .*CiliumNetworkPolicy shop\/payments-egress-cilium/);
  });

  test('a guard on other pods than the Cilium policy\'s is accepted', () => {
    const chart = ciliumChart();
    NetworkPolicies.of(chart).allow(payments(), Entity.kubeApiServer(), Port.tcp(443));
    new BlockCloudMetadata(chart, 'meta', { namespace: 'shop', pods: Selector.labels({ app: 'web' }) });
    expect(Testing.synth(chart).map((o) => o.kind).sort()).toEqual(['CiliumNetworkPolicy', 'NetworkPolicy']);
  });
});

test('invariants are not proven while the app has a policy the analyser leaves out', () => {
  const chart = ciliumChart();
  new DefaultDeny(chart, 'dd', { namespace: 'shop' });
  const attacker = Endpoint.of({ name: 'attacker', pods: Selector.labels({ app: 'attacker' }) });
  NetworkPolicies.of(chart).allow(Entity.cluster(), payments(), Port.tcp(8080));
  new Invariants(chart, 'inv', {
    invariants: [Invariant.never('attacker-never-payments', { from: [EndpointSet.endpoint(attacker)], to: [EndpointSet.endpoint(payments())] })],
  });
  expect(() => Testing.synth(chart)).toThrow(/cannot prove the invariants: CiliumNetworkPolicy shop\/payments-ingress-cilium is left out of the analysis/);
});
