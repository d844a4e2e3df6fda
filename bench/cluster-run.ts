import { spawnSync } from 'child_process';
import * as path from 'path';
import { RESULT_MARKER } from './child-process';
import { CLUSTER_PARTS, ClusterPart } from './options';

/**
 * The cluster-scale part of `npm run bench` (issue 17): generated clusters shaped like Antrea's
 * scale test (see cluster.ts) at each size, each step in its own child process (peak RSS of that
 * process): generate (untimed), then load + all-pairs connectivity by equivalence classes for every
 * port that matters, checked against the pair-by-pair reference on 10,000 sampled pod pairs; and at
 * 5,000 pods today's pod-by-pod matrix and the class matrix for one port, alternately in one process.
 */

/** One size's figures. */
export interface ClusterSizeRecord {
  readonly pods: number;
  readonly prepared?: Record<string, any>;
  readonly scale?: Record<string, any>;
  /** `netpol matrix --group-by namespace --format json` (cluster-child.ts `grouped`). */
  readonly grouped?: Record<string, any>;
  /** The incremental diff against a copy with 1% of the policies changed (both snapshots loaded). */
  readonly diff?: Record<string, any>;
  /** One pod's blast radius (cluster-child.ts `blast`). */
  readonly blast?: Record<string, any>;
  readonly error?: string;
}

/** What the cluster-scale part measured. */
export interface ClusterRecord {
  readonly sizes: ClusterSizeRecord[];
  readonly side?: Record<string, any>;
  /** Growth exponents of time and peak memory between consecutive sizes. */
  readonly growth: Array<{ readonly from: number; readonly to: number; readonly time: number; readonly cpu: number; readonly memory: number }>;
}

/** The pod count of the side-by-side comparison with today's matrix. */
export const SIDE_BY_SIDE_PODS = 5000;

function child(entry: string, args: string[], timeoutMs: number, cpuProfDir?: string): Record<string, any> {
  const prof = cpuProfDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`, `--cpu-prof-name=cluster-${args[0]}-${args[1]}.cpuprofile`];
  const r = spawnSync(process.execPath, ['--expose-gc', '--max-old-space-size=4096', ...prof, entry, ...args], {
    cwd: path.join(__dirname, '..'),
    env: { ...process.env, NODE_PATH: path.join(__dirname, '..', 'node_modules') },
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 16 * 1024 * 1024,
  });
  const line = (r.stdout ?? '').split('\n').find((l) => l.startsWith(RESULT_MARKER));
  if (line) return JSON.parse(line.slice(RESULT_MARKER.length));
  return { error: `child exited with ${r.status ?? r.signal}${r.error ? `: ${r.error.message}` : ''}` };
}

/** The largest cluster whose grouped JSON the bench writes (its size grows with the square of the namespaces). */
const GROUPED_MAX_PODS = 20_000;

/**
 * Runs the cluster-scale part; `entry` is the compiled cluster-child.js. `parts`: the steps to run
 * (all by default); `cpuProfDir`: a V8 CPU profile of each timed child goes there.
 */
export function runClusterScale(
  entry: string, work: string, sizes: number[], log: (text: string) => void, parts: ClusterPart[] = CLUSTER_PARTS, cpuProfDir?: string,
): ClusterRecord {
  const records: ClusterSizeRecord[] = [];
  const file = (pods: number) => path.join(work, `cluster-${pods}.json`);
  for (const pods of sizes) {
    log(`\n[cluster ${pods} pods] generating (untimed)...`);
    const prepared = child(entry, ['prepare', String(pods), file(pods)], 15 * 60_000);
    if (prepared.error) {
      records.push({ pods, error: prepared.error });
      continue;
    }
    log(`[cluster ${pods} pods] ${prepared.namespaces} namespaces, ${prepared.pods} pods, ${prepared.policies} NetworkPolicies, ${(prepared.bytes / 2 ** 20).toFixed(0)} MiB of JSON`);
    const scale = parts.includes('scale') ? child(entry, ['scale', String(pods), file(pods)], 30 * 60_000, cpuProfDir) : undefined;
    if (scale) {
      log(scale.error
        ? `[cluster ${pods} pods] ERROR ${String(scale.error).split('\n')[0]}`
        : `[cluster ${pods} pods] ${scale.classes} classes, ${scale.probes} ports: ${(scale.totalMs / 1000).toFixed(2)} s, peak ${scale.peakMiB.toFixed(0)} MiB; `
        + `${scale.mismatches} mismatches in ${scale.sample} sampled pairs`);
    }
    // The grouped JSON lists the allowed pairs of namespaces, which at 25,000 namespaces with few
    // policies is most of 625 million: measured up to GROUPED_MAX_PODS only.
    const grouped = !parts.includes('grouped') ? undefined : pods > GROUPED_MAX_PODS ? 'too large' : child(entry, ['grouped', String(pods), file(pods)], 30 * 60_000, cpuProfDir);
    if (grouped === 'too large') {
      log(`[cluster ${pods} pods] matrix --group-by namespace --format json: not measured above ${GROUPED_MAX_PODS.toLocaleString('en-US')} pods`);
    } else if (grouped) {
      log(grouped.error ? `[cluster ${pods} pods] grouped ERROR ${String(grouped.error).split('\n')[0]}`
        : `[cluster ${pods} pods] matrix --group-by namespace --format json: ${groupedLine(grouped.asGenerated)}; with a default deny in every namespace `
          + `${groupedLine(grouped.everyNamespaceDenies)}; peak ${grouped.peakMiB.toFixed(0)} MiB`);
    }
    const diff = parts.includes('diff') ? child(entry, ['diff', String(pods), file(pods)], 30 * 60_000, cpuProfDir) : undefined;
    if (diff) {
      log(diff.error ? `[cluster ${pods} pods] diff ERROR ${String(diff.error).split('\n')[0]}`
        : `[cluster ${pods} pods] diff, 1% of the policies changed: ${(diff.totalMs / 1000).toFixed(2)} s (load both ${(diff.loadMs / 1000).toFixed(2)} s + diff ${(diff.diffMs / 1000).toFixed(2)} s), peak ${diff.peakMiB.toFixed(0)} MiB`);
    }
    const blast = parts.includes('blast') ? child(entry, ['blast', String(pods), file(pods)], 30 * 60_000, cpuProfDir) : undefined;
    if (blast) log(blastLine(pods, blast));
    records.push({ pods, prepared, scale, grouped: grouped === 'too large' ? undefined : grouped, diff, blast });
  }
  let side: Record<string, any> | undefined;
  if (sizes.length > 0 && parts.includes('side')) {
    log(`\n[cluster ${SIDE_BY_SIDE_PODS} pods] today's matrix vs the class matrix, alternately...`);
    const f = file(SIDE_BY_SIDE_PODS);
    const prepared = sizes.includes(SIDE_BY_SIDE_PODS) ? {} : child(entry, ['prepare', String(SIDE_BY_SIDE_PODS), f], 15 * 60_000);
    side = prepared.error ? prepared : child(entry, ['side', String(SIDE_BY_SIDE_PODS), f], 30 * 60_000, cpuProfDir);
    if (!side.error) log(`[cluster ${SIDE_BY_SIDE_PODS} pods] ${side.podsMs.toFixed(0)} ms vs ${side.classesMs.toFixed(0)} ms: ${side.ratio.toFixed(1)}x, ${side.mismatches} mismatches`);
  }
  const ok = records.filter((r) => r.scale && !r.scale.error);
  const growth = ok.slice(1).map((r, i) => {
    const a = ok[i];
    const k = Math.log(r.pods / a.pods);
    const time = Math.log(r.scale!.totalMs / a.scale!.totalMs) / k;
    const cpu = Math.log(r.scale!.cpuMs / a.scale!.cpuMs) / k;
    return { from: a.pods, to: r.pods, time, cpu, memory: Math.log(r.scale!.peakMiB / a.scale!.peakMiB) / k };
  });
  return { sizes: records, side, growth };
}

/** One pod's blast radius at a size. */
function blastLine(pods: number, b: Record<string, any>): string {
  if (b.error) return `[cluster ${pods} pods] blast-radius ERROR ${String(b.error).split('\n')[0]}`;
  return `blast-radius at ${pods} pods from ${b.from}: ${(b.blastMs / 1000).toFixed(2)} s (CPU time ${(b.cpuMs / 1000).toFixed(2)} s) after loading in `
    + `${(b.loadMs / 1000).toFixed(2)} s, ${b.reached} endpoints reached (${b.direct} directly, deepest ${b.deepest} hops), peak ${b.peakMiB.toFixed(0)} MiB`;
}

/** The table of the cluster-scale part, and the targets of issue 17. */
export function formatCluster(c: ClusterRecord): string {
  const lines = [
    '| pods | namespaces | policies | classes | ports | read (readManifests) | model | classes | all pairs, all ports | total | CPU time | peak | sampled pairs, mismatches |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const s = (x: number) => `${(x / 1000).toFixed(2)} s`;
  for (const r of c.sizes) {
    if (!r.scale && !r.error) continue; // not run (--cluster-parts)
    if (!r.scale || r.scale.error) {
      lines.push(`| ${r.pods.toLocaleString('en-US')} | ERROR ${String(r.error ?? r.scale?.error).split('\n')[0]} |`);
      continue;
    }
    const x = r.scale;
    const times = [x.readMs ?? x.parseMs, x.modelMs, x.classesMs, x.matrixMs, x.totalMs, x.cpuMs].map(s).join(' | ');
    lines.push(`| ${r.pods.toLocaleString('en-US')} | ${x.namespaces} | ${x.policies} | ${x.classes} | ${x.probes} | ${times} | ${x.peakMiB.toFixed(0)} MiB | ${x.sample}, ${x.mismatches} |`);
  }
  for (const r of c.sizes) {
    if (r.diff && !r.diff.error) {
      const x = r.diff;
      lines.push(`diff at ${r.pods} pods, ${x.changedPolicies} of ${x.policies} policies changed: ${s(x.totalMs)} (load both snapshots ${s(x.loadMs)}, `
        + `classes + touched classes + counts ${s(x.diffMs)}), CPU time ${s(x.cpuMs)} (load ${s(x.loadCpuMs)}), ${x.touched} of ${x.classes} classes and ${x.touchedPorts} of ${x.ports} ports touched, ${x.classPairs} changed class pairs: `
        + `${x.opened} opened / ${x.closed} closed connections, peak ${x.peakMiB.toFixed(0)} MiB`);
    }
  }
  for (const r of c.sizes) if (r.blast && !r.blast.error) lines.push(blastLine(r.pods, r.blast));
  for (const r of c.sizes) {
    if (r.grouped && !r.grouped.error) {
      lines.push(`matrix --group-by namespace --format json at ${r.pods} pods (pairs of namespaces listed: those with an allowed pair): `
        + `${groupedLine(r.grouped.asGenerated)}; with a default deny in every namespace ${groupedLine(r.grouped.everyNamespaceDenies)}; peak ${r.grouped.peakMiB.toFixed(0)} MiB`);
    }
  }
  for (const g of c.growth) {
    lines.push(`growth ${g.from} -> ${g.to} pods: time ~ n^${g.time.toFixed(2)}, CPU time ~ n^${g.cpu.toFixed(2)}, peak memory ~ n^${g.memory.toFixed(2)}`);
  }
  if (c.side && !c.side.error) {
    lines.push(`at ${SIDE_BY_SIDE_PODS} pods, one port: today's matrix ${c.side.podsMs.toFixed(0)} ms, class matrix ${c.side.classesMs.toFixed(0)} ms: `
      + `${c.side.ratio.toFixed(1)}x (medians of ${c.side.ratios.length} alternate runs after a warm-up), ${c.side.mismatches} mismatches`);
    lines.push(`at ${SIDE_BY_SIDE_PODS} pods, all ${c.side.probes} ports that matter: today's matrix ${c.side.allPortsPodsMs.toFixed(0)} ms, `
      + `classes + class matrices ${c.side.allPortsClassesMs.toFixed(0)} ms: ${c.side.allPortsRatio.toFixed(1)}x (medians of ${c.side.allPortsRatios.length} alternate runs after a warm-up)`);
  }
  const big = c.sizes.find((r) => r.pods === 100_000)?.scale;
  if (big && !big.error) {
    lines.push(`target: 100,000 pods under 6 s and 1.5 GiB: ${s(big.totalMs)}, ${big.peakMiB.toFixed(0)} MiB: ${big.totalMs < 6000 && big.peakMiB < 1536 ? 'met' : 'NOT met'}`);
  }
  const bigDiff = c.sizes.find((r) => r.pods === 100_000)?.diff;
  if (bigDiff && !bigDiff.error) {
    lines.push(`target: diff of 1% of the policies at 100,000 pods under 10 s, loading included: ${s(bigDiff.totalMs)}: ${bigDiff.totalMs < 10_000 ? 'met' : 'NOT met'}`);
  }
  if (c.side && !c.side.error) {
    lines.push(`target: >= 10x at ${SIDE_BY_SIDE_PODS} pods: one port ${c.side.ratio >= 10 ? 'met' : 'NOT met'}, all ports ${c.side.allPortsRatio >= 10 ? 'met' : 'NOT met'}`);
  }
  return lines.join('\n');
}

/** One grouped JSON figure of cluster-child.ts `grouped`: cells of pairs, bytes, time. */
function groupedLine(x: Record<string, any>): string {
  return `${x.cells.toLocaleString('en-US')} of ${x.groupPairs.toLocaleString('en-US')} ordered pairs of ${x.groups} namespaces, `
    + `${(x.bytes / 2 ** 20).toFixed(1)} MiB in ${(x.totalMs / 1000).toFixed(2)} s (CPU ${(x.cpuMs / 1000).toFixed(2)} s), ${x.mismatches} mismatches`;
}
