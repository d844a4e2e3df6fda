import { BUILD_ENDPOINT, Endpoint } from './endpoint';
import { describeValue } from '../model/brand';
import { CiliumEntity, Entity } from '../model/cilium';
import { ExternalDestination } from '../model/external-destination';
import { Peer } from '../model/peer';
import { Port } from '../model/port';
import { Protocol } from '../model/protocol';

/**
 * One end of a connection, checked: an endpoint (which gets the rule in its own policy), or the
 * peers a rule names on the other side (a `Peer`, or the ipBlocks of an `ExternalDestination`).
 */
export interface ConnectionEnd {
  /** Set when the end is an endpoint. */
  readonly endpoint?: Endpoint;
  /** Set when the end is not an endpoint: the peers that stand for it in the other end's rule (empty for a Cilium-only end). */
  readonly peers?: Peer[];
  /** Set when the end is one only Cilium can name: an entity, or DNS names. */
  readonly cilium?: CiliumEnd;
  /** Readable form, for messages: `backend (app=backend)`, `pods app=web in namespace shop`, `payment-api (203.0.113.0/24)`. */
  readonly description: string;
}

/** An end that only a CiliumNetworkPolicy can name. */
export interface CiliumEnd {
  /** The entity, for an `Entity`. */
  readonly entity?: CiliumEntity;
  /** The DNS names and patterns, for an `ExternalDestination.dnsNames`. */
  readonly dnsNames?: string[];
}

/** What an end that is neither an endpoint, a peer nor an external destination is told. */
export const NOT_AN_END = `${BUILD_ENDPOINT}; the other end of a connection can also be a Peer, an ExternalDestination or an Entity.`;

/**
 * `value` as one end of a connection: a `Peer`, an `ExternalDestination`, an `Endpoint` or a user's
 * `IEndpoint` (each checked and rebuilt by its own rules). Throws an Error without a construct path
 * (the caller adds it).
 */
export function connectionEnd(value: unknown): ConnectionEnd {
  if (Peer.isPeer(value)) {
    const peer = Peer._use(value, 'peer');
    return { peers: [peer], description: peer.toString() };
  }
  if (ExternalDestination.isExternalDestination(value)) {
    const destination = ExternalDestination._use(value, 'external destination');
    if (destination.fqdns.length > 0) return { peers: [], cilium: { dnsNames: destination.fqdns }, description: destination.toString() };
    return { peers: destination.peers, description: destination.toString() };
  }
  if (Entity.isEntity(value)) {
    const entity = Entity._use(value, 'entity');
    return { peers: [], cilium: { entity: entity.kind }, description: entity.toString() };
  }
  if (!Endpoint._isEndpointLike(value)) throw new Error(`${describeValue(value)} is not an Endpoint. ${NOT_AN_END}`);
  const endpoint = Endpoint._use(value, 'endpoint');
  return { endpoint, description: endpoint.toString() };
}

/**
 * The ports a connection to `endpoint` uses when it names none: one port per container port the
 * endpoint declares (its number and protocol); undefined when it declares none, so the caller can
 * refuse the connection instead of allowing every port.
 */
export function declaredPorts(endpoint: Endpoint): Port[] | undefined {
  const exposed = endpoint.containerPorts;
  if (!exposed || exposed.length === 0) return undefined;
  return exposed.map((p) => Port.of(p.protocol ?? Protocol.TCP, p.number));
}
