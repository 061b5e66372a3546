/**
 * A problem with what the caller asked for or supplied (unknown method, bad k, missing
 * column...). The message is safe to show; `code` maps onto the API's `BAD_USER_INPUT`.
 */
export class ComparisonInputError extends Error {
  readonly code = 'BAD_USER_INPUT';
  constructor(
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = 'ComparisonInputError';
  }
}
