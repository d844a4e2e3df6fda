import { brand, checkFactoryToken, FACTORY, isBranded, notBranded } from './brand';
import { modelError } from './errors';
import { compileRequirement, describeRequirement, Labels } from '../k8s/label-selector';
import { LabelSelectorRequirementJson } from '../k8s/manifest';
import { labelValueProblems, qualifiedNameProblems } from '../k8s/names';

/** A `matchExpressions` operator. */
export enum LabelOperator {
  /** The label is present and its value is one of the values. */
  IN = 'In',
  /** The label is absent, or present with none of the values. */
  NOT_IN = 'NotIn',
  /** The label is present, with any value. */
  EXISTS = 'Exists',
  /** The label is absent. */
  DOES_NOT_EXIST = 'DoesNotExist',
}

const OPERATORS: readonly string[] = Object.values(LabelOperator);

/**
 * One `matchExpressions` requirement of a label selector.
 *
 * @example
 * LabelExpression.isIn('tier', ['frontend', 'backend']); LabelExpression.exists('team');
 */
export class LabelExpression {
  /** The label is present and its value is one of `values` (`In`). */
  public static isIn(key: string, values: string[]): LabelExpression {
    return LabelExpression.of(key, LabelOperator.IN, values);
  }

  /** The label is absent, or present with none of `values` (`NotIn`). */
  public static notIn(key: string, values: string[]): LabelExpression {
    return LabelExpression.of(key, LabelOperator.NOT_IN, values);
  }

  /** The label is present, with any value (`Exists`). */
  public static exists(key: string): LabelExpression {
    return LabelExpression.of(key, LabelOperator.EXISTS);
  }

  /** The label is absent (`DoesNotExist`). */
  public static doesNotExist(key: string): LabelExpression {
    return LabelExpression.of(key, LabelOperator.DOES_NOT_EXIST);
  }

  /**
   * Any requirement; checks the key, the operator and that the values fit the operator
   * (`In`/`NotIn` need at least one value, `Exists`/`DoesNotExist` take none).
   */
  public static of(key: string, operator: LabelOperator, values?: string[]): LabelExpression {
    const what = `LabelExpression ${formatOperator(operator)}`;
    checkLabelKey(key, what);
    if (!OPERATORS.includes(operator)) {
      throw modelError(what, operator, 'is not a valid selector operator', 'Use LabelOperator.IN, NOT_IN, EXISTS or DOES_NOT_EXIST.');
    }
    const list = values ?? [];
    if (!Array.isArray(list)) {
      throw modelError(`${what} on key "${key}"`, values, 'is not a list of values', 'Pass the values as an array of strings.');
    }
    if ((operator === LabelOperator.IN || operator === LabelOperator.NOT_IN) && list.length === 0) {
      throw modelError(`${what} on key "${key}"`, list, `has no values, but ${operator} needs at least one`,
        `Give the label values to match, or use LabelExpression.${operator === LabelOperator.IN ? 'exists' : 'doesNotExist'}('${key}').`);
    }
    if ((operator === LabelOperator.EXISTS || operator === LabelOperator.DOES_NOT_EXIST) && list.length > 0) {
      throw modelError(`${what} on key "${key}"`, list, `has values, but ${operator} must have none`,
        `Drop the values, or use LabelExpression.${operator === LabelOperator.EXISTS ? 'isIn' : 'notIn'}('${key}', [...]).`);
    }
    for (const value of list) checkLabelValue(value, `${what} on key "${key}"`);
    const unique = [...new Set(list)].sort();
    return new LabelExpression(FACTORY, key, operator, unique);
  }

  /** True for a `LabelExpression` made by a factory. */
  public static isLabelExpression(x: any): x is LabelExpression {
    return isBranded(x, 'LabelExpression');
  }

  /**
   * `value` as a requirement of this copy of the package: as is when made here, rebuilt through
   * `LabelExpression.of` when made by another installed copy, refused otherwise.
   * @internal
   */
  public static _use(value: unknown, where: string): LabelExpression {
    if (LabelExpression.owns(value)) return value;
    if (!LabelExpression.isLabelExpression(value)) throw notBranded(where, value, 'LabelExpression', EXPRESSION_FACTORIES);
    const e = value as LabelExpression;
    let fields: [string, LabelOperator, string[]];
    try {
      fields = [e.key, e.operator, Array.isArray(e.values) ? [...e.values] : e.values];
    } catch {
      throw notBranded(where, value, 'LabelExpression', EXPRESSION_FACTORIES);
    }
    return LabelExpression.of(...fields);
  }

  /**
   * Whether `value` was made by this copy's constructor: it holds the private fields (a `#field in`
   * check, which a Proxy or an object given the brand by hand fails, whatever `instanceof` says).
   */
  private static owns(value: unknown): value is LabelExpression {
    return typeof value === 'object' && value !== null && #key in value;
  }

  readonly #key: string;
  readonly #operator: LabelOperator;
  readonly #values: readonly string[];
  /** The requirement compiled by the selector engine, on first use. */
  #matcher?: (labels: Labels) => boolean;
  /** The text form, on first use. */
  #text?: string;

  private constructor(token: unknown, key: string, operator: LabelOperator, values: string[]) {
    checkFactoryToken(token, 'LabelExpression', EXPRESSION_FACTORIES);
    this.#key = key;
    this.#operator = operator;
    this.#values = Object.freeze(values);
    brand(this, 'LabelExpression');
  }

  /** The label key. */
  public get key(): string {
    return this.#key;
  }

  /** The operator. */
  public get operator(): LabelOperator {
    return this.#operator;
  }

  /** The values, sorted and de-duplicated (empty for `Exists`/`DoesNotExist`); read-only. */
  public get values(): string[] {
    return this.#values as string[];
  }

  /** Whether a set of labels satisfies this requirement (evaluated as the API server does). */
  public matches(labels: { [key: string]: string }): boolean {
    this.#matcher ??= compileRequirement(this.toJson());
    return this.#matcher(labels);
  }

  /** Readable form, e.g. `tier in (backend,frontend)`, `!team`. */
  public toString(): string {
    this.#text ??= describeRequirement(this.toJson());
    return this.#text;
  }

  /** The `matchExpressions` entry. */
  public toJson(): any {
    const json: LabelSelectorRequirementJson = { key: this.key, operator: this.operator };
    if (this.values.length > 0) json.values = [...this.values];
    return json;
  }
}

const EXPRESSION_FACTORIES = 'LabelExpression.isIn(key, [...]), notIn(key, [...]), exists(key) or doesNotExist(key)';

function formatOperator(operator: unknown): string {
  return typeof operator === 'string' ? operator : String(operator);
}

/** Throws when `key` is not a valid label key. */
export function checkLabelKey(key: string, what: string): void {
  const problems = typeof key === 'string' ? qualifiedNameProblems(key) : ['is not a string'];
  if (problems.length > 0) {
    throw modelError(`${what}: label key`, key, `is not a valid label key: ${problems.join('; ')}`,
      'Use a key such as \'app\', \'app.kubernetes.io/name\' or \'example.com/team\'.');
  }
}

/** Throws when `value` is not a valid label value. */
export function checkLabelValue(value: string, what: string): void {
  const problems = typeof value === 'string' ? labelValueProblems(value) : ['is not a string'];
  if (problems.length > 0) {
    throw modelError(`${what}: label value`, value, `is not a valid label value: ${problems.join('; ')}`,
      'Use at most 63 characters of letters, digits, \'-\', \'_\' and \'.\', starting and ending with a letter or digit.');
  }
}
