import { Construct } from 'constructs';
import { AdminGuardrail, BaselineGuardrail } from '../constructs/cluster-guardrails';
import { atConstruct, constructError } from '../constructs/errors';
import { NAMESPACE_NAME_LABEL } from '../k8s/manifest';
import { describeValue } from '../model/brand';
import { Direction } from '../model/direction';
import { CLOUD_METADATA_ADDRESS, ExternalDestination } from '../model/external-destination';
import { GuardrailSubject } from '../model/guardrail';
import { LabelExpression } from '../model/label-expression';
import { Peer } from '../model/peer';
import { Port } from '../model/port';
import { Selector } from '../model/selector';

/** The priority of `PlatformAccess` unless given: before every other guardrail recipe (lower is first). */
export const PLATFORM_ACCESS_PRIORITY = 10;
/** The priority of `ClusterBlockCloudMetadata` unless given. */
export const CLOUD_METADATA_PRIORITY = 20;
/** The priority of `TenantIsolation` unless given (the API's tenant example uses 50). */
export const TENANT_ISOLATION_PRIORITY = 50;

/** Properties of `PlatformAccess`. */
export interface PlatformAccessProps {
  /**
   * The Admin-tier priority. Platform allows go first (the API's recipe: "keep essential
   * AdminNetworkPolicy Allow rules at a numerically lower priority than any other"): a Deny at a
   * lower or equal number that cuts them is lint NP021. @default 10
   */
  readonly priority?: number;
  /** The pods that keep the platform reachable. @default GuardrailSubject.allNamespaces() */
  readonly subject?: GuardrailSubject;
  /** Allow egress to the cluster DNS (kube-dns in kube-system, 53/UDP and 53/TCP). @default true */
  readonly dns?: boolean;
  /** The namespace of the cluster DNS. @default 'kube-system' */
  readonly dnsNamespace?: string;
  /** The DNS server's pods. @default Selector.labels({ 'k8s-app': 'kube-dns' }) */
  readonly dnsPods?: Selector;
  /** The monitoring namespace whose pods may always connect (scrape). @default 'monitoring' */
  readonly monitoringNamespace?: string;
  /** The ports monitoring may reach, by number (named ports are refused: the API's carry no protocol). @default [Port.tcp(9090)] (the API's documented recipe) */
  readonly monitoringPorts?: Port[];
  /** The ingress controller's namespace, whose pods may always connect. @default - no ingress controller rule */
  readonly ingressControllerNamespace?: string;
  /** The ports the ingress controller may reach, by number (required with ingressControllerNamespace). @default - none */
  readonly ingressControllerPorts?: Port[];
  /** The object name. @default - derived from the construct path */
  readonly name?: string;
}

/**
 * Platform namespaces always reachable, whatever the namespaces' own NetworkPolicies say: an
 * Admin-tier guardrail (priority 10 unless given) whose Allow/Accept rules let the subject's pods
 * reach the cluster DNS, and let monitoring (and the ingress controller, when given) reach them.
 * Allow is final: a namespace's default deny cannot cut these; everything else goes on to the
 * next tiers. The object is annotated as a documented platform allow, so a Deny that would take
 * precedence over it is reported (NP021).
 *
 * @example
 * new PlatformAccess(chart, 'platform', { ingressControllerNamespace: 'ingress-nginx', ingressControllerPorts: [Port.tcp(8080)] });
 */
export class PlatformAccess extends Construct {
  /** The guardrail. */
  public readonly guardrail: AdminGuardrail;

  /**
   * @param scope the parent construct
   * @param id the construct id
   * @param props the properties
   */
  constructor(scope: Construct, id: string, props: PlatformAccessProps = {}) {
    super(scope, id);
    const p = copyProps(this, props, 'PlatformAccess');
    const dns = bool(this, p.dns, 'dns', true);
    const ingressNs = p.ingressControllerNamespace as string | undefined;
    const monitoringPorts = portList(this, p.monitoringPorts, 'monitoringPorts', 'Port.tcp(9090)');
    const ingressPorts = portList(this, p.ingressControllerPorts, 'ingressControllerPorts', 'Port.tcp(8080)');
    if ((ingressNs === undefined) !== (ingressPorts === undefined)) {
      throw constructError(this, 'ingressControllerNamespace and ingressControllerPorts go together: give both (the ports the controller connects to, e.g. [Port.tcp(8080)]), or neither.');
    }
    const monitoringNs = (p.monitoringNamespace as string | undefined) ?? 'monitoring';
    const reaches: string[] = [...(dns ? ['cluster DNS'] : []), `monitoring (${monitoringNs})`, ...(ingressNs !== undefined ? [`the ingress controller (${ingressNs})`] : [])];
    this.guardrail = new AdminGuardrail(this, 'Guardrail', {
      priority: (p.priority as number | undefined) ?? PLATFORM_ACCESS_PRIORITY,
      subject: (p.subject as GuardrailSubject | undefined) ?? GuardrailSubject.allNamespaces(),
      name: p.name as string | undefined,
      platformAllow: reaches.join(', '),
    });
    const g = this.guardrail;
    const monitoringPeer = atConstruct(this, 'monitoringNamespace', () => Peer.namespace(monitoringNs));
    atConstruct(this, 'monitoringPorts', () => g.allow(monitoringPeer, g.subject, ...(monitoringPorts ?? [Port.tcp(9090)])));
    if (ingressNs !== undefined) {
      const ingressPeer = atConstruct(this, 'ingressControllerNamespace', () => Peer.namespace(ingressNs));
      atConstruct(this, 'ingressControllerPorts', () => g.allow(ingressPeer, g.subject, ...ingressPorts!));
    }
    if (dns) {
      const dnsPeer = atConstruct(this, 'dnsNamespace', () => Peer.podsInNamespace((p.dnsNamespace as string | undefined) ?? 'kube-system',
        (p.dnsPods as Selector | undefined) ?? Selector.labels({ 'k8s-app': 'kube-dns' })));
      g.allow(g.subject, dnsPeer, Port.udp(53), Port.tcp(53));
    }
  }
}

/** Properties of `TenantIsolation`. */
export interface TenantIsolationProps {
  /** The tenants: the values of the tenant label (`tenant: <name>`) of their namespaces. */
  readonly tenants: string[];
  /**
   * The namespace label that names a namespace's tenant; not `kubernetes.io/metadata.name`, which
   * every namespace carries (refused). @default 'tenant'
   */
  readonly tenantLabel?: string;
  /** The Admin-tier priority of every tenant's guardrail (their subjects never overlap). @default 50 */
  readonly priority?: number;
}

/**
 * Tenants isolated from each other: for each tenant, an Admin-tier guardrail on its namespaces
 * (labelled `tenant: <name>`) that passes traffic from the tenant's own namespaces to their
 * NetworkPolicies, and denies traffic from every other tenant's namespace (any namespace with the
 * tenant label). The API's own "isolate tenants" example (user story 4, v2) has this shape, a Pass
 * within the tenant and a Deny after it; it needs a same-label selector the API does not have yet,
 * hence one guardrail per tenant, all at one priority (their subjects never overlap). Namespaces
 * without the label (platform, monitoring) are neither passed nor denied here: their traffic goes
 * on to the next tiers, and `PlatformAccess` keeps it open. Ingress only: a connection needs both
 * sides, so denying it at the destination is enough.
 *
 * @example
 * new TenantIsolation(chart, 'tenants', { tenants: ['shop', 'blog'] });
 */
export class TenantIsolation extends Construct {
  /** One guardrail per tenant, in the order of the sorted tenant names. */
  public readonly guardrails: AdminGuardrail[];

  /**
   * @param scope the parent construct
   * @param id the construct id
   * @param props the properties
   */
  constructor(scope: Construct, id: string, props: TenantIsolationProps) {
    super(scope, id);
    const p = copyProps(this, props, 'TenantIsolation');
    const tenants = p.tenants;
    if (!Array.isArray(tenants) || tenants.length < 2 || tenants.some((t) => typeof t !== 'string')) {
      throw constructError(this, `tenants ${listText(tenants)} is not a list of at least two tenant names: isolating tenants from each other needs two. Give the values of the tenant label, e.g. ['shop', 'blog'].`);
    }
    const unique = [...new Set(tenants as string[])].sort();
    if (unique.length !== tenants.length) throw constructError(this, `tenants ${listText(tenants)} lists a tenant twice: list each once.`);
    const label = (p.tenantLabel as string | undefined) ?? 'tenant';
    if (label === NAMESPACE_NAME_LABEL) {
      throw constructError(this, `tenantLabel ${JSON.stringify(label)} is on every namespace (the API server sets it to the namespace's name), `
        + 'so each tenant\'s Deny would cover every other namespace, platform and monitoring included, not only the other tenants\'. '
        + 'Give a label only tenant namespaces carry (the default \'tenant\'), or isolate namespaces one by one with their own guardrails.');
    }
    const priority = (p.priority as number | undefined) ?? TENANT_ISOLATION_PRIORITY;
    this.guardrails = unique.map((tenant) => atConstruct(this, `tenant ${JSON.stringify(tenant)}`, () => {
      const own = Selector.labels({ [label]: tenant });
      const g = new AdminGuardrail(this, tenant, { priority, subject: GuardrailSubject.namespaces(own) });
      g.pass(Peer.namespaces(own), g.subject, Port.allTraffic());
      g.deny(Peer.namespaces(Selector.expressions([LabelExpression.exists(label)])), g.subject, Port.allTraffic());
      return g;
    }));
  }
}

/** Properties of `BaselineDefaultDeny`. */
export interface BaselineDefaultDenyProps {
  /** The pods it applies to. @default GuardrailSubject.allNamespaces() */
  readonly subject?: GuardrailSubject;
  /** The directions to deny. @default both */
  readonly directions?: Direction[];
  /** The priority in the Baseline tier (v1alpha2 only; the v1alpha1 baseline has none). @default - none on v1alpha1, 0 on v1alpha2 */
  readonly priority?: number;
}

/**
 * A cluster-wide default deny that namespace owners may open: a Baseline-tier guardrail (the API's
 * recipe "Provide a baseline deny guardrail") denying traffic from and to every pod of the cluster.
 * The Baseline tier is evaluated after the NetworkPolicies, and only for the pods and directions no
 * NetworkPolicy selects, so a namespace's own NetworkPolicies decide for the pods they select.
 * Traffic to addresses outside the cluster is not a pod peer, and is left to the default.
 *
 * @example
 * new BaselineDefaultDeny(chart, 'baseline');
 */
export class BaselineDefaultDeny extends Construct {
  /** The guardrail. */
  public readonly guardrail: BaselineGuardrail;

  /**
   * @param scope the parent construct
   * @param id the construct id
   * @param props the properties
   */
  constructor(scope: Construct, id: string, props: BaselineDefaultDenyProps = {}) {
    super(scope, id);
    const p = copyProps(this, props, 'BaselineDefaultDeny');
    const directions = (p.directions as Direction[] | undefined) ?? [Direction.INGRESS, Direction.EGRESS];
    if (!Array.isArray(directions) || directions.length === 0 || directions.some((d) => d !== Direction.INGRESS && d !== Direction.EGRESS)) {
      throw constructError(this, `directions ${listText(directions)} is not a list of Direction.INGRESS and/or Direction.EGRESS: give at least one, or leave it out for both.`);
    }
    this.guardrail = new BaselineGuardrail(this, 'Guardrail', {
      subject: (p.subject as GuardrailSubject | undefined) ?? GuardrailSubject.allNamespaces(),
      priority: p.priority as number | undefined,
    });
    const g = this.guardrail;
    if (directions.includes(Direction.INGRESS)) g.deny(Peer.allNamespaces(), g.subject, Port.allTraffic());
    if (directions.includes(Direction.EGRESS)) g.deny(g.subject, Peer.allNamespaces(), Port.allTraffic());
  }
}

/** Properties of `ClusterBlockCloudMetadata`. */
export interface ClusterBlockCloudMetadataProps {
  /** The Admin-tier priority. @default 20 */
  readonly priority?: number;
  /** The pods to protect. @default GuardrailSubject.allNamespaces() */
  readonly subject?: GuardrailSubject;
  /** The IPv4 metadata address. @default '169.254.169.254/32' */
  readonly metadataAddress?: string;
  /** The IPv6 metadata address (AWS's instance metadata service over IPv6). @default 'fd00:ec2::254/128' */
  readonly metadataAddressIpv6?: string;
}

/**
 * Egress to the cloud instance metadata endpoint (169.254.169.254, and fd00:ec2::254 over IPv6)
 * denied cluster-wide: an Admin-tier Deny to those networks, final, so no namespace policy can open
 * it; every other connection goes on to the next tiers unchanged. Unlike the namespace recipe
 * `BlockCloudMetadata`, it never allows anything, so it cannot widen what another policy restricts.
 *
 * @example
 * new ClusterBlockCloudMetadata(chart, 'no-metadata');
 */
export class ClusterBlockCloudMetadata extends Construct {
  /** The guardrail. */
  public readonly guardrail: AdminGuardrail;

  /**
   * @param scope the parent construct
   * @param id the construct id
   * @param props the properties
   */
  constructor(scope: Construct, id: string, props: ClusterBlockCloudMetadataProps = {}) {
    super(scope, id);
    const p = copyProps(this, props, 'ClusterBlockCloudMetadata');
    this.guardrail = new AdminGuardrail(this, 'Guardrail', {
      priority: (p.priority as number | undefined) ?? CLOUD_METADATA_PRIORITY,
      subject: (p.subject as GuardrailSubject | undefined) ?? GuardrailSubject.allNamespaces(),
    });
    const g = this.guardrail;
    const addresses = [(p.metadataAddress as string | undefined) ?? CLOUD_METADATA_ADDRESS, (p.metadataAddressIpv6 as string | undefined) ?? 'fd00:ec2::254/128'];
    const metadata = atConstruct(this, 'metadataAddress', () => ExternalDestination.cidrs('cloud-metadata', addresses));
    g.deny(g.subject, metadata, Port.allTraffic());
  }
}

/** The props of a recipe, copied (lists too), or an error naming the recipe when they are not an object. */
export function copyProps(scope: Construct, props: unknown, what: string): Record<string, unknown> {
  if (typeof props !== 'object' || props === null || Array.isArray(props)) {
    throw constructError(scope, `${what} props ${describeValue(props)} are not properties: pass an object of ${what}Props.`);
  }
  // Copied now: changing the caller's object afterwards must not change the recipe.
  const copy: Record<string, unknown> = { ...props };
  for (const [k, v] of Object.entries(copy)) if (Array.isArray(v)) copy[k] = [...v];
  return copy;
}

function bool(scope: Construct, value: unknown, prop: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw constructError(scope, `${prop} ${describeValue(value)} is not true or false. Set ${prop}: true or false, or leave it out for ${fallback}.`);
  return value;
}

/** A list prop of ports: left out, or an array (of anything: each Port is checked where it is used). */
function portList(scope: Construct, value: unknown, prop: string, example: string): Port[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) {
    throw constructError(scope, `${prop} ${describeValue(value)} is not a list of ports: pass a list, e.g. ${prop}: [${example}] (one port is a list of one).`);
  }
  if (value.length === 0) {
    throw constructError(scope, `${prop} [] lists no ports: give the ports, e.g. ${prop}: [${example}] (an empty list never means "all"), or Port.allTraffic() for every port.`);
  }
  const ports = atConstruct(scope, prop, () => value.map((v, i) => Port._use(v, `port ${i + 1}`)));
  const named = ports.filter((x) => x.isNamed);
  if (named.length > 0) {
    throw constructError(scope, `${prop}: ${named.join(', ')}: the policy API's named ports carry no protocol; use the number (e.g. ${example}): `
      + 'a named port would match the container port of that name on every protocol.');
  }
  return ports;
}

/** A list (or anything) for an error message. */
function listText(value: unknown): string {
  if (!Array.isArray(value)) return describeValue(value);
  try {
    return JSON.stringify(value);
  } catch {
    return describeValue(value);
  }
}
