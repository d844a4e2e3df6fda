/** The error for an endpoint id the model does not have: the id, the known ones, and how to name one. */
export function unknownEndpointError(id: string, known: readonly string[]): Error {
  return new Error(`unknown endpoint ${JSON.stringify(id)}. Known endpoints: ${known.join(', ') || '(none)'}. `
    + 'Use <namespace>/<name> of a pod or workload, or the name of an external endpoint; add pods the manifests lack with the pods option.');
}
