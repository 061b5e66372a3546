/// <reference lib="dom" />
import type { Page } from 'playwright-core';

import { ComparisonRunsService } from '@schoolbench/comparisons';
import { TenantContext } from '@schoolbench/tenancy';
import { snapshotDatabase } from '@schoolbench/testing';

import { screenshot } from './support/screenshots';
import { expectAccessible, startWebUnderTest, type WebUnderTest } from './support/web-under-test';

/**
 * The targets pages (docs/targets.md, docs/web.md) with JavaScript off: the seed example's
 * proposal returned with a reason, proposed again and agreed; the authority-wide baseline and
 * target; school targets from a CSV (a bad file changes nothing); the roll-up; judgements and
 * schools causing concern. axe on every page.
 */
// A browser, a worker and a real comparison run on a shared two-core machine.
jest.setTimeout(400_000);

describe('web: targets, proposals, the roll-up, bulk upload and judgements', () => {
  let web: WebUnderTest;

  beforeAll(async () => {
    web = await startWebUnderTest();
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

  const main = (page: Page) => page.locator('main').innerText();

  it('a headteacher proposes a target, the LA admin returns it with a reason, then agrees the next', async () => {
    // A completed comparison gives the estimates from similar schools.
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
    for (let i = 0; i < 900; i++) {
      const [row] = await web.db.query<{ status: string }>(
        'select status from comparison_runs where id = $1',
        [run.id],
      );
      if (row.status === 'completed') break;
      await new Promise((r) => setTimeout(r, 100));
    }

    const head = await noJs(web.a.users.headteacher!);
    await head.getByRole('link', { name: 'Targets' }).first().click();
    await expectAccessible(head);
    const estimates = await head
      .locator('section[aria-labelledby="estimates-heading"]')
      .innerText();
    // The benchmarked measure has its group's n and three percentages.
    expect(estimates).toMatch(/\t\d+\t\d+\.\d%\t\d+\.\d%\t\d+\.\d%/);

    // The pupil-group drill-down, from the school's pages.
    await head.goto('/');
    await head.getByRole('link', { name: 'School profile' }).click();
    await head.getByRole('link', { name: 'Pupil groups' }).click();
    await expectAccessible(head);
    expect(await main(head)).toContain('Similar schools’ median');
    await head.goto('/targets');
    // The service navigation marks the section the page is in, not "Home" on every page.
    expect(await head.locator('.govuk-service-navigation__item--active').innerText()).toBe(
      'Targets',
    );
    await head.getByRole('link', { name: 'Propose a target' }).click();
    await expectAccessible(head);
    await submit(head, 'Propose target');
    expect(await head.locator('.govuk-error-summary').innerText()).toContain(
      'Enter the target as a number',
    );
    await expectAccessible(head);
    // Out of range: refused by the service, says why, writes nothing.
    const before = await snapshotDatabase(web.db);
    await head.getByLabel('Measure').selectOption('ks2_rwm_expected_pct');
    await head.getByLabel('Proposed target').fill('150');
    await submit(head, 'Propose target');
    expect(await head.locator('.govuk-error-summary').innerText()).toMatch(/value: .*100/);
    expect(await snapshotDatabase(web.db)).toEqual(before);

    await head.getByLabel('Proposed target').fill('90');
    await submit(head, 'Propose target');
    expect(head.url()).toContain('/targets?period=201819&saved=proposed');
    expect(await main(head)).toContain('90.0% proposed, awaiting your local authority');
    await expectAccessible(head);

    const admin = await noJs(web.a.users.la_admin!);
    await admin.getByRole('link', { name: 'Targets' }).first().click();
    await expectAccessible(admin);
    await admin.getByRole('link', { name: /Agree or return/ }).click();
    await expectAccessible(admin);
    await submit(admin, 'Return the proposal');
    expect(await admin.locator('.govuk-error-summary').innerText()).toContain(
      'Say why the proposal is returned',
    );
    await expectAccessible(admin);
    await admin
      .getByLabel('Why it is returned')
      .fill('Similar schools’ best 20% reach 84%: aim there');
    await submit(admin, 'Return the proposal');
    expect(await main(admin)).toContain('The proposal was returned to the school');

    await head.goto('/targets');
    const returned = await head.locator('section[aria-labelledby="returned-heading"]').innerText();
    expect(returned).toContain('90.0%');
    expect(returned).toContain('Similar schools’ best 20% reach 84%: aim there');
    await expectAccessible(head);
    await head.getByRole('link', { name: 'Propose a target' }).click();
    await head.getByLabel('Proposed target').fill('84');
    await submit(head, 'Propose target');

    await admin.goto('/targets');
    await admin.getByRole('link', { name: /Agree or return/ }).click();
    expect(await main(admin)).toContain('84.0%');
    await submit(admin, 'Agree the target');
    expect(await main(admin)).toContain('it is now the school’s target');

    await head.goto('/targets');
    const row = await head
      .locator('section[aria-labelledby="targets-heading"] tbody tr')
      .first()
      .innerText();
    expect(row).toContain('84.0%');
    expect(row).toContain('LA admin (agreed a proposal)');
    expect(row).toMatch(/Green|Amber|Red/);
    await screenshot(head, 'targets-school');
    // Printed: the forms and links to act are left out, the numbers stay.
    await head.emulateMedia({ media: 'print' });
    expect(await head.locator('form[action="/targets"]').isVisible()).toBe(false);
    expect(await head.locator('section[aria-labelledby="estimates-heading"]').isVisible()).toBe(
      true,
    );
    await head.context().close();

    // The seed: Hampshire's authority-wide baseline 72% (from 2016/17) and target 84%.
    await admin.getByRole('link', { name: 'Set a target or baseline' }).click();
    await expectAccessible(admin);
    await admin.getByLabel('Measure').selectOption('ks2_rwm_expected_pct');
    await admin.getByLabel('Baseline', { exact: true }).check();
    await admin.getByLabel('Value', { exact: true }).fill('72');
    await submit(admin, 'Save');
    expect(await admin.locator('.govuk-error-summary').innerText()).toContain(
      'Enter the academic year the baseline was taken from',
    );
    await expectAccessible(admin);
    await admin.getByLabel('A baseline: the year its value was taken from').fill('2016/17');
    await submit(admin, 'Save');
    expect(await main(admin)).toContain('The baseline was set.');
    await admin.getByRole('link', { name: 'Set a target or baseline' }).click();
    await admin.getByLabel('Measure').selectOption('ks2_rwm_expected_pct');
    await admin.getByLabel('Value', { exact: true }).fill('84');
    await submit(admin, 'Save');
    expect(await main(admin)).toContain('The target was set.');
    await admin.context().close();
  });

  it('an analyst uploads school targets (a bad file changes nothing), reads the roll-up and the schools causing concern', async () => {
    const page = await noJs(web.a.users.analyst!);
    await page.getByRole('link', { name: 'Targets' }).first().click();
    await page.getByRole('link', { name: 'Upload school targets' }).click();
    await expectAccessible(page);

    const before = await snapshotDatabase(web.db);
    await page.getByLabel('Targets file').setInputFiles({
      name: 'targets-2018-19.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(
        'URN,measure,period,target\n116002,ks2_rwm_expected_pct,2018/19,84\n999999,ks2_rwm_expected_pct,2018/19,80\n116010,ks2_rwm_expected_pct,2018/19,140\n',
      ),
    });
    await submit(page, 'Upload and check');
    expect(await main(page)).toContain('No target was set');
    const summary = await page.locator('.govuk-error-summary').innerText();
    expect(summary).toContain('999999');
    expect(await page.locator('#rule-unknown_urn').innerText()).toContain('999999');
    expect(await page.locator('#rule-target_out_of_range').innerText()).toContain('140');
    expect(await snapshotDatabase(web.db)).toEqual(before);
    await expectAccessible(page);
    await screenshot(page, 'targets-report');

    await page.getByRole('link', { name: 'Upload another file' }).click();
    await page.getByLabel('Targets file').setInputFiles({
      name: 'targets-2018-19.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(
        'URN,measure,period,target\n116002,ks2_rwm_expected_pct,2018/19,84\n116010,ks2_rwm_expected_pct,2018/19,86\n116012,ks2_rwm_expected_pct,2018/19,40\n',
      ),
    });
    await submit(page, 'Upload and check');
    expect(await page.locator('.govuk-panel').innerText()).toContain('3 targets were set');
    await expectAccessible(page);

    await page.getByRole('link', { name: 'Targets', exact: true }).first().click();
    await expectAccessible(page);
    const rollup = await page
      .locator('section[aria-labelledby="rollup-heading"] tbody tr')
      .first()
      .innerText();
    // Four schools with a target (three from the file, the agreed proposal); the authority's
    // own baseline and target; cohort-weighted figures need cohorts, which this data lacks.
    const [, green, amber, red, noValue] = rollup.split('\t').map((c) => c.trim());
    expect(Number(green) + Number(amber) + Number(red) + Number(noValue)).toBe(4);
    expect(rollup).toContain('72.0%');
    expect(rollup).toContain('84.0%');
    expect(await page.locator('section[aria-labelledby="schools-heading"] tbody tr').count()).toBe(
      4,
    );
    await screenshot(page, 'targets-authority');

    // An inadequate judgement and a red target make a school cause concern, with both reasons.
    await web.db.query(
      `insert into school_judgements (tenant_id, id, urn, kind, judgement, judged_on, source, recorded_by, recorded_via)
       values ($1, gen_random_uuid(), 116012, 'inspection', 'inadequate', '2019-05-02', 'Ofsted report 10110001', $2, 'api')`,
      [web.a.id, web.a.users.la_admin!.id],
    );
    await page.goto('/');
    await page.getByRole('link', { name: 'Judgements' }).first().click();
    await expectAccessible(page);
    const concern = await page.locator('section[aria-labelledby="concern-heading"]').innerText();
    expect(concern).toContain('Hampshire Primary 116012');
    expect(concern).toContain('judged inadequate on 2019-05-02');
    expect(await page.locator('section[aria-labelledby="judged-heading"]').innerText()).toContain(
      'Inadequate',
    );
    await screenshot(page, 'judgements');
    await page.context().close();
  });
});
