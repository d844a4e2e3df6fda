import { IConstruct } from 'constructs';
import { brand, checkFactoryToken, FACTORY, isBranded } from '../model/brand';

/** The network plugin (CNI) that enforces the policies of an app or chart. */
export enum NetworkPlugin {
  /** Any plugin that enforces `networking.k8s.io/v1` NetworkPolicy, and nothing beyond it. */
  KUBERNETES = 'kubernetes',
  /** Cilium: NetworkPolicy plus `cilium.io/v2` CiliumNetworkPolicy (DNS names, entities, L7 HTTP, deny rules). */
  CILIUM = 'cilium',
  /** Calico: NetworkPolicy (this library emits no Calico-specific policy kinds). */
  CALICO = 'calico',
}

/** The cluster-wide policy API (sig-network `policy.networking.k8s.io`) a target implements, if any. */
export enum ClusterPolicyApi {
  /** No cluster-wide policy API: guardrails cannot be emitted for this target. */
  NONE = 'none',
  /** `policy.networking.k8s.io/v1alpha1` AdminNetworkPolicy and BaselineAdminNetworkPolicy. */
  ADMIN_NETWORK_POLICY_V1ALPHA1 = 'v1alpha1',
  /** `policy.networking.k8s.io/v1alpha2` ClusterNetworkPolicy (tiers Admin and Baseline). */
  CLUSTER_NETWORK_POLICY_V1ALPHA2 = 'v1alpha2',
}

/** What a declaration may need beyond `networking.k8s.io/v1` NetworkPolicy. */
export enum NetworkFeature {
  /** Egress to DNS names and patterns (`toFQDNs`). */
  FQDN_EGRESS = 'FQDN_EGRESS',
  /** Peers that are entities without labels (`kube-apiserver`, `world`, `host`, ...). */
  ENTITIES = 'ENTITIES',
  /** Layer-7 HTTP rules (method, path, host, headers). */
  L7_HTTP = 'L7_HTTP',
  /** Rules that deny, taking precedence over every allow. */
  DENY_RULES = 'DENY_RULES',
}

/** Options of `NetworkTarget.kubernetes()` and `NetworkTarget.calico()`. */
export interface NetworkTargetOptions {
  /**
   * The cluster-wide policy API the cluster implements (which version of the sig-network policy
   * API guardrails are emitted as).
   * @default ClusterPolicyApi.NONE
   */
  readonly clusterPolicyApi?: ClusterPolicyApi;
}

const TARGET_FACTORIES = 'NetworkTarget.kubernetes(), NetworkTarget.cilium() or NetworkTarget.calico()';

/** The features each plugin can express, through the policy kinds this library emits for it. */
const FEATURES: Record<NetworkPlugin, readonly NetworkFeature[]> = {
  [NetworkPlugin.KUBERNETES]: [],
  [NetworkPlugin.CILIUM]: [NetworkFeature.FQDN_EGRESS, NetworkFeature.ENTITIES, NetworkFeature.L7_HTTP, NetworkFeature.DENY_RULES],
  [NetworkPlugin.CALICO]: [],
};

/** Why a feature needs more than NetworkPolicy, and what to write on a target without it. */
const INSTEAD: Record<NetworkFeature, { what: string; instead: string }> = {
  [NetworkFeature.FQDN_EGRESS]: {
    what: 'egress to DNS names (a NetworkPolicy names addresses only, never DNS names)',
    instead: 'give the destination\'s addresses instead (ExternalDestination.cidrs(name, [...]))',
  },
  [NetworkFeature.ENTITIES]: {
    what: 'an entity peer (a NetworkPolicy selects pods, namespaces and address blocks only)',
    instead: 'name the peer by pods, namespaces or addresses instead (Peer.podsInNamespace(...), ExternalDestination.kubernetesApiServer([...]), ExternalDestination.internet())',
  },
  [NetworkFeature.L7_HTTP]: {
    what: 'HTTP rules (a NetworkPolicy allows whole ports, never single requests)',
    instead: 'allow the port with allow(from, to, port) and enforce the HTTP rules in the application or a service mesh',
  },
  [NetworkFeature.DENY_RULES]: {
    what: 'a deny rule (NetworkPolicy rules only allow; what no rule allows is denied once the pods are isolated)',
    instead: 'isolate the pods (a default deny) and allow only what they need, so that what must be denied is never allowed',
  },
};

const DECLARED = new WeakMap<IConstruct, NetworkTarget>();

/**
 * The network plugin the policies are written for, declared once on the app or on a chart (plain
 * Kubernetes when nothing is declared). What a declaration needs decides what is emitted: plain
 * connections are NetworkPolicies on every target; a connection that needs more (DNS names, an
 * entity, HTTP rules, a deny rule) becomes a CiliumNetworkPolicy on the Cilium target, and is a
 * synth-time error on a target that cannot express it, naming what to write instead. Nothing is
 * ever widened to fit a target.
 *
 * @example
 * NetworkTarget.declare(app, NetworkTarget.cilium());
 * NetworkTarget.of(chart).plugin; // NetworkPlugin.CILIUM
 */
export class NetworkTarget {
  /** Plain Kubernetes: `networking.k8s.io/v1` NetworkPolicy and nothing beyond it (the default). */
  public static kubernetes(options: NetworkTargetOptions = {}): NetworkTarget {
    return new NetworkTarget(FACTORY, NetworkPlugin.KUBERNETES, checkApi(options, 'NetworkTarget.kubernetes'));
  }

  /**
   * Cilium: NetworkPolicy, plus `cilium.io/v2` CiliumNetworkPolicy for what NetworkPolicy cannot say.
   * Cilium implements no version of the sig-network cluster policy API, so it has none.
   */
  public static cilium(): NetworkTarget {
    return new NetworkTarget(FACTORY, NetworkPlugin.CILIUM, ClusterPolicyApi.NONE);
  }

  /** Calico: NetworkPolicy, and the cluster policy API version its release implements. */
  public static calico(options: NetworkTargetOptions = {}): NetworkTarget {
    return new NetworkTarget(FACTORY, NetworkPlugin.CALICO, checkApi(options, 'NetworkTarget.calico'));
  }

  /**
   * Declares the target of `scope` (the app, or a chart) and everything below it. A scope declares
   * once; a chart's declaration wins over its app's for the chart's constructs.
   */
  public static declare(scope: IConstruct, target: NetworkTarget): void {
    if (!NetworkTarget.isNetworkTarget(target)) {
      throw new Error(`cdk8s-netpol: NetworkTarget.declare at [${scope?.node?.path ?? String(scope)}]: ${String(target)} is not a NetworkTarget. Use ${TARGET_FACTORIES}.`);
    }
    const earlier = DECLARED.get(scope);
    if (earlier) {
      if (earlier.key === target.key) return;
      throw new Error(`cdk8s-netpol: [${scope.node.path || '<app>'}] declares the network target twice: ${earlier} and ${target}. `
        + 'A scope is enforced by one network plugin: declare it once (on the app, or on each chart whose cluster runs another plugin).');
    }
    DECLARED.set(scope, target);
  }

  /** The target of `scope`: the nearest declaration on it or a scope above it, else plain Kubernetes. */
  public static of(scope: IConstruct): NetworkTarget {
    for (const s of [...scope.node.scopes].reverse()) {
      const declared = DECLARED.get(s);
      if (declared) return declared;
    }
    return DEFAULT;
  }

  /** True for a `NetworkTarget` made by a factory. */
  public static isNetworkTarget(x: any): x is NetworkTarget {
    return isBranded(x, 'NetworkTarget');
  }

  readonly #plugin: NetworkPlugin;
  readonly #clusterPolicyApi: ClusterPolicyApi;

  private constructor(token: unknown, plugin: NetworkPlugin, clusterPolicyApi: ClusterPolicyApi) {
    checkFactoryToken(token, 'NetworkTarget', TARGET_FACTORIES);
    this.#plugin = plugin;
    this.#clusterPolicyApi = clusterPolicyApi;
    brand(this, 'NetworkTarget');
  }

  /** The network plugin. */
  public get plugin(): NetworkPlugin {
    return this.#plugin;
  }

  /** The cluster-wide policy API the target implements (`ClusterPolicyApi.NONE` when none). */
  public get clusterPolicyApi(): ClusterPolicyApi {
    return this.#clusterPolicyApi;
  }

  /** Whether the target can express `feature`. */
  public supports(feature: NetworkFeature): boolean {
    return FEATURES[this.#plugin].includes(feature);
  }

  /**
   * Why `feature`, needed by `declaration`, cannot be emitted for this target, and what to do
   * instead; undefined when the target supports it.
   * @internal
   */
  public _refusal(feature: NetworkFeature, declaration: string): string | undefined {
    if (this.supports(feature)) return undefined;
    const { what, instead } = INSTEAD[feature];
    return `${declaration} needs ${what}, which the network target ${this} cannot express${this.#plugin === NetworkPlugin.KUBERNETES ? ' (the default when no target is declared)' : ''}. `
      + `If the cluster runs Cilium, declare it once: NetworkTarget.declare(app, NetworkTarget.cilium()) (or NetpolAppProps.target); otherwise ${instead}.`;
  }

  /** A stable identity. */
  private get key(): string {
    return `${this.#plugin}|${this.#clusterPolicyApi}`;
  }

  /** Readable form, e.g. `NetworkTarget.cilium()`. */
  public toString(): string {
    const api = this.#clusterPolicyApi === ClusterPolicyApi.NONE || this.#plugin === NetworkPlugin.CILIUM
      ? '' : `{ clusterPolicyApi: ${this.#clusterPolicyApi} }`;
    return `NetworkTarget.${this.#plugin}(${api})`;
  }
}

function checkApi(options: NetworkTargetOptions, factory: string): ClusterPolicyApi {
  const api = options?.clusterPolicyApi ?? ClusterPolicyApi.NONE;
  if (!Object.values(ClusterPolicyApi).includes(api)) {
    throw new Error(`cdk8s-netpol: ${factory}: clusterPolicyApi ${JSON.stringify(api)} is not a ClusterPolicyApi. Use ClusterPolicyApi.NONE, `
      + 'ClusterPolicyApi.ADMIN_NETWORK_POLICY_V1ALPHA1 or ClusterPolicyApi.CLUSTER_NETWORK_POLICY_V1ALPHA2.');
  }
  return api;
}

const DEFAULT = NetworkTarget.kubernetes();
