import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Readable } from 'stream';
import * as v8 from 'v8';
import * as vm from 'vm';
import { SHOP_MANIFESTS } from './manifests';
import { FlowFile, FlowProgress, ObservedFlows } from '../../src';
import { MAX_FLOW_LINE, readFlowStream } from '../../src/adapters/flow-file';
import { FlowInputError } from '../../src/flows/collector';

const FIXTURES = path.join(__dirname, 'fixtures');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-flows-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

test.each(['hubble.jsonl', 'calico.jsonl', 'plain.csv', 'plain.jsonl'])('%s read from the file is what the text reads', async (name) => {
  const file = path.join(FIXTURES, name);
  const streamed = await FlowFile.read(file, { manifests: SHOP_MANIFESTS });
  const whole = ObservedFlows.fromText(fs.readFileSync(file, 'utf8'), { manifests: SHOP_MANIFESTS, sourceName: file });
  expect(streamed.connections).toEqual(whole.connections);
  expect(streamed.summary).toEqual(whole.summary);
  expect(streamed.connections.length).toBeGreaterThan(0);
});

test('CRLF line breaks, no final line break, and chunks that split lines and UTF-8 characters read as whole lines', async () => {
  const text = 'source,destination,note,port,protocol\r\nshop/web,shop/api,"café ☕",8080,TCP\r\nshop/web,shop/db,ünïcödé,5432,TCP';
  const bytes = Buffer.from(text, 'utf8');
  // 7-byte chunks cut through the two-byte é and the three-byte ☕
  const chunks = Array.from({ length: Math.ceil(bytes.length / 7) }, (_, i) => bytes.subarray(i * 7, i * 7 + 7));
  const flows = await readFlowStream(Readable.from(chunks), { sourceName: 'chunks', manifests: SHOP_MANIFESTS });
  expect(flows.connections.map((c) => `${c.source.id} -> ${c.destination.id}:${c.port}`)).toEqual(['shop/web -> shop/api:8080', 'shop/web -> shop/db:5432']);
  expect(flows.summary).toMatchObject({ lines: 3, records: 2, invalid: 0, ignoredFields: ['note'] });
});

test('a file that cannot be read is refused with its name and the reason', async () => {
  await expect(FlowFile.read(path.join(tmp, 'missing.jsonl'))).rejects.toThrow(`cannot read flows from ${path.join(tmp, 'missing.jsonl')}: no such file`);
  await expect(FlowFile.read(tmp)).rejects.toThrow(`cannot read flows from ${tmp}: it is a directory, not a file`);
});

test('a problem with the manifests is reported as one, not as an unreadable flow file', async () => {
  const twice = [SHOP_MANIFESTS[0], SHOP_MANIFESTS[0]];
  await expect(FlowFile.read(path.join(FIXTURES, 'plain.csv'), { manifests: twice })).rejects.toThrow(/^two endpoints have the id shop\/web/);
});

test('invalid lines of a file fail the read with their numbers, unless skipped', async () => {
  const file = path.join(FIXTURES, 'hubble-invalid.jsonl');
  const error = await FlowFile.read(file).catch((e) => e);
  expect(error).toBeInstanceOf(FlowInputError);
  expect((error as FlowInputError).problems.map((p) => p.line)).toEqual([2, 4, 5, 6]);
  expect((error as Error).message).toContain(`${file}:4: verdict "MAYBE" is not a Hubble verdict`);
  const skipped = await FlowFile.read(file, { skipInvalid: true });
  expect(skipped.summary).toMatchObject({ invalid: 4, records: 3 });
});

test('a line longer than the limit is invalid, and the lines after it still read', async () => {
  const long = `shop/web,shop/api,8080,TCP,${'x'.repeat(MAX_FLOW_LINE)}`;
  const input = ['source,destination,port,protocol,note', long, 'shop/web,shop/db,5432,TCP,ok', ''].join('\n');
  const flows = await readFlowStream(Readable.from([input.slice(0, 1000), input.slice(1000, 700_000), input.slice(700_000)]), { sourceName: 'long', skipInvalid: true });
  expect(flows.summary.invalidLines).toEqual([{ line: 2, reason: `longer than ${MAX_FLOW_LINE} characters: not a flow record (is the input one record per line?)` }]);
  expect(flows.summary).toMatchObject({ lines: 3, records: 1 });
  expect(flows.connections.map((c) => c.destination.id)).toEqual(['shop/db']);
});

test('reading stops at the 21st invalid line without reading the rest of the input', async () => {
  let produced = 0;
  function* garbage() {
    for (let i = 0; i < 1_000_000; i++) {
      produced++;
      yield `{"flow": ${i}}\n`;
    }
  }
  await expect(readFlowStream(Readable.from(garbage()), { sourceName: 'garbage' })).rejects.toThrow(/more than 20 invalid lines \(reading stopped at line 21\)/);
  expect(produced).toBeLessThan(10_000);
});

/**
 * Hubble lines as `hubble observe -o json` prints them: pods of 25 Deployments calling pods of 40
 * others (200 pairs), each connection seen leaving its source (EGRESS), arriving at its destination
 * (INGRESS), answered (a reply), and continued (the next packet, EGRESS), in rounds.
 */
function* hubbleExport(lines: number): Generator<string> {
  const endpoint = (app: string, pod: string) => `{"ID":${app.length * 97},"identity":${20000 + app.length},"namespace":"shop",`
    + `"labels":["k8s:app=${app}","k8s:io.cilium.k8s.policy.cluster=default","k8s:io.kubernetes.pod.namespace=shop"],`
    + `"pod_name":"${pod}","workloads":[{"name":"${app}","kind":"Deployment"}]}`;
  // The parts of each line that do not change from round to round, around its time and source port.
  const templates = Array.from({ length: 800 }, (_, t) => {
    const pair = t % 200;
    const kind = Math.floor(t / 200); // 0: egress, 1: ingress (the same packet at the destination), 2: the reply, 3: the next packet
    const from = `svc${pair % 25}`;
    const to = `svc${25 + ((pair * 7) % 40)}`;
    const [src, dst, direction] = kind === 2 ? [to, from, 'INGRESS'] : [from, to, kind === 1 ? 'INGRESS' : 'EGRESS'];
    const flag = kind === 0 ? 'SYN' : 'ACK';
    const tail = `,"flags":{"${flag}":true}}},"source":${endpoint(src, `${src}-7c8bb96bdb-hxmxg`)},"destination":${endpoint(dst, `${dst}-5d9f7c6b8d-q2wzk`)},`
      + `"Type":"L3_L4","node_name":"node-${pair % 3}","event_type":{"type":4},"traffic_direction":"${direction}","trace_observation_point":"TO_ENDPOINT",`
      + `"is_reply":${kind === 2},"interface":{"index":14,"name":"lxc3b09"},"Summary":"TCP Flags: ${flag}"},"node_name":"node-${pair % 3}","time":"`;
    return { reply: kind === 2, ip: `"IP":{"source":"10.0.1.${pair}","destination":"10.0.2.${pair}","ipVersion":"IPv4"}`, tail };
  });
  const start = Date.UTC(2025, 0, 10, 9);
  for (let i = 0; i < lines; i++) {
    const t = templates[(Math.floor(i / 200) % 4) * 200 + (i % 200)];
    const time = new Date(start + i).toISOString();
    const sport = 30000 + (Math.floor(i / 800) % 20000);
    const ports = t.reply ? `"source_port":8080,"destination_port":${sport}` : `"source_port":${sport},"destination_port":8080`;
    yield `{"flow":{"time":"${time}","uuid":"6c0f5d0e-${i}-4c3e-9b1a-2f7e0c1d3b4a","verdict":"FORWARDED",${t.ip},"l4":{"TCP":{${ports}${t.tail}${time}"}\n`;
  }
}

test('a large export streams in memory that does not grow with its lines', async () => {
  const LINES = 200_000;
  let bytes = 0;
  // The heap after a full collection, every 20,000 lines: what the reader holds, not its garbage.
  v8.setFlagsFromString('--expose-gc');
  const gc: () => void = vm.runInNewContext('gc');
  const heap: number[] = [];
  // in chunks of 100 lines (about 100 kB), as a file is read
  function* measured() {
    let i = 0;
    let chunk = '';
    for (const line of hubbleExport(LINES)) {
      bytes += line.length;
      if (i++ % 20_000 === 0) {
        gc();
        heap.push(process.memoryUsage().heapUsed);
      }
      chunk += line;
      if (i % 100 === 0) {
        yield chunk;
        chunk = '';
      }
    }
    yield chunk;
  }
  const progress: FlowProgress[] = [];
  const flows = await readFlowStream(Readable.from(measured()), { sourceName: 'export', progress: { onProgress: (p) => progress.push(p) } });

  expect(flows.summary).toMatchObject({ lines: LINES, records: LINES * 3 / 4, connections: flows.connections.length, invalid: 0 });
  expect(flows.summary.folded).toEqual([{ reason: 'REPLY', count: LINES / 4 }]);
  expect(flows.connections.length).toBe(200);
  // each connection: seen at its source (EGRESS, twice per round) and its destination (INGRESS, once): counted at the source
  expect(flows.connections.every((c) => c.count === LINES / 4 / 200 * 2)).toBe(true);
  // the input is over 150 MB; holding its lines would take that much heap
  expect(bytes).toBeGreaterThan(150_000_000);
  // from the first 20,000 lines to the last, the heap grows by less than 8 MB: holding the lines would take 150 MB,
  // holding 40 bytes for each line 8 MB
  expect(Math.max(...heap.slice(1)) - heap[1]).toBeLessThan(8_000_000);
  expect(progress[progress.length - 1]).toMatchObject({ lines: LINES, bytes, connections: 200 });
}, 60_000);
