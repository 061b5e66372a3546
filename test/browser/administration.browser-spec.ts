/// <reference lib="dom" />
import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import type { Page } from 'playwright-core';

import { DisclosureLevel, ProtocolsService } from '@schoolbench/sharing';
import {
  ACCESS_RULE,
  TenantContext,
  type AccessRule,
  type Principal,
  type Role,
} from '@schoolbench/tenancy';
import { TenantExports } from '@schoolbench/tenants';
import { seedTenant, snapshotDatabase, type SeededTenant } from '@schoolbench/testing';

// The routes and access rules of the app under test.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { WEB_CONTROLLERS } from '../../apps/web/src/pages';
import { screenshot } from './support/screenshots';
import { expectAccessible, startWebUnderTest, type WebUnderTest } from './support/web-under-test';

/**
 * The LA admin's management pages with JavaScript off (every form a plain GET or POST): amending
 * a protocol's terms, changing a user's role, the opt-outs of their schools, running a club; a
 * headteacher taking their school out of a club. Each form is sent once with bad input (error
 * summary, nothing written), once for real, and once without its CSRF token (refused, nothing
 * written). Last, every page of every role is reached by following links from the home page and
 * checked with axe.
 */
// A browser on a shared two-core machine.
jest.setTimeout(400_000);

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/** GET routes that are not pages reached by a link, or that this fixture has nothing for. */
const NOT_REACHED_BY_LINKS: Record<string, string> = {
  '/sign-in': 'the signed-out page',
  '/early-warnings.csv': 'a download, linked from the early warnings page',
  '/comparisons/:id/status': 'the JSON web.js polls',
  '/opt-outs/confirm': 'the answer of the opt-out form (a GET form)',
  '/comparisons/:id': 'no comparison run in this fixture; journey-3.browser-spec follows the link',
  '/comparisons/:id/results':
    'no comparison run in this fixture; journey-4.browser-spec follows the link',
  '/comparisons/:id/results.csv': 'a download, linked from the results page; journey-4 fetches it',
  '/api-keys/:id/revoke': 'no API key in this fixture; roles.browser-spec follows the link',
  '/targets/proposals/:id': 'no pending proposal in this fixture; targets.browser-spec follows it',
  '/export/:id/download': 'a download, not a page; tenant-export-web e2e fetches it',
};

/** Every GET route of the web app a role may open, as `/clubs/:id/members`. */
function pagesOf(role: Role): string[] {
  const pages: string[] = [];
  for (const controller of WEB_CONTROLLERS) {
    const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
    const prototype = controller.prototype as unknown as Record<string, object>;
    for (const name of Object.getOwnPropertyNames(prototype)) {
      const handler = prototype[name];
      if (typeof handler !== 'function') continue;
      if (Reflect.getMetadata(METHOD_METADATA, handler) !== RequestMethod.GET) continue;
      const rule = Reflect.getMetadata(ACCESS_RULE, handler) as AccessRule | undefined;
      if (!rule || rule.public || !rule.roles?.includes(role)) continue;
      const path = String(Reflect.getMetadata(PATH_METADATA, handler) ?? '');
      pages.push(`/${[base, path].filter((p) => p && p !== '/').join('/')}`);
    }
  }
  return pages;
}

describe('web: an LA admin manages protocols, users, opt-outs and clubs without JavaScript', () => {
  let web: WebUnderTest;
  let surrey: SeededTenant;
  let protocolId: string;
  let clubId: string;

  beforeAll(async () => {
    web = await startWebUnderTest();
    surrey = await seedTenant(web.db, { laCode: '936', name: 'Surrey', roles: ['la_admin'] });
    // An active named protocol between Hampshire (A) and North Yorkshire (B), agreed as in
    // journey 2 (which roles.browser-spec.ts walks through the browser).
    const admin = (t: SeededTenant): Principal => ({
      tenantId: t.id,
      userId: t.users.la_admin!.id,
      role: 'la_admin',
      schoolUrn: null,
      via: 'cli',
    });
    const context = web.app.get(TenantContext);
    const protocols = web.app.get(ProtocolsService);
    const today = new Date();
    const later = new Date(today.getTime() + 2 * 365 * 864e5);
    const created = await context.runAs(admin(web.a), () =>
      protocols.create({
        title: 'Primary benchmarking 2016–2019',
        purpose: 'Compare primary schools with similar schools in both authorities',
        partyLaCodes: ['815'],
        categories: ['attainment', 'progress', 'context'],
        periodFrom: '2016/17',
        periodTo: '2018/19',
        phases: ['primary'],
        disclosure: DisclosureLevel.NAMED,
        validFrom: today.toISOString().slice(0, 10),
        validTo: later.toISOString().slice(0, 10),
      }),
    );
    protocolId = created.id;
    await context.runAs(admin(web.a), () => protocols.propose(protocolId));
    for (const t of [web.a, web.b]) {
      await context.runAs(admin(t), () => protocols.sign(protocolId, 1));
    }
    // An export, so its status page is among the LA admin’s pages the crawl opens.
    await context.runAs(admin(web.a), () => web.app.get(TenantExports).request('web'));
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

  /** The form's action and fields as the browser would send them, minus the CSRF token. */
  async function postWithoutToken(page: Page, form: Record<string, string>, action: string) {
    return page.request.post(action, { form, maxRedirects: 0 });
  }

  it('amends a protocol’s terms: bad input is shown and changes nothing; the amendment is version 2', async () => {
    const page = await noJs(web.a.users.la_admin!);
    await page.getByRole('link', { name: 'Data-sharing protocols' }).first().click();
    await page.getByRole('link', { name: 'Primary benchmarking 2016–2019' }).click();
    await page.getByRole('link', { name: 'Amend the terms' }).click();
    await expectAccessible(page);
    expect(await page.getByLabel('Title').inputValue()).toBe('Primary benchmarking 2016–2019');

    const tables = ['protocols', 'protocol_versions', 'protocol_events', 'sharing_grants'];
    const before = await snapshotDatabase(web.db, tables);
    await page.getByLabel('Title').fill('');
    await submit(page, 'Save amendment');
    expect(await page.locator('.govuk-error-summary').innerText()).toContain('Enter a title');
    expect(await page.title()).toMatch(/^Error: /);
    await expectAccessible(page);
    // The service's own refusal is shown on the form too.
    await page.getByLabel('Title').fill('Primary benchmarking 2016–2019, with progress');
    await page.getByLabel('Last academic year').fill('2035/36 and beyond');
    await submit(page, 'Save amendment');
    expect(await page.locator('.govuk-error-summary li').count()).toBeGreaterThan(0);
    expect(await page.getByLabel('Title').inputValue()).toBe(
      'Primary benchmarking 2016–2019, with progress',
    );
    await expectAccessible(page);
    expect(await snapshotDatabase(web.db, tables)).toEqual(before);

    await page.getByLabel('Last academic year').fill('2018/19');
    await submit(page, 'Save amendment');
    await page.waitForURL(new RegExp(`/protocols/${protocolId}$`));
    const shown = await page.locator('main').innerText();
    expect(shown).toContain('Primary benchmarking 2016–2019, with progress');
    expect(shown).toContain('version 2');
    expect(await snapshotDatabase(web.db, tables)).not.toEqual(before);

    // Both parties sign version 2 in the browser, so the club below shares under it.
    await page.getByRole('link', { name: 'Sign version 2' }).click();
    await submit(page, 'Sign protocol');
    const partner = await noJs(web.b.users.la_admin!);
    await partner.goto(`/protocols/${protocolId}`);
    await partner.getByRole('link', { name: 'Sign version 2' }).click();
    await submit(partner, 'Sign protocol');
    expect(await partner.locator('main').innerText()).toContain('Active');
    await partner.context().close();

    // Without the token the amendment is refused and nothing changes.
    const signed = await snapshotDatabase(web.db, tables);
    const refused = await postWithoutToken(
      page,
      { title: 'Forged', purpose: 'x', partyLaCodes: '815' },
      `/protocols/${protocolId}/amend`,
    );
    expect(refused.status()).toBe(403);
    expect(await snapshotDatabase(web.db, tables)).toEqual(signed);
    await page.context().close();
  });

  it("changes a user's role: a headteacher needs a school; the admin's own role has no form", async () => {
    const analyst = web.a.users.analyst!;
    const page = await noJs(web.a.users.la_admin!);
    await page.getByRole('link', { name: 'Users' }).first().click();
    await page.getByRole('link', { name: `Change role of ${analyst.email}` }).click();
    await expectAccessible(page);
    await screenshot(page, 'user-role');

    const tables = ['users', 'api_keys', 'refresh_tokens'];
    const before = await snapshotDatabase(web.db, tables);
    await page.getByLabel('Headteacher').check();
    await submit(page, 'Change role');
    expect(await page.locator('.govuk-error-summary').innerText()).toContain('Enter the URN');
    await page.getByLabel('School URN').fill('121901');
    await submit(page, 'Change role');
    expect(await page.locator('.govuk-error-summary').innerText()).toContain(
      "School 121901 is not in your authority's register",
    );
    await expectAccessible(page);
    expect(await snapshotDatabase(web.db, tables)).toEqual(before);

    const refused = await postWithoutToken(page, { role: 'la_admin' }, `/users/${analyst.id}/role`);
    expect(refused.status()).toBe(403);
    expect(await snapshotDatabase(web.db, tables)).toEqual(before);

    await page.getByLabel('School URN').fill('116002');
    await submit(page, 'Change role');
    await page.waitForURL(/\/users$/);
    // The users table (the record of changes below it names the user too).
    const row = page.locator('main table').first().locator('tr', { hasText: analyst.email });
    expect(await row.innerText()).toMatch(/headteacher\s+116002/);
    const [stored] = await web.db.query<{ role: string; school_urn: number }>(
      'select role, school_urn from users where id = $1',
      [analyst.id],
    );
    expect(stored).toEqual({ role: 'headteacher', school_urn: 116002 });

    // And back: an analyst has no school, whatever the URN field still says.
    await page.getByRole('link', { name: `Change role of ${analyst.email}` }).click();
    expect(await page.getByLabel('School URN').inputValue()).toBe('116002');
    await page.getByLabel('LA analyst').check();
    await submit(page, 'Change role');
    await page.waitForURL(/\/users$/);
    const [restored] = await web.db.query<{ role: string; school_urn: number | null }>(
      'select role, school_urn from users where id = $1',
      [analyst.id],
    );
    expect(restored).toEqual({ role: 'analyst', school_urn: null });

    // No link to change one's own role, and the address is not a page.
    expect(
      await page
        .getByRole('link', { name: `Change role of ${web.a.users.la_admin!.email}` })
        .count(),
    ).toBe(0);
    expect((await page.goto(`/users/${web.a.users.la_admin!.id}/role`))?.status()).toBe(404);
    // Another authority's user is not a page either, and nothing names them.
    const other = await page.goto(`/users/${web.b.users.analyst!.id}/role`);
    expect(other?.status()).toBe(404);
    expect(await page.locator('main').innerText()).not.toContain(web.b.users.analyst!.email);
    await page.context().close();
  });

  it("lists the authority's opt-outs per protocol and opts a school out after asking", async () => {
    const page = await noJs(web.a.users.la_admin!);
    await page.getByRole('link', { name: 'Opt-outs' }).first().click();
    await expectAccessible(page);
    expect(await page.locator('main').innerText()).toContain('None of your schools has opted out');

    const before = await snapshotDatabase(web.db, ['protocol_opt_outs']);
    await submit(page, 'Continue');
    const summary = await page.locator('.govuk-error-summary').innerText();
    expect(summary).toContain('Choose a protocol');
    expect(summary).toContain('Enter the URN');
    await page
      .getByLabel('Protocol')
      .selectOption({ label: 'Primary benchmarking 2016–2019, with progress' });
    await page.getByLabel('School URN').fill('121901');
    await submit(page, 'Continue');
    expect(await page.locator('.govuk-error-summary').innerText()).toContain(
      'School 121901 is not in your authority’s register',
    );
    await expectAccessible(page);
    expect(await snapshotDatabase(web.db, ['protocol_opt_outs'])).toEqual(before);

    await page.getByLabel('School URN').fill('116015');
    await submit(page, 'Continue');
    expect(await page.locator('h1').innerText()).toContain('Hampshire Primary 116015');
    await expectAccessible(page);
    await screenshot(page, 'opt-out-la-admin');
    const refused = await postWithoutToken(page, { protocolId, urn: '116015' }, '/opt-outs');
    expect(refused.status()).toBe(403);
    expect(await snapshotDatabase(web.db, ['protocol_opt_outs'])).toEqual(before);
    await submit(page, 'Opt the school out');
    await page.waitForURL(/\/opt-outs$/);
    expect(await page.locator('main').innerText()).toMatch(/116015\s+Hampshire Primary 116015/);
    await screenshot(page, 'opt-outs');
    const rows = await web.db.query<{ urn: number }>('select urn from protocol_opt_outs');
    expect(rows).toEqual([{ urn: 116015 }]);

    // North Yorkshire's admin sees none of Hampshire's opt-outs on their page.
    const partner = await noJs(web.b.users.la_admin!);
    await partner.getByRole('link', { name: 'Opt-outs' }).first().click();
    expect(await partner.locator('main').innerText()).not.toContain('116015');
    await partner.context().close();
    await page.context().close();
  });

  it('creates a club with members, adds and removes one; a headteacher takes their school out', async () => {
    const page = await noJs(web.a.users.la_admin!);
    await page.getByRole('link', { name: 'Clubs' }).first().click();
    await page.getByRole('link', { name: 'Create a club' }).click();
    await expectAccessible(page);

    const tables = ['clubs', 'club_members'];
    const before = await snapshotDatabase(web.db, tables);
    await submit(page, 'Create club');
    let summary = await page.locator('.govuk-error-summary').innerText();
    expect(summary).toContain('Enter a name for the club');
    expect(summary).toContain('Choose the protocol');
    await page.getByLabel('Club name').fill('Primary Headteachers’ Club');
    await page.getByLabel('Protocol').selectOption({ index: 1 });
    await page.getByLabel('Primary').check();
    // 999999 is no school anyone knows: the service refuses it, and the club with it.
    await page.getByLabel('Member schools (optional)').fill('116001, 116002\n999999');
    await submit(page, 'Create club');
    summary = await page.locator('.govuk-error-summary').innerText();
    expect(summary).toContain('School 999999 is not in your register');
    await expectAccessible(page);
    expect(await snapshotDatabase(web.db, tables)).toEqual(before);

    await page.getByLabel('Member schools (optional)').fill('116001, 116002\n121901');
    await submit(page, 'Create club');
    await page.waitForURL(/\/clubs\/[0-9a-f-]{36}\/members$/);
    clubId = page.url().match(UUID)![0];
    let members = await page.locator('main tbody').innerText();
    for (const urn of ['116001', '116002', '121901']) expect(members).toContain(urn);
    expect(members).toContain('Zetland Secret School B');
    await expectAccessible(page);

    await page.getByLabel('School URN').fill('116010');
    await submit(page, 'Add school');
    expect(await page.locator('main tbody').innerText()).toContain('116010');
    await page.getByLabel('School URN').fill('116010');
    await submit(page, 'Add school');
    expect(await page.locator('.govuk-error-summary').innerText()).toContain(
      'School 116010 is already a member of this club',
    );
    await expectAccessible(page);
    await screenshot(page, 'club-members');

    const withFour = await snapshotDatabase(web.db, tables);
    const refused = await postWithoutToken(page, {}, `/clubs/${clubId}/members/116002/remove`);
    expect(refused.status()).toBe(403);
    expect(await snapshotDatabase(web.db, tables)).toEqual(withFour);
    await page.getByRole('link', { name: 'Remove Hampshire Primary 116002' }).click();
    await expectAccessible(page);
    await page.getByRole('link', { name: 'Cancel' }).click();
    expect(await snapshotDatabase(web.db, tables)).toEqual(withFour);
    await page.getByRole('link', { name: 'Remove Hampshire Primary 116002' }).click();
    await submit(page, 'Remove school');
    members = await page.locator('main tbody').innerText();
    expect(members).not.toContain('116002');
    expect(members).toContain('116010');

    // A party that does not run the club reads its dashboard but cannot manage it.
    const partner = await noJs(web.b.users.la_admin!);
    expect((await partner.goto(`/clubs/${clubId}/members`))?.status()).toBe(403);
    await partner.context().close();
    // An authority that is not a party: the club is not there, and nothing names it.
    const stranger = await noJs(surrey.users.la_admin!);
    for (const path of [`/clubs/${clubId}`, `/clubs/${clubId}/members`]) {
      expect((await stranger.goto(path))?.status()).toBe(404);
      const text = await stranger.locator('main').innerText();
      expect(text).toContain('Page not found');
      expect(text).not.toContain('Primary Headteachers’ Club');
      expect(text).not.toContain('Hampshire');
    }
    await stranger.context().close();

    // The headteacher of 116001 takes their school out, after being asked.
    const head = await noJs(web.a.users.headteacher!);
    await head.getByRole('link', { name: 'Clubs' }).first().click();
    await head.getByRole('link', { name: 'Primary Headteachers’ Club' }).click();
    await head.getByRole('link', { name: 'Take your school out of this club' }).click();
    await expectAccessible(head);
    const beforeLeaving = await snapshotDatabase(web.db, tables);
    const forged = await postWithoutToken(head, {}, `/clubs/${clubId}/leave`);
    expect(forged.status()).toBe(403);
    expect(await snapshotDatabase(web.db, tables)).toEqual(beforeLeaving);
    await submit(head, 'Leave the club');
    await head.waitForURL(/\/clubs$/);
    expect(await head.locator('main').innerText()).toContain(
      'You are not in any benchmarking club',
    );
    const left = await web.db.query<{ urn: number }>(
      'select urn from club_members where club_id = $1 order by urn',
      [clubId],
    );
    expect(left.map((r) => r.urn)).toEqual([116010, 121901]);
    await head.context().close();
    // Only the coordinator adds it again (and the pages below need the school in a club).
    await page.goto(`/clubs/${clubId}/members`);
    await page.getByLabel('School URN').fill('116001');
    await submit(page, 'Add school');
    expect(await page.locator('main tbody').innerText()).toContain('116001');
    // A governor reads club pages only: no leaving.
    const governor = await noJs(web.a.users.governor!);
    expect((await governor.goto(`/clubs/${clubId}/leave`))?.status()).toBe(403);
    await governor.context().close();
    await page.context().close();
  });

  it('the axe check itself fails on a page that breaks WCAG, with JavaScript on and off', async () => {
    // No language, an image without text, an unlabelled field: what axe must name.
    const broken =
      '<!doctype html><html><head><title>Broken</title></head><body><main><img src="/x.png"><input type="text"></main></body></html>';
    for (const javaScriptEnabled of [true, false]) {
      const page = await (await web.context({ javaScriptEnabled })).newPage();
      await page.goto('/sign-in');
      await page.setContent(broken);
      const failure = await expectAccessible(page).then(
        () => '',
        (error: unknown) => String(error),
      );
      expect(failure).toContain('html-has-lang');
      expect(failure).toContain('image-alt');
      expect(failure).toContain('label');
      await page.context().close();
    }
  });

  /**
   * Every page of each role by links alone, starting at the home page: each kind of page (its
   * address with ids and URNs generalised) is opened once, must not be an error, and must pass
   * axe. Links are followed with GET only, so nothing is changed. Every GET page the role may
   * open (read from the controllers' routes and access rules) must be among those reached, but
   * for the few that are not pages reached by a link, each with its reason.
   */
  it.each(['la_admin', 'analyst', 'headteacher', 'governor', 'operator'] as const)(
    'every page of the %s is reachable by links from the home page and passes axe',
    async (role) => {
      const user = role === 'operator' ? web.platform.users.operator! : web.a.users[role]!;
      const page = await web.signedIn(user);
      const origin = new URL(page.url()).origin;
      const kind = (path: string) =>
        path.replace(UUID, ':id').replace(/\/\d{6,9}(?=\/|$)/g, '/:urn');
      const seen = new Set<string>(['/']);
      const queue = ['/'];
      const failures: string[] = [];
      while (queue.length) {
        const path = queue.shift()!;
        const res = await page.goto(path);
        if (!res || res.status() >= 400) {
          failures.push(`${path}: ${res?.status()}`);
          continue;
        }
        await expectAccessible(page);
        const hrefs = await page.$$eval('main a[href], header a[href]', (links) =>
          links.map((a) => (a as HTMLAnchorElement).href),
        );
        for (const href of hrefs) {
          const url = new URL(href, origin);
          if (url.origin !== origin) continue;
          // Downloads are not pages: a browser would save them, not show them.
          if (/\.csv$|\/download$|^\/api\/|^\/assets\//.test(url.pathname)) continue;
          const k = kind(url.pathname);
          if (seen.has(k)) continue;
          seen.add(k);
          queue.push(url.pathname + url.search);
        }
      }
      expect(failures).toEqual([]);
      const reached = [...seen];
      const unreached = pagesOf(role).filter(
        (route) =>
          !NOT_REACHED_BY_LINKS[route] &&
          !reached.some((k) => new RegExp(`^${route.replace(/:\w+/g, '[^/]+')}$`).test(k)),
      );
      expect(unreached).toEqual([]);
      await page.context().close();
    },
  );

  it('journey 5: the owner revokes the protocol after confirming; from the next request the partner sees none of its schools', async () => {
    const partner = await noJs(web.b.users.la_admin!);
    await partner.goto('/schools?source=PARTNERS');
    expect(await partner.locator('main').innerText()).toContain('Hampshire Primary 116002');

    const page = await noJs(web.a.users.la_admin!);
    await page.getByRole('link', { name: 'Data-sharing protocols' }).first().click();
    await page.getByRole('link', { name: 'Primary benchmarking 2016–2019, with progress' }).click();
    await page.getByRole('link', { name: 'Revoke' }).click();
    await expectAccessible(page);
    const before = await snapshotDatabase(web.db, ['protocols', 'sharing_grants']);
    const forged = await postWithoutToken(page, {}, `/protocols/${protocolId}/revoke`);
    expect(forged.status()).toBe(403);
    expect(await snapshotDatabase(web.db, ['protocols', 'sharing_grants'])).toEqual(before);
    await page.getByLabel('Reason (optional)').fill('The partnership has ended');
    await submit(page, 'Revoke protocol');
    const shown = await page.locator('main').innerText();
    expect(shown).toContain('Revoked');
    expect(shown).toContain('The partnership has ended');
    await page.context().close();

    await partner.goto('/schools?source=PARTNERS');
    const after = await partner.locator('main').innerText();
    expect(after).not.toContain('Hampshire Primary');
    expect(after).not.toContain('116002');
    await partner.context().close();
  });
});
