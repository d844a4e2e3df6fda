/** The manifests the flow fixtures are mapped to: a shop with a web, an api, a database and a payments service, and a report job. */

function workload(kind: string, namespace: string, name: string, labels: Record<string, string>): any {
  const template = { metadata: { labels }, spec: { containers: [{ name, image: `${name}:1` }] } };
  const spec = kind === 'CronJob' ? { schedule: '0 3 * * *', jobTemplate: { spec: { template } } } : { selector: { matchLabels: labels }, template };
  return { apiVersion: kind === 'CronJob' ? 'batch/v1' : 'apps/v1', kind, metadata: { name, namespace }, spec };
}

export const SHOP_MANIFESTS: any[] = [
  workload('Deployment', 'shop', 'web', { app: 'web' }),
  workload('Deployment', 'shop', 'api', { app: 'api' }),
  workload('StatefulSet', 'shop', 'db', { app: 'db' }),
  workload('Deployment', 'shop', 'payments', { app: 'payments' }),
  workload('CronJob', 'jobs', 'report', { app: 'report' }),
  {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'debug', namespace: 'shop', labels: { run: 'debug' } },
    spec: { containers: [{ name: 'shell', image: 'busybox:1' }] },
    status: { podIP: '10.0.1.99' },
  },
];
