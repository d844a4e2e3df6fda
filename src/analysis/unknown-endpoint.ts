/** How the library adds an endpoint the manifests lack: the end of the unknown-endpoint error. */
export const LIBRARY_HOW_TO_ADD = 'pods the manifests lack (the ingress controller, Prometheus, CoreDNS) are added with the pods option '
  + "of Reachability (ReachabilityOptions.pods, e.g. { namespace: 'kube-system', name: 'coredns', labels: { 'k8s-app': 'kube-dns' } }), "
  + 'an address outside the cluster with its externals option.';

/**
 * The message for an endpoint id the model does not have: the id, the known ones, how to name one,
 * and `howToAdd`: how the caller adds an endpoint the manifests lack (the library's options or the
 * CLI's flags).
 */
export function unknownEndpointMessage(id: string, known: readonly string[], howToAdd: string = LIBRARY_HOW_TO_ADD): string {
  return `unknown endpoint ${JSON.stringify(id)}. Known endpoints: ${known.join(', ') || '(none)'}. `
    + `Use <namespace>/<name> of a pod or workload, or the name of an external endpoint; ${howToAdd}`;
}

/** The error for an endpoint id the model does not have (see `unknownEndpointMessage`). */
export function unknownEndpointError(id: string, known: readonly string[], howToAdd?: string): Error {
  return new Error(unknownEndpointMessage(id, known, howToAdd));
}
