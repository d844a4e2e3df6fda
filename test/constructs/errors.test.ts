import { Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { atConstruct, constructError } from '../../src/constructs/errors';

describe('construct errors name the construct path once', () => {
  const chart = Testing.chart();
  const outer = new Construct(chart, 'outer');
  const inner = new Construct(outer, 'inner');
  const thrown = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      return (e as Error).message;
    }
    throw new Error('expected an error');
  };

  test('atConstruct puts the path and the call in front of a plain error', () => {
    expect(thrown(() => atConstruct(outer, 'egress rule', () => {
      throw new Error('"x" is not a Peer. Use the Peer factories.');
    }))).toBe(`[${outer.node.path}] egress rule: "x" is not a Peer. Use the Peer factories.`);
  });

  test('an error that already carries a construct path is re-raised as it is', () => {
    expect(thrown(() => atConstruct(outer, 'service "a"', () => {
      throw constructError(inner, 'has no namespace. Set the namespace property.');
    }))).toBe(`[${inner.node.path}] has no namespace. Set the namespace property.`);
    expect(thrown(() => atConstruct(outer, 'a', () => atConstruct(inner, 'b', () => {
      throw new Error('bad value. Give a good one.');
    })))).toBe(`[${inner.node.path}] b: bad value. Give a good one.`);
  });

  test('only errors of constructError count as carrying a path: a message that starts with [ is wrapped', () => {
    expect(thrown(() => atConstruct(outer, 'tiers', () => {
      throw new Error('[] is empty. List the tiers.');
    }))).toBe(`[${outer.node.path}] tiers: [] is empty. List the tiers.`);
  });
});
