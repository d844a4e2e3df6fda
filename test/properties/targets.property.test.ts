import { Chart, Testing, Yaml } from 'cdk8s';
import * as fc from 'fast-check';
import {
  CiliumEntity, Endpoint, Entity, ExternalDestination, HttpMethod, HttpRule, NetworkPolicies, NetworkTarget, Port, Reachability, Selector, TextFormat,
} from '../../src';
import { checkCiliumPolicy } from '../../src/k8s/cilium-rules';
import { fuzzParameters } from '../fuzz-config';

/**
 * Declarations on each target: a plain connection, egress to DNS names, an entity on either side,
 * the Kubernetes API server by its addresses on either side, HTTP rules and a deny. The property: the synth succeeds exactly when the target can express every
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
  | { kind: 'deny'; from: number; to: number; port: number };

/** Endpoints with mixed-case, `_` and non-ASCII names (object names keep a-z, 0-9 and '-'), in two namespaces. */
const ENDPOINTS = ['web', 'api', 'db', 'Mixed_Case', 'ünï-svc'].map((name, i) => Endpoint.of({
  name, namespace: i % 2 === 0 ? 'shop' : 'data', pods: Selector.labels({ app: `a${i}` }),
}));

const API_SERVER = '10.0.0.1';
const label = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}[a-z0-9]$/);
const dnsName = fc.tuple(fc.boolean(), label, fc.constantFrom('com', 'io', 'example')).map(([wild, l, tld]) => `${wild ? '*.' : ''}${l}.${tld}`);
const port = fc.integer({ min: 1, max: 65535 });
const endpoint = fc.integer({ min: 0, max: ENDPOINTS.length - 1 });
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
 * design): the same pair, or every pod of the cluster (`Entity.cluster()`) into the same endpoint.
 */
function voided(decls: Declaration[]): boolean {
  return decls.some((h) => h.kind === 'http' && decls.some((p) => (p.kind === 'plain' && p.from === h.from && p.to === h.to && p.port === h.port)
    || (p.kind === 'entity' && !p.egress && p.entity === CiliumEntity.CLUSTER && p.endpoint === h.to && p.port === h.port)));
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
  const pods = ENDPOINTS.map((_, i) => ({ namespace: i % 2 === 0 ? 'shop' : 'data', name: `pod${i}`, labels: { app: `a${i}` } }));
  const podId = (i: number) => `${pods[i].namespace}/${pods[i].name}`;
  fc.assert(fc.property(program, (decls) => {
    const result = synth(NetworkTarget.cilium(), decls);
    expect(result.error).toBeUndefined();
    const names = decls.flatMap((d) => (d.kind === 'fqdn' ? d.names.map((n) => n.toLowerCase()) : []));
    const externals = [...names.map((n, i) => ({ name: `ext${i}`, ip: `198.51.100.${i + 1}`, dnsName: n.startsWith('*.') ? `sub${n.slice(1)}` : n })),
      { name: 'other', ip: '192.0.2.77', dnsName: 'unrelated.example' }];
    const r = Reachability.fromManifests(result.objects!, { pods, externals, apiServerIp: API_SERVER, apiServerOutsideCluster: true });
    expect(r.skipped).toEqual([]);
    const used = new Set(decls.map((d) => d.port));
    const ports = [...used, [7, 9, 13].find((p) => !used.has(p))!];
    type End = { pod?: number; ext?: typeof externals[number]; api?: true };
    const ends: End[] = [...pods.map((_, i) => ({ pod: i })), ...externals.map((ext) => ({ ext })), { api: true }];
    const id = (e: End) => (e.pod !== undefined ? podId(e.pod) : e.api ? 'kube-apiserver' : e.ext!.name);
    const outside = (e: End) => e.pod === undefined;
    // What an entity declaration reaches of the other end `o` (the API server is outside the cluster here).
    const entityReaches = (x: Declaration, o: End) => (x.kind === 'apiserver' ? o.api === true : x.kind === 'entity' && (
      (x.entity === CiliumEntity.WORLD && outside(o)) || (x.entity === CiliumEntity.CLUSTER && (o.pod !== undefined || o.api === true))
      || (x.entity === CiliumEntity.KUBE_APISERVER && o.api === true)));
    const denied = (s: End, d: End, p: number) => decls.some((x) => x.kind === 'deny' && x.from === s.pod && x.to === d.pod && x.port === p);
    const matchesName = (pattern: string, name: string) => (pattern.startsWith('*.') ? name.endsWith(pattern.slice(1)) && !name.slice(0, -pattern.length + 1).includes('.') : pattern === name);
    const egressDeclared = (s: number, d: End, p: number) => decls.some((x) => x.port === p && (
      ((x.kind === 'plain' || x.kind === 'http') && x.from === s && x.to === d.pod)
      || (x.kind === 'fqdn' && x.from === s && d.ext !== undefined && x.names.some((n) => matchesName(n.toLowerCase(), d.ext!.dnsName)))
      || ((x.kind === 'entity' || x.kind === 'apiserver') && x.egress && x.endpoint === s && entityReaches(x, d))));
    const ingressDeclared = (d: number, s: End, p: number) => decls.some((x) => x.port === p && (
      ((x.kind === 'plain' || x.kind === 'http') && x.to === d && x.from === s.pod)
      || ((x.kind === 'entity' || x.kind === 'apiserver') && !x.egress && x.endpoint === d && entityReaches(x, s))));
    const egressIsolated = (s: number) => decls.some((x) => ((x.kind === 'plain' || x.kind === 'http' || x.kind === 'fqdn') && x.from === s) || ((x.kind === 'entity' || x.kind === 'apiserver') && x.egress && x.endpoint === s));
    const ingressIsolated = (d: number) => decls.some((x) => ((x.kind === 'plain' || x.kind === 'http') && x.to === d) || ((x.kind === 'entity' || x.kind === 'apiserver') && !x.egress && x.endpoint === d));
    for (const p of ports) {
      for (const s of ends) {
        for (const d of ends) {
          if (s === d || (outside(s) && outside(d))) continue;
          const e = r.explain(id(s), id(d), Port.tcp(p));
          if (s.pod !== undefined) {
            const expected = !denied(s, d, p) && (!egressIsolated(s.pod) || egressDeclared(s.pod, d, p));
            if (e.egress.allowed !== expected) throw new Error(`egress of ${id(s)} to ${id(d)} on ${p}: ${e.egress.allowed}, expected ${expected}\n${TextFormat.explanation(e)}`);
          }
          if (d.pod !== undefined) {
            const expected = !denied(s, d, p) && (!ingressIsolated(d.pod) || ingressDeclared(d.pod, s, p));
            if (e.ingress.allowed !== expected) throw new Error(`ingress of ${id(d)} from ${id(s)} on ${p}: ${e.ingress.allowed}, expected ${expected}\n${TextFormat.explanation(e)}`);
          }
          // An HTTP declaration's connection is allowed at layer 3/4, and the verdict says its L7 rules apply.
          if (decls.some((x) => x.kind === 'http' && x.from === s.pod && x.to === d.pod && x.port === p) && e.ingress.allowed) {
            expect(e.ingress.allowedBy.some((a) => a.l7Rules)).toBe(true);
          }
        }
      }
    }
  }), fuzzParameters(40));
});
