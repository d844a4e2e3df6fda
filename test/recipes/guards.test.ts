import { ApiObject, App, Chart, Testing } from 'cdk8s';
import { MODEL, MODEL_OPTIONS } from './catalogue';
import {
  AllowDns, BlockCloudMetadata, DefaultDeny, DenyExternalEgress, Direction, Endpoint, ExternalDestination, LabelExpression, NetworkPolicies,
  NetworkPolicy, Peer, Port, Reachability, Selector,
} from '../../src';

/**
 * Item 3 of the hostile review: the guard recipes (BlockCloudMetadata, DenyExternalEgress) only ever
 * remove access. NetworkPolicy rules add up, so a guard's "everything but X" rule next to another
 * policy restricting the same pods' egress would open everything that policy denies; the synth
 * refuses it there, naming the other policy, and the refused output is shown to be a widening.
 */
const OPTIONS = {
  externals: [...MODEL_OPTIONS.externals!, { name: 'cloud-metadata-v6', ip: 'fd00:ec2::254' }, { name: 'internet-v6', ip: '2001:db8::7' }],
};
const shop = (app: App = Testing.app()) => new Chart(app, 'guards', { namespace: 'shop' });
/** The reachability of the model cluster with every NetworkPolicy of the app, as rendered (without the synth-time checks). */
const rendered = (app: App) => Reachability.fromManifests([
  ...MODEL,
  ...app.node.findAll().filter((c): c is ApiObject => ApiObject.isApiObject(c) && c.kind === 'NetworkPolicy').map((o) => o.toJson()),
], OPTIONS);
/** The synth-time checks of the app: its error message, or '' when it passes. */
function synthError(app: App): string {
  try {
    app.synthYaml();
    return '';
  } catch (e) {
    return (e as Error).message;
  }
}
const appOf = (c: Chart) => c.node.root as App;

describe('a guard where nothing else restricts egress removes exactly what it blocks', () => {
  test('BlockCloudMetadata: both metadata addresses (IPv4 and AWS\'s IPv6) are denied, everything else is allowed', () => {
    const chart = shop();
    new BlockCloudMetadata(chart, 'no-metadata');
    expect(synthError(appOf(chart))).toBe('');
    const r = rendered(appOf(chart));
    expect(r.allows('shop/web', 'cloud-metadata', Port.tcp(80))).toBe(false);
    expect(r.allows('shop/web', 'cloud-metadata-v6', Port.tcp(80))).toBe(false);
    expect(r.allows('shop/web', 'internet', Port.tcp(443))).toBe(true);
    expect(r.allows('shop/web', 'internet-v6', Port.tcp(443))).toBe(true);
    expect(r.allows('shop/web', 'other/client', Port.tcp(80))).toBe(true);
    expect(r.allows('other/client', 'cloud-metadata-v6', Port.tcp(80))).toBe(true);
  });

  test('BlockCloudMetadata: the addresses can be given; a bad IPv6 address names its field', () => {
    const chart = shop();
    new BlockCloudMetadata(chart, 'no-metadata', { metadataAddress: '169.254.170.2/32', metadataAddressIpv6: 'fd20:ce::254/128' });
    const r = rendered(appOf(chart));
    expect(r.allows('shop/web', 'cloud-metadata', Port.tcp(80))).toBe(true);
    expect(r.allows('shop/web', 'cloud-metadata-v6', Port.tcp(80))).toBe(true);
    expect(r.allows('shop/web', 'internet', Port.tcp(443))).toBe(true);
    expect(() => new BlockCloudMetadata(shop(), 'bad', { metadataAddressIpv6: '169.254.169.254/32' })).toThrow(/^\[guards\/bad\] metadataAddressIpv6: /);
  });

  test('a guard next to policies that restrict other pods, only ingress, or another namespace', () => {
    const chart = shop();
    new BlockCloudMetadata(chart, 'web-no-metadata', { pods: Selector.labels({ app: 'web', tier: 'front' }) });
    new DefaultDeny(chart, 'db-no-egress', { pods: Selector.labels({ app: 'db' }), directions: [Direction.EGRESS] });
    new DefaultDeny(chart, 'back-no-egress', { pods: Selector.expressions([LabelExpression.notIn('tier', ['front'])]), directions: [Direction.EGRESS] });
    new DefaultDeny(chart, 'no-ingress', { directions: [Direction.INGRESS] });
    new DefaultDeny(new Chart(appOf(chart), 'other', { namespace: 'other' }), 'default-deny');
    expect(synthError(appOf(chart))).toBe('');
  });
});

describe('a guard next to another policy restricting the same pods\' egress is refused, naming it', () => {
  test('BlockCloudMetadata in a default-deny namespace: refused; the refused output would open the internet', () => {
    const chart = shop();
    new DefaultDeny(chart, 'default-deny');
    new AllowDns(chart, 'allow-dns');
    new BlockCloudMetadata(chart, 'no-metadata');
    const message = synthError(appOf(chart));
    expect(message).toMatch(/\[guards\/no-metadata\] BlockCloudMetadata \(NetworkPolicy shop\/no-metadata, pods <all>\) selects pods whose egress \[guards\/default-deny\/Resource\/Resource\] NetworkPolicy shop\/default-deny \(pods <all>\) restricts too\. NetworkPolicy rules add up, so the guard's rule \(every pod and every address but 169\.254\.169\.254\/32 and fd00:ec2::254\/128\) would let those pods reach everything that policy does not allow, instead of only blocking the cloud metadata addresses \(169\.254\.169\.254\/32, fd00:ec2::254\/128\)\. Where egress is restricted, the metadata addresses are denied already unless a rule allows them .*drop the BlockCloudMetadata there/);
    expect(message).toMatch(/\[guards\/no-metadata\] BlockCloudMetadata .* \[guards\/allow-dns\/Resource\/Resource\] NetworkPolicy shop\/allow-dns \(pods <all>\) restricts too/);
    // Why: with the guard, the default-deny namespace would reach the internet.
    const widened = rendered(appOf(chart));
    expect(widened.allows('shop/web', 'internet', Port.tcp(443))).toBe(true);
    expect(widened.allows('shop/web', 'other/client', Port.tcp(80))).toBe(true);
    // The fix the message gives: without the guard, the metadata addresses stay denied, with the rest.
    const fixed = shop();
    new DefaultDeny(fixed, 'default-deny');
    new AllowDns(fixed, 'allow-dns');
    NetworkPolicies.of(fixed).allow(Endpoint.fromLabels('web', { app: 'web' }), ExternalDestination.internet({ ipv6: true }), Port.tcp(443));
    expect(synthError(appOf(fixed))).toBe('');
    const r = rendered(appOf(fixed));
    expect(r.allows('shop/web', 'internet', Port.tcp(443))).toBe(true);
    expect(r.allows('shop/web', 'internet-v6', Port.tcp(443))).toBe(true);
    expect(r.allows('shop/web', 'cloud-metadata', Port.tcp(80))).toBe(false);
    expect(r.allows('shop/web', 'cloud-metadata', Port.tcp(443))).toBe(false);
    expect(r.allows('shop/web', 'cloud-metadata-v6', Port.tcp(443))).toBe(false);
    expect(r.allows('shop/api', 'internet', Port.tcp(443))).toBe(false);
  });

  test('DenyExternalEgress next to AllowDns alone (which isolates egress too): refused; the refused output would open every pod', () => {
    const chart = shop();
    new AllowDns(chart, 'allow-dns');
    new DenyExternalEgress(chart, 'no-external');
    expect(synthError(appOf(chart))).toMatch(/\[guards\/no-external\] DenyExternalEgress \(NetworkPolicy shop\/no-external, pods <all>\) selects pods whose egress \[guards\/allow-dns\/Resource\/Resource\] NetworkPolicy shop\/allow-dns \(pods <all>\) restricts too\. .*the guard's rule \(every pod of every namespace, on every port\) .*instead of only blocking the addresses outside the cluster\. .*drop the DenyExternalEgress there/);
    expect(rendered(appOf(chart)).allows('shop/web', 'other/client', Port.tcp(80))).toBe(true);
    const dnsOnly = shop();
    new AllowDns(dnsOnly, 'allow-dns');
    expect(rendered(appOf(dnsOnly)).allows('shop/web', 'other/client', Port.tcp(80))).toBe(false);
  });

  test('two guards on the same pods: each names the other (together they would not deny external egress)', () => {
    const chart = shop();
    new BlockCloudMetadata(chart, 'no-metadata');
    new DenyExternalEgress(chart, 'no-external');
    const message = synthError(appOf(chart));
    expect(message).toMatch(/\[guards\/no-metadata\] BlockCloudMetadata .* \[guards\/no-external\/Resource\/Resource\] NetworkPolicy shop\/no-external/);
    expect(message).toMatch(/\[guards\/no-external\] DenyExternalEgress .* \[guards\/no-metadata\/Resource\/Resource\] NetworkPolicy shop\/no-metadata/);
    expect(rendered(appOf(chart)).allows('shop/web', 'internet', Port.tcp(443))).toBe(true);
  });

  test('overlap is decided exactly, on the selectors: other labels that some pod can carry overlap', () => {
    const chart = shop();
    new BlockCloudMetadata(chart, 'web-no-metadata', { pods: Selector.labels({ app: 'web' }) });
    new DefaultDeny(chart, 'team-no-egress', { pods: Selector.expressions([LabelExpression.exists('team')]), directions: [Direction.EGRESS] });
    expect(synthError(appOf(chart))).toMatch(/BlockCloudMetadata \(NetworkPolicy shop\/web-no-metadata, pods app=web\) selects pods whose egress \[guards\/team-no-egress\/Resource\/Resource\] NetworkPolicy shop\/team-no-egress \(pods team\) restricts too/);
  });

  test('a NetworkPolicy object of the app that is not a construct of this library, in another chart, counts too', () => {
    const chart = shop();
    new DenyExternalEgress(chart, 'no-external');
    new ApiObject(new Chart(appOf(chart), 'raw', { namespace: 'shop' }), 'legacy', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'legacy' },
      spec: { podSelector: { matchLabels: { app: 'web' } }, egress: [{ to: [{ podSelector: {} }] }] },
    });
    expect(synthError(appOf(chart))).toMatch(/DenyExternalEgress .* selects pods whose egress \[raw\/legacy\] NetworkPolicy shop\/legacy \(pods app=web\) restricts too/);
  });

  test('with an endpoint: the endpoint\'s own egress rules are named; the refused output would open the cluster to it', () => {
    const chart = shop();
    const web = Endpoint.fromLabels('web', { app: 'web' });
    new DenyExternalEgress(chart, 'no-external', { endpoint: web });
    NetworkPolicies.of(chart).allow(web, Endpoint.fromLabels('db', { app: 'db' }), Port.tcp(5432));
    expect(synthError(appOf(chart))).toMatch(/\[guards\/no-external\] DenyExternalEgress puts its rule \(every pod of every namespace, on every port\) into NetworkPolicy shop\/web-egress, which has 1 other egress rule \(declared at \[guards\/NetworkPolicies\]\)\. NetworkPolicy rules add up, so the guard would let these pods reach everything those rules do not allow, instead of only blocking the addresses outside the cluster\./);
    const r = rendered(appOf(chart));
    expect(r.allows('shop/web', 'other/client', Port.tcp(80))).toBe(true);
    expect(r.allows('shop/web', 'shop/db', Port.tcp(5432))).toBe(true);
  });

  test('with pods, next to an endpoint\'s own egress policy; or with rules added to the guard\'s policy afterwards', () => {
    const chart = shop();
    new BlockCloudMetadata(chart, 'web-no-metadata', { pods: Selector.labels({ app: 'web' }) });
    NetworkPolicies.of(chart).allowTo(Endpoint.fromLabels('web', { app: 'web' }), Peer.namespace('other'), Port.tcp(80));
    expect(synthError(appOf(chart))).toMatch(/BlockCloudMetadata \(NetworkPolicy shop\/web-no-metadata, pods app=web\) selects pods whose egress \[guards\/NetworkPolicies\/shop\.web-egress\/Resource\] NetworkPolicy shop\/web-egress \(pods app=web\) restricts too/);

    const added = shop();
    const guard = new BlockCloudMetadata(added, 'no-metadata');
    (guard.policy as NetworkPolicy).allowTo(Peer.ipBlock('169.254.0.0/16'), Port.tcp(80));
    expect(synthError(appOf(added))).toMatch(/\[guards\/no-metadata\] BlockCloudMetadata puts its rule .* into NetworkPolicy shop\/no-metadata, which has 1 other egress rule \(declared at \[guards\/no-metadata\/Resource\]\)/);
    expect(rendered(appOf(added)).allows('shop/web', 'cloud-metadata', Port.tcp(80))).toBe(true);
  });

  test('an endpoint with no other egress rule, in a namespace without other egress policies, is accepted', () => {
    const chart = shop();
    new BlockCloudMetadata(chart, 'no-metadata', { endpoint: Endpoint.fromLabels('web', { app: 'web' }) });
    NetworkPolicies.of(chart).allowFrom(Endpoint.fromLabels('web', { app: 'web' }), Peer.namespace('other'), Port.tcp(8080));
    expect(synthError(appOf(chart))).toBe('');
    const r = rendered(appOf(chart));
    expect(r.allows('shop/web', 'cloud-metadata', Port.tcp(80))).toBe(false);
    expect(r.allows('shop/web', 'internet', Port.tcp(443))).toBe(true);
    expect(r.allows('other/client', 'shop/web', Port.tcp(8080))).toBe(true);
  });
});
