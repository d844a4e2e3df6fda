import { Port, Reachability } from '../../src';
import { netpol, tempDir } from '../cli/cli-harness';

/** The analyser's inventory: every object of the input is used, or reported as left out. */
const pod = (name: string, namespace = 'shop', extra: Record<string, any> = {}) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels: { app: name }, ...extra }, spec: { containers: [{ name: 'c' }] },
});
const deployment = (name: string, namespace = 'shop') => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace }, spec: { template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c' }] } } },
});

describe('duplicate endpoint ids', () => {
  test('a Pod and a Deployment with the same <namespace>/<name>: an error naming both and the fix', () => {
    expect(() => Reachability.fromManifests([pod('web'), deployment('web'), pod('db')])).toThrow(
      'two endpoints have the id shop/web: the Pod shop/web and the Deployment shop/web. Endpoint ids are <namespace>/<name> of pods and workloads and the names of external endpoints, so each must be unique: give one of them a different name, or leave one out of the input.',
    );
  });

  test('the same pod twice, and a model pod or an external endpoint named like an endpoint', () => {
    expect(() => Reachability.fromManifests([pod('web'), pod('web')])).toThrow(/two endpoints have the id shop\/web: the Pod shop\/web and the Pod shop\/web\./);
    expect(() => Reachability.fromManifests([pod('web')], { pods: [{ namespace: 'shop', name: 'web', labels: {} }] }))
      .toThrow(/the Pod shop\/web and the Pod shop\/web \(ReachabilityOptions.pods\)/);
    expect(() => Reachability.fromManifests([pod('web')], { externals: [{ name: 'shop/web', ip: '203.0.113.1' }] }))
      .toThrow(/the Pod shop\/web and the external endpoint shop\/web \(ReachabilityOptions.externals or --external\)/);
    expect(() => Reachability.fromManifests([], { externals: [{ name: 'api', ip: '203.0.113.1' }, { name: 'api', ip: '203.0.113.2' }] }))
      .toThrow(/two endpoints have the id api: the external endpoint api/);
  });

  test('the same name in another namespace, or a pod owned by a workload of the input, is no duplicate', () => {
    const owned = pod('web', 'shop', { ownerReferences: [{ kind: 'Deployment', name: 'web' }] });
    const r = Reachability.fromManifests([deployment('web'), owned, pod('web', 'lab')]);
    expect(r.endpoints).toEqual(['shop/web', 'lab/web']);
    expect(r.allows('lab/web', 'shop/web', Port.tcp(80))).toBe(true);
  });

  test('the CLI: a usage error (exit 2) naming both files, for matrix, explain and diff', () => {
    const dir = tempDir({
      'a-pod.yaml': JSON.stringify(pod('web')),
      'b-deploy.yaml': `# the same name\n${JSON.stringify(deployment('web'))}\n`,
    });
    for (const args of [['matrix', dir, '--port', '80'], ['explain', dir, '--from', 'shop/web', '--to', 'shop/web', '--port', '80'], ['diff', dir, '--against', dir]]) {
      const r = netpol(args);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(`two endpoints have the id shop/web: the Pod shop/web (${dir}/a-pod.yaml:1) and the Deployment shop/web (${dir}/b-deploy.yaml:2). `);
      expect(r.stderr).toContain('give one of them a different name');
    }
  });

  test('validate does not mind: it only looks at labels', () => {
    const dir = tempDir({
      'a.yaml': [pod('web'), deployment('web'), { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'p', namespace: 'shop' }, spec: { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'] } }]
        .map((o) => JSON.stringify(o)).join('\n---\n'),
    });
    expect(netpol(['validate', '--strict', dir])).toMatchObject({ code: 0, stdout: 'checked 1 NetworkPolicy in 1 file: 0 errors, 0 warnings\n' });
  });
});
