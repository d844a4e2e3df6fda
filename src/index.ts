// The typed model of a NetworkPolicy (pure, no cdk8s).
export { Protocol } from './model/protocol';
export { Direction } from './model/direction';
export { EnforcementPhase } from './model/enforcement-phase';
export { Port } from './model/port';
export { LabelExpression, LabelOperator } from './model/label-expression';
export { Selector, SelectorOptions } from './model/selector';
export { IpBlock } from './model/ip-block';
export { Peer } from './model/peer';
export { IConnectionEnd } from './model/connection-end';

// Constructs that emit NetworkPolicies through cdk8s.
export { NetworkPolicy, NetworkPolicyProps } from './constructs/network-policy';
export { DefaultDeny, DefaultDenyProps } from './constructs/default-deny';
export { AllowDns, AllowDnsProps, DnsOptions } from './constructs/allow-dns';

// Validation as pure functions over plain manifests.
export { Finding, Severity } from './k8s/finding';
export { SourcedObject } from './k8s/objects';
export {
  validateManifests, ManifestValidation, ManifestValidationOptions, ManifestValidationReport, LocatedFinding, SilencedFinding,
} from './validation/validate-manifests';
export { LintCode } from './validation/lint-codes';

// The network plugin the policies are written for, declared once on the app or a chart.
export { NetworkTarget, NetworkTargetOptions, NetworkPlugin, NetworkFeature, ClusterPolicyApi } from './constructs/network-target';

// An App whose synth never leaves half an output.
export { NetpolApp, NetpolAppProps } from './synth/netpol-app';

// Endpoints: what rules point at (labels or cdk8s-plus-28 workloads).
export { Endpoint, EndpointProps, IEndpoint, WorkloadEndpointOptions } from './endpoints/endpoint';
export { EndpointPort } from './model/endpoint-port';
export { ExternalDestination, InternetOptions } from './model/external-destination';
export { Entity, CiliumEntity, HttpRule, HttpRuleOptions, HttpMethod } from './model/cilium';

// Connections and the constructs built on them.
export { NetworkPolicies, EndpointDnsOptions } from './constructs/network-policies';
export { ExternalEgress, ExternalEgressProps } from './constructs/external-egress';
export { TierChain, TierChainProps, Tier } from './constructs/tier-chain';
export { ApplicationStack, ApplicationStackProps, ServiceProps } from './constructs/application-stack';

// Cluster guardrails (sig-network policy API): Admin and Baseline tiers, the kind chosen by the target.
export { GuardrailSubject, ClusterNodes } from './model/guardrail';
export {
  AdminGuardrail, AdminGuardrailProps, BaselineGuardrail, BaselineGuardrailProps,
} from './constructs/cluster-guardrails';

// The reachability analyser: what the policies allow and deny.
export { Reachability, ReachabilityOptions, HostNetworkMode, ModelPod, ExternalEndpoint, ConnectivityOptions } from './analysis/reachability';
export { SkipCategory, KindCount, SkippedManifest } from './inventory/inventory';
export { SideVerdict, SideDecision, RuleReference, DecisionTier, TierRuleReference } from './analysis/verdict';
export { Explanation, SideExplanation } from './analysis/explanation';
export { ReachabilityMatrix } from './analysis/reachability-matrix';
export { ConnectivityGraph, ConnectivityEdge, ConnectivityNode, ConnectivityGroup } from './analysis/connectivity-graph';
export { ReachabilityDiff, ExpectedChange, ChangeKind } from './analysis/diff-report';
export { Exposure, ExposurePeer, ExposurePeerKind, ExposedEndpoint } from './analysis/exposure';
export { BlastRadius, BlastRadiusEntry, BlastRadiusHop } from './analysis/blast-radius';
export { ChangedConnection, DiffExplanation, DiffSide } from './analysis/changed-connection';

// Output formats, one class per format, over the results of the analyser and the validation.
export { TextFormat, ValidationTextOptions } from './formats/text';
export { JsonFormat } from './formats/json';
export { MarkdownFormat } from './formats/markdown';
export { MermaidFormat } from './formats/mermaid';
export { DotFormat } from './formats/dot';
export { HtmlFormat } from './formats/html';

// Validation as pure functions over plain manifests, and as a cdk8s CLI plugin.
export { NetpolValidationPlugin, NetpolValidationPluginProps } from './adapters/cdk8s-cli-plugin';
export { Environment, EnvironmentOptions } from './model/environment';

// Recipes: the well-known patterns that need more than one line of the constructs above.
export { AllowIngressController, AllowIngressControllerProps } from './recipes/allow-ingress-controller';
export { AllowPrometheusScraping, AllowPrometheusScrapingProps } from './recipes/allow-prometheus-scraping';
export { AllowSameNamespace, AllowSameNamespaceProps } from './recipes/allow-same-namespace';
export { BlockCloudMetadata, BlockCloudMetadataProps } from './recipes/block-cloud-metadata';
export { CiliumBackend, CiliumBackendProps } from './recipes/cilium-backend';
export { DenyExternalEgress, DenyExternalEgressProps } from './recipes/deny-external-egress';
export {
  PlatformAccess, PlatformAccessProps, TenantIsolation, TenantIsolationProps, BaselineDefaultDeny, BaselineDefaultDenyProps,
  ClusterBlockCloudMetadata, ClusterBlockCloudMetadataProps,
} from './recipes/cluster-guardrail-recipes';

// Observed traffic: flow records of a running cluster as connections between workloads.
export {
  ObservedEndKind, FlowVerdict, FlowFormat, FoldReason, ObservedEnd, VerdictCount, ObservedConnection, FoldCount, InvalidFlowLine,
  FlowReadSummary, FlowProgress, IFlowProgress, ReadFlowsOptions,
} from './flows/observed';
export { ObservedFlows } from './flows/observed-flows';
export { FlowFile } from './adapters/flow-file';
export {
  FlowReplay, ReplayVerdict, ReplayedConnection, ReplayPair, NotReplayedConnection, UnmappedEnd, UnobservedConnection, AddedEndpoint, ReplaySummary,
} from './analysis/replay';

// Observed traffic becomes intent code: `netpol generate`.
export {
  GeneratedProgram, GeneratedStack, GeneratedService, GeneratedPods, GeneratedExternal, GeneratedDependency, GeneratedEndRef, GeneratedEndKind,
  GeneratedPort, UnexpressedConnection,
} from './generate/program';
export { PolicyGenerator, GenerateOptions } from './generate/generator';
export { TypeScriptFormat, TypeScriptProgramOptions } from './formats/typescript';
// Segmentation invariants: properties of the whole network, checked at synth and by `netpol check`.
export { EndpointSet, Zone, Invariant, ReachInvariantProps, ContainedInvariantProps, Invariants, InvariantsProps } from './constructs/invariants';
export { InvariantKind, InvariantReport, InvariantResult, InvariantViolation } from './analysis/invariants';
export { AuditReport, AuditReportOptions, AuditInput, AuditFinding, UndescribedExposure } from './analysis/audit-report';
