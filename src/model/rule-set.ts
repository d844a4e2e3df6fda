import { formatValue } from './errors';
import { compareStrings, sortByKey } from './order';
import { Peer } from './peer';
import { Port } from './port';
import { NetworkPolicyPeerJson, NetworkPolicyPortJson } from '../k8s/manifest';
import { entryCovers, namedPortMatchesIpBlock, withoutCovered } from '../k8s/port-set';

/** One merged allow rule: any of `peers` on any of `ports`. */
export interface MergedRule {
  readonly peers: Peer[];
  readonly ports: Port[];
}

/** One rule of one direction as it is rendered (`from`/`to` and `ports`). */
export interface RuleJson {
  readonly from?: NetworkPolicyPeerJson[];
  readonly to?: NetworkPolicyPeerJson[];
  readonly ports?: NetworkPolicyPortJson[];
}

/** A rendered rule without peers (no `from`/`to`, or an empty one), which allows every peer. */
export interface RuleWithoutPeers {
  /** Its position in the rendered rules (`toJson`). */
  readonly index: number;
  /** The rule as rendered. */
  readonly json: RuleJson;
  /** Whether every peer was asked for: `Peer.anyone()` is one of the rule's peers. */
  readonly askedFor: boolean;
}

/**
 * The allow rules of one direction of one policy, merged and de-duplicated.
 *
 * Rules are kept as "peer -> set of ports" and rendered in a canonical form: peers with the same set
 * of ports share one rule, and everything is sorted, so the output does not depend on the order or
 * the number of times rules were declared. Merging never widens: a rendered rule allows exactly the
 * union of what was declared.
 */
export class RuleSet {
  private readonly byPeer = new Map<string, { peer: Peer; ports: Map<string, Port> }>();
  /** The merged rules, computed once per change (a policy is rendered and validated several times per synth). */
  private merged?: MergedRule[];

  /**
   * @param direction the direction of the rules (`egress` refuses named ports toward ipBlocks, which
   * match nothing). @default 'ingress'
   */
  constructor(private readonly direction: 'ingress' | 'egress' = 'ingress') {}

  /**
   * Allows `ports` for `peers`. Both lists must be non-empty: "everyone" is `Peer.anyone()` and
   * "every port" is `Port.allTraffic()`, never an empty list. Throws an Error with the problem and
   * the fix (the caller adds where it happened).
   */
  public add(peers: Peer[], ports: Port[]): void {
    if (!Array.isArray(peers) || peers.length === 0) {
      throw new Error(`a rule needs at least one peer, got ${formatValue(peers)}. An empty peer list would allow every source or destination. Name the peers, or write Peer.anyone() if that is really meant.`);
    }
    if (!Array.isArray(ports) || ports.length === 0) {
      throw new Error(`a rule needs at least one port, got ${formatValue(ports)}. An empty port list would allow every port and protocol. List the ports (e.g. Port.tcp(8080)), or write Port.allTraffic() if that is really meant.`);
    }
    // Checked again here (brand, then rebuilt through the factories), so a hand-built or foreign
    // object can never reach the output as "every peer" or "every port".
    const ownPeers = peers.map((p) => Peer._use(p, 'rule peer'));
    const ownPorts = ports.map((p) => Port._use(p, 'rule port'));
    const block = ownPeers.find((p) => p.addressBlock !== undefined);
    const named = ownPorts.find((p) => p.isNamed);
    if (block && named && !namedPortMatchesIpBlock(this.direction)) {
      throw new Error(`port ${named} toward ${block} matches nothing: a named port resolves on the destination pod's container ports, and an address outside the pods has none, `
        + `so this rule would silently allow no traffic to ${block}. Use the port number instead (e.g. Port.tcp(443)); keep the named port in a rule toward pods only.`);
    }
    this.merged = undefined;
    for (const peer of ownPeers) {
      let entry = this.byPeer.get(peer.key);
      if (!entry) {
        entry = { peer, ports: new Map() };
        this.byPeer.set(peer.key, entry);
      }
      for (const port of ownPorts) entry.ports.set(port.key, port);
    }
  }

  /** Whether no rule has been added. */
  public get isEmpty(): boolean {
    return this.byPeer.size === 0;
  }

  /** The merged rules in canonical order. */
  public rules(): MergedRule[] {
    this.merged ??= this.merge();
    return this.merged;
  }

  private merge(): MergedRule[] {
    const anyone = this.byPeer.get(Peer.anyone().key);
    const coveredByAnyone = anyone ? simplifyPorts([...anyone.ports.values()]) : [];
    const groups = new Map<string, { peers: Peer[]; ports: Port[] }>();
    for (const { peer, ports } of this.byPeer.values()) {
      let simplified = simplifyPorts([...ports.values()]);
      if (!peer.isAnyone && anyone) {
        // Ports already allowed for everyone add nothing for this peer.
        simplified = simplified.filter((p) => !coveredByAnyone.some((c) => entryCovers(c._entry, p._entry)));
        if (simplified.length === 0) continue;
      }
      // Peers that select only namespaces and peers that select only pods of the policy's namespace
      // go into separate rules (same ports): side by side in one `from` list they read like one
      // AND-ed peer to a reviewer (lint NP003), although they are two (OR). The union is the same.
      const namespacesOnly = peer.namespaceSelector !== undefined && peer.podSelector === undefined;
      const signature = `${namespacesOnly ? 'n' : 'p'}#${simplified.map((p) => p.key).join(';')}`;
      let group = groups.get(signature);
      if (!group) {
        group = { peers: [], ports: simplified };
        groups.set(signature, group);
      }
      group.peers.push(peer);
    }
    const rules = [...groups.values()].map((g) => ({ peers: sortByKey(g.peers), ports: g.ports }));
    return rules.sort((a, b) => compareStrings(ruleKey(a), ruleKey(b)));
  }

  /**
   * The rendered rules (as `toJson` renders them) that have no peers and so allow every peer, each
   * with whether that was asked for with `Peer.anyone()`. A rule allows every peer only on purpose,
   * so one that was not asked for is a bug to fail on, never output.
   */
  public rulesWithoutPeers(peersField: 'from' | 'to'): RuleWithoutPeers[] {
    const rules = this.rules();
    return this.toJson(peersField).flatMap((json, index) => {
      const peers = json[peersField];
      return peers === undefined || peers.length === 0 ? [{ index, json, askedFor: rules[index].peers.some((p) => p.isAnyone) }] : [];
    });
  }

  /** The rules as JSON of one direction: `from` (ingress) or `to` (egress) plus `ports`. */
  public toJson(peersField: 'from' | 'to'): Array<{ from?: NetworkPolicyPeerJson[]; to?: NetworkPolicyPeerJson[]; ports?: NetworkPolicyPortJson[] }> {
    return this.rules().map((rule) => {
      const json: { from?: NetworkPolicyPeerJson[]; to?: NetworkPolicyPeerJson[]; ports?: NetworkPolicyPortJson[] } = {};
      if (!rule.peers.some((p) => p.isAnyone)) json[peersField] = rule.peers.map((p) => p.toJson());
      if (!rule.ports.some((p) => p.isAllTraffic)) json.ports = rule.ports.map((p) => p.toJson());
      return json;
    });
  }
}

/**
 * The ports without duplicates and without those another port covers (`k8s/port-set` decides what
 * covers what), sorted: the union stays exactly the same.
 */
export function simplifyPorts(ports: Port[]): Port[] {
  const unique = sortByKey([...new Map(ports.map((p) => [p.key, p])).values()]);
  return withoutCovered(unique, (p) => p._entry);
}

function ruleKey(rule: MergedRule): string {
  return `${rule.peers[0].key}#${rule.ports.map((p) => p.key).join(';')}`;
}
