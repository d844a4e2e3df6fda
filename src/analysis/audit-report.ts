import { ConnectivityGraph } from './connectivity-graph';
import { ciliumDeciders, Exposure } from './exposure';
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

/** The words of why an exposure decided by Cilium rules is not described. */
export const CILIUM_NOT_DESCRIBED = 'not described: decided by Cilium rules (exposure describes NetworkPolicy and cluster-tier peers only)';

/**
 * A side of a workload whose exposure the report does not describe, and why: Cilium policies have
 * rules for it, and the exposure lists the peers of NetworkPolicy and cluster-tier rules only. The
 * connectivity graph and the matrix still decide it (the analyser models those rules).
 */
export interface UndescribedExposure {
  /** The workload: `<namespace>/<name>`. */
  readonly workload: string;
  /** INGRESS: who could reach it; EGRESS: whom it could reach. */
  readonly direction: Direction;
  /** The Cilium policies with rules for that side (`<kind> <namespace>/<name>`), sorted. */
  readonly policies: string[];
  /** Why it is not described, in words. */
  readonly reason: string;
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
  /**
   * The sides left out of `ingress` and `egress` because Cilium rules decide them, in the model's
   * order, ingress first. They do not change `passes`: the graph and the matrix still cover them.
   */
  public readonly notDescribed: UndescribedExposure[];
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
    const notDescribed: UndescribedExposure[] = [];
    const exposures = (direction: Direction): Exposure[] => {
      const described: string[] = [];
      for (const e of reachability._cluster.endpoints.filter((x) => !x.external)) {
        const policies = ciliumDeciders(reachability._cluster, e, direction);
        if (policies.length > 0) notDescribed.push({ workload: e.id, direction, policies, reason: CILIUM_NOT_DESCRIBED });
        else described.push(e.id);
      }
      // An empty list would mean "every workload" to exposures().
      return described.length === 0 ? [] : reachability.exposures(direction, described);
    };
    this.ingress = exposures(Direction.INGRESS);
    this.egress = exposures(Direction.EGRESS);
    this.notDescribed = notDescribed;
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
