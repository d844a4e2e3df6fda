import * as jsyaml from 'js-yaml';
import { expectMatrixAgrees } from './matrix-agrees';
import { Port, Reachability, ReachabilityOptions, SkipCategory } from '../../src';

/**
 * Cilium's identity of a pod carries its service account as the label
 * `io.cilium.k8s.policy.serviceaccount=<spec.serviceAccountName>` (docs.cilium.io "Using
 * Kubernetes Constructs In Policy", "ServiceAccounts"), so a selector on it is decided wherever the
 * input gives the pod's spec: a Pod's `spec.serviceAccountName` (or the deprecated
 * `spec.serviceAccount`), a workload's pod template's, `default` where none is named. Only pods on
 * the pod network: a hostNetwork pod has the host's identity. A pod without a spec in the input (a
 * model pod) is read fail closed, and said so.
 *
 * The example is the documentation's (examples/policies/kubernetes/serviceaccount): pods running as
 * "luke" may send `GET /public` on 80/TCP to the pods running as "leia"; "vader" may not. Written
 * here as YAML, with two more clients: one that names no service account and one that names it by
 * the deprecated field. The clients carry the same labels, so only the service account tells them
 * apart (the classes of the matrix must too).
 */
const DOCS_EXAMPLE = `
apiVersion: v1
kind: Namespace
metadata: {name: default}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: leia}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: luke}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: vader}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: leia-deployment}
spec:
  selector: {matchLabels: {name: leia}}
  replicas: 1
  template:
    metadata: {labels: {name: leia}}
    spec:
      serviceAccountName: leia
      containers: [{name: leia-container, ports: [{containerPort: 80}]}]
---
apiVersion: v1
kind: Pod
metadata: {name: luke-pod, labels: {role: client}}
spec:
  serviceAccountName: luke
  containers: [{name: luke-container}]
status: {podIP: 10.0.0.11}
---
apiVersion: v1
kind: Pod
metadata: {name: vader-pod, labels: {role: client}}
spec:
  serviceAccountName: vader
  containers: [{name: vader-container}]
status: {podIP: 10.0.0.12}
---
apiVersion: v1
kind: Pod
metadata: {name: plain-pod, labels: {role: client}}
spec:
  containers: [{name: plain-container}]
status: {podIP: 10.0.0.13}
---
apiVersion: v1
kind: Pod
metadata: {name: old-luke-pod, labels: {role: client}}
spec:
  serviceAccount: luke
  containers: [{name: old-container}]
status: {podIP: 10.0.0.14}
`;
const K8S_SVC_ACCOUNT = `
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: k8s-svc-account}
spec:
  endpointSelector:
    matchLabels:
      io.cilium.k8s.policy.serviceaccount: leia
  ingress:
  - fromEndpoints:
    - matchLabels:
        io.cilium.k8s.policy.serviceaccount: luke
    toPorts:
    - ports: [{port: "80", protocol: TCP}]
      rules:
        http: [{method: GET, path: "/public$"}]
`;
const HTTP = Port.tcp(80);
const LEIA = 'default/leia-deployment';

function load(...texts: string[]): any[] {
  return texts.flatMap((t) => jsyaml.loadAll(t) as any[]);
}

function analyse(texts: string[], options: ReachabilityOptions = {}): Reachability {
  return Reachability.fromManifests(load(...texts), options);
}

const failClosed = (r: Reachability) => r.skipped.filter((s) => /fail closed/.test(s.reason));

describe('the documented example: luke may reach leia, vader may not', () => {
  test('luke-pod is allowed to leia on 80/TCP (L7 rules apply), vader-pod is denied', () => {
    const r = analyse([DOCS_EXAMPLE, K8S_SVC_ACCOUNT]);
    expect(r.skipped).toEqual([]);
    const luke = r.explain('default/luke-pod', LEIA, HTTP);
    expect(luke.allowed).toBe(true);
    expect(luke.ingress.allowedBy).toEqual([expect.objectContaining({ policy: 'default/k8s-svc-account', kind: 'CiliumNetworkPolicy', l7Rules: true })]);
    const vader = r.explain('default/vader-pod', LEIA, HTTP);
    expect(vader.allowed).toBe(false);
    expect(vader.ingress.isolated).toBe(true);
    expect(vader.ingress.allowedBy).toEqual([]);
    // Only the port of the rule.
    expect(r.allows('default/luke-pod', LEIA, Port.tcp(81))).toBe(false);
    // The policy selects leia's pods only: the clients' ingress stays open.
    expect(r.allows(LEIA, 'default/vader-pod', HTTP)).toBe(true);
    expectMatrixAgrees(r, HTTP);
  });

  test('explain says nothing is undecided: the service account is read from the pods', () => {
    const r = analyse([DOCS_EXAMPLE, K8S_SVC_ACCOUNT]);
    expect(failClosed(r)).toEqual([]);
    for (const from of ['default/luke-pod', 'default/vader-pod', 'default/plain-pod']) {
      const notes = r.explain(from, LEIA, HTTP).notes;
      expect(notes.filter((n) => /fail closed|io\.cilium\.k8s\.policy|may select/.test(n))).toEqual([]);
    }
  });

  test('a pod without serviceAccountName runs as default; the deprecated serviceAccount field names its account', () => {
    const r = analyse([DOCS_EXAMPLE, K8S_SVC_ACCOUNT]);
    expect(r.allows('default/plain-pod', LEIA, HTTP)).toBe(false);
    expect(r.allows('default/old-luke-pod', LEIA, HTTP)).toBe(true);
    // Selected as default, it is isolated by a policy of that account, and allows luke only.
    const asDefault = analyse([DOCS_EXAMPLE, `
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: default-account}
spec:
  endpointSelector: {matchLabels: {k8s:io.cilium.k8s.policy.serviceaccount: default}}
  ingress:
  - fromEndpoints: [{matchLabels: {io.cilium.k8s.policy.serviceaccount: luke}}]
`]);
    expect(asDefault.allows('default/luke-pod', 'default/plain-pod', HTTP)).toBe(true);
    expect(asDefault.allows('default/vader-pod', 'default/plain-pod', HTTP)).toBe(false);
    expect(asDefault.allows('default/old-luke-pod', 'default/plain-pod', HTTP)).toBe(true);
    // The others run as other accounts: not selected, not isolated.
    expect(asDefault.allows('default/vader-pod', 'default/luke-pod', HTTP)).toBe(true);
    expect(asDefault.explain('default/vader-pod', 'default/luke-pod', HTTP).ingress.isolated).toBe(false);
    expectMatrixAgrees(asDefault, HTTP);
  });

  test('serviceAccountName wins over the deprecated serviceAccount', () => {
    const both = DOCS_EXAMPLE.replace('serviceAccount: luke\n', 'serviceAccountName: vader\n  serviceAccount: luke\n');
    const r = analyse([both, K8S_SVC_ACCOUNT]);
    expect(r.allows('default/old-luke-pod', LEIA, HTTP)).toBe(false);
    expect(r.allows('default/luke-pod', LEIA, HTTP)).toBe(true);
  });

  test('a pod\'s own label of the service account key is not its service account', () => {
    const forged = DOCS_EXAMPLE.replace('{name: vader-pod, labels: {role: client}}', '{name: vader-pod, labels: {role: client, io.cilium.k8s.policy.serviceaccount: luke}}');
    const r = analyse([forged, K8S_SVC_ACCOUNT]);
    expect(r.allows('default/vader-pod', LEIA, HTTP)).toBe(false);
    expect(r.allows('default/luke-pod', LEIA, HTTP)).toBe(true);
    expectMatrixAgrees(r, HTTP);
  });
});

describe('deny rules on a service account', () => {
  const DENY_VADER = `
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: no-vader}
spec:
  endpointSelector: {}
  enableDefaultDeny: {ingress: false}
  ingressDeny:
  - fromEndpoints: [{matchLabels: {io.cilium.k8s.policy.serviceaccount: vader}}]
`;

  test('an ingressDeny from vader denies vader-pod everywhere and nobody else', () => {
    const r = analyse([DOCS_EXAMPLE, DENY_VADER]);
    expect(failClosed(r)).toEqual([]);
    expect(r.allows('default/vader-pod', 'default/luke-pod', HTTP)).toBe(false);
    expect(r.allows('default/vader-pod', LEIA, HTTP)).toBe(false);
    expect(r.explain('default/vader-pod', 'default/luke-pod', HTTP).ingress.deniedBy)
      .toMatchObject({ policy: 'no-vader', direction: 'ingressDeny', rule: 0 });
    expect(r.allows('default/luke-pod', 'default/vader-pod', HTTP)).toBe(true);
    expect(r.allows('default/plain-pod', 'default/luke-pod', HTTP)).toBe(true);
    expect(r.allows(LEIA, 'default/plain-pod', HTTP)).toBe(true);
    expect(r.explain('default/plain-pod', 'default/luke-pod', HTTP).notes).toEqual([]);
    expectMatrixAgrees(r, HTTP);
  });

  test('an egressDeny of the pods running as vader (the subject) to every endpoint', () => {
    const r = analyse([DOCS_EXAMPLE, `
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: vader-out}
spec:
  endpointSelector: {matchExpressions: [{key: io.cilium.k8s.policy.serviceaccount, operator: In, values: [vader]}]}
  enableDefaultDeny: {egress: false}
  egressDeny:
  - toEndpoints: [{}]
`]);
    expect(r.allows('default/vader-pod', LEIA, HTTP)).toBe(false);
    expect(r.allows('default/vader-pod', 'default/plain-pod', HTTP)).toBe(false);
    expect(r.allows('default/luke-pod', 'default/vader-pod', HTTP)).toBe(true);
    expect(r.allows('default/plain-pod', LEIA, HTTP)).toBe(true);
    expectMatrixAgrees(r, HTTP);
  });

  test('NotIn on the service account: every other account', () => {
    const r = analyse([DOCS_EXAMPLE, `
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: only-luke}
spec:
  endpointSelector: {matchLabels: {name: leia}}
  enableDefaultDeny: {ingress: false}
  ingressDeny:
  - fromEndpoints: [{matchExpressions: [{key: io.cilium.k8s.policy.serviceaccount, operator: NotIn, values: [luke]}]}]
`]);
    expect(r.allows('default/luke-pod', LEIA, HTTP)).toBe(true);
    expect(r.allows('default/old-luke-pod', LEIA, HTTP)).toBe(true);
    expect(r.allows('default/vader-pod', LEIA, HTTP)).toBe(false);
    expect(r.allows('default/plain-pod', LEIA, HTTP)).toBe(false);
    expectMatrixAgrees(r, HTTP);
  });
});

describe('workloads: the pod template\'s service account', () => {
  const WORKLOADS = `
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  template:
    metadata: {labels: {app: api}}
    spec:
      serviceAccountName: api-sa
      containers: [{name: c, ports: [{containerPort: 80}]}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: shop}
spec:
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: c, ports: [{containerPort: 80}]}]
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: report, namespace: shop}
spec:
  jobTemplate:
    spec:
      template:
        metadata: {labels: {app: report}}
        spec:
          serviceAccountName: report-sa
          containers: [{name: c}]
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: db, namespace: shop}
spec:
  endpointSelector: {matchLabels: {io.cilium.k8s.policy.serviceaccount: default}}
  ingress:
  - fromEndpoints: [{matchLabels: {io.cilium.k8s.policy.serviceaccount: api-sa}}]
    toPorts: [{ports: [{port: "80", protocol: TCP}]}]
`;

  test('the Deployment runs as api-sa, the StatefulSet as default, the CronJob\'s jobs as report-sa', () => {
    const r = analyse([WORKLOADS]);
    expect(failClosed(r)).toEqual([]);
    expect(r.allows('shop/api', 'shop/db', HTTP)).toBe(true);
    expect(r.allows('shop/report', 'shop/db', HTTP)).toBe(false);
    // Replicas of db reach each other only where the policy allows: they run as default, not api-sa.
    expect(r.allows('shop/db', 'shop/db', HTTP)).toBe(false);
    // api and report run as other accounts: not selected.
    expect(r.allows('shop/report', 'shop/api', HTTP)).toBe(true);
    expectMatrixAgrees(r, HTTP);
  });

  test('a pod of a workload that runs as another account than the template is an endpoint of its own', () => {
    const rs = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'api-abc', namespace: 'shop', ownerReferences: [{ kind: 'Deployment', name: 'api' }] },
      spec: { template: { metadata: { labels: { app: 'api' } }, spec: { serviceAccountName: 'api-sa', containers: [{ name: 'c', ports: [{ containerPort: 80 }] }] } } },
    };
    const replica = (name: string, account: string) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'shop', labels: { app: 'api' }, ownerReferences: [{ kind: 'ReplicaSet', name: 'api-abc' }] },
      spec: { serviceAccountName: account, containers: [{ name: 'c', ports: [{ containerPort: 80 }] }] },
    });
    const r = Reachability.fromManifests([...load(WORKLOADS), rs, replica('api-abc-1', 'api-sa'), replica('api-abc-2', 'other')]);
    // The replica as its template folds into the Deployment; the other stays, and is not api-sa.
    expect(r.endpoints).toContain('shop/api');
    expect(r.endpoints).not.toContain('shop/api-abc-1');
    expect(r.endpoints).toContain('shop/api-abc-2');
    expect(r.allows('shop/api', 'shop/db', HTTP)).toBe(true);
    expect(r.allows('shop/api-abc-2', 'shop/db', HTTP)).toBe(false);
    expectMatrixAgrees(r, HTTP);
  });
});

describe('only pods on the pod network carry the service account', () => {
  test('a hostNetwork pod running as luke has its node\'s identity: not allowed as luke', () => {
    const hostPod = `
apiVersion: v1
kind: Pod
metadata: {name: host-luke, labels: {role: client}}
spec:
  hostNetwork: true
  nodeName: n1
  serviceAccountName: luke
  containers: [{name: c}]
status: {podIP: 10.9.0.1, hostIP: 10.9.0.1}
---
apiVersion: v1
kind: Node
metadata: {name: n1}
status: {addresses: [{type: InternalIP, address: 10.9.0.1}]}
`;
    const r = analyse([DOCS_EXAMPLE, K8S_SVC_ACCOUNT, hostPod]);
    expect(r.allows('default/host-luke', LEIA, HTTP)).toBe(false);
    expect(r.allows('default/luke-pod', LEIA, HTTP)).toBe(true);
    expectMatrixAgrees(r, HTTP);
  });
});

describe('a pod whose service account the input does not give: fail closed, and said', () => {
  // Model pods have labels and no spec; same labels as the clients of the manifests.
  const MODEL: ReachabilityOptions = { pods: [{ namespace: 'default', name: 'model-client', labels: { role: 'client' }, ip: '10.0.0.20' }] };

  test('an allow from luke does not apply to it; the left-out list and explain say why', () => {
    const r = analyse([DOCS_EXAMPLE, K8S_SVC_ACCOUNT], MODEL);
    expect(r.allows('default/model-client', LEIA, HTTP)).toBe(false);
    expect(r.allows('default/luke-pod', LEIA, HTTP)).toBe(true);
    // Both selectors are undecided for it: it may run as leia (the subject) and as luke (the peer).
    expect(failClosed(r)).toMatchObject([
      { object: 'default/k8s-svc-account', category: SkipCategory.NOT_MODELLED },
      { object: 'default/k8s-svc-account', category: SkipCategory.NOT_MODELLED },
    ]);
    expect(failClosed(r)[0].reason).toMatch(/^spec\.endpointSelector is decided fail closed for default\/model-client: the selector tests the pod's service account/);
    expect(failClosed(r)[1].reason).toMatch(/^spec\.ingress\[0\]\.fromEndpoints\[0\] is decided fail closed for default\/model-client: the selector tests the pod's service account/);
    expect(failClosed(r)[1].reason).toMatch(/taken not to match it .*so its verdicts may be too narrow/);
    expect(r.explain('default/model-client', LEIA, HTTP).notes)
      .toEqual([expect.stringMatching(/ingress\[0\] \(L7 rules apply\) is taken not to allow default\/model-client \(fail closed\).*the selector tests the pod's service account/)]);
    // A manifest pod is decided: no note.
    expect(r.explain('default/vader-pod', LEIA, HTTP).notes).toEqual([]);
    expectMatrixAgrees(r, HTTP);
  });

  test('a subject on the service account isolates it and applies its denies, never its allows', () => {
    const r = analyse([DOCS_EXAMPLE, `
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: default-account}
spec:
  endpointSelector: {matchLabels: {io.cilium.k8s.policy.serviceaccount: default}}
  ingress:
  - fromEndpoints: [{matchLabels: {io.cilium.k8s.policy.serviceaccount: luke}}]
`], MODEL);
    expect(r.allows('default/luke-pod', 'default/model-client', HTTP)).toBe(false);
    expect(r.allows('default/luke-pod', 'default/plain-pod', HTTP)).toBe(true);
    expect(failClosed(r).map((s) => s.reason)).toEqual([
      expect.stringMatching(/^spec\.endpointSelector is decided fail closed for default\/model-client: .*its allow rules do not/),
      expect.stringMatching(/^spec\.ingress\[0\]\.fromEndpoints\[0\] is decided fail closed for default\/model-client: /),
    ]);
    expect(r.explain('default/luke-pod', 'default/model-client', HTTP).notes)
      .toEqual([expect.stringMatching(/its endpointSelector .* may select default\/model-client, and is read fail closed/)]);
    expectMatrixAgrees(r, HTTP);
  });

  test('a deny from vader applies to it (it may run as vader)', () => {
    const r = analyse([DOCS_EXAMPLE, `
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: no-vader}
spec:
  endpointSelector: {}
  enableDefaultDeny: {ingress: false}
  ingressDeny:
  - fromEndpoints: [{matchLabels: {io.cilium.k8s.policy.serviceaccount: vader}}]
`], MODEL);
    expect(r.allows('default/model-client', LEIA, HTTP)).toBe(false);
    expect(r.allows('default/vader-pod', LEIA, HTTP)).toBe(false);
    expect(r.allows('default/luke-pod', LEIA, HTTP)).toBe(true);
    expect(r.explain('default/model-client', LEIA, HTTP).notes)
      .toEqual([expect.stringMatching(/ingressDeny\[0\] is applied fail closed: its selector fromEndpoints .* may match default\/model-client, so it is taken to deny/)]);
    expect(failClosed(r)[0].reason).toMatch(/The deny is taken to apply to it/);
    expectMatrixAgrees(r, HTTP);
  });
});

test('a service account that is not a string is refused as kubectl refuses it', () => {
  const bad = DOCS_EXAMPLE.replace('serviceAccountName: vader', 'serviceAccountName: 123');
  const r = analyse([bad, K8S_SVC_ACCOUNT]);
  expect(r.endpoints).not.toContain('default/vader-pod');
  expect(r.skipped).toMatchObject([{ object: 'default/vader-pod', category: SkipCategory.MALFORMED }]);
  expect(r.skipped[0].reason).toMatch(/spec\.serviceAccountName is the number 123, not a string/);
});
