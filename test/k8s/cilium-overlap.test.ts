import { ciliumPeerShape, cidrShape, PeerShape, peerShapesOverlap } from '../../src/k8s/cilium-overlap';

/** Which peers of Cilium rules can match the same traffic (the test by which a plain allow voids HTTP rules). */
const pods = (namespace: string | undefined, labels: Record<string, string>): PeerShape => ({ kind: 'pods', namespace, pods: { matchLabels: labels } });
const entity = (name: string): PeerShape => ({ kind: 'entity', entity: name });
const fqdn = (name: string): PeerShape => ({ kind: 'fqdn', name });

const both = (a: PeerShape, b: PeerShape) => {
  const ab = peerShapesOverlap(a, b);
  expect(peerShapesOverlap(b, a)).toBe(ab);
  return ab;
};

test('pods: the same namespace (or any) and selectors some pod matches both ways', () => {
  expect(both(pods('shop', { app: 'web' }), pods('shop', {}))).toBe(true);
  expect(both(pods('shop', { app: 'web' }), pods(undefined, { app: 'web' }))).toBe(true);
  expect(both(pods('shop', { app: 'web' }), pods('ops', { app: 'web' }))).toBe(false);
  expect(both(pods('shop', { app: 'web' }), pods('shop', { app: 'api' }))).toBe(false);
});

test('entities: all takes in everything, cluster every pod and cluster entity, world every address and name', () => {
  expect(both(entity('all'), fqdn('api.example.com'))).toBe(true);
  expect(both(entity('cluster'), pods('shop', { app: 'web' }))).toBe(true);
  expect(both(entity('cluster'), entity('host'))).toBe(true);
  expect(both(entity('kube-apiserver'), entity('remote-node'))).toBe(true);
  expect(both(entity('world'), cidrShape('203.0.113.0/24', []))).toBe(true);
  expect(both(entity('world'), fqdn('api.example.com'))).toBe(true);
  expect(both(entity('world'), pods('shop', {}))).toBe(false);
  expect(both(entity('world'), entity('cluster'))).toBe(false);
  expect(both(entity('host'), cidrShape('10.0.0.0/8', []))).toBe(false);
});

test('addresses and names: CIDRs by their addresses and exceptions, names by their patterns, a name and a CIDR may meet', () => {
  expect(both(cidrShape('10.0.0.0/8', []), cidrShape('10.1.0.0/16', []))).toBe(true);
  expect(both(cidrShape('10.0.0.0/8', ['10.1.0.0/16']), cidrShape('10.1.2.0/24', []))).toBe(false);
  expect(both(cidrShape('10.0.0.0/8', []), cidrShape('192.168.0.0/16', []))).toBe(false);
  expect(both(cidrShape('10.0.0.0/8', []), pods('shop', {}))).toBe(false);
  expect(both(fqdn('*.stripe.com'), fqdn('api.stripe.com'))).toBe(true);
  expect(both(fqdn('api.stripe.com'), fqdn('api.github.com'))).toBe(false);
  expect(both(fqdn('api.stripe.com'), cidrShape('0.0.0.0/0', []))).toBe(true);
});

test('a Cilium endpoint selector: its namespace label, Exists for every namespace, none for the policy\'s own', () => {
  expect(ciliumPeerShape('Endpoints', { matchLabels: { 'app': 'web', 'k8s:io.kubernetes.pod.namespace': 'ops' } }, 'shop'))
    .toEqual({ kind: 'pods', namespace: 'ops', pods: { matchLabels: { app: 'web' } } });
  expect(ciliumPeerShape('Endpoints', { matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'Exists' }] }, 'shop'))
    .toEqual({ kind: 'pods', namespace: undefined, pods: {} });
  expect(ciliumPeerShape('Endpoints', { matchLabels: { app: 'web' } }, 'shop')).toEqual({ kind: 'pods', namespace: 'shop', pods: { matchLabels: { app: 'web' } } });
  expect(ciliumPeerShape('FQDNs', { matchPattern: '*.Example.com' }, 'shop')).toEqual({ kind: 'fqdn', name: '*.example.com' });
});
