import { ConnectivityGraph } from './connectivity-graph';
import { Exposure } from './exposure';
import { InvariantReport } from './invariants';
import { Reachability } from './reachability';
import { SkippedManifest } from '../inventory/inventory';
import { Severity } from '../k8s/finding';
import { Direction } from '../model/direction';

/** A file an audit report was computed from. */
export interface AuditInput {
  /** The path as given (or found under a directory); `<stdin>` for standard input. */
  readonly file: string;
  /** The sha256 of its bytes, in lower-case hex. */
  readonly sha256: string;
  /** Its size in bytes. */
  readonly bytes: number;
}

/**
 * A finding of the validation or the coverage lints, as the report shows it (the fields of
 * `netpol validate --coverage`'s findings).
 */
export interface AuditFinding {
  /** Error or warning. */
  readonly severity: Severity;
  /** The lint code (`NP017`) or the API server's error type. */
  readonly code: string;
  /** `<namespace>/<name>` of the object. */
  readonly object: string;
  /** The field it is about. */
  readonly field: string;
  /** What is wrong. */
  readonly message: string;
  /** How to fix it. */
  readonly fix: string;
  /** The file the object came from. @default - not read from a file */
  readonly file?: string;
  /** The 1-based line its document starts on. @default - unknown */
  readonly line?: number;
}

/** What an audit report is made of, besides the model. */
export interface AuditReportOptions {
  /** The report's title. @default 'NetworkPolicy audit' */
  readonly title?: string;
  /** The files the model was read from, with their hashes. @default - none listed */
  readonly inputs?: AuditInput[];
  /** The invariants checked over the model (`checkInvariants`, `netpol check`). @default - no rules were given */
  readonly invariants?: InvariantReport;
  /** The validation and coverage findings over the inputs (`validateManifests` with `coverage`). @default - none */
  readonly findings?: AuditFinding[];
  /**
   * When the report was made, as the caller wants it printed. Left out, the report has no
   * timestamp, so the same inputs give the same bytes. @default - no timestamp
   */
  readonly generatedAt?: string;
}

/**
 * Everything an audit of a set of manifests shows, as plain data: the connections allowed over every
 * port that matters (a `ConnectivityGraph`), each workload's exposure in both directions, the
 * invariants with pass or fail and their counterexamples, the validation and coverage findings, the
 * objects left out of the model, and the inputs with a hash per file. It only gathers the results of
 * the analyser and the validation; `HtmlFormat.report` and `MarkdownFormat.report` render it.
 */
export class AuditReport {
  /** The report of `reachability`, with the other results in `options`. */
  public static of(reachability: Reachability, options: AuditReportOptions = {}): AuditReport {
    return new AuditReport(reachability, options);
  }

  /** The title. */
  public readonly title: string;
  /** The files the model was read from, in the order read. */
  public readonly inputs: AuditInput[];
  /** Every connection the policies allow (loopback left out), over every port any policy names plus the other ports. */
  public readonly graph: ConnectivityGraph;
  /** Who could reach each workload inside the cluster, in the model's order. */
  public readonly ingress: Exposure[];
  /** Whom each workload inside the cluster could reach, in the model's order. */
  public readonly egress: Exposure[];
  /** The invariants, when rules were given. @default - no rules were given */
  public readonly invariants?: InvariantReport;
  /** The validation and coverage findings, in the order found. */
  public readonly findings: AuditFinding[];
  /** Objects left out of the model: when not empty, the verdicts may be wrong. */
  public readonly skipped: SkippedManifest[];
  /** When the report was made, as given. @default - no timestamp */
  public readonly generatedAt?: string;

  private constructor(reachability: Reachability, options: AuditReportOptions) {
    this.title = options.title ?? 'NetworkPolicy audit';
    this.inputs = [...(options.inputs ?? [])];
    this.graph = reachability.connectivity();
    this.ingress = reachability.exposures(Direction.INGRESS);
    this.egress = reachability.exposures(Direction.EGRESS);
    this.invariants = options.invariants;
    this.findings = [...(options.findings ?? [])];
    this.skipped = reachability.skipped;
    this.generatedAt = options.generatedAt;
  }

  /** Whether the audit passes: every invariant holds (or none were given) and nothing was left out of the model. */
  public get passes(): boolean {
    return (this.invariants?.holds ?? true) && this.skipped.length === 0;
  }
}
