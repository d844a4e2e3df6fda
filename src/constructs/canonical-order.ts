import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { compareStrings } from '../model/order';

/** The most objects one page of a `CanonicalOrder` depends on. */
const PAGE_SIZE = 100;

interface Entry {
  /** Namespace, name and kind: what the order sorts by. */
  readonly key: string;
  readonly object: ApiObject;
}

interface Page {
  /** Sorted by key; in insertion order among equal keys. */
  entries: Entry[];
  /** The childless construct that depends on the entries' objects in order. */
  node: Construct;
}

/**
 * Makes cdk8s render the API objects added to it in a canonical order, by namespace, name and kind,
 * whatever the order in which they were declared.
 *
 * cdk8s renders a chart's objects in the topological order of their `node.addDependency` edges
 * (ties in construct-tree order), so the order is a set of dependencies, kept up to date as objects
 * are added, at construction time: nothing is changed during validation or synthesis. The sorted
 * objects are cut into pages of at most `PAGE_SIZE`, each a childless construct that depends on its
 * objects in order, and one top construct depends on the pages in order. The graph is three levels
 * deep at any size (a chain of dependencies overflowed cdk8s's recursive graph walks at ~9,000
 * objects), and no object depends on anything.
 *
 * Dependencies can be added but not removed or reordered, so an object that joins a page anywhere
 * but at its end replaces that page (and the top) with a new construct: adding n objects costs at
 * most O(n * (PAGE_SIZE + n / PAGE_SIZE)) dependencies, where one node rebuilt on every addition
 * would cost O(n²). An object that sorts after every object of its page (declarations in sorted
 * order, or the last page) is one more dependency of it.
 */
export class CanonicalOrder extends Construct {
  private readonly pages: Page[] = [];
  private readonly known = new Set<ApiObject>();
  private top: Construct;
  private nodes = 0;

  /**
   * @param scope the parent: the ordered objects are rendered, in order, where this construct sits
   * in the chart's construct order
   * @param id the construct id
   */
  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.top = this.newNode([]);
  }

  /** Puts every API object of `construct`'s subtree (itself included) in its place in the order. */
  public add(construct: IConstruct): void {
    const stale = new Set<Page>();
    let pagesChanged = false;
    for (const object of construct.node.findAll()) {
      if (!ApiObject.isApiObject(object) || this.known.has(object)) continue;
      this.known.add(object);
      const entry = { key: `${object.metadata.namespace ?? ''}\u0000${object.name}\u0000${object.kind}`, object };
      if (this.pages.length === 0) {
        this.pages.push({ entries: [entry], node: this.newNode([object]) });
        this.top.node.addDependency(this.pages[0].node);
        continue;
      }
      const p = Math.max(0, upperBound(this.pages, entry.key, (page) => page.entries[0].key) - 1);
      const page = this.pages[p];
      const at = upperBound(page.entries, entry.key, (e) => e.key);
      page.entries.splice(at, 0, entry);
      if (page.entries.length > PAGE_SIZE && at === page.entries.length - 1 && p === this.pages.length - 1) {
        // After every object, and the last page is full: a new last page, one more dependency of the top.
        page.entries.pop();
        const last: Page = { entries: [entry], node: this.newNode([object]) };
        this.pages.push(last);
        if (!pagesChanged) this.top.node.addDependency(last.node);
      } else if (page.entries.length > PAGE_SIZE) {
        // Split in two: both halves are new pages, and the top must list them.
        const half = page.entries.length >> 1;
        const second: Page = { entries: page.entries.splice(half), node: page.node };
        this.pages.splice(p + 1, 0, second);
        stale.add(page).add(second);
        pagesChanged = true;
      } else if (at === page.entries.length - 1 && !stale.has(page)) {
        page.node.node.addDependency(object); // after every object of the page: one more dependency
      } else {
        stale.add(page);
        pagesChanged = true;
      }
    }
    for (const page of stale) {
      if (this.node.tryFindChild(page.node.node.id) === page.node) this.node.tryRemoveChild(page.node.node.id);
      page.node = this.newNode(page.entries.map((e) => e.object));
    }
    if (pagesChanged) {
      this.node.tryRemoveChild(this.top.node.id);
      this.top = this.newNode(this.pages.map((page) => page.node));
    }
  }

  /** A childless construct that depends on `dependencies` in order. */
  private newNode(dependencies: IConstruct[]): Construct {
    const node = new Construct(this, `N${this.nodes++}`);
    node.node.addDependency(...dependencies);
    return node;
  }
}

/** The index of the first item whose key sorts after `key` (items sorted by key). */
function upperBound<T>(items: readonly T[], key: string, keyOf: (item: T) => string): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compareStrings(keyOf(items[mid]), key) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
