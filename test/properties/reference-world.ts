import * as fc from 'fast-check';

/**
 * The random worlds of the differential tests that check a kind of policy (the cluster-wide tiers,
 * Cilium's policies) against a reference written in the test: pods, the policies under test,
 * NetworkPolicies beside them and red namespaces, and their manifests and reference ends. Each test
 * gives its own vocabulary; the shape of a world and its manifests are the same for all.
 */

/** Labels (or a selector's matchLabels) as a plain map. */
export type Sel = Record<string, string>;

/** An end as the references see it: a pod, or an address outside the cluster. */
export interface Ep { id: string; namespace?: string; labels: Sel; ip?: string; dns?: string; http?: number; external: boolean }

/** An address outside the cluster, as `ReachabilityOptions.externals` takes it. */
export interface WorldExternal { readonly name: string; readonly ip: string; readonly dnsName?: string }

export interface WorldShape<K extends string, P> {
  /** The namespaces pods and NetworkPolicies are in (each red or blue by its `team` label). */
  readonly namespaces: readonly string[];
  /** The labels of a pod. */
  readonly podLabels: fc.Arbitrary<Sel>;
  /** The IPs a pod may have (undefined: none known). */
  readonly podIps: ReadonlyArray<string | undefined>;
  /** The pod selector of a NetworkPolicy, as labels (`{}`: every pod of its namespace). */
  readonly npPodSelector: fc.Arbitrary<Sel>;
  /** The `app` value the pod selector of a NetworkPolicy's ingress peer names. */
  readonly npFromApp: string;
  /** At most this many NetworkPolicies. */
  readonly maxNetworkPolicies: number;
  /** The field of the world that holds the policies under test. */
  readonly policiesField: K;
  /** The policies under test (generated after the pods, before the NetworkPolicies). */
  readonly policies: fc.Arbitrary<P[]>;
}

/** One pod of a world. */
export interface WorldPod { readonly namespace: string; readonly labels: Sel; readonly ip?: string; readonly http: number }

/** One NetworkPolicy of a world: one rule a direction, of an optional peer and an optional port. */
export interface WorldNetworkPolicy {
  readonly namespace: string;
  readonly podSelector: Sel;
  readonly types: string[];
  readonly from?: object;
  readonly port?: number;
}

/** A world: 1-6 pods, the policies under test, NetworkPolicies, and the namespaces whose team is red. */
export type World<K extends string, P> = { pods: WorldPod[]; nps: WorldNetworkPolicy[]; red: string[] } & { [field in K]: P[] };

/** The arbitrary of worlds of `shape`. */
export function referenceWorld<K extends string, P>(shape: WorldShape<K, P>): fc.Arbitrary<World<K, P>> {
  const np = fc.record({
    namespace: fc.constantFrom(...shape.namespaces),
    podSelector: shape.npPodSelector,
    types: fc.subarray(['Ingress', 'Egress'], { minLength: 1 }),
    from: fc.constantFrom(undefined, { podSelector: { matchLabels: { app: shape.npFromApp } } }, { namespaceSelector: { matchLabels: { team: 'red' } } }),
    port: fc.constantFrom(undefined, 80, 53),
  });
  const pod = fc.record({
    namespace: fc.constantFrom(...shape.namespaces),
    labels: shape.podLabels,
    ip: fc.constantFrom(...shape.podIps),
    http: fc.constantFrom(80, 8080),
  });
  // The order of the fields is the order of generation.
  const fields: Record<string, fc.Arbitrary<unknown>> = {
    pods: fc.array(pod, { minLength: 1, maxLength: 6 }),
    [shape.policiesField]: shape.policies,
    nps: fc.array(np, { maxLength: shape.maxNetworkPolicies }),
    red: fc.subarray([...shape.namespaces]),
  };
  return fc.record(fields) as unknown as fc.Arbitrary<World<K, P>>;
}

/**
 * The manifests of a world's namespaces, pods and NetworkPolicies (the policies under test are the
 * caller's), and the reference ends: its pods (`<namespace>/p<i>`) and `externals`.
 */
export function worldManifests(w: World<string, unknown>, namespaces: readonly string[], externals: readonly WorldExternal[]): {
  namespaces: any[]; pods: any[]; nps: any[]; eps: Ep[];
} {
  return {
    namespaces: namespaces.map((n) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: n, labels: { team: w.red.includes(n) ? 'red' : 'blue' } } })),
    pods: w.pods.map((p, i) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `p${i}`, namespace: p.namespace, labels: p.labels },
      spec: { containers: [{ name: 'c', ports: [{ containerPort: p.http, name: 'http' }] }] },
      ...(p.ip ? { status: { podIP: p.ip } } : {}),
    })),
    nps: w.nps.map((p, i) => ({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: `np${i}`, namespace: p.namespace },
      spec: {
        podSelector: Object.keys(p.podSelector).length ? { matchLabels: p.podSelector } : {},
        policyTypes: p.types,
        ...(p.types.includes('Ingress') ? { ingress: [{ ...(p.from ? { from: [p.from] } : {}), ...(p.port ? { ports: [{ port: p.port }] } : {}) }] } : {}),
        ...(p.types.includes('Egress') ? { egress: [{ ...(p.port ? { ports: [{ port: p.port }] } : {}) }] } : {}),
      },
    })),
    eps: [
      ...w.pods.map((p, i) => ({ id: `${p.namespace}/p${i}`, namespace: p.namespace, labels: p.labels, ip: p.ip, http: p.http, external: false })),
      ...externals.map((e) => ({ id: e.name, labels: {}, ip: e.ip, dns: e.dnsName, external: true })),
    ],
  };
}
