import { Peer, Port, Selector } from '../../src';
import { RuleSet } from '../../src/model/rule-set';

const a = Peer.pods(Selector.labels({ app: 'a' }));
const b = Peer.pods(Selector.labels({ app: 'b' }));

describe('RuleSet merges and de-duplicates without widening', () => {
  test('the same peer and port twice is one rule', () => {
    const rules = new RuleSet();
    rules.add([a], [Port.tcp(80)]);
    rules.add([a], [Port.tcp(80)]);
    expect(rules.toJson('from')).toEqual([{ from: [a.toJson()], ports: [{ protocol: 'TCP', port: 80 }] }]);
  });

  test('several ports to one peer become one rule with several ports, sorted', () => {
    const rules = new RuleSet();
    rules.add([a], [Port.tcp(8080)]);
    rules.add([a], [Port.udp(53), Port.tcp(443)]);
    expect(rules.toJson('to')).toEqual([{ to: [a.toJson()], ports: [{ protocol: 'TCP', port: 443 }, { protocol: 'TCP', port: 8080 }, { protocol: 'UDP', port: 53 }] }]);
  });

  test('peers with the same ports share one rule; different ports stay apart', () => {
    const rules = new RuleSet();
    rules.add([b], [Port.tcp(80)]);
    rules.add([a], [Port.tcp(80)]);
    rules.add([a], [Port.tcp(81)]);
    expect(rules.toJson('from')).toEqual([
      { from: [a.toJson()], ports: [{ protocol: 'TCP', port: 80 }, { protocol: 'TCP', port: 81 }] },
      { from: [b.toJson()], ports: [{ protocol: 'TCP', port: 80 }] },
    ]);
  });

  test('declaration order does not change the output', () => {
    const one = new RuleSet();
    one.add([a], [Port.tcp(80)]);
    one.add([b], [Port.udp(53)]);
    const two = new RuleSet();
    two.add([b], [Port.udp(53)]);
    two.add([a], [Port.tcp(80)]);
    expect(JSON.stringify(two.toJson('from'))).toBe(JSON.stringify(one.toJson('from')));
  });

  test('covered ports are dropped: allTcp covers TCP ports, a range covers its ports', () => {
    const rules = new RuleSet();
    rules.add([a], [Port.tcp(80), Port.tcpRange(80, 90), Port.tcp(85), Port.tcp(91)]);
    rules.add([b], [Port.tcp(80), Port.allTcp(), Port.named('http'), Port.udp(53)]);
    expect(rules.toJson('from')).toEqual([
      { from: [a.toJson()], ports: [{ protocol: 'TCP', port: 80, endPort: 90 }, { protocol: 'TCP', port: 91 }] },
      { from: [b.toJson()], ports: [{ protocol: 'TCP' }, { protocol: 'UDP', port: 53 }] },
    ]);
  });

  test('allTraffic writes a rule without ports', () => {
    const rules = new RuleSet();
    rules.add([a], [Port.tcp(80), Port.allTraffic()]);
    expect(rules.toJson('from')).toEqual([{ from: [a.toJson()] }]);
  });

  test('anyone writes a rule without peers, and peers it covers are dropped', () => {
    const rules = new RuleSet();
    rules.add([Peer.anyone()], [Port.tcp(443)]);
    rules.add([a], [Port.tcp(443)]);
    rules.add([b], [Port.tcp(443), Port.tcp(8080)]);
    expect(rules.toJson('from')).toEqual([
      { ports: [{ protocol: 'TCP', port: 443 }] },
      { from: [b.toJson()], ports: [{ protocol: 'TCP', port: 8080 }] },
    ]);
  });

  test('empty peers or ports fail closed with the fix', () => {
    const rules = new RuleSet();
    expect(() => rules.add([], [Port.tcp(80)])).toThrow(/a rule needs at least one peer, got \[\]\. An empty peer list would allow every source or destination.*Peer\.anyone\(\)/);
    expect(() => rules.add([a], [])).toThrow(/a rule needs at least one port, got \[\].*Port\.allTraffic\(\)/);
    expect(() => rules.add(undefined as unknown as Peer[], [Port.tcp(80)])).toThrow(/got undefined/);
    expect(() => rules.add([{} as Peer], [Port.tcp(80)])).toThrow(/\{\} is not a Peer/);
    expect(() => rules.add([a], [80 as unknown as Port])).toThrow(/80 is not a Port/);
    expect(rules.isEmpty).toBe(true);
  });
});

describe('RuleSet says which rendered rules have no peers, and whether that was asked for', () => {
  test('a rule with Peer.anyone() renders without from and is reported as asked for; rules with peers are not reported', () => {
    const rules = new RuleSet();
    rules.add([a], [Port.tcp(443)]);
    rules.add([Peer.anyone()], [Port.tcp(80)]);
    const rendered = rules.toJson('from');
    const open = rules.rulesWithoutPeers('from');
    expect(open).toEqual([{ index: rendered.findIndex((r) => r.from === undefined), json: { ports: [{ protocol: 'TCP', port: 80 }] }, askedFor: true }]);
    expect(rendered[open[0].index]).toEqual(open[0].json);
    expect(rendered.filter((r) => r.from !== undefined)).toEqual([{ from: [a.toJson()], ports: [{ protocol: 'TCP', port: 443 }] }]);
  });

  test('a peer merged into a Peer.anyone() rule (same ports) is in a rule that was asked for; no peers at all reports nothing', () => {
    const rules = new RuleSet();
    rules.add([Peer.anyone(), b], [Port.allTraffic()]);
    expect(rules.rulesWithoutPeers('to')).toEqual([{ index: 0, json: {}, askedFor: true }]);
    expect(new RuleSet().rulesWithoutPeers('to')).toEqual([]);
  });
});

describe('RuleSet: named ports toward ipBlocks, grouping and re-merging', () => {
  const block = Peer.ipBlock('10.0.0.0/8');

  test('an egress rule with a named port toward an ipBlock is refused: it would match nothing', () => {
    const rules = new RuleSet('egress');
    expect(() => rules.add([a, block], [Port.tcp(80), Port.named('https')])).toThrow(
      'port https/TCP (named) toward 10.0.0.0/8 matches nothing: a named port resolves on the destination pod\'s container ports, and an address outside the pods has none, '
      + 'so this rule would silently allow no traffic to 10.0.0.0/8. Use the port number instead (e.g. Port.tcp(443)); keep the named port in a rule toward pods only.');
    expect(rules.isEmpty).toBe(true);
    rules.add([block], [Port.tcp(443)]);
    rules.add([a], [Port.named('https')]);
    expect(rules.toJson('to')).toEqual([
      { to: [block.toJson()], ports: [{ protocol: 'TCP', port: 443 }] },
      { to: [a.toJson()], ports: [{ protocol: 'TCP', port: 'https' }] },
    ]);
  });

  test('in ingress (also the default) a named port from an ipBlock resolves on the policy\'s own pods, so it is kept', () => {
    for (const rules of [new RuleSet('ingress'), new RuleSet()]) {
      rules.add([block], [Port.named('https')]);
      expect(rules.isEmpty).toBe(false);
      expect(rules.toJson('from')).toEqual([{ from: [block.toJson()], ports: [{ protocol: 'TCP', port: 'https' }] }]);
    }
  });

  test('peers of namespaces only and peers of pods only stay in separate rules, even with the same ports', () => {
    const ns = Peer.namespace('data');
    const rules = new RuleSet();
    rules.add([a, ns, b], [Port.tcp(80)]);
    const rendered = rules.toJson('from');
    expect(rendered).toHaveLength(2);
    expect(rendered).toContainEqual({ from: [a.toJson(), b.toJson()], ports: [{ protocol: 'TCP', port: 80 }] });
    expect(rendered).toContainEqual({ from: [ns.toJson()], ports: [{ protocol: 'TCP', port: 80 }] });
    // pods in a namespace select pods: they share a rule with pods of the policy's namespace
    const both = new RuleSet();
    const dataPods = Peer.podsInNamespace('data', Selector.labels({ app: 'x' }));
    both.add([a, dataPods], [Port.tcp(80)]);
    expect(both.toJson('from')).toHaveLength(1);
  });

  test('rules added after rendering are in the next rendering', () => {
    const rules = new RuleSet();
    rules.add([a], [Port.tcp(80)]);
    expect(rules.toJson('from')).toEqual([{ from: [a.toJson()], ports: [{ protocol: 'TCP', port: 80 }] }]);
    rules.add([b], [Port.tcp(80)]);
    expect(rules.toJson('from')).toEqual([{ from: [a.toJson(), b.toJson()], ports: [{ protocol: 'TCP', port: 80 }] }]);
    expect(rules.rulesWithoutPeers('from')).toEqual([]);
  });

  test('a peer whose every port anyone already has adds no rule; a rule without ports is reported when anyone has it', () => {
    const rules = new RuleSet();
    rules.add([Peer.anyone()], [Port.allTcp()]);
    rules.add([a], [Port.tcp(80), Port.tcpRange(8000, 8080)]);
    expect(rules.toJson('from')).toEqual([{ ports: [{ protocol: 'TCP' }] }]);
    expect(rules.rulesWithoutPeers('from')).toEqual([{ index: 0, json: { ports: [{ protocol: 'TCP' }] }, askedFor: true }]);
  });
});
