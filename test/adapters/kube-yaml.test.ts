import * as jsyaml from 'js-yaml';
import { Port, Reachability } from '../../src';
import { goYamlInteger, KUBE_YAML_SCHEMA } from '../../src/adapters/kube-yaml-schema';
import { checkApiServerRules } from '../../src/k8s/api-server-rules';
import { validateManifests } from '../../src/validation/validate-manifests';

/**
 * A manifest means to these tools what it means to `kubectl apply`: kubectl reads YAML with
 * go-yaml v2 (YAML 1.1 scalars, merge keys) and rejects fields the schema does not declare.
 */
const load = (text: string) => jsyaml.load(text, { schema: KUBE_YAML_SCHEMA }) as any;

test('integers as go-yaml v2 reads them: a leading 0 is octal, underscores are dropped, Go prefixes', () => {
  expect(load('p: 0443').p).toBe(291);
  expect(load('p: 1_000').p).toBe(1000);
  expect(load('p: 0x1F').p).toBe(31);
  expect(load('p: 0o17').p).toBe(15);
  expect(load('p: 0b101').p).toBe(5);
  expect(load('p: -012').p).toBe(-10);
  expect(load('p: 8080').p).toBe(8080);
  expect(load('p: 0').p).toBe(0);
  expect(load('p: "0443"').p).toBe('0443');
  expect(load('p: 089').p).toBe(89); // not octal, so a float for go-yaml v2, which is 89
  expect(load('p: 12:30').p).toBe('12:30');
  expect(goYamlInteger('08')).toBeUndefined();
  expect(goYamlInteger('1e3')).toBeUndefined();
});

test('merge keys are applied, as go-yaml v2 applies them', () => {
  const doc = load('base: &b { policyTypes: [Ingress], ingress: [{}] }\nspec: { podSelector: {}, <<: *b }');
  expect(doc.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress'], ingress: [{}] });
});

const policy = (spec: string) => load(`apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: api, namespace: shop }\nspec:\n${spec}`);

test('a merge key that opens ingress is seen by the analyser (it was read as a literal "<<" key before)', () => {
  const merged = policy('  podSelector: {}\n  policyTypes: [Ingress]\n  <<: { ingress: [{}] }\n');
  const pods = ['api', 'attacker'].map((name) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'shop', labels: { app: name } } }));
  expect(Reachability.fromManifests([merged, ...pods]).allows('shop/attacker', 'shop/api', Port.tcp(80))).toBe(true);
});

test('a port written 0443 is port 291 for the API server, and so here', () => {
  const octal = policy('  podSelector: {}\n  policyTypes: [Ingress]\n  ingress: [{ ports: [{ port: 0443 }] }]\n');
  const pods = ['api', 'web'].map((name) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'shop', labels: { app: name } } }));
  const r = Reachability.fromManifests([octal, ...pods]);
  expect(r.allows('shop/web', 'shop/api', Port.tcp(291))).toBe(true);
  expect(r.allows('shop/web', 'shop/api', Port.tcp(443))).toBe(false);
});

test('unknown fields are errors with their path, and such a policy is left out of the analysis', () => {
  const misspelt = policy('  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n    - to: [{ ipBlock: { cidr: 0.0.0.0/0, excpet: [10.0.0.0/8] } }]\n      ports: [{ prot: 8080 }]\n  ingres: []\n');
  const findings = checkApiServerRules(misspelt).filter((f) => f.code === 'UnknownField');
  expect(findings.map((f) => [f.field, f.message])).toEqual([
    ['spec.egress[0].to[0].ipBlock.excpet', 'unknown field "excpet" in IPBlock'],
    ['spec.egress[0].ports[0].prot', 'unknown field "prot" in NetworkPolicyPort'],
    ['spec.ingres', 'unknown field "ingres" in NetworkPolicySpec'],
  ]);
  expect(findings[0].fix).toMatch(/^Fix the spelling or remove it: an IPBlock has cidr, except\. kubectl apply rejects unknown fields/);
  expect(validateManifests([{ object: misspelt }]).findings.filter((f) => f.severity === 'error')).toHaveLength(3);
  const r = Reachability.fromManifests([misspelt]);
  expect(r.skipped.map((s) => s.object)).toEqual(['shop/api']);
  // declared fields, including the metadata kubectl adds, are not reported
  const full = policy('  podSelector: { matchLabels: { a: b }, matchExpressions: [{ key: k, operator: Exists }] }\n  policyTypes: [Ingress]\n');
  full.metadata = { ...full.metadata, uid: 'x', resourceVersion: '1', creationTimestamp: '2026-01-01T00:00:00Z', managedFields: [], annotations: { a: 'b' } };
  expect(checkApiServerRules(full).filter((f) => f.code === 'UnknownField')).toEqual([]);
});
