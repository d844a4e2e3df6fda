import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { StackIntent } from './intent';

/** The image of every synthetic workload. */
const IMAGE = 'registry.example/app:1.0.0';

/**
 * The same connectivity written with cdk8s-plus-28, the way its docs suggest: a `Deployment` per
 * service (pods labelled `app: <name>`, container ports set), a namespace-wide default deny and a
 * DNS policy per namespace as `kplus.NetworkPolicy`, and `connections.allowTo(peer, { ports })` per
 * dependency (an egress policy on the source and an ingress policy on the target, one rule each).
 *
 * Two cdk8s-plus-28 defects are worked around: `allowTo` twice with the same peer throws (duplicate
 * construct id), so each source/target pair gets one call with all its ports; and
 * `NetworkPolicyPort.allTcp()` emits port 0, so only explicit ports are used.
 *
 * @param withPolicies false: the workloads only (to show what the Deployments alone cost)
 */
export function addCdk8sPlusStack(app: App, intent: StackIntent, withPolicies = true): Chart {
  const chart = new Chart(app, 'alt');
  const workloads = intent.services.map((s) => {
    const deployment = new kplus.Deployment(chart, s.name, {
      metadata: { name: s.name, namespace: s.namespace },
      select: false,
      podMetadata: { labels: s.labels },
      containers: [{ name: 'app', image: IMAGE, ports: s.ports.map((number) => ({ number })) }],
    });
    deployment.select(kplus.LabelSelector.of({ labels: s.labels }));
    return deployment;
  });
  if (!withPolicies) return chart;

  for (const ns of intent.namespaces) {
    new kplus.NetworkPolicy(chart, `${ns}-default-deny`, {
      metadata: { name: 'default-deny', namespace: ns },
      egress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
      ingress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
    });
    const dns = kplus.Pods.select(chart, `${ns}-dns-pods`, {
      labels: { 'k8s-app': 'kube-dns' },
      namespaces: kplus.Namespaces.select(chart, `${ns}-kube-system`, { names: ['kube-system'] }),
    });
    new kplus.NetworkPolicy(chart, `${ns}-allow-dns`, {
      metadata: { name: 'allow-dns', namespace: ns },
      egress: { rules: [{ peer: dns, ports: [kplus.NetworkPolicyPort.udp(53), kplus.NetworkPolicyPort.tcp(53)] }] },
    });
  }
  // One allowTo per source/target pair, all ports at once (a second call with the same peer throws).
  const pairs = new Map<string, { from: number; to: number; ports: Set<number> }>();
  for (const dep of intent.dependencies) {
    const key = `${dep.from}>${dep.to}`;
    const pair = pairs.get(key) ?? { from: dep.from, to: dep.to, ports: new Set<number>() };
    dep.ports.forEach((p) => pair.ports.add(p));
    pairs.set(key, pair);
  }
  for (const { from, to, ports } of pairs.values()) {
    workloads[from].connections.allowTo(workloads[to], { ports: [...ports].map((p) => kplus.NetworkPolicyPort.tcp(p)) });
  }
  const blocks = new Map<string, kplus.NetworkPolicyIpBlock>();
  for (const ext of intent.externals) {
    let block = blocks.get(ext.target.name);
    if (!block) {
      block = kplus.NetworkPolicyIpBlock.ipv4(chart, `ext-${ext.target.name}`, ext.target.cidr);
      blocks.set(ext.target.name, block);
    }
    workloads[ext.from].connections.allowTo(block, { ports: [kplus.NetworkPolicyPort.tcp(ext.target.port)] });
  }
  return chart;
}

/** Builds the cdk8s-plus-28 version and renders it with `synthYaml()`. */
export function synthCdk8sPlus(intent: StackIntent, withPolicies = true): string {
  const app = new App();
  addCdk8sPlusStack(app, intent, withPolicies);
  return app.synthYaml();
}
