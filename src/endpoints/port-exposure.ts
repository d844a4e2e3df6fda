import { ContainerPort, DEFAULT_PROTOCOL, entryMatches } from '../k8s/port-set';
import { EndpointPort } from '../model/endpoint-port';
import { Port } from '../model/port';

/**
 * Why `port` cannot reach any of the `exposed` container ports (undefined when it can): whether it
 * can is decided by the port-set semantics (`k8s/port-set`: ranges inclusive, named ports by name
 * and protocol). Only ports that name something specific are checked: "all ports of a protocol"
 * and "all traffic" are not.
 */
export function unexposedPortProblem(port: Port, exposed: EndpointPort[]): string | undefined {
  const entry = port._entry;
  if (entry.kind === 'allTraffic' || entry.kind === 'allPorts') return undefined;
  const ports = containerPorts(exposed);
  if (ports.some((p) => entryMatches(entry, { port: p.number, protocol: p.protocol }, ports))) return undefined;
  if (entry.kind === 'named') {
    const other = ports.find((p) => p.name === entry.name);
    return other
      ? `its container port "${entry.name}" is ${other.protocol}, not ${entry.protocol}`
      : `it has no container port named "${entry.name}"`;
  }
  return `it exposes no ${entry.protocol} port ${entry.endPort === undefined ? entry.port : `in ${entry.port}-${entry.endPort}`}`;
}

/** Readable list of exposed ports, e.g. `8080/TCP (http), 9090/TCP (metrics)`. */
export function describeExposedPorts(exposed: EndpointPort[]): string {
  if (exposed.length === 0) return 'no container ports';
  return containerPorts(exposed).map((p) => `${p.number}/${p.protocol}${p.name ? ` (${p.name})` : ''}`).join(', ');
}

/** The declared ports with the protocol defaulted as the API server does (TCP). */
function containerPorts(exposed: EndpointPort[]): ContainerPort[] {
  return exposed.map((p) => ({ number: p.number, name: p.name, protocol: p.protocol ?? DEFAULT_PROTOCOL }));
}
