import { Construct } from 'constructs';
import { objectName } from '../constructs/naming';
import { NetworkPolicy } from '../constructs/network-policy';
import { Peer } from '../model/peer';
import { Port } from '../model/port';
import { Selector } from '../model/selector';

/** Properties of `AllowIngressController`. */
export interface AllowIngressControllerProps {
  /** The pods the controller may reach. */
  readonly pods: Selector;
  /** The ports it may reach them on (at least one). */
  readonly ports: Port[];
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
 * new AllowIngressController(chart, 'web-from-ingress', { pods: Selector.labels({ app: 'web' }), ports: [Port.tcp(8080)] });
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
    const name = objectName(this, props?.name);
    this.policy = new NetworkPolicy(this, 'Resource', { pods: props?.pods, namespace: props?.namespace, name });
    const controller = props.controllerPods ?? Selector.labels({ 'app.kubernetes.io/name': 'ingress-nginx' });
    const controllerNamespace = props.controllerNamespace ?? AllowIngressController.DEFAULT_NAMESPACE;
    this.policy.addIngressRule([Peer.podsInNamespace(controllerNamespace, controller)], props.ports);
  }
}
