import { invariantLines, TextFormat } from './text';
import { AuditReport, UndescribedExposure } from '../analysis/audit-report';
import { ConnectivityGraph } from '../analysis/connectivity-graph';
import { Exposure } from '../analysis/exposure';
import { Severity } from '../k8s/finding';
import { Direction } from '../model/direction';

/** The report's style: inline, so the file needs nothing else to open. */
const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1f2328;margin:24px;max-width:1400px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:28px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
table{border-collapse:collapse;margin:6px 0}th,td{border:1px solid #d0d7de;padding:3px 7px;text-align:left;vertical-align:top}
th{background:#f6f8fa}code,pre{font:12px ui-monospace,SFMono-Regular,Menlo,monospace}pre{margin:4px 0;white-space:pre-wrap}
.summary{display:flex;flex-wrap:wrap;gap:8px;margin:10px 0}.summary span{border:1px solid #d0d7de;border-radius:6px;padding:4px 10px;background:#f6f8fa}
.pass{color:#1a7f37;font-weight:600}.fail{color:#cf222e;font-weight:600}.warn{color:#9a6700;font-weight:600}
.graph{overflow:auto;border:1px solid #d0d7de;border-radius:6px;padding:8px;background:#fff}
svg text{font:11px system-ui,-apple-system,"Segoe UI",sans-serif}
.ns rect.box{fill:#f6f8fa;stroke:#8c959f}.ns text.label{font-weight:600;fill:#57606a}
.ns.outside rect.box{fill:#fff8c5;stroke:#bf8700}
.node rect{fill:#ddf4ff;stroke:#0969da}.node text{fill:#0a3069}
.edge path{fill:none;stroke:#57606a;stroke-width:1.3;opacity:.8}.edge.wide path{stroke:#cf222e;stroke-width:1.8}
.edge text{fill:#24292f;paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}
table.grid td{width:22px;height:18px;padding:0 3px;text-align:center;font-size:10px;white-space:nowrap}
table.grid th{font-size:11px;font-weight:500;white-space:nowrap}table.grid th.col{writing-mode:vertical-rl;transform:rotate(180deg)}
td.denied{background:#f6f8fa}td.allowed{background:#aceebb}td.wide{background:#ffc1ba}td.self{background:#d0d7de}
td.some{background:#fff1a8}td.none{background:#f6f8fa}
.legend span{display:inline-block;padding:0 8px;margin-right:6px;border:1px solid #d0d7de}
`;

/**
 * One self-contained HTML page (inline style and SVG; no script, font, image or request: a content
 * security policy forbids any), for auditors and reviewers.
 *
 * @example
 * fs.writeFileSync('report.html', HtmlFormat.report(AuditReport.of(Reachability.fromChart(chart))));
 */
export class HtmlFormat {
  /**
   * The audit report: a summary, the connectivity graph as an inline SVG (workloads in namespace
   * boxes, edges labelled with ports; collapsed to edges between namespaces when there are too many
   * to read), the matrix as a coloured grid (namespace by namespace above 40 endpoints), the
   * invariants with pass or fail and their counterexamples, each workload's exposure, the findings,
   * the objects left out, and the inputs with their sha256. The same report gives the same bytes.
   */
  public static report(r: AuditReport): string {
    const layout = layoutGraph(r.graph);
    const namespaces = r.graph.groups.filter((g) => g.namespace !== undefined).length;
    const body = [
      `<h1>${esc(r.title)}</h1>`,
      r.generatedAt !== undefined ? `<p>Generated ${esc(r.generatedAt)}.</p>` : '',
      summary(r, namespaces),
      '<h2 id="graph">Connectivity</h2>',
      graphIntro(layout),
      `<div class="graph">${svgOf(layout)}</div>`,
      '<h2 id="matrix">Matrix</h2>',
      gridHtml(connectionGrid(r.graph)),
      '<h2 id="invariants">Invariants</h2>',
      invariantsHtml(r),
      '<h2 id="exposure">Exposure</h2>',
      '<p>From the selectors of the rules of the policies that isolate each workload, so pods and namespaces that are not in the manifests yet are covered.</p>',
      exposureHtml(r.ingress, r.notDescribed.filter((u) => u.direction === Direction.INGRESS), 'Who could reach each workload (ingress)'),
      exposureHtml(r.egress, r.notDescribed.filter((u) => u.direction === Direction.EGRESS), 'Whom each workload could reach (egress)'),
      '<h2 id="findings">Findings</h2>',
      findingsHtml(r),
      '<h2 id="inputs">Inputs</h2>',
      inputsHtml(r),
    ].filter((s) => s !== '').join('\n');
    return [
      '<!DOCTYPE html>',
      '<html lang="en">',
      '<head>',
      '<meta charset="utf-8">',
      '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'">',
      '<meta name="viewport" content="width=device-width, initial-scale=1">',
      `<title>${esc(r.title)}</title>`,
      `<style>${STYLE}</style>`,
      '</head>',
      '<body>',
      body,
      '</body>',
      '</html>',
      '',
    ].join('\n');
  }

  private constructor() {}
}

/** The graph of a layout as an SVG element (`layoutGraph`): boxes, workloads and edges with their tooltips. */
function svgOf(layout: GraphLayout): string {
  const margin = 8;
  const w = layout.width + 2 * margin;
  const h = layout.height + 2 * margin;
  const box = `${layout.x - margin} ${layout.y - margin} ${w} ${h}`;
  const out = [`<svg xmlns="http://www.w3.org/2000/svg" id="connectivity" width="${w}" height="${h}" viewBox="${box}" role="img" aria-label="connectivity graph">`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
      + '<path d="M0 0L10 5L0 10z" fill="#57606a"/></marker>'
      + '<marker id="arrow-wide" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
      + '<path d="M0 0L10 5L0 10z" fill="#cf222e"/></marker></defs>'];
  for (const b of layout.boxes) {
    const inside = layout.collapsed && b.inside > 0 ? ` (${b.inside} connection${b.inside === 1 ? '' : 's'} inside)` : '';
    out.push(`<g class="ns${b.namespace === undefined ? ' outside' : ''}" data-namespace="${esc(b.namespace ?? '')}">`
        + `<rect class="box" x="${b.x}" y="${b.y}" width="${b.width}" height="${b.height}" rx="6"/>`
        + `<text class="label" x="${b.x + 10}" y="${b.y + 18}">${esc(truncate(b.label, Math.floor(b.width / 7)))}${esc(inside)}<title>${esc(b.label)}${esc(inside)}</title></text>`);
    for (const n of b.nodes) {
      out.push(`<g class="node" data-id="${esc(n.id)}"><rect x="${n.x}" y="${n.y}" width="${n.width}" height="${n.height}" rx="4"/>`
          + `<text x="${n.x + 8}" y="${n.y + 17}">${esc(truncate(n.name, 24))}</text><title>${esc(n.id)}</title></g>`);
    }
    out.push('</g>');
  }
  for (const e of layout.edges) {
    out.push(`<g class="edge${e.allTraffic ? ' wide' : ''}" data-from="${esc(e.from)}" data-to="${esc(e.to)}"><title>${esc(e.title)}</title>`
        + `<path d="${e.path}" marker-end="url(#${e.allTraffic ? 'arrow-wide' : 'arrow'})"/>`
        + `<text x="${e.labelX}" y="${e.labelY}" text-anchor="middle">${esc(e.label)}</text></g>`);
  }
  out.push('</svg>');
  return out.join('\n');
}

/** Text for HTML content and attribute values. */
function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function summary(r: AuditReport, namespaces: number): string {
  const workloads = r.graph.nodes.filter((n) => n.namespace !== undefined).length;
  const outside = r.graph.nodes.length - workloads;
  const errors = r.findings.filter((f) => f.severity === Severity.ERROR).length;
  const item = (text: string, cls = '') => `<span${cls === '' ? '' : ` class="${cls}"`}>${text}</span>`;
  const items = [
    item(`${plural(workloads, 'workload')} in ${plural(namespaces, 'namespace')}${outside > 0 ? `, ${plural(outside, 'address', 'addresses')} outside the cluster` : ''}`),
    item(plural(r.graph.edges.length, 'allowed connection')),
    r.invariants
      ? item(`${r.invariants.results.length - r.invariants.failures.length} of ${plural(r.invariants.results.length, 'invariant')} hold`, r.invariants.holds ? 'pass' : 'fail')
      : item('no invariants (no rules file given)'),
    item(`${plural(r.findings.length, 'finding')}${errors > 0 ? ` (${errors} error${errors === 1 ? '' : 's'})` : ''}`, r.findings.length === 0 ? 'pass' : errors > 0 ? 'fail' : 'warn'),
    r.skipped.length > 0 ? item(`${plural(r.skipped.length, 'object')} left out: verdicts may be wrong`, 'fail') : item('nothing left out'),
    item(plural(r.inputs.length, 'input file')),
  ];
  return `<div class="summary">${items.join('')}</div>`;
}

function graphIntro(layout: GraphLayout): string {
  const how = layout.collapsed
    ? `More than ${EDGE_LIMIT} connections or ${NODE_LIMIT} workloads: each arrow stands for the connections from one namespace to another (the count is on it), `
      + 'and the connections inside a namespace are counted in its header. Every connection is in the matrix below and in the exposure tables.'
    : 'Each arrow is a connection the policies allow, labelled with its ports (hover for the full list).';
  return `<p>Workloads grouped by namespace; addresses outside the cluster in the yellow box. ${how} A red arrow is allowed on all traffic.</p>`;
}

function cellClass(c: GridCell, byNamespace: boolean): string {
  if (c.pairs === 0) return 'self';
  if (c.allowed === 0) return byNamespace ? 'none' : 'denied';
  if (c.allTraffic) return 'wide';
  return byNamespace && c.allowed < c.pairs ? 'some' : 'allowed';
}

function gridHtml(grid: ConnectionGrid): string {
  const intro = grid.byNamespace
    ? `<p>More than ${GRID_LIMIT} endpoints: namespace by namespace, each cell the pairs that may connect (on some port) out of all pairs, rows the sources.</p>`
      + '<p class="legend"><span class="none" style="background:#f6f8fa">none</span><span style="background:#fff1a8">some</span>'
      + '<span style="background:#aceebb">all</span><span style="background:#ffc1ba">some on all traffic</span></p>'
    : '<p>Rows are sources, columns destinations, over every port any policy names and the other ports; hover a cell for its ports.</p>'
      + '<p class="legend"><span style="background:#aceebb">allowed</span><span style="background:#ffc1ba">allowed on all traffic</span>'
      + '<span style="background:#f6f8fa">denied</span><span style="background:#d0d7de">itself</span></p>';
  const head = `<tr><th>from \\ to</th>${grid.labels.map((l) => `<th class="col">${esc(l)}</th>`).join('')}</tr>`;
  const rows = grid.labels.map((label, i) => `<tr><th>${esc(label)}</th>${grid.cells[i]
    .map((c) => `<td class="${cellClass(c, grid.byNamespace)}" title="${esc(c.title)}">${esc(c.text)}</td>`).join('')}</tr>`);
  return `${intro}\n<table class="grid">\n${head}\n${rows.join('\n')}\n</table>`;
}

function invariantsHtml(r: AuditReport): string {
  if (!r.invariants) return '<p>No rules file was given (<code>--rules rules.yaml</code>), so no invariants were checked.</p>';
  const rows = r.invariants.results.map((i) => {
    const detail = invariantLines(i).slice(1).map((l) => l.replace(/^ {2}/, '')).join('\n');
    return `<tr><td class="${i.holds ? 'pass' : 'fail'}">${i.holds ? 'PASS' : 'FAIL'}</td><td>${esc(i.name)}</td><td>${esc(i.statement)}`
      + `${i.where ? `<br><small>${esc(i.where)}</small>` : ''}</td><td>${detail === '' ? '' : `<pre>${esc(detail)}</pre>`}</td></tr>`;
  });
  return `<table>\n<tr><th></th><th>invariant</th><th>says</th><th>counterexample</th></tr>\n${rows.join('\n')}\n</table>`
    + `\n<p>Ports checked: ${esc(r.invariants.ports.join(', '))}.</p>`;
}

function exposureHtml(list: Exposure[], notDescribed: UndescribedExposure[], title: string): string {
  const rows = list.map((e) => {
    const peers = e.peers.length === 0 ? 'nobody'
      : e.peers.map((p) => `${esc(p.description)} on ${esc(p.ports.join(', '))}${p.rules.length > 0 ? ` <small>(${esc(p.rules.map(TextFormat.rule).join(', '))})</small>` : ''}`).join('<br>');
    const isolation = e.isolated ? esc(e.isolatingPolicies.join(', '))
      : e.tierPolicies ? `no NetworkPolicy; decided by ${esc(e.tierPolicies.join(', '))}` : '<span class="warn">not isolated</span>';
    const present = e.endpoints.length === 0 ? 'none' : e.endpoints.map((x) => `${esc(x.id)} <small>(${esc(x.ports.join(', '))})</small>`).join('<br>');
    return `<tr><td><code>${esc(e.workload)}</code></td><td>${isolation}</td><td>${peers}</td><td>${present}</td></tr>`;
  });
  for (const u of notDescribed) {
    rows.push(`<tr><td><code>${esc(u.workload)}</code></td><td>${esc(u.policies.join(', '))}</td>`
      + `<td colspan="2"><span class="warn">${esc(u.reason)}</span>; the graph and the matrix above decide it</td></tr>`);
  }
  return `<details open><summary><strong>${esc(title)}</strong></summary>\n<table>\n`
    + '<tr><th>workload</th><th>isolated by</th><th>from the selectors</th><th>in the manifests, allowed on both sides</th></tr>\n'
    + `${rows.join('\n')}\n</table></details>`;
}

function findingsHtml(r: AuditReport): string {
  const parts: string[] = [];
  if (r.findings.length === 0) {
    parts.push('<p class="pass">No findings: the policies are valid, and the coverage lints (NP004, NP017, NP018, NP019) found nothing.</p>');
  } else {
    const rows = r.findings.map((f) => `<tr><td class="${f.severity === Severity.ERROR ? 'fail' : 'warn'}">${esc(f.severity)}</td><td>${esc(f.code)}</td>`
      + `<td><code>${esc(f.object)}</code><br><small>${esc(f.field)}</small></td><td>${esc(f.message)}</td><td>${esc(f.fix)}</td>`
      + `<td>${f.file !== undefined ? esc(`${f.file}${f.line !== undefined ? `:${f.line}` : ''}`) : ''}</td></tr>`);
    parts.push(`<table>\n<tr><th></th><th>code</th><th>object</th><th>finding</th><th>fix</th><th>where</th></tr>\n${rows.join('\n')}\n</table>`);
  }
  if (r.skipped.length > 0) {
    parts.push('<p class="fail">Left out of the model, so the verdicts above may be wrong:</p>');
    parts.push(`<ul>${r.skipped.map((s) => `<li>${s.file !== undefined ? `${esc(s.file)}${s.line !== undefined ? `:${s.line}` : ''}: ` : ''}`
      + `${esc(`${s.kind ? `${s.kind} ` : ''}${s.object}`)}: ${esc(s.reason)}</li>`).join('')}</ul>`);
  }
  return parts.join('\n');
}

function inputsHtml(r: AuditReport): string {
  if (r.inputs.length === 0) return '<p>No input files were named.</p>';
  const rows = r.inputs.map((i) => `<tr><td><code>${esc(i.file)}</code></td><td>${i.bytes}</td><td><code>${i.sha256}</code></td></tr>`);
  return `<table>\n<tr><th>file</th><th>bytes</th><th>sha256</th></tr>\n${rows.join('\n')}\n</table>`;
}

// The layout of the graph, the report's own (deterministic; no layout engine): shared with the
// Markdown report, which collapses its Mermaid graph and its matrix the same way.

/** A workload's place in the drawing. */
export interface LaidOutNode {
  readonly id: string;
  readonly name: string;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** A namespace box (or the box of the addresses outside the cluster) and its workloads. */
export interface LaidOutBox {
  /** The namespace. @default - the endpoints outside the cluster */
  readonly namespace?: string;
  readonly label: string;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly nodes: LaidOutNode[];
  /** The connections between two workloads of this box (drawn as edges, or counted in the header when edges are collapsed). */
  readonly inside: number;
}

/** An edge of the drawing: between two workloads, or (collapsed) between two namespace boxes. */
export interface LaidOutEdge {
  /** The source: a workload id, or a box label when collapsed. */
  readonly from: string;
  /** The destination: a workload id, or a box label when collapsed. */
  readonly to: string;
  /** The label: the ports, or how many connections a collapsed edge stands for. */
  readonly label: string;
  /** The full text for the tooltip. */
  readonly title: string;
  /** The SVG path (`M x y Q cx cy x y`). */
  readonly path: string;
  /** Where the label goes. */
  readonly labelX: number;
  readonly labelY: number;
  /** True when some connection it stands for is allowed on all traffic. */
  readonly allTraffic: boolean;
}

/** The drawing of a connectivity graph. */
export interface GraphLayout {
  /** The top left corner of the drawing (edges may bend above or left of the first box). */
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly boxes: LaidOutBox[];
  readonly edges: LaidOutEdge[];
  /** True when the edges between workloads were too many to read, so they are drawn between namespaces. */
  readonly collapsed: boolean;
}

/** Width and height of a workload's box, and the gaps. */
export const NODE_WIDTH = 168;
export const NODE_HEIGHT = 26;
const NODE_GAP = 10;
const BOX_PADDING = 12;
const BOX_HEADER = 28;
const BOX_GAP_X = 110;
const BOX_GAP_Y = 90;
/** The widest the drawing gets: namespace boxes wrap into rows under it. */
export const MAX_WIDTH = 1280;
/** Above this many workload-to-workload edges, or this many workloads, edges are drawn between namespaces. */
export const EDGE_LIMIT = 150;
export const NODE_LIMIT = 100;
/** The longest edge label, in characters (the full text is in the tooltip). */
export const LABEL_LIMIT = 32;

/** How many columns a box of `n` workloads has: a box grows wider before it grows very tall. */
function columnsFor(n: number): number {
  if (n <= 6) return 1;
  if (n <= 16) return 2;
  if (n <= 36) return 3;
  return 4;
}

/** `text` cut to `limit` characters, with an ellipsis when cut. */
export function truncate(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

/**
 * Lays a connectivity graph out, deterministically: one box per namespace (in the graph's group
 * order, the addresses outside the cluster last), each holding its workloads in a grid of up to four
 * columns; the boxes packed left to right into rows no wider than `MAX_WIDTH` (shelf packing), so
 * no two boxes overlap. Edges are quadratic curves between the borders of the workloads' boxes,
 * bent to one side so that a -> b and b -> a stay apart, labelled with their ports. With more than
 * `EDGE_LIMIT` edges or `NODE_LIMIT` workloads, the edges are collapsed to one per pair of
 * namespaces (labelled with how many connections it stands for), and the connections inside a
 * namespace are counted in its header; every connection is still in the matrix.
 */
export function layoutGraph(g: ConnectivityGraph): GraphLayout {
  const boxes: LaidOutBox[] = [];
  const nodeAt = new Map<string, LaidOutNode>();
  const boxOf = new Map<string, number>();
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  const groups = g.groups;
  const insideCount = new Map<string | undefined, number>();
  const namespaceOf = new Map(g.nodes.map((n) => [n.id, n.namespace]));
  for (const e of g.edges) {
    const ns = namespaceOf.get(e.from);
    if (ns === namespaceOf.get(e.to)) insideCount.set(ns, (insideCount.get(ns) ?? 0) + 1);
  }
  groups.forEach((group, b) => {
    const cols = columnsFor(group.nodes.length);
    const rows = Math.ceil(group.nodes.length / cols);
    const width = cols * NODE_WIDTH + (cols - 1) * NODE_GAP + 2 * BOX_PADDING;
    const height = BOX_HEADER + rows * NODE_HEIGHT + (rows - 1) * NODE_GAP + BOX_PADDING;
    if (x > 0 && x + width > MAX_WIDTH) {
      x = 0;
      y += rowHeight + BOX_GAP_Y;
      rowHeight = 0;
    }
    const nodes = group.nodes.map((n, i) => {
      const node: LaidOutNode = {
        id: n.id,
        name: n.name,
        x: x + BOX_PADDING + (i % cols) * (NODE_WIDTH + NODE_GAP),
        y: y + BOX_HEADER + Math.floor(i / cols) * (NODE_HEIGHT + NODE_GAP),
        width: NODE_WIDTH,
        height: NODE_HEIGHT,
      };
      nodeAt.set(n.id, node);
      boxOf.set(n.id, b);
      return node;
    });
    const label = group.namespace === undefined ? 'outside the cluster' : `namespace ${group.namespace}`;
    const inside = insideCount.get(group.namespace) ?? 0;
    boxes.push({ ...(group.namespace === undefined ? {} : { namespace: group.namespace }), label, x, y, width, height, nodes, inside });
    x += width + BOX_GAP_X;
    rowHeight = Math.max(rowHeight, height);
  });
  const collapsed = g.edges.length > EDGE_LIMIT || g.nodes.length > NODE_LIMIT;
  const edges: Array<LaidOutEdge & Curve> = [];
  if (!collapsed) {
    for (const e of g.edges) {
      const ports = e.ports.join(', ');
      edges.push({
        from: e.from,
        to: e.to,
        label: truncate(ports, LABEL_LIMIT),
        title: `${e.from} -> ${e.to}: ${ports}`,
        allTraffic: e.ports.includes('all traffic'),
        ...curve(nodeAt.get(e.from)!, nodeAt.get(e.to)!),
      });
    }
  } else {
    const pairs = new Map<string, { from: number; to: number; count: number; allTraffic: boolean }>();
    for (const e of g.edges) {
      const from = boxOf.get(e.from)!;
      const to = boxOf.get(e.to)!;
      if (from === to) continue;
      const key = `${from} ${to}`;
      const entry = pairs.get(key) ?? { from, to, count: 0, allTraffic: false };
      entry.count++;
      entry.allTraffic ||= e.ports.includes('all traffic');
      pairs.set(key, entry);
    }
    const ordered = [...pairs.values()].sort((a, b) => a.from - b.from || a.to - b.to);
    for (const p of ordered) {
      const from = boxes[p.from];
      const to = boxes[p.to];
      const label = `${p.count} connection${p.count === 1 ? '' : 's'}`;
      edges.push({
        from: from.label, to: to.label, label, title: `${from.label} -> ${to.label}: ${label}`, allTraffic: p.allTraffic, ...curve(from, to),
      });
    }
  }
  const curves: Curve[] = edges;
  // The drawing's bounds: the boxes, and the curves that bend out of them (labels get a margin).
  const minX = Math.floor(Math.min(0, ...curves.map((c) => c.minX - 40)));
  const minY = Math.floor(Math.min(0, ...curves.map((c) => c.minY - 14)));
  const maxX = Math.ceil(Math.max(0, ...boxes.map((bx) => bx.x + bx.width), ...curves.map((c) => c.maxX + 40)));
  const maxY = Math.ceil(Math.max(0, ...boxes.map((bx) => bx.y + bx.height), ...curves.map((c) => c.maxY + 14)));
  const laidOut = edges.map(({ minX: _a, minY: _b, maxX: _c, maxY: _d, ...e }): LaidOutEdge => e);
  return { x: minX, y: minY, width: maxX - minX, height: maxY - minY, boxes, edges: laidOut, collapsed };
}

interface Rect { readonly x: number; readonly y: number; readonly width: number; readonly height: number }

/** An edge's curve, its label's place and its bounds (its ends and its middle, where the label is). */
interface Curve {
  readonly path: string;
  readonly labelX: number;
  readonly labelY: number;
  readonly minX: number;
  readonly minY: number;
  readonly maxX: number;
  readonly maxY: number;
}

/** The point where the segment from the centre of `r` toward (tx, ty) leaves `r`. */
function border(r: Rect, tx: number, ty: number): [number, number] {
  const cx = r.x + r.width / 2;
  const cy = r.y + r.height / 2;
  const dx = tx - cx;
  const dy = ty - cy;
  if (dx === 0 && dy === 0) return [cx, cy];
  const sx = dx === 0 ? Infinity : (r.width / 2) / Math.abs(dx);
  const sy = dy === 0 ? Infinity : (r.height / 2) / Math.abs(dy);
  const s = Math.min(sx, sy, 1);
  return [cx + dx * s, cy + dy * s];
}

/** Rounds to one decimal, so the SVG text is short and the same on every run. */
function r1(n: number): number {
  return Math.round(n * 10) / 10;
}

/** A curve from the border of `a` to the border of `b`, bent to its left, and the middle of the curve for the label. */
function curve(a: Rect, b: Rect): Curve {
  const ax = a.x + a.width / 2;
  const ay = a.y + a.height / 2;
  const bx = b.x + b.width / 2;
  const by = b.y + b.height / 2;
  const length = Math.hypot(bx - ax, by - ay) || 1;
  const bend = Math.min(length / 3, 24 + length / 7);
  // The control point: the middle, moved perpendicular to the line (to the left of a -> b).
  const cx = (ax + bx) / 2 + ((ay - by) / length) * bend;
  const cy = (ay + by) / 2 + ((bx - ax) / length) * bend;
  const [sx, sy] = border(a, cx, cy);
  const [ex, ey] = border(b, cx, cy);
  const mx = 0.25 * sx + 0.5 * cx + 0.25 * ex;
  const my = 0.25 * sy + 0.5 * cy + 0.25 * ey;
  return {
    path: `M${r1(sx)} ${r1(sy)} Q${r1(cx)} ${r1(cy)} ${r1(ex)} ${r1(ey)}`,
    labelX: r1(mx),
    labelY: r1(my),
    minX: Math.min(sx, mx, ex),
    minY: Math.min(sy, my, ey),
    maxX: Math.max(sx, mx, ex),
    maxY: Math.max(sy, my, ey),
  };
}

/** One cell of the connection grid. */
export interface GridCell {
  /** How many of the cell's pairs may connect (on some port). */
  readonly allowed: number;
  /** How many pairs the cell stands for (1 for two workloads; 0 on the diagonal of workloads). */
  readonly pairs: number;
  /** True when some allowed pair is allowed on all traffic. */
  readonly allTraffic: boolean;
  /** The tooltip: the pair and its ports, or the counts. */
  readonly title: string;
  /** The short text in the cell. */
  readonly text: string;
}

/** The matrix as a grid: workload by workload, or namespace by namespace for many workloads. */
export interface ConnectionGrid {
  /** True when the rows and columns are namespaces (more than `GRID_LIMIT` endpoints). */
  readonly byNamespace: boolean;
  /** Row (source) labels; the columns (destinations) are the same. */
  readonly labels: string[];
  readonly cells: GridCell[][];
}

/** Above this many endpoints the grid is namespace by namespace. */
export const GRID_LIMIT = 40;

/**
 * The allowed connections of `g` as a grid, rows the sources and columns the destinations: one row
 * per endpoint, or, above `GRID_LIMIT` endpoints, one per namespace (outside the cluster last),
 * each cell counting the pairs that may connect out of all of them.
 */
export function connectionGrid(g: ConnectivityGraph): ConnectionGrid {
  const edgeOf = new Map(g.edges.map((e) => [`${e.from}\u0000${e.to}`, e]));
  if (g.nodes.length <= GRID_LIMIT) {
    const ids = g.nodes.map((n) => n.id);
    const cells = ids.map((from) => ids.map((to): GridCell => {
      if (from === to) return { allowed: 0, pairs: 0, allTraffic: false, title: `${from} to itself: not drawn (a pod to itself is loopback)`, text: '' };
      const e = edgeOf.get(`${from}\u0000${to}`);
      if (!e) return { allowed: 0, pairs: 1, allTraffic: false, title: `${from} -> ${to}: denied`, text: '' };
      const ports = e.ports.join(', ');
      return { allowed: 1, pairs: 1, allTraffic: e.ports.includes('all traffic'), title: `${from} -> ${to}: ${ports}`, text: truncate(ports, 12) };
    }));
    return { byNamespace: false, labels: ids, cells };
  }
  const groups = g.groups;
  const groupOf = new Map<string, number>();
  groups.forEach((grp, i) => grp.nodes.forEach((n) => groupOf.set(n.id, i)));
  const counts = groups.map(() => groups.map(() => ({ allowed: 0, allTraffic: false })));
  for (const e of g.edges) {
    const c = counts[groupOf.get(e.from)!][groupOf.get(e.to)!];
    c.allowed++;
    c.allTraffic ||= e.ports.includes('all traffic');
  }
  const labels = groups.map((grp) => (grp.namespace === undefined ? 'outside the cluster' : grp.namespace));
  const cells = groups.map((a, i) => groups.map((b, j): GridCell => {
    const pairs = a.nodes.length * b.nodes.length - (i === j ? a.nodes.length : 0);
    const { allowed, allTraffic } = counts[i][j];
    return { allowed, pairs, allTraffic, title: `${labels[i]} -> ${labels[j]}: ${allowed} of ${pairs} pairs may connect`, text: pairs === 0 ? '' : `${allowed}/${pairs}` };
  }));
  return { byNamespace: true, labels, cells };
}
