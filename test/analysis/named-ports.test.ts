import { Port, Protocol, Reachability, SideDecision, TextFormat } from '../../src';

/**
 * A named port matches only a container port of the destination pod with that name AND the
 * protocol (of the rule, or of the question asked). Each pod here declares a name on one protocol
 * only, so a check that forgot the protocol would find the name on the other one.
 */
const NS = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'kubernetes.io/metadata.name': 'shop' } } };

function pod(name: string, ports: Array<{ name: string; containerPort: number; protocol?: string }>, ip: string): any {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'shop', labels: { app: name } },
    spec: { containers: [{ name: 'main', image: 'registry.example/app:1', ports }] },
    status: { podIP: ip },
  };
}

function ingressTo(app: string, ports: any[]): any {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: `${app}-in`, namespace: 'shop' },
    spec: { podSelector: { matchLabels: { app } }, policyTypes: ['Ingress'], ingress: [{ ports }] },
  };
}

// `metrics` is a UDP port (9090) on the collector, a TCP port (9100) on the exporter.
const collector = pod('collector', [{ name: 'metrics', containerPort: 9090, protocol: 'UDP' }], '10.0.0.1');
const exporter = pod('exporter', [{ name: 'metrics', containerPort: 9100 }], '10.0.0.2');
const client = pod('client', [], '10.0.0.3');

describe('asking by name: the name is resolved with the protocol asked', () => {
  const r = Reachability.fromManifests([NS, collector, exporter, client]);

  test('a TCP question finds no UDP port of that name: nothing to connect to', () => {
    const e = r.explain('shop/client', 'shop/collector', Port.named('metrics'));
    expect(e.allowed).toBe(false);
    expect(TextFormat.explanation(e)).toContain('shop/collector has no TCP container port named "metrics", so there is nothing to connect to');
    expect(r.matrix(Port.named('metrics')).isAllowed('shop/client', 'shop/collector')).toBe(false);
  });

  test('the UDP question resolves it to its number, and no policy denies it', () => {
    const e = r.explain('shop/client', 'shop/collector', Port.named('metrics', Protocol.UDP));
    expect(e.allowed).toBe(true);
    expect(TextFormat.explanation(e)).toContain('metrics/UDP (9090)');
    expect(r.matrix(Port.named('metrics', Protocol.UDP)).isAllowed('shop/client', 'shop/collector')).toBe(true);
  });

  test('each destination resolves the name on its own ports', () => {
    const m = r.matrix(Port.named('metrics'));
    expect(m.isAllowed('shop/client', 'shop/exporter')).toBe(true);
    expect(m.isAllowed('shop/client', 'shop/collector')).toBe(false);
    expect(TextFormat.explanation(r.explain('shop/client', 'shop/exporter', Port.named('metrics')))).toContain('metrics/TCP (9100)');
    const udp = r.matrix(Port.named('metrics', Protocol.UDP));
    expect(udp.isAllowed('shop/client', 'shop/exporter')).toBe(false);
  });
});

describe('a rule with a named port', () => {
  test('of the wrong protocol for the pod (TCP rule, UDP container port) allows that port on neither protocol', () => {
    const r = Reachability.fromManifests([NS, collector, client, ingressTo('collector', [{ port: 'metrics' }])]);
    expect(r.allows('shop/client', 'shop/collector', Port.udp(9090))).toBe(false);
    expect(r.allows('shop/client', 'shop/collector', Port.tcp(9090))).toBe(false);
    expect(r.allows('shop/client', 'shop/collector', Port.named('metrics', Protocol.UDP))).toBe(false);
    expect(r.matrix(Port.udp(9090)).isAllowed('shop/client', 'shop/collector')).toBe(false);
    expect(r.matrix(Port.tcp(9090)).isAllowed('shop/client', 'shop/collector')).toBe(false);
  });

  test('of the pod\'s protocol allows exactly that number on that protocol', () => {
    const r = Reachability.fromManifests([NS, collector, client, ingressTo('collector', [{ port: 'metrics', protocol: 'UDP' }])]);
    expect(r.allows('shop/client', 'shop/collector', Port.udp(9090))).toBe(true);
    expect(r.allows('shop/client', 'shop/collector', Port.named('metrics', Protocol.UDP))).toBe(true);
    expect(r.allows('shop/client', 'shop/collector', Port.tcp(9090))).toBe(false);
    expect(r.allows('shop/client', 'shop/collector', Port.udp(9091))).toBe(false);
    expect(r.matrix(Port.udp(9090)).isAllowed('shop/client', 'shop/collector')).toBe(true);
    expect(r.matrix(Port.tcp(9090)).isAllowed('shop/client', 'shop/collector')).toBe(false);
  });

  test('all ports probed: a name is turned into the numbers of the pods that have it on the rule\'s protocol', () => {
    const policies = [ingressTo('collector', [{ port: 'metrics', protocol: 'UDP' }]), ingressTo('exporter', [{ port: 'metrics', protocol: 'UDP' }])];
    const r = Reachability.fromManifests([NS, collector, exporter, client, ...policies]);
    const edges = r.connectivity().edges.map((e) => `${e.from} -> ${e.to}: ${e.ports.join(', ')}`);
    expect(edges).toContain('shop/client -> shop/collector: 9090/UDP');
    expect(edges.filter((e) => e.includes('-> shop/exporter'))).toEqual([]);
    // The exporter's TCP `metrics` (9100) is no UDP port: it is not probed.
    const none = Reachability.fromManifests([NS, collector, exporter, client]);
    expect(Reachability.diff(none, r).ports).toEqual(['other TCP ports', '9090/UDP', 'other UDP ports', 'other SCTP ports']);
  });
});

describe('a named port is resolved on the destination, never on the source', () => {
  // Both pods call a port `http`: 8080 on the server, 9090 on the client.
  const server = pod('server', [{ name: 'http', containerPort: 8080 }], '10.0.0.4');
  const caller = pod('caller', [{ name: 'http', containerPort: 9090 }], '10.0.0.5');

  test('ingress: the rule\'s `http` is the server\'s 8080', () => {
    const r = Reachability.fromManifests([NS, server, caller, ingressTo('server', [{ port: 'http' }])]);
    expect(r.allows('shop/caller', 'shop/server', Port.tcp(8080))).toBe(true);
    expect(r.allows('shop/caller', 'shop/server', Port.tcp(9090))).toBe(false);
    expect(r.matrix(Port.tcp(9090)).isAllowed('shop/caller', 'shop/server')).toBe(false);
  });

  test('egress: the rule\'s `http` is the destination\'s 8080, not the caller\'s own 9090', () => {
    const egress = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'caller-out', namespace: 'shop' },
      spec: { podSelector: { matchLabels: { app: 'caller' } }, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'http' }] }] },
    };
    const r = Reachability.fromManifests([NS, server, caller, egress]);
    expect(r.allows('shop/caller', 'shop/server', Port.tcp(8080))).toBe(true);
    expect(r.allows('shop/caller', 'shop/server', Port.tcp(9090))).toBe(false);
    expect(TextFormat.explanation(r.explain('shop/caller', 'shop/server', Port.tcp(8080)))).toContain('shop/caller-out egress[0]');
  });
});

describe('a diff where a named port changes protocol', () => {
  test('TCP metrics becoming UDP metrics closes the TCP port and opens nothing', () => {
    const rule = ingressTo('exporter', [{ port: 'metrics' }]);
    const before = Reachability.fromManifests([NS, exporter, client, rule]);
    const after = Reachability.fromManifests([NS, pod('exporter', [{ name: 'metrics', containerPort: 9100, protocol: 'UDP' }], '10.0.0.2'), client, rule]);
    const d = Reachability.diff(before, after);
    expect(d.ports).toEqual(['9100/TCP', 'other TCP ports', 'other UDP ports', 'other SCTP ports']);
    expect(d.closed.map((c) => `${c.from} -> ${c.to}: ${c.ports.join(', ')}`)).toEqual(['shop/client -> shop/exporter: 9100/TCP']);
    expect(d.closed[0].before!.ingress).toMatchObject({ decision: SideDecision.ALLOWED, allowedBy: [{ policy: 'shop/exporter-in', direction: 'ingress', rule: 0 }], isolatingPolicies: ['shop/exporter-in'] });
    expect(d.closed[0].after!.ingress).toMatchObject({ decision: SideDecision.DENIED, allowedBy: [], isolatingPolicies: ['shop/exporter-in'] });
    expect(d.opened).toEqual([]);
  });
});
