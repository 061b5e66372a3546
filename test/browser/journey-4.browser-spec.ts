/// <reference lib="dom" />
import type { Page } from 'playwright-core';

import { snapshotDatabase } from '@schoolbench/testing';

import { screenshot } from './support/screenshots';
import {
  expectAccessible,
  OWN_PRIMARY,
  startWebUnderTest,
  type WebUnderTest,
} from './support/web-under-test';

/**
 * SPEC §2 journey 4 in the browser, as the analyst, with JavaScript off: compare every one of the
 * authority's primary schools, read each school's KS2 reading, writing and maths over three years
 * beside its group's median, see the schools in their group's lowest quarter in two of the last
 * three years flagged with the reason, download what is on screen, and open a flagged school.
 * axe on every page; the new form sent with bad input, for real, and without its CSRF token.
 */
// A browser, a worker and a real comparison run of every school on a shared two-core machine.
jest.setTimeout(300_000);

describe('web: an analyst investigates (journey 4)', () => {
  let web: WebUnderTest;

  beforeAll(async () => {
    web = await startWebUnderTest();
  });

  afterAll(async () => {
    await web?.close();
  });

  const analyst = () => web.a.users.analyst!;

  async function submit(page: Page, button: string): Promise<void> {
    await Promise.all([
      page.waitForLoadState('load'),
      page.getByRole('button', { name: button }).click(),
    ]);
  }

  it('compares all schools, reads three years against each group median, and finds the schools causing concern', async () => {
    const page = await web.signedIn(analyst(), { javaScriptEnabled: false });
    await page.getByRole('link', { name: 'Compare all your schools' }).click();
    await page.waitForURL(/\/comparisons\/new$/);
    await expectAccessible(page);

    // Bad input (a phase the form does not offer) is refused with an error summary, nothing written.
    const before = await snapshotDatabase(web.db, ['comparison_runs']);
    const token = await page.locator('#main-content input[name="_csrf"]').inputValue();
    const bad = await page.request.post('/comparisons/new', {
      form: { _csrf: token, phase: 'nursery', period: '201819', population: 'OWN' },
      maxRedirects: 0,
    });
    expect(bad.status()).toBe(400);
    const badHtml = await bad.text();
    expect(badHtml).toContain('govuk-error-summary');
    expect(badHtml).toContain('Choose the phase of the schools to compare');
    // Without its CSRF token: refused, nothing written.
    const forged = await page.request.post('/comparisons/new', {
      form: { phase: 'primary', period: '201819', population: 'OWN_AND_REFERENCE' },
      maxRedirects: 0,
    });
    expect(forged.status()).toBe(403);
    expect(await snapshotDatabase(web.db, ['comparison_runs'])).toEqual(before);

    await page.getByLabel('Primary (KS2)').check();
    await page.getByLabel('Year of the school context to compare on').selectOption('201819');
    await page.getByLabel("Your authority's schools and all schools in England").check();
    await submit(page, 'Compare all schools');
    await page.waitForURL(/\/comparisons\/[0-9a-f-]{36}$/);
    // Without JavaScript the progress page refreshes itself until the run is done (axe runs on
    // the finished page: a copy of one still refreshing would navigate away under it).
    await page
      .getByRole('link', { name: 'See the results by school' })
      .waitFor({ timeout: 150_000 });
    await expectAccessible(page);
    expect(await page.locator('.sb-run__status').innerText()).toBe('Completed');
    expect(await page.locator('h1').innerText()).toContain('All primary schools');

    await page.getByRole('link', { name: 'See the results by school' }).click();
    await page.waitForURL(/\/results$/);
    await expectAccessible(page);
    expect(await page.locator('h1').innerText()).toBe(
      'Results by school: Pupils meeting the expected standard in reading, writing and maths (%)',
    );
    const header = await page.locator('.sb-results-table thead').innerText();
    for (const year of ['2016/17', '2017/18', '2018/19']) expect(header).toContain(year);
    expect(header.match(/Group median/g)).toHaveLength(3);
    // Every own primary school, each with its three years and its group's medians.
    const rows = page.locator('.sb-results-table tbody tr');
    expect(await rows.count()).toBe(OWN_PRIMARY.length);
    const struggling = await rows.filter({ hasText: 'Hampshire Primary 116012' }).innerText();
    expect(struggling).toMatch(/18%[\s\S]*19%[\s\S]*20%/);
    expect(struggling).toContain('Causing concern');
    expect(struggling).toMatch(/Lowest quarter of its group in [23] of the last 3 years/);
    const cells = await rows.first().locator('td').allInnerTexts();
    // Three years × (school, group median) and the flag; a median is a value, not a blank.
    expect(cells).toHaveLength(7);
    expect(cells[1]).toMatch(/^\d+%$|^small group/);
    // A suppressed value shows its code and meaning, never a zero (URN 116011 is a multiple of 7:
    // its 2017/18 result is suppressed in the fixture).
    expect(await rows.filter({ hasText: 'Hampshire Primary 116011' }).innerText()).toContain(
      'c (confidential',
    );
    await screenshot(page, 'comparison-results');

    const csv = await page.request.get(
      `${new URL(page.url()).pathname}.csv?measure=ks2_rwm_expected_pct`,
    );
    expect(csv.headers()['content-type']).toContain('text/csv');
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines[0]).toBe(
      'urn,school,measure,value_201617,group_median_201617,value_201718,group_median_201718,value_201819,group_median_201819,early_warning',
    );
    expect(lines).toHaveLength(OWN_PRIMARY.length + 1);
    expect(lines.find((l) => l.startsWith('116012,'))).toMatch(/,18%,.*Lowest quarter/);

    // Another measure of the run, through the GET form.
    await page.getByLabel('Measure').selectOption('ks2_reading_progress');
    await submit(page, 'Show');
    expect(await page.locator('h1').innerText()).toContain('reading progress score');
    await expectAccessible(page);

    await page.getByRole('link', { name: 'Early warnings' }).last().click();
    await page.waitForURL(/\/early-warnings\?measure=ks2_reading_progress$/);
    await expectAccessible(page);
    await page.getByLabel('Measure').selectOption('ks2_rwm_expected_pct');
    await submit(page, 'Show');
    const warnings = await page.locator('main').innerText();
    expect(warnings).toContain('Hampshire Primary 116012');
    expect(warnings).toMatch(/lowest quarter of its similar-school group in [23] of the last 3/);

    await page.getByRole('link', { name: 'Hampshire Primary 116012' }).click();
    await page.waitForURL(/\/schools\/116012\/benchmarks$/);
    await expectAccessible(page);
    expect(await page.locator('main').innerText()).toContain('Group median');
    await page.context().close();
  });

  it('a headteacher cannot compare all schools or read the results by school', async () => {
    const page = await web.signedIn(web.a.users.headteacher!, { javaScriptEnabled: false });
    expect((await page.goto('/comparisons/new'))?.status()).toBe(403);
    const [run] = await web.db.query<{ id: string }>(
      "select id from comparison_runs where (parameters->>'allSchools')::boolean limit 1",
    );
    expect((await page.goto(`/comparisons/${run.id}/results`))?.status()).toBe(403);
    await page.context().close();
  });
});
