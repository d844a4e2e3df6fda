import { JsonFormat, Port, Reachability, SideDecision } from '../../src';
import { probePorts } from '../../src/analysis/probe-ports';

/**
 * Which ports the all-ports views probe (connectivity without ports, Reachability.diff): every port
 * a policy names, the bounds of every range, and per protocol one "other port" that no rule names
 * or covers; and how a diff lists what changed.
 */
const NS = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'kubernetes.io/metadata.name': 'shop' } } };

function pod(name: string, ip: string, kind = 'Pod'): any {
  const spec = { containers: [{ name: 'main', image: 'registry.example/app:1' }] };
  if (kind === 'Pod') return { apiVersion: 'v1', kind, metadata: { name, namespace: 'shop', labels: { app: name } }, spec, status: { podIP: ip } };
  return {
    apiVersion: 'apps/v1',
    kind,
    metadata: { name, namespace: 'shop' },
    spec: { replicas: 2, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec } },
  };
}

function policy(name: string, spec: any): any {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: 'shop' }, spec };
}

const api = pod('api', '10.0.0.1');
const web = pod('web', '10.0.0.2');
const denyAll = policy('deny', { podSelector: {}, policyTypes: ['Ingress'] });
const open = Reachability.fromManifests([NS, api, web]);

function edges(r: Reachability): string[] {
  return r.connectivity().edges.map((e) => `${e.from} -> ${e.to}: ${e.ports.join(', ')}`);
}

describe('the ports probed', () => {
  test('are sorted by number within each protocol, whatever order the policy lists them in', () => {
    const r = Reachability.fromManifests([NS, api, web, policy('api-in', { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ ports: [{ port: 8080 }, { port: 443 }, { port: 80 }] }] })]);
    expect(Reachability.diff(open, r).ports).toEqual(['80/TCP', '443/TCP', '8080/TCP', 'other TCP ports', 'other UDP ports', 'other SCTP ports']);
    expect(edges(r)).toContain('shop/web -> shop/api: 80/TCP, 443/TCP, 8080/TCP');
  });

  test('"other ports" stands for a port no rule names: with 65535 allowed, it is not allowed', () => {
    const r = Reachability.fromManifests([NS, api, web, policy('api-in', { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ ports: [{ port: 65535 }] }] })]);
    expect(edges(r)).toContain('shop/web -> shop/api: 65535/TCP');
    expect(r.allows('shop/web', 'shop/api', Port.tcp(65534))).toBe(false);
  });

  test('"other ports" lies outside every range: a range up to 65535 does not make every port allowed', () => {
    const r = Reachability.fromManifests([NS, api, web, policy('api-in', { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ ports: [{ port: 30000, endPort: 65535 }] }] })]);
    expect(Reachability.diff(open, r).ports).toEqual(['30000-65535/TCP', 'other TCP ports', 'other UDP ports', 'other SCTP ports']);
    expect(edges(r)).toContain('shop/web -> shop/api: 30000-65535/TCP');
    const closed = Reachability.diff(open, r).closed.map((c) => `${c.from} -> ${c.to}: ${c.ports.join(', ')}`);
    expect(closed).toEqual(['shop/web -> shop/api: other TCP ports, other UDP ports, other SCTP ports']);
  });

  test('every port of one protocol allowed: the edge says so, and the other protocols stay denied', () => {
    const r = Reachability.fromManifests([NS, api, web, policy('api-in', { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ ports: [{ protocol: 'UDP' }] }] })]);
    expect(edges(r)).toContain('shop/web -> shop/api: all UDP ports');
    expect(r.allows('shop/web', 'shop/api', Port.tcp(80))).toBe(false);
    // A port entry without a number adds no port to probe.
    expect(Reachability.diff(open, r).ports).toEqual(['other TCP ports', 'other UDP ports', 'other SCTP ports']);
  });

  test('"other ports" is below every allowed range and apart from every allowed port, with several ranges', () => {
    const ports = [{ port: 1 }, { port: 100, endPort: 200 }, { port: 30000, endPort: 65535 }];
    const r = Reachability.fromManifests([NS, api, web, policy('api-in', { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ ports }] })]);
    expect(Reachability.diff(open, r).ports).toEqual(['1/TCP', '100-200/TCP', '30000-65535/TCP', 'other TCP ports', 'other UDP ports', 'other SCTP ports']);
    expect(edges(r)).toContain('shop/web -> shop/api: 1/TCP, 100-200/TCP, 30000-65535/TCP');
    expect(r.allows('shop/web', 'shop/api', Port.tcp(29999))).toBe(false);
  });
});

describe('a diff', () => {
  test('names the rules of both sides, egress and ingress', () => {
    const egress = policy('web-out', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ ports: [{ port: 5432 }] }] });
    const after = Reachability.fromManifests([NS, api, web, egress, denyAll]);
    const d = Reachability.diff(open, after);
    const change = d.closed.find((c) => c.from === 'shop/web' && c.to === 'shop/api')!;
    expect(change.ports).toEqual(['5432/TCP', 'other TCP ports', 'other UDP ports', 'other SCTP ports']);
    expect(change.after!.egress).toMatchObject({ decision: SideDecision.ALLOWED, allowedBy: [{ policy: 'shop/web-out', direction: 'egress', rule: 0 }], isolatingPolicies: ['shop/web-out'] });
    expect(change.after!.ingress).toMatchObject({ decision: SideDecision.DENIED, allowedBy: [], isolatingPolicies: ['shop/deny'] });
    expect(change.before!.egress).toMatchObject({ decision: SideDecision.NOT_ISOLATED, allowedBy: [], isolatingPolicies: [] });
  });

  test('never lists an endpoint against itself, even when a pod becomes a workload of several replicas', () => {
    const before = Reachability.fromManifests([NS, api, web, denyAll]);
    const after = Reachability.fromManifests([NS, pod('api', '', 'Deployment'), web, denyAll]);
    const d = Reachability.diff(before, after);
    expect([...d.opened, ...d.closed].filter((c) => c.from === c.to)).toEqual([]);
    expect(after.allows('shop/api', 'shop/api', Port.tcp(80))).toBe(false);
    expect(before.allows('shop/api', 'shop/api', Port.tcp(80))).toBe(true);
  });

  test('lists changes between endpoints in the same order when the two sets list them differently', () => {
    const before = Reachability.fromManifests([NS, api, web]);
    const after = Reachability.fromManifests([NS, pod('cache', '10.0.0.3'), web, api, denyAll]);
    const d = Reachability.diff(before, after);
    expect(d.addedEndpoints).toEqual(['shop/cache']);
    expect(d.closed.map((c) => `${c.from} -> ${c.to}`)).toEqual(['shop/api -> shop/web', 'shop/web -> shop/api']);
  });

  test('explains the first 2000 changes and marks the rest as not explained', () => {
    const pods = Array.from({ length: 50 }, (_, i) => pod(`p${String(i).padStart(2, '0')}`, `10.0.1.${i + 1}`));
    const before = Reachability.fromManifests([NS, ...pods]);
    const after = Reachability.fromManifests([NS, ...pods, denyAll]);
    const closed = Reachability.diff(before, after).closed;
    expect(closed).toHaveLength(50 * 49);
    expect(closed.filter((c) => c.after?.ingress.decision === SideDecision.DENIED)).toHaveLength(2000);
    const rest = closed.filter((c) => c.after === undefined);
    expect(rest).toHaveLength(450);
    expect(rest[0].before).toBeUndefined();
    expect(JSON.stringify(JsonFormat.diff(Reachability.diff(before, after)))).toContain('not explained (too many changes)');
  });
});

describe('what a diff must never miss (hostile review)', () => {
  const workload = (name: string) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'shop' },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: name }] } },
    },
  });
  const ingress = (name: string, app: string, rule: Record<string, unknown>) => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace: 'shop' },
    spec: { podSelector: { matchLabels: { app } }, policyTypes: ['Ingress'], ingress: [rule] },
  });

  test('two single ports becoming the range between them opens the ports inside it', () => {
    const from = { from: [{ podSelector: { matchLabels: { app: 'web' } } }] };
    const before = Reachability.fromManifests([workload('web'), workload('api'), ingress('api-in', 'api', { ...from, ports: [{ port: 8000 }, { port: 9000 }] })]);
    const after = Reachability.fromManifests([workload('web'), workload('api'), ingress('api-in', 'api', { ...from, ports: [{ port: 8000, endPort: 9000 }] })]);
    const d = Reachability.diff(before, after);
    expect(d.opened.map((c) => `${c.from} -> ${c.to}: ${c.ports.join(', ')}`)).toEqual(['shop/web -> shop/api: 8001-8999/TCP']);
    expect(after.allows('shop/web', 'shop/api', Port.tcp(8500))).toBe(true);
    expect(before.allows('shop/web', 'shop/api', Port.tcp(8500))).toBe(false);
  });

  test('replicas of a workload reaching each other is a change the diff reports; a pod to itself is not', () => {
    const from = (app: string) => ({ ports: [{ port: 6379 }], from: [{ podSelector: { matchLabels: { app } } }] });
    const before = Reachability.fromManifests([workload('redis'), ingress('redis-in', 'redis', from('web'))]);
    const after = Reachability.fromManifests([workload('redis'), ingress('redis-in', 'redis', from('redis'))]);
    expect(Reachability.diff(before, after).opened.map((c) => `${c.from} -> ${c.to}: ${c.ports.join(', ')}`)).toEqual(['shop/redis -> shop/redis: 6379/TCP']);
    const single = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'redis', namespace: 'shop', labels: { app: 'redis' } } };
    const podBefore = Reachability.fromManifests([single, ingress('redis-in', 'redis', from('web'))]);
    const podAfter = Reachability.fromManifests([single, ingress('redis-in', 'redis', from('redis'))]);
    expect(Reachability.diff(podBefore, podAfter).opened).toEqual([]);
  });
});

test('extra ports (observed ones) are probed too, and the stand-in for other ports avoids them and the ranges', () => {
  const ranged = Reachability.fromManifests([NS, api, web, policy('api-in', {
    podSelector: { matchLabels: { app: 'api' } }, ingress: [{ ports: [{ port: 65000, endPort: 65534 }] }],
  })]);
  const probes = probePorts([ranged._cluster], [{ port: 65535, protocol: 'TCP' }, { port: 9000, protocol: 'UDP' }, { port: 9000, protocol: 'UDP' }]);
  expect(probes.map((p) => `${p.label}=${p.query.port}`)).toEqual([
    '65000-65534/TCP=65000', '65535/TCP=65535', 'other TCP ports=64999', '9000/UDP=9000', 'other UDP ports=65535', 'other SCTP ports=65535',
  ]);
  expect(probePorts([ranged._cluster]).map((p) => p.label)).toEqual(['65000-65534/TCP', 'other TCP ports', 'other UDP ports', 'other SCTP ports']);
});
