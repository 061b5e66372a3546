import { JwtService } from '@nestjs/jwt';

import { errorCode, graphql, signIn, snapshotDatabase } from '@schoolbench/testing';

// The app's start is what is tested here.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { createApiApp } from '../../apps/api/src/api-app';
import { startApiUnderTest, type ApiUnderTest } from './support/api-under-test';

const LOGIN = `mutation($e: String!, $p: String!) {
  login(email: $e, password: $p) { accessToken refreshToken expiresIn user { id email role schoolUrn } }
}`;
const REFRESH = `mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken refreshToken } }`;
const ME = `{ me { authenticatedWith user { email role } tenant { name laCode kind } } }`;

describe('authentication', () => {
  let api: ApiUnderTest;

  beforeAll(async () => {
    api = await startApiUnderTest({
      LOGIN_ATTEMPTS_PER_MINUTE: '5',
      LOGIN_ATTEMPTS_PER_ADDRESS_PER_MINUTE: '100',
    });
  });
  afterAll(() => api.close());

  it('signs in with e-mail and password and tells the user who they are', async () => {
    const analyst = api.a.users.analyst!;
    const res = await graphql(api.app, LOGIN, {
      e: analyst.email.toUpperCase(),
      p: analyst.password,
    });
    expect(res.errors).toBeUndefined();
    expect(res.data!.login.user).toEqual({
      id: analyst.id,
      email: analyst.email,
      role: 'analyst',
      schoolUrn: null,
    });
    const me = await graphql(api.app, ME, {}, { token: res.data!.login.accessToken });
    expect(me.data!.me).toEqual({
      authenticatedWith: 'password',
      user: { email: analyst.email, role: 'analyst' },
      tenant: { name: 'Hampshire', laCode: '850', kind: 'authority' },
    });
  });

  it('refuses a wrong password and an unknown user with the same message, writing nothing', async () => {
    const before = await snapshotDatabase(api.db, ['refresh_tokens', 'users']);
    const wrong = await graphql(api.app, LOGIN, {
      e: api.a.users.la_admin!.email,
      p: 'not the password',
    });
    const unknown = await graphql(api.app, LOGIN, {
      e: 'nobody@example.test',
      p: 'whatever it is',
    });
    expect(errorCode(wrong)).toBe('UNAUTHENTICATED');
    expect(errorCode(unknown)).toBe('UNAUTHENTICATED');
    expect(wrong.errors![0].message).toBe(unknown.errors![0].message);
    expect(wrong.data).toBeNull();
    expect(await snapshotDatabase(api.db, ['refresh_tokens', 'users'])).toEqual(before);
  });

  it('rotates refresh tokens and revokes the whole family when a rotated token is reused', async () => {
    const user = api.a.users.la_admin!;
    const first = (await graphql(api.app, LOGIN, { e: user.email, p: user.password })).data!.login;
    const second = await graphql(api.app, REFRESH, { t: first.refreshToken });
    expect(second.errors).toBeUndefined();
    const newer = second.data!.refreshToken.refreshToken;
    expect(newer).not.toBe(first.refreshToken);

    const reuse = await graphql(api.app, REFRESH, { t: first.refreshToken });
    expect(errorCode(reuse)).toBe('UNAUTHENTICATED');
    expect(reuse.errors![0].message).toMatch(/already used/);
    // The thief's reuse also ended the legitimate holder's newer token.
    const afterTheft = await graphql(api.app, REFRESH, { t: newer });
    expect(errorCode(afterTheft)).toBe('UNAUTHENTICATED');
  });

  it('rejects expired, forged and wrong-type tokens', async () => {
    const user = api.a.users.analyst!;
    const claims = { sub: user.id, tid: api.a.id, role: 'analyst', urn: null, typ: 'access' };
    const secret = process.env.JWT_SECRET!;
    const expired = new JwtService({ secret }).sign(claims, {
      expiresIn: -10,
      issuer: 'schoolbench',
    });
    const forged = new JwtService({ secret: 'x'.repeat(40) }).sign(claims, {
      issuer: 'schoolbench',
    });
    const { refreshToken } = (await graphql(api.app, LOGIN, { e: user.email, p: user.password }))
      .data!.login;
    for (const token of [expired, forged, refreshToken, 'not-a-jwt']) {
      const res = await graphql(api.app, ME, {}, { token });
      expect({ token: token.slice(0, 12), code: errorCode(res) }).toEqual({
        token: token.slice(0, 12),
        code: 'UNAUTHENTICATED',
      });
      expect(res.data).toBeNull();
    }
    const expiredRes = await graphql(api.app, ME, {}, { token: expired });
    expect(expiredRes.errors![0].message).toMatch(/expired/);
  });

  it('refuses tokens signed with the old built-in secret or any secret but the configured one', async () => {
    // What an attacker read from the repository and the access log: an LA admin's ids.
    const admin = api.a.users.la_admin!;
    const claims = { sub: admin.id, tid: api.a.id, role: 'la_admin', urn: null, typ: 'access' };
    const secrets = [
      'schoolbench-dev-secret-change-me-0123456789',
      'change-me-to-at-least-32-random-characters',
      `${process.env.JWT_SECRET!}x`,
      process.env.JWT_SECRET!.slice(0, 32),
    ];
    for (const secret of secrets) {
      const token = new JwtService({ secret }).sign(claims, { issuer: 'schoolbench' });
      const res = await graphql(api.app, ME, {}, { token });
      expect({ secret, code: errorCode(res), data: res.data }).toEqual({
        secret,
        code: 'UNAUTHENTICATED',
        data: null,
      });
    }
    // The same claims signed with the configured secret do work: the refusal is the signature.
    const genuine = new JwtService({ secret: process.env.JWT_SECRET! }).sign(claims, {
      issuer: 'schoolbench',
    });
    expect((await graphql(api.app, ME, {}, { token: genuine })).data!.me.user.role).toBe(
      'la_admin',
    );
  });

  it('will not start without JWT_SECRET, and says how to set one', async () => {
    const configured = process.env.JWT_SECRET;
    delete process.env.JWT_SECRET;
    try {
      await expect(createApiApp()).rejects.toThrow(
        /JWT_SECRET is not set[\s\S]*openssl rand -hex 32/,
      );
      process.env.JWT_SECRET = 'schoolbench-dev-secret-change-me-0123456789';
      await expect(createApiApp()).rejects.toThrow(/published in the repository/);
    } finally {
      process.env.JWT_SECRET = configured;
    }
  });

  it("ends a deleted user's sessions at once", async () => {
    const admin = api.a.users.la_admin!;
    const adminToken = await signIn(api.app, admin.email, admin.password);
    const created = await graphql(
      api.app,
      `
        mutation ($i: CreateUserInput!) {
          createUser(input: $i) {
            id
          }
        }
      `,
      { i: { email: 'leaver@example.test', password: 'a long enough password', role: 'analyst' } },
      { token: adminToken },
    );
    expect(created.errors).toBeUndefined();
    const leaverToken = await signIn(api.app, 'leaver@example.test', 'a long enough password');
    expect((await graphql(api.app, ME, {}, { token: leaverToken })).data).not.toBeNull();
    const deleted = await graphql(
      api.app,
      `
        mutation ($id: ID!) {
          deleteUser(id: $id)
        }
      `,
      { id: created.data!.createUser.id },
      { token: adminToken },
    );
    expect(deleted.data).toEqual({ deleteUser: true });
    expect(errorCode(await graphql(api.app, ME, {}, { token: leaverToken }))).toBe(
      'UNAUTHENTICATED',
    );
  });

  it('invites a user who then sets a password and signs in; the invitation works once', async () => {
    const admin = api.a.users.la_admin!;
    const adminToken = await signIn(api.app, admin.email, admin.password);
    const invited = await graphql(
      api.app,
      `
        mutation ($i: InviteUserInput!) {
          inviteUser(input: $i) {
            invitationToken
            user {
              active
              role
              schoolUrn
            }
          }
        }
      `,
      { i: { email: 'new.head@example.test', role: 'headteacher', schoolUrn: 116002 } },
      { token: adminToken },
    );
    expect(invited.data!.inviteUser.user).toEqual({
      active: false,
      role: 'headteacher',
      schoolUrn: 116002,
    });
    const accept = `mutation($t: String!, $p: String!) { acceptInvitation(invitationToken: $t, password: $p) { user { email active } } }`;
    const token = invited.data!.inviteUser.invitationToken;
    const accepted = await graphql(api.app, accept, { t: token, p: 'my own long password' });
    expect(accepted.data!.acceptInvitation.user).toEqual({
      email: 'new.head@example.test',
      active: true,
    });
    expect(await signIn(api.app, 'new.head@example.test', 'my own long password')).toBeTruthy();
    expect(
      errorCode(await graphql(api.app, accept, { t: token, p: 'another long password' })),
    ).toBe('UNAUTHENTICATED');
    // The authority's record: invited by its admin, then signed up by the user (once).
    const events = await api.db.query<{ event: string; by_self: boolean }>(
      `select event, actor_user_id = user_id as by_self from user_events
        where tenant_id = $1 and email = 'new.head@example.test' order by id`,
      [api.a.id],
    );
    expect(events).toEqual([
      { event: 'invited', by_self: false },
      { event: 'signed_up', by_self: true },
    ]);
  });

  it('issues API keys shown once, stored hashed, usable until revoked', async () => {
    const analyst = api.a.users.analyst!;
    const token = await signIn(api.app, analyst.email, analyst.password);
    const created = await graphql(
      api.app,
      `
        mutation {
          createApiKey(name: "nightly export") {
            secret
            apiKey {
              id
              prefix
              role
              lastUsedAt
            }
          }
        }
      `,
      {},
      { token },
    );
    const { secret, apiKey } = created.data!.createApiKey;
    expect(secret.startsWith(`${apiKey.prefix}_`)).toBe(true);
    expect(apiKey).toMatchObject({ role: 'analyst', lastUsedAt: null });
    const stored = await api.db.query<{ secret_hash: string }>(
      'select secret_hash from api_keys where id = $1',
      [apiKey.id],
    );
    expect(stored[0].secret_hash).not.toContain(secret.slice(20));
    expect(stored[0].secret_hash).toMatch(/^[0-9a-f]{64}$/);

    const viaKey = await graphql(api.app, ME, {}, { apiKey: secret });
    expect(viaKey.data!.me).toMatchObject({
      authenticatedWith: 'api_key',
      tenant: { laCode: '850' },
    });
    const used = await api.db.query<{ last_used_at: Date | null }>(
      'select last_used_at from api_keys where id = $1',
      [apiKey.id],
    );
    expect(used[0].last_used_at).not.toBeNull();

    const revoked = await graphql(
      api.app,
      `
        mutation ($id: ID!) {
          revokeApiKey(id: $id) {
            revokedAt
          }
        }
      `,
      { id: apiKey.id },
      { token },
    );
    expect(revoked.data!.revokeApiKey.revokedAt).not.toBeNull();
    expect(errorCode(await graphql(api.app, ME, {}, { apiKey: secret }))).toBe('UNAUTHENTICATED');
    expect(errorCode(await graphql(api.app, ME, {}, { apiKey: `${secret}x` }))).toBe(
      'UNAUTHENTICATED',
    );
  });

  it('does not reveal that an e-mail has an account in another authority', async () => {
    const bAnalyst = api.b.users.analyst!;
    const adminToken = await signIn(
      api.app,
      api.a.users.la_admin!.email,
      api.a.users.la_admin!.password,
    );
    const create = `mutation ($i: CreateUserInput!) { createUser(input: $i) { email role } }`;
    const invite = `mutation ($i: InviteUserInput!) { inviteUser(input: $i) { user { email active } } }`;
    // B's analyst's e-mail, and a fresh one, as A's admin types them: answered the same way.
    for (const email of [bAnalyst.email.toUpperCase(), 'fresh.person@example.test']) {
      const created = await graphql(
        api.app,
        create,
        { i: { email, password: 'a long enough password', role: 'analyst' } },
        { token: adminToken },
      );
      expect({ email, errors: created.errors, data: created.data }).toEqual({
        email,
        errors: undefined,
        data: { createUser: { email: email.toLowerCase(), role: 'analyst' } },
      });
    }
    const invited = await graphql(
      api.app,
      invite,
      { i: { email: api.b.users.governor!.email, role: 'analyst' } },
      { token: adminToken },
    );
    expect(invited.errors).toBeUndefined();
    expect(invited.data!.inviteUser.user).toEqual({
      email: api.b.users.governor!.email,
      active: false,
    });
    // Only A's own users are refused as duplicates, and the refusal names nothing of B.
    const again = await graphql(
      api.app,
      create,
      { i: { email: bAnalyst.email, password: 'another long password', role: 'analyst' } },
      { token: adminToken },
    );
    expect(errorCode(again)).toBe('BAD_USER_INPUT');
    expect(again.errors![0].message).toMatch(/already has an account in your authority/);
    // Each person signs in to the authority whose password they give.
    const bLogin = await graphql(api.app, LOGIN, { e: bAnalyst.email, p: bAnalyst.password });
    const aLogin = await graphql(api.app, LOGIN, {
      e: bAnalyst.email,
      p: 'a long enough password',
    });
    const tenantOf = async (token: string) =>
      (await graphql(api.app, ME, {}, { token })).data!.me.tenant.laCode;
    expect(await tenantOf(bLogin.data!.login.accessToken)).toBe('815');
    expect(await tenantOf(aLogin.data!.login.accessToken)).toBe('850');
    // The same password in both: the person names the authority.
    const bAdmin = api.b.users.la_admin!;
    await graphql(
      api.app,
      create,
      { i: { email: bAdmin.email, password: bAdmin.password, role: 'analyst' } },
      { token: adminToken },
    );
    const ambiguous = await graphql(api.app, LOGIN, { e: bAdmin.email, p: bAdmin.password });
    expect(errorCode(ambiguous)).toBe('BAD_USER_INPUT');
    expect(ambiguous.errors![0].message).toMatch(/more than one authority.*laCode/);
    const named = await graphql(
      api.app,
      `
        mutation ($e: String!, $p: String!, $la: String) {
          login(email: $e, password: $p, laCode: $la) {
            accessToken
          }
        }
      `,
      { e: bAdmin.email, p: bAdmin.password, la: '815' },
    );
    expect(await tenantOf(named.data!.login.accessToken)).toBe('815');
  });

  it('rate-limits sign-in attempts', async () => {
    const email = api.b.users.governor!.email;
    const codes: (string | undefined)[] = [];
    for (let i = 0; i < 7; i++) {
      codes.push(errorCode(await graphql(api.app, LOGIN, { e: email, p: `wrong ${i}` })));
    }
    expect(codes.slice(0, 5)).toEqual(Array(5).fill('UNAUTHENTICATED'));
    expect(codes.slice(5)).toEqual(['RATE_LIMITED', 'RATE_LIMITED']);
  });
});
