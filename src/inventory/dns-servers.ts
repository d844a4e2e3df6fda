import { Cluster, ClusterEndpoint, ClusterPort } from './cluster';

/** The namespace of the cluster DNS add-on. */
export const CLUSTER_DNS_NAMESPACE = 'kube-system';

/** The label the cluster DNS add-on's pods carry, CoreDNS and kube-dns alike. */
export const CLUSTER_DNS_LABEL: { readonly key: string; readonly value: string } = { key: 'k8s-app', value: 'kube-dns' };

/** The port DNS servers listen on (RFC 1035 4.2.1: UDP port 53). */
const DNS_SERVER_PORT = 53;

/**
 * Whether an end is a DNS server of the input, the one place that says so: an end inside the
 * cluster (a pod, a workload's pods, a model pod, a declared service, hostNetwork pods included)
 * that
 * - declares a container port 53 on UDP, whatever its name (CoreDNS's `dns`, the IANA `domain`, a
 *   NodeLocal DNSCache or a custom resolver's own name): RFC 1035 4.2.1 puts DNS on UDP port 53, and
 *   resolvers ask over UDP first; or
 * - is the well-known cluster DNS: a pod in `kube-system` labelled `k8s-app: kube-dns`, whatever
 *   ports it declares (a model pod given by labels declares none). The cluster DNS add-on labels
 *   its pods so, CoreDNS and kube-dns alike: kubernetes.io "Debugging DNS Resolution" finds the DNS
 *   pods of both with `kubectl get pods --namespace=kube-system -l k8s-app=kube-dns`, and notes
 *   that the Service is named `kube-dns` for both; the add-on's manifest
 *   (kubernetes/kubernetes cluster/addons/dns/coredns/coredns.yaml.base) labels the CoreDNS
 *   Deployment's pod template `k8s-app: kube-dns` and the Service `kube-dns` selects them by it.
 *
 * Node ends, the API server and ends outside the cluster are never DNS servers here (an upstream
 * resolver outside the cluster is not a part of the input).
 */
export function isDnsServer(e: ClusterEndpoint): boolean {
  if (e.external || e.apiServer === true) return false;
  if (e.ports.some((p) => p.number === DNS_SERVER_PORT && p.protocol === 'UDP')) return true;
  return isClusterDns(e);
}

/**
 * The DNS servers of the input (`isDnsServer`), in the order of the model's endpoints. Asked of a
 * view (`Cluster.withEndpoints`), the view's own endpoints: a class matrix asks its representatives,
 * which the classes keep apart by `isDnsServer` (equivalence.ts `classKey`).
 */
export function dnsServers(cluster: Cluster): ClusterEndpoint[] {
  return cluster.endpoints.filter(isDnsServer);
}

/**
 * Whether `e` is `source` itself, in the model both come from (by index and id: a view's endpoints
 * are copies of its model's).
 */
function isSelf(e: ClusterEndpoint, source: ClusterEndpoint | undefined): boolean {
  return source !== undefined && e.index === source.index && e.id === source.id;
}

/**
 * The DNS servers of the input that `source`'s lookups may go to: `dnsServers` without `source`
 * itself. A pod resolves names through the resolver of its resolv.conf, which for the default
 * dnsPolicy ClusterFirst is the cluster DNS Service (kubernetes.io "DNS for Services and Pods",
 * Pod's DNS Policy: "Default" is not the default, ClusterFirst is), not the pod, whatever ports it
 * declares; and the cluster DNS's own pods run with dnsPolicy Default (the add-on's coredns.yaml.base),
 * resolving through their node's resolver, outside the input. So a pod that declares 53/UDP is a
 * DNS server for the others, never its own (its replicas neither, fail closed: that only takes
 * lookup paths away). The class key keeps each DNS server in a class of its own
 * (equivalence.ts `classKey`), so a class matrix leaves out the same server as the pair verdicts.
 * `source` undefined: pods the input does not declare (a lint's policy without known pods), which
 * are none of its ends: every DNS server.
 */
export function lookupServers(cluster: Cluster, source: ClusterEndpoint | undefined): ClusterEndpoint[] {
  return cluster.endpoints.filter((e) => isDnsServer(e) && !isSelf(e, source));
}

/**
 * The ends of the model that may be the DNS server of `source`'s lookups when the input holds no
 * DNS server `source` may ask (`lookupServers` is empty): every end inside the cluster but
 * `source`, when `source` is a DNS server itself (see `lookupServers`); every end otherwise.
 */
export function lookupCandidates(cluster: Cluster, source: ClusterEndpoint): ClusterEndpoint[] {
  return isDnsServer(source) ? cluster.endpoints.filter((e) => !isSelf(e, source)) : cluster.endpoints;
}

/**
 * Whether `e` is a pod of the cluster DNS add-on (`isDnsServer`'s well-known case): in `kube-system`,
 * labelled `k8s-app: kube-dns`.
 */
export function isClusterDns(e: ClusterEndpoint): boolean {
  return !e.external && e.apiServer !== true && e.namespace === CLUSTER_DNS_NAMESPACE && e.labels[CLUSTER_DNS_LABEL.key] === CLUSTER_DNS_LABEL.value;
}

/** The id the cluster DNS goes by where the input does not hold it (`absentClusterDns`): no pod has `=` in its name. */
export const ABSENT_CLUSTER_DNS_ID = `${CLUSTER_DNS_NAMESPACE}/${CLUSTER_DNS_LABEL.key}=${CLUSTER_DNS_LABEL.value}`;

/**
 * The cluster DNS as the analysis takes it where the input does not hold it: the pods of the add-on,
 * in `kube-system`, labelled `k8s-app: kube-dns` and nothing else, declaring `dns` 53/UDP and
 * `dns-tcp` 53/TCP (kubernetes/kubernetes cluster/addons/dns/coredns/coredns.yaml.base), with no
 * address, node or service account known. Not an end of any model: it never joins
 * `Cluster.endpoints`, so no matrix, class or listing holds it; its index (-1) is no model's.
 * Only the DNS path asks about it (`absentClusterDns`).
 */
const ABSENT_CLUSTER_DNS_PORTS: ClusterPort[] = [
  { number: DNS_SERVER_PORT, name: 'dns', protocol: 'UDP' },
  { number: DNS_SERVER_PORT, name: 'dns-tcp', protocol: 'TCP' },
];
const ABSENT_CLUSTER_DNS: ClusterEndpoint = Object.freeze({
  kind: 'Pod',
  namespace: CLUSTER_DNS_NAMESPACE,
  id: ABSENT_CLUSTER_DNS_ID,
  labels: { [CLUSTER_DNS_LABEL.key]: CLUSTER_DNS_LABEL.value },
  ports: ABSENT_CLUSTER_DNS_PORTS,
  ips: [],
  external: false,
  dnsNames: [],
  singleInstance: false,
  origin: { option: 'the cluster DNS, not in the input' },
  hostNetwork: false,
  nodeTraffic: false,
  index: -1,
});

/**
 * The cluster DNS where the input does not hold it, as a DNS server `source`'s lookups may go to
 * (`ABSENT_CLUSTER_DNS`): when no end of the input but `source` is a pod of it (`isClusterDns`).
 * A pod's lookups go to the cluster DNS for the default dnsPolicy ClusterFirst, whether the input
 * holds its pods or not; the analysis asks whether the input's policies isolate it
 * (cilium-semantics `dnsVisibility`). Undefined when the input holds it. `source` undefined: pods
 * the input does not declare (see `lookupServers`).
 */
export function absentClusterDns(cluster: Cluster, source: ClusterEndpoint | undefined): ClusterEndpoint | undefined {
  return cluster.endpoints.some((e) => isClusterDns(e) && !isSelf(e, source)) ? undefined : ABSENT_CLUSTER_DNS;
}

/** A DNS server the every-server rule counts (`everyLookupServer`), and whether the lookups get through to it. */
export interface ServerReach {
  readonly server: ClusterEndpoint;
  /** True, false, or undefined (unknown: some reading of the input reaches it, some not). */
  readonly reached: boolean | undefined;
}

/** How a reader decides a source's lookups for the every-server rule (`everyLookupServer`). */
export interface LookupReach {
  /** Whether the lookups (53/UDP) get through to `server`, both sides: the source's egress, the server's ingress. */
  reached(server: ClusterEndpoint): boolean | undefined;
  /**
   * Where the source may ask no DNS server of the input: whether its rules get the lookups through
   * to the DNS server they are written for, which the input does not hold (the input does not say
   * which resolver the pod uses).
   */
  unnamed(): boolean | undefined;
  /**
   * Whether the input polices the ingress of the cluster DNS it does not hold (`absentClusterDns`):
   * isolates it, or may drop a lookup from the source there. Asked only when `reached` is not true.
   */
  policed(server: ClusterEndpoint): boolean | undefined;
}

/** What the every-server rule gives (`everyLookupServer`). */
export interface EveryServer {
  /** True where every DNS server counted is reached, false where none is, else undefined (some are, some not, or unknown). */
  readonly reading: boolean | undefined;
  /** The input's DNS servers the source may ask (`lookupServers`), in the order of the model's endpoints. */
  readonly servers: readonly ServerReach[];
  /** Where the source may ask none of the input's DNS servers: `LookupReach.unnamed`. */
  readonly unnamed?: { readonly reached: boolean | undefined };
  /**
   * The cluster DNS the input does not hold (`absentClusterDns`), counted: the input polices its
   * ingress (or may), and the lookups are not known to get through to it. Where whether the input
   * polices it is not known, `reading` takes both readings (counted, and not).
   */
  readonly absent?: ServerReach;
}

/**
 * The every-server rule, the one place that says it: a pod's names resolve only when EVERY DNS
 * server its lookups may go to answers them, as the analysis reads Cilium's DNS proxy
 * (cilium-semantics `decideDns`) and NP002 reads a pod's DNS (validation/cross-object-lints). A pod's
 * lookups may go to any DNS server of the input it may ask (`lookupServers`: the cluster DNS Service
 * spreads them over its replicas, NodeLocal DNSCache intercepts them, a custom resolver may be the one
 * resolv.conf names; the model does not read resolv.conf or dnsPolicy). Where it may ask none, its
 * rules may name the resolver it uses, outside the input (`LookupReach.unnamed`). And where the input
 * does not hold the cluster DNS (`absentClusterDns`) but polices its ingress (a NetworkPolicy or a
 * Cilium policy of `kube-system` pods `k8s-app: kube-dns`, an Admin or Baseline rule), the lookups
 * may go there (dnsPolicy ClusterFirst, the default) and be dropped: it counts too, unless they get
 * through to it. Where nothing polices it, it does not count, as the rules may name the resolver the
 * pod uses. Each of them reached: true; none: false; some reached and some not, or unknown: undefined.
 * `source` undefined: pods the input does not declare.
 */
export function everyLookupServer(cluster: Cluster, source: ClusterEndpoint | undefined, reach: LookupReach): EveryServer {
  const servers = lookupServers(cluster, source).map((server) => ({ server, reached: reach.reached(server) }));
  const readings = servers.map((s) => s.reached);
  let unnamed: { reached: boolean | undefined } | undefined;
  if (servers.length === 0) {
    unnamed = { reached: reach.unnamed() };
    readings.push(unnamed.reached);
  }
  let absent: ServerReach | undefined;
  let reading = everyReading(readings);
  const standIn = absentClusterDns(cluster, source);
  if (standIn !== undefined) {
    const reached = reach.reached(standIn);
    const policed = reached === true ? false : reach.policed(standIn);
    if (policed !== false) {
      absent = { server: standIn, reached };
      // Policed, or not known to be: counted. Where it is unknown, the reading without it agrees
      // (every reading counted equal means those without it are equal too; else undefined either way).
      reading = everyReading([...readings, reached]);
    }
  }
  return { reading, servers, ...(unnamed !== undefined ? { unnamed } : {}), ...(absent !== undefined ? { absent } : {}) };
}

/** Each reached: true; none: false; else undefined. */
function everyReading(readings: ReadonlyArray<boolean | undefined>): boolean | undefined {
  return readings.every((r) => r === true) ? true : readings.every((r) => r === false) ? false : undefined;
}
