import { App } from 'cdk8s';
import { Construct } from 'constructs';
import { buildProgram } from './build';
import {
  GeneratedDependency, GeneratedEndKind, GeneratedEndRef, GeneratedExternal, GeneratedPods, GeneratedPort, GeneratedProgram,
  GeneratedService, GeneratedStack, UnexpressedConnection,
} from './program';
import { ApplicationStack } from '../constructs/application-stack';
import { FlowVerdict, ObservedConnection, ObservedEnd, ObservedEndKind } from '../flows/observed';
import { ObservedFlows } from '../flows/observed-flows';
import { Cluster } from '../inventory/cluster';
import { aggregateAddresses, formatCidr, formatIp, parseIp } from '../k8s/cidr';
import { compileSelector, Labels } from '../k8s/label-selector';
import { EnforcementPhase, isEnforcementPhase } from '../model/enforcement-phase';
import { ALL_PROTOCOLS, Protocol } from '../model/protocol';

/** How a program is generated from flows. */
export interface GenerateOptions {
  /**
   * The manifests the flows were read with (plain objects): their workloads' labels are checked so
   * that no generated selector also selects one of them. @default - none
   */
  readonly manifests?: any[];
  /**
   * The namespaces to write stacks for; workloads of other namespaces become peers (only the
   * services' side of a dependency with them is written). Never the DNS server's namespace or
   * kube-system: a default deny there would cut the cluster off DNS.
   * @default - every namespace with an observed workload, except kube-system and the DNS server's
   */
  readonly namespaces?: string[];
  /**
   * The phase of every generated stack: `OBSERVE` (no object written), `STAGED` (Calico
   * `StagedKubernetesNetworkPolicy` objects, evaluated and reported, not enforced) or `ENFORCE`.
   * `ENFORCE` writes no phase on the stacks, so the program is what it is without this option.
   * @default EnforcementPhase.ENFORCE
   */
  readonly phase?: EnforcementPhase;
}

/** The namespace Kubernetes runs its own components in. */
const KUBE_SYSTEM = 'kube-system';
/** The label the stacks' default DNS option selects the DNS server by (in kube-system). */
const DEFAULT_DNS_LABELS: Labels = { 'k8s-app': 'kube-dns' };
/** The labels a selector is built from first, in this order; then the rest by name. */
const PREFERRED_KEYS = ['app.kubernetes.io/name', 'app', 'k8s-app', 'name', 'app.kubernetes.io/instance', 'app.kubernetes.io/component', 'component', 'tier'];

/**
 * Observed traffic becomes intent code: an `ApplicationStack` per namespace, a service per observed
 * workload (named after it, selected by its labels, declaring the ports it was reached on), one
 * dependency per observed source and destination with its ports merged, DNS as the stacks' DNS
 * option, and addresses outside the cluster as `ExternalDestination`s whose CIDRs hold exactly the
 * observed addresses. Connections it cannot express (the node, addresses Calico aggregated away)
 * and connections between ends outside the generated namespaces are listed, never dropped.
 *
 * The program allows every observed connection and, between the observed ends, nothing else but
 * DNS for every service of a namespace in which some service resolved names (the stacks' DNS option
 * allows 53/UDP and 53/TCP to the DNS server for the whole namespace).
 *
 * @example
 * const flows = await FlowFile.read('flows.jsonl');
 * const program = PolicyGenerator.generate(flows);
 * fs.writeFileSync('policies.ts', TypeScriptFormat.program(program));
 * PolicyGenerator.declareStacks(app, program);   // the same stacks, in-process
 */
export class PolicyGenerator {
  /**
   * The program for the flows. Throws when a workload cannot be selected: no labels in the flows
   * (give the manifests), or labels that also select another workload of its namespace.
   */
  public static generate(flows: ObservedFlows, options: GenerateOptions = {}): GeneratedProgram {
    return generateProgram(flows, options);
  }

  /**
   * Declares the program's stacks under `scope`, exactly as the printed program does
   * (`TypeScriptFormat.program`): the same stacks, services, dependencies and options.
   */
  public static declareStacks(scope: Construct, program: GeneratedProgram): ApplicationStack[] {
    return buildProgram(scope, program);
  }

  /**
   * The manifests of the program (what its `app.synth()` writes), synthesized in-process: for
   * `netpol generate --format yaml`. Every stack's policies, in the order of the stacks.
   */
  public static manifests(program: GeneratedProgram): any[] {
    const app = new App();
    return buildProgram(app, program).flatMap((stack) => stack.toJson());
  }

  private constructor() {}
}

/** The key of a port, for sets. */
function portKey(p: GeneratedPort): string {
  return `${p.protocol}/${p.port}`;
}

function comparePorts(a: GeneratedPort, b: GeneratedPort): number {
  return ALL_PROTOCOLS.indexOf(a.protocol) - ALL_PROTOCOLS.indexOf(b.protocol) || a.port - b.port;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isWorkload(end: ObservedEnd): boolean {
  return end.kind === ObservedEndKind.WORKLOAD || end.kind === ObservedEndKind.UNDECLARED_WORKLOAD;
}

function isDnsQuery(c: ObservedConnection): boolean {
  return c.destination.kind === ObservedEndKind.DNS && c.port === 53 && (c.protocol === Protocol.UDP || c.protocol === Protocol.TCP);
}

/** The connections of one service with one address outside the cluster, in one direction. */
interface AddressUse {
  readonly service: string;
  readonly outbound: boolean;
  readonly ports: Map<string, GeneratedPort>;
  readonly dnsNames: Set<string>;
  count: number;
  readonly address: string;
}

/** The addresses a service reaches (or is reached from) on the same ports, with the same DNS names: one destination. */
interface AddressGroup {
  readonly service: string;
  readonly outbound: boolean;
  readonly ports: GeneratedPort[];
  readonly dnsNames: string[];
  readonly addresses: string[];
  count: number;
}

/** A known pod (or workload) of a namespace: observed, or in the manifests. */
interface KnownPods {
  readonly id: string;
  readonly labels?: Labels;
}

function generateProgram(flows: ObservedFlows, options: GenerateOptions): GeneratedProgram {
  if (options.phase !== undefined && !isEnforcementPhase(options.phase)) {
    throw new Error(`phase ${JSON.stringify(options.phase)} is not an enforcement phase. Use EnforcementPhase.OBSERVE, EnforcementPhase.STAGED or EnforcementPhase.ENFORCE.`);
  }
  const phase = options.phase === EnforcementPhase.ENFORCE ? undefined : options.phase;
  const connections = flows.connections;
  // Every end with a namespace, by namespace: what a selector must not select.
  const known = new Map<string, Map<string, KnownPods>>();
  const remember = (namespace: string, id: string, labels?: Labels) => {
    const inNamespace = known.get(namespace) ?? new Map<string, KnownPods>();
    known.set(namespace, inNamespace);
    if (!inNamespace.has(id) || (labels && !inNamespace.get(id)!.labels)) inNamespace.set(id, { id, labels });
  };
  if (options.manifests && options.manifests.length > 0) {
    const cluster = new Cluster(options.manifests.map((object) => ({ object })), {}, { withoutPolicies: true });
    for (const e of cluster.endpoints) if (!e.external && e.namespace !== undefined) remember(e.namespace, e.id, e.labels);
  }
  const ends = new Map<string, ObservedEnd>();
  for (const c of connections) {
    for (const end of [c.source, c.destination]) {
      if (end.namespace === undefined || end.kind === ObservedEndKind.HOST) continue;
      remember(end.namespace, end.id, end.labels);
      if (!ends.has(end.id)) ends.set(end.id, end);
    }
  }

  // The DNS server: the first one (by id) observed answering names on 53; every other use of a DNS end is a peer.
  const dnsEnds = [...new Set(connections.filter(isDnsQuery).map((c) => c.destination.id))].sort(compareText);
  const dnsNamespaces = new Set(connections.filter((c) => c.destination.kind === ObservedEndKind.DNS || c.source.kind === ObservedEndKind.DNS)
    .flatMap((c) => [c.source, c.destination]).filter((e) => e.kind === ObservedEndKind.DNS).map((e) => e.namespace!));
  const scope = namespaceScope(connections, options.namespaces, dnsNamespaces);

  const select = (end: ObservedEnd): GeneratedPods => {
    const dns = end.kind === ObservedEndKind.DNS;
    const labels = end.labels && Object.keys(end.labels).length > 0 ? end.labels : undefined;
    if (!labels && dns) {
      const assumed = { ...DEFAULT_DNS_LABELS };
      return { id: end.id, name: end.name!, namespace: end.namespace!, selector: assumed, assumedSelector: true, ...workloadKind(end) };
    }
    const inNamespace = known.get(end.namespace!)!;
    // The DNS server by the label the stacks' default DNS option selects, when that selects it alone.
    const selector = dns && labels?.['k8s-app'] === 'kube-dns' && selectsOnly(end, DEFAULT_DNS_LABELS, inNamespace)
      ? { ...DEFAULT_DNS_LABELS } : uniqueSelector(end, labels, inNamespace);
    return { id: end.id, name: end.name!, namespace: end.namespace!, selector, assumedSelector: false, ...workloadKind(end) };
  };
  const dnsServerEnd = dnsEnds.length > 0 ? ends.get(dnsEnds[0]) : undefined;
  const dnsServerPods = dnsServerEnd ? select(dnsServerEnd) : undefined;
  const defaultDns = dnsServerPods === undefined
    || (dnsServerPods.namespace === KUBE_SYSTEM && Object.keys(dnsServerPods.selector).length === 1 && dnsServerPods.selector['k8s-app'] === 'kube-dns');

  const isService = (end: ObservedEnd) => isWorkload(end) && scope.has(end.namespace!);
  const usesDnsServer = (c: ObservedConnection) => isDnsQuery(c) && c.destination.id === dnsEnds[0] && isService(c.source);

  const unexpressed: UnexpressedConnection[] = [];
  const services = new Map<string, { pods: GeneratedPods; ports: Map<string, GeneratedPort> }>();
  const peers = new Map<string, GeneratedPods>();
  const dnsUsers = new Set<string>();
  // Connections between two pods ends (services and peers), and between a service and an address.
  const podPairs = new Map<string, { from: GeneratedEndRef; to: GeneratedEndRef; ports: Map<string, GeneratedPort>; count: number }>();
  const addressUses = new Map<string, AddressUse>();

  const podRef = (end: ObservedEnd): GeneratedEndRef => {
    if (isService(end)) {
      if (!services.has(end.id)) services.set(end.id, { pods: select(end), ports: new Map() });
      return { kind: GeneratedEndKind.SERVICE, id: end.id };
    }
    if (!peers.has(end.id)) peers.set(end.id, select(end));
    return { kind: GeneratedEndKind.PEER, id: end.id };
  };

  for (const c of connections) {
    const problem = unexpressible(c.source) ?? unexpressible(c.destination) ?? notLetThrough(c);
    if (problem !== undefined) {
      unexpressed.push({ observed: c, reason: problem });
      continue;
    }
    const port: GeneratedPort = { protocol: c.protocol, port: c.port };
    if (c.source.id === c.destination.id && c.source.kind === ObservedEndKind.WORKLOAD && c.source.workloadKind === 'Pod') {
      unexpressed.push({
        observed: c,
        reason: `${c.source.id} is a single Pod: its traffic to itself is loopback, which NetworkPolicies never block: it needs no rule`,
      });
      podRef(c.source);
      continue;
    }
    if (usesDnsServer(c)) {
      podRef(c.source);
      dnsUsers.add(c.source.namespace!);
      continue;
    }
    if (!isService(c.source) && !isService(c.destination)) {
      unexpressed.push({ observed: c, reason: outOfScope(c, scope) });
      continue;
    }
    const external = c.source.kind === ObservedEndKind.EXTERNAL ? c.source
      : c.destination.kind === ObservedEndKind.EXTERNAL ? c.destination : undefined;
    if (external) {
      const service = external === c.source ? c.destination : c.source;
      const ref = podRef(service);
      if (external === c.source) services.get(ref.id)!.ports.set(portKey(port), port);
      const key = `${ref.id}\u0000${external === c.destination}\u0000${external.ip}`;
      const use: AddressUse = addressUses.get(key)
        ?? { service: ref.id, outbound: external === c.destination, ports: new Map(), dnsNames: new Set<string>(), count: 0, address: external.ip! };
      use.ports.set(portKey(port), port);
      for (const name of external.dnsNames ?? []) use.dnsNames.add(name);
      use.count += c.count;
      addressUses.set(key, use);
      continue;
    }
    const from = podRef(c.source);
    const to = podRef(c.destination);
    if (to.kind === GeneratedEndKind.SERVICE) services.get(to.id)!.ports.set(portKey(port), port);
    const key = `${from.kind}\u0000${from.id}\u0000${to.kind}\u0000${to.id}`;
    const pair = podPairs.get(key) ?? { from, to, ports: new Map(), count: 0 };
    pair.ports.set(portKey(port), port);
    pair.count += c.count;
    podPairs.set(key, pair);
  }

  const generatedServices: GeneratedService[] = [...services.values()]
    .map((s) => ({ ...s.pods, ports: [...s.ports.values()].sort(comparePorts) }))
    .sort((a, b) => compareText(a.id, b.id));
  const serviceById = new Map(generatedServices.map((s) => [s.id, s]));

  // Addresses: per service and direction, the addresses with the same ports and DNS names are one destination.
  const groups = new Map<string, AddressGroup>();
  for (const use of addressUses.values()) {
    const ports = [...use.ports.values()].sort(comparePorts);
    const dnsNames = [...use.dnsNames].sort(compareText);
    const key = `${use.service}\u0000${use.outbound}\u0000${ports.map(portKey).join(',')}\u0000${dnsNames.join(',')}`;
    const group = groups.get(key) ?? { service: use.service, outbound: use.outbound, ports, dnsNames, addresses: [], count: 0 };
    group.addresses.push(use.address);
    group.count += use.count;
    groups.set(key, group);
  }
  const externals = new Map<string, GeneratedExternal>();
  const externalNames = new Map<string, string>();
  const dependencies: GeneratedDependency[] = [];
  for (const group of [...groups.values()].sort((a, b) => compareText(a.service, b.service) || Number(b.outbound) - Number(a.outbound)
    || compareText(a.ports.map(portKey).join(','), b.ports.map(portKey).join(',')) || compareText(a.dnsNames.join(','), b.dnsNames.join(',')))) {
    const parsed = group.addresses.map((a) => parseIp(a)!);
    const addresses = [...parsed].sort((a, b) => a.family - b.family || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0)).map(formatIp);
    const cidrs = aggregateAddresses(parsed).map(formatCidr);
    const identity = `${cidrs.join(',')}\u0000${group.dnsNames.join(',')}`;
    let name = externalNames.get(identity);
    if (name === undefined) {
      const base = group.dnsNames[0] ?? addresses[0];
      name = base;
      for (let n = 2; [...externals.keys()].includes(name); n++) name = `${base}-${n}`;
      externalNames.set(identity, name);
      externals.set(name, { name, cidrs, addresses, dnsNames: group.dnsNames });
    }
    const service = { kind: GeneratedEndKind.SERVICE, id: group.service };
    const destination = { kind: GeneratedEndKind.EXTERNAL, id: name };
    dependencies.push({
      from: group.outbound ? service : destination,
      to: group.outbound ? destination : service,
      ports: group.ports,
      usesDeclaredPorts: false,
      count: group.count,
    });
  }
  for (const pair of podPairs.values()) {
    const ports = [...pair.ports.values()].sort(comparePorts);
    const declared = pair.to.kind === GeneratedEndKind.SERVICE ? serviceById.get(pair.to.id)!.ports : undefined;
    dependencies.push({
      from: pair.from,
      to: pair.to,
      ports,
      count: pair.count,
      usesDeclaredPorts: declared !== undefined && declared.map(portKey).join(',') === ports.map(portKey).join(','),
    });
  }

  const stacks = buildStacks(generatedServices, dependencies, dnsUsers).map((s) => (phase === undefined ? s : { ...s, phase }));
  return {
    flows: flows.summary,
    stacks,
    services: generatedServices,
    peers: [...peers.values()].sort((a, b) => compareText(a.id, b.id)),
    externals: [...externals.values()].sort((a, b) => compareText(a.name, b.name)),
    ...(defaultDns || dnsUsers.size === 0 ? {} : { dnsServer: dnsServerPods }),
    unexpressed,
  };
}

/**
 * The stacks: one per namespace with a service. A dependency goes in the stack of its service end;
 * between two services, the source's, except when only the source's namespace resolves names: then
 * the destination's, so that declaring the other namespace's service there adds no DNS to a
 * namespace that never resolved names (a stack allows DNS in every namespace it declares a service in).
 */
function buildStacks(services: GeneratedService[], dependencies: GeneratedDependency[], dnsUsers: Set<string>): GeneratedStack[] {
  const namespaceOf = new Map(services.map((s) => [s.id, s.namespace]));
  const byNamespace = new Map<string, { services: Set<string>; dependencies: GeneratedDependency[] }>();
  for (const s of services) {
    const stack = byNamespace.get(s.namespace) ?? { services: new Set<string>(), dependencies: [] };
    stack.services.add(s.id);
    byNamespace.set(s.namespace, stack);
  }
  for (const d of dependencies) {
    const fromNs = d.from.kind === GeneratedEndKind.SERVICE ? namespaceOf.get(d.from.id) : undefined;
    const toNs = d.to.kind === GeneratedEndKind.SERVICE ? namespaceOf.get(d.to.id) : undefined;
    const intoQuiet = fromNs !== undefined && toNs !== undefined && fromNs !== toNs && dnsUsers.has(fromNs) && !dnsUsers.has(toNs);
    const home = intoQuiet ? toNs! : (fromNs ?? toNs)!;
    const stack = byNamespace.get(home)!;
    for (const ref of [d.from, d.to]) if (ref.kind === GeneratedEndKind.SERVICE) stack.services.add(ref.id);
    stack.dependencies.push(d);
  }
  const refKey = (r: GeneratedEndRef) => `${r.kind === GeneratedEndKind.EXTERNAL ? '1' : '0'}${r.id}`;
  return [...byNamespace.entries()].sort(([a], [b]) => compareText(a, b)).map(([namespace, s]) => ({
    id: namespace,
    namespace,
    dns: dnsUsers.has(namespace),
    services: [...s.services].sort((a, b) => Number(namespaceOf.get(a) !== namespace) - Number(namespaceOf.get(b) !== namespace)
      || compareText(a, b)),
    dependencies: s.dependencies.sort((a, b) => compareText(refKey(a.from), refKey(b.from)) || compareText(refKey(a.to), refKey(b.to))),
  }));
}

/** The namespaces stacks are written for. */
function namespaceScope(connections: readonly ObservedConnection[], given: string[] | undefined, dnsNamespaces: Set<string>): Set<string> {
  const observed = new Set(connections.flatMap((c) => [c.source, c.destination]).filter(isWorkload).map((e) => e.namespace!));
  if (given === undefined) return new Set([...observed].filter((ns) => ns !== KUBE_SYSTEM && !dnsNamespaces.has(ns)));
  for (const ns of given) {
    if (ns === KUBE_SYSTEM || dnsNamespaces.has(ns)) {
      throw new Error(`namespace ${ns} ${ns === KUBE_SYSTEM ? 'is kube-system' : 'holds the DNS server'}: a default deny there would cut the cluster off DNS and its own components. `
        + 'Leave it out of the namespaces to generate; its workloads become peers of the generated services.');
    }
    if (!observed.has(ns)) {
      const list = [...observed].sort(compareText);
      throw new Error(`namespace ${ns} has no workload in the flows, so there is nothing to generate for it. Namespaces with observed workloads: ${list.length > 0 ? list.join(', ') : '(none)'}.`);
    }
  }
  return new Set(given);
}

/** Why an end cannot be written as a peer of a policy, or undefined when it can. */
function unexpressible(end: ObservedEnd): string | undefined {
  if (end.kind === ObservedEndKind.HOST && end.id === 'kube-apiserver') {
    return 'kube-apiserver is the Kubernetes API server: NetworkPolicies match it only by ipBlock on its endpoint addresses, which the flows do not give; '
      + 'allow it with ExternalDestination.kubernetesApiServer([...]) and the addresses of `kubectl get endpoints kubernetes -n default` '
      + '(on NetworkTarget.cilium() that emits the kube-apiserver entity, as Cilium needs)';
  }
  if (end.kind === ObservedEndKind.HOST) {
    return `${end.id} is the node (or something in its network): NetworkPolicies match nodes only by ipBlock on their addresses, which the flows do not give`;
  }
  if (end.kind === ObservedEndKind.EXTERNAL && end.ip === undefined) {
    return `${end.id} is an aggregate of addresses outside the cluster without an address, so no ipBlock can be written for it; `
      + 'export the flow logs with their addresses to generate it';
  }
  return undefined;
}

function outOfScope(c: ObservedConnection, scope: Set<string>): string {
  const where = (e: ObservedEnd) => (e.namespace !== undefined ? `${e.id} (namespace ${e.namespace}${scope.has(e.namespace) ? '' : ', not generated'})` : e.id);
  return `neither end is a service of the generated namespaces: ${where(c.source)} -> ${where(c.destination)}; the policies of those ends are not written here`;
}

function workloadKind(end: ObservedEnd): { workloadKind?: string } {
  return end.workloadKind !== undefined ? { workloadKind: end.workloadKind } : {};
}

/** Whether `selector` selects no known pods of the namespace but `end`'s. */
function selectsOnly(end: ObservedEnd, selector: Labels, inNamespace: Map<string, KnownPods>): boolean {
  const compiled = compileSelector({ matchLabels: selector });
  return [...inNamespace.values()].every((k) => k.id === end.id || (k.labels !== undefined && !compiled.matches(k.labels)));
}

/** The fewest labels (in the order of PREFERRED_KEYS) that select `end` and no other known pods of its namespace. */
function uniqueSelector(end: ObservedEnd, labels: Labels | undefined, inNamespace: Map<string, KnownPods>): { [key: string]: string } {
  if (!labels) {
    throw new Error(`${end.id}: the flows give no labels for this workload, so no policy can select its pods. `
      + 'Give the manifests of its workload (--manifests, or the manifests option) so its pod labels are known, or export flows that carry pod labels (Hubble, Calico).');
  }
  const others = [...inNamespace.values()].filter((k) => k.id !== end.id);
  const keys = [...PREFERRED_KEYS.filter((k) => k in labels), ...Object.keys(labels).filter((k) => !PREFERRED_KEYS.includes(k)).sort(compareText)];
  const chosen: { [key: string]: string } = {};
  const selectsOther = (selector: { [key: string]: string }) => {
    const compiled = compileSelector({ matchLabels: selector });
    return others.filter((o) => o.labels === undefined || compiled.matches(o.labels));
  };
  for (const key of keys) {
    chosen[key] = labels[key];
    if (selectsOther(chosen).length === 0) return sortedLabels(chosen);
  }
  const clash = selectsOther(chosen).map((o) => o.id).sort(compareText);
  throw new Error(`${end.id}: its labels (${Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',')}) also select ${clash.join(', ')}`
    + `${clash.some((id) => !inNamespace.get(id)!.labels) ? ' (or may: the flows give no labels for some of them)' : ''}, `
    + 'so a policy for one would apply to the others. Give the workloads distinguishing labels, or the manifests with their pod labels (--manifests).');
}

function sortedLabels(labels: { [key: string]: string }): { [key: string]: string } {
  return Object.fromEntries(Object.entries(labels).sort(([a], [b]) => compareText(a, b)));
}

/**
 * Why a connection the network did not let through gets no rule: an attempt DROPPED (or failed)
 * at either end means something already denies it, and a rule for it would allow more than the
 * running cluster does. Listed for review instead.
 */
function notLetThrough(c: ObservedConnection): string | undefined {
  const failed = c.verdicts.filter((v) => v.verdict === FlowVerdict.DROPPED || v.verdict === FlowVerdict.ERROR);
  if (failed.length === 0) return undefined;
  return `the network did not let it through (${failed.map((v) => `${v.verdict} ${v.count}`).join(', ')}): something already denies it, `
    + 'so a rule would allow more than the cluster does. Declare it by hand if it is wanted';
}
