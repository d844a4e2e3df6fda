import {
  ADMIN_POLICY_V1ALPHA1, BASELINE_SINGLETON_NAME, CLUSTER_POLICY_V1ALPHA2, DOMAIN_NAME_PATTERN, MAX_CIDR_LENGTH, MAX_NETWORKS, MAX_PRIORITY,
  MAX_RULE_NAME, V1ALPHA1_MAX_ITEMS, V1ALPHA2_MAX_ITEMS,
} from './admin-policy-manifest';
import { Collector, labelSelectorFindings, metadataFindings } from './api-server-rules';
import { parseCidr } from './cidr';
import { Finding } from './finding';

/**
 * The checks the API server applies to AdminNetworkPolicy, BaselineAdminNetworkPolicy (v1alpha1)
 * and ClusterNetworkPolicy (v1alpha2) on create: the CRD's OpenAPI schema (required fields, enums,
 * `minItems`/`maxItems`, `minProperties`/`maxProperties` of the one-of structs, ranges, lengths,
 * patterns, sets) and its CEL rules, as kubernetes-sigs/network-policy-api declares them:
 *
 * - the v1alpha1 baseline is a singleton: `self.metadata.name == 'default'`;
 * - an egress rule with a `networks`, `nodes` or `domainNames` peer cannot use a named port;
 * - a port range's start is less than its end (`self.start < self.end`);
 * - a CIDR is IPv4 or IPv6 (`isCIDR(self)`; v1alpha1: `self.contains(':') != self.contains('.')`);
 * - `domainNames` peers only in rules that allow (Allow in v1alpha1, Accept in v1alpha2), as the
 *   field's documentation and the domain-names proposal's CEL rule say.
 *
 * Never throws: any JSON value is accepted, every problem becomes a finding with its field path.
 */
export function checkClusterPolicyRules(object: unknown): Finding[] {
  const c = new Collector();
  if (!isObject(object)) {
    c.typeError('', object, 'an object', 'A cluster network policy is a mapping with apiVersion, kind, metadata and spec.');
    return c.findings;
  }
  const kind = String(object.kind);
  const version = VERSIONS[kind];
  if (!version) {
    c.add('FieldValueNotSupported', 'kind', object.kind, 'supported values: "AdminNetworkPolicy", "BaselineAdminNetworkPolicy", "ClusterNetworkPolicy"',
      'Write one of the kinds of policy.networking.k8s.io.');
    return c.findings;
  }
  if (object.apiVersion !== version.apiVersion) {
    c.add('FieldValueNotSupported', 'apiVersion', object.apiVersion, `supported values: "${version.apiVersion}"`,
      `Write apiVersion: ${version.apiVersion} (${kind} is modelled at that version).`);
  }
  c.findings.push(...metadataFindings(object.metadata));
  const name = isObject(object.metadata) ? object.metadata.name : undefined;
  if (kind === 'BaselineAdminNetworkPolicy' && typeof name === 'string' && name !== BASELINE_SINGLETON_NAME) {
    c.add('FieldValueInvalid', 'metadata.name', name, 'Only one baseline admin network policy with metadata.name="default" can be created in the cluster',
      'Name it default: the BaselineAdminNetworkPolicy is a singleton; merge the rules of several into it.');
  }
  unknownFields(c, object, '', ['apiVersion', 'kind', 'metadata', 'spec', 'status']);
  if (object.spec === undefined || object.spec === null) {
    c.add('FieldValueRequired', 'spec', undefined, '', `Add spec with ${version.tiered ? 'tier, ' : ''}${version.priority ? 'priority, ' : ''}subject and rules.`);
    return c.findings;
  }
  if (!isObject(object.spec)) {
    c.typeError('spec', object.spec, 'an object', 'spec is a mapping with subject, ingress and egress.');
    return c.findings;
  }
  checkSpec(c, object.spec, version);
  return c.findings;
}

/** What differs between the three kinds. */
interface KindVersion {
  readonly kind: string;
  readonly apiVersion: string;
  /** `spec.tier` (v1alpha2). */
  readonly tiered: boolean;
  /** `spec.priority` (not in the v1alpha1 baseline). */
  readonly priority: boolean;
  readonly actions: readonly string[];
  /** The action that allows: `Allow` (v1alpha1), `Accept` (v1alpha2). */
  readonly allowAction: string;
  readonly maxItems: number;
  /** `ports` (v1alpha1) or `protocols` (v1alpha2). */
  readonly portsField: 'ports' | 'protocols';
  readonly egressPeers: readonly string[];
}

const VERSIONS: Record<string, KindVersion> = {
  AdminNetworkPolicy: {
    kind: 'AdminNetworkPolicy',
    apiVersion: ADMIN_POLICY_V1ALPHA1,
    tiered: false,
    priority: true,
    actions: ['Allow', 'Deny', 'Pass'],
    allowAction: 'Allow',
    maxItems: V1ALPHA1_MAX_ITEMS,
    portsField: 'ports',
    egressPeers: ['namespaces', 'pods', 'nodes', 'networks', 'domainNames'],
  },
  BaselineAdminNetworkPolicy: {
    kind: 'BaselineAdminNetworkPolicy',
    apiVersion: ADMIN_POLICY_V1ALPHA1,
    tiered: false,
    priority: false,
    actions: ['Allow', 'Deny'],
    allowAction: 'Allow',
    maxItems: V1ALPHA1_MAX_ITEMS,
    portsField: 'ports',
    egressPeers: ['namespaces', 'pods', 'nodes', 'networks'],
  },
  ClusterNetworkPolicy: {
    kind: 'ClusterNetworkPolicy',
    apiVersion: CLUSTER_POLICY_V1ALPHA2,
    tiered: true,
    priority: true,
    actions: ['Accept', 'Deny', 'Pass'],
    allowAction: 'Accept',
    maxItems: V1ALPHA2_MAX_ITEMS,
    portsField: 'protocols',
    egressPeers: ['namespaces', 'pods', 'nodes', 'networks', 'domainNames'],
  },
};

const INGRESS_PEERS = ['namespaces', 'pods'];
const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];

type Json = unknown;
type JsonObject = Record<string, unknown>;

function isObject(v: Json): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}


function unknownFields(c: Collector, o: JsonObject, path: string, known: readonly string[]): void {
  for (const key of Object.keys(o)) {
    if (known.includes(key)) continue;
    c.add('FieldValueInvalid', path === '' ? key : `${path}.${key}`, undefined, `field not declared in the schema (known fields: ${known.join(', ')})`,
      `Remove ${key} or correct its spelling: kubectl apply rejects an unknown field, and with validation off it is dropped.`);
  }
}

function checkSpec(c: Collector, spec: JsonObject, v: KindVersion): void {
  const known = [...(v.tiered ? ['tier'] : []), ...(v.priority ? ['priority'] : []), 'subject', 'ingress', 'egress'];
  unknownFields(c, spec, 'spec', known);
  if (v.tiered) {
    if (spec.tier === undefined || spec.tier === null) {
      c.add('FieldValueRequired', 'spec.tier', undefined, '', 'Add tier: Admin (before NetworkPolicies) or tier: Baseline (after them).');
    } else if (spec.tier !== 'Admin' && spec.tier !== 'Baseline') {
      c.add('FieldValueNotSupported', 'spec.tier', spec.tier, 'supported values: "Admin", "Baseline"', 'Write tier: Admin or tier: Baseline (capitalised).');
    }
  }
  if (v.priority) {
    const p = spec.priority;
    if (p === undefined || p === null) {
      c.add('FieldValueRequired', 'spec.priority', undefined, '', `Add priority: a number from 0 (evaluated first) to ${MAX_PRIORITY}.`);
    } else if (typeof p !== 'number' || !Number.isInteger(p)) {
      c.typeError('spec.priority', p, 'an integer', `Write priority as a number from 0 to ${MAX_PRIORITY}, unquoted.`);
    } else if (p < 0 || p > MAX_PRIORITY) {
      c.add('FieldValueInvalid', 'spec.priority', p, `should be ${p < 0 ? 'greater than or equal to 0' : `less than or equal to ${MAX_PRIORITY}`}`,
        `Use a priority from 0 (evaluated first) to ${MAX_PRIORITY}.`);
    }
  }
  checkSubject(c, spec.subject, v);
  for (const direction of ['ingress', 'egress'] as const) {
    const rules = spec[direction];
    if (rules === undefined || rules === null) continue;
    if (!Array.isArray(rules)) {
      c.typeError(`spec.${direction}`, rules, 'a list of rules', `Write ${direction} as a list of rules, each with name, action and ${direction === 'ingress' ? 'from' : 'to'}.`);
      continue;
    }
    if (rules.length > v.maxItems) {
      c.add('FieldValueTooMany', `spec.${direction}`, undefined, `must have at most ${v.maxItems} items (has ${rules.length})`,
        `Split the rules over several ${v.kind === 'BaselineAdminNetworkPolicy' ? 'objects of another kind' : 'policies'}: ${v.kind} allows ${v.maxItems} ${direction} rules.`);
    }
    rules.forEach((rule, i) => checkRule(c, rule, `spec.${direction}[${i}]`, direction, v));
  }
}

function checkSubject(c: Collector, subject: Json, v: KindVersion): void {
  if (subject === undefined || subject === null) {
    c.add('FieldValueRequired', 'spec.subject', undefined, '', 'Add subject: { namespaces: {...} } or subject: { pods: { namespaceSelector: {...}, podSelector: {...} } }.');
    return;
  }
  if (!isObject(subject)) {
    c.typeError('spec.subject', subject, 'an object', 'subject is { namespaces: <selector> } or { pods: { namespaceSelector, podSelector } }.');
    return;
  }
  unknownFields(c, subject, 'spec.subject', ['namespaces', 'pods']);
  exactlyOne(c, subject, 'spec.subject', ['namespaces', 'pods'], 'Set exactly one of subject.namespaces and subject.pods.');
  if (subject.namespaces !== undefined && subject.namespaces !== null) selector(c, subject.namespaces, 'spec.subject.namespaces');
  if (subject.pods !== undefined && subject.pods !== null) namespacedPod(c, subject.pods, 'spec.subject.pods', v);
}

function namespacedPod(c: Collector, pods: Json, path: string, v: KindVersion): void {
  if (!isObject(pods)) {
    c.typeError(path, pods, 'an object', `${path.split('.').pop()} is { namespaceSelector: <selector>, podSelector: <selector> }.`);
    return;
  }
  unknownFields(c, pods, path, ['namespaceSelector', 'podSelector']);
  // v1alpha1 requires both selectors; v1alpha2 only podSelector (namespaceSelector: {} is every namespace).
  const required = v.tiered ? ['podSelector'] : ['namespaceSelector', 'podSelector'];
  for (const field of required) {
    if (pods[field] === undefined || pods[field] === null) {
      c.add('FieldValueRequired', `${path}.${field}`, undefined, '', `Add ${field}: {} to select every ${field === 'podSelector' ? 'pod' : 'namespace'}, or a selector.`);
    }
  }
  for (const field of ['namespaceSelector', 'podSelector']) {
    if (pods[field] !== undefined && pods[field] !== null) selector(c, pods[field], `${path}.${field}`);
  }
}

function selector(c: Collector, value: Json, path: string): void {
  c.findings.push(...labelSelectorFindings(value, path));
  if (isObject(value)) unknownFields(c, value, path, ['matchLabels', 'matchExpressions']);
}

function exactlyOne(c: Collector, o: JsonObject, path: string, fields: readonly string[], fix: string): void {
  const set = Object.keys(o).filter((k) => fields.includes(k) && o[k] !== undefined && o[k] !== null);
  if (set.length === 0) {
    c.add('FieldValueRequired', path, undefined, `exactly one of ${fields.join(', ')} must be set (minProperties 1)`, fix);
  } else if (set.length > 1) {
    c.add('FieldValueInvalid', path, undefined, `must have at most 1 property, has ${set.join(' and ')} (maxProperties 1)`, fix);
  }
}

/** A list of `min`..`max` items; `optional` lists may be absent (but, when present, have `min` items). */
function list(c: Collector, value: Json, path: string, min: number, max: number, what: string, fix: string, optional = false): unknown[] | undefined {
  if (value === undefined || value === null) {
    if (!optional) c.add('FieldValueRequired', path, undefined, `must have at least ${min} item`, fix);
    return undefined;
  }
  if (!Array.isArray(value)) {
    c.typeError(path, value, `a list of ${what}`, `Write ${path.split('.').pop()} as a YAML list (each item starting with '- ').`);
    return undefined;
  }
  if (value.length < min) c.add('FieldValueRequired', path, undefined, `must have at least ${min} item`, fix);
  if (value.length > max) c.add('FieldValueTooMany', path, undefined, `must have at most ${max} items (has ${value.length})`, `Keep at most ${max} ${what} here; split the rule.`);
  return value;
}

function checkRule(c: Collector, rule: Json, path: string, direction: 'ingress' | 'egress', v: KindVersion): void {
  if (!isObject(rule)) {
    c.typeError(path, rule, 'an object', `Each rule is a mapping with name, action, ${direction === 'ingress' ? 'from' : 'to'} and ${v.portsField}.`);
    return;
  }
  const peersField = direction === 'ingress' ? 'from' : 'to';
  unknownFields(c, rule, path, ['name', 'action', peersField, v.portsField]);
  if (rule.name !== undefined && rule.name !== null) {
    if (typeof rule.name !== 'string') {c.typeError(`${path}.name`, rule.name, 'a string', 'Write the rule name as a string.');} else if (rule.name.length > MAX_RULE_NAME) {
      c.add('FieldValueTooLong', `${path}.name`, undefined, `may not be more than ${MAX_RULE_NAME} characters (has ${rule.name.length})`, `Shorten the rule name to ${MAX_RULE_NAME} characters.`);
    }
  }
  const action = rule.action;
  if (action === undefined || action === null) {
    c.add('FieldValueRequired', `${path}.action`, undefined, '', `Add action: one of ${v.actions.join(', ')}.`);
  } else if (typeof action !== 'string' || !v.actions.includes(action)) {
    const hint = v.kind === 'BaselineAdminNetworkPolicy' && action === 'Pass'
      ? 'The baseline is the last tier: there is nothing to pass to. Use Allow or Deny (or leave the traffic to the default by writing no rule).'
      : v.tiered && action === 'Allow' ? 'ClusterNetworkPolicy says Accept where AdminNetworkPolicy says Allow: write action: Accept.'
        : !v.tiered && action === 'Accept' ? 'AdminNetworkPolicy says Allow where ClusterNetworkPolicy says Accept: write action: Allow.'
          : `Write one of ${v.actions.join(', ')} (capitalised).`;
    c.add('FieldValueNotSupported', `${path}.action`, action, `supported values: ${v.actions.map((a) => `"${a}"`).join(', ')}`, hint);
  }
  const peers = list(c, rule[peersField], `${path}.${peersField}`, 1, v.maxItems, 'peers',
    `List at least one peer in ${peersField}: e.g. ${peersField}: [{ namespaces: {} }] for every namespace.`) ?? [];
  const allowed = direction === 'ingress' ? INGRESS_PEERS : v.egressPeers;
  const kinds = new Set<string>();
  peers.forEach((peer, j) => {
    for (const k of checkPeer(c, peer, `${path}.${peersField}[${j}]`, allowed, direction, v)) kinds.add(k);
  });
  const ports = list(c, rule[v.portsField], `${path}.${v.portsField}`, 1, v.maxItems, 'ports',
    `Leave ${v.portsField} out to match every port, or list at least one.`, true) ?? [];
  let named = false;
  ports.forEach((port, j) => {
    const p = `${path}.${v.portsField}[${j}]`;
    named = (v.tiered ? checkProtocol(c, port, p) : checkPort(c, port, p)) || named;
  });
  if (direction === 'egress' && named && (kinds.has('networks') || kinds.has('nodes') || kinds.has('domainNames'))) {
    c.add('FieldValueInvalid', path, undefined, 'networks/nodes/domainNames peer cannot be set with namedPorts since there are no namedPorts for networks/nodes/domainNames',
      'Use port numbers for this rule, or move the networks/nodes/domainNames peers into a rule of their own.');
  }
  if (kinds.has('domainNames') && typeof action === 'string' && v.actions.includes(action) && action !== v.allowAction) {
    c.add('FieldValueForbidden', path, undefined, `domainNames peers may only be used with action ${v.allowAction}`,
      `Make it an ${v.allowAction} rule (an allow-list of names), and deny the rest with a later rule to networks 0.0.0.0/0 and ::/0.`);
  }
}

/** Checks one peer; returns the peer fields it sets. */
function checkPeer(c: Collector, peer: Json, path: string, allowed: readonly string[], direction: string, v: KindVersion): string[] {
  if (!isObject(peer)) {
    c.typeError(path, peer, 'an object', `A peer is one of ${allowed.map((a) => `{ ${a}: ... }`).join(', ')}.`);
    return [];
  }
  for (const key of Object.keys(peer)) {
    if (allowed.includes(key)) continue;
    const elsewhere = v.egressPeers.includes(key) && direction === 'ingress';
    c.add('FieldValueInvalid', `${path}.${key}`, undefined,
      elsewhere ? `${key} peers exist only in egress rules` : `field not declared in the schema (known fields: ${allowed.join(', ')})`,
      elsewhere ? 'Ingress peers are namespaces or pods; select the sources by namespace or pod labels.'
        : `Remove ${key} or correct its spelling; a peer is one of ${allowed.join(', ')}.`);
  }
  exactlyOne(c, peer, path, allowed, 'Set exactly one field per peer; write several peers for several kinds.');
  const set = Object.keys(peer).filter((k) => allowed.includes(k) && peer[k] !== undefined && peer[k] !== null);
  if (set.includes('namespaces')) selector(c, peer.namespaces, `${path}.namespaces`);
  if (set.includes('nodes')) selector(c, peer.nodes, `${path}.nodes`);
  if (set.includes('pods')) namespacedPod(c, peer.pods, `${path}.pods`, v);
  if (set.includes('networks')) {
    const cidrs = list(c, peer.networks, `${path}.networks`, 1, MAX_NETWORKS, 'CIDRs', 'List at least one CIDR, e.g. networks: [10.0.0.0/8].') ?? [];
    stringSet(c, cidrs, `${path}.networks`, (text, p) => {
      if (text.length > MAX_CIDR_LENGTH) c.add('FieldValueTooLong', p, undefined, `may not be more than ${MAX_CIDR_LENGTH} characters`, 'Write a CIDR such as 10.0.0.0/8 or fd00::/8.');
      if (!parseCidr(text, false).cidr) {
        c.add('FieldValueInvalid', p, text, v.tiered ? 'Invalid CIDR format provided' : 'CIDR must be either an IPv4 or IPv6 address. IPv4 address embedded in IPv6 addresses are not supported',
          'Write an address and a prefix length, e.g. 10.0.0.0/8, 203.0.113.7/32 or fd00::/8.');
      }
    });
  }
  if (set.includes('domainNames')) {
    const names = list(c, peer.domainNames, `${path}.domainNames`, 1, MAX_NETWORKS, 'domain names', 'List at least one name, e.g. domainNames: [api.example.com].') ?? [];
    stringSet(c, names, `${path}.domainNames`, (text, p) => {
      if (!DOMAIN_NAME_PATTERN.test(text)) {
        c.add('FieldValueInvalid', p, text, `should match '${DOMAIN_NAME_PATTERN.source}'`,
          'Write a full name (api.example.com) or a *. prefix for its subdomains (*.example.com); * may only be the first label.');
      }
    });
  }
  return set;
}

/** A `listType=set` of strings: each a string, no duplicates. */
function stringSet(c: Collector, items: unknown[], path: string, each: (text: string, path: string) => void): void {
  const seen = new Set<string>();
  items.forEach((item, k) => {
    const p = `${path}[${k}]`;
    if (typeof item !== 'string') {
      c.typeError(p, item, 'a string', 'Quote the value.');
      return;
    }
    if (seen.has(item)) c.add('FieldValueDuplicate', p, item, '', 'Remove the repeated entry: this list is a set.');
    seen.add(item);
    each(item, p);
  });
}

function portNumber(c: Collector, value: Json, path: string, fix: string): void {
  if (value === undefined || value === null) {
    c.add('FieldValueRequired', path, undefined, '', fix);
  } else if (typeof value !== 'number' || !Number.isInteger(value)) {
    c.typeError(path, value, 'an integer', 'Write the port as a number, unquoted.');
  } else if (value < 1 || value > 65535) {
    c.add('FieldValueInvalid', path, value, `should be ${value < 1 ? 'greater than or equal to 1' : 'less than or equal to 65535'}`, 'Use a port from 1 to 65535.');
  }
}

function protocol(c: Collector, value: Json, path: string): void {
  if (value === undefined || value === null) return; // defaulted to TCP
  if (typeof value !== 'string' || !PROTOCOLS.includes(value)) {
    c.add('FieldValueNotSupported', path, value, 'supported values: "TCP", "UDP", "SCTP"', 'Write protocol: TCP, UDP or SCTP (upper case).');
  }
}

function range(c: Collector, r: Json, path: string, known: readonly string[]): void {
  if (!isObject(r)) {
    c.typeError(path, r, 'an object', `Write ${path.split('.').pop()}: { start: 8000, end: 9000 }.`);
    return;
  }
  unknownFields(c, r, path, known);
  portNumber(c, r.start, `${path}.start`, 'Add start: the first port of the range.');
  portNumber(c, r.end, `${path}.end`, 'Add end: the last port of the range.');
  if (typeof r.start === 'number' && typeof r.end === 'number' && !(r.start < r.end)) {
    c.add('FieldValueInvalid', path, undefined, 'Start port must be less than End port', 'Make start less than end; for a single port use a port number instead of a range.');
  }
}

/** A v1alpha1 `AdminNetworkPolicyPort`; returns whether it is a named port. */
function checkPort(c: Collector, port: Json, path: string): boolean {
  if (!isObject(port)) {
    c.typeError(path, port, 'an object', 'A port is { portNumber: { protocol, port } }, { namedPort: name } or { portRange: { protocol, start, end } }.');
    return false;
  }
  unknownFields(c, port, path, ['portNumber', 'namedPort', 'portRange']);
  exactlyOne(c, port, path, ['portNumber', 'namedPort', 'portRange'], 'Set exactly one of portNumber, namedPort and portRange per entry.');
  if (port.portNumber !== undefined && port.portNumber !== null) {
    const n = port.portNumber;
    if (!isObject(n)) {
      c.typeError(`${path}.portNumber`, n, 'an object', 'Write portNumber: { protocol: TCP, port: 443 }.');
    } else {
      unknownFields(c, n, `${path}.portNumber`, ['protocol', 'port']);
      protocol(c, n.protocol, `${path}.portNumber.protocol`);
      portNumber(c, n.port, `${path}.portNumber.port`, 'Add port: a number from 1 to 65535.');
    }
  }
  if (port.portRange !== undefined && port.portRange !== null) {
    if (isObject(port.portRange)) protocol(c, port.portRange.protocol, `${path}.portRange.protocol`);
    range(c, port.portRange, `${path}.portRange`, ['protocol', 'start', 'end']);
  }
  if (port.namedPort !== undefined && port.namedPort !== null) {
    if (typeof port.namedPort !== 'string') c.typeError(`${path}.namedPort`, port.namedPort, 'a string', 'Write the container port name as a string.');
    return true;
  }
  return false;
}

/** A v1alpha2 `ClusterNetworkPolicyProtocol`; returns whether it is a named port. */
function checkProtocol(c: Collector, entry: Json, path: string): boolean {
  const fields = ['tcp', 'udp', 'sctp', 'destinationNamedPort'];
  if (!isObject(entry)) {
    c.typeError(path, entry, 'an object', 'A protocol is { tcp: { destinationPort: { number: 443 } } }, udp, sctp or { destinationNamedPort: name }.');
    return false;
  }
  unknownFields(c, entry, path, fields);
  exactlyOne(c, entry, path, fields, 'Set exactly one of tcp, udp, sctp and destinationNamedPort per entry; write several entries for several.');
  for (const proto of ['tcp', 'udp', 'sctp']) {
    const value = entry[proto];
    if (value === undefined || value === null) continue;
    const p = `${path}.${proto}`;
    if (!isObject(value)) {
      c.typeError(p, value, 'an object', `Write ${proto}: { destinationPort: { number: 443 } }.`);
      continue;
    }
    unknownFields(c, value, p, ['destinationPort']);
    const dp = value.destinationPort;
    if (dp === undefined || dp === null) {
      c.add('FieldValueRequired', p, undefined, 'must have at least 1 property (minProperties 1)', 'Add destinationPort: { number: 443 } or { range: { start, end } }.');
      continue;
    }
    if (!isObject(dp)) {
      c.typeError(`${p}.destinationPort`, dp, 'an object', 'Write destinationPort: { number: 443 } or { range: { start: 8000, end: 9000 } }.');
      continue;
    }
    unknownFields(c, dp, `${p}.destinationPort`, ['number', 'range']);
    exactlyOne(c, dp, `${p}.destinationPort`, ['number', 'range'], 'Set exactly one of number and range.');
    if (dp.number !== undefined && dp.number !== null) portNumber(c, dp.number, `${p}.destinationPort.number`, 'Add number: a port from 1 to 65535.');
    if (dp.range !== undefined && dp.range !== null) range(c, dp.range, `${p}.destinationPort.range`, ['start', 'end']);
  }
  if (entry.destinationNamedPort !== undefined && entry.destinationNamedPort !== null) {
    if (typeof entry.destinationNamedPort !== 'string') {
      c.typeError(`${path}.destinationNamedPort`, entry.destinationNamedPort, 'a string', 'Write the container port name as a string.');
    }
    return true;
  }
  return false;
}
