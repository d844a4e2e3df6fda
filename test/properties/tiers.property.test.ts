import * as fc from 'fast-check';
import { Ep, referenceWorld, Sel, worldManifests } from './reference-world';
import { kindOf, legal, tierVocabulary } from './tier-world';
import { Port, Reachability } from '../../src';
import { fuzzParameters } from '../fuzz-config';

/**
 * Differential test of the tiers: for random mixes of AdminNetworkPolicies, BaselineAdminNetworkPolicies,
 * ClusterNetworkPolicies (both tiers) and NetworkPolicies, the analyser (the matrix, and `explain`)
 * equals a pair-by-pair reference written here, separately, from the documented precedence:
 *
 *   for each side: Admin-tier policies whose subject selects the pod, by priority, rules in order,
 *   first match decides (Allow/Accept: allowed, Deny: denied, Pass: go on to the NetworkPolicies);
 *   then, if a NetworkPolicy selects the pod for this side, it decides; then the Baseline tier
 *   likewise (Pass: the default); then allowed. Both sides must allow; a pod's traffic to itself is
 *   allowed. Policies of one tier with the same priority (the generator makes many) are in an
 *   order the implementation chooses ("can apply any of the matching policies", sig-network policy
 *   API, Priority): the reference tries every order of them and allows only what every order allows.
 *
 * The reference has its own selector, CIDR, domain-name and port matching (for the shapes generated
 * here). `networks` match pods by their IP too; networks that together hold every IPv4 and IPv6
 * address (`0.0.0.0/0` and `::/0`) match every end, its IP known or not; any other networks rule
 * cannot be decided for a pod whose IP is unknown: the analyser must warn about exactly those rules,
 * and the reference tries both readings of each such rule for such a pod (it matches, it does not)
 * and allows only what every reading allows (every reading together with every order of ties). Only the NetworkPolicy tier's verdict comes from the analyser run without any cluster-wide
 * policy (the usual NetworkPolicy semantics, proven by the other property tests), by the
 * NetworkPolicies' rules alone (without the own-node exemption, which the reference applies itself).
 *
 * Run also with some namespaces lacking their Namespace object: then only their
 * kubernetes.io/metadata.name is known, and a selector of a cluster-wide policy (subject or peer)
 * that tests `team` there matches maybe (unless the name rules it out); the reference tries both
 * readings of each rule so affected, as for the networks above. (The NetworkPolicy tier, from the
 * analyser, reads the unknown labels as unset, the narrower reading for allows.)
 *
 * The pods run on two Nodes (`node:n1`, `node:n2`, by `spec.nodeName`), which are ends too: no
 * policy selects a node, `namespaces`/`pods` peers never match one, `networks` match it by its IP.
 * "Traffic to and from the node where a Pod is running is always allowed" (Kubernetes docs,
 * Network Policies): a pod's ingress from its own node is allowed over every tier.
 */

const NS = ['a', 'b', 'c'];
const APPS = ['x', 'y'];

const { sel, tierPolicy } = tierVocabulary(NS, APPS);
const world = referenceWorld({
  namespaces: NS,
  podLabels: fc.constantFrom(...APPS).map((app) => ({ app })),
  podIps: ['10.1.2.3', '10.1.9.9', '10.9.0.1', undefined],
  npPodSelector: sel,
  npFromApp: 'x',
  maxNetworkPolicies: 3,
  policiesField: 'tiers',
  policies: fc.array(tierPolicy, { minLength: 1, maxLength: 4 }),
});
type World = typeof world extends fc.Arbitrary<infer T> ? T : never;

/** The nodes the pods run on: pod i on NODES[i % 2]. */
const NODES = [{ name: 'n1', ip: '10.0.0.1' }, { name: 'n2', ip: '10.0.0.2' }];
/** A reference end, with the node it runs on (a pod's) or is (a node's). */
type NodeEp = Ep & { node?: string };

const EXTERNALS = [
  { name: 'api', ip: '203.0.113.7', dnsName: 'api.example.com' },
  { name: 'apex', ip: '198.51.100.7', dnsName: 'example.com' },
  { name: 'plain', ip: '198.51.100.8' },
];


interface ReferenceTier { name: string; kind: string; tier: string; priority: number; subject: any; rules: any }

function build(w: World, guessed: readonly string[] = []): { objects: any[]; npOnly: any[]; tiers: ReferenceTier[]; eps: NodeEp[] } {
  const manifests = worldManifests(w, NS, EXTERNALS);
  const { nps } = manifests;
  // The namespaces in `guessed` have no Namespace object: of their labels only kubernetes.io/metadata.name is known.
  const namespaces = manifests.namespaces.filter((o) => !guessed.includes(o.metadata.name));
  const pods = [
    ...manifests.pods.map((o, i) => ({ ...o, spec: { ...o.spec, nodeName: NODES[i % 2].name } })),
    ...NODES.map((n) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name: n.name }, status: { addresses: [{ type: 'InternalIP', address: n.ip }] } })),
  ];
  const eps: NodeEp[] = [
    ...manifests.eps.map((e, i) => (i < w.pods.length ? { ...e, node: NODES[i % 2].name } : e)),
    ...NODES.map((n) => ({ id: `node:${n.name}`, labels: {}, ip: n.ip, external: false, node: n.name })),
  ];
  // One BaselineAdminNetworkPolicy at most (a singleton).
  const firstBanp = w.tiers.findIndex((t) => t.kind === 'BANP');
  const kept = w.tiers.filter((t, j) => t.kind !== 'BANP' || j === firstBanp);
  const tierObjects = kept.map(legal);
  const tiers = kept.map((g, i) => ({
    name: tierObjects[i].name,
    kind: tierObjects[i].object.kind,
    tier: kindOf(g).tier,
    priority: tierObjects[i].object.spec.priority ?? 0,
    subject: tierObjects[i].object.spec.subject,
    rules: tierObjects[i].rules,
  }));
  return { objects: [...namespaces, ...pods, ...nps, ...tierObjects.map((t) => t.object)], npOnly: [...namespaces, ...pods, ...nps], tiers, eps };
}

// ---- the reference's own matching ----

/** A wire selector (`{ matchLabels }`, as in the subjects). */
const matchesSel = (selector: any, labels: Sel) => matchesRaw(selector?.matchLabels ?? {}, labels);
/** A generated selector (a plain map of labels, as in the generated peers). */
const matchesRaw = (selector: Sel, labels: Sel) => Object.entries(selector).every(([k, v]) => labels[k] === v);
const ip4 = (ip: string) => ip.split('.').reduce((a, o) => a * 256 + Number(o), 0);
const inCidr = (cidr: string, ip: string) => {
  if (cidr.includes(':') || ip.includes(':')) return cidr.includes(':') === ip.includes(':') && cidr.endsWith('/0');
  const [net, len] = cidr.split('/');
  const size = 2 ** (32 - Number(len));
  return Math.floor(ip4(ip) / size) === Math.floor(ip4(net) / size);
};
const domainMatches = (pattern: string, name: string) => (pattern.startsWith('*.') ? name.endsWith(pattern.slice(1)) && name.length > pattern.length - 1 : pattern === name);

function nsLabels(w: World, namespace: string): Sel {
  return { 'kubernetes.io/metadata.name': namespace, 'team': w.red.includes(namespace) ? 'red' : 'blue' };
}

type Tri = 'yes' | 'no' | 'maybe';
/**
 * A generated namespace selector (a plain map) over a namespace: where the input has no Namespace
 * object for it (`guessed`), only kubernetes.io/metadata.name is known, so a selector that also
 * tests `team` (any value: the namespace may carry it or not) matches maybe, unless the name rules it out.
 */
function nsMatch(w: World, guessed: readonly string[], selector: Sel, namespace: string): Tri {
  if (!guessed.includes(namespace)) return matchesRaw(selector, nsLabels(w, namespace)) ? 'yes' : 'no';
  const name = selector['kubernetes.io/metadata.name'];
  if (name !== undefined && name !== namespace) return 'no';
  return Object.keys(selector).some((k) => k !== 'kubernetes.io/metadata.name') ? 'maybe' : 'yes';
}
const and = (a: Tri, b: Tri): Tri => (a === 'no' || b === 'no' ? 'no' : a === 'maybe' || b === 'maybe' ? 'maybe' : 'yes');

/** Whether the networks of a rule's peers together hold every IPv4 and IPv6 address (of the generated CIDRs, only the two /0s do). */
const everywhere = (rule: any) => {
  const cidrs: string[] = rule.peers.flatMap((x: any) => x.networks ?? []);
  return cidrs.includes('0.0.0.0/0') && cidrs.includes('::/0');
};
/** A networks rule that does not hold every address, while some pod's IP is unknown: noted by the analyser. */
const undecidable = (w: World, rule: any) => rule.peers.some((x: any) => x.networks) && !everywhere(rule) && w.pods.some((p) => p.ip === undefined);

/** Every order of `xs`. */
function permutations<T>(xs: T[]): T[][] {
  if (xs.length <= 1) return [xs];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((rest) => [x, ...rest]));
}

type Outcome = 'allow' | 'deny' | 'pass' | undefined;

function referenceSide(w: World, b: ReturnType<typeof build>, dir: 'ingress' | 'egress', self: NodeEp, other: NodeEp, traffic: { port: number; protocol: string } | undefined,
  np: { isolated: boolean; allowed: boolean }, guessed: readonly string[] = []): boolean {
  const isNode = (e: NodeEp) => !e.external && e.namespace === undefined;
  if (self.external || isNode(self)) return true; // no policy selects a node
  if (dir === 'ingress' && isNode(other) && other.node === self.node) return true; // the pod's own node
  const dst = dir === 'ingress' ? self : other;
  const subjectOf = (s: any): Tri => (s.namespaces ? nsMatch(w, guessed, s.namespaces.matchLabels ?? {}, self.namespace!)
    : and(nsMatch(w, guessed, s.pods.namespaceSelector.matchLabels ?? {}, self.namespace!), matchesSel(s.pods.podSelector, self.labels) ? 'yes' : 'no'));
  const peerOf = (x: any, all: boolean): Tri => {
    const yes = (v: boolean): Tri => (v ? 'yes' : 'no');
    if (x.networks) return yes(all || (other.ip !== undefined && x.networks.some((c: string) => inCidr(c, other.ip!))));
    if (x.domainNames) return yes(other.external && other.dns !== undefined && x.domainNames.some((d: string) => domainMatches(d, other.dns!)));
    if (other.external || isNode(other)) return 'no';
    if (x.namespaces) return nsMatch(w, guessed, x.namespaces, other.namespace!);
    return and(nsMatch(w, guessed, x.pods.namespaceSelector, other.namespace!), yes(matchesRaw(x.pods.podSelector, other.labels)));
  };
  const portOf = (ports: any[] | undefined) => ports === undefined || (traffic !== undefined && ports.some((x) => (x.name
    ? traffic.protocol === 'TCP' && dst.http === traffic.port && !dst.external
    : x.protocol === traffic.protocol && traffic.port >= x.from && traffic.port <= x.to)));
  /** Whether a rule matches this pair: yes, no, or maybe (networks that do not hold every address, the other end's IP unknown). */
  const status = (r: any): Tri => {
    if (traffic === undefined || !portOf(r.ports)) return 'no';
    const peers = r.peers.map((x: any) => peerOf(x, everywhere(r)));
    if (peers.includes('yes')) return 'yes';
    if (peers.includes('maybe')) return 'maybe';
    return r.peers.some((x: any) => x.networks) && !everywhere(r) && !other.external && other.ip === undefined ? 'maybe' : 'no';
  };
  /** Every outcome the tier can have: each order of the policies of one priority, each reading of each "maybe" rule. */
  const outcomes = (tier: string): Set<Outcome> => {
    // A subject that selects the pod maybe: each of its rules matches at most maybe.
    const policies = b.tiers.map((t) => ({ t, subject: t.tier === tier ? subjectOf(t.subject) : 'no' })).filter(({ subject }) => subject !== 'no')
      .map(({ t, subject }) => ({
        priority: t.priority,
        rules: t.rules[dir].map((r: any) => ({ action: r.action as Outcome, status: and(subject, status(r)) })),
      }))
      .filter((t) => t.rules.some((r: any) => r.status !== 'no'));
    const priorities = [...new Set(policies.map((t) => t.priority))].sort((x, y) => x - y);
    let orders: Array<typeof policies> = [[]];
    for (const priority of priorities) {
      const group = permutations(policies.filter((t) => t.priority === priority));
      orders = orders.flatMap((o) => group.map((g) => [...o, ...g]));
    }
    const maybes = policies.flatMap((t) => t.rules.filter((r: any) => r.status === 'maybe'));
    const seen = new Set<Outcome>();
    for (let reading = 0; reading < 2 ** maybes.length; reading++) {
      const matches = (r: any) => r.status === 'yes' || (r.status === 'maybe' && (reading & (1 << maybes.indexOf(r))) !== 0);
      for (const order of orders) {
        const rule = order.flatMap((t) => t.rules).find(matches);
        seen.add(rule?.action);
      }
    }
    return seen;
  };
  const lower = (): boolean => {
    if (np.isolated) return np.allowed;
    return !outcomes('baseline').has('deny'); // Pass, no match and Allow: allowed
  };
  // Allowed only when every outcome of the Admin tier allows: Allow, or Pass/no match and the next tiers allow.
  const admin = outcomes('admin');
  if (admin.has('deny')) return false;
  return admin.has('pass') || admin.has(undefined) ? lower() : true;
}

test.each([
  ['with every Namespace object', fc.constant([] as string[])],
  ['some namespaces without their Namespace object (labels guessed)', fc.subarray(NS, { minLength: 1 })],
])('analyser == reference of the documented precedence, on random mixes of tiers and NetworkPolicies, %s', (_what, guessedGen) => {
  const ports = [Port.tcp(80), Port.tcp(443), Port.udp(53), Port.named('http'), Port.tcp(8080)];
  fc.assert(fc.property(world, fc.constantFrom(...ports), guessedGen, (w, port, guessed) => {
    const b = build(w, guessed);
    const r = Reachability.fromManifests(b.objects, { externals: EXTERNALS });
    // Exactly the undecidable networks rules are left out, each with why and the fix.
    const undecided = b.tiers.flatMap((t) => (['ingress', 'egress'] as const).flatMap((dir) => t.rules[dir].flatMap((rule: any, i: number) => (undecidable(w, rule) ? [`${t.name} ${dir}[${i}]`] : []))));
    expect(r.skipped.map((s) => `${s.object} ${s.reason.split(' ')[0]}`).sort()).toEqual(undecided.sort());
    for (const s of r.skipped) expect(s).toMatchObject({ category: 'NOT_MODELLED', reason: expect.stringContaining('--pod ns/name@ip') });
    const npOnly = Reachability.fromManifests(b.npOnly, { externals: EXTERNALS });
    const m = r.matrix(port);
    for (const from of b.eps) {
      for (const to of b.eps) {
        const named = port.portName !== undefined;
        const traffic = named ? (to.external || to.http === undefined ? undefined : { port: to.http, protocol: 'TCP' }) : { port: port.portNumber!, protocol: port.protocol! };
        const npe = npOnly.explain(from.id, to.id, port);
        const reference = from.id === to.id && !from.external ? traffic !== undefined
          : traffic !== undefined
            && referenceSide(w, b, 'egress', from, to, traffic, { isolated: npe.egress.isolated, allowed: npe.egress.allowed }, guessed)
            && referenceSide(w, b, 'ingress', to, from, traffic, { isolated: npe.ingress.isolated, allowed: npe.ingress.allowed && !npe.ingress.ownNode }, guessed);
        const explained = r.explain(from.id, to.id, port).allowed;
        if (m.isAllowed(from.id, to.id) !== reference || explained !== reference) {
          throw new Error(`${from.id} -> ${to.id} on ${port}: matrix ${m.isAllowed(from.id, to.id)}, explain ${explained}, reference ${reference}\n`
            + `${JSON.stringify(b.objects.filter((o) => o.apiVersion.startsWith('policy')), null, 1)}`);
        }
      }
    }
  }), fuzzParameters(150));
});
