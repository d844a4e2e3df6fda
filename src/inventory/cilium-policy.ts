/**
 * The model of Cilium's `cilium.io/v2` CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy as
 * the analyser uses them: one `CiliumPolicy` per rule spec (`spec`, and each of `specs[]`), with its
 * subject, its default-deny per direction, and its allow and deny rules in a form the semantics
 * (`analysis/cilium-semantics`) evaluates. What the model cannot place (nodes, services, groups,
 * ICMP, mutual authentication, the entities that stand for hosts and proxies, selectors of label
 * sources other than Kubernetes) is never guessed: the rule, or the spec, is listed as left out with
 * the reason, and the rest is modelled.
 *
 * Sources of the semantics (checked 2026-12):
 * - docs.cilium.io "Layer 3 Policies" (security/policy/layer3): endpoints, entities, CIDR and
 *   DNS-based rules; "Layer 4 Policies" (security/policy/layer4); "Deny Policies"
 *   (security/policy/deny); "Using Kubernetes Constructs In Policy" (policy/kubernetes).
 * - cilium/cilium `pkg/policy/api` rule.go (enableDefaultDeny), ingress.go, egress.go, entity.go,
 *   l4.go, and `pkg/k8s/apis/cilium.io/utils/utils.go` (how a CiliumNetworkPolicy's selectors are
 *   confined to its namespace).
 */
import { Cluster, ClusterEndpoint, normalizeDnsName } from './cluster';
import { parseCidr, ParsedCidr } from '../k8s/cidr';
import { readCiliumPort } from '../k8s/cilium-manifest';
import { ciliumPeerShape, cidrShape, PeerShape } from '../k8s/cilium-overlap';
import {
  ciliumKeyParts, ciliumPeerNamespace, CiliumPeerScope, ciliumPeerScope, CILIUM_NAMESPACE_LABELS_PREFIX, CILIUM_POD_NAMESPACE_KEY,
} from '../k8s/cilium-peer-scope';
import { pruneCiliumNulls } from '../k8s/cilium-rules';
import { compileSelector, CompiledSelector, describeSelector, Labels } from '../k8s/label-selector';
import { LabelSelectorJson } from '../k8s/manifest';
import { ALL_TRAFFIC, PORT_PROTOCOLS, PortEntry, PortSet } from '../k8s/port-set';

/** A section of a Cilium rule spec. */
export type CiliumSection = 'ingress' | 'ingressDeny' | 'egress' | 'egressDeny';

/**
 * The entities the model can place (entity.go; docs.cilium.io "Entities based"): everything,
 * outside the cluster, inside it, the subject's own node, the other nodes, the API server, nothing.
 */
export type CiliumEntity = 'all' | 'world' | 'cluster' | 'host' | 'remote-node' | 'kube-apiserver' | 'none';

// The label of a pod's namespace and the prefix of its namespace's labels in Cilium's identity
// labels: defined with the namespace confinement rule (k8s/cilium-peer-scope).
export { CILIUM_NAMESPACE_LABELS_PREFIX, CILIUM_POD_NAMESPACE_KEY } from '../k8s/cilium-peer-scope';

/** An endpoint selector, over a pod's Cilium labels (see `ciliumLabels`), with the namespace it is confined to. */
export interface CiliumEndpointSelector {
  readonly selector: CompiledSelector;
  /** The one namespace it selects in (a CiliumNetworkPolicy's own); undefined: any namespace. */
  readonly namespace?: string;
  readonly text: string;
}

const LABELS = new WeakMap<ClusterEndpoint, Labels>();

/**
 * A pod's labels as Cilium's identity carries them (source `k8s`, written without the prefix): its
 * own, its namespace (`io.kubernetes.pod.namespace`) and its namespace's labels
 * (`io.cilium.k8s.namespace.labels.<key>`) (docs.cilium.io "Using Kubernetes Constructs In Policy").
 */
export function ciliumLabels(cluster: Cluster, e: ClusterEndpoint): Labels {
  let labels = LABELS.get(e);
  if (!labels) {
    const own: Record<string, string> = { ...e.labels };
    for (const [k, v] of Object.entries(cluster.namespaceLabels(e.namespace!))) own[`${CILIUM_NAMESPACE_LABELS_PREFIX}${k}`] = v;
    own[CILIUM_POD_NAMESPACE_KEY] = e.namespace!;
    labels = own;
    LABELS.set(e, labels);
  }
  return labels;
}

/**
 * Whether an endpoint selector selects `e`: only pods (an endpoint selector matches identities of
 * labels; external addresses are `world`, node traffic `host`/`remote-node`), in the selector's
 * namespace when it is confined to one.
 */
export function ciliumSelects(cluster: Cluster, s: CiliumEndpointSelector, e: ClusterEndpoint): boolean {
  if (e.external || e.nodeTraffic || e.namespace === undefined) return false;
  if (s.namespace !== undefined && e.namespace !== s.namespace) return false;
  return s.selector.matches(ciliumLabels(cluster, e));
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
  | { readonly kind: 'fqdns'; readonly names: FqdnSelector[]; readonly text: string };

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
  readonly file?: string;
  readonly line?: number;
}

/** What reading a Cilium policy gives: its modelled specs, what is left out with the reason, and what is read fail closed. */
export interface CiliumReading {
  readonly policies: CiliumPolicy[];
  /** Each part left out: the field path and why. */
  readonly leftOut: Array<{ readonly field: string; readonly reason: string }>;
  /**
   * Each part modelled in one of several readings (Cilium's versions differ), the one that fails
   * closed for its kind of rule: the field path and what was decided, so the warning stays.
   */
  readonly notes: Array<{ readonly field: string; readonly note: string }>;
}

/**
 * Entities that stand for proxies and identities the model has no endpoints for. (`host`,
 * `remote-node` and `kube-apiserver` are placed by the Cluster, which knows the nodes and the API
 * server, or leaves the rule out where it does not.)
 */
const UNPLACED_ENTITIES: Record<string, string> = {
  health: 'Cilium\'s health endpoints',
  ingress: 'Cilium\'s ingress proxy',
  unmanaged: 'pods Cilium does not manage',
  init: 'endpoints whose identity is not resolved yet',
};

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
  const notes: Array<{ field: string; note: string }> = [];
  for (const [spec, path, index] of specs) {
    if (spec.nodeSelector !== undefined) {
      leftOut.push({ field: `${path}.nodeSelector`, reason: 'a host policy (nodeSelector) applies to nodes, which the model does not have' });
      continue;
    }
    const subject = subjectOf(spec.endpointSelector ?? {}, ns, `${path}.endpointSelector`);
    if (typeof subject === 'string') {
      leftOut.push({ field: `${path}.endpointSelector`, reason: subject });
      continue;
    }
    // rule.go, EnableDefaultDeny: "If not specified, the default is true for each traffic direction
    // that has rules, and false otherwise" (ingress or ingressDeny; egress or egressDeny).
    const has = (list: unknown) => Array.isArray(list) && list.length > 0;
    const explicit = spec.enableDefaultDeny ?? {};
    const defaultDeny = {
      ingress: typeof explicit.ingress === 'boolean' ? explicit.ingress : has(spec.ingress) || has(spec.ingressDeny),
      egress: typeof explicit.egress === 'boolean' ? explicit.egress : has(spec.egress) || has(spec.egressDeny),
    };
    const rules = (section: CiliumSection): CiliumRule[] => (Array.isArray(spec[section]) ? spec[section] : []).flatMap((rule: any, i: number) => {
      const ruleNotes: Array<{ field: string; note: string }> = [];
      const read = ruleOf(rule, section, i, ns, ruleNotes);
      if (typeof read === 'string') {
        leftOut.push({ field: `${path}.${section}[${i}]`, reason: read });
        return [];
      }
      notes.push(...ruleNotes.map((n) => ({ field: `${path}.${section}[${i}].${n.field}`, note: n.note })));
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
      ...(origin.file !== undefined ? { file: origin.file } : {}),
      ...(origin.line !== undefined ? { line: origin.line } : {}),
    });
  }
  return { policies, leftOut, notes };
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
 * a selector on one is left out, never matched (that would prove an isolation or a deny Cilium may
 * not enforce) and never dropped (that would widen the selector).
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
 * identities, if any. The one predicate: the analyser leaves such a selector out, the constructs
 * refuse to write one.
 */
export function ciliumIdentityFilter(key: string): string | undefined {
  if (key === CILIUM_POD_NAMESPACE_KEY || key.startsWith(CILIUM_NAMESPACE_LABELS_PREFIX) || key.startsWith('app.kubernetes.io/')) return undefined;
  return IDENTITY_FILTERED.find(([re]) => re.test(key))?.[1];
}

/**
 * A selector's keys as label keys of a pod: `k8s:app` and `any:app` are `app` (utils.go parses a
 * key without a source as `any`, which matches every source); a key of another source
 * (`reserved:`, `container:`, `cidr:`, ...) selects identities the model has no endpoints for, a
 * `io.cilium.k8s.policy.*` key (service account, cluster name) facts it does not know, and a key
 * Cilium's label filter drops from identities by default (`ciliumIdentityFilter`) depends on the
 * cluster's configuration: a string says why. Two keys of one label (`k8s:app` and `app`) are both
 * kept: the second as a matchExpression `In [value]`, the same requirement.
 */
function normalizeSelector(json: LabelSelectorJson): LabelSelectorJson | string {
  const key = (k: string): string | { problem: string } => {
    const { source, bare } = ciliumKeyParts(k);
    if (source !== 'k8s' && source !== 'any') return { problem: `the label source "${source}" of ${JSON.stringify(k)} selects identities that are not pods` };
    if (bare.startsWith('io.cilium.k8s.policy.')) return { problem: `${JSON.stringify(k)} is a label the model does not know (service account or cluster name)` };
    const filter = ciliumIdentityFilter(bare);
    if (filter !== undefined) {
      return {
        problem: `${JSON.stringify(k)} is not part of a pod's Cilium identity under the default label filter (${filter}; docs.cilium.io "Limiting Identity-Relevant Labels"), `
          + 'and the filter is configured per cluster (the "labels" option), so whether the selector selects any pod depends on the cluster; '
          + 'select by a label of the workload\'s own (e.g. app) instead',
      };
    }
    return bare;
  };
  const matchLabels: Record<string, string> = {};
  const matchExpressions = [];
  for (const [k, v] of Object.entries(json.matchLabels ?? {})) {
    const b = key(k);
    if (typeof b !== 'string') return b.problem;
    if (b in matchLabels) matchExpressions.push({ key: b, operator: 'In', values: [v] });
    else matchLabels[b] = v;
  }
  for (const e of json.matchExpressions ?? []) {
    const b = key(e.key);
    if (typeof b !== 'string') return b.problem;
    matchExpressions.push({ ...e, key: b });
  }
  return {
    ...(Object.keys(matchLabels).length > 0 ? { matchLabels } : {}),
    ...(matchExpressions.length > 0 ? { matchExpressions } : {}),
  };
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
function subjectOf(json: LabelSelectorJson, ns: string | undefined, field: string): CiliumEndpointSelector | string {
  const { [`k8s:${CILIUM_POD_NAMESPACE_KEY}`]: _replaced, ...rest } = json.matchLabels ?? {};
  const matchLabels = ns !== undefined ? rest : json.matchLabels ?? {};
  const kept: LabelSelectorJson = {
    ...(Object.keys(matchLabels).length > 0 ? { matchLabels } : {}),
    ...(json.matchExpressions ? { matchExpressions: json.matchExpressions } : {}),
  };
  const normalized = normalizeSelector(kept);
  if (typeof normalized === 'string') return `${field}: ${normalized}`;
  return { selector: compileSelector(normalized), ...(ns !== undefined ? { namespace: ns } : {}), text: describeSelector(json) };
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
): CiliumEndpointSelector | string {
  const normalized = normalizeSelector(json);
  if (typeof normalized === 'string') return normalized;
  const namespace = ciliumPeerNamespace(json, ns, deny);
  if (ns !== undefined && ciliumPeerScope(json) === CiliumPeerScope.DEPENDS_ON_VERSION) {
    note(`tests namespace labels (${CILIUM_NAMESPACE_LABELS_PREFIX}*) without the namespace label ${CILIUM_POD_NAMESPACE_KEY}, which Cilium releases read two ways: `
      + `before cilium/cilium#30650 (2024) the selector is confined to the policy's namespace ${ns}, since then it selects in every namespace whose labels match. `
      + (deny ? 'This is a deny rule, so the verdicts take the wider reading (every namespace): they may deny more than an older Cilium does. '
        : `This is an allow rule, so the verdicts take the narrower reading (namespace ${ns} only): they may allow less than a newer Cilium does. `)
      + `Say which is meant: add ${CILIUM_POD_NAMESPACE_KEY} to the selector (Exists for every namespace, or the namespace's name), which every release reads the same way`);
  }
  return { selector: compileSelector(normalized), ...(namespace !== undefined ? { namespace } : {}), text: describeSelector(json) };
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

/** A rule Cilium accepts, or why it is left out. */
function ruleOf(
  rule: any, section: CiliumSection, index: number, ns: string | undefined, notes: Array<{ field: string; note: string }>,
): CiliumRule | string {
  const egress = section.startsWith('egress');
  const deny = section.endsWith('Deny');
  const p = egress ? 'to' : 'from';
  for (const [field, what] of [
    // A non-empty `${p}Requires` refuses the input (requirementFields); an empty one has no effect.
    [`${p}Services`, 'Kubernetes services and their backends'], [`${p}Groups`, 'cloud provider groups'],
    [`${p}Nodes`, 'nodes'], ['icmps', 'ICMP'], ['authentication', 'mutual authentication'],
  ] as const) {
    if (rule[field] !== undefined) return `${field}: the model has no ${what}`;
  }
  let peer: CiliumRulePeer | undefined;
  let peerShapes: PeerShape[] | undefined;
  const texts = (list: unknown[]) => list.map((x) => String(x)).join(', ');
  // ingress.go/egress.go (IngressRule, IngressDenyRule, EgressRule, EgressDenyRule): "All members of
  // this structure are optional. If omitted or empty, the member will have no effect on the rule."
  // An empty peer list is no peer at all: the rule is its ports-only form, for every peer.
  const given = (field: string) => Array.isArray(rule[field]) && rule[field].length > 0;
  if (given(`${p}Endpoints`)) {
    const selectors: CiliumEndpointSelector[] = [];
    for (const [k, s] of (rule[`${p}Endpoints`] as LabelSelectorJson[]).entries()) {
      const read = peerSelectorOf(s, ns, deny, (note) => notes.push({ field: `${p}Endpoints[${k}]`, note }));
      if (typeof read === 'string') return `${p}Endpoints[${k}]: ${read}`;
      selectors.push(read);
    }
    peer = { kind: 'endpoints', selectors, text: `endpoints ${selectors.map((s) => s.text).join('; ')}` };
    peerShapes = (rule[`${p}Endpoints`] as LabelSelectorJson[]).map((s) => ciliumPeerShape('Endpoints', s, ns));
  } else if (given(`${p}Entities`)) {
    const entities = rule[`${p}Entities`] as string[];
    const unplaced = entities.find((e) => UNPLACED_ENTITIES[e] !== undefined);
    if (unplaced !== undefined) return `${p}Entities: the entity ${unplaced} stands for ${UNPLACED_ENTITIES[unplaced]}, which the model has no endpoints for`;
    peer = { kind: 'entities', entities: entities as CiliumEntity[], text: `entities ${texts(entities)}` };
    peerShapes = entities.map((e) => ciliumPeerShape('Entities', e, ns));
  } else if (given(`${p}CIDR`) || given(`${p}CIDRSet`)) {
    const sets: any[] = given(`${p}CIDRSet`) ? rule[`${p}CIDRSet`] : (rule[`${p}CIDR`] as string[]).map((cidr) => ({ cidr }));
    if (sets.some((s) => s.cidr === undefined)) return `${p}CIDRSet: a CiliumCIDRGroup (cidrGroupRef, cidrGroupSelector) holds addresses the model does not know`;
    const blocks = sets.map((s) => ({
      cidr: parseCidr(s.cidr, false).cidr!,
      except: (s.except ?? []).map((e: string) => parseCidr(e, false).cidr!),
    }));
    peerShapes = sets.map((s) => cidrShape(s.cidr, s.except ?? []));
    peer = { kind: 'cidrs', blocks, text: `CIDRs ${sets.map((s) => `${s.cidr}${s.except?.length ? ` except ${s.except.join(', ')}` : ''}`).join('; ')}` };
  } else if (egress && given('toFQDNs')) {
    const names: FqdnSelector[] = [];
    for (const s of rule.toFQDNs) {
      const read = fqdnOf(s);
      if (typeof read === 'string') return `toFQDNs: ${read}`;
      names.push(read);
    }
    peer = { kind: 'fqdns', names, text: `FQDNs ${names.map((n) => n.pattern).join(', ')}` };
    peerShapes = (rule.toFQDNs as any[]).map((s) => ciliumPeerShape('FQDNs', s, ns));
  }
  const toPorts: any[] | undefined = rule.toPorts;
  if (peer === undefined && (toPorts === undefined || toPorts.length === 0)) {
    return 'a rule without a peer and without ports: its meaning is not documented';
  }
  const dns: FqdnSelector[] = [];
  const dnsPorts: Array<{ names: FqdnSelector[]; ports: PortEntry[] }> = [];
  let l7 = false;
  const entries: PortEntry[] = [];
  for (const [k, pr] of (toPorts ?? []).entries()) {
    for (const field of ['listener', 'originatingTLS', 'terminatingTLS', 'serverNames']) {
      if (pr[field] !== undefined) return `toPorts[${k}].${field}: TLS interception and listeners are not modelled`;
    }
    if (!Array.isArray(pr.ports) || pr.ports.length === 0) return `toPorts[${k}]: a port rule without ports is not modelled`;
    const own: PortEntry[] = [];
    for (const port of pr.ports) {
      const read = portEntries(port);
      if (typeof read === 'string') return `toPorts[${k}]: ${read}`;
      own.push(...read);
    }
    entries.push(...own);
    const r = pr.rules;
    if (r !== undefined && r !== null && Object.keys(r).some((x) => r[x] !== undefined)) l7 = true;
    const names: FqdnSelector[] = [];
    for (const s of r?.dns ?? []) {
      const read = fqdnOf(s);
      if (typeof read === 'string') return `toPorts[${k}].rules.dns: ${read}`;
      names.push(read);
    }
    dns.push(...names);
    if (names.length > 0) dnsPorts.push({ names, ports: own });
  }
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
  };
}

/**
 * One `toPorts[].ports[]` entry: a number (with `endPort` a range) or a container port name, of
 * its protocol; `ANY` (or none) is every protocol (Layer 4 Policies: "If omitted or empty, any
 * protocol matches"). Port 0 is left out: its meaning is not in the documentation.
 */
function portEntries(port: any): PortEntry[] | string {
  const protocols = port.protocol === undefined || port.protocol === 'ANY' ? PORT_PROTOCOLS : [port.protocol as string];
  // As Cilium reads it (readCiliumPort): a name lowercased, a number with base 0 ("0100" is 64).
  const read = readCiliumPort(String(port.port));
  if (read.problem !== undefined) return `the port cannot be read: ${read.problem}`;
  if (read.number !== undefined) {
    const number = read.number;
    if (number === 0) return 'port 0 (every port) is not modelled; list the ports';
    const end = typeof port.endPort === 'number' && port.endPort > number ? port.endPort : undefined;
    return protocols.map((protocol) => (end !== undefined ? { kind: 'numbered', protocol, port: number, endPort: end } : { kind: 'numbered', protocol, port: number }));
  }
  // Layer 4 Policies: "EndPort is ignored if Port is a named port."
  return protocols.map((protocol) => ({ kind: 'named', protocol, name: read.name! }));
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
