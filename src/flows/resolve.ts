import { ObservedEnd, ObservedEndKind } from './observed';
import { withoutTemplateHash, workloadCandidates } from './pod-names';
import { RawEnd, RawPod } from './record';
import { Cluster, ClusterEndpoint } from '../inventory/cluster';
import { formatIp } from '../k8s/cidr';

/** An end as the flows build it up: DNS names and labels gather over the records. */
interface EndState {
  kind: ObservedEndKind;
  readonly id: string;
  readonly namespace?: string;
  readonly name?: string;
  workloadKind?: string;
  readonly ip?: string;
  readonly dnsNames: Set<string>;
  labels?: Record<string, string>;
}

/** Names the cluster DNS server runs under in kube-system, when a record carries no labels. */
const DNS_WORKLOADS = new Set(['coredns', 'kube-dns']);

/** Most raw ends whose mapping is remembered (pods come and go; the memory must not grow without end). */
const CACHE_LIMIT = 50_000;

/**
 * Maps the ends of flow records to workloads of the manifests (by the workload the record names,
 * the pod name, the pod name without its hash suffixes, then the pod labels), and gathers what the
 * records say about each end.
 */
export class EndResolver {
  private readonly states = new Map<string, EndState>();
  private readonly cache = new Map<string, EndState | null>();
  private readonly byNamespace = new Map<string, ClusterEndpoint[]>();
  private readonly byIp = new Map<string, ClusterEndpoint>();
  private readonly finished = new Map<string, ObservedEnd>();

  constructor(private readonly cluster?: Cluster) {
    for (const e of cluster?.endpoints ?? []) {
      if (e.external || e.namespace === undefined) continue;
      const list = this.byNamespace.get(e.namespace) ?? [];
      list.push(e);
      this.byNamespace.set(e.namespace, list);
      for (const ip of e.ips) {
        const text = formatIp(ip);
        if (!this.byIp.has(text)) this.byIp.set(text, e);
      }
    }
  }

  /** The end's id, or undefined when it cannot be named. */
  public resolve(raw: RawEnd): string | undefined {
    switch (raw.kind) {
      case 'host': return this.state(raw.id, () => ({ kind: ObservedEndKind.HOST, id: raw.id, name: raw.id.startsWith('host:') ? raw.id.slice(5) : raw.id })).id;
      case 'external': {
        const declared = raw.ip !== undefined && raw.lookup ? this.byIp.get(raw.ip) : undefined;
        if (declared) return this.declaredState(declared, false).id;
        const id = raw.ip ?? raw.aggregate!;
        const state = this.state(id, () => ({ kind: ObservedEndKind.EXTERNAL, id, name: raw.name, ip: raw.ip }));
        for (const n of raw.dnsNames ?? []) state.dnsNames.add(n);
        return id;
      }
      case 'pod': {
        const cached = this.cache.get(raw.key);
        if (cached !== undefined) return cached?.id;
        if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
        const state = this.resolvePod(raw);
        this.cache.set(raw.key, state ?? null);
        return state?.id;
      }
    }
  }

  /** The end with this id, as the result shows it (frozen; the same object for every connection). */
  public end(id: string): ObservedEnd {
    let end = this.finished.get(id);
    if (!end) {
      const s = this.states.get(id)!;
      const sorted = s.labels ? Object.entries(s.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) : undefined;
      const labels = sorted ? Object.freeze(Object.fromEntries(sorted)) : undefined;
      end = Object.freeze({
        kind: s.kind,
        id: s.id,
        ...(s.namespace !== undefined ? { namespace: s.namespace } : {}),
        ...(s.name !== undefined ? { name: s.name } : {}),
        ...(s.workloadKind !== undefined ? { workloadKind: s.workloadKind } : {}),
        ...(s.ip !== undefined ? { ip: s.ip } : {}),
        ...(s.dnsNames.size > 0 ? { dnsNames: Object.freeze([...s.dnsNames].sort()) as string[] } : {}),
        ...(labels ? { labels } : {}),
      });
      this.finished.set(id, end);
    }
    return end;
  }

  private resolvePod(raw: RawPod): EndState | undefined {
    const p: RawPod = raw.lazyLabels ? { ...raw, labels: raw.lazyLabels() } : raw;
    const declared = this.cluster ? this.declaredEndpoint(p) : undefined;
    const dns = p.dns === true || (p.namespace === 'kube-system' && p.labels?.['k8s-app'] === 'kube-dns');
    if (declared) return this.declaredState(declared, dns);
    const name = this.undeclaredName(p);
    if (name === undefined) return undefined;
    const id = `${p.namespace}/${name}`;
    const isDns = dns || (p.namespace === 'kube-system' && DNS_WORKLOADS.has(name));
    const kind = isDns ? ObservedEndKind.DNS : ObservedEndKind.UNDECLARED_WORKLOAD;
    const state = this.state(id, () => ({ kind, id, namespace: p.namespace, name }));
    if (isDns) state.kind = ObservedEndKind.DNS;
    if (state.workloadKind === undefined && p.workloadKind !== undefined) state.workloadKind = p.workloadKind;
    if (p.labels) state.labels = state.labels ? intersect(state.labels, p.labels) : { ...p.labels };
    return state;
  }

  /** The declared workload a pod of a record belongs to. */
  private declaredEndpoint(p: RawPod): ClusterEndpoint | undefined {
    const names: string[] = [];
    if (p.exact) {
      names.push(p.pod!);
    } else {
      if (p.workload) names.push(p.workload);
      if (p.pod) names.push(...workloadCandidates(p.pod));
      if (p.prefix) names.push(...withoutTemplateHash(p.prefix));
    }
    for (const name of names) {
      const e = this.cluster!.endpoint(`${p.namespace}/${name}`);
      if (e && !e.external) return e;
    }
    if (p.exact || !p.labels) return undefined;
    return this.byLabels(p.namespace, p.labels, p.pod ?? p.prefix);
  }

  /**
   * The declared workload of the namespace whose pod labels the pod carries: the one with the most
   * labels; of several with as many, the one whose name starts the pod name. None when still ambiguous.
   */
  private byLabels(namespace: string, labels: Readonly<Record<string, string>>, podName: string | undefined): ClusterEndpoint | undefined {
    const matching = (this.byNamespace.get(namespace) ?? []).filter((e) => {
      const entries = Object.entries(e.labels);
      return entries.length > 0 && entries.every(([k, v]) => labels[k] === v);
    });
    if (matching.length === 0) return undefined;
    const most = Math.max(...matching.map((e) => Object.keys(e.labels).length));
    let best = matching.filter((e) => Object.keys(e.labels).length === most);
    if (best.length > 1 && podName !== undefined) best = best.filter((e) => podName.startsWith(`${e.id.slice(namespace.length + 1)}-`));
    return best.length === 1 ? best[0] : undefined;
  }

  private undeclaredName(p: RawPod): string | undefined {
    if (p.exact) return p.pod;
    if (p.workload) return p.workload;
    if (p.pod) return workloadCandidates(p.pod).pop();
    if (p.prefix) return withoutTemplateHash(p.prefix).pop();
    const l = p.labels ?? {};
    return l['app.kubernetes.io/name'] || l.app || l['k8s-app'] || undefined;
  }

  private declaredState(e: ClusterEndpoint, dns: boolean): EndState {
    const state = this.state(e.id, () => ({
      kind: ObservedEndKind.WORKLOAD,
      id: e.id,
      namespace: e.namespace,
      name: e.id.slice(e.namespace!.length + 1),
      workloadKind: e.kind,
      labels: { ...e.labels },
    }));
    if (dns || (e.namespace === 'kube-system' && e.labels['k8s-app'] === 'kube-dns')) state.kind = ObservedEndKind.DNS;
    return state;
  }

  private state(id: string, make: () => Omit<EndState, 'dnsNames'>): EndState {
    let s = this.states.get(id);
    if (!s) {
      s = { ...make(), dnsNames: new Set() };
      this.states.set(id, s);
    }
    return s;
  }
}

function intersect(a: Record<string, string>, b: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(a)) if (b[k] === v) out[k] = v;
  return out;
}
