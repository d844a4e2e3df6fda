import * as fs from 'fs';
import * as path from 'path';
import { Yaml } from 'cdk8s';
import { FlowReplay, ObservedFlows, PolicyGenerator, TextFormat, TypeScriptFormat } from '../src';
import { observedTitle, seen } from '../src/formats/text';

const ROOT = path.join(__dirname, '..');
/** The recorded flows of the worked example (Hubble events; test/generate/fixtures). */
export const ADOPTION_FLOWS = path.join(ROOT, 'test', 'generate', 'fixtures', 'shop-hubble.jsonl');
/** The namespaces the team owns, and generates stacks for. */
export const ADOPTION_NAMESPACES = ['web', 'shop', 'data'];

function fence(lang: string, text: string): string {
  return `\`\`\`${lang}\n${text.trimEnd()}\n\`\`\``;
}

function flowsOf(text: string, sourceName = 'flows.jsonl'): ObservedFlows {
  return ObservedFlows.fromText(text, { sourceName });
}

/**
 * A week later: the cart starts writing to kafka (a new dependency nobody declared). The recorded
 * flows plus that connection, seen at both ends: an EGRESS event of the cart and an INGRESS event
 * of kafka, made from the recorded events of the two workloads.
 */
export function nextWeekFlows(text: string): string {
  const events = text.trimEnd().split('\n').map((l) => JSON.parse(l));
  const cart = events.find((e) => e.flow.source.pod_name?.startsWith('cart-') && e.flow.traffic_direction === 'EGRESS')!.flow;
  const kafka = events.find((e) => e.flow.destination.pod_name?.startsWith('kafka-') && e.flow.traffic_direction === 'INGRESS')!.flow;
  const added = ['EGRESS', 'INGRESS'].map((direction, i) => {
    const time = `2025-06-09T10:00:0${i}.000000000Z`;
    const flow = {
      ...cart,
      time,
      uuid: `7a1e0c3b-0000-4000-8000-1000000000${i}`,
      destination: kafka.destination,
      IP: { source: cart.IP.source, destination: kafka.IP.destination, ipVersion: 'IPv4' },
      l4: { TCP: { source_port: 51000, destination_port: 9092, flags: { SYN: true } } },
      traffic_direction: direction,
    };
    return JSON.stringify({ flow, node_name: flow.node_name, time });
  });
  return `${text.trimEnd()}\n${added.join('\n')}\n`;
}

/** The generated blocks of docs/adoption.md: every output of the worked example. */
export function adoptionBlocks(): Record<string, string> {
  const text = fs.readFileSync(ADOPTION_FLOWS, 'utf8');
  const flows = flowsOf(text);
  const program = PolicyGenerator.generate(flows, { namespaces: ADOPTION_NAMESPACES });
  const manifests = PolicyGenerator.manifests(program);
  const scope = ADOPTION_NAMESPACES.map((n) => `--namespace ${n}`).join(' ');
  const stderr = program.unexpressed.map((u) => `netpol generate: not expressed: ${observedTitle(u.observed)}, ${seen(u.observed)}: ${u.reason}`);
  const dependencies = program.stacks.reduce((n, s) => n + s.dependencies.length, 0);
  stderr.push(`netpol generate: wrote src/policies.ts: ${program.stacks.length} stacks, ${program.services.length} services, ${dependencies} dependencies, `
    + `${program.unexpressed.length} observed connections not expressed`);
  const replay = FlowReplay.fromManifests(manifests, flows);
  const later = FlowReplay.fromManifests(manifests, flowsOf(nextWeekFlows(text), 'next-week.jsonl'));
  const workloads = new Set(flows.connections.flatMap((c) => [c.source, c.destination]).filter((e) => e.kind === 'WORKLOAD' || e.kind === 'UNDECLARED_WORKLOAD').map((e) => e.id));
  const namespaces = new Set([...workloads].map((id) => id.split('/')[0]));
  return {
    'adoption-flows': fence('text', [
      `$ wc -l flows.jsonl   # ${workloads.size} workloads in ${namespaces.size} namespaces, the cluster DNS, two APIs outside the cluster`,
      `${flows.summary.lines} flows.jsonl`,
      `# ${TextFormat.replay(replay).split('\n')[1]}`,
    ].join('\n')),
    'adoption-generate': fence('text', `$ npx netpol generate --flows flows.jsonl ${scope} --out src/policies.ts\n${stderr.join('\n')}`),
    'adoption-program': fence('ts', TypeScriptFormat.program(program)),
    'adoption-yaml': fence('yaml', `# dist/shop.k8s.yaml: the payments service's two policies\n${Yaml.stringify(
      ...manifests.filter((o) => o.metadata?.namespace === 'shop' && String(o.metadata?.name).startsWith('payments-')),
    ).trim()}`),
    'adoption-replay': fence('text', `$ npx netpol replay dist/ --flows flows.jsonl\n${TextFormat.replay(replay)}`),
    'adoption-gate': fence('text', `$ npx netpol replay dist/ --flows next-week.jsonl\n${TextFormat.replay(later).split('\n\nallowed:')[0]}\n...\n`
      + `netpol replay: the policies would block ${later.summary.blocked} observed connection${later.summary.blocked === 1 ? '' : 's'} `
      + `(first: ${later.blocked[0].connections[0].from} -> ${later.blocked[0].connections[0].to} on ${later.blocked[0].connections[0].port}/`
      + `${later.blocked[0].connections[0].protocol}). Allow them in the policies before enforcing, or remove the dependency.\n$ echo $?\n1`),
  };
}
