import { App } from 'cdk8s';
import { ApplicationStack, ExternalDestination, Peer, Port, Selector } from '../src';

/**
 * A shop of ten services in two namespaces, written once: each service says its port when it is
 * declared, each dependency is one `allow(from, to)` read left to right (on the port of the service
 * it reaches), and the ingress controller and the payment API are ends like the services. Every
 * namespace gets a default deny and DNS; nothing else is allowed. Its test (test/examples.test.ts)
 * gives only what lives outside the chart: CoreDNS, the ingress controller and the payment API.
 */
export class TenServices extends ApplicationStack {
  constructor(scope: App, id: string) {
    super(scope, id, { namespace: 'shop', sharedNamespaces: ['ingress-nginx'] });

    // README:start
    const service = (name: string, port: number, namespace?: string) =>
      this.addService(name, { namespace, labels: { app: name }, ports: [{ number: port }] });
    const [web, api, catalog, cart, orders, payments, users] = ['web', 'api', 'catalog', 'cart', 'orders', 'payments', 'users']
      .map((name) => service(name, 8080));
    const search = service('search', 9200);
    const postgres = service('postgres', 5432, 'data');
    const redis = service('redis', 6379, 'data');

    this.allow(Peer.podsInNamespace('ingress-nginx', Selector.labels({ 'app.kubernetes.io/name': 'ingress-nginx' })), web);
    this.allow(web, api);
    for (const backend of [catalog, cart, orders, users, search]) this.allow(api, backend);
    this.allow(catalog, search);
    for (const client of [catalog, orders, users]) this.allow(client, postgres);
    this.allow(cart, redis);
    this.allow(orders, payments);
    this.allow(payments, ExternalDestination.cidrs('payment-api', ['203.0.113.0/24']), Port.tcp(443));
    // README:end
  }
}
