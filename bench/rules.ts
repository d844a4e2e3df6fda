import { StackIntent } from './intent';

/** How many rules the `check` scenario proves. */
export const CHECK_RULES = 20;

/**
 * A rules file of `CHECK_RULES` invariants over the synthetic stack, the same for the same intent:
 * zones for the first namespaces and a compliance scope of a few services; `only` the declared
 * clients reach a service on its ports (these hold), `never` between namespaces with no dependency
 * between them and `isolated` pairs of them, `contained` namespaces (these may hold or fail: a
 * failure costs a counterexample, a success a scan of every pair and port).
 */
export function generateRules(intent: StackIntent): string {
  const { namespaces, services, dependencies } = intent;
  const zoneNames = namespaces.slice(0, 8);
  const lines = ['apiVersion: netpol.cdk8s.dev/v1alpha1', 'kind: SegmentationRules', 'zones:'];
  for (const ns of zoneNames) lines.push(`  - name: ${ns}`, '    members:', `      - namespace: ${ns}`);
  const scope = services.slice(0, 5).map((s) => `      - workload: ${s.namespace}/${s.name}`);
  lines.push('  - name: pci', '    members:', ...scope);
  lines.push('rules:');
  const rule = (name: string, body: string[]) => lines.push(`  - name: ${name}`, ...body.map((l) => `    ${l}`));
  // 8 `only`: the clients the intent declares for a service, on the ports they use.
  const targets = [...new Set(dependencies.map((d) => d.to))].slice(0, 8);
  for (const t of targets) {
    const clients = [...new Set(dependencies.filter((d) => d.to === t).map((d) => d.from))];
    const ports = [...new Set(dependencies.filter((d) => d.to === t).flatMap((d) => d.ports))].sort((a, b) => a - b);
    const s = services[t];
    rule(`only-clients-reach-${s.name}`, ['only:',
      `  from: [${clients.map((c) => `{ workload: ${services[c].namespace}/${services[c].name} }`).join(', ')}]`,
      `  to: [{ workload: ${s.namespace}/${s.name} }]`,
      `  ports: [${ports.map((p) => `{ port: ${p} }`).join(', ')}]`]);
  }
  // 4 `never` and 4 `isolated` between pairs of the zones.
  for (let i = 0; i < 4; i++) {
    rule(`never-${zoneNames[i]}-to-${zoneNames[i + 4]}`, ['never:', `  from: [{ zone: ${zoneNames[i]} }]`, `  to: [{ zone: ${zoneNames[i + 4]} }]`]);
    rule(`isolated-${zoneNames[2 * i]}-${zoneNames[2 * i + 1]}`, ['isolated:', `  zones: [${zoneNames[2 * i]}, ${zoneNames[2 * i + 1]}]`]);
  }
  // 3 `contained` namespaces (on DNS and the main ports), and the compliance scope.
  for (let i = 0; i < 3; i++) {
    rule(`contained-${zoneNames[i]}`, ['contained:', `  zone: ${zoneNames[i]}`, '  except: [{ namespace: kube-system }]', '  ports: [{ port: 53, protocol: UDP }, { port: 53 }]']);
  }
  rule('pci-contained', ['contained:', '  zone: pci']);
  const count = lines.filter((l) => l.startsWith('  - name: ') && !zoneNames.includes(l.slice(10)) && l.slice(10) !== 'pci').length;
  if (count !== CHECK_RULES) throw new Error(`generated ${count} rules, not ${CHECK_RULES}`);
  return `${lines.join('\n')}\n`;
}
