import { LintCode, validateManifests } from '../../src';

/**
 * Issue 15 (lint fail-open): NP004 read a peer's namespace selector against the namespaces'
 * labels as if a namespace known only from its pods (no Namespace object) carried its name label
 * alone. A selector on other labels then "matched" it or "did not", on a guess: NP004 stayed
 * silent where the peer may match nothing, and said "matches none" where it may match. Now such a
 * namespace is one of the input with unknown labels: NP004 warns that it rests on them, and the
 * Namespace object settles it, either way.
 */
const pod = (namespace: string, name: string, labels: Record<string, string>) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels }, spec: { containers: [{ name: 'main' }] },
});
const namespace = (name: string, labels: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
/** web's policy: ingress from the api pods of the namespaces `namespaceSelector` selects. */
const fromApi = (namespaceSelector: unknown) => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'web', namespace: 'web' },
  spec: {
    podSelector: { matchLabels: { app: 'web' } },
    policyTypes: ['Ingress'],
    ingress: [{ from: [{ namespaceSelector, podSelector: { matchLabels: { app: 'api' } } }], ports: [{ port: 8080 }] }],
  },
});
/** web is declared (labelled team: web); shop is known only from its pod api. */
const MODEL = [namespace('web', { team: 'web' }), pod('web', 'web', { app: 'web' }), pod('shop', 'api', { app: 'api' })];
const np004 = (objects: unknown[]) => validateManifests(objects.map((object) => ({ object })))
  .findings.filter((f) => f.code === LintCode.SELECTOR_MATCHES_NOTHING);
const UNKNOWN = 'rests on unknown labels: namespace shop has no Namespace object in the input, so its labels other than kubernetes.io/metadata.name are unknown';

describe('NP004 reads a namespace known only from its pods as one with unknown labels', () => {
  test('a selector that excludes by a label shop may carry: unknown, said so (it was silent); the Namespace object settles it', () => {
    const policy = fromApi({ matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] });
    const [finding, ...rest] = np004([...MODEL, policy]);
    expect(rest).toEqual([]);
    expect(finding.field).toBe('spec.ingress[0].from[0].podSelector');
    expect(finding.message).toBe(`matches workloads only in namespace shop, which its namespace selector may or may not select: whether this peer allows anything ${UNKNOWN}`);
    expect(finding.fix).toMatch(/^Add the Namespace object of shop to the input/);
    expect(np004([...MODEL, policy, namespace('shop', { env: 'dev' })])).toEqual([]);
    expect(np004([...MODEL, policy, namespace('shop', { env: 'prod' })]).map((f) => f.message))
      .toEqual(['matches none of the workloads declared in namespace web, so this peer allows nothing']);
  });

  test('a selector on a label only declared namespaces are known to carry: unknown (it said "matches none"); settled either way', () => {
    const policy = fromApi({ matchLabels: { team: 'web' } });
    expect(np004([...MODEL, policy]).map((f) => f.message)).toEqual([
      `matches workloads only in namespace shop, which its namespace selector may or may not select: whether this peer allows anything ${UNKNOWN}`,
    ]);
    expect(np004([...MODEL, policy, namespace('shop', { team: 'web' })])).toEqual([]);
    expect(np004([...MODEL, policy, namespace('shop', { team: 'shop' })]).map((f) => f.message))
      .toEqual(['matches none of the workloads declared in namespace web, so this peer allows nothing']);
  });

  test('a namespace selected by kubernetes.io/metadata.name is decided without its Namespace object; by another label it is not', () => {
    expect(np004([...MODEL, fromApi({ matchLabels: { 'kubernetes.io/metadata.name': 'shop', 'team': 'shop' } })])).toHaveLength(1);
    expect(np004([...MODEL, fromApi({ matchLabels: { 'kubernetes.io/metadata.name': 'shop' } })])).toEqual([]);
    const typo = { ...fromApi({ matchLabels: { 'kubernetes.io/metadata.name': 'shop' } }) };
    typo.spec = { ...typo.spec, ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } }, podSelector: { matchLabels: { app: 'apl' } } }], ports: [{ port: 8080 }] }] };
    expect(np004([...MODEL, typo]).map((f) => f.message)).toEqual(['matches none of the workloads declared in namespace shop, so this peer allows nothing']);
  });
});
