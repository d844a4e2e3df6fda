import { App, Testing } from 'cdk8s';
import {
  ApplicationStack, EnforcementPhase, Entity, ExternalDestination, HttpMethod, HttpRule, NetworkTarget, Port, Reachability,
} from '../../src';

/**
 * An EnforcementPhase is never ignored for Cilium rules: a CiliumNetworkPolicy has no staged or
 * observed form (Cilium enforces it once applied), so a Cilium feature on a service that is not
 * ENFORCE fails the synth with the fix, instead of enforcing part of a service that is only staged.
 */
const { OBSERVE, STAGED, ENFORCE } = EnforcementPhase;

function shop(stackPhase: EnforcementPhase | undefined): { app: App; stack: ApplicationStack } {
  const app = Testing.app();
  NetworkTarget.declare(app, NetworkTarget.cilium());
  const stack = new ApplicationStack(app, 'shop', { namespace: 'shop', phase: stackPhase });
  return { app, stack };
}

const stripe = ExternalDestination.dnsNames('stripe', ['api.stripe.com']);
const FIX = /Promote the service to EnforcementPhase.ENFORCE \(phase on addService, or on the stack\), or use a plain dependency while it is not enforced/;

describe.each([STAGED, OBSERVE])('refused in phase %s', (phase) => {
  test.each([
    ['DNS names', (s: ApplicationStack, pay: any) => s.allow(pay, stripe, Port.tcp(443)), /allow shop\/payments \(app=payments\) -> stripe \(api.stripe.com\)/],
    ['an entity', (s: ApplicationStack, pay: any) => s.allow(pay, Entity.kubeApiServer(), Port.tcp(443)), /allow shop\/payments \(app=payments\) -> entity kube-apiserver/],
    ['HTTP rules', (s: ApplicationStack, pay: any, web: any) => s.policies.allowHttp(web, pay, Port.tcp(8443), HttpRule.of({ method: HttpMethod.POST })),
      /allowHttp shop\/web \(app=web\) -> shop\/payments \(app=payments\)/],
    ['a deny rule', (s: ApplicationStack, pay: any, web: any) => s.policies.deny(web, pay, Port.tcp(8443)), /deny shop\/web \(app=web\) -> shop\/payments \(app=payments\)/],
  ])('%s, on the stack\'s phase or the service\'s own', (_name, declare, declaration) => {
    for (const { app, stack, pay, web } of [
      (() => { const s = shop(phase); return { ...s, pay: s.stack.addService('payments', { labels: { app: 'payments' }, ports: [{ number: 8443 }] }) }; })(),
      (() => { const s = shop(undefined); return { ...s, pay: s.stack.addService('payments', { labels: { app: 'payments' }, ports: [{ number: 8443 }], phase }) }; })(),
    ].map((x) => ({ ...x, web: x.stack.addService('web', { labels: { app: 'web' }, ports: [{ number: 8080 }], phase: ENFORCE }) }))) {
      declare(stack, pay, web);
      expect(() => app.synth()).toThrow(declaration);
      expect(() => app.synth()).toThrow(new RegExp(`endpoint "payments" is in phase ${phase}, but these rules need a CiliumNetworkPolicy, which Cilium enforces as soon as it is applied`));
      expect(() => app.synth()).toThrow(FIX);
    }
  });
});

test('accepted: the Cilium rule on the enforced service, next to a staged one; the staged one is isolated by nothing enforced', () => {
  const { app, stack } = shop(STAGED);
  const pay = stack.addService('payments', { labels: { app: 'payments' }, ports: [{ number: 8443 }], phase: ENFORCE });
  const web = stack.addService('web', { labels: { app: 'web' }, ports: [{ number: 8080 }] });
  stack.allow(pay, stripe, Port.tcp(443));
  stack.allow(web, pay);
  expect(() => app.synth()).not.toThrow();
  const kinds = app.charts.flatMap((c) => c.toJson()).map((o: any) => `${o.kind} ${o.metadata.name}`);
  expect(kinds).toContain('CiliumNetworkPolicy payments-egress-cilium');
  expect(kinds).toContain('StagedKubernetesNetworkPolicy web-egress');
  const r = Reachability.fromApp(app, { pods: [{ namespace: 'shop', name: 'intruder', labels: { app: 'intruder' } }] });
  expect(r.allows('shop/intruder', 'shop/web', Port.tcp(8080))).toBe(true);
  expect(r.allows('shop/intruder', 'shop/payments', Port.tcp(8443))).toBe(false);
  expect(r.allows('shop/web', 'shop/payments', Port.tcp(8443))).toBe(true);
});

test('accepted: a plain dependency of a staged service (what the fix says)', () => {
  const { app, stack } = shop(STAGED);
  const pay = stack.addService('payments', { labels: { app: 'payments' }, ports: [{ number: 8443 }] });
  stack.allow(pay, ExternalDestination.cidrs('stripe', ['203.0.113.0/24']), Port.tcp(443));
  expect(() => app.synth()).not.toThrow();
  expect(app.charts.flatMap((c) => c.toJson()).some((o: any) => o.kind === 'CiliumNetworkPolicy')).toBe(false);
});
