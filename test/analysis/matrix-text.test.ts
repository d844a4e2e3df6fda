import { JsonFormat, MarkdownFormat, Port, Reachability, ReachabilityMatrix, TextFormat } from '../../src';

/** `n` single pods in namespace `ns` (named `<prefix><k>`, labelled group a or b) and one Deployment. */
function cluster(n: number, ns: string, prefix: string): any[] {
  const pods = Array.from({ length: n - 1 }, (_, k) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `${prefix}${k + 1}`, namespace: ns, labels: { group: k % 3 === 0 ? 'a' : 'b' } },
    spec: { containers: [{ name: 'c', ports: [{ containerPort: 80, name: 'http' }] }] },
  }));
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: `${prefix}set`, namespace: ns },
    spec: { selector: { matchLabels: { group: 'b' } }, template: { metadata: { labels: { group: 'b' } }, spec: { containers: [{ name: 'c' }] } } },
  };
  // Group b accepts port 80 from group a only.
  const policy = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'b', namespace: ns },
    spec: { podSelector: { matchLabels: { group: 'b' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { group: 'a' } } }], ports: [{ port: 80 }] }] },
  };
  return [...pods, deployment, policy];
}

/** Checks every line of `TextFormat.matrix`: the legend, the header and every cell under its column's number. */
function expectAligned(matrix: ReachabilityMatrix): void {
  const lines = TextFormat.matrix(matrix).split('\n');
  const names = matrix.endpoints;
  const headerIndex = 1 + names.length;
  const header = lines[headerIndex];
  expect(header).toMatch(/^from \\ to {2,}1( +\d+)*$/);
  const numbers = [...header.matchAll(/\d+/g)];
  expect(numbers.map((m) => Number(m[0]))).toEqual(names.map((_, i) => i + 1));
  // The column of a number is the position of its last digit.
  const columns = numbers.map((m) => m.index! + m[0].length - 1);
  const labelWidth = columns[0] - (String(names.length).length - 1);
  expect(lines).toHaveLength(1 + names.length + 1 + names.length);
  names.forEach((name, i) => {
    // Legend line i: a '|' over each earlier column, then the column's number over its own, then the name.
    const legend = lines[1 + i];
    const number = String(i + 1);
    expect(legend.slice(columns[i] + 1)).toBe(`: ${name}`);
    expect(legend.slice(columns[i] - number.length + 1, columns[i] + 1)).toBe(number);
    const expected = [...legend.slice(0, columns[i] - number.length + 1)].map((_, k) => (columns.slice(0, i).includes(k) ? '|' : ' ')).join('');
    expect(legend.slice(0, columns[i] - number.length + 1)).toBe(expected);
  });
  names.forEach((from, s) => {
    const row = lines[headerIndex + 1 + s];
    expect(row.slice(0, labelWidth)).toBe(from.padEnd(labelWidth));
    expect(row).toHaveLength(columns[columns.length - 1] + 1);
    const expected = names.map((to) => (matrix.isLoopback(from, to) ? 'L' : matrix.isAllowed(from, to) ? 'X' : '.'));
    expect(columns.map((c) => row[c])).toEqual(expected);
    // Nothing but spaces between the cells.
    const rest = [...row.slice(labelWidth)].filter((_, k) => !columns.includes(labelWidth + k));
    expect(rest.join('').trim()).toBe('');
  });
}

describe('TextFormat.matrix: cells under their column numbers', () => {
  test.each([
    ['12 endpoints, short names (shorter than the corner)', 12, 'n', 'p'],
    ['12 endpoints, long names', 12, 'a-long-namespace-name', 'workload-with-a-long-name-'],
    ['3 endpoints, short names', 3, 'n', 'p'],
    ['100 endpoints', 100, 'ns', 'p'],
  ])('%s', (_name, n, ns, prefix) => {
    const matrix = Reachability.fromManifests(cluster(n, ns, prefix)).matrix(Port.tcp(80));
    expect(matrix.endpoints).toHaveLength(n);
    expectAligned(matrix);
  });

  test('the 12-endpoint table, as printed', () => {
    const text = TextFormat.matrix(Reachability.fromManifests(cluster(12, 'n', 'p')).matrix(Port.tcp(80)));
    expect(text.split('\n').slice(9)).toEqual([
      '            |  |  |  |  |  |  |  |  9: n/p9',
      '            |  |  |  |  |  |  |  |  | 10: n/p10',
      '            |  |  |  |  |  |  |  |  |  | 11: n/p11',
      '            |  |  |  |  |  |  |  |  |  |  | 12: n/pset',
      'from \\ to   1  2  3  4  5  6  7  8  9 10 11 12',
      'n/p1        L  X  X  X  X  X  X  X  X  X  X  X',
      'n/p2        X  L  .  X  .  .  X  .  .  X  .  .',
      'n/p3        X  .  L  X  .  .  X  .  .  X  .  .',
      'n/p4        X  X  X  L  X  X  X  X  X  X  X  X',
      'n/p5        X  .  .  X  L  .  X  .  .  X  .  .',
      'n/p6        X  .  .  X  .  L  X  .  .  X  .  .',
      'n/p7        X  X  X  X  X  X  L  X  X  X  X  X',
      'n/p8        X  .  .  X  .  .  X  L  .  X  .  .',
      'n/p9        X  .  .  X  .  .  X  .  L  X  .  .',
      'n/p10       X  X  X  X  X  X  X  X  X  L  X  X',
      'n/p11       X  .  .  X  .  .  X  .  .  X  L  .',
      // A workload to itself is replica-to-replica traffic, decided by the policies: group b accepts only group a.
      'n/pset      X  .  .  X  .  .  X  .  .  X  .  .',
    ]);
  });
});

describe('the diagonal: loopback (L) only for a single pod, and only where the port exists', () => {
  const manifests = cluster(4, 'n', 'p');

  test('a pod to itself is L; a workload to itself is decided by the policies', () => {
    const m = Reachability.fromManifests(manifests).matrix(Port.tcp(80));
    expect(m.isLoopback('n/p1', 'n/p1')).toBe(true);
    expect(m.isLoopback('n/pset', 'n/pset')).toBe(false);
    expect(m.isAllowed('n/pset', 'n/pset')).toBe(false); // group b accepts only group a
    const open = Reachability.fromManifests(manifests.filter((o) => o.kind !== 'NetworkPolicy')).matrix(Port.tcp(80));
    expect(open.isAllowed('n/pset', 'n/pset')).toBe(true);
    expect(open.isLoopback('n/pset', 'n/pset')).toBe(false);
    expect(TextFormat.matrix(open).split('\n').pop()).toBe(`${'n/pset'.padEnd(11)}X X X X`);
  });

  test('a named port the pod does not declare: nothing to connect to, so not L in any format', () => {
    const m = Reachability.fromManifests(manifests).matrix(Port.named('grpc'));
    expect(m.isAllowed('n/p1', 'n/p1')).toBe(false);
    expect(m.isLoopback('n/p1', 'n/p1')).toBe(false);
    const rows = TextFormat.matrix(m).split('\n').slice(6);
    expect(rows[0]).toBe(`${'n/p1'.padEnd(11)}. . . .`);
    expect(rows.map((r) => r.slice(11)).join('')).not.toContain('L');
    expect(MarkdownFormat.matrix(m)).toContain('| `n/p1` | ❌ | ❌ | ❌ | ❌ |');
    expect(JsonFormat.matrix(m).allowed['n/p1']['n/p1']).toBe(false);
    const http = Reachability.fromManifests(manifests).matrix(Port.named('http'));
    expect(http.isLoopback('n/p1', 'n/p1')).toBe(true);
    expect(MarkdownFormat.matrix(http)).toContain('| `n/p1` | ↺ |');
  });

  test('the port is typed: a label with the protocol, and the number or the name', () => {
    const r = Reachability.fromManifests(manifests);
    const numbered = r.matrix(Port.udp(53));
    expect([numbered.port, numbered.portNumber, numbered.portName, numbered.protocol]).toEqual(['53/UDP', 53, undefined, 'UDP']);
    const named = r.matrix(Port.named('http'));
    expect([named.port, named.portNumber, named.portName, named.protocol]).toEqual(['http/TCP', undefined, 'http', 'TCP']);
    expect(JsonFormat.matrix(numbered).port).toBe(53);
    expect(JsonFormat.matrix(named).port).toBe('http');
    expect(TextFormat.matrix(numbered).split('\n')[0]).toBe('port 53/UDP: rows may connect to columns (X allowed, . denied, L loopback)');
  });
});
