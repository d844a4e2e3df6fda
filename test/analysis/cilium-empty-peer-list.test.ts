import { Port, Reachability } from '../../src';

/**
 * cilium/cilium pkg/policy/api ingress.go (IngressRule, IngressDenyRule; egress.go the same):
 * "All members of this structure are optional. If omitted or empty, the member will have no effect
 * on the rule." A rule `{fromCIDR: [], toPorts: [443]}` is therefore the ports-only rule
 * `{toPorts: [443]}`, which applies to every peer (docs.cilium.io Layer 4 Policies: "Layer 4 policy
 * can be specified in addition to layer 3 policies or independently"). The analyser reads an empty
 * peer list as "no peer matches": a deny that denies nothing.
 */
const cnp = (spec: Record<string, unknown>) => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'x', namespace: 'default' }, spec });
const pod = (name: string, labels: Record<string, string>, ip: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', labels },
  spec: { nodeName: 'n1', containers: [{ name: 'c', ports: [{ containerPort: 443 }] }] },
  status: { podIP: ip },
});
const PODS = [pod('a', { app: 'a' }, '10.1.0.5'), pod('b', { app: 'b' }, '10.1.0.6')];
const EXTERNALS = [{ name: 'internet', ip: '198.51.100.7' }];
const HTTPS = Port.tcp(443);
const PORTS = [{ ports: [{ port: '443', protocol: 'TCP' }] }];

describe.each([
  ['fromCIDR', { fromCIDR: [] }],
  ['fromCIDRSet', { fromCIDRSet: [] }],
  ['fromEndpoints', { fromEndpoints: [] }],
  ['fromEntities', { fromEntities: [] }],
])('ingressDeny with %s: [] and toPorts 443', (_field, empty) => {
  test('denies 443 from every peer, as the ports-only deny does (or is left out with a reason)', () => {
    const policy = (deny: Record<string, unknown>) => cnp({ endpointSelector: { matchLabels: { app: 'b' } }, ingress: [{ fromEntities: ['all'] }], ingressDeny: [deny] });
    const portsOnly = Reachability.fromManifests([policy({ toPorts: PORTS }), ...PODS], { externals: EXTERNALS });
    expect(portsOnly.allows('internet', 'default/b', HTTPS)).toBe(false);
    expect(portsOnly.allows('default/a', 'default/b', HTTPS)).toBe(false);
    const r = Reachability.fromManifests([policy({ ...empty, toPorts: PORTS }), ...PODS], { externals: EXTERNALS });
    const leftOut = r.skipped.some((s) => JSON.stringify(s).includes('ingressDeny[0]'));
    // On main: ALLOWED both, nothing skipped (the deny matches "no endpoints" / no CIDR).
    expect({ leftOut, internet: r.allows('internet', 'default/b', HTTPS) }).not.toEqual({ leftOut: false, internet: true });
    expect({ leftOut, pod: r.allows('default/a', 'default/b', HTTPS) }).not.toEqual({ leftOut: false, pod: true });
  });
});

test('an allow with fromEndpoints: [] and toPorts 443 allows nothing: newer releases read the empty list as no identity', () => {
  // Older releases read it as the ports-only allow (443 from everyone); which one runs is not known.
  const policy = cnp({ endpointSelector: { matchLabels: { app: 'b' } }, ingress: [{ fromEndpoints: [], toPorts: PORTS }] });
  const r = Reachability.fromManifests([policy, ...PODS], { externals: EXTERNALS });
  expect(r.allows('default/a', 'default/b', HTTPS)).toBe(false);
  expect(r.allows('internet', 'default/b', HTTPS)).toBe(false);
  expect(r.allows('default/a', 'default/b', Port.tcp(80))).toBe(false);
  expect(r.skipped.find((s) => s.reason.includes('ingress[0]'))?.reason).toMatch(/fromEndpoints: \[\] is read two ways .* taken to allow nothing \(fail closed\)/);
  // The ports-only allow, written without the empty list, allows 443 from everyone and nothing else.
  const portsOnly = Reachability.fromManifests([cnp({ endpointSelector: { matchLabels: { app: 'b' } }, ingress: [{ toPorts: PORTS }] }), ...PODS], { externals: EXTERNALS });
  expect(portsOnly.allows('default/a', 'default/b', HTTPS)).toBe(true);
  expect(portsOnly.allows('internet', 'default/b', HTTPS)).toBe(true);
  expect(portsOnly.allows('default/a', 'default/b', Port.tcp(80))).toBe(false);
});

test('a rule with only an empty peer list (no ports) is left out with a reason, never read as "everything"', () => {
  const policy = cnp({ endpointSelector: { matchLabels: { app: 'b' } }, ingress: [{ fromEntities: ['all'] }], ingressDeny: [{ fromCIDR: [] }] });
  const r = Reachability.fromManifests([policy, ...PODS], { externals: EXTERNALS });
  expect(r.skipped.some((s) => s.reason.includes('ingressDeny[0]'))).toBe(true);
});
