/**
 * How pods with `hostNetwork: true` are analysed. The NetworkPolicy documentation leaves their
 * behaviour to the network plugin, within two possibilities.
 */
export enum HostNetworkMode {
  /**
   * The most common implementation: the plugin cannot tell a hostNetwork pod's traffic from its
   * node's, so no policy selects the pod (it is never isolated), pod and namespace selectors never
   * match it, and ipBlocks match it on its node IP (`status.hostIP`, `status.hostIPs`).
   */
  NODE_TRAFFIC = 'NODE_TRAFFIC',
  /** The plugin tells hostNetwork pods apart and polices them like any other pod. */
  POD_TRAFFIC = 'POD_TRAFFIC',
}
