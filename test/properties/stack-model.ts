import { App, Chart, Yaml } from 'cdk8s';
import * as fc from 'fast-check';
import { ApplicationStack, ExternalDestination, Port, Protocol, Reachability, ReachabilityOptions } from '../../src';

/** A declared port. */
export interface PortSpec { readonly protocol: 'TCP' | 'UDP' | 'SCTP'; readonly port: number }
/** A random application stack: what a team declares. */
export interface StackSpec {
  readonly namespaces: string[];
  readonly services: Array<{ name: string; namespace: string }>;
  readonly dependencies: Array<{ from: number; to: number; ports: PortSpec[] }>;
  readonly external: Array<{ from: number; cidr: number; ports: PortSpec[] }>;
  readonly dns: boolean;
  readonly defaultDeny: boolean;
}

/** External ranges a stack may depend on, and one address inside each (plus one outside all). */
export const EXTERNAL_CIDRS = ['203.0.113.0/24', '198.51.100.0/25', '2001:db8::/48'];
export const EXTERNAL_ADDRESSES = [
  { name: 'ext-a', ip: '203.0.113.7' },
  { name: 'ext-b', ip: '198.51.100.9' },
  { name: 'ext-c', ip: '2001:db8::5' },
  { name: 'ext-elsewhere', ip: '192.0.2.1' },
];
const PORT_NUMBERS = [80, 443, 5432, 6379, 8080, 9090];

const protocol = fc.constantFrom('TCP' as const, 'TCP' as const, 'UDP' as const, 'SCTP' as const);
const portSpec: fc.Arbitrary<PortSpec> = fc.record({ protocol, port: fc.constantFrom(...PORT_NUMBERS) });
const externalDependency = fc.record({
  from: fc.nat(), cidr: fc.nat({ max: EXTERNAL_CIDRS.length - 1 }), ports: fc.array(portSpec, { minLength: 1, maxLength: 2 }),
});

/** Random stacks: 1-4 namespaces, 2-8 services, random dependencies, ports and protocols. */
export const stackSpec: fc.Arbitrary<StackSpec> = fc.record({
  namespaces: fc.uniqueArray(fc.constantFrom('shop', 'data', 'auth', 'ops'), { minLength: 1, maxLength: 4 }),
  serviceCount: fc.integer({ min: 2, max: 8 }),
  seed: fc.array(fc.nat(), { minLength: 8, maxLength: 8 }),
  dependencies: fc.array(fc.record({ from: fc.nat(), to: fc.nat(), ports: fc.array(portSpec, { minLength: 1, maxLength: 3 }) }), { maxLength: 10 }),
  external: fc.array(externalDependency, { maxLength: 3 }),
  dns: fc.boolean(),
  defaultDeny: fc.boolean(),
}).map((r) => {
  const services = Array.from({ length: r.serviceCount }, (_, i) => ({ name: `svc${i}`, namespace: r.namespaces[r.seed[i] % r.namespaces.length] }));
  const n = services.length;
  return {
    namespaces: r.namespaces,
    services,
    dependencies: r.dependencies.map((d) => ({ from: d.from % n, to: d.to % n, ports: d.ports })).filter((d) => d.from !== d.to),
    external: r.external.map((e) => ({ ...e, from: e.from % n })),
    dns: r.dns,
    defaultDeny: r.defaultDeny,
  };
});

const portOf = (p: PortSpec) => Port.of(p.protocol as Protocol, p.port);
const labelsOf = (s: { name: string; namespace: string }) => ({ app: `${s.namespace}-${s.name}` });

/** Declaration order: a permutation of services, of dependencies and of the ports in each. */
export interface DeclarationOrder { readonly services: number[]; readonly dependencies: number[]; readonly reversePorts: boolean }

/** Synthesizes the stack (in the given declaration order) and returns the chart. */
export function buildStack(spec: StackSpec, order?: DeclarationOrder): Chart {
  const stack = new ApplicationStack(new App(), 'stack', { namespace: spec.namespaces[0], dns: spec.dns, defaultDeny: spec.defaultDeny });
  const serviceOrder = order?.services ?? spec.services.map((_, i) => i);
  const endpoints: Record<number, ReturnType<ApplicationStack['addService']>> = {};
  for (const i of serviceOrder) {
    const s = spec.services[i];
    endpoints[i] = stack.addService(s.name, { labels: labelsOf(s), namespace: s.namespace });
  }
  const dependencyOrder = order?.dependencies ?? spec.dependencies.map((_, i) => i);
  for (const k of dependencyOrder) {
    const d = spec.dependencies[k];
    const ports = order?.reversePorts ? [...d.ports].reverse() : d.ports;
    stack.allow(endpoints[d.from], endpoints[d.to], ...ports.map(portOf));
  }
  for (const e of spec.external) {
    stack.allow(endpoints[e.from], ExternalDestination.cidrs(`range-${e.cidr}`, [EXTERNAL_CIDRS[e.cidr]]), ...e.ports.map(portOf));
  }
  return stack;
}

/** The YAML the stack synthesizes to. */
export function yamlOfStack(chart: Chart): string {
  return Yaml.stringify(...chart.toJson());
}

/** The model around the stack: one pod per service, cluster DNS, and external addresses. */
export function surroundings(spec: StackSpec): ReachabilityOptions {
  return {
    pods: [
      ...spec.services.map((s) => ({ namespace: s.namespace, name: s.name, labels: labelsOf(s) })),
      { namespace: 'kube-system', name: 'coredns', labels: { 'k8s-app': 'kube-dns' } },
    ],
    externals: EXTERNAL_ADDRESSES,
  };
}

/** The ports to probe: every declared port, DNS, and some no one declared. */
export function probePortsOf(spec: StackSpec): PortSpec[] {
  const all = [...spec.dependencies.flatMap((d) => d.ports), ...spec.external.flatMap((e) => e.ports),
    { protocol: 'UDP' as const, port: 53 }, { protocol: 'TCP' as const, port: 53 },
    { protocol: 'TCP' as const, port: 1 }, { protocol: 'UDP' as const, port: 8080 },
    { protocol: 'SCTP' as const, port: 443 }, { protocol: 'TCP' as const, port: 65000 }];
  return [...new Map(all.map((p) => [`${p.protocol}/${p.port}`, p])).values()];
}

/** What the declarations say about `from -> to` on `port`: allowed, denied, or not the stack's business. */
export function declared(spec: StackSpec, from: string, to: string, port: PortSpec): boolean | undefined {
  const svc = (id: string) => spec.services.findIndex((s) => `${s.namespace}/${s.name}` === id);
  const same = (a: PortSpec) => a.protocol === port.protocol && a.port === port.port;
  const f = svc(from);
  const t = svc(to);
  if (from === to) return undefined;
  if (f >= 0 && t >= 0) return spec.dependencies.some((d) => d.from === f && d.to === t && d.ports.some(same));
  if (f >= 0 && to === 'kube-system/coredns') return spec.dns && port.port === 53 && port.protocol !== 'SCTP';
  if (f >= 0) {
    const address = EXTERNAL_ADDRESSES.findIndex((a) => a.name === to);
    return spec.external.some((e) => e.from === f && e.cidr === address && e.ports.some(same));
  }
  if (t >= 0) return false; // nothing may enter a service unless declared, and the stacks declare no ingress
  return undefined; // between things outside the stack: not its business
}

/** Every pair and probe port where the analyser's verdict differs from the declarations. */
export function intentMismatches(spec: StackSpec, chart: Chart): string[] {
  const r = Reachability.fromChart(chart, surroundings(spec));
  const wrong: string[] = [];
  for (const port of probePortsOf(spec)) {
    const m = r.matrix(portOf(port));
    for (const from of r.endpoints) {
      for (const to of r.endpoints) {
        const expected = declared(spec, from, to, port);
        if (expected !== undefined && m.isAllowed(from, to) !== expected) {
          const word = (b: boolean) => (b ? 'allowed' : 'denied');
          wrong.push(`${from} -> ${to} on ${port.port}/${port.protocol}: declared ${word(expected)}, analyser says ${word(m.isAllowed(from, to))}`);
        }
      }
    }
  }
  return wrong;
}
