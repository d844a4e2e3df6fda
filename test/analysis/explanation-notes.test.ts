import { Testing, Yaml } from 'cdk8s';
import { ThreeTier } from '../../examples/three-tier';
import { Port, Reachability, TextFormat } from '../../src';
import { netpol } from '../cli/cli-harness';

/** The ipBlock note: only when an ipBlock matched a pod's IP, which network plugins treat differently. */
const pod = (name: string, labels: Record<string, string>, ip?: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'shop', labels },
  spec: { containers: [{ name: 'c' }] },
  ...(ip ? { status: { podIP: ip } } : {}),
});
const policy = (name: string, spec: any) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: 'shop' }, spec });
const MANIFESTS = [
  pod('web', { app: 'web' }, '10.0.3.7'),
  pod('db', { app: 'db' }, '10.0.4.9'),
  // web may send to 10.0.4.0/24 (db's IP) and to 203.0.113.0/24 (the payment API) on 443 and 5432.
  policy('web', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.4.0/24' } }, { ipBlock: { cidr: '203.0.113.0/24' } }] }] }),
  // db accepts from 10.0.3.0/24 (web's IP) and from 198.51.100.0/24 (a partner outside the cluster).
  policy('db', { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ ipBlock: { cidr: '10.0.3.0/24' } }, { ipBlock: { cidr: '198.51.100.0/24' } }] }] }),
];
const NOTE = 'an ipBlock matched an address inside the cluster';
const r = Reachability.fromManifests(MANIFESTS, { externals: [{ name: 'payment-api', ip: '203.0.113.10' }, { name: 'partner', ip: '198.51.100.4' }, { name: 'stranger', ip: '192.0.2.1' }] });

describe('Explanation notes: the ipBlock note', () => {
  test('pod to pod, matched by ipBlocks on both sides: the note, and (ipBlock) on each rule', () => {
    const e = r.explain('shop/web', 'shop/db', Port.tcp(5432));
    expect(e.allowed).toBe(true);
    expect(e.egress.allowedBy).toEqual([{ policy: 'shop/web', direction: 'egress', rule: 0, byIpBlock: true }]);
    expect(e.ingress.allowedBy).toEqual([{ policy: 'shop/db', direction: 'ingress', rule: 0, byIpBlock: true }]);
    expect(e.notes.filter((n) => n.includes(NOTE))).toHaveLength(1);
    expect(TextFormat.explanation(e)).toContain(`note: ${NOTE}`);
  });

  test('a pod to an address outside the cluster, matched by an egress ipBlock: no note', () => {
    const e = r.explain('shop/web', 'payment-api', Port.tcp(443));
    expect(e.allowed).toBe(true);
    expect(e.egress.allowedBy).toEqual([{ policy: 'shop/web', direction: 'egress', rule: 0, byIpBlock: true }]);
    expect(e.notes).toEqual([]);
    expect(TextFormat.explanation(e)).toContain('allowed by shop/web egress[0] (ipBlock)');
    expect(TextFormat.explanation(e)).not.toContain('note:');
  });

  test('an address outside the cluster to a pod, matched by an ingress ipBlock: no note', () => {
    const e = r.explain('partner', 'shop/db', Port.tcp(5432));
    expect(e.allowed).toBe(true);
    expect(e.ingress.allowedBy).toEqual([{ policy: 'shop/db', direction: 'ingress', rule: 0, byIpBlock: true }]);
    expect(e.notes).toEqual([]);
  });

  test('a pod matched by an ingress ipBlock while its own egress is open: the note', () => {
    const open = Reachability.fromManifests([MANIFESTS[0], MANIFESTS[1], MANIFESTS[3]]);
    const e = open.explain('shop/web', 'shop/db', Port.tcp(5432));
    expect(e.allowed).toBe(true);
    expect(e.egress.isolated).toBe(false);
    expect(e.notes).toEqual([expect.stringContaining(NOTE)]);
  });

  test('denied: no ipBlock matched, no note', () => {
    const e = r.explain('stranger', 'shop/db', Port.tcp(5432));
    expect(e.allowed).toBe(false);
    expect(e.notes).toEqual([]);
  });

  test("the README's example: netpol explain of the three-tier backend to the payment API prints no note", () => {
    const yaml = Yaml.stringify(...Testing.synth(new ThreeTier(Testing.app(), 'three-tier')));
    const out = netpol(['explain', '-', '--from', 'shop/backend', '--to', 'payment-api', '--port', '443', '--external', 'payment-api=203.0.113.10'], yaml);
    expect(out.code).toBe(0);
    expect(out.stdout).toBe([
      'shop/backend -> payment-api on 443/TCP: ALLOWED',
      '  egress of shop/backend: isolated by shop/backend-egress, shop/default-deny; allowed by shop/backend-egress egress[0] (ipBlock)',
      '  ingress of payment-api: outside the cluster, not policed',
      '',
    ].join('\n'));
  });
});
