import { LintCode } from './lint-codes';
import { cidrsOverlap, parseCidr, ParsedCidr } from '../k8s/cidr';
import { Finding, Severity } from '../k8s/finding';
import { namedPortMatchesIpBlock, PortSet, portEntryKey, portSetFromWire, setCovers } from '../k8s/port-set';

type JsonObject = Record<string, unknown>;

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const DIRECTIONS = [['ingress', 'from', 'source'], ['egress', 'to', 'destination']] as const;

/** One rule of a policy, with where it is. */
interface RuleAt {
  readonly direction: 'ingress' | 'egress';
  /** `from` or `to`. */
  readonly field: 'from' | 'to';
  /** `source` or `destination`. */
  readonly word: string;
  readonly index: number;
  readonly rule: unknown;
  /** The peer list, as written (undefined when missing or not a list). */
  readonly peers?: unknown[];
}

/** Every ingress and egress rule of a policy, in order. */
function rulesOf(policy: JsonObject): RuleAt[] {
  const spec = policy.spec;
  if (!isObject(spec)) return [];
  return DIRECTIONS.flatMap(([direction, field, word]) => {
    const rules = spec[direction];
    if (!Array.isArray(rules)) return [];
    return rules.map((rule, index) => ({
      direction, field, word, index, rule, peers: isObject(rule) && Array.isArray(rule[field]) ? rule[field] as unknown[] : undefined,
    }));
  });
}

function warning(code: string, field: string, message: string, fix: string): Finding {
  return { severity: Severity.WARNING, code, field, message, fix };
}

/** NP001: a rule whose `from`/`to` is missing or empty matches every peer, in and outside the cluster. */
export function allowsAllPeers(policy: JsonObject): Finding[] {
  return rulesOf(policy).filter((r) => !r.peers || r.peers.length === 0)
    .map(({ direction, index, rule }) => allowsAllPeersFinding(direction, index, rule));
}

/**
 * The NP001 finding for rule `index` of `direction` (`spec.ingress[0]`), a rule whose `from`/`to` is
 * missing or empty: for the lint, and for a construct that knows its rendered rule has no peers.
 */
export function allowsAllPeersFinding(direction: 'ingress' | 'egress', index: number, rule: unknown): Finding {
  const [, field, word] = DIRECTIONS.find(([d]) => d === direction)!;
  const peers = isObject(rule) && Array.isArray(rule[field]) ? rule[field] as unknown[] : undefined;
  const list = isObject(rule) ? rule.ports : undefined;
  const ports = Array.isArray(list) && list.length > 0 ? 'on the listed ports' : 'on every port';
  return warning(LintCode.ALLOWS_ALL_PEERS,
    peers ? `spec.${direction}[${index}].${field}` : `spec.${direction}[${index}]`,
    `${peers ? `${field}: [] is empty` : `rule has no ${field}`}, so it allows every ${word}, inside and outside the cluster, ${ports}`,
    `List the allowed peers under ${field}; if every ${word} is really meant, say so in a comment (with cdk8s-netpol: Peer.anyone()).`);
}

/**
 * NP003: `- namespaceSelector: ...` and `- podSelector: ...` as two list items mean "all pods of those
 * namespaces OR those pods of this namespace"; one item with both means "those pods in those
 * namespaces". The YAML differs by one `-`.
 */
export function splitPeerSelectors(policy: JsonObject): Finding[] {
  const onlyNs = (p: JsonObject) => p.namespaceSelector !== undefined && p.podSelector === undefined && p.ipBlock === undefined;
  const onlyPods = (p: JsonObject) => p.podSelector !== undefined && p.namespaceSelector === undefined && p.ipBlock === undefined;
  const findings: Finding[] = [];
  for (const { direction, field, index, peers } of rulesOf(policy)) {
    for (let j = 0; j + 1 < (peers ?? []).length; j++) {
      const [a, b] = [peers![j], peers![j + 1]];
      if (!isObject(a) || !isObject(b)) continue;
      if ((onlyNs(a) && onlyPods(b)) || (onlyPods(a) && onlyNs(b))) {
        findings.push(warning(LintCode.SPLIT_PEER_SELECTORS, `spec.${direction}[${index}].${field}[${j}]`,
          `${field}[${j}] and ${field}[${j + 1}] are two peers (OR): every pod of the selected namespaces, or the selected pods of the policy's own namespace`,
          'If you meant "these pods in these namespaces", put podSelector and namespaceSelector in one list item (remove the \'-\' before the second); if OR is meant, ignore this.'));
      }
    }
  }
  return findings;
}

/**
 * NP013: a named port (`port: http`) in a rule whose peers include an ipBlock, in a direction where a
 * named port cannot match an address (egress): for the ipBlock, the rule allows nothing.
 */
export function namedPortsToIpBlocks(policy: JsonObject): Finding[] {
  const findings: Finding[] = [];
  for (const { direction, field, index, rule, peers } of rulesOf(policy)) {
    if (namedPortMatchesIpBlock(direction) || !isObject(rule) || !Array.isArray(rule.ports)) continue;
    const block = (peers ?? []).findIndex((p) => isObject(p) && p.ipBlock !== undefined);
    if (block < 0) continue;
    rule.ports.forEach((port, j) => {
      if (!isObject(port) || typeof port.port !== 'string') return;
      findings.push(warning(LintCode.NAMED_PORT_TO_IPBLOCK, `spec.${direction}[${index}].ports[${j}].port`,
        `is the named port ${JSON.stringify(port.port)}, which resolves only on a destination pod's container ports, so it matches no traffic to the ipBlock ${field}[${block}]`,
        'Write the port number instead (e.g. port: 443); if the named port is meant for pods, give the ipBlock a rule of its own with numeric ports.'));
    });
  }
  return findings;
}

/** NP005 and NP006: rules and policyTypes that disagree. */
export function policyTypeMismatches(policy: JsonObject): Finding[] {
  const spec = policy.spec;
  if (!isObject(spec)) return [];
  const findings: Finding[] = [];
  const types = Array.isArray(spec.policyTypes) && spec.policyTypes.length > 0 ? spec.policyTypes : undefined;
  const has = (d: string) => Array.isArray(spec[d]) && (spec[d] as unknown[]).length > 0;
  if (types) {
    for (const [direction, type] of [['ingress', 'Ingress'], ['egress', 'Egress']] as const) {
      if (has(direction) && !types.includes(type)) {
        findings.push(warning(LintCode.IGNORED_RULES, `spec.${direction}`,
          `policyTypes ${JSON.stringify(types)} does not list ${type}, so these ${direction} rules are ignored`,
          `Add ${type} to policyTypes, or delete the ${direction} rules.`));
      }
    }
  } else if (!has('ingress')) {
    findings.push(warning(LintCode.IMPLICIT_INGRESS_DENY, 'spec.policyTypes',
      `policyTypes is not set and there are no ingress rules, so the API server defaults it to ${has('egress') ? '[Ingress, Egress]' : '[Ingress]'} and the policy denies all ingress to the pods it selects`,
      `Write policyTypes explicitly: [${has('egress') ? 'Egress' : 'Ingress'}] ${has('egress') ? 'if only egress is meant' : 'to show the ingress deny is intended'}.`));
  }
  return findings;
}

/** NP007 and NP008: duplicate and shadowed rules within one policy and direction. */
export function redundantRules(policy: JsonObject): Finding[] {
  const findings: Finding[] = [];
  const all = rulesOf(policy);
  for (const [direction, field] of DIRECTIONS) {
    const canon = all.filter((r) => r.direction === direction).map((r) => canonicalRule(r.rule, field));
    canon.forEach((rule, j) => {
      const twin = canon.findIndex((other, i) => i < j && other.key === rule.key);
      if (twin >= 0) {
        findings.push(warning(LintCode.DUPLICATE_RULE, `spec.${direction}[${j}]`, `is the same rule as spec.${direction}[${twin}]`, `Delete spec.${direction}[${j}].`));
        return;
      }
      const wider = canon.findIndex((other, i) => i !== j && other.key !== rule.key && covers(other, rule));
      if (wider >= 0) {
        findings.push(warning(LintCode.SHADOWED_RULE, `spec.${direction}[${j}]`, `allows nothing that spec.${direction}[${wider}] does not already allow`,
          `Delete spec.${direction}[${j}], or narrow spec.${direction}[${wider}] if it allows more than meant.`));
      }
    });
  }
  return findings;
}

interface CanonicalRule {
  readonly key: string;
  /** undefined: all peers. */
  readonly peers?: Set<string>;
  readonly ports: PortSet;
}

function canonicalRule(rule: unknown, field: string): CanonicalRule {
  const r = isObject(rule) ? rule : {};
  const peerList = Array.isArray(r[field]) && (r[field] as unknown[]).length > 0 ? (r[field] as unknown[]) : undefined;
  const peers = peerList ? new Set(peerList.map(stableJson)) : undefined;
  const ports = portSetFromWire(r.ports);
  const key = `${peers ? [...peers].sort().join('|') : '*'}#${ports.map(portEntryKey).sort().join('|')}`;
  return { key, peers, ports };
}

/** Whether rule `a` allows everything rule `b` allows: every peer of `b` is one of `a`'s, and `a`'s ports cover `b`'s. */
function covers(a: CanonicalRule, b: CanonicalRule): boolean {
  const peersCovered = a.peers === undefined || (b.peers !== undefined && [...b.peers].every((p) => a.peers!.has(p)));
  return peersCovered && setCovers(a.ports, b.ports);
}

/** NP010: ipBlocks that overlap the cluster's pod or service CIDRs. */
export function ipBlocksCoveringCluster(policy: JsonObject, clusterCidrs: Array<{ text: string; cidr: ParsedCidr }>): Finding[] {
  if (clusterCidrs.length === 0) return [];
  const findings: Finding[] = [];
  for (const { direction, field, index, peers } of rulesOf(policy)) {
    (peers ?? []).forEach((peer, j) => {
      const block = isObject(peer) && isObject(peer.ipBlock) ? peer.ipBlock : undefined;
      const cidr = block && typeof block.cidr === 'string' ? parseCidr(block.cidr, false).cidr : undefined;
      const hit = cidr && clusterCidrs.find((c) => cidrsOverlap(c.cidr, cidr));
      if (hit) {
        findings.push(warning(LintCode.IPBLOCK_COVERS_CLUSTER, `spec.${direction}[${index}].${field}[${j}].ipBlock.cidr`,
          `${JSON.stringify(block!.cidr)} overlaps the cluster range ${hit.text}; whether an ipBlock applies to pod or service IPs depends on the network plugin`,
          'Select pods with podSelector/namespaceSelector instead, and keep ipBlocks for addresses outside the cluster (add the cluster ranges to except).'));
      }
    });
  }
  return findings;
}

/** NP012: a policy without a namespace. */
export function missingNamespace(policy: JsonObject): Finding[] {
  const metadata = isObject(policy.metadata) ? policy.metadata : {};
  if (typeof metadata.namespace === 'string' && metadata.namespace !== '') return [];
  return [warning(LintCode.MISSING_NAMESPACE, 'metadata.namespace', 'is not set, so the policy applies to whatever namespace kubectl or the GitOps tool targets',
    'Set metadata.namespace: a NetworkPolicy only ever applies to pods of its own namespace.')];
}

/** A JSON string with object keys sorted, so equal values compare equal. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (isObject(value)) return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${stableJson(value[k])}`).join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}
