import { Chart, Testing, Yaml } from 'cdk8s';
import * as fc from 'fast-check';
import {
  CiliumEntity, Endpoint, Entity, ExternalDestination, HttpMethod, HttpRule, LabelExpression, NetworkPolicies, NetworkTarget, Peer, Port,
  Reachability, Selector, TextFormat,
} from '../../src';
import { checkCiliumPolicy } from '../../src/k8s/cilium-rules';
import { fuzzParameters } from '../fuzz-config';

/**
 * Declarations on each target: a plain connection, egress to DNS names, an entity on either side,
 * the Kubernetes API server by its addresses on either side, HTTP rules and a deny, between
 * endpoints or between an endpoint and a namespace peer (pods of its own namespace, of a named
 * namespace, of every namespace, of the namespaces whose labels match; with or without pod labels).
 * The property: the synth succeeds exactly when the target can express every
 * declaration (Cilium for all of them, any target for plain ones), never by dropping or widening one;
 * on success every emitted Cilium policy validates, each declaration is in the output, and the
 * output does not depend on the order of declarations.
 */
type Declaration =
  | { kind: 'plain'; from: number; to: number; port: number }
  | { kind: 'fqdn'; from: number; names: string[]; port: number }
  | { kind: 'entity'; endpoint: number; entity: CiliumEntity; egress: boolean; port: number }
  | { kind: 'apiserver'; endpoint: number; egress: boolean; port: number }
  | { kind: 'http'; from: number; to: number; port: number; path: string }
  | { kind: 'deny'; from: number; to: number; port: number }
  | { kind: 'peerDeny'; endpoint: number; peer: PeerSpec; egress: boolean; port: number }
  | { kind: 'peerHttp'; endpoint: number; peer: PeerSpec; egress: boolean; port: number; path: string };

/** A namespace test of a namespace peer chosen by labels (namespace label keys and values of mixed case, with `_`, `.` and `/`). */
type NamespaceTest =
  | { op: 'equals'; key: string; value: string }
  | { op: 'in' | 'notIn'; key: string; values: string[] }
  | { op: 'exists' | 'doesNotExist'; key: string };
/** A namespace peer: pods (with `app`, or every pod) of the policy's namespace, of a named one, of every one, or of those whose labels pass `test`. */
interface PeerSpec { readonly scope: 'own' | 'named' | 'all' | 'labels'; readonly name?: string; readonly test?: NamespaceTest; readonly app?: string }

/** Endpoints with mixed-case, `_` and non-ASCII names (object names keep a-z, 0-9 and '-'), in two namespaces. */
const ENDPOINTS = ['web', 'api', 'db', 'Mixed_Case', 'ünï-svc'].map((name, i) => Endpoint.of({
  name, namespace: i % 2 === 0 ? 'shop' : 'data', pods: Selector.labels({ app: `a${i}` }),
}));

/** The namespaces and their labels; `ops` has pods that are no endpoint (app a0 and a1, as shop/web and data/api; a3 in shop, as data/Mixed_Case). */
const NAMESPACE_LABELS: Record<string, Record<string, string>> = {
  shop: { 'team': 'Red', 'example.com/Env_x': 'prod.1' },
  data: { team: 'blue' },
  ops: { 'team': 'Red', 'example.com/Env_x': 'dev_2' },
};
const NS_KEYS = ['team', 'example.com/Env_x'];
const NS_VALUES = ['Red', 'blue', 'prod.1', 'dev_2'];
const EXTRA_PODS = [{ namespace: 'ops', app: 'a0' }, { namespace: 'ops', app: 'a1' }, { namespace: 'shop', app: 'a3' }];

const API_SERVER = '10.0.0.1';
const label = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}[a-z0-9]$/);
const dnsName = fc.tuple(fc.boolean(), label, fc.constantFrom('com', 'io', 'example')).map(([wild, l, tld]) => `${wild ? '*.' : ''}${l}.${tld}`);
const port = fc.integer({ min: 1, max: 65535 });
const endpoint = fc.integer({ min: 0, max: ENDPOINTS.length - 1 });
const nsKey = fc.constantFrom(...NS_KEYS);
const nsValues = fc.subarray(NS_VALUES, { minLength: 1, maxLength: 2 });
const namespaceTest: fc.Arbitrary<NamespaceTest> = fc.oneof(
  fc.record({ op: fc.constant('equals' as const), key: nsKey, value: fc.constantFrom(...NS_VALUES) }),
  fc.record({ op: fc.constantFrom('in' as const, 'notIn' as const), key: nsKey, values: nsValues }),
  fc.record({ op: fc.constantFrom('exists' as const, 'doesNotExist' as const), key: nsKey }),
);
const podApp = fc.option(fc.constantFrom('a0', 'a1', 'a3', 'zz'), { nil: undefined });
const peerSpec: fc.Arbitrary<PeerSpec> = fc.oneof(
  fc.record({ scope: fc.constant('own' as const), app: podApp }),
  fc.record({ scope: fc.constant('named' as const), name: fc.constantFrom('shop', 'data', 'ops'), app: podApp }),
  fc.record({ scope: fc.constant('all' as const), app: podApp }),
  fc.record({ scope: fc.constant('labels' as const), test: namespaceTest, app: podApp }),
).map((p) => JSON.parse(JSON.stringify(p)));

/** The peer a PeerSpec declares. */
function peerOf(p: PeerSpec): Peer {
  const pods = p.app === undefined ? undefined : Selector.labels({ app: p.app });
  switch (p.scope) {
    case 'own': return Peer.pods(pods ?? Selector.all());
    case 'named': return pods ? Peer.podsInNamespace(p.name!, pods) : Peer.namespace(p.name!);
    case 'all': return pods ? Peer.podsInAllNamespaces(pods) : Peer.allNamespaces();
    case 'labels': {
      const t = p.test!;
      const namespaces = t.op === 'equals' ? Selector.labels({ [t.key]: t.value })
        : Selector.expressions([t.op === 'in' ? LabelExpression.isIn(t.key, t.values) : t.op === 'notIn' ? LabelExpression.notIn(t.key, t.values)
          : t.op === 'exists' ? LabelExpression.exists(t.key) : LabelExpression.doesNotExist(t.key)]);
      return pods ? Peer.podsInNamespaces(namespaces, pods) : Peer.namespaces(namespaces);
    }
  }
}

/** Whether the peer, in a policy of namespace `own`, stands for a pod of `namespace` labelled app=`podApp` (the reference, from the NetworkPolicy API's meaning). */
function peerMatchesPod(p: PeerSpec, own: string, namespace: string, appLabel: string): boolean {
  if (p.app !== undefined && p.app !== appLabel) return false;
  switch (p.scope) {
    case 'own': return namespace === own;
    case 'named': return namespace === p.name;
    case 'all': return true;
    case 'labels': {
      const t = p.test!;
      const value = NAMESPACE_LABELS[namespace][t.key];
      switch (t.op) {
        case 'equals': return value === t.value;
        case 'in': return value !== undefined && t.values.includes(value);
        case 'notIn': return value === undefined || !t.values.includes(value);
        case 'exists': return value !== undefined;
        case 'doesNotExist': return value === undefined;
      }
    }
  }
}
const declaration: fc.Arbitrary<Declaration> = fc.oneof(
  fc.record({ kind: fc.constant('plain' as const), from: endpoint, to: endpoint, port }),
  fc.record({ kind: fc.constant('fqdn' as const), from: endpoint, names: fc.array(dnsName, { minLength: 1, maxLength: 3 }), port }),
  fc.record({
    kind: fc.constant('entity' as const),
    endpoint,
    port,
    egress: fc.boolean(),
    entity: fc.constantFrom(CiliumEntity.KUBE_APISERVER, CiliumEntity.WORLD, CiliumEntity.CLUSTER, CiliumEntity.HOST, CiliumEntity.REMOTE_NODE),
  }),
  fc.record({ kind: fc.constant('apiserver' as const), endpoint, port, egress: fc.boolean() }),
  fc.record({ kind: fc.constant('http' as const), from: endpoint, to: endpoint, port, path: label.map((l) => `/${l}/.*`) }),
  fc.record({ kind: fc.constant('deny' as const), from: endpoint, to: endpoint, port }),
  fc.record({ kind: fc.constant('peerDeny' as const), endpoint, peer: peerSpec, egress: fc.boolean(), port }),
  fc.record({ kind: fc.constant('peerHttp' as const), endpoint, peer: peerSpec, egress: fc.boolean(), port, path: label.map((l) => `/${l}/.*`) }),
);

function declare(net: NetworkPolicies, d: Declaration): void {
  switch (d.kind) {
    case 'plain': return net.allow(ENDPOINTS[d.from], ENDPOINTS[d.to], Port.tcp(d.port));
    case 'fqdn': return net.allow(ENDPOINTS[d.from], ExternalDestination.dnsNames('saas', d.names), Port.tcp(d.port));
    case 'entity': return d.egress
      ? net.allow(ENDPOINTS[d.endpoint], Entity.of(d.entity), Port.tcp(d.port))
      : net.allow(Entity.of(d.entity), ENDPOINTS[d.endpoint], Port.tcp(d.port));
    case 'apiserver': return d.egress
      ? net.allow(ENDPOINTS[d.endpoint], ExternalDestination.kubernetesApiServer([API_SERVER]), Port.tcp(d.port))
      : net.allow(ExternalDestination.kubernetesApiServer([API_SERVER]), ENDPOINTS[d.endpoint], Port.tcp(d.port));
    case 'http': return net.allowHttp(ENDPOINTS[d.from], ENDPOINTS[d.to], Port.tcp(d.port), HttpRule.of({ method: HttpMethod.GET, path: d.path }));
    case 'deny': return net.deny(ENDPOINTS[d.from], ENDPOINTS[d.to], Port.tcp(d.port));
    case 'peerDeny': return d.egress
      ? net.deny(ENDPOINTS[d.endpoint], peerOf(d.peer), Port.tcp(d.port))
      : net.deny(peerOf(d.peer), ENDPOINTS[d.endpoint], Port.tcp(d.port));
    case 'peerHttp': {
      const rule = HttpRule.of({ method: HttpMethod.GET, path: d.path });
      return d.egress
        ? net.allowHttp(ENDPOINTS[d.endpoint], peerOf(d.peer), Port.tcp(d.port), rule)
        : net.allowHttp(peerOf(d.peer), ENDPOINTS[d.endpoint], Port.tcp(d.port), rule);
    }
  }
}

function synth(target: NetworkTarget, decls: Declaration[]): { objects?: any[]; error?: string } {
  const app = Testing.app();
  NetworkTarget.declare(app, target);
  const chart = new Chart(app, 'c');
  const net = NetworkPolicies.of(chart);
  for (const d of decls) declare(net, d);
  try {
    return { objects: Testing.synth(chart) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/**
 * Declarations whose HTTP rules a plain allow of an overlapping peer and port voids (a synth error by
 * design): the same pair, or every pod of the cluster (`Entity.cluster()`) into the same endpoint;
 * for an HTTP rule of a namespace peer, any plain allow of the same side of the endpoint on its port
 * (the overlap test errs towards overlapping: a namespace chosen by labels may be any namespace).
 */
function voided(decls: Declaration[]): boolean {
  const plainIngress = (p: Declaration, to: number, on: number) => p.port === on && ((p.kind === 'plain' && p.to === to)
    || (p.kind === 'entity' && !p.egress && p.entity === CiliumEntity.CLUSTER && p.endpoint === to));
  // allowHttp between endpoints writes the source's egress as the plain port.
  const plainEgress = (p: Declaration, from: number, on: number) => p.port === on && (((p.kind === 'plain' || p.kind === 'http') && p.from === from)
    || (p.kind === 'entity' && p.egress && p.entity === CiliumEntity.CLUSTER && p.endpoint === from));
  return decls.some((h) => (h.kind === 'http' && decls.some((p) => (p.kind === 'plain' && p.from === h.from && p.to === h.to && p.port === h.port)
    || (p.kind === 'entity' && !p.egress && p.entity === CiliumEntity.CLUSTER && p.endpoint === h.to && p.port === h.port)))
    || (h.kind === 'peerHttp' && decls.some((p) => (h.egress ? plainEgress(p, h.endpoint, h.port) : plainIngress(p, h.endpoint, h.port)))));
}

/** Connections of a single pod to itself are refused at declaration (loopback); keep the programs to the rest. */
const program = fc.array(declaration, { minLength: 1, maxLength: 6 })
  .filter((decls) => decls.every((d) => !('to' in d) || d.from !== d.to) && !voided(decls));

test('the synth succeeds exactly when the target can express every declaration, and never widens one', () => {
  fc.assert(fc.property(program, fc.constantFrom(NetworkTarget.kubernetes(), NetworkTarget.calico(), NetworkTarget.cilium()), (decls, target) => {
    // The API server by its addresses is plain on every target: ipBlocks, or on Cilium its entity.
    const needsCilium = decls.some((d) => d.kind !== 'plain' && d.kind !== 'apiserver');
    const result = synth(target, decls);
    if (needsCilium && target.plugin !== 'cilium') {
      expect(result.error).toMatch(/cannot express/);
      return;
    }
    expect(result.error).toBeUndefined();
    const objects = result.objects!;
    for (const o of objects.filter((x) => x.kind === 'CiliumNetworkPolicy')) expect(checkCiliumPolicy(o)).toEqual([]);
    const text = JSON.stringify(objects);
    for (const d of decls) {
      if (d.kind === 'fqdn') for (const n of d.names) expect(text).toContain(JSON.stringify(n.toLowerCase()));
      if (d.kind === 'entity') expect(text).toContain(`"${d.egress ? 'toEntities' : 'fromEntities'}":[`);
      if (d.kind === 'http') expect(text).toContain(JSON.stringify(d.path));
      if (d.kind === 'apiserver') {
        // On Cilium the entity, never the ipBlock its CIDR rules would not match; elsewhere the ipBlock.
        if (target.plugin === 'cilium') expect(text).toMatch(d.egress ? /"toEntities":\[[^\]]*"kube-apiserver"/ : /"fromEntities":\[[^\]]*"kube-apiserver"/);
        else expect(text).toContain(`"cidr":"${API_SERVER}/32"`);
      }
      if (d.kind === 'deny') expect(text).toMatch(/"(egress|ingress)Deny"/);
    }
    // Nothing allows every port or every peer unless asked: no Cilium allow rule without ports.
    if (target.plugin === 'cilium') expect(text).not.toContain(API_SERVER);
    for (const o of objects.filter((x) => x.kind === 'CiliumNetworkPolicy')) {
      for (const rule of [...(o.spec.ingress ?? []), ...(o.spec.egress ?? [])]) expect(rule.toPorts).toBeDefined();
    }
  }), fuzzParameters(60));
});

test('on Cilium the output does not depend on the order of declarations', () => {
  fc.assert(fc.property(program, (decls) => {
    const forward = synth(NetworkTarget.cilium(), decls);
    const backward = synth(NetworkTarget.cilium(), [...decls].reverse());
    expect(backward.error).toEqual(forward.error);
    if (forward.objects) expect(Yaml.stringify(...backward.objects!)).toEqual(Yaml.stringify(...forward.objects));
  }), fuzzParameters(40));
});

/**
 * The Cilium output analysed (the analyser models Cilium's policies): each side of every connection
 * between the endpoints, the DNS names' addresses and another address is allowed exactly when a
 * declaration allows it or no declaration restricts that side, and denied by a deny declaration
 * whatever allows it. The API server is given by its address (outside the cluster: no Node is
 * its): `kube-apiserver` (also for the API server by its addresses), `world` and `cluster` reach it
 * (docs.cilium.io "Entities based"; entity.go puts the kube-apiserver selector into cluster);
 * `host` and `remote-node` reach nothing, as the model has no node ends. Nothing is left out.
 */
test('on Cilium, what was declared is allowed, what was not is denied (analysed), and a deny wins', () => {
  const pods = [...ENDPOINTS.map((_, i) => ({ namespace: i % 2 === 0 ? 'shop' : 'data', name: `pod${i}`, labels: { app: `a${i}` } })),
    ...EXTRA_PODS.map((x, i) => ({ namespace: x.namespace, name: `extra${i}`, labels: { app: x.app } }))];
  const namespaces = Object.entries(NAMESPACE_LABELS)
    .map(([name, labels]) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } }));
  const ownNs = (i: number) => pods[i].namespace;
  /** An end of a connection: a pod (its index), an external address, or the API server. */
  type End = { pod?: number; ext?: { name: string; ip: string; dnsName: string }; api?: true };
  // A namespace peer of endpoint i's policy stands for the other end `o` (pods only).
  const peerReaches = (peer: PeerSpec, i: number, o: End) => o.pod !== undefined
    && peerMatchesPod(peer, ownNs(i), pods[o.pod].namespace, pods[o.pod].labels.app);
  const podId = (i: number) => `${pods[i].namespace}/${pods[i].name}`;
  fc.assert(fc.property(program, (decls) => {
    const result = synth(NetworkTarget.cilium(), decls);
    expect(result.error).toBeUndefined();
    const names = decls.flatMap((d) => (d.kind === 'fqdn' ? d.names.map((n) => n.toLowerCase()) : []));
    const externals = [...names.map((n, i) => ({ name: `ext${i}`, ip: `198.51.100.${i + 1}`, dnsName: n.startsWith('*.') ? `sub${n.slice(1)}` : n })),
      { name: 'other', ip: '192.0.2.77', dnsName: 'unrelated.example' }];
    const options = { pods, externals, apiServerIp: API_SERVER, apiServerOutsideCluster: true };
    const r = Reachability.fromManifests([...namespaces, ...result.objects!], options);
    // Every form the constructs emit is read exactly: nothing left out, no version-dependent reading noted.
    expect(r.skipped).toEqual([]);
    const used = new Set(decls.map((d) => d.port));
    const ports = [...used, [7, 9, 13].find((p) => !used.has(p))!];
    const ends: End[] = [...pods.map((_, i) => ({ pod: i })), ...externals.map((ext) => ({ ext })), { api: true }];
    const id = (e: End) => (e.pod !== undefined ? podId(e.pod) : e.api ? 'kube-apiserver' : e.ext!.name);
    const outside = (e: End) => e.pod === undefined;
    // What an entity declaration reaches of the other end `o` (the API server is outside the cluster here).
    const entityReaches = (x: Declaration, o: End) => (x.kind === 'apiserver' ? o.api === true : x.kind === 'entity' && (
      (x.entity === CiliumEntity.WORLD && outside(o)) || (x.entity === CiliumEntity.CLUSTER && (o.pod !== undefined || o.api === true))
      || (x.entity === CiliumEntity.KUBE_APISERVER && o.api === true)));
    const denied = (s: End, d: End, p: number) => decls.some((x) => x.kind === 'deny' && x.from === s.pod && x.to === d.pod && x.port === p);
    // A deny of a namespace peer is on the endpoint's side only.
    const egressDenied = (s: number, d: End, p: number) => decls.some((x) => x.kind === 'peerDeny' && x.egress && x.endpoint === s && x.port === p && peerReaches(x.peer, s, d));
    const ingressDenied = (d: number, s: End, p: number) => decls.some((x) => x.kind === 'peerDeny' && !x.egress && x.endpoint === d && x.port === p && peerReaches(x.peer, d, s));
    const matchesName = (pattern: string, name: string) => (pattern.startsWith('*.') ? name.endsWith(pattern.slice(1)) && !name.slice(0, -pattern.length + 1).includes('.') : pattern === name);
    const egressDeclared = (s: number, d: End, p: number) => decls.some((x) => x.port === p && (
      ((x.kind === 'plain' || x.kind === 'http') && x.from === s && x.to === d.pod)
      || (x.kind === 'fqdn' && x.from === s && d.ext !== undefined && x.names.some((n) => matchesName(n.toLowerCase(), d.ext!.dnsName)))
      || ((x.kind === 'entity' || x.kind === 'apiserver') && x.egress && x.endpoint === s && entityReaches(x, d))
      || (x.kind === 'peerHttp' && x.egress && x.endpoint === s && peerReaches(x.peer, s, d))));
    const ingressDeclared = (d: number, s: End, p: number) => decls.some((x) => x.port === p && (
      ((x.kind === 'plain' || x.kind === 'http') && x.to === d && x.from === s.pod)
      || ((x.kind === 'entity' || x.kind === 'apiserver') && !x.egress && x.endpoint === d && entityReaches(x, s))
      || (x.kind === 'peerHttp' && !x.egress && x.endpoint === d && peerReaches(x.peer, d, s))));
    const egressIsolated = (s: number) => decls.some((x) => ((x.kind === 'plain' || x.kind === 'http' || x.kind === 'fqdn') && x.from === s)
      || ((x.kind === 'entity' || x.kind === 'apiserver' || x.kind === 'peerHttp') && x.egress && x.endpoint === s));
    const ingressIsolated = (d: number) => decls.some((x) => ((x.kind === 'plain' || x.kind === 'http') && x.to === d)
      || ((x.kind === 'entity' || x.kind === 'apiserver' || x.kind === 'peerHttp') && !x.egress && x.endpoint === d));
    for (const p of ports) {
      for (const s of ends) {
        for (const d of ends) {
          if (s === d || (outside(s) && outside(d))) continue;
          const e = r.explain(id(s), id(d), Port.tcp(p));
          if (s.pod !== undefined) {
            const expected = !denied(s, d, p) && !egressDenied(s.pod, d, p) && (!egressIsolated(s.pod) || egressDeclared(s.pod, d, p));
            if (e.egress.allowed !== expected) throw new Error(`egress of ${id(s)} to ${id(d)} on ${p}: ${e.egress.allowed}, expected ${expected}\n${TextFormat.explanation(e)}`);
          }
          if (d.pod !== undefined) {
            const expected = !denied(s, d, p) && !ingressDenied(d.pod, s, p) && (!ingressIsolated(d.pod) || ingressDeclared(d.pod, s, p));
            if (e.ingress.allowed !== expected) throw new Error(`ingress of ${id(d)} from ${id(s)} on ${p}: ${e.ingress.allowed}, expected ${expected}\n${TextFormat.explanation(e)}`);
          }
          // An HTTP declaration's connection is allowed at layer 3/4, and the verdict says its L7 rules apply.
          if (decls.some((x) => (x.kind === 'http' && x.from === s.pod && x.to === d.pod && x.port === p)
            || (x.kind === 'peerHttp' && !x.egress && x.endpoint === d.pod && x.port === p && peerReaches(x.peer, x.endpoint, s))) && e.ingress.allowed) {
            expect(e.ingress.allowedBy.some((a) => a.l7Rules)).toBe(true);
          }
        }
      }
    }
  }), fuzzParameters(40));
});
