import { IConstruct } from 'constructs';

/**
 * What the whole app (the construct tree's root) owns, so that two charts can never emit two
 * different objects under one name: the policy of one workload and direction, a namespace's default
 * deny and DNS policy, a Namespace object. The first chart to declare an object owns it (the order of
 * the program, so the output is the same on every run); later declarations from other charts merge
 * into it. Every NetworkPolicy construct is also listed by `namespace/name`, so a clash between
 * two constructs that cannot merge fails the synth under any cdk8s App.
 */
export class AppOwnership {
  /** The ownership records of the app that `scope` belongs to. */
  public static of(scope: IConstruct): AppOwnership {
    const root = scope.node.root;
    let ownership = BY_ROOT.get(root);
    if (!ownership) {
      ownership = new AppOwnership();
      BY_ROOT.set(root, ownership);
    }
    return ownership;
  }

  /** Shared objects by key (`<kind>|<namespace>/<name>`), with whoever declared them first. */
  private readonly shared = new Map<string, { value: unknown; declaredAt: string }>();
  /** NetworkPolicy constructs by `namespace/name`, in the order they were made. */
  private readonly policyNames = new Map<string, IConstruct[]>();

  private constructor() {}

  /** The shared object under `key`, made by `make` the first time (and recorded as declared at `origin`). */
  public claim<T>(key: string, origin: IConstruct, make: () => T): { value: T; declaredAt: string; created: boolean } {
    const existing = this.shared.get(key);
    if (existing) return { value: existing.value as T, declaredAt: existing.declaredAt, created: false };
    const value = make();
    this.shared.set(key, { value, declaredAt: origin.node.path });
    return { value, declaredAt: origin.node.path, created: true };
  }

  /** The shared object under `key`, if it was claimed. */
  public claimed<T>(key: string): T | undefined {
    return this.shared.get(key)?.value as T | undefined;
  }

  /** Where the shared object under `key` was first declared, if it exists. */
  public declaredAt(key: string): string | undefined {
    return this.shared.get(key)?.declaredAt;
  }

  /** Records a NetworkPolicy construct's object name. */
  public registerPolicyName(namespace: string, name: string, policy: IConstruct): void {
    const key = `${namespace}/${name}`;
    const list = this.policyNames.get(key) ?? [];
    list.push(policy);
    this.policyNames.set(key, list);
  }

  /** The other NetworkPolicy constructs with the same object name that were made before `policy`. */
  public earlierPoliciesNamed(namespace: string, name: string, policy: IConstruct): IConstruct[] {
    const list = this.policyNames.get(`${namespace}/${name}`) ?? [];
    const i = list.indexOf(policy);
    return i <= 0 ? [] : list.slice(0, i);
  }
}

const BY_ROOT = new WeakMap<IConstruct, AppOwnership>();
