import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing, Yaml } from 'cdk8s';
import { findChromium, screenshot } from './chromium';
import { rulesFileExamples, THREE_TIER_CLI_SURROUNDINGS } from './doc-blocks';
import { ThreeTier } from '../examples/three-tier';
import { runCli } from '../src/cli/run';

const ROOT = path.join(__dirname, '..');

/** The report of the three-tier example the README shows: its HTML is committed, and its screenshot. */
export const THREE_TIER_REPORT_HTML = path.join(ROOT, 'docs', 'report-three-tier.html');
export const THREE_TIER_REPORT_PNG = path.join(ROOT, 'docs', 'report-three-tier.png');

/** The command the README shows for the report (`dist/` is the synthesized example, `rules.yaml` the failing rules of docs/rules-file.md). */
export function threeTierReportArgv(): string[] {
  return ['report', 'dist/', '--rules', 'rules.yaml', ...THREE_TIER_CLI_SURROUNDINGS, '--out', 'report.html'];
}

/**
 * `netpol report` of the three-tier example with the failing rules file of docs/rules-file.md, as
 * the README's command writes it: the example synthesized into `dist/three-tier.k8s.yaml`, the
 * report's paths shown as the command names them. Returns the HTML and the exit code.
 */
export function threeTierReport(format: 'html' | 'markdown' = 'html'): { text: string; code: number; stderr: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-report-'));
  try {
    fs.mkdirSync(path.join(dir, 'dist'));
    fs.writeFileSync(path.join(dir, 'dist', 'three-tier.k8s.yaml'), Yaml.stringify(...Testing.synth(new ThreeTier(Testing.app(), 'three-tier'))));
    fs.writeFileSync(path.join(dir, 'rules.yaml'), rulesFileExamples().fails);
    const out = path.join(dir, format === 'html' ? 'report.html' : 'report.md');
    const argv = threeTierReportArgv().map((a) => (a === 'dist/' || a === 'rules.yaml' ? path.join(dir, a) : a === 'report.html' ? out : a));
    let stderr = '';
    const code = runCli(argv, { stdout: () => undefined, stderr: (t) => (stderr += t), readStdin: () => Buffer.alloc(0) });
    const shown = (t: string) => t.split(`${dir}${path.sep}`).join('');
    if (!fs.existsSync(out)) throw new Error(`netpol report wrote no report (exit ${code}): ${stderr}`);
    return { text: shown(fs.readFileSync(out, 'utf8')), code, stderr: shown(stderr) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** `npx projen docs:screenshot`: writes docs/report-three-tier.html and its screenshot, docs/report-three-tier.png. */
function main(): void {
  const chromium = findChromium();
  if (!chromium) {
    process.stderr.write('no Chromium found (/usr/bin/chromium, or set NETPOL_CHROMIUM): install Debian\'s chromium package (apt-get install chromium).\n');
    process.exit(1);
  }
  fs.writeFileSync(THREE_TIER_REPORT_HTML, threeTierReport().text);
  const run = screenshot(chromium, THREE_TIER_REPORT_HTML, THREE_TIER_REPORT_PNG, 1280, 1000);
  if (run.status !== 0 || !fs.existsSync(THREE_TIER_REPORT_PNG)) {
    process.stderr.write(`chromium failed (exit ${run.status}):\n${run.stderr}\n`);
    process.exit(1);
  }
  process.stdout.write(`${path.relative(ROOT, THREE_TIER_REPORT_HTML)} and ${path.relative(ROOT, THREE_TIER_REPORT_PNG)} updated\n`);
}

if (require.main === module) main();
