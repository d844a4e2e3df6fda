import { Construct } from 'constructs';
import { atConstruct } from './errors';
import { resolveNamespace } from './namespace';
import { objectName } from './naming';
import { NetworkPolicy } from './network-policy';
import { formatIp, parseCidr } from '../k8s/cidr';
import { EnforcementPhase } from '../model/enforcement-phase';
import { Peer } from '../model/peer';
import { Port } from '../model/port';
import { Selector } from '../model/selector';

/** The label of the cluster DNS pods (CoreDNS keeps kube-dns's label). */
export const DEFAULT_DNS_POD_LABELS = { 'k8s-app': 'kube-dns' };
/** The namespace of the cluster DNS pods. */
export const DEFAULT_DNS_NAMESPACE = 'kube-system';
/** The link-local address NodeLocal DNSCache listens on by default. */
export const DEFAULT_NODE_LOCAL_DNS_ADDRESS = '169.254.20.10';

/**
 * Where the cluster DNS is: the DNS server pods and their namespace, and whether NodeLocal DNSCache
 * is used. Every construct that allows DNS takes these options (`AllowDns`,
 * `NetworkPolicies.allowDnsFor`, `TierChain`, `ApplicationStack`).
 */
export interface DnsOptions {
  /** The DNS server pods. @default - pods labelled `k8s-app: kube-dns` */
  readonly dnsPods?: Selector;
  /** The namespace of the DNS server pods. @default 'kube-system' */
  readonly dnsNamespace?: string;
  /** Also allow the NodeLocal DNSCache address. @default false */
  readonly nodeLocalDns?: boolean;
  /**
   * The NodeLocal DNSCache address: one IPv4 or IPv6 address, not a CIDR. Only with `nodeLocalDns`.
   * @default '169.254.20.10'
   */
  readonly nodeLocalDnsAddress?: string;
}

/** Properties of `AllowDns`: which pods may resolve names, and where the cluster DNS is. */
export interface AllowDnsProps extends DnsOptions {
  /** The namespace whose pods may resolve names. @default - the chart's namespace (an error if neither is set) */
  readonly namespace?: string;
  /** The policy name. @default - derived from the construct path, e.g. `allow-dns` */
  readonly name?: string;
  /** The pods that may resolve names. @default Selector.all() - every pod of the namespace */
  readonly pods?: Selector;
  /** How far the policy is rolled out (see `NetworkPolicyProps.phase`). @default EnforcementPhase.ENFORCE */
  readonly phase?: EnforcementPhase;
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
    // The peers first: bad DNS options leave no half-built policy behind.
    const peers = atConstruct(this, 'DNS peers', () => dnsPeers(props));
    this.policy = new NetworkPolicy(this, 'Resource', {
      namespace,
      name: objectName(this, props.name),
      pods: props.pods ?? Selector.all(),
      phase: props.phase,
    });
    this.policy.addEgressRule(peers, dnsPorts());
  }
}

/**
 * A frozen copy of DNS options, each field checked for its type (a jsii host language can pass a
 * string where a boolean is expected, and `'false'` is truthy): what a construct keeps, so changing
 * the caller's object afterwards changes nothing.
 */
export function copyDnsOptions(options: DnsOptions | undefined): DnsOptions {
  if (options === undefined || options === null) return Object.freeze({});
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new Error(`dnsOptions ${JSON.stringify(options)} is not a set of DNS options. Pass an object such as { nodeLocalDns: true }, or leave it out for kube-dns in kube-system.`);
  }
  const { dnsPods, dnsNamespace, nodeLocalDns, nodeLocalDnsAddress } = options;
  if (nodeLocalDns !== undefined && typeof nodeLocalDns !== 'boolean') {
    throw new Error(`nodeLocalDns ${describe(nodeLocalDns)} is not true or false, so whether to allow the NodeLocal DNSCache address is unknown. `
      + 'Set nodeLocalDns: true or false (a boolean, not a string or an object).');
  }
  if (dnsNamespace !== undefined && typeof dnsNamespace !== 'string') {
    throw new Error(`dnsNamespace ${describe(dnsNamespace)} is not a namespace name. Give the namespace of the DNS server pods as a string, e.g. 'kube-system'.`);
  }
  return Object.freeze({ dnsPods, dnsNamespace, nodeLocalDns, nodeLocalDnsAddress });
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : typeof value === 'object' && value !== null ? `(${Array.isArray(value) ? 'a list' : 'an object'})` : `(the ${typeof value} ${String(value)})`;
}

/** The peers that serve cluster DNS under the given options. */
export function dnsPeers(given: DnsOptions = {}): Peer[] {
  const options = copyDnsOptions(given);
  if (options.nodeLocalDnsAddress !== undefined && !options.nodeLocalDns) {
    throw new Error(`nodeLocalDnsAddress ${JSON.stringify(options.nodeLocalDnsAddress)} is set but nodeLocalDns is not, so the address would be ignored. `
      + 'Set nodeLocalDns: true to allow DNS to that address, or leave nodeLocalDnsAddress out.');
  }
  const peers = [Peer.podsInNamespace(options.dnsNamespace ?? DEFAULT_DNS_NAMESPACE, options.dnsPods ?? Selector.labels(DEFAULT_DNS_POD_LABELS))];
  if (options.nodeLocalDns) peers.push(Peer.ipBlock(nodeLocalDnsCidr(options.nodeLocalDnsAddress ?? DEFAULT_NODE_LOCAL_DNS_ADDRESS)));
  return peers;
}

/**
 * The single-address CIDR (`/32`, `/128`) of the NodeLocal DNSCache address, or an error in the
 * terms of the property (never of the CIDR built from it).
 */
function nodeLocalDnsCidr(address: string): string {
  const fix = `Give the address NodeLocal DNSCache listens on, e.g. ${DEFAULT_NODE_LOCAL_DNS_ADDRESS}; the policy allows exactly that address.`;
  if (typeof address !== 'string') throw new Error(`nodeLocalDnsAddress ${JSON.stringify(address)} is not an IP address. ${fix}`);
  if (address.includes('/')) throw new Error(`nodeLocalDnsAddress ${JSON.stringify(address)} is not an IP address but a CIDR. ${fix}`);
  const cidr = `${address}/${address.includes(':') ? 128 : 32}`;
  const parsed = parseCidr(cidr);
  if (!parsed.cidr) throw new Error(`nodeLocalDnsAddress ${JSON.stringify(address)} is not an IP address. ${fix}`);
  if (parsed.problems.length > 0) {
    const mapped = parsed.cidr.family === 6 && parsed.cidr.network >> 32n === 0xffffn;
    const written = mapped
      ? formatIp({ family: 4, value: parsed.cidr.network & 0xffffffffn })
      : formatIp({ family: parsed.cidr.family, value: parsed.cidr.network });
    const problem = mapped ? 'is an IPv4-mapped IPv6 address' : 'has leading zeros';
    throw new Error(`nodeLocalDnsAddress ${JSON.stringify(address)} ${problem}, which the API server (Kubernetes 1.36+) rejects in an ipBlock. Write it as ${written}.`);
  }
  return cidr;
}

/** DNS: 53/UDP and 53/TCP. */
export function dnsPorts(): Port[] {
  return [Port.udp(53), Port.tcp(53)];
}
