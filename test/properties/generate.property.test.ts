import * as fc from 'fast-check';
import { FlowReplay, ObservedFlows, PolicyGenerator, TypeScriptFormat } from '../../src';
import { fuzzParameters } from '../fuzz-config';
import { expectedResidue, neverObservedLines, openPairsOfServices } from '../generate/residue';

/**
 * For random applications (workloads in several namespaces, with hostile names: reserved words,
 * leading digits, dots, the same name in two namespaces, labels in mixed case with `_`, `.` and `/`,
 * two workloads that share a label) and random observed flows among them (self-dependencies,
 * cross-namespace dependencies, DNS over UDP and TCP, addresses outside the cluster, a namespace
 * left out so its workloads are peers; the node, which the plain form cannot name, is in
 * test/generate/generate.test.ts), `generate` then synth then `replay` allows every
 * observed connection, and between the observed ends nothing else but the documented DNS residue:
 * checked by the analyser (`FlowReplay`), never by comparing text.
 */
const NAMES = ['web', 'api', 'delete', 'class', 'scope', 'id', '3d-render', 'web.v2', 'web-v2', 'port', 'app', 'payments'];
const NAMESPACES = ['shop', 'data', 'auth', 'ops'];
const ADDRESSES = ['203.0.113.0', '203.0.113.1', '203.0.113.2', '203.0.113.3', '203.0.113.9', '198.51.100.7', '2001:db8::4', '2001:db8::5'];
const PORTS = [80, 443, 5432, 8080, 9092];

const workload = fc.record({
  namespace: fc.constantFrom(...NAMESPACES),
  name: fc.constantFrom(...NAMES),
  labelStyle: fc.constantFrom('name', 'app-mixed', 'shared-app'),
});
const end = fc.oneof(
  { weight: 6, arbitrary: fc.nat().map((n) => ({ workload: n })) },
  { weight: 1, arbitrary: fc.constantFrom(...ADDRESSES).map((ip) => ({ ip })) },
  { weight: 1, arbitrary: fc.constant({ dns: true }) },
);
const flow = fc.record({
  from: fc.oneof(
    { weight: 5, arbitrary: fc.nat().map((n) => ({ workload: n })) },
    { weight: 1, arbitrary: fc.constantFrom(...ADDRESSES).map((ip) => ({ ip })) },
  ),
  to: end,
  port: fc.constantFrom(...PORTS),
  protocol: fc.constantFrom('TCP', 'TCP', 'UDP', 'SCTP'),
  dnsOverTcp: fc.boolean(),
});
const application = fc.record({
  workloads: fc.uniqueArray(workload, { minLength: 1, maxLength: 8, selector: (w) => `${w.namespace}/${w.name}` }),
  flows: fc.array(flow, { minLength: 1, maxLength: 20 }),
  leaveOut: fc.option(fc.constantFrom(...NAMESPACES), { nil: undefined }),
});

type Workload = { namespace: string; name: string; labelStyle: string };

function labelsOf(w: Workload, index: number): Record<string, string> {
  switch (w.labelStyle) {
    case 'name': return { 'app.kubernetes.io/name': w.name, 'app.kubernetes.io/part-of': 'shop' };
    case 'app-mixed': return { 'app': `Svc_${index}.${w.name}`, 'example.com/team': 'Team_A' };
    // Every workload of this style shares app=shared; the component tells them apart.
    default: return { app: 'shared', component: `c${index}` };
  }
}

function manifests(workloads: Workload[]): any[] {
  const deployment = (namespace: string, name: string, labels: Record<string, string>) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'main', image: 'x' }] } } },
  });
  return [
    deployment('kube-system', 'coredns', { 'k8s-app': 'kube-dns' }),
    ...workloads.map((w, i) => deployment(w.namespace, w.name, labelsOf(w, i))),
  ];
}

test('generate, synth, replay: every observed connection allowed, nothing else between the observed ends but DNS', () => {
  let withPeers = 0;
  let withExternals = 0;
  fc.assert(fc.property(application, (a) => {
    const objects = manifests(a.workloads);
    const id = (e: { workload?: number; ip?: string; dns?: boolean }) => (e.ip ?? (e.dns ? 'kube-system/coredns'
      : `${a.workloads[e.workload! % a.workloads.length].namespace}/${a.workloads[e.workload! % a.workloads.length].name}`));
    const lines = a.flows.map((f) => (f.to as { dns?: boolean }).dns
      ? { source: id(f.from), destination: id(f.to), port: 53, protocol: f.dnsOverTcp ? 'TCP' : 'UDP' }
      : { source: id(f.from), destination: id(f.to), port: f.port, protocol: f.protocol });
    const flows = ObservedFlows.fromText(lines.map((l) => JSON.stringify(l)).join('\n'), { manifests: objects });
    const observedNamespaces = [...new Set(flows.connections.flatMap((c) => [c.source, c.destination])
      .filter((e) => e.kind === 'WORKLOAD').map((e) => e.namespace!))];
    const namespaces = a.leaveOut !== undefined && observedNamespaces.includes(a.leaveOut) && observedNamespaces.length > 1
      ? observedNamespaces.filter((n) => n !== a.leaveOut) : undefined;

    const program = PolicyGenerator.generate(flows, { manifests: objects, ...(namespaces ? { namespaces } : {}) });
    if (program.peers.length > 0) withPeers++;
    if (program.externals.length > 0) withExternals++;
    const policies = PolicyGenerator.manifests(program);
    const replay = FlowReplay.fromManifests([...objects, ...policies], flows);

    expect(replay.blocked).toEqual([]);
    expect(replay.summary.allowed + replay.summary.notReplayed).toBe(flows.connections.length);
    expect(neverObservedLines(replay)).toEqual(expectedResidue(program, flows));
    expect(openPairsOfServices(replay, program)).toEqual([]);
    // Every connection is a dependency, DNS of a service, or listed as not expressed.
    const services = new Set(program.services.map((s) => s.id));
    for (const c of flows.connections) {
      const listed = program.unexpressed.some((u) => u.observed === c);
      expect(listed).toBe(!services.has(c.source.id) && !services.has(c.destination.id));
    }
    // The printed program has one line per dependency, none twice.
    const allows = TypeScriptFormat.program(program).split('\n').filter((l) => l.trim().startsWith('this.allow('));
    expect(new Set(allows).size).toBe(allows.length);
    expect(allows).toHaveLength(program.stacks.reduce((n, s) => n + s.dependencies.length, 0));
  }), fuzzParameters(60));
  expect(withPeers).toBeGreaterThan(0);
  expect(withExternals).toBeGreaterThan(0);
});
