import { Testing } from 'cdk8s';
import { NetworkPolicy, Peer, Port, Selector } from '../../src';
import { formatFinding } from '../../src/k8s/finding';
import { RuleSet } from '../../src/model/rule-set';
import { allowsAllPeers } from '../../src/validation/single-policy-lints';
import { testChart } from '../helpers';

/**
 * At synth, a rule that allows every peer is an error unless Peer.anyone() asked for it. The
 * constructs never render one by accident; these tests break the rendering on purpose to show the
 * check is there, and that it reports in the NP001 lint's own words.
 */
describe('the synth-time check of a policy\'s own output', () => {
  afterEach(() => jest.restoreAllMocks());

  test('Peer.anyone() allows every source on purpose: no error, and the NP001 acceptance is recorded', () => {
    const chart = testChart('shop');
    const web = new NetworkPolicy(chart, 'web', { pods: Selector.labels({ app: 'web' }) });
    web.allowFrom(Peer.anyone(), Port.tcp(443));
    web.allowFrom(Peer.pods(Selector.labels({ app: 'lb' })), Port.tcp(8080));
    const [policy] = Testing.synth(chart);
    expect(policy.spec.ingress).toEqual([
      { ports: [{ protocol: 'TCP', port: 443 }] },
      { from: [{ podSelector: { matchLabels: { app: 'lb' } } }], ports: [{ protocol: 'TCP', port: 8080 }] },
    ]);
    expect(policy.metadata.annotations['cdk8s-netpol.dev/accept-NP001']).toMatch(/Peer\.anyone\(\)/);
  });

  test('a rule rendered without peers that Peer.anyone() did not ask for fails the synth, in the words of the NP001 lint', () => {
    const chart = testChart('shop');
    const web = new NetworkPolicy(chart, 'web', { pods: Selector.labels({ app: 'web' }) });
    web.allowFrom(Peer.anyone(), Port.tcp(443));
    web.allowFrom(Peer.pods(Selector.labels({ app: 'lb' })), Port.tcp(8080));
    web.allowTo(Peer.pods(Selector.labels({ app: 'db' })), Port.tcp(5432));
    // A rendering bug: the peers of every rule are lost.
    const render = RuleSet.prototype.toJson;
    jest.spyOn(RuleSet.prototype, 'toJson').mockImplementation(function (this: RuleSet, field) {
      return render.call(this, field).map(({ ports }) => ({ ports }));
    });
    const manifest = web.toManifest();
    const lint = allowsAllPeers(manifest).map(formatFinding);
    expect(lint).toHaveLength(3);
    // The Peer.anyone() rule (spec.ingress[0]) was asked for; the other two were not.
    expect(() => Testing.synth(chart)).toThrow(`Validation failed with the following errors:\n  [test/web] ${lint[1]}\n  [test/web] ${lint[2]}`);
    expect(lint[1]).toBe('spec.ingress[1]: rule has no from, so it allows every source, inside and outside the cluster, on the listed ports [NP001] '
      + 'Fix: List the allowed peers under from; if every source is really meant, say so in a comment (with cdk8s-netpol: Peer.anyone()).');
    expect(lint[2]).toMatch(/^spec\.egress\[0\]: rule has no to, so it allows every destination, /);
  });
});
