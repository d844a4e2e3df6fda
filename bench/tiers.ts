/**
 * Cluster-wide guardrails for the mixed-tier benchmark, over the namespaces of the generated
 * application stack: an AdminNetworkPolicy that lets monitoring in, keeps DNS open and hands the
 * rest to the NetworkPolicies (Pass); a ClusterNetworkPolicy that denies the cloud metadata address
 * cluster-wide; a BaselineAdminNetworkPolicy that denies what no NetworkPolicy decides. Every tier,
 * every action and a networks peer take part in each verdict.
 */
export function guardrails(): any[] {
  const byName = (name: string) => ({ matchLabels: { 'kubernetes.io/metadata.name': name } });
  return [
    {
      apiVersion: 'policy.networking.k8s.io/v1alpha1',
      kind: 'AdminNetworkPolicy',
      metadata: { name: 'platform' },
      spec: {
        priority: 10,
        subject: { namespaces: {} },
        ingress: [
          { name: 'monitoring', action: 'Allow', from: [{ namespaces: byName('monitoring') }] },
          { name: 'the-rest', action: 'Pass', from: [{ namespaces: {} }] },
        ],
        egress: [
          { name: 'dns', action: 'Allow', to: [{ namespaces: byName('kube-system') }], ports: [{ portNumber: { protocol: 'UDP', port: 53 } }, { portNumber: { protocol: 'TCP', port: 53 } }] },
          { name: 'the-rest', action: 'Pass', to: [{ namespaces: {} }] },
        ],
      },
    },
    {
      apiVersion: 'policy.networking.k8s.io/v1alpha2',
      kind: 'ClusterNetworkPolicy',
      metadata: { name: 'deny-cloud-metadata' },
      spec: {
        tier: 'Admin',
        priority: 0,
        subject: { namespaces: {} },
        egress: [{ name: 'metadata', action: 'Deny', to: [{ networks: ['169.254.169.254/32', 'fd00:ec2::254/128'] }] }],
      },
    },
    {
      apiVersion: 'policy.networking.k8s.io/v1alpha1',
      kind: 'BaselineAdminNetworkPolicy',
      metadata: { name: 'default' },
      spec: {
        subject: { namespaces: {} },
        ingress: [{ name: 'default-deny', action: 'Deny', from: [{ namespaces: {} }] }],
      },
    },
  ];
}
