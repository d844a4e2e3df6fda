import { Construct } from 'constructs';
import { recipePolicy } from './recipe-policy';
import { atConstruct } from '../constructs/errors';
import { NetworkPolicy } from '../constructs/network-policy';
import { IEndpoint } from '../endpoints/endpoint';
import { Direction } from '../model/direction';
import { CLOUD_METADATA_ADDRESS } from '../model/external-destination';
import { Peer } from '../model/peer';
import { Port } from '../model/port';
import { Selector } from '../model/selector';

/** Properties of `BlockCloudMetadata`. */
export interface BlockCloudMetadataProps {
  /** The pods to protect (a policy of their own). @default - every pod of the namespace, unless endpoint is given */
  readonly pods?: Selector;
  /**
   * The endpoint to protect (e.g. a service of an `ApplicationStack`, a cdk8s-plus-28 workload through
   * `Endpoint.fromWorkload`): the rule goes into the endpoint's own egress policy. At most one of pods
   * and endpoint. @default - given by pods
   */
  readonly endpoint?: IEndpoint;
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
    const everythingButMetadata = atConstruct(this, 'metadataAddress',
      () => [Peer.allNamespaces(), Peer.anyIpv4([props.metadataAddress ?? CLOUD_METADATA_ADDRESS]), Peer.anyIpv6()]);
    this.policy = recipePolicy(this, props, 'BlockCloudMetadata', Direction.EGRESS, everythingButMetadata, [Port.allTraffic()], true);
  }
}
