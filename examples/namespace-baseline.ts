import { Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { AllowDns, DefaultDeny } from '../src';

/**
 * The first thing to read: lock a namespace down and let its pods resolve names.
 *
 * Every pod of `sandbox` is isolated for ingress and egress; the only traffic allowed is DNS to the
 * cluster DNS (kube-dns in kube-system) on 53/UDP and 53/TCP.
 */
export class NamespaceBaseline extends Chart {
  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, { namespace: 'sandbox', ...props });

    new DefaultDeny(this, 'default-deny');
    new AllowDns(this, 'allow-dns');
  }
}
