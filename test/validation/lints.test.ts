import * as fs from 'fs';
import * as path from 'path';
import * as jsyaml from 'js-yaml';
import { validateManifests } from '../../src/validation/validate-manifests';

/**
 * The README documents every lint with a bad and a fixed example; both are checked here, so the
 * documentation cannot drift from the behaviour: the bad one triggers the lint, the fixed one gives
 * no finding at all.
 */
const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
const examples = [...readme.matchAll(/<!-- lint:(NP\d{3}):(bad|fixed) -->\s*```yaml\n([\s\S]*?)```/g)]
  .map(([, code, kind, yaml]) => ({ code, kind, objects: jsyaml.loadAll(yaml).map((object) => ({ object, file: 'README.md' })) }));
const CODES = ['NP001', 'NP002', 'NP003', 'NP004', 'NP005', 'NP006', 'NP007', 'NP008', 'NP009', 'NP010', 'NP011', 'NP012', 'NP013', 'NP014', 'NP015', 'NP016', 'NP017', 'NP018', 'NP019', 'NP021', 'NP022', 'NP023'];
/** The coverage lints, which run only with `coverage`. */
const COVERAGE = ['NP017', 'NP018'];

test('the README has a bad and a fixed example for every lint code', () => {
  for (const code of CODES) {
    expect(examples.filter((e) => e.code === code).map((e) => e.kind).sort()).toEqual(['bad', 'fixed']);
  }
});

describe.each(CODES)('%s', (code) => {
  const validate = (kind: string) => validateManifests(examples.find((e) => e.code === code && e.kind === kind)!.objects,
    { clusterCidrs: ['10.244.0.0/16'], coverage: COVERAGE.includes(code) });

  test('the bad example triggers it, with a field path and a fix', () => {
    const findings = validate('bad').findings.filter((f) => f.code === code);
    expect(findings.length).toBeGreaterThan(0);
    for (const f of findings) {
      expect(f.field).toMatch(/^(metadata|spec)\./);
      expect(f.fix.length).toBeGreaterThan(10);
      // NetworkPolicies are <namespace>/<name>; cluster-wide policies have a name only.
      expect(f.object).toMatch(code === 'NP016' || code === 'NP021' ? /^[a-z-]+$/ : /\//);
    }
    expect(findings[0].severity).toBe(code === 'NP011' ? 'error' : 'warning');
  });

  test('the fixed example gives no finding', () => {
    expect(validate('fixed').findings).toEqual([]);
  });
});

describe('lint details', () => {
  const np = (name: string, spec: any, ns = 'shop') => ({ object: { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: ns }, spec } });

  test('field paths point at the offending element', () => {
    const report = validateManifests([np('x', {
      podSelector: {},
      policyTypes: ['Ingress'],
      ingress: [
        { from: [{ podSelector: { matchLabels: { a: 'b' } } }] },
        { from: [{ podSelector: { matchLabels: { a: 'b' } } }, { namespaceSelector: { matchLabels: { n: 'm' } } }, { podSelector: {} }] },
        {},
      ],
    })]);
    const byCode = (c: string) => report.findings.filter((f) => f.code === c).map((f) => f.field);
    expect(byCode('NP001')).toEqual(['spec.ingress[2]']);
    expect(byCode('NP003')).toEqual(['spec.ingress[1].from[0]', 'spec.ingress[1].from[1]']);
    expect(byCode('NP008')).toEqual(['spec.ingress[0]', 'spec.ingress[1]']);
  });

  test('NP007/NP008 read ports as the API server does: port null is every port of the protocol, protocol null is TCP', () => {
    const report = validateManifests([np('x', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        { to: [{ podSelector: {} }], ports: [{ protocol: 'UDP', port: null }] },
        { to: [{ podSelector: {} }], ports: [{ protocol: 'UDP', port: 99 }] },
        { to: [{ podSelector: {} }], ports: [{ protocol: null, port: 'http' }] },
        { to: [{ podSelector: {} }], ports: [{ protocol: 'TCP', port: 'http' }] },
        { to: [{ podSelector: {} }], ports: [{ protocol: 'UDP', port: 'http' }, { protocol: 'SCTP', port: 80, endPort: 90 }] },
        { to: [{ podSelector: {} }], ports: [{ protocol: 'SCTP', port: 90 }] },
        { to: [{ podSelector: {} }], ports: [{ protocol: 'TCP', port: 99 }, { protocol: 'SCTP', port: 91 }] },
      ],
    })]);
    const found = (c: string) => report.findings.filter((f) => f.code === c).map((f) => `${f.field}: ${f.message}`);
    expect(found('NP008')).toEqual([
      'spec.egress[1]: allows nothing that spec.egress[0] does not already allow', // 99/UDP is one of every UDP port
      'spec.egress[5]: allows nothing that spec.egress[4] does not already allow', // ranges are inclusive
    ]);
    expect(found('NP007')).toEqual(['spec.egress[3]: is the same rule as spec.egress[2]']);
    // SCTP is not UDP, TCP is neither, and 91 is outside 80-90
    expect(report.findings.filter((f) => f.field === 'spec.egress[6]')).toEqual([]);
  });

  test('lints skip policies the API server rejects, and findings carry object, file and line', () => {
    const report = validateManifests([{ object: np('bad', { podSelector: {}, ingress: [{ from: [], ports: [{ port: 0 }] }] }).object, file: 'a.yaml', line: 7 }]);
    expect(report.findings.map((f) => f.code)).toEqual(['FieldValueInvalid']);
    expect(report.findings[0]).toMatchObject({ object: 'shop/bad', file: 'a.yaml', line: 7, field: 'spec.ingress[0].ports[0].port' });
  });

  test('NP002 is satisfied by an egress rule on 53/UDP, a UDP range or all ports, for every isolated pod', () => {
    const deny = np('deny', { podSelector: {}, policyTypes: ['Egress'] });
    const np002 = (...objects: Array<{ object: unknown }>) => validateManifests(objects).findings.filter((f) => f.code === 'NP002');
    for (const ports of [[{ protocol: 'UDP', port: 53 }], [{ protocol: 'UDP', port: 1, endPort: 100 }], [{ protocol: 'UDP' }], undefined]) {
      const dns = np('dns', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: {} }], ...(ports ? { ports } : {}) }] });
      expect(np002(deny, dns)).toEqual([]);
    }
    const tcpOnly = np('dns', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: {} }], ports: [{ port: 53 }] }] });
    expect(np002(deny, tcpOnly).map((f) => f.object)).toEqual(['shop/deny']);
    const otherNamespace = np('dns', { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ protocol: 'UDP', port: 53 }] }] }, 'elsewhere');
    expect(np002(deny, otherNamespace).map((f) => f.object)).toEqual(['shop/deny']);
    // DNS for some pods only: the others of the namespace still cannot resolve names
    const some = np('dns', { podSelector: { matchLabels: { a: 'b' } }, policyTypes: ['Egress'], egress: [{ ports: [{ protocol: 'UDP', port: 53 }] }] });
    expect(np002(deny, some).map((f) => [f.object, f.message])).toEqual([
      ['shop/deny', 'isolates the egress of every pod of namespace shop, and no policy there that selects them allows DNS (53/UDP), so name lookups will fail'],
    ]);
  });

  test('NP002 takes the named UDP port dns for DNS (how CoreDNS names 53/UDP, as the inventory\'s stand-in for it does), never domain, a TCP or other name', () => {
    const deny = np('deny', { podSelector: {}, policyTypes: ['Egress'] });
    const np002 = (ports: unknown[]) => validateManifests([deny, np('dns', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: {} }], ports }] })])
      .findings.filter((f) => f.code === 'NP002').map((f) => f.object);
    expect(np002([{ protocol: 'UDP', port: 'dns' }])).toEqual([]);
    // The cluster DNS's pods name 53/UDP dns (coredns.yaml.base), none domain: a rule of domain does not reach them.
    expect(np002([{ protocol: 'UDP', port: 'domain' }])).toEqual(['shop/deny']);
    expect(np002([{ port: 'dns' }])).toEqual(['shop/deny']);
    expect(np002([{ protocol: 'UDP', port: 'dns-tcp' }])).toEqual(['shop/deny']);
    expect(np002([{ protocol: 'UDP', port: 54, endPort: 60 }, { protocol: 'SCTP' }])).toEqual(['shop/deny']);
  });

  test('NP002 also when a single allow isolates egress (no namespace-wide deny), with the workloads named where known', () => {
    const egress = np('web-egress', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: { app: 'api' } } }], ports: [{ port: 9000 }] }] });
    const np002 = (...objects: Array<{ object: unknown }>) => validateManifests(objects).findings.filter((f) => f.code === 'NP002');
    expect(np002(egress).map((f) => [f.object, f.field, f.message])).toEqual([
      ['shop/web-egress', 'spec.policyTypes', 'isolates the egress of the pods it selects in namespace shop, and no policy there that selects them allows DNS (53/UDP), so name lookups will fail'],
    ]);
    const web = { object: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop' }, spec: { template: { metadata: { labels: { app: 'web', tier: 'fe' } } } } } };
    expect(np002(egress, web).map((f) => f.message)).toEqual(['isolates the egress of shop/web, and no policy that selects it allows DNS (53/UDP), so it cannot resolve names']);
    // a wider policy with DNS covers it; a narrower or unrelated one does not
    const wide = np('dns', { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ protocol: 'UDP', port: 53 }] }] });
    const same = np('dns', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ ports: [{ protocol: 'UDP', port: 53 }] }] });
    const narrower = np('dns', { podSelector: { matchLabels: { app: 'web', tier: 'fe' } }, policyTypes: ['Egress'], egress: [{ ports: [{ protocol: 'UDP', port: 53 }] }] });
    const other = np('dns', { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Egress'], egress: [{ ports: [{ protocol: 'UDP', port: 53 }] }] });
    expect(np002(egress, wide)).toEqual([]);
    expect(np002(egress, same)).toEqual([]);
    expect(np002(egress, narrower)).toHaveLength(1);
    expect(np002(egress, other)).toHaveLength(1);
    // with the workload known, the narrower policy does select it
    expect(np002(egress, narrower, web)).toEqual([]);
    // an ingress-only policy isolates no egress
    expect(np002(np('in', { podSelector: {}, policyTypes: ['Ingress'] }))).toEqual([]);
  });

  test('NP004 checks peers only in namespaces with declared workloads', () => {
    const deploy = { object: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api', namespace: 'shop' }, spec: { template: { metadata: { labels: { app: 'api' } } } } } };
    const policy = np('api', {
      podSelector: { matchLabels: { app: 'api' } },
      policyTypes: ['Ingress'],
      ingress: [{
        from: [
          { podSelector: { matchLabels: { app: 'wbe' } } },
          { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } }, podSelector: { matchLabels: { app: 'x' } } },
        ],
      }],
    });
    const report = validateManifests([deploy, policy]);
    expect(report.findings.filter((f) => f.code === 'NP004').map((f) => f.field)).toEqual(['spec.ingress[0].from[0].podSelector']);
  });

  test('other kinds are ignored and List wrappers are opened', () => {
    const list = { object: { apiVersion: 'v1', kind: 'List', items: [np('a', { podSelector: {}, policyTypes: ['Ingress'] }).object, { kind: 'ConfigMap', metadata: { name: 'c' } }] } };
    const report = validateManifests([list, { object: { kind: 'Secret' } }]);
    expect(report.checked).toBe(1);
    expect(report.findings).toEqual([]);
  });
});

describe('accepting lints by annotation', () => {
  const np = (name: string, spec: any, ns = 'shop') => ({ object: { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: ns }, spec } });
  const annotated = (name: string, annotations: Record<string, string>, spec: Record<string, unknown>) => {
    const o = np(name, spec);
    (o.object as any).metadata.annotations = annotations;
    return o;
  };
  const open = { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [] }, { from: [], ports: [{ port: 22 }] }] };

  test('an acceptance names a field: findings elsewhere in the object still count', () => {
    const scoped = annotated('web', { 'cdk8s-netpol.dev/accept-NP001': 'spec.ingress[0]: public on purpose' }, open);
    const report = validateManifests([scoped]);
    expect(report.silenced.map((f) => [f.code, f.field, f.reason])).toEqual([['NP001', 'spec.ingress[0].from', 'public on purpose']]);
    expect(report.findings.map((f) => [f.code, f.field])).toEqual([['NP001', 'spec.ingress[1].from'], ['NP008', 'spec.ingress[1]']]);
    const whole = annotated('web', { 'cdk8s-netpol.dev/accept-NP001': 'all public', 'cdk8s-netpol.dev/accept-NP008': 'kept for the reader' }, open);
    expect(validateManifests([whole]).findings).toEqual([]);
  });

  test('an error (NP011) is never accepted, and one object\'s annotation never silences another object', () => {
    const a = annotated('api', { 'cdk8s-netpol.dev/accept-NP011': 'please' }, { podSelector: {}, policyTypes: ['Ingress'] });
    const b = np('api', { podSelector: { matchLabels: { x: 'y' } }, policyTypes: ['Ingress'] });
    const dup = validateManifests([b, a]);
    expect(dup.findings.filter((f) => f.code === 'NP011').map((f) => f.message)).toEqual([expect.stringContaining('an error cannot be accepted')]);
    expect(dup.silenced).toEqual([]);
    // same namespace/name, the later object carries the acceptance: the earlier object's NP001 still counts
    const first = np('web', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [] }] });
    const second = annotated('web', { 'cdk8s-netpol.dev/accept-NP001': 'mine is public' }, { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [] }] });
    const both = validateManifests([first, second]);
    expect(both.findings.filter((f) => f.code === 'NP001')).toHaveLength(1);
    expect(both.silenced.filter((f) => f.code === 'NP001')).toHaveLength(1);
  });

  test('an empty declared-by-labels annotation declares nothing', () => {
    const deploy = { object: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api', namespace: 'shop' }, spec: { template: { metadata: { labels: { app: 'api' } } } } } };
    const typo = annotated('apl', { 'cdk8s-netpol.dev/declared-by-labels': ' ' }, { podSelector: { matchLabels: { app: 'apl' } }, policyTypes: ['Ingress'] });
    expect(validateManifests([deploy, typo]).findings.map((f) => f.code)).toEqual(['NP004']);
  });
});

describe('NP002 looks at where a DNS rule goes, not only at its port (hostile review)', () => {
  const np = (name: string, spec: any) => ({ object: { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: 'shop' }, spec } });
  const np002 = (...objects: Array<{ object: unknown }>) => validateManifests(objects).findings.filter((f) => f.code === 'NP002').map((f) => f.object);
  const egress = (rule: Record<string, unknown>) => np('web-egress', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [rule] });

  test('every port to one workload, or every UDP port to an external range, is no DNS', () => {
    expect(np002(egress({ to: [{ podSelector: { matchLabels: { app: 'api' } } }] }))).toEqual(['shop/web-egress']);
    expect(np002(egress({ to: [{ ipBlock: { cidr: '203.0.113.0/24' } }], ports: [{ protocol: 'UDP' }] }))).toEqual(['shop/web-egress']);
  });

  test('the cluster DNS pods, NodeLocal DNSCache, every destination, or a rule only for port 53 are DNS', () => {
    const kubeDns = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } };
    expect(np002(egress({ to: [kubeDns] }))).toEqual([]);
    expect(np002(egress({ to: [{ namespaceSelector: {} }], ports: [{ protocol: 'UDP' }] }))).toEqual([]);
    expect(np002(egress({ to: [{ ipBlock: { cidr: '169.254.20.10/32' } }], ports: [{ port: 53, protocol: 'UDP' }] }))).toEqual([]);
    expect(np002(egress({ to: [{ ipBlock: { cidr: '169.254.0.0/16', except: ['169.254.20.0/24'] } }], ports: [{ protocol: 'UDP' }] }))).toEqual(['shop/web-egress']);
    expect(np002(egress({ ports: [{ protocol: 'UDP' }] }))).toEqual([]);
    // a custom DNS server: a rule written for port 53 alone
    expect(np002(egress({ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'dns' } } }], ports: [{ port: 53, protocol: 'UDP' }] }))).toEqual([]);
  });
});
