/**
 * The model of Cilium's `cilium.io/v2` CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy as
 * the analyser uses them: one `CiliumPolicy` per rule spec (`spec`, and each of `specs[]`), with its
 * subject, its default-deny per direction, and its allow and deny rules in a form the semantics
 * (`analysis/cilium-semantics`) evaluates. What the model cannot place is never guessed: an allow
 * rule with a peer it has no ends for (services, cloud provider groups, nodes by label, a
 * CiliumCIDRGroup) or with mutual authentication is listed as left out with the reason (it allows
 * less: fail closed); a deny rule with such a peer is kept, read fail closed (`UNPLACED_PEERS`),
 * and noted; a rule of ICMP is left out (the model analyses TCP, UDP and SCTP); a host policy
 * (nodeSelector) is kept with a subject that may be every node end (`hostSubjectOf`), and noted.
 * Port forms the documentation does not describe (port 0, a port rule without ports, a rule with
 * neither peer nor ports) keep a deny as their widest reading, noted; an allow of port 0 (without
 * endPort, or with 0 or 65535) is read as every port of its protocols (the narrowest reading,
 * noted), the other forms leave an allow out (`CiliumPortReading` records each, for `explain`). An
 * endpointSelector's requirements of a source that labels no pod (`reserved:`, `cidr:`) are decided
 * as Cilium matches them on a pod, and it never selects a node (`noPodRequirements`).
 * Every entity is decided (`NO_END_ENTITIES` says which match
 * no end of the model, and why). A selector whose match the model cannot know (a key of another
 * label source, or one Cilium's label filter may drop) is kept, marked undecided
 * (`CiliumUndecided`), and read fail closed by the semantics.
 *
 * Sources of the semantics (checked 2026-12):
 * - docs.cilium.io "Layer 3 Policies" (security/policy/layer3): endpoints, entities, CIDR and
 *   DNS-based rules; "Layer 4 Policies" (security/policy/layer4); "Deny Policies"
 *   (security/policy/deny); "Using Kubernetes Constructs In Policy" (policy/kubernetes).
 * - cilium/cilium `pkg/policy/api` rule.go (enableDefaultDeny), ingress.go, egress.go, entity.go,
 *   l4.go, and `pkg/k8s/apis/cilium.io/utils/utils.go` (how a CiliumNetworkPolicy's selectors are
 *   confined to its namespace).
 */
import { parseCidr, ParsedCidr } from '../k8s/cidr';
import { readCiliumPort } from '../k8s/cilium-manifest';
import { ciliumPeerShape, cidrShape, PeerShape } from '../k8s/cilium-overlap';
import {
  ciliumKeyParts, ciliumPeerNamespace, CiliumPeerScope, ciliumPeerScope, CILIUM_NAMESPACE_LABELS_PREFIX, CILIUM_POD_NAMESPACE_KEY,
} from '../k8s/cilium-peer-scope';
import { pruneCiliumNulls } from '../k8s/cilium-rules';
import { normalizeDnsName } from '../k8s/fqdn-pattern';
import { compileSelector, CompiledSelector, describeSelector, Labels } from '../k8s/label-selector';
import { LabelSelectorJson, NAMESPACE_NAME_LABEL } from '../k8s/manifest';
import { ALL_TRAFFIC, PORT_PROTOCOLS, PortEntry, PortSet } from '../k8s/port-set';

/** A section of a Cilium rule spec. */
export type CiliumSection = 'ingress' | 'ingressDeny' | 'egress' | 'egressDeny';

/**
 * The entities of a rule (entity.go; docs.cilium.io "Entities based"): everything, outside the
 * cluster, inside it, the subject's own node, the other nodes, the API server, nothing, and the
 * identities no end of the model has (`NO_END_ENTITIES`).
 */
export type CiliumEntity = 'all' | 'world' | 'cluster' | 'host' | 'remote-node' | 'kube-apiserver' | 'none'
| 'health' | 'ingress' | 'init' | 'unmanaged';

// The label of a pod's namespace and the prefix of its namespace's labels in Cilium's identity
// labels: defined with the namespace confinement rule (k8s/cilium-peer-scope).
export { CILIUM_NAMESPACE_LABELS_PREFIX, CILIUM_POD_NAMESPACE_KEY } from '../k8s/cilium-peer-scope';

/**
 * The label of a pod's service account in Cilium's identity labels (source `k8s`): its value is the
 * pod's `spec.serviceAccountName` (docs.cilium.io "Using Kubernetes Constructs In Policy",
 * "ServiceAccounts"; cilium/cilium `pkg/k8s/apis/cilium.io` const.go PolicyLabelServiceAccount, set
 * by `pkg/k8s/utils` SanitizePodLabels, which also drops a pod's own label of that key).
 */
export const CILIUM_SERVICE_ACCOUNT_KEY = 'io.cilium.k8s.policy.serviceaccount';

/** An endpoint selector, over a pod's Cilium labels (see `ciliumLabels`), with the namespace it is confined to. */
export interface CiliumEndpointSelector {
  /**
   * Its requirements on a pod's labels, those on keys Cilium's label filter may drop included (as if
   * the label were part of the identity); without the requirements of `undecided.wide`.
   */
  readonly selector: CompiledSelector;
  /** The one namespace it selects in (a CiliumNetworkPolicy's own); undefined: any namespace. */
  readonly namespace?: string;
  readonly text: string;
  /** Set when which pods it selects depends on what the model cannot know (see `CiliumUndecided`). */
  readonly undecided?: CiliumUndecided;
  /**
   * Set when it tests the pod's service account (`CILIUM_SERVICE_ACCOUNT_KEY`): decided for a pod
   * whose service account the input gives, undecided for one whose it does not (`ciliumSelectionUndecided`).
   */
  readonly testsServiceAccount?: boolean;
  /**
   * The nodeSelector of a host policy: it selects nodes by their labels, which the model does not
   * read, so it may select every node end (node traffic) and selects no pod and no end outside the
   * cluster; always `undecided` (its narrowest reading selects nothing). `selector` is not used.
   */
  readonly nodes?: boolean;
}

/**
 * Why a selector's match cannot be decided from the input, and how the widest reading of it goes
 * (`ciliumSelects` with `'may'`); its narrowest reading (`'must'`) selects nothing. The reading a
 * rule takes is decided by the semantics (`analysis/cilium-semantics`): a deny the widest, an allow
 * the narrowest, so that every verdict holds under either cluster configuration.
 */
export interface CiliumUndecided {
  /** Why, with the fix: the first undecidable key. */
  readonly reason: string;
  /**
   * Keys (without source) Cilium's label filter drops from identities by default
   * (`ciliumIdentityFilter`): the selector may be matched with each of them in the identity or not.
   */
  readonly filtered: readonly string[];
  /**
   * Requirements the model can never decide (another label source, an `io.cilium.k8s.policy.*`
   * key other than the service account's): left out of `selector`, so taken as met by any pod.
   */
  readonly wide: boolean;
  /**
   * A requirement of a source that labels identities other than pods (`reserved:`, `cidr:`, ...):
   * the widest reading takes in every end that is not a pod as well (nodes, addresses outside).
   */
  readonly nonPods: boolean;
}

/**
 * The reading of a selector: `'must'` the pods it selects under every configuration the model
 * cannot tell apart (nothing, for an undecided selector), `'may'` those it selects under any.
 */
export type SelectorBound = 'may' | 'must';

/**
 * What a Cilium selector reads of an end of the model (a `ClusterEndpoint` has it): declared here,
 * below the Cluster, so that reading Cilium policies does not import the model that holds them.
 */
export interface CiliumSelectable {
  /** Undefined for an end in no namespace (an address outside the cluster). */
  readonly namespace?: string;
  readonly labels: Labels;
  readonly external: boolean;
  readonly nodeTraffic: boolean;
  /**
   * The service account a pod on the pod network runs as (its Cilium identity carries it); undefined
   * where the input does not give it (an end without a pod spec) and for every end that is no such pod.
   */
  readonly serviceAccount?: string;
}

/** What a Cilium selector reads of the model (a `Cluster` has it): the labels of each namespace. */
export interface CiliumNamespaces {
  /**
   * The namespaces' labels, filled before any selector is asked: one map per model (views of a
   * Cluster share it), the key of the models' Cilium labels (`ciliumLabels`).
   */
  readonly namespaces: ReadonlyMap<string, Labels>;
  /** A namespace's labels, from `namespaces` (with its name label where the map has no entry). */
  namespaceLabels(namespace: string): Labels;
  /**
   * True when the input has no Namespace object for `namespace`: of its labels only its name label
   * is known, the others may be anything (`Cluster.namespaceLabelsGuessed`).
   */
  namespaceLabelsGuessed(namespace: string): boolean;
}

/**
 * Each end's Cilium labels, per model: keyed by the model's namespace labels (`namespaces`), then by
 * the end. Never by the end alone: an end object seen by two models whose namespaces carry other
 * labels (two snapshots of a diff, a view over another model's endpoints) must get each model's own
 * labels. Every view of one Cluster shares the map, and with it the labels.
 */
const LABELS = new WeakMap<ReadonlyMap<string, Labels>, WeakMap<CiliumSelectable, Labels>>();

/**
 * A pod's labels as Cilium's identity carries them (source `k8s`, written without the prefix): its
 * own, its namespace (`io.kubernetes.pod.namespace`), its namespace's labels
 * (`io.cilium.k8s.namespace.labels.<key>`) and its service account
 * (`io.cilium.k8s.policy.serviceaccount`, where the input gives it; a pod's own label of that key is
 * never kept: Cilium sets the key itself) (docs.cilium.io "Using Kubernetes Constructs In Policy").
 */
export function ciliumLabels(cluster: CiliumNamespaces, e: CiliumSelectable): Labels {
  let model = LABELS.get(cluster.namespaces);
  if (!model) LABELS.set(cluster.namespaces, (model = new WeakMap()));
  let labels = model.get(e);
  if (!labels) {
    const own: Record<string, string> = { ...e.labels };
    for (const [k, v] of Object.entries(cluster.namespaceLabels(e.namespace!))) own[`${CILIUM_NAMESPACE_LABELS_PREFIX}${k}`] = v;
    own[CILIUM_POD_NAMESPACE_KEY] = e.namespace!;
    if (e.serviceAccount !== undefined) own[CILIUM_SERVICE_ACCOUNT_KEY] = e.serviceAccount;
    else delete own[CILIUM_SERVICE_ACCOUNT_KEY];
    labels = own;
    model.set(e, labels);
  }
  return labels;
}

/** Why a selector on the service account is undecided for a pod whose service account is not known. */
export const UNKNOWN_SERVICE_ACCOUNT = `the selector tests the pod's service account (${CILIUM_SERVICE_ACCOUNT_KEY}), which the input does not give for this end `
  + '(a pod of ReachabilityOptions.pods or --pod, or a service declared by labels, has no pod spec); '
  + 'give its Pod or workload (spec.serviceAccountName) in the input';

const notServiceAccount = (key: string): boolean => key !== CILIUM_SERVICE_ACCOUNT_KEY;

/**
 * Whether an endpoint selector selects `e`: only pods (an endpoint selector matches identities of
 * labels; external addresses are `world`, node traffic `host`/`remote-node`), in the selector's
 * namespace when it is confined to one; a host policy's nodeSelector (`nodes`) only node ends, and
 * only in its widest reading. For an undecided selector (`CiliumUndecided`) the bound
 * says which reading: `'must'` selects nothing; `'may'` selects a pod when the selector matches its
 * labels with any of the filtered keys it carries taken out of them (the label in the identity, or
 * filtered out: the union of both configurations; `DoesNotExist` on a filtered key matches where
 * the label is filtered out), the wide requirements taken as met, and every end that is not a pod
 * when a requirement's source may label one (`nonPods`). A selector on the service account reads a
 * pod whose service account is not known (`serviceAccountUnknown`) the same two ways: `'must'`
 * selects it where the selector matches whatever the account is, `'may'` where it matches for some.
 */
export function ciliumSelects(cluster: CiliumNamespaces, s: CiliumEndpointSelector, e: CiliumSelectable, bound: SelectorBound): boolean {
  // A host policy's nodeSelector: every node end in its widest reading, nothing in its narrowest.
  if (s.nodes) return bound === 'may' && e.nodeTraffic && !e.external;
  if (e.external || e.nodeTraffic || e.namespace === undefined) return bound === 'may' && s.undecided?.nonPods === true;
  if (s.namespace !== undefined && e.namespace !== s.namespace) return false;
  const labels = ciliumLabels(cluster, e);
  // Keys the input does not give for this pod: in a namespace without its Namespace object its
  // namespace labels but the name's; without its pod spec its service account. A selector that tests
  // them in a way the known labels do not settle may select the pod, or not.
  const guessed = cluster.namespaceLabelsGuessed(e.namespace);
  const accountUnknown = s.testsServiceAccount === true && e.serviceAccount === undefined;
  if (s.undecided === undefined && !guessed && !accountUnknown) return s.selector.matches(labels);
  const known = (key: string) => (!guessed || knownCiliumKey(key)) && (!accountUnknown || notServiceAccount(key));
  // Matched whatever the unknown labels are (true), for none of them (false), or depending on them.
  const matches = (l: Labels): boolean | undefined => (guessed || accountUnknown ? s.selector.matchesPartly(l, known) : s.selector.matches(l));
  if (s.undecided === undefined) {
    const m = matches(labels);
    return bound === 'must' ? m === true : m !== false;
  }
  if (bound === 'must') return false;
  if (matches(labels) !== false) return true;
  const present = s.undecided.filtered.filter((k) => Object.prototype.hasOwnProperty.call(labels, k));
  // Each subset of the filtered keys the pod carries may be out of its identity. Past a dozen keys
  // (never written by hand) the widest reading is taken whole: it may select the pod.
  if (present.length > 12) return true;
  for (let m = 1; m < 1 << present.length; m++) {
    const without: Record<string, string> = { ...labels };
    present.forEach((k, i) => { if (m & (1 << i)) delete without[k]; });
    if (matches(without) !== false) return true;
  }
  return false;
}

/**
 * Whether a key of a pod's Cilium labels is known for a pod in a namespace without its Namespace
 * object: every key but the namespace labels (`io.cilium.k8s.namespace.labels.*`) other than the name's.
 */
function knownCiliumKey(key: string): boolean {
  return !key.startsWith(CILIUM_NAMESPACE_LABELS_PREFIX) || key === `${CILIUM_NAMESPACE_LABELS_PREFIX}${NAMESPACE_NAME_LABEL}`;
}

/**
 * Whether `e` is a pod an endpoint selector may select whose service account the input does not
 * give (a pod of the model without a pod spec: `ReachabilityOptions.pods`, a service declared by
 * labels): a selector on the service account is undecided for it.
 */
export function serviceAccountUnknown(e: CiliumSelectable): boolean {
  return !e.external && !e.nodeTraffic && e.namespace !== undefined && e.serviceAccount === undefined;
}

/**
 * Why whether `s` selects `e` is not decided by the input (its `'may'` reading selects it, its
 * `'must'` reading does not), or undefined when it is decided: the selector's own reason
 * (`CiliumUndecided`), that it tests labels of a namespace the input has no Namespace object for,
 * or that it tests the service account of a pod whose account the input does not give.
 */
export function ciliumSelectionUndecided(cluster: CiliumNamespaces, s: CiliumEndpointSelector, e: CiliumSelectable): string | undefined {
  if (ciliumSelects(cluster, s, e, 'must') || !ciliumSelects(cluster, s, e, 'may')) return undefined;
  const reasons = s.undecided !== undefined ? [s.undecided.reason] : [];
  if (cluster.namespaceLabelsGuessed(e.namespace!) && s.selector.looksAt.some((l) => !knownCiliumKey(l.key))) {
    reasons.push(`namespace ${e.namespace} has no Namespace object in the input, so its labels other than ${NAMESPACE_NAME_LABEL} are unknown and `
      + `the selector's ${CILIUM_NAMESPACE_LABELS_PREFIX}* requirements may hold there, or not; add the namespace to the input `
      + '(kubectl get namespaces,pods,... -A -o yaml, or --surroundings)');
  }
  if (s.testsServiceAccount === true && serviceAccountUnknown(e)) reasons.push(UNKNOWN_SERVICE_ACCOUNT);
  return reasons.join('; and ');
}

/** An FQDN selector (`matchName` or `matchPattern`), lower case, without the trailing dot. */
export interface FqdnSelector {
  readonly pattern: string;
  /** True for `matchPattern` (with `*`), false for `matchName`. */
  readonly wildcard: boolean;
}

/** The peer of a rule: the one kind of peer a Cilium rule may have. */
export type CiliumRulePeer =
  | { readonly kind: 'endpoints'; readonly selectors: CiliumEndpointSelector[]; readonly text: string }
  | { readonly kind: 'entities'; readonly entities: CiliumEntity[]; readonly text: string }
  | { readonly kind: 'cidrs'; readonly blocks: Array<{ readonly cidr: ParsedCidr; readonly except: ParsedCidr[] }>; readonly text: string }
  | { readonly kind: 'fqdns'; readonly names: FqdnSelector[]; readonly text: string }
  | { readonly kind: 'unplaced'; readonly field: string; readonly ends: CiliumUnplacedEnds; readonly text: string };

/**
 * The ends a deny rule's peer may be when the model cannot place the peer (`UNPLACED_PEERS`): every
 * node end (node traffic), every end outside the cluster, or every pod and every end outside it.
 */
export type CiliumUnplacedEnds = 'nodes' | 'outside' | 'podsAndOutside';

/** Whether an end may be one of the ends of an unplaced peer (`CiliumUnplacedEnds`). */
export function unplacedMayBe(ends: CiliumUnplacedEnds, e: CiliumSelectable): boolean {
  switch (ends) {
    case 'nodes': return e.nodeTraffic && !e.external;
    case 'outside': return e.external;
    case 'podsAndOutside': return e.external || !e.nodeTraffic;
  }
}

/** One rule of a Cilium rule spec. */
export interface CiliumRule {
  readonly section: CiliumSection;
  /** Its index in its section. */
  readonly index: number;
  readonly deny: boolean;
  /**
   * Undefined: a rule of ports only, which applies to every peer (Layer 4 Policies: "Layer 4 policy
   * can be specified in addition to layer 3 policies or independently").
   */
  readonly peer?: CiliumRulePeer;
  /**
   * The peer in the terms of the overlap test (`k8s/cilium-overlap`), one shape per selector, entity,
   * block or name (the peer matches what any of them matches); undefined without a peer (every end).
   */
  readonly peerShapes?: readonly PeerShape[];
  /** No `toPorts`: all traffic. */
  readonly ports: PortSet;
  /** Its port rules carry layer-7 rules (`rules.http`, `rules.dns`, ...): they filter requests on top of the verdict. */
  readonly l7: boolean;
  /**
   * What its layer-7 rules say, canonical (every `toPorts[]` entry with its ports and `rules`, keys
   * sorted), for telling two versions of the rule apart (`netpol diff`). @default - no layer-7 rules
   */
  readonly l7Key?: string;
  /** The names its `rules.dns` let Cilium's DNS proxy see looked up (egress allow rules). */
  readonly dns: FqdnSelector[];
  /**
   * Each port rule with `rules.dns`: its DNS selectors and its ports (the traffic the DNS proxy
   * handles for those names; the rule's other port rules do not reach the proxy).
   */
  readonly dnsPorts: ReadonlyArray<{ readonly names: readonly FqdnSelector[]; readonly ports: PortSet }>;
  /**
   * Each part of it read in a port form the documentation does not describe (port 0, a port rule
   * without ports, a rule with neither peer nor ports), for `explain` where that part alone decides
   * a pair (the skipped parts give the whole reason). @default - its ports are read as written
   */
  readonly portReadings?: readonly CiliumPortReading[];
  /**
   * Set on a rule of `CiliumPolicy.mayAllow`: where it is and why the verdicts leave it out (the
   * reason of `CiliumReading.leftOut`), for the notes of what the widest reading allowed by it.
   * @default - a modelled rule
   */
  readonly leftOut?: string;
}

/**
 * The allow rules of a spec the verdicts leave out (`CiliumReading.leftOut`), in their widest
 * reading (`ruleOf` with `widest`): what each may allow by its known parts. Only the widest reading
 * of the input reads them (`ciliumRulesOf`: the strict search of the invariants, where a rule that
 * may allow a connection must not let an absence hold); every verdict reads the modelled rules only.
 */
export interface CiliumMayAllow {
  readonly ingress: readonly CiliumRule[];
  readonly egress: readonly CiliumRule[];
}

/**
 * A part of a rule read in a port form the documentation does not describe: a deny in its widest
 * reading, an allow of port 0 as Cilium's agent reads it (every port of its protocols).
 */
export interface CiliumPortReading {
  /** The part and how it is read, in words (`toPorts[0].ports[1] is port 0, read as every TCP port`). */
  readonly text: string;
  /** The indices in the rule's `ports` of the entries that reading gave (the rest are read as written). */
  readonly entries: readonly number[];
}

/** One rule spec of a CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy Cilium accepts. */
export interface CiliumPolicy {
  /** `<namespace>/<name>` of a CiliumNetworkPolicy; the name of a CiliumClusterwideNetworkPolicy. */
  readonly id: string;
  readonly kind: string;
  /** The policy's namespace; undefined for a CiliumClusterwideNetworkPolicy. */
  readonly namespace?: string;
  /** Its index in `specs[]`; undefined for `spec`. */
  readonly spec?: number;
  readonly subject: CiliumEndpointSelector;
  /** Whether it puts its subjects into default deny, per direction (`enableDefaultDeny`, defaulted). */
  readonly defaultDeny: { readonly ingress: boolean; readonly egress: boolean };
  /** The `ingress` and `ingressDeny` rules that are modelled. */
  readonly ingress: CiliumRule[];
  /** The `egress` and `egressDeny` rules that are modelled. */
  readonly egress: CiliumRule[];
  /** The allow rules left out, in their widest reading (`CiliumMayAllow`). @default - none */
  readonly mayAllow?: CiliumMayAllow;
  readonly file?: string;
  readonly line?: number;
}

/** What reading a Cilium policy gives: its modelled specs, what is left out with the reason, and what is read fail closed. */
export interface CiliumReading {
  readonly policies: CiliumPolicy[];
  /** Each part left out: the field path and why. */
  readonly leftOut: Array<{ readonly field: string; readonly reason: string }>;
  /**
   * Each part that is modelled but decided fail closed: a selector (`CiliumUndecided`), a deny
   * rule's peer the model cannot place (`UNPLACED_PEERS`), a host policy's nodeSelector
   * (`hostSubjectOf`). The field path and how it is read, why, and the fix.
   */
  readonly undecided: Array<{ readonly field: string; readonly reason: string }>;
}

/**
 * The entities whose identities no end of the model has: the model's ends are pods (each managed by
 * Cilium), nodes' traffic, addresses outside the cluster and the API server, so these match no end
 * (`entityMatches`), and a rule naming one keeps its other entities (never left out as a whole: a
 * deny of `[world, health]` still denies the world). Each with what it stands for and what the
 * model assumes (docs.cilium.io "Entities based"; cilium/cilium pkg/policy/api/entity.go):
 * - `health`: the health endpoints of the Cilium agents (cilium-health), one per node;
 * - `ingress`: the Cilium Envoy instance that handles ingress L7 traffic (Cilium Ingress and
 *   Gateway API), the source of what it proxies, also pod-to-pod traffic through an ingress
 *   (hairpinning): the model's connections are direct, never through that proxy;
 * - `init`: endpoints whose identity is not resolved yet (a pod starting up): the model's pods are
 *   analysed with their identity resolved, from their labels;
 * - `unmanaged`: pods Cilium does not manage (no Cilium endpoint): the model assumes every pod of the
 *   input is managed by Cilium, so a deny to `unmanaged` matches no pod. A pod that is not (started
 *   before the agent, on a node without it) is not analysed as Cilium would treat it.
 */
export const NO_END_ENTITIES: Readonly<Record<'health' | 'ingress' | 'init' | 'unmanaged', { readonly what: string; readonly assumption: string }>> = {
  health: { what: 'the health endpoints of Cilium\'s agents (cilium-health)', assumption: 'the model has no health endpoints; traffic to and from them is not analysed' },
  ingress: {
    what: 'Cilium\'s ingress proxy (the Envoy of Cilium Ingress and Gateway API)',
    assumption: 'the model\'s connections are direct, never proxied by Cilium\'s ingress; traffic through it is not analysed',
  },
  init: { what: 'endpoints whose identity is not resolved yet', assumption: 'the model analyses every pod with its identity resolved from its labels' },
  unmanaged: {
    what: 'pods Cilium does not manage',
    assumption: 'the model assumes every pod of the input is managed by Cilium, so unmanaged matches no pod; '
      + 'for a pod that is not (started before the Cilium agent, or on a node without one) the verdicts may be wrong',
  },
};

/** Whether an entity matches no end of the model (`NO_END_ENTITIES`). */
export function isNoEndEntity(entity: string): entity is keyof typeof NO_END_ENTITIES {
  return Object.prototype.hasOwnProperty.call(NO_END_ENTITIES, entity);
}

/**
 * Reads a CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy that `checkCiliumPolicy` accepts.
 * Never throws on such an object.
 */
export function readCiliumPolicy(given: any, origin: { file?: string; line?: number }): CiliumReading {
  // As stored: the API server prunes the nulls first (pruneCiliumNulls), as checkCiliumPolicy does.
  const object: any = pruneCiliumNulls(given);
  const clusterwide = object.kind === 'CiliumClusterwideNetworkPolicy';
  const name = String(object.metadata.name);
  const ns: string | undefined = clusterwide ? undefined
    : (typeof object.metadata.namespace === 'string' && object.metadata.namespace !== '' ? object.metadata.namespace : 'default');
  const id = ns === undefined ? name : `${ns}/${name}`;
  const specs: Array<[any, string, number | undefined]> = [];
  if (object.spec !== undefined) specs.push([object.spec, 'spec', undefined]);
  (Array.isArray(object.specs) ? object.specs : []).forEach((s: any, i: number) => specs.push([s, `specs[${i}]`, i]));
  const policies: CiliumPolicy[] = [];
  const leftOut: Array<{ field: string; reason: string }> = [];
  const undecided: Array<{ field: string; reason: string }> = [];
  for (const [spec, path, index] of specs) {
    const host = spec.nodeSelector !== undefined;
    const noPod = host ? undefined : noPodRequirements(spec.endpointSelector ?? {});
    if (noPod?.never !== undefined) {
      // Sound to leave out: the spec selects no end of the model, so it decides no verdict.
      leftOut.push({
        field: `${path}.endpointSelector`,
        reason: `the key ${JSON.stringify(noPod.never)} is of a label source that labels no pod, and the selector requires it (${noPodWhy}): `
          + 'so the spec selects no pod, and an endpointSelector never selects a node (Cilium applies a rule to the host\'s identity only when it has '
          + 'a nodeSelector: pkg/policy rule.go, "the rule\'s selector type (node vs. endpoint)"), so it selects no end of the model and decides no verdict '
          + '(reserved:init: endpoints whose labels are not resolved yet, which the model does not analyse). A host policy is written with nodeSelector '
          + '(docs.cilium.io "Host Policies"), which the analyser reads fail closed',
      });
      continue;
    }
    const subject = host ? hostSubjectOf(spec.nodeSelector) : subjectOf(noPod!.kept, ns, spec.endpointSelector ?? {});
    if (noPod !== undefined && noPod.met.length > 0) {
      undecided.push({
        field: `${path}.endpointSelector`,
        reason: `its requirements ${noPod.met.join(', ')} are on keys of a label source that labels no pod (${noPodWhy}), so every pod meets them; `
          + 'and an endpointSelector never selects a node (Cilium applies a rule to the host\'s identity only when it has a nodeSelector: pkg/policy rule.go, '
          + '"the rule\'s selector type (node vs. endpoint)"). The spec is read as selecting the pods its other requirements select, and no node end. '
          + 'Drop those requirements to say so, or write a host policy with nodeSelector (docs.cilium.io "Host Policies") for the nodes',
      });
    }
    if (host) {
      undecided.push({
        field: `${path}.nodeSelector`,
        reason: `a host policy applies to the nodes its nodeSelector (${subject.text}) selects, on each to its host namespace with the hostNetwork pods there `
          + '(docs.cilium.io "Host Policies"), but the model does not read node labels, and Cilium enforces host policies only with its host firewall on '
          + '(hostFirewall.enabled), so which node ends it applies to is not known. Its isolation (enableDefaultDeny) and its deny rules are taken to apply '
          + 'to every node end (a Node, a hostNetwork pod, an API server on a node), its allow rules to none, so verdicts of node ends may be too narrow; '
          + 'it selects no pod, and without node ends in the input it decides nothing. Review its effect on the nodes separately, '
          + 'or leave it out of the input where the cluster runs without the host firewall',
      });
    }
    if (subject.undecided !== undefined && !host) {
      undecided.push({
        field: `${path}.endpointSelector`,
        reason: `${subject.undecided.reason}. The spec's isolation (enableDefaultDeny) and its deny rules apply to every pod `
          + 'it may select (the label in the identity or filtered out), its allow rules to none, so verdicts of those pods may be too narrow',
      });
    }
    // rule.go, EnableDefaultDeny: "If not specified, the default is true for each traffic direction
    // that has rules, and false otherwise" (ingress or ingressDeny; egress or egressDeny).
    const has = (list: unknown) => Array.isArray(list) && list.length > 0;
    const explicit = spec.enableDefaultDeny ?? {};
    const defaultDeny = {
      ingress: typeof explicit.ingress === 'boolean' ? explicit.ingress : has(spec.ingress) || has(spec.ingressDeny),
      egress: typeof explicit.egress === 'boolean' ? explicit.egress : has(spec.egress) || has(spec.egressDeny),
    };
    const mayAllow: { ingress: CiliumRule[]; egress: CiliumRule[] } = { ingress: [], egress: [] };
    const rules = (section: CiliumSection): CiliumRule[] => (Array.isArray(spec[section]) ? spec[section] : []).flatMap((rule: any, i: number) => {
      const read = ruleOf(rule, section, i, ns, (field, reason) => undecided.push({ field: `${path}.${section}[${i}]${field === '' ? '' : `.${field}`}`, reason }));
      if (typeof read === 'string') {
        const field = `${path}.${section}[${i}]`;
        leftOut.push({ field, reason: read });
        // What a left-out allow may allow, for the widest reading alone (a deny is never left out
        // but for ICMP, which decides no connection the model analyses).
        const wide = section.endsWith('Deny') ? read : ruleOf(rule, section, i, ns, () => undefined, true);
        if (typeof wide !== 'string') mayAllow[section === 'ingress' ? 'ingress' : 'egress'].push({ ...wide, leftOut: `${field} (${read})` });
        return [];
      }
      // Port 0 (read as every port of its protocols, `portEntries`) with a peer of every end: some
      // releases open every protocol with it. The verdicts read the narrower; the widest reading
      // reads the wider too. (A modelled allow has port readings of port 0 only: its other
      // undocumented port forms are left out.)
      const everyEnd = read.peer === undefined || (read.peer.kind === 'entities' && read.peer.entities.includes('all'));
      if (!read.deny && everyEnd && (read.portReadings ?? []).length > 0) {
        mayAllow[section === 'ingress' ? 'ingress' : 'egress'].push({
          ...read, ports: [ALL_TRAFFIC], leftOut: `${path}.${section}[${i}] (port 0 with a peer of every end, which some Cilium releases read as every protocol)`,
        });
      }
      return [read];
    });
    policies.push({
      id,
      kind: object.kind,
      ...(ns !== undefined ? { namespace: ns } : {}),
      ...(index !== undefined ? { spec: index } : {}),
      subject,
      defaultDeny,
      ingress: [...rules('ingress'), ...rules('ingressDeny')],
      egress: [...rules('egress'), ...rules('egressDeny')],
      ...(mayAllow.ingress.length + mayAllow.egress.length > 0 ? { mayAllow } : {}),
      ...(origin.file !== undefined ? { file: origin.file } : {}),
      ...(origin.line !== undefined ? { line: origin.line } : {}),
    });
  }
  return { policies, leftOut, undecided };
}

/**
 * Label keys Cilium's label filter leaves out of a pod's security identity by default: a selector
 * on one of them selects no endpoint, though the pod carries the label. Checked 2026-12:
 * - docs.cilium.io "Limiting Identity-Relevant Labels" (latest, operations/performance/scalability):
 *   "By default, Cilium considers all labels to be relevant for identities, with the following
 *   exceptions": `!io.kubernetes`, `!kubernetes.io`, `!statefulset.kubernetes.io/pod-name`,
 *   `!apps.kubernetes.io/pod-index`, `!batch.kubernetes.io/job-completion-index`,
 *   `!batch.kubernetes.io/controller-uid`, `!beta.kubernetes.io`, `!k8s.io`,
 *   `!pod-template-generation`, `!pod-template-hash`, `!controller-revision-hash`, `!annotation.*`,
 *   `!controller-uid`, `!etcd_node`; the v1.9 page lists the same families and includes
 *   `app.kubernetes.io` and `io.kubernetes.pod.namespace`;
 * - cilium/cilium `pkg/labels/filter.go` (defaultLabelPrefixCfg): a pattern is a regular expression
 *   that matches a key when it matches at the key's start; an older default is `!.*kubernetes.io`
 *   (any key containing kubernetes.io), with the namespace label and the namespace labels
 *   (`io.cilium.k8s.namespace.labels.*`) included.
 * Kept here as identity labels: `io.kubernetes.pod.namespace`, the namespace labels, and
 * `app.kubernetes.io/*` (in every documented default since v1.9).
 *
 * The list is the cluster's to configure (the `labels` option of the agent's ConfigMap), and
 * differs between versions, so the model cannot know whether such a key is part of the identity:
 * a selector on one is marked undecided (`CiliumUndecided`), and the semantics read it under both
 * configurations, fail closed: a deny as the union of both, an allow as matching nothing.
 */
const IDENTITY_FILTERED: Array<[RegExp, string]> = [
  [/^io\.kubernetes/, '!io.kubernetes'],
  [/kubernetes\.io/, '!kubernetes.io (and its subdomains)'],
  [/^k8s\.io/, '!k8s.io'],
  [/^pod-template-generation/, '!pod-template-generation'],
  [/^pod-template-hash/, '!pod-template-hash'],
  [/^controller-revision-hash/, '!controller-revision-hash'],
  [/^controller-uid/, '!controller-uid'],
  [/^annotation/, '!annotation.*'],
  [/^etcd_node/, '!etcd_node'],
];

/**
 * The default exclusion of Cilium's label filter that drops `key` (a key without source) from
 * identities, if any. The one predicate: the analyser reads such a selector fail closed, the constructs
 * refuse to write one.
 */
export function ciliumIdentityFilter(key: string): string | undefined {
  if (key === CILIUM_POD_NAMESPACE_KEY || key.startsWith(CILIUM_NAMESPACE_LABELS_PREFIX) || key.startsWith('app.kubernetes.io/')) return undefined;
  return IDENTITY_FILTERED.find(([re]) => re.test(key))?.[1];
}

/**
 * A selector's keys as label keys of a pod: `k8s:app` and `any:app` are `app` (utils.go parses a
 * key without a source as `any`, which matches every source). Two keys of one label (`k8s:app` and
 * `app`) are both kept: the second as a matchExpression `In [value]`, the same requirement. What
 * the model cannot decide marks the selector undecided (`CiliumUndecided`), with the first reason:
 * - a key of another source (`reserved:`, `container:`, `cidr:`, ...) labels identities the model
 *   has no labels for: the requirement is left out of the selector (taken as met), `wide`;
 * - an `io.cilium.k8s.policy.*` key other than the service account's (the cluster's name under
 *   cluster mesh, `io.cilium.k8s.policy.cluster`, which is the agent's configuration) carries facts
 *   the model does not read: likewise;
 * - the service account's key (`CILIUM_SERVICE_ACCOUNT_KEY`) is kept as a requirement on the pod's
 *   Cilium labels (`ciliumLabels` carry the service account), and `serviceAccount` says so: decided
 *   where the input gives the pod's service account (`ciliumSelectionUndecided`);
 * - a key Cilium's label filter drops from identities by default (`ciliumIdentityFilter`) is kept
 *   as a requirement on the pod's labels, and listed in `filtered`: whether it is part of the
 *   identity depends on the cluster's configuration.
 */
function normalizeSelector(json: LabelSelectorJson): { json: LabelSelectorJson; undecided?: CiliumUndecided; serviceAccount: boolean } {
  const filtered: string[] = [];
  let serviceAccount = false;
  let wide = false;
  let nonPods = false;
  let reason: string | undefined;
  /** The key as a label key of a pod; undefined for a requirement left out as wide. */
  const key = (k: string): string | undefined => {
    const { source, bare } = ciliumKeyParts(k);
    if (source !== 'k8s' && source !== 'any') {
      wide = true;
      if (source !== 'container') nonPods = true;
      reason ??= `the label source "${source}" of ${JSON.stringify(k)} labels identities the model has no labels of `
        + `(${source === 'container' ? 'the container runtime\'s' : 'identities that are not pods: nodes, addresses, Cilium\'s own'}), `
        + 'so which ends the selector selects is not known; select by a Kubernetes label of the pods (k8s:<key>) instead';
      return undefined;
    }
    if (bare === CILIUM_SERVICE_ACCOUNT_KEY) {
      serviceAccount = true;
      return bare;
    }
    if (bare.startsWith('io.cilium.k8s.policy.')) {
      wide = true;
      reason ??= `${JSON.stringify(k)} is a label Cilium derives from facts the model does not read (such as the cluster's name, io.cilium.k8s.policy.cluster, `
        + 'which is the Cilium agent\'s configuration), so which pods the selector selects is not known; select by a label of the workload\'s own (e.g. app) instead';
      return undefined;
    }
    const filter = ciliumIdentityFilter(bare);
    if (filter !== undefined) {
      if (!filtered.includes(bare)) filtered.push(bare);
      reason ??= `${JSON.stringify(k)} is not part of a pod's Cilium identity under the default label filter (${filter}; docs.cilium.io "Limiting Identity-Relevant Labels"), `
        + 'and the filter is configured per cluster (the "labels" option), so whether the selector selects any pod depends on the cluster; '
        + 'select by a label of the workload\'s own (e.g. app) instead';
    }
    return bare;
  };
  const matchLabels: Record<string, string> = {};
  const matchExpressions = [];
  for (const [k, v] of Object.entries(json.matchLabels ?? {})) {
    const b = key(k);
    if (b === undefined) continue;
    if (b in matchLabels) matchExpressions.push({ key: b, operator: 'In', values: [v] });
    else matchLabels[b] = v;
  }
  for (const e of json.matchExpressions ?? []) {
    const b = key(e.key);
    if (b !== undefined) matchExpressions.push({ ...e, key: b });
  }
  return {
    json: {
      ...(Object.keys(matchLabels).length > 0 ? { matchLabels } : {}),
      ...(matchExpressions.length > 0 ? { matchExpressions } : {}),
    },
    ...(reason !== undefined ? { undecided: { reason, filtered, wide, nonPods } } : {}),
    serviceAccount,
  };
}

/**
 * Label sources whose labels no pod's identity carries: `reserved` labels the special identities
 * (host, remote-node, world, health, init, unmanaged, kube-apiserver, ingress) and `cidr` the
 * identities of addresses (docs.cilium.io Terminology, "Special Identities"; cilium/cilium
 * pkg/labels). A pod whose labels are resolved has only labels of its own sources (k8s, and the
 * container runtime's).
 */
const NO_POD_SOURCES = ['reserved', 'cidr'];

const noPodWhy = 'reserved labels the special identities: the host, the world, health, init, ...; cidr the identities of addresses';

/**
 * A subject's requirements on keys of a source that labels no pod (`NO_POD_SOURCES`), as Cilium
 * matches them on a pod's identity, which has no such label (a Kubernetes selector on an absent
 * key): matchLabels, `In` and `Exists` never hold (`never`, the first such key), `NotIn` and
 * `DoesNotExist` always do (`met`, in words). `kept` is the selector without them. An
 * endpointSelector never selects a node: Cilium applies a rule to the host's identity only when the
 * rule has a nodeSelector (pkg/policy rule.go, matches: "the rule's selector type (node vs.
 * endpoint)"; pkg/policy/utils getSelector). So `never` selects no end of the model, and `met` is
 * met by every pod. Requirements of other sources (container:, ...) stay undecided (`normalizeSelector`).
 */
function noPodRequirements(json: LabelSelectorJson): { kept: LabelSelectorJson; never?: string; met: string[] } {
  const noPod = (k: string) => NO_POD_SOURCES.includes(ciliumKeyParts(k).source);
  const never = Object.keys(json.matchLabels ?? {}).find(noPod)
    ?? (json.matchExpressions ?? []).find((e) => noPod(e.key) && (e.operator === 'In' || e.operator === 'Exists'))?.key;
  const met = (json.matchExpressions ?? []).filter((e) => noPod(e.key) && (e.operator === 'NotIn' || e.operator === 'DoesNotExist'))
    .map((e) => `${e.key} ${e.operator}${e.values?.length ? ` (${e.values.join(', ')})` : ''}`);
  const matchExpressions = (json.matchExpressions ?? []).filter((e) => !noPod(e.key));
  const kept: LabelSelectorJson = {
    ...(json.matchLabels !== undefined ? { matchLabels: json.matchLabels } : {}),
    ...(matchExpressions.length > 0 ? { matchExpressions } : {}),
  };
  return { kept, ...(never !== undefined ? { never } : {}), met };
}

/**
 * The subject. A CiliumNetworkPolicy's endpointSelector always applies in the policy's namespace:
 * utils.go ParseToCiliumRule sets `k8s:io.kubernetes.pod.namespace` to the policy's namespace
 * (AddMatch), which overwrites a user match of that exact key; every other requirement stays,
 * also `io.kubernetes.pod.namespace` without a source or with `any:` (NewESFromK8sLabelSelector
 * encodes it as a key of its own), so one naming another namespace selects no pod. Those are
 * matched on the pod's Cilium labels (`ciliumLabels`), which carry its namespace. A
 * CiliumClusterwideNetworkPolicy's subject gets no namespace match, and selects in every namespace
 * by all of its requirements.
 */
function subjectOf(json: LabelSelectorJson, ns: string | undefined, written: LabelSelectorJson = json): CiliumEndpointSelector {
  const { [`k8s:${CILIUM_POD_NAMESPACE_KEY}`]: _replaced, ...rest } = json.matchLabels ?? {};
  const matchLabels = ns !== undefined ? rest : json.matchLabels ?? {};
  const kept: LabelSelectorJson = {
    ...(Object.keys(matchLabels).length > 0 ? { matchLabels } : {}),
    ...(json.matchExpressions ? { matchExpressions: json.matchExpressions } : {}),
  };
  const { json: normalized, undecided, serviceAccount } = normalizeSelector(kept);
  // A subject never takes in an end that is not a pod (`nonPods`): an endpointSelector never selects
  // a node (noPodRequirements), and an end outside the cluster is no subject. A requirement of
  // another source (container:, ...) is taken as met by any pod in the widest reading (`wide`).
  return {
    selector: compileSelector(normalized),
    ...(ns !== undefined ? { namespace: ns } : {}),
    text: describeSelector(written),
    ...(undecided !== undefined ? { undecided: { ...undecided, nonPods: false } } : {}),
    ...(serviceAccount ? { testsServiceAccount: true } : {}),
  };
}

/**
 * The subject of a host policy (a spec with nodeSelector; only a CiliumClusterwideNetworkPolicy has
 * one, checkCiliumPolicy): the nodes its selector selects by their labels, and on each its host
 * namespace, hostNetwork pods included (docs.cilium.io "Host Policies"). The model does not read
 * node labels, nor whether the cluster runs Cilium's host firewall, which host policies need: the
 * subject may be every node end (`nodes`), read fail closed as an undecided subject is (its isolation
 * and deny rules apply to every node end, its allow rules to none: `ruleBound`). An empty nodeSelector
 * too: the host firewall may be off.
 */
function hostSubjectOf(json: LabelSelectorJson): CiliumEndpointSelector {
  return {
    selector: compileSelector({}),
    text: describeSelector(json),
    nodes: true,
    undecided: {
      reason: 'a host policy selects nodes by their labels, which the model does not read, and applies only where Cilium\'s host firewall is on (hostFirewall.enabled)',
      filtered: [],
      wide: true,
      nonPods: false,
    },
  };
}

/**
 * A peer endpoint selector, in the namespaces `ciliumPeerScope` (the one rule, k8s/cilium-peer-scope)
 * says: in a CiliumNetworkPolicy, confined to the policy's namespace unless it names the namespace key
 * (`k8s:`/`any:io.kubernetes.pod.namespace`, in matchLabels or matchExpressions: utils.go
 * getEndpointSelector tests it with HasKey, which looks at both). A selector that tests namespace
 * labels (`io.cilium.k8s.namespace.labels.*`) without the namespace key is confined by Cilium
 * releases before cilium/cilium#30650 and not by later ones: it is read fail closed for its rule
 * (an allow confined, the narrower reading; a deny in every namespace, the wider one), and a note
 * says so. A CiliumClusterwideNetworkPolicy's peers are confined to no namespace.
 */
function peerSelectorOf(
  json: LabelSelectorJson, ns: string | undefined, deny: boolean, note: (text: string) => void,
): CiliumEndpointSelector {
  const { json: normalized, undecided, serviceAccount } = normalizeSelector(json);
  const namespace = ciliumPeerNamespace(json, ns, deny);
  if (ns !== undefined && ciliumPeerScope(json) === CiliumPeerScope.DEPENDS_ON_VERSION) {
    note(`the selector tests namespace labels (${CILIUM_NAMESPACE_LABELS_PREFIX}*) without the namespace label ${CILIUM_POD_NAMESPACE_KEY}, which Cilium releases read two ways: `
      + `before cilium/cilium#30650 (2024) the selector is confined to the policy's namespace ${ns}, since then it selects in every namespace whose labels match. `
      + (deny ? 'This is a deny rule, so the verdicts take the wider reading (every namespace): they may deny more than an older Cilium does. '
        : `This is an allow rule, so the verdicts take the narrower reading (namespace ${ns} only): they may allow less than a newer Cilium does. `)
      + `Say which is meant: add ${CILIUM_POD_NAMESPACE_KEY} to the selector (Exists for every namespace, or the namespace's name), which every release reads the same way`);
  }
  return {
    selector: compileSelector(normalized),
    ...(namespace !== undefined ? { namespace } : {}),
    text: describeSelector(json),
    ...(undecided !== undefined ? { undecided } : {}),
    ...(serviceAccount ? { testsServiceAccount: true } : {}),
  };
}

function fqdnOf(s: any): FqdnSelector | string {
  if (typeof s.matchName === 'string') return { pattern: normalizeDnsName(s.matchName), wildcard: false };
  const pattern = normalizeDnsName(String(s.matchPattern));
  // "**" (several labels) is newer than the documented single-label "*": not modelled.
  if (pattern.includes('**')) return `the pattern ${JSON.stringify(s.matchPattern)} uses "**", whose meaning depends on the Cilium version`;
  return { pattern, wildcard: pattern.includes('*') };
}

/**
 * The `fromRequires` / `toRequires` fields of a Cilium policy that are not empty, by path. Such a
 * requirement is not a rule of its own: it narrows the allows of EVERY policy that selects the same
 * endpoints (cilium/cilium pkg/policy/api ingress.go: "the effects of any Requires field in any rule
 * will apply to all other rules as well"; docs.cilium.io Layer 3 Policies, "Additional Label
 * Requirements": "base requirements for any connectivity to happen"). Leaving only that rule out would
 * leave the other policies' allows broader than Cilium's, and the model has no way to leave out a
 * whole direction of an endpoint, so the Cluster refuses the input. An empty list has no effect
 * (ingress.go: "If omitted or empty, the member will have no effect on the rule").
 */
export function requirementFields(object: any): string[] {
  const specs: Array<[any, string]> = [];
  if (object?.spec !== undefined) specs.push([object.spec, 'spec']);
  if (Array.isArray(object?.specs)) object.specs.forEach((x: any, i: number) => specs.push([x, `specs[${i}]`]));
  const out: string[] = [];
  for (const [spec, path] of specs) {
    for (const section of ['ingress', 'ingressDeny', 'egress', 'egressDeny']) {
      const field = section.startsWith('egress') ? 'toRequires' : 'fromRequires';
      const rules = spec?.[section];
      if (!Array.isArray(rules)) continue;
      rules.forEach((rule: any, i: number) => {
        if (Array.isArray(rule?.[field]) && rule[field].length > 0) out.push(`${path}.${section}[${i}].${field}`);
      });
    }
  }
  return out;
}

/**
 * The peers of a rule the model has no ends for, by field: what the model lacks, what Cilium makes
 * of the peer, the ends it may therefore be, and how to write it so that the model decides it
 * (docs.cilium.io "Layer 3 Policies": Services based, Node based, IP/CIDR based; cilium/cilium
 * `pkg/policy/api` egress.go and ingress.go, whose EgressCommonRule and IngressCommonRule, shared by
 * the allow and the deny rules, hold them; there is no fromServices). Checked 2026-12. An allow rule
 * with one is left out: it allows less, fail closed. A deny rule is kept and read fail closed: it
 * denies every end the peer may be (`unplacedMayBe`), on its own ports, and a note says so. The ends
 * rest on what the model assumes of CIDR selectors elsewhere (`ciliumPeerMatches`): under the
 * default policy-cidr-match-mode they match only ends outside the cluster, never a pod or a node.
 */
interface UnplacedPeer {
  /** What the model has none of. */
  readonly what: string;
  readonly ends: CiliumUnplacedEnds;
  /** What Cilium makes of the peer, so the ends it may be. */
  readonly how: string;
  /** How to write it so that the model decides it. */
  readonly fix: string;
}
const UNPLACED_PEERS: Readonly<Record<string, UnplacedPeer>> = {
  toServices: {
    what: 'Kubernetes services and their backends',
    ends: 'podsAndOutside',
    how: 'Cilium selects the backends of a service with a selector by that selector, as an endpoint selector (pods), and those of a service without one '
      + 'by the addresses of its EndpointSlices, as CIDR selectors, which match only ends outside the cluster (docs.cilium.io "Layer 3 Policies", Services based)',
    fix: 'Deny the backends themselves (toEndpoints with the service\'s selector, or toCIDRSet with its addresses)',
  },
  toGroups: {
    what: 'cloud provider groups',
    ends: 'outside',
    how: 'Cilium turns a group (AWS security groups, ...) into the CIDRs of its members\' addresses, and CIDR selectors match only ends outside the cluster',
    fix: 'Deny the group\'s addresses (toCIDRSet)',
  },
  fromGroups: {
    what: 'cloud provider groups',
    ends: 'outside',
    how: 'Cilium turns a group (AWS security groups, ...) into the CIDRs of its members\' addresses, and CIDR selectors match only ends outside the cluster',
    fix: 'Deny the group\'s addresses (fromCIDRSet)',
  },
  toNodes: {
    what: 'node labels',
    ends: 'nodes',
    how: 'the selector picks nodes by their labels (docs.cilium.io "Layer 3 Policies", Node based), so it may match any node end: a Node, a hostNetwork pod, an API server on a node',
    fix: 'Name the nodes by fromEntities/toEntities host and remote-node (every node)',
  },
  fromNodes: {
    what: 'node labels',
    ends: 'nodes',
    how: 'the selector picks nodes by their labels (docs.cilium.io "Layer 3 Policies", Node based), so it may match any node end: a Node, a hostNetwork pod, an API server on a node',
    fix: 'Name the nodes by fromEntities/toEntities host and remote-node (every node)',
  },
};

/** The ends of `CiliumUnplacedEnds`, in words. */
const UNPLACED_WORDS: Readonly<Record<CiliumUnplacedEnds, string>> = {
  nodes: 'every node end',
  outside: 'every end outside the cluster',
  podsAndOutside: 'every pod and every end outside the cluster',
};

/** The ends of `CiliumUnplacedEnds`, in words (`every node end`, ...). */
export function unplacedEndsText(ends: CiliumUnplacedEnds): string {
  return UNPLACED_WORDS[ends];
}

/** How a deny rule reads a peer the model cannot place, in words: the note of the `undecided` channel. */
function unplacedReason(what: string, how: string, ends: CiliumUnplacedEnds, fix: string): string {
  return `the model has no ${what}: ${how}. The deny is kept and taken to deny ${UNPLACED_WORDS[ends]} on its ports, `
    + `so verdicts of those ends may be too narrow. ${fix} to have it decided exactly`;
}

/**
 * A rule Cilium accepts, or why it is left out. With `widest`, for an allow rule the model leaves
 * out: its widest reading instead (`CiliumPolicy.mayAllow`), what the rule may allow by its known
 * parts: a part the model cannot read taken as allowing every end it may be (a peer it cannot
 * place as every end that peer may be, `unplacedMayBe`; an empty peer list as no peer) and every
 * port it may be (a port it cannot read, a port rule without ports), authentication, TLS and
 * listeners as if they let the traffic through; still a reason for a rule that allows nothing the
 * model analyses (ICMP).
 */
function ruleOf(
  rule: any, section: CiliumSection, index: number, ns: string | undefined, undecided: (field: string, reason: string) => void, widest = false,
): CiliumRule | string {
  const egress = section.startsWith('egress');
  const deny = section.endsWith('Deny');
  // Only an allow has a widest reading of its own: a deny the model cannot read is read widest already.
  const wide = widest && !deny;
  const p = egress ? 'to' : 'from';
  // ingress.go/egress.go (IngressRule, IngressDenyRule, EgressRule, EgressDenyRule): "All members of
  // this structure are optional. If omitted or empty, the member will have no effect on the rule."
  // An empty peer list is no peer at all: the rule is its ports-only form, for every peer.
  // A non-empty `${p}Requires` refuses the input (requirementFields); an empty one has no effect.
  const given = (field: string) => Array.isArray(rule[field]) && rule[field].length > 0;
  // Newer releases read an explicitly empty peer list the other way: it selects no identity
  // (pkg/policy mergeEndpointSelectors: "Explicitly check for empty non-nil slices, it should not
  // result in any identity being selected"; endpoints, nodes, entities, CIDR and CIDR-set lists).
  // Which one the cluster runs is not known: a deny takes the ports-only reading (every peer, the
  // wider), an allow is left out (it allows nothing, the narrower), with why.
  const emptyPeer = [`${p}Endpoints`, `${p}Nodes`, `${p}Entities`, `${p}CIDR`, `${p}CIDRSet`].find((f) => Array.isArray(rule[f]) && rule[f].length === 0);
  if (!deny && emptyPeer !== undefined && !wide) {
    return `${emptyPeer}: [] is read two ways by Cilium releases: as no peer at all (the rule for every peer, "If omitted or empty, `
      + 'the member will have no effect on the rule") and, in newer releases, as selecting no identity; the allow is taken to allow nothing (fail closed). '
      + `Leave ${emptyPeer} out to allow every peer on the rule's ports, or list the peers`;
  }
  // ICMP: Cilium's agent rejects icmps next to toPorts (rule_validation.go; checkCiliumPolicy), so a
  // rule with icmps matches ICMP only ("Limit ICMP/ICMPv6 types", Layer 4 Policies), which the model
  // does not analyse: leaving it out, allow or deny, changes no verdict of a TCP, UDP or SCTP port.
  if (given('icmps')) {
    return 'icmps: the rule matches ICMP only (Cilium rejects icmps next to toPorts), and the model analyses TCP, UDP and SCTP connections, '
      + 'so the rule decides none of them; ICMP is not analysed';
  }
  // Only in allow rules (the deny rules have no such field: checkCiliumPolicy).
  if (rule.authentication !== undefined && !wide) return 'authentication: the model has no mutual authentication';
  // The undecided selectors, said once the rule is modelled (a rule left out is said as left out).
  const notes: Array<[string, string]> = [];
  let peer: CiliumRulePeer | undefined;
  let peerShapes: PeerShape[] | undefined;
  const unplaced = [`${p}Services`, `${p}Groups`, `${p}Nodes`].find((f) => UNPLACED_PEERS[f] !== undefined && given(f));
  if (unplaced !== undefined) {
    const { what, ends, how, fix } = UNPLACED_PEERS[unplaced];
    if (!deny && !wide) return `${unplaced}: the model has no ${what}`;
    notes.push([unplaced, unplacedReason(what, how, ends, fix)]);
    peer = { kind: 'unplaced', field: unplaced, ends, text: `${unplaced} (not placed: ${UNPLACED_WORDS[ends]})` };
    // Errs towards "overlaps" (the DNS path, overlappingDeny): it may be any of those ends.
    peerShapes = [{ kind: 'entity', entity: 'all' }];
  }
  const texts = (list: unknown[]) => list.map((x) => String(x)).join(', ');
  // One kind of peer per rule (checkCiliumPolicy): one placed above has no other.
  if (peer === undefined && given(`${p}Endpoints`)) {
    const selectors: CiliumEndpointSelector[] = [];
    for (const [k, s] of (rule[`${p}Endpoints`] as LabelSelectorJson[]).entries()) {
      const read = peerSelectorOf(s, ns, deny, (note) => notes.push([`${p}Endpoints[${k}]`, note]));
      selectors.push(read);
      if (read.undecided !== undefined) notes.push([`${p}Endpoints[${k}]`, undecidedPeerReason(read.undecided, deny)]);
    }

    peer = { kind: 'endpoints', selectors, text: `endpoints ${selectors.map((s) => s.text).join('; ')}` };
    peerShapes = (rule[`${p}Endpoints`] as LabelSelectorJson[]).map((s) => ciliumPeerShape('Endpoints', s, ns));
  } else if (peer === undefined && given(`${p}Entities`)) {
    // Every entity of the CRD's enum is decided (entityMatches): none leaves the rule out.
    const entities = rule[`${p}Entities`] as string[];
    peer = { kind: 'entities', entities: entities as CiliumEntity[], text: `entities ${texts(entities)}` };
    peerShapes = entities.map((e) => ciliumPeerShape('Entities', e, ns));
  } else if (peer === undefined && (given(`${p}CIDR`) || given(`${p}CIDRSet`))) {
    const sets: any[] = given(`${p}CIDRSet`) ? rule[`${p}CIDRSet`] : (rule[`${p}CIDR`] as string[]).map((cidr) => ({ cidr }));
    const group = 'a CiliumCIDRGroup (cidrGroupRef, cidrGroupSelector) holds addresses the model does not know';
    if (sets.some((s) => s.cidr === undefined) && !deny && !wide) return `${p}CIDRSet: ${group}`;
    if (sets.some((s) => s.cidr === undefined)) {
      // A deny: kept, as every end outside the cluster (its blocks of addresses are among those ends).
      notes.push([`${p}CIDRSet`, unplacedReason('addresses of a CiliumCIDRGroup', `${group}, and CIDR selectors match only ends outside the cluster`, 'outside',
        `Write the group's CIDRs into the rule (${p}CIDRSet cidr, with except)`)]);
      peer = { kind: 'unplaced', field: `${p}CIDRSet`, ends: 'outside', text: `${p}CIDRSet (a CiliumCIDRGroup, not placed: ${UNPLACED_WORDS.outside})` };
      peerShapes = [{ kind: 'entity', entity: 'world' }];
    } else {
      const blocks = sets.map((s) => ({
        cidr: parseCidr(s.cidr, false).cidr!,
        except: (s.except ?? []).map((e: string) => parseCidr(e, false).cidr!),
      }));
      peerShapes = sets.map((s) => cidrShape(s.cidr, s.except ?? []));
      peer = { kind: 'cidrs', blocks, text: `CIDRs ${sets.map((s) => `${s.cidr}${s.except?.length ? ` except ${s.except.join(', ')}` : ''}`).join('; ')}` };
    }
  } else if (peer === undefined && egress && given('toFQDNs')) {
    const names: FqdnSelector[] = [];
    let unread: string | undefined;
    for (const s of rule.toFQDNs) {
      const read = fqdnOf(s);
      if (typeof read === 'string') unread ??= read;
      else names.push(read);
    }
    if (unread !== undefined && !wide) return `toFQDNs: ${unread}`;
    peerShapes = (rule.toFQDNs as any[]).map((s) => ciliumPeerShape('FQDNs', s, ns));
    // The widest reading of a name it cannot read: any name, so every end outside the cluster.
    peer = unread === undefined
      ? { kind: 'fqdns', names, text: `FQDNs ${names.map((n) => n.pattern).join(', ')}` }
      : { kind: 'unplaced', field: 'toFQDNs', ends: 'outside', text: `toFQDNs (not read: ${UNPLACED_WORDS.outside})` };
  }
  const toPorts: any[] | undefined = rule.toPorts;
  const entries: PortEntry[] = [];
  const portReadings: CiliumPortReading[] = [];
  // `text` read from the entries `read`, appended to the rule's ports.
  const readAs = (text: string, read: readonly PortEntry[]) => {
    portReadings.push({ text, entries: read.map((_, i) => entries.length + i) });
    entries.push(...read);
  };
  if (peer === undefined && (toPorts === undefined || toPorts.length === 0)) {
    // Not documented, and Cilium's releases differ: the agents that merge rules per port
    // (pkg/policy rule.go mergeIngress/mergeEgress) make nothing of a rule without endpoints and
    // without ports; the newer translation (pkg/policy/utils RulesToPolicyEntries) keeps it as an
    // entry with no peer selector ("all endpoints if empty") and no port rules. An allow is left out
    // (it allows less); a deny is kept as the widest of the readings: every end, every port.
    if (!deny && !wide) return 'a rule without a peer and without ports: its meaning is not documented';
    readAs(`the rule has neither peer nor ports, read as ${deny ? 'denying' : 'allowing'} every end on every port`, [ALL_TRAFFIC]);
    notes.push(['', 'a deny rule without a peer and without ports is not documented, and Cilium\'s releases read it as denying nothing or as a rule '
      + `with no peer and no port rules. The deny is kept and taken to deny every end on every port, so verdicts of the ${egress ? 'egress' : 'ingress'} `
      + `of the pods its spec selects may be too narrow. Give the deny its peer (${p}Endpoints, ${p}Entities, ...) and its ports, or remove the rule, to have it decided exactly`]);
  }
  const dns: FqdnSelector[] = [];
  const dnsPorts: Array<{ names: FqdnSelector[]; ports: PortEntry[] }> = [];
  let l7 = false;
  for (const [k, pr] of (toPorts ?? []).entries()) {
    for (const field of ['listener', 'originatingTLS', 'terminatingTLS', 'serverNames']) {
      if (pr[field] !== undefined && !wide) return `toPorts[${k}].${field}: TLS interception and listeners are not modelled`;
    }
    if (!Array.isArray(pr.ports) || pr.ports.length === 0) {
      // Not documented: the agents that merge rules per port make nothing of it (and, next to no
      // other port rule, keep the rule from being the ports-free form for every port); the PortRule
      // type says "If omitted or empty but RedirectPort is set, then all ports ... are being
      // redirected". An allow is left out; a deny is kept as the widest reading: every port.
      if (!deny && !wide) return `toPorts[${k}]: a port rule without ports is not modelled`;
      notes.push([`toPorts[${k}]`, 'a port rule without ports is not documented, and Cilium\'s releases read it as no port or as every port. '
        + 'The deny is kept and taken to deny every port of every protocol to or from its peer, so verdicts of those ends may be too narrow. '
        + 'List the ports (ports: [{port: "443", protocol: TCP}]), or leave toPorts out to deny every port on purpose, to have it decided exactly']);
      readAs(`toPorts[${k}] has no ports, read as every port of every protocol`, [ALL_TRAFFIC]);
      continue;
    }
    const own: PortEntry[] = [];
    for (const [j, port] of (pr.ports as any[]).entries()) {
      const read = portEntries(port, deny, (note) => notes.push([`toPorts[${k}].ports[${j}].port`, note]), wide);
      if (typeof read === 'string') return `toPorts[${k}]: ${read}`;
      if (read.form !== undefined) readAs(`toPorts[${k}].ports[${j}] is ${read.form}`, read.entries);
      else entries.push(...read.entries);
      own.push(...read.entries);
    }
    const r = pr.rules;
    if (r !== undefined && r !== null && Object.keys(r).some((x) => r[x] !== undefined)) l7 = true;
    const names: FqdnSelector[] = [];
    for (const s of r?.dns ?? []) {
      const read = fqdnOf(s);
      if (typeof read === 'string' && !wide) return `toPorts[${k}].rules.dns: ${read}`;
      // The widest reading of a name it cannot read: the proxy may see any name looked up.
      names.push(typeof read === 'string' ? { pattern: '*', wildcard: true } : read);
    }
    dns.push(...names);
    if (names.length > 0) dnsPorts.push({ names, ports: own });
  }
  for (const [field, reason] of notes) undecided(field, reason);
  return {
    section,
    index,
    deny,
    ...(peer !== undefined ? { peer, peerShapes: peerShapes! } : {}),
    ports: toPorts === undefined || toPorts.length === 0 ? [ALL_TRAFFIC] : entries,
    l7,
    ...(l7 ? { l7Key: canonicalJson(toPorts) } : {}),
    dns,
    dnsPorts,
    ...(portReadings.length > 0 ? { portReadings } : {}),
  };
}

/**
 * How a rule reads an undecided peer selector (`CiliumUndecided`), in words: a deny the widest, an
 * allow the narrowest (the semantics: `ciliumPeerMatches`).
 */
function undecidedPeerReason(u: CiliumUndecided, deny: boolean): string {
  if (!deny) {
    return `${u.reason}. In this allow the selector is taken to match nothing (the rule's other peers are kept), `
      + 'so verdicts of the ends it may match may be too narrow';
  }
  const how = [
    ...(u.filtered.length > 0 ? [`with ${u.filtered.join(', ')} in the identity or filtered out`] : []),
    ...(u.wide ? ['the requirements the model cannot decide taken as met'] : []),
    ...(u.nonPods ? ['and every end that is not a pod'] : []),
  ].join(', ');
  return `${u.reason}. The deny is taken to apply to every end the selector may match (${how}), `
    + 'so verdicts of those ends may be too narrow';
}

/**
 * One `toPorts[].ports[]` entry: a number (with `endPort` a range) or a container port name, of
 * its protocol; `ANY` (or none) is every protocol (Layer 4 Policies: "If omitted or empty, any
 * protocol matches"). Port 0 is not in the documentation, and this is the one place that reads it.
 * Cilium's agent accepts it (rule_validation.go PortProtocol: only a port rule with layer-7 rules
 * refuses "a port is 0") and builds a filter of port 0 (pkg/policy l4.go L4Filter: "Port 0
 * indicates that all traffic is allowed at L4"), whose keys pkg/policy portrange.go
 * PortRangeToMaskedPorts makes the wildcard of the port where `endPort` is 0 or 65535 ("This is a
 * wildcard"). So port 0 without `endPort`, or with 0 or 65535, is every port of its protocols: an
 * allow is read so, the narrowest reading (some releases open every protocol with it when the peer
 * is every end). With another `endPort` the releases read it apart (the range 0..endPort where they
 * have port ranges, every port where the key of port 0 is a wildcard): an allow is left out (it
 * allows less). A deny is kept as the widest reading: every port of its protocols. `note` says
 * so, and `form` says how port 0 was read (undefined for a port read as written).
 */
function portEntries(port: any, deny: boolean, note: (text: string) => void, widest = false): { entries: PortEntry[]; form?: string } | string {
  const protocols = port.protocol === undefined || port.protocol === 'ANY' ? PORT_PROTOCOLS : [port.protocol as string];
  // As Cilium reads it (readCiliumPort): a name lowercased, a number with base 0 ("0100" is 64).
  const read = readCiliumPort(String(port.port));
  // The widest reading of an allow's port the model cannot read: every port of its protocols.
  const everyPort = (): PortEntry[] => protocols.map((protocol) => ({ kind: 'allPorts', protocol }));
  if (read.problem !== undefined) return widest ? { entries: everyPort() } : `the port cannot be read: ${read.problem}`;
  if (read.number !== undefined) {
    const number = read.number;
    if (number === 0) {
      const given = JSON.stringify(String(port.port));
      const endPort = typeof port.endPort === 'number' && port.endPort > 0 ? port.endPort : undefined;
      // PortRangeToMaskedPorts: port 0 with endPort 0 or 65535 is the wildcard; another endPort a range from 0.
      const range = endPort !== undefined && endPort < 65535 ? endPort : undefined;
      if (range !== undefined && !deny && widest) return { entries: everyPort() };
      if (range !== undefined && !deny) {
        return `port 0 with endPort ${range} is not documented (Cilium's releases read it as the range 0-${range} or as every port); `
          + `list the ports or a range from 1 (port: "1", endPort: ${range})`;
      }
      const all = protocols.join(', ');
      const filter = 'pkg/policy L4Filter: "Port 0 indicates that all traffic is allowed at L4"';
      if (!deny) {
        note(`port ${given} is 0, which the documentation does not describe; Cilium's agent accepts it and makes it a filter of every port `
          + `of its protocol (${filter}${endPort !== undefined ? `; PortRangeToMaskedPorts makes port 0 with endPort ${endPort} the wildcard of the port too` : ''}). `
          + `The allow is read as every ${all} port, the narrowest of the readings (with a peer of every end, some releases open every protocol too). `
          + 'List the ports, or leave toPorts out to allow every port on purpose');
      } else {
        note(`port ${given} is 0, which the documentation does not describe; Cilium's agent accepts it and makes it a filter of every port `
          + `(${filter})${range !== undefined ? `, here with an endPort: the releases read port 0 with endPort ${range} as the range 0-${range} or as every port` : ''}. `
          + `The deny is kept and taken to deny every ${all} port to or from its peer, so verdicts of those ends may be too narrow. `
          + 'List the ports (or a range: port and endPort), or leave toPorts out to deny every port on purpose, to have it decided exactly');
      }
      return {
        entries: protocols.map((protocol) => ({ kind: 'allPorts', protocol })),
        form: `port 0${endPort !== undefined ? ` (endPort ${endPort})` : ''}, read as every ${all} port`,
      };
    }
    const end = typeof port.endPort === 'number' && port.endPort > number ? port.endPort : undefined;
    return { entries: protocols.map((protocol) => (end !== undefined ? { kind: 'numbered', protocol, port: number, endPort: end } : { kind: 'numbered', protocol, port: number })) };
  }
  // Layer 4 Policies: "EndPort is ignored if Port is a named port."
  return { entries: protocols.map((protocol) => ({ kind: 'named', protocol, name: read.name! })) };
}

/** `value` as JSON with the keys of every object sorted: equal for equal content, whatever the key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
