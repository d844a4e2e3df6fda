import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, AppProps, Chart } from 'cdk8s';
import { replaceDirectoryAtomically, stagingDirectoryFor } from './atomic-directory';
import { findingKey, findingsReportedByCdk8sCli } from '../adapters/cdk8s-cli-plugin';
import { NO_READ_LIMITS, readManifests, ReadObject } from '../adapters/manifest-reader';
import { NetworkTarget } from '../constructs/network-target';
import { guardOutputFiles } from '../constructs/output-files';
import { Severity } from '../k8s/finding';
import { NETWORK_POLICY_KIND, STAGED_NETWORK_POLICY_KIND } from '../k8s/manifest';
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
  /**
   * The network plugin of the app's cluster, as `NetworkTarget.declare(app, target)` declares it
   * (a chart may declare its own).
   * @default - plain Kubernetes (NetworkTarget.kubernetes()), unless declared with NetworkTarget.declare
   */
  readonly target?: NetworkTarget;
}

/**
 * A cdk8s `App` whose `synth()` is all-or-nothing: manifests are written to a staging directory,
 * every NetworkPolicy in it is validated, and only then does it replace the output directory. A
 * failed synth (a validation error, an exception) leaves the previous output exactly as it was, so
 * a GitOps pipeline never pushes half an output; a successful one leaves no stale files behind.
 *
 * The output directory (`outputDir`) is the `outdir` of the props, else `CDK8S_OUTDIR` (which
 * `cdk8s synth` sets), else `dist`, as for a cdk8s `App`. cdk8s's own `outdir` is the staging
 * directory next to it, a hidden directory that exists only during `synth()`: cdk8s writes the
 * charts there (what a construct writes into `App.of(this).outdir` during the synth is part of the
 * output too), the written files are read back and validated, and the directory is then renamed to
 * `outputDir`. Read the output from `outputDir`.
 *
 * It never deletes a file it did not write. Each synth lists what it wrote, with SHA-256 hashes, in
 * `<outputDir>/.netpol-app.sha256` (the `sha256sum` format). The output directory is replaced only
 * when it is missing, holds no files, or holds nothing but unchanged files of that list; otherwise
 * `synth()` throws before writing, names the files it would have deleted and leaves everything as
 * it was. Give each app an output directory of its own (not a directory that other tools write to,
 * such as a package's `dist/`).
 *
 * @example
 * const app = new NetpolApp({ outdir: 'dist' });
 * new MyChart(app, 'shop');
 * app.synth();
 */
export class NetpolApp extends App {
  /**
   * The directory `synth()` puts the validated output in: the `outdir` of the props, else
   * `CDK8S_OUTDIR`, else `dist`. (`outdir` is the staging directory cdk8s writes into first.)
   */
  public readonly outputDir: string;
  private readonly settings: NetpolAppProps;

  /** @param props the app's properties (cdk8s `AppProps` plus validation settings) */
  constructor(props: NetpolAppProps = {}) {
    // The output directory as cdk8s's App would choose it; cdk8s itself writes next to it.
    const outputDir = props.outdir ?? process.env.CDK8S_OUTDIR ?? 'dist';
    super({ ...props, outdir: stagingDirectoryFor(outputDir) });
    this.outputDir = outputDir;
    this.settings = props;
    if (props.target !== undefined) NetworkTarget.declare(this, props.target);
    guardOutputFiles(this);
  }

  /**
   * Synthesizes every chart into `outputDir`, validated and atomically.
   *
   * Throws, writing nothing, when `outputDir` holds files an earlier synth did not write, when a
   * NetworkPolicy that was written has errors, or when an object of the app is missing from what
   * cdk8s wrote (it could not have been validated).
   */
  public synth(): void {
    replaceDirectoryAtomically(this.outputDir, this.outdir, () => {
      super.synth();
      if (this.settings.validate ?? true) this.validateOutput();
    });
  }

  /**
   * Reads back what cdk8s wrote into the staging directory and validates it; throws with every
   * error, naming the construct, file and field.
   */
  private validateOutput(): void {
    const staging = this.outdir;
    const read = readManifests(this.manifestFiles(), () => Buffer.alloc(0), NO_READ_LIMITS);
    if (read.problems.length > 0) {
      throw new Error(`cdk8s-netpol: cannot read back the synthesized output to validate it: ${read.problems.map((p) => `${this.shown(p.file)}${p.line ? `:${p.line}` : ''}: ${p.message}`).join('; ')}. `
        + `Check that the disk is not full and that no other process writes into ${staging}; nothing was written to ${this.outputDir}.`);
    }
    this.assertEverythingWritten(read.objects);
    const report = validateManifests(read.objects, { clusterCidrs: this.settings.clusterCidrs });
    if (report.findings.length === 0) return;
    const constructPaths = new Map<string, string>();
    for (const c of this.node.findAll()) {
      if (ApiObject.isApiObject(c) && (c.kind === NETWORK_POLICY_KIND || c.kind === STAGED_NETWORK_POLICY_KIND)) {
        constructPaths.set(`${c.kind}|${objectRef({ metadata: { namespace: c.metadata.namespace, name: c.name } })}`, c.node.path);
      }
    }
    const describe = (f: typeof report.findings[number]) => {
      const where = constructPaths.get(`${f.kind ?? NETWORK_POLICY_KIND}|${f.object}`);
      return `${where ? `[${where}] ` : ''}${f.kind ? `${f.kind} ` : ''}${f.object} (${f.file ? this.shown(f.file) : '<output>'}${f.line ? `:${f.line}` : ''}): ${f.code} ${f.field}: ${f.message}. Fix: ${f.fix}`;
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
      throw new Error(`NetworkPolicy validation failed; nothing was written to ${this.outputDir}:\n  ${errors.map(describe).join('\n  ')}`);
    }
  }

  /**
   * The files cdk8s wrote manifests into (named `*<outputFileExtension>`), below the staging
   * directory, in the order the manifest reader walks a directory (sorted per directory).
   */
  private manifestFiles(): string[] {
    const out: string[] = [];
    const walk = (dir: string) => {
      const entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const entry of entries) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (entry.isFile() && entry.name.endsWith(this.outputFileExtension)) out.push(full);
      }
    };
    walk(this.outdir);
    return out;
  }

  /**
   * Throws unless every API object of the app is in what was read back. Validation sees only what
   * was written, so an object cdk8s did not write (a cdk8s release that writes elsewhere or not at
   * all, a chart whose `toJson()` leaves objects out, two objects that one file name overwrites)
   * would otherwise pass without a check. Counted per kind (so an object whose name a JSON patch
   * changed still counts); the objects named are those whose kind, namespace and name are not found.
   */
  private assertEverythingWritten(read: readonly ReadObject[]): void {
    const declared = this.node.findAll().filter((c): c is ApiObject => ApiObject.isApiObject(c));
    const written = new Map<string, number>();
    const writtenIds = new Set<string>();
    for (const { object } of read) {
      const o = object as { kind?: unknown; metadata?: { namespace?: unknown; name?: unknown } } | null;
      if (typeof o?.kind !== 'string') continue;
      written.set(o.kind, (written.get(o.kind) ?? 0) + 1);
      writtenIds.add(JSON.stringify([o.kind, o.metadata?.namespace ?? null, o.metadata?.name ?? null]));
    }
    const declaredCounts = new Map<string, number>();
    for (const o of declared) declaredCounts.set(o.kind, (declaredCounts.get(o.kind) ?? 0) + 1);
    const short = [...declaredCounts].filter(([kind, count]) => (written.get(kind) ?? 0) < count);
    if (short.length === 0) return;
    const kinds = new Set(short.map(([kind]) => kind));
    const missing = declared
      .filter((o) => kinds.has(o.kind) && !writtenIds.has(JSON.stringify([o.kind, o.metadata.namespace ?? null, o.name])))
      .map((o) => `[${o.node.path}] ${o.kind} ${objectRef({ metadata: { namespace: o.metadata.namespace, name: o.name } })} (chart ${Chart.of(o).node.path})`);
    const counts = short.map(([kind, count]) => `${written.get(kind) ?? 0} of the app's ${count} ${kind} objects`).join(', ');
    throw new Error(`cdk8s-netpol: cdk8s wrote ${counts} into ${this.outdir}${missing.length > 0 ? `; missing: ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ` and ${missing.length - 10} more` : ''}` : ''}. `
      + `An object that is not written cannot be validated, so nothing was written to ${this.outputDir}. `
      + 'Make sure every chart renders all of its objects (an overridden Chart.toJson() must return them all) and that no two objects share a file: '
      + 'YamlOutputType.FILE_PER_RESOURCE (and FOLDER_PER_CHART_FILE_PER_RESOURCE, within a chart) names a file by kind and name alone, so objects of one kind and name in two namespaces overwrite each other; '
      + 'use FILE_PER_CHART or FILE_PER_APP, or other names. If none of this applies, this cdk8s version writes its output in a way NetpolApp does not know.');
  }

  /** A path in the staging directory, as it will be after the swap (in `outputDir`). */
  private shown(file: string): string {
    return path.join(this.outputDir, path.relative(this.outdir, file));
  }
}
