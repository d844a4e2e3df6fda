import { Construct } from 'constructs';
import { atConstruct, constructError } from './errors';
import { NetworkPolicies } from './network-policies';
import { IEndpoint } from '../endpoints/endpoint';
import { describeValue } from '../model/brand';
import { ExternalDestination } from '../model/external-destination';
import { Port } from '../model/port';

/** Properties of `ExternalEgress`. */
export interface ExternalEgressProps {
  /** The pods that may connect out (an `Endpoint`, or an `IEndpoint` of your own). */
  readonly from: IEndpoint;
  /** Where they may connect. */
  readonly to: ExternalDestination;
  /** On which ports (at least one; `Port.allTraffic()` for every port). */
  readonly ports: Port[];
}

/**
 * Allows selected pods to reach destinations outside the cluster by CIDR and port, e.g. a payment
 * API at 203.0.113.0/24:443. The rule is merged into the endpoint's egress policy
 * (`<name>-egress`), so there is still one egress policy per workload. It is the same rule as
 * `NetworkPolicies.of(chart).allow(from, to, ...ports)`, as a construct of its own.
 *
 * @example
 * new ExternalEgress(chart, 'payments', {
 *   from: backend, to: ExternalDestination.cidrs('payment-api', ['203.0.113.0/24']), ports: [Port.tcp(443)],
 * });
 */
export class ExternalEgress extends Construct {
  /**
   * @param scope the parent construct
   * @param id the construct id (the basis of derived object names)
   * @param props the properties
   */
  constructor(scope: Construct, id: string, props: ExternalEgressProps) {
    super(scope, id);
    if (!props || !ExternalDestination.isExternalDestination(props.to)) {
      throw constructError(this, `to ${props ? describeValue(props.to) : 'undefined'} is not an ExternalDestination. Use ExternalDestination.cidrs(name, [...]), .ipBlock(...), .internet() or .kubernetesApiServer([...]).`);
    }
    const to = atConstruct(this, 'to', () => ExternalDestination._use(props.to, 'ExternalDestination'));
    const net = NetworkPolicies.of(this);
    if (to.fqdns.length > 0 || (to._isKubernetesApiServer && net._apiServerAsEntity(this, `ExternalEgress to ${to}`))) {
      net._connect(this, net._end(this, props.from, 'ExternalEgress'), net._end(this, to, 'ExternalEgress'), props.ports ?? [], 'ExternalEgress');
      return;
    }
    net._allowTo(this, props.from, to.peers, props.ports ?? []);
  }
}
