/**
 * The model of the upstream network-policy conformance tests: namespaces x, y, z; pods a, b, c in each,
 * labelled `pod: <name>`, each serving 80 and 81 on TCP, UDP and SCTP (container ports named
 * `serve-<port>-<protocol>`), with pod IPs for ipBlock rules.
 */
export const NAMESPACES = ['x', 'y', 'z'];
export const PODS = ['a', 'b', 'c'];
export const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];

/** The pod IP of `<ns>/<pod>`: x/a 10.0.0.1, x/b 10.0.0.2, ..., z/c 10.0.2.3. */
export function podIp(ns: string, pod: string): string {
  return `10.0.${NAMESPACES.indexOf(ns)}.${PODS.indexOf(pod) + 1}`;
}

/** Namespace and Pod manifests of the model. */
export function conformanceManifests(): any[] {
  const objects: any[] = NAMESPACES.map((ns) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { ns } } }));
  for (const ns of NAMESPACES) {
    for (const pod of PODS) {
      objects.push({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: pod, namespace: ns, labels: { pod } },
        spec: {
          containers: PROTOCOLS.flatMap((protocol) => [80, 81].map((port) => ({
            name: `c${port}-${protocol.toLowerCase()}`,
            image: 'agnhost',
            ports: [{ containerPort: port, name: `serve-${port}-${protocol.toLowerCase()}`, protocol }],
          }))),
        },
        status: { podIP: podIp(ns, pod) },
      });
    }
  }
  return objects;
}

/** Every pod id of the model, `x/a` ... `z/c`. */
export const ALL_PODS = NAMESPACES.flatMap((ns) => PODS.map((p) => `${ns}/${p}`));

/** A NetworkPolicy manifest in namespace `ns`. */
export function policy(ns: string, name: string, spec: any): any {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: ns }, spec };
}
