import { Construct } from 'constructs';
import { refuseWidening } from './guard-recipe';
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
  /** The IPv4 metadata address. @default '169.254.169.254/32' */
  readonly metadataAddress?: string;
  /** The IPv6 metadata address (AWS's instance metadata service over IPv6). @default 'fd00:ec2::254/128' */
  readonly metadataAddressIpv6?: string;
}

/** The IPv6 address of AWS's instance metadata service (IMDS), reachable from Nitro instances. */
export const CLOUD_METADATA_ADDRESS_IPV6 = 'fd00:ec2::254/128';

/**
 * Keeps pods away from the cloud instance metadata endpoint (169.254.169.254, and AWS's
 * fd00:ec2::254 over IPv6), where node credentials live, while allowing every other egress.
 * NetworkPolicies only allow, so this is an egress policy that allows every pod and every address
 * except the metadata ones: for pods whose egress nothing else restricts, it removes exactly the
 * metadata addresses.
 *
 * It only ever removes access. Rules add up, so next to another policy that restricts the same pods'
 * egress (DefaultDeny, AllowDns, DenyExternalEgress, an endpoint's own egress rules) its rule would
 * open the internet to them; the synth fails there instead, naming the other policy. Where egress is
 * restricted, the metadata addresses are denied already unless a rule allows them (and
 * `ExternalDestination.internet()` leaves them out): drop this recipe there. Policies applied to the
 * cluster by other means are not known at synth time.
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
    const v4 = props.metadataAddress ?? CLOUD_METADATA_ADDRESS;
    const v6 = props.metadataAddressIpv6 ?? CLOUD_METADATA_ADDRESS_IPV6;
    const everythingButMetadata = [
      Peer.allNamespaces(),
      atConstruct(this, 'metadataAddress', () => Peer.anyIpv4([v4])),
      atConstruct(this, 'metadataAddressIpv6', () => Peer.anyIpv6([v6])),
    ];
    this.policy = recipePolicy(this, props, 'BlockCloudMetadata', Direction.EGRESS, everythingButMetadata, [Port.allTraffic()], true);
    refuseWidening(this, this.policy, {
      recipe: 'BlockCloudMetadata',
      blocks: `the cloud metadata addresses (${v4}, ${v6})`,
      allows: `every pod and every address but ${v4} and ${v6}`,
      instead: 'Where egress is restricted, the metadata addresses are denied already unless a rule allows them (ExternalDestination.internet() leaves them out): '
        + 'drop the BlockCloudMetadata there, or give it pods (pods: Selector...) that no other egress policy selects.',
    });
  }
}
