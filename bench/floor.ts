import { ApiObject, App, Chart, Yaml } from 'cdk8s';

/**
 * The floor: the very NetworkPolicy objects the library emits, as bare cdk8s `ApiObject`s (plain
 * spec JSON, no construct logic, no validation) in one chart, synthesized with `app.synthYaml()`.
 */
export function synthFloor(objects: ReadonlyArray<Record<string, any>>): string {
  const app = new App();
  const chart = new Chart(app, 'floor');
  objects.forEach((o, i) => {
    const { apiVersion, kind, metadata, ...rest } = o;
    new ApiObject(chart, `o${i}`, { apiVersion, kind, metadata, ...rest });
  });
  return app.synthYaml();
}

/** YAML serialization of the plain objects alone (no constructs at all). */
export function serializeFloor(objects: ReadonlyArray<Record<string, any>>): string {
  return Yaml.stringify(...objects);
}
