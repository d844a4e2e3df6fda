import { App } from 'cdk8s';
import { ApplicationStack, Port, Selector } from '../src';

/**
 * An app namespace (`orders`) that calls a shared `data` namespace: the API reaches postgres and
 * redis there, the worker only redis. Both namespaces get a default deny and DNS; the policies on
 * the `data` side name the `orders` namespace, so other namespaces stay locked out. Each service says
 * its ports once; a dependency without ports is allowed on the ports of the service it reaches.
 */
export class TwoNamespaces extends ApplicationStack {
  constructor(scope: App, id: string) {
    super(scope, id, { namespace: 'orders' });

    const api = this.addService('api', { labels: { app: 'orders-api' }, ports: [{ number: 8080, name: 'http' }] });
    const worker = this.addService('worker', { labels: { app: 'orders-worker' } });
    const postgres = this.addService('postgres', { namespace: 'data', pods: Selector.labels({ app: 'postgres' }), ports: [{ number: 5432 }] });
    const redis = this.addService('redis', { namespace: 'data', labels: { app: 'redis' }, ports: [{ number: 6379 }] });

    this.allow(api, postgres);
    this.allow(api, redis);
    this.allow(worker, redis);
    this.allow(worker, api, Port.named('http'));
  }
}
