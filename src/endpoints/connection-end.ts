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
  /**
   * Set when the end is `ExternalDestination.kubernetesApiServer`: its ipBlocks on a target that
   * matches them, the entity `kube-apiserver` on Cilium (see `apiServerAsEntity`).
   */
  readonly apiServer?: boolean;
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
    if (destination._isKubernetesApiServer) return { peers: destination.peers, apiServer: true, description: destination.toString() };
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
 * The API server end as Cilium names it: the entity `kube-apiserver`, with no ipBlocks. Cilium's CIDR
 * rules do not select it where it matters: "CIDR rules do not apply to traffic where both sides of
 * the connection are either managed by Cilium or use an IP belonging to a node in the cluster
 * (including host networking pods). This traffic may be allowed using labels, services or entities
 * -based policies", and "Because CIDR-based selectors ignore nodes by default, you must ordinarily
 * use the kube-apiserver entity as part of a CiliumNetworkPolicy" (docs.cilium.io, Security, Policy
 * Language: "IP/CIDR based" and "Selecting nodes with CIDR / ipBlock"; only the non-default
 * `--policy-cidr-match-mode=nodes` lets an ipBlock select it). The entity "represents both
 * deployments of the kube-apiserver: within the cluster and outside of the cluster" ("Entities
 * based", "Access to/from kube-apiserver"); cilium/cilium#20550 and #33525 are reports of the ipBlock
 * form failing where `toEntities: [kube-apiserver]` works.
 */
export function apiServerAsEntity(end: ConnectionEnd): ConnectionEnd {
  return { peers: [], cilium: { entity: CiliumEntity.KUBE_APISERVER }, description: end.description };
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
