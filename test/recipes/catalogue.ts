import { Chart } from 'cdk8s';
import * as lib from '../../src';
import { ReachabilityOptions } from '../../src';

/** One expected verdict: `from -> to` on `port` (e.g. `8080/TCP`) is allowed or denied. */
export type Expectation = [from: string, to: string, port: string, allowed: boolean];

/** A recipe: the code a user writes, what it is for, and what it allows and denies in the model cluster. */
export interface Recipe {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  /** TypeScript (plain JS syntax) run with the library in scope and `chart` (namespace shop) and `app`. */
  readonly code: string;
  /** The namespace the diagram focuses on. */
  readonly focus: string;
  readonly expect: Expectation[];
  /** Extra manifests of the model (namespaces and pods). */
  readonly model?: any[];
  /** Extra ends outside the cluster (e.g. reached by DNS name). */
  readonly externals?: lib.ExternalEndpoint[];
  /**
   * The lint findings the recipe is meant to show (`code object field: message`), which its
   * description explains: a recipe that denies something on purpose, and the lint that says so.
   */
  readonly findings?: string[];
}

const pod = (namespace: string, name: string, labels: Record<string, string>, ip: string, ports: Array<[number, string]> = []) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace, labels },
  spec: { containers: [{ name: 'main', ports: ports.map(([containerPort, portName]) => ({ containerPort, name: portName })) }] },
  status: { podIP: ip },
});
const namespace = (name: string, labels: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });

/** The model cluster every recipe runs in. */
export const MODEL: any[] = [
  namespace('shop', { team: 'shop' }),
  namespace('other', { team: 'other' }),
  // Every namespace of the model has its Namespace object: without it its labels are a guess, and a
  // guardrail Deny on a label (e.g. TenantIsolation's tenant label) is decided fail closed there.
  namespace('monitoring', {}),
  namespace('ingress-nginx', {}),
  namespace('kube-system', {}),
  pod('shop', 'web', { app: 'web' }, '10.244.1.1', [[8080, 'http'], [9090, 'metrics']]),
  pod('shop', 'api', { app: 'api' }, '10.244.1.2', [[8080, 'http'], [9090, 'metrics']]),
  pod('shop', 'db', { app: 'db' }, '10.244.1.3', [[5432, 'postgres']]),
  pod('other', 'client', { app: 'client' }, '10.244.2.1'),
  pod('other', 'tool', { app: 'tool' }, '10.244.2.2'),
  pod('monitoring', 'prometheus', { 'app.kubernetes.io/name': 'prometheus' }, '10.244.3.1'),
  pod('ingress-nginx', 'controller', { 'app.kubernetes.io/name': 'ingress-nginx' }, '10.244.4.1'),
  pod('kube-system', 'coredns', { 'k8s-app': 'kube-dns' }, '10.244.5.1', [[53, 'dns']]),
];

/** Addresses outside the cluster in the model. */
export const MODEL_OPTIONS: ReachabilityOptions = {
  externals: [{ name: 'internet', ip: '198.51.100.7' }, { name: 'cloud-metadata', ip: '169.254.169.254' }, { name: 'kube-apiserver', ip: '10.0.0.1' }],
};

/** The analyser's options for a recipe: the model's externals and the recipe's own. */
export function optionsFor(recipe: Recipe): ReachabilityOptions {
  return { ...MODEL_OPTIONS, externals: [...MODEL_OPTIONS.externals!, ...(recipe.externals ?? [])] };
}

/** Runs a recipe's code into a chart (namespace shop) of a fresh app (on `target`, plain Kubernetes by default); returns every chart of the app. */
export function runRecipe(recipe: Recipe, target?: lib.NetworkTarget): lib.NetpolApp {
  const app = new lib.NetpolApp({ outdir: '/nonexistent-recipes-never-written', ...(target ? { target } : {}) });
  const chart = new Chart(app, recipe.id, { namespace: 'shop' });
  const names = Object.keys(lib).filter((k) => /^[A-Z]/.test(k));
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  new Function('lib', 'chart', 'app', `const { ${names.join(', ')} } = lib;\n${recipe.code}`)(lib, chart, app);
  return app;
}

/** The Port a label like `8080/TCP` stands for. */
export function portOf(label: string): lib.Port {
  const [n, proto] = label.split('/');
  return /^[0-9]+$/.test(n) ? lib.Port.of(proto as lib.Protocol, Number(n)) : lib.Port.named(n, proto as lib.Protocol);
}

export const RECIPES: Recipe[] = [
  {
    id: 'deny-all-to-an-app',
    title: 'Deny all traffic to an application',
    description: 'Nothing may connect to the web pods; everything else is unchanged.',
    code: "new DefaultDeny(chart, 'web-deny-all', { pods: Selector.labels({ app: 'web' }), directions: [Direction.INGRESS] });",
    focus: 'shop',
    expect: [['shop/api', 'shop/web', '8080/TCP', false], ['other/client', 'shop/web', '8080/TCP', false], ['internet', 'shop/web', '8080/TCP', false],
      ['shop/web', 'shop/api', '8080/TCP', true], ['shop/api', 'shop/db', '5432/TCP', true]],
  },
  {
    id: 'limit-traffic-to-an-app',
    title: 'Limit traffic to an application',
    description: 'Only the web pods may connect to the api, and only on 8080/TCP.',
    code: "new NetworkPolicy(chart, 'api-from-web', { pods: Selector.labels({ app: 'api' }) }).allowFrom(Peer.pods(Selector.labels({ app: 'web' })), Port.tcp(8080));",
    focus: 'shop',
    expect: [['shop/web', 'shop/api', '8080/TCP', true], ['shop/web', 'shop/api', '9090/TCP', false], ['shop/db', 'shop/api', '8080/TCP', false],
      ['other/client', 'shop/api', '8080/TCP', false], ['shop/api', 'shop/db', '5432/TCP', true]],
  },
  {
    id: 'allow-all-to-an-app',
    title: 'Allow all traffic to an application',
    description: 'Next to a namespace default deny, the web pods accept everything from everyone (an explicit `Peer.anyone()` and `Port.allTraffic()`).',
    code: "new DefaultDeny(chart, 'default-deny', { directions: [Direction.INGRESS] });\n"
      + "new NetworkPolicy(chart, 'web-allow-all', { pods: Selector.labels({ app: 'web' }) }).allowFrom(Peer.anyone(), Port.allTraffic());",
    focus: 'shop',
    expect: [['internet', 'shop/web', '8080/TCP', true], ['other/client', 'shop/web', '9090/TCP', true], ['other/client', 'shop/api', '8080/TCP', false]],
  },
  {
    id: 'deny-all-non-whitelisted-traffic-in-a-namespace',
    title: 'Deny all non-whitelisted traffic in a namespace',
    description: 'Every pod of the namespace refuses all ingress until another policy allows it.',
    code: "new DefaultDeny(chart, 'default-deny', { directions: [Direction.INGRESS] });",
    focus: 'shop',
    expect: [['shop/web', 'shop/api', '8080/TCP', false], ['other/client', 'shop/db', '5432/TCP', false], ['shop/web', 'other/client', '80/TCP', true]],
  },
  {
    id: 'deny-traffic-from-other-namespaces',
    title: 'Deny traffic from other namespaces',
    description: 'Pods of the namespace accept traffic from each other only.',
    code: "new AllowSameNamespace(chart, 'same-namespace-only');",
    focus: 'shop',
    expect: [['shop/web', 'shop/api', '8080/TCP', true], ['other/client', 'shop/api', '8080/TCP', false], ['internet', 'shop/web', '8080/TCP', false]],
  },
  {
    id: 'allow-traffic-from-all-namespaces',
    title: 'Allow traffic from all namespaces',
    description: 'Every pod of the cluster (but no address outside it) may reach the web pods on 8080/TCP.',
    code: "new NetworkPolicy(chart, 'web-from-cluster', { pods: Selector.labels({ app: 'web' }) }).allowFrom(Peer.allNamespaces(), Port.tcp(8080));",
    focus: 'shop',
    expect: [['other/client', 'shop/web', '8080/TCP', true], ['monitoring/prometheus', 'shop/web', '8080/TCP', true], ['internet', 'shop/web', '8080/TCP', false]],
  },
  {
    id: 'allow-traffic-from-a-namespace',
    title: 'Allow traffic from a namespace',
    description: 'Pods of namespaces labelled `team: other` may reach the api.',
    code: "new NetworkPolicy(chart, 'api-from-team-other', { pods: Selector.labels({ app: 'api' }) }).allowFrom(Peer.namespaces(Selector.labels({ team: 'other' })), Port.tcp(8080));",
    focus: 'shop',
    expect: [['other/client', 'shop/api', '8080/TCP', true], ['other/tool', 'shop/api', '8080/TCP', true], ['monitoring/prometheus', 'shop/api', '8080/TCP', false], ['shop/web', 'shop/api', '8080/TCP', false]],
  },
  {
    id: 'allow-traffic-from-some-pods-in-another-namespace',
    title: 'Allow traffic from some pods in another namespace',
    description: 'Only the client pods of namespace other (one peer: namespace AND pods) may reach the api.',
    code: "new NetworkPolicy(chart, 'api-from-client', { pods: Selector.labels({ app: 'api' }) }).allowFrom(Peer.podsInNamespace('other', Selector.labels({ app: 'client' })), Port.tcp(8080));",
    focus: 'shop',
    expect: [['other/client', 'shop/api', '8080/TCP', true], ['other/tool', 'shop/api', '8080/TCP', false], ['shop/web', 'shop/api', '8080/TCP', false]],
  },
  {
    id: 'allow-external-traffic',
    title: 'Allow traffic from outside the cluster',
    description: 'Anyone, inside or outside the cluster, may reach the web pods on 8080/TCP; nothing else.',
    code: "new NetworkPolicy(chart, 'web-public', { pods: Selector.labels({ app: 'web' }) }).allowFrom(Peer.anyone(), Port.tcp(8080));",
    focus: 'shop',
    expect: [['internet', 'shop/web', '8080/TCP', true], ['other/client', 'shop/web', '8080/TCP', true], ['internet', 'shop/web', '9090/TCP', false]],
  },
  {
    id: 'allow-traffic-only-to-a-port',
    title: 'Allow traffic only to a port of an application',
    description: 'Pods of the cluster may reach the api on its named `http` port, not on its metrics port.',
    code: "new NetworkPolicy(chart, 'api-http-only', { pods: Selector.labels({ app: 'api' }) }).allowFrom(Peer.allNamespaces(), Port.named('http'));",
    focus: 'shop',
    expect: [['other/client', 'shop/api', '8080/TCP', true], ['other/client', 'shop/api', '9090/TCP', false], ['shop/web', 'shop/api', '9090/TCP', false]],
  },
  {
    id: 'multiple-selectors',
    title: 'Allow traffic from several selectors',
    description: 'Two peers in one rule are OR-ed: the api pods, or the client pods of namespace other, may reach the database.',
    code: "new NetworkPolicy(chart, 'db-clients', { pods: Selector.labels({ app: 'db' }) })\n"
      + "  .addIngressRule([Peer.pods(Selector.labels({ app: 'api' })), Peer.podsInNamespace('other', Selector.labels({ app: 'client' }))], [Port.tcp(5432)]);",
    focus: 'shop',
    expect: [['shop/api', 'shop/db', '5432/TCP', true], ['other/client', 'shop/db', '5432/TCP', true], ['shop/web', 'shop/db', '5432/TCP', false], ['other/tool', 'shop/db', '5432/TCP', false]],
  },
  {
    id: 'deny-egress-from-an-app',
    title: 'Deny egress traffic from an application',
    description: 'The web pods may connect to nothing, not even DNS; others are unchanged.',
    code: "new DefaultDeny(chart, 'web-no-egress', { pods: Selector.labels({ app: 'web' }), directions: [Direction.EGRESS] })\n"
      + "  .policy.acceptLint(LintCode.EGRESS_WITHOUT_DNS, 'web resolves no names: it connects nowhere');",
    focus: 'shop',
    expect: [['shop/web', 'shop/api', '8080/TCP', false], ['shop/web', 'kube-system/coredns', '53/UDP', false], ['shop/api', 'shop/web', '8080/TCP', true]],
  },
  {
    id: 'deny-all-non-whitelisted-egress-in-a-namespace',
    title: 'Deny all non-whitelisted egress in a namespace',
    description: 'No pod of the namespace may connect anywhere except the cluster DNS.',
    code: "new DefaultDeny(chart, 'default-deny-egress', { directions: [Direction.EGRESS] });\nnew AllowDns(chart, 'allow-dns');",
    focus: 'shop',
    expect: [['shop/web', 'shop/api', '8080/TCP', false], ['shop/web', 'kube-system/coredns', '53/UDP', true], ['shop/web', 'kube-system/coredns', '53/TCP', true], ['shop/web', 'internet', '443/TCP', false]],
  },
  {
    id: 'deny-external-egress',
    title: 'Deny external egress',
    description: 'Pods of the namespace may reach any pod of the cluster, but no address outside it. A guard: it only removes access, where no other '
      + 'policy restricts these pods\' egress. Next to `DefaultDeny`, `AllowDns` or an endpoint\'s own egress rules its rule would open every pod to them, '
      + 'so the synth fails naming that policy; there, addresses outside the cluster are denied already unless a rule allows them.',
    code: "new DenyExternalEgress(chart, 'no-external-egress');",
    focus: 'shop',
    expect: [['shop/web', 'shop/api', '8080/TCP', true], ['shop/web', 'other/client', '80/TCP', true], ['shop/web', 'kube-system/coredns', '53/UDP', true],
      ['shop/web', 'internet', '443/TCP', false], ['shop/web', 'cloud-metadata', '80/TCP', false]],
  },
  {
    id: 'allow-the-ingress-controller',
    title: 'Allow the ingress controller',
    description: 'With a namespace default deny, only the ingress controller may reach the web pods, on 8080/TCP.',
    code: "new DefaultDeny(chart, 'default-deny', { directions: [Direction.INGRESS] });\n"
      + "new AllowIngressController(chart, 'web-from-ingress', { pods: Selector.labels({ app: 'web' }), ports: [Port.tcp(8080)] });",
    focus: 'shop',
    expect: [['ingress-nginx/controller', 'shop/web', '8080/TCP', true], ['other/client', 'shop/web', '8080/TCP', false], ['ingress-nginx/controller', 'shop/api', '8080/TCP', false]],
  },
  {
    id: 'allow-prometheus-scraping',
    title: 'Allow Prometheus to scrape a metrics port',
    description: 'With a namespace default deny, Prometheus may scrape the api on its `metrics` port only.',
    code: "new DefaultDeny(chart, 'default-deny', { directions: [Direction.INGRESS] });\nnew AllowPrometheusScraping(chart, 'scrape-api', { pods: Selector.labels({ app: 'api' }) });",
    focus: 'shop',
    expect: [['monitoring/prometheus', 'shop/api', '9090/TCP', true], ['monitoring/prometheus', 'shop/api', '8080/TCP', false], ['other/client', 'shop/api', '9090/TCP', false]],
  },
  {
    id: 'allow-the-kubernetes-api-server',
    title: 'Allow the Kubernetes API server',
    description: 'With egress denied in the namespace, the api pods may reach the API server (by its endpoint address) on 443/TCP. '
      + 'On `NetworkTarget.cilium()` the same code writes a CiliumNetworkPolicy `toEntities: [kube-apiserver]` on 443/TCP instead of the ipBlock, '
      + 'since Cilium\'s CIDR rules do not match the API server on the cluster\'s nodes (`test/constructs/cilium-apiserver.test.ts`).',
    code: "new DefaultDeny(chart, 'default-deny-egress', { directions: [Direction.EGRESS] });\n"
      + "new AllowDns(chart, 'allow-dns');\n"
      + "new ExternalEgress(chart, 'api-to-kube-api', { from: Endpoint.fromLabels('api', { app: 'api' }), to: ExternalDestination.kubernetesApiServer(['10.0.0.1']), ports: [Port.tcp(443)] });",
    focus: 'shop',
    expect: [['shop/api', 'kube-apiserver', '443/TCP', true], ['shop/api', 'internet', '443/TCP', false], ['shop/web', 'kube-apiserver', '443/TCP', false]],
  },
  {
    id: 'block-the-cloud-metadata-endpoint',
    title: 'Block the cloud metadata endpoint',
    description: 'Pods may connect anywhere except 169.254.169.254 and fd00:ec2::254 (the AWS instance metadata service over IPv6). A guard: it only '
      + 'removes access, where no other policy restricts these pods\' egress. Next to `DefaultDeny`, `AllowDns` or an endpoint\'s own egress rules its rule '
      + 'would open the internet to them, so the synth fails naming that policy; there, the metadata addresses are denied already unless a rule allows '
      + 'them (`ExternalDestination.internet()` leaves them out).',
    code: "new BlockCloudMetadata(chart, 'no-cloud-metadata');",
    focus: 'shop',
    expect: [['shop/web', 'cloud-metadata', '80/TCP', false], ['shop/web', 'internet', '443/TCP', true], ['shop/web', 'shop/api', '8080/TCP', true], ['shop/web', 'other/client', '80/TCP', true]],
  },
  {
    id: 'same-namespace-traffic-only',
    title: 'Allow same-namespace traffic only',
    description: 'Pods of the namespace talk to each other (and resolve names) and to nothing else, both ways.',
    code: "new AllowSameNamespace(chart, 'same-namespace-only', { directions: [Direction.INGRESS, Direction.EGRESS] });\nnew AllowDns(chart, 'allow-dns');",
    focus: 'shop',
    expect: [['shop/web', 'shop/db', '5432/TCP', true], ['shop/web', 'other/client', '80/TCP', false], ['other/client', 'shop/web', '8080/TCP', false],
      ['shop/web', 'kube-system/coredns', '53/UDP', true], ['shop/web', 'internet', '443/TCP', false]],
  },
  {
    id: 'environment-isolation',
    title: 'Isolate environments (dev, staging, prod)',
    description: 'Two stacks, one per environment: "from all namespaces" means all namespaces of the same environment, '
      + 'and only dev accepts a debugging allowance (in prod, `allowDebugAccess` is a synth-time error), '
      + 'from a debugging namespace of the same environment (labelled `environment: dev`).',
    code: "const dev = new ApplicationStack(app, 'dev', { namespace: 'shop-dev', environment: Environment.dev() });\n"
      + "const devWeb = dev.addService('web', { labels: { app: 'web' } });\n"
      + 'dev.allow(Peer.allNamespaces(), devWeb, Port.tcp(8080));\n'
      + "dev.allowDebugAccess('debug-tools', Port.allTcp());\n"
      + "const prod = new ApplicationStack(app, 'prod', { namespace: 'shop-prod', environment: Environment.prod() });\n"
      + "prod.allow(Peer.allNamespaces(), prod.addService('web', { labels: { app: 'web' } }), Port.tcp(8080));",
    focus: 'shop-dev',
    model: [
      namespace('batch-dev', { environment: 'dev' }),
      namespace('batch-prod', { environment: 'prod' }),
      namespace('debug-tools', { environment: 'dev' }),
      pod('batch-dev', 'job', { app: 'job' }, '10.244.6.1'),
      pod('batch-prod', 'job', { app: 'job' }, '10.244.6.2'),
      pod('debug-tools', 'shell', { app: 'shell' }, '10.244.7.1'),
      pod('shop-dev', 'web', { app: 'web' }, '10.244.8.1'),
      pod('shop-prod', 'web', { app: 'web' }, '10.244.8.2'),
    ],
    expect: [['batch-dev/job', 'shop-dev/web', '8080/TCP', true], ['batch-prod/job', 'shop-dev/web', '8080/TCP', false],
      ['batch-prod/job', 'shop-prod/web', '8080/TCP', true], ['batch-dev/job', 'shop-prod/web', '8080/TCP', false],
      ['debug-tools/shell', 'shop-dev/web', '22/TCP', true], ['debug-tools/shell', 'shop-prod/web', '8080/TCP', false]],
  },
  {
    id: 'cilium-backend',
    title: 'Cilium: a backend that calls a SaaS API by DNS name',
    description: 'On Cilium, `CiliumBackend` locks a backend down to what it is for: the web pods may make only `GET` and `POST` requests under `/v1/` '
      + 'to the api (layer-7 HTTP rules on its ingress: another method or path gets a 403 from Cilium\'s proxy, which the table cannot show, as the '
      + 'analyser decides layer 3/4 and says `(L7 rules apply)`); the api may call the SaaS API by its DNS names on 443 (`toFQDNs`, with the DNS rule on '
      + 'kube-dns that Cilium\'s DNS proxy needs to learn their addresses) and its database; only the api may connect to the database. Nothing else '
      + 'reaches the api or the database, and the api reaches nothing else, not even the internet by address. HTTP rules go on the in-cluster hop, '
      + 'where Cilium sees plain HTTP: the SaaS calls are TLS. On any target but Cilium the synth fails, saying why.',
    code: 'NetworkTarget.declare(app, NetworkTarget.cilium());\n'
      + "const api = Endpoint.of({ name: 'api', pods: Selector.labels({ app: 'api' }), ports: [{ number: 8080 }] });\n"
      + "const db = Endpoint.of({ name: 'db', pods: Selector.labels({ app: 'db' }), ports: [{ number: 5432 }] });\n"
      + "new CiliumBackend(chart, 'api', {\n"
      + '  backend: api,\n'
      + '  port: Port.tcp(8080),\n'
      + "  callers: [Peer.pods(Selector.labels({ app: 'web' }))],\n"
      + "  requests: [HttpRule.of({ method: HttpMethod.GET, path: '/v1/.*' }), HttpRule.of({ method: HttpMethod.POST, path: '/v1/.*' })],\n"
      + "  externalApis: [ExternalDestination.dnsNames('payments-saas', ['api.payments.example', '*.files.payments.example'])],\n"
      + '  database: db,\n'
      + '});',
    focus: 'shop',
    externals: [{ name: 'payments-saas', ip: '203.0.113.7', dnsName: 'api.payments.example' },
      { name: 'payments-files', ip: '203.0.113.8', dnsName: 'eu.files.payments.example' }],
    expect: [['shop/web', 'shop/api', '8080/TCP', true], ['shop/web', 'shop/api', '9090/TCP', false], ['other/client', 'shop/api', '8080/TCP', false],
      ['shop/api', 'payments-saas', '443/TCP', true], ['shop/api', 'payments-files', '443/TCP', true], ['shop/api', 'payments-saas', '80/TCP', false],
      ['shop/api', 'internet', '443/TCP', false], ['shop/api', 'kube-system/coredns', '53/UDP', true],
      ['shop/api', 'shop/db', '5432/TCP', true], ['shop/web', 'shop/db', '5432/TCP', false], ['other/client', 'shop/db', '5432/TCP', false],
      ['shop/api', 'other/client', '80/TCP', false], ['monitoring/prometheus', 'shop/api', '9090/TCP', false]],
  },
  {
    id: 'platform-namespaces-always-reachable',
    title: 'Cluster guardrail: platform namespaces always reachable',
    description: 'An Admin-tier guardrail (priority 10, before every other guardrail recipe) lets every pod reach the cluster DNS and lets monitoring '
      + '(9090/TCP, the API\'s documented recipe) and the ingress controller reach every pod. Admin Allow/Accept is final: the namespace\'s `DefaultDeny` '
      + 'cannot cut it (DNS egress included, so no `AllowDns` is needed there), and everything else is still the namespace policies\' to decide. Needs a cluster that implements the sig-network policy API, '
      + 'declared once on the target (here v1alpha2 `ClusterNetworkPolicy`; v1alpha1 emits an `AdminNetworkPolicy`). The object is annotated as a '
      + 'platform allow: a Deny that takes precedence over it is lint NP021.',
    code: 'NetworkTarget.declare(app, NetworkTarget.kubernetes({ clusterPolicyApi: ClusterPolicyApi.CLUSTER_NETWORK_POLICY_V1ALPHA2 }));\n'
      + "new DefaultDeny(chart, 'default-deny');\n"
      + "new PlatformAccess(chart, 'platform', { ingressControllerNamespace: 'ingress-nginx', ingressControllerPorts: [Port.tcp(8080)] });",
    focus: 'shop',
    expect: [['monitoring/prometheus', 'shop/web', '9090/TCP', true], ['ingress-nginx/controller', 'shop/web', '8080/TCP', true],
      ['shop/web', 'kube-system/coredns', '53/UDP', true], ['monitoring/prometheus', 'shop/web', '8080/TCP', false],
      ['other/client', 'shop/web', '8080/TCP', false], ['shop/web', 'shop/api', '8080/TCP', false], ['shop/web', 'internet', '443/TCP', false]],
  },
  {
    id: 'tenants-isolated-from-each-other',
    title: 'Cluster guardrail: tenants isolated from each other',
    description: 'One Admin-tier guardrail per tenant (namespaces labelled `team: shop`, `team: other`), after the API\'s "isolate tenants" example: '
      + 'traffic from the tenant\'s own namespaces is passed to their NetworkPolicies, traffic from every other tenant\'s namespace is denied (final). '
      + 'The API\'s example needs a same-label selector it does not have yet, hence one guardrail per tenant, all at priority 50 (their subjects never '
      + 'overlap). Namespaces without the tenant label (monitoring, ingress) are left to the next tiers.',
    code: 'NetworkTarget.declare(app, NetworkTarget.kubernetes({ clusterPolicyApi: ClusterPolicyApi.ADMIN_NETWORK_POLICY_V1ALPHA1 }));\n'
      + "new TenantIsolation(chart, 'tenants', { tenants: ['other', 'shop'], tenantLabel: 'team' });",
    focus: 'shop',
    expect: [['other/client', 'shop/web', '8080/TCP', false], ['shop/web', 'other/client', '80/TCP', false],
      ['shop/web', 'shop/api', '8080/TCP', true], ['other/client', 'other/tool', '80/TCP', true],
      ['monitoring/prometheus', 'shop/web', '9090/TCP', true], ['ingress-nginx/controller', 'shop/web', '8080/TCP', true]],
  },
  {
    id: 'baseline-default-deny',
    title: 'Cluster guardrail: a baseline default deny that namespace policies may open',
    description: 'The API\'s recipe "Provide a baseline deny guardrail": a Baseline-tier guardrail (v1alpha1: the singleton `BaselineAdminNetworkPolicy` '
      + 'named `default`) denying traffic from and to every pod. The Baseline tier comes after the NetworkPolicies, and only for the pods and directions '
      + 'no NetworkPolicy selects: here `web -> api` on 8080 is opened by the namespace\'s own policies (both sides), and nothing else. It denies DNS too: '
      + 'shop\'s `AllowDns` opens its egress, but no policy selects CoreDNS\'s ingress, so the baseline denies it (pair it with the platform recipe); addresses outside the cluster are not pod peers and stay with the default.',
    code: 'NetworkTarget.declare(app, NetworkTarget.kubernetes({ clusterPolicyApi: ClusterPolicyApi.ADMIN_NETWORK_POLICY_V1ALPHA1 }));\n'
      + "new BaselineDefaultDeny(chart, 'baseline');\n"
      + "new AllowDns(chart, 'allow-dns');\n"
      + "NetworkPolicies.of(chart).allow(Endpoint.fromLabels('web', { app: 'web' }), Endpoint.fromLabels('api', { app: 'api' }), Port.tcp(8080));",
    focus: 'shop',
    expect: [['shop/web', 'shop/api', '8080/TCP', true], ['shop/web', 'shop/api', '9090/TCP', false], ['other/client', 'shop/db', '5432/TCP', false],
      ['shop/db', 'kube-system/coredns', '53/UDP', false], ['other/client', 'kube-system/coredns', '53/UDP', false], ['shop/web', 'internet', '443/TCP', false], ['other/client', 'internet', '443/TCP', true]],
    // NP002 says what the description does: the baseline denies CoreDNS's ingress, so shop's pods cannot resolve names.
    findings: ['web', 'api', 'db'].map((w) => `NP002 shop/allow-dns spec.policyTypes: isolates the egress of shop/${w}, and its DNS (53/UDP) is let out, `
      + 'and dropped in the ingress of kube-system/coredns (BaselineAdminNetworkPolicy default), so it cannot resolve names'),
  },
  {
    id: 'cloud-metadata-denied-cluster-wide',
    title: 'Cluster guardrail: cloud metadata denied cluster-wide',
    description: 'An Admin-tier Deny (priority 20) of egress to 169.254.169.254/32 and fd00:ec2::254/128 (networks peers) for every pod: final, so even '
      + 'a NetworkPolicy that allows all IPv4 egress cannot open it, and it never allows anything, so unlike the namespace recipe it cannot widen '
      + 'another policy. Everything else goes on to the next tiers unchanged.',
    code: 'NetworkTarget.declare(app, NetworkTarget.kubernetes({ clusterPolicyApi: ClusterPolicyApi.CLUSTER_NETWORK_POLICY_V1ALPHA2 }));\n'
      + "new ClusterBlockCloudMetadata(chart, 'no-metadata');\n"
      + "new AllowDns(chart, 'allow-dns');\n"
      + "new NetworkPolicy(chart, 'web-egress', { pods: Selector.labels({ app: 'web' }) }).allowTo(Peer.anyIpv4(), Port.allTraffic());",
    focus: 'shop',
    expect: [['shop/web', 'cloud-metadata', '80/TCP', false], ['other/client', 'cloud-metadata', '80/TCP', false],
      ['shop/web', 'internet', '443/TCP', true], ['shop/web', 'shop/api', '8080/TCP', true]],
  },
];
