import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { netpol } from './cli-harness';

// A value option given twice used to keep only its last value without a word: a second
// `--api-server` (an HA control plane has several) dropped the first, and the analyser proved a
// deny to the kube-apiserver entity did not cover the dropped one. Every single-value option is now
// refused when repeated; the repeatable ones (--external, --pod, --api-server, ...) take every value.
const objects = [
  { apiVersion: 'v1', kind: 'Node', metadata: { name: 'cp1' }, status: { addresses: [{ type: 'InternalIP', address: '10.0.1.1' }] } },
  { apiVersion: 'v1', kind: 'Node', metadata: { name: 'cp2' }, status: { addresses: [{ type: 'InternalIP', address: '10.0.1.2' }] } },
  {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' } },
    spec: { nodeName: 'cp2', containers: [{ name: 'c' }] },
    status: { podIP: '10.2.0.5' },
  },
  {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name: 'no-api', namespace: 'shop' },
    spec: {
      endpointSelector: { matchLabels: { app: 'web' } },
      enableDefaultDeny: { egress: false },
      egressDeny: [{ toEntities: ['kube-apiserver'], toPorts: [{ ports: [{ port: '6443', protocol: 'TCP' }] }] }],
    },
  },
];

describe('a single-value option given twice is refused, never half dropped', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-repeated-'));
  const file = path.join(dir, 'in.json');
  fs.writeFileSync(file, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
  const explain = (...extra: string[]) => netpol(['explain', file, '--from', 'shop/web', '--to', 'node:cp1', '--port', '6443', ...extra]);

  test('--api-server twice: both API servers are taken, and the deny to kube-apiserver covers the nodes of both', () => {
    const toCp2 = (...extra: string[]) => netpol(['explain', file, '--from', 'shop/web', '--to', 'node:cp2', '--port', '6443', ...extra]);
    for (const to of [explain, toCp2]) {
      const twice = to('--api-server', '10.0.1.1', '--api-server', '10.0.1.2');
      expect(twice.stderr).toBe('');
      expect(twice.code).toBe(0);
      expect(twice.stdout).toContain('DENIED');
      expect(twice.stdout).toContain('egressDeny[0] toEntities kube-apiserver');
    }
    expect(explain('--api-server', '10.0.1.1').stdout).toContain('DENIED');
    // With only the first, cp2 runs no API server: the deny does not cover it.
    expect(toCp2('--api-server', '10.0.1.1').stdout).toContain('ALLOWED');
  });

  test('--port twice is refused too; a repeatable option still takes every value', () => {
    expect(explain('--port', '443').stderr).toContain('--port was given 2 times ("6443", "443")');
    const externals = netpol(['matrix', file, '--port', '443', '--api-server', '10.0.1.1', '--external', 'ext-a=203.0.113.1', '--external', 'ext-b=203.0.113.2']);
    expect(externals.code).toBe(0);
    expect(externals.stdout).toContain('ext-b');
  });
});
