import { App, Chart } from 'cdk8s';
import * as fc from 'fast-check';
import { ApplicationStack, ApplicationStackProps, Direction, Environment, Peer, Port, Protocol, Reachability, Selector } from '../../src';
import { kubeName } from '../../src/constructs/naming';

/**
 * Hostile application models: what a careless or clever user declares. Service names in mixed case,
 * with `_`, `/` and non-ASCII characters, several of which normalise to one object name; services
 * shared by several charts; self-dependencies (replicas of a workload reaching each other);
 * environment stacks that name foreign namespaces; label-selected namespaces across environments,
 * declared through every route into a policy (the stack's verb, `stack.policies`, the NetworkPolicy);
 * ports handed over as another installed copy of the package would (accepted), or as a Proxy or an
 * object given the brand by hand (refused); stack props changed after the stack was made (no effect).
 *
 * The property: the build either refuses the declarations with an error (only where a refusal is
 * the documented answer), or the synthesized policies allow exactly what was declared, pod by pod,
 * as the analyser computes it: nothing more, nothing less.
 */

/** Names that collide after normalisation, and some that normalise to nothing. */
export const HOSTILE_NAMES = ['web', 'Web', 'web_api', 'web-api', 'WebApi', 'api', 'a/b', 'a-b', 'café', 'cafè', '数据', 'db', 'DB'];
const SERVICE_NAMESPACES = ['shop', 'data', 'auth'];
/** Namespaces outside every stack: clients live there. Labels below. */
export const FOREIGN_NAMESPACES: Record<string, Record<string, string>> = {
  'shop-dev': { zone: 'edge', environment: 'dev' },
  'ingress-nginx': { zone: 'edge' },
  'monitoring': { zone: 'edge', environment: 'prod' },
};
const PORTS: Array<{ protocol: 'TCP' | 'UDP'; port: number }> = [{ protocol: 'TCP', port: 80 }, { protocol: 'TCP', port: 5432 }, { protocol: 'UDP', port: 9000 }];

/** A service: a name (hostile), a namespace, and which workload's pods it is (services may share pods). */
export interface HostileService { readonly name: string; readonly namespace: string; readonly workload: number }
/** How a stack lets a foreign namespace in: by its name, or every namespace labelled zone=edge. */
export interface HostileIngress {
  readonly to: number;
  readonly namespace?: string;
  readonly byZone: boolean;
  readonly port: number;
  /** The route into the policy: the stack's verb, its registry (`stack.policies`), or the service's NetworkPolicy itself. */
  readonly route?: 'stack' | 'policies' | 'policy';
}
/**
 * How a dependency's port is handed over: made by this copy's factories, as another installed copy of
 * the package makes it (a branded object whose claims agree), as a Proxy of a real port, or as an
 * object given the brand by hand (`Object.create(Port.prototype)`) that renders "every port".
 */
export type PortHandover = 'own' | 'foreign' | 'proxy' | 'forged';
/** One chart: its services (indices into the app's services), dependencies and ingress. */
export interface HostileStack {
  readonly services: number[];
  readonly dependencies: Array<{ from: number; to: number; port: number; handover: PortHandover }>;
  readonly ingress: HostileIngress[];
  readonly dns: boolean;
  readonly defaultDeny: boolean;
  /** Change the props object (dns, defaultDeny, dnsOptions) after the stack was made: it must change nothing. */
  readonly mutateProps: boolean;
}
/** A whole app: services, the charts that declare them, and the environment they run in. */
export interface HostileApp {
  readonly services: HostileService[];
  readonly stacks: HostileStack[];
  readonly environment?: 'prod' | 'dev';
  readonly sharedNamespaces: string[];
}

/** Mostly ports of this copy; sometimes a foreign copy's, rarely a Proxy or a forgery. */
const handoverArb: fc.Arbitrary<PortHandover> = fc.oneof(
  { arbitrary: fc.constant('own' as const), weight: 16 },
  { arbitrary: fc.constant('foreign' as const), weight: 3 },
  { arbitrary: fc.constant('proxy' as const), weight: 1 },
  { arbitrary: fc.constant('forged' as const), weight: 1 },
);

const stackArb = (serviceCount: number): fc.Arbitrary<HostileStack> => fc.record({
  services: fc.uniqueArray(fc.nat({ max: serviceCount - 1 }), { minLength: 1, maxLength: serviceCount }),
  dependencies: fc.array(fc.record({
    from: fc.nat(), to: fc.nat(), port: fc.nat({ max: PORTS.length - 1 }), handover: handoverArb,
  }), { maxLength: 5 }),
  ingress: fc.array(fc.record({
    to: fc.nat(),
    namespace: fc.constantFrom(...Object.keys(FOREIGN_NAMESPACES)),
    byZone: fc.boolean(),
    port: fc.nat({ max: PORTS.length - 1 }),
    route: fc.constantFrom('stack' as const, 'policies' as const, 'policy' as const),
  }), { maxLength: 2 }),
  dns: fc.boolean(),
  defaultDeny: fc.boolean(),
  mutateProps: fc.boolean(),
}).map((s) => ({
  ...s,
  // Dependencies and ingress name the stack's own services (self-dependencies included).
  dependencies: s.dependencies.map((d) => ({ ...d, from: s.services[d.from % s.services.length], to: s.services[d.to % s.services.length] })),
  ingress: s.ingress.map((i) => ({ ...i, to: s.services[i.to % s.services.length], namespace: i.byZone ? undefined : i.namespace })),
}));

/** Random hostile apps: 2-6 services over 1-3 charts. */
export const hostileApp: fc.Arbitrary<HostileApp> = fc.integer({ min: 2, max: 6 }).chain((n) => fc.record({
  services: fc.array(fc.record({
    name: fc.constantFrom(...HOSTILE_NAMES), namespace: fc.constantFrom(...SERVICE_NAMESPACES), workload: fc.nat({ max: n - 1 }),
  }), { minLength: n, maxLength: n }),
  stacks: fc.array(stackArb(n), { minLength: 1, maxLength: 3 }),
  environment: fc.constantFrom(undefined, 'prod' as const, 'dev' as const),
  sharedNamespaces: fc.subarray(Object.keys(FOREIGN_NAMESPACES)),
}));

/** The labels of a workload's pods. The namespace is part of a workload: the same labels in two namespaces are two workloads. */
const labelsOf = (s: HostileService) => ({ app: `w${s.workload}` });
const workloadKey = (s: HostileService) => `${s.namespace}/w${s.workload}`;

/**
 * Why the documented rules refuse these declarations (empty: they must build). Refusals: a name
 * with nothing an object name keeps; two services of one stack whose names normalise to one object
 * name; two services anywhere in the app, in one namespace, whose names normalise to one object name
 * but that are other pods; an environment stack naming a namespace that is not shared.
 */
export function expectedRefusals(app: HostileApp): string[] {
  const reasons: string[] = [];
  const identity = new Map<string, string>();
  for (const s of app.services) {
    const base = kubeName([s.name]);
    if (base === '') reasons.push(`name ${s.name} keeps nothing`);
    const key = `${s.namespace}/${base}`;
    const known = identity.get(key);
    if (known !== undefined && known !== workloadKey(s)) reasons.push(`${key}: two workloads`);
    identity.set(key, known ?? workloadKey(s));
  }
  for (const stack of app.stacks) {
    const seen = new Set<string>();
    for (const i of stack.services) {
      const key = `${app.services[i].namespace}/${kubeName([app.services[i].name])}`;
      if (seen.has(key)) reasons.push(`${key} declared twice in one stack`);
      seen.add(key);
    }
    for (const d of stack.dependencies) {
      if (d.handover === 'proxy' || d.handover === 'forged') reasons.push(`a ${d.handover} port`);
    }
    for (const ingress of stack.ingress) {
      if (app.environment && ingress.namespace !== undefined && !app.sharedNamespaces.includes(ingress.namespace)) {
        reasons.push(`environment stack names namespace ${ingress.namespace}`);
      }
    }
  }
  return reasons;
}

/** Builds the app: one ApplicationStack per stack. Throws what the constructs throw. */
export function buildHostileApp(spec: HostileApp): App {
  const app = new App();
  spec.stacks.forEach((s, k) => {
    const dnsOptions = { nodeLocalDns: false };
    const props: { -readonly [K in keyof ApplicationStackProps]: ApplicationStackProps[K] } = {
      namespace: 'shop',
      dns: s.dns,
      defaultDeny: s.defaultDeny,
      dnsOptions,
      environment: spec.environment === undefined ? undefined : spec.environment === 'prod' ? Environment.prod() : Environment.dev(),
      sharedNamespaces: [...spec.sharedNamespaces],
    };
    const stack = new ApplicationStack(app, `stack${k}`, props);
    if (s.mutateProps) {
      props.dns = !s.dns;
      props.defaultDeny = !s.defaultDeny;
      (dnsOptions as { nodeLocalDns: boolean }).nodeLocalDns = true;
      props.sharedNamespaces!.length = 0;
      props.environment = undefined;
    }
    const endpoints = new Map<number, ReturnType<ApplicationStack['addService']>>();
    for (const i of s.services) {
      const svc = spec.services[i];
      endpoints.set(i, stack.addService(svc.name, { labels: labelsOf(svc), namespace: svc.namespace }));
    }
    for (const d of s.dependencies) {
      stack.allow(endpoints.get(d.from)!, endpoints.get(d.to)!, handedOver(portOf(d.port), d.handover));
    }
    for (const ingress of s.ingress) {
      const peer = ingress.namespace !== undefined ? Peer.namespace(ingress.namespace) : Peer.namespaces(Selector.labels({ zone: 'edge' }));
      const to = endpoints.get(ingress.to)!;
      if (ingress.route === 'policies') stack.policies.allow(peer, to, portOf(ingress.port));
      else if (ingress.route === 'policy') stack.policies.policy(to, Direction.INGRESS).allowFrom(peer, portOf(ingress.port));
      else stack.allow(peer, to, portOf(ingress.port));
    }
  });
  return app;
}

const portOf = (i: number) => Port.of(PORTS[i].protocol as Protocol, PORTS[i].port);

const PORT_BRAND = Symbol.for('cdk8s-netpol.Port');

/** `port` as `handover` says it is handed over. */
function handedOver(port: Port, handover: PortHandover): Port {
  switch (handover) {
    case 'own': return port;
    case 'foreign': {
      // What another installed copy of the package gives: the same public claims, its own class.
      const json = port.toJson();
      const copy = {
        protocol: port.protocol,
        portNumber: port.portNumber,
        endPort: port.endPort,
        portName: port.portName,
        isAllTraffic: false,
        isAllPortsOfProtocol: false,
        isNamed: false,
        key: port.key,
        toJson: () => ({ ...json }),
        toString: () => String(port),
      };
      return Object.defineProperty(copy, PORT_BRAND, { value: true }) as unknown as Port;
    }
    case 'proxy': return new Proxy(port, { get: (t, key) => (key === 'toJson' ? () => undefined : Reflect.get(t, key, t)) });
    case 'forged': return Object.defineProperty(Object.create(Port.prototype, { toJson: { value: () => undefined } }), PORT_BRAND, { value: true });
  }
}

/** The pods around and inside the app: two replicas per workload, a client per foreign namespace, cluster DNS. */
function modelPods(spec: HostileApp) {
  const workloads = [...new Map(spec.services.filter((s) => usedByAStack(spec, s)).map((s) => [workloadKey(s), s])).values()];
  return [
    ...workloads.flatMap((s) => ['a', 'b'].map((r) => ({ namespace: s.namespace, name: `w${s.workload}-${r}`, labels: labelsOf(s) }))),
    ...Object.keys(FOREIGN_NAMESPACES).map((ns) => ({ namespace: ns, name: 'client', labels: { role: 'client' } })),
    { namespace: 'kube-system', name: 'coredns', labels: { 'k8s-app': 'kube-dns' } },
  ];
}

function usedByAStack(spec: HostileApp, s: HostileService): boolean {
  return spec.stacks.some((st) => st.services.some((i) => spec.services[i] === s));
}

type ModelPodRef = { namespace: string; name: string };

/** What the declarations allow from pod `from` to pod `to` on port `p` (undefined: loopback, not policed). */
function declaredBetween(spec: HostileApp, from: ModelPodRef, to: ModelPodRef, p: number): boolean | undefined {
  if (from.namespace === to.namespace && from.name === to.name) return undefined;
  const workloadOf = (pod: { namespace: string; name: string }) => (pod.name.startsWith('w') ? `${pod.namespace}/${pod.name.replace(/-[ab]$/, '')}` : undefined);
  const fromW = workloadOf(from);
  const toW = workloadOf(to);
  if (fromW && to.namespace === 'kube-system') {
    const ns = from.namespace;
    const dns = spec.stacks.some((st) => st.dns && st.services.some((i) => spec.services[i].namespace === ns));
    return dns && p === DNS_PORT;
  }
  if (fromW && toW) {
    return spec.stacks.some((st) => st.dependencies.some((d) =>
      workloadKey(spec.services[d.from]) === fromW && workloadKey(spec.services[d.to]) === toW && d.port === p));
  }
  if (!fromW && toW && FOREIGN_NAMESPACES[from.namespace]) {
    return spec.stacks.some((st) => st.ingress.some((i) =>
      workloadKey(spec.services[i.to]) === toW && i.port === p && admits(spec, i, from.namespace)));
  }
  if (fromW) return false; // a service reaches nothing it did not declare
  return undefined; // between pods outside the app: not its business
}

/** Whether an ingress declaration admits pods of `namespace` (label selections confined to the environment). */
function admits(spec: HostileApp, ingress: HostileIngress, namespace: string): boolean {
  // By name: only a shared namespace may be named by an environment stack (the rule refuses the rest,
  // and if it ever did not, its pods must still not get in).
  if (ingress.namespace !== undefined) {
    return ingress.namespace === namespace && (spec.environment === undefined || spec.sharedNamespaces.includes(namespace));
  }
  const labels = FOREIGN_NAMESPACES[namespace];
  return labels.zone === 'edge' && (spec.environment === undefined || labels.environment === spec.environment);
}

const DNS_PORT = PORTS.length;

/** Every pod pair and port where the analyser's verdict differs from the declarations. */
export function hostileMismatches(spec: HostileApp, app: App): string[] {
  const namespaces = Object.entries(FOREIGN_NAMESPACES).map(([name, labels]) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } }));
  const manifests = [...app.charts.flatMap((c: Chart) => c.toJson()), ...namespaces];
  const pods = modelPods(spec);
  const r = Reachability.fromManifests(manifests, { pods });
  const wrong: string[] = [];
  const probes = [...PORTS.map((_, i) => i), DNS_PORT];
  for (const p of probes) {
    const port = p === DNS_PORT ? Port.udp(53) : portOf(p);
    const m = r.matrix(port);
    for (const from of pods) {
      for (const to of pods) {
        const expected = p === DNS_PORT
          ? (from.name.startsWith('w') && to.namespace === 'kube-system' ? declaredBetween(spec, from, to, p) : undefined)
          : declaredBetween(spec, from, to, p);
        if (expected === undefined) continue;
        const actual = m.isAllowed(`${from.namespace}/${from.name}`, `${to.namespace}/${to.name}`);
        if (actual !== expected) {
          wrong.push(`${from.namespace}/${from.name} -> ${to.namespace}/${to.name} on ${port}: declared ${expected ? 'allowed' : 'denied'}, analyser says ${actual ? 'allowed' : 'denied'}`);
        }
      }
    }
  }
  return wrong;
}
