import { ReadResult } from '../../adapters/manifest-reader';
import { HostNetworkMode, ModelPod, Reachability } from '../../analysis/reachability';
import { unknownEndpointMessage } from '../../analysis/unknown-endpoint';
import { classifyObject } from '../../inventory/inventory';
import { NOT_AN_IP, parseEndpointIp } from '../../k8s/cidr';
import { dns1123LabelProblems, dns1123SubdomainProblems, labelValueProblems, qualifiedNameProblems } from '../../k8s/names';
import { flattenLists, isPolicyObject, objectRef, SourcedObject, withModelWorkloads } from '../../k8s/objects';
import { EXTERNAL_VALUE_NAME, externalsOption, oneOf, OptionSpec } from '../args';
import { CliIo, UsageError } from '../cli-io';
import { readInputs } from '../input';
import { StageProgress } from '../stage-progress';

/** The options that add what runs around the policies: shared by matrix, explain and diff. */
export const SURROUNDINGS_OPTIONS: Record<string, OptionSpec> = {
  surroundings: {
    type: 'string',
    multiple: true,
    valueName: 'path',
    description: 'manifests of the Pods, workloads, Namespaces and Nodes around the policies; no policies of any kind',
  },
  pod: {
    type: 'string',
    multiple: true,
    valueName: 'ns/name[:labels][@ip]',
    description: 'a pod the inputs lack, e.g. kube-system/coredns:k8s-app=kube-dns',
  },
};

/** The help paragraph on the surroundings, for each command that takes them. */
export const SURROUNDINGS_HELP = `Pods and namespaces that the inputs lack (the ingress controller, Prometheus, CoreDNS,
operator-managed databases) are added with --surroundings <path>: manifests of their Pods,
workloads and Namespaces, with the labels the policies select them by. An object of the inputs
wins over a surrounding of the same kind and name. For a one-off pod, --pod takes
<namespace>/<name>, then :key=value,... labels and @ip, both optional, e.g.
--pod kube-system/coredns:k8s-app=kube-dns.`;

/** How the CLI adds an endpoint that is not in the inputs: the end of the unknown-endpoint error. */
export const CLI_HOW_TO_ADD = 'pods and namespaces the inputs lack (the ingress controller, Prometheus, CoreDNS) are added with '
  + '--surroundings <path> (manifests of their Pods, workloads, Namespaces and Nodes) or --pod <ns/name[:labels][@ip]>, '
  + 'e.g. --pod kube-system/coredns:k8s-app=kube-dns; an address outside the cluster with --external name=ip (or name=dns.name=ip, several names of one address as name=a.example.com,b.example.com=ip); '
  + 'the API server (endpoint kube-apiserver) with --api-server <ip>, once per API server (several are kube-apiserver:<ip>).';

/** Options shared by the analysing commands. */
export const ANALYSIS_OPTIONS: Record<string, OptionSpec> = {
  'external': { type: 'string', multiple: true, valueName: EXTERNAL_VALUE_NAME, description: 'an address outside the cluster (with its DNS names, for domainNames and toFQDNs)' },
  'api-server': {
    type: 'string',
    multiple: true,
    valueName: 'ip',
    description: 'an API server\'s address: endpoint kube-apiserver (Cilium\'s entity), or kube-apiserver:<ip> for each of several',
  },
  'api-server-outside': { type: 'boolean', description: 'the API server runs outside the cluster (a managed control plane), not on a Node of the input' },
  'pod-cidr': {
    type: 'string',
    multiple: true,
    valueName: 'cidr',
    description: 'a range pod IPs are assigned from (once per range): a pod whose IP is not known lies inside them',
  },
  ...SURROUNDINGS_OPTIONS,
  'max-file-size': { type: 'string', valueName: 'MiB', description: 'largest file to read (default 64)' },
  'host-network': { type: 'string', valueName: 'node|pod', description: 'hostNetwork pods as traffic of their node (default) or as ordinary pods' },
};

/**
 * The `--api-server <ip>` options: the API servers' addresses, once each (`ReachabilityOptions.apiServerIps`;
 * one address is the endpoint `kube-apiserver`, several `kube-apiserver:<ip>`), or a usage error.
 */
export function apiServerOption(values: string[] | undefined, outside?: boolean): { apiServerIps?: string[]; apiServerOutsideCluster?: boolean } {
  if (values === undefined || values.length === 0) {
    // The addresses may come from the input (the Endpoints or EndpointSlices of default/kubernetes):
    // the model refuses --api-server-outside when it has none.
    return outside ? { apiServerOutsideCluster: true } : {};
  }
  for (const value of values) {
    const { problem } = parseEndpointIp(value);
    if (problem === NOT_AN_IP) {
      throw new UsageError(`--api-server ${JSON.stringify(value)}: not an IP address. Give the API server's address, e.g. --api-server 10.0.0.1 `
        + '(kubectl get endpoints kubernetes -n default shows it; --api-server once per address when there are several).');
    }
    if (problem !== undefined) throw new UsageError(`--api-server ${JSON.stringify(value)} ${problem}.`);
  }
  // An address given twice is refused by the model (Cluster), in the options' terms too.
  return { apiServerIps: [...values], ...(outside ? { apiServerOutsideCluster: true } : {}) };
}

/**
 * The `--pod-cidr <cidr>` options (`ReachabilityOptions.podCidrs`). A bad one is refused by the
 * model (Cluster), naming the option, which the commands turn into a usage error.
 */
export function podCidrOption(values: string[] | undefined): { podCidrs?: string[] } {
  return values === undefined || values.length === 0 ? {} : { podCidrs: [...values] };
}

/** The `--host-network` option: how hostNetwork pods are analysed (node traffic unless `pod`). */
export function hostNetworkOption(value: string | undefined): HostNetworkMode {
  return oneOf(value, ['node', 'pod'] as const, 'node', 'host-network') === 'pod' ? HostNetworkMode.POD_TRAFFIC : HostNetworkMode.NODE_TRAFFIC;
}

/** What runs around the policies: objects from `--surroundings` files and pods from `--pod`. */
export interface Surroundings {
  /** The Pods, workloads, Namespaces and Nodes of the `--surroundings` files. */
  readonly objects: SourcedObject[];
  /** The `--pod` pods. */
  readonly pods: ModelPod[];
  /** True when some `--surroundings` file could not be read (the problems are on stderr). */
  readonly unreadable: boolean;
}

/** The kinds surroundings are made of; other kinds (Services, ConfigMaps, ...) are ignored, as in the inputs. */
const SURROUNDING_KINDS = ['Pod', 'Namespace', 'Node', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job', 'CronJob', 'Rollout'];
/** The roles (classifyObject) of the objects surroundings add to the analysis. */
const SURROUNDING_ROLES: readonly string[] = ['pod', 'workload', 'namespace', 'node'];

/**
 * Reads `--surroundings` paths and `--pod` specs. A policy of any kind the analyser reads
 * (`isPolicyObject`: NetworkPolicy, staged, Cilium, AdminNetworkPolicy, ...) in the surroundings is
 * a usage error: surroundings only say what runs around the policies, and a policy there would
 * otherwise be silently left out of (or silently added to) the analysis.
 */
export function readSurroundings(
  paths: string[] | undefined, podSpecs: string[] | undefined, io: CliIo, maxFileSize: string | undefined,
): Surroundings {
  const pods = (podSpecs ?? []).map(podOption);
  if (!paths || paths.length === 0) return { objects: [], pods, unreadable: false };
  const read = readInputs(paths, io, maxFileSize);
  const flat = flattenLists(read.objects);
  const policies = flat.filter((o) => isPolicyObject(o.object));
  if (policies.length > 0) {
    const first = policies[0];
    throw new UsageError(`--surroundings ${first.file ?? '<input>'}${first.line ? `:${first.line}` : ''}: ${first.object.kind} ${first.object.metadata?.namespace ? objectRef(first.object) : String(first.object.metadata?.name ?? '<unnamed>')}`
      + `${policies.length > 1 ? ` (and ${policies.length - 1} more)` : ''}: surroundings describe the pods and namespaces around the policies, not policies. `
      + 'Give the file as an input to analyse its policies, or remove the policy from the surroundings.');
  }
  // What is added: the pods, workloads, namespaces and nodes the analyser reads (others are ignored, as in the inputs).
  if (!read.problems.length && !flat.some((o) => SURROUNDING_ROLES.includes(classifyObject(o.object).role))) {
    io.stderr(`warning: --surroundings ${paths.join(' ')}: no ${SURROUNDING_KINDS.join(', ')} found, so nothing was added\n`);
  }
  return { objects: read.objects, pods, unreadable: read.problems.length > 0 };
}

/** `objects` with the surroundings the objects do not define themselves (same kind, namespace and name). */
export function withSurroundings(objects: readonly SourcedObject[], surroundings: Surroundings): SourcedObject[] {
  return withModelWorkloads(objects, surroundings.objects);
}

/** One `--pod <ns/name[:key=value,...][@ip]>`: a pod with its labels and, for ipBlock rules, its IP. */
export function podOption(spec: string): ModelPod {
  const fail = (what: string): never => {
    throw new UsageError(`--pod ${JSON.stringify(spec)}: ${what}. Write <namespace>/<name>[:key=value,...][@ip], `
      + 'e.g. --pod kube-system/coredns:k8s-app=kube-dns or --pod monitoring/prometheus:app=prometheus@10.0.3.7.');
  };
  const at = spec.lastIndexOf('@');
  const ipText = at >= 0 ? spec.slice(at + 1) : undefined;
  const rest = at >= 0 ? spec.slice(0, at) : spec;
  const colon = rest.indexOf(':');
  const id = colon >= 0 ? rest.slice(0, colon) : rest;
  const labelsText = colon >= 0 ? rest.slice(colon + 1) : '';
  const parts = id.split('/');
  if (parts.length !== 2) fail(`${JSON.stringify(id)} is not <namespace>/<name>`);
  const [namespace, name] = parts;
  const nsProblems = dns1123LabelProblems(namespace);
  if (nsProblems.length > 0) fail(`namespace ${JSON.stringify(namespace)} is not a valid namespace name (${nsProblems.join('; ')})`);
  const nameProblems = dns1123SubdomainProblems(name);
  if (nameProblems.length > 0) fail(`name ${JSON.stringify(name)} is not a valid pod name (${nameProblems.join('; ')})`);
  const labels: Record<string, string> = {};
  for (const pair of labelsText === '' ? [] : labelsText.split(',')) {
    const eq = pair.indexOf('=');
    if (eq < 0) fail(`label ${JSON.stringify(pair)} is not key=value`);
    const key = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    const problems = [...qualifiedNameProblems(key).map((p) => `key: ${p}`), ...labelValueProblems(value).map((p) => `value: ${p}`)];
    if (problems.length > 0) fail(`label ${JSON.stringify(pair)} is not valid (${problems.join('; ')})`);
    if (key in labels) fail(`label key ${JSON.stringify(key)} is given twice`);
    labels[key] = value;
  }
  const ipProblem = ipText !== undefined ? parseEndpointIp(ipText).problem : undefined;
  if (ipProblem !== undefined) fail(`${JSON.stringify(ipText)} after @ ${ipProblem}`);
  return { namespace, name, labels, ...(ipText !== undefined ? { ip: ipText } : {}) };
}

/** The parsed options `analyseInputs` reads. */
export interface AnalysisValues {
  readonly 'external'?: string[];
  readonly 'surroundings'?: string[];
  readonly 'pod'?: string[];
  readonly 'max-file-size'?: string;
  readonly 'host-network'?: string;
  readonly 'api-server'?: string[];
  readonly 'api-server-outside'?: boolean;
  readonly 'pod-cidr'?: string[];
}

/** The analyser over the command's inputs and surroundings; `unreadable` is true when some input could not be read. */
export function analyseInputs(
  paths: string[], io: CliIo, values: AnalysisValues, progress?: StageProgress,
): { reachability: Reachability; unreadable: boolean; input: ReadResult } {
  const mode = hostNetworkOption(values['host-network']);
  const input = readInputs(paths, io, values['max-file-size']);
  const surroundings = readSurroundings(values.surroundings, values.pod, io, values['max-file-size']);
  const ext = externalsOption(values.external);
  const apiServer = apiServerOption(values['api-server'], values['api-server-outside']);
  const podCidrs = podCidrOption(values['pod-cidr']);
  progress?.step(`read ${thousands(input.objects.length)} objects`, 'building the model');
  let reachability: Reachability;
  try {
    reachability = Reachability._fromSourced(withSurroundings(input.objects, surroundings),
      { externals: ext, pods: surroundings.pods, hostNetwork: mode, ...apiServer, ...podCidrs });
  } catch (e) {
    progress?.clear();
    throw new UsageError((e as Error).message);
  }
  if (reachability.skipped.length > 0 || reachability.ignored.length > 0) {
    // The findings go to stderr too: the progress line is erased first, then shown again.
    progress?.clear();
    reportInventory(reachability.skipped, reachability.ignored, io);
  }
  reportModelNotes(reachability, io, progress);
  progress?.step(`model of ${thousands(reachability.endpoints.length)} endpoints`, 'analysing');
  return { reachability, unreadable: input.problems.length > 0 || surroundings.unreadable, input };
}

/**
 * What the model took from the input that a reader should know, on stderr: where the API server's
 * address came from, pods outside the given pod CIDRs, namespace labels guessed for lack of
 * Namespace objects. Every command that builds a model from the analysis options says them.
 */
export function reportModelNotes(reachability: Reachability, io: CliIo, progress?: StageProgress): void {
  const notes: string[] = [];
  const apiSource = reachability._cluster.apiServerSource;
  if (apiSource !== undefined) notes.push(`note: ${apiSource}`);
  const outside = reachability._podsOutsidePodCidrsNote();
  if (outside) notes.push(`note: ${outside}`);
  const guessed = reachability._guessedNamespacesWarning();
  if (guessed) notes.push(`warning: ${guessed}`);
  if (notes.length === 0) return;
  progress?.clear();
  for (const note of notes) io.stderr(`${note}\n`);
}

/** `1234567` as `1,234,567` (the same in every locale). */
function thousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** `id` if the model has that endpoint; otherwise a usage error that lists the known ones and says how to add one. */
export function requireEndpoint(reachability: Reachability, id: string): string {
  const known = reachability.endpoints;
  if (!known.includes(id)) throw new UsageError(unknownEndpointMessage(id, known, CLI_HOW_TO_ADD));
  return id;
}

/**
 * Prints, to stderr, each object left out (`file:line: Kind ns/name: left out: reason`) and one line
 * counting the objects of kinds that do not affect verdicts. `prefix` labels the side (`before: `).
 */
export function reportInventory(
  skipped: ReadonlyArray<{ object: string; reason: string; kind?: string; file?: string; line?: number }>,
  ignored: ReadonlyArray<{ kind: string; count: number }>, io: CliIo, prefix = '',
): void {
  for (const s of skipped) {
    const where = s.file !== undefined ? `${s.file}${s.line !== undefined ? `:${s.line}` : ''}: ` : '';
    io.stderr(`${prefix}${where}${s.kind ? `${s.kind} ` : ''}${s.object}: left out: ${s.reason}\n`);
  }
  const total = ignored.reduce((n, k) => n + k.count, 0);
  if (total > 0) {
    io.stderr(`${prefix}ignored ${total} object${total === 1 ? ' of a kind that does' : 's of kinds that do'} not affect NetworkPolicy verdicts: `
      + `${ignored.map((k) => `${k.kind} x${k.count}`).join(', ')}\n`);
  }
}
