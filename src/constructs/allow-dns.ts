import { Construct } from 'constructs';
import { atConstruct } from './errors';
import { resolveNamespace } from './namespace';
import { objectName } from './naming';
import { NetworkPolicy } from './network-policy';
import { Peer } from '../model/peer';
import { Port } from '../model/port';
import { Selector } from '../model/selector';

/** The label of the cluster DNS pods (CoreDNS keeps kube-dns's label). */
export const DEFAULT_DNS_POD_LABELS = { 'k8s-app': 'kube-dns' };
/** The namespace of the cluster DNS pods. */
export const DEFAULT_DNS_NAMESPACE = 'kube-system';
/** The link-local address NodeLocal DNSCache listens on by default. */
export const DEFAULT_NODE_LOCAL_DNS_ADDRESS = '169.254.20.10';

/** Properties of `AllowDns`. */
export interface AllowDnsProps {
  /** The namespace whose pods may resolve names. @default - the chart's namespace (an error if neither is set) */
  readonly namespace?: string;
  /** The policy name. @default - derived from the construct path, e.g. `allow-dns` */
  readonly name?: string;
  /** The pods that may resolve names. @default Selector.all() - every pod of the namespace */
  readonly pods?: Selector;
  /** The DNS server pods. @default - pods labelled `k8s-app: kube-dns` */
  readonly dnsPods?: Selector;
  /** The namespace of the DNS server pods. @default 'kube-system' */
  readonly dnsNamespace?: string;
  /** Also allow the NodeLocal DNSCache address. @default false */
  readonly nodeLocalDns?: boolean;
  /** The NodeLocal DNSCache address. @default '169.254.20.10' */
  readonly nodeLocalDnsAddress?: string;
}

/**
 * Allows pods to reach the cluster DNS on 53/UDP and 53/TCP (TCP is needed for large answers).
 *
 * This is an egress policy: the pods it selects become isolated for egress, so on its own it allows
 * only DNS. It is meant to sit next to `DefaultDeny` and the policies that allow the rest.
 *
 * @example
 * new AllowDns(chart, 'allow-dns', { namespace: 'shop', nodeLocalDns: true });
 */
export class AllowDns extends Construct {
  /** The emitted policy. */
  public readonly policy: NetworkPolicy;

  /**
   * @param scope the parent construct
   * @param id the construct id (the basis of derived object names)
   * @param props the properties
   */
  constructor(scope: Construct, id: string, props: AllowDnsProps = {}) {
    super(scope, id);
    const namespace = resolveNamespace(this, props.namespace);
    this.policy = new NetworkPolicy(this, 'Resource', {
      namespace,
      name: objectName(this, props.name),
      pods: props.pods ?? Selector.all(),
    });
    const peers = atConstruct(this, 'DNS peers', () => dnsPeers(props));
    this.policy.addEgressRule(peers, dnsPorts());
  }
}

/** The peers that serve cluster DNS under the given options. */
export function dnsPeers(props: AllowDnsProps = {}): Peer[] {
  const peers = [Peer.podsInNamespace(props.dnsNamespace ?? DEFAULT_DNS_NAMESPACE, props.dnsPods ?? Selector.labels(DEFAULT_DNS_POD_LABELS))];
  if (props.nodeLocalDns) {
    const address = props.nodeLocalDnsAddress ?? DEFAULT_NODE_LOCAL_DNS_ADDRESS;
    peers.push(Peer.ipBlock(address.includes(':') ? `${address}/128` : `${address}/32`));
  }
  return peers;
}

/** DNS: 53/UDP and 53/TCP. */
export function dnsPorts(): Port[] {
  return [Port.udp(53), Port.tcp(53)];
}
