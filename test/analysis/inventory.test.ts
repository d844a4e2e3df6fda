import { Port, Reachability, SkipCategory } from '../../src';
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

describe('every object is used, counted as ignored, or reported as left out', () => {
  const podYaml = (name: string, extra = '') => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n  namespace: shop\n  labels: { app: web }\n${extra}spec:\n  containers: [{ name: c, ports: [{ containerPort: 8080, name: http }] }]\n`;
  const denyAll = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: deny, namespace: shop }\nspec: { podSelector: {}, policyTypes: [Ingress] }\n';

  test('a Pod named y (YAML 1.1 reads it as the boolean true): left out with the reason and the fix, exit 1', () => {
    const dir = tempDir({ 'pods.yaml': `${podYaml('y')}---\n${podYaml('x')}`, 'np.yaml': denyAll });
    const r = netpol(['matrix', dir, '--port', '8080', '--format', 'json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).endpoints).toEqual(['shop/x']);
    expect(r.stderr).toBe(`${dir}/pods.yaml:1: Pod shop/true: left out: metadata.name is the boolean true (YAML 1.1, which kubectl's decoder follows, reads an unquoted y, yes, on or true as a boolean), not a string; `
      + 'kubectl would reject this object. Quote it as written, e.g. name: "y"\n');

    const quoted = tempDir({ 'pods.yaml': `${podYaml('"y"')}---\n${podYaml('x')}`, 'np.yaml': denyAll });
    const ok = netpol(['explain', quoted, '--from', 'shop/x', '--to', 'shop/y', '--port', '8080']);
    expect(ok).toMatchObject({ code: 0, stderr: '' });
    expect(ok.stdout).toContain('shop/x -> shop/y on 8080/TCP: DENIED');
    expect(netpol(['explain', quoted, '--from', 'shop/y', '--to', 'shop/x', '--port', '8080']).stdout).toContain('DENIED');
  });

  test('validate reports malformed and unmodelled objects on stderr; --strict fails on them', () => {
    const dir = tempDir({ 'pods.yaml': podYaml('y'), 'np.yaml': denyAll, 'anp.yaml': 'apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: { name: guard }\nspec: { priority: 10, subject: { namespaces: {} } }\n' });
    const lax = netpol(['validate', dir]);
    expect(lax.code).toBe(0);
    expect(lax.stdout).toBe('checked 1 NetworkPolicy and 1 cluster policy in 3 files: 0 errors, 0 warnings\n');
    expect(lax.stderr).toContain(`${dir}/pods.yaml:1: Pod shop/true: left out: metadata.name is the boolean true`);
    expect(netpol(['validate', '--strict', dir]).code).toBe(1);
  });

  test('policies of other APIs: left out as not modelled, with what they do and what to do; never checked as NetworkPolicies', () => {
    const objects = [
      { apiVersion: 'policy.networking.k8s.io/v1beta1', kind: 'ClusterNetworkPolicy', metadata: { name: 'tiered' }, spec: {} },
      { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'l7', namespace: 'shop' }, spec: { endpointSelector: {} } },
      { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'host' }, spec: { nodeSelector: {} } },
      { apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { name: 'calico', namespace: 'shop' }, spec: { selector: 'all()' } },
      { apiVersion: 'crd.projectcalico.org/v1', kind: 'GlobalNetworkPolicy', metadata: { name: 'global' }, spec: {} },
      { apiVersion: 'projectcalico.org/v3', kind: 'StagedNetworkPolicy', metadata: { name: 'staged', namespace: 'shop' }, spec: {} },
      // A StagedKubernetesNetworkPolicy is modelled (kept apart as not enforcing): test/analysis/staged-policies.test.ts.
      { apiVersion: 'crd.projectcalico.org/v1', kind: 'StagedKubernetesNetworkPolicy', metadata: { name: 'staged-k8s', namespace: 'shop' }, spec: {} },
      { apiVersion: 'projectcalico.org/v3', kind: 'StagedGlobalNetworkPolicy', metadata: { name: 'staged-global' }, spec: {} },
      { apiVersion: 'k8s.cni.cncf.io/v1beta1', kind: 'MultiNetworkPolicy', metadata: { name: 'multi', namespace: 'shop' }, spec: {} },
      { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'mesh', namespace: 'shop' }, spec: {} },
    ];
    const r = Reachability.fromManifests([...objects, pod('web'), pod('db')]);
    expect(r.skipped.map((s) => `${s.kind} ${s.object} ${s.category}`)).toEqual([
      'ClusterNetworkPolicy tiered NOT_MODELLED',
      'CiliumClusterwideNetworkPolicy host NOT_MODELLED',
      'NetworkPolicy shop/calico NOT_MODELLED',
      'GlobalNetworkPolicy global NOT_MODELLED',
      'StagedNetworkPolicy shop/staged NOT_MODELLED',
      'StagedKubernetesNetworkPolicy shop/staged-k8s NOT_MODELLED',
      'StagedGlobalNetworkPolicy staged-global NOT_MODELLED',
      'MultiNetworkPolicy shop/multi NOT_MODELLED',
      'AuthorizationPolicy shop/mesh NOT_MODELLED',
    ]);
    for (const s of r.skipped.filter((k) => !k.kind?.startsWith('Cilium'))) {
      expect(s.reason).toContain(`cdk8s-netpol does not model ${s.kind} yet, so it is not checked and the verdicts ignore it: they may be wrong for a cluster that applies it. Review its effect separately, or leave it out of the input`);
    }
    // Cilium's policies are modelled (test/analysis/cilium.test.ts); a host policy (nodeSelector) is read fail closed, and noted:
    // the model does not read node labels (test/analysis/cilium-unmodelled-peers.test.ts).
    expect(r.skipped[1].reason).toMatch(/^spec.nodeSelector is decided fail closed: a host policy applies to the nodes its nodeSelector \(<all>\) selects/);
    expect(r.skipped[0].reason).toMatch(/^ClusterNetworkPolicy \(policy.networking.k8s.io\/v1beta1\) is not modelled: its Admin tier is evaluated before NetworkPolicies/);
    expect(r.skipped[2].reason).toMatch(/^NetworkPolicy \(projectcalico.org\/v3\) is not modelled: Calico enforces it alongside NetworkPolicies/);
    // The Calico NetworkPolicy does not isolate anything, and is not validated as a Kubernetes one.
    expect(r.allows('shop/db', 'shop/web', Port.tcp(80))).toBe(true);
    const dir = tempDir({ 'all.yaml': [...objects, pod('web')].map((o) => JSON.stringify(o)).join('\n---\n') });
    const v = netpol(['validate', dir]);
    expect(v.stdout).toBe('checked 1 CiliumClusterwideNetworkPolicy and 1 CiliumNetworkPolicy in 1 file: 0 errors, 0 warnings\n'); // each kind by its name
    expect(v.stderr.split('\n').filter((l) => l.includes(': left out: '))).toHaveLength(objects.length - 2); // the Cilium policies are checked, not left out
    expect(netpol(['matrix', dir, '--port', '80']).code).toBe(1);
  });

  test('kinds that cannot affect verdicts are counted, not reported: exit 0', () => {
    const objects = [
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'shop' } },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop' }, spec: { selector: { app: 'web' } } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b', namespace: 'shop' } },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
      pod('web'),
    ];
    const r = Reachability.fromManifests(objects);
    expect(r.skipped).toEqual([]);
    expect(r.ignored).toEqual([{ kind: 'ConfigMap', count: 2 }, { kind: 'Service', count: 1 }]);
    const dir = tempDir({ 'all.yaml': objects.map((o) => JSON.stringify(o)).join('\n---\n') });
    const m = netpol(['matrix', dir, '--port', '80']);
    expect(m.code).toBe(0);
    expect(m.stderr).toBe('ignored 3 objects of kinds that do not affect NetworkPolicy verdicts: ConfigMap x2, Service x1\n');
    const d = netpol(['diff', dir, '--against', dir]);
    expect(d.code).toBe(0);
    expect(d.stderr).toBe('before: ignored 3 objects of kinds that do not affect NetworkPolicy verdicts: ConfigMap x2, Service x1\n'
      + 'after: ignored 3 objects of kinds that do not affect NetworkPolicy verdicts: ConfigMap x2, Service x1\n');
    expect(Reachability.fromManifests([objects[0], pod('web')]).ignored).toEqual([{ kind: 'ConfigMap', count: 1 }]);
  });

  test('malformed objects: each left out with the field, the reason and the fix', () => {
    const withMeta = (metadata: any, extra: any = {}) => ({ ...pod('p'), metadata: { namespace: 'shop', ...metadata }, ...extra });
    const cases: Array<[any, string, string]> = [
      [{ metadata: { name: 'x' } }, 'default/x', 'has no kind, so it is not a Kubernetes object; kubectl would reject it. Add apiVersion and kind'],
      [withMeta({ name: 'web' }, { kind: true }), 'shop/web', 'kind is the boolean true'],
      [withMeta({}), 'shop/<unnamed>', 'has no metadata.name; kubectl would reject it. Add metadata.name'],
      [withMeta({ generateName: 'job-' }), 'shop/<unnamed>', 'has only metadata.generateName ("job-"): its name is chosen when it is created, so it cannot be named as an endpoint. Give it a metadata.name'],
      [withMeta({ name: 12 }), 'shop/12', 'metadata.name is the number 12, not a string; kubectl would reject this object. Quote it as written, e.g. name: "12"'],
      [withMeta({ name: false }), 'shop/false', 'metadata.name is the boolean false (YAML 1.1, which kubectl\'s decoder follows, reads an unquoted n, no, off or false as a boolean), not a string; kubectl would reject this object. Quote it as written, e.g. name: "n"'],
      [{ ...pod('p'), metadata: { name: 'p', namespace: true } }, 'true/p', 'metadata.namespace is the boolean true'],
      [withMeta({ name: 'p', labels: { enabled: true } }), 'shop/p', 'metadata.labels.enabled is the boolean true (YAML 1.1, which kubectl\'s decoder follows, reads an unquoted y, yes, on or true as a boolean), not a string; kubectl would reject this object. Quote it as written, e.g. enabled: "y"'],
      [withMeta({ name: 'p', labels: ['app'] }), 'shop/p', 'metadata.labels is a list, not a mapping of keys to string values'],
      [{ ...pod('p'), metadata: 'p' }, 'default/<unnamed>', 'metadata is "p", not a mapping'],
      [{ ...pod('p'), spec: { containers: [{ name: 'c', ports: [{ containerPort: '8080' }] }] } }, 'shop/p', 'spec.containers[0].ports[0].containerPort is "8080", not a port number from 1 to 65535; kubectl would reject it. Write the number unquoted, e.g. containerPort: 8080'],
      [{ ...pod('p'), spec: { containers: [{ name: 'c', ports: [{ containerPort: 80, protocol: 'tcp' }] }] } }, 'shop/p', 'spec.containers[0].ports[0].protocol is "tcp", not TCP, UDP or SCTP (upper case)'],
      [{ ...pod('p'), spec: { containers: [{ name: 'c', ports: [{ containerPort: 80, name: 8080 }] }] } }, 'shop/p', 'spec.containers[0].ports[0].name is the number 8080, not a string'],
      [{ ...deployment('api'), spec: {} }, 'shop/api', 'has no pod template (spec.template), so there are no pods to model; kubectl would reject it. Add the pod template with its labels and containers'],
      [{ apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'nightly', namespace: 'shop' }, spec: { jobTemplate: {} } }, 'shop/nightly', 'has no pod template (spec.jobTemplate.spec.template)'],
      [{ ...deployment('api'), spec: { template: { metadata: { labels: { on: true } } } } }, 'shop/api', 'spec.template.metadata.labels.on is the boolean true'],
      [{ ...deployment('api'), spec: { template: { metadata: { labels: { app: 'api' } }, spec: { containers: [{ ports: [{ containerPort: 0 }] }] } } } }, 'shop/api', 'spec.template.spec.containers[0].ports[0].containerPort is the number 0, not a port number'],
      [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'lab', labels: { team: 1 } } }, 'lab', 'metadata.labels.team is the number 1, not a string'],
    ];
    for (const [object, ref, reason] of cases) {
      const r = Reachability.fromManifests([object, pod('web')]);
      expect({ ref, skipped: r.skipped }).toEqual({ ref, skipped: [{ object: ref, category: SkipCategory.MALFORMED, reason: expect.stringContaining(reason), ...(typeof object.kind === 'string' ? { kind: object.kind } : {}) }] });
      expect(r.endpoints).toEqual(['shop/web']);
    }
  });

  test('a malformed Namespace is left out, so its labels select nothing', () => {
    const ns = (labels: any) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'lab', labels } });
    const allowTeam = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'web', namespace: 'shop' }, spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'a' } } }] }] } };
    const good = Reachability.fromManifests([ns({ team: 'a' }), allowTeam, pod('web'), pod('client', 'lab')]);
    expect(good.allows('lab/client', 'shop/web', Port.tcp(80))).toBe(true);
    const bad = Reachability.fromManifests([ns({ team: 'a', on: true }), allowTeam, pod('web'), pod('client', 'lab')]);
    expect(bad.skipped.map((s) => s.object)).toEqual(['lab']);
    expect(bad.allows('lab/client', 'shop/web', Port.tcp(80))).toBe(false);
  });

  test('what is not an object, inside lists or not: reported with where it is', () => {
    let nested: any = { apiVersion: 'v1', kind: 'List', items: [pod('deep')] };
    for (let i = 0; i < 9; i++) nested = { apiVersion: 'v1', kind: 'List', items: [nested] };
    const r = Reachability._fromSourced([
      { object: 'hello', file: 'a.yaml', line: 4 },
      { object: { apiVersion: 'v1', kind: 'PodList', items: [{ metadata: { name: 'ok', namespace: 'shop' } }, 7, null] }, file: 'b.yaml', line: 1 },
      { object: { apiVersion: 'v1', kind: 'List', items: { a: 1 } }, file: 'c.yaml', line: 1 },
      { object: nested, file: 'd.yaml', line: 1 },
    ]);
    expect(r.endpoints).toEqual(['shop/ok']);
    expect(r.skipped).toEqual([
      { object: 'the document', category: SkipCategory.MALFORMED, file: 'a.yaml', line: 4, reason: 'the document is the string "hello", not a Kubernetes object (a mapping with apiVersion, kind and metadata); kubectl would reject it. Fix or remove it.' },
      { object: 'items[1]', category: SkipCategory.MALFORMED, file: 'b.yaml', line: 1, reason: expect.stringMatching(/^items\[1\] is the number 7, not a Kubernetes object/) },
      { object: 'items[2]', category: SkipCategory.MALFORMED, file: 'b.yaml', line: 1, reason: expect.stringMatching(/^items\[2\] is empty \(null\), not a Kubernetes object/) },
      { object: 'the document', category: SkipCategory.MALFORMED, file: 'c.yaml', line: 1, reason: 'a List whose items is not a list, so its objects are left out. Write items as a list of objects.' },
      { object: 'items[0].items[0].items[0].items[0].items[0].items[0].items[0].items[0]', category: SkipCategory.MALFORMED, file: 'd.yaml', line: 1, reason: 'a List nested more than 8 lists deep is not opened, so its objects are left out. Flatten the lists.' },
    ]);
  });
});

describe('ownership', () => {
  test('pods fold into a workload of the input, never into an owner that is left out or not modelled', () => {
    // The labels of the owner's template: a pod folds only into an owner whose template it equals (workload-folding.test.ts).
    const owned = (name: string, owner: string, kind = 'Deployment') => pod(name, 'shop', { labels: { app: owner }, ownerReferences: [{ kind, name: owner }] });
    const broken = { ...deployment('api'), spec: {} };
    // a Rollout that takes its pods from a Deployment (spec.workloadRef) is not a workload of its own
    const rollout = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'canary', namespace: 'shop' },
      spec: { workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' } },
    };
    const r = Reachability.fromManifests([deployment('web'), owned('web-1', 'web'), broken, owned('api-1', 'api'), rollout, owned('canary-1', 'canary', 'Rollout')]);
    expect(r.endpoints).toEqual(['shop/web', 'shop/api-1', 'shop/canary-1']);
    expect(r.skipped.map((s) => s.object)).toEqual(['shop/api']);
    expect(r.ignored).toEqual([{ kind: 'Rollout', count: 1 }]);
  });
});

describe('Argo Rollouts', () => {
  const rollout = (name: string, apiVersion = 'argoproj.io/v1alpha1', spec: Record<string, any> = {
    selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', ports: [{ containerPort: 8080 }] }] } },
  }) => ({ apiVersion, kind: 'Rollout', metadata: { name, namespace: 'shop' }, spec });
  const allowWebToApi = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'api-ingress', namespace: 'shop' },
    spec: { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 8080 }] }] },
  };

  test('a Rollout (argoproj.io) with a pod template is a workload: its pods are an endpoint, allowed and denied by the policies', () => {
    const owned = { ...pod('api-7d9f-x2', 'shop', { labels: { app: 'api' }, ownerReferences: [{ kind: 'Rollout', name: 'api' }] }), spec: { containers: [{ name: 'c', ports: [{ containerPort: 8080 }] }] } };
    const r = Reachability.fromManifests([rollout('api'), owned, pod('web'), pod('db'), allowWebToApi]);
    expect(r.endpoints).toEqual(['shop/api', 'shop/web', 'shop/db']);
    expect(r.skipped).toEqual([]);
    expect(r.ignored).toEqual([]);
    expect(r.allows('shop/web', 'shop/api', Port.tcp(8080))).toBe(true);
    expect(r.allows('shop/db', 'shop/api', Port.tcp(8080))).toBe(false);
    expect(r.allows('shop/web', 'shop/api', Port.tcp(9090))).toBe(false);
  });

  test('a Rollout without a pod template or a workloadRef is left out with the reason; a Rollout of another API group is ignored', () => {
    const r = Reachability.fromManifests([rollout('api', 'argoproj.io/v1alpha1', { selector: { matchLabels: { app: 'api' } } }), rollout('other', 'example.com/v1'), pod('web')]);
    expect(r.skipped.map((s) => [s.object, s.category])).toEqual([['shop/api', SkipCategory.MALFORMED]]);
    expect(r.skipped[0].reason).toMatch(/has no pod template \(spec.template\)/);
    expect(r.ignored).toEqual([{ kind: 'Rollout', count: 1 }]);
    expect(r.endpoints).toEqual(['shop/web']);
  });
});
