import { Port, Reachability } from '../../src';
import { namespace as ns } from '../fixtures/cilium-objects';

/**
 * Cilium reads toPorts[].ports[].port in PortProtocol.sanitize (cilium/cilium
 * pkg/policy/api/rule_validation.go): a port that is an IANA service name (pkg/iana/svcname.go:
 * `^([a-zA-Z0-9]-?)*[a-zA-Z](-?[a-zA-Z0-9])*$`, 1-15 characters, "character case must be ignored")
 * is lowercased ("Normalize for case insensitive comparison"); anything else is parsed with
 * strconv.ParseUint(port, 0, 16), base 0, so a leading 0 makes it octal ("0100" is port 64) and
 * createL4Filter (pkg/policy/l4.go) parses it the same way. The CRD pattern accepts both forms.
 */
const pod = (name: string, ports: any[]) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'a', labels: { app: name } }, spec: { containers: [{ name: 'c', ports }] },
});
const cnp = (name: string, spec: any) => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name, namespace: 'a' }, spec });
const WORLD = [ns('a'), pod('web', []), pod('db', [{ containerPort: 8080, name: 'http' }, { containerPort: 64, name: 'legacy' }, { containerPort: 100, name: 'other' }])];
const fromWeb = (port: string, section: 'ingress' | 'ingressDeny') => ({
  endpointSelector: { matchLabels: { app: 'db' } },
  ...(section === 'ingressDeny' ? { enableDefaultDeny: { ingress: false } } : {}),
  [section]: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }], toPorts: [{ ports: [{ port, protocol: 'TCP' }] }] }],
});

describe('Cilium port names are case-insensitive (lowercased by the agent)', () => {
  test('an allow of port "HTTP" allows the container port named http', () => {
    const r = Reachability.fromManifests([...WORLD, cnp('allow', fromWeb('HTTP', 'ingress'))]);
    expect(r.allows('a/web', 'a/db', Port.tcp(8080))).toBe(true);
    expect(r.allows('a/web', 'a/db', Port.tcp(64))).toBe(false); // the other named ports stay denied
    expect(r.matrix(Port.tcp(8080)).isAllowed('a/web', 'a/db')).toBe(true);
  });

  test('a deny of port "HTTP" denies the container port named http', () => {
    const r = Reachability.fromManifests([...WORLD, cnp('deny', fromWeb('HTTP', 'ingressDeny'))]);
    expect(r.allows('a/web', 'a/db', Port.tcp(8080))).toBe(false);
    expect(r.allows('a/web', 'a/db', Port.tcp(100))).toBe(true);
    expect(r.matrix(Port.tcp(8080)).isAllowed('a/web', 'a/db')).toBe(false);
  });
});

test('a decimal port without a leading 0 is read as written', () => {
  const r = Reachability.fromManifests([...WORLD, cnp('allow', fromWeb('100', 'ingress'))]);
  expect(r.allows('a/web', 'a/db', Port.tcp(100))).toBe(true);
  expect(r.allows('a/web', 'a/db', Port.tcp(64))).toBe(false);
});

describe('Cilium parses a numeric port with base 0: "0100" is octal, port 64', () => {
  test('an allow of "0100" allows 64, not 100', () => {
    const r = Reachability.fromManifests([...WORLD, cnp('allow', fromWeb('0100', 'ingress'))]);
    expect(r.allows('a/web', 'a/db', Port.tcp(64))).toBe(true);
    expect(r.allows('a/web', 'a/db', Port.tcp(100))).toBe(false);
  });

  test('a deny of "0100" denies 64', () => {
    const r = Reachability.fromManifests([...WORLD, cnp('deny', fromWeb('0100', 'ingressDeny'))]);
    expect(r.allows('a/web', 'a/db', Port.tcp(64))).toBe(false);
    expect(r.allows('a/web', 'a/db', Port.tcp(100))).toBe(true);
  });
});
