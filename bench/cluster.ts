import { Prng } from './prng';

/**
 * A generated cluster shaped like Antrea's controller scale test (25,000 namespaces, 100,000 pods,
 * 75,000 NetworkPolicies at 100,000 pods; everything scaled with the pod count), as the items of
 * `kubectl get pods,namespaces,networkpolicies -A -o json`.
 *
 * Realistic label reuse: namespaces carry `team` (one of 40) and `env` (prod/staging/dev); pods are
 * the replicas of 1-3 workloads per namespace, labelled `app` (one of 12 names), `tier`, and noise
 * no selector looks at (`pod-template-hash`, `version`); every pod has a `podIP` and named container
 * ports. The policies are concentrated in a fifth of the namespaces (15 each), as in clusters where
 * a few platform teams write most of them; each policy namespace has a default deny, same-namespace
 * allows by `app` on numbered and named ports, cross-namespace allows by `team`/`env` namespace
 * selectors, and some egress to an ipBlock with an exception.
 */
export interface GeneratedCluster {
  readonly items: any[];
  readonly namespaces: number;
  readonly pods: number;
  readonly policies: number;
}

const APPS = ['web', 'api', 'db', 'cache', 'queue', 'worker', 'auth', 'search', 'billing', 'mail', 'metrics', 'gateway'];
const TEAMS = Array.from({ length: 40 }, (_, i) => `team-${i}`);
const ENVS = ['prod', 'staging', 'dev'];

/** The cluster with `pods` pods (seeded: the same cluster every time). */
export function generateCluster(pods: number, seed = 17): GeneratedCluster {
  const rng = new Prng(seed);
  const namespaceCount = Math.max(4, Math.round(pods / 4));
  const policyTarget = namespaceCount * 3;
  const policyNamespaces = Math.max(1, Math.round(namespaceCount / 5));
  const perPolicyNamespace = Math.ceil(policyTarget / policyNamespaces);
  const items: any[] = [];
  let podCount = 0;
  let policyCount = 0;
  const appsOf: string[][] = [];
  for (let n = 0; n < namespaceCount; n++) {
    const name = `ns-${n}`;
    items.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'team': TEAMS[n % TEAMS.length], 'env': ENVS[n % 3], 'kubernetes.io/metadata.name': name } } });
    const apps = [...new Set(Array.from({ length: rng.int(1, 3) }, () => rng.pick(APPS)))];
    appsOf.push(apps);
  }
  // Pods: 4 per namespace on average, as replicas of the namespace's workloads.
  for (let n = 0; n < namespaceCount && podCount < pods; n++) {
    const apps = appsOf[n];
    const count = n === namespaceCount - 1 ? pods - podCount : Math.min(4, pods - podCount);
    for (let i = 0; i < count; i++) {
      const app = apps[i % apps.length];
      const hash = (rng.next() * 0xffffff >>> 0).toString(16);
      const ip = `10.${(podCount >> 16) & 255}.${(podCount >> 8) & 255}.${podCount & 255}`;
      items.push({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: `${app}-${hash}-${i}`,
          namespace: `ns-${n}`,
          labels: { app, 'tier': app === 'db' || app === 'cache' ? 'data' : 'service', 'pod-template-hash': hash, 'version': `v${rng.int(1, 3)}` },
        },
        spec: { containers: [{ name: app, ports: [{ containerPort: 8080, name: 'http' }, { containerPort: 9090, name: 'metrics' }, ...(app === 'db' ? [{ containerPort: 5432, name: 'pg' }] : [])] }] },
        status: { phase: 'Running', podIP: ip, podIPs: [{ ip }] },
      });
      podCount++;
    }
  }
  for (let p = 0; p < policyNamespaces && policyCount < policyTarget; p++) {
    const n = Math.floor((p * namespaceCount) / policyNamespaces);
    const ns = `ns-${n}`;
    const apps = appsOf[n];
    const add = (name: string, spec: any) => {
      if (policyCount >= policyTarget) return;
      items.push({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: ns }, spec });
      policyCount++;
    };
    add('default-deny', { podSelector: {}, policyTypes: ['Ingress'] });
    for (let k = 1; k < perPolicyNamespace; k++) {
      const app = rng.pick(apps);
      const kind = rng.int(0, 9);
      if (kind < 4) {
        add(`allow-${k}`, {
          podSelector: { matchLabels: { app } },
          ingress: [{ from: [{ podSelector: { matchLabels: { app: rng.pick(APPS) } } }], ports: [{ port: rng.pick([8080, 5432, 6379]), protocol: 'TCP' }] }],
        });
      } else if (kind < 7) {
        add(`allow-${k}`, {
          podSelector: { matchLabels: { app } },
          ingress: [{
            from: [{
              namespaceSelector: { matchLabels: rng.chance(0.5) ? { team: rng.pick(TEAMS) } : { env: rng.pick(ENVS) } },
              podSelector: { matchLabels: { app: rng.pick(APPS) } },
            }],
            ports: [{ port: rng.chance(0.5) ? 'http' : 'metrics' }],
          }],
        });
      } else if (kind < 9) {
        add(`allow-${k}`, {
          podSelector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['data'] }] },
          ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['dev'] }] } }], ports: [{ port: 8000, endPort: 8100, protocol: 'TCP' }] }],
        });
      } else {
        add(`egress-${k}`, {
          podSelector: { matchLabels: { app } },
          policyTypes: ['Egress'],
          egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: [`10.${rng.int(0, 3)}.0.0/16`] } }] }, { ports: [{ port: 53, protocol: 'UDP' }] }],
        });
      }
    }
  }
  return { items, namespaces: namespaceCount, pods: podCount, policies: policyCount };
}
