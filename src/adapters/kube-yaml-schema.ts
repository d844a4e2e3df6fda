import * as jsyaml from 'js-yaml';

const TRUE_WORDS = ['true', 'True', 'TRUE', 'y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON'];
const FALSE_WORDS = ['false', 'False', 'FALSE', 'n', 'N', 'no', 'No', 'NO', 'off', 'Off', 'OFF'];

/**
 * The YAML 1.1 booleans that kubectl's YAML decoder (go-yaml v2) also reads as booleans: `yes`,
 * `on`, `off`, ... So `app: yes` unquoted is a boolean here as in Kubernetes, and a label value
 * written that way is reported as the wrong type instead of silently accepted.
 */
const yaml11Bool = new jsyaml.Type('tag:yaml.org,2002:bool', {
  kind: 'scalar',
  resolve: (data: string) => TRUE_WORDS.includes(data) || FALSE_WORDS.includes(data),
  construct: (data: string) => TRUE_WORDS.includes(data),
  predicate: (object: unknown) => typeof object === 'boolean',
  represent: (object: object) => (object ? 'true' : 'false'),
});

/** The schema manifests are read with: YAML 1.2 core plus the YAML 1.1 booleans kubectl accepts. */
export const KUBE_YAML_SCHEMA = jsyaml.CORE_SCHEMA.extend({ implicit: [yaml11Bool] });
