import { errorCode, graphql, signIn } from '@schoolbench/testing';

import { startApiUnderTest, type ApiUnderTest } from './support/api-under-test';

/**
 * Issue 10, finding 8b: deleting a mapping profile answers for what it did. Another authority's
 * profile does not exist for the caller (NOT_FOUND, nothing deleted); the caller's own is deleted
 * once (true), and a second delete is NOT_FOUND.
 */
describe('deleteMappingProfile', () => {
  let api: ApiUnderTest;
  let admin: string;
  const DELETE = 'mutation($id: ID!) { deleteMappingProfile(id: $id) }';
  const profiles = () =>
    api.db.query<{ tenant_id: string; id: string }>(
      'select tenant_id, id from mapping_profiles order by tenant_id, id',
    );

  beforeAll(async () => {
    api = await startApiUnderTest();
    admin = await signIn(api.app, api.a.users.la_admin!.email, api.a.users.la_admin!.password);
  });
  afterAll(() => api.close());

  it("answers NOT_FOUND for another authority's profile and deletes nothing", async () => {
    const before = await profiles();
    expect(before).toContainEqual({ tenant_id: api.b.id, id: api.bData.profileId });
    const res = await graphql(api.app, DELETE, { id: api.bData.profileId }, { token: admin });
    expect(errorCode(res)).toBe('NOT_FOUND');
    expect(res.data?.deleteMappingProfile ?? null).toBeNull();
    expect(await profiles()).toEqual(before);
  });

  it('deletes its own profile once, then answers NOT_FOUND', async () => {
    const own = await graphql(api.app, DELETE, { id: api.aData.profileId }, { token: admin });
    expect(own.errors).toBeUndefined();
    expect(own.data).toEqual({ deleteMappingProfile: true });
    expect(await profiles()).not.toContainEqual({ tenant_id: api.a.id, id: api.aData.profileId });
    const again = await graphql(api.app, DELETE, { id: api.aData.profileId }, { token: admin });
    expect(errorCode(again)).toBe('NOT_FOUND');
  });
});
