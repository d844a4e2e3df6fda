import { App, Chart } from 'cdk8s';
import { Reachability, ReachabilityOptions } from '../analysis/reachability';
import { TextFormat } from '../formats/text';
import { Port } from '../model/port';

/** What the matchers accept: a chart, an app, plain manifests, or a `Reachability`. */
export type ReachabilitySubject = Chart | App | Reachability | unknown[];

/** The analyser for a subject. */
export function reachabilityOf(subject: ReachabilitySubject, options?: ReachabilityOptions): Reachability {
  if (subject instanceof Reachability) return subject;
  if (subject instanceof App) return Reachability.fromApp(subject, options);
  if (subject instanceof Chart) return Reachability.fromChart(subject, options);
  if (Array.isArray(subject)) return Reachability.fromManifests(subject, options);
  throw new Error(`expected a cdk8s Chart or App, a Reachability or an array of manifests, got ${typeof subject}. Pass the chart you synthesize.`);
}

function verdict(expectAllowed: boolean, subject: ReachabilitySubject, from: string, to: string, port: Port, options?: ReachabilityOptions) {
  const explanation = reachabilityOf(subject, options).explain(from, to, port);
  const pass = explanation.allowed === expectAllowed;
  const word = expectAllowed ? 'allow' : 'deny';
  return {
    pass,
    message: () => `expected the policies ${pass ? 'not ' : ''}to ${word} ${from} -> ${to} on ${explanation.port}, but:\n${TextFormat.explanation(explanation)}`,
  };
}

/**
 * Jest matchers over the reachability analyser. Register once with `expect.extend(reachabilityMatchers)`
 * (e.g. in a jest setup file), then:
 *
 *   expect(chart).toAllow('shop/frontend', 'shop/backend', Port.tcp(8080));
 *   expect(chart).toDeny('shop/frontend', 'shop/postgres', Port.tcp(5432), { pods: [...] });
 *
 * A failure prints the explanation: both sides, the policies that isolate them, the rules that allow.
 */
export const reachabilityMatchers = {
  toAllow(subject: ReachabilitySubject, from: string, to: string, port: Port, options?: ReachabilityOptions) {
    return verdict(true, subject, from, to, port, options);
  },
  toDeny(subject: ReachabilitySubject, from: string, to: string, port: Port, options?: ReachabilityOptions) {
    return verdict(false, subject, from, to, port, options);
  },
};

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    interface Matchers<R> {
      /** The policies allow `from` to connect to `to` on `port`. */
      toAllow(from: string, to: string, port: Port, options?: ReachabilityOptions): R;
      /** The policies deny `from` to connect to `to` on `port`. */
      toDeny(from: string, to: string, port: Port, options?: ReachabilityOptions): R;
    }
  }
}
