import { SideDecision } from '../../src';
import { explainIn } from '../../src/analysis/changed-connection';
import { Cluster } from '../../src/inventory/cluster';

/**
 * The diff explains each changed connection on its probe port. A named probe port is resolved on
 * the destination like everywhere else: by name AND protocol (a named UDP port is never the TCP
 * container port of the same name).
 */
const pod = (name: string, labels: Record<string, string>, containers: unknown[]) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'shop', labels }, spec: { containers },
});
const ingress = (ports: unknown[]) => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'dns-in', namespace: 'shop' },
  spec: { podSelector: { matchLabels: { app: 'dns' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'client' } } }], ports }] },
});
const client = pod('client', { app: 'client' }, [{ name: 'c', image: 'c' }]);
const dnsUdp = { query: { name: 'dns', protocol: 'UDP' }, label: 'dns/UDP', other: false };

test('a named UDP probe resolves on the UDP container port of that name, not on the TCP one listed first', () => {
  // Two containers name a port "dns": 53/TCP first, 5353/UDP second (allowed, with a warning, by the API server).
  const server = pod('dns', { app: 'dns' }, [
    { name: 'tcp', image: 'd', ports: [{ containerPort: 53, name: 'dns', protocol: 'TCP' }] },
    { name: 'udp', image: 'd', ports: [{ containerPort: 5353, name: 'dns', protocol: 'UDP' }] },
  ]);
  const cluster = new Cluster([{ object: client }, { object: server }, { object: ingress([{ port: 'dns', protocol: 'UDP' }]) }]);
  expect(explainIn(cluster, 'shop/client', 'shop/dns', dnsUdp).ingress).toMatchObject({ decision: SideDecision.ALLOWED, allowedBy: [{ policy: 'shop/dns-in', direction: 'ingress', rule: 0 }], isolatingPolicies: ['shop/dns-in'] });
  // the rule allows UDP to the named port only: 53/UDP (the TCP port's number) stays denied
  const onlyTcpNumber = new Cluster([{ object: client }, { object: server }, { object: ingress([{ port: 53, protocol: 'UDP' }]) }]);
  expect(explainIn(onlyTcpNumber, 'shop/client', 'shop/dns', dnsUdp).ingress).toMatchObject({ decision: SideDecision.DENIED, allowedBy: [], isolatingPolicies: ['shop/dns-in'] });
});

test('a named UDP probe to a pod whose port of that name is TCP only matches nothing', () => {
  const server = pod('dns', { app: 'dns' }, [{ name: 'tcp', image: 'd', ports: [{ containerPort: 53, name: 'dns', protocol: 'TCP' }] }]);
  const cluster = new Cluster([{ object: client }, { object: server }, { object: ingress([{ port: 53, protocol: 'UDP' }]) }]);
  expect(explainIn(cluster, 'shop/client', 'shop/dns', dnsUdp).ingress).toMatchObject({ decision: SideDecision.DENIED, allowedBy: [], isolatingPolicies: ['shop/dns-in'] });
});

test('numbered probes are explained on their number', () => {
  const server = pod('dns', { app: 'dns' }, [{ name: 'tcp', image: 'd', ports: [{ containerPort: 53, name: 'dns', protocol: 'TCP' }] }]);
  const cluster = new Cluster([{ object: client }, { object: server }, { object: ingress([{ port: 53, protocol: 'UDP' }]) }]);
  const probe = (port: number, protocol: string) => ({ query: { port, protocol }, label: `${port}/${protocol}`, other: false });
  expect(explainIn(cluster, 'shop/client', 'shop/dns', probe(53, 'UDP')).ingress.decision).toBe(SideDecision.ALLOWED);
  expect(explainIn(cluster, 'shop/client', 'shop/dns', probe(53, 'TCP')).ingress.decision).toBe(SideDecision.DENIED);
  expect(explainIn(cluster, 'shop/client', 'shop/dns', probe(53, 'TCP')).egress.decision).toBe(SideDecision.NOT_ISOLATED);
});
