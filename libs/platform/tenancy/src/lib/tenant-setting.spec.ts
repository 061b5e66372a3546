import { tenantSettingSql } from './tenant-setting';

describe('tenantSettingSql', () => {
  const tenant = '0b6f3c9e-4a1d-4c2b-9f3e-1a2b3c4d5e6f';
  const user = 'AABBCCDD-1111-4222-8333-444455556666';

  it('sets the tenant and the user with SET LOCAL, one statement each, ids lower-cased', () => {
    expect(tenantSettingSql(tenant, user)).toEqual([
      `SET LOCAL app.tenant_id = '${tenant}'`,
      "SET LOCAL app.user_id = 'aabbccdd-1111-4222-8333-444455556666'",
    ]);
  });

  it('sets an empty user when none acts (jobs, sign-in)', () => {
    expect(tenantSettingSql(tenant)[1]).toBe("SET LOCAL app.user_id = ''");
  });

  it('refuses anything but a UUID, since SET takes no bind parameters', () => {
    expect(() => tenantSettingSql("x'; reset role; --")).toThrow(/Tenant id is not a UUID/);
    expect(() => tenantSettingSql(tenant, `${tenant}'`)).toThrow(/User id is not a UUID/);
  });
});
