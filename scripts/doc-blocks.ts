import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing, Yaml } from 'cdk8s';
import { threeTierReport, threeTierReportArgv } from './report-doc';
import { CiliumEgress } from '../examples/cilium-egress';
import { NamespaceBaseline } from '../examples/namespace-baseline';
import { segmentation } from '../examples/segmentation';
import { TenServices } from '../examples/ten-services';
import { ThreeTier } from '../examples/three-tier';
import {
  DotFormat, FlowReplay, MarkdownFormat, MermaidFormat, ObservedFlows, PolicyGenerator, Port, Reachability, ReachabilityOptions, SideVerdict,
  TextFormat, TypeScriptFormat,
} from '../src';
import { runCli } from '../src/cli/run';
import { withModelWorkloads } from '../src/k8s/objects';

const ROOT = path.join(__dirname, '..');

/** Model pods and addresses the three-tier example talks to but does not declare. */
export const THREE_TIER_SURROUNDINGS: ReachabilityOptions = {
  pods: [
    { namespace: 'kube-system', name: 'coredns', labels: { 'k8s-app': 'kube-dns' } },
    { namespace: 'ingress-nginx', name: 'controller', labels: { 'app.kubernetes.io/name': 'ingress-nginx' } },
  ],
  externals: [{ name: 'payment-api', ip: '203.0.113.10' }],
};

/** The lines between `// <marker>:start` and `// <marker>:end` of a file, without their common indentation. */
export function markedRegion(file: string, marker = 'README'): string {
  const source = fs.readFileSync(path.join(ROOT, file), 'utf8');
  const start = source.indexOf(`// ${marker}:start`);
  const end = source.indexOf(`// ${marker}:end`);
  if (start < 0 || end < start) throw new Error(`${file} has no // ${marker}:start ... // ${marker}:end region; add the markers around the code the docs show.`);
  const lines = source.slice(start, end).split('\n').slice(1, -1);
  const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => l.length - l.trimStart().length));
  return lines.map((l) => l.slice(indent)).join('\n');
}

/** The number of lines of code in `code` (blank lines and comments not counted). */
export function codeLines(code: string): number {
  return code.split('\n').filter((l) => l.trim() !== '' && !l.trim().startsWith('//')).length;
}

/**
 * The ten-service example with its test's surroundings, and (collapsed) the same application with
 * the previous release's API and the surroundings its test needed then, each with its line count.
 */
function tenServicesBlock(): string {
  const now = `${markedRegion('examples/ten-services.ts')}\n\n// its test gives only what lives outside the chart\n${markedRegion('test/examples.test.ts', 'README:surroundings')}`;
  const before = `${markedRegion('test/fixtures/ten-services-before.ts')}\n\n// its test gave every service of the chart again, as a model pod\n`
    + markedRegion('test/fixtures/ten-services-before.ts', 'README:surroundings');
  return [
    fence('ts', now),
    '',
    `${codeLines(now)} lines of code with the test's surroundings ([\`examples/ten-services.ts\`](examples/ten-services.ts), tested in`,
    '[`test/examples.test.ts`](test/examples.test.ts)). The same application with the previous release\'s API writes',
    `byte-identical YAML in ${codeLines(before)} lines: three verbs for one act, every dependency repeats its port, and the test`,
    'repeats every service of the chart as a model pod.',
    '',
    `<details><summary>The same application with the previous release's API (${codeLines(before)} lines)</summary>`,
    '',
    fence('ts', before),
    '',
    '</details>',
  ].join('\n');
}

/** The README's generated blocks, by name: each is the text between `<!-- generated:NAME -->` and `<!-- /generated:NAME -->`. */
export function readmeBlocks(): Record<string, string> {
  const code = markedRegion('examples/three-tier.ts');
  const chart = new ThreeTier(Testing.app(), 'three-tier');
  const backend = Testing.synth(chart).filter((o) => o.kind === 'NetworkPolicy' && o.metadata.name.startsWith('backend-'));
  const graph = Reachability.fromChart(chart, THREE_TIER_SURROUNDINGS).connectivity().touching('shop');
  const baseline = new NamespaceBaseline(Testing.app(), 'namespace-baseline');
  const around = ['--surroundings', 'cluster/', '--external', 'payment-api=203.0.113.10'];
  const exposure = ['exposure', 'dist/', '--workload', 'shop/backend', '--direction', 'egress', ...around];
  const blast = ['blast-radius', 'dist/', '--from', 'shop/frontend', ...around];
  const explain = ['explain', 'dist/', '--from', 'shop/backend', '--to', 'payment-api', '--port', '443', '--external', 'payment-api=203.0.113.10'];
  return {
    'baseline-yaml': fence('yaml', Yaml.stringify(...Testing.synth(baseline)).trim()),
    'three-tier-code': fence('ts', code),
    'three-tier-yaml': fence('yaml', `# examples/out/three-tier.k8s.yaml (the backend's two policies; 7 policies in all)\n${Yaml.stringify(...backend).trim()}`),
    'three-tier-mermaid': fence('mermaid', MermaidFormat.graph(graph)),
    'three-tier-dot': fence('dot', DotFormat.graph(graph)),
    'languages': languagesTable(),
    'three-tier-explain': fence('text', `$ npx netpol ${explain.join(' ')}\n${cliOutput(explain, Yaml.stringify(...Testing.synth(chart)))}`),
    'ten-services': tenServicesBlock(),
    'three-tier-replay': fence('text', `$ npx netpol replay dist/ --flows flows.jsonl\n${threeTierReplay()}`),
    'three-tier-generate': fence('ts', `// $ npx netpol generate --flows flows.jsonl --namespace shop\n${threeTierGenerate()}`),
    'cilium-code': fence('ts', markedRegion('examples/cilium-egress.ts')),
    'cilium-yaml': fence('yaml', Yaml.stringify(...Testing.synth(new CiliumEgress(Testing.app(), 'cilium-egress'))).trim()),
    'cilium-proof': ciliumProof(),
    'cilium-explain': fence('text', `$ npx netpol ${CILIUM_EXPLAIN.join(' ')}\n${cliOutput(CILIUM_EXPLAIN, Yaml.stringify(...Testing.synth(new CiliumEgress(Testing.app(), 'cilium-egress'))))}`),
    'invariants-code': fence('ts', markedRegion('examples/segmentation.ts')),
    'invariants-error': fence('text', segmentationError()),
    'three-tier-check': rulesFileBlocks()['check-fails'],
    'three-tier-exposure': fence('text', `$ npx netpol ${exposure.join(' ')}\n${cliOutput(exposure, Yaml.stringify(...Testing.synth(chart)))}`),
    'three-tier-blast-radius': fence('text', `$ npx netpol ${blast.join(' ')}\n${cliOutput(blast, Yaml.stringify(...Testing.synth(chart)))}`),
    'three-tier-report': reportBlock(),
    'cluster-workload-matrix': workloadMatrixBlock(),
  };
}

/** `netpol matrix --group-by workload` of a small `kubectl get -o json` dump (test/fixtures/cluster-workloads.json). */
function workloadMatrixBlock(): string {
  const argv = ['matrix', 'cluster.json', '--port', '8080', '--group-by', 'workload'];
  const dump = fs.readFileSync(path.join(ROOT, 'test/fixtures/cluster-workloads.json'), 'utf8');
  return fence('text', `$ npx netpol ${argv.join(' ')}\n${cliOutput(argv.map((a) => (a === 'cluster.json' ? 'dist/' : a)), dump)}`);
}

/** `netpol report` of the three-tier example with the failing rules of docs/rules-file.md: the command, what it prints and its exit code. */
function reportBlock(): string {
  const r = threeTierReport();
  return fence('text', `$ npx netpol ${threeTierReportArgv().join(' ')}\n${r.stderr}$ echo $?\n${r.code}`);
}

/** The pods and addresses around the Cilium example, for its proof. */
export const CILIUM_SURROUNDINGS: ReachabilityOptions = {
  pods: [
    { namespace: 'shop', name: 'payments', labels: { app: 'payments' }, ports: [{ number: 8080 }] },
    { namespace: 'shop', name: 'checkout', labels: { app: 'checkout' } },
    { namespace: 'shop', name: 'web', labels: { app: 'web' } },
    { namespace: 'kube-system', name: 'coredns', labels: { 'k8s-app': 'kube-dns' } },
  ],
  externals: [
    { name: 'stripe', ip: '203.0.113.7', dnsName: 'api.stripe.com' },
    { name: 'stripe-files', ip: '203.0.113.8', dnsName: 'files.stripe.network' },
    { name: 'example', ip: '198.51.100.1', dnsName: 'example.com' },
    { name: 'metadata', ip: '169.254.169.254' },
  ],
  apiServerIp: '10.0.0.1',
  apiServerOutsideCluster: true,
};

/** `netpol explain` of the Cilium example's egress to the API server: the command line. */
const CILIUM_EXPLAIN = ['explain', 'dist/', '--from', 'shop/payments', '--to', 'kube-apiserver', '--port', '443', '--pod', 'shop/payments:app=payments', '--api-server', '10.0.0.1', '--api-server-outside'];

/** The Cilium example analysed: connections with the analyser's verdict and the rule that decided, and what is left out. */
function ciliumProof(): string {
  const r = Reachability.fromChart(new CiliumEgress(Testing.app(), 'cilium-egress'), CILIUM_SURROUNDINGS);
  const rows: Array<[string, string, Port]> = [
    ['shop/checkout', 'shop/payments', Port.tcp(8080)], ['shop/web', 'shop/payments', Port.tcp(8080)],
    ['shop/payments', 'stripe', Port.tcp(443)], ['shop/payments', 'stripe-files', Port.tcp(443)], ['shop/payments', 'stripe', Port.tcp(80)],
    ['shop/payments', 'example', Port.tcp(443)], ['shop/payments', 'kube-system/coredns', Port.udp(53)], ['shop/payments', 'metadata', Port.tcp(80)],
    ['shop/payments', 'shop/checkout', Port.tcp(8080)], ['shop/payments', 'kube-apiserver', Port.tcp(443)], ['shop/payments', 'kube-apiserver', Port.tcp(8443)],
  ];
  const side = (v: SideVerdict) => (v.notPoliced || (!v.isolated && !v.deniedBy) ? undefined : TextFormat.verdict(v));
  const lines = ['| from | to | port | verdict | decided by |', '| --- | --- | --- | --- | --- |'];
  for (const [from, to, port] of rows) {
    const e = r.explain(from, to, port);
    const by = [e.egress, e.ingress].map(side).filter((x): x is string => x !== undefined && (e.allowed || x.startsWith('denied'))).join('; ');
    lines.push(`| ${from} | ${to} | ${e.port} | ${e.allowed ? 'allowed' : '**denied**'} | ${by.replace(/\|/g, '\\|')} |`);
  }
  const skipped = r.skipped.map((x) => `- left out, with a warning: ${x.kind} ${x.object} ${x.reason.split('. The verdicts')[0]}`);
  return [...lines, '', ...skipped].join('\n');
}

/** The error the synth of the ten-service shop with its segmentation invariants fails with. */
function segmentationError(): string {
  const shop = new TenServices(Testing.app(), 'ten-services');
  segmentation(shop);
  try {
    Testing.synth(shop);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('the segmentation example was meant to fail its synth, and did not');
}

/** The Hubble flows of the three-tier shop (test/replay/fixtures) replayed against its policies, as `netpol replay` prints it. */
function threeTierReplay(): string {
  const manifests = Testing.synth(new ThreeTier(Testing.app(), 'three-tier'));
  const text = fs.readFileSync(path.join(ROOT, 'test', 'replay', 'fixtures', 'three-tier-hubble.jsonl'), 'utf8');
  const flows = ObservedFlows.fromText(text, { manifests, sourceName: 'flows.jsonl' });
  return TextFormat.replay(FlowReplay.fromManifests(manifests, flows));
}

/** The program `netpol generate --namespace shop` writes for the three-tier shop's Hubble flows (test/replay/fixtures). */
function threeTierGenerate(): string {
  const text = fs.readFileSync(path.join(ROOT, 'test', 'replay', 'fixtures', 'three-tier-hubble.jsonl'), 'utf8');
  return TypeScriptFormat.program(PolicyGenerator.generate(ObservedFlows.fromText(text, { sourceName: 'flows.jsonl' }), { namespaces: ['shop'] }));
}

/** The README's table of packages, one per jsii language, from the jsii targets of package.json. */
function languagesTable(): string {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const { python, java, dotnet, go } = manifest.jsii.targets;
  const goPackage = `${go.moduleName}/${go.packageName}`;
  const rows = [
    ['TypeScript / JavaScript', `npm \`${manifest.name}\``, `\`import { NetworkPolicy } from '${manifest.name}';\``],
    ['Python', `PyPI \`${python.distName}\``, `\`from ${python.module} import NetworkPolicy\``],
    ['Java', `Maven \`${java.maven.groupId}:${java.maven.artifactId}\``, `\`import ${java.package}.NetworkPolicy;\``],
    ['C# / .NET', `NuGet \`${dotnet.packageId}\``, `\`using ${dotnet.namespace};\``],
    ['Go', `\`${goPackage}\``, `\`import "${goPackage}"\``],
  ];
  return ['| language | package | import |', '| --- | --- | --- |', ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

/** The generated blocks of docs/gitops.md: the diff of the three-tier example, version 1 to 2. */
export function gitopsBlocks(): Record<string, string> {
  const v1 = new ThreeTier(Testing.app(), 'three-tier').toJson();
  const v2 = new ThreeTier(Testing.app(), 'three-tier', { redis: true }).toJson();
  // As `netpol diff main/dist --against dist --model dist`: version 2's workloads on both sides.
  const sourced = (objects: unknown[]) => objects.map((object) => ({ object }));
  const before = withModelWorkloads(sourced(v1), sourced(v2)).map((o) => o.object);
  const diff = Reachability.diff(Reachability.fromManifests(before), Reachability.fromManifests(v2));
  return {
    'gitops-diff-markdown': MarkdownFormat.diff(diff),
    'gitops-diff-text': fence('text', TextFormat.diff(diff)),
  };
}

/** The surroundings of the three-tier example as the CLI takes them. */
export const THREE_TIER_CLI_SURROUNDINGS = [
  '--pod', 'kube-system/coredns:k8s-app=kube-dns', '--pod', 'ingress-nginx/controller:app.kubernetes.io/name=ingress-nginx',
  '--external', 'payment-api=203.0.113.10',
];

/**
 * The cluster's pod range, which the example of rules that hold gives (`--pod-cidr`): the addresses
 * of the workloads and pods the input gives no IP for lie there, so the shop's egress to the payment
 * API's block (203.0.113.0/24) is decided not to reach them; without it an unknown address may be in
 * the block, and the-shop-is-contained fails as guessed.
 */
export const RULES_HOLD_CLI_OPTIONS = ['--pod-cidr', '10.244.0.0/16'];

/** The rules files of docs/rules-file.md, by name: the YAML block after each `<!-- rules:NAME -->`. */
export function rulesFileExamples(): Record<string, string> {
  const doc = fs.readFileSync(path.join(ROOT, 'docs', 'rules-file.md'), 'utf8');
  const out: Record<string, string> = {};
  for (const m of doc.matchAll(/<!-- rules:([a-z-]+) -->\n```yaml\n([\s\S]*?)```/g)) out[m[1]] = m[2];
  return out;
}

/** What `netpol check` prints, and its exit code, for a rules file of docs/rules-file.md on the three-tier example. */
export function checkRun(rules: string, extra: string[] = [], withSurroundings = true): { code: number; stdout: string; stderr: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-rules-'));
  const file = path.join(dir, 'rules.yaml');
  fs.writeFileSync(file, rules);
  const manifests = Yaml.stringify(...Testing.synth(new ThreeTier(Testing.app(), 'three-tier')));
  let stdout = '';
  let stderr = '';
  try {
    const code = runCli(['check', '-', '--rules', file, ...(withSurroundings ? THREE_TIER_CLI_SURROUNDINGS : []), ...extra], {
      stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), readStdin: () => Buffer.from(manifests),
    });
    const shown = (t: string) => t.split(file).join('rules.yaml');
    return { code, stdout: shown(stdout), stderr: shown(stderr) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The generated blocks of docs/rules-file.md: each example's `netpol check` output and exit code. */
export function rulesFileBlocks(): Record<string, string> {
  const examples = rulesFileExamples();
  const block = (name: string, withSurroundings: boolean, extra: string[] = []) => {
    const r = checkRun(examples[name], extra, withSurroundings);
    const command = `$ npx netpol check dist/ --rules rules.yaml${withSurroundings ? ` ${THREE_TIER_CLI_SURROUNDINGS.join(' ')}` : ''}${extra.map((a) => ` ${a}`).join('')}`;
    return fence('text', `${command}\n${r.stdout}${r.stderr}$ echo $?\n${r.code}`);
  };
  return {
    'check-holds': block('holds', true, RULES_HOLD_CLI_OPTIONS),
    'check-fails': block('fails', true),
    'check-fails-markdown': checkRun(examples.fails, ['--format', 'markdown']).stdout.trimEnd(),
    'check-mistakes': block('mistakes', false),
  };
}

/** What `netpol <argv>` prints for `manifests` as its only input (`dist/` in argv stands for them). */
/**
 * The pods `cluster/` stands for in the docs' `--surroundings cluster/`: the three-tier example's
 * CoreDNS and ingress controller, given to the CLI as the `--pod` options with the same labels.
 */
const CLUSTER_PODS = (THREE_TIER_SURROUNDINGS.pods ?? [])
  .flatMap((p) => ['--pod', `${p.namespace}/${p.name}:${Object.entries(p.labels).map(([k, v]) => `${k}=${v}`).join(',')}`]);

/**
 * What `netpol <argv>` prints for `manifests` as its only input (`dist/` in argv stands for them,
 * `--surroundings cluster/` for `CLUSTER_PODS`).
 */
function cliOutput(argv: string[], manifests: string): string {
  let out = '';
  const code = runCli(argv.flatMap((a) => (a === 'dist/' ? ['-'] : a === '--surroundings' ? [] : a === 'cluster/' ? CLUSTER_PODS : [a])), {
    stdout: (t) => (out += t), stderr: (t) => (out += t), readStdin: () => Buffer.from(manifests),
  });
  if (code !== 0) throw new Error(`netpol ${argv.join(' ')} exited ${code}: ${out}`);
  return out;
}

function fence(lang: string, text: string): string {
  return `\`\`\`${lang}\n${text.trimEnd()}\n\`\`\``;
}

/** `text` with every generated block replaced by its current content. */
export function renderBlocks(text: string, blocks: Record<string, string>): string {
  let out = text;
  for (const [name, content] of Object.entries(blocks)) {
    const open = `<!-- generated:${name} -->`;
    const close = `<!-- /generated:${name} -->`;
    const start = out.indexOf(open);
    const end = out.indexOf(close);
    if (start < 0 || end < start) throw new Error(`the document has no ${open} ... ${close} block; add the markers where the block goes.`);
    out = `${out.slice(0, start + open.length)}\n${content}\n${out.slice(end)}`;
  }
  return out;
}
