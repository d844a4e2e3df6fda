import { Chart, ChartProps } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Endpoint, ExternalDestination, NetworkPolicies, Peer, Port, Selector, TierChain } from '../src';

/** Properties of the three-tier example. */
export interface ThreeTierProps extends ChartProps {
  /** Version 2: the backend also uses a redis cache on 6379/TCP (see docs/gitops.md). */
  readonly redis?: boolean;
}

/**
 * The three-tier shop: ingress controller -> frontend -> backend -> postgres, the backend may call a
 * payment API at 203.0.113.0/24:443, every tier may resolve names, and nothing else is allowed.
 * The workloads are cdk8s-plus-28 Deployments; the policies follow their real labels and ports, and
 * a tier without ports accepts traffic on its containers' ports.
 */
export class ThreeTier extends Chart {
  constructor(scope: Construct, id: string, props: ThreeTierProps = {}) {
    super(scope, id, { namespace: 'shop', ...props });

    // README:start
    const app = (name: string, image: string, port: number) => new kplus.Deployment(this, name, {
      metadata: { name },
      containers: [{ image, ports: [{ number: port, name: 'http' }], securityContext: { user: 1000 } }],
    });
    const frontend = Endpoint.fromWorkload(app('frontend', 'shop/frontend:1.4', 8080));
    const backend = Endpoint.fromWorkload(app('backend', 'shop/backend:2.1', 8080));
    const postgres = Endpoint.fromWorkload(app('postgres', 'postgres:16', 5432));

    new TierChain(this, 'tiers', {
      entry: [Peer.podsInNamespace('ingress-nginx', Selector.labels({ 'app.kubernetes.io/name': 'ingress-nginx' }))],
      tiers: [{ endpoint: frontend, ports: [Port.named('http')] }, { endpoint: backend }, { endpoint: postgres }],
    });
    const net = NetworkPolicies.of(this);
    net.allow(backend, ExternalDestination.cidrs('payment-api', ['203.0.113.0/24']), Port.tcp(443));
    // README:end

    if (props.redis) {
      const redis = Endpoint.fromWorkload(app('redis', 'redis:7', 6379));
      net.allow(backend, redis);
      net.allowDnsFor(redis);
    }
  }
}
