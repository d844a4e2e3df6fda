import { Prng } from './prng';

/** A service of the synthetic stack: the pods labelled `app: <name>` in one namespace. */
export interface ServiceIntent {
  readonly name: string;
  readonly namespace: string;
  readonly labels: { [key: string]: string };
  /** The TCP ports its containers listen on (the first is its main port). */
  readonly ports: number[];
}

/** `from` connects to `to` on `ports` (indexes into `StackIntent.services`). */
export interface DependencyIntent {
  readonly from: number;
  readonly to: number;
  readonly ports: number[];
}

/** An address range outside the cluster. */
export interface ExternalTarget {
  readonly name: string;
  readonly cidr: string;
  readonly port: number;
}

/** `from` connects to an external range on its port. */
export interface ExternalDependencyIntent {
  readonly from: number;
  readonly target: ExternalTarget;
}

/**
 * What a team wants, independent of how it is written: services, who talks to whom on which ports,
 * and which services reach outside the cluster. The library, the floor and cdk8s-plus-28 all express
 * exactly this.
 */
export interface StackIntent {
  readonly size: number;
  readonly namespaces: string[];
  readonly services: ServiceIntent[];
  readonly dependencies: DependencyIntent[];
  readonly externals: ExternalDependencyIntent[];
}

/** The ports services listen on. */
export const SERVICE_PORTS = [80, 443, 5432, 6379, 8080, 9090];

/** The port the analysis scenarios ask about (the main port of about one service in six). */
export const MATRIX_PORT = 8080;

/** The external destinations (documentation ranges, RFC 5737). */
export const EXTERNAL_TARGETS: ExternalTarget[] = [
  { name: 'payment-api', cidr: '203.0.113.0/24', port: 443 },
  { name: 'partner-api', cidr: '198.51.100.0/24', port: 443 },
  { name: 'legacy-db', cidr: '192.0.2.0/24', port: 5432 },
];

/** The seed of every generated stack. */
export const DEFAULT_SEED = 20240607;

/** Share of dependencies that go outside the cluster. */
const EXTERNAL_SHARE = 0.1;
/** Share of in-cluster dependencies that cross namespaces. */
const CROSS_NAMESPACE_SHARE = 0.25;
/** Share of services with a second port. */
const SECOND_PORT_SHARE = 0.2;

/** 10 namespaces at 100 services, growing with the square root of the size, at most 50. */
export function namespaceCount(size: number): number {
  return Math.min(50, Math.max(10, Math.round(10 * Math.sqrt(size / 100))));
}

/**
 * A synthetic application stack of `size` services, the same for the same size and seed: each
 * service has 1-3 dependencies (distinct targets; some cross-namespace, some to external CIDRs),
 * and each dependency uses the target's main port, sometimes all its ports.
 */
export function generateIntent(size: number, seed = DEFAULT_SEED): StackIntent {
  const rng = new Prng(seed ^ size);
  const nsCount = namespaceCount(size);
  const namespaces = Array.from({ length: nsCount }, (_, i) => `team-${String(i + 1).padStart(2, '0')}`);
  const width = String(size).length;
  const byNamespace: number[][] = namespaces.map(() => []);
  const services: ServiceIntent[] = [];
  for (let i = 0; i < size; i++) {
    // Round-robin first, so that every namespace has at least two services; random after that.
    const ns = i < 2 * nsCount ? i % nsCount : rng.int(0, nsCount - 1);
    const name = `svc-${String(i + 1).padStart(width, '0')}`;
    const main = rng.pick(SERVICE_PORTS);
    const ports = rng.chance(SECOND_PORT_SHARE) ? [main, rng.pick(SERVICE_PORTS.filter((p) => p !== main))] : [main];
    services.push({ name, namespace: namespaces[ns], labels: { app: name }, ports });
    byNamespace[ns].push(i);
  }
  const nsIndex = new Map(namespaces.map((n, i) => [n, i]));
  const dependencies: DependencyIntent[] = [];
  const externals: ExternalDependencyIntent[] = [];
  services.forEach((service, from) => {
    const count = rng.int(1, 3);
    const targets = new Set<number>();
    const externalTargets = new Set<string>();
    for (let k = 0; k < count; k++) {
      if (rng.chance(EXTERNAL_SHARE)) {
        const target = rng.pick(EXTERNAL_TARGETS);
        if (!externalTargets.has(target.name)) {
          externalTargets.add(target.name);
          externals.push({ from, target });
        }
        continue;
      }
      const own = byNamespace[nsIndex.get(service.namespace)!];
      const cross = rng.chance(CROSS_NAMESPACE_SHARE);
      // Up to a few tries to find a target that is new for this service and not itself.
      for (let attempt = 0; attempt < 8; attempt++) {
        const pool = cross ? byNamespace[rng.int(0, nsCount - 1)] : own;
        const to = rng.pick(pool);
        if (to === from || targets.has(to)) continue;
        targets.add(to);
        const dest = services[to];
        const ports = dest.ports.length > 1 && rng.chance(0.5) ? [...dest.ports] : [dest.ports[0]];
        dependencies.push({ from, to, ports });
        break;
      }
    }
  });
  return { size, namespaces, services, dependencies, externals };
}

/** A one-line summary of an intent, for the report. */
export function describeIntent(intent: StackIntent): string {
  const cross = intent.dependencies.filter((d) => intent.services[d.from].namespace !== intent.services[d.to].namespace).length;
  return `${intent.size} services in ${intent.namespaces.length} namespaces, ${intent.dependencies.length} in-cluster dependencies `
    + `(${cross} cross-namespace), ${intent.externals.length} external`;
}
