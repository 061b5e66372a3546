import type { KeyObject } from 'node:crypto';
import { verify, type JwtPayload } from 'jsonwebtoken';

/**
 * The claims of an HS256 JWT signed with `key`, or undefined when it is not one: malformed,
 * another algorithm, a wrong signature, no `exp`, expired, or not yet valid (`nbf`). jsonwebtoken
 * checks it as for the access strategy, given the `KeyObject` made once (a string secret has it
 * try a public key first on every call); `exp` is required besides, as every access token carries
 * one. A token refused here is not refused for good: the access guard then asks passport, which
 * answers as before.
 */
export function verifiedClaims(
  token: string,
  key: KeyObject,
  nowSeconds: number = Math.floor(Date.now() / 1000),
): Record<string, unknown> | undefined {
  let claims: string | JwtPayload;
  try {
    claims = verify(token, key, { algorithms: ['HS256'], clockTimestamp: nowSeconds });
  } catch {
    return undefined;
  }
  return typeof claims === 'object' && typeof claims.exp === 'number' ? claims : undefined;
}
