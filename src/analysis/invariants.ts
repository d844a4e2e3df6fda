import { Bitset } from './bitset';
import { ciliumApplies, ciliumRulesOf, ciliumWidestAllow, inputLeavesOpen } from './cilium-semantics';
import { Explanation } from './explanation';
import { computeSides, ComputedSides, Selections } from './matrix';
import { applicableRules, tierPolicies } from './precedence';
import { probePorts, ProbePort } from './probe-ports';
import { Reachability } from './reachability';
import {
  addressesInside, describeAddresses, peerMatches, portsMatch, Reading as PolicyReading, resolveTraffic, rulePeerMatch, selects, Side,
  tierRuleMatches,
} from './semantics';
import { describeRule, OWN_NODE_REASON, RuleReference, SideVerdict } from './verdict';
import { ciliumSelects } from '../inventory/cilium-policy';
import { Cluster, ClusterEndpoint, ipBlockContains } from '../inventory/cluster';
import { formatIp, ParsedCidr } from '../k8s/cidr';
import { compileSelector, CompiledSelector, describeSelector } from '../k8s/label-selector';
import { LabelSelectorJson, NAMESPACE_NAME_LABEL } from '../k8s/manifest';
import { PortEntry, PortSet, setMatches } from '../k8s/port-set';
import { Port } from '../model/port';
import { Protocol } from '../model/protocol';

/** The kinds of segmentation invariants. */
export enum InvariantKind {
  /** Only these sources may reach the destinations (on these ports); traffic inside the destinations is not counted. */
  ONLY = 'ONLY',
  /** These sources never reach the destinations (on these ports). */
  NEVER = 'NEVER',
  /** A zone reaches nothing outside itself, except these destinations (on these ports). */
  CONTAINED = 'CONTAINED',
  /** No traffic between the groups (environments), in either direction. */
  ISOLATED = 'ISOLATED',
}

/**
 * Some endpoints, as the invariants name them: exactly one of a zone, an endpoint id, every address
 * outside the cluster, or pods by namespace (a name or a namespace selector) and labels (AND-ed).
 * Plain data: the constructs and the rules file both build it.
 */
export interface EndpointSelectionSpec {
  /** The members of the zone of this name. */
  readonly zone?: string;
  /** The endpoint of this id: `<namespace>/<name>` of a pod or workload, or an external endpoint's name. */
  readonly id?: string;
  /** Every endpoint outside the cluster (the external endpoints of the model). */
  readonly outsideCluster?: boolean;
  /** Pods of this namespace. */
  readonly namespace?: string;
  /** Pods of the namespaces whose labels match. */
  readonly namespaceSelector?: LabelSelectorJson;
  /** Pods whose labels match (in every namespace, unless `namespace` or `namespaceSelector` says which). */
  readonly podSelector?: LabelSelectorJson;
}

/** A named group of endpoints (e.g. a compliance scope such as `pci`): the union of its members. */
export interface ZoneSpec {
  readonly name: string;
  readonly members: readonly EndpointSelectionSpec[];
  /** Where it was declared (a construct path, `file:line`), for messages. */
  readonly where?: string;
}

/** One invariant, as plain data. Which fields apply depends on `kind`. */
export interface InvariantSpec {
  readonly name: string;
  readonly kind: InvariantKind;
  /** Where it was declared (a construct path, `file:line`), for messages. */
  readonly where?: string;
  /** ONLY, NEVER: the sources. */
  readonly from?: readonly EndpointSelectionSpec[];
  /** ONLY, NEVER: the destinations. */
  readonly to?: readonly EndpointSelectionSpec[];
  /**
   * ONLY: the ports the sources may use (every other port counts as a violation); NEVER: the ports
   * that are forbidden; CONTAINED: the ports of the `except` destinations. Numbered ports, ranges
   * and every port of a protocol; undefined: every port.
   */
  readonly ports?: PortSet;
  /** CONTAINED: the zone. */
  readonly zone?: readonly EndpointSelectionSpec[];
  /** CONTAINED: the destinations outside the zone it may reach. */
  readonly except?: readonly EndpointSelectionSpec[];
  /** ISOLATED: the groups (at least two). */
  readonly groups?: ReadonlyArray<readonly EndpointSelectionSpec[]>;
}

/** One connection that breaks an invariant: a pair, a port, and the analyser's explanation of why it is allowed. */
export interface InvariantViolation {
  /** The source. */
  readonly from: string;
  /** The destination. */
  readonly to: string;
  /** The port it is allowed on, e.g. `444/TCP`. */
  readonly port: string;
  /**
   * The ports that share its verdict: `444/TCP`, `440-450/TCP`, or `other TCP ports` (every port
   * no rule and no invariant names).
   */
  readonly ports: string;
  /** The rules that allow it (both sides; empty for a side no policy isolates). */
  readonly allowedBy: RuleReference[];
  /** The analyser's explanation of the connection on `port`. */
  readonly explanation: Explanation;
  /**
   * True when it breaks the invariant only in some readings of what the input leaves open (the
   * result's `notes` say which, `guess` in short): the labels of namespaces the input has no
   * Namespace object for, a Cilium selector or tier rule the model cannot decide, the address of a
   * dual-stack end a connection uses (a block holding some of them), whether Cilium's DNS proxy sees
   * a lookup, an ipBlock that may hold an address the input does not give (a pod without status.podIP, a
   * workload), or an allow rule the model leaves out (read as what it may allow). It may not occur in the real cluster,
   * and `explanation` (fail closed) may say the connection is denied.
   * @default - it breaks the invariant in every reading of the input
   */
  readonly guessed?: boolean;
  /**
   * What a guessed counterexample rests on, in words: `namespace labels`, `a rule the model leaves
   * out`, `what Cilium's DNS proxy sees`, `the address a connection uses`, `an address the input does not give`, ... (joined by `and`).
   * @default - it is not guessed
   */
  readonly guess?: string;
}

/** Whether one invariant holds, and if not, one connection that breaks it. */
export interface InvariantResult {
  /** The invariant's name. */
  readonly name: string;
  /** Its kind. */
  readonly kind: InvariantKind;
  /** What it says, in words: `only shop/api may reach zone pci on 443/TCP`. */
  readonly statement: string;
  /** Where it was declared (a construct path, `file:line`). @default - not known */
  readonly where?: string;
  /** Whether it holds for the policies. */
  readonly holds: boolean;
  /** The first connection that breaks it (by source, destination, then port). @default - it holds, or `problem` says why not */
  readonly violation?: InvariantViolation;
  /**
   * Why it cannot be checked, which fails it: a set of endpoints it names matches no endpoint of
   * the model (a mistyped label would otherwise make it hold for nothing). @default - none
   */
  readonly problem?: string;
  /**
   * What a guessed counterexample rests on: the namespaces without a Namespace object in the input
   * whose unknown labels decide whether a selection of the invariant names their pods, or the
   * policies whose rules may or may not allow the connection (a rule the model leaves out named by
   * its field and why), and how to decide them. @default - none
   */
  readonly notes?: string[];
}

/**
 * The invariants checked against one model: each with pass or fail and, when it fails, one
 * counterexample. Plain data; the formats render it (`TextFormat.invariants`, `JsonFormat.invariants`,
 * `MarkdownFormat.invariants`).
 */
export class InvariantReport {
  /** @internal */
  public static _of(results: InvariantResult[], ports: string[]): InvariantReport {
    return new InvariantReport(results, ports);
  }

  /** Every invariant, in the order declared. */
  public readonly results: InvariantResult[];
  /** The ports that were checked: every interval any rule or invariant names, and the stand-in for every other port. */
  public readonly ports: string[];

  private constructor(results: InvariantResult[], ports: string[]) {
    this.results = results;
    this.ports = ports;
  }

  /** Whether every invariant holds. */
  public get holds(): boolean {
    return this.results.every((r) => r.holds);
  }

  /** The invariants that do not hold. */
  public get failures(): InvariantResult[] {
    return this.results.filter((r) => !r.holds);
  }
}

/** A mistake in the zones or invariants themselves (an unknown zone, a cycle), with where it is. */
export class InvariantSpecError extends Error {}

/**
 * Checks invariants against the model: the one evaluation of the library, used by the `Invariants`
 * construct at synth and by `netpol check --rules`.
 *
 * Every port that can make a difference is checked: the intervals between the bounds of every
 * rule's ports and of every port an invariant names, and one stand-in for every other port of each
 * protocol (`probePorts`). A connection counts when the analyser allows it (both sides); traffic of
 * a single pod to itself is never policed and never counts.
 */
export function checkInvariants(reachability: Reachability, zones: readonly ZoneSpec[], invariants: readonly InvariantSpec[]): InvariantReport {
  const cluster = reachability._cluster;
  const focus = invariants.flatMap((i) => [...(i.ports ?? [])]);
  for (const i of invariants) {
    for (const entry of i.ports ?? []) {
      if (entry.kind === 'named') {
        throw new InvariantSpecError(`${at(i)}invariant ${i.name}: port ${entry.name}/${entry.protocol} is a named port, whose number differs from pod to pod. Give the port number or range.`);
      }
    }
  }
  // The probes of the widest reading too (the ports of the left-out allows the strict search reads).
  const probes = probePorts([cluster], [], focus, 'widest');
  const context = new Context(cluster, zones, probes);
  const results = invariants.map((i) => context.check(reachability, i));
  return InvariantReport._of(results, probes.map((p) => p.label));
}

function at(x: { where?: string }): string {
  return x.where ? `${x.where}: ` : '';
}

/**
 * The endpoints a selection names, in the two readings of the labels of namespaces the input has no
 * Namespace object for (only `kubernetes.io/metadata.name` is known there, `Cluster.namespaceMatches`):
 * `must`, the endpoints it names whatever those labels are, and `may`, those it names for some of
 * them (`must` is a subset of `may`; they are equal when no guess is involved). Every labelling
 * consistent with the input names a set between the two.
 */
interface Reading {
  readonly must: Bitset;
  readonly may: Bitset;
}

/**
 * How a search reads the selections. `STRICT`: each role in the reading that makes the invariant
 * hardest to hold, so a search that finds nothing proves it for every labelling. `CERTAIN`: the
 * opposite reading, so a connection it finds breaks the invariant for every labelling.
 */
enum Mode { STRICT, CERTAIN }

/** A set of endpoints a violation is sought in, per probe: the sources, and the destinations of each source. */
interface Search {
  /** The sources that may break the invariant. */
  readonly sources: Bitset;
  /** The destinations whose connection from `s` on probe `k` breaks the invariant. */
  readonly destinations: (s: number, k: number) => Bitset;
}

class Context {
  private readonly n: number;
  /** The sides of each probe, fail closed (`sides`) and in the widest reading (`wideSides`, `Reading`). */
  private readonly sides: ComputedSides[] = [];
  private readonly wideSides: ComputedSides[] = [];
  private readonly selections: Selections;
  private wideSelections?: Selections;
  /** Whether the input leaves something open that the widest reading may allow more for (else it is the fail-closed one). */
  private readonly open: boolean;
  private readonly all: Bitset;
  /** The words of a mask that are not zero, by mask (masks are shared by many searches). */
  private readonly nonZero = new WeakMap<Bitset, number[]>();
  private readonly zoneSets = new Map<string, Reading>();
  private readonly zoneSpecs = new Map<string, ZoneSpec>();
  private readonly resolving = new Set<string>();
  /** Endpoint indexes by id (code-unit order): the order counterexamples are sought in. */
  private readonly order: number[];
  private readonly rank: number[];

  constructor(private readonly cluster: Cluster, zones: readonly ZoneSpec[], private readonly probes: ProbePort[]) {
    this.n = cluster.endpoints.length;
    this.all = Bitset.full(this.n);
    this.selections = new Selections(cluster);
    this.open = inputLeavesOpen(cluster);
    for (const z of zones) {
      if (this.zoneSpecs.has(z.name)) {
        const other = this.zoneSpecs.get(z.name)!.where ?? 'an earlier declaration';
        throw new InvariantSpecError(`${at(z)}zone ${z.name} is declared twice (also at ${other}). Give each zone a name of its own.`);
      }
      this.zoneSpecs.set(z.name, z);
    }
    this.order = cluster.endpoints.map((e) => e.index).sort((a, b) => compareIds(cluster.endpoints[a].id, cluster.endpoints[b].id));
    this.rank = new Array(this.n);
    this.order.forEach((e, r) => (this.rank[e] = r));
  }

  public check(reachability: Reachability, invariant: InvariantSpec): InvariantResult {
    const where = invariant.where ? { where: invariant.where } : {};
    const base = { name: invariant.name, kind: invariant.kind, statement: statementOf(invariant), ...where };
    const sets = this.setsOf(invariant);
    // An invariant that names no endpoint in any labelling would hold for nothing. One that may name
    // some is checked: the strict readings below never let a guess make it hold.
    const empty = sets.find((s) => s.set.may.isEmpty());
    if (empty) {
      return {
        ...base,
        holds: false,
        problem: `${empty.role} (${describeSelections(empty.selections)}) matches no endpoint of the model, so the invariant would hold for nothing. `
          + 'Check its namespaces, labels and ids against the manifests, or add the missing pods as surroundings.',
      };
    }
    const readings = sets.map((s) => s.set);
    const decided = readings.every((r) => r.must.equals(r.may));
    // First a counterexample that holds for every reading of the input: the selections read
    // CERTAIN, the policies fail closed (what they allow, they allow in every reading). Only when
    // there is none, one the strict search finds: the selections read STRICT, the policies in their
    // widest reading (what some reading may allow), so that finding none proves the invariant for
    // every reading; what it finds may depend on a guess.
    let found = this.firstViolation(this.search(invariant, readings, Mode.CERTAIN), 'failClosed');
    const guessed = !found && (!decided || this.open);
    if (guessed) found = this.firstViolation(this.search(invariant, readings, Mode.STRICT), this.open ? 'widest' : 'failClosed');
    if (!found) return { ...base, holds: true };
    const [s, d, k] = found;
    const from = this.cluster.endpoints[s].id;
    const to = this.cluster.endpoints[d].id;
    const probe = this.probes[k];
    const explanation = reachability.explain(from, to, Port.of(probe.query.protocol as Protocol, probe.query.port!));
    const allowedBy = [...rulesOf(explanation.egress), ...rulesOf(explanation.ingress)];
    const guesses = new Set<string>(decided ? [] : [NAMESPACE_GUESS]);
    const notes = guessed ? [...(decided ? [] : [this.guessNote(sets)]), ...this.policyGuessNotes(s, d, k, guesses)] : [];
    const guess = guessed ? { guessed: true, guess: guessWords([...guesses]) } : {};
    return {
      ...base,
      holds: false,
      violation: { from, to, port: `${probe.query.port}/${probe.query.protocol}`, ports: probe.label, allowedBy, explanation, ...guess },
      ...(notes.length > 0 ? { notes } : {}),
    };
  }

  /**
   * Why a counterexample of the strict search may not occur although the fail-closed reading
   * denies it: for each side that denies it fail closed and allows it in the widest reading, the
   * rules whose match the input leaves open, and how to decide them. Nothing when the fail-closed
   * sides allow it (then only the invariant's own selections were guessed).
   */
  private policyGuessNotes(s: number, d: number, k: number, guesses: Set<string>): string[] {
    const closed = this.sidesOf(k, 'failClosed');
    const wide = this.sidesOf(k, 'widest');
    const src = this.cluster.endpoints[s];
    const dst = this.cluster.endpoints[d];
    const deniedBy = (x: ComputedSides) => ({
      egress: x.egressTo[s] !== undefined && !x.egressTo[s]!.has(d),
      ingress: x.ingressFrom[d] !== undefined && !x.ingressFrom[d]!.has(s),
    });
    const c = deniedBy(closed);
    const w = deniedBy(wide);
    const notes: string[] = [];
    const port = `${this.probes[k].query.port}/${this.probes[k].query.protocol}`;
    for (const side of ['egress', 'ingress'] as const) {
      if (!c[side] || w[side]) continue;
      const [self, other] = side === 'egress' ? [src, dst] : [dst, src];
      const traffic = resolveTraffic(dst, this.probes[k].query);
      const open = traffic ? openRules(this.cluster, side, self, other, (ports) => portsMatch(ports, traffic, dst))
        : { rules: [], namespaces: [], guesses: [], leftOut: false, fixes: [] };
      const rules = open.rules.length > 0 ? open.rules.join('; ') : 'a rule whose match the input leaves open matches';
      for (const g of open.guesses) guesses.add(g);
      if (open.guesses.length === 0) guesses.add(OPEN_GUESS);
      const fixes = [
        ...(open.namespaces.length > 0
          ? [`Add the Namespace object${open.namespaces.length === 1 ? '' : 's'} of ${open.namespaces.join(', ')} to the input (kubectl get namespaces -o yaml, or --surroundings) to decide it.`]
          : []),
        ...(open.leftOut ? ['Write the left-out rule in a form the model reads (the skipped parts say why it is left out, and how), or remove it, to decide it.'] : []),
        ...open.fixes,
      ];
      const fix = fixes.length > 0 ? fixes.join(' ')
        : 'Decide the selector or rule (see the parts of the input decided fail closed, and explain\'s notes), or add what the input lacks.';
      notes.push(`the fail-closed verdict denies the ${side} of ${self.id} for ${src.id} -> ${dst.id} on ${port}, but it is allowed in the reading where `
        + `${rules}, which the input does not decide. The invariant is held to every reading, and this `
        + `counterexample needs that one: it may not occur in the real cluster. ${fix}`);
    }
    return notes;
  }

  /** Why a counterexample may not occur: the namespaces whose unknown labels decide a selection, by role, and the fix. */
  private guessNote(sets: ReadonlyArray<{ role: string; selections: readonly EndpointSelectionSpec[]; set: Reading }>): string {
    const namespaces = new Set<string>();
    const roles: string[] = [];
    for (const { role, selections, set } of sets) {
      const open = minus(set.may, set.must).members();
      if (open.length === 0) continue;
      roles.push(`${role} (${describeSelections(selections)})`);
      for (const e of open) namespaces.add(this.cluster.endpoints[e].namespace!);
    }
    const sorted = [...namespaces].sort(compareIds);
    const listed = sorted.length > 10 ? `${sorted.slice(0, 10).join(', ')} and ${sorted.length - 10} more` : sorted.join(', ');
    return `no Namespace object for namespace${sorted.length === 1 ? '' : 's'} ${listed} in the input, so only their ${NAMESPACE_NAME_LABEL} label is known `
      + `and whether ${roles.join(' and ')} select${roles.length === 1 ? 's' : ''} their pods depends on the others. The invariant is held to every labelling they may have, `
      + 'and this counterexample needs one of them: it may not occur in the real cluster. '
      + 'Add the Namespace objects to the input (kubectl get namespaces -o yaml, or --surroundings) to decide it.';
  }

  /** The sets an invariant names, in the order of its fields, with what each is for. */
  private setsOf(i: InvariantSpec): Array<{ role: string; selections: readonly EndpointSelectionSpec[]; set: Reading }> {
    const need = (field: keyof InvariantSpec, value: readonly EndpointSelectionSpec[] | undefined): readonly EndpointSelectionSpec[] => {
      if (!value || value.length === 0) throw new InvariantSpecError(`${at(i)}invariant ${i.name} (${i.kind}) needs ${String(field)}: at least one endpoint selection.`);
      return value;
    };
    const one = (role: string, selections: readonly EndpointSelectionSpec[]) => ({ role, selections, set: this.resolve(selections, i) });
    switch (i.kind) {
      case InvariantKind.ONLY:
      case InvariantKind.NEVER:
        return [one('from', need('from', i.from)), one('to', need('to', i.to))];
      case InvariantKind.CONTAINED:
        return [one('zone', need('zone', i.zone)), ...(i.except && i.except.length > 0 ? [one('except', i.except)] : [])];
      case InvariantKind.ISOLATED: {
        const groups = i.groups ?? [];
        if (groups.length < 2) throw new InvariantSpecError(`${at(i)}invariant ${i.name} (ISOLATED) needs at least two groups to keep apart.`);
        return groups.map((g, k) => one(`group ${k + 1}`, need('groups', g)));
      }
      default:
        throw new InvariantSpecError(`${at(i)}invariant ${i.name}: unknown kind ${JSON.stringify(i.kind)}. Use one of ${Object.values(InvariantKind).join(', ')}.`);
    }
  }

  /**
   * The connections that break the invariant, with each role read as `mode` says. Every kind is a
   * combination of "s is in X" and "d is (not) in Y"; a role that only ever appears as "in" (the
   * sources of NEVER, ...) breaks more the more it names (monotone), one that appears as "not in"
   * (ONLY's allowed sources, ...) the less. So STRICT takes `may` where a role counts positively and
   * `must` where it counts negatively, which over-approximates the violations of every labelling
   * (each names a set between the two), and CERTAIN the other way round, which under-approximates them.
   */
  private search(i: InvariantSpec, sets: Reading[], mode: Mode): Search {
    const all = this.all;
    // `wide`: for a role counting positively; `narrow`: for one counting negatively.
    const wide = (r: Reading) => (mode === Mode.STRICT ? r.may : r.must);
    const narrow = (r: Reading) => (mode === Mode.STRICT ? r.must : r.may);
    const inPorts = this.probes.map((p) => i.ports === undefined || setMatches(i.ports, { port: p.query.port!, protocol: p.query.protocol }, []));
    switch (i.kind) {
      case InvariantKind.ONLY: {
        const [from, to] = sets;
        // Sources outside `to`: those not in `from` break it on any port, those in `from` on a port not allowed.
        // d in `to`: positive (wide). s outside `to` (traffic inside it is not counted): negative, so
        // "inside" is narrow and a pod that may be outside counts as outside. s not in `from`: negative (narrow).
        const outside = minus(all, narrow(to));
        const strangers = minus(outside, narrow(from));
        const destinations = wide(to);
        return { sources: outside, destinations: (s, k) => (strangers.has(s) || !inPorts[k] ? destinations : EMPTY) };
      }
      case InvariantKind.NEVER: {
        // s in `from`, d in `to`: both positive (wide).
        const [from, to] = sets;
        const destinations = wide(to);
        return { sources: wide(from), destinations: (_, k) => (inPorts[k] ? destinations : EMPTY) };
      }
      case InvariantKind.CONTAINED: {
        // s in the zone: positive (wide). d outside the zone: negative, so "inside" is narrow and a
        // pod that may be outside counts as outside. d not in `except`: negative (narrow).
        const [zone, except] = [sets[0], sets[1] ?? { must: new Bitset(this.n), may: new Bitset(this.n) }];
        const outside = minus(all, narrow(zone));
        const outsideButExcept = minus(outside, narrow(except));
        return { sources: wide(zone), destinations: (_, k) => (inPorts[k] ? outsideButExcept : outside) };
      }
      case InvariantKind.ISOLATED: {
        // s in group i, d in another group j: positive (wide). s and d sharing no group (traffic
        // inside a group is not counted): negative, so a shared group counts only narrow, for both.
        const groups = sets.map(wide);
        const shared = sets.map(narrow);
        const cache = new Map<string, Bitset>();
        const sources = new Bitset(this.n);
        for (const g of groups) sources.or(g);
        let lastSource = -1;
        let last = EMPTY;
        return {
          sources,
          destinations: (s) => {
            if (s === lastSource) return last;
            const own = groups.map((g, k) => (g.has(s) ? k : -1)).filter((k) => k >= 0);
            const ownShared = shared.map((g, k) => (g.has(s) ? k : -1)).filter((k) => k >= 0);
            const key = `${own.join(',')}|${ownShared.join(',')}`;
            let out = cache.get(key);
            if (!out) {
              // The members of a group other than one of s's (with two of s's groups, any group is another's).
              out = new Bitset(this.n);
              groups.forEach((g, j) => own.some((k) => k !== j) && out!.or(g));
              for (const k of ownShared) out = minus(out, shared[k]);
              cache.set(key, out);
            }
            lastSource = s;
            last = out;
            return out;
          },
        };
      }
      default:
        throw new InvariantSpecError(`unknown invariant kind ${JSON.stringify(i.kind)}`);
    }
  }

  /**
   * The first violating (source, destination, probe), by source id, destination id, then probe
   * order, with the policies' sides in `reading`.
   */
  private firstViolation(search: Search, reading: PolicyReading): [number, number, number] | undefined {
    for (const s of this.order) {
      if (!search.sources.has(s)) continue;
      let best: [number, number] | undefined;
      for (let k = 0; k < this.probes.length; k++) {
        const hit = this.firstDestination(s, k, search.destinations(s, k), reading);
        if (hit !== undefined && (best === undefined || this.rank[hit] < this.rank[best[0]])) best = [hit, k];
      }
      if (best) return [s, best[0], best[1]];
    }
    return undefined;
  }

  /**
   * The allowed destination of `s` on probe `k` in `mask` with the lowest id (loopback of a single
   * pod left out): the destinations that receive the port and `s`'s egress allows, word by word,
   * then each one's ingress.
   */
  private firstDestination(s: number, k: number, mask: Bitset, reading: PolicyReading): number | undefined {
    if (mask.size === 0) return undefined;
    const sides = this.sidesOf(k, reading);
    const out = sides.egressTo[s] ?? this.all;
    const sWord = s >>> 5;
    const sBit = 1 << (s & 31);
    let best: number | undefined;
    for (const w of this.wordsOf(mask)) {
      let bits = (mask.words[w] & sides.reachable.words[w] & out.words[w]) >>> 0;
      if (w === sWord && this.cluster.endpoints[s].singleInstance) bits = (bits & ~sBit) >>> 0;
      while (bits !== 0) {
        const d = w * 32 + (31 - Math.clz32(bits & -bits));
        bits = (bits & (bits - 1)) >>> 0;
        const inbound = sides.ingressFrom[d];
        if (inbound !== undefined && (inbound.words[sWord] & sBit) === 0) continue;
        if (best === undefined || this.rank[d] < this.rank[best]) best = d;
      }
    }
    return best;
  }

  private wordsOf(mask: Bitset): number[] {
    let words = this.nonZero.get(mask);
    if (!words) {
      words = [];
      for (let w = 0; w < mask.words.length; w++) if (mask.words[w] !== 0) words.push(w);
      this.nonZero.set(mask, words);
    }
    return words;
  }

  /** The sides of probe `k` in `reading` (the widest only differs where the input leaves something open). */
  private sidesOf(k: number, reading: PolicyReading): ComputedSides {
    if (reading === 'failClosed' || !this.open) {
      this.sides[k] ??= computeSides(this.cluster, this.probes[k].query, this.selections);
      return this.sides[k];
    }
    this.wideSelections ??= new Selections(this.cluster, 'widest');
    this.wideSides[k] ??= computeSides(this.cluster, this.probes[k].query, this.wideSelections);
    return this.wideSides[k];
  }

  /** The endpoints a list of selections names (their union), in both readings. */
  private resolve(selections: readonly EndpointSelectionSpec[], owner: { name: string; where?: string }): Reading {
    const must = new Bitset(this.n);
    const may = new Bitset(this.n);
    for (const sel of selections) {
      const one = this.resolveOne(sel, owner);
      must.or(one.must);
      may.or(one.may);
    }
    return { must, may };
  }

  private resolveOne(sel: EndpointSelectionSpec, owner: { name: string; where?: string }): Reading {
    if (sel.zone !== undefined) return this.zone(sel.zone, owner);
    const must = new Bitset(this.n);
    const may = new Bitset(this.n);
    const match = selectionMatcher(sel);
    for (const e of this.cluster.endpoints) {
      const m = match(e, (selector, ns) => this.cluster.namespaceMatches(selector, ns));
      if (m === true) must.add(e.index);
      if (m !== false) may.add(e.index);
    }
    return { must, may };
  }

  private zone(name: string, owner: { name: string; where?: string }): Reading {
    const known = this.zoneSets.get(name);
    if (known) return known;
    const spec = this.zoneSpecs.get(name);
    if (!spec) {
      const names = [...this.zoneSpecs.keys()].sort(compareIds);
      throw new InvariantSpecError(`${at(owner)}${owner.name} names zone ${name}, which is not declared. ${names.length > 0 ? `The zones are: ${names.join(', ')}.` : 'No zone is declared.'} Declare it, or fix the name.`);
    }
    if (this.resolving.has(name)) {
      throw new InvariantSpecError(`${at(spec)}zone ${name} contains itself (${[...this.resolving, name].join(' -> ')}). A zone may name other zones, but not in a cycle.`);
    }
    this.resolving.add(name);
    const set = this.resolve(spec.members, spec);
    this.resolving.delete(name);
    this.zoneSets.set(name, set);
    return set;
  }
}

const EMPTY = new Bitset(0);

/**
 * The rules of `self`'s side whose match of `other` the input leaves open (in words), and the
 * namespaces without a Namespace object that decide it: NetworkPolicy peers with a namespace
 * selector, Cilium policies whose subject or peer is undecided, tier rules whose subject or peer is.
 */
function openRules(
  cluster: Cluster, side: Side, self: ClusterEndpoint, other: ClusterEndpoint, portsOk: (ports: PortSet) => boolean,
): { rules: string[]; namespaces: string[]; guesses: string[]; leftOut: boolean; fixes: string[] } {
  const rules: string[] = [];
  const fixes = new Set<string>();
  const namespaces = new Set<string>();
  const guesses = new Set<string>();
  let leftOut = false;
  // A namespace without its Namespace object decides it, or else `otherwise` was guessed.
  const guessed = (ns: string | undefined, otherwise?: string) => {
    if (ns !== undefined && cluster.namespaceLabelsGuessed(ns)) {
      namespaces.add(ns);
      guesses.add(NAMESPACE_GUESS);
    } else if (otherwise !== undefined) {
      guesses.add(otherwise);
    }
  };
  for (const policy of cluster.policies) {
    if (!selects(policy, side, self)) continue;
    for (const rule of (side === 'ingress' ? policy.ingress : policy.egress) ?? []) {
      if (!portsOk(rule.ports)) continue;
      const joint = rule.peers !== undefined && rulePeerMatch(cluster, policy.namespace, rule.peers, other) !== undefined;
      for (const peer of rule.peers ?? []) {
        if (peer.kind === 'ipBlock' && !joint && peerMatches(cluster, policy.namespace, peer, other, 'widest')) {
          const ref = `NetworkPolicy ${policy.id} ${side}[${rule.index}] (${peer.text})`;
          if (addressesInside(other, (ip) => ipBlockContains(peer, ip)) === 'none') {
            // It holds none of the addresses the input gives: it may hold one the input does not (`unknownIpMayBeIn`).
            const { text, fix } = unknownAddressWords(cluster, peer, other);
            rules.push(`${ref} ${text}`);
            fixes.add(fix);
            guesses.add(UNKNOWN_ADDRESS_GUESS);
          } else {
            rules.push(`${ref} holds some of ${other.id}'s addresses (${describeAddresses(other)}), and the connection may use one of them`);
            guesses.add(ADDRESS_GUESS);
          }
          continue;
        }
        if (peer.kind !== 'selectors' || !peer.namespaceSelector || other.namespace === undefined || other.external || other.nodeTraffic) continue;
        if (peer.podSelector && !peer.podSelector.matches(other.labels)) continue;
        if (cluster.namespaceMatches(peer.namespaceSelector, other.namespace) !== undefined) continue;
        rules.push(`NetworkPolicy ${policy.id} ${side}[${rule.index}] (${peer.text}) selects namespace ${other.namespace}`);
        guessed(other.namespace);
      }
    }
  }
  for (const p of cluster.ciliumPolicies) {
    if (!ciliumApplies(cluster, p, side, self)) continue;
    const subjectOpen = !ciliumSelects(cluster, p.subject, self, 'must');
    if (subjectOpen) {
      rules.push(`the subject of ${p.kind} ${p.id} selects ${self.id}`);
      guessed(self.namespace, CILIUM_GUESS);
    }
    for (const r of ciliumRulesOf(p, side, 'widest')) {
      if (!portsOk(r.ports)) continue;
      const open = ciliumWidestAllow(cluster, p, r, self, other);
      if (open === undefined) continue;
      rules.push(open.text);
      if (r.leftOut !== undefined) leftOut = true;
      if (r.leftOut === undefined && r.peer?.kind === 'endpoints') guessed(other.namespace, open.guess);
      else guesses.add(open.guess);
    }
  }
  for (const tier of ['admin', 'baseline'] as const) {
    for (const { policy, rule, subjectUndecided } of applicableRules(cluster, tierPolicies(cluster, tier), side, self)) {
      const peerOpen = tierRuleMatches(cluster, rule.peers, other) === undefined;
      if (!subjectUndecided && !peerOpen) continue;
      // The reading that allows: an Allow that applies, a Deny that does not, a Pass either way
      // (what it hands over to may allow, or what it passes over).
      const applies = subjectUndecided ? `selects ${self.id}` : `matches ${other.id}`;
      const reading = rule.action === 'allow' ? applies : rule.action === 'deny'
        ? (subjectUndecided ? `does not select ${self.id}` : `does not match ${other.id}`) : `${applies} or not`;
      rules.push(`${policy.kind} ${policy.id} ${side}[${rule.index}] (${rule.actionText}) ${reading}`);
      guessed(subjectUndecided ? self.namespace : other.namespace, TIER_GUESS);
    }
  }
  return { rules, namespaces: [...namespaces].sort(compareIds), guesses: [...guesses], leftOut, fixes: [...fixes] };
}

/**
 * Why an ipBlock that holds none of an end's known addresses may match it (`peerMatches` in the
 * widest reading: `unknownIpMayBeIn`), in words, and what decides it: the end's IP, or the pod CIDRs
 * where none of the block's family are given (not for an end on its node's address, which they do not hold).
 */
function unknownAddressWords(
  cluster: Cluster, peer: { readonly cidr: ParsedCidr; readonly cidrText: string }, other: ClusterEndpoint,
): { text: string; fix: string } {
  const onNode = other.nodeTraffic || other.hostNetwork;
  const podCidrsGiven = cluster.podCidrs.some((c) => c.family === peer.cidr.family);
  const where = onNode && other.kind !== 'Node' ? ', its node\'s address' : !onNode && podCidrsGiven ? ', and the given pod CIDRs overlap it' : '';
  const text = other.ips.length === 0
    ? `holds ${other.id}'s address (its address is not in the input; it may be in ${peer.cidrText}${where})`
    : `holds ${other.id}'s address (the input gives ${other.ips.map(formatIp).join(', ')} and not every one; another may be in ${peer.cidrText}${where})`;
  const ip = other.kind === 'Pod' ? `the pod's IP (status.podIP of ${other.id}, or @<ip> on its --pod)`
    : other.kind === 'Node' ? `the addresses of ${other.id} (its status.addresses)` : `the IPs of ${other.id}'s pods (their Pods with status.podIP)`;
  const cidrs = onNode || podCidrsGiven ? '' : ' or the cluster\'s pod CIDRs (--pod-cidr <cidr>, once per range; ReachabilityOptions.podCidrs)';
  return { text, fix: `Give ${ip}${cidrs} to decide it.` };
}

/** What a guessed counterexample was read on (`InvariantViolation.guess`), by kind of guess. */
const NAMESPACE_GUESS = 'namespace labels';
const ADDRESS_GUESS = 'the address a connection uses';
const UNKNOWN_ADDRESS_GUESS = 'an address the input does not give';
const CILIUM_GUESS = 'a Cilium selector the input does not decide';
const TIER_GUESS = 'a cluster-wide rule the input does not decide';
const OPEN_GUESS = 'what the input leaves open';

/** Several guesses in words: `namespace labels`, `namespace labels and a rule the model leaves out`. */
function guessWords(guesses: readonly string[]): string {
  const list = guesses.length > 0 ? guesses : [OPEN_GUESS];
  return list.length === 1 ? list[0] : `${list.slice(0, -1).join(', ')} and ${list[list.length - 1]}`;
}

/** Whether a namespace selector matches a namespace: `undefined` when it depends on labels the input does not give. */
type NamespaceMatches = (selector: CompiledSelector, ns: string) => boolean | undefined;

/**
 * A predicate for one selection (not a zone): ids and outside-the-cluster, or namespace and labels
 * AND-ed; `undefined` when only the unknown labels of the endpoint's namespace can say.
 */
function selectionMatcher(sel: EndpointSelectionSpec): (e: ClusterEndpoint, namespaceMatches: NamespaceMatches) => boolean | undefined {
  if (sel.id !== undefined) return (e) => e.id === sel.id;
  if (sel.outsideCluster) return (e) => e.external;
  const pods: CompiledSelector | undefined = sel.podSelector ? compileSelector(sel.podSelector) : undefined;
  const namespaces: CompiledSelector | undefined = sel.namespaceSelector ? compileSelector(sel.namespaceSelector) : undefined;
  if (!pods && !namespaces && sel.namespace === undefined) {
    throw new InvariantSpecError(`an endpoint selection must name a zone, an id, outsideCluster, a namespace, a namespaceSelector or a podSelector: ${JSON.stringify(sel)}`);
  }
  return (e, namespaceMatches) => {
    if (e.external || e.namespace === undefined) return false;
    if (sel.namespace !== undefined && e.namespace !== sel.namespace) return false;
    if (pods && !pods.matches(e.labels)) return false;
    return namespaces ? namespaceMatches(namespaces, e.namespace) : true;
  };
}

function minus(a: Bitset, b: Bitset): Bitset {
  const out = new Bitset(a.size);
  for (let i = 0; i < a.words.length; i++) out.words[i] = (a.words[i] & ~b.words[i]) >>> 0;
  return out;
}

function rulesOf(v: SideVerdict): RuleReference[] {
  return v.allowedBy.map((r) => ({ ...r }));
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** One selection in words: `zone pci`, `shop/api`, `pods app=web in namespace shop`. */
export function describeSelection(sel: EndpointSelectionSpec): string {
  if (sel.zone !== undefined) return `zone ${sel.zone}`;
  if (sel.id !== undefined) return sel.id;
  if (sel.outsideCluster) return 'every address outside the cluster';
  const where = sel.namespace !== undefined ? `namespace ${sel.namespace}` : sel.namespaceSelector ? `namespaces ${describeSelector(sel.namespaceSelector)}` : 'any namespace';
  return sel.podSelector ? `pods ${describeSelector(sel.podSelector)} in ${where}` : `every pod in ${where}`;
}

/** Several selections in words, joined by ` or `. */
export function describeSelections(selections: readonly EndpointSelectionSpec[]): string {
  return selections.map(describeSelection).join(' or ');
}

/** A port set in words: `443/TCP, 8000-8100/TCP`, `every UDP port`. */
export function describePorts(ports: PortSet): string {
  return ports.map(describePortEntry).join(', ');
}

function describePortEntry(e: PortEntry): string {
  switch (e.kind) {
    case 'allTraffic': return 'every port';
    case 'allPorts': return `every ${e.protocol} port`;
    case 'numbered': return `${e.port}${e.endPort !== undefined && e.endPort !== e.port ? `-${e.endPort}` : ''}/${e.protocol}`;
    case 'named': return `${e.name}/${e.protocol}`;
  }
}

/** What an invariant says, in words. */
export function statementOf(i: InvariantSpec): string {
  const on = i.ports ? ` on ${describePorts(i.ports)}` : '';
  switch (i.kind) {
    case InvariantKind.ONLY: return `only ${describeSelections(i.from ?? [])} may reach ${describeSelections(i.to ?? [])}${on}`;
    case InvariantKind.NEVER: return `${describeSelections(i.from ?? [])} never reaches ${describeSelections(i.to ?? [])}${on}`;
    case InvariantKind.CONTAINED: return `${describeSelections(i.zone ?? [])} reaches nothing outside itself`
      + (i.except && i.except.length > 0 ? ` except ${describeSelections(i.except)}${on}` : '');
    case InvariantKind.ISOLATED:
      return `no traffic between ${(i.groups ?? []).map((g) => `(${describeSelections(g)})`).join(' and ')}, in either direction`;
    default: return String(i.kind);
  }
}

/**
 * How a counterexample read on a guess is marked (`InvariantViolation.guessed`), by what was guessed
 * (`InvariantViolation.guess`): `read on a guess of namespace labels, it may not occur in the real cluster`.
 */
export function guessedWords(v: InvariantViolation): string {
  return `read on a guess of ${v.guess ?? OPEN_GUESS}, it may not occur in the real cluster`;
}

/**
 * One failed invariant as an error message: what it says, where it was declared, and its
 * counterexample with the rules that allow it (or why it could not be checked), and the fix.
 */
export function invariantFailureMessage(r: InvariantResult): string {
  const head = `invariant ${r.name} does not hold: ${r.statement}`;
  if (r.problem) return `${head}. ${r.problem}`;
  const v = r.violation!;
  const range = v.ports !== v.port ? ` (and every port of ${v.ports})` : '';
  const sides = [sideWords('egress', v.from, v.explanation.egress), sideWords('ingress', v.to, v.explanation.ingress)].join('; ');
  const notes = (r.notes ?? []).map((n) => ` Note: ${n}`).join('');
  return `${head}. Counterexample${v.guessed ? ` (${guessedWords(v)})` : ''}: ${v.from} -> ${v.to} on ${v.port}${range} is allowed: ${sides}. `
    + 'Fix: remove or narrow the rule that allows it (or isolate the side that is not isolated), or change the invariant if the connection is intended.'
    + notes;
}

function sideWords(side: 'egress' | 'ingress', end: string, v: SideVerdict): string {
  if (v.notPoliced) return `${end} is outside the cluster`;
  if (v.ownNode) return `the ${side} of ${end} is from its own node: ${OWN_NODE_REASON}, and no policy can deny it`;
  if (!v.isolated && v.selectedWithoutDefaultDeny !== undefined) {
    return `the ${side} of ${end} is not isolated (${v.selectedWithoutDefaultDeny.join(', ')} selects it with enableDefaultDeny.${side}: false, which does not isolate it; `
      + 'its deny rules still apply, and none matches)';
  }
  if (!v.isolated) return `the ${side} of ${end} is not isolated (no policy selects it)`;
  return `the ${side} of ${end} is allowed by ${v.allowedBy.map(describeRule).join(', ')}`;
}
