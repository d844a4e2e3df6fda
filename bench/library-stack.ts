import { App } from 'cdk8s';
import { StackIntent } from './intent';
import { ApplicationStack } from '../src/constructs/application-stack';
import { Endpoint } from '../src/endpoints/endpoint';
import { ExternalDestination } from '../src/model/external-destination';
import { Port } from '../src/model/port';
import { NetpolApp } from '../src/synth/netpol-app';

/**
 * The intent written with this library: one `ApplicationStack` whose services live in many
 * namespaces (each sets `namespace`), and `allow` per dependency, internal or external.
 * Default deny and DNS per namespace are on (the stack's defaults).
 */
export function addLibraryStack(app: App, intent: StackIntent): ApplicationStack {
  const stack = new ApplicationStack(app, 'stack');
  const endpoints: Endpoint[] = intent.services.map((s) => stack.addService(s.name, { labels: s.labels, namespace: s.namespace }));
  const destinations = new Map<string, ExternalDestination>();
  for (const dep of intent.dependencies) {
    stack.allow(endpoints[dep.from], endpoints[dep.to], ...dep.ports.map((p) => Port.tcp(p)));
  }
  for (const ext of intent.externals) {
    let destination = destinations.get(ext.target.name);
    if (!destination) {
      destination = ExternalDestination.cidrs(ext.target.name, [ext.target.cidr]);
      destinations.set(ext.target.name, destination);
    }
    stack.allow(endpoints[ext.from], destination, Port.tcp(ext.target.port));
  }
  return stack;
}

/**
 * What a user's CI does: build the stack in a `NetpolApp` (validation on, warnings not printed) and
 * synthesize it into `outdir` (written to a staging directory, validated, then swapped in).
 */
export function synthLibrary(intent: StackIntent, outdir: string): void {
  const app = new NetpolApp({ outdir, printWarnings: false });
  addLibraryStack(app, intent);
  app.synth();
}

/** The same stack in a plain cdk8s `App`, rendered with `synthYaml()` (construct checks only, no files, no read-back validation). */
export function synthLibraryYaml(intent: StackIntent): string {
  const app = new App();
  addLibraryStack(app, intent);
  return app.synthYaml();
}
