import { ReachabilityOptions } from '../src';

/**
 * Pods and addresses that example charts talk to but do not declare: cluster DNS, the ingress
 * controller, a payment API inside its allowed range, and an address elsewhere on the internet.
 */
export const CLUSTER_SERVICES: ReachabilityOptions = {
  pods: [
    { namespace: 'kube-system', name: 'coredns', labels: { 'k8s-app': 'kube-dns' }, ports: [{ number: 53, name: 'dns' }], ip: '10.96.0.10' },
    { namespace: 'ingress-nginx', name: 'controller', labels: { 'app.kubernetes.io/name': 'ingress-nginx' }, ip: '10.96.1.5' },
    { namespace: 'other', name: 'intruder', labels: { app: 'intruder' }, ip: '10.96.2.9' },
  ],
  externals: [
    { name: 'payment-api', ip: '203.0.113.10' },
    { name: 'internet', ip: '198.51.100.7' },
  ],
};
