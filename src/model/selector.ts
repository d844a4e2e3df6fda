import { brand, checkFactoryToken, FACTORY, frozenRecord, isBranded, notBranded } from './brand';
import { modelError } from './errors';
import { checkLabelKey, checkLabelValue, LabelExpression } from './label-expression';
import { compareStrings } from './order';
import { CompiledSelector, compileSelector, describeSelector } from '../k8s/label-selector';
import { LabelSelectorJson } from '../k8s/manifest';

/** Options of `Selector.of`. */
export interface SelectorOptions {
  /** Labels that must all be present with these values (`matchLabels`). @default - none */
  readonly labels?: { [key: string]: string };
  /** Requirements that must all hold (`matchExpressions`). @default - none */
  readonly expressions?: LabelExpression[];
}

/**
 * A label selector for pods or namespaces: `matchLabels` and `matchExpressions`, all AND-ed.
 *
 * An empty selector matches everything, so it cannot be built by accident: `Selector.labels({})`
 * throws, and "everything" is spelled `Selector.all()`.
 *
 * @example
 * Selector.labels({ app: 'web' });
 * Selector.of({ labels: { app: 'web' }, expressions: [LabelExpression.isIn('tier', ['a', 'b'])] });
 */
export class Selector {
  /** Pods (or namespaces) carrying all of these labels. */
  public static labels(labels: { [key: string]: string }): Selector {
    return Selector.of({ labels });
  }

  /** Pods (or namespaces) satisfying all of these requirements. */
  public static expressions(expressions: LabelExpression[]): Selector {
    return Selector.of({ expressions });
  }

  /** Labels and requirements together (AND). At least one of them must be given. */
  public static of(options: SelectorOptions): Selector {
    const labels = options?.labels ?? {};
    const expressions = options?.expressions ?? [];
    if (labels === null || typeof labels !== 'object' || Array.isArray(labels)) {
      throw modelError('Selector labels', labels, 'is not a map of label keys to values', 'Pass an object such as { app: \'web\' }.');
    }
    if (!Array.isArray(expressions)) {
      throw modelError('Selector expressions', expressions, 'is not a list', 'Pass an array of LabelExpression.');
    }
    if (Object.keys(labels).length === 0 && expressions.length === 0) {
      throw modelError('Selector', options, 'has no labels and no expressions, so it would match everything',
        'Give at least one label or expression, or write Selector.all() if every pod (or namespace) is really meant.');
    }
    for (const [key, value] of Object.entries(labels)) {
      checkLabelKey(key, 'Selector');
      checkLabelValue(value, `Selector label "${key}"`);
    }
    const own = expressions.map((e) => LabelExpression._use(e, 'Selector expressions'));
    return new Selector(FACTORY, frozenRecord(labels), dedupeExpressions(own));
  }

  /** Every pod (or every namespace): the empty selector `{}`. Say it only when you mean it. */
  public static all(): Selector {
    return new Selector(FACTORY, frozenRecord({}), []);
  }

  /** True for a `Selector` made by a factory. */
  public static isSelector(x: any): x is Selector {
    return isBranded(x, 'Selector');
  }

  /**
   * `value` as a selector of this copy of the package: as is when made here, rebuilt through the
   * factories when made by another installed copy, refused otherwise (a hand-built selector with no
   * labels would match every pod).
   * @internal
   */
  public static _use(value: unknown, where: string): Selector {
    if (Selector.owns(value)) return value;
    if (!Selector.isSelector(value)) throw notBranded(where, value, 'Selector', SELECTOR_FACTORIES);
    const s = value as Selector;
    let labels: { [key: string]: string };
    let expressions: LabelExpression[];
    let isAll: unknown;
    try {
      labels = { ...s.matchLabels };
      expressions = Array.isArray(s.matchExpressions) ? [...s.matchExpressions] : (undefined as any);
      isAll = s.isAll;
    } catch {
      throw notBranded(where, value, 'Selector', SELECTOR_FACTORIES);
    }
    if (expressions === undefined) throw notBranded(where, value, 'Selector', SELECTOR_FACTORIES);
    if (Object.keys(labels).length === 0 && expressions.length === 0) {
      // "every pod" only when the value says so itself, not because its fields are missing
      if (isAll !== true) throw notBranded(where, value, 'Selector', SELECTOR_FACTORIES);
      return Selector.all();
    }
    return Selector.of({ labels, expressions });
  }

  /**
   * Whether `value` was made by this copy's constructor: it holds the private fields (a `#field in`
   * check, which a Proxy or an object given the brand by hand fails, whatever `instanceof` says).
   */
  private static owns(value: unknown): value is Selector {
    return typeof value === 'object' && value !== null && #matchLabels in value;
  }

  readonly #matchLabels: { readonly [key: string]: string };
  readonly #matchExpressions: readonly LabelExpression[];
  /** The selector compiled by the selector engine, on first use. */
  #compiled?: CompiledSelector;
  /** The text form, on first use (it is also the key, read often while merging rules). */
  #text?: string;

  private constructor(token: unknown, matchLabels: { [key: string]: string }, matchExpressions: LabelExpression[]) {
    checkFactoryToken(token, 'Selector', SELECTOR_FACTORIES);
    this.#matchLabels = matchLabels;
    this.#matchExpressions = Object.freeze(matchExpressions);
    brand(this, 'Selector');
  }

  /** The required labels (sorted by key); read-only. */
  public get matchLabels(): { [key: string]: string } {
    return this.#matchLabels as { [key: string]: string };
  }

  /** The requirements (sorted, de-duplicated); read-only. */
  public get matchExpressions(): LabelExpression[] {
    return this.#matchExpressions as LabelExpression[];
  }

  /** True for `Selector.all()`, the empty selector that matches everything. */
  public get isAll(): boolean {
    return Object.keys(this.matchLabels).length === 0 && this.matchExpressions.length === 0;
  }

  /** Whether a set of labels is selected (evaluated as the API server does). */
  public matches(labels: { [key: string]: string }): boolean {
    this.#compiled ??= compileSelector(this.toJson());
    return this.#compiled.matches(labels);
  }

  /** A selector that also requires `labels` (AND). */
  public withLabels(labels: { [key: string]: string }): Selector {
    if (labels === null || typeof labels !== 'object' || Array.isArray(labels)) {
      throw modelError(`Selector.withLabels on ${this}`, labels, 'is not a map of label keys to values', 'Pass an object such as { tier: \'web\' }.');
    }
    for (const [key, value] of Object.entries(labels)) {
      const existing = Object.prototype.hasOwnProperty.call(this.#matchLabels, key) ? this.#matchLabels[key] : undefined;
      if (existing !== undefined && existing !== value) {
        throw modelError(`Selector.withLabels on ${this}`, { [key]: value },
          `conflicts with the existing label ${key}=${existing}, so the selector could match nothing`,
          'Use one value per label key, or LabelExpression.isIn for several values.');
      }
    }
    return Selector.of({ labels: { ...this.#matchLabels, ...labels }, expressions: [...this.#matchExpressions] });
  }

  /** A selector that also requires `expressions` (AND). */
  public withExpressions(expressions: LabelExpression[]): Selector {
    if (!Array.isArray(expressions)) {
      throw modelError(`Selector.withExpressions on ${this}`, expressions, 'is not a list', 'Pass an array of LabelExpression.');
    }
    return Selector.of({ labels: { ...this.#matchLabels }, expressions: [...this.#matchExpressions, ...expressions] });
  }

  /** Readable form in kubectl's syntax, e.g. `app=web,tier in (a,b)`; `<all>` for the empty selector. */
  public toString(): string {
    this.#text ??= describeSelector(this.toJson());
    return this.#text;
  }

  /** A canonical identity for de-duplication and sorting. */
  public get key(): string {
    return this.toString();
  }

  /** The `LabelSelector` JSON (`{}` for `Selector.all()`). */
  public toJson(): any {
    const json: LabelSelectorJson = {};
    if (Object.keys(this.matchLabels).length > 0) json.matchLabels = { ...this.matchLabels };
    if (this.matchExpressions.length > 0) json.matchExpressions = this.matchExpressions.map((e) => e.toJson());
    return json;
  }
}

const SELECTOR_FACTORIES = 'Selector.labels({ app: \'web\' }), Selector.of({...}), Selector.expressions([...]) or Selector.all()';

function dedupeExpressions(expressions: LabelExpression[]): LabelExpression[] {
  const byKey = new Map<string, LabelExpression>();
  for (const e of expressions) byKey.set(e.toString(), e);
  return [...byKey.entries()].sort(([a], [b]) => compareStrings(a, b)).map(([, e]) => e);
}
