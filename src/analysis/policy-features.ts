import {
  CILIUM_NAMESPACE_LABELS_PREFIX, CILIUM_POD_NAMESPACE_KEY, CILIUM_SERVICE_ACCOUNT_KEY, CiliumEndpointSelector, CiliumPolicy,
} from '../inventory/cilium-policy';
import { Cluster, PolicyRule, RulePeer, TieredPolicy, TierPeer } from '../inventory/cluster';
import { ParsedCidr } from '../k8s/cidr';
import { CompiledSelector } from '../k8s/label-selector';

/**
 * What the policies of a cluster look at in an endpoint: everything a verdict can depend on. Two
 * endpoints that agree on all of it are told apart by no policy, so they form one equivalence class
 * (`equivalenceClasses`) and one representative pair decides every pair of their classes.
 *
 * The contract: `policyFeatures` is the ONE place that says what the policies look at. A new kind of
 * policy (another vendor's policy, a new tier) must add what it looks at here: its subject and
 * peer selectors (pod and namespace labels), the names of namespaces it selects by name, the named
 * ports of its rules, the CIDRs it tests IPs against and the DNS names it matches. Otherwise the
 * classes would merge endpoints it tells apart. A feature of another sort (as the service account,
 * `serviceAccounts`) needs a field here and its part in the class key (`equivalence.ts` `classKey`).
 */
export interface PolicyFeatures {
  /**
   * Namespaces that policies look at by name: those holding a policy (its pod selector, and its peers
   * without a namespaceSelector, match pods of that namespace only). Endpoints of any other namespace
   * are told apart only by the namespace labels below.
   */
  readonly namespaces: ReadonlySet<string>;
  /** Namespace label keys any namespaceSelector tests, each with the values it compares them to. */
  readonly namespaceLabels: ReadonlyMap<string, ReadonlySet<string>>;
  /** Pod label keys any pod selector (of a policy or a peer) tests, each with the values it compares them to. */
  readonly podLabels: ReadonlyMap<string, ReadonlySet<string>>;
  /**
   * The service accounts a Cilium selector compares a pod's to (`io.cilium.k8s.policy.serviceaccount`,
   * which `ciliumLabels` carry for a pod on the pod network); undefined when no selector tests it.
   * Pods are then told apart by their service account as far as the selectors look, and a pod whose
   * service account is not known from every other.
   */
  readonly serviceAccounts?: ReadonlySet<string>;
  /** Named container ports a rule (or a query) names, as name and protocol: their numbers on a destination matter. */
  readonly namedPorts: ReadonlyArray<{ readonly name: string; readonly protocol: string }>;
  /** The ipBlocks (CIDR with its exceptions) of any rule: membership of an endpoint's IPs in each matters. */
  readonly ipBlocks: ReadonlyArray<{ readonly cidr: ParsedCidr; readonly except: ParsedCidr[] }>;
  /** DNS name patterns (`domainNames` of cluster-wide egress rules): which ones an external endpoint's names match matters. */
  readonly domainNames: ReadonlyArray<string>;
  /**
   * Whether an external endpoint's DNS names matter as a whole: Cilium `toFQDNs` and `rules.dns`
   * match names with their own patterns and make a name visible per source, so externals with DNS
   * names are told apart by their names (each set of names is a class of its own).
   */
  readonly dnsNamesApart: boolean;
  /**
   * Whether being a DNS server of the input matters (`isDnsServer`, inventory/dns-servers): a Cilium
   * rule has `rules.dns`, and whether the DNS proxy sees a pod's lookups depends on which ends are
   * the input's DNS servers (`dnsVisibility`), so a DNS server and an end that is not one are told apart.
   */
  readonly dnsServersApart: boolean;
  /**
   * Whether the nodes matter: a Cilium rule names `host` or `remote-node` (the subject's own node
   * or the others) or `kube-apiserver` (every end of the API server's node), so endpoints are told
   * apart by their node and by whether they have the API server's identity. Also whenever node
   * ends are placed on nodes: a pod's own node always reaches it, so pods are told apart by node.
   */
  readonly nodesApart: boolean;
  /**
   * Whether an end inside the cluster whose IP is not known differs from one whose IP is known: a
   * cluster-wide `networks` peer that does not hold every address may or may not match it
   * (`tierPeerUndecided`), which the precedence decides fail closed, unlike an IP outside every network.
   */
  readonly unknownIpsApart: boolean;
}

/**
 * The NetworkPolicy selectors and peers already looked at. Passed to `policyFeatures` of two
 * snapshots, whose features are then merged (`mergeFeatures`), the second leaves out what the first
 * took in already (the snapshots of a diff share them, `ClusterOptions.basis`): only the union is exact.
 */
export interface FeaturesSeen {
  readonly selectors: Set<CompiledSelector>;
  readonly peers: Set<RulePeer>;
}

/** Nothing looked at yet. */
export function newFeaturesSeen(): FeaturesSeen {
  return { selectors: new Set(), peers: new Set() };
}

/**
 * What the enforcing policies of `cluster` look at (see `PolicyFeatures`), leaving out the selectors
 * and peers of `seen` (and adding its own to it): its NetworkPolicies, its
 * cluster-wide tiers (AdminNetworkPolicy, BaselineAdminNetworkPolicy, ClusterNetworkPolicy) and its
 * Cilium policies (CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy),
 * plus the named ports of `queries` (a matrix for `http/TCP` resolves `http` on every destination).
 * Besides these, the classes always tell apart endpoints outside the cluster, node traffic,
 * hostNetwork pods and the API server's endpoint.
 */
export function policyFeatures(
  cluster: Cluster, queries: ReadonlyArray<{ readonly name?: string; readonly protocol: string }> = [], seen: FeaturesSeen = newFeaturesSeen(),
): PolicyFeatures {
  const namespaces = new Set<string>();
  const namespaceLabels = new Map<string, Set<string>>();
  const podLabels = new Map<string, Set<string>>();
  const named = new Map<string, { name: string; protocol: string }>();
  const blocks = new Map<string, { cidr: ParsedCidr; except: ParsedCidr[] }>();
  const lookKey = (into: Map<string, Set<string>>, key: string, values: readonly string[]) => {
    let set = into.get(key);
    if (!set) into.set(key, (set = new Set()));
    for (const v of values) set.add(v);
  };
  const look = (into: Map<string, Set<string>>, selector: CompiledSelector | undefined) => {
    for (const { key, values } of selector?.looksAt ?? []) lookKey(into, key, values);
  };
  const peer = (p: RulePeer) => {
    if (p.kind === 'ipBlock') {
      blocks.set(p.text, { cidr: p.cidr, except: p.except });
    } else {
      look(namespaceLabels, p.namespaceSelector);
      look(podLabels, p.podSelector);
    }
  };
  const namedPorts = (ports: PolicyRule['ports']) => {
    for (const entry of ports) if (entry.kind === 'named') named.set(JSON.stringify([entry.name, entry.protocol]), { name: entry.name, protocol: entry.protocol });
  };
  const domains = new Set<string>();
  let unknownIpsApart = false;
  const tierPeer = (p: TierPeer) => {
    switch (p.kind) {
      case 'namespaces': look(namespaceLabels, p.namespaceSelector); break;
      case 'pods': look(namespaceLabels, p.namespaceSelector); look(podLabels, p.podSelector); break;
      // Membership of any IP in each network, as an ipBlock without exceptions.
      case 'networks':
        if (!p.everywhere) unknownIpsApart = true;
        for (const cidr of p.cidrs) blocks.set(`network ${JSON.stringify({ ...cidr, network: cidr.network.toString() })}`, { cidr, except: [] }); break;
      case 'domainNames': for (const n of p.names) domains.add(n); break;
      case 'nodes': break; // only node traffic, always a class of its own
    }
  };
  const tiered = (policy: TieredPolicy) => {
    look(namespaceLabels, policy.subjectNamespaces);
    look(podLabels, policy.subjectPods);
    for (const rule of [...policy.ingress, ...policy.egress]) {
      for (const p of rule.peers) tierPeer(p);
      namedPorts(rule.ports);
    }
  };
  // Selectors and peers are shared by many policies (one object per text): each is looked at once.
  const seenSelectors = seen.selectors;
  const seenPeers = seen.peers;
  const rules = (list: PolicyRule[] | undefined) => {
    for (const rule of list ?? []) {
      for (const p of rule.peers ?? []) {
        if (seenPeers.has(p)) continue;
        seenPeers.add(p);
        peer(p);
      }
      namedPorts(rule.ports);
    }
  };
  for (const policy of cluster.policies) {
    namespaces.add(policy.namespace);
    if (!seenSelectors.has(policy.podSelector)) {
      seenSelectors.add(policy.podSelector);
      look(podLabels, policy.podSelector);
    }
    rules(policy.ingress);
    rules(policy.egress);
  }
  for (const policy of cluster.tieredPolicies) tiered(policy);
  // Cilium selectors look at a pod's Cilium labels (`ciliumLabels`): its own labels, its namespace's
  // name under one key and its namespace's labels under a prefix; each goes where the classes look.
  let serviceAccounts: Set<string> | undefined;
  const ciliumSelector = (s: CiliumEndpointSelector) => {
    if (s.namespace !== undefined) namespaces.add(s.namespace);
    for (const { key, values } of s.selector.looksAt) {
      if (key === CILIUM_POD_NAMESPACE_KEY) {
        for (const v of values) namespaces.add(v);
      } else if (key === CILIUM_SERVICE_ACCOUNT_KEY) {
        // Not a label of the pod's own (ciliumLabels set it from the service account, never from one).
        serviceAccounts ??= new Set();
        for (const v of values) serviceAccounts.add(v);
      } else if (key.startsWith(CILIUM_NAMESPACE_LABELS_PREFIX)) {
        // The namespace's label under the prefix, or (when the namespace has none) a pod's own label
        // of that name: ciliumLabels merges both into one label set, so the classes look at both.
        lookKey(namespaceLabels, key.slice(CILIUM_NAMESPACE_LABELS_PREFIX.length), values);
        lookKey(podLabels, key, values);
      } else {
        lookKey(podLabels, key, values);
      }
    }
  };
  let dnsNamesApart = false;
  let dnsServersApart = false;
  let nodesApart = false;
  const cilium = (policy: CiliumPolicy) => {
    if (policy.namespace !== undefined) namespaces.add(policy.namespace);
    ciliumSelector(policy.subject);
    for (const rule of [...policy.ingress, ...policy.egress]) {
      namedPorts(rule.ports);
      if (rule.dns.length > 0) dnsNamesApart = dnsServersApart = true;
      const p = rule.peer;
      if (p?.kind === 'endpoints') {p.selectors.forEach(ciliumSelector);} else if (p?.kind === 'cidrs') {
        for (const b of p.blocks) blocks.set(`cilium ${JSON.stringify([b.cidr, ...b.except].map((c) => ({ ...c, network: c.network.toString() })))}`, b);
      } else if (p?.kind === 'fqdns') {dnsNamesApart = true;} else if (p?.kind === 'entities') {
        // all, world, cluster and none tell apart what the classes always do (pods, node traffic,
        // endpoints outside the cluster, the API server); the others look at nodes.
        if (p.entities.some((e) => e === 'host' || e === 'remote-node' || e === 'kube-apiserver')) nodesApart = true;
      }
    }
  };
  for (const policy of cluster.ciliumPolicies) cilium(policy);
  // A pod's own node always reaches it (`fromOwnNode`): where node ends are placed on nodes, pods on
  // different nodes differ to them.
  if (cluster.endpoints.some((e) => e.nodeTraffic && e.node !== undefined)) nodesApart = true;
  for (const q of queries) if (q.name !== undefined) named.set(JSON.stringify([q.name, q.protocol]), { name: q.name, protocol: q.protocol });
  const sortedKeys = <T>(m: Map<string, T>) => [...m.keys()].sort().map((k) => m.get(k)!);
  return {
    namespaces,
    namespaceLabels,
    podLabels,
    ...(serviceAccounts !== undefined ? { serviceAccounts } : {}),
    namedPorts: sortedKeys(named),
    ipBlocks: sortedKeys(blocks),
    domainNames: [...domains].sort(),
    dnsNamesApart,
    dnsServersApart,
    nodesApart,
    unknownIpsApart,
  };
}
