import { createHash } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';

import {
  createTestDatabase,
  seedDataset,
  seedTenant,
  type SeededTenant,
  type TestDatabase,
} from '@schoolbench/testing';

// The web dashboard as deployed, and a worker to build the archive.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { createWebApp } from '../../apps/web/src/web-app';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { WorkerModule } from '../../apps/worker/src/worker.module';

type Agent = ReturnType<typeof request.agent>;

function csrfOf(html: string): string {
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!token) throw new Error('No CSRF token on the page');
  return token;
}

/**
 * "Export your data" without JavaScript: an LA admin requests the export with a form, follows it
 * on a page that refreshes itself and downloads it; nobody else can see or download it.
 */
describe('the web dashboard’s data export', () => {
  let db: TestDatabase;
  let web: NestExpressApplication;
  let worker: INestApplicationContext;
  let a: SeededTenant;
  let b: SeededTenant;

  async function signedIn(user: { email: string; password: string }): Promise<Agent> {
    const agent = request.agent(web.getHttpServer());
    const form = await agent.get('/sign-in');
    const res = await agent
      .post('/sign-in')
      .type('form')
      .send({ email: user.email, password: user.password, _csrf: csrfOf(form.text) });
    expect(res.status).toBe(303);
    return agent;
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    db.useForServices();
    process.env.LOGIN_ATTEMPTS_PER_MINUTE = '1000';
    a = await seedTenant(db, {
      laCode: '850',
      name: 'Hampshire',
      schools: [{ urn: 116001, name: 'Alderwood Primary A' }],
    });
    b = await seedTenant(db, {
      laCode: '815',
      name: 'North Yorkshire',
      schools: [{ urn: 121901, name: 'Zetland Secret School B' }],
    });
    await seedDataset(db, a, {
      fileName: 'hampshire.csv',
      measures: [{ code: 'ks2_rwm_expected_pct', values: [61] }],
    });
    web = await createWebApp();
    await web.init();
    worker = await NestFactory.createApplicationContext(WorkerModule, {
      logger: false,
      abortOnError: false,
    });
    await worker.init();
  }, 120_000);

  afterAll(async () => {
    await worker?.close();
    await web?.close();
    await db?.drop();
  });

  it('requests, follows and downloads an export, and keeps it from everyone else', async () => {
    const admin = await signedIn(a.users.la_admin!);
    const home = await admin.get('/');
    expect(home.text).toContain('href="/export"');

    const page = await admin.get('/export');
    expect(page.status).toBe(200);
    expect(page.text).toContain('No exports yet');
    const posted = await admin
      .post('/export')
      .type('form')
      .send({ _csrf: csrfOf(page.text) });
    expect(posted.status).toBe(303);
    const location = posted.headers.location;
    expect(location).toMatch(/^\/export\/[0-9a-f-]{36}$/);

    // Refreshes itself (no JavaScript) until the export is ready.
    let status = await admin.get(location);
    expect(status.status).toBe(200);
    for (let i = 0; i < 300 && !status.text.includes('Ready to download'); i++) {
      expect(status.text).toContain('http-equiv="refresh"');
      await new Promise((r) => setTimeout(r, 200));
      status = await admin.get(location);
    }
    expect(status.text).toContain('Ready to download');
    expect(status.text).not.toContain('http-equiv="refresh"');
    expect(status.text).toContain('manifest.json');
    expect(status.text).toContain('schools.csv');
    const sha256 = /SHA-256 <code>([0-9a-f]{64})<\/code>/.exec(status.text)![1];

    const download = await admin
      .get(`${location}/download`)
      .buffer(true)
      .parse((r, done) => {
        const parts: Buffer[] = [];
        r.on('data', (c: Buffer) => parts.push(c));
        r.on('end', () => done(null, Buffer.concat(parts)));
      });
    expect(download.status).toBe(200);
    expect(download.headers['content-type']).toMatch(/application\/gzip/);
    expect(
      createHash('sha256')
        .update(download.body as Buffer)
        .digest('hex'),
    ).toBe(sha256);
    const [{ via }] = await db.query<{ via: string }>(
      'select via from tenant_export_downloads where tenant_id = $1',
      [a.id],
    );
    expect(via).toBe('web');

    // Another authority's LA admin: not found. Another role: refused.
    const other = await signedIn(b.users.la_admin!);
    expect((await other.get(location)).status).toBe(404);
    expect((await other.get(`${location}/download`)).status).toBe(404);
    expect((await other.get('/export')).text).toContain('No exports yet');
    const analyst = await signedIn(a.users.analyst!);
    expect((await analyst.get('/export')).status).toBe(403);
    expect((await analyst.get(`${location}/download`)).status).toBe(403);
  }, 180_000);
});
