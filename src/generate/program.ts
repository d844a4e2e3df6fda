/**
 * The program `netpol generate` writes, as plain data: the application stacks, their services and
 * dependencies, the addresses outside the cluster and what could not be expressed. The generator
 * (`PolicyGenerator.generate`) builds it from observed flows; `TypeScriptFormat.program` prints it
 * as TypeScript and `PolicyGenerator.declareStacks` declares the same constructs in-process, so the printed
 * program and the in-process stacks are one thing.
 */

import { FlowReadSummary, ObservedConnection } from '../flows/observed';
import { EnforcementPhase } from '../model/enforcement-phase';
import { Protocol } from '../model/protocol';

/** A port of a dependency or a service. */
export interface GeneratedPort {
  /** The protocol. */
  readonly protocol: Protocol;
  /** The port number. */
  readonly port: number;
}

/** What an end of a generated dependency is. */
export enum GeneratedEndKind {
  /** A service of the generated stacks (`addService`): both of its sides get policies. */
  SERVICE = 'SERVICE',
  /** Pods outside the generated namespaces (`Peer.podsInNamespace`): only the service's side of the dependency is written. */
  PEER = 'PEER',
  /** Addresses outside the cluster (`ExternalDestination.cidrs`). */
  EXTERNAL = 'EXTERNAL',
}

/** Pods selected by labels in a namespace: a service, a peer or the DNS server. */
export interface GeneratedPods {
  /** `<namespace>/<workload>`, as the flows name it. */
  readonly id: string;
  /** The workload name. */
  readonly name: string;
  /** The namespace. */
  readonly namespace: string;
  /**
   * The labels that select the pods: the fewest of the observed (or declared) pod labels, in the
   * order `app.kubernetes.io/name`, `app`, `k8s-app`, `name`, `app.kubernetes.io/instance`,
   * `app.kubernetes.io/component`, `component`, `tier`, then the rest by name, that select no other
   * known pods of the namespace.
   */
  readonly selector: { [key: string]: string };
  /** The kind of the workload, when the manifests or the flows say. @default - unknown */
  readonly workloadKind?: string;
  /** True when the selector was assumed (a DNS server the flows give no labels for: `k8s-app=kube-dns`). */
  readonly assumedSelector: boolean;
}

/** A service of the generated stacks: pods of a namespace the program writes policies for. */
export interface GeneratedService extends GeneratedPods {
  /** The ports the service was observed to be reached on, sorted (its declared container ports). */
  readonly ports: GeneratedPort[];
  /**
   * The service's own phase (`ServiceProps.phase`), overriding its stack's: how a reviewer promotes
   * one service at a time. The generator never sets it. @default - the stack's phase
   */
  readonly phase?: EnforcementPhase;
}

/** Addresses outside the cluster that one or more dependencies reach (or come from). */
export interface GeneratedExternal {
  /** The name (unique in the program): the first DNS name the flows give for the addresses, else the first address. */
  readonly name: string;
  /** The CIDRs: exactly the observed addresses, a block only where every address of it was observed. */
  readonly cidrs: string[];
  /** The observed addresses, sorted (IPv4 first). */
  readonly addresses: string[];
  /** The DNS names the flows give for the addresses, sorted. */
  readonly dnsNames: string[];
}

/** One end of a generated dependency. */
export interface GeneratedEndRef {
  /** What it is. */
  readonly kind: GeneratedEndKind;
  /** The id of the service or peer (`<namespace>/<workload>`), or the name of the external. */
  readonly id: string;
}

/** One observed dependency: `allow(from, to, ...ports)`. */
export interface GeneratedDependency {
  /** Who connects. */
  readonly from: GeneratedEndRef;
  /** Where to. */
  readonly to: GeneratedEndRef;
  /** Every port it was observed on, sorted by protocol (TCP, UDP, SCTP) and number. */
  readonly ports: GeneratedPort[];
  /** True when `ports` are exactly the destination service's declared ports, so the line names none. */
  readonly usesDeclaredPorts: boolean;
  /** How many times its connections were seen. */
  readonly count: number;
}

/** An `ApplicationStack` of the program: the services of one namespace. */
export interface GeneratedStack {
  /** The construct id: the namespace. */
  readonly id: string;
  /** The namespace (the chart's namespace). */
  readonly namespace: string;
  /** Whether the stack allows DNS: some service of the namespace was observed resolving names. */
  readonly dns: boolean;
  /** The ids of the services it declares: its namespace's, then those of other namespaces its dependencies reach, sorted. */
  readonly services: string[];
  /** Its dependencies, sorted by source and destination. */
  readonly dependencies: GeneratedDependency[];
  /**
   * The stack's phase (`ApplicationStackProps.phase`), written on the stack. Undefined writes none:
   * enforced, with the namespace-wide default deny and DNS (what `--phase enforce`, the default, writes).
   * @default - none written: enforced
   */
  readonly phase?: EnforcementPhase;
}

/** An observed connection the program cannot express, or that no stack of it is about. */
export interface UnexpressedConnection {
  /** The connection. */
  readonly observed: ObservedConnection;
  /** Why it is not in the program. */
  readonly reason: string;
}

/** What `netpol generate` writes, as data. */
export interface GeneratedProgram {
  /** What the flow reader did with every line of the input. */
  readonly flows: FlowReadSummary;
  /** The stacks, sorted by namespace. */
  readonly stacks: GeneratedStack[];
  /** Every service, sorted by id. */
  readonly services: GeneratedService[];
  /** Pods outside the generated namespaces that dependencies reach, sorted by id. */
  readonly peers: GeneratedPods[];
  /** Addresses outside the cluster, sorted by name. */
  readonly externals: GeneratedExternal[];
  /** The DNS server the stacks allow (`dnsOptions`). @default - kube-dns in kube-system (the stacks' default) */
  readonly dnsServer?: GeneratedPods;
  /** Observed connections the program does not express, with the reason, in the order of the flows. */
  readonly unexpressed: UnexpressedConnection[];
}
