import { App } from 'cdk8s';
import * as fc from 'fast-check';
import { buildStack, EXTERNAL_CIDRS, probePortsOf, StackSpec, stackSpec, surroundings } from './stack-model';
import { ApplicationStack, EnforcementPhase, ExternalDestination, Port, Protocol, Reachability } from '../../src';
import { fuzzParameters } from '../fuzz-config';

/**
 * Staging is only a preview: for random application stacks and random phases (staged or enforced,
 * per stack and per service), analysing the phased output with the staged policies as if enforced
 * allows exactly what the all-enforced output (no phase anywhere: today's output) allows, for every
 * pair of endpoints and every probe port. And with the staged policies not enforcing, a staged
 * service is isolated by nothing.
 */
interface Phased { readonly spec: StackSpec; readonly stack?: EnforcementPhase; readonly services: Array<EnforcementPhase | undefined> }

const phase = fc.constantFrom(EnforcementPhase.STAGED, EnforcementPhase.ENFORCE);
const phased: fc.Arbitrary<Phased> = stackSpec.chain((spec) => fc.record({
  spec: fc.constant(spec),
  stack: fc.option(phase, { nil: undefined }),
  services: fc.array(fc.option(phase, { nil: undefined }), { minLength: spec.services.length, maxLength: spec.services.length }),
}));

const portOf = (p: { protocol: string; port: number }) => Port.of(p.protocol as Protocol, p.port);

function buildPhased(p: Phased): ApplicationStack {
  const { spec } = p;
  const stack = new ApplicationStack(new App(), 'stack', { namespace: spec.namespaces[0], dns: spec.dns, defaultDeny: spec.defaultDeny, phase: p.stack });
  const endpoints = spec.services.map((s, i) => stack.addService(s.name, { labels: { app: `${s.namespace}-${s.name}` }, namespace: s.namespace, phase: p.services[i] }));
  for (const d of spec.dependencies) stack.allow(endpoints[d.from], endpoints[d.to], ...d.ports.map(portOf));
  for (const e of spec.external) stack.allow(endpoints[e.from], ExternalDestination.cidrs(`range-${e.cidr}`, [EXTERNAL_CIDRS[e.cidr]]), ...e.ports.map(portOf));
  return stack;
}

/** Every pair and probe port where the two models disagree. */
function differences(p: Phased): string[] {
  const options = surroundings(p.spec);
  const promoted = Reachability.fromChart(buildPhased(p), options).stagedAsEnforced();
  const enforced = Reachability.fromChart(buildStack(p.spec), options);
  const out: string[] = [];
  expect(promoted.endpoints).toEqual(enforced.endpoints);
  for (const port of probePortsOf(p.spec)) {
    const a = promoted.matrix(portOf(port));
    const b = enforced.matrix(portOf(port));
    for (const from of enforced.endpoints) {
      for (const to of enforced.endpoints) {
        if (a.isAllowed(from, to) !== b.isAllowed(from, to)) out.push(`${from} -> ${to} on ${port.port}/${port.protocol}: staged-as-enforced ${a.isAllowed(from, to)}, enforced ${b.isAllowed(from, to)}`);
      }
    }
  }
  return out;
}

test('staged output, staged policies enforced == all-enforced output, for every pair and port', () => {
  fc.assert(fc.property(phased, (p) => {
    const wrong = differences(p);
    if (wrong.length > 0) throw new Error(`${wrong.length} differences, e.g.:\n${wrong.slice(0, 5).join('\n')}`);
  }), fuzzParameters(60));
});

test('with the staged policies not enforcing, a staged service is isolated by nothing, and an enforced one is decided as when all are enforced', () => {
  fc.assert(fc.property(phased, (p) => {
    const r = Reachability.fromChart(buildPhased(p), surroundings(p.spec));
    const enforced = Reachability.fromChart(buildStack(p.spec), surroundings(p.spec));
    const open = new Set(r.unprotected());
    const enforcedIds = new Set<string>();
    p.spec.services.forEach((s, i) => {
      const id = `${s.namespace}/${s.name}`;
      if ((p.services[i] ?? p.stack ?? EnforcementPhase.ENFORCE) === EnforcementPhase.STAGED) expect([id, open.has(id)]).toEqual([id, true]);
      else enforcedIds.add(id);
    });
    // A connection with an enforced service at either end is decided by that service's own policies
    // exactly as in the all-enforced output: whatever phase the namespace's default deny is in.
    const wrong: string[] = [];
    for (const port of probePortsOf(p.spec)) {
      const a = r.matrix(portOf(port));
      const b = enforced.matrix(portOf(port));
      for (const from of r.endpoints) {
        for (const to of r.endpoints) {
          if (from === to || !(enforcedIds.has(from) || enforcedIds.has(to))) continue;
          if (a.isAllowed(from, to) !== b.isAllowed(from, to)) wrong.push(`${from} -> ${to} on ${port.port}/${port.protocol}: phased ${a.isAllowed(from, to)}, enforced ${b.isAllowed(from, to)}`);
        }
      }
    }
    if (wrong.length > 0) throw new Error(`${wrong.length} differences, e.g.:\n${wrong.slice(0, 5).join('\n')}`);
  }), fuzzParameters(40));
});
