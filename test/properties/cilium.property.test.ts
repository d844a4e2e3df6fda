import * as fc from 'fast-check';
import { Port, Reachability } from '../../src';
import { fuzzParameters } from '../fuzz-config';

/**
 * Differential test of the Cilium policies: for random mixes of NetworkPolicies,
 * CiliumNetworkPolicies and CiliumClusterwideNetworkPolicies (label keys and values of mixed case,
 * with `_`, `-`, `.` and `/`), the analyser (the matrix, and `explain`) equals a pair-by-pair
 * reference written here, separately, from Cilium's documentation:
 *
 *   for each side: a Cilium policy applies when its endpointSelector selects the pod (a
 *   CiliumNetworkPolicy: in its own namespace); it puts the pod into default deny for a direction
 *   when enableDefaultDeny says so, by default when it has (allow or deny) rules there. A deny rule
 *   that matches denies; else, when a NetworkPolicy or a Cilium policy isolates the pod, a rule of
 *   either kind must allow; else allowed. Both sides must allow; a pod's traffic to itself is
 *   allowed. Peers: endpoints by labels (`k8s:` or no prefix; a CiliumNetworkPolicy's confined to
 *   its namespace unless they name `io.kubernetes.pod.namespace`), entities (docs.cilium.io
 *   "Entities based"): world (outside the cluster, the API server there too), cluster (pods,
 *   nodes, the API server wherever it runs), all, host (nodes and hostNetwork pods of the pod's own
 *   node), remote-node (of any other node), kube-apiserver (the API server and, when it runs on a
 *   node, every end of that node); CIDR sets (ends outside the cluster only: never nodes, the
 *   default policy-cidr-match-mode); FQDNs (external ends by name, when a DNS rule of the pod lets
 *   the proxy see the name); a rule of ports only: every end. (The agent's allow-localhost, a
 *   pod's own node reaching it, is not modelled, as for NetworkPolicies.)
 *
 * The reference has its own selector, CIDR, FQDN and port matching; only the NetworkPolicies'
 * verdict comes from the analyser run without the Cilium policies (the usual NetworkPolicy
 * semantics, proven by the other property tests).
 */

const NS = ['shop', 'team-b', 'c'];
const KEYS = ['app', 'App', 'app_x', 'example.com/app'];
const VALUES = ['web', 'Web', 'web_api', 'web-api', 'web.1'];
const NS_KEY = 'io.kubernetes.pod.namespace';

type Sel = Record<string, string>;
interface Ep {
  id: string; namespace?: string; labels: Sel; ip?: string; dns?: string; http?: number; external: boolean; node?: string; apiServer?: boolean;
}

const prefixed = (k: string) => fc.constantFrom(k, `k8s:${k}`);
const labelSel = fc.oneof(
  fc.constant({}),
  fc.tuple(fc.constantFrom(...KEYS), fc.constantFrom(...VALUES)).chain(([k, v]) => prefixed(k).map((pk) => ({ matchLabels: { [pk]: v } }))),
);
const peerSel = fc.oneof(
  labelSel,
  fc.tuple(fc.constantFrom(...NS), labelSel).chain(([n, s]) => prefixed(NS_KEY).map((k) => ({ matchLabels: { ...(s as any).matchLabels, [k]: n } }))),
);
const CIDR_SETS = [{ cidr: '203.0.113.0/24' }, { cidr: '198.51.100.0/24', except: ['198.51.100.8/32'] }, { cidr: '10.0.0.0/8' }, { cidr: '0.0.0.0/0' }];
const FQDNS = [{ matchName: 'api.example.com' }, { matchPattern: '*.example.com' }, { matchName: 'example.com' }, { matchPattern: '*' }];
const portGen = fc.oneof(
  fc.record({ port: fc.constantFrom('80', '53', '443'), protocol: fc.constantFrom('TCP', 'UDP', 'ANY', undefined) }),
  fc.constant({ port: '80', endPort: 443, protocol: 'TCP' }),
  fc.record({ port: fc.constant('http'), protocol: fc.constantFrom('TCP', 'ANY', undefined) }),
).map((p) => JSON.parse(JSON.stringify(p)));
const toPorts = (dns: boolean) => fc.record({
  ports: fc.array(portGen, { minLength: 1, maxLength: 2 }),
  dnsRule: dns ? fc.constantFrom(undefined, [{ matchPattern: '*' }], [{ matchName: 'api.example.com' }]) : fc.constant(undefined),
}).map(({ ports, dnsRule }) => {
  if (!dnsRule) return { ports };
  // Only policies Cilium's agent accepts: "DNS rules do not support port ranges" (rule_validation.go).
  const single = ports.filter((x: any) => x.endPort === undefined);
  return { ports: single.length > 0 ? single : [{ port: '53', protocol: 'UDP' }], rules: { dns: dnsRule } };
});
const ruleGen = (dir: 'ingress' | 'egress', deny: boolean) => {
  const p = dir === 'ingress' ? 'from' : 'to';
  const peers = [
    fc.array(peerSel, { minLength: 1, maxLength: 2 }).map((s) => ({ [`${p}Endpoints`]: s })),
    fc.subarray(['world', 'cluster', 'all', 'host', 'remote-node', 'kube-apiserver'], { minLength: 1, maxLength: 2 }).map((e) => ({ [`${p}Entities`]: e })),
    fc.subarray(CIDR_SETS, { minLength: 1, maxLength: 2 }).map((c) => ({ [`${p}CIDRSet`]: c })),
    fc.constant({}),
    ...(dir === 'egress' && !deny ? [fc.subarray(FQDNS, { minLength: 1, maxLength: 2 }).map((f) => ({ toFQDNs: f }))] : []),
  ];
  return fc.record({ peer: fc.oneof(...peers), ports: fc.option(fc.array(toPorts(dir === 'egress' && !deny), { minLength: 1, maxLength: 2 }), { nil: undefined }) })
    // A rule needs a peer or ports (a rule of neither is left out by the analyser: not generated).
    .map(({ peer, ports }) => ({ ...peer, ...(ports || Object.keys(peer).length === 0 ? { toPorts: ports ?? [{ ports: [{ port: '80', protocol: 'TCP' }] }] } : {}) }));
};
const ciliumGen = fc.record({
  clusterwide: fc.boolean(),
  namespace: fc.constantFrom(...NS),
  endpointSelector: labelSel,
  defaultDeny: fc.constantFrom(undefined, { ingress: false }, { egress: false }, { ingress: true, egress: false }),
  ingress: fc.array(ruleGen('ingress', false), { maxLength: 2 }),
  egress: fc.array(ruleGen('egress', false), { maxLength: 2 }),
  ingressDeny: fc.array(ruleGen('ingress', true), { maxLength: 1 }),
  egressDeny: fc.array(ruleGen('egress', true), { maxLength: 1 }),
});
const npGen = fc.record({
  namespace: fc.constantFrom(...NS),
  app: fc.constantFrom(undefined, ...VALUES),
  types: fc.subarray(['Ingress', 'Egress'], { minLength: 1 }),
  from: fc.constantFrom(undefined, { podSelector: { matchLabels: { app: 'web' } } }, { namespaceSelector: { matchLabels: { team: 'red' } } }),
  port: fc.constantFrom(undefined, 80, 53),
});
const podGen = fc.record({
  namespace: fc.constantFrom(...NS),
  labels: fc.dictionary(fc.constantFrom(...KEYS), fc.constantFrom(...VALUES), { maxKeys: 2 }),
  ip: fc.constantFrom('10.1.2.3', '203.0.113.9', undefined),
  http: fc.constantFrom(80, 8080),
  node: fc.constantFrom('n1', 'n2'),
  hostNetwork: fc.boolean(),
});
const world = fc.record({
  pods: fc.array(podGen, { minLength: 1, maxLength: 6 }),
  cilium: fc.array(ciliumGen, { minLength: 1, maxLength: 3 }),
  nps: fc.array(npGen, { maxLength: 2 }),
  red: fc.subarray(NS),
  // The API servers: one on node n1 or outside the cluster; or several (an HA control plane), on
  // both nodes, or one on a node and one outside.
  apiServer: fc.constantFrom(['10.0.1.1'], ['203.0.113.50'], ['10.0.1.1', '10.0.1.2'], ['10.0.1.2', '203.0.113.50']),
});
type World = typeof world extends fc.Arbitrary<infer T> ? T : never;
type CiliumGen = World['cilium'][number];

const EXTERNALS = [
  { name: 'api', ip: '203.0.113.7', dnsName: 'api.example.com' },
  { name: 'apex', ip: '198.51.100.7', dnsName: 'example.com' },
  { name: 'deep', ip: '198.51.100.8', dnsName: 'a.b.example.com' },
  { name: 'plain', ip: '192.0.2.1' },
];
const NODES = [{ name: 'n1', ip: '10.0.1.1' }, { name: 'n2', ip: '10.0.1.2' }];

function ciliumObject(c: CiliumGen, i: number): any {
  const spec: any = { endpointSelector: c.endpointSelector };
  if (c.defaultDeny) spec.enableDefaultDeny = c.defaultDeny;
  for (const section of ['ingress', 'egress', 'ingressDeny', 'egressDeny'] as const) if (c[section].length > 0) spec[section] = c[section];
  return c.clusterwide
    ? { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: `ccnp${i}` }, spec }
    : { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: `cnp${i}`, namespace: c.namespace }, spec };
}

function build(w: World): { objects: any[]; npOnly: any[]; eps: Ep[] } {
  const namespaces = NS.map((n) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: n, labels: { team: w.red.includes(n) ? 'red' : 'blue' } } }));
  const pods = w.pods.map((p, i) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `p${i}`, namespace: p.namespace, labels: p.labels },
    spec: { nodeName: p.node, ...(p.hostNetwork ? { hostNetwork: true } : {}), containers: [{ name: 'c', ports: [{ containerPort: p.http, name: 'http' }] }] },
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
      : { id: `${p.namespace}/p${i}`, namespace: p.namespace, labels: p.labels, ip: p.ip, http: p.http, external: false, node: p.node })),
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

// ---- the reference's own matching ----

const bare = (k: string) => (k.startsWith('k8s:') ? k.slice(4) : k);
const ip4 = (ip: string) => ip.split('.').reduce((a, o) => a * 256 + Number(o), 0);
const inCidr = (cidr: string, ip: string) => {
  const [net, len] = cidr.split('/');
  const size = 2 ** (32 - Number(len));
  return Math.floor(ip4(ip) / size) === Math.floor(ip4(net) / size);
};
/** `*` alone: every name; `*.example.com`: one more label of DNS characters; a name: itself. */
const fqdnMatches = (f: any, name: string) => {
  if (f.matchName !== undefined) return f.matchName === name;
  if (f.matchPattern === '*') return true;
  const [first, ...rest] = name.split('.');
  return rest.join('.') === f.matchPattern.slice(2) && /^[-a-z0-9_]*$/.test(first);
};

function referenceSide(w: World, b: ReturnType<typeof build>, dir: 'ingress' | 'egress', self: Ep, other: Ep,
  traffic: { port: number; protocol: string }, np: { isolated: boolean; allowed: boolean }): boolean {
  if (self.external) return true;
  const dst = dir === 'ingress' ? self : other;
  const team = (n: string) => (w.red.includes(n) ? 'red' : 'blue');
  const labelsOf = (e: Ep): Sel => ({
    ...e.labels,
    [NS_KEY]: e.namespace!,
    'io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name': e.namespace!,
    'io.cilium.k8s.namespace.labels.team': team(e.namespace!),
  });
  const matchLabels = (sel: any, e: Ep) => Object.entries(sel?.matchLabels ?? {}).every(([k, v]) => labelsOf(e)[bare(k)] === v);
  const isNode = (e: Ep) => !e.external && e.namespace === undefined;
  const subject = (c: CiliumGen, e: Ep) => !e.external && !isNode(e) && (c.clusterwide || e.namespace === c.namespace)
    && Object.entries(c.endpointSelector.matchLabels ?? {}).every(([k, v]) => bare(k) === NS_KEY || labelsOf(e)[bare(k)] === v);
  const endpoint = (c: CiliumGen, sel: any, e: Ep) => {
    if (e.external || isNode(e)) return false;
    const namesNamespace = Object.keys(sel.matchLabels ?? {}).some((k) => bare(k) === NS_KEY);
    return (c.clusterwide || namesNamespace || e.namespace === c.namespace) && matchLabels(sel, e);
  };
  const dnsVisible = (name: string) => w.cilium.some((c) => subject(c, self)
    && c.egress.some((r: any) => (r.toPorts ?? []).some((pr: any) => (pr.rules?.dns ?? []).some((f: any) => fqdnMatches(f, name)))));
  const peerMatches = (c: CiliumGen, r: any) => {
    const p = dir === 'ingress' ? 'from' : 'to';
    if (r[`${p}Endpoints`]) return r[`${p}Endpoints`].some((s: any) => endpoint(c, s, other));
    if (r[`${p}Entities`]) {
      // Cilium labels every node that runs an API server kube-apiserver.
      const apiNodes = b.eps.filter((e) => e.apiServer && e.node !== undefined).map((e) => e.node);
      return r[`${p}Entities`].some((e: string) => {
        switch (e) {
          case 'all': return true;
          case 'world': return other.external;
          case 'cluster': return !other.external || other.apiServer === true;
          case 'host': return isNode(other) && other.node === self.node;
          case 'remote-node': return isNode(other) && other.node !== self.node;
          default: return other.apiServer === true || (isNode(other) && apiNodes.includes(other.node));
        }
      });
    }
    if (r[`${p}CIDRSet`]) {
      return other.external && r[`${p}CIDRSet`].some((s: any) => inCidr(s.cidr, other.ip!) && !(s.except ?? []).some((x: string) => inCidr(x, other.ip!)));
    }
    if (r.toFQDNs) {
      return other.external && other.dns !== undefined && r.toFQDNs.some((f: any) => fqdnMatches(f, other.dns!)) && dnsVisible(other.dns!);
    }
    return true;
  };
  const portMatches = (r: any) => r.toPorts === undefined || r.toPorts.some((pr: any) => pr.ports.some((x: any) => {
    const protocolOk = x.protocol === undefined || x.protocol === 'ANY' || x.protocol === traffic.protocol;
    if (x.port === 'http') return protocolOk && traffic.protocol === 'TCP' && !dst.external && dst.http === traffic.port;
    const from = Number(x.port);
    return protocolOk && traffic.port >= from && traffic.port <= (x.endPort ?? from);
  }));
  const applying = w.cilium.filter((c) => subject(c, self));
  const rules = (c: CiliumGen, deny: boolean): any[] => (dir === 'ingress' ? (deny ? c.ingressDeny : c.ingress) : (deny ? c.egressDeny : c.egress));
  if (applying.some((c) => rules(c, true).some((r) => portMatches(r) && peerMatches(c, r)))) return false;
  // "traffic to and from the node where a Pod is running is always allowed" (Kubernetes docs,
  // Network Policies); Cilium lets the local host reach its endpoints, an allow that its deny rules
  // (above) take precedence over: a pod's ingress from its own node (its egress stays with the rules).
  if (dir === 'ingress' && !isNode(self) && isNode(other) && other.node !== undefined && other.node === self.node) return true;
  const ciliumIsolates = applying.some((c) => (c.defaultDeny as any)?.[dir] ?? (rules(c, false).length + rules(c, true).length > 0));
  if (!np.isolated && !ciliumIsolates) return true;
  return (np.isolated && np.allowed) || applying.some((c) => rules(c, false).some((r) => portMatches(r) && peerMatches(c, r)));
}

test('analyser == reference of Cilium\'s documented semantics, on random mixes of Cilium policies and NetworkPolicies', () => {
  const ports = [Port.tcp(80), Port.tcp(443), Port.udp(53), Port.named('http'), Port.tcp(8080), Port.sctp(80)];
  fc.assert(fc.property(world, fc.constantFrom(...ports), (w, port) => {
    const b = build(w);
    const r = Reachability.fromManifests(b.objects, { externals: EXTERNALS, apiServerIps: w.apiServer });
    expect(r.skipped).toEqual([]);
    const npOnly = Reachability.fromManifests(b.npOnly, { externals: EXTERNALS, apiServerIps: w.apiServer });
    const m = r.matrix(port);
    for (const from of b.eps) {
      for (const to of b.eps) {
        const named = port.portName !== undefined;
        // A named port exists where a container port has the name: pods (hostNetwork ones too), never nodes or addresses.
        const traffic = named ? (to.http === undefined ? undefined : { port: to.http, protocol: 'TCP' }) : { port: port.portNumber!, protocol: port.protocol! };
        const npe = npOnly.explain(from.id, to.id, port);
        const reference = traffic === undefined ? false : from.id === to.id && !from.external ? true
          : referenceSide(w, b, 'egress', from, to, traffic, { isolated: npe.egress.isolated, allowed: npe.egress.allowed })
            && referenceSide(w, b, 'ingress', to, from, traffic, { isolated: npe.ingress.isolated, allowed: npe.ingress.allowed && !npe.ingress.ownNode });
        const explained = r.explain(from.id, to.id, port).allowed;
        if (m.isAllowed(from.id, to.id) !== reference || explained !== reference) {
          throw new Error(`${from.id} -> ${to.id} on ${port}: matrix ${m.isAllowed(from.id, to.id)}, explain ${explained}, reference ${reference}\n`
            + `${JSON.stringify(b.objects.filter((o) => o.apiVersion.startsWith('cilium')), null, 1)}`);
        }
      }
    }
  }), fuzzParameters(150));
});
