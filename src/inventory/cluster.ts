import { statedApiServers } from './api-server-endpoints';
import {
  CiliumEndpointSelector, CiliumPolicy, CiliumRule, ciliumSelects, isNoEndEntity, NO_END_ENTITIES, readCiliumPolicy, requirementFields,
  serviceAccountUnknown, UNKNOWN_SERVICE_ACCOUNT,
} from './cilium-policy';
import { classifyObject, describeRef, KindCount, ObjectRole, SkipCategory, SkippedManifest } from './inventory';
import { checkClusterPolicyRules } from '../k8s/admin-policy-rules';
import { checkApiServerRules, effectivePolicyTypes } from '../k8s/api-server-rules';
import { cidrContains, cidrMayHoldPodIp, cidrsCover, cidrsCoverFamily, formatIp, NOT_AN_IP, parseCidr, parseEndpointIp, ParsedCidr, ParsedIp } from '../k8s/cidr';
import { checkCiliumPolicy } from '../k8s/cilium-rules';
import { Severity } from '../k8s/finding';
import { normalizeDnsName } from '../k8s/fqdn-pattern';
import { compileSelector, CompiledSelector, describeSelector, Labels } from '../k8s/label-selector';
import { DECLARED_BY_LABELS_ANNOTATION, LabelSelectorJson, NAMESPACE_NAME_LABEL } from '../k8s/manifest';
import { dns1123SubdomainProblems, labelValueProblems, portNameProblems, portNumberProblems, qualifiedNameProblems } from '../k8s/names';
import { FlatObject, openLists, SourcedObject } from '../k8s/objects';
import { ALL_TRAFFIC, ContainerPort, DEFAULT_PROTOCOL, PORT_PROTOCOLS, PortEntry, PortSet, portSetFromWire } from '../k8s/port-set';

export { SourcedObject };

/** A container port of an endpoint. */
export type ClusterPort = ContainerPort;

/** Something traffic goes from or to: a pod, a workload's pods, or an address outside the cluster. */
export interface ClusterEndpoint {
  readonly index: number;
  /** `<namespace>/<name>` for pods and workloads; the given name for external endpoints. */
  readonly id: string;
  readonly kind: string;
  /** Undefined for external endpoints. */
  readonly namespace?: string;
  readonly labels: Labels;
  readonly ports: ClusterPort[];
  readonly ips: ParsedIp[];
  /**
   * An address field of its manifest is present but holds no address (`status.podIPs[1].ip: pending`,
   * reported in `skipped`): it may have an address besides `ips` that the input does not give, so
   * rules by address are decided for it as for an end whose IP is not known (`ipNotKnown`). @default false
   */
  readonly ipsIncomplete?: boolean;
  readonly external: boolean;
  /** The DNS names an external endpoint is known by (lower case, no trailing dot), for `domainNames` peers. */
  readonly dnsNames: string[];
  /** A single pod (or address): traffic to itself is loopback. A workload stands for several replicas. */
  readonly singleInstance: boolean;
  /** Where it was declared: a manifest's file and line, or the option that added it. */
  readonly origin: EndpointOrigin;
  /** A pod (or pod template) with `spec.hostNetwork: true`: it uses its node's network and IP. */
  readonly hostNetwork: boolean;
  /**
   * Analysed as traffic of its node (a hostNetwork pod under `HostNetworkMode.NODE_TRAFFIC`): no
   * policy selects it and pod and namespace selectors never match it; only ipBlocks do, on its node IP.
   */
  readonly nodeTraffic: boolean;
  /**
   * The node it runs on, where known: a pod's `spec.nodeName` (or the Node whose address is its
   * `status.hostIP`), a Node's own name, the API server's node. Cilium tells the subject's own node
   * (`host`) from the others (`remote-node`) by it. @default - unknown (a workload's replicas, a model pod, an address)
   */
  readonly node?: string;
  /**
   * The service account its pods run as (`podServiceAccount`), for a pod or workload on the pod network:
   * Cilium's identity carries it (`io.cilium.k8s.policy.serviceaccount`). A hostNetwork pod has the
   * host's identity instead, so it has none here. @default - not known (an end without a pod spec:
   * a model pod, a service declared by labels), or not a pod on the pod network
   */
  readonly serviceAccount?: string;
  /** The Kubernetes API server (`ModelEndpoints.apiServer`): Cilium's `kube-apiserver` entity. @default false */
  readonly apiServer?: boolean;
  /**
   * The workload of the input at the top of its ownerReferences, when it is not folded into it (its
   * labels, ports, address or node differ from the owner's template): `--group-by workload` groups it there.
   * @default - none
   */
  readonly owner?: { readonly id: string; readonly kind: string };
}

/**
 * Whether an end inside the cluster may have an address the input does not give: none is given (a
 * workload's replicas, a pod without status.podIP, a Node without addresses) or an address field
 * held none (`ClusterEndpoint.ipsIncomplete`). The one rule the analysis decides unknown IPs by.
 */
export function ipNotKnown(endpoint: ClusterEndpoint): boolean {
  return !endpoint.external && (endpoint.ips.length === 0 || endpoint.ipsIncomplete === true);
}

/** The id of the endpoint of the Kubernetes API server (`ReachabilityOptions.apiServerIp`, `--api-server`), when there is one. */
export const API_SERVER_ENDPOINT = 'kube-apiserver';

/**
 * The id of the endpoint of an API server at `ip` when several are given (an HA control plane):
 * `kube-apiserver:<ip>`, the address as given. One alone is `API_SERVER_ENDPOINT`, as ever.
 */
export function apiServerEndpointId(ip: string, count: number): string {
  return count === 1 ? API_SERVER_ENDPOINT : `${API_SERVER_ENDPOINT}:${ip}`;
}

/** The id of a Node's endpoint: `node:<name>` (a namespace name has no `:`, so it is never a pod's). */
export function nodeEndpointId(name: string): string {
  return `node:${name}`;
}

/** Where an endpoint comes from, for messages. */
export interface EndpointOrigin {
  readonly file?: string;
  readonly line?: number;
  /** The option that added it (model pods, external endpoints), when not from a manifest. */
  readonly option?: string;
}

/** A peer of a rule. */
export type RulePeer =
  | {
    readonly kind: 'ipBlock';
    readonly cidr: ParsedCidr;
    readonly except: ParsedCidr[];
    readonly text: string;
    /** The CIDR and the excepts as written. */
    readonly cidrText: string;
    readonly exceptTexts: string[];
  }
  | {
    readonly kind: 'selectors';
    readonly podSelector?: CompiledSelector;
    readonly namespaceSelector?: CompiledSelector;
    readonly text: string;
    /** kubectl's text of the pod selector (`app=web`, `<all>`); undefined when the peer has none. */
    readonly podSelectorText?: string;
    /** kubectl's text of the namespace selector; undefined when the peer has none (the policy's namespace). */
    readonly namespaceSelectorText?: string;
    /** The one namespace the namespace selector names, when it is exactly `kubernetes.io/metadata.name: <name>`. */
    readonly namespaceName?: string;
  };

/** One allow rule after defaulting: undefined peers mean "all"; a rule without ports allows all traffic. */
export interface PolicyRule {
  readonly index: number;
  readonly peers?: RulePeer[];
  readonly ports: PortSet;
}

/** A NetworkPolicy as the analyser uses it. */
export interface ClusterPolicy {
  /** `<namespace>/<name>`. */
  readonly id: string;
  readonly namespace: string;
  readonly podSelector: CompiledSelector;
  readonly podSelectorText: string;
  /** Present when the policy's (defaulted) policyTypes include Ingress. */
  readonly ingress?: PolicyRule[];
  /** Present when the policy's (defaulted) policyTypes include Egress. */
  readonly egress?: PolicyRule[];
  readonly file?: string;
  /**
   * A Calico `StagedKubernetesNetworkPolicy`: evaluated and reported, not enforced. Its id is
   * `<namespace>/<name> (staged)`, so that it stays apart from an enforcing policy of the same name.
   */
  readonly staged?: boolean;
}

/** The suffix of a staged policy's id in the model (`shop/web-ingress (staged)`). */
export const STAGED_POLICY_SUFFIX = ' (staged)';

/** An object the model could not use, and why: the inventory's one shape for it. */
export type SkippedObject = SkippedManifest;

/** Extra endpoints for the model: pods that are not in the manifests (e.g. kube-dns) and external addresses. */
export interface ModelEndpoints {
  /** `workload`: it stands for a workload's replicas (traffic to itself is decided by the policies), not one pod (loopback). */
  readonly pods?: Array<{ namespace: string; name: string; labels: Record<string, string>; ports?: ClusterPort[]; ip?: string; workload?: boolean }>;
  readonly externals?: Array<{ name: string; ip: string; dnsName?: string; dnsNames?: string[] }>;
  /**
   * The Kubernetes API servers' addresses: an endpoint each (`apiServerEndpointId`). One on a node
   * (the address is a Node's, or a pod's `status.hostIP`) is node traffic of that node; one
   * elsewhere is outside the cluster (a managed control plane) when the input lists Nodes or
   * `outside` says so, and otherwise unplaced (refused where the verdicts depend on it).
   */
  readonly apiServer?: { readonly ips: readonly string[]; readonly outside?: boolean };
  /**
   * The container ports of services declared by labels, by endpoint id (`<namespace>/<name>`), where
   * the program that wrote the policies knows them (the manifests do not say): the ports of the
   * declared endpoints the inventory makes from the policies (see `DECLARED_BY_LABELS_ANNOTATION`).
   */
  readonly declaredPorts?: ReadonlyMap<string, ClusterPort[]>;
  /**
   * Services the program declared by labels whose policies are not in the manifests (their phase is
   * observe: declared, not emitted): endpoints `<namespace>/<name>` as if a policy with this pod
   * selector and the `DECLARED_BY_LABELS_ANNOTATION` were there.
   */
  readonly declaredServices?: ReadonlyArray<{ readonly namespace: string; readonly name: string; readonly podSelector: LabelSelectorJson }>;
}

/** The kind of an endpoint that stands for a service declared by labels (`DECLARED_BY_LABELS_ANNOTATION`). */
export const DECLARED_SERVICE_KIND = 'DeclaredService';

/**
 * What the program that wrote a policy of a service declared by labels knows and the manifests do
 * not say: the service's container ports. A construct that writes such a policy offers it as a
 * function under the `DECLARED_SERVICE` key (a `Symbol.for`, so it is found across two installed
 * copies of the package), and `Reachability.fromChart` gives the ports to the declared endpoint.
 */
export interface DeclaredServiceFacts {
  readonly namespace: string;
  readonly name: string;
  readonly ports?: ReadonlyArray<{ readonly number: number; readonly name?: string; readonly protocol?: string }>;
  /**
   * The service's pod selector, when its policy is not in the output (its phase is observe), so the
   * model knows the service from the program alone.
   */
  readonly unemittedPodSelector?: LabelSelectorJson;
}

/** The key of a construct's `() => DeclaredServiceFacts`. */
export const DECLARED_SERVICE = Symbol.for('cdk8s-netpol:declared-service');

/**
 * The container ports of the declared services that `constructs` offer (see `DECLARED_SERVICE`), by
 * endpoint id; facts that are not well formed are not used.
 */
export function declaredServicePorts(constructs: readonly object[]): ReadonlyMap<string, ClusterPort[]> {
  return declaredServicesOf(constructs).declaredPorts;
}

/**
 * What `constructs` offer about their declared services (see `DECLARED_SERVICE`): the container
 * ports by endpoint id, and the services whose policies are not in the output (phase observe), which
 * the model knows only from the program. Facts that are not well formed are not used.
 */
export function declaredServicesOf(constructs: readonly object[]): Required<Pick<ModelEndpoints, 'declaredPorts' | 'declaredServices'>> {
  const ports = new Map<string, ClusterPort[]>();
  const unemitted = new Map<string, { namespace: string; name: string; podSelector: LabelSelectorJson }>();
  for (const c of constructs) {
    const offer = (c as any)[DECLARED_SERVICE];
    if (typeof offer !== 'function') continue;
    const facts: DeclaredServiceFacts | undefined = offer();
    if (typeof facts?.namespace !== 'string' || typeof facts.name !== 'string') continue;
    const id = `${facts.namespace}/${facts.name}`;
    if (typeof facts.unemittedPodSelector === 'object' && facts.unemittedPodSelector !== null && !unemitted.has(id)) {
      unemitted.set(id, { namespace: facts.namespace, name: facts.name, podSelector: facts.unemittedPodSelector });
    }
    if (!Array.isArray(facts.ports) || ports.has(id)) continue;
    ports.set(id, facts.ports.filter((p) => Number.isInteger(p?.number))
      .map((p) => ({ number: p.number, name: typeof p.name === 'string' ? p.name : undefined, protocol: typeof p.protocol === 'string' ? p.protocol : 'TCP' })));
  }
  return { declaredPorts: ports, declaredServices: [...unemitted.values()] };
}

/** How a `Cluster` is built. */
export interface ClusterOptions {
  /**
   * Keep every endpoint even when two share an id (for lints that only look at labels), instead of
   * throwing: ids must be unique for anything that names endpoints.
   */
  readonly allowDuplicateIds?: boolean;
  /** Leave the Kubernetes NetworkPolicies out, unchecked (for `validateManifests`, which checks them itself). */
  readonly withoutPolicies?: boolean;
  /**
   * Enforce the staged policies (Calico `StagedKubernetesNetworkPolicy`) together with the
   * enforcing ones: the model of what the cluster would do once they are promoted. They are in
   * `stagedPolicies` either way.
   * @default false: staged policies do not enforce
   */
  readonly stagedAsEnforced?: boolean;
  /**
   * How hostNetwork pods are analysed: `node` (the most common implementation, the default) treats
   * their traffic as traffic of their node; `pod` as the traffic of an ordinary pod.
   */
  readonly hostNetwork?: 'node' | 'pod';
  /**
   * The ranges the cluster assigns pod IPs from (`ReachabilityOptions.podCidrs`, `--pod-cidr`): a pod
   * on the pod network whose IP is not known lies inside them. @default - none: such a pod may have any IP
   */
  readonly podCidrs?: readonly string[];
  /**
   * The cluster runs Cilium even when the input holds no Cilium policy (a diff whose other side
   * holds some: the plugin is the same before and after). @default false: Cilium when the input holds Cilium policies
   */
  readonly runsCilium?: boolean;
  /**
   * Keep each NetworkPolicy object with what is compiled of it, so that the model of another
   * snapshot can reuse it (`basis`) until `releaseReusable`. @default false
   */
  readonly reusable?: boolean;
  /**
   * The model of another snapshot of the cluster, built `reusable`, whose input objects have not
   * changed since: a NetworkPolicy object equal to one of the basis in every field (`samePlainData`:
   * kind, metadata, spec, everything, as plain data) takes what was compiled of that one (its
   * acceptance by the API server rules, its selectors and rules, its declared service) instead of
   * compiling it again; everything else is built as without a basis, so the model is the same.
   * @default - none
   */
  readonly basis?: Cluster;
}

/** The namespace objects without one land in. */
export const DEFAULT_NAMESPACE = 'default';

/**
 * The model of a cluster the analyser reasons about: namespaces (with the name label every
 * namespace carries), endpoints (pods, workload pod templates, services the policies were declared
 * for by labels, external addresses) and the NetworkPolicies after the API server's defaulting.
 *
 * Every object of the input is used, counted in `ignored` (kinds that cannot affect NetworkPolicy
 * verdicts: ConfigMap, Service, ...), or listed in `skipped` with the reason and the fix: policies
 * the API server would reject (they cannot exist in a cluster), kinds that can change verdicts but
 * are not modelled (Calico policies, parts of Cilium policies the model cannot place), and objects kubectl
 * would reject (a name YAML 1.1 read as a boolean, no name, no pod template).
 */
export class Cluster {
  public readonly endpoints: ClusterEndpoint[] = [];
  public readonly namespaces = new Map<string, Labels>();
  /** The namespaces whose Namespace object the input holds. */
  private declaredNamespaces: ReadonlySet<string> = new Set();
  /** The policies that enforce (with `stagedAsEnforced`, the staged policies too). */
  public readonly policies: ClusterPolicy[] = [];
  /** The staged policies (Calico `StagedKubernetesNetworkPolicy`), kept apart: they do not enforce unless `stagedAsEnforced`. */
  public readonly stagedPolicies: ClusterPolicy[] = [];
  /**
   * The cluster-wide policies of the sig-network policy API the API server accepts (AdminNetworkPolicy,
   * BaselineAdminNetworkPolicy, ClusterNetworkPolicy), in input order; `analysis/precedence` orders them.
   */
  public readonly tieredPolicies: TieredPolicy[] = [];
  /**
   * The rule specs of the CiliumNetworkPolicies and CiliumClusterwideNetworkPolicies Cilium accepts
   * (one per `spec` and per item of `specs`), in input order: part of the namespace tier, with the
   * NetworkPolicies (`analysis/cilium-semantics`).
   */
  public readonly ciliumPolicies: CiliumPolicy[] = [];
  public readonly skipped: SkippedObject[] = [];
  /** Objects of kinds that cannot affect NetworkPolicy verdicts, by kind (sorted). */
  public readonly ignored: KindCount[];
  private readonly byId = new Map<string, ClusterEndpoint>();
  private scopedCache?: Map<string, Cluster>;
  private policiesByNamespace?: Map<string, ClusterPolicy[]>;

  /** How hostNetwork pods are analysed. */
  public readonly hostNetworkMode: 'node' | 'pod';
  private readonly declaredCilium: boolean;
  /**
   * Whether the cluster runs Cilium, which decides how NetworkPolicy ipBlocks apply: when the input
   * holds Cilium policies (README "Cilium"), or when told so (`ClusterOptions.runsCilium`).
   */
  public get runsCilium(): boolean {
    return this.declaredCilium || this.ciliumPolicies.length > 0;
  }
  /** The nodes the API servers run on, where their address is a known node's (`ModelEndpoints.apiServer`). */
  public readonly apiServerNodes: ReadonlySet<string> = new Set();
  /** The API servers' addresses, when given. */
  public readonly apiServerIps: readonly ParsedIp[] = [];
  /** The ranges pod IPs are assigned from (`ClusterOptions.podCidrs`), empty when not given. */
  public readonly podCidrs: readonly ParsedCidr[];
  /**
   * The ids of the API server endpoints whose placement is not known (no Node of the input has the
   * address, none is listed, and none was said to run outside): modelled as outside the cluster only
   * where no verdict depends on it (`refuseUnplacedApiServer`), and `explain` says so.
   */
  public readonly unplacedApiServers: ReadonlySet<string> = new Set();
  /**
   * Where the API servers' addresses came from, when the input states them (the Endpoints or
   * EndpointSlices of `default/kubernetes`): `API server at 10.0.0.1 (6443/TCP), from default/kubernetes
   * EndpointSlice`, for the notes. Undefined when the input states none.
   */
  public readonly apiServerSource?: string;
  private readonly allowDuplicateIds: boolean;
  /** The NetworkPolicies' compiled selectors and peers, one per meaning. */
  private readonly shared: SharedParts;
  /** Each NetworkPolicy object with what was compiled of it, in input order (`ClusterOptions.reusable`); undefined when not kept. */
  private reusableParts?: ReusableParts;
  /** The NetworkPolicy objects (and staged ones) read so far, accepted or not: the position of the next one. */
  private policyObjects = 0;
  /** The basis's parts, while this model is built. */
  private basisParts?: ReusableParts;

  /**
   * Why the API server is not in the model although the input states its address (where it runs is
   * not known: `leaveOutUnplacedStatedApiServer`), with the fix; undefined otherwise.
   */
  private apiServerLeftOut?: string;

  constructor(objects: SourcedObject[], extra: ModelEndpoints = {}, options: ClusterOptions = {}) {
    checkModelEndpoints(extra);
    this.allowDuplicateIds = options.allowDuplicateIds ?? false;
    this.declaredCilium = options.runsCilium ?? false;
    this.hostNetworkMode = options.hostNetwork ?? 'node';
    this.podCidrs = parsePodCidrs(options.podCidrs ?? []);
    this.shared = new SharedParts(options.basis?.shared);
    this.basisParts = options.basis?.reusableParts;
    if (options.reusable) this.reusableParts = new ReusableParts();
    const entries = openLists(objects);
    // Each object with its role, classified once (by position: a Map keyed by 100,000 objects costs
    // an identity hash per object and a lookup per use).
    const flat: FlatObject[] = [];
    const roles: ObjectRole[] = [];
    for (const e of entries) {
      if (!('object' in e)) continue;
      flat.push(e);
      roles.push(classifyObject(e.object));
    }
    const withRole = (role: string) => flat.filter((_, i) => roles[i].role === role);
    // The pods (and ReplicaSets, Jobs) that fold into an owner of the input: see foldIntoOwners.
    const folding: Array<{ object: any; template: any }> = [];
    for (let i = 0; i < flat.length; i++) {
      const role = roles[i];
      if (role.role === 'workload') folding.push({ object: flat[i].object, template: role.template });
      else if (role.role === 'pod') folding.push({ object: flat[i].object, template: undefined });
    }
    const present = foldIntoOwners(folding, this.skipped);
    const declaredNamespaceLabels = new Map<string, Labels>();
    // Two Namespace objects of one name with other labels: which one the cluster has is not known,
    // and taking either would make the verdicts depend on the order of the input. Refused.
    const namespaceOrigin = new Map<string, FlatObject>();
    for (const o of withRole('namespace')) {
      const name = o.object.metadata.name;
      const labels = stringRecord(o.object.metadata.labels);
      const first = declaredNamespaceLabels.get(name);
      // The control plane sets the name label on every namespace: with it or without, the same labels.
      const effective = (l: Labels) => ({ ...l, [NAMESPACE_NAME_LABEL]: name });
      if (first !== undefined && !sameLabels(effective(first), effective(labels))) {
        const where = (x: FlatObject) => (x.file !== undefined ? ` (${x.file}${x.line !== undefined ? `:${x.line}` : ''})` : '');
        throw new Error(`two Namespace objects named ${name} carry different labels: ${JSON.stringify(first)}${where(namespaceOrigin.get(name)!)} `
          + `and ${JSON.stringify(labels)}${where(o)}. A namespace has one set of labels, and namespace selectors decide by them: `
          + 'leave one of them out of the input, or give both the same labels.');
      }
      declaredNamespaceLabels.set(name, labels);
      namespaceOrigin.set(name, o);
    }
    const nodeByIp = nodeAddresses(flat.filter((_, i) => roles[i].role === 'node' || roles[i].role === 'pod').map((o) => o.object));
    const ignored = new Map<string, number>();
    // validate builds its model without policies, where nothing depends on the API server: not read there.
    const stated = options.withoutPolicies ? undefined : statedApiServers(flat.map((o) => o.object));
    const { apiServer, source: apiServerSource } = apiServersFrom(extra.apiServer, stated);
    const declared: DeclaredService[] = [];
    let next = 0; // the position of the next object in `flat` (and `roles`)
    for (const entry of entries) {
      if (!('object' in entry)) {
        this.skipped.push({ object: entry.path ?? 'the document', category: SkipCategory.MALFORMED, reason: entry.problem, ...sourceOf(entry) });
        continue;
      }
      const { object } = entry;
      const role = roles[next++];
      const origin = sourceOf(entry);
      switch (role.role) {
        case 'policy': {
          const services = options.withoutPolicies ? undefined : this.addPolicy(object, origin, false);
          if (services) declared.push(...services);
          break;
        }
        case 'staged-policy': {
          const services = options.withoutPolicies ? undefined : this.addPolicy(object, origin, true);
          if (!services) break;
          declared.push(...services);
          if (options.stagedAsEnforced) this.policies.push(this.stagedPolicies[this.stagedPolicies.length - 1]);
          break;
        }
        case 'pod': this.addPod(object, present, origin, nodeByIp); break;
        case 'node': this.addNode(object, origin); break;
        case 'workload': this.addWorkload(object, role.template, present, origin); break;
        case 'namespace': break;
        case 'cluster-policy': if (!options.withoutPolicies) this.addClusterPolicy(object, origin); break;
        case 'cilium-policy': if (!options.withoutPolicies) this.addCiliumPolicy(object, origin); break;
        case 'ignored': if (!stated?.objects.has(object)) ignored.set(role.kind, (ignored.get(role.kind) ?? 0) + 1); break;
        case 'left-out': {
          this.skipped.push({ object: describeRef(object), category: role.category, reason: role.reason, ...kindOf(object), ...origin });
          break;
        }
      }
    }
    if (this.ciliumPolicies.length > 0 && this.hostNetworkMode === 'pod' && this.endpoints.some((e) => e.hostNetwork)) {
      // Cilium never makes a hostNetwork pod an endpoint: its traffic has the host (or remote-node)
      // identity and only host policies police it (docs.cilium.io "Entities based": host "also
      // includes all containers running in host networking mode"). Policing it like a pod would
      // prove verdicts Cilium cannot give.
      throw new Error('hostNetwork pods analysed as pods (HostNetworkMode.POD_TRAFFIC, --host-network pod) next to Cilium policies '
        + `(${this.ciliumPolicies[0].kind} ${this.ciliumPolicies[0].id}): Cilium treats a hostNetwork pod as traffic of its node, never as a pod its policies select. `
        + 'Analyse with HostNetworkMode.NODE_TRAFFIC (the default; leave out --host-network pod).');
    }
    if (this.ciliumPolicies.length > 0 && this.tieredPolicies.length > 0) this.leaveOutTiers();
    this.ignored = [...ignored.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([kind, count]) => ({ kind, count }));
    for (const d of extra.declaredServices ?? []) {
      const annotations = { [DECLARED_BY_LABELS_ANNOTATION]: d.name };
      const standIn = { metadata: { namespace: d.namespace, annotations }, spec: { podSelector: d.podSelector } };
      declared.push(...declaredServiceOf(standIn, {}));
    }
    this.addDeclaredServices(declared, extra);
    for (const pod of extra.pods ?? []) {
      this.addEndpoint({
        kind: pod.workload ? 'workload' : 'Pod',
        namespace: pod.namespace,
        id: `${pod.namespace}/${pod.name}`,
        labels: { ...pod.labels },
        ports: pod.ports ?? [],
        ips: pod.ip ? [requireIp(pod.ip, `${pod.namespace}/${pod.name}`, 'ReachabilityOptions.pods[].ip (--pod ns/name@ip)')] : [],
        external: false,
        singleInstance: !pod.workload,
        origin: { option: 'ReachabilityOptions.pods' },
        hostNetwork: false,
        nodeTraffic: false,
      });
    }
    const externalAt = new Map<string, string>();
    for (const ext of extra.externals ?? []) {
      const ip = requireIp(ext.ip, ext.name, 'ReachabilityOptions.externals[].ip (--external)');
      this.refuseInClusterExternal(ext.name, ext.ip, ip, nodeByIp);
      refuseSharedExternalAddress(ext.name, ip, externalAt);
      const dnsNames: string[] = [];
      for (const text of [...(ext.dnsName === undefined ? [] : [ext.dnsName]), ...(ext.dnsNames ?? [])]) {
        const name = requireDnsName(text, ext.name);
        if (!dnsNames.includes(name)) dnsNames.push(name);
      }
      this.addEndpoint({
        kind: 'External',
        id: ext.name,
        labels: {},
        ports: [],
        ips: [ip],
        dnsNames,
        external: true,
        singleInstance: true,
        origin: { option: 'ReachabilityOptions.externals or --external' },
        hostNetwork: false,
        nodeTraffic: false,
      });
    }
    // Before the API servers are placed: only the tier rules that stay decide whether their place
    // matters (refuseUnplacedApiServer). It reads no API server end, so the order changes nothing else.
    this.leaveOutUndecidableNetworks();
    // Addresses from --api-server are the user's word; those only the input states (default/kubernetes) are not.
    const statedOnly = stated !== undefined && (extra.apiServer === undefined || extra.apiServer.ips.length === 0);
    const api = apiServer !== undefined
      ? this.addApiServers(apiServer, nodeByIp, roles.some((r) => r.role === 'node'), externalAt, statedOnly ? stated.source : undefined)
      : undefined;
    if (api !== undefined) {
      this.apiServerIps = api.ips;
      this.apiServerNodes = api.nodes;
      this.unplacedApiServers = api.unplacedIds;
    }
    if (apiServerSource !== undefined && api?.ips.length !== 0) this.apiServerSource = apiServerSource;
    const used = new Set<string>(declaredNamespaceLabels.keys());
    for (const e of this.endpoints) if (e.namespace) used.add(e.namespace);
    for (const p of this.policies) used.add(p.namespace);
    for (const p of this.stagedPolicies) used.add(p.namespace);
    for (const p of this.ciliumPolicies) if (p.namespace !== undefined) used.add(p.namespace);
    for (const ns of [...used].sort()) {
      this.namespaces.set(ns, { ...(declaredNamespaceLabels.get(ns) ?? {}), [NAMESPACE_NAME_LABEL]: ns });
    }
    this.declaredNamespaces = new Set(declaredNamespaceLabels.keys());
    if (this.ciliumPolicies.length > 0) this.placeEntities();
    if (this.ciliumPolicies.length > 0) this.noteUnknownServiceAccounts();
    this.basisParts = undefined;
  }

  /** Drops what is kept for the model of another snapshot (`ClusterOptions.reusable`): its input may change from now on. */
  public releaseReusable(): void {
    this.reusableParts = undefined;
  }

  /** The endpoint with this id (`<namespace>/<name>`, or an external endpoint's name). */
  public endpoint(id: string): ClusterEndpoint | undefined {
    return this.byId.get(id);
  }

  /**
   * The same model (namespaces, policies, options) over other endpoints, e.g. one representative of
   * each equivalence class of the analyser; their `index` must be their position in `endpoints`.
   * Its `scopedTo` views are its own (over these endpoints), never those of the model it is a view of.
   */
  public withEndpoints(endpoints: ClusterEndpoint[]): Cluster {
    const view = Object.create(this) as Cluster;
    Object.defineProperty(view, 'endpoints', { value: endpoints });
    Object.defineProperty(view, 'byId', { value: new Map(endpoints.map((e) => [e.id, e])) });
    Object.defineProperty(view, 'scopedCache', { value: undefined, writable: true });
    return view;
  }

  /**
   * The same model (namespaces, endpoints, the cluster-wide tiers, options) with only `policies` as
   * its NetworkPolicies (a subset of `policies`, in their order): e.g. the policies with egress rules,
   * for the egress side of every endpoint alone.
   */
  public withPolicies(policies: ClusterPolicy[]): Cluster {
    const view = Object.create(this) as Cluster;
    Object.defineProperty(view, 'policies', { value: policies });
    Object.defineProperty(view, 'scopedCache', { value: undefined, writable: true });
    return view;
  }

  /**
   * The same model with only the policies that can select `endpoint`: those of its namespace (a
   * policy selects pods of its own namespace only), in their order. An index for the pair verdict,
   * which still checks each policy's selection itself. Asked of such a view, the model's view of
   * `endpoint`'s namespace (the views share one index): the DNS path asks a server's side through
   * the view a source's side was asked through (`dnsVisibility`).
   */
  public scopedTo(endpoint: ClusterEndpoint): Cluster {
    if (!this.scopedCache) {
      // The policies of each namespace, in one pass (not one pass over every policy per namespace).
      this.scopedCache = new Map();
      this.policiesByNamespace = new Map();
      for (const p of this.policies) {
        const list = this.policiesByNamespace.get(p.namespace);
        if (list) list.push(p);
        else this.policiesByNamespace.set(p.namespace, [p]);
      }
    }
    const ns = endpoint.namespace ?? '';
    let view = this.scopedCache.get(ns);
    if (!view) {
      view = Object.create(this) as Cluster;
      const policies = endpoint.namespace === undefined ? [] : this.policiesByNamespace!.get(endpoint.namespace) ?? [];
      Object.defineProperty(view, 'policies', { value: policies });
      this.scopedCache.set(ns, view);
    }
    return view;
  }

  /**
   * The labels of a namespace (every namespace carries `kubernetes.io/metadata.name`). Without its
   * Namespace object in the input only that label is known and the others are taken as none: a
   * guess (`namespaceLabelsGuessed`), which the verdicts that depend on it must report.
   */
  public namespaceLabels(namespace: string): Labels {
    return this.namespaces.get(namespace) ?? { [NAMESPACE_NAME_LABEL]: namespace };
  }

  /**
   * The ids of the pods on the pod network (not node traffic, not hostNetwork) with a known IP that
   * no given pod CIDR of its family holds (empty without pod CIDRs). They are still decided by that
   * IP, the real one; the pod CIDRs may be incomplete, which only the pods of unknown IP rely on.
   */
  public get podsOutsidePodCidrs(): string[] {
    if (this.podCidrs.length === 0) return [];
    return this.endpoints.filter((e) => !e.external && !e.nodeTraffic && !e.hostNetwork && e.ips.some((ip) => {
      const family = this.podCidrs.filter((c) => c.family === ip.family);
      return family.length > 0 && !family.some((c) => cidrContains(c, ip));
    })).map((e) => e.id).sort();
  }

  /**
   * True when the input holds no Namespace object for `namespace`: of its labels only
   * `kubernetes.io/metadata.name` is certain (Kubernetes docs, "Well-Known Labels, Annotations and
   * Taints": the control plane sets it on every namespace), the others are unknown.
   */
  public namespaceLabelsGuessed(namespace: string): boolean {
    return !this.declaredNamespaces.has(namespace);
  }

  /**
   * Whether a namespace selector matches a namespace: `undefined` when that depends on labels the
   * input does not give (no Namespace object, `namespaceLabelsGuessed`, and the selector tests a key
   * other than `kubernetes.io/metadata.name` in a way the known labels do not settle).
   */
  public namespaceMatches(selector: CompiledSelector, namespace: string): boolean | undefined {
    const labels = this.namespaceLabels(namespace);
    if (!this.namespaceLabelsGuessed(namespace)) return selector.matches(labels);
    return selector.matchesPartly(labels, (key) => key === NAMESPACE_NAME_LABEL);
  }

  private addEndpoint(given: Omit<ClusterEndpoint, 'index' | 'dnsNames'> & { dnsNames?: string[] }): void {
    const first = this.byId.get(given.id);
    if (first && !this.allowDuplicateIds) {
      throw new Error(`two endpoints have the id ${given.id}: ${describeEndpoint(first)} and ${describeEndpoint(given)}. `
        + 'Endpoint ids are <namespace>/<name> of pods and workloads and the names of external endpoints, so each must be unique: '
        + 'give one of them a different name, or leave one out of the input.');
    }
    // One literal (not spreads): every endpoint has the same fields in the same order. Typed so that
    // every field of ClusterEndpoint, optional ones too, must be listed: a new field cannot be dropped.
    const endpoint: { [K in keyof Required<ClusterEndpoint>]: ClusterEndpoint[K] } = {
      kind: given.kind,
      namespace: given.namespace,
      id: given.id,
      labels: given.labels,
      ports: given.ports,
      ips: given.ips,
      ipsIncomplete: given.ipsIncomplete,
      external: given.external,
      singleInstance: given.singleInstance,
      origin: given.origin,
      hostNetwork: given.hostNetwork,
      nodeTraffic: given.nodeTraffic,
      dnsNames: given.dnsNames ?? [],
      node: given.node,
      serviceAccount: given.serviceAccount,
      apiServer: given.apiServer,
      owner: given.owner,
      index: this.endpoints.length,
    };
    this.endpoints.push(endpoint);
    if (!first) this.byId.set(endpoint.id, endpoint);
  }

  private addPod(object: any, present: Folds, origin: EndpointOrigin, nodeByIp: ReadonlyMap<string, string | undefined>): void {
    const ns = namespaceOf(object);
    const hostNetwork = object.spec?.hostNetwork === true;
    // Every address field of the pod is read (status.hostIP(s) place it on its node), and each that
    // holds no address is reported, folded pod or not: never dropped silently.
    const own = podAddressFields(object, 'status.podIP', 'status.podIPs');
    const host = podAddressFields(object, 'status.hostIP', 'status.hostIPs');
    for (const { problem, field } of [...own, ...host]) {
      if (problem === undefined) continue;
      const hostField = field.startsWith('status.hostIP');
      this.skipped.push({
        object: describeRef(object),
        category: SkipCategory.MALFORMED,
        reason: `${problem}, so ${hostField && !hostNetwork ? 'the address of its node' : 'its address'} there is not known: `
          + (hostField && !hostNetwork
            ? 'the pod is placed on a node by its spec.nodeName alone, and no Node is known by that address. '
            : 'no ipBlock matches it by that address, and a cluster-wide networks rule is decided fail closed for it (a Deny taken to match). ')
          + `Fix ${field} (an IPv4 or IPv6 address such as 10.0.0.7; leave it out while the pod has none) and dump the pod again`,
        ...kindOf(object),
        ...origin,
      });
    }
    if (present.folded.has(object)) return;
    const owner = present.owners.get(object);
    const name: string = object.metadata.name;
    // A hostNetwork pod has its node's IP: status.podIP(s) equal status.hostIP(s).
    const read = hostNetwork ? [...own, ...host] : own;
    const ips: ParsedIp[] = [];
    for (const { ip } of read) if (ip && !ips.some((x) => x.family === ip.family && x.value === ip.value)) ips.push(ip);
    const ipsIncomplete = read.some((f) => f.problem !== undefined);
    const { node, contradiction } = podNode(object, nodeByIp);
    if (contradiction !== undefined) {
      this.skipped.push({ object: describeRef(object), category: SkipCategory.MALFORMED, reason: contradiction, ...kindOf(object), ...origin });
    }
    this.addEndpoint({
      kind: 'Pod',
      namespace: ns,
      id: `${ns}/${name}`,
      labels: stringRecord(object.metadata?.labels),
      ports: containerPorts(object.spec),
      ips,
      ...(ipsIncomplete ? { ipsIncomplete } : {}),
      external: false,
      singleInstance: true,
      origin,
      hostNetwork,
      nodeTraffic: hostNetwork && this.hostNetworkMode === 'node',
      ...(node !== undefined ? { node } : {}),
      ...(hostNetwork ? {} : { serviceAccount: podServiceAccount(object.spec) }),
      ...(owner !== undefined ? { owner } : {}),
    });
  }

  /** A Node: an end of node traffic with its addresses (`status.addresses` InternalIP and ExternalIP). */
  private addNode(object: any, origin: EndpointOrigin): void {
    const name: string = object.metadata.name;
    // The API server refuses a Node whose name is not a DNS subdomain (Kubernetes API conventions,
    // object names; a name like default/b would also read as a namespaced id): it cannot exist.
    const problems = dns1123SubdomainProblems(name);
    if (problems.length > 0) {
      this.skipped.push({
        object: name,
        category: SkipCategory.MALFORMED,
        reason: `the Node name ${JSON.stringify(name)} is not valid (${problems.join('; ')}), so the API server would reject it and it is left out. Fix the name.`,
        kind: 'Node',
        ...origin,
      });
      return;
    }
    const ips: ParsedIp[] = [];
    for (const ip of nodeIps(object)) if (!ips.some((x) => x.family === ip.family && x.value === ip.value)) ips.push(ip);
    const unread = nodeAddressProblems(object);
    for (const { field, problem, category } of unread) {
      this.skipped.push({
        object: name,
        category,
        reason: `${problem}, so the node's address there is not known: no ipBlock matches its traffic by that address, no pod or API server `
          + 'is placed on it by that address, and a cluster-wide networks rule is decided fail closed for it (a Deny taken to match). '
          + `Fix ${field} (an InternalIP or ExternalIP address such as 10.0.0.11; names go in a Hostname, InternalDNS or ExternalDNS entry) and dump the node again`,
        kind: 'Node',
        ...origin,
      });
    }
    this.addEndpoint({
      kind: 'Node',
      id: nodeEndpointId(name),
      labels: stringRecord(object.metadata?.labels),
      ports: [],
      ips,
      ...(unread.length > 0 ? { ipsIncomplete: true } : {}),
      external: false,
      singleInstance: true,
      origin,
      hostNetwork: false,
      nodeTraffic: true,
      node: name,
    });
  }

  /**
   * The endpoints of the API servers (`ModelEndpoints.apiServer`), each placed alone by its address:
   * on the node whose address it is (node traffic there), outside the cluster when `outside` says so
   * or the input lists Nodes and none has it, and otherwise unplaced: refused or left out where
   * its place matters (`apiServerPlacementDecidedBy`). `statedBy` names the input's objects when only
   * they state the addresses.
   */
  /**
   * An external end is outside the cluster; one at a Node's or an in-cluster end's address contradicts
   * the input, and the two readings differ: CIDR rules match an external end, but on Cilium that
   * address has the node's (or pod's) identity, and "CIDR rules do not apply to traffic where both
   * sides of the connection are either managed by Cilium or use an IP belonging to a node in the
   * cluster" (docs.cilium.io Layer 3 Policies, IP/CIDR based). Deciding it either way is a guess,
   * so it is refused (fail closed), naming both ends.
   */
  private refuseInClusterExternal(name: string, text: string, ip: ParsedIp, nodeByIp: ReadonlyMap<string, string | undefined>): void {
    const key = ipKey(ip);
    const inside = nodeByIp.has(key)
      ? (nodeByIp.get(key) !== undefined ? `the Node ${nodeByIp.get(key)}'s` : 'a pod\'s status.hostIP (a node\'s)')
      : this.endpoints.filter((e) => !e.external && e.ips.some((i) => ipKey(i) === key)).map((e) => `${describeEndpoint(e)}'s`)[0];
    if (inside === undefined) return;
    throw new Error(`the external endpoint ${name} (${text.trim()}) is at ${inside} address, which is inside the cluster: `
      + 'an external end (ReachabilityOptions.externals, --external) must be an address outside the cluster. '
      + 'Give that end by its own id (e.g. node:<name> or <namespace>/<pod>) instead, or give an address outside the cluster.');
  }

  private addApiServers(
    given: NonNullable<ModelEndpoints['apiServer']>, nodeByIp: ReadonlyMap<string, string | undefined>, nodesGiven: boolean,
    externalAt: ReadonlyMap<string, string>, statedBy?: string,
  ): { ips: ParsedIp[]; nodes: Set<string>; unplacedIds: Set<string> } {
    const seen = new Map<string, string>();
    const parsed = given.ips.map((raw) => {
      // The address as given, without the blanks parseIp allows around it: it names the endpoint.
      const text = raw.trim();
      const ip = requireIp(text, apiServerEndpointId(text, given.ips.length), 'ReachabilityOptions.apiServerIps (--api-server)');
      const key = ipKey(ip);
      const external = externalAt.get(key);
      if (external !== undefined) {
        // One address, one traffic: two ends there would get verdicts that differ by their kind only.
        throw new Error(`the API server's address ${text} is the external endpoint ${external}'s too: traffic to an address is one traffic, `
          + `so it is one end. Leave out that external endpoint (ReachabilityOptions.externals, --external ${external}=...) and use the API server's id `
          + `(${apiServerEndpointId(text, given.ips.length)}) for it.`);
      }
      const first = seen.get(key);
      if (first !== undefined) {
        throw new Error(`the API server's address ${text} was given twice${first !== text ? ` (as ${first} too)` : ''}: `
          + 'give each API server\'s address once (ReachabilityOptions.apiServerIps, --api-server <ip> once per API server).');
      }
      seen.set(key, text);
      if (nodeByIp.has(key) && given.outside) {
        const node = nodeByIp.get(key);
        throw new Error(`the API server's address ${text} is ${node !== undefined ? `the Node ${node}'s` : 'a pod\'s status.hostIP'}, `
          + 'but it was said to run outside the cluster (apiServerOutsideCluster, --api-server-outside): leave that out, or give the right address.');
      }
      return { text, ip, key };
    });
    const nodes = new Set<string>();
    const unplacedIds = new Set<string>();
    const unplaced = given.outside || nodesGiven ? undefined : parsed.find(({ key }) => !nodeByIp.has(key))?.text;
    const decidedBy = unplaced !== undefined ? this.apiServerPlacementDecidedBy() : undefined;
    if (unplaced !== undefined && decidedBy !== undefined) {
      if (statedBy === undefined) this.refuseUnplacedApiServer(unplaced, decidedBy);
      this.leaveOutUnplacedStatedApiServer(unplaced, decidedBy, statedBy!);
      return { ips: [], nodes, unplacedIds };
    }
    for (const { text, ip, key } of parsed) {
      const onNode = nodeByIp.has(key);
      const node = nodeByIp.get(key);
      const id = apiServerEndpointId(text, parsed.length);
      if (!onNode && !given.outside && !nodesGiven) unplacedIds.add(id);
      if (node !== undefined) nodes.add(node);
      this.addEndpoint({
        kind: 'KubeApiServer',
        id,
        labels: {},
        ports: [],
        ips: [ip],
        external: !onNode,
        singleInstance: true,
        origin: { option: 'ReachabilityOptions.apiServerIps (or apiServerIp) or --api-server' },
        hostNetwork: false,
        nodeTraffic: onNode,
        ...(node !== undefined ? { node } : {}),
        apiServer: true,
      });
    }
    return { ips: parsed.map((p) => p.ip), nodes, unplacedIds };
  }

  /**
   * Where an API server runs is never guessed: one whose address is no Node's, with no Node in the
   * input and not said to be outside, is refused (given by --api-server) or left out (only stated by
   * the input, `leaveOutUnplacedStatedApiServer`) where a verdict depends on where it runs, and
   * modelled (as outside the cluster, which decides nothing else) where none does. Returns what makes
   * it matter, or undefined where nothing does:
   * - Cilium policies: their CIDR rules and `world` match it only outside the cluster, the node
   *   entities only on a node (docs.cilium.io, Layer 3 Policies);
   * - a rule of a cluster-wide policy with a `nodes` peer: a node-hosted API server is node
   *   traffic, which it matches (a `nodes` peer with labels is left out before, so it decides nothing).
   * The other peers of the policy API match it alike wherever it runs: `networks` by its address
   * ("cluster-internal traffic will be checked against the rule as well"), `namespaces` and `pods`
   * never, `domainNames` never (it has no DNS name); nor is it ever a subject. NetworkPolicy ipBlocks
   * match it by its address either way.
   */
  private apiServerPlacementDecidedBy(): string | undefined {
    const nodesRule = this.tieredPolicies.flatMap((p) => (['ingress', 'egress'] as const).flatMap((side) => p[side]
      .filter((rule) => rule.peers.some((x) => x.kind === 'nodes')).map((rule) => `${p.kind} ${p.id} ${side}[${rule.index}]`)))[0];
    if (this.ciliumPolicies.length > 0) return `the Cilium policies of the input (${this.ciliumPolicies[0].kind} ${this.ciliumPolicies[0].id}) decide it differently`;
    return nodesRule !== undefined ? `the nodes peer of ${nodesRule} matches it only on a node` : undefined;
  }

  private refuseUnplacedApiServer(ip: string, by: string): never {
    throw new Error(`the API server's address ${ip} is no Node's of the input, and the input has no Node objects, so where the API server runs `
      + `(on a node of the cluster, or outside it) is not known, and ${by}. `
      + 'Add the nodes (kubectl get nodes -o yaml) to the input, or say it runs outside the cluster (a managed control plane: '
      + 'ReachabilityOptions.apiServerOutsideCluster, --api-server-outside).');
  }

  /**
   * The same unknown place, when only the input states the address (default/kubernetes, as every
   * dump of a managed cluster holds): not refused, since the user did not ask for the API server.
   * It is left out as if the input did not state it (what the verdicts were before it was read), and
   * reported, so that no verdict about it is claimed from a guess of where it runs.
   */
  private leaveOutUnplacedStatedApiServer(ip: string, by: string, source: string): void {
    this.apiServerLeftOut = `the input states it (${source}), but it is left out: its address ${ip} is no Node's of the input, `
      + 'and the input has no Node objects, so where it runs is not known. Add the nodes (kubectl get nodes -o yaml) to the input, '
      + 'or give its address and say it runs outside the cluster (--api-server <ip> with --api-server-outside; '
      + 'ReachabilityOptions.apiServerIps with apiServerOutsideCluster)';
    this.skipped.push({
      object: 'default/kubernetes',
      category: SkipCategory.NOT_MODELLED,
      reason: `states the API server's address ${ip} (${source}), which is no Node's of the input, and the input has no Node objects, so where the API server runs `
        + `(on a node of the cluster, or outside it) is not known, and ${by}. `
        + 'The verdicts leave the API server out (as if its address were not stated), so they may be wrong for traffic to or from it. '
        + 'Add the nodes (kubectl get nodes -o yaml) to the input, or give its address and say it runs outside the cluster '
        + '(--api-server <ip> with --api-server-outside; ReachabilityOptions.apiServerIps with apiServerOutsideCluster)',
    });
  }

  /**
   * Cilium's `host` is the subject's own node and `remote-node` every other (docs.cilium.io, "Entities
   * based"), and `kube-apiserver` the API server wherever it runs: a rule naming one of them is decided
   * only where the model knows the nodes. A rule whose verdict would depend on a node the model does
   * not know (a subject or a node end without a node, the API server's address not given) is left out
   * with the reason and the fix, never guessed. A rule that also names `cluster` or `all` covers
   * every node end and the API server, so it needs no placement.
   */
  private placeEntities(): void {
    const nodeEnds = this.endpoints.filter((e) => e.nodeTraffic);
    const apis = this.endpoints.filter((e) => e.apiServer);
    const hosted = apis.filter((e) => e.nodeTraffic);
    const apiKeys = new Set(this.apiServerIps.map(ipKey));
    const notes: string[] = [];
    const problem = (p: CiliumPolicy, rule: CiliumRule): string | undefined => {
      if (rule.peer?.kind !== 'entities') return undefined;
      const names = rule.peer.entities;
      if (names.includes('all') || names.includes('cluster')) return undefined;
      const field = rule.section.startsWith('egress') ? 'toEntities' : 'fromEntities';
      const noEnd = names.filter(isNoEndEntity);
      if (noEnd.length > 0) {
        // Decided, not left out: they match no end of the model, and the rule's other entities stay.
        const rest = names.filter((e) => !isNoEndEntity(e));
        notes.push(`names ${noEnd.map((e) => `the entity ${e} (${NO_END_ENTITIES[e].what})`).join(' and ')} in ${field}, which no end of the model is `
          + '(its ends are pods, nodes\' traffic, addresses outside the cluster and the API server): '
          + `${noEnd.length > 1 ? 'they match' : 'it matches'} nothing in the verdicts, ${rest.length > 0 ? `and the rule is analysed for ${rest.join(', ')}` : `so the rule ${rule.deny ? 'denies' : 'allows'} nothing here`}. `
          + `${noEnd.map((e, i) => (i === 0 ? capitalize(NO_END_ENTITIES[e].assumption) : NO_END_ENTITIES[e].assumption)).join('; ')}`);
      }
      if ((names.includes('host') !== names.includes('remote-node')) && nodeEnds.length > 0) {
        const entity = names.includes('host') ? 'host' : 'remote-node';
        const subject = this.endpoints.find((e) => e.node === undefined && ciliumSelects(this, p.subject, e, 'may'));
        const end = nodeEnds.find((e) => e.node === undefined);
        const unplaced = subject ?? end;
        if (unplaced !== undefined) {
          // Undecidable only for the pairs of a node end with an end whose node is not known: the rule
          // stays for the others, and for those pairs a deny is taken to apply, an allow not
          // (ciliumPeerMatches). Noted, not left out: leaving a deny out would prove its traffic allowed.
          notes.push(`is decided only where the nodes are known: the entity ${entity} (${field}) tells the subject's own node from the others, `
            + `and the node of ${describeEndpoint(unplaced)}${subject !== undefined && end !== undefined && end !== subject ? ` and of ${describeEndpoint(end)}` : ''} is not known `
            + '(a Pod\'s spec.nodeName, or a Node whose address is its status.hostIP; a workload\'s replicas run on any node). '
            + `For traffic between a node and such an end, the verdicts take ${rule.deny ? 'this deny to apply (denied)' : 'this allow not to apply'}, `
            + 'so they may be too narrow there; every other pair is decided. '
            + 'Give the pods with their nodes (kubectl get pods,nodes -o yaml), or name both host and remote-node');
        }
      }
      if (names.includes('kube-apiserver')) {
        if (apis.length === 0 && rule.deny) {
          // Kept, not left out: leaving the deny out would prove the traffic of its other entities allowed.
          notes.push(`is decided without the API server's address: the entity kube-apiserver (${field}) is the Kubernetes API server, `
            + `${this.apiServerLeftOut !== undefined ? 'which the model leaves out' : 'whose address the model was not given'}, `
            + 'so the verdicts take this deny to apply to every node and every end outside the cluster (the API server may be any of them), '
            + 'and may be too narrow there; every other end is decided. '
            + (this.apiServerLeftOut !== undefined ? `The API server's address: ${this.apiServerLeftOut}`
              : 'Give it (ReachabilityOptions.apiServerIps, --api-server <ip> once per address), or the Endpoints or EndpointSlices of default/kubernetes in the input'));
        } else if (apis.length === 0 && this.apiServerLeftOut !== undefined) {
          return `${field}: the entity kube-apiserver is the Kubernetes API server, which the model leaves out: ${this.apiServerLeftOut}`;
        } else if (apis.length === 0) {
          return `${field}: the entity kube-apiserver is the Kubernetes API server, whose address the model was not given. `
            + 'Give it (ReachabilityOptions.apiServerIp, or --api-server <ip>), and every one of several (ReachabilityOptions.apiServerIps, '
            + 'or --api-server once per address), or add the Endpoints or EndpointSlices of default/kubernetes to the input '
            + '(kubectl get endpointslices -n default -l kubernetes.io/service-name=kubernetes -o yaml), which state them';
        }
        if (hosted.length > 0) {
          // Every end of a node that runs an API server is kube-apiserver: a node end whose node is not
          // known (or any other, when an API server's own node is not known) may be one of them.
          const others = nodeEnds.filter((e) => !e.apiServer && !e.ips.some((ip) => apiKeys.has(ipKey(ip))));
          const unknown = hosted.some((e) => e.node === undefined) ? others[0] : others.find((e) => e.node === undefined);
          if (unknown !== undefined) {
            return `${field}: the entity kube-apiserver takes in every end of the API server's node, and whether ${describeEndpoint(unknown)} runs on it is not known. `
              + 'Give the nodes (kubectl get nodes -o yaml) and the pods with their spec.nodeName';
          }
        }
      }
      return undefined;
    };
    this.ciliumPolicies.forEach((p, k) => {
      const keep = (rule: CiliumRule): boolean => {
        notes.length = 0;
        const reason = problem(p, rule);
        const field = `${p.spec !== undefined ? `specs[${p.spec}]` : 'spec'}.${rule.section}[${rule.index}]`;
        for (const note of notes) {
          this.skipped.push({ object: p.id, category: SkipCategory.NOT_MODELLED, reason: `${field} ${note}`, kind: p.kind, ...sourceOf(p) });
        }
        if (reason === undefined) return true;
        this.skipped.push({
          object: p.id,
          category: SkipCategory.NOT_MODELLED,
          reason: notModelledReason(field, reason),
          kind: p.kind,
          ...sourceOf(p),
        });
        return false;
      };
      const ingress = p.ingress.filter(keep);
      const egress = p.egress.filter(keep);
      if (ingress.length !== p.ingress.length || egress.length !== p.egress.length) this.ciliumPolicies[k] = { ...p, ingress, egress };
    });
  }

  /**
   * A Cilium selector on the service account (`io.cilium.k8s.policy.serviceaccount`) is decided for
   * every pod whose service account the input gives, and read fail closed for a pod whose it does not
   * (`ciliumSelectionUndecided`: a model pod, a service declared by labels): each selector that is undecided
   * for some end is listed once, naming those ends, as the selectors undecided for every pod are
   * (`readCiliumPolicy`). A selector undecided for every pod is listed there already.
   */
  private noteUnknownServiceAccounts(): void {
    const unknown = this.endpoints.filter(serviceAccountUnknown);
    if (unknown.length === 0) return;
    for (const p of this.ciliumPolicies) {
      const path = p.spec !== undefined ? `specs[${p.spec}]` : 'spec';
      const note = (field: string, s: CiliumEndpointSelector, how: (them: string, their: string) => string) => {
        if (s.testsServiceAccount !== true || s.undecided !== undefined) return;
        const ends = unknown.filter((e) => ciliumSelects(this, s, e, 'may') && !ciliumSelects(this, s, e, 'must')).map((e) => e.id);
        if (ends.length === 0) return;
        const named = ends.length > 3 ? `${ends.slice(0, 3).join(', ')} and ${ends.length - 3} more` : ends.join(', ');
        this.skipped.push({
          object: p.id,
          category: SkipCategory.NOT_MODELLED,
          reason: `${field} is decided fail closed for ${named}: ${UNKNOWN_SERVICE_ACCOUNT}. ${ends.length > 1 ? how('them', 'their') : how('it', 'its')}`,
          kind: p.kind,
          ...sourceOf(p),
        });
      };
      note(`${path}.endpointSelector`, p.subject, (them, their) => `The spec's isolation (enableDefaultDeny) and its deny rules apply to ${them}, its allow rules do not, `
        + `so ${their} verdicts may be too narrow`);
      for (const rule of [...p.ingress, ...p.egress]) {
        if (rule.peer?.kind !== 'endpoints') continue;
        const field = `${path}.${rule.section}[${rule.index}].${rule.section.startsWith('egress') ? 'toEndpoints' : 'fromEndpoints'}`;
        rule.peer.selectors.forEach((s, k) => note(`${field}[${k}]`, s, (them, their) => (rule.deny
          ? `The deny is taken to apply to ${them}, so ${their} verdicts may be too narrow`
          : `In this allow the selector is taken not to match ${them} (the rule's other peers are kept), so ${their} verdicts may be too narrow`)));
      }
    }
  }

  private addWorkload(object: any, template: any, present: Folds, origin: EndpointOrigin): void {
    const ns = namespaceOf(object);
    if (present.folded.has(object)) return;
    const owner = present.owners.get(object);
    const name: string = object.metadata.name;
    this.addEndpoint({
      kind: object.kind,
      namespace: ns,
      id: `${ns}/${name}`,
      labels: stringRecord(template.metadata?.labels),
      ports: containerPorts(template.spec),
      ips: [],
      external: false,
      singleInstance: false,
      origin,
      hostNetwork: template.spec?.hostNetwork === true,
      nodeTraffic: template.spec?.hostNetwork === true && this.hostNetworkMode === 'node',
      ...(template.spec?.hostNetwork === true ? {} : { serviceAccount: podServiceAccount(template.spec) }),
      ...(owner !== undefined ? { owner } : {}),
    });
  }

  /**
   * Endpoints for the services the policies were written for by their labels, whose pods the
   * manifests do not contain (an operator's database, a service deployed elsewhere): one workload-like
   * endpoint `<namespace>/<name>` each, standing for the service's replicas, with labels that its
   * policies' pod selector matches. A service gets none when a pod or workload of its namespace (of
   * the manifests, or a model pod) matches the selector, since those are its pods; when an endpoint
   * already has its id; when its policies disagree on the selector; or when no set of labels
   * satisfies the selector.
   */
  private addDeclaredServices(services: DeclaredService[], extra: ModelEndpoints): void {
    const byId = new Map<string, DeclaredService[]>();
    for (const service of services) {
      const list = byId.get(service.id);
      if (list) list.push(service);
      else byId.set(service.id, [service]);
    }
    if (byId.size === 0) return;
    // The pods and workloads of each namespace, and of each namespace and label, so a service is
    // matched against the few that carry its selector's first label, not against all of them.
    const podsBy = new Map<string, Labels[]>();
    const add = (key: string, labels: Labels) => {
      const list = podsBy.get(key);
      if (list) list.push(labels);
      else podsBy.set(key, [labels]);
    };
    for (const e of [...this.endpoints, ...(extra.pods ?? [])]) {
      add(e.namespace!, e.labels);
      for (const [k, v] of Object.entries(e.labels)) add(`${e.namespace}\u0000${k}=${v}`, e.labels);
    }
    const taken = new Set([...this.byId.keys(), ...(extra.pods ?? []).map((p) => `${p.namespace}/${p.name}`), ...(extra.externals ?? []).map((e) => e.name)]);
    const ports = extra.declaredPorts ?? new Map<string, ClusterPort[]>();
    for (const [id, [first, ...others]] of byId) {
      if (others.some((o) => o.selectorKey !== first.selectorKey) || taken.has(id)) continue;
      const selector = compileSelector(first.selector);
      const key = selector.requiredPairs.length > 0 ? `${first.namespace}\u0000${selector.requiredPairs[0]}` : first.namespace;
      if ((podsBy.get(key) ?? []).some((labels) => selector.matches(labels))) continue;
      const labels = labelsSatisfying(first.selector);
      if (!labels || !selector.matches(labels)) continue;
      this.addEndpoint({
        kind: DECLARED_SERVICE_KIND,
        namespace: first.namespace,
        id,
        labels,
        ports: ports.get(id)?.map((p) => ({ ...p })) ?? [],
        ips: [],
        external: false,
        singleInstance: false,
        origin: { ...first.origin, option: `declared by labels (${DECLARED_BY_LABELS_ANNOTATION})` },
        hostNetwork: false,
        nodeTraffic: false,
      });
    }
  }

  /** A cluster-wide policy: checked as the API server checks it; one it would reject is left out, one it accepts joins its tier. */
  private addClusterPolicy(object: any, origin: { file?: string; line?: number }): void {
    const errors = checkClusterPolicyRules(object).filter((f) => f.severity === Severity.ERROR);
    if (errors.length > 0) {
      this.skipped.push({
        object: describeRef(object),
        category: SkipCategory.INVALID_POLICY,
        reason: `the API server would reject it (${errors[0].field}: ${errors[0].message}), so it cannot take effect. Fix: ${errors[0].fix}`,
        kind: object.kind,
        ...origin,
      });
      return;
    }
    this.tieredPolicies.push(tieredPolicyOf(object, origin));
  }

  /**
   * A CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy: one Cilium rejects is left out as
   * invalid; of one it accepts, each rule spec joins the namespace tier, each part the model cannot
   * place (an allow rule to services or nodes, an entity for nodes, ...) is left out with why, and
   * each part read fail closed (an undecidable selector, a deny rule to such a peer, a host policy)
   * is said, so the warning stays while the rest is analysed.
   */
  private addCiliumPolicy(object: any, origin: { file?: string; line?: number }): void {
    const errors = checkCiliumPolicy(object).filter((f) => f.severity === Severity.ERROR);
    if (errors.length > 0) {
      this.skipped.push({
        object: describeRef(object),
        category: SkipCategory.INVALID_POLICY,
        reason: `Cilium would reject it (${errors[0].field}: ${errors[0].message}), so it cannot take effect. Fix: ${errors[0].fix}`,
        kind: object.kind,
        ...origin,
      });
      return;
    }
    const requirements = requirementFields(object);
    if (requirements.length > 0) {
      const where = origin.file !== undefined ? ` (${origin.file}${origin.line !== undefined ? `:${origin.line}` : ''})` : '';
      throw new Error(`${object.kind} ${describeRef(object)}${where}: ${requirements[0]} is a requirement that narrows the `
        + `${requirements[0].includes('toRequires') ? 'egress' : 'ingress'} allows of every policy selecting the same endpoints `
        + '(docs.cilium.io, Layer 3 Policies, "Additional Label Requirements"), which the model cannot analyse: '
        + 'leaving it out would prove allows Cilium never grants. The field is deprecated in Cilium; '
        + 'write the requirement into each fromEndpoints/toEndpoints selector instead, or leave the policies of those endpoints out of the input.');
    }
    const reading = readCiliumPolicy(object, origin);
    this.ciliumPolicies.push(...reading.policies);
    for (const part of reading.leftOut) {
      this.skipped.push({
        object: describeRef(object),
        category: SkipCategory.NOT_MODELLED,
        reason: notModelledReason(part.field, part.reason),
        kind: object.kind,
        ...origin,
      });
    }
    // Modelled, but read fail closed (CiliumUndecided): said as the node entities are (placeEntities).
    for (const part of reading.undecided) {
      this.skipped.push({
        object: describeRef(object),
        category: SkipCategory.NOT_MODELLED,
        reason: `${part.field} is decided fail closed: ${part.reason}`,
        kind: object.kind,
        ...origin,
      });
    }
  }

  /**
   * Cilium does not implement the sig-network policy API (AdminNetworkPolicy support is an open
   * feature proposal, cilium/cilium#23380), and no other network plugin enforces Cilium's policies: an input with both is not
   * one cluster's. The Cilium policies are analysed as Cilium enforces them (it ignores the
   * cluster-wide tiers), and each tiered policy is listed as left out, so the warning stays.
   */
  private leaveOutTiers(): void {
    for (const p of this.tieredPolicies.splice(0)) {
      this.skipped.push({
        object: p.id,
        category: SkipCategory.NOT_MODELLED,
        reason: `${p.kind} next to Cilium policies: Cilium does not implement the sig-network policy API, and no other network plugin enforces CiliumNetworkPolicies, `
          + 'so no cluster applies both. The verdicts follow Cilium, which ignores this policy. Analyse the cluster-wide policies in an input for a network plugin that implements them',
        kind: p.kind,
        ...(p.file !== undefined ? { file: p.file } : {}),
        ...(p.line !== undefined ? { line: p.line } : {}),
      });
    }
  }

  /**
   * A `networks` peer matches pods by their IP too (the API: "cluster-internal traffic will be
   * checked against the rule as well"). Networks that hold every address of both families match
   * every pod (`everywhere`); any other networks peer cannot be decided for a pod whose IP the input
   * does not give (a workload, a pod without status.podIP), since its IP may be inside. Such a rule
   * stays and is decided per pair, fail closed (`tierPeerUndecided`, `firstMatch`), with a warning
   * here (never decided as "no match", which would prove traffic its Deny denies allowed). A rule
   * whose nodes peer selects by labels is kept, decided per pair for node ends, with why.
   */
  private leaveOutUndecidableNetworks(): void {
    const unknown = this.endpoints.filter(ipNotKnown).map((e) => e.id).sort();
    /**
     * A networks peer is undecidable only for the pairs with an end whose IP is not known: the rule
     * stays, every other pair is decided by the CIDRs, and for those pairs the precedence takes in
     * both readings (`firstMatch`: a Deny taken to match, an Allow not, a Pass both ways), saying so
     * in the verdict's notes. Noted here, not left out: leaving a Deny out would prove its traffic allowed.
     */
    const perPair = (rule: TierRule): string | undefined => {
      const networks = unknown.length > 0 ? rule.peers.find((x) => x.kind === 'networks' && !x.everywhere) : undefined;
      if (networks === undefined || networks.kind !== 'networks') return undefined;
      const open = this.endpoints.filter((e) => unknownIpMayBeIn(networks, e, this.podCidrs)).map((e) => e.id).sort();
      if (open.length === 0) return undefined;
      const shown = `${open.slice(0, 3).join(', ')}${open.length > 3 ? ` and ${open.length - 3} more` : ''}`;
      return `is decided only where the IPs are known: its peer "${networks.text}" matches pods by their IP too, and the IP of ${shown} is not known. `
        + `For traffic with such an end, the verdicts take ${rule.action === 'deny' ? 'this Deny to match (denied)' : rule.action === 'allow' ? 'this allow not to match' : 'this Pass both to match and not (what both allow)'}, `
        + 'so they may be too narrow there; every other pair is decided. '
        + 'Give the pods\' IPs (--pod ns/name@ip, or status.podIP in the manifests) to decide it';
    };
    /**
     * A labelled nodes peer is undecidable only for node ends: it never matches a pod, and peers of a
     * rule are OR-ed (sig-network policy API), so the rule's other peers still decide. The rule keeps
     * its peer, which the precedence decides per pair (`tierPeerUndecided`, `firstMatch`): fail
     * closed a Deny is taken to match every node, an Allow none, a Pass both ways (allowed only where
     * both "passed" and "not matched" allow); the widest reading (the invariants) the other way round.
     * Never rewritten here: a Deny made to match every node would deny in every reading.
     */
    const narrowed = (rule: TierRule): { note: string } | undefined => {
      const nodes = rule.peers.find((x) => x.kind === 'nodes' && !x.selector.matchesEverything);
      if (nodes === undefined) return undefined;
      const note = `its peer "${nodes.text}" selects nodes by their labels, which the model does not match: `
        + (rule.action === 'deny'
          ? 'for node ends the verdicts take it to match every node (denied), so they may be too narrow there'
          : rule.action === 'allow'
            ? 'for node ends the verdicts take it to match no node (this allow not applied), so they may be too narrow there'
            : 'for node ends the verdicts take this Pass both to match and not (what both allow), so they may be too narrow there')
        + '; its other peers decide every pod as written';
      return { note };
    };
    // Every rule is kept as written (a rule left out, or rewritten, would be read so in every reading); each one decided in part is said.
    for (const p of this.tieredPolicies) {
      const note = (reason: string) => this.skipped.push({
        object: p.id,
        category: SkipCategory.NOT_MODELLED,
        reason,
        kind: p.kind,
        ...(p.file !== undefined ? { file: p.file } : {}),
        ...(p.line !== undefined ? { line: p.line } : {}),
      });
      for (const side of ['ingress', 'egress'] as const) {
        for (const rule of p[side]) {
          const what = `${side}[${rule.index}]${rule.name !== undefined ? ` (${JSON.stringify(rule.name)})` : ''}`;
          const n = narrowed(rule);
          if (n !== undefined) note(`${what} is decided only in part: ${n.note}. Review its effect on nodes separately`);
          const pair = perPair(rule);
          if (pair !== undefined) note(`${what} ${pair}`);
        }
      }
    }
  }

  /** Adds a policy (staged or not) the API server accepts (true), or lists it as left out (false). */
  /**
   * Adds a NetworkPolicy (or staged one) the API server accepts, else lists it as left out; returns
   * its declared services, undefined when it is left out. With a basis, an object of the same
   * content as one of the basis takes what was compiled of that one (see `ClusterOptions.basis`).
   */
  private addPolicy(object: any, origin: { file?: string; line?: number }, staged: boolean): DeclaredService[] | undefined {
    const position = this.policyObjects++;
    const part = this.basisParts?.find(object, staged, position) ?? compilePolicy(object, staged, this.shared);
    this.reusableParts?.add(object, staged, part);
    if (part.rejection !== undefined) {
      this.skipped.push({
        object: describeRef(object),
        category: SkipCategory.INVALID_POLICY,
        reason: `the API server would reject it (${part.rejection.field}: ${part.rejection.message}), so it cannot take effect`,
        kind: object.kind,
        ...origin,
      });
      return undefined;
    }
    const p = part.policy!;
    // One literal in the same field order whether reused or not: every policy has one shape.
    const policy: ClusterPolicy = {
      id: p.id,
      namespace: p.namespace,
      podSelector: p.podSelector,
      podSelectorText: p.podSelectorText,
      ingress: p.ingress,
      egress: p.egress,
      file: origin.file,
      ...(staged ? { staged: true } : {}),
    };
    (staged ? this.stagedPolicies : this.policies).push(policy);
    // The declared service's selector is this object's own (the basis's object may have changed since).
    const selector: LabelSelectorJson = object.spec?.podSelector ?? {};
    return part.declared.map((d) => ({ id: d.id, namespace: d.namespace, selector, selectorKey: d.selectorKey, origin }));
  }
}

/**
 * What is compiled of one NetworkPolicy object, from its content alone (never from where it was
 * read, nor from other objects): reused by another snapshot's model for an object of the same
 * content (`ClusterOptions.basis`). Never changed once made.
 */
interface PolicyPart {
  /** The first error of the API server rules: it is left out. */
  readonly rejection?: { readonly field: string; readonly message: string };
  /** The policy, but for the file it was read from. */
  readonly policy?: Omit<ClusterPolicy, 'file'>;
  /** Its declared services (`declaredServiceOf`), but for the selector object and the origin. */
  readonly declared: ReadonlyArray<{ readonly id: string; readonly namespace: string; readonly selectorKey: string }>;
}

/**
 * The NetworkPolicy objects of a model with what was compiled of each (`ClusterOptions.reusable`),
 * in input order, found again by position (two snapshots of a cluster usually list their policies
 * in the same order) or by kind, namespace and name. An object is taken only when it is equal to
 * the one looked for in every field (`samePlainData`), so the part is what compiling it gives.
 */
class ReusableParts {
  private readonly objects: unknown[] = [];
  private readonly parts: PolicyPart[] = [];
  private readonly staged: boolean[] = [];
  private byName?: Map<string, number>;

  public add(object: unknown, staged: boolean, part: PolicyPart): void {
    this.objects.push(object);
    this.parts.push(part);
    this.staged.push(staged);
    this.byName = undefined;
  }

  /** The part of an object equal to `object` (the `position`-th NetworkPolicy of its input), if there is one. */
  public find(object: any, staged: boolean, position: number): PolicyPart | undefined {
    if (this.matches(position, object, staged)) return this.parts[position];
    if (this.byName === undefined) {
      this.byName = new Map();
      for (let i = this.objects.length - 1; i >= 0; i--) this.byName.set(nameKey(this.objects[i]), i);
    }
    const i = this.byName.get(nameKey(object));
    return i !== undefined && this.matches(i, object, staged) ? this.parts[i] : undefined;
  }

  private matches(i: number, object: unknown, staged: boolean): boolean {
    return i < this.objects.length && this.staged[i] === staged && samePlainData(this.objects[i], object);
  }
}

/** An index key of an object: its kind, namespace and name (equal keys still compare in full). */
function nameKey(object: any): string {
  return `${String(object?.kind)}\u0000${String(object?.metadata?.namespace)}\u0000${String(object?.metadata?.name)}`;
}

/**
 * Whether two values are the same plain data (what YAML and JSON parse to): the same type
 * everywhere (`null` is not `NaN` nor a missing key, `-0` is not `0`, a key holding `undefined`
 * is not an absent key), the same keys in the same order (validation walks them in order), equal
 * strings, numbers and booleans. Anything else (a class instance, a Date, a function, a symbol
 * key, a hole in an array, nesting deeper than 64 levels) is never the same: it is compiled afresh.
 */
export function samePlainData(a: unknown, b: unknown, depth = 0): boolean {
  if (typeof a !== typeof b) return false;
  if (typeof a !== 'object') {
    if (typeof a === 'function' || typeof a === 'symbol') return false;
    return Object.is(a, b);
  }
  if (a === null || b === null) return a === b;
  if (depth > 64) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length || !plainArray(a) || !plainArray(b)) return false;
    for (let i = 0; i < a.length; i++) {
      if (!(i in a) || !(i in b) || !samePlainData(a[i], b[i], depth + 1)) return false;
    }
    return true;
  }
  if (Array.isArray(b) || !plainObject(a as object) || !plainObject(b as object)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const kx = Object.keys(x);
  const ky = Object.keys(y);
  if (kx.length !== ky.length) return false;
  for (let i = 0; i < kx.length; i++) {
    if (kx[i] !== ky[i] || !samePlainData(x[kx[i]], y[kx[i]], depth + 1)) return false;
  }
  return true;
}

/**
 * An object made by an object literal or a parser, of any realm (a vm context, a test
 * environment): its prototype is an `Object.prototype` (or null), never a class's, a Date's or one
 * that could lend it properties.
 */
function plainObject(o: object): boolean {
  const proto = Object.getPrototypeOf(o);
  return proto === null || (Object.getPrototypeOf(proto) === null && Object.prototype.hasOwnProperty.call(proto, 'isPrototypeOf'));
}

/** An array made by a literal or a parser, of any realm: its prototype is an `Array.prototype`. */
function plainArray(a: unknown[]): boolean {
  const proto = Object.getPrototypeOf(a);
  return Array.isArray(proto) && proto !== null && plainObject(proto) && Object.getPrototypeOf(proto) !== null;
}

function compilePolicy(object: any, staged: boolean, shared: SharedParts): PolicyPart {
  const ns = namespaceOf(object);
  const errors = checkApiServerRules(object, { strictCidr: false }).filter((f) => f.severity === Severity.ERROR);
  if (errors.length > 0) return { rejection: { field: errors[0].field, message: errors[0].message }, declared: [] };
  const id = `${ns}/${object.metadata.name}${staged ? STAGED_POLICY_SUFFIX : ''}`;
  const spec = object.spec ?? {};
  const types = effectivePolicyTypes(spec);
  const podSelectorText = describeSelector(spec.podSelector ?? {});
  return {
    policy: {
      id,
      namespace: ns,
      podSelector: shared.selector(spec.podSelector ?? {}, podSelectorText),
      podSelectorText,
      ingress: types.includes('Ingress') ? rulesOf(spec.ingress, 'from', shared) : undefined,
      egress: types.includes('Egress') ? rulesOf(spec.egress, 'to', shared) : undefined,
    },
    declared: declaredServiceOf(object, {}).map((d) => ({ id: d.id, namespace: d.namespace, selectorKey: d.selectorKey })),
  };
}

/** Why a part of a Cilium policy is left out, and what that means for the verdicts. */
function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function notModelledReason(field: string, reason: string): string {
  return `${field} is not modelled: ${reason}. The verdicts leave this part out (the rest of the policy is analysed), so they may be wrong `
    + 'for the traffic it decides. Review its effect separately';
}

/**
 * The API servers to model: the addresses given (`ModelEndpoints.apiServer`, `--api-server`), or
 * those the input states (`statedApiServers`) as if given; both, when they agree (the same
 * addresses, in any order and spelling). When they disagree, which is right is not known: refused,
 * naming both. With where they came from when the input states them (`Cluster.apiServerSource`).
 */
function apiServersFrom(
  given: ModelEndpoints['apiServer'], stated: ReturnType<typeof statedApiServers>,
): { apiServer?: NonNullable<ModelEndpoints['apiServer']>; source?: string } {
  if (stated === undefined) {
    if (given !== undefined && given.ips.length === 0) {
      throw new Error('--api-server-outside (ReachabilityOptions.apiServerOutsideCluster) says where the API server runs, but its address was not given, '
        + 'and the input does not state it (no Endpoints or EndpointSlice of default/kubernetes): give its address with --api-server <ip> too '
        + '(ReachabilityOptions.apiServerIps), or add those objects (kubectl get endpointslices -n default -l kubernetes.io/service-name=kubernetes -o yaml).');
    }
    return given !== undefined ? { apiServer: given } : {};
  }
  const key = (text: string) => {
    const ip = requireIp(text.trim(), 'the API server', `the address in ${stated.source}`);
    return ipKey(ip);
  };
  const statedKeys = stated.ips.map(key);
  if (given !== undefined && given.ips.length > 0) {
    const givenKeys = given.ips.map((t) => key(t));
    const agree = givenKeys.length === statedKeys.length && givenKeys.every((k) => statedKeys.includes(k));
    if (!agree) {
      throw new Error(`the API servers' addresses were given as ${given.ips.map((t) => t.trim()).join(', ')} (--api-server, ReachabilityOptions.apiServerIps), `
        + `but the input states ${stated.ips.join(', ')} (${stated.source}), so which are right is not known. `
        + 'Give the addresses the input states (or leave --api-server out to use them), or leave those objects out of the input.');
    }
  }
  const at = `${stated.ips.join(', ')}${stated.ports.length > 0 ? ` (${stated.ports.join(', ')})` : ''}`;
  const source = `API server${stated.ips.length > 1 ? 's' : ''} at ${at}, from ${stated.source}`
    + `${given !== undefined && given.ips.length > 0 ? ', the same as given (--api-server)' : ''}`;
  return { apiServer: given !== undefined && given.ips.length > 0 ? given : { ips: stated.ips, outside: given?.outside ?? false }, source };
}

/** An address as a map key. */
function ipKey(ip: ParsedIp): string {
  return `${ip.family}:${ip.value}`;
}

/** The Node address types that carry an IP address (core/v1 NodeAddressType); the others carry names. */
const NODE_IP_TYPES = new Set(['InternalIP', 'ExternalIP']);
/** The Node address types that carry a name (core/v1 NodeAddressType: "Hostname", "InternalDNS", "ExternalDNS"). */
const NODE_NAME_TYPES = new Set(['Hostname', 'InternalDNS', 'ExternalDNS']);

/**
 * The entries of a Node's `status.addresses` that should give an address and do not: an InternalIP or
 * ExternalIP whose address is missing or not an IP (MALFORMED), an entry that is not an object, a
 * type that is not a core/v1 NodeAddressType (NOT_MODELLED: what it carries is not known). Entries of
 * the name types (Hostname, InternalDNS, ExternalDNS) carry names, not addresses: never reported.
 */
function nodeAddressProblems(object: any): Array<{ field: string; problem: string; category: SkipCategory }> {
  const addresses = object.status?.addresses;
  if (addresses === undefined || addresses === null) return [];
  if (!Array.isArray(addresses)) {
    return [{ field: 'status.addresses', problem: `status.addresses is ${describeValue(addresses)}, not a list`, category: SkipCategory.MALFORMED }];
  }
  const out: Array<{ field: string; problem: string; category: SkipCategory }> = [];
  addresses.forEach((a: any, i: number) => {
    const field = `status.addresses[${i}]`;
    if (typeof a !== 'object' || a === null || Array.isArray(a)) {
      out.push({ field, problem: `${field} is ${describeValue(a)}, not an object with a type and an address`, category: SkipCategory.MALFORMED });
    } else if (NODE_IP_TYPES.has(a.type)) {
      const { problem } = readManifestIp(a.address, object, `${field}.address`, true, false);
      if (problem !== undefined) out.push({ field: `${field}.address`, problem: `${problem} (type ${a.type})`, category: SkipCategory.MALFORMED });
    } else if (!NODE_NAME_TYPES.has(a.type)) {
      out.push({
        field: `${field}.type`,
        problem: `${field}.type ${describeValue(a.type)} is not a Node address type (InternalIP, ExternalIP, Hostname, InternalDNS, ExternalDNS), `
          + `so its address ${describeValue(a.address)} is not read`,
        category: SkipCategory.NOT_MODELLED,
      });
    }
  });
  return out;
}

/**
 * Each address field of a pod (`single`: status.podIP or status.hostIP; `list`: status.podIPs or
 * status.hostIPs, entries `{ ip }`): the address it holds, or why it holds none (`problem`, with the
 * field path); neither for a field left out. An empty text on a Pending pod is no address yet
 * ("empty if not yet scheduled", core/v1 PodStatus.hostIP), not a problem.
 */
function podAddressFields(object: any, single: string, list: string): Array<{ field: string; ip?: ParsedIp; problem?: string }> {
  const status = object.status ?? {};
  const pending = status.phase === 'Pending';
  const out: Array<{ field: string; ip?: ParsedIp; problem?: string }> = [];
  const key = (path: string) => path.slice('status.'.length);
  out.push({ field: single, ...readManifestIp(status[key(single)], object, single, false, pending) });
  const entries = status[key(list)];
  if (entries === undefined || entries === null) return out;
  if (!Array.isArray(entries)) return [...out, { field: list, problem: `${list} is ${describeValue(entries)}, not a list` }];
  entries.forEach((entry: any, i: number) => {
    const field = `${list}[${i}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      out.push({ field, problem: `${field} is ${describeValue(entry)}, not an object with an ip` });
    } else {
      out.push({ field: `${field}.ip`, ...readManifestIp(entry.ip, object, `${field}.ip`, true, pending) });
    }
  });
  return out;
}

/** A value of the input as a report shows it: JSON, shortened. */
function describeValue(value: unknown): string {
  if (value === undefined) return 'missing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** A Node's addresses that traffic comes from: `status.addresses` of type InternalIP and ExternalIP. */
function nodeIps(object: any): ParsedIp[] {
  const addresses = Array.isArray(object.status?.addresses) ? object.status.addresses : [];
  const out: ParsedIp[] = [];
  addresses.forEach((a: any, i: number) => {
    if (!NODE_IP_TYPES.has(a?.type)) return;
    const ip = manifestIp(a.address, object, `status.addresses[${i}].address`);
    if (ip !== undefined) out.push(ip);
  });
  return out;
}

/**
 * The nodes' addresses: each Node's (to its name), and each pod's `status.hostIP(s)` (to its
 * `spec.nodeName`, or to undefined: the address of a node whose name is not known).
 */
function nodeAddresses(objects: any[]): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>();
  for (const o of objects) {
    if (o.kind !== 'Node') continue;
    for (const ip of nodeIps(o)) out.set(ipKey(ip), String(o.metadata.name));
  }
  for (const o of objects) {
    if (o.kind !== 'Pod') continue;
    const node = typeof o.spec?.nodeName === 'string' && o.spec.nodeName !== '' ? o.spec.nodeName : undefined;
    const listed = Array.isArray(o.status?.hostIPs) ? o.status.hostIPs.map((x: any, i: number) => ({ text: x?.ip, field: `status.hostIPs[${i}].ip` })) : [];
    for (const { text, field } of [{ text: o.status?.hostIP, field: 'status.hostIP' }, ...listed]) {
      const ip = manifestIp(text, o, field);
      if (ip === undefined) continue;
      const key = ipKey(ip);
      if (!out.has(key) || (out.get(key) === undefined && node !== undefined)) out.set(key, node);
    }
  }
  return out;
}

/** The node a pod runs on: its `spec.nodeName`, or the node whose address is its `status.hostIP`. */
/**
 * The node of a pod: its spec.nodeName, else the Node whose address is its status.hostIP. When both
 * name a node and they differ (a stale dump, a pod re-bound), either is a guess: the node is not
 * known (so the rules that depend on it are left out with their reason), and `contradiction` says why.
 */
function podNode(object: any, nodeByIp: ReadonlyMap<string, string | undefined>): { node?: string; contradiction?: string } {
  const ip = manifestIp(object.status?.hostIP, object, 'status.hostIP');
  const byIp = ip !== undefined ? nodeByIp.get(ipKey(ip)) : undefined;
  const named = typeof object.spec?.nodeName === 'string' && object.spec.nodeName !== '' ? object.spec.nodeName : undefined;
  if (named !== undefined && byIp !== undefined && byIp !== named) {
    return {
      contradiction: `its spec.nodeName is ${named} but its status.hostIP ${object.status.hostIP} is the address of the Node ${byIp}: `
        + 'the input contradicts itself (a stale dump?), so the pod\'s node is taken as not known. Dump the pods and nodes again',
    };
  }
  const node = named ?? byIp;
  return node !== undefined ? { node } : {};
}

/** A service a policy says it was written for by labels (`DECLARED_BY_LABELS_ANNOTATION`). */
interface DeclaredService {
  readonly id: string;
  readonly namespace: string;
  readonly selector: LabelSelectorJson;
  readonly selectorKey: string;
  readonly origin: { file?: string; line?: number };
}

/** The declared service of an accepted policy, if its annotation names one and its pod selector is not `{}`. */
function declaredServiceOf(object: any, origin: { file?: string; line?: number }): DeclaredService[] {
  const name = object.metadata?.annotations?.[DECLARED_BY_LABELS_ANNOTATION];
  const selector: LabelSelectorJson = object.spec?.podSelector ?? {};
  if (typeof name !== 'string' || name.trim() === '' || compileSelector(selector).matchesEverything) return [];
  const namespace = namespaceOf(object);
  return [{ id: `${namespace}/${name}`, namespace, selector, selectorKey: canonicalJson(selector), origin }];
}

/**
 * A set of labels a (validated) selector matches: its `matchLabels`, the first value of each `In`
 * and an empty value for each `Exists` whose key is not set yet. The caller checks the result
 * against the selector (an `In` and a `NotIn` on one key can leave nothing to match).
 */
function labelsSatisfying(selector: LabelSelectorJson): Record<string, string> | undefined {
  const labels: Record<string, string> = { ...(selector.matchLabels ?? {}) };
  for (const e of selector.matchExpressions ?? []) {
    if (Object.prototype.hasOwnProperty.call(labels, e.key)) continue;
    if (e.operator === 'In') {
      const values = [...(e.values ?? [])].sort();
      if (values.length === 0) return undefined;
      labels[e.key] = values[0];
    } else if (e.operator === 'Exists') {
      labels[e.key] = '';
    }
  }
  return labels;
}

/** JSON with object keys sorted, so two equal selectors compare equal. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson((value as any)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** `the Pod shop/web (pods.yaml:3)`, `the external endpoint payment (ReachabilityOptions.externals or --external)`. */
function describeEndpoint(e: Omit<ClusterEndpoint, 'index' | 'dnsNames'>): string {
  const what = e.external ? 'the external endpoint' : `the ${e.kind}`;
  const where = e.origin.file !== undefined ? `${e.origin.file}${e.origin.line !== undefined ? `:${e.origin.line}` : ''}` : e.origin.option;
  return `${what} ${e.id}${where ? ` (${where})` : ''}`;
}

/**
 * The compiled selectors and rule peers of one model's NetworkPolicies, one object per meaning:
 * kubectl's text of a selector the API server accepts names it exactly (a key has no `=`, a value
 * no `,`), and so does a peer's text. Most policies of a cluster repeat a few selectors
 * (`app=web`, `team=payments`): at 75,000 policies, sharing them saves a closure set per
 * selector and the time to compile it. Compiled selectors and peers are never changed once made.
 */
class SharedParts {
  private readonly selectors = new Map<string, CompiledSelector>();
  private readonly peers = new Map<string, RulePeer>();

  /** `basis`: the parts of a model of another snapshot (`ClusterOptions.basis`), taken by the same text. */
  constructor(private readonly basis?: SharedParts) {}

  /** The compiled selector of `json`, whose kubectl text is `text`. */
  public selector(json: unknown, text: string): CompiledSelector {
    let compiled = this.selectors.get(text);
    if (compiled === undefined) this.selectors.set(text, (compiled = this.basis?.selectors.get(text) ?? compileSelector(json)));
    return compiled;
  }

  /** The peer of a rule (`peerOf`), shared with every peer of the same text. */
  public peer(peer: any): RulePeer {
    const text = peerText(peer);
    let shared = this.peers.get(text);
    if (shared === undefined) this.peers.set(text, (shared = this.basis?.peers.get(text) ?? peerOf(peer, text, this)));
    return shared;
  }
}

function rulesOf(rules: unknown, peersField: 'from' | 'to', shared: SharedParts): PolicyRule[] {
  if (!Array.isArray(rules)) return [];
  return rules.map((rule: any, index) => {
    const peers = Array.isArray(rule?.[peersField]) && rule[peersField].length > 0 ? rule[peersField].map((p: any) => shared.peer(p)) : undefined;
    return { index, peers, ports: portSetFromWire(rule?.ports) };
  });
}

/**
 * A peer's text: `ipBlock 10.0.0.0/8 except 10.1.0.0/16`, `namespaces team=a and pods app=web`.
 * An except that does not parse (the API server rejects the policy first) is left out of the text,
 * as it is of the peer.
 */
function peerText(peer: any): string {
  if (peer.ipBlock) {
    const excepts = peer.ipBlock.except ?? [];
    const parsed = excepts.some((e: string) => parseCidr(e, false).cidr !== undefined);
    return `ipBlock ${peer.ipBlock.cidr}${parsed ? ` except ${excepts.join(', ')}` : ''}`;
  }
  const parts: string[] = [];
  if (peer.namespaceSelector) parts.push(`namespaces ${describeSelector(peer.namespaceSelector)}`);
  if (peer.podSelector) parts.push(`pods ${describeSelector(peer.podSelector)}`);
  return parts.join(' and ');
}

function peerOf(peer: any, text: string, shared: SharedParts): RulePeer {
  if (peer.ipBlock) {
    const cidr = parseCidr(peer.ipBlock.cidr, false).cidr!;
    const except = (peer.ipBlock.except ?? [])
      .map((e: string) => parseCidr(e, false).cidr)
      .filter((c: ParsedCidr | undefined): c is ParsedCidr => c !== undefined);
    const exceptTexts: string[] = (peer.ipBlock.except ?? []).map(String);
    return { kind: 'ipBlock', cidr, except, text, cidrText: String(peer.ipBlock.cidr), exceptTexts };
  }
  const nsLabels = Object.entries(peer.namespaceSelector?.matchLabels ?? {});
  const byNameOnly = nsLabels.length === 1 && nsLabels[0][0] === NAMESPACE_NAME_LABEL && (peer.namespaceSelector.matchExpressions ?? []).length === 0;
  const namespaceName = byNameOnly ? String(nsLabels[0][1]) : undefined;
  const podSelectorText = peer.podSelector ? describeSelector(peer.podSelector) : undefined;
  const namespaceSelectorText = peer.namespaceSelector ? describeSelector(peer.namespaceSelector) : undefined;
  return {
    kind: 'selectors',
    podSelector: podSelectorText !== undefined ? shared.selector(peer.podSelector, podSelectorText) : undefined,
    namespaceSelector: namespaceSelectorText !== undefined ? shared.selector(peer.namespaceSelector, namespaceSelectorText) : undefined,
    text,
    podSelectorText,
    namespaceSelectorText,
    namespaceName,
  };
}

/** Whether an address is in an ipBlock (in `cidr` and in none of `except`). */
export function ipBlockContains(peer: { cidr: ParsedCidr; except: ParsedCidr[] }, ip: ParsedIp): boolean {
  return cidrContains(peer.cidr, ip) && !peer.except.some((e) => cidrContains(e, ip));
}

/** The file and line of an input object, without undefined fields. */
function sourceOf(o: { file?: string; line?: number }): { file?: string; line?: number } {
  return { ...(o.file !== undefined ? { file: o.file } : {}), ...(o.line !== undefined ? { line: o.line } : {}) };
}

function kindOf(object: Record<string, any>): { kind?: string } {
  return typeof object.kind === 'string' && object.kind !== '' ? { kind: object.kind } : {};
}

function namespaceOf(object: any): string {
  const ns = object?.metadata?.namespace;
  return typeof ns === 'string' && ns !== '' ? ns : DEFAULT_NAMESPACE;
}

function ownerKey(kind: unknown, namespace: string, name: unknown): string {
  return `${String(kind)}|${namespace}|${String(name)}`;
}

/**
 * The pods and workloads of the input that fold into an owner of the input (a pod into its
 * ReplicaSet, a ReplicaSet into its Deployment, a Job into its CronJob), so that the owner's
 * endpoint stands for them. Fail closed: an object folds only where the owner's endpoint is what a
 * policy sees of it. NetworkPolicy selects pods by the pod's own labels (Kubernetes docs, Network
 * Policies), so an object folds only when
 * - exactly one workload of the input owns it (by kind, namespace and name, and by uid where both
 *   have one: a deleted owner replaced by one of the same name is another object);
 * - that owner's chain of owners ends (an ownerReference loop folds nothing: every object of the
 *   loop stays an endpoint of its own, with a note);
 * - its labels, container ports (names included) and service account equal those of the endpoint
 *   it folds into (a relabelled replica, a pod of an old ReplicaSet mid-rollout, stays an endpoint of
 *   its own; Cilium's selectors may test the service account);
 * - and, for a pod, it has no address and no node the owner's endpoint would lose (ipBlocks and
 *   Cilium's host/remote-node decide on them).
 * The objects not folded keep their own ids. Notes for the malformed cases go to `notes`.
 */
function foldIntoOwners(objects: { object: any; template?: any }[], notes: SkippedObject[]): Folds {
  const workloads = new Map<string, { object: any; template: any }>();
  for (const o of objects) {
    const key = ownerKey(o.object.kind, namespaceOf(o.object), o.object.metadata?.name);
    if (o.template !== undefined) workloads.set(key, { object: o.object, template: o.template });
  }
  const shapeOf = (labels: unknown, spec: unknown) => JSON.stringify([
    Object.entries(stringRecord(labels)).sort(),
    containerPorts(spec).map((p) => [p.number, p.name ?? null, p.protocol]).sort(),
    podServiceAccount(spec),
  ]);
  const noted = new Set<unknown>();
  const note = (object: any, reason: string) => {
    if (noted.has(object)) return;
    noted.add(object);
    notes.push({ object: describeRef(object), category: SkipCategory.MALFORMED, reason, ...kindOf(object) });
  };
  // The one owner of the input, or undefined (none, or several: noted).
  const ownerOf = (object: any): { object: any; template: any } | undefined => {
    const refs = object.metadata?.ownerReferences;
    if (!Array.isArray(refs)) return undefined;
    const uid = (x: unknown) => (typeof x === 'string' && x !== '' ? x : undefined);
    const owners = new Set<{ object: any; template: any }>();
    for (const ref of refs) {
      const owner = workloads.get(ownerKey(ref?.kind, namespaceOf(object), ref?.name));
      if (owner === undefined) continue;
      const a = uid(ref?.uid);
      const b = uid(owner.object.metadata?.uid);
      if (a === undefined || b === undefined || a === b) owners.add(owner);
    }
    if (owners.size > 1) {
      note(object, 'its ownerReferences name several workloads of the input (an object has at most one controller), '
        + 'so it is not folded into any of them: it is analysed as an endpoint of its own');
      return undefined;
    }
    return [...owners][0];
  };
  // The endpoint an object becomes: itself, or the endpoint of its owner when it folds.
  const endOf = new Map<unknown, any>();
  const folded = new Set<unknown>();
  const resolve = (object: any, template: any, path: unknown[]): any => {
    if (endOf.has(object)) return endOf.get(object);
    if (path.includes(object)) {
      for (const o of path.slice(path.indexOf(object))) {
        note(o, 'its ownerReferences form a loop, so it is not folded into an owner: it is analysed as an endpoint of its own');
        endOf.set(o, o);
      }
      return object;
    }
    let end = object;
    const owner = ownerOf(object);
    if (owner !== undefined) {
      const ownerEnd = resolve(owner.object, owner.template, [...path, object]);
      if (endOf.has(object)) return endOf.get(object); // part of a loop
      const target = ownerEnd === owner.object ? owner : workloads.get(ownerKey(ownerEnd.kind, namespaceOf(ownerEnd), ownerEnd.metadata?.name))!;
      const own = template === undefined ? shapeOf(object.metadata?.labels, object.spec) : shapeOf(template.metadata?.labels, template.spec);
      const placed = template === undefined && podNodeOrAddress(object);
      if (!placed && own === shapeOf(target.template.metadata?.labels, target.template.spec)) {
        end = ownerEnd;
        folded.add(object);
      }
    }
    endOf.set(object, end);
    return end;
  };
  for (const o of objects) resolve(o.object, o.template, []);
  // A pod whose ReplicaSet is not in the input but whose Deployment is: Kubernetes docs, Deployments,
  // "The name of a ReplicaSet is [DEPLOYMENT-NAME]-[HASH]", and the pod-template-hash label of its
  // pods is that HASH. Such a pod never folds (its labels carry the hash, the Deployment's template not).
  const impliedOwner = (object: any): { object: any; template: any } | undefined => {
    const refs = object.metadata?.ownerReferences;
    const hash = stringRecord(object.metadata?.labels)['pod-template-hash'];
    if (!Array.isArray(refs) || hash === undefined || hash === '') return undefined;
    const rs = refs.filter((r: any) => r?.kind === 'ReplicaSet' && typeof r?.name === 'string');
    if (rs.length !== 1 || workloads.has(ownerKey('ReplicaSet', namespaceOf(object), rs[0].name)) || !rs[0].name.endsWith(`-${hash}`)) return undefined;
    return workloads.get(ownerKey('Deployment', namespaceOf(object), rs[0].name.slice(0, -hash.length - 1)));
  };
  // A workload whose pods are in the input but none of them folds into it: its pods are what runs,
  // and its template (no pod of the input has it) is not an endpoint next to them.
  const withPods = new Set<unknown>();
  const fed = new Set<unknown>();
  for (const o of objects) {
    if (o.template !== undefined) continue;
    if (folded.has(o.object)) fed.add(endOf.get(o.object));
    const seen = new Set<unknown>([o.object]);
    const first = ownerOf(o.object) ?? impliedOwner(o.object);
    for (let owner = first; owner !== undefined && !seen.has(owner.object); owner = ownerOf(owner.object)) {
      seen.add(owner.object);
      withPods.add(endOf.get(owner.object));
    }
  }
  for (const end of withPods) if (!fed.has(end)) folded.add(end);
  // Where an object that does not fold is grouped: the top of its chain of owners.
  const owners = new Map<unknown, { id: string; kind: string }>();
  for (const o of objects) {
    if (folded.has(o.object)) continue;
    const seen = new Set<unknown>([o.object]);
    let top: any;
    const first = ownerOf(o.object) ?? (o.template === undefined ? impliedOwner(o.object) : undefined);
    for (let owner = first; owner !== undefined && !seen.has(owner.object); owner = ownerOf(owner.object)) {
      seen.add(owner.object);
      top = owner.object;
    }
    if (top !== undefined) owners.set(o.object, { id: `${namespaceOf(top)}/${top.metadata?.name}`, kind: String(top.kind) });
  }
  return { folded, owners };
}

/** What foldIntoOwners decided: the objects that fold away, and the owner that groups each other owned one. */
interface Folds {
  readonly folded: ReadonlySet<unknown>;
  readonly owners: ReadonlyMap<unknown, { id: string; kind: string }>;
}

/** A pod with an address or a node, which a workload's endpoint does not have. */
function podNodeOrAddress(pod: any): boolean {
  const status = pod.status ?? {};
  const text = (x: unknown) => typeof x === 'string' && x !== '';
  return text(pod.spec?.nodeName) || text(status.podIP) || text(status.hostIP) || (Array.isArray(status.podIPs) && status.podIPs.length > 0);
}

/**
 * The service account a pod of `spec` runs as: `spec.serviceAccountName`; where that is absent (or
 * empty), the deprecated `spec.serviceAccount` (Kubernetes API reference, PodSpec: "a deprecated
 * alias for ServiceAccountName"); else `default`, which Kubernetes assigns a pod that names none
 * (Kubernetes docs, "Service Accounts": the namespace's `default` ServiceAccount; the ServiceAccount
 * admission controller sets it). A pod template's is its pods'.
 */
function podServiceAccount(spec: any): string {
  const text = (x: unknown) => (typeof x === 'string' && x !== '' ? x : undefined);
  return text(spec?.serviceAccountName) ?? text(spec?.serviceAccount) ?? 'default';
}

/** Whether two label sets are the same (the same keys with the same values, in any order). */
function sameLabels(a: Labels, b: Labels): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.prototype.hasOwnProperty.call(b, k) && a[k] === b[k]);
}

function stringRecord(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  }
  return out;
}

function containerPorts(podSpec: any): ClusterPort[] {
  const ports: ClusterPort[] = [];
  for (const c of Array.isArray(podSpec?.containers) ? podSpec.containers : []) {
    for (const p of Array.isArray(c?.ports) ? c.ports : []) {
      if (typeof p?.containerPort !== 'number') continue;
      ports.push({ number: p.containerPort, name: typeof p.name === 'string' ? p.name : undefined, protocol: p.protocol ?? DEFAULT_PROTOCOL });
    }
  }
  return ports;
}

/** The address of an endpoint given by the options (`field` names the option), or an error that says how to write it. */
/**
 * Refuses endpoints given beside the manifests (`ReachabilityOptions.pods` and `externals`, `--pod`,
 * `--external`) that are not what their types say: they may come from JavaScript or another jsii
 * language, where a missing field or a number in place of a string is not caught before this. Each
 * would otherwise become an endpoint with a wrong id (`undefined/web`, an empty name) or labels and
 * ports that silently match nothing. The message names the field and the fix.
 */
function checkModelEndpoints(extra: ModelEndpoints): void {
  const refuse = (field: string, problem: string, fix: string): never => {
    throw new Error(`${field} ${problem}: ${fix}.`);
  };
  const list = (value: unknown, field: string): unknown[] => {
    if (value === undefined) return [];
    if (!Array.isArray(value)) refuse(field, `is ${describeValue(value)}, not a list`, 'give a list (an empty one for none)');
    return value as unknown[];
  };
  const text = (value: unknown, field: string, fix: string): string => {
    if (typeof value !== 'string') refuse(field, value === undefined ? 'is missing' : `is ${describeValue(value)}, not a string`, fix);
    return value as string;
  };
  list(extra.pods, 'ReachabilityOptions.pods').forEach((pod: any, i) => {
    const at = `ReachabilityOptions.pods[${i}]`;
    if (pod === null || typeof pod !== 'object') refuse(at, `is ${describeValue(pod)}`, 'give { namespace, name, labels }');
    // Names are taken as given (an odd one is an id like any other, and ids are compared exactly).
    const namespace = text(pod.namespace, `${at}.namespace`, 'give the pod\'s namespace, e.g. shop');
    const name = text(pod.name, `${at}.name`, 'give the pod\'s name, e.g. web');
    if (namespace.length === 0 || name.length === 0) refuse(`${at}.${namespace.length === 0 ? 'namespace' : 'name'}`, 'is empty', 'give the pod\'s namespace and name');
    const where = `${at} (${namespace}/${name})`;
    if (pod.labels === null || typeof pod.labels !== 'object' || Array.isArray(pod.labels)) {
      refuse(`${where}.labels`, pod.labels === undefined ? 'is missing' : `is ${describeValue(pod.labels)}`, 'give the pod\'s labels as an object of strings ({} for none)');
    }
    for (const [key, value] of Object.entries(pod.labels)) {
      const keyProblem = qualifiedNameProblems(key)[0];
      if (keyProblem !== undefined) refuse(`${where}.labels key ${JSON.stringify(key)}`, 'is not a label key', keyProblem);
      const v = text(value, `${where}.labels[${JSON.stringify(key)}]`, 'give label values as strings');
      const valueProblem = labelValueProblems(v)[0];
      if (valueProblem !== undefined) refuse(`${where}.labels[${JSON.stringify(key)}] ${JSON.stringify(v)}`, 'is not a label value', valueProblem);
    }
    if (pod.ip !== undefined) text(pod.ip, `${where}.ip`, 'give an IPv4 or IPv6 address such as 10.0.0.7, or leave it out');
    if (pod.workload !== undefined && typeof pod.workload !== 'boolean') refuse(`${where}.workload`, `is ${describeValue(pod.workload)}, not true or false`, 'give a boolean, or leave it out');
    list(pod.ports, `${where}.ports`).forEach((port: any, k) => {
      const field = `${where}.ports[${k}]`;
      if (port === null || typeof port !== 'object') refuse(field, `is ${describeValue(port)}`, 'give { number, name?, protocol? }');
      if (typeof port.number !== 'number' || portNumberProblems(port.number).length > 0) {
        refuse(`${field}.number`, port.number === undefined ? 'is missing' : `is ${describeValue(port.number)}`, 'give a port number between 1 and 65535');
      }
      if (port.name !== undefined) {
        const portName = text(port.name, `${field}.name`, 'give the port\'s name as a string, or leave it out');
        const portProblem = portNameProblems(portName)[0];
        if (portProblem !== undefined) refuse(`${field}.name ${JSON.stringify(portName)}`, 'is not a port name', portProblem);
      }
      if (port.protocol !== undefined && !PORT_PROTOCOLS.includes(port.protocol)) {
        refuse(`${field}.protocol`, `is ${describeValue(port.protocol)}`, `give one of ${PORT_PROTOCOLS.join(', ')}`);
      }
    });
  });
  list(extra.externals, 'ReachabilityOptions.externals').forEach((ext: any, i) => {
    const at = `ReachabilityOptions.externals[${i}]`;
    if (ext === null || typeof ext !== 'object') refuse(at, `is ${describeValue(ext)}`, 'give { name, ip }');
    const name = text(ext.name, `${at}.name`, 'give the name it has in reports, e.g. payment-api');
    if (name.length === 0) refuse(`${at}.name`, 'is empty', 'give the name it has in reports, e.g. payment-api');
    text(ext.ip, `${at}.ip (${name})`, 'give an IPv4 or IPv6 address such as 203.0.113.10');
    if (ext.dnsName !== undefined) text(ext.dnsName, `${at}.dnsName (${name})`, 'give a DNS name such as api.stripe.com, or leave it out');
    list(ext.dnsNames, `${at}.dnsNames (${name})`).forEach((n, k) => text(n, `${at}.dnsNames[${k}] (${name})`, 'give DNS names as strings'));
  });
}

function requireIp(text: string, what: string, field: string): ParsedIp {
  const { ip, problem } = parseEndpointIp(text);
  if (ip) return ip;
  throw new Error(`endpoint ${what}: ${field} ${JSON.stringify(text)} ${problem}${problem === NOT_AN_IP ? '. Give an IPv4 or IPv6 address such as 203.0.113.10' : ''}.`);
}

/**
 * The address in a field of a manifest (`status.podIP`, a Node's `status.addresses[i].address`, ...):
 * undefined when there is none (the end has no known address there; `readManifestIp` says why, and
 * the model reports it), an error when it is one an endpoint cannot have (`parseEndpointIp`: an
 * IPv4-mapped IPv6 address, a zone), naming the object and the field.
 */
function manifestIp(text: unknown, object: any, field: string): ParsedIp | undefined {
  return readManifestIp(text, object, field, false, true).ip;
}

/**
 * An address field of a manifest read: `ip`, or `problem` when the field is present but holds no
 * address (not a text, not an IP address, empty unless `emptyIsNone`, missing when `required`),
 * neither when it is left out. The one rule every manifest address goes through; an address an
 * endpoint cannot have (IPv4-mapped, a zone) is an error, naming the object and the field.
 */
function readManifestIp(value: unknown, object: any, field: string, required: boolean, emptyIsNone: boolean): { ip?: ParsedIp; problem?: string } {
  if (value === undefined || value === null) return required ? { problem: `${field} is missing` } : {};
  if (typeof value !== 'string') return { problem: `${field} is ${describeValue(value)}, not an IP address text` };
  if (value.trim() === '') return emptyIsNone ? {} : { problem: `${field} is empty` };
  const { ip, problem } = parseEndpointIp(value);
  if (ip) return { ip };
  if (problem === NOT_AN_IP) return { problem: `${field} ${describeValue(value)} is not an IP address` };
  throw new Error(`${String(object?.kind ?? 'object')} ${describeRef(object)}: ${field} ${JSON.stringify(value)} ${problem} in ${field}.`);
}

/**
 * Two external ends at one address are refused: traffic to an address is one traffic, whatever name
 * it is given. `domainNames` and Cilium `toFQDNs` rules select the addresses the plugin learned for a
 * name (v1alpha2 ClusterNetworkPolicyEgressPeer.domainNames; docs.cilium.io, DNS based policies), so a
 * rule for one end's name reaches every end at its address; two ends there would get verdicts that
 * differ by name only. The fix is one end with all its DNS names.
 */
function refuseSharedExternalAddress(name: string, ip: ParsedIp, externalAt: Map<string, string>): void {
  const key = ipKey(ip);
  const first = externalAt.get(key);
  if (first === undefined) {
    externalAt.set(key, name);
    return;
  }
  const address = formatIp(ip);
  throw new Error(`the external endpoints ${first} and ${name} are both at ${address}: traffic to an address is one traffic whatever name it is given `
    + '(domainNames and toFQDNs rules select the addresses learned for a name, so they reach every end there), and two ends would get verdicts '
    + `that differ by name only. Give one external endpoint at ${address} with all its DNS names: `
    + `{ name: '${first}', ip: '${address}', dnsNames: ['a.example.com', 'b.example.com'] } in ReachabilityOptions.externals, `
    + `or --external ${first}=a.example.com,b.example.com=${address}.`);
}

/** The tier a cluster-wide policy belongs to. */
export type TierName = 'admin' | 'baseline';
/** What a tier rule does with the traffic it matches: Allow (v1alpha1) and Accept (v1alpha2) are `allow`. */
export type TierAction = 'allow' | 'deny' | 'pass';

/** A peer of a tier rule, compiled. */
export type TierPeer =
  | { readonly kind: 'namespaces'; readonly namespaceSelector: CompiledSelector; readonly text: string }
  | { readonly kind: 'pods'; readonly namespaceSelector: CompiledSelector; readonly podSelector: CompiledSelector; readonly text: string }
  /**
   * `everywhere`: the networks of the rule's peers together hold every IPv4 and every IPv6 address,
   * so they match every pod whatever its IP (the API: "cluster-internal traffic will be checked
   * against the rule as well").
   */
  | { readonly kind: 'networks'; readonly cidrs: ParsedCidr[]; readonly everywhere: boolean; readonly text: string }
  | { readonly kind: 'nodes'; readonly selector: CompiledSelector; readonly text: string }
  | { readonly kind: 'domainNames'; readonly names: string[]; readonly text: string };

/** The given pod CIDRs, parsed strictly; a bad one is refused naming the option and how to fix it. */
function parsePodCidrs(texts: readonly string[]): ParsedCidr[] {
  if (!Array.isArray(texts)) {
    throw new Error(`pod CIDRs ${JSON.stringify(texts)} (ReachabilityOptions.podCidrs, --pod-cidr) are not a list: pass a list of CIDRs, e.g. podCidrs: ['10.244.0.0/16'].`);
  }
  return texts.map((text) => {
    const { cidr, problems } = parseCidr(String(text));
    if (cidr === undefined || problems.length > 0) {
      throw new Error(`pod CIDR ${JSON.stringify(text)} (ReachabilityOptions.podCidrs, --pod-cidr): ${problems.join('; ')}. `
        + 'Give each range pods take their IPs from as a CIDR, e.g. 10.244.0.0/16 (the cluster\'s --cluster-cidr, '
        + 'or a node\'s spec.podCIDRs), once per range.');
    }
    return cidr;
  });
}

/**
 * Whether an end whose IP the input does not give may be inside the networks of a cluster-wide rule
 * (so whether the rule matches it cannot be decided): an end inside the cluster without IPs, unless
 * it is a pod on the pod network and every network lies where no pod IP ever is (`cidrMayHoldPodIp`:
 * link-local, loopback, multicast, ..., or outside the given pod CIDRs of its family, or in `except`: an
 * ipBlock's excepts). A node's or a hostNetwork pod's address is the node's: anywhere outside `except`.
 */
export function unknownIpMayBeIn(
  peer: { readonly cidrs: readonly ParsedCidr[]; readonly everywhere: boolean; readonly except?: readonly ParsedCidr[] },
  endpoint: ClusterEndpoint, podCidrs: readonly ParsedCidr[] = [],
): boolean {
  if (peer.everywhere || !ipNotKnown(endpoint)) return false;
  const except = peer.except ?? [];
  if (endpoint.nodeTraffic || endpoint.hostNetwork) return peer.cidrs.some((c) => !cidrsCover(except, c));
  return peer.cidrs.some((c) => cidrMayHoldPodIp(c, podCidrs, except));
}

/** One rule of a tier: first match decides (in the tier's order). */
export interface TierRule {
  /** Its index in the policy's `ingress`/`egress`. */
  readonly index: number;
  /** Its `name`, if it has one. */
  readonly name?: string;
  readonly action: TierAction;
  /** As written (`Allow`, `Accept`, `Deny`, `Pass`). */
  readonly actionText: string;
  /** At least one (the API server requires it). */
  readonly peers: TierPeer[];
  /** No `ports`/`protocols`: all traffic. A named port matches the container port of that name on any protocol. */
  readonly ports: PortSet;
}

/** An AdminNetworkPolicy, BaselineAdminNetworkPolicy or ClusterNetworkPolicy the API server accepts. */
export interface TieredPolicy {
  /** Its name (cluster-scoped). */
  readonly id: string;
  readonly kind: string;
  readonly tier: TierName;
  /** `spec.priority`; the v1alpha1 baseline (a singleton) has none and counts as 0. */
  readonly priority: number;
  readonly subjectNamespaces: CompiledSelector;
  /** Undefined for a `namespaces` subject (every pod of those namespaces). */
  readonly subjectPods?: CompiledSelector;
  readonly subjectText: string;
  readonly ingress: TierRule[];
  readonly egress: TierRule[];
  readonly file?: string;
  readonly line?: number;
}

/**
 * Whether a cluster-wide policy's subject selects a pod: its namespace's labels match the subject's
 * namespace selector and (for a `pods` subject) its labels the pod selector. Host-networked pods
 * are never subjects (the API says so), nor are external endpoints.
 */
export function subjectSelects(cluster: Cluster, policy: TieredPolicy, endpoint: ClusterEndpoint): boolean {
  return subjectSelection(cluster, policy, endpoint) === true;
}

/**
 * `subjectSelects`, with `undefined` where it cannot be decided: the subject's namespace selector
 * tests labels of a namespace the input has no Namespace object for (`Cluster.namespaceMatches`).
 */
export function subjectSelection(cluster: Cluster, policy: TieredPolicy, endpoint: ClusterEndpoint): boolean | undefined {
  if (endpoint.external || endpoint.hostNetwork || endpoint.namespace === undefined) return false;
  if (policy.subjectPods && !policy.subjectPods.matches(endpoint.labels)) return false;
  return cluster.namespaceMatches(policy.subjectNamespaces, endpoint.namespace);
}

/** The model of a cluster-wide policy the API server accepts (checked by `checkClusterPolicyRules`). */
export function tieredPolicyOf(object: any, origin: { file?: string; line?: number }): TieredPolicy {
  const spec = object.spec;
  const v1alpha2 = object.kind === 'ClusterNetworkPolicy';
  const tier: TierName = object.kind === 'BaselineAdminNetworkPolicy' || spec.tier === 'Baseline' ? 'baseline' : 'admin';
  const subject = spec.subject;
  const subjectNamespaces = compileSelector(subject.namespaces ?? subject.pods?.namespaceSelector ?? {});
  const subjectPods = subject.pods ? compileSelector(subject.pods.podSelector ?? {}) : undefined;
  const subjectText = subject.namespaces
    ? `pods of namespaces ${describeSelector(subject.namespaces)}`
    : `pods ${describeSelector(subject.pods.podSelector)} of namespaces ${describeSelector(subject.pods.namespaceSelector ?? {})}`;
  const rules = (list: unknown, peersField: 'from' | 'to'): TierRule[] => (Array.isArray(list) ? list : []).map((rule: any, index) => ({
    index,
    ...(typeof rule.name === 'string' && rule.name !== '' ? { name: rule.name } : {}),
    action: rule.action === 'Deny' ? 'deny' : rule.action === 'Pass' ? 'pass' : 'allow',
    actionText: rule.action,
    peers: markEverywhere(rule[peersField].map(tierPeerOf)),
    ports: v1alpha2 ? protocolsPortSet(rule.protocols) : adminPortSet(rule.ports),
  }));
  return {
    id: String(object.metadata.name),
    kind: object.kind,
    tier,
    priority: typeof spec.priority === 'number' ? spec.priority : 0,
    subjectNamespaces,
    subjectPods,
    subjectText,
    ingress: rules(spec.ingress, 'from'),
    egress: rules(spec.egress, 'to'),
    ...sourceOf(origin),
  };
}

/** The peers of one rule, its networks peers marked `everywhere` when together they hold every address of both families. */
function markEverywhere(peers: TierPeer[]): TierPeer[] {
  const cidrs = peers.flatMap((p) => (p.kind === 'networks' ? p.cidrs : []));
  if (!cidrsCoverFamily(cidrs, 4) || !cidrsCoverFamily(cidrs, 6)) return peers;
  return peers.map((p) => (p.kind === 'networks' ? { ...p, everywhere: true } : p));
}

function tierPeerOf(peer: any): TierPeer {
  if (peer.namespaces) return { kind: 'namespaces', namespaceSelector: compileSelector(peer.namespaces), text: `namespaces ${describeSelector(peer.namespaces)}` };
  if (peer.pods) {
    return {
      kind: 'pods',
      namespaceSelector: compileSelector(peer.pods.namespaceSelector ?? {}),
      podSelector: compileSelector(peer.pods.podSelector ?? {}),
      text: `pods ${describeSelector(peer.pods.podSelector)} of namespaces ${describeSelector(peer.pods.namespaceSelector ?? {})}`,
    };
  }
  if (peer.networks) {
    return { kind: 'networks', cidrs: peer.networks.map((n: string) => parseCidr(n, false).cidr!), everywhere: false, text: `networks ${peer.networks.join(', ')}` };
  }
  if (peer.nodes) return { kind: 'nodes', selector: compileSelector(peer.nodes), text: `nodes ${describeSelector(peer.nodes)}` };
  const names: string[] = peer.domainNames.map(normalizeDnsName);
  return { kind: 'domainNames', names, text: `domainNames ${peer.domainNames.join(', ')}` };
}

/**
 * A named port of the sig-network policy API names a container port, whatever its protocol: the
 * union of the named port on each protocol (a named entry of `port-set` matches name and protocol).
 */
function anyProtocolNamed(name: string): PortEntry[] {
  return PORT_PROTOCOLS.map((protocol) => ({ kind: 'named', protocol, name }));
}

/** The ports of a rule of a cluster-wide policy the API server accepts: `protocols` (ClusterNetworkPolicy) or `ports` (v1alpha1). */
export function tierRulePortSet(kind: string, rule: { ports?: unknown; protocols?: unknown }): PortSet {
  return kind === 'ClusterNetworkPolicy' ? protocolsPortSet(rule.protocols) : adminPortSet(rule.ports);
}

/** v1alpha1 `ports` (accepted by the API server): portNumber, portRange, namedPort; none is all traffic. */
function adminPortSet(ports: unknown): PortSet {
  if (!Array.isArray(ports) || ports.length === 0) return [ALL_TRAFFIC];
  return ports.flatMap((p: any): PortEntry[] => {
    if (p.portNumber) return [{ kind: 'numbered', protocol: p.portNumber.protocol ?? DEFAULT_PROTOCOL, port: p.portNumber.port }];
    if (p.portRange) return [{ kind: 'numbered', protocol: p.portRange.protocol ?? DEFAULT_PROTOCOL, port: p.portRange.start, endPort: p.portRange.end }];
    return anyProtocolNamed(p.namedPort);
  });
}

/** v1alpha2 `protocols` (accepted by the API server): tcp/udp/sctp with a destinationPort, or destinationNamedPort; none is all traffic. */
function protocolsPortSet(protocols: unknown): PortSet {
  if (!Array.isArray(protocols) || protocols.length === 0) return [ALL_TRAFFIC];
  return protocols.flatMap((p: any): PortEntry[] => {
    if (typeof p.destinationNamedPort === 'string') return anyProtocolNamed(p.destinationNamedPort);
    const [field, protocol] = p.tcp ? ['tcp', 'TCP'] : p.udp ? ['udp', 'UDP'] : ['sctp', 'SCTP'];
    const port = p[field].destinationPort;
    return [port.range
      ? { kind: 'numbered', protocol, port: port.range.start, endPort: port.range.end }
      : { kind: 'numbered', protocol, port: port.number }];
  });
}

/**
 * Whether a `domainNames` entry matches a DNS name: the same name, or `*.` and a suffix that the
 * name extends by one or more whole labels (`*.kubernetes.io` matches `blog.kubernetes.io` and
 * `latest.blog.kubernetes.io`, never `kubernetes.io`). Both normalized.
 */
export function domainNameMatches(pattern: string, name: string): boolean {
  if (!pattern.startsWith('*.')) return pattern === name;
  const suffix = pattern.slice(1);
  return name.length > suffix.length && name.endsWith(suffix);
}

function requireDnsName(text: string, what: string): string {
  const name = normalizeDnsName(text);
  if (!/^([a-z0-9]([-a-z0-9_]*[a-z0-9])?\.)*[a-z0-9]([-a-z0-9_]*[a-z0-9])?$/.test(name)) {
    throw new Error(`endpoint ${what}: ${JSON.stringify(text)} is not a DNS name. Give a name such as api.stripe.com (letters, digits, '-' and '.'; no wildcard).`);
  }
  return name;
}
