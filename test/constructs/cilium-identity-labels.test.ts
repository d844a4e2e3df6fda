import { Chart, Testing } from 'cdk8s';
import { Endpoint, HttpRule, NetworkPolicies, NetworkTarget, Peer, Port, Reachability, Selector } from '../../src';

/**
 * docs.cilium.io "Limiting Identity-Relevant Labels": by default Cilium leaves out of a pod's
 * identity, among others, `statefulset.kubernetes.io/pod-name`, `pod-template-hash` and
 * `controller-revision-hash`; a selector on such a key selects no endpoint. A CiliumNetworkPolicy
 * whose subject or peer selects on one would be a silent drop on the cluster (a deny denying
 * nothing, HTTP rules restricting nothing): the synth refuses it with the declaration, the key and
 * the fix. The check is the analyser's predicate (ciliumIdentityFilter), not a second list.
 */
function chart(): Chart {
  const app = Testing.app();
  NetworkTarget.declare(app, NetworkTarget.cilium());
  return new Chart(app, 'c', { namespace: 'shop' });
}
const web = Endpoint.fromLabels('web', { app: 'web' });
const primary = Endpoint.fromLabels('db-primary', { 'statefulset.kubernetes.io/pod-name': 'db-0' });

describe('Cilium policies that select by labels outside Cilium identities are refused at synth', () => {
  test('deny(web, one StatefulSet pod by its pod-name label) is refused, naming the declaration, the key and the fix', () => {
    const c = chart();
    NetworkPolicies.of(c).deny(web, primary, Port.tcp(5432));
    expect(() => Testing.synth(c)).toThrow(/deny web \(app=web\) -> db-primary.*egressDeny.*statefulset\.kubernetes\.io\/pod-name.*e\.g\. app/s);
  });

  test('deny(web, Peer.pods by pod-template-hash) is refused', () => {
    const c = chart();
    NetworkPolicies.of(c).deny(web, Peer.pods(Selector.labels({ 'pod-template-hash': '5d8f7c' })), Port.tcp(5432));
    expect(() => Testing.synth(c)).toThrow(/pod-template-hash/);
  });

  test('allowHttp to an endpoint selected by controller-revision-hash is refused (its endpointSelector selects no pod)', () => {
    const c = chart();
    const api = Endpoint.fromLabels('api', { 'controller-revision-hash': 'api-7c9' });
    NetworkPolicies.of(c).allowHttp(web, api, Port.tcp(8080), HttpRule.of({ path: '/public' }));
    expect(() => Testing.synth(c)).toThrow(/endpointSelector.*controller-revision-hash/s);
  });

  test('the same deny by a label of the workload\'s own is written, and the analyser proves it denies (and leaves the rest allowed)', () => {
    const c = chart();
    const db = Endpoint.fromLabels('db', { 'app': 'db', 'app.kubernetes.io/name': 'db' });
    NetworkPolicies.of(c).deny(web, db, Port.tcp(5432));
    const manifests = Testing.synth(c);
    const pod = (name: string, labels: Record<string, string>) => ({
      apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'shop', labels }, spec: { containers: [{ name: 'c', ports: [{ containerPort: 5432 }, { containerPort: 8080 }] }] },
    });
    const r = Reachability.fromManifests([
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
      pod('web', { app: 'web' }), pod('db', { 'app': 'db', 'app.kubernetes.io/name': 'db' }), ...manifests,
    ]);
    expect(r.allows('shop/web', 'shop/db', Port.tcp(5432))).toBe(false);
    expect(r.allows('shop/web', 'shop/db', Port.tcp(8080))).toBe(true);
  });
});
