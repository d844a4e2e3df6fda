import { expectMatrixAgrees } from './matrix-agrees';
import { DecisionTier, Explanation, JsonFormat, Port, Reachability, TextFormat } from '../../src';

/**
 * Issue 15 (test quality): the behaviours of `analysis/precedence` that Stryker showed no test
 * pinned down, each as a pair of cases (allowed AND denied) through the public entry points. Where a
 * note decides what a reader does next (the fail-closed notes), its words are asserted whole: which
 * note for which undecided peer kind, which namespaces it names, in which order.
 */
const ns = (name: string, labels: Record<string, string> = {}) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
const pod = (namespace: string, name: string, ips: string[] = [], portName = 'http') => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace, labels: { app: name } },
  spec: { containers: [{ name: 'c', ports: [{ containerPort: 8080, name: portName }] }] },
  ...(ips.length > 0 ? { status: { podIP: ips[0], podIPs: ips.map((ip) => ({ ip })) } } : {}),
});
const anp = (name: string, subject: unknown, egress: unknown[], priority = 10) => ({
  apiVersion: 'policy.networking.k8s.io/v1alpha1',
  kind: 'AdminNetworkPolicy',
  metadata: { name },
  spec: { priority, subject, egress },
});
const cnp = (name: string, subject: unknown, egress: unknown[], priority = 10) => ({
  apiVersion: 'policy.networking.k8s.io/v1alpha2',
  kind: 'ClusterNetworkPolicy',
  metadata: { name },
  spec: { tier: 'Admin', priority, subject, egress },
});
const np = (name: string, namespace: string, spec: Record<string, unknown>) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec });
const DENY_EGRESS = np('deny-egress', 'shop', { podSelector: {}, policyTypes: ['Egress'] });
const SHOP = { namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } } };
const PROD = { namespaces: { matchLabels: { env: 'prod' } } };
const EVERY_NAMESPACE = { namespaces: {} };
const HTTP = Port.tcp(8080);
const READINGS = 'the verdict holds only what both readings allow (a Deny taken to match, an Allow/Accept not, a Pass both ways)';
const GUESSED_FIX = 'Give the Namespace objects (kubectl get namespaces -o yaml, or --surroundings) to decide it';
const IP_FIX = 'Give the pods\' IPs (--pod ns/name@ip, or status.podIP in the manifests) to decide it';
const guessed = (what: string, rule: string, namespaces: string) => `decided fail closed: guessed namespace labels: whether ${what} (${rule}) cannot be decided, `
  + `since the input has no Namespace object for ${namespaces} and the selector tests labels other than kubernetes.io/metadata.name; ${READINGS}. ${GUESSED_FIX}`;
const unknownIp = (rule: string, other: string, peers: string) => `decided fail closed: unknown IP: whether ${rule} matches ${other} by its ${peers} cannot be decided, `
  + `since its IP is not known; ${READINGS}. ${IP_FIX}`;

/** The egress side's fail-closed notes of `from` -> `to` (the ones the precedence writes; `explain().notes` adds others). */
function egressNotes(e: Explanation): string[] {
  expect(e.notes.filter((n) => n.startsWith('egress decided fail closed'))).toEqual((e.egress.failClosedNotes ?? []).map((n) => `egress ${n}`));
  return e.egress.failClosedNotes ?? [];
}

describe('guessed namespace labels: the note names what is undecided and the namespaces without Namespace objects', () => {
  const pods = [pod('shop', 'web'), pod('blog', 'client'), pod('blog', 'other')];

  test('a namespaces peer on a label of a namespace without its object: a Deny denies, said so; with the objects decided, no note', () => {
    const deny = anp('deny-prod', SHOP, [{ name: 'r', action: 'Deny', to: [PROD] }]);
    const e = Reachability.fromManifests([...pods, deny]).explain('shop/web', 'blog/client', HTTP);
    expect(e.allowed).toBe(false);
    expect(e.egress).toMatchObject({ tier: DecisionTier.ADMIN, decidedBy: { policy: 'deny-prod', action: 'Deny' } });
    expect(egressNotes(e)).toEqual([guessed('its namespaces env=prod match blog/client', 'AdminNetworkPolicy deny-prod egress[0] (Deny)', 'blog')]);

    const known = Reachability.fromManifests([ns('shop', { env: 'dev' }), ns('blog', { env: 'dev' }), ...pods, deny]).explain('shop/web', 'blog/client', HTTP);
    expect(known.allowed).toBe(true);
    expect(known.egress.tier).toBe(DecisionTier.DEFAULT);
    // Nothing was decided fail closed: no notes at all, not an empty list.
    expect(known.egress.failClosedNotes).toBeUndefined();
    expect(known.notes).toEqual([]);
  });

  test('a pods peer: the note names the pods peer; a pod its podSelector rules out is decided (allowed, no note)', () => {
    const deny = anp('deny-prod', SHOP, [{ name: 'r', action: 'Deny', to: [{ pods: { namespaceSelector: { matchLabels: { env: 'prod' } }, podSelector: { matchLabels: { app: 'client' } } } }] }]);
    const r = Reachability.fromManifests([...pods, deny]);
    const e = r.explain('shop/web', 'blog/client', HTTP);
    expect(e.allowed).toBe(false);
    expect(egressNotes(e)).toEqual([guessed('its pods app=client of namespaces env=prod match blog/client', 'AdminNetworkPolicy deny-prod egress[0] (Deny)', 'blog')]);
    const other = r.explain('shop/web', 'blog/other', HTTP);
    expect(other.allowed).toBe(true);
    expect(egressNotes(other)).toEqual([]);
    expectMatrixAgrees(r, HTTP);
  });

  test('an undecided subject and an undecided peer: both named, and both namespaces, in order', () => {
    const deny = anp('deny-prod', { namespaces: { matchLabels: { team: 'web' } } }, [{ name: 'r', action: 'Deny', to: [PROD] }]);
    const r = Reachability.fromManifests([...pods, deny]);
    const e = r.explain('shop/web', 'blog/client', HTTP);
    expect(e.allowed).toBe(false);
    expect(egressNotes(e)).toEqual([guessed(
      'its subject (pods of namespaces team=web) selects shop/web and whether its namespaces env=prod match blog/client',
      'AdminNetworkPolicy deny-prod egress[0] (Deny)', 'blog, shop')]);
    // With the Namespace objects: shop is not team=web, the policy does not select it.
    const known = Reachability.fromManifests([ns('shop', { team: 'shop' }), ns('blog', { env: 'prod' }), ...pods, deny]);
    expect(known.allows('shop/web', 'blog/client', HTTP)).toBe(true);
    expect(egressNotes(known.explain('shop/web', 'blog/client', HTTP))).toEqual([]);
    expectMatrixAgrees(r, HTTP);
  });

  test('an undecided subject alone: one note, for its namespace only; a rule whose ports do not match gets none', () => {
    const subject = { namespaces: { matchLabels: { team: 'web' } } };
    const onHttp = anp('deny-all', subject, [{ name: 'r', action: 'Deny', to: [EVERY_NAMESPACE] }]);
    const e = Reachability.fromManifests([...pods, onHttp]).explain('shop/web', 'blog/client', HTTP);
    expect(e.allowed).toBe(false);
    expect(egressNotes(e)).toEqual([guessed('its subject (pods of namespaces team=web) selects shop/web', 'AdminNetworkPolicy deny-all egress[0] (Deny)', 'shop')]);

    const onHttps = anp('deny-all', subject, [{ name: 'r', action: 'Deny', to: [EVERY_NAMESPACE], ports: [{ portNumber: { protocol: 'TCP', port: 443 } }] }]);
    const r = Reachability.fromManifests([...pods, onHttps]);
    const other = r.explain('shop/web', 'blog/client', HTTP);
    expect(other.allowed).toBe(true);
    expect(egressNotes(other)).toEqual([]);
    expect(r.allows('shop/web', 'blog/client', Port.tcp(443))).toBe(false);
    expectMatrixAgrees(r, HTTP, Port.tcp(443));
  });
});

describe('one rule with undecided peers of two kinds (and a decided one): a note for each kind, naming only the undecided peers', () => {
  const mixed = anp('mixed', SHOP, [{
    action: 'Deny',
    to: [{ namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'nowhere' } } }, PROD, { networks: ['10.0.0.0/8'] }],
  }]);

  test('a workload without an IP in a namespace without its object: denied, both notes', () => {
    const r = Reachability.fromManifests([pod('shop', 'web'), pod('blog', 'client'), mixed]);
    const e = r.explain('shop/web', 'blog/client', HTTP);
    expect(e.allowed).toBe(false);
    expect(egressNotes(e)).toEqual([
      guessed('its namespaces env=prod match blog/client', 'AdminNetworkPolicy mixed egress[0] (Deny)', 'blog'),
      // (The unknown-IP note lists every undecided peer of the rule, the guessed namespaces one too.)
      unknownIp('AdminNetworkPolicy mixed egress[0] (Deny)', 'blog/client', 'namespaces env=prod; networks 10.0.0.0/8'),
    ]);
    expectMatrixAgrees(r, HTTP);
  });

  test('its IP and its namespace given, outside both: allowed, no note', () => {
    const r = Reachability.fromManifests([ns('shop'), ns('blog', { env: 'dev' }), pod('shop', 'web', ['192.168.0.1']), pod('blog', 'client', ['192.168.0.2']), mixed]);
    const e = r.explain('shop/web', 'blog/client', HTTP);
    expect(e.allowed).toBe(true);
    expect(egressNotes(e)).toEqual([]);
    expectMatrixAgrees(r, HTTP);
  });
});

describe('networks that hold some of a dual-stack pod\'s addresses: "some addresses", not "unknown IP"', () => {
  const pods = [pod('shop', 'web', ['10.0.0.1', 'fd00::1']), pod('blog', 'client', ['10.0.0.2', 'fd00::2'])];
  const someAddresses = (rule: string, peers = 'networks 10.0.0.0/8') => `decided fail closed: some addresses: ${peers} of ${rule} hold some of blog/client's addresses `
    + `(10.0.0.2, fd00::2) and not the others, so whether it matches depends on the address a connection uses; ${READINGS}. `
    + 'Give the rule networks of each address family (an IPv4 and an IPv6 one) to decide it';

  test('a Deny to IPv4 networks only: taken to match, denied, said so, naming each such peer', () => {
    const r = Reachability.fromManifests([...pods, anp('ten', SHOP, [{ action: 'Deny', to: [{ networks: ['10.0.0.0/8'] }, { networks: ['10.0.0.0/16'] }] }])]);
    const e = r.explain('shop/web', 'blog/client', HTTP);
    expect(e.allowed).toBe(false);
    expect(egressNotes(e)).toEqual([someAddresses('AdminNetworkPolicy ten egress[0] (Deny)', 'networks 10.0.0.0/8; networks 10.0.0.0/16')]);
    expectMatrixAgrees(r, HTTP);
  });

  test('an Allow over a default deny: the IPv4 network only is taken not to match (denied, said so); one of each family matches (allowed, no note)', () => {
    const half = Reachability.fromManifests([...pods, DENY_EGRESS, anp('ten', SHOP, [{ action: 'Allow', to: [{ networks: ['10.0.0.0/8'] }] }])]);
    const e = half.explain('shop/web', 'blog/client', HTTP);
    expect(e.allowed).toBe(false);
    expect(egressNotes(e)).toEqual([someAddresses('AdminNetworkPolicy ten egress[0] (Allow)')]);
    expectMatrixAgrees(half, HTTP);

    const both = Reachability.fromManifests([...pods, DENY_EGRESS, anp('ten', SHOP, [{ action: 'Allow', to: [{ networks: ['10.0.0.0/8'] }, { networks: ['fd00::/8'] }] }])]);
    const whole = both.explain('shop/web', 'blog/client', HTTP);
    expect(whole.allowed).toBe(true);
    expect(whole.egress).toMatchObject({ tier: DecisionTier.ADMIN, decidedBy: { policy: 'ten', action: 'Allow' } });
    expect(egressNotes(whole)).toEqual([]);
    expectMatrixAgrees(both, HTTP);
  });
});

describe('a Pass to labelled nodes: the "node labels" note, naming each labelled nodes peer', () => {
  const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'cp' }, status: { addresses: [{ type: 'InternalIP', address: '10.0.1.1' }] } };
  const pass = anp('pass-nodes', SHOP, [{
    name: 'pass',
    action: 'Pass',
    to: [{ nodes: { matchLabels: { 'node-role.kubernetes.io/control-plane': '' } } }, { nodes: { matchLabels: { 'node-role.kubernetes.io/infra': '' } } }],
  }]);
  const note = 'decided fail closed: node labels: whether AdminNetworkPolicy pass-nodes egress[0] (Pass) matches node:cp by its '
    + 'nodes node-role.kubernetes.io/control-plane=; nodes node-role.kubernetes.io/infra= cannot be decided, since the model does not read node labels; '
    + `${READINGS}. Review its effect on nodes separately`;

  test('passed to a NetworkPolicy that denies: denied; with nothing below, both readings allow: allowed; the note both times', () => {
    const closed = Reachability.fromManifests([node, pod('shop', 'web', ['10.0.0.1']), pass, DENY_EGRESS]).explain('shop/web', 'node:cp', HTTP);
    expect(closed.allowed).toBe(false);
    expect(egressNotes(closed)).toEqual([note]);
    const open = Reachability.fromManifests([node, pod('shop', 'web', ['10.0.0.1']), pass]).explain('shop/web', 'node:cp', HTTP);
    expect(open.allowed).toBe(true);
    expect(egressNotes(open)).toEqual([note]);
  });
});

describe('a rule the connection never reaches gets no note', () => {
  const pods = [pod('shop', 'web'), pod('blog', 'client')];
  const allowAll = { action: 'Allow', to: [EVERY_NAMESPACE] };
  const denyTen = { action: 'Deny', to: [{ networks: ['10.0.0.0/8'] }] };

  test('an Allow of every namespace before an undecidable Deny: allowed by the Allow, no note', () => {
    const r = Reachability.fromManifests([...pods, anp('p', SHOP, [allowAll, denyTen])]);
    const e = r.explain('shop/web', 'blog/client', HTTP);
    expect(e.allowed).toBe(true);
    expect(e.egress).toMatchObject({ tier: DecisionTier.ADMIN, decidedBy: { rule: 0, action: 'Allow' } });
    expect(egressNotes(e)).toEqual([]);
    expectMatrixAgrees(r, HTTP);
  });

  test('the undecidable Deny first: denied, its note', () => {
    const r = Reachability.fromManifests([...pods, anp('p', SHOP, [denyTen, allowAll])]);
    const e = r.explain('shop/web', 'blog/client', HTTP);
    expect(e.allowed).toBe(false);
    expect(egressNotes(e)).toEqual([unknownIp('AdminNetworkPolicy p egress[0] (Deny)', 'blog/client', 'networks 10.0.0.0/8')]);
    expectMatrixAgrees(r, HTTP);
  });
});

describe('tied priorities: the note, in the order of kind and name, only for policies whose rules hit and disagree', () => {
  const pods = [pod('shop', 'web', ['10.0.0.1']), pod('blog', 'client', ['10.0.0.2'])];
  const tiedNote = (rules: string) => `decided fail closed: tied priority: ${rules} have priority 10 and match this connection; `
    + 'the implementation "can apply any of the matching policies" (sig-network policy API, Priority), '
    + 'so the verdict holds only what every order of them allows. Give them distinct priorities';

  test('an Allow and a Deny of one priority: denied; the note names both, by name whatever the input order', () => {
    const r = Reachability.fromManifests([...pods, anp('b-deny', SHOP, [{ action: 'Deny', to: [EVERY_NAMESPACE] }]), anp('a-allow', SHOP, [{ action: 'Allow', to: [EVERY_NAMESPACE] }])]);
    const e = r.explain('shop/web', 'blog/client', HTTP);
    expect(e.allowed).toBe(false);
    expect(egressNotes(e)).toEqual([tiedNote('AdminNetworkPolicy a-allow egress[0] (Allow), AdminNetworkPolicy b-deny egress[0] (Deny)')]);
    expect(TextFormat.explanation(e)).toContain(`note: egress ${tiedNote('AdminNetworkPolicy a-allow egress[0] (Allow), AdminNetworkPolicy b-deny egress[0] (Deny)')}`);
    expectMatrixAgrees(r, HTTP);
  });

  test('an AdminNetworkPolicy and a ClusterNetworkPolicy of one priority: ordered by kind before name', () => {
    const r = Reachability.fromManifests([...pods, cnp('a-accept', SHOP, [{ action: 'Accept', to: [EVERY_NAMESPACE] }]), anp('z-deny', SHOP, [{ action: 'Deny', to: [EVERY_NAMESPACE] }])]);
    const e = r.explain('shop/web', 'blog/client', HTTP);
    expect(e.allowed).toBe(false);
    expect(egressNotes(e)).toEqual([tiedNote('AdminNetworkPolicy z-deny egress[0] (Deny), ClusterNetworkPolicy a-accept egress[0] (Accept)')]);
  });

  test('two Allows of one priority, listed in reverse: the first by name decides, no note', () => {
    const r = Reachability.fromManifests([...pods, DENY_EGRESS, anp('z-allow', SHOP, [{ action: 'Allow', to: [EVERY_NAMESPACE] }]), anp('a-allow', SHOP, [{ action: 'Allow', to: [EVERY_NAMESPACE] }])]);
    const e = r.explain('shop/web', 'blog/client', HTTP);
    expect(e.allowed).toBe(true);
    expect(e.egress).toMatchObject({ tier: DecisionTier.ADMIN, decidedBy: { policy: 'a-allow' } });
    expect(egressNotes(e)).toEqual([]);
  });

  test('a tied Deny that does not match this connection: the Allow decides, allowed, no note', () => {
    const r = Reachability.fromManifests([...pods,
      anp('a-allow', SHOP, [{ action: 'Allow', to: [EVERY_NAMESPACE] }]),
      anp('b-deny', SHOP, [{ action: 'Deny', to: [{ namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'nowhere' } } }] }]),
      DENY_EGRESS]);
    const e = r.explain('shop/web', 'blog/client', HTTP);
    expect(e.allowed).toBe(true);
    expect(e.egress).toMatchObject({ tier: DecisionTier.ADMIN, decidedBy: { policy: 'a-allow' } });
    expect(egressNotes(e)).toEqual([]);
    expectMatrixAgrees(r, HTTP);
  });

  test('rules of ONE policy that disagree (an undecidable Allow, then a Deny) are not tied: only the unknown-IP note', () => {
    const r = Reachability.fromManifests([pod('shop', 'web'), pod('blog', 'client'),
      anp('one', SHOP, [{ action: 'Allow', to: [{ networks: ['10.0.0.0/8'] }] }, { action: 'Deny', to: [EVERY_NAMESPACE] }])]);
    const e = r.explain('shop/web', 'blog/client', HTTP);
    expect(e.allowed).toBe(false);
    expect(egressNotes(e)).toEqual([unknownIp('AdminNetworkPolicy one egress[0] (Allow)', 'blog/client', 'networks 10.0.0.0/8')]);
  });
});

describe('passedBy: only where the Admin tier passed the connection on and did not decide it', () => {
  const pods = [pod('shop', 'web'), pod('blog', 'client')];

  test('an undecidable Pass, then a Deny: the Deny decides (denied), not "passed by"', () => {
    const r = Reachability.fromManifests([...pods, anp('p', SHOP, [{ name: 'pass', action: 'Pass', to: [{ networks: ['10.0.0.0/8'] }] }, { name: 'deny', action: 'Deny', to: [EVERY_NAMESPACE] }])]);
    const e = r.explain('shop/web', 'blog/client', HTTP);
    expect(e.allowed).toBe(false);
    expect(e.egress).toMatchObject({ tier: DecisionTier.ADMIN, decidedBy: { rule: 1, action: 'Deny' } });
    expect(e.egress.passedBy).toBeUndefined();
    expect(JsonFormat.verdict(e.egress)).not.toHaveProperty('passedBy');
    expect(TextFormat.explanation(e)).not.toContain('passed');
  });

  test('a Pass that matches: passed on, and the default allows it (no NetworkPolicy, no Baseline rule)', () => {
    const r = Reachability.fromManifests([...pods, anp('p', SHOP, [{ name: 'pass', action: 'Pass', to: [EVERY_NAMESPACE] }, { name: 'deny', action: 'Deny', to: [EVERY_NAMESPACE] }])]);
    const e = r.explain('shop/web', 'blog/client', HTTP);
    expect(e.allowed).toBe(true);
    expect(e.egress).toMatchObject({ tier: DecisionTier.DEFAULT, passedBy: { policy: 'p', rule: 0, ruleName: 'pass', action: 'Pass' } });
    expect(e.egress.decidedBy).toBeUndefined();
    expect(JsonFormat.verdict(e.egress).passedBy).toEqual({ kind: 'AdminNetworkPolicy', policy: 'p', tier: 'ADMIN', priority: 10, direction: 'egress', rule: 0, ruleName: 'pass', action: 'Pass' });
  });
});

describe('a verdict the Admin tier decides: no NetworkPolicy rule is named, and the side is policed', () => {
  test('an Admin Allow over a NetworkPolicy that allows too: allowedBy empty; an Admin Deny over it: denied', () => {
    const allowAll = np('allow-all', 'shop', { podSelector: {}, policyTypes: ['Egress'], egress: [{}] });
    const pods = [pod('shop', 'web', ['10.0.0.1']), pod('blog', 'client', ['10.0.0.2'])];
    const allowed = Reachability.fromManifests([...pods, allowAll, anp('p', SHOP, [{ name: 'r', action: 'Allow', to: [EVERY_NAMESPACE] }])]).explain('shop/web', 'blog/client', HTTP);
    expect(JsonFormat.verdict(allowed.egress)).toEqual({
      allowed: true,
      isolated: true,
      isolatingPolicies: ['shop/allow-all'],
      allowedBy: [],
      notPoliced: false,
      tier: 'ADMIN',
      decidedBy: { kind: 'AdminNetworkPolicy', policy: 'p', tier: 'ADMIN', priority: 10, direction: 'egress', rule: 0, ruleName: 'r', action: 'Allow' },
    });
    const denied = Reachability.fromManifests([...pods, allowAll, anp('p', SHOP, [{ name: 'r', action: 'Deny', to: [EVERY_NAMESPACE] }])]).explain('shop/web', 'blog/client', HTTP);
    expect(denied.allowed).toBe(false);
    expect(denied.egress).toMatchObject({ allowedBy: [], notPoliced: false, isolated: true, tier: DecisionTier.ADMIN, decidedBy: { action: 'Deny' } });
  });
});

describe('the namespace tier under the cluster-wide tiers', () => {
  // A cluster-wide policy that selects nothing here: the side goes through the tiers all the same.
  const elsewhere = anp('elsewhere', { namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'other' } } }, [{ action: 'Deny', to: [EVERY_NAMESPACE] }]);
  const dualStack = [pod('shop', 'web', ['10.0.0.1', 'fd00::1']), pod('blog', 'client', ['10.0.0.2', 'fd00::2'])];
  const toBlocks = (cidrs: string[]) => np('to-client', 'shop', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: cidrs.map((cidr) => ({ ipBlock: { cidr } })) }] });

  test('a NetworkPolicy ipBlock of one family, with a cluster-wide policy present: denied, and the NetworkPolicy\'s note stays', () => {
    const e = Reachability.fromManifests([...dualStack, toBlocks(['10.0.0.0/8']), elsewhere]).explain('shop/web', 'blog/client', HTTP);
    expect(e.allowed).toBe(false);
    expect(e.egress.tier).toBe(DecisionTier.NETWORK_POLICY);
    expect(egressNotes(e)).toEqual([
      'decided fail closed: some addresses: the ipBlocks of shop/to-client egress[0] hold some of blog/client\'s addresses (10.0.0.2, fd00::2) and not the others, '
      + 'so the connections that use the others are not allowed by them, and the rule is taken not to match. '
      + 'Give the rule an ipBlock of each address family (an IPv4 and an IPv6 one) to allow every connection',
    ]);
    const both = Reachability.fromManifests([...dualStack, toBlocks(['10.0.0.0/8', 'fd00::/8']), elsewhere]).explain('shop/web', 'blog/client', HTTP);
    expect(both.allowed).toBe(true);
    expect(egressNotes(both)).toEqual([]);
  });

  test('a NetworkPolicy ipBlock and an Admin Pass, each of one family: denied, both notes, the NetworkPolicy\'s first', () => {
    const pass = (cidrs: string[]) => anp('pass', SHOP, [{ action: 'Pass', to: cidrs.map((cidr) => ({ networks: [cidr] })) }]);
    const e = Reachability.fromManifests([...dualStack, toBlocks(['10.0.0.0/8']), pass(['10.0.0.0/8'])]).explain('shop/web', 'blog/client', HTTP);
    expect(e.allowed).toBe(false);
    expect(e.egress.tier).toBe(DecisionTier.NETWORK_POLICY);
    expect(egressNotes(e)).toEqual([
      expect.stringMatching(/^decided fail closed: some addresses: the ipBlocks of shop\/to-client egress\[0\] hold some of blog\/client's addresses/),
      expect.stringMatching(/^decided fail closed: some addresses: networks 10\.0\.0\.0\/8 of AdminNetworkPolicy pass egress\[0\] \(Pass\) hold some/),
    ]);
    const both = Reachability.fromManifests([...dualStack, toBlocks(['10.0.0.0/8', 'fd00::/8']), pass(['10.0.0.0/8', 'fd00::/8'])]).explain('shop/web', 'blog/client', HTTP);
    expect(both.allowed).toBe(true);
    expect(both.egress).toMatchObject({ tier: DecisionTier.NETWORK_POLICY, passedBy: { policy: 'pass' } });
    expect(egressNotes(both)).toEqual([]);
  });

  test('an egress rule\'s named port is the destination\'s: denied where the destination names the port, allowed where it does not', () => {
    // The source's own container port has another name: the rule's port is resolved on the destination.
    const deny = anp('no-http', SHOP, [{ action: 'Deny', to: [EVERY_NAMESPACE], ports: [{ namedPort: 'http' }] }]);
    const r = Reachability.fromManifests([pod('shop', 'web', ['10.0.0.1'], 'web'), pod('blog', 'client', ['10.0.0.2'], 'http'), pod('blog', 'plain', ['10.0.0.3'], 'metrics'), deny]);
    expect(r.allows('shop/web', 'blog/client', HTTP)).toBe(false);
    expect(r.explain('shop/web', 'blog/client', HTTP).egress).toMatchObject({ tier: DecisionTier.ADMIN, decidedBy: { policy: 'no-http', action: 'Deny' } });
    expect(r.allows('shop/web', 'blog/plain', HTTP)).toBe(true);
    expectMatrixAgrees(r, HTTP);
  });
});

describe('a pod\'s own node: over every tier, but not over a Cilium deny rule', () => {
  const nodes = ['a', 'b'].map((name, k) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name }, status: { addresses: [{ type: 'InternalIP', address: `10.0.0.${k + 1}` }] } }));
  const placed = (name: string, ip: string, nodeName: string) => ({ ...pod('shop', name, [ip]), spec: { nodeName, containers: [{ name: 'c', ports: [{ containerPort: 8080 }] }] } });
  const onA = placed('on-a', '10.1.0.5', 'a');
  const lock = {
    apiVersion: 'policy.networking.k8s.io/v1alpha1',
    kind: 'AdminNetworkPolicy',
    metadata: { name: 'lock' },
    spec: { priority: 10, subject: SHOP, ingress: [{ name: 'pass-all', action: 'Pass', from: [EVERY_NAMESPACE] }] },
  };
  const denyIngress = np('deny-ingress', 'shop', { podSelector: {}, policyTypes: ['Ingress'] });

  test('a NetworkPolicy default deny passed to by the Admin tier: the own node allowed (no rule), another node denied', () => {
    const r = Reachability.fromManifests([...nodes, onA, lock, denyIngress]);
    const own = r.explain('node:a', 'shop/on-a', HTTP);
    expect(own.allowed).toBe(true);
    expect(own.ingress).toMatchObject({ allowed: true, ownNode: true, allowedBy: [] });
    expect(r.allows('node:b', 'shop/on-a', HTTP)).toBe(false);
    expect(r.explain('node:b', 'shop/on-a', HTTP).ingress.ownNode).toBeUndefined();
    expectMatrixAgrees(r, HTTP);
  });

  // (Next to Cilium policies the cluster-wide policies are left out, Cilium does not implement them:
  // a Cilium deny rule never meets the tiers.)
  test('a Cilium deny rule that names the host: the own node denied too, by that rule', () => {
    const noHost = {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'no-host', namespace: 'shop' },
      spec: { endpointSelector: {}, ingress: [{ fromEndpoints: [{}] }], ingressDeny: [{ fromEntities: ['host'] }] },
    };
    const r = Reachability.fromManifests([...nodes, onA, placed('peer', '10.1.0.6', 'b'), noHost]);
    expect(r.skipped).toEqual([]);
    const own = r.explain('node:a', 'shop/on-a', HTTP);
    expect(own.allowed).toBe(false);
    expect(own.ingress).toMatchObject({ deniedBy: { policy: 'shop/no-host', direction: 'ingressDeny' } });
    expect(own.ingress.ownNode).toBeUndefined();
    expect(r.allows('shop/peer', 'shop/on-a', HTTP)).toBe(true);
    expectMatrixAgrees(r, HTTP);
  });
});
