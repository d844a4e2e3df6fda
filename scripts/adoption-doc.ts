import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Readable } from 'stream';
import { App, Yaml } from 'cdk8s';
import { EnforcementPhase, FlowReplay, GeneratedProgram, ObservedFlows, PolicyGenerator, TextFormat, TypeScriptFormat } from '../src';
import { runCliAsync } from '../src/cli/run';
import { observedTitle, seen } from '../src/formats/text';

const ROOT = path.join(__dirname, '..');
/** The recorded flows of the worked example (Hubble events; test/generate/fixtures). */
export const ADOPTION_FLOWS = path.join(ROOT, 'test', 'generate', 'fixtures', 'shop-hubble.jsonl');
/** The namespaces the team owns, and generates stacks for. */
export const ADOPTION_NAMESPACES = ['web', 'shop', 'data'];

function fence(lang: string, text: string): string {
  return `\`\`\`${lang}\n${text.trimEnd()}\n\`\`\``;
}

function flowsOf(text: string, sourceName = 'flows.jsonl'): ObservedFlows {
  return ObservedFlows.fromText(text, { sourceName });
}

/**
 * A week later: the cart starts writing to kafka (a new dependency nobody declared). The recorded
 * flows plus that connection, seen at both ends: an EGRESS event of the cart and an INGRESS event
 * of kafka, made from the recorded events of the two workloads.
 */
export function nextWeekFlows(text: string): string {
  const events = text.trimEnd().split('\n').map((l) => JSON.parse(l));
  const cart = events.find((e) => e.flow.source.pod_name?.startsWith('cart-') && e.flow.traffic_direction === 'EGRESS')!.flow;
  const kafka = events.find((e) => e.flow.destination.pod_name?.startsWith('kafka-') && e.flow.traffic_direction === 'INGRESS')!.flow;
  const added = ['EGRESS', 'INGRESS'].map((direction, i) => {
    const time = `2025-06-09T10:00:0${i}.000000000Z`;
    const flow = {
      ...cart,
      time,
      uuid: `7a1e0c3b-0000-4000-8000-1000000000${i}`,
      destination: kafka.destination,
      IP: { source: cart.IP.source, destination: kafka.IP.destination, ipVersion: 'IPv4' },
      l4: { TCP: { source_port: 51000, destination_port: 9092, flags: { SYN: true } } },
      traffic_direction: direction,
    };
    return JSON.stringify({ flow, node_name: flow.node_name, time });
  });
  return `${text.trimEnd()}\n${added.join('\n')}\n`;
}

/** What `netpol <argv>` printed, and its exit code. */
interface Run {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number;
}

/** Runs `netpol <argv>` in-process, its paths relative to `dir`; the output names them relative to it too. */
async function netpolIn(dir: string, argv: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  // A path (it has a dot or a slash; namespaces and option values have neither) is relative to `dir`.
  const absolute = argv.map((a) => (a.startsWith('-') || !/[./]/.test(a) ? a : path.join(dir, a)));
  const code = await runCliAsync(absolute, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    readStdin: () => Buffer.from(''),
    stdinStream: () => Readable.from([Buffer.from('')]),
    stderrIsTty: false,
  });
  const relative = (t: string) => t.split(`${dir}${path.sep}`).join('');
  return { stdout: relative(stdout), stderr: relative(stderr), code };
}

/** `$ npx netpol <argv>`, what it printed (stdout, then stderr, as a terminal shows them when stdout is cut), and `echo $?`. */
function shown(argv: string[], run: Run, cut: (stdout: string) => string = (t) => t): string {
  return [`$ npx netpol ${argv.join(' ')}`, cut(run.stdout).trimEnd(), run.stderr.trimEnd(), '$ echo $?', String(run.code)]
    .filter((l) => l !== '').join('\n');
}

/** The synthesized objects of a program, one file per stack as `npm run synth` writes them (`dist/<stack>.k8s.yaml`). */
function writeDist(dir: string, program: GeneratedProgram): Map<string, any> {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const objects = new Map<string, any>();
  for (const stack of PolicyGenerator.declareStacks(new App(), program)) {
    const json = stack.toJson();
    fs.writeFileSync(path.join(dir, `${stack.node.id}.k8s.yaml`), Yaml.stringify(...json));
    for (const o of json) objects.set(`${o.metadata.namespace}/${o.metadata.name}`, o);
  }
  return objects;
}

/** A unified-style diff of two texts by lines (longest common subsequence), with `context` lines around each change. */
export function lineDiff(before: string, after: string, context = 1): string {
  const a = before.trimEnd().split('\n');
  const b = after.trimEnd().split('\n');
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  }
  const ops: Array<[' ' | '-' | '+', string]> = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) ops.push([' ', a[i++]]), j++;
    else if (i < a.length && (j === b.length || lcs[i + 1][j] >= lcs[i][j + 1])) ops.push(['-', a[i++]]);
    else ops.push(['+', b[j++]]);
  }
  const near = ops.map((_, k) => ops.slice(Math.max(0, k - context), k + context + 1).some(([op]) => op !== ' '));
  const out: string[] = [];
  ops.forEach(([op, line], k) => {
    if (near[k]) out.push(`${op} ${line}`.trimEnd());
    else if (near[k - 1]) out.push('  ...');
  });
  return out.join('\n');
}

/** Which objects differ between two outputs, and how: `~ ns/name: kind A -> kind B`, `+ ns/name`, `- ns/name`. */
function objectChanges(before: Map<string, any>, after: Map<string, any>): string[] {
  const kind = (o: any) => `${o.kind} (${o.apiVersion})`;
  const names = [...new Set([...before.keys(), ...after.keys()])].sort();
  const lines: string[] = [];
  for (const n of names) {
    const was = before.get(n);
    const now = after.get(n);
    if (!was) {lines.push(`+ ${n}: ${kind(now)}`);} else if (!now) {lines.push(`- ${n}: ${kind(was)}`);} else if (Yaml.stringify(was) !== Yaml.stringify(now)) {
      const sameSpec = JSON.stringify({ ...was, apiVersion: 0, kind: 0 }) === JSON.stringify({ ...now, apiVersion: 0, kind: 0 });
      lines.push(`~ ${n}: ${kind(was)} -> ${kind(now)}${sameSpec ? ', the same metadata and spec' : ', and its spec'}`);
    }
  }
  const unchanged = names.length - lines.length;
  return [...lines, `  (${unchanged} other object${unchanged === 1 ? '' : 's'} unchanged, byte for byte)`];
}

/** The program with one service given its own phase (what a reviewer writes on its addService line). */
function withServicePhase(program: GeneratedProgram, id: string, phase: EnforcementPhase): GeneratedProgram {
  return { ...program, services: program.services.map((s) => (s.id === id ? { ...s, phase } : s)) };
}

/** The program with every stack in `phase`, and no service phase of its own left. */
function withStackPhase(program: GeneratedProgram, phase: EnforcementPhase): GeneratedProgram {
  return {
    ...program,
    stacks: program.stacks.map((s) => ({ ...s, phase })),
    services: program.services.map(({ phase: _own, ...s }) => s),
  };
}

/** The service the worked example promotes first. */
export const FIRST_PROMOTED = 'shop/payments';

/**
 * The blocks of the phases with staged policies (4. Stage, the promotion in 6. Enforce): each
 * command run by the CLI itself, in a temporary directory holding the flows and the outputs.
 */
export async function stagedBlocks(): Promise<Record<string, string>> {
  const text = fs.readFileSync(ADOPTION_FLOWS, 'utf8');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-adoption-'));
  try {
    fs.writeFileSync(path.join(dir, 'flows.jsonl'), text);
    fs.writeFileSync(path.join(dir, 'next-week.jsonl'), nextWeekFlows(text));
    fs.mkdirSync(path.join(dir, 'src'));
    const scope = ADOPTION_NAMESPACES.flatMap((n) => ['--namespace', n]);
    const generateArgs = ['generate', '--flows', 'flows.jsonl', ...scope, '--phase', 'staged', '--out', 'src/policies.ts'];
    const generated = await netpolIn(dir, generateArgs);
    if (generated.code !== 0) throw new Error(`netpol generate exited ${generated.code}: ${generated.stderr}`);
    const stagedText = fs.readFileSync(path.join(dir, 'src', 'policies.ts'), 'utf8');
    const flows = flowsOf(text);
    const enforcedProgram = PolicyGenerator.generate(flows, { namespaces: ADOPTION_NAMESPACES });
    const staged = PolicyGenerator.generate(flows, { namespaces: ADOPTION_NAMESPACES, phase: EnforcementPhase.STAGED });
    if (TypeScriptFormat.program(staged).replace(/from the observed flows \S+/, '') !== stagedText.replace(/from the observed flows \S+/, '')) {
      throw new Error('the in-process staged program differs from what netpol generate wrote');
    }

    const stagedObjects = writeDist(path.join(dir, 'dist'), staged);
    const kinds = new Map<string, number>();
    for (const o of stagedObjects.values()) kinds.set(`${o.apiVersion} ${o.kind}`, (kinds.get(`${o.apiVersion} ${o.kind}`) ?? 0) + 1);

    const replayArgs = ['replay', 'dist/', '--flows', 'next-week.jsonl'];
    const replayed = await netpolIn(dir, replayArgs);
    const gateArgs = [...replayArgs, '--fail-on', 'staged'];
    const gated = await netpolIn(dir, gateArgs);
    const recordedArgs = ['replay', 'dist/', '--flows', 'flows.jsonl', '--fail-on', 'staged'];
    const recorded = await netpolIn(dir, recordedArgs);
    const headAndStaged = (out: string) => {
      const [head, ...rest] = out.split('\n\n');
      const stagedPart = rest.filter((p) => p.startsWith('staged:'));
      return [head, ...stagedPart, '...'].join('\n\n');
    };

    // 6. Enforce: payments first, then every stack.
    fs.renameSync(path.join(dir, 'dist'), path.join(dir, 'staged'));
    const promoted = withServicePhase(staged, FIRST_PROMOTED, EnforcementPhase.ENFORCE);
    const promotedObjects = writeDist(path.join(dir, 'dist'), promoted);
    const diffArgs = ['diff', 'staged/', '--against', 'dist/'];
    const diffed = await netpolIn(dir, diffArgs);
    const promotedReplay = await netpolIn(dir, recordedArgs);
    const enforced = withStackPhase(staged, EnforcementPhase.ENFORCE);
    fs.renameSync(path.join(dir, 'dist'), path.join(dir, 'promoted'));
    const enforcedObjects = writeDist(path.join(dir, 'dist'), enforced);
    const enforcedReplay = await netpolIn(dir, ['replay', 'dist/', '--flows', 'flows.jsonl']);
    const gate = await netpolIn(dir, replayArgs);
    const gateHead = (out: string) => `${out.split('\n\nallowed:')[0]}\n...`;
    const summaryOnly = (out: string) => `${out.split('\n')[0]}\n...`;

    const service = FIRST_PROMOTED.split('/')[1];
    return {
      'adoption-stage-generate': fence('text', [
        `$ npx netpol ${generateArgs.join(' ')}`, generated.stderr.trimEnd(),
        '$ git diff src/policies.ts   # against the program generated without --phase',
        lineDiff(TypeScriptFormat.program(enforcedProgram), TypeScriptFormat.program(staged), 0),
      ].join('\n')),
      'adoption-stage-yaml': fence('yaml', [
        `# dist/*.k8s.yaml: ${[...kinds].map(([k, n]) => `${n} × ${k}`).join(', ')}; the payments service's egress policy:`,
        Yaml.stringify(stagedObjects.get(`${FIRST_PROMOTED}-egress`)).trimEnd(),
      ].join('\n')),
      'adoption-stage-replay': fence('text', [shown(replayArgs, replayed, headAndStaged), shown(gateArgs, gated, summaryOnly)].join('\n')),
      'adoption-stage-recorded': fence('text', shown(recordedArgs, recorded, summaryOnly)),
      'adoption-promote-program': fence('text', [
        `$ git diff src/policies.ts   # ${service} promoted`,
        lineDiff(TypeScriptFormat.program(staged), TypeScriptFormat.program(promoted), 0),
        '$ npm run synth   # the objects that changed:',
        ...objectChanges(stagedObjects, promotedObjects),
      ].join('\n')),
      'adoption-promote-diff': fence('text', shown(diffArgs, diffed)),
      'adoption-promote-replay': fence('text', shown(recordedArgs, promotedReplay, summaryOnly)),
      'adoption-enforce-program': fence('text', [
        '$ git diff src/policies.ts   # every stack enforced',
        lineDiff(TypeScriptFormat.program(promoted), TypeScriptFormat.program(enforced), 0),
        '$ npm run synth   # the objects that changed:',
        ...objectChanges(promotedObjects, enforcedObjects),
        shown(['replay', 'dist/', '--flows', 'flows.jsonl'], enforcedReplay, summaryOnly),
      ].join('\n')),
      'adoption-gate': fence('text', shown(replayArgs, gate, gateHead)),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The generated blocks of docs/adoption.md: every output of the worked example. */
export async function adoptionBlocks(): Promise<Record<string, string>> {
  return { ...baseBlocks(), ...(await stagedBlocks()) };
}

/** The blocks of observe, generate, review and replay (the library's output, in-process). */
function baseBlocks(): Record<string, string> {
  const text = fs.readFileSync(ADOPTION_FLOWS, 'utf8');
  const flows = flowsOf(text);
  const program = PolicyGenerator.generate(flows, { namespaces: ADOPTION_NAMESPACES });
  const manifests = PolicyGenerator.manifests(program);
  const scope = ADOPTION_NAMESPACES.map((n) => `--namespace ${n}`).join(' ');
  const stderr = program.unexpressed.map((u) => `netpol generate: not expressed: ${observedTitle(u.observed)}, ${seen(u.observed)}: ${u.reason}`);
  const dependencies = program.stacks.reduce((n, s) => n + s.dependencies.length, 0);
  stderr.push(`netpol generate: wrote src/policies.ts: ${program.stacks.length} stacks, ${program.services.length} services, ${dependencies} dependencies, `
    + `${program.unexpressed.length} observed connections not expressed`);
  const replay = FlowReplay.fromManifests(manifests, flows);
  const workloads = new Set(flows.connections.flatMap((c) => [c.source, c.destination]).filter((e) => e.kind === 'WORKLOAD' || e.kind === 'UNDECLARED_WORKLOAD').map((e) => e.id));
  const namespaces = new Set([...workloads].map((id) => id.split('/')[0]));
  return {
    'adoption-flows': fence('text', [
      `$ wc -l flows.jsonl   # ${workloads.size} workloads in ${namespaces.size} namespaces, the cluster DNS, two APIs outside the cluster`,
      `${flows.summary.lines} flows.jsonl`,
      `# ${TextFormat.replay(replay).split('\n')[1]}`,
    ].join('\n')),
    'adoption-generate': fence('text', `$ npx netpol generate --flows flows.jsonl ${scope} --out src/policies.ts\n${stderr.join('\n')}`),
    'adoption-program': fence('ts', TypeScriptFormat.program(program)),
    'adoption-yaml': fence('yaml', `# dist/shop.k8s.yaml: the payments service's two policies\n${Yaml.stringify(
      ...manifests.filter((o) => o.metadata?.namespace === 'shop' && String(o.metadata?.name).startsWith('payments-')),
    ).trim()}`),
    'adoption-replay': fence('text', `$ npx netpol replay dist/ --flows flows.jsonl\n${TextFormat.replay(replay)}`),
  };
}
