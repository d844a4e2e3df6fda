import * as jsyaml from 'js-yaml';

/**
 * The YAML schema manifests are read with: the scalars as kubectl reads them. kubectl decodes YAML
 * with sigs.k8s.io/yaml, which parses it with go-yaml v2 (YAML 1.1 rules) before converting it to
 * JSON, so a file means to this tool what it means to `kubectl apply`:
 * - the YAML 1.1 booleans: `yes`, `on`, `off`, `y`, `n`, ... (`app: yes` unquoted is a boolean,
 *   and a label value written that way is reported as the wrong type);
 * - integers as go-yaml v2 resolves them: underscores dropped, then Go's base prefixes (`0x1F`,
 *   `0o17`, `0b101`) and a leading `0` meaning octal (`port: 0443` is 291, not 443);
 * - floats that go-yaml v2 accepts (`1e3`, `089`, `.5`, `.inf`);
 * - merge keys (`<<: *defaults`), which go-yaml v2 applies, so rules merged in are rules checked.
 */
const TRUE_WORDS = ['true', 'True', 'TRUE', 'y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON'];
const FALSE_WORDS = ['false', 'False', 'FALSE', 'n', 'N', 'no', 'No', 'NO', 'off', 'Off', 'OFF'];

const yaml11Bool = new jsyaml.Type('tag:yaml.org,2002:bool', {
  kind: 'scalar',
  resolve: (data: string) => TRUE_WORDS.includes(data) || FALSE_WORDS.includes(data),
  construct: (data: string) => TRUE_WORDS.includes(data),
  predicate: (object: unknown) => typeof object === 'boolean',
  represent: (object: object) => (object ? 'true' : 'false'),
});

/** The integer a plain scalar is to go-yaml v2 (strconv.ParseInt(s, 0, 64) after dropping `_`), or undefined. */
export function goYamlInteger(data: string): number | undefined {
  const plain = data.replace(/_/g, '');
  const m = /^([-+]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(plain);
  if (!m) return undefined;
  const [, sign, digits] = m;
  let value: number;
  if (/^0[xX]/.test(digits)) value = parseInt(digits.slice(2), 16);
  else if (/^0[oO]/.test(digits)) value = parseInt(digits.slice(2), 8);
  else if (/^0[bB]/.test(digits)) value = parseInt(digits.slice(2), 2);
  else if (digits.length > 1 && digits.startsWith('0')) value = parseInt(digits.slice(1), 8);
  else value = parseInt(digits, 10);
  return sign === '-' ? -value : value;
}

const yaml11Int = new jsyaml.Type('tag:yaml.org,2002:int', {
  kind: 'scalar',
  resolve: (data: string) => data !== null && goYamlInteger(data) !== undefined,
  construct: (data: string) => goYamlInteger(data)!,
  predicate: (object: unknown) => typeof object === 'number' && Number.isInteger(object),
  represent: (object: object) => String(object),
});

/** go-yaml v2's float pattern (after dropping `_`), plus its infinities and NaN. */
const GO_YAML_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const FLOAT_WORDS: Record<string, number> = {
  '.inf': Infinity,
  '.Inf': Infinity,
  '.INF': Infinity,
  '+.inf': Infinity,
  '+.Inf': Infinity,
  '+.INF': Infinity,
  '-.inf': -Infinity,
  '-.Inf': -Infinity,
  '-.INF': -Infinity,
  '.nan': NaN,
  '.NaN': NaN,
  '.NAN': NaN,
};

const yaml11Float = new jsyaml.Type('tag:yaml.org,2002:float', {
  kind: 'scalar',
  resolve: (data: string) => data !== null && (data in FLOAT_WORDS || GO_YAML_FLOAT.test(data.replace(/_/g, ''))),
  construct: (data: string) => (data in FLOAT_WORDS ? FLOAT_WORDS[data] : parseFloat(data.replace(/_/g, ''))),
  predicate: (object: unknown) => typeof object === 'number' && !Number.isInteger(object),
  represent: (object: object) => String(object),
});

/** js-yaml's merge-key type (`<<`); its typings do not declare the `types` table it exports. */
const mergeKeys = (jsyaml as unknown as { types: { merge: jsyaml.Type } }).types.merge;

/** The schema manifests are read with (see above). */
export const KUBE_YAML_SCHEMA = jsyaml.CORE_SCHEMA.extend({ implicit: [yaml11Bool, yaml11Int, yaml11Float, mergeKeys] });
