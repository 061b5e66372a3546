import { tenantSettingSql } from './tenant-setting';

describe('tenantSettingSql', () => {
  const tenant = '0b6f3c9e-4a1d-4c2b-9f3e-1a2b3c4d5e6f';
  const user = 'AABBCCDD-1111-4222-8333-444455556666';

  it('on one node sets the tenant and the user in one set_config statement, ids lower-cased', () => {
    expect(tenantSettingSql(tenant, user, 'single-node')).toEqual([
      `select set_config('app.tenant_id', '${tenant}', true), set_config('app.user_id', 'aabbccdd-1111-4222-8333-444455556666', true)`,
    ]);
  });

  it('on Citus sets them with SET LOCAL, one statement each', () => {
    expect(tenantSettingSql(tenant, user, 'citus')).toEqual([
      `SET LOCAL app.tenant_id = '${tenant}'`,
      "SET LOCAL app.user_id = 'aabbccdd-1111-4222-8333-444455556666'",
    ]);
  });

  it('sets an empty user when none acts (jobs, sign-in)', () => {
    expect(tenantSettingSql(tenant, undefined, 'citus')[1]).toBe("SET LOCAL app.user_id = ''");
    expect(tenantSettingSql(tenant, '', 'single-node')[0]).toContain(
      "set_config('app.user_id', '', true)",
    );
  });

  it('refuses anything but a UUID, since the ids are inlined', () => {
    for (const distribution of ['single-node', 'citus'] as const) {
      expect(() => tenantSettingSql("x'; reset role; --", undefined, distribution)).toThrow(
        /Tenant id is not a UUID/,
      );
      expect(() => tenantSettingSql(tenant, `${tenant}'`, distribution)).toThrow(
        /User id is not a UUID/,
      );
    }
  });
});
