import * as fc from 'fast-check';
import { checkApiServerRules } from '../../src/k8s/api-server-rules';
import { Finding, Severity } from '../../src/k8s/finding';

/**
 * Property tests for the API-server rules (reference: /work/shared/reference/networkpolicy-validation-rules.md).
 * The generators build policies from valid building blocks written from the reference, independent of
 * the implementation's own name and CIDR helpers.
 */

const SEED = 20261123;

const clean = <T>(v: T): T => JSON.parse(JSON.stringify(v));
const errorsOf = (findings: Finding[]) => findings.filter((f) => f.severity === Severity.ERROR);
const pairs = (findings: Finding[]) => findings.map((f) => [f.code, f.field]);

// ---------------------------------------------------------------------------------------------
// Well-formed building blocks
// ---------------------------------------------------------------------------------------------

/** DNS-1123 label (namespace, subdomain part). */
const dnsLabel = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,10}[a-z0-9])?$/);
/** DNS-1123 subdomain (object name, label key prefix). */
const subdomain = fc.array(dnsLabel, { minLength: 1, maxLength: 3 }).map((parts) => parts.join('.'));
/** Name part of a qualified name, also a non-empty label value (uppercase allowed). */
const namePart = fc.stringMatching(/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,12}[A-Za-z0-9])?$/);
const labelKey = fc.tuple(fc.option(subdomain, { nil: undefined }), namePart).map(([prefix, name]) => (prefix ? `${prefix}/${name}` : name));
const labelValue = fc.oneof(fc.constant(''), namePart);
const labels = fc.dictionary(labelKey, labelValue, { maxKeys: 3 });

const requirement = fc.oneof(
  fc.record({ key: labelKey, operator: fc.constantFrom('In', 'NotIn'), values: fc.array(labelValue, { minLength: 1, maxLength: 3 }) }),
  fc.record({ key: labelKey, operator: fc.constantFrom('Exists', 'DoesNotExist'), values: fc.constantFrom(undefined, []) }).map(clean),
);
const labelSelector = fc.record({ matchLabels: labels, matchExpressions: fc.array(requirement, { maxLength: 3 }) }, { requiredKeys: [] });

const protocol = fc.constantFrom('TCP', 'UDP', 'SCTP');
const portNumber = fc.integer({ min: 1, max: 65535 });
/** IANA service name: starts with a letter, single hyphens between non-empty groups, at most 15 characters. */
const portName = fc.stringMatching(/^[a-z][a-z0-9]{0,4}(-[a-z0-9]{1,4}){0,2}$/);
const port = fc.oneof(
  fc.record({ protocol: fc.option(protocol, { nil: undefined }) }).map(clean),
  fc.record({ protocol: fc.option(protocol, { nil: undefined }), port: portNumber }).map(clean),
  fc.tuple(fc.option(protocol, { nil: undefined }), portNumber, portNumber)
    .map(([p, a, b]) => clean({ protocol: p, port: Math.min(a, b), endPort: Math.max(a, b) })),
  fc.record({ protocol: fc.option(protocol, { nil: undefined }), port: portName }).map(clean),
);

interface Net { readonly family: 4 | 6; readonly network: bigint; readonly prefix: number }

const bitsOf = (family: 4 | 6) => (family === 4 ? 32 : 128);
const maskOf = (family: 4 | 6, prefix: number): bigint => {
  const bits = BigInt(bitsOf(family));
  return ((1n << bits) - 1n) ^ ((1n << (bits - BigInt(prefix))) - 1n);
};
function formatNet(n: Net): string {
  if (n.family === 4) {
    return `${[24n, 16n, 8n, 0n].map((s) => String((n.network >> s) & 0xffn)).join('.')}/${n.prefix}`;
  }
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((n.network >> BigInt(16 * i)) & 0xffffn).toString(16));
  return `${groups.join(':')}/${n.prefix}`;
}

const net: fc.Arbitrary<Net> = fc.constantFrom<4 | 6>(4, 6).chain((family) =>
  fc.tuple(fc.bigInt({ min: 0n, max: (1n << BigInt(bitsOf(family))) - 1n }), fc.integer({ min: 0, max: bitsOf(family) }))
    .map(([value, prefix]) => ({ family, prefix, network: value & maskOf(family, prefix) })));

/** A strict subset of `outer`: longer prefix, network inside. */
const subnetOf = (outer: Net): fc.Arbitrary<Net> =>
  fc.tuple(fc.integer({ min: outer.prefix + 1, max: bitsOf(outer.family) }), fc.bigInt({ min: 0n, max: (1n << BigInt(bitsOf(outer.family))) - 1n }))
    .map(([prefix, bits]) => ({
      family: outer.family,
      prefix,
      network: (outer.network | (bits & ~maskOf(outer.family, outer.prefix))) & maskOf(outer.family, prefix),
    }));

const ipBlock = net.chain((n) => (n.prefix === bitsOf(n.family)
  ? fc.constant({ cidr: formatNet(n) })
  : fc.record({
    cidr: fc.constant(formatNet(n)),
    except: fc.option(fc.array(subnetOf(n).map(formatNet), { maxLength: 3 }), { nil: undefined }),
  }).map(clean)));

const peer = fc.oneof(
  fc.record({ podSelector: labelSelector }),
  fc.record({ namespaceSelector: labelSelector }),
  fc.record({ podSelector: labelSelector, namespaceSelector: labelSelector }),
  fc.record({ ipBlock }),
);
const rule = (peersField: 'from' | 'to') =>
  fc.record({ [peersField]: fc.array(peer, { maxLength: 3 }), ports: fc.array(port, { maxLength: 3 }) }, { requiredKeys: [] });

const policyTypes = fc.constantFrom([], ['Ingress'], ['Egress'], ['Ingress', 'Egress'], ['Egress', 'Ingress'], ['Ingress', 'Ingress']);
const spec = fc.record({
  podSelector: labelSelector,
  policyTypes,
  ingress: fc.array(rule('from'), { maxLength: 3 }),
  egress: fc.array(rule('to'), { maxLength: 3 }),
}, { requiredKeys: [] });
const metadata = fc.record({
  name: fc.oneof(subdomain, fc.constant(undefined)),
  generateName: fc.option(dnsLabel.map((l) => `${l}-`), { nil: undefined }),
  namespace: dnsLabel,
  labels: fc.option(labels, { nil: undefined }),
  annotations: fc.option(fc.dictionary(labelKey, fc.string(), { maxKeys: 3 }), { nil: undefined }),
}).map((m) => clean(m.name === undefined && m.generateName === undefined ? { ...m, name: 'np' } : m));

/** A well-formed NetworkPolicy. */
const policy = fc.record({ metadata, spec }).map(({ metadata: m, spec: s }) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: m, spec: s }));

// ---------------------------------------------------------------------------------------------
// (a) well-formed policies are accepted
// ---------------------------------------------------------------------------------------------

describe('well-formed policies', () => {
  test('give no error findings, strict or not', () => {
    fc.assert(fc.property(policy, (p) => {
      expect(errorsOf(checkApiServerRules(p))).toEqual([]);
      expect(errorsOf(checkApiServerRules(p, { strictCidr: false }))).toEqual([]);
    }), { seed: SEED, numRuns: 600 });
  });
});

// ---------------------------------------------------------------------------------------------
// (b) one breaking mutation at a known place
// ---------------------------------------------------------------------------------------------

/** Deterministic choices drawn by fast-check. */
class Picker {
  private i = 0;
  public constructor(private readonly choices: readonly number[]) {}
  /** A number in 0..n-1. */
  public next(n: number): number {
    return this.choices[this.i++ % this.choices.length] % n;
  }
  public from<T>(items: readonly T[]): T {
    return items[this.next(items.length)];
  }
}

interface Expected {
  readonly code: string;
  readonly field: string;
  /** Only the strict CIDR rules reject it. */
  readonly strictOnly?: boolean;
}

type Policy = any;

/** A rule (existing or appended) of a random direction. */
function pickRule(p: Policy, pick: Picker): { rule: any; path: string; peersField: 'from' | 'to' } {
  const direction = pick.next(2) === 0 ? 'ingress' : 'egress';
  const rules: any[] = (p.spec[direction] ??= []);
  const i = pick.next(rules.length + 1);
  if (i === rules.length) rules.push({});
  return { rule: rules[i], path: `spec.${direction}[${i}]`, peersField: direction === 'ingress' ? 'from' : 'to' };
}

/** A slot in a `ports` list (existing or appended). */
function pickPort(p: Policy, pick: Picker): { path: string; set: (v: unknown) => void } {
  const r = pickRule(p, pick);
  const ports: unknown[] = (r.rule.ports ??= []);
  const j = pick.next(ports.length + 1);
  return { path: `${r.path}.ports[${j}]`, set: (v) => { ports[j] = v; } };
}

/** A slot in a `from`/`to` list (existing or appended). */
function pickPeer(p: Policy, pick: Picker): { path: string; get: () => any; set: (v: unknown) => void } {
  const r = pickRule(p, pick);
  const peers: any[] = (r.rule[r.peersField] ??= []);
  const j = pick.next(peers.length + 1);
  return { path: `${r.path}.${r.peersField}[${j}]`, get: () => peers[j], set: (v) => { peers[j] = v; } };
}

/** A peer that has an ipBlock (an existing one, or a fresh one put in the slot). */
function pickIpBlock(p: Policy, pick: Picker): { block: any; path: string } {
  const slot = pickPeer(p, pick);
  let current = slot.get();
  if (!current?.ipBlock) {
    current = { ipBlock: { cidr: '10.0.0.0/8' } };
    slot.set(current);
  }
  return { block: current.ipBlock, path: `${slot.path}.ipBlock` };
}

/** A label selector: spec.podSelector or a selector of a peer. */
function pickSelector(p: Policy, pick: Picker): { selector: any; path: string } {
  if (pick.next(3) === 0) {
    p.spec.podSelector ??= {};
    return { selector: p.spec.podSelector, path: 'spec.podSelector' };
  }
  const slot = pickPeer(p, pick);
  let current = slot.get();
  if (!current || current.ipBlock) {
    current = pick.next(2) === 0 ? { podSelector: {} } : { namespaceSelector: {} };
    slot.set(current);
  }
  const which = current.podSelector && current.namespaceSelector
    ? pick.from(['podSelector', 'namespaceSelector'])
    : current.podSelector ? 'podSelector' : 'namespaceSelector';
  return { selector: current[which], path: `${slot.path}.${which}` };
}

/** Appends a requirement to a random selector; returns the requirement's path. */
function addRequirement(p: Policy, pick: Picker, req: unknown): string {
  const { selector, path } = pickSelector(p, pick);
  const list: unknown[] = (selector.matchExpressions ??= []);
  list.push(req);
  return `${path}.matchExpressions[${list.length - 1}]`;
}

const I = 'FieldValueInvalid';

const mutations: Record<string, (p: Policy, pick: Picker) => Expected> = {
  'port out of range': (p, pick) => {
    const slot = pickPort(p, pick);
    slot.set({ protocol: pick.from(['TCP', 'UDP', 'SCTP']), port: pick.from([0, -1, -80, 65536, 100000]) });
    return { code: I, field: `${slot.path}.port` };
  },
  'protocol not supported': (p, pick) => {
    const slot = pickPort(p, pick);
    slot.set({ protocol: pick.from(['tcp', 'udp', 'Tcp', 'sctp', 'ICMP', '']), port: 80 });
    return { code: 'FieldValueNotSupported', field: `${slot.path}.protocol` };
  },
  'endPort with a named port': (p, pick) => {
    const slot = pickPort(p, pick);
    slot.set({ port: pick.from(['http', 'dns', 'metrics']), endPort: 1 + pick.next(65535) });
    return { code: I, field: `${slot.path}.endPort` };
  },
  'endPort below port': (p, pick) => {
    const slot = pickPort(p, pick);
    const start = 2 + pick.next(65534);
    slot.set({ port: start, endPort: 1 + pick.next(start - 1) });
    return { code: I, field: `${slot.path}.endPort` };
  },
  'endPort without port': (p, pick) => {
    const slot = pickPort(p, pick);
    slot.set({ protocol: 'TCP', endPort: 1 + pick.next(65535) });
    return { code: I, field: `${slot.path}.endPort` };
  },
  'invalid port name': (p, pick) => {
    const slot = pickPort(p, pick);
    slot.set({ port: pick.from(['8080', 'HTTP', 'Http', 'a--b', 'abcdefghijklmnop', '-web', 'web-', 'my_port']) });
    return { code: I, field: `${slot.path}.port` };
  },
  'operator with the wrong case': (p, pick) => {
    const path = addRequirement(p, pick, { key: 'app', operator: pick.from(['in', 'notin', 'exists', 'DoesNotexist', 'Equals', '']), values: ['a'] });
    return { code: I, field: `${path}.operator` };
  },
  'In/NotIn without values': (p, pick) => {
    const path = addRequirement(p, pick, clean({ key: 'app', operator: pick.from(['In', 'NotIn']), values: pick.from([undefined, []]) }));
    return { code: 'FieldValueRequired', field: `${path}.values` };
  },
  'Exists/DoesNotExist with values': (p, pick) => {
    const path = addRequirement(p, pick, { key: 'app', operator: pick.from(['Exists', 'DoesNotExist']), values: ['a'] });
    return { code: 'FieldValueForbidden', field: `${path}.values` };
  },
  'requirement key with two slashes': (p, pick) => {
    const path = addRequirement(p, pick, { key: 'a/b/c', operator: 'Exists' });
    return { code: I, field: `${path}.key` };
  },
  'invalid value in a requirement': (p, pick) => {
    const path = addRequirement(p, pick, { key: 'app', operator: 'In', values: ['ok', pick.from(['not ok', '-x', 'v'.repeat(64)])] });
    return { code: I, field: `${path}.values[1]` };
  },
  'matchLabels key with two slashes': (p, pick) => {
    const { selector, path } = pickSelector(p, pick);
    (selector.matchLabels ??= {})[pick.from(['a/b/c', 'x//y', '/app'])] = 'x';
    return { code: I, field: `${path}.matchLabels` };
  },
  'invalid matchLabels value': (p, pick) => {
    const { selector, path } = pickSelector(p, pick);
    (selector.matchLabels ??= {})['mutated-key'] = pick.from(['a b', 'x-', 'v'.repeat(64)]);
    return { code: I, field: `${path}.matchLabels` };
  },
  'except not a strict subset': (p, pick) => {
    const { block, path } = pickIpBlock(p, pick);
    const except: string[] = (block.except ??= []);
    const other = block.cidr.includes(':') ? '10.0.0.0/8' : '2001:db8::/32';
    except.push(pick.from([other, block.cidr]));
    return { code: I, field: `${path}.except[${except.length - 1}]` };
  },
  'ipBlock together with a selector': (p, pick) => {
    const slot = pickPeer(p, pick);
    const current = slot.get();
    if (!current) slot.set({ podSelector: {}, ipBlock: { cidr: '192.168.0.0/16' } });
    else if (current.ipBlock) current[pick.from(['podSelector', 'namespaceSelector'])] = {};
    else current.ipBlock = { cidr: '192.168.0.0/16' };
    return { code: 'FieldValueForbidden', field: slot.path };
  },
  'empty peer': (p, pick) => {
    const slot = pickPeer(p, pick);
    slot.set({});
    return { code: 'FieldValueRequired', field: slot.path };
  },
  'cidr missing': (p, pick) => {
    const { block, path } = pickIpBlock(p, pick);
    delete block.cidr;
    return { code: 'FieldValueRequired', field: `${path}.cidr` };
  },
  'cidr unparseable': (p, pick) => {
    const { block, path } = pickIpBlock(p, pick);
    block.cidr = pick.from(['10.0.0.0', '10.0.0.0/33', 'fe80::1%eth0/64', '::/129', 'all']);
    return { code: I, field: `${path}.cidr` };
  },
  'cidr with host bits (strict only)': (p, pick) => {
    const slot = pickPeer(p, pick);
    slot.set({ ipBlock: { cidr: pick.from(['192.168.1.5/24', '010.0.0.0/8', '10.0.0.0/08', '::ffff:10.0.0.0/104', '2001:db8::1/32']) } });
    return { code: I, field: `${slot.path}.ipBlock.cidr`, strictOnly: true };
  },
  'policyTypes value not supported': (p, pick) => {
    const [types, index] = pick.from([[['ingress'], 0], [['Ingress', 'egress'], 1], [['INGRESS', 'Egress'], 0], [['Egress', ''], 1]] as const);
    p.spec.policyTypes = [...types];
    return { code: 'FieldValueNotSupported', field: `spec.policyTypes[${index}]` };
  },
  'more than two policyTypes': (p, pick) => {
    p.spec.policyTypes = pick.from([['Ingress', 'Egress', 'Ingress'], ['ingress', 'egress', 'x', 'y']]);
    return { code: I, field: 'spec.policyTypes' };
  },
  'invalid metadata.name': (p, pick) => {
    p.metadata.name = pick.from(['Bad-Name', 'bad_name', '-bad', 'a'.repeat(254)]);
    return { code: I, field: 'metadata.name' };
  },
  'invalid metadata.namespace': (p, pick) => {
    p.metadata.namespace = pick.from(['my.ns', 'Default', 'n'.repeat(64)]);
    return { code: I, field: 'metadata.namespace' };
  },
  'invalid metadata label key': (p, pick) => {
    (p.metadata.labels ??= {})[pick.from(['a/b/c', '/app', 'Example.com/app'])] = 'x';
    return { code: I, field: 'metadata.labels' };
  },
};

describe('one breaking mutation', () => {
  const mutationNames = Object.keys(mutations);

  test('every mutation kind is exercised', () => {
    expect(mutationNames.length).toBeGreaterThanOrEqual(20);
  });

  test('gives findings with the expected code at exactly the expected field, and nothing else', () => {
    const seen = new Set<string>();
    fc.assert(fc.property(
      policy, fc.constantFrom(...mutationNames), fc.array(fc.nat(), { minLength: 8, maxLength: 8 }),
      (original, name, choices) => {
        const p = structuredClone(original);
        const expected = mutations[name](p, new Picker(choices));
        seen.add(name);
        const strict = checkApiServerRules(p);
        expect(strict.length).toBeGreaterThan(0);
        expect(pairs(strict)).toEqual(strict.map(() => [expected.code, expected.field]));
        const legacy = checkApiServerRules(p, { strictCidr: false });
        if (expected.strictOnly) {
          expect(legacy).toEqual([]);
        } else {
          expect(pairs(legacy)).toEqual(pairs(strict));
        }
        // The well-formed original is untouched and still valid.
        expect(checkApiServerRules(original)).toEqual([]);
      },
    ), { seed: SEED, numRuns: 1500 });
    expect([...seen].sort()).toEqual([...mutationNames].sort());
  });
});

// ---------------------------------------------------------------------------------------------
// (c) never throws
// ---------------------------------------------------------------------------------------------

function expectWellFormedResult(result: unknown): void {
  expect(Array.isArray(result)).toBe(true);
  for (const f of result as Finding[]) {
    expect([Severity.ERROR, Severity.WARNING]).toContain(f.severity);
    expect(typeof f.code).toBe('string');
    expect(typeof f.field).toBe('string');
    expect(typeof f.message).toBe('string');
    expect(typeof f.fix).toBe('string');
  }
}

const any = fc.anything({ maxDepth: 2 });
const cidrish = fc.oneof(
  fc.constantFrom('10.0.0.0/8', '::/0', '::ffff:1.2.3.4/128', '1.2.3.4/99', '/', '10.0.0.0/', '1::2::3/64', '010.0.0.1/8', '10.0.0.0/-1', '', ' '),
  fc.tuple(fc.ipV4Extended(), fc.integer({ min: -1, max: 140 })).map(([ip, len]) => `${ip}/${len}`),
  fc.tuple(fc.ipV6(), fc.integer({ min: -1, max: 140 })).map(([ip, len]) => `${ip}/${len}`),
  fc.string(),
);
const anyMap = fc.oneof(any, fc.dictionary(fc.string(), fc.oneof(fc.string(), any), { maxKeys: 3 }));
const anySelector = fc.oneof(any, fc.record({
  matchLabels: anyMap,
  matchExpressions: fc.oneof(any, fc.array(fc.oneof(any, fc.record({
    key: fc.oneof(fc.string(), any),
    operator: fc.oneof(fc.constantFrom('In', 'NotIn', 'Exists', 'DoesNotExist'), any),
    values: fc.oneof(any, fc.array(fc.oneof(fc.string(), any), { maxLength: 3 })),
  }, { requiredKeys: [] })), { maxLength: 3 })),
}, { requiredKeys: [] }));
const anyPort = fc.oneof(any, fc.record({
  protocol: fc.oneof(fc.constantFrom('TCP', 'UDP', 'SCTP', 'tcp', ''), any),
  port: fc.oneof(fc.integer(), fc.double(), fc.string(), any),
  endPort: fc.oneof(fc.integer(), fc.double(), fc.string(), any),
}, { requiredKeys: [] }));
const anyPeer = fc.oneof(any, fc.record({
  podSelector: anySelector,
  namespaceSelector: anySelector,
  ipBlock: fc.oneof(any, fc.record({
    cidr: fc.oneof(cidrish, any),
    except: fc.oneof(any, fc.array(fc.oneof(cidrish, any), { maxLength: 3 })),
  }, { requiredKeys: [] })),
}, { requiredKeys: [] }));
const anyRule = fc.oneof(any, fc.record({
  ports: fc.oneof(any, fc.array(anyPort, { maxLength: 3 })),
  from: fc.oneof(any, fc.array(anyPeer, { maxLength: 3 })),
  to: fc.oneof(any, fc.array(anyPeer, { maxLength: 3 })),
}, { requiredKeys: [] }));
const policyShaped = fc.record({
  apiVersion: fc.oneof(fc.constant('networking.k8s.io/v1'), any),
  kind: fc.oneof(fc.constant('NetworkPolicy'), any),
  metadata: fc.oneof(any, fc.record({
    name: fc.oneof(fc.string(), any),
    generateName: fc.oneof(fc.string(), any),
    namespace: fc.oneof(fc.string(), any),
    labels: anyMap,
    annotations: anyMap,
  }, { requiredKeys: [] })),
  spec: fc.oneof(any, fc.record({
    podSelector: anySelector,
    policyTypes: fc.oneof(any, fc.array(fc.oneof(fc.constantFrom('Ingress', 'Egress'), any), { maxLength: 4 })),
    ingress: fc.oneof(any, fc.array(anyRule, { maxLength: 3 })),
    egress: fc.oneof(any, fc.array(anyRule, { maxLength: 3 })),
  }, { requiredKeys: [] })),
}, { requiredKeys: [] });

describe('never throws', () => {
  test.each([
    ['fc.anything()', fc.anything()],
    ['fc.jsonValue()', fc.jsonValue()],
    ['NetworkPolicy-shaped objects with random values', policyShaped],
  ] as const)('on %s', (_name, arbitrary: fc.Arbitrary<unknown>) => {
    fc.assert(fc.property(arbitrary, fc.boolean(), (value, strictCidr) => {
      let result: unknown;
      expect(() => { result = checkApiServerRules(value, { strictCidr }); }).not.toThrow();
      expectWellFormedResult(result);
    }), { seed: SEED, numRuns: 1000 });
  });
});
