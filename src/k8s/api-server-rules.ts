import { formatCidr, isStrictSubset, parseCidr, ParsedCidr } from './cidr';
import { API_ERROR_TYPES, ApiErrorType, Finding, Severity } from './finding';
import { unknownFieldFindings } from './known-fields';
import { NETWORK_POLICY_API_VERSION, STAGED_NETWORK_POLICY_API_VERSION, STAGED_NETWORK_POLICY_KIND } from './manifest';
import {
  dns1123LabelProblems, dns1123SubdomainProblems, labelValueProblems, portNameProblems, portNumberProblems, qualifiedNameProblems,
} from './names';

/** Options of the API-server checks. */
export interface ApiServerRuleOptions {
  /**
   * Apply the strict IP/CIDR checks of Kubernetes 1.36+ (no leading zeros, no IPv4-mapped IPv6,
   * no bits beyond the prefix). Older API servers accept such values.
   * @default true
   */
  readonly strictCidr?: boolean;
}

const STRICT_CIDR_NOTE = ' (rejected from Kubernetes 1.36 on, where StrictIPCIDRValidation is on by default; older API servers accept it)';
const SELECTOR_VALUE_NOTE = ' (checked from Kubernetes 1.26 on)';
const SUPPORTED_PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const ANNOTATIONS_MAX_BYTES = 256 * 1024;

type Json = unknown;
type JsonObject = Record<string, unknown>;

function isObject(v: Json): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A value as the API server quotes it in a message (JSON, cut at 80 characters). */
export function show(value: Json): string {
  if (typeof value === 'string') return JSON.stringify(value);
  try {
    const s = JSON.stringify(value);
    return s === undefined ? String(value) : s.length > 80 ? `${s.slice(0, 77)}...` : s;
  } catch {
    return String(value);
  }
}

/** Collects findings in the order the API server reports them. */
export class Collector {
  public readonly findings: Finding[] = [];

  public add(type: ApiErrorType, field: string, value: Json | undefined, detail: string, fix: string): void {
    const valuePart = type === 'FieldValueRequired' || type === 'FieldValueForbidden' || value === undefined ? '' : `${show(value)}: `;
    const text = valuePart || detail ? `${API_ERROR_TYPES[type]}: ${valuePart}${detail}` : API_ERROR_TYPES[type];
    this.findings.push({ severity: Severity.ERROR, code: type, field, message: text, fix });
  }

  /** A value of the wrong JSON type: the API server cannot even decode it. */
  public typeError(field: string, value: Json, expected: string, fix: string): void {
    this.add('FieldValueTypeInvalid', field, value, `must be ${expected}`, fix);
  }
}

/**
 * Checks one NetworkPolicy object (or Calico's `StagedKubernetesNetworkPolicy`, whose spec is a
 * NetworkPolicy's and is checked by the same rules) against the rules the Kubernetes API server applies on create,
 * after the API server's defaulting (protocol TCP, policyTypes). Never throws: any JSON value is
 * accepted and every problem becomes a finding with its field path.
 */
export function checkApiServerRules(object: Json, options: ApiServerRuleOptions = {}): Finding[] {
  const c = new Collector();
  const strict = options.strictCidr ?? true;
  if (!isObject(object)) {
    c.typeError('', object, 'an object', 'A NetworkPolicy is a mapping with apiVersion, kind, metadata and spec.');
    return c.findings;
  }
  if (object.kind === STAGED_NETWORK_POLICY_KIND) {
    // Calico's staged form of a NetworkPolicy: the same spec, under Calico's API group.
    if (object.apiVersion !== STAGED_NETWORK_POLICY_API_VERSION) {
      c.add('FieldValueNotSupported', 'apiVersion', object.apiVersion, `supported values: "${STAGED_NETWORK_POLICY_API_VERSION}"`,
        `Write apiVersion: ${STAGED_NETWORK_POLICY_API_VERSION} (Calico's API group of StagedKubernetesNetworkPolicy).`);
    }
  } else if (object.apiVersion !== NETWORK_POLICY_API_VERSION) {
    c.add('FieldValueNotSupported', 'apiVersion', object.apiVersion, 'supported values: "networking.k8s.io/v1"',
      'Write apiVersion: networking.k8s.io/v1 (extensions/v1beta1 NetworkPolicy was removed in Kubernetes 1.16).');
  }
  checkMetadata(c, object.metadata);
  if (object.spec !== undefined && object.spec !== null) {
    if (!isObject(object.spec)) {
      c.typeError('spec', object.spec, 'an object', 'spec is a mapping with podSelector, policyTypes, ingress and egress.');
    } else {
      checkSpec(c, object.spec, strict);
    }
  }
  return [...c.findings, ...unknownFieldFindings(object)];
}

function checkMetadata(c: Collector, metadata: Json): void {
  if (!isObject(metadata)) {
    if (metadata === undefined || metadata === null) {
      c.add('FieldValueRequired', 'metadata.name', undefined, 'name or generateName is required', 'Add metadata.name, e.g. name: allow-web.');
    } else {
      c.typeError('metadata', metadata, 'an object', 'metadata is a mapping with name and namespace.');
    }
    return;
  }
  const { name, generateName, namespace, labels, annotations } = metadata;
  if (generateName !== undefined && generateName !== null && generateName !== '') {
    if (typeof generateName !== 'string') {
      c.typeError('metadata.generateName', generateName, 'a string', 'generateName is a name prefix such as allow-.');
    } else {
      // The API server masks a trailing '-' of a prefix longer than one character (maskTrailingDash).
      const masked = generateName.length > 1 && generateName.endsWith('-') ? `${generateName.slice(0, -2)}a` : generateName;
      const problems = dns1123SubdomainProblems(masked);
      for (const p of problems) c.add('FieldValueInvalid', 'metadata.generateName', generateName, p, 'Use lowercase letters, digits, \'-\' and \'.\'.');
    }
  }
  if (name === undefined || name === null || name === '') {
    if (generateName === undefined || generateName === null || generateName === '') {
      c.add('FieldValueRequired', 'metadata.name', undefined, 'name or generateName is required', 'Add metadata.name, e.g. name: allow-web.');
    }
  } else if (typeof name !== 'string') {
    c.typeError('metadata.name', name, 'a string', 'Write the name as a string, e.g. name: allow-web.');
  } else {
    for (const p of dns1123SubdomainProblems(name)) {
      c.add('FieldValueInvalid', 'metadata.name', name, p, 'Use lowercase letters, digits, \'-\' and \'.\' (at most 253 characters), e.g. allow-web.');
    }
  }
  if (namespace !== undefined && namespace !== null && namespace !== '') {
    if (typeof namespace !== 'string') {
      c.typeError('metadata.namespace', namespace, 'a string', 'Write the namespace name as a string.');
    } else {
      for (const p of dns1123LabelProblems(namespace)) {
        c.add('FieldValueInvalid', 'metadata.namespace', namespace, p, 'Use an existing namespace name: lowercase letters, digits and \'-\', at most 63 characters, no dots.');
      }
    }
  }
  if (labels !== undefined && labels !== null) {
    if (!isObject(labels)) {
      c.typeError('metadata.labels', labels, 'a map of strings', 'labels is a mapping of keys to string values.');
    } else {
      for (const [key, value] of Object.entries(labels)) {
        for (const p of qualifiedNameProblems(key)) c.add('FieldValueInvalid', 'metadata.labels', key, p, 'Use label keys such as app or app.kubernetes.io/name.');
        if (typeof value !== 'string') {
          c.typeError('metadata.labels', value, 'a string', `Quote the value of label ${key}.`);
        } else {
          for (const p of labelValueProblems(value)) c.add('FieldValueInvalid', 'metadata.labels', value, p, 'Use at most 63 letters, digits, \'-\', \'_\' or \'.\'.');
        }
      }
    }
  }
  if (annotations !== undefined && annotations !== null) {
    if (!isObject(annotations)) {
      c.typeError('metadata.annotations', annotations, 'a map of strings', 'annotations is a mapping of keys to string values.');
    } else {
      let size = 0;
      for (const [key, value] of Object.entries(annotations)) {
        for (const p of qualifiedNameProblems(key.toLowerCase())) c.add('FieldValueInvalid', 'metadata.annotations', key, p, 'Use annotation keys such as example.com/owner.');
        if (typeof value !== 'string') {
          c.typeError('metadata.annotations', value, 'a string', `Quote the value of annotation ${key}.`);
        } else {
          size += Buffer.byteLength(key) + Buffer.byteLength(value);
        }
      }
      if (size > ANNOTATIONS_MAX_BYTES) {
        c.add('FieldValueTooLong', 'metadata.annotations', undefined, `may not be more than ${ANNOTATIONS_MAX_BYTES} bytes`, 'Move large data out of annotations.');
      }
    }
  }
}

function checkSpec(c: Collector, spec: JsonObject, strict: boolean): void {
  if (spec.podSelector !== undefined && spec.podSelector !== null) checkSelector(c, spec.podSelector, 'spec.podSelector');
  for (const [direction, peersField] of [['ingress', 'from'], ['egress', 'to']] as const) {
    const rules = spec[direction];
    if (rules === undefined || rules === null) continue;
    if (!Array.isArray(rules)) {
      c.typeError(`spec.${direction}`, rules, 'a list of rules', `Write ${direction} as a list: ${direction}: [{ ${peersField}: [...], ports: [...] }].`);
      continue;
    }
    rules.forEach((rule, i) => {
      const path = `spec.${direction}[${i}]`;
      if (rule === null) return; // decodes as an empty rule
      if (!isObject(rule)) {
        c.typeError(path, rule, 'an object', `Each rule is a mapping with ${peersField} and ports.`);
        return;
      }
      checkList(c, rule.ports, `${path}.ports`, (port, p) => checkPort(c, port, p));
      checkList(c, rule[peersField], `${path}.${peersField}`, (peer, p) => checkPeer(c, peer, p, strict));
    });
  }
  checkPolicyTypes(c, spec);
}

function checkList(c: Collector, list: Json, path: string, each: (item: Json, path: string) => void): void {
  if (list === undefined || list === null) return;
  if (!Array.isArray(list)) {
    c.typeError(path, list, 'a list', `Write ${path.split('.').pop()} as a YAML list (each item starting with '- ').`);
    return;
  }
  list.forEach((item, j) => each(item, `${path}[${j}]`));
}

function checkPolicyTypes(c: Collector, spec: JsonObject): void {
  const types = spec.policyTypes;
  if (types === undefined || types === null) return; // defaulted
  if (!Array.isArray(types)) {
    c.typeError('spec.policyTypes', types, 'a list', 'Write policyTypes: [Ingress], [Egress] or [Ingress, Egress].');
    return;
  }
  if (types.length > 2) {
    c.add('FieldValueInvalid', 'spec.policyTypes', types, 'may not specify more than two policyTypes', 'List each of Ingress and Egress at most once.');
    return;
  }
  types.forEach((t, i) => {
    if (t !== 'Ingress' && t !== 'Egress') {
      c.add('FieldValueNotSupported', `spec.policyTypes[${i}]`, t, 'supported values: "Egress", "Ingress"', 'Write Ingress or Egress (capitalised exactly so).');
    }
  });
}

/**
 * The API server's checks of one label selector at `path`, as for a selector of a NetworkPolicy
 * (for other files that hold label selectors, such as the rules of `netpol check`).
 */
export function checkLabelSelector(selector: Json, path: string): Finding[] {
  const c = new Collector();
  checkSelector(c, selector, path);
  return c.findings;
}

/** Checks a label selector at `path` (`spec.podSelector`, `...from[0].namespaceSelector`, ...). */
function checkSelector(c: Collector, selector: Json, path: string): void {
  if (!isObject(selector)) {
    c.typeError(path, selector, 'an object (a label selector)', `Write ${path.split('.').pop()}: {} for everything, or { matchLabels: { app: web } }.`);
    return;
  }
  const { matchLabels, matchExpressions } = selector;
  if (matchLabels !== undefined && matchLabels !== null) {
    if (!isObject(matchLabels)) {
      c.typeError(`${path}.matchLabels`, matchLabels, 'a map of label keys to values', 'Write matchLabels as key: value pairs.');
    } else {
      for (const [key, value] of Object.entries(matchLabels)) {
        for (const p of qualifiedNameProblems(key)) c.add('FieldValueInvalid', `${path}.matchLabels`, key, p, 'Use a label key such as app or app.kubernetes.io/name.');
        if (typeof value !== 'string') {
          c.typeError(`${path}.matchLabels`, value, 'a string', `Quote the value of ${key} (label values are strings, e.g. "true" or "8080").`);
        } else {
          for (const p of labelValueProblems(value)) c.add('FieldValueInvalid', `${path}.matchLabels`, value, p, 'Use at most 63 letters, digits, \'-\', \'_\' or \'.\', starting and ending with a letter or digit.');
        }
      }
    }
  }
  checkList(c, matchExpressions, `${path}.matchExpressions`, (req, p) => checkRequirement(c, req, p));
}

function checkRequirement(c: Collector, req: Json, path: string): void {
  if (!isObject(req)) {
    c.typeError(path, req, 'an object', 'Each requirement is { key, operator, values }.');
    return;
  }
  const { key, operator } = req;
  const values = req.values === null ? undefined : req.values;
  if (values !== undefined && !Array.isArray(values)) {
    c.typeError(`${path}.values`, values, 'a list of strings', 'Write values as a list, e.g. values: [a, b].');
    return;
  }
  const count = Array.isArray(values) ? values.length : 0;
  switch (operator) {
    case 'In':
    case 'NotIn':
      if (count === 0) c.add('FieldValueRequired', `${path}.values`, undefined, 'must be specified when `operator` is \'In\' or \'NotIn\'', 'List at least one value, or use Exists/DoesNotExist.');
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (count > 0) c.add('FieldValueForbidden', `${path}.values`, undefined, 'may not be specified when `operator` is \'Exists\' or \'DoesNotExist\'', 'Remove values, or use In/NotIn.');
      break;
    default:
      c.add('FieldValueInvalid', `${path}.operator`, operator, 'not a valid selector operator', 'Use In, NotIn, Exists or DoesNotExist (case-sensitive).');
  }
  if (typeof key !== 'string') {
    c.typeError(`${path}.key`, key, 'a string', 'Give the label key the requirement tests.');
  } else {
    for (const p of qualifiedNameProblems(key)) c.add('FieldValueInvalid', `${path}.key`, key, p, 'Use a label key such as app or app.kubernetes.io/name.');
  }
  (Array.isArray(values) ? values : []).forEach((v, j) => {
    if (typeof v !== 'string') {
      c.typeError(`${path}.values[${j}]`, v, 'a string', 'Quote the value (label values are strings).');
      return;
    }
    for (const p of labelValueProblems(v)) c.add('FieldValueInvalid', `${path}.values[${j}]`, v, p + SELECTOR_VALUE_NOTE, 'Use a valid label value: at most 63 letters, digits, \'-\', \'_\' or \'.\'.');
  });
}

function checkPort(c: Collector, port: Json, path: string): void {
  if (port === null) return;
  if (!isObject(port)) {
    c.typeError(path, port, 'an object', 'Each port is { protocol, port, endPort }, e.g. { protocol: TCP, port: 8080 }.');
    return;
  }
  const protocol = port.protocol === null ? undefined : port.protocol;
  if (protocol !== undefined && !SUPPORTED_PROTOCOLS.includes(protocol as string)) {
    c.add('FieldValueNotSupported', `${path}.protocol`, protocol, 'supported values: "SCTP", "TCP", "UDP"', 'Write TCP, UDP or SCTP in capitals, or leave protocol out for TCP.');
  }
  const value = port.port === null ? undefined : port.port;
  const endPort = port.endPort === null ? undefined : port.endPort;
  if (endPort !== undefined && (typeof endPort !== 'number' || !Number.isInteger(endPort))) {
    c.typeError(`${path}.endPort`, endPort, 'an integer', 'Write endPort as a number, e.g. endPort: 8090.');
    return;
  }
  if (value === undefined) {
    if (endPort !== undefined) {
      c.add('FieldValueInvalid', `${path}.endPort`, endPort, 'may not be specified when `port` is not specified', 'Set port to the start of the range, or remove endPort.');
    }
  } else if (typeof value === 'number') {
    if (!Number.isInteger(value)) {
      c.typeError(`${path}.port`, value, 'an integer or a port name', 'Write a whole port number.');
      return;
    }
    for (const p of portNumberProblems(value)) c.add('FieldValueInvalid', `${path}.port`, value, p, 'Use a port in 1..65535, or leave port out to allow every port of the protocol.');
    if (endPort !== undefined) {
      if (endPort < value) c.add('FieldValueInvalid', `${path}.endPort`, endPort, 'must be greater than or equal to `port`', `Set endPort to at least ${value}, or swap port and endPort.`);
      for (const p of portNumberProblems(endPort)) c.add('FieldValueInvalid', `${path}.endPort`, endPort, p, 'Use an end port in 1..65535.');
    }
  } else if (typeof value === 'string') {
    for (const p of portNameProblems(value)) {
      c.add('FieldValueInvalid', `${path}.port`, value, p, /^[0-9]+$/.test(value)
        ? `Write the number without quotes (port: ${value}); a quoted number is read as a port name.`
        : 'Use the name of a container port (IANA service name: a-z, 0-9, single \'-\', at most 15 characters, at least one letter), or a number.');
    }
    if (endPort !== undefined) {
      c.add('FieldValueInvalid', `${path}.endPort`, endPort, 'may not be specified when `port` is non-numeric', 'Remove endPort; a named port cannot start a range.');
    }
  } else {
    c.typeError(`${path}.port`, value, 'an integer or a port name', 'Write a port number such as 8080 or a container port name such as http.');
  }
}

function checkPeer(c: Collector, peer: Json, path: string, strict: boolean): void {
  if (!isObject(peer)) {
    if (peer === null) {
      c.add('FieldValueRequired', path, undefined, 'must specify a peer', 'Give podSelector, namespaceSelector or ipBlock.');
    } else {
      c.typeError(path, peer, 'an object', 'Each peer is { podSelector, namespaceSelector } or { ipBlock }.');
    }
    return;
  }
  let count = 0;
  const present = (v: Json): boolean => v !== undefined && v !== null;
  if (present(peer.podSelector)) {
    count++;
    checkSelector(c, peer.podSelector, `${path}.podSelector`);
  }
  if (present(peer.namespaceSelector)) {
    count++;
    checkSelector(c, peer.namespaceSelector, `${path}.namespaceSelector`);
  }
  if (present(peer.ipBlock)) {
    count++;
    checkIpBlock(c, peer.ipBlock, `${path}.ipBlock`, strict);
  }
  if (count === 0) {
    c.add('FieldValueRequired', path, undefined, 'must specify a peer', 'Give podSelector, namespaceSelector or ipBlock; an empty peer {} is rejected.');
  } else if (present(peer.ipBlock) && count > 1) {
    c.add('FieldValueForbidden', path, undefined, 'may not specify both ipBlock and another peer', 'Split it into two peers: one with ipBlock, one with the selectors.');
  }
}

function checkIpBlock(c: Collector, block: Json, path: string, strict: boolean): void {
  if (!isObject(block)) {
    c.typeError(path, block, 'an object', 'Write ipBlock: { cidr: 203.0.113.0/24, except: [...] }.');
    return;
  }
  const { cidr } = block;
  if (cidr === undefined || cidr === null || cidr === '') {
    c.add('FieldValueRequired', `${path}.cidr`, undefined, '', 'Give the address range, e.g. cidr: 203.0.113.0/24.');
    return;
  }
  if (typeof cidr !== 'string') {
    c.typeError(`${path}.cidr`, cidr, 'a string', 'Quote the CIDR, e.g. cidr: "203.0.113.0/24".');
    return;
  }
  const parsed = checkCidr(c, cidr, `${path}.cidr`, strict);
  if (!parsed) return;
  checkList(c, block.except, `${path}.except`, (hole, p) => {
    if (typeof hole !== 'string') {
      c.typeError(p, hole, 'a string', 'Quote the CIDR.');
      return;
    }
    const h = checkCidr(c, hole, p, strict);
    if (h && !isStrictSubset(h, parsed)) {
      c.add('FieldValueInvalid', p, hole, 'must be a strict subset of `cidr`', `List only ranges inside ${cidr} and smaller than it${h.family !== parsed.family ? ', of the same IP family' : ''}.`);
    }
  });
}

function checkCidr(c: Collector, text: string, path: string, strict: boolean): ParsedCidr | undefined {
  const result = parseCidr(text, strict);
  if (!result.cidr) {
    c.add('FieldValueInvalid', path, text, result.problems.join('; '), 'Write a network and prefix length, e.g. 10.0.0.0/8 or 2001:db8::/32 (one address: /32 or /128).');
    return undefined;
  }
  for (const p of result.problems) {
    c.add('FieldValueInvalid', path, text, p + STRICT_CIDR_NOTE, `Write it as ${formatCidr(result.cidr)}.`);
  }
  return result.cidr;
}

/** The policyTypes after the API server's defaulting. */
export function effectivePolicyTypes(spec: JsonObject | undefined): string[] {
  const types = spec?.policyTypes;
  if (Array.isArray(types) && types.length > 0) return types.filter((t): t is string => typeof t === 'string');
  const egress = spec?.egress;
  return Array.isArray(egress) && egress.length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
}

/**
 * The API server's checks of a label selector at `path` (`matchLabels` keys and values,
 * `matchExpressions` operators and values), for other kinds that embed a `metav1.LabelSelector`.
 */
export function labelSelectorFindings(selector: Json, path: string): Finding[] {
  const c = new Collector();
  checkSelector(c, selector, path);
  return c.findings;
}

/** The API server's checks of `metadata` (name or generateName, labels, annotations), for other kinds. */
export function metadataFindings(metadata: Json): Finding[] {
  const c = new Collector();
  checkMetadata(c, metadata);
  return c.findings;
}
