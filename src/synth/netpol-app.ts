import * as path from 'path';
import { ApiObject, App, AppProps, Chart, YamlOutputType } from 'cdk8s';
import { replaceDirectoryAtomically } from './atomic-directory';
import { findingKey, findingsReportedByCdk8sCli } from '../adapters/cdk8s-cli-plugin';
import { readManifests } from '../adapters/manifest-reader';
import { Severity } from '../k8s/finding';
import { objectRef } from '../k8s/objects';
import { validateManifests } from '../validation/validate-manifests';

/** Properties of `NetpolApp`. */
export interface NetpolAppProps extends AppProps {
  /**
   * Check every NetworkPolicy that was written (the API server's rules and the lints, across all
   * charts, so two charts writing the same policy name are caught); errors fail the synth.
   * @default true
   */
  readonly validate?: boolean;
  /**
   * Print lint warnings to stderr. Under a `cdk8s synth` that runs `NetpolValidationPlugin`
   * (configured in `cdk8s.yaml`), the warnings its report shows are not printed a second time.
   * @default true
   */
  readonly printWarnings?: boolean;
  /** The cluster's pod and service CIDRs, for the ipBlock lint (NP010). @default - none */
  readonly clusterCidrs?: string[];
}

/**
 * A cdk8s `App` whose `synth()` is all-or-nothing: manifests are written to a staging directory,
 * every NetworkPolicy in it is validated, and only then does it replace `outdir`. A failed synth (a
 * validation error, an exception) leaves the previous output exactly as it was, so a GitOps pipeline
 * never pushes half an output; a successful one leaves no stale files behind.
 *
 * It never deletes a file it did not write. Each synth lists what it wrote, with SHA-256 hashes, in
 * `outdir/.netpol-app.sha256` (the `sha256sum` format). `outdir` is replaced only when it is missing,
 * holds no files, or holds nothing but unchanged files of that list; otherwise `synth()` throws
 * before writing, names the files it would have deleted and leaves everything as it was. Give each
 * app an `outdir` of its own (not a directory that other tools write to, such as a package's `dist/`).
 *
 * @example
 * const app = new NetpolApp({ outdir: 'dist' });
 * new MyChart(app, 'shop');
 * app.synth();
 */
export class NetpolApp extends App {
  private readonly settings: NetpolAppProps;

  /** @param props the app's properties (cdk8s `AppProps` plus validation settings) */
  constructor(props: NetpolAppProps = {}) {
    super(props);
    this.settings = props;
  }

  /**
   * Synthesizes every chart into `outdir`, validated and atomically.
   *
   * Throws, writing nothing, when `outdir` holds files an earlier synth did not write.
   */
  public synth(): void {
    const target = this.outdir;
    const writable = this as unknown as { outdir: string };
    replaceDirectoryAtomically(target, (staging) => {
      writable.outdir = staging;
      const written = this.captureChartOutput();
      try {
        super.synth();
      } finally {
        written.restore();
        writable.outdir = target;
      }
      if (this.settings.validate ?? true) this.validateOutput(staging, target, written.objects);
    });
  }

  /**
   * Records what each chart renders while `super.synth()` writes it, so the output can be validated
   * without reading it back (cdk8s renders each chart once per synth through `toJson()`).
   */
  private captureChartOutput(): { objects: unknown[] | undefined; restore: () => void } {
    const captured: { objects: unknown[] | undefined; restore: () => void } = { objects: [], restore: () => undefined };
    if (this.yamlOutputType === YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE) {
      captured.objects = undefined; // rendered object by object: read the files back instead
      return captured;
    }
    // Every chart (not `this.charts`, which sorts them through a dependency graph of the whole app).
    const charts = this.node.findAll().filter((c): c is Chart => c instanceof Chart);
    for (const chart of charts) {
      const render = chart.toJson.bind(chart);
      chart.toJson = () => {
        const objects = render();
        captured.objects?.push(...objects);
        return objects;
      };
    }
    captured.restore = () => charts.forEach((chart) => delete (chart as { toJson?: unknown }).toJson);
    return captured;
  }

  /**
   * Validates what was written; throws with every error, naming the construct, file and field. The
   * rendered objects are checked in memory; only when there are findings is the output read back,
   * to report files and lines.
   */
  private validateOutput(staging: string, target: string, rendered: unknown[] | undefined): void {
    const options = { clusterCidrs: this.settings.clusterCidrs };
    if (rendered && validateManifests(rendered.map((object) => ({ object })), options).findings.length === 0) return;
    const read = readManifests([staging], () => Buffer.alloc(0));
    if (read.problems.length > 0) {
      throw new Error(`cdk8s-netpol: cannot read back the synthesized output to report its findings: ${read.problems.map((p) => `${p.file}: ${p.message}`).join('; ')}. `
        + 'Check that the output directory is writable and the disk is not full; nothing was written to the output directory.');
    }
    const report = validateManifests(read.objects, options);
    const constructPaths = new Map<string, string>();
    for (const c of this.node.findAll()) {
      if (c instanceof ApiObject && c.kind === 'NetworkPolicy') constructPaths.set(objectRef({ metadata: { namespace: c.metadata.namespace, name: c.name } }), c.node.path);
    }
    const describe = (f: typeof report.findings[number]) => {
      const file = f.file ? path.join(target, path.relative(staging, f.file)) : '<output>';
      const where = constructPaths.get(f.object);
      return `${where ? `[${where}] ` : ''}${f.object} (${file}${f.line ? `:${f.line}` : ''}): ${f.code} ${f.field}: ${f.message}. Fix: ${f.fix}`;
    };
    const errors = report.findings.filter((f) => f.severity === Severity.ERROR);
    if ((this.settings.printWarnings ?? true)) {
      // Under a `cdk8s synth` that runs NetpolValidationPlugin, its report shows the warnings it
      // finds: print only the others, so that a warning is shown once and none is lost.
      const reported = findingsReportedByCdk8sCli(read.objects, staging);
      for (const w of report.findings.filter((f) => f.severity === Severity.WARNING && !reported.has(findingKey(f)))) {
        process.stderr.write(`cdk8s-netpol warning: ${describe(w)}\n`);
      }
    }
    if (errors.length > 0) {
      throw new Error(`NetworkPolicy validation failed; nothing was written to ${target}:\n  ${errors.map(describe).join('\n  ')}`);
    }
  }
}
