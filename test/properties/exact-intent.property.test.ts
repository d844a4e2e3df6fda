import * as fc from 'fast-check';
import { fuzzParameters } from '../fuzz-config';
import { buildStack, intentMismatches, StackSpec, stackSpec } from './stack-model';

/**
 * Exact intent: for random application stacks, the synthesized policies allow exactly what was
 * declared (plus DNS when asked), nothing more and nothing less, for every pair of endpoints, every
 * declared port and a sample of undeclared ones, as the reachability analyser computes it.
 */
test('allowed == declared + DNS, for every pair and port', () => {
  fc.assert(fc.property(stackSpec, (spec) => {
    const wrong = intentMismatches(spec, buildStack(spec));
    if (wrong.length > 0) throw new Error(`${wrong.length} mismatches, e.g.:\n${wrong.slice(0, 5).join('\n')}`);
  }), fuzzParameters(120));
});

/** Counter-examples and edge cases kept as regular tests. */
const CASES: Record<string, StackSpec> = {
  'both directions between two services, same port, different protocols': {
    namespaces: ['shop'],
    services: [{ name: 'svc0', namespace: 'shop' }, { name: 'svc1', namespace: 'shop' }],
    dependencies: [{ from: 0, to: 1, ports: [{ protocol: 'TCP', port: 80 }] }, { from: 1, to: 0, ports: [{ protocol: 'UDP', port: 80 }] }],
    external: [],
    dns: true,
    defaultDeny: true,
  },
  'cross-namespace chain without default deny or DNS': {
    namespaces: ['shop', 'data'],
    services: [{ name: 'svc0', namespace: 'shop' }, { name: 'svc1', namespace: 'data' }, { name: 'svc2', namespace: 'data' }],
    dependencies: [{ from: 0, to: 1, ports: [{ protocol: 'TCP', port: 5432 }] }, { from: 1, to: 2, ports: [{ protocol: 'SCTP', port: 9090 }] }],
    external: [{ from: 2, cidr: 2, ports: [{ protocol: 'TCP', port: 443 }] }],
    dns: false,
    defaultDeny: false,
  },
  'same service names in two namespaces, external dependencies of both families': {
    namespaces: ['shop', 'auth'],
    services: [{ name: 'svc0', namespace: 'shop' }, { name: 'svc0', namespace: 'auth' }],
    dependencies: [{ from: 0, to: 1, ports: [{ protocol: 'TCP', port: 443 }, { protocol: 'TCP', port: 443 }] }],
    external: [{ from: 0, cidr: 0, ports: [{ protocol: 'TCP', port: 443 }] }, { from: 1, cidr: 2, ports: [{ protocol: 'UDP', port: 443 }] }],
    dns: true,
    defaultDeny: false,
  },
};

test.each(Object.entries(CASES))('%s', (_name, spec) => {
  expect(intentMismatches(spec, buildStack(spec))).toEqual([]);
});
