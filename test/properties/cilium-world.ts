import * as fc from 'fast-check';

/**
 * The random worlds of Cilium's policies (the vocabulary, the generators and the manifests), shared
 * by the differential test of the Cilium policies (cilium.property.test.ts, whose reference reads
 * them) and the property tests that draw Cilium policies into other worlds (widest-open).
 */

export const NS = ['shop', 'team-b', 'c'];
export const KEYS = ['app', 'App', 'app_x', 'example.com/app'];
export const VALUES = ['web', 'Web', 'web_api', 'web-api', 'web.1'];
export const NS_KEY = 'io.kubernetes.pod.namespace';
/**
 * The service account's label of a pod's identity (docs.cilium.io "Using Kubernetes Constructs In
 * Policy", "ServiceAccounts"): its spec.serviceAccountName (the deprecated spec.serviceAccount where
 * that is absent), `default` where it names none; never the pod's own label of that key.
 */
export const SA_KEY = 'io.cilium.k8s.policy.serviceaccount';
export const ACCOUNTS = ['default', 'web', 'Web'];
/** Keys Cilium's label filter drops by default: the reference's own list. */
export const FILTERED = ['pod-template-hash', 'statefulset.kubernetes.io/pod-name'];
export const RESERVED = 'reserved:host';
/** Entities whose identities no end has: health endpoints, Cilium's ingress proxy, unresolved identities, pods Cilium does not manage (every pod here is managed). */
export const NO_END = ['health', 'ingress', 'init', 'unmanaged'];

export type Sel = Record<string, string>;
export interface Ep {
  id: string;
  namespace?: string;
  labels: Sel;
  ip?: string;
  dns?: string;
  http?: number;
  external: boolean;
  node?: string;
  apiServer?: boolean;
  /** A pod's on the pod network. */
  serviceAccount?: string;
}

export const prefixed = (k: string) => fc.constantFrom(k, `k8s:${k}`);
export const decidedSel = fc.oneof(
  fc.constant({}),
  fc.tuple(fc.constantFrom(...KEYS), fc.constantFrom(...VALUES)).chain(([k, v]) => prefixed(k).map((pk) => ({ matchLabels: { [pk]: v } }))),
  fc.constantFrom(...ACCOUNTS).chain((v) => prefixed(SA_KEY).map((pk) => ({ matchLabels: { [pk]: v } }))),
);
/** A selector on a filtered key (a value, or DoesNotExist), next to a decided requirement or alone. */
export const filteredOf = ([k, v, absent, d]: [string, string, boolean, any]) => prefixed(k).map((pk) => ({
  ...(d.matchLabels || !absent ? { matchLabels: { ...d.matchLabels, ...(absent ? {} : { [pk]: v }) } } : {}),
  ...(absent ? { matchExpressions: [{ key: pk, operator: 'DoesNotExist' }] } : {}),
}));
export const filteredSel = fc.tuple(fc.constantFrom(...FILTERED), fc.constantFrom(...VALUES), fc.boolean(), decidedSel).chain(filteredOf);
export const labelSel = fc.oneof({ weight: 4, arbitrary: decidedSel }, { weight: 1, arbitrary: filteredSel });
export const peerSel = fc.oneof(
  { weight: 4, arbitrary: labelSel },
  {
    weight: 2,
    arbitrary: fc.tuple(fc.constantFrom(...NS), labelSel)
      .chain(([n, s]) => prefixed(NS_KEY).map((k) => ({ ...s, matchLabels: { ...(s as any).matchLabels, [k]: n } }))),
  },
  { weight: 1, arbitrary: decidedSel.map((s) => ({ matchLabels: { ...(s as any).matchLabels, [RESERVED]: '' } })) },
);
export const CIDR_SETS = [{ cidr: '203.0.113.0/24' }, { cidr: '198.51.100.0/24', except: ['198.51.100.8/32'] }, { cidr: '10.0.0.0/8' }, { cidr: '0.0.0.0/0' }];
export const FQDNS = [{ matchName: 'api.example.com' }, { matchPattern: '*.example.com' }, { matchName: 'example.com' }, { matchPattern: '*' }];
export const portGen = fc.oneof(
  fc.record({ port: fc.constantFrom('80', '53', '443'), protocol: fc.constantFrom('TCP', 'UDP', 'ANY', undefined) }),
  fc.constant({ port: '80', endPort: 443, protocol: 'TCP' }),
  fc.record({ port: fc.constant('http'), protocol: fc.constantFrom('TCP', 'ANY', undefined) }),
).map((p) => JSON.parse(JSON.stringify(p)));
export const toPorts = (dns: boolean) => fc.record({
  ports: fc.array(portGen, { minLength: 1, maxLength: 2 }),
  dnsRule: dns ? fc.constantFrom(undefined, [{ matchPattern: '*' }], [{ matchName: 'api.example.com' }]) : fc.constant(undefined),
}).map(({ ports, dnsRule }) => {
  if (!dnsRule) return { ports };
  // Only policies Cilium's agent accepts: "DNS rules do not support port ranges" (rule_validation.go).
  const single = ports.filter((x: any) => x.endPort === undefined);
  return { ports: single.length > 0 ? single : [{ port: '53', protocol: 'UDP' }], rules: { dns: dnsRule } };
});
export const ruleGen = (dir: 'ingress' | 'egress', deny: boolean) => {
  const p = dir === 'ingress' ? 'from' : 'to';
  const peers = [
    fc.array(peerSel, { minLength: 1, maxLength: 2 }).map((s) => ({ [`${p}Endpoints`]: s })),
    // With the entities no end of the model has (health, ingress, init, unmanaged), in lists with the others.
    fc.subarray(['world', 'cluster', 'all', 'host', 'remote-node', 'kube-apiserver', ...NO_END], { minLength: 1, maxLength: 3 }).map((e) => ({ [`${p}Entities`]: e })),
    fc.subarray(CIDR_SETS, { minLength: 1, maxLength: 2 }).map((c) => ({ [`${p}CIDRSet`]: c })),
    fc.constant({}),
    ...(dir === 'egress' && !deny ? [fc.subarray(FQDNS, { minLength: 1, maxLength: 2 }).map((f) => ({ toFQDNs: f }))] : []),
    // Peers the model cannot place: kept in a deny rule, read fail closed (docs.cilium.io Layer 3 Policies).
    ...(deny ? [
      fc.constant({ [`${p}Nodes`]: [{ matchLabels: { 'node-role.kubernetes.io/worker': '' } }] }),
      fc.constant({ [`${p}Groups`]: [{ aws: { securityGroupsIds: ['sg-0123456789abcdef0'] } }] }),
      ...(dir === 'egress' ? [fc.constant({ toServices: [{ k8sService: { serviceName: 'db', namespace: 'shop' } }] })] : []),
    ] : []),
  ];
  return fc.record({ peer: fc.oneof(...peers), ports: fc.option(fc.array(toPorts(dir === 'egress' && !deny), { minLength: 1, maxLength: 2 }), { nil: undefined }) })
    // A rule needs a peer or ports (an allow of neither is left out, a deny of neither denies everything: not generated;
    // test/analysis/cilium-unmodelled-denies.test.ts covers it).
    .map(({ peer, ports }) => ({ ...peer, ...(ports || Object.keys(peer).length === 0 ? { toPorts: ports ?? [{ ports: [{ port: '80', protocol: 'TCP' }] }] } : {}) }));
};
// Denies aimed at DNS (issue 15): they drop the lookups a DNS rule would let the proxy see.
export const dnsDeny = fc.oneof(
  fc.record({ ports: fc.constantFrom([{ port: '53', protocol: 'UDP' }], [{ port: '53', protocol: 'ANY' }], [{ port: '53', protocol: 'TCP' }]) })
    .map(({ ports }) => ({ toPorts: [{ ports }] })),
  fc.array(peerSel, { minLength: 1, maxLength: 1 }).map((s) => ({ toEndpoints: s, toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }] }] })),
  fc.constant({ toEntities: ['cluster'] }),
  fc.constant({ toEndpoints: [{ matchLabels: { 'k8s:app': 'dns', [NS_KEY]: 'c' } }] }),
);
export const DNS_POLICY = {
  clusterwide: true,
  namespace: 'shop',
  endpointSelector: {},
  defaultDeny: { ingress: false },
  ingress: [],
  egress: [
    { toEndpoints: [{ matchLabels: { app: 'dns' } }], toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }] },
    { toFQDNs: [{ matchPattern: '*.example.com' }] },
  ],
  ingressDeny: [],
  egressDeny: [],
};
export const ciliumGen = fc.record({
  clusterwide: fc.boolean(),
  // A host policy (nodeSelector instead of endpointSelector), when cluster-wide.
  host: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  namespace: fc.constantFrom(...NS),
  endpointSelector: labelSel,
  defaultDeny: fc.constantFrom(undefined, { ingress: false }, { egress: false }, { ingress: true, egress: false }),
  ingress: fc.array(ruleGen('ingress', false), { maxLength: 2 }),
  egress: fc.array(ruleGen('egress', false), { maxLength: 2 }),
  ingressDeny: fc.array(ruleGen('ingress', true), { maxLength: 1 }),
  egressDeny: fc.array(fc.oneof(ruleGen('egress', true), dnsDeny), { maxLength: 1 }),
});
export const npGen = fc.record({
  namespace: fc.constantFrom(...NS),
  app: fc.constantFrom(undefined, ...VALUES),
  types: fc.subarray(['Ingress', 'Egress'], { minLength: 1 }),
  from: fc.constantFrom(undefined, { podSelector: { matchLabels: { app: 'web' } } }, { namespaceSelector: { matchLabels: { team: 'red' } } }),
  port: fc.constantFrom(undefined, 80, 53),
});
export const podGen = fc.record({
  namespace: fc.constantFrom(...NS),
  // Now and then a label of the service account's key of its own, which is not its service account.
  labels: fc.dictionary(fc.constantFrom(...KEYS, ...FILTERED, SA_KEY), fc.constantFrom(...VALUES), { maxKeys: 3 }),
  serviceAccount: fc.constantFrom(undefined, ...ACCOUNTS),
  deprecatedField: fc.boolean(),
  ip: fc.constantFrom('10.1.2.3', '203.0.113.9', undefined),
  http: fc.constantFrom(80, 8080),
  node: fc.constantFrom('n1', 'n2'),
  hostNetwork: fc.boolean(),
});
export const ciliumWorld = fc.record({
  pods: fc.array(podGen, { minLength: 1, maxLength: 6 }),
  cilium: fc.array(ciliumGen, { minLength: 1, maxLength: 3 }),
  nps: fc.array(npGen, { maxLength: 2 }),
  red: fc.subarray(NS),
  // The API servers: one on node n1 or outside the cluster; or several (an HA control plane), on
  // both nodes, or one on a node and one outside.
  apiServer: fc.constantFrom<string[]>(['10.0.1.1'], ['203.0.113.50'], ['10.0.1.1', '10.0.1.2'], ['10.0.1.2', '203.0.113.50']),
  // Often a DNS server pod, and a policy of every pod with a DNS rule to it and a toFQDNs rule
  // (issue 15): with the DNS denies, the lookups the proxy sees are exercised, not only generated.
  dnsServer: fc.boolean(),
  dnsPolicy: fc.boolean(),
}).map((w) => ({
  ...w,
  pods: w.dnsServer
    ? [...w.pods, { namespace: 'c', labels: { app: 'dns' }, ip: undefined, http: 8080, node: 'n2', hostNetwork: false, serviceAccount: undefined, deprecatedField: false }]
    : w.pods,
  cilium: w.dnsPolicy ? [...w.cilium, DNS_POLICY as any] : w.cilium,
}));
export type CiliumWorld = typeof ciliumWorld extends fc.Arbitrary<infer T> ? T : never;
export type CiliumGen = CiliumWorld['cilium'][number];

export const EXTERNALS = [
  { name: 'api', ip: '203.0.113.7', dnsName: 'api.example.com' },
  { name: 'apex', ip: '198.51.100.7', dnsName: 'example.com' },
  { name: 'deep', ip: '198.51.100.8', dnsName: 'a.b.example.com' },
  { name: 'plain', ip: '192.0.2.1' },
];
export const NODES = [{ name: 'n1', ip: '10.0.1.1' }, { name: 'n2', ip: '10.0.1.2' }];

export function ciliumObject(c: CiliumGen, i: number): any {
  const spec: any = isHost(c) ? { nodeSelector: { matchLabels: { 'node-role.kubernetes.io/worker': '' } } } : { endpointSelector: c.endpointSelector };
  if (c.defaultDeny) spec.enableDefaultDeny = c.defaultDeny;
  for (const section of ['ingress', 'egress', 'ingressDeny', 'egressDeny'] as const) if (c[section].length > 0) spec[section] = c[section];
  return c.clusterwide
    ? { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: `ccnp${i}` }, spec }
    : { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: `cnp${i}`, namespace: c.namespace }, spec };
}

export function build(w: CiliumWorld): { objects: any[]; npOnly: any[]; eps: Ep[] } {
  const namespaces = NS.map((n) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: n, labels: { team: w.red.includes(n) ? 'red' : 'blue' } } }));
  const pods = w.pods.map((p, i) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `p${i}`, namespace: p.namespace, labels: p.labels },
    spec: {
      nodeName: p.node,
      ...(p.hostNetwork ? { hostNetwork: true } : {}),
      ...(p.serviceAccount !== undefined ? { [p.deprecatedField ? 'serviceAccount' : 'serviceAccountName']: p.serviceAccount } : {}),
      containers: [{ name: 'c', ports: [{ containerPort: p.http, name: 'http' }] }],
    },
    ...(p.hostNetwork ? { status: { hostIP: NODES.find((n) => n.name === p.node)!.ip } } : p.ip ? { status: { podIP: p.ip } } : {}),
  }));
  const nodes = NODES.map((n) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name: n.name }, status: { addresses: [{ type: 'InternalIP', address: n.ip }] } }));
  const nps = w.nps.map((p, i) => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: `np${i}`, namespace: p.namespace },
    spec: {
      podSelector: p.app ? { matchLabels: { app: p.app } } : {},
      policyTypes: p.types,
      ...(p.types.includes('Ingress') ? { ingress: [{ ...(p.from ? { from: [p.from] } : {}), ...(p.port ? { ports: [{ port: p.port }] } : {}) }] } : {}),
      ...(p.types.includes('Egress') ? { egress: [{ ...(p.port ? { ports: [{ port: p.port }] } : {}) }] } : {}),
    },
  }));
  const eps: Ep[] = [
    // A hostNetwork pod is its node's traffic: an end of node traffic on its node, with the node's IP.
    ...w.pods.map((p, i) => (p.hostNetwork
      ? { id: `${p.namespace}/p${i}`, labels: p.labels, ip: NODES.find((n) => n.name === p.node)!.ip, http: p.http, external: false, node: p.node }
      : { id: `${p.namespace}/p${i}`, namespace: p.namespace, labels: p.labels, ip: p.ip, http: p.http, external: false, node: p.node, serviceAccount: p.serviceAccount ?? 'default' })),
    ...EXTERNALS.map((e) => ({ id: e.name, labels: {}, ip: e.ip, dns: e.dnsName, external: true })),
    ...NODES.map((n) => ({ id: `node:${n.name}`, labels: {}, ip: n.ip, external: false, node: n.name })),
    // One API server is the endpoint kube-apiserver, several kube-apiserver:<ip>; on the node with its address, else outside.
    ...w.apiServer.map((ip) => {
      const id = w.apiServer.length === 1 ? 'kube-apiserver' : `kube-apiserver:${ip}`;
      const on = NODES.find((n) => n.ip === ip);
      return on ? { id, labels: {}, ip, external: false, node: on.name, apiServer: true } : { id, labels: {}, ip, external: true, apiServer: true };
    }),
  ];
  const npOnly = [...namespaces, ...nodes, ...pods, ...nps];
  return { objects: [...npOnly, ...w.cilium.map(ciliumObject)], npOnly, eps };
}


/** A host policy: only a CiliumClusterwideNetworkPolicy has one (DNS_POLICY has no `host`). */
export const isHost = (c: CiliumGen) => c.clusterwide && (c as any).host === true;
