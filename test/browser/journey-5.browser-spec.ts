/// <reference lib="dom" />
import type { Page } from 'playwright-core';

import { DisclosureLevel, ProtocolsService } from '@schoolbench/sharing';
import { TenantContext, type Principal } from '@schoolbench/tenancy';
import { snapshotDatabase, type SeededTenant } from '@schoolbench/testing';

import { comparisonObservations, insertDataset } from '../integration/support/comparison-fixtures';
import { screenshot } from './support/screenshots';
import { expectAccessible, startWebUnderTest, type WebUnderTest } from './support/web-under-test';

const PARTNER_PRIMARY = [121901, 121910, 121911, 121912, 121913, 121914, 121915];
const TITLE = 'Primary benchmarking 2016–2019';

/**
 * SPEC §2 journey 5 in the browser. North Yorkshire's headteacher benchmarks their school against
 * similar schools that include Hampshire's, shared under Hampshire's protocol. Hampshire's LA
 * admin revokes the protocol (confirmation page, JavaScript off). From the next request the
 * partner's pages name none of Hampshire's schools, and the comparison that used Hampshire's data
 * is marked stale: its run page and the school pages say so, with the protocol, who revoked it,
 * when and why, and offer a new comparison. axe on every page.
 */
// A browser, a worker and a real comparison run on a shared two-core machine.
jest.setTimeout(300_000);

describe('web: a protocol is revoked and the partner’s results are marked stale (journey 5)', () => {
  let web: WebUnderTest;
  let protocolId: string;
  let runId: string;

  beforeAll(async () => {
    web = await startWebUnderTest();
    const { db, a, b } = web;
    // North Yorkshire's primary schools with census context and three years of KS2 results.
    for (const urn of PARTNER_PRIMARY.slice(1)) {
      await db.query(
        `insert into schools (tenant_id, urn, name, phase, la_code) values ($1, $2, $3, 'Primary', '815')`,
        [b.id, urn, `North Yorkshire Primary ${urn}`],
      );
    }
    const partner = comparisonObservations(PARTNER_PRIMARY, { variant: 'north' });
    await db.query('update datasets set is_current = false where tenant_id = $1', [b.id]);
    await insertDataset(db, b.id, 'census', partner.context);
    await insertDataset(db, b.id, 'ks2', partner.outcomes);

    // Hampshire's protocol with North Yorkshire, agreed as in journey 2 (roles.browser-spec).
    const admin = (t: SeededTenant): Principal => ({
      tenantId: t.id,
      userId: t.users.la_admin!.id,
      role: 'la_admin',
      schoolUrn: null,
      via: 'cli',
    });
    const context = web.app.get(TenantContext);
    const protocols = web.app.get(ProtocolsService);
    const today = new Date().toISOString().slice(0, 10);
    const created = await context.runAs(admin(a), () =>
      protocols.create({
        title: TITLE,
        purpose: 'Similar-school groups across Hampshire and North Yorkshire',
        partyLaCodes: ['815'],
        categories: ['attainment', 'progress', 'context'],
        periodFrom: '2016/17',
        periodTo: '2018/19',
        phases: ['primary'],
        disclosure: DisclosureLevel.NAMED,
        validFrom: today,
        validTo: '2099-12-31',
      }),
    );
    protocolId = created.id;
    await context.runAs(admin(a), () => protocols.propose(protocolId));
    for (const t of [a, b]) await context.runAs(admin(t), () => protocols.sign(protocolId, 1));
  });

  afterAll(async () => {
    await web?.close();
  });

  const headteacher = () => web.b.users.headteacher!;

  async function submit(page: Page, button: string): Promise<void> {
    await Promise.all([
      page.waitForLoadState('load'),
      page.getByRole('button', { name: button }).click(),
    ]);
  }

  it('the partner’s headteacher benchmarks against schools that include the owner’s', async () => {
    const page = await web.signedIn(headteacher());
    await page.getByRole('link', { name: 'Request a new comparison' }).first().click();
    await page.getByLabel('Year of the school context to compare on').selectOption('201819');
    await page.getByRole('button', { name: 'Request comparison' }).click();
    await page.waitForURL(/\/comparisons\/[0-9a-f-]{36}$/);
    runId = new URL(page.url()).pathname.split('/').at(-1)!;
    await page.getByRole('link', { name: 'See the similar schools' }).waitFor({ timeout: 150_000 });
    await page.getByRole('link', { name: 'See the similar schools' }).click();
    await expectAccessible(page);
    const similar = await page.locator('.sb-similar-table').innerText();
    expect(similar).toMatch(/Hampshire Primary 1160\d\d|Alderwood Primary School/);
    expect(await page.locator('.sb-stale').count()).toBe(0);
    await page.getByRole('link', { name: 'Benchmarks' }).first().click();
    await page.waitForURL(/\/benchmarks$/);
    expect(await page.locator('main').innerText()).toContain('Group median');
    await page.context().close();
  });

  it('the owner revokes after confirming; the partner sees the run marked stale, with why, and none of the owner’s schools', async () => {
    const owner = await web.signedIn(web.a.users.la_admin!, { javaScriptEnabled: false });
    await owner.getByRole('link', { name: 'Data-sharing protocols' }).first().click();
    await owner
      .getByRole('link', { name: new RegExp(TITLE) })
      .first()
      .click();
    await owner.getByRole('link', { name: 'Revoke' }).click();
    await expectAccessible(owner);
    // Without its CSRF token the revocation is refused and nothing changes.
    const before = await snapshotDatabase(web.db, ['protocols', 'comparison_runs']);
    const forged = await owner.request.post(`/protocols/${protocolId}/revoke`, {
      form: {},
      maxRedirects: 0,
    });
    expect(forged.status()).toBe(403);
    expect(await snapshotDatabase(web.db, ['protocols', 'comparison_runs'])).toEqual(before);
    await owner.getByLabel('Reason (optional)').fill('The partnership has ended');
    await submit(owner, 'Revoke protocol');
    expect(await owner.locator('main').innerText()).toContain('Revoked');
    await owner.context().close();

    const [run] = await web.db.query<{ stale: boolean }>(
      'select stale from comparison_runs where id = $1',
      [runId],
    );
    expect(run.stale).toBe(true);

    const page = await web.signedIn(headteacher(), { javaScriptEnabled: false });
    await page.getByRole('link', { name: 'Benchmarks' }).first().click();
    await page.waitForURL(/\/benchmarks$/);
    await expectAccessible(page);
    const banner = await page.locator('.sb-stale').innerText();
    expect(banner).toContain('Results no longer shown');
    expect(banner).toContain(`The comparison run ${runId}`);
    expect(banner).toMatch(
      new RegExp(
        `Hampshire revoked the protocol “${TITLE}” on \\d{1,2} \\w+ \\d{4}, \\d\\d:\\d\\d \\(reason given: The partnership has ended\\)`,
      ),
    );
    expect(await page.getByRole('link', { name: 'Request a new comparison' }).count()).toBe(2);
    // No benchmark of the stale run is served.
    expect(await page.locator('main').innerText()).toContain('This school has no benchmarks yet');
    await screenshot(page, 'benchmarks-stale');

    await page.getByRole('link', { name: 'Similar schools' }).first().click();
    await expectAccessible(page);
    const similar = await page.locator('main').innerText();
    expect(similar).toContain('Results no longer shown');
    expect(similar).not.toMatch(/Hampshire Primary|Alderwood/);

    const res = await page.goto(`/comparisons/${runId}`);
    expect(res?.status()).toBe(410);
    await expectAccessible(page);
    const gone = await page.locator('main').innerText();
    expect(gone).toContain('This comparison is no longer shown');
    expect(gone).toContain(`Hampshire revoked the protocol “${TITLE}”`);
    expect(gone).toContain('The partnership has ended');
    await screenshot(page, 'comparison-stale');
    // The stale run is not listed among the runs that are served.
    await page.goto('/comparisons');
    expect(await page.locator('main').innerText()).not.toContain(runId);
    await page.context().close();

    // The governor reads the same banner, without the offer to request a comparison.
    const governor = await web.signedIn(web.b.users.governor!, { javaScriptEnabled: false });
    await governor.goto(`/schools/${headteacher().schoolUrn}/benchmarks`);
    expect(await governor.locator('.sb-stale').innerText()).toContain('Hampshire revoked');
    expect(await governor.getByRole('link', { name: 'Request a new comparison' }).count()).toBe(0);
    await governor.context().close();
  });

  it('another authority’s user gets a 404 naming nothing for the stale run', async () => {
    const other = await web.signedIn(web.a.users.analyst!, { javaScriptEnabled: false });
    const res = await other.goto(`/comparisons/${runId}`);
    expect(res?.status()).toBe(404);
    const body = await other.locator('main').innerText();
    expect(body).toContain('Page not found');
    expect(body).not.toContain(runId);
    await other.context().close();
  });
});
