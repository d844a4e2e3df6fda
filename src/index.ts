// The typed model of a NetworkPolicy (pure, no cdk8s).
export { Protocol } from './model/protocol';
export { Direction } from './model/direction';
export { Port } from './model/port';
export { LabelExpression, LabelOperator } from './model/label-expression';
export { Selector, SelectorOptions } from './model/selector';
export { IpBlock } from './model/ip-block';
export { Peer } from './model/peer';

// Constructs that emit NetworkPolicies through cdk8s.
export { NetworkPolicy, NetworkPolicyProps } from './constructs/network-policy';
export { DefaultDeny, DefaultDenyProps } from './constructs/default-deny';
export { AllowDns, AllowDnsProps } from './constructs/allow-dns';

// Validation as pure functions over plain manifests.
export { Finding, Severity } from './validation/finding';

// An App whose synth never leaves half an output.
export { NetpolApp } from './synth/netpol-app';
