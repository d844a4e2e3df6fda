import { validateManifests } from '../../src';

/**
 * Issue 15: the lints read the labels of a namespace without its Namespace object one way. NP017
 * (unselected workload) took a cluster-wide subject whose match rests on those labels as not
 * selecting the pod, while NP018 (no default deny) and NP002 (egress without DNS) matched it against
 * the name label alone, as if the others were unset: for one input NP017 said the baseline default
 * deny may not cover shop/web while NP018 said shop has its default deny, and NP002 stayed silent on
 * DNS access that rested on the same guess. Now all three warn where it rests on unknown labels,
 * say so, and the Namespace object settles them, either way.
 */

const pod = (namespace: string, name: string, labels: Record<string, string>, ports: Array<Record<string, unknown>> = []) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels }, spec: { containers: [{ name: 'c', image: 'c', ports }] },
});
const namespace = (name: string, labels: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
const netpol = (namespaceName: string, name: string, spec: Record<string, unknown>) => ({
  apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: namespaceName }, spec,
});
const byName = (name: string) => ({ matchLabels: { 'kubernetes.io/metadata.name': name } });

/** Every namespace that is not labelled env: prod: its labels decide, and shop has no Namespace object. */
const NON_PROD = { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] };

/** The sig-network baseline default deny (user story 5), for the non-prod namespaces. */
const BANP = {
  apiVersion: 'policy.networking.k8s.io/v1alpha1',
  kind: 'BaselineAdminNetworkPolicy',
  metadata: { name: 'default' },
  spec: {
    subject: { namespaces: NON_PROD },
    ingress: [{ name: 'default-deny', action: 'Deny', from: [{ namespaces: {} }] }],
    egress: [{ name: 'default-deny', action: 'Deny', to: [{ namespaces: {} }] }],
  },
};
/** The Admin tier allows the non-prod namespaces DNS to kube-dns (by the name label: decided). */
const ANP_DNS = {
  apiVersion: 'policy.networking.k8s.io/v1alpha1',
  kind: 'AdminNetworkPolicy',
  metadata: { name: 'dns' },
  spec: {
    priority: 10,
    subject: { namespaces: NON_PROD },
    egress: [{
      name: 'allow-dns',
      action: 'Allow',
      to: [{ pods: { namespaceSelector: byName('kube-system'), podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } } }],
      ports: [{ portNumber: { protocol: 'UDP', port: 53 } }, { portNumber: { protocol: 'TCP', port: 53 } }],
    }],
  },
};
/** shop/api's egress: the database only; its DNS rests on the Admin tier. */
const API_EGRESS = netpol('shop', 'api-egress', {
  podSelector: { matchLabels: { app: 'api' } },
  policyTypes: ['Egress'],
  egress: [{ to: [{ podSelector: { matchLabels: { app: 'db' } } }], ports: [{ protocol: 'TCP', port: 5432 }] }],
});
const SHOP = [pod('shop', 'web', { app: 'web' }), pod('shop', 'api', { app: 'api' }), pod('shop', 'db', { app: 'db' }), BANP, ANP_DNS, API_EGRESS];

const run = (objects: unknown[]) => validateManifests(objects.map((object) => ({ object })), { coverage: true });
const lint = (objects: unknown[], code: string) => run(objects).findings.filter((f) => f.code === code);
const UNKNOWN = 'rests on unknown labels: namespace shop has no Namespace object in the input, so its labels other than kubernetes.io/metadata.name are unknown';

describe('one input, shop without its Namespace object: NP017, NP018 and NP002 read it alike', () => {
  test('all three warn, and say that it rests on the unknown labels of shop and how to settle it', () => {
    const np017 = lint(SHOP, 'NP017').filter((f) => f.object === 'shop/web');
    expect(np017).toHaveLength(1);
    expect(np017[0].message).toContain('whether BaselineAdminNetworkPolicy default, which would isolate it, selects it ' + UNKNOWN);
    expect(np017[0].fix).toMatch(/^Add the Namespace object of shop to the input/);
    const np018 = lint(SHOP, 'NP018');
    expect(np018.map((f) => f.object)).toEqual(['shop/web']);
    expect(np018[0].message).toContain('no default deny for ingress and egress');
    expect(np018[0].message).toContain('whether BaselineAdminNetworkPolicy default, which would be its default deny, selects it ' + UNKNOWN);
    expect(np018[0].fix).toMatch(/^Add the Namespace object of shop to the input/);
    // NP002 rests on kube-system's labels too: the baseline deny may select the cluster DNS, which the
    // input does not hold, and drop the lookups in its ingress (the every-server rule, np002-dns-servers.test.ts).
    const np002 = lint(SHOP, 'NP002');
    expect(np002.map((f) => [f.object, f.message])).toEqual([
      ['shop/api-egress', 'isolates the egress of shop/api, and whether a policy that selects it allows DNS (53/UDP), and the ingress of the cluster DNS '
        + '(k8s-app: kube-dns in kube-system) lets the lookups in, rests on unknown labels: namespaces kube-system, shop have no Namespace object in the input, '
        + 'so their labels other than kubernetes.io/metadata.name are unknown, so it may not resolve names'],
    ]);
    expect(np002[0].fix).toMatch(/^Add the Namespace objects of kube-system, shop to the input/);
  });

  test('the Namespace object with labels the selector matches: none of the three warns', () => {
    // kube-system outside the baseline deny (env: prod), so that it does not police the cluster DNS's ingress.
    const input = [...SHOP, namespace('shop', { env: 'dev' }), namespace('kube-system', { env: 'prod' })];
    expect(lint(input, 'NP017').filter((f) => f.object === 'shop/web')).toEqual([]);
    expect(lint(input, 'NP018')).toEqual([]);
    expect(lint(input, 'NP002')).toEqual([]);
  });

  test('the Namespace object with labels the selector does not match: all three warn, decided, with no word of unknown labels', () => {
    const input = [...SHOP, namespace('shop', { env: 'prod' })];
    const findings = [...lint(input, 'NP017').filter((f) => f.object === 'shop/web'), ...lint(input, 'NP018'), ...lint(input, 'NP002')];
    expect(findings.map((f) => f.code).sort()).toEqual(['NP002', 'NP017', 'NP018']);
    for (const f of findings) expect(f.message).not.toContain('unknown labels');
    expect(lint(input, 'NP002')[0].message).toBe('isolates the egress of shop/api, and no policy that selects it allows DNS (53/UDP), so it cannot resolve names');
  });
});

describe('NP002 reads a DNS rule\'s namespace selector over kube-system as the analyser does', () => {
  /** The system namespaces: those without a tenant label. kube-system's labels decide, and it has no Namespace object. */
  const SYSTEM = { matchExpressions: [{ key: 'tenant', operator: 'DoesNotExist' }] };
  const egress = netpol('shop', 'api-egress', {
    podSelector: { matchLabels: { app: 'api' } },
    policyTypes: ['Egress'],
    egress: [
      { to: [{ podSelector: { matchLabels: { app: 'db' } } }], ports: [{ protocol: 'TCP', port: 5432 }] },
      { to: [{ namespaceSelector: SYSTEM, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 5353 }] },
    ],
  });
  const input = [pod('shop', 'api', { app: 'api' }), pod('shop', 'db', { app: 'db' }), egress];

  test('without kube-system\'s Namespace object: NP002, resting on its unknown labels', () => {
    const np002 = lint(input, 'NP002');
    expect(np002.map((f) => f.message)).toEqual([
      'isolates the egress of shop/api, and whether a policy that selects it allows DNS (53/UDP) rests on unknown labels: namespace kube-system has '
        + 'no Namespace object in the input, so its labels other than kubernetes.io/metadata.name are unknown, so it may not resolve names',
    ]);
    expect(np002[0].fix).toMatch(/^Add the Namespace object of kube-system to the input .*Allow egress to the cluster DNS \(k8s-app: kube-dns in kube-system\)/);
  });

  test('with it: no NP002 where its labels match, NP002 (decided) where they do not', () => {
    expect(lint([...input, namespace('kube-system', {})], 'NP002')).toEqual([]);
    expect(lint([...input, namespace('kube-system', { tenant: 'platform' })], 'NP002').map((f) => f.message)).toEqual([
      'isolates the egress of shop/api, and no policy that selects it allows DNS (53/UDP), so it cannot resolve names',
    ]);
  });
});

describe('NP002 reads DNS against the input\'s DNS servers (isDnsServer)', () => {
  /** A custom resolver: not kube-dns, found by its declared 53/UDP port. */
  const resolver = pod('dns', 'unbound', { app: 'unbound' }, [{ containerPort: 53, protocol: 'UDP', name: 'dns' }]);
  const client = pod('shop', 'api', { app: 'api' });
  const withDns = (peer: Record<string, unknown>, ports: unknown[] = [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }]) => netpol('shop', 'api-egress', {
    podSelector: { matchLabels: { app: 'api' } },
    policyTypes: ['Egress'],
    egress: [{ to: [peer], ports }],
  });
  const toResolver = { namespaceSelector: byName('dns'), podSelector: { matchLabels: { app: 'unbound' } } };
  const toKubeDns = { namespaceSelector: byName('kube-system'), podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } };
  const np002 = (...objects: unknown[]) => lint([resolver, client, ...objects], 'NP002').map((f) => f.message);
  const MISSING = 'isolates the egress of shop/api, and no policy that selects it allows DNS (53/UDP), so it cannot resolve names';

  test('a rule to the resolver\'s custom label on 53/UDP: no NP002, by number or by its port name', () => {
    expect(np002(withDns(toResolver))).toEqual([]);
    expect(np002(withDns(toResolver, [{ protocol: 'UDP', port: 'dns' }]))).toEqual([]);
  });

  test('a rule to k8s-app=kube-dns in kube-system, which is none of the input\'s DNS servers: NP002, and the fix names the server', () => {
    expect(np002(withDns(toKubeDns))).toEqual([MISSING]);
    const fix = lint([resolver, client, withDns(toKubeDns)], 'NP002')[0].fix;
    expect(fix).toContain('Allow egress to the input\'s DNS servers (dns/unbound) on 53/UDP');
    // A rule of port 53 alone to elsewhere is no longer taken for a custom DNS server: the input says which one it is.
    expect(np002(withDns({ namespaceSelector: byName('other') }))).toEqual([MISSING]);
    // The resolver on another protocol only is no DNS.
    expect(np002(withDns(toResolver, [{ protocol: 'TCP', port: 53 }]))).toEqual([MISSING]);
  });

  test('the same rule to kube-dns, with no DNS server in the input: the cluster DNS is assumed, as before (no NP002)', () => {
    expect(lint([client, withDns(toKubeDns)], 'NP002')).toEqual([]);
  });

  test('a Cilium DNS rule reads the same way: to the resolver, none; to kube-dns that the input does not hold, NP002', () => {
    const cnp = (toEndpoints: unknown[]) => ({
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'api-dns', namespace: 'shop' },
      spec: { endpointSelector: { matchLabels: { app: 'api' } }, egress: [{ toEndpoints, toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }] }] },
    });
    const isolating = withDns({ podSelector: { matchLabels: { app: 'db' } } }, [{ protocol: 'TCP', port: 5432 }]);
    expect(np002(isolating, cnp([{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'dns', 'k8s:app': 'unbound' } }]))).toEqual([]);
    expect(np002(isolating, cnp([{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } }]))).toEqual([MISSING]);
    // Without DNS servers in the input, a Cilium rule with rules.dns counts as before.
    expect(lint([client, isolating, cnp([{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } }])], 'NP002')).toEqual([]);
  });
});

describe('NP002 and the Admin tier: first match decides, and a match that rests on unknown labels decides nothing', () => {
  /** A Deny of all egress for the prod namespaces, before the DNS allow of every namespace. */
  const denyProd = {
    apiVersion: 'policy.networking.k8s.io/v1alpha1',
    kind: 'AdminNetworkPolicy',
    metadata: { name: 'lock-prod' },
    spec: { priority: 5, subject: { namespaces: { matchLabels: { env: 'prod' } } }, egress: [{ name: 'deny-all', action: 'Deny', to: [{ namespaces: {} }] }] },
  };
  const allowDns = { ...ANP_DNS, spec: { ...ANP_DNS.spec, subject: { namespaces: {} } } };
  const input = [pod('shop', 'api', { app: 'api' }), pod('shop', 'db', { app: 'db' }), API_EGRESS, denyProd, allowDns];

  test('the Deny may select shop: its DNS rests on unknown labels, NP002', () => {
    expect(lint(input, 'NP002').map((f) => f.message)).toEqual([
      `isolates the egress of shop/api, and whether a policy that selects it allows DNS (53/UDP) ${UNKNOWN}, so it may not resolve names`,
    ]);
  });

  test('shop is not prod: the Allow decides, no NP002; shop is prod: the Deny decides, NP002', () => {
    expect(lint([...input, namespace('shop', { env: 'dev' })], 'NP002')).toEqual([]);
    expect(lint([...input, namespace('shop', { env: 'prod' })], 'NP002').map((f) => f.message)).toEqual([
      'isolates the egress of shop/api, and no policy that selects it allows DNS (53/UDP), so it cannot resolve names',
    ]);
  });
});
