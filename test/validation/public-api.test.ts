import * as fs from 'fs';
import * as path from 'path';
import { LocatedFinding, ManifestValidation, ManifestValidationReport, Severity, SkipCategory, validateManifests } from '../../src';

/**
 * `validateManifests` is public (and `ManifestValidation.validate` for the jsii languages): it is
 * what returns the exported `Finding` and `Severity`, with the object, file and line.
 */
const np = (name: string, spec: any, annotations?: Record<string, string>) => ({
  apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: 'shop', ...(annotations ? { annotations } : {}) }, spec,
});
const valid = np('api', { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }] });
const invalid = np('bad', { podSelector: {}, ingress: [{ ports: [{ port: 0 }] }] });
const anyone = np('open', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{}] });

describe('validateManifests from the package root', () => {
  test('a valid policy: checked, no finding', () => {
    const report = validateManifests([{ object: valid }]);
    expect(report.checked).toBe(1);
    expect(report.findings).toEqual([]);
  });

  test('an invalid policy: an error Finding, located by object, file and line', () => {
    const report: ManifestValidationReport = validateManifests([{ object: valid, file: 'a.yaml', line: 1 }, { object: invalid, file: 'a.yaml', line: 9 }]);
    expect(report.checked).toBe(2);
    const finding: LocatedFinding = report.findings[0];
    expect(finding).toMatchObject({
      severity: Severity.ERROR, code: 'FieldValueInvalid', field: 'spec.ingress[0].ports[0].port', object: 'shop/bad', file: 'a.yaml', line: 9,
    });
    expect(report.findings.every((f) => f.object === 'shop/bad')).toBe(true);
  });

  test('a lint its object accepts with a reason is silenced; other kinds are counted or left out', () => {
    const accepted = np('open', anyone.spec, { 'cdk8s-netpol.dev/accept-NP001': 'public web server' });
    const report = validateManifests([{ object: accepted }, { object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } } },
      { object: { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'x', namespace: 'shop' } } },
      { object: { apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name: 'g' }, spec: {} } }]);
    expect(report.findings.filter((f) => f.code === 'NP001')).toEqual([]);
    expect(report.silenced).toMatchObject([{ code: 'NP001', severity: Severity.WARNING, object: 'shop/open', reason: 'public web server' }]);
    expect(report.kinds.map((k) => k.kind)).toEqual(expect.arrayContaining(['CiliumNetworkPolicy', 'ConfigMap', 'NetworkPolicy']));
    // The CiliumNetworkPolicy is checked (the analyser models it); the Calico policy is neither checked nor modelled.
    expect(report.leftOut).toMatchObject([{ object: 'g', kind: 'GlobalNetworkPolicy', category: SkipCategory.NOT_MODELLED }]);
    expect(validateManifests([{ object: anyone }]).findings.map((f) => f.code)).toContain('NP001');
  });

  test('ManifestValidation.validate is the same validation, for the jsii languages', () => {
    const objects = [{ object: valid }, { object: invalid, file: 'b.yaml', line: 3 }, { object: anyone }];
    const options = { clusterCidrs: ['10.244.0.0/16'] };
    expect(ManifestValidation.validate(objects, options)).toEqual(validateManifests(objects, options));
  });

  test('a bad cluster CIDR is refused, with the fix', () => {
    expect(() => validateManifests([], { clusterCidrs: ['10.0.0.0/33'] })).toThrow(/cluster CIDR "10.0.0.0\/33" is not a valid CIDR\. Give the pod and service ranges/);
  });
});

describe('the report types in the jsii assembly', () => {
  const assemblyFile = path.join(__dirname, '..', '..', '.jsii');
  const types = () => {
    if (!fs.existsSync(assemblyFile)) throw new Error('.jsii is missing: compile first (`npx projen compile`; `npm test` does it before jest).');
    return JSON.parse(fs.readFileSync(assemblyFile, 'utf8')).types;
  };

  test('are structs of readonly fields, and a LocatedFinding is a Finding', () => {
    const t = types();
    for (const name of ['ManifestValidationOptions', 'ManifestValidationReport', 'LocatedFinding', 'SilencedFinding', 'SkippedManifest', 'SourcedObject', 'Finding', 'KindCount']) {
      const type = t[`cdk8s-netpol.${name}`];
      expect({ name, datatype: type?.datatype, mutable: (type?.properties ?? []).filter((p: any) => !p.immutable).map((p: any) => p.name) })
        .toEqual({ name, datatype: true, mutable: [] });
    }
    expect(t['cdk8s-netpol.LocatedFinding'].interfaces).toEqual(['cdk8s-netpol.Finding']);
    expect(t['cdk8s-netpol.SilencedFinding'].interfaces).toEqual(['cdk8s-netpol.LocatedFinding']);
  });

  test('ManifestValidation.validate returns the report', () => {
    const validate = types()['cdk8s-netpol.ManifestValidation'].methods.find((m: any) => m.name === 'validate');
    expect(validate).toMatchObject({ static: true, returns: { type: { fqn: 'cdk8s-netpol.ManifestValidationReport' } } });
  });
});
