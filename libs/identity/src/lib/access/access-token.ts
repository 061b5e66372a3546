import { createHmac, timingSafeEqual, type KeyObject } from 'node:crypto';

/** The token of an `Authorization: Bearer <token>` header, as passport-jwt's extractor reads it. */
export function bearerToken(authorization: string | string[] | undefined): string | undefined {
  if (typeof authorization !== 'string') return undefined;
  const match = /(\S+)\s+(\S+)/.exec(authorization);
  return match && match[1].toLowerCase() === 'bearer' ? match[2] : undefined;
}

function jsonObject(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The claims of an HS256 JWT signed with `key`, or undefined when it is not one: not three
 * parts, another algorithm, a wrong signature, no `exp`, expired, or not yet valid (`nbf`).
 * Checks what jsonwebtoken checks for the access strategy (HS256 only, expiry), and is stricter
 * in requiring `exp` (every access token carries one). A token refused here is not refused for
 * good: the access guard then asks passport, which answers as before.
 */
export function verifiedClaims(
  token: string,
  key: KeyObject,
  nowSeconds: number = Math.floor(Date.now() / 1000),
): Record<string, unknown> | undefined {
  const firstDot = token.indexOf('.');
  const lastDot = token.lastIndexOf('.');
  if (firstDot <= 0 || lastDot === firstDot || token.indexOf('.', firstDot + 1) !== lastDot) {
    return undefined;
  }
  const header = jsonObject(token.slice(0, firstDot));
  if (header?.alg !== 'HS256') return undefined;
  // Compared as text, as jws does: a signature spelled another way (padding, the other
  // alphabet) that decodes to the same bytes is refused.
  const given = Buffer.from(token.slice(lastDot + 1), 'latin1');
  const expected = Buffer.from(
    createHmac('sha256', key).update(token.slice(0, lastDot)).digest('base64url'),
    'latin1',
  );
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  const claims = jsonObject(token.slice(firstDot + 1, lastDot));
  if (!claims || typeof claims.exp !== 'number' || nowSeconds >= claims.exp) return undefined;
  if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || claims.nbf > nowSeconds)) {
    return undefined;
  }
  return claims;
}
