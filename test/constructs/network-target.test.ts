import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import {
  ClusterPolicyApi, NetpolApp, NetworkFeature, NetworkPlugin, NetworkTarget,
} from '../../src';

describe('NetworkTarget: the network plugin, declared once on the app or a chart', () => {
  test('plain Kubernetes when nothing is declared, and it supports nothing beyond NetworkPolicy', () => {
    const chart = new Chart(Testing.app(), 'c');
    const target = NetworkTarget.of(chart);
    expect(target.plugin).toBe(NetworkPlugin.KUBERNETES);
    expect(target.clusterPolicyApi).toBe(ClusterPolicyApi.NONE);
    for (const feature of Object.values(NetworkFeature)) expect(target.supports(feature)).toBe(false);
  });

  test('declared on the app, it holds for every chart and construct below it', () => {
    const app = Testing.app();
    NetworkTarget.declare(app, NetworkTarget.cilium());
    const chart = new Chart(app, 'c');
    expect(NetworkTarget.of(chart).plugin).toBe(NetworkPlugin.CILIUM);
    expect(NetworkTarget.of(chart.node.root).plugin).toBe(NetworkPlugin.CILIUM);
    for (const feature of Object.values(NetworkFeature)) expect(NetworkTarget.of(chart).supports(feature)).toBe(true);
  });

  test('a chart\'s own declaration wins over its app\'s, for that chart only', () => {
    const app = Testing.app();
    NetworkTarget.declare(app, NetworkTarget.cilium());
    const a = new Chart(app, 'a');
    const b = new Chart(app, 'b');
    NetworkTarget.declare(b, NetworkTarget.calico({ clusterPolicyApi: ClusterPolicyApi.CLUSTER_NETWORK_POLICY_V1ALPHA2 }));
    expect(NetworkTarget.of(a).plugin).toBe(NetworkPlugin.CILIUM);
    expect(NetworkTarget.of(b).plugin).toBe(NetworkPlugin.CALICO);
    expect(NetworkTarget.of(b).clusterPolicyApi).toBe(ClusterPolicyApi.CLUSTER_NETWORK_POLICY_V1ALPHA2);
    expect(NetworkTarget.of(b).supports(NetworkFeature.FQDN_EGRESS)).toBe(false);
  });

  test('a scope declares once: the same target again is accepted, another one is an error naming both', () => {
    const app = Testing.app();
    NetworkTarget.declare(app, NetworkTarget.cilium());
    expect(() => NetworkTarget.declare(app, NetworkTarget.cilium())).not.toThrow();
    expect(() => NetworkTarget.declare(app, NetworkTarget.kubernetes())).toThrow(/declares the network target twice: NetworkTarget.cilium\(\) and NetworkTarget.kubernetes\(\)/);
    expect(NetworkTarget.of(app).plugin).toBe(NetworkPlugin.CILIUM);
  });

  test('only a NetworkTarget made by a factory is accepted', () => {
    const app = Testing.app();
    expect(() => NetworkTarget.declare(app, { plugin: 'cilium' } as any)).toThrow(/is not a NetworkTarget. Use NetworkTarget.kubernetes\(\)/);
    expect(() => NetworkTarget.kubernetes({ clusterPolicyApi: 'v9' as any })).toThrow(/clusterPolicyApi "v9" is not a ClusterPolicyApi/);
    expect(() => new (NetworkTarget as any)(undefined, 'cilium')).toThrow(/is not how a NetworkTarget is made/);
  });

  test('NetpolAppProps.target declares it on the app', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-target-'));
    const app = new NetpolApp({ outdir: path.join(outdir, 'dist'), target: NetworkTarget.cilium() });
    expect(NetworkTarget.of(new Chart(app, 'c')).plugin).toBe(NetworkPlugin.CILIUM);
    expect(NetworkTarget.of(new Chart(new NetpolApp({ outdir: path.join(outdir, 'other') }), 'c')).plugin).toBe(NetworkPlugin.KUBERNETES);
  });

  test('a refusal says what the declaration needs, why the target cannot say it, and what to do instead', () => {
    const message = NetworkTarget.kubernetes()._refusal(NetworkFeature.FQDN_EGRESS, 'allow web -> stripe');
    expect(message).toMatch(/allow web -> stripe needs egress to DNS names .* which the network target NetworkTarget.kubernetes\(\) cannot express \(the default/);
    expect(message).toMatch(/NetworkTarget.declare\(app, NetworkTarget.cilium\(\)\)/);
    expect(message).toMatch(/ExternalDestination.cidrs/);
    expect(NetworkTarget.cilium()._refusal(NetworkFeature.FQDN_EGRESS, 'x')).toBeUndefined();
  });
});
