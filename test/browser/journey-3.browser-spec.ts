/// <reference lib="dom" />
import type { Page } from 'playwright-core';

import { snapshotDatabase } from '@schoolbench/testing';

import { screenshot } from './support/screenshots';
import { expectAccessible, startWebUnderTest, type WebUnderTest } from './support/web-under-test';

/**
 * SPEC §2 journey 3 in the browser, as the headteacher: sign in, reach the school by links,
 * request a comparison, watch it run, read the similar schools and the benchmarks. Every page is
 * checked with axe.
 */
// A browser, a worker and real comparison runs on a shared two-core machine.
jest.setTimeout(180_000);

describe('web: a headteacher benchmarks their school (journey 3)', () => {
  let web: WebUnderTest;

  beforeAll(async () => {
    web = await startWebUnderTest();
  });

  afterAll(async () => {
    await web?.close();
  });

  const headteacher = () => web.a.users.headteacher!;

  it('signs in with the labelled form and shows an error summary for a wrong password', async () => {
    const context = await web.context();
    const page = await context.newPage();
    const response = await page.goto('/');
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await expectAccessible(page);
    await screenshot(page, 'sign-in');
    await page.getByLabel('Email address').fill(headteacher().email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('.govuk-error-summary').waitFor();
    expect(await page.locator('.govuk-error-summary').innerText()).toContain(
      'Email address or password is wrong',
    );
    expect(await page.title()).toMatch(/^Error: /);
    await expectAccessible(page);
    await page.getByLabel('Password').fill(headteacher().password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => u.pathname === '/');
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === 'sb_session')!;
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
    await expectAccessible(page);
    await screenshot(page, 'home-headteacher');
    await context.close();
  });

  it('requests a comparison, watches it finish, then reads similar schools and benchmarks by links alone', async () => {
    const page = await web.signedIn(headteacher());
    await page.getByRole('link', { name: 'Request a new comparison' }).first().click();
    await expectAccessible(page);
    await page.getByLabel('Year of the school context to compare on').selectOption('201819');
    await page.getByRole('button', { name: 'Request comparison' }).click();
    await page.waitForURL(/\/comparisons\/[0-9a-f-]{36}$/);
    await expectAccessible(page);
    // JavaScript updates the progress in place until the run completes.
    await page.getByRole('link', { name: 'See the benchmarks' }).waitFor({ timeout: 60_000 });
    expect(await page.locator('.sb-run__status').innerText()).toBe('Completed');
    await screenshot(page, 'comparison-run');

    await page.getByRole('link', { name: 'See the similar schools' }).click();
    await expectAccessible(page);
    const rows = page.locator('.sb-similar-table tbody tr');
    expect(await rows.count()).toBe(20);
    const first = await rows.first().innerText();
    expect(first).toMatch(/^1\b/);
    expect(first).toMatch(/Hampshire|England/);
    expect(await page.locator('.sb-similar-table svg[role="img"]').count()).toBeGreaterThan(20);
    await screenshot(page, 'similar-schools');

    await page.getByRole('link', { name: 'Benchmarks' }).first().click();
    await page.waitForURL(/\/benchmarks$/);
    await expectAccessible(page);
    const rwm = page.locator('section', {
      has: page.getByRole('heading', { name: /Reading, writing and maths|RWM|expected standard/i }),
    });
    expect(await rwm.count()).toBeGreaterThan(0);
    const text = await page.locator('main').innerText();
    for (const label of [
      'Group median',
      'Lower and upper quartile',
      'Percentile rank',
      'Rank',
      'Gap to the group median',
      'Trend over three years',
      'Disadvantaged gap: this school',
      'Disadvantaged gap: group median',
      'Expected from context',
      'Above or below expected (residual)',
    ]) {
      expect(text).toContain(label);
    }
    expect(text).toMatch(/\d+ of \d+/);
    expect(await page.locator('svg[role="img"] title').count()).toBeGreaterThan(2);
    await screenshot(page, 'benchmarks');

    await page.getByRole('link', { name: 'Profile' }).click();
    await expectAccessible(page);
    const profile = await page.locator('main').innerText();
    expect(profile).toContain('Group median');
    expect(profile).toContain('Disadvantaged');
    expect(profile).toMatch(/Headline results, 2016\/17 to 2018\/19/);
    await screenshot(page, 'school-profile');
    await page.context().close();
  });

  it('prints the benchmarks page without navigation or forms, with the date and data versions', async () => {
    const page = await web.signedIn(headteacher());
    await page.goto(`/schools/${headteacher().schoolUrn}/benchmarks`);
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('header').isVisible()).toBe(false);
    expect(await page.getByRole('button', { name: 'Sign out' }).isVisible()).toBe(false);
    const printed = page.locator('.sb-print-only');
    expect(await printed.isVisible()).toBe(true);
    expect(await printed.innerText()).toMatch(/Printed .*\d{4}.*comparison run [0-9a-f-]{36}/);
    await screenshot(page, 'benchmarks-print');
    const pdf = await page.pdf({ format: 'A4' });
    expect(pdf.byteLength).toBeGreaterThan(10_000);
    await page.context().close();
  });

  it('runs journey 3 with the keyboard alone: skip link first, focus visible, no trap', async () => {
    const page = await web.signedIn(headteacher());
    const focused = (p: Page) =>
      p.evaluate(() => {
        const el = document.activeElement;
        return {
          text: el?.textContent?.trim() ?? '',
          href: el?.getAttribute('href') ?? '',
          outline: el ? getComputedStyle(el).outlineStyle + getComputedStyle(el).boxShadow : '',
          background: el ? getComputedStyle(el).backgroundColor : '',
        };
      });
    await page.keyboard.press('Tab');
    const skip = await focused(page);
    expect(skip.text).toBe('Skip to main content');
    // GOV.UK focus style: yellow background.
    expect(skip.background).toBe('rgb(255, 221, 0)');
    // Tab to the similar schools link and follow it with Enter.
    const seen: string[] = [];
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('Tab');
      const f = await focused(page);
      seen.push(f.href);
      if (f.href.endsWith('/similar')) break;
    }
    expect(seen.at(-1)).toMatch(/\/similar$/);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/similar$/);
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('Tab');
      if ((await focused(page)).href.endsWith('/benchmarks')) break;
    }
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/benchmarks$/);
    // No trap: tabbing goes through the whole page and back to the browser chrome.
    const hrefs = new Set<string>();
    for (let i = 0; i < 80; i++) {
      await page.keyboard.press('Tab');
      const f = await focused(page);
      if (!f.text && !f.href) break;
      hrefs.add(f.href || f.text);
    }
    expect(hrefs.size).toBeGreaterThan(3);
    await page.context().close();
  });

  it('a governor reads the same pages but cannot request comparisons or opt out', async () => {
    const page = await web.signedIn(web.a.users.governor!);
    await page.getByRole('link', { name: 'Benchmarks' }).first().click();
    await expectAccessible(page);
    expect(await page.getByRole('link', { name: 'Request a new comparison' }).count()).toBe(0);
    const res = await page.goto(`/schools/${headteacher().schoolUrn}/compare`);
    expect(res?.status()).toBe(403);
    await page.context().close();
  });

  it("answers 404 naming nothing for another authority's school and run, and refuses a POST without its CSRF token", async () => {
    const analyst = await web.signedIn(web.b.users.analyst!);
    const res = await analyst.goto('/schools/116001');
    expect(res?.status()).toBe(404);
    const body = await analyst.locator('main').innerText();
    expect(body).toContain('Page not found');
    expect(body).not.toContain('116001');
    expect(body).not.toContain('Alderwood');
    const [run] = await web.db.query<{ id: string }>('select id from comparison_runs limit 1');
    const runRes = await analyst.goto(`/comparisons/${run.id}`);
    expect(runRes?.status()).toBe(404);
    expect(await analyst.locator('main').innerText()).not.toContain(run.id);
    await analyst.context().close();

    const page = await web.signedIn(headteacher());
    const before = await snapshotDatabase(web.db, ['comparison_runs']);
    const forged = await page.request.post(`/schools/${headteacher().schoolUrn}/compare`, {
      form: { period: '201819', population: 'OWN' },
      maxRedirects: 0,
    });
    expect(forged.status()).toBe(403);
    expect(await forged.text()).toContain('This form has expired');
    expect(await snapshotDatabase(web.db, ['comparison_runs'])).toEqual(before);
    await page.context().close();
  });
});
