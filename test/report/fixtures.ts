/** A Deployment of `namespace` with the label app=<name> and one container port. */
function deployment(namespace: string, name: string, port: number): any {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: port, name: 'http' }] }] } },
    },
  };
}

function policy(namespace: string, name: string, spec: any): any {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec };
}

/**
 * `namespaces` namespaces (`team-00`, ...) of `perNamespace` Deployments each (`svc-0`, ...): every
 * namespace denies by default; in each, svc-i may call svc-(i+1) on 8080/TCP, and svc-0 of each
 * namespace may be called by svc-0 of the namespace before it. Written from the NetworkPolicy API.
 */
export function chainOfNamespaces(namespaces: number, perNamespace: number): any[] {
  const out: any[] = [];
  for (let n = 0; n < namespaces; n++) {
    const ns = `team-${String(n).padStart(2, '0')}`;
    out.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { 'kubernetes.io/metadata.name': ns } } });
    out.push(policy(ns, 'default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }));
    for (let i = 0; i < perNamespace; i++) {
      out.push(deployment(ns, `svc-${i}`, 8080));
      if (i + 1 < perNamespace) {
        out.push(policy(ns, `svc-${i}-to-svc-${i + 1}-egress`, {
          podSelector: { matchLabels: { app: `svc-${i}` } },
          policyTypes: ['Egress'],
          egress: [{ to: [{ podSelector: { matchLabels: { app: `svc-${i + 1}` } } }], ports: [{ port: 8080, protocol: 'TCP' }] }],
        }));
        out.push(policy(ns, `svc-${i + 1}-from-svc-${i}`, {
          podSelector: { matchLabels: { app: `svc-${i + 1}` } },
          policyTypes: ['Ingress'],
          ingress: [{ from: [{ podSelector: { matchLabels: { app: `svc-${i}` } } }], ports: [{ port: 8080, protocol: 'TCP' }] }],
        }));
      }
    }
    if (n > 0) {
      const before = `team-${String(n - 1).padStart(2, '0')}`;
      out.push(policy(ns, 'svc-0-from-before', {
        podSelector: { matchLabels: { app: 'svc-0' } },
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': before } }, podSelector: { matchLabels: { app: 'svc-0' } } }] }],
      }));
      out.push(policy(before, 'svc-0-to-next', {
        podSelector: { matchLabels: { app: 'svc-0' } },
        policyTypes: ['Egress'],
        egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } }, podSelector: { matchLabels: { app: 'svc-0' } } }] }],
      }));
    }
  }
  return out;
}
