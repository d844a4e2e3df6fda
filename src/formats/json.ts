import { ReachabilityDiff } from '../analysis/diff-report';
import { Explanation } from '../analysis/explanation';
import { HostNetworkMode } from '../analysis/host-network-mode';
import { ChangedConnection } from '../analysis/reachability-diff';
import { ReachabilityMatrix } from '../analysis/reachability-matrix';
import { SideDecision, SideVerdict } from '../analysis/verdict';
import { ManifestValidationReport } from '../validation/validate-manifests';

/** The words of a side's decision in the diff's JSON (`verdict`). */
const DECISION_WORDS: Record<SideDecision, string> = {
  [SideDecision.ALLOWED]: 'allowed',
  [SideDecision.DENIED]: 'denied',
  [SideDecision.NOT_ISOLATED]: 'not isolated',
  [SideDecision.OUTSIDE_CLUSTER]: 'outside the cluster',
};

/**
 * JSON for tools, as `netpol ... --format json` prints it: every method returns a plain JSON value
 * (objects, arrays, strings, numbers, booleans, null) of a stable shape, for `JSON.stringify`.
 *
 * @example
 * JSON.stringify(JsonFormat.diff(Reachability.diff(before, after)), null, 2);
 * JsonFormat.matrix(r.matrix(Port.tcp(8080))).allowed['shop/frontend']['shop/backend']; // true
 */
export class JsonFormat {
  /**
   * `{ port, protocol, endpoints, allowed: { <from>: { <to>: boolean } } }`, where `port` is the
   * number or the container port name, plus `hostNetwork: { mode: 'node' | 'pod', endpoints }`
   * when some endpoints are hostNetwork pods.
   */
  public static matrix(m: ReachabilityMatrix): any {
    const allowed: Record<string, Record<string, boolean>> = {};
    for (const from of m.endpoints) {
      const row: Record<string, boolean> = {};
      m.allowedRow(from).forEach((cell, d) => (row[m.endpoints[d]] = cell));
      allowed[from] = row;
    }
    const hostNetwork = m.hostNetworkEndpoints.length > 0
      ? { hostNetwork: { mode: m.hostNetworkMode === HostNetworkMode.NODE_TRAFFIC ? 'node' : 'pod', endpoints: [...m.hostNetworkEndpoints] } }
      : {};
    return { port: m.portNumber ?? m.portName, protocol: m.protocol, endpoints: [...m.endpoints], allowed, ...hostNetwork };
  }

  /** `{ from, to, port, allowed, loopback, egress, ingress, notes }`, each side as `JsonFormat.verdict` gives it. */
  public static explanation(e: Explanation): any {
    return {
      from: e.from,
      to: e.to,
      port: e.port,
      allowed: e.allowed,
      loopback: e.loopback,
      egress: JsonFormat.verdict(e.egress),
      ingress: JsonFormat.verdict(e.ingress),
      notes: [...e.notes],
    };
  }

  /** One side's verdict: `{ allowed, isolated, isolatingPolicies, allowedBy: [{ policy, direction, rule, byIpBlock }], notPoliced }`. */
  public static verdict(v: SideVerdict): any {
    return {
      allowed: v.allowed,
      isolated: v.isolated,
      isolatingPolicies: [...v.isolatingPolicies],
      allowedBy: v.allowedBy.map((r) => ({ policy: r.policy, direction: r.direction, rule: r.rule, byIpBlock: r.byIpBlock })),
      notPoliced: v.notPoliced,
    };
  }

  /**
   * `{ summary: { opened, closed, addedEndpoints, removedEndpoints }, ports, opened: [{ from, to,
   * ports, before, after }], closed: [...], addedEndpoints, removedEndpoints }`, where `before` and
   * `after` are `{ egress, ingress }` of `{ verdict, allowedBy, isolatedBy }`: `verdict` is
   * `allowed`, `denied`, `not isolated`, `outside the cluster` or `not explained (too many
   * changes)`, `allowedBy` the rules (`shop/api ingress[0]`), `isolatedBy` the isolating policies.
   */
  public static diff(d: ReachabilityDiff): any {
    return {
      summary: {
        opened: d.opened.length,
        closed: d.closed.length,
        addedEndpoints: d.addedEndpoints.length,
        removedEndpoints: d.removedEndpoints.length,
      },
      ports: [...d.ports],
      opened: d.opened.map(changeJson),
      closed: d.closed.map(changeJson),
      addedEndpoints: [...d.addedEndpoints],
      removedEndpoints: [...d.removedEndpoints],
    };
  }

  /**
   * `{ checked, findings: [{ severity, code, file, object, field, message }], silenced: [{ code,
   * file, object, field, message, reason }] }`, where a finding's message ends with its fix
   * (`... Fix: ...`) and `file` is null for an object not read from a file.
   */
  public static validation(report: ManifestValidationReport): any {
    return {
      checked: report.checked,
      findings: report.findings.map((f) => ({
        severity: f.severity, code: f.code, file: f.file ?? null, object: f.object, field: f.field, message: `${f.message}. Fix: ${f.fix}`,
      })),
      silenced: report.silenced.map((f) => ({
        code: f.code, file: f.file ?? null, object: f.object, field: f.field, message: f.message, reason: f.reason,
      })),
    };
  }

  private constructor() {}
}

/** One side in the diff's shape. */
function diffSide(v: SideVerdict | undefined): any {
  if (v === undefined) return { verdict: 'not explained (too many changes)', allowedBy: [], isolatedBy: [] };
  return { verdict: DECISION_WORDS[v.decision], allowedBy: v.allowedBy.map((r) => `${r.policy} ${r.direction}[${r.rule}]`), isolatedBy: [...v.isolatingPolicies] };
}

function changeJson(c: ChangedConnection): any {
  return {
    from: c.from,
    to: c.to,
    ports: [...c.ports],
    before: { egress: diffSide(c.before?.egress), ingress: diffSide(c.before?.ingress) },
    after: { egress: diffSide(c.after?.egress), ingress: diffSide(c.after?.ingress) },
  };
}
