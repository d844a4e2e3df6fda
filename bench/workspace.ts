import * as fs from 'fs';
import * as path from 'path';
import { Yaml } from 'cdk8s';
import { countPolicies, PolicyCounts } from './counts';
import { describeIntent, generateIntent, StackIntent } from './intent';
import { synthLibrary } from './library-stack';
import { readManifests } from '../src/adapters/manifest-reader';

/** Where the prepared inputs of one size live (under the run's temporary directory). */
export interface SizePaths {
  readonly root: string;
  /** The library's synthesized output (NetworkPolicies only), the input of validation and analysis. */
  readonly libraryDir: string;
  /** One Pod manifest per service, for the analysis. */
  readonly podsDir: string;
  /** The library's NetworkPolicies as a JSON array, the objects of the floor. */
  readonly objectsFile: string;
  /** Scratch output directory of the timed library synth. */
  readonly synthOutDir: string;
}

/** What preparing a size produced. */
export interface PreparedSize {
  readonly size: number;
  readonly intent: string;
  readonly files: number;
  readonly yamlBytes: number;
  readonly library: PolicyCounts;
  readonly pods: number;
}

/** The paths of a size inside the work directory. */
export function sizePaths(work: string, size: number): SizePaths {
  const root = path.join(work, `n${size}`);
  return {
    root,
    libraryDir: path.join(root, 'library'),
    podsDir: path.join(root, 'pods'),
    objectsFile: path.join(root, 'objects.json'),
    synthOutDir: path.join(root, 'synth-out'),
  };
}

/** A Pod manifest per service (labels and container ports of the service), for the analyser. */
export function podManifests(intent: StackIntent): Array<Record<string, unknown>> {
  return intent.services.map((s) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: s.name, namespace: s.namespace, labels: s.labels },
    spec: { containers: [{ name: 'app', image: 'registry.example/app:1.0.0', ports: s.ports.map((containerPort) => ({ containerPort })) }] },
  }));
}

/**
 * Synthesizes the library version once (outside any timing) and stores what the scenarios share:
 * the YAML output, its objects as JSON (for the floor) and the Pod manifests (for the analysis).
 */
export function prepareSize(work: string, size: number): PreparedSize {
  const paths = sizePaths(work, size);
  fs.rmSync(paths.root, { recursive: true, force: true });
  fs.mkdirSync(paths.podsDir, { recursive: true });
  const intent = generateIntent(size);
  synthLibrary(intent, paths.libraryDir);
  const read = readManifests([paths.libraryDir], () => Buffer.alloc(0));
  if (read.problems.length > 0) throw new Error(`cannot read back the library output: ${read.problems.map((p) => p.message).join('; ')}`);
  const objects = read.objects.map((o) => o.object);
  fs.writeFileSync(paths.objectsFile, JSON.stringify(objects));
  const pods = podManifests(intent);
  fs.writeFileSync(path.join(paths.podsDir, 'pods.k8s.yaml'), Yaml.stringify(...pods));
  const yamlBytes = read.files.reduce((sum, f) => sum + fs.statSync(f).size, 0);
  return { size, intent: describeIntent(intent), files: read.files.length, yamlBytes, library: countPolicies(objects), pods: pods.length };
}

/** The floor's input: the library's objects, exactly as synthesized. */
export function loadObjects(work: string, size: number): Array<Record<string, any>> {
  return JSON.parse(fs.readFileSync(sizePaths(work, size).objectsFile, 'utf8'));
}
