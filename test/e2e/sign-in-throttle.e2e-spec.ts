import type { INestApplication } from '@nestjs/common';
import request from 'supertest';

import { deleteRedisKeys } from '@schoolbench/testing';

// A second replica of the API under test, on the same database and Redis.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { createApiApp } from '../../apps/api/src/api-app';
import { startApiUnderTest, type ApiUnderTest } from './support/api-under-test';

const LOGIN =
  'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }';

interface Attempt {
  code: string | undefined;
  retryAfterSeconds?: unknown;
}

async function attempt(
  app: INestApplication,
  email: string,
  forwardedFor?: string,
): Promise<Attempt> {
  let req = request(app.getHttpServer()).post('/graphql').set('Content-Type', 'application/json');
  if (forwardedFor) req = req.set('X-Forwarded-For', forwardedFor);
  const res = await req.send({ query: LOGIN, variables: { e: email, p: 'a wrong password!' } });
  const error = (res.body as { errors?: { extensions: Record<string, unknown> }[] }).errors?.[0];
  return {
    code: error?.extensions.code as string | undefined,
    ...(error?.extensions.retryAfterSeconds !== undefined
      ? { retryAfterSeconds: error.extensions.retryAfterSeconds }
      : {}),
  };
}

const codes = (attempts: Attempt[]) => attempts.map((a) => a.code);

/**
 * Sign-in throttling as an attacker meets it: a new X-Forwarded-For per attempt, many addresses
 * against one account, and several API replicas behind a load balancer.
 */
describe('sign-in throttle', () => {
  let api: ApiUnderTest;
  /** A replica that sits behind a trusted proxy at 127.0.0.1, so it believes X-Forwarded-For. */
  let behindProxy: INestApplication;

  beforeAll(async () => {
    api = await startApiUnderTest({
      LOGIN_ATTEMPTS_PER_MINUTE: '3',
      LOGIN_ATTEMPTS_PER_ADDRESS_PER_MINUTE: '6',
    });
    process.env.TRUSTED_PROXIES = '127.0.0.1, ::1, ::ffff:127.0.0.1';
    behindProxy = await createApiApp();
    await behindProxy.init();
    delete process.env.TRUSTED_PROXIES;
  });
  beforeEach(() => deleteRedisKeys(`${api.db.redisPrefix}:rate`));
  afterAll(async () => {
    await behindProxy.close();
    await api.close();
  });

  it('ignores X-Forwarded-For from a client that is not a trusted proxy', async () => {
    const attempts: Attempt[] = [];
    for (let i = 0; i < 8; i++) {
      // A different account and a different claimed address each time: only the real peer counts.
      attempts.push(await attempt(api.app, `nobody-${i}@example.test`, `203.0.113.${i + 1}`));
    }
    expect(codes(attempts)).toEqual([
      ...Array(6).fill('UNAUTHENTICATED'),
      'RATE_LIMITED',
      'RATE_LIMITED',
    ]);
    expect(attempts[6].retryAfterSeconds).toEqual(expect.any(Number));
    expect(attempts[6].retryAfterSeconds as number).toBeGreaterThan(0);
    expect(attempts[6].retryAfterSeconds as number).toBeLessThanOrEqual(60);
  });

  it('limits attempts per account, whatever address they come from', async () => {
    const email = api.a.users.analyst!.email;
    const attempts: Attempt[] = [];
    for (let i = 0; i < 5; i++) {
      // Through the trusted proxy every attempt really comes from a different client address,
      // and the e-mail is written differently each time: it is one account.
      const spelled = i % 2 ? email.toUpperCase() : `  ${email} `;
      attempts.push(await attempt(behindProxy, spelled, `198.51.100.${i + 1}`));
    }
    expect(codes(attempts)).toEqual([
      'UNAUTHENTICATED',
      'UNAUTHENTICATED',
      'UNAUTHENTICATED',
      'RATE_LIMITED',
      'RATE_LIMITED',
    ]);
    // Another account from a fresh address is not held back by the first one's limit.
    expect((await attempt(behindProxy, api.b.users.analyst!.email, '198.51.100.99')).code).toBe(
      'UNAUTHENTICATED',
    );
  });

  it('believes X-Forwarded-For from a trusted proxy: one address is limited across accounts', async () => {
    const attempts: Attempt[] = [];
    for (let i = 0; i < 7; i++) {
      attempts.push(await attempt(behindProxy, `someone-${i}@example.test`, '192.0.2.7'));
    }
    expect(codes(attempts)).toEqual([...Array(6).fill('UNAUTHENTICATED'), 'RATE_LIMITED']);
    // Other clients of the same proxy are not punished for it.
    expect((await attempt(behindProxy, 'other@example.test', '192.0.2.8')).code).toBe(
      'UNAUTHENTICATED',
    );
  });

  it('shares the counters between API replicas through Redis', async () => {
    const email = api.b.users.la_admin!.email;
    const attempts: Attempt[] = [];
    for (let i = 0; i < 4; i++) {
      attempts.push(await attempt(i % 2 ? behindProxy : api.app, email, '192.0.2.50'));
    }
    expect(codes(attempts)).toEqual([
      'UNAUTHENTICATED',
      'UNAUTHENTICATED',
      'UNAUTHENTICATED',
      'RATE_LIMITED',
    ]);
  });
});
