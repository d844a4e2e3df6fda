import { Construct } from 'constructs';
import { recipePolicy } from './recipe-policy';
import { atConstruct } from '../constructs/errors';
import { NetworkPolicy } from '../constructs/network-policy';
import { IEndpoint } from '../endpoints/endpoint';
import { Direction } from '../model/direction';
import { Peer } from '../model/peer';
import { Port } from '../model/port';
import { Selector } from '../model/selector';

/** Properties of `AllowPrometheusScraping`. */
export interface AllowPrometheusScrapingProps {
  /** The pods Prometheus scrapes (a policy of their own). @default - given by endpoint */
  readonly pods?: Selector;
  /**
   * The endpoint Prometheus scrapes (e.g. a service of an `ApplicationStack`, a cdk8s-plus-28
   * workload through `Endpoint.fromWorkload`, or an `IEndpoint` of your own): the rule goes into
   * the endpoint's own ingress policy. Exactly one of pods and endpoint. @default - given by pods
   */
  readonly endpoint?: IEndpoint;
  /** The metrics port. @default Port.named('metrics') */
  readonly port?: Port;
  /** The policy's namespace. @default - the chart's namespace */
  readonly namespace?: string;
  /** The policy name. @default - derived from the construct path */
  readonly name?: string;
  /** Prometheus's namespace. @default 'monitoring' */
  readonly prometheusNamespace?: string;
  /** Prometheus's pods. @default - pods labelled `app.kubernetes.io/name: prometheus` */
  readonly prometheusPods?: Selector;
}

/**
 * Lets Prometheus scrape the selected pods on their metrics port only.
 *
 * @example
 * new AllowPrometheusScraping(chart, 'scrape-api', { pods: Selector.labels({ app: 'api' }), port: Port.tcp(9090) });
 */
export class AllowPrometheusScraping extends Construct {
  /** The emitted policy. */
  public readonly policy: NetworkPolicy;

  /**
   * @param scope the parent construct
   * @param id the construct id (the basis of derived object names)
   * @param props the properties
   */
  constructor(scope: Construct, id: string, props: AllowPrometheusScrapingProps) {
    super(scope, id);
    const prometheus = props?.prometheusPods ?? Selector.labels({ 'app.kubernetes.io/name': 'prometheus' });
    const peer = atConstruct(this, 'prometheus', () => Peer.podsInNamespace(props?.prometheusNamespace ?? 'monitoring', prometheus));
    this.policy = recipePolicy(this, props, 'AllowPrometheusScraping', Direction.INGRESS, [peer], [props?.port ?? Port.named('metrics')]);
  }
}
