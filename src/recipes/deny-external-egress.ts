import { Construct } from 'constructs';
import { refuseWidening } from './guard-recipe';
import { recipePolicy } from './recipe-policy';
import { NetworkPolicy } from '../constructs/network-policy';
import { IEndpoint } from '../endpoints/endpoint';
import { Direction } from '../model/direction';
import { Peer } from '../model/peer';
import { Port } from '../model/port';
import { Selector } from '../model/selector';

/** Properties of `DenyExternalEgress`. */
export interface DenyExternalEgressProps {
  /** The pods (a policy of their own). @default - every pod of the namespace, unless endpoint is given */
  readonly pods?: Selector;
  /**
   * The endpoint (e.g. a service of an `ApplicationStack`, a cdk8s-plus-28 workload through
   * `Endpoint.fromWorkload`): the rule goes into the endpoint's own egress policy. At most one of
   * pods and endpoint. @default - given by pods
   */
  readonly endpoint?: IEndpoint;
  /** The namespace. @default - the chart's namespace */
  readonly namespace?: string;
  /** The policy name. @default - derived from the construct path */
  readonly name?: string;
}

/**
 * Pods may reach pods of the cluster (any namespace, any port, so cluster DNS too) but no address
 * outside it. NetworkPolicies only allow, so this lists every namespace as the egress peer and
 * nothing else: for pods whose egress nothing else restricts, it removes exactly the addresses
 * outside the cluster. (A NodeLocal DNSCache address is outside every namespace: allow it with
 * AllowDns.)
 *
 * It only ever removes access. Rules add up, so next to another policy that restricts the same pods'
 * egress (DefaultDeny, AllowDns, BlockCloudMetadata, an endpoint's own egress rules) its rule would
 * open every pod of the cluster to them; the synth fails there instead, naming the other policy.
 * Where egress is restricted, addresses outside the cluster are denied already unless a rule allows
 * them: drop this recipe there. Policies applied to the cluster by other means are not known at
 * synth time.
 *
 * @example
 * new DenyExternalEgress(chart, 'no-internet', { namespace: 'shop' });
 */
export class DenyExternalEgress extends Construct {
  /** The emitted policy. */
  public readonly policy: NetworkPolicy;

  /**
   * @param scope the parent construct
   * @param id the construct id (the basis of derived object names)
   * @param props the properties
   */
  constructor(scope: Construct, id: string, props: DenyExternalEgressProps = {}) {
    super(scope, id);
    this.policy = recipePolicy(this, props, 'DenyExternalEgress', Direction.EGRESS, [Peer.allNamespaces()], [Port.allTraffic()], true);
    refuseWidening(this, this.policy, {
      recipe: 'DenyExternalEgress',
      blocks: 'the addresses outside the cluster',
      allows: 'every pod of every namespace, on every port',
      instead: 'Where egress is restricted, addresses outside the cluster are denied already unless a rule allows them: '
        + 'drop the DenyExternalEgress there, or give it pods (pods: Selector...) that no other egress policy selects.',
    });
  }
}
