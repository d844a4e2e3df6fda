import { EndpointSet, Invariant, Invariants, Port, ReachabilityOptions, Selector, Zone } from '../src';
import { TenServices } from './ten-services';

/** What lives around the ten-service shop: CoreDNS, the ingress controller and the payment API. */
export const TEN_SERVICES_SURROUNDINGS: ReachabilityOptions = {
  pods: [
    { namespace: 'kube-system', name: 'coredns', labels: { 'k8s-app': 'kube-dns' } },
    { namespace: 'ingress-nginx', name: 'controller', labels: { 'app.kubernetes.io/name': 'ingress-nginx' } },
  ],
  externals: [{ name: 'payment-api', ip: '203.0.113.10' }],
};

/**
 * Segmentation invariants of the ten-service shop (examples/ten-services.ts): the data namespace
 * is a zone that reaches nothing but DNS, the web tier never reaches it, and only three services
 * may reach the database. The last one does not hold (users reads the database too), so the synth
 * fails with that connection as the counterexample (README "Segmentation you can prove").
 */
export function segmentation(shop: TenServices): Invariants {
  const surroundings = TEN_SERVICES_SURROUNDINGS;
  // README:start
  const data = Zone.of('data', [EndpointSet.namespace('data')]);
  const dns = EndpointSet.podsInNamespace('kube-system', Selector.labels({ 'k8s-app': 'kube-dns' }));
  const [web, catalog, orders] = ['web', 'catalog', 'orders'].map((name) => EndpointSet.id(`shop/${name}`));

  return new Invariants(shop, 'segmentation', {
    surroundings, // what lives outside the app, as for Reachability.fromApp
    invariants: [
      Invariant.contained('data-reaches-only-dns', { zone: data, except: [dns], ports: [Port.udp(53), Port.tcp(53)] }),
      Invariant.never('web-never-reaches-data', { from: [web], to: [EndpointSet.zone(data)] }),
      Invariant.only('only-catalog-and-orders-reach-postgres', { from: [catalog, orders], to: [EndpointSet.id('data/postgres')], ports: [Port.tcp(5432)] }),
    ],
  });
  // README:end
}
