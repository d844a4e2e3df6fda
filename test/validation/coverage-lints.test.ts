import { Testing } from 'cdk8s';
import { ThreeTier } from '../../examples/three-tier';
import { TwoNamespaces } from '../../examples/two-namespaces';
import { validateManifests } from '../../src/validation/validate-manifests';
import { netpol } from '../cli/cli-harness';

const deployment = (name: string, labels: Record<string, string>, annotations?: Record<string, string>, extra: any = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'shop', ...(annotations ? { annotations } : {}) },
  spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name, image: name }], ...extra } } },
});
const np = (name: string, spec: any, annotations?: Record<string, string>, namespace = 'shop') => ({
  apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace, ...(annotations ? { annotations } : {}) }, spec,
});
const namespace = (name: string, annotations?: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, ...(annotations ? { annotations } : {}) } });
const DNS = np('allow-dns', {
  podSelector: {},
  policyTypes: ['Egress'],
  egress: [{
    to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
    ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }],
  }],
});
const DENY = np('default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });

const run = (objects: unknown[], coverage = true) => validateManifests(objects.map((object) => ({ object, file: 'in.yaml' })), { coverage });
const codes = (report: ReturnType<typeof run>, ...only: string[]) => report.findings.filter((f) => only.includes(f.code)).map((f) => `${f.code} ${f.object} ${f.field}: ${f.message}`);

describe('NP017: a workload no policy selects in either direction', () => {
  test('reported for the workload no policy selects; a policy for either direction covers it', () => {
    const web = deployment('web', { app: 'web' });
    const api = deployment('api', { app: 'api' });
    const worker = deployment('worker', { app: 'worker' });
    const report = run([web, api, worker, np('api-egress', { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: {} }], ports: [{ protocol: 'UDP', port: 53 }] }] }),
      np('worker-ingress', { podSelector: { matchLabels: { app: 'worker' } }, policyTypes: ['Ingress'] })]);
    expect(codes(report, 'NP017')).toEqual([
      'NP017 shop/web spec.template.metadata.labels: no NetworkPolicy, Cilium policy or cluster-wide policy selects the Deployment shop/web in either direction, so anyone may reach it and it may reach anyone, on every port',
    ]);
    expect(report.findings.find((f) => f.code === 'NP017')).toMatchObject({ file: 'in.yaml', severity: 'warning', fix: expect.stringMatching(/DefaultDeny.*accept-NP017/) });
  });

  test('off without coverage; a hostNetwork pod is left out (no policy can select its traffic); a Pod points at metadata.labels', () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'debug', namespace: 'shop', labels: { app: 'debug' } }, spec: {} };
    const host = deployment('agent', { app: 'agent' }, undefined, { hostNetwork: true });
    expect(codes(run([pod, host], false), 'NP017', 'NP018')).toEqual([]);
    expect(codes(run([pod, host]), 'NP017')).toEqual([
      'NP017 shop/debug metadata.labels: no NetworkPolicy, Cilium policy or cluster-wide policy selects the Pod shop/debug in either direction, so anyone may reach it and it may reach anyone, on every port',
    ]);
  });

  test('accepted by the annotation on the workload itself, with its reason; not by another object\'s', () => {
    const open = deployment('web', { app: 'web' }, { 'cdk8s-netpol.dev/accept-NP017': 'a public demo, no data' });
    const other = deployment('api', { app: 'api' });
    const report = run([open, other, namespace('shop', { 'cdk8s-netpol.dev/accept-NP018': 'a demo namespace' })]);
    expect(codes(report, 'NP017').map((f) => f.split(' ')[1])).toEqual(['shop/api']);
    expect(report.silenced.map((s) => `${s.code} ${s.object} ${s.reason}`)).toEqual(['NP017 shop/web a public demo, no data', 'NP018 <none>/shop a demo namespace']);
  });
});

describe('NP018: a namespace with workloads but no default deny', () => {
  test('names the missing directions; a policy with podSelector {} for a direction is its default deny', () => {
    const web = deployment('web', { app: 'web' });
    const ingressOnly = np('deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] });
    expect(codes(run([web, ingressOnly]), 'NP018')).toEqual([
      'NP018 shop/web metadata.name: namespace shop has workloads but no default deny for egress (a NetworkPolicy with podSelector: {} and policyTypes Egress, a Cilium policy with endpointSelector: {} and default deny, or a cluster-wide policy that denies every pod), so a pod added to it later is open until someone writes its policy',
    ]);
    expect(codes(run([web, ingressOnly, DNS]), 'NP018')).toEqual([]); // allow-dns selects every pod for egress: new pods are isolated
    expect(codes(run([web, np('web', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress', 'Egress'] })]), 'NP018')[0])
      .toMatch(/no default deny for ingress and egress/);
    expect(codes(run([web, DENY, DNS]), 'NP017', 'NP018')).toEqual([]);
    // A namespace without workloads in the input is not judged.
    expect(codes(run([web, DENY, DNS, np('x', { podSelector: { matchLabels: { a: 'b' } }, policyTypes: ['Ingress'] }, undefined, 'elsewhere')]), 'NP018')).toEqual([]);
  });

  test('without a Namespace object it points at the first workload and cannot be accepted there; with one, it is that object\'s', () => {
    const web = deployment('web', { app: 'web' }, { 'cdk8s-netpol.dev/accept-NP018': 'not the place' });
    const without = run([web, np('web', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'] })]);
    expect(codes(without, 'NP018').map((f) => f.split(' ')[1])).toEqual(['shop/web']);
    expect(without.findings.find((f) => f.code === 'NP018')!.fix).toMatch(/on its Namespace object \(add it to the manifests\)/);
    const withNamespace = run([namespace('shop'), web, np('web', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'] })]);
    expect(codes(withNamespace, 'NP018').map((f) => f.split(' ')[1])).toEqual(['<none>/shop']);
  });
});

describe('NP019: an ingress rule open to every address', () => {
  test('0.0.0.0/0 and ::/0 on ingress, whatever they except; not a narrower range, not egress', () => {
    const report = run([np('web', {
      podSelector: { matchLabels: { app: 'web' } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [
        { from: [{ podSelector: {} }, { ipBlock: { cidr: '0.0.0.0/0' } }] },
        { from: [{ ipBlock: { cidr: '::/0', except: ['fc00::/7'] } }], ports: [{ port: 443 }] },
        { from: [{ ipBlock: { cidr: '0.0.0.0/1' } }] },
      ],
      egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }],
    })], false);
    expect(codes(report, 'NP019')).toEqual([
      'NP019 shop/web spec.ingress[0].from[1].ipBlock.cidr: admits every address (0.0.0.0/0) on ingress: the whole internet, and every pod where the network plugin applies ipBlocks to pod IPs',
      'NP019 shop/web spec.ingress[1].from[0].ipBlock.cidr: admits every address (::/0 except fc00::/7) on ingress: the whole internet, and every pod where the network plugin applies ipBlocks to pod IPs',
    ]);
  });

  test('accepted for one rule by its field, with the reason; the other rule is still reported', () => {
    const report = run([np('web', {
      podSelector: { matchLabels: { app: 'web' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 443 }] }, { from: [{ ipBlock: { cidr: '::/0' } }], ports: [{ port: 443 }] }],
    }, { 'cdk8s-netpol.dev/accept-NP019': 'spec.ingress[0]: the public web front' })], false);
    expect(codes(report, 'NP019').map((f) => f.split(' ')[2])).toEqual(['spec.ingress[1].from[0].ipBlock.cidr:']);
    expect(report.silenced.map((s) => `${s.code} ${s.field} ${s.reason}`)).toEqual(['NP019 spec.ingress[0].from[0].ipBlock.cidr the public web front']);
  });
});

describe('coverage over the library\'s own examples, and what is not checked', () => {
  test('the three-tier and two-namespace examples are lint-clean with coverage', () => {
    for (const objects of [Testing.synth(new ThreeTier(Testing.app(), 'three-tier')), Testing.synth(new TwoNamespaces(Testing.app(), 'two'))]) {
      const report = run(objects);
      expect(report.findings.map((f) => `${f.code} ${f.object} ${f.field}: ${f.message}`)).toEqual([]);
    }
  });

  test('with coverage, the namespaces whose policies NP004 cannot check are listed; without, nothing is', () => {
    const objects = [deployment('web', { app: 'web' }), DENY, DNS, np('db', { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'] }, undefined, 'data')];
    expect(run(objects).notChecked).toEqual([
      'NP004 (a policy that selects no workload) in namespace data: the input has no workloads there, so its policies\' pod selectors cannot be checked',
    ]);
    expect(run(objects, false).notChecked).toEqual([]);
  });

  test('netpol validate --coverage: the findings, what is not checked, and --strict fails on them', () => {
    const yaml = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [deployment('web', { app: 'web' }), np('db', { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'] }, undefined, 'data')] });
    expect(netpol(['validate', '-', '--strict'], yaml).code).toBe(0);
    const r = netpol(['validate', '-', '--coverage', '--strict'], yaml);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/warning NP017 spec\.template\.metadata\.labels: no NetworkPolicy, Cilium policy or cluster-wide policy selects the Deployment shop\/web/);
    expect(r.stdout).toMatch(/warning NP018 metadata\.name: namespace shop has workloads but no default deny for ingress and egress/);
    expect(r.stdout).toMatch(/\nnot checked: NP004 \(a policy that selects no workload\) in namespace data/);
  });
});
