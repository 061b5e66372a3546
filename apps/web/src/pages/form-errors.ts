import { DomainError } from '@schoolbench/graphql';

/** An entry of the GOV.UK error summary: its text, and the field it links to. */
export interface PageError {
  text: string;
  href: string;
}

export function fieldError(field: string, text: string): PageError {
  return { text, href: `#${field}` };
}

/**
 * A service's refusal of bad input as the form's errors: the field it names (if the form has
 * it) and its message. Other errors are not the user's input and propagate.
 */
export function inputErrors(error: unknown, fields: readonly string[]): Record<string, string> {
  if (!(error instanceof DomainError) || error.code !== 'BAD_USER_INPUT') throw error;
  const field = typeof error.details?.field === 'string' ? error.details.field : undefined;
  return { [field && fields.includes(field) ? field : (fields[0] ?? 'form')]: error.message };
}

export function errorList(fields: Record<string, string>): PageError[] {
  return Object.entries(fields).map(([id, text]) => fieldError(id, text));
}
