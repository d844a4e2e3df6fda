import * as fc from 'fast-check';
import { Port, Reachability } from '../../src';
import { fuzzParameters } from '../fuzz-config';

/**
 * H14, fail closed: an address field that holds no IP address ("pending", "10.0.0.300", "", a
 * number, an entry without ip) stands for an address the input does not give. A verdict read with
 * it may say "allowed" only if the pair is allowed whatever address the field really holds: so for
 * any substitution of good addresses into the bad fields, every pair allowed before stays allowed.
 * And the matrix agrees with the pair-by-pair verdicts, and every bad field of a running pod is reported.
 */
const HTTPS = Port.tcp(443);
const BAD: unknown[] = ['pending', '10.0.0.300', '', 42, 'fd00::zz', 'ÖLÇÜ', null];
const goodOf = (i: number) => [`10.0.${i}.5`, `10.0.${i}.6`, `fd00::${i}:5`, `2001:db8::${i}:5`];
const field = (i: number) => fc.oneof(fc.constantFrom(...goodOf(i)), fc.constantFrom(...BAD));
const podArb = (i: number) => fc.record({
  podIP: fc.option(field(i), { nil: undefined }),
  podIPs: fc.option(fc.array(field(i), { maxLength: 2 }), { nil: undefined }),
  phase: fc.constantFrom('Running', 'Pending', undefined),
});
const CIDRS = ['10.0.0.0/24', '10.0.1.0/24', 'fd00::/8', '2001:db8::/32', '10.0.0.0/8'];
const policyArb = fc.record({
  npCidrs: fc.subarray(CIDRS),
  tier: fc.array(fc.record({ action: fc.constantFrom('Deny', 'Allow', 'Pass'), cidr: fc.constantFrom(...CIDRS) }), { maxLength: 2 }),
});

type PodStatus = { podIP?: unknown; podIPs?: unknown[]; phase?: string };
type Policies = { npCidrs: string[]; tier: Array<{ action: string; cidr: string }> };

function manifests(pods: PodStatus[], p: Policies): unknown[] {
  const objects: unknown[] = pods.map((s, i) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `p${i}`, namespace: 'a', labels: { app: `p${i}` } },
    spec: { containers: [{ name: 'c', ports: [{ containerPort: 443 }] }] },
    status: {
      ...(s.phase !== undefined ? { phase: s.phase } : {}),
      ...(s.podIP !== undefined ? { podIP: s.podIP } : {}),
      ...(s.podIPs !== undefined ? { podIPs: s.podIPs.map((ip) => ({ ip })) } : {}),
    },
  }));
  objects.push({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'out', namespace: 'a' },
    spec: { podSelector: { matchLabels: { app: 'p0' } }, policyTypes: ['Egress'], egress: p.npCidrs.map((cidr) => ({ to: [{ ipBlock: { cidr } }] })) },
  });
  if (p.tier.length > 0) {
    objects.push({
      apiVersion: 'policy.networking.k8s.io/v1alpha1',
      kind: 'AdminNetworkPolicy',
      metadata: { name: 'tier' },
      spec: { priority: 1, subject: { namespaces: {} }, egress: p.tier.map((r, k) => ({ name: `r${k}`, action: r.action, to: [{ networks: [r.cidr] }] })) },
    });
  }
  return objects;
}

const isBad = (v: unknown) => typeof v !== 'string' || !/^(10\.|fd00::|2001:db8::)/.test(v) || v.endsWith('zz') || v === '10.0.0.300';

test('a bad address field never reads allowed where some real address there would be denied', () => {
  fc.assert(fc.property(
    fc.tuple(podArb(0), podArb(1), podArb(2)), policyArb, fc.nat(),
    (pods, p, pick) => {
      const r = Reachability.fromManifests(manifests(pods, p));
      // Each bad field of a Running pod (or one without phase) is reported (an empty one on a Pending pod is no address yet).
      const reported = r.skipped.map((s) => `${s.object} ${s.reason}`).join('\n');
      pods.forEach((s, i) => {
        const fields = [...(s.podIP !== undefined ? [['status.podIP', s.podIP]] : []), ...(s.podIPs ?? []).map((v, k) => [`status.podIPs[${k}].ip`, v])];
        for (const [name, v] of fields) {
          const absent = v === null && name === 'status.podIP';
          const noneYet = v === '' && s.phase === 'Pending';
          if (isBad(v) && !absent && !noneYet) expect(reported).toContain(`a/p${i} ${name as string} `);
        }
      });
      // A substitution of good addresses into every bad field.
      let n = pick;
      // (A null status.podIP is a field left out, not a bad one: it stays out.)
      // (An empty field of a Pending pod is no address yet, as the model reads it: it stays empty.)
      const sub = (i: number, v: unknown, single: boolean, pending: boolean) => (v === null && single ? undefined
        : v === '' && pending ? v : isBad(v) ? goodOf(i)[(n++) % 4] : v);
      const fixed = pods.map((s, i) => ({
        ...s,
        podIP: s.podIP === undefined ? undefined : sub(i, s.podIP, true, s.phase === 'Pending'),
        podIPs: s.podIPs?.map((v) => sub(i, v, false, s.phase === 'Pending')),
      }));
      const g = Reachability.fromManifests(manifests(fixed, p));
      const m = r.matrix(HTTPS);
      for (const from of r.endpoints) {
        for (const to of r.endpoints) {
          const allowed = r.allows(from, to, HTTPS);
          expect(`${from} ${to} ${m.isAllowed(from, to)}`).toBe(`${from} ${to} ${allowed}`);
          if (allowed) expect(`${from} -> ${to} ${g.allows(from, to, HTTPS)}`).toBe(`${from} -> ${to} true`);
        }
      }
    },
  ), fuzzParameters(150));
});
