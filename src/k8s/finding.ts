/** How serious a finding is. */
export enum Severity {
  /** The API server would reject the object, or the library must not emit it. */
  ERROR = 'error',
  /** Accepted by the API server, but probably not what was meant. */
  WARNING = 'warning',
}

/** One problem found in a NetworkPolicy (`LocatedFinding` adds which object, file and line). */
export interface Finding {
  /** Error or warning. */
  readonly severity: Severity;
  /**
   * A stable code: for API-server rules the API's error type (`FieldValueInvalid`,
   * `FieldValueRequired`, `FieldValueNotSupported`, `FieldValueForbidden`, `FieldValueTooLong`,
   * `FieldValueTypeInvalid`, `FieldValueDuplicate`, `FieldValueTooMany`); for lints a `NP`-code such as `NP001` (see the README).
   */
  readonly code: string;
  /** The field path in the API server's notation, e.g. `spec.ingress[0].ports[1].endPort`. */
  readonly field: string;
  /** What is wrong, with the value, in the API server's words where it has some. */
  readonly message: string;
  /** How to fix it, in one line. */
  readonly fix: string;
}

/** The API server's field error types, as they appear in its messages. */
export const API_ERROR_TYPES = {
  FieldValueRequired: 'Required value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTypeInvalid: 'Invalid value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueTooMany: 'Too many',
} as const;

/** A field error type of the API server. */
export type ApiErrorType = keyof typeof API_ERROR_TYPES;

/** One-line text form: `field: message (code). Fix: ...`. */
export function formatFinding(f: Finding): string {
  return `${f.field ? `${f.field}: ` : ''}${f.message} [${f.code}] Fix: ${f.fix}`;
}
