/** A transport protocol a NetworkPolicy port can name. */
export enum Protocol {
  /** TCP (the Kubernetes default when a port names no protocol). */
  TCP = 'TCP',
  /** UDP. */
  UDP = 'UDP',
  /** SCTP. */
  SCTP = 'SCTP',
}

/** All protocols, in the order the library sorts them. */
export const ALL_PROTOCOLS: readonly Protocol[] = [Protocol.TCP, Protocol.UDP, Protocol.SCTP];
