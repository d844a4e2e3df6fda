import { Port, Reachability } from '../../src';

/**
 * RT-01 (refusal of ordinary input): a plain dump of a managed cluster (EKS/GKE/AKS: the API
 * server is not on a Node) holds the Endpoints default/kubernetes. Since ac2fbae the input's
 * Endpoints are read as the API servers; with no Node objects and any Cilium policy at all,
 * `refuseUnplacedApiServer` throws, although no rule of the policy can tell where the API server
 * runs (only toEndpoints peers: the API server is matched by none, on a node or outside). The same
 * input without the Endpoints object (what worked yesterday) gives the verdict. The doc comment of
 * refuseUnplacedApiServer says "refused where a verdict depends on where it runs", but the check
 * is `ciliumPolicies.length > 0`.
 */
const pod = (ns: string, name: string, labels: Record<string, string>, ip: string) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns, labels }, spec: { containers: [{ name: 'c' }] }, status: { podIP: ip },
});
const web = pod('shop', 'web', { app: 'web' }, '10.2.0.5');
const db = pod('shop', 'db', { app: 'db' }, '10.2.0.6');
const cnp = {
  apiVersion: 'cilium.io/v2',
  kind: 'CiliumNetworkPolicy',
  metadata: { name: 'db-in', namespace: 'shop' },
  spec: { endpointSelector: { matchLabels: { app: 'db' } }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }] }] },
};
const kubernetesEndpoints = {
  apiVersion: 'v1',
  kind: 'Endpoints',
  metadata: { name: 'kubernetes', namespace: 'default' },
  subsets: [{ addresses: [{ ip: '172.16.0.10' }], ports: [{ name: 'https', port: 443, protocol: 'TCP' }] }],
};

test('without the Endpoints: analysed', () => {
  const r = Reachability.fromManifests([web, db, cnp]);
  expect(r.allows('shop/web', 'shop/db', Port.tcp(5432))).toBe(true);
});

test('with the Endpoints of default/kubernetes (an ordinary dump): still analysed, the verdicts do not depend on where the API server runs', () => {
  const r = Reachability.fromManifests([web, db, cnp, kubernetesEndpoints]);
  expect(r.allows('shop/web', 'shop/db', Port.tcp(5432))).toBe(true);
});

test('the API server stated only by default/kubernetes and not placeable is left out with a note that says how to fix it', () => {
  const r = Reachability.fromManifests([web, db, cnp, kubernetesEndpoints]);
  const entry = r.skipped.find((s) => s.object === 'default/kubernetes');
  expect(entry?.reason).toContain('172.16.0.10');
  expect(entry?.reason).toContain('--api-server-outside');
  expect(entry?.reason).toContain('kubectl get nodes');
  expect(r._cluster.apiServerIps).toEqual([]);
  expect(r._cluster.apiServerSource).toBeUndefined();
  expect(r._cluster.endpoints.some((e) => e.apiServer)).toBe(false);
  // Denied stays denied: the Cilium policy still isolates db.
  const other = pod('shop', 'other', { app: 'other' }, '10.2.0.7');
  const r2 = Reachability.fromManifests([web, db, other, cnp, kubernetesEndpoints]);
  expect(r2.allows('shop/other', 'shop/db', Port.tcp(5432))).toBe(false);
  expect(r2.allows('shop/web', 'shop/db', Port.tcp(5432))).toBe(true);
});

test('given explicitly (--api-server), the same unplaced API server is still refused', () => {
  expect(() => Reachability.fromManifests([web, db, cnp, kubernetesEndpoints], { apiServerIps: ['172.16.0.10'] })).toThrow(/is no Node's of the input/);
  expect(() => Reachability.fromManifests([web, db, cnp], { apiServerIps: ['172.16.0.10'] })).toThrow(/is no Node's of the input/);
});

test('said to run outside, the stated API server is analysed', () => {
  const r = Reachability.fromManifests([web, db, cnp, kubernetesEndpoints], { apiServerOutsideCluster: true });
  expect(r._cluster.apiServerIps.length).toBe(1);
  expect(r.skipped.some((s) => s.object === 'default/kubernetes')).toBe(false);
  expect(r.allows('shop/web', 'shop/db', Port.tcp(5432))).toBe(true);
});

describe('a rule naming kube-apiserver while the stated API server is left out', () => {
  // The API server's address is in the input (default/kubernetes), but where it runs is not known:
  // the hint must say that, not ask for the Endpoints the input already holds.
  const toApi = (deny: boolean) => ({
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name: deny ? 'no-api' : 'to-api', namespace: 'shop' },
    spec: { endpointSelector: { matchLabels: { app: 'web' } }, [deny ? 'egressDeny' : 'egress']: [{ toEntities: ['kube-apiserver'] }] },
  });

  test('an allow is left out with the reason the API server is left out, and how to place it', () => {
    const r = Reachability.fromManifests([web, db, toApi(false), kubernetesEndpoints]);
    const entry = r.skipped.find((s) => s.object.includes('to-api'));
    expect(entry?.reason).toMatch(/kube-apiserver is the Kubernetes API server, which the model leaves out: the input states it \(default\/kubernetes/);
    expect(entry?.reason).toContain('kubectl get nodes');
    expect(entry?.reason).toContain('--api-server-outside');
    expect(entry?.reason).not.toMatch(/add the Endpoints or EndpointSlices of default\/kubernetes/);
    // The policy still isolates web in egress: nothing else is allowed.
    expect(r.allows('shop/web', 'shop/db', Port.tcp(5432))).toBe(false);
  });

  test('without the Endpoints, the hint still asks for the address', () => {
    const r = Reachability.fromManifests([web, db, toApi(false)]);
    const entry = r.skipped.find((s) => s.object.includes('to-api'));
    expect(entry?.reason).toMatch(/whose address the model was not given/);
    expect(entry?.reason).toMatch(/default\/kubernetes to the input/);
  });

  test('a deny is kept, and its note says why the API server is left out', () => {
    // Cilium's deny example pairs the deny with an allow of everything (a deny rule alone isolates too).
    const policy = toApi(true);
    (policy.spec as any).egress = [{ toEntities: ['all'] }];
    const r = Reachability.fromManifests([web, db, policy, kubernetesEndpoints]);
    const note = r.skipped.find((s) => s.object.includes('no-api'))?.reason;
    expect(note).toMatch(/the Kubernetes API server, which the model leaves out, so the verdicts take this deny to apply/);
    expect(note).toMatch(/The API server's address: the input states it \(default\/kubernetes/);
    expect(note).not.toMatch(/or the Endpoints or EndpointSlices of default\/kubernetes in the input/);
    expect(r.allows('shop/web', 'shop/db', Port.tcp(5432))).toBe(true);
  });
});
