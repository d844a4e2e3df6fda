import { Construct } from 'constructs';
import { objectName } from '../constructs/naming';
import { NetworkPolicy } from '../constructs/network-policy';
import { acceptAsOwnPolicy } from '../constructs/own-policy';
import { Peer } from '../model/peer';
import { Port } from '../model/port';
import { Selector } from '../model/selector';

/** Properties of `DenyExternalEgress`. */
export interface DenyExternalEgressProps {
  /** The pods. @default Selector.all() - every pod of the namespace */
  readonly pods?: Selector;
  /** The namespace. @default - the chart's namespace */
  readonly namespace?: string;
  /** The policy name. @default - derived from the construct path */
  readonly name?: string;
}

/**
 * Pods may reach pods of the cluster (any namespace, any port, so cluster DNS too) but no address
 * outside it. NetworkPolicies only allow, so this lists every namespace as the egress peer and
 * nothing else. (A NodeLocal DNSCache address is outside every namespace: allow it with AllowDns.)
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
    this.policy = new NetworkPolicy(this, 'Resource', { pods: props.pods ?? Selector.all(), namespace: props.namespace, name: objectName(this, props.name) });
    this.policy.addEgressRule([Peer.allNamespaces()], [Port.allTraffic()]);
    acceptAsOwnPolicy(this.policy, 'DenyExternalEgress');
  }
}
