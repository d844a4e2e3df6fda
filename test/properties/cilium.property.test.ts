import * as fc from 'fast-check';
import { Ep, referenceWorld, Sel, worldManifests } from './reference-world';
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
 *   its namespace unless they name `io.kubernetes.pod.namespace`), entities world/cluster/all,
 *   CIDR sets (external ends only), FQDNs (external ends by name, when a DNS rule of the pod lets
 *   the proxy see the name); a rule of ports only: every end.
 *
 * The reference has its own selector, CIDR, FQDN and port matching; only the NetworkPolicies'
 * verdict comes from the analyser run without the Cilium policies (the usual NetworkPolicy
 * semantics, proven by the other property tests).
 */

const NS = ['shop', 'team-b', 'c'];
const KEYS = ['app', 'App', 'app_x', 'example.com/app'];
const VALUES = ['web', 'Web', 'web_api', 'web-api', 'web.1'];
const NS_KEY = 'io.kubernetes.pod.namespace';

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
}).map(({ ports, dnsRule }) => (dnsRule ? { ports, rules: { dns: dnsRule } } : { ports }));
const ruleGen = (dir: 'ingress' | 'egress', deny: boolean) => {
  const p = dir === 'ingress' ? 'from' : 'to';
  const peers = [
    fc.array(peerSel, { minLength: 1, maxLength: 2 }).map((s) => ({ [`${p}Endpoints`]: s })),
    fc.subarray(['world', 'cluster', 'all'], { minLength: 1 }).map((e) => ({ [`${p}Entities`]: e })),
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
const world = referenceWorld({
  namespaces: NS,
  podLabels: fc.dictionary(fc.constantFrom(...KEYS), fc.constantFrom(...VALUES), { maxKeys: 2 }),
  podIps: ['10.1.2.3', '203.0.113.9', undefined],
  npPodSelector: fc.constantFrom(undefined, ...VALUES).map((app): Sel => (app ? { app } : {})),
  npFromApp: 'web',
  maxNetworkPolicies: 2,
  policiesField: 'cilium',
  policies: fc.array(ciliumGen, { minLength: 1, maxLength: 3 }),
});
type World = typeof world extends fc.Arbitrary<infer T> ? T : never;
type CiliumGen = World['cilium'][number];

const EXTERNALS = [
  { name: 'api', ip: '203.0.113.7', dnsName: 'api.example.com' },
  { name: 'apex', ip: '198.51.100.7', dnsName: 'example.com' },
  { name: 'deep', ip: '198.51.100.8', dnsName: 'a.b.example.com' },
  { name: 'plain', ip: '192.0.2.1' },
];

function ciliumObject(c: CiliumGen, i: number): any {
  const spec: any = { endpointSelector: c.endpointSelector };
  if (c.defaultDeny) spec.enableDefaultDeny = c.defaultDeny;
  for (const section of ['ingress', 'egress', 'ingressDeny', 'egressDeny'] as const) if (c[section].length > 0) spec[section] = c[section];
  return c.clusterwide
    ? { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: `ccnp${i}` }, spec }
    : { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: `cnp${i}`, namespace: c.namespace }, spec };
}

function build(w: World): { objects: any[]; npOnly: any[]; eps: Ep[] } {
  const { namespaces, pods, nps, eps } = worldManifests(w, NS, EXTERNALS);
  return { objects: [...namespaces, ...pods, ...nps, ...w.cilium.map(ciliumObject)], npOnly: [...namespaces, ...pods, ...nps], eps };
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
  const subject = (c: CiliumGen, e: Ep) => !e.external && (c.clusterwide || e.namespace === c.namespace)
    && Object.entries(c.endpointSelector.matchLabels ?? {}).every(([k, v]) => bare(k) === NS_KEY || labelsOf(e)[bare(k)] === v);
  const endpoint = (c: CiliumGen, sel: any, e: Ep) => {
    if (e.external) return false;
    const namesNamespace = Object.keys(sel.matchLabels ?? {}).some((k) => bare(k) === NS_KEY);
    return (c.clusterwide || namesNamespace || e.namespace === c.namespace) && matchLabels(sel, e);
  };
  const dnsVisible = (name: string) => w.cilium.some((c) => subject(c, self)
    && c.egress.some((r: any) => (r.toPorts ?? []).some((pr: any) => (pr.rules?.dns ?? []).some((f: any) => fqdnMatches(f, name)))));
  const peerMatches = (c: CiliumGen, r: any) => {
    const p = dir === 'ingress' ? 'from' : 'to';
    if (r[`${p}Endpoints`]) return r[`${p}Endpoints`].some((s: any) => endpoint(c, s, other));
    if (r[`${p}Entities`]) return r[`${p}Entities`].some((e: string) => e === 'all' || (e === 'world' ? other.external : !other.external));
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
  const ciliumIsolates = applying.some((c) => (c.defaultDeny as any)?.[dir] ?? (rules(c, false).length + rules(c, true).length > 0));
  if (!np.isolated && !ciliumIsolates) return true;
  return (np.isolated && np.allowed) || applying.some((c) => rules(c, false).some((r) => portMatches(r) && peerMatches(c, r)));
}

test('analyser == reference of Cilium\'s documented semantics, on random mixes of Cilium policies and NetworkPolicies', () => {
  const ports = [Port.tcp(80), Port.tcp(443), Port.udp(53), Port.named('http'), Port.tcp(8080), Port.sctp(80)];
  fc.assert(fc.property(world, fc.constantFrom(...ports), (w, port) => {
    const b = build(w);
    const r = Reachability.fromManifests(b.objects, { externals: EXTERNALS });
    expect(r.skipped).toEqual([]);
    const npOnly = Reachability.fromManifests(b.npOnly, { externals: EXTERNALS });
    const m = r.matrix(port);
    for (const from of b.eps) {
      for (const to of b.eps) {
        const named = port.portName !== undefined;
        const traffic = named ? (to.external ? undefined : { port: to.http!, protocol: 'TCP' }) : { port: port.portNumber!, protocol: port.protocol! };
        const npe = npOnly.explain(from.id, to.id, port);
        const reference = traffic === undefined ? false : from.id === to.id && !from.external ? true
          : referenceSide(w, b, 'egress', from, to, traffic, { isolated: npe.egress.isolated, allowed: npe.egress.allowed })
            && referenceSide(w, b, 'ingress', to, from, traffic, { isolated: npe.ingress.isolated, allowed: npe.ingress.allowed });
        const explained = r.explain(from.id, to.id, port).allowed;
        if (m.isAllowed(from.id, to.id) !== reference || explained !== reference) {
          throw new Error(`${from.id} -> ${to.id} on ${port}: matrix ${m.isAllowed(from.id, to.id)}, explain ${explained}, reference ${reference}\n`
            + `${JSON.stringify(b.objects.filter((o) => o.apiVersion.startsWith('cilium')), null, 1)}`);
        }
      }
    }
  }), fuzzParameters(150));
});
