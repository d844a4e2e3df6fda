import * as fs from 'fs';
import * as path from 'path';
import { StackIntent } from './intent';
import { Prng } from './prng';
import { sizePaths } from './workspace';
import { runCliAsync } from '../src/cli/run';

/**
 * `netpol replay` and `netpol generate` on a flow export of the 1,000-service application: Hubble
 * events (`hubble observe -o json`) of its dependencies, as a cluster running it would record them
 * (each connection seen at both ends, replies, DNS queries, the kubelet's probes, calls to the
 * external ranges), at two sizes. The number of distinct connections is the same at both sizes, so
 * memory must not grow with the number of lines: the report gives the ratio of the peaks.
 */

/** The service count of the application whose flows are replayed. */
export const FLOW_SERVICES = 1000;
/** The flow-export sizes (lines) by default: the larger is a million lines, the smaller a quarter of it. */
export const DEFAULT_FLOW_LINES = [250_000, 1_000_000];
/** The most the peak memory may grow from the smaller export to the larger (the target). */
export const FLOW_PEAK_RATIO_TARGET = 1.25;

/** The flow file of one size. */
export function flowFile(work: string, lines: number): string {
  return path.join(sizePaths(work, FLOW_SERVICES).root, `flows-${lines}.jsonl`);
}

/** A pod of a service: its namespace, name, labels and address (one of three replicas). */
interface FlowPod {
  readonly end: Record<string, unknown>;
  readonly ip: string;
}

const DNS_POD: FlowPod = {
  ip: '10.96.0.10',
  end: {
    ID: 12,
    identity: 102,
    namespace: 'kube-system',
    pod_name: 'coredns-5d78c9869d-8kq2w',
    labels: ['k8s:k8s-app=kube-dns', 'k8s:io.kubernetes.pod.namespace=kube-system'],
  },
};

/**
 * Writes `lines` Hubble events of the intent's traffic to `file`, streamed (a few MiB at a time):
 * the same connections whatever the size, each event a new time and source port.
 */
export function writeFlowExport(intent: StackIntent, file: string, lines: number): { bytes: number; connections: number } {
  const rng = new Prng(lines ^ 0x5eed);
  const pods = intent.services.map((s, i) => [0, 1, 2].map((r): FlowPod => ({
    ip: `10.${(i >> 8) + 1}.${i & 0xff}.${10 + r}`,
    end: {
      ID: 1000 + i * 3 + r,
      identity: 20000 + i,
      namespace: s.namespace,
      pod_name: `${s.name}-6d5f8b7c9d-${'abc'[r]}x${r}k`,
      labels: [`k8s:app=${s.name}`, 'k8s:pod-template-hash=6d5f8b7c9d', `k8s:io.kubernetes.pod.namespace=${s.namespace}`],
      workloads: [{ name: s.name, kind: 'Deployment' }],
    },
  })));
  // Every dependency port, every external call and every service's DNS query: the connections.
  const targets: Array<{ from: number; to?: number; ip?: string; port: number; udp?: boolean; names?: string[] }> = [];
  for (const d of intent.dependencies) for (const port of d.ports) targets.push({ from: d.from, to: d.to, port });
  for (const e of intent.externals) {
    const base = e.target.cidr.split('/')[0].split('.').slice(0, 3).join('.');
    targets.push({ from: e.from, ip: `${base}.${10 + (e.from % 5)}`, port: e.target.port, names: [`${e.target.name}.example`] });
  }
  intent.services.forEach((_, i) => targets.push({ from: i, port: 53, udp: true }));
  const fd = fs.openSync(file, 'w');
  let buffer: string[] = [];
  let bytes = 0;
  const flush = () => {
    const text = buffer.join('');
    bytes += Buffer.byteLength(text);
    fs.writeSync(fd, text);
    buffer = [];
  };
  try {
    for (let n = 0; n < lines; n++) {
      const t = targets[rng.int(0, targets.length - 1)];
      const src = pods[t.from][rng.int(0, 2)];
      const dst = t.to !== undefined ? pods[t.to][rng.int(0, 2)] : t.ip ? { ip: t.ip, end: { identity: 2, labels: ['reserved:world'] } } : DNS_POD;
      const kind = rng.int(0, 9);
      // 1 in 10 a reply, 1 in 10 the kubelet's probe of the destination (both folded), else the call, at the source or the destination.
      const reply = kind === 0;
      const probe = kind === 1 && t.to !== undefined;
      const from = probe ? { ip: '10.0.0.1', end: { identity: 1, labels: ['reserved:host'] } } : reply ? dst : src;
      const to = reply ? src : dst;
      const sport = 30000 + (n % 30000);
      const l4 = t.udp ? { UDP: { source_port: reply ? t.port : sport, destination_port: reply ? sport : t.port } }
        : {
          TCP: {
            source_port: reply ? t.port : sport,
            destination_port: reply ? sport : t.port,
            flags: reply ? { SYN: true, ACK: true } : { SYN: true },
          },
        };
      const time = new Date(Date.UTC(2025, 5, 2, 9, 0, 0) + n * 3).toISOString();
      const flow = {
        time,
        verdict: 'FORWARDED',
        IP: { source: from.ip, destination: to.ip, ipVersion: 'IPv4' },
        l4,
        source: from.end,
        destination: to.end,
        Type: 'L3_L4',
        node_name: `node-${n % 7}`,
        traffic_direction: probe || kind > 5 ? 'INGRESS' : 'EGRESS',
        is_reply: reply,
        ...(t.names && !reply ? { destination_names: t.names } : {}),
      };
      buffer.push(`${JSON.stringify({ flow, node_name: flow.node_name, time })}\n`);
      if (buffer.length >= 10_000) flush();
    }
    flush();
  } finally {
    fs.closeSync(fd);
  }
  return { bytes, connections: targets.length };
}

/** What a flow scenario reports. */
export interface FlowOutcome {
  readonly ms: number;
  readonly exitCode: number;
  readonly outputBytes: number;
  readonly stderr: string;
}

/**
 * Runs `netpol replay <library> <pods> --flows <file> --format json` or `netpol generate --flows
 * <file> --manifests <pods> --out <file>` in this process, through the CLI's own entry point, and
 * times it (one run: a million lines is its own warm-up).
 */
export async function runFlowCommand(command: 'replay' | 'generate', work: string, lines: number): Promise<FlowOutcome> {
  const paths = sizePaths(work, FLOW_SERVICES);
  const file = flowFile(work, lines);
  const out = path.join(paths.root, `generated-${lines}.ts`);
  const argv = command === 'replay'
    ? ['replay', paths.libraryDir, paths.podsDir, '--flows', file, '--format', 'json']
    : ['generate', '--flows', file, '--manifests', paths.podsDir, '--out', out];
  let outputBytes = 0;
  let stderr = '';
  const started = process.hrtime.bigint();
  const exitCode = await runCliAsync(argv, {
    stdout: (t) => (outputBytes += t.length),
    stderr: (t) => (stderr += t),
    readStdin: () => Buffer.alloc(0),
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (command === 'generate' && fs.existsSync(out)) outputBytes = fs.statSync(out).size;
  return { ms, exitCode, outputBytes, stderr: stderr.slice(0, 2000) };
}
