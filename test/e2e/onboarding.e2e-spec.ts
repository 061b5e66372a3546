import { errorCode, graphql, signIn, snapshotDatabase } from '@schoolbench/testing';

import { startApiUnderTest, type ApiUnderTest } from './support/api-under-test';

const ONBOARD = `mutation($i: OnboardTenantInput!) {
  onboardTenant(input: $i) { tenant { id laCode name kind } adminInvitation { invitationToken user { email role active } } }
}`;

describe('a partner authority joins (journey 1, tenancy part)', () => {
  let api: ApiUnderTest;
  let operator: string;

  beforeAll(async () => {
    api = await startApiUnderTest();
    const op = api.platform.users.operator!;
    operator = await signIn(api.app, op.email, op.password);
  });
  afterAll(() => api.close());

  it('lets the operator onboard Surrey (936); its admin accepts, signs in and sees an empty register', async () => {
    const res = await graphql(
      api.app,
      ONBOARD,
      { i: { laCode: '936', name: 'Surrey', adminEmail: 'Admin@Surrey.example' } },
      { token: operator },
    );
    expect(res.errors).toBeUndefined();
    const { tenant, adminInvitation } = res.data!.onboardTenant;
    expect(tenant).toMatchObject({ laCode: '936', name: 'Surrey', kind: 'authority' });
    expect(adminInvitation.user).toEqual({
      email: 'admin@surrey.example',
      role: 'la_admin',
      active: false,
    });

    const accepted = await graphql(
      api.app,
      'mutation($t: String!) { acceptInvitation(invitationToken: $t, password: "surrey admin password") { accessToken } }',
      { t: adminInvitation.invitationToken },
    );
    const token = accepted.data!.acceptInvitation.accessToken as string;
    const me = await graphql(
      api.app,
      '{ me { user { role } tenant { laCode } } schools { totalCount } }',
      {},
      { token },
    );
    expect(me.data).toEqual({
      me: { user: { role: 'la_admin' }, tenant: { laCode: '936' } },
      schools: { totalCount: 0 },
    });
  });

  it('does not show tenant data to the operator', async () => {
    const res = await graphql(api.app, '{ schools { totalCount } }', {}, { token: operator });
    expect(errorCode(res)).toBe('FORBIDDEN');
    const tenants = await graphql(api.app, '{ tenants { laCode kind } }', {}, { token: operator });
    expect(tenants.data!.tenants.map((t: { laCode: string | null }) => t.laCode)).toEqual(
      expect.arrayContaining(['850', '815', '936']),
    );
  });

  it.each([
    [{ laCode: '850', name: 'Hampshire again', adminEmail: 'x@example.test' }, /already a tenant/],
    [{ laCode: '93', name: 'Bad', adminEmail: 'x@example.test' }, /three-digit/],
    [{ laCode: '937', name: '', adminEmail: 'x@example.test' }, /1 to 200/],
    [{ laCode: '938', name: 'Kent', adminEmail: 'not-an-email' }, /not an e-mail/],
    // An e-mail with an account in another authority is no clash: accounts are per authority
    // (ADR 0010), so the first admin of a new authority may be someone known elsewhere.
  ])('refuses bad onboarding input %j and writes nothing', async (input, message) => {
    const before = await snapshotDatabase(api.db);
    const res = await graphql(api.app, ONBOARD, { i: input }, { token: operator });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].message).toMatch(message);
    expect(await snapshotDatabase(api.db)).toEqual(before);
  });
});
