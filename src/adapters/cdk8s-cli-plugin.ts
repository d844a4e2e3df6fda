import * as fs from 'fs';
import * as path from 'path';
import * as jsyaml from 'js-yaml';
import { readManifests, ReadObject } from './manifest-reader';
import { Severity } from '../k8s/finding';
import { flattenLists, SourcedObject } from '../k8s/objects';
import { LocatedFinding, ManifestValidationOptions, validateManifests } from '../validation/validate-manifests';

/** Properties of the cdk8s CLI validation plugin (the `properties` of its `cdk8s.yaml` entry). */
export interface NetpolValidationPluginProps {
  /** Fail on warnings too. @default false */
  readonly strict?: boolean;
  /** Accept CIDRs only Kubernetes < 1.36 accepts. @default false */
  readonly legacyCidr?: boolean;
  /** The cluster's pod and service CIDRs (for NP010). @default - none */
  readonly clusterCidrs?: string[];
}

/**
 * A cdk8s CLI validation plugin, so that any cdk8s app, even one not built with these constructs,
 * gets the NetworkPolicy checks in its `cdk8s synth`. In `cdk8s.yaml`:
 *
 * ```yaml
 * validations:
 *   - package: ./node_modules/cdk8s-netpol
 *     class: NetpolValidationPlugin
 *     version: 0.0.0
 *     properties: { strict: false, clusterCidrs: [10.244.0.0/16] }
 * ```
 *
 * Each finding becomes one violation of the report `cdk8s synth` prints: the rule is the finding
 * code and its severity (`NP001 [warning]`), the occurrence names the object, its manifest, the
 * field and (from the construct metadata `cdk8s synth` records) the construct path; the
 * recommendation says what is wrong and "How to fix" how to fix it. The summary counts the checked
 * policies, errors and warnings. The report fails when there are errors (or warnings, with
 * `strict`), which makes `cdk8s synth` exit with code 2.
 */
export class NetpolValidationPlugin {
  private readonly props: NetpolValidationPluginProps;

  /**
   * @param props the `properties` of the plugin's `cdk8s.yaml` entry; an unknown property, a value
   * of the wrong type or an invalid CIDR is refused (a misspelt option would otherwise be ignored)
   */
  constructor(props: NetpolValidationPluginProps = {}) {
    this.props = checkProps(props);
  }

  /** Validates the manifests of `context` (a cdk8s-cli `ValidationContext`) and submits its report. */
  public validate(context: any): void {
    // The CLI lists the manifests in directory order; sorted, the report is the same on every machine.
    const manifests = [...(context.manifests as string[])].sort();
    const read = readManifests(manifests, () => Buffer.alloc(0));
    for (const p of read.problems) {
      context.report.addViolation({
        ruleName: 'unreadable-manifest [error]',
        recommendation: `${p.file}${p.line ? `:${p.line}` : ''}: ${p.message}`,
        fix: 'Make sure the app writes valid YAML manifests; nothing in this file was checked.',
        violatingResources: [{ resourceName: '(unreadable)', locations: [p.line ? `line ${p.line}` : '(the whole file)'], manifestPath: p.file }],
      });
    }
    const report = validateManifests(read.objects, pluginOptions(this.props));
    const names = nameCounts(read.objects);
    const metadata: Record<string, unknown> = context.metadata ?? {};
    for (const f of report.findings) {
      const name = f.object.slice(f.object.indexOf('/') + 1);
      // The CLI shows a construct path by looking up `resourceName` in its construct metadata, which
      // cdk8s keys by `metadata.name` alone. With several objects of that name it could show another
      // object's path, so the resource is then named `namespace/name`, which no metadata key matches.
      const unique = names.get(name) === 1;
      const ambiguity = !unique && metadata[name] !== undefined
        ? ` (The construct path is not shown: ${names.get(name) ?? 0} objects in the output are named ${JSON.stringify(name)}, and cdk8s records construct paths by name only.)`
        : '';
      context.report.addViolation({
        ruleName: ruleName(f),
        recommendation: `${f.kind ?? 'NetworkPolicy'} ${f.object}${f.field ? `, ${f.field}` : ''}: ${f.message}${ambiguity}`,
        fix: f.fix,
        violatingResources: [{
          resourceName: unique ? name : f.object,
          locations: [f.field || '(the whole object)'],
          manifestPath: f.file ?? '<unknown>',
        }],
      });
    }
    // Objects the checks could not see (a policy kind they do not model, a malformed object): a
    // warning each, so `strict` fails on them as `netpol validate --strict` does.
    for (const o of report.leftOut) {
      context.report.addViolation({
        ruleName: 'left-out [warning]',
        recommendation: `${o.kind ? `${o.kind} ` : ''}${o.object}: left out: ${o.reason}`,
        fix: 'Check this object with a tool that models it, or fix it as the message says; cdk8s-netpol did not check it.',
        violatingResources: [{ resourceName: o.object, locations: [o.line ? `line ${o.line}` : '(the whole object)'], manifestPath: o.file ?? '<unknown>' }],
      });
    }
    const errors = report.findings.filter((f) => f.severity === Severity.ERROR).length;
    const warnings = report.findings.length - errors + report.leftOut.length;
    const failed = read.problems.length > 0 || errors > 0 || (this.props.strict === true && warnings > 0);
    // The CLI prints each entry of this record as a row of the summary table, after Status, Plugin and Version.
    // Each kind by its name (the Cilium policies are counted in `checked`, and are no NetworkPolicies).
    const cilium = report.checkedCiliumPolicies;
    const summary: Record<string, string> = { 'NetworkPolicies checked': String(report.checked - cilium.reduce((n, k) => n + k.count, 0)) };
    for (const k of cilium) summary[`${k.kind.endsWith('y') ? `${k.kind.slice(0, -1)}ies` : `${k.kind}s`} checked`] = String(k.count);
    if (report.checkedClusterPolicies > 0) summary['Cluster policies checked'] = String(report.checkedClusterPolicies);
    summary.Errors = String(errors);
    summary.Warnings = String(warnings);
    if (read.problems.length > 0) summary['Unreadable manifests'] = String(read.problems.length);
    summary['Fails on'] = this.props.strict ? 'errors and warnings (strict)' : 'errors';
    context.report.submit(failed ? 'failure' : 'success', summary);
  }
}

/** The validation options the plugin runs with. */
function pluginOptions(props: NetpolValidationPluginProps): ManifestValidationOptions {
  return { strictCidr: !props.legacyCidr, clusterCidrs: props.clusterCidrs };
}

/** What identifies a finding across two runs of the checks over the same manifests (not the file path). */
export function findingKey(f: LocatedFinding): string {
  return JSON.stringify([f.severity, f.code, f.kind ?? '', f.object, f.field, f.message]);
}

/**
 * The findings (as `findingKey`s) that the report of `NetpolValidationPlugin` will show for the
 * output `written` to `outdir`, when this process is a cdk8s app run by a `cdk8s synth` that runs
 * the plugin afterwards; else none. The app can then leave them to the report instead of showing
 * them twice.
 *
 * The signal is the one `cdk8s synth` (cdk8s-cli 2.x) gives the app: it sets
 * `CDK8S_RECORD_CONSTRUCT_METADATA=true` when validation plugins are configured and enabled (the
 * metadata is for their reports), and runs the app in its own directory, where it read the
 * `validations:` of `cdk8s.yaml`. Then the plugin's entries there are checked the way the plugin
 * will check them: with their properties, over the `.yaml` files of the output (the files the CLI
 * hands to plugins), in the plugin's order. Whatever cannot be established (a `validations:` URL,
 * no or unreadable `cdk8s.yaml`, properties the CLI will refuse) counts as not reported, so a
 * warning is at worst shown twice, never lost.
 */
export function findingsReportedByCdk8sCli(
  written: readonly ReadObject[], outdir: string, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd(),
): Set<string> {
  const reported = new Set<string>();
  if (env.CDK8S_RECORD_CONSTRUCT_METADATA !== 'true' || env.CDK8S_VALIDATE === 'false') return reported;
  let config: unknown;
  try {
    config = jsyaml.load(fs.readFileSync(path.join(cwd, 'cdk8s.yaml'), 'utf8'));
  } catch {
    return reported;
  }
  const validations = (config as { validations?: unknown } | null)?.validations;
  if (!Array.isArray(validations)) return reported;
  const manifests = written
    .filter((o) => o.file.endsWith('.yaml'))
    .map((o) => ({ o, key: path.relative(outdir, o.file) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map(({ o }) => o);
  for (const entry of validations) {
    if ((entry as { class?: unknown } | null)?.class !== 'NetpolValidationPlugin') continue;
    let props: NetpolValidationPluginProps;
    try {
      props = checkProps((entry as { properties?: unknown }).properties ?? {});
    } catch {
      continue; // the CLI refuses this entry and fails the synth
    }
    for (const f of validateManifests(manifests, pluginOptions(props)).findings) reported.add(findingKey(f));
  }
  return reported;
}

const PROPERTY_TYPES: Record<string, string> = { strict: 'boolean', legacyCidr: 'boolean', clusterCidrs: 'list of CIDR strings' };

/** `props` as given in `cdk8s.yaml` (any YAML), checked. */
function checkProps(props: unknown): NetpolValidationPluginProps {
  const where = 'NetpolValidationPlugin: in the `properties` of its `validations:` entry in cdk8s.yaml';
  const known = `The properties are ${Object.entries(PROPERTY_TYPES).map(([k, t]) => `${k} (${t})`).join(', ')}.`;
  if (typeof props !== 'object' || props === null || Array.isArray(props)) {
    throw new Error(`${where}: expected a mapping, got ${JSON.stringify(props)}. ${known}`);
  }
  const given = props as Record<string, unknown>;
  for (const [key, value] of Object.entries(given)) {
    if (!(key in PROPERTY_TYPES)) throw new Error(`${where}: unknown property ${JSON.stringify(key)}. ${known}`);
    const ok = PROPERTY_TYPES[key] === 'boolean'
      ? typeof value === 'boolean'
      : Array.isArray(value) && value.every((v) => typeof v === 'string');
    if (!ok && value !== undefined && value !== null) {
      throw new Error(`${where}: ${key} must be a ${PROPERTY_TYPES[key]}, got ${JSON.stringify(value)}. ${known}`);
    }
  }
  // YAML's empty value (`strict:`) means "not set".
  const checked = {
    strict: given.strict ?? undefined,
    legacyCidr: given.legacyCidr ?? undefined,
    clusterCidrs: given.clusterCidrs ?? undefined,
  } as NetpolValidationPluginProps;
  try {
    validateManifests([], { clusterCidrs: checked.clusterCidrs });
  } catch (e) {
    throw new Error(`${where}: clusterCidrs: ${(e as Error).message}`);
  }
  return checked;
}

function ruleName(f: LocatedFinding): string {
  return `${f.code} [${f.severity}]`;
}

/** How many objects of the manifests (documents, and the items of `List`s) carry each `metadata.name`. */
function nameCounts(objects: readonly SourcedObject[]): Map<string, number> {
  const counts = new Map<string, number>();
  const count = (o: unknown) => {
    const name = (o as { metadata?: { name?: unknown } } | null)?.metadata?.name;
    if (typeof name === 'string') counts.set(name, (counts.get(name) ?? 0) + 1);
  };
  for (const o of flattenLists(objects)) count(o.object);
  // The List documents themselves (flattenLists keeps only their items).
  for (const o of objects) {
    const list = o.object as { kind?: unknown; items?: unknown } | null;
    if (typeof list?.kind === 'string' && list.kind.endsWith('List') && Array.isArray(list.items)) count(list);
  }
  return counts;
}
