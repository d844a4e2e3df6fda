import * as fs from 'fs';
import { RESULT_MARKER } from './child-process';
import { generateCluster } from './cluster';
import { Prng } from './prng';
import { DEFAULT_READ_LIMITS, readManifests, ReadResult } from '../src/adapters/manifest-reader';
import { EndpointClasses } from '../src/analysis/equivalence';
import { GroupedMatrix } from '../src/analysis/grouped-matrix';
import { IncrementalDiff } from '../src/analysis/incremental-diff';
import { computeMatrix } from '../src/analysis/matrix';
import { probePorts } from '../src/analysis/probe-ports';
import { Reachability } from '../src/analysis/reachability';
import { JsonFormat } from '../src/formats/json';
import { withModelWorkloads } from '../src/k8s/objects';
import { Port } from '../src/model/port';

/**
 * One child process of the cluster-scale benchmark (see cluster-run.ts); prints one JSON line after
 * `RESULT_MARKER` with the peak resident memory of this process.
 *
 * Usage: cluster-child.js <prepare | scale | side | diff | grouped | blast> <pods> <file>
 */

/** Pod pairs checked against the pair-by-pair reference at each size. */
const SAMPLE = 10_000;

function ms(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function portOf(q: { port?: number; name?: string; protocol: string }): Port {
  const n = q.port!;
  return q.protocol === 'UDP' ? Port.udp(n) : q.protocol === 'SCTP' ? Port.sctp(n) : Port.tcp(n);
}

/**
 * Load and all-pairs connectivity for every port that matters, by classes. The dump is loaded as
 * the CLI loads it (`readInputs`, `analyseInputs` without surroundings): `readManifests` with the
 * default limits (read, parse, and the depth and size check a hostile input needs), then the model
 * of what it read, the `kind: List` opened by the model, so `readMs` is what a user waits for.
 */
function scale(file: string): Record<string, unknown> {
  const cpu = process.cpuUsage();
  let t = process.hrtime.bigint();
  let read: ReadResult | undefined = readManifests([file], () => Buffer.alloc(0), DEFAULT_READ_LIMITS);
  if (read.problems.length > 0) throw new Error(`cannot read ${file}: ${read.problems[0].message}`);
  const readMs = ms(t);
  t = process.hrtime.bigint();
  const r = Reachability._fromSourced(withModelWorkloads(read.objects, []));
  read = undefined; // the model keeps what it needs: the parsed dump need not stay alive
  const modelMs = ms(t);
  t = process.hrtime.bigint();
  const cluster = r._cluster;
  const classes = EndpointClasses.of(cluster);
  const classesMs = ms(t);
  t = process.hrtime.bigint();
  const probes = probePorts([cluster]);
  const matrices = probes.map((p) => classes.matrix(p.query));
  const allowed = matrices.map((m) => m.allowedCount());
  const matrixMs = ms(t);
  const totalMs = readMs + modelMs + classesMs + matrixMs;
  // CPU time of the same steps (user + system, every thread of the process): on a loaded machine
  // the wall-clock figures include the time spent waiting for a core.
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000;
  // Untimed: the pair-by-pair reference (`explain`) on a sample of pod pairs, one probe each.
  const rng = new Prng(99);
  const n = cluster.endpoints.length;
  let mismatches = 0;
  let allowedInSample = 0;
  for (let k = 0; k < SAMPLE; k++) {
    const s = rng.int(0, n - 1);
    const d = rng.int(0, n - 1);
    const p = rng.int(0, probes.length - 1);
    const reference = r.explain(cluster.endpoints[s].id, cluster.endpoints[d].id, portOf(probes[p].query)).allowed;
    if (reference) allowedInSample++;
    if (reference !== matrices[p].allowed(s, d)) mismatches++;
  }
  return {
    endpoints: n,
    policies: cluster.policies.length,
    namespaces: cluster.namespaces.size,
    classes: classes.size,
    probes: probes.length,
    allowedPairs: allowed.reduce((a, b) => a + b, 0),
    readMs,
    modelMs,
    classesMs,
    matrixMs,
    totalMs,
    cpuMs,
    sample: SAMPLE,
    allowedInSample,
    mismatches,
  };
}

/**
 * `netpol matrix --group-by namespace --format json` on port 8080/TCP as the CLI runs it once the
 * cluster is modelled: the classes, the class matrix of the port, the grouped matrix, its JSON
 * streamed into a byte count (nothing kept). On the generated cluster, where four fifths of the
 * namespaces have no policy (everything reaches them), and on the same cluster with a default deny
 * of ingress added to every namespace (most pairs of namespaces then have nothing allowed).
 */
function grouped(file: string): Record<string, unknown> {
  const list = JSON.parse(fs.readFileSync(file, 'utf8'));
  const asGenerated = groupedJson(Reachability.fromManifests(list.items));
  const namespaces: string[] = list.items.filter((o: any) => o.kind === 'Namespace').map((o: any) => o.metadata.name);
  const denies = namespaces.map((namespace) => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'bench-default-deny', namespace },
    spec: { podSelector: {}, policyTypes: ['Ingress'] },
  }));
  const everyNamespaceDenies = groupedJson(Reachability.fromManifests([...list.items, ...denies]));
  return { asGenerated, everyNamespaceDenies };
}

/**
 * The grouped JSON of `r`, timed from the classes on. `cells` are the pairs of namespaces with an
 * allowed pair, against `groupPairs`, every ordered pair (a cell each before only the allowed were
 * listed); the listed counts must sum to the class matrix's allowed pairs (`mismatches` 1 if not).
 */
function groupedJson(r: Reachability): Record<string, unknown> {
  const cpu = process.cpuUsage();
  const t = process.hrtime.bigint();
  const matrix = EndpointClasses.of(r._cluster).matrix({ port: 8080, protocol: 'TCP' });
  const g = new GroupedMatrix(matrix, 'namespace');
  let bytes = 0;
  JsonFormat._streamGroupedMatrix(g, '8080/TCP', (text) => (bytes += Buffer.byteLength(text)));
  const totalMs = ms(t);
  const used = process.cpuUsage(cpu);
  // Untimed: the cells counted again, and their sum against the class matrix.
  let cells = 0;
  let allowed = 0;
  g.groups.forEach((_, i) => {
    for (const c of g.cellsFrom(i)) {
      cells++;
      allowed += c.allowed;
    }
  });
  return {
    groups: g.groups.length,
    groupPairs: g.groups.length ** 2,
    cells,
    bytes,
    totalMs,
    cpuMs: (used.user + used.system) / 1000,
    mismatches: allowed === matrix.allowedCount() ? 0 : 1,
  };
}

/**
 * Today's matrix (every pod pair) and the class matrix for one port, alternately, with their ratio:
 * the ratio of the two medians printed beside it (a median of the per-run ratios could disagree
 * with both figures: 164 vs 152 ms read as 1.7x). The first pair warms the JIT up and is not counted.
 */
function side(file: string): Record<string, unknown> {
  const list = JSON.parse(fs.readFileSync(file, 'utf8'));
  const r = Reachability.fromManifests(list.items);
  const cluster = r._cluster;
  const query = { port: 8080, protocol: 'TCP' };
  const ratios: number[] = [];
  const pods: number[] = [];
  const byClass: number[] = [];
  let mismatches = 0;
  for (let i = 0; i < 6; i++) {
    let t = process.hrtime.bigint();
    const rows = computeMatrix(cluster, query).rows;
    const a = ms(t);
    t = process.hrtime.bigint();
    const m = EndpointClasses.of(cluster).matrix(query);
    const count = m.allowedCount();
    const b = ms(t);
    if (i === 0) {
      const direct = rows.reduce((sum, row) => sum + row.members().length, 0);
      if (direct !== count) mismatches++;
      for (let s = 0; s < rows.length; s += 97) if (!m.row(s).equals(rows[s])) mismatches++;
    }
    if (i === 0) continue; // warm-up
    pods.push(a);
    byClass.push(b);
    ratios.push(a / b);
  }
  // Every port that matters: today's matrix once per port, against the classes (computed once) and
  // their matrix per port, alternately.
  const probes = probePorts([cluster]);
  const allRatios: number[] = [];
  const allPods: number[] = [];
  const allClasses: number[] = [];
  for (let i = 0; i < 4; i++) {
    let t = process.hrtime.bigint();
    for (const p of probes) computeMatrix(cluster, p.query);
    const a = ms(t);
    t = process.hrtime.bigint();
    const classes = EndpointClasses.of(cluster);
    for (const p of probes) classes.matrix(p.query).allowedCount();
    const b = ms(t);
    if (i === 0) continue; // warm-up
    allPods.push(a);
    allClasses.push(b);
    allRatios.push(a / b);
  }
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  return {
    podsMs: median(pods),
    classesMs: median(byClass),
    ratio: median(pods) / median(byClass),
    ratios,
    mismatches,
    endpoints: cluster.endpoints.length,
    probes: probes.length,
    allPortsPodsMs: median(allPods),
    allPortsClassesMs: median(allClasses),
    allPortsRatio: median(allPods) / median(allClasses),
    allPortsRatios: allRatios,
  };
}

/**
 * The diff of the cluster and a copy with 1% of its policies changed (every 100th policy with
 * ingress rules allows the same peers on port 8081/TCP instead of its ports), as `netpol diff` runs
 * it at cluster scale: both snapshots read from their files and modelled, the classes over both,
 * only the touched classes recomputed, and the changed connections counted by class pair (never
 * listed one by one). Timed in wall clock and in CPU time (user + system).
 */
function diff(file: string): Record<string, unknown> {
  // Untimed: the after snapshot, written to its own file.
  const list = JSON.parse(fs.readFileSync(file, 'utf8'));
  let policies = 0;
  let changedPolicies = 0;
  const changed = list.items.map((o: any) => {
    if (o.kind !== 'NetworkPolicy') return o;
    policies++;
    if (!Array.isArray(o.spec.ingress) || o.spec.ingress.length === 0 || changedPolicies >= policies / 100) return o;
    changedPolicies++;
    return { ...o, spec: { ...o.spec, ingress: o.spec.ingress.map((r: any) => ({ ...r, ports: [{ port: 8081, protocol: 'TCP' }] })) } };
  });
  const afterFile = `${file}.after.json`;
  fs.writeFileSync(afterFile, JSON.stringify({ ...list, items: changed }));
  const cpu = process.cpuUsage();
  let t = process.hrtime.bigint();
  const read = (f: string) => (JSON.parse(fs.readFileSync(f, 'utf8')).items as unknown[]).map((object) => ({ object }));
  // As `netpol diff` models them: the after side on the before side's compiled policies.
  const [before, after] = Reachability._snapshots(read(file), read(afterFile));
  const loadMs = ms(t);
  const loadCpu = process.cpuUsage(cpu);
  t = process.hrtime.bigint();
  const d = IncrementalDiff.of(before._cluster, after._cluster);
  // Connections (endpoint pairs) opened and closed on at least one port, as the lists of Reachability.diff count them.
  const { opened, closed } = d.connectionCounts();
  const diffMs = ms(t);
  const used = process.cpuUsage(cpu);
  fs.unlinkSync(afterFile);
  return {
    policies,
    changedPolicies,
    loadMs,
    diffMs,
    totalMs: loadMs + diffMs,
    cpuMs: (used.user + used.system) / 1000,
    loadCpuMs: (loadCpu.user + loadCpu.system) / 1000,
    classes: d.classCount,
    touched: d.touchedCount,
    ports: d.probes.length,
    touchedPorts: d.touchedProbes,
    classPairs: d.changes.reduce((n, c) => n + c.length, 0),
    opened,
    closed,
  };
}

/**
 * `netpol blast-radius` of one pod (the first of the cluster) at cluster scale: load, then the
 * search on the class matrices of every port that matters. Timed in wall clock and CPU time.
 */
function blast(file: string): Record<string, unknown> {
  let t = process.hrtime.bigint();
  const r = Reachability.fromManifests(JSON.parse(fs.readFileSync(file, 'utf8')).items);
  const loadMs = ms(t);
  const source = r._cluster.endpoints.find((e) => !e.external && e.namespace !== undefined)!;
  const cpu = process.cpuUsage();
  t = process.hrtime.bigint();
  const b = r.blastRadius(source.id);
  const blastMs = ms(t);
  const used = process.cpuUsage(cpu);
  return {
    from: source.id,
    loadMs,
    blastMs,
    cpuMs: (used.user + used.system) / 1000,
    reached: b.reached.length,
    direct: b.direct.length,
    deepest: b.reached.reduce((d, x) => Math.max(d, x.depth), 0),
  };
}

function main(argv: string[]): void {
  const [mode, pods, file] = argv;
  let result: Record<string, unknown>;
  try {
    if (mode === 'prepare') {
      const c = generateCluster(Number(pods));
      fs.writeFileSync(file, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: c.items }));
      result = { namespaces: c.namespaces, pods: c.pods, policies: c.policies, bytes: fs.statSync(file).size };
    } else if (mode === 'scale') {
      result = scale(file);
    } else if (mode === 'diff') {
      result = diff(file);
    } else if (mode === 'grouped') {
      result = grouped(file);
    } else if (mode === 'side') {
      result = side(file);
    } else if (mode === 'blast') {
      result = blast(file);
    } else {
      throw new Error(`unknown mode ${mode}`);
    }
  } catch (e) {
    result = { error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
  }
  process.stdout.write(`${RESULT_MARKER}${JSON.stringify({ ...result, peakMiB: process.resourceUsage().maxRSS / 1024 })}\n`);
}

main(process.argv.slice(2));
