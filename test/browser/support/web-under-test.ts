import { mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { AxeResults, RunOptions } from 'axe-core';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import * as sass from 'sass';

import {
  createTestDatabase,
  seedDataset,
  seedTenant,
  type SeededTenant,
  type TestDatabase,
} from '@schoolbench/testing';

// The apps under test: the web as deployed, and a worker for comparison runs.

// eslint-disable-next-line @nx/enforce-module-boundaries
import { createWebApp, govukFrontendDir } from '../../../apps/web/src/web-app';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { WorkerModule } from '../../../apps/worker/src/worker.module';
import {
  comparisonObservations,
  insertDataset,
  type ObservationRow,
} from '../../integration/support/comparison-fixtures';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** The WCAG levels every page must meet (axe tags). */
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
/**
 * axe-core, loaded into every page the tests open before the page's own scripts. Injecting it per
 * check (as @axe-core/playwright does, twice, with a blank page to finish in) cost a second a
 * page, ten times the audit itself, and the crawls check about 150 pages.
 */
const AXE_SCRIPT = require.resolve('axe-core/axe.min.js');
const AXE_OPTIONS: RunOptions = {
  runOnly: { type: 'tag', values: WCAG_TAGS },
  // Only violations fail a test: the passes need not be serialised back in full.
  resultTypes: ['violations'],
};
export const OWN_PRIMARY = [116001, 116002, 116010, 116011, 116012, 116013, 116014, 116015];
const REFERENCE = Array.from({ length: 24 }, (_, i) => 200001 + i);

export interface WebUnderTest {
  url: string;
  app: NestExpressApplication;
  db: TestDatabase;
  browser: Browser;
  platform: SeededTenant;
  publicData: SeededTenant;
  a: SeededTenant;
  b: SeededTenant;
  /** A fresh browser context (JavaScript on unless said otherwise). */
  context(options?: { javaScriptEnabled?: boolean }): Promise<BrowserContext>;
  /** A page signed in as the user. */
  signedIn(
    user: { email: string; password: string },
    options?: { javaScriptEnabled?: boolean },
  ): Promise<Page>;
  close(): Promise<void>;
}

/** The KS2 headline measures a primary comparison benchmarks, beyond the shared fixture's two. */
function withAllHeadlines(rows: readonly ObservationRow[]): ObservationRow[] {
  const out = [...rows];
  for (const [urn, measure, period, breakdown, value] of rows) {
    if (breakdown !== 'all' || typeof value !== 'number') continue;
    if (measure === 'ks2_rwm_expected_pct') {
      out.push([urn, 'ks2_rwm_higher_pct', period, 'all', Math.round(value / 5)]);
    }
    if (measure === 'ks2_reading_progress') {
      out.push(
        [urn, 'ks2_writing_progress', period, 'all', Math.round((value * 0.8 + 0.3) * 10) / 10],
        [urn, 'ks2_maths_progress', period, 'all', Math.round((0.5 - value * 0.6) * 10) / 10],
      );
    }
  }
  return out;
}

/** Compiles the stylesheet as `npm run build` does, into a folder of this run. */
function compileStylesheet(): string {
  const dir = mkdtempSync(join(tmpdir(), 'schoolbench-web-assets-'));
  const css = sass.compile(join(__dirname, '../../../apps/web/src/assets/application.scss'), {
    loadPaths: [govukFrontendDir()],
    style: 'compressed',
    quietDeps: true,
    silenceDeprecations: [],
  });
  writeFileSync(join(dir, 'application.css'), css.css);
  return dir;
}

/**
 * A fresh database with two authorities (Hampshire-like A with 8 primary schools, North
 * Yorkshire-like B), England's reference schools and an operator; the web app on a free port;
 * a worker; Debian's Chromium.
 */
export async function startWebUnderTest(env: Record<string, string> = {}): Promise<WebUnderTest> {
  const db = await createTestDatabase();
  db.useForServices();
  Object.assign(process.env, { LOGIN_ATTEMPTS_PER_MINUTE: '1000', ...env });
  const platform = await seedTenant(db, { kind: 'platform', name: 'SchoolBench platform' });
  const publicData = await seedTenant(db, {
    kind: 'public',
    name: 'DfE published data',
    roles: [],
    schools: REFERENCE.map((urn) => ({ urn, name: `England Primary ${urn}` })),
  });
  const a = await seedTenant(db, {
    laCode: '850',
    name: 'Hampshire',
    schools: OWN_PRIMARY.map((urn, i) => ({
      urn,
      name: i === 0 ? 'Alderwood Primary School' : `Hampshire Primary ${urn}`,
    })),
  });
  const b = await seedTenant(db, {
    laCode: '815',
    name: 'North Yorkshire',
    schools: [
      { urn: 121901, name: 'Zetland Secret School B' },
      { urn: 121902, name: 'Yarm Hidden Academy B', phase: 'Secondary' },
    ],
  });
  await seedDataset(db, b, {
    fileName: 'north-yorkshire-secret.csv',
    measures: [{ code: 'ks2_rwm_expected_pct', values: [80, 45] }],
  });
  const own = comparisonObservations(OWN_PRIMARY, { struggling: [116012] });
  const reference = comparisonObservations(REFERENCE, { variant: 'england' });
  await insertDataset(db, a.id, 'census', own.context);
  await insertDataset(db, a.id, 'ks2', withAllHeadlines(own.outcomes));
  await insertDataset(db, publicData.id, 'census', reference.context);
  await insertDataset(db, publicData.id, 'ks2', withAllHeadlines(reference.outcomes));

  const app = await createWebApp({ assetsDir: compileStylesheet() });
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  const worker: INestApplicationContext = await NestFactory.createApplicationContext(WorkerModule, {
    logger: false,
    abortOnError: false,
  });
  await worker.init();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu'],
  });

  const context = async (options: { javaScriptEnabled?: boolean } = {}) => {
    const created = await browser.newContext({
      baseURL: url,
      javaScriptEnabled: options.javaScriptEnabled ?? true,
    });
    await created.addInitScript({ path: AXE_SCRIPT });
    if (options.javaScriptEnabled === false) withoutScript.add(created);
    // Imports and comparison runs happen inside requests; the machine is shared.
    created.setDefaultTimeout(90_000);
    created.setDefaultNavigationTimeout(90_000);
    return created;
  };

  return {
    url,
    app,
    db,
    browser,
    platform,
    publicData,
    a,
    b,
    context,
    async signedIn(user, options) {
      const page = await (await context(options)).newPage();
      await page.goto('/sign-in');
      await page.getByLabel('Email address').fill(user.email);
      await page.getByLabel('Password').fill(user.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL((u) => !u.pathname.startsWith('/sign-in'));
      return page;
    },
    async close() {
      await browser?.close();
      await worker?.close();
      await app?.close();
      await db.drop();
    },
  };
}

const withoutScript = new WeakSet<BrowserContext>();

/**
 * The page as axe sees it. axe runs as a script, which a context without JavaScript cannot run:
 * then the same HTML is checked in a page with scripts, at the same origin (so its stylesheet
 * and relative links resolve), without signing in again or sending any form twice.
 */
async function checkablePage(page: Page): Promise<{ page: Page; done(): Promise<void> }> {
  if (!withoutScript.has(page.context())) return { page, done: () => Promise.resolve() };
  const html = await page.content();
  const browser = page.context().browser()!;
  const scripted = await browser.newContext({ baseURL: new URL(page.url()).origin });
  await scripted.addInitScript({ path: AXE_SCRIPT });
  const copy = await scripted.newPage();
  await copy.goto('/sign-in');
  await copy.setContent(html, { waitUntil: 'load' });
  return { page: copy, done: () => scripted.close() };
}

/** Zero axe violations at the WCAG levels above, or a readable list of them. */
export async function expectAccessible(original: Page): Promise<void> {
  const { page, done } = await checkablePage(original);
  const result = await page.evaluate(async (options) => {
    const scope = globalThis as unknown as {
      axe: { run(context: unknown, options: RunOptions): Promise<AxeResults> };
      document: unknown;
    };
    return scope.axe.run(scope.document, options);
  }, AXE_OPTIONS);
  await done();
  const violations = result.violations.map(
    (v) =>
      `${page.url()}: ${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.map((n) => n.target.join(' ')).join('\n  ')}`,
  );
  expect(violations).toEqual([]);
}
