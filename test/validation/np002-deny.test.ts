import { LintCode, validateManifests } from '../../src';

/**
 * Issue 15 (lint fail-open): NP002 counted a DNS allow that a deny cuts. Cilium's deny rules take
 * precedence over every allow (docs.cilium.io, Deny Policies), the NetworkPolicies' too; an
 * Admin-tier Deny that matches first decides whatever the NetworkPolicies allow (sig-network policy
 * API: first matching rule of the Admin tier decides). Each case asserts the pod that cannot resolve
 * names (NP002, naming the deny) and the one that can (no NP002).
 */
const pod = (namespace: string, name: string, labels: Record<string, string>, ports: unknown[] = []) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels }, spec: { containers: [{ name: 'main', ports }] },
});
const namespace = (name: string, labels: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
const COREDNS = pod('kube-system', 'coredns', { 'k8s-app': 'kube-dns' }, [{ containerPort: 53, protocol: 'UDP', name: 'dns' }]);
const MODEL = [pod('shop', 'api', { app: 'api' }), pod('shop', 'db', { app: 'db' }), COREDNS];
/** shop/api may reach the database and kube-dns on 53/UDP and 53/TCP: it resolves names. */
const API_EGRESS = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'api-egress', namespace: 'shop' },
  spec: {
    podSelector: { matchLabels: { app: 'api' } },
    policyTypes: ['Egress'],
    egress: [
      { to: [{ podSelector: { matchLabels: { app: 'db' } } }], ports: [{ port: 5432, protocol: 'TCP' }] },
      {
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
        ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }],
      },
    ],
  },
};
const KUBE_DNS = { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } };
const cnp = (name: string, selector: Record<string, string>, egressDeny: unknown[], egress: unknown[] = []) => ({
  apiVersion: 'cilium.io/v2',
  kind: 'CiliumNetworkPolicy',
  metadata: { name, namespace: 'shop' },
  spec: { endpointSelector: { matchLabels: selector }, egressDeny, ...(egress.length > 0 ? { egress } : {}) },
});
const ccnp = (name: string, endpointSelector: unknown, egressDeny: unknown[]) => ({
  apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name }, spec: { endpointSelector, egressDeny },
});
const on = (port: string, protocol: string) => ({ toPorts: [{ ports: [{ port, protocol }] }] });
const np002 = (objects: unknown[]) => validateManifests(objects.map((object) => ({ object })))
  .findings.filter((f) => f.code === LintCode.EGRESS_WITHOUT_DNS).map((f) => `${f.object}: ${f.message}`);
const np002Findings = (objects: unknown[]) => validateManifests(objects.map((object) => ({ object })))
  .findings.filter((f) => f.code === LintCode.EGRESS_WITHOUT_DNS);
const denied = (by: string) => `shop/api-egress: isolates the egress of shop/api, and its DNS (53/UDP) is denied by ${by}, which takes precedence over the allows, so it cannot resolve names`;

describe('NP002 reads Cilium deny rules: a deny of the lookups cuts the DNS allow', () => {
  test('the DNS allow alone: no NP002; with an egressDeny of 53/UDP to the DNS server: NP002 names the deny, its fix says to let DNS through', () => {
    expect(np002([...MODEL, API_EGRESS])).toEqual([]);
    const deny = cnp('no-dns', { app: 'api' }, [{ toEndpoints: [KUBE_DNS], ...on('53', 'UDP') }]);
    expect(np002([...MODEL, API_EGRESS, deny])).toEqual([denied('CiliumNetworkPolicy shop/no-dns egressDeny[0]')]);
    expect(np002Findings([...MODEL, API_EGRESS, deny])[0].fix).toMatch(/^Let CiliumNetworkPolicy shop\/no-dns egressDeny\[0\] leave 53\/UDP and 53\/TCP to/);
  });

  test('a deny of 53/UDP that overlaps the DNS allow: NP002; one that does not (another peer, TCP only, other pods): none', () => {
    expect(np002([...MODEL, API_EGRESS, cnp('no-dns', { app: 'api' }, [{ toEndpoints: [{ matchLabels: { 'k8s:k8s-app': 'kube-dns' } }], ...on('53', 'ANY') }])]))
      .toEqual([]); // a CiliumNetworkPolicy's toEndpoints selects in its own namespace (shop) only
    expect(np002([...MODEL, API_EGRESS, cnp('no-dns', { app: 'api' }, [{ toEndpoints: [KUBE_DNS], ...on('53', 'ANY') }])]))
      .toEqual([denied('CiliumNetworkPolicy shop/no-dns egressDeny[0]')]);
    expect(np002([...MODEL, API_EGRESS, cnp('no-db-dns', { app: 'api' }, [{ toEndpoints: [{ matchLabels: { app: 'db' } }], ...on('53', 'UDP') }])])).toEqual([]);
    expect(np002([...MODEL, API_EGRESS, cnp('no-tcp-dns', { app: 'api' }, [{ toEndpoints: [KUBE_DNS], ...on('53', 'TCP') }])])).toEqual([]);
    expect(np002([...MODEL, API_EGRESS, cnp('db-no-dns', { app: 'db' }, [{ toEndpoints: [KUBE_DNS], ...on('53', 'UDP') }])])).toEqual([]);
    expect(np002([...MODEL, API_EGRESS, cnp('no-world', { app: 'api' }, [{ toEntities: ['world'] }])])).toEqual([]);
  });

  test('egressDeny toEntities cluster or all, a ports-only deny of 53, and a clusterwide deny: NP002', () => {
    expect(np002([...MODEL, API_EGRESS, cnp('no-cluster', { app: 'api' }, [{ toEntities: ['cluster'] }])]))
      .toEqual([denied('CiliumNetworkPolicy shop/no-cluster egressDeny[0]')]);
    expect(np002([...MODEL, API_EGRESS, cnp('no-all', { app: 'api' }, [{ toEntities: ['all'], ...on('53', 'ANY') }])]))
      .toEqual([denied('CiliumNetworkPolicy shop/no-all egressDeny[0]')]);
    expect(np002([...MODEL, API_EGRESS, cnp('no-53', { app: 'api' }, [on('53', 'UDP')])])).toEqual([denied('CiliumNetworkPolicy shop/no-53 egressDeny[0]')]);
    expect(np002([...MODEL, API_EGRESS, ccnp('no-dns', {}, [{ toEndpoints: [{ matchLabels: { 'k8s:k8s-app': 'kube-dns' } }], ...on('53', 'UDP') }])]))
      .toEqual([denied('CiliumClusterwideNetworkPolicy no-dns egressDeny[0]')]);
  });

  test('a deny cuts a Cilium DNS allow as well', () => {
    const dnsRule = { toEndpoints: [KUBE_DNS], toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }] };
    const onlyDb = { ...API_EGRESS, spec: { ...API_EGRESS.spec, egress: [API_EGRESS.spec.egress[0]] } };
    expect(np002([...MODEL, onlyDb, cnp('dns', { app: 'api' }, [], [dnsRule])])).toEqual([]);
    expect(np002([...MODEL, onlyDb, cnp('dns', { app: 'api' }, [{ toEndpoints: [KUBE_DNS], ...on('53', 'UDP') }], [dnsRule])]))
      .toEqual([denied('CiliumNetworkPolicy shop/dns egressDeny[0]')]);
  });

  test('a deny that may apply (a subject on labels of a namespace without its Namespace object): unknown, named; the Namespace object settles it', () => {
    const teamDeny = ccnp('team-no-dns', { matchLabels: { 'k8s:io.cilium.k8s.namespace.labels.team': 'shop' } }, [{ toEndpoints: [KUBE_DNS], ...on('53', 'UDP') }]);
    const [finding] = np002Findings([...MODEL, API_EGRESS, teamDeny]);
    expect(finding.message).toMatch(/^isolates the egress of shop\/api, and whether a policy that selects it allows DNS \(53\/UDP\) rests on unknown labels: namespace shop has no Namespace object/);
    expect(finding.message).toContain('CiliumClusterwideNetworkPolicy team-no-dns egressDeny[0] may deny the lookups');
    expect(finding.message).toMatch(/so it may not resolve names$/);
    expect(finding.fix).toMatch(/^Add the Namespace object of shop to the input/);
    expect(np002([...MODEL, API_EGRESS, teamDeny, namespace('shop', { team: 'shop' })])).toEqual([denied('CiliumClusterwideNetworkPolicy team-no-dns egressDeny[0]')]);
    expect(np002([...MODEL, API_EGRESS, teamDeny, namespace('shop', { team: 'other' })])).toEqual([]);
  });

  test('pods the input does not declare: a deny of every pod cuts their DNS; one of other pods does not', () => {
    const ops = {
      ...API_EGRESS,
      metadata: { name: 'ops-egress', namespace: 'ops' },
      spec: { ...API_EGRESS.spec, podSelector: { matchLabels: { app: 'batch' } } },
    };
    expect(np002([COREDNS, ops])).toEqual([]);
    expect(np002([COREDNS, ops, ccnp('no-dns', {}, [{ toEndpoints: [KUBE_DNS], ...on('53', 'UDP') }])])).toEqual([
      'ops/ops-egress: isolates the egress of the pods it selects in namespace ops, and their DNS (53/UDP) is denied by CiliumClusterwideNetworkPolicy no-dns egressDeny[0], '
      + 'which takes precedence over the allows, so name lookups will fail',
    ]);
    expect(np002([COREDNS, ops, ccnp('web-no-dns', { matchLabels: { app: 'web' } }, [{ toEndpoints: [KUBE_DNS], ...on('53', 'UDP') }])])).toEqual([]);
  });

  test('no DNS server in the input: a deny of the custom DNS server a rule of port 53 is written for cuts it; one of another peer does not', () => {
    const custom = {
      ...API_EGRESS,
      spec: { ...API_EGRESS.spec, egress: [API_EGRESS.spec.egress[0], { to: [{ podSelector: { matchLabels: { app: 'my-dns' } } }], ports: [{ port: 53, protocol: 'UDP' }] }] },
    };
    const model = MODEL.slice(0, 2);
    expect(np002([...model, custom])).toEqual([]);
    expect(np002([...model, custom, cnp('no-my-dns', { app: 'api' }, [{ toEndpoints: [{ matchLabels: { app: 'my-dns' } }], ...on('53', 'UDP') }])]))
      .toEqual([denied('CiliumNetworkPolicy shop/no-my-dns egressDeny[0]')]);
    expect(np002([...model, custom, cnp('no-other', { app: 'api' }, [{ toEndpoints: [{ matchLabels: { app: 'other' } }], ...on('53', 'UDP') }])])).toEqual([]);
  });
});

/** An Admin-tier policy of namespace shop with one egress rule on 53/UDP to kube-dns. */
const anp = (name: string, priority: number, action: string, kind = 'AdminNetworkPolicy') => {
  const v2 = kind === 'ClusterNetworkPolicy';
  return {
    apiVersion: `policy.networking.k8s.io/${v2 ? 'v1alpha2' : 'v1alpha1'}`,
    kind,
    metadata: { name },
    spec: {
      ...(v2 ? { tier: 'Admin' } : {}),
      priority,
      subject: { namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } } },
      egress: [{
        name: `${action.toLowerCase()}-dns`,
        action,
        to: [{ pods: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } } }],
        ...(v2 ? { protocols: [{ udp: { destinationPort: { number: 53 } } }] } : { ports: [{ portNumber: { protocol: 'UDP', port: 53 } }] }),
      }],
    },
  };
};

describe('NP002 follows the Admin tier: a Deny that matches first cuts DNS whatever the NetworkPolicies allow', () => {
  test('an Admin Deny of DNS: NP002 names it, though a NetworkPolicy allows DNS (v1alpha1 and v1alpha2)', () => {
    expect(np002([...MODEL, API_EGRESS, anp('no-dns', 5, 'Deny')])).toEqual([denied('AdminNetworkPolicy no-dns egress[0] (deny-dns)')]);
    expect(np002([...MODEL, API_EGRESS, anp('no-dns', 5, 'Deny', 'ClusterNetworkPolicy')])).toEqual([denied('ClusterNetworkPolicy no-dns egress[0] (deny-dns)')]);
  });

  test('an Admin Deny ahead of an Admin Allow of DNS: NP002; behind it: none', () => {
    expect(np002([...MODEL, API_EGRESS, anp('no-dns', 5, 'Deny'), anp('dns', 10, 'Allow')])).toEqual([denied('AdminNetworkPolicy no-dns egress[0] (deny-dns)')]);
    expect(np002([...MODEL, API_EGRESS, anp('no-dns', 20, 'Deny'), anp('dns', 10, 'Allow')])).toEqual([]);
    // The Admin Allow decides alone: no NetworkPolicy need allow DNS.
    const onlyDb = { ...API_EGRESS, spec: { ...API_EGRESS.spec, egress: [API_EGRESS.spec.egress[0]] } };
    expect(np002([...MODEL, onlyDb, anp('no-dns', 20, 'Deny'), anp('dns', 10, 'Allow')])).toEqual([]);
  });

  test('a Pass ahead of the Deny hands DNS to the NetworkPolicies; without it the Deny decides', () => {
    expect(np002([...MODEL, API_EGRESS, anp('no-dns', 20, 'Deny')])).toEqual([denied('AdminNetworkPolicy no-dns egress[0] (deny-dns)')]);
    expect(np002([...MODEL, API_EGRESS, anp('no-dns', 20, 'Deny'), anp('pass-dns', 10, 'Pass')])).toEqual([]);
  });

  test('an Admin Allow and Deny of one priority: implementation-defined, so unknown', () => {
    const [finding, ...rest] = np002Findings([...MODEL, API_EGRESS, anp('no-dns', 10, 'Deny'), anp('dns', 10, 'Allow')]);
    expect(rest).toEqual([]);
    expect(finding.message).toMatch(/^isolates the egress of shop\/api, and whether a policy that selects it allows DNS \(53\/UDP\) rests on what the input does not give: /);
    expect(finding.message).toContain('AdminNetworkPolicy dns and AdminNetworkPolicy no-dns have the same priority (10)');
  });
});
