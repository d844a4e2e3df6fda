/**
 * Name and label rules of the Kubernetes API server (apimachinery `util/validation`).
 *
 * Each check returns the list of problems with a value (empty when the value is valid), worded as
 * the API server words them, so that every caller (model, validator, analyser) reports the same text.
 */

const DNS1123_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_LABEL_RE = new RegExp(`^${DNS1123_LABEL}$`);
const DNS1123_SUBDOMAIN_RE = new RegExp(`^${DNS1123_LABEL}(\\.${DNS1123_LABEL})*$`);
const QUALIFIED_NAME_PART_RE = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const PORT_NAME_CHARSET_RE = /^[-a-z0-9]+$/;

/** Longest DNS-1123 label (namespace names, IANA labels). */
export const DNS1123_LABEL_MAX_LENGTH = 63;
/** Longest DNS-1123 subdomain (object names, label key prefixes). */
export const DNS1123_SUBDOMAIN_MAX_LENGTH = 253;
/** Longest label value and name part of a qualified name. */
export const LABEL_VALUE_MAX_LENGTH = 63;
/** Longest IANA service name (named ports). */
export const PORT_NAME_MAX_LENGTH = 15;

/** Problems with a DNS-1123 label (e.g. a namespace name). */
export function dns1123LabelProblems(value: string): string[] {
  const problems: string[] = [];
  if (value.length > DNS1123_LABEL_MAX_LENGTH) {
    problems.push(`must be no more than ${DNS1123_LABEL_MAX_LENGTH} characters`);
  }
  if (!DNS1123_LABEL_RE.test(value)) {
    problems.push("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name' or '123-abc')");
  }
  return problems;
}

/** Problems with a DNS-1123 subdomain (e.g. an object name or a label key prefix). */
export function dns1123SubdomainProblems(value: string): string[] {
  const problems: string[] = [];
  if (value.length > DNS1123_SUBDOMAIN_MAX_LENGTH) {
    problems.push(`must be no more than ${DNS1123_SUBDOMAIN_MAX_LENGTH} characters`);
  }
  if (!DNS1123_SUBDOMAIN_RE.test(value)) {
    problems.push("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com')");
  }
  return problems;
}

/** Problems with a qualified name such as a label key: `[prefix/]name`. */
export function qualifiedNameProblems(value: string): string[] {
  const parts = value.split('/');
  let name: string;
  const problems: string[] = [];
  if (parts.length === 1) {
    name = parts[0];
  } else if (parts.length === 2) {
    const [prefix, rest] = parts;
    name = rest;
    if (prefix.length === 0) {
      problems.push('prefix part must be non-empty');
    } else {
      problems.push(...dns1123SubdomainProblems(prefix).map((p) => `prefix part ${p}`));
    }
  } else {
    return ["a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character, with an optional DNS subdomain prefix and '/' (e.g. 'MyName', 'my.name' or 'example.com/MyName')"];
  }
  if (name.length === 0) {
    problems.push('name part must be non-empty');
  } else {
    if (name.length > LABEL_VALUE_MAX_LENGTH) {
      problems.push(`name part must be no more than ${LABEL_VALUE_MAX_LENGTH} characters`);
    }
    if (!QUALIFIED_NAME_PART_RE.test(name)) {
      problems.push("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName', 'my.name' or '123-abc')");
    }
  }
  return problems;
}

/** Problems with a label value (empty is allowed). */
export function labelValueProblems(value: string): string[] {
  const problems: string[] = [];
  if (value.length > LABEL_VALUE_MAX_LENGTH) {
    problems.push(`must be no more than ${LABEL_VALUE_MAX_LENGTH} characters`);
  }
  if (value.length > 0 && !QUALIFIED_NAME_PART_RE.test(value)) {
    problems.push("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue', 'my_value' or '12345')");
  }
  return problems;
}

/** Problems with an IANA service name, the form of a named port (`IsValidPortName`). */
export function portNameProblems(value: string): string[] {
  const problems: string[] = [];
  if (value.length > PORT_NAME_MAX_LENGTH) {
    problems.push(`must be no more than ${PORT_NAME_MAX_LENGTH} characters`);
  }
  if (!PORT_NAME_CHARSET_RE.test(value)) {
    problems.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  }
  if (!/[a-z]/.test(value)) {
    problems.push('must contain at least one letter (a-z)');
  }
  if (value.includes('--')) {
    problems.push("must not contain consecutive hyphens ('--')");
  }
  if (value.startsWith('-') || value.endsWith('-')) {
    problems.push('must not begin or end with a hyphen');
  }
  return problems;
}

/** Problems with a port number (1-65535). */
export function portNumberProblems(value: number): string[] {
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    return ['must be between 1 and 65535, inclusive'];
  }
  return [];
}
