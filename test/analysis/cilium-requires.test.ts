import { Port, Reachability } from '../../src';
import { cnp } from '../fixtures/cilium-objects';

/**
 * docs.cilium.io "Layer 3 Policies", Additional Label Requirements (fromRequires): "label
 * requirements which serve as a foundation for any fromEndpoints relationship ... when combined with
 * the example policy below, the endpoint with label env=prod will become accessible from endpoints
 * that have both labels env=prod and role=frontend". A fromRequires of ONE policy narrows the allows
 * of EVERY policy selecting the endpoint. Leaving only that rule out and analysing the other policy
 * proves an allow Cilium never grants.
 */
const pod = (name: string, labels: Record<string, string>) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels }, spec: { nodeName: 'n1', containers: [{ name: 'c', ports: [{ containerPort: 80 }] }] },
});
// The documentation's two examples (requires.yaml and endpoints.yaml).
const requires = cnp('requires-rule', { endpointSelector: { matchLabels: { env: 'prod' } }, ingress: [{ fromRequires: [{ matchLabels: { env: 'prod' } }] }] });
const endpoints = cnp('l3-rule', { endpointSelector: { matchLabels: { env: 'prod' } }, ingress: [{ fromEndpoints: [{ matchLabels: { role: 'frontend' } }] }] });
const PODS = [pod('db', { env: 'prod' }), pod('fe-dev', { role: 'frontend', env: 'dev' }), pod('fe-prod', { role: 'frontend', env: 'prod' })];

test('fromRequires in another policy: a source without the required label is never proven ALLOWED', () => {
  let verdict: boolean | 'refused';
  try {
    verdict = Reachability.fromManifests([requires, endpoints, ...PODS]).allows('default/fe-dev', 'default/db', Port.tcp(80));
  } catch {
    verdict = 'refused';
  }
  // On main: true (the requirement is left out, the other policy's allow is analysed alone).
  expect(verdict).not.toBe(true);
});

test('the warning for a left-out fromRequires names every traffic it narrows, not only "the traffic it decides"', () => {
  let skipped: string[] = [];
  try {
    skipped = Reachability.fromManifests([requires, endpoints, ...PODS]).skipped.map((s) => JSON.stringify(s));
  } catch {
    return; // refused: fine
  }
  // It must at least say the other policies' allows of these pods are affected.
  expect(skipped.join('\n')).not.toMatch(/the rest of the policy is analysed/);
});

test('a non-empty fromRequires or toRequires refuses the input with the reason; an empty one has no effect', () => {
  expect(() => Reachability.fromManifests([requires, endpoints, ...PODS])).toThrow(/requires-rule.*spec\.ingress\[0\]\.fromRequires is a requirement that narrows the ingress allows of every policy selecting the same endpoints/);
  const egress = cnp('egress-req', { endpointSelector: { matchLabels: { env: 'prod' } }, egress: [{ toRequires: [{ matchLabels: { env: 'prod' } }] }] });
  expect(() => Reachability.fromManifests([egress, ...PODS])).toThrow(/toRequires is a requirement that narrows the egress allows/);
  // ingress.go: "If omitted or empty, the member will have no effect on the rule": the policy is analysed.
  const empty = cnp('empty-req', { endpointSelector: { matchLabels: { env: 'prod' } }, ingress: [{ fromRequires: [], fromEndpoints: [{ matchLabels: { role: 'frontend' } }] }] });
  const r = Reachability.fromManifests([empty, ...PODS, pod('other', { env: 'prod' })]);
  expect(r.allows('default/fe-dev', 'default/db', Port.tcp(80))).toBe(true);
  expect(r.allows('default/fe-prod', 'default/db', Port.tcp(80))).toBe(true);
  expect(r.allows('default/other', 'default/db', Port.tcp(80))).toBe(false);
  expect(r.skipped).toEqual([]);
});
