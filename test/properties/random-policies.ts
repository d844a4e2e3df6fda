import * as fc from 'fast-check';
import { RandomPod } from './random-cluster';

/**
 * Random NetworkPolicies and pods for the property tests that check an analyser (the matrix, the
 * equivalence classes) against the pair-by-pair reference (`explain`) on every pair of a random
 * cluster. Each test gives its own vocabulary (label keys and values, selectors of namespaces,
 * ipBlocks, ports); the shape of a policy, a pod and their manifests are the same for all.
 */
export interface PolicyVocabulary {
  /** The label keys selectors test. */
  readonly keys: readonly string[];
  /** The label values selectors compare them to. */
  readonly values: readonly string[];
  /** At most this many matchExpressions a selector. */
  readonly maxExpressions: number;
  /** A peer's namespaceSelector. */
  readonly namespaceSelector: fc.Arbitrary<object>;
  /** The ipBlocks of peers. */
  readonly ipBlocks: ReadonlyArray<{ readonly cidr: string; readonly except?: readonly string[] }>;
  /** Port numbers of a rule's ports (each TCP or UDP). */
  readonly ports: readonly number[];
  /** The endPort of a TCP port 80 range. */
  readonly endPorts: readonly number[];
  /** Named ports of a rule. */
  readonly portNames: readonly string[];
}

/** The arbitraries of selectors, rules and policies (of `namespaces`) over `v`. */
export function policyArbitraries(v: PolicyVocabulary, namespaces: readonly string[]) {
  const selector = fc.record({
    matchLabels: fc.option(fc.dictionary(fc.constantFrom(...v.keys), fc.constantFrom(...v.values), { minKeys: 1, maxKeys: 1 }), { nil: undefined }),
    matchExpressions: fc.option(fc.array(fc.oneof(
      fc.record({ key: fc.constantFrom(...v.keys), operator: fc.constantFrom('In', 'NotIn'), values: fc.uniqueArray(fc.constantFrom(...v.values), { minLength: 1, maxLength: 2 }) }),
      fc.record({ key: fc.constantFrom(...v.keys), operator: fc.constantFrom('Exists', 'DoesNotExist') }),
    ), { maxLength: v.maxExpressions }), { nil: undefined }),
  }, { requiredKeys: [] }).map((s) => JSON.parse(JSON.stringify(s)));
  const peer = fc.oneof(
    fc.record({ podSelector: selector }),
    fc.record({ namespaceSelector: v.namespaceSelector }),
    fc.record({ namespaceSelector: v.namespaceSelector, podSelector: selector }),
    fc.record({ ipBlock: fc.oneof(...v.ipBlocks.map((b) => fc.constant(b))) }),
  );
  const port = fc.oneof(
    fc.record({ protocol: fc.constantFrom('TCP', 'UDP'), port: fc.constantFrom(...v.ports) }),
    fc.record({ protocol: fc.constant('TCP'), port: fc.constant(80), endPort: fc.constantFrom(...v.endPorts) }),
    fc.record({ port: fc.constantFrom(...v.portNames) }),
    fc.record({ protocol: fc.constantFrom('TCP', 'UDP') }),
  );
  const rule = (field: 'from' | 'to') => fc.record({ [field]: fc.option(fc.array(peer, { maxLength: 2 }), { nil: undefined }), ports: fc.option(fc.array(port, { maxLength: 2 }), { nil: undefined }) }, { requiredKeys: [] })
    .map((r) => JSON.parse(JSON.stringify(r)));
  const policy = fc.record({
    namespace: fc.constantFrom(...namespaces),
    podSelector: selector,
    policyTypes: fc.option(fc.subarray(['Ingress', 'Egress'], { minLength: 1 }), { nil: undefined }),
    ingress: fc.option(fc.array(rule('from'), { maxLength: 2 }), { nil: undefined }),
    egress: fc.option(fc.array(rule('to'), { maxLength: 2 }), { nil: undefined }),
  });
  return { selector, policy };
}

/** A generated policy (`policyArbitraries(...).policy`). */
export type RandomPolicy = ReturnType<typeof policyArbitraries>['policy'] extends fc.Arbitrary<infer T> ? T : never;

/** The NetworkPolicy manifests of `policies`, named `<prefix><i>`. */
export function policyManifests(policies: readonly RandomPolicy[], prefix: string): any[] {
  return policies.map((p, i) => {
    const spec: any = { podSelector: p.podSelector };
    if (p.policyTypes) spec.policyTypes = p.policyTypes;
    if (p.ingress) spec.ingress = p.ingress;
    if (p.egress) spec.egress = p.egress;
    return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: `${prefix}${i}`, namespace: p.namespace }, spec };
  });
}

/** How a test's pods are drawn: their namespaces, labels and IPs, and how often they use the host's network. */
export interface PodVocabulary {
  readonly namespaces: readonly string[];
  readonly labels: fc.Arbitrary<Record<string, string>>;
  readonly ips: ReadonlyArray<string | undefined>;
  /** Drawn uniformly: `[false, false, false, true]` makes one pod in four a hostNetwork pod. */
  readonly hostNetwork: readonly boolean[];
  /** The node IPs a hostNetwork pod may have (`hostIp`); without them pods have none. */
  readonly hostIps?: ReadonlyArray<string | undefined>;
}

/** A generated pod (`podArbitrary`): a random cluster's pod that may use its node's network. */
export interface HostNetworkPod extends RandomPod {
  readonly hostNetwork: boolean;
  readonly hostIp?: string;
}

/** A pod (or a Deployment's pod template, `workload`): container port `http` is `http`. */
export function podArbitrary(v: PodVocabulary): fc.Arbitrary<HostNetworkPod> {
  return fc.record({
    namespace: fc.constantFrom(...v.namespaces),
    labels: v.labels,
    ip: fc.constantFrom(...v.ips),
    http: fc.constantFrom(80, 8080),
    workload: fc.boolean(),
    hostNetwork: fc.constantFrom(...v.hostNetwork),
    ...(v.hostIps ? { hostIp: fc.constantFrom(...v.hostIps) } : {}),
  });
}
