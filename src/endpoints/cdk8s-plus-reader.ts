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
  /** True when the selection says every namespace (`Namespaces.all()`: a namespace selector with no labels and no names). */
  readonly allNamespaces: boolean;
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
      return { selector, namespaces: ns ? [ns] : [], namespacesByLabel: false, allNamespaces: false };
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
  const all = config.namespaces !== undefined && !byLabel && namespaces.length === 0;
  return { selector, namespaces: [...namespaces], namespacesByLabel: byLabel, allNamespaces: all };
}

/** A canonical text of a selection (selector and namespaces), to tell whether it changed. */
export function selectionKey(selection: PodSelection): string {
  const labels = selection.selector.matchLabels ?? {};
  const sortedLabels = Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`);
  const expressions = (selection.selector.matchExpressions ?? [])
    .map((e) => `${e.key} ${e.operator} ${[...(e.values ?? [])].sort().join(',')}`).sort();
  return JSON.stringify([sortedLabels, expressions, [...selection.namespaces].sort(), selection.namespacesByLabel, selection.allNamespaces]);
}

/** Readable form of a selection's pod selector, e.g. `app=web, tier in (a,b)`. */
export function describeSelection(selection: PodSelection): string {
  const labels = selection.selector.matchLabels ?? {};
  const parts = [
    ...Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`),
    ...(selection.selector.matchExpressions ?? []).map((e) => `${e.key} ${e.operator}${e.values ? ` (${e.values.join(',')})` : ''}`),
  ];
  const ns = selection.allNamespaces ? ' in every namespace' : selection.namespaces.length > 0 ? ` in ${selection.namespaces.join(', ')}` : '';
  return `${parts.length > 0 ? parts.join(', ') : '(no labels)'}${ns}`;
}

/** A container port of a cdk8s-plus-28 workload, with where it is declared (`containers[0] (web).ports[1]`). */
export interface WorkloadPort extends EndpointPort {
  readonly field: string;
}

/** The container ports of a cdk8s-plus-28 pod or workload (read when asked, so late containers count). */
export function readContainerPorts(source: kplus.AbstractPod): WorkloadPort[] {
  const ports: WorkloadPort[] = [];
  source.containers.forEach((container, i) => {
    container.ports.forEach((p, j) => {
      const field = `containers[${i}]${container.name ? ` (${container.name})` : ''}.ports[${j}]`;
      ports.push({ number: p.number, name: p.name, protocol: (p.protocol as string as Protocol | undefined) ?? Protocol.TCP, field });
    });
  });
  return ports;
}

function copyRequirement(e: { key: string; operator: string; values?: string[] }): LabelSelectorRequirementJson {
  return { key: e.key, operator: e.operator, values: e.values ? [...e.values] : undefined };
}
