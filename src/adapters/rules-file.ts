import * as jsyaml from 'js-yaml';
import { EndpointSelectionSpec, InvariantKind, InvariantSpec, ZoneSpec } from '../analysis/invariants';
import { checkLabelSelector } from '../k8s/api-server-rules';
import { dns1123LabelProblems } from '../k8s/names';
import { PortEntry, PORT_PROTOCOLS } from '../k8s/port-set';

/** The `apiVersion` of a rules file this release reads. */
export const RULES_API_VERSION = 'netpol.cdk8s.dev/v1alpha1';
/** The `kind` of a rules file. */
export const RULES_KIND = 'SegmentationRules';

/** A mistake in a rules file: where (file and line), what, and how to fix it. */
export interface RulesFileProblem {
  readonly file: string;
  readonly line?: number;
  /** What is wrong and how to fix it. */
  readonly message: string;
}

/** A rules file read: its zones and invariants (when there are no problems). */
export interface RulesFile {
  readonly zones: ZoneSpec[];
  readonly invariants: InvariantSpec[];
  readonly problems: RulesFileProblem[];
}

const RULE_KINDS: Record<string, InvariantKind> = {
  only: InvariantKind.ONLY,
  never: InvariantKind.NEVER,
  contained: InvariantKind.CONTAINED,
  isolated: InvariantKind.ISOLATED,
};

const SELECTION_FIELDS = ['zone', 'workload', 'external', 'outsideCluster', 'namespace', 'namespaceSelector', 'podSelector'];
const SELECTION_HELP = 'An endpoint selection is one of {zone: <name>}, {workload: <namespace>/<name>}, {external: <name>}, {outsideCluster: true}, '
  + 'or pods by {namespace: <name>} or {namespaceSelector: <label selector>} and/or {podSelector: <label selector>}';
const RULE_NAME = /^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/;

/** Where each node of a YAML document starts: a mapping's keys and a sequence's items, by line. */
class Lines {
  private readonly byNode = new WeakMap<object, { line: number; children: number[] }>();

  public record(node: object, line: number, children: number[]): void {
    if (!this.byNode.has(node)) this.byNode.set(node, { line, children });
  }

  /** The line `node` starts on. */
  public of(node: unknown, fallback?: number): number | undefined {
    return typeof node === 'object' && node !== null ? this.byNode.get(node)?.line ?? fallback : fallback;
  }

  /** The line of the key `key` of a mapping. */
  public key(node: Record<string, unknown>, key: string): number | undefined {
    const info = this.byNode.get(node);
    const i = Object.keys(node).indexOf(key);
    return info && i >= 0 ? info.children[2 * i] ?? info.line : info?.line;
  }

  /** The line of item `i` of a sequence. */
  public item(node: unknown[], i: number): number | undefined {
    const info = this.byNode.get(node);
    return info ? info.children[i] ?? info.line : undefined;
  }
}

/**
 * Reads a rules file (YAML or JSON, one document): zones of endpoints and invariants over them, as
 * docs/rules-file.md describes. Every unknown field, missing field and bad value is a problem with
 * its file, line and fix; nothing is dropped or guessed.
 */
export function parseRulesFile(text: string, file: string): RulesFile {
  const lines = new Lines();
  const stack: Array<{ line: number; children: number[] }> = [];
  let docs: unknown[];
  try {
    docs = jsyaml.loadAll(text, undefined, {
      filename: file,
      schema: jsyaml.CORE_SCHEMA,
      listener: (event, state) => {
        if (event === 'open') {
          stack.push({ line: state.line + 1, children: [] });
          return;
        }
        const frame = stack.pop()!;
        const result = (state as unknown as { result: unknown }).result;
        if (typeof result === 'object' && result !== null) lines.record(result, frame.line, frame.children);
        stack[stack.length - 1]?.children.push(frame.line);
      },
    });
  } catch (e) {
    const mark = (e as { mark?: { line?: number } }).mark;
    const reason = ((e as { reason?: string }).reason ?? (e as Error).message).split('\n')[0];
    return { zones: [], invariants: [], problems: [{ file, line: mark?.line !== undefined ? mark.line + 1 : undefined, message: `cannot parse YAML: ${reason}. Fix the syntax.` }] };
  }
  const parser = new Parser(file, lines);
  const present = docs.filter((d) => d !== null && d !== undefined);
  if (present.length !== 1) {
    parser.problem(undefined, present.length === 0
      ? `holds no rules. Write a document with apiVersion: ${RULES_API_VERSION}, kind: ${RULES_KIND} and rules (see docs/rules-file.md).`
      : `holds ${present.length} YAML documents; a rules file is one. Merge them into one document, or give each its own file.`);
    return { zones: [], invariants: [], problems: parser.problems };
  }
  return parser.document(present[0]);
}

interface ParsedZone {
  readonly name: string;
  readonly members: EndpointSelectionSpec[];
  readonly line: number | undefined;
}

class Parser {
  public readonly problems: RulesFileProblem[] = [];
  private readonly zoneLines = new Map<string, number | undefined>();

  constructor(private readonly file: string, private readonly lines: Lines) {}

  public problem(line: number | undefined, message: string): void {
    this.problems.push({ file: this.file, ...(line !== undefined ? { line } : {}), message });
  }

  public document(doc: unknown): RulesFile {
    const root = this.mapping(doc, 'the document', undefined, ['apiVersion', 'kind', 'zones', 'rules'], ['apiVersion', 'kind', 'rules']);
    if (!root) return { zones: [], invariants: [], problems: this.problems };
    if (root.apiVersion !== undefined && root.apiVersion !== RULES_API_VERSION) {
      this.problem(this.lines.key(root, 'apiVersion'), `apiVersion ${JSON.stringify(root.apiVersion)} is not supported. Write apiVersion: ${RULES_API_VERSION}.`);
    }
    if (root.kind !== undefined && root.kind !== RULES_KIND) {
      this.problem(this.lines.key(root, 'kind'), `kind ${JSON.stringify(root.kind)} is not supported. Write kind: ${RULES_KIND}.`);
    }
    const zones: ZoneSpec[] = [];
    const zoneList = root.zones === undefined ? [] : this.list(root.zones, 'zones', this.lines.key(root, 'zones'), false);
    // Names first, so that a zone may name a zone declared after it.
    (zoneList ?? []).forEach((z, i) => {
      if (typeof z === 'object' && z !== null && !Array.isArray(z) && typeof (z as any).name === 'string') {
        const name = (z as any).name as string;
        if (!this.zoneLines.has(name)) this.zoneLines.set(name, this.lines.key(z as Record<string, unknown>, 'name') ?? this.lines.item(zoneList!, i));
      }
    });
    const seenZones = new Map<string, number | undefined>();
    (zoneList ?? []).forEach((z, i) => {
      const zone = this.zone(z, `zones[${i}]`, this.lines.item(zoneList!, i));
      if (!zone) return;
      if (seenZones.has(zone.name)) {
        this.problem(zone.line, `zones[${i}]: zone ${zone.name} is declared twice (first at line ${seenZones.get(zone.name)}). Give each zone a name of its own.`);
        return;
      }
      seenZones.set(zone.name, zone.line);
      zones.push({ name: zone.name, members: zone.members, where: `${this.file}:${zone.line}` });
    });
    this.checkZoneCycles(zones);
    const invariants: InvariantSpec[] = [];
    const ruleList = root.rules === undefined || root.rules === null ? undefined : this.list(root.rules, 'rules', this.lines.key(root, 'rules'), true);
    const names = new Map<string, number | undefined>();
    (ruleList ?? []).forEach((r, i) => {
      const rule = this.rule(r, `rules[${i}]`, this.lines.item(ruleList!, i));
      if (!rule) return;
      if (names.has(rule.name)) {
        this.problem(this.lines.of(r), `rules[${i}]: rule ${rule.name} is declared twice (first at line ${names.get(rule.name)}). Give each rule a name of its own.`);
        return;
      }
      names.set(rule.name, this.lines.of(r));
      invariants.push(rule);
    });
    const problems = this.problems.map((p, i) => ({ p, i })).sort((a, b) => (a.p.line ?? 0) - (b.p.line ?? 0) || a.i - b.i).map((x) => x.p);
    return { zones, invariants, problems };
  }

  private zone(value: unknown, path: string, line: number | undefined): ParsedZone | undefined {
    const z = this.mapping(value, path, line, ['name', 'members'], ['name', 'members']);
    if (!z) return undefined;
    const name = this.name(z, path, 'zone', (n) => dns1123LabelProblems(n), 'Name the zone like a namespace: lower-case letters, digits and hyphens, e.g. pci.');
    const members = z.members === undefined || z.members === null ? undefined : this.selections(z.members, `${path}.members`, this.lines.key(z, 'members'));
    if (name === undefined || members === undefined) return undefined;
    return { name, members, line: this.lines.of(z, line) };
  }

  private rule(value: unknown, path: string, line: number | undefined): InvariantSpec | undefined {
    const r = this.mapping(value, path, line, ['name', 'description', ...Object.keys(RULE_KINDS)], ['name']);
    if (!r) return undefined;
    const name = this.name(r, path, 'rule', (n) => (RULE_NAME.test(n) ? [] : ['must be 1 to 63 letters, digits, ".", "_" or "-", starting and ending with a letter or digit']),
      'Name the rule, e.g. only-api-reaches-pci.');
    if (r.description !== undefined && typeof r.description !== 'string') {
      this.problem(this.lines.key(r, 'description'), `${path}.description: must be a string. Quote it, or leave it out.`);
    }
    const kinds = Object.keys(RULE_KINDS).filter((k) => r[k] !== undefined);
    if (kinds.length !== 1) {
      this.problem(this.lines.of(r, line), `${path}: ${kinds.length === 0 ? 'says no invariant' : `says ${kinds.join(' and ')}`}: a rule is exactly one of ${Object.keys(RULE_KINDS).join(', ')}. `
        + `${kinds.length === 0 ? 'Add one' : 'Split it into one rule each'} (see docs/rules-file.md).`);
      return undefined;
    }
    const key = kinds[0];
    const kind = RULE_KINDS[key];
    const where = `${this.file}:${this.lines.of(r, line) ?? 1}`;
    const bodyPath = `${path}.${key}`;
    const bodyLine = this.lines.key(r, key);
    const body = r[key];
    const sel = (m: Record<string, unknown>, field: string) => (m[field] === undefined || m[field] === null
      ? undefined // reported as required
      : this.selections(m[field], `${bodyPath}.${field}`, this.lines.key(m, field) ?? bodyLine));
    const ports = (m: Record<string, unknown>) => (m.ports === undefined ? undefined : this.ports(m.ports, `${bodyPath}.ports`, this.lines.key(m, 'ports') ?? bodyLine));
    switch (kind) {
      case InvariantKind.ONLY:
      case InvariantKind.NEVER: {
        const m = this.mapping(body, bodyPath, bodyLine, ['from', 'to', 'ports'], ['from', 'to']);
        if (!m) return undefined;
        const from = sel(m, 'from');
        const to = sel(m, 'to');
        const p = ports(m);
        if (!from || !to || (m.ports !== undefined && !p)) return undefined;
        return { name: name!, kind, where, from, to, ...(p ? { ports: p } : {}) };
      }
      case InvariantKind.CONTAINED: {
        const m = this.mapping(body, bodyPath, bodyLine, ['zone', 'except', 'ports'], ['zone']);
        if (!m) return undefined;
        const zone = m.zone === undefined || m.zone === null ? undefined : this.zoneRef(m.zone, `${bodyPath}.zone`, this.lines.key(m, 'zone') ?? bodyLine);
        const except = m.except === undefined ? undefined : sel(m, 'except');
        const p = ports(m);
        if (p && m.except === undefined) {
          this.problem(this.lines.key(m, 'ports'), `${bodyPath}.ports: ports say where the except destinations may be reached, but there is no except. Add except, or remove ports.`);
          return undefined;
        }
        if (zone === undefined || (m.except !== undefined && !except) || (m.ports !== undefined && !p)) return undefined;
        return { name: name!, kind, where, zone: [{ zone }], ...(except ? { except } : {}), ...(p ? { ports: p } : {}) };
      }
      case InvariantKind.ISOLATED: {
        const m = this.mapping(body, bodyPath, bodyLine, ['zones'], ['zones']);
        if (!m) return undefined;
        if (m.zones === undefined || m.zones === null) return undefined;
        const list = this.list(m.zones, `${bodyPath}.zones`, this.lines.key(m, 'zones') ?? bodyLine, true);
        if (!list) return undefined;
        if (list.length < 2) {
          this.problem(this.lines.key(m, 'zones'), `${bodyPath}.zones: isolated needs at least two zones to keep apart. List two zones or more, e.g. zones: [dev, prod].`);
          return undefined;
        }
        const groups = list.map((z, i) => this.zoneRef(z, `${bodyPath}.zones[${i}]`, this.lines.item(list, i)));
        if (groups.some((g) => g === undefined)) return undefined;
        return { name: name!, kind, where, groups: groups.map((g) => [{ zone: g! }]) };
      }
    }
    return undefined;
  }

  private zoneRef(value: unknown, path: string, line: number | undefined): string | undefined {
    if (typeof value !== 'string') {
      this.problem(line, `${path}: ${JSON.stringify(value)} is not a zone name. Give the name of a zone declared under zones.`);
      return undefined;
    }
    if (!this.zoneLines.has(value)) {
      const known = [...this.zoneLines.keys()].sort();
      this.problem(line, `${path}: zone ${value} is not declared. ${known.length > 0 ? `The zones are: ${known.join(', ')}.` : 'No zone is declared.'} Declare it under zones, or fix the name.`);
      return undefined;
    }
    return value;
  }

  private selections(value: unknown, path: string, line: number | undefined): EndpointSelectionSpec[] | undefined {
    const list = this.list(value, path, line, true);
    if (!list) return undefined;
    const out = list.map((s, i) => this.selection(s, `${path}[${i}]`, this.lines.item(list, i)));
    return out.every((s) => s !== undefined) ? out as EndpointSelectionSpec[] : undefined;
  }

  private selection(value: unknown, path: string, line: number | undefined): EndpointSelectionSpec | undefined {
    const s = this.mapping(value, path, line, SELECTION_FIELDS, [], SELECTION_HELP);
    if (!s) return undefined;
    const at = (k: string) => this.lines.key(s, k) ?? this.lines.of(s, line);
    const given = SELECTION_FIELDS.filter((k) => s[k] !== undefined);
    if (given.length === 0) {
      this.problem(this.lines.of(s, line), `${path}: selects nothing. ${SELECTION_HELP}.`);
      return undefined;
    }
    const alone = ['zone', 'workload', 'external', 'outsideCluster'].filter((k) => s[k] !== undefined);
    if (alone.length > 0 && given.length > 1) {
      this.problem(at(alone[0]), `${path}: ${alone[0]} stands alone, but ${given.filter((k) => k !== alone[0]).join(', ')} is given too. Give one selection per list item. ${SELECTION_HELP}.`);
      return undefined;
    }
    if (s.zone !== undefined) {
      const zone = this.zoneRef(s.zone, `${path}.zone`, at('zone'));
      return zone === undefined ? undefined : { zone };
    }
    if (s.workload !== undefined) {
      const w = s.workload;
      const parts = typeof w === 'string' ? w.split('/') : [];
      if (parts.length !== 2 || dns1123LabelProblems(parts[0]).length > 0 || parts[1] === '') {
        this.problem(at('workload'), `${path}.workload: ${JSON.stringify(w)} is not <namespace>/<name>. Give the id netpol matrix prints, e.g. shop/api.`);
        return undefined;
      }
      return { id: w as string };
    }
    if (s.external !== undefined) {
      if (typeof s.external !== 'string' || s.external === '' || s.external.includes('/')) {
        this.problem(at('external'), `${path}.external: ${JSON.stringify(s.external)} is not the name of an external endpoint. Give the name of an --external (no "/").`);
        return undefined;
      }
      return { id: s.external };
    }
    if (s.outsideCluster !== undefined) {
      if (s.outsideCluster !== true) {
        this.problem(at('outsideCluster'), `${path}.outsideCluster: ${JSON.stringify(s.outsideCluster)} is not true. Write outsideCluster: true, or leave it out.`);
        return undefined;
      }
      return { outsideCluster: true };
    }
    if (s.namespace !== undefined && s.namespaceSelector !== undefined) {
      this.problem(at('namespaceSelector'), `${path}: give namespace or namespaceSelector, not both. Use namespace for one namespace by name.`);
      return undefined;
    }
    const out: { namespace?: string; namespaceSelector?: any; podSelector?: any } = {};
    let ok = true;
    if (s.namespace !== undefined) {
      const problems = typeof s.namespace === 'string' ? dns1123LabelProblems(s.namespace) : ['is not a string'];
      if (problems.length > 0) {
        this.problem(at('namespace'), `${path}.namespace: ${JSON.stringify(s.namespace)} is not a namespace name (${problems.join('; ')}). Give the name of a namespace, e.g. payments.`);
        ok = false;
      } else {
        out.namespace = s.namespace as string;
      }
    }
    for (const field of ['namespaceSelector', 'podSelector'] as const) {
      if (s[field] === undefined) continue;
      const selector = this.labelSelector(s[field], `${path}.${field}`, at(field));
      if (selector === undefined) ok = false;
      else out[field] = selector;
    }
    return ok ? out : undefined;
  }

  private labelSelector(value: unknown, path: string, line: number | undefined): object | undefined {
    const m = this.mapping(value, path, line, ['matchLabels', 'matchExpressions'], []);
    if (!m) return undefined;
    if (m.matchLabels === undefined && m.matchExpressions === undefined) {
      this.problem(this.lines.of(m, line), `${path}: {} would match everything. Give matchLabels or matchExpressions; for every pod of a namespace, select the namespace alone.`);
      return undefined;
    }
    if (Array.isArray(m.matchExpressions)) {
      m.matchExpressions.forEach((e, i) => this.mapping(e, `${path}.matchExpressions[${i}]`, this.lines.item(m.matchExpressions as unknown[], i), ['key', 'operator', 'values'], ['key', 'operator']));
    }
    const findings = checkLabelSelector(m, path);
    for (const f of findings) this.problem(this.lines.of(m, line), `${f.field}: ${f.message}. ${f.fix}`);
    return findings.length === 0 ? m : undefined;
  }

  private ports(value: unknown, path: string, line: number | undefined): PortEntry[] | undefined {
    const list = this.list(value, path, line, true);
    if (!list) return undefined;
    const out = list.map((p, i): PortEntry | undefined => {
      const itemPath = `${path}[${i}]`;
      const itemLine = this.lines.item(list, i);
      const m = this.mapping(p, itemPath, itemLine, ['port', 'endPort', 'protocol'], []);
      if (!m) return undefined;
      const protocol = m.protocol ?? 'TCP';
      if (typeof protocol !== 'string' || !PORT_PROTOCOLS.includes(protocol)) {
        this.problem(this.lines.key(m, 'protocol'), `${itemPath}.protocol: ${JSON.stringify(m.protocol)} is not supported. Use one of ${PORT_PROTOCOLS.join(', ')} (upper case).`);
        return undefined;
      }
      if (m.port === undefined) {
        if (m.endPort !== undefined) {
          this.problem(this.lines.key(m, 'endPort'), `${itemPath}.endPort: needs port. Give port, the first port of the range.`);
          return undefined;
        }
        if (m.protocol === undefined) {
          this.problem(this.lines.of(m, itemLine), `${itemPath}: {} names no port. Give port (and endPort for a range), or protocol alone for every port of a protocol.`);
          return undefined;
        }
        return { kind: 'allPorts', protocol };
      }
      const number = (field: 'port' | 'endPort'): number | undefined => {
        const v = m[field];
        if (typeof v === 'string') {
          this.problem(this.lines.key(m, field), `${itemPath}.${field}: ${JSON.stringify(v)} is not a port number; named ports differ from pod to pod. Give the number, e.g. 8080.`);
          return undefined;
        }
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 65535) {
          this.problem(this.lines.key(m, field), `${itemPath}.${field}: ${JSON.stringify(v)} is not a port number. Give an integer from 1 to 65535.`);
          return undefined;
        }
        return v;
      };
      const port = number('port');
      const endPort = m.endPort === undefined ? undefined : number('endPort');
      if (port === undefined || (m.endPort !== undefined && endPort === undefined)) return undefined;
      if (endPort !== undefined && endPort < port) {
        this.problem(this.lines.key(m, 'endPort'), `${itemPath}: ${port}-${endPort} is an empty range. Give the lower port first, e.g. port: ${endPort}, endPort: ${port}.`);
        return undefined;
      }
      return { kind: 'numbered', protocol, port, ...(endPort !== undefined && endPort !== port ? { endPort } : {}) };
    });
    return out.every((p) => p !== undefined) ? out as PortEntry[] : undefined;
  }

  private name(m: Record<string, unknown>, path: string, what: string, problemsOf: (n: string) => string[], fix: string): string | undefined {
    const v = m.name;
    if (v === undefined || v === null) return undefined; // reported as required
    const problems = typeof v === 'string' ? problemsOf(v) : ['is not a string'];
    if (problems.length > 0) {
      this.problem(this.lines.key(m, 'name'), `${path}.name: ${JSON.stringify(v)} is not a valid ${what} name (${problems.join('; ')}). ${fix}`);
      return undefined;
    }
    return v as string;
  }

  private list(value: unknown, path: string, line: number | undefined, nonEmpty: boolean): unknown[] | undefined {
    if (!Array.isArray(value)) {
      this.problem(this.lines.of(value, line), `${path}: ${JSON.stringify(value) ?? 'nothing'} is not a list. Write it as a YAML list (- item per line, or [a, b]).`);
      return undefined;
    }
    if (nonEmpty && value.length === 0) {
      this.problem(line, `${path}: is empty. Give at least one item, or leave the field out where it is optional.`);
      return undefined;
    }
    return value;
  }

  private mapping(
    value: unknown, path: string, line: number | undefined, known: string[], required: string[], help?: string,
  ): Record<string, unknown> | undefined {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.problem(this.lines.of(value, line), `${path}: ${JSON.stringify(value) ?? 'nothing'} is not a mapping. Write its fields as key: value${help ? `. ${help}` : ''}.`);
      return undefined;
    }
    const m = value as Record<string, unknown>;
    for (const key of Object.keys(m)) {
      if (!known.includes(key)) {
        const close = known.find((k) => k.toLowerCase() === key.toLowerCase())
          ?? known.find((k) => editDistance(k, key) <= Math.max(1, Math.floor(k.length / 2)));
        this.problem(this.lines.key(m, key), `${path}: unknown field ${JSON.stringify(key)}. ${close ? `Did you mean ${close}?` : `The fields are: ${known.join(', ')}.`}`
          + `${help && !close ? ` ${help}.` : ''}`);
      }
    }
    for (const key of required) {
      if (m[key] === undefined || m[key] === null) this.problem(this.lines.of(m, line), `${path}: ${key} is required. Add ${key} (see docs/rules-file.md).`);
    }
    // Returned even with problems, so that the rest of it is checked too: every problem is reported at once.
    return m;
  }

  /** A zone that contains itself, through other zones, is a problem at its declaration. */
  private checkZoneCycles(zones: ZoneSpec[]): void {
    const byName = new Map(zones.map((z) => [z.name, z]));
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (name: string, trail: string[]): void => {
      if (state.get(name) === 'done') return;
      if (state.get(name) === 'visiting') {
        const cycle = [...trail.slice(trail.indexOf(name)), name];
        this.problem(this.zoneLines.get(name), `zone ${name} contains itself (${cycle.join(' -> ')}). A zone may name other zones, but not in a cycle.`);
        return;
      }
      state.set(name, 'visiting');
      for (const m of byName.get(name)?.members ?? []) if (m.zone !== undefined) visit(m.zone, [...trail, name]);
      state.set(name, 'done');
    };
    for (const z of zones) visit(z.name, []);
  }
}

/** The Levenshtein distance of two short strings, for "did you mean". */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row.push(Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1)));
    prev = row;
  }
  return prev[b.length];
}
