import { badInput, forbidden } from '@schoolbench/graphql';
import { SCHOOL_ROLES, type Role } from '@schoolbench/tenancy';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
export const MIN_PASSWORD_LENGTH = 12;

export function normaliseEmail(email: string): string {
  const trimmed = email.trim().toLowerCase();
  if (!EMAIL.test(trimmed) || trimmed.length > 320) {
    throw badInput(`"${email}" is not an e-mail address`, { field: 'email' });
  }
  return trimmed;
}

export function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw badInput(`The password must have at least ${MIN_PASSWORD_LENGTH} characters`, {
      field: 'password',
    });
  }
}

/** Which roles a user of `actor` role may give to a new user of an authority. */
export function checkGrantableRole(
  actor: Role,
  role: Role,
  schoolUrn: number | null | undefined,
): void {
  if (actor !== 'la_admin') throw forbidden('Only an LA admin can add users');
  if (role === 'operator')
    throw forbidden('Operators are created by the platform, not by authorities');
  const needsSchool = SCHOOL_ROLES.includes(role);
  if (needsSchool && schoolUrn == null) {
    throw badInput(`A ${role} must be bound to a school: give schoolUrn`, { field: 'schoolUrn' });
  }
  if (!needsSchool && schoolUrn != null) {
    throw badInput(`Only headteachers and governors are bound to a school`, { field: 'schoolUrn' });
  }
}

const ROLE_WORDS: Record<Role, string> = {
  operator: 'a platform operator',
  la_admin: 'an LA admin',
  analyst: 'an analyst',
  headteacher: 'a headteacher',
  governor: 'a governor',
};

/** "a headteacher of school 116001", for messages and the log. */
export function roleWords(role: Role, schoolUrn: number | null): string {
  return schoolUrn === null ? ROLE_WORDS[role] : `${ROLE_WORDS[role]} of school ${schoolUrn}`;
}
