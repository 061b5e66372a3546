import type { NextFunction, Request, Response } from 'express';
import { Kind, visit, type DocumentNode } from 'graphql';

import { badInput, DomainError } from './domain-error';

/** Where the first NUL character is in a value sent by a client, as a path; undefined if none. */
export function nulBytePath(value: unknown, path = ''): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path || '(value)' : undefined;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = nulBytePath(item, `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key.includes('\u0000')) return `${path}.${key.replace(/\u0000/g, '\\0')}`;
      const found = nulBytePath(item, path ? `${path}.${key}` : key);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * The first string literal of a document holding a NUL (shown escaped), null when none does; per
 * document: Apollo keeps the parsed document of a query text, so a client sending the same query
 * again is not walked again.
 */
const nulLiterals = new WeakMap<DocumentNode, string | null>();

function nulLiteral(document: DocumentNode): string | null {
  let literal = nulLiterals.get(document);
  if (literal !== undefined) return literal;
  literal = null;
  visit(document, {
    [Kind.STRING](node) {
      if (node.value.includes('\u0000')) literal ??= node.value.replace(/\u0000/g, '\\0');
    },
  });
  nulLiterals.set(document, literal);
  return literal;
}

/**
 * NUL characters are refused at the boundary: no text the product stores or compares may hold
 * one (PostgreSQL cannot store it), so a NUL is always a bad value, named with where it was.
 */
export function refuseNulBytes(
  document: DocumentNode,
  variables: unknown,
): DomainError | undefined {
  const inVariables = nulBytePath(variables ?? {});
  if (inVariables) {
    return badInput(`Variable ${inVariables} contains a NUL character`, {
      field: inVariables,
      reason: 'NUL_CHARACTER',
    });
  }
  const literal = nulLiteral(document);
  return literal !== null
    ? badInput(`The string "${literal.slice(0, 60)}" contains a NUL character`, {
        reason: 'NUL_CHARACTER',
      })
    : undefined;
}

/**
 * REST routes read query parameters as single strings. Express hands a repeated parameter over as
 * an array, and a NUL in any of them would reach the database: both are refused here, before any
 * route, with a 400 that names the parameter.
 */
export function refuseHostileQueryParameters(
  req: Request,
  res: Response,
  next: NextFunction,
): void {
  if (req.path === '/graphql') return next();
  for (const [name, value] of Object.entries(req.query ?? {})) {
    const problem =
      typeof value !== 'string'
        ? `Query parameter "${name}" was given more than once or with a structure; give it once`
        : value.includes('\u0000') || name.includes('\u0000')
          ? `Query parameter "${name.replace(/\u0000/g, '\\0')}" contains a NUL character`
          : undefined;
    if (problem) {
      res.status(400).json({ code: 'BAD_USER_INPUT', message: problem, field: name });
      return;
    }
  }
  if (/%00/.test(req.path)) {
    res.status(400).json({ code: 'BAD_USER_INPUT', message: 'The path contains a NUL character' });
    return;
  }
  next();
}
