import { ChangedConnection } from './changed-connection';

/** Which way a connection changed. */
export enum ChangeKind {
  /** Allowed after the change and not before. */
  OPENED = 'opened',
  /** Allowed before the change and not after. */
  CLOSED = 'closed',
  /**
   * Allowed before and after, but the layer-7 rules that filter its requests (Cilium `rules.http`,
   * `rules.dns`, ...) differ: removed, added or changed. Which requests it opens or closes is not
   * decided, so it fails the gate like an opened connection (`--fail-on opened` and `any`).
   */
  L7_CHANGED = 'l7-changed',
}

/** A change a reviewer expects, from an allow-list file: it does not fail the CI gate. */
export interface ExpectedChange {
  /** Opened, closed or changed at layer 7. */
  readonly change: ChangeKind;
  /** The source endpoint (`*` for any). */
  readonly from: string;
  /** The destination endpoint (`*` for any). */
  readonly to: string;
  /** The ports (`6379/TCP`); all ports when left out. @default - all ports */
  readonly ports?: string[];
}

/**
 * What a change to a set of manifests opens and closes: the result of `Reachability.diff`. The
 * formats render it: `TextFormat.diff(d)`, `JsonFormat.diff(d)` (a stable shape),
 * `MarkdownFormat.diff(d)` for a pull-request comment, `MermaidFormat.diff(d)` for a diagram of the
 * changed edges.
 */
export class ReachabilityDiff {
  /** @internal */
  public static _of(
    ports: string[], opened: ChangedConnection[], closed: ChangedConnection[], added: string[], removed: string[],
    l7Changed: ChangedConnection[] = [], notes: string[] = [],
  ): ReachabilityDiff {
    return new ReachabilityDiff(ports, opened, closed, added, removed, l7Changed, notes);
  }

  /** The ports compared: every port any policy of either set mentions, plus `other <protocol> ports`. */
  public readonly ports: string[];
  /** Connections allowed after the change and not before. */
  public readonly opened: ChangedConnection[];
  /** Connections allowed before the change and not after. */
  public readonly closed: ChangedConnection[];
  /**
   * Connections allowed before and after whose layer-7 filtering changed (`ChangeKind.L7_CHANGED`):
   * a Cilium rule's `rules.http`/`rules.dns`/... removed, added or changed on the listed ports.
   * Layer 3/4 verdicts alone would call them unchanged.
   */
  public readonly l7Changed: ChangedConnection[];
  /**
   * What the reader must know to trust the diff: e.g. that the two sides were read with the same
   * network plugin although only one holds Cilium policies. Empty when there is nothing to say.
   */
  public readonly notes: string[];
  /** Endpoints only in the new set. */
  public readonly addedEndpoints: string[];
  /** Endpoints only in the old set. */
  public readonly removedEndpoints: string[];

  private constructor(
    ports: string[], opened: ChangedConnection[], closed: ChangedConnection[], added: string[], removed: string[],
    l7Changed: ChangedConnection[], notes: string[],
  ) {
    this.notes = notes;
    this.ports = ports;
    this.opened = opened;
    this.closed = closed;
    this.l7Changed = l7Changed;
    this.addedEndpoints = added;
    this.removedEndpoints = removed;
  }

  /** True when nothing changed (no connection opened, closed or changed at layer 7, no endpoint added or removed). */
  public get isEmpty(): boolean {
    return this.opened.length + this.closed.length + this.l7Changed.length + this.addedEndpoints.length + this.removedEndpoints.length === 0;
  }

  /** The changes (`opened`/`closed`/`l7Changed`) that no entry of `expected` covers. */
  public unexpected(expected: ExpectedChange[]): ChangedConnection[] {
    const covered = (change: ChangeKind, c: ChangedConnection) => c.ports.every((port) => expected.some((e) => e.change === change
      && (e.from === '*' || e.from === c.from) && (e.to === '*' || e.to === c.to) && (e.ports === undefined || e.ports.includes(port))));
    return [...this.opened.filter((c) => !covered(ChangeKind.OPENED, c)), ...this.closed.filter((c) => !covered(ChangeKind.CLOSED, c)),
      ...this.l7Changed.filter((c) => !covered(ChangeKind.L7_CHANGED, c))];
  }

  /**
   * One line: `2 connections opened, 1 closed, 1 endpoint added, 0 removed`, with `, 1 changed at
   * layer 7` after `closed` when a connection's layer-7 rules changed.
   */
  public get summary(): string {
    const n = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
    const l7 = this.l7Changed.length > 0 ? `, ${this.l7Changed.length} changed at layer 7` : '';
    return `${n(this.opened.length, 'connection')} opened, ${this.closed.length} closed${l7}, ${n(this.addedEndpoints.length, 'endpoint')} added, ${this.removedEndpoints.length} removed`;
  }
}
