import { ApiObject, App, Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import {
  checkInvariants, EndpointSelectionSpec, invariantFailureMessage, InvariantKind, InvariantReport, InvariantSpec, ZoneSpec,
} from '../analysis/invariants';
import { Reachability, ReachabilityOptions } from '../analysis/reachability';
import { IEndpoint } from '../endpoints/endpoint';
import { declaredServicesOf } from '../inventory/cluster';
import { dns1123LabelProblems } from '../k8s/names';
import { PortEntry } from '../k8s/port-set';
import { modelError } from '../model/errors';
import { Port } from '../model/port';
import { Selector } from '../model/selector';

/**
 * Some endpoints an invariant is about: a namespace, pods by label, one endpoint, every address
 * outside the cluster, or a `Zone`. Membership is decided on the analysed model (the app's
 * manifests and the surroundings), by the same selector engine the policies use.
 *
 * @example
 * EndpointSet.namespace('payments');
 * EndpointSet.podsInNamespace('shop', Selector.labels({ app: 'api' }));
 * EndpointSet.endpoint(api);
 * EndpointSet.zone(pci);
 */
export class EndpointSet {
  /** Every pod of the namespace of this name. */
  public static namespace(name: string): EndpointSet {
    return new EndpointSet(() => ({ namespace: checkNamespaceName(name, 'EndpointSet.namespace') }), `namespace ${name}`);
  }

  /** Every pod of the namespaces whose labels match. */
  public static namespaces(namespaces: Selector): EndpointSet {
    const s = Selector._use(namespaces, 'EndpointSet.namespaces');
    return new EndpointSet(() => ({ namespaceSelector: s.toJson() }), `namespaces ${s}`);
  }

  /** The pods whose labels match, in every namespace. */
  public static pods(pods: Selector): EndpointSet {
    const s = Selector._use(pods, 'EndpointSet.pods');
    return new EndpointSet(() => ({ podSelector: s.toJson() }), `pods ${s}`);
  }

  /** The pods whose labels match, in the namespace of this name. */
  public static podsInNamespace(namespace: string, pods: Selector): EndpointSet {
    const ns = checkNamespaceName(namespace, 'EndpointSet.podsInNamespace');
    const s = Selector._use(pods, 'EndpointSet.podsInNamespace');
    return new EndpointSet(() => ({ namespace: ns, podSelector: s.toJson() }), `pods ${s} in namespace ${ns}`);
  }

  /** The pods whose labels match, in the namespaces whose labels match. */
  public static podsInNamespaces(namespaces: Selector, pods: Selector): EndpointSet {
    const n = Selector._use(namespaces, 'EndpointSet.podsInNamespaces namespaces');
    const s = Selector._use(pods, 'EndpointSet.podsInNamespaces pods');
    return new EndpointSet(() => ({ namespaceSelector: n.toJson(), podSelector: s.toJson() }), `pods ${s} in namespaces ${n}`);
  }

  /**
   * The pods of an endpoint (a workload through `Endpoint.fromWorkload`, a service of an
   * `ApplicationStack`, an `IEndpoint` of your own): its pod selector in its namespace (the chart's
   * namespace of the `Invariants` when it has none). Read once, here.
   */
  public static endpoint(endpoint: IEndpoint): EndpointSet {
    if (endpoint === null || typeof endpoint !== 'object') {
      throw modelError('EndpointSet.endpoint', endpoint, 'is not an endpoint', 'Pass an Endpoint (Endpoint.fromWorkload(...), Endpoint.of({...})) or an IEndpoint.');
    }
    const name = String(endpoint.name);
    const pods = Selector._use(endpoint.pods, `EndpointSet.endpoint ${name} pods`);
    const own = endpoint.namespace === undefined ? undefined : checkNamespaceName(endpoint.namespace, `EndpointSet.endpoint ${name} namespace`);
    return new EndpointSet((defaultNamespace) => {
      const namespace = own ?? defaultNamespace;
      if (namespace === undefined) {
        throw new Error(`endpoint ${name} has no namespace and its chart has none. Give the endpoint a namespace, or the chart of the Invariants one.`);
      }
      return { namespace, podSelector: pods.toJson() };
    }, `endpoint ${name}`);
  }

  /** The endpoint of this id, as the analyser names it: `<namespace>/<name>` of a pod or workload, or an external endpoint's name. */
  public static id(id: string): EndpointSet {
    if (typeof id !== 'string' || id.length === 0 || id.trim() !== id) {
      throw modelError('EndpointSet.id', id, 'is not an endpoint id', 'Give <namespace>/<name> of a pod or workload (shop/api), or the name of an external endpoint.');
    }
    return new EndpointSet(() => ({ id }), id);
  }

  /** Every endpoint outside the cluster (the external endpoints of the model, e.g. the surroundings' `externals`). */
  public static outsideCluster(): EndpointSet {
    return new EndpointSet(() => ({ outsideCluster: true }), 'every address outside the cluster');
  }

  /** The members of a zone. */
  public static zone(zone: Zone): EndpointSet {
    if (!(zone instanceof Zone)) throw modelError('EndpointSet.zone', zone, 'is not a Zone', 'Make one with Zone.of(name, [...members]).');
    return new EndpointSet(() => ({ zone: zone.name }), `zone ${zone.name}`, zone);
  }

  private constructor(
    private readonly make: (defaultNamespace: string | undefined) => EndpointSelectionSpec,
    private readonly text: string,
    private readonly zoneRef?: Zone,
  ) {}

  /** What it selects, in words. */
  public toString(): string {
    return this.text;
  }

  /** @internal */
  public _spec(defaultNamespace: string | undefined): EndpointSelectionSpec {
    return this.make(defaultNamespace);
  }

  /** @internal */
  public get _zone(): Zone | undefined {
    return this.zoneRef;
  }
}

/**
 * A named group of endpoints: the union of its members (namespaces, pods by label, endpoints, other
 * zones). A zone can be a compliance scope such as `pci`, or an environment such as `dev`.
 *
 * @example
 * const pci = Zone.of('pci', [EndpointSet.namespace('payments'), EndpointSet.pods(Selector.labels({ 'compliance/pci': 'true' }))]);
 */
export class Zone {
  /** A zone of these members (at least one). */
  public static of(name: string, members: EndpointSet[]): Zone {
    const problems = typeof name === 'string' ? dns1123LabelProblems(name) : ['is not a string'];
    if (problems.length > 0) {
      throw modelError('Zone.of', name, `is not a valid zone name (${problems.join('; ')})`, 'Name the zone like a namespace: lower-case letters, digits and hyphens, e.g. pci.');
    }
    if (!Array.isArray(members) || members.length === 0) {
      throw modelError(`Zone ${name}`, members, 'has no members, so it would hold for nothing', 'Give at least one EndpointSet, e.g. [EndpointSet.namespace(\'payments\')].');
    }
    members.forEach((m, i) => {
      if (!(m instanceof EndpointSet)) throw modelError(`Zone ${name} members[${i}]`, m, 'is not an EndpointSet', 'Use EndpointSet.namespace(...), EndpointSet.pods(...), EndpointSet.endpoint(...) or EndpointSet.zone(...).');
    });
    return new Zone(name, [...members]);
  }

  /** The zone's name. */
  public readonly name: string;
  readonly #members: readonly EndpointSet[];

  private constructor(name: string, members: EndpointSet[]) {
    this.name = name;
    this.#members = Object.freeze(members);
  }

  /** Its members (a copy). */
  public get members(): EndpointSet[] {
    return [...this.#members];
  }

  /** `zone <name>`. */
  public toString(): string {
    return `zone ${this.name}`;
  }
}

/** Properties of `Invariant.only` and `Invariant.never`. */
export interface ReachInvariantProps {
  /** The sources. */
  readonly from: EndpointSet[];
  /** The destinations. */
  readonly to: EndpointSet[];
  /**
   * `only`: the ports the sources may reach the destinations on (any other port breaks it);
   * `never`: the ports they must not reach them on. Numbered ports, ranges, `Port.allTcp()` and
   * the like; not named ports.
   * @default - every port
   */
  readonly ports?: Port[];
}

/** Properties of `Invariant.contained`. */
export interface ContainedInvariantProps {
  /** The zone that reaches nothing outside itself. */
  readonly zone: Zone;
  /** The destinations outside the zone it may reach. @default - none */
  readonly except?: EndpointSet[];
  /** The ports it may reach `except` on. @default - every port */
  readonly ports?: Port[];
}

/**
 * A property of the whole network that the emitted policies must have: a value to give to
 * `Invariants`, whose synth fails with one counterexample when it does not hold.
 *
 * @example
 * Invariant.only('only-api-reaches-pci', { from: [EndpointSet.endpoint(api)], to: [EndpointSet.zone(pci)], ports: [Port.tcp(443)] });
 * Invariant.never('web-never-reaches-db', { from: [EndpointSet.endpoint(web)], to: [EndpointSet.endpoint(db)] });
 * Invariant.contained('pci-contained', { zone: pci, except: [EndpointSet.outsideCluster()], ports: [Port.tcp(443)] });
 * Invariant.isolated('environments', [dev, prod]);
 */
export class Invariant {
  /**
   * Only `from` may reach `to` (and only on `ports`): any other source, or a source of `from` on
   * another port, breaks it. Traffic between members of `to` is not counted.
   */
  public static only(name: string, props: ReachInvariantProps): Invariant {
    return Invariant.reach(InvariantKind.ONLY, name, props);
  }

  /** `from` never reaches `to` (on `ports`, or on any port). */
  public static never(name: string, props: ReachInvariantProps): Invariant {
    return Invariant.reach(InvariantKind.NEVER, name, props);
  }

  /** The zone reaches nothing outside itself, except `except` (on `ports`, or on any port). */
  public static contained(name: string, props: ContainedInvariantProps): Invariant {
    const n = checkInvariantName(name);
    if (!props || !(props.zone instanceof Zone)) throw modelError(`Invariant ${n} zone`, props?.zone, 'is not a Zone', 'Make one with Zone.of(name, [...members]).');
    const except = props.except === undefined ? undefined : sets(props.except, `Invariant ${n} except`, true);
    const ports = props.ports === undefined ? undefined : portEntries(props.ports, `Invariant ${n} ports`);
    if (ports && !except) throw modelError(`Invariant ${n}`, props.ports!.map(String), 'gives ports but no except', 'Ports say where the except destinations may be reached: give except, or leave the ports out.');
    const zone = EndpointSet.zone(props.zone);
    return new Invariant(n, InvariantKind.CONTAINED, [zone, ...(except ?? [])], (ns) => ({
      zone: [zone._spec(ns)], except: except?.map((e) => e._spec(ns)), ports,
    }));
  }

  /** No traffic between the zones (environments such as dev and prod), in either direction. */
  public static isolated(name: string, zones: Zone[]): Invariant {
    const n = checkInvariantName(name);
    if (!Array.isArray(zones) || zones.length < 2) throw modelError(`Invariant ${n}`, zones, 'needs at least two zones to keep apart', 'Give two zones or more, e.g. [dev, prod].');
    const groups = zones.map((z, i) => {
      if (!(z instanceof Zone)) throw modelError(`Invariant ${n} zones[${i}]`, z, 'is not a Zone', 'Make one with Zone.of(name, [...members]).');
      return EndpointSet.zone(z);
    });
    return new Invariant(n, InvariantKind.ISOLATED, groups, (ns) => ({ groups: groups.map((g) => [g._spec(ns)]) }));
  }

  private static reach(kind: InvariantKind, name: string, props: ReachInvariantProps): Invariant {
    const n = checkInvariantName(name);
    if (!props || typeof props !== 'object') throw modelError(`Invariant ${n}`, props, 'has no properties', 'Pass { from: [...], to: [...], ports?: [...] }.');
    const from = sets(props.from, `Invariant ${n} from`, false);
    const to = sets(props.to, `Invariant ${n} to`, false);
    const ports = props.ports === undefined ? undefined : portEntries(props.ports, `Invariant ${n} ports`);
    return new Invariant(n, kind, [...from, ...to], (ns) => ({ from: from.map((e) => e._spec(ns)), to: to.map((e) => e._spec(ns)), ports }));
  }

  /** Its name (unique within its `Invariants`). */
  public readonly name: string;
  /** Its kind. */
  public readonly kind: InvariantKind;
  readonly #sets: readonly EndpointSet[];
  readonly #fields: (defaultNamespace: string | undefined) => Partial<InvariantSpec>;

  private constructor(name: string, kind: InvariantKind, endpointSets: EndpointSet[], fields: (ns: string | undefined) => Partial<InvariantSpec>) {
    this.name = name;
    this.kind = kind;
    this.#sets = Object.freeze(endpointSets);
    this.#fields = fields;
  }

  /** `invariant <name> (<KIND>)`; what it says in full is in the results of `Invariants.check()`. */
  public toString(): string {
    return `invariant ${this.name} (${this.kind})`;
  }

  /** @internal */
  public _spec(defaultNamespace: string | undefined, where?: string): InvariantSpec {
    return { name: this.name, kind: this.kind, ...(where ? { where } : {}), ...this.#fields(defaultNamespace) };
  }

  /** @internal The zones it names, directly or through other zones. */
  public get _zones(): Zone[] {
    const out: Zone[] = [];
    const visit = (set: EndpointSet) => {
      const z = set._zone;
      if (!z || out.includes(z)) return;
      out.push(z);
      z.members.forEach(visit);
    };
    this.#sets.forEach(visit);
    return out;
  }
}

/** Properties of `Invariants`. */
export interface InvariantsProps {
  /** The invariants (more can be added with `add`). @default - none */
  readonly invariants?: Invariant[];
  /**
   * What lives outside the app and the invariants name (the ingress controller, CoreDNS, addresses
   * outside the cluster), as for `Reachability.fromApp`.
   * @default - none
   */
  readonly surroundings?: ReachabilityOptions;
}

/**
 * Invariants the emitted policies must have, checked at synth (under `NetpolApp` and a plain cdk8s
 * `App`): the synth fails when one does not hold, and the error gives one counterexample, the
 * source, destination and port of an allowed connection that breaks it and the rules that allow
 * it. They are checked against every chart of the app (a connection needs both sides, and the
 * other side may be in another chart), with `surroundings` for what lives outside it. Every port
 * that can make a difference is checked, so "only on 443" fails when 444 is open too.
 *
 * @example
 * new Invariants(chart, 'segmentation', {
 *   invariants: [Invariant.only('only-api-reaches-pci', { from: [EndpointSet.endpoint(api)], to: [EndpointSet.zone(pci)], ports: [Port.tcp(443)] })],
 * });
 */
export class Invariants extends Construct {
  readonly #invariants: Invariant[] = [];
  readonly #surroundings: ReachabilityOptions;

  constructor(scope: Construct, id: string, props: InvariantsProps = {}) {
    super(scope, id);
    this.#surroundings = copySurroundings(props.surroundings ?? {});
    this.add(...(props.invariants ?? []));
    this.node.addValidation({ validate: () => this.validationErrors() });
  }

  /** Adds invariants (names must be unique within this construct). */
  public add(...invariants: Invariant[]): void {
    invariants.forEach((inv, i) => {
      if (!(inv instanceof Invariant)) {
        throw new Error(`[${this.node.path}] invariants[${i}]: ${JSON.stringify(inv)} is not an Invariant. Make one with Invariant.only, Invariant.never, Invariant.contained or Invariant.isolated.`);
      }
      if (this.#invariants.some((x) => x.name === inv.name)) {
        throw new Error(`[${this.node.path}] invariant ${inv.name} is added twice. Give each invariant a name of its own.`);
      }
      this.#invariants.push(inv);
    });
  }

  /** The invariants added so far (a copy). */
  public get declared(): Invariant[] {
    return [...this.#invariants];
  }

  /** Checks the invariants against the app's policies now (what the synth does), for tests and reports. */
  public check(): InvariantReport {
    return this.checkModel(this.model());
  }

  /**
   * The app's policies as the analyser models them. The objects of every chart are rendered one by
   * one: Chart.toJson() would validate the app again, and with it this construct.
   */
  private model(): Reachability {
    const constructs = App.of(this).node.findAll();
    const objects = constructs.filter((c): c is ApiObject => ApiObject.isApiObject(c)).map((o) => ({ object: o.toJson() }));
    return Reachability._fromSourced(objects, this.#surroundings, declaredServicesOf(constructs));
  }

  private checkModel(reachability: Reachability): InvariantReport {
    const namespace = chartNamespace(this);
    const zones = new Map<string, Zone>();
    for (const inv of this.#invariants) {
      for (const z of inv._zones) {
        const seen = zones.get(z.name);
        if (seen && seen !== z) throw new Error(`[${this.node.path}] two different zones are named ${z.name}. Give each zone a name of its own.`);
        zones.set(z.name, z);
      }
    }
    const zoneSpecs: ZoneSpec[] = [...zones.values()].map((z) => ({ name: z.name, members: z.members.map((m) => m._spec(namespace)) }));
    return checkInvariants(reachability, zoneSpecs, this.#invariants.map((i) => i._spec(namespace, `${this.node.path}/${i.name}`)));
  }

  private validationErrors(): string[] {
    if (this.#invariants.length === 0) return [];
    let report: InvariantReport;
    try {
      const reachability = this.model();
      // Fail closed: an object the analyser leaves out (a Cilium policy, ...) can allow what an
      // invariant forbids, so nothing is proven while one is there.
      if (reachability.skipped.length > 0) {
        return reachability.skipped.map((s) => `cannot prove the invariants: ${s.kind ? `${s.kind} ` : ''}${s.object} is left out of the analysis (${s.reason}), `
          + 'so a connection it allows would go unseen. Express it with constructs the analyser models, or check the invariants outside this app.');
      }
      report = this.checkModel(reachability);
    } catch (e) {
      return [`cannot check the invariants: ${e instanceof Error ? e.message : String(e)}`];
    }
    return report.failures.map(invariantFailureMessage);
  }
}

function chartNamespace(scope: IConstruct): string | undefined {
  try {
    return Chart.of(scope).namespace;
  } catch {
    return undefined;
  }
}

function checkNamespaceName(name: string, where: string): string {
  const problems = typeof name === 'string' ? dns1123LabelProblems(name) : ['is not a string'];
  if (problems.length > 0) throw modelError(where, name, `is not a valid namespace name (${problems.join('; ')})`, 'Give the name of a namespace, e.g. payments.');
  return name;
}

function checkInvariantName(name: string): string {
  if (typeof name !== 'string' || !/^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/.test(name)) {
    throw modelError('Invariant name', name, 'is not a valid invariant name',
      'Use 1 to 63 letters, digits, ".", "_" or "-", starting and ending with a letter or digit, e.g. only-api-reaches-pci.');
  }
  return name;
}

function sets(value: EndpointSet[] | undefined, where: string, allowEmpty: boolean): EndpointSet[] {
  if (!Array.isArray(value) || (!allowEmpty && value.length === 0)) {
    throw modelError(where, value, 'is not a list of at least one EndpointSet', 'Give e.g. [EndpointSet.endpoint(api)] or [EndpointSet.zone(pci)].');
  }
  value.forEach((v, i) => {
    if (!(v instanceof EndpointSet)) throw modelError(`${where}[${i}]`, v, 'is not an EndpointSet', 'Use EndpointSet.namespace(...), EndpointSet.pods(...), EndpointSet.endpoint(...) or EndpointSet.zone(...).');
  });
  return [...value];
}

function portEntries(ports: Port[], where: string): PortEntry[] {
  if (!Array.isArray(ports) || ports.length === 0) {
    throw modelError(where, ports, 'is not a list of at least one Port', 'Give e.g. [Port.tcp(443)], or leave ports out for every port.');
  }
  return ports.map((p, i) => {
    const port = Port._use(p, `${where}[${i}]`);
    if (port.isNamed) {
      throw modelError(`${where}[${i}]`, port.toString(), 'is a named port, whose number differs from pod to pod', 'Give the port number or range, e.g. Port.tcp(8080).');
    }
    return port._entry;
  });
}

function copySurroundings(o: ReachabilityOptions): ReachabilityOptions {
  return {
    ...o,
    pods: o.pods?.map((p) => ({ ...p, labels: { ...p.labels }, ports: p.ports?.map((x) => ({ ...x })) })),
    externals: o.externals?.map((e) => ({ ...e })),
  };
}
