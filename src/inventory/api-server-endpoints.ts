/**
 * Where the Kubernetes API servers are, as the input states it: the endpoints of the `kubernetes`
 * Service in `default`, which the API servers keep up to date with their own addresses
 * (kubernetes.io "Accessing the Kubernetes API from a Pod": the API server is reachable through the
 * `kubernetes` Service in the `default` namespace; "EndpointSlices": a slice belongs to the Service
 * named by its label `kubernetes.io/service-name`). Read from a `v1` Endpoints `default/kubernetes`
 * (`subsets[].addresses[].ip`, with `subsets[].ports[]`) and from `discovery.k8s.io/v1`
 * EndpointSlices in `default` labelled `kubernetes.io/service-name: kubernetes`
 * (`endpoints[].addresses[]`, `ports[]`). Every other Endpoints or EndpointSlice object is a kind
 * that does not affect verdicts, as before.
 */
import { apiGroup } from './inventory';

/** The API servers' addresses the input states, and where it states them. */
export interface StatedApiServers {
  /** The addresses, each once, in the order of the input. */
  readonly ips: readonly string[];
  /** The ports of the endpoints (`6443/TCP`), each once: for the notes. */
  readonly ports: readonly string[];
  /** `default/kubernetes Endpoints`, `default/kubernetes EndpointSlice`, or both (`... and ...`). */
  readonly source: string;
  /** The objects read (to count them as used, not ignored). */
  readonly objects: ReadonlySet<object>;
}

const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

/** Whether an object states the API servers' addresses: the Endpoints or an EndpointSlice of `default/kubernetes`. */
export function isApiServerEndpoints(object: Record<string, any>): boolean {
  const metadata = object?.metadata;
  if (typeof metadata !== 'object' || metadata === null) return false;
  const namespace = metadata.namespace === undefined || metadata.namespace === null || metadata.namespace === '' ? 'default' : metadata.namespace;
  if (namespace !== 'default') return false;
  if (object.kind === 'Endpoints' && apiGroup(object.apiVersion) === '') return metadata.name === 'kubernetes';
  return object.kind === 'EndpointSlice' && object.apiVersion === 'discovery.k8s.io/v1' && metadata.labels?.[SERVICE_NAME_LABEL] === 'kubernetes';
}

/**
 * The API servers' addresses the input states (see the module comment), or undefined when it states
 * none. Throws when the Endpoints and the EndpointSlices disagree: which of them is right is not
 * known from the input, and it is never guessed.
 */
export function statedApiServers(objects: ReadonlyArray<Record<string, any>>): StatedApiServers | undefined {
  const fromEndpoints: string[] = [];
  const fromSlices: string[] = [];
  const ports: string[] = [];
  const used = new Set<object>();
  let endpoints = false;
  let slices = false;
  const add = (into: string[], ip: unknown) => {
    if (typeof ip === 'string' && ip.trim() !== '' && !into.includes(ip.trim())) into.push(ip.trim());
  };
  const addPort = (p: any) => {
    if (typeof p?.port !== 'number') return;
    const text = `${p.port}/${typeof p.protocol === 'string' ? p.protocol : 'TCP'}`;
    if (!ports.includes(text)) ports.push(text);
  };
  for (const object of objects) {
    if (!isApiServerEndpoints(object)) continue;
    used.add(object);
    if (object.kind === 'Endpoints') {
      endpoints = true;
      for (const subset of Array.isArray(object.subsets) ? object.subsets : []) {
        for (const a of Array.isArray(subset?.addresses) ? subset.addresses : []) add(fromEndpoints, a?.ip);
        for (const p of Array.isArray(subset?.ports) ? subset.ports : []) addPort(p);
      }
    } else {
      slices = true;
      for (const e of Array.isArray(object.endpoints) ? object.endpoints : []) {
        for (const ip of Array.isArray(e?.addresses) ? e.addresses : []) add(fromSlices, ip);
      }
      for (const p of Array.isArray(object.ports) ? object.ports : []) addPort(p);
    }
  }
  if (!endpoints && !slices) return undefined;
  const same = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));
  if (endpoints && slices && !same(fromEndpoints, fromSlices)) {
    throw new Error(`the input states the API servers' addresses twice, and they disagree: the Endpoints default/kubernetes has ${list(fromEndpoints)}, `
      + `the EndpointSlices of default/kubernetes (label ${SERVICE_NAME_LABEL}: kubernetes) have ${list(fromSlices)}. `
      + 'Take both from the same moment (kubectl get endpoints,endpointslices -n default -o yaml), or give the addresses with --api-server '
      + '(ReachabilityOptions.apiServerIps) and leave these objects out.');
  }
  const ips = endpoints ? fromEndpoints : fromSlices;
  if (ips.length === 0) {
    throw new Error(`the input has the ${endpoints ? 'Endpoints' : 'EndpointSlices'} of default/kubernetes, but with no address, so where the API servers are `
      + 'is not known from it. Take it from a running cluster (kubectl get endpoints kubernetes -n default -o yaml), or give the addresses with --api-server '
      + '(ReachabilityOptions.apiServerIps) and leave it out.');
  }
  const source = [endpoints ? 'default/kubernetes Endpoints' : undefined, slices ? 'default/kubernetes EndpointSlice' : undefined]
    .filter((x) => x !== undefined).join(' and ');
  return { ips, ports, source, objects: used };
}

function list(ips: readonly string[]): string {
  return ips.length === 0 ? 'no address' : ips.join(', ');
}
