/**
 * How far a policy (or a service's policies) is rolled out: the three phases of adopting a running
 * cluster, in order. A team observes first, then stages, then enforces, one service at a time.
 *
 * A namespace-wide default deny follows the least enforcing service of its namespace, so every
 * construct that asks for it (each `ApplicationStack` with a service there, a `TierChain`,
 * `NetworkPolicies.denyAll`) must want that phase: otherwise the synth fails naming both, since a
 * phased stack would silently take the default deny away from another construct's namespace. Put
 * phased services in a namespace of their own, or promote a namespace's services together.
 *
 * Phases stage NetworkPolicies only: Cilium enforces every CiliumNetworkPolicy it is given, so a
 * Cilium feature (DNS names, entities, HTTP rules, deny rules) of an endpoint that is not ENFORCE
 * fails the synth; promote the service first, or use plain dependencies while it is staged.
 */
export enum EnforcementPhase {
  /**
   * Declared, not emitted: no object is written, so nothing is enforced or reported by the cluster.
   * The declarations still exist in the program (the analyser, diagrams, the jest matchers and
   * `FlowReplay.fromChart` know the services), so observed traffic can be replayed against them.
   */
  OBSERVE = 'OBSERVE',
  /**
   * Emitted as Calico `StagedKubernetesNetworkPolicy` objects (`projectcalico.org/v3`) with the same
   * spec: Calico evaluates and reports them (its flow logs say what they would do) without enforcing
   * them. The analyser treats them as not enforcing and says what they would do.
   */
  STAGED = 'STAGED',
  /** Emitted as `networking.k8s.io/v1` NetworkPolicies: enforced. */
  ENFORCE = 'ENFORCE',
}

const ORDER = [EnforcementPhase.OBSERVE, EnforcementPhase.STAGED, EnforcementPhase.ENFORCE];

/** Whether `value` is an `EnforcementPhase`. */
export function isEnforcementPhase(value: unknown): value is EnforcementPhase {
  return ORDER.includes(value as EnforcementPhase);
}

/** The earlier (less enforcing) of two phases. */
export function earlierPhase(a: EnforcementPhase, b: EnforcementPhase): EnforcementPhase {
  return ORDER.indexOf(a) <= ORDER.indexOf(b) ? a : b;
}

/** Whether phase `a` comes after `b` (enforces more). */
export function isLaterPhase(a: EnforcementPhase, b: EnforcementPhase): boolean {
  return ORDER.indexOf(a) > ORDER.indexOf(b);
}
