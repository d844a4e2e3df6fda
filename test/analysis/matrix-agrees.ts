import { Port, Reachability } from '../../src';

/**
 * The class-based matrix gives every pair the verdict of the pair-by-pair analyser, on each port:
 * the check the analysis tests make of every model they build.
 */
export function expectMatrixAgrees(r: Reachability, ...ports: Port[]): void {
  if (ports.length === 0) throw new Error('expectMatrixAgrees: name at least one port');
  for (const port of ports) {
    const m = r.matrix(port);
    for (const from of r.endpoints) {
      for (const to of r.endpoints) expect(`${from} -> ${to} ${port}: ${m.isAllowed(from, to)}`).toBe(`${from} -> ${to} ${port}: ${r.allows(from, to, port)}`);
    }
  }
}
