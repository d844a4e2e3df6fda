import { types } from 'util';
import { formatValue, modelError } from './errors';

/**
 * Brands of the library's value types. A brand is an own, non-enumerable `Symbol.for` property set
 * by the constructor, so it is found across two installed copies of the package (where `instanceof`
 * fails) and is absent from objects made without a factory (`Object.create(Port.prototype)`, a
 * plain object literal), which are refused instead of being read as "everything".
 */
const PREFIX = 'cdk8s-netpol.';

/** A token that only this package's factories hold: `new Port()` from JavaScript is refused. */
export const FACTORY = Symbol('cdk8s-netpol factory');

/** Marks `target` as a value of `type`, made by a factory. */
export function brand(target: object, type: string): void {
  Object.defineProperty(target, Symbol.for(`${PREFIX}${type}`), { value: true, enumerable: false, writable: false, configurable: false });
}

/**
 * Whether `value` carries the brand of `type` (made by a factory of this or another copy of the
 * package). A Proxy never does, whatever its traps answer: it could tell one thing to the brand check
 * and another to the code that renders the rule.
 */
export function isBranded(value: unknown, type: string): boolean {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null || types.isProxy(value)) return false;
  return Object.getOwnPropertyDescriptor(value, Symbol.for(`${PREFIX}${type}`))?.value === true;
}

/** The type whose brand `value` carries (made by a factory of this or another copy of the package), if any. */
export function brandOf(value: unknown): string | undefined {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null || types.isProxy(value)) return undefined;
  for (const symbol of Object.getOwnPropertySymbols(value)) {
    const key = Symbol.keyFor(symbol);
    if (key?.startsWith(PREFIX) && Object.getOwnPropertyDescriptor(value, symbol)?.value === true) return key.slice(PREFIX.length);
  }
  return undefined;
}

/** Throws unless the constructor was called by a factory (with the package's token). */
export function checkFactoryToken(token: unknown, type: string, factories: string): void {
  if (token !== FACTORY) {
    throw modelError(`new ${type}()`, undefined, `is not how a ${type} is made: a ${type} built without its factories could stand for more than meant`,
      `Use the factories: ${factories}.`);
  }
}

/** The error for a value that is not a branded `type`: what it is, and how to build one. */
export function notBranded(where: string, value: unknown, type: string, factories: string): Error {
  if (isProxy(value)) {
    return modelError(where, '<Proxy>', `is a Proxy, not a ${type}: what it allows is whatever its traps answer, so it is refused`, `Pass the ${type} itself, built with ${factories}.`);
  }
  const what = typeof value === 'object' && value !== null && Object.getPrototypeOf(value)?.constructor?.name === type
    ? `is a ${type} that no ${type} factory made (e.g. Object.create(${type}.prototype) or a copied object), so what it allows is unknown`
    : `is not a ${type}`;
  return modelError(where, describe(value), what, `Build it with ${factories}.`);
}

/** A value for an error message that never runs a method of an object no factory made. */
export function describeValue(value: unknown): string {
  if (isProxy(value)) return '<Proxy>';
  if (typeof value === 'object' && value !== null) {
    const name = Object.getPrototypeOf(value)?.constructor?.name;
    if (name && name !== 'Object' && isBranded(value, name)) return String(value);
  }
  return formatValue(describe(value));
}

function describe(value: unknown): unknown {
  if (isProxy(value)) return '<Proxy>';
  if (typeof value === 'object' && value !== null) {
    const name = Object.getPrototypeOf(value)?.constructor?.name;
    return name && name !== 'Object' ? `<${name}>` : value;
  }
  return value;
}

/** A frozen shallow copy of a string record, keys sorted (so the order is canonical). */
export function frozenRecord(record: { [key: string]: string }): { [key: string]: string } {
  const out: { [key: string]: string } = {};
  for (const key of Object.keys(record).sort()) out[key] = record[key];
  return Object.freeze(out);
}

/** Whether `value` is a Proxy (whose traps could answer anything). */
export function isProxy(value: unknown): boolean {
  return ((typeof value === 'object' && value !== null) || typeof value === 'function') && types.isProxy(value);
}
