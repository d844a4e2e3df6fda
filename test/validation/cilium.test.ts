import { Severity, validateManifests } from '../../src';
import { checkCiliumPolicy } from '../../src/k8s/cilium-rules';

const cnp = (spec: unknown, name = 'p', namespace = 'shop') => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name, namespace }, spec });
const codes = (object: unknown) => checkCiliumPolicy(object).map((f) => `${f.code} ${f.field}`);
const DNS_RULE = {
  toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } }],
  toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }],
};

describe('the CRD schema and Cilium\'s rule checks, with field paths and fixes', () => {
  test('Cilium\'s documented examples are accepted', () => {
    // The FQDN example of the policy language docs (DNS-based policies).
    expect(codes(cnp({
      endpointSelector: { matchLabels: { org: 'empire', class: 'mediabot' } },
      egress: [{ toFQDNs: [{ matchName: 'api.github.com' }] }, DNS_RULE],
    }))).toEqual([]);
    // CIDR set with except, entities, L7 HTTP, deny rules.
    expect(codes(cnp({
      endpointSelector: { matchLabels: { app: 'crawler' } },
      egress: [
        { toCIDRSet: [{ cidr: '10.0.0.0/8', except: ['10.96.0.0/12'] }] },
        { toEntities: ['kube-apiserver'], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] },
      ],
      ingress: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: '/public' }] } }] }],
      ingressDeny: [{ fromEntities: ['world'] }],
    }))).toEqual([]);
  });

  test('required fields, the selector oneOf, enums and types are refused with their paths', () => {
    expect(codes({ apiVersion: 'cilium.io/v1', kind: 'CiliumNetworkPolicy', metadata: {} })).toEqual([
      'FieldValueNotSupported apiVersion', 'FieldValueRequired metadata.name', 'FieldValueRequired spec',
    ]);
    expect(codes(cnp({ egress: [] }))).toEqual(['FieldValueRequired spec.endpointSelector']);
    expect(codes(cnp({ endpointSelector: {}, nodeSelector: {} }))).toEqual(['FieldValueForbidden spec.nodeSelector']);
    expect(codes(cnp({ nodeSelector: {} }))).toEqual(['FieldValueForbidden spec.nodeSelector']); // a host policy must be cluster-wide
    expect(codes(cnp({
      endpointSelector: { matchLabels: { app: true }, matchExpressions: [{ key: 'a', operator: 'Equals' }, { key: 'b', operator: 'In' }] },
      egress: [{
        toEntities: ['nodes'],
        toPorts: [{ ports: [{ port: 443 }, { port: '70000' }, { port: 'http', protocol: 'ICMP' }, { port: '9000', endPort: 8000 }] }],
      }],
    }))).toEqual([
      'FieldValueTypeInvalid spec.endpointSelector.matchLabels.app',
      'FieldValueNotSupported spec.endpointSelector.matchExpressions[0].operator',
      'FieldValueRequired spec.endpointSelector.matchExpressions[1].values',
      'FieldValueNotSupported spec.egress[0].toEntities[0]',
      'FieldValueTypeInvalid spec.egress[0].toPorts[0].ports[0].port',
      'FieldValueInvalid spec.egress[0].toPorts[0].ports[1].port',
      'FieldValueNotSupported spec.egress[0].toPorts[0].ports[2].protocol',
      'FieldValueInvalid spec.egress[0].toPorts[0].ports[3].endPort',
    ]);
    const quoted = checkCiliumPolicy(cnp({ endpointSelector: {}, egress: [{ toPorts: [{ ports: [{ port: 443 }] }] }] }))[0];
    expect(quoted).toMatchObject({ severity: Severity.ERROR, fix: expect.stringMatching(/Quote the port: port: "443"/) });
  });

  test('CIDRs, FQDN selectors, L7 rules and unknown fields', () => {
    expect(codes(cnp({
      endpointSelector: {},
      egress: [
        { toCIDRSet: [{ cidr: '10.0.0.0/8', except: ['192.168.0.0/16'] }, { except: [] }, { cidr: '10.0.0.1' }] },
        { toFQDNs: [{ matchName: '*.example.com' }, {}, { matchName: 'a.com', matchPattern: '*.a.com' }] },
        { toPorts: [{ ports: [{ port: '80' }], rules: { http: [{ path: '/(' }], dns: [{ matchPattern: '*' }] } }] },
        { toEndpoints: [{}], toEntities: ['world'] },
        { toEndpoint: [{}] },
      ],
    }))).toEqual([
      'FieldValueInvalid spec.egress[0].toCIDRSet[0].except[0]',
      'FieldValueRequired spec.egress[0].toCIDRSet[1].cidr',
      'FieldValueInvalid spec.egress[0].toCIDRSet[2].cidr',
      'FieldValueInvalid spec.egress[1].toFQDNs[0].matchName',
      'FieldValueRequired spec.egress[1].toFQDNs[1].matchName',
      'FieldValueForbidden spec.egress[1].toFQDNs[2].matchPattern',
      'FieldValueForbidden spec.egress[2].toPorts[0].rules.dns',
      'FieldValueInvalid spec.egress[2].toPorts[0].rules.http[0].path',
      'FieldValueForbidden spec.egress[3].toEntities',
      'UnknownField spec.egress[4].toEndpoint',
    ]);
  });

  test('deny rules have neither DNS names nor layer-7 rules: the API server would drop them and the deny would change', () => {
    expect(codes(cnp({
      endpointSelector: {},
      egressDeny: [{ toFQDNs: [{ matchName: 'a.com' }] }, { toEntities: ['world'], toPorts: [{ ports: [{ port: '80' }], rules: { http: [{ method: 'GET' }] } }] }],
    }))).toEqual(['FieldValueForbidden spec.egressDeny[0].toFQDNs', 'FieldValueForbidden spec.egressDeny[1].toPorts[0].rules']);
  });

  test('a CiliumClusterwideNetworkPolicy may be a host policy; `specs` lists are checked item by item', () => {
    const ccnp = { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'host' }, specs: [{ nodeSelector: {} }, { egress: [] }] };
    expect(codes(ccnp)).toEqual(['FieldValueRequired specs[1].endpointSelector']);
  });
});

describe('netpol validate over Cilium policies', () => {
  test('they are checked, counted and located, and not listed as left out (the analyser models them)', () => {
    const report = validateManifests([{ object: cnp({ endpointSelector: {}, egress: [{ toEntities: ['nodes'] }] }, 'bad'), file: 'c.yaml', line: 4 }]);
    expect(report.checked).toBe(1);
    expect(report.findings).toMatchObject([{ severity: Severity.ERROR, code: 'FieldValueNotSupported', object: 'shop/bad', field: 'spec.egress[0].toEntities[0]', file: 'c.yaml', line: 4 }]);
    expect(report.leftOut).toEqual([]);
  });

  test('NP014: FQDN egress without the DNS rule, or with DNS rules that do not allow the name; found in a policy of the same pods too', () => {
    const fqdn = (name: string) => cnp({ endpointSelector: { matchLabels: { app: 'crawler' } }, egress: [{ toFQDNs: [{ matchName: name }] }] }, 'fqdn');
    const warnings = (objects: unknown[]) => validateManifests(objects.map((object) => ({ object: object as any }))).findings
      .filter((f) => f.code === 'NP014').map((f) => `${f.object} ${f.field}`);
    expect(warnings([fqdn('api.github.com')])).toEqual(['shop/fqdn spec.egress[0].toFQDNs[0]']);
    expect(warnings([fqdn('api.github.com'), cnp({ endpointSelector: {}, egress: [DNS_RULE] }, 'dns')])).toEqual([]);
    expect(warnings([fqdn('api.github.com'), cnp({ endpointSelector: {}, egress: [DNS_RULE] }, 'dns', 'other')])).toEqual(['shop/fqdn spec.egress[0].toFQDNs[0]']);
    const narrow = { ...DNS_RULE, toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*.cilium.io' }] } }] };
    const narrowPolicy = cnp({ endpointSelector: { matchLabels: { app: 'crawler' } }, egress: [narrow] }, 'dns');
    expect(warnings([fqdn('api.github.com'), narrowPolicy])).toEqual(['shop/fqdn spec.egress[0].toFQDNs[0]']);
    expect(warnings([fqdn('docs.cilium.io'), narrowPolicy])).toEqual([]);
    const ccnp = { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'dns' }, spec: { endpointSelector: {}, egress: [DNS_RULE] } };
    expect(warnings([fqdn('api.github.com'), ccnp])).toEqual([]);
  });

  test('NP014 asks the one pattern rule (k8s/fqdn-pattern): a toFQDNs pattern is covered when some name it matches is one a DNS rule allows', () => {
    const fqdnPattern = (pattern: string) => cnp({ endpointSelector: { matchLabels: { app: 'crawler' } }, egress: [{ toFQDNs: [{ matchPattern: pattern }] }] }, 'fqdn');
    const dns = (pattern: string) => cnp({
      endpointSelector: { matchLabels: { app: 'crawler' } },
      egress: [{ ...DNS_RULE, toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: pattern }] } }] }],
    }, 'dns');
    const warned = (toFqdns: string, dnsPattern: string) => validateManifests(
      [fqdnPattern(toFqdns), dns(dnsPattern)].map((object) => ({ object: object as any })),
    ).findings.some((f) => f.code === 'NP014');
    // toFQDNs "*" still matches the names of *.cilium.io that the proxy sees (it was read as the one name "a" before).
    expect(warned('*', '*.cilium.io')).toBe(false);
    expect(warned('*.cilium.io', '*.cilium.io')).toBe(false);
    expect(warned('api.*.io', '*.cilium.io')).toBe(false);
    expect(warned('*.cilium.io', 'cilium.io')).toBe(true);
    expect(warned('*.*.cilium.io', '*.cilium.io')).toBe(true);
    expect(warned('*.Cilium.IO.', '*.cilium.io')).toBe(false);
  });

  test('NP022: a CIDR over a pod\'s or a node\'s address, or a cluster range, is flagged; addresses outside the cluster and excepted ones are not', () => {
    const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'cp' }, status: { addresses: [{ type: 'InternalIP', address: '10.0.0.10' }, { type: 'Hostname', address: 'cp' }] } };
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'db', namespace: 'shop' }, spec: { containers: [{ name: 'c' }] }, status: { podIP: '10.244.1.5' } };
    const agent = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'agent', namespace: 'kube-system' },
      spec: { hostNetwork: true, containers: [{ name: 'c' }] },
      status: { hostIP: '10.0.0.11', podIP: '10.0.0.11' },
    };
    const lint = (rule: Record<string, unknown>, section = 'egress', clusterCidrs: string[] = []) => validateManifests(
      [node, pod, agent, cnp({ endpointSelector: {}, [section]: [rule] })].map((object) => ({ object: object as any })), { clusterCidrs },
    ).findings.filter((f) => f.code === 'NP022').map((f) => `${f.field}: ${f.message}`);
    expect(lint({ toCIDR: ['10.0.0.10/32'] })).toEqual([
      'spec.egress[0].toCIDR[0]: "10.0.0.10/32" covers the address of the Node node:cp (10.0.0.10), but Cilium\'s CIDR rules do not match pods or nodes '
        + '(nodes only under policy-cidr-match-mode: nodes, which is not the default), so this rule allows nothing there',
    ]);
    expect(lint({ toCIDRSet: [{ cidr: '10.0.0.0/8' }] })[0]).toMatch(/^spec\.egress\[0\]\.toCIDRSet\[0\]\.cidr: "10\.0\.0\.0\/8" covers the address of the Node node:cp \(10\.0\.0\.10\), the Pod shop\/db \(10\.244\.1\.5\), the hostNetwork Pod kube-system\/agent \(10\.0\.0\.11\)/);
    expect(lint({ fromCIDRSet: [{ cidr: '10.244.0.0/16' }] }, 'ingressDeny')).toEqual([expect.stringMatching(/^spec\.ingressDeny\[0\]\.fromCIDRSet\[0\]\.cidr: .* the Pod shop\/db .* so this rule denies nothing there$/)]);
    expect(lint({ toCIDRSet: [{ cidr: '10.96.0.0/12' }] }, 'egress', ['10.96.0.0/12'])).toEqual([expect.stringMatching(/covers the cluster range 10\.96\.0\.0\/12/)]);
    // Outside the cluster, or every in-cluster address excepted: nothing to say.
    expect(lint({ toCIDR: ['203.0.113.0/24'] })).toEqual([]);
    expect(lint({ toCIDRSet: [{ cidr: '10.0.0.0/24', except: ['10.0.0.10/32', '10.0.0.11/32'] }] })).toEqual([]);
    expect(lint({ toEntities: ['kube-apiserver'] })).toEqual([]);
    // "Everything outside the cluster" written as the fix says (the cluster ranges excepted) is quiet;
    // a part of a range left un-excepted is still covered.
    const everywhere = (except: string[]) => lint({ toCIDRSet: [{ cidr: '0.0.0.0/0', except: ['10.0.0.0/24', ...except] }] }, 'egress', ['10.96.0.0/12', '10.244.0.0/16']);
    expect(everywhere(['10.96.0.0/12', '10.244.0.0/16'])).toEqual([]);
    expect(everywhere(['10.96.0.0/13', '10.104.0.0/13', '10.244.0.0/17', '10.244.128.0/17'])).toEqual([]);
    expect(everywhere(['10.96.0.0/12', '10.244.128.0/17'])).toEqual([expect.stringMatching(/covers the address of the Pod shop\/db/)]);
    expect(everywhere(['10.96.0.0/12', '10.244.1.0/24', '10.244.0.0/24'])).toEqual([expect.stringMatching(/covers the cluster range 10\.244\.0\.0\/16/)]);
  });

  test('NP022 for a NetworkPolicy ipBlock over a pod\'s or a node\'s address: warned when the input runs on Cilium, silent on another plugin', () => {
    const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'cp' }, status: { addresses: [{ type: 'InternalIP', address: '10.0.0.10' }] } };
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'db', namespace: 'shop' }, spec: { containers: [{ name: 'c' }] }, status: { podIP: '10.244.1.5' } };
    const np = (peers: unknown[], direction = 'egress') => ({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'np', namespace: 'shop' },
      spec: { podSelector: {}, policyTypes: [direction === 'egress' ? 'Egress' : 'Ingress'], [direction]: [{ [direction === 'egress' ? 'to' : 'from']: peers }] },
    });
    const anyCilium = cnp({ endpointSelector: { matchLabels: { app: 'other' } }, ingress: [{ fromEntities: ['cluster'] }] }, 'c');
    const lint = (policy: unknown, withCilium: boolean) => validateManifests(
      [node, pod, policy, ...(withCilium ? [anyCilium] : [])].map((object) => ({ object: object as any })),
    ).findings.filter((f) => f.code === 'NP022').map((f) => `${f.object} ${f.field}: ${f.message} Fix: ${f.fix}`);
    const apiServer = np([{ ipBlock: { cidr: '10.0.0.10/32' } }]);
    expect(lint(apiServer, true)).toEqual([
      'shop/np spec.egress[0].to[0].ipBlock.cidr: "10.0.0.10/32" covers the address of the Node node:cp (10.0.0.10), but the input runs on Cilium '
        + '(it holds Cilium policies), which enforces an ipBlock as a CIDR rule, and Cilium\'s CIDR rules do not match pods or nodes '
        + '(nodes only under policy-cidr-match-mode: nodes, which is not the default), so this ipBlock allows nothing there '
        + 'Fix: Select pods with podSelector/namespaceSelector; for nodes or the API server, write a CiliumNetworkPolicy with the entities host and remote-node, '
        + 'or kube-apiserver; keep ipBlocks for addresses outside the cluster (add the pods\' and nodes\' addresses to except).',
    ]);
    // Plain Kubernetes (no Cilium policy in the input): an ipBlock over a pod's or node's address may apply there.
    expect(lint(apiServer, false)).toEqual([]);
    expect(lint(np([{ ipBlock: { cidr: '10.244.0.0/16' } }], 'ingress'), true)).toEqual([expect.stringMatching(/^shop\/np spec\.ingress\[0\]\.from\[0\]\.ipBlock\.cidr: .* the Pod shop\/db \(10\.244\.1\.5\)/)]);
    expect(lint(np([{ ipBlock: { cidr: '10.244.0.0/16' } }], 'ingress'), false)).toEqual([]);
    // Outside the cluster, or the in-cluster addresses excepted: nothing to say, on Cilium too.
    expect(lint(np([{ ipBlock: { cidr: '203.0.113.0/24' } }]), true)).toEqual([]);
    expect(lint(np([{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.0.0.10/32', '10.244.1.0/24'] } }]), true)).toEqual([]);
    expect(lint(np([{ podSelector: {} }, { ipBlock: { cidr: '10.0.0.0/8', except: ['10.0.0.10/32'] } }]), true))
      .toEqual([expect.stringMatching(/^shop\/np spec\.egress\[0\]\.to\[1\]\.ipBlock\.cidr: .*covers the address of the Pod shop\/db/)]);
  });

  test('NP015: the entity none selects nothing', () => {
    const report = validateManifests([{ object: cnp({ endpointSelector: {}, ingress: [{ fromEntities: ['world', 'none'] }] }) }]);
    expect(report.findings.map((f) => `${f.code} ${f.field}`)).toEqual(['NP015 spec.ingress[0].fromEntities[1]']);
  });
});

test('NP023: a non-empty fromRequires or toRequires is flagged with its field; an empty one is not', () => {
  const lint = (spec: unknown) => validateManifests([{ object: cnp(spec) as any }]).findings.filter((f) => f.code === 'NP023').map((f) => `${f.field}: ${f.severity}`);
  expect(lint({ endpointSelector: {}, ingress: [{ fromEndpoints: [{}] }, { fromRequires: [{ matchLabels: { env: 'prod' } }] }] })).toEqual(['spec.ingress[1].fromRequires: warning']);
  expect(lint({ endpointSelector: {}, egressDeny: [{ toRequires: [{}] }] })).toEqual(['spec.egressDeny[0].toRequires: warning']);
  expect(lint({ endpointSelector: {}, ingress: [{ fromRequires: [], fromEndpoints: [{}] }] })).toEqual([]);
});
