import { Finding, Severity } from './finding';

/**
 * The fields the `networking.k8s.io/v1` NetworkPolicy schema declares, per type. `kubectl apply`
 * (field validation `Strict`, its default since Kubernetes 1.27) rejects an object with any other
 * field; with validation off, the API server drops it without a word. Either way a misspelt field
 * (`excpet:`, `prot:`, `ingres:`) never means what it says, so an unknown field is an error here.
 */
interface Shape {
  readonly type: string;
  readonly fields: Record<string, Shape | 'leaf' | { list: Shape } | 'map'>;
}

const REQUIREMENT: Shape = { type: 'LabelSelectorRequirement', fields: { key: 'leaf', operator: 'leaf', values: 'leaf' } };
const SELECTOR: Shape = { type: 'LabelSelector', fields: { matchLabels: 'map', matchExpressions: { list: REQUIREMENT } } };
const IP_BLOCK: Shape = { type: 'IPBlock', fields: { cidr: 'leaf', except: 'leaf' } };
const PEER: Shape = { type: 'NetworkPolicyPeer', fields: { podSelector: SELECTOR, namespaceSelector: SELECTOR, ipBlock: IP_BLOCK } };
const PORT: Shape = { type: 'NetworkPolicyPort', fields: { protocol: 'leaf', port: 'leaf', endPort: 'leaf' } };
const INGRESS: Shape = { type: 'NetworkPolicyIngressRule', fields: { from: { list: PEER }, ports: { list: PORT } } };
const EGRESS: Shape = { type: 'NetworkPolicyEgressRule', fields: { to: { list: PEER }, ports: { list: PORT } } };
const SPEC: Shape = { type: 'NetworkPolicySpec', fields: { podSelector: SELECTOR, policyTypes: 'leaf', ingress: { list: INGRESS }, egress: { list: EGRESS } } };
const METADATA: Shape = {
  type: 'ObjectMeta',
  fields: Object.fromEntries(['name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation', 'creationTimestamp',
    'deletionTimestamp', 'deletionGracePeriodSeconds', 'labels', 'annotations', 'ownerReferences', 'finalizers', 'managedFields'].map((f) => [f, 'leaf' as const])),
};
const NETWORK_POLICY: Shape = { type: 'NetworkPolicy', fields: { apiVersion: 'leaf', kind: 'leaf', metadata: METADATA, spec: SPEC, status: 'leaf' } };

/** One error per field the NetworkPolicy schema does not declare, with its path. */
export function unknownFieldFindings(object: unknown): Finding[] {
  const findings: Finding[] = [];
  // The path to the value being walked, as segments (`spec`, `.ingress`, `[0]`): joined only for a finding.
  const path: string[] = [];
  const walk = (value: unknown, shape: Shape) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return; // type errors are reported elsewhere
    for (const key of Object.keys(value)) {
      const declared = Object.prototype.hasOwnProperty.call(shape.fields, key) ? shape.fields[key] : undefined;
      if (declared === 'leaf' || declared === 'map') continue;
      path.push(path.length === 0 ? key : `.${key}`);
      if (declared === undefined) {
        const known = Object.keys(shape.fields);
        findings.push({
          severity: Severity.ERROR,
          code: 'UnknownField',
          field: path.join(''),
          message: `unknown field ${JSON.stringify(key)} in ${shape.type}`,
          fix: `Fix the spelling or remove it: ${/^[AEIOU]/.test(shape.type) ? 'an' : 'a'} ${shape.type} has ${known.join(', ')}. kubectl apply rejects unknown fields (strict field validation), and with validation off the API server drops them, so this field never takes effect.`,
        });
      } else {
        const child = (value as Record<string, unknown>)[key];
        if ('list' in declared) {
          if (Array.isArray(child)) {
            for (let i = 0; i < child.length; i++) {
              path.push(`[${i}]`);
              walk(child[i], declared.list);
              path.pop();
            }
          }
        } else {
          walk(child, declared as Shape);
        }
      }
      path.pop();
    }
  };
  walk(object, NETWORK_POLICY);
  return findings;
}
