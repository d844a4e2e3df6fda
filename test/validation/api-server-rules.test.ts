import { checkApiServerRules } from '../../src/k8s/api-server-rules';
import { Severity } from '../../src/k8s/finding';

/**
 * Table-driven cases for the API-server rules, written from
 * /work/shared/reference/networkpolicy-validation-rules.md (sections 1-6). The rule ids in the case
 * names (M2, L4, P3, C5, ...) are the reference's.
 */

const META = { name: 'np', namespace: 'default' };

/** A full NetworkPolicy object with the given spec (and metadata). */
function np(spec: unknown, metadata: unknown = META): Record<string, unknown> {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata, spec };
}

/** One ingress rule with the given ports. */
const ingressPorts = (...ports: unknown[]) => ({ podSelector: {}, ingress: [{ ports }] });
/** One egress rule with the given ports. */
const egressPorts = (...ports: unknown[]) => ({ podSelector: {}, policyTypes: ['Egress'], egress: [{ ports }] });
/** One ingress rule with the given `from` peers. */
const fromPeers = (...from: unknown[]) => ({ podSelector: {}, ingress: [{ from }] });
/** One egress rule with the given `to` peers. */
const toPeers = (...to: unknown[]) => ({ podSelector: {}, policyTypes: ['Egress'], egress: [{ to }] });
/** One ingress peer that is an ipBlock. */
const ipBlock = (block: unknown) => fromPeers({ ipBlock: block });
/** A spec whose pod selector is the given one. */
const podSel = (selector: unknown) => ({ podSelector: selector });

const P0 = 'spec.ingress[0].ports[0]';
const F0 = 'spec.ingress[0].from[0]';
const IPB = `${F0}.ipBlock`;
const ME0 = 'spec.podSelector.matchExpressions[0]';

interface Case {
  readonly name: string;
  readonly object: unknown;
  /** `strictCidr` option; undefined means the default (strict). */
  readonly strictCidr?: boolean;
  /** Expected `[code, field]` pairs, in order. Empty for a valid object. */
  readonly expected: ReadonlyArray<readonly [string, string]>;
  /** Substrings of the messages, one per expected finding (optional). */
  readonly messages?: readonly string[];
}

const I = 'FieldValueInvalid';
const R = 'FieldValueRequired';
const NS = 'FieldValueNotSupported';
const F = 'FieldValueForbidden';
const TL = 'FieldValueTooLong';
const TI = 'FieldValueTypeInvalid';

const valid: Case[] = [
  // Section 1: metadata
  { name: 'M2: minimal policy', object: np({ podSelector: {} }), expected: [] },
  { name: 'M2: name with dots', object: np({}, { name: 'allow.web.v1', namespace: 'default' }), expected: [] },
  { name: 'M2: name of exactly 253 characters', object: np({}, { name: 'a'.repeat(253), namespace: 'default' }), expected: [] },
  { name: 'M2: no per-label 63-character limit in the name', object: np({}, { name: `${'a'.repeat(70)}.b`, namespace: 'default' }), expected: [] },
  { name: 'M2: name starting with a digit', object: np({}, { name: '1-allow', namespace: 'default' }), expected: [] },
  { name: 'M1/M3: generateName without name', object: np({}, { generateName: 'allow-', namespace: 'default' }), expected: [] },
  { name: 'M3: generateName and name both valid', object: np({}, { name: 'allow-x', generateName: 'allow-', namespace: 'default' }), expected: [] },
  { name: 'M4: namespace of 63 characters', object: np({}, { name: 'np', namespace: 'n'.repeat(63) }), expected: [] },
  {
    name: 'M5: valid labels (prefix, uppercase name, empty value)',
    object: np({}, { ...META, labels: { 'app.kubernetes.io/name': 'web', 'App': 'Web_1.x', 'empty': '', 'x': 'v'.repeat(63) } }),
    expected: [],
  },
  {
    name: 'M6: annotation key is lower-cased before the check',
    object: np({}, { ...META, annotations: { 'Example.COM/Owner': 'team a, with spaces & symbols!' } }),
    expected: [],
  },
  { name: 'M6: annotations of exactly 256 KiB', object: np({}, { ...META, annotations: { k: 'x'.repeat(256 * 1024 - 1) } }), expected: [] },

  // Section 2: selectors
  { name: 'L8: spec without podSelector', object: np({}), expected: [] },
  { name: 'L8: empty pod selector', object: np(podSel({})), expected: [] },
  {
    name: 'L1/L2: matchLabels with prefixed key and empty value',
    object: np(podSel({ matchLabels: { 'example.com/tier': '', 'my_key.x': 'A-b_c.9', [`k${'x'.repeat(62)}`]: 'v' } })),
    expected: [],
  },
  {
    name: 'L3-L5: all four operators used correctly',
    object: np(podSel({
      matchExpressions: [
        { key: 'app', operator: 'In', values: ['a', 'b'] },
        { key: 'app', operator: 'NotIn', values: ['c'] },
        { key: 'tier', operator: 'Exists' },
        { key: 'env', operator: 'DoesNotExist' },
      ],
    })),
    expected: [],
  },
  { name: 'L5: Exists with an empty values list', object: np(podSel({ matchExpressions: [{ key: 'a', operator: 'Exists', values: [] }] })), expected: [] },
  { name: 'L7: In with an empty-string value', object: np(podSel({ matchExpressions: [{ key: 'a', operator: 'In', values: [''] }] })), expected: [] },

  // Section 3: spec
  { name: 'S7: empty ingress list', object: np({ podSelector: {}, ingress: [] }), expected: [] },
  { name: 'S7: empty rule ingress: [{}]', object: np({ podSelector: {}, ingress: [{}] }), expected: [] },
  { name: 'S7: empty egress rule egress: [{}]', object: np({ podSelector: {}, policyTypes: ['Egress'], egress: [{}] }), expected: [] },
  { name: 'S7: from: [] and ports: [{}]', object: np({ podSelector: {}, ingress: [{ from: [], ports: [{}] }] }), expected: [] },
  { name: 'D2: egress: [] with no policyTypes', object: np({ podSelector: {}, egress: [] }), expected: [] },
  { name: 'D2: policyTypes: [] is defaulted', object: np({ podSelector: {}, policyTypes: [] }), expected: [] },
  { name: 'S5: policyTypes Ingress and Egress', object: np({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] }), expected: [] },
  { name: 'S6: duplicate policyTypes are accepted', object: np({ podSelector: {}, policyTypes: ['Ingress', 'Ingress'] }), expected: [] },
  { name: 'S6: Ingress only, with egress rules', object: np({ podSelector: {}, policyTypes: ['Ingress'], egress: [{ ports: [{ port: 53 }] }] }), expected: [] },
  { name: 'S6: Egress only, with no egress rules', object: np({ podSelector: {}, policyTypes: ['Egress'] }), expected: [] },

  // Section 4: ports
  { name: 'D1: protocol missing is defaulted to TCP', object: np(ingressPorts({ port: 80 })), expected: [] },
  { name: 'D1: protocol null is defaulted to TCP', object: np(ingressPorts({ protocol: null, port: 80 })), expected: [] },
  { name: 'P1: TCP, UDP and SCTP', object: np(ingressPorts({ protocol: 'TCP', port: 80 }, { protocol: 'UDP', port: 53 }, { protocol: 'SCTP', port: 9 })), expected: [] },
  { name: 'P1: protocol without port', object: np(ingressPorts({ protocol: 'UDP' })), expected: [] },
  { name: 'P2: ports 1 and 65535', object: np(ingressPorts({ port: 1 }, { port: 65535 })), expected: [] },
  { name: 'P3: endPort equal to port', object: np(ingressPorts({ port: 8080, endPort: 8080 })), expected: [] },
  { name: 'P3: full range 1-65535', object: np(ingressPorts({ port: 1, endPort: 65535 })), expected: [] },
  { name: 'P3: SCTP range', object: np(egressPorts({ protocol: 'SCTP', port: 1000, endPort: 2000 })), expected: [] },
  {
    name: 'P5: valid IANA port names',
    object: np(ingressPorts({ port: 'http' }, { port: 'h2c' }, { port: 'a-b-c' }, { port: 'x' }, { port: 'abcdefghijklmno' }, { port: '8080-a' })),
    expected: [],
  },

  // Section 5: peers
  { name: 'R1: empty podSelector counts as a peer', object: np(fromPeers({ podSelector: {} })), expected: [] },
  { name: 'R1: empty namespaceSelector counts as a peer', object: np(toPeers({ namespaceSelector: {} })), expected: [] },
  {
    name: 'R3: podSelector AND namespaceSelector in one peer',
    object: np(fromPeers({ podSelector: { matchLabels: { app: 'a' } }, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'x' } } })),
    expected: [],
  },

  // Section 6: ipBlock
  { name: 'C5: except strictly inside cidr', object: np(ipBlock({ cidr: '10.0.0.0/8', except: ['10.1.0.0/16', '10.255.255.255/32'] })), expected: [] },
  { name: 'C5: 0.0.0.0/0 with except', object: np(ipBlock({ cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '192.168.0.0/16'] })), expected: [] },
  { name: 'C5: IPv6 cidr with except', object: np(toPeers({ ipBlock: { cidr: '2001:db8::/32', except: ['2001:db8:1::/48'] } })), expected: [] },
  { name: 'C2: single address /32 and /128', object: np(fromPeers({ ipBlock: { cidr: '203.0.113.7/32' } }, { ipBlock: { cidr: '2001:db8::1/128' } })), expected: [] },
  { name: 'C3: non-canonical IPv6 is still allowed in strict mode', object: np(ipBlock({ cidr: 'FD00:0:0:0::/64' })), expected: [] },
  { name: 'C3: leading zeros accepted when strictCidr is off', object: np(ipBlock({ cidr: '010.0.0.0/8' })), strictCidr: false, expected: [] },
  { name: 'C3: leading zero in prefix accepted when strictCidr is off', object: np(ipBlock({ cidr: '10.0.0.0/08' })), strictCidr: false, expected: [] },
  { name: 'C3: host bits accepted when strictCidr is off', object: np(ipBlock({ cidr: '192.168.1.5/24' })), strictCidr: false, expected: [] },
  { name: 'C3: IPv4-mapped IPv6 accepted when strictCidr is off', object: np(ipBlock({ cidr: '::ffff:10.0.0.0/104' })), strictCidr: false, expected: [] },
  {
    name: 'C5: legacy: except with host bits only needs its network inside the cidr',
    object: np(ipBlock({ cidr: '10.0.0.0/8', except: ['10.1.2.3/16'] })),
    strictCidr: false,
    expected: [],
  },
  {
    name: 'C5: legacy: cidr with host bits is masked before the subset check',
    object: np(ipBlock({ cidr: '10.1.2.3/8', except: ['10.5.0.0/16'] })),
    strictCidr: false,
    expected: [],
  },
];

const invalid: Case[] = [
  // Section 1: metadata
  {
    name: 'M1: neither name nor generateName',
    object: np({}, { namespace: 'default' }),
    expected: [[R, 'metadata.name']],
    messages: ['name or generateName is required'],
  },
  { name: 'M1: empty name without generateName', object: np({}, { name: '', namespace: 'default' }), expected: [[R, 'metadata.name']] },
  { name: 'M2: uppercase name', object: np({}, { name: 'Allow-Web', namespace: 'default' }), expected: [[I, 'metadata.name']] },
  { name: 'M2: underscore in name', object: np({}, { name: 'allow_web', namespace: 'default' }), expected: [[I, 'metadata.name']] },
  { name: 'M2: name starting with a dash', object: np({}, { name: '-allow', namespace: 'default' }), expected: [[I, 'metadata.name']] },
  { name: 'M2: name ending with a dot', object: np({}, { name: 'allow.', namespace: 'default' }), expected: [[I, 'metadata.name']] },
  {
    name: 'M2: name of 254 characters',
    object: np({}, { name: 'a'.repeat(254), namespace: 'default' }),
    expected: [[I, 'metadata.name']],
    messages: ['must be no more than 253 characters'],
  },
  { name: 'M3: uppercase generateName', object: np({}, { generateName: 'Allow-', namespace: 'default' }), expected: [[I, 'metadata.generateName']] },
  { name: 'M3: underscore in generateName', object: np({}, { generateName: 'allow_', namespace: 'default' }), expected: [[I, 'metadata.generateName']] },
  { name: 'M4: uppercase namespace', object: np({}, { name: 'np', namespace: 'Default' }), expected: [[I, 'metadata.namespace']] },
  { name: 'M4: namespace with a dot (label, not subdomain)', object: np({}, { name: 'np', namespace: 'my.ns' }), expected: [[I, 'metadata.namespace']] },
  {
    name: 'M4: namespace of 64 characters',
    object: np({}, { name: 'np', namespace: 'n'.repeat(64) }),
    expected: [[I, 'metadata.namespace']],
    messages: ['must be no more than 63 characters'],
  },
  { name: 'M5: label key with two slashes', object: np({}, { ...META, labels: { 'a/b/c': 'x' } }), expected: [[I, 'metadata.labels']] },
  {
    name: 'M5: label key with an empty prefix',
    object: np({}, { ...META, labels: { '/app': 'x' } }),
    expected: [[I, 'metadata.labels']],
    messages: ['prefix part must be non-empty'],
  },
  { name: 'M5: label key with an uppercase prefix', object: np({}, { ...META, labels: { 'Example.com/app': 'x' } }), expected: [[I, 'metadata.labels']] },
  { name: 'M5: label key name of 64 characters', object: np({}, { ...META, labels: { [`${'k'.repeat(64)}`]: 'x' } }), expected: [[I, 'metadata.labels']] },
  { name: 'M5: label value with a space', object: np({}, { ...META, labels: { app: 'my app' } }), expected: [[I, 'metadata.labels']] },
  { name: 'M5: label value of 64 characters', object: np({}, { ...META, labels: { app: 'v'.repeat(64) } }), expected: [[I, 'metadata.labels']] },
  { name: 'M5: label value ending with a dash', object: np({}, { ...META, labels: { app: 'web-' } }), expected: [[I, 'metadata.labels']] },
  { name: 'M6: annotation key with two slashes', object: np({}, { ...META, annotations: { 'a/b/c': 'x' } }), expected: [[I, 'metadata.annotations']] },
  { name: 'M6: annotation key starting with _', object: np({}, { ...META, annotations: { _owner: 'x' } }), expected: [[I, 'metadata.annotations']] },
  { name: 'M6: annotations over 256 KiB', object: np({}, { ...META, annotations: { big: 'x'.repeat(256 * 1024) } }), expected: [[TL, 'metadata.annotations']] },
  {
    name: '0.4: metadata errors come before spec errors',
    object: np(ingressPorts({ port: 0 }), { name: 'Bad', namespace: 'default' }),
    expected: [[I, 'metadata.name'], [I, `${P0}.port`]],
  },

  // Section 2: selectors
  { name: 'L1: matchLabels key with two slashes', object: np(podSel({ matchLabels: { 'a/b/c': 'x' } })), expected: [[I, 'spec.podSelector.matchLabels']] },
  { name: 'L1: matchLabels key with an empty prefix', object: np(podSel({ matchLabels: { '/app': 'x' } })), expected: [[I, 'spec.podSelector.matchLabels']] },
  { name: 'L1: matchLabels key with an invalid character', object: np(podSel({ matchLabels: { 'app!': 'x' } })), expected: [[I, 'spec.podSelector.matchLabels']] },
  { name: 'L2: matchLabels value with a space', object: np(podSel({ matchLabels: { app: 'a b' } })), expected: [[I, 'spec.podSelector.matchLabels']] },
  { name: 'L2: matchLabels value of 64 characters', object: np(podSel({ matchLabels: { app: 'v'.repeat(64) } })), expected: [[I, 'spec.podSelector.matchLabels']] },
  {
    name: 'L3: lower-case operator "in"',
    object: np(podSel({ matchExpressions: [{ key: 'app', operator: 'in', values: ['a'] }] })),
    expected: [[I, `${ME0}.operator`]],
    messages: ['not a valid selector operator'],
  },
  { name: 'L3: operator "Equals"', object: np(podSel({ matchExpressions: [{ key: 'app', operator: 'Equals', values: ['a'] }] })), expected: [[I, `${ME0}.operator`]] },
  { name: 'L3: empty operator', object: np(podSel({ matchExpressions: [{ key: 'app', operator: '' }] })), expected: [[I, `${ME0}.operator`]] },
  {
    name: 'L4: In without values',
    object: np(podSel({ matchExpressions: [{ key: 'app', operator: 'In' }] })),
    expected: [[R, `${ME0}.values`]],
    messages: ['must be specified when `operator` is \'In\' or \'NotIn\''],
  },
  { name: 'L4: NotIn with an empty values list', object: np(podSel({ matchExpressions: [{ key: 'app', operator: 'NotIn', values: [] }] })), expected: [[R, `${ME0}.values`]] },
  {
    name: 'L5: Exists with values',
    object: np(podSel({ matchExpressions: [{ key: 'app', operator: 'Exists', values: ['a'] }] })),
    expected: [[F, `${ME0}.values`]],
    messages: ['may not be specified when `operator` is \'Exists\' or \'DoesNotExist\''],
  },
  { name: 'L5: DoesNotExist with values', object: np(podSel({ matchExpressions: [{ key: 'app', operator: 'DoesNotExist', values: ['a'] }] })), expected: [[F, `${ME0}.values`]] },
  { name: 'L6: requirement key with two slashes', object: np(podSel({ matchExpressions: [{ key: 'a/b/c', operator: 'Exists' }] })), expected: [[I, `${ME0}.key`]] },
  { name: 'L6: requirement key with an invalid prefix', object: np(podSel({ matchExpressions: [{ key: 'Bad_Prefix/app', operator: 'Exists' }] })), expected: [[I, `${ME0}.key`]] },
  {
    name: 'L7: invalid label value in values (1.26+)',
    object: np(podSel({ matchExpressions: [{ key: 'app', operator: 'In', values: ['ok', 'not ok'] }] })),
    expected: [[I, `${ME0}.values[1]`]],
  },
  {
    name: 'L7: value of 64 characters',
    object: np(podSel({ matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['v'.repeat(64)] }] })),
    expected: [[I, `${ME0}.values[0]`]],
  },
  {
    name: 'L4-L7: order within a requirement is operator/values, key, values[j]',
    object: np(podSel({ matchExpressions: [{ key: 'a/b/c', operator: 'Exists', values: ['bad value'] }] })),
    expected: [[F, `${ME0}.values`], [I, `${ME0}.key`], [I, `${ME0}.values[0]`]],
  },
  {
    name: 'L1-L3: matchLabels before matchExpressions, each requirement at its index',
    object: np(podSel({
      matchLabels: { 'a/b/c': 'x' },
      matchExpressions: [{ key: 'ok', operator: 'Exists' }, { key: 'ok', operator: 'exists' }],
    })),
    expected: [[I, 'spec.podSelector.matchLabels'], [I, 'spec.podSelector.matchExpressions[1].operator']],
  },
  {
    name: 'R4: peer podSelector is checked at its path',
    object: np(fromPeers({ podSelector: {} }, { podSelector: { matchExpressions: [{ key: 'app', operator: 'In' }] } })),
    expected: [[R, 'spec.ingress[0].from[1].podSelector.matchExpressions[0].values']],
  },
  {
    name: 'R4: peer namespaceSelector is checked at its path',
    object: np(toPeers({ namespaceSelector: { matchLabels: { team: 'red team' } } })),
    expected: [[I, 'spec.egress[0].to[0].namespaceSelector.matchLabels']],
  },
  {
    name: 'R4: podSelector before namespaceSelector within a peer',
    object: np(fromPeers({ namespaceSelector: { matchLabels: { 'a/b/c': 'x' } }, podSelector: { matchExpressions: [{ key: 'k', operator: 'NOTIN', values: ['x'] }] } })),
    expected: [[I, `${F0}.podSelector.matchExpressions[0].operator`], [I, `${F0}.namespaceSelector.matchLabels`]],
  },

  // Section 3: policyTypes and ordering
  {
    name: 'S4: three policyTypes',
    object: np({ podSelector: {}, policyTypes: ['Ingress', 'Egress', 'Ingress'] }),
    expected: [[I, 'spec.policyTypes']],
    messages: ['may not specify more than two policyTypes'],
  },
  { name: 'S4: returns early, items not checked', object: np({ podSelector: {}, policyTypes: ['a', 'b', 'c'] }), expected: [[I, 'spec.policyTypes']] },
  { name: 'S5: lower-case "ingress"', object: np({ podSelector: {}, policyTypes: ['ingress'] }), expected: [[NS, 'spec.policyTypes[0]']] },
  { name: 'S5: second entry "egress"', object: np({ podSelector: {}, policyTypes: ['Ingress', 'egress'] }), expected: [[NS, 'spec.policyTypes[1]']] },
  { name: 'S5: empty string entry', object: np({ podSelector: {}, policyTypes: ['', 'Egress'] }), expected: [[NS, 'spec.policyTypes[0]']] },
  {
    name: '0: order podSelector, ingress (ports then from), egress (ports then to), policyTypes',
    object: np({
      podSelector: { matchLabels: { 'a/b/c': 'x' } },
      ingress: [{ from: [{}], ports: [{ port: 0 }] }],
      egress: [{ to: [{}], ports: [{ protocol: 'udp' }] }],
      policyTypes: ['ingress'],
    }),
    expected: [
      [I, 'spec.podSelector.matchLabels'],
      [I, `${P0}.port`], [R, F0],
      [NS, 'spec.egress[0].ports[0].protocol'], [R, 'spec.egress[0].to[0]'],
      [NS, 'spec.policyTypes[0]'],
    ],
  },

  // Section 4: ports
  {
    name: 'P1: lower-case protocol "tcp"',
    object: np(ingressPorts({ protocol: 'tcp', port: 80 })),
    expected: [[NS, `${P0}.protocol`]],
    messages: ['Unsupported value: "tcp"'],
  },
  { name: 'P1: empty protocol is not defaulted', object: np(ingressPorts({ protocol: '', port: 80 })), expected: [[NS, `${P0}.protocol`]] },
  { name: 'P1: protocol "ICMP"', object: np(egressPorts({ protocol: 'ICMP' })), expected: [[NS, 'spec.egress[0].ports[0].protocol']] },
  {
    name: 'P2: port 0',
    object: np(ingressPorts({ port: 0 })),
    expected: [[I, `${P0}.port`]],
    messages: ['must be between 1 and 65535, inclusive'],
  },
  { name: 'P2: port 65536', object: np(ingressPorts({ port: 65536 })), expected: [[I, `${P0}.port`]] },
  { name: 'P2: negative port', object: np(ingressPorts({ protocol: 'UDP', port: -53 })), expected: [[I, `${P0}.port`]] },
  { name: 'P2: bad port at its index', object: np(egressPorts({ port: 53 }, { port: 53 }, { port: 70000 })), expected: [[I, 'spec.egress[0].ports[2].port']] },
  {
    name: 'P3: endPort below port',
    object: np(ingressPorts({ port: 100, endPort: 99 })),
    expected: [[I, `${P0}.endPort`]],
    messages: ['must be greater than or equal to `port`'],
  },
  {
    name: 'P3: endPort 0 gives two errors',
    object: np(ingressPorts({ port: 80, endPort: 0 })),
    expected: [[I, `${P0}.endPort`], [I, `${P0}.endPort`]],
    messages: ['must be greater than or equal to `port`', 'must be between 1 and 65535, inclusive'],
  },
  { name: 'P3: endPort 65536', object: np(ingressPorts({ port: 80, endPort: 65536 })), expected: [[I, `${P0}.endPort`]] },
  { name: 'P2/P3: port 0 and endPort 0', object: np(ingressPorts({ port: 0, endPort: 0 })), expected: [[I, `${P0}.port`], [I, `${P0}.endPort`]] },
  {
    name: 'P1-P3: order protocol, port, endPort',
    object: np(ingressPorts({ protocol: 'tcp', port: 0, endPort: 70000 })),
    expected: [[NS, `${P0}.protocol`], [I, `${P0}.port`], [I, `${P0}.endPort`]],
  },
  {
    name: 'P4: endPort with a named port',
    object: np(ingressPorts({ port: 'http', endPort: 90 })),
    expected: [[I, `${P0}.endPort`]],
    messages: ['may not be specified when `port` is non-numeric'],
  },
  {
    name: 'P6: endPort without port',
    object: np(ingressPorts({ protocol: 'TCP', endPort: 90 })),
    expected: [[I, `${P0}.endPort`]],
    messages: ['may not be specified when `port` is not specified'],
  },
  { name: 'P1/P6: bad protocol and endPort without port', object: np(ingressPorts({ protocol: 'udp', endPort: 90 })), expected: [[NS, `${P0}.protocol`], [I, `${P0}.endPort`]] },
  {
    name: 'P5: "8080" as a string is a named port without a letter',
    object: np(ingressPorts({ port: '8080' })),
    expected: [[I, `${P0}.port`]],
    messages: ['must contain at least one letter (a-z)'],
  },
  { name: 'P5: uppercase in a port name', object: np(ingressPorts({ port: 'Http' })), expected: [[I, `${P0}.port`]] },
  { name: 'P5: all-uppercase name breaks charset and letter rules', object: np(ingressPorts({ port: 'HTTP' })), expected: [[I, `${P0}.port`], [I, `${P0}.port`]] },
  { name: 'P5: consecutive hyphens "a--b"', object: np(ingressPorts({ port: 'a--b' })), expected: [[I, `${P0}.port`]] },
  {
    name: 'P5: 16-character port name',
    object: np(ingressPorts({ port: 'abcdefghijklmnop' })),
    expected: [[I, `${P0}.port`]],
    messages: ['must be no more than 15 characters'],
  },
  { name: 'P5: leading hyphen', object: np(ingressPorts({ port: '-http' })), expected: [[I, `${P0}.port`]] },
  { name: 'P5: trailing hyphen', object: np(ingressPorts({ port: 'http-' })), expected: [[I, `${P0}.port`]] },
  { name: 'P5: underscore in a port name', object: np(ingressPorts({ port: 'my_port' })), expected: [[I, `${P0}.port`]] },

  // Section 5: peers
  {
    name: 'R1: empty peer in from',
    object: np(fromPeers({})),
    expected: [[R, F0]],
    messages: ['must specify a peer'],
  },
  { name: 'R1: empty peer in to, at its index', object: np(toPeers({ podSelector: {} }, {})), expected: [[R, 'spec.egress[0].to[1]']] },
  {
    name: 'R2: ipBlock with podSelector',
    object: np(fromPeers({ ipBlock: { cidr: '10.0.0.0/8' }, podSelector: {} })),
    expected: [[F, F0]],
    messages: ['may not specify both ipBlock and another peer'],
  },
  { name: 'R2: ipBlock with namespaceSelector', object: np(toPeers({ ipBlock: { cidr: '10.0.0.0/8' }, namespaceSelector: {} })), expected: [[F, 'spec.egress[0].to[0]']] },
  { name: 'R2: ipBlock with both selectors gives one error', object: np(fromPeers({ ipBlock: { cidr: '10.0.0.0/8' }, podSelector: {}, namespaceSelector: {} })), expected: [[F, F0]] },
  {
    name: 'R2/R4: order podSelector, namespaceSelector, ipBlock, then peer-level',
    object: np(fromPeers({
      ipBlock: { cidr: 'nonsense' },
      namespaceSelector: { matchLabels: { 'x/y/z': 'a' } },
      podSelector: { matchExpressions: [{ key: 'k', operator: 'In' }] },
    })),
    expected: [[R, `${F0}.podSelector.matchExpressions[0].values`], [I, `${F0}.namespaceSelector.matchLabels`], [I, `${IPB}.cidr`], [F, F0]],
  },

  // Section 6: ipBlock
  { name: 'C1: cidr missing', object: np(ipBlock({})), expected: [[R, `${IPB}.cidr`]] },
  { name: 'C1: cidr missing, except not checked', object: np(ipBlock({ except: ['garbage', '192.168.0.0/16'] })), expected: [[R, `${IPB}.cidr`]] },
  { name: 'C1: empty cidr, except not checked', object: np(ipBlock({ cidr: '', except: ['garbage'] })), expected: [[R, `${IPB}.cidr`]] },
  {
    name: 'C2: unparseable cidr, except not checked',
    object: np(ipBlock({ cidr: 'not-a-cidr', except: ['garbage', '192.168.0.0/16'] })),
    expected: [[I, `${IPB}.cidr`]],
    messages: ['must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'],
  },
  { name: 'C2: bare IPv4 address', object: np(ipBlock({ cidr: '10.0.0.1' })), expected: [[I, `${IPB}.cidr`]] },
  { name: 'C2: bare IPv6 address', object: np(ipBlock({ cidr: '2001:db8::1' })), expected: [[I, `${IPB}.cidr`]] },
  { name: 'C2: IPv4 prefix length 33', object: np(ipBlock({ cidr: '10.0.0.0/33' })), expected: [[I, `${IPB}.cidr`]] },
  { name: 'C2: IPv6 prefix length 129', object: np(ipBlock({ cidr: '::/129' })), expected: [[I, `${IPB}.cidr`]] },
  { name: 'C2: IPv6 zone', object: np(ipBlock({ cidr: 'fe80::1%eth0/64' })), expected: [[I, `${IPB}.cidr`]] },
  { name: 'C2: octet over 255', object: np(ipBlock({ cidr: '10.0.0.256/32' })), strictCidr: false, expected: [[I, `${IPB}.cidr`]] },
  {
    name: 'C5: except equal to cidr',
    object: np(ipBlock({ cidr: '10.0.0.0/8', except: ['10.0.0.0/8'] })),
    expected: [[I, `${IPB}.except[0]`]],
    messages: ['must be a strict subset of `cidr`'],
  },
  { name: 'C5: except is a supernet', object: np(ipBlock({ cidr: '10.1.0.0/16', except: ['10.0.0.0/8'] })), expected: [[I, `${IPB}.except[0]`]] },
  { name: 'C5: except outside the cidr', object: np(ipBlock({ cidr: '10.0.0.0/8', except: ['10.1.0.0/16', '192.168.0.0/24'] })), expected: [[I, `${IPB}.except[1]`]] },
  { name: 'C5: IPv6 except under an IPv4 cidr', object: np(ipBlock({ cidr: '0.0.0.0/0', except: ['2001:db8::/32'] })), expected: [[I, `${IPB}.except[0]`]] },
  { name: 'C5: IPv4 except under an IPv6 cidr', object: np(ipBlock({ cidr: '::/0', except: ['10.0.0.0/8'] })), expected: [[I, `${IPB}.except[0]`]] },
  {
    name: 'C4: unparseable except is reported once and skipped for the subset check',
    object: np(ipBlock({ cidr: '10.0.0.0/8', except: ['garbage', '10.2.0.0/16', '11.0.0.0/8'] })),
    expected: [[I, `${IPB}.except[0]`], [I, `${IPB}.except[2]`]],
    messages: ['must be a valid CIDR value', 'must be a strict subset of `cidr`'],
  },
  {
    name: 'C3: leading zeros in an octet (strict by default)',
    object: np(ipBlock({ cidr: '010.0.0.0/8' })),
    expected: [[I, `${IPB}.cidr`]],
    messages: ['must not have leading 0s in IP or prefix length'],
  },
  { name: 'C3: leading zero in the prefix length', object: np(ipBlock({ cidr: '10.0.0.0/08' })), strictCidr: true, expected: [[I, `${IPB}.cidr`]] },
  {
    name: 'C3: host bits set',
    object: np(ipBlock({ cidr: '192.168.1.5/24' })),
    expected: [[I, `${IPB}.cidr`]],
    messages: ['must not have bits set beyond the prefix length'],
  },
  { name: 'C3: IPv6 host bits set', object: np(toPeers({ ipBlock: { cidr: '2001:db8::1/32' } })), expected: [[I, 'spec.egress[0].to[0].ipBlock.cidr']] },
  {
    name: 'C3: IPv4-mapped IPv6',
    object: np(ipBlock({ cidr: '::ffff:10.0.0.0/104' })),
    expected: [[I, `${IPB}.cidr`]],
    messages: ['must not have an IPv4-mapped IPv6 address'],
  },
  {
    name: 'C4: strict check on except (host bits), subset still holds',
    object: np(ipBlock({ cidr: '10.0.0.0/8', except: ['10.1.2.3/16'] })),
    expected: [[I, `${IPB}.except[0]`]],
    messages: ['must not have bits set beyond the prefix length'],
  },
  { name: 'C4: strict check on except (leading zeros)', object: np(ipBlock({ cidr: '10.0.0.0/8', except: ['10.01.0.0/16'] })), expected: [[I, `${IPB}.except[0]`]] },
  {
    name: 'C4/C5: strict-invalid except outside the cidr gets both errors',
    object: np(ipBlock({ cidr: '10.0.0.0/8', except: ['192.168.0.1/24'] })),
    expected: [[I, `${IPB}.except[0]`], [I, `${IPB}.except[0]`]],
    messages: ['must not have bits set beyond the prefix length', 'must be a strict subset of `cidr`'],
  },
  {
    name: 'C4/C5: legacy mode keeps only the subset error',
    object: np(ipBlock({ cidr: '10.0.0.0/8', except: ['192.168.0.1/24'] })),
    strictCidr: false,
    expected: [[I, `${IPB}.except[0]`]],
    messages: ['must be a strict subset of `cidr`'],
  },
  {
    name: 'C3/C5: strict cidr with host bits still checks except',
    object: np(ipBlock({ cidr: '10.1.2.3/8', except: ['11.0.0.0/16'] })),
    expected: [[I, `${IPB}.cidr`], [I, `${IPB}.except[0]`]],
  },

  // Wrong JSON types (cannot be decoded by the API server)
  { name: 'type: spec is a string', object: np('everything'), expected: [[TI, 'spec']] },
  { name: 'type: ingress is an object', object: np({ ingress: { from: [] } }), expected: [[TI, 'spec.ingress']] },
  { name: 'type: port is a boolean', object: np(ingressPorts({ port: true })), expected: [[TI, `${P0}.port`]] },
  { name: 'type: label value is a number', object: np(podSel({ matchLabels: { app: 1 } })), expected: [[TI, 'spec.podSelector.matchLabels']] },
];

function check(c: Case) {
  return checkApiServerRules(c.object, c.strictCidr === undefined ? undefined : { strictCidr: c.strictCidr });
}

describe('checkApiServerRules: valid policies', () => {
  test.each(valid.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expect(check(c)).toEqual([]);
  });
});

describe('checkApiServerRules: invalid policies', () => {
  test.each(invalid.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const findings = check(c);
    expect(findings.map((f) => [f.code, f.field])).toEqual(c.expected);
    if (c.messages) {
      expect(c.messages).toHaveLength(c.expected.length);
      c.messages.forEach((m, i) => expect(findings[i].message).toContain(m));
    }
    for (const f of findings) {
      expect(f.severity).toBe(Severity.ERROR);
      expect(f.fix.trim()).not.toBe('');
      expect(f.fix).not.toContain('\n');
    }
  });
});

describe('checkApiServerRules: message text', () => {
  const first = (object: unknown) => checkApiServerRules(object)[0].message;

  test('invalid port number', () => {
    expect(first(np(ingressPorts({ port: 0 })))).toBe('Invalid value: 0: must be between 1 and 65535, inclusive');
  });
  test('named port value is quoted', () => {
    expect(first(np(ingressPorts({ port: '8080' })))).toBe('Invalid value: "8080": must contain at least one letter (a-z)');
  });
  test('empty peer', () => {
    expect(first(np(fromPeers({})))).toBe('Required value: must specify a peer');
  });
  test('ipBlock with another peer', () => {
    expect(first(np(fromPeers({ ipBlock: { cidr: '10.0.0.0/8' }, podSelector: {} })))).toBe('Forbidden: may not specify both ipBlock and another peer');
  });
  test('missing cidr', () => {
    expect(first(np(ipBlock({})))).toBe('Required value');
  });
  test('missing name', () => {
    expect(first(np({}, { namespace: 'default' }))).toBe('Required value: name or generateName is required');
  });
  test('unsupported protocol', () => {
    expect(first(np(ingressPorts({ protocol: 'tcp' })))).toMatch(/^Unsupported value: "tcp": supported values: /);
  });
  test('unparseable cidr', () => {
    expect(first(np(ipBlock({ cidr: '10.0.0.0' })))).toBe('Invalid value: "10.0.0.0": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)');
  });
  test('selector operator', () => {
    expect(first(np(podSel({ matchExpressions: [{ key: 'a', operator: 'in', values: ['x'] }] })))).toBe('Invalid value: "in": not a valid selector operator');
  });
  test('endPort below port names endPort', () => {
    expect(first(np(ingressPorts({ port: 100, endPort: 99 })))).toBe('Invalid value: 99: must be greater than or equal to `port`');
  });
});

describe('checkApiServerRules: strict CIDR default', () => {
  const strictOnly = [
    '010.0.0.0/8', '10.0.0.0/08', '192.168.1.5/24', '2001:db8::1/32', '::ffff:10.0.0.0/104',
  ];
  test.each(strictOnly)('%s: rejected by default and with strictCidr: true, accepted with strictCidr: false', (cidr) => {
    const object = np(ipBlock({ cidr }));
    expect(checkApiServerRules(object).map((f) => [f.code, f.field])).toEqual([[I, `${IPB}.cidr`]]);
    expect(checkApiServerRules(object, { strictCidr: true })).toEqual(checkApiServerRules(object));
    expect(checkApiServerRules(object, {})).toEqual(checkApiServerRules(object));
    expect(checkApiServerRules(object, { strictCidr: false })).toEqual([]);
  });
});

test('the table has at least 70 cases', () => {
  expect(valid.length + invalid.length).toBeGreaterThanOrEqual(70);
});
