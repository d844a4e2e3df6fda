import { dnsVisibility, evaluateCiliumSide } from '../../src/analysis/cilium-semantics';
import { ciliumLabels, ciliumSelects } from '../../src/inventory/cilium-policy';
import { Cluster, ClusterEndpoint } from '../../src/inventory/cluster';
import { API_EXTERNAL, cnp, fqdnPolicy, KUBE_DNS, namespace, pod, UDP53 } from '../fixtures/cilium-objects';

/**
 * The caches of the Cilium semantics belong to one model: what the DNS proxy sees a pod look up
 * (`dnsVisibility`) and a pod's Cilium labels (`ciliumLabels`) are answers of a model, not of an
 * endpoint object. Two models that share an endpoint object (a view of one model over the other's
 * endpoints, `withEndpoints`) must each get their own answer, whichever asks first.
 */

const toApi = fqdnPolicy({ toEndpoints: [KUBE_DNS] });
const noDns = cnp('no-dns', { endpointSelector: { matchLabels: { app: 'client' } }, egressDeny: [{ toEndpoints: [KUBE_DNS] }] });
const client = pod('default', 'client', { app: 'client' }, UDP53);
const coredns = pod('kube-system', 'coredns', { 'k8s-app': 'kube-dns' }, UDP53);
const externals = [API_EXTERNAL];
const HTTPS = { port: 443, protocol: 'TCP' };

/** Model A lets the client's lookups through; model B denies them. B's view runs over A's endpoint objects. */
function models(): { a: Cluster; b: Cluster; end: (id: string) => ClusterEndpoint } {
  const a = new Cluster([toApi, client, coredns].map((object) => ({ object })), { externals });
  const plainB = new Cluster([toApi, noDns, client, coredns].map((object) => ({ object })), { externals });
  // The same endpoints in the same order (the view needs each index to be its position).
  expect(plainB.endpoints.map((e) => `${e.index} ${e.id}`)).toEqual(a.endpoints.map((e) => `${e.index} ${e.id}`));
  const b = plainB.withEndpoints(a.endpoints);
  return { a, b, end: (id: string) => a.endpoint(id)! };
}

describe('the DNS visibility cache is per model', () => {
  test('control: each model alone, with its own endpoint objects, decides its own way', () => {
    const a = new Cluster([toApi, client, coredns].map((object) => ({ object })), { externals });
    const b = new Cluster([toApi, noDns, client, coredns].map((object) => ({ object })), { externals });
    expect(dnsVisibility(a, a.endpoint('default/client')!, 'api.example.com')).toBe('seen');
    expect(dnsVisibility(b, b.endpoint('default/client')!, 'api.example.com')).toBe('unseen');
  });

  test('asked in the allowing model first, the denying model sharing the endpoint object still denies', () => {
    const { a, b, end } = models();
    expect(dnsVisibility(a, end('default/client'), 'api.example.com')).toBe('seen');
    expect(dnsVisibility(b, end('default/client'), 'api.example.com')).toBe('unseen');
    // With the analyser: A allows the client to api on 443 (its toFQDNs rule), B denies it (the rule matches nothing there).
    expect(evaluateCiliumSide(a, 'egress', end('default/client'), end('api'), HTTPS).allowedBy.map((r) => `${r.policy} ${r.direction}[${r.rule}]`))
      .toEqual(['default/to-api egress[0]']);
    const denied = evaluateCiliumSide(b, 'egress', end('default/client'), end('api'), HTTPS);
    expect(denied.allowedBy).toEqual([]);
    // Isolated, and no rule allows: denied (by default deny; the deny rule is of the DNS path only).
    expect(denied.isolating).toContain('CiliumNetworkPolicy default/to-api');
    expect(denied.deniedBy).toEqual([]);
  });

  test('asked in the denying model first, the allowing model sharing the endpoint object still allows', () => {
    const { a, b, end } = models();
    expect(dnsVisibility(b, end('default/client'), 'api.example.com')).toBe('unseen');
    expect(dnsVisibility(a, end('default/client'), 'api.example.com')).toBe('seen');
    expect(evaluateCiliumSide(b, 'egress', end('default/client'), end('api'), HTTPS).allowedBy).toEqual([]);
    expect(evaluateCiliumSide(a, 'egress', end('default/client'), end('api'), HTTPS).allowedBy).toHaveLength(1);
  });
});

describe('the Cilium labels cache is per model', () => {
  const selectTeamB = { selector: { matches: (l: Record<string, string>) => l['io.cilium.k8s.namespace.labels.team'] === 'b' }, text: 'team=b' } as any;

  test('two models whose namespace carries other labels each read their own, whichever asks first', () => {
    for (const order of [['a', 'b'], ['b', 'a']]) {
      const a = new Cluster([namespace('default', { team: 'a' }), client].map((object) => ({ object })));
      const plainB = new Cluster([namespace('default', { team: 'b' }), client].map((object) => ({ object })));
      const b = plainB.withEndpoints(a.endpoints);
      const e = a.endpoint('default/client')!;
      const read = { a: () => ciliumLabels(a, e), b: () => ciliumLabels(b, e) };
      const teams = Object.fromEntries(order.map((m) => [m, read[m as 'a' | 'b']()['io.cilium.k8s.namespace.labels.team']]));
      expect(teams).toEqual({ a: 'a', b: 'b' });
      // A selector of the namespace label team=b selects the pod in B only.
      expect(ciliumSelects(a, selectTeamB, e, 'must')).toBe(false);
      expect(ciliumSelects(b, selectTeamB, e, 'must')).toBe(true);
    }
  });

  test('views of one model share the labels (one object per end)', () => {
    const a = new Cluster([namespace('default', { team: 'a' }), client].map((object) => ({ object })));
    const e = a.endpoint('default/client')!;
    expect(ciliumLabels(a.withPolicies([]), e)).toBe(ciliumLabels(a, e));
    expect(ciliumLabels(a.scopedTo(e), e)).toBe(ciliumLabels(a, e));
  });
});
