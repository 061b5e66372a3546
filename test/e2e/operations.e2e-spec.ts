import request from 'supertest';

import { graphql, signIn } from '@schoolbench/testing';

import { startApiUnderTest, type ApiUnderTest } from './support/api-under-test';

describe('operations: health, metrics and logs', () => {
  let api: ApiUnderTest;
  const lines: string[] = [];
  const write = process.stdout.write.bind(process.stdout);

  beforeAll(async () => {
    const capture = (chunk: string | Uint8Array, ...rest: never[]): boolean => {
      const text = chunk.toString();
      if (text.startsWith('{"level"')) {
        lines.push(text);
        return true;
      }
      return write(chunk, ...rest);
    };
    process.stdout.write = capture;
    api = await startApiUnderTest({ LOG_LEVEL: 'info' });
  });
  afterAll(async () => {
    process.stdout.write = write;
    await api.close();
  });

  it('reports liveness and readiness of PostgreSQL and Redis', async () => {
    await request(api.app.getHttpServer()).get('/health/live').expect(200, { status: 'ok' });
    const ready = await request(api.app.getHttpServer()).get('/health/ready').expect(200);
    expect(ready.body).toMatchObject({
      status: 'ok',
      info: { postgres: { status: 'up' }, redis: { status: 'up' } },
    });
  });

  it('exposes Prometheus metrics with request latency histograms and queue depth', async () => {
    await request(api.app.getHttpServer()).get('/health/live');
    const res = await request(api.app.getHttpServer()).get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/text\/plain/);
    expect(res.text).toMatch(/http_request_duration_seconds_bucket\{.*route="\/health\/live".*\}/);
    expect(res.text).toMatch(/schoolbench_queue_jobs\{queue="housekeeping",state="waiting"\} \d+/);
    expect(res.text).toMatch(/process_resident_memory_bytes/);
  });

  it('logs JSON with request, tenant and user ids, and never passwords or tokens', async () => {
    const analyst = api.a.users.analyst!;
    const token = await signIn(api.app, analyst.email, analyst.password);
    await request(api.app.getHttpServer())
      .post('/graphql')
      .set('Authorization', `Bearer ${token}`)
      .set('X-Request-Id', 'req-logging-test-1')
      .send({ query: '{ schools { totalCount } }' })
      .expect(200);
    await graphql(api.app, '{ schools(first: 100000) { totalCount } }', {}, { token });
    const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const mine = entries.filter((e) => e.requestId === 'req-logging-test-1');
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.some((e) => e.tenantId === api.a.id && e.userId === analyst.id)).toBe(true);
    const all = lines.join('\n');
    expect(all).not.toContain(analyst.password);
    expect(all).not.toContain(token);
    expect(all).not.toContain(token.split('.')[2]);
  });
});
