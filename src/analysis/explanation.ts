import { copyVerdict, SideVerdict } from './verdict';

/**
 * The verdict of one side of a connection.
 * @deprecated use `SideVerdict`, the one verdict type of the analyser, explanations and diffs
 */
export interface SideExplanation extends SideVerdict {}

/**
 * Why a connection is allowed or denied: both sides, the policies that isolate them, the rules that
 * allow it. The formats render it: `TextFormat.explanation(e)`, `JsonFormat.explanation(e)`.
 */
export class Explanation {
  /** @internal */
  public static _of(
    from: string, to: string, port: string, egress: SideVerdict, ingress: SideVerdict, loopback: boolean, unresolved?: string,
    hostNetworkNotes: string[] = [], staged?: Explanation,
  ): Explanation {
    const explanation = new Explanation(from, to, port, copyVerdict(egress), copyVerdict(ingress), loopback, unresolved, staged);
    explanation.hostNetworkNotes.push(...hostNetworkNotes);
    return explanation;
  }

  /** The source. */
  public readonly from: string;
  /** The destination. */
  public readonly to: string;
  /** The port asked about, e.g. `5432/TCP` or `http/TCP`. */
  public readonly port: string;
  /** The source's egress. */
  public readonly egress: SideVerdict;
  /** The destination's ingress. */
  public readonly ingress: SideVerdict;
  /** True for traffic of a pod to itself, which policies never block (reported as allowed). */
  public readonly loopback: boolean;
  /** Set when a named port does not exist on the destination, so there is nothing to connect to. */
  public readonly unresolvedPort?: string;
  /**
   * What would happen if the staged policies (Calico `StagedKubernetesNetworkPolicy`) were enforced
   * together with the enforcing ones: the same connection explained in that model. Set only when
   * the input has staged policies; `allowed` above never depends on them.
   * @default - the input has no staged policies
   */
  public readonly staged?: Explanation;
  private readonly hostNetworkNotes: string[] = [];

  private constructor(
    from: string, to: string, port: string, egress: SideVerdict, ingress: SideVerdict, loopback: boolean, unresolvedPort?: string,
    staged?: Explanation,
  ) {
    this.staged = staged;
    this.from = from;
    this.to = to;
    this.port = port;
    this.egress = egress;
    this.ingress = ingress;
    this.loopback = loopback;
    this.unresolvedPort = unresolvedPort;
  }

  /** Whether the connection is allowed: both sides allow it (or it is loopback). */
  public get allowed(): boolean {
    if (this.unresolvedPort !== undefined) return false;
    return this.loopback || (this.egress.allowed && this.ingress.allowed);
  }

  /**
   * Notes a reviewer should know: an end that is a hostNetwork pod and how it was analysed, a side
   * the cluster-wide tiers decided fail closed (`egress decided fail closed: ...`), loopback, and an ipBlock that matched a pod's IP (an ipBlock that matched an address outside the
   * cluster is what ipBlocks are for, and gets no note).
   */
  public get notes(): string[] {
    const notes: string[] = [...this.hostNetworkNotes];
    for (const note of this.egress.failClosedNotes ?? []) notes.push(`egress ${note}`);
    for (const note of this.ingress.failClosedNotes ?? []) notes.push(`ingress ${note}`);
    if (this.loopback) notes.push('loopback: traffic of a pod to itself is not policed (undefined in Kubernetes; reported as allowed)');
    // The source's egress rules matched the destination, which is a pod unless its side is not policed; and vice versa.
    const toPodIp = !this.ingress.notPoliced && this.egress.allowedBy.some((r) => r.byIpBlock);
    const fromPodIp = !this.egress.notPoliced && this.ingress.allowedBy.some((r) => r.byIpBlock);
    if (toPodIp || fromPodIp) {
      notes.push('an ipBlock matched an address inside the cluster (a pod\'s or a node\'s): whether ipBlocks apply to those depends on the network plugin (Cilium, for one, applies them to neither by default)');
    }
    return notes;
  }

  /**
   * One line: `shop/frontend -> shop/postgres on 5432/TCP: DENIED`. The whole explanation, both
   * sides with their policies and rules, is `TextFormat.explanation(e)`.
   */
  public toString(): string {
    return `${this.from} -> ${this.to} on ${this.port}: ${this.allowed ? 'ALLOWED' : 'DENIED'}`;
  }
}
