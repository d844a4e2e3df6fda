import { expectMatrixAgrees } from './matrix-agrees';
import { Port, Reachability, SkipCategory } from '../../src';
import { ccnp, cnp, namespace, NODE_N1, reasons, servingPod } from '../fixtures/cilium-objects';

/**
 * What the Cilium reader used to leave out although it may deny: a spec whose endpointSelector
 * uses a key of a source that labels no pod (`reserved:host`, a host policy written without
 * nodeSelector), and deny rules with port forms the model did not take (port 0, a port rule
 * without ports, a rule with neither peer nor ports). Leaving out a deny proves traffic allowed
 * that Cilium drops, so each is now kept and read fail closed, with a note; or, where the source
 * shows that it selects no end of the model, left out with why.
 *
 * The readings, checked in cilium/cilium (2026-12):
 * - pkg/policy rule.go `matches`: "Short-circuit if the rule's selector type (node vs. endpoint)
 *   does not match the identity's type": a spec with endpointSelector never applies to the host's
 *   identity (the node ends), only one with nodeSelector does (pkg/policy/utils getSelector). No
 *   pod's identity carries a label of source `reserved` or `cidr`, so `reserved:host` in matchLabels
 *   selects nothing at all, and `reserved:host DoesNotExist` is met by every pod;
 * - rule_validation.go PortProtocol: the agent accepts port 0 (only layer-7 rules refuse it), and
 *   pkg/policy l4.go L4Filter: "Port 0 indicates that all traffic is allowed at L4"; with an
 *   endPort other than 0 or 65535, pkg/policy portrange.go PortRangeToMaskedPorts makes it the
 *   range 0..endPort (cilium-port-zero.test.ts has the endPort forms);
 * - a port rule without ports, and a rule without peer and ports, are not documented, and the
 *   releases read them as matching nothing or everything: a deny takes the widest reading.
 */
/** A pod of default on node n1 (10.9.0.1), serving 80/TCP. */
const pod = (name: string, labels: Record<string, string>, ip: string, extra: Record<string, unknown> = {}) =>
  servingPod(name, labels, ip, { nodeName: 'n1', hostIP: '10.9.0.1', spec: extra });

const BASE = [
  namespace('default'),
  pod('web', { app: 'web' }, '10.0.0.2'),
  pod('db', { app: 'db' }, '10.0.0.3'),
  pod('api', { app: 'api' }, '10.0.0.4'),
  NODE_N1,
  pod('agent', { app: 'agent' }, '10.9.0.1', { hostNetwork: true }),
];
const EXTERNALS = { externals: [{ name: 'internet', ip: '203.0.113.7' }] };
const HTTP = Port.tcp(80);
const PG = Port.tcp(5432);
const SSH = Port.tcp(22);
const DNS = Port.udp(53);
const FROM_API = [{ matchLabels: { app: 'api' } }];

describe('a subject with a key of a source that labels no pod (reserved:host without nodeSelector)', () => {
  test('reserved:host DoesNotExist selects every pod: its deny and isolation apply to each, node ends are not selected', () => {
    const r = Reachability.fromManifests([...BASE, ccnp('not-host', {
      endpointSelector: { matchExpressions: [{ key: 'reserved:host', operator: 'DoesNotExist' }] },
      ingress: [{ fromEntities: ['cluster'] }],
      ingressDeny: [{ fromEndpoints: FROM_API, toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }],
    })], EXTERNALS);
    // Denied: api to every pod on 80 (the deny), and the world to every pod (isolated, allowed from the cluster only).
    expect(r.allows('default/api', 'default/web', HTTP)).toBe(false);
    expect(r.allows('default/api', 'default/db', HTTP)).toBe(false);
    expect(r.allows('internet', 'default/web', HTTP)).toBe(false);
    // Allowed: the cluster on other ports and from other pods; node ends are no subject of it.
    expect(r.allows('default/api', 'default/web', PG)).toBe(true);
    expect(r.allows('default/web', 'default/db', HTTP)).toBe(true);
    expect(r.allows('default/api', 'node:n1', HTTP)).toBe(true);
    expect(r.allows('default/api', 'default/agent', HTTP)).toBe(true);
    expect(r.allows('internet', 'node:n1', HTTP)).toBe(true);
    expect(r.skipped).toMatchObject([{ object: 'not-host', kind: 'CiliumClusterwideNetworkPolicy', category: SkipCategory.NOT_MODELLED }]);
    expect(reasons(r)[0]).toMatch(/^spec\.endpointSelector is decided fail closed: its requirements reserved:host DoesNotExist are on keys of a label source that labels no pod .*so every pod meets them; and an endpointSelector never selects a node .*The spec is read as selecting the pods its other requirements select, and no node end\. .*write a host policy with nodeSelector/);
    expectMatrixAgrees(r, HTTP, PG);
  });

  test('NotIn on a reserved key next to a pod label: the pods of that label only', () => {
    const r = Reachability.fromManifests([...BASE, cnp('web-in', {
      endpointSelector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'reserved:init', operator: 'NotIn', values: [''] }] },
      ingressDeny: [{ fromEndpoints: FROM_API }],
      enableDefaultDeny: { ingress: false },
    })]);
    expect(r.allows('default/api', 'default/web', HTTP)).toBe(false);
    expect(r.allows('default/api', 'default/web', DNS)).toBe(false);
    expect(r.allows('default/api', 'default/db', HTTP)).toBe(true);
    expect(r.allows('default/db', 'default/web', HTTP)).toBe(true);
    expect(reasons(r)).toEqual([expect.stringMatching(/^spec\.endpointSelector is decided fail closed: its requirements reserved:init NotIn \(\) are on keys/)]);
    expectMatrixAgrees(r, HTTP, DNS);
  });

  test('reserved:host in matchLabels (a host policy written without nodeSelector) selects no end: left out, saying why and the fix', () => {
    const r = Reachability.fromManifests([...BASE, ccnp('lock-down', {
      endpointSelector: { matchLabels: { 'reserved:host': '' } },
      ingress: [{ fromEntities: ['world'], toPorts: [{ ports: [{ port: '22', protocol: 'TCP' }] }] }],
      ingressDeny: [{ fromEndpoints: FROM_API }],
    })], EXTERNALS);
    // Cilium applies it to no pod (none carries reserved:host) and to no node (only a nodeSelector does).
    expect(r.allows('default/api', 'default/web', HTTP)).toBe(true);
    expect(r.allows('default/api', 'node:n1', SSH)).toBe(true);
    expect(r.allows('internet', 'default/agent', HTTP)).toBe(true);
    expect(r.skipped).toMatchObject([{ object: 'lock-down', category: SkipCategory.NOT_MODELLED }]);
    expect(reasons(r)[0]).toMatch(/^spec\.endpointSelector is not modelled: the key "reserved:host" is of a label source that labels no pod, and the selector requires it .*an endpointSelector never selects a node .*selects no end of the model and decides no verdict .*A host policy is written with nodeSelector/);
    expectMatrixAgrees(r, HTTP, SSH);
  });

  test('a key of another source next to a pod label (unspec:): isolates and denies the pods it may select, never a node end', () => {
    const r = Reachability.fromManifests([...BASE, ccnp('unknown-source', {
      endpointSelector: { matchLabels: { 'unspec:team': 'a', 'app': 'web' } },
      ingress: [{ fromEntities: ['all'] }],
      ingressDeny: [{ fromEndpoints: FROM_API, toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }],
    })]);
    expect(r.allows('default/api', 'default/web', HTTP)).toBe(false);
    // Its allow counts for nobody: web is isolated and nothing else allows it.
    expect(r.allows('default/db', 'default/web', HTTP)).toBe(false);
    expect(r.allows('default/api', 'default/db', HTTP)).toBe(true);
    expect(r.allows('default/api', 'node:n1', HTTP)).toBe(true);
    expect(r.allows('default/api', 'default/agent', HTTP)).toBe(true);
    expect(reasons(r)[0]).toMatch(/^spec\.endpointSelector is decided fail closed: the label source "unspec".*its allow rules to none/);
    expectMatrixAgrees(r, HTTP);
  });
});

describe('deny rules with port forms the model did not take: kept, read as the widest reading', () => {
  test('port 0 of TCP: every TCP port to the peer is denied; UDP and other peers stay allowed', () => {
    const r = Reachability.fromManifests([...BASE, cnp('zero', {
      endpointSelector: { matchLabels: { app: 'web' } },
      enableDefaultDeny: { ingress: false },
      ingressDeny: [{ fromEndpoints: FROM_API, toPorts: [{ ports: [{ port: '0', protocol: 'TCP' }] }] }],
    })]);
    expect(r.allows('default/api', 'default/web', HTTP)).toBe(false);
    expect(r.allows('default/api', 'default/web', PG)).toBe(false);
    expect(r.allows('default/api', 'default/web', DNS)).toBe(true);
    expect(r.allows('default/db', 'default/web', HTTP)).toBe(true);
    expect(r.allows('default/api', 'default/db', HTTP)).toBe(true);
    expect(r.skipped).toMatchObject([{ object: 'default/zero', kind: 'CiliumNetworkPolicy', category: SkipCategory.NOT_MODELLED }]);
    expect(reasons(r)[0]).toMatch(/^spec\.ingressDeny\[0\]\.toPorts\[0\]\.ports\[0\]\.port is decided fail closed: port "0" is 0, .*Port 0 indicates that all traffic is allowed at L4.*The deny is kept and taken to deny every TCP port to or from its peer.*List the ports/);
    // explain says where the widest reading decided the pair, and only there.
    const widest = (from: string, to: string, port: Port) => r.explain(from, to, port).notes.filter((n) => /form the documentation does not describe/.test(n));
    expect(widest('default/api', 'default/web', PG)).toEqual([expect.stringMatching(/ingressDeny\[0\].* toPorts\[0\]\.ports\[0\] is port 0, read as every TCP port \(the widest reading, so it is taken to deny/)]);
    expect(widest('default/api', 'default/web', DNS)).toEqual([]);
    expect(widest('default/db', 'default/web', HTTP)).toEqual([]);
    expectMatrixAgrees(r, HTTP, PG, DNS);
  });

  test('port 0 of ANY (no protocol), with an endPort: every port of every protocol', () => {
    const r = Reachability.fromManifests([...BASE, cnp('zero-any', {
      endpointSelector: { matchLabels: { app: 'web' } },
      enableDefaultDeny: { egress: false },
      egressDeny: [{ toEndpoints: [{ matchLabels: { app: 'db' } }], toPorts: [{ ports: [{ port: '0', endPort: 100 }] }] }],
    })]);
    expect(r.allows('default/web', 'default/db', PG)).toBe(false);
    expect(r.allows('default/web', 'default/db', DNS)).toBe(false);
    expect(r.allows('default/web', 'default/api', PG)).toBe(true);
    expect(reasons(r)).toEqual([expect.stringMatching(/here with an endPort: the releases read port 0 with endPort 100 as the range 0-100 or as every port\. The deny is kept and taken to deny every TCP, UDP, SCTP port/)]);
    expectMatrixAgrees(r, PG, DNS);
  });

  test('port 0 of TCP in an allow: every TCP port from the peer, nothing else', () => {
    const r = Reachability.fromManifests([...BASE, cnp('zero-allow', {
      endpointSelector: { matchLabels: { app: 'web' } },
      ingress: [{ fromEndpoints: FROM_API, toPorts: [{ ports: [{ port: '0', protocol: 'TCP' }] }] }],
    })]);
    expect(r.allows('default/api', 'default/web', HTTP)).toBe(true);
    expect(r.allows('default/api', 'default/web', PG)).toBe(true);
    expect(r.allows('default/api', 'default/web', SSH)).toBe(true);
    // Another protocol, another peer: denied (the subject is isolated for ingress).
    expect(r.allows('default/api', 'default/web', DNS)).toBe(false);
    expect(r.allows('default/db', 'default/web', HTTP)).toBe(false);
    expect(r.explain('default/api', 'default/web', PG).ingress.allowedBy).toMatchObject([{ policy: 'default/zero-allow' }]);
    expect(reasons(r)).toEqual([expect.stringMatching(/^spec\.ingress\[0\]\.toPorts\[0\]\.ports\[0\]\.port is decided fail closed: port "0" is 0, .*Port 0 indicates that all traffic is allowed at L4.*read as every TCP port/)]);
    expect(r.explain('default/api', 'default/web', PG).notes).toEqual(expect.arrayContaining([expect.stringMatching(/ingress\[0\].* is port 0, read as every TCP port \(the narrowest reading/)]));
    expectMatrixAgrees(r, HTTP, PG, SSH, DNS);
  });

  test('port 0 of ANY in an allow: every port of every protocol the model has', () => {
    const r = Reachability.fromManifests([...BASE, cnp('zero-allow-any', {
      endpointSelector: { matchLabels: { app: 'web' } },
      egress: [{ toEndpoints: [{ matchLabels: { app: 'db' } }], toPorts: [{ ports: [{ port: '0' }] }] }],
    })]);
    expect(r.allows('default/web', 'default/db', PG)).toBe(true);
    expect(r.allows('default/web', 'default/db', DNS)).toBe(true);
    expect(r.allows('default/web', 'default/api', PG)).toBe(false);
    expect(reasons(r)).toEqual([expect.stringMatching(/read as every TCP, UDP, SCTP port/)]);
    expectMatrixAgrees(r, PG, DNS);
  });

  test('port 0 with an endPort in an allow is left out (not documented: it allows less)', () => {
    const r = Reachability.fromManifests([...BASE, cnp('zero-range', {
      endpointSelector: { matchLabels: { app: 'web' } },
      ingress: [{ fromEndpoints: FROM_API, toPorts: [{ ports: [{ port: '0', endPort: 8080, protocol: 'TCP' }] }] }],
    })]);
    expect(r.allows('default/api', 'default/web', HTTP)).toBe(false);
    expect(r.allows('default/api', 'default/web', PG)).toBe(false);
    expect(reasons(r)).toEqual([expect.stringMatching(/^spec\.ingress\[0\] is not modelled: toPorts\[0\]: port 0 with endPort 8080 is not documented/)]);
    expectMatrixAgrees(r, HTTP, PG);
  });

  test('layer-7 rules on port 0: the agent rejects the policy, so it isolates nothing', () => {
    const r = Reachability.fromManifests([...BASE, cnp('zero-l7', {
      endpointSelector: { matchLabels: { app: 'web' } },
      ingress: [{ fromEndpoints: FROM_API, toPorts: [{ ports: [{ port: '0', protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } }] }],
    }), cnp('deny-db', { endpointSelector: { matchLabels: { app: 'web' } }, enableDefaultDeny: { ingress: false }, ingressDeny: [{ fromEndpoints: [{ matchLabels: { app: 'db' } }] }] })]);
    expect(r.allows('default/api', 'default/web', HTTP)).toBe(true);
    expect(r.allows('default/db', 'default/web', HTTP)).toBe(false);
    expect(r.skipped).toMatchObject([{ object: 'default/zero-l7', category: SkipCategory.INVALID_POLICY }]);
    expect(reasons(r)[0]).toMatch(/L7 rules can not be used when a port is 0/);
    expectMatrixAgrees(r, HTTP);
  });

  test('a port rule without ports: every port of every protocol to the peer is denied, next to the listed ports too', () => {
    const r = Reachability.fromManifests([...BASE, cnp('no-ports', {
      endpointSelector: { matchLabels: { app: 'web' } },
      enableDefaultDeny: { ingress: false },
      ingressDeny: [{ fromEndpoints: FROM_API, toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }, {}] }],
    })]);
    expect(r.allows('default/api', 'default/web', HTTP)).toBe(false);
    expect(r.allows('default/api', 'default/web', DNS)).toBe(false);
    expect(r.allows('default/db', 'default/web', HTTP)).toBe(true);
    expect(r.allows('default/api', 'default/db', HTTP)).toBe(true);
    expect(reasons(r)).toEqual([expect.stringMatching(/^spec\.ingressDeny\[0\]\.toPorts\[1\] is decided fail closed: a port rule without ports is not documented.*taken to deny every port of every protocol.*List the ports/)]);
    expect(r.explain('default/api', 'default/web', DNS).notes).toEqual(expect.arrayContaining([expect.stringMatching(/toPorts\[1\] has no ports, read as every port of every protocol \(the widest reading/)]));
    expect(r.explain('default/db', 'default/web', DNS).notes.filter((n) => /has no ports/.test(n))).toEqual([]);
    expectMatrixAgrees(r, HTTP, DNS);
  });

  test('an empty ports list in a deny is read the same way', () => {
    const r = Reachability.fromManifests([...BASE, cnp('empty-ports', {
      endpointSelector: { matchLabels: { app: 'web' } },
      enableDefaultDeny: { ingress: false },
      ingressDeny: [{ fromEndpoints: FROM_API, toPorts: [{ ports: [] }] }],
    })]);
    expect(r.allows('default/api', 'default/web', PG)).toBe(false);
    expect(r.allows('default/db', 'default/web', PG)).toBe(true);
    expectMatrixAgrees(r, PG);
  });

  test('a deny rule with neither peer nor ports: every end on every port; other pods and the other direction stay allowed', () => {
    const r = Reachability.fromManifests([...BASE, cnp('empty', {
      endpointSelector: { matchLabels: { app: 'web' } },
      enableDefaultDeny: { egress: false },
      egressDeny: [{}],
    })], EXTERNALS);
    expect(r.allows('default/web', 'default/db', HTTP)).toBe(false);
    expect(r.allows('default/web', 'internet', DNS)).toBe(false);
    expect(r.allows('default/web', 'node:n1', SSH)).toBe(false);
    expect(r.allows('default/api', 'default/db', HTTP)).toBe(true);
    expect(r.allows('default/db', 'default/web', HTTP)).toBe(true);
    expect(r.skipped).toMatchObject([{ object: 'default/empty', category: SkipCategory.NOT_MODELLED }]);
    expect(reasons(r)[0]).toMatch(/^spec\.egressDeny\[0\] is decided fail closed: a deny rule without a peer and without ports is not documented.*taken to deny every end on every port, so verdicts of the egress.*Give the deny its peer \(toEndpoints, toEntities, \.\.\.\) and its ports, or remove the rule/);
    expectMatrixAgrees(r, HTTP, DNS, SSH);
  });

  test('an allow rule with neither peer nor ports stays left out (it allows less)', () => {
    const r = Reachability.fromManifests([...BASE, cnp('empty-allow', { endpointSelector: { matchLabels: { app: 'web' } }, egress: [{}] })]);
    expect(r.allows('default/web', 'default/db', HTTP)).toBe(false);
    expect(reasons(r)).toEqual([expect.stringMatching(/^spec\.egress\[0\] is not modelled: a rule without a peer and without ports/)]);
  });
});
