import { brand, checkFactoryToken, FACTORY, isBranded, notBranded } from './brand';
import { IConnectionEnd } from './connection-end';
import { modelError } from './errors';
import { CiliumHttpRuleJson, FQDN_MATCH_NAME, FQDN_MATCH_PATTERN, FqdnSelectorJson } from '../k8s/cilium-manifest';

/**
 * A Cilium entity: a class of peers that have no labels of their own (the API server, the nodes,
 * everything outside the cluster). The values are the CRD's `toEntities`/`fromEntities` names.
 */
export enum CiliumEntity {
  /** The Kubernetes API server, wherever it runs (on cluster nodes or outside): what an ipBlock to it gets wrong on Cilium. */
  KUBE_APISERVER = 'kube-apiserver',
  /** Everything outside the cluster. */
  WORLD = 'world',
  /** Everything inside the cluster: every pod, node and health endpoint. */
  CLUSTER = 'cluster',
  /** The local node of the pod (and its hostNetwork pods). */
  HOST = 'host',
  /** Every other node of the cluster. */
  REMOTE_NODE = 'remote-node',
  /** Cilium's own ingress (Envoy) that proxies Ingress and Gateway API traffic. */
  INGRESS = 'ingress',
  /** Cilium's health-check endpoints. */
  HEALTH = 'health',
  /** Pods that Cilium does not manage (yet), e.g. started before Cilium. */
  UNMANAGED = 'unmanaged',
  /** Endpoints whose identity is not resolved yet (starting up). */
  INIT = 'init',
  /** Every peer at all. */
  ALL = 'all',
}

const ENTITY_FACTORIES = 'Entity.kubeApiServer(), Entity.world(), Entity.cluster(), Entity.host(), Entity.remoteNode() or Entity.of(CiliumEntity.X)';

/**
 * A peer that is a Cilium entity (`toEntities`/`fromEntities`), one end of a connection
 * (`allow(backend, Entity.kubeApiServer(), Port.tcp(443))`). It needs the Cilium target: on any
 * other the connection is a synth-time error, never an ipBlock guessed in its place.
 *
 * @example
 * Entity.kubeApiServer();   // the API server, as Cilium identifies it (not by address)
 * Entity.world();           // everything outside the cluster
 */
export class Entity implements IConnectionEnd {
  /** The Kubernetes API server (`kube-apiserver`). */
  public static kubeApiServer(): Entity {
    return new Entity(FACTORY, CiliumEntity.KUBE_APISERVER);
  }

  /** Everything outside the cluster (`world`). */
  public static world(): Entity {
    return new Entity(FACTORY, CiliumEntity.WORLD);
  }

  /** Everything inside the cluster (`cluster`). */
  public static cluster(): Entity {
    return new Entity(FACTORY, CiliumEntity.CLUSTER);
  }

  /** The pod's own node (`host`). */
  public static host(): Entity {
    return new Entity(FACTORY, CiliumEntity.HOST);
  }

  /** The other nodes of the cluster (`remote-node`). */
  public static remoteNode(): Entity {
    return new Entity(FACTORY, CiliumEntity.REMOTE_NODE);
  }

  /** Any entity of the CRD. */
  public static of(entity: CiliumEntity): Entity {
    if (!Object.values(CiliumEntity).includes(entity)) {
      throw modelError('Entity.of', entity, 'is not a Cilium entity', `Use a CiliumEntity, e.g. CiliumEntity.KUBE_APISERVER (${Object.values(CiliumEntity).join(', ')}).`);
    }
    return new Entity(FACTORY, entity);
  }

  /** True for an `Entity` made by a factory. */
  public static isEntity(x: any): x is Entity {
    return isBranded(x, 'Entity');
  }

  /** @internal */
  public static _use(value: unknown, where: string): Entity {
    if (value instanceof Entity && Entity.isEntity(value)) return value;
    if (!Entity.isEntity(value) || !Object.values(CiliumEntity).includes((value as Entity).kind)) throw notBranded(where, value, 'Entity', ENTITY_FACTORIES);
    return new Entity(FACTORY, (value as Entity).kind);
  }

  readonly #entity: CiliumEntity;

  private constructor(token: unknown, entity: CiliumEntity) {
    checkFactoryToken(token, 'Entity', ENTITY_FACTORIES);
    this.#entity = entity;
    brand(this, 'Entity');
  }

  /** Which entity. */
  public get kind(): CiliumEntity {
    return this.#entity;
  }

  /** A readable name: `entity kube-apiserver`. */
  public get name(): string {
    return `entity ${this.#entity}`;
  }

  /** Readable form. */
  public toString(): string {
    return this.name;
  }
}

/** An HTTP method, for `HttpRule`. */
export enum HttpMethod {
  GET = 'GET',
  HEAD = 'HEAD',
  POST = 'POST',
  PUT = 'PUT',
  PATCH = 'PATCH',
  DELETE = 'DELETE',
  OPTIONS = 'OPTIONS',
}

/** What an `HttpRule` matches; every field given must match. */
export interface HttpRuleOptions {
  /** The request method. @default - any method */
  readonly method?: HttpMethod;
  /**
   * The request path: an extended POSIX regular expression matched against the whole path, e.g.
   * `/api/v1/.*`. Must start with `/`.
   * @default - any path
   */
  readonly path?: string;
  /** The Host header: an extended POSIX regular expression, e.g. `api\.example\.com`. @default - any host */
  readonly host?: string;
  /** Headers that must be present, each `Name` or `Name: value`. @default - none */
  readonly headers?: string[];
}

/**
 * One layer-7 HTTP rule of a connection (`rules.http` of a CiliumNetworkPolicy): a request is allowed
 * when some rule of its connection matches it. A rule must constrain something: a rule of nothing
 * would allow every request, which `allow(from, to, port)` says plainly.
 *
 * @example
 * HttpRule.of({ method: HttpMethod.GET, path: '/api/v1/.*' });
 */
export class HttpRule {
  /** A rule from its fields (at least one). */
  public static of(options: HttpRuleOptions): HttpRule {
    const o = options ?? {};
    const json: CiliumHttpRuleJson = {};
    if (o.method !== undefined) {
      if (!Object.values(HttpMethod).includes(o.method)) throw modelError('HttpRule.of (method)', o.method, 'is not an HTTP method', 'Use an HttpMethod, e.g. HttpMethod.GET.');
      json.method = o.method;
    }
    if (o.path !== undefined) json.path = checkRegex(o.path, 'path', '/api/v1/.*', true);
    if (o.host !== undefined) json.host = checkRegex(o.host, 'host', 'api\\.example\\.com', false);
    if (o.headers !== undefined) {
      if (!Array.isArray(o.headers) || o.headers.length === 0) {
        throw modelError('HttpRule.of (headers)', o.headers, 'is not a non-empty list of headers', 'List the headers that must be present, e.g. [\'X-Team: payments\'], or leave headers out.');
      }
      json.headers = [...new Set(o.headers.map(checkHeader))].sort();
    }
    if (Object.keys(json).length === 0) {
      throw modelError('HttpRule.of', options, 'constrains nothing, so it would allow every request', 'Give a method, path, host or headers; to allow every request on the port, use allow(from, to, port) without HTTP rules.');
    }
    return new HttpRule(FACTORY, json);
  }

  /** True for an `HttpRule` made by a factory. */
  public static isHttpRule(x: any): x is HttpRule {
    return isBranded(x, 'HttpRule');
  }

  /** @internal */
  public static _use(value: unknown, where: string): HttpRule {
    if (value instanceof HttpRule && HttpRule.isHttpRule(value)) return value;
    if (!HttpRule.isHttpRule(value)) throw notBranded(where, value, 'HttpRule', 'HttpRule.of({ method, path, host, headers })');
    const r = value as HttpRule;
    return HttpRule.of({ method: r.method as HttpMethod | undefined, path: r.path, host: r.host, headers: r.headers });
  }

  readonly #json: CiliumHttpRuleJson;

  private constructor(token: unknown, json: CiliumHttpRuleJson) {
    checkFactoryToken(token, 'HttpRule', 'HttpRule.of({ method, path, host, headers })');
    this.#json = Object.freeze(json);
    brand(this, 'HttpRule');
  }

  /** The method, if constrained. */
  public get method(): string | undefined {
    return this.#json.method;
  }

  /** The path expression, if constrained. */
  public get path(): string | undefined {
    return this.#json.path;
  }

  /** The host expression, if constrained. */
  public get host(): string | undefined {
    return this.#json.host;
  }

  /** The required headers, if any. */
  public get headers(): string[] | undefined {
    return this.#json.headers ? [...this.#json.headers] : undefined;
  }

  /** The `rules.http[]` entry. */
  public toJson(): any {
    return { ...this.#json, ...(this.#json.headers ? { headers: [...this.#json.headers] } : {}) };
  }

  /** A canonical identity, also the sort order. */
  public get key(): string {
    return JSON.stringify([this.#json.method ?? '', this.#json.path ?? '', this.#json.host ?? '', this.#json.headers ?? []]);
  }

  /** Readable form, e.g. `GET /api/v1/.*`. */
  public toString(): string {
    const parts = [this.method ?? 'any method', this.path ?? 'any path'];
    if (this.host) parts.push(`host ${this.host}`);
    if (this.#json.headers) parts.push(`headers ${this.#json.headers.join(', ')}`);
    return parts.join(' ');
  }
}

function checkRegex(value: string, field: string, example: string, isPath: boolean): string {
  if (typeof value !== 'string' || value.trim() === '' || /\s/.test(value)) {
    throw modelError(`HttpRule.of (${field})`, value, 'is not a usable expression: it is empty or has white space', `Give a regular expression, e.g. '${example}', or leave ${field} out.`);
  }
  if (isPath && !value.startsWith('/')) {
    throw modelError('HttpRule.of (path)', value, 'does not start with "/", and the expression is matched against the whole request path', `Write the path from its first "/", e.g. '${example}'.`);
  }
  try {
    new RegExp(`^(?:${value})$`);
  } catch (e) {
    throw modelError(`HttpRule.of (${field})`, value, `is not a valid regular expression (${(e as Error).message})`, `Give an extended POSIX regular expression, e.g. '${example}'.`);
  }
  return value;
}

function checkHeader(header: string): string {
  const m = typeof header === 'string' ? /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)(?:\s*:\s*(\S.*))?$/.exec(header.trim()) : null;
  if (!m) {
    throw modelError('HttpRule.of (headers)', header, 'is not a header: it must be a header name, optionally followed by ": value"', 'Write e.g. \'X-Team\' (present) or \'X-Team: payments\' (with this value).');
  }
  return m[2] === undefined ? m[1] : `${m[1]}: ${m[2].trimEnd()}`;
}

/**
 * A DNS name or pattern as a `toFQDNs` selector: a name with `*` is a pattern (`*.s3.amazonaws.com`),
 * any other a literal name. Names are lower-cased (DNS is case-insensitive) and lose a trailing dot.
 * Throws with the fix when the text is not a name Cilium accepts, or is a pattern that matches every
 * name.
 */
export function fqdnSelector(text: string, where: string): FqdnSelectorJson {
  if (typeof text !== 'string') throw modelError(where, text, 'is not a DNS name', 'Give DNS names as strings, e.g. \'api.stripe.com\' or \'*.s3.amazonaws.com\'.');
  const name = text.trim().toLowerCase().replace(/\.$/, '');
  if (name.includes('*')) {
    if (!FQDN_MATCH_PATTERN.test(name) || name.length > 253) {
      throw modelError(where, text, 'is not a DNS pattern Cilium accepts (letters, digits, \'-\', \'_\', \'*\' and dots, at most 253 characters)', 'Write e.g. \'*.s3.amazonaws.com\'.');
    }
    if (name.replace(/[*.]/g, '') === '') {
      throw modelError(where, text, 'matches every DNS name, so it would allow egress to the whole internet by name', 'Name the domains (e.g. \'*.example.com\'); for everything outside the cluster use Entity.world() on purpose.');
    }
    return { matchPattern: name };
  }
  if (name === '' || !FQDN_MATCH_NAME.test(name) || name.length > 253 || name.split('.').some((label) => label.length > 63)) {
    throw modelError(where, text, 'is not a DNS name Cilium accepts (labels of letters, digits, \'-\' and \'_\' of at most 63 characters, separated by dots)', 'Write e.g. \'api.stripe.com\'.');
  }
  return { matchName: name };
}
