/** A traffic direction, seen from the pods a policy selects (a `policyTypes` entry). */
export enum Direction {
  /** Traffic into the selected pods. */
  INGRESS = 'Ingress',
  /** Traffic out of the selected pods. */
  EGRESS = 'Egress',
}
