import { Construct } from 'constructs';
import { objectName } from '../constructs/naming';
import { NetworkPolicy } from '../constructs/network-policy';
import { acceptAsOwnPolicy } from '../constructs/own-policy';
import { CLOUD_METADATA_ADDRESS } from '../model/external-destination';
import { Peer } from '../model/peer';
import { Port } from '../model/port';
import { Selector } from '../model/selector';

/** Properties of `BlockCloudMetadata`. */
export interface BlockCloudMetadataProps {
  /** The pods to protect. @default Selector.all() - every pod of the namespace */
  readonly pods?: Selector;
  /** The namespace. @default - the chart's namespace */
  readonly namespace?: string;
  /** The policy name. @default - derived from the construct path */
  readonly name?: string;
  /** The metadata address. @default '169.254.169.254/32' */
  readonly metadataAddress?: string;
}

/**
 * Keeps pods away from the cloud instance metadata endpoint (169.254.169.254), where node
 * credentials live, while allowing every other egress. NetworkPolicies only allow, so this is an
 * egress policy that allows every pod and every address except the metadata one; other egress
 * policies selecting the same pods must not allow it back (for example `ExternalDestination.internet()`
 * excludes it).
 *
 * @example
 * new BlockCloudMetadata(chart, 'no-metadata', { namespace: 'shop' });
 */
export class BlockCloudMetadata extends Construct {
  /** The emitted policy. */
  public readonly policy: NetworkPolicy;

  /**
   * @param scope the parent construct
   * @param id the construct id (the basis of derived object names)
   * @param props the properties
   */
  constructor(scope: Construct, id: string, props: BlockCloudMetadataProps = {}) {
    super(scope, id);
    const name = objectName(this, props.name);
    this.policy = new NetworkPolicy(this, 'Resource', { pods: props.pods ?? Selector.all(), namespace: props.namespace, name });
    const everythingButMetadata = [Peer.allNamespaces(), Peer.anyIpv4([props.metadataAddress ?? CLOUD_METADATA_ADDRESS]), Peer.anyIpv6()];
    this.policy.addEgressRule(everythingButMetadata, [Port.allTraffic()]);
    acceptAsOwnPolicy(this.policy, 'BlockCloudMetadata');
  }
}
