import { decidePair } from './precedence';
import { ProbePort } from './probe-ports';
import { resolveTraffic } from './semantics';
import { copyVerdict, SideVerdict } from './verdict';
import { Cluster } from '../inventory/cluster';

/**
 * How one side of a connection decides, in one of the two manifest sets.
 * @deprecated use `SideVerdict`, the one verdict type of the analyser, explanations and diffs
 */
export interface DiffSide extends SideVerdict {}

/** Both sides of a connection in one manifest set. */
export interface DiffExplanation {
  /** The source's egress. */
  readonly egress: SideVerdict;
  /** The destination's ingress. */
  readonly ingress: SideVerdict;
}

/** A connection whose verdict changed, on the listed ports. */
export interface ChangedConnection {
  /** The source. */
  readonly from: string;
  /** The destination. */
  readonly to: string;
  /** The ports on which it changed (`6379/TCP`, `other TCP ports`). */
  readonly ports: string[];
  /**
   * How the two sides decided before the change (on the first of the ports).
   * @default - not explained: only the first 2,000 changed connections are
   */
  readonly before?: DiffExplanation;
  /**
   * How they decide after it.
   * @default - not explained: only the first 2,000 changed connections are
   */
  readonly after?: DiffExplanation;
}

/**
 * How both sides decide `from` -> `to` on the probe's port in `cluster`. A named port is resolved on
 * the destination by name and protocol, as everywhere (`resolveTraffic`); when the destination has
 * no such port, on port 0, which only rules for every port of the protocol allow.
 */
export function explainIn(cluster: Cluster, from: string, to: string, probe: ProbePort): DiffExplanation {
  const src = cluster.endpoint(from)!;
  const dst = cluster.endpoint(to)!;
  const traffic = resolveTraffic(dst, probe.query) ?? { port: 0, protocol: probe.query.protocol };
  const { egress, ingress } = decidePair(cluster, src, dst, traffic);
  return { egress: side(egress), ingress: side(ingress) };
}

/** The public verdict of a side: one that shares no array with the analyser. */
function side(v: SideVerdict): SideVerdict {
  return copyVerdict(v);
}
