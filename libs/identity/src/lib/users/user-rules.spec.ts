import { DomainError } from '@schoolbench/graphql';

import { checkGrantableRole, checkPassword, normaliseEmail, roleWords } from './user-rules';

describe('user rules', () => {
  it('normalises e-mail addresses and rejects what is not one', () => {
    expect(normaliseEmail('  Head@School.Example ')).toBe('head@school.example');
    for (const bad of ['', 'no-at-sign', 'a@b', 'two words@x.y']) {
      expect(() => normaliseEmail(bad)).toThrow(DomainError);
    }
  });

  it('asks for 12 characters or more in a password', () => {
    expect(() => checkPassword('elevenchars')).toThrow(/at least 12/);
    expect(() => checkPassword('twelve chars')).not.toThrow();
  });

  it('lets only LA admins add users, never operators, and binds school roles to a school', () => {
    expect(() => checkGrantableRole('analyst', 'analyst', null)).toThrow(/Only an LA admin/);
    expect(() => checkGrantableRole('la_admin', 'operator', null)).toThrow(/Operators/);
    expect(() => checkGrantableRole('la_admin', 'headteacher', null)).toThrow(/bound to a school/);
    expect(() => checkGrantableRole('la_admin', 'analyst', 116001)).toThrow(
      /Only headteachers and governors/,
    );
    expect(() => checkGrantableRole('la_admin', 'governor', 116001)).not.toThrow();
  });

  it('says a role in words, with the school of a school-bound role', () => {
    expect(roleWords('la_admin', null)).toBe('an LA admin');
    expect(roleWords('analyst', null)).toBe('an analyst');
    expect(roleWords('governor', 116001)).toBe('a governor of school 116001');
  });
});
