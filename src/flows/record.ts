import { FlowVerdict, FoldReason } from './observed';
import { Protocol } from '../model/protocol';

/**
 * A flow record as the parsers produce it, before its ends are mapped to the manifests: the parsers
 * know the formats, the resolver knows the workloads.
 */

/** A pod as a flow describes it. */
export interface RawPod {
  readonly kind: 'pod';
  readonly namespace: string;
  /** The pod name, when the record has it. */
  readonly pod?: string;
  /** The workload name the record gives (Hubble `workloads[0].name`): trusted as the workload. */
  readonly workload?: string;
  /** Its kind (Hubble `workloads[0].kind`). */
  readonly workloadKind?: string;
  /** A pod-name prefix the pods share (Calico `*_name_aggr` without the `-*`). */
  readonly prefix?: string;
  /** The name is the workload's exactly (the plain form's `namespace/workload`): no suffix is stripped. */
  readonly exact?: boolean;
  /** Its labels, when the record has them (plain `key=value`, without Hubble's `k8s:` source). */
  readonly labels?: Readonly<Record<string, string>>;
  /** Its labels, computed only when the mapping is not cached (most records repeat a pod seen before). */
  readonly lazyLabels?: () => Readonly<Record<string, string>> | undefined;
  /** The record says it is the cluster DNS server (Cilium's well-known identities, Calico's service). */
  readonly dns?: boolean;
  /** A key for caching the mapping: the same key maps to the same end. */
  readonly key: string;
}

/** The node, or something running in its network. */
export interface RawHost {
  readonly kind: 'host';
  /** `host`, `remote-node`, `kube-apiserver`, `ingress`, `host:<name>`. */
  readonly id: string;
}

/** An address outside the cluster, or an aggregate of addresses. */
export interface RawExternal {
  readonly kind: 'external';
  /** The address (canonical form). */
  readonly ip?: string;
  /** The aggregate's id when there is no address (`pub`, `pvt`, `networkset:<name>`). */
  readonly aggregate?: string;
  /** A name for it (a Calico NetworkSet). */
  readonly name?: string;
  /** DNS names of the address (lower case, without the trailing dot). */
  readonly dnsNames?: readonly string[];
  /** The address may be a pod of the manifests (the record does not say it is outside the cluster). */
  readonly lookup?: boolean;
}

export type RawEnd = RawPod | RawHost | RawExternal;

/** Where a record was observed: at the source, at the destination, or unknown (counted at both). */
export enum Side { BOTH = 0, SOURCE = 1, DESTINATION = 2 }

/** One observation of a connection. */
export interface FlowRecord {
  readonly source: RawEnd;
  readonly destination: RawEnd;
  readonly port: number;
  readonly protocol: Protocol;
  readonly verdict: FlowVerdict;
  readonly side: Side;
  /** How many attempts it stands for (Calico `num_flows`, plain `count`; 1 otherwise). */
  readonly count: number;
  /** When, in milliseconds since the epoch. */
  readonly startMs?: number;
  readonly endMs?: number;
}

/** What a parser made of one line. */
export type LineOutcome =
  | { readonly type: 'record'; readonly record: FlowRecord }
  | { readonly type: 'fold'; readonly reason: FoldReason; readonly lost?: number }
  | { readonly type: 'invalid'; readonly reason: string };

const FOLDS = new Map<FoldReason, LineOutcome>();

/** The outcome "folded for `reason`" (shared: lines fold without allocating). */
export function fold(reason: FoldReason): LineOutcome {
  let outcome = FOLDS.get(reason);
  if (!outcome) {
    outcome = { type: 'fold', reason };
    FOLDS.set(reason, outcome);
  }
  return outcome;
}

/** The outcome "invalid, because `reason`". */
export function invalid(reason: string): LineOutcome {
  return { type: 'invalid', reason };
}

/** The value of a key in either spelling (protojson writes proto names; lowerCamelCase is accepted too). */
export function field(object: Record<string, unknown>, snake: string, camel: string): unknown {
  const value = object[snake];
  return value === undefined ? object[camel] : value;
}

/** Whether a value is a JSON object (not null, not an array). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Renders a value for a message: strings quoted, the rest as JSON (shortened). */
export function show(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** A DNS name as flows are compared: lower case, without the trailing dot of a fully qualified name. */
export function normaliseDnsName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}
