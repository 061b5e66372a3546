import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import request from 'supertest';
import { DataSource } from 'typeorm';

import { deleteRedisKeys, errorCode, graphql, signIn } from '@schoolbench/testing';

// Further replicas of the API under test, on the same database and Redis.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { createApiApp } from '../../apps/api/src/api-app';
import { startApiUnderTest, type ApiUnderTest } from './support/api-under-test';

/** What one request may cost: the complexity estimate, a statement timeout, a per-tenant rate. */
describe('expensive queries and per-tenant request limits', () => {
  let api: ApiUnderTest;
  let analyst: string;

  beforeAll(async () => {
    api = await startApiUnderTest({
      GRAPHQL_MAX_COMPLEXITY: '2000',
      DATABASE_STATEMENT_TIMEOUT_MS: '2000',
    });
    analyst = await signIn(api.app, api.a.users.analyst!.email, api.a.users.analyst!.password);
  });
  afterAll(() => api.close());

  it('prices every totalCount: 25 aliased counts of one-row pages are refused before running', async () => {
    const aliases = Array.from(
      { length: 25 },
      (_, i) => `c${i}: observations(first: 1) { totalCount }`,
    ).join(' ');
    const res = await request(api.app.getHttpServer())
      .post('/graphql')
      .set('Authorization', `Bearer ${analyst}`)
      .send({ query: `{ ${aliases} }` });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      reason: 'QUERY_TOO_COMPLEX',
    });
    // One count, as a client normally asks, is fine.
    const one = await graphql(
      api.app,
      '{ observations(first: 1) { totalCount } }',
      {},
      { token: analyst },
    );
    expect(one.errors).toBeUndefined();
    expect(one.data!.observations.totalCount).toBe(3);
  });

  it('multiplies nested lists: a full page of schools each with its observations is refused', async () => {
    const nested = `{ schools(first: 100) { nodes { urn observations { measure timePeriod breakdown value } } } }`;
    const res = await graphql(api.app, nested, {}, { token: analyst });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].message).toMatch(/too complex/);
    const modest = `{ schools(first: 20) { totalCount nodes { urn observations { measure value } } } }`;
    const ok = await graphql(api.app, modest, {}, { token: analyst });
    expect(ok.errors).toBeUndefined();
    expect(ok.data!.schools.nodes).toHaveLength(3);
  });

  it('estimates each page size of one document: a remembered estimate never admits a larger page', async () => {
    const doc = `query ($n: Int, $m: [String!]) { schools(first: $n) { nodes { urn observations(filter: { measures: $m }) { measure timePeriod breakdown value } } } }`;
    const small = await graphql(api.app, doc, { n: 20, m: ['a'] }, { token: analyst });
    expect(small.errors).toBeUndefined();
    // Same document and strings, larger page: estimated again, and refused.
    const large = await graphql(api.app, doc, { n: 100, m: ['a'] }, { token: analyst });
    expect(errorCode(large)).toBe('BAD_USER_INPUT');
    expect(large.errors![0].message).toMatch(/too complex/);
    // Remembered both ways: the small page is still answered, the large still refused.
    expect((await graphql(api.app, doc, { n: 20, m: ['b'] }, { token: analyst })).errors).toBe(
      undefined,
    );
    const again = await graphql(api.app, doc, { n: 100, m: ['b'] }, { token: analyst });
    expect(again.errors![0].message).toMatch(/too complex/);
  });

  it('bounds each statement of a request with the configured timeout and says so', async () => {
    const [setting] = await api.app
      .get(DataSource)
      .query<{ statement_timeout: string }[]>('show statement_timeout');
    expect(setting.statement_timeout).toBe('2s');
    // A statement that cannot finish: the schools table is locked by another session.
    const blocker = new Client({ connectionString: api.db.adminUrl });
    await blocker.connect();
    try {
      await blocker.query('begin');
      await blocker.query('lock table schools in access exclusive mode');
      const started = Date.now();
      const res = await graphql(
        api.app,
        '{ schools(first: 5) { totalCount } }',
        {},
        { token: analyst },
      );
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      expect(res.errors![0].extensions).toMatchObject({ reason: 'STATEMENT_TIMEOUT' });
      expect(res.errors![0].message).toMatch(/more time than one database statement may take/);
      expect(Date.now() - started).toBeLessThan(30_000);
    } finally {
      await blocker.query('rollback');
      await blocker.end();
    }
    // The connection pool is fine afterwards.
    const after = await graphql(
      api.app,
      '{ schools(first: 5) { totalCount } }',
      {},
      { token: analyst },
    );
    expect(after.data!.schools.totalCount).toBe(3);
  });

  describe('per-tenant request limit', () => {
    let replicas: INestApplication[];
    let bAnalyst: string;

    beforeAll(async () => {
      bAnalyst = await signIn(api.app, api.b.users.analyst!.email, api.b.users.analyst!.password);
      process.env.TENANT_REQUESTS_PER_MINUTE = '5';
      replicas = [];
      for (let i = 0; i < 2; i++) {
        const app = await createApiApp();
        await app.init();
        replicas.push(app);
      }
      delete process.env.TENANT_REQUESTS_PER_MINUTE;
    });
    beforeEach(() => deleteRedisKeys(`${api.db.redisPrefix}:rate`));
    afterAll(() => Promise.all(replicas.map((r) => r.close())));

    it('answers RATE_LIMITED with a retry-after once the authority has used its minute, across replicas', async () => {
      // Three root fields in one request are one request.
      const query =
        '{ me { authenticatedWith } schools(first: 1) { totalCount } again: me { user { id } } }';
      const codes: (string | undefined)[] = [];
      let limited: request.Response | undefined;
      for (let i = 0; i < 7; i++) {
        const res = await request(replicas[i % 2].getHttpServer())
          .post('/graphql')
          .set('Authorization', `Bearer ${analyst}`)
          .send({ query });
        const body = res.body as { errors?: { extensions: { code: string } }[] };
        codes.push(body.errors?.[0]?.extensions.code);
        if (body.errors && !limited) limited = res;
      }
      expect(codes).toEqual([...Array(5).fill(undefined), 'RATE_LIMITED', 'RATE_LIMITED']);
      const error = (
        limited!.body as { errors: { message: string; extensions: Record<string, unknown> }[] }
      ).errors[0];
      expect(error.extensions.retryAfterSeconds).toEqual(expect.any(Number));
      expect(error.extensions.retryAfterSeconds as number).toBeGreaterThan(0);
      expect(error.extensions.retryAfterSeconds as number).toBeLessThanOrEqual(60);
      expect(limited!.headers['retry-after']).toBe(String(error.extensions.retryAfterSeconds));
      expect(error.message).toMatch(/5 requests for this minute/);
      // Another authority is not held back by it, and neither is REST's answer code.
      const other = await graphql(
        replicas[0],
        '{ me { authenticatedWith } }',
        {},
        { token: bAnalyst },
      );
      expect(other.errors).toBeUndefined();
      const rest = await request(replicas[1].getHttpServer())
        .get('/api/exports/observations')
        .set('Authorization', `Bearer ${analyst}`);
      expect(rest.status).toBe(429);
      expect(rest.body).toMatchObject({
        code: 'RATE_LIMITED',
        retryAfterSeconds: expect.any(Number),
      });
    });
  });
});
