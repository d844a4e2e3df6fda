import { Testing } from 'cdk8s';
import { policiesOf, yamlOf } from './helpers';
import { NamespaceBaseline } from '../examples/namespace-baseline';

describe('example: namespace baseline', () => {
  const chart = new NamespaceBaseline(Testing.app(), 'namespace-baseline');

  test('YAML is locked', () => {
    expect(yamlOf(chart)).toMatchSnapshot();
  });

  test('every pod of shop is isolated both ways, and may only reach cluster DNS', () => {
    const [deny, dns] = policiesOf(chart);
    expect(deny.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    expect(dns.spec.policyTypes).toEqual(['Egress']);
    expect(dns.spec.egress).toHaveLength(1);
    expect(dns.spec.egress[0].ports).toEqual([{ protocol: 'TCP', port: 53 }, { protocol: 'UDP', port: 53 }]);
    expect(policiesOf(chart).every((p) => p.metadata.namespace === 'shop')).toBe(true);
  });
});
