import { ChangedConnection, DiffExplanation } from './reachability-diff';
import { SideDecision, SideVerdict } from './verdict';

/** Which way a connection changed. */
export enum ChangeKind {
  /** Allowed after the change and not before. */
  OPENED = 'opened',
  /** Allowed before the change and not after. */
  CLOSED = 'closed',
}

/** A change a reviewer expects, from an allow-list file: it does not fail the CI gate. */
export interface ExpectedChange {
  /** Opened or closed. */
  readonly change: ChangeKind;
  /** The source endpoint (`*` for any). */
  readonly from: string;
  /** The destination endpoint (`*` for any). */
  readonly to: string;
  /** The ports (`6379/TCP`); all ports when left out. @default - all ports */
  readonly ports?: string[];
}

/**
 * What a change to a set of manifests opens and closes: the result of `Reachability.diff`. Renders
 * as text, JSON (a stable shape), and Markdown for a pull-request comment with a Mermaid diagram of
 * the changed edges (green opened, red closed).
 */
export class ReachabilityDiff {
  /** @internal */
  public static _of(ports: string[], opened: ChangedConnection[], closed: ChangedConnection[], added: string[], removed: string[]): ReachabilityDiff {
    return new ReachabilityDiff(ports, opened, closed, added, removed);
  }

  /** The ports compared: every port any policy of either set mentions, plus `other <protocol> ports`. */
  public readonly ports: string[];
  /** Connections allowed after the change and not before. */
  public readonly opened: ChangedConnection[];
  /** Connections allowed before the change and not after. */
  public readonly closed: ChangedConnection[];
  /** Endpoints only in the new set. */
  public readonly addedEndpoints: string[];
  /** Endpoints only in the old set. */
  public readonly removedEndpoints: string[];

  private constructor(ports: string[], opened: ChangedConnection[], closed: ChangedConnection[], added: string[], removed: string[]) {
    this.ports = ports;
    this.opened = opened;
    this.closed = closed;
    this.addedEndpoints = added;
    this.removedEndpoints = removed;
  }

  /** True when nothing changed (no connection opened or closed, no endpoint added or removed). */
  public get isEmpty(): boolean {
    return this.opened.length + this.closed.length + this.addedEndpoints.length + this.removedEndpoints.length === 0;
  }

  /** The changes (`opened`/`closed`) that no entry of `expected` covers. */
  public unexpected(expected: ExpectedChange[]): ChangedConnection[] {
    const covered = (change: ChangeKind, c: ChangedConnection) => c.ports.every((port) => expected.some((e) => e.change === change
      && (e.from === '*' || e.from === c.from) && (e.to === '*' || e.to === c.to) && (e.ports === undefined || e.ports.includes(port))));
    return [...this.opened.filter((c) => !covered(ChangeKind.OPENED, c)), ...this.closed.filter((c) => !covered(ChangeKind.CLOSED, c))];
  }

  /** One line: `2 connections opened, 1 closed, 1 endpoint added, 0 removed`. */
  public get summary(): string {
    const n = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
    return `${n(this.opened.length, 'connection')} opened, ${this.closed.length} closed, ${n(this.addedEndpoints.length, 'endpoint')} added, ${this.removedEndpoints.length} removed`;
  }

  /**
   * The JSON shape (stable): `{ summary: { opened, closed, addedEndpoints, removedEndpoints }, ports,
   * opened: [{ from, to, ports, before, after }], closed: [...], addedEndpoints, removedEndpoints }`,
   * where `before`/`after` are `{ egress, ingress }` of `{ verdict, allowedBy, isolatedBy }`.
   */
  public toJson(): any {
    return {
      summary: {
        opened: this.opened.length,
        closed: this.closed.length,
        addedEndpoints: this.addedEndpoints.length,
        removedEndpoints: this.removedEndpoints.length,
      },
      ports: [...this.ports],
      opened: this.opened.map(changeJson),
      closed: this.closed.map(changeJson),
      addedEndpoints: [...this.addedEndpoints],
      removedEndpoints: [...this.removedEndpoints],
    };
  }

  /** Text for a terminal. */
  public toText(): string {
    const lines = [`netpol diff: ${this.summary}`];
    for (const [title, list, now] of [['opened', this.opened, 'after'], ['closed', this.closed, 'after']] as const) {
      if (list.length === 0) continue;
      lines.push('', `${title}:`);
      for (const c of list) {
        lines.push(`  ${c.from} -> ${c.to} on ${c.ports.join(', ')}`);
        lines.push(`    before: ${describe(c.before, c)}`);
        lines.push(`    ${now}:  ${describe(c.after, c)}`);
      }
    }
    if (this.addedEndpoints.length > 0) lines.push('', `endpoints added: ${this.addedEndpoints.join(', ')}`);
    if (this.removedEndpoints.length > 0) lines.push('', `endpoints removed: ${this.removedEndpoints.join(', ')}`);
    return lines.join('\n');
  }

  /** Markdown for a pull-request comment: summary, tables of opened and closed connections, diagram. */
  public toMarkdown(): string {
    const lines = [`**netpol diff**: ${this.summary}.`];
    const table = (title: string, list: ChangedConnection[]) => {
      if (list.length === 0) return;
      lines.push('', `### ${title}`, '', '| from | to | ports | before | after |', '|---|---|---|---|---|');
      for (const c of list) {
        lines.push(`| \`${c.from}\` | \`${c.to}\` | ${c.ports.join(', ')} | ${escapeCell(describe(c.before, c))} | ${escapeCell(describe(c.after, c))} |`);
      }
    };
    table(`Opened (${this.opened.length})`, this.opened);
    table(`Closed (${this.closed.length})`, this.closed);
    if (this.addedEndpoints.length > 0) lines.push('', `**Endpoints added:** ${this.addedEndpoints.map((e) => `\`${e}\``).join(', ')}`);
    if (this.removedEndpoints.length > 0) lines.push('', `**Endpoints removed:** ${this.removedEndpoints.map((e) => `\`${e}\``).join(', ')}`);
    if (this.opened.length + this.closed.length > 0) lines.push('', '```mermaid', this.toMermaid(), '```');
    return lines.join('\n');
  }

  /** A Mermaid flowchart of the changed edges only: green for opened, red (dashed) for closed. */
  public toMermaid(): string {
    const nodes = [...new Set([...this.opened, ...this.closed].flatMap((c) => [c.from, c.to]))].sort();
    const id = new Map(nodes.map((n, i) => [n, `n${i}`]));
    const lines = ['flowchart LR'];
    for (const n of nodes) lines.push(`  ${id.get(n)}["${n.replace(/"/g, '#quot;')}"]`);
    const styles: string[] = [];
    let edge = 0;
    for (const c of this.opened) {
      lines.push(`  ${id.get(c.from)} -->|"+ ${c.ports.join(', ')}"| ${id.get(c.to)}`);
      styles.push(`  linkStyle ${edge++} stroke:#2da44e,stroke-width:2px,color:#2da44e`);
    }
    for (const c of this.closed) {
      lines.push(`  ${id.get(c.from)} -.->|"- ${c.ports.join(', ')}"| ${id.get(c.to)}`);
      styles.push(`  linkStyle ${edge++} stroke:#cf222e,stroke-width:2px,color:#cf222e`);
    }
    return [...lines, ...styles].join('\n');
  }
}

const VERDICT_WORDS: Record<SideDecision, string> = {
  [SideDecision.ALLOWED]: 'allowed',
  [SideDecision.DENIED]: 'denied',
  [SideDecision.NOT_ISOLATED]: 'not isolated',
  [SideDecision.OUTSIDE_CLUSTER]: 'outside the cluster',
};
const NOT_EXPLAINED = 'not explained (too many changes)';

function ruleText(r: { policy: string; direction: string; rule: number }): string {
  return `${r.policy} ${r.direction}[${r.rule}]`;
}

function sideJson(s: SideVerdict | undefined): any {
  if (s === undefined) return { verdict: NOT_EXPLAINED, allowedBy: [], isolatedBy: [] };
  return { verdict: VERDICT_WORDS[s.decision], allowedBy: s.allowedBy.map(ruleText), isolatedBy: [...s.isolatingPolicies] };
}

function changeJson(c: ChangedConnection): any {
  return {
    from: c.from,
    to: c.to,
    ports: [...c.ports],
    before: { egress: sideJson(c.before?.egress), ingress: sideJson(c.before?.ingress) },
    after: { egress: sideJson(c.after?.egress), ingress: sideJson(c.after?.ingress) },
  };
}

function describe(e: DiffExplanation | undefined, c: ChangedConnection): string {
  return `egress of ${c.from} ${sideText(e?.egress)}; ingress of ${c.to} ${sideText(e?.ingress)}`;
}

function sideText(s: SideVerdict | undefined): string {
  if (s === undefined) return NOT_EXPLAINED;
  if (s.decision === SideDecision.ALLOWED) return `allowed by ${s.allowedBy.map(ruleText).join(', ')}`;
  if (s.decision === SideDecision.DENIED) return `denied (isolated by ${s.isolatingPolicies.join(', ')})`;
  return VERDICT_WORDS[s.decision];
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|');
}
