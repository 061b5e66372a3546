/// <reference lib="dom" />
import { join } from 'node:path';
import type { Page } from 'playwright-core';

import { ClubsService } from '@schoolbench/clubs';
import { ComparisonRunsService } from '@schoolbench/comparisons';
import { TenantContext } from '@schoolbench/tenancy';
import { seedTenant, snapshotDatabase, type SeededTenant } from '@schoolbench/testing';

import { screenshot } from './support/screenshots';
import { expectAccessible, startWebUnderTest, type WebUnderTest } from './support/web-under-test';

const DATA = join(__dirname, '../../../shared/data');
// Small files, so the import inside the request stays quick on a busy machine.
const PASSING = join(DATA, 'ees/screener/pass/ethnicity_meets_standards.csv');
const PASSING_META = join(DATA, 'ees/screener/pass/ethnicity_meets_standards.meta.csv');
const FAILING = join(DATA, 'ees/screener/fail/fails_allchecks.csv');
const FAILING_META = join(DATA, 'ees/screener/fail/fails_allchecks.meta.csv');

/**
 * Every role's pages in the browser, with JavaScript off for every form (SPEC §10: forms are plain
 * GET and POST): journeys 1 (a partner joins) and 2 (a protocol is agreed, one school opts out),
 * the LA admin's upload and report, access log, users and keys; the analyst's schools and early
 * warnings; the operator's tenants and health. axe on every page; screenshots for docs/web.md.
 */
// A browser, a worker and real comparison runs on a shared two-core machine.
jest.setTimeout(400_000);

describe('web: pages of every role, forms without JavaScript', () => {
  let web: WebUnderTest;
  let surrey: SeededTenant;
  let protocolId: string;

  beforeAll(async () => {
    web = await startWebUnderTest();
    surrey = await seedTenant(web.db, { laCode: '936', name: 'Surrey', roles: ['la_admin'] });
  });

  afterAll(async () => {
    await web?.close();
  });

  const noJs = (user: { email: string; password: string }) =>
    web.signedIn(user, { javaScriptEnabled: false });

  async function submit(page: Page, button: string): Promise<void> {
    await Promise.all([
      page.waitForLoadState('load'),
      page.getByRole('button', { name: button }).click(),
    ]);
  }

  it('journey 1: the operator onboards a partner authority and sees platform health', async () => {
    const page = await noJs(web.platform.users.operator!);
    await screenshot(page, 'home-operator');
    await page.getByRole('link', { name: 'Tenants' }).first().click();
    await expectAccessible(page);
    await submit(page, 'Onboard authority');
    expect(await page.locator('.govuk-error-summary').innerText()).toContain(
      'Enter the DfE LA code',
    );
    await expectAccessible(page);
    await page.getByLabel('LA code').fill('937');
    await page.getByLabel('Authority name').fill('Warwickshire');
    await page.getByLabel('First LA admin’s email address').fill('admin@warwickshire.example');
    await submit(page, 'Onboard authority');
    expect(await page.locator('.govuk-panel').innerText()).toContain('Warwickshire has joined');
    expect(await page.locator('.sb-secret').innerText()).toMatch(/^sbi\./);
    await expectAccessible(page);
    await screenshot(page, 'tenants');
    await page.getByRole('link', { name: 'Platform health' }).first().click();
    expect(await page.locator('main').innerText()).toMatch(/Database\s+reachable/);
    await expectAccessible(page);
    await page.context().close();
  });

  it('an LA admin uploads a failing file and reads the report, then a good file that goes live', async () => {
    const page = await noJs(web.a.users.la_admin!);
    await expectAccessible(page);
    await screenshot(page, 'home-la-admin');
    await page.getByRole('link', { name: 'Upload a dataset' }).click();
    await expectAccessible(page);
    const before = await snapshotDatabase(web.db, ['datasets', 'observations']);
    await submit(page, 'Upload and check');
    expect(await page.locator('.govuk-error-summary').innerText()).toContain(
      'Choose the data file',
    );
    expect(await snapshotDatabase(web.db, ['datasets', 'observations'])).toEqual(before);

    await page.getByLabel('Data file').setInputFiles(FAILING);
    await page.getByLabel('EES meta file (optional)').setInputFiles(FAILING_META);
    await submit(page, 'Upload and check');
    await page.waitForURL(/\/datasets\/[0-9a-f-]{36}$/);
    const report = await page.locator('main').innerText();
    expect(report).toContain('Nothing was imported');
    expect(await page.locator('.govuk-error-summary li').count()).toBeGreaterThan(1);
    expect(await page.locator('section[id^="rule-"] table tbody tr').count()).toBeGreaterThan(1);
    expect(report).toContain('How to fix it');
    await expectAccessible(page);
    await screenshot(page, 'validation-report');
    const csv = await page.request.get(
      (await page.getByRole('link', { name: 'Download the report as CSV' }).getAttribute('href'))!,
    );
    expect(csv.headers()['content-type']).toContain('text/csv');
    expect((await csv.text()).split('\r\n')[0]).toBe(
      'file,line,column,value,rule,severity,message,fix',
    );
    const [failed] = await web.db.query<{ n: number }>(
      "select count(*)::int as n from observations o join datasets d on d.id = o.dataset_id where d.status = 'failed'",
    );
    expect(failed.n).toBe(0);

    await page.getByRole('link', { name: 'Datasets' }).first().click();
    await page.getByRole('link', { name: 'Upload a dataset' }).click();
    await page.getByLabel('Data file').setInputFiles(PASSING);
    await page.getByLabel('EES meta file (optional)').setInputFiles(PASSING_META);
    await submit(page, 'Upload and check');
    await page.waitForURL(/\/datasets\/[0-9a-f-]{36}/);
    expect(await page.locator('.govuk-panel').innerText()).toMatch(/Published/);
    await expectAccessible(page);
    await page.getByRole('link', { name: 'All dataset versions' }).click();
    expect(await page.locator('main').innerText()).toContain('ethnicity_meets_standards.csv');
    await expectAccessible(page);
    await screenshot(page, 'datasets');
    await page.context().close();
  });

  it('journey 2: Hampshire proposes a protocol, both parties sign, a headteacher opts out', async () => {
    const admin = await noJs(web.a.users.la_admin!);
    await admin.getByRole('link', { name: 'Data-sharing protocols' }).click();
    await expectAccessible(admin);
    await admin.getByRole('link', { name: 'Create a protocol' }).click();
    await expectAccessible(admin);
    await submit(admin, 'Create draft');
    expect(await admin.locator('.govuk-error-summary').innerText()).toContain('Enter a title');
    await expectAccessible(admin);
    await admin.getByLabel('Title').fill('Primary benchmarking 2016–2019');
    await admin
      .getByLabel('Purpose')
      .fill('Compare primary schools with similar schools in both authorities');
    await admin.getByLabel('Partner authorities').fill('815');
    await admin.getByLabel('First academic year').fill('2016/17');
    await admin.getByLabel('Last academic year').fill('2018/19');
    await admin.getByLabel('Primary').check();
    const today = new Date();
    const later = new Date(today.getTime() + 2 * 365 * 864e5);
    await admin.getByLabel('Starts').fill(today.toISOString().slice(0, 10));
    await admin.getByLabel('Ends').fill(later.toISOString().slice(0, 10));
    await submit(admin, 'Create draft');
    await admin.waitForURL(/\/protocols\/[0-9a-f-]{36}$/);
    protocolId = admin.url().split('/').at(-1)!;
    expect(await admin.locator('main').innerText()).toContain('Draft');
    await admin.getByRole('link', { name: 'Propose to the parties' }).click();
    await expectAccessible(admin);
    await submit(admin, 'Propose protocol');
    await admin.getByRole('link', { name: 'Sign version 1' }).click();
    await expectAccessible(admin);
    await submit(admin, 'Sign protocol');
    expect(await admin.locator('main').innerText()).toContain('Proposed');

    const partner = await noJs(web.b.users.la_admin!);
    await partner.goto(`/protocols/${protocolId}`);
    await partner.getByRole('link', { name: 'Sign version 1' }).click();
    await submit(partner, 'Sign protocol');
    const signed = await partner.locator('main').innerText();
    expect(signed).toContain('Active');
    expect(signed).toMatch(/North Yorkshire signed version 1/);
    await expectAccessible(partner);
    await screenshot(partner, 'protocol');
    await partner.context().close();

    const head = await noJs(web.a.users.headteacher!);
    await head.getByRole('link', { name: 'Data-sharing protocols' }).click();
    await head.getByRole('link', { name: 'Primary benchmarking 2016–2019' }).click();
    await head.getByRole('link', { name: 'Opt your school out' }).click();
    await expectAccessible(head);
    await screenshot(head, 'opt-out-confirmation');
    await submit(head, 'Opt out');
    expect(await head.locator('main').innerText()).toContain('Your school has opted out');
    const [optOut] = await web.db.query<{ urn: number }>('select urn from protocol_opt_outs');
    expect(optOut.urn).toBe(web.a.users.headteacher!.schoolUrn);
    await head.context().close();

    // The governor reads protocols but has no opt-out.
    const governor = await noJs(web.a.users.governor!);
    const refused = await governor.goto(`/protocols/${protocolId}/opt-out`);
    expect(refused?.status()).toBe(403);
    await governor.context().close();

    // Suspend and revoke ask first; a cancelled confirmation changes nothing.
    await admin.goto(`/protocols/${protocolId}`);
    await admin.getByRole('link', { name: 'Suspend' }).click();
    await expectAccessible(admin);
    await admin.getByRole('link', { name: 'Cancel' }).click();
    expect(await admin.locator('main').innerText()).toContain('Active');
    await admin.context().close();
  });

  it("a headteacher's club dashboard shows the protocol's members with their school highlighted", async () => {
    const adminPrincipal = {
      tenantId: web.a.id,
      userId: web.a.users.la_admin!.id,
      role: 'la_admin' as const,
      schoolUrn: null,
      via: 'cli' as const,
    };
    const context = web.app.get(TenantContext);
    const clubs = web.app.get(ClubsService);
    const club = await context.runAs(adminPrincipal, () =>
      clubs.create({
        name: 'Primary Headteachers’ Benchmarking Club',
        protocolId,
        phase: 'primary',
      }),
    );
    for (const urn of [116001, 116002, 116010]) {
      await context.runAs(adminPrincipal, () => clubs.addMember(club.id, urn));
    }
    const page = await noJs(web.a.users.headteacher!);
    await page.getByRole('link', { name: 'Clubs' }).first().click();
    await expectAccessible(page);
    await page.getByRole('link', { name: 'Primary Headteachers’ Benchmarking Club' }).click();
    await expectAccessible(page);
    const viewer = page.locator('tr.sb-viewer-row');
    expect(await viewer.count()).toBe(1);
    expect(await viewer.innerText()).toContain('Your school');
    await page.getByLabel('Year').selectOption('201718');
    await submit(page, 'Show');
    expect(page.url()).toContain('period=201718');
    await screenshot(page, 'club-dashboard');
    await page.context().close();
  });

  it('an analyst searches schools, pages through England, reads early warnings and downloads them', async () => {
    const analyst = web.a.users.analyst!;
    const run = await web.app
      .get(TenantContext)
      .runAs(
        { tenantId: web.a.id, userId: analyst.id, role: 'analyst', schoolUrn: null, via: 'cli' },
        () =>
          web.app.get(ComparisonRunsService).request({
            target: { allSchools: true },
            phase: 'primary',
            period: '201819',
            outcomeMeasures: ['ks2_rwm_expected_pct'],
          }),
      );
    const page = await noJs(analyst);
    await screenshot(page, 'home-analyst');
    await page.getByRole('link', { name: 'Schools' }).first().click();
    await expectAccessible(page);
    await page.getByLabel('Name contains').fill('Alderwood');
    await submit(page, 'Search');
    expect(await page.locator('tbody tr').count()).toBe(1);
    await page.getByLabel("England's schools (DfE published data)").check();
    await page.getByLabel('Name contains').fill('');
    await submit(page, 'Search');
    expect(await page.locator('main').innerText()).toContain('24 schools');
    await page.getByRole('link', { name: 'Next page' }).click();
    // 20 a page: the second page holds the last 4.
    expect(await page.locator('tbody tr').count()).toBe(4);
    await expectAccessible(page);
    await screenshot(page, 'schools');

    for (let i = 0; i < 600; i++) {
      const [row] = await web.db.query<{ status: string }>(
        'select status from comparison_runs where id = $1',
        [run.id],
      );
      if (row.status === 'completed') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await page.getByRole('link', { name: 'Early warnings' }).first().click();
    await expectAccessible(page);
    const warnings = await page.locator('main').innerText();
    expect(warnings).toContain('Hampshire Primary 116012');
    expect(warnings).toMatch(
      /lowest quarter of its similar-school group in [23] of the last 3 years/,
    );
    await screenshot(page, 'early-warnings');
    const csv = await page.request.get('/early-warnings.csv?measure=ks2_rwm_expected_pct');
    expect(await csv.text()).toContain('116012');
    await page.getByRole('link', { name: 'Comparisons' }).first().click();
    await expectAccessible(page);
    expect(await page.locator('main').innerText()).toContain('All primary schools');
    await page.context().close();
  });

  it('an LA admin filters the access log, invites and removes a user, creates and revokes an API key', async () => {
    // A partner reads Hampshire's schools under the protocol: the log records it.
    const partner = await noJs(web.b.users.analyst!);
    await partner.goto('/schools?source=PARTNERS');
    expect(await partner.locator('main').innerText()).toContain('Hampshire Primary 116002');
    await partner.context().close();

    const page = await noJs(web.a.users.la_admin!);
    await page.getByRole('link', { name: 'Access log' }).first().click();
    await expectAccessible(page);
    expect(await page.locator('main').innerText()).toContain('North Yorkshire');
    await page.getByLabel('From').fill('not a date');
    await submit(page, 'Filter');
    expect(await page.locator('.govuk-error-summary').innerText()).toContain('Enter a date');
    await page.getByLabel('From').fill('2020-01-01');
    await submit(page, 'Filter');
    expect(await page.locator('main').innerText()).toContain('North Yorkshire');
    const csv = await page.request.get(
      (await page.getByRole('link', { name: 'Download as CSV' }).getAttribute('href'))!,
    );
    expect(await csv.text()).toContain('815');
    await screenshot(page, 'access-log');

    await page.getByRole('link', { name: 'Users' }).first().click();
    await expectAccessible(page);
    await page.getByLabel('Email address').fill('new.governor@hampshire.example');
    await page.getByLabel('Role').selectOption('governor');
    await submit(page, 'Invite user');
    expect(await page.locator('.govuk-error-summary').innerText()).toContain('Enter the URN');
    await page.getByLabel('School URN').fill('116002');
    await submit(page, 'Invite user');
    expect(await page.locator('.govuk-panel').innerText()).toContain('Invitation created');
    await expectAccessible(page);
    await page.getByRole('link', { name: 'Remove new.governor@hampshire.example' }).click();
    await expectAccessible(page);
    await submit(page, 'Remove user');
    // Gone from the users; kept in the record of changes, with who removed them.
    expect(await page.locator('main table').first().innerText()).not.toContain(
      'new.governor@hampshire.example',
    );
    expect(await page.locator('main table').nth(1).innerText()).toMatch(
      /new\.governor@hampshire\.example\s+Removed \(was governor of school 116002\)/,
    );

    await page.getByRole('link', { name: 'API keys' }).first().click();
    await page.getByLabel('Name').fill('nightly export');
    await submit(page, 'Create key');
    const secret = await page.locator('.sb-secret').innerText();
    expect(secret.length).toBeGreaterThan(20);
    await expectAccessible(page);
    await page.goto('/api-keys');
    expect(await page.locator('main').innerText()).not.toContain(secret);
    await page.getByRole('link', { name: 'Revoke nightly export' }).click();
    await expectAccessible(page);
    await submit(page, 'Revoke key');
    expect(await page.locator('main').innerText()).toMatch(/Revoked/);
    await page.context().close();
  });

  it("isolation: another authority's dataset and protocol pages are 404s that name nothing", async () => {
    const [dataset] = await web.db.query<{ id: string; file_name: string }>(
      'select id, file_name from datasets where tenant_id = $1 limit 1',
      [web.a.id],
    );
    const page = await noJs(surrey.users.la_admin!);
    for (const path of [
      `/datasets/${dataset.id}`,
      `/protocols/${protocolId}`,
      '/schools/116001/benchmarks',
    ]) {
      const res = await page.goto(path);
      expect(res?.status()).toBe(404);
      const text = await page.locator('main').innerText();
      expect(text).toContain('Page not found');
      expect(text).not.toContain(dataset.file_name);
      expect(text).not.toContain('Primary benchmarking');
      expect(text).not.toContain('Alderwood');
    }
    await expectAccessible(page);
    await page.context().close();
  });

  it('without JavaScript the comparison progress page refreshes itself until the run completes; signing out ends the session', async () => {
    const context = await web.context({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto('/sign-in');
    await page.getByLabel('Email address').fill(web.a.users.headteacher!.email);
    await page.getByLabel('Password').fill(web.a.users.headteacher!.password);
    await submit(page, 'Sign in');
    await page.goto(`/schools/${web.a.users.headteacher!.schoolUrn}/compare`);
    await submit(page, 'Request comparison');
    await page.waitForURL(/\/comparisons\/[0-9a-f-]{36}$/);
    const refresh = await page.locator('meta[http-equiv="refresh"]').count();
    const links = await page.getByRole('link', { name: 'See the benchmarks' }).isVisible();
    expect(refresh === 1 || links).toBe(true);
    await page
      .getByRole('link', { name: 'See the benchmarks' })
      .waitFor({ state: 'visible', timeout: 120_000 });
    expect(await page.locator('meta[http-equiv="refresh"]').count()).toBe(0);

    const session = (await context.cookies()).find((c) => c.name === 'sb_session')!;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/sign-in$/);
    // The old cookie opens nothing any more.
    const replay = await web.context({ javaScriptEnabled: false });
    await replay.addCookies([{ ...session }]);
    const again = await replay.newPage();
    await again.goto('/');
    expect(new URL(again.url()).pathname).toBe('/sign-in');
    await replay.close();
    await context.close();
  });
});
