import { Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { atConstruct, constructError } from './errors';
import { AppOwnership } from './ownership';
import { Environment } from '../model/environment';
import { Peer } from '../model/peer';
import { Selector } from '../model/selector';

/** What confines the rules declared inside a chart to an environment (an `ApplicationStack` with an environment). */
export interface EnvironmentConfinement {
  /** The environment. */
  readonly environment: Environment;
  /**
   * The namespaces a peer may name: the chart's own namespaces, its shared namespaces and the DNS
   * namespace (a platform namespace of no environment).
   */
  namedNamespaces(): ReadonlySet<string>;
}

const BY_CHART = new WeakMap<IConstruct, EnvironmentConfinement>();
/** The key under which `AppOwnership` records the stack that put a namespace in an environment. */
const NAMESPACE_KEY = 'environment|';

/**
 * Puts `namespace` in the environment of `stack` for the whole app (the first stack to do so owns it):
 * every policy in the namespace is then confined like the stack's own rules, whichever chart declares
 * it. Returns the stack that owns the namespace and its environment (another one's: a conflict, for
 * the caller to report).
 */
export function claimNamespaceEnvironment(stack: Chart, namespace: string): { environment: string; declaredAt: string } {
  const confinement = BY_CHART.get(stack);
  if (!confinement) throw new Error(`internal: ${stack.node.path} has no environment`);
  const claimed = AppOwnership.of(stack).claim(`${NAMESPACE_KEY}${namespace}`, stack, () => ({ stack: stack as IConstruct, confinement }));
  return { environment: claimed.value.confinement.environment.name, declaredAt: claimed.declaredAt };
}

/** The stack that put `namespace` in an environment, in the app of `scope`, if one did. */
export function namespaceEnvironmentOwner(scope: IConstruct, namespace: string): IConstruct | undefined {
  return namespaceStack(scope, namespace)?.chart;
}

/** The stacks whose environments `confinePeers` applies to a rule with these arguments. */
export function confiningStacks(origin: IConstruct, policy: IConstruct, namespace?: string): IConstruct[] {
  return [confiningChart(origin), confiningChart(policy), namespaceStack(origin, namespace)]
    .filter((s): s is NonNullable<typeof s> => s !== undefined).map((s) => s.chart);
}

/** The stack that put `namespace` in an environment, in the app of `scope`. */
function namespaceStack(scope: IConstruct, namespace: string | undefined): { chart: IConstruct; confinement: EnvironmentConfinement } | undefined {
  if (namespace === undefined) return undefined;
  const owner = AppOwnership.of(scope).peek<{ stack: IConstruct; confinement: EnvironmentConfinement }>(`${NAMESPACE_KEY}${namespace}`);
  return owner ? { chart: owner.stack, confinement: owner.confinement } : undefined;
}

/** Confines every rule declared inside `chart` (and its nested constructs) to an environment. */
export function confineToEnvironment(chart: Chart, confinement: EnvironmentConfinement): void {
  BY_CHART.set(chart, confinement);
}

/** The chart (the nearest scope of `scope`, itself included) whose rules are confined to an environment, if any. */
function confiningChart(scope: IConstruct): { chart: IConstruct; confinement: EnvironmentConfinement } | undefined {
  const scopes = scope.node.scopes;
  for (let i = scopes.length - 1; i >= 0; i--) {
    const confinement = BY_CHART.get(scopes[i]);
    if (confinement) return { chart: scopes[i], confinement };
  }
  return undefined;
}

/**
 * `peers` confined to the environment of the stack that `origin` (the construct that declares the
 * rule) or `policy` (the construct the rule goes into) belongs to, and of the stack that put the
 * policy's `namespace` in an environment; as they are when there is none.
 * Every route into a NetworkPolicy passes here, so no construct, recipe or registry method can open
 * an environment to another:
 *
 * - a peer that selects namespaces by label (or all namespaces) gets the `environment: <name>`
 *   requirement added, so it only matches namespaces of the environment;
 * - a peer that names a namespace is kept when the namespace is one of the stack's own, one of its
 *   `sharedNamespaces`, its DNS namespace, or a namespace that a stack of the app put in the same
 *   environment, and refused otherwise (a name says nothing about the namespace's environment);
 * - peers that select no namespaces (pods of the policy's own namespace, ipBlocks, `Peer.anyone()`)
 *   are kept as they are: they say "this namespace", "these addresses", "everyone".
 *
 * Errors name `origin` and `method`. Anything that is not a Peer is returned as is, for the rule to
 * refuse with its own reason.
 */
export function confinePeers(origin: IConstruct, policy: IConstruct, peers: Peer[], method: string, namespace?: string): Peer[] {
  if (!Array.isArray(peers)) return peers;
  const stacks = [confiningChart(origin), confiningChart(policy), namespaceStack(origin, namespace)]
    .filter((s): s is NonNullable<typeof s> => s !== undefined);
  if (stacks.length === 0) return peers;
  const distinct = stacks.filter((s, i) => stacks.findIndex((t) => t.chart === s.chart) === i);
  return peers.map((peer) => distinct.reduce((p, s) => confinePeer(origin, s.chart, s.confinement, p, method), peer));
}

function confinePeer(origin: IConstruct, chart: IConstruct, confinement: EnvironmentConfinement, peer: Peer, method: string): Peer {
  if (!Peer.isPeer(peer) || !peer.namespaceSelector) return peer;
  const env = confinement.environment;
  const stack = chart === origin ? '' : ` (the rule is confined by stack [${chart.node.path}], whose environment is "${env.name}")`;
  if (peer.namespaceName !== undefined) {
    if (confinement.namedNamespaces().has(peer.namespaceName)) return peer;
    // A namespace that a stack of the app put in the same environment belongs to it too.
    if (namespaceStack(origin, peer.namespaceName)?.confinement.environment.name === env.name) return peer;
    throw constructError(origin, `${method}: ${peer} names namespace ${peer.namespaceName}, which is neither a namespace of this stack nor one of its sharedNamespaces${stack}, `
      + `so nothing says it belongs to environment "${env.name}", and the rule could open "${env.name}" to another environment. `
      + `If ${peer.namespaceName} is a platform namespace that belongs to no environment (ingress controller, monitoring), list it in sharedNamespaces; `
      + `if it belongs to "${env.name}", select it by label so the rule is confined to the environment: `
      + `Peer.namespaces(Selector.labels({ 'kubernetes.io/metadata.name': '${peer.namespaceName}' })) matches it only while it is labelled ${Environment.LABEL}=${env.name}.`);
  }
  const selector = peer.namespaceSelector;
  const namespaces = selector.isAll
    ? Selector.labels({ [Environment.LABEL]: env.name })
    : atConstruct(origin, `${method}${stack}`, () => selector.withLabels({ [Environment.LABEL]: env.name }));
  return peer.podSelector ? Peer.podsInNamespaces(namespaces, peer.podSelector) : Peer.namespaces(namespaces);
}
