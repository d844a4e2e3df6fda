import * as kplus from 'cdk8s-plus-28';
import { LabelSelectorJson, LabelSelectorRequirementJson } from '../k8s/manifest';
import { EndpointPort } from '../model/endpoint-port';
import { Protocol } from '../model/protocol';

/** What a cdk8s-plus-28 workload or pod selection tells about its pods. */
export interface PodSelection {
  readonly selector: LabelSelectorJson;
  /** The namespace names the selection is limited to (empty: the scope's namespace). */
  readonly namespaces: string[];
  /** True when the namespaces are selected by labels, which an endpoint cannot write policies into. */
  readonly namespacesByLabel: boolean;
}

/**
 * The label selector of a cdk8s-plus-28 workload: the selector its controller uses
 * (`spec.selector`), so the policy selects exactly the pods the workload manages; for a bare Pod or
 * a `Pods` selection, its own label selector.
 */
export function readPodSelection(source: kplus.AbstractPod | kplus.Pods): PodSelection {
  if (source instanceof kplus.Workload) {
    const matchLabels = source.matchLabels;
    const matchExpressions = source.matchExpressions;
    if (Object.keys(matchLabels).length > 0 || matchExpressions.length > 0) {
      const selector: LabelSelectorJson = {};
      if (Object.keys(matchLabels).length > 0) selector.matchLabels = { ...matchLabels };
      if (matchExpressions.length > 0) selector.matchExpressions = matchExpressions.map(copyRequirement);
      const ns = source.metadata.namespace;
      return { selector, namespaces: ns ? [ns] : [], namespacesByLabel: false };
    }
  }
  const config = source.toPodSelectorConfig();
  const kube = config.labelSelector._toKube();
  const selector: LabelSelectorJson = {};
  if (kube.matchLabels && Object.keys(kube.matchLabels).length > 0) selector.matchLabels = { ...kube.matchLabels };
  if (kube.matchExpressions && kube.matchExpressions.length > 0) {
    selector.matchExpressions = kube.matchExpressions.map(copyRequirement);
  }
  const namespaces = config.namespaces?.names ?? [];
  const byLabel = config.namespaces?.labelSelector !== undefined && !config.namespaces.labelSelector.isEmpty();
  return { selector, namespaces: [...namespaces], namespacesByLabel: byLabel };
}

/** The container ports of a cdk8s-plus-28 pod or workload (read when asked, so late containers count). */
export function readContainerPorts(source: kplus.AbstractPod): EndpointPort[] {
  const ports: EndpointPort[] = [];
  for (const container of source.containers) {
    for (const p of container.ports) {
      ports.push({ number: p.number, name: p.name, protocol: (p.protocol as string as Protocol | undefined) ?? Protocol.TCP });
    }
  }
  return ports;
}

function copyRequirement(e: { key: string; operator: string; values?: string[] }): LabelSelectorRequirementJson {
  return { key: e.key, operator: e.operator, values: e.values ? [...e.values] : undefined };
}
