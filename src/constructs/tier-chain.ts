import { Construct } from 'constructs';
import { DnsOptions } from './allow-dns';
import { atConstruct, booleanProp, constructError } from './errors';
import { NetworkPolicies } from './network-policies';
import { declaredPorts } from '../endpoints/connection-end';
import { BUILD_ENDPOINT, Endpoint, IEndpoint } from '../endpoints/endpoint';
import { describeValue } from '../model/brand';
import { IConnectionEnd } from '../model/connection-end';
import { Direction } from '../model/direction';
import { Port } from '../model/port';

/** One tier of a `TierChain`. */
export interface Tier {
  /** The tier's pods. */
  readonly endpoint: IEndpoint;
  /**
   * The ports on which the tier accepts traffic from the tier before it (or, for the first tier,
   * from the entry). @default - the ports the endpoint declares (an error when it declares none)
   */
  readonly ports?: Port[];
}

/** Properties of `TierChain`. */
export interface TierChainProps {
  /** The tiers, in order: each may reach only the next one, on the next one's ports. At least one. */
  readonly tiers: Tier[];
  /**
   * Who may enter the first tier (on its ports), e.g. the ingress controller's pods (a `Peer`), a
   * load balancer CIDR (an `ExternalDestination` or `Peer.ipBlock`), or an endpoint (whose egress
   * to the first tier is then written too). @default - nobody: the first tier receives no traffic
   */
  readonly entry?: IConnectionEnd[];
  /** Whether every tier may reach cluster DNS (53/UDP, 53/TCP). @default true */
  readonly dns?: boolean;
  /** Options for the DNS rule. @default - kube-dns in kube-system */
  readonly dnsOptions?: DnsOptions;
  /** Whether to also add a `DefaultDeny` for every namespace the tiers live in. @default true */
  readonly defaultDeny?: boolean;
}

/**
 * An ordered chain of tiers, e.g. `ingress -> frontend -> backend (8080/TCP) -> database (5432/TCP)`.
 * Each hop allows only the next tier on its ports, on both sides; nothing skips a tier, and every
 * tier is isolated in both directions, so the database cannot be reached from the frontend and can
 * reach nothing but DNS.
 *
 * @example
 * new TierChain(chart, 'shop', {
 *   entry: [Peer.podsInNamespace('ingress-nginx', Selector.labels({ 'app.kubernetes.io/name': 'ingress-nginx' }))],
 *   tiers: [
 *     { endpoint: frontend, ports: [Port.named('http')] },
 *     { endpoint: backend },          // on the ports the backend declares
 *     { endpoint: database },
 *   ],
 * });
 */
export class TierChain extends Construct {
  /**
   * @param scope the parent construct
   * @param id the construct id (the basis of derived object names)
   * @param props the properties
   */
  constructor(scope: Construct, id: string, props: TierChainProps) {
    super(scope, id);
    const tiers = props?.tiers;
    if (!Array.isArray(tiers) || tiers.length === 0) {
      throw constructError(this, `tiers ${JSON.stringify(tiers)} is empty. List the tiers in order, e.g. [{ endpoint: frontend, ports: [Port.tcp(8080)] }, { endpoint: backend, ports: [Port.tcp(8080)] }].`);
    }
    const dns = booleanProp(this, props.dns, 'dns', true);
    const defaultDeny = booleanProp(this, props.defaultDeny, 'defaultDeny', true);
    const net = NetworkPolicies.of(this);
    const checked = tiers.map((tier, i) => {
      if (!tier || !Endpoint._isEndpointLike(tier.endpoint)) {
        throw constructError(this, `tiers[${i}].endpoint is not an Endpoint (got ${describeValue(tier?.endpoint)}). ${BUILD_ENDPOINT}.`);
      }
      const endpoint = atConstruct(this, `tiers[${i}].endpoint`, () => Endpoint._use(tier.endpoint, 'endpoint'));
      if (tier.ports === undefined) {
        const declared = declaredPorts(endpoint);
        if (!declared) {
          throw constructError(this, `tiers[${i}].ports is not given, and ${endpoint.name} declares no ports to default to. `
            + `List the ports the tier accepts (e.g. ports: [Port.tcp(8080)]), or declare ${endpoint.name}'s ports (EndpointProps.ports, or its workload's container ports).`);
        }
        return { endpoint, ports: declared };
      }
      if (!Array.isArray(tier.ports)) {
        throw constructError(this, `tiers[${i}].ports ${JSON.stringify(tier.ports)} is not a list. List the ports the tier accepts, e.g. [Port.tcp(8080)].`);
      }
      return { endpoint, ports: [...tier.ports] };
    });
    for (const tier of checked) {
      net._isolate(this, tier.endpoint, Direction.INGRESS);
      net._isolate(this, tier.endpoint, Direction.EGRESS);
    }
    if (props.entry !== undefined) {
      if (!Array.isArray(props.entry) || props.entry.length === 0) {
        throw constructError(this, 'entry [] is empty. Name who may enter the first tier (e.g. the ingress controller\'s pods), or leave entry out so that nobody can.');
      }
      const first = net._end(this, checked[0].endpoint, 'entry');
      props.entry.forEach((entry, i) => net._connect(this, net._end(this, entry, `entry[${i}]`), first, checked[0].ports, `entry[${i}]`));
    }
    for (let i = 0; i + 1 < checked.length; i++) {
      net._allow(this, checked[i].endpoint, checked[i + 1].endpoint, checked[i + 1].ports);
    }
    if (dns) {
      for (const tier of checked) net._allowDnsFor(this, tier.endpoint, props.dnsOptions);
    }
    if (defaultDeny) {
      for (const namespace of new Set(checked.map((t) => net._namespaceOf(this, t.endpoint)))) net._denyAll(this, namespace, `set defaultDeny: false on [${this.node.path}] (its tiers stay isolated by their own policies)`);
    }
  }
}
