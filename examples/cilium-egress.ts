import { Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import {
  Endpoint, Entity, ExternalDestination, HttpMethod, HttpRule, NetworkPolicies, NetworkTarget, Port, Selector,
} from '../src';

/**
 * The payments service of a shop on a Cilium cluster: it calls Stripe by DNS name (its addresses
 * change), reads its configuration from the Kubernetes API server, serves only two HTTP routes to
 * the checkout service, and may never reach the cloud metadata address.
 */
export class CiliumEgress extends Chart {
  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, { namespace: 'shop', ...props });
    // README:start
    NetworkTarget.declare(this, NetworkTarget.cilium()); // or once on the app: new NetpolApp({ target: NetworkTarget.cilium() })

    const payments = Endpoint.of({ name: 'payments', pods: Selector.labels({ app: 'payments' }), ports: [{ number: 8080 }] });
    const checkout = Endpoint.of({ name: 'checkout', pods: Selector.labels({ app: 'checkout' }) });
    const net = NetworkPolicies.of(this);

    net.allow(payments, ExternalDestination.dnsNames('stripe', ['api.stripe.com', '*.stripe.network']), Port.tcp(443));
    net.allow(payments, Entity.kubeApiServer(), Port.tcp(443));
    net.allowHttp(checkout, payments, Port.tcp(8080),
      HttpRule.of({ method: HttpMethod.POST, path: '/v1/charges' }),
      HttpRule.of({ method: HttpMethod.GET, path: '/v1/charges/[0-9a-z]+' }));
    net.deny(payments, ExternalDestination.cidrs('cloud-metadata', ['169.254.169.254/32']), Port.allTraffic());
    // README:end
  }
}
