/**
 * The checks the API server (the CRD's OpenAPI schema) and Cilium's agent (the rule sanitizer of
 * `pkg/policy/api`) apply to a `cilium.io/v2` CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy.
 * Never throws: any JSON value is accepted and every problem is a finding with its field path.
 */
import { show } from './api-server-rules';
import { isStrictSubset, parseCidr } from './cidr';
import {
  CILIUM_CLUSTERWIDE_NETWORK_POLICY_KIND, CILIUM_ENTITIES, CILIUM_HEADER_MISMATCH, CILIUM_PORT, CILIUM_PROTOCOLS, EGRESS_PEER_FIELDS, FQDN_MATCH_NAME,
  FQDN_MATCH_PATTERN, INGRESS_PEER_FIELDS, readCiliumPort,
} from './cilium-manifest';
import { Finding, Severity } from './finding';

type JsonObject = Record<string, unknown>;

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'];
const CIDR_GROUP_REF = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** `toPorts[].ports` holds at most 40 ports (CRD maxItems). */
const MAX_PORTS = 40;

const SELECTOR_FIELDS = ['matchLabels', 'matchExpressions'];
const SPEC_FIELDS = ['description', 'endpointSelector', 'nodeSelector', 'enableDefaultDeny', 'ingress', 'ingressDeny', 'egress', 'egressDeny', 'labels', 'log'];
const COMMON_INGRESS = [...INGRESS_PEER_FIELDS, 'fromRequires', 'toPorts', 'icmps', 'authentication'];
const COMMON_EGRESS = [...EGRESS_PEER_FIELDS, 'toRequires', 'toPorts', 'icmps', 'authentication'];
const RULE_FIELDS: Record<string, readonly string[]> = {
  ingress: COMMON_INGRESS,
  ingressDeny: COMMON_INGRESS.filter((f) => f !== 'authentication'),
  egress: [...COMMON_EGRESS, 'toFQDNs'],
  egressDeny: COMMON_EGRESS.filter((f) => f !== 'authentication'),
};
const PORT_RULE_FIELDS = ['ports', 'rules', 'listener', 'originatingTLS', 'terminatingTLS', 'serverNames'];
const DENY_PORT_RULE_FIELDS = ['ports'];
const L7_FIELDS = ['http', 'kafka', 'dns', 'l7proto', 'l7'];
const HTTP_FIELDS = ['method', 'path', 'host', 'headers', 'headerMatches'];

class Findings {
  public readonly list: Finding[] = [];

  public error(code: string, field: string, message: string, fix: string): void {
    this.list.push({ severity: Severity.ERROR, code, field, message, fix });
  }

  public required(field: string, fix: string): void {
    this.error('FieldValueRequired', field, 'Required value', fix);
  }

  public type(field: string, value: unknown, expected: string, fix: string): void {
    this.error('FieldValueTypeInvalid', field, `Invalid value: ${show(value)}: must be ${expected}`, fix);
  }

  public invalid(field: string, value: unknown, detail: string, fix: string): void {
    this.error('FieldValueInvalid', field, `Invalid value: ${show(value)}: ${detail}`, fix);
  }

  public unsupported(field: string, value: unknown, allowed: readonly string[], fix: string): void {
    this.error('FieldValueNotSupported', field, `Unsupported value: ${show(value)}: supported values: ${allowed.map((a) => `"${a}"`).join(', ')}`, fix);
  }

  public forbidden(field: string, detail: string, fix: string): void {
    this.error('FieldValueForbidden', field, `Forbidden: ${detail}`, fix);
  }

  public unknown(field: string, key: string, type: string, known: readonly string[]): void {
    this.error('UnknownField', field, `unknown field ${JSON.stringify(key)} in ${type}`,
      `Fix the spelling or remove it: ${type} has ${known.join(', ')}. kubectl apply rejects unknown fields (strict field validation), and with validation off the API server drops them, so the rule would say less than written.`);
  }
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}


function knownFields(f: Findings, value: JsonObject, path: string, type: string, known: readonly string[]): void {
  for (const key of Object.keys(value)) if (!known.includes(key)) f.unknown(`${path}.${key}`, key, type, known);
}

function list(f: Findings, value: unknown, path: string, what: string, each: (item: unknown, at: string) => void): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) {
    f.type(path, value, 'a list', `Write ${path.slice(path.lastIndexOf('.') + 1)} as a list of ${what} (YAML items starting with "-").`);
    return;
  }
  value.forEach((item, i) => each(item, `${path}[${i}]`));
}

/**
 * The object as the API server stores it. A Cilium policy is a custom resource, and for custom
 * resources "null values for fields that either don't specify the nullable flag, or set it to false,
 * will be pruned before defaulting happens" (Kubernetes docs, Extend the Kubernetes API with
 * CustomResourceDefinitions, "Defaulting and Nullable"). So `ingress: null` (what a Helm template
 * renders for an empty value) is stored as if absent. Only fields of the schema's objects are
 * pruned: a null list item, or a null value in a map of labels (matchLabels), stays and is refused.
 * `metadata` is left as given (it is not part of the CRD's schema).
 */
export function pruneCiliumNulls(object: unknown): unknown {
  const prune = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(prune);
    if (!isObject(v)) return v;
    const out: JsonObject = {};
    for (const [key, value] of Object.entries(v)) {
      if (value === null) continue;
      out[key] = key === 'matchLabels' ? value : prune(value);
    }
    return out;
  };
  if (!isObject(object)) return object;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(object)) {
    if (value === null && key !== 'metadata') continue;
    out[key] = key === 'metadata' ? value : prune(value);
  }
  return out;
}

/** Checks one CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy object, as the API server stores it (nulls pruned). */
export function checkCiliumPolicy(given: unknown): Finding[] {
  const object = pruneCiliumNulls(given);
  const f = new Findings();
  if (!isObject(object)) {
    f.type('', object, 'an object', 'Write the policy as a mapping with apiVersion, kind, metadata and spec.');
    return f.list;
  }
  if (object.apiVersion !== 'cilium.io/v2') {
    f.unsupported('apiVersion', object.apiVersion, ['cilium.io/v2'], 'Write apiVersion: cilium.io/v2 (the version Cilium serves its policies in).');
  }
  const clusterwide = object.kind === CILIUM_CLUSTERWIDE_NETWORK_POLICY_KIND;
  const metadata = object.metadata;
  if (!isObject(metadata) || typeof metadata.name !== 'string' || metadata.name === '') {
    f.required('metadata.name', 'Give the policy a name (metadata.name).');
  }
  const specs: Array<[unknown, string]> = [];
  if (object.spec !== undefined) specs.push([object.spec, 'spec']);
  if (object.specs !== undefined) {
    list(f, object.specs, 'specs', 'rule specs', (item, at) => specs.push([item, at]));
  }
  if (specs.length === 0) f.required('spec', 'Add a spec with an endpointSelector and the ingress/egress rules.');
  for (const [spec, path] of specs) checkSpec(f, spec, path, clusterwide);
  return f.list;
}

function checkSpec(f: Findings, spec: unknown, path: string, clusterwide: boolean): void {
  if (!isObject(spec)) {
    f.type(path, spec, 'an object', 'Write the spec as a mapping with endpointSelector and rules.');
    return;
  }
  knownFields(f, spec, path, 'a Cilium rule spec', SPEC_FIELDS);
  const hasEndpoints = spec.endpointSelector !== undefined;
  const hasNodes = spec.nodeSelector !== undefined;
  if (hasEndpoints === hasNodes) {
    if (hasEndpoints) f.forbidden(`${path}.nodeSelector`, 'may not be specified together with endpointSelector', 'Keep one: endpointSelector for pods, nodeSelector for a host policy.');
    else f.required(`${path}.endpointSelector`, 'Say which pods the policy applies to: endpointSelector (e.g. matchLabels: {app: web}), or {} for every pod.');
  }
  if (hasEndpoints) checkSelector(f, spec.endpointSelector, `${path}.endpointSelector`);
  if (hasNodes) {
    checkSelector(f, spec.nodeSelector, `${path}.nodeSelector`);
    if (!clusterwide && !hasEndpoints) f.forbidden(`${path}.nodeSelector`, 'a host policy (nodeSelector) must be a CiliumClusterwideNetworkPolicy', 'Move the rules to a CiliumClusterwideNetworkPolicy, or select pods with endpointSelector.');
  }
  if (spec.description !== undefined && typeof spec.description !== 'string') f.type(`${path}.description`, spec.description, 'a string', 'Quote the description.');
  if (spec.enableDefaultDeny !== undefined) {
    const d = spec.enableDefaultDeny;
    if (!isObject(d)) {
      f.type(`${path}.enableDefaultDeny`, d, 'an object', 'Write enableDefaultDeny as {ingress: true|false, egress: true|false}.');
    } else {
      knownFields(f, d, `${path}.enableDefaultDeny`, 'DefaultDenyConfig', ['ingress', 'egress']);
      for (const dir of ['ingress', 'egress']) {
        if (d[dir] !== undefined && typeof d[dir] !== 'boolean') f.type(`${path}.enableDefaultDeny.${dir}`, d[dir], 'a boolean', 'Write true or false, unquoted.');
      }
    }
  }
  for (const section of ['ingress', 'ingressDeny', 'egress', 'egressDeny']) {
    list(f, spec[section], `${path}.${section}`, 'rules', (rule, at) => checkRule(f, rule, at, section));
  }
}

function checkRule(f: Findings, rule: unknown, path: string, section: string): void {
  if (!isObject(rule)) {
    f.type(path, rule, 'an object', 'Write each rule as a mapping, e.g. {toEndpoints: [...], toPorts: [...]}.');
    return;
  }
  const egress = section.startsWith('egress');
  const deny = section.endsWith('Deny');
  const known = RULE_FIELDS[section];
  for (const key of Object.keys(rule)) {
    if (known.includes(key)) continue;
    if (deny && key === 'toFQDNs') {
      f.forbidden(`${path}.toFQDNs`, 'a deny rule cannot name DNS names (egressDeny has no toFQDNs); the API server drops the field, and the rule would deny more or less than written',
        'Deny the addresses (toCIDRSet), or allow only the names that are needed (egress toFQDNs) and nothing else.');
    } else {
      f.unknown(`${path}.${key}`, key, `${egress ? 'an egress' : 'an ingress'}${deny ? ' deny' : ''} rule`, known);
    }
  }
  const peerFields = (egress ? [...EGRESS_PEER_FIELDS, 'toFQDNs'] : [...INGRESS_PEER_FIELDS]).filter((p) => !Array.isArray(rule[p]) || rule[p].length > 0)
    // An empty peer list "will have no effect on the rule" (ingress.go, egress.go): not a second peer.
    .filter((p) => rule[p] !== undefined && rule[p] !== null);
  if (peerFields.length > 1) {
    f.forbidden(`${path}.${peerFields[1]}`, `${peerFields.join(', ')} in one rule: Cilium accepts only one kind of peer per rule and rejects the policy`,
      'Write one rule per kind of peer, each with its own toPorts.');
  }
  const prefix = egress ? 'to' : 'from';
  for (const field of [`${prefix}Endpoints`, `${prefix}Requires`, `${prefix}Nodes`]) {
    list(f, rule[field], `${path}.${field}`, 'endpoint selectors', (s, at) => checkSelector(f, s, at));
  }
  list(f, rule[`${prefix}Entities`], `${path}.${prefix}Entities`, 'entities', (e, at) => {
    if (typeof e !== 'string' || !(CILIUM_ENTITIES as readonly string[]).includes(e)) {
      f.unsupported(at, e, CILIUM_ENTITIES, 'Use one of Cilium\'s entities, e.g. kube-apiserver, world, cluster, host or remote-node.');
    }
  });
  list(f, rule[`${prefix}CIDR`], `${path}.${prefix}CIDR`, 'CIDRs', (c, at) => checkCidr(f, c, at));
  list(f, rule[`${prefix}CIDRSet`], `${path}.${prefix}CIDRSet`, 'CIDR rules', (c, at) => checkCidrRule(f, c, at));
  if (egress && !deny) list(f, rule.toFQDNs, `${path}.toFQDNs`, 'DNS selectors', (s, at) => checkFqdn(f, s, at));
  list(f, rule.toPorts, `${path}.toPorts`, 'port rules', (p, at) => checkPortRule(f, p, at, deny, !egress));
  // rule_validation.go (IngressRule, IngressDenyRule, EgressRule, EgressDenyRule Validate): "the
  // ICMPs block may only be present without ToPorts"; the agent rejects the policy.
  if (Array.isArray(rule.icmps) && rule.icmps.length > 0 && Array.isArray(rule.toPorts) && rule.toPorts.length > 0) {
    f.forbidden(`${path}.icmps`, 'the ICMPs block may only be present without ToPorts: Cilium\'s agent rejects the policy, so none of it is enforced',
      'Write two rules with the same peer: one with icmps, one with toPorts.');
  }
}

function checkSelector(f: Findings, selector: unknown, path: string): void {
  if (!isObject(selector)) {
    f.type(path, selector, 'an object', 'Write the selector as a mapping, e.g. {matchLabels: {app: web}}, or {} for every endpoint.');
    return;
  }
  knownFields(f, selector, path, 'an EndpointSelector', SELECTOR_FIELDS);
  const labels = selector.matchLabels;
  if (labels !== undefined) {
    if (!isObject(labels)) {
      f.type(`${path}.matchLabels`, labels, 'an object', 'Write matchLabels as key: value pairs.');
    } else {
      for (const [key, value] of Object.entries(labels)) {
        const at = `${path}.matchLabels.${key}`;
        if (typeof value !== 'string') {
          f.type(at, value, 'a string', `Quote the value, e.g. ${key}: "${String(value)}" (YAML reads unquoted true, yes, on or numbers as non-strings).`);
        } else if (value.length > 63 || !LABEL_VALUE.test(value)) {
          f.invalid(at, value, 'a label value must be at most 63 characters of letters, digits, \'-\', \'_\' and \'.\', starting and ending with a letter or digit', 'Use the label value as the pods carry it.');
        }
      }
    }
  }
  list(f, selector.matchExpressions, `${path}.matchExpressions`, 'requirements', (e, at) => {
    if (!isObject(e)) {
      f.type(at, e, 'an object', 'Write each requirement as {key, operator, values}.');
      return;
    }
    knownFields(f, e, at, 'a LabelSelectorRequirement', ['key', 'operator', 'values']);
    if (typeof e.key !== 'string' || e.key === '') f.required(`${at}.key`, 'Give the label key the requirement tests.');
    if (!OPERATORS.includes(e.operator as string)) f.unsupported(`${at}.operator`, e.operator, OPERATORS, 'Use In, NotIn, Exists or DoesNotExist.');
    const values = e.values;
    if (values !== undefined && (!Array.isArray(values) || values.some((v) => typeof v !== 'string'))) {
      f.type(`${at}.values`, values, 'a list of strings', 'Quote each value.');
    } else if ((e.operator === 'In' || e.operator === 'NotIn') && (!Array.isArray(values) || values.length === 0)) {
      f.required(`${at}.values`, `${e.operator} needs at least one value; use Exists to test only that the key is there.`);
    } else if ((e.operator === 'Exists' || e.operator === 'DoesNotExist') && Array.isArray(values) && values.length > 0) {
      f.forbidden(`${at}.values`, `may not be specified when operator is ${e.operator}`, 'Remove values, or use In/NotIn.');
    }
  });
}

function checkCidr(f: Findings, value: unknown, path: string): ReturnType<typeof parseCidr>['cidr'] | undefined {
  if (typeof value !== 'string') {
    f.type(path, value, 'a string', 'Write the CIDR as a string, e.g. "203.0.113.0/24".');
    return undefined;
  }
  const parsed = parseCidr(value, false);
  if (!parsed.cidr || !value.includes('/')) {
    f.invalid(path, value, 'must be a CIDR (an address with a prefix length), e.g. 203.0.113.0/24 or 2001:db8::/32', 'Write the address block with its prefix length; a single address is /32 (IPv4) or /128 (IPv6).');
    return undefined;
  }
  return parsed.cidr;
}

function checkCidrRule(f: Findings, rule: unknown, path: string): void {
  if (!isObject(rule)) {
    f.type(path, rule, 'an object', 'Write each CIDR rule as {cidr: "203.0.113.0/24", except: [...]}.');
    return;
  }
  knownFields(f, rule, path, 'a CIDRRule', ['cidr', 'cidrGroupRef', 'cidrGroupSelector', 'except']);
  const hasCidr = rule.cidr !== undefined;
  const hasRef = rule.cidrGroupRef !== undefined;
  if (hasCidr && hasRef) f.forbidden(`${path}.cidrGroupRef`, 'may not be specified together with cidr', 'Keep one: cidr, or cidrGroupRef (a CiliumCIDRGroup).');
  if (!hasCidr && !hasRef && rule.cidrGroupSelector === undefined) f.required(`${path}.cidr`, 'Give the address block, e.g. cidr: 203.0.113.0/24.');
  if (hasRef && (typeof rule.cidrGroupRef !== 'string' || rule.cidrGroupRef.length > 253 || !CIDR_GROUP_REF.test(rule.cidrGroupRef))) {
    f.invalid(`${path}.cidrGroupRef`, rule.cidrGroupRef, 'must be the name of a CiliumCIDRGroup (a DNS-1123 subdomain)', 'Give the CiliumCIDRGroup\'s name.');
  }
  const outer = hasCidr ? checkCidr(f, rule.cidr, `${path}.cidr`) : undefined;
  list(f, rule.except, `${path}.except`, 'CIDRs', (e, at) => {
    const inner = checkCidr(f, e, at);
    if (inner && outer && !isStrictSubset(inner, outer)) {
      f.invalid(at, e, `must be inside ${String(rule.cidr)}: an exception outside the block excepts nothing`, `Give ranges inside ${String(rule.cidr)}, or drop the exception.`);
    }
    if (hasRef) f.forbidden(at, 'except is not supported together with cidrGroupRef', 'Give the block as cidr, or put the exceptions into the CiliumCIDRGroup.');
  });
}

function checkFqdn(f: Findings, selector: unknown, path: string): void {
  if (!isObject(selector)) {
    f.type(path, selector, 'an object', 'Write each DNS selector as {matchName: api.example.com} or {matchPattern: "*.example.com"}.');
    return;
  }
  knownFields(f, selector, path, 'an FQDNSelector', ['matchName', 'matchPattern']);
  const name = selector.matchName;
  const pattern = selector.matchPattern;
  if (name === undefined && pattern === undefined) f.required(`${path}.matchName`, 'Give matchName (a DNS name) or matchPattern (with *).');
  if (name !== undefined && pattern !== undefined) f.forbidden(`${path}.matchPattern`, 'may not be specified together with matchName', 'Write two selectors, one each.');
  if (name !== undefined && (typeof name !== 'string' || !FQDN_MATCH_NAME.test(name) || name.length > 255)) {
    f.invalid(`${path}.matchName`, name, 'must be a DNS name of letters, digits, \'-\', \'_\' and dots (no wildcard: that is matchPattern)', 'Write e.g. matchName: api.stripe.com, or matchPattern: "*.stripe.com" for a pattern.');
  }
  if (pattern !== undefined && (typeof pattern !== 'string' || !FQDN_MATCH_PATTERN.test(pattern) || pattern.length > 255)) {
    f.invalid(`${path}.matchPattern`, pattern, 'must be a DNS pattern of letters, digits, \'-\', \'_\', \'*\' and dots', 'Write e.g. matchPattern: "*.s3.amazonaws.com" (quoted: an unquoted * is a YAML alias).');
  }
}

function checkPortRule(f: Findings, rule: unknown, path: string, deny: boolean, ingress: boolean): void {
  if (!isObject(rule)) {
    f.type(path, rule, 'an object', 'Write each port rule as {ports: [{port: "443", protocol: TCP}]}.');
    return;
  }
  for (const key of Object.keys(rule)) {
    if ((deny ? DENY_PORT_RULE_FIELDS : PORT_RULE_FIELDS).includes(key)) continue;
    if (deny && PORT_RULE_FIELDS.includes(key)) {
      f.forbidden(`${path}.${key}`, `a deny rule has no ${key} (layer-7 rules cannot deny); the API server drops the field, so the rule would deny the whole port`,
        'Deny the whole port on purpose (ports only), or allow only the requests that are needed (an allow rule with rules.http).');
    } else {
      f.unknown(`${path}.${key}`, key, deny ? 'a deny port rule' : 'a PortRule', deny ? DENY_PORT_RULE_FIELDS : PORT_RULE_FIELDS);
    }
  }
  const ports = rule.ports;
  if (Array.isArray(ports) && ports.length > MAX_PORTS) f.error('FieldValueTooMany', `${path}.ports`, `Too many: ${ports.length}: must have at most ${MAX_PORTS} items`, 'Split the ports over several port rules.');
  list(f, ports, `${path}.ports`, 'ports', (p, at) => checkPort(f, p, at));
  const rules = rule.rules;
  if (rules === undefined || deny) return;
  if (!isObject(rules)) {
    f.type(`${path}.rules`, rules, 'an object', 'Write rules as {http: [...]} or {dns: [...]}.');
    return;
  }
  knownFields(f, rules, `${path}.rules`, 'L7Rules', L7_FIELDS);
  const kinds = ['http', 'kafka', 'dns', 'l7'].filter((k) => rules[k] !== undefined);
  if (kinds.length > 1) {
    f.forbidden(`${path}.rules.${kinds[1]}`, `${kinds.join(' and ')} rules on one port: a port carries one kind of layer-7 rule, and Cilium rejects the policy`, 'Write each kind of rule in its own port rule, on its own port.');
  }
  list(f, rules.dns, `${path}.rules.dns`, 'DNS selectors', (s, at) => checkFqdn(f, s, at));
  list(f, rules.http, `${path}.rules.http`, 'HTTP rules', (h, at) => checkHttp(f, h, at));
  checkAgentL7(f, rule, rules, path, ingress);
}

/**
 * What Cilium's agent checks of a port rule with layer-7 rules (pkg/policy/api/rule_validation.go,
 * PortRule.sanitize), after the API server has accepted it: a policy that fails one is rejected by
 * the agent and enforces nothing.
 */
function checkAgentL7(f: Findings, rule: JsonObject, rules: JsonObject, path: string, ingress: boolean): void {
  const nonEmpty = (v: unknown) => (Array.isArray(v) ? v.length > 0 : typeof v === 'string' ? v !== '' : v !== undefined && v !== null);
  const hasDns = Array.isArray(rules.dns) && rules.dns.length > 0;
  const hasL7 = ['http', 'kafka', 'dns', 'l7proto', 'l7'].some((k) => nonEmpty(rules[k]));
  if (!hasL7) return;
  if (ingress && hasDns) {
    f.forbidden(`${path}.rules.dns`, 'DNS rules are not allowed on ingress: Cilium\'s agent rejects the policy, so none of it is enforced',
      'Write the DNS rule in an egress rule of the pods that look names up (to the DNS server on port 53), and allow this ingress without rules.dns.');
  }
  if (nonEmpty(rule.serverNames) && rule.terminatingTLS === undefined) {
    f.forbidden(`${path}.serverNames`, 'ServerNames are not allowed with L7 rules without TLS termination: Cilium\'s agent rejects the policy',
      'Add terminatingTLS to the port rule, or write serverNames and the layer-7 rules in separate port rules.');
  }
  if (!Array.isArray(rule.ports)) return;
  rule.ports.forEach((port: unknown, i) => {
    if (!isObject(port) || typeof port.port !== 'string') return;
    const at = `${path}.ports[${i}]`;
    const read = readCiliumPort(port.port);
    if (read.number === 0) {
      f.forbidden(`${at}.port`, 'L7 rules can not be used when a port is 0: Cilium\'s agent rejects the policy', 'Give the port the layer-7 rules are for, e.g. port: "80".');
    }
    const protocol = port.protocol === undefined ? 'ANY' : String(port.protocol);
    if (!hasDns && protocol !== 'TCP') {
      f.forbidden(`${at}.protocol`, `L7 rules can only apply to TCP (not ${protocol}) except for DNS rules${port.protocol === undefined ? ' (an omitted protocol is ANY)' : ''}: `
        + 'Cilium\'s agent rejects the policy, so none of it is enforced', 'Write protocol: TCP on the port that carries the layer-7 rules.');
    }
    if (hasDns && read.number !== undefined && typeof port.endPort === 'number' && port.endPort > read.number) {
      f.forbidden(`${at}.endPort`, 'DNS rules do not support port ranges: Cilium\'s agent rejects the policy', 'Give the DNS port alone (port: "53", no endPort).');
    }
  });
}

function checkPort(f: Findings, port: unknown, path: string): void {
  if (!isObject(port)) {
    f.type(path, port, 'an object', 'Write each port as {port: "443", protocol: TCP}.');
    return;
  }
  knownFields(f, port, path, 'a PortProtocol', ['port', 'endPort', 'protocol']);
  const p = port.port;
  if (p === undefined) {
    f.required(`${path}.port`, 'Give the port, as a quoted number ("443") or a container port name.');
  } else if (typeof p !== 'string') {
    f.type(`${path}.port`, p, 'a string', `Quote the port: port: "${String(p)}" (the CRD declares it a string, and the API server rejects a number).`);
  } else if (!CILIUM_PORT.test(p)) {
    f.invalid(`${path}.port`, p, 'must be a port number from 0 to 65535 or a port name (letters, digits, single \'-\', at least one letter)', 'Write e.g. port: "443" or port: http.');
  } else {
    const read = readCiliumPort(p);
    if (read.problem !== undefined) {
      f.invalid(`${path}.port`, p, `Unable to parse port: ${read.problem}; Cilium's agent rejects the policy, so none of it is enforced`,
        'Write the port in decimal without a leading 0 (e.g. "8080"), or a container port name of at most 15 characters.');
    }
  }
  if (port.endPort !== undefined) {
    const e = port.endPort;
    if (typeof e !== 'number' || !Number.isInteger(e)) f.type(`${path}.endPort`, e, 'an integer', 'Write the end of the range as a number, unquoted.');
    else if (e < 0 || e > 65535) f.invalid(`${path}.endPort`, e, 'must be between 0 and 65535', 'Give the last port of the range.');
    else if (typeof p === 'string' && readCiliumPort(p).number !== undefined && e < readCiliumPort(p).number!) f.invalid(`${path}.endPort`, e, `must not be lower than port ${p}`, 'Give the lower port as port and the higher as endPort.');
  }
  if (port.protocol !== undefined && !(CILIUM_PROTOCOLS as readonly string[]).includes(port.protocol as string)) {
    f.unsupported(`${path}.protocol`, port.protocol, CILIUM_PROTOCOLS, 'Use TCP, UDP, SCTP or ANY (upper case).');
  }
}

function checkHttp(f: Findings, rule: unknown, path: string): void {
  if (!isObject(rule)) {
    f.type(path, rule, 'an object', 'Write each HTTP rule as {method: GET, path: "/api/.*"}.');
    return;
  }
  knownFields(f, rule, path, 'a PortRuleHTTP', HTTP_FIELDS);
  for (const field of ['method', 'path', 'host']) {
    const v = rule[field];
    if (v === undefined) continue;
    if (typeof v !== 'string') {
      f.type(`${path}.${field}`, v, 'a string', 'Quote the expression.');
      continue;
    }
    if (field !== 'host') {
      try {
        new RegExp(v);
      } catch {
        f.invalid(`${path}.${field}`, v, 'is not a valid regular expression, and Cilium rejects the policy', 'Fix the expression, e.g. path: "/api/v1/.*".');
      }
    }
  }
  list(f, rule.headers, `${path}.headers`, 'headers', (h, at) => {
    if (typeof h !== 'string') f.type(at, h, 'a string', 'Write each header as "Name" or "Name: value".');
  });
  list(f, rule.headerMatches, `${path}.headerMatches`, 'header matches', (m, at) => {
    if (!isObject(m)) {
      f.type(at, m, 'an object', 'Write each header match as {name, value}.');
      return;
    }
    knownFields(f, m, at, 'a HeaderMatch', ['name', 'value', 'secret', 'mismatch']);
    if (typeof m.name !== 'string' || m.name === '') f.required(`${at}.name`, 'Give the header\'s name.');
    if (m.mismatch !== undefined && !(CILIUM_HEADER_MISMATCH as readonly string[]).includes(m.mismatch as string)) {
      f.unsupported(`${at}.mismatch`, m.mismatch, CILIUM_HEADER_MISMATCH, 'Use LOG, ADD, DELETE or REPLACE, or leave mismatch out to drop mismatching requests.');
    }
  });
}
