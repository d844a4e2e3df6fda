import { Reachability, SkipCategory, validateManifests } from '../../src';
import { checkClusterPolicyRules } from '../../src/k8s/admin-policy-rules';
import { netpol, tempDir } from '../cli/cli-harness';
import {
  ALLOW_DNS_CNP, CLUSTER_CONTROL_ANP, DEFAULT_BANP, DOCUMENTED_EXAMPLES, DOMAIN_ALLOW_LIST_CNP, PODS_AND_PORTS_CNP,
} from '../fixtures/cluster-policies';

/**
 * The CRD schema and CEL rules of AdminNetworkPolicy, BaselineAdminNetworkPolicy (v1alpha1) and
 * ClusterNetworkPolicy (v1alpha2), as kubernetes-sigs/network-policy-api declares them: what the
 * API server accepts, and what it refuses with which field path.
 */

/** A deep copy of `o` changed by `edit`. */
function variant<T>(o: T, edit: (copy: any) => void): T {
  const copy = JSON.parse(JSON.stringify(o));
  edit(copy);
  return copy;
}

const codes = (object: unknown) => checkClusterPolicyRules(object).map((f) => `${f.code} ${f.field}`);

describe('accepted: the documented examples', () => {
  test.each(DOCUMENTED_EXAMPLES.map((o) => [o.metadata.name, o]))('%s', (_, object) => {
    expect(checkClusterPolicyRules(object)).toEqual([]);
  });

  test('the limits themselves are accepted: 100 rules and peers in v1alpha1, 25 in v1alpha2, priority 0 and 1000', () => {
    const peers = Array.from({ length: 100 }, (_, i) => ({ namespaces: { matchLabels: { n: `x${i}` } } }));
    expect(codes(variant(CLUSTER_CONTROL_ANP, (o) => {
      o.spec.priority = 1000;
      o.spec.ingress = Array.from({ length: 100 }, (_, i) => ({ name: 'r'.repeat(100), action: 'Deny', from: i === 0 ? peers : [{ namespaces: {} }] }));
    }))).toEqual([]);
    expect(codes(variant(ALLOW_DNS_CNP, (o) => {
      o.spec.priority = 0;
      o.spec.egress = Array.from({ length: 25 }, () => ({ action: 'Deny', to: peers.slice(0, 25), protocols: Array.from({ length: 25 }, () => ({ udp: { destinationPort: { number: 53 } } })) }));
    }))).toEqual([]);
  });
});

describe('refused, with the field path', () => {
  const cases: Array<[string, unknown, string[]]> = [
    ['priority above 1000', variant(CLUSTER_CONTROL_ANP, (o) => { o.spec.priority = 1001; }), ['FieldValueInvalid spec.priority']],
    ['priority below 0', variant(ALLOW_DNS_CNP, (o) => { o.spec.priority = -1; }), ['FieldValueInvalid spec.priority']],
    ['priority quoted', variant(ALLOW_DNS_CNP, (o) => { o.spec.priority = '50'; }), ['FieldValueTypeInvalid spec.priority']],
    ['no priority', variant(CLUSTER_CONTROL_ANP, (o) => { delete o.spec.priority; }), ['FieldValueRequired spec.priority']],
    ['no tier (v1alpha2)', variant(ALLOW_DNS_CNP, (o) => { delete o.spec.tier; }), ['FieldValueRequired spec.tier']],
    ['tier in lower case', variant(ALLOW_DNS_CNP, (o) => { o.spec.tier = 'admin'; }), ['FieldValueNotSupported spec.tier']],
    ['a tier in v1alpha1', variant(CLUSTER_CONTROL_ANP, (o) => { o.spec.tier = 'Admin'; }), ['FieldValueInvalid spec.tier']],
    ['a priority in the v1alpha1 baseline', variant(DEFAULT_BANP, (o) => { o.spec.priority = 5; }), ['FieldValueInvalid spec.priority']],
    ['baseline not named default (CEL)', variant(DEFAULT_BANP, (o) => { o.metadata.name = 'guard'; }), ['FieldValueInvalid metadata.name']],
    ['Pass in the v1alpha1 baseline', variant(DEFAULT_BANP, (o) => { o.spec.ingress[0].action = 'Pass'; }), ['FieldValueNotSupported spec.ingress[0].action']],
    ['Allow in v1alpha2', variant(ALLOW_DNS_CNP, (o) => { o.spec.egress[0].action = 'Allow'; }), ['FieldValueNotSupported spec.egress[0].action']],
    ['Accept in v1alpha1', variant(CLUSTER_CONTROL_ANP, (o) => { o.spec.ingress[0].action = 'Accept'; }), ['FieldValueNotSupported spec.ingress[0].action']],
    ['no action', variant(CLUSTER_CONTROL_ANP, (o) => { delete o.spec.ingress[0].action; }), ['FieldValueRequired spec.ingress[0].action']],
    ['no subject', variant(CLUSTER_CONTROL_ANP, (o) => { delete o.spec.subject; }), ['FieldValueRequired spec.subject']],
    ['both subjects', variant(CLUSTER_CONTROL_ANP, (o) => { o.spec.subject.pods = { namespaceSelector: {}, podSelector: {} }; }), ['FieldValueInvalid spec.subject']],
    ['empty subject', variant(ALLOW_DNS_CNP, (o) => { o.spec.subject = {}; }), ['FieldValueRequired spec.subject']],
    ['v1alpha1 pods subject without namespaceSelector', variant(CLUSTER_CONTROL_ANP, (o) => { o.spec.subject = { pods: { podSelector: {} } }; }),
      ['FieldValueRequired spec.subject.pods.namespaceSelector']],
    ['v1alpha2 pods subject without podSelector', variant(ALLOW_DNS_CNP, (o) => { o.spec.subject = { pods: { namespaceSelector: {} } }; }),
      ['FieldValueRequired spec.subject.pods.podSelector']],
    ['a bad selector operator', variant(ALLOW_DNS_CNP, (o) => { o.spec.subject.namespaces = { matchExpressions: [{ key: 'a', operator: 'Is' }] }; }),
      ['FieldValueInvalid spec.subject.namespaces.matchExpressions[0].operator']],
    ['no peers', variant(ALLOW_DNS_CNP, (o) => { o.spec.egress[0].to = []; }), ['FieldValueRequired spec.egress[0].to']],
    ['a peer with nothing set (fail closed)', variant(ALLOW_DNS_CNP, (o) => { o.spec.egress[0].to = [{}]; }), ['FieldValueRequired spec.egress[0].to[0]']],
    ['a peer with two fields', variant(ALLOW_DNS_CNP, (o) => { o.spec.egress[0].to[0].networks = ['10.0.0.0/8']; }), ['FieldValueInvalid spec.egress[0].to[0]']],
    ['networks in an ingress peer', variant(PODS_AND_PORTS_CNP, (o) => { o.spec.ingress[1].from = [{ networks: ['10.0.0.0/8'] }]; }),
      ['FieldValueInvalid spec.ingress[1].from[0].networks', 'FieldValueRequired spec.ingress[1].from[0]']],
    ['domainNames in the v1alpha1 baseline', variant(DEFAULT_BANP, (o) => { o.spec.egress[0].to = [{ domainNames: ['a.example.com'] }]; }),
      ['FieldValueInvalid spec.egress[0].to[0].domainNames', 'FieldValueRequired spec.egress[0].to[0]']],
    ['101 ingress rules (v1alpha1)', variant(CLUSTER_CONTROL_ANP, (o) => { o.spec.ingress = Array.from({ length: 101 }, () => o.spec.ingress[2]); }),
      ['FieldValueTooMany spec.ingress']],
    ['26 egress rules (v1alpha2)', variant(ALLOW_DNS_CNP, (o) => { o.spec.egress = Array.from({ length: 26 }, () => o.spec.egress[0]); }), ['FieldValueTooMany spec.egress']],
    ['26 peers (v1alpha2)', variant(ALLOW_DNS_CNP, (o) => { o.spec.egress[0].to = Array.from({ length: 26 }, () => o.spec.egress[0].to[0]); }),
      ['FieldValueTooMany spec.egress[0].to']],
    ['26 networks', variant(DEFAULT_BANP, (o) => { o.spec.egress[0].to = [{ networks: Array.from({ length: 26 }, (_, i) => `10.${i}.0.0/16`) }]; }),
      ['FieldValueTooMany spec.egress[0].to[0].networks']],
    ['a rule name of 101 characters', variant(ALLOW_DNS_CNP, (o) => { o.spec.egress[0].name = 'n'.repeat(101); }), ['FieldValueTooLong spec.egress[0].name']],
    ['named port with a networks peer (CEL)', variant(DEFAULT_BANP, (o) => { o.spec.egress[0].ports = [{ namedPort: 'http' }]; }), ['FieldValueInvalid spec.egress[0]']],
    ['named port with a domainNames peer (CEL)', variant(DOMAIN_ALLOW_LIST_CNP, (o) => { o.spec.egress[0].protocols = [{ destinationNamedPort: 'https' }]; }),
      ['FieldValueInvalid spec.egress[0]']],
    ['domainNames with Deny', variant(DOMAIN_ALLOW_LIST_CNP, (o) => { o.spec.egress[0].action = 'Deny'; }), ['FieldValueForbidden spec.egress[0]']],
    ['domainNames with Pass', variant(DOMAIN_ALLOW_LIST_CNP, (o) => { o.spec.egress[0].action = 'Pass'; }), ['FieldValueForbidden spec.egress[0]']],
    ['a domain name with * inside a label', variant(DOMAIN_ALLOW_LIST_CNP, (o) => { o.spec.egress[0].to[0].domainNames = ['*cloud.io']; }),
      ['FieldValueInvalid spec.egress[0].to[0].domainNames[0]']],
    ['a domain name twice (a set)', variant(DOMAIN_ALLOW_LIST_CNP, (o) => { o.spec.egress[0].to[0].domainNames = ['a.io', 'a.io']; }),
      ['FieldValueDuplicate spec.egress[0].to[0].domainNames[1]']],
    ['an invalid CIDR', variant(DEFAULT_BANP, (o) => { o.spec.egress[0].to[0].networks = ['10.0.0.0/33']; }), ['FieldValueInvalid spec.egress[0].to[0].networks[0]']],
    ['a port entry with two fields', variant(CLUSTER_CONTROL_ANP, (o) => { o.spec.egress[0].ports = [{ namedPort: 'dns', portNumber: { port: 53 } }]; }),
      ['FieldValueInvalid spec.egress[0].ports[0]']],
    ['port 0', variant(CLUSTER_CONTROL_ANP, (o) => { o.spec.egress[0].ports[0].portNumber.port = 0; }), ['FieldValueInvalid spec.egress[0].ports[0].portNumber.port']],
    ['protocol in lower case', variant(CLUSTER_CONTROL_ANP, (o) => { o.spec.egress[0].ports[0].portNumber.protocol = 'udp'; }),
      ['FieldValueNotSupported spec.egress[0].ports[0].portNumber.protocol']],
    ['a range with start = end (CEL)', variant(DEFAULT_BANP, (o) => { o.spec.egress[0].ports[0].portRange.end = 1; }), ['FieldValueInvalid spec.egress[0].ports[0].portRange']],
    ['an empty ports list', variant(CLUSTER_CONTROL_ANP, (o) => { o.spec.egress[0].ports = []; }), ['FieldValueRequired spec.egress[0].ports']],
    ['tcp: {} (minProperties 1)', variant(ALLOW_DNS_CNP, (o) => { o.spec.egress[0].protocols = [{ tcp: {} }]; }), ['FieldValueRequired spec.egress[0].protocols[0].tcp']],
    ['tcp and udp in one entry', variant(ALLOW_DNS_CNP, (o) => { o.spec.egress[0].protocols = [{ tcp: { destinationPort: { number: 53 } }, udp: { destinationPort: { number: 53 } } }]; }),
      ['FieldValueInvalid spec.egress[0].protocols[0]']],
    ['number and range in one destinationPort', variant(PODS_AND_PORTS_CNP, (o) => { o.spec.ingress[1].protocols[0].udp.destinationPort.number = 5; }),
      ['FieldValueInvalid spec.ingress[1].protocols[0].udp.destinationPort']],
    ['a v1alpha2 range backwards (CEL)', variant(PODS_AND_PORTS_CNP, (o) => { o.spec.ingress[1].protocols[0].udp.destinationPort.range = { start: 9, end: 8 }; }),
      ['FieldValueInvalid spec.ingress[1].protocols[0].udp.destinationPort.range']],
    ['v1alpha1 ports in v1alpha2', variant(ALLOW_DNS_CNP, (o) => { o.spec.egress[0].ports = [{ portNumber: { port: 53 } }]; }), ['FieldValueInvalid spec.egress[0].ports']],
    ['a misspelt field', variant(CLUSTER_CONTROL_ANP, (o) => { o.spec.ingres = []; }), ['FieldValueInvalid spec.ingres']],
    ['the wrong apiVersion', variant(ALLOW_DNS_CNP, (o) => { o.apiVersion = 'policy.networking.k8s.io/v1alpha1'; }), ['FieldValueNotSupported apiVersion']],
    ['no spec', variant(ALLOW_DNS_CNP, (o) => { delete o.spec; }), ['FieldValueRequired spec']],
    ['a name that is no DNS subdomain', variant(ALLOW_DNS_CNP, (o) => { o.metadata.name = 'Allow_DNS'; }), ['FieldValueInvalid metadata.name']],
  ];
  test.each(cases)('%s', (_, object, expected) => {
    expect(codes(object)).toEqual(expected);
    for (const f of checkClusterPolicyRules(object)) {
      expect(f.message.length).toBeGreaterThan(0);
      expect(f.fix.length).toBeGreaterThan(0);
    }
  });

  test('not an object: one finding, never a throw', () => {
    for (const value of [null, 3, 'x', []]) expect(codes(value)).toEqual(['FieldValueTypeInvalid ']);
  });
});

describe('netpol validate and validateManifests check them in any input', () => {
  test('valid ones are counted as checked; no finding, nothing left out as unchecked', () => {
    const report = validateManifests(DOCUMENTED_EXAMPLES.map((object) => ({ object })));
    expect(report.checkedClusterPolicies).toBe(DOCUMENTED_EXAMPLES.length);
    expect(report.findings).toEqual([]);
  });

  test('an invalid one: its findings with file:line, object, field and fix; exit 1', () => {
    const bad = variant(DEFAULT_BANP, (o) => { o.metadata.name = 'guard'; o.spec.ingress[0].action = 'Pass'; });
    const dir = tempDir({ 'banp.yaml': `# the baseline\n---\n${JSON.stringify(bad)}\n` });
    const r = netpol(['validate', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`${dir}/banp.yaml:3: guard: error FieldValueInvalid metadata.name: Invalid value: "guard": Only one baseline admin network policy`);
    expect(r.stdout).toContain(`${dir}/banp.yaml:3: guard: error FieldValueNotSupported spec.ingress[0].action: Unsupported value: "Pass": supported values: "Allow", "Deny"\n`
      + '    fix: The baseline is the last tier: there is nothing to pass to.');
    expect(r.stdout).toContain('checked 0 NetworkPolicies and 1 cluster policy in 1 file: 2 errors, 0 warnings');
    expect(r.stderr).toBe('');
    const json = JSON.parse(netpol(['validate', dir, '--format', 'json']).stdout);
    expect(json.checkedClusterPolicies).toBe(1);
    expect(json.findings.map((f: any) => f.field)).toEqual(['metadata.name', 'spec.ingress[0].action']);
  });

  test('the analyser leaves out one the API server would reject, with the field and the fix', () => {
    const bad = variant(ALLOW_DNS_CNP, (o) => { o.spec.priority = 1001; });
    const r = Reachability.fromManifests([bad]);
    expect(r.skipped).toEqual([{
      object: 'allow-dns',
      category: SkipCategory.INVALID_POLICY,
      kind: 'ClusterNetworkPolicy',
      reason: 'the API server would reject it (spec.priority: Invalid value: 1001: should be less than or equal to 1000), so it cannot take effect. '
        + 'Fix: Use a priority from 0 (evaluated first) to 1000.',
    }]);
  });

  test('a version the library does not model stays left out as not modelled', () => {
    const future = variant(ALLOW_DNS_CNP, (o) => { o.apiVersion = 'policy.networking.k8s.io/v1beta1'; });
    const report = validateManifests([{ object: future }]);
    expect(report.checkedClusterPolicies).toBe(0);
    expect(report.leftOut.map((s) => `${s.kind} ${s.category}`)).toEqual(['ClusterNetworkPolicy NOT_MODELLED']);
  });
});
