import { EndpointPort } from '../model/endpoint-port';
import { Port } from '../model/port';
import { Protocol } from '../model/protocol';

/**
 * Why `port` cannot reach any of the `exposed` container ports (undefined when it can). Only ports
 * that name something specific are checked: "all ports of a protocol" and "all traffic" are not.
 */
export function unexposedPortProblem(port: Port, exposed: EndpointPort[]): string | undefined {
  if (port.isAllTraffic || port.isAllPortsOfProtocol) return undefined;
  const ofProtocol = exposed.filter((p) => (p.protocol ?? Protocol.TCP) === port.protocol);
  if (port.portName !== undefined) {
    if (ofProtocol.some((p) => p.name === port.portName)) return undefined;
    const other = exposed.find((p) => p.name === port.portName);
    return other
      ? `its container port "${port.portName}" is ${other.protocol ?? Protocol.TCP}, not ${port.protocol}`
      : `it has no container port named "${port.portName}"`;
  }
  const from = port.portNumber!;
  const to = port.endPort ?? from;
  if (ofProtocol.some((p) => p.number >= from && p.number <= to)) return undefined;
  return `it exposes no ${port.protocol} port ${to === from ? from : `in ${from}-${to}`}`;
}

/** Readable list of exposed ports, e.g. `8080/TCP (http), 9090/TCP (metrics)`. */
export function describeExposedPorts(exposed: EndpointPort[]): string {
  if (exposed.length === 0) return 'no container ports';
  return exposed.map((p) => `${p.number}/${p.protocol ?? Protocol.TCP}${p.name ? ` (${p.name})` : ''}`).join(', ');
}
