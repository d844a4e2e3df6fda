import * as fs from 'fs';
import * as path from 'path';
import { SHOP_MANIFESTS } from './manifests';
import { FlowFormat, FlowVerdict, FoldReason, ObservedConnection, ObservedEndKind, ObservedFlows, Protocol, ReadFlowsOptions } from '../../src';

const FIXTURES = path.join(__dirname, 'fixtures');
const fixture = (name: string) => fs.readFileSync(path.join(FIXTURES, name), 'utf8');
const read = (name: string, options: ReadFlowsOptions = {}) =>
  ObservedFlows.fromText(fixture(name), { manifests: SHOP_MANIFESTS, sourceName: name, ...options });

/** `kind:id -> kind:id port/protocol xcount verdict=n,...`, one line per connection. */
function lines(flows: ObservedFlows): string[] {
  return flows.connections.map(describeConnection);
}
function describeConnection(c: ObservedConnection): string {
  const end = (e: ObservedConnection['source']) => `${e.kind}:${e.id}`;
  return `${end(c.source)} -> ${end(c.destination)} ${c.port}/${c.protocol} x${c.count} ${c.verdicts.map((v) => `${v.verdict}=${v.count}`).join(',')}`;
}
function connection(flows: ObservedFlows, source: string, destination: string, port: number): ObservedConnection {
  const found = flows.connections.find((c) => c.source.id === source && c.destination.id === destination && c.port === port);
  if (!found) throw new Error(`no connection ${source} -> ${destination}:${port} in\n${lines(flows).join('\n')}`);
  return found;
}
function folded(flows: ObservedFlows): Record<string, number> {
  return Object.fromEntries(flows.summary.folded.map((f) => [f.reason, f.count]));
}
/** Every line is a record, folded or invalid. */
function expectEveryLineAccountedFor(flows: ObservedFlows): void {
  const s = flows.summary;
  expect(s.records + s.folded.reduce((n, f) => n + f.count, 0) + s.invalid).toBe(s.lines);
}

describe('Cilium Hubble (hubble observe -o json)', () => {
  const flows = read('hubble.jsonl');

  test('each flow is mapped to the workload of the manifests, an undeclared workload, an address, the DNS server or the node', () => {
    expect(flows.summary.format).toBe(FlowFormat.HUBBLE);
    expect(lines(flows)).toEqual([
      'EXTERNAL:203.0.113.7 -> WORKLOAD:shop/api 8080/TCP x1 DROPPED=1',
      'UNDECLARED_WORKLOAD:monitoring/metrics-agent -> WORKLOAD:shop/api 9090/TCP x1 FORWARDED=1',
      'HOST:remote-node -> WORKLOAD:shop/api 8080/TCP x1 FORWARDED=1',
      'WORKLOAD:shop/api -> HOST:host 10250/TCP x1 FORWARDED=1',
      'WORKLOAD:shop/api -> UNDECLARED_WORKLOAD:shop/cache 6379/TCP x1 FORWARDED=1',
      'WORKLOAD:shop/api -> WORKLOAD:shop/db 5432/TCP x2 FORWARDED=2',
      'WORKLOAD:shop/payments -> WORKLOAD:shop/api 8080/TCP x1 FORWARDED=1',
      'WORKLOAD:shop/web -> EXTERNAL:104.18.0.1 443/TCP x1 FORWARDED=1',
      'WORKLOAD:shop/web -> DNS:kube-system/coredns 53/UDP x1 FORWARDED=1',
      'WORKLOAD:shop/web -> WORKLOAD:shop/api 8080/TCP x2 FORWARDED=2',
      'WORKLOAD:shop/web -> WORKLOAD:shop/api 9090/TCP x1 FORWARDED=1,DROPPED=1',
      'WORKLOAD:shop/web -> WORKLOAD:shop/db 5432/TCP x1 AUDIT=1',
    ]);
  });

  test('pods are mapped by the workloads field, by the pod name without its suffixes, and by their labels', () => {
    // workloads[0] = {name: web, kind: Deployment}
    expect(connection(flows, 'shop/web', 'shop/api', 8080).source).toEqual({ kind: ObservedEndKind.WORKLOAD, id: 'shop/web', namespace: 'shop', name: 'web', workloadKind: 'Deployment', labels: { app: 'web' } });
    // db-0 and db-1 (StatefulSet ordinals), one of them in a bare lowerCamelCase line
    expect(connection(flows, 'shop/api', 'shop/db', 5432).destination).toMatchObject({ kind: ObservedEndKind.WORKLOAD, workloadKind: 'StatefulSet' });
    // payments-legacy has no hash suffix: its labels (app=payments) select the Deployment payments
    expect(connection(flows, 'shop/payments', 'shop/api', 8080).source).toMatchObject({ kind: ObservedEndKind.WORKLOAD, workloadKind: 'Deployment' });
  });

  test('pods the manifests do not declare keep their namespace, the workload name and the labels every pod carried', () => {
    expect(connection(flows, 'shop/api', 'shop/cache', 6379).destination).toEqual({
      kind: ObservedEndKind.UNDECLARED_WORKLOAD, id: 'shop/cache', namespace: 'shop', name: 'cache', workloadKind: 'Deployment', labels: { app: 'cache' },
    });
    // no workloads field: metrics-agent-7m2xq without the DaemonSet's pod suffix, without controller-revision-hash
    expect(connection(flows, 'monitoring/metrics-agent', 'shop/api', 9090).source).toEqual({
      kind: ObservedEndKind.UNDECLARED_WORKLOAD, id: 'monitoring/metrics-agent', namespace: 'monitoring', name: 'metrics-agent', labels: { 'app.kubernetes.io/name': 'metrics-agent' },
    });
  });

  test('the DNS server, external addresses with their DNS names, and the node are ends of their own', () => {
    expect(connection(flows, 'shop/web', 'kube-system/coredns', 53).destination).toEqual({
      kind: ObservedEndKind.DNS, id: 'kube-system/coredns', namespace: 'kube-system', name: 'coredns', labels: { 'k8s-app': 'kube-dns' },
    });
    expect(connection(flows, 'shop/web', '104.18.0.1', 443).destination).toEqual({ kind: ObservedEndKind.EXTERNAL, id: '104.18.0.1', ip: '104.18.0.1', dnsNames: ['api.stripe.com'] });
    expect(connection(flows, 'shop/api', 'host', 10250).destination).toEqual({ kind: ObservedEndKind.HOST, id: 'host', name: 'host' });
  });

  test('replies, kubelet probes, lost events, ICMP, translations and packets of unknown direction are folded and counted', () => {
    expect(folded(flows)).toEqual({
      [FoldReason.NOT_A_FLOW]: 2, // lost_events, node_status
      [FoldReason.REPLY]: 2, // the SYN-ACK of web -> api, the DNS response
      [FoldReason.DIRECTION_UNKNOWN]: 1, // a UDP trace event at the overlay without is_reply
      [FoldReason.NODE_HEALTH_CHECK]: 1, // reserved:host -> api:8081
      [FoldReason.NOT_L4]: 1,
      [FoldReason.TRANSLATION]: 1,
    });
    expect(flows.summary.lostEvents).toBe(12);
    expect(flows.summary).toMatchObject({ lines: 24, records: 16, connections: 12, invalid: 0 });
    expectEveryLineAccountedFor(flows);
    // what was folded is not a connection: no reply direction, no probe, no ICMP
    expect(flows.connections.filter((c) => c.source.id === 'shop/api' && c.destination.id === 'shop/web')).toEqual([]);
    expect(flows.connections.filter((c) => c.port === 8081 || c.port === 8125 || c.port === 80)).toEqual([]);
  });

  test('a connection seen leaving its source and arriving at its destination counts once, with the verdict of each end', () => {
    // lines 1 (EGRESS at node-a), 2 (INGRESS at node-b) and 4 (the next packet, EGRESS): two records at the source
    const c = connection(flows, 'shop/web', 'shop/api', 8080);
    expect(c).toMatchObject({ count: 2, firstLine: 1, firstSeen: '2025-01-10T09:00:00.123Z', lastSeen: '2025-01-10T09:00:00.126Z' });
    // allowed by web's egress, dropped by api's ingress: observed, and denied today
    expect(connection(flows, 'shop/web', 'shop/api', 9090).verdicts).toEqual([{ verdict: FlowVerdict.FORWARDED, count: 1 }, { verdict: FlowVerdict.DROPPED, count: 1 }]);
    expect(connection(flows, 'shop/web', 'shop/db', 5432).verdicts).toEqual([{ verdict: FlowVerdict.AUDIT, count: 1 }]);
  });

  test('a bare legacy flow with lowerCamelCase keys reads as the same connection as the wrapped snake_case line', () => {
    const wrapped = fixture('hubble.jsonl').split('\n')[0];
    const event = JSON.parse(wrapped).flow;
    const camel = JSON.stringify({
      ...event,
      l4: { TCP: { sourcePort: 51514, destinationPort: 8080, flags: { SYN: true } } },
      source: { ...event.source, podName: event.source.pod_name, pod_name: undefined },
      trafficDirection: event.traffic_direction,
      traffic_direction: undefined,
      isReply: false,
      is_reply: undefined,
    });
    const a = ObservedFlows.fromLines([wrapped], { manifests: SHOP_MANIFESTS });
    const b = ObservedFlows.fromLines([camel], { manifests: SHOP_MANIFESTS });
    expect(lines(b)).toEqual(['WORKLOAD:shop/web -> WORKLOAD:shop/api 8080/TCP x1 FORWARDED=1']);
    expect(b.connections).toEqual(a.connections);
  });

  test('without manifests, pods are undeclared workloads named after their pods', () => {
    const bare = ObservedFlows.fromText(fixture('hubble.jsonl'));
    expect(connection(bare, 'shop/web', 'shop/api', 8080).source.kind).toBe(ObservedEndKind.UNDECLARED_WORKLOAD);
    expect(connection(bare, 'shop/api', 'shop/db', 5432).count).toBe(2); // db-0 and db-1
    expect(connection(bare, 'shop/payments-legacy', 'shop/api', 8080).source.labels).toEqual({ app: 'payments', tier: 'backend' });
    expect(connection(bare, 'shop/web', 'kube-system/coredns', 53).destination.kind).toBe(ObservedEndKind.DNS);
  });
});

describe('Calico flow logs', () => {
  const flows = read('calico.jsonl');

  test('records are mapped to workloads (by pod name, aggregated prefix or CronJob), addresses, aggregates and host endpoints', () => {
    expect(flows.summary.format).toBe(FlowFormat.CALICO);
    expect(lines(flows)).toEqual([
      'HOST:host:node-3-auto-hep -> WORKLOAD:shop/api 8080/TCP x1 FORWARDED=1',
      'WORKLOAD:jobs/report -> WORKLOAD:shop/api 8080/TCP x2 FORWARDED=2',
      'EXTERNAL:pub -> WORKLOAD:shop/api 8080/TCP x3 DROPPED=3',
      'UNDECLARED_WORKLOAD:shop/mailer -> WORKLOAD:shop/web 80/TCP x5 FORWARDED=5',
      'WORKLOAD:shop/web -> EXTERNAL:104.18.0.1 443/TCP x1 FORWARDED=1',
      'WORKLOAD:shop/web -> DNS:kube-system/coredns 53/UDP x41 FORWARDED=41',
      'WORKLOAD:shop/web -> WORKLOAD:shop/api 8080/TCP x1 FORWARDED=1',
    ]);
    expect(connection(flows, 'shop/web', '104.18.0.1', 443).destination.dnsNames).toEqual(['api.stripe.com']);
    expect(connection(flows, 'pub', 'shop/api', 8080).source).toEqual({ kind: ObservedEndKind.EXTERNAL, id: 'pub', name: 'pub' });
    expect(connection(flows, 'shop/mailer', 'shop/web', 80).source.labels).toEqual({ app: 'mailer' });
  });

  test('a connection reported by the source (reporter src) and the destination (reporter dst) counts once', () => {
    // web -> api: one flow reported twice; mailer -> web: 5 flows reported twice
    expect(connection(flows, 'shop/web', 'shop/api', 8080).count).toBe(1);
    expect(connection(flows, 'shop/mailer', 'shop/web', 80).count).toBe(5);
    expect(connection(flows, 'shop/web', 'shop/api', 8080)).toMatchObject({ firstSeen: '2025-01-10T09:00:00.000Z', lastSeen: '2025-01-10T09:05:00.000Z' });
  });

  test('ICMP and records without a destination port are folded and counted', () => {
    expect(folded(flows)).toEqual({ [FoldReason.NOT_L4]: 1, [FoldReason.NO_PORT]: 1 });
    expectEveryLineAccountedFor(flows);
  });
});

describe('the plain form', () => {
  test('CSV: namespace/workload and IP ends, counts summed, comments and extra columns ignored, quoted fields', () => {
    const flows = read('plain.csv');
    expect(flows.summary.format).toBe(FlowFormat.CSV);
    expect(lines(flows)).toEqual([
      'WORKLOAD:shop/api -> DNS:kube-system/coredns 53/UDP x1 FORWARDED=1',
      'WORKLOAD:shop/api -> WORKLOAD:shop/db 5432/SCTP x1 FORWARDED=1',
      'WORKLOAD:shop/web -> EXTERNAL:198.51.100.10 443/TCP x1 FORWARDED=1',
      'WORKLOAD:shop/web -> WORKLOAD:shop/api 8080/TCP x5 FORWARDED=5',
      // 10.0.1.99 is the podIP of the Pod shop/debug of the manifests
      'WORKLOAD:shop/web -> WORKLOAD:shop/debug 22/TCP x1 FORWARDED=1',
    ]);
    expect(flows.summary.ignoredFields).toEqual(['note']);
    expect(folded(flows)).toEqual({ [FoldReason.HEADER]: 1, [FoldReason.BLANK]: 1, [FoldReason.NOT_L4]: 1 });
    expectEveryLineAccountedFor(flows);
  });

  test('JSON Lines: the same keys, a verdict, IPv6 addresses in canonical form', () => {
    const flows = read('plain.jsonl');
    expect(flows.summary.format).toBe(FlowFormat.JSON_LINES);
    expect(lines(flows)).toEqual([
      'EXTERNAL:2001:db8::10 -> WORKLOAD:shop/web 443/TCP x1 FORWARDED=1',
      'WORKLOAD:shop/web -> WORKLOAD:shop/api 8080/TCP x4 FORWARDED=3,DROPPED=1',
    ]);
    expect(flows.summary.ignoredFields).toEqual(['ts']);
  });

  test('a workload the manifests do not declare is taken as written, and kube-system/coredns is the DNS server', () => {
    const flows = ObservedFlows.fromLines(['source,destination,port,protocol', 'shop/web-7c8bb96bdb-hxmxg,kube-system/coredns,53,UDP']);
    expect(flows.connections.map((c) => [c.source.kind, c.source.id, c.destination.kind, c.protocol])).toEqual([
      [ObservedEndKind.UNDECLARED_WORKLOAD, 'shop/web-7c8bb96bdb-hxmxg', ObservedEndKind.DNS, Protocol.UDP],
    ]);
  });
});

describe('malformed input', () => {
  test('is rejected with each line number and what is wrong with it', () => {
    expect(() => read('hubble-invalid.jsonl')).toThrow([
      'hubble-invalid.jsonl (read as HUBBLE): 4 invalid lines:',
      '  hubble-invalid.jsonl:2: not JSON (Unexpected end of JSON input)',
      '  hubble-invalid.jsonl:4: verdict "MAYBE" is not a Hubble verdict (VERDICT_UNKNOWN, FORWARDED, DROPPED, ERROR, AUDIT, REDIRECTED, TRACED, TRANSLATED)',
      '  hubble-invalid.jsonl:5: "l4.TCP.destination_port" is "http", not a port number from 0 to 65535',
      '  hubble-invalid.jsonl:6: not a JSON object but ["not","an","object"]',
      'Fix or remove them, or skip and count invalid lines (skipInvalid: true; --skip-invalid).',
    ].join('\n'));
  });

  test('with skipInvalid, invalid lines are skipped and counted, and the valid ones read', () => {
    const flows = read('hubble-invalid.jsonl', { skipInvalid: true });
    expect(flows.summary.invalid).toBe(4);
    expect(flows.summary.invalidLines.map((l) => l.line)).toEqual([2, 4, 5, 6]);
    expect(lines(flows)).toEqual([
      'WORKLOAD:shop/api -> WORKLOAD:shop/db 5432/TCP x1 FORWARDED=1',
      'WORKLOAD:shop/web -> EXTERNAL:104.18.0.1 443/TCP x1 FORWARDED=1',
      'WORKLOAD:shop/web -> WORKLOAD:shop/api 8080/TCP x1 FORWARDED=1',
    ]);
    expectEveryLineAccountedFor(flows);
  });

  test('reading stops after 20 invalid lines, and says so', () => {
    const input = ['source,destination,port,protocol', ...Array.from({ length: 1000 }, (_, i) => `shop/web,shop/api,${70000 + i},TCP`)];
    expect(() => ObservedFlows.fromLines(input)).toThrow(/more than 20 invalid lines \(reading stopped at line 22\); the first 20:\n {2}<flows>:2: port "70000" is not a port number from 1 to 65535\n/);
  });

  test.each([
    ['plain CSV rows', 'source,destination,port,protocol', ['shop/web,shop/api,8080', 'shop/web,shop/api,8080,HTTP', 'Shop/web,shop/api,80,TCP', 'shop/web,api,80,TCP', 'shop/web,"shop/api,80,TCP'], [
      'has 3 columns, the header 4 (source,destination,port,protocol)',
      'protocol "HTTP" is not TCP, UDP or SCTP',
      'source "Shop/web": the namespace "Shop" is not a namespace name (a lowercase RFC 1123 label must consist of lower case alphanumeric characters or \'-\', and must start and end with an alphanumeric character (e.g. \'my-name\' or \'123-abc\'))',
      'destination "api" is neither <namespace>/<workload> (e.g. shop/web) nor an IP address',
      'has a quoted field without its closing quote',
    ]],
    ['plain JSON Lines', '{"source":"shop/web","destination":"shop/api","port":80,"protocol":"TCP"}', ['{"source":"shop/web","port":80,"protocol":"TCP"}', '{"source":"shop/web","destination":"shop/api","port":80,"protocol":"TCP","count":0}'], [
      'needs "destination" (a plain flow is {"source": "shop/web", "destination": "shop/api", "port": 8080, "protocol": "TCP"})',
      'count "0" is not a whole number of at least 1',
    ]],
    ['Calico records', fixture('calico.jsonl').split('\n')[0], [
      '{"source_type":"wep","dest_type":"wep","proto":"tcp","action":"allow"}',
      fixture('calico.jsonl').split('\n')[0].replace('"reporter":"src"', '"reporter":"out"'),
      fixture('calico.jsonl').split('\n')[0].replace('"dest_port":8080', '"dest_port":"8080"'),
    ], [
      'a Calico flow log record needs "reporter"',
      '"reporter" is "out", not "src" or "dst"',
      '"dest_port" is "8080", not a port number from 1 to 65535',
    ]],
  ])('%s: each problem is named', (_what, first, bad, reasons) => {
    const flows = ObservedFlows.fromLines([first, ...bad], { skipInvalid: true });
    expect(flows.summary.invalidLines).toEqual(reasons.map((reason, i) => ({ line: i + 2, reason })));
    expect(flows.summary.records).toBe(first.startsWith('{') ? 1 : 0);
  });

  test('an input whose format cannot be told is refused at its first line', () => {
    expect(() => ObservedFlows.fromLines(['', 'time src dst port'], { sourceName: 'x.log' }))
      .toThrow('x.log:2: cannot tell the format of the flows: the first line is neither JSON (Hubble, Calico, plain JSON Lines) nor a CSV header naming source,destination,port,protocol. Add the header, or give the format explicitly');
    expect(() => ObservedFlows.fromLines(['{"hello": "world"}'])).toThrow(/<flows>:1: cannot tell the format of the flows from \{"hello":"world"\}/);
    expect(() => ObservedFlows.fromLines(['src,dst,port,protocol'], { format: FlowFormat.CSV }))
      .toThrow(/<flows>:1: the first line is not a CSV header of flows: it has no column "source", "destination"/);
  });

  test('an explicit format reads every line as that format', () => {
    const flows = ObservedFlows.fromText(fixture('calico.jsonl'), { format: FlowFormat.HUBBLE, skipInvalid: true });
    expect(flows.summary.invalid).toBe(11);
    expect(flows.summary.invalidLines[0].reason).toMatch(/^neither a Hubble event/);
  });
});

describe('the result', () => {
  test('is the same for the same input, and cannot be changed', () => {
    const a = read('hubble.jsonl');
    const b = read('hubble.jsonl');
    expect(JSON.stringify(a.connections)).toBe(JSON.stringify(b.connections));
    expect(JSON.stringify(a.summary)).toBe(JSON.stringify(b.summary));
    expect(Object.isFrozen(a.connections)).toBe(true);
    expect(Object.isFrozen(a.connections[0].source)).toBe(true);
    expect(Object.isFrozen(a.connections[0].verdicts)).toBe(true);
    expect(Object.isFrozen(a.summary.folded)).toBe(true);
  });

  test('an empty input has no connections and no format', () => {
    const flows = ObservedFlows.fromText('\n\n');
    expect(flows.connections).toEqual([]);
    expect(flows.summary).toMatchObject({ lines: 2, records: 0, folded: [{ reason: FoldReason.BLANK, count: 2 }] });
    expect(flows.summary.format).toBeUndefined();
  });
});
