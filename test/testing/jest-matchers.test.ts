import { Port, Reachability } from '../../src';
import { reachabilityMatchers } from '../../src/testing/jest-matchers';

/** A failing matcher prints the whole explanation: both sides, with the policies and the rules. */
const pod = (name: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'shop', labels: { app: name } }, spec: { containers: [{ name: 'c' }] } });
const deny = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny', namespace: 'shop' }, spec: { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Ingress'] } };
const r = Reachability.fromManifests([pod('web'), pod('api'), deny]);

test('toAllow on a denied connection fails with both sides explained', () => {
  const result = reachabilityMatchers.toAllow(r, 'shop/web', 'shop/api', Port.tcp(8080));
  expect(result.pass).toBe(false);
  expect(result.message()).toBe([
    'expected the policies to allow shop/web -> shop/api on 8080/TCP, but:',
    'shop/web -> shop/api on 8080/TCP: DENIED',
    '  egress of shop/web: not isolated (no policy selects it for egress), so everything is allowed',
    '  ingress of shop/api: isolated by shop/deny; DENIED: no rule of these policies allows this traffic from shop/web',
  ].join('\n'));
});

test('toDeny on an allowed connection fails with both sides explained; on a denied one it passes', () => {
  const result = reachabilityMatchers.toDeny(r, 'shop/api', 'shop/web', Port.tcp(8080));
  expect(result.pass).toBe(false);
  expect(result.message()).toContain('\n  ingress of shop/web: not isolated (no policy selects it for ingress), so everything is allowed');
  expect(reachabilityMatchers.toDeny(r, 'shop/web', 'shop/api', Port.tcp(8080)).pass).toBe(true);
});

test('the matchers work over NetworkPolicies and Cilium policies together, and name the Cilium deny rule', () => {
  const cnp = {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name: 'no-web', namespace: 'shop' },
    spec: { endpointSelector: { matchLabels: { app: 'api' } }, ingress: [{ fromEntities: ['cluster'] }], ingressDeny: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }] }] },
  };
  const mixed = [pod('web'), pod('api'), pod('db'), deny, cnp];
  expect(reachabilityMatchers.toAllow(mixed, 'shop/db', 'shop/api', Port.tcp(8080)).pass).toBe(true);
  const result = reachabilityMatchers.toAllow(mixed, 'shop/web', 'shop/api', Port.tcp(8080));
  expect(result.pass).toBe(false);
  expect(result.message()).toContain('ingress of shop/api: isolated by shop/deny, CiliumNetworkPolicy shop/no-web; DENIED by the deny rule CiliumNetworkPolicy shop/no-web ingressDeny[0]');
});
