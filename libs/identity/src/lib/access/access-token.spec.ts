import { createSecretKey } from 'node:crypto';
import * as jwt from 'jsonwebtoken';

import { verifiedClaims } from './access-token';

const SECRET = 'access-token-spec-secret-0123456789abcdef';
const key = createSecretKey(Buffer.from(SECRET, 'utf8'));
const now = Math.floor(Date.now() / 1000);
const claims = { sub: 'u', tid: 't', typ: 'access' };

function sign(payload: object, options: jwt.SignOptions = { expiresIn: 60 }, secret = SECRET) {
  return jwt.sign(payload, secret, { algorithm: 'HS256', ...options });
}

describe('verifiedClaims', () => {
  it('gives the claims of a valid HS256 token signed with the key', () => {
    expect(verifiedClaims(sign(claims), key)).toMatchObject(claims);
  });

  it('refuses a token signed with another secret', () => {
    expect(verifiedClaims(sign(claims, { expiresIn: 60 }, `${SECRET}x`), key)).toBeUndefined();
  });

  it('refuses a token whose claims were changed after signing', () => {
    const [h, , s] = sign(claims).split('.');
    const forged = Buffer.from(JSON.stringify({ ...claims, tid: 'other', exp: now + 60 }));
    expect(verifiedClaims(`${h}.${forged.toString('base64url')}.${s}`, key)).toBeUndefined();
  });

  it('refuses a signature spelled differently (padded) even if it decodes to the same bytes', () => {
    expect(verifiedClaims(`${sign(claims)}=`, key)).toBeUndefined();
  });

  it('refuses an expired token, one without expiry and one not valid yet', () => {
    expect(verifiedClaims(sign({ ...claims, exp: now - 1 }, {}), key)).toBeUndefined();
    expect(verifiedClaims(sign(claims, {}), key)).toBeUndefined();
    expect(verifiedClaims(sign(claims, { expiresIn: 60, notBefore: 60 }), key)).toBeUndefined();
  });

  it('refuses other algorithms, including none', () => {
    const hs512 = jwt.sign(claims, SECRET, { algorithm: 'HS512', expiresIn: 60 });
    expect(verifiedClaims(hs512, key)).toBeUndefined();
    const none = jwt.sign({ ...claims, exp: now + 60 }, null, { algorithm: 'none' });
    expect(verifiedClaims(none, key)).toBeUndefined();
  });

  it('refuses what is not a JWT', () => {
    for (const token of ['', 'a', 'a.b', 'a.b.c.d', '..', 'not a token']) {
      expect(verifiedClaims(token, key)).toBeUndefined();
    }
  });
});
