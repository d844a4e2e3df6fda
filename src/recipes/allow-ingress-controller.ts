import { Construct } from 'constructs';
import { recipePolicy } from './recipe-policy';
import { atConstruct } from '../constructs/errors';
import { NetworkPolicy } from '../constructs/network-policy';
import { IEndpoint } from '../endpoints/endpoint';
import { Direction } from '../model/direction';
import { Peer } from '../model/peer';
import { Port } from '../model/port';
import { Selector } from '../model/selector';

/** Properties of `AllowIngressController`. */
export interface AllowIngressControllerProps {
  /** The pods the controller may reach (a policy of their own). @default - given by endpoint */
  readonly pods?: Selector;
  /**
   * The endpoint the controller may reach (e.g. a service of an `ApplicationStack`, a cdk8s-plus-28
   * workload through `Endpoint.fromWorkload`, or an `IEndpoint` of your own): the rule goes into the
   * endpoint's own ingress policy. Exactly one of pods and endpoint. @default - given by pods
   */
  readonly endpoint?: IEndpoint;
  /**
   * The ports it may reach them on (at least one).
   * @default - the ports the endpoint declares (with pods: required)
   */
  readonly ports?: Port[];
  /** The policy's namespace. @default - the chart's namespace */
  readonly namespace?: string;
  /** The policy name. @default - derived from the construct path */
  readonly name?: string;
  /** The controller's namespace. @default 'ingress-nginx' */
  readonly controllerNamespace?: string;
  /** The controller's pods. @default - pods labelled `app.kubernetes.io/name: ingress-nginx` */
  readonly controllerPods?: Selector;
}

/**
 * Lets the ingress controller (by default ingress-nginx) reach the selected pods on the given ports,
 * and nothing else reach them through this policy.
 *
 * @example
 * new AllowIngressController(chart, 'web-from-ingress', { endpoint: Endpoint.fromWorkload(web) });   // on web's container ports
 * new AllowIngressController(chart, 'api-from-ingress', { pods: Selector.labels({ app: 'api' }), ports: [Port.tcp(8080)] });
 */
export class AllowIngressController extends Construct {
  /** The controller's default namespace. */
  public static readonly DEFAULT_NAMESPACE = 'ingress-nginx';

  /** The emitted policy. */
  public readonly policy: NetworkPolicy;

  /**
   * @param scope the parent construct
   * @param id the construct id (the basis of derived object names)
   * @param props the properties
   */
  constructor(scope: Construct, id: string, props: AllowIngressControllerProps) {
    super(scope, id);
    const controller = props?.controllerPods ?? Selector.labels({ 'app.kubernetes.io/name': 'ingress-nginx' });
    const controllerNamespace = props?.controllerNamespace ?? AllowIngressController.DEFAULT_NAMESPACE;
    this.policy = recipePolicy(this, props, 'AllowIngressController', Direction.INGRESS,
      [atConstruct(this, 'controller', () => Peer.podsInNamespace(controllerNamespace, controller))], props.ports);
  }
}
