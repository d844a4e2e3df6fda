import { flowsLine, observedTitle, seen } from './text';
import {
  GeneratedDependency, GeneratedEndKind, GeneratedEndRef, GeneratedExternal, GeneratedPods, GeneratedPort, GeneratedProgram, GeneratedService,
  GeneratedStack,
} from '../generate/program';
import { parseIp } from '../k8s/cidr';
import { EnforcementPhase } from '../model/enforcement-phase';
import { Protocol } from '../model/protocol';

/** Options of `TypeScriptFormat.program`. */
export interface TypeScriptProgramOptions {
  /** The module the program imports the constructs from. @default 'cdk8s-netpol' */
  readonly importFrom?: string;
}

/** Words TypeScript does not take as a variable name. */
const RESERVED = new Set([
  'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do', 'else', 'enum', 'export', 'extends',
  'false', 'finally', 'for', 'function', 'if', 'import', 'in', 'instanceof', 'new', 'null', 'return', 'super', 'switch', 'this',
  'throw', 'true', 'try', 'typeof', 'var', 'void', 'while', 'with', 'as', 'implements', 'interface', 'let', 'package', 'private',
  'protected', 'public', 'static', 'yield', 'any', 'boolean', 'constructor', 'declare', 'get', 'module', 'require', 'number', 'set',
  'string', 'symbol', 'type', 'from', 'of', 'await', 'async', 'undefined', 'arguments', 'eval', 'scope', 'id',
]);

/** Names the program itself uses at module level. */
const MODULE_NAMES = ['ApplicationStack', 'EnforcementPhase', 'ExternalDestination', 'NetpolApp', 'Peer', 'Port', 'Protocol', 'Selector', 'Construct', 'app'];

/**
 * The TypeScript of a generated program (`PolicyGenerator.generate`): what `netpol generate`
 * writes. A header says where it came from (the flow file, its format and line counts; no
 * timestamp, so the same flows give the same bytes), the addresses outside the cluster with the
 * addresses and DNS names they stand for, the pods of other namespaces, one class per stack with
 * its services and one `allow` line per dependency, the app, and a closing comment listing the
 * observed connections the program does not express.
 */
export class TypeScriptFormat {
  /** The program's TypeScript source, ending with a newline. */
  public static program(program: GeneratedProgram, options: TypeScriptProgramOptions = {}): string {
    return printProgram(program, options.importFrom ?? 'cdk8s-netpol');
  }

  private constructor() {}
}

/** Allocates readable, unique identifiers. */
class Names {
  private readonly taken: Set<string>;

  constructor(taken: Iterable<string>) {
    this.taken = new Set(taken);
  }

  /** A camelCase (or PascalCase) identifier from `words`, made unique with the `fallback` words, then a number. */
  public take(words: string, fallback: string, pascal = false): string {
    const base = identifier(words, pascal);
    const candidates = [base, identifier(`${words}-${fallback}`, pascal)];
    let name = candidates.find((c) => !this.taken.has(c));
    for (let n = 2; name === undefined; n++) if (!this.taken.has(`${base}${n}`)) name = `${base}${n}`;
    this.taken.add(name);
    return name;
  }

  /** `base` as it is (an identifier already), made unique with a number. */
  public takeAsIs(base: string): string {
    let name = base;
    for (let n = 2; this.taken.has(name); n++) name = `${base}_${n}`;
    this.taken.add(name);
    return name;
  }

  public names(): string[] {
    return [...this.taken];
  }
}

/** `payment-api` → `paymentApi`; non-ASCII and punctuation split words; a reserved word or a leading digit gets a suffix or prefix. */
function identifier(text: string, pascal: boolean): string {
  const words = text.split(/[^A-Za-z0-9]+/).filter((w) => w !== '');
  const joined = words.map((w, i) => (i === 0 && !pascal ? w.charAt(0).toLowerCase() + w.slice(1) : w.charAt(0).toUpperCase() + w.slice(1))).join('');
  const named = joined === '' ? (pascal ? 'Generated' : 'service') : joined;
  const safe = /^[0-9]/.test(named) ? `${pascal ? 'N' : 'n'}${named}` : named;
  return RESERVED.has(safe) ? `${safe}Service` : safe;
}

/** A single-quoted TypeScript string literal. */
function quote(text: string): string {
  return `'${JSON.stringify(text).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, '\\\'')}'`;
}

/** An object key: bare when it is an identifier. */
function key(text: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(text) ? text : quote(text);
}

function labelsLiteral(labels: { [key: string]: string }): string {
  return `{ ${Object.entries(labels).map(([k, v]) => `${key(k)}: ${quote(v)}`).join(', ')} }`;
}

function portCall(p: GeneratedPort): string {
  return `Port.${p.protocol.toLowerCase()}(${p.port})`;
}

function endpointPort(p: GeneratedPort): string {
  return p.protocol === Protocol.TCP ? `{ number: ${p.port} }` : `{ number: ${p.port}, protocol: Protocol.${p.protocol} }`;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

function comment(text: string, indent = ''): string[] {
  return text.split('\n').map((l) => `${indent}//${l === '' ? '' : ` ${l}`}`);
}

function printProgram(program: GeneratedProgram, importFrom: string): string {
  const services = new Map(program.services.map((s) => [s.id, s]));
  const moduleNames = new Names(MODULE_NAMES);
  // An address without a DNS name is named after the address: address_203_0_113_7, address_2001_db8__5.
  const externalNames = new Map(program.externals.map((e) => [e.name, parseIp(e.name) !== undefined
    ? moduleNames.takeAsIs(`address_${e.name.replace(/[.:]/g, '_')}`) : moduleNames.take(e.name, 'address')]));
  const peerNames = new Map(program.peers.map((p) => [p.id, moduleNames.take(p.name, p.namespace)]));
  const classNames = new Map(program.stacks.map((s) => [s.id, moduleNames.take(`${s.namespace}-stack`, 'namespace', true)]));

  const body: string[] = [];
  if (program.externals.length > 0) {
    body.push('', '// Addresses outside the cluster: exactly the observed ones (a CIDR only where every address of it was observed).');
    for (const e of program.externals) body.push(...externalComment(e), `const ${externalNames.get(e.name)} = ExternalDestination.cidrs(${quote(e.name)}, [${e.cidrs.map(quote).join(', ')}]);`);
  }
  if (program.peers.length > 0) {
    body.push('', '// Pods of namespaces this program writes no stack for: only the services\' side of a dependency with them is written.');
    for (const p of program.peers) {
      body.push(`const ${peerNames.get(p.id)} = Peer.podsInNamespace(${quote(p.namespace)}, Selector.labels(${labelsLiteral(p.selector)}));${podsNote(p)}`);
    }
  }
  for (const stack of program.stacks) {
    body.push('', ...printStack(stack, program, services, classNames.get(stack.id)!, moduleNames.names(), externalNames, peerNames));
  }
  body.push('', 'const app = new NetpolApp();');
  for (const stack of program.stacks) body.push(`new ${classNames.get(stack.id)}(app, ${quote(stack.id)});`);
  body.push('app.synth();');
  if (program.unexpressed.length > 0) {
    body.push('', ...comment(`Not expressed: ${plural(program.unexpressed.length, 'observed connection', 'observed connections')} this program does not allow`
      + ' (also printed on stderr):'));
    for (const u of program.unexpressed) body.push(...comment(`  ${observedTitle(u.observed)}, ${seen(u.observed)}: ${u.reason}`));
  }

  const text = body.join('\n');
  const used = ['ApplicationStack', 'EnforcementPhase', 'ExternalDestination', 'NetpolApp', 'Peer', 'Port', 'Protocol', 'Selector']
    .filter((n) => n === 'NetpolApp' || n === 'ApplicationStack' || new RegExp(`\\b${n}\\.`).test(text));
  return [
    ...header(program),
    `import { ${used.join(', ')} } from ${quote(importFrom)};`,
    "import { Construct } from 'constructs';",
    text,
    '',
  ].join('\n');
}

function header(program: GeneratedProgram): string[] {
  const f = program.flows;
  const dependencies = program.stacks.reduce((n, s) => n + s.dependencies.length, 0);
  return comment([
    `Generated by \`netpol generate\` from the observed flows ${flowsLine(f)};`,
    `${plural(f.connections, 'observed connection', 'observed connections')}: ${plural(program.stacks.length, 'stack', 'stacks')}, `
      + `${plural(program.services.length, 'service', 'services')}, ${plural(dependencies, 'dependency', 'dependencies')}`
      + `, ${program.unexpressed.length} not expressed${program.unexpressed.length > 0 ? ' (listed at the end)' : ''}.`,
    'Every dependency below was observed, with every port it was observed on. Each namespace gets a default deny, and',
    'DNS (53/UDP and 53/TCP) for all of its pods when one of its services was observed resolving names; nothing else is allowed.',
    'Review it, then replay the flows against its output before enforcing: netpol replay dist/ --flows <the flows>.',
    ...phaseNote(program),
  ].join('\n'));
}

/** What the stacks' phase means, for the header: nothing when none is written (enforced). */
function phaseNote(program: GeneratedProgram): string[] {
  const phases = new Set(program.stacks.map((s) => s.phase));
  if (phases.has(EnforcementPhase.STAGED)) {
    return ['Staged (EnforcementPhase.STAGED): the policies are Calico StagedKubernetesNetworkPolicy objects, evaluated and reported, not enforced;',
      'promote a service with phase: EnforcementPhase.ENFORCE on it, then the stack (netpol replay --fail-on staged is the gate).'];
  }
  if (phases.has(EnforcementPhase.OBSERVE)) {
    return ['Observed (EnforcementPhase.OBSERVE): no object is written yet; the declarations are there for replay and analysis.'];
  }
  return [];
}

function externalComment(e: GeneratedExternal): string[] {
  const names = e.dnsNames.length > 0 ? `${e.dnsNames.join(', ')}: ` : '';
  const aggregated = e.cidrs.length < e.addresses.length ? ` (aggregated to ${e.cidrs.join(', ')}: every address of ${e.cidrs.length === 1 ? 'it' : 'them'} was observed)` : '';
  return comment(`${names}${e.addresses.join(', ')}${aggregated}`);
}

function podsNote(p: GeneratedPods): string {
  return p.assumedSelector ? ' // labels assumed: the flows give none' : '';
}

function printStack(
  stack: GeneratedStack, program: GeneratedProgram, services: Map<string, GeneratedService>, className: string, moduleNames: string[],
  externalNames: Map<string, string>, peerNames: Map<string, string>,
): string[] {
  const names = new Names(moduleNames);
  const variables = new Map(stack.services.map((id) => {
    const s = services.get(id)!;
    return [id, names.take(s.name, s.namespace)];
  }));
  const own = stack.services.filter((id) => services.get(id)!.namespace === stack.namespace).length;
  const props = [`namespace: ${quote(stack.namespace)}`];
  if (!stack.dns) props.push('dns: false');
  else if (program.dnsServer) props.push(`dnsOptions: { dnsNamespace: ${quote(program.dnsServer.namespace)}, dnsPods: Selector.labels(${labelsLiteral(program.dnsServer.selector)}) }`);
  if (stack.phase !== undefined) props.push(`phase: EnforcementPhase.${stack.phase}`);
  const lines = [
    `/** Namespace ${stack.namespace}: ${plural(own, 'service', 'services')}${own < stack.services.length ? `, and ${stack.services.length - own} of other namespaces it depends on or serves` : ''}. */`,
    `export class ${className} extends ApplicationStack {`,
    '  constructor(scope: Construct, id: string) {',
    `    super(scope, id, { ${props.join(', ')} });${stack.dns ? '' : ` // no service of ${stack.namespace} was observed resolving names`}`,
  ];
  for (const id of stack.services) {
    const s = services.get(id)!;
    const serviceProps = [
      ...(s.namespace !== stack.namespace ? [`namespace: ${quote(s.namespace)}`] : []),
      `labels: ${labelsLiteral(s.selector)}`,
      ...(s.ports.length > 0 ? [`ports: [${s.ports.map(endpointPort).join(', ')}]`] : []),
      ...(s.phase !== undefined ? [`phase: EnforcementPhase.${s.phase}`] : []),
    ];
    lines.push(`    const ${variables.get(id)} = this.addService(${quote(s.name)}, { ${serviceProps.join(', ')} });${s.workloadKind ? ` // ${s.workloadKind}` : ''}`);
  }
  if (stack.dependencies.length > 0) lines.push('');
  const end = (ref: GeneratedEndRef) => ref.kind === GeneratedEndKind.SERVICE ? variables.get(ref.id)!
    : ref.kind === GeneratedEndKind.PEER ? peerNames.get(ref.id)! : externalNames.get(ref.id)!;
  for (const d of stack.dependencies) lines.push(`    ${dependencyLine(d, end)}`);
  lines.push('  }', '}');
  return lines;
}

function dependencyLine(d: GeneratedDependency, end: (ref: GeneratedEndRef) => string): string {
  const ports = d.usesDeclaredPorts ? '' : `, ${d.ports.map(portCall).join(', ')}`;
  return `this.allow(${end(d.from)}, ${end(d.to)}${ports}); // seen ${d.count === 1 ? 'once' : `${d.count} times`}`;
}
