import { Testing } from 'cdk8s';
import { ThreeTier } from '../../examples/three-tier';
import { THREE_TIER_SURROUNDINGS } from '../../scripts/doc-blocks';
import { ChangeKind, MarkdownFormat, Reachability } from '../../src';
import { withModelWorkloads } from '../../src/k8s/objects';
import { netpol, policyYaml, tempDir } from '../cli/cli-harness';

const podsYaml = (names: string[], ns = 'shop', port = 8080) => names.map((n) => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${n}\n  namespace: ${ns}\n  labels: { app: ${n} }\nspec:\n  containers: [{ name: c, ports: [{ containerPort: ${port}, name: http }] }]\n`).join('---\n');
const apiFromWeb = (port: string) => policyYaml('api', `  podSelector: { matchLabels: { app: api } }\n  policyTypes: [Ingress]\n  ingress:\n    - from: [{ podSelector: { matchLabels: { app: web } } }]\n      ports: [{ port: ${port} }]\n`);
const diffOf = (before: Record<string, string>, after: Record<string, string>, extra: string[] = []) => {
  const b = tempDir(before);
  const a = tempDir(after);
  return netpol(['diff', b, '--against', a, '--format', 'json', ...extra]);
};

describe('netpol diff', () => {
  const pods = podsYaml(['web', 'api', 'db']);

  test('identical sets: no diff, exit 0', () => {
    const r = diffOf({ 'p.yaml': pods, 'np.yaml': apiFromWeb('8080') }, { 'p.yaml': pods, 'np.yaml': apiFromWeb('8080') }, ['--fail-on', 'any']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.summary).toEqual({ opened: 0, closed: 0, addedEndpoints: 0, removedEndpoints: 0 });
    expect(out.ports).toEqual(['8080/TCP', 'other TCP ports', 'other UDP ports', 'other SCTP ports']);
  });

  test('a widened rule opens connections, with the rule responsible after', () => {
    const widened = policyYaml('api', '  podSelector: { matchLabels: { app: api } }\n  policyTypes: [Ingress]\n  ingress:\n    - from: [{ podSelector: {} }]\n      ports: [{ port: 8080 }]\n');
    const r = diffOf({ 'p.yaml': pods, 'np.yaml': apiFromWeb('8080') }, { 'p.yaml': pods, 'np.yaml': widened }, ['--fail-on', 'opened']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--fail-on opened: 1 unexpected change (first: shop/db -> shop/api on 8080/TCP)');
    const out = JSON.parse(r.stdout);
    expect(out.opened).toEqual([{
      from: 'shop/db',
      to: 'shop/api',
      ports: ['8080/TCP'],
      before: { egress: { verdict: 'not isolated', allowedBy: [], isolatedBy: [] }, ingress: { verdict: 'denied', allowedBy: [], isolatedBy: ['shop/api'] } },
      after: { egress: { verdict: 'not isolated', allowedBy: [], isolatedBy: [] }, ingress: { verdict: 'allowed', allowedBy: ['shop/api ingress[0]'], isolatedBy: ['shop/api'] } },
    }]);
    expect(out.closed).toEqual([]);
  });

  test('a removed rule closes connections', () => {
    const none = policyYaml('api', '  podSelector: { matchLabels: { app: api } }\n  policyTypes: [Ingress]\n');
    const out = JSON.parse(diffOf({ 'p.yaml': pods, 'np.yaml': apiFromWeb('8080') }, { 'p.yaml': pods, 'np.yaml': none }).stdout);
    expect(out.closed.map((c: any) => `${c.from} -> ${c.to} ${c.ports.join(',')}`)).toEqual(['shop/web -> shop/api 8080/TCP']);
    expect(out.opened).toEqual([]);
  });

  test('a new default deny closes everything into the namespace, on every port', () => {
    const deny = policyYaml('deny', '  podSelector: {}\n  policyTypes: [Ingress]\n');
    const r = diffOf({ 'p.yaml': pods }, { 'p.yaml': pods, 'deny.yaml': deny });
    const out = JSON.parse(r.stdout);
    expect(out.closed).toHaveLength(6);
    expect(out.closed[0]).toMatchObject({ from: 'shop/api', to: 'shop/db', ports: ['other TCP ports', 'other UDP ports', 'other SCTP ports'] });
    expect(out.closed[0].after.ingress).toEqual({ verdict: 'denied', allowedBy: [], isolatedBy: ['shop/deny'] });
  });

  test('a policy moved to another namespace stops applying where it was', () => {
    const moved = apiFromWeb('8080').replace('namespace: shop', 'namespace: other');
    const out = JSON.parse(diffOf({ 'p.yaml': pods, 'np.yaml': apiFromWeb('8080') }, { 'p.yaml': pods, 'np.yaml': moved }).stdout);
    expect(out.opened.map((c: any) => `${c.from} -> ${c.to}: ${c.ports.join(', ')}`)).toEqual([
      'shop/db -> shop/api: 8080/TCP, other TCP ports, other UDP ports, other SCTP ports',
      'shop/web -> shop/api: other TCP ports, other UDP ports, other SCTP ports',
    ]);
  });

  test('a named port that now resolves differently', () => {
    const before = { 'p.yaml': pods, 'np.yaml': apiFromWeb('http') };
    const after = { 'p.yaml': podsYaml(['web', 'api', 'db'], 'shop', 9090), 'np.yaml': apiFromWeb('http') };
    const out = JSON.parse(diffOf(before, after).stdout);
    expect(out.closed.map((c: any) => `${c.from} -> ${c.to} ${c.ports.join(',')}`)).toEqual(['shop/web -> shop/api 8080/TCP']);
    expect(out.opened.map((c: any) => `${c.from} -> ${c.to} ${c.ports.join(',')}`)).toEqual(['shop/web -> shop/api 9090/TCP']);
  });

  test('workloads added and removed are listed apart', () => {
    const r = diffOf({ 'p.yaml': podsYaml(['web', 'api']) }, { 'p.yaml': podsYaml(['web', 'cache']) }, ['--fail-on', 'any']);
    const out = JSON.parse(r.stdout);
    expect(out.addedEndpoints).toEqual(['shop/cache']);
    expect(out.removedEndpoints).toEqual(['shop/api']);
    expect(out.opened).toEqual([]);
    expect(r.code).toBe(1);
    expect(diffOf({ 'p.yaml': podsYaml(['web', 'api']) }, { 'p.yaml': podsYaml(['web', 'cache']) }, ['--fail-on', 'opened']).code).toBe(0);
  });

  test('an allow-list of expected changes passes the gate; anything else fails it', () => {
    const allow = tempDir({ 'allow.yaml': 'expected:\n  - { change: closed, from: shop/web, to: shop/api, ports: [8080/TCP] }\n' });
    const none = policyYaml('api', '  podSelector: { matchLabels: { app: api } }\n  policyTypes: [Ingress]\n');
    const r = diffOf({ 'p.yaml': pods, 'np.yaml': apiFromWeb('8080') }, { 'p.yaml': pods, 'np.yaml': none }, ['--fail-on', 'any', '--allow', `${allow}/allow.yaml`]);
    expect(r.code).toBe(0);
    const badAllow = tempDir({ 'allow.yaml': '- { change: maybe, from: a }\n' });
    const bad = diffOf({ 'p.yaml': pods }, { 'p.yaml': pods }, ['--allow', `${badAllow}/allow.yaml`]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('entry 0 {"change":"maybe","from":"a"} is not { change: opened|closed');
  });

  test('usage', () => {
    expect(netpol(['diff', 'a'])).toMatchObject({ code: 2, stderr: expect.stringContaining('give the manifests before the change and, with --against, after it') });
    expect(netpol(['diff', '/nonexistent', '--against', '/nonexistent2']).code).toBe(2);
  });
});

describe('Reachability.diff on the three-tier example (adding backend -> redis:6379)', () => {
  const v1 = Reachability.fromChart(new ThreeTier(Testing.app(), 'three-tier'), THREE_TIER_SURROUNDINGS);
  const v2 = Reachability.fromChart(new ThreeTier(Testing.app(), 'three-tier', { redis: true }), THREE_TIER_SURROUNDINGS);
  const diff = Reachability.diff(v1, v2);

  test('redis is a new endpoint and nothing shared changes', () => {
    expect(diff.addedEndpoints).toEqual(['shop/redis']);
    expect(diff.opened).toEqual([]);
    expect(diff.closed).toEqual([]);
  });

  test('with redis in both models, exactly backend -> redis on 6379/TCP opens', () => {
    const sourced = (objects: unknown[]) => objects.map((object) => ({ object }));
    const v1Objects = sourced(new ThreeTier(Testing.app(), 'three-tier').toJson());
    const v2Objects = sourced(new ThreeTier(Testing.app(), 'three-tier', { redis: true }).toJson());
    const v1WithRedis = Reachability.fromManifests(withModelWorkloads(v1Objects, v2Objects).map((o) => o.object), THREE_TIER_SURROUNDINGS);
    const d = Reachability.diff(v1WithRedis, v2);
    expect(d.opened.map((c) => `${c.from} -> ${c.to} ${c.ports.join(',')}`)).toEqual([
      'shop/backend -> shop/redis 6379/TCP',
      'shop/redis -> kube-system/coredns 53/TCP,53/UDP',
    ]);
    expect(d.closed.map((c) => `${c.from} -> ${c.to}`).every((s) => s.includes('shop/redis'))).toBe(true);
    expect(MarkdownFormat.diff(d)).toContain('linkStyle 0 stroke:#2da44e');
  });
});

describe('ReachabilityDiff.unexpected: expected changes by ChangeKind', () => {
  const pod = (name: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'shop', labels: { app: name } }, spec: { containers: [{ name: 'c' }] } });
  const pods = [pod('web'), pod('api')];
  const deny = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny', namespace: 'shop' }, spec: { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Ingress'] } };
  // Closes web -> api on every port; reopening it is the reverse diff.
  const closing = Reachability.diff(Reachability.fromManifests(pods), Reachability.fromManifests([...pods, deny]));
  const opening = Reachability.diff(Reachability.fromManifests([...pods, deny]), Reachability.fromManifests(pods));

  test('a CLOSED entry covers the closed connection and not the same one opened', () => {
    const expected = [{ change: ChangeKind.CLOSED, from: 'shop/web', to: 'shop/api' }];
    expect(closing.closed.map((c) => `${c.from} -> ${c.to}`)).toEqual(['shop/web -> shop/api']);
    expect(closing.unexpected(expected)).toEqual([]);
    expect(opening.unexpected(expected).map((c) => `${c.from} -> ${c.to}`)).toEqual(['shop/web -> shop/api']);
  });

  test('an OPENED entry covers the opened connection and not the same one closed; ports narrow it', () => {
    expect(opening.unexpected([{ change: ChangeKind.OPENED, from: '*', to: 'shop/api' }])).toEqual([]);
    expect(closing.unexpected([{ change: ChangeKind.OPENED, from: '*', to: 'shop/api' }])).toHaveLength(1);
    expect(opening.unexpected([{ change: ChangeKind.OPENED, from: '*', to: '*', ports: ['other TCP ports'] }])).toHaveLength(1);
  });

  test('the allow-list file keeps its words: `change: opened` is ChangeKind.OPENED', () => {
    const manifests = pods.map((p) => JSON.stringify(p)).join('\n---\n');
    const allow = tempDir({ 'allow.yaml': '- { change: opened, from: shop/web, to: shop/api }\n' });
    const before = tempDir({ 'p.yaml': manifests, 'deny.yaml': JSON.stringify(deny) });
    const after = tempDir({ 'p.yaml': manifests });
    expect(netpol(['diff', before, '--against', after, '--fail-on', 'opened', '--allow', `${allow}/allow.yaml`]).code).toBe(0);
    expect(netpol(['diff', before, '--against', after, '--fail-on', 'opened']).code).toBe(1);
    const wrongWay = tempDir({ 'allow.yaml': '- { change: closed, from: shop/web, to: shop/api }\n' });
    expect(netpol(['diff', before, '--against', after, '--fail-on', 'opened', '--allow', `${wrongWay}/allow.yaml`]).code).toBe(1);
    const upper = tempDir({ 'allow.yaml': '- { change: OPENED, from: shop/web, to: shop/api }\n' });
    expect(netpol(['diff', before, '--against', after, '--allow', `${upper}/allow.yaml`]).code).toBe(2);
  });
});
