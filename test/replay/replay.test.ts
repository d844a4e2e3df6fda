import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { ThreeTier } from '../../examples/three-tier';
import {
  Direction, FlowReplay, JsonFormat, ObservedEndKind, ObservedFlows, Port, Protocol, Reachability, ReachabilityOptions, SideDecision, TextFormat,
} from '../../src';
import { replayVerdict } from '../../src/analysis/replay';

/**
 * Observed flows of the three-tier shop, replayed against its policies before they are enforced.
 * The fixtures are written from the published formats (Hubble `flow.proto` as `hubble observe -o
 * json` prints it, Calico flow log records, the plain CSV form).
 */
const FIXTURES = path.join(__dirname, 'fixtures');
const MANIFESTS = Testing.synth(new ThreeTier(Testing.app(), 'three-tier'));

function replay(fixture: string, options: ReachabilityOptions = {}, manifests: any[] = MANIFESTS): FlowReplay {
  const flows = ObservedFlows.fromText(fs.readFileSync(path.join(FIXTURES, fixture), 'utf8'), { manifests, sourceName: fixture });
  return FlowReplay.fromManifests(manifests, flows, options);
}

/** `from -> to port/protocol` of every connection of the pairs. */
function connections(pairs: FlowReplay['blocked']): string[] {
  return pairs.flatMap((p) => p.connections.map((c) => `${p.from} -> ${p.to} ${c.port}/${c.protocol}`));
}

describe('Hubble flows of the three-tier shop', () => {
  const r = replay('three-tier-hubble.jsonl');

  test('the observed connections the policies would block, each with the side that denies it', () => {
    expect(connections(r.blocked)).toEqual(['shop/backend -> 198.51.100.7 443/TCP', 'shop/frontend -> shop/postgres 5432/TCP']);
    expect(r.passed).toBe(false);
    const [partner, shortcut] = r.blocked;
    expect(partner).toMatchObject({ fromKind: ObservedEndKind.WORKLOAD, toKind: ObservedEndKind.EXTERNAL });
    expect(partner.connections[0].verdict).toMatchObject({
      allowed: false,
      egress: { decision: SideDecision.DENIED, isolatingPolicies: ['shop/backend-egress', 'shop/default-deny'], allowedBy: [] },
      ingress: { decision: SideDecision.OUTSIDE_CLUSTER },
    });
    expect(shortcut.connections[0].verdict).toMatchObject({
      egress: { decision: SideDecision.DENIED, isolatingPolicies: ['shop/default-deny', 'shop/frontend-egress'] },
      ingress: { decision: SideDecision.DENIED, isolatingPolicies: ['shop/default-deny', 'shop/postgres-ingress'] },
    });
    // Three SYNs of the shortcut, all let through today (nothing is enforced yet).
    expect(shortcut.connections[0].observed).toMatchObject({ count: 3, verdicts: [{ verdict: 'FORWARDED', count: 3 }] });
    // The analyser agrees, on the model the replay used.
    expect(r.reachability.allows('shop/frontend', 'shop/postgres', Port.tcp(5432))).toBe(false);
    expect(r.reachability.allows('shop/backend', '198.51.100.7', Port.tcp(443))).toBe(false);
  });

  test('the observed connections the policies allow, with the rules that allow them', () => {
    expect(connections(r.allowed)).toEqual([
      'ingress-nginx/ingress-nginx-controller -> shop/frontend 8080/TCP',
      'shop/backend -> 203.0.113.10 443/TCP',
      'shop/backend -> shop/postgres 5432/TCP',
      'shop/frontend -> kube-system/coredns 53/UDP',
      'shop/frontend -> shop/backend 8080/TCP',
    ]);
    const ingress = r.allowed[0];
    expect(ingress.fromKind).toBe(ObservedEndKind.UNDECLARED_WORKLOAD);
    // Seen at both ends (EGRESS at the controller's node, INGRESS at the frontend's): counted once.
    expect(ingress.connections[0].observed.count).toBe(1);
    expect(ingress.connections[0].verdict.ingress.allowedBy).toEqual([{ policy: 'shop/frontend-ingress', direction: 'ingress', rule: 0, byIpBlock: false }]);
    expect(r.allowed[1].connections[0].verdict.egress.allowedBy).toEqual([{ policy: 'shop/backend-egress', direction: 'egress', rule: 0, byIpBlock: true }]);
    expect(r.allowed[3].toKind).toBe(ObservedEndKind.DNS);
    for (const c of r.allowed.flatMap((p) => p.connections)) expect(r.reachability.allows(c.from, c.to, Port.of(c.protocol, c.port))).toBe(true);
  });

  test('allowed connections between the observed endpoints that were never observed: by rules, and open ones', () => {
    expect(r.neverObserved).toEqual([
      {
        from: 'shop/backend',
        to: 'kube-system/coredns',
        ports: ['53/TCP', '53/UDP'],
        allowedBy: [{ policy: 'shop/backend-egress', direction: 'egress', rule: 2, byIpBlock: false }],
        notIsolated: [Direction.INGRESS],
      },
      {
        from: 'shop/frontend',
        to: 'kube-system/coredns',
        ports: ['53/TCP'],
        allowedBy: [{ policy: 'shop/frontend-egress', direction: 'egress', rule: 1, byIpBlock: false }],
        notIsolated: [Direction.INGRESS],
      },
      {
        from: 'shop/postgres',
        to: 'kube-system/coredns',
        ports: ['53/TCP', '53/UDP'],
        allowedBy: [{ policy: 'shop/postgres-egress', direction: 'egress', rule: 0, byIpBlock: false }],
        notIsolated: [Direction.INGRESS],
      },
    ]);
    // The frontend's DNS over UDP was observed, so only TCP is a candidate; no denied pair is listed.
    expect(r.neverObserved.some((u) => u.from === 'shop/frontend' && u.to === 'shop/postgres')).toBe(false);
    // Nothing isolates the controller or the DNS server: open on every port, not candidates of a rule.
    expect(r.openNeverObserved.map((u) => `${u.from} -> ${u.to}`)).toContain('ingress-nginx/ingress-nginx-controller -> kube-system/coredns');
    for (const u of r.openNeverObserved) {
      expect(u.allowedBy).toEqual([]);
      expect(u.ports).toContain('other TCP ports');
    }
    // Two addresses outside the cluster: no policy decides traffic between them.
    expect(r.openNeverObserved.some((u) => u.from === '203.0.113.10' && u.to === '198.51.100.7')).toBe(false);
    expect(r.summary).toMatchObject({ neverObserved: 3, openNeverObserved: r.openNeverObserved.length });
  });

  test('a connection to the API server is not replayed: listed with the reason and the risk, not failing the gate', () => {
    expect(r.notReplayed).toHaveLength(1);
    expect(r.notReplayed[0]).toMatchObject({
      observed: { source: { id: 'shop/backend' }, destination: { kind: ObservedEndKind.HOST, id: 'kube-apiserver' }, port: 443 },
      isolatingPolicies: ['shop/backend-egress', 'shop/default-deny'],
    });
    expect(r.notReplayed[0].reason).toMatch(/^kube-apiserver is the Kubernetes API server: the model has no nodes/);
    expect(r.unmappedEnds).toEqual([{ kind: ObservedEndKind.HOST, id: 'kube-apiserver', reason: r.notReplayed[0].reason, connections: 1 }]);
    expect(TextFormat.replay(r)).toContain('    egress of shop/backend is isolated by shop/backend-egress, shop/default-deny: '
      + 'only an ipBlock rule with the address of kube-apiserver can allow it, which the replay cannot check, so it may be blocked');
  });

  test('the ends the manifests lack join the model with the labels the flows show', () => {
    expect(r.added).toEqual([
      { id: '198.51.100.7', kind: ObservedEndKind.EXTERNAL, assumedLabels: false, ip: '198.51.100.7', dnsNames: ['hooks.partner.example'] },
      { id: '203.0.113.10', kind: ObservedEndKind.EXTERNAL, assumedLabels: false, ip: '203.0.113.10', dnsNames: ['api.payments.example'] },
      {
        id: 'ingress-nginx/ingress-nginx-controller',
        kind: ObservedEndKind.UNDECLARED_WORKLOAD,
        assumedLabels: false,
        labels: { 'app.kubernetes.io/component': 'controller', 'app.kubernetes.io/instance': 'ingress-nginx', 'app.kubernetes.io/name': 'ingress-nginx' },
      },
      { id: 'kube-system/coredns', kind: ObservedEndKind.DNS, assumedLabels: false, labels: { 'k8s-app': 'kube-dns' } },
    ]);
  });

  test('the summary: every observed connection is blocked, allowed or not replayed', () => {
    expect(r.summary).toMatchObject({ observed: 8, blocked: 2, allowed: 5, notReplayed: 1, unmappedEnds: 1 });
    expect(r.summary.flows).toMatchObject({ lines: 14, records: 12, folded: [{ reason: 'REPLY', count: 1 }, { reason: 'NODE_HEALTH_CHECK', count: 1 }] });
    expect(r.summary.blocked + r.summary.allowed + r.summary.notReplayed).toBe(r.summary.observed);
  });

  test('every verdict is the one function\'s (where a second, staged policy set will be judged too)', () => {
    for (const c of [...r.blocked, ...r.allowed].flatMap((p) => p.connections)) {
      expect(replayVerdict(r.reachability, c.from, c.to, c.port, c.protocol)).toEqual(c.verdict);
    }
  });
});

describe('Calico flow logs of the three-tier shop', () => {
  const r = replay('three-tier-calico.jsonl');

  test('the DNS server without labels (aggregated away) is modelled as k8s-app=kube-dns, and the frontend may resolve names', () => {
    expect(r.added).toEqual([{ id: 'kube-system/coredns', kind: ObservedEndKind.DNS, assumedLabels: true, labels: { 'k8s-app': 'kube-dns' } }]);
    expect(connections(r.allowed)).toContain('shop/frontend -> kube-system/coredns 53/UDP');
    expect(TextFormat.replay(r)).toContain('  kube-system/coredns: DNS server, labels k8s-app=kube-dns (assumed: the flows give none)');
  });

  test('a connection Calico already denies stays visible, with its observed verdict', () => {
    expect(connections(r.blocked)).toEqual(['shop/frontend -> shop/postgres 5432/TCP']);
    expect(r.blocked[0].connections[0].observed.verdicts).toEqual([{ verdict: 'DROPPED', count: 2 }]);
  });

  test('public addresses aggregated to pub cannot be replayed: said so, with how to get addresses', () => {
    expect(r.notReplayed.map((n) => `${n.observed.source.id} -> ${n.observed.destination.id}`)).toEqual(['shop/backend -> pub']);
    expect(r.unmappedEnds).toEqual([{
      kind: ObservedEndKind.EXTERNAL,
      id: 'pub',
      reason: 'pub is an aggregate of addresses outside the cluster (Calico\'s pub: public addresses) without an address, so no ipBlock rule can be '
        + 'evaluated against it; export the flow logs with their addresses (an aggregation level that keeps IPs) to replay it',
      connections: 1,
    }]);
  });
});

describe('what the caller knows wins over what the flows show', () => {
  test('an address given as an external endpoint keeps its name', () => {
    const r = replay('three-tier-hubble.jsonl', { externals: [{ name: 'payment-api', ip: '203.0.113.10' }] });
    expect(connections(r.allowed)).toContain('shop/backend -> payment-api 443/TCP');
    expect(r.added.map((a) => a.id)).not.toContain('203.0.113.10');
  });

  test('a pod given in the options is used with its labels instead of the observed ones', () => {
    const unlabelled = { pods: [{ namespace: 'ingress-nginx', name: 'ingress-nginx-controller', labels: { app: 'something-else' } }] };
    const r = replay('three-tier-hubble.jsonl', unlabelled);
    expect(connections(r.blocked)).toContain('ingress-nginx/ingress-nginx-controller -> shop/frontend 8080/TCP');
    expect(r.added.map((a) => a.id)).not.toContain('ingress-nginx/ingress-nginx-controller');
  });

  test('a name of another endpoint that looks like an observed address is refused, not silently merged', () => {
    expect(() => replay('three-tier-hubble.jsonl', { externals: [{ name: '203.0.113.10', ip: '203.0.113.99' }] }))
      .toThrow('the address 203.0.113.10 of the flows cannot join the model as an external endpoint: an endpoint of another address is named "203.0.113.10"');
  });
});

test('an undeclared workload stands for its replicas: its traffic to itself is decided by the policies, not loopback', () => {
  const deny = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny', namespace: 'shop' }, spec: { podSelector: {}, policyTypes: ['Ingress'] } };
  const open = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'peers', namespace: 'shop' },
    spec: { podSelector: {}, ingress: [{ from: [{ podSelector: {} }], ports: [{ port: 9000 }] }] },
  };
  const csv = 'source,destination,port,protocol\nshop/worker,shop/worker,9000,TCP\nshop/worker,shop/worker,9001,TCP\n';
  const r = FlowReplay.fromManifests([deny, open], ObservedFlows.fromText(csv));
  expect(connections(r.blocked)).toEqual(['shop/worker -> shop/worker 9001/TCP']);
  expect(connections(r.allowed)).toEqual(['shop/worker -> shop/worker 9000/TCP']);
  expect(r.blocked[0].connections[0].verdict.notes).toEqual([]);
});

test('ports no policy mentions but that were observed are probed for never-observed connections', () => {
  const api = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'api', namespace: 'shop' },
    spec: { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }] },
  };
  const pods = ['web', 'api'].map((n) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: n, namespace: 'shop', labels: { app: n } } }));
  const csv = 'source,destination,port,protocol\nshop/web,shop/api,9443,TCP\n';
  const r = FlowReplay.fromManifests([...pods, api], ObservedFlows.fromText(csv));
  expect(r.neverObserved).toEqual([{
    from: 'shop/web',
    to: 'shop/api',
    ports: ['other TCP ports', 'other UDP ports', 'other SCTP ports'],
    allowedBy: [{ policy: 'shop/api', direction: 'ingress', rule: 0, byIpBlock: false }],
    notIsolated: [Direction.EGRESS],
  }]);
  // The stand-in for "other TCP ports" is not the observed port.
  expect(r.reachability.allows('shop/web', 'shop/api', Port.tcp(9443))).toBe(true);
  expect(r.openNeverObserved.map((u) => `${u.from} -> ${u.to}`)).toEqual(['shop/api -> shop/web']);
});

test('the same flows in another order give byte-identical output', () => {
  const lines = fs.readFileSync(path.join(FIXTURES, 'three-tier-hubble.jsonl'), 'utf8').trim().split('\n');
  const a = FlowReplay.fromManifests(MANIFESTS, ObservedFlows.fromLines(lines, { manifests: MANIFESTS, sourceName: 'f' }));
  const b = FlowReplay.fromManifests(MANIFESTS, ObservedFlows.fromLines([...lines].reverse(), { manifests: MANIFESTS, sourceName: 'f' }));
  expect(JSON.stringify(JsonFormat.replay(b))).toBe(JSON.stringify(JsonFormat.replay(a)));
  expect(TextFormat.replay(b)).toBe(TextFormat.replay(a));
});

test('flows with nothing observed pass, with every count zero', () => {
  const r = FlowReplay.fromManifests(MANIFESTS, ObservedFlows.fromText('source,destination,port,protocol\n'));
  expect(r.passed).toBe(true);
  expect(r.summary).toMatchObject({ observed: 0, allowed: 0, blocked: 0, notReplayed: 0, neverObserved: 0, openNeverObserved: 0, unmappedEnds: 0 });
  expect(TextFormat.replay(r).split('\n')[0]).toBe('netpol replay: 0 observed connections: 0 blocked, 0 allowed, 0 not replayed; never observed: 0 pairs allowed by rules, 0 open');
});

test('Reachability: a model pod that stands for a workload is not loopback to itself', () => {
  const deny = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny', namespace: 'shop' }, spec: { podSelector: {}, policyTypes: ['Ingress'] } };
  const pod = { namespace: 'shop', name: 'x', labels: {} };
  const one = Reachability.fromManifests([deny], { pods: [pod] }).explain('shop/x', 'shop/x', Port.of(Protocol.TCP, 80));
  const replicas = Reachability.fromManifests([deny], { pods: [{ ...pod, workload: true }] }).explain('shop/x', 'shop/x', Port.of(Protocol.TCP, 80));
  expect({ allowed: one.allowed, loopback: one.loopback }).toEqual({ allowed: true, loopback: true });
  expect({ allowed: replicas.allowed, loopback: replicas.loopback }).toEqual({ allowed: false, loopback: false });
  expect(Reachability.fromManifests([deny], { pods: [{ ...pod, workload: true }] }).matrix(Port.tcp(80)).isLoopback('shop/x', 'shop/x')).toBe(false);
});
