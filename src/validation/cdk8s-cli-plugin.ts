import { Severity } from './finding';
import { validateManifests } from './validate-manifests';
import { readManifests } from '../io/manifest-reader';

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
 * Each finding becomes a violation (rule = the finding code, with the object, file and field); the
 * report fails when there are errors (or warnings, with `strict`), which makes `cdk8s synth` fail.
 */
export class NetpolValidationPlugin {
  private readonly props: NetpolValidationPluginProps;

  /** @param props the `properties` of the plugin's `cdk8s.yaml` entry */
  constructor(props: NetpolValidationPluginProps = {}) {
    this.props = props;
  }

  /** Validates the manifests of `context` (a cdk8s-cli `ValidationContext`). */
  public validate(context: any): void {
    const read = readManifests(context.manifests as string[], () => Buffer.alloc(0));
    for (const p of read.problems) {
      context.report.addViolation({
        ruleName: 'unreadable-manifest',
        recommendation: p.message,
        fix: 'Make sure the synthesized manifests are valid YAML.',
        violatingResources: [{ resourceName: '', locations: p.line ? [`line ${p.line}`] : [], manifestPath: p.file }],
      });
    }
    const report = validateManifests(read.objects, { strictCidr: !this.props.legacyCidr, clusterCidrs: this.props.clusterCidrs });
    for (const f of report.findings) {
      context.report.addViolation({
        ruleName: `${f.code} (${f.severity})`,
        recommendation: `${f.object}: ${f.field ? `${f.field}: ` : ''}${f.message}`,
        fix: f.fix,
        violatingResources: [{ resourceName: f.object, locations: [f.field], manifestPath: f.file ?? '' }],
      });
    }
    const failed = read.problems.length > 0 || report.findings.some((f) => f.severity === Severity.ERROR || this.props.strict);
    context.report.submit(failed ? 'failure' : 'success', `cdk8s-netpol checked ${report.checked} NetworkPolicies`);
  }
}
