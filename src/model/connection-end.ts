/**
 * One end of a connection: what `allow(from, to, ...ports)` takes on either side, read left to right
 * ("from may connect to to").
 *
 * Implemented by `Endpoint` and every `IEndpoint` (pods this library writes policies for: an end
 * that is an endpoint gets the rule in its own policy), by `Peer` and by `ExternalDestination` (who
 * or what a rule names on the other side; they get no policy of their own). A connection between two
 * endpoints is written on both sides; between an endpoint and a peer or an external destination, on
 * the endpoint's side only; between two ends that are not endpoints, it is an error, since no policy
 * could say it.
 */
export interface IConnectionEnd {
  /** A readable name of this end, used in policy names (for endpoints) and messages. */
  readonly name: string;
}
