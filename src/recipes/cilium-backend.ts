import { Construct } from 'constructs';
import { copyProps } from './cluster-guardrail-recipes';
import { atConstruct, constructError } from '../constructs/errors';
import { NetworkPolicies } from '../constructs/network-policies';
import { IEndpoint } from '../endpoints/endpoint';
import { describeValue } from '../model/brand';
import { HttpRule } from '../model/cilium';
import { IConnectionEnd } from '../model/connection-end';
import { Direction } from '../model/direction';
import { ExternalDestination } from '../model/external-destination';
import { Port } from '../model/port';

/** Properties of `CiliumBackend`. */
export interface CiliumBackendProps {
  /**
   * The backend's pods: an `Endpoint`, a cdk8s-plus-28 workload through `Endpoint.fromWorkload`,
   * a service of an `ApplicationStack`, or an `IEndpoint` of your own.
   */
  readonly backend: IEndpoint;
  /** The backend's HTTP port: one TCP port, by number or container port name. */
  readonly port: Port;
  /**
   * Who may call the backend (at least one): endpoints (their egress is written too, as `allow`
   * writes it), peers or entities.
   */
  readonly callers: IConnectionEnd[];
  /** The requests the callers may make (at least one), e.g. `HttpRule.of({ method: HttpMethod.GET, path: '/v1/.*' })`. */
  readonly requests: HttpRule[];
  /**
   * The APIs outside the cluster the backend may call, usually by DNS name
   * (`ExternalDestination.dnsNames`: `toFQDNs`, with the DNS rule Cilium's DNS proxy needs), or by
   * address (`ExternalDestination.cidrs`). @default - none
   */
  readonly externalApis?: ExternalDestination[];
  /** The ports of the external APIs (at least one). @default [Port.tcp(443)] */
  readonly externalApiPorts?: Port[];
  /** The backend's database, which only the backend may connect to. @default - none */
  readonly database?: IEndpoint;
  /** The database's ports. @default - the ports the database declares */
  readonly databasePorts?: Port[];
}

/**
 * A backend on Cilium, locked down to what it is for: the callers may make only the HTTP requests
 * given, on its port (layer-7 rules, `rules.http`, on the backend's ingress); the backend may call
 * the external APIs given (by DNS name: `toFQDNs` and the DNS rule on kube-dns that lets Cilium's
 * DNS proxy learn the names' addresses), its database, and resolve names; only the backend may
 * connect to the database. Nothing else reaches the backend or the database, and the backend
 * reaches nothing else. Needs the Cilium target (`NetworkTarget.cilium()`); on any other, the synth
 * fails saying so.
 *
 * HTTP rules apply where Cilium sees plain HTTP: here the callers' requests to the backend. The
 * backend's calls to the external APIs are usually TLS (443), which Cilium cannot read without TLS
 * interception, so they are allowed by name and port only.
 *
 * @example
 * new CiliumBackend(chart, 'api', {
 *   backend: api, port: Port.tcp(8080), callers: [web],
 *   requests: [HttpRule.of({ method: HttpMethod.GET, path: '/v1/.*' }), HttpRule.of({ method: HttpMethod.POST, path: '/v1/.*' })],
 *   externalApis: [ExternalDestination.dnsNames('stripe', ['api.stripe.com'])],
 *   database: db,
 * });
 */
export class CiliumBackend extends Construct {
  /**
   * @param scope the parent construct
   * @param id the construct id
   * @param props the properties
   */
  constructor(scope: Construct, id: string, props: CiliumBackendProps) {
    super(scope, id);
    const p = copyProps(this, props, 'CiliumBackend');
    if (p.backend === undefined) throw constructError(this, 'backend is missing: give the backend\'s pods, e.g. backend: Endpoint.fromLabels(\'api\', { app: \'api\' }).');
    const backend = p.backend as IEndpoint;
    if (p.port === undefined) throw constructError(this, 'port is missing: give the backend\'s HTTP port, one TCP port, e.g. port: Port.tcp(8080).');
    const callers = list<IConnectionEnd>(this, p.callers, 'callers', 'callers: [web] (an endpoint) or [Peer.pods(Selector.labels({ app: \'web\' }))]');
    const requests = list<HttpRule>(this, p.requests, 'requests', 'requests: [HttpRule.of({ method: HttpMethod.GET, path: \'/v1/.*\' })] '
      + '(to allow every request on the port, use NetworkPolicies.allow instead)');
    const apis = p.externalApis === undefined ? [] : list(this, p.externalApis, 'externalApis', 'externalApis: [ExternalDestination.dnsNames(\'stripe\', [\'api.stripe.com\'])]')
      .map((d, i) => atConstruct(this, `externalApis[${i}]`, () => ExternalDestination._use(d, `externalApis[${i}]`)));
    const apiPorts = p.externalApiPorts === undefined ? [Port.tcp(443)] : list<Port>(this, p.externalApiPorts, 'externalApiPorts', 'externalApiPorts: [Port.tcp(443)]');
    if (p.externalApiPorts !== undefined && apis.length === 0) {
      throw constructError(this, 'externalApiPorts is given without externalApis: list the external APIs the ports are for, or leave externalApiPorts out.');
    }
    if (p.database === undefined && p.databasePorts !== undefined) {
      throw constructError(this, 'databasePorts is given without database: give the database\'s pods, or leave databasePorts out.');
    }
    const dbPorts = p.databasePorts === undefined ? [] : list<Port>(this, p.databasePorts, 'databasePorts', 'databasePorts: [Port.tcp(5432)]');

    const net = NetworkPolicies.of(this);
    const backendEnd = net._end(this, backend, 'backend');
    net._isolate(this, backend, Direction.INGRESS);
    net._isolate(this, backend, Direction.EGRESS);
    callers.forEach((caller, i) => net._allowHttp(this, net._end(this, caller, `callers[${i}]`), backendEnd, p.port as Port, requests));
    for (const api of apis) net._connect(this, backendEnd, net._end(this, api, 'externalApis'), apiPorts);
    // DNS names bring the DNS rule (every name, through Cilium's DNS proxy); without one, the backend still resolves names.
    if (!apis.some((d) => d.fqdns.length > 0)) net._allowDnsFor(this, backend);
    if (p.database !== undefined) {
      const database = p.database as IEndpoint;
      net._isolate(this, database, Direction.INGRESS);
      net._connect(this, backendEnd, net._end(this, database, 'database'), dbPorts);
    }
  }
}

/** A non-empty list prop, copied (each item is checked where it is used). */
function list<T>(scope: Construct, value: unknown, prop: string, example: string): T[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw constructError(scope, `${prop} ${Array.isArray(value) ? '[]' : describeValue(value)} is not a non-empty list: give at least one, e.g. ${example}.`);
  }
  return [...value] as T[];
}
