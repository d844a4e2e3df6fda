import { ApiObject, App, Chart, Names, YamlOutputType } from 'cdk8s';
import { IConstruct } from 'constructs';

/**
 * The synth-time check that no two objects (or charts) of an app are written to one file.
 *
 * cdk8s's `App.synth()` (2.x) names the files it writes as follows, and a second writer of a file
 * silently overwrites the first:
 * - `FILE_PER_APP`: one file, `app<ext>`;
 * - `FILE_PER_CHART`: `<chart><ext>` per chart, where `<chart>` is `Names.toDnsLabel(chart)`, with a
 *   `NNNN-` index prefix (unique per chart) when charts depend on each other;
 * - `FILE_PER_RESOURCE`: `<kind>.<name><ext>` per object of `chart.toJson()` (here: each object's
 *   JSON, as a Chart that does not override `toJson()` renders it), every chart in one directory,
 *   with every character but `[0-9a-zA-Z-_.]` dropped;
 * - `FOLDER_PER_CHART_FILE_PER_RESOURCE`: `<chart>/<kind>.<name><ext>`, the folder named as a
 *   chart's file above, the file from the object's `kind` and `metadata.name`.
 *
 * So objects of one kind and name in two namespaces (an ApplicationStack's `default-deny` in each of
 * its namespaces) share a file, and one of them is lost. Files whose names differ only in letter case
 * are one file on a case-insensitive file system (macOS, Windows), so they count as one too.
 */
export function guardOutputFiles(scope: IConstruct): void {
  const root = scope.node.root;
  if (GUARDED.has(root)) return;
  GUARDED.add(root);
  root.node.addValidation({ validate: () => outputFileCollisions(root) });
}

const GUARDED = new WeakSet<IConstruct>();

/** One writer of a file: an object, or a chart (FILE_PER_CHART). */
interface Writer {
  /** The file's path below the output directory, as cdk8s joins it (an index-prefixed folder as `#<n>`). */
  readonly key: string;
  /** The file, as shown. */
  readonly file: string;
  /** The writer, as shown. */
  readonly what: string;
}

/** The messages for every file that two writers of the app would write (none for an app cdk8s does not know). */
export function outputFileCollisions(root: IConstruct): string[] {
  if (!(root instanceof App)) return [];
  const type = root.yamlOutputType;
  const writers = writersOf(root, type);
  const groups = new Map<string, Writer[]>();
  for (const w of writers) {
    const group = groups.get(w.key.toLowerCase()) ?? [];
    group.push(w);
    groups.set(w.key.toLowerCase(), group);
  }
  const errors: string[] = [];
  for (const group of groups.values()) {
    if (group.length < 2) continue;
    const files = [...new Set(group.map((w) => w.file))];
    const whats = group.map((w) => w.what);
    const list = `${whats.slice(0, -1).join(', ')} and ${whats[whats.length - 1]}`;
    const where = files.length === 1
      ? `to one file, ${files[0]}`
      : `to files whose names differ only in letter case (${files.join(', ')}), one file on a case-insensitive file system (macOS, Windows)`;
    errors.push(`cdk8s-netpol: YamlOutputType.${YamlOutputType[type]} writes ${list} ${where}: `
      + `the one written last would overwrite the other${group.length > 2 ? 's' : ''}, and what it held would be lost without a word. ${FIXES[type]}`);
  }
  return errors;
}

const FIXES: Record<number, string> = {
  [YamlOutputType.FILE_PER_CHART]: 'Give one of the charts another construct id.',
  [YamlOutputType.FILE_PER_RESOURCE]: 'Use YamlOutputType.FILE_PER_CHART or FILE_PER_APP, or give one of them another name.',
  [YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE]: 'Use YamlOutputType.FILE_PER_CHART or FILE_PER_APP, put them in charts of their own, or give one of them another name.',
};

function writersOf(app: App, type: YamlOutputType): Writer[] {
  const ext = app.outputFileExtension;
  const indexed = hasDependentCharts(app);
  const charts = app.charts;
  switch (type) {
    case YamlOutputType.FILE_PER_CHART:
      // With index prefixes every chart's file name is its own.
      if (indexed) return [];
      return charts.map((chart) => {
        const file = `${Names.toDnsLabel(chart)}${ext}`;
        return { key: file, file, what: `chart ${chart.node.path}` };
      });
    case YamlOutputType.FILE_PER_RESOURCE:
      // As written: each object's JSON (JSON patches applied). Chart.toJson() itself cannot be
      // called here, since it runs the app's validation (this check included) again.
      return charts.flatMap((chart) => objectsOf(chart).map((object) => {
        const o = object.toJson();
        const file = `${resourceFileName(o.kind, o.metadata?.name)}${ext}`;
        return { key: file, file, what: describeObject(chart, o.kind, o.metadata?.namespace, o.metadata?.name, object) };
      }));
    case YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE:
      return charts.flatMap((chart, i) => {
        const folder = indexed ? `#${i}` : Names.toDnsLabel(chart);
        return objectsOf(chart).map((o) => {
          const name = `${resourceFileName(o.kind, o.metadata.name)}${ext}`;
          return {
            key: `${folder}/${name}`,
            file: indexed ? `${name} in the folder of chart ${chart.node.path}` : `${folder}/${name}`,
            what: describeObject(chart, o.kind, o.metadata.namespace, o.metadata.name, o),
          };
        });
      });
    default:
      return [];
  }
}

/** cdk8s's file name of one object: `<kind>.<name>` without the characters it drops. */
function resourceFileName(kind: unknown, name: unknown): string {
  return `${kind}.${name}`.replace(/[^0-9a-zA-Z-_.]/g, '');
}

/** The API objects whose closest chart is `chart`. */
function objectsOf(chart: Chart): ApiObject[] {
  return chart.node.findAll().filter((c): c is ApiObject => ApiObject.isApiObject(c) && Chart.of(c) === chart);
}

/** `[construct path] Kind namespace/name (chart path)`. */
function describeObject(chart: Chart, kind: unknown, namespace: unknown, name: unknown, object: ApiObject): string {
  const ref = `${typeof namespace === 'string' && namespace !== '' ? `${namespace}/` : ''}${String(name)}`;
  return `[${object.node.path}] ${String(kind)} ${ref} (chart ${chart.node.path})`;
}

/**
 * Whether cdk8s names chart files and folders with index prefixes: a chart holds another chart, or a
 * construct depends on one of another chart (as cdk8s's `resolveDependencies` decides, without adding
 * the dependencies it adds).
 */
function hasDependentCharts(app: App): boolean {
  const all = app.node.findAll();
  if (all.some((c) => Chart.isChart(c) && c.node.children.some((child) => Chart.isChart(child)))) return true;
  return all.some((c) => c.node.dependencies.some((d) => Chart.of(c) !== Chart.of(d)));
}
