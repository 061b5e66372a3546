import * as argon2 from 'argon2';

// Verified against when the account does not exist, so a wrong e-mail costs as long as a wrong
// password and response times do not reveal which accounts exist.
let decoy: Promise<string> | undefined;

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id });
}

export async function verifyPassword(hash: string | null, password: string): Promise<boolean> {
  if (!hash) {
    decoy ??= hashPassword('decoy-password-for-timing');
    await argon2.verify(await decoy, password);
    return false;
  }
  return argon2.verify(hash, password);
}
