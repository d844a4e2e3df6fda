import { expectMatrixAgrees } from './matrix-agrees';
import { HostNetworkMode, JsonFormat, MarkdownFormat, Port, Reachability, TextFormat } from '../../src';
import { checkInvariants, invariantFailureMessage, InvariantKind } from '../../src/analysis/invariants';

/**
 * Issue 15: "traffic to and from the node where a Pod is running is always allowed, regardless of
 * the IP address of the Pod or the node" (Kubernetes docs, Network Policies); Cilium lets the local
 * host reach its endpoints by default (docs.cilium.io, the `host` entity). So a pod's own node
 * reaches it whatever its ingress policies say; another node does not, nor does a pod on another
 * node. The pod's egress to its node stays with its policies (Cilium polices it: `toEntities: host`).
 * Each case asserts what is allowed AND what is denied, and that the matrix agrees with the pairs.
 */

const node = (name: string, ip: string) => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name },
  status: { addresses: [{ type: 'InternalIP', address: ip }] },
});
const pod = (name: string, labels: Record<string, string>, nodeName?: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'shop', labels },
  spec: { ...(nodeName !== undefined ? { nodeName } : {}), containers: [{ name: 'c', ports: [{ containerPort: 8080 }] }], ...extra },
});
const np = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: 'shop' }, spec });
const DENY_INGRESS = np('deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] });
const HTTP = Port.tcp(8080);
const NODES = [node('a', '10.0.0.1'), node('b', '10.0.0.2')];
const PODS = [pod('on-a', { app: 'web' }, 'a'), pod('on-b', { app: 'web' }, 'b')];
const HOST_AGENT = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'agent', namespace: 'kube-system', labels: { app: 'agent' } },
  spec: { nodeName: 'a', hostNetwork: true, containers: [{ name: 'c' }] },
  status: { hostIP: '10.0.0.1', podIP: '10.0.0.1' },
};

/** The three verdicts of the issue, and the reason named. */
function expectOwnNodeOnly(r: Reachability): void {
  const own = r.explain('node:a', 'shop/on-a', HTTP);
  expect(own.allowed).toBe(true);
  expect(own.ingress.ownNode).toBe(true);
  expect(own.ingress.allowedBy).toEqual([]);
  expect(TextFormat.explanation(own)).toContain("the pod's own node is always allowed (Kubernetes)");
  expect(JsonFormat.verdict(own.ingress).ownNode).toBe(true);
  expect(r.allows('node:b', 'shop/on-a', HTTP)).toBe(false);
  expect(r.explain('node:b', 'shop/on-a', HTTP).ingress.ownNode).toBeUndefined();
  expect(r.allows('shop/on-b', 'shop/on-a', HTTP)).toBe(false);
  expect(r.allows('node:b', 'shop/on-b', HTTP)).toBe(true);
  expect(r.allows('node:a', 'shop/on-b', HTTP)).toBe(false);
  expectMatrixAgrees(r, HTTP);
}

describe("a pod's own node always reaches it", () => {
  test('NetworkPolicy default-deny ingress: node:a -> pod on a allowed, node:b and a pod on b denied', () => {
    const r = Reachability.fromManifests([DENY_INGRESS, ...NODES, ...PODS]);
    expect(r.skipped).toEqual([]);
    expectOwnNodeOnly(r);
    expect(TextFormat.explanation(r.explain('node:a', 'shop/on-a', HTTP))).toContain('isolated by shop/deny-ingress');
  });

  test('a pod placed by status.hostIP (no spec.nodeName) has that node as its own', () => {
    const byHostIp = { ...pod('on-a', { app: 'web' }), status: { hostIP: '10.0.0.1', podIP: '10.1.0.5' } };
    const r = Reachability.fromManifests([DENY_INGRESS, ...NODES, byHostIp, PODS[1]]);
    expectOwnNodeOnly(r);
  });

  test('a pod whose node is not known is never taken to be on a node: denied, as the policies say, with a note', () => {
    const r = Reachability.fromManifests([DENY_INGRESS, ...NODES, pod('nowhere', { app: 'web' }), PODS[0]]);
    const e = r.explain('node:a', 'shop/nowhere', HTTP);
    expect(e.allowed).toBe(false);
    expect(e.notes).toContainEqual(expect.stringMatching(/^the node of shop\/nowhere is not known .*so this verdict holds only on different nodes$/));
    expect(r.allows('node:b', 'shop/nowhere', HTTP)).toBe(false);
    // Placed pods get no such note: their verdict is exact.
    expect(r.explain('node:b', 'shop/on-a', HTTP).notes.filter((n) => n.startsWith('the node of'))).toEqual([]);
    // A pod's own node that the policies allow anyway: no note either.
    expect(r.explain('node:a', 'shop/on-a', HTTP).notes.filter((n) => n.startsWith('the node of'))).toEqual([]);
    expectMatrixAgrees(r, HTTP);
  });

  test("the pod's egress to its own node stays with its policies", () => {
    const denyEgress = np('deny-egress', { podSelector: {}, policyTypes: ['Egress'] });
    const r = Reachability.fromManifests([denyEgress, ...NODES, ...PODS]);
    expect(r.allows('shop/on-a', 'node:a', HTTP)).toBe(false);
    expect(r.allows('shop/on-a', 'node:b', HTTP)).toBe(false);
    expect(r.allows('node:a', 'shop/on-a', HTTP)).toBe(true); // not isolated for ingress
    expectMatrixAgrees(r, HTTP);
  });

  test('a hostNetwork pod under the node-traffic mode is traffic of its node: it reaches pods on its node only', () => {
    const r = Reachability.fromManifests([DENY_INGRESS, ...NODES, ...PODS, HOST_AGENT]);
    const e = r.explain('kube-system/agent', 'shop/on-a', HTTP);
    expect(e.allowed).toBe(true);
    expect(e.ingress.ownNode).toBe(true);
    expect(r.allows('kube-system/agent', 'shop/on-b', HTTP)).toBe(false);
    expectOwnNodeOnly(r);
  });

  test('a hostNetwork pod analysed as a pod (POD_TRAFFIC) is no node traffic: policed as any pod', () => {
    const r = Reachability.fromManifests([DENY_INGRESS, ...NODES, ...PODS, HOST_AGENT], { hostNetwork: HostNetworkMode.POD_TRAFFIC });
    const e = r.explain('kube-system/agent', 'shop/on-a', HTTP);
    expect(e.allowed).toBe(false);
    expect(e.ingress.ownNode).toBeUndefined();
    expectOwnNodeOnly(r);
  });

  test('Cilium: only the local host reaches the isolated pod; a remote node and pods elsewhere do not', () => {
    const cnp = {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'from-frontend', namespace: 'shop' },
      spec: { endpointSelector: { matchLabels: { app: 'web' } }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'frontend' } }] }] },
    };
    const r = Reachability.fromManifests([cnp, ...NODES, ...PODS, HOST_AGENT, pod('frontend', { app: 'frontend' }, 'b')]);
    expect(r.skipped).toEqual([]);
    expectOwnNodeOnly(r);
    expect(r.allows('shop/frontend', 'shop/on-a', HTTP)).toBe(true);
    expect(r.allows('kube-system/agent', 'shop/on-a', HTTP)).toBe(true);
    expect(r.allows('kube-system/agent', 'shop/on-b', HTTP)).toBe(false);
  });

  test('Cilium: a deny rule from remote nodes denies node:b, and the local host still reaches the pod', () => {
    const cnp = {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'no-nodes', namespace: 'shop' },
      spec: { endpointSelector: {}, ingress: [{ fromEndpoints: [{}] }], ingressDeny: [{ fromEntities: ['remote-node'] }] },
    };
    const r = Reachability.fromManifests([cnp, DENY_INGRESS, ...NODES, ...PODS]);
    expect(r.skipped).toEqual([]);
    expect(r.explain('node:b', 'shop/on-a', HTTP).ingress.deniedBy).toBeDefined();
    expect(r.allows('node:a', 'shop/on-a', HTTP)).toBe(true);
    expect(r.allows('node:b', 'shop/on-a', HTTP)).toBe(false);
    expect(r.allows('shop/on-b', 'shop/on-a', HTTP)).toBe(true); // fromEndpoints {} allows the namespace
    expectMatrixAgrees(r, HTTP);
  });

  test('Cilium: a deny rule that names the host denies the own node too (deny rules take precedence over every allow)', () => {
    const cnp = {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'no-host', namespace: 'shop' },
      spec: { endpointSelector: { matchLabels: { app: 'web' } }, ingressDeny: [{ fromEntities: ['host'] }] },
    };
    const r = Reachability.fromManifests([cnp, DENY_INGRESS, ...NODES, ...PODS]);
    expect(r.skipped).toEqual([]);
    const e = r.explain('node:a', 'shop/on-a', HTTP);
    expect(e.allowed).toBe(false);
    expect(e.ingress.deniedBy).toMatchObject({ policy: 'shop/no-host', direction: 'ingressDeny' });
    expect(e.ingress.ownNode).toBeUndefined();
    // The deny names the host of each pod: node:b is not on-a's host, and the NetworkPolicy denies it.
    expect(r.allows('node:b', 'shop/on-a', HTTP)).toBe(false);
    expect(r.explain('node:b', 'shop/on-a', HTTP).ingress.deniedBy).toBeUndefined();
    expectMatrixAgrees(r, HTTP);
  });

  test('tiers: an Admin Deny of every namespace and a NetworkPolicy default deny leave the own node allowed', () => {
    const anp = {
      apiVersion: 'policy.networking.k8s.io/v1alpha1',
      kind: 'AdminNetworkPolicy',
      metadata: { name: 'lock' },
      spec: {
        priority: 10,
        subject: { namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } } },
        ingress: [{ name: 'deny-all', action: 'Deny', from: [{ namespaces: {} }] }],
      },
    };
    const r = Reachability.fromManifests([anp, DENY_INGRESS, ...NODES, ...PODS]);
    expect(r.skipped).toEqual([]);
    expectOwnNodeOnly(r);
    expect(r.explain('shop/on-b', 'shop/on-a', HTTP).ingress.decidedBy?.policy).toBe('lock');
  });

  test('an invariant broken by a pod\'s own node says so: no policy can deny it', () => {
    const r = Reachability.fromManifests([DENY_INGRESS, ...NODES, ...PODS]);
    const report = checkInvariants(r, [], [
      { name: 'no-node-a', kind: InvariantKind.NEVER, from: [{ id: 'node:a' }], to: [{ id: 'shop/on-a' }] },
      { name: 'no-node-b', kind: InvariantKind.NEVER, from: [{ id: 'node:b' }], to: [{ id: 'shop/on-a' }] },
    ]);
    const [own, other] = report.results;
    expect(other.holds).toBe(true);
    expect(own.holds).toBe(false);
    expect(own.violation).toMatchObject({ from: 'node:a', to: 'shop/on-a', allowedBy: [] });
    expect(invariantFailureMessage(own)).toContain("the ingress of shop/on-a is from its own node: the pod's own node is always allowed (Kubernetes), and no policy can deny it");
    expect(TextFormat.invariants(report)).toContain("allowed by: no rule: the pod's own node is always allowed (Kubernetes)");
    expect(MarkdownFormat.invariants(report)).toContain("the pod's own node is always allowed (Kubernetes)");
    expect(MarkdownFormat.invariants(report)).not.toContain('neither side is isolated');
  });

  test('diff: placing a pod on a node opens its own node to it, and says why', () => {
    const unplaced = pod('on-a', { app: 'web' });
    const before = Reachability.fromManifests([DENY_INGRESS, ...NODES, unplaced]);
    const after = Reachability.fromManifests([DENY_INGRESS, ...NODES, PODS[0]]);
    const d = Reachability.diff(before, after);
    expect(d.opened.map((c) => `${c.from} -> ${c.to}`)).toEqual(['node:a -> shop/on-a']);
    expect(d.closed).toEqual([]);
    const json = JsonFormat.diff(d);
    expect(json.opened[0].after.ingress).toEqual({ verdict: 'allowed', allowedBy: [], isolatedBy: ['shop/deny-ingress'], ownNode: true });
    expect(json.opened[0].before.ingress).toEqual({ verdict: 'denied', allowedBy: [], isolatedBy: ['shop/deny-ingress'] });
    expect(TextFormat.diff(d)).toContain("the pod's own node is always allowed (Kubernetes)");
  });
});
