import * as fc from 'fast-check';

/**
 * Random small clusters for the property tests that check an analysis against the pair-by-pair
 * analyser: pods and workloads with random labels, and random valid NetworkPolicies built from the
 * selectors, peers and ports a test gives (each test draws from its own vocabulary, the shape of a
 * cluster and its manifests are the same for all).
 */
export interface RandomClusterOptions {
  /** The namespaces pods and policies are in. */
  readonly namespaces: readonly string[];
  /** The labels of pods. */
  readonly labels: fc.Arbitrary<Record<string, string>>;
  /** The pod selector of a policy. */
  readonly podSelector: fc.Arbitrary<object>;
  /** One peer of a rule. */
  readonly peer: fc.Arbitrary<object>;
  /** One port of a rule. */
  readonly port: fc.Arbitrary<object>;
  /** The IPs a pod may have (undefined: none known). */
  readonly podIps: ReadonlyArray<string | undefined>;
  /** The container ports named `http` a pod may listen on. */
  readonly httpPorts: readonly number[];
  /** Whether pods also listen on 5432 (named `db`). @default false */
  readonly dbPort?: boolean;
  /** Whether namespaces carry a `team` label (red or blue), emitted as Namespace objects. @default false */
  readonly teams?: boolean;
}

/** One pod (or workload, whose pod template carries the labels). */
export interface RandomPod {
  readonly namespace: string;
  readonly labels: Record<string, string>;
  readonly ip?: string;
  readonly http: number;
  readonly workload: boolean;
}

/** A random cluster: its pods, its policies (namespace and spec) and its red namespaces. */
export interface RandomCluster {
  readonly pods: RandomPod[];
  readonly policies: Array<{ namespace: string; [field: string]: unknown }>;
  readonly red: string[];
}

/** The arbitrary of clusters of `options` (1-6 pods, up to 4 policies of up to 2 rules a direction). */
export function randomCluster(options: RandomClusterOptions): fc.Arbitrary<RandomCluster> {
  const rule = (field: 'from' | 'to') => fc.record({
    [field]: fc.option(fc.array(options.peer, { minLength: 1, maxLength: 2 }), { nil: undefined }),
    ports: fc.option(fc.array(options.port, { minLength: 1, maxLength: 2 }), { nil: undefined }),
  }, { requiredKeys: [] }).map((r) => JSON.parse(JSON.stringify(r)));
  const policy = fc.record({
    namespace: fc.constantFrom(...options.namespaces),
    podSelector: options.podSelector,
    policyTypes: fc.subarray(['Ingress', 'Egress'], { minLength: 1 }),
    ingress: fc.array(rule('from'), { maxLength: 2 }),
    egress: fc.array(rule('to'), { maxLength: 2 }),
  });
  const pod: fc.Arbitrary<RandomPod> = fc.record({
    namespace: fc.constantFrom(...options.namespaces),
    labels: options.labels,
    ip: fc.constantFrom(...options.podIps),
    http: fc.constantFrom(...options.httpPorts),
    workload: fc.boolean(),
  }).map((p) => JSON.parse(JSON.stringify(p)));
  return fc.record({
    pods: fc.array(pod, { minLength: 1, maxLength: 6 }),
    policies: fc.array(policy, { maxLength: 4 }),
    red: options.teams ? fc.subarray([...options.namespaces]) : fc.constant([]),
  });
}

/** The id (`namespace/name`) of the `i`-th pod of a cluster in its manifests. */
export function randomPodId(pod: RandomPod, i: number): string {
  return `${pod.namespace}/${pod.workload ? 'w' : 'p'}.${i}`;
}

/** The namespace labels of a cluster's namespace (its name label, and its team with `teams`). */
export function randomNamespaceLabels(c: RandomCluster, options: RandomClusterOptions, namespace: string): Record<string, string> {
  return { 'kubernetes.io/metadata.name': namespace, ...(options.teams ? { team: c.red.includes(namespace) ? 'red' : 'blue' } : {}) };
}

/** The manifests of a cluster: Namespaces (with `teams`), a Deployment or a Pod per pod, the NetworkPolicies. */
export function randomClusterManifests(c: RandomCluster, options: RandomClusterOptions): any[] {
  const objects: any[] = options.teams
    ? options.namespaces.map((ns) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { team: c.red.includes(ns) ? 'red' : 'blue' } } }))
    : [];
  c.pods.forEach((p, i) => {
    const ports = [{ containerPort: p.http, name: 'http' }, ...(options.dbPort ? [{ containerPort: 5432, name: 'db' }] : [])];
    const spec = { containers: [{ name: 'main', ports }] };
    const name = randomPodId(p, i).split('/')[1];
    objects.push(p.workload
      ? { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: p.namespace }, spec: { template: { metadata: { labels: p.labels }, spec } } }
      : { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: p.namespace, labels: p.labels }, spec, ...(p.ip ? { status: { podIP: p.ip } } : {}) });
  });
  c.policies.forEach((p, i) => {
    const { namespace, ...spec } = p;
    objects.push({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: `np${i}`, namespace }, spec });
  });
  return objects;
}
