import { Construct } from 'constructs';
import { constructError } from '../constructs/errors';
import { objectName } from '../constructs/naming';
import { NetworkPolicies } from '../constructs/network-policies';
import { NetworkPolicy } from '../constructs/network-policy';
import { acceptAsOwnPolicy } from '../constructs/own-policy';
import { declaredPorts } from '../endpoints/connection-end';
import { IEndpoint } from '../endpoints/endpoint';
import { Direction } from '../model/direction';
import { Peer } from '../model/peer';
import { Port } from '../model/port';
import { Selector } from '../model/selector';

/** Where a recipe's rule goes: pods by selector (a policy of its own), or an endpoint (its policy). */
export interface RecipeTarget {
  readonly pods?: Selector;
  readonly endpoint?: IEndpoint;
  readonly namespace?: string;
  readonly name?: string;
}

/**
 * The policy a recipe writes its rule into. Given an endpoint (an `Endpoint`, a user's `IEndpoint`,
 * a cdk8s-plus-28 workload through `Endpoint.fromWorkload`), the endpoint's own policy for the
 * direction (`<name>-ingress`), so the rule merges with what the endpoint already allows and no
 * second policy selects the same pods. Given pods, a policy of the recipe's own, which accepts NP009
 * (it is kept apart on purpose, so it can be added and removed alone). With `allPodsByDefault`, a
 * recipe given neither is for every pod of the namespace; otherwise it needs exactly one. Ports
 * left out (`undefined`) are the ports the endpoint declares.
 */
export function recipePolicy(
  scope: Construct, target: RecipeTarget, recipe: string, direction: Direction, peers: Peer[], ports: Port[] | undefined, allPodsByDefault = false,
): NetworkPolicy {
  const given = [target?.pods, target?.endpoint].filter((x) => x !== undefined).length;
  if (given > 1 || (given === 0 && !allPodsByDefault)) {
    throw constructError(scope, `${recipe} needs ${allPodsByDefault ? 'at most' : 'exactly'} one of pods or endpoint (got ${given}). Say which pods it is for: pods: Selector.labels({ app: 'web' }), or endpoint: an Endpoint (Endpoint.fromWorkload(deployment), a service of an ApplicationStack)`
      + `${allPodsByDefault ? ', or neither for every pod of the namespace' : ''}.`);
  }
  if (target?.endpoint !== undefined) {
    if (target.namespace !== undefined || target.name !== undefined) {
      throw constructError(scope, `${recipe}: namespace and name come from the endpoint when an endpoint is given. Drop them, or give pods instead of the endpoint.`);
    }
    const net = NetworkPolicies.of(scope);
    const endpoint = net._end(scope, target.endpoint, 'endpoint').endpoint;
    if (!endpoint) throw constructError(scope, `${recipe}: endpoint is a Peer or an ExternalDestination, not an endpoint. Give the endpoint of the pods the rule is for, or pods.`);
    const own = ports ?? declaredPorts(endpoint);
    if (!own) {
      throw constructError(scope, `${recipe}: ports are not given, and ${endpoint.name} declares no ports to default to. List the ports (e.g. ports: [Port.tcp(8080)]), or declare ${endpoint.name}'s ports (EndpointProps.ports, or its workload's container ports).`);
    }
    if (direction === Direction.INGRESS) net._allowFrom(scope, endpoint, peers, own);
    else net._allowTo(scope, endpoint, peers, own);
    return net.policy(endpoint, direction);
  }
  if (ports === undefined) {
    throw constructError(scope, `${recipe}: ports are not given, and a pod selector declares no ports to default to. List the ports (e.g. ports: [Port.tcp(8080)]), or give an endpoint that declares its ports instead of pods.`);
  }
  const policy = new NetworkPolicy(scope, 'Resource', { pods: target?.pods ?? Selector.all(), namespace: target?.namespace, name: objectName(scope, target?.name) });
  if (direction === Direction.INGRESS) policy.addIngressRule(peers, ports);
  else policy.addEgressRule(peers, ports);
  acceptAsOwnPolicy(policy, recipe);
  return policy;
}
