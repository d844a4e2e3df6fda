import { Finding, Severity } from './finding';
import { LintCode } from './lint-codes';

type JsonObject = Record<string, unknown>;

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** NP001: a rule whose `from`/`to` is missing or empty matches every peer, in and outside the cluster. */
export function allowsAllPeers(policy: JsonObject): Finding[] {
  const spec = policy.spec;
  if (!isObject(spec)) return [];
  const findings: Finding[] = [];
  for (const [direction, field, word] of [['ingress', 'from', 'source'], ['egress', 'to', 'destination']] as const) {
    const rules = spec[direction];
    if (!Array.isArray(rules)) continue;
    rules.forEach((rule, i) => {
      const peers = isObject(rule) ? rule[field] : undefined;
      if (Array.isArray(peers) && peers.length > 0) return;
      const explicitEmpty = Array.isArray(peers);
      findings.push({
        severity: Severity.WARNING,
        code: LintCode.ALLOWS_ALL_PEERS,
        field: explicitEmpty ? `spec.${direction}[${i}].${field}` : `spec.${direction}[${i}]`,
        message: `${explicitEmpty ? `${field}: [] is empty` : `rule has no ${field}`}, so it allows every ${word}, inside and outside the cluster${ports(rule)}`,
        fix: `List the allowed peers under ${field}; if every ${word} is really meant, say so in a comment (with cdk8s-netpol: Peer.anyone()).`,
      });
    });
  }
  return findings;
}

function ports(rule: unknown): string {
  const list = isObject(rule) ? rule.ports : undefined;
  return Array.isArray(list) && list.length > 0 ? ' on the listed ports' : ' on every port';
}
