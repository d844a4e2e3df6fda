import { Construct } from 'constructs';
import { objectName } from '../constructs/naming';
import { NetworkPolicy } from '../constructs/network-policy';
import { acceptAsOwnPolicy } from '../constructs/own-policy';
import { Direction } from '../model/direction';
import { Peer } from '../model/peer';
import { Port } from '../model/port';
import { Selector } from '../model/selector';

/** Properties of `AllowSameNamespace`. */
export interface AllowSameNamespaceProps {
  /** The namespace. @default - the chart's namespace */
  readonly namespace?: string;
  /** The policy name. @default - derived from the construct path */
  readonly name?: string;
  /** The ports pods of the namespace may use with each other. @default [Port.allTraffic()] */
  readonly ports?: Port[];
  /**
   * The directions to restrict to the namespace: with `Direction.EGRESS` pods may also only
   * connect to pods of their own namespace (add DNS with `AllowDns`).
   * @default [Direction.INGRESS]
   */
  readonly directions?: Direction[];
}

/**
 * Pods of the namespace accept traffic from each other and from nothing else: traffic from other
 * namespaces and from outside the cluster is denied ("deny traffic from other namespaces"); with
 * `directions: [INGRESS, EGRESS]`, they also only connect to each other ("same-namespace traffic only").
 *
 * @example
 * new AllowSameNamespace(chart, 'same-namespace-only', { namespace: 'shop' });
 */
export class AllowSameNamespace extends Construct {
  /** The emitted policy. */
  public readonly policy: NetworkPolicy;

  /**
   * @param scope the parent construct
   * @param id the construct id (the basis of derived object names)
   * @param props the properties
   */
  constructor(scope: Construct, id: string, props: AllowSameNamespaceProps = {}) {
    super(scope, id);
    this.policy = new NetworkPolicy(this, 'Resource', { pods: Selector.all(), namespace: props.namespace, name: objectName(this, props.name) });
    const directions = props.directions ?? [Direction.INGRESS];
    const ports = props.ports ?? [Port.allTraffic()];
    if (directions.includes(Direction.INGRESS)) this.policy.addIngressRule([Peer.pods(Selector.all())], ports);
    if (directions.includes(Direction.EGRESS)) this.policy.addEgressRule([Peer.pods(Selector.all())], ports);
    acceptAsOwnPolicy(this.policy, 'AllowSameNamespace');
  }
}
