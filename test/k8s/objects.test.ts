import { flattenLists } from '../../src/k8s/objects';

const policy = { metadata: { name: 'p', namespace: 'shop' }, spec: { podSelector: {} } };

describe('flattenLists', () => {
  test('items of a typed list take the list kind without List, and its apiVersion', () => {
    const flat = flattenLists([{ object: { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicyList', items: [policy] }, file: 'l.yaml', line: 3 }]);
    expect(flat).toEqual([{ object: { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', ...policy }, file: 'l.yaml', line: 3, path: 'items[0]' }]);
  });

  test('an item with its own kind keeps it; an item with its own apiVersion keeps that', () => {
    const flat = flattenLists([{
      object: {
        apiVersion: 'v1',
        kind: 'PodList',
        items: [
          { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } },
          { apiVersion: 'v1beta1', metadata: { name: 'x' } },
          { kind: '', apiVersion: null, metadata: { name: 'y' } },
        ],
      },
    }]).map((o) => o.object);
    expect(flat).toEqual([
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } },
      { apiVersion: 'v1beta1', kind: 'Pod', metadata: { name: 'x' } },
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'y' } },
    ]);
  });

  test('items of a plain List have no implied kind; lists nest', () => {
    const flat = flattenLists([{
      object: {
        apiVersion: 'v1',
        kind: 'List',
        items: [
          { metadata: { name: 'kindless' } },
          { apiVersion: 'v1', kind: 'NamespaceList', items: [{ metadata: { name: 'shop' } }] },
        ],
      },
    }]).map((o) => o.object);
    expect(flat).toEqual([{ metadata: { name: 'kindless' } }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }]);
  });

  test('the input objects are not changed', () => {
    const list = { apiVersion: 'v1', kind: 'PodList', items: [{ metadata: { name: 'a' } }] };
    flattenLists([{ object: list }]);
    expect(list.items[0]).toEqual({ metadata: { name: 'a' } });
  });
});
