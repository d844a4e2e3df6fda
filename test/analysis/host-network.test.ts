import { Direction, HostNetworkMode, JsonFormat, MarkdownFormat, Port, Reachability, SkipCategory, TextFormat } from '../../src';
import { netpol, tempDir } from '../cli/cli-harness';

/**
 * hostNetwork pods: the NetworkPolicy documentation leaves them to the network plugin, within two
 * possibilities. By default the common one (their traffic is the node's); on request, ordinary pods.
 */
const TCP80 = Port.tcp(80);
const pod = (name: string, labels: Record<string, string>, extra: { hostNetwork?: boolean; status?: any } = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'shop', labels },
  spec: { ...(extra.hostNetwork ? { hostNetwork: true } : {}), containers: [{ name: 'c', ports: [{ containerPort: 80, name: 'http' }] }] },
  status: extra.status ?? {},
});
const policy = (name: string, spec: any, namespace = 'shop') => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec });

// agent is a hostNetwork pod on node 10.0.0.5; web is an ordinary pod with the same labels.
const agent = pod('agent', { app: 'agent', role: 'x' }, { hostNetwork: true, status: { hostIP: '10.0.0.5', hostIPs: [{ ip: '10.0.0.5' }], podIP: '10.0.0.5' } });
const web = pod('web', { app: 'web', role: 'x' }, { status: { podIP: '10.244.1.7' } });
const db = pod('db', { app: 'db' }, { status: { podIP: '10.244.1.8' } });
const denyAll = policy('deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
const dbFrom = (from: any[]) => policy('db', { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'], ingress: [{ from }] });
const node = (manifests: any[]) => Reachability.fromManifests(manifests);
const asPod = (manifests: any[]) => Reachability.fromManifests(manifests, { hostNetwork: HostNetworkMode.POD_TRAFFIC });

describe('hostNetwork pods as traffic of their node (the default)', () => {
  test('no policy selects them: a namespace default deny isolates web but not agent', () => {
    const r = node([agent, web, db, denyAll]);
    expect(r.hostNetworkMode).toBe(HostNetworkMode.NODE_TRAFFIC);
    expect(r.hostNetworkEndpoints).toEqual(['shop/agent']);
    expect(r.allows('shop/agent', 'shop/db', TCP80)).toBe(false); // db is isolated for ingress
    expect(r.explain('shop/agent', 'shop/db', TCP80).egress).toMatchObject({ isolated: false, allowed: true });
    expect(r.allows('shop/web', 'shop/agent', TCP80)).toBe(false); // web's egress is isolated
    expect(r.explain('shop/web', 'shop/agent', TCP80).ingress).toMatchObject({ isolated: false, allowed: true });
    expect(r.unisolated(Direction.INGRESS)).toEqual(['shop/agent']);
    expect(r.unprotected()).toEqual(['shop/agent']);
  });

  test('pod and namespace selectors never match them; an ipBlock on the node IP does', () => {
    for (const from of [[{ podSelector: { matchLabels: { role: 'x' } } }], [{ namespaceSelector: {} }], [{ namespaceSelector: {}, podSelector: {} }]]) {
      const r = node([agent, web, db, dbFrom(from)]);
      expect(r.allows('shop/web', 'shop/db', TCP80)).toBe(true);
      expect(r.allows('shop/agent', 'shop/db', TCP80)).toBe(false);
    }
    const byIp = node([agent, web, db, dbFrom([{ ipBlock: { cidr: '10.0.0.0/24' } }])]);
    expect(byIp.allows('shop/agent', 'shop/db', TCP80)).toBe(true);
    expect(byIp.allows('shop/web', 'shop/db', TCP80)).toBe(false);
    const except = node([agent, web, db, dbFrom([{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.0.0.5/32'] } }])]);
    expect(except.allows('shop/agent', 'shop/db', TCP80)).toBe(false);
    expect(except.allows('shop/web', 'shop/db', TCP80)).toBe(true);
  });

  test('the node IP comes from status.hostIP(s); without one, no ipBlock matches', () => {
    const onlyHostIps = pod('agent', { app: 'agent' }, { hostNetwork: true, status: { hostIPs: [{ ip: '10.0.0.5' }, { ip: 'fd00::5' }] } });
    // Both node IPs count: an ipBlock of one family alone does not allow the connections from the
    // other address (a dual-stack end, RT-03); one of each family does.
    const v6 = node([onlyHostIps, db, dbFrom([{ ipBlock: { cidr: 'fd00::/64' } }])]);
    expect(v6.allows('shop/agent', 'shop/db', TCP80)).toBe(false);
    expect(v6.explain('shop/agent', 'shop/db', TCP80).notes.join('\n')).toMatch(/some addresses: .*10\.0\.0\.5, fd00::5/);
    const both = node([onlyHostIps, db, dbFrom([{ ipBlock: { cidr: 'fd00::/64' } }, { ipBlock: { cidr: '10.0.0.0/24' } }])]);
    expect(both.allows('shop/agent', 'shop/db', TCP80)).toBe(true);
    const unknown = node([pod('agent', { app: 'agent' }, { hostNetwork: true }), db, dbFrom([{ ipBlock: { cidr: '0.0.0.0/0' } }])]);
    expect(unknown.allows('shop/agent', 'shop/db', TCP80)).toBe(false);
    expect(unknown.explain('shop/agent', 'shop/db', TCP80).notes[0]).toContain('ipBlocks match its node IP, which is unknown (no status.hostIP), so no ipBlock matches it');
  });

  test('a workload whose pod template has hostNetwork: true', () => {
    const daemon = {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'exporter', namespace: 'shop' },
      spec: { template: { metadata: { labels: { role: 'x' } }, spec: { hostNetwork: true, containers: [{ name: 'c' }] } } },
    };
    const r = node([daemon, db, dbFrom([{ podSelector: { matchLabels: { role: 'x' } } }])]);
    expect(r.hostNetworkEndpoints).toEqual(['shop/exporter']);
    expect(r.allows('shop/exporter', 'shop/db', TCP80)).toBe(false);
    expect(asPod([daemon, db, dbFrom([{ podSelector: { matchLabels: { role: 'x' } } }])]).allows('shop/exporter', 'shop/db', TCP80)).toBe(true);
  });

  test('explain says how the hostNetwork end was treated', () => {
    const e = node([agent, db, denyAll]).explain('shop/agent', 'shop/db', TCP80);
    expect(e.notes).toEqual([
      'shop/agent is a hostNetwork pod, analysed as traffic of its node (host-network mode node, the default and the most common implementation): '
      + 'no policy selects it, pod and namespace selectors never match it, and ipBlocks match its node IP 10.0.0.5. '
      + "A pod's ingress from its own node is always allowed (Kubernetes), whatever its policies; its egress to the node is left to its policies. "
      + 'For a network plugin that polices hostNetwork pods like other pods, use host-network mode pod',
      // Neither end is placed on a node: on one node, the agent would be the db's own node.
      "the node of shop/agent and shop/db is not known (a pod's spec.nodeName, or a Node whose address is its status.hostIP; a workload's replicas run on any node): "
      + 'where shop/db runs on the node of shop/agent, its own node always reaches it (Kubernetes) whatever its policies, so this verdict holds only on different nodes',
    ]);
    expect(TextFormat.explanation(e)).toContain('\n  note: shop/agent is a hostNetwork pod, analysed as traffic of its node');
    expect(node([agent, web, db]).explain('shop/web', 'shop/db', TCP80).notes).toEqual([]);
    expect(asPod([agent, db]).explain('shop/db', 'shop/agent', TCP80).notes).toEqual([
      'shop/agent is a hostNetwork pod, analysed as an ordinary pod (host-network mode pod); most network plugins instead treat its traffic as traffic of its node, which pod and namespace selectors never match (host-network mode node, the default)',
    ]);
  });

  test('the matrix legend marks hostNetwork endpoints', () => {
    const m = node([agent, web, db, denyAll]).matrix(TCP80);
    expect(m.hostNetworkEndpoints).toEqual(['shop/agent']);
    expect(TextFormat.matrix(m).split('\n').pop()).toBe('hostNetwork pods, analysed as traffic of their node (host-network mode node): no policy selects them, pod and namespace selectors never match them, ipBlocks match their node IP: shop/agent');
    expect(MarkdownFormat.matrix(m).split('\n').slice(-2)).toEqual(['', 'hostNetwork pods, analysed as traffic of their node (host-network mode node): no policy selects them, pod and namespace selectors never match them, ipBlocks match their node IP: `shop/agent`']);
    expect(JsonFormat.matrix(m).hostNetwork).toEqual({ mode: 'node', endpoints: ['shop/agent'] });
    expect(TextFormat.matrix(asPod([agent, web]).matrix(TCP80)).split('\n').pop()).toBe('hostNetwork pods, analysed as ordinary pods (host-network mode pod): shop/agent');
    const plain = node([web, db]).matrix(TCP80);
    expect(TextFormat.matrix(plain)).not.toContain('hostNetwork');
    expect(MarkdownFormat.matrix(plain)).not.toContain('hostNetwork');
    expect(Object.keys(JsonFormat.matrix(plain))).toEqual(['port', 'protocol', 'endpoints', 'allowed']);
  });
});

describe('hostNetwork pods as ordinary pods (HostNetworkMode.POD_TRAFFIC)', () => {
  test('policies select them and selectors match them like any pod', () => {
    const r = asPod([agent, web, db, denyAll]);
    expect(r.hostNetworkMode).toBe(HostNetworkMode.POD_TRAFFIC);
    expect(r.explain('shop/agent', 'shop/db', TCP80).egress).toMatchObject({ isolated: true, allowed: false });
    expect(r.unisolated(Direction.INGRESS)).toEqual([]);
    const sel = asPod([agent, web, db, dbFrom([{ podSelector: { matchLabels: { role: 'x' } } }])]);
    expect(sel.allows('shop/agent', 'shop/db', TCP80)).toBe(true);
    expect(sel.allows('shop/db', 'shop/agent', TCP80)).toBe(true);
    const other = asPod([agent, web, db, dbFrom([{ podSelector: { matchLabels: { app: 'web' } } }])]);
    expect(other.allows('shop/agent', 'shop/db', TCP80)).toBe(false);
  });
});

describe('the CLI: --host-network node|pod', () => {
  const dir = tempDir({ 'all.yaml': [agent, web, db, dbFrom([{ podSelector: { matchLabels: { role: 'x' } } }])].map((o) => JSON.stringify(o)).join('\n---\n') });

  test('matrix and explain: node traffic by default, ordinary pods with pod', () => {
    const m = netpol(['matrix', dir, '--port', '80', '--format', 'json']);
    expect(m.code).toBe(0);
    expect(JSON.parse(m.stdout)).toMatchObject({ allowed: { 'shop/agent': { 'shop/db': false }, 'shop/web': { 'shop/db': true } }, hostNetwork: { mode: 'node', endpoints: ['shop/agent'] } });
    expect(netpol(['matrix', dir, '--port', '80']).stdout).toContain('\nhostNetwork pods, analysed as traffic of their node (host-network mode node)');
    const p = JSON.parse(netpol(['matrix', dir, '--port', '80', '--format', 'json', '--host-network', 'pod']).stdout);
    expect(p).toMatchObject({ allowed: { 'shop/agent': { 'shop/db': true } }, hostNetwork: { mode: 'pod' } });
    const e = netpol(['explain', dir, '--from', 'shop/agent', '--to', 'shop/db', '--port', '80']);
    expect(e.stdout).toContain('shop/agent -> shop/db on 80/TCP: DENIED\n');
    expect(e.stdout).toContain('  note: shop/agent is a hostNetwork pod, analysed as traffic of its node');
    expect(netpol(['explain', dir, '--from', 'shop/agent', '--to', 'shop/db', '--port', '80', '--host-network', 'pod']).stdout).toContain('ALLOWED');
  });

  test('diff compares both sides in the same mode', () => {
    const after = tempDir({ 'all.yaml': [agent, web, db, dbFrom([{ podSelector: { matchLabels: { app: 'web' } } }])].map((o) => JSON.stringify(o)).join('\n---\n') });
    const asNode = JSON.parse(netpol(['diff', dir, '--against', after, '--format', 'json']).stdout);
    expect(asNode.closed).toEqual([]);
    const asPods = JSON.parse(netpol(['diff', dir, '--against', after, '--format', 'json', '--host-network', 'pod']).stdout);
    expect(asPods.closed.map((c: any) => `${c.from} -> ${c.to}`)).toEqual(['shop/agent -> shop/db']);
  });

  test('a bad mode is a usage error; a hostNetwork that is not a boolean is left out', () => {
    for (const cmd of [['matrix', dir, '--port', '80'], ['explain', dir, '--from', 'shop/web', '--to', 'shop/db', '--port', '80'], ['diff', dir, '--against', dir]]) {
      expect(netpol([...cmd, '--host-network', 'host'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--host-network "host" is not supported. Use one of: node, pod.') });
    }
    const quoted = { ...agent, spec: { ...agent.spec, hostNetwork: 'true' } };
    expect(Reachability.fromManifests([quoted]).skipped).toEqual([{
      object: 'shop/agent',
      kind: 'Pod',
      category: SkipCategory.MALFORMED,
      reason: 'spec.hostNetwork is "true", not true or false; kubectl would reject it. Write hostNetwork: true (unquoted)',
    }]);
  });
});
