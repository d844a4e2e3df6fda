import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { booleanProp, constructError } from './errors';
import { resolveNamespace } from './namespace';
import { namespaceObject } from './namespace-object';
import { objectName } from './naming';
import { NetworkPolicy } from './network-policy';
import { Direction } from '../model/direction';
import { EnforcementPhase } from '../model/enforcement-phase';
import { Selector } from '../model/selector';

/** The annotation that pre-`networking.k8s.io/v1` network plugins read to isolate a namespace's ingress. */
export const LEGACY_ISOLATION_ANNOTATION = 'net.beta.kubernetes.io/network-policy';

/** Properties of `DefaultDeny`. */
export interface DefaultDenyProps {
  /** The namespace to lock down. @default - the chart's namespace (an error if neither is set) */
  readonly namespace?: string;
  /** The policy name. @default - derived from the construct path, e.g. `default-deny` */
  readonly name?: string;
  /** The pods to isolate. @default Selector.all() - every pod of the namespace */
  readonly pods?: Selector;
  /** The directions to deny. @default [Direction.INGRESS, Direction.EGRESS] */
  readonly directions?: Direction[];
  /**
   * Also emit a Namespace object carrying the legacy annotation
   * `net.beta.kubernetes.io/network-policy: {"ingress":{"isolation":"DefaultDeny"}}`, for old network
   * plugins that still read it. Only for ingress isolation of the whole namespace. The Namespace
   * object carries nothing else; apply it with server-side apply so it merges with yours.
   * @default false
   */
  readonly legacyAnnotation?: boolean;
  /** How far the policy is rolled out (see `NetworkPolicyProps.phase`). @default EnforcementPhase.ENFORCE */
  readonly phase?: EnforcementPhase;
}

/**
 * Denies all traffic in the given directions for every pod of a namespace (or the selected pods):
 * a policy that selects them, lists the directions and allows nothing. Other policies then allow
 * exactly what is needed.
 *
 * Denying egress also denies DNS: add `AllowDns` next to it.
 *
 * @example
 * new DefaultDeny(chart, 'default-deny', { namespace: 'shop' });
 */
export class DefaultDeny extends Construct {
  /** The emitted policy. */
  public readonly policy: NetworkPolicy;
  /** The legacy Namespace object, when `legacyAnnotation` is set. */
  public readonly legacyNamespace?: ApiObject;

  /**
   * @param scope the parent construct
   * @param id the construct id (the basis of derived object names)
   * @param props the properties
   */
  constructor(scope: Construct, id: string, props: DefaultDenyProps = {}) {
    super(scope, id);
    const directions = props.directions ?? [Direction.INGRESS, Direction.EGRESS];
    if (!Array.isArray(directions) || directions.length === 0) {
      throw constructError(this, `directions ${JSON.stringify(directions)} is empty, so the policy would deny nothing (and the API server would default it to Ingress). List Direction.INGRESS and/or Direction.EGRESS, or leave directions out for both.`);
    }
    const legacyAnnotation = booleanProp(this, props.legacyAnnotation, 'legacyAnnotation', false);
    const namespace = resolveNamespace(this, props.namespace);
    const pods = props.pods ?? Selector.all();
    this.policy = new NetworkPolicy(this, 'Resource', {
      namespace,
      name: objectName(this, props.name),
      pods,
      isolate: directions,
      phase: props.phase,
    });
    if (legacyAnnotation) {
      if (!pods.isAll || !directions.includes(Direction.INGRESS)) {
        throw constructError(this, 'legacyAnnotation isolates the ingress of a whole namespace, but this DefaultDeny ' +
          `${pods.isAll ? 'does not deny ingress' : `selects only pods ${pods}`}. Remove legacyAnnotation, or deny ingress for every pod (pods: Selector.all()).`);
      }
      this.legacyNamespace = namespaceObject(this, 'LegacyNamespace', namespace, {
        annotations: { [LEGACY_ISOLATION_ANNOTATION]: JSON.stringify({ ingress: { isolation: 'DefaultDeny' } }) },
      });
    }
  }
}
