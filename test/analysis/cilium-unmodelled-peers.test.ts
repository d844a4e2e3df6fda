import { expectMatrixAgrees } from './matrix-agrees';
import { Port, Reachability, SkipCategory } from '../../src';
import { validateManifests } from '../../src/validation/validate-manifests';
import { ccnp, cnp, namespace, NODE_N1, reasons, servingPod } from '../fixtures/cilium-objects';

/**
 * Cilium rules whose peer the model has no ends for (toServices, toGroups/fromGroups,
 * toNodes/fromNodes, a CiliumCIDRGroup) and host policies (a spec with nodeSelector) used to be left
 * out whole. For an allow that is fail closed, but leaving out a DENY removes a deny: pairs read
 * "allowed" that Cilium drops (an egressDeny toServices of a service whose backends are pods of the
 * input), and a host policy that isolates the nodes' ingress left pod -> node traffic allowed.
 * Now a deny rule is kept and read fail closed: it denies every end its peer may be, on its own
 * ports; a host policy isolates (enableDefaultDeny) and denies every node end, and allows none.
 * ICMP is not modelled (the model's connections are TCP, UDP and SCTP): a rule with icmps only
 * matches ICMP (Cilium's agent rejects icmps next to toPorts), so leaving it out changes no verdict.
 *
 * The manifests follow the shapes of docs.cilium.io: Layer 3 Policies ("Services based": toServices
 * with k8sService / k8sServiceSelector; "Node based": fromNodes/toNodes; toGroups with aws
 * securityGroupsIds), Layer 4 Policies ("Limit ICMP/ICMPv6 types": icmps with fields of type and
 * family), and Host Policies (a CiliumClusterwideNetworkPolicy with nodeSelector; the example
 * lock-down-ingress: ingress from entities on port 22).
 */
/** A pod of default on node n1 (10.9.0.1), serving 80/TCP. */
const pod = (name: string, labels: Record<string, string>, ip: string, extra: Record<string, unknown> = {}) =>
  servingPod(name, labels, ip, { nodeName: 'n1', hostIP: '10.9.0.1', spec: extra });
const service = {
  apiVersion: 'v1', kind: 'Service', metadata: { name: 'db', namespace: 'default' }, spec: { selector: { app: 'db' }, ports: [{ port: 5432 }] },
};
const ports = (...list: string[]) => [{ ports: list.map((port) => ({ port, protocol: 'TCP' })) }];

const PODS = [
  namespace('default'),
  pod('web', { app: 'web' }, '10.0.0.2'),
  pod('db', { app: 'db' }, '10.0.0.3'),
  pod('api', { app: 'api' }, '10.0.0.4'),
];
/** With the node's ends: the Node, and a hostNetwork pod on it (node traffic, the default mode). */
const BASE = [...PODS, NODE_N1, pod('agent', { app: 'agent' }, '10.9.0.1', { hostNetwork: true })];
const EXTERNALS = { externals: [{ name: 'internet', ip: '203.0.113.7' }] };
const PG = Port.tcp(5432);
const HTTP = Port.tcp(80);
const HTTPS = Port.tcp(443);
const SSH = Port.tcp(22);

describe('a deny rule whose peer the model cannot place is kept, read fail closed', () => {
  test('egressDeny toServices: denies every pod and every end outside the cluster on its ports; node ends and other ports stay allowed', () => {
    const r = Reachability.fromManifests([...BASE, service, cnp('web-out', {
      endpointSelector: { matchLabels: { app: 'web' } },
      enableDefaultDeny: { egress: false },
      egressDeny: [{ toServices: [{ k8sService: { serviceName: 'db', namespace: 'default' } }], toPorts: ports('5432') }],
    })], EXTERNALS);
    // Denied: the service's backend, and every other pod and outside end it may be.
    expect(r.allows('default/web', 'default/db', PG)).toBe(false);
    expect(r.allows('default/web', 'default/api', PG)).toBe(false);
    expect(r.allows('default/web', 'internet', PG)).toBe(false);
    // Allowed: node ends (a service's backends are pods, or addresses matched as CIDRs, which never
    // select a node), other ports, and pods the policy does not select.
    expect(r.allows('default/web', 'node:n1', PG)).toBe(true);
    expect(r.allows('default/web', 'default/agent', PG)).toBe(true);
    expect(r.allows('default/web', 'default/db', HTTP)).toBe(true);
    expect(r.allows('default/api', 'default/db', PG)).toBe(true);
    expect(r.skipped).toMatchObject([{ object: 'default/web-out', kind: 'CiliumNetworkPolicy', category: SkipCategory.NOT_MODELLED }]);
    expect(reasons(r)[0]).toMatch(/^spec\.egressDeny\[0\]\.toServices is decided fail closed: the model has no Kubernetes services and their backends/);
    expect(reasons(r)[0]).toMatch(/taken to deny every pod and every end outside the cluster on its ports/);
    expect(reasons(r)[0]).toMatch(/toEndpoints with the service's selector/);
    const e = r.explain('default/web', 'default/db', PG);
    expect(e.egress.deniedBy).toMatchObject({ policy: 'default/web-out', kind: 'CiliumNetworkPolicy', direction: 'egressDeny', rule: 0 });
    expect(e.notes).toEqual([expect.stringMatching(/egressDeny\[0\] is applied fail closed: its peer toServices .* may be default\/db, so it is taken to deny/)]);
    expect(r.explain('default/web', 'default/db', HTTP).notes).toEqual([]);
    expectMatrixAgrees(r, PG, HTTP);
  });

  test('egressDeny toServices by k8sServiceSelector, without toPorts: every port', () => {
    const r = Reachability.fromManifests([...BASE, cnp('web-out', {
      endpointSelector: { matchLabels: { app: 'web' } },
      enableDefaultDeny: { egress: false },
      egressDeny: [{ toServices: [{ k8sServiceSelector: { selector: { matchLabels: { env: 'staging' } }, namespace: 'default' } }] }],
    })], EXTERNALS);
    expect(r.allows('default/web', 'default/db', HTTP)).toBe(false);
    expect(r.allows('default/web', 'default/db', PG)).toBe(false);
    expect(r.allows('default/web', 'internet', HTTPS)).toBe(false);
    expect(r.allows('default/web', 'node:n1', HTTP)).toBe(true);
    expect(r.allows('default/db', 'default/api', HTTP)).toBe(true);
    expectMatrixAgrees(r, HTTP);
  });

  test('egressDeny toGroups: denies every end outside the cluster; pods and nodes stay allowed', () => {
    const r = Reachability.fromManifests([...BASE, cnp('web-out', {
      endpointSelector: { matchLabels: { app: 'web' } },
      enableDefaultDeny: { egress: false },
      egressDeny: [{ toGroups: [{ aws: { securityGroupsIds: ['sg-0123456789abcdef0'] } }], toPorts: ports('443') }],
    })], EXTERNALS);
    expect(r.allows('default/web', 'internet', HTTPS)).toBe(false);
    expect(r.allows('default/web', 'internet', HTTP)).toBe(true);
    expect(r.allows('default/web', 'default/db', HTTPS)).toBe(true);
    expect(r.allows('default/web', 'node:n1', HTTPS)).toBe(true);
    expect(reasons(r)).toEqual([expect.stringMatching(/^spec\.egressDeny\[0\]\.toGroups is decided fail closed: the model has no cloud provider groups.*taken to deny every end outside the cluster on its ports/)]);
    expect(r.explain('default/web', 'internet', HTTPS).notes).toEqual([expect.stringMatching(/its peer toGroups .* may be internet/)]);
    expectMatrixAgrees(r, HTTPS, HTTP);
  });

  test('ingressDeny fromGroups: denies every end outside the cluster as a source', () => {
    const r = Reachability.fromManifests([...BASE, cnp('db-in', {
      endpointSelector: { matchLabels: { app: 'db' } },
      enableDefaultDeny: { ingress: false },
      ingressDeny: [{ fromGroups: [{ aws: { securityGroupsNames: ['bastion'] } }] }],
    })], EXTERNALS);
    expect(r.allows('internet', 'default/db', PG)).toBe(false);
    expect(r.allows('default/web', 'default/db', PG)).toBe(true);
    expect(r.allows('node:n1', 'default/db', PG)).toBe(true);
    expectMatrixAgrees(r, PG);
  });

  test('ingressDeny fromNodes and egressDeny toNodes: deny every node end (its own node too); pods and outside ends stay allowed', () => {
    const r = Reachability.fromManifests([...BASE, cnp('db-in', {
      endpointSelector: { matchLabels: { app: 'db' } },
      enableDefaultDeny: { ingress: false },
      ingressDeny: [{ fromNodes: [{ matchLabels: { 'node-role.kubernetes.io/control-plane': '' } }], toPorts: ports('5432') }],
    }), cnp('web-out', {
      endpointSelector: { matchLabels: { app: 'web' } },
      enableDefaultDeny: { egress: false },
      egressDeny: [{ toNodes: [{ matchLabels: { 'node-role.kubernetes.io/control-plane': '' } }] }],
    })], EXTERNALS);
    // A pod's own node always reaches it, except where a Cilium deny matches the node: this one may.
    expect(r.allows('node:n1', 'default/db', PG)).toBe(false);
    expect(r.allows('default/agent', 'default/db', PG)).toBe(false);
    expect(r.allows('node:n1', 'default/db', HTTP)).toBe(true);
    expect(r.allows('default/web', 'default/db', PG)).toBe(true);
    expect(r.allows('internet', 'default/db', PG)).toBe(true);
    expect(r.allows('default/web', 'node:n1', HTTP)).toBe(false);
    expect(r.allows('default/web', 'default/agent', HTTP)).toBe(false);
    expect(r.allows('default/web', 'default/db', HTTP)).toBe(true);
    expect(r.allows('default/web', 'internet', HTTP)).toBe(true);
    expect(reasons(r)).toEqual([
      expect.stringMatching(/^spec\.ingressDeny\[0\]\.fromNodes is decided fail closed: the model has no node labels.*taken to deny every node end on its ports/),
      expect.stringMatching(/^spec\.egressDeny\[0\]\.toNodes is decided fail closed: .*fromEntities\/toEntities host and remote-node/),
    ]);
    expectMatrixAgrees(r, PG, HTTP);
  });

  test('a deny toCIDRSet of a CiliumCIDRGroup: every end outside the cluster', () => {
    const r = Reachability.fromManifests([...BASE, cnp('web-out', {
      endpointSelector: { matchLabels: { app: 'web' } },
      enableDefaultDeny: { egress: false },
      egressDeny: [{ toCIDRSet: [{ cidrGroupRef: 'blocked' }] }],
    })], EXTERNALS);
    expect(r.allows('default/web', 'internet', HTTP)).toBe(false);
    expect(r.allows('default/web', 'default/db', HTTP)).toBe(true);
    expect(r.allows('default/web', 'node:n1', HTTP)).toBe(true);
    expect(reasons(r)).toEqual([expect.stringMatching(/^spec\.egressDeny\[0\]\.toCIDRSet is decided fail closed: .*CiliumCIDRGroup/)]);
    expectMatrixAgrees(r, HTTP);
  });

  test('an empty peer list has no effect (pkg/policy/api egress.go): a deny of ports only, to every end', () => {
    const r = Reachability.fromManifests([...BASE, cnp('web-out', {
      endpointSelector: { matchLabels: { app: 'web' } },
      enableDefaultDeny: { egress: false },
      egressDeny: [{ toServices: [], toPorts: ports('5432') }],
    })], EXTERNALS);
    expect(r.skipped).toEqual([]);
    expect(r.allows('default/web', 'default/db', PG)).toBe(false);
    expect(r.allows('default/web', 'node:n1', PG)).toBe(false);
    expect(r.allows('default/web', 'internet', PG)).toBe(false);
    expect(r.allows('default/web', 'default/db', HTTP)).toBe(true);
    expectMatrixAgrees(r, PG);
  });

  test('an allow rule with such a peer stays left out (fail closed): its subject stays isolated and the rest is analysed', () => {
    const r = Reachability.fromManifests([...BASE, service, cnp('web-out', {
      endpointSelector: { matchLabels: { app: 'web' } },
      egress: [
        { toServices: [{ k8sService: { serviceName: 'db', namespace: 'default' } }] },
        { toNodes: [{}] },
        { toEndpoints: [{ matchLabels: { app: 'api' } }] },
      ],
    })], EXTERNALS);
    expect(r.allows('default/web', 'default/db', PG)).toBe(false);
    expect(r.allows('default/web', 'node:n1', PG)).toBe(false);
    expect(r.allows('default/web', 'default/api', PG)).toBe(true);
    expect(reasons(r)).toEqual([
      expect.stringMatching(/^spec\.egress\[0\] is not modelled: toServices: the model has no Kubernetes services and their backends\. The verdicts leave this part out/),
      expect.stringMatching(/^spec\.egress\[1\] is not modelled: toNodes: the model has no node labels/),
    ]);
    expectMatrixAgrees(r, PG);
  });
});

describe('ICMP is not modelled: a rule of icmps matches ICMP only', () => {
  const icmps = [{ fields: [{ type: 8, family: 'IPv4' }, { type: 'EchoRequest', family: 'IPv6' }] }];

  test('a deny of icmps only is left out, and denies no TCP connection', () => {
    const r = Reachability.fromManifests([...BASE, cnp('web-out', {
      endpointSelector: { matchLabels: { app: 'web' } },
      enableDefaultDeny: { egress: false },
      egressDeny: [{ toServices: [{ k8sService: { serviceName: 'db', namespace: 'default' } }], icmps }, { toEndpoints: [{ matchLabels: { app: 'db' } }], icmps }],
    })], EXTERNALS);
    expect(r.allows('default/web', 'default/db', HTTP)).toBe(true);
    expect(r.allows('default/web', 'internet', HTTP)).toBe(true);
    expect(reasons(r)).toEqual([0, 1].map((i) => expect.stringMatching(new RegExp(`^spec\\.egressDeny\\[${i}\\] is not modelled: icmps: the rule matches ICMP only`))));
    expectMatrixAgrees(r, HTTP);
  });

  test('an empty icmps list has no effect: the deny applies to every protocol', () => {
    const r = Reachability.fromManifests([...BASE, cnp('web-out', {
      endpointSelector: { matchLabels: { app: 'web' } },
      enableDefaultDeny: { egress: false },
      egressDeny: [{ toEndpoints: [{ matchLabels: { app: 'db' } }], icmps: [] }],
    })]);
    expect(r.skipped).toEqual([]);
    expect(r.allows('default/web', 'default/db', HTTP)).toBe(false);
    expect(r.allows('default/web', 'default/api', HTTP)).toBe(true);
    expectMatrixAgrees(r, HTTP);
  });

  test('icmps next to toPorts: Cilium\'s agent rejects the policy, so none of it is enforced', () => {
    const policy = cnp('web-out', {
      endpointSelector: { matchLabels: { app: 'web' } },
      egress: [{ toEndpoints: [{ matchLabels: { app: 'api' } }] }],
      egressDeny: [{ toEndpoints: [{ matchLabels: { app: 'db' } }], icmps, toPorts: ports('5432') }],
    });
    const report = validateManifests([{ object: policy, file: 'in.yaml' }]);
    expect(report.findings.map((f) => `${f.code} ${f.field}`)).toEqual(['FieldValueForbidden spec.egressDeny[0].icmps']);
    expect(report.findings[0].message).toMatch(/the ICMPs block may only be present without ToPorts/);
    const r = Reachability.fromManifests([...BASE, policy]);
    expect(r.skipped).toMatchObject([{ object: 'default/web-out', category: SkipCategory.INVALID_POLICY }]);
    // Rejected whole: neither its isolation nor its rules apply.
    expect(r.allows('default/web', 'default/db', PG)).toBe(true);
    expect(r.allows('default/web', 'default/db', HTTP)).toBe(true);
  });
});

describe('a host policy (nodeSelector): its subject may be every node end', () => {
  // docs.cilium.io Host Policies, lock-down-ingress: ingress to the selected nodes on a few ports.
  const lockDown = ccnp('lock-down-ingress-worker-node', {
    description: 'Allow a minimum set of required ports on ingress of worker nodes',
    nodeSelector: { matchLabels: { type: 'ingress-worker' } },
    ingress: [
      { fromEntities: ['remote-node', 'health'] },
      { toPorts: ports('22', '6443', '2379', '4240') },
    ],
  });

  test('its isolation applies to every node end, its allow rules to none; pods stay unselected', () => {
    const r = Reachability.fromManifests([...BASE, lockDown], EXTERNALS);
    // Denied: every node end's ingress, on every port, from every end (its allows count for nobody).
    for (const to of ['node:n1', 'default/agent']) {
      expect(r.allows('default/web', to, SSH)).toBe(false);
      expect(r.allows('default/web', to, HTTP)).toBe(false);
      expect(r.allows('internet', to, SSH)).toBe(false);
    }
    // Allowed: the pods (a host policy selects no pod), and the nodes' egress (the spec has no egress section).
    expect(r.allows('default/web', 'default/db', HTTP)).toBe(true);
    expect(r.allows('node:n1', 'default/web', HTTP)).toBe(true);
    expect(r.allows('default/agent', 'internet', HTTPS)).toBe(true);
    expect(r.skipped).toMatchObject([0, 1].map(() => ({ object: 'lock-down-ingress-worker-node', kind: 'CiliumClusterwideNetworkPolicy', category: SkipCategory.NOT_MODELLED })));
    // The entity health is decided as elsewhere: no end of the model is a health endpoint.
    expect(reasons(r)[1]).toMatch(/^spec\.ingress\[0\] names the entity health/);
    expect(reasons(r)[0]).toMatch(/^spec\.nodeSelector is decided fail closed: a host policy applies to the nodes its nodeSelector \(type=ingress-worker\) selects/);
    expect(reasons(r)[0]).toMatch(/the model does not read node labels/);
    expect(reasons(r)[0]).toMatch(/hostFirewall\.enabled/);
    expect(reasons(r)[0]).toMatch(/isolation \(enableDefaultDeny\) and its deny rules are taken to apply to every node end .*its allow rules to none/);
    const e = r.explain('default/web', 'node:n1', SSH);
    expect(e.ingress.isolatingPolicies).toEqual(['CiliumClusterwideNetworkPolicy lock-down-ingress-worker-node']);
    expect(e.notes).toEqual(expect.arrayContaining([
      expect.stringMatching(/^CiliumClusterwideNetworkPolicy lock-down-ingress-worker-node: its nodeSelector \(type=ingress-worker\) may select node:n1, and is read fail closed: it isolates node:n1 in ingress/),
    ]));
    expect(r.explain('default/web', 'default/db', HTTP).notes).toEqual([]);
    expectMatrixAgrees(r, SSH, HTTP);
  });

  test('its deny rules apply to every node end in their direction; without default deny nothing else changes', () => {
    const r = Reachability.fromManifests([...BASE, ccnp('host-deny', {
      nodeSelector: {},
      enableDefaultDeny: { ingress: false, egress: false },
      ingressDeny: [{ fromEntities: ['world'], toPorts: ports('22') }],
      egressDeny: [{ toCIDR: ['203.0.113.0/24'] }],
    })], EXTERNALS);
    expect(r.allows('internet', 'node:n1', SSH)).toBe(false);
    expect(r.allows('internet', 'default/agent', SSH)).toBe(false);
    expect(r.allows('internet', 'node:n1', HTTP)).toBe(true);
    expect(r.allows('default/web', 'node:n1', SSH)).toBe(true);
    expect(r.allows('node:n1', 'internet', HTTPS)).toBe(false);
    expect(r.allows('default/agent', 'internet', HTTPS)).toBe(false);
    expect(r.allows('default/web', 'internet', HTTPS)).toBe(true);
    expect(r.allows('internet', 'default/web', SSH)).toBe(true);
    expect(r.explain('internet', 'node:n1', SSH).ingress.deniedBy).toMatchObject({ policy: 'host-deny', direction: 'ingressDeny', rule: 0 });
    expectMatrixAgrees(r, SSH, HTTPS);
  });

  test('a host policy in specs[] next to a pod spec: each read on its own', () => {
    const both = ccnp('both', {});
    delete (both as any).spec;
    (both as any).specs = [
      { nodeSelector: {}, ingress: [{ fromEntities: ['cluster'] }] },
      { endpointSelector: { matchLabels: { app: 'db' } }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }] }] },
    ];
    const r = Reachability.fromManifests([...BASE, both], EXTERNALS);
    expect(reasons(r)).toEqual([expect.stringMatching(/^specs\[0\]\.nodeSelector is decided fail closed/)]);
    expect(r.allows('default/web', 'node:n1', HTTP)).toBe(false);
    expect(r.allows('default/web', 'default/db', HTTP)).toBe(true);
    expect(r.allows('default/api', 'default/db', HTTP)).toBe(false);
    expect(r.allows('default/api', 'default/web', HTTP)).toBe(true);
    expectMatrixAgrees(r, HTTP);
  });

  test('without node ends in the model it changes no verdict, and says so', () => {
    const without = Reachability.fromManifests([...PODS], EXTERNALS);
    const r = Reachability.fromManifests([...PODS, lockDown], EXTERNALS);
    expect(reasons(r)).toEqual([expect.stringMatching(/^spec\.nodeSelector is decided fail closed/), expect.stringMatching(/^spec\.ingress\[0\] names the entity health/)]);
    for (const from of r.endpoints) {
      for (const to of r.endpoints) expect(`${from} -> ${to}: ${r.allows(from, to, SSH)}`).toBe(`${from} -> ${to}: ${without.allows(from, to, SSH)}`);
    }
    expectMatrixAgrees(r, SSH);
  });

  test('a host policy with default deny covers no namespace: the coverage lints still warn', () => {
    const run = (objects: unknown[]) => validateManifests(objects.map((object) => ({ object, file: 'in.yaml' })), { coverage: true });
    const codes = run([...PODS, ccnp('host', { nodeSelector: {}, ingress: [{ fromEntities: ['cluster'] }], egress: [{ toEntities: ['cluster'] }] })])
      .findings.map((f) => `${f.code} ${f.object}`);
    expect(codes).toEqual(['NP017 default/web', 'NP017 default/db', 'NP017 default/api', 'NP018 <none>/default']);
  });
});
