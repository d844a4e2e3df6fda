import { Chart, Testing, Yaml } from 'cdk8s';
import * as fc from 'fast-check';
import {
  CiliumEntity, Endpoint, Entity, ExternalDestination, HttpMethod, HttpRule, NetworkPolicies, NetworkTarget, Port, Selector,
} from '../../src';
import { checkCiliumPolicy } from '../../src/k8s/cilium-rules';
import { fuzzParameters } from '../fuzz-config';

/**
 * Declarations on each target: a plain connection, egress to DNS names, an entity on either side,
 * HTTP rules and a deny. The property: the synth succeeds exactly when the target can express every
 * declaration (Cilium for all of them, any target for plain ones), never by dropping or widening one;
 * on success every emitted Cilium policy validates, each declaration is in the output, and the
 * output does not depend on the order of declarations.
 */
type Declaration =
  | { kind: 'plain'; from: number; to: number; port: number }
  | { kind: 'fqdn'; from: number; names: string[]; port: number }
  | { kind: 'entity'; endpoint: number; entity: CiliumEntity; egress: boolean; port: number }
  | { kind: 'http'; from: number; to: number; port: number; path: string }
  | { kind: 'deny'; from: number; to: number; port: number };

/** Endpoints with mixed-case, `_` and non-ASCII names (object names keep a-z, 0-9 and '-'), in two namespaces. */
const ENDPOINTS = ['web', 'api', 'db', 'Mixed_Case', 'ünï-svc'].map((name, i) => Endpoint.of({
  name, namespace: i % 2 === 0 ? 'shop' : 'data', pods: Selector.labels({ app: `a${i}` }),
}));

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

/** Declarations whose HTTP rules a plain allow of the same pair and port voids (a synth error by design). */
function voided(decls: Declaration[]): boolean {
  return decls.some((h) => h.kind === 'http' && decls.some((p) => p.kind === 'plain' && p.from === h.from && p.to === h.to && p.port === h.port));
}

/** Connections of a single pod to itself are refused at declaration (loopback); keep the programs to the rest. */
const program = fc.array(declaration, { minLength: 1, maxLength: 6 })
  .filter((decls) => decls.every((d) => !('to' in d) || d.from !== d.to) && !voided(decls));

test('the synth succeeds exactly when the target can express every declaration, and never widens one', () => {
  fc.assert(fc.property(program, fc.constantFrom(NetworkTarget.kubernetes(), NetworkTarget.calico(), NetworkTarget.cilium()), (decls, target) => {
    const needsCilium = decls.some((d) => d.kind !== 'plain');
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
      if (d.kind === 'deny') expect(text).toMatch(/"(egress|ingress)Deny"/);
    }
    // Nothing allows every port or every peer unless asked: no Cilium allow rule without ports.
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
