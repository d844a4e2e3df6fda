import { Testing, Yaml } from 'cdk8s';
import { netpol } from './cli-harness';
import { ThreeTier } from '../../examples/three-tier';

const yaml = Yaml.stringify(...Testing.synth(new ThreeTier(Testing.app(), 'three-tier')));
const around = ['--pod', 'kube-system/coredns:k8s-app=kube-dns', '--pod', 'ingress-nginx/controller:app.kubernetes.io/name=ingress-nginx', '--external', 'payment-api=203.0.113.10'];

describe('netpol exposure', () => {
  test('one workload, ingress by default: the selectors, then the endpoints that can connect', () => {
    const r = netpol(['exposure', '-', '--workload', 'shop/frontend', ...around], yaml);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe([
      'shop/frontend: who could reach it (ingress); isolated by shop/default-deny, shop/frontend-ingress',
      '  from the selectors (pods and namespaces not in the manifests included):',
      '    any pod labelled app.kubernetes.io/name=ingress-nginx in namespace ingress-nginx on http/TCP (8080) (shop/frontend-ingress ingress[0])',
      '  in the manifests, allowed on both sides:',
      '    ingress-nginx/controller on 8080/TCP',
      '',
    ].join('\n'));
  });

  test('every workload without --workload; egress; JSON and Markdown', () => {
    const json = JSON.parse(netpol(['exposure', '-', '--direction', 'egress', '--format', 'json'], yaml).stdout);
    expect(json.map((e: any) => e.workload)).toEqual(['shop/frontend', 'shop/backend', 'shop/postgres']);
    expect(json[1].peers.map((p: any) => p.description)).toContain('any address in 203.0.113.0/24');
    expect(json.every((e: any) => e.direction === 'egress')).toBe(true);
    const md = netpol(['exposure', '-', '--workload', 'shop/postgres', '--format', 'markdown'], yaml);
    expect(md.code).toBe(0);
    expect(md.stdout).toMatch(/^\*\*`shop\/postgres`\*\*: who could reach it \(ingress\)/);
  });

  test('bad usage: an unknown workload, a direction that does not exist (exit 2, with the fix)', () => {
    const unknown = netpol(['exposure', '-', '--workload', 'shop/nope'], yaml);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown endpoint "shop\/nope"\. Known endpoints: shop\/frontend, shop\/backend, shop\/postgres\..*--pod/);
    const direction = netpol(['exposure', '-', '--direction', 'sideways'], yaml);
    expect(direction.code).toBe(2);
    expect(direction.stderr).toMatch(/--direction "sideways" is not supported\. Use one of: ingress, egress\./);
  });
});

describe('netpol blast-radius', () => {
  test('text: every endpoint reached, with the shortest path and the ports of each hop', () => {
    const r = netpol(['blast-radius', '-', '--from', 'shop/backend', ...around], yaml);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').slice(0, 3)).toEqual([
      'blast radius of shop/backend: 5 endpoints reachable (3 directly, 2 by lateral movement)', '', 'directly:',
    ]);
    expect(r.stdout).toContain('    shop/backend -[53/TCP, 53/UDP]-> kube-system/coredns -[all traffic]-> ingress-nginx/controller -[8080/TCP]-> shop/frontend');
  });

  test('--max-depth, JSON, Mermaid and DOT', () => {
    const json = JSON.parse(netpol(['blast-radius', '-', '--from', 'shop/backend', '--max-depth', '1', '--format', 'json', ...around], yaml).stdout);
    expect(json.reached.map((x: any) => x.id)).toEqual(['kube-system/coredns', 'payment-api', 'shop/postgres']);
    expect(json.beyondMaxDepth).toBe(true);
    expect(netpol(['blast-radius', '-', '--from', 'shop/backend', '--format', 'mermaid', ...around], yaml).stdout).toMatch(/^flowchart LR\n[\s\S]*style n1 fill/);
    expect(netpol(['blast-radius', '-', '--from', 'shop/backend', '--format', 'dot'], yaml).stdout).toMatch(/^digraph blast_radius \{/);
  });

  test('bad usage: no --from, a max depth that is not a whole number, an unknown workload (exit 2)', () => {
    expect(netpol(['blast-radius', '-'], yaml)).toMatchObject({ code: 2, stderr: expect.stringMatching(/--from is required/) });
    expect(netpol(['blast-radius', '-', '--from', 'shop/backend', '--max-depth', '0'], yaml))
      .toMatchObject({ code: 2, stderr: expect.stringMatching(/--max-depth "0" is not a whole number of at least 1/) });
    expect(netpol(['blast-radius', '-', '--from', 'x/y'], yaml)).toMatchObject({ code: 2, stderr: expect.stringMatching(/unknown endpoint "x\/y"/) });
  });
});
