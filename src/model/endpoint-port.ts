import { Protocol } from './protocol';

/** A port a workload's containers listen on (its `containerPort`, with name and protocol). */
export interface EndpointPort {
  /** The port number. */
  readonly number: number;
  /** The port's name, which named-port rules (`Port.named`) refer to. @default - unnamed */
  readonly name?: string;
  /** The protocol. @default Protocol.TCP */
  readonly protocol?: Protocol;
}
