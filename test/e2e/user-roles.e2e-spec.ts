import { randomUUID } from 'node:crypto';

import { UsersService } from '@schoolbench/identity';
import { TenantContext } from '@schoolbench/tenancy';
import { errorCode, graphql, signIn, snapshotDatabase } from '@schoolbench/testing';

import { startApiUnderTest, type ApiUnderTest } from './support/api-under-test';

const CHANGE = `mutation ($i: ChangeUserRoleInput!) {
  changeUserRole(input: $i) { id email role schoolUrn active }
}`;
const ME = `{ me { user { role schoolUrn } } }`;
const TABLES = ['users', 'api_keys', 'refresh_tokens', 'user_events'];

/** An LA admin changes a user's role: within their authority, never into a lock-out. */
describe('changing a user’s role', () => {
  let api: ApiUnderTest;
  let adminToken: string;

  beforeAll(async () => {
    api = await startApiUnderTest();
    adminToken = await signIn(api.app, api.a.users.la_admin!.email, api.a.users.la_admin!.password);
  });
  afterAll(() => api.close());

  const change = (input: Record<string, unknown>, token = adminToken) =>
    graphql(api.app, CHANGE, { i: input }, { token });

  it('makes an analyst a headteacher of a school: the next request has the new role; keys and sessions end', async () => {
    const analyst = api.a.users.analyst!;
    const analystToken = await signIn(api.app, analyst.email, analyst.password);
    const key = await graphql(
      api.app,
      'mutation { createApiKey(name: "export") { secret } }',
      {},
      { token: analystToken },
    );
    const secret = key.data!.createApiKey.secret as string;
    expect((await graphql(api.app, ME, {}, { apiKey: secret })).data).toBeTruthy();

    const res = await change({ id: analyst.id, role: 'headteacher', schoolUrn: 116002 });
    expect(res.errors).toBeUndefined();
    expect(res.data!.changeUserRole).toEqual({
      id: analyst.id,
      email: analyst.email,
      role: 'headteacher',
      schoolUrn: 116002,
      active: true,
    });
    // The role is read per request: the old access token now acts as a headteacher.
    const me = await graphql(api.app, ME, {}, { token: analystToken });
    expect(me.data!.me.user).toEqual({ role: 'headteacher', schoolUrn: 116002 });
    // The analyst's key carried the analyst role: it is revoked.
    expect(errorCode(await graphql(api.app, ME, {}, { apiKey: secret }))).toBe('UNAUTHENTICATED');
    const [tokens] = await api.db.query<{ live: number }>(
      'select count(*)::int as live from refresh_tokens where user_id = $1 and revoked_at is null',
      [analyst.id],
    );
    expect(tokens.live).toBe(0);

    // And back: an analyst has no school.
    const back = await change({ id: analyst.id, role: 'analyst' });
    expect(back.data!.changeUserRole).toMatchObject({ role: 'analyst', schoolUrn: null });
  });

  it.each([
    [
      'a headteacher without a school',
      () => ({ id: api.a.users.analyst!.id, role: 'headteacher' }),
      'BAD_USER_INPUT',
      /must be bound to a school: give schoolUrn/,
    ],
    [
      'a school outside the register',
      () => ({ id: api.a.users.analyst!.id, role: 'governor', schoolUrn: 121901 }),
      'BAD_USER_INPUT',
      /School 121901 is not in your authority's register/,
    ],
    [
      'a school for an analyst',
      () => ({ id: api.a.users.governor!.id, role: 'analyst', schoolUrn: 116001 }),
      'BAD_USER_INPUT',
      /Only headteachers and governors are bound to a school/,
    ],
    [
      'the role the user has',
      () => ({ id: api.a.users.analyst!.id, role: 'analyst' }),
      'BAD_USER_INPUT',
      /is already an analyst/,
    ],
    [
      'the operator role',
      () => ({ id: api.a.users.analyst!.id, role: 'operator' }),
      'FORBIDDEN',
      /Operators are created by the platform/,
    ],
    [
      'their own role',
      () => ({ id: api.a.users.la_admin!.id, role: 'analyst' }),
      'BAD_USER_INPUT',
      /cannot change your own role/,
    ],
    [
      'a user of another authority',
      () => ({ id: api.b.users.analyst!.id, role: 'la_admin' }),
      'NOT_FOUND',
      /User /,
    ],
    ['an id that is not one', () => ({ id: 'x', role: 'analyst' }), 'NOT_FOUND', /User x/],
  ])('refuses %s with a clear error and changes nothing', async (_what, input, code, message) => {
    const before = await snapshotDatabase(api.db, TABLES);
    const res = await change(input());
    expect(errorCode(res)).toBe(code);
    expect(res.errors![0].message).toMatch(message);
    expect(res.data).toBeNull();
    expect(await snapshotDatabase(api.db, TABLES)).toEqual(before);
  });

  it('two LA admins demoting each other at once: one wins, the authority keeps an LA admin', async () => {
    const bAdmin = api.b.users.la_admin!;
    const bToken = await signIn(api.app, bAdmin.email, bAdmin.password);
    const other = api.b.users.analyst!;
    const promoted = await change({ id: other.id, role: 'la_admin' }, bToken);
    expect(promoted.data!.changeUserRole.role).toBe('la_admin');
    const otherToken = await signIn(api.app, other.email, other.password);

    const results = await Promise.all([
      change({ id: other.id, role: 'analyst' }, bToken),
      change({ id: bAdmin.id, role: 'analyst' }, otherToken),
    ]);
    const won = results.filter((r) => !r.errors);
    const lost = results.filter((r) => r.errors);
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    // The loser was demoted first: refused by the access rule or, inside the locked
    // transaction, as no longer an LA admin.
    expect(['FORBIDDEN', 'UNAUTHENTICATED']).toContain(errorCode(lost[0]));
    const admins = await api.db.query<{ id: string }>(
      "select id from users where tenant_id = $1 and role = 'la_admin'",
      [api.b.id],
    );
    expect(admins).toHaveLength(1);
  });

  it('keeps an LA admin who has signed in: an invited admin cannot demote the last one', async () => {
    const aAdmin = api.a.users.la_admin!;
    const invited = await graphql(
      api.app,
      'mutation { inviteUser(input: { email: "later.admin@example.test", role: la_admin }) { user { id } } }',
      {},
      { token: adminToken },
    );
    const invitedId = invited.data!.inviteUser.user.id as string;
    const before = await snapshotDatabase(api.db, TABLES);
    // As the operator CLI would act for the invited admin (they cannot sign in yet).
    const attempt = api.app
      .get(TenantContext)
      .runAs(
        { tenantId: api.a.id, userId: invitedId, role: 'la_admin', schoolUrn: null, via: 'cli' },
        () => api.app.get(UsersService).changeRole({ id: aAdmin.id, role: 'analyst' }),
      );
    await expect(attempt).rejects.toThrow(
      /is your authority's last LA admin who has signed in: make someone else an LA admin first/,
    );
    expect(await snapshotDatabase(api.db, TABLES)).toEqual(before);
  });

  it('is for LA admins only', async () => {
    const head = api.a.users.headteacher!;
    const token = await signIn(api.app, head.email, head.password);
    const before = await snapshotDatabase(api.db, TABLES);
    const res = await change({ id: api.a.users.governor!.id, role: 'analyst' }, token);
    expect(errorCode(res)).toBe('FORBIDDEN');
    expect(await snapshotDatabase(api.db, TABLES)).toEqual(before);
  });
  it("records every change in the authority's user events, shown to its LA admins only", async () => {
    const aAdmin = api.a.users.la_admin!;
    const [invited] = await api.db.query<{ id: string }>(
      "select id from users where email = 'later.admin@example.test' and tenant_id = $1",
      [api.a.id],
    );
    const removed = await graphql(
      api.app,
      'mutation($id: ID!) { deleteUser(id: $id) }',
      { id: invited.id },
      { token: adminToken },
    );
    expect(removed.errors).toBeUndefined();

    const EVENTS = `query($after: String) { userEvents(first: 10, after: $after) {
      totalCount pageInfo { hasNextPage endCursor }
      nodes { userId email event roleBefore schoolUrnBefore roleAfter schoolUrnAfter actorUserId actorEmail } } }`;
    const res = await graphql(api.app, EVENTS, {}, { token: adminToken });
    expect(res.errors).toBeUndefined();
    const by = { actorUserId: aAdmin.id, actorEmail: aAdmin.email };
    const analyst = api.a.users.analyst!;
    expect(res.data!.userEvents.nodes).toEqual([
      {
        userId: invited.id,
        email: 'later.admin@example.test',
        event: 'removed',
        roleBefore: 'la_admin',
        schoolUrnBefore: null,
        roleAfter: null,
        schoolUrnAfter: null,
        ...by,
      },
      {
        userId: invited.id,
        email: 'later.admin@example.test',
        event: 'invited',
        roleBefore: null,
        schoolUrnBefore: null,
        roleAfter: 'la_admin',
        schoolUrnAfter: null,
        ...by,
      },
      {
        userId: analyst.id,
        email: analyst.email,
        event: 'role_changed',
        roleBefore: 'headteacher',
        schoolUrnBefore: 116002,
        roleAfter: 'analyst',
        schoolUrnAfter: null,
        ...by,
      },
      {
        userId: analyst.id,
        email: analyst.email,
        event: 'role_changed',
        roleBefore: 'analyst',
        schoolUrnBefore: null,
        roleAfter: 'headteacher',
        schoolUrnAfter: 116002,
        ...by,
      },
    ]);
    expect(res.data!.userEvents.totalCount).toBe(4);

    // Pages: one at a time, in the same order.
    const first = await graphql(
      api.app,
      EVENTS.replace('first: 10', 'first: 1'),
      {},
      { token: adminToken },
    );
    const second = await graphql(
      api.app,
      EVENTS.replace('first: 10', 'first: 1'),
      { after: first.data!.userEvents.pageInfo.endCursor },
      { token: adminToken },
    );
    expect(first.data!.userEvents.pageInfo.hasNextPage).toBe(true);
    expect(second.data!.userEvents.nodes[0].event).toBe('invited');

    // Another authority's admin (whichever of the two won the demotions above) sees only their
    // own authority's changes.
    const [{ id: bAdminId }] = await api.db.query<{ id: string }>(
      "select id from users where tenant_id = $1 and role = 'la_admin'",
      [api.b.id],
    );
    const bUser = [api.b.users.la_admin!, api.b.users.analyst!].find((u) => u.id === bAdminId)!;
    const bAdmin = await graphql(
      api.app,
      EVENTS,
      {},
      {
        token: await signIn(api.app, bUser.email, bUser.password),
      },
    );
    const bEmails = (bAdmin.data!.userEvents.nodes as { email: string }[]).map((e) => e.email);
    expect(bEmails.length).toBeGreaterThan(0);
    expect(bEmails).not.toContain('later.admin@example.test');
    expect(bEmails).not.toContain(analyst.email);

    // Not for other roles; a cursor this API did not issue is refused.
    const head = api.a.users.headteacher!;
    const headToken = await signIn(api.app, head.email, head.password);
    expect(errorCode(await graphql(api.app, EVENTS, {}, { token: headToken }))).toBe('FORBIDDEN');
    const forged = await graphql(
      api.app,
      EVENTS,
      { after: Buffer.from('["1 or 1=1"]').toString('base64url') },
      { token: adminToken },
    );
    expect(errorCode(forged)).toBe('BAD_USER_INPUT');
    expect(forged.errors![0].message).toMatch(/cursor is not one this API issued/);
  });

  it('removes a user who uploaded, requested and changed things: those rows stay, unnamed', async () => {
    const a = api.a.id;
    const user = randomUUID();
    const email = `departing.${user.slice(0, 8)}@example.test`;
    await api.db.query(
      "insert into users (tenant_id, id, email, role) values ($1, $2, $3, 'analyst')",
      [a, user, email],
    );
    await api.db.query(
      'insert into login_directory (email, tenant_id, user_id) values ($1, $2, $3)',
      [email, a, user],
    );
    const [dataset, run, exported] = [randomUUID(), randomUUID(), randomUUID()];
    const key = (id: string) => id.replace(/-/g, '').padEnd(64, '0');
    await api.db.query(
      `insert into datasets (tenant_id, id, series, version, file_name, content_hash, status, uploaded_by)
       values ($1, $2, $3, 1, 'file.csv', $4, 'failed', $5)`,
      [a, dataset, `series-${dataset}`, key(dataset), user],
    );
    await api.db.query(
      `insert into comparison_runs (tenant_id, id, requested_by, method, method_version, parameters,
         status, result_key, finished_at)
       values ($1, $2, $3, 'context-knn-v1', 1, '{}', 'failed', $4, now())`,
      [a, run, user, key(run)],
    );
    await api.db.query(
      `insert into tenant_exports (tenant_id, id, requested_by, requested_via, status)
       values ($1, $2, $3, 'cli', 'failed')`,
      [a, exported, user],
    );
    await api.db.query(
      `insert into benchmark_settings (tenant_id, updated_by) values ($1, $2)
       on conflict (tenant_id) do update set updated_by = excluded.updated_by`,
      [a, user],
    );

    const removed = await graphql(
      api.app,
      'mutation($id: ID!) { deleteUser(id: $id) }',
      { id: user },
      { token: adminToken },
    );
    expect(removed.errors).toBeUndefined();
    const rows = await api.db.query(
      `select (select uploaded_by from datasets where tenant_id = $1 and id = $2) as dataset,
              (select requested_by from comparison_runs where tenant_id = $1 and id = $3) as run,
              (select requested_by from tenant_exports where tenant_id = $1 and id = $4) as export,
              (select updated_by from benchmark_settings where tenant_id = $1) as settings,
              (select count(*)::int from users where tenant_id = $1 and id = $5) as users`,
      [a, dataset, run, exported, user],
    );
    expect(rows).toEqual([{ dataset: null, run: null, export: null, settings: null, users: 0 }]);
  });
});
