import { Construct } from 'constructs';
import { objectName } from '../constructs/naming';
import { NetworkPolicy } from '../constructs/network-policy';
import { Peer } from '../model/peer';
import { Port } from '../model/port';
import { Selector } from '../model/selector';

/** Properties of `AllowPrometheusScraping`. */
export interface AllowPrometheusScrapingProps {
  /** The pods Prometheus scrapes. */
  readonly pods: Selector;
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
    this.policy = new NetworkPolicy(this, 'Resource', { pods: props?.pods, namespace: props?.namespace, name: objectName(this, props?.name) });
    const prometheus = props.prometheusPods ?? Selector.labels({ 'app.kubernetes.io/name': 'prometheus' });
    this.policy.addIngressRule([Peer.podsInNamespace(props.prometheusNamespace ?? 'monitoring', prometheus)], [props.port ?? Port.named('metrics')]);
  }
}
