import { brand, checkFactoryToken, FACTORY, isBranded, notBranded } from './brand';
import { modelError } from './errors';
import { dns1123LabelProblems } from '../k8s/names';

/** Options of `Environment.of`. */
export interface EnvironmentOptions {
  /** Whether a debugging allowance (`ApplicationStack.allowDebugAccess`) may be declared. @default false */
  readonly allowsDebugAccess?: boolean;
}

/**
 * The environment an `ApplicationStack` runs in (dev, staging, prod, ...). Namespaces of an
 * environment carry the label `environment: <name>`, and peers that select namespaces by label
 * are narrowed to the stack's environment, so no rule can open one environment to another.
 */
export class Environment {
  /** The namespace label that names the environment. */
  public static readonly LABEL = 'environment';

  /** Development: the only built-in environment that accepts a debugging allowance. */
  public static dev(): Environment {
    return Environment.of('dev', { allowsDebugAccess: true });
  }

  /** Staging. */
  public static staging(): Environment {
    return Environment.of('staging');
  }

  /** Production: never accepts a debugging allowance. */
  public static prod(): Environment {
    return Environment.of('prod');
  }

  /** Any environment. */
  public static of(name: string, options: EnvironmentOptions = {}): Environment {
    const problems = typeof name === 'string' ? dns1123LabelProblems(name) : ['is not a string'];
    if (problems.length > 0) {
      throw modelError('Environment.of', name, `is not a valid environment name: ${problems.join('; ')}`, 'Use a short lowercase name such as \'dev\', \'staging\' or \'prod\'.');
    }
    if (name === 'prod' && options?.allowsDebugAccess) {
      throw modelError('Environment.of', name, 'cannot allow debug access', 'Production never accepts a debugging allowance; drop allowsDebugAccess.');
    }
    return new Environment(FACTORY, name, options?.allowsDebugAccess === true);
  }

  /** True for an `Environment` made by a factory. */
  public static isEnvironment(x: any): x is Environment {
    return isBranded(x, 'Environment');
  }

  /**
   * `value` as an environment of this copy of the package (rebuilt through `Environment.of` when
   * made by another installed copy), refused otherwise.
   * @internal
   */
  public static _use(value: unknown, where: string): Environment {
    if (Environment.owns(value)) return value;
    if (!Environment.isEnvironment(value)) throw notBranded(where, value, 'Environment', 'Environment.dev(), .staging(), .prod() or .of(name)');
    const e = value as Environment;
    let fields: [string, boolean];
    try {
      fields = [e.name, e.allowsDebugAccess === true];
    } catch {
      throw notBranded(where, value, 'Environment', 'Environment.dev(), .staging(), .prod() or .of(name)');
    }
    return Environment.of(fields[0], { allowsDebugAccess: fields[1] });
  }

  /**
   * Whether `value` was made by this copy's constructor: it holds the private fields (a `#field in`
   * check, which a Proxy or an object given the brand by hand fails, whatever `instanceof` says).
   */
  private static owns(value: unknown): value is Environment {
    return typeof value === 'object' && value !== null && #name in value;
  }

  readonly #name: string;
  readonly #allowsDebugAccess: boolean;

  private constructor(token: unknown, name: string, allowsDebugAccess: boolean) {
    checkFactoryToken(token, 'Environment', 'Environment.dev(), .staging(), .prod() or .of(name)');
    this.#name = name;
    this.#allowsDebugAccess = allowsDebugAccess;
    brand(this, 'Environment');
  }

  /** The name (the value of the `environment` namespace label). */
  public get name(): string {
    return this.#name;
  }

  /** Whether a debugging allowance may be declared. */
  public get allowsDebugAccess(): boolean {
    return this.#allowsDebugAccess;
  }
}
