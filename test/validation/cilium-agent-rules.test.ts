import { Port, Reachability, Severity, validateManifests } from '../../src';

/**
 * Policies Cilium's agent rejects after the API server accepted them (cilium/cilium
 * pkg/policy/api/rule_validation.go): PortRule.sanitize ("L7 rules can only apply to TCP (not %s)
 * except for DNS rules", after an omitted protocol became ANY; "DNS rules are not allowed on
 * ingress"; "DNS rules do not support port ranges"; "ServerNames are not allowed with L7 rules
 * without TLS termination") and PortProtocol.sanitize (a port that is not an IANA service name of
 * at most 15 characters goes through strconv.ParseUint(port, 0, 16): "Unable to parse port"), and
 * the rules' Validate ("the ICMPs block may only be present without ToPorts", allow and deny rules).
 * `netpol validate` reports each as an error at its field, with a fix; the analyser leaves such a
 * policy out as invalid (it enforces nothing). The accepted neighbours stay accepted and enforced.
 */
const ns = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
const pod = (name: string, ports: any[] = []) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'a', labels: { app: name } }, spec: { containers: [{ name: 'c', ports }] },
});
const cnp = (name: string, rules: { ingress?: any[]; egress?: any[]; ingressDeny?: any[]; egressDeny?: any[] }) => ({
  apiVersion: 'cilium.io/v2',
  kind: 'CiliumNetworkPolicy',
  metadata: { name, namespace: 'a' },
  spec: { endpointSelector: { matchLabels: { app: 'db' } }, ...rules },
});
const fromWeb = { fromEndpoints: [{ matchLabels: { app: 'web' } }] };
const toWeb = { toEndpoints: [{ matchLabels: { app: 'web' } }] };
/** An ingress rule that isolates db and lets web in on no port. */
const fromOther = { fromEndpoints: [{ matchLabels: { app: 'other' } }] };
const ingress = (toPorts: any[]) => ({ ingress: [{ ...fromWeb, toPorts }] });
const http = { http: [{ method: 'GET' }] };
const icmps = [{ fields: [{ type: 8, family: 'IPv4' }] }];

const REJECTED: Array<[string, any, string]> = [
  ['HTTP rules on a port without protocol (ANY)', cnp('http-any', ingress([{ ports: [{ port: '80' }], rules: http }])), 'spec.ingress[0].toPorts[0].ports[0].protocol'],
  ['HTTP rules on a UDP port', cnp('http-udp', ingress([{ ports: [{ port: '80', protocol: 'UDP' }], rules: http }])), 'spec.ingress[0].toPorts[0].ports[0].protocol'],
  ['HTTP rules on port 0', cnp('http-zero', ingress([{ ports: [{ port: '0', protocol: 'TCP' }], rules: http }])), 'spec.ingress[0].toPorts[0].ports[0].port'],
  ['DNS rules on ingress', cnp('dns-ingress', ingress([{ ports: [{ port: '53', protocol: 'UDP' }], rules: { dns: [{ matchPattern: '*' }] } }])), 'spec.ingress[0].toPorts[0].rules.dns'],
  ['a port name of 16 characters', cnp('long-name', ingress([{ ports: [{ port: 'metricsendpoints', protocol: 'TCP' }] }])), 'spec.ingress[0].toPorts[0].ports[0].port'],
  ['the port "08" (not an octal number)', cnp('octal', ingress([{ ports: [{ port: '08', protocol: 'TCP' }] }])), 'spec.ingress[0].toPorts[0].ports[0].port'],
  ['DNS rules on a port range', cnp('dns-range', { ingress: [fromOther], egress: [{ ...toWeb, toPorts: [{ ports: [{ port: '53', endPort: 54, protocol: 'UDP' }], rules: { dns: [{ matchPattern: '*' }] } }] }] }),
    'spec.egress[0].toPorts[0].ports[0].endPort'],
  ['serverNames with HTTP rules, no TLS termination', cnp('sni-http', ingress([{ ports: [{ port: '443', protocol: 'TCP' }], serverNames: ['db.example.com'], rules: http }])),
    'spec.ingress[0].toPorts[0].serverNames'],
  ['icmps next to toPorts in an allow rule', cnp('icmp-ports', { ingress: [{ ...fromWeb, icmps, toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] }] }), 'spec.ingress[0].icmps'],
  ['icmps next to toPorts in a deny rule', cnp('icmp-deny-ports', { ingress: [fromOther], ingressDeny: [{ ...fromWeb, icmps, toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] }] }),
    'spec.ingressDeny[0].icmps'],
];

const ACCEPTED: Array<[string, any]> = [
  ['HTTP rules on a TCP port', cnp('http-tcp', ingress([{ ports: [{ port: '80', protocol: 'TCP' }], rules: http }]))],
  ['DNS rules on egress, on port 53 of any protocol', cnp('dns-egress', { ingress: [fromOther], egress: [{ ...toWeb, toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }] }] })],
  ['a port name of 15 characters', cnp('name-15', ingress([{ ports: [{ port: 'metricsendpoint', protocol: 'TCP' }] }]))],
  ['the port "010" (octal 8)', cnp('octal-ok', ingress([{ ports: [{ port: '010', protocol: 'TCP' }] }]))],
  // A rule of icmps alone matches ICMP only: left out as not modelled, while the ingress section isolates db.
  ['icmps without toPorts', cnp('icmp-alone', { ingress: [{ ...fromWeb, icmps }] })],
];

const world = (policy: any) => Reachability.fromManifests([ns('a'), pod('web'), pod('db', [{ containerPort: 8080, name: 'http' }]), policy]);

describe.each(REJECTED)('a CiliumNetworkPolicy Cilium\'s agent rejects: %s', (_what, policy, field) => {
  test('netpol validate reports an error at its field, with a fix', () => {
    const errors = validateManifests([{ object: policy, file: 'p.yaml', line: 1 }]).findings.filter((f) => f.severity === Severity.ERROR);
    expect(errors).toEqual([expect.objectContaining({ field, message: expect.stringMatching(/Cilium's agent rejects the policy/), fix: expect.stringMatching(/\S/) })]);
  });

  test('the analyser leaves it out as invalid: it isolates nothing, web -> db 8080 is allowed', () => {
    const r = world(policy);
    expect(r.allows('a/web', 'a/db', Port.tcp(8080))).toBe(true);
    expect(r.skipped).toEqual([expect.objectContaining({ object: `a/${policy.metadata.name}`, kind: 'CiliumNetworkPolicy', category: 'INVALID_POLICY' })]);
  });
});

describe.each(ACCEPTED)('a CiliumNetworkPolicy Cilium\'s agent accepts: %s', (_what, policy) => {
  test('netpol validate reports no error, and the analyser enforces it: db is isolated, web -> db 8080 is denied', () => {
    expect(validateManifests([{ object: policy, file: 'p.yaml', line: 1 }]).findings.filter((f) => f.severity === Severity.ERROR)).toEqual([]);
    const r = world(policy);
    expect(r.skipped.filter((s) => s.category === 'INVALID_POLICY')).toEqual([]);
    expect(r.allows('a/web', 'a/db', Port.tcp(8080))).toBe(false);
  });
});
