import { Reachability } from '../../src';

/**
 * Endpoints given beside the manifests (`ReachabilityOptions.pods`, `externals`) come from any jsii
 * language or plain JavaScript, where the types are not checked: a missing field, a number for a
 * string, a name with `/`. Each is refused with the field and the fix, never made into an endpoint
 * with a wrong id (`undefined/x`, an empty name) or labels and ports that silently match nothing.
 */
const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'shop' }, spec: { containers: [{ name: 'c' }] } };
const build = (options: unknown) => () => Reachability.fromManifests([pod], options as any);

test.each([
  ['an external without ip', { externals: [{ name: 'api' }] }, /ReachabilityOptions\.externals\[0\]\.ip \(api\) is missing: give an IPv4 or IPv6 address/],
  ['an external whose ip is a number', { externals: [{ name: 'api', ip: 7 }] }, /externals\[0\]\.ip \(api\) is 7, not a string/],
  ['an external without name', { externals: [{ ip: '203.0.113.7' }] }, /externals\[0\]\.name is missing: give the name it has in reports/],
  ['an external with an empty name', { externals: [{ name: '', ip: '203.0.113.7' }] }, /externals\[0\]\.name is empty/],
  ['an external whose dnsName is a number', { externals: [{ name: 'api', ip: '203.0.113.7', dnsName: 5 }] }, /externals\[0\]\.dnsName \(api\) is 5, not a string/],
  ['externals that are no list', { externals: 'api=203.0.113.7' }, /ReachabilityOptions\.externals is "api=203\.0\.113\.7", not a list/],
  ['a pod without namespace', { pods: [{ name: 'x', labels: {} }] }, /ReachabilityOptions\.pods\[0\]\.namespace is missing/],
  ['a pod in an empty namespace', { pods: [{ namespace: '', name: 'x', labels: {} }] }, /pods\[0\]\.namespace is empty/],
  ['a pod without labels', { pods: [{ namespace: 'a', name: 'x' }] }, /pods\[0\] \(a\/x\)\.labels is missing: give the pod's labels as an object of strings/],
  ['a pod with a number for a label value', { pods: [{ namespace: 'a', name: 'x', labels: { app: 5 } }] }, /labels\["app"\] is 5, not a string/],
  ['a pod with a bad label key', { pods: [{ namespace: 'a', name: 'x', labels: { 'a b': 'c' } }] }, /labels key "a b" is not a label key/],
  ['a pod with a port name for a number', { pods: [{ namespace: 'a', name: 'x', labels: {}, ports: [{ number: 'http' }] }] }, /ports\[0\]\.number is "http": give a port number between 1 and 65535/],
  ['a pod with a port out of range', { pods: [{ namespace: 'a', name: 'x', labels: {}, ports: [{ number: 70000 }] }] }, /ports\[0\]\.number is 70000/],
  ['a pod with an unknown protocol', { pods: [{ namespace: 'a', name: 'x', labels: {}, ports: [{ number: 80, protocol: 'tcp' }] }] }, /ports\[0\]\.protocol is "tcp": give one of TCP, UDP, SCTP/],
  ['a pod with a bad port name', { pods: [{ namespace: 'a', name: 'x', labels: {}, ports: [{ number: 80, name: 'HTTP_1' }] }] }, /ports\[0\]\.name "HTTP_1" is not a port name/],
  ['a pod whose workload flag is a string', { pods: [{ namespace: 'a', name: 'x', labels: {}, workload: 'yes' }] }, /\.workload is "yes", not true or false/],
])('%s is refused, naming the field and the fix', (_what, options, message) => {
  expect(build(options)).toThrow(message);
});

test('well-formed endpoints are accepted, and their verdicts are decided', () => {
  const r = Reachability.fromManifests([pod], {
    pods: [{ namespace: 'a', name: 'x', labels: { app: 'x' }, ports: [{ number: 80, name: 'http' }], ip: '10.0.0.9', workload: true }],
    externals: [{ name: 'payment-api', ip: '203.0.113.7', dnsName: 'api.example.com', dnsNames: ['api2.example.com'] }],
  });
  expect(r.endpoints).toEqual(expect.arrayContaining(['shop/web', 'a/x', 'payment-api']));
});
