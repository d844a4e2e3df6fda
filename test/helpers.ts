import { Chart, Testing, Yaml } from 'cdk8s';

/** The chart's manifests as the YAML `cdk8s synth` writes (what reviewers read in a GitOps diff). */
export function yamlOf(chart: Chart): string {
  return Yaml.stringify(...Testing.synth(chart));
}

/** The chart's NetworkPolicy objects. */
export function policiesOf(chart: Chart): any[] {
  return Testing.synth(chart).filter((o) => o.kind === 'NetworkPolicy');
}

/** A chart in a fresh app, with an optional default namespace. */
export function testChart(namespace?: string, id = 'test'): Chart {
  return new Chart(Testing.app(), id, { namespace });
}
